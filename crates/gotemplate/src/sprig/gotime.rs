//! Go's `time` package as far as sprig reaches it: instants with a location, the
//! reference-time layouts (`2006-01-02 15:04:05`), `time.Duration` text, and
//! IANA zones read from the system tz database the way Go's `LoadLocation` does.

use std::fmt;
use std::sync::{Arc, OnceLock};

pub const NANOSECOND: i64 = 1;
pub const MICROSECOND: i64 = 1_000;
pub const MILLISECOND: i64 = 1_000_000;
pub const SECOND: i64 = 1_000_000_000;
pub const MINUTE: i64 = 60 * SECOND;
pub const HOUR: i64 = 60 * MINUTE;

/// Seconds from 0001-01-01T00:00:00Z (Go's zero `Time`) to the Unix epoch.
const ZERO_TIME_UNIX: i64 = -62_135_596_800;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Zone {
    name: String,
    offset: i32,
    is_dst: bool,
}

/// A Go `*time.Location`: named zone types plus the instants at which they change.
#[derive(Debug, PartialEq, Eq)]
pub struct Location {
    name: String,
    zones: Vec<Zone>,
    /// `(unix seconds, zone index)`, ascending.
    transitions: Vec<(i64, usize)>,
    /// The TZif footer (a POSIX TZ rule such as `CET-1CEST,M3.5.0,M10.5.0/3`) that
    /// governs instants after the last transition.
    extend: String,
}

/// The zone in effect at an instant and the interval `[start, end)` it holds for.
struct ZoneAt<'a> {
    name: &'a str,
    offset: i32,
    start: i64,
    end: i64,
}

impl Location {
    pub fn utc() -> Arc<Location> {
        static UTC: OnceLock<Arc<Location>> = OnceLock::new();
        UTC.get_or_init(|| {
            Arc::new(Location {
                name: "UTC".into(),
                zones: Vec::new(),
                transitions: Vec::new(),
                extend: String::new(),
            })
        })
        .clone()
    }

    /// Go's `time.FixedZone`.
    pub fn fixed(name: &str, offset: i32) -> Arc<Location> {
        Arc::new(Location {
            name: name.to_string(),
            zones: vec![Zone {
                name: name.to_string(),
                offset,
                is_dst: false,
            }],
            transitions: Vec::new(),
            extend: String::new(),
        })
    }

    /// Go's `time.Local`: `$TZ` when set (empty means UTC), else `/etc/localtime`.
    pub fn local() -> Arc<Location> {
        static LOCAL: OnceLock<Arc<Location>> = OnceLock::new();
        LOCAL
            .get_or_init(|| {
                let loaded = match std::env::var("TZ") {
                    Ok(tz) if tz.is_empty() => None,
                    Ok(tz) => {
                        let tz = tz.strip_prefix(':').unwrap_or(&tz).to_string();
                        if tz.starts_with('/') {
                            std::fs::read(&tz)
                                .ok()
                                .and_then(|b| parse_tzif("Local", &b))
                        } else {
                            read_zoneinfo(&tz).and_then(|b| parse_tzif("Local", &b))
                        }
                    }
                    Err(_) => std::fs::read("/etc/localtime")
                        .ok()
                        .and_then(|b| parse_tzif("Local", &b)),
                };
                Arc::new(loaded.unwrap_or_else(|| Location {
                    // Go keeps the name "Local" even when it falls back to UTC.
                    name: "Local".into(),
                    zones: vec![Zone {
                        name: "UTC".into(),
                        offset: 0,
                        is_dst: false,
                    }],
                    transitions: Vec::new(),
                    extend: String::new(),
                }))
            })
            .clone()
    }

    /// Go's `time.LoadLocation`, with its error texts.
    pub fn load(name: &str) -> Result<Arc<Location>, String> {
        match name {
            "" | "UTC" => return Ok(Location::utc()),
            "Local" => return Ok(Location::local()),
            _ => {}
        }
        if name.contains("..") || name.starts_with('/') || name.starts_with('\\') {
            return Err("time: invalid location name".into());
        }
        read_zoneinfo(name)
            .and_then(|b| parse_tzif(name, &b))
            .map(Arc::new)
            .ok_or_else(|| format!("unknown time zone {name}"))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn first_zone(&self) -> usize {
        let first_used = self.transitions.iter().any(|&(_, i)| i == 0);
        if !first_used {
            return 0;
        }
        if let Some(&(_, idx)) = self.transitions.first()
            && self.zones[idx].is_dst
        {
            for zi in (0..idx).rev() {
                if !self.zones[zi].is_dst {
                    return zi;
                }
            }
        }
        self.zones.iter().position(|z| !z.is_dst).unwrap_or(0)
    }

    fn lookup(&self, sec: i64) -> ZoneAt<'_> {
        if self.zones.is_empty() {
            return ZoneAt {
                name: "UTC",
                offset: 0,
                start: i64::MIN,
                end: i64::MAX,
            };
        }
        if self.transitions.is_empty() || sec < self.transitions[0].0 {
            let z = &self.zones[self.first_zone()];
            return ZoneAt {
                name: &z.name,
                offset: z.offset,
                start: i64::MIN,
                end: self.transitions.first().map_or(i64::MAX, |t| t.0),
            };
        }
        let idx = self.transitions.partition_point(|&(when, _)| when <= sec) - 1;
        let z = &self.zones[self.transitions[idx].1];
        if idx == self.transitions.len() - 1
            && !self.extend.is_empty()
            && let Some(at) = tzset(&self.extend, self.transitions[idx].0, sec)
        {
            return at;
        }
        ZoneAt {
            name: &z.name,
            offset: z.offset,
            start: self.transitions[idx].0,
            end: self.transitions.get(idx + 1).map_or(i64::MAX, |t| t.0),
        }
    }

    /// Go's `Location.lookupName`: the offset of a zone abbreviation in use at `unix`.
    fn lookup_name(&self, name: &str, unix: i64) -> Option<i32> {
        for z in &self.zones {
            if z.name == name {
                let at = self.lookup(unix - z.offset as i64);
                if at.name == z.name {
                    return Some(at.offset);
                }
            }
        }
        self.zones.iter().find(|z| z.name == name).map(|z| z.offset)
    }
}

/// Go's `tzset`: the zone a POSIX TZ rule string gives at `sec`, and its interval.
fn tzset(s: &str, last_tx: i64, sec: i64) -> Option<ZoneAt<'_>> {
    let (mut std_name, rest) = tzset_name(s)?;
    let (std_off, rest) = tzset_offset(rest)?;
    let mut std_offset = -std_off;
    if rest.is_empty() || rest.starts_with(',') {
        return Some(ZoneAt {
            name: std_name,
            offset: std_offset,
            start: last_tx,
            end: i64::MAX,
        });
    }
    let (mut dst_name, mut rest) = tzset_name(rest)?;
    let mut dst_offset = if rest.is_empty() || rest.starts_with(',') {
        std_offset + 3600
    } else {
        let (off, r) = tzset_offset(rest)?;
        rest = r;
        -off
    };
    if rest.is_empty() {
        rest = ",M3.2.0,M11.1.0";
    }
    let rest = rest.strip_prefix([',', ';'])?;
    let (start_rule, rest) = tzset_rule(rest)?;
    let rest = rest.strip_prefix(',')?;
    let (end_rule, rest) = tzset_rule(rest)?;
    if !rest.is_empty() {
        return None;
    }
    let (year, month, day) = civil_from_days(sec.div_euclid(86_400));
    let yday = (days_before(month) + day + u32::from(month > 2 && is_leap(year))) as i64;
    // Go's `%` truncates, as Rust's does.
    let ysec = (yday - 1) * 86_400 + sec % 86_400;
    let ystart = sec - ysec;
    let mut start = tzrule_time(year, start_rule, std_offset);
    let mut end = tzrule_time(year, end_rule, dst_offset);
    if end < start {
        std::mem::swap(&mut start, &mut end);
        std::mem::swap(&mut std_name, &mut dst_name);
        std::mem::swap(&mut std_offset, &mut dst_offset);
    }
    Some(if ysec < start {
        ZoneAt {
            name: std_name,
            offset: std_offset,
            start: ystart,
            end: start + ystart,
        }
    } else if ysec >= end {
        ZoneAt {
            name: std_name,
            offset: std_offset,
            start: end + ystart,
            end: ystart + 365 * 86_400,
        }
    } else {
        ZoneAt {
            name: dst_name,
            offset: dst_offset,
            start: start + ystart,
            end: end + ystart,
        }
    })
}

