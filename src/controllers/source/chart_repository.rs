//! Talking to a Helm HTTP(S) chart repository as a HelmRepository describes it: credentials
//! from `spec.secretRef`, TLS from `spec.certSecretRef`, the timeout, byte caps on every
//! download (SECURITY 5), and the parsed indexes the chart reconciler reuses.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;
use kube::api::Api;
use reqwest::Url;

use super::outcome::{Failure, reason};
use super::registry::{Tls, get_secret, secret_value, tls_material};
use crate::api::source::HelmRepository;

/// How many parsed indexes stay cached; a fleet usually has a handful of repositories.
const INDEX_CACHE_ENTRIES: usize = 32;

/// A client for one chart repository.
pub struct ChartRepository {
    http: reqwest::Client,
    /// The repository URL with a trailing slash, as Flux normalises it.
    base: Url,
    basic_auth: Option<(String, String)>,
    pass_credentials: bool,
}

impl ChartRepository {
    /// The client `repo` describes; reads its Secrets.
    pub async fn for_repository(
        repo: &HelmRepository,
        client: &kube::Client,
        timeout: Duration,
    ) -> Result<ChartRepository, Failure> {
        // An invalid URL is reported before any Secret is read.
        normalize_url(&repo.spec.url)?;
        let ns = repo.namespace().unwrap_or_default();
        let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
        let auth_secret = match &repo.spec.secret_ref {
            Some(r) => Some((
                "spec.secretRef",
                get_secret(&secrets, &ns, &r.name, "spec.secretRef").await?,
            )),
            None => None,
        };
        let cert_secret = match &repo.spec.cert_secret_ref {
            Some(r) => Some((
                "spec.certSecretRef",
                get_secret(&secrets, &ns, &r.name, "spec.certSecretRef").await?,
            )),
            None => None,
        };
        Self::with_secrets(repo, auth_secret, cert_secret, timeout)
    }

    /// The client `repo` describes, with its Secrets already read: `auth_secret` is
    /// `spec.secretRef`'s, `cert_secret` `spec.certSecretRef`'s, each with the field that
    /// named it (for messages). Without the cluster (`tk build helmrelease` offline) both
    /// are `None`.
    pub fn with_secrets(
        repo: &HelmRepository,
        auth_secret: Option<(&'static str, Secret)>,
        cert_secret: Option<(&'static str, Secret)>,
        timeout: Duration,
    ) -> Result<ChartRepository, Failure> {
        let base = normalize_url(&repo.spec.url)?;
        let basic_auth = match &auth_secret {
            Some((field, secret)) => basic_auth(field, secret)?,
            None => None,
        };
        // TLS data in `spec.secretRef` is deprecated but still honoured when there is no
        // `spec.certSecretRef`, as Flux does.
        let (tls_field, tls) = match (&cert_secret, &auth_secret) {
            (Some((field, secret)), _) | (None, Some((field, secret))) => {
                (*field, tls_material(field, secret)?)
            }
            (None, None) => ("", Tls::default()),
        };
        crate::cli::install_crypto_provider();
        let builder = reqwest::Client::builder()
            .user_agent(concat!("tk/", env!("CARGO_PKG_VERSION")))
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(30)));
        let builder = transport::configure(
            builder,
            transport::Settings {
                ca_pem: tls.ca_pem.as_deref(),
                identity_pem: tls.identity_pem.as_deref(),
                proxy: None,
            },
        )
        .map_err(|e| auth_failure(format!("{tls_field}: {e}")))?;
        let http = builder.build().map_err(|e| {
            Failure::stalled(
                crate::api::meta::reason::FAILED,
                format!("failed to construct Helm client: {e}"),
            )
        })?;
        Ok(ChartRepository {
            http,
            base,
            basic_auth,
            pass_credentials: repo.spec.pass_credentials == Some(true),
        })
    }

    pub fn url(&self) -> &Url {
        &self.base
    }

    /// `<url>/index.yaml`.
    pub fn index_url(&self) -> Url {
        self.base.join("index.yaml").expect("a base URL joins")
    }

