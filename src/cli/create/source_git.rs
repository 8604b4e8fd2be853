//! `tk create source git NAME`: a GitRepository (and, unless `--secret-ref` names one, a
//! Secret with its credentials), applied and waited for until its first artifact.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Result, bail};
use serde_json::{Value, json};

use super::{
    GitCredentials, GitScheme, GitUrl, KeySource, apply_credentials, apply_source_and_wait,
    confirm_deploy_key, export_document, generated, go_duration, key_spec, parse_git_url,
    parse_labels, secret_material,
};
use crate::cli::args::{CreateSourceGitArgs, GitProviderArg};
use crate::cli::objects::GIT_REPOSITORY;
use crate::cli::printer::Printer;
use crate::cli::settings::GlobalSettings;

#[derive(Debug, Clone)]
pub struct SourceGitOptions {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub url: String,
    pub git_url: GitUrl,
    /// `spec.ref`, by Flux's precedence: commit (with branch), name, semver, tag, branch.
    pub reference: Value,
    pub secret_ref: Option<String>,
    pub provider: Option<&'static str>,
    pub ignore: Option<String>,
    pub sparse_checkout: Vec<String>,
    pub recurse_submodules: bool,
    pub interval: String,
    pub timeout: Option<String>,
    /// What to store in a generated Secret when no `--secret-ref` is given.
    pub credentials: Option<GitCredentials>,
    pub silent: bool,
    pub export: bool,
}

impl SourceGitOptions {
    pub fn resolve(args: &CreateSourceGitArgs, settings: &GlobalSettings) -> Result<Self> {
        let git_url = parse_git_url(&args.url)?;
        let non_empty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        let reference = if let Some(commit) = non_empty(&args.commit) {
            let mut r = json!({ "commit": commit });
            if let Some(branch) = non_empty(&args.branch) {
                r["branch"] = json!(branch);
            }
            r
        } else if let Some(name) = non_empty(&args.ref_name) {
            json!({ "name": name })
        } else if let Some(semver) = non_empty(&args.tag_semver) {
            json!({ "semver": semver })
        } else if let Some(tag) = non_empty(&args.tag) {
            json!({ "tag": tag })
        } else if let Some(branch) = non_empty(&args.branch) {
            json!({ "branch": branch })
        } else {
            bail!(
                "GitRepository {}: a Git ref is required: pass one of --branch, --tag, --tag-semver, --ref-name or --commit",
                args.name
            );
        };
        let ca_file = non_empty(&args.ca_file);
        if ca_file.is_some() && git_url.scheme == GitScheme::Ssh {
            bail!(
                "flag --ca-file: a CA certificate is for HTTPS; it cannot be used with an ssh:// URL"
            );
        }
        let secret_ref = non_empty(&args.secret_ref);
        let credentials = if secret_ref.is_some() {
            None
        } else {
            match git_url.scheme {
                GitScheme::Ssh => Some(GitCredentials::Ssh {
                    key: match non_empty(&args.private_key_file) {
                        Some(path) => KeySource::File(path),
                        None => KeySource::Generate(key_spec(&args.ssh_key)?),
                    },
                    password: non_empty(&args.password),
                    host: git_url.host.clone(),
                    port: git_url.port,
                }),
                GitScheme::Http | GitScheme::Https => {
                    let username = non_empty(&args.username);
                    let password = non_empty(&args.password);
                    if username.is_some() != password.is_some() {
                        bail!(
                            "flags --username/--password: pass both for basic authentication, or neither"
                        );
                    }
                    (username.is_some() || ca_file.is_some()).then_some(GitCredentials::Http {
                        username,
                        password,
                        bearer_token: None,
                        ca_crt: ca_file,
                        ca_file: None,
                    })
                }
            }
        };
        let timeout = args
            .fetch_timeout
            .as_deref()
            .map(|t| go_duration("fetch-timeout", t))
            .transpose()?;
        Ok(Self {
            name: args.name.clone(),
            namespace: settings.namespace.clone(),
            labels: parse_labels(&args.label)?,
            url: args.url.clone(),
            git_url,
            reference,
            secret_ref,
            provider: args.provider.map(|p| match p {
                GitProviderArg::Generic => "generic",
                GitProviderArg::Github => "github",
                GitProviderArg::Aws => "aws",
                GitProviderArg::Azure => "azure",
            }),
            ignore: (!args.ignore_paths.is_empty()).then(|| args.ignore_paths.join("\n")),
            sparse_checkout: args.sparse_checkout_paths.clone(),
            recurse_submodules: args.recurse_submodules,
            interval: go_duration("interval", &args.interval)?,
            timeout,
            credentials,
            silent: args.silent,
            export: args.export,
        })
    }

    /// The GitRepository, with Go's field order and omissions so `--export` matches flux.
    pub fn object(&self, secret_ref: Option<&str>) -> Value {
        let mut spec = json!({
            "interval": self.interval,
            "ref": self.reference,
            "url": self.url,
        });
        if let Some(ignore) = &self.ignore {
            spec["ignore"] = json!(ignore);
        }
        if !self.sparse_checkout.is_empty() {
            spec["sparseCheckout"] = json!(self.sparse_checkout);
        }
        if let Some(provider) = self.provider {
            spec["provider"] = json!(provider);
        }
        if let Some(secret) = secret_ref {
            spec["secretRef"] = json!({ "name": secret });
        }
        if self.recurse_submodules {
            spec["recurseSubmodules"] = json!(true);
        }
        if let Some(timeout) = &self.timeout {
            spec["timeout"] = json!(timeout);
        }
        super::object(
            GIT_REPOSITORY,
            super::metadata(&self.name, &self.namespace, &self.labels),
            spec,
        )
    }
}

pub async fn run(
    options: &SourceGitOptions,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    if options.export {
        print!(
            "{}",
            export_document(&options.object(options.secret_ref.as_deref()))
        );
        return Ok(());
    }
    let deadline = Instant::now() + settings.timeout;
    let client = settings.client().await?;
    generated("generating GitRepository source");

    let mut secret_ref = options.secret_ref.clone();
    if let Some(credentials) = &options.credentials {
        if options.git_url.scheme == GitScheme::Http {
            printer.failure("insecure configuration: credentials configured for an HTTP URL");
        }
        let material = secret_material(credentials, settings.timeout)?;
        if let Some(known_hosts) = &material.known_hosts {
            printer.success(format!(
                "collected public key from SSH server:\n{known_hosts}"
            ));
        }
        if let Some(public_key) = &material.public_key {
            generated(format!("deploy key: {}", public_key.trim_end()));
            if !options.silent {
                confirm_deploy_key()?;
            }
        }
        if !material.data.is_empty() {
            apply_credentials(
                &client,
                &printer,
                "repository credentials",
                (&options.namespace, &options.name),
                &BTreeMap::new(),
                &material.data,
            )
            .await?;
            secret_ref = Some(options.name.clone());
        }
    }

    apply_source_and_wait(
        &client,
        &printer,
        GIT_REPOSITORY,
        "GitRepository source",
        &options.object(secret_ref.as_deref()),
        (&options.namespace, &options.name),
        deadline,
    )
    .await
}
