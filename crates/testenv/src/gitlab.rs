//! A local server for the GitLab REST API v4 endpoints bootstrap uses, over the rig's real
//! Git servers.
//!
//! [`FakeGitLab`] answers as GitLab documents it (paths under `/api/v4`, URL-encoded
//! project and group paths such as `group%2Fsub%2Fproject`, status codes, field names, error
//! bodies, `page`/`per_page` pagination with `X-Next-Page`, `X-Total` and `Link` headers),
//! for users authenticated by a `PRIVATE-TOKEN` (or `Authorization: Bearer`) with scopes.
//! Side effects are real: creating a project with a README creates the bare repository on
//! the [`GitServers`] with a README commit on the default branch; a deploy key is an
//! `authorized_keys` entry of the rig's sshd (deleting it revokes it); a deploy token is a
//! credential an HTTPS Git server can be started for ([`FakeGitLab::git_http_for_token`]).
//!
//! ```no_run
//! use std::sync::Arc;
//! use testenv::GitServers;
//! use testenv::gitlab::{FakeGitLab, FakeGitLabOptions, FakeUser};
//! # fn main() -> anyhow::Result<()> {
//! let servers = Arc::new(GitServers::start()?);
//! let gitlab = FakeGitLab::start(
//!     servers,
//!     FakeGitLabOptions {
//!         users: vec![FakeUser::new("alice", "glpat-alice", &["api"])],
//!         groups: vec!["acme/platform".into()],
//!         ..Default::default()
//!     },
//! )?;
//! // `tk bootstrap gitlab --hostname <hostname> --ca-file <ca_pem>`, GITLAB_TOKEN=glpat-alice
//! let (host, ca) = (gitlab.hostname(), gitlab.ca_pem());
//! # let _ = (host, ca); Ok(()) }
//! ```
//!
//! Simplifications: every user is an owner of every group; sshd serves every repository to
//! every authorized key, so a deploy key opens all projects and `can_push` is recorded but
//! not enforced; ids are one counter shared by users, namespaces, projects, keys and tokens.

use crate::git::{GitServers, HttpOptions, HttpServer, Repo, TlsOptions};
use crate::rest::{Request, Response, RestServer};
use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// GitLab's default and largest `per_page`.
const DEFAULT_PER_PAGE: usize = 20;
const MAX_PER_PAGE: usize = 100;
/// Every timestamp the fake reports.
const CREATED_AT: &str = "2024-01-01T00:00:00.000Z";
const DEPLOY_TOKEN_SCOPES: [&str; 7] = [
    "read_repository",
    "read_registry",
    "write_registry",
    "read_package_registry",
    "write_package_registry",
    "read_virtual_registry",
    "write_virtual_registry",
];

/// A user and the one access token it authenticates with.
#[derive(Clone, Debug)]
pub struct FakeUser {
    pub username: String,
    pub token: String,
    /// The token's scopes: `api` allows everything, `read_api` only reads, `read_user`
    /// only `GET /user`; anything else is refused with `insufficient_scope`.
    pub scopes: Vec<String>,
}

