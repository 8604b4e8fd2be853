//! The builtin functions of text/template (`funcs.go`), with Go's signatures and errors.
//!
//! `and`, `or` and `call` are declared here for their signatures but evaluated by the
//! engine (short-circuit, callee naming).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::fmt;
use crate::func::{FuncError, FuncResult, Function, FxBuild};
use crate::value::{IntKind, List, Type, Value};

const NAMES: &[&str] = &[
    "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
    "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
];

pub(crate) fn is_builtin(name: &str) -> bool {
    NAMES.contains(&name)
}

pub(crate) fn builtin(name: &str) -> Option<&'static Function> {
    static TABLE: OnceLock<HashMap<&'static str, Function, FxBuild>> = OnceLock::new();
    TABLE.get_or_init(table).get(name)
}

fn table() -> HashMap<&'static str, Function, FxBuild> {
    let mut m: HashMap<&'static str, Function, FxBuild> = HashMap::default();
    let unreachable = |_: &mut crate::CallContext<'_>, _: &[Value]| -> FuncResult {
        Err(FuncError::new("evaluated by the engine"))
    };
    m.insert(
        "and",
        Function::new(
            "func(arg0 reflect.Value, args ...reflect.Value) reflect.Value",
            unreachable,
        ),
    );
    m.insert(
        "or",
        Function::new(
            "func(arg0 reflect.Value, args ...reflect.Value) reflect.Value",
            unreachable,
        ),
    );
    m.insert(
        "call",
        Function::new(
            "func(fn reflect.Value, args ...reflect.Value) reflect.Value",
            unreachable,
        ),
    );
    m.insert(
        "html",
        Function::new("func(args ...interface {}) string", |_, a| {
            Ok(Value::string(crate::escape::html_escape_string(
                &eval_args(a),
            )))
        }),
    );
    m.insert(
        "js",
        Function::new("func(args ...interface {}) string", |_, a| {
            Ok(Value::string(crate::escape::js_escape_string(&eval_args(
                a,
            ))))
        }),
    );
    m.insert(
        "urlquery",
        Function::new("func(args ...interface {}) string", |_, a| {
            Ok(Value::string(crate::escape::url_query_escape(&eval_args(
                a,
            ))))
        }),
    );
    m.insert(
        "index",
        Function::new(
            "func(item reflect.Value, indexes ...reflect.Value) (reflect.Value, error)",
            |_, a| index(&a[0], &a[1..]),
        ),
    );
    m.insert(
        "slice",
        Function::new(
            "func(item reflect.Value, indexes ...reflect.Value) (reflect.Value, error)",
            |_, a| slice(&a[0], &a[1..]),
        ),
    );
    m.insert(
        "len",
        Function::new("func(item reflect.Value) (int, error)", |_, a| {
            length(&a[0])
        }),
    );
    m.insert(
        "not",
        Function::new("func(arg reflect.Value) bool", |_, a| {
            Ok(Value::Bool(!a[0].truth()))
        }),
    );
    m.insert(
        "print",
        Function::new("func(a ...interface {}) string", |_, a| {
            Ok(Value::string(fmt::sprint(a)))
        }),
    );
    m.insert(
        "printf",
        Function::new("func(format string, a ...interface {}) string", |_, a| {
            Ok(Value::string(fmt::sprintf(
                a[0].as_str().unwrap_or(""),
                &a[1..],
            )))
        }),
    );
    m.insert(
        "println",
        Function::new("func(a ...interface {}) string", |_, a| {
            Ok(Value::string(fmt::sprintln(a)))
        }),
    );
    m.insert(
        "eq",
        Function::new(
            "func(arg1 reflect.Value, arg2 ...reflect.Value) (bool, error)",
            |_, a| eq(&a[0], &a[1..]).map(Value::Bool),
        ),
    );
    m.insert(
        "ne",
        Function::new(
            "func(arg1 reflect.Value, arg2 reflect.Value) (bool, error)",
            |_, a| eq(&a[0], &a[1..2]).map(|b| Value::Bool(!b)),
        ),
    );
    m.insert(
        "lt",
        Function::new(
            "func(arg1 reflect.Value, arg2 reflect.Value) (bool, error)",
            |_, a| lt(&a[0], &a[1]).map(Value::Bool),
        ),
    );
    m.insert(
        "le",
        Function::new(
            "func(arg1 reflect.Value, arg2 reflect.Value) (bool, error)",
            |_, a| le(&a[0], &a[1]).map(Value::Bool),
        ),
    );
    m.insert(
        "gt",
        Function::new(
            "func(arg1 reflect.Value, arg2 reflect.Value) (bool, error)",
            |_, a| le(&a[0], &a[1]).map(|b| Value::Bool(!b)),
        ),
    );
    m.insert(
        "ge",
        Function::new(
            "func(arg1 reflect.Value, arg2 reflect.Value) (bool, error)",
            |_, a| lt(&a[0], &a[1]).map(|b| Value::Bool(!b)),
        ),
    );
    m
}

