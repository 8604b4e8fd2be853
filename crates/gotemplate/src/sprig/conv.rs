//! Go conversions sprig leans on: its `strval`, spf13/cast's `ToInt64`/`ToFloat64`
//! (errors swallowed to zero, as sprig calls them), `reflect.DeepEqual`, reflection
//! kinds, and `strconv`'s integer parsing with its error texts.

use crate::value::{IntKind, Type, UintKind, Value};

/// The message of Go's nil-pointer panic, which sprig hits by calling
/// `reflect.TypeOf(nil).Kind()` on a nil list.
pub const NIL_DEREF: &str = "runtime error: invalid memory address or nil pointer dereference";

/// Sprig's `strval`: strings as they are, `[]byte` as text, everything else as `%v`
/// (which already uses `Error()`/`String()` for objects that have them).
pub fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => super::text::lossy(b),
        other => {
            let mut s = String::new();
            crate::fmt::write_value(&mut s, other);
            s
        }
    }
}

/// Go's conversion `int64(f)` of a float64; out-of-range values give amd64's
/// "integer indefinite" value, which Go programs observe on the platforms Helm ships.
pub fn float_to_i64(f: f64) -> i64 {
    // 2^63, exactly representable.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || !(-LIMIT..LIMIT).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// spf13/cast `ToInt64E`; `None` where cast returns an error.
pub fn cast_int64(v: &Value) -> Option<i64> {
    match v {
        Value::Nil => Some(0),
        Value::Int(i, _) => Some(*i),
        Value::Uint(u, _) => Some(*u as i64),
        Value::Float(f, _) => Some(float_to_i64(*f)),
        Value::Bool(b) => Some(i64::from(*b)),
        Value::String(s) => parse_int(trim_zero_decimal(s), 0, 64).ok(),
        _ => None,
    }
}

/// spf13/cast `ToInt64`: failures read as 0.
pub fn to_int64(v: &Value) -> i64 {
    cast_int64(v).unwrap_or(0)
}

/// spf13/cast `ToFloat64E`.
pub fn cast_float64(v: &Value) -> Option<f64> {
    match v {
        Value::Nil => Some(0.0),
        Value::Int(i, _) => Some(*i as f64),
        Value::Uint(u, _) => Some(*u as f64),
        Value::Float(f, _) => Some(*f),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        Value::String(s) => parse_float(s).ok(),
        _ => None,
    }
}

/// spf13/cast `ToFloat64`: failures read as 0.
pub fn to_float64(v: &Value) -> f64 {
    cast_float64(v).unwrap_or(0.0)
}

/// cast's `trimZeroDecimal`: `"12.000"` reads as `"12"`.
fn trim_zero_decimal(s: &str) -> &str {
    let b = s.as_bytes();
    let mut found_zero = false;
    for i in (1..=b.len()).rev() {
        match b[i - 1] {
            b'.' => {
                if found_zero {
                    return &s[..i - 1];
                }
            }
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// Go's `strconv.NumError` text.
fn num_error(func: &str, input: &str, reason: &str) -> String {
    format!(
        "strconv.{func}: parsing {}: {reason}",
        crate::fmt::quote(input)
    )
}

/// Go's `strconv.ParseInt(s, base, bits)` with base 0 (prefixes, `_` separators) or
/// an explicit base, and Go's error texts.
pub fn parse_int(s: &str, base: u32, bits: u32) -> Result<i64, String> {
    if s.is_empty() {
        return Err(num_error("ParseInt", s, "invalid syntax"));
    }
    let (neg, body) = match s.as_bytes()[0] {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let un = parse_uint_inner(body, base, 64).map_err(|e| match e {
        UintError::Syntax => num_error("ParseInt", s, "invalid syntax"),
        UintError::Range => num_error("ParseInt", s, "value out of range"),
    });
    let un = un?;
    let cutoff = 1u64 << (bits - 1);
    if !neg && un >= cutoff {
        return Err(num_error("ParseInt", s, "value out of range"));
    }
    if neg && un > cutoff {
        return Err(num_error("ParseInt", s, "value out of range"));
    }
    Ok(if neg {
        (un as i64).wrapping_neg()
    } else {
        un as i64
    })
}

enum UintError {
    Syntax,
    Range,
}

fn parse_uint_inner(s: &str, base: u32, bits: u32) -> Result<u64, UintError> {
    if s.is_empty() {
        return Err(UintError::Syntax);
    }
    let base0 = base == 0;
    let b = s.as_bytes();
    let (base, digits) = if base0 {
        if b[0] == b'0' {
            if b.len() >= 3 && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
                let base = match b[1].to_ascii_lowercase() {
                    b'b' => 2,
                    b'o' => 8,
                    _ => 16,
                };
                (base, &s[2..])
            } else {
                (8, &s[1..])
            }
        } else {
            (10, s)
        }
    } else {
        (base, s)
    };
    let max_val: u64 = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let mut n: u64 = 0;
    let mut underscores = false;
    for c in digits.bytes() {
        if c == b'_' && base0 {
            underscores = true;
            continue;
        }
        let d = match c {
            b'0'..=b'9' => (c - b'0') as u32,
            b'a'..=b'z' => (c - b'a') as u32 + 10,
            b'A'..=b'Z' => (c - b'A') as u32 + 10,
            _ => return Err(UintError::Syntax),
        };
        if d >= base {
            return Err(UintError::Syntax);
        }
        n = n.checked_mul(base as u64).ok_or(UintError::Range)?;
        n = n.checked_add(d as u64).ok_or(UintError::Range)?;
        if n > max_val {
            return Err(UintError::Range);
        }
    }
    if underscores && !underscore_ok(s) {
        return Err(UintError::Syntax);
    }
    Ok(n)
}

/// Go's `underscoreOK`: `_` only between digits, and only with a base prefix.
fn underscore_ok(s: &str) -> bool {
    let b = s.strip_prefix(['+', '-']).unwrap_or(s).as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// `strconv.ParseInt` with its error dropped, as sprig does in `duration`: an
/// out-of-range number reads as the nearest int64 and anything else as 0.
pub fn parse_int_lenient(s: &str, base: u32) -> i64 {
    match parse_int(s, base, 64) {
        Ok(v) => v,
        Err(e) if e.ends_with("value out of range") => {
            if s.starts_with('-') {
                i64::MIN
            } else {
                i64::MAX
            }
        }
        Err(_) => 0,
    }
}

/// `strconv.Atoi` as sprig's `atoi` uses it: the error is dropped, so an out-of-range
/// number reads as the nearest int and anything else as 0.
pub fn atoi_lenient(s: &str) -> i64 {
    match atoi(s) {
        Ok(v) => v,
        Err(e) if e.ends_with("value out of range") => {
            if s.starts_with('-') {
                i64::MIN
            } else {
                i64::MAX
            }
        }
        Err(_) => 0,
    }
}

/// Go's `strconv.Atoi`.
pub fn atoi(s: &str) -> Result<i64, String> {
    parse_int(s, 10, 64).map_err(|e| e.replacen("ParseInt", "Atoi", 1))
}

/// Go's `strconv.ParseFloat(s, 64)`: decimal and hexadecimal (`0x1p-2`) forms, `_`
/// between digits, `inf`/`infinity` with a sign and `nan` without; a finite number too
/// large is an error (cast then reads 0).
pub fn parse_float(s: &str) -> Result<f64, String> {
    let syntax = || num_error("ParseFloat", s, "invalid syntax");
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let neg = s.starts_with('-');
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Ok(if neg {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if s.eq_ignore_ascii_case("nan") {
        return Ok(f64::NAN);
    }
    if lower.contains('_') && !underscore_ok(s) {
        return Err(syntax());
    }
    let lower = lower.replace('_', "");
    let f = if let Some(hex) = lower.strip_prefix("0x") {
        parse_hex_float(hex).ok_or_else(syntax)?
    } else {
        if lower.is_empty()
            || !lower
                .bytes()
                .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'+' | b'-'))
        {
            return Err(syntax());
        }
        lower.parse::<f64>().map_err(|_| syntax())?
    };
    if f.is_infinite() {
        return Err(num_error("ParseFloat", s, "value out of range"));
    }
    Ok(if neg { -f } else { f })
}

/// A hexadecimal float after `0x`: mantissa digits (with an optional point) and the
/// `p` exponent Go requires.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (mant, exp) = s.split_once('p')?;
    let exp: i32 = exp.parse().ok()?;
    let (int_part, frac_part) = mant.split_once('.').unwrap_or((mant, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int_part.chars() {
        v = v * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in frac_part.chars() {
        v += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    Some(v * 2f64.powi(exp))
}

/// Sprig's `empty`: the zero value of its type (structs never are).
pub fn empty(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i, _) => *i == 0,
        Value::Uint(u, _) => *u == 0,
        Value::Float(f, _) => *f == 0.0,
        Value::String(s) => s.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.is_empty(),
        Value::Object(o) => !o.truth(),
        Value::Func(_) => false,
    }
}

/// `reflect.Value.Kind().String()` of a value held in an interface.
pub fn kind_of(v: &Value) -> String {
    match v {
        Value::Nil => "invalid".into(),
        Value::Bool(_) => "bool".into(),
        Value::Int(_, k) => k.name().into(),
        Value::Uint(_, k) => k.name().into(),
        Value::Float(_, k) => k.name().into(),
        Value::String(_) => "string".into(),
        Value::Bytes(_) | Value::List(_) => "slice".into(),
        Value::Map(_) => "map".into(),
        Value::Func(_) => "func".into(),
        Value::Object(o) => {
            if o.type_name().starts_with('*') {
                "ptr".into()
            } else {
                "struct".into()
            }
        }
    }
}

/// The items of a list or `[]byte` (as `uint8` values).
pub fn list_items(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::List(l) => Some(l.items().to_vec()),
        Value::Bytes(b) => Some(
            b.iter()
                .map(|&x| Value::Uint(x as u64, UintKind::Uint8))
                .collect(),
        ),
        _ => None,
    }
}

/// `reflect.DeepEqual` on two interface values.
pub fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x, kx), Value::Int(y, ky)) => kx == ky && x == y,
        (Value::Uint(x, kx), Value::Uint(y, ky)) => kx == ky && x == y,
        (Value::Float(x, kx), Value::Float(y, ky)) => kx == ky && x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.elem() == y.elem()
                && x.len() == y.len()
                && x.iter().zip(y.iter()).all(|(p, q)| deep_equal(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.ptr_eq(y) {
                return true;
            }
            if x.elem() != y.elem() {
                return false;
            }
            let (xe, ye) = (x.entries(), y.entries());
            xe.len() == ye.len()
                && xe
                    .iter()
                    .zip(ye.iter())
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && deep_equal(v1, v2))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.type_name() == y.type_name()
                && (std::sync::Arc::ptr_eq(x, y) || x.equals(y.as_ref()).unwrap_or(false))
        }
        // Go's DeepEqual treats non-nil funcs as unequal.
        _ => false,
    }
}

/// An empty slice of `v`'s slice type (Go's `reflect.MakeSlice(t, 0, n)`).
pub fn empty_like(v: &Value) -> Value {
    match v {
        Value::List(l) => Value::List(crate::value::List::typed(l.elem().clone(), Vec::new())),
        Value::Bytes(_) => Value::Bytes(std::sync::Arc::from(&[][..])),
        other => other.clone(),
    }
}

/// A `[]int` value.
pub fn int_list(items: Vec<i64>) -> Value {
    Value::List(crate::value::List::typed(
        Type::Int(IntKind::Int),
        items.into_iter().map(Value::int).collect(),
    ))
}

/// The `int` argument at `i` (the engine has converted it already).
pub fn int_arg(args: &[Value], i: usize) -> i64 {
    args.get(i).and_then(Value::as_i64).unwrap_or(0)
}

/// The `string` argument at `i`.
pub fn str_arg(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ints_like_strconv() {
        assert_eq!(parse_int("0x1F", 0, 64), Ok(31));
        assert_eq!(parse_int("0o17", 0, 64), Ok(15));
        assert_eq!(parse_int("017", 0, 64), Ok(15));
        assert_eq!(parse_int("1_000", 0, 64), Ok(1000));
        assert_eq!(parse_int("-9223372036854775808", 0, 64), Ok(i64::MIN));
        assert_eq!(
            parse_int("9223372036854775808", 10, 64).unwrap_err(),
            r#"strconv.ParseInt: parsing "9223372036854775808": value out of range"#
        );
        assert_eq!(
            atoi("12a").unwrap_err(),
            r#"strconv.Atoi: parsing "12a": invalid syntax"#
        );
        assert_eq!(
            parse_int("_1", 0, 64).unwrap_err(),
            r#"strconv.ParseInt: parsing "_1": invalid syntax"#
        );
    }

    #[test]
    fn casts_like_spf13_cast() {
        assert_eq!(to_int64(&Value::string("12.000")), 12);
        assert_eq!(to_int64(&Value::string("12.5")), 0);
        assert_eq!(to_int64(&Value::float(3.9)), 3);
        assert_eq!(to_float64(&Value::string("1e400")), 0.0);
        assert_eq!(to_float64(&Value::string("0x1p-2")), 0.25);
        assert_eq!(to_float64(&Value::string("0x10")), 0.0);
        assert_eq!(to_float64(&Value::string("1_0.5")), 10.5);
        assert_eq!(to_float64(&Value::string("-nan")), 0.0);
        assert_eq!(atoi_lenient("99999999999999999999"), i64::MAX);
        assert_eq!(to_float64(&Value::string(" 1")), 0.0);
        assert_eq!(to_float64(&Value::Bool(true)), 1.0);
    }
}
