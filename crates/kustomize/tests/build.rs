//! Behaviour of the engine on small trees: loading, bases, cycles, confinement, refusals,
//! parser limits and output order.

use std::fs;
use std::path::Path;

use kustomize::{BuildOptions, Error, Reorder, Root, build_at};

fn write(dir: &Path, rel: &str, content: &str) {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
}

fn kust(dir: &Path, rel: &str, body: &str) {
    write(
        dir,
        &format!("{rel}/kustomization.yaml"),
        &format!("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n{body}"),
    );
}

fn cm(name: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n")
}

fn build_dir(root: &Path, dir: &str) -> kustomize::Result<String> {
    let root = Root::new(root)?;
    let opts = BuildOptions {
        reorder: Reorder::None,
        ..BuildOptions::default()
    };
    build_at(&root, Path::new(dir), &opts).map(|r| kustomize::to_yaml(&r))
}

#[test]
fn loads_multi_document_files_in_order() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "a.yaml",
        &format!("{}---\n{}", cm("one"), cm("two")),
    );
    kust(t.path(), ".", "resources:\n- a.yaml\n");
    let out = build_dir(t.path(), ".").unwrap();
    assert_eq!(
        out,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two\n"
    );
}

#[test]
fn builds_bases_recursively_with_overlay_transformers() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "base/cm.yaml", &cm("app"));
    kust(t.path(), "base", "resources:\n- cm.yaml\n");
    kust(
        t.path(),
        "overlay",
        "resources:\n- ../base\nnamespace: prod\nnamePrefix: p-\nnameSuffix: -s\ncommonAnnotations:\n  team: a\n",
    );
    let out = build_dir(t.path(), "overlay").unwrap();
    assert_eq!(
        out,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n    team: a\n  name: p-app-s\n  namespace: prod\n"
    );
}

#[test]
fn accepts_the_three_file_names_and_refuses_two_at_once() {
    for name in ["kustomization.yaml", "kustomization.yml", "Kustomization"] {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), name, "resources: []\n");
        assert_eq!(build_dir(t.path(), ".").unwrap(), "");
    }
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "kustomization.yaml", "");
    write(t.path(), "Kustomization", "");
    let err = build_dir(t.path(), ".").unwrap_err();
    assert!(matches!(err, Error::MultipleKustomizations(_)), "{err}");
    assert!(
        err.to_string()
            .contains("Found multiple kustomization files under: /")
    );
}

#[test]
fn reports_missing_kustomization_file() {
    let t = tempfile::tempdir().unwrap();
    let err = build_dir(t.path(), ".").unwrap_err();
    assert!(
        err.to_string()
            .contains("unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '/'"),
        "{err}"
    );
}

#[test]
fn rejects_unknown_fields_like_kustomize() {
    let t = tempfile::tempdir().unwrap();
    kust(t.path(), ".", "resourcez:\n- a.yaml\n");
    let err = build_dir(t.path(), ".").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid Kustomization: json: unknown field \"resourcez\""
    );
}

#[test]
fn matches_field_names_case_insensitively_like_go_json() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "a.yaml", &cm("x"));
    kust(t.path(), ".", "Resources:\n- a.yaml\nnameprefix: p-\n");
    assert!(build_dir(t.path(), ".").unwrap().contains("name: p-x\n"));
}

#[test]
fn detects_cycles_and_names_them() {
    let t = tempfile::tempdir().unwrap();
    kust(t.path(), "a", "resources:\n- ../b\n");
    kust(t.path(), "b", "resources:\n- ../a\n");
    let err = build_dir(t.path(), "a").unwrap_err().to_string();
    assert!(err.contains("cycle detected: /a -> /b -> /a"), "{err}");

    let t = tempfile::tempdir().unwrap();
    kust(t.path(), ".", "resources:\n- .\n");
    let err = build_dir(t.path(), ".").unwrap_err().to_string();
    assert!(err.contains("cycle detected: / -> /"), "{err}");
}

#[test]
fn allows_a_diamond_of_bases_without_conflicts() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "base/cm.yaml", &cm("app"));
    kust(t.path(), "base", "resources:\n- cm.yaml\n");
    kust(t.path(), "a", "resources:\n- ../base\nnamePrefix: a-\n");
    kust(t.path(), "b", "resources:\n- ../base\nnamePrefix: b-\n");
    kust(t.path(), "top", "resources:\n- ../a\n- ../b\n");
    let out = build_dir(t.path(), "top").unwrap();
    assert!(out.contains("name: a-app") && out.contains("name: b-app"));

    write(t.path(), "clash/cm.yaml", &cm("app"));
    kust(
        t.path(),
        "clash",
        "resources:\n- ../base\n- ../a\n- cm.yaml\n",
    );
    let err = build_dir(t.path(), "clash").unwrap_err().to_string();
    assert!(
        err.contains("already registered id: ConfigMap.v1.[noGrp]/app.[noNs]"),
        "{err}"
    );
}

