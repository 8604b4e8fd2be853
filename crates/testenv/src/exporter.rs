//! A controllable Prometheus exporter that plays an application's request metrics for the
//! canary controller's analyses: counters that grow at a set rate, gauges, and histograms of
//! requests of a set duration, served as the Prometheus text format (0.0.4) on
//! `GET /metrics` over plain HTTP on a free loopback port.
//!
//! Values are computed when scraped from the time elapsed, so `rate(x[..])` in Prometheus
//! reads the configured rate, and changing a rate or a duration takes effect from that
//! moment without the counters ever going down.
//!
//! ```no_run
//! use testenv::exporter::Exporter;
//! # fn main() -> anyhow::Result<()> {
//! let app = Exporter::start()?;
//! let ok = [("namespace", "test"), ("pod", "podinfo-canary-1"), ("status", "200")];
//! let failed = [("namespace", "test"), ("pod", "podinfo-canary-1"), ("status", "500")];
//! app.counter("http_requests_total", &ok, 99.0);
//! app.counter("http_requests_total", &failed, 1.0); // a 99% success rate
//! // 10 requests a second taking 80ms: the p99 lands in the (0.05, 0.1] bucket.
//! app.histogram("http_request_duration_seconds", &ok[..2], 10.0, 0.08);
//! let target = app.host_port(); // for testenv::prometheus::PrometheusOptions::targets
//! # let _ = target; Ok(()) }
//! ```

use crate::hooks::PlainServer;
use crate::rest::{Handler, Request, Response};
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The Go client's default histogram buckets (`prometheus.DefBuckets`), in seconds; `+Inf`
/// is always added.
pub const DEFAULT_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The Content-Type of the text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

type Labels = Vec<(String, String)>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

/// A value growing linearly from `base` at `t0`.
#[derive(Clone, Debug)]
struct Linear {
    base: f64,
    t0: Instant,
    per_second: f64,
}

impl Linear {
    fn at(&self, now: Instant) -> f64 {
        self.base + self.per_second * now.saturating_duration_since(self.t0).as_secs_f64()
    }
}

#[derive(Clone, Debug)]
struct Histogram {
    /// Upper bounds, ascending, without `+Inf`.
    bounds: Vec<f64>,
    /// Cumulative counts per bound, plus `+Inf` last (= the count), at `t0`.
    base_buckets: Vec<f64>,
    base_sum: f64,
    t0: Instant,
    per_second: f64,
    observation: f64,
}

impl Histogram {
    fn observed(&self, now: Instant) -> f64 {
        self.per_second * now.saturating_duration_since(self.t0).as_secs_f64()
    }

    /// Cumulative bucket counts (the last is `+Inf`) and the sum at `now`.
    fn at(&self, now: Instant) -> (Vec<f64>, f64) {
        let n = self.observed(now);
        let buckets = self
            .base_buckets
            .iter()
            .enumerate()
            .map(|(i, base)| match self.bounds.get(i) {
                Some(le) if self.observation > *le => *base,
                _ => base + n,
            })
            .collect();
        (buckets, self.base_sum + n * self.observation)
    }
}

#[derive(Clone, Debug)]
enum Series {
    Counter(Linear),
    Gauge(f64),
    Histogram(Histogram),
}

#[derive(Default)]
struct Families {
    /// name -> (kind, labels -> series), both sorted so the output is stable.
    by_name: BTreeMap<String, (Kind, BTreeMap<Labels, Series>)>,
}

