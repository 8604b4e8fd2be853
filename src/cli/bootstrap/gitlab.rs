//! `tk bootstrap gitlab`: the GitLab REST API v4 client.
//!
//! Plain `reqwest` (tk's own, ring-backed rustls) rather than the gitlab crate's endpoints:
//! those only exist with the crate's `client_api` feature, which turns on reqwest's `rustls`
//! feature and with it aws-lc-rs. The handful of endpoints bootstrap needs are spelled out
//! here, with GitLab's documented paths, fields and pagination.

use anyhow::{Context, Result, anyhow, bail};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::OnceCell;

use super::provider::{Change, DeployKeyRequest, DeployToken, Repository, RepositoryRequest};
use crate::cli::printer::Printer;

/// The host `--hostname` defaults to.
pub const DEFAULT_HOST: &str = "gitlab.com";

/// GitLab's largest page.
const PER_PAGE: u32 = 100;
/// A bound on pages followed, against a server whose next page never ends.
const MAX_PAGES: u32 = 1000;

/// A GitLab instance, as the token's user sees it.
pub struct GitLab {
    http: reqwest::Client,
    /// `https://host[:port]/api/v4`, without a trailing slash.
    api: String,
    /// `host[:port]`, for messages.
    host: String,
    token: String,
    user: OnceCell<User>,
}

impl std::fmt::Debug for GitLab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitLab")
            .field("api", &self.api)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Deserialize)]
struct User {
    username: String,
}

#[derive(Debug, Clone, Deserialize)]
struct Group {
    id: u64,
    full_path: String,
}

#[derive(Debug, Clone, Deserialize)]
struct Project {
    id: u64,
    path_with_namespace: String,
    http_url_to_repo: String,
    ssh_url_to_repo: String,
    #[serde(default)]
    default_branch: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    visibility: Option<String>,
    #[serde(default)]
    shared_with_groups: Vec<SharedGroup>,
}

#[derive(Debug, Clone, Deserialize)]
struct SharedGroup {
    group_id: u64,
    group_access_level: u32,
}

#[derive(Debug, Clone, Deserialize)]
struct DeployKey {
    id: u64,
    title: String,
    key: String,
    #[serde(default)]
    can_push: bool,
}

#[derive(Debug, Clone, Deserialize)]
struct DeployTokenInfo {
    name: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    revoked: bool,
    #[serde(default)]
    expired: bool,
    #[serde(default)]
    token: Option<String>,
}

/// A failed call: a refused request (status and GitLab's message) or no answer at all.
#[derive(Debug)]
enum CallError {
    Status {
        status: StatusCode,
        /// GitLab's `message` (or `error_description`), flattened to one line.
        message: String,
        /// `error: insufficient_scope`: the token's scopes do not cover the call.
        insufficient_scope: bool,
    },
    Transport(String),
}

impl CallError {
    fn status(&self) -> Option<StatusCode> {
        match self {
            CallError::Status { status, .. } => Some(*status),
            CallError::Transport(_) => None,
        }
    }
}

