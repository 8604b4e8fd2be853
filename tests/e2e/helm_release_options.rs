//! HelmRelease action settings on the rig: `upgrade.strategy: RetryOnFailure`,
//! `upgrade.cleanupOnFail`, `upgrade.preserveValues`, a changed release name (the old
//! release is uninstalled, as helm-controller does), and uninstall with its delete hooks,
//! waiting and `helm.sh/resource-policy: keep`.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::Api;
use serde_json::json;
use testenv::charts::{ChartRepo, ChartRepoOptions, ChartRepoServer};
use tk::api::helm::HelmRelease;
use tk::api::source::HelmRepository;

use crate::helm_release::{FLAKY_DEPLOYMENT, helm_json};
use crate::source_helm::{apply, condition, wait_for};
use crate::source_support::{Harness, HarnessOptions};
use crate::support::rig;

/// Two values in a ConfigMap, and an `extra` ConfigMap when asked.
const CONFIGMAPS: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
data:
  tag: {{ .Values.tag | quote }}
  message: {{ .Values.message | quote }}
{{- if .Values.extra }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-extra
data: {}
{{- end }}
"#;

async fn start(prefix: &str) -> (Harness, ChartRepo, tempfile::TempDir, ChartRepoServer) {
    let h = Harness::start_with(
        prefix,
        HarnessOptions {
            controller: Some("all"),
            ..Default::default()
        },
    )
    .await;
    let repo = ChartRepo::new().unwrap();
    let charts = tempfile::tempdir().unwrap();
    let dir = testenv::charts::write_chart(
        charts.path(),
        "opts",
        "1.0.0",
        &[
            ("deployment.yaml", FLAKY_DEPLOYMENT),
            ("configmaps.yaml", CONFIGMAPS),
        ],
        "tag: \"1\"\nmessage: default\nextra: false\nnodeSelector: {}\n",
    )
    .unwrap();
    repo.add_chart(&dir, None, None).unwrap();
    let server = repo.serve(&ChartRepoOptions::default()).unwrap();
    apply::<HelmRepository>(
        &h,
        "charts",
        json!({ "interval": "10m", "url": server.url() }),
    )
    .await;
    (h, repo, charts, server)
}

fn chart() -> serde_json::Value {
    json!({ "spec": {
        "chart": "opts",
        "sourceRef": { "kind": "HelmRepository", "name": "charts" },
    }})
}

fn released(hr: &HelmRelease) -> bool {
    condition(hr, "Released").is_some_and(|(s, _, _)| s == "True")
        && hr.status.as_ref().and_then(|s| s.observed_generation) == hr.metadata.generation
}

/// The statuses of `helm history NAME`, oldest first, with each description.
fn helm_history(repo: &ChartRepo, ns: &str, name: &str) -> Vec<(String, String)> {
    let rows = helm_json(repo, ns, &["history", name]);
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["status"].as_str().unwrap().to_string(),
                r["description"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const UNSCHEDULABLE: &str = "tk.example.com/no-such-node";

#[tokio::test]
async fn retry_on_failure_retries_upgrades_without_remediation() {
    let (h, repo, _charts, _server) = start("helm-retry").await;
    let ns = h.ns.clone();
    let spec = |values: serde_json::Value| {
        json!({
            "interval": "10m",
            "timeout": "4s",
            "chart": chart(),
            "upgrade": {
                "strategy": { "name": "RetryOnFailure", "retryInterval": "2s" },
                // Ignored under RetryOnFailure: no rollback, no stall.
                "remediation": { "retries": 1 },
            },
            "values": values,
        })
    };
    apply::<HelmRelease>(&h, "app", spec(json!({ "tag": "1" }))).await;
    wait_for::<HelmRelease>(&h, "app", "the install", released).await;

    apply::<HelmRelease>(
        &h,
        "app",
        spec(json!({ "tag": "2", "nodeSelector": { UNSCHEDULABLE: "true" } })),
    )
    .await;
    let failing = wait_for::<HelmRelease>(&h, "app", "three failed upgrades", |hr| {
        hr.status
            .as_ref()
            .and_then(|s| s.upgrade_failures)
            .is_some_and(|n| n >= 3)
    })
    .await;
    assert_eq!(condition(&failing, "Stalled"), None, "{failing:#?}");
    assert_eq!(condition(&failing, "Remediated"), None, "{failing:#?}");
    let (status, reason, _) = condition(&failing, "Released").unwrap();
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("False", "UpgradeFailed")
    );
    let history = helm_history(&repo, &ns, "app");
    assert!(
        history.iter().all(|(_, d)| !d.starts_with("Rollback")),
        "no rollback under RetryOnFailure: {history:#?}"
    );
    assert!(
        history.iter().filter(|(s, _)| s == "failed").count() >= 2,
        "{history:#?}"
    );

    // Fixed values: the next retry succeeds.
    apply::<HelmRelease>(&h, "app", spec(json!({ "tag": "3" }))).await;
    wait_for::<HelmRelease>(&h, "app", "the fixed upgrade", |hr| {
        released(hr) && condition(hr, "Ready").is_some_and(|(s, _, _)| s == "True")
    })
    .await;
    let deployment = Api::<Deployment>::namespaced(h.client.clone(), &ns)
        .get("app")
        .await
        .unwrap();
    let pod = deployment.spec.unwrap().template.spec.unwrap();
    assert_eq!(
        pod.containers[0].image.as_deref(),
        Some("registry.invalid/app:3")
    );
}

#[tokio::test]
async fn cleanup_on_fail_deletes_what_the_failed_upgrade_created() {
    let (h, _repo, _charts, _server) = start("helm-cleanup").await;
    let ns = h.ns.clone();
    let spec = |values: serde_json::Value| {
        json!({
            "interval": "10m",
            "timeout": "4s",
            "chart": chart(),
            "upgrade": { "cleanupOnFail": true },
            "values": values,
        })
    };
    apply::<HelmRelease>(&h, "app", spec(json!({}))).await;
    wait_for::<HelmRelease>(&h, "app", "the install", released).await;
    let configmaps: Api<ConfigMap> = Api::namespaced(h.client.clone(), &ns);
    assert!(configmaps.get_opt("app-extra").await.unwrap().is_none());

    apply::<HelmRelease>(
        &h,
        "app",
        spec(json!({ "extra": true, "nodeSelector": { UNSCHEDULABLE: "true" } })),
    )
    .await;
    let failed = wait_for::<HelmRelease>(&h, "app", "the failed upgrade", |hr| {
        condition(hr, "Stalled").is_some_and(|(s, _, _)| s == "True")
    })
    .await;
    assert_eq!(
        condition(&failed, "Released").unwrap().1,
        "UpgradeFailed",
        "{failed:#?}"
    );
    // The ConfigMap the upgrade created is gone; what the release had before stays.
    assert!(configmaps.get_opt("app-extra").await.unwrap().is_none());
    assert!(configmaps.get_opt("app-settings").await.unwrap().is_some());
}

#[tokio::test]
async fn preserve_values_upgrades_over_the_deployed_values() {
    let (h, _repo, _charts, _server) = start("helm-preserve").await;
    let ns = h.ns.clone();
    apply::<HelmRelease>(
        &h,
        "app",
        json!({
            "interval": "10m",
            "chart": chart(),
            "values": { "message": "kept", "tag": "1" },
        }),
    )
    .await;
    wait_for::<HelmRelease>(&h, "app", "the install", released).await;
    apply::<HelmRelease>(
        &h,
        "app",
        json!({
            "interval": "10m",
            "chart": chart(),
            "upgrade": { "preserveValues": true },
            "values": { "tag": "2" },
        }),
    )
    .await;
    let upgraded = wait_for::<HelmRelease>(&h, "app", "the upgrade", |hr| {
        released(hr) && hr.status.as_ref().and_then(|s| s.last_release_revision) == Some(2)
    })
    .await;
    let settings = Api::<ConfigMap>::namespaced(h.client.clone(), &ns)
        .get("app-settings")
        .await
        .unwrap()
        .data
        .unwrap();
    assert_eq!(settings["tag"], "2");
    assert_eq!(
        settings["message"], "kept",
        "the deployed value is preserved"
    );
    // In sync now: the preserved values are what is deployed, so no upgrade follows.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let again = Api::<HelmRelease>::namespaced(h.client.clone(), &ns)
        .get("app")
        .await
        .unwrap();
    assert_eq!(
        again.status.as_ref().and_then(|s| s.last_release_revision),
        upgraded
            .status
            .as_ref()
            .and_then(|s| s.last_release_revision)
    );
}

#[tokio::test]
async fn a_new_release_name_uninstalls_the_previous_release() {
    let (h, repo, _charts, _server) = start("helm-rename").await;
    let ns = h.ns.clone();
    let spec = |release: &str| {
        json!({
            "interval": "10m",
            "releaseName": release,
            "chart": chart(),
        })
    };
    apply::<HelmRelease>(&h, "app", spec("first")).await;
    wait_for::<HelmRelease>(&h, "app", "the first install", released).await;
    apply::<HelmRelease>(&h, "app", spec("second")).await;
    let renamed = wait_for::<HelmRelease>(&h, "app", "the second install", |hr| {
        released(hr)
            && hr
                .status
                .as_ref()
                .and_then(|s| s.history.as_ref())
                .and_then(|h| h.first())
                .is_some_and(|s| s.name == "second")
    })
    .await;
    let history = renamed.status.unwrap().history.unwrap();
    assert!(history.iter().all(|s| s.name == "second"), "{history:#?}");

    let deployments: Api<Deployment> = Api::namespaced(h.client.clone(), &ns);
    assert!(deployments.get_opt("second").await.unwrap().is_some());
    let gone = async {
        for _ in 0..30 {
            match deployments.get_opt("first").await.unwrap() {
                None => return true,
                Some(d) if d.metadata.deletion_timestamp.is_some() => return true,
                Some(_) => tokio::time::sleep(std::time::Duration::from_secs(1)).await,
            }
        }
        false
    };
    assert!(gone.await, "the first release's Deployment is deleted");
    let out = repo
        .helm_command()
        .env("KUBECONFIG", rig().kubeconfig_path())
        .args(["list", "-n", &ns, "-q"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "second");
}

/// A ConfigMap kept by `helm.sh/resource-policy: keep` (while `.Values.kept`), one that is
/// not, and delete hooks that each leave a ConfigMap behind.
const POLICY_TEMPLATES: &str = r#"{{- if .Values.kept }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-kept
  annotations:
    helm.sh/resource-policy: keep
data: {}
---
{{- end }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-plain
data: {}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-pre-delete
  annotations:
    helm.sh/hook: pre-delete
data: {}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-post-delete
  annotations:
    helm.sh/hook: post-delete
data: {}
"#;

#[tokio::test]
async fn uninstall_runs_delete_hooks_and_keeps_what_the_resource_policy_keeps() {
    let (h, repo, charts, server) = start("helm-keep").await;
    // A second chart in the same repository, indexed again.
    let dir = testenv::charts::write_chart(
        charts.path(),
        "policy",
        "1.0.0",
        &[("all.yaml", POLICY_TEMPLATES)],
        "kept: true\n",
    )
    .unwrap();
    repo.add_chart(&dir, None, None).unwrap();
    repo.index(&server.url()).unwrap();
    let spec = |kept: bool, uninstall: serde_json::Value| {
        json!({
            "interval": "10m",
            "chart": { "spec": {
                "chart": "policy",
                "sourceRef": { "kind": "HelmRepository", "name": "charts" },
            }},
            "values": { "kept": kept },
            "uninstall": uninstall,
        })
    };
    let configmaps: Api<ConfigMap> = Api::namespaced(h.client.clone(), &h.ns);
    let exists = |name: &str| {
        let configmaps = configmaps.clone();
        let name = name.to_string();
        async move {
            configmaps
                .get_opt(&name)
                .await
                .unwrap()
                .is_some_and(|c| c.metadata.deletion_timestamp.is_none())
        }
    };
    // The HelmRepository's index is read again so the new chart is found.
    h.request_reconcile_of::<HelmRepository>("charts").await;
    apply::<HelmRelease>(&h, "hooked", spec(true, json!({}))).await;
    apply::<HelmRelease>(&h, "silent", spec(true, json!({ "disableHooks": true }))).await;
    for name in ["hooked", "silent"] {
        wait_for::<HelmRelease>(&h, name, "the install", released).await;
        assert!(exists(&format!("{name}-kept")).await);
    }

    // An upgrade that drops the kept ConfigMap from the release leaves it in place.
    apply::<HelmRelease>(&h, "hooked", spec(false, json!({}))).await;
    wait_for::<HelmRelease>(&h, "hooked", "the upgrade", |hr| {
        released(hr) && condition(hr, "Released").is_some_and(|(_, r, _)| r == "UpgradeSucceeded")
    })
    .await;
    assert!(
        exists("hooked-kept").await,
        "an upgrade keeps what the policy keeps"
    );

    let releases: Api<HelmRelease> = Api::namespaced(h.client.clone(), &h.ns);
    for name in ["hooked", "silent"] {
        releases.delete(name, &Default::default()).await.unwrap();
    }
    for name in ["hooked", "silent"] {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while releases.get_opt(name).await.unwrap().is_some() {
            assert!(
                std::time::Instant::now() < deadline,
                "{name} is not uninstalled"
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        // Uninstall waits for deletions: the plain ConfigMap is gone by now.
        assert!(!exists(&format!("{name}-plain")).await);
        assert!(exists(&format!("{name}-kept")).await, "{name}-kept is kept");
    }
    assert!(exists("hooked-pre-delete").await && exists("hooked-post-delete").await);
    assert!(!exists("silent-pre-delete").await && !exists("silent-post-delete").await);
    let out = repo
        .helm_command()
        .env("KUBECONFIG", rig().kubeconfig_path())
        .args(["list", "-a", "-n", &h.ns, "-q"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "");
}
