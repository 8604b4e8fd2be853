//! Receivers end to end: the webhook server, signatures and the objects it annotates.
//!
//! Each test runs a real `tk controller notification` watching a namespace of its own, with
//! the webhook server on a free loopback port, and checks the `reconcile.fluxcd.io/requestedAt`
//! annotation on real GitRepository and HelmRepository objects (no source controller runs,
//! so nothing else writes them).

use std::net::SocketAddr;
use std::process::Child;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams};
use serde_json::{Value, json};
use sha2::Digest;
use tk::api::notification::Receiver;

use crate::support::{
    client, controller_command, create_namespace, free_port, hex, hmac_sha256, rig, with_crds,
};

const REQUESTED_AT: &str = "reconcile.fluxcd.io/requestedAt";

/// One namespace and one notification controller serving receivers on `addr`.
struct Harness {
    client: kube::Client,
    ns: String,
    addr: SocketAddr,
    http: reqwest::Client,
    controller: Child,
    _storage: tempfile::TempDir,
    _crds: tokio::sync::RwLockReadGuard<'static, ()>,
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = self.controller.kill();
        let _ = self.controller.wait();
    }
}

fn source_api(client: &kube::Client, ns: &str, kind: &str) -> Api<DynamicObject> {
    let plural = format!("{}ies", kind.to_lowercase().trim_end_matches('y'));
    let gvk = GroupVersionKind::gvk("source.toolkit.fluxcd.io", "v1", kind);
    Api::namespaced_with(
        client.clone(),
        ns,
        &ApiResource::from_gvk_with_plural(&gvk, &plural),
    )
}

impl Harness {
    async fn start(prefix: &str) -> Harness {
        Self::start_with(prefix, &[]).await
    }

    async fn start_with(prefix: &str, extra_args: &[&str]) -> Harness {
        let client = client(rig().kubeconfig_path()).await;
        let crds = with_crds(&client).await;
        let ns = create_namespace(&client, prefix).await;
        let storage = tempfile::tempdir().unwrap();
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
        let controller = controller_command("notification", &ns, storage.path())
            .args(["--receiver-addr", &addr.to_string()])
            .args(["--events-listen-addr", "0"])
            .args(extra_args)
            .spawn()
            .expect("the controller starts");
        let harness = Harness {
            client,
            ns,
            addr,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            controller,
            _storage: storage,
            _crds: crds,
        };
        // The server answers 404 for any unknown path once it listens.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let unknown = format!("/hook/{}", "0".repeat(64));
            if let Ok(response) = harness.http.post(harness.url(&unknown)).send().await {
                assert_eq!(response.status(), 404, "an unknown path is not found");
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the webhook server did not listen on {addr}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        harness
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn create_secret(&self, name: &str, token: &str) {
        let secrets: Api<Secret> = Api::namespaced(self.client.clone(), &self.ns);
        let secret: Secret = serde_json::from_value(json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": { "name": name },
            "stringData": { "token": token },
        }))
        .unwrap();
        secrets
            .patch(
                name,
                &PatchParams::apply("tk-e2e").force(),
                &Patch::Apply(&secret),
            )
            .await
            .unwrap();
    }

