//! Go's `strconv.FormatFloat(f, 'g', -1, bits)`, the only float spelling go-yaml and
//! sigs.k8s.io/yaml use.

/// Shortest round-trip digits and decimal exponent (`d.ddd × 10^exp`), as Rust's `{:e}`
/// produces them; Go's shortest digits are the same set (both are exact shortest).
fn shortest(repr: &str) -> (bool, String, i32) {
    let (neg, rest) = match repr.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, repr),
    };
    let (mant, exp) = rest.split_once('e').expect("{:e} always has an exponent");
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    (
        neg,
        digits,
        exp.parse().expect("{:e} exponent is an integer"),
    )
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`.
pub fn format_g64(f: f64) -> String {
    if let Some(s) = special(f) {
        return s.to_owned();
    }
    format_g(shortest(&format!("{f:e}")))
}

/// `strconv.FormatFloat(f, 'g', -1, 32)`: the value is rounded to float32 first.
pub fn format_g32(f: f64) -> String {
    if let Some(s) = special(f) {
        return s.to_owned();
    }
    #[allow(clippy::cast_possible_truncation)]
    let narrowed = f as f32;
    if narrowed.is_infinite() {
        return if narrowed > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    format_g(shortest(&format!("{narrowed:e}")))
}

/// `strconv.FormatFloat(f, 'f', -1, 64)` for finite values.
pub fn format_f64(f: f64) -> String {
    let (neg, digits, exp) = shortest(&format!("{f:e}"));
    let mut out = String::from(if neg { "-" } else { "" });
    if digits == "0" {
        out.push('0');
    } else if exp < 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
        out.push_str(&digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', int_len - digits.len()));
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
    out
}

fn special(f: f64) -> Option<&'static str> {
    if f.is_nan() {
        Some("NaN")
    } else if f == f64::INFINITY {
        Some("+Inf")
    } else if f == f64::NEG_INFINITY {
        Some("-Inf")
    } else {
        None
    }
}

fn format_g((neg, digits, exp): (bool, String, i32)) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if digits == "0" {
        out.push('0');
        return out;
    }
    // Go switches to %e when the exponent is < -4 or >= 6 for shortest formatting
    // (precision 6 stands in for "shortest" in that decision).
    if !(-4..6).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        out.push_str(&e.to_string());
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.push_str(&digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_go() {
        for (f, s) in [
            (1.5, "1.5"),
            (1e6, "1e+06"),
            (123456.0, "123456"),
            (1234567.5, "1.2345675e+06"),
            (1e-7, "1e-07"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e21, "1e+21"),
            (1e100, "1e+100"),
            (-0.0, "-0"),
            (0.0, "0"),
            (-2.5, "-2.5"),
        ] {
            assert_eq!(format_g64(f), s, "{f}");
        }
        assert_eq!(format_g32(0.1), "0.1");
        assert_eq!(format_g32(1e20), "1e+20");
        assert_eq!(format_g32(std::f64::consts::PI), "3.1415927");
    }
}
