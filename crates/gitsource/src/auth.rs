//! Authentication material, as source-controller reads it from `spec.secretRef` and
//! `spec.proxySecretRef`.

use crate::error::{Error, Result};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// How to talk to the remote. `Debug` never prints secrets.
#[derive(Clone, Default)]
pub struct Auth {
    pub credentials: Credentials,
    /// `known_hosts` text (secret key `known_hosts`); required for ssh:// remotes, whose
    /// host key is refused when not listed.
    pub known_hosts: Option<String>,
    /// PEM certificates (secret key `ca.crt`) trusted for https:// in addition to the
    /// system roots, as Flux appends `caFile` to the system pool.
    pub ca_pem: Option<String>,
    pub proxy: Option<Proxy>,
}

#[derive(Clone, Default)]
pub enum Credentials {
    #[default]
    None,
    /// `username`/`password` (HTTP basic).
    Basic { username: String, password: String },
    /// `bearerToken`: sent as `Authorization: Bearer <token>`.
    Bearer { token: String },
    /// `identity` (+ `identity.pub`, `password` as passphrase).
    Ssh(SshIdentity),
    /// The keys of the user's ssh-agent (`SSH_AUTH_SOCK`), for the CLI; logs in as `user`
    /// when the URL names none. Controllers never use it.
    SshAgent { user: String },
}

#[derive(Clone, Default)]
pub struct SshIdentity {
    /// PEM or OpenSSH private key.
    pub private_key: String,
    /// `ssh-… AAAA… comment` line; used to check the key size of encrypted PEM keys.
    pub public_key: Option<String>,
    pub passphrase: Option<String>,
    /// User to log in as when the URL names none; `git` otherwise.
    pub user: Option<String>,
}

/// An HTTP(S) proxy for http(s):// remotes (`proxySecretRef`: `address`, `username`,
/// `password`).
#[derive(Clone, Default)]
pub struct Proxy {
    pub url: String,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let creds = match &self.credentials {
            Credentials::None => "none",
            Credentials::Basic { .. } => "basic",
            Credentials::Bearer { .. } => "bearer",
            Credentials::Ssh(_) => "ssh",
            Credentials::SshAgent { .. } => "ssh-agent",
        };
        f.debug_struct("Auth")
            .field("credentials", &creds)
            .field("known_hosts", &self.known_hosts.as_ref().map(|_| "<set>"))
            .field("ca_pem", &self.ca_pem.as_ref().map(|_| "<set>"))
            .field(
                "proxy",
                &self.proxy.as_ref().map(|p| crate::url::redact_url(&p.url)),
            )
            .finish()
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Credentials::None => "None",
            Credentials::Basic { .. } => "Basic(<redacted>)",
            Credentials::Bearer { .. } => "Bearer(<redacted>)",
            Credentials::Ssh(_) => "Ssh(<redacted>)",
            Credentials::SshAgent { user } => return write!(f, "SshAgent({user})"),
        })
    }
}

impl std::fmt::Debug for SshIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SshIdentity(<redacted>)")
    }
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Proxy({})", crate::url::redact_url(&self.url))
    }
}

impl Auth {
    /// Every secret string, so libgit2's messages can be scrubbed of them.
    pub(crate) fn secrets(&self) -> Vec<&str> {
        let mut out = Vec::new();
        match &self.credentials {
            Credentials::None | Credentials::SshAgent { .. } => {}
            Credentials::Basic { password, .. } => out.push(password.as_str()),
            Credentials::Bearer { token } => out.push(token.as_str()),
            Credentials::Ssh(id) => {
                out.extend(id.passphrase.as_deref());
            }
        }
        if let Some(p) = &self.proxy {
            out.extend(p.password.as_deref());
        }
        out
    }

    /// The proxy URL with its credentials, as libgit2 takes them.
    pub(crate) fn proxy_url(&self) -> Result<Option<String>> {
        let Some(p) = &self.proxy else {
            return Ok(None);
        };
        let mut u = ::url::Url::parse(&p.url).map_err(|e| {
            Error::invalid(
                "proxy URL",
                format!("'{}': {e}", crate::url::redact_url(&p.url)),
            )
        })?;
        if !matches!(u.scheme(), "http" | "https") {
            return Err(Error::invalid(
                "proxy URL",
                format!(
                    "'{}': scheme must be http or https",
                    crate::url::redact_url(&p.url)
                ),
            ));
        }
        if let Some(user) = &p.username {
            u.set_username(user)
                .map_err(|_| Error::invalid("proxy URL", "cannot carry a username"))?;
        }
        if let Some(pass) = &p.password {
            u.set_password(Some(pass))
                .map_err(|_| Error::invalid("proxy URL", "cannot carry a password"))?;
        }
        Ok(Some(u.to_string()))
    }
}

