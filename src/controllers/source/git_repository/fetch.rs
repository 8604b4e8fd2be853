//! The boundary between the reconciler and the Git engine (crates/gitsource): builds a
//! request from the spec and its secret, runs the blocking Git work off the async runtime,
//! and turns engine errors into Flux's reasons with credential-free messages.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Secret;

use gitsource::{Auth, Credentials, Proxy, SshIdentity};

use super::status::reason;
use crate::api::source::{GitRepository, GitVerificationMode};

fn text(secret: &Secret, key: &str) -> Option<String> {
    let bytes = secret.data.as_ref()?.get(key)?;
    Some(String::from_utf8_lossy(&bytes.0).into_owned())
}

/// Reads `spec.secretRef` the way Flux does: `identity` (+ `identity.pub`, `password` as
/// its passphrase) and `known_hosts` for SSH URLs, `username`/`password` or `bearerToken`
/// for HTTP(S), `ca.crt` for a private CA.
pub fn auth_from_secret(secret: &Secret, url: &str) -> Result<Auth, String> {
    let name = secret.metadata.name.as_deref().unwrap_or_default();
    let mut auth = Auth {
        known_hosts: text(secret, "known_hosts"),
        ca_pem: text(secret, "ca.crt").or_else(|| text(secret, "caFile")),
        ..Auth::default()
    };
    if gitsource::is_ssh_url(url) {
        let Some(private_key) = text(secret, "identity") else {
            return Err(format!(
                "secret '{name}': key 'identity' is required for SSH URLs: add the private key"
            ));
        };
        if auth.known_hosts.is_none() {
            return Err(format!(
                "secret '{name}': key 'known_hosts' is required for SSH URLs: add the server's host keys"
            ));
        }
        auth.credentials = Credentials::Ssh(SshIdentity {
            private_key,
            public_key: text(secret, "identity.pub"),
            passphrase: text(secret, "password"),
            user: None,
        });
        return Ok(auth);
    }
    auth.credentials = match (
        text(secret, "bearerToken"),
        text(secret, "username"),
        text(secret, "password"),
    ) {
        (Some(_), Some(_), _) => {
            return Err(format!(
                "secret '{name}': set either 'bearerToken' or 'username'/'password', not both"
            ));
        }
        (Some(token), None, _) => Credentials::Bearer { token },
        (None, Some(username), password) => Credentials::Basic {
            username,
            password: password.unwrap_or_default(),
        },
        (None, None, Some(_)) => {
            return Err(format!(
                "secret '{name}': key 'password' needs a 'username'"
            ));
        }
        (None, None, None) => Credentials::None,
    };
    Ok(auth)
}

/// The proxy from `spec.proxySecretRef` (`address`, optional `username`/`password`).
pub fn proxy_from_secret(secret: &Secret) -> Result<Proxy, String> {
    let name = secret.metadata.name.as_deref().unwrap_or_default();
    let url = text(secret, "address")
        .ok_or_else(|| format!("secret '{name}': key 'address' is required for a proxy"))?;
    Ok(Proxy {
        url,
        username: text(secret, "username"),
        password: text(secret, "password"),
    })
}

/// Every value of the `spec.verify.secretRef` secret is an armored keyring, as in Flux.
pub fn keyrings_from_secret(secret: &Secret) -> Vec<String> {
    secret
        .data
        .iter()
        .flatten()
        .map(|(_, v)| String::from_utf8_lossy(&v.0).into_owned())
        .collect()
}

/// Everything one fetch needs, owned so it can move to a blocking thread.
#[derive(Debug)]
pub struct Request {
    pub url: String,
    pub reference: gitsource::Reference,
    pub auth: Auth,
    pub timeout: Duration,
    pub recurse_submodules: bool,
    pub sparse_checkout: Vec<String>,
    /// `spec.verify`: the mode and the armored keyrings to verify with.
    pub verify: Option<(GitVerificationMode, Vec<String>)>,
}

impl Request {
    pub fn new(
        obj: &GitRepository,
        auth: Auth,
        verify: Option<(GitVerificationMode, Vec<String>)>,
        timeout: Duration,
    ) -> Result<Request, String> {
        let spec = &obj.spec;
        let url = spec.url.trim().to_string();
        if !["ssh://", "https://", "http://"]
            .iter()
            .any(|scheme| url.starts_with(scheme))
        {
            return Err(format!(
                "spec.url: {:?} is not a supported Git URL: use ssh://, https:// or http://",
                gitsource::redact_url(&url)
            ));
        }
        let r = spec.r#ref.clone().unwrap_or_default();
        Ok(Request {
            url,
            reference: gitsource::Reference {
                branch: r.branch,
                tag: r.tag,
                semver: r.semver,
                name: r.name,
                commit: r.commit,
            },
            auth,
            timeout,
            recurse_submodules: spec.recurse_submodules.unwrap_or(false),
            sparse_checkout: spec.sparse_checkout.clone().unwrap_or_default(),
            verify,
        })
    }
}

