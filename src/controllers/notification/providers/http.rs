//! The HTTP(S) client every notifier sends with, and the helpers their requests share:
//! address parsing ([`parse_address`], [`parse_url`]), what messages may show of an address
//! ([`origin`]), Go-compatible JSON ([`go_json`], [`GoEvent`]) and [`hex`].
//!
//! [`Http`] is built from the Provider's timeout (default 15s), CA bundle (merged into the
//! system roots), client certificate, proxy and Secret headers; it classifies answers
//! (2xx success; 429, 5xx and transport failures retryable; other 4xx permanent) and writes
//! every message as `<type> provider <namespace/name>: …`, showing only the scheme and host
//! of an address and never a secret (token, password, the password half of a
//! `user:password` token, the proxy's password, Secret header values, the address when it
//! holds more than its origin).

use std::collections::BTreeMap;
use std::fmt::Display;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, RequestBuilder, StatusCode, Url};
use serde::Serialize;

use super::{ConfigError, Event, ProviderConfig, SendError};

/// The default of `spec.timeout`.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
/// Connecting takes at most this long, within the timeout.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of an error response body goes into a message.
const EXCERPT_CHARS: usize = 200;
/// Secrets shorter than this are not redacted from messages (they would mangle them).
const MIN_REDACTED_LEN: usize = 4;
/// What a redacted secret reads as.
const REDACTED: &str = "***";

/// `<type> provider <namespace/name>`, the start of every message about a Provider.
pub(super) fn label(config: &ProviderConfig) -> String {
    format!("{} provider {}", config.provider_type, config.name)
}

/// One notifier's HTTP client, built from the Provider's TLS, proxy, timeout and headers,
/// and the status handling and error messages every provider type shares.
pub(crate) struct Http {
    client: reqwest::Client,
    /// `<type> provider <namespace/name>`, the start of every message.
    label: String,
    /// The Secret's `headers`, validated.
    headers: HeaderMap,
    /// Values that must never appear in a message, longest first.
    secrets: Vec<String>,
}

