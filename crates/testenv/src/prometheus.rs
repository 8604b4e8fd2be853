//! A real Prometheus server on loopback (Debian's `prometheus` package, installed by
//! `hack/setup.sh`, or the binary named by `TK_PROMETHEUS_BIN`), scraping the targets a
//! test gives it, usually [`Exporter`](crate::exporter::Exporter)s, every second. Canary
//! analyses query it through its HTTP API exactly as they would a production Prometheus.
//!
//! It stores in a temporary directory and listens on a free port, so it never meets a
//! system Prometheus (the Debian package's service listens on :9090). If the binary is
//! missing or the server does not start, the error says why, with the tail of its log;
//! nothing is skipped.
//!
//! ```no_run
//! use std::time::Duration;
//! use testenv::exporter::Exporter;
//! use testenv::prometheus::{Prometheus, PrometheusOptions};
//! # fn main() -> anyhow::Result<()> {
//! let app = Exporter::start()?;
//! app.counter("http_requests_total", &[("status", "200")], 10.0);
//! let prom = Prometheus::start(&PrometheusOptions {
//!     targets: vec![app.host_port()],
//!     ..Default::default()
//! })?;
//! let address = prom.url(); // a MetricTemplate's spec.provider.address
//! let rate = prom.wait_until("rate(http_requests_total[5s])", Duration::from_secs(20), |s| {
//!     s.first().is_some_and(|(_, v)| (*v - 10.0).abs() < 1.0)
//! })?;
//! # let _ = (address, rate); Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;

use crate::procs::Component;

/// The `job` label of every target's series (targets keep their own labels otherwise:
/// `honor_labels` is on, so an exporter can play `namespace`, `pod`, even `job`).
pub const JOB: &str = "tk-testenv";

/// One sample of a query's result: its labels and value.
pub type Sample = (BTreeMap<String, String>, f64);

/// How to start a Prometheus; `Default` scrapes nothing every second.
#[derive(Clone, Debug)]
pub struct PrometheusOptions {
    /// Scrape targets as `host:port` (their `/metrics`), all in job [`JOB`].
    pub targets: Vec<String>,
    /// How often targets are scraped (also the scrape timeout and rule evaluation
    /// interval). `rate(x[w])` needs two samples inside `w`, so `w` should be at least
    /// twice this, plus a little.
    pub scrape_interval: Duration,
}

impl Default for PrometheusOptions {
    fn default() -> Self {
        PrometheusOptions {
            targets: Vec::new(),
            scrape_interval: Duration::from_secs(1),
        }
    }
}

