//! `tk build kustomization --dry-run`: the controller's build over a local directory, with
//! no cluster, printed as flux prints it; and its errors.

use std::path::Path;

use crate::{stderr, stdout, tk};

const KS: &str = "apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: app
  namespace: flux-system
spec:
  interval: 5m
  path: ./app
  prune: true
  targetNamespace: prod
  namePrefix: p-
  sourceRef:
    kind: GitRepository
    name: repo
  commonMetadata:
    labels:
      team: web
  postBuild:
    substitute:
      replicas: two
    substituteFrom:
    - kind: ConfigMap
      name: vars
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: other
spec:
  interval: 5m
  path: ./other
  prune: false
  sourceRef:
    kind: GitRepository
    name: repo
";

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn fixture() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "ks.yaml", KS);
    write(
        tmp.path(),
        "app/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config\ndata:\n  replicas: \"${replicas}\"\n  env: ${env:=dev}\n",
    );
    write(
        tmp.path(),
        "app/ns.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n",
    );
    write(tmp.path(), "app/README.md", "not yaml\n");
    tmp
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

#[test]
fn build_dry_run_prints_the_controller_build_with_owner_labels() {
    let tmp = fixture();
    let dir = tmp.path();
    let out = tk(&[
        "build",
        "kustomization",
        "app",
        "--path",
        &path(dir, "app"),
        "--kustomization-file",
        &path(dir, "ks.yaml"),
        "--dry-run",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "apiVersion: v1
kind: Namespace
metadata:
  labels:
    kustomize.toolkit.fluxcd.io/name: app
    kustomize.toolkit.fluxcd.io/namespace: flux-system
    team: web
  name: prod
---
apiVersion: v1
data:
  env: dev
  replicas: two
kind: ConfigMap
metadata:
  labels:
    kustomize.toolkit.fluxcd.io/name: app
    kustomize.toolkit.fluxcd.io/namespace: flux-system
    team: web
  name: p-config
  namespace: prod
---
"
    );
    // The generated kustomization.yaml is removed again, as flux does.
    assert!(!dir.join("app/kustomization.yaml").exists());
}

#[test]
fn build_dry_run_restores_an_existing_kustomization_file() {
    let tmp = fixture();
    let dir = tmp.path();
    let original = "resources:\n- cm.yaml\n";
    write(dir, "app/kustomization.yaml", original);
    let out = tk(&[
        "build",
        "ks",
        "other",
        "--path",
        &path(dir, "app"),
        "--kustomization-file",
        &path(dir, "ks.yaml"),
        "--dry-run",
        "-n",
        "apps",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("name: config\n"), "{text}");
    assert!(
        text.contains("kustomize.toolkit.fluxcd.io/namespace: apps\n"),
        "{text}"
    );
    assert!(!text.contains("Namespace"), "{text}");
    assert_eq!(
        std::fs::read_to_string(dir.join("app/kustomization.yaml")).unwrap(),
        original
    );
}

#[test]
fn build_errors_name_the_flag_or_object() {
    let tmp = fixture();
    let dir = tmp.path();
    let app = path(dir, "app");
    let ks = path(dir, "ks.yaml");
    let missing = path(dir, "missing");
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["app", "--kustomization-file", &ks, "--dry-run"],
            "✗ invalid resource path \"\"\n".to_string(),
        ),
        (
            vec![
                "app",
                "--path",
                &missing,
                "--kustomization-file",
                &ks,
                "--dry-run",
            ],
            format!("✗ invalid resource path {missing:?}\n"),
        ),
        (
            vec!["app", "--path", &app, "--dry-run"],
            "✗ dry-run mode requires a kustomization file\n".to_string(),
        ),
        (
            vec![
                "app",
                "--path",
                &app,
                "--kustomization-file",
                &missing,
                "--dry-run",
            ],
            format!("✗ invalid kustomization file {missing:?}\n"),
        ),
        (
            vec![
                "nope",
                "--path",
                &app,
                "--kustomization-file",
                &ks,
                "--dry-run",
            ],
            format!(
                "✗ failed find kustomization with name 'nope' and namespace 'flux-system' in file '{ks}'\n"
            ),
        ),
    ];
    for (args, expected) in cases {
        let mut full = vec!["build", "kustomization"];
        full.extend(args.iter().copied());
        let out = tk(&full);
        assert_eq!(out.status.code(), Some(1), "{full:?}");
        assert_eq!(stderr(&out), expected, "{full:?}");
        assert_eq!(stdout(&out), "", "{full:?}");
    }
}

#[test]
fn build_fails_on_a_bad_manifest_naming_the_file() {
    let tmp = fixture();
    let dir = tmp.path();
    write(dir, "app/bad.yaml", "kind: [unclosed\n");
    let out = tk(&[
        "build",
        "kustomization",
        "app",
        "--path",
        &path(dir, "app"),
        "--kustomization-file",
        &path(dir, "ks.yaml"),
        "--dry-run",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with(
            "✗ failed to generate kustomization.yaml: failed to decode Kubernetes YAML from "
        ),
        "{err}"
    );
    assert!(err.contains("bad.yaml"), "{err}");
    assert!(!dir.join("app/kustomization.yaml").exists());
}

#[test]
fn build_and_diff_need_a_name() {
    for command in ["build", "diff"] {
        let out = tk(&[command, "kustomization"]);
        assert_eq!(out.status.code(), Some(2), "{command}");
        assert!(stderr(&out).contains("<NAME>"), "{}", stderr(&out));
    }
}

#[test]
fn build_diff_exits_2_on_a_bad_path() {
    let out = tk(&["diff", "kustomization", "app", "--path", "/nonexistent/tk"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "✗ invalid resource path \"/nonexistent/tk\"\n"
    );
}