/// What a checkout produced.
#[derive(Debug, Clone)]
pub struct Checkout {
    pub sha: String,
    pub revision: String,
    pub message: String,
    /// The SourceVerified message, when the content was verified.
    pub verified: Option<String>,
}

/// A failed fetch, with the condition it belongs to and Flux's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    pub reason: &'static str,
    pub message: String,
    /// Retrying cannot help until the user changes the object or its secrets.
    pub permanent: bool,
    /// A signature check failed (SourceVerified), rather than the fetch itself.
    pub verification: bool,
}

impl FetchError {
    fn from_git(err: &gitsource::Error) -> FetchError {
        use gitsource::Error as E;
        let reason = match err {
            E::AuthenticationFailed { .. }
            | E::UnknownHostKey { .. }
            | E::HostKeyMismatch { .. }
            | E::InvalidIdentity { .. }
            | E::InvalidKnownHosts { .. } => reason::AUTHENTICATION_FAILED,
            _ => reason::GIT_OPERATION_FAILED,
        };
        FetchError {
            reason,
            message: format!("failed to checkout and determine revision: {err}"),
            permanent: err.is_permanent(),
            verification: false,
        }
    }

    fn verification(message: String) -> FetchError {
        FetchError {
            reason: reason::VERIFICATION_ERROR,
            message,
            permanent: false,
            verification: true,
        }
    }
}

/// The remote's current revision for the reference, without cloning.
pub async fn ls_remote(request: Arc<Request>) -> Result<String, FetchError> {
    blocking(move || {
        let options = gitsource::Options {
            timeout: request.timeout,
        };
        gitsource::ls_remote(&request.url, &request.reference, &request.auth, &options)
            .map(|head| head.revision)
            .map_err(|e| FetchError::from_git(&e))
    })
    .await
}

/// A checkout of the reference into `dir`, verified when `spec.verify` asks for it.
pub async fn checkout(request: Arc<Request>, dir: PathBuf) -> Result<Checkout, FetchError> {
    blocking(move || {
        let options = gitsource::CheckoutOptions {
            depth: 1,
            recurse_submodules: request.recurse_submodules,
            sparse_paths: request.sparse_checkout.clone(),
            timeout: request.timeout,
        };
        let commit = gitsource::checkout(
            &request.url,
            &request.reference,
            &request.auth,
            &dir,
            &options,
        )
        .map_err(|e| FetchError::from_git(&e))?;
        let verified = match &request.verify {
            Some((mode, keyrings)) => Some(verify(&commit, *mode, keyrings)?),
            None => None,
        };
        Ok(Checkout {
            sha: commit.sha.clone(),
            revision: commit.revision.clone(),
            message: commit.message.clone(),
            verified,
        })
    })
    .await
}

/// Checks the signatures `mode` asks for; the message is Flux's SourceVerified text.
fn verify(
    commit: &gitsource::Commit,
    mode: GitVerificationMode,
    keyrings: &[String],
) -> Result<String, FetchError> {
    let keyrings: Vec<&str> = keyrings.iter().map(String::as_str).collect();
    let (tag, head) = match mode {
        GitVerificationMode::Head | GitVerificationMode::HeadLegacy => (false, true),
        GitVerificationMode::Tag => (true, false),
        GitVerificationMode::TagAndHEAD => (true, true),
    };
    let mut message = String::from("verified signature of");
    if tag {
        let Some(info) = &commit.tag else {
            return Err(FetchError::verification(
                "cannot verify tag object's signature if a tag reference is not specified: set spec.ref.tag or spec.ref.semver, or use mode HEAD"
                    .to_string(),
            ));
        };
        let key = gitsource::verify_tag(info, &keyrings).map_err(|e| {
            FetchError::verification(format!(
                "signature verification of tag '{}' failed: {e}",
                info.display()
            ))
        })?;
        message.push_str(&format!("\n\t- tag '{}' with key '{key}'", info.display()));
    }
    if head {
        let key = gitsource::verify_commit(commit, &keyrings).map_err(|e| {
            FetchError::verification(format!(
                "signature verification of commit '{}' failed: {e}",
                commit.sha
            ))
        })?;
        message.push_str(&format!("\n\t- commit '{}' with key '{key}'", commit.sha));
    }
    Ok(message)
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, FetchError> + Send + 'static,
) -> Result<T, FetchError> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| {
        Err(FetchError {
            reason: reason::GIT_OPERATION_FAILED,
            message: format!("git operation aborted: {e}"),
            permanent: false,
            verification: false,
        })
    })
}
