//! `oci://host[:port]/name` repository addresses, repository names and tags as the
//! distribution spec defines them, and Helm's `+` <-> `_` convention for tags.

use std::fmt;

use crate::{Error, Result};

/// A repository in a registry: `oci://<registry>/<name>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repository {
    /// `host` or `host:port`, as written (IPv6 addresses in brackets).
    pub registry: String,
    /// The repository name, e.g. `stefanprodan/charts/podinfo`; may be empty for a bare
    /// registry address (`oci://ghcr.io`), which only [`Repository::join`] makes usable.
    pub name: String,
}

impl Repository {
    /// Parses `oci://host[:port][/name]`; a trailing slash is ignored. User info, queries,
    /// fragments, tags and digests are refused: credentials come from Secrets, and a
    /// repository address names no version.
    pub fn parse(input: &str) -> Result<Repository> {
        let invalid = |reason: &str| Error::InvalidReference {
            input: redact(input),
            reason: reason.to_string(),
        };
        let rest = input
            .strip_prefix("oci://")
            .ok_or_else(|| invalid("the address must start with oci://"))?;
        let rest = rest.trim_end_matches('/');
        let (authority, path) = match rest.split_once('/') {
            Some((a, p)) => (a, p),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(invalid(
                "credentials in the address are not allowed: put them in a Secret",
            ));
        }
        if rest.contains(['?', '#']) {
            return Err(invalid("a query or fragment is not allowed"));
        }
        if authority.is_empty() {
            return Err(invalid("no registry host"));
        }
        let parsed = url::Url::parse(&format!("http://{authority}/"))
            .map_err(|e| invalid(&format!("bad registry host: {e}")))?;
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(invalid("no registry host"));
        }
        if !path.is_empty() {
            validate_repository_name(path).map_err(|reason| invalid(&reason))?;
        }
        Ok(Repository {
            registry: authority.to_string(),
            name: path.to_string(),
        })
    }

    /// The repository `<self>/<sub>`, e.g. a chart's repository below a HelmRepository URL.
    pub fn join(&self, sub: &str) -> Result<Repository> {
        let sub = sub.trim_matches('/');
        let name = if self.name.is_empty() {
            sub.to_string()
        } else {
            format!("{}/{sub}", self.name)
        };
        validate_repository_name(&name).map_err(|reason| Error::InvalidReference {
            input: format!("oci://{}/{name}", self.registry),
            reason,
        })?;
        Ok(Repository {
            registry: self.registry.clone(),
            name,
        })
    }
}

impl fmt::Display for Repository {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.is_empty() {
            write!(f, "oci://{}", self.registry)
        } else {
            write!(f, "oci://{}/{}", self.registry, self.name)
        }
    }
}

/// An address with its user info cut, for messages.
fn redact(input: &str) -> String {
    match input.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
            let host = authority.rsplit('@').next().unwrap_or(authority);
            let mut out = format!("{scheme}://{host}");
            if !path.is_empty() || rest.contains('/') {
                out.push('/');
                out.push_str(path);
            }
            out
        }
        None => input.to_string(),
    }
}

/// Checks a repository name against the distribution spec's grammar: path components of
/// lowercase letters and digits, separated inside by `.`, `_`, `__` or runs of `-`, joined
/// by `/`.
pub fn validate_repository_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the repository name is empty".into());
    }
    if name.len() > 255 {
        return Err("the repository name is longer than 255 characters".into());
    }
    for component in name.split('/') {
        if !valid_component(component) {
            return Err(format!(
                "repository name component '{component}' must be lowercase letters and digits, \
                 separated by '.', '_', '__' or '-'"
            ));
        }
    }
    Ok(())
}

fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    if b.is_empty() || !is_alnum(b[0]) || !is_alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if is_alnum(b[i]) {
            i += 1;
            continue;
        }
        // A separator: `.`, `_`, `__` or one or more `-`, always between alphanumerics.
        let start = i;
        match b[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if b.get(i) == Some(&b'_') {
                    i += 1;
                }
            }
            b'-' => {
                while b.get(i) == Some(&b'-') {
                    i += 1;
                }
            }
            _ => return false,
        }
        if i == start || !b.get(i).is_some_and(|&x| is_alnum(x)) {
            return false;
        }
    }
    true
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// Checks `digest` is a `sha256:<64 lowercase hex>` digest, the only kind tk pulls by.
pub fn check_digest(digest: &str) -> Result<()> {
    let hex = digest
        .strip_prefix("sha256:")
        .ok_or_else(|| Error::InvalidReference {
            input: digest.to_string(),
            reason: "only sha256 digests are supported".into(),
        })?;
    if hex.len() != 64
        || !hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(Error::InvalidReference {
            input: digest.to_string(),
            reason: "a sha256 digest is 64 lowercase hex digits".into(),
        });
    }
    Ok(())
}

/// Whether `tag` is a valid tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
pub(crate) fn valid_tag(tag: &str) -> bool {
    let b = tag.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b[1..]
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// The tag Helm pushes a chart version under: SemVer's `+` is not allowed in tags, so Helm
/// writes `_` instead (helm/helm#10166).
pub fn version_to_tag(version: &str) -> String {
    version.replace('+', "_")
}

/// The chart version a tag stands for: `_` read back as `+`.
pub fn tag_to_version(tag: &str) -> String {
    tag.replace('_', "+")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_repository_addresses() {
        let r = Repository::parse("oci://ghcr.io/stefanprodan/charts/").unwrap();
        assert_eq!(r.registry, "ghcr.io");
        assert_eq!(r.name, "stefanprodan/charts");
        assert_eq!(r.to_string(), "oci://ghcr.io/stefanprodan/charts");
        let r = Repository::parse("oci://127.0.0.1:5000").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.name.as_str()),
            ("127.0.0.1:5000", "")
        );
        let chart = r.join("podinfo").unwrap();
        assert_eq!(chart.to_string(), "oci://127.0.0.1:5000/podinfo");
        let r = Repository::parse("oci://[::1]:5000/charts").unwrap();
        assert_eq!(r.registry, "[::1]:5000");
    }

    #[test]
    fn refuses_bad_addresses_without_leaking_credentials() {
        let e = Repository::parse("oci://user:hunter2@ghcr.io/charts").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(e.to_string().contains("Secret"), "{e}");
        assert!(Repository::parse("https://ghcr.io/charts").is_err());
        assert!(Repository::parse("oci://").is_err());
        assert!(Repository::parse("oci://ghcr.io/Charts").is_err());
        assert!(Repository::parse("oci://ghcr.io/charts?x=1").is_err());
        assert!(Repository::parse("oci://ghcr.io/charts/app:1.0.0").is_err());
    }

    #[test]
    fn repository_names_follow_the_distribution_grammar() {
        for ok in ["a", "charts/app", "a.b_c__d---e/f0", "library/ubuntu"] {
            assert!(validate_repository_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "A", "a//b", "-a", "a-", "a___b", "a..b", "a/", "a/.b", "a b",
        ] {
            assert!(validate_repository_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn digests_are_sha256_in_lowercase_hex() {
        let ok = format!("sha256:{}", "0a".repeat(32));
        assert!(check_digest(&ok).is_ok());
        for bad in [
            "invalid".to_string(),
            format!("sha512:{}", "0a".repeat(64)),
            format!("sha256:{}", "0A".repeat(32)),
            format!("sha256:{}", "0a".repeat(31)),
        ] {
            let e = check_digest(&bad).unwrap_err().to_string();
            assert!(e.contains(&bad), "{e}");
        }
    }

    #[test]
    fn plus_in_versions_is_underscore_in_tags() {
        assert_eq!(version_to_tag("1.2.3+build.4"), "1.2.3_build.4");
        assert_eq!(tag_to_version("1.2.3_build.4"), "1.2.3+build.4");
        assert_eq!(version_to_tag("1.2.3-rc.1"), "1.2.3-rc.1");
        assert!(valid_tag(&version_to_tag("1.2.3+abc")));
        assert!(!valid_tag("1.2.3+abc"));
        assert!(!valid_tag(".hidden"));
        assert!(!valid_tag(&"a".repeat(129)));
    }
}
