//! Table tests: each case is a template, JSON data (decoded as Helm decodes values) and
//! options, with the exact output or error text Go 1.26's text/template gives.

use std::collections::BTreeMap;

use gotemplate::{
    FloatKind, FuncError, FuncMap, Function, IntKind, List, Map, Template, Type, UintKind, Value,
};
use serde_json::Value as Json;

struct Case {
    name: String,
    tmpl: String,
    data: Value,
    option: Option<String>,
    extra: BTreeMap<String, String>,
    exec: Option<String>,
    delims: Option<(String, String)>,
    funcs: bool,
    out: Option<String>,
    err: Option<String>,
}

fn load(file: &str) -> Vec<Case> {
    let path = format!("{}/tests/cases/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let cases: Vec<Json> = serde_json::from_str(&text).expect("cases are JSON");
    cases
        .into_iter()
        .map(|c| {
            let s = |k: &str| c.get(k).and_then(Json::as_str).map(str::to_string);
            Case {
                name: s("name")
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| "t".into()),
                tmpl: s("tmpl").expect("tmpl"),
                data: c.get("data").map_or(Value::Nil, Value::from_json),
                option: s("option"),
                extra: c
                    .get("extra")
                    .and_then(Json::as_object)
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                            .collect()
                    })
                    .unwrap_or_default(),
                exec: s("exec"),
                delims: c.get("delims").and_then(Json::as_array).map(|d| {
                    (
                        d[0].as_str().unwrap().to_string(),
                        d[1].as_str().unwrap().to_string(),
                    )
                }),
                funcs: c.get("funcs").and_then(Json::as_bool).unwrap_or(false),
                out: s("out"),
                err: s("err"),
            }
        })
        .collect()
}

/// Runs a case: `(output, error)` as the Go harness records them.
fn run(c: &Case) -> (Option<String>, Option<String>) {
    let mut t = Template::new(c.name.as_str());
    if let Some((l, r)) = &c.delims {
        t.delims(l, r);
    }
    if c.funcs {
        t.funcs(test_funcs());
    }
    if let Some(opt) = &c.option {
        t.option(opt).expect("valid option");
    }
    for (name, text) in &c.extra {
        if let Err(e) = t.parse_named(name, text) {
            return (None, Some(e.to_string()));
        }
    }
    if let Err(e) = t.parse(&c.tmpl) {
        return (None, Some(e.to_string()));
    }
    let name = c.exec.clone().unwrap_or_else(|| c.name.clone());
    let mut out = String::new();
    let result = if c.exec.is_some() {
        t.execute_template_to(&mut out, &name, &c.data)
    } else {
        // Go's Execute (not ExecuteTemplate): no "no template" check.
        match t.lookup(&name) {
            true => t.execute_template_to(&mut out, &name, &c.data),
            false => t.execute(&c.data).map(|s| out = s),
        }
    };
    match result {
        Ok(()) => (Some(out), None),
        Err(e) => ((!out.is_empty()).then_some(out), Some(e.to_string())),
    }
}

