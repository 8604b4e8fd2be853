//! `tk kustomize build`: output, `-o`, and errors, without a cluster. The bytes expected here
//! are what `kustomize build` v5.5.0 prints for the same tree (crates/kustomize's
//! differential test compares the engine with the real binary on many more).

use std::path::Path;
use std::process::{Command, Output};

use super::{stderr, stdout};

const BASE_KUSTOMIZATION: &str = "\
resources:
- app.yaml
configMapGenerator:
- name: settings
  literals:
  - LOG_LEVEL=info
";

const BASE_APP: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.27
        envFrom:
        - configMapRef:
            name: settings
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
";

const OVERLAY_KUSTOMIZATION: &str = "\
resources:
- ../base
namePrefix: prod-
namespace: web
images:
- name: nginx
  newTag: \"1.28\"
";

/// `kustomize build overlay` v5.5.0 on the tree above.
const EXPECTED: &str = "\
apiVersion: v1
data:
  LOG_LEVEL: info
kind: ConfigMap
metadata:
  name: prod-settings-hf678c7m2b
  namespace: web
---
apiVersion: v1
kind: Service
metadata:
  name: prod-web
  namespace: web
spec:
  ports:
  - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: prod-web
  namespace: web
spec:
  template:
    spec:
      containers:
      - envFrom:
        - configMapRef:
            name: prod-settings-hf678c7m2b
        image: nginx:1.28
        name: web
";

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A base and an overlay in a temporary directory that looks like a Git work tree.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), "base/kustomization.yaml", BASE_KUSTOMIZATION);
    write(dir.path(), "base/app.yaml", BASE_APP);
    write(
        dir.path(),
        "overlay/kustomization.yaml",
        OVERLAY_KUSTOMIZATION,
    );
    dir
}

fn tk_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tk"))
        .args(args)
        .current_dir(dir)
        .env_remove("KUBECONFIG")
        .env("HOME", env!("CARGO_TARGET_TMPDIR"))
        .output()
        .expect("tk runs")
}

#[test]
fn kustomize_build_prints_what_kustomize_prints() {
    let tree = tree();
    let out = tk_in(tree.path(), &["kustomize", "build", "overlay"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), EXPECTED);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn kustomize_build_defaults_to_the_current_directory_inside_the_work_tree() {
    let tree = tree();
    // From inside the overlay, ../base is still in the build root: the Git work tree.
    let out = tk_in(&tree.path().join("overlay"), &["kustomize", "build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), EXPECTED);
}

#[test]
fn kustomize_build_root_confines_reads() {
    let tree = tree();
    std::fs::remove_dir(tree.path().join(".git")).unwrap();
    let overlay = tree.path().join("overlay");
    let out = tk_in(
        &overlay,
        &["kustomize", "build", "--root", overlay.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("tk kustomize build .:")
            && err.contains("../base")
            && err.contains("pass --root"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn kustomize_build_reorder_none_keeps_input_order() {
    let tree = tree();
    let out = tk_in(
        tree.path(),
        &["kustomize", "build", "overlay", "--reorder", "none"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let kinds: Vec<String> = stdout(&out)
        .lines()
        .filter_map(|l| l.strip_prefix("kind: "))
        .map(str::to_owned)
        .collect();
    assert_eq!(kinds, ["Deployment", "Service", "ConfigMap"]);
}

#[test]
fn kustomize_build_output_flag_writes_the_file() {
    let tree = tree();
    let target = tree.path().join("out/rendered.yaml");
    std::fs::create_dir(tree.path().join("out")).unwrap();
    std::fs::write(&target, "old contents\n").unwrap();
    let out = tk_in(
        tree.path(),
        &[
            "kustomize",
            "build",
            "overlay",
            "-o",
            target.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), EXPECTED);
    // Written through a temporary file renamed in place: nothing else is left behind.
    let entries: Vec<_> = std::fs::read_dir(tree.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, ["rendered.yaml"]);
}

#[test]
fn kustomize_build_failure_leaves_the_output_file_alone() {
    let tree = tree();
    write(tree.path(), "overlay/kustomization.yaml", "resources: [\n");
    let target = tree.path().join("rendered.yaml");
    std::fs::write(&target, "old contents\n").unwrap();
    let out = tk_in(
        tree.path(),
        &["kustomize", "build", "overlay", "-o", "rendered.yaml"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old contents\n");
}

#[test]
fn kustomize_build_malformed_kustomization_names_the_file() {
    let tree = tree();
    write(
        tree.path(),
        "base/kustomization.yaml",
        "resources: [app.yaml\nnamePrefix: x\n",
    );
    let out = tk_in(tree.path(), &["kustomize", "build", "./overlay"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.starts_with("✗ tk kustomize build ./overlay: "), "{err}");
    assert!(
        err.contains("/base/kustomization.yaml") && err.contains("MalformedYAMLError"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn kustomize_build_unknown_field_is_kustomizes_error() {
    let tree = tree();
    write(tree.path(), "overlay/kustomization.yaml", "resourcez: []\n");
    let out = tk_in(tree.path(), &["kustomize", "build", "overlay"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "✗ tk kustomize build overlay: invalid Kustomization: json: unknown field \"resourcez\"\n"
    );
}

#[test]
fn kustomize_build_refuses_remote_bases() {
    let tree = tree();
    write(
        tree.path(),
        "overlay/kustomization.yaml",
        "resources:\n- https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.5.0\n",
    );
    let out = tk_in(tree.path(), &["kustomize", "build", "overlay"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("tk kustomize build overlay:")
            && err.contains("remote")
            && err.contains("github.com/kubernetes-sigs/kustomize"),
        "{err}"
    );
    // And a remote DIR is refused before anything is fetched.
    let out = tk_in(
        tree.path(),
        &["kustomize", "build", "https://github.com/org/repo//deploy"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("remote kustomizations are not supported"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn kustomize_build_load_restrictor_none_reads_files_outside_the_kustomization() {
    let tree = tree();
    write(
        tree.path(),
        "overlay/kustomization.yaml",
        "resources:\n- ../base/app.yaml\n",
    );
    let out = tk_in(tree.path(), &["kustomize", "build", "overlay"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("is not in or below")
            && err.contains("--load-restrictor LoadRestrictionsNone"),
        "{err}"
    );
    let out = tk_in(
        tree.path(),
        &[
            "kustomize",
            "build",
            "overlay",
            "--load-restrictor",
            "LoadRestrictionsNone",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("name: web"), "{}", stdout(&out));
    // The short alias means the same.
    let alias = tk_in(
        tree.path(),
        &["kustomize", "build", "overlay", "--load-restrictor", "none"],
    );
    assert!(alias.status.success(), "{}", stderr(&alias));
    assert_eq!(stdout(&alias), stdout(&out));
}

#[test]
fn kustomize_build_rejects_unknown_flag_values() {
    let tree = tree();
    let out = tk_in(
        tree.path(),
        &[
            "kustomize",
            "build",
            "overlay",
            "--load-restrictor",
            "nothing",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("LoadRestrictionsRootOnly"),
        "{}",
        stderr(&out)
    );
}
