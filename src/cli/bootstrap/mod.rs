//! `tk bootstrap github|gitlab|git`: put a cluster under GitOps from a Git repository.
//!
//! `flow` holds the steps every variant shares (checks, clone, commit, push, install,
//! Secret, sync, wait); each subcommand decides how it reaches the repository and how the
//! cluster will, and a hosted service's module (`github`, `gitlab`) adds the repository and
//! its deploy key through the service's API.

mod flow;
mod git;
pub mod github;
pub mod gitlab;
mod hosted;
pub mod provider;
mod secret;
mod sync;

use anyhow::Result;

use super::args::{BootstrapArgs, BootstrapCommand, VisibilityArg};
use super::printer::Printer;
use super::settings::GlobalSettings;
use hosted::{Hosted, Service};
use provider::Visibility;

pub async fn run(args: &BootstrapArgs, settings: &GlobalSettings, printer: Printer) -> Result<()> {
    match &args.command {
        BootstrapCommand::Git(args) => git::run(args, settings, printer).await,
        BootstrapCommand::Github(args) => {
            let token = hosted::token("GITHUB_TOKEN", "GitHub")?;
            let ca = secret::read_ca(&args.common)?;
            let service = Service::GitHub(github::GitHub::new(
                Some(&args.hostname),
                &token,
                ca.as_deref(),
            )?);
            let visibility = if args.private {
                Visibility::Private
            } else {
                Visibility::Public
            };
            let hosted = Hosted::new(service, token, ca, &args.hosted, visibility, &args.common)?;
            hosted::run(hosted, settings, printer).await
        }
        BootstrapCommand::Gitlab(args) => {
            let token = hosted::token("GITLAB_TOKEN", "GitLab")?;
            let ca = secret::read_ca(&args.common)?;
            let service = Service::GitLab(gitlab::GitLab::new(
                Some(&args.hostname),
                &token,
                ca.as_deref(),
            )?);
            let visibility = match args.visibility {
                VisibilityArg::Private => Visibility::Private,
                VisibilityArg::Internal => Visibility::Internal,
                VisibilityArg::Public => Visibility::Public,
            };
            let mut hosted =
                Hosted::new(service, token, ca, &args.hosted, visibility, &args.common)?;
            hosted.deploy_token_auth = args.deploy_token_auth;
            hosted::run(hosted, settings, printer).await
        }
    }
}
