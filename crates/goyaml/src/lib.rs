//! The YAML behaviour Helm v3.21.4 gets from `sigs.k8s.io/yaml` v1.6.0 and the go-yaml
//! libraries it pins (`go.yaml.in/yaml/v2` v2.4.4, `go.yaml.in/yaml/v3` v3.0.4), reproduced
//! byte for byte where Helm's output depends on it.
//!
//! - Reading (values files, `Chart.yaml`, `fromYaml`, `fromYamlArray`): [`yaml_to_json`],
//!   [`unmarshal_map`], [`unmarshal_array`]. Only the first document is read; YAML 1.1
//!   scalars (`yes`/`no`/`on`/`off`/`y`/`n` are booleans, `0x1F`, `0o17`, `017`, `1_000` are
//!   integers, `2001-01-01` stays a string), merge keys `<<`, anchors and aliases, and
//!   non-string keys turned into strings (`1.5`, `true`, `16` for `0x10`).
//! - Writing (`toYaml`, `toYamlPretty`): [`json_to_yaml`], [`to_yaml`], [`to_yaml_pretty`].
//!
//! Numbers: reading keeps integers as `serde_json` integers (`i64`/`u64`) and floats as
//! `f64`; Go code that `json.Unmarshal`s into `interface{}` sees every number as `float64`,
//! so callers modelling Go values convert themselves. Writing reads numbers as Go values:
//! `i64`/`u64` are Go ints, `f64` is a Go `float64` (`1e6_f64` writes `1000000` through
//! `toYaml` because JSON is in between, `1234567.5` writes `1.2345675e+06`).
//!
//! Errors display Go's `err.Error()` text, e.g.
//! `yaml: line 3: mapping values are not allowed in this context`.
//!
//! ```
//! let v = goyaml::yaml_to_json("on: yes\nport: 0x50\n").unwrap();
//! assert_eq!(v, serde_json::json!({"true": true, "port": 80}));
//! assert_eq!(goyaml::to_yaml(&v), "port: 80\n\"true\": true");
//! ```

mod decode;
mod emit;
mod errors;
mod gofloat;
mod jsontext;
mod resolve;

use serde_json::{Map, Value};

pub use gofloat::{format_g32, format_g64};

/// Errors with Go's texts (`Display`), except [`Error::Limit`], which is ours.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// go-yaml (`yaml: ...`) or sigs.k8s.io/yaml (`unsupported map key ...`).
    #[error("{0}")]
    Yaml(String),
    /// encoding/json (`json: unsupported value: NaN`).
    #[error("{0}")]
    Json(String),
    /// A parser limit of ours was hit (input size, nesting depth, alias expansion).
    #[error("{0}")]
    Limit(String),
    /// sigs.k8s.io/yaml.Unmarshal's wrapping: `error converting YAML to JSON: ...` or
    /// `error unmarshaling JSON: while decoding JSON: ...`.
    #[error("{0}")]
    Unmarshal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Caps against hostile input (alias bombs, deep nesting, huge files).
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_input_bytes: usize,
    pub max_depth: usize,
    /// Nodes in the parsed text.
    pub max_nodes: usize,
    /// Nodes visited while expanding aliases; go-yaml's own ratio check comes first.
    pub max_alias_expansion: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 64 << 20,
            max_depth: 1000,
            max_nodes: 5_000_000,
            max_alias_expansion: 10_000_000,
        }
    }
}

/// `sigs.k8s.io/yaml.YAMLToJSON`, decoded: the first document as JSON.
pub fn yaml_to_json(text: &str) -> Result<Value> {
    yaml_to_json_with_limits(text, &Limits::default())
}

pub fn yaml_to_json_with_limits(text: &str, limits: &Limits) -> Result<Value> {
    decode::yaml_to_json(text, limits)
}

