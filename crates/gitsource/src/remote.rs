//! ls-remote: resolving a [`Reference`] over the refs a server advertises, without a clone.

use crate::auth::Auth;
use crate::error::{Error, Result};
use crate::reference::{PEELED_SUFFIX, Reference, Strategy};
use crate::transport::{Session, connect_and_list};
use crate::url::RemoteUrl;
use std::time::Duration;

/// Options of a network operation without a working tree.
#[derive(Clone, Debug)]
pub struct Options {
    /// Deadline for the whole operation (`spec.timeout`, 60s by default).
    pub timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: crate::DEFAULT_TIMEOUT,
        }
    }
}

/// The commit a reference currently points to on the remote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteHead {
    /// Hex SHA of the commit (annotated tags are peeled).
    pub commit: String,
    /// The full reference it was found under (`refs/heads/main`, `refs/tags/v1.2.0`), or
    /// `None` for a bare pinned commit.
    pub reference: Option<String>,
    /// The artifact revision Flux would record, e.g. `main@sha1:<hex>`.
    pub revision: String,
}

/// Asks the remote which commit `reference` resolves to, the way source-controller's no-op
/// check does: one connection, no clone, nothing written to disk. A pinned commit is
/// answered without contacting the commit itself (only its branch must exist).
///
/// For a semver range, tags of equal precedence (`v1.0.0` and `1.0.0`) are told apart by
/// Flux with their commit dates, which ls-remote cannot see; here the first advertised
/// wins, so such a tie can make the no-op check miss and cost one clone, never a wrong
/// artifact.
pub fn ls_remote(
    url: &str,
    reference: &Reference,
    auth: &Auth,
    options: &Options,
) -> Result<RemoteHead> {
    let url = RemoteUrl::parse(url)?;
    let strategy = reference.strategy()?;
    let session = Session::new(&url, auth, options.timeout)?;
    let mut remote =
        git2::Remote::create_detached(url.raw.as_str()).map_err(|e| session.error(e))?;
    let advertised = connect_and_list(&mut remote, &session)?;
    let refs: Vec<(String, String)> = advertised
        .into_iter()
        .map(|(n, o)| (n, o.to_string()))
        .collect();
    resolve(&url.redacted, reference, &strategy, &refs)
}

/// Resolves over `(name, hex)` pairs as advertised by the server.
pub(crate) fn resolve(
    url: &str,
    reference: &Reference,
    strategy: &Strategy,
    refs: &[(String, String)],
) -> Result<RemoteHead> {
    let not_found = |r: &str| Error::RefNotFound {
        url: url.to_string(),
        reference: r.to_string(),
    };
    let (label, commit) = match strategy {
        Strategy::Branch(b) => {
            let name = format!("refs/heads/{b}");
            let commit = lookup(refs, &name).ok_or_else(|| not_found(&name))?;
            (Some(name), commit)
        }
        Strategy::Tag(t) => {
            let name = format!("refs/tags/{t}");
            let commit = peeled(refs, &name).ok_or_else(|| not_found(&name))?;
            (Some(name), commit)
        }
        Strategy::Name(n) => {
            let commit = if n.ends_with(PEELED_SUFFIX) {
                lookup(refs, n)
            } else {
                peeled(refs, n)
            };
            (Some(n.clone()), commit.ok_or_else(|| not_found(n))?)
        }
        Strategy::SemVer(range) => {
            let tag = semver_candidates(range, refs)?
                .into_iter()
                .next()
                .ok_or_else(|| Error::NoMatchingTag {
                    url: url.to_string(),
                    range: range.clone(),
                })?;
            let name = format!("refs/tags/{tag}");
            let commit = peeled(refs, &name).ok_or_else(|| not_found(&name))?;
            (Some(name), commit)
        }
        Strategy::Commit { commit, via } => {
            if let Some(via) = via
                && lookup(refs, via).is_none()
            {
                return Err(not_found(via));
            }
            (via.clone(), commit.clone())
        }
    };
    Ok(RemoteHead {
        revision: reference.revision(label.as_deref(), &commit),
        commit,
        reference: label,
    })
}

fn lookup(refs: &[(String, String)], name: &str) -> Option<String> {
    refs.iter()
        .find(|(n, _)| n == name)
        .map(|(_, oid)| oid.clone())
}

/// For tags, the `^{}` entry names the commit an annotated tag points to; lightweight
/// tags have none (Flux's `filterRefs`).
fn peeled(refs: &[(String, String)], name: &str) -> Option<String> {
    let is_tag = name.starts_with("refs/tags/");
    if is_tag && let Some(commit) = lookup(refs, &format!("{name}{PEELED_SUFFIX}")) {
        return Some(commit);
    }
    lookup(refs, name)
}