impl SshIdentity {
    /// Refuses keys libssh2 should not be handed: unreadable ones, DSA, and RSA under 2048
    /// bits (SECURITY.md 20). Encrypted OpenSSH keys keep their public half in clear; for
    /// encrypted PEM keys the size comes from `public_key`.
    pub(crate) fn validate(&self) -> Result<()> {
        let mut checked = false;
        if let Some(public) = self.public_key.as_deref().filter(|p| !p.trim().is_empty()) {
            let b64 = public
                .split_whitespace()
                .nth(1)
                .ok_or_else(|| identity_error("identity.pub is not an OpenSSH public key line"))?;
            let blob = STANDARD
                .decode(b64)
                .map_err(|_| identity_error("identity.pub is not valid base64"))?;
            check_public_blob(&blob)?;
            checked = true;
        }
        let pem = Pem::parse(&self.private_key)?;
        match pem.label.as_str() {
            "OPENSSH PRIVATE KEY" => check_public_blob(&openssh_public_blob(&pem.body)?),
            "RSA PRIVATE KEY" if pem.encrypted => require_public(checked, "encrypted RSA"),
            "RSA PRIVATE KEY" => check_rsa_bits(pkcs1_modulus_bits(&pem.body)?),
            "EC PRIVATE KEY" => Ok(()),
            "PRIVATE KEY" => check_pkcs8(&pem.body),
            "ENCRYPTED PRIVATE KEY" => require_public(checked, "encrypted PKCS#8"),
            "DSA PRIVATE KEY" => Err(identity_error("DSA keys are not supported")),
            other => Err(identity_error(&format!("unsupported PEM block '{other}'"))),
        }
    }

    pub(crate) fn user<'a>(&'a self, from_url: Option<&'a str>) -> &'a str {
        from_url
            .or(self.user.as_deref())
            .filter(|u| !u.is_empty())
            .unwrap_or("git")
    }
}

fn identity_error(reason: &str) -> Error {
    Error::InvalidIdentity {
        reason: reason.to_string(),
    }
}

fn require_public(checked: bool, what: &str) -> Result<()> {
    if checked {
        Ok(())
    } else {
        Err(identity_error(&format!(
            "the size of an {what} key cannot be checked without its public key: provide identity.pub"
        )))
    }
}

fn check_rsa_bits(bits: usize) -> Result<()> {
    if bits < 2048 {
        return Err(identity_error(&format!(
            "RSA key of {bits} bits is too weak: at least 2048 bits are required"
        )));
    }
    Ok(())
}

/// Accepts ed25519, ECDSA over NIST curves and RSA ≥ 2048 bits.
fn check_public_blob(blob: &[u8]) -> Result<()> {
    let mut r = Wire::new(blob);
    let algo = r
        .string()
        .ok_or_else(|| identity_error("truncated public key"))?;
    match algo {
        b"ssh-ed25519"
        | b"ecdsa-sha2-nistp256"
        | b"ecdsa-sha2-nistp384"
        | b"ecdsa-sha2-nistp521" => Ok(()),
        b"ssh-rsa" => {
            let _e = r
                .string()
                .ok_or_else(|| identity_error("truncated RSA key"))?;
            let n = r
                .string()
                .ok_or_else(|| identity_error("truncated RSA key"))?;
            check_rsa_bits(bit_len(n))
        }
        b"ssh-dss" => Err(identity_error("DSA keys are not supported")),
        other => Err(identity_error(&format!(
            "unsupported key type '{}' (want ed25519, ecdsa or rsa)",
            String::from_utf8_lossy(other)
        ))),
    }
}

fn bit_len(big_endian: &[u8]) -> usize {
    let trimmed: &[u8] = match big_endian.iter().position(|b| *b != 0) {
        Some(i) => &big_endian[i..],
        None => &[],
    };
    match trimmed.first() {
        Some(b) => trimmed.len() * 8 - b.leading_zeros() as usize,
        None => 0,
    }
}