/// What a call was about, for error messages.
enum Subject<'a> {
    Project(&'a str),
    Group(&'a str),
    /// A group named by `--team`.
    Team(&'a str),
    User(&'a str),
}

impl GitLab {
    /// A client for `https://<hostname>` (`gitlab.com` when `None`; `hostname` may carry a
    /// port, and an explicit `http://` or `https://`), authenticating with `token` as the
    /// `PRIVATE-TOKEN` header and trusting the PEM CAs in `ca_pem` besides the system roots.
    pub fn new(hostname: Option<&str>, token: &str, ca_pem: Option<&str>) -> Result<GitLab> {
        let given = hostname.map(str::trim).filter(|h| !h.is_empty());
        let given = given.unwrap_or(DEFAULT_HOST);
        let (scheme, host) = if let Some(rest) = given.strip_prefix("https://") {
            ("https", rest)
        } else if let Some(rest) = given.strip_prefix("http://") {
            ("http", rest)
        } else {
            ("https", given)
        };
        let host = host.trim_end_matches('/');
        if host.is_empty() || host.contains(['/', '?', '#', '@', ' ']) {
            bail!(
                "flag --hostname: {given:?} is not a host name: give the GitLab host, e.g. gitlab.example.com or gitlab.example.com:8443"
            );
        }
        if token.trim().is_empty() {
            bail!(
                "no GitLab token: set GITLAB_TOKEN to a personal, project or group access token with the api scope"
            );
        }
        if reqwest::header::HeaderValue::from_str(token.trim()).is_err() {
            bail!("the GitLab token holds characters a header cannot carry: check GITLAB_TOKEN");
        }
        let http = super::provider::http_client(host, ca_pem, Default::default())?;
        Ok(GitLab {
            http,
            api: format!("{scheme}://{host}/api/v4"),
            host: host.to_string(),
            token: token.trim().to_string(),
            user: OnceCell::new(),
        })
    }

    /// The host (with port, if any) this client talks to.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Finds `owner/name` (a user's or a group's project, groups with subgroups), creating
    /// it with a README on the default branch when missing; with `reconcile`, brings an
    /// existing project's description, default branch and visibility in line. Teams are
    /// shared the project best effort: failures are printed, not returned.
    pub async fn reconcile_repository(
        &self,
        request: &RepositoryRequest,
        printer: Printer,
    ) -> Result<Repository> {
        printer.action(format!("connecting to {}", self.host));
        let owner = request.owner.trim_matches('/');
        let full = format!("{owner}/{}", request.name);
        if owner.is_empty() || request.name.is_empty() || request.name.contains('/') {
            bail!(
                "repository {full:?} is not a GitLab project path: give --owner (a user or a group path like group/subgroup) and --repository (a name without slashes)"
            );
        }
        let user = self.current_user().await?;
        if request.personal && !owner.eq_ignore_ascii_case(&user.username) {
            bail!(
                "--owner {owner:?} is not the user of the token ({:?}): with --personal the project is created under the token's own user; pass --owner {:?}, or drop --personal for a group",
                user.username,
                user.username
            );
        }

        let existing = match self
            .call::<Project>(Method::GET, &format!("/projects/{}", encode(&full)), None)
            .await
        {
            Ok(project) => Some(project),
            Err(e) if e.status() == Some(StatusCode::NOT_FOUND) => None,
            Err(e) => return Err(self.explain(e, "read", Subject::Project(&full))),
        };

        let (project, created) = match existing {
            Some(project) => {
                let project = if request.reconcile {
                    self.update_project(project, request, printer).await?
                } else {
                    printer.success(format!(
                        "repository \"{}\" exists",
                        project.path_with_namespace
                    ));
                    project
                };
                (project, false)
            }
            None => {
                let namespace_id = if request.personal {
                    None
                } else {
                    Some(self.group(owner).await?.id)
                };
                let mut body = json!({
                    "name": request.name,
                    "path": request.name,
                    "visibility": request.visibility.as_str(),
                    "description": request.description,
                    "default_branch": request.default_branch,
                    "initialize_with_readme": true,
                });
                if let Some(id) = namespace_id {
                    body["namespace_id"] = json!(id);
                }
                let project = self
                    .call::<Project>(Method::POST, "/projects", Some(body))
                    .await
                    .map_err(|e| self.explain(e, "create", Subject::Project(&full)))?;
                printer.success(format!(
                    "repository \"{}\" created",
                    project.path_with_namespace
                ));
                (project, true)
            }
        };

        for ((team, permission), (_, outcome)) in request
            .teams
            .iter()
            .zip(self.share_with_teams(&project, &request.teams).await)
        {
            match outcome {
                Ok(Change::Unchanged) => {}
                Ok(_) => printer.success(format!(
                    "group \"{team}\" granted {} access to \"{}\"",
                    access_level(permission).map_or("", level_name),
                    project.path_with_namespace
                )),
                Err(e) => printer.failure(format!("{e:#}")),
            }
        }

        Ok(Repository {
            full_name: project.path_with_namespace.clone(),
            id: project.id.to_string(),
            https_url: project.http_url_to_repo.clone(),
            ssh_url: ssh_url(&project.ssh_url_to_repo),
            default_branch: project.default_branch.clone(),
            created,
        })
    }

    /// Shares the project `repo` with each group of `teams` (`(group path, permission)`,
    /// permission as Flux's `pull|triage|push|maintain|admin` or GitLab's
    /// `guest|reporter|developer|maintainer|owner`). One outcome per team, in order; a share
    /// at another access level is replaced. [`GitLab::reconcile_repository`] prints these.
    pub async fn reconcile_teams(
        &self,
        repo: &Repository,
        teams: &[(String, String)],
    ) -> Result<Vec<(String, Result<Change>)>> {
        let project = self
            .call::<Project>(Method::GET, &format!("/projects/{}", repo.id), None)
            .await
            .map_err(|e| self.explain(e, "read", Subject::Project(&repo.full_name)))?;
        Ok(self.share_with_teams(&project, teams).await)
    }

    /// Adds the deploy key `key` to `repo`, replacing a key of the same title that differs
    /// in key or write access.
    pub async fn reconcile_deploy_key(
        &self,
        repo: &Repository,
        key: &DeployKeyRequest,
    ) -> Result<Change> {
        let subject = Subject::Project(&repo.full_name);
        let keys: Vec<DeployKey> = self
            .list(&format!("/projects/{}/deploy_keys", repo.id))
            .await
            .map_err(|e| self.explain(e, "list the deploy keys of", subject))?;
        let wanted = key_material(&key.public_key);
        if wanted.is_empty() {
            bail!(
                "deploy key {:?}: the public key is empty: bootstrap generates one, or give --private-key-file",
                key.title
            );
        }
        let can_push = !key.read_only;
        let mut change = Change::Created;
        for existing in keys.iter().filter(|k| k.title == key.title) {
            if key_material(&existing.key) == wanted && existing.can_push == can_push {
                return Ok(Change::Unchanged);
            }
        }
        for existing in keys.iter().filter(|k| k.title == key.title) {
            self.call_empty(
                Method::DELETE,
                &format!("/projects/{}/deploy_keys/{}", repo.id, existing.id),
            )
            .await
            .map_err(|e| {
                self.explain(
                    e,
                    &format!("delete the old deploy key {:?} of", key.title),
                    Subject::Project(&repo.full_name),
                )
            })?;
            change = Change::Replaced;
        }
        let body = json!({
            "title": key.title,
            "key": key.public_key.trim(),
            "can_push": can_push,
        });
        self.call::<DeployKey>(
            Method::POST,
            &format!("/projects/{}/deploy_keys", repo.id),
            Some(body),
        )
        .await
        .map_err(|e| {
            self.explain(
                e,
                &format!("add the deploy key {:?} to", key.title),
                Subject::Project(&repo.full_name),
            )
        })?;
        Ok(change)
    }

    /// Creates the read-only deploy token `name` for `repo` unless a live one of that name
    /// exists; its secret is only known at creation, so `None` means "keep what you have".
    pub async fn reconcile_deploy_token(
        &self,
        repo: &Repository,
        name: &str,
    ) -> Result<Option<DeployToken>> {
        let tokens: Vec<DeployTokenInfo> = self
            .list(&format!("/projects/{}/deploy_tokens", repo.id))
            .await
            .map_err(|e| {
                self.explain(
                    e,
                    "list the deploy tokens of",
                    Subject::Project(&repo.full_name),
                )
            })?;
        if tokens
            .iter()
            .any(|t| t.name == name && !t.revoked && !t.expired)
        {
            return Ok(None);
        }
        let created: DeployTokenInfo = self
            .call(
                Method::POST,
                &format!("/projects/{}/deploy_tokens", repo.id),
                Some(json!({ "name": name, "scopes": ["read_repository"] })),
            )
            .await
            .map_err(|e| {
                self.explain(
                    e,
                    &format!("create the deploy token {name:?} for"),
                    Subject::Project(&repo.full_name),
                )
            })?;
        match created.token {
            Some(token) if !token.is_empty() && !created.username.is_empty() => {
                Ok(Some(DeployToken {
                    username: created.username,
                    token,
                }))
            }
            _ => bail!(
                "GitLab at {} created the deploy token {name:?} for {:?} but did not return its username and secret: revoke it in the project's settings (Repository > Deploy tokens) and run bootstrap again",
                self.host,
                repo.full_name
            ),
        }
    }

    async fn current_user(&self) -> Result<&User> {
        self.user
            .get_or_try_init(|| async {
                self.call::<User>(Method::GET, "/user", None)
                    .await
                    .map_err(|e| self.explain(e, "read", Subject::User("of the token")))
            })
            .await
    }

    async fn group(&self, path: &str) -> Result<Group> {
        self.call::<Group>(Method::GET, &format!("/groups/{}", encode(path)), None)
            .await
            .map_err(|e| self.explain(e, "read", Subject::Group(path)))
    }

    /// `PUT /projects/:id` with the settings that differ from the request, if any.
    async fn update_project(
        &self,
        project: Project,
        request: &RepositoryRequest,
        printer: Printer,
    ) -> Result<Project> {
        let mut changes = serde_json::Map::new();
        if project.description.as_deref().unwrap_or("") != request.description {
            changes.insert("description".into(), json!(request.description));
        }
        if project.default_branch.as_deref() != Some(request.default_branch.as_str()) {
            changes.insert("default_branch".into(), json!(request.default_branch));
        }
        if project.visibility.as_deref() != Some(request.visibility.as_str()) {
            changes.insert("visibility".into(), json!(request.visibility.as_str()));
        }
        if changes.is_empty() {
            printer.success(format!(
                "repository \"{}\" reconciled",
                project.path_with_namespace
            ));
            return Ok(project);
        }
        let fields = changes
            .keys()
            .map(|k| k.replace('_', " "))
            .collect::<Vec<_>>()
            .join(", ");
        let updated = self
            .call::<Project>(
                Method::PUT,
                &format!("/projects/{}", project.id),
                Some(Value::Object(changes)),
            )
            .await
            .map_err(|e| {
                self.explain(e, "update", Subject::Project(&project.path_with_namespace))
            })?;
        printer.success(format!(
            "repository \"{}\" reconciled ({fields} updated)",
            updated.path_with_namespace
        ));
        Ok(updated)
    }

    async fn share_with_teams(
        &self,
        project: &Project,
        teams: &[(String, String)],
    ) -> Vec<(String, Result<Change>)> {
        let mut outcomes = Vec::new();
        for (team, permission) in teams {
            let outcome = self.share_with_team(project, team, permission).await;
            outcomes.push((team.clone(), outcome));
        }
        outcomes
    }

    async fn share_with_team(
        &self,
        project: &Project,
        team: &str,
        permission: &str,
    ) -> Result<Change> {
        let full = &project.path_with_namespace;
        let Some(level) = access_level(permission) else {
            bail!(
                "group \"{team}\" not granted access to \"{full}\": unknown permission {permission:?}: use guest, reporter, developer, maintainer or owner (or pull, triage, push, maintain, admin)"
            );
        };
        let team = team.trim_matches('/');
        let group = self
            .call::<Group>(Method::GET, &format!("/groups/{}", encode(team)), None)
            .await
            .map_err(|e| self.explain(e, "read", Subject::Team(team)))
            .with_context(|| format!("group \"{team}\" not granted access to \"{full}\""))?;
        let mut change = Change::Created;
        if let Some(shared) = project
            .shared_with_groups
            .iter()
            .find(|s| s.group_id == group.id)
        {
            if shared.group_access_level == level {
                return Ok(Change::Unchanged);
            }
            self.call_empty(
                Method::DELETE,
                &format!("/projects/{}/share/{}", project.id, group.id),
            )
            .await
            .map_err(|e| self.explain(e, "change the group access of", Subject::Project(full)))
            .with_context(|| format!("group \"{team}\" not granted access to \"{full}\""))?;
            change = Change::Replaced;
        }
        self.call::<Value>(
            Method::POST,
            &format!("/projects/{}/share", project.id),
            Some(json!({ "group_id": group.id, "group_access": level })),
        )
        .await
        .map_err(|e| self.explain(e, "share", Subject::Project(full)))
        .with_context(|| {
            format!(
                "group \"{}\" not granted access to \"{full}\"",
                group.full_path
            )
        })?;
        Ok(change)
    }

    /// Every item of a paginated list: pages of [`PER_PAGE`], following `X-Next-Page` (or
    /// the `Link` header's `rel="next"` when the server only sends that).
    async fn list<T: DeserializeOwned>(&self, path: &str) -> Result<Vec<T>, CallError> {
        let mut items = Vec::new();
        let mut url = format!("{}{path}?per_page={PER_PAGE}&page=1", self.api);
        for _ in 0..MAX_PAGES {
            let response = self.send(Method::GET, &url, None).await?;
            let next = next_page(response.headers())
                .map(|page| format!("{}{path}?per_page={PER_PAGE}&page={page}", self.api))
                // The token goes wherever the next URL points: only ever to this API.
                .or_else(|| {
                    next_link(response.headers())
                        .filter(|link| link.starts_with(&format!("{}/", self.api)))
                });
            let page: Vec<T> = read_json(response).await?;
            let empty = page.is_empty();
            items.extend(page);
            match next {
                Some(n) if !empty && n != url => url = n,
                _ => return Ok(items),
            }
        }
        Err(CallError::Transport(format!(
            "the list at {path} did not end after {MAX_PAGES} pages"
        )))
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<T, CallError> {
        let response = self
            .send(method, &format!("{}{path}", self.api), body)
            .await?;
        read_json(response).await
    }

    async fn call_empty(&self, method: Method, path: &str) -> Result<(), CallError> {
        self.send(method, &format!("{}{path}", self.api), None)
            .await
            .map(drop)
    }

    /// One request; any status but 2xx is an error carrying GitLab's message.
    async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<Value>,
    ) -> Result<reqwest::Response, CallError> {
        let mut request = self
            .http
            .request(method, url)
            .header("PRIVATE-TOKEN", &self.token)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| CallError::Transport(transport_error(&e)))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let text = response.text().await.unwrap_or_default();
        let (message, insufficient_scope) = error_message(&text);
        Err(CallError::Status {
            status,
            message,
            insufficient_scope,
        })
    }

    /// A user-facing error for a failed call: what was being done to which object, what
    /// GitLab said and what to do about it. The token is never part of it.
    fn explain(&self, err: CallError, action: &str, subject: Subject<'_>) -> anyhow::Error {
        let host = &self.host;
        let object = match &subject {
            Subject::Project(p) => format!("repository \"{p}\""),
            Subject::Group(g) | Subject::Team(g) => format!("group \"{g}\""),
            Subject::User(u) => format!("the user {u}"),
        };
        let (status, message, insufficient_scope) = match err {
            CallError::Transport(e) => {
                return anyhow!(
                    "cannot {action} {object} on {host}: {e}: check --hostname, and --ca-file when the server's certificate comes from a private CA"
                );
            }
            CallError::Status {
                status,
                message,
                insufficient_scope,
            } => (status, message, insufficient_scope),
        };
        match status {
            StatusCode::UNAUTHORIZED => anyhow!(
                "GitLab at {host} rejected the token ({message}): check GITLAB_TOKEN; the token may be wrong, expired or revoked"
            ),
            StatusCode::FORBIDDEN if insufficient_scope => anyhow!(
                "the token may not {action} {object} on {host}: it lacks the `api` scope ({message}): use a token with the api scope"
            ),
            StatusCode::FORBIDDEN => anyhow!(
                "the token may not {action} {object} on {host} ({message}): it needs the `api` scope and at least the Maintainer role there"
            ),
            StatusCode::NOT_FOUND => match subject {
                Subject::Group(g) => anyhow!(
                    "group \"{g}\" not found on {host}, or the token cannot see it: check --owner, and pass --personal when it is your user"
                ),
                Subject::Team(g) => anyhow!(
                    "group \"{g}\" not found on {host}, or the token cannot see it: check --team"
                ),
                Subject::Project(p) => anyhow!(
                    "repository \"{p}\" not found on {host}, or the token cannot see it ({message}): check --owner and --repository"
                ),
                Subject::User(_) => anyhow!(
                    "GitLab at {host} did not find {object} ({message}): check --hostname and GITLAB_TOKEN"
                ),
            },
            s if s.is_client_error() => anyhow!(
                "GitLab at {host} refused to {action} {object}: {message} (HTTP {})",
                s.as_u16()
            ),
            s => anyhow!(
                "GitLab at {host} failed to {action} {object}: {message} (HTTP {}): try again later",
                s.as_u16()
            ),
        }
    }
}

async fn read_json<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, CallError> {
    let url = response.url().path().to_string();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| CallError::Transport(transport_error(&e)))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        CallError::Transport(format!(
            "the answer to {url} is not the JSON GitLab sends ({e}); is this a GitLab server?"
        ))
    })
}