    async fn create_source(&self, kind: &str, name: &str, labels: Value) {
        let url = match kind {
            "GitRepository" => "https://git.example.invalid/webapp",
            _ => "https://charts.example.invalid",
        };
        let object = json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": kind,
            "metadata": { "name": name, "namespace": self.ns, "labels": labels },
            "spec": { "url": url, "interval": "1h" },
        });
        source_api(&self.client, &self.ns, kind)
            .patch(
                name,
                &PatchParams::apply("tk-e2e").force(),
                &Patch::Apply(&object),
            )
            .await
            .unwrap_or_else(|e| panic!("creating {kind} {name}: {e}"));
    }

    async fn requested_at(&self, kind: &str, name: &str) -> Option<String> {
        let object = source_api(&self.client, &self.ns, kind)
            .get(name)
            .await
            .unwrap();
        object.metadata.annotations?.get(REQUESTED_AT).cloned()
    }

    fn receivers(&self) -> Api<Receiver> {
        Api::namespaced(self.client.clone(), &self.ns)
    }

    async fn apply_receiver(&self, name: &str, spec: Value) {
        let receiver = json!({
            "apiVersion": "notification.toolkit.fluxcd.io/v1",
            "kind": "Receiver",
            "metadata": { "name": name, "namespace": self.ns },
            "spec": spec,
        });
        self.receivers()
            .patch(
                name,
                &PatchParams::apply("tk-e2e").force(),
                &Patch::Apply(&receiver),
            )
            .await
            .unwrap_or_else(|e| panic!("applying Receiver {name}: {e}"));
    }

    async fn wait_receiver(
        &self,
        name: &str,
        what: &str,
        check: impl Fn(&Receiver) -> bool,
    ) -> Receiver {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let receiver = self.receivers().get(name).await.unwrap();
            if check(&receiver) {
                return receiver;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; status: {}",
                serde_json::to_string_pretty(&receiver.status).unwrap()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Waits until the Receiver is Ready and returns its webhook path.
    async fn wait_ready(&self, name: &str) -> String {
        let receiver = self
            .wait_receiver(name, "Ready=True", |r| {
                ready(r).is_some_and(|(status, _, _)| status == "True")
            })
            .await;
        receiver.status.unwrap().webhook_path.unwrap()
    }

    async fn post(&self, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> u16 {
        let mut request = self.http.post(self.url(path)).body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap().status().as_u16()
    }
}

/// (status, reason, message) of the Ready condition.
fn ready(receiver: &Receiver) -> Option<(String, String, String)> {
    let condition = receiver
        .status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready")?
        .clone();
    Some((condition.status, condition.reason, condition.message))
}

fn expected_path(token: &str, name: &str, ns: &str) -> String {
    let digest = sha2::Sha256::digest(format!("{token}{name}{ns}").as_bytes());
    format!("/hook/{}", hex(&digest))
}

/// The Receiver of the talk (KubeCon EU 2020, "Flux v2 deep dive"): a GitHub webhook for
/// `ping` and `push` that triggers a GitRepository and a HelmRepository.
#[tokio::test(flavor = "multi_thread")]
async fn github_receiver_from_the_talk_triggers_both_sources_on_a_signed_push() {
    let h = Harness::start("recv-github").await;
    let token = "talk-token-4f1c9";
    h.create_secret("webhook-token", token).await;
    h.create_source("GitRepository", "webapp", json!({})).await;
    h.create_source("HelmRepository", "webapp", json!({})).await;
    h.apply_receiver(
        "webapp",
        json!({
            "type": "github",
            "events": ["ping", "push"],
            "secretRef": { "name": "webhook-token" },
            "resources": [
                { "kind": "GitRepository", "name": "webapp" },
                { "kind": "HelmRepository", "name": "webapp" },
            ],
        }),
    )
    .await;

    let path = h.wait_ready("webapp").await;
    assert_eq!(path, expected_path(token, "webapp", &h.ns));
    let receiver = h.receivers().get("webapp").await.unwrap();
    let (_, reason, message) = ready(&receiver).unwrap();
    assert_eq!(reason, "Succeeded");
    assert_eq!(message, format!("Receiver initialized for path: {path}"));
    assert_eq!(
        receiver.status.as_ref().unwrap().observed_generation,
        receiver.metadata.generation
    );
    assert!(
        receiver
            .metadata
            .finalizers
            .unwrap_or_default()
            .contains(&"finalizers.fluxcd.io".to_string())
    );

    let both_untouched = || async {
        h.requested_at("GitRepository", "webapp").await.is_none()
            && h.requested_at("HelmRepository", "webapp").await.is_none()
    };

    // GitHub's ping when the hook is created: answered, nothing reconciled.
    let ping = br#"{"zen":"Keep it logically awesome.","hook_id":1}"#.to_vec();
    let signature = format!("sha256={}", hmac_sha256(token, &ping));
    let code = h
        .post(
            &path,
            &[
                ("X-GitHub-Event", "ping"),
                ("X-Hub-Signature-256", &signature),
                ("Content-Type", "application/json"),
            ],
            ping,
        )
        .await;
    assert_eq!(code, 200, "ping");
    assert!(both_untouched().await, "a ping annotated a source");

    let push =
        br#"{"ref":"refs/heads/main","after":"0123456789abcdef0123456789abcdef01234567"}"#.to_vec();
    // A signature made with another secret.
    let forged = format!("sha256={}", hmac_sha256("not-the-token", &push));
    let code = h
        .post(
            &path,
            &[("X-GitHub-Event", "push"), ("X-Hub-Signature-256", &forged)],
            push.clone(),
        )
        .await;
    assert_eq!(code, 401, "forged signature");
    // No signature at all.
    let code = h
        .post(&path, &[("X-GitHub-Event", "push")], push.clone())
        .await;
    assert_eq!(code, 401, "missing signature");
    assert!(
        both_untouched().await,
        "a refused request annotated a source"
    );

    // A validly signed event the Receiver does not accept.
    let issue = br#"{"action":"opened"}"#.to_vec();
    let signature = format!("sha256={}", hmac_sha256(token, &issue));
    let code = h
        .post(
            &path,
            &[
                ("X-GitHub-Event", "issues"),
                ("X-Hub-Signature-256", &signature),
            ],
            issue,
        )
        .await;
    assert_eq!(code, 400, "event not in spec.events");
    assert!(
        both_untouched().await,
        "a filtered event annotated a source"
    );

    // The push.
    let before = k8s_openapi::jiff::Timestamp::now();
    let signature = format!("sha256={}", hmac_sha256(token, &push));
    let code = h
        .post(
            &path,
            &[
                ("X-GitHub-Event", "push"),
                ("X-Hub-Signature-256", &signature),
                ("Content-Type", "application/json"),
            ],
            push,
        )
        .await;
    assert_eq!(code, 200, "signed push");
    for kind in ["GitRepository", "HelmRepository"] {
        let at = h
            .requested_at(kind, "webapp")
            .await
            .unwrap_or_else(|| panic!("{kind} was not annotated"));
        let at: k8s_openapi::jiff::Timestamp = at
            .parse()
            .unwrap_or_else(|e| panic!("{kind} requestedAt {at:?} is not RFC 3339: {e}"));
        assert!(
            at >= before
                .checked_sub(k8s_openapi::jiff::SignedDuration::from_secs(5))
                .unwrap()
        );
    }

    // The same path on another Receiver's name is unknown.
    let other = expected_path(token, "other", &h.ns);
    assert_eq!(h.post(&other, &[], b"{}".to_vec()).await, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn gitlab_token_and_generic_hmac_signatures_are_checked() {
    let h = Harness::start("recv-tokens").await;
    h.create_secret("gitlab-token", "gl-token-77").await;
    h.create_secret("hmac-token", "hmac-key-42").await;
    h.create_source("GitRepository", "from-gitlab", json!({}))
        .await;
    h.create_source("GitRepository", "from-hmac", json!({}))
        .await;
    h.apply_receiver(
        "gitlab",
        json!({
            "type": "gitlab",
            "events": ["Push Hook"],
            "secretRef": { "name": "gitlab-token" },
            "resources": [{ "kind": "GitRepository", "name": "from-gitlab" }],
        }),
    )
    .await;
    h.apply_receiver(
        "hmac",
        json!({
            "type": "generic-hmac",
            "secretRef": { "name": "hmac-token" },
            "resources": [{ "kind": "GitRepository", "name": "from-hmac" }],
        }),
    )
    .await;
    let gitlab = h.wait_ready("gitlab").await;
    let hmac = h.wait_ready("hmac").await;

    let body = br#"{"object_kind":"push"}"#.to_vec();
    let code = h
        .post(
            &gitlab,
            &[
                ("X-Gitlab-Token", "gl-token-78"),
                ("X-Gitlab-Event", "Push Hook"),
            ],
            body.clone(),
        )
        .await;
    assert_eq!(code, 401, "wrong GitLab token");
    let code = h
        .post(
            &gitlab,
            &[
                ("X-Gitlab-Token", "gl-token-77"),
                ("X-Gitlab-Event", "Tag Push Hook"),
            ],
            body.clone(),
        )
        .await;
    assert_eq!(code, 400, "GitLab event not in spec.events");
    assert_eq!(h.requested_at("GitRepository", "from-gitlab").await, None);
    let code = h
        .post(
            &gitlab,
            &[
                ("X-Gitlab-Token", "gl-token-77"),
                ("X-Gitlab-Event", "Push Hook"),
            ],
            body,
        )
        .await;
    assert_eq!(code, 200, "GitLab push");
    assert!(
        h.requested_at("GitRepository", "from-gitlab")
            .await
            .is_some()
    );

    let body = br#"{"image":"ghcr.io/example/app:1.2.3"}"#.to_vec();
    let bad = format!("sha256={}", hmac_sha256("hmac-key-43", &body));
    assert_eq!(
        h.post(&hmac, &[("X-Signature", &bad)], body.clone()).await,
        401,
        "wrong HMAC key"
    );
    assert_eq!(
        h.post(&hmac, &[], body.clone()).await,
        401,
        "no X-Signature"
    );
    assert_eq!(h.requested_at("GitRepository", "from-hmac").await, None);
    let good = format!("sha256={}", hmac_sha256("hmac-key-42", &body));
    assert_eq!(h.post(&hmac, &[("X-Signature", &good)], body).await, 200);
    assert!(h.requested_at("GitRepository", "from-hmac").await.is_some());
    // The GitLab Receiver's source was not touched again by the HMAC one, and vice versa:
    // each path only reaches its own Receiver's resources.
    assert_ne!(gitlab, hmac);
}

#[tokio::test(flavor = "multi_thread")]
async fn wildcard_name_annotates_only_objects_matching_the_labels() {
    let h = Harness::start("recv-wildcard").await;
    h.create_secret("token", "wildcard-token").await;
    h.create_source("GitRepository", "web-a", json!({ "app": "web" }))
        .await;
    h.create_source("GitRepository", "web-b", json!({ "app": "web" }))
        .await;
    h.create_source("GitRepository", "api", json!({ "app": "api" }))
        .await;
    h.create_source("HelmRepository", "web-charts", json!({ "app": "web" }))
        .await;
    h.apply_receiver(
        "web",
        json!({
            "type": "generic",
            "secretRef": { "name": "token" },
            "resources": [
                { "kind": "GitRepository", "name": "*", "matchLabels": { "app": "web" } },
            ],
        }),
    )
    .await;
    let path = h.wait_ready("web").await;
    assert_eq!(h.post(&path, &[], Vec::new()).await, 200);
    assert!(h.requested_at("GitRepository", "web-a").await.is_some());
    assert!(h.requested_at("GitRepository", "web-b").await.is_some());
    assert_eq!(h.requested_at("GitRepository", "api").await, None);
    assert_eq!(
        h.requested_at("HelmRepository", "web-charts").await,
        None,
        "another kind with the same labels"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_secret_is_reported_and_the_receiver_recovers_once_it_exists() {
    let h = Harness::start("recv-secret").await;
    h.create_source("GitRepository", "app", json!({})).await;
    h.apply_receiver(
        "app",
        json!({
            "type": "generic",
            "secretRef": { "name": "absent-token" },
            "resources": [{ "kind": "GitRepository", "name": "app" }],
        }),
    )
    .await;
    let receiver = h
        .wait_receiver("app", "Ready=False", |r| {
            ready(r).is_some_and(|(status, _, _)| status == "False")
        })
        .await;
    let (_, reason, message) = ready(&receiver).unwrap();
    assert_eq!(reason, "TokenNotFound");
    assert!(
        message.contains(&format!("'{}/absent-token'", h.ns)),
        "the message names the Secret: {message}"
    );
    assert_eq!(receiver.status.unwrap().webhook_path, None);

    // A Secret without the `token` key is named as such.
    let secrets: Api<Secret> = Api::namespaced(h.client.clone(), &h.ns);
    let wrong_key: Secret = serde_json::from_value(json!({
        "metadata": { "name": "absent-token" },
        "stringData": { "password": "x" },
    }))
    .unwrap();
    secrets
        .create(&Default::default(), &wrong_key)
        .await
        .unwrap();
    h.wait_receiver("app", "a message about the token key", |r| {
        ready(r).is_some_and(|(_, _, m)| m.contains("required fields 'token'"))
    })
    .await;

    secrets
        .delete("absent-token", &Default::default())
        .await
        .unwrap();
    h.create_secret("absent-token", "late-token").await;
    let path = h.wait_ready("app").await;
    assert_eq!(path, expected_path("late-token", "app", &h.ns));
    assert_eq!(h.post(&path, &[], b"{}".to_vec()).await, 200);
    assert!(h.requested_at("GitRepository", "app").await.is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_bodies_unknown_paths_and_suspended_receivers_are_refused() {
    let h = Harness::start("recv-limits").await;
    h.create_secret("token", "limits-token").await;
    h.create_source("GitRepository", "app", json!({})).await;
    h.apply_receiver(
        "app",
        json!({
            "type": "generic",
            "secretRef": { "name": "token" },
            "resources": [{ "kind": "GitRepository", "name": "app" }],
        }),
    )
    .await;
    let path = h.wait_ready("app").await;

    let code = h.post(&path, &[], vec![b'x'; 3 * 1024 * 1024 + 1]).await;
    assert_eq!(code, 413, "a body above 3 MiB");
    assert_eq!(h.requested_at("GitRepository", "app").await, None);
    let code = h.post(&format!("{path}0"), &[], b"{}".to_vec()).await;
    assert_eq!(code, 404, "a path one character longer");
    assert_eq!(h.post("/hook/", &[], Vec::new()).await, 404);
    assert_eq!(h.requested_at("GitRepository", "app").await, None);

    // Exactly at the limit is accepted.
    let code = h.post(&path, &[], vec![b'x'; 3 * 1024 * 1024]).await;
    assert_eq!(code, 200, "a body of exactly 3 MiB");
    assert!(h.requested_at("GitRepository", "app").await.is_some());

    let suspend = json!({ "spec": { "suspend": true } });
    h.receivers()
        .patch("app", &PatchParams::default(), &Patch::Merge(&suspend))
        .await
        .unwrap();
    assert_eq!(h.post(&path, &[], Vec::new()).await, 503, "suspended");
}

#[tokio::test(flavor = "multi_thread")]
async fn cross_namespace_resources_are_refused_under_no_cross_namespace_refs() {
    let h = Harness::start_with("recv-tenant", &["--no-cross-namespace-refs"]).await;
    let other = create_namespace(&h.client, "recv-other").await;
    h.create_secret("token", "tenant-token").await;
    h.create_source("GitRepository", "own", json!({})).await;
    h.apply_receiver(
        "cross",
        json!({
            "type": "generic",
            "secretRef": { "name": "token" },
            "resources": [{ "kind": "GitRepository", "name": "app", "namespace": other }],
        }),
    )
    .await;
    h.apply_receiver(
        "own",
        json!({
            "type": "generic",
            "secretRef": { "name": "token" },
            "resources": [{ "kind": "GitRepository", "name": "own" }],
        }),
    )
    .await;
    let receiver = h
        .wait_receiver("cross", "Ready=False", |r| {
            ready(r).is_some_and(|(status, _, _)| status == "False")
        })
        .await;
    let (_, reason, message) = ready(&receiver).unwrap();
    assert_eq!(reason, "AccessDenied");
    assert!(message.contains("cross-namespace"), "{message}");
    // Its path is not served.
    let path = expected_path("tenant-token", "cross", &h.ns);
    assert_eq!(h.post(&path, &[], Vec::new()).await, 404);
    // The same-namespace Receiver works.
    let path = h.wait_ready("own").await;
    assert_eq!(h.post(&path, &[], Vec::new()).await, 200);
    assert!(h.requested_at("GitRepository", "own").await.is_some());
}
