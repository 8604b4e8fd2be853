//! Sprig's string functions (`strings.go` and the string entries of `functions.go`).

use std::collections::BTreeMap;

use super::conv::{int_arg, str_arg, strval};
use super::{encoding, text};
use crate::func::{FuncError, FuncMap};
use crate::value::{Map, Str, Type, Value};

pub(super) fn register(m: &mut FuncMap) {
    m.add("hello", "func() string", |_, _| Ok(Value::string("Hello!")));
    m.add("abbrev", "func(width int, s string) string", |_, a| {
        let (width, s) = (int_arg(a, 0), str_arg(a, 1));
        if width < 4 {
            return Ok(Value::string(s));
        }
        Ok(Value::string(
            text::abbreviate_full(s, 0, width).unwrap_or_default(),
        ))
    });
    m.add(
        "abbrevboth",
        "func(left, right int, s string) string",
        |_, a| {
            let (left, right, s) = (int_arg(a, 0), int_arg(a, 1), str_arg(a, 2));
            if right < 4 || (left > 0 && right < 7) {
                return Ok(Value::string(s));
            }
            Ok(Value::string(
                text::abbreviate_full(s, left, right).unwrap_or_default(),
            ))
        },
    );
    m.add("trunc", "func(c int, s string) string", |_, a| {
        let (c, s) = (int_arg(a, 0), str_arg(a, 1));
        let len = s.len() as i64;
        Ok(Value::string(if c < 0 && len + c > 0 {
            text::byte_slice(s, (len + c) as usize, s.len())
        } else if c >= 0 && len > c {
            text::byte_slice(s, 0, c as usize)
        } else {
            s.to_string()
        }))
    });
    m.add("trim", "func(string) string", |_, a| {
        Ok(Value::string(str_arg(a, 0).trim()))
    });
    m.add("upper", "func(string) string", |_, a| {
        Ok(Value::string(text::upper(str_arg(a, 0))))
    });
    m.add("lower", "func(string) string", |_, a| {
        Ok(Value::string(text::lower(str_arg(a, 0))))
    });
    m.add("title", "func(string) string", |_, a| {
        Ok(Value::string(text::title(str_arg(a, 0))))
    });
    m.add("untitle", "func(str string) string", |_, a| {
        Ok(Value::string(text::untitle(str_arg(a, 0))))
    });
    m.add("substr", "func(start, end int, s string) string", |_, a| {
        substring(int_arg(a, 0), int_arg(a, 1), str_arg(a, 2)).map(Value::string)
    });
    m.add("repeat", "func(count int, str string) string", |_, a| {
        repeat(str_arg(a, 1), int_arg(a, 0)).map(Value::string)
    });
    for name in ["trimall", "trimAll"] {
        m.add(name, "func(a, b string) string", |_, a| {
            let cutset = str_arg(a, 0);
            Ok(Value::string(
                str_arg(a, 1).trim_matches(|c| cutset.contains(c)),
            ))
        });
    }
    m.add("trimSuffix", "func(a, b string) string", |_, a| {
        let (suffix, s) = (str_arg(a, 0), str_arg(a, 1));
        Ok(Value::string(s.strip_suffix(suffix).unwrap_or(s)))
    });
    m.add("trimPrefix", "func(a, b string) string", |_, a| {
        let (prefix, s) = (str_arg(a, 0), str_arg(a, 1));
        Ok(Value::string(s.strip_prefix(prefix).unwrap_or(s)))
    });
    m.add("nospace", "func(str string) string", |_, a| {
        Ok(Value::string(text::nospace(str_arg(a, 0))))
    });
    m.add("initials", "func(s string) string", |_, a| {
        Ok(Value::string(text::initials(str_arg(a, 0))))
    });
    m.add("swapcase", "func(str string) string", |_, a| {
        Ok(Value::string(text::swapcase(str_arg(a, 0))))
    });
    m.add("shuffle", "func(str string) string", |_, a| {
        Ok(Value::string(shuffle(str_arg(a, 0))))
    });
    m.add("snakecase", "func(str string) string", |_, a| {
        Ok(Value::string(text::connector_case(str_arg(a, 0), '_')))
    });
    m.add("camelcase", "func(str string) string", |_, a| {
        Ok(Value::string(text::pascal_case(str_arg(a, 0))))
    });
    m.add("kebabcase", "func(str string) string", |_, a| {
        Ok(Value::string(text::connector_case(str_arg(a, 0), '-')))
    });
    m.add("wrap", "func(l int, s string) string", |_, a| {
        Ok(Value::string(text::wrap_custom(
            str_arg(a, 1),
            int_arg(a, 0),
            "",
            false,
        )))
    });
    m.add("wrapWith", "func(l int, sep, str string) string", |_, a| {
        Ok(Value::string(text::wrap_custom(
            str_arg(a, 2),
            int_arg(a, 0),
            str_arg(a, 1),
            true,
        )))
    });
    m.add(
        "contains",
        "func(substr string, str string) bool",
        |_, a| Ok(Value::Bool(str_arg(a, 1).contains(str_arg(a, 0)))),
    );
    m.add(
        "hasPrefix",
        "func(substr string, str string) bool",
        |_, a| Ok(Value::Bool(str_arg(a, 1).starts_with(str_arg(a, 0)))),
    );
    m.add(
        "hasSuffix",
        "func(substr string, str string) bool",
        |_, a| Ok(Value::Bool(str_arg(a, 1).ends_with(str_arg(a, 0)))),
    );
    m.add("quote", "func(str ...interface {}) string", |_, a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| crate::fmt::quote(&strval(v)))
            .collect();
        Ok(Value::string(parts.join(" ")))
    });
    m.add("squote", "func(str ...interface {}) string", |_, a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| format!("'{}'", strval_v(v)))
            .collect();
        Ok(Value::string(parts.join(" ")))
    });
    m.add("cat", "func(v ...interface {}) string", |_, a| {
        let parts: Vec<String> = a.iter().filter(|v| !v.is_nil()).map(strval_v).collect();
        Ok(Value::string(parts.join(" ")))
    });
    m.add("indent", "func(spaces int, v string) string", |_, a| {
        indent(int_arg(a, 0), str_arg(a, 1)).map(Value::string)
    });
    m.add("nindent", "func(spaces int, v string) string", |_, a| {
        indent(int_arg(a, 0), str_arg(a, 1)).map(|s| Value::string(format!("\n{s}")))
    });
    m.add("replace", "func(old, new, src string) string", |_, a| {
        Ok(Value::string(
            str_arg(a, 2).replace(str_arg(a, 0), str_arg(a, 1)),
        ))
    });
    m.add(
        "plural",
        "func(one, many string, count int) string",
        |_, a| {
            Ok(Value::string(if int_arg(a, 2) == 1 {
                str_arg(a, 0)
            } else {
                str_arg(a, 1)
            }))
        },
    );
    m.add("toString", "func(v interface {}) string", |_, a| {
        Ok(Value::string(strval(&a[0])))
    });
    m.add(
        "split",
        "func(sep, orig string) map[string]string",
        |_, a| Ok(indexed_parts(go_split(str_arg(a, 1), str_arg(a, 0), -1))),
    );
    m.add("splitList", "func(sep, orig string) []string", |_, a| {
        Ok(Value::string_list(go_split(
            str_arg(a, 1),
            str_arg(a, 0),
            -1,
        )))
    });
    m.add(
        "splitn",
        "func(sep string, n int, orig string) map[string]string",
        |_, a| {
            Ok(indexed_parts(go_split(
                str_arg(a, 2),
                str_arg(a, 0),
                int_arg(a, 1),
            )))
        },
    );
    m.add("toStrings", "func(v interface {}) []string", |_, a| {
        Ok(Value::string_list(strslice(&a[0])))
    });
    m.add("join", "func(sep string, v interface {}) string", |_, a| {
        Ok(Value::string(strslice(&a[1]).join(str_arg(a, 0))))
    });
    m.add("sortAlpha", "func(list interface {}) []string", |_, a| {
        let list = &a[0];
        let mut items = if matches!(list, Value::List(_) | Value::Bytes(_)) {
            strslice(list)
        } else {
            vec![strval(list)]
        };
        items.sort();
        Ok(Value::string_list(items))
    });
    m.add("b64enc", "func(v string) string", |_, a| {
        Ok(Value::string(encoding::base64_encode(
            str_arg(a, 0).as_bytes(),
        )))
    });
    m.add("b64dec", "func(v string) string", |_, a| {
        Ok(Value::string(
            match encoding::base64_decode(str_arg(a, 0)) {
                Ok(b) => lossy(b),
                Err(e) => e,
            },
        ))
    });
    m.add("b32enc", "func(v string) string", |_, a| {
        Ok(Value::string(encoding::base32_encode(
            str_arg(a, 0).as_bytes(),
        )))
    });
    m.add("b32dec", "func(v string) string", |_, a| {
        Ok(Value::string(
            match encoding::base32_decode(str_arg(a, 0)) {
                Ok(b) => lossy(b),
                Err(e) => e,
            },
        ))
    });
    m.add("fail", "func(msg string) (string, error)", |_, a| {
        Err(FuncError::new(str_arg(a, 0)))
    });
}