fn tzset_name(s: &str) -> Option<(&str, &str)> {
    if let Some(quoted) = s.strip_prefix('<') {
        let end = quoted.find('>')?;
        return Some((&quoted[..end], &quoted[end + 1..]));
    }
    match s.find(|c: char| c.is_ascii_digit() || matches!(c, ',' | '-' | '+')) {
        Some(i) if i < 3 => None,
        Some(i) => Some((&s[..i], &s[i..])),
        None if s.len() < 3 => None,
        None => Some((s, "")),
    }
}

fn tzset_num(s: &str, min: i64, max: i64) -> Option<(i64, &str)> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let mut num = 0i64;
    for b in s[..digits].bytes() {
        num = num * 10 + (b - b'0') as i64;
        if num > max {
            return None;
        }
    }
    (num >= min).then_some((num, &s[digits..]))
}

fn tzset_offset(s: &str) -> Option<(i32, &str)> {
    let (neg, s) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let (hours, mut rest) = tzset_num(s, 0, 24 * 7)?;
    let mut off = hours * 3600;
    for unit in [60, 1] {
        let Some(r) = rest.strip_prefix(':') else {
            break;
        };
        let (n, r) = tzset_num(r, 0, 59)?;
        off += n * unit;
        rest = r;
    }
    Some((if neg { -off } else { off } as i32, rest))
}

#[derive(Clone, Copy)]
enum TzRule {
    Julian {
        day: i64,
        time: i64,
    },
    DayOfYear {
        day: i64,
        time: i64,
    },
    MonthWeekDay {
        mon: i64,
        week: i64,
        day: i64,
        time: i64,
    },
}

fn tzset_rule(s: &str) -> Option<(TzRule, &str)> {
    if let Some(r) = s.strip_prefix('J') {
        let (day, r) = tzset_num(r, 1, 365)?;
        return with_time(r, |time| TzRule::Julian { day, time });
    }
    if let Some(r) = s.strip_prefix('M') {
        let (mon, r) = tzset_num(r, 1, 12)?;
        let (week, r) = tzset_num(r.strip_prefix('.')?, 1, 5)?;
        let (day, r) = tzset_num(r.strip_prefix('.')?, 0, 6)?;
        return with_time(r, |time| TzRule::MonthWeekDay {
            mon,
            week,
            day,
            time,
        });
    }
    let (day, r) = tzset_num(s, 0, 365)?;
    with_time(r, |time| TzRule::DayOfYear { day, time })
}

/// The optional `/time` of a rule (2am by default).
fn with_time(s: &str, make: impl FnOnce(i64) -> TzRule) -> Option<(TzRule, &str)> {
    match s.strip_prefix('/') {
        None => Some((make(7200), s)),
        Some(r) => {
            let (off, r) = tzset_offset(r)?;
            Some((make(off as i64), r))
        }
    }
}

/// Go's `tzruleTime`: seconds into `year` (local to `off`) at which the rule fires.
fn tzrule_time(year: i64, rule: TzRule, off: i32) -> i64 {
    let (s, time) = match rule {
        TzRule::Julian { day, time } => {
            let mut s = (day - 1) * 86_400;
            if is_leap(year) && day >= 60 {
                s += 86_400;
            }
            (s, time)
        }
        TzRule::DayOfYear { day, time } => (day * 86_400, time),
        TzRule::MonthWeekDay {
            mon,
            week,
            day,
            time,
        } => {
            // Zeller's congruence for the weekday of the first of the month.
            let m1 = (mon + 9) % 12 + 1;
            let yy0 = if mon <= 2 { year - 1 } else { year };
            let (yy1, yy2) = (yy0 / 100, yy0 % 100);
            let mut dow = ((26 * m1 - 2) / 10 + 1 + yy2 + yy2 / 4 + yy1 / 4 - 2 * yy1) % 7;
            if dow < 0 {
                dow += 7;
            }
            let mut d = day - dow;
            if d < 0 {
                d += 7;
            }
            for _ in 1..week {
                if d + 7 >= days_in(mon as u32, year) as i64 {
                    break;
                }
                d += 7;
            }
            d += days_before(mon as u32) as i64;
            if is_leap(year) && mon > 2 {
                d += 1;
            }
            (d * 86_400, time)
        }
    };
    s + time - off as i64
}

fn read_zoneinfo(name: &str) -> Option<Vec<u8>> {
    // Go's platformZoneSources on Unix.
    [
        "/usr/share/zoneinfo/",
        "/usr/share/lib/zoneinfo/",
        "/usr/lib/locale/TZ/",
        "/etc/zoneinfo/",
    ]
    .iter()
    .find_map(|dir| std::fs::read(format!("{dir}{name}")).ok())
}

/// Reads a TZif file (RFC 8536), preferring the 64-bit data of version 2+ and its
/// footer rule for instants past the last transition (as Go does).
fn parse_tzif(name: &str, data: &[u8]) -> Option<Location> {
    struct Header {
        isutcnt: usize,
        isstdcnt: usize,
        leapcnt: usize,
        timecnt: usize,
        typecnt: usize,
        charcnt: usize,
    }
    fn header(d: &[u8]) -> Option<(u8, Header)> {
        if d.len() < 44 || &d[..4] != b"TZif" {
            return None;
        }
        let n =
            |i: usize| u32::from_be_bytes(d[20 + 4 * i..24 + 4 * i].try_into().unwrap()) as usize;
        Some((
            d[4],
            Header {
                isutcnt: n(0),
                isstdcnt: n(1),
                leapcnt: n(2),
                timecnt: n(3),
                typecnt: n(4),
                charcnt: n(5),
            },
        ))
    }
    let (version, h1) = header(data)?;
    let (mut d, h, time_size) = if version >= b'2' {
        let v1_len = h1.timecnt * 5
            + h1.typecnt * 6
            + h1.charcnt
            + h1.leapcnt * 8
            + h1.isstdcnt
            + h1.isutcnt;
        let rest = data.get(44 + v1_len..)?;
        let (_, h2) = header(rest)?;
        (&rest[44..], h2, 8)
    } else {
        (&data[44..], h1, 4)
    };
    let mut take = |n: usize| -> Option<&[u8]> {
        let (a, b) = d.split_at_checked(n)?;
        d = b;
        Some(a)
    };
    let times = take(h.timecnt * time_size)?;
    let indices = take(h.timecnt)?;
    let types = take(h.typecnt * 6)?;
    let chars = take(h.charcnt)?;
    let extend = if time_size == 8 {
        take(h.leapcnt * 12 + h.isstdcnt + h.isutcnt)?;
        // The footer is the rest: `\n<TZ rule>\n`.
        std::str::from_utf8(d)
            .ok()
            .and_then(|f| f.strip_prefix('\n'))
            .and_then(|f| f.split('\n').next())
            .unwrap_or("")
            .to_string()
    } else {
        String::new()
    };
    let mut zones = Vec::with_capacity(h.typecnt);
    for t in types.chunks(6) {
        let offset = i32::from_be_bytes(t[..4].try_into().unwrap());
        let start = t[5] as usize;
        let end = chars.get(start..)?.iter().position(|&c| c == 0)? + start;
        zones.push(Zone {
            name: String::from_utf8_lossy(&chars[start..end]).into_owned(),
            offset,
            is_dst: t[4] != 0,
        });
    }
    let mut transitions = Vec::with_capacity(h.timecnt);
    for (i, &idx) in indices.iter().enumerate() {
        let when = if time_size == 8 {
            i64::from_be_bytes(times[i * 8..i * 8 + 8].try_into().unwrap())
        } else {
            i32::from_be_bytes(times[i * 4..i * 4 + 4].try_into().unwrap()) as i64
        };
        if (idx as usize) >= zones.len() {
            return None;
        }
        transitions.push((when, idx as usize));
    }
    if zones.is_empty() {
        return None;
    }
    if transitions.is_empty() {
        // Go gives a zone without transitions one at the dawn of time, so that the
        // footer rule (if any) applies throughout.
        transitions.push((i64::MIN, 0));
    }
    Some(Location {
        name: name.to_string(),
        zones,
        transitions,
        extend,
    })
}

