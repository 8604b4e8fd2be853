//! `tk create ...`: objects and their Secrets, printed with `--export` or applied.

pub mod canary;
pub mod helmrelease;
pub mod kustomization;
pub mod notification;
pub mod secret_git;
pub mod secret_helm;
pub mod secret_oci;
pub mod source_bucket;
pub mod source_chart;
pub mod source_git;
pub mod source_helm;
pub mod source_oci;
pub mod ssh;
pub mod tenant;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::time::Duration;

use anyhow::{Result, bail};
use serde_json::{Value, json};

use super::args::{SshEcdsaCurve, SshKeyAlgorithm, SshKeyArgs, VerifyProviderArg};
use super::yaml;
use ssh::{KeyPair, KeySpec};

/// A step that produces something: `✚ message`, Flux's mark for generated content.
fn generated(message: impl AsRef<str>) {
    eprintln!("✚ {}", message.as_ref());
}

/// How flux names a kind in `create`'s progress lines.
#[derive(Debug, Clone, Copy)]
pub struct Label<'a> {
    /// In "applying …" and "waiting for … reconciliation" ("GitRepository source").
    pub noun: &'a str,
    /// Before "created" or "updated": the noun, except that flux's Helm source commands say
    /// just "source".
    pub applied: &'a str,
}

impl<'a> From<&'a str> for Label<'a> {
    fn from(noun: &'a str) -> Self {
        Label {
            noun,
            applied: noun,
        }
    }
}

/// Applies `object` (a `kind` named `name`) and says whether it was created or updated.
/// `label` is how flux names the kind in these lines ("GitRepository source",
/// "Kustomization").
pub async fn apply(
    client: &kube::Client,
    printer: &super::printer::Printer,
    kind: super::objects::Kind,
    label: impl Into<Label<'_>>,
    object: &Value,
    (namespace, name): (&str, &str),
) -> Result<()> {
    let Label { noun, applied } = label.into();
    printer.action(format!("applying {noun}"));
    let existed = kind
        .api(client, Some(namespace))
        .get_opt(name)
        .await
        .ok()
        .flatten()
        .is_some();
    super::cluster::apply(client, object, false).await?;
    printer.success(format!(
        "{applied} {}",
        if existed { "updated" } else { "created" }
    ));
    Ok(())
}

/// [`apply`], then waits with a spinner until the kind's controller reports the object
/// Ready.
pub async fn apply_and_wait(
    client: &kube::Client,
    printer: &super::printer::Printer,
    kind: super::objects::Kind,
    label: impl Into<Label<'_>>,
    object: &Value,
    (namespace, name): (&str, &str),
    deadline: std::time::Instant,
) -> Result<kube::api::DynamicObject> {
    let label = label.into();
    apply(client, printer, kind, label, object, (namespace, name)).await?;
    let noun = label.noun;
    printer.waiting(format!("waiting for {noun} reconciliation"));
    let spinner = printer.spinner(format!("waiting for {} {namespace}/{name}", kind.kind));
    let ready = super::objects::wait_ready(client, kind, namespace, name, None, deadline).await;
    spinner.finish_and_clear();
    ready
}

/// [`apply_and_wait`] for a source, then flux's closing lines: "<noun> reconciliation
/// completed" and the revision of the artifact a Ready source holds (an OCI HelmRepository,
/// which no controller reports on, has none to show).
pub async fn apply_source_and_wait(
    client: &kube::Client,
    printer: &super::printer::Printer,
    kind: super::objects::Kind,
    label: impl Into<Label<'_>>,
    object: &Value,
    (namespace, name): (&str, &str),
    deadline: std::time::Instant,
) -> Result<()> {
    let label = label.into();
    let ready = apply_and_wait(
        client,
        printer,
        kind,
        label,
        object,
        (namespace, name),
        deadline,
    )
    .await?;
    printer.success(format!("{} reconciliation completed", label.noun));
    if kind.is_static(&ready) {
        return Ok(());
    }
    let Some(revision) = kind.revision(&ready) else {
        bail!(
            "{} {namespace}/{name}: reconciliation completed but no artifact was found: inspect \
             the source controller's logs",
            kind.kind
        );
    };
    printer.success(format!("fetched revision: {revision}"));
    Ok(())
}

/// `metadata` of a generated object: name, namespace, and labels when any.
pub fn metadata(name: &str, namespace: &str, labels: &BTreeMap<String, String>) -> Value {
    let mut metadata = json!({ "name": name, "namespace": namespace });
    if !labels.is_empty() {
        metadata["labels"] = json!(labels);
    }
    metadata
}

