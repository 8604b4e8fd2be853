//! HelmRepository and HelmChart on the rig: a real chart repository server (HTTP, basic
//! auth, TLS with client certificates) filled by the real `helm`, a real Git server for
//! charts in Git, and `tk controller source` reconciling them.

use std::io::Read;
use std::time::{Duration, Instant};

use kube::api::{Api, Patch, PatchParams};
use kube::core::NamespaceResourceScope;
use serde::de::DeserializeOwned;
use serde_json::json;
use testenv::charts::{ChartRepo, ChartRepoOptions, ChartRepoServer, write_test_chart};
use testenv::git::TlsOptions;
use tk::api::source::{HelmChart, HelmRepository};

use crate::source_support::Harness;

pub(crate) fn api<K>(h: &Harness) -> Api<K>
where
    K: kube::Resource<DynamicType = (), Scope = NamespaceResourceScope>,
{
    Api::namespaced(h.client.clone(), &h.ns)
}

pub(crate) async fn apply<K>(h: &Harness, name: &str, spec: serde_json::Value)
where
    K: kube::Resource<DynamicType = (), Scope = NamespaceResourceScope>
        + Clone
        + DeserializeOwned
        + std::fmt::Debug,
{
    let obj = json!({
        "apiVersion": K::api_version(&()),
        "kind": K::kind(&()),
        "metadata": { "name": name, "namespace": h.ns },
        "spec": spec,
    });
    api::<K>(h)
        .patch(
            name,
            &PatchParams::apply("tk-e2e").force(),
            &Patch::Apply(&obj),
        )
        .await
        .unwrap();
}

fn conditions(status: Option<&serde_json::Value>) -> Vec<serde_json::Value> {
    status
        .and_then(|s| s.get("conditions"))
        .and_then(|c| c.as_array())
        .cloned()
        .unwrap_or_default()
}

/// (status, reason, message) of a condition.
pub(crate) fn condition<K: serde::Serialize>(
    obj: &K,
    type_: &str,
) -> Option<(String, String, String)> {
    let value = serde_json::to_value(obj).unwrap();
    conditions(value.get("status"))
        .into_iter()
        .find(|c| c["type"] == type_)
        .map(|c| {
            let text = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            (text("status"), text("reason"), text("message"))
        })
}

