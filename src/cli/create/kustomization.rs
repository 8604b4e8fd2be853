//! `tk create kustomization NAME`: a Kustomization, printed with `--export` or applied with
//! server-side apply and waited for until the kustomize controller reports it Ready.
//!
//! Flags, defaults and validation follow `flux create kustomization`: `--source` is
//! `[<kind>/]<name>[.<namespace>]`, `--path` is cleaned into `./...` without leaving the
//! source's root, health checks are kept only without `--wait`.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Result, bail};
use serde_json::{Value, json};

use super::{apply_and_wait, export_document, generated, go_duration, parse_labels};
use crate::cli::args::CreateKustomizationArgs;
use crate::cli::objects::{KUSTOMIZATION, KUSTOMIZATION_SOURCE_KINDS};
use crate::cli::printer::Printer;
use crate::cli::settings::GlobalSettings;

/// Workload kinds `--health-check` accepts, as flux lists them.
const HEALTH_CHECK_KINDS: [&str; 4] = ["Deployment", "DaemonSet", "StatefulSet", "HelmRelease"];

/// API version written for HelmRelease health checks (the other kinds leave it out).
const HELM_RELEASE_API_VERSION: &str = "helm.toolkit.fluxcd.io/v2";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRef {
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
}

#[derive(Debug, Clone)]
pub struct KustomizationOptions {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub source: SourceRef,
    pub path: String,
    pub prune: bool,
    pub wait: bool,
    /// `spec.healthChecks`, only without `--wait`.
    pub health_checks: Vec<Value>,
    /// `spec.timeout`: the health check timeout, set with `--wait` or health checks.
    pub timeout: Option<String>,
    pub depends_on: Vec<Value>,
    pub service_account: Option<String>,
    pub target_namespace: Option<String>,
    pub decryption: Option<Value>,
    pub kubeconfig_secret: Option<String>,
    pub retry_interval: Option<String>,
    pub interval: String,
    pub export: bool,
}

impl KustomizationOptions {
    pub fn resolve(args: &CreateKustomizationArgs, settings: &GlobalSettings) -> Result<Self> {
        let non_empty = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        let Some(source) = args.source.as_deref() else {
            bail!(
                "Kustomization {}: source is required: pass --source [<kind>/]<name>[.<namespace>]",
                args.name
            );
        };
        let source = parse_source(source)?;
        let path = safe_relative_path(&args.path);
        let health_check_timeout = go_duration("health-check-timeout", &args.health_check_timeout)?;
        let health_checks = if args.wait {
            Vec::new()
        } else {
            args.health_check
                .iter()
                .filter(|c| !c.is_empty())
                .map(|c| parse_health_check(c))
                .collect::<Result<Vec<_>>>()?
        };
        let timeout = (args.wait || !health_checks.is_empty()).then_some(health_check_timeout);
        let depends_on = args
            .depends_on
            .iter()
            .filter(|d| !d.is_empty())
            .map(|d| parse_depends_on(d))
            .collect::<Result<Vec<_>>>()?;
        let decryption = match non_empty(&args.decryption_provider) {
            None => {
                if non_empty(&args.decryption_secret).is_some() {
                    bail!("flag --decryption-secret: pass --decryption-provider=sops too");
                }
                None
            }
            Some(provider) if provider == "sops" => {
                let mut decryption = json!({ "provider": provider });
                if let Some(secret) = non_empty(&args.decryption_secret) {
                    decryption["secretRef"] = json!({ "name": secret });
                }
                Some(decryption)
            }
            Some(provider) => bail!(
                "flag --decryption-provider: unsupported decryption provider '{provider}', must be one of: sops"
            ),
        };
        let retry_interval = match non_empty(&args.retry_interval) {
            None => None,
            Some(text) => {
                let parsed = crate::api::duration::parse(&text)
                    .map_err(|err| anyhow::anyhow!("flag --retry-interval: {err}"))?;
                (!parsed.is_zero()).then(|| crate::api::duration::format(parsed))
            }
        };
        Ok(Self {
            name: args.name.clone(),
            namespace: settings.namespace.clone(),
            labels: parse_labels(&args.label)?,
            source,
            path,
            prune: args.prune,
            wait: args.wait,
            health_checks,
            timeout,
            depends_on,
            service_account: non_empty(&args.service_account),
            target_namespace: non_empty(&args.target_namespace),
            decryption,
            kubeconfig_secret: non_empty(&args.kubeconfig_secret_ref),
            retry_interval,
            interval: go_duration("interval", &args.interval)?,
            export: args.export,
        })
    }