/// A Go `time.Time`: an instant (Unix seconds and nanoseconds) seen in a location.
#[derive(Debug, Clone)]
pub struct Time {
    sec: i64,
    nsec: u32,
    loc: Arc<Location>,
    /// Go's monotonic clock reading (ns since process start), only on `time.Now()` results.
    mono: Option<i64>,
}

impl PartialEq for Time {
    /// Go's `Time.Equal`: the same instant, whatever the location.
    fn eq(&self, other: &Time) -> bool {
        self.sec == other.sec && self.nsec == other.nsec
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// 0 = Sunday.
    pub weekday: u32,
    /// 1-based day of the year.
    pub yday: u32,
}

pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in(month: u32, year: i64) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days before the first of `month` in a non-leap year.
fn days_before(month: u32) -> u32 {
    (1..month).map(|m| days_in(m, 1)).sum()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Go's `norm`: carries `lo` into `hi` so that `0 <= lo < base`.
fn norm(hi: i64, lo: i64, base: i64) -> (i64, i64) {
    (hi + lo.div_euclid(base), lo.rem_euclid(base))
}

fn process_start() -> std::time::Instant {
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    *START.get_or_init(std::time::Instant::now)
}

impl Time {
    /// Go's zero `time.Time{}`: January 1, year 1, 00:00:00 UTC.
    pub fn zero() -> Time {
        Time {
            sec: ZERO_TIME_UNIX,
            nsec: 0,
            loc: Location::utc(),
            mono: None,
        }
    }

    /// `time.Now()` in the local zone, with a monotonic reading like Go's.
    pub fn now() -> Time {
        let start = process_start();
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Time {
            sec: wall.as_secs() as i64,
            nsec: wall.subsec_nanos(),
            loc: Location::local(),
            // Go's readings start near 1ns rather than 0 for the first call.
            mono: Some(start.elapsed().as_nanos() as i64 + 1),
        }
    }

    /// `time.Unix(sec, nsec)` in the local zone.
    pub fn unix(sec: i64, nsec: i64) -> Time {
        let (sec, nsec) = norm(sec, nsec, SECOND);
        Time {
            sec,
            nsec: nsec as u32,
            loc: Location::local(),
            mono: None,
        }
    }

    /// Go's `time.Date`, normalising out-of-range fields the same way.
    #[allow(clippy::too_many_arguments)]
    pub fn date(
        year: i64,
        month: i64,
        day: i64,
        hour: i64,
        min: i64,
        sec: i64,
        nsec: i64,
        loc: Arc<Location>,
    ) -> Time {
        let (year, m0) = norm(year, month - 1, 12);
        let (sec, nsec) = norm(sec, nsec, SECOND);
        let (min, sec) = norm(min, sec, 60);
        let (hour, min) = norm(hour, min, 60);
        let (day, hour) = norm(day, hour, 24);
        let mut unix = (days_from_civil(year, m0 as u32 + 1, 1) + day - 1) * 86_400
            + hour * 3600
            + min * 60
            + sec;
        let at = loc.lookup(unix);
        let mut offset = at.offset as i64;
        if offset != 0 {
            let utc = unix - offset;
            if utc < at.start || utc >= at.end {
                offset = loc.lookup(utc).offset as i64;
            }
            unix -= offset;
        }
        Time {
            sec: unix,
            nsec: nsec as u32,
            loc,
            mono: None,
        }
    }

    pub fn unix_seconds(&self) -> i64 {
        self.sec
    }

    pub fn unix_nanos(&self) -> i64 {
        self.sec.wrapping_mul(SECOND).wrapping_add(self.nsec as i64)
    }

    pub fn nanosecond(&self) -> u32 {
        self.nsec
    }

    pub fn location(&self) -> &Arc<Location> {
        &self.loc
    }

    pub fn is_zero(&self) -> bool {
        self.sec == ZERO_TIME_UNIX && self.nsec == 0
    }

    /// `t.In(loc)`.
    pub fn with_location(&self, loc: Arc<Location>) -> Time {
        Time {
            loc,
            ..self.clone()
        }
    }

    /// `t.Add(d)`, keeping the monotonic reading as Go does.
    pub fn add(&self, d: i64) -> Time {
        let (sec, nsec) = norm(
            self.sec + d.div_euclid(SECOND),
            self.nsec as i64 + d.rem_euclid(SECOND),
            SECOND,
        );
        Time {
            sec,
            nsec: nsec as u32,
            loc: self.loc.clone(),
            mono: self.mono.map(|m| m.saturating_add(d)),
        }
    }

    /// `t.Sub(u)` as a Duration, saturating like Go.
    pub fn sub(&self, u: &Time) -> i64 {
        if let (Some(a), Some(b)) = (self.mono, u.mono) {
            return a.saturating_sub(b);
        }
        let secs = (self.sec as i128 - u.sec as i128) * SECOND as i128
            + (self.nsec as i128 - u.nsec as i128);
        secs.clamp(i64::MIN as i128, i64::MAX as i128) as i64
    }

    /// `time.Since(t)`.
    pub fn since(&self) -> i64 {
        Time::now().sub(self)
    }

    /// `t.AddDate(years, months, days)`.
    pub fn add_date(&self, years: i64, months: i64, days: i64) -> Time {
        let c = self.civil();
        Time::date(
            c.year + years,
            c.month as i64 + months,
            c.day as i64 + days,
            c.hour as i64,
            c.minute as i64,
            c.second as i64,
            self.nsec as i64,
            self.loc.clone(),
        )
    }

    fn zone(&self) -> (&str, i32) {
        let at = self.loc.lookup(self.sec);
        (at.name, at.offset)
    }

    /// The zone abbreviation and offset in seconds east of UTC (`t.Zone()`).
    pub fn zone_name_offset(&self) -> (String, i32) {
        let (n, o) = self.zone();
        (n.to_string(), o)
    }

    pub fn civil(&self) -> Civil {
        let local = self.sec + self.zone().1 as i64;
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs / 60 % 60,
            second: secs % 60,
            weekday: (days + 4).rem_euclid(7) as u32,
            yday: days_before(month) + day + u32::from(month > 2 && is_leap(year)),
        }
    }

    /// Go's `Time.Format`.
    pub fn format(&self, layout: &str) -> String {
        let (name, offset) = self.zone();
        let c = self.civil();
        let mut b = String::with_capacity(layout.len() + 10);
        let mut layout = layout;
        while !layout.is_empty() {
            let (prefix, std, suffix) = next_std_chunk(layout);
            b.push_str(prefix);
            let Some(std) = std else { break };
            layout = suffix;
            match std {
                Std::Year => append_int(&mut b, c.year.abs() % 100, 2),
                Std::LongYear => append_int(&mut b, c.year, 4),
                Std::Month => b.push_str(&MONTHS[c.month as usize - 1][..3]),
                Std::LongMonth => b.push_str(MONTHS[c.month as usize - 1]),
                Std::NumMonth => append_int(&mut b, c.month as i64, 0),
                Std::ZeroMonth => append_int(&mut b, c.month as i64, 2),
                Std::WeekDay => b.push_str(&WEEKDAYS[c.weekday as usize][..3]),
                Std::LongWeekDay => b.push_str(WEEKDAYS[c.weekday as usize]),
                Std::Day => append_int(&mut b, c.day as i64, 0),
                Std::UnderDay => {
                    if c.day < 10 {
                        b.push(' ');
                    }
                    append_int(&mut b, c.day as i64, 0);
                }
                Std::ZeroDay => append_int(&mut b, c.day as i64, 2),
                Std::UnderYearDay => {
                    if c.yday < 100 {
                        b.push(' ');
                        if c.yday < 10 {
                            b.push(' ');
                        }
                    }
                    append_int(&mut b, c.yday as i64, 0);
                }
                Std::ZeroYearDay => append_int(&mut b, c.yday as i64, 3),
                Std::Hour => append_int(&mut b, c.hour as i64, 2),
                Std::Hour12 | Std::ZeroHour12 => {
                    let hr = match c.hour % 12 {
                        0 => 12,
                        h => h,
                    };
                    append_int(&mut b, hr as i64, if std == Std::Hour12 { 0 } else { 2 });
                }
                Std::Minute => append_int(&mut b, c.minute as i64, 0),
                Std::ZeroMinute => append_int(&mut b, c.minute as i64, 2),
                Std::Second => append_int(&mut b, c.second as i64, 0),
                Std::ZeroSecond => append_int(&mut b, c.second as i64, 2),
                Std::PM => b.push_str(if c.hour >= 12 { "PM" } else { "AM" }),
                Std::Pm => b.push_str(if c.hour >= 12 { "pm" } else { "am" }),
                Std::Tz(tz) => {
                    if offset == 0 && tz.iso {
                        b.push('Z');
                        continue;
                    }
                    let mut zone = offset / 60;
                    let mut abs_offset = offset;
                    if zone < 0 {
                        b.push('-');
                        zone = -zone;
                        abs_offset = -abs_offset;
                    } else {
                        b.push('+');
                    }
                    append_int(&mut b, (zone / 60) as i64, 2);
                    if tz.colon {
                        b.push(':');
                    }
                    if !tz.short {
                        append_int(&mut b, (zone % 60) as i64, 2);
                    }
                    if tz.seconds {
                        if tz.colon {
                            b.push(':');
                        }
                        append_int(&mut b, (abs_offset % 60) as i64, 2);
                    }
                }
                Std::TzName => {
                    if !name.is_empty() {
                        b.push_str(name);
                        continue;
                    }
                    let mut zone = offset / 60;
                    if zone < 0 {
                        b.push('-');
                        zone = -zone;
                    } else {
                        b.push('+');
                    }
                    append_int(&mut b, (zone / 60) as i64, 2);
                    append_int(&mut b, (zone % 60) as i64, 2);
                }
                Std::Frac { trim, digits, sep } => {
                    if trim && (digits == 0 || self.nsec == 0) {
                        continue;
                    }
                    let start = b.len();
                    b.push(sep);
                    let mut frac = format!("{:09}", self.nsec);
                    frac.truncate(digits);
                    b.push_str(&frac);
                    if trim {
                        while b.ends_with('0') && b.len() > start {
                            b.pop();
                        }
                        if b.len() == start + 1 {
                            b.pop();
                        }
                    }
                }
            }
        }
        b
    }

    /// `time.Parse`/`ParseInLocation`: `default_loc` applies when the value has no zone,
    /// `local` is the zone whose abbreviations and offsets are recognised.
    pub fn parse(
        layout: &str,
        value: &str,
        default_loc: Arc<Location>,
        local: Arc<Location>,
    ) -> Result<Time, ParseError> {
        parse(layout, value, default_loc, local)
    }
}

impl fmt::Display for Time {
    /// Go's `Time.String`, including the `m=+…` monotonic suffix of `now` results.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format("2006-01-02 15:04:05.999999999 -0700 MST"))?;
        if let Some(m) = self.mono {
            let sign = if m < 0 { '-' } else { '+' };
            let m = m.unsigned_abs();
            write!(f, " m={sign}{}.{:09}", m / 1_000_000_000, m % 1_000_000_000)?;
        }
        Ok(())
    }
}

