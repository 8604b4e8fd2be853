//! A local server for the GitHub REST endpoints bootstrap uses.
//!
//! [`FakeGitHub`] answers like GitHub Enterprise Server (`https://127.0.0.1:<port>/api/v3/…`,
//! also without the prefix, as api.github.com), following GitHub's documented REST API for
//! the endpoints it serves: paths, methods, status codes, JSON field names, `Link`
//! pagination (`per_page`, `page`), and error bodies `{"message", "documentation_url"}`
//! (401 Bad credentials, 403 with `X-OAuth-Scopes`/`X-Accepted-OAuth-Scopes`, 404 for what
//! the token cannot see, 422 Validation Failed with `errors`).
//!
//! It is backed by real Git: a repository created with `auto_init` is a bare repository of
//! the [`GitServers`] with an initial commit (README.md) on its default branch, and a deploy
//! key is an authorized key of the rig's sshd, revoked when the key is deleted.
//!
//! Endpoints: `GET /user`, `POST /user/repos`, `GET /orgs/{org}`, `POST /orgs/{org}/repos`,
//! `GET|PATCH /repos/{owner}/{repo}`, `GET|POST /repos/{owner}/{repo}/keys`,
//! `GET|DELETE /repos/{owner}/{repo}/keys/{id}`, `GET /repos/{owner}/{repo}/git/ref/{ref}`,
//! `POST /repos/{owner}/{repo}/git/refs`, `GET|PUT|DELETE
//! /orgs/{org}/teams/{slug}/repos/{owner}/{repo}`, and `/repositories/{id}/…` for each
//! `/repos/{owner}/{repo}/…` (where `Link` headers point, as on GitHub).
//!
//! Access follows classic personal access tokens: a user sees public repositories, its
//! own, and those of organisations it is a member of (members administer them); private
//! repositories, creating repositories, settings and deploy keys need the `repo` scope
//! (`public_repo` is enough for public repositories); team grants need `repo` or `admin:org`.

use crate::git::{GitServers, Repo, git_command};
use crate::rest::{Handler, Request, Response, RestServer};
use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

const DOCS: &str = "https://docs.github.com/rest";

/// A user and its personal access token (classic).
#[derive(Clone, Debug)]
pub struct FakeUser {
    pub login: String,
    pub token: String,
    /// The token's scopes, e.g. `["repo"]`; `[]` for a token that may only read public data.
    pub scopes: Vec<String>,
}

impl FakeUser {
    /// A user whose token has the `repo` scope.
    pub fn new(login: &str, token: &str) -> FakeUser {
        FakeUser {
            login: login.to_string(),
            token: token.to_string(),
            scopes: vec!["repo".to_string()],
        }
    }

    pub fn with_scopes(mut self, scopes: &[&str]) -> FakeUser {
        self.scopes = scopes.iter().map(|s| s.to_string()).collect();
        self
    }
}

/// An organisation, its teams (slugs) and its members (logins; members administer its
/// repositories and teams).
#[derive(Clone, Debug, Default)]
pub struct FakeOrg {
    pub login: String,
    pub teams: Vec<String>,
    pub members: Vec<String>,
}

/// How to start a [`FakeGitHub`].
#[derive(Clone, Debug, Default)]
pub struct FakeGitHubOptions {
    pub users: Vec<FakeUser>,
    pub orgs: Vec<FakeOrg>,
    /// Base of `clone_url`: `{base}/{owner}/{repo}.git`, e.g. `https://127.0.0.1:<port>` of
    /// an HTTPS server from [`GitServers::start_http`]. Default: the servers' plain HTTP one.
    pub clone_url_base: Option<String>,
    /// Report `ssh_url` as `ssh://<user>@127.0.0.1:<port>/{owner}/{repo}.git` (reachable)
    /// instead of GitHub's scp-like `<user>@127.0.0.1:{owner}/{repo}.git` (port 22).
    pub ssh_url_with_port: bool,
}

/// A deploy key as the fake holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeDeployKey {
    pub id: u64,
    pub title: String,
    /// `type base64`, as GitHub returns it (no comment).
    pub key: String,
    pub read_only: bool,
}

/// A repository's settings as the fake holds them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeRepoInfo {
    pub id: u64,
    pub full_name: String,
    pub description: String,
    pub private: bool,
    /// `public`, `private` or `internal`.
    pub visibility: String,
    pub default_branch: String,
}

/// How to seed a repository with [`FakeGitHub::seed_repository`].
#[derive(Clone, Debug)]
pub struct SeedRepo {
    pub description: String,
    /// `public`, `private` or `internal`.
    pub visibility: String,
    pub default_branch: String,
    /// An initial commit with a README on the default branch (else an empty repository).
    pub auto_init: bool,
}

