//! Values as templates see them: dependencies processed (conditions, tags, aliases,
//! import-values), chart defaults coalesced under user values, globals copied down,
//! `null` deleting keys, schemas validated. Recorded with Helm v3.21.4
//! (`ProcessDependenciesWithMerge` + `ToRenderValues`) in
//! tests/expected/render_values.jsonl, over Helm's fixtures and the corpus charts.

mod common;

use std::path::PathBuf;

use serde_json::Value as Json;

fn resolve(arg: &str) -> PathBuf {
    match arg.strip_prefix("@values/") {
        Some(rest) => common::expected("values").join(rest),
        None => common::corpus().join(arg),
    }
}

fn render(args: &[String]) -> (Option<helm::Chart>, Result<helm::Values, String>) {
    let mut chart = match helm::loader::load(&resolve(&args[0]), &helm::loader::Limits::default()) {
        Ok(c) => c,
        Err(e) => return (None, Err(e.to_string())),
    };
    let mut vals = helm::Values::new();
    for f in &args[1..] {
        let mut cur = helm::values::read_values(&std::fs::read(resolve(f)).unwrap()).unwrap();
        helm::values::merge_tables(&mut cur, vals);
        vals = cur;
    }
    if let Err(e) = helm::dependencies::process_dependencies(&mut chart, &vals) {
        return (Some(chart), Err(e.to_string()));
    }
    let r = helm::values::to_render_values(&chart, &vals, false).map_err(|e| e.to_string());
    (Some(chart), r)
}

#[test]
fn renders_values_as_helm_does() {
    let mut n = 0;
    for case in common::expected_lines("render_values.jsonl") {
        let args: Vec<String> = case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        let (chart, got) = render(&args);
        if let Some(want) = case.get("chart") {
            let got_chart = common::chart_info(chart.as_ref().unwrap());
            common::dump_on_mismatch(&got_chart, want);
            assert!(
                &got_chart == want,
                "{args:?} chart after dependency processing:\n got  {}\n want {}",
                serde_json::to_string(&got_chart).unwrap(),
                serde_json::to_string(want).unwrap()
            );
        }
        match (got, case.get("error"), case.get("values")) {
            (Ok(v), None, Some(want)) => {
                let got = common::typed(&Json::Object(v));
                common::dump_on_mismatch(&got, want);
                assert!(
                    &got == want,
                    "{args:?} values:\n got  {}\n want {}",
                    serde_json::to_string(&got).unwrap(),
                    serde_json::to_string(want).unwrap()
                );
            }
            (Err(e), Some(want), _) => assert_eq!(e, want.as_str().unwrap(), "{args:?}"),
            (got, want, _) => panic!("{args:?}: got {got:?}, want error {want:?}"),
        }
        n += 1;
    }
    assert!(n >= 45, "{n} cases");
}

#[test]
fn user_null_deletes_a_default_and_merge_keeps_it() {
    let mut chart = helm::Chart::default();
    chart.metadata.name = "c".into();
    chart.values = serde_json::from_str(r#"{"a": 1, "b": {"c": 2, "d": 3}}"#).unwrap();
    let user: helm::Values = serde_json::from_str(r#"{"a": null, "b": {"c": null}}"#).unwrap();
    let v = helm::values::coalesce_values(&chart, &user).unwrap();
    assert_eq!(Json::Object(v), serde_json::json!({"b": {"d": 3}}));
    let v = helm::values::merge_values(&chart, &user).unwrap();
    assert_eq!(
        Json::Object(v),
        serde_json::json!({"a": null, "b": {"c": null, "d": 3}})
    );
}

#[test]
fn kube_version_constraints_are_checked() {
    let chart = helm::loader::load(
        &common::corpus().join("charts/podinfo"),
        &helm::loader::Limits::default(),
    )
    .unwrap();
    let old = helm::capabilities::KubeVersion::parse("v1.20.0").unwrap();
    assert_eq!(
        helm::capabilities::check_kube_version(&chart, &old)
            .unwrap_err()
            .to_string(),
        "chart requires kubeVersion: >=1.23.0-0 which is incompatible with Kubernetes v1.20.0"
    );
    let new = helm::capabilities::KubeVersion::parse("1.36").unwrap();
    assert_eq!(new.version, "v1.36");
    assert_eq!((new.major.as_str(), new.minor.as_str()), ("1", "36"));
    helm::capabilities::check_kube_version(&chart, &new).unwrap();
    assert_eq!(
        helm::capabilities::KubeVersion::parse("v1.30.2+k3s1")
            .unwrap()
            .version,
        "v1.30.2"
    );
    for bad in ["1", "x", "", "v1.02"] {
        assert!(
            helm::capabilities::KubeVersion::parse(bad).is_err(),
            "{bad}"
        );
    }
    assert!(helm::capabilities::is_compatible_range("~1.2", "1.2.9"));
    assert!(!helm::capabilities::is_compatible_range("", "1.2.9"));
    assert!(!helm::capabilities::is_compatible_range(
        ">= 1.0",
        "not-a-version"
    ));
}

#[test]
fn missing_declared_dependencies_are_reported() {
    let dir = common::corpus()
        .join("helm-template-golden/cmd/helm/testdata/testcharts/chart-missing-deps");
    let chart = helm::loader::load(&dir, &helm::loader::Limits::default()).unwrap();
    assert_eq!(
        helm::dependencies::check_dependencies(&chart)
            .unwrap_err()
            .to_string(),
        "found in Chart.yaml, but missing in charts/ directory: reqsubchart2"
    );
}
