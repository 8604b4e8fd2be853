//! The Distribution API client: `/v2/` (login), tag lists, manifests and blobs, each behind
//! the authentication a `401` asks for.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, LINK, LOCATION, WWW_AUTHENTICATE};
use reqwest::{StatusCode, Url};
use sha2::{Digest, Sha256};

use crate::auth::{Challenge, Credentials, parse_challenges};
use crate::manifest::{Descriptor, Manifest, media_type};
use crate::reference::{check_digest, valid_tag, validate_repository_name};
use crate::{
    Error, MAX_MANIFEST_SIZE, MAX_TAG_PAGE_SIZE, MAX_TAGS, MAX_TOKEN_RESPONSE_SIZE, Result,
};

/// How much of an error body is read to say what the registry meant.
const MAX_ERROR_BODY: u64 = 64 << 10;
/// The most pages of one tag list followed.
const MAX_TAG_PAGES: usize = 10_000;
/// Every manifest kind a reference may name; image indexes are then refused by name.
const MANIFEST_ACCEPT: [&str; 4] = [
    media_type::OCI_MANIFEST,
    media_type::DOCKER_MANIFEST,
    media_type::OCI_INDEX,
    media_type::DOCKER_MANIFEST_LIST,
];

/// How to reach a registry.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Speak plain HTTP (HelmRepository `spec.insecure`); HTTPS otherwise, and redirects to
    /// plain HTTP are refused.
    pub plain_http: bool,
    /// Per request, including reading the body.
    pub timeout: Duration,
    /// PEM CA certificates trusted besides the system's.
    pub ca_pem: Option<Vec<u8>>,
    /// PEM client certificate followed by its private key.
    pub identity_pem: Option<Vec<u8>>,
    /// Basic credentials, sent to a token realm or to a registry that asks for Basic; never
    /// sent before a challenge.
    pub credentials: Option<Credentials>,
    /// Every request goes through this proxy; without one, the `HTTPS_PROXY`/`NO_PROXY`
    /// environment applies.
    pub proxy: Option<Proxy>,
    pub user_agent: String,
}

pub use transport::Proxy;

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            plain_http: false,
            timeout: Duration::from_secs(60),
            ca_pem: None,
            identity_pem: None,
            credentials: None,
            proxy: None,
            user_agent: concat!("tk-oci/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }
}

/// A client for one registry. Tokens are kept per scope for the client's lifetime; make a
/// new client per reconcile so credentials changes apply at once.
pub struct Client {
    http: reqwest::Client,
    base: Url,
    plain_http: bool,
    credentials: Option<Credentials>,
    auth: Mutex<AuthState>,
}

#[derive(Default)]
struct AuthState {
    /// Bearer tokens by the scope asked for (`repository:<name>:pull`, or "" for `/v2/`).
    tokens: HashMap<String, String>,
    /// The registry asked for Basic: send the credentials up front from now on.
    basic: bool,
}

#[derive(Clone)]
enum Auth {
    Basic(Credentials),
    Bearer(String),
}

/// The HTTP methods the Distribution API needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verb {
    Get,
    Head,
    Post,
    Put,
}

impl Verb {
    fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Head => "HEAD",
            Verb::Post => "POST",
            Verb::Put => "PUT",
        }
    }

    fn method(self) -> reqwest::Method {
        match self {
            Verb::Get => reqwest::Method::GET,
            Verb::Head => reqwest::Method::HEAD,
            Verb::Post => reqwest::Method::POST,
            Verb::Put => reqwest::Method::PUT,
        }
    }
}

/// One request; the body is `Bytes` so the request can be sent again after a challenge
/// without copying it.
struct Request<'a> {
    verb: Verb,
    url: &'a Url,
    accept: Option<&'a str>,
    content_type: Option<&'a str>,
    body: Option<Bytes>,
}