impl Families {
    /// The series `name{labels}` of `kind`, panicking when the name is taken by another kind.
    fn entry(&mut self, name: &str, labels: &[(&str, &str)], kind: Kind) -> SeriesSlot<'_> {
        check_metric_name(name);
        let labels = canonical_labels(labels, kind);
        let (k, series) = self
            .by_name
            .entry(name.to_string())
            .or_insert_with(|| (kind, BTreeMap::new()));
        assert!(
            *k == kind,
            "exporter: {name} is a {}, not a {}",
            k.as_str(),
            kind.as_str()
        );
        SeriesSlot { series, labels }
    }

    fn render(&self, now: Instant) -> String {
        let mut out = String::new();
        for (name, (kind, series)) in &self.by_name {
            if series.is_empty() {
                continue;
            }
            let _ = writeln!(out, "# HELP {name} Played by the tk test rig's exporter.");
            let _ = writeln!(out, "# TYPE {name} {}", kind.as_str());
            for (labels, s) in series {
                match s {
                    Series::Counter(c) => sample(&mut out, name, labels, None, c.at(now)),
                    Series::Gauge(v) => sample(&mut out, name, labels, None, *v),
                    Series::Histogram(h) => {
                        let (buckets, sum) = h.at(now);
                        let bucket = format!("{name}_bucket");
                        for (i, count) in buckets.iter().enumerate() {
                            let le = h.bounds.get(i).copied().unwrap_or(f64::INFINITY);
                            sample(&mut out, &bucket, labels, Some(le), *count);
                        }
                        sample(&mut out, &format!("{name}_sum"), labels, None, sum);
                        let count = buckets.last().copied().unwrap_or(0.0);
                        sample(&mut out, &format!("{name}_count"), labels, None, count);
                    }
                }
            }
        }
        out
    }
}

struct SeriesSlot<'a> {
    series: &'a mut BTreeMap<Labels, Series>,
    labels: Labels,
}

/// A running exporter; dropping it stops serving.
pub struct Exporter {
    families: Arc<Mutex<Families>>,
    scrapes: Arc<AtomicU64>,
    server: PlainServer,
}

impl Exporter {
    /// Serves `GET /metrics` on a free loopback port, with no series yet.
    pub fn start() -> Result<Exporter> {
        let families: Arc<Mutex<Families>> = Arc::default();
        let scrapes = Arc::new(AtomicU64::new(0));
        let handler: Handler = {
            let (families, scrapes) = (families.clone(), scrapes.clone());
            Arc::new(
                move |req: &Request| match (req.method.as_str(), req.path.as_str()) {
                    ("GET" | "HEAD", "/metrics") => {
                        scrapes.fetch_add(1, Ordering::SeqCst);
                        let text = lock(&families).render(Instant::now());
                        Response {
                            status: 200,
                            headers: vec![("Content-Type".into(), CONTENT_TYPE.into())],
                            body: text.into_bytes(),
                        }
                    }
                    (_, "/metrics") => Response::text(405, "only GET /metrics\n"),
                    _ => Response::text(404, "not found: the exporter serves /metrics\n"),
                },
            )
        };
        let server =
            PlainServer::start("exporter", handler).context("starting the metrics exporter")?;
        Ok(Exporter {
            families,
            scrapes,
            server,
        })
    }

    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// `127.0.0.1:<port>`: a Prometheus scrape target.
    pub fn host_port(&self) -> String {
        format!("127.0.0.1:{}", self.port())
    }

    /// `http://127.0.0.1:<port>/metrics`.
    pub fn url(&self) -> String {
        format!("http://{}/metrics", self.host_port())
    }

    /// How many times `/metrics` was fetched.
    pub fn scrapes(&self) -> u64 {
        self.scrapes.load(Ordering::SeqCst)
    }

    /// The text a scrape would get now.
    pub fn render(&self) -> String {
        lock(&self.families).render(Instant::now())
    }

    /// A counter `name{labels}` (starting at 0) that grows by `per_second` each second from
    /// now on. Called again for the same series, it keeps its value and grows at the new
    /// rate from now on (a negative rate is an error: counters never go down).
    ///
    /// Panics when `name` or a label name is invalid, or `name` is another kind of metric.
    pub fn counter(&self, name: &str, labels: &[(&str, &str)], per_second: f64) {
        assert!(
            per_second >= 0.0 && per_second.is_finite(),
            "exporter: counter {name} cannot grow at {per_second}/s"
        );
        self.counter_at(name, labels, per_second, Instant::now());
    }

    fn counter_at(&self, name: &str, labels: &[(&str, &str)], per_second: f64, now: Instant) {
        let mut families = lock(&self.families);
        let slot = families.entry(name, labels, Kind::Counter);
        let base = match slot.series.get(&slot.labels) {
            Some(Series::Counter(c)) => c.at(now),
            _ => 0.0,
        };
        slot.series.insert(
            slot.labels,
            Series::Counter(Linear {
                base,
                t0: now,
                per_second,
            }),
        );
    }