    /// The Kustomization, with Go's omissions so `--export` matches flux (`prune` is always
    /// written; the YAML printer sorts the keys).
    pub fn object(&self) -> Value {
        let mut source_ref = json!({ "kind": self.source.kind, "name": self.source.name });
        if let Some(namespace) = &self.source.namespace {
            source_ref["namespace"] = json!(namespace);
        }
        let mut spec = json!({
            "interval": self.interval,
            "path": self.path,
            "prune": self.prune,
            "sourceRef": source_ref,
        });
        let optional = [
            (
                "dependsOn",
                (!self.depends_on.is_empty()).then(|| json!(self.depends_on)),
            ),
            (
                "healthChecks",
                (!self.health_checks.is_empty()).then(|| json!(self.health_checks)),
            ),
            ("timeout", self.timeout.as_ref().map(|t| json!(t))),
            ("wait", self.wait.then_some(json!(true))),
            (
                "serviceAccountName",
                self.service_account.as_ref().map(|s| json!(s)),
            ),
            (
                "targetNamespace",
                self.target_namespace.as_ref().map(|s| json!(s)),
            ),
            ("decryption", self.decryption.clone()),
            (
                "kubeConfig",
                self.kubeconfig_secret
                    .as_ref()
                    .map(|s| json!({ "secretRef": { "name": s } })),
            ),
            (
                "retryInterval",
                self.retry_interval.as_ref().map(|r| json!(r)),
            ),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                spec[key] = value;
            }
        }
        super::object(
            KUSTOMIZATION,
            super::metadata(&self.name, &self.namespace, &self.labels),
            spec,
        )
    }
}

/// `--source`: `[<kind>/]<name>[.<namespace>]`; the kind defaults to GitRepository and is
/// matched case-insensitively, the namespace is what follows the last dot.
pub fn parse_source(text: &str) -> Result<SourceRef> {
    let text = text.trim();
    if text.is_empty() {
        bail!(
            "flag --source: no Kustomization source given: use [<kind>/]<name>[.<namespace>] with \
             kind one of {}",
            KUSTOMIZATION_SOURCE_KINDS.join(", ")
        );
    }
    let (kind, rest) = match text.split_once('/') {
        Some((kind, rest)) => (Some(kind), rest),
        None => (None, text),
    };
    if rest.contains('/') {
        bail!(
            "flag --source: {text:?} is not [<kind>/]<name>[.<namespace>]: give the namespace \
             after a dot, as GitRepository/podinfo.flux-system"
        );
    }
    let (name, namespace) = match rest.rsplit_once('.') {
        Some((name, namespace)) => (name, Some(namespace)),
        None => (rest, None),
    };
    let kind_word = kind.unwrap_or_default();
    if name.is_empty() {
        bail!("flag --source: no name given for source of kind '{kind_word}'");
    }
    let kind = match kind {
        None => {
            if KUSTOMIZATION_SOURCE_KINDS.contains(&name) {
                bail!("flag --source: no name given for source of kind '{name}'");
            }
            "GitRepository"
        }
        Some(kind) => KUSTOMIZATION_SOURCE_KINDS
            .into_iter()
            .find(|k| k.eq_ignore_ascii_case(kind))
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "flag --source: source kind '{kind}' is not supported, must be one of: {}",
                    KUSTOMIZATION_SOURCE_KINDS.join(", ")
                )
            })?,
    };
    Ok(SourceRef {
        kind: kind.to_string(),
        name: name.to_string(),
        namespace: namespace.filter(|ns| !ns.is_empty()).map(str::to_string),
    })
}

/// `--path` as flux's safe relative path: cleaned lexically inside the source's root (`..`
/// cannot climb above it, a leading `/` is dropped) and written as `./...`.
pub fn safe_relative_path(text: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in text.trim().split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    format!("./{}", parts.join("/"))
}

/// `--health-check Kind/name.namespace`.
fn parse_health_check(text: &str) -> Result<Value> {
    let format_error = || {
        anyhow::anyhow!(
            "flag --health-check: invalid health check '{text}' must be in the format 'kind/name.namespace'"
        )
    };
    let parts: Vec<&str> = text.split('/').collect();
    let [kind, name_namespace] = parts[..] else {
        return Err(format_error());
    };
    if !HEALTH_CHECK_KINDS.contains(&kind) {
        bail!(
            "flag --health-check: invalid health check kind '{kind}' can be HelmRelease, \
             Deployment, DaemonSet or StatefulSet"
        );
    }
    let parts: Vec<&str> = name_namespace.split('.').collect();
    let [name, namespace] = parts[..] else {
        return Err(format_error());
    };
    let mut check = json!({ "kind": kind, "name": name, "namespace": namespace });
    if kind == "HelmRelease" {
        check["apiVersion"] = json!(HELM_RELEASE_API_VERSION);
    }
    Ok(check)
}

