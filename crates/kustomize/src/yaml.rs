//! YAML in (serde-saphyr with limits) and out (go-yaml v2's block style, as kustomize prints).

use std::fmt::Write;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};

/// Nesting deeper than this is refused (SECURITY 9).
pub const MAX_DEPTH: usize = 128;
/// Alias expansions beyond this are refused (SECURITY 9: alias bombs).
pub const MAX_ALIASES: usize = 1_000;

fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_aliases = MAX_ALIASES;
    budget.max_reader_input_bytes = Some(crate::root::MAX_FILE_BYTES as usize);
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    // kustomize reads YAML 1.2 style: `y`, `n`, `yes`, `off` ... stay strings.
    options.strict_booleans = true;
    options
}

fn yaml_error(path: &Path, e: serde_saphyr::Error) -> Error {
    let message = match e.without_snippet() {
        serde_saphyr::Error::DuplicateMappingKey { key, location } => {
            let key = key.as_deref().unwrap_or("<complex key>");
            // Line 0 marks an unknown location.
            let at = if location.line() == 0 {
                String::new()
            } else {
                format!(" (line {} column {})", location.line(), location.column())
            };
            format!(
                "mapping key {key:?} already defined{at}: duplicate keys are refused, remove one of them"
            )
        }
        _ => e.to_string(),
    };
    Error::Yaml {
        path: path.to_path_buf(),
        message,
    }
}

fn as_str<'a>(bytes: &'a [u8], path: &Path) -> Result<&'a str> {
    std::str::from_utf8(bytes).map_err(|e| Error::Yaml {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Parses one YAML document (empty input is `null`).
pub fn parse_one(bytes: &[u8], path: &Path) -> Result<Value> {
    let text = as_str(bytes, path)?;
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_saphyr::from_str_with_options(text, options()).map_err(|e| yaml_error(path, e))
}

/// Parses a kustomization file. kustomize reads these with a parser that lets a repeated
/// key win silently, and its own test harness repeats `apiVersion`/`kind`; repeats that
/// carry the same value are harmless and accepted, while repeats that disagree stay refused
/// (SECURITY 9: no input whose meaning depends on which duplicate a parser keeps).
pub fn parse_kustomization(bytes: &[u8], path: &Path) -> Result<Value> {
    let text = as_str(bytes, path)?;
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    let strict = serde_saphyr::from_str_with_options::<Value>(text, options());
    let duplicate = strict.as_ref().is_err_and(|e| {
        matches!(
            e.without_snippet(),
            serde_saphyr::Error::DuplicateMappingKey { .. }
        )
    });
    if !duplicate {
        return strict.map_err(|e| yaml_error(path, e));
    }
    let with = |policy| {
        let mut o = options();
        o.duplicate_keys = policy;
        serde_saphyr::from_str_with_options::<Value>(text, o)
    };
    match (
        with(serde_saphyr::DuplicateKeyPolicy::FirstWins),
        with(serde_saphyr::DuplicateKeyPolicy::LastWins),
    ) {
        (Ok(first), Ok(last)) if first == last => Ok(first),
        _ => strict.map_err(|e| yaml_error(path, e)),
    }
}

/// Parses every document of a YAML stream; empty documents are dropped.
pub fn parse_all(bytes: &[u8], path: &Path) -> Result<Vec<Value>> {
    let text = as_str(bytes, path)?;
    let docs: Vec<Value> = serde_saphyr::from_multiple_with_options(text, options())
        .map_err(|e| yaml_error(path, e))?;
    Ok(docs.into_iter().filter(|d| !d.is_null()).collect())
}

/// Prints one value as a YAML document the way kustomize does (sorted keys, block style).
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => write_map(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => write_seq(&mut out, a, 0),
        other => {
            write_inline(&mut out, other, 0);
            out.push('\n');
        }
    }
    out
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// Map entries in the order go-yaml v2 prints map keys (kustomize renders through it).
fn sorted(m: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    merge_sort(m.iter().collect(), &|a, b| key_less(a.0, b.0))
}

/// A merge sort driven by a "less" predicate alone: go-yaml's key order is not guaranteed to
/// be a total order for odd keys, and `slice::sort_by` may panic on such an order.
fn merge_sort<T>(mut items: Vec<T>, less: &impl Fn(&T, &T) -> bool) -> Vec<T> {
    if items.len() <= 1 {
        return items;
    }
    let right = items.split_off(items.len() / 2);
    let left = merge_sort(items, less);
    let right = merge_sort(right, less);
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    loop {
        let take_right = match (left.peek(), right.peek()) {
            (Some(l), Some(r)) => less(r, l),
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (None, None) => break,
        };
        out.extend(if take_right {
            right.next()
        } else {
            left.next()
        });
    }
    out
}

/// go-yaml v2's map key order for strings: a "natural" order where, at the first
/// difference, letters compare by code point, a non-letter sorts before a letter (after it
/// when the common prefix ends in a digit), and digit runs compare by numeric value.
fn key_less(a: &str, b: &str) -> bool {
    let (ar, br): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut digits = false;
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            digits = ar[i].is_ascii_digit();
            continue;
        }
        let (al, bl) = (ar[i].is_alphabetic(), br[i].is_alphabetic());
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return if digits { al } else { bl };
        }
        let (mut an, mut bn) = (0i64, 0i64);
        // A zero after a non-zero digit run is part of that number, not a leading zero.
        if (ar[i] == '0' || br[i] == '0')
            && ar[..i]
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_digit())
                .any(|c| *c != '0')
        {
            an = 1;
            bn = 1;
        }
        let run = |r: &[char], mut n: i64| {
            let mut end = i;
            while end < r.len() && r[end].is_ascii_digit() {
                n = n
                    .wrapping_mul(10)
                    .wrapping_add(i64::from(r[end] as u8 - b'0'));
                end += 1;
            }
            (end, n)
        };
        let (ai, an) = run(&ar, an);
        let (bi, bn) = run(&br, bn);
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