fn append_int(b: &mut String, x: i64, width: usize) {
    if x < 0 {
        b.push('-');
    }
    let digits = x.unsigned_abs().to_string();
    for _ in digits.len()..width {
        b.push('0');
    }
    b.push_str(&digits);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TzStd {
    /// The `Z…` forms print `Z` for UTC.
    iso: bool,
    colon: bool,
    short: bool,
    seconds: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    TzName,
    Tz(TzStd),
    Frac {
        trim: bool,
        digits: usize,
        sep: char,
    },
}

impl Std {
    fn is_frac(self) -> bool {
        matches!(self, Std::Frac { .. })
    }
}

/// Go's `nextStdChunk`: the literal text before the first layout element, the element
/// and the rest.
fn next_std_chunk(layout: &str) -> (&str, Option<Std>, &str) {
    let l = layout.as_bytes();
    let at = |i: usize, s: &str| l.len() >= i + s.len() && &layout[i..i + s.len()] == s;
    let tz = |iso, colon, short, seconds| {
        Std::Tz(TzStd {
            iso,
            colon,
            short,
            seconds,
        })
    };
    for i in 0..l.len() {
        let found: Option<(usize, Std, usize)> = match l[i] {
            b'J' if at(i, "Jan") => {
                if at(i, "January") {
                    Some((i, Std::LongMonth, i + 7))
                } else if !starts_with_lower(&l[i + 3..]) {
                    Some((i, Std::Month, i + 3))
                } else {
                    None
                }
            }
            b'M' if at(i, "Mon") => {
                if at(i, "Monday") {
                    Some((i, Std::LongWeekDay, i + 6))
                } else if !starts_with_lower(&l[i + 3..]) {
                    Some((i, Std::WeekDay, i + 3))
                } else {
                    None
                }
            }
            b'M' if at(i, "MST") => Some((i, Std::TzName, i + 3)),
            b'0' if l.len() >= i + 2 && (b'1'..=b'6').contains(&l[i + 1]) => {
                let std = [
                    Std::ZeroMonth,
                    Std::ZeroDay,
                    Std::ZeroHour12,
                    Std::ZeroMinute,
                    Std::ZeroSecond,
                    Std::Year,
                ][(l[i + 1] - b'1') as usize];
                Some((i, std, i + 2))
            }
            b'0' if at(i, "002") => Some((i, Std::ZeroYearDay, i + 3)),
            b'1' if at(i, "15") => Some((i, Std::Hour, i + 2)),
            b'1' => Some((i, Std::NumMonth, i + 1)),
            b'2' if at(i, "2006") => Some((i, Std::LongYear, i + 4)),
            b'2' => Some((i, Std::Day, i + 1)),
            b'_' if at(i, "_2") => {
                if at(i + 1, "2006") {
                    Some((i + 1, Std::LongYear, i + 5))
                } else {
                    Some((i, Std::UnderDay, i + 2))
                }
            }
            b'_' if at(i, "__2") => Some((i, Std::UnderYearDay, i + 3)),
            b'3' => Some((i, Std::Hour12, i + 1)),
            b'4' => Some((i, Std::Minute, i + 1)),
            b'5' => Some((i, Std::Second, i + 1)),
            b'P' if at(i, "PM") => Some((i, Std::PM, i + 2)),
            b'p' if at(i, "pm") => Some((i, Std::Pm, i + 2)),
            b'-' if at(i, "-070000") => Some((i, tz(false, false, false, true), i + 7)),
            b'-' if at(i, "-07:00:00") => Some((i, tz(false, true, false, true), i + 9)),
            b'-' if at(i, "-0700") => Some((i, tz(false, false, false, false), i + 5)),
            b'-' if at(i, "-07:00") => Some((i, tz(false, true, false, false), i + 6)),
            b'-' if at(i, "-07") => Some((i, tz(false, false, true, false), i + 3)),
            b'Z' if at(i, "Z070000") => Some((i, tz(true, false, false, true), i + 7)),
            b'Z' if at(i, "Z07:00:00") => Some((i, tz(true, true, false, true), i + 9)),
            b'Z' if at(i, "Z0700") => Some((i, tz(true, false, false, false), i + 5)),
            b'Z' if at(i, "Z07:00") => Some((i, tz(true, true, false, false), i + 6)),
            b'Z' if at(i, "Z07") => Some((i, tz(true, false, true, false), i + 3)),
            c @ (b'.' | b',') if i + 1 < l.len() && (l[i + 1] == b'0' || l[i + 1] == b'9') => {
                let ch = l[i + 1];
                let mut j = i + 1;
                while j < l.len() && l[j] == ch {
                    j += 1;
                }
                if l.get(j).is_some_and(u8::is_ascii_digit) {
                    None
                } else {
                    Some((
                        i,
                        Std::Frac {
                            trim: ch == b'9',
                            digits: j - (i + 1),
                            sep: c as char,
                        },
                        j,
                    ))
                }
            }
            _ => None,
        };
        if let Some((p, std, s)) = found {
            return (&layout[..p], Some(std), &layout[s..]);
        }
    }
    (layout, None, "")
}

fn starts_with_lower(s: &[u8]) -> bool {
    s.first().is_some_and(u8::is_ascii_lowercase)
}

/// Go's `*time.ParseError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    layout: String,
    value: String,
    layout_elem: String,
    value_elem: String,
    message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            write!(
                f,
                "parsing time {} as {}: cannot parse {} as {}",
                quote(&self.value),
                quote(&self.layout),
                quote(&self.value_elem),
                quote(&self.layout_elem)
            )
        } else {
            write!(f, "parsing time {}{}", quote(&self.value), self.message)
        }
    }
}

