//! `tk build kustomization` and `tk diff kustomization` against the rig: the Kustomization
//! is read from the cluster, the local directory built as the controller would, and the diff
//! is the SSA engine's server-side dry run (exit 1 on drift, 0 without).

use std::path::Path;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::{Value, json};

use crate::support::{client, rig, tk, with_crds};

fn kustomizations(client: &kube::Client, ns: &str) -> Api<DynamicObject> {
    let resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("kustomize.toolkit.fluxcd.io", "v1", "Kustomization"),
        "kustomizations",
    );
    Api::namespaced_with(client.clone(), ns, &resource)
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn config_map(value: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  greeting: ${{greeting}}\n  level: {value}\n"
    )
}

fn run(ns: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let mut full = args.to_vec();
    full.extend(["-n", ns]);
    let out = tk(rig().kubeconfig_path(), &full);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn kustomize_build_cli_builds_and_diffs_against_the_cluster() {
    let client = client(rig().kubeconfig_path()).await;
    let _crds = with_crds(&client).await;
    let ns = testenv::unique_name("ksbuild");
    Api::<Namespace>::all(client.clone())
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({ "metadata": { "name": ns } })).unwrap(),
        )
        .await
        .unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("app");
    write(&dir, "cm.yaml", &config_map("info"));
    write(
        &dir,
        "secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  token: one\n",
    );
    let path = dir.display().to_string();

    // No Kustomization yet: the error names it.
    let (code, _, err) = run(&ns, &["build", "kustomization", "app", "--path", &path]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("failed to get kustomization object") && err.contains("\"app\""),
        "{err}"
    );
    let (code, _, err) = run(&ns, &["diff", "kustomization", "app", "--path", &path]);
    assert_eq!(code, Some(2), "{err}");

    kustomizations(&client, &ns)
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({
                "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
                "kind": "Kustomization",
                "metadata": { "name": "app", "namespace": ns },
                "spec": {
                    "interval": "5m",
                    "path": "./app",
                    "prune": true,
                    "targetNamespace": ns,
                    "sourceRef": { "kind": "GitRepository", "name": "repo" },
                    "postBuild": { "substitute": { "greeting": "hello" } }
                }
            }))
            .unwrap(),
        )
        .await
        .unwrap();

    // Build: the controller's rendering with its owner labels.
    let (code, built, err) = run(&ns, &["build", "kustomization", "app", "--path", &path]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        built,
        format!(
            "apiVersion: v1
data:
  greeting: hello
  level: info
kind: ConfigMap
metadata:
  labels:
    kustomize.toolkit.fluxcd.io/name: app
    kustomize.toolkit.fluxcd.io/namespace: {ns}
  name: app
  namespace: {ns}
---
apiVersion: v1
kind: Secret
metadata:
  labels:
    kustomize.toolkit.fluxcd.io/name: app
    kustomize.toolkit.fluxcd.io/namespace: {ns}
  name: creds
  namespace: {ns}
stringData:
  token: one
---
"
        )
    );
    assert!(!dir.join("kustomization.yaml").exists());

    // Diff before apply: everything would be created.
    let (code, out, err) = run(&ns, &["diff", "ks", "app", "--path", &path]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert_eq!(
        out,
        format!("► ConfigMap/{ns}/app created\n► Secret/{ns}/creds created\n")
    );
    assert!(err.contains("identified at least one change"), "{err}");

    // Apply the build output as the controller would.
    let objects: Vec<Value> = kustomize::yaml::parse_all(built.as_bytes(), Path::new("build"))
        .unwrap()
        .into_iter()
        .filter(|o| !o.is_null())
        .collect();
    let manager = tk::ssa::ResourceManager::new(
        client.clone(),
        "kustomize-controller",
        tk::ssa::Owner {
            group: "kustomize.toolkit.fluxcd.io".into(),
            name: "app".into(),
            namespace: ns.clone(),
        },
    );
    manager
        .apply_all_staged(
            objects,
            &tk::ssa::ApplyOptions {
                force: false,
                wait_interval: std::time::Duration::from_millis(500),
                wait_timeout: std::time::Duration::from_secs(60),
            },
        )
        .await
        .expect("apply");

    // No drift now.
    let (code, out, err) = run(&ns, &["diff", "kustomization", "app", "--path", &path]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(out, "");

    // A local change drifts, shown as a unified diff; Secret values stay masked.
    write(&dir, "cm.yaml", &config_map("debug"));
    write(
        &dir,
        "secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  token: two\n",
    );
    let (code, out, err) = run(&ns, &["diff", "kustomization", "app", "--path", &path]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        out.starts_with(&format!("► ConfigMap/{ns}/app drifted\n@@ ")),
        "{out}"
    );
    assert!(out.contains("\n-  level: info\n+  level: debug\n"), "{out}");
    assert!(
        out.contains(&format!("► Secret/{ns}/creds drifted\n")),
        "{out}"
    );
    assert!(
        out.contains("-  token: '*** (before)'\n") || out.contains("-  token: \"*** (before)\"\n"),
        "{out}"
    );
    assert!(!out.contains("dHdv") && !out.contains("b25l"), "{out}");

    // Pruned objects in the inventory that the build no longer has are listed as deleted.
    write(&dir, "cm.yaml", &config_map("info"));
    write(
        &dir,
        "secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  token: one\n",
    );
    kustomizations(&client, &ns)
        .patch_status(
            "app",
            &PatchParams::default(),
            &Patch::Merge(json!({ "status": { "inventory": { "entries": [
                { "id": format!("{ns}_app__ConfigMap"), "v": "v1" },
                { "id": format!("{ns}_creds__Secret"), "v": "v1" },
                { "id": format!("{ns}_old__ConfigMap"), "v": "v1" },
            ] } } })),
        )
        .await
        .unwrap();
    let (code, out, err) = run(&ns, &["diff", "kustomization", "app", "--path", &path]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert_eq!(out, format!("► ConfigMap/{ns}/old deleted\n"));

    Api::<Namespace>::all(client.clone())
        .delete(&ns, &DeleteParams::default())
        .await
        .unwrap();
}
