use crate::error::{Error, Result};

/// `spec.ref` of a GitRepository. Several fields may be set; [`Reference::strategy`] applies
/// Flux's precedence: commit, then name, then semver, then tag, then branch (default
/// `master`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reference {
    pub branch: Option<String>,
    pub tag: Option<String>,
    pub semver: Option<String>,
    /// A full reference name as advertised by the server, e.g. `refs/pull/1/head`.
    pub name: Option<String>,
    /// A full SHA-1; `branch` (or `name`), when set, is what is fetched to reach it.
    pub commit: Option<String>,
}

/// Branch Flux checks out when no reference is given (`git.DefaultBranch`).
pub const DEFAULT_BRANCH: &str = "master";

/// Suffix of the advertised entry that names the commit an annotated tag points to.
pub(crate) const PEELED_SUFFIX: &str = "^{}";

/// What to fetch, after precedence has been applied and the inputs validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Strategy {
    Branch(String),
    Tag(String),
    SemVer(String),
    Name(String),
    Commit {
        commit: String,
        /// `refs/heads/<branch>` or the `name` to fetch the history from.
        via: Option<String>,
    },
}

impl Reference {
    pub fn branch(name: impl Into<String>) -> Reference {
        Reference {
            branch: Some(name.into()),
            ..Default::default()
        }
    }

    pub fn tag(name: impl Into<String>) -> Reference {
        Reference {
            tag: Some(name.into()),
            ..Default::default()
        }
    }

    pub fn semver(range: impl Into<String>) -> Reference {
        Reference {
            semver: Some(range.into()),
            ..Default::default()
        }
    }

    pub fn name(name: impl Into<String>) -> Reference {
        Reference {
            name: Some(name.into()),
            ..Default::default()
        }
    }

    pub fn commit(sha: impl Into<String>) -> Reference {
        Reference {
            commit: Some(sha.into()),
            ..Default::default()
        }
    }

    /// Applies precedence and validates what will be used. Empty strings count as unset,
    /// as in Flux.
    pub(crate) fn strategy(&self) -> Result<Strategy> {
        let set = |v: &Option<String>| v.as_deref().filter(|s| !s.is_empty()).map(str::to_string);
        let (branch, tag, semver, name, commit) = (
            set(&self.branch),
            set(&self.tag),
            set(&self.semver),
            set(&self.name),
            set(&self.commit),
        );
        if let Some(commit) = commit {
            if commit.len() != 40 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(Error::invalid(
                    "commit",
                    format!("'{commit}' is not a full 40-character SHA-1"),
                ));
            }
            let via = match (branch, name) {
                (Some(b), _) => {
                    check_ref_component("branch", &b)?;
                    Some(format!("refs/heads/{b}"))
                }
                (None, Some(n)) => {
                    check_ref_name(&n)?;
                    Some(n.trim_end_matches(PEELED_SUFFIX).to_string())
                }
                (None, None) => None,
            };
            return Ok(Strategy::Commit {
                commit: commit.to_ascii_lowercase(),
                via,
            });
        }
        if let Some(name) = name {
            check_ref_name(&name)?;
            return Ok(Strategy::Name(name));
        }
        if let Some(range) = semver {
            versionrange::Constraint::parse(&range)
                .map_err(|e| Error::invalid("semver range", e.to_string()))?;
            return Ok(Strategy::SemVer(range));
        }
        if let Some(tag) = tag {
            check_ref_component("tag", &tag)?;
            return Ok(Strategy::Tag(tag));
        }
        let branch = branch.unwrap_or_else(|| DEFAULT_BRANCH.to_string());
        check_ref_component("branch", &branch)?;
        Ok(Strategy::Branch(branch))
    }

    /// The full reference name the revision is labelled with, before the hash is known:
    /// Flux's `Commit.Reference`.
    pub(crate) fn label(strategy: &Strategy, resolved_tag: Option<&str>) -> Option<String> {
        match strategy {
            Strategy::Branch(b) => Some(format!("refs/heads/{b}")),
            Strategy::Tag(t) => Some(format!("refs/tags/{t}")),
            Strategy::SemVer(_) => resolved_tag.map(|t| format!("refs/tags/{t}")),
            Strategy::Name(n) => Some(n.clone()),
            Strategy::Commit { via, .. } => via.clone(),
        }
    }

    /// Formats the artifact revision exactly as source-controller's `commitReference`:
    /// `spec.ref.name` gives the absolute form (`refs/pull/1/head@sha1:…`), everything else
    /// the short form of `Commit.String()` (`main@sha1:…`, `v1.0.0@sha1:…`, `sha1:…`).
    pub(crate) fn revision(&self, label: Option<&str>, sha: &str) -> String {
        let digest = digest(sha);
        let absolute = self.name.as_deref().is_some_and(|n| !n.is_empty());
        match label {
            Some(l) if absolute && !l.is_empty() => format!("{l}@{digest}"),
            Some(l) => match l.splitn(3, '/').nth(2) {
                Some(short) => format!("{short}@{digest}"),
                None => digest,
            },
            None => digest,
        }
    }
}

/// `<algorithm>:<hex>`, naming the algorithm from the length as Flux's `Hash.Digest` does.
pub(crate) fn digest(sha: &str) -> String {
    let algo = if sha.len() == 40 { "sha1" } else { "<unknown>" };
    format!("{algo}:{sha}")
}

/// A branch or tag name: what follows `refs/heads/` or `refs/tags/`.
fn check_ref_component(what: &'static str, name: &str) -> Result<()> {
    check_ref_format(&format!("refs/x/{name}"))
        .map_err(|reason| Error::invalid(what, format!("'{name}': {reason}")))
}

