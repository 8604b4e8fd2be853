//! Sprig's `regex*` functions. Go's `regexp` and the `regex` crate share RE2 syntax
//! and leftmost-first semantics; what differs is translated before compiling:
//! Perl classes (`\d \s \w`) and `\b` are ASCII-only in Go, `\Q…\E` quoting and octal
//! escapes (`\101`) exist only in Go, Go reads an invalid `{` repetition (`a{,3}`, `a{x`) literally, and
//! `[` and `&&`/`--`/`~~` are plain characters inside a Go class. Syntax errors are
//! reported with Go's codes (`error parsing regexp: missing closing ): ...`).

use std::collections::HashMap;
use std::sync::Mutex;

use regex::Regex;
use regex_syntax::ast::ErrorKind;

use super::conv::{int_arg, str_arg};
use crate::func::{FuncError, FuncMap};
use crate::value::{List, Type, Value};

/// Whether `s` (just after a `{`) is a Go repetition `n}`, `n,}` or `n,m}`.
fn valid_repeat(s: &str) -> bool {
    let Some(end) = s.find('}') else {
        return false;
    };
    let body = &s[..end];
    let (lo, hi) = match body.split_once(',') {
        Some((lo, hi)) => (lo, Some(hi)),
        None => (body, None),
    };
    !lo.is_empty()
        && lo.bytes().all(|b| b.is_ascii_digit())
        && hi.is_none_or(|h| h.bytes().all(|b| b.is_ascii_digit()))
}

fn push_literal(out: &mut String, c: char) {
    if regex_syntax::is_meta_character(c) {
        out.push('\\');
    }
    out.push(c);
}

/// Go's POSIX class names (`[[:alpha:]]`).
const POSIX_CLASSES: [&str; 14] = [
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

/// Marks a group name rewritten for the `regex` crate: `__go{index}_{go name}`.
const ALIAS_PREFIX: &str = "__go";

/// The Go name of a capture group, undoing the aliasing of [`translate`].
fn go_group_name(name: &str) -> &str {
    name.strip_prefix(ALIAS_PREFIX)
        .and_then(|rest| rest.split_once('_'))
        .filter(|(index, _)| !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()))
        .map_or(name, |(_, go)| go)
}