/// Decoded bytes as a Go string; bytes that are not UTF-8 cannot be kept in ours.
fn lossy(b: Vec<u8>) -> String {
    super::text::lossy(&b)
}

/// `fmt.Sprintf("%v", v)`.
fn strval_v(v: &Value) -> String {
    let mut s = String::new();
    crate::fmt::write_value(&mut s, v);
    s
}

/// Go's slice-expression panic texts for `s[lo:hi]` on a string of length `len`.
fn slice_bounds(lo: Option<i64>, hi: i64, len: usize) -> Option<String> {
    let len = len as i64;
    if hi < 0 {
        return Some(format!("runtime error: slice bounds out of range [:{hi}]"));
    }
    if hi > len {
        return Some(format!(
            "runtime error: slice bounds out of range [:{hi}] with length {len}"
        ));
    }
    if let Some(lo) = lo
        && (lo < 0 || lo > hi)
    {
        return Some(format!(
            "runtime error: slice bounds out of range [{lo}:{hi}]"
        ));
    }
    None
}

/// Sprig's `substring`, panicking (as an error) where Go's slicing does.
fn substring(start: i64, end: i64, s: &str) -> Result<String, FuncError> {
    let len = s.len() as i64;
    if start < 0 {
        if let Some(e) = slice_bounds(None, end, s.len()) {
            return Err(e.into());
        }
        return Ok(text::byte_slice(s, 0, end as usize));
    }
    if end < 0 || end > len {
        if start > len {
            return Err(format!("runtime error: slice bounds out of range [{start}:{len}]").into());
        }
        return Ok(text::byte_slice(s, start as usize, s.len()));
    }
    if let Some(e) = slice_bounds(Some(start), end, s.len()) {
        return Err(e.into());
    }
    Ok(text::byte_slice(s, start as usize, end as usize))
}

