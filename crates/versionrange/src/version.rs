//! Versions parsed and ordered the way Masterminds/semver v3 does it.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use crate::{Error, Result};

/// A semantic version as Masterminds/semver v3 understands it.
///
/// Equality and ordering follow SemVer 2.0 precedence: build metadata is ignored,
/// a pre-release sorts before its release. `original` keeps the text it was parsed
/// from (Flux checks out the tag by that text).
///
/// ```
/// use versionrange::Version;
/// let v = Version::parse("v1.2").unwrap();
/// assert_eq!(v.to_string(), "1.2.0");
/// assert_eq!(v.original(), "v1.2");
/// assert!(Version::parse("1.2.3-rc.1").unwrap() < Version::parse("1.2.3").unwrap());
/// ```
#[derive(Debug, Clone)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    metadata: String,
    original: String,
}

/// Masterminds' failure kinds; the wording is theirs so messages read the same.
const INVALID_SEMVER: &str = "invalid semantic version";
const EMPTY: &str = "version string empty";
const INVALID_CHARACTERS: &str = "invalid characters in version";
const SEGMENT_STARTS_ZERO: &str = "version segment starts with 0";
const INVALID_METADATA: &str = "invalid metadata string";
const INVALID_PRERELEASE: &str = "invalid prerelease string";

fn invalid(input: &str, reason: impl Into<String>) -> Error {
    Error::InvalidVersion {
        input: input.to_string(),
        reason: reason.into(),
    }
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// `[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*`, the shape both the loose regex and the spec demand.
fn is_dotted_idents(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(is_ident_char))
}

fn validate_prerelease(input: &str, pre: &str) -> Result<()> {
    for part in pre.split('.') {
        if part.is_empty() {
            return Err(invalid(input, INVALID_PRERELEASE));
        } else if part.bytes().all(|b| b.is_ascii_digit()) {
            if part.len() > 1 && part.starts_with('0') {
                return Err(invalid(input, SEGMENT_STARTS_ZERO));
            }
        } else if !part.bytes().all(is_ident_char) {
            return Err(invalid(input, INVALID_PRERELEASE));
        }
    }
    Ok(())
}

fn validate_metadata(input: &str, meta: &str) -> Result<()> {
    if meta
        .split('.')
        .all(|p| !p.is_empty() && p.bytes().all(is_ident_char))
    {
        Ok(())
    } else {
        Err(invalid(input, INVALID_METADATA))
    }
}

fn parse_segment(input: &str, digits: &str) -> Result<u64> {
    digits.parse::<u64>().map_err(|_| {
        invalid(
            input,
            format!("error parsing version segment: {digits:?} is out of range"),
        )
    })
}

fn take_digits(s: &str) -> (&str, &str) {
    let end = s
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    s.split_at(end)
}

impl Version {
    /// Parses leniently, as Masterminds `NewVersion`: an optional `v`, missing minor
    /// or patch read as 0, leading zeros in the numbers tolerated, pre-release and
    /// build metadata validated.
    pub fn parse(input: &str) -> Result<Version> {
        // Hand-written form of the loose regex
        // `^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-(ids))?(\+(ids))?$`.
        let rest = input.strip_prefix('v').unwrap_or(input);
        let (major, mut rest) = take_digits(rest);
        if major.is_empty() {
            return Err(invalid(input, INVALID_SEMVER));
        }
        let mut numbers = [major, "", ""];
        for slot in numbers.iter_mut().skip(1) {
            let Some(after_dot) = rest.strip_prefix('.') else {
                break;
            };
            let (digits, after) = take_digits(after_dot);
            if digits.is_empty() {
                return Err(invalid(input, INVALID_SEMVER));
            }
            *slot = digits;
            rest = after;
        }
        let (before_meta, metadata) = match rest.split_once('+') {
            Some((b, m)) => (b, m),
            None => (rest, ""),
        };
        let pre = if before_meta.is_empty() {
            ""
        } else if let Some(pre) = before_meta.strip_prefix('-') {
            pre
        } else {
            return Err(invalid(input, INVALID_SEMVER));
        };
        let has_pre = !before_meta.is_empty();
        let has_meta = rest.contains('+');
        if (has_pre && !is_dotted_idents(pre)) || (has_meta && !is_dotted_idents(metadata)) {
            return Err(invalid(input, INVALID_SEMVER));
        }

        let major = parse_segment(input, numbers[0])?;
        let minor = if numbers[1].is_empty() {
            0
        } else {
            parse_segment(input, numbers[1])?
        };
        let patch = if numbers[2].is_empty() {
            0
        } else {
            parse_segment(input, numbers[2])?
        };
        if !pre.is_empty() {
            validate_prerelease(input, pre)?;
        }
        Ok(Version {
            major,
            minor,
            patch,
            pre: pre.to_string(),
            metadata: metadata.to_string(),
            original: input.to_string(),
        })
    }

