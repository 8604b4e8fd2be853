//! Go's `encoding/json` for template values: `Marshal`/`MarshalIndent`/an encoder
//! without HTML escaping, and `Unmarshal` into `interface{}` with the scanner's error
//! messages (`invalid character 'x' looking for beginning of value`).

use std::collections::BTreeMap;

use crate::value::{FloatKind, Str, Value};

#[derive(Clone, Copy)]
pub struct EncodeOptions<'a> {
    pub escape_html: bool,
    /// `MarshalIndent`'s indent (the prefix is always empty in sprig and Helm).
    pub indent: Option<&'a str>,
}

/// `json.Marshal` (with `escape_html`) and friends. Errors are Go's texts.
pub fn marshal(v: &Value, opts: EncodeOptions<'_>) -> Result<String, String> {
    let mut out = String::new();
    encode(&mut out, v, opts, 0)?;
    Ok(out)
}

fn newline(out: &mut String, opts: EncodeOptions<'_>, depth: usize) {
    if let Some(ind) = opts.indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(ind);
        }
    }
}

fn encode(
    out: &mut String,
    v: &Value,
    opts: EncodeOptions<'_>,
    depth: usize,
) -> Result<(), String> {
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i, _) => out.push_str(&i.to_string()),
        Value::Uint(u, _) => out.push_str(&u.to_string()),
        Value::Float(f, k) => out.push_str(&format_float(*f, *k)?),
        Value::String(s) => write_string(out, s, opts.escape_html),
        Value::Bytes(b) => {
            out.push('"');
            out.push_str(&super::encoding::base64_encode(b));
            out.push('"');
        }
        Value::List(l) => encode_array(out, l.iter(), opts, depth, encode)?,
        Value::Map(m) => {
            let entries = m.entries();
            encode_object(
                out,
                entries.iter().map(|(k, v)| (&**k, v)),
                opts,
                depth,
                encode,
            )?;
        }
        Value::Object(o) => {
            if let Some(fields) = o.json_fields() {
                encode_object(
                    out,
                    fields.iter().map(|(k, v)| (*k, v)),
                    opts,
                    depth,
                    encode,
                )?;
            } else if let Some(j) = o.to_json() {
                encode_json(out, &j, opts, depth)?;
            } else {
                return Err(format!("json: unsupported type: {}", o.type_name()));
            }
        }
        Value::Func(f) => return Err(format!("json: unsupported type: {}", f.signature())),
    }
    Ok(())
}

/// How one element is written: [`encode`] or [`encode_json`].
type EncodeItem<T> = fn(&mut String, T, EncodeOptions<'_>, usize) -> Result<(), String>;

/// A JSON array of `items`.
fn encode_array<T>(
    out: &mut String,
    items: impl Iterator<Item = T>,
    opts: EncodeOptions<'_>,
    depth: usize,
    encode_item: EncodeItem<T>,
) -> Result<(), String> {
    let mut items = items.peekable();
    if items.peek().is_none() {
        out.push_str("[]");
        return Ok(());
    }
    out.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline(out, opts, depth + 1);
        encode_item(out, item, opts, depth + 1)?;
    }
    newline(out, opts, depth);
    out.push(']');
    Ok(())
}

/// A JSON object with its keys in the order given: a Go map's sorted keys, a struct's
/// declaration order.
fn encode_object<'k, T>(
    out: &mut String,
    fields: impl Iterator<Item = (&'k str, T)>,
    opts: EncodeOptions<'_>,
    depth: usize,
    encode_item: EncodeItem<T>,
) -> Result<(), String> {
    let mut fields = fields.peekable();
    if fields.peek().is_none() {
        out.push_str("{}");
        return Ok(());
    }
    out.push('{');
    for (i, (k, item)) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline(out, opts, depth + 1);
        write_string(out, k, opts.escape_html);
        out.push(':');
        if opts.indent.is_some() {
            out.push(' ');
        }
        encode_item(out, item, opts, depth + 1)?;
    }
    newline(out, opts, depth);
    out.push('}');
    Ok(())
}