/// Go's `evalArgs` for the escapers: a single string as is, else `fmt.Sprint` with
/// missing values printed as `<no value>`.
fn eval_args(args: &[Value]) -> String {
    if let [Value::String(s)] = args {
        return s.to_string();
    }
    let printable: Vec<Value> = args
        .iter()
        .map(|a| {
            if a.is_nil() {
                Value::string("<no value>")
            } else {
                a.clone()
            }
        })
        .collect();
    fmt::sprint(&printable)
}

fn index_arg(index: &Value, cap: usize) -> Result<usize, FuncError> {
    let x: i128 = match index {
        Value::Int(i, _) => *i as i128,
        Value::Uint(u, _) => *u as i64 as i128,
        Value::Nil => return Err("cannot index slice/array with nil".into()),
        other => {
            return Err(format!("cannot index slice/array with type {}", other.type_name()).into());
        }
    };
    if x < 0 || x > cap as i128 {
        return Err(format!("index out of range: {x}").into());
    }
    Ok(x as usize)
}

fn index(item: &Value, indexes: &[Value]) -> FuncResult {
    if item.is_nil() {
        return Err("index of untyped nil".into());
    }
    let mut item = item.clone();
    for idx in indexes {
        if let Value::Object(o) = &item
            && let Some(l) = o.as_list()
        {
            item = Value::List(l);
        }
        item = match &item {
            Value::List(l) => {
                let x = index_arg(idx, l.len())?;
                l.get(x)
                    .cloned()
                    .ok_or_else(|| FuncError::new("reflect: slice index out of range"))?
            }
            Value::Bytes(b) => {
                let x = index_arg(idx, b.len())?;
                let v = b
                    .get(x)
                    .ok_or_else(|| FuncError::new("reflect: slice index out of range"))?;
                Value::Uint(*v as u64, crate::UintKind::Uint8)
            }
            Value::String(s) => {
                let x = index_arg(idx, s.len())?;
                let v = s
                    .as_bytes()
                    .get(x)
                    .ok_or_else(|| FuncError::new("reflect: string index out of range"))?;
                Value::Uint(*v as u64, crate::UintKind::Uint8)
            }
            Value::Map(m) => {
                let key = match idx {
                    Value::String(k) => k,
                    Value::Nil => {
                        return Err("value is nil; should be of type string".into());
                    }
                    other => {
                        return Err(format!(
                            "value has type {}; should be string",
                            other.type_name()
                        )
                        .into());
                    }
                };
                m.get(key).unwrap_or_else(|| m.elem().zero())
            }
            Value::Nil => return Err("index of nil pointer".into()),
            other => {
                return Err(format!("can't index item of type {}", other.type_name()).into());
            }
        };
    }
    Ok(item)
}