fn check_ref_name(name: &str) -> Result<()> {
    let bare = name.strip_suffix(PEELED_SUFFIX).unwrap_or(name);
    if bare == "HEAD" {
        return Ok(());
    }
    if !bare.starts_with("refs/") {
        return Err(Error::invalid(
            "reference name",
            format!(
                "'{name}': must be a full reference such as refs/heads/main or refs/pull/1/head"
            ),
        ));
    }
    check_ref_format(bare)
        .map_err(|reason| Error::invalid("reference name", format!("'{name}': {reason}")))
}

/// The rules of `git check-ref-format` that matter for refspecs: anything else could change
/// what a refspec means (`*`, `:`, `+`, `^`) or escape into odd paths (`..`, `/.`).
fn check_ref_format(name: &str) -> std::result::Result<(), String> {
    if name.starts_with('/') || name.ends_with('/') || name.contains("//") {
        return Err("cannot begin or end with '/' or contain '//'".into());
    }
    if name.contains("..") || name.contains("@{") || name.ends_with('.') || name.ends_with(".lock")
    {
        return Err("cannot contain '..' or '@{', or end with '.' or '.lock'".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| c.is_ascii_control() || " ~^:?*[\\".contains(*c))
    {
        return Err(format!("contains forbidden character {c:?}"));
    }
    if name
        .split('/')
        .any(|part| part.starts_with('.') || part.is_empty())
    {
        return Err("a path component cannot begin with '.' or be empty".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    fn full() -> Reference {
        Reference {
            branch: Some("main".into()),
            tag: Some("v1.0.0".into()),
            semver: Some(">=1.0.0".into()),
            name: Some("refs/pull/1/head".into()),
            commit: Some(SHA.into()),
        }
    }

    #[test]
    fn precedence_is_commit_name_semver_tag_branch() {
        let mut r = full();
        assert_eq!(
            r.strategy().unwrap(),
            Strategy::Commit {
                commit: SHA.into(),
                via: Some("refs/heads/main".into())
            }
        );
        r.commit = None;
        assert_eq!(
            r.strategy().unwrap(),
            Strategy::Name("refs/pull/1/head".into())
        );
        r.name = None;
        assert_eq!(r.strategy().unwrap(), Strategy::SemVer(">=1.0.0".into()));
        r.semver = None;
        assert_eq!(r.strategy().unwrap(), Strategy::Tag("v1.0.0".into()));
        r.tag = None;
        assert_eq!(r.strategy().unwrap(), Strategy::Branch("main".into()));
        r.branch = Some(String::new());
        assert_eq!(r.strategy().unwrap(), Strategy::Branch("master".into()));
        assert_eq!(
            Reference::default().strategy().unwrap(),
            Strategy::Branch("master".into())
        );
    }

    #[test]
    fn commit_without_branch_uses_name_or_nothing() {
        let r = Reference {
            commit: Some(SHA.to_uppercase()),
            name: Some("refs/tags/v1^{}".into()),
            ..Default::default()
        };
        assert_eq!(
            r.strategy().unwrap(),
            Strategy::Commit {
                commit: SHA.into(),
                via: Some("refs/tags/v1".into())
            }
        );
        assert_eq!(
            Reference::commit(SHA).strategy().unwrap(),
            Strategy::Commit {
                commit: SHA.into(),
                via: None
            }
        );
    }

    #[test]
    fn revisions_match_flux() {
        let rev = |r: &Reference| {
            let s = r.strategy().unwrap();
            r.revision(Reference::label(&s, Some("v2.1.0")).as_deref(), SHA)
        };
        assert_eq!(rev(&Reference::branch("main")), format!("main@sha1:{SHA}"));
        assert_eq!(
            rev(&Reference::branch("feature/x")),
            format!("feature/x@sha1:{SHA}")
        );
        assert_eq!(rev(&Reference::default()), format!("master@sha1:{SHA}"));
        assert_eq!(rev(&Reference::tag("v1.0.0")), format!("v1.0.0@sha1:{SHA}"));
        assert_eq!(rev(&Reference::semver("2.x")), format!("v2.1.0@sha1:{SHA}"));
        assert_eq!(rev(&Reference::commit(SHA)), format!("sha1:{SHA}"));
        let pinned = Reference {
            branch: Some("main".into()),
            commit: Some(SHA.into()),
            ..Default::default()
        };
        assert_eq!(rev(&pinned), format!("main@sha1:{SHA}"));
        assert_eq!(
            rev(&Reference::name("refs/pull/1/head")),
            format!("refs/pull/1/head@sha1:{SHA}")
        );
        assert_eq!(
            rev(&Reference::name("refs/heads/main")),
            format!("refs/heads/main@sha1:{SHA}")
        );
        assert_eq!(rev(&Reference::name("HEAD")), format!("HEAD@sha1:{SHA}"));
        assert_eq!(digest("abc"), "<unknown>:abc");
    }

    #[test]
    fn refuses_malformed_refs() {
        for r in [
            Reference::commit("abc123"),
            Reference::commit("z".repeat(40)),
            Reference::branch("a..b"),
            Reference::branch("x:y"),
            Reference::branch("ma*in"),
            Reference::branch("/main"),
            Reference::tag("v1 "),
            Reference::tag(".hidden"),
            Reference::name("main"),
            Reference::name("refs/heads/"),
            Reference::semver("not a range"),
        ] {
            let err = r.strategy().unwrap_err();
            assert!(matches!(err, Error::InvalidInput { .. }), "{r:?}: {err}");
        }
        // git allows `+` inside names; only a leading one would change a refspec.
        assert!(Reference::branch("fix+1").strategy().is_ok());
    }
}
