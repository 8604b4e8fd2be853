//! The S3 client of a Bucket, as Flux's `minio.NewClient` builds it: static keys from the
//! `spec.secretRef` Secret (`accesskey`, `secretkey`; none means anonymous), for the `aws`
//! provider without a Secret the controller's `AWS_*` environment, TLS from
//! `spec.certSecretRef`, a proxy from `spec.proxySecretRef`, plain HTTP with `spec.insecure`.
//! What tk cannot do (GCS and Azure APIs, STS, workload identity) stalls with the field named.

use std::time::Duration;

use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;
use kube::api::Api;

use crate::api::source::{Bucket, BucketProvider};
use crate::controllers::source::SourceContext;
use crate::controllers::source::outcome::{Failure, reason};
use crate::controllers::source::registry::{self, get_secret, secret_value};

const INVALID_PROVIDER: &str = "InvalidProviderConfiguration";
const INVALID_STS: &str = "InvalidSTSConfiguration";

/// A client for the Bucket's endpoint, and what to tell the user when the server refuses it.
pub struct Connected {
    pub client: s3::Client,
    unauthorized_hint: String,
}

impl Connected {
    /// The error, with where to look when the server refused the credentials.
    pub fn explain(&self, e: &s3::Error) -> String {
        if e.is_unauthorized() {
            format!("{e}{}", self.unauthorized_hint)
        } else {
            e.to_string()
        }
    }
}

pub async fn connect(
    obj: &Bucket,
    ctx: &SourceContext,
    timeout: Duration,
) -> Result<Connected, Failure> {
    refuse_unsupported(obj)?;
    let ns = obj.namespace().unwrap_or_default();
    let secrets: Api<Secret> = Api::namespaced(ctx.rt.client.clone(), &ns);
    let (credentials, unauthorized_hint) = match &obj.spec.secret_ref {
        Some(r) => {
            let secret = get_secret(&secrets, &ns, &r.name, "spec.secretRef").await?;
            (
                static_keys(&secret)?,
                format!(
                    " (check 'accesskey' and 'secretkey' of Secret '{ns}/{}', spec.secretRef)",
                    r.name
                ),
            )
        }
        None if obj.spec.provider == Some(BucketProvider::Aws) => (
            Some(environment_keys()?),
            " (check the AWS_* environment of the source controller)".to_string(),
        ),
        None => (
            None,
            " (no credentials were sent: set spec.secretRef to a Secret with 'accesskey' and \
             'secretkey')"
                .to_string(),
        ),
    };
    let tls = registry::tls_of(&secrets, &ns, obj.spec.cert_secret_ref.as_ref()).await?;
    if obj.spec.cert_secret_ref.is_some() && tls.ca_pem.is_none() && tls.identity_pem.is_none() {
        return Err(Failure::retry(
            reason::AUTHENTICATION_FAILED,
            "spec.certSecretRef: failed to create TLS config: certificate secret does not \
             contain any TLS configuration (set 'ca.crt', or 'tls.crt' with 'tls.key')",
        ));
    }
    let proxy = registry::proxy_of(&secrets, &ns, obj.spec.proxy_secret_ref.as_ref()).await?;
    crate::cli::install_crypto_provider();
    let client = s3::Client::new(s3::ClientOptions {
        endpoint: obj.spec.endpoint.clone(),
        insecure: obj.spec.insecure == Some(true),
        region: obj.spec.region.clone().filter(|r| !r.is_empty()),
        credentials,
        ca_pem: tls.ca_pem,
        identity_pem: tls.identity_pem,
        proxy,
        timeout,
        user_agent: concat!("tk/", env!("CARGO_PKG_VERSION")).to_string(),
    })
    .map_err(|e| match e {
        s3::Error::Endpoint(message) => Failure::stalled(
            reason::URL_INVALID,
            format!(
                "spec.endpoint '{}' of Bucket '{}': {message}",
                obj.spec.endpoint,
                obj.name_any()
            ),
        ),
        e => Failure::retry(
            "ClientError",
            format!("failed to create the S3 client: {e} (check spec.certSecretRef and spec.proxySecretRef)"),
        ),
    })?;
    Ok(Connected {
        client,
        unauthorized_hint,
    })
}

/// The keys of a `spec.secretRef` Secret (Flux's `ValidateSecret`): both keys must be
/// present; when either is empty the requests go anonymous, as with minio-go.
fn static_keys(secret: &Secret) -> Result<Option<s3::Credentials>, Failure> {
    let has = |key: &str| secret.data.as_ref().is_some_and(|d| d.contains_key(key));
    if !has("accesskey") || !has("secretkey") {
        return Err(Failure::retry(
            reason::AUTHENTICATION_FAILED,
            format!(
                "spec.secretRef: invalid '{}' secret data: required fields 'accesskey' and \
                 'secretkey'",
                secret.name_any()
            ),
        ));
    }
    let text =
        |key: &str| secret_value(secret, key).map(|v| String::from_utf8_lossy(&v).into_owned());
    Ok(match (text("accesskey"), text("secretkey")) {
        (Some(access_key), Some(secret_key)) => Some(s3::Credentials {
            access_key,
            secret_key,
            session_token: None,
        }),
        _ => None,
    })
}

