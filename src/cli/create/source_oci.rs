//! `tk create source oci NAME`: an OCIRepository pulling an artifact by tag, semver range or
//! digest, applied and waited for until its first artifact, as `flux create source oci` does
//! (flux's words for a missing name, URL or reference, and for `--verify-*` or
//! `--layer-selector` mistakes). No Secret is generated: credentials come from an existing
//! docker-registry Secret (`tk create secret oci`), a ServiceAccount or the cloud provider.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Result, bail};
use serde_json::{Value, json};

use super::secret_helm::given;
use super::{apply_source_and_wait, export_document, go_duration, parse_labels, verification};
use crate::cli::args::CreateSourceOciArgs;
use crate::cli::objects::OCI_REPOSITORY;
use crate::cli::printer::Printer;
use crate::cli::settings::GlobalSettings;

#[derive(Debug, Clone)]
pub struct SourceOciOptions {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub url: String,
    /// `spec.ref`: every one of tag, semver and digest that was given, as flux writes them
    /// (the controller's precedence is digest, semver, tag).
    pub reference: Value,
    pub provider: &'static str,
    pub secret_ref: Option<String>,
    pub service_account: Option<String>,
    pub cert_ref: Option<String>,
    pub proxy_secret_ref: Option<String>,
    pub insecure: bool,
    pub ignore: Option<String>,
    /// `spec.layerSelector`: media type and operation.
    pub layer_selector: Option<(String, String)>,
    pub verify: Option<Value>,
    pub interval: String,
    pub timeout: Option<String>,
    pub export: bool,
}

/// `--url`: an `oci://` repository address, which the API requires; tag and digest go in
/// their own flags.
fn parse_oci_url(name: &str, url: &str) -> Result<()> {
    oci::Repository::parse(url).map_err(|err| {
        anyhow::anyhow!(
            "OCIRepository {name}: flag --url: {err}: use oci://<host>/<repository>, with the tag \
             or digest in --tag, --tag-semver or --digest"
        )
    })?;
    Ok(())
}

/// `--layer-selector <media-type>:<operation>`, checked with flux's messages.
fn parse_layer_selector(name: &str, selector: &str) -> Result<(String, String)> {
    // Media types never contain `:` (RFC 6838), so the last one separates the operation.
    let Some((media_type, operation)) = selector
        .rsplit_once(':')
        .filter(|(media_type, _)| !media_type.is_empty())
    else {
        bail!(
            "OCIRepository {name}: invalid --layer-selector {selector:?}: must be in the format \
             '<media-type>:<operation>'"
        );
    };
    if !matches!(operation, "extract" | "copy") {
        bail!(
            "OCIRepository {name}: invalid --layer-selector {selector:?}: operation must be \
             \"extract\" or \"copy\""
        );
    }
    Ok((media_type.to_string(), operation.to_string()))
}

impl SourceOciOptions {
    pub fn resolve(args: &CreateSourceOciArgs, settings: &GlobalSettings) -> Result<Self> {
        let Some(name) = given(&args.name) else {
            bail!(
                "name is required: pass the OCIRepository's name, as in \
                 `tk create source oci NAME --url oci://<host>/<repository> --tag TAG`"
            );
        };
        let Some(url) = given(&args.url) else {
            bail!("OCIRepository {name}: url is required: pass --url oci://<host>/<repository>");
        };
        parse_oci_url(&name, &url)?;
        let mut reference = serde_json::Map::new();
        for (key, value) in [
            ("digest", &args.digest),
            ("semver", &args.tag_semver),
            ("tag", &args.tag),
        ] {
            if let Some(value) = given(value) {
                reference.insert(key.into(), json!(value));
            }
        }
        if reference.is_empty() {
            bail!(
                "OCIRepository {name}: --tag, --tag-semver or --digest is required: pass the \
                 artifact's tag, a semver range of its tags, or its digest"
            );
        }
        let verify = verification(
            &format!("OCIRepository {name}"),
            args.verify_provider,
            &args.verify_secret_ref,
            &args.verify_issuer,
            &args.verify_subject,
        )?;
        let layer_selector = given(&args.layer_selector)
            .map(|s| parse_layer_selector(&name, &s))
            .transpose()?;
        let timeout = args
            .fetch_timeout
            .as_deref()
            .map(|t| go_duration("fetch-timeout", t))
            .transpose()?;
        Ok(Self {
            namespace: settings.namespace.clone(),
            labels: parse_labels(&args.label)?,
            url,
            reference: Value::Object(reference),
            provider: args.provider.as_str(),
            secret_ref: given(&args.secret_ref),
            service_account: given(&args.service_account),
            cert_ref: given(&args.cert_ref),
            proxy_secret_ref: given(&args.proxy_secret_ref),
            insecure: args.insecure,
            ignore: (!args.ignore_paths.is_empty()).then(|| args.ignore_paths.join("\n")),
            layer_selector,
            verify,
            interval: go_duration("interval", &args.interval)?,
            timeout,
            export: args.export,
            name,
        })
    }