/// A generated object of `kind`.
pub fn object(kind: crate::cli::objects::Kind, metadata: Value, spec: Value) -> Value {
    json!({
        "apiVersion": kind.api_version(),
        "kind": kind.kind,
        "metadata": metadata,
        "spec": spec,
    })
}

/// Applies the Secret a `create source` command generates from its credential flags, with
/// flux's lines around it; `what` ends "applying secret with ...".
pub async fn apply_credentials(
    client: &kube::Client,
    printer: &super::printer::Printer,
    what: &str,
    (namespace, name): (&str, &str),
    labels: &BTreeMap<String, String>,
    data: &BTreeMap<String, String>,
) -> Result<()> {
    printer.action(format!("applying secret with {what}"));
    super::cluster::apply(client, &secret_apply(name, namespace, labels, data), false).await?;
    printer.success("authentication configured");
    Ok(())
}

/// How the CLI reaches a Git server, from `--url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitUrl {
    pub scheme: GitScheme,
    pub host: String,
    pub port: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitScheme {
    Ssh,
    Http,
    Https,
}

pub fn parse_git_url(url: &str) -> Result<GitUrl> {
    let not_git =
        || anyhow::anyhow!("flag --url: {url:?} is not a Git URL: use ssh://, https:// or http://");
    let parsed = url::Url::parse(url).map_err(|_| not_git())?;
    let scheme = match parsed.scheme() {
        "ssh" => GitScheme::Ssh,
        "http" => GitScheme::Http,
        "https" => GitScheme::Https,
        _ => return Err(not_git()),
    };
    let host = parsed
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| anyhow::anyhow!("flag --url: {url:?} has no host: use scheme://host/path"))?
        .to_string();
    let port = parsed.port().unwrap_or(match scheme {
        GitScheme::Ssh => 22,
        GitScheme::Http => 80,
        GitScheme::Https => 443,
    });
    Ok(GitUrl { scheme, host, port })
}

/// `--label key=value` values, checked the way the API server checks label keys and values.
pub fn parse_labels(labels: &[String]) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for label in labels.iter().filter(|l| !l.is_empty()) {
        let Some((key, value)) = label.split_once('=') else {
            bail!("flag --label: {label:?} is not key=value");
        };
        let (prefix, name) = match key.split_once('/') {
            Some((prefix, name)) => (Some(prefix), name),
            None => (None, key),
        };
        let label_word = |s: &str| {
            s.len() <= 63
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                && s.starts_with(|c: char| c.is_ascii_alphanumeric())
                && s.ends_with(|c: char| c.is_ascii_alphanumeric())
        };
        let dns_subdomain = |s: &str| {
            s.len() <= 253
                && s.split('.').all(|part| {
                    !part.is_empty()
                        && part
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                        && !part.starts_with('-')
                        && !part.ends_with('-')
                })
        };
        if !label_word(name) || prefix.is_some_and(|p| !dns_subdomain(p)) {
            bail!(
                "flag --label: {key:?} is not a valid label key: use [prefix/]name, name up to 63 \
                 alphanumerics, '-', '_' or '.'"
            );
        }
        if !value.is_empty() && !label_word(value) {
            bail!(
                "flag --label: {value:?} is not a valid value for label {key}: use up to 63 \
                 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric"
            );
        }
        out.insert(key.to_string(), value.to_string());
    }
    Ok(out)
}

/// Parses an interval flag as a positive Go duration and writes it back the way Go does
/// (`1m` becomes `1m0s`), as the flux CLI stores it.
pub fn go_duration(flag: &str, value: &str) -> Result<String> {
    let parsed = crate::api::duration::parse_positive(value)
        .map_err(|err| anyhow::anyhow!("flag --{flag}: {err}"))?;
    Ok(crate::api::duration::format(parsed))
}

