//! Per-type webhook validation, as notification-controller checks each `spec.type`: the
//! signature or token (compared in constant time), the event type against `spec.events`,
//! and the payload shape. Pure functions over headers and body; nothing here logs or
//! touches the cluster, and no refusal message ever contains the token.

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use serde::Deserialize;

use crate::api::notification::ReceiverType;

/// Event types above this length are cut in messages (they come from the caller).
const MAX_EVENT_IN_MESSAGE: usize = 100;

/// What a valid request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// Reconcile the Receiver's resources. `event` is the event type when the flavour has
    /// one, for the log.
    Trigger { event: Option<String> },
    /// A connectivity check (GitHub `ping`, Bitbucket Server `diagnostics:ping`) with a
    /// valid signature: answered 200, nothing is reconciled.
    Ping,
}

/// Why a request was refused; the HTTP status follows from the variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// A missing or wrong signature or token (401).
    Unauthorized(String),
    /// An event type not in `spec.events`, or a payload that does not parse (400).
    BadRequest(String),
}

impl Refused {
    pub fn message(&self) -> &str {
        match self {
            Refused::Unauthorized(m) | Refused::BadRequest(m) => m,
        }
    }
}

/// Whether tk can validate requests for `type_`. `gcr` needs Google's token service and
/// `generic-oidc` an OIDC issuer; neither is implemented.
pub fn supported(type_: ReceiverType) -> bool {
    !matches!(type_, ReceiverType::GCR | ReceiverType::GenericOIDC)
}

/// The name of the type as the CRD spells it.
pub fn type_name(type_: ReceiverType) -> &'static str {
    match type_ {
        ReceiverType::Generic => "generic",
        ReceiverType::GenericHMAC => "generic-hmac",
        ReceiverType::GenericOIDC => "generic-oidc",
        ReceiverType::GitHub => "github",
        ReceiverType::GitLab => "gitlab",
        ReceiverType::Bitbucket => "bitbucket",
        ReceiverType::Harbor => "harbor",
        ReceiverType::DockerHub => "dockerhub",
        ReceiverType::Quay => "quay",
        ReceiverType::GCR => "gcr",
        ReceiverType::Nexus => "nexus",
        ReceiverType::ACR => "acr",
        ReceiverType::CDEvents => "cdevents",
    }
}