impl std::error::Error for ParseError {}

/// Go's `time.quote`: like `%q` for printable ASCII, `\x` escapes for everything else.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if (c as u32) >= 0x80 || c < ' ' {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{byte:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

fn digit_at(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(u8::is_ascii_digit)
}

fn getnum(s: &str, fixed: bool) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    if !digit_at(b, 0) {
        return None;
    }
    if !digit_at(b, 1) {
        if fixed {
            return None;
        }
        return Some(((b[0] - b'0') as i64, &s[1..]));
    }
    Some((((b[0] - b'0') * 10 + (b[1] - b'0')) as i64, &s[2..]))
}

fn getnum3(s: &str, fixed: bool) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    let mut n = 0i64;
    let mut i = 0;
    while i < 3 && digit_at(b, i) {
        n = n * 10 + (b[i] - b'0') as i64;
        i += 1;
    }
    if i == 0 || (fixed && i != 3) {
        return None;
    }
    Some((n, &s[i..]))
}

fn cutspace(s: &str) -> &str {
    s.trim_start_matches(' ')
}

fn skip<'a>(mut value: &'a str, mut prefix: &str) -> Result<&'a str, &'a str> {
    while !prefix.is_empty() {
        if prefix.as_bytes()[0] == b' ' {
            if !value.is_empty() && value.as_bytes()[0] != b' ' {
                return Err(value);
            }
            prefix = cutspace(prefix);
            value = cutspace(value);
            continue;
        }
        if value.is_empty() || value.as_bytes()[0] != prefix.as_bytes()[0] {
            return Err(value);
        }
        prefix = &prefix[1..];
        value = &value[1..];
    }
    Ok(value)
}

/// Case-insensitive (ASCII letters only) prefix lookup, as Go's `lookup`.
fn lookup<'a>(tab: &[&str], val: &'a str) -> Option<(usize, &'a str)> {
    for (i, v) in tab.iter().enumerate() {
        if val.len() >= v.len()
            && val.is_char_boundary(v.len())
            && val.as_bytes()[..v.len()].eq_ignore_ascii_case(v.as_bytes())
        {
            return Some((i, &val[v.len()..]));
        }
    }
    None
}

fn leading_int(s: &str) -> Option<(u64, &str)> {
    let mut x: u64 = 0;
    let mut i = 0;
    for &c in s.as_bytes() {
        if !c.is_ascii_digit() {
            break;
        }
        if x > (1 << 63) / 10 {
            return None;
        }
        x = x * 10 + (c - b'0') as u64;
        if x > 1 << 63 {
            return None;
        }
        i += 1;
    }
    Some((x, &s[i..]))
}

fn atoi(s: &str) -> Option<i64> {
    let (neg, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (q, rem) = leading_int(s)?;
    if !rem.is_empty() {
        return None;
    }
    let x = q as i64;
    Some(if neg { x.wrapping_neg() } else { x })
}

/// Returns nanoseconds, or `Err(Some(range message))` / `Err(None)` for a bad value.
fn parse_nanoseconds(value: &str, nbytes: usize) -> Result<i64, Option<&'static str>> {
    let b = value.as_bytes();
    if b[0] != b'.' && b[0] != b',' {
        return Err(None);
    }
    let nbytes = nbytes.min(10);
    let ns = atoi(&value[1..nbytes]).ok_or(None)?;
    if ns < 0 {
        return Err(Some("fractional second"));
    }
    Ok(ns * 10i64.pow((10 - nbytes) as u32))
}

fn parse_signed_offset(value: &str) -> usize {
    let b = value.as_bytes();
    if b[0] != b'-' && b[0] != b'+' {
        return 0;
    }
    match leading_int(&value[1..]) {
        Some((x, rem)) if rem.len() != value.len() - 1 && x <= 23 => value.len() - rem.len(),
        _ => 0,
    }
}

fn parse_time_zone(value: &str) -> Option<usize> {
    let b = value.as_bytes();
    if b.len() < 3 {
        return None;
    }
    if value.starts_with("ChST") || value.starts_with("MeST") {
        return Some(4);
    }
    if let Some(rest) = value.strip_prefix("GMT") {
        return Some(if rest.is_empty() {
            3
        } else {
            3 + parse_signed_offset(rest)
        });
    }
    if b[0] == b'+' || b[0] == b'-' {
        let n = parse_signed_offset(value);
        return (n > 0).then_some(n);
    }
    let upper = b
        .iter()
        .take(6)
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    match upper {
        5 if b[4] == b'T' => Some(5),
        4 if b[3] == b'T' || value.starts_with("WITA") => Some(4),
        3 => Some(3),
        _ => None,
    }
}