impl Default for SeedRepo {
    fn default() -> Self {
        SeedRepo {
            description: String::new(),
            visibility: "private".to_string(),
            default_branch: "main".to_string(),
            auto_init: true,
        }
    }
}

/// One request the fake answered: method and path without `/api/v3` or query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub status: u16,
}

/// The fake; it stops when dropped.
pub struct FakeGitHub {
    server: RestServer,
    inner: Arc<Inner>,
}

struct Inner {
    servers: Arc<GitServers>,
    options: FakeGitHubOptions,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    next_id: u64,
    /// By full name `owner/name`.
    repos: BTreeMap<String, RepoState>,
    log: Vec<LoggedRequest>,
}

struct RepoState {
    info: FakeRepoInfo,
    owner: String,
    name: String,
    git: Repo,
    keys: Vec<FakeDeployKey>,
    /// Team slug (of the owning organisation) → permission (`pull`, `push`, …).
    teams: BTreeMap<String, String>,
}

impl FakeGitHub {
    /// Starts the fake over `servers` (repositories are created there; deploy keys become
    /// authorized keys of its sshd).
    pub fn start(servers: Arc<GitServers>, options: FakeGitHubOptions) -> Result<FakeGitHub> {
        let inner = Arc::new(Inner {
            servers,
            options,
            state: Mutex::new(State {
                next_id: 1000,
                ..State::default()
            }),
        });
        let handler: Handler = {
            let inner = inner.clone();
            Arc::new(move |req: &Request| inner.handle(req))
        };
        Ok(FakeGitHub {
            server: RestServer::start(handler)?,
            inner,
        })
    }

    /// `127.0.0.1:<port>`: what `--hostname` takes (GitHub Enterprise Server).
    pub fn hostname(&self) -> String {
        format!("127.0.0.1:{}", self.server.port())
    }

    /// `https://127.0.0.1:<port>/api/v3`.
    pub fn api_url(&self) -> String {
        format!("{}/api/v3", self.server.base_url())
    }

    /// The CA certificate (PEM) to trust (`--ca-file`).
    pub fn ca_pem(&self) -> &str {
        self.server.ca_pem()
    }

    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// Every request answered so far, in order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.inner.lock().log.clone()
    }

    pub fn clear_requests(&self) {
        self.inner.lock().log.clear();
    }

    /// Creates a repository as `POST /user/repos` or `POST /orgs/{org}/repos` would
    /// (`owner` must be a configured user or organisation).
    pub fn seed_repository(
        &self,
        owner: &str,
        name: &str,
        seed: &SeedRepo,
    ) -> Result<FakeRepoInfo> {
        let mut state = self.inner.lock();
        self.inner.create_repo(&mut state, owner, name, seed)
    }

    /// Adds a deploy key (an authorized key of sshd) as `POST …/keys` would; returns its id.
    pub fn seed_deploy_key(
        &self,
        full_name: &str,
        title: &str,
        public_key: &str,
        read_only: bool,
    ) -> Result<u64> {
        let mut state = self.inner.lock();
        match self
            .inner
            .add_key(&mut state, full_name, title, public_key, read_only)
        {
            Ok(key) => Ok(key.id),
            Err(resp) => bail!(
                "seeding deploy key {title:?}: {} {}",
                resp.status,
                String::from_utf8_lossy(&resp.body)
            ),
        }
    }

    /// Grants `team` of the repository's organisation `permission` on it.
    pub fn seed_team_grant(&self, full_name: &str, team: &str, permission: &str) -> Result<()> {
        let mut state = self.inner.lock();
        let repo = state
            .repos
            .get_mut(full_name)
            .ok_or_else(|| anyhow!("no repository {full_name}"))?;
        repo.teams.insert(team.to_string(), permission.to_string());
        Ok(())
    }

    pub fn deploy_keys(&self, full_name: &str) -> Vec<FakeDeployKey> {
        self.inner
            .lock()
            .repos
            .get(full_name)
            .map(|r| r.keys.clone())
            .unwrap_or_default()
    }

    /// The permission `team` has on the repository, if any.
    pub fn team_permission(&self, full_name: &str, team: &str) -> Option<String> {
        self.inner
            .lock()
            .repos
            .get(full_name)
            .and_then(|r| r.teams.get(team).cloned())
    }

    pub fn repository(&self, full_name: &str) -> Option<FakeRepoInfo> {
        self.inner
            .lock()
            .repos
            .get(full_name)
            .map(|r| r.info.clone())
    }

    /// The commit a branch of the repository's bare repository points at.
    pub fn branch_head(&self, full_name: &str, branch: &str) -> Result<String> {
        let state = self.inner.lock();
        let repo = state
            .repos
            .get(full_name)
            .ok_or_else(|| anyhow!("no repository {full_name}"))?;
        repo.git.commit_of(&format!("refs/heads/{branch}"))
    }
}