/// Rewrites a Go pattern into an equivalent `regex` crate pattern.
fn translate(pattern: &str) -> Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut i = 0;
    let mut group_names: Vec<String> = Vec::new();
    // The last plain character of the current class, which a `-` may extend to a range.
    let mut class_prev: Option<char> = None;
    let mut in_class = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            class_prev = None;
            let e = chars[i + 1];
            i += 2;
            if e == 'Q' {
                while i < chars.len() {
                    if chars[i] == '\\' && chars.get(i + 1) == Some(&'E') {
                        i += 2;
                        break;
                    }
                    push_literal(&mut out, chars[i]);
                    i += 1;
                }
                continue;
            }
            // Go reads `\0`, `\0nn` and `\nnn` (up to three octal digits) as a character
            // code; a lone `\1`..`\7` stays a (rejected) backreference.
            let is_octal = |c: &char| ('0'..='7').contains(c);
            if e == '0' || (('1'..='7').contains(&e) && chars.get(i).is_some_and(is_octal)) {
                let mut code = e.to_digit(8).expect("octal digit");
                let mut taken = 0;
                while taken < 2 && chars.get(i).is_some_and(is_octal) {
                    code = code * 8 + chars[i].to_digit(8).expect("octal digit");
                    i += 1;
                    taken += 1;
                }
                out.push_str(&format!("\\x{{{code:X}}}"));
                continue;
            }
            let replacement = match (in_class, e) {
                (false, 'd') => "[0-9]",
                (false, 'D') => "[^0-9]",
                (false, 's') => r"[\t\n\x0C\r ]",
                (false, 'S') => r"[^\t\n\x0C\r ]",
                (false, 'w') => "[0-9A-Za-z_]",
                (false, 'W') => "[^0-9A-Za-z_]",
                (false, 'b') => r"(?-u:\b)",
                (false, 'B') => r"(?-u:\B)",
                (true, 'd') => "0-9",
                (true, 'D') => "[^0-9]",
                (true, 's') => r"\t\n\x0C\r ",
                (true, 'S') => r"[^\t\n\x0C\r ]",
                (true, 'w') => "0-9A-Za-z_",
                (true, 'W') => "[^0-9A-Za-z_]",
                _ => {
                    out.push('\\');
                    out.push(e);
                    // `\p{Greek}` and `\x{e9}` carry their braces along.
                    if matches!(e, 'p' | 'P' | 'x') && chars.get(i) == Some(&'{') {
                        while i < chars.len() {
                            out.push(chars[i]);
                            i += 1;
                            if chars[i - 1] == '}' {
                                break;
                            }
                        }
                    }
                    continue;
                }
            };
            out.push_str(replacement);
            continue;
        }
        if in_class {
            match c {
                ']' => {
                    in_class = false;
                    out.push(']');
                }
                '[' if chars.get(i + 1) == Some(&':') => {
                    // A POSIX class `[:alpha:]`, copied whole; Go rejects unknown names
                    // where the `regex` crate would read the brackets as characters.
                    let rest: String = chars[i..].iter().collect();
                    match rest.find(":]") {
                        Some(end) => {
                            let class = &rest[..end + 2];
                            let name = class[2..class.len() - 2].trim_start_matches('^');
                            if !POSIX_CLASSES.contains(&name) {
                                return Err(format!(
                                    "error parsing regexp: invalid character class range: `{class}`"
                                ));
                            }
                            out.push_str(class);
                            i += class.chars().count();
                            continue;
                        }
                        None => out.push_str(r"\["),
                    }
                }
                '[' | '&' | '~' => {
                    out.push('\\');
                    out.push(c);
                    class_prev = Some(c);
                }
                // A Go range `lo-hi`: checked here, since the `regex` crate reads `--`
                // as set difference rather than a range ending at `-`.
                '-' if class_prev.is_some()
                    && chars
                        .get(i + 1)
                        .is_some_and(|n| !matches!(n, ']' | '\\' | '[')) =>
                {
                    let (lo, hi) = (class_prev.take().expect("checked"), chars[i + 1]);
                    if lo > hi {
                        return Err(format!(
                            "error parsing regexp: invalid character class range: `{lo}-{hi}`"
                        ));
                    }
                    out.push('-');
                    if matches!(hi, '-' | '&' | '~' | '^') {
                        out.push('\\');
                    }
                    out.push(hi);
                    i += 2;
                    continue;
                }
                '-' if chars.get(i + 1) == Some(&'-') => {
                    out.push_str(r"\-");
                    class_prev = Some('-');
                }
                _ => {
                    out.push(c);
                    class_prev = Some(c);
                }
            }
            i += 1;
            continue;
        }
        match c {
            '(' if chars.get(i + 1) == Some(&'?') => {
                // Named groups: Go allows names that start with a digit and repeated
                // names; the `regex` crate does not, so those get a private alias that
                // `replace_all` maps back.
                let rest: String = chars[i + 2..].iter().collect();
                let after = rest.strip_prefix("P<").or_else(|| rest.strip_prefix('<'));
                if let Some(after) = after
                    && let Some(end) = after.find('>')
                    && !after[..end].is_empty()
                    && after[..end]
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    let name = &after[..end];
                    let alias = name.as_bytes()[0].is_ascii_digit()
                        || group_names.iter().any(|n| n == name);
                    let written = if alias {
                        format!("{ALIAS_PREFIX}{}_{name}", group_names.len())
                    } else {
                        name.to_string()
                    };
                    out.push_str(&format!("(?P<{written}>"));
                    group_names.push(name.to_string());
                    i += 2 + (rest.len() - after.len()) + end + 1;
                    continue;
                }
                out.push(c);
            }
            '[' => {
                in_class = true;
                class_prev = None;
                out.push('[');
                i += 1;
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                // A `]` first in a class is a literal, in both dialects.
                if chars.get(i) == Some(&']') {
                    out.push_str(r"\]");
                    class_prev = Some(']');
                    i += 1;
                }
                continue;
            }
            '{' => {
                let rest: String = chars[i + 1..].iter().collect();
                let after_atom = i > 0 && !matches!(chars[i - 1], '(' | '|');
                if valid_repeat(&rest) && after_atom {
                    out.push('{');
                } else {
                    out.push_str(r"\{");
                }
            }
            _ => out.push(c),
        }
        i += 1;
    }
    Ok(out)
}

