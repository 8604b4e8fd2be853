//! OpenSSH `known_hosts` files: plain and `[host]:port` patterns with `*`/`?` wildcards and
//! `!` negation, hashed `|1|salt|hash` entries, `@revoked` markers, any key type.

use crate::error::{Error, Result};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Digest as _;

/// Parsed `known_hosts` text.
#[derive(Clone, Debug, Default)]
pub struct KnownHosts {
    entries: Vec<Entry>,
}

#[derive(Clone, Debug)]
struct Entry {
    marker: Marker,
    hosts: Hosts,
    key_type: String,
    key: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Marker {
    None,
    Revoked,
    CertAuthority,
}

#[derive(Clone, Debug)]
enum Hosts {
    Hashed { salt: Vec<u8>, hash: Vec<u8> },
    Patterns(Vec<(bool, String)>),
}

/// Why a host key was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    Unknown,
    Mismatch,
}

impl KnownHosts {
    /// Parses the text of a `known_hosts` file. Blank lines and `#` comments are skipped;
    /// any other malformed line is an error naming its line number.
    pub fn parse(text: &str) -> Result<KnownHosts> {
        let mut entries = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |reason: &str| Error::InvalidKnownHosts {
                reason: format!("line {}: {reason}", n + 1),
            };
            let mut fields = line.split_whitespace();
            let mut first = fields.next().unwrap_or_default();
            let marker = match first {
                "@revoked" => Marker::Revoked,
                "@cert-authority" => Marker::CertAuthority,
                m if m.starts_with('@') => return Err(bad(&format!("unknown marker {m}"))),
                _ => Marker::None,
            };
            if marker != Marker::None {
                first = fields.next().ok_or_else(|| bad("missing host pattern"))?;
            }
            let key_type = fields.next().ok_or_else(|| bad("missing key type"))?;
            let key_b64 = fields.next().ok_or_else(|| bad("missing key"))?;
            let key = STANDARD
                .decode(key_b64)
                .map_err(|_| bad("the key is not valid base64"))?;
            if blob_key_type(&key).as_deref() != Some(key_type) {
                return Err(bad(&format!("the key does not match its type {key_type}")));
            }
            let hosts = if let Some(rest) = first.strip_prefix("|1|") {
                let (salt, hash) = rest
                    .split_once('|')
                    .ok_or_else(|| bad("malformed hashed host"))?;
                Hosts::Hashed {
                    salt: STANDARD
                        .decode(salt)
                        .map_err(|_| bad("malformed hashed host salt"))?,
                    hash: STANDARD
                        .decode(hash)
                        .map_err(|_| bad("malformed hashed host hash"))?,
                }
            } else {
                Hosts::Patterns(
                    first
                        .split(',')
                        .filter(|p| !p.is_empty())
                        .map(|p| match p.strip_prefix('!') {
                            Some(neg) => (true, neg.to_ascii_lowercase()),
                            None => (false, p.to_ascii_lowercase()),
                        })
                        .collect(),
                )
            };
            entries.push(Entry {
                marker,
                hosts,
                key_type: key_type.to_string(),
                key,
            });
        }
        Ok(KnownHosts { entries })
    }

    /// Number of usable (non-CA) entries.
    pub fn len(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| e.marker != Marker::CertAuthority)
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks the raw SSH public key blob a server offered for `host` (`port` 22 or `None`
    /// means the default port, looked up as plain `host`; any other as `[host]:port`, as
    /// OpenSSH does).
    pub(crate) fn check(
        &self,
        host: &str,
        port: Option<u16>,
        offered: &[u8],
    ) -> std::result::Result<(), Refusal> {
        let name = match port {
            None | Some(22) => host.to_ascii_lowercase(),
            Some(p) => format!("[{}]:{p}", host.to_ascii_lowercase()),
        };
        let offered_type = blob_key_type(offered).unwrap_or_default();
        let matching: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| e.marker != Marker::CertAuthority && e.hosts.matches(&name))
            .collect();
        if matching
            .iter()
            .any(|e| e.marker == Marker::Revoked && e.key == offered)
        {
            return Err(Refusal::Mismatch);
        }
        if matching
            .iter()
            .any(|e| e.marker == Marker::None && e.key == offered)
        {
            return Ok(());
        }
        if matching
            .iter()
            .any(|e| e.marker == Marker::None && e.key_type == offered_type)
        {
            return Err(Refusal::Mismatch);
        }
        Err(Refusal::Unknown)
    }
}

