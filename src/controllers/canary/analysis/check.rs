//! Deciding a metric check as Flagger's `runBuiltinMetricChecks` and `runMetricChecks` do:
//! the value against the metric's `thresholdRange` (`min` first, then `max`), or against the
//! deprecated `threshold` when there is no range, with Flagger's event text for a halt.
//!
//! | metric | range bound broken | no range: halts when | message |
//! |---|---|---|---|
//! | `request-success-rate` (builtin) | `v < min`, `v > max` | `threshold > v` | `Halt NAME.NS advancement success rate 95.00% < 99%` |
//! | `request-duration` (builtin) | `d < min ms`, `d > max ms` | `d > threshold ms` | `Halt NAME.NS advancement request duration 1.5s > 500ms` |
//! | query or template | `v < min`, `v > max` | `v > threshold` | `Halt NAME.NS advancement METRIC 95.00 < 99` |
//!
//! An unset `threshold` is 0, Go's zero value: without a range, a query metric halts on any
//! value above 0 and a duration on any above 0ms. Bounds of a duration are cut to whole
//! milliseconds (Go's `time.Duration(min) * time.Millisecond`). Numbers print as Go's `%.2f`
//! (the value) and `%v` (the bound), durations as Go's `time.Duration`.

use gotemplate::Value;

/// The metric's `thresholdRange`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ThresholdRange {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// What a metric check measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Observed {
    /// The builtin `request-success-rate`, a percentage.
    SuccessRate(f64),
    /// The builtin `request-duration`, in whole milliseconds (see
    /// [`super::builtin::request_duration_millis`]).
    RequestDuration { millis: i64 },
    /// A metric with a `query` or a `templateRef`.
    Value(f64),
}

/// The canary and metric a check is about, and the metric's bounds.
#[derive(Clone, Copy, Debug)]
pub struct MetricCheck<'a> {
    /// The Canary's `metadata.name`.
    pub canary: &'a str,
    /// The Canary's `metadata.namespace`.
    pub namespace: &'a str,
    /// The metric's `name`.
    pub metric: &'a str,
    pub threshold_range: Option<ThresholdRange>,
    /// The deprecated `threshold`; `None` reads as 0, as in Flagger.
    pub threshold: Option<f64>,
}

/// A failed check: Flagger's warning event text, naming the canary, the value and the bound.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Halt(pub String);

impl MetricCheck<'_> {
    /// `Ok` when `observed` is within the bounds, else the halt message.
    pub fn decide(&self, observed: Observed) -> Result<(), Halt> {
        let threshold = self.threshold.unwrap_or(0.0);
        let range = self.threshold_range;
        match observed {
            Observed::SuccessRate(v) => {
                let broken = match range {
                    Some(r) => broken_bound(v, r),
                    None => Some(("<", threshold)).filter(|_| threshold > v),
                };
                broken.map(|(op, bound)| {
                    self.halt(
                        "Halt %s.%s advancement success rate %.2f%% %s %v%%",
                        &[Value::float(v), Value::string(op), Value::float(bound)],
                    )
                })
            }
            Observed::RequestDuration { millis } => {
                let d = millis_to_nanos(millis);
                let broken = match range {
                    Some(r) => match (r.min.map(bound_nanos), r.max.map(bound_nanos)) {
                        (Some(min), _) if d < min => Some(("<", min)),
                        (_, Some(max)) if d > max => Some((">", max)),
                        _ => None,
                    },
                    None => Some((">", bound_nanos(threshold))).filter(|&(_, t)| d > t),
                };
                broken.map(|(op, bound)| {
                    self.halt(
                        "Halt %s.%s advancement request duration %s %s %s",
                        &[
                            Value::string(go_duration(d)),
                            Value::string(op),
                            Value::string(go_duration(bound)),
                        ],
                    )
                })
            }
            Observed::Value(v) => {
                let broken = match range {
                    Some(r) => broken_bound(v, r),
                    None => Some((">", threshold)).filter(|_| v > threshold),
                };
                broken.map(|(op, bound)| {
                    self.halt(
                        "Halt %s.%s advancement %s %.2f %s %v",
                        &[
                            Value::string(self.metric),
                            Value::float(v),
                            Value::string(op),
                            Value::float(bound),
                        ],
                    )
                })
            }
        }
        .map_or(Ok(()), Err)
    }

    fn halt(&self, format: &str, rest: &[Value]) -> Halt {
        let mut args = vec![Value::string(self.canary), Value::string(self.namespace)];
        args.extend_from_slice(rest);
        Halt(gotemplate::fmt::sprintf(format, &args))
    }
}

