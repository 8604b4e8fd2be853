//! `spec.url` and `spec.ref` as Flux's `parseRepository`, `getArtifactRef` and
//! `getTagBySemver` read them: the repository address, which reference wins (digest, then
//! semver, then tag, then `latest`), and the revision string a resolved reference becomes.

use std::fmt;

use versionrange::Constraint;

use crate::api::source::OCIRepositoryRef;

/// The tag pulled when `spec.ref` names nothing (go-containerregistry's `DefaultTag`).
pub const DEFAULT_TAG: &str = "latest";

/// What `spec.ref` asks for, in Flux's order of precedence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    Digest(String),
    Semver {
        range: String,
        filter: Option<String>,
    },
    Tag(String),
}

impl Selector {
    pub fn of(reference: Option<&OCIRepositoryRef>) -> Selector {
        let set = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        let Some(r) = reference else {
            return Selector::Tag(DEFAULT_TAG.to_string());
        };
        if let Some(digest) = set(&r.digest) {
            return Selector::Digest(digest);
        }
        if let Some(range) = set(&r.semver) {
            return Selector::Semver {
                range,
                filter: set(&r.semver_filter),
            };
        }
        Selector::Tag(set(&r.tag).unwrap_or_else(|| DEFAULT_TAG.to_string()))
    }
}

/// A reference resolved to one tag or digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Tag(String),
    Digest(String),
}

/// The artifact a reconcile settled on: where it is, and its manifest's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub repository: oci::Repository,
    pub target: Target,
    pub digest: String,
}

impl Resolved {
    /// `<tag>@<digest>`, or the digest alone for a digest reference (Flux's `getRevision`).
    pub fn revision(&self) -> String {
        match &self.target {
            Target::Tag(tag) => format!("{tag}@{}", self.digest),
            Target::Digest(digest) => digest.clone(),
        }
    }

    /// Where the artifact file goes: `<digest with its algorithm>.tar.gz`.
    pub fn file_name(&self) -> String {
        format!("{}.tar.gz", self.digest)
    }
}

/// The reference as go-containerregistry prints it (`host/name:tag`, `host/name@digest`),
/// which Flux's messages quote.
impl fmt::Display for Resolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let repo = &self.repository;
        match &self.target {
            Target::Tag(tag) => write!(f, "{}/{}:{tag}", repo.registry, repo.name),
            Target::Digest(digest) => write!(f, "{}/{}@{digest}", repo.registry, repo.name),
        }
    }
}

/// `spec.url` as a repository: `oci://host[:port]/name`, without a tag or digest.
pub fn parse_url(url: &str) -> Result<oci::Repository, String> {
    const FORMAT: &str = "URL must be in format 'oci://<domain>/<org>/<repo>'";
    let Some(rest) = url.strip_prefix("oci://") else {
        return Err(FORMAT.to_string());
    };
    if let Some((_, path)) = rest.split_once('/')
        && let Some(tag) = path.split(':').nth(1)
    {
        return Err(format!("URL must not contain a tag; remove ':{tag}'"));
    }
    let repository = oci::Repository::parse(url).map_err(|e| e.to_string())?;
    if repository.name.is_empty() {
        return Err(FORMAT.to_string());
    }
    Ok(repository)
}

