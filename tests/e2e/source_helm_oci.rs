//! HelmCharts from `type: oci` HelmRepositories on the rig: a real OCI registry
//! (Distribution, crates/testenv's registry) filled with `helm push`, on plain HTTP with
//! `insecure: true`, behind htpasswd with credentials from a docker-registry Secret, and on
//! HTTPS with the CA from `certSecretRef`; `tk controller source` pulls the charts, and
//! `tk controller all` installs one through a HelmRelease.

use std::path::PathBuf;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;
use testenv::charts::{ChartRepo, write_test_chart};
use testenv::registry::{Registry, RegistryOptions};
use tk::api::helm::HelmRelease;
use tk::api::source::{HelmChart, HelmRepository};

use crate::source_helm::{apply, condition, get, is_true, wait_for};
use crate::source_support::{Harness, HarnessOptions};

fn sha256(bytes: &[u8]) -> String {
    artifact::Digest::of_reader(artifact::Algorithm::Sha256, bytes)
        .unwrap()
        .0
        .to_string()
}

fn chart_revision(c: &HelmChart) -> Option<&str> {
    Some(c.status.as_ref()?.artifact.as_ref()?.revision.as_str())
}

/// Charts packaged by the real helm, kept for pushing and for comparing with what tk stored.
struct Charts {
    repo: ChartRepo,
    src: tempfile::TempDir,
}

impl Charts {
    fn new() -> Charts {
        Charts {
            repo: ChartRepo::new().unwrap(),
            src: tempfile::tempdir().unwrap(),
        }
    }

    /// `helm package` of the test chart `name` at `version`.
    fn package(&self, name: &str, version: &str) -> PathBuf {
        let dir = write_test_chart(self.src.path(), name, "0.0.1").unwrap();
        self.repo.add_chart(&dir, Some(version), None).unwrap()
    }

    /// Packages and `helm push`es `name` at each version to `<registry>/charts`.
    fn push(&self, registry: &Registry, name: &str, versions: &[&str]) {
        for version in versions {
            let tgz = self.package(name, version);
            registry.push_chart(&tgz, "charts").unwrap();
        }
    }
}

async fn docker_registry_secret(h: &Harness, name: &str, config_json: &str) {
    let secret: Secret = serde_json::from_value(json!({
        "metadata": { "name": name },
        "type": "kubernetes.io/dockerconfigjson",
        "stringData": { ".dockerconfigjson": config_json },
    }))
    .unwrap();
    Api::<Secret>::namespaced(h.client.clone(), &h.ns)
        .patch(
            name,
            &PatchParams::apply("tk-e2e").force(),
            &Patch::Apply(&secret),
        )
        .await
        .unwrap();
}

fn chart_spec(version: &str, repository: &str) -> serde_json::Value {
    json!({
        "interval": "10m",
        "chart": "app",
        "version": version,
        "sourceRef": { "kind": "HelmRepository", "name": repository },
    })
}

