//! `tk bootstrap github|gitlab`: the repository, its team access and the cluster's deploy
//! key (or GitLab deploy token) through the service's API, then the shared steps. tk pushes
//! over HTTPS with the token; the cluster syncs over SSH with its own key, or over HTTPS
//! with the token (`--token-auth`) or a deploy token (`--deploy-token-auth`).

use std::io::IsTerminal;

use anyhow::{Result, anyhow, bail};
use gitsource::{Auth, Credentials};
use url::Url;

use super::flow::Bootstrap;
use super::github::GitHub;
use super::gitlab::GitLab;
use super::provider::{
    Change, DeployKeyRequest, DeployToken, Repository, RepositoryRequest, Visibility,
    deploy_key_name,
};
use super::secret::{ClusterAuth, SecretPlan, TokenCredentials};
use crate::cli::args::{BootstrapCommonArgs, HostedArgs};
use crate::cli::printer::Printer;
use crate::cli::settings::GlobalSettings;

/// The user name tk and the cluster present with a token over HTTPS; both services take any.
const TOKEN_USER: &str = "git";

pub enum Service {
    GitHub(GitHub),
    GitLab(GitLab),
}

impl Service {
    async fn reconcile_repository(
        &self,
        request: &RepositoryRequest,
        printer: Printer,
    ) -> Result<Repository> {
        match self {
            Service::GitHub(api) => api.reconcile_repository(request, printer).await,
            Service::GitLab(api) => api.reconcile_repository(request, printer).await,
        }
    }

    async fn reconcile_deploy_key(
        &self,
        repo: &Repository,
        key: &DeployKeyRequest,
    ) -> Result<Change> {
        match self {
            Service::GitHub(api) => api.reconcile_deploy_key(repo, key).await,
            Service::GitLab(api) => api.reconcile_deploy_key(repo, key).await,
        }
    }
}

/// What a hosted bootstrap needs beyond the common flags.
pub struct Hosted<'a> {
    pub service: Service,
    pub token: String,
    pub request: RepositoryRequest,
    pub read_write_key: bool,
    /// GitLab only: the cluster authenticates with a project deploy token.
    pub deploy_token_auth: bool,
    /// `--ca-file`, trusted for the API and Git, and stored in a token Secret.
    pub ca_pem: Option<String>,
    pub common: &'a BootstrapCommonArgs,
}

impl<'a> Hosted<'a> {
    /// The repository the flags describe; teams without a permission get `maintain`, as
    /// flux's do.
    pub fn new(
        service: Service,
        token: String,
        ca_pem: Option<String>,
        args: &HostedArgs,
        visibility: Visibility,
        common: &'a BootstrapCommonArgs,
    ) -> Result<Hosted<'a>> {
        if args.owner.trim().is_empty() || args.repository.trim().is_empty() {
            bail!("flags --owner and --repository: both are required");
        }
        let teams = args
            .teams
            .iter()
            .filter(|t| !t.is_empty())
            .map(|team| match team.split_once(':') {
                Some((name, permission)) => (name.to_string(), permission.to_string()),
                None => (team.clone(), "maintain".to_string()),
            })
            .collect();
        Ok(Hosted {
            service,
            token,
            request: RepositoryRequest {
                owner: args.owner.clone(),
                name: args.repository.clone(),
                personal: args.personal,
                description: String::new(),
                default_branch: common.branch.clone(),
                visibility,
                reconcile: args.reconcile,
                teams,
            },
            read_write_key: args.read_write_key,
            deploy_token_auth: false,
            ca_pem,
            common,
        })
    }
}

/// The token from `variable`, or asked for (hidden) on a terminal.
pub fn token(variable: &str, service: &str) -> Result<String> {
    if let Some(token) = std::env::var(variable)
        .ok()
        .filter(|t| !t.trim().is_empty())
    {
        return Ok(token.trim().to_string());
    }
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        let token = dialoguer::Password::new()
            .with_prompt(format!(
                "Please enter your {service} personal access token (PAT)"
            ))
            .interact()?;
        if !token.trim().is_empty() {
            return Ok(token.trim().to_string());
        }
    }
    bail!("{variable} is not set: export a {service} personal access token in it")
}

