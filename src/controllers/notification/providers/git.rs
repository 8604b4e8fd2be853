//! Notifiers of the Git commit status provider types, posting what Flux's
//! notification-controller posts. `spec.address` is the repository's URL (https, ssh or
//! scp-like), the commit is the event's `revision` metadata, and the status is named after
//! the object and the Provider (`<kind>/<name>/<first uid group>`, lower case):
//!
//! - `github`: lists the commit's statuses (`per_page=50`), and unless the newest of that
//!   context already has the state and description, creates one (`state`, `description`,
//!   `context`) at `api.github.com`, or `<host>/api/v3` for GitHub Enterprise.
//! - `gitlab`: lists the statuses of that name, and unless one matches, sets
//!   (`state`, `name`, `description`) at `<host>/api/v4/projects/<url-encoded path>`.
//! - `gitea`: lists the statuses (`limit=50`), and unless the newest of that context
//!   matches, creates one (`state`, `target_url`, `description`, `context`) at
//!   `<host>/api/v1`; Progressing events are `pending`.
//! - `bitbucket`: reads the build status of the key (the SHA-1 of the status name), and
//!   unless it matches, posts (`key`, `url`, `state`, `name`, `description`) to
//!   `api.bitbucket.org/2.0`; the token is `<username>:<app password>`.
//! - `bitbucketserver`: reads the build status of the key, and unless it matches, posts
//!   (`key`, `state`, `url`, `description`, `name [description]`) to
//!   `<host><context>/rest/api/latest/projects/<key>/repos/<slug>/commits/<sha>/builds`.
//!
//! Events without a revision post nothing; Progressing events post nothing, except to Gitea.

use futures::future::BoxFuture;
use reqwest::Method;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use super::http::{Http, hex, origin, truncate};
use super::{ConfigError, Notifier, ProviderConfig, SendError, name_and_description};
use crate::controllers::notification::event::{Event, SEVERITY_ERROR, SEVERITY_INFO};

/// Flux's `meta.ProgressingReason`.
const PROGRESSING_REASON: &str = "Progressing";
/// GitHub refuses longer descriptions.
const GITHUB_DESCRIPTION_MAX: usize = 140;
/// The other services keep at most this much.
const DESCRIPTION_MAX: usize = 255;
/// The API version go-github asks for.
const GITHUB_API_VERSION: &str = "2022-11-28";

pub fn new(config: &ProviderConfig) -> Result<Box<dyn Notifier>, ConfigError> {
    match config.provider_type.as_str() {
        "github" => Ok(Box::new(GitHub::new(config)?)),
        "gitlab" => Ok(Box::new(GitLab::new(config)?)),
        "gitea" => Ok(Box::new(Gitea::new(config)?)),
        "bitbucket" => Ok(Box::new(Bitbucket::new(config)?)),
        "bitbucketserver" => Ok(Box::new(BitbucketServer::new(config)?)),
        other => Err(ConfigError(format!(
            "spec.type: provider type {other:?} is not a Git commit status provider type"
        ))),
    }
}

/// A repository address split as Flux's `parseGitAddress` does.
#[derive(Debug, Clone, PartialEq, Eq)]
struct GitAddress {
    /// `https://host[:port]` (ssh addresses become https).
    origin: String,
    /// The host alone.
    host: String,
    /// The path without the leading `/` and the `.git` suffix.
    id: String,
}

/// Parses `https://host/org/repo(.git)`, `ssh://git@host/org/repo.git` and
/// `git@host:org/repo.git`.
fn parse_git_address(address: &str) -> Option<GitAddress> {
    let (scheme, host, port, path) = if let Some((_, _)) = address.split_once("://") {
        let url = url::Url::parse(address).ok()?;
        let host = url.host_str()?.to_string();
        (
            url.scheme().to_string(),
            host,
            url.port(),
            url.path().to_string(),
        )
    } else {
        // scp-like: [user@]host:path
        let (authority, path) = address.split_once(':')?;
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if host.is_empty() || host.contains('/') {
            return None;
        }
        ("ssh".to_string(), host.to_string(), None, path.to_string())
    };
    let scheme = if scheme == "ssh" {
        "https".to_string()
    } else {
        scheme
    };
    let origin = match port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    };
    let id = path.trim_start_matches('/');
    let id = id.strip_suffix(".git").unwrap_or(id).to_string();
    Some(GitAddress { origin, host, id })
}

