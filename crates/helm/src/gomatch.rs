//! Go's two glob dialects used by Helm: `path/filepath.Match` (`.helmignore`) and
//! gobwas/glob with `/` as separator (`.Files.Glob`).

/// `filepath.Match`'s only error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadPattern;

impl std::fmt::Display for BadPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("syntax error in pattern")
    }
}

fn decode_rune(b: &[u8]) -> (u32, usize) {
    if b.is_empty() {
        return (0xFFFD, 0);
    }
    let len = match b[0] {
        0x00..=0x7F => return (u32::from(b[0]), 1),
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => return (0xFFFD, 1),
    };
    match b.get(..len).and_then(|p| std::str::from_utf8(p).ok()) {
        Some(s) => (s.chars().next().map_or(0xFFFD, u32::from), len),
        None => (0xFFFD, 1),
    }
}

/// `filepath.Match` on Unix: `*` and `?` never match `/`.
pub(crate) fn path_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let mut pattern = pattern.as_bytes();
    let mut name = name.as_bytes();
    'outer: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(!name.contains(&b'/'));
        }
        let (t, ok, err) = match_chunk(chunk, name);
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if let Some(e) = err {
            return Err(e);
        }
        if star {
            let mut i = 0;
            while i < name.len() && name[i] != b'/' {
                let (t, ok, err) = match_chunk(chunk, &name[i + 1..]);
                if ok {
                    if pattern.is_empty() && !t.is_empty() {
                        i += 1;
                        continue;
                    }
                    name = t;
                    continue 'outer;
                }
                if let Some(e) = err {
                    return Err(e);
                }
                i += 1;
            }
        }
        // A mismatch still reports a malformed remainder, as Go does.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            if let (_, _, Some(e)) = match_chunk(chunk, b"") {
                return Err(e);
            }
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

fn scan_chunk(mut pattern: &[u8]) -> (bool, &[u8], &[u8]) {
    let mut star = false;
    while pattern.first() == Some(&b'*') {
        pattern = &pattern[1..];
        star = true;
    }
    let mut inrange = false;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' if i + 1 < pattern.len() => i += 1,
            b'[' => inrange = true,
            b']' => inrange = false,
            b'*' if !inrange => break,
            _ => {}
        }
        i += 1;
    }
    (star, &pattern[..i], &pattern[i..])
}

