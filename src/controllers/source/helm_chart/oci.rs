//! Building a HelmChart from a `type: oci` HelmRepository, as source-controller's OCI chart
//! repository and remote builder do: the chart lives at `<spec.url>/<spec.chart>`; an exact
//! `spec.version` is pulled by tag, anything else is a SemVer constraint resolved against the
//! repository's tags (`_` read as `+`); the manifest must carry Helm's config and chart layer,
//! and the layer is streamed under the chart size cap and checked against its digest. The
//! archive is stored as pulled unless values files are merged into it.
//!
//! Credentials come from `spec.secretRef` (a `kubernetes.io/dockerconfigjson` Secret with an
//! entry for the registry host, or `username`/`password`), TLS from `spec.certSecretRef`;
//! `spec.insecure` means plain HTTP. The registry protocol itself is `crates/oci`.

use std::time::Duration;

use helm::chart::Chart;
use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;
use kube::api::Api;

use super::build::{self, Build, Built, Cached, reason};
use crate::api::source::{HelmChart, HelmRepository};
use crate::controllers::source::SourceContext;
use crate::controllers::source::outcome::{self, Failure};
use crate::controllers::source::registry::{
    self, Connection, DOCKER_CONFIG_JSON_KEY, DOCKER_CONFIG_JSON_TYPE, Tls, get_secret,
    secret_value,
};

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Pulls `spec.chart` at `spec.version` from the registry `repo` points at.
pub async fn from_registry(
    obj: &HelmChart,
    repo: &HelmRepository,
    ctx: &SourceContext,
    cached: Option<Cached<'_>>,
) -> Result<Built, Failure> {
    let repo_name = repo.name_any();
    check_provider(repo)?;
    if obj.spec.verify.is_some() {
        return Err(Failure::verification(format!(
            "spec.verify: tk does not verify OCI chart signatures (cosign, notation) yet; \
             remove spec.verify from HelmChart '{}' to pull '{}' unverified",
            obj.name_any(),
            obj.spec.chart
        ))
        .stalling());
    }
    let registry = registry_url(repo)?;
    let chart = chart_repository(&registry, &obj.spec.chart)?;
    let chart_name = obj
        .spec
        .chart
        .trim_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();

    let RegistryClient {
        client,
        credentials: logged_in,
    } = registry_client(repo, &registry, ctx).await?;
    if logged_in {
        client.ping().await.map_err(|e| {
            let hint = if e.is_unauthorized() {
                format!("; check the credentials in spec.secretRef of HelmRepository '{repo_name}'")
            } else {
                String::new()
            };
            Failure::retry(
                outcome::reason::AUTHENTICATION_FAILED,
                format!("failed to login to OCI registry: {e}{hint}"),
            )
        })?;
    }

    let version_spec = obj.spec.version.as_deref().unwrap_or_default().trim();
    let version = resolve_version(&client, &chart, &obj.spec.chart, version_spec)
        .await
        .map_err(|message| {
            let hint = if !logged_in && message.contains("authentication failed") {
                format!(
                    "; set spec.secretRef of HelmRepository '{repo_name}' to a Secret with the \
                     registry's credentials"
                )
            } else {
                String::new()
            };
            Failure::retry(
                reason::CHART_PULL,
                format!(
                    "chart pull error: failed to get chart version for remote reference: \
                     {message}{hint}"
                ),
            )
        })?;

    let values_files = build::values_files(obj);
    let metadata =
        (!values_files.is_empty()).then(|| obj.metadata.generation.unwrap_or_default().to_string());
    let stored_version = with_metadata(&version, metadata.as_deref());
    let force = obj.metadata.generation != obj.status.as_ref().and_then(|s| s.observed_generation);
    if !force && cached.is_some_and(|c| c.name == chart_name && c.version == stored_version) {
        return Ok(Built::Unchanged { name: chart_name });
    }

    let pulled = oci::helm::pull_chart(&client, &chart.name, &version, helm::repo::MAX_CHART_SIZE)
        .await
        .map_err(|e| {
            Failure::retry(
                reason::CHART_PULL,
                format!(
                    "chart pull error: failed to download chart for remote reference: failed \
                     to get '{chart}:{version}': {e}"
                ),
            )
        })?;
    let archive = pulled.archive;
    let ignore_missing = obj.spec.ignore_missing_values_files == Some(true);
    tokio::task::spawn_blocking(move || {
        let mut loaded = helm::loader::load_archive(&archive[..], &limits()).map_err(|e| {
            Failure::retry(
                reason::CHART_PULL,
                format!(
                    "chart pull error: the pulled layer is not a Helm chart: failed to load \
                     chart metadata: {e}"
                ),
            )
        })?;
        if values_files.is_empty() {
            return Ok(Built::New(Build {
                name: chart_name,
                version: stored_version,
                values_files,
                packaged: false,
                archive,
            }));
        }
        repackage(
            &mut loaded,
            &values_files,
            ignore_missing,
            metadata.as_deref(),
        )
    })
    .await
    .unwrap_or_else(|e| {
        Err(Failure::retry(
            crate::api::meta::reason::FAILED,
            format!("chart build aborted: {e}"),
        ))
    })
}

