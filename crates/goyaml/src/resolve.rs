//! go-yaml v2's implicit typing of scalars (YAML 1.1 flavoured, `resolve.go`).

pub const STR: &str = "tag:yaml.org,2002:str";
pub const INT: &str = "tag:yaml.org,2002:int";
pub const FLOAT: &str = "tag:yaml.org,2002:float";
pub const BOOL: &str = "tag:yaml.org,2002:bool";
pub const NULL: &str = "tag:yaml.org,2002:null";
pub const TIMESTAMP: &str = "tag:yaml.org,2002:timestamp";
pub const BINARY: &str = "tag:yaml.org,2002:binary";
pub const MERGE: &str = "tag:yaml.org,2002:merge";

/// A decoded scalar, with the Go type go-yaml would give it inside `interface{}`.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    /// Timestamps keep their text in `interface{}` (go-yaml's compatibility rule), but
    /// still count as non-strings when the encoder decides on quoting.
    Timestamp(String),
}

impl Scalar {
    fn tag(&self) -> &'static str {
        match self {
            Scalar::Null => NULL,
            Scalar::Bool(_) => BOOL,
            Scalar::Int(_) | Scalar::Uint(_) => INT,
            Scalar::Float(_) => FLOAT,
            Scalar::Str(_) => STR,
            Scalar::Timestamp(_) => TIMESTAMP,
        }
    }
}

pub fn short_tag(tag: &str) -> String {
    match tag.strip_prefix("tag:yaml.org,2002:") {
        Some(rest) => format!("!!{rest}"),
        None => tag.to_owned(),
    }
}

fn resolvable(tag: &str) -> bool {
    matches!(tag, "" | STR | BOOL | INT | FLOAT | NULL | TIMESTAMP)
}

/// `resolve(tag, in)`: `Err` carries go-yaml's message for a value its explicit tag
/// cannot hold. Tags that are not core types leave the text a string.
pub fn resolve(tag: &str, value: &str) -> Result<Scalar, String> {
    if !resolvable(tag) {
        return Ok(Scalar::Str(value.to_owned()));
    }
    let out = implicit(tag, value);
    let rtag = out.tag();
    if tag.is_empty() || tag == rtag || tag == STR || tag == BINARY {
        return Ok(out);
    }
    if tag == FLOAT
        && let Scalar::Int(i) = out
    {
        return Ok(Scalar::Float(i as f64));
    }
    Err(format!(
        "cannot decode {} `{}` as a {}",
        short_tag(rtag),
        value,
        short_tag(tag)
    ))
}

/// What a string would resolve to untagged; the encoder quotes anything that is not a string.
pub fn is_plain_string(value: &str) -> bool {
    matches!(implicit("", value), Scalar::Str(_))
}