impl FakeUser {
    pub fn new(username: &str, token: &str, scopes: &[&str]) -> FakeUser {
        FakeUser {
            username: username.to_string(),
            token: token.to_string(),
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// What the fake starts with.
#[derive(Clone, Debug, Default)]
pub struct FakeGitLabOptions {
    pub users: Vec<FakeUser>,
    /// Group full paths (`acme`, `acme/platform`); parents are created too.
    pub groups: Vec<String>,
    /// `(username, password)` the HTTPS Git server of `http_url_to_repo` accepts; by
    /// default the first user's name and token (GitLab takes any user name with a token).
    pub git_basic_auth: Option<(String, String)>,
    /// `ssh_url_to_repo` in GitLab's scp-like form (`user@127.0.0.1:group/project.git`),
    /// which has no room for the rig's port, so Git cannot use it. By default the fake
    /// answers as GitLab does when its SSH port is not 22:
    /// `ssh://user@127.0.0.1:<port>/group/project.git`.
    pub scp_like_ssh_urls: bool,
    /// The largest `per_page` honoured (GitLab: 100); lower it to make pagination cheap.
    pub max_per_page: Option<usize>,
}

/// A project as the fake holds it, for tests to inspect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeProject {
    pub id: u64,
    /// `path_with_namespace`.
    pub full_path: String,
    pub description: String,
    pub default_branch: Option<String>,
    pub visibility: String,
    pub deploy_keys: Vec<FakeDeployKey>,
    pub deploy_tokens: Vec<FakeDeployToken>,
    /// Groups the project is shared with: `(group full path, access level)`.
    pub shares: Vec<(String, u32)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeDeployKey {
    pub id: u64,
    pub title: String,
    pub key: String,
    pub can_push: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeDeployToken {
    pub id: u64,
    pub name: String,
    pub username: String,
    pub token: String,
    pub scopes: Vec<String>,
    pub revoked: bool,
    pub expired: bool,
}

/// One request the fake answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    /// As sent, still percent-encoded: `/api/v4/projects/acme%2Fapp`.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub status: u16,
}

/// The GitLab API fake; dropping it stops its servers (not the [`GitServers`]).
pub struct FakeGitLab {
    shared: Arc<Shared>,
    git_http: HttpServer,
    server: RestServer,
}

struct Shared {
    servers: Arc<GitServers>,
    state: Mutex<State>,
}

struct State {
    base_url: String,
    git_http_base: String,
    ssh_user: String,
    ssh_port: u16,
    scp_like: bool,
    max_per_page: usize,
    next_id: u64,
    users: Vec<UserRec>,
    groups: Vec<GroupRec>,
    projects: Vec<ProjectRec>,
    repos: HashMap<u64, Repo>,
    log: Vec<LoggedRequest>,
}

struct UserRec {
    id: u64,
    namespace_id: u64,
    username: String,
    token: String,
    scopes: Vec<String>,
}

struct GroupRec {
    id: u64,
    path: String,
    full_path: String,
    parent_id: Option<u64>,
}

enum Namespace {
    User(u64),
    Group(u64),
}

struct ProjectRec {
    id: u64,
    name: String,
    path: String,
    /// The user's or group's namespace id.
    namespace_id: u64,
    namespace_full_path: String,
    owner_user: Option<u64>,
    description: String,
    default_branch: Option<String>,
    visibility: String,
    deploy_keys: Vec<FakeDeployKey>,
    deploy_tokens: Vec<FakeDeployToken>,
    /// `(group id, access level)`.
    shares: Vec<(u64, u32)>,
}

impl ProjectRec {
    fn full_path(&self) -> String {
        format!("{}/{}", self.namespace_full_path, self.path)
    }
}

impl FakeGitLab {
    /// Starts the API on a free loopback port with a fresh CA, and an HTTPS Git server (its
    /// own CA) over `servers`' repositories for `http_url_to_repo`. `servers` needs sshd.
    pub fn start(servers: Arc<GitServers>, options: FakeGitLabOptions) -> Result<FakeGitLab> {
        let auth = match (&options.git_basic_auth, options.users.first()) {
            (Some(auth), _) => auth.clone(),
            (None, Some(u)) => (u.username.clone(), u.token.clone()),
            (None, None) => bail!("FakeGitLabOptions: give at least one user or git_basic_auth"),
        };
        let git_http = servers.start_http(&HttpOptions {
            basic_auth: Some(auth),
            bearer_token: None,
            tls: Some(TlsOptions::default()),
        })?;
        let ssh = servers.ssh();
        let mut state = State {
            base_url: String::new(),
            git_http_base: format!("https://127.0.0.1:{}", git_http.port()),
            ssh_user: ssh.user().to_string(),
            ssh_port: ssh.port(),
            scp_like: options.scp_like_ssh_urls,
            max_per_page: options.max_per_page.unwrap_or(MAX_PER_PAGE).max(1),
            next_id: 1,
            users: Vec::new(),
            groups: Vec::new(),
            projects: Vec::new(),
            repos: HashMap::new(),
            log: Vec::new(),
        };
        for u in &options.users {
            if state.users.iter().any(|x| x.username == u.username) {
                bail!("FakeGitLabOptions: user {} given twice", u.username);
            }
            let (id, namespace_id) = (state.id(), state.id());
            state.users.push(UserRec {
                id,
                namespace_id,
                username: u.username.clone(),
                token: u.token.clone(),
                scopes: u.scopes.clone(),
            });
        }
        for g in &options.groups {
            state.ensure_group(g)?;
        }
        let shared = Arc::new(Shared {
            servers,
            state: Mutex::new(state),
        });
        let handler = {
            let shared = shared.clone();
            Arc::new(move |req: &Request| shared.handle(req))
        };
        let server = RestServer::start(handler)?;
        shared.lock().base_url = server.base_url();
        Ok(FakeGitLab {
            shared,
            git_http,
            server,
        })
    }

    /// `127.0.0.1:<port>`: what `--hostname` takes.
    pub fn hostname(&self) -> String {
        format!("127.0.0.1:{}", self.server.port())
    }

    /// `https://127.0.0.1:<port>`; the API is under `/api/v4`.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// The CAs of the API and of the HTTPS Git server, one PEM bundle (what `--ca-file`
    /// holds for a GitLab whose API and Git share a host).
    pub fn ca_pem(&self) -> String {
        format!(
            "{}{}",
            self.server.ca_pem(),
            self.git_http.ca_pem().unwrap_or_default()
        )
    }

    /// The API's CA alone.
    pub fn api_ca_pem(&self) -> &str {
        self.server.ca_pem()
    }

    /// The HTTPS Git server `http_url_to_repo` points at.
    pub fn git_http(&self) -> &HttpServer {
        &self.git_http
    }

    pub fn servers(&self) -> &Arc<GitServers> {
        &self.shared.servers
    }

    /// Adds a group (and missing parents) after the start; returns its id.
    pub fn add_group(&self, full_path: &str) -> Result<u64> {
        self.shared.lock().ensure_group(full_path)
    }

    /// Creates a project as `POST /projects` would with a README: private, default branch
    /// `main`, no description, owned by the user or group `namespace` (a full path).
    pub fn seed_project(&self, namespace: &str, name: &str) -> Result<FakeProject> {
        let mut state = self.shared.lock();
        let ns = state
            .namespace_by_path(namespace)
            .ok_or_else(|| anyhow!("no user or group {namespace}"))?;
        let id = state.create_project(
            &self.shared.servers,
            ns,
            name,
            name,
            "",
            "private",
            Some("main"),
        )?;
        Ok(state.snapshot(id))
    }

    /// Adds a deploy key to a project as `POST /projects/:id/deploy_keys` does, authorizing
    /// it with sshd; `key` need not be a real key (sshd ignores lines it cannot parse).
    pub fn seed_deploy_key(
        &self,
        project: &str,
        title: &str,
        key: &str,
        can_push: bool,
    ) -> Result<FakeDeployKey> {
        let mut state = self.shared.lock();
        let index = state.project_index(project)?;
        let id = state.id();
        let record = FakeDeployKey {
            id,
            title: title.to_string(),
            key: key.trim().to_string(),
            can_push,
        };
        self.shared.servers.ssh().add_authorized_key(&record.key)?;
        state.projects[index].deploy_keys.push(record.clone());
        Ok(record)
    }

    /// Adds a `read_repository` deploy token to a project, revoked if asked.
    pub fn seed_deploy_token(
        &self,
        project: &str,
        name: &str,
        revoked: bool,
    ) -> Result<FakeDeployToken> {
        let mut state = self.shared.lock();
        let index = state.project_index(project)?;
        let mut token = state.new_deploy_token(name, None, vec!["read_repository".into()]);
        token.revoked = revoked;
        state.projects[index].deploy_tokens.push(token.clone());
        Ok(token)
    }

    /// The project at `full_path`, if any.
    pub fn project(&self, full_path: &str) -> Option<FakeProject> {
        let state = self.shared.lock();
        let index = state.project_index(full_path).ok()?;
        Some(state.snapshot(state.projects[index].id))
    }

    /// Every request answered so far, in order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.lock().log.clone()
    }

    /// The requests with method `method` (`"POST"`) as `"METHOD path"` strings.
    pub fn requests_with_method(&self, method: &str) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method)
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }

    /// An HTTPS Git server over the same repositories that accepts `username`/`token` as
    /// basic auth, started only if that is a live `read_repository` deploy token of some
    /// project, as GitLab would accept it for `git clone`.
    pub fn git_http_for_token(&self, username: &str, token: &str) -> Result<HttpServer> {
        {
            let state = self.shared.lock();
            let live = state
                .projects
                .iter()
                .flat_map(|p| &p.deploy_tokens)
                .any(|t| {
                    t.username == username
                        && t.token == token
                        && !t.revoked
                        && !t.expired
                        && t.scopes.iter().any(|s| s == "read_repository")
                });
            if !live {
                bail!("{username} with that token is not a live read_repository deploy token");
            }
        }
        self.shared.servers.start_http(&HttpOptions {
            basic_auth: Some((username.to_string(), token.to_string())),
            bearer_token: None,
            tls: Some(TlsOptions::default()),
        })
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn handle(&self, req: &Request) -> Response {
        let mut state = self.lock();
        let response = route(&mut state, &self.servers, req);
        state.log.push(LoggedRequest {
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            status: response.status,
        });
        response
    }
}

fn message(status: u16, text: &str) -> Response {
    Response::json(status, &json!({ "message": text }))
}

fn error(status: u16, text: &str) -> Response {
    Response::json(status, &json!({ "error": text }))
}

fn not_found(what: &str) -> Response {
    message(404, &format!("404 {what} Not Found"))
}

fn insufficient_scope() -> Response {
    Response::json(
        403,
        &json!({
            "error": "insufficient_scope",
            "error_description": "The request requires higher privileges than provided by the access token.",
            "scope": "api",
        }),
    )
}

/// Authenticates, checks scopes and dispatches to one handler per endpoint.
fn route(state: &mut State, servers: &GitServers, req: &Request) -> Response {
    let segments = req.segments();
    let Some(rest) = segments
        .strip_prefix(&["api".to_string(), "v4".to_string()])
        .map(<[String]>::to_vec)
    else {
        return message(404, "404 Not Found");
    };
    let token = req.header("PRIVATE-TOKEN").map(str::to_string).or_else(|| {
        req.header("Authorization")
            .and_then(|a| a.strip_prefix("Bearer "))
            .map(str::to_string)
    });
    let Some(user) = token.and_then(|t| state.users.iter().position(|u| u.token == t)) else {
        return message(401, "401 Unauthorized");
    };
    let scopes = &state.users[user].scopes;
    let allowed = scopes.iter().any(|s| s == "api")
        || (req.method == "GET" && scopes.iter().any(|s| s == "read_api"))
        || (req.method == "GET" && rest == ["user"] && scopes.iter().any(|s| s == "read_user"));
    if !allowed {
        return insufficient_scope();
    }
    let body = match req.json() {
        Ok(body) => body,
        Err(_) => return message(400, "400 Bad request - body is not valid JSON"),
    };
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    match (req.method.as_str(), rest.as_slice()) {
        ("GET", ["user"]) => get_user(state, user),
        ("GET", ["groups", id]) => get_group(state, id),
        ("GET", ["namespaces", id]) => get_namespace(state, user, id),
        ("POST", ["projects"]) => create_project(state, servers, user, &body),
        ("GET", ["projects", id]) => get_project(state, user, id),
        ("PUT", ["projects", id]) => edit_project(state, user, id, &body),
        ("POST", ["projects", id, "share"]) => share_project(state, user, id, &body),
        ("DELETE", ["projects", id, "share", group]) => unshare_project(state, user, id, group),
        ("GET", ["projects", id, "deploy_keys"]) => list_deploy_keys(state, user, id, req),
        ("POST", ["projects", id, "deploy_keys"]) => {
            add_deploy_key(state, servers, user, id, &body)
        }
        ("DELETE", ["projects", id, "deploy_keys", key]) => {
            delete_deploy_key(state, servers, user, id, key)
        }
        ("GET", ["projects", id, "deploy_tokens"]) => list_deploy_tokens(state, user, id, req),
        ("POST", ["projects", id, "deploy_tokens"]) => create_deploy_token(state, user, id, &body),
        ("DELETE", ["projects", id, "deploy_tokens", token]) => {
            revoke_deploy_token(state, user, id, token)
        }
        _ => message(404, "404 Not Found"),
    }
}

fn get_user(state: &State, user: usize) -> Response {
    let u = &state.users[user];
    Response::json(
        200,
        &json!({
            "id": u.id,
            "username": u.username,
            "name": u.username,
            "state": "active",
            "locked": false,
            "web_url": format!("{}/{}", state.base_url, u.username),
            "created_at": CREATED_AT,
        }),
    )
}

fn get_group(state: &State, id: &str) -> Response {
    match state.group_by_id_or_path(id) {
        Some(g) => Response::json(200, &state.group_json(g)),
        None => not_found("Group"),
    }
}

fn get_namespace(state: &State, user: usize, id: &str) -> Response {
    if let Some(g) = state.group_by_id_or_path(id) {
        let mut v = state.group_json(g);
        v["kind"] = json!("group");
        return Response::json(200, &v);
    }
    // Only the token's own user namespace is visible (others are for admins).
    let u = &state.users[user];
    if id == u.namespace_id.to_string() || id.eq_ignore_ascii_case(&u.username) {
        return Response::json(
            200,
            &json!({
                "id": u.namespace_id,
                "name": u.username,
                "path": u.username,
                "kind": "user",
                "full_path": u.username,
                "parent_id": null,
                "web_url": format!("{}/{}", state.base_url, u.username),
            }),
        );
    }
    not_found("Namespace")
}

fn create_project(state: &mut State, servers: &GitServers, user: usize, body: &Value) -> Response {
    let name = body["name"].as_str().filter(|s| !s.is_empty());
    let path = body["path"].as_str().filter(|s| !s.is_empty());
    let (name, path) = match (name, path) {
        (None, None) => {
            return error(
                400,
                "name, path are missing, at least one parameter must be provided",
            );
        }
        (Some(n), None) => (n.to_string(), n.to_string()),
        (None, Some(p)) => (p.to_string(), p.to_string()),
        (Some(n), Some(p)) => (n.to_string(), p.to_string()),
    };
    if !path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return message(
            400,
            "400 Bad request - path can contain only letters, digits, '_', '-' and '.'",
        );
    }
    let visibility = match body["visibility"].as_str() {
        None => "private",
        Some(v @ ("private" | "internal" | "public")) => v,
        Some(_) => return error(400, "visibility does not have a valid value"),
    };
    let ns = match &body["namespace_id"] {
        Value::Null => Namespace::User(state.users[user].id),
        v => {
            let id = v
                .as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()));
            match id.and_then(|id| state.groups.iter().find(|g| g.id == id)) {
                Some(g) => Namespace::Group(g.id),
                None => {
                    return Response::json(
                        400,
                        &json!({ "message": { "namespace": ["is not valid"] } }),
                    );
                }
            }
        }
    };
    let namespace_path = state.namespace_path(&ns);
    if state
        .projects
        .iter()
        .any(|p| p.namespace_full_path == namespace_path && p.path.eq_ignore_ascii_case(&path))
    {
        return Response::json(
            400,
            &json!({ "message": {
                "project_namespace.name": ["has already been taken"],
                "name": ["has already been taken"],
                "path": ["has already been taken"],
            } }),
        );
    }
    let description = body["description"].as_str().unwrap_or("");
    let default_branch = body["default_branch"].as_str().unwrap_or("main");
    let readme = body["initialize_with_readme"].as_bool().unwrap_or(false);
    let created = state.create_project(
        servers,
        ns,
        &name,
        &path,
        description,
        visibility,
        readme.then_some(default_branch),
    );
    match created {
        Ok(id) => Response::json(201, &state.project_json(id)),
        Err(e) => message(500, &format!("500 Internal Server Error: {e:#}")),
    }
}