/// `spec.verify` from the `--verify-*` flags, as flux builds it for HelmCharts and
/// OCIRepositories: the OIDC identity only when an issuer or a subject is given, with both
/// written (Go's fields are not `omitempty`). `object` names what is being created, for errors.
pub fn verification(
    object: &str,
    provider: Option<VerifyProviderArg>,
    secret_ref: &Option<String>,
    issuer: &Option<String>,
    subject: &Option<String>,
) -> Result<Option<Value>> {
    use secret_helm::given;
    let (secret_ref, issuer, subject) = (given(secret_ref), given(issuer), given(subject));
    let Some(provider) = provider else {
        if secret_ref.is_some() {
            bail!(
                "{object}: flag --verify-secret-ref: pass --verify-provider too, as a \
                 verification provider must be specified when a secret is specified"
            );
        }
        if issuer.is_some() || subject.is_some() {
            bail!(
                "{object}: flags --verify-issuer/--verify-subject: pass --verify-provider too, as \
                 a verification provider must be specified when OIDC issuer/subject is specified"
            );
        }
        return Ok(None);
    };
    let mut verify = json!({ "provider": provider.as_str() });
    if let Some(secret) = secret_ref {
        verify["secretRef"] = json!({ "name": secret });
    }
    if issuer.is_some() || subject.is_some() {
        verify["matchOIDCIdentity"] = json!([{
            "issuer": issuer.unwrap_or_default(),
            "subject": subject.unwrap_or_default(),
        }]);
    }
    Ok(Some(verify))
}

pub fn key_spec(args: &SshKeyArgs) -> Result<KeySpec> {
    Ok(match args.ssh_key_algorithm {
        SshKeyAlgorithm::Ed25519 => KeySpec::Ed25519,
        SshKeyAlgorithm::Ecdsa => KeySpec::Ecdsa(match args.ssh_ecdsa_curve {
            SshEcdsaCurve::P256 => ssh_key::EcdsaCurve::NistP256,
            SshEcdsaCurve::P384 => ssh_key::EcdsaCurve::NistP384,
            SshEcdsaCurve::P521 => ssh_key::EcdsaCurve::NistP521,
        }),
        SshKeyAlgorithm::Rsa => {
            let bits = args.ssh_rsa_bits;
            if !(2048..=8192).contains(&bits) || !bits.is_multiple_of(8) {
                bail!(
                    "flag --ssh-rsa-bits: {bits} is not a usable RSA key size: use a multiple of 8 \
                     from 2048 to 8192"
                );
            }
            KeySpec::Rsa { bits }
        }
    })
}

/// Credentials a Git Secret holds.
#[derive(Debug, Clone)]
pub enum GitCredentials {
    Ssh {
        key: KeySource,
        /// The passphrase of the private key, stored as `password`.
        password: Option<String>,
        host: String,
        port: u16,
    },
    Http {
        username: Option<String>,
        password: Option<String>,
        bearer_token: Option<String>,
        /// Stored under `ca.crt`.
        ca_crt: Option<String>,
        /// Stored under the legacy `caFile` key.
        ca_file: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub enum KeySource {
    Generate(KeySpec),
    File(String),
}

/// The Secret's string data, plus what the user is shown: the public key to add as a deploy
/// key and the host key that was recorded.
#[derive(Debug, Default)]
pub struct SecretMaterial {
    pub data: BTreeMap<String, String>,
    pub public_key: Option<String>,
    pub known_hosts: Option<String>,
}

/// Generates or reads the key and scans the host key (SSH), or collects the HTTP
/// credentials, into the keys Flux's source controller reads.
pub fn secret_material(credentials: &GitCredentials, timeout: Duration) -> Result<SecretMaterial> {
    let mut material = SecretMaterial::default();
    match credentials {
        GitCredentials::Ssh {
            key,
            password,
            host,
            port,
        } => {
            let pair: KeyPair = match key {
                KeySource::Generate(spec) => ssh::generate(*spec)?,
                KeySource::File(path) => ssh::load(path, password.as_deref())?,
            };
            let known_hosts =
                ssh::scan_host_key(host, *port, timeout.min(Duration::from_secs(30)))?;
            material.data.insert("identity".into(), pair.private_key);
            material
                .data
                .insert("identity.pub".into(), pair.public_key.clone());
            material
                .data
                .insert("known_hosts".into(), known_hosts.clone());
            if let Some(password) = password.as_ref().filter(|p| !p.is_empty()) {
                material.data.insert("password".into(), password.clone());
            }
            material.public_key = Some(pair.public_key);
            material.known_hosts = Some(known_hosts);
        }
        GitCredentials::Http {
            username,
            password,
            bearer_token,
            ca_crt,
            ca_file,
        } => {
            if let (Some(u), Some(p)) = (username, password)
                && !u.is_empty()
                && !p.is_empty()
            {
                material.data.insert("username".into(), u.clone());
                material.data.insert("password".into(), p.clone());
            }
            if let Some(token) = bearer_token.as_ref().filter(|t| !t.is_empty()) {
                material.data.insert("bearerToken".into(), token.clone());
            }
            if let Some(path) = ca_crt {
                material
                    .data
                    .insert("ca.crt".into(), read_ca("ca-crt-file", path)?);
            } else if let Some(path) = ca_file {
                material
                    .data
                    .insert("caFile".into(), read_ca("ca-file", path)?);
            }
        }
    }
    Ok(material)
}

fn read_ca(flag: &str, path: &str) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|err| anyhow::anyhow!("flag --{flag}: reading the CA certificate {path}: {err}"))
}

