//! Sprig's `date.go`: `time.Time` values for templates, Go's reference-time layouts,
//! zones and durations (see [`super::gotime`]).

use super::conv::str_arg;
use super::gotime::{self, Location, SECOND, Time};
use crate::func::{CallContext, FuncError, FuncMap, FuncResult, Signature};
use crate::value::{IntKind, Object, Value};

/// A Go `time.Time` held by a template.
#[derive(Debug, Clone)]
pub struct TimeValue(pub Time);

/// `time.Month` and `time.Weekday`: integers that print as names.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NamedInt {
    type_name: &'static str,
    number: i64,
    name: &'static str,
}

impl Object for NamedInt {
    fn type_name(&self) -> &str {
        self.type_name
    }

    fn method(&self, name: &str) -> Option<Signature> {
        (name == "String").then(|| Signature::parse("func() string"))
    }

    fn call_method(&self, _name: &str, _args: &[Value], _cx: &mut CallContext<'_>) -> FuncResult {
        Ok(Value::string(self.name))
    }

    fn format(&self, out: &mut String) {
        out.push_str(self.name);
    }

    fn to_json(&self) -> Option<serde_json::Value> {
        Some(self.number.into())
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        Some(other.as_any().downcast_ref::<NamedInt>() == Some(self))
    }

