//! A Prometheus HTTP API client that queries as Flagger's `PrometheusProvider` does.
//!
//! - A query is `GET <address>/api/v1/query?query=<promql>` (the address's path kept, its
//!   query string dropped), with every run of whitespace in the PromQL collapsed to one
//!   space first ([`collapse_whitespace`]).
//! - The answer's `data.result` must be an instant vector. The value is the last sample
//!   whose value is a string (Flagger loops over the samples and keeps the last); none, or
//!   NaN, is "no values found" ([`QueryError::NoValues`]). `+Inf`/`-Inf` are values. A
//!   scalar, string or range-vector result is an error, as it is in Flagger (which fails to
//!   decode the first two and cannot read the third).
//! - HTTP 400 and above is an error with Prometheus's `errorType` and `error`.
//! - Each request has 5 seconds (Flagger's timeout) and the answer at most 1 MiB.
//! - Credentials come from the Secret of `spec.provider.secretRef`: a `token` key is sent
//!   as `Authorization: Bearer <token>`; otherwise `username` and `password` keys are
//!   required and sent as Basic auth. `spec.provider.headers` go with every request;
//!   Secret credentials replace an `Authorization` among them, and credentials in the
//!   address's userinfo are used only when neither gives one.
//! - `insecureSkipVerify` disables certificate verification. Proxies come from the
//!   environment (`HTTPS_PROXY`, `NO_PROXY`) unless [`ClientOptions::proxy`] is set.
//!
//! [`PrometheusClient::is_online`] runs `vector(1)` and wants `1`, as Flagger's `IsOnline`.
//!
//! Messages show the address as `scheme://host:port/path`, never its userinfo or query
//! string, and never a credential or header value.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};

/// Flagger's per-request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// The most of an answer that is read; a query result is a handful of samples.
pub const MAX_RESPONSE_BYTES: usize = 1 << 20;
/// The query [`PrometheusClient::is_online`] runs.
pub const ONLINE_QUERY: &str = "vector(1)";
/// How much of an unexpected answer goes into a message.
const EXCERPT_CHARS: usize = 200;

/// Everything about the client besides its address. `Debug` shows no credential or header
/// value.
#[derive(Clone)]
pub struct ClientOptions {
    /// `spec.provider.headers`: each name with its values, sent with every request.
    pub headers: BTreeMap<String, Vec<String>>,
    /// The data of the Secret of `spec.provider.secretRef`; `None` when there is no
    /// `secretRef` (then no credentials are required).
    pub credentials: Option<BTreeMap<String, Vec<u8>>>,
    /// `spec.provider.insecureSkipVerify`.
    pub insecure_skip_verify: bool,
    /// The time one request may take, answer included.
    pub timeout: Duration,
    /// PEM CA certificates trusted besides the system roots.
    pub ca_pem: Option<Vec<u8>>,
    /// A proxy for every request, instead of the environment's.
    pub proxy: Option<transport::Proxy>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            headers: BTreeMap::new(),
            credentials: None,
            insecure_skip_verify: false,
            timeout: DEFAULT_TIMEOUT,
            ca_pem: None,
            proxy: None,
        }
    }
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field(
                "credentials",
                &self
                    .credentials
                    .as_ref()
                    .map(|c| c.keys().collect::<Vec<_>>()),
            )
            .field("insecure_skip_verify", &self.insecure_skip_verify)
            .field("timeout", &self.timeout)
            .field("ca_pem", &self.ca_pem.is_some())
            .field("proxy", &self.proxy)
            .finish()
    }
}

/// Why a client could not be built: a setting to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "the Prometheus address is not an http(s) URL with a host (the value is not shown: \
         it may hold credentials); set it to http://host:port, e.g. \
         http://prometheus.monitoring:9090"
    )]
    Address,
    #[error(
        "the Secret of spec.provider.secretRef has no `{key}` key: Prometheus credentials are \
         a `token` key (bearer token) or `username` and `password` keys (basic auth)"
    )]
    MissingCredential { key: &'static str },
    #[error(
        "the `{key}` key of the Secret of spec.provider.secretRef cannot go into an HTTP \
         header (does it end in a newline?); store the value without control characters"
    )]
    InvalidCredential { key: &'static str },
    #[error("spec.provider.headers: {name:?} is not a valid HTTP header name")]
    HeaderName { name: String },
    #[error(
        "spec.provider.headers: a value of header {name:?} is not a valid HTTP header value \
         (control characters?)"
    )]
    HeaderValue { name: String },
    #[error("{0}")]
    Transport(#[from] transport::Error),
    #[error("building the HTTP client failed: {0}")]
    Client(String),
}

