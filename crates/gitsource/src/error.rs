use std::time::Duration;

/// Everything that can go wrong. URLs in messages are redacted (no userinfo, no query) and
/// no message ever carries a password, token, passphrase or private key.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller passed something unusable: a malformed URL, reference, path or option.
    #[error("invalid {what}: {reason}")]
    InvalidInput { what: &'static str, reason: String },

    /// The SSH private key cannot be used: unreadable, an unsupported type, or an RSA key
    /// under 2048 bits.
    #[error("invalid SSH identity: {reason}")]
    InvalidIdentity { reason: String },

    /// The `known_hosts` text could not be parsed.
    #[error("invalid known_hosts: {reason}")]
    InvalidKnownHosts { reason: String },

    /// The SSH server offered a key that `known_hosts` says nothing about.
    #[error(
        "unknown host key for {host}: the server offered {key_type} key {fingerprint}, which is not in known_hosts"
    )]
    UnknownHostKey {
        host: String,
        key_type: String,
        fingerprint: String,
    },

    /// The SSH server offered a key that differs from the one `known_hosts` has for it
    /// (or one marked `@revoked`).
    #[error(
        "host key mismatch for {host}: the server offered {key_type} key {fingerprint}, which does not match known_hosts (possible man-in-the-middle attack)"
    )]
    HostKeyMismatch {
        host: String,
        key_type: String,
        fingerprint: String,
    },

    /// The server refused the credentials, or asked for credentials none were given for.
    #[error("authentication failed for {url}: {reason}")]
    AuthenticationFailed { url: String, reason: String },

    /// The host could not be resolved or connected to.
    #[error("unable to reach {url}: {reason}")]
    Unreachable { url: String, reason: String },

    /// The server's TLS certificate could not be verified.
    #[error("TLS verification failed for {url}: {reason}")]
    Tls { url: String, reason: String },

    /// The server answered, but there is no repository at that path.
    #[error("repository not found: {url}: {reason}")]
    RepositoryNotFound { url: String, reason: String },

    /// The branch, tag or reference name is not advertised by the remote.
    #[error("reference '{reference}' not found in {url}")]
    RefNotFound { url: String, reference: String },

    /// The pinned commit is not in the fetched history.
    #[error("commit '{commit}' not found in {url}{}", on_ref(.reference))]
    CommitNotFound {
        url: String,
        commit: String,
        reference: Option<String>,
    },

    /// No tag of the remote satisfies the semver range.
    #[error("no tag in {url} matches semver range '{range}'")]
    NoMatchingTag { url: String, range: String },

    /// A sparse-checkout directory does not exist in the checked out commit.
    #[error("sparse checkout dir '{path}' does not exist in commit '{commit}'")]
    SparsePathNotFound { path: String, commit: String },

    /// The operation ran past its deadline.
    #[error("git operation on {url} timed out after {}", fmt_duration(.timeout))]
    Timeout { url: String, timeout: Duration },

    /// The server refused to update a branch (someone pushed meanwhile, or a protected
    /// branch); nothing changed there.
    #[error("push to {url} was rejected: {reason}")]
    PushRejected { url: String, reason: String },

    /// Any other libgit2 failure, with its (scrubbed) message.
    #[error("git operation on {url} failed: {message}")]
    Git { url: String, message: String },

    /// A local filesystem operation failed.
    #[error("{action} '{path}': {source}")]
    Io {
        action: &'static str,
        path: String,
        source: std::io::Error,
    },

    /// The object carries no OpenPGP signature.
    #[error("{object} is not signed")]
    Unsigned { object: String },

    /// The signature was made by a key that is in none of the keyrings.
    #[error("signature of {object} was made by key {key_id}, which is not in the given keyrings")]
    UnknownSigningKey { object: String, key_id: String },

    /// A key of the keyrings matches the signature's issuer but the signature does not verify.
    #[error("signature of {object} made by key {key_id} is invalid")]
    BadSignature { object: String, key_id: String },

    /// The signature block itself cannot be parsed as an OpenPGP signature.
    #[error("signature of {object} is not a valid OpenPGP signature: {reason}")]
    InvalidSignature { object: String, reason: String },

    /// A keyring is not valid armored OpenPGP public key material.
    #[error("invalid OpenPGP keyring #{index}: {reason}")]
    InvalidKeyring { index: usize, reason: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A short, stable name for metrics and condition reasons.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::InvalidInput { .. } => "InvalidInput",
            Error::InvalidIdentity { .. } => "InvalidIdentity",
            Error::InvalidKnownHosts { .. } => "InvalidKnownHosts",
            Error::UnknownHostKey { .. } => "UnknownHostKey",
            Error::HostKeyMismatch { .. } => "HostKeyMismatch",
            Error::AuthenticationFailed { .. } => "AuthenticationFailed",
            Error::Unreachable { .. } => "Unreachable",
            Error::Tls { .. } => "TLSVerificationFailed",
            Error::RepositoryNotFound { .. } => "RepositoryNotFound",
            Error::RefNotFound { .. } => "RefNotFound",
            Error::CommitNotFound { .. } => "CommitNotFound",
            Error::NoMatchingTag { .. } => "NoMatchingTag",
            Error::SparsePathNotFound { .. } => "SparsePathNotFound",
            Error::Timeout { .. } => "Timeout",
            Error::PushRejected { .. } => "PushRejected",
            Error::Git { .. } => "GitOperationFailed",
            Error::Io { .. } => "IOError",
            Error::Unsigned { .. } => "Unsigned",
            Error::UnknownSigningKey { .. } => "UnknownSigningKey",
            Error::BadSignature { .. } => "BadSignature",
            Error::InvalidSignature { .. } => "InvalidSignature",
            Error::InvalidKeyring { .. } => "InvalidKeyring",
        }
    }

    /// True when retrying cannot help until the user changes the object or its secrets
    /// (Flux marks these Stalled).
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            Error::InvalidInput { .. }
                | Error::InvalidIdentity { .. }
                | Error::InvalidKnownHosts { .. }
                | Error::InvalidKeyring { .. }
        )
    }

    pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> Error {
        Error::InvalidInput {
            what,
            reason: reason.into(),
        }
    }

    pub(crate) fn io(
        action: &'static str,
        path: &std::path::Path,
        source: std::io::Error,
    ) -> Error {
        Error::Io {
            action,
            path: path.display().to_string(),
            source,
        }
    }
}

fn on_ref(reference: &Option<String>) -> String {
    match reference {
        Some(r) => format!(" on '{r}'"),
        None => String::new(),
    }
}

fn fmt_duration(d: &Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}
