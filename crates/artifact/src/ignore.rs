//! Source ignore rules with the semantics of Flux's `sourceignore` package, which
//! uses go-git's gitignore matcher (fluxcd/pkg `sourceignore/gitignore`, copied from
//! go-git v5.16). That matcher differs from git in places (a later `!pattern` can
//! re-include a file below an excluded directory, `**` handling); Flux users rely
//! on what Flux does, so this follows go-git rather than git.

use std::fs;
use std::io;
use std::path::Path;

use crate::{Error, Result};

/// The file Flux reads ignore rules from, in any directory of the source.
pub const IGNORE_FILE: &str = ".sourceignore";

const EXCLUDE_VCS: &str = ".git/,.gitignore,.gitmodules,.gitattributes";
const EXCLUDE_EXT: &str = "*.jpg,*.jpeg,*.gif,*.png,*.wmv,*.flv,*.tar.gz,*.zip";
const EXCLUDE_CI: &str = ".github/,.circleci/,.travis.yml,.gitlab-ci.yml,appveyor.yml,.drone.yml,cloudbuild.yaml,codeship-services.yml,codeship-steps.yml";
const EXCLUDE_EXTRA: &str = "**/.goreleaser.yml,**/.sops.yaml,**/.flux.yaml";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MatchResult {
    NoMatch,
    Exclude,
    Include,
}

/// One gitignore line, scoped to the directory (`domain`) it was read in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    domain: Vec<String>,
    pattern: Vec<String>,
    inclusion: bool,
    dir_only: bool,
    is_glob: bool,
}

impl Pattern {
    /// Parses a gitignore line as go-git's `ParsePattern`. `domain` is the directory
    /// of the file the line came from, as path components relative to the root.
    pub fn parse(line: &str, domain: &[String]) -> Pattern {
        let mut p = line;
        let inclusion = p.starts_with('!');
        if inclusion {
            p = &p[1..];
        }
        if !p.ends_with("\\ ") {
            p = p.trim_end_matches(' ');
        }
        let dir_only = p.ends_with('/');
        if dir_only {
            p = &p[..p.len() - 1];
        }
        Pattern {
            domain: domain.to_vec(),
            pattern: p.split('/').map(str::to_string).collect(),
            inclusion,
            dir_only,
            is_glob: p.contains('/'),
        }
    }

    fn matches(&self, path: &[&str], is_dir: bool) -> MatchResult {
        if path.len() <= self.domain.len() {
            return MatchResult::NoMatch;
        }
        if self.domain.iter().zip(path).any(|(d, p)| d != p) {
            return MatchResult::NoMatch;
        }
        let path = &path[self.domain.len()..];
        let hit = if self.is_glob {
            self.glob_match(path, is_dir)
        } else {
            self.simple_name_match(path, is_dir)
        };
        match (hit, self.inclusion) {
            (false, _) => MatchResult::NoMatch,
            (true, true) => MatchResult::Include,
            (true, false) => MatchResult::Exclude,
        }
    }

    fn simple_name_match(&self, path: &[&str], is_dir: bool) -> bool {
        for (i, name) in path.iter().enumerate() {
            if !glob::matches(&self.pattern[0], name) {
                continue;
            }
            return !(self.dir_only && !is_dir && i == path.len() - 1);
        }
        false
    }

    fn glob_match(&self, mut path: &[&str], is_dir: bool) -> bool {
        let mut matched = false;
        let mut can_traverse = false;
        for (i, pattern) in self.pattern.iter().enumerate() {
            if pattern.is_empty() {
                can_traverse = false;
                continue;
            }
            if pattern == "**" {
                if i == self.pattern.len() - 1 {
                    break;
                }
                can_traverse = true;
                continue;
            }
            if pattern.contains("**") {
                return false;
            }
            if path.is_empty() {
                return false;
            }
            if can_traverse {
                can_traverse = false;
                while let Some((first, rest)) = path.split_first() {
                    path = rest;
                    if glob::matches(pattern, first) {
                        matched = true;
                        break;
                    } else if path.is_empty() {
                        matched = false;
                    }
                }
            } else {
                if !glob::matches(pattern, path[0]) {
                    return false;
                }
                matched = true;
                path = &path[1..];
            }
        }
        if matched && self.dir_only && !is_dir && path.is_empty() {
            matched = false;
        }
        matched
    }
}