/// Why a query gave no value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueryError {
    /// The query matched no series, or its value is NaN: Flagger's `ErrNoValuesFound`,
    /// which halts the analysis without counting as a Prometheus failure.
    #[error("no values found: Prometheus at {address} answered the query with no sample (or NaN)")]
    NoValues { address: String },
    /// No answer: the connection failed or the request timed out.
    #[error(
        "Prometheus at {address} is unreachable: {detail}; check the address and that \
         Prometheus is running and reachable from the controller"
    )]
    Unreachable { address: String, detail: String },
    /// An answer that is an error or not a usable query result.
    #[error("{}", failed_message(.address, *.status, .error_type.as_deref(), .error))]
    Failed {
        address: String,
        /// The HTTP status, when it was 400 or above.
        status: Option<u16>,
        /// Prometheus's `errorType` (`bad_data`, `execution`, `timeout`, …).
        error_type: Option<String>,
        /// Prometheus's `error`, or what was wrong with the answer.
        error: String,
    },
}

impl QueryError {
    /// Flagger's `errors.Is(err, ErrNoValuesFound)`.
    pub fn is_no_values(&self) -> bool {
        matches!(self, QueryError::NoValues { .. })
    }
}

fn failed_message(
    address: &str,
    status: Option<u16>,
    error_type: Option<&str>,
    error: &str,
) -> String {
    let Some(status) = status else {
        return format!("Prometheus at {address}: {error}");
    };
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|r| format!(" {r}"))
        .unwrap_or_default();
    let kind = error_type.map(|t| format!("{t}: ")).unwrap_or_default();
    let hint = match (status, error_type) {
        (400, _) | (_, Some("bad_data")) => "; fix the query",
        (401 | 403, _) => "; check the credentials (spec.provider.secretRef) and headers",
        (404, _) => "; check that the address is the Prometheus API's base URL",
        (s, _) if s >= 500 => "; Prometheus is failing or overloaded",
        _ => "",
    };
    format!("Prometheus at {address} answered HTTP {status}{reason}: {kind}{error}{hint}")
}

/// A client for one Prometheus server.
#[derive(Clone)]
pub struct PrometheusClient {
    client: reqwest::Client,
    /// `<address>/api/v1/query`, without userinfo.
    endpoint: Url,
    /// What messages show of the address.
    address: String,
    /// The `Authorization` the credentials give, if any.
    authorization: Option<HeaderValue>,
    timeout: Duration,
}

