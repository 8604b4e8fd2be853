//! HelmReleases on the rig: `tk controller all` installs, upgrades and uninstalls a chart
//! from a real chart repository server, kwok makes its Deployment Ready, and the real
//! `helm` CLI reads the same releases from the cluster.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use serde_json::json;
use testenv::charts::{ChartRepo, ChartRepoOptions};
use tk::api::helm::HelmRelease;
use tk::api::source::{HelmChart, HelmRepository};

use crate::source_helm::{app_repository, apply, condition, wait_for};
use crate::source_support::{Harness, HarnessOptions};
use crate::support::rig;

fn released(hr: &HelmRelease) -> Option<(String, String, String)> {
    condition(hr, "Released")
}

/// `helm <args> -n <ns> -o json` against the rig.
pub(crate) fn helm_json(repo: &ChartRepo, ns: &str, args: &[&str]) -> serde_json::Value {
    let out = repo
        .helm_command()
        .env("KUBECONFIG", rig().kubeconfig_path())
        .args(args)
        .args(["-n", ns, "-o", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "helm {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (revision, status, `field`) of each row of `helm history -o json`.
fn history_rows(history: &serde_json::Value, field: &str) -> Vec<(i64, String, String)> {
    history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["revision"].as_i64().unwrap(),
                r["status"].as_str().unwrap().to_string(),
                r[field].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A repository serving `flaky` 1.0.0, a Deployment whose `nodeSelector` and image tag come
/// from values (an impossible selector makes its health check fail).
fn flaky_repository() -> (
    ChartRepo,
    tempfile::TempDir,
    testenv::charts::ChartRepoServer,
) {
    let repo = ChartRepo::new().unwrap();
    let charts = tempfile::tempdir().unwrap();
    let dir = testenv::charts::write_chart(
        charts.path(),
        "flaky",
        "1.0.0",
        &[("deployment.yaml", FLAKY_DEPLOYMENT)],
        "tag: \"1\"\nnodeSelector: {}\n",
    )
    .unwrap();
    repo.add_chart(&dir, None, None).unwrap();
    let server = repo.serve(&ChartRepoOptions::default()).unwrap();
    (repo, charts, server)
}

#[tokio::test]
async fn helm_release_installs_upgrades_and_uninstalls_with_helm_agreeing() {
    let h = Harness::start_with(
        "helm-rel",
        HarnessOptions {
            controller: Some("all"),
            ..Default::default()
        },
    )
    .await;
    let (repo, _charts, server) = app_repository(&ChartRepoOptions::default());
    let ns = h.ns.clone();
    let configmaps: Api<ConfigMap> = Api::namespaced(h.client.clone(), &ns);
    let cm: ConfigMap = serde_json::from_value(json!({
        "metadata": { "name": "app-values" },
        "data": { "values.yaml": "message: from-configmap\nreplicaCount: 5\n" },
    }))
    .unwrap();
    configmaps
        .patch(
            "app-values",
            &PatchParams::apply("tk-e2e"),
            &Patch::Apply(&cm),
        )
        .await
        .unwrap();
    let secrets: Api<Secret> = Api::namespaced(h.client.clone(), &ns);
    let secret = |tag: &str| -> Secret {
        serde_json::from_value(json!({
            "metadata": {
                "name": "app-secret",
                "labels": { "reconcile.fluxcd.io/watch": "Enabled" },
            },
            "stringData": { "values.yaml": format!("image: registry.invalid/app:{tag}\n") },
        }))
        .unwrap()
    };
    secrets
        .patch(
            "app-secret",
            &PatchParams::apply("tk-e2e").force(),
            &Patch::Apply(&secret("1")),
        )
        .await
        .unwrap();
    apply::<HelmRepository>(
        &h,
        "charts",
        json!({ "interval": "10m", "url": server.url() }),
    )
    .await;
    let spec = |version: &str| {
        json!({
            "interval": "10m",
            "chart": { "spec": {
                "chart": "app",
                "version": version,
                "sourceRef": { "kind": "HelmRepository", "name": "charts" },
            }},
            "valuesFrom": [
                { "kind": "ConfigMap", "name": "app-values" },
                { "kind": "Secret", "name": "app-secret" },
            ],
            // spec.values wins over valuesFrom.
            "values": { "replicaCount": 2 },
        })
    };
    apply::<HelmRelease>(&h, "app", spec("1.0.0")).await;
    let hr = wait_for::<HelmRelease>(&h, "app", "the install", |hr| {
        released(hr).is_some_and(|(s, _, _)| s == "True")
    })
    .await;
    assert_eq!(
        released(&hr).unwrap(),
        (
            "True".into(),
            "InstallSucceeded".into(),
            format!("Helm install succeeded for release {ns}/app.v1 with chart app@1.0.0")
        )
    );
    assert_eq!(condition(&hr, "Ready").unwrap().0, "True");
    let status = hr.status.as_ref().unwrap();
    assert_eq!(
        status.helm_chart.as_deref(),
        Some(format!("{ns}/{ns}-app").as_str())
    );
    let history = status.history.as_ref().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (
            history[0].version,
            history[0].status.as_str(),
            history[0].chart_version.as_str()
        ),
        (1, "deployed", "1.0.0")
    );
    assert!(history[0].config_digest.starts_with("sha256:"));
    // The HelmChart made from the template is labelled as the release's.
    let chart = Api::<HelmChart>::namespaced(h.client.clone(), &ns)
        .get(&format!("{ns}-app"))
        .await
        .unwrap();
    assert_eq!(
        chart.metadata.labels.as_ref().unwrap()["helm.toolkit.fluxcd.io/name"],
        "app"
    );

    let deployments: Api<Deployment> = Api::namespaced(h.client.clone(), &ns);
    let deployment = deployments.get("app").await.unwrap();
    assert_eq!(deployment.spec.as_ref().unwrap().replicas, Some(2));
    let env = serde_json::to_value(&deployment.spec.as_ref().unwrap().template).unwrap();
    assert_eq!(
        env["spec"]["containers"][0]["env"][0]["value"],
        "from-configmap"
    );
    let labels = deployment.metadata.labels.clone().unwrap();
    assert_eq!(labels["app.kubernetes.io/managed-by"], "Helm");
    assert_eq!(labels["helm.toolkit.fluxcd.io/name"], "app");
    assert_eq!(
        deployment.metadata.annotations.clone().unwrap()["meta.helm.sh/release-name"],
        "app"
    );

    // helm sees the release tk made.
    let list = helm_json(&repo, &ns, &["list"]);
    assert_eq!(list[0]["name"], "app");
    assert_eq!(list[0]["revision"], "1");
    assert_eq!(list[0]["status"], "deployed");
    assert_eq!(list[0]["chart"], "app-1.0.0");
    let values = helm_json(&repo, &ns, &["get", "values", "app"]);
    assert_eq!(values["replicaCount"], 2);
    assert_eq!(values["message"], "from-configmap");

    // A new chart version upgrades; helm's history agrees.
    apply::<HelmRelease>(&h, "app", spec("1.1.0")).await;
    let hr = wait_for::<HelmRelease>(&h, "app", "the upgrade", |hr| {
        released(hr).is_some_and(|(_, r, _)| r == "UpgradeSucceeded")
    })
    .await;
    assert_eq!(
        released(&hr).unwrap().2,
        format!("Helm upgrade succeeded for release {ns}/app.v2 with chart app@1.1.0")
    );
    let history = helm_json(&repo, &ns, &["history", "app"]);
    let rows = history_rows(&history, "chart");
    assert_eq!(
        rows,
        vec![
            (1, "superseded".into(), "app-1.0.0".into()),
            (2, "deployed".into(), "app-1.1.0".into()),
        ]
    );
    let snapshots = hr.status.as_ref().unwrap().history.clone().unwrap();
    assert_eq!(snapshots[0].version, 2);
    assert_eq!(snapshots[1].status, "superseded");

    // A reconcile of an unchanged release changes nothing.
    h.request_reconcile_of::<HelmRelease>("app").await;
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(
        helm_json(&repo, &ns, &["history", "app"])
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // A watched values Secret that changes makes a new revision by itself.
    secrets
        .patch(
            "app-secret",
            &PatchParams::apply("tk-e2e").force(),
            &Patch::Apply(&secret("2")),
        )
        .await
        .unwrap();
    let hr = wait_for::<HelmRelease>(&h, "app", "the upgrade to v3", |hr| {
        released(hr).is_some_and(|(_, _, m)| m.contains(".v3 "))
    })
    .await;
    assert_eq!(
        hr.status.as_ref().unwrap().history.as_ref().unwrap()[0].version,
        3
    );
    assert_eq!(
        helm_json(&repo, &ns, &["get", "values", "app"])["image"],
        "registry.invalid/app:2"
    );
    let image = deployments
        .get("app")
        .await
        .unwrap()
        .spec
        .unwrap()
        .template
        .spec
        .unwrap()
        .containers[0]
        .image
        .clone();
    assert_eq!(image.as_deref(), Some("registry.invalid/app:2"));

    // Deleting the HelmRelease uninstalls: objects, records and the HelmChart go.
    Api::<HelmRelease>::namespaced(h.client.clone(), &ns)
        .delete("app", &DeleteParams::default())
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let gone = deployments.get_opt("app").await.unwrap().is_none()
            && secrets
                .list(&ListParams::default().labels("owner=helm,name=app"))
                .await
                .unwrap()
                .items
                .is_empty()
            && Api::<HelmChart>::namespaced(h.client.clone(), &ns)
                .get_opt(&format!("{ns}-app"))
                .await
                .unwrap()
                .is_none();
        if gone {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the release was not uninstalled"
        );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
}

/// A Deployment whose image tag and nodeSelector come from values: an impossible selector
/// fails its health check.
pub(crate) const FLAKY_DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app: {{ .Release.Name }}
    spec:
      {{- with .Values.nodeSelector }}
      nodeSelector: {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: app
          image: registry.invalid/app:{{ .Values.tag }}
"#;

#[tokio::test]
async fn failed_upgrades_are_rolled_back_until_the_retries_run_out() {
    let h = Harness::start_with(
        "helm-rb",
        HarnessOptions {
            controller: Some("all"),
            ..Default::default()
        },
    )
    .await;
    let (repo, _charts, server) = flaky_repository();
    let ns = h.ns.clone();
    apply::<HelmRepository>(
        &h,
        "charts",
        json!({ "interval": "10m", "url": server.url() }),
    )
    .await;
    let spec = |values: serde_json::Value| {
        json!({
            "interval": "10m",
            "timeout": "6s",
            "chart": { "spec": {
                "chart": "flaky",
                "sourceRef": { "kind": "HelmRepository", "name": "charts" },
            }},
            "upgrade": { "remediation": { "retries": 1, "strategy": "rollback" } },
            "values": values,
        })
    };
    apply::<HelmRelease>(&h, "flaky", spec(json!({ "tag": "1" }))).await;
    wait_for::<HelmRelease>(&h, "flaky", "the install", |hr| {
        released(hr).is_some_and(|(s, _, _)| s == "True")
    })
    .await;

    // Pods that can never be scheduled fail the health check of each upgrade.
    apply::<HelmRelease>(
        &h,
        "flaky",
        spec(json!({ "tag": "2", "nodeSelector": { "tk.example.com/no-such-node": "true" } })),
    )
    .await;
    let stalled = wait_for::<HelmRelease>(&h, "flaky", "retries exhausted", |hr| {
        condition(hr, "Stalled").is_some_and(|(s, _, _)| s == "True")
    })
    .await;
    let (_, reason, message) = condition(&stalled, "Stalled").unwrap();
    assert_eq!(reason, "RetriesExceeded");
    assert_eq!(message, "Failed to upgrade after 2 attempt(s)");
    let (status, reason, message) = condition(&stalled, "Remediated").unwrap();
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("True", "RollbackSucceeded")
    );
    assert!(
        message.starts_with(&format!("Helm rollback to previous release {ns}/flaky.v")),
        "{message}"
    );
    assert_eq!(condition(&stalled, "Ready").unwrap().0, "False");
    let (_, reason, message) = released(&stalled).unwrap();
    assert_eq!(reason, "UpgradeFailed");
    assert!(
        message.contains("timeout waiting for: [Deployment/"),
        "{message}"
    );

    // helm agrees: two failed upgrades, each rolled back; the rollback is deployed.
    let history = helm_json(&repo, &ns, &["history", "flaky"]);
    let rows = history_rows(&history, "description");
    let statuses: Vec<(i64, &str)> = rows.iter().map(|(v, s, _)| (*v, s.as_str())).collect();
    assert_eq!(
        statuses,
        vec![
            (1, "superseded"),
            (2, "failed"),
            (3, "superseded"),
            (4, "failed"),
            (5, "deployed"),
        ],
        "{rows:#?}"
    );
    assert_eq!(rows[4].2, "Rollback to 3");
    let deployment = Api::<Deployment>::namespaced(h.client.clone(), &ns)
        .get("flaky")
        .await
        .unwrap();
    let pod = deployment.spec.unwrap().template.spec.unwrap();
    assert_eq!(pod.node_selector, None);
    assert_eq!(
        pod.containers[0].image.as_deref(),
        Some("registry.invalid/app:1")
    );
}

const JOB_TEST_HOOK: &str = r#"apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-smoke
  annotations:
    helm.sh/hook: test
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: smoke
          image: registry.invalid/smoke:1
"#;

/// What the chart sees of the cluster: the API server's version and discovered APIs.
const CAPABILITIES_CONFIGMAP: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-capabilities
data:
  helmReleases: {{ .Capabilities.APIVersions.Has "helm.toolkit.fluxcd.io/v2/HelmRelease" | quote }}
  kubeMinor: {{ .Capabilities.KubeVersion.Minor | quote }}
"#;

/// The talk's HelmRelease, in GA form: a SemVer range, rollback remediation, tests whose
/// failures are ignored, values from a ConfigMap and inline.
#[tokio::test]
async fn the_seed_helm_release_reconciles_and_runs_its_tests() {
    let h = Harness::start_with(
        "helm-seed",
        HarnessOptions {
            controller: Some("all"),
            ..Default::default()
        },
    )
    .await;
    let (repo, charts, server) = app_repository(&ChartRepoOptions::default());
    // A chart whose test is a Job (kwok completes Job pods; a bare test Pod never ends).
    let smoke = testenv::charts::write_chart(
        charts.path(),
        "smoke",
        "0.1.0",
        &[
            ("tests/job.yaml", JOB_TEST_HOOK),
            ("capabilities.yaml", CAPABILITIES_CONFIGMAP),
        ],
        "{}\n",
    )
    .unwrap();
    repo.add_chart(&smoke, None, None).unwrap();
    repo.index(&server.url()).unwrap();
    let ns = h.ns.clone();
    let configmaps: Api<ConfigMap> = Api::namespaced(h.client.clone(), &ns);
    let cm: ConfigMap = serde_json::from_value(json!({
        "metadata": { "name": "podinfo-ingress" },
        "data": { "values.yaml": "service:\n  port: 9999\n" },
    }))
    .unwrap();
    configmaps
        .patch(
            "podinfo-ingress",
            &PatchParams::apply("tk-e2e"),
            &Patch::Apply(&cm),
        )
        .await
        .unwrap();
    apply::<HelmRepository>(
        &h,
        "podinfo",
        json!({ "interval": "1m", "url": server.url() }),
    )
    .await;
    apply::<HelmRelease>(
        &h,
        "podinfo",
        json!({
            "interval": "5m",
            "chart": { "spec": {
                "chart": "app",
                "version": "^1.0.0",
                "sourceRef": { "kind": "HelmRepository", "name": "podinfo" },
                "interval": "1m",
            }},
            "upgrade": { "remediation": { "strategy": "rollback" } },
            "test": { "enable": true, "ignoreFailures": true, "timeout": "3s" },
            "valuesFrom": [{ "kind": "ConfigMap", "name": "podinfo-ingress" }],
            "values": { "replicaCount": 2 },
        }),
    )
    .await;
    let hr = wait_for::<HelmRelease>(&h, "podinfo", "the install and its test", |hr| {
        condition(hr, "TestSuccess").is_some()
    })
    .await;
    // ^1.0.0 picks 1.1.0 (2.0.0-rc.1 is a prerelease).
    assert_eq!(
        released(&hr).unwrap().2,
        format!("Helm install succeeded for release {ns}/podinfo.v1 with chart app@1.1.0")
    );
    let (status, reason, message) = condition(&hr, "TestSuccess").unwrap();
    assert_eq!((status.as_str(), reason.as_str()), ("False", "TestFailed"));
    assert!(
        message.starts_with(&format!(
            "Helm test failed for release {ns}/podinfo.v1 with chart app@1.1.0: test hook"
        )),
        "{message}"
    );
    // Ignored: the release stays Ready.
    assert_eq!(condition(&hr, "Ready").unwrap().0, "True");
    let hooks = hr.status.as_ref().unwrap().history.as_ref().unwrap()[0]
        .test_hooks
        .clone()
        .unwrap();
    assert_eq!(hooks["podinfo-test"].phase.as_deref(), Some("Failed"));
    let service = Api::<k8s_openapi::api::core::v1::Service>::namespaced(h.client.clone(), &ns)
        .get("podinfo")
        .await
        .unwrap();
    assert_eq!(service.spec.unwrap().ports.unwrap()[0].port, 9999);

    // A test that completes.
    apply::<HelmRelease>(
        &h,
        "smoke",
        json!({
            "interval": "5m",
            "chart": { "spec": {
                "chart": "smoke",
                "sourceRef": { "kind": "HelmRepository", "name": "podinfo" },
            }},
            "test": { "enable": true, "timeout": "60s" },
        }),
    )
    .await;
    let hr = wait_for::<HelmRelease>(&h, "smoke", "the smoke test", |hr| {
        condition(hr, "TestSuccess").is_some()
    })
    .await;
    assert_eq!(
        condition(&hr, "TestSuccess").unwrap(),
        (
            "True".into(),
            "TestSucceeded".into(),
            format!(
                "Helm test succeeded for release {ns}/smoke.v1 with chart smoke@0.1.0: 1 test hook completed successfully"
            )
        )
    );
    let capabilities = configmaps.get("smoke-capabilities").await.unwrap();
    let data = capabilities.data.unwrap();
    assert_eq!(data["helmReleases"], "true");
    assert_eq!(data["kubeMinor"], "34");
    let status = helm_json(&repo, &ns, &["status", "smoke"]);
    assert_eq!(status["hooks"][0]["last_run"]["phase"], "Succeeded");
}

#[tokio::test]
async fn drift_is_reported_and_corrected() {
    let h = Harness::start_with(
        "helm-drift",
        HarnessOptions {
            controller: Some("all"),
            ..Default::default()
        },
    )
    .await;
    let (_repo, _charts, server) = app_repository(&ChartRepoOptions::default());
    let ns = h.ns.clone();
    apply::<HelmRepository>(
        &h,
        "charts",
        json!({ "interval": "10m", "url": server.url() }),
    )
    .await;
    apply::<HelmRelease>(
        &h,
        "app",
        json!({
            "interval": "10m",
            "chart": { "spec": {
                "chart": "app",
                "version": "1.0.0",
                "sourceRef": { "kind": "HelmRepository", "name": "charts" },
            }},
            "driftDetection": {
                "mode": "enabled",
                "ignore": [{ "paths": ["/spec/replicas"], "target": { "kind": "Deployment" } }],
            },
        }),
    )
    .await;
    wait_for::<HelmRelease>(&h, "app", "the install", |hr| {
        released(hr).is_some_and(|(s, _, _)| s == "True")
    })
    .await;
    // Someone edits the Deployment: its image (drift) and replicas (ignored).
    let deployments: Api<Deployment> = Api::namespaced(h.client.clone(), &ns);
    let edit = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": { "name": "app" },
        "spec": {
            "replicas": 7,
            "template": { "spec": { "containers": [{ "name": "app", "image": "evil:1" }] } },
        },
    });
    deployments
        .patch(
            "app",
            &PatchParams::apply("kubectl-edit").force(),
            &Patch::Apply(&edit),
        )
        .await
        .unwrap();
    h.request_reconcile_of::<HelmRelease>("app").await;
    let event = h
        .events
        .wait_for("DriftCorrected", |e| e["reason"] == "DriftCorrected")
        .await;
    assert_eq!(
        event["message"],
        format!(
            "Cluster state of release {ns}/app.v1 has been corrected:\nDeployment/{ns}/app configured"
        )
    );
    let detected = h
        .events
        .wait_for("DriftDetected", |e| e["reason"] == "DriftDetected")
        .await;
    assert!(
        detected["message"].as_str().unwrap().ends_with(&format!(
            "drifted from the desired state:\nDeployment/{ns}/app configured"
        )),
        "{detected}"
    );
    // The image is back; the ignored replicas keep their edit.
    let spec = deployments.get("app").await.unwrap().spec.unwrap();
    assert_eq!(spec.replicas, Some(7));
    let image = spec.template.spec.unwrap().containers[0].image.clone();
    assert_eq!(image.as_deref(), Some("registry.k8s.io/pause:3.10"));
}

#[tokio::test]
async fn a_release_waits_for_the_releases_it_depends_on() {
    let h = Harness::start_with(
        "helm-deps",
        HarnessOptions {
            controller: Some("all"),
            extra_args: vec!["--requeue-dependency=1s".into()],
            ..Default::default()
        },
    )
    .await;
    let (_repo, _charts, server) = app_repository(&ChartRepoOptions::default());
    let ns = h.ns.clone();
    apply::<HelmRepository>(
        &h,
        "charts",
        json!({ "interval": "10m", "url": server.url() }),
    )
    .await;
    let spec = |depends_on: serde_json::Value| {
        json!({
            "interval": "10m",
            "chart": { "spec": {
                "chart": "app",
                "version": "1.0.0",
                "sourceRef": { "kind": "HelmRepository", "name": "charts" },
            }},
            "dependsOn": depends_on,
        })
    };
    apply::<HelmRelease>(&h, "frontend", spec(json!([{ "name": "backend" }]))).await;
    let waiting = wait_for::<HelmRelease>(&h, "frontend", "DependencyNotReady", |hr| {
        condition(hr, "Ready").is_some_and(|(_, r, _)| r == "DependencyNotReady")
    })
    .await;
    assert_eq!(
        condition(&waiting, "Ready").unwrap().2,
        format!(
            "dependency '{ns}/backend' not found: helmreleases.helm.toolkit.fluxcd.io \"backend\" not found"
        )
    );
    assert!(released(&waiting).is_none());
    apply::<HelmRelease>(&h, "backend", spec(json!([]))).await;
    for name in ["backend", "frontend"] {
        wait_for::<HelmRelease>(&h, name, "the install", |hr| {
            released(hr).is_some_and(|(s, _, _)| s == "True")
        })
        .await;
    }

    // A readyExpr that cannot compile stalls the dependant.
    apply::<HelmRelease>(
        &h,
        "broken",
        spec(json!([{ "name": "backend", "readyExpr": "dep.status.(" }])),
    )
    .await;
    let stalled = wait_for::<HelmRelease>(&h, "broken", "Stalled", |hr| {
        condition(hr, "Stalled").is_some_and(|(s, _, _)| s == "True")
    })
    .await;
    let (_, reason, message) = condition(&stalled, "Stalled").unwrap();
    assert_eq!(reason, "InvalidCELExpression");
    assert!(
        message.starts_with("spec.dependsOn[0].readyExpr: "),
        "{message}"
    );
}

#[tokio::test]
async fn a_release_left_pending_by_a_killed_controller_is_recovered() {
    let mut h = Harness::start_with(
        "helm-kill",
        HarnessOptions {
            controller: Some("all"),
            ..Default::default()
        },
    )
    .await;
    let (repo, _charts, server) = flaky_repository();
    let ns = h.ns.clone();
    apply::<HelmRepository>(
        &h,
        "charts",
        json!({ "interval": "10m", "url": server.url() }),
    )
    .await;
    let spec = |values: serde_json::Value| {
        json!({
            "interval": "10m",
            "timeout": "5m",
            "chart": { "spec": {
                "chart": "flaky",
                "sourceRef": { "kind": "HelmRepository", "name": "charts" },
            }},
            "values": values,
        })
    };
    apply::<HelmRelease>(&h, "flaky", spec(json!({ "tag": "1" }))).await;
    wait_for::<HelmRelease>(&h, "flaky", "the install", |hr| {
        released(hr).is_some_and(|(s, _, _)| s == "True")
    })
    .await;
    // An upgrade that waits (its pods cannot be scheduled), killed while it waits.
    apply::<HelmRelease>(
        &h,
        "flaky",
        spec(json!({ "tag": "2", "nodeSelector": { "tk.example.com/no-such-node": "true" } })),
    )
    .await;
    let secrets: Api<Secret> = Api::namespaced(h.client.clone(), &ns);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while secrets
        .list(&ListParams::default().labels("owner=helm,name=flaky,status=pending-upgrade"))
        .await
        .unwrap()
        .items
        .is_empty()
    {
        assert!(std::time::Instant::now() < deadline, "no pending upgrade");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    h.restart_controller();
    // The fix arrives while the release is still locked by the dead controller.
    apply::<HelmRelease>(&h, "flaky", spec(json!({ "tag": "3" }))).await;
    let hr = wait_for::<HelmRelease>(&h, "flaky", "the recovered upgrade", |hr| {
        released(hr).is_some_and(|(_, r, m)| r == "UpgradeSucceeded" && m.contains(".v3 "))
    })
    .await;
    assert_eq!(condition(&hr, "Ready").unwrap().0, "True");
    let history = helm_json(&repo, &ns, &["history", "flaky"]);
    let rows = history_rows(&history, "description");
    assert_eq!(
        rows,
        vec![
            (1, "superseded".into(), "Superseded".into()),
            (
                2,
                "failed".into(),
                "Release unlocked from stale 'pending-upgrade' state".into()
            ),
            (3, "deployed".into(), "Upgrade complete".into()),
        ]
    );
}

#[tokio::test]
async fn releases_are_made_as_the_service_account() {
    let h = Harness::start_with(
        "helm-sa",
        HarnessOptions {
            controller: Some("all"),
            ..Default::default()
        },
    )
    .await;
    let (_repo, _charts, server) = app_repository(&ChartRepoOptions::default());
    let ns = h.ns.clone();
    let accounts: Api<k8s_openapi::api::core::v1::ServiceAccount> =
        Api::namespaced(h.client.clone(), &ns);
    accounts
        .create(
            &Default::default(),
            &serde_json::from_value(json!({ "metadata": { "name": "deployer" } })).unwrap(),
        )
        .await
        .unwrap();
    apply::<HelmRepository>(
        &h,
        "charts",
        json!({ "interval": "10m", "url": server.url() }),
    )
    .await;
    apply::<HelmRelease>(
        &h,
        "app",
        json!({
            "interval": "10m",
            "serviceAccountName": "deployer",
            "chart": { "spec": {
                "chart": "app",
                "version": "1.0.0",
                "sourceRef": { "kind": "HelmRepository", "name": "charts" },
            }},
        }),
    )
    .await;
    // Without permissions the account cannot even read the release records.
    let denied = wait_for::<HelmRelease>(&h, "app", "a forbidden failure", |hr| {
        condition(hr, "Ready").is_some_and(|(s, _, m)| s == "False" && m.contains("forbidden"))
    })
    .await;
    let message = condition(&denied, "Ready").unwrap().2;
    assert!(
        message.contains(&format!("system:serviceaccount:{ns}:deployer")),
        "{message}"
    );
    let bindings: Api<k8s_openapi::api::rbac::v1::RoleBinding> =
        Api::namespaced(h.client.clone(), &ns);
    bindings
        .create(
            &Default::default(),
            &serde_json::from_value(json!({
                "metadata": { "name": "deployer-admin" },
                "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin" },
                "subjects": [{ "kind": "ServiceAccount", "name": "deployer", "namespace": ns }],
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    h.request_reconcile_of::<HelmRelease>("app").await;
    wait_for::<HelmRelease>(&h, "app", "the install", |hr| {
        released(hr).is_some_and(|(s, _, _)| s == "True")
    })
    .await;
    let deployment = Api::<Deployment>::namespaced(h.client.clone(), &ns)
        .get("app")
        .await
        .unwrap();
    let managers: Vec<String> = deployment
        .metadata
        .managed_fields
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| m.manager)
        .collect();
    assert!(
        managers.contains(&"helm-controller".to_string()),
        "{managers:?}"
    );
}

#[tokio::test]
async fn post_renderers_patch_the_release_and_their_changes_upgrade_it() {
    let h = Harness::start_with(
        "helm-pr",
        HarnessOptions {
            controller: Some("all"),
            ..Default::default()
        },
    )
    .await;
    let (_repo, _charts, server) = app_repository(&ChartRepoOptions::default());
    let ns = h.ns.clone();
    apply::<HelmRepository>(
        &h,
        "charts",
        json!({ "interval": "10m", "url": server.url() }),
    )
    .await;
    let spec = |tag: &str| {
        json!({
            "interval": "10m",
            "chart": { "spec": {
                "chart": "app",
                "version": "1.0.0",
                "sourceRef": { "kind": "HelmRepository", "name": "charts" },
            }},
            "postRenderers": [{ "kustomize": {
                "images": [{ "name": "registry.k8s.io/pause", "newTag": tag }],
                "patches": [{
                    "target": { "kind": "Deployment" },
                    "patch": "- op: add\n  path: /metadata/labels/team\n  value: payments\n",
                }],
            }}],
        })
    };
    apply::<HelmRelease>(&h, "app", spec("3.9")).await;
    let hr = wait_for::<HelmRelease>(&h, "app", "the install", |hr| {
        released(hr).is_some_and(|(s, _, _)| s == "True")
    })
    .await;
    assert!(
        hr.status
            .as_ref()
            .unwrap()
            .observed_post_renderers_digest
            .as_deref()
            .is_some_and(|d| d.starts_with("sha256:"))
    );
    let deployments: Api<Deployment> = Api::namespaced(h.client.clone(), &ns);
    let deployment = deployments.get("app").await.unwrap();
    assert_eq!(
        deployment.metadata.labels.as_ref().unwrap()["team"],
        "payments"
    );
    let image = |d: &Deployment| {
        d.spec
            .as_ref()
            .unwrap()
            .template
            .spec
            .as_ref()
            .unwrap()
            .containers[0]
            .image
            .clone()
    };
    assert_eq!(
        image(&deployment).as_deref(),
        Some("registry.k8s.io/pause:3.9")
    );

    // Only the post-renderers change: a new release.
    apply::<HelmRelease>(&h, "app", spec("3.8")).await;
    wait_for::<HelmRelease>(&h, "app", "the upgrade", |hr| {
        released(hr).is_some_and(|(_, r, _)| r == "UpgradeSucceeded")
    })
    .await;
    assert_eq!(
        image(&deployments.get("app").await.unwrap()).as_deref(),
        Some("registry.k8s.io/pause:3.8")
    );
}