impl Hosts {
    fn matches(&self, name: &str) -> bool {
        match self {
            Hosts::Hashed { salt, hash } => {
                let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(salt) else {
                    return false;
                };
                mac.update(name.as_bytes());
                mac.verify_slice(hash).is_ok()
            }
            Hosts::Patterns(patterns) => {
                let mut matched = false;
                for (negated, pattern) in patterns {
                    if glob(pattern.as_bytes(), name.as_bytes()) {
                        if *negated {
                            return false;
                        }
                        matched = true;
                    }
                }
                matched
            }
        }
    }
}

/// OpenSSH's `match_pattern`: `*` any run, `?` any one character.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.first(), text.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            glob(&pattern[1..], text) || (!text.is_empty() && glob(pattern, &text[1..]))
        }
        (Some(b'?'), Some(_)) => glob(&pattern[1..], &text[1..]),
        (Some(p), Some(t)) if p == t => glob(&pattern[1..], &text[1..]),
        _ => false,
    }
}

/// The algorithm name at the start of an SSH public key blob.
pub(crate) fn blob_key_type(blob: &[u8]) -> Option<String> {
    let mut r = crate::auth::Wire::new(blob);
    let name = r.string()?;
    String::from_utf8(name.to_vec()).ok()
}

/// `SHA256:<base64>` of a public key blob, as `ssh-keygen -lf` prints it.
pub fn fingerprint_sha256(blob: &[u8]) -> String {
    format!(
        "SHA256:{}",
        STANDARD_NO_PAD.encode(sha2::Sha256::digest(blob))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Real keys (ssh-keygen -t ed25519 / -t ecdsa), used only as public blobs.
    const ED: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIMP+IhNXfNif/jXrpzL1Ze48Pbu6Gl/UnQCzhnLaa7kX";
    const ED2: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIHQWUOl9xnW+1bdVrgd+Q98CQpZnL/1oWfXJhL5+crrI";
    const ECDSA: &str = "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBH3unC2Zr7ViTXx8qaB1nubE4jZBlsdBdCOAPtbntsR8EJKvs1LVcn56sWWZchdPpo4QMI+OV032jRZnlV2T2Vo=";

    fn blob(b64: &str) -> Vec<u8> {
        STANDARD.decode(b64).unwrap()
    }

    /// `ssh-keygen -H` for the given host name and salt.
    fn hashed(name: &str, salt: &[u8]) -> String {
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(salt).unwrap();
        mac.update(name.as_bytes());
        format!(
            "|1|{}|{}",
            STANDARD.encode(salt),
            STANDARD.encode(mac.finalize().into_bytes())
        )
    }

    #[test]
    fn accepts_the_listed_key_for_plain_and_bracketed_hosts() {
        let kh = KnownHosts::parse(&format!(
            "# comment\n\ngithub.com,140.82.121.4 ssh-ed25519 {ED}\n[localhost]:2222 ecdsa-sha2-nistp256 {ECDSA} me@host\n"
        ))
        .unwrap();
        assert_eq!(kh.len(), 2);
        assert_eq!(kh.check("github.com", None, &blob(ED)), Ok(()));
        assert_eq!(kh.check("GitHub.com", Some(22), &blob(ED)), Ok(()));
        assert_eq!(kh.check("140.82.121.4", None, &blob(ED)), Ok(()));
        assert_eq!(kh.check("localhost", Some(2222), &blob(ECDSA)), Ok(()));
        // The bracketed entry is only for that port.
        assert_eq!(
            kh.check("localhost", None, &blob(ECDSA)),
            Err(Refusal::Unknown)
        );
        assert_eq!(
            kh.check("localhost", Some(2223), &blob(ECDSA)),
            Err(Refusal::Unknown)
        );
    }

    #[test]
    fn refuses_a_changed_key_of_a_known_type_and_unknown_types() {
        let kh = KnownHosts::parse(&format!("example.com ssh-ed25519 {ED}\n")).unwrap();
        assert_eq!(
            kh.check("example.com", None, &blob(ED2)),
            Err(Refusal::Mismatch)
        );
        assert_eq!(
            kh.check("example.com", None, &blob(ECDSA)),
            Err(Refusal::Unknown)
        );
        assert_eq!(
            kh.check("other.com", None, &blob(ED)),
            Err(Refusal::Unknown)
        );
    }

    #[test]
    fn matches_hashed_entries() {
        let kh = KnownHosts::parse(&format!(
            "{} ssh-ed25519 {ED}\n{} ecdsa-sha2-nistp256 {ECDSA}\n",
            hashed("example.com", b"0123456789abcdefghij"),
            hashed("[127.0.0.1]:2222", b"saltsaltsaltsaltsalt"),
        ))
        .unwrap();
        assert_eq!(kh.check("example.com", None, &blob(ED)), Ok(()));
        assert_eq!(
            kh.check("example.org", None, &blob(ED)),
            Err(Refusal::Unknown)
        );
        assert_eq!(kh.check("127.0.0.1", Some(2222), &blob(ECDSA)), Ok(()));
        assert_eq!(
            kh.check("example.com", None, &blob(ED2)),
            Err(Refusal::Mismatch)
        );
    }

    #[test]
    fn wildcards_negation_and_revocation() {
        let kh = KnownHosts::parse(&format!(
            "*.example.com,!evil.example.com ssh-ed25519 {ED}\n@revoked * ssh-ed25519 {ED2}\n@cert-authority *.corp ssh-ed25519 {ED}\n"
        ))
        .unwrap();
        assert_eq!(kh.len(), 2);
        assert_eq!(kh.check("git.example.com", None, &blob(ED)), Ok(()));
        assert_eq!(
            kh.check("evil.example.com", None, &blob(ED)),
            Err(Refusal::Unknown)
        );
        assert_eq!(
            kh.check("git.example.com", None, &blob(ED2)),
            Err(Refusal::Mismatch)
        );
        assert_eq!(
            kh.check("anything", None, &blob(ED2)),
            Err(Refusal::Mismatch)
        );
        // CA lines are not host keys.
        assert_eq!(kh.check("a.corp", None, &blob(ED)), Err(Refusal::Unknown));
        assert!(glob(b"h?st*", b"host.x"));
        assert!(!glob(b"h?st", b"hst"));
    }

    #[test]
    fn rejects_malformed_lines_with_their_number() {
        for (text, want) in [
            ("example.com\n", "line 1: missing key type"),
            ("a ssh-ed25519\n", "missing key"),
            (
                "# x\na ssh-ed25519 !!!\n",
                "line 2: the key is not valid base64",
            ),
            (
                &format!("a ssh-rsa {ED}\n") as &str,
                "does not match its type ssh-rsa",
            ),
            (&format!("@bogus a ssh-ed25519 {ED}\n"), "unknown marker"),
            (
                &format!("|1|nope ssh-ed25519 {ED}\n"),
                "malformed hashed host",
            ),
        ] {
            let err = KnownHosts::parse(text).unwrap_err().to_string();
            assert!(err.contains(want), "{text:?}: {err}");
        }
    }

    #[test]
    fn fingerprints_like_ssh_keygen() {
        // ssh-keygen -lf prints this for the ED key above.
        assert_eq!(
            fingerprint_sha256(&blob(ED)),
            "SHA256:0BQDkkXDQeuDzycezgrhBFTwp8ORTp8R77X62Wtx12o"
        );
    }
}