/// The address, checked, and split into an `owner/repo` pair when `pair` (GitHub, Gitea,
/// Bitbucket).
fn repository(label: &str, address: &str, example: &str) -> Result<GitAddress, ConfigError> {
    if address.is_empty() {
        return Err(ConfigError(format!(
            "{label}: spec.address is empty; set it to the repository's URL ({example})"
        )));
    }
    match parse_git_address(address) {
        Some(repo) if !repo.id.is_empty() => Ok(repo),
        _ => Err(ConfigError(format!(
            "{label}: spec.address {} is not a repository URL; set it to the repository's URL ({example})",
            origin(address)
        ))),
    }
}

fn owner_and_repo(
    label: &str,
    repo: &GitAddress,
    example: &str,
) -> Result<(String, String), ConfigError> {
    let parts: Vec<&str> = repo.id.split('/').collect();
    match parts.as_slice() {
        [owner, name] if !owner.is_empty() && !name.is_empty() => {
            Ok((owner.to_string(), name.to_string()))
        }
        _ => Err(ConfigError(format!(
            "{label}: spec.address: {:?} is not an owner/repository path; set spec.address to the repository's URL ({example})",
            repo.id
        ))),
    }
}

fn empty_token(label: &str, what: &str) -> ConfigError {
    ConfigError(format!(
        "{label}: Secret key token is empty; put {what} in the token key of spec.secretRef"
    ))
}

/// Flux's `parseRevision`: the hash of `<ref>@sha1:<hash>`, `sha1:<hash>`, the legacy
/// `<ref>/<hash>` or a bare hash; SHA-1 (40 hex digits) or SHA-256 (64).
fn parse_revision(revision: &str) -> Option<&str> {
    let hash = if revision.contains(':') {
        let rest = revision.rsplit_once('@').map_or(revision, |(_, r)| r);
        rest.split_once(':').map_or(rest, |(_, h)| h)
    } else {
        revision.rsplit_once('/').map_or(revision, |(_, h)| h)
    };
    let hex = hash.bytes().all(|b| b.is_ascii_hexdigit());
    (hex && matches!(hash.len(), 40 | 64)).then_some(hash)
}

/// The commit the event is about: `None` when it carries no revision.
fn commit_sha(http: &Http, event: &Event) -> Result<Option<String>, SendError> {
    let Some(revision) = event.revision() else {
        return Ok(None);
    };
    match parse_revision(revision) {
        Some(sha) => Ok(Some(sha.to_string())),
        None => Err(http.permanent(format!(
            "no commit hash in the event's revision {revision:?} (expected <branch>@sha1:<hash>, sha1:<hash> or <branch>/<hash>)"
        ))),
    }
}

/// Flux's `generateDefaultCommitStatus`: `<kind>/<name>/<uid up to the first ->`, lower
/// case.
fn commit_status_id(provider_uid: &str, event: &Event) -> String {
    let uid = provider_uid.split('-').next().unwrap_or_default();
    format!(
        "{}/{}/{uid}",
        event.involved_object.kind, event.involved_object.name
    )
    .to_lowercase()
}

/// Success for info, failure for errors, in each service's words.
fn state<'s>(
    http: &Http,
    event: &Event,
    success: &'s str,
    failure: &'s str,
) -> Result<&'s str, SendError> {
    match event.severity.as_str() {
        SEVERITY_INFO => Ok(success),
        SEVERITY_ERROR => Ok(failure),
        other => Err(http.permanent(format!(
            "events of severity {other:?} have no commit status state"
        ))),
    }
}

fn sha1_hex(s: &str) -> String {
    hex(&Sha1::digest(s.as_bytes()))
}

/// Percent-encodes everything but RFC 3986 unreserved characters (GitLab project ids).
fn encode_path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `url?k=v&...`, form-encoded.
fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{url}?{query}")
}

/// The JSON array of a list answer; anything else lists nothing.
fn json_array(body: &[u8]) -> Vec<Value> {
    match serde_json::from_slice(body) {
        Ok(Value::Array(items)) => items,
        _ => Vec::new(),
    }
}