fn converting(e: Error) -> Error {
    match e {
        Error::Limit(_) => e,
        other => Error::Unmarshal(format!("error converting YAML to JSON: {other}")),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn wrong_type(v: &Value, target: &str) -> Error {
    Error::Unmarshal(format!(
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type {target}",
        json_kind(v)
    ))
}

/// `sigs.k8s.io/yaml.Unmarshal(text, &m)` with `m := map[string]interface{}{}`: Helm's values
/// files and `fromYaml`. A null document leaves the map empty.
pub fn unmarshal_map(text: &str) -> Result<Map<String, Value>> {
    match yaml_to_json(text).map_err(converting)? {
        Value::Object(m) => Ok(m),
        Value::Null => Ok(Map::new()),
        other => Err(wrong_type(&other, "map[string]interface {}")),
    }
}

/// `sigs.k8s.io/yaml.Unmarshal(text, &a)` with `a := []interface{}{}` (`fromYamlArray`).
pub fn unmarshal_array(text: &str) -> Result<Vec<Value>> {
    match yaml_to_json(text).map_err(converting)? {
        Value::Array(a) => Ok(a),
        Value::Null => Ok(Vec::new()),
        other => Err(wrong_type(&other, "[]interface {}")),
    }
}

/// The text go-yaml v2 writes for a number that went through `json.Marshal` and back.
fn v2_number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    // encoding/json writes integral float64s below 1e21 as digits, which go-yaml then reads
    // back as int (or uint) when they fit.
    // The digits are the shortest round-trip ones padded with zeros (9.2233720368547758e18
    // is written 9223372036854776000), not the float's exact integer value.
    if f.fract() == 0.0 && f.abs() < 1e21 {
        let text = gofloat::format_f64(f);
        if let Ok(i) = text.parse::<i64>() {
            return i.to_string();
        }
        if let Ok(u) = text.parse::<u64>() {
            return u.to_string();
        }
    }
    format_g64(f)
}

fn sorted_pairs(m: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut pairs: Vec<_> = m.iter().collect();
    pairs.sort_by(|a, b| {
        if emit::key_less(a.0, b.0) {
            std::cmp::Ordering::Less
        } else if emit::key_less(b.0, a.0) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    pairs
}

fn v2_item(v: &Value) -> emit::Item {
    match v {
        Value::Null => emit::Item::Plain("null".into()),
        Value::Bool(b) => emit::Item::Plain(b.to_string()),
        Value::Number(n) => emit::Item::Plain(v2_number(n)),
        Value::String(s) => emit::Item::Str(jsontext::fold(s)),
        Value::Array(a) => emit::Item::Seq(a.iter().map(v2_item).collect()),
        Value::Object(m) => emit::Item::Map(
            sorted_pairs(m)
                .into_iter()
                .map(|(k, v)| (k.clone(), v2_item(v)))
                .collect(),
        ),
    }
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`: YAML 1.1 sexagesimal numbers,
/// which go-yaml v2 quotes although it reads them as strings.
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) && i - start < 2 {
            i += 1;
        }
        let n = &b[start..i];
        let ok = match n.len() {
            1 => true,
            2 => n[0] <= b'5',
            _ => false,
        };
        if !ok {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// `sigs.k8s.io/yaml.Marshal(v)` for the Go value whose JSON is `value` (see the crate doc
/// for how numbers are read). Ends with a newline, as Go's bytes do.
///
/// Fails where Go fails reading its own JSON back: strings holding C1 control characters,
/// map keys longer than 1022 JSON characters or holding U+0085.
pub fn json_to_yaml(value: &Value) -> Result<String> {
    jsontext::check(value)?;
    let quote = |s: &str| !resolve::is_plain_string(s) || is_base60_float(s);
    Ok(emit::Emitter::new(2, false).document(&v2_item(value), &quote))
}

/// Helm's `toYaml`: [`json_to_yaml`] without its final newline; empty on error, as Helm
/// swallows it.
pub fn to_yaml(value: &Value) -> String {
    let Ok(mut s) = json_to_yaml(value) else {
        return String::new();
    };
    if s.ends_with('\n') {
        s.pop();
    }
    s
}

/// Helm's `toYamlPretty`: yaml.v3's encoder with indent 2, final newline trimmed.
pub fn to_yaml_pretty(value: &Value) -> String {
    let mut s = v3::encode(value);
    if s.ends_with('\n') {
        s.pop();
    }
    s
}

mod v3;