fn encode_json(
    out: &mut String,
    v: &serde_json::Value,
    opts: EncodeOptions<'_>,
    depth: usize,
) -> Result<(), String> {
    let value = match v {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::int64(i)
            } else if let Some(u) = n.as_u64() {
                Value::Uint(u, crate::value::UintKind::Uint64)
            } else {
                Value::float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        serde_json::Value::String(s) => Value::string(s.as_str()),
        // Element by element, to keep each one's own JSON form. Objects hand over maps
        // only where Go sorts the keys too; structs come through `json_fields`.
        serde_json::Value::Array(a) => {
            return encode_array(out, a.iter(), opts, depth, encode_json);
        }
        serde_json::Value::Object(o) => {
            let fields = o.iter().map(|(k, v)| (k.as_str(), v));
            return encode_object(out, fields, opts, depth, encode_json);
        }
    };
    encode(out, &value, opts, depth)
}

/// `encoding/json`'s float form: `%f`-like between 1e-6 and 1e21, else `%e` with a
/// two-digit-minimum exponent trimmed (`1e-07` becomes `1e-7`).
fn format_float(f: f64, kind: FloatKind) -> Result<String, String> {
    let bits = if kind == FloatKind::Float32 { 32 } else { 64 };
    if !f.is_finite() {
        return Err(format!(
            "json: unsupported value: {}",
            crate::fmt::format_float(f, b'g', -1, bits)
        ));
    }
    let abs = f.abs();
    let sci = abs != 0.0
        && if bits == 64 {
            !(1e-6..1e21).contains(&abs)
        } else {
            !(1e-6..1e21).contains(&(abs as f32 as f64))
        };
    let mut s = crate::fmt::format_float(f, if sci { b'e' } else { b'f' }, -1, bits);
    if sci {
        let b = s.as_bytes();
        let n = b.len();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            s.remove(n - 2);
        }
    }
    Ok(s)
}