    /// A chart's download URL from the index, relative ones resolved against the repository.
    pub fn resolve(&self, reference: &str) -> Result<Url, String> {
        let resolved = helm::repo::resolve_reference_url(self.base.as_str(), reference)
            .map_err(|e| e.to_string())?;
        Url::parse(&resolved).map_err(|e| format!("invalid chart URL '{resolved}': {e}"))
    }

    /// GETs `url` into memory, refusing bodies over `cap` bytes (`what` names the file in the
    /// error). Credentials go only to the repository's own host unless `passCredentials`.
    pub async fn get(&self, url: &Url, cap: u64, what: &str) -> Result<Vec<u8>, String> {
        let mut request = self.http.get(url.clone());
        if let Some((user, password)) = &self.basic_auth
            && (self.pass_credentials || same_origin(url, &self.base))
        {
            request = request.basic_auth(user, Some(password));
        }
        let mut response = request.send().await.map_err(|e| error_chain(&e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!(
                "failed to fetch {} : {}",
                redact(url),
                status.canonical_reason().map_or_else(
                    || status.as_u16().to_string(),
                    |r| format!("{} {r}", status.as_u16())
                )
            ));
        }
        if response.content_length().is_some_and(|len| len > cap) {
            return Err(too_large(what, cap));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| error_chain(&e))? {
            if body.len() as u64 + chunk.len() as u64 > cap {
                return Err(too_large(what, cap));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// `index.yaml`, fetched (at most [`helm::repo::MAX_INDEX_SIZE`] bytes) and parsed.
    pub async fn fetch_index(&self) -> Result<helm::repo::IndexFile, String> {
        let bytes = self
            .get(&self.index_url(), helm::repo::MAX_INDEX_SIZE, "index")
            .await
            .map_err(|e| format!("failed to fetch Helm repository index: {e}"))?;
        tokio::task::spawn_blocking(move || helm::repo::IndexFile::from_bytes(&bytes))
            .await
            .map_err(|e| format!("index parsing aborted: {e}"))?
            .map_err(|e| format!("failed to load Helm repository from index YAML: {e}"))
    }

    /// The archive of `entry` (its first URL, at most [`helm::repo::MAX_CHART_SIZE`]
    /// bytes). The message follows source-controller's `chart pull error: `.
    pub async fn download(&self, entry: &helm::repo::ChartVersion) -> Result<Vec<u8>, String> {
        let url_ref = entry
            .urls
            .first()
            .ok_or_else(|| format!("chart '{}' has no downloadable URLs", entry.name()))?;
        let failed = |e: String| format!("failed to download chart for remote reference: {e}");
        let url = self.resolve(url_ref).map_err(failed)?;
        self.get(&url, helm::repo::MAX_CHART_SIZE, "chart")
            .await
            .map_err(failed)
    }
}

/// The entry of `chart` that `version` (a version or a SemVer range; empty or `*`: the
/// latest stable) selects in `index`, by Flux's rules. The message follows
/// source-controller's `invalid chart reference: `.
pub fn select_version<'a>(
    index: &'a helm::repo::IndexFile,
    chart: &str,
    version: &str,
) -> Result<&'a helm::repo::ChartVersion, String> {
    index
        .chart_version(chart, version)
        .map_err(|e| format!("failed to get chart version for remote reference: {e}"))
}

/// Caps for loading a downloaded chart: an archive may hold up to
/// [`helm::repo::MAX_CHART_SIZE`] compressed, and charts compress about five to one.
pub fn load_limits() -> helm::loader::Limits {
    helm::loader::Limits {
        max_chart_size: helm::repo::MAX_CHART_SIZE * 5,
        ..Default::default()
    }
}

fn too_large(what: &str, cap: u64) -> String {
    format!("{what} exceeds the maximum {what} file size of {cap} bytes")
}

/// Flux's NormalizeURL: http(s) only here, with one trailing slash.
pub fn normalize_url(url: &str) -> Result<Url, Failure> {
    let invalid = |detail: String| {
        Failure::stalled(
            reason::URL_INVALID,
            format!("invalid Helm repository URL: {detail}"),
        )
    };
    if url.starts_with("oci://") {
        return Err(invalid(
            "'oci' URL scheme cannot be used with 'default' HelmRepository type".into(),
        ));
    }
    let trimmed = format!("{}/", url.trim_end_matches('/'));
    let parsed = Url::parse(&trimmed).map_err(|e| invalid(format!("parse \"{url}\": {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "scheme \"{}\" not supported: use http:// or https://",
            parsed.scheme()
        )));
    }
    Ok(parsed)
}