fn get_project(state: &State, user: usize, id: &str) -> Response {
    match state.visible_project(user, id) {
        Some(index) => Response::json(200, &state.project_json(state.projects[index].id)),
        None => not_found("Project"),
    }
}

fn edit_project(state: &mut State, user: usize, id: &str, body: &Value) -> Response {
    let Some(index) = state.visible_project(user, id) else {
        return not_found("Project");
    };
    if let Some(v) = body.get("visibility") {
        match v.as_str() {
            Some("private" | "internal" | "public") => {}
            _ => return error(400, "visibility does not have a valid value"),
        }
    }
    if let Some(branch) = body.get("default_branch").and_then(Value::as_str) {
        let project_id = state.projects[index].id;
        let exists = state
            .repos
            .get(&project_id)
            .is_some_and(|r| r.bare_rev_parse(&format!("refs/heads/{branch}")).is_ok());
        if !exists {
            let problem = format!("Could not change HEAD: branch '{branch}' does not exist");
            return Response::json(400, &json!({ "message": { "base": [problem] } }));
        }
        if let Some(repo) = state.repos.get(&project_id)
            && let Err(e) = repo.set_default_branch(branch)
        {
            return message(500, &format!("500 Internal Server Error: {e:#}"));
        }
        state.projects[index].default_branch = Some(branch.to_string());
    }
    let p = &mut state.projects[index];
    if let Some(d) = body.get("description").and_then(Value::as_str) {
        p.description = d.to_string();
    }
    if let Some(v) = body.get("visibility").and_then(Value::as_str) {
        p.visibility = v.to_string();
    }
    let id = p.id;
    Response::json(200, &state.project_json(id))
}