#[tokio::test]
async fn helm_chart_from_oci_repository_by_version_and_semver_range() {
    let h = Harness::start("helm-oci").await;
    let registry = Registry::start(&RegistryOptions::default()).unwrap();
    let charts = Charts::new();
    charts.push(&registry, "app", &["1.0.0", "1.1.0", "2.0.0-rc.1"]);

    apply::<HelmRepository>(
        &h,
        "registry",
        json!({ "type": "oci", "url": registry.url("charts"), "insecure": true }),
    )
    .await;

    // An exact version is pulled by its tag; the archive is stored as helm pushed it.
    apply::<HelmChart>(&h, "exact", chart_spec("1.0.0", "registry")).await;
    let chart = wait_for::<HelmChart>(&h, "exact", "app 1.0.0", |c| {
        is_true(c, "Ready") && chart_revision(c) == Some("1.0.0")
    })
    .await;
    let status = chart.status.as_ref().unwrap();
    let artifact = status.artifact.as_ref().unwrap();
    assert_eq!(
        artifact.path,
        format!("helmchart/{}/exact/app-1.0.0.tgz", h.ns)
    );
    let stored = get(&artifact.url);
    assert_eq!(
        stored,
        std::fs::read(charts.repo.path().join("app-1.0.0.tgz")).unwrap()
    );
    assert_eq!(artifact.digest, sha256(&stored));
    assert_eq!(status.observed_chart_name.as_deref(), Some("app"));
    // An OCI repository has no artifact to observe.
    assert_eq!(status.observed_source_artifact_revision, None);
    assert_eq!(
        condition(&chart, "Ready").unwrap(),
        (
            "True".into(),
            "ChartPullSucceeded".into(),
            "pulled 'app' chart with version '1.0.0'".into()
        )
    );
    h.events
        .wait_for("the pull event", |e| {
            e["reason"] == "ChartPullSucceeded"
                && e["message"] == "pulled 'app' chart with version '1.0.0'"
        })
        .await;

    // A range resolves against the tags: the highest stable match.
    apply::<HelmChart>(&h, "range", chart_spec("1.x", "registry")).await;
    wait_for::<HelmChart>(&h, "range", "app 1.1.0", |c| {
        is_true(c, "Ready") && chart_revision(c) == Some("1.1.0")
    })
    .await;
    apply::<HelmChart>(&h, "latest", chart_spec("*", "registry")).await;
    wait_for::<HelmChart>(&h, "latest", "app 1.1.0 (pre-releases skipped)", |c| {
        chart_revision(c) == Some("1.1.0")
    })
    .await;

    // A newer version in the registry: the chart moves to it on its next reconcile.
    charts.push(&registry, "app", &["1.2.0"]);
    h.request_reconcile_of::<HelmChart>("range").await;
    let moved = wait_for::<HelmChart>(&h, "range", "app 1.2.0", |c| {
        is_true(c, "Ready") && chart_revision(c) == Some("1.2.0")
    })
    .await;
    assert_eq!(
        get(&moved
            .status
            .as_ref()
            .unwrap()
            .artifact
            .as_ref()
            .unwrap()
            .url),
        std::fs::read(charts.repo.path().join("app-1.2.0.tgz")).unwrap()
    );

    // No matching tag: a pull error, retried (a version may be pushed later).
    apply::<HelmChart>(&h, "missing", chart_spec(">=3.0.0", "registry")).await;
    let failed =
        wait_for::<HelmChart>(&h, "missing", "FetchFailed", |c| is_true(c, "FetchFailed")).await;
    let (_, reason, message) = condition(&failed, "FetchFailed").unwrap();
    assert_eq!(reason, "ChartPullError");
    assert!(
        message.contains(
            "failed to get chart version for remote reference: could not locate a version \
             matching provided version string >=3.0.0"
        ),
        "{message}"
    );
    assert_eq!(condition(&failed, "Ready").unwrap().0, "False");
    assert!(!is_true(&failed, "Stalled"));

    // A missing exact tag says what the registry said.
    apply::<HelmChart>(&h, "absent", chart_spec("9.9.9", "registry")).await;
    let failed =
        wait_for::<HelmChart>(&h, "absent", "FetchFailed", |c| is_true(c, "FetchFailed")).await;
    let (_, _, message) = condition(&failed, "FetchFailed").unwrap();
    assert!(message.contains("MANIFEST_UNKNOWN"), "{message}");
    assert!(
        message.contains(&format!("'{}/app:9.9.9'", registry.url("charts"))),
        "{message}"
    );

    // The OCI repository itself stays static: no artifact, no conditions (only the CRD's
    // default `observedGeneration: -1`), no finalizer.
    let repo = Api::<HelmRepository>::namespaced(h.client.clone(), &h.ns)
        .get("registry")
        .await
        .unwrap();
    let status = repo.status.clone().unwrap_or_default();
    assert!(status.artifact.is_none(), "{status:?}");
    assert!(status.conditions.is_none(), "{status:?}");
    assert!(repo.metadata.finalizers.unwrap_or_default().is_empty());

    // Cloud provider login is not there yet: stalled, naming the field.
    apply::<HelmRepository>(
        &h,
        "cloud",
        json!({ "type": "oci", "url": registry.url("charts"), "insecure": true, "provider": "aws" }),
    )
    .await;
    apply::<HelmChart>(&h, "cloud", chart_spec("1.0.0", "cloud")).await;
    let stalled = wait_for::<HelmChart>(&h, "cloud", "Stalled", |c| is_true(c, "Stalled")).await;
    let (_, _, message) = condition(&stalled, "Ready").unwrap();
    assert!(message.contains("spec.provider is 'aws'"), "{message}");
    registry.check_alive().unwrap();
}

