//! Go's `fmt.Sprintf` on typed operands (sized integers, float32, `[]string`, maps of
//! every element type, `[]byte`, nil), with the output recorded from Go 1.26.

use std::collections::BTreeMap;
use std::sync::Arc;

use gotemplate::{FloatKind, IntKind, List, Map, Type, UintKind, Value};
use serde_json::Value as Json;

fn num(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn float(v: &Json) -> f64 {
    match num(v).as_str() {
        "NaN" => f64::NAN,
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        "-0" => -0.0,
        s => s.parse().unwrap(),
    }
}

fn arg(a: &Json) -> Value {
    let t = a["t"].as_str().unwrap();
    let v = &a["v"];
    let int = |k| Value::Int(num(v).parse().unwrap(), k);
    let uint = |k| Value::Uint(num(v).parse().unwrap(), k);
    match t {
        "nil" => Value::Nil,
        "bool" => Value::Bool(v.as_bool().unwrap()),
        "string" => Value::string(v.as_str().unwrap()),
        // The Go side converts the JSON string to bytes as UTF-8, and so does this.
        "[]byte" => Value::Bytes(Arc::from(v.as_str().unwrap().as_bytes())),
        "int" => int(IntKind::Int),
        "int8" => int(IntKind::Int8),
        "int16" => int(IntKind::Int16),
        "int32" => int(IntKind::Int32),
        "int64" => int(IntKind::Int64),
        "uint" => uint(UintKind::Uint),
        "uint8" => uint(UintKind::Uint8),
        "uint16" => uint(UintKind::Uint16),
        "uint32" => uint(UintKind::Uint32),
        "uint64" => uint(UintKind::Uint64),
        "uintptr" => uint(UintKind::Uintptr),
        "float32" => Value::Float(float(v) as f32 as f64, FloatKind::Float32),
        "float64" => Value::Float(float(v), FloatKind::Float64),
        "[]interface {}" => Value::list(v.as_array().unwrap().iter().map(arg).collect()),
        "[]string" => Value::string_list(v.as_array().unwrap().iter().map(|s| s.as_str().unwrap())),
        "[]int" => Value::List(List::typed(
            Type::Int(IntKind::Int),
            v.as_array()
                .unwrap()
                .iter()
                .map(|i| Value::int(i.as_i64().unwrap()))
                .collect(),
        )),
        "[]float64" => Value::List(List::typed(
            Type::Float(FloatKind::Float64),
            v.as_array()
                .unwrap()
                .iter()
                .map(|f| Value::float(f.as_f64().unwrap()))
                .collect(),
        )),
        "map[string]interface {}" => Value::map(
            v.as_object()
                .unwrap()
                .iter()
                .map(|(k, x)| (k.as_str().into(), arg(x)))
                .collect::<BTreeMap<_, _>>(),
        ),
        "map[string]string" | "map[string]int" => {
            let (elem, conv): (Type, fn(&Json) -> Value) = if t == "map[string]string" {
                (Type::String, |x| Value::string(x.as_str().unwrap()))
            } else {
                (Type::Int(IntKind::Int), |x| Value::int(x.as_i64().unwrap()))
            };
            let m = Map::typed(elem);
            for (k, x) in v.as_object().unwrap() {
                m.insert(k.as_str(), conv(x));
            }
            Value::Map(m)
        }
        other => panic!("unknown type {other}"),
    }
}

#[test]
fn sprintf_matches_go() {
    check("fmt.json");
}

/// Random formats (flags, widths, precisions, argument indexes, bad verbs) over random
/// operands: a differential sample against Go, `%p` excluded (addresses differ).
#[test]
fn random_sprintf_matches_go() {
    check("fmt_random.json");
}

fn check(file: &str) {
    let path = format!("{}/tests/cases/{file}", env!("CARGO_MANIFEST_DIR"));
    let cases: Vec<Json> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut failures = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let format = c["format"].as_str().unwrap();
        let args: Vec<Value> = c["args"].as_array().unwrap().iter().map(arg).collect();
        let got = gotemplate::fmt::sprintf(format, &args);
        let want = c["out"].as_str().unwrap();
        if got != want {
            failures.push(format!(
                "case {i}: {format:?} {args:?}\n   want {want:?}\n    got {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ from Go:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
