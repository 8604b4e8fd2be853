//! `tk tree kustomization` and `tk events` against the rig. No controller runs: the test
//! writes the Kustomizations' `status.inventory` and the core/v1 Events the controllers
//! would, and checks the output is flux's.

use k8s_openapi::api::core::v1::Event;
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::{Value, json};

use crate::support::{client, create_namespace, rig, tk, tk_ok, with_crds};

fn ks_api(client: &kube::Client, ns: &str) -> Api<DynamicObject> {
    Api::namespaced_with(
        client.clone(),
        ns,
        &ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("kustomize.toolkit.fluxcd.io", "v1", "Kustomization"),
            "kustomizations",
        ),
    )
}

/// A Kustomization whose status carries `entries` as its inventory.
async fn kustomization(client: &kube::Client, ns: &str, name: &str, entries: Value) {
    let api = ks_api(client, ns);
    let object = json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": { "name": name, "namespace": ns },
        "spec": { "path": "./", "sourceRef": { "kind": "GitRepository", "name": "repo" },
                  "interval": "5m", "prune": true }
    });
    api.patch(
        name,
        &PatchParams::apply("tk-e2e-tree"),
        &Patch::Apply(&object),
    )
    .await
    .unwrap();
    api.patch_status(
        name,
        &PatchParams::default(),
        &Patch::Merge(&json!({ "status": { "inventory": { "entries": entries } } })),
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn tree_prints_the_inventory_with_nested_kustomizations() {
    let kubeconfig = rig().kubeconfig_path();
    let client = client(kubeconfig).await;
    let _crds = with_crds(&client).await;
    let ns = create_namespace(&client, "tktree").await;
    let ks = "kustomize.toolkit.fluxcd.io_Kustomization";
    kustomization(
        &client,
        &ns,
        "root",
        json!([
            { "id": format!("_{ns}__Namespace"), "v": "v1" },
            { "id": format!("{ns}_web_apps_Deployment"), "v": "v1" },
            { "id": format!("{ns}_apps_{ks}"), "v": "v1" },
            { "id": format!("{ns}_root_{ks}"), "v": "v1" },
            { "id": format!("{ns}_repo_source.toolkit.fluxcd.io_GitRepository"), "v": "v1" },
        ]),
    )
    .await;
    kustomization(
        &client,
        &ns,
        "apps",
        json!([
            { "id": format!("{ns}_config__ConfigMap"), "v": "v1" },
            { "id": format!("{ns}_podinfo_helm.toolkit.fluxcd.io_HelmRelease"), "v": "v2" },
        ]),
    )
    .await;

    let out = tk_ok(kubeconfig, &["tree", "kustomization", "root", "-n", &ns]);
    assert_eq!(
        out,
        format!(
            "Kustomization/{ns}/root\n\
             ├── Namespace/{ns}\n\
             ├── Deployment/{ns}/web\n\
             ├── Kustomization/{ns}/apps\n\
             │   ├── ConfigMap/{ns}/config\n\
             │   └── HelmRelease/{ns}/podinfo\n\
             └── GitRepository/{ns}/repo\n\n"
        )
    );
    let out = tk_ok(kubeconfig, &["tree", "ks", "root", "-n", &ns, "--compact"]);
    assert_eq!(
        out,
        format!(
            "Kustomization/{ns}/root\n\
             ├── Kustomization/{ns}/apps\n\
             │   └── HelmRelease/{ns}/podinfo\n\
             └── GitRepository/{ns}/repo\n\n"
        )
    );
    let out = tk_ok(kubeconfig, &["tree", "ks", "apps", "-n", &ns, "-o", "json"]);
    let tree: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(tree["resource"]["Name"], "apps");
    assert_eq!(
        tree["resources"][1]["resource"]["GroupKind"]["Kind"],
        "HelmRelease"
    );

    let out = tk(kubeconfig, &["tree", "ks", "missing", "-n", &ns]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not found"));
}

fn at(ago_hours: i64) -> String {
    (Timestamp::now() - SignedDuration::from_mins(ago_hours * 60 + 30)).to_string()
}

async fn event(
    client: &kube::Client,
    ns: &str,
    name: &str,
    (kind, object): (&str, &str),
    (type_, reason, message): (&str, &str, &str),
    (first, last, count): (i64, i64, i32),
) {
    let event: Event = serde_json::from_value(json!({
        "metadata": { "name": name, "namespace": ns },
        "involvedObject": { "kind": kind, "name": object, "namespace": ns,
                            "apiVersion": "kustomize.toolkit.fluxcd.io/v1" },
        "type": type_, "reason": reason, "message": message,
        "firstTimestamp": at(first), "lastTimestamp": at(last), "count": count,
        "source": { "component": "kustomize-controller" }
    }))
    .unwrap();
    Api::<Event>::namespaced(client.clone(), ns)
        .create(&PostParams::default(), &event)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn events_lists_an_objects_events_and_its_sources() {
    let kubeconfig = rig().kubeconfig_path();
    let client = client(kubeconfig).await;
    let _crds = with_crds(&client).await;
    let ns = create_namespace(&client, "tkevents").await;
    kustomization(&client, &ns, "apps", json!([])).await;
    event(
        &client,
        &ns,
        "e1",
        ("Kustomization", "apps"),
        (
            "Normal",
            "ReconciliationSucceeded",
            "Reconciliation finished",
        ),
        (12, 12, 1),
    )
    .await;
    event(
        &client,
        &ns,
        "e2",
        ("GitRepository", "repo"),
        ("Normal", "NewArtifact", "stored artifact for commit"),
        (20, 20, 1),
    )
    .await;
    event(
        &client,
        &ns,
        "e3",
        ("Kustomization", "apps"),
        ("Warning", "BuildFailed", "kustomize build failed"),
        (30, 10, 4),
    )
    .await;
    event(
        &client,
        &ns,
        "e4",
        ("Kustomization", "other"),
        ("Normal", "Progressing", "other object"),
        (11, 11, 1),
    )
    .await;
    event(
        &client,
        &ns,
        "e5",
        ("Pod", "web"),
        ("Normal", "Started", "not a Flux kind"),
        (9, 9, 1),
    )
    .await;

    let out = tk_ok(
        kubeconfig,
        &["events", "--for", "Kustomization/apps", "-n", &ns],
    );
    assert_eq!(
        out,
        "LAST SEEN        \tTYPE   \tREASON                 \tOBJECT            \tMESSAGE                    \n\
         20h              \tNormal \tNewArtifact            \tGitRepository/repo\tstored artifact for commit\t\n\
         12h              \tNormal \tReconciliationSucceeded\tKustomization/apps\tReconciliation finished   \t\n\
         10h (x4 over 30h)\tWarning\tBuildFailed            \tKustomization/apps\tkustomize build failed    \t\n"
    );

    let out = tk_ok(kubeconfig, &["events", "-n", &ns, "--types", "warning"]);
    assert_eq!(
        out,
        "LAST SEEN        \tTYPE   \tREASON     \tOBJECT            \tMESSAGE                \n\
         10h (x4 over 30h)\tWarning\tBuildFailed\tKustomization/apps\tkustomize build failed\t\n"
    );

    let out = tk_ok(kubeconfig, &["events", "-n", &ns]);
    assert_eq!(out.lines().count(), 5, "{out}");
    assert!(out.contains("Kustomization/other"));
    assert!(!out.contains("Pod/web"));

    let out = tk_ok(kubeconfig, &["events", "-A", "--for", "Kustomization"]);
    assert!(out.starts_with("NAMESPACE"), "{out}");
    assert!(out.contains(&ns));

    let out = tk_ok(
        kubeconfig,
        &[
            "events",
            "-n",
            &ns,
            "--for",
            "Kustomization/apps",
            "--watch",
            "--timeout",
            "3s",
        ],
    );
    assert!(out.starts_with("LAST SEEN"), "{out}");
    assert_eq!(out.matches("LAST SEEN").count(), 1, "{out}");
    assert_eq!(out.lines().count(), 4, "{out}");
    assert!(out.contains("GitRepository/repo"), "{out}");

    let empty = create_namespace(&client, "tkevents-empty").await;
    let out = tk(kubeconfig, &["events", "-n", &empty]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains(&format!("No events found in {empty} namespace.")),
    );
}
