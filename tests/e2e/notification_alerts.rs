//! Events in, alerts out, on the rig: the source and kustomize controllers POST their events
//! to the notification controller of the same `tk controller all`, Alerts route them to
//! Providers, and the Providers deliver to a local HTTPS server trusted through
//! `certSecretRef`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use testenv::rest::{Request, Response, RestServer};

use crate::kustomize_support::Harness;
use crate::support::{free_port, hmac_sha256};

/// Records every request; paths tell the providers apart.
pub(crate) struct Capture {
    pub(crate) server: RestServer,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Capture {
    pub(crate) fn start() -> Capture {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let server = RestServer::start(Arc::new(move |request: &Request| {
            seen.lock().unwrap().push(request.clone());
            Response::empty(200)
        }))
        .unwrap();
        Capture { server, requests }
    }

    pub(crate) fn on(&self, path: &str) -> Vec<Request> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// Waits until a request to `path` satisfies `check`.
    pub(crate) async fn wait(
        &self,
        path: &str,
        what: &str,
        check: impl Fn(&Value) -> bool,
    ) -> Request {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Some(found) = self
                .on(path)
                .into_iter()
                .find(|r| r.json().is_ok_and(|body| check(&body)))
            {
                return found;
            }
            let bodies: Vec<String> = self
                .on(path)
                .iter()
                .map(|r| String::from_utf8_lossy(&r.body).into_owned())
                .collect();
            assert!(
                Instant::now() < deadline,
                "no request to {path} with {what}; got: {bodies:#?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn kustomization_events_reach_the_alerts_providers() {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let events = format!("http://127.0.0.1:{port}/");
    let h = Harness::start_with(
        "notify-alerts",
        &["all"],
        &["--events-listen-addr", &listen, "--events-addr", &events],
    )
    .await;
    let capture = Capture::start();
    let ns = h.ns.clone();
    h.apply_object(json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": { "name": "capture-ca" },
        "stringData": { "ca.crt": capture.server.ca_pem() },
    }))
    .await;
    h.apply_object(json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": { "name": "hmac-token" },
        "stringData": { "token": "hmac-s3cret", "headers": "X-Team: platform\n" },
    }))
    .await;
    for (name, kind, path, secret) in [
        ("generic", "generic", "/generic", None),
        ("signed", "generic-hmac", "/hmac", Some("hmac-token")),
    ] {
        let mut spec = json!({
            "type": kind,
            "address": capture.server.base_url() + path,
            "certSecretRef": { "name": "capture-ca" },
        });
        if let Some(secret) = secret {
            spec["secretRef"] = json!({ "name": secret });
        }
        h.apply_object(json!({
            "apiVersion": "notification.toolkit.fluxcd.io/v1beta3", "kind": "Provider",
            "metadata": { "name": name }, "spec": spec,
        }))
        .await;
    }
    h.apply_object(json!({
        "apiVersion": "notification.toolkit.fluxcd.io/v1beta3", "kind": "Alert",
        "metadata": { "name": "everything" },
        "spec": {
            "providerRef": { "name": "generic" },
            "eventSources": [{ "kind": "Kustomization", "name": "*" }],
            "summary": "dev cluster",
            "eventMetadata": { "env": "dev" },
            "exclusionList": ["^Dependencies"],
        },
    }))
    .await;
    h.apply_object(json!({
        "apiVersion": "notification.toolkit.fluxcd.io/v1beta3", "kind": "Alert",
        "metadata": { "name": "errors" },
        "spec": {
            "providerRef": { "name": "signed" },
            "eventSeverity": "error",
            "eventSources": [{ "kind": "Kustomization", "name": "app" }],
        },
    }))
    .await;

    let config = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: {ns}\ndata:\n  a: \"1\"\n"
    );
    let (repo, sha) = h
        .serve_repo("app", "settings", &[("deploy/settings.yaml", &config)])
        .await;
    h.apply_ks(
        "app",
        json!({ "sourceRef": { "kind": "GitRepository", "name": "app" }, "path": "./deploy", "interval": "10m", "prune": true }),
    )
    .await;

    // The info event of the apply reaches the generic provider with the Alert's metadata.
    let request = capture
        .wait("/generic", "the Kustomization's info event", |body| {
            body["involvedObject"]["kind"] == "Kustomization"
                && body["severity"] == "info"
                && body["metadata"]["revision"] == format!("main@sha1:{sha}")
        })
        .await;
    let body = request.json().unwrap();
    assert_eq!(body["involvedObject"]["name"], "app");
    assert_eq!(body["involvedObject"]["namespace"], ns.as_str());
    assert_eq!(body["metadata"]["summary"], "dev cluster");
    assert_eq!(body["metadata"]["env"], "dev");
    assert_eq!(body["reportingController"], "kustomize-controller");
    assert_eq!(
        request.header("gotk-component"),
        Some("kustomize-controller")
    );
    assert!(
        capture.on("/hmac").is_empty(),
        "the error-only Alert took an info event"
    );

    // A broken manifest: the error event goes to both, signed for the hmac provider.
    repo.commit(
        "broken",
        &[(
            "deploy/settings.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad name\n",
        )],
    )
    .unwrap();
    repo.push().unwrap();
    h.request_source("app").await;
    let signed = capture
        .wait("/hmac", "an error event", |body| {
            body["severity"] == "error"
        })
        .await;
    let expected = hmac_sha256("hmac-s3cret", &signed.body);
    assert_eq!(
        signed.header("X-Signature"),
        Some(format!("sha256={expected}").as_str())
    );
    assert_eq!(signed.header("X-Team"), Some("platform"));
    capture
        .wait("/generic", "the same error event", |body| {
            body["severity"] == "error" && body["involvedObject"]["name"] == "app"
        })
        .await;

    // The endpoint itself: invalid events are refused, duplicates rate limited.
    let client = reqwest::Client::new();
    let event = json!({
        "involvedObject": { "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "name": "app", "namespace": ns },
        "severity": "info", "timestamp": "2026-11-26T08:00:00Z", "message": "hand-made",
        "reason": "Test", "reportingController": "e2e",
    });
    let post = |body: Value| client.post(&events).json(&body).send();
    assert_eq!(post(event.clone()).await.unwrap().status(), 202);
    assert_eq!(post(event.clone()).await.unwrap().status(), 429);
    let mut bad = event.clone();
    bad["severity"] = json!("warning");
    let refused = post(bad).await.unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("severity"));
    let mut nameless = event;
    nameless["involvedObject"]["name"] = json!("");
    assert_eq!(post(nameless).await.unwrap().status(), 400);
    capture
        .wait("/generic", "the hand-made event", |body| {
            body["message"] == "hand-made"
        })
        .await;
}