impl<'a> Request<'a> {
    fn new(verb: Verb, url: &'a Url) -> Request<'a> {
        Request {
            verb,
            url,
            accept: None,
            content_type: None,
            body: None,
        }
    }

    fn accept(mut self, accept: &'a str) -> Request<'a> {
        self.accept = Some(accept);
        self
    }

    fn body(mut self, content_type: &'a str, body: Bytes) -> Request<'a> {
        self.content_type = Some(content_type);
        self.body = Some(body);
        self
    }
}

impl Client {
    /// A client for `registry` (`host` or `host:port`).
    pub fn new(registry: &str, options: ClientOptions) -> Result<Client> {
        let scheme = if options.plain_http { "http" } else { "https" };
        let base = Url::parse(&format!("{scheme}://{registry}/")).map_err(|e| {
            Error::InvalidReference {
                input: registry.to_string(),
                reason: format!("bad registry host: {e}"),
            }
        })?;
        let plain_http = options.plain_http;
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 10 {
                attempt.error("stopped after 10 redirects")
            } else if !plain_http && attempt.url().scheme() != "https" {
                attempt.error("refused a redirect from HTTPS to plain HTTP")
            } else {
                attempt.follow()
            }
        });
        let builder = reqwest::Client::builder()
            .user_agent(options.user_agent.clone())
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(Duration::from_secs(30)))
            .redirect(redirects);
        let builder = transport::configure(
            builder,
            transport::Settings {
                ca_pem: options.ca_pem.as_deref(),
                identity_pem: options.identity_pem.as_deref(),
                proxy: options.proxy.as_ref(),
            },
        )
        .map_err(|e| Error::Config(e.to_string()))?;
        let http = builder
            .build()
            .map_err(|e| Error::Config(format!("failed to build the HTTP client: {e}")))?;
        Ok(Client {
            http,
            base,
            plain_http,
            credentials: options.credentials,
            auth: Mutex::default(),
        })
    }

    /// `scheme://registry/`.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// Checks the registry answers the API and accepts the credentials, as `helm registry
    /// login` and `docker login` do: `GET /v2/`, answering its challenge.
    pub async fn ping(&self) -> Result<()> {
        let url = self.url("v2/")?;
        let response = self.get(&url, None, "").await?;
        if !response.status().is_success() {
            return Err(status_error(Verb::Get, response, &url).await);
        }
        Ok(())
    }

    /// Every tag of `repository`, following `Link: <...>; rel="next"` pages.
    pub async fn tags(&self, repository: &str) -> Result<Vec<String>> {
        check_name(repository)?;
        let scope = pull_scope(repository);
        let mut url = self.url(&format!("v2/{repository}/tags/list"))?;
        let mut tags = Vec::new();
        for _ in 0..MAX_TAG_PAGES {
            let response = self.get(&url, Some("application/json"), &scope).await?;
            if !response.status().is_success() {
                return Err(status_error(Verb::Get, response, &url).await);
            }
            let next = self.next_link(response.headers(), &url)?;
            let body = read_capped(response, MAX_TAG_PAGE_SIZE, "tag list page", &url).await?;
            #[derive(serde::Deserialize)]
            struct TagList {
                #[serde(default)]
                tags: Option<Vec<String>>,
            }
            let page: TagList = serde_json::from_slice(&body)
                .map_err(|e| Error::Other(format!("GET {}: invalid tag list: {e}", shown(&url))))?;
            tags.extend(page.tags.unwrap_or_default());
            if tags.len() > MAX_TAGS {
                return Err(Error::TooLarge {
                    what: format!("the tag list of {repository}"),
                    cap: MAX_TAGS as u64,
                });
            }
            match next {
                Some(next) if next == url => {
                    return Err(Error::Other(format!(
                        "GET {}: the tag list links to itself as its next page",
                        shown(&url)
                    )));
                }
                Some(next) => url = next,
                None => return Ok(tags),
            }
        }
        Err(Error::Other(format!(
            "the tag list of {repository} has more than {MAX_TAG_PAGES} pages"
        )))
    }

