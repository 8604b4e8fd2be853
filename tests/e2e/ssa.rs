//! The server-side apply engine (`tk::ssa`) against the rig: staged apply with dry-run
//! validation, no-op detection without writes, immutable fields and force, the per-object
//! `kustomize.toolkit.fluxcd.io/*` policies, prune, health waits and impersonation.

use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::{Value, json};
use tk::ssa::{
    Action, ApplyOptions, ChangeSet, DeleteOptions, DriftCache, Error, ObjectRef, Owner,
    ResourceManager, impersonating, inventory,
};

use crate::support::{create_namespace, rig};

const FIELD_MANAGER: &str = "kustomize-controller";

async fn config() -> kube::Config {
    tk::cli::install_crypto_provider();
    let kubeconfig = Kubeconfig::read_from(rig().kubeconfig_path()).expect("kubeconfig parses");
    kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("kubeconfig loads")
}

async fn admin() -> kube::Client {
    kube::Client::try_from(config().await).expect("client builds")
}

/// Records every request a client sends (`Request { method: PATCH, uri: ... }`), to prove
/// what was written.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

impl Recorder {
    async fn client(&self) -> kube::Client {
        kube::client::ClientBuilder::try_from(config().await)
            .expect("client builds")
            .with_layer(self)
            .build()
    }

    /// Requests that change the cluster: anything but GET and server-side dry runs.
    fn writes(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|r| !r.contains("method: GET") && !r.contains("dryRun=All"))
            .map(|r| r.split(", version:").next().unwrap_or(r).to_string())
            .collect()
    }

    /// Every request, as `METHOD path?query`.
    fn requests(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|r| {
                let method = r.split("method: ").nth(1).and_then(|m| m.split(',').next());
                let uri = r.split("uri: ").nth(1).and_then(|u| u.split(',').next());
                format!("{} {}", method.unwrap_or("?"), uri.unwrap_or("?"))
            })
            .collect()
    }

    fn clear(&self) {
        self.0.lock().unwrap().clear();
    }
}

impl<S> tower::Layer<S> for Recorder {
    type Service = Recording<S>;

    fn layer(&self, inner: S) -> Recording<S> {
        Recording {
            inner,
            log: self.0.clone(),
        }
    }
}

struct Recording<S> {
    inner: S,
    log: Arc<Mutex<Vec<String>>>,
}

impl<S: tower::Service<Req>, Req: std::fmt::Debug> tower::Service<Req> for Recording<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Req) -> S::Future {
        self.log.lock().unwrap().push(format!("{req:?}"));
        self.inner.call(req)
    }
}

fn manager(client: kube::Client, ns: &str) -> ResourceManager {
    ResourceManager::new(
        client,
        FIELD_MANAGER,
        Owner {
            group: "kustomize.toolkit.fluxcd.io".into(),
            name: "ssa-test".into(),
            namespace: ns.into(),
        },
    )
}

fn opts() -> ApplyOptions {
    ApplyOptions {
        force: false,
        wait_interval: Duration::from_millis(500),
        wait_timeout: Duration::from_secs(60),
    }
}

async fn drop_namespace(client: &kube::Client, name: &str) {
    let api: Api<Namespace> = Api::all(client.clone());
    let _ = api.delete(name, &DeleteParams::background()).await;
}

fn config_map(ns: &str, name: &str, data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns}, "data": data})
}

fn deployment(ns: &str, name: &str, extra_spec: Value) -> Value {
    let mut pod_spec = json!({"containers": [{"name": "app", "image": "registry.invalid/app:1", "ports": [{"containerPort": 8080}]}]});
    if let (Some(spec), Some(extra)) = (pod_spec.as_object_mut(), extra_spec.as_object()) {
        spec.extend(extra.clone());
    }
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": pod_spec}
        }
    })
}

fn actions(cs: &ChangeSet) -> Vec<(String, Action)> {
    cs.entries
        .iter()
        .map(|e| (e.object.to_string(), e.action))
        .collect()
}

fn r(group: &str, version: &str, kind: &str, ns: &str, name: &str) -> ObjectRef {
    ObjectRef {
        group: group.into(),
        version: version.into(),
        kind: kind.into(),
        namespace: ns.into(),
        name: name.into(),
    }
}

