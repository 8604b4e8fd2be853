//! The TLS and proxy settings tk's outbound HTTP clients share (OCI registries, S3 buckets,
//! Helm repositories, notification providers): CA certificates trusted besides the system
//! roots, a client certificate for mutual TLS, and a proxy with Basic credentials. The errors
//! name the Secret keys the material comes from and never show a proxy address, which may
//! carry credentials.
//!
//! The caller installs the rustls crypto provider before building the client.

use std::fmt;

/// An HTTP(S) proxy every request goes through, with Basic credentials when it asks for
/// them. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    /// `http://host:port` or `https://host:port`.
    pub url: String,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("url", &self.url)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// What TLS material or proxy was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error(
        "the CA certificate (`ca.crt`) holds no valid PEM certificate: put the PEM-encoded CA \
         certificates there"
    )]
    Ca,
    #[error(
        "the client certificate (`tls.crt` and `tls.key`) is not a valid PEM certificate and \
         private key"
    )]
    Identity,
    #[error(
        "the proxy address is not a valid URL (it is not shown: it may hold credentials): use \
         http://host:port or https://host:port"
    )]
    Proxy,
}

/// The client settings: each one optional.
#[derive(Clone, Copy, Debug, Default)]
pub struct Settings<'a> {
    /// PEM CA certificates trusted besides the system roots.
    pub ca_pem: Option<&'a [u8]>,
    /// PEM client certificate and its private key.
    pub identity_pem: Option<&'a [u8]>,
    /// Without one, reqwest's `HTTPS_PROXY`/`NO_PROXY` environment applies.
    pub proxy: Option<&'a Proxy>,
}

/// Applies `settings` to `builder`.
pub fn configure(
    mut builder: reqwest::ClientBuilder,
    settings: Settings<'_>,
) -> Result<reqwest::ClientBuilder, Error> {
    if let Some(pem) = settings.ca_pem {
        let certs = reqwest::Certificate::from_pem_bundle(pem)
            .ok()
            .filter(|certs| !certs.is_empty())
            .ok_or(Error::Ca)?;
        builder = builder.tls_certs_merge(certs);
    }
    if let Some(pem) = settings.identity_pem {
        let identity = reqwest::Identity::from_pem(pem).map_err(|_| Error::Identity)?;
        builder = builder.identity(identity);
    }
    if let Some(proxy) = settings.proxy {
        let mut p = reqwest::Proxy::all(proxy.url.trim()).map_err(|_| Error::Proxy)?;
        if let Some(username) = &proxy.username {
            p = p.basic_auth(username, proxy.password.as_deref().unwrap_or_default());
        }
        builder = builder.proxy(p);
    }
    Ok(builder)
}

/// An error and its causes on one line: reqwest's own message ("error sending request") does
/// not say what went wrong.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(settings: Settings<'_>) -> Result<(), Error> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        configure(reqwest::Client::builder(), settings).map(|_| ())
    }

    #[test]
    fn bad_material_is_named_and_proxy_addresses_are_never_shown() {
        assert_eq!(build(Settings::default()), Ok(()));
        let no_pem = Settings {
            ca_pem: Some(b"not a certificate"),
            ..Default::default()
        };
        assert_eq!(build(no_pem), Err(Error::Ca));
        let no_identity = Settings {
            identity_pem: Some(b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"),
            ..Default::default()
        };
        assert_eq!(build(no_identity), Err(Error::Identity));
        let proxy = Proxy {
            url: "http://user:s3cret@[bad".into(),
            username: None,
            password: Some("pw".into()),
        };
        let refused = build(Settings {
            proxy: Some(&proxy),
            ..Default::default()
        })
        .unwrap_err();
        assert!(!refused.to_string().contains("s3cret"), "{refused}");
        assert!(!format!("{proxy:?}").contains("pw"));
        let good = Proxy {
            url: "http://proxy:3128".into(),
            username: Some("u".into()),
            password: Some("p".into()),
        };
        assert_eq!(
            build(Settings {
                proxy: Some(&good),
                ..Default::default()
            }),
            Ok(())
        );
    }
}
