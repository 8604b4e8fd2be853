//! OCIRepositories on the rig: a real OCI registry (Distribution, crates/testenv's registry)
//! filled with Flux-style artifacts by tk's own push (`oci::flux`, the shape `flux push
//! artifact` makes) and with charts by the real `helm push`; `tk controller source` pulls
//! them by tag, SemVer range or digest, extracts or copies the selected layer, and serves
//! the artifact; `tk controller all` applies one through a Kustomization.

use std::collections::BTreeMap;
use std::io::Write;

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;
use testenv::charts::{ChartRepo, write_test_chart};
use testenv::registry::{Registry, RegistryOptions};
use tk::api::kustomize::Kustomization;
use tk::api::source::OCIRepository;

use crate::source_helm::{apply, condition, get, is_true, wait_for};
use crate::source_support::{Harness, HarnessOptions, download};

const SOURCE: &str = "https://github.com/org/app.git";

fn sha256(bytes: &[u8]) -> String {
    artifact::Digest::of_reader(artifact::Algorithm::Sha256, bytes)
        .unwrap()
        .0
        .to_string()
}

fn revision(r: &OCIRepository) -> Option<&str> {
    Some(r.status.as_ref()?.artifact.as_ref()?.revision.as_str())
}

fn artifact_of(r: &OCIRepository) -> tk::api::meta::Artifact {
    r.status.as_ref().unwrap().artifact.clone().unwrap()
}

fn config_map(name: &str, value: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  value: {value}\n")
}

/// The tar+gzip of `files`, as Flux archives a directory.
fn tgz(files: &[(&str, &str)]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    let mut out = Vec::new();
    artifact::build(dir.path(), &artifact::Filter::none(), &mut out).unwrap();
    out
}