/// Patterns in increasing priority; the last pattern that matches decides.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    patterns: Vec<Pattern>,
}

impl Matcher {
    pub fn new(patterns: Vec<Pattern>) -> Matcher {
        Matcher { patterns }
    }

    /// True when the path (components relative to the root) is excluded.
    pub fn is_excluded(&self, path: &[&str], is_dir: bool) -> bool {
        for p in self.patterns.iter().rev() {
            match p.matches(path, is_dir) {
                MatchResult::NoMatch => {}
                r => return r == MatchResult::Exclude,
            }
        }
        false
    }
}

fn split_patterns(list: &str) -> Vec<Pattern> {
    list.split(',').map(|p| Pattern::parse(p, &[])).collect()
}

/// Flux's `VCSPatterns`: always excluded from Git sources.
pub fn vcs_patterns() -> Vec<Pattern> {
    split_patterns(EXCLUDE_VCS)
}

/// Flux's `DefaultPatterns` (media, archives, CI files); only used when the source
/// brings no ignore rules of its own.
pub fn default_patterns() -> Vec<Pattern> {
    split_patterns(&[EXCLUDE_EXT, EXCLUDE_CI, EXCLUDE_EXTRA].join(","))
}

/// Flux's `ReadPatterns`: one pattern per line, `#` comments and blank lines skipped.
pub fn read_patterns(text: &str, domain: &[String]) -> Vec<Pattern> {
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| Pattern::parse(l, domain))
        .collect()
}

/// Flux's `LoadIgnorePatterns`: every `.sourceignore` below `root` (except inside
/// `.git`), parents before children, siblings in name order, each scoped to its
/// directory. Symlinked directories and ignore files are not followed.
pub fn load_ignore_patterns(root: &Path) -> Result<Vec<Pattern>> {
    let mut out = Vec::new();
    // Depth-first with an explicit stack so deep trees cannot exhaust the call stack;
    // children are pushed in reverse so they pop in name order.
    let mut stack = vec![Vec::<String>::new()];
    while let Some(domain) = stack.pop() {
        let dir = domain.iter().fold(root.to_path_buf(), |p, c| p.join(c));
        let file = dir.join(IGNORE_FILE);
        match fs::symlink_metadata(&file) {
            Ok(m) if m.file_type().is_file() => {
                let text = fs::read(&file).map_err(|e| Error::io(&file, e))?;
                out.extend(read_patterns(&String::from_utf8_lossy(&text), &domain));
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&file, e)),
        }
        let mut children = Vec::new();
        for entry in fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))? {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let ft = entry.file_type().map_err(|e| Error::io(entry.path(), e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if ft.is_dir() && name != ".git" {
                children.push(name);
            }
        }
        children.sort();
        for name in children.into_iter().rev() {
            let mut d = domain.clone();
            d.push(name);
            stack.push(d);
        }
    }
    Ok(out)
}

/// Which paths of a directory go into an artifact.
#[derive(Debug, Clone)]
pub struct Filter {
    matcher: Option<Matcher>,
}

impl Filter {
    /// Archive everything (Flux's `nil` filter).
    pub fn none() -> Filter {
        Filter { matcher: None }
    }

    /// Flux's `SourceIgnoreFilter`: with no patterns, the VCS and default patterns
    /// apply; with any pattern, only the VCS patterns plus the given ones (so a
    /// `.sourceignore` or `spec.ignore` replaces the defaults rather than adding).
    pub fn source_ignore(patterns: Vec<Pattern>) -> Filter {
        let mut all = vcs_patterns();
        if patterns.is_empty() {
            all.extend(default_patterns());
        } else {
            all.extend(patterns);
        }
        Filter {
            matcher: Some(Matcher::new(all)),
        }
    }