fn parse(
    layout_in: &str,
    value_in: &str,
    default_loc: Arc<Location>,
    local: Arc<Location>,
) -> Result<Time, ParseError> {
    let err = |layout_elem: &str, value_elem: &str, message: &str| ParseError {
        layout: layout_in.to_string(),
        value: value_in.to_string(),
        layout_elem: layout_elem.to_string(),
        value_elem: value_elem.to_string(),
        message: message.to_string(),
    };
    let mut layout = layout_in;
    let mut value = value_in;
    let (mut am_set, mut pm_set) = (false, false);
    let (mut year, mut month, mut day, mut yday) = (0i64, -1i64, -1i64, -1i64);
    let (mut hour, mut min, mut sec, mut nsec) = (0i64, 0i64, 0i64, 0i64);
    let mut z: Option<Arc<Location>> = None;
    let mut zone_offset: i64 = -1;
    let mut zone_name = String::new();

    loop {
        let (prefix, std, suffix) = next_std_chunk(layout);
        let stdstr = &layout[prefix.len()..layout.len() - suffix.len()];
        value = skip(value, prefix).map_err(|v| err(prefix, v, ""))?;
        let Some(std) = std else {
            if !value.is_empty() {
                return Err(err("", value, &format!(": extra text: {}", quote(value))));
            }
            break;
        };
        layout = suffix;
        let hold = value;
        let mut range_err: Option<&str> = None;
        let mut ok = true;
        match std {
            Std::Year => {
                if value.len() < 2 || !value.is_char_boundary(2) {
                    ok = false;
                } else {
                    let (p, rest) = value.split_at(2);
                    value = rest;
                    match atoi(p) {
                        Some(y) => year = if y >= 69 { y + 1900 } else { y + 2000 },
                        None => ok = false,
                    }
                }
            }
            Std::LongYear => {
                if value.len() < 4 || !digit_at(value.as_bytes(), 0) || !value.is_char_boundary(4) {
                    ok = false;
                } else {
                    let (p, rest) = value.split_at(4);
                    value = rest;
                    match atoi(p) {
                        Some(y) => year = y,
                        None => ok = false,
                    }
                }
            }
            Std::Month | Std::LongMonth => {
                let short: Vec<&str> = MONTHS.iter().map(|m| &m[..3]).collect();
                let tab: &[&str] = if std == Std::Month { &short } else { &MONTHS };
                match lookup(tab, value) {
                    Some((i, rest)) => {
                        month = i as i64 + 1;
                        value = rest;
                    }
                    None => ok = false,
                }
            }
            Std::NumMonth | Std::ZeroMonth => match getnum(value, std == Std::ZeroMonth) {
                Some((m, rest)) => {
                    month = m;
                    value = rest;
                    if !(1..=12).contains(&m) {
                        range_err = Some("month");
                    }
                }
                None => ok = false,
            },
            Std::WeekDay | Std::LongWeekDay => {
                let short: Vec<&str> = WEEKDAYS.iter().map(|m| &m[..3]).collect();
                let tab: &[&str] = if std == Std::WeekDay {
                    &short
                } else {
                    &WEEKDAYS
                };
                match lookup(tab, value) {
                    Some((_, rest)) => value = rest,
                    None => ok = false,
                }
            }
            Std::Day | Std::UnderDay | Std::ZeroDay => {
                if std == Std::UnderDay && value.starts_with(' ') {
                    value = &value[1..];
                }
                match getnum(value, std == Std::ZeroDay) {
                    Some((d, rest)) => {
                        day = d;
                        value = rest;
                    }
                    None => ok = false,
                }
            }
            Std::UnderYearDay | Std::ZeroYearDay => {
                for _ in 0..2 {
                    if std == Std::UnderYearDay && value.starts_with(' ') {
                        value = &value[1..];
                    }
                }
                match getnum3(value, std == Std::ZeroYearDay) {
                    Some((d, rest)) => {
                        yday = d;
                        value = rest;
                    }
                    None => ok = false,
                }
            }
            Std::Hour => match getnum(value, false) {
                Some((h, rest)) => {
                    hour = h;
                    value = rest;
                    if !(0..24).contains(&h) {
                        range_err = Some("hour");
                    }
                }
                None => ok = false,
            },
            Std::Hour12 | Std::ZeroHour12 => match getnum(value, std == Std::ZeroHour12) {
                Some((h, rest)) => {
                    hour = h;
                    value = rest;
                    if !(0..=12).contains(&h) {
                        range_err = Some("hour");
                    }
                }
                None => ok = false,
            },
            Std::Minute | Std::ZeroMinute => match getnum(value, std == Std::ZeroMinute) {
                Some((m, rest)) => {
                    min = m;
                    value = rest;
                    if !(0..60).contains(&m) {
                        range_err = Some("minute");
                    }
                }
                None => ok = false,
            },
            Std::Second | Std::ZeroSecond => match getnum(value, std == Std::ZeroSecond) {
                Some((s, rest)) => {
                    sec = s;
                    value = rest;
                    if !(0..60).contains(&s) {
                        range_err = Some("second");
                    } else {
                        let vb = value.as_bytes();
                        if vb.len() >= 2
                            && (vb[0] == b'.' || vb[0] == b',')
                            && vb[1].is_ascii_digit()
                        {
                            let (_, next, _) = next_std_chunk(layout);
                            if !next.is_some_and(Std::is_frac) {
                                let mut n = 2;
                                while digit_at(vb, n) {
                                    n += 1;
                                }
                                match parse_nanoseconds(value, n) {
                                    Ok(ns) => nsec = ns,
                                    Err(Some(r)) => range_err = Some(r),
                                    Err(None) => ok = false,
                                }
                                value = &value[n..];
                            }
                        }
                    }
                }
                None => ok = false,
            },
            Std::PM | Std::Pm => {
                if value.len() < 2 || !value.is_char_boundary(2) {
                    ok = false;
                } else {
                    let (p, rest) = value.split_at(2);
                    value = rest;
                    let (pm, am) = if std == Std::PM {
                        ("PM", "AM")
                    } else {
                        ("pm", "am")
                    };
                    if p == pm {
                        pm_set = true;
                    } else if p == am {
                        am_set = true;
                    } else {
                        ok = false;
                    }
                }
            }
            Std::Tz(tz) => {
                if tz.iso && value.starts_with('Z') {
                    value = &value[1..];
                    z = Some(Location::utc());
                } else {
                    let vb = value.as_bytes();
                    let parts: Option<(&str, &str, &str, &str, usize)> = if tz.colon && !tz.seconds
                    {
                        (vb.len() >= 6 && vb[3] == b':')
                            .then(|| (&value[0..1], &value[1..3], &value[4..6], "00", 6))
                    } else if tz.short {
                        (vb.len() >= 3).then(|| (&value[0..1], &value[1..3], "00", "00", 3))
                    } else if tz.colon && tz.seconds {
                        (vb.len() >= 9 && vb[3] == b':' && vb[6] == b':')
                            .then(|| (&value[0..1], &value[1..3], &value[4..6], &value[7..9], 9))
                    } else if tz.seconds {
                        (vb.len() >= 7)
                            .then(|| (&value[0..1], &value[1..3], &value[3..5], &value[5..7], 7))
                    } else {
                        (vb.len() >= 5).then(|| (&value[0..1], &value[1..3], &value[3..5], "00", 5))
                    };
                    // Slicing above assumed ASCII; a multi-byte char there is a bad value anyway.
                    match parts {
                        Some((sign, h, m, s, n)) if value.is_char_boundary(n) => {
                            value = &value[n..];
                            let nums = (getnum(h, true), getnum(m, true), getnum(s, true));
                            let (hr, mm, ss) = match nums {
                                (Some((hr, _)), Some((mm, _)), Some((ss, _))) => (hr, mm, ss),
                                _ => {
                                    ok = false;
                                    (0, 0, 0)
                                }
                            };
                            if hr > 24 {
                                range_err = Some("time zone offset hour");
                            }
                            if mm > 60 {
                                range_err = Some("time zone offset minute");
                            }
                            if ss > 60 {
                                range_err = Some("time zone offset second");
                            }
                            zone_offset = (hr * 60 + mm) * 60 + ss;
                            match sign {
                                "+" => {}
                                "-" => zone_offset = -zone_offset,
                                _ => ok = false,
                            }
                        }
                        _ => ok = false,
                    }
                }
            }
            Std::TzName => {
                if value.starts_with("UTC") {
                    z = Some(Location::utc());
                    value = &value[3..];
                } else {
                    match parse_time_zone(value) {
                        Some(n) if value.is_char_boundary(n) => {
                            zone_name = value[..n].to_string();
                            value = &value[n..];
                        }
                        _ => ok = false,
                    }
                }
            }
            Std::Frac {
                trim: false,
                digits,
                ..
            } => {
                let ndigit = 1 + digits;
                if value.len() < ndigit || !value.is_char_boundary(ndigit) {
                    ok = false;
                } else {
                    match parse_nanoseconds(value, ndigit) {
                        Ok(ns) => nsec = ns,
                        Err(Some(r)) => range_err = Some(r),
                        Err(None) => ok = false,
                    }
                    value = &value[ndigit..];
                }
            }
            Std::Frac { trim: true, .. } => {
                let vb = value.as_bytes();
                if vb.len() >= 2 && (vb[0] == b'.' || vb[0] == b',') && vb[1].is_ascii_digit() {
                    let mut i = 0;
                    while i + 1 < vb.len() && vb[i + 1].is_ascii_digit() {
                        i += 1;
                    }
                    match parse_nanoseconds(value, 1 + i) {
                        Ok(ns) => nsec = ns,
                        Err(Some(r)) => range_err = Some(r),
                        Err(None) => ok = false,
                    }
                    value = &value[1 + i..];
                }
            }
        }
        if let Some(r) = range_err {
            return Err(err(stdstr, value, &format!(": {r} out of range")));
        }
        if !ok {
            return Err(err(stdstr, hold, ""));
        }
    }
    if pm_set && hour < 12 {
        hour += 12;
    } else if am_set && hour == 12 {
        hour = 0;
    }

    if yday >= 0 {
        let mut d = 0i64;
        let mut m = 0i64;
        if is_leap(year) {
            if yday == 31 + 29 {
                m = 2;
                d = 29;
            } else if yday > 31 + 29 {
                yday -= 1;
            }
        }
        if !(1..=365).contains(&yday) {
            return Err(err("", value, ": day-of-year out of range"));
        }
        if m == 0 {
            m = (yday - 1) / 31 + 1;
            if (days_before(m as u32 + 1) as i64) < yday {
                m += 1;
            }
            d = yday - days_before(m as u32) as i64;
        }
        if month >= 0 && month != m {
            return Err(err("", value, ": day-of-year does not match month"));
        }
        month = m;
        if day >= 0 && day != d {
            return Err(err("", value, ": day-of-year does not match day"));
        }
        day = d;
    } else {
        if month < 0 {
            month = 1;
        }
        if day < 0 {
            day = 1;
        }
    }
    if day < 1 || day > days_in(month as u32, year) as i64 {
        return Err(err("", value, ": day out of range"));
    }

    if let Some(z) = z {
        return Ok(Time::date(year, month, day, hour, min, sec, nsec, z));
    }
    if zone_offset != -1 {
        let mut t = Time::date(year, month, day, hour, min, sec, nsec, Location::utc());
        t.sec -= zone_offset;
        let at = local.lookup(t.sec);
        if at.offset as i64 == zone_offset && (zone_name.is_empty() || at.name == zone_name) {
            t.loc = local;
            return Ok(t);
        }
        t.loc = Location::fixed(&zone_name, zone_offset as i32);
        return Ok(t);
    }
    if !zone_name.is_empty() {
        let mut t = Time::date(year, month, day, hour, min, sec, nsec, Location::utc());
        if let Some(offset) = local.lookup_name(&zone_name, t.sec) {
            t.sec -= offset as i64;
            t.loc = local;
            return Ok(t);
        }
        let mut offset = 0i64;
        if zone_name.len() > 3 && zone_name.starts_with("GMT") {
            offset = atoi(&zone_name[3..]).unwrap_or(0) * 3600;
        }
        t.loc = Location::fixed(&zone_name, offset as i32);
        return Ok(t);
    }
    Ok(Time::date(
        year,
        month,
        day,
        hour,
        min,
        sec,
        nsec,
        default_loc,
    ))
}

