//! The one door for YAML: every YAML document this crate reads or writes goes through
//! `goyaml` (sigs.k8s.io/yaml's behaviour) here.

use crate::{Error, Result};

fn text(data: &[u8]) -> Result<&str> {
    std::str::from_utf8(data).map_err(|e| {
        Error::Parse(format!(
            "error converting YAML to JSON: yaml: invalid UTF-8: {e}"
        ))
    })
}

/// Decodes one YAML document to JSON the way `sigs.k8s.io/yaml.Unmarshal` into an
/// `interface{}` does: every number becomes a `float64` (here an `f64` number).
pub fn to_json(data: &[u8]) -> Result<serde_json::Value> {
    let v = goyaml::yaml_to_json(text(data)?)
        .map_err(|e| Error::Parse(format!("error converting YAML to JSON: {e}")))?;
    Ok(numbers_to_f64(v))
}

/// YAML to JSON keeping integers apart from floats, for decoders that need to know
/// how a scalar was written.
pub fn to_json_raw(data: &[u8]) -> Result<serde_json::Value> {
    goyaml::yaml_to_json(text(data)?)
        .map_err(|e| Error::Parse(format!("error converting YAML to JSON: {e}")))
}

/// `sigs.k8s.io/yaml.Unmarshal` into a `map[string]interface{}` (values files): an
/// empty document gives an empty map; numbers are `f64`.
pub fn to_map(data: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>> {
    let m = goyaml::unmarshal_map(text(data)?).map_err(|e| Error::Parse(e.to_string()))?;
    Ok(m.into_iter().map(|(k, v)| (k, numbers_to_f64(v))).collect())
}

/// Encodes a value as `sigs.k8s.io/yaml.Marshal` does (`i64` numbers are Go ints,
/// `f64` numbers Go float64s).
pub fn to_yaml(value: &serde_json::Value) -> Result<String> {
    goyaml::json_to_yaml(value).map_err(|e| Error::Parse(e.to_string()))
}

/// Go's `json.Unmarshal` into `interface{}` yields `float64` for every number.
pub fn numbers_to_f64(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => Value::Number(n),
        Value::Number(n) => match n.as_f64().and_then(serde_json::Number::from_f64) {
            Some(f) => Value::Number(f),
            None => Value::Number(n),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(numbers_to_f64).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, numbers_to_f64(v)))
                .collect(),
        ),
        other => other,
    }
}
