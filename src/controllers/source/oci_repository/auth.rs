//! The registry client of an OCIRepository, as Flux's `keychain`, `transport` and
//! `getTLSConfig` build it: credentials from the docker-registry Secrets of
//! `spec.secretRef` and of the `spec.serviceAccountName` ServiceAccount's
//! `imagePullSecrets` (the first with an entry for the registry host wins, none means
//! anonymous, as k8schain reads them), TLS from `spec.certSecretRef`, a proxy from
//! `spec.proxySecretRef`, plain HTTP with `spec.insecure`.

use std::time::Duration;

use k8s_openapi::api::core::v1::{Secret, ServiceAccount};
use kube::ResourceExt;
use kube::api::Api;

use crate::api::source::OCIRepository;
use crate::controllers::source::SourceContext;
use crate::controllers::source::outcome::{Failure, reason};
use crate::controllers::source::reconciler::kube_message;
use crate::controllers::source::registry::{self, Connection, get_secret};

/// A client for the repository's registry.
pub struct Registry {
    pub client: oci::Client,
    /// Appended to a refusal by the registry: which credentials to check or set.
    pub unauthorized_hint: String,
}

/// A pull secret and the field that led to it.
struct PullSecret {
    secret: Secret,
    origin: String,
}

pub async fn connect(
    obj: &OCIRepository,
    ctx: &SourceContext,
    host: &str,
    timeout: Duration,
) -> Result<Registry, Failure> {
    let ns = obj.namespace().unwrap_or_default();
    let secrets: Api<Secret> = Api::namespaced(ctx.rt.client.clone(), &ns);
    let credential_failure =
        |f: Failure| Failure::retry(f.reason, format!("failed to get credential: {}", f.message));

    let mut pull_secrets = Vec::new();
    if let Some(r) = &obj.spec.secret_ref {
        let secret = get_secret(&secrets, &ns, &r.name, "spec.secretRef")
            .await
            .map_err(credential_failure)?;
        pull_secrets.push(PullSecret {
            secret,
            origin: format!("spec.secretRef '{}'", r.name),
        });
    }
    if let Some(sa) = obj.spec.service_account_name.as_deref() {
        pull_secrets.extend(
            service_account_pull_secrets(ctx, &secrets, &ns, sa)
                .await
                .map_err(credential_failure)?,
        );
    }
    // As in Flux, a cloud provider would only be asked when no pull secret is given.
    if pull_secrets.is_empty() {
        registry::check_provider("OCIRepository", &obj.name_any(), obj.spec.provider)?;
    }
    let (credentials, unauthorized_hint) = credentials(&pull_secrets, host, &obj.name_any())?;

    let proxy = registry::proxy_of(&secrets, &ns, obj.spec.proxy_secret_ref.as_ref()).await?;
    let transport_failure = |message: String| {
        Failure::retry(
            reason::AUTHENTICATION_FAILED,
            format!(
                "failed to generate transport for '{}': {message}",
                obj.spec.url
            ),
        )
    };
    let tls = registry::tls_of(&secrets, &ns, obj.spec.cert_secret_ref.as_ref())
        .await
        .map_err(|f| transport_failure(f.message))?;
    let client = registry::client(
        host,
        Connection {
            plain_http: obj.spec.insecure == Some(true),
            timeout,
            tls,
            credentials,
            proxy,
        },
    )
    .map_err(|e| {
        let field = match &e {
            oci::Error::Config(m) if m.contains("proxy") => "spec.proxySecretRef",
            _ => "spec.certSecretRef",
        };
        transport_failure(format!("{field}: {e}"))
    })?;
    Ok(Registry {
        client,
        unauthorized_hint,
    })
}

