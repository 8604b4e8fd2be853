//! Helm's own `TestTemplateCmd` golden files, rendered through `helm::engine::template`.

use std::path::{Path, PathBuf};

mod common;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/helm/helm-template-golden")
}

#[test]
fn helm_template_golden_files() {
    let root = corpus();
    let text = std::fs::read_to_string(root.join("cases.json"))
        .unwrap_or_else(|e| panic!("the golden cases in {}: {e}", root.display()));
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cwd = root.join("cmd/helm");
    let (mut pass, mut total, mut report) = (0, 0, String::new());
    for case in doc["cases"].as_array().unwrap() {
        if case["kind"] != "render" {
            continue;
        }
        total += 1;
        let mut argv: Vec<String> = case["argv"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        // The goldens come from Helm's `go test`, whose binary is not stamped with the
        // client-go version and so assumes Kubernetes v1.20.0.
        if !argv.iter().any(|a| a.starts_with("--kube-version")) {
            argv.extend(["--kube-version".into(), "v1.20.0".into()]);
        }
        let want = std::fs::read_to_string(root.join(case["golden"].as_str().unwrap()))
            .unwrap()
            .replace("\r\n", "\n");
        let repeat = case["repeat"].as_u64().unwrap_or(0) + 1;
        let mut ok = true;
        for _ in 0..repeat {
            let got = common::run_template(&argv, &cwd);
            if got != want {
                ok = false;
                report.push_str(&format!(
                    "--- {} ({})\n{}\n",
                    case["name"],
                    case["source"],
                    diff(&want, &got)
                ));
                break;
            }
        }
        pass += ok as usize;
    }
    println!("golden: {pass}/{total} pass\n{report}");
    assert_eq!(pass, total, "{report}");
}

fn diff(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    for i in 0..w.len().max(g.len()) {
        if w.get(i) != g.get(i) {
            return format!(
                "line {}: want {:?}\n         got  {:?}",
                i + 1,
                w.get(i),
                g.get(i)
            );
        }
    }
    format!(
        "trailing difference: want {} bytes, got {}",
        want.len(),
        got.len()
    )
}
