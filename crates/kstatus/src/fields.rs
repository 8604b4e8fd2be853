//! Field access with the semantics of apimachinery's `unstructured` helpers, which kstatus
//! is written against: a lenient family that falls back to a default on any mismatch, and a
//! strict family that reports a field of the wrong type as an error.

use serde_json::Value;

use crate::{Error, Result};

/// The name Go's `%T` gives a decoded JSON value, for error messages.
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() => "int64",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// Go's `%v` rendering of a decoded JSON value, close enough for error messages.
fn go_value(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn json_path(path: &[&str]) -> String {
    path.iter().map(|p| format!(".{p}")).collect()
}

/// Walks `path` like `unstructured.NestedFieldNoCopy`: a missing key or a `null` on the way
/// is "not found"; a non-map on the way is an error.
pub(crate) fn nested<'a>(obj: &'a Value, path: &[&str]) -> Result<Option<&'a Value>> {
    let mut current = obj;
    for (i, field) in path.iter().enumerate() {
        match current {
            Value::Null => return Ok(None),
            Value::Object(m) => match m.get(*field) {
                Some(v) => current = v,
                None => return Ok(None),
            },
            other => {
                return Err(Error::Field(format!(
                    "{} accessor error: {} is of the type {}, expected map[string]interface{{}}",
                    json_path(&path[..=i]),
                    go_value(other),
                    go_type(other)
                )));
            }
        }
    }
    Ok(Some(current))
}

/// `unstructured.NestedInt64`: present values must be integers (`null` included, as Go
/// decodes it to a nil interface that is no `int64`).
pub(crate) fn nested_i64(obj: &Value, path: &[&str]) -> Result<Option<i64>> {
    match nested(obj, path)? {
        None => Ok(None),
        Some(v) => v.as_i64().map(Some).ok_or_else(|| {
            Error::Field(format!(
                "{} accessor error: {} is of the type {}, expected int64",
                json_path(path),
                go_value(v),
                go_type(v)
            ))
        }),
    }
}

/// `unstructured.NestedString`.
pub(crate) fn nested_str<'a>(obj: &'a Value, path: &[&str]) -> Result<Option<&'a str>> {
    match nested(obj, path)? {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(Error::Field(format!(
            "{} accessor error: {} is of the type {}, expected string",
            json_path(path),
            go_value(v),
            go_type(v)
        ))),
    }
}

/// kstatus's `GetIntField`: the integer at `path`, or `default` when it is missing, not an
/// integer, or anything on the way is malformed.
pub(crate) fn int_or(obj: &Value, path: &[&str], default: i64) -> i64 {
    nested(obj, path)
        .ok()
        .flatten()
        .and_then(Value::as_i64)
        .unwrap_or(default)
}

/// kstatus's `GetStringField`.
pub(crate) fn str_or<'a>(obj: &'a Value, path: &[&str], default: &'a str) -> &'a str {
    nested(obj, path)
        .ok()
        .flatten()
        .and_then(Value::as_str)
        .unwrap_or(default)
}

/// One entry of `.status.conditions`, read the way kstatus's `BasicCondition` is decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BasicCondition {
    pub type_: String,
    pub status: String,
    pub reason: String,
    pub message: String,
}

/// Reads `.status.conditions` as kstatus's `GetObjectWithConditions` does: absent or `null`
/// parts read as empty, a part of the wrong shape is an error (the Go converter refuses it).
pub(crate) fn conditions(obj: &Value) -> Result<Vec<BasicCondition>> {
    let bad = |what: &str, v: &Value, expected: &str| {
        Error::Field(format!(
            "reading .status.conditions: {what} is of the type {}, expected {expected}",
            go_type(v)
        ))
    };
    let status = match obj.get("status") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(m)) => m,
        Some(other) => return Err(bad("status", other, "an object")),
    };
    let list = match status.get("conditions") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(other) => return Err(bad("conditions", other, "a list")),
    };
    let mut out = Vec::with_capacity(list.len());
    for item in list {
        let m = match item {
            Value::Null => {
                out.push(BasicCondition::default());
                continue;
            }
            Value::Object(m) => m,
            other => return Err(bad("a condition", other, "an object")),
        };
        let field = |name: &str| -> Result<String> {
            match m.get(name) {
                None | Some(Value::Null) => Ok(String::new()),
                Some(Value::String(s)) => Ok(s.clone()),
                Some(other) => Err(Error::Field(format!(
                    "reading .status.conditions: field {name:?} is of the type {}, expected string",
                    go_type(other)
                ))),
            }
        };
        out.push(BasicCondition {
            type_: field("type")?,
            status: field("status")?,
            reason: field("reason")?,
            message: field("message")?,
        });
    }
    Ok(out)
}