    /// A gauge `name{labels}` of `value` (set again to change it).
    pub fn gauge(&self, name: &str, labels: &[(&str, &str)], value: f64) {
        let mut families = lock(&self.families);
        let slot = families.entry(name, labels, Kind::Gauge);
        slot.series.insert(slot.labels, Series::Gauge(value));
    }

    /// A histogram `name{labels}` with [`DEFAULT_BUCKETS`] (`<name>_bucket{le=...}`,
    /// `<name>_sum`, `<name>_count`) observing `per_second` values of `observation` each
    /// second from now on, so `histogram_quantile(q, rate(<name>_bucket[..]))` lands in the
    /// bucket holding `observation`. Called again for the same series, the counts observed so
    /// far are kept and the new rate and value apply from now on.
    pub fn histogram(
        &self,
        name: &str,
        labels: &[(&str, &str)],
        per_second: f64,
        observation: f64,
    ) {
        self.histogram_with_buckets(name, labels, &DEFAULT_BUCKETS, per_second, observation);
    }

    /// [`Exporter::histogram`] with other bucket bounds (ascending, finite; `+Inf` is added).
    /// The bounds of an existing series cannot change.
    pub fn histogram_with_buckets(
        &self,
        name: &str,
        labels: &[(&str, &str)],
        buckets: &[f64],
        per_second: f64,
        observation: f64,
    ) {
        assert!(
            per_second >= 0.0 && per_second.is_finite(),
            "exporter: histogram {name} cannot observe {per_second} values a second"
        );
        assert!(
            observation.is_finite(),
            "exporter: histogram {name} cannot observe {observation}"
        );
        assert!(
            buckets.iter().all(|b| b.is_finite()) && buckets.windows(2).all(|w| w[0] < w[1]),
            "exporter: histogram {name} needs ascending finite buckets, not {buckets:?}"
        );
        self.histogram_at(
            name,
            labels,
            buckets,
            per_second,
            observation,
            Instant::now(),
        );
    }

    fn histogram_at(
        &self,
        name: &str,
        labels: &[(&str, &str)],
        buckets: &[f64],
        per_second: f64,
        observation: f64,
        now: Instant,
    ) {
        let mut families = lock(&self.families);
        let slot = families.entry(name, labels, Kind::Histogram);
        let (base_buckets, base_sum) = match slot.series.get(&slot.labels) {
            Some(Series::Histogram(h)) => {
                assert!(
                    h.bounds == buckets,
                    "exporter: histogram {name} has buckets {:?}, not {buckets:?}",
                    h.bounds
                );
                h.at(now)
            }
            _ => (vec![0.0; buckets.len() + 1], 0.0),
        };
        slot.series.insert(
            slot.labels,
            Series::Histogram(Histogram {
                bounds: buckets.to_vec(),
                base_buckets,
                base_sum,
                t0: now,
                per_second,
                observation,
            }),
        );
    }

    /// Removes the series `name{labels}` (of any kind); Prometheus marks it stale at its
    /// next scrape. Returns whether it existed.
    pub fn remove(&self, name: &str, labels: &[(&str, &str)]) -> bool {
        let mut families = lock(&self.families);
        let Some((kind, series)) = families.by_name.get_mut(name) else {
            return false;
        };
        let removed = series.remove(&canonical_labels(labels, *kind)).is_some();
        if series.is_empty() {
            families.by_name.remove(name);
        }
        removed
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn check_metric_name(name: &str) {
    let ok = name.chars().enumerate().all(|(i, c)| {
        c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit())
    });
    assert!(
        !name.is_empty() && ok,
        "exporter: invalid metric name {name:?}"
    );
}

/// Labels sorted by name, checked to be valid, distinct and (for histograms) without `le`.
fn canonical_labels(labels: &[(&str, &str)], kind: Kind) -> Labels {
    let mut out: Labels = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    out.sort();
    for (i, (k, _)) in out.iter().enumerate() {
        let valid = !k.is_empty()
            && !k.starts_with("__")
            && k.chars()
                .enumerate()
                .all(|(i, c)| c.is_ascii_alphabetic() || c == '_' || (i > 0 && c.is_ascii_digit()));
        assert!(valid, "exporter: invalid label name {k:?}");
        assert!(
            i == 0 || out[i - 1].0 != *k,
            "exporter: label {k:?} given twice"
        );
        assert!(
            !(kind == Kind::Histogram && k == "le"),
            "exporter: a histogram's series cannot have an `le` label"
        );
    }
    out
}

/// Formats a sample value or `le` bound the way the Go client does (`+Inf`, `NaN`, shortest
/// round-trip decimal).
fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{v}")
    }
}