/// Validates one request for a Receiver of `type_` whose Secret holds `token`.
pub fn validate(
    type_: ReceiverType,
    events: &[String],
    token: &[u8],
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Accepted, Refused> {
    match type_ {
        ReceiverType::Generic => Ok(Accepted::Trigger { event: None }),
        ReceiverType::GenericHMAC => {
            let signature = header(headers, "x-signature").ok_or_else(|| {
                Refused::Unauthorized(
                    "unable to validate HMAC signature: missing X-Signature header".into(),
                )
            })?;
            verify_prefixed_signature(signature, body, token).map_err(|e| {
                Refused::Unauthorized(format!("unable to validate HMAC signature: {e}"))
            })?;
            Ok(Accepted::Trigger { event: None })
        }
        ReceiverType::GitHub => {
            verify_hub_signature(headers, body, token).map_err(|e| {
                Refused::Unauthorized(format!("the GitHub signature header is invalid: {e}"))
            })?;
            let event = header(headers, "x-github-event").unwrap_or_default();
            if event == "ping" {
                return Ok(Accepted::Ping);
            }
            allowed(events, event, "GitHub event")?;
            Ok(Accepted::Trigger {
                event: Some(event.to_string()),
            })
        }
        ReceiverType::GitLab => {
            let given = header(headers, "x-gitlab-token").unwrap_or_default();
            if !constant_time_eq(given.as_bytes(), token) {
                return Err(Refused::Unauthorized(
                    "the X-Gitlab-Token header value does not match the receiver token".into(),
                ));
            }
            let event = header(headers, "x-gitlab-event").unwrap_or_default();
            allowed(events, event, "GitLab event")?;
            Ok(Accepted::Trigger {
                event: Some(event.to_string()),
            })
        }
        ReceiverType::Bitbucket => {
            verify_hub_signature(headers, body, token).map_err(|e| {
                Refused::Unauthorized(format!(
                    "the Bitbucket server signature header is invalid: {e}"
                ))
            })?;
            let event = header(headers, "x-event-key").unwrap_or_default();
            if event == "diagnostics:ping" {
                return Ok(Accepted::Ping);
            }
            allowed(events, event, "Bitbucket server event")?;
            Ok(Accepted::Trigger {
                event: Some(event.to_string()),
            })
        }
        ReceiverType::Harbor => {
            let given = header(headers, "authorization").unwrap_or_default();
            if !constant_time_eq(given.as_bytes(), token) {
                return Err(Refused::Unauthorized(
                    "the Harbor Authorization header value does not match the receiver token"
                        .into(),
                ));
            }
            Ok(Accepted::Trigger { event: None })
        }
        ReceiverType::DockerHub => {
            #[derive(Deserialize)]
            #[allow(dead_code)]
            struct Payload {
                push_data: PushData,
                repository: Repository,
            }
            #[derive(Deserialize)]
            #[allow(dead_code)]
            struct PushData {
                #[serde(default)]
                tag: String,
            }
            #[derive(Deserialize)]
            #[allow(dead_code)]
            struct Repository {
                #[serde(default)]
                repo_url: String,
            }
            decode::<Payload>(body, "DockerHub")?;
            Ok(Accepted::Trigger { event: None })
        }
        ReceiverType::Quay => {
            #[derive(Deserialize)]
            #[allow(dead_code)]
            struct Payload {
                #[serde(default)]
                docker_url: String,
                #[serde(default)]
                updated_tags: Vec<String>,
            }
            decode::<Payload>(body, "Quay")?;
            Ok(Accepted::Trigger { event: None })
        }
        ReceiverType::Nexus => {
            let signature = header(headers, "x-nexus-webhook-signature")
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    Refused::Unauthorized("Nexus signature is missing from header".into())
                })?;
            let valid = decode_hex(signature)
                .is_some_and(|sig| verify_hmac(Algorithm::Sha1, token, body, &sig));
            if !valid {
                return Err(Refused::Unauthorized("invalid Nexus signature".into()));
            }
            #[derive(Deserialize)]
            #[allow(dead_code)]
            struct Payload {
                #[serde(default)]
                action: String,
                #[serde(default, rename = "repositoryName")]
                repository_name: String,
            }
            decode::<Payload>(body, "Nexus")?;
            Ok(Accepted::Trigger { event: None })
        }
        ReceiverType::ACR => {
            #[derive(Deserialize)]
            #[allow(dead_code)]
            struct Payload {
                #[serde(default)]
                action: String,
                #[serde(default)]
                target: serde_json::Value,
            }
            decode::<Payload>(body, "ACR")?;
            Ok(Accepted::Trigger { event: None })
        }
        ReceiverType::CDEvents => {
            let event = header(headers, "ce-type").unwrap_or_default();
            validate_cdevent(body)?;
            allowed(events, event, "CDEvent")?;
            Ok(Accepted::Trigger {
                event: Some(event.to_string()),
            })
        }
        ReceiverType::GCR | ReceiverType::GenericOIDC => Err(Refused::BadRequest(format!(
            "receiver type '{}' is not supported",
            type_name(type_)
        ))),
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `spec.events` filters event types, case-insensitively; an empty list allows all.
fn allowed(events: &[String], event: &str, what: &str) -> Result<(), Refused> {
    if events.is_empty() || events.iter().any(|e| e.eq_ignore_ascii_case(event)) {
        return Ok(());
    }
    let shown: String = event.chars().take(MAX_EVENT_IN_MESSAGE).collect();
    Err(Refused::BadRequest(format!(
        "the {what} '{shown}' is not authorised"
    )))
}

fn decode<T: serde::de::DeserializeOwned>(body: &[u8], what: &str) -> Result<T, Refused> {
    serde_json::from_slice(body)
        .map_err(|e| Refused::BadRequest(format!("cannot decode {what} webhook payload: {e}")))
}

/// A CDEvent in its JSON form: a `context` with a string `type` and a `subject` object.
fn validate_cdevent(body: &[u8]) -> Result<(), Refused> {
    let invalid =
        |why: &str| Refused::BadRequest(format!("unable to validate CDEvent event: {why}"));
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| invalid(&e.to_string()))?;
    let context = value
        .get("context")
        .and_then(|c| c.as_object())
        .ok_or_else(|| invalid("missing context"))?;
    for field in ["id", "source", "type"] {
        if !context.get(field).is_some_and(|v| v.is_string()) {
            return Err(invalid(&format!("missing context.{field}")));
        }
    }
    if !value.get("subject").is_some_and(|s| s.is_object()) {
        return Err(invalid("missing subject"));
    }
    Ok(())
}

