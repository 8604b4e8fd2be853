//! `tk create source helm NAME`: a HelmRepository (and, unless `--secret-ref` names one, a
//! Secret `helm-NAME` with the credentials given), applied and waited for until its first
//! index artifact, as `flux create source helm` does.
//!
//! An `oci://` URL makes a repository of type `oci` (with `--oci-provider` as its provider).
//! Source-controller does not reconcile those: there is no index and no status, so, as flux
//! does, tk waits only for the object to exist and reports no revision.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Result, bail};
use serde_json::{Value, json};

use super::secret_helm::{CredentialFile, HelmCredentials, basic_auth, given, key_pair};
use super::{
    Label, apply_credentials, apply_source_and_wait, export_document, generated, go_duration,
    parse_labels,
};
use crate::cli::args::{CloudProviderArg, CreateSourceHelmArgs};
use crate::cli::objects::HELM_REPOSITORY;
use crate::cli::printer::Printer;
use crate::cli::settings::GlobalSettings;

#[derive(Debug, Clone)]
pub struct SourceHelmOptions {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub url: String,
    /// The URL is `oci://`: `spec.type: oci`.
    pub oci: bool,
    /// `spec.provider`, only for OCI repositories.
    pub provider: Option<&'static str>,
    pub secret_ref: Option<String>,
    /// `spec.passCredentials`, written only with a Secret.
    pub pass_credentials: bool,
    pub interval: String,
    pub timeout: Option<String>,
    /// What the generated Secret stores, under the legacy keys flux writes here (`certFile`,
    /// `keyFile`, `caFile`); unused with `--secret-ref`.
    pub credentials: HelmCredentials,
    pub export: bool,
}

/// The scheme of a Helm repository URL: HTTP/S for an index, OCI for a registry.
fn parse_helm_url(url: &str) -> Result<bool> {
    let scheme = url::Url::parse(url)
        .map_err(|err| anyhow::anyhow!("flag --url: {url:?} is not a URL: {err}"))?
        .scheme()
        .to_string();
    match scheme.as_str() {
        "http" | "https" => Ok(false),
        "oci" => Ok(true),
        _ => bail!(
            "flag --url: scheme {scheme:?} of {url:?} is not supported: use https://, http:// or oci://"
        ),
    }
}

impl SourceHelmOptions {
    pub fn resolve(args: &CreateSourceHelmArgs, settings: &GlobalSettings) -> Result<Self> {
        let oci = parse_helm_url(&args.url)?;
        let provider = args.oci_provider.map(CloudProviderArg::as_str);
        if provider.is_some() && !oci {
            bail!("flag --oci-provider: only an oci:// repository has a provider");
        }
        let mut files = key_pair(
            ("cert-file", "certFile", &args.cert_file),
            ("key-file", "keyFile", &args.key_file),
        )?;
        if let Some(path) = given(&args.ca_file) {
            files.push(CredentialFile {
                flag: "ca-file",
                key: "caFile",
                path,
            });
        }
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
            oci,
            provider,
            secret_ref: given(&args.secret_ref),
            pass_credentials: args.pass_credentials,
            interval: go_duration("interval", &args.interval)?,
            timeout,
            credentials: HelmCredentials {
                basic: basic_auth(&args.username, &args.password)?,
                files,
            },
            export: args.export,
        })
    }

    /// The HelmRepository as flux writes it (the YAML printer sorts the keys).
    pub fn object(&self, secret_ref: Option<&str>) -> Value {
        let mut spec = json!({ "interval": self.interval, "url": self.url });
        if self.oci {
            spec["type"] = json!("oci");
            if let Some(provider) = self.provider {
                spec["provider"] = json!(provider);
            }
        }
        if let Some(timeout) = &self.timeout {
            spec["timeout"] = json!(timeout);
        }
        if let Some(secret) = secret_ref {
            spec["secretRef"] = json!({ "name": secret });
            if self.pass_credentials {
                spec["passCredentials"] = json!(true);
            }
        }
        super::object(
            HELM_REPOSITORY,
            super::metadata(&self.name, &self.namespace, &self.labels),
            spec,
        )
    }
}

pub async fn run(
    options: &SourceHelmOptions,
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
    let data = if options.secret_ref.is_none() {
        options.credentials.data()?
    } else {
        BTreeMap::new()
    };
    generated("generating HelmRepository source");

    let mut secret_ref = options.secret_ref.clone();
    if !data.is_empty() {
        let secret_name = format!("helm-{}", options.name);
        apply_credentials(
            &client,
            &printer,
            "repository credentials",
            (&options.namespace, &secret_name),
            &BTreeMap::new(),
            &data,
        )
        .await?;
        secret_ref = Some(secret_name);
    }

    // An OCI repository has no index: it is done once it exists, without an artifact.
    apply_source_and_wait(
        &client,
        &printer,
        HELM_REPOSITORY,
        Label {
            noun: "HelmRepository source",
            applied: "source",
        },
        &options.object(secret_ref.as_deref()),
        (&options.namespace, &options.name),
        deadline,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_need_http_https_or_oci() {
        assert!(!parse_helm_url("https://stefanprodan.github.io/podinfo").unwrap());
        assert!(parse_helm_url("oci://ghcr.io/stefanprodan/charts").unwrap());
        let err = parse_helm_url("git://example.com/charts")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "flag --url: scheme \"git\" of \"git://example.com/charts\" is not supported: use https://, http:// or oci://"
        );
        assert!(parse_helm_url("example.com/charts").is_err());
    }
}