/// The repetition rules Go enforces and the `regex` crate does not: no stacked
/// operators (`a**`, `a{2}*`) and counts of at most 1000.
fn go_repeat_error(pattern: &str) -> Option<String> {
    let b = pattern.as_bytes();
    let mut i = 0;
    let mut in_class = false;
    // Where the previous repetition operator began, if the last token was one.
    let mut last_repeat: Option<usize> = None;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' {
            if b.get(i + 1) == Some(&b'Q') {
                match pattern[i + 2..].find("\\E") {
                    Some(e) => i += 2 + e + 2,
                    None => i = b.len(),
                }
            } else {
                i += 2;
            }
            last_repeat = None;
            continue;
        }
        if in_class {
            if c == b']' {
                in_class = false;
            } else if c == b'['
                && b.get(i + 1) == Some(&b':')
                && let Some(e) = pattern[i..].find(":]")
            {
                i += e + 2;
                continue;
            }
            i += 1;
            continue;
        }
        let start = i;
        let op_end = match c {
            b'*' | b'+' | b'?' => Some(i + 1),
            b'{' if valid_repeat(&pattern[i + 1..]) => {
                let end = i + pattern[i..].find('}').expect("valid repeat has a brace");
                let body = &pattern[i + 1..end];
                if body
                    .split(',')
                    .any(|n| n.parse::<u32>().map_or(!n.is_empty(), |n| n > 1000))
                {
                    return Some(format!(
                        "error parsing regexp: invalid repeat count: `{}`",
                        &pattern[i..=end]
                    ));
                }
                Some(end + 1)
            }
            _ => None,
        };
        match op_end {
            Some(mut end) => {
                if b.get(end) == Some(&b'?') {
                    end += 1;
                }
                if let Some(prev) = last_repeat {
                    return Some(format!(
                        "error parsing regexp: invalid nested repetition operator: `{}`",
                        &pattern[prev..end]
                    ));
                }
                last_repeat = Some(start);
                i = end;
            }
            None => {
                if c == b'[' {
                    in_class = true;
                    if b.get(i + 1) == Some(&b'^') {
                        i += 1;
                    }
                    if b.get(i + 1) == Some(&b']') {
                        i += 1;
                    }
                }
                last_repeat = None;
                i += 1;
            }
        }
    }
    None
}

/// Go's `syntax.Error` text for a pattern the parser rejects.
fn go_syntax_error(pattern: &str) -> Option<String> {
    let err = regex_syntax::ast::parse::Parser::new()
        .parse(pattern)
        .err()?;
    let span = err.span();
    let text = pattern
        .get(span.start.offset..span.end.offset)
        .unwrap_or("");
    // Go quotes group syntax from its `(?` to the offending character.
    let group_start = pattern[..span.start.offset.min(pattern.len())]
        .rfind("(?")
        .unwrap_or(span.start.offset);
    let (code, expr): (&str, String) = match err.kind() {
        ErrorKind::GroupUnclosed => ("missing closing )", pattern.to_string()),
        ErrorKind::GroupUnopened => ("unexpected )", pattern.to_string()),
        ErrorKind::ClassUnclosed => (
            "missing closing ]",
            pattern[span.start.offset..].to_string(),
        ),
        ErrorKind::ClassRangeInvalid => ("invalid character class range", text.to_string()),
        ErrorKind::ClassEscapeInvalid
        | ErrorKind::EscapeUnrecognized
        | ErrorKind::EscapeHexInvalid
        | ErrorKind::EscapeHexInvalidDigit
        | ErrorKind::EscapeHexEmpty => ("invalid escape sequence", text.to_string()),
        ErrorKind::UnsupportedBackreference => ("invalid escape sequence", text.to_string()),
        ErrorKind::EscapeUnexpectedEof => {
            ("trailing backslash at end of expression", String::new())
        }
        ErrorKind::RepetitionMissing => {
            let op: String = pattern[span.start.offset..].chars().take(1).collect();
            ("missing argument to repetition operator", op)
        }
        ErrorKind::RepetitionCountInvalid => ("invalid repeat count", text.to_string()),
        ErrorKind::GroupNameInvalid
        | ErrorKind::GroupNameEmpty
        | ErrorKind::GroupNameDuplicate { .. }
        | ErrorKind::GroupNameUnexpectedEof => {
            let end = pattern[span.start.offset..]
                .find('>')
                .map_or(pattern.len(), |e| span.start.offset + e + 1);
            (
                "invalid named capture",
                pattern[group_start..end].to_string(),
            )
        }
        ErrorKind::FlagUnrecognized
        | ErrorKind::FlagDanglingNegation
        | ErrorKind::FlagDuplicate { .. }
        | ErrorKind::FlagRepeatedNegation { .. }
        | ErrorKind::FlagUnexpectedEof => (
            "invalid or unsupported Perl syntax",
            pattern[group_start..span.end.offset.max(group_start)].to_string(),
        ),
        ErrorKind::NestLimitExceeded(_) => ("expression nests too deeply", pattern.to_string()),
        _ => ("invalid or unsupported Perl syntax", text.to_string()),
    };
    Some(format!("error parsing regexp: {code}: `{expr}`"))
}