fn match_chunk<'a>(mut chunk: &[u8], mut s: &'a [u8]) -> (&'a [u8], bool, Option<BadPattern>) {
    let mut failed = false;
    while !chunk.is_empty() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match chunk[0] {
            b'[' => {
                let mut r = 0u32;
                if !failed {
                    let (rr, n) = decode_rune(s);
                    r = rr;
                    s = &s[n..];
                }
                chunk = &chunk[1..];
                let mut negated = false;
                if chunk.first() == Some(&b'^') {
                    negated = true;
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut nrange = 0;
                loop {
                    if chunk.first() == Some(&b']') && nrange > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = match get_esc(chunk) {
                        Ok(v) => v,
                        Err(e) => return (b"", false, Some(e)),
                    };
                    chunk = rest;
                    let mut hi = lo;
                    if chunk[0] == b'-' {
                        match get_esc(&chunk[1..]) {
                            Ok((h, rest)) => {
                                hi = h;
                                chunk = rest;
                            }
                            Err(e) => return (b"", false, Some(e)),
                        }
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    nrange += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            b'?' => {
                if !failed {
                    if s[0] == b'/' {
                        failed = true;
                    }
                    let (_, n) = decode_rune(s);
                    s = &s[n..];
                }
                chunk = &chunk[1..];
            }
            c => {
                let c = if c == b'\\' {
                    chunk = &chunk[1..];
                    match chunk.first() {
                        Some(c) => *c,
                        None => return (b"", false, Some(BadPattern)),
                    }
                } else {
                    c
                };
                if !failed {
                    if c != s[0] {
                        failed = true;
                    }
                    s = &s[1..];
                }
                chunk = &chunk[1..];
            }
        }
    }
    if failed {
        (b"", false, None)
    } else {
        (s, true, None)
    }
}

fn get_esc(mut chunk: &[u8]) -> Result<(u32, &[u8]), BadPattern> {
    if chunk.is_empty() || chunk[0] == b'-' || chunk[0] == b']' {
        return Err(BadPattern);
    }
    if chunk[0] == b'\\' {
        chunk = &chunk[1..];
        if chunk.is_empty() {
            return Err(BadPattern);
        }
    }
    let (r, n) = decode_rune(chunk);
    if r == 0xFFFD && n == 1 {
        return Err(BadPattern);
    }
    let rest = &chunk[n..];
    if rest.is_empty() {
        return Err(BadPattern);
    }
    Ok((r, rest))
}

/// A compiled gobwas/glob pattern (separator `/`).
#[derive(Debug, Clone)]
pub(crate) struct Glob {
    tokens: Vec<Tok>,
}

#[derive(Debug, Clone)]
enum Tok {
    Lit(char),
    /// `*`: any run of non-separators.
    Star,
    /// `**`: any run.
    Super,
    /// `?`: one non-separator.
    Any,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    Alt(Vec<Vec<Tok>>),
}

impl Glob {
    pub(crate) fn compile(pattern: &str) -> Option<Glob> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut pos = 0;
        let tokens = parse_glob(&chars, &mut pos, false)?;
        if pos != chars.len() {
            return None;
        }
        Some(Glob { tokens })
    }

    pub(crate) fn matches(&self, s: &str) -> bool {
        let chars: Vec<char> = s.chars().collect();
        let mut budget = 1_000_000u32;
        glob_match(&self.tokens, &chars, &mut budget)
    }
}

fn parse_glob(p: &[char], pos: &mut usize, in_alt: bool) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    while *pos < p.len() {
        let c = p[*pos];
        match c {
            '*' => {
                if p.get(*pos + 1) == Some(&'*') {
                    *pos += 2;
                    out.push(Tok::Super);
                } else {
                    *pos += 1;
                    out.push(Tok::Star);
                }
            }
            '?' => {
                *pos += 1;
                out.push(Tok::Any);
            }
            '\\' => {
                let next = *p.get(*pos + 1)?;
                *pos += 2;
                out.push(Tok::Lit(next));
            }
            '[' => {
                *pos += 1;
                let negated = p.get(*pos) == Some(&'!');
                if negated {
                    *pos += 1;
                }
                let mut ranges = Vec::new();
                loop {
                    let c = *p.get(*pos)?;
                    if c == ']' {
                        *pos += 1;
                        break;
                    }
                    if p.get(*pos + 1) == Some(&'-') && p.get(*pos + 2).is_some_and(|c| *c != ']') {
                        ranges.push((c, p[*pos + 2]));
                        *pos += 3;
                    } else {
                        ranges.push((c, c));
                        *pos += 1;
                    }
                }
                if ranges.is_empty() {
                    return None;
                }
                out.push(Tok::Class { negated, ranges });
            }
            '{' => {
                *pos += 1;
                let mut alts = Vec::new();
                loop {
                    alts.push(parse_glob(p, pos, true)?);
                    match p.get(*pos)? {
                        ',' => *pos += 1,
                        '}' => {
                            *pos += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
                out.push(Tok::Alt(alts));
            }
            ',' | '}' if in_alt => return Some(out),
            '}' | ']' => return None,
            _ => {
                *pos += 1;
                out.push(Tok::Lit(c));
            }
        }
    }
    if in_alt { None } else { Some(out) }
}

fn glob_match(toks: &[Tok], s: &[char], budget: &mut u32) -> bool {
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    let Some((first, rest)) = toks.split_first() else {
        return s.is_empty();
    };
    match first {
        Tok::Lit(c) => s.first() == Some(c) && glob_match(rest, &s[1..], budget),
        Tok::Any => s.first().is_some_and(|c| *c != '/') && glob_match(rest, &s[1..], budget),
        Tok::Class { negated, ranges } => {
            s.first().is_some_and(|c| {
                let inside = ranges.iter().any(|(lo, hi)| lo <= c && c <= hi);
                inside != *negated
            }) && glob_match(rest, &s[1..], budget)
        }
        Tok::Star | Tok::Super => {
            let mut i = 0;
            loop {
                if glob_match(rest, &s[i..], budget) {
                    return true;
                }
                if i == s.len() || (matches!(first, Tok::Star) && s[i] == '/') {
                    return false;
                }
                i += 1;
            }
        }
        Tok::Alt(alts) => alts.iter().any(|alt| {
            let mut joined = alt.clone();
            joined.extend_from_slice(rest);
            glob_match(&joined, s, budget)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_match_follows_go() {
        assert_eq!(path_match("*.txt", "a.txt"), Ok(true));
        assert_eq!(path_match("*.txt", "d/a.txt"), Ok(false));
        assert_eq!(path_match("a/*/c", "a/b/c"), Ok(true));
        assert_eq!(path_match("[a-c]?", "bz"), Ok(true));
        assert_eq!(path_match("[^a-c]?", "bz"), Ok(false));
        assert_eq!(path_match("a\\*", "a*"), Ok(true));
        assert_eq!(path_match("[", "a"), Err(BadPattern));
        assert_eq!(path_match("x[", "a"), Err(BadPattern));
        assert_eq!(path_match(".?*", ".git"), Ok(true));
        assert_eq!(path_match(".?*", "."), Ok(false));
    }

    #[test]
    fn glob_follows_gobwas() {
        let g = Glob::compile("files/*.txt").unwrap();
        assert!(g.matches("files/a.txt"));
        assert!(!g.matches("files/x/a.txt"));
        let g = Glob::compile("**.{yaml,yml}").unwrap();
        assert!(g.matches("a/b/c.yml"));
        assert!(!g.matches("a/b/c.json"));
        assert!(Glob::compile("[!a]?").unwrap().matches("bc"));
        assert!(Glob::compile("{a").is_none());
    }
}