    /// What source-controller uses for a GitRepository: the `.sourceignore` files
    /// under `root`, then `spec.ignore` (highest priority), through
    /// [`source_ignore`](Self::source_ignore).
    pub fn for_git_repository(root: &Path, spec_ignore: Option<&str>) -> Result<Filter> {
        let mut patterns = load_ignore_patterns(root)?;
        if let Some(text) = spec_ignore {
            patterns.extend(read_patterns(text, &[]));
        }
        Ok(Filter::source_ignore(patterns))
    }

    /// A filter with exactly these patterns and no defaults (Flux's `NewMatcher`,
    /// as used for Bucket sources).
    pub fn from_matcher(matcher: Matcher) -> Filter {
        Filter {
            matcher: Some(matcher),
        }
    }

    /// True when the path (components relative to the root) stays out.
    pub fn is_excluded(&self, path: &[&str], is_dir: bool) -> bool {
        self.matcher
            .as_ref()
            .is_some_and(|m| m.is_excluded(path, is_dir))
    }
}

/// Go's `path/filepath.Match` for one path component: `*`, `?`, `[...]` with `^`
/// negation and ranges, `\` escapes. A malformed pattern matches nothing, as it
/// does in go-git (which treats the error as no match).
mod glob {
    enum Token {
        Star,
        Any,
        Lit(char),
        Class {
            negated: bool,
            ranges: Vec<(char, char)>,
        },
    }

    fn escaped(chars: &[char], i: &mut usize) -> Option<char> {
        let c = *chars.get(*i)?;
        if c == '-' || c == ']' {
            return None;
        }
        *i += 1;
        if c == '\\' {
            let e = *chars.get(*i)?;
            *i += 1;
            return Some(e);
        }
        Some(c)
    }

