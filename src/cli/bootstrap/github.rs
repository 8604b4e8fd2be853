//! `tk bootstrap github`: the GitHub REST API client (octocrab).
//!
//! Octocrab carries the requests (base URI, authentication) over tk's reqwest client, which
//! trusts the system roots plus the certificates of `--ca-file`. Answers are read raw, so
//! every failure can name the object, GitHub's status and message, the token's scopes, and
//! what to do. The token itself never appears in a message.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use anyhow::{Context, Result, anyhow, bail};
use http::{HeaderMap, HeaderValue, Method};
use octocrab::service::middleware::{auth_header::AuthHeaderLayer, base_uri::BaseUriLayer};
use octocrab::{AuthState, OctoBody, Octocrab, OctocrabBuilder};
use serde::Deserialize;
use serde_json::{Value, json};

use super::provider::{Change, DeployKeyRequest, Repository, RepositoryRequest, Visibility};
use crate::cli::printer::Printer;

/// What a classic token needs for everything bootstrap does, and the fine-grained equivalent.
const SCOPE_HINT: &str =
    "it needs the \"repo\" scope (classic) or Administration: write (fine-grained)";
/// Deploy keys asked for per page (GitHub's maximum).
const PER_PAGE: u32 = 100;

/// A GitHub (or GitHub Enterprise Server) API client authenticated with a personal access
/// token.
pub struct GitHub {
    client: Octocrab,
    /// `github.com` or the Enterprise hostname (with its port), for messages.
    domain: String,
}

impl std::fmt::Debug for GitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHub")
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