fn error(status: u16, message: &str) -> Response {
    Response::json(
        status,
        &json!({ "message": message, "documentation_url": DOCS, "status": status.to_string() }),
    )
}

fn not_found() -> Response {
    error(404, "Not Found")
}

fn validation_failed(message: &str, errors: Value) -> Response {
    Response::json(
        422,
        &json!({
            "message": message,
            "errors": errors,
            "documentation_url": DOCS,
            "status": "422",
        }),
    )
}

/// `type base64` of a public key line.
fn key_material(line: &str) -> String {
    line.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

fn role_name(permission: &str) -> &str {
    match permission {
        "pull" => "read",
        "push" => "write",
        other => other,
    }
}

fn permissions(permission: &str) -> Value {
    let rank = |p: &str| match p {
        "pull" | "read" => 1,
        "triage" => 2,
        "push" | "write" => 3,
        "maintain" => 4,
        "admin" => 5,
        _ => 0,
    };
    let r = rank(permission);
    json!({
        "pull": r >= 1, "triage": r >= 2, "push": r >= 3, "maintain": r >= 4, "admin": r >= 5,
    })
}

/// Who is asking, and the request without the API prefix.
struct Caller<'a> {
    user: &'a FakeUser,
    /// `https://<host>` and `/api/v3` (or ""), for URLs in answers.
    origin: String,
    prefix: &'static str,
}