fn share_project(state: &mut State, user: usize, id: &str, body: &Value) -> Response {
    let Some(index) = state.visible_project(user, id) else {
        return not_found("Project");
    };
    let group_id = match &body["group_id"] {
        Value::Null => return error(400, "group_id is missing"),
        v => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok())),
    };
    let access = match &body["group_access"] {
        Value::Null => return error(400, "group_access is missing"),
        v => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok())),
    };
    let Some(access) = access.filter(|a| [10, 20, 30, 40, 50].contains(a)) else {
        return error(400, "group_access does not have a valid value");
    };
    let Some(group) = group_id.and_then(|g| state.groups.iter().find(|x| x.id == g)) else {
        return not_found("Group");
    };
    let group_id = group.id;
    let p = &mut state.projects[index];
    if p.shares.iter().any(|(g, _)| *g == group_id) {
        return message(409, "Group already shared with this group");
    }
    p.shares.push((group_id, access as u32));
    let project_id = p.id;
    let link_id = state.id();
    Response::json(
        201,
        &json!({
            "id": link_id,
            "project_id": project_id,
            "group_id": group_id,
            "group_access": access,
            "expires_at": null,
        }),
    )
}

fn unshare_project(state: &mut State, user: usize, id: &str, group: &str) -> Response {
    let Some(index) = state.visible_project(user, id) else {
        return not_found("Project");
    };
    let p = &mut state.projects[index];
    let before = p.shares.len();
    p.shares.retain(|(g, _)| g.to_string() != group);
    if p.shares.len() == before {
        return not_found("Group Link");
    }
    Response::empty(204)
}

fn list_deploy_keys(state: &State, user: usize, id: &str, req: &Request) -> Response {
    let Some(index) = state.visible_project(user, id) else {
        return not_found("Project");
    };
    let items = state.projects[index]
        .deploy_keys
        .iter()
        .map(deploy_key_json)
        .collect();
    paginate(state, req, items)
}

fn add_deploy_key(
    state: &mut State,
    servers: &GitServers,
    user: usize,
    id: &str,
    body: &Value,
) -> Response {
    let Some(index) = state.visible_project(user, id) else {
        return not_found("Project");
    };
    let key = body["key"]
        .as_str()
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let title = body["title"].as_str().filter(|t| !t.is_empty());
    let (key, title) = match (key, title) {
        (Some(k), Some(t)) => (k.to_string(), t.to_string()),
        (None, None) => return error(400, "key is missing, title is missing"),
        (None, _) => return error(400, "key is missing"),
        (_, None) => return error(400, "title is missing"),
    };
    let material = key_material(&key);
    if material.split(' ').count() != 2 || key.contains('\n') {
        return Response::json(400, &json!({ "message": { "key": ["is invalid"] } }));
    }
    if state.projects[index]
        .deploy_keys
        .iter()
        .any(|k| key_material(&k.key) == material)
    {
        return Response::json(
            400,
            &json!({ "message": { "deploy_key.fingerprint_sha256": ["has already been taken"] } }),
        );
    }
    if let Err(e) = servers.ssh().add_authorized_key(&key) {
        return message(500, &format!("500 Internal Server Error: {e:#}"));
    }
    let record = FakeDeployKey {
        id: state.id(),
        title,
        key,
        can_push: body["can_push"].as_bool().unwrap_or(false),
    };
    let response = deploy_key_json(&record);
    state.projects[index].deploy_keys.push(record);
    Response::json(201, &response)
}

