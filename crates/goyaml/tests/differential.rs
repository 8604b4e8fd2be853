//! Differential cases produced by the Go libraries Helm v3.21.4 pins (see data/README.md).

use serde_json::Value;

struct Row {
    group: String,
    kind: String,
    input: String,
    out: Option<String>,
    err: Option<String>,
    file: Option<String>,
}

fn rows(name: &str) -> Vec<Row> {
    let path = format!("{}/tests/data/{name}.jsonl", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("a JSON row");
            let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
            Row {
                group: s("group").unwrap_or_default(),
                kind: s("kind").unwrap_or_default(),
                input: s("in").unwrap_or_default(),
                out: s("out"),
                err: s("err"),
                file: s("file"),
            }
        })
        .collect()
}

/// Known differences: inputs whose expected result we do not reproduce yet, one JSON string
/// per line in data/known_differences.jsonl (reviewed; each is an error-text/line detail).
fn known() -> Vec<String> {
    let path = format!(
        "{}/tests/data/known_differences.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path)
        .map(|t| {
            t.lines()
                .filter_map(|l| serde_json::from_str::<String>(l).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Go's JSON numbers are float64 once decoded; compare numbers by value.
fn normalize(v: &Value) -> Value {
    match v {
        Value::Number(n) => serde_json::json!(n.as_f64().unwrap_or(f64::NAN)),
        Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), normalize(v))).collect())
        }
        other => other.clone(),
    }
}

fn check(name: &str, run: impl Fn(&Row) -> Result<String, String>, compare_json: bool) {
    let known = known();
    let mut failures = Vec::new();
    let all = rows(name);
    for row in &all {
        let got = run(row);
        let ok = match (&got, &row.out, &row.err) {
            (Ok(g), Some(want), _) if compare_json => {
                let w: Value = serde_json::from_str(want).expect("Go wrote JSON");
                let g: Value = serde_json::from_str(g).expect("we wrote JSON");
                normalize(&w) == normalize(&g)
            }
            (Ok(g), Some(want), _) => g == want,
            (Err(g), _, Some(want)) => g == want,
            _ => false,
        };
        if !ok && !known.contains(&row.input) {
            if let Ok(path) = std::env::var("GOYAML_WRITE_KNOWN") {
                use std::io::Write;
                let mut f = std::fs::OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(path)
                    .expect("known file");
                writeln!(f, "{}", Value::String(row.input.clone())).expect("write");
            }
            failures.push(format!(
                "[{} {} {}] in={:?}\n   go: {:?} / {:?}\n   us: {:?}",
                row.group,
                row.kind,
                row.file.as_deref().unwrap_or(""),
                row.input,
                row.out,
                row.err,
                got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} {name} cases differ from Go:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

fn y2j(row: &Row) -> Result<String, String> {
    match row.kind.as_str() {
        "map" => goyaml::unmarshal_map(&row.input).map(|m| Value::Object(m).to_string()),
        "arr" => goyaml::unmarshal_array(&row.input).map(|a| Value::Array(a).to_string()),
        _ => goyaml::yaml_to_json(&row.input).map(|v| v.to_string()),
    }
    .map_err(|e| e.to_string())
}

#[test]
fn yaml_to_json_matches_sigs_yaml() {
    check("yaml_to_json", y2j, true);
}

#[test]
fn unmarshal_into_map_and_slice_matches_sigs_yaml() {
    check("unmarshal", y2j, true);
}

#[test]
fn corpus_values_files_convert_as_go_converts_them() {
    check("corpus_values", y2j, true);
}

#[test]
fn json_to_yaml_matches_sigs_yaml_marshal() {
    check(
        "json_to_yaml",
        |row| {
            goyaml::json_to_yaml(&serde_json::from_str(&row.input).expect("JSON input"))
                .map_err(|e| e.to_string())
        },
        false,
    );
}

#[test]
fn to_yaml_pretty_matches_yaml_v3_encoder() {
    check(
        "to_yaml_pretty",
        |row| {
            let mut s =
                goyaml::to_yaml_pretty(&serde_json::from_str(&row.input).expect("JSON input"));
            s.push('\n');
            Ok(s)
        },
        false,
    );
}