/// The first bound `v` breaks, `min` before `max`, as Flagger checks them.
fn broken_bound(v: f64, range: ThresholdRange) -> Option<(&'static str, f64)> {
    match (range.min, range.max) {
        (Some(min), _) if v < min => Some(("<", min)),
        (_, Some(max)) if v > max => Some((">", max)),
        _ => None,
    }
}

fn millis_to_nanos(millis: i64) -> i64 {
    millis.saturating_mul(1_000_000)
}

/// Go's `time.Duration(bound) * time.Millisecond`: the bound cut to whole milliseconds.
fn bound_nanos(bound: f64) -> i64 {
    millis_to_nanos(bound as i64)
}

/// Go's `time.Duration.String`: `0s`, `1.5ms`, `500ms`, `1.5s`, `2m30s`, `1h0m0s`.
pub fn go_duration(nanos: i64) -> String {
    let mut u = nanos.unsigned_abs();
    let sign = if nanos < 0 { "-" } else { "" };
    if u == 0 {
        return "0s".to_string();
    }
    if u < 1_000_000_000 {
        let (prec, unit) = match u {
            0..1_000 => (0, "ns"),
            1_000..1_000_000 => (3, "µs"),
            _ => (6, "ms"),
        };
        let scale = 10u64.pow(prec);
        return format!(
            "{sign}{}{}{unit}",
            u / scale,
            fraction(u % scale, prec as usize)
        );
    }
    let frac = fraction(u % 1_000_000_000, 9);
    u /= 1_000_000_000;
    let (hours, minutes, seconds) = (u / 3600, u / 60 % 60, u % 60);
    if hours > 0 {
        format!("{sign}{hours}h{minutes}m{seconds}{frac}s")
    } else if minutes > 0 {
        format!("{sign}{minutes}m{seconds}{frac}s")
    } else {
        format!("{sign}{seconds}{frac}s")
    }
}

