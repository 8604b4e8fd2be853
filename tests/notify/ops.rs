//! ops notifiers against the capture server.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::time::Duration;

use serde_json::json;
use testenv::rest::Request;
use tk::controllers::notification::providers::{ProviderConfig, SendError, notifier};

use super::{Capture, REFUSALS, assert_refusals, event};

const TOKEN: &str = "s3cr3t-token-value";
const PASSWORD: &str = "s3cr3t-password-value";

fn only_request(capture: &Capture) -> Request {
    let requests = capture.requests();
    assert_eq!(requests.len(), 1, "requests: {requests:?}");
    requests.into_iter().next().unwrap()
}

fn assert_json_post(request: &Request, path: &str) {
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, path);
    assert_eq!(request.header("content-type"), Some("application/json"));
    let agent = request.header("user-agent").unwrap_or_default();
    assert!(agent.starts_with("tk/"), "user agent {agent:?}");
}

fn assert_no_secret(message: &str) {
    for secret in [TOKEN, PASSWORD] {
        assert!(
            !message.contains(secret),
            "message leaks a secret: {message}"
        );
    }
}

#[tokio::test]
async fn opsgenie_posts_an_alert_with_the_genie_key() {
    let capture = Capture::start();
    let config = ProviderConfig {
        token: TOKEN.into(),
        headers: BTreeMap::from([("X-Team".to_string(), "platform".to_string())]),
        ..capture.config("opsgenie", "/v2/alerts")
    };
    let n = notifier(&config).expect("opsgenie config is valid");
    n.post(&event("error", "apply failed")).await.unwrap();

    let request = only_request(&capture);
    assert_json_post(&request, "/v2/alerts");
    assert_eq!(
        request.header("authorization"),
        Some(format!("GenieKey {TOKEN}").as_str())
    );
    assert_eq!(request.header("x-team"), Some("platform"));
    assert_eq!(
        request.json().unwrap(),
        json!({
            "message": "Kustomization/webapp",
            "description": "apply failed",
            "details": {
                "revision": "main@sha1:731f7eaddfb6af01cb2173e18f0f75b0ba780ef1",
                "severity": "error",
            },
        })
    );
}

#[tokio::test]
async fn opsgenie_needs_a_token() {
    let capture = Capture::start();
    let err = notifier(&capture.config("opsgenie", "/v2/alerts"))
        .err()
        .expect("no token is a config error");
    assert!(err.0.contains("token"), "{err}");
    assert!(err.0.contains("apps/alerts"), "{err}");
}

#[tokio::test]
async fn pagerduty_triggers_an_incident_for_errors() {
    let capture = Capture::start();
    let config = ProviderConfig {
        channel: "routing-key-1".into(),
        ..capture.config("pagerduty", "/ignored/path")
    };
    let n = notifier(&config).unwrap();
    n.post(&event("error", "apply failed")).await.unwrap();

    let request = only_request(&capture);
    assert_json_post(&request, "/v2/enqueue");
    assert_eq!(
        request.json().unwrap(),
        json!({
            "routing_key": "routing-key-1",
            "event_action": "trigger",
            "dedup_key": "7d0cdc51-ddcf-4743-b223-83ca5c699632",
            "payload": {
                "summary": "validation failed: kustomization/webapp",
                "source": "Flux kustomize-controller",
                "severity": "error",
                "timestamp": "2026-11-26T07:26:19Z",
                "component": "webapp",
                "group": "Kustomization",
                "custom_details": {
                    "message": "apply failed",
                    "metadata": {"revision": "main@sha1:731f7eaddfb6af01cb2173e18f0f75b0ba780ef1"},
                },
            },
        })
    );
}

#[tokio::test]
async fn pagerduty_resolves_and_records_a_change_for_info() {
    let capture = Capture::start();
    let config = ProviderConfig {
        channel: "routing-key-1".into(),
        ..capture.config("pagerduty", "")
    };
    let n = notifier(&config).unwrap();
    n.post(&event("info", "applied")).await.unwrap();

    let requests = capture.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_json_post(&requests[0], "/v2/enqueue");
    assert_eq!(
        requests[0].json().unwrap(),
        json!({
            "routing_key": "routing-key-1",
            "event_action": "resolve",
            "dedup_key": "7d0cdc51-ddcf-4743-b223-83ca5c699632",
        })
    );
    assert_json_post(&requests[1], "/v2/change/enqueue");
    assert_eq!(
        requests[1].json().unwrap(),
        json!({
            "routing_key": "routing-key-1",
            "payload": {
                "summary": "reconciliation succeeded: kustomization/webapp",
                "source": "Flux kustomize-controller",
                "timestamp": "2026-11-26T07:26:19Z",
                "custom_details": {
                    "message": "applied",
                    "metadata": {"revision": "main@sha1:731f7eaddfb6af01cb2173e18f0f75b0ba780ef1"},
                },
            },
        })
    );
}

