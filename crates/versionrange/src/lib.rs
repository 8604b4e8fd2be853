//! Semantic versions and version constraints with the exact behaviour of
//! [Masterminds/semver v3](https://github.com/Masterminds/semver), the library Flux
//! uses for `GitRepository.spec.ref.semver`, `HelmChart.spec.version` and
//! `OCIRepository.spec.ref.semver`.
//!
//! ```
//! use versionrange::{Constraint, latest_matching};
//! let c = Constraint::parse("~1.2").unwrap();
//! let tags = ["v1.1.9", "v1.2.0", "v1.2.7", "v1.3.0", "not-a-version"];
//! let (tag, version) = latest_matching(&c, tags.into_iter()).unwrap();
//! assert_eq!(tag, "v1.2.7");
//! assert_eq!(version.to_string(), "1.2.7");
//! ```

mod constraint;
mod version;

pub use constraint::Constraint;
pub use version::Version;

/// Everything that can go wrong here; each message names the offending input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("invalid version {input:?}: {reason}")]
    InvalidVersion { input: String, reason: String },
    #[error("improper constraint: {input}")]
    InvalidConstraint { input: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Picks the highest tag that satisfies `constraint`, as Flux's source-controller
/// does for `spec.ref.semver`: tags are read with Flux's `version.ParseVersion`
/// (strict SemVer, optional `v`), the rest are skipped.
///
/// Tags of equal precedence (`v1.0.0` and `1.0.0`, or ones differing only in build
/// metadata) keep the first one seen. Flux breaks that tie by the tagged commit's
/// time; callers that know it use [`latest_matching_by`].
pub fn latest_matching<'a>(
    constraint: &Constraint,
    tags: impl Iterator<Item = &'a str>,
) -> Option<(String, Version)> {
    latest_matching_by(constraint, tags.map(|t| (t, ())))
}

/// Like [`latest_matching`], with a tie-break key per tag (Flux uses the commit
/// time of the tag's target): among equal versions the greatest key wins, and the
/// first one seen among equal keys.
pub fn latest_matching_by<'a, K: Ord>(
    constraint: &Constraint,
    tags: impl Iterator<Item = (&'a str, K)>,
) -> Option<(String, Version)> {
    let mut best: Option<(Version, K)> = None;
    for (tag, key) in tags {
        let Ok(v) = Version::parse_tag(tag) else {
            continue;
        };
        if !constraint.check(&v) {
            continue;
        }
        let better = match &best {
            None => true,
            Some((bv, bk)) => v > *bv || (v == *bv && key > *bk),
        };
        if better {
            best = Some((v, key));
        }
    }
    best.map(|(v, _)| (v.original().to_string(), v))
}

#[cfg(test)]
mod tests;
