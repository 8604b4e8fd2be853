//! `helm template`: what it prints for a chart, as a library call.

use super::manifest::{is_test_hook, split_manifests};
use super::{Error, RenderOptions, Rendered};
use crate::chart::Chart;
use crate::values::Values;

/// The switches of `helm template` that change what is printed.
#[derive(Debug, Clone, Default)]
pub struct TemplateOptions {
    pub render: RenderOptions,
    /// `--show-only`: Go `filepath.Match` patterns on template paths below the chart.
    pub show_only: Vec<String>,
    pub include_crds: bool,
    pub skip_tests: bool,
    pub skip_schema_validation: bool,
}

/// A failed `helm template`.
#[derive(Debug)]
pub struct TemplateFailure {
    pub error: Error,
    /// What `--debug` prints before the error: the partial manifest, when rendering
    /// had started.
    pub debug_output: Option<String>,
}

impl TemplateFailure {
    /// Helm's message; after a render failure it points at `--debug`.
    pub fn message(&self, debug: bool) -> String {
        if self.debug_output.is_some() && !debug {
            format!(
                "{}\n\nUse --debug flag to render out invalid YAML",
                self.error
            )
        } else {
            self.error.to_string()
        }
    }
}

impl From<Error> for TemplateFailure {
    fn from(error: Error) -> Self {
        TemplateFailure {
            error,
            debug_output: None,
        }
    }
}

impl From<crate::Error> for TemplateFailure {
    fn from(error: crate::Error) -> Self {
        Error::from(error).into()
    }
}

/// Renders `chart` with the user's values (already merged from `-f`/`--set`) and returns
/// the text `helm template` prints on stdout.
pub fn template(
    chart: Chart,
    user_values: &Values,
    opts: &TemplateOptions,
) -> Result<String, TemplateFailure> {
    let (chart, values, rendered) = render_release(
        chart,
        user_values,
        opts.skip_schema_validation,
        &opts.render,
    )?;

    let mut manifest = String::new();
    if opts.include_crds {
        for crd in chart.crd_objects() {
            manifest.push_str(&format!(
                "---\n# Source: {}\n{}\n",
                crd.filename,
                String::from_utf8_lossy(&crd.file.data)
            ));
        }
    }
    manifest.push_str(&rendered.manifest_text());
    let mut out = format!("{}\n", manifest.trim());
    for h in &rendered.hooks {
        if opts.skip_tests && is_test_hook(h) {
            continue;
        }
        out.push_str(&format!("---\n# Source: {}\n{}\n", h.path, h.manifest));
    }
    super::dispose((chart, values, rendered), &opts.render);
    if opts.show_only.is_empty() {
        return Ok(out);
    }
    show_only(&out, &opts.show_only).map_err(|e| Error::Template(e).into())
}

/// What `helm install` and `helm upgrade` render: the chart checked (installable type,
/// dependencies present), its dependencies processed, the values coalesced and validated
/// against the schemas, then every template rendered. Returns the processed chart and the
/// values used with the result.
pub fn render_release(
    mut chart: Chart,
    user_values: &Values,
    skip_schema_validation: bool,
    render: &RenderOptions,
) -> Result<(Chart, Values, Rendered), TemplateFailure> {
    chart.validate()?;
    match chart.metadata.chart_type.as_str() {
        "" | "application" => {}
        other => {
            return Err(crate::Error::Chart(format!("{other} charts are not installable")).into());
        }
    }
    crate::dependencies::check_dependencies(&chart).map_err(|e| {
        crate::Error::Chart(format!(
            "An error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: {e}"
        ))
    })?;
    crate::dependencies::process_dependencies(&mut chart, user_values)?;
    let values = crate::values::to_render_values(&chart, user_values, skip_schema_validation)?;
    match super::render(&chart, &values, render) {
        Ok(rendered) => Ok((chart, values, rendered)),
        Err(error) => {
            let mut partial = String::new();
            if let Error::Manifest { files, .. } = &error {
                for (name, text) in files {
                    partial.push_str(&format!("---\n# Source: {name}\n{text}\n"));
                }
            }
            let debug_output = Some(format!("{}\n", partial.trim()));
            Err(TemplateFailure {
                error,
                debug_output,
            })
        }
    }
}

/// `--show-only`: the documents whose `# Source:` path (below the chart directory)
/// matches a pattern, pattern by pattern, each document in output order.
fn show_only(all: &str, patterns: &[String]) -> Result<String, String> {
    let docs = split_manifests(all);
    let mut out = String::new();
    for pattern in patterns {
        let pattern = pattern.replace('\\', "/");
        let mut missing = true;
        for doc in &docs {
            let Some(path) = source_path(doc) else {
                continue;
            };
            // A malformed pattern matches nothing: Helm ignores filepath.Match's error.
            if crate::gomatch::path_match(&pattern, path).unwrap_or(false) {
                out.push_str("---\n");
                out.push_str(doc);
                out.push('\n');
                missing = false;
            }
        }
        if missing {
            return Err(format!("could not find template {pattern} in chart"));
        }
    }
    Ok(out)
}

/// The part after the chart name in the first `# Source: chart/...` line (Helm's
/// regular expression `# Source: [^/]+/(.+)`, which may match anywhere in the document).
fn source_path(doc: &str) -> Option<&str> {
    let mut rest = doc;
    while let Some(i) = rest.find("# Source: ") {
        let after = &rest[i + "# Source: ".len()..];
        let line = after.split('\n').next().unwrap_or(after);
        if let Some(slash) = line.find('/')
            && slash > 0
            && slash + 1 < line.len()
        {
            return Some(&line[slash + 1..]);
        }
        rest = after;
    }
    None
}

/// `--name-template`: the release name rendered with Sprig's functions and no data.
pub fn render_name_template(text: &str) -> Result<String, Error> {
    let mut t = gotemplate::Template::new("name-template");
    t.funcs(gotemplate::sprig::txt_func_map());
    t.parse(text).map_err(|e| Error::Template(e.to_string()))?;
    t.execute(&gotemplate::Value::Nil)
        .map_err(|e| Error::Template(e.to_string()))
}