/// Go's `strings.Repeat`, with its panics.
pub(super) fn repeat(s: &str, count: i64) -> Result<String, FuncError> {
    if count < 0 {
        return Err("strings: negative Repeat count".into());
    }
    let total = (s.len() as u128) * (count as u128);
    if total > i64::MAX as u128 {
        return Err("strings: Repeat output length overflow".into());
    }
    if total > (1 << 32) {
        // Go would try to allocate this and die; refuse instead of exhausting memory.
        return Err("runtime error: makeslice: len out of range".into());
    }
    Ok(s.repeat(count as usize))
}

fn indent(spaces: i64, v: &str) -> Result<String, FuncError> {
    let pad = repeat(" ", spaces)?;
    Ok(format!("{pad}{}", v.replace('\n', &format!("\n{pad}"))))
}

/// Go's `strings.SplitN` (`n < 0` for `strings.Split`).
pub(super) fn go_split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        // Go explodes into UTF-8 sequences, the last one keeping the rest.
        let chars: Vec<&str> = s
            .char_indices()
            .map(|(i, c)| &s[i..i + c.len_utf8()])
            .collect();
        let limit = if n < 0 || n as usize > chars.len() {
            chars.len()
        } else {
            n as usize
        };
        let mut out: Vec<String> = chars[..limit.saturating_sub(1)]
            .iter()
            .map(|c| c.to_string())
            .collect();
        if limit > 0 {
            let used: usize = out.iter().map(String::len).sum();
            out.push(s[used..].to_string());
        }
        return out;
    }
    if n < 0 {
        s.split(sep).map(str::to_string).collect()
    } else {
        s.splitn(n as usize, sep).map(str::to_string).collect()
    }
}

/// `split`/`splitn`'s `map[string]string` keyed `_0`, `_1`, …
fn indexed_parts(parts: Vec<String>) -> Value {
    let entries: BTreeMap<Str, Value> = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (Str::from(format!("_{i}")), Value::string(p)))
        .collect();
    Value::Map(Map::from_entries(Type::String, entries))
}

/// Sprig's `strslice`: a list's non-nil items as strings, nil as no items, anything
/// else as one string.
pub(super) fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(l) => l.iter().filter(|x| !x.is_nil()).map(strval).collect(),
        Value::Bytes(b) => b.iter().map(|x| x.to_string()).collect(),
        Value::Nil => Vec::new(),
        other => vec![strval(other)],
    }
}

/// xstrings `Shuffle`: a uniform permutation of the runes.
fn shuffle(s: &str) -> String {
    let mut runes: Vec<char> = s.chars().collect();
    for i in (1..runes.len()).rev() {
        let j = super::crypto::random_below(i as u64 + 1) as usize;
        runes.swap(i, j);
    }
    runes.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_go() {
        assert_eq!(go_split("a,b,c", ",", -1), ["a", "b", "c"]);
        assert_eq!(go_split("a,b,c", ",", 2), ["a", "b,c"]);
        assert_eq!(go_split("abc", "", -1), ["a", "b", "c"]);
        assert_eq!(go_split("abc", "", 2), ["a", "bc"]);
        assert_eq!(go_split("", ",", -1), [""]);
        assert!(go_split("", "", -1).is_empty());
        assert!(go_split("a", ",", 0).is_empty());
    }

    #[test]
    fn substr_panics_as_go_slicing_does() {
        assert_eq!(substring(0, 3, "fooo").unwrap(), "foo");
        assert_eq!(substring(0, 10, "foo").unwrap(), "foo");
        assert_eq!(substring(-1, 2, "foo").unwrap(), "fo");
        assert_eq!(
            substring(2, 1, "foo").unwrap_err().message(),
            "runtime error: slice bounds out of range [2:1]"
        );
        assert_eq!(
            substring(5, -1, "foo").unwrap_err().message(),
            "runtime error: slice bounds out of range [5:3]"
        );
        assert_eq!(
            substring(-1, 5, "foo").unwrap_err().message(),
            "runtime error: slice bounds out of range [:5] with length 3"
        );
    }
}