/// A raw answer: status, headers and body text.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    fn json<T: serde::de::DeserializeOwned>(&self, what: &str) -> Result<T> {
        serde_json::from_str(&self.body).with_context(|| {
            format!(
                "GitHub's answer about {what} is not what its API documents: {}",
                truncate(&self.body, 200)
            )
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `403 Must have admin rights to Repository.` or `422 Validation Failed: key is
    /// already in use`, from GitHub's error body.
    fn reason(&self) -> String {
        let body: Value = serde_json::from_str(&self.body).unwrap_or(Value::Null);
        let mut text = match body["message"].as_str() {
            Some(m) => m.to_string(),
            None => truncate(self.body.trim(), 200),
        };
        let details: Vec<String> = body["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| match e {
                Value::String(s) => Some(s.clone()),
                e => e["message"].as_str().map(str::to_string).or_else(|| {
                    match (e["field"].as_str(), e["code"].as_str()) {
                        (Some(f), Some(c)) => Some(format!("{f} {c}")),
                        _ => None,
                    }
                }),
            })
            .collect();
        if !details.is_empty() {
            text = format!("{text}: {}", details.join("; "));
        }
        if text.is_empty() {
            format!("{}", self.status)
        } else {
            format!("{} {text}", self.status)
        }
    }

    /// `403 …; token scopes: repo; accepted: admin:org`, when GitHub says.
    fn reason_with_scopes(&self) -> String {
        let mut text = self.reason();
        if let Some(have) = self.header("x-oauth-scopes") {
            let have = if have.trim().is_empty() {
                "none"
            } else {
                have.trim()
            };
            text.push_str(&format!("; the token's scopes: {have}"));
        }
        if let Some(need) = self.header("x-accepted-oauth-scopes")
            && !need.trim().is_empty()
        {
            text.push_str(&format!("; accepted: {}", need.trim()));
        }
        text
    }

    fn rate_limited(&self) -> bool {
        (self.status == 403 || self.status == 429)
            && self.header("x-ratelimit-remaining") == Some("0")
    }
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[derive(Deserialize)]
struct ApiUser {
    login: String,
}

#[derive(Deserialize)]
struct ApiRepository {
    id: u64,
    full_name: String,
    clone_url: String,
    ssh_url: String,
    #[serde(default)]
    default_branch: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    private: bool,
    #[serde(default)]
    visibility: Option<String>,
}

impl ApiRepository {
    fn visibility(&self) -> &str {
        match &self.visibility {
            Some(v) => v,
            None if self.private => "private",
            None => "public",
        }
    }
}

#[derive(Deserialize)]
struct ApiDeployKey {
    id: u64,
    key: String,
    title: String,
    #[serde(default)]
    read_only: bool,
}

#[derive(Deserialize)]
struct ApiRef {
    object: ApiRefObject,
}

#[derive(Deserialize)]
struct ApiRefObject {
    sha: String,
}

impl GitHub {
    /// hostname: None or `github.com` → `https://api.github.com/`; otherwise GitHub
    /// Enterprise Server at `https://<hostname>/api/v3/` (hostname may carry a `:port`).
    /// `ca_pem`: extra PEM CA certificates trusted in addition to the system roots.
    pub fn new(hostname: Option<&str>, token: &str, ca_pem: Option<&str>) -> Result<GitHub> {
        let domain = match hostname.map(str::trim) {
            None | Some("") => "github.com".to_string(),
            Some(h) => h
                .trim_start_matches("https://")
                .trim_end_matches('/')
                .to_string(),
        };
        let base = if domain == "github.com" {
            "https://api.github.com/".to_string()
        } else {
            format!("https://{domain}/api/v3/")
        };
        let base_uri: http::Uri = base
            .parse()
            .map_err(|e| anyhow!("--hostname {domain:?} is not a valid host name: {e}"))?;
        let token = token.trim();
        if token.is_empty() {
            bail!(
                "no GitHub token: set GITHUB_TOKEN to a personal access token with the \"repo\" scope"
            );
        }
        let mut auth = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
            anyhow!("the GitHub token holds characters a header cannot carry: check GITHUB_TOKEN")
        })?;
        auth.set_sensitive(true);

        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            http::header::ACCEPT,
            HeaderValue::from_static("application/vnd.github+json"),
        );
        headers.insert(
            "X-GitHub-Api-Version",
            HeaderValue::from_static("2022-11-28"),
        );
        let http = super::provider::http_client(&domain, ca_pem, headers)?;
        let client = OctocrabBuilder::new_empty()
            .with_service(Transport(http))
            .with_layer(&BaseUriLayer::new(base_uri.clone()))
            .with_layer(&AuthHeaderLayer::new(
                Some(auth),
                base_uri.clone(),
                base_uri,
            ))
            .with_auth(AuthState::None)
            .build()
            .map_err(|e| anyhow!("building the GitHub client: {e}"))?;
        Ok(GitHub { client, domain })
    }

    /// One request; `route` is relative to the API base (`/user`) or an absolute URL of
    /// the same host (a `Link` header's).
    async fn call(
        &self,
        method: Method,
        route: &str,
        body: Option<&Value>,
        accept: Option<&str>,
    ) -> Result<Answer> {
        let what = format!("{method} {}", route.split('?').next().unwrap_or(route));
        let sent = match method {
            Method::GET => {
                let headers = accept.map(|a| {
                    let mut h = HeaderMap::new();
                    if let Ok(v) = HeaderValue::from_str(a) {
                        h.insert(http::header::ACCEPT, v);
                    }
                    h
                });
                self.client._get_with_headers(route, headers).await
            }
            Method::POST => self.client._post(route, body).await,
            Method::PATCH => self.client._patch(route, body).await,
            Method::PUT => self.client._put(route, body).await,
            Method::DELETE => self.client._delete(route, body).await,
            other => bail!("unsupported method {other}"),
        };
        let response = sent.map_err(|e| self.unreachable(&what, &e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = self
            .client
            .body_to_string(response)
            .await
            .map_err(|e| self.unreachable(&what, &e))?;
        let answer = Answer {
            status,
            headers,
            body,
        };
        if answer.status == 401 {
            bail!(
                "GitHub rejected the token ({}): set GITHUB_TOKEN to a valid personal access token",
                answer.reason()
            );
        }
        if answer.rate_limited() {
            let reset = answer
                .header("x-ratelimit-reset")
                .map(|r| format!(" (it resets at Unix time {r})"))
                .unwrap_or_default();
            bail!(
                "GitHub's API rate limit for the token is exhausted ({}){reset}: try again later",
                answer.reason()
            );
        }
        Ok(answer)
    }

    fn unreachable(&self, what: &str, e: &octocrab::Error) -> anyhow::Error {
        // The chain repeats itself (octocrab, reqwest, hyper): keep what adds something.
        let mut parts: Vec<String> = Vec::new();
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
        while let Some(s) = source {
            let text = s.to_string();
            let noise =
                text.starts_with("Service Error") || text.starts_with("error sending request");
            if !noise && !parts.iter().any(|p| p.contains(&text)) {
                parts.push(text);
            }
            source = s.source();
        }
        if parts.is_empty() {
            parts.push(e.to_string());
        }
        let chain = parts.join(": ");
        let hint = if chain.contains("certificate") || chain.contains("UnknownIssuer") {
            ": if the server's certificate is signed by a private CA, pass it with --ca-file"
        } else {
            ": check --hostname and the network"
        };
        anyhow!("cannot reach {} ({what}): {chain}{hint}", self.domain)
    }

    /// GitHub's answer to an unexpected status, naming the request.
    fn unexpected(&self, doing: &str, answer: &Answer) -> anyhow::Error {
        anyhow!(
            "GitHub refused to {doing} ({}) on {}",
            answer.reason_with_scopes(),
            self.domain
        )
    }

    /// Gets owner/name, creating it (with an initial commit on `default_branch`) when
    /// missing; with `reconcile`, brings description, default branch and visibility in line;
    /// grants each team its permission best effort (organisations only).
    pub async fn reconcile_repository(
        &self,
        request: &RepositoryRequest,
        printer: Printer,
    ) -> Result<Repository> {
        let owner = request.owner.as_str();
        let full = format!("{owner}/{}", request.name);
        printer.action(format!("connecting to {}", self.domain));
        if request.personal {
            let login = self.authenticated_login().await?;
            if !login.eq_ignore_ascii_case(owner) {
                bail!("--personal was given but the token belongs to \"{login}\", not \"{owner}\"");
            }
        } else {
            self.check_organisation(owner).await?;
        }

        let answer = self
            .call(Method::GET, &format!("/repos/{full}"), None, None)
            .await?;
        let (repo, created) = match answer.status {
            200 => (answer.json::<ApiRepository>("the repository")?, false),
            404 => (self.create_repository(request, &full).await?, true),
            _ => return Err(self.unexpected(&format!("read repository \"{full}\""), &answer)),
        };
        if created {
            printer.success(format!("repository \"{full}\" created"));
        }
        let repo = if created {
            self.set_initial_branch(&full, repo, &request.default_branch)
                .await?
        } else if request.reconcile {
            self.reconcile_settings(request, &full, repo, printer)
                .await?
        } else {
            repo
        };

        if !request.teams.is_empty() {
            if request.personal {
                printer.failure(format!(
                    "teams only apply to organisation repositories: not granting access to {}",
                    request
                        .teams
                        .iter()
                        .map(|(t, _)| format!("\"{t}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            } else {
                printer.action("reconciling repository permissions");
                for (team, permission) in &request.teams {
                    self.grant_team(
                        owner,
                        &repo.full_name,
                        team,
                        permission,
                        request.reconcile,
                        printer,
                    )
                    .await;
                }
                printer.success("reconciled repository permissions");
            }
        }

        Ok(Repository {
            full_name: repo.full_name.clone(),
            id: repo.id.to_string(),
            https_url: repo.clone_url.clone(),
            ssh_url: ssh_url(&repo.ssh_url),
            default_branch: repo.default_branch.clone(),
            created,
        })
    }

    async fn authenticated_login(&self) -> Result<String> {
        let answer = self.call(Method::GET, "/user", None, None).await?;
        match answer.status {
            200 => Ok(answer.json::<ApiUser>("the authenticated user")?.login),
            403 => bail!(
                "the token may not read its own user on {} ({}): {SCOPE_HINT}; a GitHub App \
                 installation token cannot bootstrap a personal repository",
                self.domain,
                answer.reason_with_scopes()
            ),
            _ => Err(self.unexpected("tell whose token this is (GET /user)", &answer)),
        }
    }

    async fn check_organisation(&self, owner: &str) -> Result<()> {
        let answer = self
            .call(Method::GET, &format!("/orgs/{owner}"), None, None)
            .await?;
        match answer.status {
            200 => Ok(()),
            404 => {
                // A user account is not an organisation: say so when it is the token's own.
                if let Ok(login) = self.authenticated_login().await
                    && login.eq_ignore_ascii_case(owner)
                {
                    bail!(
                        "\"{owner}\" is the token's own user on {}, not an organisation: pass --personal",
                        self.domain
                    );
                }
                bail!(
                    "owner \"{owner}\" not found on {}, or the token cannot see it: check --owner, \
                     and pass --personal when it is your user",
                    self.domain
                )
            }
            _ => Err(self.unexpected(&format!("read organisation \"{owner}\""), &answer)),
        }
    }

    async fn create_repository(
        &self,
        request: &RepositoryRequest,
        full: &str,
    ) -> Result<ApiRepository> {
        let owner = &request.owner;
        let mut body = json!({
            "name": request.name,
            "description": request.description,
            "private": request.visibility != Visibility::Public,
            "auto_init": true,
        });
        let (route, whose) = if request.personal {
            ("/user/repos".to_string(), format!("for user \"{owner}\""))
        } else {
            body["visibility"] = json!(request.visibility.as_str());
            (
                format!("/orgs/{owner}/repos"),
                format!("in organisation \"{owner}\""),
            )
        };
        let answer = self.call(Method::POST, &route, Some(&body), None).await?;
        match answer.status {
            201 | 200 => answer.json("the created repository"),
            403 | 404 => bail!(
                "the token may not create repositories {whose} ({}): {SCOPE_HINT}",
                answer.reason_with_scopes()
            ),
            422 if answer.body.contains("already exists") => bail!(
                "repository \"{full}\" exists but the token cannot see it ({}): grant the token \
                 access to it, or choose another --repository",
                answer.reason()
            ),
            _ => Err(self.unexpected(&format!("create repository \"{full}\""), &answer)),
        }
    }

    /// A created repository's default branch is the account's default (`main`); move it to
    /// the requested branch, created at the initial commit.
    async fn set_initial_branch(
        &self,
        full: &str,
        repo: ApiRepository,
        branch: &str,
    ) -> Result<ApiRepository> {
        let current = repo.default_branch.clone().unwrap_or_default();
        if branch.is_empty() || current == branch || current.is_empty() {
            return Ok(repo);
        }
        let answer = self
            .call(
                Method::GET,
                &format!("/repos/{full}/git/ref/heads/{current}"),
                None,
                None,
            )
            .await?;
        if answer.status != 200 {
            return Err(self.unexpected(
                &format!("read branch \"{current}\" of repository \"{full}\""),
                &answer,
            ));
        }
        let sha = answer.json::<ApiRef>("a branch")?.object.sha;
        let answer = self
            .call(
                Method::POST,
                &format!("/repos/{full}/git/refs"),
                Some(&json!({ "ref": format!("refs/heads/{branch}"), "sha": sha })),
                None,
            )
            .await?;
        // 422: it exists already (a retried run).
        if !answer.ok() && answer.status != 422 {
            return Err(self.unexpected(
                &format!("create branch \"{branch}\" in repository \"{full}\""),
                &answer,
            ));
        }
        self.patch_repository(full, &json!({ "default_branch": branch }))
            .await
    }

    async fn patch_repository(&self, full: &str, body: &Value) -> Result<ApiRepository> {
        let answer = self
            .call(Method::PATCH, &format!("/repos/{full}"), Some(body), None)
            .await?;
        match answer.status {
            200 => answer.json("the updated repository"),
            403 | 404 => bail!(
                "the token may not change the settings of repository \"{full}\" ({}): {SCOPE_HINT}, \
                 and admin rights on the repository",
                answer.reason_with_scopes()
            ),
            _ => Err(self.unexpected(
                &format!("update the settings of repository \"{full}\""),
                &answer,
            )),
        }
    }

    async fn reconcile_settings(
        &self,
        request: &RepositoryRequest,
        full: &str,
        repo: ApiRepository,
        printer: Printer,
    ) -> Result<ApiRepository> {
        let mut patch = serde_json::Map::new();
        if repo.description.as_deref().unwrap_or("") != request.description {
            patch.insert("description".into(), json!(request.description));
        }
        if repo.visibility() != request.visibility.as_str() {
            patch.insert(
                "private".into(),
                json!(request.visibility != Visibility::Public),
            );
            patch.insert("visibility".into(), json!(request.visibility.as_str()));
        }
        let branch = &request.default_branch;
        if !branch.is_empty() && repo.default_branch.as_deref() != Some(branch.as_str()) {
            // GitHub only accepts an existing branch; bootstrap pushes it later otherwise.
            let answer = self
                .call(
                    Method::GET,
                    &format!("/repos/{full}/git/ref/heads/{branch}"),
                    None,
                    None,
                )
                .await?;
            if answer.status == 200 {
                patch.insert("default_branch".into(), json!(branch));
            } else {
                printer.detail(format!(
                    "branch \"{branch}\" does not exist yet in \"{full}\": default branch left at {:?}",
                    repo.default_branch.as_deref().unwrap_or("")
                ));
            }
        }
        if patch.is_empty() {
            return Ok(repo);
        }
        let repo = self.patch_repository(full, &Value::Object(patch)).await?;
        printer.success(format!("repository \"{full}\" reconciled"));
        Ok(repo)
    }

    /// Best effort: a failure is printed, never returned.
    async fn grant_team(
        &self,
        org: &str,
        full: &str,
        team: &str,
        permission: &str,
        reconcile: bool,
        printer: Printer,
    ) -> Change {
        let route = format!("/orgs/{org}/teams/{team}/repos/{full}");
        let fail = |answer: &Answer| {
            printer.failure(format!(
                "failed to grant \"{permission}\" permissions to team \"{team}\" ({}): check that \
                 team \"{team}\" exists in \"{org}\" and that the token may administer it \
                 (\"admin:org\" scope, classic)",
                answer.reason_with_scopes()
            ));
            Change::Unchanged
        };
        let current = match self
            .call(
                Method::GET,
                &route,
                None,
                Some("application/vnd.github.v3.repository+json"),
            )
            .await
        {
            Ok(a) if a.status == 200 => {
                let v: Value = serde_json::from_str(&a.body).unwrap_or(Value::Null);
                Some(team_role(&v))
            }
            Ok(a) if a.status == 404 || a.status == 204 => None,
            Ok(a) => return fail(&a),
            Err(e) => {
                printer.failure(format!(
                    "failed to grant \"{permission}\" permissions to team \"{team}\": {e:#}"
                ));
                return Change::Unchanged;
            }
        };
        if let Some(role) = &current
            && (!reconcile || role_name(permission) == role)
        {
            return Change::Unchanged;
        }
        match self
            .call(
                Method::PUT,
                &route,
                Some(&json!({ "permission": permission })),
                None,
            )
            .await
        {
            Ok(a) if a.ok() => {
                printer.success(format!(
                    "granted \"{permission}\" permissions to team \"{team}\""
                ));
                if current.is_some() {
                    Change::Replaced
                } else {
                    Change::Created
                }
            }
            Ok(a) => fail(&a),
            Err(e) => {
                printer.failure(format!(
                    "failed to grant \"{permission}\" permissions to team \"{team}\": {e:#}"
                ));
                Change::Unchanged
            }
        }
    }

    /// Every deploy key of the repository, following `Link: <…>; rel="next"`.
    async fn deploy_keys(&self, full: &str) -> Result<Vec<ApiDeployKey>> {
        let mut keys = Vec::new();
        let mut next = Some(format!("/repos/{full}/keys?per_page={PER_PAGE}"));
        let mut pages = 0;
        while let Some(route) = next.take() {
            pages += 1;
            if pages > 1000 {
                bail!("GitHub's list of deploy keys of \"{full}\" does not end");
            }
            let answer = self.call(Method::GET, &route, None, None).await?;
            match answer.status {
                200 => {}
                403 | 404 => bail!(
                    "the token may not read the deploy keys of repository \"{full}\" ({}): {SCOPE_HINT}, \
                     and admin rights on the repository",
                    answer.reason_with_scopes()
                ),
                _ => {
                    return Err(self.unexpected(
                        &format!("list the deploy keys of repository \"{full}\""),
                        &answer,
                    ));
                }
            }
            keys.extend(answer.json::<Vec<ApiDeployKey>>("deploy keys")?);
            next = answer.header("link").and_then(next_link);
        }
        Ok(keys)
    }

    /// Same title, key and access → Unchanged; same title otherwise → deleted and added
    /// again (Replaced); none → added (Created).
    pub async fn reconcile_deploy_key(
        &self,
        repo: &Repository,
        key: &DeployKeyRequest,
    ) -> Result<Change> {
        let full = &repo.full_name;
        let wanted = key_material(&key.public_key);
        if wanted.is_empty() {
            bail!(
                "the deploy key {:?} is not an SSH public key line",
                key.title
            );
        }
        let existing = self.deploy_keys(full).await?;
        let same_title: Vec<&ApiDeployKey> =
            existing.iter().filter(|k| k.title == key.title).collect();
        let up_to_date = same_title
            .iter()
            .any(|k| key_material(&k.key) == wanted && k.read_only == key.read_only);
        let mut deleted = false;
        for stale in same_title
            .iter()
            .filter(|k| !(key_material(&k.key) == wanted && k.read_only == key.read_only))
        {
            let answer = self
                .call(
                    Method::DELETE,
                    &format!("/repos/{full}/keys/{}", stale.id),
                    None,
                    None,
                )
                .await?;
            if !answer.ok() && answer.status != 404 {
                return Err(match answer.status {
                    403 => anyhow!(
                        "the token may not delete deploy key \"{}\" of repository \"{full}\" ({}): \
                         {SCOPE_HINT}, and admin rights on the repository",
                        key.title,
                        answer.reason_with_scopes()
                    ),
                    _ => self.unexpected(
                        &format!(
                            "delete deploy key \"{}\" of repository \"{full}\"",
                            key.title
                        ),
                        &answer,
                    ),
                });
            }
            deleted = true;
        }
        if up_to_date {
            return Ok(if deleted {
                Change::Replaced
            } else {
                Change::Unchanged
            });
        }
        let body = json!({
            "title": key.title,
            "key": key.public_key.trim(),
            "read_only": key.read_only,
        });
        let answer = self
            .call(
                Method::POST,
                &format!("/repos/{full}/keys"),
                Some(&body),
                None,
            )
            .await?;
        match answer.status {
            201 | 200 => Ok(if deleted {
                Change::Replaced
            } else {
                Change::Created
            }),
            422 if answer.body.contains("already in use") => bail!(
                "GitHub refused deploy key \"{}\" for repository \"{full}\" ({}): GitHub accepts a key \
                 on one repository only; remove it where it is used, or let bootstrap generate a new one",
                key.title,
                answer.reason()
            ),
            403 | 404 => bail!(
                "the token may not add deploy keys to repository \"{full}\" ({}): {SCOPE_HINT}, \
                 and admin rights on the repository",
                answer.reason_with_scopes()
            ),
            _ => Err(self.unexpected(
                &format!("add deploy key \"{}\" to repository \"{full}\"", key.title),
                &answer,
            )),
        }
    }
}

/// The role a team has from GitHub's repository+json answer: `role_name`, else the highest
/// of `permissions`.
fn team_role(repo: &Value) -> String {
    if let Some(r) = repo["role_name"].as_str() {
        return r.to_string();
    }
    for (flag, role) in [
        ("admin", "admin"),
        ("maintain", "maintain"),
        ("push", "write"),
        ("triage", "triage"),
        ("pull", "read"),
    ] {
        if repo["permissions"][flag].as_bool() == Some(true) {
            return role.to_string();
        }
    }
    String::new()
}

/// The role name GitHub reports for a permission given to the team API (`push` is `write`).
fn role_name(permission: &str) -> &str {
    match permission {
        "pull" => "read",
        "push" => "write",
        other => other,
    }
}

/// Type and base64 of a public key line, without options or comment.
fn key_material(line: &str) -> String {
    let mut words = line.split_whitespace();
    while let Some(w) = words.next() {
        if w.starts_with("ssh-") || w.starts_with("ecdsa-") || w.starts_with("sk-") {
            return match words.next() {
                Some(b64) => format!("{w} {b64}"),
                None => String::new(),
            };
        }
    }
    String::new()
}

/// The URL of `rel="next"` in a `Link` header.
fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"" || p.trim() == "rel=next");
        is_next.then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

/// `git@github.com:octocat/Hello-World.git` → `ssh://git@github.com/octocat/Hello-World.git`;
/// URLs with a scheme are kept.
pub fn ssh_url(scp: &str) -> String {
    if scp.contains("://") {
        return scp.to_string();
    }
    match scp.split_once(':') {
        Some((host, path)) => format!("ssh://{host}/{}", path.trim_start_matches('/')),
        None => scp.to_string(),
    }
}

/// Octocrab's transport: tk's reqwest client (system roots plus `--ca-file`).
#[derive(Clone)]
struct Transport(reqwest::Client);

impl tower::Service<http::Request<OctoBody>> for Transport {
    type Response = http::Response<reqwest::Body>;
    type Error = reqwest::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<OctoBody>) -> Self::Future {
        let client = self.0.clone();
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            let req = reqwest::Request::try_from(http::Request::from_parts(
                parts,
                reqwest::Body::wrap(body),
            ))?;
            let res = client.execute(req).await?;
            Ok(http::Response::from(res))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scp_ssh_urls_become_ssh_urls() {
        assert_eq!(
            ssh_url("git@github.com:octocat/Hello-World.git"),
            "ssh://git@github.com/octocat/Hello-World.git"
        );
        assert_eq!(
            ssh_url("ssh://git@ghe.example:2222/o/r.git"),
            "ssh://git@ghe.example:2222/o/r.git"
        );
    }

    #[test]
    fn links_and_keys() {
        let link = "<https://api.github.com/repositories/1/keys?per_page=2&page=2>; rel=\"next\", \
                    <https://api.github.com/repositories/1/keys?per_page=2&page=3>; rel=\"last\"";
        assert_eq!(
            next_link(link).as_deref(),
            Some("https://api.github.com/repositories/1/keys?per_page=2&page=2")
        );
        assert_eq!(next_link("<https://x/?page=1>; rel=\"prev\""), None);
        assert_eq!(
            key_material("ssh-ed25519 AAAAC3 flux\n"),
            key_material("ssh-ed25519 AAAAC3")
        );
        assert_ne!(
            key_material("ssh-ed25519 AAAA"),
            key_material("ssh-ed25519 BBBB")
        );
        assert_eq!(role_name("push"), "write");
    }
}
