//! Constraints parsed and checked the way Masterminds/semver v3 (3.2 and later) does it.
//!
//! The parser keeps Masterminds' regular expressions rather than a grammar of our own:
//! Flux users write constraints against that library, and its quirks (which inputs are
//! accepted, how hyphen ranges are rewritten, what `1.x` means for each operator) are
//! part of the behaviour we promise.

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use regex_lite::Regex;

use crate::version::{Version, compare_prerelease};
use crate::{Error, Result};

/// Go's RE2 `\s` is ASCII-only; Rust's is Unicode, so spell the class out.
const WS: &str = r"[\t\n\f\r ]";

/// The version part of a comparator. Note the literal `|` in the classes: it is
/// Masterminds' and lets a few odd inputs through to the version parser.
const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";

/// Operators in Masterminds' order; the empty alternative is the bare version.
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";

static CONSTRAINT_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^{WS}*({OPS}){WS}*({CV}){WS}*$")).unwrap());

static RANGE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"{WS}*({CV}){WS}+-{WS}+({CV}){WS}*")).unwrap());

static FIND_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"({OPS}){WS}*({CV})")).unwrap());

static VALID_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^({WS}*({OPS}){WS}*({CV}){WS}*)((?:{WS}+|,{WS}*)({OPS}){WS}*({CV}){WS}*)*$"
    ))
    .unwrap()
});

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

impl Op {
    fn from_text(op: &str) -> Op {
        match op {
            "!=" => Op::NotEqual,
            ">" => Op::Greater,
            "<" => Op::Less,
            ">=" | "=>" => Op::GreaterEqual,
            "<=" | "=<" => Op::LessEqual,
            "~" | "~>" => Op::Tilde,
            "^" => Op::Caret,
            _ => Op::TildeOrEqual,
        }
    }
}

/// One comparator such as `>= 1.2` or `~1.x`.
#[derive(Debug, Clone)]
pub(crate) struct Comparator {
    pub(crate) op: Op,
    /// The version compared against, with wildcards and missing parts as 0.
    pub(crate) con: Version,
    /// The version as written (used in messages and when printing).
    orig: String,
    /// The operator as written.
    op_text: String,
    minor_dirty: bool,
    patch_dirty: bool,
    dirty: bool,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

fn improper(input: &str) -> Error {
    Error::InvalidConstraint {
        input: input.to_string(),
    }
}

impl Comparator {
    pub(crate) fn parse(c: &str) -> Result<Comparator> {
        if c.is_empty() {
            // Masterminds treats an empty comparator as `*`.
            return Ok(Comparator {
                op: Op::TildeOrEqual,
                con: Version::new(0, 0, 0, "", ""),
                orig: String::new(),
                op_text: String::new(),
                minor_dirty: false,
                patch_dirty: false,
                dirty: true,
            });
        }
        let m = CONSTRAINT_RE.captures(c).ok_or_else(|| improper(c))?;
        let group = |i: usize| m.get(i).map_or("", |g| g.as_str());
        let (op_text, orig) = (group(1), group(2));
        let (major, minor, patch, dash_pre) = (group(3), group(4), group(5), group(6));
        let (mut minor_dirty, mut patch_dirty, mut dirty) = (false, false, false);
        let ver = if is_x(major) || major.is_empty() {
            dirty = true;
            format!("0.0.0{dash_pre}")
        } else if is_x(minor.trim_start_matches('.')) || minor.is_empty() {
            minor_dirty = true;
            dirty = true;
            format!("{major}.0.0{dash_pre}")
        } else if is_x(patch.trim_start_matches('.')) || patch.is_empty() {
            dirty = true;
            patch_dirty = true;
            format!("{major}{minor}.0{dash_pre}")
        } else {
            orig.to_string()
        };
        let con = Version::parse(&ver).map_err(|_| improper(c))?;
        Ok(Comparator {
            op: Op::from_text(op_text),
            con,
            orig: orig.to_string(),
            op_text: op_text.to_string(),
            minor_dirty,
            patch_dirty,
            dirty,
        })
    }

