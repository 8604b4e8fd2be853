//! Fuzzes the webhook receiver's handling of one request, as the server runs it before it
//! reads the cluster: `check_request` (the per-type signature, token and event checks, then
//! the CEL `request` variable), the Receiver's filters over a resource, and the webhook path.
//!
//! The input is split at NUL bytes, so seeds are readable text:
//!
//! 1. the Receiver type, by its CRD name (`github`); any other text picks one from its first
//!    byte, so every type is reachable from any part;
//! 2. `spec.events`, one per line (none when empty);
//! 3. the token in the Receiver's Secret;
//! 4. the headers, one `Name: value` per line (lines that are not a valid header are left
//!    out, as the HTTP server would refuse them);
//! 5. the body;
//! 6. `spec.resourceFilter`, a CEL expression (none when missing or empty).
//!
//! A request may be refused; handling it must never panic, hang or blow up memory.

#![no_main]

use http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use serde_json::json;
use tk::api::notification::{
    CrossNamespaceObjectReference, EventSourceKind, ReceiverSpec, ReceiverType,
};
use tk::controllers::notification::receivers::{self, Checked, verify};

const TYPES: [ReceiverType; 13] = [
    ReceiverType::Generic,
    ReceiverType::GenericHMAC,
    ReceiverType::GenericOIDC,
    ReceiverType::GitHub,
    ReceiverType::GitLab,
    ReceiverType::Bitbucket,
    ReceiverType::Harbor,
    ReceiverType::DockerHub,
    ReceiverType::Quay,
    ReceiverType::GCR,
    ReceiverType::Nexus,
    ReceiverType::ACR,
    ReceiverType::CDEvents,
];

/// Fails to compile when a type is added, so TYPES cannot silently miss it.
#[allow(dead_code)]
fn listed(type_: ReceiverType) -> bool {
    match type_ {
        ReceiverType::Generic
        | ReceiverType::GenericHMAC
        | ReceiverType::GenericOIDC
        | ReceiverType::GitHub
        | ReceiverType::GitLab
        | ReceiverType::Bitbucket
        | ReceiverType::Harbor
        | ReceiverType::DockerHub
        | ReceiverType::Quay
        | ReceiverType::GCR
        | ReceiverType::Nexus
        | ReceiverType::ACR
        | ReceiverType::CDEvents => true,
    }
}

fn receiver_type(part: &[u8]) -> ReceiverType {
    let name = String::from_utf8_lossy(part);
    let name = name.trim();
    TYPES
        .into_iter()
        .find(|t| verify::type_name(*t) == name)
        .unwrap_or_else(|| TYPES[usize::from(part.first().copied().unwrap_or(0)) % TYPES.len()])
}

fn headers(part: &[u8]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for line in part.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let value = line[colon + 1..].trim_ascii();
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(value),
        ) {
            map.append(name, value);
        }
    }
    map
}

fn text(part: &[u8]) -> Option<String> {
    (!part.is_empty()).then(|| String::from_utf8_lossy(part).into_owned())
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|b| *b == 0);
    let mut next = || parts.next().unwrap_or_default();
    let type_ = receiver_type(next());
    let events = text(next()).map(|e| e.lines().map(str::to_string).collect::<Vec<_>>());
    let token = next();
    let headers = headers(next());
    let body = next();
    let filter = text(next());

    let spec = ReceiverSpec {
        r#type: type_,
        events,
        resource_filter: filter.clone(),
        resources: vec![CrossNamespaceObjectReference {
            kind: EventSourceKind::GitRepository,
            name: "app".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let _ = verify::webhook_path(token, "receiver", "flux-system");
    // A filter that does not compile keeps the Receiver from being ready: the server never
    // evaluates it, but still parses the body for it.
    let compiled = receivers::compile_filters(&spec).is_ok();
    let Ok(Checked::Trigger {
        request: Ok(request),
        ..
    }) = receivers::check_request(&spec, token, &headers, body)
    else {
        return;
    };
    if let (true, Some(filter)) = (compiled, filter.as_deref()) {
        let resource = json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "GitRepository",
            "metadata": {
                "name": "app",
                "namespace": "flux-system",
                "labels": {"app": "web"},
                "annotations": {"reconcile.fluxcd.io/requestedAt": "2025-01-01T00:00:00Z"},
            },
        });
        let _ = receivers::accepts(&[filter], &resource, &request);
    }
});
