//! The Kustomization from the "Flux v2 deep dive" talk (../shared/seed/flux-v2-deep-dive.txt),
//! in its GA form (`spec.path` moved out of `sourceRef`): `frontend` depends on `istio`,
//! prunes, and health-checks its Deployment within a 2m timeout. The talk's `webapp`
//! namespace is the harness's own namespace, so that runs do not collide.

use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Service;
use kube::api::Api;
use serde_json::json;

use crate::kustomize_support::{Harness, condition, deployment, inventory, service};

fn in_namespace(manifest: &str, name: &str, ns: &str) -> String {
    manifest.replace(
        &format!("metadata:\n  name: {name}\n"),
        &format!("metadata:\n  name: {name}\n  namespace: {ns}\n"),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_talks_frontend_waits_for_istio_then_applies_health_checks_and_prunes() {
    let h = Harness::start("ks-seed").await;
    let ns = h.ns.clone();
    let (repo, _) = h.serve_repo("webapp", "frontend and its mesh",
        &[
            (
                "istio/mesh.yaml",
                &format!(
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio-mesh\n  namespace: {ns}\ndata:\n  mesh: \"on\"\n"
                ),
            ),
            (
                "webapp/frontend/deployment.yaml",
                &in_namespace(&deployment("frontend", ""), "frontend", &ns),
            ),
            (
                "webapp/frontend/service.yaml",
                &in_namespace(&service("frontend"), "frontend", &ns),
            ),
        ]).await;

    // The talk's object, GA form; its dependency does not exist yet.
    h.apply_ks(
        "frontend",
        json!({
            "dependsOn": [{ "name": "istio" }],
            "sourceRef": { "kind": "GitRepository", "name": "webapp" },
            "path": "./webapp/frontend/",
            "prune": true,
            "interval": "5m",
            "healthChecks": [{ "apiVersion": "apps/v1", "kind": "Deployment", "name": "frontend", "namespace": ns }],
            "timeout": "2m",
        }),
    )
    .await;
    let waiting = h
        .wait_ks(
            "frontend",
            "DependencyNotReady",
            Duration::from_secs(60),
            |k| {
                condition(k, "Ready")
                    .is_some_and(|(s, r, _)| s == "False" && r == "DependencyNotReady")
            },
        )
        .await;
    let (_, _, message) = condition(&waiting, "Ready").unwrap();
    assert!(
        message.contains(&format!("dependency '{ns}/istio' not found")),
        "{message}"
    );
    let deployments: Api<Deployment> = Api::namespaced(h.client.clone(), &ns);
    assert!(
        deployments.get_opt("frontend").await.unwrap().is_none(),
        "nothing is applied before the dependency is Ready"
    );

    h.apply_ks(
        "istio",
        json!({
            "sourceRef": { "kind": "GitRepository", "name": "webapp" },
            "path": "./istio",
            "prune": true,
            "interval": "5m",
            "wait": true,
            "timeout": "1m",
        }),
    )
    .await;
    let revision = format!("main@sha1:{}", repo.commit_of("main").unwrap());
    let istio = h
        .wait_applied("istio", &revision, Duration::from_secs(120))
        .await;
    // Requeued by --requeue-dependency (3s in the harness), not by the 5m interval.
    let frontend = h
        .wait_applied("frontend", &revision, Duration::from_secs(120))
        .await;
    let istio_ready_at = istio_ready_time(&istio);
    let created_at = deployments
        .get("frontend")
        .await
        .unwrap()
        .metadata
        .creation_timestamp
        .unwrap()
        .0;
    assert!(
        created_at >= istio_ready_at,
        "frontend applied at {created_at}, before istio was Ready at {istio_ready_at}"
    );
    let (healthy, reason, message) = condition(&frontend, "Healthy").unwrap();
    assert_eq!((healthy.as_str(), reason.as_str()), ("True", "Succeeded"));
    assert!(message.starts_with("Health check passed in "), "{message}");
    let available = deployments.get("frontend").await.unwrap();
    assert_eq!(
        available.status.and_then(|s| s.available_replicas),
        Some(1),
        "the health check passed on a really available Deployment"
    );
    let service_id = (format!("{ns}_frontend__Service"), "v1".to_string());
    let deployment_id = (format!("{ns}_frontend_apps_Deployment"), "v1".to_string());
    assert_eq!(inventory(&frontend), [service_id, deployment_id.clone()]);

    // prune: true — the Service leaves the repository, then the cluster.
    repo.remove_file("webapp/frontend/service.yaml").unwrap();
    let pruned = repo.commit("drop the frontend Service", &[]).unwrap();
    repo.push().unwrap();
    h.request_source("webapp").await;
    let frontend = h
        .wait_applied(
            "frontend",
            &format!("main@sha1:{pruned}"),
            Duration::from_secs(120),
        )
        .await;
    assert_eq!(inventory(&frontend), [deployment_id]);

    // status.history: one snapshot per applied digest, newest first, with its revision.
    let history = frontend.status.clone().unwrap().history.unwrap_or_default();
    let revisions: Vec<(&str, &str)> = history
        .iter()
        .map(|s| {
            (
                s.metadata.as_ref().unwrap()["revision"].as_str(),
                s.last_reconciled_status.as_str(),
            )
        })
        .collect();
    let pruned_revision = format!("main@sha1:{pruned}");
    assert_eq!(
        revisions,
        [
            (pruned_revision.as_str(), "ReconciliationSucceeded"),
            (revision.as_str(), "ReconciliationSucceeded"),
        ]
    );
    assert!(
        history
            .iter()
            .all(|s| s.digest.starts_with("sha256:") && s.digest.len() == 71)
    );
    assert_ne!(history[0].digest, history[1].digest);
    h.wait_object::<Service>("frontend", "pruned", |s| s.is_none())
        .await;
}

fn istio_ready_time(istio: &tk::api::kustomize::Kustomization) -> k8s_openapi::jiff::Timestamp {
    istio
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .map(|c| c.last_transition_time.0)
        .expect("istio has a Ready condition")
}