/// The public key blob stored in clear in an `openssh-key-v1` container.
fn openssh_public_blob(body: &[u8]) -> Result<Vec<u8>> {
    let bad = || identity_error("malformed OpenSSH private key");
    let rest = body.strip_prefix(b"openssh-key-v1\0").ok_or_else(bad)?;
    let mut r = Wire::new(rest);
    let _cipher = r.string().ok_or_else(bad)?;
    let _kdf = r.string().ok_or_else(bad)?;
    let _kdf_options = r.string().ok_or_else(bad)?;
    let count = r.u32().ok_or_else(bad)?;
    if count != 1 {
        return Err(identity_error(
            "OpenSSH private key files with several keys are not supported",
        ));
    }
    Ok(r.string().ok_or_else(bad)?.to_vec())
}

/// `RSAPrivateKey ::= SEQUENCE { version INTEGER, modulus INTEGER, … }`
fn pkcs1_modulus_bits(der: &[u8]) -> Result<usize> {
    let bad = || identity_error("malformed PKCS#1 RSA key");
    let (tag, seq, _) = der_read(der).ok_or_else(bad)?;
    if tag != 0x30 {
        return Err(bad());
    }
    let (_, _version, rest) = der_read(seq).ok_or_else(bad)?;
    let (tag, modulus, _) = der_read(rest).ok_or_else(bad)?;
    if tag != 0x02 {
        return Err(bad());
    }
    Ok(bit_len(modulus))
}

/// `PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier, OCTET STRING key }`
fn check_pkcs8(der: &[u8]) -> Result<()> {
    const RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    const EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
    let bad = || identity_error("malformed PKCS#8 key");
    let (_, seq, _) = der_read(der).ok_or_else(bad)?;
    let (_, _version, rest) = der_read(seq).ok_or_else(bad)?;
    let (_, algorithm, rest) = der_read(rest).ok_or_else(bad)?;
    let (tag, oid, _) = der_read(algorithm).ok_or_else(bad)?;
    if tag != 0x06 {
        return Err(bad());
    }
    match oid {
        RSA => {
            let (_, key, _) = der_read(rest).ok_or_else(bad)?;
            check_rsa_bits(pkcs1_modulus_bits(key)?)
        }
        EC | ED25519 => Ok(()),
        _ => Err(identity_error(
            "unsupported PKCS#8 key algorithm (want ed25519, ecdsa or rsa)",
        )),
    }
}

/// One DER TLV: (tag, contents, rest).
fn der_read(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        first as usize
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | *b as usize);
        rest = &rest[n..];
        len
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// A PEM block: label, whether RFC 1421 headers say it is encrypted, decoded body.
struct Pem {
    label: String,
    encrypted: bool,
    body: Vec<u8>,
}

impl Pem {
    fn parse(text: &str) -> Result<Pem> {
        let mut lines = text
            .lines()
            .map(str::trim)
            .skip_while(|l| !l.starts_with("-----BEGIN "));
        let begin = lines
            .next()
            .ok_or_else(|| identity_error("no PEM private key found"))?;
        let label = begin
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
            .ok_or_else(|| identity_error("malformed PEM header"))?
            .to_string();
        let end = format!("-----END {label}-----");
        let mut encrypted = false;
        let mut b64 = String::new();
        let mut closed = false;
        for line in lines {
            if line == end {
                closed = true;
                break;
            }
            if let Some((key, value)) = line.split_once(':') {
                encrypted |= key == "Proc-Type" && value.contains("ENCRYPTED");
                continue;
            }
            b64.push_str(line);
        }
        if !closed {
            return Err(identity_error("PEM block is not terminated"));
        }
        let body = STANDARD
            .decode(b64)
            .map_err(|_| identity_error("PEM body is not valid base64"))?;
        Ok(Pem {
            label,
            encrypted,
            body,
        })
    }
}

/// Reader for the SSH wire encoding (RFC 4251 §5).
pub(crate) struct Wire<'a>(&'a [u8]);