/// The highest of `tags` that matches `filter` (a regular expression, searched anywhere in
/// the tag) and then `range`, as Flux's `getTagBySemver` picks it: tags are read as strict
/// SemVer with an optional `v`, and the tag is returned as written.
pub fn select_tag(tags: &[String], range: &str, filter: Option<&str>) -> Result<String, String> {
    let filter = filter
        .map(regex::Regex::new)
        .transpose()
        .map_err(|e| format!("spec.ref.semverFilter: {e}"))?;
    let constraint =
        Constraint::parse(range).map_err(|e| format!("semver '{range}' parse error: {e}"))?;
    let candidates = tags
        .iter()
        .map(String::as_str)
        .filter(|tag| filter.as_ref().is_none_or(|f| f.is_match(tag)));
    versionrange::latest_matching(&constraint, candidates)
        .map(|(tag, _)| tag)
        .ok_or_else(|| format!("no match found for semver: {range}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(tag: &str, semver: &str, filter: &str, digest: &str) -> OCIRepositoryRef {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        OCIRepositoryRef {
            tag: opt(tag),
            semver: opt(semver),
            semver_filter: opt(filter),
            digest: opt(digest),
        }
    }

    #[test]
    fn digest_wins_over_semver_which_wins_over_tag() {
        assert_eq!(Selector::of(None), Selector::Tag("latest".into()));
        assert_eq!(
            Selector::of(Some(&reference("", "", "", ""))),
            Selector::Tag("latest".into())
        );
        assert_eq!(
            Selector::of(Some(&reference("6.1.5", "", "", ""))),
            Selector::Tag("6.1.5".into())
        );
        assert_eq!(
            Selector::of(Some(&reference("6.1.5", ">= 6.1.5", "^6", ""))),
            Selector::Semver {
                range: ">= 6.1.5".into(),
                filter: Some("^6".into())
            }
        );
        assert_eq!(
            Selector::of(Some(&reference("6.1.6", ">= 6.1.6", "", "sha256:ab"))),
            Selector::Digest("sha256:ab".into())
        );
    }

    #[test]
    fn urls_name_a_repository_without_tag_or_digest() {
        let r = parse_url("oci://127.0.0.1:5000/org/app").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.name.as_str()),
            ("127.0.0.1:5000", "org/app")
        );
        assert_eq!(
            parse_url("https://ghcr.io/org/app").unwrap_err(),
            "URL must be in format 'oci://<domain>/<org>/<repo>'"
        );
        assert_eq!(
            parse_url("oci://ghcr.io").unwrap_err(),
            "URL must be in format 'oci://<domain>/<org>/<repo>'"
        );
        assert_eq!(
            parse_url("oci://ghcr.io/org/app:v1").unwrap_err(),
            "URL must not contain a tag; remove ':v1'"
        );
        // The port is not a tag.
        assert!(parse_url("oci://localhost:5000/app").is_ok());
        let e = parse_url("oci://ghcr.io/Org/app").unwrap_err();
        assert!(e.contains("'Org'"), "{e}");
    }

    #[test]
    fn semver_picks_the_highest_matching_tag_after_the_filter() {
        let tags: Vec<String> = [
            "latest",
            "6.1.4",
            "6.1.5",
            "v6.1.6",
            "6.2.0-rc.1",
            "7.0.0-dev.1",
            "6.1.x",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(select_tag(&tags, ">= 6.1.5", None).unwrap(), "v6.1.6");
        assert_eq!(select_tag(&tags, ">= 6.1 <= 6.1.5", None).unwrap(), "6.1.5");
        // Pre-releases only when the range asks for them.
        assert_eq!(
            select_tag(&tags, ">= 6.0.0-0", None).unwrap(),
            "7.0.0-dev.1"
        );
        assert_eq!(
            select_tag(&tags, ">= 6.0.0-0", Some(".*-rc.*")).unwrap(),
            "6.2.0-rc.1"
        );
        assert_eq!(
            select_tag(&tags, "<= 6.1.0", None).unwrap_err(),
            "no match found for semver: <= 6.1.0"
        );
        assert!(
            select_tag(&tags, "not a range", None)
                .unwrap_err()
                .starts_with("semver 'not a range' parse error: ")
        );
        assert!(
            select_tag(&tags, "*", Some("("))
                .unwrap_err()
                .starts_with("spec.ref.semverFilter: ")
        );
    }

    #[test]
    fn revisions_and_files_follow_flux() {
        let repository = parse_url("oci://ghcr.io/org/app").unwrap();
        let digest = format!("sha256:{}", "a".repeat(64));
        let tagged = Resolved {
            repository: repository.clone(),
            target: Target::Tag("6.1.6".into()),
            digest: digest.clone(),
        };
        assert_eq!(tagged.revision(), format!("6.1.6@{digest}"));
        assert_eq!(tagged.to_string(), "ghcr.io/org/app:6.1.6");
        assert_eq!(tagged.file_name(), format!("{digest}.tar.gz"));
        let pinned = Resolved {
            repository,
            target: Target::Digest(digest.clone()),
            digest: digest.clone(),
        };
        assert_eq!(pinned.revision(), digest);
        assert_eq!(pinned.to_string(), format!("ghcr.io/org/app@{digest}"));
    }
}