    /// The image manifest `reference` (a tag or `sha256:` digest) names, checked against the
    /// digest asked for or the one the registry reports.
    pub async fn manifest(&self, repository: &str, reference: &str) -> Result<Manifest> {
        check_name(repository)?;
        let by_digest = reference.starts_with("sha256:");
        if by_digest {
            check_digest(reference)?;
        } else {
            check_tag(reference)?;
        }
        let url = self.url(&format!("v2/{repository}/manifests/{reference}"))?;
        let accept = MANIFEST_ACCEPT.join(", ");
        let response = self
            .get(&url, Some(&accept), &pull_scope(repository))
            .await?;
        if !response.status().is_success() {
            return Err(status_error(Verb::Get, response, &url).await);
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(CONTENT_TYPE.as_str());
        let reported = header("docker-content-digest");
        let body = read_capped(response, MAX_MANIFEST_SIZE, "manifest", &url).await?;
        let digest = format!("sha256:{:x}", Sha256::digest(&body));
        let expected = if by_digest {
            Some(reference.to_string())
        } else {
            reported.filter(|d| d.starts_with("sha256:"))
        };
        if let Some(expected) = expected
            && expected != digest
        {
            return Err(Error::DigestMismatch {
                what: format!("manifest {repository}:{reference}"),
                expected,
                actual: digest,
            });
        }
        Manifest::parse(&body, content_type.as_deref(), digest)
    }

    /// Streams the blob `descriptor` names into `sink`, refusing it when it is (or claims to
    /// be) over `cap` bytes, and checking its size and digest; returns the bytes written.
    /// `what` names the blob in errors ("chart layer").
    pub async fn blob_into(
        &self,
        repository: &str,
        descriptor: &Descriptor,
        cap: u64,
        what: &str,
        sink: &mut (impl std::io::Write + ?Sized),
    ) -> Result<u64> {
        check_name(repository)?;
        check_digest(&descriptor.digest)?;
        let size = u64::try_from(descriptor.size).map_err(|_| {
            Error::Manifest(format!("{what} has a negative size {}", descriptor.size))
        })?;
        if size > cap {
            return Err(Error::TooLarge {
                what: what.to_string(),
                cap,
            });
        }
        let url = self.url(&format!("v2/{repository}/blobs/{}", descriptor.digest))?;
        let mut response = self.get(&url, None, &pull_scope(repository)).await?;
        if !response.status().is_success() {
            return Err(status_error(Verb::Get, response, &url).await);
        }
        if let Some(length) = response.content_length()
            && length != size
        {
            return Err(if length > cap {
                Error::TooLarge {
                    what: what.to_string(),
                    cap,
                }
            } else {
                Error::SizeMismatch {
                    what: what.to_string(),
                    expected: size,
                    actual: length,
                }
            });
        }
        let mut hasher = Sha256::new();
        let mut total = 0u64;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport(Verb::Get, &url, &e))?
        {
            total += chunk.len() as u64;
            if total > size {
                return Err(Error::SizeMismatch {
                    what: what.to_string(),
                    expected: size,
                    actual: total,
                });
            }
            hasher.update(&chunk);
            sink.write_all(&chunk)
                .map_err(|e| Error::Other(format!("writing {what}: {e}")))?;
        }
        if total != size {
            return Err(Error::SizeMismatch {
                what: what.to_string(),
                expected: size,
                actual: total,
            });
        }
        let digest = format!("sha256:{:x}", hasher.finalize());
        if digest != descriptor.digest {
            return Err(Error::DigestMismatch {
                what: what.to_string(),
                expected: descriptor.digest.clone(),
                actual: digest,
            });
        }
        Ok(total)
    }

