//! Sprig's `semver` and `semverCompare` over the workspace's Masterminds/semver v3 port
//! (`versionrange`); `*semver.Version` is a template object with Masterminds' methods.

use versionrange::{Constraint, Version};

use super::conv::str_arg;
use crate::func::{CallContext, FuncError, FuncMap, FuncResult, Signature};
use crate::value::{Object, UintKind, Value};

/// Masterminds' error texts for `versionrange`'s (lower-cased) reasons.
fn go_error(e: versionrange::Error) -> String {
    match e {
        versionrange::Error::InvalidVersion { reason, .. } => {
            if let Some(rest) = reason.strip_prefix("error parsing version segment: ") {
                let digits = rest.split(' ').next().unwrap_or("").trim_matches('"');
                return format!(
                    "Error parsing version segment: strconv.ParseUint: parsing {}: value out of range",
                    crate::fmt::quote(digits)
                );
            }
            match reason.as_str() {
                "invalid semantic version" => "Invalid Semantic Version".into(),
                "version string empty" => "Version string empty".into(),
                "invalid characters in version" => "Invalid characters in version".into(),
                "version segment starts with 0" => "Version segment starts with 0".into(),
                "invalid metadata string" => "Invalid Metadata string".into(),
                "invalid prerelease string" => "Invalid Prerelease string".into(),
                other => other.to_string(),
            }
        }
        other => other.to_string(),
    }
}

/// A Masterminds `*semver.Version` (or, as returned by `IncPatch` and friends, a
/// `semver.Version` value).
#[derive(Debug, Clone)]
pub struct SemVer {
    version: Version,
    pointer: bool,
}

impl SemVer {
    fn value(version: Version) -> Value {
        Value::object(SemVer {
            version,
            pointer: false,
        })
    }

    /// `originalVPrefix() + String()`, the `Original()` Masterminds gives derived versions.
    fn derived(&self, major: u64, minor: u64, patch: u64, pre: &str, meta: &str) -> Value {
        let prefix = if self.version.original().starts_with('v') {
            "v"
        } else {
            ""
        };
        let text = format!("{prefix}{}", Version::new(major, minor, patch, pre, meta));
        SemVer::value(
            Version::parse(&text).unwrap_or_else(|_| Version::new(major, minor, patch, pre, meta)),
        )
    }

    /// Masterminds' `validatePrerelease`/`validateMetadata` through a full parse.
    fn with_suffix(&self, pre: &str, meta: &str) -> FuncResult {
        let v = &self.version;
        let mut text = format!("{}.{}.{}", v.major(), v.minor(), v.patch());
        if !pre.is_empty() {
            text.push('-');
            text.push_str(pre);
        }
        if !meta.is_empty() {
            text.push('+');
            text.push_str(meta);
        }
        Version::parse(&text).map_err(|e| FuncError::new(go_error(e)))?;
        Ok(self.derived(v.major(), v.minor(), v.patch(), pre, meta))
    }
}

fn other_version(args: &[Value]) -> Option<&Version> {
    args.first()
        .and_then(|a| a.downcast_ref::<SemVer>())
        .map(|s| &s.version)
}

impl Object for SemVer {
    fn type_name(&self) -> &str {
        if self.pointer {
            "*semver.Version"
        } else {
            "semver.Version"
        }
    }

    fn method(&self, name: &str) -> Option<Signature> {
        let pointer_receiver = matches!(
            name,
            "Original"
                | "LessThan"
                | "LessThanEqual"
                | "GreaterThan"
                | "GreaterThanEqual"
                | "Equal"
                | "Compare"
        );
        if pointer_receiver && !self.pointer {
            // Not in the method set of a `semver.Version` value.
            return None;
        }
        let sig = match name {
            "String" | "Original" | "Prerelease" | "Metadata" => "func() string",
            "Major" | "Minor" | "Patch" => "func() uint64",
            "IncPatch" | "IncMinor" | "IncMajor" => "func() semver.Version",
            "SetPrerelease" | "SetMetadata" => "func(string) (semver.Version, error)",
            "LessThan" | "LessThanEqual" | "GreaterThan" | "GreaterThanEqual" | "Equal" => {
                "func(*semver.Version) bool"
            }
            "Compare" => "func(*semver.Version) int",
            _ => return None,
        };
        Some(Signature::parse(sig))
    }

    fn call_method(&self, name: &str, args: &[Value], _cx: &mut CallContext<'_>) -> FuncResult {
        let v = &self.version;
        let cmp = || other_version(args).map(|o| v.cmp(o));
        Ok(match name {
            "String" => Value::string(v.to_string()),
            "Original" => Value::string(v.original()),
            "Prerelease" => Value::string(v.prerelease()),
            "Metadata" => Value::string(v.metadata()),
            "Major" => Value::Uint(v.major(), UintKind::Uint64),
            "Minor" => Value::Uint(v.minor(), UintKind::Uint64),
            "Patch" => Value::Uint(v.patch(), UintKind::Uint64),
            "IncPatch" => {
                if v.is_prerelease() {
                    self.derived(v.major(), v.minor(), v.patch(), "", "")
                } else {
                    self.derived(v.major(), v.minor(), v.patch() + 1, "", "")
                }
            }
            "IncMinor" => self.derived(v.major(), v.minor() + 1, 0, "", ""),
            "IncMajor" => self.derived(v.major() + 1, 0, 0, "", ""),
            "SetPrerelease" => return self.with_suffix(str_arg(args, 0), v.metadata()),
            "SetMetadata" => return self.with_suffix(v.prerelease(), str_arg(args, 0)),
            "LessThan" => Value::Bool(cmp().is_some_and(|o| o.is_lt())),
            "LessThanEqual" => Value::Bool(cmp().is_some_and(|o| o.is_le())),
            "GreaterThan" => Value::Bool(cmp().is_some_and(|o| o.is_gt())),
            "GreaterThanEqual" => Value::Bool(cmp().is_some_and(|o| o.is_ge())),
            "Equal" => Value::Bool(cmp().is_some_and(|o| o.is_eq())),
            "Compare" => match cmp() {
                Some(o) => Value::int(o as i64),
                // Go dereferences the nil *Version argument.
                None => return Err(super::conv::NIL_DEREF.into()),
            },
            _ => return Err(format!("{}.{name} is not implemented", self.type_name()).into()),
        })
    }

    fn format(&self, out: &mut String) {
        out.push_str(&self.version.to_string());
    }

    fn to_json(&self) -> Option<serde_json::Value> {
        Some(serde_json::Value::String(self.version.to_string()))
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        let other = other.as_any().downcast_ref::<SemVer>()?;
        Some(if self.pointer {
            // Pointers are equal only when they are the same pointer.
            std::ptr::eq(self, other)
        } else {
            self.version == other.version
                && self.version.metadata() == other.version.metadata()
                && self.version.original() == other.version.original()
        })
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

pub(super) fn register(m: &mut FuncMap) {
    m.add(
        "semver",
        "func(version string) (*semver.Version, error)",
        |_, a| {
            let version = Version::parse(str_arg(a, 0)).map_err(go_error)?;
            Ok(Value::object(SemVer {
                version,
                pointer: true,
            }))
        },
    );
    m.add(
        "semverCompare",
        "func(constraint, version string) (bool, error)",
        |_, a| {
            let c = Constraint::parse(str_arg(a, 0)).map_err(go_error)?;
            let v = Version::parse(str_arg(a, 1)).map_err(go_error)?;
            Ok(Value::Bool(c.check(&v)))
        },
    );
}