#[test]
fn refuses_parent_paths_leaving_the_root() {
    let outer = tempfile::tempdir().unwrap();
    write(outer.path(), "secret.yaml", &cm("secret"));
    let root = outer.path().join("root");
    kust(&root, ".", "resources:\n- ../secret.yaml\n");
    let err = build_dir(&root, ".").unwrap_err().to_string();
    assert!(err.contains("is not in or below"), "{err}");
}

#[test]
fn refuses_files_outside_the_kustomization_directory_but_allows_bases() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "shared/cm.yaml", &cm("x"));
    kust(t.path(), "app", "resources:\n- ../shared/cm.yaml\n");
    let err = build_dir(t.path(), "app").unwrap_err().to_string();
    assert!(
        err.contains("security; file '/shared/cm.yaml' is not in or below '/app'"),
        "{err}"
    );

    let opts = BuildOptions {
        load_restrictor: kustomize::LoadRestrictor::None,
        ..BuildOptions::default()
    };
    let root = Root::new(t.path()).unwrap();
    assert_eq!(build_at(&root, Path::new("app"), &opts).unwrap().len(), 1);
}

#[test]
fn refuses_absolute_paths() {
    let t = tempfile::tempdir().unwrap();
    kust(t.path(), ".", "resources:\n- /etc/passwd\n");
    let err = build_dir(t.path(), ".").unwrap_err().to_string();
    assert!(err.contains("absolute path '/etc/passwd' refused"), "{err}");
}

#[cfg(unix)]
#[test]
fn refuses_symlink_escaping_root() {
    let outer = tempfile::tempdir().unwrap();
    write(outer.path(), "outside.yaml", &cm("leak"));
    let root = outer.path().join("root");
    fs::create_dir_all(&root).unwrap();
    std::os::unix::fs::symlink(outer.path().join("outside.yaml"), root.join("link.yaml")).unwrap();
    std::os::unix::fs::symlink(outer.path(), root.join("dirlink")).unwrap();
    kust(&root, ".", "resources:\n- link.yaml\n");
    let err = build_dir(&root, ".").unwrap_err().to_string();
    assert!(err.contains("is not in or below"), "{err}");
    kust(&root, ".", "resources:\n- dirlink/outside.yaml\n");
    let err = build_dir(&root, ".").unwrap_err().to_string();
    assert!(err.contains("is not in or below"), "{err}");
    // A dangling link is reported as an escape, not followed.
    std::os::unix::fs::symlink("/nonexistent/x.yaml", root.join("dangling.yaml")).unwrap();
    kust(&root, ".", "resources:\n- dangling.yaml\n");
    assert!(build_dir(&root, ".").is_err());
}

#[cfg(unix)]
#[test]
fn follows_symlinks_that_stay_inside() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "real/cm.yaml", &cm("in"));
    std::os::unix::fs::symlink(t.path().join("real/cm.yaml"), t.path().join("link.yaml")).unwrap();
    kust(t.path(), ".", "resources:\n- link.yaml\n");
    assert!(build_dir(t.path(), ".").unwrap().contains("name: in"));
}

#[test]
fn refuses_remote_resources() {
    for url in [
        "https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v1",
        "github.com/org/repo/base",
        "git@github.com:org/repo.git",
    ] {
        let t = tempfile::tempdir().unwrap();
        kust(t.path(), ".", &format!("resources:\n- {url}\n"));
        let err = build_dir(t.path(), ".").unwrap_err().to_string();
        assert!(err.contains("remote bases are not allowed"), "{url}: {err}");
    }
}

#[test]
fn refuses_plugins_and_helm_charts() {
    let t = tempfile::tempdir().unwrap();
    kust(t.path(), ".", "helmCharts:\n- name: x\n");
    let err = build_dir(t.path(), ".").unwrap_err().to_string();
    assert!(err.contains("not run"), "{err}");
}

#[test]
fn refuses_alias_bombs_and_deep_nesting() {
    let t = tempfile::tempdir().unwrap();
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (i, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        bomb.push_str(&format!("{i}: &{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    write(
        t.path(),
        "bomb.yaml",
        &format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n{bomb}"),
    );
    kust(t.path(), ".", "resources:\n- bomb.yaml\n");
    let err = build_dir(t.path(), ".").unwrap_err().to_string();
    assert!(err.contains("MalformedYAMLError"), "{err}");

    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    write(
        t.path(),
        "bomb.yaml",
        &format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata: {deep}\n"),
    );
    let err = build_dir(t.path(), ".").unwrap_err().to_string();
    assert!(err.contains("MalformedYAMLError"), "{err}");
}

#[test]
fn refuses_duplicate_keys() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "a.yaml",
        "apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata:\n  name: a\n",
    );
    kust(t.path(), ".", "resources:\n- a.yaml\n");
    let err = build_dir(t.path(), ".").unwrap_err().to_string();
    assert!(
        err.contains("mapping key \"kind\" already defined"),
        "{err}"
    );
}

