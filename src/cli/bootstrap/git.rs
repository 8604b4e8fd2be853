//! `tk bootstrap git`: any Git server, over SSH (a private key) or HTTPS (user and password,
//! or a bearer token). The credentials on the command line push; the cluster gets its own
//! (a new deploy key, the same private key, or the token with `--token-auth`).

use anyhow::{Result, anyhow, bail};
use gitsource::{Auth, Credentials, SshIdentity};
use url::Url;

use super::flow::Bootstrap;
use super::secret::{ClusterAuth, SCAN_TIMEOUT, SecretPlan, TokenCredentials, read_ca};
use crate::cli::args::BootstrapGitArgs;
use crate::cli::create::ssh;
use crate::cli::printer::{Printer, confirm};
use crate::cli::settings::GlobalSettings;

pub async fn run(
    args: &BootstrapGitArgs,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let common = &args.common;
    let url = Url::parse(&args.url)
        .map_err(|err| anyhow!("flag --url: {:?} is not a URL ({err})", args.url))?;
    let password = args.password.clone().filter(|p| !p.is_empty());
    let ca_pem = read_ca(common)?;
    let plan = match url.scheme() {
        "ssh" => Access::ssh(&url, args, password.as_deref())?,
        "https" => Access::http(args, password.as_deref(), ca_pem.clone()),
        "http" if args.allow_insecure_http => {
            Access::http(args, password.as_deref(), ca_pem.clone())
        }
        "http" => bail!(
            "flag --url: {} is plain HTTP, which sends credentials in clear: use https://, or pass \
             --allow-insecure-http",
            gitsource::redact_url(&args.url)
        ),
        other => bail!("flag --url: scheme {other:?} is not supported: use ssh:// or https://"),
    };
    let cluster = cluster_auth(&url, args, password.as_deref(), ca_pem)?;

    let mut bootstrap = Bootstrap::prepare(common, settings, printer).await?;
    let existing = bootstrap.existing_secret().await?;
    // A new key needs the user to give it access before the cluster can fetch: ask now, or
    // refuse now, rather than after the push.
    let generate = matches!(&cluster, ClusterAuth::Ssh { key: None, .. }) && existing.is_none();
    if generate && !args.silent {
        confirm_ready_to_add_key()?;
    }

    // Key files and host keys are read before anything changes.
    let secret = cluster.secret(common, existing.is_some())?;

    bootstrap.clone(&args.url, &plan.auth)?;
    bootstrap.commit(&cluster.sync_url())?;
    bootstrap.push()?;
    bootstrap.install().await?;
    match secret {
        Some(SecretPlan { data, generated }) => {
            if let Some(public_key) = generated {
                printer.success(format!("public key: {}", public_key.trim_end()));
                if !args.silent
                    && !confirm(
                        "Please give the key access to your repository",
                        "no terminal to confirm on: pass --silent".into(),
                    )?
                {
                    bail!(
                        "aborting: give the key access to the repository, then run the bootstrap \
                         again; the manifests are pushed and the components installed"
                    );
                }
            }
            bootstrap.apply_secret(&data).await?;
        }
        None => printer.success("source secret up to date"),
    }
    bootstrap.apply_sync().await?;
    bootstrap.wait_ready().await?;
    bootstrap.finish();
    Ok(())
}

/// Without a terminal there is nobody to add the key: say so before anything changes.
fn confirm_ready_to_add_key() -> Result<()> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        bail!(
            "a new deploy key will be generated and must be given access to the repository, but \
             there is no terminal to confirm that on: pass --private-key-file with a key that \
             has access, or --silent when the key's access is set up another way"
        );
    }
    Ok(())
}

/// How this command reaches the repository.
struct Access {
    auth: Auth,
}

