//! YAML the way the flux CLI prints it (sigs.k8s.io/yaml over go-yaml v2), so `--export`
//! output is byte-for-byte what `flux ... --export` prints: keys sorted, sequences not indented
//! under their key, multi-line strings as literal blocks, and strings that YAML 1.1 would read
//! as another type (`true`, `1.0`, `"2021-08-01"`) double-quoted.

use serde_json::{Map, Value};

/// One document, without the `---` separator.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => emit_map(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => emit_seq(&mut out, items, 0),
        other => {
            out.push_str(&inline(other).unwrap_or_default());
            out.push('\n');
        }
    }
    out
}

fn pad(n: usize) -> String {
    " ".repeat(n)
}

fn emit_map(out: &mut String, map: &Map<String, Value>, indent: usize) {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    for key in keys {
        let value = &map[key];
        out.push_str(&pad(indent));
        out.push_str(&scalar(key));
        out.push(':');
        match value {
            Value::Object(inner) if !inner.is_empty() => {
                out.push('\n');
                emit_map(out, inner, indent + 2);
            }
            // go-yaml v2 writes a block sequence at its key's indentation.
            Value::Array(items) if !items.is_empty() => {
                out.push('\n');
                emit_seq(out, items, indent);
            }
            Value::String(s) if literal_allowed(s) => {
                out.push(' ');
                emit_literal(out, s, indent + 2);
            }
            other => {
                out.push(' ');
                out.push_str(&inline(other).expect("non-empty collections handled above"));
                out.push('\n');
            }
        }
    }
}

fn emit_seq(out: &mut String, items: &[Value], indent: usize) {
    for item in items {
        match item {
            Value::Object(inner) if !inner.is_empty() => {
                let mut nested = String::new();
                emit_map(&mut nested, inner, indent + 2);
                out.push_str(&pad(indent));
                out.push_str("- ");
                out.push_str(&nested[indent + 2..]);
            }
            Value::Array(inner) if !inner.is_empty() => {
                let mut nested = String::new();
                emit_seq(&mut nested, inner, indent + 2);
                out.push_str(&pad(indent));
                out.push_str("- ");
                out.push_str(&nested[indent + 2..]);
            }
            Value::String(s) if literal_allowed(s) => {
                out.push_str(&pad(indent));
                out.push_str("- ");
                emit_literal(out, s, indent + 2);
            }
            other => {
                out.push_str(&pad(indent));
                out.push_str("- ");
                out.push_str(&inline(other).expect("non-empty collections handled above"));
                out.push('\n');
            }
        }
    }
}

/// A value written on its key's line; `None` for non-empty collections.
fn inline(value: &Value) -> Option<String> {
    Some(match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => scalar(s),
        Value::Object(map) if map.is_empty() => "{}".to_string(),
        Value::Array(items) if items.is_empty() => "[]".to_string(),
        _ => return None,
    })
}

/// go-yaml asks for a literal block whenever a string has a line break; libyaml falls back to
/// double quotes when the block could not be read back exactly.
fn literal_allowed(s: &str) -> bool {
    s.contains('\n') && !has_special_characters(s) && !s.contains(" \n") && !s.ends_with(' ')
}