fn slice(item: &Value, indexes: &[Value]) -> FuncResult {
    if item.is_nil() {
        return Err("slice of untyped nil".into());
    }
    if indexes.len() > 3 {
        return Err(format!("too many slice indexes: {}", indexes.len()).into());
    }
    let (len, cap) = match item {
        Value::String(s) => {
            if indexes.len() == 3 {
                return Err("cannot 3-index slice a string".into());
            }
            (s.len(), s.len())
        }
        Value::List(l) => (l.len(), l.len()),
        Value::Bytes(b) => (b.len(), b.len()),
        other => {
            return Err(format!("can't slice item of type {}", other.type_name()).into());
        }
    };
    let mut idx = [0usize, len, cap];
    for (i, x) in indexes.iter().enumerate() {
        idx[i] = index_arg(x, cap)?;
    }
    if idx[0] > idx[1] {
        return Err(format!("invalid slice index: {} > {}", idx[0], idx[1]).into());
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(format!("invalid slice index: {} > {}", idx[1], idx[2]).into());
    }
    let (lo, hi) = (idx[0], idx[1]);
    Ok(match item {
        Value::String(s) => {
            // Go slices strings by bytes; a cut inside a character leaves invalid UTF-8,
            // which cannot be held here and becomes U+FFFD.
            match s.get(lo..hi) {
                Some(sub) => Value::string(sub),
                None => Value::string(String::from_utf8_lossy(&s.as_bytes()[lo..hi]).into_owned()),
            }
        }
        Value::List(l) => Value::List(List::typed(l.elem().clone(), l.items()[lo..hi].to_vec())),
        Value::Bytes(b) => Value::Bytes(Arc::from(&b[lo..hi])),
        _ => unreachable!("checked above"),
    })
}

fn length(item: &Value) -> FuncResult {
    let n = match item {
        Value::Nil => {
            return Err("reflect: call of reflect.Value.Type on zero Value".into());
        }
        Value::String(s) => s.len(),
        Value::Bytes(b) => b.len(),
        Value::List(l) => l.len(),
        Value::Map(m) => m.len(),
        Value::Object(o) if o.as_list().is_some() => o.as_list().map_or(0, |l| l.len()),
        other => return Err(format!("len of type {}", other.type_name()).into()),
    };
    Ok(Value::Int(n as i64, IntKind::Int))
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Float,
    String,
    Uint,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(..) => Kind::Int,
        Value::Uint(..) => Kind::Uint,
        Value::Float(..) => Kind::Float,
        Value::String(_) => Kind::String,
        _ => Kind::Invalid,
    }
}

// reflect.Kind equality, for `canCompare`.
fn reflect_kind(v: &Value) -> u8 {
    match v {
        Value::Nil => 0,
        Value::List(_) | Value::Bytes(_) => 1,
        Value::Map(_) => 2,
        Value::Object(_) => 3,
        Value::Func(_) => 4,
        _ => 5,
    }
}