impl fmt::Debug for PrometheusClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrometheusClient")
            .field("address", &self.address)
            .field("authorization", &self.authorization.is_some())
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl PrometheusClient {
    /// A client for the Prometheus API at `address` (`spec.provider.address`, or a
    /// Canary's `spec.metricsServer`).
    pub fn new(address: &str, options: ClientOptions) -> Result<PrometheusClient, ConfigError> {
        crate::cli::install_crypto_provider();
        let mut endpoint = Url::parse(address.trim()).map_err(|_| ConfigError::Address)?;
        if !matches!(endpoint.scheme(), "http" | "https") || endpoint.host().is_none() {
            return Err(ConfigError::Address);
        }
        let userinfo = (!endpoint.username().is_empty()).then(|| {
            (
                percent_decode(endpoint.username()),
                endpoint.password().map(percent_decode).unwrap_or_default(),
            )
        });
        let _ = endpoint.set_username("");
        let _ = endpoint.set_password(None);
        endpoint.set_query(None);
        endpoint.set_fragment(None);
        endpoint
            .path_segments_mut()
            .map_err(|_| ConfigError::Address)?
            .pop_if_empty()
            .extend(["api", "v1", "query"]);
        let address = display_address(&endpoint);

        let headers = header_map(&options.headers)?;
        let authorization = match &options.credentials {
            Some(secret) => Some(secret_authorization(secret)?),
            None if !headers.contains_key(AUTHORIZATION) => userinfo
                .map(|(user, password)| basic(&user, &password))
                .transpose()?,
            None => None,
        };

        let builder = reqwest::Client::builder()
            .user_agent(concat!("tk/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .timeout(options.timeout)
            .tls_danger_accept_invalid_certs(options.insecure_skip_verify);
        let builder = transport::configure(
            builder,
            transport::Settings {
                ca_pem: options.ca_pem.as_deref(),
                identity_pem: None,
                proxy: options.proxy.as_ref(),
            },
        )?;
        let client = builder
            .build()
            .map_err(|e| ConfigError::Client(transport::error_chain(&e.without_url())))?;
        Ok(PrometheusClient {
            client,
            endpoint,
            address,
            authorization,
            timeout: options.timeout,
        })
    }

    /// The address as messages show it: `scheme://host:port/path`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Runs `promql` as an instant query and returns its value (see the module
    /// documentation for how the value is chosen).
    pub async fn query(&self, promql: &str) -> Result<f64, QueryError> {
        let mut url = self.endpoint.clone();
        url.query_pairs_mut()
            .append_pair("query", &collapse_whitespace(promql));
        let mut request = self.client.get(url);
        if let Some(authorization) = &self.authorization {
            request = request.header(AUTHORIZATION, authorization.clone());
        }
        let mut response = request.send().await.map_err(|e| self.unreachable(e))?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                        return Err(self.failed(
                            (status >= 400).then_some(status),
                            None,
                            "the answer is larger than 1 MiB; is the address the Prometheus \
                             API's?",
                        ));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(self.unreachable(e)),
            }
        }
        if status >= 400 {
            return Err(self.status_error(status, &body));
        }
        self.value(&body)
    }

    /// Flagger's `IsOnline`: `vector(1)` answers `1`.
    pub async fn is_online(&self) -> Result<(), QueryError> {
        let value = self.query(ONLINE_QUERY).await?;
        if value == 1.0 {
            return Ok(());
        }
        Err(self.failed(
            None,
            None,
            format!(
                "the query {ONLINE_QUERY} gave {value}, not 1: is the address a Prometheus \
                 API?"
            ),
        ))
    }

    fn value(&self, body: &[u8]) -> Result<f64, QueryError> {
        let answer: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
            self.failed(
                None,
                None,
                format!(
                    "the answer is not Prometheus API JSON ({e}): {}",
                    excerpt(body)
                ),
            )
        })?;
        if answer.get("status").and_then(|s| s.as_str()) == Some("error") {
            return Err(self.failed(None, None, api_error(&answer).1));
        }
        let samples = match answer.pointer("/data/result") {
            None | Some(serde_json::Value::Null) => return Err(self.no_values()),
            Some(serde_json::Value::Array(samples)) => samples,
            Some(_) => {
                return Err(self.failed(None, None, "the answer's data.result is not a list"));
            }
        };
        let result_type = answer
            .pointer("/data/resultType")
            .and_then(|t| t.as_str())
            .unwrap_or("");
        let mut value = None;
        for sample in samples {
            let Some(sample) = sample.as_object() else {
                return Err(self.failed(
                    None,
                    None,
                    format!(
                        "the query returned a {}, not an instant vector; wrap it in \
                         vector(...)",
                        if result_type.is_empty() {
                            "scalar"
                        } else {
                            result_type
                        }
                    ),
                ));
            };
            let pair = match sample.get("value").and_then(|v| v.as_array()) {
                Some(pair) if pair.len() >= 2 => pair,
                _ if sample.contains_key("values") => {
                    return Err(self.failed(
                        None,
                        None,
                        "the query returned a range vector (matrix), not an instant vector; \
                         remove the range selector or aggregate it (e.g. with rate)",
                    ));
                }
                _ => return Err(self.failed(None, None, "a sample has no [time, value] pair")),
            };
            if let Some(text) = pair[1].as_str() {
                let parsed = parse_go_float(text).ok_or_else(|| {
                    self.failed(
                        None,
                        None,
                        format!("the sample value {text:?} is not a number"),
                    )
                })?;
                value = Some(parsed);
            }
        }
        match value {
            Some(v) if !v.is_nan() => Ok(v),
            _ => Err(self.no_values()),
        }
    }

    fn status_error(&self, status: u16, body: &[u8]) -> QueryError {
        let (error_type, error) = match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(answer) if answer.get("error").is_some() => api_error(&answer),
            _ if body.iter().all(u8::is_ascii_whitespace) => (None, "(no body)".to_string()),
            _ => (None, excerpt(body)),
        };
        self.failed(Some(status), error_type, error)
    }

    fn no_values(&self) -> QueryError {
        QueryError::NoValues {
            address: self.address.clone(),
        }
    }

    fn failed(
        &self,
        status: Option<u16>,
        error_type: Option<String>,
        error: impl Into<String>,
    ) -> QueryError {
        QueryError::Failed {
            address: self.address.clone(),
            status,
            error_type,
            error: error.into(),
        }
    }

    fn unreachable(&self, error: reqwest::Error) -> QueryError {
        let detail = if error.is_timeout() {
            format!(
                "no answer within {}",
                super::check::go_duration(self.timeout.as_nanos().min(i64::MAX as u128) as i64)
            )
        } else if error.is_connect() {
            format!(
                "could not connect: {}",
                transport::error_chain(&error.without_url())
            )
        } else {
            format!(
                "the request failed: {}",
                transport::error_chain(&error.without_url())
            )
        };
        QueryError::Unreachable {
            address: self.address.clone(),
            detail,
        }
    }
}