/// Tags satisfying `range` that share the highest matching version, in advertised order.
/// Several only when they differ by a `v` prefix or build metadata.
pub(crate) fn semver_candidates(range: &str, refs: &[(String, String)]) -> Result<Vec<String>> {
    let constraint = versionrange::Constraint::parse(range)
        .map_err(|e| Error::invalid("semver range", e.to_string()))?;
    let tags = refs
        .iter()
        .filter_map(|(n, _)| n.strip_prefix("refs/tags/"))
        .filter(|t| !t.ends_with(PEELED_SUFFIX));
    let mut best: Option<versionrange::Version> = None;
    let mut names: Vec<String> = Vec::new();
    for tag in tags {
        let Ok(v) = versionrange::Version::parse_tag(tag) else {
            continue;
        };
        if !constraint.check(&v) {
            continue;
        }
        match &best {
            Some(b) if v < *b => {}
            Some(b) if v == *b => names.push(tag.to_string()),
            _ => {
                best = Some(v);
                names = vec![tag.to_string()];
            }
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    const C: &str = "cccccccccccccccccccccccccccccccccccccccc";
    const T: &str = "dddddddddddddddddddddddddddddddddddddddd";

    fn refs() -> Vec<(String, String)> {
        [
            ("HEAD", A),
            ("refs/heads/main", A),
            ("refs/heads/feature/x", B),
            ("refs/pull/1/head", C),
            ("refs/tags/v1.0.0", B),
            ("refs/tags/v1.1.0", T),
            ("refs/tags/v1.1.0^{}", C),
            ("refs/tags/v2.0.0-rc.1", A),
            ("refs/tags/latest", A),
        ]
        .into_iter()
        .map(|(n, o)| (n.to_string(), o.to_string()))
        .collect()
    }

    fn run(r: Reference) -> Result<RemoteHead> {
        resolve("https://example.com/r.git", &r, &r.strategy()?, &refs())
    }

    #[test]
    fn resolves_every_ref_kind() {
        assert_eq!(
            run(Reference::branch("main")).unwrap().revision,
            format!("main@sha1:{A}")
        );
        assert_eq!(
            run(Reference::branch("feature/x")).unwrap().revision,
            format!("feature/x@sha1:{B}")
        );
        assert_eq!(
            run(Reference::tag("v1.0.0")).unwrap().revision,
            format!("v1.0.0@sha1:{B}")
        );
        assert_eq!(
            run(Reference::name("refs/pull/1/head")).unwrap().revision,
            format!("refs/pull/1/head@sha1:{C}")
        );
        assert_eq!(run(Reference::name("HEAD")).unwrap().commit, A);
        let head = run(Reference::semver("^1.0")).unwrap();
        assert_eq!(
            (head.revision, head.reference),
            (format!("v1.1.0@sha1:{C}"), Some("refs/tags/v1.1.0".into()))
        );
    }

    #[test]
    fn annotated_tags_resolve_to_the_peeled_commit() {
        let head = run(Reference::tag("v1.1.0")).unwrap();
        assert_eq!(head.commit, C);
        assert_eq!(run(Reference::name("refs/tags/v1.1.0")).unwrap().commit, C);
        // Asking for the tag object's own entry is allowed, as in Flux.
        assert_eq!(
            run(Reference::name("refs/tags/v1.1.0^{}"))
                .unwrap()
                .revision,
            format!("refs/tags/v1.1.0^{{}}@sha1:{C}")
        );
    }

    #[test]
    fn pinned_commits_need_their_branch_only() {
        let pinned = Reference {
            branch: Some("main".into()),
            commit: Some(B.into()),
            ..Default::default()
        };
        assert_eq!(run(pinned).unwrap().revision, format!("main@sha1:{B}"));
        assert_eq!(
            run(Reference::commit(C)).unwrap().revision,
            format!("sha1:{C}")
        );
        let missing = Reference {
            branch: Some("gone".into()),
            commit: Some(B.into()),
            ..Default::default()
        };
        assert!(matches!(run(missing), Err(Error::RefNotFound { .. })));
    }

    #[test]
    fn missing_refs_are_named() {
        let err = run(Reference::branch("nope")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "reference 'refs/heads/nope' not found in https://example.com/r.git"
        );
        assert!(matches!(
            run(Reference::tag("v9")),
            Err(Error::RefNotFound { .. })
        ));
        assert!(matches!(
            run(Reference::name("refs/pull/2/head")),
            Err(Error::RefNotFound { .. })
        ));
        let err = run(Reference::semver(">=3.0.0")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no tag in https://example.com/r.git matches semver range '>=3.0.0'"
        );
    }

    #[test]
    fn semver_excludes_prereleases_unless_asked_and_keeps_ties() {
        assert_eq!(
            run(Reference::semver(">=1.0.0"))
                .unwrap()
                .reference
                .unwrap(),
            "refs/tags/v1.1.0"
        );
        assert_eq!(
            run(Reference::semver(">=2.0.0-0"))
                .unwrap()
                .reference
                .unwrap(),
            "refs/tags/v2.0.0-rc.1"
        );
        let tied: Vec<(String, String)> = [
            ("refs/tags/v1.0.0", A),
            ("refs/tags/1.0.0", B),
            ("refs/tags/v0.9.0", C),
        ]
        .into_iter()
        .map(|(n, o)| (n.to_string(), o.to_string()))
        .collect();
        assert_eq!(
            semver_candidates("1.x", &tied).unwrap(),
            vec!["v1.0.0", "1.0.0"]
        );
    }
}