/// Go's `Duration.String`.
pub fn format_duration(d: i64) -> String {
    let neg = d < 0;
    let mut u = d.unsigned_abs();
    let mut out: Vec<u8> = Vec::with_capacity(24);
    // Built back to front, as Go does.
    fn frac(out: &mut Vec<u8>, mut v: u64, prec: usize) -> u64 {
        let mut print = false;
        for _ in 0..prec {
            let digit = v % 10;
            print = print || digit != 0;
            if print {
                out.push(b'0' + digit as u8);
            }
            v /= 10;
        }
        if print {
            out.push(b'.');
        }
        v
    }
    fn int(out: &mut Vec<u8>, mut v: u64) {
        if v == 0 {
            out.push(b'0');
        }
        while v > 0 {
            out.push(b'0' + (v % 10) as u8);
            v /= 10;
        }
    }
    if u < SECOND as u64 {
        out.push(b's');
        let prec = if u == 0 {
            out.push(b'0');
            return "0s".into();
        } else if u < MICROSECOND as u64 {
            out.push(b'n');
            0
        } else if u < MILLISECOND as u64 {
            // "µ" reversed byte-wise, since the whole buffer is reversed at the end.
            out.extend_from_slice(&[0xB5, 0xC2]);
            3
        } else {
            out.push(b'm');
            6
        };
        u = frac(&mut out, u, prec);
        int(&mut out, u);
    } else {
        out.push(b's');
        u = frac(&mut out, u, 9);
        int(&mut out, u % 60);
        u /= 60;
        if u > 0 {
            out.push(b'm');
            int(&mut out, u % 60);
            u /= 60;
            if u > 0 {
                out.push(b'h');
                int(&mut out, u);
            }
        }
    }
    if neg {
        out.push(b'-');
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII and a whole µ")
}

/// Go's `time.ParseDuration`, with its error texts.
pub fn parse_duration(orig: &str) -> Result<i64, String> {
    let invalid = |msg: &str| format!("time: {msg} {}", quote(orig));
    let mut s = orig;
    let mut d: u64 = 0;
    let mut neg = false;
    if let Some(c) = s.as_bytes().first()
        && (*c == b'-' || *c == b'+')
    {
        neg = *c == b'-';
        s = &s[1..];
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid("invalid duration"));
    }
    while !s.is_empty() {
        let c = s.as_bytes()[0];
        if !(c == b'.' || c.is_ascii_digit()) {
            return Err(invalid("invalid duration"));
        }
        let pl = s.len();
        let (mut v, rest) = leading_int(s).ok_or_else(|| invalid("invalid duration"))?;
        s = rest;
        let pre = pl != s.len();
        let mut post = false;
        let (mut f, mut scale) = (0u64, 1f64);
        if s.starts_with('.') {
            s = &s[1..];
            let pl = s.len();
            let mut overflow = false;
            let mut i = 0;
            for &c in s.as_bytes() {
                if !c.is_ascii_digit() {
                    break;
                }
                i += 1;
                if overflow {
                    continue;
                }
                if f > (i64::MAX as u64) / 10 {
                    overflow = true;
                    continue;
                }
                let y = f * 10 + (c - b'0') as u64;
                if y > 1 << 63 {
                    overflow = true;
                    continue;
                }
                f = y;
                scale *= 10.0;
            }
            s = &s[i..];
            post = pl != s.len();
        }
        if !pre && !post {
            return Err(invalid("invalid duration"));
        }
        let i = s
            .bytes()
            .position(|c| c == b'.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if i == 0 {
            return Err(invalid("missing unit in duration"));
        }
        let u = &s[..i];
        s = &s[i..];
        let unit: u64 = match u {
            "ns" => NANOSECOND as u64,
            "us" | "µs" | "μs" => MICROSECOND as u64,
            "ms" => MILLISECOND as u64,
            "s" => SECOND as u64,
            "m" => MINUTE as u64,
            "h" => HOUR as u64,
            _ => return Err(invalid(&format!("unknown unit {} in duration", quote(u)))),
        };
        if v > (1 << 63) / unit {
            return Err(invalid("invalid duration"));
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > 1 << 63 {
                return Err(invalid("invalid duration"));
            }
        }
        d += v;
        if d > 1 << 63 {
            return Err(invalid("invalid duration"));
        }
    }
    if neg {
        return Ok((d as i64).wrapping_neg());
    }
    if d > i64::MAX as u64 {
        return Err(invalid("invalid duration"));
    }
    Ok(d as i64)
}