/// Go's text for errors the `regex` crate finds only when translating the parsed
/// pattern (unknown Unicode classes, invalid class ranges).
fn go_translate_error(pattern: &str) -> Option<String> {
    use regex_syntax::hir::ErrorKind as Hir;
    let err = match regex_syntax::Parser::new().parse(pattern).err()? {
        regex_syntax::Error::Translate(e) => e,
        _ => return None,
    };
    let span = err.span();
    let text = pattern
        .get(span.start.offset..span.end.offset)
        .unwrap_or("");
    let code = match err.kind() {
        Hir::UnicodePropertyNotFound | Hir::UnicodePropertyValueNotFound => {
            "invalid character class range"
        }
        Hir::UnicodeNotAllowed | Hir::InvalidUtf8 => "invalid UTF-8",
        _ => return None,
    };
    Some(format!("error parsing regexp: {code}: `{text}`"))
}

/// `regexp.Compile`, remembered: charts call `regexReplaceAll` with the same few patterns
/// inside loops and helpers, and compiling was a tenth of a bitnami chart's render time.
fn compile(pattern: &str) -> Result<Regex, String> {
    /// Patterns are chart text, so the cache is bounded; it starts over when full.
    const CACHE_SIZE: usize = 64;
    static CACHE: Mutex<Option<HashMap<String, Result<Regex, String>>>> = Mutex::new(None);
    if let Some(hit) = CACHE
        .lock()
        .ok()
        .and_then(|c| c.as_ref()?.get(pattern).cloned())
    {
        return hit;
    }
    let compiled = compile_uncached(pattern);
    if let Ok(mut cache) = CACHE.lock() {
        let cache = cache.get_or_insert_with(HashMap::new);
        if cache.len() >= CACHE_SIZE {
            cache.clear();
        }
        cache.insert(pattern.to_string(), compiled.clone());
    }
    compiled
}

fn compile_uncached(pattern: &str) -> Result<Regex, String> {
    if let Some(e) = go_repeat_error(pattern) {
        return Err(e);
    }
    Regex::new(&translate(pattern)?).map_err(|e| {
        match go_syntax_error(pattern).or_else(|| go_translate_error(pattern)) {
            Some(go) => go,
            None => match e {
                regex::Error::CompiledTooBig(_) => {
                    format!("error parsing regexp: expression too large: `{pattern}`")
                }
                other => format!("error parsing regexp: {other}"),
            },
        }
    })
}

/// `regexp.MustCompile`'s panic text.
fn must_compile(pattern: &str) -> Result<Regex, FuncError> {
    compile(pattern).map_err(|e| {
        let quoted = if crate::fmt::can_backquote(pattern) {
            format!("`{pattern}`")
        } else {
            crate::fmt::quote(pattern)
        };
        FuncError::new(format!("regexp: Compile({quoted}): {e}"))
    })
}

fn find_all(re: &Regex, s: &str, n: i64) -> Value {
    let limit = if n < 0 { usize::MAX } else { n as usize };
    Value::string_list(
        re.find_iter(s)
            .take(limit)
            .map(|m| m.as_str().to_string())
            .collect::<Vec<_>>(),
    )
}

/// Go's `Regexp.ReplaceAllString`: `$n`, `${n}`, `$name`, `${name}` and `$$` in the
/// replacement. Go's rules differ from the `regex` crate's for malformed references
/// (`${}` and `${1` stay literal) and for leading zeros (`$01` names a group "01").
fn replace_all(re: &Regex, s: &str, template: &str) -> String {
    let names: Vec<Option<&str>> = re.capture_names().map(|n| n.map(go_group_name)).collect();
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for caps in re.captures_iter(s) {
        let m = caps.get(0).expect("group 0 always matches");
        out.push_str(&s[last..m.start()]);
        last = m.end();
        let mut t = template;
        while let Some((before, after)) = t.split_once('$') {
            out.push_str(before);
            t = after;
            if let Some(rest) = t.strip_prefix('$') {
                out.push('$');
                t = rest;
                continue;
            }
            let Some((name, rest)) = extract_ref(t) else {
                out.push('$');
                continue;
            };
            t = rest;
            let group = match go_group_number(name) {
                Some(n) => caps.get(n),
                // The first group of that name that took part in the match.
                None => names
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n == Some(name))
                    .find_map(|(i, _)| caps.get(i)),
            };
            if let Some(g) = group {
                out.push_str(g.as_str());
            }
        }
        out.push_str(t);
    }
    out.push_str(&s[last..]);
    out
}

