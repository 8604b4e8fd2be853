//! Values: reading, Helm's coalescing of chart defaults with user values (parent and
//! sub-chart scopes, `global`, `null` deleting keys), and the user-side merging of
//! `-f` files and `--set*` flags.

use serde_json::Value as Json;

use crate::chart::Chart;
use crate::{Error, Result};

/// Helm's `map[string]interface{}` values. Numbers are `f64` when decoded from
/// YAML/JSON and `i64` when typed by `--set`, as in Go.
pub type Values = serde_json::Map<String, Json>;

pub const GLOBAL_KEY: &str = "global";

/// `chartutil.ReadValues`: a YAML document whose top level must be a map; an empty
/// document gives an empty map.
pub fn read_values(data: &[u8]) -> Result<Values> {
    crate::yaml::to_map(data)
}

/// Values of type `map[string]interface{}` for templates, keeping the Go number types
/// (`i64` → `int64`, `f64` → `float64`).
pub fn to_template_value(v: &Json) -> gotemplate::Value {
    use gotemplate::{IntKind, Str, Value};
    match v {
        Json::Null => Value::Nil,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) if !n.is_f64() => Value::Int(i, IntKind::Int64),
            _ => Value::float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::string(s.as_str()),
        Json::Array(a) => Value::list(a.iter().map(to_template_value).collect()),
        Json::Object(o) => Value::map(
            o.iter()
                .map(|(k, v)| (Str::from(k.as_str()), to_template_value(v)))
                .collect(),
        ),
    }
}

/// The same conversion for a whole values map.
pub fn values_to_template(v: &Values) -> gotemplate::Value {
    use gotemplate::{Str, Value};
    Value::map(
        v.iter()
            .map(|(k, v)| (Str::from(k.as_str()), to_template_value(v)))
            .collect(),
    )
}

/// A float64 as Go's `encoding/json` writes it (`1`, `0.5`, `1e+21`, `1e-7`).
pub fn go_json_float(f: f64) -> String {
    crate::gojson::format_f64(f)
}

/// Go's `%T` of a value held in `interface{}`.
pub(crate) fn go_type_name(v: &Json) -> &'static str {
    match v {
        Json::Null => "nil",
        Json::Bool(_) => "bool",
        Json::Number(n) if n.is_f64() => "float64",
        Json::Number(_) => "int64",
        Json::String(_) => "string",
        Json::Array(_) => "[]interface {}",
        Json::Object(_) => "map[string]interface {}",
    }
}