fn emit_literal(out: &mut String, s: &str, indent: usize) {
    out.push('|');
    if s.starts_with(' ') || s.starts_with('\n') {
        out.push('2');
    }
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    match trailing {
        0 => out.push('-'),
        1 => {}
        _ => out.push('+'),
    }
    out.push('\n');
    let content = if trailing > 1 {
        s.strip_suffix('\n').unwrap_or(s)
    } else {
        body
    };
    for line in content.split('\n') {
        if !line.is_empty() {
            out.push_str(&pad(indent));
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// A string as a plain, single-quoted or double-quoted scalar, as libyaml chooses.
fn scalar(s: &str) -> String {
    if s.is_empty() || resolves_to_non_string(s) {
        return double_quoted(s);
    }
    if has_special_characters(s) || s.contains('\n') {
        return double_quoted(s);
    }
    if plain_allowed(s) {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "''"))
}

fn has_special_characters(s: &str) -> bool {
    s.chars().any(|c| {
        let printable = matches!(c, '\n' | '\u{20}'..='\u{7e}' | '\u{85}')
            || (c >= '\u{a0}' && c != '\u{feff}');
        !printable
    })
}

fn plain_allowed(s: &str) -> bool {
    if s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    if s.starts_with(' ') || s.ends_with(' ') {
        return false;
    }
    let chars: Vec<char> = s.chars().collect();
    let blank_at = |i: usize| chars.get(i).is_none_or(|c| *c == ' ');
    if "#,[]{}&*!|>'\"%@`".contains(chars[0]) {
        return false;
    }
    if matches!(chars[0], '-' | '?' | ':') && blank_at(1) {
        return false;
    }
    for (i, c) in chars.iter().enumerate() {
        if *c == ':' && blank_at(i + 1) {
            return false;
        }
        if *c == '#' && i > 0 && chars[i - 1] == ' ' {
            return false;
        }
    }
    true
}

/// YAML 1.1 as go-yaml v2 resolves plain scalars: booleans, nulls, numbers and timestamps
/// would not read back as strings.
fn resolves_to_non_string(s: &str) -> bool {
    const WORDS: [&str; 37] = [
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no",
        "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "~", "null", "Null", "NULL",
        ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "<<",
    ];
    if WORDS.contains(&s) || matches!(s, "-.Inf" | "-.INF") {
        return true;
    }
    let number = s.replace('_', "");
    let digits = number.strip_prefix(['+', '-']).unwrap_or(&number);
    let int = !digits.is_empty()
        && (digits.chars().all(|c| c.is_ascii_digit())
            || radix(digits, &["0x", "0X"], 16)
            || radix(digits, &["0o", "0O"], 8)
            || radix(digits, &["0b", "0B"], 2));
    int || yaml_float(&number) || base60(s) || timestamp(s)
}

fn radix(digits: &str, prefixes: &[&str], radix: u32) -> bool {
    prefixes.iter().any(|p| {
        digits
            .strip_prefix(p)
            .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_digit(radix)))
    })
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn yaml_float(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let all_digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => !frac.is_empty() && all_digits(frac),
        Some((int, frac)) => !int.is_empty() && all_digits(int) && all_digits(frac),
        None => !mantissa.is_empty() && all_digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exponent_ok
}

/// `190:20:30` style sexagesimal numbers.
fn base60(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let mut parts = s.split(':');
    let first = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    if rest.is_empty()
        || first.is_empty()
        || !first.starts_with(|c: char| c.is_ascii_digit())
        || !first.chars().all(|c| c.is_ascii_digit() || c == '_')
    {
        return false;
    }
    let (last, middle) = rest.split_last().expect("rest is not empty");
    let sixty = |p: &str| !p.is_empty() && p.len() <= 2 && p.chars().all(|c| c.is_ascii_digit());
    let last_ok = match last.split_once('.') {
        Some((secs, frac)) => sixty(secs) && frac.chars().all(|c| c.is_ascii_digit() || c == '_'),
        None => sixty(last),
    };
    middle.iter().all(|p| sixty(p)) && last_ok
}

/// go-yaml v2 reads `2006-1-2`, optionally followed by a time, as a timestamp.
fn timestamp(s: &str) -> bool {
    let date_len = s.find(['T', 't', ' ']).unwrap_or(s.len());
    let mut fields = s[..date_len].split('-');
    let (Some(y), Some(m), Some(d), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return false;
    };
    let digits = |t: &str, min: usize, max: usize| {
        (min..=max).contains(&t.len()) && t.chars().all(|c| c.is_ascii_digit())
    };
    if !(digits(y, 4, 4) && digits(m, 1, 2) && digits(d, 1, 2)) {
        return false;
    }
    let time = &s[date_len..];
    time.is_empty()
        || time[1..].starts_with(|c: char| c.is_ascii_digit()) && time[1..].contains(':')
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
            '\0' => out.push_str("\\0"),
            c if has_special_characters(&c.to_string()) => {
                let code = c as u32;
                if code <= 0xff {
                    out.push_str(&format!("\\x{code:02X}"));
                } else if code <= 0xffff {
                    out.push_str(&format!("\\u{code:04X}"));
                } else {
                    out.push_str(&format!("\\U{code:08X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_flux_shaped_documents() {
        let doc = json!({
            "kind": "GitRepository",
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "metadata": { "name": "podinfo", "namespace": "default" },
            "spec": {
                "ignore": ".cosign\nnon-existent-dir/",
                "interval": "1m0s",
                "ref": { "branch": "master" },
                "sparseCheckout": [".cosign", "non-existent-dir/"],
                "url": "https://github.com/stefanprodan/podinfo"
            }
        });
        assert_eq!(
            to_string(&doc),
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: podinfo\n  \
             namespace: default\nspec:\n  ignore: |-\n    .cosign\n    non-existent-dir/\n  interval: 1m0s\n  \
             ref:\n    branch: master\n  sparseCheckout:\n  - .cosign\n  - non-existent-dir/\n  url: \
             https://github.com/stefanprodan/podinfo\n"
        );
    }

    #[test]
    fn quotes_what_yaml_1_1_reads_as_another_type() {
        for s in [
            "true",
            "no",
            "On",
            "~",
            "123",
            "0x1F",
            "1.5",
            ".5",
            "1e3",
            "2021-08-01T04:28:42Z",
            "1:20",
            "",
        ] {
            assert!(scalar(s).starts_with('"'), "{s} -> {}", scalar(s));
        }
        for s in [
            "1m0s",
            "v1.01",
            "main@sha1:696f056d",
            "ssh://git@host/repo",
            "-foo",
            "a b",
        ] {
            assert_eq!(scalar(s), s);
        }
        assert_eq!(scalar("*"), "'*'");
        assert_eq!(scalar("a: b"), "'a: b'");
        assert_eq!(scalar("it's"), "it's");
        assert_eq!(scalar("it's #1"), "'it''s #1'");
        assert_eq!(scalar("tab\there"), "\"tab\\there\"");
    }

    #[test]
    fn literal_blocks_keep_trailing_newlines() {
        let doc =
            json!({ "a": "x\n", "b": "x\n\n", "c": " indented\nline" , "d": [{"k": "v", "l": 1}]});
        assert_eq!(
            to_string(&doc),
            "a: |\n  x\nb: |+\n  x\n\nc: |2-\n   indented\n  line\nd:\n- k: v\n  l: 1\n"
        );
    }
}