/// Go's `Duration.Round`.
pub fn round_duration(d: i64, m: i64) -> i64 {
    if m <= 0 {
        return d;
    }
    let less_than_half = |x: i64, y: i64| (x as u64).wrapping_add(x as u64) < y as u64;
    let mut r = d % m;
    if d < 0 {
        r = -r;
        if less_than_half(r, m) {
            return d + r;
        }
        return match (d - m).checked_add(r) {
            Some(d1) if d1 < d => d1,
            _ => i64::MIN,
        };
    }
    if less_than_half(r, m) {
        return d - r;
    }
    match (d + r.wrapping_neg()).checked_add(m) {
        Some(d1) if d1 > d => d1,
        _ => i64::MAX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, ns: i64) -> Time {
        Time::date(y, mo, d, h, mi, s, ns, Location::utc())
    }

    #[test]
    fn formats_reference_layouts() {
        let t = utc(2009, 11, 10, 23, 4, 5, 123_400_000);
        assert_eq!(
            t.format("2006-01-02 15:04:05.999999999 -0700 MST"),
            "2009-11-10 23:04:05.1234 +0000 UTC"
        );
        assert_eq!(
            t.format("Mon Jan _2 15:04:05 2006"),
            "Tue Nov 10 23:04:05 2009"
        );
        assert_eq!(
            t.format("Monday, 02-Jan-06 03:04:05PM Z07:00"),
            "Tuesday, 10-Nov-09 11:04:05PM Z"
        );
        assert_eq!(
            t.format("2006-01-02T15:04:05.000Z07:00"),
            "2009-11-10T23:04:05.123Z"
        );
        assert_eq!(t.format("__2 002 .9 ,00"), "314 314 .1 ,12");
        assert_eq!(t.format("Janet"), "Janet");
        assert_eq!(Time::zero().to_string(), "0001-01-01 00:00:00 +0000 UTC");
    }

    #[test]
    fn formats_offsets_in_fixed_zones() {
        let t = Time::date(
            2020,
            1,
            2,
            3,
            4,
            5,
            0,
            Location::fixed("", -(5 * 3600 + 30 * 60)),
        );
        assert_eq!(t.format("-07:00 -0700 Z07 MST"), "-05:30 -0530 -05 -0530");
        assert_eq!(t.unix_seconds(), 1_577_934_245 + 5 * 3600 + 30 * 60);
    }

    #[test]
    fn parses_like_go() {
        let t = Time::parse("2006-01-02", "2017-12-31", Location::utc(), Location::utc()).unwrap();
        assert_eq!(t.unix_seconds(), 1_514_678_400);
        let t = Time::parse(
            "2006-01-02T15:04:05Z07:00",
            "2017-12-31T10:00:00+02:00",
            Location::utc(),
            Location::utc(),
        )
        .unwrap();
        assert_eq!(t.to_string(), "2017-12-31 10:00:00 +0200 +0200");
        let e =
            Time::parse("2006-01-02", "2017-13-01", Location::utc(), Location::utc()).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"parsing time "2017-13-01": month out of range"#
        );
        let e = Time::parse("2006-01-02", "17-1-01", Location::utc(), Location::utc()).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"parsing time "17-1-01" as "2006-01-02": cannot parse "17-1-01" as "2006""#
        );
        let e =
            Time::parse("2006-01-02", "2017-02-30", Location::utc(), Location::utc()).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"parsing time "2017-02-30": day out of range"#
        );
        let t = Time::parse(
            "Jan _2 15:04:05.000",
            "Feb  3 04:05:06.789",
            Location::utc(),
            Location::utc(),
        )
        .unwrap();
        assert_eq!(t.to_string(), "0000-02-03 04:05:06.789 +0000 UTC");
    }

    #[test]
    fn loads_system_zones() {
        let Ok(berlin) = Location::load("Europe/Berlin") else {
            return; // no tz database on this machine
        };
        let t = utc(2021, 7, 1, 12, 0, 0, 0).with_location(berlin.clone());
        assert_eq!(t.format("15:04 MST -0700"), "14:00 CEST +0200");
        let w = Time::date(2021, 1, 1, 12, 0, 0, 0, berlin);
        assert_eq!(w.to_string(), "2021-01-01 12:00:00 +0100 CET");
        assert_eq!(
            Location::load("Nowhere/Land").unwrap_err(),
            "unknown time zone Nowhere/Land"
        );
    }

    #[test]
    fn durations_round_trip_go_text() {
        assert_eq!(format_duration(61 * SECOND), "1m1s");
        assert_eq!(format_duration(3600 * SECOND), "1h0m0s");
        assert_eq!(format_duration(1_500 * NANOSECOND), "1.5µs");
        assert_eq!(format_duration(-2 * MILLISECOND), "-2ms");
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(i64::MIN), "-2562047h47m16.854775808s");
        assert_eq!(
            parse_duration("1h15m30.5s"),
            Ok(HOUR + 15 * MINUTE + 30 * SECOND + 500 * MILLISECOND)
        );
        assert_eq!(parse_duration("-1.5h"), Ok(-(HOUR + 30 * MINUTE)));
        assert_eq!(
            parse_duration("1x").unwrap_err(),
            r#"time: unknown unit "x" in duration "1x""#
        );
        assert_eq!(
            parse_duration("10").unwrap_err(),
            r#"time: missing unit in duration "10""#
        );
        assert_eq!(
            parse_duration("").unwrap_err(),
            r#"time: invalid duration """#
        );
        assert_eq!(round_duration(1_499 * MILLISECOND, SECOND), SECOND);
        assert_eq!(round_duration(-1_500 * MILLISECOND, SECOND), -2 * SECOND);
    }
}