    fn truth(&self) -> bool {
        self.number != 0
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// A `*time.Location`, as `.Location` returns it: prints its name.
#[derive(Debug, Clone)]
struct LocationValue(std::sync::Arc<Location>);

impl Object for LocationValue {
    fn type_name(&self) -> &str {
        "*time.Location"
    }

    fn method(&self, name: &str) -> Option<Signature> {
        (name == "String").then(|| Signature::parse("func() string"))
    }

    fn call_method(&self, _name: &str, _args: &[Value], _cx: &mut CallContext<'_>) -> FuncResult {
        Ok(Value::string(self.0.name()))
    }

    fn format(&self, out: &mut String) {
        out.push_str(self.0.name());
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        let o = other.as_any().downcast_ref::<LocationValue>()?;
        Some(std::sync::Arc::ptr_eq(&self.0, &o.0))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn time_value(t: Time) -> Value {
    Value::object(TimeValue(t))
}

fn other_time(args: &[Value]) -> Time {
    args.first()
        .and_then(|v| v.downcast_ref::<TimeValue>())
        .map_or_else(Time::zero, |t| t.0.clone())
}

impl Object for TimeValue {
    fn type_name(&self) -> &str {
        "time.Time"
    }

    fn method(&self, name: &str) -> Option<Signature> {
        let sig = match name {
            "String" => "func() string",
            "Format" => "func(layout string) string",
            "Year" | "Day" | "Hour" | "Minute" | "Second" | "Nanosecond" | "YearDay" => {
                "func() int"
            }
            "Month" => "func() time.Month",
            "Weekday" => "func() time.Weekday",
            "Unix" | "UnixMilli" | "UnixMicro" | "UnixNano" => "func() int64",
            "UTC" | "Local" => "func() time.Time",
            "Location" => "func() *time.Location",
            "AddDate" => "func(years int, months int, days int) time.Time",
            "Before" | "After" | "Equal" => "func(u time.Time) bool",
            "IsZero" => "func() bool",
            _ => return None,
        };
        Some(Signature::parse(sig))
    }

    fn call_method(&self, name: &str, args: &[Value], _cx: &mut CallContext<'_>) -> FuncResult {
        let t = &self.0;
        let c = || t.civil();
        let int = |i: i64| Value::int(i);
        Ok(match name {
            "String" => Value::string(t.to_string()),
            "Format" => Value::string(t.format(str_arg(args, 0))),
            "Year" => int(c().year),
            "Day" => int(c().day as i64),
            "Hour" => int(c().hour as i64),
            "Minute" => int(c().minute as i64),
            "Second" => int(c().second as i64),
            "Nanosecond" => int(t.nanosecond() as i64),
            "YearDay" => int(c().yday as i64),
            "Month" => {
                let m = c().month;
                Value::object(NamedInt {
                    type_name: "time.Month",
                    number: m as i64,
                    name: gotime::MONTHS[m as usize - 1],
                })
            }
            "Weekday" => {
                let d = c().weekday;
                Value::object(NamedInt {
                    type_name: "time.Weekday",
                    number: d as i64,
                    name: gotime::WEEKDAYS[d as usize],
                })
            }
            "Unix" => Value::int64(t.unix_seconds()),
            "UnixMilli" => Value::int64(
                t.unix_seconds().wrapping_mul(1000) + t.nanosecond() as i64 / 1_000_000,
            ),
            "UnixMicro" => Value::int64(
                t.unix_seconds().wrapping_mul(1_000_000) + t.nanosecond() as i64 / 1000,
            ),
            "UnixNano" => Value::int64(t.unix_nanos()),
            "Location" => Value::object(LocationValue(t.location().clone())),
            "UTC" => time_value(t.with_location(Location::utc())),
            "Local" => time_value(t.with_location(Location::local())),
            "AddDate" => {
                let n = |i: usize| args.get(i).and_then(Value::as_i64).unwrap_or(0);
                time_value(t.add_date(n(0), n(1), n(2)))
            }
            "Before" => Value::Bool(t.sub(&other_time(args)) < 0),
            "After" => Value::Bool(t.sub(&other_time(args)) > 0),
            "Equal" => Value::Bool(*t == other_time(args)),
            "IsZero" => Value::Bool(t.is_zero()),
            _ => return Err(format!("time.Time.{name} is not implemented").into()),
        })
    }

    fn format(&self, out: &mut String) {
        out.push_str(&self.0.to_string());
    }

    fn to_json(&self) -> Option<serde_json::Value> {
        Some(serde_json::Value::String(
            self.0.format("2006-01-02T15:04:05.999999999Z07:00"),
        ))
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        let o = &other.as_any().downcast_ref::<TimeValue>()?.0;
        // Go's == on the struct: same instant, same location, same monotonic reading.
        Some(
            self.0 == *o
                && self.0.location().name() == o.location().name()
                && self.0.to_string() == o.to_string(),
        )
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The `date interface{}` argument of the date functions: a `time.Time`, or Unix
/// seconds as an `int`, `int32` or `int64`; anything else means now.
fn to_time(v: &Value, allow_int32: bool) -> Time {
    match v {
        Value::Object(_) => match v.downcast_ref::<TimeValue>() {
            Some(t) => t.0.clone(),
            None => Time::now(),
        },
        Value::Int(i, IntKind::Int | IntKind::Int64) => Time::unix(*i, 0),
        Value::Int(i, IntKind::Int32) if allow_int32 => Time::unix(*i, 0),
        _ => Time::now(),
    }
}

fn date_in_zone(layout: &str, date: &Value, zone: &str) -> String {
    let loc = Location::load(zone).unwrap_or_else(|_| Location::utc());
    to_time(date, true).with_location(loc).format(layout)
}

fn date_modify(modifier: &str, date: &Value) -> Result<Time, String> {
    let t = date
        .downcast_ref::<TimeValue>()
        .map_or_else(Time::zero, |t| t.0.clone());
    gotime::parse_duration(modifier).map(|d| t.add(d))
}

/// Sprig's `durationRound`: the largest whole unit, years of 365 days, months of 30.
fn duration_round(v: &Value) -> String {
    let d: i64 = match v {
        Value::String(s) => gotime::parse_duration(s).unwrap_or(0),
        Value::Int(i, IntKind::Int64) => *i,
        Value::Object(_) => v.downcast_ref::<TimeValue>().map_or(0, |t| t.0.since()),
        _ => 0,
    };
    let u = d.unsigned_abs();
    let hour = gotime::HOUR as u64;
    let units: [(u64, &str); 6] = [
        (hour * 24 * 365, "y"),
        (hour * 24 * 30, "mo"),
        (hour * 24, "d"),
        (hour, "h"),
        (gotime::MINUTE as u64, "m"),
        (SECOND as u64, "s"),
    ];
    for (size, suffix) in units {
        if u > size {
            return format!("{}{suffix}", u / size);
        }
    }
    "0s".into()
}

pub(super) fn register(m: &mut FuncMap) {
    m.add("now", "func() time.Time", |_, _| {
        Ok(time_value(Time::now()))
    });
    m.add("ago", "func(date interface {}) string", |_, a| {
        let since = to_time(&a[0], false).since();
        Ok(Value::string(gotime::format_duration(
            gotime::round_duration(since, SECOND),
        )))
    });
    m.add(
        "date",
        "func(fmt string, date interface {}) string",
        |_, a| Ok(Value::string(date_in_zone(str_arg(a, 0), &a[1], "Local"))),
    );
    for name in ["dateInZone", "date_in_zone"] {
        m.add(
            name,
            "func(fmt string, date interface {}, zone string) string",
            |_, a| {
                Ok(Value::string(date_in_zone(
                    str_arg(a, 0),
                    &a[1],
                    str_arg(a, 2),
                )))
            },
        );
    }
    m.add("htmlDate", "func(date interface {}) string", |_, a| {
        Ok(Value::string(date_in_zone("2006-01-02", &a[0], "Local")))
    });
    m.add(
        "htmlDateInZone",
        "func(date interface {}, zone string) string",
        |_, a| {
            Ok(Value::string(date_in_zone(
                "2006-01-02",
                &a[0],
                str_arg(a, 1),
            )))
        },
    );
    for name in ["dateModify", "date_modify"] {
        m.add(
            name,
            "func(fmt string, date time.Time) time.Time",
            |_, a| {
                let fallback = a[1]
                    .downcast_ref::<TimeValue>()
                    .map_or_else(Time::zero, |t| t.0.clone());
                Ok(time_value(
                    date_modify(str_arg(a, 0), &a[1]).unwrap_or(fallback),
                ))
            },
        );
    }
    for name in ["mustDateModify", "must_date_modify"] {
        m.add(
            name,
            "func(fmt string, date time.Time) (time.Time, error)",
            |_, a| {
                date_modify(str_arg(a, 0), &a[1])
                    .map(time_value)
                    .map_err(FuncError::from)
            },
        );
    }
    m.add("duration", "func(sec interface {}) string", |_, a| {
        let n = match &a[0] {
            Value::String(s) => super::conv::parse_int_lenient(s, 10),
            Value::Int(i, IntKind::Int64) => *i,
            _ => 0,
        };
        Ok(Value::string(gotime::format_duration(
            n.wrapping_mul(SECOND),
        )))
    });
    m.add(
        "durationRound",
        "func(duration interface {}) string",
        |_, a| Ok(Value::string(duration_round(&a[0]))),
    );
    m.add("toDate", "func(fmt, str string) time.Time", |_, a| {
        let t = Time::parse(
            str_arg(a, 0),
            str_arg(a, 1),
            Location::local(),
            Location::local(),
        )
        .unwrap_or_else(|_| Time::zero());
        Ok(time_value(t))
    });
    m.add(
        "mustToDate",
        "func(fmt, str string) (time.Time, error)",
        |_, a| {
            Time::parse(
                str_arg(a, 0),
                str_arg(a, 1),
                Location::local(),
                Location::local(),
            )
            .map(time_value)
            .map_err(|e| FuncError::new(e.to_string()))
        },
    );
    m.add("unixEpoch", "func(date time.Time) string", |_, a| {
        let t = a[0]
            .downcast_ref::<TimeValue>()
            .map_or_else(Time::zero, |t| t.0.clone());
        Ok(Value::string(t.unix_seconds().to_string()))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_round_picks_the_largest_unit() {
        assert_eq!(duration_round(&Value::string("2h5s")), "2h");
        assert_eq!(duration_round(&Value::string("24h5s")), "1d");
        assert_eq!(duration_round(&Value::string("2400h5s")), "3mo");
        assert_eq!(duration_round(&Value::string("-3s")), "3s");
        assert_eq!(duration_round(&Value::int(5)), "0s");
    }

    #[test]
    fn dates_format_in_zones() {
        let t = Value::int64(1_257_894_000);
        assert_eq!(
            date_in_zone("2006-01-02 15:04 MST", &t, "UTC"),
            "2009-11-10 23:00 UTC"
        );
        assert_eq!(date_in_zone("2006-01-02", &t, "Nowhere/Land"), "2009-11-10");
        let m = date_modify("-1h", &time_value(Time::unix(3600, 0))).unwrap();
        assert_eq!(m.unix_seconds(), 0);
    }
}