#[tokio::test]
async fn pagerduty_skips_progressing_and_commit_status_events() {
    let capture = Capture::start();
    let config = ProviderConfig {
        channel: "routing-key-1".into(),
        ..capture.config("pagerduty", "")
    };
    let n = notifier(&config).unwrap();
    let mut progressing = event("info", "reconciling");
    progressing.reason = "Progressing".into();
    n.post(&progressing).await.unwrap();
    let mut update = event("info", "applied");
    update
        .metadata
        .insert("commit_status".into(), "update".into());
    n.post(&update).await.unwrap();
    assert!(capture.requests().is_empty(), "{:?}", capture.requests());
}

#[tokio::test]
async fn pagerduty_needs_a_routing_key() {
    let capture = Capture::start();
    let err = notifier(&capture.config("pagerduty", ""))
        .err()
        .expect("no channel is a config error");
    assert!(err.0.contains("spec.channel"), "{err}");
}

#[tokio::test]
async fn alertmanager_posts_one_firing_alert() {
    let capture = Capture::start();
    let config = ProviderConfig {
        username: "am-user".into(),
        password: PASSWORD.into(),
        ..capture.config("alertmanager", "/api/v2/alerts")
    };
    let n = notifier(&config).unwrap();
    let mut e = event("error", "apply failed");
    e.metadata.insert("summary".into(), "prod cluster".into());
    e.metadata.insert("env".into(), "prod".into());
    n.post(&e).await.unwrap();

    let request = only_request(&capture);
    assert_json_post(&request, "/api/v2/alerts");
    let basic = format!("Basic {}", base64_encode(&format!("am-user:{PASSWORD}")));
    assert_eq!(request.header("authorization"), Some(basic.as_str()));
    assert_eq!(
        request.json().unwrap(),
        json!([{
            "status": "firing",
            "labels": {
                "alertname": "FluxKustomizationValidationfailed",
                "severity": "error",
                "reason": "ValidationFailed",
                "kind": "Kustomization",
                "name": "webapp",
                "namespace": "apps",
                "reportingcontroller": "kustomize-controller",
                "revision": "main@sha1:731f7eaddfb6af01cb2173e18f0f75b0ba780ef1",
                "env": "prod",
            },
            "annotations": {
                "message": "apply failed",
                "summary": "prod cluster",
            },
            "startsAt": "2026-11-26T07:26:19Z",
            "endsAt": "0001-01-01T00:00:00Z",
        }])
    );
}

#[tokio::test]
async fn alertmanager_sends_a_bearer_token() {
    let capture = Capture::start();
    let config = ProviderConfig {
        token: TOKEN.into(),
        ..capture.config("alertmanager", "/api/v2/alerts")
    };
    notifier(&config)
        .unwrap()
        .post(&event("info", "applied"))
        .await
        .unwrap();
    let request = only_request(&capture);
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    let body = request.json().unwrap();
    assert_eq!(
        body[0]["labels"]["alertname"],
        "FluxKustomizationReconciliationsucceeded"
    );
    assert_eq!(body[0]["annotations"], json!({"message": "applied"}));
}

#[tokio::test]
async fn grafana_posts_an_annotation() {
    let capture = Capture::start();
    let config = ProviderConfig {
        token: TOKEN.into(),
        username: "ignored-when-token".into(),
        password: PASSWORD.into(),
        ..capture.config("grafana", "/api/annotations")
    };
    notifier(&config)
        .unwrap()
        .post(&event("info", "applied"))
        .await
        .unwrap();
    let request = only_request(&capture);
    assert_json_post(&request, "/api/annotations");
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(
        request.json().unwrap(),
        json!({
            "when": 1795677979,
            "text": "kustomization/webapp.apps",
            "tags": [
                "flux",
                "kustomize-controller",
                "revision: main@sha1|731f7eaddfb6af01cb2173e18f0f75b0ba780ef1",
                "kind: Kustomization",
                "name: webapp",
                "namespace: apps",
            ],
        })
    );
}

#[tokio::test]
async fn grafana_uses_basic_auth_without_a_token() {
    let capture = Capture::start();
    let config = ProviderConfig {
        username: "grafana-user".into(),
        password: PASSWORD.into(),
        ..capture.config("grafana", "/api/annotations")
    };
    notifier(&config)
        .unwrap()
        .post(&event("info", "applied"))
        .await
        .unwrap();
    let basic = format!(
        "Basic {}",
        base64_encode(&format!("grafana-user:{PASSWORD}"))
    );
    assert_eq!(
        only_request(&capture).header("authorization"),
        Some(basic.as_str())
    );
}