/// Go's `extract`: a reference name (letters, digits, `_`), braced or not, and the rest.
fn extract_ref(t: &str) -> Option<(&str, &str)> {
    let (braced, body) = match t.strip_prefix('{') {
        Some(b) => (true, b),
        None => (false, t),
    };
    let len: usize = body
        .chars()
        .take_while(|c| super::text::is_letter(*c) || c.is_numeric() || *c == '_')
        .map(char::len_utf8)
        .sum();
    if len == 0 {
        return None;
    }
    let (name, rest) = body.split_at(len);
    if braced {
        return rest.strip_prefix('}').map(|r| (name, r));
    }
    Some((name, rest))
}

/// A group reference that is a number (no leading zeros, below 10^8), as Go reads it.
fn go_group_number(name: &str) -> Option<usize> {
    let numeric = name.bytes().all(|b| b.is_ascii_digit());
    if !numeric || (name.len() > 1 && name.starts_with('0')) || name.len() > 8 {
        return None;
    }
    name.parse().ok()
}

/// Go's `Regexp.Split`.
fn split(re: &Regex, s: &str, n: i64) -> Value {
    if n == 0 {
        return Value::List(List::typed(Type::String, Vec::new()));
    }
    if re.as_str().is_empty() || !s.is_empty() {
        let mut parts: Vec<String> = Vec::new();
        let (mut beg, mut end) = (0usize, 0usize);
        let limit = if n < 0 { usize::MAX } else { n as usize };
        for m in re.find_iter(s).take(limit) {
            if n > 0 && parts.len() == (n - 1) as usize {
                break;
            }
            end = m.start();
            if m.end() != 0 {
                parts.push(s[beg..end].to_string());
            }
            beg = m.end();
        }
        if end != s.len() {
            parts.push(s[beg..].to_string());
        }
        return Value::string_list(parts);
    }
    Value::string_list([""])
}

