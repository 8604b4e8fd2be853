//! Kustomizations facing what they cannot apply as asked: an immutable field changed in Git
//! (refused with a remedy, then recreated under `spec.force`), and a source deleted under
//! them (the last applied state is kept until the source returns); and the quiet case:
//! reconciles that find nothing to change write nothing, not even the status.

use std::time::Duration;

use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DeleteParams};
use serde_json::json;

use crate::kustomize_support::{Harness, condition, config_map, inventory};

fn job(image: &str) -> String {
    // Suspended: the test is about the object, not about running pods.
    format!(
        "apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  suspend: true
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: {image}
"
    )
}

fn ks_spec(force: bool) -> serde_json::Value {
    json!({
        "interval": "10m",
        "retryInterval": "2s",
        "path": "./deploy",
        "prune": true,
        "force": force,
        "sourceRef": { "kind": "GitRepository", "name": "app" },
    })
}

fn revision(sha: &str) -> String {
    format!("main@sha1:{sha}")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_immutable_change_is_refused_with_a_remedy_and_recreated_under_force() {
    let h = Harness::start("ks-force").await;
    let ns = h.ns.clone();
    let repo = h.servers.create_repo("app").unwrap();
    let with_ns = |manifest: String| {
        manifest.replace(
            "metadata:\n  name: migrate\n",
            &format!("metadata:\n  name: migrate\n  namespace: {ns}\n"),
        )
    };
    let sha1 = repo
        .commit(
            "a migration job",
            &[(
                "deploy/job.yaml",
                &with_ns(job("registry.invalid/migrate:1")),
            )],
        )
        .unwrap();
    repo.push().unwrap();
    h.apply_repo("app", &repo).await;
    h.apply_ks("app", ks_spec(false)).await;
    h.wait_applied("app", &revision(&sha1), Duration::from_secs(120))
        .await;
    let jobs: Api<Job> = Api::namespaced(h.client.clone(), &ns);
    let first_uid = jobs.get("migrate").await.unwrap().metadata.uid.unwrap();

    // A Job's pod template is immutable: without force the apply is refused, the old Job
    // stays, and the message names the object and the way out.
    let sha2 = repo
        .commit(
            "a new migration image",
            &[(
                "deploy/job.yaml",
                &with_ns(job("registry.invalid/migrate:2")),
            )],
        )
        .unwrap();
    repo.push().unwrap();
    h.request_source("app").await;
    let refused = h
        .wait_ks(
            "app",
            "the immutable change refused",
            Duration::from_secs(120),
            |k| {
                k.status
                    .as_ref()
                    .is_some_and(|s| s.last_attempted_revision == Some(revision(&sha2)))
                    && condition(k, "Ready").is_some_and(|(s, _, _)| s == "False")
            },
        )
        .await;
    let (_, reason, message) = condition(&refused, "Ready").unwrap();
    assert_eq!(reason, "ReconciliationFailed", "{message}");
    assert!(message.contains(&format!("Job/{ns}/migrate")), "{message}");
    assert!(message.contains("spec.force: true"), "{message}");
    let status = refused.status.clone().unwrap();
    assert_eq!(status.last_applied_revision, Some(revision(&sha1)));
    let kept = jobs.get("migrate").await.unwrap();
    assert_eq!(kept.metadata.uid.as_deref(), Some(first_uid.as_str()));

    // spec.force: the Job is deleted and created again from the new revision.
    h.apply_ks("app", ks_spec(true)).await;
    let ks = h
        .wait_applied("app", &revision(&sha2), Duration::from_secs(120))
        .await;
    let recreated = jobs.get("migrate").await.unwrap();
    assert_ne!(recreated.metadata.uid.as_deref(), Some(first_uid.as_str()));
    let image = recreated.spec.unwrap().template.spec.unwrap().containers[0]
        .image
        .clone();
    assert_eq!(image.as_deref(), Some("registry.invalid/migrate:2"));
    assert_eq!(
        inventory(&ks),
        [(format!("{ns}_migrate_batch_Job"), "v1".to_string())]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_source_keeps_the_last_applied_state_until_it_returns() {
    let h = Harness::start("ks-nosrc").await;
    let ns = h.ns.clone();
    let (repo, sha) = h
        .serve_repo(
            "app",
            "settings",
            &[(
                "deploy/settings.yaml",
                &config_map("settings", &format!("  namespace: {ns}\n"), "  a: \"1\"\n"),
            )],
        )
        .await;
    h.apply_ks("app", ks_spec(false)).await;
    let applied = h
        .wait_applied("app", &revision(&sha), Duration::from_secs(120))
        .await;
    let applied_inventory = inventory(&applied);

    h.repos()
        .delete("app", &DeleteParams::default())
        .await
        .unwrap();
    // As in Flux, a deleted source does not trigger its Kustomizations (nothing new to
    // apply); the next reconcile (interval, or `reconcile` as here) finds it gone.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while h.repos().get_opt("app").await.unwrap().is_some() {
        assert!(
            std::time::Instant::now() < deadline,
            "the GitRepository was not deleted"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    h.request_ks("app").await;
    let orphaned = h
        .wait_ks("app", "ArtifactFailed", Duration::from_secs(60), |k| {
            condition(k, "Ready").is_some_and(|(s, r, _)| s == "False" && r == "ArtifactFailed")
        })
        .await;
    let (_, _, message) = condition(&orphaned, "Ready").unwrap();
    assert!(message.contains("not found"), "{message}");
    assert!(message.contains("app"), "{message}");
    let status = orphaned.status.clone().unwrap();
    assert_eq!(status.last_applied_revision, Some(revision(&sha)));
    assert_eq!(
        inventory(&orphaned),
        applied_inventory,
        "nothing is forgotten"
    );
    // Nothing is pruned or deleted while the source is gone, even across retries.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let cms: Api<ConfigMap> = Api::namespaced(h.client.clone(), &ns);
    let kept = cms
        .get("settings")
        .await
        .expect("the applied object is kept");
    assert_eq!(kept.data.unwrap()["a"], "1");

    // The source comes back: the Kustomization recovers by itself.
    h.apply_repo("app", &repo).await;
    let recovered = h
        .wait_applied("app", &revision(&sha), Duration::from_secs(120))
        .await;
    assert_eq!(inventory(&recovered), applied_inventory);
}

#[tokio::test(flavor = "multi_thread")]
async fn reconciles_that_change_nothing_write_nothing() {
    let h = Harness::start("ks-quiet").await;
    let ns = h.ns.clone();
    let (_, sha) = h
        .serve_repo(
            "app",
            "settings and a workload",
            &[
                (
                    "deploy/settings.yaml",
                    &config_map("settings", &format!("  namespace: {ns}\n"), "  a: \"1\"\n"),
                ),
                (
                    "deploy/web.yaml",
                    &crate::kustomize_support::deployment("web", "").replace(
                        "metadata:\n  name: web\n",
                        &format!("metadata:\n  name: web\n  namespace: {ns}\n"),
                    ),
                ),
            ],
        )
        .await;
    let mut spec = ks_spec(false);
    spec["interval"] = json!("2s");
    spec["wait"] = json!(true);
    h.apply_ks("app", spec).await;
    h.wait_applied("app", &revision(&sha), Duration::from_secs(120))
        .await;
    // Let the first reconciles settle (the finalizer, the Healthy message).
    tokio::time::sleep(Duration::from_secs(3)).await;
    let version = |k: &tk::api::kustomize::Kustomization| k.metadata.resource_version.clone();
    let before = h.kustomizations().get("app").await.unwrap();
    let cms: Api<ConfigMap> = Api::namespaced(h.client.clone(), &ns);
    let cm_before = cms.get("settings").await.unwrap().metadata.resource_version;
    let finished = || {
        h.events
            .events()
            .iter()
            .filter(|e| {
                e["involvedObject"]["name"] == "app"
                    && e["message"]
                        .as_str()
                        .is_some_and(|m| m.starts_with("Reconciliation finished"))
            })
            .count()
    };
    let finished_before = finished();

    tokio::time::sleep(Duration::from_secs(9)).await;
    assert!(
        finished() >= finished_before + 2,
        "the Kustomization was reconciled at its 2s interval ({} then {})",
        finished_before,
        finished()
    );
    let after = h.kustomizations().get("app").await.unwrap();
    assert_eq!(
        version(&after),
        version(&before),
        "unchanged reconciles wrote the status: {:#?}",
        after.status
    );
    assert_eq!(
        cms.get("settings").await.unwrap().metadata.resource_version,
        cm_before,
        "unchanged reconciles wrote an applied object"
    );
}