fn delete_deploy_key(
    state: &mut State,
    servers: &GitServers,
    user: usize,
    id: &str,
    key: &str,
) -> Response {
    let Some(index) = state.visible_project(user, id) else {
        return not_found("Project");
    };
    let keys = &mut state.projects[index].deploy_keys;
    let Some(position) = keys.iter().position(|k| k.id.to_string() == key) else {
        return not_found("Deploy Key");
    };
    let removed = keys.remove(position);
    let material = key_material(&removed.key);
    let still_used = state
        .projects
        .iter()
        .flat_map(|p| &p.deploy_keys)
        .any(|k| key_material(&k.key) == material);
    if !still_used && let Err(e) = servers.ssh().remove_authorized_key(&removed.key) {
        return message(500, &format!("500 Internal Server Error: {e:#}"));
    }
    Response::empty(204)
}

fn list_deploy_tokens(state: &State, user: usize, id: &str, req: &Request) -> Response {
    let Some(index) = state.visible_project(user, id) else {
        return not_found("Project");
    };
    let active_only = req.query_param("active") == Some("true");
    let items = state.projects[index]
        .deploy_tokens
        .iter()
        .filter(|t| !active_only || (!t.revoked && !t.expired))
        .map(|t| deploy_token_json(t, false))
        .collect();
    paginate(state, req, items)
}

fn create_deploy_token(state: &mut State, user: usize, id: &str, body: &Value) -> Response {
    let Some(index) = state.visible_project(user, id) else {
        return not_found("Project");
    };
    let name = body["name"].as_str().filter(|n| !n.is_empty());
    let scopes = body["scopes"].as_array();
    let (name, scopes) = match (name, scopes) {
        (Some(n), Some(s)) => (n.to_string(), s),
        (None, None) => return error(400, "name is missing, scopes is missing"),
        (None, _) => return error(400, "name is missing"),
        (_, None) => return error(400, "scopes is missing"),
    };
    let scopes: Option<Vec<String>> = scopes
        .iter()
        .map(|s| {
            s.as_str()
                .filter(|s| DEPLOY_TOKEN_SCOPES.contains(s))
                .map(str::to_string)
        })
        .collect();
    let Some(scopes) = scopes.filter(|s| !s.is_empty()) else {
        return error(400, "scopes does not have a valid value");
    };
    let username = body["username"].as_str().filter(|u| !u.is_empty());
    let token = state.new_deploy_token(&name, username, scopes);
    let response = deploy_token_json(&token, true);
    state.projects[index].deploy_tokens.push(token);
    Response::json(201, &response)
}

fn revoke_deploy_token(state: &mut State, user: usize, id: &str, token: &str) -> Response {
    let Some(index) = state.visible_project(user, id) else {
        return not_found("Project");
    };
    let tokens = &mut state.projects[index].deploy_tokens;
    let Some(position) = tokens.iter().position(|t| t.id.to_string() == token) else {
        return not_found("Deploy Token");
    };
    tokens.remove(position);
    Response::empty(204)
}

fn deploy_key_json(k: &FakeDeployKey) -> Value {
    json!({
        "id": k.id,
        "title": k.title,
        "key": k.key,
        "created_at": CREATED_AT,
        "expires_at": null,
        "can_push": k.can_push,
    })
}

fn deploy_token_json(t: &FakeDeployToken, with_secret: bool) -> Value {
    let mut v = json!({
        "id": t.id,
        "name": t.name,
        "username": t.username,
        "expires_at": null,
        "scopes": t.scopes,
        "revoked": t.revoked,
        "expired": t.expired,
    });
    if with_secret {
        v["token"] = json!(t.token);
    }
    v
}

