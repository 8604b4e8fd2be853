//! What bootstrap asks of a hosted Git service (GitHub, GitLab): the repository, team
//! access, deploy keys and deploy tokens. Each service's client lives in its own module and
//! speaks only these types to the orchestrator.

use std::time::Duration;

use anyhow::{Result, anyhow, bail};

/// Bounds one API call; a bootstrap makes a handful.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The HTTPS client for a service's API at `host`: the system roots plus the certificates
/// of `--ca-file`, `headers` on every request, bounded calls.
pub fn http_client(
    host: &str,
    ca_pem: Option<&str>,
    headers: reqwest::header::HeaderMap,
) -> Result<reqwest::Client> {
    crate::cli::install_crypto_provider();
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("tk/", env!("CARGO_PKG_VERSION")))
        .default_headers(headers)
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT);
    if let Some(pem) = ca_pem {
        let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
            .map_err(|e| anyhow!("flag --ca-file: not PEM certificates: {e}"))?;
        if certs.is_empty() {
            bail!("flag --ca-file: the file holds no PEM certificate");
        }
        builder = builder.tls_certs_merge(certs);
    }
    builder
        .build()
        .map_err(|e| anyhow!("building the HTTPS client for {host}: {e}"))
}

/// Who may see a repository created by bootstrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Private,
    Internal,
    Public,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Private => "private",
            Visibility::Internal => "internal",
            Visibility::Public => "public",
        }
    }
}

/// The repository bootstrap needs, as the flags describe it.
#[derive(Debug, Clone)]
pub struct RepositoryRequest {
    /// User or organisation (GitHub), user or group path with subgroups (GitLab).
    pub owner: String,
    pub name: String,
    /// The owner is the authenticated user rather than an organisation or group.
    pub personal: bool,
    pub description: String,
    /// The branch bootstrap commits to; a created repository gets it as default branch.
    pub default_branch: String,
    pub visibility: Visibility,
    /// Bring an existing repository's settings (description, default branch, visibility)
    /// in line with the request (`--reconcile`).
    pub reconcile: bool,
    /// Team (GitHub slug, GitLab group path) and permission, granted best effort.
    pub teams: Vec<(String, String)>,
}

/// A repository as the service reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    /// `owner/name` (GitLab: the full path with groups).
    pub full_name: String,
    /// The service's numeric id, as a string (GitLab addresses projects by it).
    pub id: String,
    /// HTTPS clone URL.
    pub https_url: String,
    /// SSH clone URL in `ssh://user@host[:port]/path` form (scp-like answers are converted).
    pub ssh_url: String,
    pub default_branch: Option<String>,
    /// True when this run created it.
    pub created: bool,
}

/// A deploy key named for the cluster (see `deploy_key_name`).
#[derive(Debug, Clone)]
pub struct DeployKeyRequest {
    pub title: String,
    /// One `authorized_keys` line.
    pub public_key: String,
    pub read_only: bool,
}

/// What reconciling a deploy key or team grant did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Unchanged,
    Created,
    /// A key of the same title with other content or access was deleted and added again.
    Replaced,
}

/// Credentials of a GitLab deploy token, only known when it is created.
#[derive(Clone, PartialEq, Eq)]
pub struct DeployToken {
    pub username: String,
    pub token: String,
}

impl std::fmt::Debug for DeployToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeployToken")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Flux's name for the deploy key (and deploy token) of a cluster: the non-empty parts of
/// namespace, branch, secret name and `--path` as given, joined by `-`
/// (`flux-system-main-flux-system-./clusters/prod`), so a key flux made is recognised.
pub fn deploy_key_name(namespace: &str, branch: &str, secret: &str, path: &str) -> String {
    [namespace, branch, secret, path]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}