/// A reqwest error with its causes (the TLS reason is a cause), in one line.
fn transport_error(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// GitLab's error body as one line: `{"message": "404 Project Not Found"}`,
/// `{"message": {"name": ["has already been taken"]}}` or
/// `{"error": "insufficient_scope", "error_description": "..."}`; and whether it says the
/// token's scope is too small.
fn error_message(body: &str) -> (String, bool) {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        let line = body.lines().next().unwrap_or("").trim();
        let mut line: String = line.chars().take(200).collect();
        if line.is_empty() {
            line = "no message".to_string();
        }
        return (line, false);
    };
    let insufficient = value["error"] == "insufficient_scope";
    let message = match (
        &value["message"],
        &value["error_description"],
        &value["error"],
    ) {
        (Value::String(m), _, _) => m.clone(),
        (Value::Object(fields), _, _) => fields
            .iter()
            .map(|(field, problems)| {
                let problems = match problems {
                    Value::Array(list) => list
                        .iter()
                        .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_string))
                        .collect::<Vec<_>>()
                        .join(", "),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                format!("{field} {problems}")
            })
            .collect::<Vec<_>>()
            .join("; "),
        (Value::Array(list), _, _) => list
            .iter()
            .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join("; "),
        (_, Value::String(d), _) => d.clone(),
        (_, _, Value::String(e)) => e.clone(),
        _ => body.chars().take(200).collect(),
    };
    (message, insufficient)
}

