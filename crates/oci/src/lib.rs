//! A client for registries that speak the [OCI Distribution API] (Distribution, GHCR, Docker
//! Hub, Harbor, ECR, ...): tag lists with `Link` pagination, manifests and blobs, pushes of
//! blobs and manifests, with the registry token flow (`WWW-Authenticate: Bearer realm=...`
//! answered with a token from the realm) and plain Basic authentication, optionally through
//! a proxy; and the conventions on top of it: Helm's ([`helm`]: chart versions from tags,
//! `_` in a tag standing for SemVer's `+`, the chart's media types) and Flux's ([`flux`]:
//! the artifacts `flux push artifact` makes).
//!
//! Every response body is read with a byte cap, blobs are checked against their descriptor's
//! size and digest while they stream in, and credentials never appear in errors.
//!
//! The caller installs the rustls crypto provider (tk does at start-up) before building a
//! [`Client`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), oci::Error> {
//! use oci::{Client, ClientOptions, Credentials, Repository};
//! let repo = Repository::parse("oci://ghcr.io/stefanprodan/charts/podinfo")?;
//! let client = Client::new(
//!     &repo.registry,
//!     ClientOptions {
//!         credentials: Some(Credentials::basic("user", "token")),
//!         ..ClientOptions::default()
//!     },
//! )?;
//! let tags = client.tags(&repo.name).await?;
//! let version = oci::helm::select_version(&oci::helm::chart_versions(&tags), "6.x")
//!     .map_err(|e| oci::Error::Other(e.to_string()))?;
//! let chart = oci::helm::pull_chart(&client, &repo.name, &version, 10 << 20).await?;
//! # let _ = chart; Ok(()) }
//! ```
//!
//! [OCI Distribution API]: https://github.com/opencontainers/distribution-spec/blob/main/spec.md

mod auth;
mod client;
pub mod flux;
pub mod helm;
mod manifest;
mod push;
mod reference;

pub use auth::{Challenge, Credentials, DockerConfigError, docker_config_credentials};
pub use client::{Client, ClientOptions, Proxy};
pub use manifest::{Descriptor, Manifest, media_type};
pub use push::{Blob, Image};
pub use reference::{
    Repository, check_digest, tag_to_version, validate_repository_name, version_to_tag,
};

/// The largest manifest read: the limit the distribution spec recommends registries enforce.
pub const MAX_MANIFEST_SIZE: u64 = 4 << 20;
/// The largest page of a tag list read.
pub const MAX_TAG_PAGE_SIZE: u64 = 4 << 20;
/// The most tags collected over all pages of one list.
pub const MAX_TAGS: usize = 100_000;
/// The largest token response read.
pub const MAX_TOKEN_RESPONSE_SIZE: u64 = 1 << 20;

/// Everything that can go wrong talking to a registry; messages name the request (without
/// credentials or query) and what the registry said.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid OCI reference '{input}': {reason}")]
    InvalidReference { input: String, reason: String },
    /// The client could not be built (CA or client certificate unusable).
    #[error("{0}")]
    Config(String),
    /// The request did not complete: connection refused, TLS failure, timeout.
    #[error("{method} {url}: {detail}")]
    Transport {
        method: &'static str,
        url: String,
        detail: String,
    },
    /// The registry answered with an unexpected status.
    #[error("{method} {url}: {status}{detail}")]
    Status {
        method: &'static str,
        url: String,
        status: String,
        /// `: CODE: message` from the registry's error body, or empty.
        detail: String,
    },
    /// The registry (or its token service) refused the credentials, or asked for credentials
    /// that were not given.
    #[error("{method} {url}: authentication failed: {detail}")]
    Unauthorized {
        method: &'static str,
        url: String,
        detail: String,
    },
    #[error("{what} exceeds the maximum size of {cap} bytes")]
    TooLarge { what: String, cap: u64 },
    #[error("{what}: expected {expected} bytes, received {actual}")]
    SizeMismatch {
        what: String,
        expected: u64,
        actual: u64,
    },
    #[error("{what}: digest mismatch: expected {expected}, computed {actual}")]
    DigestMismatch {
        what: String,
        expected: String,
        actual: String,
    },
    #[error("invalid manifest: {0}")]
    Manifest(String),
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// Whether the registry refused access (wrong or missing credentials).
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Error::Unauthorized { .. })
    }

    /// Whether the registry said the tag, manifest, blob or repository does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Status { status, .. } if status.starts_with("404"))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
