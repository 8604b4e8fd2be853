//! webhook notifiers against the capture server.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use testenv::rest::{Response, RestServer};
use tk::controllers::notification::event::Event;
use tk::controllers::notification::providers::{SendError, notifier};

use crate::{Capture, REFUSALS, assert_refusals, event};

/// What Flux's forwarder posts for `event("info", "deployed")`: Go's field order.
const GENERIC_BODY: &str = concat!(
    r#"{"involvedObject":{"kind":"Kustomization","namespace":"apps","name":"webapp","#,
    r#""uid":"7d0cdc51-ddcf-4743-b223-83ca5c699632","apiVersion":"kustomize.toolkit.fluxcd.io/v1"},"#,
    r#""severity":"info","timestamp":"2026-11-26T07:26:19Z","message":"deployed","#,
    r#""reason":"ReconciliationSucceeded","#,
    r#""metadata":{"revision":"main@sha1:731f7eaddfb6af01cb2173e18f0f75b0ba780ef1"},"#,
    r#""reportingController":"kustomize-controller"}"#
);

/// The hex HMAC-SHA256 of `data` keyed by `key`, as a receiver checks `X-Signature`.
fn hmac_sha256_hex(key: &[u8], data: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn generic_posts_the_event_json_with_the_component_header() {
    let capture = Capture::start();
    let mut config = capture.config("generic", "/hooks/flux");
    config.headers = BTreeMap::from([("X-Tenant".to_string(), "team-a".to_string())]);
    let notifier = notifier(&config).expect("generic builds");
    let sent = event("info", "deployed");
    notifier.post(&sent).await.expect("the post succeeds");

    let requests = capture.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/hooks/flux");
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.header("gotk-component"),
        Some("kustomize-controller")
    );
    assert_eq!(request.header("x-tenant"), Some("team-a"));
    assert_eq!(request.header("x-signature"), None);
    let agent = request.header("user-agent").unwrap_or_default();
    assert!(agent.starts_with("tk/"), "user agent {agent:?}");
    assert_eq!(String::from_utf8_lossy(&request.body), GENERIC_BODY);
    let parsed: Event = serde_json::from_slice(&request.body).expect("the body is an Event");
    assert_eq!(parsed, sent);
}

