//! Webhooks of a Canary's analysis: Flagger's payload, POSTed as JSON; an answer of 202 or
//! below passes, anything else (or no answer before the timeout) fails.

use std::collections::BTreeMap;
use std::time::Duration;

use kube::ResourceExt;
use serde::Serialize;

use crate::api::flagger::{Canary, CanaryPhase, CanaryWebhook, HookType};

/// Flagger's default when a webhook sets no (or a too short) timeout.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest answer body quoted in a failure.
const MAX_QUOTED: usize = 256;

/// What a webhook receives.
#[derive(Serialize, Debug, PartialEq)]
pub struct Payload<'a> {
    pub name: String,
    pub namespace: String,
    pub phase: &'a str,
    pub checksum: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
}

/// The hooks of `type_` in declaration order; a hook without a type is a `rollout` hook.
pub fn of_type(canary: &Canary, type_: HookType) -> Vec<CanaryWebhook> {
    canary
        .spec
        .analysis
        .iter()
        .flat_map(|a| a.webhooks.iter().flatten())
        .filter(|w| match w.r#type.unwrap_or(HookType::Unset) {
            HookType::Unset => type_ == HookType::Rollout,
            t => t == type_,
        })
        .cloned()
        .collect()
}

/// A digest of the revision under analysis (the applied template and tracked configs), so
/// a receiver can tell one rollout from the next.
pub fn checksum(canary: &Canary) -> String {
    let status = canary.status.as_ref();
    let mut input = status
        .and_then(|s| s.last_applied_spec.clone())
        .unwrap_or_default();
    for (k, v) in status
        .and_then(|s| s.tracked_configs.as_ref())
        .into_iter()
        .flatten()
    {
        input.push_str(&format!("\n{k}={v}"));
    }
    super::target::opaque_hash(input.as_bytes())
}

/// Calls `hook` with `phase`; `Err` says why it did not pass.
pub async fn call(
    http: &reqwest::Client,
    canary: &Canary,
    phase: CanaryPhase,
    hook: &CanaryWebhook,
    extra: Option<BTreeMap<String, String>>,
) -> Result<(), String> {
    let mut metadata = hook.metadata.clone().unwrap_or_default();
    metadata.extend(extra.unwrap_or_default());
    let payload = Payload {
        name: canary.name_any(),
        namespace: canary.namespace().unwrap_or_default(),
        phase: phase.as_str(),
        checksum: checksum(canary),
        metadata,
    };
    let timeout = hook
        .timeout
        .as_deref()
        .filter(|t| t.len() >= 2)
        .and_then(|t| crate::api::duration::parse(t).ok())
        .unwrap_or(DEFAULT_TIMEOUT);
    post(
        http,
        &hook.url,
        &payload,
        timeout,
        hook.retries.unwrap_or(0).max(0) as u32,
        hook.disable_tls.unwrap_or(false),
    )
    .await
}

/// POSTs `body`, retrying `retries` times on no answer, 429 and 5xx (1s, 2s, 4s… apart).
pub async fn post(
    http: &reqwest::Client,
    url: &str,
    body: &impl Serialize,
    timeout: Duration,
    retries: u32,
    insecure: bool,
) -> Result<(), String> {
    let client = if insecure {
        std::borrow::Cow::Owned(insecure_client()?)
    } else {
        std::borrow::Cow::Borrowed(http)
    };
    let mut attempt = 0;
    loop {
        let sent = client.post(url).timeout(timeout).json(body).send().await;
        let failure = match sent {
            Ok(response) if response.status().as_u16() <= 202 => return Ok(()),
            Ok(response) => {
                let status = response.status();
                let retriable = status.as_u16() == 429 || status.is_server_error();
                let text = response.text().await.unwrap_or_default();
                let quoted: String = text.trim().chars().take(MAX_QUOTED).collect();
                let failure = if quoted.is_empty() {
                    format!("POST {url} answered {status}")
                } else {
                    format!("POST {url} answered {status}: {quoted}")
                };
                if !retriable {
                    return Err(failure);
                }
                failure
            }
            Err(e) if e.is_timeout() => format!("POST {url}: no answer within {timeout:?}"),
            Err(e) => format!("POST {url}: {}", transport::error_chain(&e)),
        };
        if attempt >= retries {
            return Err(failure);
        }
        tokio::time::sleep(Duration::from_secs(1 << attempt.min(5))).await;
        attempt += 1;
    }
}

fn insecure_client() -> Result<reqwest::Client, String> {
    transport::configure(reqwest::Client::builder(), transport::Settings::default())
        .map_err(|e| e.to_string())?
        .danger_accept_invalid_certs(true)
        .build()
        .map_err(|e| format!("building an HTTP client: {e}"))
}