/// The live object (`None` when absent).
async fn live(client: &kube::Client, r: &ObjectRef) -> Option<Value> {
    let resource = ApiResource::from_gvk(&GroupVersionKind::gvk(&r.group, &r.version, &r.kind));
    let api: Api<DynamicObject> = if r.namespace.is_empty() {
        Api::all_with(client.clone(), &resource)
    } else {
        Api::namespaced_with(client.clone(), &r.namespace, &resource)
    };
    api.get_opt(&r.name)
        .await
        .unwrap()
        .map(|o| serde_json::to_value(o).unwrap())
}

fn resource_version(object: &Value) -> String {
    object["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn applies_a_staged_set_then_writes_only_what_changed() {
    let client = admin().await;
    let ns = testenv::unique_name("ssa-set");
    let group = format!("{}.example.com", testenv::unique_name("g"));
    let crd_name = format!("widgets.{group}");
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": crd_name},
        "spec": {
            "group": group, "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
            "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {
                "type": "object",
                "properties": {"spec": {"type": "object", "properties": {"size": {"type": "integer"}}}}
            }}}]
        }
    });
    let set = |data: &str| {
        vec![
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "app", "namespace": ns},
                   "spec": {"selector": {"app": "app"}, "ports": [{"port": 80, "targetPort": 8080}]}}),
            deployment(&ns, "app", json!({})),
            json!({"apiVersion": format!("{group}/v1"), "kind": "Widget",
                   "metadata": {"name": "w", "namespace": ns}, "spec": {"size": 3}}),
            config_map(&ns, "settings", json!({"key": data})),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
            crd.clone(),
        ]
    };
    let recorder = Recorder::default();
    let m = manager(recorder.client().await, &ns);

    let created = m
        .apply_all_staged(set("one"), &opts())
        .await
        .expect("first apply");
    assert_eq!(
        actions(&created),
        [
            (
                format!("CustomResourceDefinition/{crd_name}"),
                Action::Created
            ),
            (format!("Namespace/{ns}"), Action::Created),
            (format!("ConfigMap/{ns}/settings"), Action::Created),
            (format!("Service/{ns}/app"), Action::Created),
            (format!("Deployment/{ns}/app"), Action::Created),
            (format!("Widget/{ns}/w"), Action::Created),
        ]
    );
    assert!(
        created
            .summary()
            .contains(&format!("Deployment/{ns}/app created"))
    );
    let refs: Vec<ObjectRef> = created.entries.iter().map(|e| e.object.clone()).collect();
    let mut versions = Vec::new();
    for r in &refs {
        let object = live(&client, r)
            .await
            .unwrap_or_else(|| panic!("{r} exists"));
        assert_eq!(
            object["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"],
            "ssa-test"
        );
        assert_eq!(
            object["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/namespace"],
            ns.as_str()
        );
        versions.push(resource_version(&object));
    }

    // The same set again: nothing is written (dry runs and reads only), and no object's
    // resourceVersion moves (the Deployment's status may, so it is left out).
    recorder.clear();
    let again = m
        .apply_all_staged(set("one"), &opts())
        .await
        .expect("second apply");
    assert!(
        again.entries.iter().all(|e| e.action == Action::Unchanged),
        "{again}"
    );
    assert_eq!(again.summary(), "");
    assert_eq!(
        recorder.writes(),
        Vec::<String>::new(),
        "an unchanged set must not be written"
    );
    for (r, before) in refs.iter().zip(&versions) {
        if r.kind == "Deployment" {
            continue;
        }
        let after = resource_version(&live(&client, r).await.unwrap());
        assert_eq!(&after, before, "{r} was written although unchanged");
    }

    // One change: only that object is written.
    let changed = m
        .apply_all_staged(set("two"), &opts())
        .await
        .expect("third apply");
    let configured: Vec<_> = changed
        .entries
        .iter()
        .filter(|e| e.action != Action::Unchanged)
        .map(|e| (e.object.to_string(), e.action))
        .collect();
    assert_eq!(
        configured,
        [(format!("ConfigMap/{ns}/settings"), Action::Configured)]
    );
    assert_eq!(
        changed.summary(),
        format!("ConfigMap/{ns}/settings configured")
    );
    let cm = live(&client, &r("", "v1", "ConfigMap", &ns, "settings"))
        .await
        .unwrap();
    assert_eq!(cm["data"]["key"], "two");

    // The inventory names every object the Flux way; an empty source prunes them all, in
    // reverse order, and an already-deleted object is fine.
    let inv = inventory::from_change_set(&changed);
    assert!(
        inv.entries
            .iter()
            .any(|e| e.id == format!("{ns}_app_apps_Deployment") && e.v == "v1")
    );
    assert!(
        inv.entries
            .iter()
            .any(|e| e.id == format!("_{crd_name}_apiextensions.k8s.io_CustomResourceDefinition"))
    );
    let stale = inventory::stale(&inv, &Default::default());
    assert_eq!(stale.first().map(|r| r.kind.as_str()), Some("Widget"));
    assert_eq!(
        stale.last().map(|r| r.kind.as_str()),
        Some("CustomResourceDefinition")
    );
    let deleted = m
        .delete_all(&stale, &DeleteOptions::default())
        .await
        .expect("prune");
    assert!(
        deleted.entries.iter().all(|e| e.action == Action::Deleted),
        "{deleted}"
    );
    assert!(
        live(&client, &r("", "v1", "ConfigMap", &ns, "settings"))
            .await
            .is_none_or(|o| !o["metadata"]["deletionTimestamp"].is_null())
    );
    let twice = m
        .delete_all(&stale, &DeleteOptions::default())
        .await
        .expect("prune again");
    assert!(
        twice.entries.iter().all(|e| e.action == Action::Deleted),
        "{twice}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_object_stops_the_set_and_every_failure_is_named() {
    let client = admin().await;
    let ns = create_namespace(&client, "ssa-bad").await;
    let fresh_ns = testenv::unique_name("ssa-never");
    let m = manager(client.clone(), &ns);
    let set = vec![
        // Stage one would create this namespace: it must not be, since stage two is invalid.
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": fresh_ns}}),
        config_map(&ns, "good", json!({"a": "1"})),
        config_map(&ns, "Not_A_Valid_Name", json!({"a": "1"})),
        {
            let mut d = deployment(&ns, "negative", json!({}));
            d["spec"]["replicas"] = json!(-1);
            d
        },
    ];
    let err = m
        .apply_all_staged(set, &opts())
        .await
        .expect_err("the set is invalid");
    let message = err.to_string();
    assert!(
        matches!(err, Error::DryRun(ref f) if f.len() == 2),
        "{err:?}"
    );
    assert!(
        message.contains(&format!(
            "ConfigMap/{ns}/Not_A_Valid_Name dry-run failed (Invalid)"
        )),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "Deployment/{ns}/negative dry-run failed (Invalid)"
        )),
        "{message}"
    );
    assert!(message.contains("spec.replicas"), "{message}");
    assert!(
        live(&client, &r("", "v1", "ConfigMap", &ns, "good"))
            .await
            .is_none()
    );
    assert!(
        live(&client, &r("", "v1", "Namespace", "", &fresh_ns))
            .await
            .is_none()
    );

    // An unknown kind is named too.
    let unknown = json!({"apiVersion": "nowhere.example.com/v1", "kind": "Ghost", "metadata": {"name": "g", "namespace": ns}});
    let err = m
        .apply_all_staged(vec![unknown], &opts())
        .await
        .expect_err("unknown kind");
    assert!(
        err.to_string().contains(&format!(
            "Ghost/{ns}/g dry-run failed: no matches for kind \"Ghost\""
        )),
        "{err}"
    );
    drop_namespace(&client, &ns).await;
}