#[tokio::test]
async fn generic_escapes_html_characters_as_go_does() {
    let capture = Capture::start();
    let notifier = notifier(&capture.config("generic", "/")).unwrap();
    notifier
        .post(&event("error", "a <b> & c"))
        .await
        .expect("the post succeeds");
    let body = String::from_utf8(capture.requests()[0].body.clone()).unwrap();
    assert!(
        body.contains(r#""message":"a \u003cb\u003e \u0026 c""#),
        "{body}"
    );
    let parsed: Event = serde_json::from_str(&body).unwrap();
    assert_eq!(parsed.message, "a <b> & c");
}

#[tokio::test]
async fn generic_hmac_signs_the_body_with_the_token() {
    let capture = Capture::start();
    let mut config = capture.config("generic-hmac", "/hooks/signed");
    config.token = "hmac-key-4f1c9a".into();
    // A Secret header cannot replace the signature.
    config.headers = BTreeMap::from([("X-Signature".to_string(), "sha256=forged".to_string())]);
    let notifier = notifier(&config).expect("generic-hmac builds");
    notifier
        .post(&event("info", "deployed"))
        .await
        .expect("the post succeeds");

    let requests = capture.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(String::from_utf8_lossy(&request.body), GENERIC_BODY);
    let expected = format!(
        "sha256={}",
        hmac_sha256_hex(b"hmac-key-4f1c9a", &request.body)
    );
    assert_eq!(request.header("x-signature"), Some(expected.as_str()));
    assert_eq!(
        request.header("gotk-component"),
        Some("kustomize-controller")
    );
    // The signature depends on the key.
    assert_ne!(
        Some(format!("sha256={}", hmac_sha256_hex(b"other-key", &request.body)).as_str()),
        request.header("x-signature")
    );
}

#[test]
fn generic_hmac_needs_the_token() {
    let capture = Capture::start();
    let err = notifier(&capture.config("generic-hmac", "/"))
        .err()
        .expect("no token is a config error");
    assert!(err.0.contains("`token`"), "{err}");
    assert!(err.0.contains("apps/alerts"), "{err}");
}

#[test]
fn generic_needs_a_valid_address() {
    let capture = Capture::start();
    let mut config = capture.config("generic", "/");
    config.address = String::new();
    let err = notifier(&config).err().expect("empty address");
    assert!(err.0.contains("spec.address"), "{err}");

    config.address = "not a url with s3cr3t-in-it".into();
    let err = notifier(&config).err().expect("bad address");
    assert!(err.0.contains("spec.address"), "{err}");
    assert!(!err.0.contains("s3cr3t"), "the address leaks: {err}");

    config.address = "ftp://example.com/hook".into();
    let err = notifier(&config).err().expect("not http");
    assert!(err.0.contains("spec.address"), "{err}");
}

#[test]
fn bad_tls_and_header_settings_are_config_errors() {
    let capture = Capture::start();
    let mut config = capture.config("generic", "/");
    config.ca_pem = Some("not a certificate".into());
    let err = notifier(&config).err().expect("bad CA");
    assert!(err.0.contains("ca.crt"), "{err}");

    let mut config = capture.config("generic", "/");
    config.headers = BTreeMap::from([("Bad Header".to_string(), "x".to_string())]);
    let err = notifier(&config).err().expect("bad header name");
    assert!(err.0.contains("`headers`"), "{err}");
}

#[tokio::test]
async fn server_errors_and_throttling_are_retryable_client_errors_are_not() {
    let capture = Capture::start();
    let mut config = capture.config("generic-hmac", "/hooks/s3cr3t-path");
    config.token = "hmac-key-4f1c9a".into();
    let sent = event("info", "deployed");
    let secrets = ["s3cr3t-path", "hmac-key-4f1c9a"];
    for text in assert_refusals(&capture, &config, &sent, &REFUSALS, &secrets).await {
        assert!(text.contains("https://127.0.0.1:"), "{text}");
    }
    capture.answer(204);
    notifier(&config)
        .unwrap()
        .post(&event("info", "deployed"))
        .await
        .expect("2xx is success");
}

#[tokio::test]
async fn the_error_body_is_quoted_without_secrets() {
    let server = RestServer::start(Arc::new(|_| {
        Response::text(400, "bad request: token hmac-key-4f1c9a\nis   not accepted")
    }))
    .unwrap();
    let capture = Capture::start();
    let mut config = capture.config("generic-hmac", "/");
    config.address = format!("{}/hook", server.base_url());
    config.ca_pem = Some(server.ca_pem().to_string());
    config.token = "hmac-key-4f1c9a".into();
    let err = notifier(&config)
        .unwrap()
        .post(&event("info", "x"))
        .await
        .expect_err("400");
    assert!(matches!(err, SendError::Permanent(_)), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("bad request: token *** is not accepted"),
        "{text}"
    );
    assert!(!text.contains("hmac-key-4f1c9a"), "{text}");
}

#[tokio::test]
async fn unreachable_and_slow_endpoints_are_retryable() {
    // Nothing listens on a port just released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let capture = Capture::start();
    let mut config = capture.config("generic", "/");
    config.address = format!("https://127.0.0.1:{port}/hooks/s3cr3t");
    let err = notifier(&config)
        .unwrap()
        .post(&event("info", "x"))
        .await
        .expect_err("connection refused");
    assert!(err.is_retryable(), "{err}");
    assert!(!err.to_string().contains("s3cr3t"), "{err}");

    let slow = RestServer::start(Arc::new(|_| {
        std::thread::sleep(Duration::from_millis(1500));
        Response::empty(200)
    }))
    .unwrap();
    let mut config = capture.config("generic", "/");
    config.address = format!("{}/hooks/s3cr3t", slow.base_url());
    config.ca_pem = Some(slow.ca_pem().to_string());
    config.timeout = Duration::from_millis(300);
    let err = notifier(&config)
        .unwrap()
        .post(&event("info", "x"))
        .await
        .expect_err("timeout");
    assert!(err.is_retryable(), "{err}");
    assert!(err.to_string().contains("timed out"), "{err}");
    assert!(!err.to_string().contains("s3cr3t"), "{err}");
}

#[tokio::test]
async fn an_untrusted_certificate_fails() {
    let capture = Capture::start();
    let mut config = capture.config("generic", "/");
    config.ca_pem = None;
    let err = notifier(&config)
        .unwrap()
        .post(&event("info", "x"))
        .await
        .expect_err("the capture CA is not trusted");
    assert!(err.is_retryable(), "{err}");
    assert!(capture.requests().is_empty());
}