fn go_sprintf(format: &str, args: &[&Json]) -> String {
    let args: Vec<gotemplate::Value> = args.iter().map(|v| to_template_value(v)).collect();
    gotemplate::fmt::sprintf(format, &args)
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

/// `chartutil.CoalesceValues`: the chart's defaults (and its sub-charts', scoped under
/// their names, with `global` copied down) under the user's values. A user `null`
/// deletes the default.
pub fn coalesce_values(chart: &Chart, vals: &Values) -> Result<Values> {
    let dest = shared::from_values(vals.clone());
    shared::coalesce(chart, &dest, "", false)?;
    Ok(shared::to_values(&dest))
}

/// `chartutil.MergeValues`: like [`coalesce_values`], but `null` is kept as a value.
pub fn merge_values(chart: &Chart, vals: &Values) -> Result<Values> {
    let dest = shared::from_values(vals.clone());
    shared::coalesce(chart, &dest, "", true)?;
    Ok(shared::to_values(&dest))
}

/// `chartutil.CoalesceTables`: fills `dst` with what `src` has and `dst` lacks;
/// a `null` in `dst` deletes the key.
pub fn coalesce_tables(dst: &mut Values, src: Values) {
    let d = shared::from_values(std::mem::take(dst));
    shared::coalesce_tables(&d, &shared::from_values(src), false);
    *dst = shared::to_values(&d);
}

/// `chartutil.MergeTables`: like [`coalesce_tables`], keeping `null`s.
pub fn merge_tables(dst: &mut Values, src: Values) {
    let d = shared::from_values(std::mem::take(dst));
    shared::coalesce_tables(&d, &shared::from_values(src), true);
    *dst = shared::to_values(&d);
}

/// Helm's coalescing works on Go maps, which are references: a table copied with a
/// shallow copy (globals) or imported twice (`import-values`) is one table, and merging
/// into it shows everywhere it is referenced. Those effects reach rendered values, so
/// the algorithms run on shared tables here and convert back to plain values at the end.
pub(crate) mod shared {
    use std::cell::RefCell;
    use std::collections::{BTreeMap, BTreeSet};
    use std::rc::Rc;

    use serde_json::Value as Json;

    use super::{GLOBAL_KEY, Values, concat_prefix, go_sprintf};
    use crate::chart::Chart;
    use crate::{Error, Result};

    pub(crate) type MapRef = Rc<RefCell<BTreeMap<String, SV>>>;

    /// A value whose tables are shared references; everything else is plain JSON.
    #[derive(Clone)]
    pub(crate) enum SV {
        Map(MapRef),
        Other(Json),
    }

    impl SV {
        fn is_null(&self) -> bool {
            matches!(self, SV::Other(Json::Null))
        }
    }

    pub(crate) fn new_map() -> MapRef {
        Rc::new(RefCell::new(BTreeMap::new()))
    }

    pub(crate) fn from_json(v: Json) -> SV {
        match v {
            Json::Object(m) => SV::Map(from_values(m)),
            other => SV::Other(other),
        }
    }

    pub(crate) fn from_values(v: Values) -> MapRef {
        Rc::new(RefCell::new(
            v.into_iter().map(|(k, v)| (k, from_json(v))).collect(),
        ))
    }

    pub(crate) fn to_json(v: &SV) -> Json {
        match v {
            SV::Map(m) => Json::Object(to_values(m)),
            SV::Other(j) => j.clone(),
        }
    }

    pub(crate) fn to_values(m: &MapRef) -> Values {
        m.borrow()
            .iter()
            .map(|(k, v)| (k.clone(), to_json(v)))
            .collect()
    }

    /// `copystructure.Copy`: nothing shared with the original.
    pub(crate) fn deep_copy(m: &MapRef) -> MapRef {
        from_values(to_values(m))
    }

    fn snapshot(m: &MapRef) -> Vec<(String, SV)> {
        m.borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    fn get(m: &MapRef, k: &str) -> Option<SV> {
        m.borrow().get(k).cloned()
    }

    fn set(m: &MapRef, k: &str, v: SV) {
        m.borrow_mut().insert(k.to_string(), v);
    }

    pub(crate) fn coalesce(chart: &Chart, dest: &MapRef, prefix: &str, merge: bool) -> Result<()> {
        coalesce_chart_values(chart, dest, merge);
        coalesce_deps(chart, dest, prefix, merge)
    }

    fn coalesce_deps(chart: &Chart, dest: &MapRef, prefix: &str, merge: bool) -> Result<()> {
        for sub in &chart.dependencies {
            let name = sub.name();
            let sub_vals = match get(dest, name) {
                None => {
                    let m = new_map();
                    set(dest, name, SV::Map(m.clone()));
                    m
                }
                Some(SV::Map(m)) => m,
                Some(SV::Other(other)) => {
                    return Err(Error::Values(go_sprintf(
                        "type mismatch on %s: %t",
                        &[&Json::String(name.to_string()), &other],
                    )));
                }
            };
            let sub_prefix = concat_prefix(prefix, chart.name());
            coalesce_globals(&sub_vals, dest, &sub_prefix);
            coalesce(sub, &sub_vals, &sub_prefix, merge)?;
        }
        Ok(())
    }

    /// Copies the parent's `global` into a sub-chart's values; parent entries win.
    fn coalesce_globals(dest: &MapRef, src: &MapRef, _prefix: &str) {
        let dg = match get(dest, GLOBAL_KEY) {
            None => new_map(),
            Some(SV::Map(m)) => m,
            Some(SV::Other(_)) => return,
        };
        let sg = match get(src, GLOBAL_KEY) {
            None => new_map(),
            Some(SV::Map(m)) => m,
            Some(SV::Other(_)) => return,
        };
        for (key, val) in snapshot(&sg) {
            match val {
                SV::Map(vm) => {
                    // A shallow copy: nested tables stay shared with the parent.
                    let vv: MapRef = Rc::new(RefCell::new(vm.borrow().clone()));
                    match get(&dg, &key) {
                        None => set(&dg, &key, SV::Map(vv)),
                        Some(SV::Map(destv)) => {
                            coalesce_tables(&vv, &destv, true);
                            set(&dg, &key, SV::Map(vv));
                        }
                        Some(SV::Other(_)) => {}
                    }
                }
                other => {
                    if !matches!(get(&dg, &key), Some(SV::Map(_))) {
                        set(&dg, &key, other);
                    }
                }
            }
        }
        set(dest, GLOBAL_KEY, SV::Map(dg));
    }

    fn coalesce_chart_values(chart: &Chart, v: &MapRef, merge: bool) {
        let defaults = from_values(chart.values.clone());
        for (key, val) in snapshot(&defaults) {
            match get(v, &key) {
                Some(SV::Other(Json::Null)) if !merge => {
                    v.borrow_mut().remove(&key);
                }
                Some(SV::Map(dest)) => {
                    if let SV::Map(src) = val {
                        let merge = merge || chart.dependencies.iter().any(|d| d.name() == key);
                        coalesce_tables(&dest, &src, merge);
                    }
                }
                Some(_) => {}
                None => set(v, &key, val),
            }
        }
    }

    pub(crate) fn coalesce_tables(dst: &MapRef, src: &MapRef, merge: bool) {
        if Rc::ptr_eq(dst, src) {
            return;
        }
        let src_non_nil: BTreeSet<String> = src
            .borrow()
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, _)| k.clone())
            .collect();
        let dst_nil: Vec<String> = dst
            .borrow()
            .iter()
            .filter(|(_, v)| v.is_null())
            .map(|(k, _)| k.clone())
            .collect();
        for k in dst_nil {
            set(src, &k, SV::Other(Json::Null));
        }
        for (key, val) in snapshot(src) {
            match get(dst, &key) {
                Some(dv) if !merge && dv.is_null() && src_non_nil.contains(&key) => {
                    dst.borrow_mut().remove(&key);
                }
                None => set(dst, &key, val),
                Some(SV::Map(dm)) => {
                    if let SV::Map(sm) = val {
                        coalesce_tables(&dm, &sm, merge);
                    }
                }
                Some(_) => {}
            }
        }
    }

    /// `Values.Table` on shared tables: the table itself, not a copy.
    pub(crate) fn table(vals: &MapRef, path: &str) -> Option<MapRef> {
        let mut t = vals.clone();
        for part in path.split('.') {
            let next = match get(&t, part) {
                Some(SV::Map(m)) => m,
                _ => return None,
            };
            t = next;
        }
        Some(t)
    }
}

