//! `.helmignore`: gitignore-like rules matched with Go's `filepath.Match`, with Helm's
//! quirks kept (no `**`, a trailing `/` only matches directories, `/`-anchored rules).

use crate::gomatch::path_match;
use crate::{Error, Result};

pub const HELM_IGNORE: &str = ".helmignore";

#[derive(Debug, Clone, Default)]
pub struct Rules {
    patterns: Vec<Pattern>,
}

#[derive(Debug, Clone)]
struct Pattern {
    rule: String,
    kind: Kind,
    negate: bool,
    must_dir: bool,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    /// A rule with a `/` is matched against the whole relative path.
    Path,
    /// A rule without `/` is matched against the base name.
    Base,
}

impl Rules {
    pub fn empty() -> Rules {
        Rules::default()
    }

    /// Parses a `.helmignore` file, one rule a line; `#` starts a comment line.
    pub fn parse(text: &str) -> Result<Rules> {
        let mut rules = Rules::empty();
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for line in text.split('\n') {
            rules.parse_rule(line)?;
        }
        Ok(rules)
    }

    /// Helm always ignores dot files under `templates/`.
    pub fn add_defaults(&mut self) {
        self.parse_rule("templates/.?*")
            .expect("the default rule is valid");
    }

    fn parse_rule(&mut self, rule: &str) -> Result<()> {
        let mut rule = rule.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err(Error::Chart(
                "double-star (**) syntax is not supported".into(),
            ));
        }
        path_match(rule, "abc").map_err(|e| Error::Chart(e.to_string()))?;
        let negate = rule.starts_with('!');
        if negate {
            rule = &rule[1..];
        }
        let must_dir = rule.ends_with('/');
        if must_dir {
            rule = &rule[..rule.len() - 1];
        }
        let (rule, kind) = if let Some(anchored) = rule.strip_prefix('/') {
            (anchored, Kind::Path)
        } else if rule.contains('/') {
            (rule, Kind::Path)
        } else {
            (rule, Kind::Base)
        };
        self.patterns.push(Pattern {
            rule: rule.to_string(),
            kind,
            negate,
            must_dir,
        });
        Ok(())
    }

    /// Whether `path` (relative, `/`-separated) is ignored.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for p in &self.patterns {
            let subject = match p.kind {
                Kind::Path => path,
                Kind::Base => base(path),
            };
            let matched = path_match(&p.rule, subject).unwrap_or(false);
            if p.negate {
                // Helm's reading of a negated directory rule: any non-directory is ignored.
                if p.must_dir && !is_dir {
                    return true;
                }
                if !matched {
                    return true;
                }
                continue;
            }
            if p.must_dir && !is_dir {
                continue;
            }
            if matched {
                return true;
            }
        }
        false
    }
}

/// Go's `filepath.Base`.
fn base(p: &str) -> &str {
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return if p.is_empty() { "." } else { "/" };
    }
    t.rsplit('/').next().unwrap_or(t)
}