    /// Masterminds' per-operator check. `include_pre` is decided for the whole AND
    /// group: a pre-release version only passes when some comparator of the group
    /// names a pre-release (or the caller opted in).
    pub(crate) fn check(&self, v: &Version, include_pre: bool) -> std::result::Result<(), String> {
        if v.is_prerelease() && !include_pre {
            return Err(format!(
                "{v} is a prerelease version and the constraint is only looking for release versions"
            ));
        }
        let c = &self.con;
        let orig = &self.orig;
        match self.op {
            Op::NotEqual => {
                if self.dirty {
                    if c.major() != v.major() {
                        return Ok(());
                    }
                    if c.minor() != v.minor() && !self.minor_dirty {
                        return Ok(());
                    } else if self.minor_dirty {
                        return Err(format!("{v} is equal to {orig}"));
                    } else if c.patch() != v.patch() && !self.patch_dirty {
                        return Ok(());
                    } else if self.patch_dirty {
                        if (v.is_prerelease() || c.is_prerelease())
                            && compare_prerelease(v.prerelease(), c.prerelease()).is_ne()
                        {
                            return Ok(());
                        }
                        return Err(format!("{v} is equal to {orig}"));
                    }
                }
                if v == c {
                    Err(format!("{v} is equal to {orig}"))
                } else {
                    Ok(())
                }
            }
            Op::Greater => {
                let fail = || Err(format!("{v} is less than or equal to {orig}"));
                if !self.dirty {
                    return if v > c { Ok(()) } else { fail() };
                }
                if v.major() > c.major() {
                    Ok(())
                } else if v.major() < c.major() || self.minor_dirty {
                    // `>11` wants 12 or higher: 11.1.0 is not greater than 11.
                    fail()
                } else if self.patch_dirty {
                    // `>11.1` wants 11.2 or higher.
                    if v.minor() > c.minor() {
                        Ok(())
                    } else {
                        fail()
                    }
                } else if v > c {
                    Ok(())
                } else {
                    fail()
                }
            }
            Op::Less => {
                if v < c {
                    Ok(())
                } else {
                    Err(format!("{v} is greater than or equal to {orig}"))
                }
            }
            Op::GreaterEqual => {
                if v >= c {
                    Ok(())
                } else {
                    Err(format!("{v} is less than {orig}"))
                }
            }
            Op::LessEqual => {
                let fail = || Err(format!("{v} is greater than {orig}"));
                if !self.dirty {
                    return if v <= c { Ok(()) } else { fail() };
                }
                if v.major() > c.major()
                    || (v.major() == c.major() && v.minor() > c.minor() && !self.minor_dirty)
                {
                    fail()
                } else {
                    Ok(())
                }
            }
            Op::Tilde => self.check_tilde(v),
            Op::TildeOrEqual => {
                if self.dirty {
                    self.check_tilde(v)
                } else if v == c {
                    Ok(())
                } else {
                    Err(format!("{v} is not equal to {orig}"))
                }
            }
            Op::Caret => self.check_caret(v),
        }
    }

    // ~1.2.3 --> >=1.2.3 <1.3.0; ~1.2 and ~1.2.x --> >=1.2.0 <1.3.0;
    // ~1 and ~1.x --> >=1.0.0 <2.0.0; ~0.0.0 and ~* --> anything.
    fn check_tilde(&self, v: &Version) -> std::result::Result<(), String> {
        let c = &self.con;
        let orig = &self.orig;
        if v < c {
            return Err(format!("{v} is less than {orig}"));
        }
        if c.major() == 0
            && c.minor() == 0
            && c.patch() == 0
            && !self.minor_dirty
            && !self.patch_dirty
        {
            return Ok(());
        }
        if v.major() != c.major() {
            return Err(format!("{v} does not have same major version as {orig}"));
        }
        if v.minor() != c.minor() && !self.minor_dirty {
            return Err(format!(
                "{v} does not have same major and minor version as {orig}"
            ));
        }
        Ok(())
    }

    // ^1.2.3 --> >=1.2.3 <2.0.0; ^0.2.3 --> >=0.2.3 <0.3.0; ^0.0.3 --> =0.0.3;
    // ^0.0 --> >=0.0.0 <0.1.0; ^0 --> >=0.0.0 <1.0.0.
    fn check_caret(&self, v: &Version) -> std::result::Result<(), String> {
        let c = &self.con;
        let orig = &self.orig;
        if v < c {
            return Err(format!("{v} is less than {orig}"));
        }
        if c.major() > 0 || self.minor_dirty {
            return if v.major() == c.major() {
                Ok(())
            } else {
                Err(format!("{v} does not have same major version as {orig}"))
            };
        }
        if v.major() > 0 {
            return Err(format!("{v} does not have same major version as {orig}"));
        }
        if c.minor() > 0 || self.patch_dirty {
            return if v.minor() == c.minor() {
                Ok(())
            } else {
                Err(format!(
                    "{v} does not have same minor version as {orig}. Expected minor versions to match when constraint major version is 0"
                ))
            };
        }
        if v.minor() > 0 {
            return Err(format!("{v} does not have same minor version as {orig}"));
        }
        if c.patch() == v.patch() {
            Ok(())
        } else {
            Err(format!(
                "{v} does not equal {orig}. Expect version and constraint to equal when major and minor versions are 0"
            ))
        }
    }
}

impl fmt::Display for Comparator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.op_text, self.orig)
    }
}