fn check(file: &str) {
    let cases = load(file);
    let mut failures = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let got = run(c);
        let want = (c.out.clone(), c.err.clone());
        if got != want {
            failures.push(format!(
                "case {i}: {:?} (data {:?}, option {:?})\n   want out={:?} err={:?}\n    got out={:?} err={:?}",
                c.tmpl, c.data, c.option, want.0, want.1, got.0, got.1
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases in {file} differ from Go:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn exec_cases_match_go() {
    check("exec.json");
}

#[test]
fn function_calls_match_go() {
    check("funcs.json");
}

/// Random mixes of template syntax (valid and not) with JSON data: a differential sample
/// against Go, with and without functions and `missingkey` options (90000 such cases agreed
/// when it was recorded; 1200 are kept).
#[test]
fn random_templates_match_go() {
    check("random.json");
}

/// The inputs of Go's `parse_test.go` tables, parsed and executed.
#[test]
fn parse_table_inputs_match_go() {
    check("parse.json");
}

fn int(v: &Value) -> i64 {
    v.as_i64().expect("an integer argument")
}

/// The same functions, with the same Go signatures, as the Go program that recorded the
/// expectations.
fn test_funcs() -> FuncMap {
    let mut m = FuncMap::new();
    m.add("add", "func(a, b int) int", |_, a| {
        Ok(Value::int(int(&a[0]).wrapping_add(int(&a[1]))))
    });
    m.add("sub1", "func(i int) int", |_, a| {
        Ok(Value::int(int(&a[0]) - 1))
    });
    m.add("upper", "func(s string) string", |_, a| {
        Ok(Value::string(a[0].as_str().unwrap().to_uppercase()))
    });
    m.add("fail", "func(msg string) (string, error)", |_, a| {
        Err(FuncError::new(a[0].as_str().unwrap()))
    });
    m.add("explode", "func() string", |_, _| panic!("boom"));
    m.add("f64", "func(f float64) float64", |_, a| {
        Ok(Value::float(a[0].as_f64().unwrap() * 2.0))
    });
    m.add("f32", "func(f float32) float32", |_, a| {
        let f = a[0].as_f64().unwrap() as f32 / 3.0;
        Ok(Value::Float(f as f64, FloatKind::Float32))
    });
    m.add("u8", "func(u uint8) uint8", |_, a| {
        let Value::Uint(u, _) = a[0] else {
            unreachable!()
        };
        Ok(Value::Uint(
            (u as u8).wrapping_add(1) as u64,
            UintKind::Uint8,
        ))
    });
    m.add("i64", "func(i int64) int64", |_, a| {
        Ok(Value::int64(int(&a[0]) * 2))
    });
    m.add("int8f", "func(v int8) int8", |_, a| {
        Ok(Value::Int(int(&a[0]), IntKind::Int8))
    });
    m.add("boolf", "func(b bool) bool", |_, a| {
        Ok(Value::Bool(!a[0].as_bool().unwrap()))
    });
    m.add(
        "join",
        "func(sep string, items ...string) string",
        |_, a| {
            let items: Vec<&str> = a[1..].iter().map(|v| v.as_str().unwrap()).collect();
            Ok(Value::string(items.join(a[0].as_str().unwrap())))
        },
    );
    m.add("sum", "func(items ...int) int", |_, a| {
        Ok(Value::int(a.iter().map(int).sum()))
    });
    m.add("mk", "func() map[string]interface {}", |_, _| {
        let m = Map::new();
        m.insert("k", Value::string("v"));
        m.insert("n", Value::int(1));
        Ok(Value::Map(m))
    });
    m.add("mapstr", "func() map[string]string", |_, _| {
        let m = Map::typed(Type::String);
        m.insert("b", Value::string("2"));
        m.insert("a", Value::string("1"));
        Ok(Value::Map(m))
    });
    m.add("strs", "func() []string", |_, _| {
        Ok(Value::string_list(["x", "y"]))
    });
    m.add("ints", "func() []int", |_, _| {
        Ok(Value::List(List::typed(
            Type::Int(IntKind::Int),
            vec![Value::int(3), Value::int(1), Value::int(2)],
        )))
    });
    m.add("bytes", "func() []uint8", |_, _| {
        Ok(Value::Bytes(b"hi".to_vec().into()))
    });
    m.add("fnval", "func() func(int) int", |_, _| {
        Ok(Value::Func(std::sync::Arc::new(Function::new(
            "func(int) int",
            |_, a| Ok(Value::int(int(&a[0]) * 10)),
        ))))
    });
    m.add("fnerr", "func() func(string) (string, error)", |_, _| {
        Ok(Value::Func(std::sync::Arc::new(Function::new(
            "func(string) (string, error)",
            |_, a| Err(FuncError::new(format!("inner {}", a[0].as_str().unwrap()))),
        ))))
    });
    m.add("fnvar", "func() func(string, ...int) string", |_, _| {
        Ok(Value::Func(std::sync::Arc::new(Function::new(
            "func(string, ...int) string",
            |_, a| {
                let ns = Value::List(List::typed(Type::Int(IntKind::Int), a[1..].to_vec()));
                Ok(Value::string(gotemplate::fmt::sprint(&[a[0].clone(), ns])))
            },
        ))))
    });
    m.add("nilval", "func() interface {}", |_, _| Ok(Value::Nil));
    m.add("echo", "func(v interface {}) interface {}", |_, a| {
        Ok(a[0].clone())
    });
    m.add("list", "func(v ...interface {}) []interface {}", |_, a| {
        Ok(Value::list(a.to_vec()))
    });
    m.add("takestrs", "func(v []string) int", |_, a| {
        Ok(Value::int(a[0].as_list().map_or(0, |l| l.len()) as i64))
    });
    m.add("takemap", "func(m map[string]interface {}) int", |_, a| {
        Ok(Value::int(a[0].as_map().map_or(0, |m| m.len()) as i64))
    });
    m.add("takelist", "func(l []interface {}) int", |_, a| {
        Ok(Value::int(a[0].as_list().map_or(0, |l| l.len()) as i64))
    });
    m
}
