use super::Timestamp;

const LAYOUT: &str = "2006-01-02T15:04:05Z07:00";

/// Go's `time.quote`: bytes outside printable ASCII as `\xNN`.
fn quote(b: &[u8]) -> String {
    let mut out = String::from('"');
    let mut at = 0;
    while at < b.len() {
        // One rune as Go's range loop sees it: an invalid byte is a rune of width 1.
        let (c, width) = (1..=4.min(b.len() - at))
            .find_map(|k| {
                let s = std::str::from_utf8(&b[at..at + k]).ok()?;
                Some((s.chars().next(), k))
            })
            .unwrap_or((None, 1));
        match c {
            Some(c) if c.is_ascii() && c >= ' ' => {
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            _ => {
                for byte in &b[at..at + width] {
                    out.push_str(&format!("\\x{byte:02x}"));
                }
            }
        }
        at += width;
    }
    out.push('"');
    out
}

fn cannot_parse(value: &[u8], value_elem: &[u8], layout_elem: &str) -> String {
    format!(
        "parsing time {} as {}: cannot parse {} as {}",
        quote(value),
        quote(LAYOUT.as_bytes()),
        quote(value_elem),
        quote(layout_elem.as_bytes())
    )
}

fn message(value: &[u8], msg: &str) -> String {
    format!("parsing time {}{msg}", quote(value))
}

fn digit(b: &[u8], i: usize) -> bool {
    b.get(i).is_some_and(u8::is_ascii_digit)
}

/// Go's `getnum`: one or two digits (two when `fixed`).
fn getnum(b: &[u8], fixed: bool) -> Option<(u32, &[u8])> {
    if !digit(b, 0) {
        return None;
    }
    if !digit(b, 1) {
        return (!fixed).then(|| (u32::from(b[0] - b'0'), &b[1..]));
    }
    Some((
        u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0'),
        &b[2..],
    ))
}

/// `time.Parse(time.RFC3339, s)`, its layout walked step by step as Go does, so that
/// both what it accepts and its error texts are Go's.
pub(super) fn parse(s: &[u8]) -> Result<Timestamp, String> {
    let chunks: [(&[u8], &str); 7] = [
        (b"", "2006"),
        (b"-", "01"),
        (b"-", "02"),
        (b"T", "15"),
        (b":", "04"),
        (b":", "05"),
        (b"", "Z07:00"),
    ];
    let mut v = s;
    let (mut year, mut month, mut day) = (0u32, 0u32, 0u32);
    let (mut hour, mut min, mut sec, mut nanos) = (0u32, 0u32, 0u32, 0u32);
    let mut offset = 0i32;
    for (prefix, std) in chunks {
        if !v.starts_with(prefix) {
            let p = std::str::from_utf8(prefix).unwrap_or_default();
            return Err(cannot_parse(s, v, p));
        }
        v = &v[prefix.len()..];
        let hold = v;
        let mut range = None;
        let ok = match std {
            "2006" => {
                let ok = v.len() >= 4 && v[..4].iter().all(u8::is_ascii_digit);
                if ok {
                    year = v[..4].iter().fold(0, |y, c| y * 10 + u32::from(c - b'0'));
                    v = &v[4..];
                }
                ok
            }
            "01" | "02" | "15" | "04" => match getnum(v, std != "15") {
                Some((n, rest)) => {
                    v = rest;
                    match std {
                        "01" if !(1..=12).contains(&n) => range = Some("month"),
                        "01" => month = n,
                        "02" => day = n,
                        "15" if n >= 24 => range = Some("hour"),
                        "15" => hour = n,
                        "04" if n >= 60 => range = Some("minute"),
                        _ => min = n,
                    }
                    true
                }
                None => false,
            },
            "05" => match getnum(v, true) {
                Some((n, rest)) => {
                    v = rest;
                    if n >= 60 {
                        range = Some("second");
                    } else {
                        sec = n;
                        // A fraction the layout does not name is still read, after a
                        // period or a comma; digits past the ninth are dropped.
                        if v.len() >= 2 && matches!(v[0], b'.' | b',') && digit(v, 1) {
                            let n = 1 + v[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                            let digits = &v[1..n.min(10)];
                            nanos = (0..9).fold(0, |acc, i| {
                                acc * 10 + digits.get(i).map_or(0, |c| u32::from(c - b'0'))
                            });
                            v = &v[n..];
                        }
                    }
                    true
                }
                None => false,
            },
            _ => {
                if v.first() == Some(&b'Z') {
                    v = &v[1..];
                    true
                } else if v.len() < 6 || v[3] != b':' {
                    false
                } else {
                    let (sign, hh, mm) = (v[0], &v[1..3], &v[4..6]);
                    v = &v[6..];
                    match (getnum(hh, true), getnum(mm, true)) {
                        (Some((h, _)), Some((m, _))) => {
                            if h > 24 {
                                range = Some("time zone offset hour");
                            }
                            if m > 60 {
                                range = Some("time zone offset minute");
                            }
                            let off = ((h * 60 + m) * 60) as i32;
                            offset = if sign == b'-' { -off } else { off };
                            matches!(sign, b'+' | b'-')
                        }
                        _ => false,
                    }
                }
            }
        };
        if let Some(what) = range {
            return Err(message(s, &format!(": {what} out of range")));
        }
        if !ok {
            return Err(cannot_parse(s, hold, std));
        }
    }
    if !v.is_empty() {
        return Err(message(s, &format!(": extra text: {}", quote(v))));
    }
    if day < 1 || day > super::days_in(month, year) {
        return Err(message(s, ": day out of range"));
    }
    let days = super::days_from_civil(i64::from(year), month, day);
    let local = days * 86_400 + i64::from(hour * 3600 + min * 60 + sec);
    Ok(Timestamp {
        secs: local - i64::from(offset),
        nanos,
        offset,
    })
}