fn write_map(out: &mut String, m: &serde_json::Map<String, Value>, indent: usize) {
    for (i, (k, v)) in sorted(m).into_iter().enumerate() {
        // The first key of a map inside a sequence item follows the "- " directly.
        if i > 0 || !out.ends_with("- ") {
            pad(out, indent);
        }
        out.push_str(&scalar_string(k));
        out.push(':');
        write_value_after_key(out, v, indent);
    }
}

fn write_value_after_key(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_map(out, m, indent + 2);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write_seq(out, a, indent);
        }
        other => {
            out.push(' ');
            write_inline(out, other, indent + 2);
            out.push('\n');
        }
    }
}

fn write_seq(out: &mut String, a: &[Value], indent: usize) {
    for (i, v) in a.iter().enumerate() {
        if i > 0 || !out.ends_with("- ") {
            pad(out, indent);
        }
        out.push_str("- ");
        match v {
            Value::Object(m) if !m.is_empty() => write_map(out, m, indent + 2),
            Value::Array(inner) if !inner.is_empty() => write_seq(out, inner, indent + 2),
            other => {
                write_inline(out, other, indent + 2);
                out.push('\n');
            }
        }
    }
}

fn write_inline(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(out, s, indent),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

fn write_string(out: &mut String, s: &str, indent: usize) {
    if s.contains('\n') && literal_allowed(s) {
        let trailing = s.len() - s.trim_end_matches('\n').len();
        out.push('|');
        // libyaml gives the indentation explicitly when the first line would not show it:
        // a leading space, or a leading line break.
        if s.starts_with([' ', '\n']) {
            out.push('2');
        }
        match trailing {
            0 => out.push('-'),
            // A lone line break keeps it ("+"), as libyaml chooses.
            1 if s.len() > 1 => {}
            _ => out.push('+'),
        }
        let body = s.strip_suffix('\n').unwrap_or(s);
        for line in body.split('\n') {
            out.push('\n');
            if !line.is_empty() {
                pad(out, indent);
                out.push_str(line);
            }
        }
        return;
    }
    fold(out, &scalar_string(s), indent);
}

/// go-yaml's preferred line width: longer scalars are folded at spaces.
const BEST_WIDTH: usize = 80;

/// Appends a flow scalar, breaking lines the way libyaml does: at the first of a run of
/// spaces, once the column is past [`BEST_WIDTH`], when the next character is not a space.
fn fold(out: &mut String, text: &str, indent: usize) {
    let line_start = out.rfind('\n').map_or(0, |i| i + 1);
    let mut column = out[line_start..].chars().count();
    let chars: Vec<char> = text.chars().collect();
    let mut spaces = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let next_is_space = chars.get(i + 1).is_none_or(|n| *n == ' ');
            if !spaces && column > BEST_WIDTH && !next_is_space && i != 0 && i + 2 < chars.len() {
                out.push('\n');
                pad(out, indent);
                column = indent;
            } else {
                out.push(c);
                column += 1;
            }
            spaces = true;
        } else {
            out.push(c);
            column += 1;
            spaces = false;
        }
    }
}