pub(crate) async fn wait_for<K>(
    h: &Harness,
    name: &str,
    what: &str,
    check: impl Fn(&K) -> bool,
) -> K
where
    K: kube::Resource<DynamicType = (), Scope = NamespaceResourceScope>
        + Clone
        + DeserializeOwned
        + std::fmt::Debug
        + serde::Serialize,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let obj = api::<K>(h).get(name).await.unwrap();
        if check(&obj) {
            return obj;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; object: {}",
            serde_json::to_string_pretty(&obj).unwrap()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

pub(crate) fn is_true<K: serde::Serialize>(obj: &K, type_: &str) -> bool {
    condition(obj, type_).is_some_and(|(s, _, _)| s == "True")
}

fn chart_revision(c: &HelmChart) -> Option<&str> {
    Some(c.status.as_ref()?.artifact.as_ref()?.revision.as_str())
}

pub(crate) fn get(url: &str) -> Vec<u8> {
    let mut body = Vec::new();
    testenv::ureq::get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .into_body()
        .into_reader()
        .read_to_end(&mut body)
        .unwrap();
    body
}

fn sha256(bytes: &[u8]) -> String {
    artifact::Digest::of_reader(artifact::Algorithm::Sha256, bytes)
        .unwrap()
        .0
        .to_string()
}

/// A repository with `app` 1.0.0, 1.1.0 and 2.0.0-rc.1, served with `options`.
pub(crate) fn app_repository(
    options: &ChartRepoOptions,
) -> (ChartRepo, tempfile::TempDir, ChartRepoServer) {
    let repo = ChartRepo::new().unwrap();
    let charts = tempfile::tempdir().unwrap();
    let dir = write_test_chart(charts.path(), "app", "1.0.0").unwrap();
    for version in ["1.0.0", "1.1.0", "2.0.0-rc.1"] {
        repo.add_chart(&dir, Some(version), None).unwrap();
    }
    let server = repo.serve(options).unwrap();
    (repo, charts, server)
}

#[tokio::test]
async fn helm_repository_index_and_charts_by_semver_follow_the_repository() {
    let h = Harness::start("helm-src").await;
    let (repo, charts, server) = app_repository(&ChartRepoOptions::default());

    apply::<HelmRepository>(
        &h,
        "charts",
        json!({ "interval": "10m", "url": server.url() }),
    )
    .await;
    let hr =
        wait_for::<HelmRepository>(&h, "charts", "the index artifact", |r| is_true(r, "Ready"))
            .await;
    let served = std::fs::read(repo.path().join("index.yaml")).unwrap();
    let artifact = hr.status.as_ref().unwrap().artifact.clone().unwrap();
    // The revision is the digest of the index as served; the artifact is the sorted index
    // as JSON, with its own digest.
    assert_eq!(artifact.revision, sha256(&served));
    let hex = artifact.revision.trim_start_matches("sha256:");
    assert_eq!(
        artifact.path,
        format!("helmrepository/{}/charts/index-{hex}.yaml", h.ns)
    );
    let stored = get(&artifact.url);
    assert_eq!(artifact.digest, sha256(&stored));
    let index: serde_json::Value = serde_json::from_slice(&stored).unwrap();
    let versions: Vec<&str> = index["entries"]["app"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["2.0.0-rc.1", "1.1.0", "1.0.0"]);
    let status_url = hr.status.as_ref().unwrap().url.clone().unwrap();
    assert!(status_url.ends_with(&format!("/helmrepository/{}/charts/index.yaml", h.ns)));
    assert_eq!(get(&status_url), stored);
    let (_, reason, message) = condition(&hr, "Ready").unwrap();
    assert_eq!(reason, "Succeeded");
    assert_eq!(
        message,
        format!("stored artifact: revision '{}'", artifact.revision)
    );
    h.events
        .wait_for("NewArtifact for the index", |e| {
            e["reason"] == "NewArtifact"
                && e["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("fetched index of size "))
        })
        .await;

    // A semver range picks the newest stable match; the archive is stored as pulled.
    apply::<HelmChart>(
        &h,
        "app",
        json!({
            "interval": "10m",
            "chart": "app",
            "version": "1.x",
            "sourceRef": { "kind": "HelmRepository", "name": "charts" },
        }),
    )
    .await;
    let chart = wait_for::<HelmChart>(&h, "app", "app 1.1.0", |c| {
        is_true(c, "Ready") && chart_revision(c) == Some("1.1.0")
    })
    .await;
    let status = chart.status.as_ref().unwrap();
    let artifact = status.artifact.as_ref().unwrap();
    assert_eq!(
        artifact.path,
        format!("helmchart/{}/app/app-1.1.0.tgz", h.ns)
    );
    let pulled = get(&artifact.url);
    assert_eq!(
        pulled,
        std::fs::read(repo.path().join("app-1.1.0.tgz")).unwrap()
    );
    assert_eq!(artifact.digest, sha256(&pulled));
    assert_eq!(status.observed_chart_name.as_deref(), Some("app"));
    assert_eq!(
        status.observed_source_artifact_revision.as_deref(),
        Some(
            hr.status
                .as_ref()
                .unwrap()
                .artifact
                .as_ref()
                .unwrap()
                .revision
                .as_str()
        )
    );
    assert!(status.url.as_deref().unwrap().ends_with("/latest.tar.gz"));
    assert_eq!(
        condition(&chart, "Ready").unwrap(),
        (
            "True".into(),
            "ChartPullSucceeded".into(),
            "pulled 'app' chart with version '1.1.0'".into()
        )
    );

    // A new chart version in the repository reaches the chart through the repository alone.
    let dir = charts.path().join("app");
    repo.add_chart(&dir, Some("1.2.0"), None).unwrap();
    repo.index(&server.url()).unwrap();
    h.request_reconcile_of::<HelmRepository>("charts").await;
    wait_for::<HelmChart>(&h, "app", "app 1.2.0", |c| {
        chart_revision(c) == Some("1.2.0")
    })
    .await;

    // No match: stalled with Flux's reference error, and the last good chart is kept.
    apply::<HelmChart>(
        &h,
        "app",
        json!({
            "interval": "10m",
            "chart": "app",
            "version": ">=3.0.0",
            "sourceRef": { "kind": "HelmRepository", "name": "charts" },
        }),
    )
    .await;
    let stalled =
        wait_for::<HelmChart>(&h, "app", "a stalled chart", |c| is_true(c, "Stalled")).await;
    let (_, reason, message) = condition(&stalled, "FetchFailed").unwrap();
    assert_eq!(reason, "InvalidChartReference");
    assert!(
        message.contains("no 'app' chart with version matching '>=3.0.0' found"),
        "{message}"
    );
    assert_eq!(chart_revision(&stalled), Some("1.2.0"));
}

#[tokio::test]
async fn helm_repository_with_basic_auth_and_client_certificates() {
    let h = Harness::start("helm-auth").await;
    let options = ChartRepoOptions {
        basic_auth: Some(("fleet".into(), "s3cret".into())),
        tls: Some(TlsOptions {
            require_client_cert: true,
        }),
        ..Default::default()
    };
    let (_repo, _charts, server) = app_repository(&options);
    let client = server.client_credentials().unwrap();
    h.create_secret("auth", &[("username", "fleet"), ("password", "s3cret")])
        .await;
    h.create_secret(
        "tls",
        &[
            ("ca.crt", server.ca_pem().unwrap()),
            ("tls.crt", &client.cert_pem),
            ("tls.key", &client.key_pem),
        ],
    )
    .await;
    apply::<HelmRepository>(
        &h,
        "private",
        json!({
            "interval": "10m",
            "url": server.url(),
            "secretRef": { "name": "auth" },
            "certSecretRef": { "name": "tls" },
        }),
    )
    .await;
    wait_for::<HelmRepository>(&h, "private", "Ready", |r| is_true(r, "Ready")).await;
    apply::<HelmChart>(
        &h,
        "app",
        json!({
            "interval": "10m",
            "chart": "app",
            "version": "1.0.0",
            "sourceRef": { "kind": "HelmRepository", "name": "private" },
        }),
    )
    .await;
    wait_for::<HelmChart>(&h, "app", "app 1.0.0", |c| {
        chart_revision(c) == Some("1.0.0")
    })
    .await;
    let requests = server.requests();
    for path in ["/index.yaml", "/app-1.0.0.tgz"] {
        assert!(
            requests.iter().any(|r| r.path == path && r.authorized),
            "{path} was not fetched with credentials: {requests:#?}"
        );
    }

    // A wrong password fails the fetch, says why, and keeps the stored index.
    h.create_secret("auth", &[("username", "fleet"), ("password", "wrong")])
        .await;
    h.request_reconcile_of::<HelmRepository>("private").await;
    let failed =
        wait_for::<HelmRepository>(&h, "private", "FetchFailed", |r| is_true(r, "FetchFailed"))
            .await;
    let (_, reason, message) = condition(&failed, "FetchFailed").unwrap();
    assert_eq!(reason, "Failed");
    assert!(
        message.contains("failed to fetch Helm repository index"),
        "{message}"
    );
    assert!(message.contains("401"), "{message}");
    assert!(!message.contains("wrong"), "the password leaked: {message}");
    assert!(failed.status.as_ref().unwrap().artifact.is_some());
    assert_eq!(condition(&failed, "Ready").unwrap().0, "False");
}

#[tokio::test]
async fn helm_repository_refuses_an_endless_index() {
    let h = Harness::start("helm-big").await;
    let repo = ChartRepo::new().unwrap();
    let server = repo
        .serve(&ChartRepoOptions {
            oversized: Some("/index.yaml".into()),
            ..Default::default()
        })
        .unwrap();
    apply::<HelmRepository>(&h, "big", json!({ "interval": "10m", "url": server.url() })).await;
    let failed =
        wait_for::<HelmRepository>(&h, "big", "FetchFailed", |r| is_true(r, "FetchFailed")).await;
    let (_, _, message) = condition(&failed, "FetchFailed").unwrap();
    assert!(
        message.contains("exceeds the maximum index file size"),
        "{message}"
    );
}

#[tokio::test]
async fn helm_chart_from_git_merges_values_files_with_revision_metadata() {
    let h = Harness::start("helm-git").await;
    let scratch = tempfile::tempdir().unwrap();
    let dir = write_test_chart(scratch.path(), "app", "0.3.0").unwrap();
    let git = h.servers.create_repo("fleet").unwrap();
    let mut files: Vec<(String, String)> = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(&dir).unwrap().display().to_string();
                files.push((
                    format!("charts/app/{rel}"),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }
    files.push((
        "charts/app/values-prod.yaml".into(),
        "replicaCount: 3\nmessage: prod\n".into(),
    ));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let sha = git.commit("Add the app chart", &refs).unwrap();
    git.push().unwrap();
    h.apply_repo(
        "fleet",
        json!({ "interval": "10m", "url": h.servers.http().url("fleet"), "ref": { "branch": "main" } }),
    )
    .await;
    apply::<HelmChart>(
        &h,
        "app",
        json!({
            "interval": "10m",
            "chart": "./charts/app",
            "reconcileStrategy": "Revision",
            "valuesFiles": ["values.yaml", "values-prod.yaml"],
            "sourceRef": { "kind": "GitRepository", "name": "fleet" },
        }),
    )
    .await;
    let expected = format!("0.3.0+{}.1", &sha[..12]);
    let chart = wait_for::<HelmChart>(&h, "app", &format!("app {expected}"), |c| {
        chart_revision(c) == Some(expected.as_str())
    })
    .await;
    assert_eq!(
        condition(&chart, "Ready").unwrap(),
        (
            "True".into(),
            "ChartPackageSucceeded".into(),
            format!(
                "packaged 'app' chart with version '{expected}' and merged values files [values.yaml values-prod.yaml]"
            )
        )
    );
    assert_eq!(
        chart.status.as_ref().unwrap().observed_values_files,
        Some(vec![
            "values.yaml".to_string(),
            "values-prod.yaml".to_string()
        ])
    );
    // helm itself reads the packaged chart, with the merged values as its defaults.
    let archive = get(&chart
        .status
        .as_ref()
        .unwrap()
        .artifact
        .as_ref()
        .unwrap()
        .url);
    let tgz = scratch.path().join("packaged.tgz");
    std::fs::write(&tgz, &archive).unwrap();
    let repo = ChartRepo::new().unwrap();
    let out = repo
        .helm_command()
        .args(["show", "values"])
        .arg(&tgz)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let values = String::from_utf8_lossy(&out.stdout);
    assert!(values.contains("replicaCount: 3"), "{values}");
    assert!(values.contains("message: prod"), "{values}");
    let out = repo
        .helm_command()
        .args(["show", "chart"])
        .arg(&tgz)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("version: {expected}")),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // A chart path leaving the artifact is refused for good.
    apply::<HelmChart>(
        &h,
        "escape",
        json!({
            "interval": "10m",
            "chart": "../../etc",
            "sourceRef": { "kind": "GitRepository", "name": "fleet" },
        }),
    )
    .await;
    let stalled = wait_for::<HelmChart>(&h, "escape", "Stalled", |c| is_true(c, "Stalled")).await;
    let (_, reason, message) = condition(&stalled, "Ready").unwrap();
    assert_eq!(reason, "InvalidChartReference");
    assert!(message.contains("spec.chart '../../etc'"), "{message}");
}