/// Refuses a cloud `spec.provider` (tk logs in with `spec.secretRef` only).
pub(super) fn check_provider(repo: &HelmRepository) -> Result<(), Failure> {
    registry::check_provider("HelmRepository", &repo.name_any(), repo.spec.provider)
}

/// `spec.url` as a registry address: `oci://` only, trailing slashes dropped (Flux's
/// NormalizeURL for OCI).
fn registry_url(repo: &HelmRepository) -> Result<oci::Repository, Failure> {
    let url = repo.spec.url.trim();
    if !url.starts_with("oci://") {
        return Err(Failure::stalled(
            crate::api::meta::reason::FAILED,
            format!(
                "failed to construct Helm client: invalid OCI registry URL: {url}: HelmRepository \
                 '{}' is of type 'oci', so spec.url must start with oci://",
                repo.name_any()
            ),
        ));
    }
    oci::Repository::parse(url).map_err(|e| {
        Failure::stalled(
            outcome::reason::URL_INVALID,
            format!(
                "invalid Helm repository URL: {e}: fix spec.url of HelmRepository '{}'",
                repo.name_any()
            ),
        )
    })
}

/// `<spec.url>/<spec.chart>`, with `spec.chart` checked as Flux's RemoteReference does.
fn chart_repository(registry: &oci::Repository, chart: &str) -> Result<oci::Repository, Failure> {
    let invalid = |detail: String| {
        Failure::stalled(
            reason::CHART_REFERENCE,
            format!("invalid chart reference: {detail}"),
        )
    };
    if !valid_chart_name(chart) {
        return Err(invalid(format!(
            "invalid chart name '{chart}': a valid name must be lower case letters and numbers \
             and MAY be separated with dashes (-), slashes (/) or periods (.)"
        )));
    }
    registry
        .join(chart)
        .map_err(|e| invalid(format!("spec.chart '{chart}': {e}")))
}

/// Flux's `^([-a-z0-9]+/?\.?)+$`.
fn valid_chart_name(name: &str) -> bool {
    let b = name.as_bytes();
    if b.is_empty() || !(b[0] == b'-' || b[0].is_ascii_lowercase() || b[0].is_ascii_digit()) {
        return false;
    }
    // Every `/` and `.` follows a run of [-a-z0-9], and `./` or `..` never occur.
    let mut prev_word = false;
    let mut prev = 0u8;
    for &c in b {
        match c {
            b'-' | b'a'..=b'z' | b'0'..=b'9' => prev_word = true,
            b'/' if prev_word => prev_word = false,
            b'.' if prev_word || prev == b'/' => prev_word = false,
            _ => return false,
        }
        prev = c;
    }
    true
}

/// The exact version asked for, or the highest tag matching the constraint.
pub(super) async fn resolve_version(
    client: &oci::Client,
    chart: &oci::Repository,
    spec_chart: &str,
    version: &str,
) -> Result<String, String> {
    if oci::helm::is_exact_version(version) {
        return Ok(version.to_string());
    }
    let tags = client.tags(&chart.name).await.map_err(|e| {
        format!(
            "could not get tags for \"{spec_chart}\": could not fetch tags for \"{chart}\": {e}"
        )
    })?;
    let versions = oci::helm::chart_versions(&tags);
    if versions.is_empty() {
        return Err(format!(
            "could not get tags for \"{spec_chart}\": unable to locate any tags in provided \
             repository: {chart}"
        ));
    }
    let constraint = if version == "*" { "" } else { version };
    oci::helm::select_version(&versions, constraint).map_err(|e| e.to_string())
}

