//! The canary rig: a real Prometheus scraping the controllable exporter. These fail (never
//! skip) when Prometheus is missing: `hack/setup.sh` installs it.

use std::time::{Duration, Instant};
use testenv::exporter::Exporter;
use testenv::prometheus::{JOB, Prometheus, PrometheusOptions, Sample};

const WAIT: Duration = Duration::from_secs(30);

fn start(targets: Vec<String>) -> Prometheus {
    let started = Instant::now();
    let prom = Prometheus::start(&PrometheusOptions {
        targets,
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("{e:#}"));
    eprintln!(
        "prometheus ready in {:?} at {}",
        started.elapsed(),
        prom.url()
    );
    prom
}

fn near(samples: &[Sample], want: f64, tolerance: f64) -> bool {
    samples.len() == 1 && (samples[0].1 - want).abs() <= want * tolerance
}

fn wait_value(prom: &Prometheus, promql: &str, want: f64, tolerance: f64) -> f64 {
    let started = Instant::now();
    let got = prom
        .wait_until(promql, WAIT, |s| near(s, want, tolerance))
        .unwrap_or_else(|e| panic!("{e:#}\nprometheus log:\n{}", prom.log()));
    eprintln!("{promql} = {} after {:?}", got[0].1, started.elapsed());
    got[0].1
}

#[test]
fn prometheus_reads_exporter_counter_rates_and_their_changes() {
    let app = Exporter::start().unwrap();
    let ok = [("namespace", "test"), ("status", "200")];
    let failed = [("namespace", "test"), ("status", "500")];
    app.counter("http_requests_total", &ok, 18.0);
    app.counter("http_requests_total", &failed, 2.0);
    app.gauge("queue_depth", &[("namespace", "test")], 7.0);
    let prom = start(vec![app.host_port()]);

    let gauge = prom
        .wait_for_series("queue_depth", WAIT)
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(gauge.len(), 1, "{gauge:?}");
    assert_eq!(gauge[0].1, 7.0);
    assert_eq!(gauge[0].0["job"], JOB);
    assert_eq!(gauge[0].0["instance"], app.host_port());
    assert_eq!(gauge[0].0["namespace"], "test");

    let ok_rate = r#"sum(rate(http_requests_total{namespace="test",status!~"5.*"}[5s]))"#;
    wait_value(&prom, ok_rate, 18.0, 0.1);
    // Flagger's request-success-rate, as a percentage.
    let success = r#"sum(rate(http_requests_total{namespace="test",status!~"5.*"}[5s])) / sum(rate(http_requests_total{namespace="test"}[5s])) * 100"#;
    wait_value(&prom, success, 90.0, 0.02);

    // Faster and all failing from now on.
    app.counter("http_requests_total", &ok, 0.0);
    app.counter("http_requests_total", &failed, 50.0);
    wait_value(&prom, ok_rate, 0.0, 0.0);
    wait_value(
        &prom,
        r#"sum(rate(http_requests_total{status="500"}[5s]))"#,
        50.0,
        0.1,
    );
    let resets = prom
        .query("sum(resets(http_requests_total[1m]))")
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(resets[0].1, 0.0, "the counters went down: {resets:?}");

    // A removed series goes stale at the next scrape.
    assert!(app.remove("http_requests_total", &failed));
    prom.wait_until(r#"http_requests_total{status="500"}"#, WAIT, |s| {
        s.is_empty()
    })
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(app.scrapes() >= 5, "{} scrapes", app.scrapes());
    prom.check_alive().unwrap();
}

#[test]
fn prometheus_histogram_quantile_lands_in_the_observations_bucket() {
    let prom = start(Vec::new());
    let app = Exporter::start().unwrap();
    let labels = [("namespace", "test"), ("app", "podinfo")];
    let name = "http_request_duration_seconds";
    app.histogram(name, &labels, 20.0, 0.3);
    prom.add_target(&app.host_port())
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(prom.targets(), vec![app.host_port()]);

    // Flagger's request-duration (p99), in seconds.
    let p99 = format!(
        r#"histogram_quantile(0.99, sum(rate({name}_bucket{{namespace="test"}}[5s])) by (le))"#
    );
    let in_bucket =
        |lo: f64, hi: f64| move |s: &[Sample]| s.len() == 1 && s[0].1 > lo && s[0].1 <= hi;
    let got = prom
        .wait_until(&p99, WAIT, in_bucket(0.25, 0.5))
        .unwrap_or_else(|e| panic!("{e:#}"));
    eprintln!("p99 at 0.3s requests: {}", got[0].1);
    let count = prom
        .wait_until(&format!("sum(rate({name}_count[5s]))"), WAIT, |s| {
            near(s, 20.0, 0.1)
        })
        .unwrap_or_else(|e| panic!("{e:#}"));
    eprintln!("request rate: {}", count[0].1);

    // Slower requests: the p99 moves up to (1, 2.5] once the window holds only them.
    app.histogram(name, &labels, 20.0, 2.0);
    let got = prom
        .wait_until(&p99, WAIT, in_bucket(1.0, 2.5))
        .unwrap_or_else(|e| panic!("{e:#}"));
    eprintln!("p99 at 2s requests: {}", got[0].1);
    let resets = prom
        .query(&format!("sum(resets({name}_bucket[1m]))"))
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(resets[0].1, 0.0, "a bucket went down: {resets:?}");

    // A malformed query fails at once with Prometheus's reason.
    let err = format!("{:#}", prom.query("sum(").unwrap_err());
    assert!(err.contains("bad_data"), "{err}");
}
