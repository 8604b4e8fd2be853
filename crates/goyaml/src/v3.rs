//! `toYamlPretty`: Helm encodes Go values directly with yaml.v3 (indent 2). Unlike
//! `toYaml` there is no JSON step, so float64s keep Go's `'g'` spelling (`1e+06`).

use serde_json::Value;

use crate::emit::{Emitter, Item};
use crate::{format_g64, is_base60_float, resolve, sorted_pairs};

fn item(v: &Value) -> Item {
    match v {
        Value::Null => Item::Plain("null".into()),
        Value::Bool(b) => Item::Plain(b.to_string()),
        Value::Number(n) => Item::Plain(match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(u)) => u.to_string(),
            _ => format_g64(n.as_f64().unwrap_or(0.0)),
        }),
        Value::String(s) => Item::Str(s.clone()),
        Value::Array(a) => Item::Seq(a.iter().map(item).collect()),
        Value::Object(m) => Item::Map(
            sorted_pairs(m)
                .into_iter()
                .map(|(k, v)| (k.clone(), item(v)))
                .collect(),
        ),
    }
}

pub fn encode(value: &Value) -> String {
    // yaml.v3 reads `<<` as a merge key, and quotes the YAML 1.1 booleans it no longer reads.
    let quote = |s: &str| !resolve::is_plain_string(s) || is_base60_float(s) || s == "<<";
    Emitter::new(2, true).document(&item(value), &quote)
}