/// Go's `regexp.QuoteMeta`.
fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if r"\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(super) fn register(m: &mut FuncMap) {
    m.add("regexMatch", "func(regex string, s string) bool", |_, a| {
        Ok(Value::Bool(
            compile(str_arg(a, 0)).is_ok_and(|re| re.is_match(str_arg(a, 1))),
        ))
    });
    m.add(
        "mustRegexMatch",
        "func(regex string, s string) (bool, error)",
        |_, a| Ok(Value::Bool(compile(str_arg(a, 0))?.is_match(str_arg(a, 1)))),
    );
    m.add(
        "regexFindAll",
        "func(regex string, s string, n int) []string",
        |_, a| {
            Ok(find_all(
                &must_compile(str_arg(a, 0))?,
                str_arg(a, 1),
                int_arg(a, 2),
            ))
        },
    );
    m.add(
        "mustRegexFindAll",
        "func(regex string, s string, n int) ([]string, error)",
        |_, a| {
            Ok(find_all(
                &compile(str_arg(a, 0))?,
                str_arg(a, 1),
                int_arg(a, 2),
            ))
        },
    );
    m.add(
        "regexFind",
        "func(regex string, s string) string",
        |_, a| {
            let re = must_compile(str_arg(a, 0))?;
            Ok(Value::string(
                re.find(str_arg(a, 1)).map_or("", |m| m.as_str()),
            ))
        },
    );
    m.add(
        "mustRegexFind",
        "func(regex string, s string) (string, error)",
        |_, a| {
            let re = compile(str_arg(a, 0))?;
            Ok(Value::string(
                re.find(str_arg(a, 1)).map_or("", |m| m.as_str()),
            ))
        },
    );
    m.add(
        "regexReplaceAll",
        "func(regex string, s string, repl string) string",
        |_, a| {
            let re = must_compile(str_arg(a, 0))?;
            Ok(Value::string(replace_all(
                &re,
                str_arg(a, 1),
                str_arg(a, 2),
            )))
        },
    );
    m.add(
        "mustRegexReplaceAll",
        "func(regex string, s string, repl string) (string, error)",
        |_, a| {
            let re = compile(str_arg(a, 0))?;
            Ok(Value::string(replace_all(
                &re,
                str_arg(a, 1),
                str_arg(a, 2),
            )))
        },
    );
    m.add(
        "regexReplaceAllLiteral",
        "func(regex string, s string, repl string) string",
        |_, a| {
            let re = must_compile(str_arg(a, 0))?;
            Ok(Value::string(
                re.replace_all(str_arg(a, 1), regex::NoExpand(str_arg(a, 2)))
                    .into_owned(),
            ))
        },
    );
    m.add(
        "mustRegexReplaceAllLiteral",
        "func(regex string, s string, repl string) (string, error)",
        |_, a| {
            let re = compile(str_arg(a, 0))?;
            Ok(Value::string(
                re.replace_all(str_arg(a, 1), regex::NoExpand(str_arg(a, 2)))
                    .into_owned(),
            ))
        },
    );
    m.add(
        "regexSplit",
        "func(regex string, s string, n int) []string",
        |_, a| {
            Ok(split(
                &must_compile(str_arg(a, 0))?,
                str_arg(a, 1),
                int_arg(a, 2),
            ))
        },
    );
    m.add(
        "mustRegexSplit",
        "func(regex string, s string, n int) ([]string, error)",
        |_, a| {
            Ok(split(
                &compile(str_arg(a, 0))?,
                str_arg(a, 1),
                int_arg(a, 2),
            ))
        },
    );
    m.add("regexQuoteMeta", "func(s string) string", |_, a| {
        Ok(Value::string(quote_meta(str_arg(a, 0))))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(v: Value) -> Vec<String> {
        v.as_list()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn perl_classes_are_ascii_like_go() {
        let re = compile(r"\d+").unwrap();
        assert!(!re.is_match("٣"));
        assert!(compile(r"[\w-]+").unwrap().is_match("a-b"));
        assert!(compile(r"a{,3}").unwrap().is_match("a{,3}"));
        assert!(compile(r"[[a]").unwrap().is_match("["));
        assert!(compile(r"\Q1.2\E").unwrap().is_match("1.2"));
    }

    #[test]
    fn splits_like_go() {
        assert_eq!(
            items(split(&compile("/").unwrap(), "foo/bar/baz", -1)),
            ["foo", "bar", "baz"]
        );
        assert_eq!(
            items(split(&compile("a").unwrap(), "banana", 2)),
            ["b", "nana"]
        );
        assert_eq!(
            items(split(&compile("").unwrap(), "abc", -1)),
            ["a", "b", "c"]
        );
        assert_eq!(items(split(&compile("x*").unwrap(), "", -1)), [""]);
        assert_eq!(
            items(find_all(&compile("a*").unwrap(), "baaac", -1)),
            ["", "aaa", ""]
        );
    }

    #[test]
    fn errors_use_go_codes() {
        assert_eq!(
            compile("(abc").unwrap_err(),
            "error parsing regexp: missing closing ): `(abc`"
        );
        assert_eq!(
            compile("[a").unwrap_err(),
            "error parsing regexp: missing closing ]: `[a`"
        );
        assert_eq!(
            compile(r"a\q").unwrap_err(),
            r"error parsing regexp: invalid escape sequence: `\q`"
        );
        assert_eq!(
            compile("*").unwrap_err(),
            "error parsing regexp: missing argument to repetition operator: `*`"
        );
        assert_eq!(
            must_compile("(").unwrap_err().message(),
            "regexp: Compile(`(`): error parsing regexp: missing closing ): `(`"
        );
        assert_eq!(quote_meta("1.2.3"), r"1\.2\.3");
        assert_eq!(
            compile("a**").unwrap_err(),
            "error parsing regexp: invalid nested repetition operator: `**`"
        );
        assert_eq!(
            compile("a{2}?+").unwrap_err(),
            "error parsing regexp: invalid nested repetition operator: `{2}?+`"
        );
        assert_eq!(
            compile("x{1001}").unwrap_err(),
            "error parsing regexp: invalid repeat count: `{1001}`"
        );
        assert!(compile(r"a*?b+\**[*+]{2}").is_ok());
        assert_eq!(
            compile("[[:foo:]]").unwrap_err(),
            "error parsing regexp: invalid character class range: `[:foo:]`"
        );
    }

    #[test]
    fn group_names_go_allows() {
        let re = compile(r"(?P<1a>x)(?P<n>y)?(?P<n>z)").unwrap();
        assert_eq!(
            replace_all(&re, "xz", "[${1a}|$n|${2}|$$|${}|$01]"),
            "[x|z||$|${}|]"
        );
    }
}
