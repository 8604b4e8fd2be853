//! Helm's `TestFuncs` table (pkg/engine/funcs_test.go) through our function map.

use std::path::Path;

#[test]
fn helm_funcs_match_helm_test_table() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/helm/funcs/cases.jsonl");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("Helm's function table at {}: {e}", path.display()));
    let mut failures = Vec::new();
    let mut total = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        total += 1;
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let tpl = case["tpl"].as_str().unwrap();
        let expect = case["expect"].as_str().unwrap();
        let mut t = gotemplate::Template::new("test");
        t.funcs(helm::engine::helm_func_map());
        let got = t.parse(tpl).map_err(|e| e.to_string()).and_then(|t| {
            t.execute(&gotemplate::Value::from_json(&case["vars"]))
                .map_err(|e| e.to_string())
        });
        match got {
            Ok(out) if out == expect => {}
            other => failures.push(format!(
                "{} {tpl:?}: want {expect:?}, got {other:?}",
                case["source"]
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
