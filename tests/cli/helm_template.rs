//! `tk helm template`: the real binary renders charts as `helm template` does.

use std::path::{Path, PathBuf};

use super::{stderr, stdout, tk};

/// The Helm corpus copied into the repository (tests/corpus/helm/PROVENANCE.md).
fn corpus() -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/helm");
    assert!(
        path.is_dir(),
        "the Helm corpus is missing at {}",
        path.display()
    );
    path
}

#[test]
fn renders_podinfo_for_the_given_kube_version() {
    let chart = corpus().join("charts/podinfo");
    let out = tk(&[
        "helm",
        "template",
        chart.to_str().unwrap(),
        "--kube-version",
        "1.30.0",
        "--skip-tests",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("---\n# Source: podinfo/templates/service.yaml\n"),
        "{text}"
    );
    assert!(text.contains("kind: Deployment"));
    assert!(!text.contains("helm.sh/hook\": test"));
}

#[test]
fn prints_the_golden_output_of_helms_subchart_case() {
    let root = corpus().join("helm-template-golden");
    let chart = root.join("cmd/helm/testdata/testcharts/subchart");
    let out = tk(&[
        "helm",
        "template",
        chart.to_str().unwrap(),
        "--set",
        "service.name=apache",
        // The golden comes from Helm's `go test`, which assumes Kubernetes v1.20.0.
        "--kube-version",
        "1.20.0",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let want =
        std::fs::read_to_string(root.join("cmd/helm/testdata/output/template-set.txt")).unwrap();
    assert_eq!(stdout(&out), want);
}

#[test]
fn names_the_chart_and_the_fix_when_kube_version_is_refused() {
    let chart = corpus().join("charts/podinfo");
    let out = tk(&[
        "helm",
        "template",
        chart.to_str().unwrap(),
        "--kube-version",
        "1.20.0",
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("chart requires kubeVersion"), "{err}");
    assert!(err.contains("podinfo"), "{err}");
}

#[test]
fn release_namespace_is_default_unless_given() {
    let chart = corpus().join("charts/podinfo");
    let path = chart.to_str().unwrap();
    let base = [
        "helm",
        "template",
        path,
        "--kube-version",
        "1.30.0",
        "--skip-tests",
    ];
    let out = tk(&base);
    assert!(
        stdout(&out).contains("namespace: default"),
        "{}",
        stderr(&out)
    );
    let out = tk(&[&base[..], &["-n", "apps"]].concat());
    assert!(stdout(&out).contains("namespace: apps"), "{}", stderr(&out));
}