/// Flagger's `trimQuery`: each run of whitespace (Go's `\s`: space, tab, newline, form
/// feed, carriage return) becomes one space.
pub fn collapse_whitespace(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    let mut in_space = false;
    for c in query.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\x0c' | '\r') {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

/// Go's `strconv.ParseFloat` for what Prometheus writes: decimal numbers, `NaN`, `+Inf`,
/// `-Inf` (Rust's parser accepts those, case-insensitively, as Go does).
fn parse_go_float(text: &str) -> Option<f64> {
    text.parse::<f64>().ok()
}

/// `errorType` and `error` of a Prometheus error answer.
fn api_error(answer: &serde_json::Value) -> (Option<String>, String) {
    let error_type = answer
        .get("errorType")
        .and_then(|t| t.as_str())
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    let error = answer
        .get("error")
        .and_then(|e| e.as_str())
        .unwrap_or("(no error message)")
        .to_string();
    (error_type, error)
}

/// The start of an answer, on one line.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= EXCERPT_CHARS {
        return line;
    }
    let mut cut: String = line.chars().take(EXCERPT_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// `scheme://host[:port]/path` of the Prometheus base URL: no userinfo, no query string.
fn display_address(endpoint: &Url) -> String {
    let mut base = endpoint.clone();
    if let Ok(mut segments) = base.path_segments_mut() {
        segments.pop().pop().pop();
    }
    let path = base.path().trim_end_matches('/');
    match (base.host_str(), base.port()) {
        (Some(host), Some(port)) => format!("{}://{host}:{port}{path}", base.scheme()),
        (Some(host), None) => format!("{}://{host}{path}", base.scheme()),
        _ => base.scheme().to_string(),
    }
}

fn header_map(headers: &BTreeMap<String, Vec<String>>) -> Result<HeaderMap, ConfigError> {
    let mut map = HeaderMap::new();
    for (name, values) in headers {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| ConfigError::HeaderName { name: name.clone() })?;
        for value in values {
            let mut value = HeaderValue::from_str(value)
                .map_err(|_| ConfigError::HeaderValue { name: name.clone() })?;
            value.set_sensitive(true);
            map.append(header.clone(), value);
        }
    }
    Ok(map)
}

/// The `Authorization` of the Secret's credentials: `token`, else `username` and
/// `password` (Flagger sends Basic auth only when both are non-empty).
fn secret_authorization(secret: &BTreeMap<String, Vec<u8>>) -> Result<HeaderValue, ConfigError> {
    if let Some(token) = secret.get("token") {
        let token = String::from_utf8_lossy(token);
        let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| ConfigError::InvalidCredential { key: "token" })?;
        value.set_sensitive(true);
        return Ok(value);
    }
    let field = |key: &'static str| {
        secret
            .get(key)
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .ok_or(ConfigError::MissingCredential { key })
    };
    let (username, password) = (field("username")?, field("password")?);
    basic(&username, &password)
}