/// GitLab's offset pagination: `page` (from 1) and `per_page` (default 20, at most 100),
/// answered with `X-Page`, `X-Per-Page`, `X-Total`, `X-Total-Pages`, `X-Next-Page`,
/// `X-Prev-Page` (empty when there is none) and a `Link` header.
fn paginate(state: &State, req: &Request, items: Vec<Value>) -> Response {
    let per_page = req
        .query_param("per_page")
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|p| *p > 0)
        .unwrap_or(DEFAULT_PER_PAGE)
        .min(state.max_per_page);
    let page = req
        .query_param("page")
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|p| *p > 0)
        .unwrap_or(1);
    let total = items.len();
    let total_pages = total.div_ceil(per_page).max(1);
    let slice: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    let next = (page < total_pages).then(|| page + 1);
    let prev = (page > 1).then(|| (page - 1).min(total_pages));
    let link_to = |p: usize| {
        let mut query: Vec<String> = req
            .query
            .iter()
            .filter(|(k, _)| k != "page" && k != "per_page")
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        query.push(format!("page={p}"));
        query.push(format!("per_page={per_page}"));
        format!("{}{}?{}", state.base_url, req.path, query.join("&"))
    };
    let mut links = Vec::new();
    if let Some(p) = prev {
        links.push(format!("<{}>; rel=\"prev\"", link_to(p)));
    }
    if let Some(n) = next {
        links.push(format!("<{}>; rel=\"next\"", link_to(n)));
    }
    links.push(format!("<{}>; rel=\"first\"", link_to(1)));
    links.push(format!("<{}>; rel=\"last\"", link_to(total_pages)));
    let show = |p: Option<usize>| p.map(|p| p.to_string()).unwrap_or_default();
    Response::json(200, &Value::Array(slice))
        .with_header("Link", &links.join(", "))
        .with_header("X-Page", &page.to_string())
        .with_header("X-Per-Page", &per_page.to_string())
        .with_header("X-Total", &total.to_string())
        .with_header("X-Total-Pages", &total_pages.to_string())
        .with_header("X-Next-Page", &show(next))
        .with_header("X-Prev-Page", &show(prev))
}

impl State {
    fn id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn ensure_group(&mut self, full_path: &str) -> Result<u64> {
        let full_path = full_path.trim_matches('/');
        if full_path.is_empty() {
            bail!("a group path is empty");
        }
        let mut parent: Option<u64> = None;
        let mut so_far = String::new();
        for part in full_path.split('/') {
            if !so_far.is_empty() {
                so_far.push('/');
            }
            so_far.push_str(part);
            if let Some(g) = self.groups.iter().find(|g| g.full_path == so_far) {
                parent = Some(g.id);
                continue;
            }
            if parent.is_none() && self.users.iter().any(|u| u.username == so_far) {
                bail!("group {so_far} would take the name of a user");
            }
            let id = self.id();
            self.groups.push(GroupRec {
                id,
                path: part.to_string(),
                full_path: so_far.clone(),
                parent_id: parent,
            });
            parent = Some(id);
        }
        Ok(parent.expect("at least one part"))
    }

    fn group_by_id_or_path(&self, id: &str) -> Option<&GroupRec> {
        self.groups
            .iter()
            .find(|g| g.id.to_string() == id || g.full_path.eq_ignore_ascii_case(id))
    }

    fn group_json(&self, g: &GroupRec) -> Value {
        json!({
            "id": g.id,
            "name": g.path,
            "path": g.path,
            "full_name": g.full_path.replace('/', " / "),
            "full_path": g.full_path,
            "parent_id": g.parent_id,
            "visibility": "private",
            "web_url": format!("{}/groups/{}", self.base_url, g.full_path),
            "created_at": CREATED_AT,
        })
    }

    fn namespace_by_path(&self, path: &str) -> Option<Namespace> {
        if let Some(g) = self.groups.iter().find(|g| g.full_path == path) {
            return Some(Namespace::Group(g.id));
        }
        self.users
            .iter()
            .find(|u| u.username == path)
            .map(|u| Namespace::User(u.id))
    }

    fn namespace_path(&self, ns: &Namespace) -> String {
        match ns {
            Namespace::User(id) => self
                .users
                .iter()
                .find(|u| u.id == *id)
                .map(|u| u.username.clone()),
            Namespace::Group(id) => self
                .groups
                .iter()
                .find(|g| g.id == *id)
                .map(|g| g.full_path.clone()),
        }
        .expect("namespaces come from the state")
    }

    /// Records a project and creates its bare repository, with a README commit on
    /// `readme_branch` when given (else empty, without a default branch).
    #[allow(clippy::too_many_arguments)]
    fn create_project(
        &mut self,
        servers: &GitServers,
        ns: Namespace,
        name: &str,
        path: &str,
        description: &str,
        visibility: &str,
        readme_branch: Option<&str>,
    ) -> Result<u64> {
        let namespace_full_path = self.namespace_path(&ns);
        let (namespace_id, owner_user) = match ns {
            Namespace::User(id) => {
                let u = self.users.iter().find(|u| u.id == id).expect("a user");
                (u.namespace_id, Some(id))
            }
            Namespace::Group(id) => (id, None),
        };
        let full_path = format!("{namespace_full_path}/{path}");
        if self
            .projects
            .iter()
            .any(|p| p.full_path().eq_ignore_ascii_case(&full_path))
        {
            bail!("project {full_path} exists already");
        }
        let repo = servers.create_repo(&full_path)?;
        if let Some(branch) = readme_branch {
            if branch != "main" {
                repo.checkout_new_branch(branch)?;
            }
            let readme = if description.is_empty() {
                format!("# {name}\n")
            } else {
                format!("# {name}\n\n{description}\n")
            };
            repo.commit("Initial commit", &[("README.md", &readme)])
                .with_context(|| format!("committing the README of {full_path}"))?;
            repo.push()?;
            repo.set_default_branch(branch)?;
        }
        let id = self.id();
        self.projects.push(ProjectRec {
            id,
            name: name.to_string(),
            path: path.to_string(),
            namespace_id,
            namespace_full_path,
            owner_user,
            description: description.to_string(),
            default_branch: readme_branch.map(str::to_string),
            visibility: visibility.to_string(),
            deploy_keys: Vec::new(),
            deploy_tokens: Vec::new(),
            shares: Vec::new(),
        });
        self.repos.insert(id, repo);
        Ok(id)
    }