/// The Secrets `imagePullSecrets` of the ServiceAccount names (Flux's
/// `PullSecretsFromServiceAccountRef`): all must exist.
async fn service_account_pull_secrets(
    ctx: &SourceContext,
    secrets: &Api<Secret>,
    ns: &str,
    name: &str,
) -> Result<Vec<PullSecret>, Failure> {
    let accounts: Api<ServiceAccount> = Api::namespaced(ctx.rt.client.clone(), ns);
    let account = accounts.get(name).await.map_err(|e| {
        Failure::retry(
            reason::AUTHENTICATION_FAILED,
            format!(
                "spec.serviceAccountName: failed to get serviceaccount '{ns}/{name}': {}",
                kube_message(&e)
            ),
        )
    })?;
    let mut out = Vec::new();
    for reference in account.image_pull_secrets.iter().flatten() {
        let secret = get_secret(secrets, ns, &reference.name, "spec.serviceAccountName")
            .await
            .map_err(|f| {
                Failure::retry(
                    f.reason,
                    format!(
                        "failed to get image pull secret for serviceaccount '{ns}/{name}': {}",
                        f.message
                    ),
                )
            })?;
        out.push(PullSecret {
            secret,
            origin: format!(
                "imagePullSecret '{}' of ServiceAccount '{name}'",
                reference.name
            ),
        });
    }
    Ok(out)
}

/// The credentials for `host` and the hint for a refusal.
fn credentials(
    pull_secrets: &[PullSecret],
    host: &str,
    name: &str,
) -> Result<(Option<oci::Credentials>, String), Failure> {
    for pull in pull_secrets {
        let entry = registry::docker_registry_entry(&pull.secret, host).map_err(|e| {
            Failure::retry(
                reason::AUTHENTICATION_FAILED,
                format!("failed to get credential: {}: {e}", pull.origin),
            )
        })?;
        if let Some(credentials) = entry {
            let anonymous = credentials.username.is_empty() && credentials.password.is_empty();
            let hint = format!(
                "; check the credentials for '{host}' in {} of OCIRepository '{name}'",
                pull.origin
            );
            return Ok(((!anonymous).then_some(credentials), hint));
        }
    }
    let hint = if pull_secrets.is_empty() {
        format!(
            "; set spec.secretRef of OCIRepository '{name}' to a docker-registry Secret with \
             credentials for '{host}'"
        )
    } else {
        let origins: Vec<&str> = pull_secrets.iter().map(|p| p.origin.as_str()).collect();
        format!(
            "; none of the pull secrets of OCIRepository '{name}' ({}) is a docker-registry \
             Secret with an entry for '{host}'",
            origins.join(", ")
        )
    };
    Ok((None, hint))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::source::registry::tests::secret;
    use crate::controllers::source::registry::{DOCKER_CONFIG_JSON_KEY, DOCKER_CONFIG_JSON_TYPE};

    fn docker(auths: &str) -> Secret {
        secret(
            Some(DOCKER_CONFIG_JSON_TYPE),
            &[(DOCKER_CONFIG_JSON_KEY, auths)],
        )
    }

    fn pull(secret: Secret, origin: &str) -> PullSecret {
        PullSecret {
            secret,
            origin: origin.to_string(),
        }
    }

    #[test]
    fn the_first_secret_with_an_entry_for_the_host_wins() {
        let secrets = [
            pull(
                docker(r#"{"auths":{"ghcr.io":{"username":"a","password":"b"}}}"#),
                "spec.secretRef 'ghcr'",
            ),
            pull(
                docker(r#"{"auths":{"127.0.0.1:5000":{"username":"fleet","password":"pw"}}}"#),
                "imagePullSecret 'local' of ServiceAccount 'puller'",
            ),
        ];
        let (found, hint) = credentials(&secrets, "127.0.0.1:5000", "app").unwrap();
        assert_eq!(found, Some(oci::Credentials::basic("fleet", "pw")));
        assert!(
            hint.contains("in imagePullSecret 'local' of ServiceAccount 'puller'"),
            "{hint}"
        );
        // No entry anywhere: anonymous, and the hint names every secret looked at.
        let (found, hint) = credentials(&secrets, "quay.io", "app").unwrap();
        assert_eq!(found, None);
        assert!(
            hint.contains("(spec.secretRef 'ghcr', imagePullSecret 'local'"),
            "{hint}"
        );
        let (_, hint) = credentials(&[], "quay.io", "app").unwrap();
        assert!(
            hint.contains("set spec.secretRef of OCIRepository 'app'"),
            "{hint}"
        );
        let broken = [pull(docker("{"), "spec.secretRef 'bad'")];
        let e = credentials(&broken, "quay.io", "app").unwrap_err();
        assert!(
            e.message
                .starts_with("failed to get credential: spec.secretRef 'bad': "),
            "{}",
            e.message
        );
    }
}