impl Caller<'_> {
    fn has_scope(&self, any_of: &[&str]) -> bool {
        self.user
            .scopes
            .iter()
            .any(|s| any_of.contains(&s.as_str()))
    }

    fn api(&self) -> String {
        format!("{}{}", self.origin, self.prefix)
    }

    /// 403 for a token without the scopes, with GitHub's headers.
    fn missing_scope(&self, accepted: &[&str]) -> Response {
        error(403, "Resource not accessible by personal access token")
            .with_header("X-Accepted-OAuth-Scopes", &accepted.join(", "))
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn org(&self, login: &str) -> Option<&FakeOrg> {
        self.options.orgs.iter().find(|o| o.login == login)
    }

    fn is_member(&self, org: &str, login: &str) -> bool {
        self.org(org)
            .is_some_and(|o| o.members.iter().any(|m| m == login))
    }

    /// Owner of the repository, or a member of its organisation.
    fn is_admin(&self, repo: &RepoState, login: &str) -> bool {
        repo.owner == login || self.is_member(&repo.owner, login)
    }

    fn can_see(&self, repo: &RepoState, caller: &Caller) -> bool {
        !repo.info.private
            || (self.is_admin(repo, &caller.user.login) && caller.has_scope(&["repo"]))
    }

    fn handle(&self, req: &Request) -> Response {
        let (path, prefix) = match req.path.strip_prefix("/api/v3") {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => (rest.to_string(), "/api/v3"),
            _ => (req.path.clone(), ""),
        };
        let resp = self.route(req, &path, prefix);
        let mut state = self.lock();
        state.log.push(LoggedRequest {
            method: req.method.clone(),
            path: path.split('?').next().unwrap_or("").to_string(),
            status: resp.status,
        });
        resp
    }

    fn route(&self, req: &Request, path: &str, prefix: &'static str) -> Response {
        let auth = req.header("Authorization").unwrap_or("");
        let token = auth
            .strip_prefix("Bearer ")
            .or_else(|| auth.strip_prefix("token "))
            .or_else(|| auth.strip_prefix("bearer "))
            .map(str::trim);
        let Some(token) = token else {
            return error(401, "Requires authentication");
        };
        let Some(user) = self.options.users.iter().find(|u| u.token == token) else {
            return error(401, "Bad credentials");
        };
        let host = req.header("Host").unwrap_or("127.0.0.1");
        let caller = Caller {
            user,
            origin: format!("https://{host}"),
            prefix,
        };
        let segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(crate::rest::percent_decode)
            .collect();
        let mut seg: Vec<&str> = segments.iter().map(String::as_str).collect();
        // `/repositories/{id}/…` is `/repos/{owner}/{repo}/…`.
        let by_id;
        if seg.first() == Some(&"repositories") && seg.len() >= 2 {
            let id: Option<u64> = seg[1].parse().ok();
            let found = id.and_then(|id| {
                self.lock()
                    .repos
                    .values()
                    .find(|r| r.info.id == id)
                    .map(|r| (r.owner.clone(), r.name.clone()))
            });
            let Some((owner, name)) = found else {
                return not_found();
            };
            by_id = (owner, name);
            let mut rewritten = vec!["repos", by_id.0.as_str(), by_id.1.as_str()];
            rewritten.extend_from_slice(&seg[2..]);
            seg = rewritten;
        }
        let method = req.method.as_str();
        let resp = match (method, seg.as_slice()) {
            ("GET", ["user"]) => self.get_user(&caller),
            ("POST", ["user", "repos"]) => self.create_user_repo(&caller, req),
            ("GET", ["orgs", org]) => self.get_org(&caller, org),
            ("POST", ["orgs", org, "repos"]) => self.create_org_repo(&caller, org, req),
            ("GET", ["orgs", org, "teams", team, "repos", owner, repo]) => {
                self.get_team_repo(&caller, req, org, team, &format!("{owner}/{repo}"))
            }
            ("PUT", ["orgs", org, "teams", team, "repos", owner, repo]) => {
                self.put_team_repo(&caller, req, org, team, &format!("{owner}/{repo}"))
            }
            ("DELETE", ["orgs", org, "teams", team, "repos", owner, repo]) => {
                self.delete_team_repo(&caller, org, team, &format!("{owner}/{repo}"))
            }
            ("GET", ["repos", owner, repo]) => self.get_repo(&caller, &format!("{owner}/{repo}")),
            ("PATCH", ["repos", owner, repo]) => {
                self.patch_repo(&caller, req, &format!("{owner}/{repo}"))
            }
            ("GET", ["repos", owner, repo, "keys"]) => {
                self.list_keys(&caller, req, &format!("{owner}/{repo}"))
            }
            ("POST", ["repos", owner, repo, "keys"]) => {
                self.create_key(&caller, req, &format!("{owner}/{repo}"))
            }
            ("GET", ["repos", owner, repo, "keys", id]) => {
                self.get_key(&caller, &format!("{owner}/{repo}"), id)
            }
            ("DELETE", ["repos", owner, repo, "keys", id]) => {
                self.delete_key(&caller, &format!("{owner}/{repo}"), id)
            }
            ("GET", ["repos", owner, repo, "git", "ref", rest @ ..]) if !rest.is_empty() => {
                self.get_ref(&caller, &format!("{owner}/{repo}"), &rest.join("/"))
            }
            ("POST", ["repos", owner, repo, "git", "refs"]) => {
                self.create_ref(&caller, req, &format!("{owner}/{repo}"))
            }
            _ => not_found(),
        };
        let scopes = user.scopes.join(", ");
        resp.with_header("X-OAuth-Scopes", &scopes)
            .with_header("X-GitHub-Media-Type", "github.v3; format=json")
    }

    fn user_json(&self, caller: &Caller, login: &str) -> Value {
        let kind = if self.org(login).is_some() {
            "Organization"
        } else {
            "User"
        };
        json!({
            "login": login,
            "id": login.bytes().map(u64::from).sum::<u64>(),
            "type": kind,
            "url": format!("{}/users/{login}", caller.api()),
            "html_url": format!("{}/{login}", caller.origin),
            "site_admin": false,
        })
    }

    fn repo_json(&self, caller: &Caller, repo: &RepoState) -> Value {
        let full = &repo.info.full_name;
        let clone_base = match &self.options.clone_url_base {
            Some(b) => b.trim_end_matches('/').to_string(),
            None => {
                let u = self.servers.http().url("x");
                u.trim_end_matches("/x.git").to_string()
            }
        };
        let ssh = self.servers.ssh();
        let ssh_url = if self.options.ssh_url_with_port {
            format!("ssh://{}@127.0.0.1:{}/{full}.git", ssh.user(), ssh.port())
        } else {
            format!("{}@127.0.0.1:{full}.git", ssh.user())
        };
        let admin = self.is_admin(repo, &caller.user.login);
        json!({
            "id": repo.info.id,
            "node_id": format!("R_{}", repo.info.id),
            "name": repo.name,
            "full_name": full,
            "owner": self.user_json(caller, &repo.owner),
            "private": repo.info.private,
            "visibility": repo.info.visibility,
            "html_url": format!("{}/{full}", caller.origin),
            "description": if repo.info.description.is_empty() { Value::Null } else { json!(repo.info.description) },
            "fork": false,
            "url": format!("{}/repos/{full}", caller.api()),
            "keys_url": format!("{}/repos/{full}/keys{{/key_id}}", caller.api()),
            "git_url": format!("git://127.0.0.1/{full}.git"),
            "ssh_url": ssh_url,
            "clone_url": format!("{clone_base}/{full}.git"),
            "default_branch": repo.info.default_branch,
            "archived": false,
            "disabled": false,
            "permissions": permissions(if admin { "admin" } else { "pull" }),
        })
    }

    fn key_json(caller: &Caller, full: &str, key: &FakeDeployKey) -> Value {
        json!({
            "id": key.id,
            "key": key.key,
            "url": format!("{}/repos/{full}/keys/{}", caller.api(), key.id),
            "title": key.title,
            "verified": true,
            "created_at": "2024-01-01T00:00:00Z",
            "read_only": key.read_only,
            "added_by": null,
            "last_used": null,
            "enabled": true,
        })
    }

    fn get_user(&self, caller: &Caller) -> Response {
        Response::json(200, &self.user_json(caller, &caller.user.login))
    }

    fn get_org(&self, caller: &Caller, org: &str) -> Response {
        if self.org(org).is_none() {
            return not_found();
        }
        let mut v = self.user_json(caller, org);
        v["repos_url"] = json!(format!("{}/orgs/{org}/repos", caller.api()));
        Response::json(200, &v)
    }

    fn create_user_repo(&self, caller: &Caller, req: &Request) -> Response {
        let login = caller.user.login.clone();
        self.create_from_request(caller, req, &login, false)
    }

    fn create_org_repo(&self, caller: &Caller, org: &str, req: &Request) -> Response {
        if self.org(org).is_none() {
            return not_found();
        }
        if !self.is_member(org, &caller.user.login) {
            return error(
                403,
                "You need admin access to the organization before adding a repository to it.",
            );
        }
        self.create_from_request(caller, req, org, true)
    }

    fn create_from_request(
        &self,
        caller: &Caller,
        req: &Request,
        owner: &str,
        org: bool,
    ) -> Response {
        let Ok(body) = req.json() else {
            return error(400, "Problems parsing JSON");
        };
        let Some(name) = body["name"].as_str().filter(|n| !n.is_empty()) else {
            return validation_failed(
                "Repository creation failed.",
                json!([{"resource": "Repository", "code": "missing_field", "field": "name"}]),
            );
        };
        let private = body["private"].as_bool().unwrap_or(false);
        let visibility = match body["visibility"].as_str() {
            Some(v) if org => v.to_string(),
            _ if private => "private".to_string(),
            _ => "public".to_string(),
        };
        if !["public", "private", "internal"].contains(&visibility.as_str()) {
            return validation_failed(
                "Validation Failed",
                json!([{"resource": "Repository", "code": "invalid", "field": "visibility"}]),
            );
        }
        let accepted: &[&str] = if visibility == "public" {
            &["public_repo", "repo"]
        } else {
            &["repo"]
        };
        if !caller.has_scope(accepted) {
            return caller.missing_scope(accepted);
        }
        let seed = SeedRepo {
            description: body["description"].as_str().unwrap_or("").to_string(),
            visibility,
            default_branch: "main".to_string(),
            auto_init: body["auto_init"].as_bool().unwrap_or(false),
        };
        let mut state = self.lock();
        if state.repos.contains_key(&format!("{owner}/{name}")) {
            return validation_failed(
                "Repository creation failed.",
                json!([{"resource": "Repository", "code": "custom", "field": "name",
                        "message": "name already exists on this account"}]),
            );
        }
        match self.create_repo(&mut state, owner, name, &seed) {
            Ok(info) => {
                let repo = &state.repos[&info.full_name];
                Response::json(201, &self.repo_json(caller, repo)).with_header(
                    "Location",
                    &format!("{}/repos/{}", caller.api(), info.full_name),
                )
            }
            Err(e) => error(500, &format!("{e:#}")),
        }
    }

    fn create_repo(
        &self,
        state: &mut State,
        owner: &str,
        name: &str,
        seed: &SeedRepo,
    ) -> Result<FakeRepoInfo> {
        if self.org(owner).is_none() && !self.options.users.iter().any(|u| u.login == owner) {
            bail!("owner {owner} is neither a configured user nor organisation");
        }
        let full = format!("{owner}/{name}");
        if state.repos.contains_key(&full) {
            bail!("repository {full} exists already");
        }
        let git = self.servers.create_repo(&full)?;
        if seed.default_branch != "main" {
            git.checkout_new_branch(&seed.default_branch)?;
        }
        if seed.auto_init {
            let readme = format!("# {name}\n\n{}\n", seed.description);
            git.commit("Initial commit", &[("README.md", &readme)])?;
            git.push()?;
        }
        git.set_default_branch(&seed.default_branch)?;
        state.next_id += 1;
        let info = FakeRepoInfo {
            id: state.next_id,
            full_name: full.clone(),
            description: seed.description.clone(),
            private: seed.visibility != "public",
            visibility: seed.visibility.clone(),
            default_branch: seed.default_branch.clone(),
        };
        state.repos.insert(
            full,
            RepoState {
                info: info.clone(),
                owner: owner.to_string(),
                name: name.to_string(),
                git,
                keys: Vec::new(),
                teams: BTreeMap::new(),
            },
        );
        Ok(info)
    }

    /// The repository if the caller may see it (else the 404 to answer).
    fn visible<'s>(
        &self,
        state: &'s mut State,
        caller: &Caller,
        full: &str,
    ) -> Result<&'s mut RepoState, Response> {
        match state.repos.get_mut(full) {
            Some(r) if self.can_see(r, caller) => Ok(r),
            _ => Err(not_found()),
        }
    }

    /// The repository if the caller administers it with a token of the right scope.
    fn administered<'s>(
        &self,
        state: &'s mut State,
        caller: &Caller,
        full: &str,
    ) -> Result<&'s mut RepoState, Response> {
        let repo = self.visible(state, caller, full)?;
        if !self.is_admin(repo, &caller.user.login) {
            return Err(error(403, "Must have admin rights to Repository."));
        }
        let accepted: &[&str] = if repo.info.private {
            &["repo"]
        } else {
            &["public_repo", "repo"]
        };
        if !caller.has_scope(accepted) {
            return Err(caller.missing_scope(accepted));
        }
        Ok(repo)
    }

    fn get_repo(&self, caller: &Caller, full: &str) -> Response {
        let mut state = self.lock();
        match self.visible(&mut state, caller, full) {
            Ok(repo) => Response::json(200, &self.repo_json(caller, repo)),
            Err(resp) => resp,
        }
    }

    fn patch_repo(&self, caller: &Caller, req: &Request, full: &str) -> Response {
        let Ok(body) = req.json() else {
            return error(400, "Problems parsing JSON");
        };
        let mut state = self.lock();
        let repo = match self.administered(&mut state, caller, full) {
            Ok(r) => r,
            Err(resp) => return resp,
        };
        if let Some(branch) = body["default_branch"].as_str() {
            if repo
                .git
                .bare_rev_parse(&format!("refs/heads/{branch}"))
                .is_err()
            {
                return validation_failed(
                    "Validation Failed",
                    json!([{"resource": "Repository", "code": "invalid", "field": "default_branch",
                            "message": format!("Cannot update default branch for this repository to a non-existent branch: {branch}")}]),
                );
            }
            if let Err(e) = repo.git.set_default_branch(branch) {
                return error(500, &format!("{e:#}"));
            }
            repo.info.default_branch = branch.to_string();
        }
        if let Some(d) = body["description"].as_str() {
            repo.info.description = d.to_string();
        }
        if let Some(v) = body["visibility"].as_str() {
            if !["public", "private", "internal"].contains(&v) {
                return validation_failed(
                    "Validation Failed",
                    json!([{"resource": "Repository", "code": "invalid", "field": "visibility"}]),
                );
            }
            repo.info.visibility = v.to_string();
            repo.info.private = v != "public";
        } else if let Some(p) = body["private"].as_bool() {
            repo.info.private = p;
            repo.info.visibility = if p { "private" } else { "public" }.to_string();
        }
        let repo = &state.repos[full];
        Response::json(200, &self.repo_json(caller, repo))
    }

    fn list_keys(&self, caller: &Caller, req: &Request, full: &str) -> Response {
        let mut state = self.lock();
        let repo = match self.administered(&mut state, caller, full) {
            Ok(r) => r,
            Err(resp) => return resp,
        };
        let per_page = req
            .query_param("per_page")
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(30)
            .clamp(1, 100);
        let page = req
            .query_param("page")
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(1)
            .max(1);
        let items: Vec<Value> = repo
            .keys
            .iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .map(|k| Self::key_json(caller, full, k))
            .collect();
        let last = repo.keys.len().div_ceil(per_page).max(1);
        let link_to = |p: usize, rel: &str| {
            format!(
                "<{}/repositories/{}/keys?per_page={per_page}&page={p}>; rel=\"{rel}\"",
                caller.api(),
                repo.info.id
            )
        };
        let mut links = Vec::new();
        if page > 1 {
            links.push(link_to(page - 1, "prev"));
        }
        if page < last {
            links.push(link_to(page + 1, "next"));
            links.push(link_to(last, "last"));
        }
        if page > 1 {
            links.push(link_to(1, "first"));
        }
        let resp = Response::json(200, &Value::Array(items));
        if links.is_empty() {
            resp
        } else {
            resp.with_header("Link", &links.join(", "))
        }
    }

    fn add_key(
        &self,
        state: &mut State,
        full: &str,
        title: &str,
        public_key: &str,
        read_only: bool,
    ) -> Result<FakeDeployKey, Response> {
        let material = key_material(public_key);
        let valid = material.split(' ').count() == 2
            && ["ssh-", "ecdsa-", "sk-"]
                .iter()
                .any(|p| material.starts_with(p));
        if !valid {
            return Err(validation_failed(
                "Validation Failed",
                json!([{"resource": "PublicKey", "code": "custom", "field": "key",
                        "message": "key is invalid. You must supply a key in OpenSSH public key format"}]),
            ));
        }
        if state
            .repos
            .values()
            .any(|r| r.keys.iter().any(|k| k.key == material))
        {
            return Err(validation_failed(
                "Validation Failed",
                json!([{"resource": "PublicKey", "code": "custom", "field": "key",
                        "message": "key is already in use"}]),
            ));
        }
        if !state.repos.contains_key(full) {
            return Err(not_found());
        }
        state.next_id += 1;
        let key = FakeDeployKey {
            id: state.next_id,
            title: title.to_string(),
            key: material.clone(),
            read_only,
        };
        if let Err(e) = self.servers.ssh().add_authorized_key(&material) {
            return Err(error(500, &format!("{e:#}")));
        }
        state
            .repos
            .get_mut(full)
            .expect("checked above")
            .keys
            .push(key.clone());
        Ok(key)
    }

    fn create_key(&self, caller: &Caller, req: &Request, full: &str) -> Response {
        let Ok(body) = req.json() else {
            return error(400, "Problems parsing JSON");
        };
        let mut state = self.lock();
        if let Err(resp) = self.administered(&mut state, caller, full) {
            return resp;
        }
        let Some(key) = body["key"].as_str() else {
            return validation_failed(
                "Validation Failed",
                json!([{"resource": "PublicKey", "code": "missing_field", "field": "key"}]),
            );
        };
        let title = body["title"].as_str().unwrap_or("");
        let read_only = body["read_only"].as_bool().unwrap_or(false);
        match self.add_key(&mut state, full, title, key, read_only) {
            Ok(k) => Response::json(201, &Self::key_json(caller, full, &k)),
            Err(resp) => resp,
        }
    }

    fn get_key(&self, caller: &Caller, full: &str, id: &str) -> Response {
        let mut state = self.lock();
        let repo = match self.administered(&mut state, caller, full) {
            Ok(r) => r,
            Err(resp) => return resp,
        };
        match repo.keys.iter().find(|k| k.id.to_string() == id) {
            Some(k) => Response::json(200, &Self::key_json(caller, full, k)),
            None => not_found(),
        }
    }

    fn delete_key(&self, caller: &Caller, full: &str, id: &str) -> Response {
        let mut state = self.lock();
        let repo = match self.administered(&mut state, caller, full) {
            Ok(r) => r,
            Err(resp) => return resp,
        };
        let Some(pos) = repo.keys.iter().position(|k| k.id.to_string() == id) else {
            return not_found();
        };
        let key = repo.keys.remove(pos);
        if let Err(e) = self.servers.ssh().remove_authorized_key(&key.key) {
            return error(500, &format!("{e:#}"));
        }
        Response::empty(204)
    }

    fn get_ref(&self, caller: &Caller, full: &str, reference: &str) -> Response {
        let mut state = self.lock();
        let repo = match self.visible(&mut state, caller, full) {
            Ok(r) => r,
            Err(resp) => return resp,
        };
        let name = format!("refs/{reference}");
        match repo.git.commit_of(&name) {
            Ok(sha) => Response::json(
                200,
                &json!({
                    "ref": name,
                    "node_id": format!("REF_{sha}"),
                    "url": format!("{}/repos/{full}/git/{name}", caller.api()),
                    "object": {
                        "sha": sha,
                        "type": "commit",
                        "url": format!("{}/repos/{full}/git/commits/{sha}", caller.api()),
                    },
                }),
            ),
            Err(_) => not_found(),
        }
    }

    fn create_ref(&self, caller: &Caller, req: &Request, full: &str) -> Response {
        let Ok(body) = req.json() else {
            return error(400, "Problems parsing JSON");
        };
        let mut state = self.lock();
        let repo = match self.visible(&mut state, caller, full) {
            Ok(r) => r,
            Err(resp) => return resp,
        };
        if !self.is_admin(repo, &caller.user.login) {
            return not_found();
        }
        if !caller.has_scope(&["repo", "public_repo"]) {
            return caller.missing_scope(&["repo"]);
        }
        let (Some(name), Some(sha)) = (body["ref"].as_str(), body["sha"].as_str()) else {
            return validation_failed(
                "Invalid request.",
                json!(["\"ref\" and \"sha\" weren't supplied."]),
            );
        };
        if !name.starts_with("refs/") || name.matches('/').count() < 2 {
            return validation_failed(
                "Reference name must start with 'refs/' and have at least two slashes.",
                json!([]),
            );
        }
        if repo.git.bare_rev_parse(name).is_ok() {
            return validation_failed("Reference already exists", json!([]));
        }
        if repo
            .git
            .bare_rev_parse(&format!("{sha}^{{commit}}"))
            .is_err()
        {
            return validation_failed("Object does not exist", json!([]));
        }
        let mut cmd = git_command();
        cmd.arg("--git-dir")
            .arg(repo.git.bare_path())
            .args(["update-ref", name, sha]);
        match cmd.output() {
            Ok(o) if o.status.success() => {}
            Ok(o) => return error(500, &String::from_utf8_lossy(&o.stderr)),
            Err(e) => return error(500, &e.to_string()),
        }
        Response::json(
            201,
            &json!({
                "ref": name,
                "url": format!("{}/repos/{full}/git/{name}", caller.api()),
                "object": { "sha": sha, "type": "commit" },
            }),
        )
    }

    /// Checks shared by the team endpoints; the repository must belong to `org`.
    fn team_repo<'s>(
        &self,
        state: &'s mut State,
        caller: &Caller,
        org: &str,
        team: &str,
        full: &str,
    ) -> Result<&'s mut RepoState, Response> {
        let known = self
            .org(org)
            .is_some_and(|o| o.teams.iter().any(|t| t == team));
        if !known || !self.is_member(org, &caller.user.login) {
            return Err(not_found());
        }
        let repo = self.visible(state, caller, full)?;
        if repo.owner != org {
            return Err(not_found());
        }
        Ok(repo)
    }

    fn get_team_repo(
        &self,
        caller: &Caller,
        req: &Request,
        org: &str,
        team: &str,
        full: &str,
    ) -> Response {
        let mut state = self.lock();
        let repo = match self.team_repo(&mut state, caller, org, team, full) {
            Ok(r) => r,
            Err(resp) => return resp,
        };
        let Some(permission) = repo.teams.get(team).cloned() else {
            return not_found();
        };
        let wants_repo = req
            .header("Accept")
            .is_some_and(|a| a.contains("application/vnd.github.v3.repository+json"));
        if !wants_repo {
            return Response::empty(204);
        }
        let repo = &state.repos[full];
        let mut v = self.repo_json(caller, repo);
        v["permissions"] = permissions(&permission);
        v["role_name"] = json!(role_name(&permission));
        Response::json(200, &v)
    }

    fn put_team_repo(
        &self,
        caller: &Caller,
        req: &Request,
        org: &str,
        team: &str,
        full: &str,
    ) -> Response {
        let body = req.json().unwrap_or(Value::Null);
        let mut state = self.lock();
        let repo = match self.team_repo(&mut state, caller, org, team, full) {
            Ok(r) => r,
            Err(resp) => return resp,
        };
        if !caller.has_scope(&["repo", "admin:org"]) {
            return caller.missing_scope(&["admin:org", "repo"]);
        }
        let permission = body["permission"].as_str().unwrap_or("push");
        if !["pull", "triage", "push", "maintain", "admin"].contains(&permission) {
            return validation_failed(
                "Validation Failed",
                json!([{"resource": "TeamRepository", "code": "invalid", "field": "permission"}]),
            );
        }
        repo.teams.insert(team.to_string(), permission.to_string());
        Response::empty(204)
    }

    fn delete_team_repo(&self, caller: &Caller, org: &str, team: &str, full: &str) -> Response {
        let mut state = self.lock();
        let repo = match self.team_repo(&mut state, caller, org, team, full) {
            Ok(r) => r,
            Err(resp) => return resp,
        };
        repo.teams.remove(team);
        Response::empty(204)
    }
}

impl std::fmt::Debug for FakeGitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeGitHub")
            .field("port", &self.server.port())
            .finish_non_exhaustive()
    }
}

/// `git ls-remote <url>` with extra environment (e.g. `GIT_SSH_COMMAND` naming a deploy
/// key): the refs, or the error git printed.
pub fn ls_remote(url: &str, extra_env: &[(&str, &str)]) -> Result<String> {
    let mut cmd = git_command();
    cmd.args(["ls-remote", url]);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = cmd.output().context("running git ls-remote")?;
    if !out.status.success() {
        bail!(
            "git ls-remote {url}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