fn str_field<'v>(value: &'v Value, key: &str) -> &'v str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// GitHub and Gitea: the newest status of the context has the same state and description.
fn duplicate_by_context(statuses: &[Value], context: &str, state: &str, description: &str) -> bool {
    for status in statuses {
        let (c, s, d) = (
            str_field(status, "context"),
            str_field(status, "state"),
            str_field(status, "description"),
        );
        if c.is_empty() || s.is_empty() || d.is_empty() {
            continue;
        }
        if c == context {
            return s == state && d == description;
        }
    }
    false
}

struct GitHub {
    http: Http,
    token: String,
    api: String,
    owner: String,
    repo: String,
    uid: String,
}

impl GitHub {
    fn new(config: &ProviderConfig) -> Result<GitHub, ConfigError> {
        const EXAMPLE: &str = "https://github.com/org/repo";
        let http = Http::new(config)?;
        let address = repository(http.label(), &config.address, EXAMPLE)?;
        let (owner, repo) = owner_and_repo(http.label(), &address, EXAMPLE)?;
        if config.token.is_empty() {
            return Err(empty_token(
                http.label(),
                "a GitHub token allowed to write commit statuses",
            ));
        }
        let api = if address.host == "github.com" {
            "https://api.github.com".to_string()
        } else {
            format!("{}/api/v3", address.origin)
        };
        Ok(GitHub {
            http,
            token: config.token.clone(),
            api,
            owner,
            repo,
            uid: config.uid.clone(),
        })
    }

    fn request(&self, method: Method, url: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, url)
            .bearer_auth(&self.token)
            .header("Accept", "application/vnd.github.v3+json")
            .header("X-GitHub-Api-Version", GITHUB_API_VERSION)
    }
}

impl Notifier for GitHub {
    fn post<'a>(&'a self, event: &'a Event) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            if event.reason == PROGRESSING_REASON {
                return Ok(());
            }
            let Some(sha) = commit_sha(&self.http, event)? else {
                return Ok(());
            };
            let state = state(&self.http, event, "success", "failure")?;
            let (_, description) = name_and_description(event);
            let description = truncate(&description, GITHUB_DESCRIPTION_MAX);
            let context = commit_status_id(&self.uid, event);
            let repo = format!("{}/repos/{}/{}", self.api, self.owner, self.repo);

            let url = format!("{repo}/commits/{sha}/statuses");
            let request = self.request(Method::GET, &with_query(&url, &[("per_page", "50")]));
            let body = self
                .http
                .send(request, "listing the commit statuses", &url)
                .await?;
            if duplicate_by_context(&json_array(&body), &context, state, &description) {
                return Ok(());
            }

            let url = format!("{repo}/statuses/{sha}");
            let request = self.request(Method::POST, &url).json(&json!({
                "state": state,
                "description": description,
                "context": context,
            }));
            self.http
                .send(request, "creating the commit status", &url)
                .await
                .map(drop)
        })
    }
}

struct GitLab {
    http: Http,
    token: String,
    /// `<host>/api/v4/projects/<url-encoded path>`.
    project: String,
    uid: String,
}

impl GitLab {
    fn new(config: &ProviderConfig) -> Result<GitLab, ConfigError> {
        const EXAMPLE: &str = "https://gitlab.com/group/project";
        let http = Http::new(config)?;
        let address = repository(http.label(), &config.address, EXAMPLE)?;
        if config.token.is_empty() {
            return Err(empty_token(
                http.label(),
                "a GitLab token with the api scope",
            ));
        }
        let project = format!(
            "{}/api/v4/projects/{}",
            address.origin,
            encode_path_segment(&address.id)
        );
        Ok(GitLab {
            http,
            token: config.token.clone(),
            project,
            uid: config.uid.clone(),
        })
    }
}

