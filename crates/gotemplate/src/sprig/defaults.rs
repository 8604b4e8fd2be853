//! Sprig's `defaults.go`: defaults and emptiness, JSON, `ternary`, `deepCopy`.

use super::conv::{empty, str_arg};
use super::json::{self, EncodeOptions};
use crate::func::{FuncError, FuncMap};
use crate::value::{List, Map, Value};

const NIL_COPY: &str = "reflect: call of reflect.Value.Type on zero Value";

const PLAIN: EncodeOptions<'static> = EncodeOptions {
    escape_html: true,
    indent: None,
};
const PRETTY: EncodeOptions<'static> = EncodeOptions {
    escape_html: true,
    indent: Some("  "),
};
const RAW: EncodeOptions<'static> = EncodeOptions {
    escape_html: false,
    indent: None,
};

pub(super) fn register(m: &mut FuncMap) {
    m.add(
        "default",
        "func(d interface {}, given ...interface {}) interface {}",
        |_, a| {
            // `empty(given)` on the variadic slice itself: no given value means the default.
            Ok(match a.get(1) {
                Some(g) if !empty(g) => g.clone(),
                _ => a[0].clone(),
            })
        },
    );
    m.add("empty", "func(given interface {}) bool", |_, a| {
        Ok(Value::Bool(empty(&a[0])))
    });
    m.add(
        "coalesce",
        "func(v ...interface {}) interface {}",
        |_, a| Ok(a.iter().find(|v| !empty(v)).cloned().unwrap_or(Value::Nil)),
    );
    m.add("all", "func(v ...interface {}) bool", |_, a| {
        Ok(Value::Bool(a.iter().all(|v| !empty(v))))
    });
    m.add("any", "func(v ...interface {}) bool", |_, a| {
        Ok(Value::Bool(a.iter().any(|v| !empty(v))))
    });
    m.add("fromJson", "func(v string) interface {}", |_, a| {
        Ok(json::unmarshal(str_arg(a, 0)).unwrap_or(Value::Nil))
    });
    m.add(
        "mustFromJson",
        "func(v string) (interface {}, error)",
        |_, a| json::unmarshal(str_arg(a, 0)).map_err(FuncError::from),
    );
    m.add("toJson", "func(v interface {}) string", |_, a| {
        Ok(Value::string(
            json::marshal(&a[0], PLAIN).unwrap_or_default(),
        ))
    });
    m.add(
        "mustToJson",
        "func(v interface {}) (string, error)",
        |_, a| {
            json::marshal(&a[0], PLAIN)
                .map(Value::string)
                .map_err(FuncError::from)
        },
    );
    m.add("toPrettyJson", "func(v interface {}) string", |_, a| {
        Ok(Value::string(
            json::marshal(&a[0], PRETTY).unwrap_or_default(),
        ))
    });
    m.add(
        "mustToPrettyJson",
        "func(v interface {}) (string, error)",
        |_, a| {
            json::marshal(&a[0], PRETTY)
                .map(Value::string)
                .map_err(FuncError::from)
        },
    );
    // Sprig panics on the error in toRawJson, unlike toJson and toPrettyJson.
    m.add("toRawJson", "func(v interface {}) string", |_, a| {
        json::marshal(&a[0], RAW)
            .map(Value::string)
            .map_err(FuncError::from)
    });
    m.add(
        "mustToRawJson",
        "func(v interface {}) (string, error)",
        |_, a| {
            json::marshal(&a[0], RAW)
                .map(Value::string)
                .map_err(FuncError::from)
        },
    );
    m.add(
        "ternary",
        "func(vt interface {}, vf interface {}, v bool) interface {}",
        |_, a| {
            Ok(if a[2].as_bool() == Some(true) {
                a[0].clone()
            } else {
                a[1].clone()
            })
        },
    );
    // copystructure cannot copy an untyped nil: it asks reflection for its type, and
    // that panic escapes both functions unwrapped.
    m.add("deepCopy", "func(i interface {}) interface {}", |_, a| {
        if a[0].is_nil() {
            return Err(NIL_COPY.into());
        }
        Ok(deep_copy(&a[0]))
    });
    m.add(
        "mustDeepCopy",
        "func(i interface {}) (interface {}, error)",
        |_, a| {
            if a[0].is_nil() {
                return Err(NIL_COPY.into());
            }
            Ok(deep_copy(&a[0]))
        },
    );
}

/// mitchellh/copystructure `Copy`: new maps and slices all the way down; scalars and
/// objects (immutable here) are shared.
pub(super) fn deep_copy(v: &Value) -> Value {
    match v {
        Value::List(l) => Value::List(List::typed(
            l.elem().clone(),
            l.iter().map(deep_copy).collect(),
        )),
        Value::Map(m) => {
            let entries = m
                .entries()
                .into_iter()
                .map(|(k, v)| (k, deep_copy(&v)))
                .collect();
            Value::Map(Map::from_entries(m.elem().clone(), entries))
        }
        Value::Bytes(b) => Value::Bytes(b.to_vec().into()),
        other => other.clone(),
    }
}