impl Http {
    pub(crate) fn new(config: &ProviderConfig) -> Result<Http, ConfigError> {
        crate::cli::install_crypto_provider();
        let label = label(config);
        let headers = secret_headers(&label, &config.headers)?;
        let timeout = if config.timeout.is_zero() {
            DEFAULT_TIMEOUT
        } else {
            config.timeout
        };
        let builder = reqwest::Client::builder()
            .user_agent(concat!("tk/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers.clone())
            .timeout(timeout)
            .connect_timeout(timeout.min(MAX_CONNECT_TIMEOUT));
        let identity = config
            .client_identity
            .as_ref()
            .map(|(cert, key)| format!("{}\n{}\n", cert.trim_end(), key.trim_end()));
        let proxy = config
            .proxy
            .as_deref()
            .filter(|p| !p.trim().is_empty())
            .map(|url| transport::Proxy {
                url: url.to_string(),
                username: None,
                password: None,
            });
        let builder = transport::configure(
            builder,
            transport::Settings {
                ca_pem: config
                    .ca_pem
                    .as_deref()
                    .filter(|p| !p.trim().is_empty())
                    .map(str::as_bytes),
                identity_pem: identity.as_deref().map(str::as_bytes),
                proxy: proxy.as_ref(),
            },
        )
        .map_err(|e| {
            let field = match e {
                transport::Error::Proxy => "spec.proxy or the address of spec.proxySecretRef",
                transport::Error::Ca | transport::Error::Identity => "spec.certSecretRef",
            };
            ConfigError(format!("{label}: {field}: {e}"))
        })?;
        let client = builder.build().map_err(|e| {
            ConfigError(format!(
                "{label}: building the HTTPS client failed: {}",
                transport::error_chain(&e.without_url())
            ))
        })?;
        Ok(Http {
            client,
            label,
            headers,
            secrets: secrets(config),
        })
    }

    /// An `Http` that sends with `client` (a caller's shared client) instead of building one
    /// from the Provider's TLS material, proxy and timeout: for callers whose providers have
    /// none of those (a request's timeout is then the caller's to set). Messages and the
    /// Secret's headers on JSON requests are as with [`Http::new`].
    pub(crate) fn with_client(
        client: reqwest::Client,
        config: &ProviderConfig,
    ) -> Result<Http, ConfigError> {
        let label = label(config);
        let headers = secret_headers(&label, &config.headers)?;
        Ok(Http {
            client,
            label,
            headers,
            secrets: secrets(config),
        })
    }

    pub(super) fn label(&self) -> &str {
        &self.label
    }

    /// A request with the Secret's headers, for those the request does not set itself.
    pub(super) fn request(&self, method: Method, url: &str) -> RequestBuilder {
        self.client.request(method, url)
    }

    /// A request with a JSON `body`: `headers` are set first, then the Secret's headers
    /// (which may override them), then `sealed` (which they may not).
    pub(crate) fn json_request(
        &self,
        method: Method,
        url: &str,
        body: Vec<u8>,
        headers: &[(&str, String)],
        sealed: &[(&str, String)],
    ) -> Result<RequestBuilder, SendError> {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            let (name, value) = self.header(name, value)?;
            map.insert(name, value);
        }
        for (name, value) in &self.headers {
            if !sealed
                .iter()
                .any(|(s, _)| name.as_str().eq_ignore_ascii_case(s))
            {
                map.insert(name.clone(), value.clone());
            }
        }
        for (name, value) in sealed {
            let (name, value) = self.header(name, value)?;
            map.insert(name, value);
        }
        Ok(self
            .client
            .request(method, url)
            .header(CONTENT_TYPE, "application/json")
            .headers(map)
            .body(body))
    }

    fn header(&self, name: &str, value: &str) -> Result<(HeaderName, HeaderValue), SendError> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| self.permanent(format!("{name:?} is not a valid header name")))?;
        let mut value = HeaderValue::from_str(value).map_err(|_| {
            self.permanent(format!(
                "the value of header {name} is not a valid header value (a token or \
                 controller name with control characters?)"
            ))
        })?;
        if name == reqwest::header::AUTHORIZATION {
            value.set_sensitive(true);
        }
        Ok((name, value))
    }

    /// Sends the request; a 2xx answer gives its body, anything else an error. `what`
    /// (`posting the alert`) and the origin of `url` name the request in messages.
    pub(crate) async fn send(
        &self,
        request: RequestBuilder,
        what: &str,
        url: &str,
    ) -> Result<Vec<u8>, SendError> {
        let (status, body) = self.exchange(request, what, url).await?;
        if (200..300).contains(&status) {
            Ok(body)
        } else {
            Err(self.status_error(what, url, status, &body))
        }
    }

    /// Sends the request and hands back any answer's status and body; only failures to get
    /// an answer are errors.
    pub(super) async fn exchange(
        &self,
        request: RequestBuilder,
        what: &str,
        url: &str,
    ) -> Result<(u16, Vec<u8>), SendError> {
        let response = request
            .send()
            .await
            .map_err(|e| self.transport_error(what, url, e))?;
        let status = response.status().as_u16();
        match response.bytes().await {
            Ok(body) => Ok((status, body.to_vec())),
            // A refusal is classified by its status, whatever became of its body.
            Err(_) if !(200..300).contains(&status) => Ok((status, Vec::new())),
            Err(e) => Err(self.transport_error(&format!("{what} (the answer)"), url, e)),
        }
    }

    /// The error for an answer that is not 2xx: 429 and 5xx are worth retrying.
    pub(super) fn status_error(
        &self,
        what: &str,
        url: &str,
        status: u16,
        body: &[u8],
    ) -> SendError {
        let reason = StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        let mut message = format!("{what} at {} answered HTTP {status} {reason}", origin(url));
        let excerpt = self.excerpt(body);
        if !excerpt.is_empty() {
            message.push_str(": ");
            message.push_str(&excerpt);
        }
        if status == 429 || status >= 500 {
            self.retryable(message)
        } else {
            self.permanent(message)
        }
    }

    fn transport_error(&self, what: &str, url: &str, error: reqwest::Error) -> SendError {
        let how = if error.is_timeout() {
            "timed out"
        } else if error.is_connect() {
            "could not connect"
        } else {
            "failed"
        };
        let builder = error.is_builder();
        let message = format!(
            "{what} at {} {how}: {}",
            origin(url),
            transport::error_chain(&error.without_url())
        );
        if builder {
            self.permanent(message)
        } else {
            self.retryable(message)
        }
    }

    /// The first characters of a response body, on one line, without secrets.
    pub(super) fn excerpt(&self, body: &[u8]) -> String {
        let text = String::from_utf8_lossy(body);
        let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
        self.redact(truncate(&line, EXCERPT_CHARS))
    }

    fn redact(&self, mut text: String) -> String {
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), REDACTED);
            }
        }
        text
    }

    /// An error worth retrying, about this provider.
    pub(super) fn retryable(&self, what: impl Display) -> SendError {
        SendError::Retryable(self.redact(format!("{}: {what}", self.label)))
    }

    /// An error that retrying cannot fix, about this provider.
    pub(super) fn permanent(&self, what: impl Display) -> SendError {
        SendError::Permanent(self.redact(format!("{}: {what}", self.label)))
    }
}