/// A client plus whether it carries credentials (then the registry login is checked).
pub(super) struct RegistryClient {
    pub(super) client: oci::Client,
    pub(super) credentials: bool,
}

/// A client for `registry` with `repo`'s credentials (`spec.secretRef`), TLS
/// (`spec.certSecretRef`), `spec.insecure` and `spec.timeout`.
pub(super) async fn registry_client(
    repo: &HelmRepository,
    registry: &oci::Repository,
    ctx: &SourceContext,
) -> Result<RegistryClient, Failure> {
    let ns = repo.namespace().unwrap_or_default();
    let secrets: Api<Secret> = Api::namespaced(ctx.rt.client.clone(), &ns);
    let auth_secret = match &repo.spec.secret_ref {
        Some(r) => Some(get_secret(&secrets, &ns, &r.name, "spec.secretRef").await?),
        None => None,
    };
    let cert_secret = match &repo.spec.cert_secret_ref {
        Some(r) => Some(get_secret(&secrets, &ns, &r.name, "spec.certSecretRef").await?),
        None => None,
    };
    let credentials = match &auth_secret {
        Some(secret) => credentials(secret, &registry.registry)?,
        None => None,
    };
    // TLS data in spec.secretRef is deprecated, and honoured only without spec.certSecretRef.
    let (tls_field, tls_secret) = match (&cert_secret, &auth_secret) {
        (Some(s), _) => ("spec.certSecretRef", Some(s)),
        (None, Some(s)) => ("spec.secretRef", Some(s)),
        (None, None) => ("", None),
    };
    let tls = match tls_secret {
        Some(secret) => registry::tls_material(tls_field, secret)?,
        None => Tls::default(),
    };
    let timeout = repo
        .spec
        .timeout
        .as_deref()
        .and_then(|t| crate::api::duration::parse_positive(t).ok())
        .unwrap_or(DEFAULT_TIMEOUT);
    let has_credentials = credentials.is_some();
    let client = registry::client(
        &registry.registry,
        Connection {
            plain_http: repo.spec.insecure == Some(true),
            timeout,
            tls,
            credentials,
            proxy: None,
        },
    )
    .map_err(|e| {
        Failure::retry(
            outcome::reason::AUTHENTICATION_FAILED,
            format!("{tls_field}: {e}"),
        )
    })?;
    Ok(RegistryClient {
        client,
        credentials: has_credentials,
    })
}

/// Flux's LoginOptionFromSecret: a docker-registry Secret's entry for `host`, or the
/// `username`/`password` keys; none when both are empty (anonymous).
fn credentials(secret: &Secret, host: &str) -> Result<Option<oci::Credentials>, Failure> {
    let name = secret.name_any();
    let failed = |message: String| {
        Failure::retry(
            outcome::reason::AUTHENTICATION_FAILED,
            format!("spec.secretRef: {message}"),
        )
    };
    let (username, password) = if secret.type_.as_deref() == Some(DOCKER_CONFIG_JSON_TYPE) {
        let config = secret_value(secret, DOCKER_CONFIG_JSON_KEY).unwrap_or_default();
        match oci::docker_config_credentials(&config, host) {
            Ok(c) => (c.username, c.password),
            Err(oci::DockerConfigError::Parse(e)) => {
                return Err(failed(format!(
                    "unable to load Docker config from Secret '{name}': {e}"
                )));
            }
            Err(oci::DockerConfigError::NoEntry(_)) => {
                return Err(failed(format!(
                    "no auth config for '{host}' in the docker-registry Secret '{name}': add \
                     an entry for '{host}' to its .dockerconfigjson"
                )));
            }
        }
    } else {
        let text = |key: &str| {
            secret_value(secret, key)
                .map(|v| {
                    String::from_utf8_lossy(&v)
                        .trim_end_matches(['\n', '\r'])
                        .to_string()
                })
                .unwrap_or_default()
        };
        (text("username"), text("password"))
    };
    match (username.is_empty(), password.is_empty()) {
        (true, true) => Ok(None),
        (false, false) => Ok(Some(oci::Credentials::basic(username, password))),
        _ => Err(failed(format!(
            "invalid '{name}' secret data: required fields 'username' and 'password'"
        ))),
    }
}

/// `version+metadata` (replacing any metadata), as the packaged chart will carry it.
fn with_metadata(version: &str, metadata: Option<&str>) -> String {
    match metadata {
        Some(m) => format!("{}+{m}", version.split('+').next().unwrap_or(version)),
        None => version.to_string(),
    }
}

