//! Sub-chart selection and value imports (`chartutil.ProcessDependencies`): aliases,
//! `condition`, `tags`, and `import-values`.

use serde_json::Value as Json;

use crate::capabilities::is_compatible_range;
use crate::chart::{Chart, Dependency};
use crate::values::shared::{self, MapRef, SV};
use crate::values::{self, Values};
use crate::{Error, Result};

/// What `helm install`/`template` run before rendering
/// (`ProcessDependenciesWithMerge`): drops disabled sub-charts, applies aliases and
/// copies `import-values` into the parent's values (keeping `null`s).
pub fn process_dependencies(chart: &mut Chart, vals: &Values) -> Result<()> {
    process_enabled(chart, vals, "")?;
    process_import_values_tree(chart, true)
}

/// `ProcessDependencies`: the same, with imported `null`s deleting keys.
pub fn process_dependencies_coalesce(chart: &mut Chart, vals: &Values) -> Result<()> {
    process_enabled(chart, vals, "")?;
    process_import_values_tree(chart, false)
}

/// `action.CheckDependencies`: every dependency declared in Chart.yaml must be present
/// in `charts/`.
pub fn check_dependencies(chart: &Chart) -> Result<()> {
    let missing: Vec<&str> = chart
        .metadata
        .deps()
        .filter(|r| !chart.dependencies.iter().any(|d| d.name() == r.name))
        .map(|r| r.name.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::Chart(format!(
        "found in Chart.yaml, but missing in charts/ directory: {}",
        missing.join(", ")
    )))
}

fn alias_dependency(charts: &[Chart], dep: &Dependency) -> Option<Chart> {
    let c = charts
        .iter()
        .find(|c| c.name() == dep.name && is_compatible_range(&dep.version, &c.metadata.version))?;
    let mut out = c.clone();
    if !dep.alias.is_empty() {
        out.metadata.name = dep.alias.clone();
    }
    Some(out)
}

fn process_enabled(c: &mut Chart, v: &Values, path: &str) -> Result<()> {
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let existing = std::mem::take(&mut c.dependencies);
    let mut chart_deps: Vec<Chart> = existing
        .iter()
        .filter(|e| {
            !c.metadata
                .deps()
                .any(|r| e.name() == r.name && is_compatible_range(&r.version, &e.metadata.version))
        })
        .cloned()
        .collect();
    for req in c.metadata.dependencies.iter_mut().flatten() {
        if let Some(dep) = alias_dependency(&existing, req) {
            chart_deps.push(dep);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
    }
    c.dependencies = chart_deps;
    for r in c.metadata.dependencies.iter_mut().flatten() {
        r.enabled = true;
    }
    let cvals = values::coalesce_values(c, v)?;
    process_tags(&mut c.metadata.dependencies, &cvals);
    process_conditions(&mut c.metadata.dependencies, &cvals, path);
    let removed: Vec<String> = c
        .metadata
        .deps()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    c.dependencies
        .retain(|d| !removed.contains(&d.metadata.name));
    c.metadata
        .dependencies
        .retain(|r| r.as_ref().is_none_or(|r| !removed.contains(&r.name)));
    for t in &mut c.dependencies {
        let sub_path = format!("{path}{}.", t.metadata.name);
        process_enabled(t, &cvals, &sub_path)?;
    }
    Ok(())
}

fn process_tags(reqs: &mut [Option<Dependency>], cvals: &Values) {
    let Ok(tags) = values::table(cvals, "tags") else {
        return;
    };
    for r in reqs.iter_mut().flatten() {
        let (mut has_true, mut has_false) = (false, false);
        for k in &r.tags {
            match tags.get(k) {
                Some(Json::Bool(true)) => has_true = true,
                Some(Json::Bool(false)) => has_false = true,
                _ => {}
            }
        }
        if !has_true && has_false {
            r.enabled = false;
        } else if has_true || !has_false {
            r.enabled = true;
        }
    }
}

fn process_conditions(reqs: &mut [Option<Dependency>], cvals: &Values, path: &str) {
    for r in reqs.iter_mut().flatten() {
        for cond in r.condition.trim().split(',') {
            if cond.is_empty() {
                continue;
            }
            if let Ok(Json::Bool(b)) = values::path_value(cvals, &format!("{path}{cond}")) {
                r.enabled = *b;
                break;
            }
        }
    }
}

fn path_to_map(path: &str, data: MapRef) -> MapRef {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for part in path.split('.').rev() {
        let m = shared::new_map();
        m.borrow_mut().insert(part.to_string(), SV::Map(cur));
        cur = m;
    }
    cur
}

fn process_import_values_tree(c: &mut Chart, merge: bool) -> Result<()> {
    for d in &mut c.dependencies {
        process_import_values_tree(d, merge)?;
    }
    process_import_values(c, merge)
}

fn sprint(v: Option<&Json>) -> String {
    match v {
        None => "<nil>".into(),
        Some(v) => values::to_template_value(v).to_string(),
    }
}

fn process_import_values(c: &mut Chart, merge: bool) -> Result<()> {
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let cvals = shared::new_map();
    shared::coalesce(c, &cvals, "", merge)?;
    let b = shared::new_map();
    for r in c.metadata.dependencies.iter_mut().flatten() {
        let mut out = Vec::new();
        for iv in &r.import_values {
            let (child, parent) = match iv {
                Json::Object(m) => (sprint(m.get("child")), sprint(m.get("parent"))),
                Json::String(s) => (format!("exports.{s}"), ".".to_string()),
                _ => continue,
            };
            let mut entry = Values::new();
            entry.insert("child".into(), Json::String(child.clone()));
            entry.insert("parent".into(), Json::String(parent.clone()));
            out.push(Json::Object(entry));
            // Helm merges the child's table itself, not a copy: later imports into the
            // same parent key write through to it.
            let Some(table) = shared::table(&cvals, &format!("{}.{child}", r.name)) else {
                continue;
            };
            let src = if iv.is_string() {
                table
            } else {
                path_to_map(&parent, table)
            };
            shared::coalesce_tables(&b, &src, merge);
        }
        r.import_values = out;
    }
    let base = shared::deep_copy(&cvals);
    let base = if merge {
        base
    } else {
        shared::from_values(trim_nil_values(shared::to_values(&base)))
    };
    shared::coalesce_tables(&base, &b, merge);
    c.values = shared::to_values(&base);
    Ok(())
}

fn trim_nil_values(vals: Values) -> Values {
    vals.into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| match v {
            Json::Object(m) => (k, Json::Object(trim_nil_values(m))),
            v => (k, v),
        })
        .collect()
}