/// The `aws` provider without a Secret: the controller's environment, as the AWS SDKs read
/// it first. (Instance metadata and web identity are not read.)
fn environment_keys() -> Result<s3::Credentials, Failure> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
        (Some(access_key), Some(secret_key)) => Ok(s3::Credentials {
            access_key,
            secret_key,
            session_token: var("AWS_SESSION_TOKEN"),
        }),
        _ => Err(Failure::retry(
            reason::AUTHENTICATION_FAILED,
            "spec.provider is 'aws' and spec.secretRef is not set, but the source controller \
             has no AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in its environment: set them, \
             or reference a Secret with 'accesskey' and 'secretkey' in spec.secretRef",
        )),
    }
}

/// Stalls on what needs a provider API or token exchange tk does not speak, naming the field.
fn refuse_unsupported(obj: &Bucket) -> Result<(), Failure> {
    let name = obj.name_any();
    let provider = obj.spec.provider.unwrap_or_default();
    match provider {
        BucketProvider::Gcp => {
            return Err(Failure::stalled(
                INVALID_PROVIDER,
                format!(
                    "Bucket '{name}' spec.provider is 'gcp': tk reads buckets through the S3 API \
                     only; use spec.provider 'generic' with spec.endpoint \
                     'storage.googleapis.com' and HMAC keys in spec.secretRef"
                ),
            ));
        }
        BucketProvider::Azure => {
            return Err(Failure::stalled(
                INVALID_PROVIDER,
                format!(
                    "Bucket '{name}' spec.provider is 'azure': tk does not support Azure Blob \
                     Storage yet; use an S3-compatible endpoint with spec.provider 'generic'"
                ),
            ));
        }
        BucketProvider::Generic | BucketProvider::Aws => {}
    }
    if obj.spec.sts.is_some() {
        return Err(Failure::stalled(
            INVALID_STS,
            format!(
                "Bucket '{name}' spec.sts: tk does not exchange credentials with a Security \
                 Token Service yet; remove spec.sts and put static keys in spec.secretRef"
            ),
        ));
    }
    if obj.spec.service_account_name.is_some() {
        return Err(Failure::stalled(
            INVALID_PROVIDER,
            format!(
                "Bucket '{name}' spec.serviceAccountName: tk does not support workload identity \
                 yet; remove it and put static keys in spec.secretRef"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::source::registry::tests::secret;

    fn bucket(spec: serde_json::Value) -> Bucket {
        let mut base = serde_json::json!({
            "bucketName": "fleet", "endpoint": "127.0.0.1:9000", "interval": "1m",
        });
        base.as_object_mut()
            .unwrap()
            .extend(spec.as_object().unwrap().clone());
        serde_json::from_value(serde_json::json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "Bucket",
            "metadata": { "name": "app", "namespace": "ns" },
            "spec": base,
        }))
        .unwrap()
    }

    #[test]
    fn secrets_need_both_keys_and_empty_ones_mean_anonymous() {
        let keys = static_keys(&secret(None, &[("accesskey", "AK"), ("secretkey", "SK")]))
            .unwrap()
            .unwrap();
        assert_eq!(
            (keys.access_key.as_str(), keys.secret_key.as_str()),
            ("AK", "SK")
        );
        assert!(
            static_keys(&secret(None, &[("accesskey", "AK"), ("secretkey", "")]))
                .unwrap()
                .is_none()
        );
        let e = static_keys(&secret(None, &[("accesskey", "AK")])).unwrap_err();
        assert_eq!(
            e.message,
            "spec.secretRef: invalid 'creds' secret data: required fields 'accesskey' and \
             'secretkey'"
        );
        assert!(!e.stalled);
    }

    #[test]
    fn what_tk_cannot_speak_stalls_naming_the_field() {
        assert!(refuse_unsupported(&bucket(serde_json::json!({}))).is_ok());
        assert!(refuse_unsupported(&bucket(serde_json::json!({ "provider": "aws" }))).is_ok());
        for (spec, field) in [
            (
                serde_json::json!({ "provider": "gcp" }),
                "spec.provider is 'gcp'",
            ),
            (
                serde_json::json!({ "provider": "azure" }),
                "spec.provider is 'azure'",
            ),
            (
                serde_json::json!({ "sts": { "provider": "ldap", "endpoint": "https://sts" } }),
                "spec.sts",
            ),
            (
                serde_json::json!({ "provider": "aws", "serviceAccountName": "sa" }),
                "spec.serviceAccountName",
            ),
        ] {
            let e = refuse_unsupported(&bucket(spec)).unwrap_err();
            assert!(e.stalled);
            assert!(e.message.starts_with("Bucket 'app' "), "{}", e.message);
            assert!(e.message.contains(field), "{}", e.message);
        }
    }
}