/// GitHub's (and Bitbucket Server's) signature headers: `X-Hub-Signature-256` when present,
/// else `X-Hub-Signature`, each `<algorithm>=<hex HMAC of the body>`.
fn verify_hub_signature(headers: &HeaderMap, body: &[u8], token: &[u8]) -> Result<(), String> {
    let signature = header(headers, "x-hub-signature-256")
        .filter(|s| !s.is_empty())
        .or_else(|| header(headers, "x-hub-signature").filter(|s| !s.is_empty()))
        .ok_or_else(|| "missing signature".to_string())?;
    verify_prefixed_signature(signature, body, token)
}

/// Checks `sha1=<hex>`, `sha256=<hex>` or `sha512=<hex>` against the body's HMAC keyed with
/// the token.
pub fn verify_prefixed_signature(signature: &str, body: &[u8], token: &[u8]) -> Result<(), String> {
    let (algorithm, hex) = signature
        .split_once('=')
        .ok_or_else(|| "signature is not of the form <algorithm>=<hex>".to_string())?;
    let mac = decode_hex(hex).ok_or_else(|| "signature is not hexadecimal".to_string())?;
    let valid = match algorithm {
        "sha1" => verify_hmac(Algorithm::Sha1, token, body, &mac),
        "sha256" => verify_hmac(Algorithm::Sha256, token, body, &mac),
        "sha512" => verify_hmac(Algorithm::Sha512, token, body, &mac),
        other => {
            let shown: String = other.chars().take(20).collect();
            return Err(format!("unsupported signature algorithm '{shown}'"));
        }
    };
    if valid {
        Ok(())
    } else {
        Err("payload signature check failed".to_string())
    }
}

/// HMAC digests the signature headers name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Sha1,
    Sha256,
    Sha512,
}

/// Constant-time HMAC verification (hmac's `verify_slice`).
fn verify_hmac(algorithm: Algorithm, key: &[u8], body: &[u8], expected: &[u8]) -> bool {
    macro_rules! check {
        ($digest:ty) => {{
            let Ok(mut mac) = Hmac::<$digest>::new_from_slice(key) else {
                return false;
            };
            mac.update(body);
            mac.verify_slice(expected).is_ok()
        }};
    }
    match algorithm {
        Algorithm::Sha1 => check!(sha1::Sha1),
        Algorithm::Sha256 => check!(sha2::Sha256),
        Algorithm::Sha512 => check!(sha2::Sha512),
    }
}

/// The hex HMAC of `body` keyed with `key`, as senders compute signatures.
pub fn hmac_hex(algorithm: Algorithm, key: &[u8], body: &[u8]) -> String {
    macro_rules! sign {
        ($digest:ty) => {{
            let mut mac =
                Hmac::<$digest>::new_from_slice(key).expect("HMAC accepts keys of any length");
            mac.update(body);
            encode_hex(&mac.finalize().into_bytes())
        }};
    }
    match algorithm {
        Algorithm::Sha1 => sign!(sha1::Sha1),
        Algorithm::Sha256 => sign!(sha2::Sha256),
        Algorithm::Sha512 => sign!(sha2::Sha512),
    }
}