    fn project_index(&self, full_path: &str) -> Result<usize> {
        self.projects
            .iter()
            .position(|p| p.full_path() == full_path)
            .ok_or_else(|| anyhow!("no project {full_path}"))
    }

    /// The project `id` (numeric or full path) if `user` may see it: group projects are
    /// visible to everyone (every user owns every group), personal ones to their owner.
    fn visible_project(&self, user: usize, id: &str) -> Option<usize> {
        let user_id = self.users[user].id;
        self.projects.iter().position(|p| {
            (p.id.to_string() == id || p.full_path().eq_ignore_ascii_case(id))
                && p.owner_user.is_none_or(|owner| owner == user_id)
        })
    }

    fn project_json(&self, id: u64) -> Value {
        let p = self
            .projects
            .iter()
            .find(|p| p.id == id)
            .expect("a project");
        let full_path = p.full_path();
        let ssh_url = if self.scp_like {
            format!("{}@127.0.0.1:{full_path}.git", self.ssh_user)
        } else {
            format!(
                "ssh://{}@127.0.0.1:{}/{full_path}.git",
                self.ssh_user, self.ssh_port
            )
        };
        let (kind, namespace_name) = match p.owner_user {
            Some(_) => ("user", p.namespace_full_path.clone()),
            None => (
                "group",
                p.namespace_full_path
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            ),
        };
        let shared: Vec<Value> = p
            .shares
            .iter()
            .filter_map(|(gid, level)| {
                let g = self.groups.iter().find(|g| g.id == *gid)?;
                Some(json!({
                    "group_id": g.id,
                    "group_name": g.path,
                    "group_full_path": g.full_path,
                    "group_access_level": level,
                    "expires_at": null,
                }))
            })
            .collect();
        json!({
            "id": p.id,
            "description": p.description,
            "name": p.name,
            "name_with_namespace": format!("{} / {}", p.namespace_full_path.replace('/', " / "), p.name),
            "path": p.path,
            "path_with_namespace": full_path,
            "created_at": CREATED_AT,
            "default_branch": p.default_branch,
            "ssh_url_to_repo": ssh_url,
            "http_url_to_repo": format!("{}/{full_path}.git", self.git_http_base),
            "web_url": format!("{}/{full_path}", self.base_url),
            "visibility": p.visibility,
            "empty_repo": p.default_branch.is_none(),
            "archived": false,
            "namespace": {
                "id": p.namespace_id,
                "name": namespace_name,
                "path": namespace_name,
                "kind": kind,
                "full_path": p.namespace_full_path,
            },
            "shared_with_groups": shared,
        })
    }

    fn new_deploy_token(
        &mut self,
        name: &str,
        username: Option<&str>,
        scopes: Vec<String>,
    ) -> FakeDeployToken {
        let id = self.id();
        FakeDeployToken {
            id,
            name: name.to_string(),
            username: username
                .map(str::to_string)
                .unwrap_or_else(|| format!("gitlab+deploy-token-{id}")),
            token: format!("gldt-{}", random_hex(10)),
            scopes,
            revoked: false,
            expired: false,
        }
    }

    fn snapshot(&self, id: u64) -> FakeProject {
        let p = self
            .projects
            .iter()
            .find(|p| p.id == id)
            .expect("a project");
        FakeProject {
            id: p.id,
            full_path: p.full_path(),
            description: p.description.clone(),
            default_branch: p.default_branch.clone(),
            visibility: p.visibility.clone(),
            deploy_keys: p.deploy_keys.clone(),
            deploy_tokens: p.deploy_tokens.clone(),
            shares: p
                .shares
                .iter()
                .filter_map(|(gid, level)| {
                    let g = self.groups.iter().find(|g| g.id == *gid)?;
                    Some((g.full_path.clone(), *level))
                })
                .collect(),
        }
    }
}

/// `type base64` of a public key line, without its comment.
fn key_material(line: &str) -> String {
    line.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // SAFETY: getrandom writes at most `buf.len()` bytes into `buf`.
    let n = unsafe { libc::getrandom(buf.as_mut_ptr().cast(), buf.len(), 0) };
    if n != bytes as isize {
        // Unique is all a fake needs when the kernel has no randomness to give.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        return format!("{nanos:x}");
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_material_drops_the_comment() {
        assert_eq!(key_material("ssh-ed25519 AAAA c\n"), "ssh-ed25519 AAAA");
    }

    #[test]
    fn encode_escapes_slashes() {
        assert_eq!(encode("a/b c"), "a%2Fb%20c");
    }
}