fn job(ns: &str, name: &str, image: &str) -> Value {
    json!({
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "run", "image": image}]}}}
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn immutable_changes_fail_without_force_and_recreate_with_it() {
    let client = admin().await;
    let ns = create_namespace(&client, "ssa-force").await;
    let m = manager(client.clone(), &ns);
    let job_ref = r("batch", "v1", "Job", &ns, "migrate");
    m.apply_all_staged(
        vec![job(&ns, "migrate", "registry.invalid/migrate:1")],
        &opts(),
    )
    .await
    .expect("job created");
    let uid = live(&client, &job_ref).await.unwrap()["metadata"]["uid"].clone();

    let err = m
        .apply_all_staged(
            vec![job(&ns, "migrate", "registry.invalid/migrate:2")],
            &opts(),
        )
        .await
        .expect_err("the pod template of a Job is immutable");
    let message = err.to_string();
    assert!(
        message.contains(&format!("Job/{ns}/migrate dry-run failed (Invalid)")),
        "{message}"
    );
    assert!(
        message.contains("spec.template") && message.contains("immutable"),
        "{message}"
    );
    assert!(
        message.contains("spec.force"),
        "the error says how to recreate: {message}"
    );

    let forced = ApplyOptions {
        force: true,
        ..opts()
    };
    let cs = m
        .apply_all_staged(
            vec![job(&ns, "migrate", "registry.invalid/migrate:2")],
            &forced,
        )
        .await
        .expect("force recreates the job");
    assert_eq!(
        actions(&cs),
        [(format!("Job/{ns}/migrate"), Action::Created)]
    );
    let recreated = live(&client, &job_ref).await.unwrap();
    assert_ne!(recreated["metadata"]["uid"], uid);
    assert_eq!(
        recreated["spec"]["template"]["spec"]["containers"][0]["image"],
        "registry.invalid/migrate:2"
    );

    // The per-object annotation forces without spec.force.
    let mut annotated = job(&ns, "migrate", "registry.invalid/migrate:3");
    annotated["metadata"]["annotations"] = json!({"kustomize.toolkit.fluxcd.io/force": "Enabled"});
    let cs = m
        .apply_all_staged(vec![annotated], &opts())
        .await
        .expect("annotation forces");
    assert_eq!(
        actions(&cs),
        [(format!("Job/{ns}/migrate"), Action::Created)]
    );
    drop_namespace(&client, &ns).await;
}