    /// The OCIRepository as flux writes it (the YAML printer sorts the keys; Go's
    /// `omitempty` leaves out what was not given).
    pub fn object(&self) -> Value {
        let mut spec = json!({
            "interval": self.interval,
            "provider": self.provider,
            "ref": self.reference,
            "url": self.url,
        });
        for (key, secret) in [
            ("secretRef", &self.secret_ref),
            ("certSecretRef", &self.cert_ref),
            ("proxySecretRef", &self.proxy_secret_ref),
        ] {
            if let Some(secret) = secret {
                spec[key] = json!({ "name": secret });
            }
        }
        if let Some(account) = &self.service_account {
            spec["serviceAccountName"] = json!(account);
        }
        if self.insecure {
            spec["insecure"] = json!(true);
        }
        if let Some(ignore) = &self.ignore {
            spec["ignore"] = json!(ignore);
        }
        if let Some((media_type, operation)) = &self.layer_selector {
            spec["layerSelector"] = json!({ "mediaType": media_type, "operation": operation });
        }
        if let Some(verify) = &self.verify {
            spec["verify"] = verify.clone();
        }
        if let Some(timeout) = &self.timeout {
            spec["timeout"] = json!(timeout);
        }
        super::object(
            OCI_REPOSITORY,
            super::metadata(&self.name, &self.namespace, &self.labels),
            spec,
        )
    }
}

pub async fn run(
    options: &SourceOciOptions,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    if options.export {
        print!("{}", export_document(&options.object()));
        return Ok(());
    }
    let deadline = Instant::now() + settings.timeout;
    let client = settings.client().await?;
    apply_source_and_wait(
        &client,
        &printer,
        OCI_REPOSITORY,
        OCI_REPOSITORY.kind,
        &options.object(),
        (&options.namespace, &options.name),
        deadline,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_selectors_take_a_media_type_and_an_operation() {
        assert_eq!(
            parse_layer_selector(
                "p",
                "application/vnd.cncf.helm.chart.content.v1.tar+gzip:copy"
            )
            .unwrap(),
            (
                "application/vnd.cncf.helm.chart.content.v1.tar+gzip".to_string(),
                "copy".to_string()
            )
        );
        let err = parse_layer_selector("p", "application/x:move")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "OCIRepository p: invalid --layer-selector \"application/x:move\": operation must \
             be \"extract\" or \"copy\""
        );
        for selector in ["application/x", ":copy"] {
            let err = parse_layer_selector("p", selector).unwrap_err().to_string();
            assert!(
                err.ends_with("must be in the format '<media-type>:<operation>'"),
                "{err}"
            );
        }
    }

    #[test]
    fn urls_must_be_oci_repository_addresses() {
        parse_oci_url("p", "oci://ghcr.io/stefanprodan/manifests/podinfo").unwrap();
        parse_oci_url("p", "oci://localhost:5000/app").unwrap();
        for url in [
            "ghcr.io/stefanprodan/manifests/podinfo",
            "https://ghcr.io/app",
            "oci://ghcr.io/App",
        ] {
            let err = parse_oci_url("p", url).unwrap_err().to_string();
            assert!(
                err.starts_with("OCIRepository p: flag --url: "),
                "{url}: {err}"
            );
        }
    }
}