/// Flux's `repository.NormalizeURL` as text: the key that matches a chart dependency's
/// `repository` to a HelmRepository's `spec.url`. The path loses its trailing slashes and,
/// except for `oci://` URLs, gets one back; the scheme is lower-cased (Go's `url.Parse`
/// does it); query and fragment stay; an opaque URL (`alias:name`) and `""` are kept as
/// they are. Nothing else is rewritten, so `https://Charts.example.com` and
/// `https://charts.example.com` stay different keys, as they are for Flux.
pub fn normalize_url_key(url: &str) -> String {
    if url.is_empty() {
        return String::new();
    }
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let (head, tail) = url.split_at(end);
    let scheme = head.split_once(':').map(|(s, _)| s).filter(|s| {
        s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    let head = match scheme {
        Some(scheme) => {
            let rest = &head[scheme.len() + 1..];
            if !rest.starts_with('/') {
                return url.to_string();
            }
            format!("{}:{rest}", scheme.to_ascii_lowercase())
        }
        None => head.to_string(),
    };
    let mut key = head.trim_end_matches('/').to_string();
    if !key.starts_with("oci://") {
        key.push('/');
    }
    key.push_str(tail);
    key
}

/// A URL from user data for messages: without userinfo or query when it parses.
pub fn redact_text(url: &str) -> String {
    match Url::parse(url) {
        Ok(parsed) if parsed.has_authority() => {
            let shown = redact(&parsed);
            // `Url` adds a slash to an empty path; show what was written.
            if !url.ends_with('/') && shown.ends_with('/') && parsed.path() == "/" {
                shown.trim_end_matches('/').to_string()
            } else {
                shown
            }
        }
        _ => url.to_string(),
    }
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// The URL without credentials or query, for messages.
fn redact(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.to_string()
}

fn error_chain(err: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut message = match err.url() {
        Some(url) => format!("GET {}: ", redact(url)),
        None => String::new(),
    };
    let mut source: Option<&dyn std::error::Error> = err.source();
    let mut parts = vec![if err.is_timeout() {
        "timeout".to_string()
    } else if err.is_connect() {
        "connection failed".to_string()
    } else {
        "request failed".to_string()
    }];
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    message.push_str(&parts.join(": "));
    message
}

fn auth_failure(message: String) -> Failure {
    Failure::retry(reason::AUTHENTICATION_FAILED, message)
}

fn basic_auth(field: &str, secret: &Secret) -> Result<Option<(String, String)>, Failure> {
    let name = secret.name_any();
    let text = |key| {
        secret_value(secret, key)
            .map(|v| String::from_utf8(v).map(|s| s.trim_end_matches(['\n', '\r']).to_string()))
            .transpose()
            .map_err(|_| auth_failure(format!("{field}: secret '{name}' key '{key}' is not UTF-8")))
    };
    match (text("username")?, text("password")?) {
        (Some(user), Some(password)) => Ok(Some((user, password))),
        (None, None) => Ok(None),
        _ => Err(auth_failure(format!(
            "{field}: invalid '{name}' secret data: required fields 'username' and 'password'"
        ))),
    }
}

/// Parsed indexes by artifact path: the stored index of a HelmRepository is read once per
/// revision however many charts use it.
#[derive(Default)]
pub struct IndexCache {
    entries: Mutex<HashMap<String, Arc<helm::repo::IndexFile>>>,
}

impl IndexCache {
    pub fn get(&self, path: &str) -> Option<Arc<helm::repo::IndexFile>> {
        self.lock().get(path).cloned()
    }

    pub fn insert(&self, path: &str, index: Arc<helm::repo::IndexFile>) {
        let mut entries = self.lock();
        if entries.len() >= INDEX_CACHE_ENTRIES && !entries.contains_key(path) {
            // Artifact paths carry the digest, so a dropped entry is only a re-parse.
            entries.clear();
        }
        entries.insert(path.to_string(), index);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<helm::repo::IndexFile>>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Go's `units.HumanSize`: decimal units, four significant digits ("30.88kB").
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1000.0 && unit < UNITS.len() - 1 {
        size /= 1000.0;
        unit += 1;
    }
    let digits = if size < 10.0 {
        1
    } else if size < 100.0 {
        2
    } else {
        3
    };
    let text = format!("{size:.*}", 4 - digits);
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    format!("{text}{}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_size_matches_go_units() {
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(512), "512B");
        assert_eq!(human_size(30_880), "30.88kB");
        assert_eq!(human_size(40_898), "40.9kB");
        assert_eq!(human_size(1_500_000), "1.5MB");
        assert_eq!(human_size(100_000), "100kB");
    }

    #[test]
    fn urls_are_normalised_as_flux_does() {
        assert_eq!(
            normalize_url("https://charts.example.com/stable")
                .unwrap()
                .as_str(),
            "https://charts.example.com/stable/"
        );
        assert_eq!(
            normalize_url("http://127.0.0.1:8080//").unwrap().as_str(),
            "http://127.0.0.1:8080/"
        );
        let oci = normalize_url("oci://ghcr.io/charts").unwrap_err();
        assert!(oci.stalled);
        assert_eq!(oci.reason, reason::URL_INVALID);
        assert!(oci.message.contains("'oci' URL scheme"), "{}", oci.message);
        assert!(normalize_url("ftp://example.com").unwrap_err().stalled);
    }

    #[test]
    fn dependency_urls_key_as_flux_normalises_them() {
        // Flux's own NormalizeURL cases.
        for (url, key) in [
            ("http://example.com/", "http://example.com/"),
            ("http://example.com", "http://example.com/"),
            ("http://example.com//", "http://example.com/"),
            ("", ""),
            ("oci://example.com/", "oci://example.com"),
            ("oci://example.com//", "oci://example.com"),
            (
                "https://charts.example.com/stable?token=x",
                "https://charts.example.com/stable/?token=x",
            ),
            (
                "HTTPS://charts.example.com/stable/",
                "https://charts.example.com/stable/",
            ),
            ("@fantastic-charts", "@fantastic-charts/"),
            ("alias:fantastic-charts", "alias:fantastic-charts"),
            ("file://../common", "file://../common/"),
        ] {
            assert_eq!(normalize_url_key(url), key, "{url}");
        }
        // A HelmRepository's URL and a dependency's match however their slashes fall.
        assert_eq!(
            normalize_url_key("http://127.0.0.1:8080"),
            normalize_url_key("http://127.0.0.1:8080/")
        );
    }

    #[test]
    fn user_urls_lose_credentials_in_messages() {
        assert_eq!(
            redact_text("https://fleet:s3cret@charts.example.com/stable?token=x"),
            "https://charts.example.com/stable"
        );
        assert_eq!(
            redact_text("https://charts.example.com"),
            "https://charts.example.com"
        );
        assert_eq!(redact_text("http://127.0.0.1:1/"), "http://127.0.0.1:1/");
        assert_eq!(redact_text("@fantastic-charts"), "@fantastic-charts");
    }

    #[test]
    fn credentials_stay_on_the_repository_origin() {
        let base = Url::parse("https://charts.example.com/x/").unwrap();
        assert!(same_origin(
            &Url::parse("https://charts.example.com/x/a.tgz").unwrap(),
            &base
        ));
        assert!(same_origin(
            &Url::parse("https://charts.example.com:443/y").unwrap(),
            &base
        ));
        assert!(!same_origin(
            &Url::parse("https://cdn.example.com/a.tgz").unwrap(),
            &base
        ));
        assert!(!same_origin(
            &Url::parse("http://charts.example.com/a.tgz").unwrap(),
            &base
        ));
    }
}