#[test]
fn kustomization_repeats_only_when_they_agree() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "cm.yaml", &cm("a"));
    kust(
        t.path(),
        ".",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nresources:\n- cm.yaml\n",
    );
    assert!(build_dir(t.path(), ".").unwrap().contains("name: a"));
    kust(
        t.path(),
        ".",
        "namePrefix: x-\nresources:\n- cm.yaml\nnamePrefix: y-\n",
    );
    let err = build_dir(t.path(), ".").unwrap_err().to_string();
    assert!(
        err.contains("mapping key \"namePrefix\" already defined"),
        "{err}"
    );
}

#[test]
fn refuses_an_empty_kustomization() {
    let t = tempfile::tempdir().unwrap();
    kust(t.path(), ".", "namePrefix: \"\"\n");
    let err = build_dir(t.path(), ".").unwrap_err().to_string();
    assert!(err.contains("kustomization.yaml is empty"), "{err}");
    kust(t.path(), ".", "resources: []\n");
    assert_eq!(build_dir(t.path(), ".").unwrap(), "");
}

#[test]
fn checks_the_api_version_of_each_kind() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "cm.yaml", &cm("a"));
    write(
        t.path(),
        "kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nresources:\n- cm.yaml\n",
    );
    let err = build_dir(t.path(), ".").unwrap_err().to_string();
    assert!(
        err.contains("apiVersion for Kustomization should be kustomize.config.k8s.io/v1beta1"),
        "{err}"
    );
}

#[test]
fn applies_components_to_the_parent_in_order() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "base/cm.yaml", &cm("app"));
    kust(t.path(), "base", "resources:\n- cm.yaml\n");
    write(
        t.path(),
        "c1/kustomization.yaml",
        "kind: Component\nnamePrefix: one-\n",
    );
    write(t.path(), "c2/cm.yaml", &cm("extra"));
    write(
        t.path(),
        "c2/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n- cm.yaml\nnameSuffix: -two\n",
    );
    kust(
        t.path(),
        "top",
        "resources:\n- ../base\ncomponents:\n- ../c1\n- ../c2\n",
    );
    let out = build_dir(t.path(), "top").unwrap();
    assert!(
        out.contains("name: one-app-two") && out.contains("name: extra-two"),
        "{out}"
    );

    // A component is not a base, a base is not a component, and a file is neither.
    kust(t.path(), "bad1", "resources:\n- ../c1\n");
    let err = build_dir(t.path(), "bad1").unwrap_err().to_string();
    assert!(err.contains("expected kind != 'Component'"), "{err}");
    kust(t.path(), "bad2", "components:\n- ../base\n");
    let err = build_dir(t.path(), "bad2").unwrap_err().to_string();
    assert!(err.contains("expected kind 'Component'"), "{err}");
    kust(t.path(), "bad3", "components:\n- ../base/cm.yaml\n");
    let err = build_dir(t.path(), "bad3").unwrap_err().to_string();
    assert!(err.contains("must build at directory"), "{err}");
    // A component that includes itself is a cycle, not a stack overflow.
    write(
        t.path(),
        "loop/kustomization.yaml",
        "kind: Component\ncomponents:\n- .\n",
    );
    kust(t.path(), "bad4", "components:\n- ../loop\n");
    let err = build_dir(t.path(), "bad4").unwrap_err().to_string();
    assert!(err.contains("cycle detected"), "{err}");
}

#[test]
fn parent_dir_at_the_root_is_refused_unless_clamped() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "base/cm.yaml", &cm("app"));
    kust(t.path(), "base", "resources:\n- cm.yaml\n");
    kust(t.path(), ".", "resources:\n- ../base\n");
    let err = build_dir(t.path(), ".").unwrap_err().to_string();
    assert!(err.contains("is not in or below"), "{err}");
    let root = Root::new_clamped(t.path()).unwrap();
    let out = build_at(&root, Path::new("."), &BuildOptions::default()).unwrap();
    assert!(kustomize::to_yaml(&out).contains("name: app"));
}

