//! Fuzzes the Helm renderer as `helm template` runs it: a chart built in memory from the
//! input, values merged from a values file and `--set` flags, then every template executed.
//! The input is split at NUL bytes into five parts, in this order (missing parts are empty):
//!
//! 1. `templates/a.yaml`, the one manifest template;
//! 2. `templates/_helpers.tpl`, for `define`s that the first part `include`s;
//! 3. the chart's `values.yaml`, also decoded on its own with `goyaml::yaml_to_json`;
//! 4. the user's values file (`-f`);
//! 5. `--set` flags, one per line.
//!
//! So seeds are readable text. A render may fail; it must never panic, hang or blow up
//! memory (libFuzzer's -timeout and -rss_limit_mb catch the last two).

#![no_main]

use helm::chart::File;
use helm::engine::template::{TemplateOptions, template};
use helm::engine::{Limits, RenderOptions};
use libfuzzer_sys::fuzz_target;

const CHART_YAML: &[u8] = b"apiVersion: v2\nname: fuzz\nversion: 0.1.0\n";

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|b| *b == 0);
    let mut next = || parts.next().unwrap_or_default();
    let (manifest, helpers, chart_values, user_values, set) =
        (next(), next(), next(), next(), next());

    let _ = goyaml::yaml_to_json(&String::from_utf8_lossy(chart_values));

    let files = vec![
        File::new("Chart.yaml", CHART_YAML.to_vec()),
        File::new("values.yaml", chart_values.to_vec()),
        File::new("templates/a.yaml", manifest.to_vec()),
        File::new("templates/_helpers.tpl", helpers.to_vec()),
    ];
    let Ok(chart) = helm::loader::load_files(files, &Default::default()) else {
        return;
    };
    // Helm's CLI order: the `-f` file first, then each `--set` into the result.
    let Ok(mut values) = helm::values::read_values(user_values) else {
        return;
    };
    for line in String::from_utf8_lossy(set).lines() {
        if helm::strvals::parse_into(line, &mut values).is_err() {
            return;
        }
    }

    // Smaller than the defaults so that one input takes milliseconds, not seconds: the
    // defaults' 256 MiB of output would pass for a memory blow-up under -rss_limit_mb, and
    // a template that includes itself (or a value that `tpl`s itself) walks down to the
    // limit on almost every mutation of such a seed. The limits' own tests cover the
    // defaults.
    let opts = TemplateOptions {
        render: RenderOptions {
            limits: Limits {
                max_include_recursion: 100,
                max_tpl_depth: 20,
                max_output: 1 << 20,
            },
            ..Default::default()
        },
        ..Default::default()
    };
    let _ = template(chart, &values, &opts);
});