fn literal_allowed(s: &str) -> bool {
    s.chars()
        .all(|c| c == '\n' || (!c.is_control() && c != '\u{feff}'))
        && !s.lines().any(|l| l.ends_with(' ') || l.ends_with('\t'))
}

/// A string scalar, quoted when go-yaml v2 would quote it.
fn scalar_string(s: &str) -> String {
    if resolves_to_non_string(s) {
        return double_quoted(s);
    }
    if !plain_allowed(s) {
        if s.chars().any(|c| c.is_control() || c == '\u{feff}') {
            return double_quoted(s);
        }
        return format!("'{}'", s.replace('\'', "''"));
    }
    s.to_string()
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether go-yaml v2 would read the plain scalar as something other than a string.
fn resolves_to_non_string(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
        ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
        ".NaN", ".NAN", "<<",
    ];
    if WORDS.contains(&s) {
        return true;
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return false;
    }
    let plain = s.replace('_', "");
    let unsigned = plain.trim_start_matches(['+', '-']);
    if unsigned.is_empty() {
        return false;
    }
    let int_like = unsigned.bytes().all(|b| b.is_ascii_digit())
        || unsigned
            .strip_prefix("0x")
            .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()))
        || unsigned
            .strip_prefix("0b")
            .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b == b'0' || b == b'1'));
    if int_like
        || plain
            .parse::<f64>()
            .is_ok_and(|_| !unsigned.starts_with(['i', 'I', 'n', 'N']))
    {
        return true;
    }
    // Base-60 numbers (`1:20`) and timestamps (`2001-12-14`).
    let sexagesimal = unsigned.contains(':')
        && unsigned
            .split(':')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
    let date = s.len() >= 10
        && s.as_bytes()[4] == b'-'
        && s.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && s.as_bytes()[5..7].iter().all(u8::is_ascii_digit)
        && s.as_bytes()[7] == b'-';
    sexagesimal || date
}

/// libyaml's rules for a plain scalar in block context.
fn plain_allowed(s: &str) -> bool {
    let bytes = s.as_bytes();
    if s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    if s.starts_with([' ', '\t']) || s.ends_with([' ', '\t']) {
        return false;
    }
    let first = bytes[0];
    let followed_by_blank = |i: usize| bytes.get(i + 1).is_none_or(|b| *b == b' ' || *b == b'\t');
    if matches!(
        first,
        b'#' | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    ) {
        return false;
    }
    if matches!(first, b'-' | b'?' | b':') && followed_by_blank(0) {
        return false;
    }
    for (i, &b) in bytes.iter().enumerate() {
        if b == b':' && followed_by_blank(i) {
            return false;
        }
        if b == b'#' && i > 0 && (bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') {
            return false;
        }
    }
    !s.chars()
        .any(|c| c == '\n' || c == '\r' || c.is_control() || c == '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_follow_go_yaml_natural_order() {
        let v = json!({"ANOTHER": 1, "A_FIRST": 1, "key_10": 1, "key_9": 1, "keyA": 1,
            "key-a": 1, "a1": 1, "a01": 1, "a001": 1, "10": 1, "2": 1, "Z": 1, "_x": 1});
        let out = to_string(&v);
        let keys: Vec<&str> = out.lines().map(|l| l.split(':').next().unwrap()).collect();
        assert_eq!(
            keys,
            [
                "_x", "\"2\"", "\"10\"", "A_FIRST", "ANOTHER", "Z", "a1", "a01", "a001", "key-a",
                "key_9", "key_10", "keyA"
            ]
        );
    }

    #[test]
    fn block_scalars_carry_libyaml_hints() {
        let v = json!({"a": "\n", "b": "\nfoo\n", "c": "foo\n\n", "d": " x\ny", "e": "a\n"});
        assert_eq!(
            to_string(&v),
            "a: |2+\n\nb: |2\n\n  foo\nc: |+\n  foo\n\nd: |2-\n   x\n  y\ne: |\n  a\n"
        );
    }

    #[test]
    fn kustomization_repeats_must_agree() {
        let p = Path::new("/k.yaml");
        let same = parse_kustomization(b"kind: Component\nkind: Component\n", p).unwrap();
        assert_eq!(same, json!({"kind": "Component"}));
        let err = parse_kustomization(b"a: 1\na: 2\n", p)
            .unwrap_err()
            .to_string();
        assert!(err.contains("mapping key \"a\" already defined"), "{err}");
        // Resources stay strict, agreeing repeats included.
        assert!(parse_all(b"a: 1\na: 1\n", p).is_err());
    }
}