#[test]
fn sorts_in_legacy_order_by_default() {
    let t = tempfile::tempdir().unwrap();
    let doc = |api: &str, kind: &str, name: &str| {
        format!("apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\n")
    };
    let docs = [
        doc(
            "admissionregistration.k8s.io/v1",
            "ValidatingWebhookConfiguration",
            "v",
        ),
        doc("apps/v1", "Deployment", "d"),
        doc("example.com/v1", "Widget", "w"),
        doc("v1", "Service", "s"),
        doc(
            "admissionregistration.k8s.io/v1",
            "MutatingWebhookConfiguration",
            "m",
        ),
        doc("v1", "ConfigMap", "b"),
        doc("v1", "ConfigMap", "a"),
        doc("batch/v1", "Job", "j"),
        doc("v1", "Namespace", "n"),
    ];
    write(t.path(), "all.yaml", &docs.join("---\n"));
    kust(t.path(), ".", "resources:\n- all.yaml\n");
    let resources = kustomize::build(t.path()).unwrap();
    let order: Vec<String> = resources
        .iter()
        .map(|r| format!("{}/{}", r.kind(), r.name()))
        .collect();
    assert_eq!(
        order,
        [
            "Namespace/n",
            "ConfigMap/a",
            "ConfigMap/b",
            "Service/s",
            "Deployment/d",
            "Job/j",
            "Widget/w",
            "MutatingWebhookConfiguration/m",
            "ValidatingWebhookConfiguration/v",
        ]
    );
}

#[test]
fn namespace_skips_cluster_scoped_kinds_and_prefix_skips_crds() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "a.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\n---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n",
    );
    kust(
        t.path(),
        ".",
        "resources:\n- a.yaml\nnamespace: ns\nnamePrefix: p-\n",
    );
    let out = build_dir(t.path(), ".").unwrap();
    assert!(!out.contains("namespace: ns"), "{out}");
    assert!(
        out.contains("name: p-r\n") && out.contains("name: widgets.example.com\n"),
        "{out}"
    );
}

#[test]
fn prints_yaml_like_kustomize() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "a.yaml",
        "kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: q\n  labels:\n    port: 8080\ndata:\n  empty: \"\"\n  yes: \"yes\"\n  num: \"1.5\"\n  colon: \"a: b\"\n  text: |\n    line1\n    line2\n  list: [a, {k: v}]\n",
    );
    kust(t.path(), ".", "resources:\n- a.yaml\n");
    let out = build_dir(t.path(), ".").unwrap();
    assert_eq!(
        out,
        "apiVersion: v1\ndata:\n  colon: 'a: b'\n  empty: \"\"\n  list:\n  - a\n  - k: v\n  num: \"1.5\"\n  text: |\n    line1\n    line2\n  \"yes\": \"yes\"\nkind: ConfigMap\nmetadata:\n  labels:\n    port: \"8080\"\n  name: q\n"
    );
}

/// kustomize sets a label through one YAML node shared by every field that lacked it, so an
/// upper level's in-place edit of one of them (a `labels` entry reaching only metadata, or a
/// strategic merge) shows in all; a JSON patch re-creates the nodes and ends the sharing.
/// Expected outputs are `kubectl kustomize` (v5.5.0) ones.
#[test]
fn label_edits_follow_kustomizes_shared_nodes() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "base/objects.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n---\n\
         apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels:\n      app: web\n\
         \x20 template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers: []\n",
    );
    kust(t.path(), "base", "resources:\n- objects.yaml\n");
    kust(
        t.path(),
        "green",
        "resources:\n- ../base\ncommonLabels:\n  tier: green\n",
    );
    let tiers = |out: &str| -> Vec<String> {
        out.lines()
            .filter_map(|l| l.trim().strip_prefix("tier: ").map(String::from))
            .collect()
    };
    kust(
        t.path(),
        "blue",
        "resources:\n- ../green\nlabels:\n- pairs:\n    tier: blue\n",
    );
    assert_eq!(tiers(&build_dir(t.path(), "blue").unwrap()), ["blue"; 5]);
    // Same key on a parsed label: no shared node, only metadata changes.
    kust(
        t.path(),
        "app",
        "resources:\n- ../base\nlabels:\n- pairs:\n    app: foo\n",
    );
    let out = build_dir(t.path(), "app").unwrap();
    assert_eq!(out.matches("app: foo").count(), 2);
    assert_eq!(out.matches("app: web").count(), 3);
    kust(
        t.path(),
        "json",
        "resources:\n- ../green\nlabels:\n- pairs:\n    tier: blue\npatches:\n- target:\n    kind: Deployment\n\
         \x20 patch: |\n    - op: add\n      path: /metadata/annotations\n      value: {patched: \"true\"}\n",
    );
    assert_eq!(
        tiers(&build_dir(t.path(), "json").unwrap()),
        ["blue", "blue", "blue", "green", "green"]
    );
    kust(
        t.path(),
        "smp",
        "resources:\n- ../green\npatches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n\
         \x20   metadata:\n      name: web\n    spec:\n      template:\n        metadata:\n          labels:\n\
         \x20           tier: red\n",
    );
    assert_eq!(
        tiers(&build_dir(t.path(), "smp").unwrap()),
        ["green", "green", "red", "red", "red"]
    );
}