/// A config of each ops type that posts to the capture server, holding secrets.
fn ops_configs(capture: &Capture) -> Vec<ProviderConfig> {
    ["opsgenie", "pagerduty", "alertmanager", "grafana"]
        .into_iter()
        .map(|t| ProviderConfig {
            token: TOKEN.into(),
            password: PASSWORD.into(),
            username: "user".into(),
            channel: "routing-key-1".into(),
            ..capture.config(t, "/hook")
        })
        .collect()
}

#[tokio::test]
async fn ops_status_codes_are_classified() {
    let capture = Capture::start();
    for config in ops_configs(&capture) {
        let event = event("error", "apply failed");
        let secrets = [TOKEN, PASSWORD];
        for message in assert_refusals(&capture, &config, &event, &REFUSALS, &secrets).await {
            assert!(message.contains("127.0.0.1"), "{message}");
            assert!(!message.contains("/hook"), "{message}");
        }
    }
}

#[tokio::test]
async fn ops_errors_never_show_secrets_echoed_by_the_service() {
    // The capture server answers `{}`; a service echoing the request would show the
    // token in the body excerpt. Point the address at a URL holding the token instead.
    let capture = Capture::start();
    capture.answer(401);
    let config = ProviderConfig {
        token: TOKEN.into(),
        address: capture.url(&format!("/hook?key={TOKEN}")),
        ..capture.config("opsgenie", "/")
    };
    let err = notifier(&config)
        .unwrap()
        .post(&event("error", "x"))
        .await
        .unwrap_err();
    assert!(matches!(err, SendError::Permanent(_)), "{err}");
    assert_no_secret(&err.to_string());
}

#[tokio::test]
async fn ops_connection_failures_are_retryable() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let capture = Capture::start();
    for mut config in ops_configs(&capture) {
        config.address = format!("https://127.0.0.1:{port}/hook?token={TOKEN}");
        let err = notifier(&config)
            .unwrap()
            .post(&event("error", "apply failed"))
            .await
            .expect_err("nothing listens");
        assert!(err.is_retryable(), "{err}");
        assert!(err.to_string().contains("apps/alerts"), "{err}");
        assert_no_secret(&err.to_string());
    }
}

#[tokio::test]
async fn ops_timeouts_are_retryable() {
    // Accepts connections (the kernel's backlog) but never answers the TLS handshake.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let capture = Capture::start();
    let config = ProviderConfig {
        token: TOKEN.into(),
        address: format!("https://127.0.0.1:{port}/v2/alerts"),
        timeout: Duration::from_millis(300),
        ..capture.config("opsgenie", "/")
    };
    let err = notifier(&config)
        .unwrap()
        .post(&event("error", "apply failed"))
        .await
        .expect_err("nothing answers");
    assert!(err.is_retryable(), "{err}");
    drop(listener);
}

#[tokio::test]
async fn ops_config_errors_name_the_field() {
    let capture = Capture::start();
    for t in ["opsgenie", "alertmanager", "grafana"] {
        let config = ProviderConfig {
            token: TOKEN.into(),
            address: String::new(),
            ..capture.config(t, "/")
        };
        let err = notifier(&config).err().expect("no address");
        assert!(err.0.contains("spec.address"), "{err}");

        let config = ProviderConfig {
            token: TOKEN.into(),
            address: format!("ftp://user:{TOKEN}@example.com/x"),
            ..capture.config(t, "/")
        };
        let err = notifier(&config).err().expect("not http");
        assert!(err.0.contains("spec.address"), "{err}");
        assert_no_secret(&err.0);
    }

    let config = ProviderConfig {
        token: TOKEN.into(),
        ca_pem: Some("not a certificate".into()),
        ..capture.config("opsgenie", "/")
    };
    let err = notifier(&config).err().expect("bad CA");
    assert!(err.0.contains("ca.crt"), "{err}");

    let config = ProviderConfig {
        token: TOKEN.into(),
        headers: BTreeMap::from([("bad header".to_string(), TOKEN.to_string())]),
        ..capture.config("grafana", "/")
    };
    let err = notifier(&config).err().expect("bad header name");
    assert!(err.0.contains("headers"), "{err}");
    assert_no_secret(&err.0);

    let config = ProviderConfig {
        token: TOKEN.into(),
        proxy: Some("::not a url::".into()),
        ..capture.config("alertmanager", "/")
    };
    let err = notifier(&config).err().expect("bad proxy");
    assert!(err.0.contains("spec.proxy"), "{err}");
}

fn base64_encode(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}