    /// [`Client::blob_into`] a new buffer.
    pub async fn blob(
        &self,
        repository: &str,
        descriptor: &Descriptor,
        cap: u64,
        what: &str,
    ) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.blob_into(repository, descriptor, cap, what, &mut out)
            .await?;
        Ok(out)
    }

    /// The digest of the manifest `tag` names, from `HEAD` (registries such as Docker Hub
    /// do not count it as a pull); when the registry will not say, from the manifest itself.
    pub async fn manifest_digest(&self, repository: &str, tag: &str) -> Result<String> {
        check_name(repository)?;
        check_tag(tag)?;
        let url = self.url(&format!("v2/{repository}/manifests/{tag}"))?;
        let accept = MANIFEST_ACCEPT.join(", ");
        let head = self
            .execute(
                Request::new(Verb::Head, &url).accept(&accept),
                &pull_scope(repository),
            )
            .await;
        let reported = head.ok().filter(|r| r.status().is_success()).and_then(|r| {
            r.headers()
                .get("docker-content-digest")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        });
        match reported {
            Some(digest) if check_digest(&digest).is_ok() => Ok(digest),
            // GET says why HEAD failed: a HEAD answer has no body to explain it.
            _ => Ok(self.manifest(repository, tag).await?.digest),
        }
    }

    /// Uploads `data` as a blob of `repository` (one monolithic `POST` + `PUT`, as the
    /// distribution spec describes), unless the registry has it already; returns its
    /// descriptor with `media_type`.
    pub async fn push_blob(
        &self,
        repository: &str,
        media_type: &str,
        data: Bytes,
    ) -> Result<Descriptor> {
        check_name(repository)?;
        let descriptor = Descriptor {
            media_type: media_type.to_string(),
            digest: format!("sha256:{:x}", Sha256::digest(&data)),
            size: i64::try_from(data.len()).expect("an allocation never exceeds i64::MAX bytes"),
            annotations: None,
        };
        let scope = push_scope(repository);
        let existing = self.url(&format!("v2/{repository}/blobs/{}", descriptor.digest))?;
        let head = self
            .execute(Request::new(Verb::Head, &existing), &scope)
            .await?;
        if head.status().is_success() {
            return Ok(descriptor);
        }
        let start = self.url(&format!("v2/{repository}/blobs/uploads/"))?;
        let response = self
            .execute(Request::new(Verb::Post, &start), &scope)
            .await?;
        if response.status() != StatusCode::ACCEPTED {
            return Err(status_error(Verb::Post, response, &start).await);
        }
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                Error::Other(format!(
                    "POST {}: the registry answered without an upload Location",
                    shown(&start)
                ))
            })?;
        let mut upload = start.join(location).map_err(|e| {
            Error::Other(format!(
                "POST {}: invalid upload Location: {e}",
                shown(&start)
            ))
        })?;
        if !self.plain_http && upload.scheme() != "https" {
            return Err(Error::Other(format!(
                "POST {}: refusing the upload Location {}: it is not HTTPS",
                shown(&start),
                shown(&upload)
            )));
        }
        upload
            .query_pairs_mut()
            .append_pair("digest", &descriptor.digest);
        let put = Request::new(Verb::Put, &upload).body("application/octet-stream", data);
        // Credentials stay with the registry: an upload location elsewhere (a storage
        // backend) gets the bytes only.
        let response = if same_origin(&upload, &self.base) {
            self.execute(put, &scope).await?
        } else {
            self.send(&put, None).await?
        };
        if !response.status().is_success() {
            return Err(status_error(Verb::Put, response, &upload).await);
        }
        Ok(descriptor)
    }

    /// Uploads `manifest` (of `media_type`) as `repository:<tag>`; returns its digest, as
    /// computed here and checked against the one the registry reports.
    pub async fn push_manifest(
        &self,
        repository: &str,
        tag: &str,
        media_type: &str,
        manifest: Bytes,
    ) -> Result<String> {
        check_name(repository)?;
        check_tag(tag)?;
        if manifest.len() as u64 > MAX_MANIFEST_SIZE {
            return Err(Error::TooLarge {
                what: format!("the manifest for {repository}:{tag}"),
                cap: MAX_MANIFEST_SIZE,
            });
        }
        let digest = format!("sha256:{:x}", Sha256::digest(&manifest));
        let url = self.url(&format!("v2/{repository}/manifests/{tag}"))?;
        let response = self
            .execute(
                Request::new(Verb::Put, &url).body(media_type, manifest),
                &push_scope(repository),
            )
            .await?;
        if !response.status().is_success() {
            return Err(status_error(Verb::Put, response, &url).await);
        }
        let reported = response
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok());
        if let Some(reported) = reported
            && reported != digest
        {
            return Err(Error::DigestMismatch {
                what: format!("manifest {repository}:{tag} as stored"),
                expected: digest,
                actual: reported.to_string(),
            });
        }
        Ok(digest)
    }

    fn url(&self, path: &str) -> Result<Url> {
        self.base.join(path).map_err(|e| Error::InvalidReference {
            input: path.to_string(),
            reason: e.to_string(),
        })
    }

    /// The next page of a tag list, only on the registry itself.
    fn next_link(&self, headers: &HeaderMap, current: &Url) -> Result<Option<Url>> {
        for value in headers.get_all(LINK) {
            let Ok(value) = value.to_str() else { continue };
            for link in value.split(',') {
                let Some((target, params)) = link.trim().split_once('>') else {
                    continue;
                };
                let target = target.trim().trim_start_matches('<');
                let is_next = params.split(';').any(|p| {
                    let p = p.trim().replace(' ', "");
                    p.eq_ignore_ascii_case("rel=\"next\"") || p.eq_ignore_ascii_case("rel=next")
                });
                if !is_next {
                    continue;
                }
                let next = current.join(target).map_err(|e| {
                    Error::Other(format!(
                        "GET {}: invalid next-page link: {e}",
                        shown(current)
                    ))
                })?;
                if !same_origin(&next, &self.base) {
                    return Err(Error::Other(format!(
                        "GET {}: refusing to follow the tag list to another host ({})",
                        shown(current),
                        shown(&next)
                    )));
                }
                return Ok(Some(next));
            }
        }
        Ok(None)
    }

    fn cached_auth(&self, scope: &str) -> Option<Auth> {
        let state = self.auth.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(token) = state.tokens.get(scope) {
            return Some(Auth::Bearer(token.clone()));
        }
        match (&self.credentials, state.basic) {
            (Some(c), true) => Some(Auth::Basic(c.clone())),
            _ => None,
        }
    }

    async fn send(&self, request: &Request<'_>, auth: Option<&Auth>) -> Result<reqwest::Response> {
        let mut builder = self
            .http
            .request(request.verb.method(), request.url.clone());
        if let Some(accept) = request.accept {
            builder = builder.header(ACCEPT, accept);
        }
        if let Some(content_type) = request.content_type {
            builder = builder.header(CONTENT_TYPE, content_type);
        }
        match &request.body {
            Some(body) => builder = builder.body(body.clone()),
            // Distribution answers a bodiless POST or PUT without a length with 411.
            None if matches!(request.verb, Verb::Post | Verb::Put) => {
                builder = builder.header(reqwest::header::CONTENT_LENGTH, 0)
            }
            None => {}
        }
        builder = match auth {
            Some(Auth::Basic(c)) => builder.basic_auth(&c.username, Some(&c.password)),
            Some(Auth::Bearer(token)) => builder.bearer_auth(token),
            None => builder,
        };
        builder
            .send()
            .await
            .map_err(|e| transport(request.verb, request.url, &e))
    }

    /// GETs `url`, answering one authentication challenge.
    async fn get(&self, url: &Url, accept: Option<&str>, scope: &str) -> Result<reqwest::Response> {
        let mut request = Request::new(Verb::Get, url);
        request.accept = accept;
        self.execute(request, scope).await
    }

    /// Sends `request` with the credentials cached for `scope`, answering one
    /// authentication challenge.
    async fn execute(&self, request: Request<'_>, scope: &str) -> Result<reqwest::Response> {
        let response = self
            .send(&request, self.cached_auth(scope).as_ref())
            .await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        let challenges: Vec<Challenge> = response
            .headers()
            .get_all(WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(parse_challenges)
            .collect();
        let first = error_detail(response).await;
        let auth = self.answer(&challenges, scope, &request, &first).await?;
        let response = self.send(&request, Some(&auth)).await?;
        if response.status() == StatusCode::UNAUTHORIZED {
            let detail = error_detail(response).await;
            return Err(Error::Unauthorized {
                method: request.verb.as_str(),
                url: shown(request.url),
                detail: format!("401 Unauthorized{detail}"),
            });
        }
        Ok(response)
    }

    async fn answer(
        &self,
        challenges: &[Challenge],
        scope: &str,
        request: &Request<'_>,
        detail: &str,
    ) -> Result<Auth> {
        let bearer = challenges.iter().find_map(|c| match c {
            Challenge::Bearer {
                realm,
                service,
                scope,
            } => Some((realm, service, scope)),
            _ => None,
        });
        if let Some((realm, service, challenge_scope)) = bearer {
            let asked = challenge_scope
                .as_deref()
                .or((!scope.is_empty()).then_some(scope));
            let token = self.token(realm, service.as_deref(), asked).await?;
            self.auth
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .tokens
                .insert(scope.to_string(), token.clone());
            return Ok(Auth::Bearer(token));
        }
        if challenges.contains(&Challenge::Basic) {
            return match &self.credentials {
                Some(c) => {
                    self.auth.lock().unwrap_or_else(|p| p.into_inner()).basic = true;
                    Ok(Auth::Basic(c.clone()))
                }
                None => Err(Error::Unauthorized {
                    method: request.verb.as_str(),
                    url: shown(request.url),
                    detail: format!(
                        "401 Unauthorized{detail}: the registry asks for credentials and none \
                         were given"
                    ),
                }),
            };
        }
        Err(Error::Unauthorized {
            method: request.verb.as_str(),
            url: shown(request.url),
            detail: format!("401 Unauthorized{detail} (no Bearer or Basic challenge to answer)"),
        })
    }

    /// A token from the realm of a Bearer challenge (the Docker token flow), asked with the
    /// credentials when there are some, anonymously otherwise.
    async fn token(
        &self,
        realm: &str,
        service: Option<&str>,
        scope: Option<&str>,
    ) -> Result<String> {
        let refused = |url: String, detail: String| Error::Unauthorized {
            method: Verb::Get.as_str(),
            url,
            detail,
        };
        let mut url = Url::parse(realm).map_err(|e| {
            refused(
                realm.to_string(),
                format!("the token realm is not a URL: {e}"),
            )
        })?;
        match url.scheme() {
            "https" => {}
            "http" if self.plain_http || self.credentials.is_none() => {}
            "http" => {
                return Err(refused(
                    shown(&url),
                    "refusing to send credentials to a plain-HTTP token realm".into(),
                ));
            }
            other => {
                return Err(refused(
                    shown(&url),
                    format!("the token realm has scheme '{other}': only http(s) is supported"),
                ));
            }
        }
        if service.is_some() || scope.is_some() {
            let mut query = url.query_pairs_mut();
            if let Some(service) = service {
                query.append_pair("service", service);
            }
            for scope in scope.into_iter().flat_map(str::split_whitespace) {
                query.append_pair("scope", scope);
            }
        }
        let mut request = self
            .http
            .get(url.clone())
            .header(ACCEPT, "application/json");
        if let Some(c) = &self.credentials {
            request = request.basic_auth(&c.username, Some(&c.password));
        }
        let response = request
            .send()
            .await
            .map_err(|e| transport(Verb::Get, &url, &e))?;
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            let detail = error_detail(response).await;
            return Err(refused(
                shown(&url),
                format!("the token service answered {}{detail}", status_text(status)),
            ));
        }
        if !status.is_success() {
            return Err(status_error(Verb::Get, response, &url).await);
        }
        let body = read_capped(response, MAX_TOKEN_RESPONSE_SIZE, "token response", &url).await?;
        #[derive(serde::Deserialize)]
        struct Token {
            #[serde(default)]
            token: Option<String>,
            #[serde(default)]
            access_token: Option<String>,
        }
        let parsed: Token = serde_json::from_slice(&body).map_err(|e| {
            Error::Other(format!("GET {}: invalid token response: {e}", shown(&url)))
        })?;
        parsed
            .token
            .filter(|t| !t.is_empty())
            .or(parsed.access_token.filter(|t| !t.is_empty()))
            .ok_or_else(|| {
                Error::Other(format!(
                    "GET {}: the token response holds no token",
                    shown(&url)
                ))
            })
    }
}