/// A running Prometheus; dropping it kills the process and removes its storage.
pub struct Prometheus {
    dir: tempfile::TempDir,
    port: u16,
    scrape_interval: Duration,
    targets: Mutex<Vec<String>>,
    agent: ureq::Agent,
    process: Mutex<Component>,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        lock(&self.process).kill();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `TK_PROMETHEUS_BIN`, else `prometheus` on PATH.
pub fn binary() -> Result<PathBuf> {
    if let Some(bin) = std::env::var_os("TK_PROMETHEUS_BIN") {
        let bin = PathBuf::from(bin);
        if !bin.is_file() {
            bail!(
                "TK_PROMETHEUS_BIN={} is not a file: unset it to use `prometheus` from PATH, \
                 or point it at a Prometheus binary",
                bin.display()
            );
        }
        return Ok(bin);
    }
    crate::git::find_program("prometheus").ok_or_else(|| {
        anyhow!(
            "prometheus not found: run hack/setup.sh (Debian package prometheus) or set \
             TK_PROMETHEUS_BIN"
        )
    })
}

impl Prometheus {
    /// Starts Prometheus on a free loopback port and waits until `/-/ready` answers 200.
    pub fn start(options: &PrometheusOptions) -> Result<Prometheus> {
        if options.scrape_interval < Duration::from_millis(10) {
            bail!(
                "scrape_interval {:?} is too short for Prometheus",
                options.scrape_interval
            );
        }
        for t in &options.targets {
            check_target(t)?;
        }
        let bin = binary()?;
        let prefix = format!("tk-testenv-{}-prometheus-", std::process::id());
        let dir = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir()
            .context("creating a temporary directory for Prometheus")?;
        let config = dir.path().join("prometheus.yml");
        std::fs::write(
            &config,
            config_yaml(options.scrape_interval, &options.targets),
        )
        .with_context(|| format!("writing {}", config.display()))?;
        let (port, process) = crate::git::with_port_retry(|port| {
            let data = dir.path().join("data");
            // A failed attempt may have left a lock or WAL behind.
            let _ = std::fs::remove_dir_all(&data);
            let mut process =
                Component::start("prometheus", &bin, &args(dir.path(), port), dir.path())?;
            match crate::http::wait_answering(&mut process, port, "/-/ready", None, |s| s == 200) {
                Ok(()) => Ok((port, process)),
                Err(e) => {
                    process.kill();
                    Err(e)
                }
            }
        })
        .with_context(|| format!("starting Prometheus ({})", bin.display()))?;
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Ok(Prometheus {
            dir,
            port,
            scrape_interval: options.scrape_interval,
            targets: Mutex::new(options.targets.clone()),
            agent,
            process: Mutex::new(process),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>` (no trailing slash): the address a canary's metric
    /// provider queries.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The scrape targets, as configured.
    pub fn targets(&self) -> Vec<String> {
        lock(&self.targets).clone()
    }

    /// Adds a scrape target (`host:port`) by rewriting the configuration and reloading it
    /// (`POST /-/reload`); the target is scraped within a scrape interval or so.
    pub fn add_target(&self, host_port: &str) -> Result<()> {
        check_target(host_port)?;
        let mut targets = lock(&self.targets);
        if targets.iter().any(|t| t == host_port) {
            return Ok(());
        }
        let mut next = targets.clone();
        next.push(host_port.to_string());
        let config = self.dir.path().join("prometheus.yml");
        std::fs::write(&config, config_yaml(self.scrape_interval, &next))
            .with_context(|| format!("writing {}", config.display()))?;
        let url = format!("{}/-/reload", self.url());
        let mut resp = self
            .agent
            .post(&url)
            .send_empty()
            .with_context(|| format!("POST {url}"))?;
        let status = resp.status().as_u16();
        if status != 200 {
            let body = resp.body_mut().read_to_string().unwrap_or_default();
            bail!(
                "Prometheus rejected the new configuration ({status}): {}",
                body.trim()
            );
        }
        *targets = next;
        Ok(())
    }

    /// An instant query (`GET /api/v1/query`) evaluated now: each sample's labels and value
    /// (a scalar result is one sample without labels). A query error fails, with
    /// Prometheus's message.
    pub fn query(&self, promql: &str) -> Result<Vec<Sample>> {
        let url = format!("{}/api/v1/query", self.url());
        let mut resp = self
            .agent
            .get(&url)
            .query("query", promql)
            .call()
            .with_context(|| format!("GET {url} ({promql})"))?;
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .read_to_string()
            .with_context(|| format!("reading the answer to {promql}"))?;
        let answer: Value = serde_json::from_str(&body)
            .with_context(|| format!("query {promql}: {status}: {}", body.trim()))?;
        if answer["status"] != "success" {
            bail!(
                "query {promql}: {status} {}: {}",
                answer["errorType"].as_str().unwrap_or(""),
                answer["error"].as_str().unwrap_or(body.trim())
            );
        }
        parse_result(&answer["data"]).with_context(|| format!("query {promql}: {}", body.trim()))
    }

    /// Polls [`Prometheus::query`] until it returns at least one sample.
    pub fn wait_for_series(&self, promql: &str, timeout: Duration) -> Result<Vec<Sample>> {
        self.wait_until(promql, timeout, |samples| !samples.is_empty())
    }

    /// Polls [`Prometheus::query`] (every 200ms) until `done` accepts its result, and
    /// returns that. A malformed query fails at once; on timeout the error has the last
    /// result and the targets' scrape health.
    pub fn wait_until(
        &self,
        promql: &str,
        timeout: Duration,
        mut done: impl FnMut(&[Sample]) -> bool,
    ) -> Result<Vec<Sample>> {
        let start = Instant::now();
        loop {
            self.check_alive()?;
            let last = match self.query(promql) {
                Ok(samples) if done(&samples) => return Ok(samples),
                Ok(samples) => format!("{samples:?}"),
                Err(e) if format!("{e:#}").contains("bad_data") => return Err(e),
                Err(e) => format!("{e:#}"),
            };
            if start.elapsed() > timeout {
                bail!(
                    "{promql}: not there within {timeout:?}; last result: {last}; targets: {}",
                    self.target_health()
                        .unwrap_or_else(|e| format!("(unknown: {e:#})"))
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Each active target's URL, health and last scrape error, from `/api/v1/targets`.
    pub fn target_health(&self) -> Result<String> {
        let url = format!("{}/api/v1/targets", self.url());
        let mut resp = self
            .agent
            .get(&url)
            .call()
            .with_context(|| format!("GET {url}"))?;
        let v: Value = resp.body_mut().read_json().context("parsing the targets")?;
        let targets: Vec<String> = v["data"]["activeTargets"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| {
                format!(
                    "{} {} {}",
                    t["scrapeUrl"].as_str().unwrap_or("?"),
                    t["health"].as_str().unwrap_or("?"),
                    t["lastError"].as_str().unwrap_or("")
                )
                .trim_end()
                .to_string()
            })
            .collect();
        Ok(if targets.is_empty() {
            "(none)".into()
        } else {
            targets.join("; ")
        })
    }

    /// Prometheus's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("prometheus.log")).unwrap_or_default()
    }

    /// Checks the process is still running, with its log tail when it is not.
    pub fn check_alive(&self) -> Result<()> {
        lock(&self.process).check_alive()
    }

    pub fn pid(&self) -> u32 {
        lock(&self.process).child.id()
    }
}

fn check_target(t: &str) -> Result<()> {
    let ok = t
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok())
        && !t.contains(['/', '\'', '"', ' ', '\n']);
    if !ok {
        bail!("scrape target {t:?} is not host:port");
    }
    Ok(())
}

fn args(dir: &Path, port: u16) -> Vec<String> {
    vec![
        format!("--config.file={}", dir.join("prometheus.yml").display()),
        format!("--storage.tsdb.path={}", dir.join("data").display()),
        format!("--web.listen-address=127.0.0.1:{port}"),
        // POST /-/reload for add_target.
        "--web.enable-lifecycle".into(),
        // Tests run for minutes; nothing needs compacting or keeping.
        "--storage.tsdb.retention.time=1h".into(),
        // Debian's defaults point at /etc/prometheus; nothing outside the directory is read.
        format!("--web.console.templates={}", dir.join("consoles").display()),
        format!(
            "--web.console.libraries={}",
            dir.join("console_libraries").display()
        ),
        // Info level says little (about 30 lines) and tells why it did not start.
        "--log.level=info".into(),
    ]
}

/// Prometheus durations: whole seconds as `Ns`, else milliseconds.
fn duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

fn config_yaml(interval: Duration, targets: &[String]) -> String {
    let interval = duration(interval);
    let targets: Vec<String> = targets.iter().map(|t| format!("'{t}'")).collect();
    format!(
        "global:\n  \
           scrape_interval: {interval}\n  \
           scrape_timeout: {interval}\n  \
           evaluation_interval: {interval}\n\
         scrape_configs:\n  \
           - job_name: {JOB}\n    \
             honor_labels: true\n    \
             static_configs:\n      \
               - targets: [{}]\n",
        targets.join(", ")
    )
}

fn parse_value(v: &Value) -> Result<f64> {
    let s = v[1]
        .as_str()
        .ok_or_else(|| anyhow!("a sample value is not [time, \"value\"]: {v}"))?;
    Ok(match s {
        "+Inf" | "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        _ => s
            .parse()
            .with_context(|| format!("sample value {s:?} is not a number"))?,
    })
}

fn parse_result(data: &Value) -> Result<Vec<Sample>> {
    match data["resultType"].as_str() {
        Some("vector") => data["result"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| {
                let labels = s["metric"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect();
                Ok((labels, parse_value(&s["value"])?))
            })
            .collect(),
        Some("scalar") => Ok(vec![(BTreeMap::new(), parse_value(&data["result"])?)]),
        other => bail!(
            "result type {} is not an instant vector or scalar (query_range is not supported)",
            other.unwrap_or("(none)")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_config_and_results_parse() {
        assert_eq!(duration(Duration::from_secs(1)), "1s");
        assert_eq!(duration(Duration::from_millis(1500)), "1500ms");
        let yaml = config_yaml(
            Duration::from_secs(1),
            &["127.0.0.1:1".into(), "h:2".into()],
        );
        assert!(
            yaml.contains("- targets: ['127.0.0.1:1', 'h:2']\n"),
            "{yaml}"
        );
        assert!(config_yaml(Duration::from_secs(2), &[]).contains("targets: []"));
        assert!(check_target("127.0.0.1:9").is_ok());
        assert!(check_target("127.0.0.1").is_err());
        assert!(check_target("http://x:1").is_err());

        let data = serde_json::json!({
            "resultType": "vector",
            "result": [
                {"metric": {"job": JOB, "le": "+Inf"}, "value": [1.5, "2.5"]},
                {"metric": {}, "value": [1.5, "NaN"]},
                {"metric": {}, "value": [1.5, "+Inf"]},
            ],
        });
        let got = parse_result(&data).unwrap();
        assert_eq!(got[0].0["job"], JOB);
        assert_eq!(got[0].1, 2.5);
        assert!(got[1].1.is_nan());
        assert_eq!(got[2].1, f64::INFINITY);
        let scalar = serde_json::json!({"resultType": "scalar", "result": [1.5, "3"]});
        assert_eq!(parse_result(&scalar).unwrap(), vec![(BTreeMap::new(), 3.0)]);
        let matrix = serde_json::json!({"resultType": "matrix", "result": []});
        assert!(parse_result(&matrix).is_err());
    }
}
