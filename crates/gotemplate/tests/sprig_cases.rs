//! Sprig v3.3.0's own template tests (extracted to `tests/corpus/helm/sprig/cases.jsonl`),
//! run through the engine with `sprig::txt_func_map()`: every case must render exactly
//! what Go rendered.

use std::collections::BTreeMap;
use std::path::PathBuf;

use gotemplate::{IntKind, List, Map, Str, Template, Type, Value};

fn corpus_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/helm/sprig/cases.jsonl")
}

struct Case {
    tpl: String,
    expect: String,
    source: String,
    data: Value,
}

/// Sprig's `runt` executes with `map[string]string{}`: a missing key there reads as "".
fn runt_data() -> Value {
    Value::Map(Map::typed(Type::String))
}

fn ints(items: &[i64]) -> Value {
    Value::List(List::typed(
        Type::Int(IntKind::Int),
        items.iter().map(|&i| Value::int(i)).collect(),
    ))
}

fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::map(
        entries
            .into_iter()
            .map(|(k, v)| (Str::from(k), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// The data of `runtv` cases whose Go typing JSON cannot carry (`vars_go` shows it).
fn go_typed_vars(source: &str) -> Option<Value> {
    let json_top = |html: bool| {
        let mut top = vec![
            ("bool", Value::Bool(true)),
            ("string", Value::string("test")),
            ("number", Value::int(42)),
        ];
        if html {
            top.push(("html", Value::string("<HEAD>")));
        }
        map(vec![("Top", map(top))])
    };
    Some(match source {
        // []string{"hello"}
        "reflect_test.go:28" => Value::string_list(["hello"]),
        // map[string]interface{}{"V": []string{"a", "b", "c"}}
        "strings_test.go:141" => map(vec![("V", Value::string_list(["a", "b", "c"]))]),
        // map[string]interface{}{"V": []int{1, 2, 3}}
        "strings_test.go:143" => map(vec![("V", ints(&[1, 2, 3]))]),
        // "number": 42 is a Go int, not a float64.
        "defaults_test.go:148" | "defaults_test.go:161" => json_top(false),
        "defaults_test.go:171" => json_top(true),
        _ => return None,
    })
}

fn load_cases() -> Vec<Case> {
    let path = corpus_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "sprig corpus missing at {} ({e}); it is part of the repository (tests/corpus/helm)",
            path.display()
        )
    });
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let c: serde_json::Value = serde_json::from_str(line).expect("a JSON case per line");
            let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            let source = s("source");
            let data = match c["via"].as_str() {
                Some("runt") => runt_data(),
                Some("runRaw-table") => Value::Nil,
                _ => go_typed_vars(&source).unwrap_or_else(|| Value::from_json(&c["vars"])),
            };
            Case {
                tpl: s("tpl"),
                expect: s("expect"),
                source,
                data,
            }
        })
        .collect()
}

fn render(case: &Case) -> Result<String, String> {
    let mut t = Template::new("test");
    t.funcs(gotemplate::sprig::txt_func_map());
    t.parse(&case.tpl).map_err(|e| e.to_string())?;
    t.execute(&case.data).map_err(|e| e.to_string())
}

#[test]
fn sprig_upstream_cases_render_as_in_go() {
    let cases = load_cases();
    assert_eq!(cases.len(), 357, "the corpus README promises 357 cases");
    let mut failures = Vec::new();
    for case in &cases {
        match render(case) {
            Ok(out) if out == case.expect => {}
            Ok(out) => failures.push(format!(
                "{}: {:?}\n    want {:?}\n    got  {:?}",
                case.source, case.tpl, case.expect, out
            )),
            Err(e) => failures.push(format!(
                "{}: {:?}\n    want {:?}\n    error {e}",
                case.source, case.tpl, case.expect
            )),
        }
    }
    println!(
        "sprig cases: {}/{} pass",
        cases.len() - failures.len(),
        cases.len()
    );
    for f in &failures {
        println!("{f}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} sprig cases differ (listed above)",
        failures.len(),
        cases.len()
    );
}

#[test]
fn helm_map_drops_env_functions() {
    let m = gotemplate::sprig::txt_func_map_without_env();
    assert!(!m.contains("env") && !m.contains("expandenv"));
    assert!(gotemplate::sprig::txt_func_map().contains("expandenv"));
}
