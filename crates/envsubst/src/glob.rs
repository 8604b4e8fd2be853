//! The shell patterns of `${var#pattern}` and friends: Go's `path.Match` as vendored by
//! drone/envsubst, where `*` and `?` also match `/`.
//!
//! Matching is bounded by a step budget shared by one substitution (SECURITY 22): the
//! trim operators try every prefix of the value, and a star backtracks over each one.

use crate::parse::decode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GlobError {
    /// A malformed pattern; the trim operators then leave the value as it is.
    BadPattern,
    /// The step budget ran out.
    TooExpensive,
}

/// Pattern-matching work allowed per substitution: far beyond any real template.
pub const MAX_MATCH_STEPS: u64 = 50_000_000;

pub(crate) struct Steps(pub u64);

impl Steps {
    fn take(&mut self) -> Result<(), GlobError> {
        if self.0 == 0 {
            return Err(GlobError::TooExpensive);
        }
        self.0 -= 1;
        Ok(())
    }
}

/// Whether `name` matches all of `pattern`.
pub(crate) fn matches(
    mut pattern: &[u8],
    mut name: &[u8],
    steps: &mut Steps,
) -> Result<bool, GlobError> {
    'pattern: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            // A trailing star takes the rest, slashes included.
            return Ok(true);
        }
        // Try the chunk here; as the last chunk it must also use up the name.
        let (t, ok) = match_chunk(chunk, name, steps)?;
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if star {
            // Let the star swallow one more byte at a time.
            for i in 0..name.len() {
                steps.take()?;
                let (t, ok) = match_chunk(chunk, &name[i + 1..], steps)?;
                if ok {
                    if pattern.is_empty() && !t.is_empty() {
                        continue;
                    }
                    name = t;
                    continue 'pattern;
                }
            }
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Splits off the next run of non-star pattern, with whether stars preceded it.
fn scan_chunk(mut pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let mut star = false;
    while pattern.first() == Some(&b'*') {
        pattern = &pattern[1..];
        star = true;
    }
    let mut in_range = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' if i + 1 < pattern.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (star, &pattern[..i], &pattern[i..])
}

/// Matches a star-free chunk against the start of `s`: the rest of `s` and whether it
/// matched.
fn match_chunk<'s>(
    mut chunk: &[u8],
    mut s: &'s [u8],
    steps: &mut Steps,
) -> Result<(&'s [u8], bool), GlobError> {
    while !chunk.is_empty() {
        steps.take()?;
        if s.is_empty() {
            return Ok((s, false));
        }
        match chunk[0] {
            b'[' => {
                let (r, n) = decode(s);
                s = &s[n..];
                chunk = &chunk[1..];
                let mut negated = false;
                if chunk.first() == Some(&b'^') {
                    negated = true;
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut ranges = 0;
                loop {
                    if chunk.first() == Some(&b']') && ranges > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = class_char(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if chunk[0] == b'-' {
                        let (h, rest) = class_char(&chunk[1..])?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    ranges += 1;
                }
                if matched == negated {
                    return Ok((s, false));
                }
            }
            b'?' => {
                let (_, n) = decode(s);
                s = &s[n..];
                chunk = &chunk[1..];
            }
            c => {
                let literal = if c == b'\\' {
                    chunk = &chunk[1..];
                    *chunk.first().ok_or(GlobError::BadPattern)?
                } else {
                    c
                };
                if literal != s[0] {
                    return Ok((s, false));
                }
                s = &s[1..];
                chunk = &chunk[1..];
            }
        }
    }
    Ok((s, true))
}

/// One possibly escaped character of a class; the class must go on after it.
fn class_char(chunk: &[u8]) -> Result<(char, &[u8]), GlobError> {
    let mut chunk = chunk;
    match chunk.first() {
        None | Some(b'-' | b']') => return Err(GlobError::BadPattern),
        Some(b'\\') => {
            chunk = &chunk[1..];
            if chunk.is_empty() {
                return Err(GlobError::BadPattern);
            }
        }
        _ => {}
    }
    let (r, n) = decode(chunk);
    if r == char::REPLACEMENT_CHARACTER && n == 1 {
        return Err(GlobError::BadPattern);
    }
    let rest = &chunk[n..];
    if rest.is_empty() {
        return Err(GlobError::BadPattern);
    }
    Ok((r, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, n: &str) -> Result<bool, GlobError> {
        matches(p.as_bytes(), n.as_bytes(), &mut Steps(MAX_MATCH_STEPS))
    }

    #[test]
    fn stars_and_questions_cross_slashes() {
        assert_eq!(m("*", "a/b"), Ok(true));
        assert_eq!(m("a?b", "a/b"), Ok(true));
        assert_eq!(m("*/", "path/to/"), Ok(true));
        assert_eq!(m("*.", "bash.string."), Ok(true));
        assert_eq!(m("*.txt", "a.txt.gz"), Ok(false));
    }

    #[test]
    fn classes_and_escapes() {
        assert_eq!(m("[a-c]x", "bx"), Ok(true));
        assert_eq!(m("[^a-c]x", "bx"), Ok(false));
        assert_eq!(m("\\*", "*"), Ok(true));
        assert_eq!(m("[", "a"), Err(GlobError::BadPattern));
        assert_eq!(m("a\\", "a"), Ok(false));
        assert_eq!(m("\\", "a"), Err(GlobError::BadPattern));
    }

    #[test]
    fn runs_out_of_steps_on_pathological_patterns() {
        let name = "a".repeat(5_000);
        let r = matches(b"*a*a*a*a*b", name.as_bytes(), &mut Steps(1_000));
        assert_eq!(r, Err(GlobError::TooExpensive));
    }
}