/// `X-Next-Page`: the next page's number, empty on the last page.
fn next_page(headers: &reqwest::header::HeaderMap) -> Option<u32> {
    headers
        .get("x-next-page")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|link| {
            let mut parts = link.split(';');
            let target = parts.next()?.trim();
            let is_next = parts.any(|p| {
                let p = p.trim().replace(' ', "");
                p == "rel=\"next\"" || p == "rel=next"
            });
            let url = target.strip_prefix('<')?.strip_suffix('>')?;
            is_next.then(|| url.to_string())
        })
}

/// GitLab's access level for a Flux (`pull` … `admin`) or GitLab (`guest` … `owner`)
/// permission name.
fn access_level(permission: &str) -> Option<u32> {
    match permission.trim().to_ascii_lowercase().as_str() {
        "pull" | "guest" => Some(10),
        "triage" | "reporter" => Some(20),
        "push" | "developer" => Some(30),
        "" | "maintain" | "maintainer" => Some(40),
        "admin" | "owner" => Some(50),
        _ => None,
    }
}

/// GitLab's name of an access level.
fn level_name(level: u32) -> &'static str {
    match level {
        10 => "guest",
        20 => "reporter",
        30 => "developer",
        40 => "maintainer",
        _ => "owner",
    }
}

/// `type base64` of a public key line, without options before or comment after.
fn key_material(line: &str) -> String {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let start = fields
        .iter()
        .position(|f| f.starts_with("ssh-") || f.starts_with("ecdsa-") || f.starts_with("sk-"))
        .unwrap_or(0);
    fields
        .iter()
        .skip(start)
        .take(2)
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A path segment for GitLab's `:id` parameters: `group/sub/project` → `group%2Fsub%2Fproject`.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `ssh_url_to_repo` as an `ssh://` URL: GitLab's scp-like `git@host:group/project.git`
/// becomes `ssh://git@host/group/project.git`; URLs with a scheme are kept.
fn ssh_url(scp_like: &str) -> String {
    if scp_like.contains("://") {
        return scp_like.to_string();
    }
    let (user_host, path) = match scp_like.split_once(':') {
        Some(parts) => parts,
        None => return scp_like.to_string(),
    };
    // `git@[::1]:group/p.git`: the first colon may sit inside brackets.
    let (user_host, path) = if user_host.contains('[') && !user_host.contains(']') {
        match scp_like.split_once("]:") {
            Some((uh, p)) => (&scp_like[..uh.len() + 1], p),
            None => (user_host, path),
        }
    } else {
        (user_host, path)
    };
    format!("ssh://{user_host}/{}", path.trim_start_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scp_like_ssh_urls_become_ssh_urls() {
        assert_eq!(
            ssh_url("git@gitlab.example.com:group/project.git"),
            "ssh://git@gitlab.example.com/group/project.git"
        );
        assert_eq!(
            ssh_url("git@gitlab.example.com:group/sub/project.git"),
            "ssh://git@gitlab.example.com/group/sub/project.git"
        );
        assert_eq!(
            ssh_url("ssh://git@gitlab.example.com:2222/group/project.git"),
            "ssh://git@gitlab.example.com:2222/group/project.git"
        );
        assert_eq!(
            ssh_url("git@[::1]:group/project.git"),
            "ssh://git@[::1]/group/project.git"
        );
    }

    #[test]
    fn project_paths_are_one_url_segment() {
        assert_eq!(encode("group/sub/project"), "group%2Fsub%2Fproject");
        assert_eq!(encode("a.b-c_d~e"), "a.b-c_d~e");
        assert_eq!(encode("a b"), "a%20b");
    }

    #[test]
    fn gitlab_error_bodies_become_one_line() {
        assert_eq!(
            error_message(r#"{"message":"404 Project Not Found"}"#),
            ("404 Project Not Found".to_string(), false)
        );
        assert_eq!(
            error_message(r#"{"message":{"name":["has already been taken"]}}"#).0,
            "name has already been taken"
        );
        let (message, scope) = error_message(
            r#"{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api"}"#,
        );
        assert!(scope);
        assert!(message.contains("higher privileges"), "{message}");
        assert_eq!(error_message("<html>").0, "<html>");
    }

    #[test]
    fn key_material_ignores_options_and_comments() {
        assert_eq!(
            key_material("ssh-ed25519 AAAAC3 tk@host\n"),
            "ssh-ed25519 AAAAC3"
        );
        assert_eq!(
            key_material("command=\"x\",restrict ssh-ed25519 AAAAC3 c"),
            "ssh-ed25519 AAAAC3"
        );
    }

    #[test]
    fn link_headers_name_the_next_page() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::LINK,
            "<https://h/api/v4/x?page=1>; rel=\"first\", <https://h/api/v4/x?page=3>; rel=\"next\""
                .parse()
                .unwrap(),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://h/api/v4/x?page=3")
        );
        headers.insert("x-next-page", "".parse().unwrap());
        assert_eq!(next_page(&headers), None);
        headers.insert("x-next-page", "4".parse().unwrap());
        assert_eq!(next_page(&headers), Some(4));
    }

    #[test]
    fn hostnames_and_tokens_are_checked() {
        crate::cli::install_crypto_provider();
        let gl = GitLab::new(None, "t", None).unwrap();
        assert_eq!(gl.api, "https://gitlab.com/api/v4");
        let gl = GitLab::new(Some("gitlab.example:8443/"), "t", None).unwrap();
        assert_eq!(gl.api, "https://gitlab.example:8443/api/v4");
        assert_eq!(gl.host(), "gitlab.example:8443");
        let gl = GitLab::new(Some("http://127.0.0.1:80"), "t", None).unwrap();
        assert_eq!(gl.api, "http://127.0.0.1:80/api/v4");
        assert!(GitLab::new(Some("gitlab.example/x"), "t", None).is_err());
        let err = GitLab::new(None, " ", None).err().unwrap().to_string();
        assert!(err.contains("GITLAB_TOKEN"), "{err}");
        let err = GitLab::new(None, "t", Some("not pem"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("--ca-file"), "{err}");
    }
}