fn escape_label_value(v: &str) -> String {
    v.replace('\\', r"\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn sample(out: &mut String, name: &str, labels: &Labels, le: Option<f64>, value: f64) {
    out.push_str(name);
    if !labels.is_empty() || le.is_some() {
        out.push('{');
        let mut first = true;
        for (k, v) in labels {
            if !first {
                out.push(',');
            }
            first = false;
            let _ = write!(out, "{k}=\"{}\"", escape_label_value(v));
        }
        if let Some(le) = le {
            if !first {
                out.push(',');
            }
            let _ = write!(out, "le=\"{}\"", format_value(le));
        }
        out.push('}');
    }
    let _ = writeln!(out, " {}", format_value(value));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// The value of the sample whose line starts with `series ` in the rendered text.
    fn value(text: &str, series: &str) -> f64 {
        let prefix = format!("{series} ");
        let line = text
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no {series} in\n{text}"));
        match &line[prefix.len()..] {
            "+Inf" => f64::INFINITY,
            v => v.parse().unwrap(),
        }
    }

    #[test]
    fn exporter_counters_grow_at_their_rate_and_stay_monotonic() {
        let exporter = Exporter::start().unwrap();
        let t0 = Instant::now();
        let labels = [("status", "200"), ("app", "podinfo")];
        exporter.counter_at("http_requests_total", &labels, 10.0, t0);
        let families = || lock(&exporter.families);
        let at = |secs: u64| families().render(t0 + Duration::from_secs(secs));
        let series = r#"http_requests_total{app="podinfo",status="200"}"#;
        assert_eq!(value(&at(0), series), 0.0);
        assert_eq!(value(&at(3), series), 30.0);
        // Labels are sorted, so the order they are given in does not matter.
        exporter.counter_at(
            "http_requests_total",
            &[("app", "podinfo"), ("status", "200")],
            2.0,
            t0 + Duration::from_secs(5),
        );
        assert_eq!(value(&at(5), series), 50.0);
        assert_eq!(value(&at(10), series), 60.0);
        // Paused, still not going down.
        exporter.counter_at(
            "http_requests_total",
            &labels,
            0.0,
            t0 + Duration::from_secs(10),
        );
        assert_eq!(value(&at(20), series), 60.0);
        let text = at(20);
        assert!(
            text.contains("# TYPE http_requests_total counter\n"),
            "{text}"
        );
        assert_eq!(text.matches("# TYPE").count(), 1, "{text}");

        exporter.gauge("queue_depth", &[("q", "a\"b\\c\nd")], 2.5);
        let text = exporter.render();
        assert!(text.contains("# TYPE queue_depth gauge\n"), "{text}");
        assert!(
            text.contains("queue_depth{q=\"a\\\"b\\\\c\\nd\"} 2.5\n"),
            "{text}"
        );
        assert!(exporter.remove("queue_depth", &[("q", "a\"b\\c\nd")]));
        assert!(!exporter.remove("queue_depth", &[("q", "a\"b\\c\nd")]));
        assert!(!exporter.render().contains("queue_depth"));
        exporter.gauge("up_like", &[], 1.0);
        assert!(exporter.render().contains("\nup_like 1\n"));
    }

    #[test]
    fn exporter_histograms_fill_the_bucket_of_the_observation() {
        let exporter = Exporter::start().unwrap();
        let t0 = Instant::now();
        let labels = [("app", "podinfo")];
        let name = "http_request_duration_seconds";
        exporter.histogram_at(name, &labels, &DEFAULT_BUCKETS, 10.0, 0.3, t0);
        let render = |secs: u64| lock(&exporter.families).render(t0 + Duration::from_secs(secs));
        let bucket = |text: &str, le: &str| {
            value(
                text,
                &format!("{name}_bucket{{app=\"podinfo\",le=\"{le}\"}}"),
            )
        };
        let text = render(2);
        assert!(
            text.contains(&format!("# TYPE {name} histogram\n")),
            "{text}"
        );
        assert_eq!(bucket(&text, "0.005"), 0.0);
        assert_eq!(bucket(&text, "0.25"), 0.0);
        assert_eq!(bucket(&text, "0.5"), 20.0);
        assert_eq!(bucket(&text, "1"), 20.0);
        assert_eq!(bucket(&text, "10"), 20.0);
        assert_eq!(bucket(&text, "+Inf"), 20.0);
        assert_eq!(
            value(&text, &format!("{name}_count{{app=\"podinfo\"}}")),
            20.0
        );
        assert!((value(&text, &format!("{name}_sum{{app=\"podinfo\"}}")) - 6.0).abs() < 1e-9);

        // Faster requests from t=2: the old counts stay, only the new bucket grows.
        exporter.histogram_at(
            name,
            &labels,
            &DEFAULT_BUCKETS,
            5.0,
            0.02,
            t0 + Duration::from_secs(2),
        );
        let text = render(4);
        assert_eq!(bucket(&text, "0.01"), 0.0);
        assert_eq!(bucket(&text, "0.025"), 10.0);
        assert_eq!(bucket(&text, "0.25"), 10.0);
        assert_eq!(bucket(&text, "0.5"), 30.0);
        assert_eq!(bucket(&text, "+Inf"), 30.0);
        assert!((value(&text, &format!("{name}_sum{{app=\"podinfo\"}}")) - 6.2).abs() < 1e-9);
        // Slower than the largest bound: only +Inf grows.
        exporter.histogram_at(
            name,
            &labels,
            &DEFAULT_BUCKETS,
            1.0,
            60.0,
            t0 + Duration::from_secs(4),
        );
        let text = render(6);
        assert_eq!(bucket(&text, "10"), 30.0);
        assert_eq!(bucket(&text, "+Inf"), 32.0);

        exporter.histogram_with_buckets("custom", &[], &[1.0, 2.0], 1.0, 1.5);
        let text = exporter.render();
        assert!(text.contains("custom_bucket{le=\"1\"} 0\n"), "{text}");
        assert!(text.contains("custom_bucket{le=\"2\"} "), "{text}");
        assert!(text.contains("custom_bucket{le=\"+Inf\"} "), "{text}");
    }

    #[test]
    #[should_panic(expected = "is a counter, not a gauge")]
    fn exporter_rejects_a_name_of_another_kind() {
        let exporter = Exporter::start().unwrap();
        exporter.counter("requests_total", &[], 1.0);
        exporter.gauge("requests_total", &[("a", "b")], 1.0);
    }

    #[test]
    fn exporter_serves_metrics_over_http() {
        let exporter = Exporter::start().unwrap();
        exporter.counter("requests_total", &[("code", "200")], 1000.0);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .build()
            .into();
        let mut first = agent.get(exporter.url()).call().unwrap();
        assert_eq!(first.status(), 200);
        assert_eq!(first.headers()["content-type"], CONTENT_TYPE);
        let first = value(
            &first.body_mut().read_to_string().unwrap(),
            r#"requests_total{code="200"}"#,
        );
        std::thread::sleep(Duration::from_millis(50));
        let second = value(
            &agent
                .get(exporter.url())
                .call()
                .unwrap()
                .body_mut()
                .read_to_string()
                .unwrap(),
            r#"requests_total{code="200"}"#,
        );
        assert!(second >= first + 40.0, "{first} -> {second}");
        assert_eq!(exporter.scrapes(), 2);
        let missing = agent
            .get(format!("http://{}/other", exporter.host_port()))
            .call()
            .unwrap();
        assert_eq!(missing.status(), 404);
    }
}