    fn compile(pattern: &str) -> Option<Vec<Token>> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            i += 1;
            match c {
                '*' => {
                    if !matches!(tokens.last(), Some(Token::Star)) {
                        tokens.push(Token::Star);
                    }
                }
                '?' => tokens.push(Token::Any),
                '\\' => {
                    let e = *chars.get(i)?;
                    i += 1;
                    tokens.push(Token::Lit(e));
                }
                '[' => {
                    let negated = chars.get(i) == Some(&'^');
                    if negated {
                        i += 1;
                    }
                    let mut ranges = Vec::new();
                    loop {
                        if chars.get(i) == Some(&']') && !ranges.is_empty() {
                            i += 1;
                            break;
                        }
                        let lo = escaped(&chars, &mut i)?;
                        let mut hi = lo;
                        if chars.get(i) == Some(&'-') {
                            i += 1;
                            hi = escaped(&chars, &mut i)?;
                        }
                        ranges.push((lo, hi));
                    }
                    tokens.push(Token::Class { negated, ranges });
                }
                c => tokens.push(Token::Lit(c)),
            }
        }
        Some(tokens)
    }

    fn single(token: &Token, c: char) -> bool {
        match token {
            Token::Star => true,
            // Components never hold a separator, so these need not exclude '/'.
            Token::Any => true,
            Token::Lit(l) => *l == c,
            Token::Class { negated, ranges } => {
                ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi) != *negated
            }
        }
    }

    /// Linear-time wildcard matching with one backtrack point per star, so hostile
    /// patterns such as `*a*a*a*b` cannot blow up.
    pub(super) fn matches(pattern: &str, name: &str) -> bool {
        let Some(tokens) = compile(pattern) else {
            return false;
        };
        let name: Vec<char> = name.chars().collect();
        let (mut t, mut n) = (0, 0);
        let mut resume: Option<(usize, usize)> = None;
        while n < name.len() {
            match tokens.get(t) {
                Some(Token::Star) => {
                    resume = Some((t, n));
                    t += 1;
                }
                Some(tok) if single(tok, name[n]) => {
                    t += 1;
                    n += 1;
                }
                _ => match resume {
                    Some((st, sn)) => {
                        t = st + 1;
                        n = sn + 1;
                        resume = Some((st, sn + 1));
                    }
                    None => return false,
                },
            }
        }
        tokens[t..].iter().all(|tok| matches!(tok, Token::Star))
    }

    #[cfg(test)]
    mod tests {
        use super::matches;

        #[test]
        fn follows_go_filepath_match() {
            // From Go's path/filepath match_test.go (separator-free cases).
            let cases = [
                ("abc", "abc", true),
                ("*", "abc", true),
                ("*c", "abc", true),
                ("a*", "a", true),
                ("a*", "abc", true),
                ("a*/b", "abc/b", true),
                ("a*b*c*d*e*", "axbxcxdxe", true),
                ("a*b?c*x", "abxbbxdbxebxczzx", true),
                ("a*b?c*x", "abxbbxdbxebxczzy", false),
                ("ab[c]", "abc", true),
                ("ab[b-d]", "abc", true),
                ("ab[e-g]", "abc", false),
                ("ab[^c]", "abc", false),
                ("ab[^b-d]", "abc", false),
                ("ab[^e-g]", "abc", true),
                ("a\\*b", "a*b", true),
                ("a\\*b", "ab", false),
                ("a?b", "a☺b", true),
                ("a[^a]b", "a☺b", true),
                ("a???b", "a☺b", false),
                ("a[!a]b", "a☺b", false),
                ("a[^a][^a][^a]b", "a☺b", false),
                ("[a-ζ]*", "α", true),
                ("*[a-ζ]", "A", false),
                ("[\\]a]", "]", true),
                ("[\\-]", "-", true),
                ("[x\\-]", "x", true),
                ("[x\\-]", "-", true),
                ("[x\\-]", "z", false),
                ("[\\-x]", "x", true),
                ("[\\-x]", "-", true),
                ("[\\-x]", "a", false),
                ("[]a]", "]", false),
                ("[-]", "-", false),
                ("[x-]", "x", false),
                ("[x-]", "-", false),
                ("[-x]", "x", false),
                ("\\", "a", false),
                ("[a-b-c]", "a", false),
                ("[", "a", false),
                ("[^", "a", false),
                ("[^bc", "a", false),
                ("a[", "a", false),
                ("a[", "ab", false),
                ("a[", "x", false),
                ("a*", "ab", true),
                ("*x", "xxx", true),
            ];
            for (pattern, name, want) in cases {
                assert_eq!(matches(pattern, name), want, "{pattern:?} {name:?}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{MatchResult, Pattern};
    use MatchResult::{Exclude, Include, NoMatch};

    /// pattern, domain, path, is_dir, expected
    type Case = (
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
        bool,
        MatchResult,
    );

    /// go-git's pattern_test.go, as vendored in fluxcd/pkg sourceignore/gitignore.
    #[test]
    fn patterns_match_like_go_git() {
        #[rustfmt::skip]
        let cases: &[Case] = &[
            ("!vul?ano", &[], &["value", "vulkano", "tail"], false, Include),
            ("value", &["head", "middle", "tail"], &["head", "middle"], false, NoMatch),
            ("value", &["head", "middle", "tail"], &["head", "middle", "tail"], false, NoMatch),
            ("value", &["head", "middle", "tail"], &["head", "middle", "_tail_", "value"], false, NoMatch),
            ("middle/", &["value", "volcano"], &["value", "volcano", "middle", "tail"], false, Exclude),
            ("volcano/", &["value", "volcano"], &["value", "volcano", "tail"], true, NoMatch),
            ("value", &[], &["value", "tail"], false, Exclude),
            ("value", &[], &["head", "value", "tail"], false, Exclude),
            ("value", &[], &["head", "value"], false, Exclude),
            ("value/", &[], &["value", "tail"], false, Exclude),
            ("value/", &[], &["head", "value", "tail"], false, Exclude),
            ("value/", &[], &["head", "value"], true, Exclude),
            ("value/", &[], &["head", "value"], false, NoMatch),
            ("value", &[], &["head", "val", "tail"], false, NoMatch),
            ("val", &[], &["head", "value", "tail"], false, NoMatch),
            ("v*o", &[], &["value", "vulkano", "tail"], false, Exclude),
            ("vul?ano", &[], &["value", "vulkano", "tail"], false, Exclude),
            ("v[ou]l[kc]ano", &[], &["value", "volcano"], false, Exclude),
            ("v[ou]l[", &[], &["value", "vol["], false, NoMatch),
            ("/value/vul?ano", &[], &["value", "vulkano", "tail"], false, Exclude),
            ("middle/tail/", &["value", "volcano"], &["value", "volcano", "middle", "tail"], true, Exclude),
            ("volcano/tail", &["value", "volcano"], &["value", "volcano", "tail"], false, NoMatch),
            ("value/vul?ano", &[], &["value", "vulkano", "tail"], false, Exclude),
            ("value/vulkano", &[], &["value", "volcano"], false, NoMatch),
            ("value/vul?ano", &[], &["value"], false, NoMatch),
            ("/value/volcano", &[], &["value", "value", "volcano"], false, NoMatch),
            ("**/*lue/vol?ano", &[], &["value", "volcano", "tail"], false, Exclude),
            ("**/*lue/vol?ano", &[], &["head", "value", "volcano", "tail"], false, Exclude),
            ("**/*lue/vol?ano", &[], &["head", "value", "Volcano", "tail"], false, NoMatch),
            ("**/*lue/vol?ano/", &[], &["head", "value", "volcano", "tail"], false, Exclude),
            ("**/*lue/vol?ano/", &[], &["head", "value", "volcano"], true, Exclude),
            ("**/*lue/vol?ano/", &[], &["head", "value", "Colcano"], true, NoMatch),
            ("**/*lue/vol?ano/", &[], &["head", "value", "volcano"], false, NoMatch),
            ("/*lue/vol?ano/**", &[], &["value", "volcano", "tail", "moretail"], false, Exclude),
            ("/*lue/vol?ano/**", &[], &["value", "volcano"], false, Exclude),
            ("/*lue/**/vol?ano", &[], &["value", "volcano"], false, Exclude),
            ("/*lue/**/vol?ano", &[], &["value", "middle", "volcano"], false, Exclude),
            ("/*lue/**/vol?ano", &[], &["value", "middle1", "middle2", "volcano"], false, Exclude),
            ("/*lue/**/vol?ano/", &[], &["value", "middle1", "middle2", "volcano"], true, Exclude),
            ("/*lue/**/vol?ano/", &[], &["value", "middle1", "middle2", "volcano"], false, NoMatch),
            ("/*lue/**/vol?ano/", &[], &["value", "middle1", "middle2", "volcano", "tail"], false, Exclude),
            ("/*lue/**foo/vol?ano", &[], &["value", "foo", "volcano", "tail"], false, NoMatch),
            ("**/head/v[ou]l[kc]ano", &[], &["value", "head", "volcano"], false, Exclude),
            ("**/head/v[ou]l[", &[], &["value", "head", "vol["], false, NoMatch),
            ("/value/**/v[ou]l[", &[], &["value", "head", "vol["], false, NoMatch),
            ("**/android/**/GeneratedPluginRegistrant.java", &[],
                &["packages", "flutter_tools", "lib", "src", "android", "gradle.dart"], false, NoMatch),
        ];
        for (pattern, domain, path, is_dir, want) in cases {
            let domain: Vec<String> = domain.iter().map(|s| s.to_string()).collect();
            let got = Pattern::parse(pattern, &domain).matches(path, *is_dir);
            assert_eq!(got, *want, "{pattern:?} {domain:?} {path:?} dir={is_dir}");
        }
    }
}