pub(crate) fn eq(arg1: &Value, arg2: &[Value]) -> Result<bool, FuncError> {
    if arg2.is_empty() {
        return Err("missing argument for comparison".into());
    }
    let k1 = basic_kind(arg1);
    for arg in arg2 {
        let k2 = basic_kind(arg);
        let truth = if k1 != k2 {
            match (arg1, arg) {
                (Value::Int(i, _), Value::Uint(u, _)) => *i >= 0 && *i as u64 == *u,
                (Value::Uint(u, _), Value::Int(i, _)) => *i >= 0 && *u == *i as u64,
                _ => {
                    if !arg1.is_nil() && !arg.is_nil() {
                        return Err(format!(
                            "incompatible types for comparison: {} and {}",
                            arg1.type_name(),
                            arg.type_name()
                        )
                        .into());
                    }
                    false
                }
            }
        } else {
            match (arg1, arg) {
                (Value::Bool(a), Value::Bool(b)) => a == b,
                (Value::Float(a, _), Value::Float(b, _)) => a == b,
                (Value::Int(a, _), Value::Int(b, _)) => a == b,
                (Value::String(a), Value::String(b)) => a == b,
                (Value::Uint(a, _), Value::Uint(b, _)) => a == b,
                _ => {
                    if reflect_kind(arg1) != reflect_kind(arg) && !arg1.is_nil() && !arg.is_nil() {
                        return Err(format!(
                            "non-comparable types {}: {}, {}: {}",
                            fmt::format_one("s", arg1),
                            arg1.type_name(),
                            arg.type_name(),
                            arg
                        )
                        .into());
                    }
                    if arg1.is_nil() || arg.is_nil() {
                        arg1.is_nil() == arg.is_nil()
                    } else {
                        match (arg1, arg) {
                            (Value::Object(a), Value::Object(b))
                                if a.type_name() == b.type_name() =>
                            {
                                match a.equals(&**b) {
                                    Some(t) => t,
                                    None => return Err(non_comparable(arg)),
                                }
                            }
                            (Value::Object(a), Value::Object(b)) => {
                                let _ = (a, b);
                                false
                            }
                            (Value::Func(_), Value::Func(_)) => {
                                return Err(non_comparable(arg));
                            }
                            _ => return Err(non_comparable(arg)),
                        }
                    }
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn non_comparable(arg: &Value) -> FuncError {
    format!(
        "non-comparable type {}: {}",
        fmt::format_one("s", arg),
        arg.type_name()
    )
    .into()
}

fn lt(arg1: &Value, arg2: &Value) -> Result<bool, FuncError> {
    let k1 = basic_kind(arg1);
    if k1 == Kind::Invalid {
        return Err("invalid type for comparison".into());
    }
    let k2 = basic_kind(arg2);
    if k2 == Kind::Invalid {
        return Err("invalid type for comparison".into());
    }
    Ok(match (arg1, arg2) {
        (Value::Int(i, _), Value::Uint(u, _)) => *i < 0 || (*i as u64) < *u,
        (Value::Uint(u, _), Value::Int(i, _)) => *i >= 0 && *u < *i as u64,
        _ if k1 != k2 => {
            return Err(format!(
                "incompatible types for comparison: {} and {}",
                arg1.type_name(),
                arg2.type_name()
            )
            .into());
        }
        (Value::Bool(_), _) => return Err("invalid type for comparison".into()),
        (Value::Float(a, _), Value::Float(b, _)) => a < b,
        (Value::Int(a, _), Value::Int(b, _)) => a < b,
        (Value::String(a), Value::String(b)) => a < b,
        (Value::Uint(a, _), Value::Uint(b, _)) => a < b,
        _ => unreachable!("kinds are equal"),
    })
}

fn le(arg1: &Value, arg2: &Value) -> Result<bool, FuncError> {
    if lt(arg1, arg2)? {
        return Ok(true);
    }
    eq(arg1, std::slice::from_ref(arg2))
}

/// Go's `prepareArg` for `call`: nil for nilable types, assignable values, and integer
/// conversions between integer kinds.
pub(crate) fn prepare_arg(value: &Value, t: &Type) -> Result<Value, FuncError> {
    if value.is_nil() {
        if !t.can_be_nil() {
            return Err(format!("value is nil; should be of type {t}").into());
        }
        return Ok(Value::Nil);
    }
    if *t == Type::Interface || value.go_type().as_ref() == Some(t) {
        return Ok(value.clone());
    }
    match (value, t) {
        (Value::Int(i, _), Type::Int(k)) => return Ok(Value::Int(k.wrap(*i), *k)),
        (Value::Int(i, _), Type::Uint(k)) => return Ok(Value::Uint(k.wrap(*i as u64), *k)),
        (Value::Uint(u, _), Type::Int(k)) => return Ok(Value::Int(k.wrap(*u as i64), *k)),
        (Value::Uint(u, _), Type::Uint(k)) => return Ok(Value::Uint(k.wrap(*u), *k)),
        _ => {}
    }
    Err(format!("value has type {}; should be {t}", value.type_name()).into())
}