fn implicit(tag: &str, value: &str) -> Scalar {
    if tag == STR || tag == BINARY {
        return Scalar::Str(value.to_owned());
    }
    match value {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Scalar::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Scalar::Bool(false);
        }
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        ".nan" | ".NaN" | ".NAN" => return Scalar::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Scalar::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Scalar::Float(f64::NEG_INFINITY),
        _ => {}
    }
    let first = value.as_bytes()[0];
    match first {
        b'.' => {
            if let Some(f) = go_parse_float(value) {
                return Scalar::Float(f);
            }
        }
        b'0'..=b'9' | b'+' | b'-' => {
            if (tag.is_empty() || tag == TIMESTAMP) && is_timestamp(value) {
                return Scalar::Timestamp(value.to_owned());
            }
            let plain: String = value.chars().filter(|c| *c != '_').collect();
            if let Some(i) = go_parse_int(&plain) {
                return Scalar::Int(i);
            }
            if let Some(u) = go_parse_uint(&plain) {
                return Scalar::Uint(u);
            }
            if yaml_style_float(&plain)
                && let Some(f) = go_parse_float(&plain)
            {
                return Scalar::Float(f);
            }
            if let Some(bits) = plain.strip_prefix("0b") {
                let signed = bits.starts_with(['+', '-']);
                if !signed && let Ok(i) = i64::from_str_radix(bits, 2) {
                    return Scalar::Int(i);
                }
                if !signed && let Ok(u) = u64::from_str_radix(bits, 2) {
                    return Scalar::Uint(u);
                }
            } else if let Some(bits) = plain.strip_prefix("-0b")
                && !bits.starts_with(['+', '-'])
                && let Ok(i) = i64::from_str_radix(&format!("-{bits}"), 2)
            {
                return Scalar::Int(i);
            }
        }
        _ => {}
    }
    Scalar::Str(value.to_owned())
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseFloat(s, 64)` for the decimal forms go-yaml feeds it; out-of-range
/// values are errors in Go (they give ±Inf plus ErrRange), hex floats and `inf` words never
/// reach here except through the `.`-prefixed path, where Rust and Go agree on rejecting them.
fn go_parse_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let ok = b
        .iter()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-' | b'_'));
    if !ok || s.contains('_') {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    if f.is_infinite() {
        return None;
    }
    Some(f)
}

/// Digits of `s` in Go's base-0 syntax (`0x`, `0o`, `0b`, leading-`0` octal), unsigned.
fn base0(s: &str) -> Option<u64> {
    let (radix, digits) = if let Some(r) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (16, r)
    } else if let Some(r) = s.strip_prefix("0o").or_else(|| s.strip_prefix("0O")) {
        (8, r)
    } else if let Some(r) = s.strip_prefix("0b").or_else(|| s.strip_prefix("0B")) {
        (2, r)
    } else if s.len() > 1 && s.starts_with('0') {
        (8, &s[1..])
    } else {
        (10, s)
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// `strconv.ParseInt(s, 0, 64)` (underscores already removed by the caller).
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let u = base0(body)?;
    if neg {
        if u <= 1 << 63 {
            Some((u as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(u).ok()
    }
}

/// `strconv.ParseUint(s, 0, 64)`: no sign accepted.
fn go_parse_uint(s: &str) -> Option<u64> {
    if s.starts_with(['+', '-']) {
        return None;
    }
    base0(s)
}

/// go-yaml's `parseTimestamp`: four digits and a dash, then one of its accepted layouts.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let year = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if year != 4 || year == b.len() || b[year] != b'-' {
        return false;
    }
    timestamp::parse(s)
}

mod timestamp {
    //! The layouts `2006-1-2T15:4:5.999999999Z07:00` (also lower-case `t`),
    //! `2006-1-2 15:4:5.999999999` and `2006-1-2`, checked as Go's time.Parse does,
    //! including its range checks (month 1-12, day valid for the month).

    struct Cur<'a> {
        b: &'a [u8],
        i: usize,
    }

    impl Cur<'_> {
        /// Go's getnum for a layout element `1`/`2`/`15`/`4`/`5`: one or two digits
        /// (`fixed` = exactly two).
        fn num(&mut self, fixed: bool) -> Option<u32> {
            let b = self.b;
            if self.i >= b.len() || !b[self.i].is_ascii_digit() {
                return None;
            }
            if self.i + 1 >= b.len() || !b[self.i + 1].is_ascii_digit() {
                if fixed {
                    return None;
                }
                self.i += 1;
                return Some(u32::from(b[self.i - 1] - b'0'));
            }
            self.i += 2;
            Some(u32::from(b[self.i - 2] - b'0') * 10 + u32::from(b[self.i - 1] - b'0'))
        }

        fn lit(&mut self, c: u8) -> Option<()> {
            if self.b.get(self.i) == Some(&c) {
                self.i += 1;
                Some(())
            } else {
                None
            }
        }

        fn done(&self) -> bool {
            self.i == self.b.len()
        }
    }

    fn date(c: &mut Cur) -> Option<()> {
        let year: u32 = std::str::from_utf8(&c.b[..4]).ok()?.parse().ok()?;
        c.i = 4;
        c.lit(b'-')?;
        let month = c.num(false)?;
        c.lit(b'-')?;
        let day = c.num(false)?;
        if !(1..=12).contains(&month) || day < 1 || day > days_in(month, year) {
            return None;
        }
        Some(())
    }

    fn days_in(month: u32, year: u32) -> u32 {
        match month {
            2 if year.is_multiple_of(4)
                && (!year.is_multiple_of(100) || year.is_multiple_of(400)) =>
            {
                29
            }
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    fn clock(c: &mut Cur) -> Option<()> {
        let h = c.num(false)?;
        c.lit(b':')?;
        let m = c.num(false)?;
        c.lit(b':')?;
        let s = c.num(false)?;
        if h >= 24 || m >= 60 || s >= 60 {
            return None;
        }
        // `.999999999` accepts an optional fraction of any length of digits.
        if c.b.get(c.i) == Some(&b'.') && c.b.get(c.i + 1).is_some_and(u8::is_ascii_digit) {
            c.i += 1;
            while c.b.get(c.i).is_some_and(u8::is_ascii_digit) {
                c.i += 1;
            }
        }
        Some(())
    }

    fn zone(c: &mut Cur) -> Option<()> {
        if c.lit(b'Z').is_some() {
            return Some(());
        }
        match c.b.get(c.i) {
            Some(b'+' | b'-') => c.i += 1,
            _ => return None,
        }
        let h = c.num(true)?;
        c.lit(b':')?;
        let m = c.num(true)?;
        if h >= 24 || m >= 60 {
            return None;
        }
        Some(())
    }

    pub fn parse(s: &str) -> bool {
        let b = s.as_bytes();
        let attempt = |sep: Option<u8>| -> Option<()> {
            let mut c = Cur { b, i: 0 };
            date(&mut c)?;
            match sep {
                None => {}
                Some(b' ') => {
                    c.lit(b' ')?;
                    clock(&mut c)?;
                }
                Some(_) => {
                    if c.lit(b'T').is_none() {
                        c.lit(b't')?;
                    }
                    clock(&mut c)?;
                    zone(&mut c)?;
                }
            }
            c.done().then_some(())
        };
        attempt(Some(b'T')).is_some() || attempt(Some(b' ')).is_some() || attempt(None).is_some()
    }
}
