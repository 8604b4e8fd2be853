//! Sprig's `dict.go`. Dicts are Go maps: `set`, `unset` and the merges change the map
//! they are given, which every holder of it sees.

use super::conv::{str_arg, strval};
use super::mergo;
use crate::func::{FuncError, FuncMap, FuncResult};
use crate::value::{Map, Str, Value};

fn map_arg(a: &[Value], i: usize) -> Map {
    match a.get(i) {
        Some(Value::Map(m)) => m.clone(),
        // The engine passes a nil map for nil; reading it is reading an empty map.
        _ => Map::new(),
    }
}

/// Go's type assertion panic text for `v.(T)` on an `interface {}`.
fn assertion_error(v: &Value, want: &str) -> FuncError {
    let got = if v.is_nil() {
        "nil".to_string()
    } else {
        v.type_name()
    };
    format!("interface conversion: interface {{}} is {got}, not {want}").into()
}

fn merge_all(a: &[Value], overwrite: bool) -> Result<Value, String> {
    let dst = map_arg(a, 0);
    for src in &a[1..] {
        if let Value::Map(src) = src {
            mergo::merge(&dst, src, overwrite)?;
        }
    }
    Ok(Value::Map(dst))
}

fn dig(ps: &[Value]) -> FuncResult {
    if ps.len() < 3 {
        return Err("dig needs at least three arguments".into());
    }
    let dict = match &ps[ps.len() - 1] {
        Value::Map(m) if m.elem() == &crate::value::Type::Interface => m,
        other => return Err(assertion_error(other, "map[string]interface {}")),
    };
    let default = &ps[ps.len() - 2];
    let mut keys = Vec::with_capacity(ps.len() - 2);
    for k in &ps[..ps.len() - 2] {
        match k {
            Value::String(s) => keys.push(s.clone()),
            other => return Err(assertion_error(other, "string")),
        }
    }
    let mut current = dict.clone();
    for (i, k) in keys.iter().enumerate() {
        let Some(step) = current.get(k) else {
            return Ok(default.clone());
        };
        if i == keys.len() - 1 {
            return Ok(step);
        }
        match step {
            Value::Map(m) if m.elem() == &crate::value::Type::Interface => current = m,
            other => return Err(assertion_error(&other, "map[string]interface {}")),
        }
    }
    unreachable!("at least one key")
}

pub(super) fn register(m: &mut FuncMap) {
    m.add(
        "dict",
        "func(v ...interface {}) map[string]interface {}",
        |_, a| {
            let d = Map::new();
            for pair in a.chunks(2) {
                let value = pair.get(1).cloned().unwrap_or_else(|| Value::string(""));
                d.insert(Str::from(strval(&pair[0])), value);
            }
            Ok(Value::Map(d))
        },
    );
    m.add(
        "get",
        "func(d map[string]interface {}, key string) interface {}",
        |_, a| {
            Ok(map_arg(a, 0)
                .get(str_arg(a, 1))
                .unwrap_or_else(|| Value::string("")))
        },
    );
    m.add(
        "set",
        "func(d map[string]interface {}, key string, value interface {}) map[string]interface {}",
        |_, a| {
            if a[0].is_nil() {
                return Err("assignment to entry in nil map".into());
            }
            let d = map_arg(a, 0);
            d.insert(str_arg(a, 1), a[2].clone());
            Ok(Value::Map(d))
        },
    );
    m.add(
        "unset",
        "func(d map[string]interface {}, key string) map[string]interface {}",
        |_, a| {
            let d = map_arg(a, 0);
            d.remove(str_arg(a, 1));
            Ok(Value::Map(d))
        },
    );
    m.add(
        "hasKey",
        "func(d map[string]interface {}, key string) bool",
        |_, a| Ok(Value::Bool(map_arg(a, 0).contains_key(str_arg(a, 1)))),
    );
    m.add(
        "pluck",
        "func(key string, d ...map[string]interface {}) []interface {}",
        |_, a| {
            let key = str_arg(a, 0);
            Ok(Value::list(
                a[1..]
                    .iter()
                    .filter_map(|d| d.as_map().and_then(|m| m.get(key)))
                    .collect(),
            ))
        },
    );
    // Go ranges over maps in random order; sorted keys are one of those orders and keep
    // output stable.
    m.add(
        "keys",
        "func(dicts ...map[string]interface {}) []string",
        |_, a| {
            let keys: Vec<String> = a
                .iter()
                .filter_map(Value::as_map)
                .flat_map(|m| m.keys())
                .map(|k| k.to_string())
                .collect();
            Ok(Value::string_list(keys))
        },
    );
    m.add(
        "pick",
        "func(dict map[string]interface {}, keys ...string) map[string]interface {}",
        |_, a| {
            let d = map_arg(a, 0);
            let res = Map::new();
            for k in a[1..].iter().filter_map(Value::as_str) {
                if let Some(v) = d.get(k) {
                    res.insert(k, v);
                }
            }
            Ok(Value::Map(res))
        },
    );
    m.add(
        "omit",
        "func(dict map[string]interface {}, keys ...string) map[string]interface {}",
        |_, a| {
            let omit: Vec<&str> = a[1..].iter().filter_map(Value::as_str).collect();
            let entries = map_arg(a, 0)
                .entries()
                .into_iter()
                .filter(|(k, _)| !omit.contains(&&**k))
                .collect();
            Ok(Value::Map(Map::from_entries(
                crate::value::Type::Interface,
                entries,
            )))
        },
    );
    m.add(
        "values",
        "func(dict map[string]interface {}) []interface {}",
        |_, a| {
            Ok(Value::list(
                map_arg(a, 0)
                    .entries()
                    .into_iter()
                    .map(|(_, v)| v)
                    .collect(),
            ))
        },
    );
    // Sprig swallows merge errors into an empty string.
    m.add(
        "merge",
        "func(dst map[string]interface {}, srcs ...map[string]interface {}) interface {}",
        |_, a| Ok(merge_all(a, false).unwrap_or_else(|_| Value::string(""))),
    );
    m.add(
        "mergeOverwrite",
        "func(dst map[string]interface {}, srcs ...map[string]interface {}) interface {}",
        |_, a| Ok(merge_all(a, true).unwrap_or_else(|_| Value::string(""))),
    );
    m.add(
        "mustMerge",
        "func(dst map[string]interface {}, srcs ...map[string]interface {}) (interface {}, error)",
        |_, a| merge_all(a, false).map_err(FuncError::from),
    );
    m.add(
        "mustMergeOverwrite",
        "func(dst map[string]interface {}, srcs ...map[string]interface {}) (interface {}, error)",
        |_, a| merge_all(a, true).map_err(FuncError::from),
    );
    m.add(
        "dig",
        "func(ps ...interface {}) (interface {}, error)",
        |_, a| dig(a),
    );
}
