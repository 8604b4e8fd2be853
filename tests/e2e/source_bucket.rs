//! Buckets on the rig: a real S3-compatible server (versitygw, crates/testenv's s3, checking
//! every SigV4 signature) filled by an independent client (curl); `tk controller source`
//! indexes, fetches and serves the objects, and `tk controller all` builds a HelmChart and
//! applies a Kustomization from them.

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::Api;
use serde_json::json;
use sha2::{Digest, Sha256};
use testenv::charts::{ChartRepo, write_test_chart};
use testenv::s3::{S3Options, S3Server};
use tk::api::kustomize::Kustomization;
use tk::api::source::{Bucket, HelmChart};

use crate::source_helm::{apply, condition, get, is_true, wait_for};
use crate::source_support::{Harness, HarnessOptions, download};

fn revision(b: &Bucket) -> Option<&str> {
    Some(b.status.as_ref()?.artifact.as_ref()?.revision.as_str())
}

fn config_map(name: &str, value: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  value: {value}\n")
}

/// Flux's revision of a bucket: the digest of the sorted `"<key> <etag>\n"` lines.
fn expected_revision(objects: &[(&str, &str)]) -> String {
    let mut sorted = objects.to_vec();
    sorted.sort();
    let mut hasher = Sha256::new();
    for (key, etag) in sorted {
        hasher.update(format!("{key} {}\n", etag.trim_matches('"')));
    }
    format!("sha256:{:x}", hasher.finalize())
}

async fn wait_revision(h: &Harness, name: &str, want: &str) -> Bucket {
    wait_for::<Bucket>(h, name, &format!("{name} Ready at {want}"), |b| {
        is_true(b, "Ready") && revision(b) == Some(want)
    })
    .await
}

async fn wait_fetch_failed(h: &Harness, name: &str, what: &str) -> Bucket {
    let failed = wait_for::<Bucket>(h, name, &format!("{name} FetchFailed: {what}"), |b| {
        condition(b, "FetchFailed").is_some_and(|(s, _, m)| s == "True" && m.contains(what))
    })
    .await;
    assert_eq!(condition(&failed, "Ready").unwrap().0, "False");
    failed
}

fn spec(s3: &S3Server, bucket: &str, extra: serde_json::Value) -> serde_json::Value {
    let mut spec = json!({
        "interval": "10m",
        "bucketName": bucket,
        "endpoint": s3.endpoint(),
        "insecure": s3.ca_pem().is_none(),
        "secretRef": { "name": "s3-keys" },
    });
    spec.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    spec
}

