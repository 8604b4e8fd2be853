//! JSON bytes as Go's `encoding/json` writes them, so that release records are
//! byte-compatible: HTML-significant characters escaped, floats in Go's shortest form.

use std::io;

use serde::Serialize;

pub(crate) fn to_vec<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, GoFormatter);
    value.serialize(&mut ser)?;
    Ok(out)
}

/// Go's float64 text: `%f`-style shortest digits between 1e-6 and 1e21, else the
/// exponent form with a one-digit negative exponent cleaned up (`1e-07` → `1e-7`).
pub(crate) fn format_f64(f: f64) -> String {
    let abs = f.abs();
    let exp = abs != 0.0 && !(1e-6..1e21).contains(&abs);
    let mut s = gotemplate::fmt::format_float(f, if exp { b'e' } else { b'f' }, -1, 64);
    if exp {
        let b = s.as_bytes();
        let n = b.len();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            s.remove(n - 2);
        }
    }
    s
}

struct GoFormatter;

impl serde_json::ser::Formatter for GoFormatter {
    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        writer.write_all(format_f64(value).as_bytes())
    }

    fn write_f32<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        self.write_f64(writer, f64::from(value))
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // Go escapes <, > and & (HTML safety) and the two JS line separators.
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            let esc = match c {
                '<' => "\\u003c",
                '>' => "\\u003e",
                '&' => "\\u0026",
                '\u{2028}' => "\\u2028",
                '\u{2029}' => "\\u2029",
                _ => continue,
            };
            writer.write_all(&fragment.as_bytes()[start..i])?;
            writer.write_all(esc.as_bytes())?;
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        char_escape: serde_json::ser::CharEscape,
    ) -> io::Result<()> {
        use serde_json::ser::CharEscape::*;
        // Go writes \b and \f as \u0008 and \u000c.
        let s: String = match char_escape {
            Quote => "\\\"".into(),
            ReverseSolidus => "\\\\".into(),
            LineFeed => "\\n".into(),
            CarriageReturn => "\\r".into(),
            Tab => "\\t".into(),
            Solidus => "/".into(),
            Backspace => "\\u0008".into(),
            FormFeed => "\\u000c".into(),
            AsciiControl(b) => format!("\\u{b:04x}"),
        };
        writer.write_all(s.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_floats_and_escapes_as_go() {
        let v = serde_json::json!({"a": 1.0, "b": 1e21, "c": 0.0000001, "d": "<&>\u{8}", "e": 1.5, "f": 123456789.0});
        let out = String::from_utf8(to_vec(&v).unwrap()).unwrap();
        assert_eq!(
            out,
            r#"{"a":1,"b":1e+21,"c":1e-7,"d":"\u003c\u0026\u003e\u0008","e":1.5,"f":123456789}"#
        );
    }
}