#[tokio::test]
async fn helm_chart_from_oci_repository_with_docker_registry_credentials() {
    let h = Harness::start("helm-oci-auth").await;
    let registry = Registry::start(&RegistryOptions {
        basic_auth: Some(("fleet".into(), "s3cret".into())),
        ..Default::default()
    })
    .unwrap();
    let charts = Charts::new();
    charts.push(&registry, "app", &["1.0.0"]);
    docker_registry_secret(
        &h,
        "registry-auth",
        &registry.docker_config_json("fleet", "s3cret"),
    )
    .await;
    apply::<HelmRepository>(
        &h,
        "private",
        json!({
            "type": "oci",
            "url": registry.url("charts"),
            "insecure": true,
            "secretRef": { "name": "registry-auth" },
        }),
    )
    .await;
    apply::<HelmChart>(&h, "app", chart_spec("1.x", "private")).await;
    let chart = wait_for::<HelmChart>(&h, "app", "app 1.0.0", |c| {
        is_true(c, "Ready") && chart_revision(c) == Some("1.0.0")
    })
    .await;
    let artifact = chart.status.as_ref().unwrap().artifact.clone().unwrap();

    // Without credentials the registry refuses, and the message says what to set.
    apply::<HelmRepository>(
        &h,
        "anonymous",
        json!({ "type": "oci", "url": registry.url("charts"), "insecure": true }),
    )
    .await;
    apply::<HelmChart>(&h, "anonymous", chart_spec("1.x", "anonymous")).await;
    let refused = wait_for::<HelmChart>(&h, "anonymous", "FetchFailed", |c| {
        is_true(c, "FetchFailed")
    })
    .await;
    let (_, _, message) = condition(&refused, "FetchFailed").unwrap();
    assert!(message.contains("401"), "{message}");
    assert!(message.contains("spec.secretRef"), "{message}");

    // A wrong password fails the login, says why, and keeps the last artifact.
    docker_registry_secret(
        &h,
        "registry-auth",
        &registry.docker_config_json("fleet", "wrong-password"),
    )
    .await;
    h.request_reconcile_of::<HelmChart>("app").await;
    let failed =
        wait_for::<HelmChart>(&h, "app", "FetchFailed", |c| is_true(c, "FetchFailed")).await;
    let (_, reason, message) = condition(&failed, "FetchFailed").unwrap();
    assert_eq!(reason, "AuthenticationFailed");
    assert!(
        message.contains("failed to login to OCI registry"),
        "{message}"
    );
    assert!(message.contains("401 Unauthorized"), "{message}");
    assert!(message.contains("HelmRepository 'private'"), "{message}");
    assert!(
        !message.contains("wrong-password"),
        "the password leaked: {message}"
    );
    assert_eq!(condition(&failed, "Ready").unwrap().0, "False");
    let kept = failed.status.as_ref().unwrap().artifact.as_ref().unwrap();
    assert_eq!(kept.revision, "1.0.0");
    assert_eq!(kept.digest, artifact.digest);
    assert_eq!(get(&kept.url), get(&artifact.url));

    // A Secret without an entry for the registry host is named in the error.
    docker_registry_secret(
        &h,
        "registry-auth",
        r#"{"auths":{"ghcr.io":{"username":"a","password":"b"}}}"#,
    )
    .await;
    h.request_reconcile_of::<HelmChart>("app").await;
    let failed = wait_for::<HelmChart>(&h, "app", "no auth entry", |c| {
        condition(c, "FetchFailed").is_some_and(|(_, _, m)| m.contains("no auth config"))
    })
    .await;
    let (_, _, message) = condition(&failed, "FetchFailed").unwrap();
    assert!(
        message.contains(&format!(
            "no auth config for '{}' in the docker-registry Secret 'registry-auth'",
            registry.host()
        )),
        "{message}"
    );

    // Fixed credentials recover the chart.
    docker_registry_secret(
        &h,
        "registry-auth",
        &registry.docker_config_json("fleet", "s3cret"),
    )
    .await;
    h.request_reconcile_of::<HelmChart>("app").await;
    wait_for::<HelmChart>(&h, "app", "Ready again", |c| {
        is_true(c, "Ready") && !is_true(c, "FetchFailed")
    })
    .await;
}

