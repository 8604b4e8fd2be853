//! `tk create secret git NAME`: a Secret with Git credentials, in the keys Flux's source
//! controller reads (`identity`, `identity.pub`, `known_hosts`, `username`, `password`,
//! `bearerToken`, `ca.crt`).

use std::collections::BTreeMap;

use anyhow::{Result, bail};

use super::{
    GitCredentials, GitScheme, KeySource, export_document, generated, key_spec, parse_git_url,
    parse_labels, secret_apply, secret_export, secret_material,
};
use crate::cli::args::CreateSecretGitArgs;
use crate::cli::cluster;
use crate::cli::printer::Printer;
use crate::cli::settings::GlobalSettings;

#[derive(Debug, Clone)]
pub struct SecretGitOptions {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub credentials: GitCredentials,
    pub export: bool,
}

impl SecretGitOptions {
    pub fn resolve(args: &CreateSecretGitArgs, settings: &GlobalSettings) -> Result<Self> {
        let url = parse_git_url(&args.url)?;
        let non_empty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        let credentials = match url.scheme {
            GitScheme::Ssh => GitCredentials::Ssh {
                key: match non_empty(&args.private_key_file) {
                    Some(path) => KeySource::File(path),
                    None => KeySource::Generate(key_spec(&args.ssh_key)?),
                },
                password: non_empty(&args.password),
                host: url.host.clone(),
                port: url.port,
            },
            GitScheme::Http | GitScheme::Https => {
                let username = non_empty(&args.username);
                let password = non_empty(&args.password);
                let token = non_empty(&args.bearer_token);
                let basic = username.is_some() && password.is_some();
                if basic && token.is_some() {
                    bail!(
                        "flags --username/--password and --bearer-token: user credentials and a bearer token cannot be used together, pass one of them"
                    );
                }
                if !basic && token.is_none() {
                    bail!(
                        "flags --username/--password: for Git over HTTP/S pass both, or a --bearer-token"
                    );
                }
                GitCredentials::Http {
                    username,
                    password,
                    bearer_token: token,
                    ca_crt: non_empty(&args.ca_crt_file),
                    ca_file: non_empty(&args.ca_file),
                }
            }
        };
        Ok(Self {
            name: args.name.clone(),
            namespace: settings.namespace.clone(),
            labels: parse_labels(&args.label)?,
            credentials,
            export: args.export,
        })
    }
}

pub async fn run(
    options: &SecretGitOptions,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let material = secret_material(&options.credentials, settings.timeout)?;
    if options.export {
        // flux prints the document with Println, hence the blank line after it.
        println!(
            "{}",
            export_document(&secret_export(
                &options.name,
                &options.namespace,
                &options.labels,
                &material.data
            ))
        );
        return Ok(());
    }
    if let Some(public_key) = &material.public_key {
        generated(format!("deploy key: {}", public_key.trim_end()));
    }
    let client = settings.client().await?;
    let secret = secret_apply(
        &options.name,
        &options.namespace,
        &options.labels,
        &material.data,
    );
    cluster::apply(&client, &secret, false).await?;
    printer.action(format!(
        "git secret '{}' created in '{}' namespace",
        options.name, options.namespace
    ));
    Ok(())
}
