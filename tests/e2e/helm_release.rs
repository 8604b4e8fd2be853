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
fn helm_json(repo: &ChartRepo, ns: &str, args: &[&str]) -> serde_json::Value {
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
    let rows: Vec<(i64, String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["revision"].as_i64().unwrap(),
                r["status"].as_str().unwrap().to_string(),
                r["chart"].as_str().unwrap().to_string(),
            )
        })
        .collect();
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

const FLAKY_DEPLOYMENT: &str = r#"apiVersion: apps/v1
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
    let rows: Vec<(i64, String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["revision"].as_i64().unwrap(),
                r["status"].as_str().unwrap().to_string(),
                r["description"].as_str().unwrap().to_string(),
            )
        })
        .collect();
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
        &[("tests/job.yaml", JOB_TEST_HOOK)],
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
    let status = helm_json(&repo, &ns, &["status", "smoke"]);
    assert_eq!(status["hooks"][0]["last_run"]["phase"], "Succeeded");
}
