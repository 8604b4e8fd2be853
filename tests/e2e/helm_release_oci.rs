//! HelmReleases whose chart comes from an OCIRepository (`spec.chartRef`), on the rig's
//! registry filled by `helm push`: the chart version carries the artifact digest, so the
//! same tag pushed again upgrades the release, as helm-controller does; both the copied
//! chart layer and the extracted one install.

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;
use testenv::charts::{ChartRepo, ChartRepoOptions};
use testenv::registry::{Registry, RegistryOptions};
use tk::api::helm::HelmRelease;
use tk::api::source::{HelmChart, HelmRepository, OCIRepository};

use crate::helm_release::helm_json;
use crate::source_helm::{apply, condition, wait_for};
use crate::source_support::{Harness, HarnessOptions};

const HELM_CHART_LAYER: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

const CONFIGMAP: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
data:
  message: {{ .Values.message | quote }}
"#;

/// Packages chart `ocichart` 1.0.0 with `message` as its default value and pushes it to
/// `<registry>/charts/ocichart:1.0.0`; returns the manifest digest.
fn push(registry: &Registry, repo: &ChartRepo, message: &str) -> String {
    let src = tempfile::tempdir().unwrap();
    let dir = testenv::charts::write_chart(
        src.path(),
        "ocichart",
        "1.0.0",
        &[("configmap.yaml", CONFIGMAP)],
        &format!("message: {message}\n"),
    )
    .unwrap();
    let tgz = repo.add_chart(&dir, None, None).unwrap();
    registry.push_chart(&tgz, "charts").unwrap()
}

fn artifact_revision(r: &OCIRepository) -> Option<String> {
    Some(r.status.as_ref()?.artifact.as_ref()?.revision.clone())
}

fn released_with(digest: &str) -> impl Fn(&HelmRelease) -> bool + '_ {
    move |hr| {
        condition(hr, "Ready").is_some_and(|(s, _, _)| s == "True")
            && hr
                .status
                .as_ref()
                .and_then(|s| s.last_attempted_revision_digest.as_deref())
                == Some(digest)
    }
}

async fn message(h: &Harness, name: &str) -> String {
    let cm = Api::<ConfigMap>::namespaced(h.client.clone(), &h.ns)
        .get(&format!("{name}-settings"))
        .await
        .unwrap();
    cm.data.unwrap()["message"].clone()
}

#[tokio::test]
async fn a_release_from_an_oci_repository_upgrades_when_the_tag_moves() {
    let h = Harness::start_with(
        "helm-oci-ref",
        HarnessOptions {
            controller: Some("all"),
            ..Default::default()
        },
    )
    .await;
    let registry = Registry::start(&RegistryOptions::default()).unwrap();
    let repo = ChartRepo::new().unwrap();
    let first = push(&registry, &repo, "first");

    let oci_spec = |layer: Option<serde_json::Value>| {
        let mut spec = json!({
            "interval": "10m",
            "url": registry.url("charts/ocichart"),
            "ref": { "tag": "1.0.0" },
            "insecure": true,
        });
        if let Some(layer) = layer {
            spec["layerSelector"] = layer;
        }
        spec
    };
    apply::<OCIRepository>(
        &h,
        "copied",
        oci_spec(Some(
            json!({ "mediaType": HELM_CHART_LAYER, "operation": "copy" }),
        )),
    )
    .await;
    apply::<OCIRepository>(&h, "extracted", oci_spec(None)).await;
    let release = |source: &str| {
        json!({
            "interval": "10m",
            "chartRef": { "kind": "OCIRepository", "name": source },
        })
    };
    apply::<HelmRelease>(&h, "copied", release("copied")).await;
    apply::<HelmRelease>(&h, "extracted", release("extracted")).await;

    for name in ["copied", "extracted"] {
        let hr = wait_for::<HelmRelease>(&h, name, "the install", released_with(&first)).await;
        let status = hr.status.unwrap();
        let version = format!("1.0.0+{}", &first["sha256:".len()..][..12]);
        assert_eq!(status.last_attempted_revision.as_deref(), Some(&*version));
        assert_eq!(status.helm_chart, None, "a chartRef makes no HelmChart");
        let history = status.history.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].chart_version, version);
        assert_eq!(history[0].oci_digest.as_deref(), Some(&*first));
        assert_eq!(message(&h, name).await, "first");
        // helm sees the digest-versioned chart.
        let listed = helm_json(&repo, &h.ns, &["list"]);
        assert!(
            listed
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["name"] == name && r["chart"] == format!("ocichart-{version}")),
            "{listed}"
        );
    }
    let repository = wait_for::<OCIRepository>(&h, "copied", "the artifact", |r| {
        artifact_revision(r).is_some()
    })
    .await;
    assert_eq!(
        artifact_revision(&repository).as_deref(),
        Some(&*format!("1.0.0@{first}"))
    );

    // The same tag pushed again: the source moves to the new digest when asked, and the
    // releases follow it without being asked.
    let second = push(&registry, &repo, "second");
    assert_ne!(first, second);
    for name in ["copied", "extracted"] {
        let at = format!("{:?}", std::time::SystemTime::now());
        Api::<OCIRepository>::namespaced(h.client.clone(), &h.ns)
            .patch(
                name,
                &PatchParams::default(),
                &Patch::Merge(json!({
                    "metadata": { "annotations": { "reconcile.fluxcd.io/requestedAt": at } }
                })),
            )
            .await
            .unwrap();
    }
    for name in ["copied", "extracted"] {
        let hr = wait_for::<HelmRelease>(&h, name, "the upgrade", released_with(&second)).await;
        let (_, reason, _) = condition(&hr, "Released").unwrap();
        assert_eq!(reason, "UpgradeSucceeded");
        let history = hr.status.unwrap().history.unwrap();
        let digests: Vec<_> = history.iter().map(|s| s.oci_digest.clone()).collect();
        assert_eq!(digests, [Some(second.clone()), Some(first.clone())]);
        assert_eq!(message(&h, name).await, "second");
    }
}