pub async fn run(hosted: Hosted<'_>, settings: &GlobalSettings, printer: Printer) -> Result<()> {
    let common = hosted.common;
    let ca_pem = hosted.ca_pem.clone();
    if hosted.deploy_token_auth && common.token_auth {
        bail!("flags --token-auth and --deploy-token-auth: pass one of them");
    }
    let mut bootstrap = Bootstrap::prepare(common, settings, printer).await?;
    let existing = bootstrap.existing_secret().await?;

    let repo = hosted
        .service
        .reconcile_repository(&hosted.request, printer)
        .await?;
    let https_url = Url::parse(&repo.https_url)
        .map_err(|err| anyhow!("the service gave the clone URL {:?}: {err}", repo.https_url))?;
    let cluster = if common.token_auth || hosted.deploy_token_auth {
        ClusterAuth::token(
            https_url,
            TokenCredentials::Basic(TOKEN_USER.into(), hosted.token.clone()),
            ca_pem.clone(),
        )
    } else {
        let ssh_url = Url::parse(&repo.ssh_url)
            .map_err(|err| anyhow!("the service gave the SSH URL {:?}: {err}", repo.ssh_url))?;
        ClusterAuth::ssh(ssh_url, common, None)?
    };
    // Key files and host keys are read before anything is pushed.
    let mut secret = if hosted.deploy_token_auth {
        None
    } else {
        cluster.secret(common, existing.is_some())?
    };

    let auth = Auth {
        credentials: Credentials::Basic {
            username: TOKEN_USER.into(),
            password: hosted.token.clone(),
        },
        ca_pem: ca_pem.clone(),
        ..Default::default()
    };
    bootstrap.clone(&repo.https_url, &auth)?;
    bootstrap.commit(&cluster.sync_url())?;
    bootstrap.push()?;
    bootstrap.install().await?;

    if hosted.deploy_token_auth {
        secret =
            deploy_token_secret(&hosted, &bootstrap, &repo, existing.is_some(), ca_pem).await?;
    } else if !common.token_auth {
        // The key the cluster will use: the new Secret's, else the one already there.
        let public_key = match &secret {
            Some(plan) => plan.data.get("identity.pub").cloned(),
            None => existing
                .as_ref()
                .and_then(|s| s.data.as_ref()?.get("identity.pub").cloned())
                .and_then(|b| String::from_utf8(b.0).ok()),
        };
        if let Some(public_key) = public_key {
            let title = deploy_key_name(
                bootstrap.namespace(),
                &bootstrap.branch,
                &bootstrap.secret_name,
                &bootstrap.path.display,
            );
            let change = hosted
                .service
                .reconcile_deploy_key(
                    &repo,
                    &DeployKeyRequest {
                        title: title.clone(),
                        public_key,
                        read_only: !hosted.read_write_key,
                    },
                )
                .await?;
            match change {
                Change::Unchanged => printer.success(format!("deploy key {title:?} is in place")),
                Change::Created => printer.success(format!(
                    "configured deploy key {title:?} for {:?}",
                    repo.full_name
                )),
                Change::Replaced => printer.success(format!(
                    "replaced the stale deploy key {title:?} of {:?}",
                    repo.full_name
                )),
            }
            bootstrap.note_change(change != Change::Unchanged);
        }
    }
    match secret {
        Some(SecretPlan { data, .. }) => bootstrap.apply_secret(&data).await?,
        None => printer.success("source secret up to date"),
    }
    bootstrap.apply_sync().await?;
    bootstrap.wait_ready().await?;
    bootstrap.finish();
    Ok(())
}

/// `--deploy-token-auth`: a new project deploy token for the Secret, or the existing Secret
/// when the token is already there (its value is only shown when it is created).
async fn deploy_token_secret(
    hosted: &Hosted<'_>,
    bootstrap: &Bootstrap,
    repo: &Repository,
    secret_exists: bool,
    ca_pem: Option<String>,
) -> Result<Option<SecretPlan>> {
    let Service::GitLab(api) = &hosted.service else {
        bail!("flag --deploy-token-auth: only GitLab has deploy tokens");
    };
    let name = deploy_key_name(
        bootstrap.namespace(),
        &bootstrap.branch,
        &bootstrap.secret_name,
        &bootstrap.path.display,
    );
    match api.reconcile_deploy_token(repo, &name).await? {
        Some(DeployToken { username, token }) => {
            bootstrap.printer.success(format!(
                "configured deploy token {name:?} for {:?}",
                repo.full_name
            ));
            let url = Url::parse(&repo.https_url)?;
            let cluster = ClusterAuth::token(url, TokenCredentials::Basic(username, token), ca_pem);
            cluster.secret(hosted.common, secret_exists)
        }
        None if secret_exists => Ok(None),
        None => bail!(
            "deploy token {name:?} of {:?} exists, but its value is only shown when it is \
             created and the cluster has no Secret with it: revoke the token in GitLab and run \
             the bootstrap again",
            repo.full_name
        ),
    }
}
