//! How the cluster reaches its repository once bootstrapped, and the Secret that lets it:
//! an SSH key (`--private-key-file`, or a new key pair), or a token over HTTPS.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Result, anyhow};
use url::Url;

use crate::cli::args::BootstrapCommonArgs;
use crate::cli::create::{key_spec, ssh};

/// Bounds a host-key scan, which happens before anything changes.
pub const SCAN_TIMEOUT: Duration = Duration::from_secs(30);

/// `--ca-file`: trusted by tk for HTTPS and stored in the Secret as `ca.crt`.
pub fn read_ca(common: &BootstrapCommonArgs) -> Result<Option<String>> {
    common
        .ca_file
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(|path| {
            std::fs::read_to_string(path)
                .map_err(|err| anyhow!("flag --ca-file: reading {path}: {err}"))
        })
        .transpose()
}

/// Token credentials the Secret holds.
pub enum TokenCredentials {
    /// `username` and `password`.
    Basic(String, String),
    /// `bearerToken`.
    Bearer(String),
}

pub enum ClusterAuth {
    /// An SSH key: the one of --private-key-file, or a new one (`key: None`).
    Ssh {
        sync_url: Url,
        key: Option<String>,
        passphrase: Option<String>,
        host: String,
        port: u16,
    },
    /// A token over HTTP(S).
    Token {
        sync_url: Url,
        data: BTreeMap<String, String>,
    },
}

/// The Secret to apply; `generated` holds the public key of a key pair made for it, which
/// must be given access to the repository.
pub struct SecretPlan {
    pub data: BTreeMap<String, String>,
    pub generated: Option<String>,
}

impl ClusterAuth {
    /// Over SSH at `sync_url`, moved to `--ssh-hostname` when given.
    pub fn ssh(
        mut sync_url: Url,
        common: &BootstrapCommonArgs,
        passphrase: Option<&str>,
    ) -> Result<ClusterAuth> {
        if let Some(hostname) = common.ssh_hostname.as_deref().filter(|h| !h.is_empty()) {
            let (host, port) = hostname
                .rsplit_once(':')
                .and_then(|(h, p)| Some((h, Some(p.parse::<u16>().ok()?))))
                .unwrap_or((hostname, None));
            sync_url
                .set_host(Some(host))
                .map_err(|err| anyhow!("flag --ssh-hostname: {hostname:?}: {err}"))?;
            let _ = sync_url.set_port(port);
        }
        let host = sync_url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| anyhow!("the SSH URL {sync_url} has no host: pass --ssh-hostname"))?
            .to_string();
        let port = sync_url.port().unwrap_or(22);
        Ok(ClusterAuth::Ssh {
            sync_url,
            key: common
                .private_key_file
                .as_deref()
                .filter(|p| !p.is_empty())
                .map(str::to_string),
            passphrase: passphrase.map(str::to_string),
            host,
            port,
        })
    }

    /// With a token at `sync_url`; `ca_pem` is stored as `ca.crt`.
    pub fn token(sync_url: Url, credentials: TokenCredentials, ca_pem: Option<String>) -> Self {
        let mut data = BTreeMap::new();
        match credentials {
            TokenCredentials::Basic(username, password) => {
                data.insert("username".into(), username);
                data.insert("password".into(), password);
            }
            TokenCredentials::Bearer(token) => {
                data.insert("bearerToken".into(), token);
            }
        }
        if let Some(ca) = ca_pem {
            data.insert("ca.crt".into(), ca);
        }
        ClusterAuth::Token { sync_url, data }
    }

    pub fn sync_url(&self) -> String {
        match self {
            ClusterAuth::Ssh { sync_url, .. } | ClusterAuth::Token { sync_url, .. } => {
                sync_url.to_string()
            }
        }
    }

    /// The Secret to apply, or `None` when the existing one stays as it is: a generated key
    /// is not replaced by another on every run. Key files are read and the host key
    /// scanned here, before anything changes.
    pub fn secret(&self, common: &BootstrapCommonArgs, exists: bool) -> Result<Option<SecretPlan>> {
        match self {
            ClusterAuth::Token { data, .. } => Ok(Some(SecretPlan {
                data: data.clone(),
                generated: None,
            })),
            ClusterAuth::Ssh { key: None, .. } if exists => Ok(None),
            ClusterAuth::Ssh {
                key,
                passphrase,
                host,
                port,
                ..
            } => {
                let pair = match key {
                    Some(path) => ssh::load(path, passphrase.as_deref())?,
                    None => ssh::generate(key_spec(&common.ssh_key)?)?,
                };
                let mut data = BTreeMap::new();
                data.insert(
                    "known_hosts".into(),
                    ssh::scan_host_key(host, *port, SCAN_TIMEOUT)?,
                );
                data.insert("identity".into(), pair.private_key);
                data.insert("identity.pub".into(), pair.public_key.clone());
                if let Some(passphrase) = passphrase {
                    data.insert("password".into(), passphrase.clone());
                }
                Ok(Some(SecretPlan {
                    data,
                    generated: key.is_none().then_some(pair.public_key),
                }))
            }
        }
    }
}