    /// Parses only complete SemVer 2.0 versions, as Masterminds `StrictNewVersion`:
    /// no `v`, all three numbers, no leading zeros.
    pub fn parse_strict(input: &str) -> Result<Version> {
        if input.is_empty() {
            return Err(invalid(input, EMPTY));
        }
        let mut parts: Vec<&str> = input.splitn(3, '.').collect();
        if parts.len() != 3 {
            return Err(invalid(input, INVALID_SEMVER));
        }
        let mut metadata = "";
        if let Some((p, m)) = parts[2].split_once('+') {
            metadata = m;
            parts[2] = p;
            validate_metadata(input, metadata)?;
        }
        let mut pre = "";
        if let Some((p, r)) = parts[2].split_once('-') {
            pre = r;
            parts[2] = p;
            validate_prerelease(input, pre)?;
        }
        for p in &parts {
            if !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(input, INVALID_CHARACTERS));
            }
            if p.len() > 1 && p.starts_with('0') {
                return Err(invalid(input, SEGMENT_STARTS_ZERO));
            }
        }
        Ok(Version {
            major: parse_segment(input, parts[0])?,
            minor: parse_segment(input, parts[1])?,
            patch: parse_segment(input, parts[2])?,
            pre: pre.to_string(),
            metadata: metadata.to_string(),
            original: input.to_string(),
        })
    }

    /// Parses a Git tag the way Flux's `version.ParseVersion` does: strict SemVer,
    /// except that a leading `v` is allowed. `original` keeps the tag as written.
    pub fn parse_tag(tag: &str) -> Result<Version> {
        Version::parse_strict(tag.strip_prefix('v').unwrap_or(tag)).map_err(|e| match e {
            Error::InvalidVersion { reason, .. } => invalid(tag, reason),
            other => other,
        })?;
        Version::parse(tag)
    }

    /// Builds a version from its parts without validating them, as Masterminds `New`.
    pub fn new(major: u64, minor: u64, patch: u64, pre: &str, metadata: &str) -> Version {
        let mut v = Version {
            major,
            minor,
            patch,
            pre: pre.to_string(),
            metadata: metadata.to_string(),
            original: String::new(),
        };
        v.original = v.to_string();
        v
    }

    pub fn major(&self) -> u64 {
        self.major
    }

    pub fn minor(&self) -> u64 {
        self.minor
    }

    pub fn patch(&self) -> u64 {
        self.patch
    }

    /// The pre-release without its leading `-`; empty for a release.
    pub fn prerelease(&self) -> &str {
        &self.pre
    }

    /// The build metadata without its leading `+`; empty when absent.
    pub fn metadata(&self) -> &str {
        &self.metadata
    }

    /// The text this version was parsed from (for a tag, the tag name).
    pub fn original(&self) -> &str {
        &self.original
    }

    pub fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
    }
}

/// Masterminds' `comparePrePart`: numeric identifiers compare as numbers and sort
/// before alphanumeric ones; a missing identifier sorts first.
fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Ok(si), Ok(oi)) => si.cmp(&oi),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => s.cmp(o),
    }
}

pub(crate) fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let sa: Vec<&str> = a.split('.').collect();
    let sb: Vec<&str> = b.split('.').collect();
    for i in 0..sa.len().max(sb.len()) {
        let pa = sa.get(i).copied().unwrap_or("");
        let pb = sb.get(i).copied().unwrap_or("");
        match compare_pre_part(pa, pb) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    Ordering::Equal
}

impl Ord for Version {
    fn cmp(&self, o: &Self) -> Ordering {
        self.major
            .cmp(&o.major)
            .then(self.minor.cmp(&o.minor))
            .then(self.patch.cmp(&o.patch))
            .then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &o.pre),
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl PartialEq for Version {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}

impl Eq for Version {}

impl Hash for Version {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Numeric pre-release identifiers compare by value, so hash them by value too
        // ("1" and "01" cannot both parse, but u64 overflow cases fall back to text).
        self.major.hash(state);
        self.minor.hash(state);
        self.patch.hash(state);
        for part in self.pre.split('.').filter(|p| !p.is_empty()) {
            match part.parse::<u64>() {
                Ok(n) => n.hash(state),
                Err(_) => part.hash(state),
            }
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

impl FromStr for Version {
    type Err = Error;

    fn from_str(s: &str) -> Result<Version> {
        Version::parse(s)
    }
}
