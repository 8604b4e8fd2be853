//! What the kinds pulling from OCI registries share (HelmCharts from `type: oci`
//! HelmRepositories, OCIRepositories): their Secrets read with the field that names them,
//! docker-registry entries, TLS material and proxies (Buckets read theirs the same way), the
//! cloud-provider check and the `crates/oci` client built from all of it.

use std::time::Duration;

use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;
use kube::api::Api;

use super::outcome::{Failure, reason};
use super::reconciler::kube_message;
use crate::api::meta::LocalObjectReference;
use crate::api::source::HelmRepositoryProvider;

pub const DOCKER_CONFIG_JSON_TYPE: &str = "kubernetes.io/dockerconfigjson";
pub const DOCKER_CONFIG_JSON_KEY: &str = ".dockerconfigjson";
/// The pre-`config.json` format: the `auths` map alone.
pub const DOCKER_CFG_TYPE: &str = "kubernetes.io/dockercfg";
pub const DOCKER_CFG_KEY: &str = ".dockercfg";

/// The Secret `name` that `field` points at; retried when it cannot be read (it may be
/// created later).
pub async fn get_secret(
    secrets: &Api<Secret>,
    ns: &str,
    name: &str,
    field: &'static str,
) -> Result<Secret, Failure> {
    secrets.get(name).await.map_err(|e| {
        Failure::retry(
            reason::AUTHENTICATION_FAILED,
            format!(
                "{field}: failed to get secret '{ns}/{name}': {}",
                kube_message(&e)
            ),
        )
    })
}

/// A non-empty value of the Secret.
pub fn secret_value(secret: &Secret, key: &str) -> Option<Vec<u8>> {
    let data = secret.data.as_ref()?.get(key)?.0.clone();
    (!data.is_empty()).then_some(data)
}