impl Notifier for GitLab {
    fn post<'a>(&'a self, event: &'a Event) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            if event.reason == PROGRESSING_REASON {
                return Ok(());
            }
            let Some(sha) = commit_sha(&self.http, event)? else {
                return Ok(());
            };
            let state = state(&self.http, event, "success", "failed")?;
            let (_, description) = name_and_description(event);
            let description = truncate(&description, DESCRIPTION_MAX);
            let name = commit_status_id(&self.uid, event);

            let url = format!("{}/repository/commits/{sha}/statuses", self.project);
            let request = self
                .http
                .request(Method::GET, &with_query(&url, &[("name", name.as_str())]))
                .header("PRIVATE-TOKEN", &self.token);
            let body = self
                .http
                .send(request, "listing the commit statuses", &url)
                .await?;
            let duplicate = json_array(&body).iter().any(|s| {
                str_field(s, "sha") == sha
                    && str_field(s, "status") == state
                    && str_field(s, "description") == description
                    && str_field(s, "name") == name
            });
            if duplicate {
                return Ok(());
            }

            let url = format!("{}/statuses/{sha}", self.project);
            let request = self
                .http
                .request(Method::POST, &url)
                .header("PRIVATE-TOKEN", &self.token)
                .json(&json!({
                    "state": state,
                    "name": name,
                    "description": description,
                }));
            self.http
                .send(request, "setting the commit status", &url)
                .await
                .map(drop)
        })
    }
}

struct Gitea {
    http: Http,
    token: String,
    /// `<host>/api/v1/repos/<owner>/<repo>`.
    repo: String,
    uid: String,
}

impl Gitea {
    fn new(config: &ProviderConfig) -> Result<Gitea, ConfigError> {
        const EXAMPLE: &str = "https://gitea.example.com/org/repo";
        let http = Http::new(config)?;
        let address = repository(http.label(), &config.address, EXAMPLE)?;
        let (owner, repo) = owner_and_repo(http.label(), &address, EXAMPLE)?;
        // Flux falls back to the Secret's password.
        let token = if config.token.is_empty() {
            config.password.clone()
        } else {
            config.token.clone()
        };
        if token.is_empty() {
            return Err(empty_token(
                http.label(),
                "a Gitea access token allowed to write the repository",
            ));
        }
        Ok(Gitea {
            http,
            token,
            repo: format!("{}/api/v1/repos/{owner}/{repo}", address.origin),
            uid: config.uid.clone(),
        })
    }

    fn request(&self, method: Method, url: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, url)
            .header("Authorization", format!("token {}", self.token))
    }
}

impl Notifier for Gitea {
    fn post<'a>(&'a self, event: &'a Event) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            let Some(sha) = commit_sha(&self.http, event)? else {
                return Ok(());
            };
            let state = if event.reason == PROGRESSING_REASON {
                "pending"
            } else {
                state(&self.http, event, "success", "failure")?
            };
            let (_, description) = name_and_description(event);
            let description = truncate(&description, DESCRIPTION_MAX);
            let context = commit_status_id(&self.uid, event);

            let url = format!("{}/commits/{sha}/statuses", self.repo);
            let request = self.request(
                Method::GET,
                &with_query(&url, &[("page", "1"), ("limit", "50")]),
            );
            let body = self
                .http
                .send(request, "listing the commit statuses", &url)
                .await?;
            if duplicate_by_context(&json_array(&body), &context, state, &description) {
                return Ok(());
            }

            let url = format!("{}/statuses/{sha}", self.repo);
            let request = self.request(Method::POST, &url).json(&json!({
                "state": state,
                "target_url": "",
                "description": description,
                "context": context,
            }));
            self.http
                .send(request, "creating the commit status", &url)
                .await
                .map(drop)
        })
    }
}

/// How a Bitbucket request authenticates.
enum BitbucketAuth {
    Bearer(String),
    Basic(String, String),
}

impl BitbucketAuth {
    fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            BitbucketAuth::Bearer(token) => request.bearer_auth(token),
            BitbucketAuth::Basic(user, password) => request.basic_auth(user, Some(password)),
        }
    }
}

struct Bitbucket {
    http: Http,
    auth: BitbucketAuth,
    /// `<api>/repositories/<owner>/<repo>`.
    repo: String,
    uid: String,
}

