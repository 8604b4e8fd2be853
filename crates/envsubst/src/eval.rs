//! Evaluation of a parsed template, with fluxcd/pkg `envsubst`'s string functions.
//!
//! Values are byte strings, as Go strings are: lengths and offsets (`${#var}`,
//! `${var:1:2}`) count bytes.

use crate::Error;
use crate::glob::{self, GlobError, Steps};
use crate::parse::{Node, decode};

pub(crate) struct Eval<'v> {
    /// The value of a variable and whether it is set.
    pub lookup: &'v dyn Fn(&str) -> (String, bool),
    /// Bytes that may be held at once: output and pending arguments together.
    pub limit: usize,
    pub live: usize,
    pub steps: Steps,
}

impl Eval<'_> {
    fn charge(&mut self, n: usize) -> Result<(), Error> {
        self.live = self.live.saturating_add(n);
        if self.live > self.limit {
            return Err(Error::TooLarge { limit: self.limit });
        }
        Ok(())
    }

    pub(crate) fn nodes(&mut self, nodes: &[Node], out: &mut Vec<u8>) -> Result<(), Error> {
        for node in nodes {
            self.node(node, out)?;
        }
        Ok(())
    }

    fn node(&mut self, node: &Node, out: &mut Vec<u8>) -> Result<(), Error> {
        match node {
            Node::Text(t) => {
                self.charge(t.len())?;
                out.extend_from_slice(t);
            }
            Node::Func { param, op, args } => {
                let mut values = Vec::with_capacity(args.len());
                for arg in args {
                    let mut buf = Vec::new();
                    self.node(arg, &mut buf)?;
                    values.push(buf);
                }
                let name = String::from_utf8_lossy(param);
                let (value, set) = (self.lookup)(&name);
                // Operators that supply a fallback handle an unset variable themselves;
                // every other use of an unset variable fails in strict mode.
                if !set && !is_default_op(op) {
                    return Err(Error::VariableNotSet(name.into_owned()));
                }
                let result = self.apply(op, value.as_bytes(), &values)?;
                self.live -= values.iter().map(Vec::len).sum::<usize>();
                self.charge(result.len())?;
                out.extend_from_slice(&result);
            }
        }
        Ok(())
    }

    /// Upstream's `lookupFunc` followed by the call: unknown operators (such as `,^`) give
    /// the value back, as does a plain `${var}`.
    fn apply(&mut self, op: &[u8], v: &[u8], args: &[Vec<u8>]) -> Result<Vec<u8>, Error> {
        let out = match op {
            b"," => map_first(v, false),
            b",," => map_all(v, false),
            b"^" => map_first(v, true),
            b"^^" => map_all(v, true),
            b"#" if args.is_empty() => v.len().to_string().into_bytes(),
            b"#" => self.trim(v, args, false, false)?,
            b"##" => self.trim(v, args, false, true)?,
            b"%" => self.trim(v, args, true, false)?,
            b"%%" => self.trim(v, args, true, true)?,
            b":" => substr(v, args),
            b"/#" => match args {
                [pattern, with] if v.starts_with(pattern) => {
                    let mut out = with.clone();
                    out.extend_from_slice(&v[pattern.len()..]);
                    out
                }
                _ => v.to_vec(),
            },
            b"/%" => match args {
                [pattern, with] if v.ends_with(pattern) => {
                    let mut out = v[..v.len() - pattern.len()].to_vec();
                    out.extend_from_slice(with);
                    out
                }
                _ => v.to_vec(),
            },
            b"/" => self.replace(v, args, Some(1))?,
            b"//" => self.replace(v, args, None)?,
            // `=`, `:=`, `:-`, `:?`, `:+`, the empty operator and anything else: the
            // arguments, joined, stand in for an empty value. (So `${var:+word}` is no
            // "alternate value": it is `word` only when `var` is empty.)
            _ => {
                if v.is_empty() && !args.is_empty() {
                    args.concat()
                } else {
                    v.to_vec()
                }
            }
        };
        Ok(out)
    }

    fn replace(&mut self, v: &[u8], args: &[Vec<u8>], n: Option<usize>) -> Result<Vec<u8>, Error> {
        let (old, new): (&[u8], &[u8]) = match args {
            [] => return Ok(v.to_vec()),
            [old] => (old, b""),
            [old, new, ..] => (old, new),
        };
        // Size the result before building it: a short value times a long replacement can
        // be large.
        let hits = match_offsets(v, old, n);
        let size = v.len() - hits.len() * old.len() + hits.len().saturating_mul(new.len());
        if self.live.saturating_add(size) > self.limit {
            return Err(Error::TooLarge { limit: self.limit });
        }
        let mut out = Vec::with_capacity(size);
        let mut last = 0;
        for at in hits {
            out.extend_from_slice(&v[last..at]);
            out.extend_from_slice(new);
            last = at + old.len();
        }
        out.extend_from_slice(&v[last..]);
        Ok(out)
    }

    /// `#`/`##` strip the shortest/longest prefix matching the pattern, `%`/`%%` the
    /// suffix (by matching the reversed pattern against the reversed value, as upstream).
    /// A malformed pattern leaves the value as it is.
    fn trim(
        &mut self,
        v: &[u8],
        args: &[Vec<u8>],
        suffix: bool,
        longest: bool,
    ) -> Result<Vec<u8>, Error> {
        let Some(pattern) = args.first() else {
            return Ok(v.to_vec());
        };
        let (value, pattern) = if suffix {
            (reverse(v), reverse(pattern))
        } else {
            (v.to_vec(), pattern.clone())
        };
        let mut cut = None;
        // Prefixes from the longest down; the empty prefix is never tried.
        for end in (1..=value.len()).rev() {
            match glob::matches(&pattern, &value[..end], &mut self.steps) {
                Ok(true) => {
                    cut = Some(end);
                    if longest {
                        break;
                    }
                }
                Ok(false) => {}
                Err(GlobError::BadPattern) => {
                    cut = None;
                    break;
                }
                Err(GlobError::TooExpensive) => return Err(Error::PatternTooExpensive),
            }
        }
        let trimmed = match cut {
            Some(end) => value[end..].to_vec(),
            None => value,
        };
        Ok(if suffix { reverse(&trimmed) } else { trimmed })
    }
}