/// Loading caps: an archive may hold up to [`helm::repo::MAX_CHART_SIZE`] compressed, and
/// charts compress about five to one.
fn limits() -> helm::loader::Limits {
    helm::loader::Limits {
        max_chart_size: helm::repo::MAX_CHART_SIZE * 5,
        ..Default::default()
    }
}

/// Values files merged, version metadata set, packaged (as the HTTP builder does).
fn repackage(
    chart: &mut Chart,
    values_files: &[String],
    ignore_missing: bool,
    metadata: Option<&str>,
) -> Result<Built, Failure> {
    let used =
        helm::package::merge_values_files(chart, values_files, ignore_missing).map_err(|e| {
            Failure::build(
                reason::VALUES_FILES,
                format!("values files merge error: {e}"),
            )
            .stalling()
        })?;
    if let Some(metadata) = metadata {
        helm::package::set_version_metadata(chart, metadata).map_err(|e| {
            Failure::build(
                "MetadataPatchError",
                format!("chart metadata patch error: {e}"),
            )
            .stalling()
        })?;
    }
    let mut archive = Vec::new();
    helm::package::save(chart, &mut archive)
        .map_err(|e| Failure::build(reason::CHART_PACKAGE, format!("chart package error: {e}")))?;
    Ok(Built::New(Build {
        name: chart.metadata.name.clone(),
        version: chart.metadata.version.clone(),
        values_files: used,
        packaged: true,
        archive,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::source::registry::tests::secret;

    #[test]
    fn chart_names_follow_flux() {
        for ok in [
            "podinfo",
            "charts/podinfo",
            "my-chart",
            "a.b",
            "a/b.c",
            "0app",
        ] {
            assert!(valid_chart_name(ok), "{ok}");
        }
        for bad in [
            "", "Podinfo", "a_b", "/a", ".a", "a//b", "a..b", "a b", "a:1.0.0",
        ] {
            assert!(!valid_chart_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn credentials_come_from_docker_config_or_username_and_password() {
        let docker = secret(
            Some(DOCKER_CONFIG_JSON_TYPE),
            &[(
                DOCKER_CONFIG_JSON_KEY,
                r#"{"auths":{"127.0.0.1:5000":{"username":"fleet","password":"pw"}}}"#,
            )],
        );
        assert_eq!(
            credentials(&docker, "127.0.0.1:5000").unwrap(),
            Some(oci::Credentials::basic("fleet", "pw"))
        );
        let missing = credentials(&docker, "ghcr.io").unwrap_err();
        assert_eq!(missing.reason, outcome::reason::AUTHENTICATION_FAILED);
        assert!(
            missing
                .message
                .contains("no auth config for 'ghcr.io' in the docker-registry Secret 'creds'"),
            "{}",
            missing.message
        );
        let plain = secret(None, &[("username", "u"), ("password", "p\n")]);
        assert_eq!(
            credentials(&plain, "x").unwrap(),
            Some(oci::Credentials::basic("u", "p"))
        );
        assert_eq!(credentials(&secret(None, &[]), "x").unwrap(), None);
        let half = credentials(&secret(None, &[("username", "u")]), "x").unwrap_err();
        assert!(
            half.message
                .contains("required fields 'username' and 'password'")
        );
    }

    #[test]
    fn registry_urls_must_be_oci() {
        let repo = |url: &str| -> HelmRepository {
            serde_json::from_value(serde_json::json!({
                "apiVersion": "source.toolkit.fluxcd.io/v1",
                "kind": "HelmRepository",
                "metadata": { "name": "charts", "namespace": "ns" },
                "spec": { "url": url, "type": "oci" },
            }))
            .unwrap()
        };
        let r = registry_url(&repo("oci://127.0.0.1:5000/charts/")).unwrap();
        assert_eq!(r.to_string(), "oci://127.0.0.1:5000/charts");
        assert_eq!(
            chart_repository(&r, "app").unwrap().name,
            "charts/app".to_string()
        );
        let e = registry_url(&repo("https://ghcr.io/charts")).unwrap_err();
        assert!(e.stalled);
        assert!(
            e.message.contains("invalid OCI registry URL"),
            "{}",
            e.message
        );
        let e = chart_repository(&r, "App").unwrap_err();
        assert_eq!(e.reason, reason::CHART_REFERENCE);
    }
}