fn annotated(mut object: Value, key: &str, value: &str) -> Value {
    object["metadata"]["annotations"] = json!({ key: value });
    object
}

#[tokio::test(flavor = "multi_thread")]
async fn ssa_annotations_skip_or_merge_as_flux_does() {
    let client = admin().await;
    let ns = create_namespace(&client, "ssa-policy").await;
    let m = manager(client.clone(), &ns);
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    let ssa = "kustomize.toolkit.fluxcd.io/ssa";

    // IfNotPresent: created once, never updated.
    let once = |v: &str| {
        annotated(
            config_map(&ns, "once", json!({"v": v})),
            ssa,
            "IfNotPresent",
        )
    };
    let cs = m.apply_all_staged(vec![once("1")], &opts()).await.unwrap();
    assert_eq!(
        actions(&cs),
        [(format!("ConfigMap/{ns}/once"), Action::Created)]
    );
    let cs = m.apply_all_staged(vec![once("2")], &opts()).await.unwrap();
    assert_eq!(
        actions(&cs),
        [(format!("ConfigMap/{ns}/once"), Action::Skipped)]
    );
    assert_eq!(cms.get("once").await.unwrap().data.unwrap()["v"], "1");

    // Ignore on the live object: the cluster's copy wins.
    m.apply_all_staged(vec![config_map(&ns, "ignored", json!({"v": "1"}))], &opts())
        .await
        .unwrap();
    cms.patch(
        "ignored",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"annotations": {ssa: "ignore"}}})),
    )
    .await
    .unwrap();
    let cs = m
        .apply_all_staged(vec![config_map(&ns, "ignored", json!({"v": "2"}))], &opts())
        .await
        .unwrap();
    assert_eq!(
        actions(&cs),
        [(format!("ConfigMap/{ns}/ignored"), Action::Skipped)]
    );
    assert_eq!(cms.get("ignored").await.unwrap().data.unwrap()["v"], "1");

    // Fields added by kubectl are removed by the next apply, unless the object says Merge.
    for (name, merge) in [("override", false), ("merge", true)] {
        let desired = || {
            let cm = config_map(&ns, name, json!({"v": "1"}));
            if merge {
                annotated(cm, ssa, "Merge")
            } else {
                cm
            }
        };
        m.apply_all_staged(vec![desired()], &opts()).await.unwrap();
        let kubectl = PatchParams {
            field_manager: Some("kubectl-edit".into()),
            ..Default::default()
        };
        cms.patch(
            name,
            &kubectl,
            &Patch::Merge(
                json!({"metadata": {"labels": {"edited": "by-hand"}}, "data": {"extra": "x"}}),
            ),
        )
        .await
        .unwrap();
        let cs = m.apply_all_staged(vec![desired()], &opts()).await.unwrap();
        let after = cms.get(name).await.unwrap();
        let labels = after.metadata.labels.clone().unwrap_or_default();
        let data = after.data.clone().unwrap_or_default();
        if merge {
            assert_eq!(
                actions(&cs),
                [(format!("ConfigMap/{ns}/{name}"), Action::Unchanged)]
            );
            assert_eq!(labels.get("edited").map(String::as_str), Some("by-hand"));
            assert_eq!(data.get("extra").map(String::as_str), Some("x"));
        } else {
            assert_eq!(
                actions(&cs),
                [(format!("ConfigMap/{ns}/{name}"), Action::Configured)]
            );
            assert_eq!(labels.get("edited"), None, "kubectl's label is removed");
            assert_eq!(data.get("extra"), None, "kubectl's data key is removed");
            assert_eq!(data.get("v").map(String::as_str), Some("1"));
        }
    }
    drop_namespace(&client, &ns).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_all_spares_prune_disabled_and_foreign_objects() {
    let client = admin().await;
    let ns = create_namespace(&client, "ssa-prune").await;
    let m = manager(client.clone(), &ns);
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    m.apply_all_staged(
        vec![
            config_map(&ns, "pruned", json!({})),
            annotated(
                config_map(&ns, "kept", json!({})),
                "kustomize.toolkit.fluxcd.io/prune",
                "disabled",
            ),
            config_map(&ns, "adopted", json!({})),
        ],
        &opts(),
    )
    .await
    .unwrap();
    // Another Kustomization took this one over.
    cms.patch(
        "adopted",
        &PatchParams::default(),
        &Patch::Merge(
            json!({"metadata": {"labels": {"kustomize.toolkit.fluxcd.io/name": "other"}}}),
        ),
    )
    .await
    .unwrap();
    let refs: Vec<ObjectRef> = ["pruned", "kept", "adopted", "never-existed"]
        .iter()
        .map(|n| r("", "v1", "ConfigMap", &ns, n))
        .collect();
    let cs = m
        .delete_all(&refs, &DeleteOptions::default())
        .await
        .unwrap();
    let mut got = actions(&cs);
    got.sort();
    assert_eq!(
        got,
        [
            (format!("ConfigMap/{ns}/adopted"), Action::Skipped),
            (format!("ConfigMap/{ns}/kept"), Action::Skipped),
            (format!("ConfigMap/{ns}/never-existed"), Action::Deleted),
            (format!("ConfigMap/{ns}/pruned"), Action::Deleted),
        ]
    );
    assert!(cms.get_opt("pruned").await.unwrap().is_none());
    assert!(cms.get_opt("kept").await.unwrap().is_some());
    assert!(cms.get_opt("adopted").await.unwrap().is_some());
    drop_namespace(&client, &ns).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_for_set_sees_ready_deployments_and_names_stuck_ones() {
    let client = admin().await;
    let ns = create_namespace(&client, "ssa-wait").await;
    let m = manager(client.clone(), &ns);
    m.apply_all_staged(
        vec![
            deployment(&ns, "ready", json!({})),
            deployment(
                &ns,
                "stuck",
                json!({"nodeSelector": {"tk.example.com/no-such-node": "true"}}),
            ),
        ],
        &opts(),
    )
    .await
    .unwrap();
    let ready = r("apps", "v1", "Deployment", &ns, "ready");
    let stuck = r("apps", "v1", "Deployment", &ns, "stuck");
    m.wait_for_set(
        std::slice::from_ref(&ready),
        Duration::from_secs(1),
        Duration::from_secs(120),
    )
    .await
    .expect("a Deployment on kwok nodes becomes Current");

    let err = m
        .wait_for_set(
            &[ready, stuck],
            Duration::from_secs(1),
            Duration::from_secs(8),
        )
        .await
        .expect_err("an unschedulable Deployment never becomes Current");
    let message = err.to_string();
    assert!(
        matches!(err, Error::WaitTimeout(ref objects) if objects.len() == 1),
        "{err:?}"
    );
    assert!(
        message.starts_with(&format!(
            "timeout waiting for: [Deployment/{ns}/stuck status: 'InProgress': "
        )),
        "{message}"
    );
    drop_namespace(&client, &ns).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn impersonation_applies_with_the_service_accounts_rights() {
    let client = admin().await;
    let ns = create_namespace(&client, "ssa-tenant").await;
    let admin_manager = manager(client.clone(), &ns);
    admin_manager
        .apply_all_staged(
            vec![json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "tenant", "namespace": ns}})],
            &opts(),
        )
        .await
        .unwrap();
    let tenant = manager(impersonating(&config().await, &ns, "tenant").unwrap(), &ns);
    let role = testenv::unique_name("ssa-tenant-role");
    let cluster_role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                              "metadata": {"name": role}, "rules": []});
    let err = tenant
        .apply_all_staged(vec![cluster_role], &opts())
        .await
        .expect_err("a service account without rights cannot create a ClusterRole");
    let message = err.to_string();
    assert!(
        message.contains(&format!("ClusterRole/{role} dry-run failed (Forbidden)")),
        "{message}"
    );
    assert!(
        message.contains(&format!("system:serviceaccount:{ns}:tenant")),
        "{message}"
    );

    let in_namespace = config_map(&ns, "tenant-data", json!({"a": "1"}));
    assert!(
        tenant
            .apply_all_staged(vec![in_namespace.clone()], &opts())
            .await
            .is_err()
    );
    admin_manager
        .apply_all_staged(
            vec![json!({
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": {"name": "tenant-edit", "namespace": ns},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
                "subjects": [{"kind": "ServiceAccount", "name": "tenant", "namespace": ns}]
            })],
            &opts(),
        )
        .await
        .unwrap();
    let cs = tenant
        .apply_all_staged(vec![in_namespace], &opts())
        .await
        .expect("the RoleBinding lets the tenant write in its namespace");
    assert_eq!(
        actions(&cs),
        [(format!("ConfigMap/{ns}/tenant-data"), Action::Created)]
    );
    drop_namespace(&client, &ns).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn diff_reports_changes_without_writing_and_masks_secrets() {
    let client = admin().await;
    let ns = create_namespace(&client, "ssa-diff").await;
    let recorder = Recorder::default();
    let m = manager(recorder.client().await, &ns);
    let secret = |v: &str| {
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds", "namespace": ns},
               "stringData": {"password": v, "user": "admin"}})
    };
    m.apply_all_staged(
        vec![
            config_map(&ns, "same", json!({"a": "1"})),
            config_map(&ns, "changed", json!({"a": "1"})),
            secret("one"),
        ],
        &opts(),
    )
    .await
    .unwrap();

    recorder.clear();
    let diff = m
        .diff_all(vec![
            config_map(&ns, "same", json!({"a": "1"})),
            config_map(&ns, "changed", json!({"a": "2"})),
            config_map(&ns, "new", json!({"a": "1"})),
            secret("two"),
            annotated(
                config_map(&ns, "ignored", json!({})),
                "kustomize.toolkit.fluxcd.io/ssa",
                "Ignore",
            ),
        ])
        .await
        .expect("diff");
    assert_eq!(
        recorder.writes(),
        Vec::<String>::new(),
        "a diff writes nothing"
    );
    let by_name = |name: &str| diff.iter().find(|e| e.object.name == name).unwrap();
    assert_eq!(by_name("same").action, Action::Unchanged);
    assert_eq!(by_name("new").action, Action::Created);
    assert_eq!(by_name("ignored").action, Action::Skipped);
    let changed = by_name("changed");
    assert_eq!(changed.action, Action::Configured);
    assert_eq!(changed.live.as_ref().unwrap()["data"]["a"], "1");
    assert_eq!(changed.merged.as_ref().unwrap()["data"]["a"], "2");
    assert!(
        changed.merged.as_ref().unwrap()["metadata"]
            .get("managedFields")
            .is_none()
    );
    let creds = by_name("creds");
    assert_eq!(creds.action, Action::Configured);
    assert_eq!(
        creds.live.as_ref().unwrap()["data"],
        json!({"password": "*** (before)", "user": "***"})
    );
    assert_eq!(
        creds.merged.as_ref().unwrap()["data"],
        json!({"password": "*** (after)", "user": "***"})
    );
    assert!(
        live(&client, &r("", "v1", "ConfigMap", &ns, "new"))
            .await
            .is_none()
    );
    drop_namespace(&client, &ns).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_drift_cache_spares_unchanged_objects_their_reads_and_dry_runs() {
    let client = admin().await;
    let ns = testenv::unique_name("ssa-drift");
    let set = |changed: &str| {
        let mut set =
            vec![json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})];
        for i in 0..40 {
            let value = if i == 7 { changed } else { "same" };
            set.push(config_map(&ns, &format!("cm-{i:02}"), json!({"k": value})));
        }
        set.push(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "app", "namespace": ns},
                        "spec": {"selector": {"app": "app"}, "ports": [{"port": 80}]}}));
        set
    };
    let recorder = Recorder::default();
    let cache = DriftCache::default();
    let m = manager(recorder.client().await, &ns).with_drift_cache(cache.clone(), "");
    let first = m
        .apply_all_staged(set("a"), &opts())
        .await
        .expect("first apply");
    assert!(
        first.entries.iter().all(|e| e.action == Action::Created),
        "{first}"
    );
    assert_eq!(cache.len(), 42, "every applied object leaves a proof");

    // Unchanged: one metadata LIST per kind and namespace, no per-object read or dry run.
    recorder.clear();
    let again = m
        .apply_all_staged(set("a"), &opts())
        .await
        .expect("second apply");
    assert!(
        again.entries.iter().all(|e| e.action == Action::Unchanged),
        "{again}"
    );
    let requests = recorder.requests();
    assert_eq!(
        requests.len(),
        3,
        "three LISTs (Namespaces, ConfigMaps, Services): {requests:#?}"
    );
    assert!(
        requests
            .iter()
            .all(|r| r.starts_with("GET ") && r.contains("labelSelector=")),
        "{requests:#?}"
    );

    // Waiting for the set reads each kind and namespace with one LIST where it holds more
    // than one object (the 40 ConfigMaps), and a lone object with a GET.
    let refs: Vec<ObjectRef> = again.entries.iter().map(|e| e.object.clone()).collect();
    recorder.clear();
    m.wait_for_set(&refs, Duration::from_millis(200), Duration::from_secs(30))
        .await
        .expect("the set is ready");
    let requests = recorder.requests();
    assert_eq!(requests.len(), 3, "{requests:#?}");
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.contains("/configmaps?") && r.contains("labelSelector="))
            .count(),
        1,
        "{requests:#?}"
    );

    // Drift made by someone else: that object alone is read, dry-run and re-applied.
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    cms.patch(
        "cm-03",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"k": "edited"}})),
    )
    .await
    .expect("out-of-band edit");
    recorder.clear();
    let repaired = m
        .apply_all_staged(set("a"), &opts())
        .await
        .expect("third apply");
    assert_eq!(
        repaired.summary(),
        format!("ConfigMap/{ns}/cm-03 configured")
    );
    let repaired_cm = cms.get("cm-03").await.unwrap();
    assert_eq!(repaired_cm.data.unwrap()["k"], "same");
    let requests = recorder.requests();
    let per_object: Vec<&String> = requests
        .iter()
        .filter(|r| !r.contains("labelSelector="))
        .collect();
    assert!(
        !per_object.is_empty() && per_object.iter().all(|r| r.contains("/configmaps/cm-03")),
        "only the edited object is read, dry-run and applied: {per_object:#?}"
    );

    // A new desired state for one object: only it is written.
    let changed = m
        .apply_all_staged(set("b"), &opts())
        .await
        .expect("fourth apply");
    assert_eq!(
        changed.summary(),
        format!("ConfigMap/{ns}/cm-07 configured")
    );

    // Another identity proves nothing for this one: everything is dry-run again.
    recorder.clear();
    let other = manager(recorder.client().await, &ns).with_drift_cache(cache.clone(), "tenant");
    other
        .apply_all_staged(set("b"), &opts())
        .await
        .expect("apply as another identity");
    let dry_runs = recorder
        .requests()
        .iter()
        .filter(|r| r.contains("dryRun=All"))
        .count();
    assert_eq!(
        dry_runs, 42,
        "a proof made by one identity is not used by another"
    );

    // Forgetting the owner (the Kustomization was deleted) drops its proofs.
    cache.forget(&Owner {
        group: "kustomize.toolkit.fluxcd.io".into(),
        name: "ssa-test".into(),
        namespace: ns.clone(),
    });
    assert!(cache.is_empty());
    drop_namespace(&client, &ns).await;
}