fn pull_scope(repository: &str) -> String {
    format!("repository:{repository}:pull")
}

fn push_scope(repository: &str) -> String {
    format!("repository:{repository}:pull,push")
}

fn check_tag(tag: &str) -> Result<()> {
    if valid_tag(tag) {
        return Ok(());
    }
    Err(Error::InvalidReference {
        input: tag.to_string(),
        reason: "a tag is 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or \
                 '-'"
        .into(),
    })
}

fn check_name(repository: &str) -> Result<()> {
    validate_repository_name(repository).map_err(|reason| Error::InvalidReference {
        input: repository.to_string(),
        reason,
    })
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// The URL without user info or query, for messages.
pub(crate) fn shown(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

fn transport(verb: Verb, url: &Url, err: &reqwest::Error) -> Error {
    use std::error::Error as _;
    let mut parts = vec![if err.is_timeout() {
        "timeout".to_string()
    } else if err.is_connect() {
        "connection failed".to_string()
    } else if err.is_redirect() {
        "redirect refused".to_string()
    } else {
        "request failed".to_string()
    }];
    let mut source = err.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    Error::Transport {
        method: verb.as_str(),
        url: shown(url),
        detail: parts.join(": "),
    }
}

async fn read_capped(
    mut response: reqwest::Response,
    cap: u64,
    what: &str,
    url: &Url,
) -> Result<Vec<u8>> {
    let too_large = || Error::TooLarge {
        what: format!("the {what} at {}", shown(url)),
        cap,
    };
    if response.content_length().is_some_and(|len| len > cap) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport(Verb::Get, url, &e))?
    {
        if body.len() as u64 + chunk.len() as u64 > cap {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// `: CODE: message` from a registry error body (`{"errors":[{"code","message"}]}`), or a
/// short plain-text body; empty when there is nothing worth showing. Reads at most
/// [`MAX_ERROR_BODY`] bytes and never fails.
async fn error_detail(mut response: reqwest::Response) -> String {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() as u64 >= MAX_ERROR_BODY {
            break;
        }
    }
    #[derive(serde::Deserialize)]
    struct Errors {
        #[serde(default)]
        errors: Vec<ErrorEntry>,
    }
    #[derive(serde::Deserialize)]
    struct ErrorEntry {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    if let Ok(parsed) = serde_json::from_slice::<Errors>(&body)
        && !parsed.errors.is_empty()
    {
        let parts: Vec<String> = parsed
            .errors
            .iter()
            .take(5)
            .map(|e| match (e.code.is_empty(), e.message.is_empty()) {
                (false, false) => format!("{}: {}", e.code, e.message),
                (false, true) => e.code.clone(),
                _ => e.message.clone(),
            })
            .collect();
        return format!(": {}", parts.join("; "));
    }
    let text = String::from_utf8_lossy(&body);
    let text = text.trim();
    if !text.is_empty() && text.len() <= 200 && !text.contains('<') {
        format!(": {text}")
    } else {
        String::new()
    }
}

async fn status_error(verb: Verb, response: reqwest::Response, url: &Url) -> Error {
    let status = status_text(response.status());
    Error::Status {
        method: verb.as_str(),
        url: shown(url),
        status,
        detail: error_detail(response).await,
    }
}