/// Compares without an early exit, so the time taken does not tell how much of a guess
/// matched. Only the length may show.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if text.is_empty() || !text.len().is_multiple_of(2) {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    text.as_bytes()
        .chunks(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

/// Lower-case hex, as the webhook path and signatures are written.
pub fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// `/hook/<hex sha256 of token + name + namespace>`, as Flux's `GetWebhookPath`.
pub fn webhook_path(token: &[u8], name: &str, namespace: &str) -> String {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    hasher.update(token);
    hasher.update(name.as_bytes());
    hasher.update(namespace.as_bytes());
    format!("/hook/{}", encode_hex(&hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const TOKEN: &[u8] = b"s3cr3t-token";

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn webhook_path_is_sha256_of_token_name_namespace() {
        // printf 'tokenwebappflux-system' | sha256sum
        let path = webhook_path(b"token", "webapp", "flux-system");
        assert!(path.starts_with("/hook/"));
        assert_eq!(path.len(), "/hook/".len() + 64);
        assert_ne!(path, webhook_path(b"token", "webapp", "other"));
        use sha2::Digest;
        let expected = encode_hex(&sha2::Sha256::digest(b"tokenwebappflux-system"));
        assert_eq!(path, format!("/hook/{expected}"));
    }

    #[test]
    fn github_accepts_sha256_and_sha1_signatures() {
        let body = br#"{"ref":"refs/heads/main"}"#;
        let events = vec!["push".to_string()];
        let h = headers(&[
            (
                "x-hub-signature-256",
                &format!("sha256={}", hmac_hex(Algorithm::Sha256, TOKEN, body)),
            ),
            ("x-github-event", "push"),
        ]);
        assert_eq!(
            validate(ReceiverType::GitHub, &events, TOKEN, &h, body),
            Ok(Accepted::Trigger {
                event: Some("push".into())
            })
        );
        let h = headers(&[
            (
                "x-hub-signature",
                &format!("sha1={}", hmac_hex(Algorithm::Sha1, TOKEN, body)),
            ),
            ("x-github-event", "Push"),
        ]);
        assert!(validate(ReceiverType::GitHub, &events, TOKEN, &h, body).is_ok());
    }

    #[test]
    fn github_refuses_bad_or_missing_signatures_without_the_token() {
        let body = b"{}";
        let wrong = headers(&[
            (
                "x-hub-signature-256",
                &format!("sha256={}", hmac_hex(Algorithm::Sha256, TOKEN, b"other")),
            ),
            ("x-github-event", "push"),
        ]);
        let err = validate(ReceiverType::GitHub, &[], TOKEN, &wrong, body).unwrap_err();
        assert!(matches!(err, Refused::Unauthorized(_)), "{err:?}");
        assert!(!err.message().contains("s3cr3t"), "{err:?}");
        let missing = headers(&[("x-github-event", "push")]);
        assert!(matches!(
            validate(ReceiverType::GitHub, &[], TOKEN, &missing, body),
            Err(Refused::Unauthorized(_))
        ));
        let garbage = headers(&[
            ("x-hub-signature-256", "sha256=zz"),
            ("x-github-event", "push"),
        ]);
        assert!(matches!(
            validate(ReceiverType::GitHub, &[], TOKEN, &garbage, body),
            Err(Refused::Unauthorized(_))
        ));
    }

    #[test]
    fn github_ping_is_answered_and_other_events_are_filtered() {
        let body = br#"{"zen":"hi"}"#;
        let sig = format!("sha256={}", hmac_hex(Algorithm::Sha256, TOKEN, body));
        let events = vec!["push".to_string()];
        let ping = headers(&[("x-hub-signature-256", &sig), ("x-github-event", "ping")]);
        assert_eq!(
            validate(ReceiverType::GitHub, &events, TOKEN, &ping, body),
            Ok(Accepted::Ping)
        );
        let issue = headers(&[("x-hub-signature-256", &sig), ("x-github-event", "issues")]);
        assert!(matches!(
            validate(ReceiverType::GitHub, &events, TOKEN, &issue, body),
            Err(Refused::BadRequest(m)) if m.contains("'issues' is not authorised")
        ));
    }

    #[test]
    fn gitlab_compares_the_token_header() {
        let ok = headers(&[
            ("x-gitlab-token", "s3cr3t-token"),
            ("x-gitlab-event", "Push Hook"),
        ]);
        let events = vec!["push hook".to_string()];
        assert!(validate(ReceiverType::GitLab, &events, TOKEN, &ok, b"{}").is_ok());
        let bad = headers(&[
            ("x-gitlab-token", "s3cr3t-tokem"),
            ("x-gitlab-event", "Push Hook"),
        ]);
        assert!(matches!(
            validate(ReceiverType::GitLab, &events, TOKEN, &bad, b"{}"),
            Err(Refused::Unauthorized(_))
        ));
        let tag = headers(&[
            ("x-gitlab-token", "s3cr3t-token"),
            ("x-gitlab-event", "Tag Push Hook"),
        ]);
        assert!(matches!(
            validate(ReceiverType::GitLab, &events, TOKEN, &tag, b"{}"),
            Err(Refused::BadRequest(_))
        ));
    }

    #[test]
    fn generic_hmac_supports_each_algorithm() {
        let body = b"payload";
        for sig in [
            format!("sha1={}", hmac_hex(Algorithm::Sha1, TOKEN, body)),
            format!("sha256={}", hmac_hex(Algorithm::Sha256, TOKEN, body)),
            format!("sha512={}", hmac_hex(Algorithm::Sha512, TOKEN, body)),
        ] {
            let h = headers(&[("x-signature", &sig)]);
            assert!(
                validate(ReceiverType::GenericHMAC, &[], TOKEN, &h, body).is_ok(),
                "{sig}"
            );
            assert!(validate(ReceiverType::GenericHMAC, &[], TOKEN, &h, b"tampered").is_err());
        }
        let h = headers(&[("x-signature", "md5=00")]);
        assert!(validate(ReceiverType::GenericHMAC, &[], TOKEN, &h, body).is_err());
        assert!(
            validate(
                ReceiverType::GenericHMAC,
                &[],
                TOKEN,
                &HeaderMap::new(),
                body
            )
            .is_err()
        );
    }

    #[test]
    fn bitbucket_ping_harbor_nexus_and_payload_types() {
        let body = br#"{"eventKey":"repo:refs_changed"}"#;
        let sig = format!("sha256={}", hmac_hex(Algorithm::Sha256, TOKEN, body));
        let ping = headers(&[
            ("x-hub-signature", &sig),
            ("x-event-key", "diagnostics:ping"),
        ]);
        assert_eq!(
            validate(
                ReceiverType::Bitbucket,
                &["repo:refs_changed".into()],
                TOKEN,
                &ping,
                body
            ),
            Ok(Accepted::Ping)
        );
        let push = headers(&[
            ("x-hub-signature", &sig),
            ("x-event-key", "repo:refs_changed"),
        ]);
        assert!(
            validate(
                ReceiverType::Bitbucket,
                &["repo:refs_changed".into()],
                TOKEN,
                &push,
                body
            )
            .is_ok()
        );

        let harbor = headers(&[("authorization", "s3cr3t-token")]);
        assert!(validate(ReceiverType::Harbor, &[], TOKEN, &harbor, b"{}").is_ok());
        assert!(validate(ReceiverType::Harbor, &[], TOKEN, &HeaderMap::new(), b"{}").is_err());

        let nexus_body = br#"{"action":"CREATED","repositoryName":"r"}"#;
        let nexus = headers(&[(
            "x-nexus-webhook-signature",
            &hmac_hex(Algorithm::Sha1, TOKEN, nexus_body),
        )]);
        assert!(validate(ReceiverType::Nexus, &[], TOKEN, &nexus, nexus_body).is_ok());
        assert!(validate(ReceiverType::Nexus, &[], TOKEN, &nexus, b"{}").is_err());

        let dockerhub = br#"{"push_data":{"tag":"v1"},"repository":{"repo_url":"u"}}"#;
        assert!(
            validate(
                ReceiverType::DockerHub,
                &[],
                TOKEN,
                &HeaderMap::new(),
                dockerhub
            )
            .is_ok()
        );
        assert!(matches!(
            validate(
                ReceiverType::DockerHub,
                &[],
                TOKEN,
                &HeaderMap::new(),
                b"nope"
            ),
            Err(Refused::BadRequest(_))
        ));
        assert!(
            validate(
                ReceiverType::Quay,
                &[],
                TOKEN,
                &HeaderMap::new(),
                br#"{"docker_url":"d"}"#
            )
            .is_ok()
        );
    }

    #[test]
    fn cdevents_checks_the_payload_and_the_ce_type() {
        let body = br#"{"context":{"id":"1","source":"s","type":"dev.cdevents.change.merged.0.1.2","version":"0.4.1","timestamp":"2024-01-01T00:00:00Z"},"subject":{"id":"x","content":{}}}"#;
        let events = vec!["dev.cdevents.change.merged.0.1.2".to_string()];
        let h = headers(&[("ce-type", "dev.cdevents.change.merged.0.1.2")]);
        assert!(validate(ReceiverType::CDEvents, &events, TOKEN, &h, body).is_ok());
        let other = headers(&[("ce-type", "dev.cdevents.change.created.0.1.2")]);
        assert!(validate(ReceiverType::CDEvents, &events, TOKEN, &other, body).is_err());
        assert!(validate(ReceiverType::CDEvents, &events, TOKEN, &h, b"{}").is_err());
    }

    #[test]
    fn constant_time_eq_compares_whole_values() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(constant_time_eq(b"", b""));
    }
}