impl Bitbucket {
    fn new(config: &ProviderConfig) -> Result<Bitbucket, ConfigError> {
        const EXAMPLE: &str = "https://bitbucket.org/workspace/repo";
        let http = Http::new(config)?;
        let address = repository(http.label(), &config.address, EXAMPLE)?;
        let (owner, repo) = owner_and_repo(http.label(), &address, EXAMPLE)?;
        if config.token.is_empty() {
            return Err(empty_token(http.label(), "<username>:<app password>"));
        }
        let (username, password) = config
            .token
            .split_once(':')
            .filter(|(u, p)| !u.is_empty() && !p.is_empty())
            .ok_or_else(|| {
                ConfigError(format!(
                    "{}: Secret key token is not of the form <username>:<app password>; put the Bitbucket username and app password (or x-token-auth:<access token>) in the token key",
                    http.label()
                ))
            })?;
        let auth = if username == "x-token-auth" || username == "x-bitbucket-api-token-auth" {
            BitbucketAuth::Bearer(password.to_string())
        } else {
            BitbucketAuth::Basic(username.to_string(), password.to_string())
        };
        // Bitbucket Cloud's API lives on its own host; other hosts (proxies, tests) serve
        // it under /2.0 themselves.
        let api = if matches!(address.host.as_str(), "bitbucket.org" | "www.bitbucket.org") {
            "https://api.bitbucket.org/2.0".to_string()
        } else {
            format!("{}/2.0", address.origin)
        };
        Ok(Bitbucket {
            http,
            auth,
            repo: format!("{api}/repositories/{owner}/{repo}"),
            uid: config.uid.clone(),
        })
    }
}

impl Notifier for Bitbucket {
    fn post<'a>(&'a self, event: &'a Event) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            if event.reason == PROGRESSING_REASON {
                return Ok(());
            }
            let Some(sha) = commit_sha(&self.http, event)? else {
                return Ok(());
            };
            let state = state(&self.http, event, "SUCCESSFUL", "FAILED")?;
            let (name, description) = name_and_description(event);
            let description = truncate(&description, DESCRIPTION_MAX);
            // Keys are at most 40 characters.
            let key = sha1_hex(&commit_status_id(&self.uid, event));
            let statuses = format!("{}/commit/{sha}/statuses/build", self.repo);

            let url = format!("{statuses}/{key}");
            let request = self.auth.apply(self.http.request(Method::GET, &url));
            let (status, body) = self
                .http
                .exchange(request, "reading the build status", &url)
                .await?;
            if status != 404 {
                if !(200..300).contains(&status) {
                    return Err(self.http.status_error(
                        "reading the build status",
                        &url,
                        status,
                        &body,
                    ));
                }
                let existing: Value = serde_json::from_slice(&body).unwrap_or_default();
                if str_field(&existing, "state") == state
                    && str_field(&existing, "description") == description
                {
                    return Ok(());
                }
            }

            let request = self
                .auth
                .apply(self.http.request(Method::POST, &statuses))
                .json(&json!({
                    "key": key,
                    "url": "https://bitbucket.org",
                    "state": state,
                    "name": name,
                    "description": description,
                }));
            self.http
                .send(request, "creating the build status", &statuses)
                .await
                .map(drop)
        })
    }
}

struct BitbucketServer {
    http: Http,
    auth: BitbucketAuth,
    address: String,
    /// `<host><context>/rest/api/latest/projects/<key>/repos/<slug>/commits`.
    commits: String,
    uid: String,
}

impl BitbucketServer {
    fn new(config: &ProviderConfig) -> Result<BitbucketServer, ConfigError> {
        const EXAMPLE: &str = "https://bitbucket.example.com/scm/PROJECT/repo.git";
        let http = Http::new(config)?;
        let label = http.label().to_string();
        let scheme = config.address.split(':').next().unwrap_or_default();
        if scheme != "http" && scheme != "https" {
            return Err(ConfigError(format!(
                "{label}: spec.address must be the repository's http(s) clone URL ({EXAMPLE})"
            )));
        }
        let address = repository(&label, &config.address, EXAMPLE)?;
        let path = format!("/{}", address.id);
        let Some(scm) = path.rfind("/scm/") else {
            return Err(ConfigError(format!(
                "{label}: spec.address {} is not an http(s) clone URL with /scm/ in its path; set it to the repository's clone URL ({EXAMPLE})",
                origin(&config.address)
            )));
        };
        let context_path = &path[..scm];
        let id = GitAddress {
            id: path[scm + "/scm/".len()..].to_string(),
            ..address.clone()
        };
        let (project, slug) = owner_and_repo(&label, &id, EXAMPLE)?;
        let auth = if !config.token.is_empty() {
            BitbucketAuth::Bearer(config.token.clone())
        } else if !config.username.is_empty() && !config.password.is_empty() {
            BitbucketAuth::Basic(config.username.clone(), config.password.clone())
        } else {
            return Err(ConfigError(format!(
                "{label}: no credentials: put an HTTP access token in the Secret key token, or username and password keys"
            )));
        };
        Ok(BitbucketServer {
            http,
            auth,
            address: config.address.clone(),
            commits: format!(
                "{}{context_path}/rest/api/latest/projects/{project}/repos/{slug}/commits",
                address.origin
            ),
            uid: config.uid.clone(),
        })
    }