/// The Secret's `headers`, checked; values are never printed.
fn secret_headers(
    label: &str,
    headers: &BTreeMap<String, String>,
) -> Result<HeaderMap, ConfigError> {
    let mut map = HeaderMap::new();
    for (key, value) in headers {
        let name = HeaderName::from_bytes(key.as_bytes()).map_err(|_| {
            ConfigError(format!(
                "{label}: the Secret key `headers` names {key:?}, which is not a valid HTTP \
                 header name; fix the headers map"
            ))
        })?;
        let value = HeaderValue::from_str(value).map_err(|_| {
            ConfigError(format!(
                "{label}: the value of header {key:?} in the Secret key `headers` is not a \
                 valid HTTP header value; fix the headers map"
            ))
        })?;
        map.insert(name, value);
    }
    Ok(map)
}

/// What messages must not show, longest first so that a secret holding another is
/// replaced whole.
fn secrets(config: &ProviderConfig) -> Vec<String> {
    let mut secrets: Vec<String> = [&config.token, &config.password]
        .into_iter()
        .chain(config.headers.values())
        .cloned()
        .collect();
    // Tokens of the form `user:password` (bitbucket): the password is a secret on its own.
    if let Some((_, password)) = config.token.split_once(':') {
        secrets.push(password.to_string());
    }
    if let Some(proxy) = config.proxy.as_deref()
        && let Ok(url) = Url::parse(proxy.trim())
        && let Some(password) = url.password()
    {
        secrets.push(password.to_string());
    }
    // The address itself is secret unless it is nothing more than what messages show.
    let address = config.address.trim();
    if let Ok(url) = Url::parse(address)
        && origin(address) != address.trim_end_matches('/')
    {
        secrets.push(address.to_string());
        secrets.push(url.as_str().to_string());
    }
    secrets.retain(|s| s.len() >= MIN_REDACTED_LEN);
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    secrets
}

/// `spec.address` (or the Secret's `address`) as an http(s) URL; `what` says what the
/// provider type expects there. The value is never printed: it may come from a Secret and
/// carry a token.
pub(crate) fn parse_address(config: &ProviderConfig, what: &str) -> Result<Url, ConfigError> {
    if config.address.trim().is_empty() {
        return Err(ConfigError(format!(
            "{}: spec.address is empty: the {} provider needs {what}; set spec.address or the \
             `address` key of the Secret of spec.secretRef",
            label(config),
            config.provider_type
        )));
    }
    parse_url(config, config.address.trim())
}