fn basic(username: &str, password: &str) -> Result<HeaderValue, ConfigError> {
    let encoded =
        base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
    let mut value = HeaderValue::from_str(&format!("Basic {encoded}"))
        .map_err(|_| ConfigError::InvalidCredential { key: "username" })?;
    value.set_sensitive(true);
    Ok(value)
}

/// `%XX` escapes of URL userinfo decoded (lossily: userinfo is text).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::mpsc;
    use std::thread;

    use super::*;

    /// What the test server answers to one request.
    enum Answer {
        Json(u16, &'static str),
        Raw(u16, &'static str, String),
        /// Reads the request and says nothing for this long.
        Silence(Duration),
    }

    /// The request line and headers one request arrived with.
    struct Seen {
        target: String,
        headers: Vec<(String, String)>,
    }

    impl Seen {
        /// The `query` parameter, decoded.
        fn query(&self) -> String {
            let url = Url::parse(&format!("http://x{}", self.target)).unwrap();
            url.query_pairs()
                .find(|(k, _)| k == "query")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        }

        fn header(&self, name: &str) -> Vec<&str> {
            self.headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
                .collect()
        }
    }

    /// A one-connection-per-answer HTTP/1.1 server on 127.0.0.1 answering `answers` in
    /// order; the requests it saw come out of the receiver.
    fn serve(answers: Vec<Answer>) -> (String, mpsc::Receiver<Seen>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for answer in answers {
                let Ok((mut stream, _)) = listener.accept() else {
                    return;
                };
                let seen = read_request(&mut stream);
                let _ = tx.send(seen);
                match answer {
                    Answer::Json(status, body) => {
                        respond(&mut stream, status, "application/json", body.as_bytes())
                    }
                    Answer::Raw(status, content_type, body) => {
                        respond(&mut stream, status, content_type, body.as_bytes())
                    }
                    Answer::Silence(how_long) => thread::sleep(how_long),
                }
            }
        });
        (address, rx)
    }

    fn read_request(stream: &mut TcpStream) -> Seen {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        let mut lines = head.split("\r\n");
        let target = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .unwrap_or_default()
            .to_string();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            .collect();
        Seen { target, headers }
    }

    fn respond(stream: &mut TcpStream, status: u16, content_type: &str, body: &[u8]) {
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body);
    }

    fn client(address: &str) -> PrometheusClient {
        PrometheusClient::new(address, ClientOptions::default()).unwrap()
    }

    fn secret(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, Vec<u8>>> {
        Some(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
                .collect(),
        )
    }

    const VECTOR_100: &str = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1545905245.458,"100"]}]}}"#;

    #[tokio::test]
    async fn queries_the_instant_query_endpoint_with_collapsed_whitespace() {
        let (address, seen) = serve(vec![Answer::Json(200, VECTOR_100)]);
        let client = client(&format!("{address}/prometheus/?ignored=1"));
        let value = client
            .query("sum(\n\trate(x{a=\"b c\"}[1m])\n)  * 100")
            .await
            .unwrap();
        assert_eq!(value, 100.0);
        let seen = seen.recv().unwrap();
        assert!(
            seen.target.starts_with("/prometheus/api/v1/query?query="),
            "{}",
            seen.target
        );
        assert!(!seen.target.contains("ignored"), "{}", seen.target);
        assert_eq!(seen.query(), "sum( rate(x{a=\"b c\"}[1m]) ) * 100");
        assert!(seen.header("authorization").is_empty());
        assert_eq!(client.address(), format!("{address}/prometheus"));
    }

    #[tokio::test]
    async fn the_last_string_valued_sample_is_the_value() {
        let body = r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"pod":"a"},"value":[1,"1.5"]},
            {"metric":{"pod":"b"},"value":[1,"+Inf"]},
            {"metric":{"pod":"c"},"value":[1,"2.25"]}]}}"#;
        let (address, _seen) = serve(vec![Answer::Json(200, body)]);
        assert_eq!(client(&address).query("x").await.unwrap(), 2.25);
        let inf = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"+Inf"]}]}}"#;
        let (address, _seen) = serve(vec![Answer::Json(200, inf)]);
        assert_eq!(client(&address).query("x").await.unwrap(), f64::INFINITY);
    }

    #[tokio::test]
    async fn empty_results_and_nan_are_no_values() {
        let empty = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        let nan = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"NaN"]}]}}"#;
        let (address, _seen) = serve(vec![Answer::Json(200, empty), Answer::Json(200, nan)]);
        let client = client(&address);
        for _ in 0..2 {
            let err = client.query("x").await.unwrap_err();
            assert!(err.is_no_values(), "{err}");
            assert_eq!(
                err.to_string(),
                format!(
                    "no values found: Prometheus at {address} answered the query with no \
                     sample (or NaN)"
                )
            );
        }
    }

    #[tokio::test]
    async fn scalar_and_range_results_are_refused_as_in_flagger() {
        let scalar = r#"{"status":"success","data":{"resultType":"scalar","result":[1,"1"]}}"#;
        let matrix = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],[2,"2"]]}]}}"#;
        let (address, _seen) = serve(vec![Answer::Json(200, scalar), Answer::Json(200, matrix)]);
        let client = client(&address);
        let err = client.query("1").await.unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "Prometheus at {address}: the query returned a scalar, not an instant vector; \
                 wrap it in vector(...)"
            )
        );
        let err = client.query("x[5m]").await.unwrap_err();
        assert!(err.to_string().contains("range vector (matrix)"), "{err}");
    }

    #[tokio::test]
    async fn bad_data_names_prometheus_error_and_says_to_fix_the_query() {
        let body = r#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unexpected end of input"}"#;
        let (address, _seen) = serve(vec![Answer::Json(400, body)]);
        let err = client(&address).query("sum(").await.unwrap_err();
        assert_eq!(
            err,
            QueryError::Failed {
                address: address.clone(),
                status: Some(400),
                error_type: Some("bad_data".into()),
                error: "invalid parameter \"query\": 1:5: parse error: unexpected end of input"
                    .into(),
            }
        );
        assert_eq!(
            err.to_string(),
            format!(
                "Prometheus at {address} answered HTTP 400 Bad Request: bad_data: invalid \
                 parameter \"query\": 1:5: parse error: unexpected end of input; fix the query"
            )
        );
    }

    #[tokio::test]
    async fn unavailable_prometheus_is_a_failure_with_the_status() {
        let (address, _seen) = serve(vec![
            Answer::Raw(503, "text/plain", "Service Unavailable\n".into()),
            Answer::Raw(502, "text/plain", String::new()),
        ]);
        let client = client(&address);
        let err = client.query("x").await.unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "Prometheus at {address} answered HTTP 503 Service Unavailable: Service \
                 Unavailable; Prometheus is failing or overloaded"
            )
        );
        // Flagger's IsOnline test: a 502 is not online.
        let err = client.is_online().await.unwrap_err();
        assert!(
            matches!(
                err,
                QueryError::Failed {
                    status: Some(502),
                    ..
                }
            ),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_silent_server_times_out_as_unreachable() {
        let (address, _seen) = serve(vec![Answer::Silence(Duration::from_secs(3))]);
        let client = PrometheusClient::new(
            &address,
            ClientOptions {
                timeout: Duration::from_millis(300),
                ..ClientOptions::default()
            },
        )
        .unwrap();
        let err = client.query("x").await.unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "Prometheus at {address} is unreachable: no answer within 300ms; check the \
                 address and that Prometheus is running and reachable from the controller"
            )
        );
    }

    #[tokio::test]
    async fn a_closed_port_is_unreachable() {
        let address = {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}", listener.local_addr().unwrap())
        };
        let err = client(&address).query("x").await.unwrap_err();
        let QueryError::Unreachable { detail, .. } = &err else {
            panic!("{err}");
        };
        assert!(detail.starts_with("could not connect"), "{detail}");
    }

    #[tokio::test]
    async fn answers_over_one_mebibyte_are_refused() {
        let (address, _seen) = serve(vec![Answer::Raw(
            200,
            "application/json",
            "x".repeat(MAX_RESPONSE_BYTES + 1),
        )]);
        let err = client(&address).query("x").await.unwrap_err();
        assert!(err.to_string().contains("larger than 1 MiB"), "{err}");
    }

    #[tokio::test]
    async fn is_online_runs_vector_1() {
        let one = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1545905245.458,"1"]}]}}"#;
        let (address, seen) = serve(vec![Answer::Json(200, one), Answer::Json(200, VECTOR_100)]);
        let client = client(&address);
        client.is_online().await.unwrap();
        assert_eq!(seen.recv().unwrap().query(), "vector(1)");
        let err = client.is_online().await.unwrap_err();
        assert!(err.to_string().contains("gave 100, not 1"), "{err}");
    }

    #[tokio::test]
    async fn secret_credentials_headers_and_userinfo() {
        let answers = (0..4).map(|_| Answer::Json(200, VECTOR_100)).collect();
        let (address, seen) = serve(answers);
        let port = address.trim_start_matches("http://");

        // A token is a bearer token, and replaces an Authorization header.
        let headers = BTreeMap::from([
            ("X-Scope-OrgID".to_string(), vec!["tenant-a".to_string()]),
            (
                "Authorization".to_string(),
                vec!["Basic aWdub3JlZA==".to_string()],
            ),
        ]);
        let with_token = PrometheusClient::new(
            &address,
            ClientOptions {
                headers: headers.clone(),
                credentials: secret(&[("token", "ey1234"), ("username", "u")]),
                ..ClientOptions::default()
            },
        )
        .unwrap();
        with_token.query("x").await.unwrap();
        let request = seen.recv().unwrap();
        assert_eq!(request.header("authorization"), ["Bearer ey1234"]);
        assert_eq!(request.header("x-scope-orgid"), ["tenant-a"]);

        // username and password are Basic auth.
        let basic = PrometheusClient::new(
            &address,
            ClientOptions {
                credentials: secret(&[("username", "user"), ("password", "pass")]),
                ..ClientOptions::default()
            },
        )
        .unwrap();
        basic.query("x").await.unwrap();
        assert_eq!(
            seen.recv().unwrap().header("authorization"),
            ["Basic dXNlcjpwYXNz"]
        );

        // Without a secret, the headers' Authorization goes as given.
        let header_only = PrometheusClient::new(
            &address,
            ClientOptions {
                headers,
                ..ClientOptions::default()
            },
        )
        .unwrap();
        header_only.query("x").await.unwrap();
        assert_eq!(
            seen.recv().unwrap().header("authorization"),
            ["Basic aWdub3JlZA=="]
        );

        // Userinfo in the address is Basic auth, and never shown.
        let userinfo = client(&format!("http://us%40er:s3cret@{port}"));
        assert_eq!(userinfo.address(), address);
        assert!(!format!("{userinfo:?}").contains("s3cret"));
        userinfo.query("x").await.unwrap();
        assert_eq!(
            seen.recv().unwrap().header("authorization"),
            ["Basic dXNAZXI6czNjcmV0"]
        );
    }

    #[test]
    fn refuses_bad_settings_without_showing_them() {
        let err = PrometheusClient::new("prometheus:9090", ClientOptions::default()).unwrap_err();
        assert_eq!(err, ConfigError::Address);
        let err = PrometheusClient::new("", ClientOptions::default()).unwrap_err();
        assert_eq!(err, ConfigError::Address);
        let with = |credentials| {
            PrometheusClient::new(
                "http://prometheus:9090",
                ClientOptions {
                    credentials,
                    ..ClientOptions::default()
                },
            )
            .unwrap_err()
        };
        assert_eq!(
            with(secret(&[("password", "p")])),
            ConfigError::MissingCredential { key: "username" }
        );
        assert_eq!(
            with(secret(&[("username", "u")])),
            ConfigError::MissingCredential { key: "password" }
        );
        let err = with(secret(&[("token", "s3cret\n")]));
        assert_eq!(err, ConfigError::InvalidCredential { key: "token" });
        assert!(!err.to_string().contains("s3cret"));
        let err = PrometheusClient::new(
            "http://prometheus:9090",
            ClientOptions {
                headers: BTreeMap::from([("X-Org".into(), vec!["a\nb".into()])]),
                ..ClientOptions::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "spec.provider.headers: a value of header \"X-Org\" is not a valid HTTP header \
             value (control characters?)"
        );
    }

    #[test]
    fn collapses_go_whitespace_only() {
        assert_eq!(collapse_whitespace("\n\ta \r\n\x0c b\t"), " a b ");
        // Go's \s is ASCII: a non-breaking space is kept.
        assert_eq!(collapse_whitespace("a\u{a0}b"), "a\u{a0}b");
    }
}