/// `Values.Table`: the table at a dotted path.
pub fn table<'a>(vals: &'a Values, path: &str) -> Result<&'a Values> {
    let mut t = vals;
    for part in path.split('.') {
        match t.get(part) {
            Some(Json::Object(m)) => t = m,
            _ => {
                return Err(Error::Values(format!(
                    "{} is not a table",
                    gotemplate::fmt::quote(part)
                )));
            }
        }
    }
    Ok(t)
}

/// `Values.PathValue`: the non-table value at a dotted path.
pub fn path_value<'a>(vals: &'a Values, path: &str) -> Result<&'a Json> {
    if path.is_empty() {
        return Err(Error::Values("YAML path cannot be empty".into()));
    }
    let no_value = |k: &str| Error::Values(format!("{} is not a value", gotemplate::fmt::quote(k)));
    let (parent, key) = match path.rsplit_once('.') {
        Some((p, k)) => (Some(p), k),
        None => (None, path),
    };
    let t = match parent {
        None => vals,
        Some(p) => table(vals, p).map_err(|_| no_value(key))?,
    };
    match t.get(key) {
        Some(v) if !v.is_object() => Ok(v),
        _ => Err(no_value(key)),
    }
}

/// Helm's CLI merge of `-f` files: maps merge recursively, anything else replaces.
pub fn merge_maps(a: &mut Values, b: Values) {
    for (k, v) in b {
        match (a.get_mut(&k), v) {
            (Some(Json::Object(av)), Json::Object(bv)) => merge_maps(av, bv),
            (_, v) => {
                a.insert(k, v);
            }
        }
    }
}

/// The user's values flags, applied in Helm's order: `-f` files, `--set-json`,
/// `--set`, `--set-string`, `--set-file`, `--set-literal`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub value_files: Vec<String>,
    pub json_values: Vec<String>,
    pub values: Vec<String>,
    pub string_values: Vec<String>,
    pub file_values: Vec<String>,
    pub literal_values: Vec<String>,
}

impl Options {
    /// `values.Options.MergeValues`; `read_file` reads `-f` and `--set-file` paths
    /// (the caller decides where they may come from and how much may be read).
    pub fn merge_values(&self, read_file: &dyn Fn(&str) -> Result<Vec<u8>>) -> Result<Values> {
        let mut base = Values::new();
        for path in &self.value_files {
            let data = read_file(path)?;
            let current = crate::yaml::to_map(&data)
                .map_err(|e| Error::Parse(format!("failed to parse {path}: {e}")))?;
            merge_maps(&mut base, current);
        }
        for v in &self.json_values {
            crate::strvals::parse_json(v, &mut base)
                .map_err(|_| Error::StrVals(format!("failed parsing --set-json data {v}")))?;
        }
        for v in &self.values {
            crate::strvals::parse_into(v, &mut base)
                .map_err(|e| Error::StrVals(format!("failed parsing --set data: {e}")))?;
        }
        for v in &self.string_values {
            crate::strvals::parse_into_string(v, &mut base)
                .map_err(|e| Error::StrVals(format!("failed parsing --set-string data: {e}")))?;
        }
        for v in &self.file_values {
            let reader = |path: &str| -> Result<Json> {
                let data = read_file(path)?;
                Ok(Json::String(String::from_utf8_lossy(&data).into_owned()))
            };
            crate::strvals::parse_into_file(v, &mut base, &reader)
                .map_err(|e| Error::StrVals(format!("failed parsing --set-file data: {e}")))?;
        }
        for v in &self.literal_values {
            crate::strvals::parse_literal_into(v, &mut base)
                .map_err(|e| Error::StrVals(format!("failed parsing --set-literal data: {e}")))?;
        }
        Ok(base)
    }
}

/// The values a chart renders with: defaults coalesced under the user's values, then
/// checked against every `values.schema.json` of the chart tree (unless skipped).
pub fn to_render_values(
    chart: &Chart,
    user: &Values,
    skip_schema_validation: bool,
) -> Result<Values> {
    let vals = coalesce_values(chart, user)?;
    if !skip_schema_validation {
        crate::schema::validate_against_schema(chart, &vals).map_err(|e| {
            Error::Schema(format!(
                "values don't meet the specifications of the schema(s) in the following chart(s):\n{e}"
            ))
        })?;
    }
    Ok(vals)
}