async fn keys_secret(h: &Harness, s3: &S3Server, secret_key: &str) {
    h.create_secret(
        "s3-keys",
        &[("accesskey", s3.access_key()), ("secretkey", secret_key)],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bucket_indexes_fetches_and_follows_the_objects() {
    let h = Harness::start("bucket").await;
    let s3 = S3Server::start(&S3Options::default()).unwrap();
    s3.create_bucket("fleet").unwrap();
    let mut objects = Vec::new();
    for (key, body) in [
        ("apps/app.yaml", config_map("app", "v1")),
        ("apps/extra/b.yaml", config_map("b", "v1")),
        ("infra/c.yaml", config_map("c", "v1")),
    ] {
        let etag = s3.put_object("fleet", key, body.as_bytes()).unwrap();
        objects.push((key, etag));
    }
    // The root .sourceignore drops README.md; it is itself not indexed but archived.
    s3.put_object("fleet", ".sourceignore", b"# docs\n*.md\n")
        .unwrap();
    s3.put_object("fleet", "README.md", b"# fleet\n").unwrap();
    keys_secret(&h, &s3, s3.secret_key()).await;

    apply::<Bucket>(&h, "fleet", spec(&s3, "fleet", json!({}))).await;
    let etags: Vec<(&str, &str)> = objects.iter().map(|(k, e)| (*k, e.as_str())).collect();
    let want = expected_revision(&etags);
    let bucket = wait_revision(&h, "fleet", &want).await;
    let artifact = bucket.status.as_ref().unwrap().artifact.clone().unwrap();
    let hex = want.trim_start_matches("sha256:");
    assert_eq!(artifact.path, format!("bucket/{}/fleet/{hex}.tar.gz", h.ns));
    assert!(artifact.url.ends_with(&artifact.path), "{}", artifact.url);
    assert_eq!(
        download(&artifact.url, &artifact.digest),
        [
            ".sourceignore",
            "apps/app.yaml",
            "apps/extra/b.yaml",
            "infra/c.yaml"
        ]
    );
    let link = bucket.status.as_ref().unwrap().url.clone().unwrap();
    assert!(
        link.ends_with(&format!("bucket/{}/fleet/latest.tar.gz", h.ns)),
        "{link}"
    );
    assert_eq!(get(&link), get(&artifact.url));
    let message = format!("stored artifact: revision '{want}'");
    for type_ in ["Ready", "ArtifactInStorage"] {
        assert_eq!(
            condition(&bucket, type_).unwrap(),
            ("True".into(), "Succeeded".into(), message.clone()),
            "{type_}"
        );
    }
    let event = h
        .events
        .wait_for("the NewArtifact event", |e| {
            e["reason"] == "NewArtifact" && e["involvedObject"]["name"] == "fleet"
        })
        .await;
    assert_eq!(
        event["message"],
        "stored artifact with 3 fetched files from 'fleet' bucket"
    );
    assert_eq!(event["metadata"]["source.toolkit.fluxcd.io/revision"], want);

    // spec.prefix narrows the listing, spec.ignore adds to the bucket's rules.
    apply::<Bucket>(
        &h,
        "apps",
        spec(
            &s3,
            "fleet",
            json!({ "prefix": "apps/", "ignore": "extra/\n" }),
        ),
    )
    .await;
    let apps = wait_for::<Bucket>(&h, "apps", "apps Ready", |b| is_true(b, "Ready")).await;
    assert_eq!(
        revision(&apps),
        Some(expected_revision(&etags[..1]).as_str())
    );
    let artifact = apps.status.as_ref().unwrap().artifact.clone().unwrap();
    assert_eq!(
        download(&artifact.url, &artifact.digest),
        [".sourceignore", "apps/app.yaml"]
    );
    assert_eq!(
        apps.status.as_ref().unwrap().observed_ignore.as_deref(),
        Some("extra/\n")
    );

    // A changed object is a new revision on the next reconcile.
    let etag = s3
        .put_object("fleet", "infra/c.yaml", config_map("c", "v2").as_bytes())
        .unwrap();
    objects[2].1 = etag;
    let etags: Vec<(&str, &str)> = objects.iter().map(|(k, e)| (*k, e.as_str())).collect();
    let second = expected_revision(&etags);
    assert_ne!(second, want);
    h.request_reconcile_of::<Bucket>("fleet").await;
    wait_revision(&h, "fleet", &second).await;

    // Wrong keys: the server's refusal (a HEAD answer has no body to name the S3 error code)
    // and where to look; the artifact is kept.
    keys_secret(&h, &s3, "not-the-secret").await;
    h.request_reconcile_of::<Bucket>("fleet").await;
    let failed = wait_fetch_failed(&h, "fleet", "403 Forbidden").await;
    let (_, reason, message) = condition(&failed, "FetchFailed").unwrap();
    assert_eq!(reason, "BucketOperationFailed");
    assert!(
        message.starts_with("failed to confirm existence of 'fleet' bucket: "),
        "{message}"
    );
    assert!(
        message.contains(&format!("Secret '{}/s3-keys', spec.secretRef", h.ns)),
        "{message}"
    );
    assert!(!is_true(&failed, "Stalled"));
    assert_eq!(revision(&failed), Some(second.as_str()));
    keys_secret(&h, &s3, s3.secret_key()).await;
    h.request_reconcile_of::<Bucket>("fleet").await;
    wait_for::<Bucket>(&h, "fleet", "fleet Ready again", |b| {
        is_true(b, "Ready") && !is_true(b, "FetchFailed")
    })
    .await;

    // A Secret without the keys, a missing bucket, and providers tk cannot speak.
    h.create_secret("half", &[("accesskey", s3.access_key())])
        .await;
    apply::<Bucket>(
        &h,
        "half",
        spec(&s3, "fleet", json!({ "secretRef": { "name": "half" } })),
    )
    .await;
    let failed = wait_fetch_failed(&h, "half", "required fields").await;
    assert_eq!(
        condition(&failed, "FetchFailed").unwrap(),
        (
            "True".into(),
            "AuthenticationFailed".into(),
            "spec.secretRef: invalid 'half' secret data: required fields 'accesskey' and \
             'secretkey'"
                .into()
        )
    );
    apply::<Bucket>(&h, "absent", spec(&s3, "nope", json!({}))).await;
    wait_fetch_failed(&h, "absent", "bucket 'nope' not found").await;
    apply::<Bucket>(&h, "gcs", spec(&s3, "fleet", json!({ "provider": "gcp" }))).await;
    let stalled = wait_for::<Bucket>(&h, "gcs", "Stalled", |b| is_true(b, "Stalled")).await;
    let (_, reason, message) = condition(&stalled, "Ready").unwrap();
    assert_eq!(reason, "InvalidProviderConfiguration");
    assert!(
        message.starts_with("Bucket 'gcs' spec.provider is 'gcp'"),
        "{message}"
    );
    s3.check_alive().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn bucket_over_https_trusts_the_ca_of_its_cert_secret() {
    let h = Harness::start("bucket-tls").await;
    let s3 = S3Server::start(&S3Options {
        tls: true,
        ..Default::default()
    })
    .unwrap();
    s3.create_bucket("fleet").unwrap();
    let etag = s3
        .put_object("fleet", "app.yaml", config_map("app", "v1").as_bytes())
        .unwrap();
    keys_secret(&h, &s3, s3.secret_key()).await;

    // Without the CA the server's certificate is not trusted.
    apply::<Bucket>(&h, "fleet", spec(&s3, "fleet", json!({}))).await;
    let failed = wait_fetch_failed(&h, "fleet", "failed to confirm existence").await;
    let (_, _, message) = condition(&failed, "FetchFailed").unwrap();
    assert!(message.to_lowercase().contains("certificate"), "{message}");

    h.create_secret("s3-ca", &[("ca.crt", s3.ca_pem().unwrap())])
        .await;
    apply::<Bucket>(
        &h,
        "fleet",
        spec(
            &s3,
            "fleet",
            json!({ "certSecretRef": { "name": "s3-ca" } }),
        ),
    )
    .await;
    let bucket = wait_revision(&h, "fleet", &expected_revision(&[("app.yaml", &etag)])).await;
    let artifact = bucket.status.unwrap().artifact.unwrap();
    assert_eq!(download(&artifact.url, &artifact.digest), ["app.yaml"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn helm_chart_and_kustomization_build_from_a_bucket() {
    let h = Harness::start_with(
        "bucket-all",
        HarnessOptions {
            controller: Some("all"),
            extra_args: vec!["--requeue-dependency=3s".into()],
            ..Default::default()
        },
    )
    .await;
    let s3 = S3Server::start(&S3Options::default()).unwrap();
    s3.create_bucket("fleet").unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let chart = write_test_chart(scratch.path(), "app", "0.3.0").unwrap();
    s3.put_dir("fleet", "charts/app/", &chart).unwrap();
    s3.put_object(
        "fleet",
        "deploy/config.yaml",
        config_map("from-bucket", "v1").as_bytes(),
    )
    .unwrap();
    keys_secret(&h, &s3, s3.secret_key()).await;
    apply::<Bucket>(&h, "fleet", spec(&s3, "fleet", json!({}))).await;
    let bucket = wait_for::<Bucket>(&h, "fleet", "fleet Ready", |b| is_true(b, "Ready")).await;
    let source_revision = revision(&bucket).unwrap().to_string();

    apply::<HelmChart>(
        &h,
        "app",
        json!({
            "interval": "10m",
            "chart": "./charts/app",
            "reconcileStrategy": "Revision",
            "sourceRef": { "kind": "Bucket", "name": "fleet" },
        }),
    )
    .await;
    let hex = source_revision.trim_start_matches("sha256:");
    let version = format!("0.3.0+{}", &hex[..12]);
    let packaged = wait_for::<HelmChart>(&h, "app", &format!("app {version}"), |c| {
        is_true(c, "Ready")
            && c.status
                .as_ref()
                .and_then(|s| s.artifact.as_ref())
                .is_some_and(|a| a.revision == version)
    })
    .await;
    assert_eq!(
        condition(&packaged, "Ready").unwrap().2,
        format!("packaged 'app' chart with version '{version}'")
    );
    // helm itself reads the packaged chart.
    let tgz = scratch.path().join("packaged.tgz");
    std::fs::write(&tgz, get(&packaged.status.unwrap().artifact.unwrap().url)).unwrap();
    let out = ChartRepo::new()
        .unwrap()
        .helm_command()
        .args(["show", "chart"])
        .arg(&tgz)
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains(&format!("version: {version}")), "{shown}");

    apply::<Kustomization>(
        &h,
        "app",
        json!({
            "interval": "10m",
            "path": "./deploy",
            "prune": true,
            "targetNamespace": h.ns,
            "sourceRef": { "kind": "Bucket", "name": "fleet" },
        }),
    )
    .await;
    let want = format!("Applied revision: {source_revision}");
    wait_for::<Kustomization>(&h, "app", "the Kustomization Ready", |k| {
        condition(k, "Ready").is_some_and(|(s, _, m)| s == "True" && m == want)
    })
    .await;
    let maps: Api<ConfigMap> = Api::namespaced(h.client.clone(), &h.ns);
    assert_eq!(
        maps.get("from-bucket").await.unwrap().data.unwrap()["value"],
        "v1"
    );

    // A new object version reaches the cluster once the Bucket has it.
    s3.put_object(
        "fleet",
        "deploy/config.yaml",
        config_map("from-bucket", "v2").as_bytes(),
    )
    .unwrap();
    h.request_reconcile_of::<Bucket>("fleet").await;
    wait_for::<Kustomization>(&h, "app", "the second revision applied", |k| {
        condition(k, "Ready").is_some_and(|(s, _, m)| s == "True" && m != want)
    })
    .await;
    assert_eq!(
        maps.get("from-bucket").await.unwrap().data.unwrap()["value"],
        "v2"
    );
}