/// An http(s) URL built from the address (or a default), without printing it.
pub(super) fn parse_url(config: &ProviderConfig, url: &str) -> Result<Url, ConfigError> {
    match Url::parse(url) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(url),
        _ => Err(ConfigError(format!(
            "{}: spec.address is not an http(s) URL (the value is not shown, it may come from \
             a Secret): set spec.address or the Secret's `address` to https://host/path",
            label(config)
        ))),
    }
}

/// `scheme://host[:port]` of a URL, without userinfo, path or query (which may hold
/// credentials): what messages may show of an address.
pub(super) fn origin(url: &str) -> String {
    match Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(host), Some(port)) => format!("{}://{host}:{port}", u.scheme()),
            (Some(host), None) => format!("{}://{host}", u.scheme()),
            _ => format!("{}:", u.scheme()),
        },
        Err(_) => "an invalid URL".to_string(),
    }
}

/// At most `max` characters of `s`, ending in `…` when cut.
pub(super) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Lower-case hex digits of `bytes`.
pub(super) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// JSON as Go's `json.Marshal` writes it (what Flux posts): compact, and with `<`, `>`,
/// `&`, U+2028 and U+2029 escaped. Those characters only occur inside strings, so
/// replacing them in the output is exact.
pub(crate) fn go_json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let json = serde_json::to_string(value).expect("a payload serialises");
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.into_bytes()
}

/// Flux's `eventv1.Event` as Go's `encoding/json` writes it: its field order, with the
/// `corev1.ObjectReference` field order and omissions.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GoEvent<'a> {
    involved_object: GoObjectReference<'a>,
    severity: &'a str,
    timestamp: &'a str,
    message: &'a str,
    reason: &'a str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    metadata: &'a BTreeMap<String, String>,
    reporting_controller: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    reporting_instance: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GoObjectReference<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    kind: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    namespace: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    uid: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    api_version: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    resource_version: &'a str,
}

impl<'a> From<&'a Event> for GoEvent<'a> {
    fn from(event: &'a Event) -> Self {
        let object = &event.involved_object;
        GoEvent {
            involved_object: GoObjectReference {
                kind: &object.kind,
                namespace: &object.namespace,
                name: &object.name,
                uid: &object.uid,
                api_version: &object.api_version,
                resource_version: &object.resource_version,
            },
            severity: &event.severity,
            timestamp: &event.timestamp,
            message: &event.message,
            reason: &event.reason,
            metadata: &event.metadata,
            reporting_controller: &event.reporting_controller,
            reporting_instance: &event.reporting_instance,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_drops_credentials_and_path() {
        assert_eq!(
            origin("https://user:pw@example.com:8443/hooks/abc?token=x"),
            "https://example.com:8443"
        );
        assert_eq!(origin("not a url"), "an invalid URL");
    }

    #[test]
    fn truncates_on_characters() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdef", 4), "abc…");
    }

    #[test]
    fn every_secret_is_redacted() {
        let config = ProviderConfig {
            provider_type: "bitbucket".into(),
            name: "apps/alerts".into(),
            address: "https://example.com/hooks/s3cr3t-path".into(),
            token: "bb-user:app-password".into(),
            password: "the-password".into(),
            headers: BTreeMap::from([("X-Key".to_string(), "header-secret".to_string())]),
            proxy: Some("http://proxy-user:proxy-password@127.0.0.1:3128".into()),
            ..Default::default()
        };
        let http = Http::new(&config).expect("the client builds");
        let text = http
            .permanent(
                "app-password the-password header-secret proxy-password \
                 https://example.com/hooks/s3cr3t-path",
            )
            .to_string();
        assert_eq!(
            text, "bitbucket provider apps/alerts: *** *** *** *** ***",
            "{text}"
        );
    }
}