/// A tar+gzip written entry by entry, so it can hold what `artifact::build` never writes.
fn raw_tgz(entries: &[(&str, tar::EntryType, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, kind, content) in entries {
        let mut header = tar::Header::new_gnu();
        header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        header.set_entry_type(*kind);
        header.set_mode(0o644);
        if *kind == tar::EntryType::Symlink {
            header.set_link_name_literal(content).unwrap();
            header.set_size(0);
            header.set_cksum();
            builder.append(&header, &[][..]).unwrap();
        } else {
            header.set_size(content.len() as u64);
            header.set_cksum();
            builder.append(&header, content.as_bytes()).unwrap();
        }
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&builder.into_inner().unwrap()).unwrap();
    gz.finish().unwrap()
}

/// Pushes to the rig's registry with its credentials and CA, as a CI job would.
struct Pusher {
    client: oci::Client,
}

impl Pusher {
    fn new(registry: &Registry) -> Pusher {
        tk::cli::install_crypto_provider();
        let client = oci::Client::new(
            &registry.host(),
            oci::ClientOptions {
                plain_http: registry.ca_pem().is_none(),
                ca_pem: registry.ca_pem().map(|c| c.as_bytes().to_vec()),
                credentials: registry
                    .credentials()
                    .map(|(u, p)| oci::Credentials::basic(u, p)),
                ..Default::default()
            },
        )
        .unwrap();
        Pusher { client }
    }

    /// `flux push artifact` of `files`, with origin revision `<tag>@sha1:...`.
    async fn push(&self, repository: &str, tag: &str, files: &[(&str, &str)]) -> oci::Manifest {
        self.push_layer(repository, tag, tgz(files)).await
    }

    async fn push_layer(&self, repository: &str, tag: &str, layer: Vec<u8>) -> oci::Manifest {
        let metadata = oci::flux::Metadata {
            created: k8s_openapi::jiff::Timestamp::now().to_string(),
            source: SOURCE.into(),
            revision: format!("{tag}@sha1:0123456789abcdef0123456789abcdef01234567"),
            annotations: Default::default(),
        };
        self.client
            .push_image(repository, tag, oci::flux::artifact(layer, &metadata))
            .await
            .unwrap()
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

fn oci_spec(url: &str, reference: serde_json::Value) -> serde_json::Value {
    json!({ "interval": "10m", "url": url, "insecure": true, "ref": reference })
}

async fn wait_revision(h: &Harness, name: &str, want: &str) -> OCIRepository {
    wait_for::<OCIRepository>(h, name, &format!("{name} Ready at {want}"), |r| {
        is_true(r, "Ready") && revision(r) == Some(want)
    })
    .await
}

async fn wait_fetch_failed(h: &Harness, name: &str) -> (String, String) {
    let failed = wait_for::<OCIRepository>(h, name, &format!("{name} FetchFailed"), |r| {
        is_true(r, "FetchFailed")
    })
    .await;
    assert_eq!(condition(&failed, "Ready").unwrap().0, "False");
    let (_, reason, message) = condition(&failed, "FetchFailed").unwrap();
    (reason, message)
}

#[tokio::test(flavor = "multi_thread")]
async fn oci_repository_follows_tags_semver_ranges_and_digests() {
    let h = Harness::start("oci-refs").await;
    let registry = Registry::start(&RegistryOptions::default()).unwrap();
    let pusher = Pusher::new(&registry);
    let url = registry.url("org/app");
    let latest = pusher
        .push(
            "org/app",
            "latest",
            &[("deploy/app.yaml", &config_map("app", "v1"))],
        )
        .await;
    let mut versions = BTreeMap::new();
    for tag in ["1.0.0", "1.1.0", "v2.0.0", "1.2.0-rc.1", "3.0.0-dev"] {
        versions.insert(tag, pusher.push("org/app", tag, &[("version", tag)]).await);
    }

    // No ref: the `latest` tag.
    apply::<OCIRepository>(
        &h,
        "default",
        json!({ "interval": "10m", "url": url, "insecure": true }),
    )
    .await;
    let want = format!("latest@{}", latest.digest);
    let repo = wait_revision(&h, "default", &want).await;
    let artifact = artifact_of(&repo);
    let dir = format!("ocirepository/{}/default", h.ns);
    assert_eq!(artifact.path, format!("{dir}/{}.tar.gz", latest.digest));
    assert!(artifact.url.ends_with(&artifact.path), "{}", artifact.url);
    let stored = get(&artifact.url);
    assert_eq!(artifact.digest, sha256(&stored));
    assert_eq!(artifact.size, Some(stored.len() as i64));
    assert_eq!(
        download(&artifact.url, &artifact.digest),
        ["deploy/app.yaml"]
    );
    // The manifest's annotations become the artifact's metadata.
    assert_eq!(artifact.metadata, Some(latest.annotations.clone()));
    let status = repo.status.clone().unwrap();
    let link = status.url.clone().unwrap();
    assert!(link.ends_with(&format!("{dir}/latest.tar.gz")), "{link}");
    assert_eq!(get(&link), stored);
    assert_eq!(status.observed_generation, repo.metadata.generation);
    let message = format!("stored artifact for digest '{want}'");
    for type_ in ["Ready", "ArtifactInStorage"] {
        assert_eq!(
            condition(&repo, type_).unwrap(),
            ("True".into(), "Succeeded".into(), message.clone()),
            "{type_}"
        );
    }
    let event = h
        .events
        .wait_for("the NewArtifact event", |e| {
            e["reason"] == "NewArtifact" && e["involvedObject"]["name"] == "default"
        })
        .await;
    assert_eq!(
        event["message"],
        format!(
            "stored artifact with revision '{want}' from '{url}', origin source '{SOURCE}', \
             origin revision 'latest@sha1:0123456789abcdef0123456789abcdef01234567'"
        )
    );
    assert_eq!(event["metadata"]["source.toolkit.fluxcd.io/revision"], want);

    // A range picks the highest stable tag, as written (`v` kept); a filter narrows the tags
    // first, and a range with a pre-release admits pre-releases.
    apply::<OCIRepository>(&h, "range", oci_spec(&url, json!({ "semver": ">=1.0.0" }))).await;
    wait_revision(
        &h,
        "range",
        &format!("v2.0.0@{}", versions["v2.0.0"].digest),
    )
    .await;
    apply::<OCIRepository>(
        &h,
        "filtered",
        oci_spec(
            &url,
            json!({ "semver": ">=1.0.0-0", "semverFilter": "^1\\.", "tag": "1.0.0" }),
        ),
    )
    .await;
    wait_revision(
        &h,
        "filtered",
        &format!("1.2.0-rc.1@{}", versions["1.2.0-rc.1"].digest),
    )
    .await;

    // A digest wins over everything else, and is the whole revision.
    let pinned = &versions["1.0.0"].digest;
    apply::<OCIRepository>(
        &h,
        "pinned",
        oci_spec(
            &url,
            json!({ "digest": pinned, "semver": ">=1.0.0", "tag": "1.1.0" }),
        ),
    )
    .await;
    let repo = wait_revision(&h, "pinned", pinned).await;
    let artifact = artifact_of(&repo);
    assert_eq!(
        artifact.path,
        format!("ocirepository/{}/pinned/{pinned}.tar.gz", h.ns)
    );
    assert_eq!(download(&artifact.url, &artifact.digest), ["version"]);

    // A new push to the tag is a new revision on the next reconcile; the link follows it.
    let second = pusher
        .push(
            "org/app",
            "latest",
            &[
                ("deploy/app.yaml", &config_map("app", "v2")),
                ("deploy/extra.yaml", &config_map("extra", "v2")),
            ],
        )
        .await;
    h.request_reconcile_of::<OCIRepository>("default").await;
    let want = format!("latest@{}", second.digest);
    let moved = wait_revision(&h, "default", &want).await;
    let artifact = artifact_of(&moved);
    assert_eq!(
        download(&artifact.url, &artifact.digest),
        ["deploy/app.yaml", "deploy/extra.yaml"]
    );
    assert_eq!(
        get(moved.status.as_ref().unwrap().url.as_ref().unwrap()),
        get(&artifact.url)
    );
    h.events
        .wait_for("the second NewArtifact event", |e| {
            e["reason"] == "NewArtifact"
                && e["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(&format!("revision '{want}'")))
        })
        .await;

    // A missing tag: retried, with what the registry said.
    apply::<OCIRepository>(&h, "absent", oci_spec(&url, json!({ "tag": "9.9.9" }))).await;
    let (reason, message) = wait_fetch_failed(&h, "absent").await;
    assert_eq!(reason, "OCIArtifactPullFailed");
    assert!(
        message.starts_with("failed to determine artifact digest: "),
        "{message}"
    );
    assert!(message.contains("MANIFEST_UNKNOWN"), "{message}");
    let absent = Api::<OCIRepository>::namespaced(h.client.clone(), &h.ns)
        .get("absent")
        .await
        .unwrap();
    assert!(!is_true(&absent, "Stalled"));

    // No tag in the range.
    apply::<OCIRepository>(
        &h,
        "nomatch",
        oci_spec(&url, json!({ "semver": ">=5.0.0" })),
    )
    .await;
    let (reason, message) = wait_fetch_failed(&h, "nomatch").await;
    assert_eq!(reason, "ReadOperationFailed");
    assert_eq!(
        message,
        format!(
            "failed to determine the artifact tag for '{url}': no match found for semver: >=5.0.0"
        )
    );

    // A registry that takes connections and never answers: spec.timeout ends the wait.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    apply::<OCIRepository>(
        &h,
        "silent",
        json!({
            "interval": "10m", "timeout": "2s", "insecure": true,
            "url": format!("oci://{}/org/app", silent.local_addr().unwrap()),
        }),
    )
    .await;
    let (reason, message) = wait_fetch_failed(&h, "silent").await;
    assert_eq!(reason, "OCIArtifactPullFailed");
    assert!(
        message.starts_with("failed to determine artifact digest: "),
        "{message}"
    );
    // Whichever ends first: the request's own timeout or the reconcile's deadline.
    assert!(
        message.contains("timed out after 2s (spec.timeout)") || message.contains(": timeout"),
        "{message}"
    );

    // What only the user can fix stalls: a tag in the URL, a cloud provider, verification.
    let tagged = format!("{url}:v1");
    apply::<OCIRepository>(
        &h,
        "tagged",
        json!({ "interval": "10m", "url": tagged, "insecure": true }),
    )
    .await;
    let stalled =
        wait_for::<OCIRepository>(&h, "tagged", "Stalled", |r| is_true(r, "Stalled")).await;
    assert_eq!(
        condition(&stalled, "Stalled").unwrap(),
        (
            "True".into(),
            "URLInvalid".into(),
            format!(
                "URL validation failed for '{tagged}': URL must not contain a tag; remove ':v1'"
            )
        )
    );
    apply::<OCIRepository>(
        &h,
        "cloud",
        json!({ "interval": "10m", "url": url, "insecure": true, "provider": "aws" }),
    )
    .await;
    let stalled =
        wait_for::<OCIRepository>(&h, "cloud", "Stalled", |r| is_true(r, "Stalled")).await;
    let (_, _, message) = condition(&stalled, "Ready").unwrap();
    assert!(
        message.contains("OCIRepository 'cloud' spec.provider is 'aws'"),
        "{message}"
    );
    apply::<OCIRepository>(
        &h,
        "verified",
        json!({ "interval": "10m", "url": url, "insecure": true, "verify": { "provider": "cosign" } }),
    )
    .await;
    let stalled =
        wait_for::<OCIRepository>(&h, "verified", "Stalled", |r| is_true(r, "Stalled")).await;
    let (status, reason, message) = condition(&stalled, "SourceVerified").unwrap();
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("False", "VerificationError")
    );
    assert!(message.starts_with("spec.verify: "), "{message}");
    assert!(stalled.status.unwrap().artifact.is_none());
    registry.check_alive().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn oci_repository_extracts_or_copies_the_selected_layer() {
    let h = Harness::start("oci-layers").await;
    let registry = Registry::start(&RegistryOptions::default()).unwrap();
    let pusher = Pusher::new(&registry);

    // A chart as `helm push` stores it: its layer copied is the chart archive, byte for byte.
    let charts = ChartRepo::new().unwrap();
    let src = tempfile::tempdir().unwrap();
    let chart_dir = write_test_chart(src.path(), "app", "1.0.0").unwrap();
    let chart = charts.add_chart(&chart_dir, None, None).unwrap();
    registry.push_chart(&chart, "charts").unwrap();
    let chart_url = registry.url("charts/app");
    let selector = |operation: Option<&str>| {
        let mut s = json!({ "mediaType": oci::helm::CHART_LAYER_MEDIA_TYPE });
        if let Some(op) = operation {
            s["operation"] = json!(op);
        }
        s
    };
    apply::<OCIRepository>(
        &h,
        "chart-copy",
        json!({
            "interval": "10m", "url": chart_url, "insecure": true, "ref": { "tag": "1.0.0" },
            "layerSelector": selector(Some("copy")),
        }),
    )
    .await;
    let copied =
        wait_for::<OCIRepository>(&h, "chart-copy", "Ready", |r| is_true(r, "Ready")).await;
    let artifact = artifact_of(&copied);
    let bytes = get(&artifact.url);
    assert_eq!(bytes, std::fs::read(&chart).unwrap());
    assert_eq!(artifact.digest, sha256(&bytes));
    assert!(artifact.path.ends_with(".tar.gz"), "{}", artifact.path);
    assert_eq!(
        copied.status.as_ref().unwrap().observed_layer_selector,
        serde_json::from_value(selector(Some("copy"))).unwrap()
    );

    // The same layer extracted (the default operation) is re-archived as Flux archives.
    apply::<OCIRepository>(
        &h,
        "chart-extract",
        json!({
            "interval": "10m", "url": chart_url, "insecure": true, "ref": { "tag": "1.0.0" },
            "layerSelector": selector(None),
        }),
    )
    .await;
    let extracted =
        wait_for::<OCIRepository>(&h, "chart-extract", "Ready", |r| is_true(r, "Ready")).await;
    let artifact = artifact_of(&extracted);
    let files = download(&artifact.url, &artifact.digest);
    assert!(files.contains(&"app/Chart.yaml".to_string()), "{files:?}");
    assert!(files.contains(&"app/values.yaml".to_string()), "{files:?}");
    assert_eq!(revision(&extracted), revision(&copied));

    // A media type the manifest does not have.
    apply::<OCIRepository>(
        &h,
        "wrong-media",
        json!({
            "interval": "10m", "url": chart_url, "insecure": true, "ref": { "tag": "1.0.0" },
            "layerSelector": { "mediaType": "application/vnd.example.unknown" },
        }),
    )
    .await;
    let (reason, message) = wait_fetch_failed(&h, "wrong-media").await;
    assert_eq!(reason, "OCIArtifactLayerOperationFailed");
    assert_eq!(
        message,
        "failed to find layer with media type 'application/vnd.example.unknown' in artifact"
    );

    // The tag moves to an artifact without a chart layer: the new revision is announced as
    // outdated, the pull fails, and the last artifact is kept and still served.
    let moved = pusher
        .push("charts/app", "1.0.0", &[("app.yaml", "not a chart")])
        .await;
    h.request_reconcile_of::<OCIRepository>("chart-extract")
        .await;
    let outdated = wait_for::<OCIRepository>(&h, "chart-extract", "ArtifactOutdated", |r| {
        is_true(r, "ArtifactOutdated")
    })
    .await;
    assert_eq!(
        condition(&outdated, "ArtifactOutdated").unwrap(),
        (
            "True".into(),
            "NewRevision".into(),
            format!(
                "new revision '1.0.0@{}' for '{}/charts/app:1.0.0'",
                moved.digest,
                registry.host()
            )
        )
    );
    assert_eq!(
        condition(&outdated, "FetchFailed").unwrap().1,
        "OCIArtifactLayerOperationFailed"
    );
    let kept = artifact_of(&outdated);
    assert_eq!(kept, artifact);
    assert_eq!(download(&kept.url, &kept.digest), files);

    // Ignore rules: `.sourceignore` files anywhere in the layer, then spec.ignore; the VCS
    // patterns always. Changing spec.ignore rebuilds the same revision.
    let site = pusher
        .push(
            "org/site",
            "latest",
            &[
                ("deploy/app.yaml", &config_map("site", "v1")),
                ("deploy/secret.txt", "left out by deploy/.sourceignore"),
                ("deploy/.sourceignore", "secret.txt\n"),
                ("docs/readme.md", "left out by spec.ignore"),
                (".git/config", "always left out"),
                ("logo.png", "kept: user patterns replace the defaults"),
            ],
        )
        .await;
    let site_url = registry.url("org/site");
    apply::<OCIRepository>(
        &h,
        "site",
        json!({ "interval": "10m", "url": site_url, "insecure": true, "ignore": "/docs/\n" }),
    )
    .await;
    let want = format!("latest@{}", site.digest);
    let first = wait_revision(&h, "site", &want).await;
    let artifact = artifact_of(&first);
    assert_eq!(
        download(&artifact.url, &artifact.digest),
        ["deploy/.sourceignore", "deploy/app.yaml", "logo.png"]
    );
    assert_eq!(
        first.status.as_ref().unwrap().observed_ignore.as_deref(),
        Some("/docs/\n")
    );
    apply::<OCIRepository>(
        &h,
        "site",
        json!({ "interval": "10m", "url": site_url, "insecure": true, "ignore": "*.png\n" }),
    )
    .await;
    let rebuilt = wait_for::<OCIRepository>(&h, "site", "rebuilt with the new ignore", |r| {
        is_true(r, "Ready")
            && r.status.as_ref().unwrap().observed_ignore.as_deref() == Some("*.png\n")
    })
    .await;
    let artifact = artifact_of(&rebuilt);
    assert_eq!(artifact.revision, want);
    assert_eq!(
        download(&artifact.url, &artifact.digest),
        ["deploy/.sourceignore", "deploy/app.yaml", "docs/readme.md"]
    );

    // Hostile layers: links are left out (never created), `..` refuses the whole layer.
    pusher
        .push_layer(
            "org/hostile",
            "links",
            raw_tgz(&[
                (
                    "deploy/app.yaml",
                    tar::EntryType::Regular,
                    "kind: ConfigMap\n",
                ),
                ("deploy/passwd", tar::EntryType::Symlink, "/etc/passwd"),
                ("escape", tar::EntryType::Symlink, "../../.."),
            ]),
        )
        .await;
    pusher
        .push_layer(
            "org/hostile",
            "dotdot",
            raw_tgz(&[("../evil.yaml", tar::EntryType::Regular, "kind: ConfigMap\n")]),
        )
        .await;
    let hostile = registry.url("org/hostile");
    apply::<OCIRepository>(&h, "links", oci_spec(&hostile, json!({ "tag": "links" }))).await;
    let links = wait_for::<OCIRepository>(&h, "links", "Ready", |r| is_true(r, "Ready")).await;
    let artifact = artifact_of(&links);
    assert_eq!(
        download(&artifact.url, &artifact.digest),
        ["deploy/app.yaml"]
    );
    apply::<OCIRepository>(&h, "dotdot", oci_spec(&hostile, json!({ "tag": "dotdot" }))).await;
    let (reason, message) = wait_fetch_failed(&h, "dotdot").await;
    assert_eq!(reason, "OCIArtifactLayerOperationFailed");
    assert!(
        message.starts_with("failed to extract layer contents from artifact: "),
        "{message}"
    );
    assert!(message.contains("\"../evil.yaml\""), "{message}");
    registry.check_alive().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn oci_repository_with_docker_registry_credentials_over_https() {
    let h = Harness::start("oci-auth").await;
    let registry = Registry::start(&RegistryOptions {
        tls: true,
        basic_auth: Some(("fleet".into(), "s3cret".into())),
    })
    .unwrap();
    let pusher = Pusher::new(&registry);
    let url = registry.url("org/private");
    let pushed = pusher
        .push(
            "org/private",
            "latest",
            &[("deploy/app.yaml", &config_map("private", "v1"))],
        )
        .await;
    let want = format!("latest@{}", pushed.digest);
    h.create_secret("tls", &[("ca.crt", registry.ca_pem().unwrap())])
        .await;
    docker_registry_secret(
        &h,
        "registry-auth",
        &registry.docker_config_json("fleet", "s3cret"),
    )
    .await;
    let spec = |extra: serde_json::Value| {
        let mut spec = json!({ "interval": "10m", "url": url });
        spec.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        spec
    };

    apply::<OCIRepository>(
        &h,
        "private",
        spec(
            json!({ "secretRef": { "name": "registry-auth" }, "certSecretRef": { "name": "tls" } }),
        ),
    )
    .await;
    let ready = wait_revision(&h, "private", &want).await;
    let artifact = artifact_of(&ready);
    assert_eq!(
        download(&artifact.url, &artifact.digest),
        ["deploy/app.yaml"]
    );

    // The ServiceAccount's image pull secrets, as for a Pod.
    let account: k8s_openapi::api::core::v1::ServiceAccount = serde_json::from_value(json!({
        "metadata": { "name": "puller" },
        "imagePullSecrets": [{ "name": "registry-auth" }],
    }))
    .unwrap();
    Api::<k8s_openapi::api::core::v1::ServiceAccount>::namespaced(h.client.clone(), &h.ns)
        .create(&Default::default(), &account)
        .await
        .unwrap();
    apply::<OCIRepository>(
        &h,
        "via-account",
        spec(json!({ "serviceAccountName": "puller", "certSecretRef": { "name": "tls" } })),
    )
    .await;
    wait_revision(&h, "via-account", &want).await;

    // Anonymous: the registry refuses, and the message says what to set.
    apply::<OCIRepository>(
        &h,
        "anonymous",
        spec(json!({ "certSecretRef": { "name": "tls" } })),
    )
    .await;
    let (reason, message) = wait_fetch_failed(&h, "anonymous").await;
    assert_eq!(reason, "OCIArtifactPullFailed");
    assert!(message.contains("UNAUTHORIZED"), "{message}");
    assert!(
        message.contains("set spec.secretRef of OCIRepository 'anonymous'"),
        "{message}"
    );

    // Without the CA the registry's certificate is not trusted.
    apply::<OCIRepository>(
        &h,
        "untrusted",
        spec(json!({ "secretRef": { "name": "registry-auth" } })),
    )
    .await;
    let (_, message) = wait_fetch_failed(&h, "untrusted").await;
    assert!(message.contains("https://"), "{message}");

    // A wrong password fails, says which Secret to check without showing the password, and
    // keeps the last artifact served.
    docker_registry_secret(
        &h,
        "registry-auth",
        &registry.docker_config_json("fleet", "wrong-password"),
    )
    .await;
    h.request_reconcile_of::<OCIRepository>("private").await;
    let (reason, message) = wait_fetch_failed(&h, "private").await;
    assert_eq!(reason, "OCIArtifactPullFailed");
    assert!(
        message.starts_with("failed to determine artifact digest: "),
        "{message}"
    );
    assert!(message.contains("401 Unauthorized"), "{message}");
    assert!(
        message.contains(&format!(
            "check the credentials for '{}' in spec.secretRef 'registry-auth'",
            registry.host()
        )),
        "{message}"
    );
    assert!(
        !message.contains("wrong-password"),
        "the password leaked: {message}"
    );
    let failed = Api::<OCIRepository>::namespaced(h.client.clone(), &h.ns)
        .get("private")
        .await
        .unwrap();
    assert_eq!(artifact_of(&failed), artifact);
    assert_eq!(
        download(&artifact.url, &artifact.digest),
        ["deploy/app.yaml"]
    );

    // Fixed credentials: Ready again, announced as a recovery (the artifact is unchanged).
    docker_registry_secret(
        &h,
        "registry-auth",
        &registry.docker_config_json("fleet", "s3cret"),
    )
    .await;
    h.request_reconcile_of::<OCIRepository>("private").await;
    wait_for::<OCIRepository>(&h, "private", "Ready again", |r| {
        is_true(r, "Ready") && !is_true(r, "FetchFailed")
    })
    .await;
    h.events
        .wait_for("the recovery event", |e| {
            e["reason"] == "Succeeded"
                && e["involvedObject"]["name"] == "private"
                && e["message"].as_str().is_some_and(|m| {
                    m.starts_with(&format!("stored artifact with revision '{want}'"))
                })
        })
        .await;
    registry.check_alive().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn kustomization_applies_the_artifact_of_an_oci_repository() {
    let h = Harness::start_with(
        "oci-ks",
        HarnessOptions {
            controller: Some("all"),
            extra_args: vec!["--requeue-dependency=3s".into()],
            ..Default::default()
        },
    )
    .await;
    let registry = Registry::start(&RegistryOptions::default()).unwrap();
    let pusher = Pusher::new(&registry);
    let first = pusher
        .push(
            "org/manifests",
            "latest",
            &[("app/config.yaml", &config_map("from-oci", "v1"))],
        )
        .await;
    apply::<OCIRepository>(
        &h,
        "manifests",
        json!({ "interval": "10m", "url": registry.url("org/manifests"), "insecure": true }),
    )
    .await;
    apply::<Kustomization>(
        &h,
        "app",
        json!({
            "interval": "10m",
            "path": "./app",
            "prune": true,
            "targetNamespace": h.ns,
            "sourceRef": { "kind": "OCIRepository", "name": "manifests" },
        }),
    )
    .await;
    let want = format!("latest@{}", first.digest);
    let ks = wait_for::<Kustomization>(&h, "app", "the Kustomization Ready", |k| {
        is_true(k, "Ready")
    })
    .await;
    assert_eq!(
        condition(&ks, "Ready").unwrap(),
        (
            "True".into(),
            "ReconciliationSucceeded".into(),
            format!("Applied revision: {want}")
        )
    );
    let maps: Api<ConfigMap> = Api::namespaced(h.client.clone(), &h.ns);
    let applied = maps.get("from-oci").await.unwrap();
    assert_eq!(applied.data.unwrap()["value"], "v1");

    // A new artifact on the tag reaches the cluster once the OCIRepository has it.
    let second = pusher
        .push(
            "org/manifests",
            "latest",
            &[("app/config.yaml", &config_map("from-oci", "v2"))],
        )
        .await;
    h.request_reconcile_of::<OCIRepository>("manifests").await;
    let want = format!("Applied revision: latest@{}", second.digest);
    wait_for::<Kustomization>(&h, "app", "the second revision applied", |k| {
        condition(k, "Ready").is_some_and(|(s, _, m)| s == "True" && m == want)
    })
    .await;
    let applied = maps.get("from-oci").await.unwrap();
    assert_eq!(applied.data.unwrap()["value"], "v2");
}
