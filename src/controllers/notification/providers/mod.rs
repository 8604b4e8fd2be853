//! Where alerts go: one notifier per Provider `spec.type`, each posting the payload its
//! service documents. The dispatcher resolves a [`ProviderConfig`] from the Provider and its
//! Secrets, builds a notifier with [`notifier`] and calls [`Notifier::post`] for each event,
//! retrying what [`SendError::is_retryable`] allows.

pub(crate) mod chat;
mod git;
pub(crate) mod http;
mod ops;
mod webhook;

use std::collections::BTreeMap;
use std::time::Duration;

use futures::future::BoxFuture;

use super::event::Event;

/// Everything a notifier needs, resolved from the Provider spec and its Secrets.
#[derive(Clone, Default)]
pub struct ProviderConfig {
    /// `spec.type` (`slack`, `msteams`, `generic-hmac`, `github`, ...).
    pub provider_type: String,
    /// The Provider's `namespace/name`, for messages.
    pub name: String,
    /// The Provider's uid: commit status keys and some dedup keys are derived from it.
    pub uid: String,
    /// `spec.address`, or the Secret's `address`, which wins.
    pub address: String,
    /// `spec.channel`.
    pub channel: String,
    /// `spec.username`, or the Secret's `username`.
    pub username: String,
    /// The Secret's `token`.
    pub token: String,
    /// The Secret's `password`.
    pub password: String,
    /// The Secret's `headers` (a YAML map of header name to value), sent with every request.
    pub headers: BTreeMap<String, String>,
    /// `spec.proxy`, or the address of `spec.proxySecretRef` (with its credentials as
    /// userinfo).
    pub proxy: Option<String>,
    /// PEM CA certificates of `spec.certSecretRef` (`ca.crt`, or the legacy `caFile`),
    /// trusted in addition to the system roots.
    pub ca_pem: Option<String>,
    /// Client certificate and key (PEM) of `spec.certSecretRef` (`tls.crt`, `tls.key`).
    pub client_identity: Option<(String, String)>,
    /// `spec.timeout` (default 15s): bounds each request.
    pub timeout: Duration,
}

impl std::fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("type", &self.provider_type)
            .field("name", &self.name)
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

/// A Provider that cannot be used as configured: the message names the field and what to
/// do, and never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// A delivery that failed. Messages never hold the token, password or secret address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth retrying: a network failure, a timeout, HTTP 429 or a 5xx.
    #[error("{0}")]
    Retryable(String),
    /// Retrying cannot help: the service refused the request (other 4xx).
    #[error("{0}")]
    Permanent(String),
}

impl SendError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, SendError::Retryable(_))
    }
}

/// Posts one event to one service.
pub trait Notifier: Send + Sync {
    fn post<'a>(&'a self, event: &'a Event) -> BoxFuture<'a, Result<(), SendError>>;
}

/// The notifier for `config.provider_type`.
pub fn notifier(config: &ProviderConfig) -> Result<Box<dyn Notifier>, ConfigError> {
    match config.provider_type.as_str() {
        "generic" | "generic-hmac" => webhook::new(config),
        "slack" | "msteams" | "discord" | "rocket" | "googlechat" | "webex" | "telegram"
        | "matrix" => chat::new(config),
        "opsgenie" | "pagerduty" | "alertmanager" | "grafana" => ops::new(config),
        "github" | "gitlab" | "gitea" | "bitbucket" | "bitbucketserver" => git::new(config),
        other => Err(ConfigError(format!(
            "spec.type: provider type {other:?} is not supported"
        ))),
    }
}

/// Flux's `formatNameAndDescription`: `kind/name` lower-cased, and the reason split at its
/// camel-case humps, lower-cased (`ReconciliationSucceeded` → `reconciliation succeeded`).
fn name_and_description(event: &Event) -> (String, String) {
    let name = format!(
        "{}/{}",
        event.involved_object.kind, event.involved_object.name
    )
    .to_lowercase();
    let description = split_camel_case(&event.reason).join(" ").to_lowercase();
    (name, description)
}

/// Flux's `splitCamelcase`: runs of lower, upper, digit and other characters, where an
/// upper-case letter followed by lower-case ones starts a new word (`PDFLoader` →
/// `PDF`, `Loader`).
fn split_camel_case(src: &str) -> Vec<String> {
    fn class(c: char) -> u8 {
        if c.is_lowercase() {
            1
        } else if c.is_uppercase() {
            2
        } else if c.is_numeric() {
            3
        } else {
            4
        }
    }
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut last = 0;
    for c in src.chars() {
        let cls = class(c);
        match runs.last_mut() {
            Some(run) if cls == last => run.push(c),
            _ => runs.push(vec![c]),
        }
        last = cls;
    }
    for i in 0..runs.len().saturating_sub(1) {
        let upper = runs[i].first().is_some_and(|c| c.is_uppercase());
        let lower = runs[i + 1].first().is_some_and(|c| c.is_lowercase());
        if upper
            && lower
            && let Some(moved) = runs[i].pop()
        {
            runs[i + 1].insert(0, moved);
        }
    }
    runs.into_iter()
        .filter(|r| !r.is_empty())
        .map(|r| r.into_iter().collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_camel_case_like_flux() {
        assert_eq!(
            split_camel_case("ReconciliationSucceeded"),
            ["Reconciliation", "Succeeded"]
        );
        assert_eq!(split_camel_case("PDFLoader"), ["PDF", "Loader"]);
        assert_eq!(split_camel_case("BuildFailed2"), ["Build", "Failed", "2"]);
        assert!(split_camel_case("").is_empty());
    }
}