impl Access {
    /// With --private-key-file, or else the keys of the user's ssh-agent, as flux does.
    fn ssh(url: &Url, args: &BootstrapGitArgs, password: Option<&str>) -> Result<Access> {
        let user = if url.username().is_empty() {
            args.username.clone()
        } else {
            url.username().to_string()
        };
        let key_file = args
            .common
            .private_key_file
            .as_deref()
            .filter(|p| !p.is_empty());
        let credentials = match key_file {
            Some(path) => {
                let pair = ssh::load(path, password)?;
                Credentials::Ssh(SshIdentity {
                    private_key: pair.private_key,
                    public_key: Some(pair.public_key),
                    passphrase: password.map(str::to_string),
                    user: Some(user),
                })
            }
            None if std::env::var_os("SSH_AUTH_SOCK").is_some_and(|s| !s.is_empty()) => {
                Credentials::SshAgent { user }
            }
            None => bail!(
                "flag --private-key-file: pushing to {} over SSH needs the private key of a user \
                 or deploy key with write access (or an ssh-agent holding it, at SSH_AUTH_SOCK)",
                gitsource::redact_url(url.as_str())
            ),
        };
        let (host, port) = host_port(url, 22)?;
        Ok(Access {
            auth: Auth {
                credentials,
                known_hosts: Some(ssh::scan_host_key(&host, port, SCAN_TIMEOUT)?),
                ..Default::default()
            },
        })
    }

    fn http(args: &BootstrapGitArgs, password: Option<&str>, ca_pem: Option<String>) -> Access {
        let credentials = match password {
            Some(token) if args.with_bearer_token => Credentials::Bearer {
                token: token.to_string(),
            },
            Some(password) => Credentials::Basic {
                username: args.username.clone(),
                password: password.to_string(),
            },
            None => Credentials::None,
        };
        Access {
            auth: Auth {
                credentials,
                ca_pem,
                ..Default::default()
            },
        }
    }
}

fn host_port(url: &Url, default: u16) -> Result<(String, u16)> {
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| {
        anyhow!(
            "flag --url: {} has no host",
            gitsource::redact_url(url.as_str())
        )
    })?;
    Ok((host.to_string(), url.port().unwrap_or(default)))
}

/// How the cluster will reach the repository. Flux's rules: with --token-auth the URL loses
/// its user (and becomes https:// unless --allow-insecure-http); otherwise the cluster syncs
/// over SSH as the URL's user (or --username), at --ssh-hostname when given.
fn cluster_auth(
    url: &Url,
    args: &BootstrapGitArgs,
    password: Option<&str>,
    ca_pem: Option<String>,
) -> Result<ClusterAuth> {
    let common = &args.common;
    if common.token_auth {
        if url.scheme() == "ssh" {
            bail!(
                "flag --token-auth: the cluster would use a token, which needs an https:// --url"
            );
        }
        let Some(password) = password else {
            bail!(
                "flag --password: --token-auth stores it in the cluster's Secret: pass it, or \
                 set GIT_PASSWORD"
            );
        };
        let mut sync_url = url.clone();
        let _ = sync_url.set_username("");
        let _ = sync_url.set_password(None);
        if !args.allow_insecure_http {
            let _ = sync_url.set_scheme("https");
        }
        let credentials = if args.with_bearer_token {
            TokenCredentials::Bearer(password.to_string())
        } else {
            TokenCredentials::Basic(args.username.clone(), password.to_string())
        };
        return Ok(ClusterAuth::token(sync_url, credentials, ca_pem));
    }
    let mut sync_url: Url = format!(
        "ssh://{}{}",
        url.host_str().unwrap_or_default(),
        url.port().map(|p| format!(":{p}")).unwrap_or_default()
    )
    .parse()
    .map_err(|err| anyhow!("flag --url: {err}"))?;
    sync_url.set_path(url.path());
    let user = if url.username().is_empty() || args.username != "git" {
        args.username.clone()
    } else {
        url.username().to_string()
    };
    let _ = sync_url.set_username(&user);
    if url.scheme() != "ssh" {
        let _ = sync_url.set_port(None);
    }
    ClusterAuth::ssh(sync_url, common, password)
}