/// `--depends-on [namespace/]name` (Kustomizations and HelmReleases).
pub(super) fn parse_depends_on(text: &str) -> Result<Value> {
    let parts: Vec<&str> = text.split('/').collect();
    Ok(match parts[..] {
        [name] => json!({ "name": name }),
        [namespace, name] if !name.is_empty() => {
            let mut dependency = json!({ "name": name });
            if !namespace.is_empty() {
                dependency["namespace"] = json!(namespace);
            }
            dependency
        }
        _ => bail!("flag --depends-on: {text:?} is not [<namespace>/]<name>"),
    })
}

pub async fn run(
    options: &KustomizationOptions,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    if options.export {
        print!("{}", export_document(&options.object()));
        return Ok(());
    }
    let deadline = Instant::now() + settings.timeout;
    let client = settings.client().await?;
    generated("generating Kustomization");

    let ready = apply_and_wait(
        &client,
        &printer,
        KUSTOMIZATION,
        "Kustomization",
        &options.object(),
        (&options.namespace, &options.name),
        deadline,
    )
    .await?;
    printer.success(format!("Kustomization {} is ready", options.name));
    printer.success(format!(
        "applied revision {}",
        KUSTOMIZATION.revision(&ready).unwrap_or_default()
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(kind: &str, name: &str, namespace: Option<&str>) -> SourceRef {
        SourceRef {
            kind: kind.into(),
            name: name.into(),
            namespace: namespace.map(Into::into),
        }
    }

    #[test]
    fn source_defaults_to_git_and_takes_the_namespace_after_the_last_dot() {
        assert_eq!(
            parse_source("podinfo").unwrap(),
            source("GitRepository", "podinfo", None)
        );
        assert_eq!(
            parse_source("ocirepository/podinfo.flux-system").unwrap(),
            source("OCIRepository", "podinfo", Some("flux-system"))
        );
        assert_eq!(
            parse_source("Bucket/a.b.c").unwrap(),
            source("Bucket", "a.b", Some("c"))
        );
    }

    #[test]
    fn source_refuses_unknown_kinds_and_missing_names() {
        let err = parse_source("HelmRepository/x").unwrap_err().to_string();
        assert!(
            err.contains("source kind 'HelmRepository' is not supported, must be one of: OCIRepository, GitRepository, Bucket"),
            "{err}"
        );
        let err = parse_source("GitRepository").unwrap_err().to_string();
        assert!(
            err.contains("no name given for source of kind 'GitRepository'"),
            "{err}"
        );
        assert!(parse_source("GitRepository/").is_err());
        assert!(parse_source("  ").is_err());
        assert!(parse_source("a/b/c").is_err());
    }

    #[test]
    fn path_is_cleaned_inside_the_root() {
        assert_eq!(safe_relative_path("./"), "./");
        assert_eq!(safe_relative_path(""), "./");
        assert_eq!(safe_relative_path("./infrastructure/"), "./infrastructure");
        assert_eq!(safe_relative_path("apps//prod/./x"), "./apps/prod/x");
        assert_eq!(safe_relative_path("../../etc"), "./etc");
        assert_eq!(safe_relative_path("/abs/path"), "./abs/path");
        assert_eq!(safe_relative_path("a/../b"), "./b");
    }

    #[test]
    fn health_checks_and_dependencies_follow_flux_formats() {
        assert_eq!(
            parse_health_check("HelmRelease/podinfo.apps").unwrap(),
            json!({ "apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
                    "name": "podinfo", "namespace": "apps" })
        );
        assert!(
            parse_health_check("Service/x.y")
                .unwrap_err()
                .to_string()
                .contains("invalid health check kind 'Service'")
        );
        assert!(parse_health_check("Deployment/x").is_err());
        assert!(parse_health_check("Deployment/x.y.z").is_err());
        assert_eq!(
            parse_depends_on("infra/crds").unwrap(),
            json!({ "name": "crds", "namespace": "infra" })
        );
        assert_eq!(parse_depends_on("crds").unwrap(), json!({ "name": "crds" }));
    }
}
