//! The source controller, run as a local process against the rig, reconciling GitRepositories
//! from real Git servers (crates/testenv::git).

use std::time::{Duration, Instant};

use kube::api::DeleteParams;
use serde_json::json;
use testenv::git::{GitServers, GpgKey, HttpOptions, SshKeyPair, SshKeyType, TlsOptions};

use crate::source_support::{Harness, condition, download, sample_repo};

#[tokio::test(flavor = "multi_thread")]
async fn branch_over_http_produces_and_serves_an_artifact() {
    let h = Harness::start("src-http").await;
    let (repo, sha) = sample_repo(&h.servers, "podinfo");
    h.apply_repo("podinfo", json!({ "url": h.servers.http().url("podinfo"), "interval": "10m", "ref": { "branch": "main" } }))
        .await;
    let ready = h.wait_ready("podinfo", &format!("main@sha1:{sha}")).await;
    let (_, reason, message) = condition(&ready, "Ready").unwrap();
    assert_eq!(reason, "Succeeded");
    assert_eq!(
        message,
        format!("stored artifact for revision 'main@sha1:{sha}'")
    );
    let status = ready.status.clone().unwrap();
    let artifact = status.artifact.unwrap();
    assert_eq!(
        artifact.path,
        format!("gitrepository/{}/podinfo/{sha}.tar.gz", h.ns)
    );
    assert!(condition(&ready, "ArtifactInStorage").is_some_and(|(s, _, _)| s == "True"));
    assert_eq!(status.observed_generation, ready.metadata.generation);
    let files = download(&artifact.url, &artifact.digest);
    assert_eq!(
        files,
        [".sourceignore", "deploy/app.yaml", "logo.png"],
        "ignore rules"
    );
    assert!(
        ready
            .metadata
            .finalizers
            .unwrap_or_default()
            .contains(&"finalizers.fluxcd.io".to_string())
    );

    // The NewArtifact event reached the events address in Flux's shape.
    let deadline = Instant::now() + Duration::from_secs(10);
    let event = loop {
        let found = h
            .events
            .events()
            .into_iter()
            .find(|e| e["reason"] == "NewArtifact");
        if let Some(event) = found {
            break event;
        }
        assert!(
            Instant::now() < deadline,
            "no NewArtifact event was POSTed: {:?}",
            h.events.events()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(event["involvedObject"]["name"], "podinfo");
    assert_eq!(event["severity"], "info");
    assert_eq!(event["reportingController"], "source-controller");
    assert_eq!(
        event["message"],
        "stored artifact for commit 'Add the app manifests'"
    );
    assert_eq!(
        event["metadata"]["source.toolkit.fluxcd.io/revision"],
        format!("main@sha1:{sha}")
    );

    // The no-op path: a requested reconcile with an unchanged remote fetches nothing.
    let posts = h.upload_pack_posts();
    let at = h.request_reconcile("podinfo").await;
    let handled = h
        .wait_for("podinfo", "the reconcile request to be handled", |r| {
            r.status
                .as_ref()
                .and_then(|s| s.last_handled_reconcile_at.as_deref())
                == Some(at.as_str())
        })
        .await;
    assert_eq!(
        h.upload_pack_posts(),
        posts,
        "a no-op reconcile must not fetch"
    );
    assert_eq!(
        handled.status.unwrap().artifact.unwrap(),
        artifact,
        "the artifact is unchanged"
    );

    // A push produces a new artifact and revision.
    let next = repo
        .commit(
            "Scale the app",
            &[("deploy/app.yaml", "kind: ConfigMap\n# 2\n")],
        )
        .unwrap();
    repo.push().unwrap();
    h.request_reconcile("podinfo").await;
    let ready = h.wait_ready("podinfo", &format!("main@sha1:{next}")).await;
    assert!(h.upload_pack_posts() > posts);
    assert_ne!(
        ready.status.unwrap().artifact.unwrap().digest,
        artifact.digest
    );

    // Deleting the object removes its artifacts through the finalizer.
    h.repos()
        .delete("podinfo", &DeleteParams::default())
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while h.repos().get_opt("podinfo").await.unwrap().is_some() {
        assert!(
            Instant::now() < deadline,
            "the GitRepository is stuck terminating"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let dir = h
        .storage
        .path()
        .join("gitrepository")
        .join(&h.ns)
        .join("podinfo");
    assert!(!dir.exists(), "artifacts left behind in {}", dir.display());
}

#[tokio::test(flavor = "multi_thread")]
async fn ssh_with_known_hosts_and_a_wrong_host_key() {
    let h = Harness::start("src-ssh").await;
    let (_repo, sha) = sample_repo(&h.servers, "app");
    let key = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    h.servers.ssh().add_authorized_key(&key.public_key).unwrap();
    let known_hosts = h.servers.ssh().known_hosts();
    h.create_secret(
        "ssh",
        &[
            ("identity", &key.private_key),
            ("identity.pub", &key.public_key),
            ("known_hosts", &known_hosts),
        ],
    )
    .await;
    h.apply_repo("app", json!({ "url": h.servers.ssh().url("app"), "interval": "10m", "ref": { "branch": "main" }, "secretRef": { "name": "ssh" } }))
        .await;
    h.wait_ready("app", &format!("main@sha1:{sha}")).await;

    // Another server's key in known_hosts: refused, named in the condition, last artifact kept.
    let other = GitServers::start().unwrap();
    let wrong = other.ssh().known_hosts().replace(
        &other.ssh().port().to_string(),
        &h.servers.ssh().port().to_string(),
    );
    h.create_secret(
        "ssh",
        &[
            ("identity", &key.private_key),
            ("identity.pub", &key.public_key),
            ("known_hosts", &wrong),
        ],
    )
    .await;
    h.request_reconcile("app").await;
    let failed = h
        .wait_for("app", "FetchFailed", |r| {
            condition(r, "FetchFailed").is_some_and(|(s, _, _)| s == "True")
        })
        .await;
    let (_, reason, message) = condition(&failed, "FetchFailed").unwrap();
    assert_eq!(reason, "AuthenticationFailed", "{message}");
    assert!(message.contains("host key"), "{message}");
    assert!(
        !message.contains("PRIVATE KEY"),
        "secret material in the condition: {message}"
    );
    let (ready, _, _) = condition(&failed, "Ready").unwrap();
    assert_eq!(ready, "False");
    assert_eq!(
        failed.status.unwrap().artifact.unwrap().revision,
        format!("main@sha1:{sha}")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn basic_auth_failure_and_server_outage_keep_the_last_artifact() {
    let h = Harness::start("src-basic").await;
    let (_repo, sha) = sample_repo(&h.servers, "app");
    let http = h
        .servers
        .start_http(&HttpOptions {
            basic_auth: Some(("flux".into(), "s3cr3t-pw".into())),
            ..Default::default()
        })
        .unwrap();
    h.create_secret("basic", &[("username", "flux"), ("password", "s3cr3t-pw")])
        .await;
    h.apply_repo("app", json!({ "url": http.url("app"), "interval": "10m", "ref": { "branch": "main" }, "secretRef": { "name": "basic" } }))
        .await;
    let revision = format!("main@sha1:{sha}");
    h.wait_ready("app", &revision).await;

    h.create_secret("basic", &[("username", "flux"), ("password", "wrong-pw")])
        .await;
    h.request_reconcile("app").await;
    let failed = h
        .wait_for("app", "an authentication failure", |r| {
            condition(r, "FetchFailed")
                .is_some_and(|(s, reason, _)| s == "True" && reason == "AuthenticationFailed")
        })
        .await;
    let (_, _, message) = condition(&failed, "FetchFailed").unwrap();
    assert!(
        !message.contains("wrong-pw") && !message.contains("s3cr3t-pw"),
        "password leaked: {message}"
    );
    assert_eq!(
        failed
            .status
            .as_ref()
            .unwrap()
            .artifact
            .as_ref()
            .unwrap()
            .revision,
        revision
    );

    // The server goes down: GitOperationFailed, artifact kept; it comes back: Ready again.
    h.create_secret("basic", &[("username", "flux"), ("password", "s3cr3t-pw")])
        .await;
    http.stop();
    h.request_reconcile("app").await;
    let down = h
        .wait_for("app", "the outage to be reported", |r| {
            condition(r, "FetchFailed")
                .is_some_and(|(s, reason, _)| s == "True" && reason == "GitOperationFailed")
        })
        .await;
    assert_eq!(down.status.unwrap().artifact.unwrap().revision, revision);
    http.start().unwrap();
    let at = h.request_reconcile("app").await;
    let back = h
        .wait_for("app", "recovery", |r| {
            r.status
                .as_ref()
                .and_then(|s| s.last_handled_reconcile_at.as_deref())
                == Some(at.as_str())
                && condition(r, "Ready").is_some_and(|(s, _, _)| s == "True")
        })
        .await;
    assert!(condition(&back, "FetchFailed").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn verifies_signed_commits_and_refuses_unsigned_ones() {
    let h = Harness::start("src-pgp").await;
    let repo = h.servers.create_repo("signed").unwrap();
    let gpg = GpgKey::generate().unwrap();
    let sha = repo
        .signed_commit("Signed release", &[("app.yaml", "kind: ConfigMap\n")], &gpg)
        .unwrap();
    repo.push().unwrap();
    h.create_secret("pgp", &[("author.asc", gpg.public_key_armored())])
        .await;
    h.apply_repo(
        "signed",
        json!({
            "url": h.servers.http().url("signed"),
            "interval": "10m",
            "ref": { "branch": "main" },
            "verify": { "mode": "HEAD", "secretRef": { "name": "pgp" } },
        }),
    )
    .await;
    let ready = h.wait_ready("signed", &format!("main@sha1:{sha}")).await;
    let (status, _, message) = condition(&ready, "SourceVerified").unwrap();
    assert_eq!(status, "True");
    assert!(
        message.contains(&sha) && message.contains(gpg.key_id()),
        "{message}"
    );

    let unsigned = repo
        .commit("Unsigned change", &[("app.yaml", "kind: ConfigMap\n# x\n")])
        .unwrap();
    repo.push().unwrap();
    h.request_reconcile("signed").await;
    let refused = h
        .wait_for("signed", "SourceVerified=False", |r| {
            condition(r, "SourceVerified").is_some_and(|(s, _, _)| s == "False")
        })
        .await;
    let (_, reason, message) = condition(&refused, "SourceVerified").unwrap();
    assert_eq!(reason, "VerificationError");
    assert!(
        message.contains(&unsigned),
        "the condition names the commit: {message}"
    );
    assert_eq!(
        refused.status.unwrap().artifact.unwrap().revision,
        format!("main@sha1:{sha}")
    );

    // Signed, but by a key the secret does not trust: refused, naming the commit and key.
    let stranger = GpgKey::generate().unwrap();
    let foreign = repo
        .signed_commit(
            "Signed by a stranger",
            &[("app.yaml", "kind: ConfigMap\n# y\n")],
            &stranger,
        )
        .unwrap();
    repo.push().unwrap();
    h.request_reconcile("signed").await;
    let refused = h
        .wait_for("signed", "the stranger's commit to be refused", |r| {
            condition(r, "SourceVerified")
                .is_some_and(|(s, _, m)| s == "False" && m.contains(&foreign))
        })
        .await;
    let (_, _, message) = condition(&refused, "SourceVerified").unwrap();
    assert!(
        message.contains(stranger.key_id()),
        "names the unknown key: {message}"
    );
    assert_eq!(
        refused.status.unwrap().artifact.unwrap().revision,
        format!("main@sha1:{sha}"),
        "content signed by an untrusted key is not published"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn includes_copy_other_artifacts_and_wait_for_them() {
    let h = Harness::start("src-include").await;
    let (base, base_sha) = sample_repo(&h.servers, "base");
    let app = h.servers.create_repo("app").unwrap();
    let app_sha = app
        .commit("App", &[("app.yaml", "kind: ConfigMap\n")])
        .unwrap();
    app.push().unwrap();
    let include = json!([{ "repository": { "name": "base" }, "fromPath": "deploy", "toPath": "vendor/base" }]);

    // The included repository does not exist yet: IncludeUnavailable, retried.
    h.apply_repo(
        "app",
        json!({ "url": h.servers.http().url("app"), "interval": "10m", "ref": { "branch": "main" }, "include": include }),
    )
    .await;
    let waiting = h
        .wait_for("app", "IncludeUnavailable", |r| {
            condition(r, "IncludeUnavailable").is_some_and(|(s, _, _)| s == "True")
        })
        .await;
    let (_, reason, message) = condition(&waiting, "IncludeUnavailable").unwrap();
    assert_eq!(reason, "NotFound");
    assert!(message.contains("'base'"), "{message}");

    h.apply_repo(
        "base",
        json!({ "url": h.servers.http().url("base"), "interval": "10m", "ref": { "branch": "main" } }),
    )
    .await;
    let base_ready = h.wait_ready("base", &format!("main@sha1:{base_sha}")).await;
    h.request_reconcile("app").await;
    let ready = h.wait_ready("app", &format!("main@sha1:{app_sha}")).await;
    let status = ready.status.unwrap();
    let artifact = status.artifact.unwrap();
    assert_eq!(
        download(&artifact.url, &artifact.digest),
        ["app.yaml", "vendor/base/app.yaml"],
        "fromPath copies that directory of base's artifact (already filtered by base's rules)"
    );
    let included = status.included_artifacts.unwrap();
    assert_eq!(included, vec![base_ready.status.unwrap().artifact.unwrap()]);

    // A new revision of the included repository rebuilds the includer at the same commit.
    let next = base
        .commit(
            "Change base",
            &[("deploy/app.yaml", "kind: ConfigMap\n# v2\n")],
        )
        .unwrap();
    base.push().unwrap();
    h.request_reconcile("base").await;
    h.wait_ready("base", &format!("main@sha1:{next}")).await;
    h.request_reconcile("app").await;
    let rebuilt = h
        .wait_for("app", "a rebuilt artifact", |r| {
            r.status
                .as_ref()
                .and_then(|s| s.artifact.as_ref())
                .is_some_and(|a| a.digest != artifact.digest)
        })
        .await;
    let status = rebuilt.status.unwrap();
    assert_eq!(
        status.artifact.unwrap().revision,
        format!("main@sha1:{app_sha}")
    );
    assert!(
        status.included_artifacts.unwrap()[0]
            .revision
            .ends_with(&next)
    );

    // An include escaping the artifact is refused as a user error.
    h.apply_repo(
        "escape",
        json!({
            "url": h.servers.http().url("app"),
            "interval": "10m",
            "ref": { "branch": "main" },
            "include": [{ "repository": { "name": "base" }, "toPath": "../../etc" }],
        }),
    )
    .await;
    let stalled = h
        .wait_for("escape", "Stalled", |r| {
            condition(r, "Stalled").is_some_and(|(s, _, _)| s == "True")
        })
        .await;
    let (_, _, message) = condition(&stalled, "Stalled").unwrap();
    assert!(message.contains("spec.include[0].toPath"), "{message}");
    assert!(stalled.status.unwrap().artifact.is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn https_with_a_private_ca_and_a_bearer_token() {
    let h = Harness::start("src-tls").await;
    let (_repo, sha) = sample_repo(&h.servers, "app");
    let https = h
        .servers
        .start_http(&HttpOptions {
            bearer_token: Some("t0ken-abc123".into()),
            tls: Some(TlsOptions::default()),
            ..Default::default()
        })
        .unwrap();
    let ca = https.ca_pem().unwrap().to_string();
    h.create_secret("tls", &[("bearerToken", "t0ken-abc123"), ("ca.crt", &ca)])
        .await;
    let spec = |secret: &str| {
        json!({
            "url": https.url("app"),
            "interval": "10m",
            "ref": { "branch": "main" },
            "secretRef": { "name": secret },
        })
    };
    h.apply_repo("app", spec("tls")).await;
    h.wait_ready("app", &format!("main@sha1:{sha}")).await;

    // Without the CA the server's certificate is not trusted: a TLS failure, not a hang.
    h.create_secret("no-ca", &[("bearerToken", "t0ken-abc123")])
        .await;
    h.apply_repo("untrusted", spec("no-ca")).await;
    let failed = h
        .wait_for("untrusted", "a TLS failure", |r| {
            condition(r, "FetchFailed").is_some_and(|(s, _, _)| s == "True")
        })
        .await;
    let (_, _, message) = condition(&failed, "FetchFailed").unwrap();
    assert!(message.to_lowercase().contains("certificate"), "{message}");

    // A wrong token is an authentication failure that does not echo the token.
    h.create_secret(
        "bad-token",
        &[("bearerToken", "wrong-t0ken"), ("ca.crt", &ca)],
    )
    .await;
    h.apply_repo("denied", spec("bad-token")).await;
    let denied = h
        .wait_for("denied", "an authentication failure", |r| {
            condition(r, "FetchFailed").is_some_and(|(s, _, _)| s == "True")
        })
        .await;
    let (_, reason, message) = condition(&denied, "FetchFailed").unwrap();
    assert_eq!(reason, "AuthenticationFailed", "{message}");
    assert!(!message.contains("wrong-t0ken"), "{message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn verifies_signed_tags_in_tag_and_tag_and_head_modes() {
    let h = Harness::start("src-pgp-tag").await;
    let repo = h.servers.create_repo("tagged").unwrap();
    let gpg = GpgKey::generate().unwrap();
    // The commit is unsigned, the tag is signed: Tag passes, TagAndHEAD must not.
    let sha = repo
        .commit("Release", &[("app.yaml", "kind: ConfigMap\n")])
        .unwrap();
    repo.signed_tag("v1.0.0", "v1.0.0", &gpg).unwrap();
    repo.push().unwrap();
    h.create_secret("pgp", &[("release.asc", gpg.public_key_armored())])
        .await;
    let spec = |mode: &str| {
        json!({
            "url": h.servers.http().url("tagged"),
            "interval": "10m",
            "ref": { "tag": "v1.0.0" },
            "verify": { "mode": mode, "secretRef": { "name": "pgp" } },
        })
    };
    h.apply_repo("tag", spec("Tag")).await;
    let ready = h.wait_ready("tag", &format!("v1.0.0@sha1:{sha}")).await;
    let (status, _, message) = condition(&ready, "SourceVerified").unwrap();
    assert_eq!(status, "True");
    assert!(
        message.contains("tag 'v1.0.0@") && message.contains(gpg.key_id()),
        "{message}"
    );
    assert_eq!(
        ready.status.unwrap().source_verification_mode.as_deref(),
        Some("Tag")
    );

    h.apply_repo("both", spec("TagAndHEAD")).await;
    let refused = h
        .wait_for("both", "SourceVerified=False", |r| {
            condition(r, "SourceVerified").is_some_and(|(s, _, _)| s == "False")
        })
        .await;
    let (_, reason, message) = condition(&refused, "SourceVerified").unwrap();
    assert_eq!(reason, "VerificationError");
    assert!(
        message.contains(&sha),
        "names the unsigned commit: {message}"
    );
    assert!(
        refused.status.unwrap().artifact.is_none(),
        "unverified content is not published"
    );
}