fn write_string(out: &mut String, s: &str, escape_html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => out.push_str(&format!("\\u{:04x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `json.Unmarshal` into an `interface{}`.
pub fn unmarshal(input: &str) -> Result<Value, String> {
    let mut p = Parser {
        s: input.as_bytes(),
        i: 0,
    };
    p.skip_ws();
    let v = p.value("looking for beginning of value")?;
    p.skip_ws();
    if p.i < p.s.len() {
        return Err(p.invalid("after top-level value"));
    }
    Ok(v)
}

const EOF: &str = "unexpected end of JSON input";

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

/// `encoding/json`'s `quoteChar`.
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        _ => {
            let q = crate::fmt::quote(&char::from(c).to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// Go's scanner error for the next byte. At the end of input Go feeds the scanner a
    /// space: that completes nothing but is an error inside literals, numbers and escapes.
    fn invalid(&self, context: &str) -> String {
        let space_ok = context.starts_with("looking for")
            || context.starts_with("after object")
            || context == "after array element"
            || context == "in string literal";
        match self.peek() {
            Some(c) => format!("invalid character {} {context}", quote_char(c)),
            None if space_ok => EOF.into(),
            None => format!("invalid character ' ' {context}"),
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.i += 1;
        }
    }

    fn value(&mut self, context: &str) -> Result<Value, String> {
        match self.peek() {
            None => Err(EOF.into()),
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string().map(Value::string),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Nil),
            Some(_) => Err(self.invalid(context)),
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, String> {
        for (k, expect) in word.bytes().enumerate() {
            match self.peek() {
                Some(c) if c == expect => self.i += 1,
                _ => {
                    return Err(self.invalid(&format!(
                        "in literal {word} (expecting {})",
                        quote_char(word.as_bytes()[k])
                    )));
                }
            }
        }
        Ok(v)
    }

    fn object(&mut self) -> Result<Value, String> {
        self.i += 1;
        let mut entries: BTreeMap<Str, Value> = BTreeMap::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(Value::map(entries));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.invalid("looking for beginning of object key string"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.invalid("after object key"));
            }
            self.i += 1;
            self.skip_ws();
            let v = self.value("looking for beginning of value")?;
            entries.insert(Str::from(key), v);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Value::map(entries));
                }
                _ => return Err(self.invalid("after object key:value pair")),
            }
        }
    }

    fn array(&mut self) -> Result<Value, String> {
        self.i += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(Value::list(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value("looking for beginning of value")?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Value::list(items));
                }
                _ => return Err(self.invalid("after array element")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut v = 0u32;
        for _ in 0..4 {
            match self.peek() {
                Some(c) if c.is_ascii_hexdigit() => {
                    v = v * 16 + (c as char).to_digit(16).expect("hex digit");
                    self.i += 1;
                }
                _ => return Err(self.invalid("in \\u hexadecimal character escape")),
            }
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<String, String> {
        self.i += 1;
        let mut buf: Vec<u8> = Vec::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(EOF.into());
            };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(super::text::lossy(&buf));
                }
                b'\\' => {
                    self.i += 1;
                    let Some(e) = self.peek() else {
                        return Err(self.invalid("in string escape code"));
                    };
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            if (0xD800..0xDC00).contains(&hi)
                                && self.s[self.i..].starts_with(b"\\u")
                            {
                                // A surrogate pair; Go replaces unpaired halves with U+FFFD.
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                        .unwrap_or('\u{FFFD}')
                                } else {
                                    self.i = save;
                                    '\u{FFFD}'
                                }
                            } else {
                                char::from_u32(hi).unwrap_or('\u{FFFD}')
                            }
                        }
                        _ => {
                            self.i -= 1;
                            return Err(self.invalid("in string escape code"));
                        }
                    };
                    let mut tmp = [0u8; 4];
                    buf.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                }
                c if c < 0x20 => return Err(self.invalid("in string literal")),
                c => {
                    buf.push(c);
                    self.i += 1;
                }
            }
        }
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
            match self.peek() {
                Some(b'0'..=b'9') => {}
                _ => return Err(self.invalid("in numeric literal")),
            }
        }
        if self.peek() == Some(b'0') {
            self.i += 1;
        } else {
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.invalid("after decimal point in numeric literal"));
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.invalid("in exponent of numeric literal"));
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).expect("ASCII");
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::float(f)),
            _ => Err(format!(
                "json: cannot unmarshal number {text} into Go value of type float64"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: EncodeOptions<'static> = EncodeOptions {
        escape_html: true,
        indent: None,
    };

    #[test]
    fn marshals_like_encoding_json() {
        let v = unmarshal(r#"{"b":[1,2.5,1e-7,1e21],"a":"<x>&"}"#).unwrap();
        assert_eq!(
            marshal(&v, PLAIN).unwrap(),
            r#"{"a":"\u003cx\u003e\u0026","b":[1,2.5,1e-7,1e+21]}"#
        );
        let pretty = EncodeOptions {
            escape_html: true,
            indent: Some("  "),
        };
        assert_eq!(
            marshal(&v, pretty).unwrap(),
            "{\n  \"a\": \"\\u003cx\\u003e\\u0026\",\n  \"b\": [\n    1,\n    2.5,\n    1e-7,\n    1e+21\n  ]\n}"
        );
        assert_eq!(
            marshal(&Value::float(f64::NAN), PLAIN).unwrap_err(),
            "json: unsupported value: NaN"
        );
    }

    #[test]
    fn reports_go_syntax_errors() {
        assert_eq!(unmarshal("").unwrap_err(), "unexpected end of JSON input");
        assert_eq!(unmarshal("{").unwrap_err(), "unexpected end of JSON input");
        assert_eq!(
            unmarshal("x").unwrap_err(),
            "invalid character 'x' looking for beginning of value"
        );
        assert_eq!(
            unmarshal("{\"a\" 1}").unwrap_err(),
            "invalid character '1' after object key"
        );
        assert_eq!(
            unmarshal("{\"a\":1 x").unwrap_err(),
            "invalid character 'x' after object key:value pair"
        );
        assert_eq!(
            unmarshal("[1 2]").unwrap_err(),
            "invalid character '2' after array element"
        );
        assert_eq!(
            unmarshal("01").unwrap_err(),
            "invalid character '1' after top-level value"
        );
        assert_eq!(
            unmarshal("tru").unwrap_err(),
            "invalid character ' ' in literal true (expecting 'e')"
        );
        assert_eq!(
            unmarshal("[1,").unwrap_err(),
            "unexpected end of JSON input"
        );
        assert_eq!(
            unmarshal("1.").unwrap_err(),
            "invalid character ' ' after decimal point in numeric literal"
        );
        assert_eq!(
            unmarshal("trux").unwrap_err(),
            "invalid character 'x' in literal true (expecting 'e')"
        );
        assert_eq!(
            unmarshal("{a}").unwrap_err(),
            "invalid character 'a' looking for beginning of object key string"
        );
        assert_eq!(
            unmarshal("\"\\q\"").unwrap_err(),
            "invalid character 'q' in string escape code"
        );
        assert_eq!(
            unmarshal("-x").unwrap_err(),
            "invalid character 'x' in numeric literal"
        );
    }
}