fn is_default_op(op: &[u8]) -> bool {
    matches!(
        op,
        b"-" | b"+" | b"=" | b"?" | b":-" | b":+" | b":=" | b":?"
    )
}

/// Start offsets of the first `n` (or all) non-overlapping occurrences of `old`, as Go's
/// `strings.Replace` finds them; an empty `old` matches before every character and at the
/// end.
fn match_offsets(v: &[u8], old: &[u8], n: Option<usize>) -> Vec<usize> {
    let limit = n.unwrap_or(usize::MAX);
    let mut hits = Vec::new();
    if old.is_empty() {
        let mut at = 0;
        while hits.len() < limit {
            hits.push(at);
            if at >= v.len() {
                break;
            }
            at += decode(&v[at..]).1;
        }
        return hits;
    }
    let mut at = 0;
    while hits.len() < limit && at + old.len() <= v.len() {
        if &v[at..at + old.len()] == old {
            hits.push(at);
            at += old.len();
        } else {
            at += 1;
        }
    }
    hits
}

/// Go's `[]rune` reversal: invalid bytes become U+FFFD.
fn reverse(v: &[u8]) -> Vec<u8> {
    let mut chars = Vec::new();
    let mut at = 0;
    while at < v.len() {
        let (c, n) = decode(&v[at..]);
        chars.push(c);
        at += n;
    }
    chars.iter().rev().collect::<String>().into_bytes()
}

/// Go's simple (one-to-one) case mapping of a character, approximated with Rust's full
/// mapping: a mapping to several characters keeps the character as it is, except the one
/// such lower-case mapping (`İ`), whose simple form is its first character.
fn map_char(c: char, upper: bool) -> char {
    let mapped: Vec<char> = if upper {
        c.to_uppercase().collect()
    } else {
        c.to_lowercase().collect()
    };
    match mapped.as_slice() {
        [one] => *one,
        [first, ..] if !upper => *first,
        _ => c,
    }
}

fn map_all(v: &[u8], upper: bool) -> Vec<u8> {
    let mut out = String::with_capacity(v.len());
    let mut at = 0;
    while at < v.len() {
        let (c, n) = decode(&v[at..]);
        out.push(map_char(c, upper));
        at += n;
    }
    out.into_bytes()
}

fn map_first(v: &[u8], upper: bool) -> Vec<u8> {
    if v.is_empty() {
        return Vec::new();
    }
    let (c, n) = decode(v);
    let mut out = map_char(c, upper).to_string().into_bytes();
    out.extend_from_slice(&v[n..]);
    out
}

/// Go's `strconv.Atoi`: optional sign, decimal digits, nothing else.
fn atoi(b: &[u8]) -> Option<i64> {
    std::str::from_utf8(b).ok()?.parse::<i64>().ok()
}

/// `${var:offset}` / `${var:offset:length}` on bytes, with bash's treatment of negative
/// offsets (from the end) and lengths (up to that far from the end). Unparsable numbers
/// give the value back.
fn substr(v: &[u8], args: &[Vec<u8>]) -> Vec<u8> {
    let Some(first) = args.first() else {
        return v.to_vec();
    };
    let Some(pos) = atoi(first) else {
        return v.to_vec();
    };
    let len = v.len() as i64;
    let pos = if pos < 0 { (len + pos).max(0) } else { pos };
    let Some(second) = args.get(1) else {
        return if pos < len {
            v[pos as usize..].to_vec()
        } else {
            Vec::new()
        };
    };
    let Some(length) = atoi(second) else {
        return v.to_vec();
    };
    if length < 0 {
        let end = len + length;
        if end < pos {
            return Vec::new();
        }
        return v[pos as usize..end as usize].to_vec();
    }
    if pos.saturating_add(length) >= len {
        return if pos < len {
            v[pos as usize..].to_vec()
        } else {
            Vec::new()
        };
    }
    v[pos as usize..(pos + length) as usize].to_vec()
}
