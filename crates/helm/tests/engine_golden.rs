//! Helm's own `TestTemplateCmd` golden files, rendered through `helm::engine::template`.

use std::path::{Path, PathBuf};

use helm::engine::template::{TemplateOptions, render_name_template, template};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/helm/helm-template-golden")
}

/// Runs one `helm template` command line as the Go test does: stdout and stderr in one
/// buffer, errors as cobra prints them.
fn run(argv: &[String], cwd: &Path) -> String {
    let mut opts = TemplateOptions::default();
    let mut value_opts = helm::values::Options::default();
    let mut positional = Vec::new();
    let mut debug = false;
    let mut name = None;
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (a, None),
        };
        let mut value = || {
            inline.clone().unwrap_or_else(|| {
                i += 1;
                argv[i].clone()
            })
        };
        match flag {
            "--set" => value_opts.values.push(value()),
            "--values" | "-f" => value_opts
                .value_files
                .push(cwd.join(value()).to_string_lossy().into_owned()),
            "--name-template" => name = Some(render_name_template(&value()).unwrap()),
            "--kube-version" => {
                opts.render.capabilities.kube_version =
                    helm::capabilities::KubeVersion::parse(&value()).unwrap()
            }
            "--api-versions" => opts.render.capabilities.api_versions.push(value()),
            "--show-only" | "-s" => opts.show_only.push(value()),
            "--include-crds" => opts.include_crds = true,
            "--skip-tests" => opts.skip_tests = true,
            "--debug" => debug = true,
            _ => positional.push(a.to_string()),
        }
        i += 1;
    }
    if positional.is_empty() {
        return "Error: \"helm template\" requires at least 1 argument\n\nUsage:  helm template [NAME] [CHART] [flags]\n".into();
    }
    let chart_path = cwd.join(positional.last().unwrap());
    if positional.len() == 2 {
        name = Some(positional[0].clone());
    }
    if let Some(n) = name {
        opts.render.release_name = n;
    }
    let result = helm::loader::load(&chart_path, &Default::default())
        .map_err(helm::engine::template::TemplateFailure::from)
        .and_then(|chart| {
            let user = value_opts
                .merge_values(&|p| {
                    std::fs::read(p).map_err(|e| helm::Error::Io {
                        context: p.into(),
                        source: e,
                    })
                })
                .map_err(helm::engine::template::TemplateFailure::from)?;
            template(chart, &user, &opts)
        });
    match result {
        Ok(out) => out,
        Err(f) => {
            let mut s = String::new();
            if debug {
                s.push_str(f.debug_output.as_deref().unwrap_or(""));
            }
            s.push_str(&format!("Error: {}\n", f.message(debug)));
            s
        }
    }
}

#[test]
fn helm_template_golden_files() {
    let root = corpus();
    let text = std::fs::read_to_string(root.join("cases.json"))
        .unwrap_or_else(|e| panic!("the golden cases in {}: {e}", root.display()));
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cwd = root.join("cmd/helm");
    let (mut pass, mut total, mut report) = (0, 0, String::new());
    for case in doc["cases"].as_array().unwrap() {
        if case["kind"] != "render" {
            continue;
        }
        total += 1;
        let argv: Vec<String> = case["argv"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let want = std::fs::read_to_string(root.join(case["golden"].as_str().unwrap()))
            .unwrap()
            .replace("\r\n", "\n");
        let repeat = case["repeat"].as_u64().unwrap_or(0) + 1;
        let mut ok = true;
        for _ in 0..repeat {
            let got = run(&argv, &cwd);
            if got != want {
                ok = false;
                report.push_str(&format!(
                    "--- {} ({})\n{}\n",
                    case["name"],
                    case["source"],
                    diff(&want, &got)
                ));
                break;
            }
        }
        pass += ok as usize;
    }
    println!("golden: {pass}/{total} pass\n{report}");
    assert_eq!(pass, total, "{report}");
}

fn diff(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    for i in 0..w.len().max(g.len()) {
        if w.get(i) != g.get(i) {
            return format!(
                "line {}: want {:?}\n         got  {:?}",
                i + 1,
                w.get(i),
                g.get(i)
            );
        }
    }
    format!(
        "trailing difference: want {} bytes, got {}",
        want.len(),
        got.len()
    )
}