/// The entry a docker-registry Secret (either format) holds for `host`: `Ok(None)` when the
/// Secret is of another type or has no entry for the host.
pub fn docker_registry_entry(
    secret: &Secret,
    host: &str,
) -> Result<Option<oci::Credentials>, oci::DockerConfigError> {
    let config = match secret.type_.as_deref() {
        Some(DOCKER_CONFIG_JSON_TYPE) => secret_value(secret, DOCKER_CONFIG_JSON_KEY),
        Some(DOCKER_CFG_TYPE) => secret_value(secret, DOCKER_CFG_KEY).map(|auths| {
            let mut wrapped = b"{\"auths\":".to_vec();
            wrapped.extend_from_slice(&auths);
            wrapped.push(b'}');
            wrapped
        }),
        _ => return Ok(None),
    };
    match oci::docker_config_credentials(&config.unwrap_or_default(), host) {
        Ok(credentials) => Ok(Some(credentials)),
        Err(oci::DockerConfigError::NoEntry(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// TLS material for a client.
#[derive(Debug, Default)]
pub struct Tls {
    pub ca_pem: Option<Vec<u8>>,
    /// The client certificate followed by its key.
    pub identity_pem: Option<Vec<u8>>,
}

/// `ca.crt`, and `tls.crt` with `tls.key` (or the deprecated `caFile`/`certFile`/`keyFile`,
/// used only when the standard key is absent) of the Secret `field` names.
pub fn tls_material(field: &str, secret: &Secret) -> Result<Tls, Failure> {
    let either = |a, b| secret_value(secret, a).or_else(|| secret_value(secret, b));
    let identity_pem = match (either("tls.crt", "certFile"), either("tls.key", "keyFile")) {
        (Some(mut cert), Some(key)) => {
            cert.push(b'\n');
            cert.extend_from_slice(&key);
            Some(cert)
        }
        (None, None) => None,
        _ => {
            return Err(Failure::retry(
                reason::AUTHENTICATION_FAILED,
                format!(
                    "{field}: secret '{}' must hold both 'tls.crt' and 'tls.key', or neither",
                    secret.name_any()
                ),
            ));
        }
    };
    Ok(Tls {
        ca_pem: either("ca.crt", "caFile"),
        identity_pem,
    })
}

/// Refuses a cloud `spec.provider` of the `kind` object `name`: tk logs in with Secrets only.
pub fn check_provider(
    kind: &str,
    name: &str,
    provider: Option<HelmRepositoryProvider>,
) -> Result<(), Failure> {
    let Some(provider) = provider.filter(|p| *p != HelmRepositoryProvider::Generic) else {
        return Ok(());
    };
    let provider = serde_json::to_value(provider)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    Err(Failure::stalled(
        reason::AUTHENTICATION_FAILED,
        format!(
            "{kind} '{name}' spec.provider is '{provider}': tk does not support cloud provider \
             authentication (aws, azure, gcp) yet; set spec.provider to 'generic' and \
             spec.secretRef to a docker-registry Secret with the registry's credentials"
        ),
    ))
}

/// The TLS material the `spec.certSecretRef` Secret holds; none without one.
pub async fn tls_of(
    secrets: &Api<Secret>,
    ns: &str,
    reference: Option<&LocalObjectReference>,
) -> Result<Tls, Failure> {
    let Some(r) = reference else {
        return Ok(Tls::default());
    };
    let secret = get_secret(secrets, ns, &r.name, "spec.certSecretRef").await?;
    tls_material("spec.certSecretRef", &secret)
}

/// The proxy the `spec.proxySecretRef` Secret names, if any.
pub async fn proxy_of(
    secrets: &Api<Secret>,
    ns: &str,
    reference: Option<&LocalObjectReference>,
) -> Result<Option<transport::Proxy>, Failure> {
    let Some(r) = reference else {
        return Ok(None);
    };
    get_secret(secrets, ns, &r.name, "spec.proxySecretRef")
        .await
        .and_then(|s| proxy(ns, &s))
        .map(Some)
        .map_err(|f| {
            Failure::retry(
                f.reason,
                format!("failed to get proxy address: {}", f.message),
            )
        })
}

/// The proxy of `spec.proxySecretRef` (Flux's `ProxyURLFromSecret`): `address`, with
/// `username` and `password` when the proxy asks for them.
fn proxy(ns: &str, secret: &Secret) -> Result<transport::Proxy, Failure> {
    let name = format!("{ns}/{}", secret.name_any());
    let text = |key: &str| {
        secret
            .data
            .as_ref()
            .and_then(|d| d.get(key))
            .map(|v| String::from_utf8_lossy(&v.0).into_owned())
    };
    let invalid = |message: String| Failure::retry(reason::AUTHENTICATION_FAILED, message);
    let address = text("address").ok_or_else(|| {
        invalid(format!(
            "secret '{name}': key 'address' not found: add the proxy URL (http://host:port)"
        ))
    })?;
    if address.is_empty() {
        return Err(invalid(format!("secret '{name}': proxy address is empty")));
    }
    let url = url::Url::parse(&address).map_err(|e| {
        invalid(format!(
            // The address is not shown: it may carry credentials.
            "secret '{name}': failed to parse proxy address: {e}"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "secret '{name}': proxy URL must use http or https scheme, got '{}'",
            url.scheme()
        )));
    }
    Ok(transport::Proxy {
        url: address,
        username: text("username"),
        password: text("password"),
    })
}

/// How to reach a registry, besides its host.
#[derive(Debug)]
pub struct Connection {
    /// `spec.insecure`: plain HTTP.
    pub plain_http: bool,
    pub timeout: Duration,
    pub tls: Tls,
    pub credentials: Option<oci::Credentials>,
    pub proxy: Option<transport::Proxy>,
}

/// A registry client for `host`, with tk's user agent.
pub fn client(host: &str, connection: Connection) -> Result<oci::Client, oci::Error> {
    crate::cli::install_crypto_provider();
    oci::Client::new(
        host,
        oci::ClientOptions {
            plain_http: connection.plain_http,
            timeout: connection.timeout,
            ca_pem: connection.tls.ca_pem,
            identity_pem: connection.tls.identity_pem,
            credentials: connection.credentials,
            proxy: connection.proxy,
            user_agent: concat!("tk/", env!("CARGO_PKG_VERSION")).to_string(),
        },
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn secret(type_: Option<&str>, data: &[(&str, &str)]) -> Secret {
        serde_json::from_value(serde_json::json!({
            "metadata": { "name": "creds" },
            "type": type_,
            "data": data.iter().map(|(k, v)| {
                use base64::Engine;
                (k.to_string(), serde_json::json!(base64::engine::general_purpose::STANDARD.encode(v)))
            }).collect::<serde_json::Map<_, _>>(),
        }))
        .unwrap()
    }

    #[test]
    fn docker_registry_entries_come_from_either_format_only() {
        let json = secret(
            Some(DOCKER_CONFIG_JSON_TYPE),
            &[(
                DOCKER_CONFIG_JSON_KEY,
                r#"{"auths":{"127.0.0.1:5000":{"username":"fleet","password":"pw"}}}"#,
            )],
        );
        assert_eq!(
            docker_registry_entry(&json, "127.0.0.1:5000").unwrap(),
            Some(oci::Credentials::basic("fleet", "pw"))
        );
        assert_eq!(docker_registry_entry(&json, "ghcr.io").unwrap(), None);
        let cfg = secret(
            Some(DOCKER_CFG_TYPE),
            &[(DOCKER_CFG_KEY, r#"{"ghcr.io":{"auth":"dTpw"}}"#)],
        );
        assert_eq!(
            docker_registry_entry(&cfg, "ghcr.io").unwrap(),
            Some(oci::Credentials::basic("u", "p"))
        );
        // Only the docker-registry types hold registry entries.
        let opaque = secret(None, &[("username", "u"), ("password", "p")]);
        assert_eq!(docker_registry_entry(&opaque, "ghcr.io").unwrap(), None);
        let broken = secret(
            Some(DOCKER_CONFIG_JSON_TYPE),
            &[(DOCKER_CONFIG_JSON_KEY, "{")],
        );
        assert!(docker_registry_entry(&broken, "ghcr.io").is_err());
    }

    #[test]
    fn tls_material_prefers_the_standard_keys() {
        let tls = tls_material(
            "spec.certSecretRef",
            &secret(
                None,
                &[
                    ("ca.crt", "CA"),
                    ("caFile", "OLD"),
                    ("certFile", "CERT"),
                    ("tls.key", "KEY"),
                ],
            ),
        )
        .unwrap();
        assert_eq!(tls.ca_pem.as_deref(), Some(&b"CA"[..]));
        assert_eq!(tls.identity_pem.as_deref(), Some(&b"CERT\nKEY"[..]));
        let half =
            tls_material("spec.certSecretRef", &secret(None, &[("tls.crt", "C")])).unwrap_err();
        assert!(
            half.message
                .starts_with("spec.certSecretRef: secret 'creds' must hold both")
        );
    }

    #[test]
    fn only_the_generic_provider_passes() {
        assert!(check_provider("OCIRepository", "app", None).is_ok());
        assert!(
            check_provider(
                "OCIRepository",
                "app",
                Some(HelmRepositoryProvider::Generic)
            )
            .is_ok()
        );
        let e =
            check_provider("OCIRepository", "app", Some(HelmRepositoryProvider::Aws)).unwrap_err();
        assert!(e.stalled);
        assert!(
            e.message
                .starts_with("OCIRepository 'app' spec.provider is 'aws'"),
            "{}",
            e.message
        );
    }

    #[test]
    fn proxies_need_an_http_address() {
        let ok = proxy(
            "ns",
            &secret(
                None,
                &[
                    ("address", "http://proxy:3128"),
                    ("username", "u"),
                    ("password", "p"),
                ],
            ),
        )
        .unwrap();
        assert_eq!(ok.url, "http://proxy:3128");
        assert_eq!(ok.username.as_deref(), Some("u"));
        for (data, want) in [
            (vec![], "secret 'ns/creds': key 'address' not found"),
            (
                vec![("address", "")],
                "secret 'ns/creds': proxy address is empty",
            ),
            (
                vec![("address", "socks5://proxy:1080")],
                "proxy URL must use http or https scheme, got 'socks5'",
            ),
        ] {
            let e = proxy("ns", &secret(None, &data)).unwrap_err();
            assert!(e.message.contains(want), "{}", e.message);
        }
    }
}