impl<'a> Wire<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Wire(data)
    }

    pub fn u32(&mut self) -> Option<u32> {
        let (head, rest) = self.0.split_first_chunk::<4>()?;
        self.0 = rest;
        Some(u32::from_be_bytes(*head))
    }

    pub fn string(&mut self) -> Option<&'a [u8]> {
        let len = self.u32()? as usize;
        if self.0.len() < len {
            return None;
        }
        let (s, rest) = self.0.split_at(len);
        self.0 = rest;
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn keygen(args: &[&str]) -> (String, String) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("id");
        let status = Command::new("ssh-keygen")
            .args(["-q", "-N", "", "-f"])
            .arg(&path)
            .args(args)
            .status()
            .expect("ssh-keygen");
        assert!(status.success());
        (
            std::fs::read_to_string(&path).unwrap(),
            std::fs::read_to_string(path.with_extension("pub")).unwrap(),
        )
    }

    fn identity(private_key: String, public_key: Option<String>) -> SshIdentity {
        SshIdentity {
            private_key,
            public_key,
            ..Default::default()
        }
    }

    #[test]
    fn accepts_ed25519_ecdsa_and_strong_rsa_in_every_container() {
        for args in [
            &["-t", "ed25519"][..],
            &["-t", "ecdsa"],
            &["-t", "ecdsa", "-b", "384", "-m", "PEM"],
            &["-t", "rsa", "-b", "2048"],
            &["-t", "rsa", "-b", "3072", "-m", "PEM"],
            &["-t", "rsa", "-b", "2048", "-m", "PKCS8"],
            &["-t", "ecdsa", "-m", "PKCS8"],
        ] {
            let (private, _) = keygen(args);
            identity(private, None)
                .validate()
                .unwrap_or_else(|e| panic!("{args:?}: {e}"));
        }
    }

    #[test]
    fn refuses_rsa_keys_under_2048_bits() {
        for args in [
            &["-t", "rsa", "-b", "1024"][..],
            &["-t", "rsa", "-b", "1024", "-m", "PEM"],
            &["-t", "rsa", "-b", "1024", "-m", "PKCS8"],
        ] {
            let (private, _) = keygen(args);
            let err = identity(private, None).validate().unwrap_err();
            assert_eq!(
                err.to_string(),
                "invalid SSH identity: RSA key of 1024 bits is too weak: at least 2048 bits are required",
                "{args:?}"
            );
        }
        let (_, public) = keygen(&["-t", "rsa", "-b", "1024"]);
        let (strong, _) = keygen(&["-t", "ed25519"]);
        assert!(identity(strong, Some(public)).validate().is_err());
    }

    #[test]
    fn encrypted_keys_are_sized_from_their_public_half() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("id");
        let ok = Command::new("ssh-keygen")
            .args(["-q", "-t", "rsa", "-b", "1024", "-N", "pass phrase", "-f"])
            .arg(&path)
            .status()
            .unwrap();
        assert!(ok.success());
        let private = std::fs::read_to_string(&path).unwrap();
        let err = identity(private, None).validate().unwrap_err().to_string();
        assert!(err.contains("1024 bits"), "{err}");
        assert!(!err.contains("pass phrase"));
    }

    #[test]
    fn refuses_garbage_and_dsa() {
        for (key, want) in [
            ("not a key", "no PEM private key found"),
            (
                "-----BEGIN DSA PRIVATE KEY-----\nAAAA\n-----END DSA PRIVATE KEY-----\n",
                "DSA",
            ),
            (
                "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n",
                "not terminated",
            ),
            (
                "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
                "malformed",
            ),
        ] {
            let err = identity(key.into(), None)
                .validate()
                .unwrap_err()
                .to_string();
            assert!(err.contains(want), "{key:?}: {err}");
        }
    }

    #[test]
    fn debug_never_prints_secrets() {
        let auth = Auth {
            credentials: Credentials::Basic {
                username: "u".into(),
                password: "hunter2".into(),
            },
            proxy: Some(Proxy {
                url: "http://user:proxypass@proxy:3128".into(),
                password: Some("proxypass".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let dbg = format!("{auth:?} {:?}", auth.credentials);
        assert!(
            !dbg.contains("hunter2") && !dbg.contains("proxypass"),
            "{dbg}"
        );
        assert_eq!(auth.secrets(), vec!["hunter2", "proxypass"]);
    }

    #[test]
    fn proxy_url_carries_credentials() {
        let auth = Auth {
            proxy: Some(Proxy {
                url: "http://proxy.local:3128".into(),
                username: Some("me".into()),
                password: Some("p@ss".into()),
            }),
            ..Default::default()
        };
        assert_eq!(
            auth.proxy_url().unwrap().unwrap(),
            "http://me:p%40ss@proxy.local:3128/"
        );
        let bad = Auth {
            proxy: Some(Proxy {
                url: "socks5://proxy:1080".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert!(bad.proxy_url().is_err());
    }
}