/// Rewrites hyphen ranges `a - b` into `>= a, <= b ` exactly as Masterminds does
/// (including its trailing space and first-occurrence replacement).
pub(crate) fn rewrite_range(input: &str) -> String {
    let mut out = input.to_string();
    for m in RANGE_RE.captures_iter(input) {
        let whole = m.get(0).map_or("", |g| g.as_str());
        let low = m.get(1).map_or("", |g| g.as_str());
        let high = m.get(11).map_or("", |g| g.as_str());
        out = out.replacen(whole, &format!(">= {low}, <= {high} "), 1);
    }
    out
}

/// A set of comparators: `||` separates alternatives, spaces or commas join
/// comparators that must all hold. Parsed as Masterminds `NewConstraint`.
///
/// ```
/// use versionrange::{Constraint, Version};
/// let c = Constraint::parse(">=1.2, <2 || 3.x").unwrap();
/// assert!(c.check(&Version::parse("1.4.0").unwrap()));
/// assert!(c.check(&Version::parse("3.9.1").unwrap()));
/// assert!(!c.check(&Version::parse("2.0.0").unwrap()));
/// // Pre-releases only match when the constraint asks for them.
/// assert!(!c.check(&Version::parse("1.5.0-rc.1").unwrap()));
/// ```
#[derive(Debug, Clone)]
pub struct Constraint {
    groups: Vec<Vec<Comparator>>,
    group_has_pre: Vec<bool>,
    include_prerelease: bool,
}

impl Constraint {
    pub fn parse(input: &str) -> Result<Constraint> {
        let rewritten = rewrite_range(input);
        let mut groups = Vec::new();
        let mut group_has_pre = Vec::new();
        for alternative in rewritten.split("||") {
            if !VALID_RE.is_match(alternative) {
                return Err(improper(alternative));
            }
            let mut texts: Vec<&str> = FIND_RE.find_iter(alternative).map(|m| m.as_str()).collect();
            if texts.is_empty() {
                texts.push(alternative);
            }
            let comparators = texts
                .into_iter()
                .map(Comparator::parse)
                .collect::<Result<Vec<_>>>()?;
            group_has_pre.push(comparators.iter().any(|c| c.con.is_prerelease()));
            groups.push(comparators);
        }
        Ok(Constraint {
            groups,
            group_has_pre,
            include_prerelease: false,
        })
    }

    /// Lets pre-release versions match every comparator, as Masterminds'
    /// `IncludePrerelease`.
    pub fn with_include_prerelease(mut self, include: bool) -> Constraint {
        self.include_prerelease = include;
        self
    }

    /// The number of `||` alternatives.
    pub fn alternatives(&self) -> usize {
        self.groups.len()
    }

    /// The number of comparators in each alternative.
    pub fn comparators_per_alternative(&self) -> Vec<usize> {
        self.groups.iter().map(Vec::len).collect()
    }

    /// True when some alternative accepts the version.
    pub fn check(&self, v: &Version) -> bool {
        self.groups.iter().enumerate().any(|(i, group)| {
            let include_pre = self.include_prerelease || self.group_has_pre[i];
            group.iter().all(|c| c.check(v, include_pre).is_ok())
        })
    }

    /// Like [`check`](Self::check), but says why the version was refused: one
    /// reason per failing comparator, in Masterminds' words (the pre-release reason
    /// once at most).
    pub fn validate(&self, v: &Version) -> std::result::Result<(), Vec<String>> {
        let mut reasons = Vec::new();
        let mut told_prerelease = false;
        for (i, group) in self.groups.iter().enumerate() {
            let include_pre = self.include_prerelease || self.group_has_pre[i];
            let mut ok = true;
            for c in group {
                if !include_pre && v.is_prerelease() {
                    if !told_prerelease {
                        reasons.push(format!(
                            "{v} is a prerelease version and the constraint is only looking for release versions"
                        ));
                        told_prerelease = true;
                    }
                    ok = false;
                } else if let Err(reason) = c.check(v, include_pre) {
                    reasons.push(reason);
                    ok = false;
                }
            }
            if ok {
                return Ok(());
            }
        }
        Err(reasons)
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, group) in self.groups.iter().enumerate() {
            if i > 0 {
                f.write_str(" || ")?;
            }
            for (j, c) in group.iter().enumerate() {
                if j > 0 {
                    f.write_str(" ")?;
                }
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

impl FromStr for Constraint {
    type Err = Error;

    fn from_str(s: &str) -> Result<Constraint> {
        Constraint::parse(s)
    }
}