/// `.digits` of `value / 10^width` without trailing zeros; empty when it is zero.
fn fraction(value: u64, width: usize) -> String {
    if value == 0 {
        return String::new();
    }
    let digits = format!("{value:0width$}");
    format!(".{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(range: Option<ThresholdRange>, threshold: Option<f64>) -> MetricCheck<'static> {
        MetricCheck {
            canary: "podinfo",
            namespace: "test",
            metric: "error-rate",
            threshold_range: range,
            threshold,
        }
    }

    fn range(min: Option<f64>, max: Option<f64>) -> Option<ThresholdRange> {
        Some(ThresholdRange { min, max })
    }

    fn halt(text: &str) -> Result<(), Halt> {
        Err(Halt(text.to_string()))
    }

    #[test]
    fn success_rate_below_min_halts_with_flaggers_text() {
        let c = check(range(Some(99.0), None), None);
        assert_eq!(
            c.decide(Observed::SuccessRate(95.0)),
            halt("Halt podinfo.test advancement success rate 95.00% < 99%")
        );
        assert_eq!(c.decide(Observed::SuccessRate(99.0)), Ok(()));
        let c = check(range(None, Some(99.5)), None);
        assert_eq!(
            c.decide(Observed::SuccessRate(100.0)),
            halt("Halt podinfo.test advancement success rate 100.00% > 99.5%")
        );
    }

    #[test]
    fn success_rate_without_range_uses_the_deprecated_threshold_as_a_minimum() {
        assert_eq!(
            check(None, Some(99.0)).decide(Observed::SuccessRate(98.123)),
            halt("Halt podinfo.test advancement success rate 98.12% < 99%")
        );
        // No threshold at all: 0, which no rate is below.
        assert_eq!(check(None, None).decide(Observed::SuccessRate(0.0)), Ok(()));
        // A range replaces the threshold.
        assert_eq!(
            check(range(None, Some(100.0)), Some(99.0)).decide(Observed::SuccessRate(50.0)),
            Ok(())
        );
    }

    #[test]
    fn durations_compare_in_whole_milliseconds_and_print_as_go() {
        let c = check(range(None, Some(500.0)), None);
        assert_eq!(
            c.decide(Observed::RequestDuration { millis: 1500 }),
            halt("Halt podinfo.test advancement request duration 1.5s > 500ms")
        );
        assert_eq!(c.decide(Observed::RequestDuration { millis: 500 }), Ok(()));
        // A bound of 500.9ms is 500ms.
        let c = check(range(None, Some(500.9)), None);
        assert_eq!(
            c.decide(Observed::RequestDuration { millis: 501 }),
            halt("Halt podinfo.test advancement request duration 501ms > 500ms")
        );
        let c = check(range(Some(10.0), None), None);
        assert_eq!(
            c.decide(Observed::RequestDuration { millis: 0 }),
            halt("Halt podinfo.test advancement request duration 0s < 10ms")
        );
        // Without a range: the threshold is a maximum, and unset it is 0ms.
        assert_eq!(
            check(None, Some(500.0)).decide(Observed::RequestDuration { millis: 90_500 }),
            halt("Halt podinfo.test advancement request duration 1m30.5s > 500ms")
        );
        assert_eq!(
            check(None, None).decide(Observed::RequestDuration { millis: 1 }),
            halt("Halt podinfo.test advancement request duration 1ms > 0s")
        );
    }

    #[test]
    fn query_metrics_name_the_metric_and_print_bounds_as_go() {
        let c = check(range(Some(99.0), Some(1e6)), None);
        assert_eq!(
            c.decide(Observed::Value(95.0)),
            halt("Halt podinfo.test advancement error-rate 95.00 < 99")
        );
        assert_eq!(
            c.decide(Observed::Value(2e6)),
            halt("Halt podinfo.test advancement error-rate 2000000.00 > 1e+06")
        );
        assert_eq!(
            c.decide(Observed::Value(f64::INFINITY)),
            halt("Halt podinfo.test advancement error-rate +Inf > 1e+06")
        );
        // min is checked before max.
        let inverted = check(range(Some(10.0), Some(5.0)), None);
        assert_eq!(
            inverted.decide(Observed::Value(7.0)),
            halt("Halt podinfo.test advancement error-rate 7.00 < 10")
        );
    }

    #[test]
    fn query_metrics_without_range_use_the_threshold_as_a_maximum_zero_when_unset() {
        assert_eq!(
            check(None, Some(1.5)).decide(Observed::Value(1.75)),
            halt("Halt podinfo.test advancement error-rate 1.75 > 1.5")
        );
        assert_eq!(check(None, Some(1.5)).decide(Observed::Value(1.5)), Ok(()));
        assert_eq!(
            check(None, None).decide(Observed::Value(0.01)),
            halt("Halt podinfo.test advancement error-rate 0.01 > 0")
        );
        assert_eq!(check(None, None).decide(Observed::Value(0.0)), Ok(()));
    }

    #[test]
    fn go_duration_strings() {
        for (nanos, text) in [
            (0, "0s"),
            (1, "1ns"),
            (1_500, "1.5µs"),
            (1_000_000, "1ms"),
            (1_500_000, "1.5ms"),
            (999_000_000, "999ms"),
            (1_000_000_000, "1s"),
            (61_000_000_000, "1m1s"),
            (3_600_000_000_000, "1h0m0s"),
            (-2_500_000_000, "-2.5s"),
            (i64::MAX, "2562047h47m16.854775807s"),
        ] {
            assert_eq!(go_duration(nanos), text, "{nanos}");
        }
    }
}
