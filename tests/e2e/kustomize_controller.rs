//! The kustomize controller, run with the source controller as one local `tk controller all`
//! process against the rig, reconciling Kustomizations from GitRepositories served by real
//! Git servers.

use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Service};
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;

use crate::kustomize_support::{Harness, condition, config_map, deployment, inventory, service};

fn revision(sha: &str) -> String {
    format!("main@sha1:{sha}")
}

fn source_ref(name: &str) -> serde_json::Value {
    json!({ "kind": "GitRepository", "name": name })
}

#[tokio::test(flavor = "multi_thread")]
async fn applies_follows_source_changes_and_prunes() {
    let h = Harness::start_split("ks-apply").await;
    let ns = h.ns.clone();
    let extra_ns = format!("{ns}-app");
    let in_ns = format!("  namespace: {ns}\n");
    let (repo, sha1) = h
        .serve_repo(
            "app",
            "The app",
            &[
                (
                    "deploy/namespace.yaml",
                    &format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {extra_ns}\n"),
                ),
                (
                    "deploy/config.yaml",
                    &config_map("app-config", &in_ns, "  greeting: hello\n"),
                ),
                (
                    "deploy/keep.yaml",
                    &config_map(
                        "keep-me",
                        &format!(
                            "{in_ns}  annotations:\n    kustomize.toolkit.fluxcd.io/prune: disabled\n"
                        ),
                        "  kept: \"true\"\n",
                    ),
                ),
                (
                    "deploy/web.yaml",
                    &deployment("web", "").replace(
                        "metadata:\n  name: web\n",
                        &format!("metadata:\n  name: web\n{in_ns}"),
                    ),
                ),
                (
                    "deploy/service.yaml",
                    &service("web").replace(
                        "metadata:\n  name: web\n",
                        &format!("metadata:\n  name: web\n{in_ns}"),
                    ),
                ),
            ],
        )
        .await;
    h.apply_ks(
        "app",
        json!({
            "interval": "10m",
            "path": "./deploy",
            "prune": true,
            "wait": true,
            "timeout": "2m",
            "sourceRef": source_ref("app"),
        }),
    )
    .await;

    let ks = h
        .wait_applied("app", &revision(&sha1), Duration::from_secs(180))
        .await;
    let (_, reason, _) = condition(&ks, "Ready").unwrap();
    assert_eq!(reason, "ReconciliationSucceeded");
    let (healthy, healthy_reason, healthy_message) = condition(&ks, "Healthy").unwrap();
    assert_eq!(
        (healthy.as_str(), healthy_reason.as_str()),
        ("True", "Succeeded")
    );
    assert!(
        healthy_message.starts_with("Health check passed in "),
        "{healthy_message}"
    );
    assert!(condition(&ks, "Reconciling").is_none());
    let status = ks.status.clone().unwrap();
    assert_eq!(status.last_applied_revision, Some(revision(&sha1)));
    assert_eq!(status.last_attempted_revision, Some(revision(&sha1)));
    assert_eq!(status.observed_generation, ks.metadata.generation);
    assert!(
        ks.metadata
            .finalizers
            .clone()
            .unwrap_or_default()
            .contains(&"finalizers.fluxcd.io".to_string())
    );
    let v1 = |id: String| (id, "v1".to_string());
    assert_eq!(
        inventory(&ks),
        [
            v1(format!("_{extra_ns}__Namespace")),
            v1(format!("{ns}_app-config__ConfigMap")),
            v1(format!("{ns}_keep-me__ConfigMap")),
            v1(format!("{ns}_web__Service")),
            v1(format!("{ns}_web_apps_Deployment")),
        ]
    );
    let cm = h
        .wait_object::<ConfigMap>("app-config", "applied", |c| c.is_some())
        .await
        .unwrap();
    let labels = cm.metadata.labels.clone().unwrap_or_default();
    assert_eq!(labels["kustomize.toolkit.fluxcd.io/name"], "app");
    assert_eq!(labels["kustomize.toolkit.fluxcd.io/namespace"], ns);
    let namespaces: Api<Namespace> = Api::all(h.client.clone());
    assert!(namespaces.get_opt(&extra_ns).await.unwrap().is_some());

    // The change set reached the Kubernetes events of the Kustomization.
    let events: Api<k8s_openapi::api::events::v1::Event> = Api::namespaced(h.client.clone(), &ns);
    let notes: Vec<String> = events
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some("app"))
        .filter_map(|e| e.note)
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains(&format!("ConfigMap/{ns}/app-config created"))),
        "{notes:#?}"
    );

    // The notification controller hears of it in Flux's shape.
    let finished = h
        .events
        .wait_for("Reconciliation finished", |e| {
            e["involvedObject"]["kind"] == "Kustomization"
                && e["reason"] == "ReconciliationSucceeded"
        })
        .await;
    assert_eq!(finished["involvedObject"]["name"], "app");
    assert_eq!(finished["severity"], "info");
    assert_eq!(finished["reportingController"], "kustomize-controller");
    assert!(
        finished["message"]
            .as_str()
            .unwrap()
            .starts_with("Reconciliation finished in "),
        "{finished}"
    );
    assert_eq!(
        finished["metadata"]["kustomize.toolkit.fluxcd.io/revision"],
        revision(&sha1)
    );

    // A push reaches the cluster through the source watch, long before the 10m interval;
    // removed files are pruned, except what opted out.
    repo.remove_file("deploy/service.yaml").unwrap();
    repo.remove_file("deploy/keep.yaml").unwrap();
    let sha2 = repo
        .commit(
            "Change the greeting, drop the service",
            &[(
                "deploy/config.yaml",
                &config_map("app-config", &in_ns, "  greeting: bonjour\n"),
            )],
        )
        .unwrap();
    repo.push().unwrap();
    let pushed = Instant::now();
    h.request_source("app").await;
    let ks = h
        .wait_applied("app", &revision(&sha2), Duration::from_secs(30))
        .await;
    eprintln!("applied {:?} after the push", pushed.elapsed());
    let cm = h
        .wait_object::<ConfigMap>("app-config", "updated", |c| c.is_some())
        .await
        .unwrap();
    assert_eq!(cm.data.unwrap()["greeting"], "bonjour");
    h.wait_object::<Service>("web", "pruned", |s| s.is_none())
        .await;
    assert!(
        h.wait_object::<ConfigMap>("keep-me", "kept", |c| c.is_some())
            .await
            .is_some()
    );
    let ids: Vec<String> = inventory(&ks).into_iter().map(|(id, _)| id).collect();
    assert!(!ids.contains(&format!("{ns}_web__Service")), "{ids:?}");
    assert!(
        !ids.contains(&format!("{ns}_keep-me__ConfigMap")),
        "{ids:?}"
    );

    // Deleting the Kustomization (prune: true, deletionPolicy MirrorPrune) deletes what it
    // applied, then releases the finalizer.
    h.delete_ks("app").await;
    h.wait_object::<ConfigMap>("app-config", "deleted with the Kustomization", |c| {
        c.is_none()
    })
    .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while h.kustomizations().get_opt("app").await.unwrap().is_some() {
        assert!(Instant::now() < deadline, "the finalizer was not released");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let extra = namespaces.get_opt(&extra_ns).await.unwrap();
    assert!(
        extra.is_none_or(|n| n.metadata.deletion_timestamp.is_some()),
        "the Namespace is deleted"
    );
    assert!(
        h.wait_object::<ConfigMap>("keep-me", "kept", |c| c.is_some())
            .await
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn health_check_failure_recovers_after_a_fix() {
    let h = Harness::start("ks-health").await;
    let ns = h.ns.clone();
    let repo = h.servers.create_repo("app").unwrap();
    let unschedulable = "      nodeSelector:\n        tk-e2e/no-such-node: \"true\"\n";
    let sha1 = repo
        .commit(
            "A deployment that never becomes ready",
            &[("deploy/web.yaml", &deployment("web", unschedulable))],
        )
        .unwrap();
    repo.push().unwrap();
    h.apply_repo("app", &repo).await;
    h.apply_ks(
        "app",
        json!({
            "interval": "10m",
            "path": "./deploy",
            "prune": true,
            "targetNamespace": ns,
            "timeout": "8s",
            "healthChecks": [
                { "apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "namespace": ns },
            ],
            "sourceRef": source_ref("app"),
        }),
    )
    .await;
    let ks = h
        .wait_ks("app", "HealthCheckFailed", Duration::from_secs(90), |k| {
            condition(k, "Ready").is_some_and(|(s, r, _)| s == "False" && r == "HealthCheckFailed")
        })
        .await;
    let (_, _, message) = condition(&ks, "Ready").unwrap();
    assert!(
        message.starts_with("health check failed after "),
        "{message}"
    );
    assert!(
        message.contains(&format!("Deployment/{ns}/web")),
        "{message}"
    );
    let (healthy, reason, _) = condition(&ks, "Healthy").unwrap();
    assert_eq!(
        (healthy.as_str(), reason.as_str()),
        ("False", "HealthCheckFailed")
    );
    let (_, reconciling, _) = condition(&ks, "Reconciling").unwrap();
    assert_eq!(reconciling, "ProgressingWithRetry");
    let status = ks.status.clone().unwrap();
    assert_eq!(status.last_applied_revision, None);
    assert_eq!(status.last_attempted_revision, Some(revision(&sha1)));
    // The objects were applied (and inventoried) even though they are not healthy.
    assert!(
        h.wait_object::<Deployment>("web", "applied", |d| d.is_some())
            .await
            .is_some()
    );
    assert_eq!(inventory(&ks).len(), 1);

    let sha2 = repo
        .commit(
            "Schedule the deployment",
            &[("deploy/web.yaml", &deployment("web", ""))],
        )
        .unwrap();
    repo.push().unwrap();
    h.request_source("app").await;
    let ks = h
        .wait_applied("app", &revision(&sha2), Duration::from_secs(90))
        .await;
    let (healthy, _, _) = condition(&ks, "Healthy").unwrap();
    assert_eq!(healthy, "True");
    assert!(condition(&ks, "Reconciling").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn post_build_substitution_waits_for_dependencies() {
    let h = Harness::start("ks-deps").await;
    let ns = h.ns.clone();
    let repo = h.servers.create_repo("app").unwrap();
    let sha = repo
        .commit(
            "Infra and apps",
            &[
                ("infra/cm.yaml", &config_map("infra", "", "  ready: \"yes\"\n")),
                (
                    "apps/cm.yaml",
                    &config_map(
                        "greeting",
                        "",
                        "  message: \"${greeting} from ${place:=earth}\"\n  team: \"${team}\"\n  literal: \"$${greeting}\"\n",
                    ),
                ),
            ],
        )
        .unwrap();
    repo.push().unwrap();
    let vars: Api<ConfigMap> = Api::namespaced(h.client.clone(), &ns);
    vars.patch(
        "vars",
        &PatchParams::apply("tk-e2e").force(),
        &Patch::Apply(json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": { "name": "vars" },
            "data": { "team": "platform" },
        })),
    )
    .await
    .unwrap();
    h.apply_repo("app", &repo).await;
    h.apply_ks(
        "apps",
        json!({
            "interval": "10m",
            "path": "./apps",
            "prune": true,
            "targetNamespace": ns,
            "dependsOn": [{ "name": "infra" }],
            "postBuild": {
                "substitute": { "greeting": "hello" },
                "substituteFrom": [
                    { "kind": "ConfigMap", "name": "vars" },
                    { "kind": "Secret", "name": "absent", "optional": true },
                ],
            },
            "sourceRef": source_ref("app"),
        }),
    )
    .await;
    let waiting = h
        .wait_ks("apps", "DependencyNotReady", Duration::from_secs(60), |k| {
            condition(k, "Ready").is_some_and(|(s, r, _)| s == "False" && r == "DependencyNotReady")
        })
        .await;
    let (_, _, message) = condition(&waiting, "Ready").unwrap();
    assert!(
        message.starts_with(&format!("dependency '{ns}/infra' not found")),
        "{message}"
    );
    assert!(
        vars.get_opt("greeting").await.unwrap().is_none(),
        "nothing is applied before the dependency is ready"
    );

    h.apply_ks(
        "infra",
        json!({
            "interval": "10m",
            "path": "./infra",
            "prune": true,
            "targetNamespace": ns,
            "sourceRef": source_ref("app"),
        }),
    )
    .await;
    h.wait_applied("infra", &revision(&sha), Duration::from_secs(60))
        .await;
    h.wait_applied("apps", &revision(&sha), Duration::from_secs(60))
        .await;
    let infra = vars.get("infra").await.unwrap();
    let greeting = vars.get("greeting").await.unwrap();
    let data = greeting.data.clone().unwrap();
    assert_eq!(data["message"], "hello from earth");
    assert_eq!(data["team"], "platform");
    assert_eq!(data["literal"], "${greeting}");
    assert!(
        greeting.metadata.creation_timestamp >= infra.metadata.creation_timestamp,
        "the dependant is applied after its dependency"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_build_keeps_previous_objects_and_suspend_holds_changes() {
    let h = Harness::start("ks-broken").await;
    let ns = h.ns.clone();
    let (repo, sha1) = h
        .serve_repo(
            "app",
            "The app",
            &[("deploy/cm.yaml", &config_map("app", "", "  v: \"1\"\n"))],
        )
        .await;
    let spec = |suspend: bool| {
        json!({
            "interval": "10m",
            "path": "./deploy",
            "prune": true,
            "suspend": suspend,
            "targetNamespace": ns,
            "sourceRef": source_ref("app"),
        })
    };
    h.apply_ks("app", spec(false)).await;
    h.wait_applied("app", &revision(&sha1), Duration::from_secs(60))
        .await;

    let sha2 = repo
        .commit(
            "Broken YAML",
            &[(
                "deploy/bad.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata: [oops\n",
            )],
        )
        .unwrap();
    repo.push().unwrap();
    h.request_source("app").await;
    let ks = h
        .wait_ks("app", "BuildFailed", Duration::from_secs(60), |k| {
            condition(k, "Ready").is_some_and(|(s, r, _)| s == "False" && r == "BuildFailed")
        })
        .await;
    let (_, _, message) = condition(&ks, "Ready").unwrap();
    assert!(message.contains("bad.yaml"), "{message}");
    let status = ks.status.clone().unwrap();
    assert_eq!(status.last_applied_revision, Some(revision(&sha1)));
    assert_eq!(status.last_attempted_revision, Some(revision(&sha2)));
    assert_eq!(inventory(&ks).len(), 1, "the inventory is kept");
    let cms: Api<ConfigMap> = Api::namespaced(h.client.clone(), &ns);
    assert_eq!(cms.get("app").await.unwrap().data.unwrap()["v"], "1");

    // Suspended: a fixed revision is not applied until resumed.
    h.apply_ks("app", spec(true)).await;
    repo.remove_file("deploy/bad.yaml").unwrap();
    let sha3 = repo
        .commit(
            "Fix",
            &[("deploy/cm.yaml", &config_map("app", "", "  v: \"2\"\n"))],
        )
        .unwrap();
    repo.push().unwrap();
    h.request_source("app").await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let repo = h.repos().get("app").await.unwrap();
        let stored = repo
            .status
            .and_then(|s| s.artifact)
            .is_some_and(|a| a.revision == revision(&sha3));
        if stored {
            break;
        }
        assert!(Instant::now() < deadline, "the source never stored the fix");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let ks = h.kustomizations().get("app").await.unwrap();
    assert_eq!(
        ks.status.unwrap().last_attempted_revision,
        Some(revision(&sha2)),
        "a suspended Kustomization does not reconcile"
    );
    assert_eq!(cms.get("app").await.unwrap().data.unwrap()["v"], "1");

    h.apply_ks("app", spec(false)).await;
    h.wait_applied("app", &revision(&sha3), Duration::from_secs(60))
        .await;
    assert_eq!(cms.get("app").await.unwrap().data.unwrap()["v"], "2");

    // An interval the CRD admits but no reconcile can use stalls that object only.
    h.apply_ks(
        "zero",
        json!({
            "interval": "0s",
            "prune": false,
            "sourceRef": source_ref("app"),
        }),
    )
    .await;
    let zero = h
        .wait_ks("zero", "Stalled", Duration::from_secs(30), |k| {
            condition(k, "Stalled").is_some_and(|(s, _, _)| s == "True")
        })
        .await;
    let (_, reason, message) = condition(&zero, "Stalled").unwrap();
    assert_eq!(reason, "InvalidDuration");
    assert!(message.starts_with("spec.interval: "), "{message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn applies_as_the_service_account_and_refuses_cross_namespace_sources() {
    let h = Harness::start_with("ks-tenant", &["all"], &["--no-cross-namespace-refs"]).await;
    let ns = h.ns.clone();
    let repo = h.servers.create_repo("app").unwrap();
    let sha = repo
        .commit(
            "Tenant app",
            &[("deploy/cm.yaml", &config_map("tenant-cm", "", "  a: b\n"))],
        )
        .unwrap();
    repo.push().unwrap();
    h.apply_object(json!({
        "apiVersion": "v1", "kind": "ServiceAccount", "metadata": { "name": "tenant" },
    }))
    .await;
    h.apply_repo("app", &repo).await;
    h.apply_ks(
        "tenant",
        json!({
            "interval": "10m",
            "path": "./deploy",
            "prune": true,
            "targetNamespace": ns,
            "serviceAccountName": "tenant",
            "sourceRef": source_ref("app"),
        }),
    )
    .await;
    // The account has no rights yet: the API server refuses the apply, on its behalf.
    let denied = h
        .wait_ks(
            "tenant",
            "ReconciliationFailed",
            Duration::from_secs(60),
            |k| {
                condition(k, "Ready")
                    .is_some_and(|(s, r, _)| s == "False" && r == "ReconciliationFailed")
            },
        )
        .await;
    let (_, _, message) = condition(&denied, "Ready").unwrap();
    assert!(
        message.contains(&format!("system:serviceaccount:{ns}:tenant")),
        "{message}"
    );
    let cms: Api<ConfigMap> = Api::namespaced(h.client.clone(), &ns);
    assert!(cms.get_opt("tenant-cm").await.unwrap().is_none());

    h.apply_object(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": { "name": "tenant" },
        "rules": [{ "apiGroups": [""], "resources": ["configmaps"], "verbs": ["*"] }],
    }))
    .await;
    h.apply_object(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": { "name": "tenant" },
        "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "tenant" },
        "subjects": [{ "kind": "ServiceAccount", "name": "tenant", "namespace": ns }],
    }))
    .await;
    let at = h.request_ks("tenant").await;
    let ks = h
        .wait_applied("tenant", &revision(&sha), Duration::from_secs(60))
        .await;
    assert_eq!(ks.status.unwrap().last_handled_reconcile_at, Some(at));
    assert!(cms.get_opt("tenant-cm").await.unwrap().is_some());

    // Deleting it prunes as the same account.
    h.delete_ks("tenant").await;
    h.wait_object::<ConfigMap>("tenant-cm", "pruned on deletion", |c| c.is_none())
        .await;

    // Under --no-cross-namespace-refs a source in another namespace is refused for good.
    h.apply_ks(
        "cross",
        json!({
            "interval": "10m",
            "prune": true,
            "sourceRef": { "kind": "GitRepository", "name": "app", "namespace": "default" },
        }),
    )
    .await;
    let cross = h
        .wait_ks("cross", "Stalled", Duration::from_secs(30), |k| {
            condition(k, "Stalled").is_some_and(|(s, _, _)| s == "True")
        })
        .await;
    let (_, reason, message) = condition(&cross, "Ready").unwrap();
    assert_eq!(reason, "AccessDenied");
    assert_eq!(
        message,
        "can't access 'GitRepository/default/app', cross-namespace references have been blocked"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_revision_cancels_a_running_health_check() {
    let h = Harness::start("ks-cancel").await;
    let ns = h.ns.clone();
    let repo = h.servers.create_repo("app").unwrap();
    let unschedulable = "      nodeSelector:\n        tk-e2e/no-such-node: \"true\"\n";
    repo.commit(
        "A deployment that never becomes ready",
        &[("deploy/web.yaml", &deployment("web", unschedulable))],
    )
    .unwrap();
    repo.push().unwrap();
    h.apply_repo("app", &repo).await;
    h.apply_ks(
        "app",
        json!({
            "interval": "10m",
            "path": "./deploy",
            "prune": true,
            "wait": true,
            "targetNamespace": ns,
            "sourceRef": source_ref("app"),
        }),
    )
    .await;
    // The health check would wait for the whole timeout (the 10m interval).
    h.wait_ks(
        "app",
        "health checks running",
        Duration::from_secs(60),
        |k| {
            condition(k, "Healthy").is_some_and(|(s, _, m)| {
                s == "Unknown" && m.starts_with("Running health checks for revision")
            })
        },
    )
    .await;
    let sha2 = repo
        .commit(
            "Schedule the deployment",
            &[("deploy/web.yaml", &deployment("web", ""))],
        )
        .unwrap();
    repo.push().unwrap();
    h.request_source("app").await;
    h.wait_applied("app", &revision(&sha2), Duration::from_secs(30))
        .await;
    let events: Api<k8s_openapi::api::events::v1::Event> = Api::namespaced(h.client.clone(), &ns);
    let canceled: Vec<String> = events
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| e.reason.as_deref() == Some("HealthCheckCanceled"))
        .filter_map(|e| e.note)
        .collect();
    assert_eq!(
        canceled,
        [format!(
            "Health checks canceled due to new reconciliation triggered by GitRepository/{ns}/app"
        )]
    );
}