/// The Secret as the flux CLI exports it: `stringData` (left out when empty, as Go's
/// `omitempty` does), no type.
pub fn secret_export(
    name: &str,
    namespace: &str,
    labels: &BTreeMap<String, String>,
    data: &BTreeMap<String, String>,
) -> Value {
    let mut metadata = json!({ "name": name, "namespace": namespace });
    if !labels.is_empty() {
        metadata["labels"] = json!(labels);
    }
    let mut secret = json!({ "apiVersion": "v1", "kind": "Secret", "metadata": metadata });
    if !data.is_empty() {
        secret["stringData"] = json!(data);
    }
    secret
}

/// The Secret as tk applies it: `data`, so server-side apply owns (and can later drop) each
/// key; `stringData` is write-only and would leave stale keys behind.
pub fn secret_apply(
    name: &str,
    namespace: &str,
    labels: &BTreeMap<String, String>,
    data: &BTreeMap<String, String>,
) -> Value {
    let encoded: BTreeMap<&String, Value> = data
        .iter()
        .map(|(k, v)| {
            let bytes = k8s_openapi::ByteString(v.as_bytes().to_vec());
            (k, serde_json::to_value(bytes).expect("bytes serialize"))
        })
        .collect();
    let mut metadata = json!({ "name": name, "namespace": namespace });
    if !labels.is_empty() {
        metadata["labels"] = json!(labels);
    }
    json!({ "apiVersion": "v1", "kind": "Secret", "metadata": metadata, "data": encoded })
}

/// `---` and the document, as flux prints an export.
pub fn export_document(value: &Value) -> String {
    format!("---\n{}", yaml::to_string(value))
}

/// Asks whether the deploy key was added, on a terminal only: scripts and CI go on.
fn confirm_deploy_key() -> Result<()> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(());
    }
    let added = dialoguer::Confirm::new()
        .with_prompt("Have you added the deploy key to your repository")
        .default(false)
        .interact()?;
    if !added {
        bail!(
            "aborting: add the deploy key to the repository, then run the command again (--silent skips this question)"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_urls_need_a_git_scheme_and_host() {
        let url = parse_git_url("ssh://git@example.com:2222/org/repo").unwrap();
        assert_eq!(
            (url.scheme, url.host.as_str(), url.port),
            (GitScheme::Ssh, "example.com", 2222)
        );
        assert_eq!(parse_git_url("https://h/r").unwrap().port, 443);
        let err = parse_git_url("ftp://x").unwrap_err().to_string();
        assert_eq!(
            err,
            "flag --url: \"ftp://x\" is not a Git URL: use ssh://, https:// or http://"
        );
        assert!(parse_git_url("git@github.com:org/repo").is_err());
    }

    #[test]
    fn verification_needs_a_provider_for_its_other_flags() {
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            verification("X x", None, &None, &None, &None).unwrap(),
            None
        );
        assert_eq!(
            verification(
                "X x",
                Some(VerifyProviderArg::Cosign),
                &some("keys"),
                &None,
                &some("me")
            )
            .unwrap(),
            Some(json!({
                "provider": "cosign", "secretRef": { "name": "keys" },
                "matchOIDCIdentity": [{ "issuer": "", "subject": "me" }]
            }))
        );
        let err = verification("OCIRepository podinfo", None, &some("keys"), &None, &None)
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("a verification provider must be specified when a secret is specified"),
            "{err}"
        );
        let err = verification("X x", None, &None, &some("github"), &None)
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with(
                "a verification provider must be specified when OIDC issuer/subject is specified"
            ),
            "{err}"
        );
    }

    #[test]
    fn labels_are_validated() {
        let labels = parse_labels(&["app=web".into(), "example.com/tier=".into()]).unwrap();
        assert_eq!(labels["app"], "web");
        assert_eq!(labels["example.com/tier"], "");
        assert!(parse_labels(&["novalue".into()]).is_err());
        assert!(parse_labels(&["-bad=x".into()]).is_err());
        assert!(parse_labels(&["k=bad value".into()]).is_err());
    }
}
