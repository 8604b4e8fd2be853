//! `tk helm template [NAME] CHART`: the Helm engine (crates/helm) behind `helm template`'s
//! flags, with no cluster. The output is what `helm template` v3.22 prints.

use std::io::Write as _;
use std::path::Path;

use ::helm::engine::template::{TemplateOptions, template as render};
use anyhow::{Context as _, Result, anyhow};

use super::args::HelmTemplateArgs;

pub fn template(args: &HelmTemplateArgs, global_namespace: &str) -> Result<()> {
    let (name, chart_arg) = match args.args.as_slice() {
        [chart] => ("release-name".to_string(), chart),
        [name, chart] => (name.clone(), chart),
        _ => unreachable!("clap takes one or two arguments"),
    };
    let mut opts = TemplateOptions {
        include_crds: args.include_crds,
        skip_tests: args.skip_tests,
        skip_schema_validation: args.skip_schema_validation,
        show_only: args.show_only.clone(),
        ..Default::default()
    };
    opts.render.release_name = name;
    opts.render.namespace = release_namespace(global_namespace);
    opts.render.skip_deallocation = true;
    if let Some(v) = &args.kube_version {
        opts.render.capabilities.kube_version = ::helm::capabilities::KubeVersion::parse(v)
            .with_context(|| format!("flag --kube-version {v:?}: use a version such as 1.30.0"))?;
    }
    opts.render
        .capabilities
        .api_versions
        .extend(args.api_versions.iter().cloned());

    let chart_path = Path::new(chart_arg);
    let chart = ::helm::loader::load(chart_path, &Default::default()).with_context(|| {
        format!(
            "loading chart {chart_arg}: give a chart directory (with Chart.yaml) or a .tgz archive"
        )
    })?;
    let value_opts = ::helm::values::Options {
        value_files: args
            .values
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect(),
        values: args.set.clone(),
        string_values: args.set_string.clone(),
        json_values: args.set_json.clone(),
        file_values: args.set_file.clone(),
        literal_values: args.set_literal.clone(),
    };
    let user = value_opts
        .merge_values(&|p| {
            std::fs::read(p).map_err(|e| ::helm::Error::Io {
                context: format!("reading values file {p}"),
                source: e,
            })
        })
        .context("reading values (-f/--set)")?;
    match render(chart, &user, &opts) {
        Ok(out) => {
            std::io::stdout().lock().write_all(out.as_bytes())?;
            std::mem::forget((out, user));
            Ok(())
        }
        Err(failure) => {
            if args.debug
                && let Some(partial) = &failure.debug_output
            {
                std::io::stdout().lock().write_all(partial.as_bytes())?;
            }
            Err(anyhow!(
                "rendering chart {chart_arg}: {}",
                failure.message(args.debug)
            ))
        }
    }
}

/// Helm's release namespace defaults to `default`, tk's global one to `flux-system`:
/// only an explicit `--namespace`/`-n` on the command line applies here (clap does not
/// tell a default from a given value once parsed, hence the look at the raw arguments).
fn release_namespace(global: &str) -> String {
    let explicit = std::env::args().any(|a| {
        a == "-n"
            || a == "--namespace"
            || a.starts_with("--namespace=")
            || (a.starts_with("-n") && a.len() > 2 && !a.starts_with("--"))
    });
    if explicit {
        global.to_string()
    } else {
        "default".to_string()
    }
}
