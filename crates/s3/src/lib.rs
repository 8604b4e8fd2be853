//! A client for S3-compatible object storage (AWS S3, MinIO, Ceph RGW, Versity Gateway, ...)
//! with AWS Signature Version 4: what a Flux `Bucket` source (`provider: generic` or `aws`)
//! needs: whether the bucket exists, every object under a prefix (ListObjectsV2 with
//! continuation tokens), and objects streamed to files with a size cap.
//!
//! Requests are path-style (`/bucket/key`) except on AWS endpoints, which get
//! virtual-hosted style (`bucket.s3.amazonaws.com`) when the bucket name allows it, as
//! minio-go (Flux's client) does. Without a configured region the bucket's region is asked
//! for once (`GET /bucket?location`) and remembered.
//!
//! Every response body is read with a cap, redirects are not followed (a redirect to another
//! host must not get signed requests), and errors never show credentials or signatures.
//!
//! The caller installs the rustls crypto provider before building a [`Client`].
//!
//! ```no_run
//! # async fn demo() -> s3::Result<()> {
//! use std::time::Duration;
//! let client = s3::Client::new(s3::ClientOptions {
//!     endpoint: "s3.eu-west-1.amazonaws.com".into(),
//!     credentials: Some(s3::Credentials {
//!         access_key: "AKIA...".into(),
//!         secret_key: "...".into(),
//!         session_token: None,
//!     }),
//!     ..s3::ClientOptions::default()
//! })?;
//! let mut objects = Vec::new();
//! client
//!     .list_objects("my-bucket", Some("manifests/"), |o| {
//!         objects.push(o);
//!         Ok(())
//!     })
//!     .await?;
//! for o in &objects {
//!     let path = std::path::Path::new("/tmp/out").join(&o.key);
//!     client.get_object("my-bucket", &o.key, &path, 100 << 20).await?;
//! }
//! # Ok(()) }
//! ```

mod client;
mod endpoint;
mod error;
mod list;
mod sign;

use std::fmt;
use std::time::Duration;

pub use client::Client;
pub use error::{Error, Result, Status};

/// The most objects one listing collects.
pub const MAX_OBJECTS: usize = 1_000_000;
/// The largest page of a listing read.
pub const MAX_LIST_PAGE_SIZE: u64 = 16 << 20;
/// The largest error or `?location` body read.
const MAX_SMALL_BODY: u64 = 64 << 10;

/// Static credentials; a session token comes with temporary (STS) credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key: String,
    pub secret_key: String,
    pub session_token: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

pub use transport::Proxy;

/// How to reach the endpoint. `Default` is HTTPS, anonymous, region discovered, 60 s per
/// request, with an empty endpoint that must be filled in.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// `host` or `host:port` (a Bucket's `spec.endpoint`), without scheme or path.
    pub endpoint: String,
    /// Plain HTTP instead of HTTPS.
    pub insecure: bool,
    /// The signing region; `None` asks the bucket for its location.
    pub region: Option<String>,
    /// `None`: anonymous, unsigned requests.
    pub credentials: Option<Credentials>,
    /// PEM CA certificates trusted besides the system roots.
    pub ca_pem: Option<Vec<u8>>,
    /// PEM client certificate followed by its key, for mutual TLS.
    pub identity_pem: Option<Vec<u8>>,
    /// `None`: the `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` environment, as reqwest reads it.
    pub proxy: Option<Proxy>,
    /// Per request, including reading its body.
    pub timeout: Duration,
    pub user_agent: String,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            endpoint: String::new(),
            insecure: false,
            region: None,
            credentials: None,
            ca_pem: None,
            identity_pem: None,
            proxy: None,
            timeout: Duration::from_secs(60),
            user_agent: concat!("tk-s3/", env!("CARGO_PKG_VERSION")).into(),
        }
    }
}

/// One entry of a listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    /// As stored (URL-decoded when the server encoded it); the caller validates it.
    pub key: String,
    /// Without the surrounding quotes.
    pub etag: String,
    pub size: u64,
}

/// What [`Client::get_object`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    /// From the response's `ETag` header, without quotes.
    pub etag: String,
    pub size: u64,
}

/// ETags are quoted strings on the wire (`"abc"`, sometimes `&quot;abc&quot;` escaped twice).
pub(crate) fn unquote_etag(etag: &str) -> String {
    let etag = etag.trim();
    let etag = etag
        .strip_prefix("&quot;")
        .and_then(|e| e.strip_suffix("&quot;"))
        .unwrap_or(etag);
    etag.trim_matches('"').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let creds = Credentials {
            access_key: "AKIDEXAMPLE".into(),
            secret_key: "very-secret".into(),
            session_token: Some("session-secret".into()),
        };
        let proxy = Proxy {
            url: "http://proxy:3128".into(),
            username: Some("me".into()),
            password: Some("proxy-secret".into()),
        };
        let options = ClientOptions {
            credentials: Some(creds),
            proxy: Some(proxy),
            ..ClientOptions::default()
        };
        let shown = format!("{options:?}");
        assert!(shown.contains("AKIDEXAMPLE"), "{shown}");
        for secret in ["very-secret", "session-secret", "proxy-secret"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn etags_lose_their_quotes() {
        assert_eq!(unquote_etag("\"abc\""), "abc");
        assert_eq!(unquote_etag("&quot;abc-2&quot;"), "abc-2");
        assert_eq!(unquote_etag("abc"), "abc");
    }
}