    fn request(&self, method: Method, url: &str) -> reqwest::RequestBuilder {
        self.auth
            .apply(self.http.request(method, url))
            .header("x-atlassian-token", "no-check")
            .header("x-requested-with", "XMLHttpRequest")
    }
}

impl Notifier for BitbucketServer {
    fn post<'a>(&'a self, event: &'a Event) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            if event.reason == PROGRESSING_REASON {
                return Ok(());
            }
            let Some(sha) = commit_sha(&self.http, event)? else {
                return Ok(());
            };
            let state = state(&self.http, event, "SUCCESSFUL", "FAILED")?;
            let (name, description) = name_and_description(event);
            let description = truncate(&description, DESCRIPTION_MAX);
            // Shown in the browser, so the description goes into the name too.
            let name = format!("{name} [{description}]");
            let key = sha1_hex(&commit_status_id(&self.uid, event));
            let url = format!("{}/{sha}/builds", self.commits);

            let request = self.request(Method::GET, &with_query(&url, &[("key", key.as_str())]));
            let (status, body) = self
                .http
                .exchange(request, "reading the build status", &url)
                .await?;
            if status >= 400 && status != 404 {
                return Err(self.http.status_error(
                    "reading the build status",
                    &url,
                    status,
                    &body,
                ));
            }
            if status == 200 {
                let existing: Value = serde_json::from_slice(&body).unwrap_or_default();
                if str_field(&existing, "key") == key
                    && str_field(&existing, "state") == state
                    && str_field(&existing, "description") == description
                    && str_field(&existing, "name") == name
                {
                    return Ok(());
                }
            }

            let mut body = json!({
                "key": key,
                "state": state,
                "url": self.address,
            });
            if !description.is_empty() {
                body["description"] = json!(description);
            }
            body["name"] = json!(name);
            let request = self.request(Method::POST, &url).json(&body);
            self.http
                .send(request, "posting the build status", &url)
                .await
                .map(drop)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_git_addresses_like_flux() {
        let parse = |s| parse_git_address(s).map(|a| (a.origin, a.id));
        assert_eq!(
            parse("https://github.com/org/repo"),
            Some(("https://github.com".into(), "org/repo".into()))
        );
        assert_eq!(
            parse("ssh://git@gitlab.com/group/sub/project.git"),
            Some(("https://gitlab.com".into(), "group/sub/project".into()))
        );
        assert_eq!(
            parse("git@github.com:org/repo.git"),
            Some(("https://github.com".into(), "org/repo".into()))
        );
        assert_eq!(
            parse("https://user:secret@git.example.com:8443/org/repo.git"),
            Some(("https://git.example.com:8443".into(), "org/repo".into()))
        );
        assert_eq!(parse("no address"), None);
    }

    #[test]
    fn parses_revisions_like_flux() {
        let sha = "731f7eaddfb6af01cb2173e18f0f75b0ba780ef1";
        for rev in [
            format!("main@sha1:{sha}"),
            format!("sha1:{sha}"),
            format!("main/{sha}"),
            format!("feature/x/{sha}"),
            format!("HEAD/{sha}"),
            sha.to_string(),
        ] {
            assert_eq!(parse_revision(&rev), Some(sha), "{rev}");
        }
        assert_eq!(parse_revision("main@sha1:731f7ea"), None);
        assert_eq!(parse_revision("v1.2.3"), None);
        assert_eq!(parse_revision(""), None);
    }

    #[test]
    fn status_ids_and_keys() {
        let event = Event {
            involved_object: crate::controllers::notification::event::ObjectReference {
                kind: "Kustomization".into(),
                name: "WebApp".into(),
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(
            commit_status_id("2d5f3f6c-39a4-4a53-a15d-8b0a9ebb55d4", &event),
            "kustomization/webapp/2d5f3f6c"
        );
        assert_eq!(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            encode_path_segment("group/sub-1/p.x"),
            "group%2Fsub-1%2Fp.x"
        );
    }
}