#[tokio::test]
async fn a_release_waits_for_its_oci_repository_and_says_so() {
    let h = Harness::start_with(
        "helm-oci-wait",
        HarnessOptions {
            controller: Some("all"),
            ..Default::default()
        },
    )
    .await;
    apply::<HelmRelease>(
        &h,
        "app",
        json!({
            "interval": "10m",
            "chartRef": { "kind": "OCIRepository", "name": "absent" },
        }),
    )
    .await;
    let hr = wait_for::<HelmRelease>(&h, "app", "SourceNotReady", |hr| {
        condition(hr, "Ready").is_some_and(|(s, r, _)| s == "False" && r == "SourceNotReady")
    })
    .await;
    let (_, _, message) = condition(&hr, "Ready").unwrap();
    assert_eq!(
        message,
        format!("OCIRepository '{}/absent' is not ready: not found", h.ns)
    );
}

#[tokio::test]
async fn a_source_in_another_namespace_is_refused_when_cross_namespace_refs_are_blocked() {
    let h = Harness::start_with(
        "helm-oci-xns",
        HarnessOptions {
            controller: Some("all"),
            extra_args: vec!["--no-cross-namespace-refs=true".into()],
            ..Default::default()
        },
    )
    .await;
    apply::<HelmRelease>(
        &h,
        "app",
        json!({
            "interval": "10m",
            "chartRef": { "kind": "OCIRepository", "name": "charts", "namespace": "elsewhere" },
        }),
    )
    .await;
    let hr = wait_for::<HelmRelease>(&h, "app", "AccessDenied", |hr| {
        condition(hr, "Stalled").is_some_and(|(s, r, _)| s == "True" && r == "AccessDenied")
    })
    .await;
    let (status, reason, message) = condition(&hr, "Ready").unwrap();
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("False", "AccessDenied")
    );
    assert_eq!(
        message,
        "can't access 'OCIRepository/elsewhere/charts', cross-namespace references have been blocked"
    );
}

#[tokio::test]
async fn switching_to_a_chart_ref_upgrades_and_removes_the_templated_helm_chart() {
    let h = Harness::start_with(
        "helm-oci-switch",
        HarnessOptions {
            controller: Some("all"),
            ..Default::default()
        },
    )
    .await;
    let registry = Registry::start(&RegistryOptions::default()).unwrap();
    let repo = ChartRepo::new().unwrap();
    let digest = push(&registry, &repo, "from-oci");
    let server = repo.serve(&ChartRepoOptions::default()).unwrap();
    apply::<HelmRepository>(
        &h,
        "charts",
        json!({ "interval": "10m", "url": server.url() }),
    )
    .await;
    apply::<OCIRepository>(
        &h,
        "oci",
        json!({
            "interval": "10m",
            "url": registry.url("charts/ocichart"),
            "ref": { "tag": "1.0.0" },
            "insecure": true,
        }),
    )
    .await;
    apply::<HelmRelease>(
        &h,
        "app",
        json!({
            "interval": "10m",
            "chart": { "spec": {
                "chart": "ocichart",
                "sourceRef": { "kind": "HelmRepository", "name": "charts" },
            }},
            "values": { "message": "from-template" },
        }),
    )
    .await;
    let templated = format!("{}-app", h.ns);
    let hr = wait_for::<HelmRelease>(&h, "app", "the install", |hr| {
        condition(hr, "Ready").is_some_and(|(s, _, _)| s == "True")
    })
    .await;
    assert_eq!(
        hr.status.unwrap().helm_chart,
        Some(format!("{}/{templated}", h.ns))
    );
    assert_eq!(message(&h, "app").await, "from-template");

    // The same manager applies the release without `chart`: the field goes, chartRef comes.
    apply::<HelmRelease>(
        &h,
        "app",
        json!({
            "interval": "10m",
            "chartRef": { "kind": "OCIRepository", "name": "oci" },
        }),
    )
    .await;
    let hr = wait_for::<HelmRelease>(&h, "app", "the upgrade", released_with(&digest)).await;
    let status = hr.status.unwrap();
    assert_eq!(status.helm_chart, None);
    assert_eq!(status.history.unwrap()[0].version, 2);
    assert_eq!(message(&h, "app").await, "from-oci");
    // Deleted: gone once the source controller has released its finalizer.
    let charts = Api::<HelmChart>::namespaced(h.client.clone(), &h.ns);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while let Some(chart) = charts.get_opt(&templated).await.unwrap() {
        assert!(
            chart.metadata.deletion_timestamp.is_some() && std::time::Instant::now() < deadline,
            "the HelmChart made for the template is not deleted: {chart:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
