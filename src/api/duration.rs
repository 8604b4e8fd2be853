//! Go `time.Duration` strings (`1m30s`, `500ms`, `1.5h`), as Flux writes them in `interval`,
//! `timeout` and `retryInterval`. Parsing follows Go's `time.ParseDuration`, formatting follows
//! `Duration.String()`, so a value read from a Flux object is written back unchanged.

use std::fmt;
use std::time::Duration;

/// The pattern Flux's CRDs put on every duration field; kept here so generated CRDs match.
pub const DURATION_PATTERN: &str = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("invalid duration {0:?}: expected a Go duration such as 30s, 5m or 1h30m")]
    Invalid(String),
    #[error("invalid duration {0:?}: unknown unit {1:?} (use ns, us, ms, s, m or h)")]
    UnknownUnit(String, String),
    #[error("invalid duration {0:?}: out of range")]
    Overflow(String),
    #[error("invalid duration {0:?}: must be greater than zero")]
    NotPositive(String),
}

const UNITS: [(&str, u128); 8] = [
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("μs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// Go's maximum duration (int64 nanoseconds).
const MAX_NANOS: u128 = i64::MAX as u128;

/// Parses a non-negative Go duration. A leading `-` is refused: no tk field accepts one.
pub fn parse(input: &str) -> Result<Duration, DurationError> {
    let invalid = || DurationError::Invalid(input.to_string());
    let mut s = input.strip_prefix('+').unwrap_or(input);
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    if s.is_empty() || s.starts_with('-') {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    while !s.is_empty() {
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &s[..int_len];
        s = &s[int_len..];
        let mut frac_part = "";
        if let Some(rest) = s.strip_prefix('.') {
            let frac_len = rest.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &rest[..frac_len];
            s = &rest[frac_len..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(invalid());
        }
        let unit_len = s
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() || *c == '.')
            .map_or(s.len(), |(i, _)| i);
        let unit = &s[..unit_len];
        s = &s[unit_len..];
        if unit.is_empty() {
            return Err(invalid());
        }
        let scale = UNITS
            .iter()
            .find(|(name, _)| *name == unit)
            .map(|(_, scale)| *scale)
            .ok_or_else(|| DurationError::UnknownUnit(input.to_string(), unit.to_string()))?;
        let overflow = || DurationError::Overflow(input.to_string());
        let whole: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| overflow())?
        };
        let mut nanos = whole.checked_mul(scale).ok_or_else(overflow)?;
        if !frac_part.is_empty() {
            // Digits beyond 1e-18 cannot change the result at any unit; cap to stay in range.
            let digits = &frac_part[..frac_part.len().min(18)];
            let frac: u128 = digits.parse().map_err(|_| overflow())?;
            nanos += frac * scale / 10u128.pow(digits.len() as u32);
        }
        total = total.checked_add(nanos).ok_or_else(overflow)?;
        if total > MAX_NANOS {
            return Err(overflow());
        }
    }
    Ok(Duration::from_nanos(total as u64))
}

/// Parses a duration that must be strictly positive (intervals, timeouts).
pub fn parse_positive(input: &str) -> Result<Duration, DurationError> {
    let d = parse(input)?;
    if d.is_zero() {
        return Err(DurationError::NotPositive(input.to_string()));
    }
    Ok(d)
}

/// Formats like Go's `Duration.String()`: `1h30m0s`, `1.5s`, `250ms`, `0s`.
pub fn format(d: Duration) -> String {
    GoDuration(d).to_string()
}

/// Display adapter producing Go's canonical duration text.
pub struct GoDuration(pub Duration);

impl fmt::Display for GoDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.0.as_nanos();
        if nanos == 0 {
            return f.write_str("0s");
        }
        if nanos < 1_000_000_000 {
            let (scale, unit) = match nanos {
                n if n < 1_000 => (1, "ns"),
                n if n < 1_000_000 => (1_000, "µs"),
                _ => (1_000_000, "ms"),
            };
            return write!(f, "{}{unit}", fraction(nanos, scale));
        }
        let hours = nanos / 3_600_000_000_000;
        let minutes = nanos / 60_000_000_000 % 60;
        let secs = nanos % 60_000_000_000;
        if hours > 0 {
            write!(f, "{hours}h{minutes}m")?;
        } else if minutes > 0 {
            write!(f, "{minutes}m")?;
        }
        write!(f, "{}s", fraction(secs, 1_000_000_000))
    }
}

/// `value / scale` as a decimal without trailing zeros.
fn fraction(value: u128, scale: u128) -> String {
    let whole = value / scale;
    let rest = value % scale;
    if rest == 0 {
        return whole.to_string();
    }
    let width = scale.ilog10() as usize;
    let digits = format!("{rest:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_duration_strings() {
        let cases = [
            ("0", 0),
            ("1s", 1_000_000_000),
            ("1m30s", 90_000_000_000),
            ("1.5h", 5_400_000_000_000),
            ("500ms", 500_000_000),
            ("2h45m", 9_900_000_000_000),
            ("1us", 1_000),
            ("1µs", 1_000),
            ("10ns", 10),
            (".5s", 500_000_000),
            ("1h1m1s1ms", 3_661_001_000_000),
        ];
        for (input, nanos) in cases {
            assert_eq!(parse(input).unwrap().as_nanos(), nanos, "{input}");
        }
    }

    #[test]
    fn refuses_malformed_durations() {
        for bad in ["", "1", "s", "-1s", "1x", "1.s.", "m1", "1 m", "."] {
            assert!(parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(matches!(parse("1d"), Err(DurationError::UnknownUnit(_, u)) if u == "d"));
        assert!(matches!(
            parse("9999999999h"),
            Err(DurationError::Overflow(_))
        ));
        assert!(matches!(
            parse_positive("0s"),
            Err(DurationError::NotPositive(_))
        ));
    }

    #[test]
    fn formats_like_go() {
        let cases = [
            (0, "0s"),
            (1_000_000_000, "1s"),
            (90_000_000_000, "1m30s"),
            (3_600_000_000_000, "1h0m0s"),
            (5_400_000_000_000, "1h30m0s"),
            (500_000_000, "500ms"),
            (1_500_000_000, "1.5s"),
            (1_500, "1.5µs"),
            (7, "7ns"),
        ];
        for (nanos, text) in cases {
            assert_eq!(format(Duration::from_nanos(nanos)), text);
        }
    }

    #[test]
    fn round_trips_formatted_text() {
        for text in ["1m0s", "10m0s", "1h0m0s", "5s", "250ms"] {
            assert_eq!(format(parse(text).unwrap()), text);
        }
    }
}
