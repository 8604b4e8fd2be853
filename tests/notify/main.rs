//! Notifiers against local HTTPS servers that record what each provider type posts: the
//! payload shapes, headers and status handling the services document.

mod chat;
mod git;
mod ops;
mod webhook;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use testenv::rest::{Request, Response, RestServer};
use tk::controllers::notification::event::{Event, ObjectReference};
use tk::controllers::notification::providers::{ProviderConfig, notifier};

/// An HTTPS server that records every request and answers with `status`.
pub struct Capture {
    pub server: RestServer,
    requests: Arc<Mutex<Vec<Request>>>,
    status: Arc<Mutex<u16>>,
}

impl Capture {
    pub fn start() -> Capture {
        tk::cli::install_crypto_provider();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(Mutex::new(200));
        let (seen, answer) = (requests.clone(), status.clone());
        let server = RestServer::start(Arc::new(move |request: &Request| {
            seen.lock().unwrap().push(request.clone());
            Response::json(*answer.lock().unwrap(), &serde_json::json!({}))
        }))
        .expect("the capture server starts");
        Capture {
            server,
            requests,
            status,
        }
    }

    /// What the next requests are answered with.
    pub fn answer(&self, status: u16) {
        *self.status.lock().unwrap() = status;
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// `https://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    /// A config of `provider_type` posting to `path` here, trusting this server's CA.
    pub fn config(&self, provider_type: &str, path: &str) -> ProviderConfig {
        ProviderConfig {
            provider_type: provider_type.into(),
            name: "apps/alerts".into(),
            uid: "2d5f3f6c-39a4-4a53-a15d-8b0a9ebb55d4".into(),
            address: self.url(path),
            ca_pem: Some(self.server.ca_pem().to_string()),
            timeout: Duration::from_secs(5),
            ..Default::default()
        }
    }
}

/// A kustomize-controller event for `apps/webapp` at a revision, as the server passes it
/// on (metadata without the group prefix).
pub fn event(severity: &str, message: &str) -> Event {
    Event {
        involved_object: ObjectReference {
            api_version: "kustomize.toolkit.fluxcd.io/v1".into(),
            kind: "Kustomization".into(),
            name: "webapp".into(),
            namespace: "apps".into(),
            uid: "7d0cdc51-ddcf-4743-b223-83ca5c699632".into(),
            ..Default::default()
        },
        severity: severity.into(),
        timestamp: "2026-11-26T07:26:19Z".into(),
        message: message.into(),
        reason: if severity == "error" {
            "ValidationFailed".into()
        } else {
            "ReconciliationSucceeded".into()
        },
        metadata: BTreeMap::from([(
            "revision".to_string(),
            "main@sha1:731f7eaddfb6af01cb2173e18f0f75b0ba780ef1".to_string(),
        )]),
        reporting_controller: "kustomize-controller".into(),
        reporting_instance: String::new(),
    }
}

/// Statuses a service refuses with, and whether each is worth retrying: 5xx and 429 are.
pub const REFUSALS: [(u16, bool); 6] = [
    (500, true),
    (503, true),
    (429, true),
    (400, false),
    (401, false),
    (404, false),
];

/// Posts `event` with `config`'s notifier while the capture server answers each status of
/// `statuses`, and checks that every refusal is an error, retryable as paired, whose
/// message names the provider type, `apps/alerts` and the status, and holds none of
/// `secrets`. Gives back the messages.
pub async fn assert_refusals(
    capture: &Capture,
    config: &ProviderConfig,
    event: &Event,
    statuses: &[(u16, bool)],
    secrets: &[&str],
) -> Vec<String> {
    let notifier = notifier(config).expect("the config is valid");
    let mut messages = Vec::new();
    for &(status, retryable) in statuses {
        capture.answer(status);
        let err = notifier
            .post(event)
            .await
            .expect_err("a refusal is an error");
        assert_eq!(
            err.is_retryable(),
            retryable,
            "{} HTTP {status}: {err}",
            config.provider_type
        );
        let message = err.to_string();
        assert!(message.contains("apps/alerts"), "{message}");
        assert!(message.contains(&config.provider_type), "{message}");
        assert!(message.contains(&status.to_string()), "{message}");
        for secret in secrets {
            assert!(
                !message.contains(secret),
                "message leaks a secret: {message}"
            );
        }
        messages.push(message);
    }
    messages
}
