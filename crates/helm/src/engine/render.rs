//! Template execution: Helm's `Engine.Render`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use gotemplate::{ErrorKind, Map, Str, Template, Value};
use regex::Regex;

use super::funcs::{Shared, helm_funcs};
use super::objects::{ChartObject, FilesObject, release_value};
use super::{Error, RenderOptions, Result};
use crate::chart::Chart;
use crate::values::Values;

/// One template file and the data it executes with.
pub(super) struct Renderable {
    pub text: String,
    /// The chart-scoped top-level object (`.Values`, `.Chart`, ...), shared by every
    /// template of one chart as in Helm, which sets `.Template` on it before each file.
    pub data: Map,
    pub base_path: String,
}

/// Renders every template of `chart` and its sub-charts; partials (`_*`) are parsed but
/// not returned. Keys are full paths (`parent/charts/sub/templates/x.yaml`), values
/// the text with `<no value>` removed, as Helm returns them.
pub fn render_templates(
    chart: &Chart,
    values: &Values,
    opts: &RenderOptions,
) -> Result<BTreeMap<String, String>> {
    let mut tpls = BTreeMap::new();
    let top = Top {
        release: release_value(opts),
        capabilities: Value::object(opts.capabilities.clone()),
    };
    let root_values = crate::values::values_to_template(values);
    collect(
        chart,
        chart.name().to_string(),
        true,
        root_values,
        &top,
        &mut tpls,
    );
    let order = sort_templates(tpls.keys().map(String::as_str));

    let shared = Shared::new(opts);
    let mut t = Template::new("gotpl");
    t.set_missing_key(if opts.strict {
        gotemplate::MissingKey::Error
    } else {
        gotemplate::MissingKey::Zero
    });
    t.set_limits(gotemplate::Limits {
        // Helm's own include bound (1000 per name) must trip before ours; each include
        // also nests the `template` calls inside it.
        max_depth: opts.limits.max_include_recursion * 4 + 64,
        max_output: opts.limits.max_output,
        max_stack: RENDER_STACK - (1 << 20),
    });
    t.funcs(helm_funcs(&shared));
    let files: Vec<(&str, &str)> = order.iter().map(|n| (*n, tpls[*n].text.as_str())).collect();

    // Deep template nesting (in parsing and in recursion) needs more stack than a caller's
    // thread may have.
    let out = std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(RENDER_STACK)
            .spawn_scoped(s, || {
                t.parse_many(&files)
                    .map_err(|(i, e)| cleanup_parse_error(files[i].0, &e))?;
                execute_all(&t, &order, &tpls, opts)
            })
            .expect("spawning the render thread")
            .join()
            .unwrap_or_else(|_| Err(Error::Template("rendering template failed: panic".into())))
    });
    shared.clear_tpl_cache();
    super::dispose(t, opts);
    super::dispose(tpls, opts);
    out
}

const RENDER_STACK: usize = 256 << 20;

fn execute_all(
    t: &Template,
    order: &[&str],
    tpls: &BTreeMap<String, Renderable>,
    opts: &RenderOptions,
) -> Result<BTreeMap<String, String>> {
    let mut rendered = BTreeMap::new();
    let mut total = 0usize;
    for name in order {
        let base = name.rsplit('/').next().unwrap_or(name);
        if base.starts_with('_') {
            continue;
        }
        let r = &tpls[*name];
        let mut tmeta = BTreeMap::new();
        tmeta.insert(Str::from("Name"), Value::string(*name));
        tmeta.insert(Str::from("BasePath"), Value::string(r.base_path.as_str()));
        r.data.insert("Template", Value::map(tmeta));
        let text = t
            .execute_template(name, &Value::Map(r.data.clone()))
            .map_err(|e| cleanup_exec_error(name, &e))?;
        total += text.len();
        if total > opts.limits.max_output {
            return Err(Error::Limit(format!(
                "rendering {name}: the chart's templates produced more than {} bytes; \
                 raise the output limit only for charts you trust",
                opts.limits.max_output
            )));
        }
        rendered.insert(name.to_string(), text.replace("<no value>", ""));
    }
    Ok(rendered)
}

struct Top {
    release: Value,
    capabilities: Value,
}

/// Helm's `recAllTpls`: each chart sees its own values (`Values.<name>` of its parent's)
/// and its own metadata and files. Returns the chart's top-level object, which its
/// parent exposes as `.Subcharts.<name>`.
fn collect(
    chart: &Chart,
    full_path: String,
    is_root: bool,
    values: Value,
    top: &Top,
    out: &mut BTreeMap<String, Renderable>,
) -> Map {
    let data = Map::new();
    let subcharts = Map::new();
    data.insert(
        "Chart",
        Value::object(ChartObject::new(&chart.metadata, is_root)),
    );
    data.insert("Files", Value::object(FilesObject::new(&chart.files)));
    data.insert("Release", top.release.clone());
    data.insert("Capabilities", top.capabilities.clone());
    data.insert("Values", values.clone());
    data.insert("Subcharts", Value::Map(subcharts.clone()));
    for dep in &chart.dependencies {
        let sub_values = match values.as_map().and_then(|m| m.get(dep.name())) {
            Some(v @ Value::Map(_)) => v,
            _ => Value::Map(Map::new()),
        };
        let path = format!("{full_path}/charts/{}", dep.name());
        let sub = collect(dep, path, false, sub_values, top, out);
        subcharts.insert(dep.name(), Value::Map(sub));
    }
    let library = chart.metadata.chart_type.eq_ignore_ascii_case("library");
    for t in &chart.templates {
        let base = t.name.rsplit('/').next().unwrap_or(&t.name);
        if library && !base.starts_with('_') {
            continue;
        }
        out.insert(
            format!("{full_path}/{}", t.name),
            Renderable {
                text: String::from_utf8_lossy(&t.data).into_owned(),
                data: data.clone(),
                base_path: format!("{full_path}/templates"),
            },
        );
    }
    data
}

/// Deeper paths first, then names in reverse: Helm parses in this order, so that a
/// parent chart's `define` overrides a sub-chart's of the same name.
pub(super) fn sort_templates<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut v: Vec<&str> = names.collect();
    v.sort_by(|a, b| {
        let (ca, cb) = (a.matches('/').count(), b.matches('/').count());
        cb.cmp(&ca).then_with(|| b.cmp(a))
    });
    v
}

pub(super) fn cleanup_parse_error(name: &str, err: &gotemplate::Error) -> Error {
    let msg = err.to_string();
    let tokens: Vec<&str> = msg.split(": ").collect();
    if tokens.len() == 1 {
        return Error::Template(format!("parse error in ({name}): {msg}"));
    }
    Error::Template(format!(
        "parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    ))
}

fn warn_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"HELM_ERR_START((?s).*)HELM_ERR_END").expect("valid regex"))
}

pub(super) fn cleanup_exec_error(name: &str, err: &gotemplate::Error) -> Error {
    let msg = err.to_string();
    match err.kind() {
        ErrorKind::Exec => {}
        ErrorKind::Limit => return Error::Limit(format!("rendering {name}: {msg}")),
        _ => return Error::Template(msg),
    }
    let tokens: Vec<&str> = msg.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        return Error::Template(format!("execution error in ({name}): {msg}"));
    }
    if let Some(c) = warn_regex().captures(tokens[2]) {
        return Error::Template(format!("execution error at ({}): {}", tokens[1], &c[1]));
    }
    Error::Template(msg)
}