#[tokio::test]
async fn helm_chart_from_oci_repository_over_https_with_a_custom_ca() {
    let h = Harness::start("helm-oci-tls").await;
    let registry = Registry::start(&RegistryOptions {
        tls: true,
        basic_auth: Some(("fleet".into(), "s3cret".into())),
    })
    .unwrap();
    let charts = Charts::new();
    charts.push(&registry, "app", &["0.1.0", "0.2.0"]);
    h.create_secret("tls", &[("ca.crt", registry.ca_pem().unwrap())])
        .await;
    h.create_secret("auth", &[("username", "fleet"), ("password", "s3cret")])
        .await;
    apply::<HelmRepository>(
        &h,
        "secure",
        json!({
            "type": "oci",
            "url": registry.url("charts"),
            "secretRef": { "name": "auth" },
            "certSecretRef": { "name": "tls" },
        }),
    )
    .await;
    apply::<HelmChart>(&h, "app", chart_spec("<1.0.0", "secure")).await;
    wait_for::<HelmChart>(&h, "app", "app 0.2.0 over HTTPS", |c| {
        is_true(c, "Ready") && chart_revision(c) == Some("0.2.0")
    })
    .await;

    // Without the CA the registry's certificate is not trusted.
    apply::<HelmRepository>(
        &h,
        "untrusted",
        json!({ "type": "oci", "url": registry.url("charts"), "secretRef": { "name": "auth" } }),
    )
    .await;
    apply::<HelmChart>(&h, "untrusted", chart_spec("0.1.0", "untrusted")).await;
    let failed = wait_for::<HelmChart>(&h, "untrusted", "FetchFailed", |c| {
        is_true(c, "FetchFailed")
    })
    .await;
    let (_, _, message) = condition(&failed, "FetchFailed").unwrap();
    assert!(message.contains("https://"), "{message}");
}

#[tokio::test]
async fn helm_release_installs_a_chart_from_an_oci_repository() {
    let h = Harness::start_with(
        "helm-oci-rel",
        HarnessOptions {
            controller: Some("all"),
            ..Default::default()
        },
    )
    .await;
    let registry = Registry::start(&RegistryOptions::default()).unwrap();
    let charts = Charts::new();
    charts.push(&registry, "app", &["1.0.0"]);
    apply::<HelmRepository>(
        &h,
        "registry",
        json!({ "type": "oci", "url": registry.url("charts"), "insecure": true }),
    )
    .await;
    apply::<HelmRelease>(
        &h,
        "app",
        json!({
            "interval": "10m",
            "chart": { "spec": {
                "chart": "app",
                "version": "1.x",
                "sourceRef": { "kind": "HelmRepository", "name": "registry" },
            }},
            "values": { "message": "from-oci" },
        }),
    )
    .await;
    let hr =
        wait_for::<HelmRelease>(&h, "app", "the release Ready", |hr| is_true(hr, "Ready")).await;
    let ns = h.ns.clone();
    assert_eq!(
        condition(&hr, "Released").unwrap(),
        (
            "True".into(),
            "InstallSucceeded".into(),
            format!("Helm install succeeded for release {ns}/app.v1 with chart app@1.0.0")
        )
    );
    let deployment = Api::<Deployment>::namespaced(h.client.clone(), &ns)
        .get("app")
        .await
        .unwrap();
    let template = serde_json::to_value(&deployment.spec.as_ref().unwrap().template).unwrap();
    assert_eq!(
        template["spec"]["containers"][0]["env"][0]["value"],
        "from-oci"
    );
    let chart = Api::<HelmChart>::namespaced(h.client.clone(), &ns)
        .get(&format!("{ns}-app"))
        .await
        .unwrap();
    assert_eq!(chart_revision(&chart), Some("1.0.0"));
}
