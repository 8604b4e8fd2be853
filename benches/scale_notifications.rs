//! Scale harness for the notification controller's event path: `POST /` on
//! `--events-listen-addr`, Alert matching, deliveries to a Provider.
//!
//! Starts a testenv control plane, applies tk's CRDs, creates a namespace, a sink (a local
//! HTTPS server counting the requests it gets; its CA in a Secret `ca.crt` that the Provider's
//! `certSecretRef` names), one `generic` Provider pointing at it and N Alerts: 1 % (at least
//! one) take every Kustomization of the namespace (`eventSources: [{kind: Kustomization, name:
//! "*"}]`), the others one GitRepository each (`repo-NNNN`), so every event is matched against
//! all N Alerts but goes to few. Then it starts the release `tk controller notification`
//! watching only that namespace, waits for its metrics endpoint and for a probe event's
//! deliveries (the Alerts and the Provider are cached), and POSTs M distinct Kustomization
//! events from C concurrent clients, then one more event twice (the second must be refused
//! with 429). It reports accepted events/s (202s over the wall time of the load), p50/p99
//! request latency, the deliveries the sink saw and when the last expected one arrived
//! (expected: every accepted event × the wildcard Alerts), the controller's peak RSS (VmHWM)
//! and CPU, the apiserver's Secret GETs, and the controller's
//! `notification_event_deliveries_total`.
//!
//! ```text
//! cargo bench --bench scale_notifications                               # 1000 Alerts, 20 000 events
//! cargo bench --bench scale_notifications -- --alerts 1000 --events 2000 --clients 16
//! SCALE_ALERTS=100 SCALE_EVENTS=5000 cargo bench --bench scale_notifications
//! cargo bench --bench scale_notifications -- --alerts 100 --wrk 20   # wrk for 20 s
//! ```
//!
//! Options (flag or environment): `--alerts N` / `SCALE_ALERTS` (1000), `--events M` /
//! `SCALE_EVENTS` (20 000), `--clients C` / `SCALE_CLIENTS` (16), `--tk PATH` / `SCALE_TK`
//! (default: `cargo build --release --bin tk` and its executable), `--rss-limit-mb N` /
//! `SCALE_RSS_LIMIT_MB` (60), `--deadline SECS` / `SCALE_DEADLINE` (300: how long after the
//! load starts every expected delivery must have arrived), `--keep-logs` /
//! `SCALE_KEEP_LOGS=1`, `--wrk SECS` / `SCALE_WRK` (load with wrk, from Debian's `wrk` package,
//! for SECS over C connections, instead of M events from the harness's clients). `TK_TEST_KUBECONFIG` uses an existing cluster. Exits 1 when the peak
//! RSS is over the limit or deliveries are missing at the deadline.
//!
//! Run without `--bench` (as `cargo test --benches` does) it does nothing: it needs minutes.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::json;
use testenv::rest::{Request, Response, RestServer};
use tk::api::notification::{Alert, Provider};

#[path = "support/scale.rs"]
mod scale;
use scale::{apply_crds, build_tk, clock_ticks_per_second, ms, parse_secs, percentile, sample};

const NAMESPACE: &str = "scale-notifications";
const MIB: f64 = 1024.0;

struct Config {
    alerts: usize,
    events: usize,
    clients: usize,
    tk: Option<PathBuf>,
    rss_limit_mb: f64,
    deadline: Duration,
    keep_logs: bool,
    /// Load with wrk for this long instead of the harness's own clients.
    wrk: Option<Duration>,
}

fn main() -> ExitCode {
    scale::main("scale_notifications", parse, run)
}

fn parse(args: &[String]) -> Result<Config> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let count = |name: &str, default: usize| -> Result<usize> {
        env(name)
            .as_deref()
            .map(parse_count)
            .transpose()
            .map(|v| v.unwrap_or(default))
    };
    let mut config = Config {
        alerts: count("SCALE_ALERTS", 1000)?,
        events: count("SCALE_EVENTS", 20_000)?,
        clients: count("SCALE_CLIENTS", 16)?,
        tk: env("SCALE_TK").map(PathBuf::from),
        rss_limit_mb: env("SCALE_RSS_LIMIT_MB")
            .map(|v| v.parse())
            .transpose()?
            .unwrap_or(60.0),
        deadline: env("SCALE_DEADLINE")
            .as_deref()
            .map(parse_secs)
            .transpose()?
            .unwrap_or(Duration::from_secs(300)),
        keep_logs: env("SCALE_KEEP_LOGS").is_some_and(|v| v != "0"),
        wrk: env("SCALE_WRK").as_deref().map(parse_secs).transpose()?,
    };
    scale::each_flag(args, |flag, value| {
        match flag {
            "--bench" => {}
            "--alerts" => config.alerts = parse_count(&value()?)?,
            "--events" => config.events = parse_count(&value()?)?,
            "--clients" => config.clients = parse_count(&value()?)?.max(1),
            "--tk" => config.tk = Some(PathBuf::from(value()?)),
            "--rss-limit-mb" => config.rss_limit_mb = value()?.parse()?,
            "--deadline" => config.deadline = parse_secs(&value()?)?,
            "--keep-logs" => config.keep_logs = true,
            "--wrk" => config.wrk = Some(parse_secs(&value()?)?),
            other => bail!("unknown argument {other}"),
        }
        Ok(())
    })?;
    if config.alerts == 0 {
        bail!("--alerts must be at least 1");
    }
    Ok(config)
}

fn parse_count(v: &str) -> Result<usize> {
    v.replace('_', "")
        .parse()
        .with_context(|| format!("{v:?} is not a count"))
}

/// The wildcard Alerts: 1 %, at least one.
fn wildcards(config: &Config) -> usize {
    (config.alerts / 100).max(1)
}

/// The sink's counters: requests seen, and when the last one came (ns after `epoch`).
struct Sink {
    epoch: Instant,
    requests: AtomicU64,
    last_ns: AtomicU64,
}

fn run(config: &Config) -> Result<bool> {
    let tk = match &config.tk {
        Some(path) => path.clone(),
        None => build_tk()?,
    };
    println!(
        "machine: {} cores (shared with other work: CPU figures include its interference)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let started = Instant::now();
    let cluster = scale::control_plane()?;
    println!(
        "control plane up in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let sink = Arc::new(Sink {
        epoch: Instant::now(),
        requests: AtomicU64::new(0),
        last_ns: AtomicU64::new(0),
    });
    let server = {
        let sink = sink.clone();
        RestServer::start(Arc::new(move |request: &Request| {
            if request.method == "POST" {
                sink.requests.fetch_add(1, Ordering::SeqCst);
                sink.last_ns
                    .fetch_max(sink.epoch.elapsed().as_nanos() as u64, Ordering::SeqCst);
            }
            Response::empty(200)
        }))?
    };

    let runtime = tokio::runtime::Runtime::new()?;
    let client = runtime.block_on(async {
        let client = scale::client(cluster.kubeconfig_path()).await?;
        apply_crds(&client).await?;
        create_objects(&client, config, &server).await?;
        anyhow::Ok(client)
    })?;
    drop(client);

    let work = tempfile::Builder::new()
        .prefix("tk-scale-notifications-")
        .tempdir()?;
    let log_path = work.path().join("controller.log");
    let mut controller = Controller::spawn(&tk, cluster.kubeconfig_path(), &log_path)?;
    let result = runtime.block_on(measure(config, &cluster, &mut controller, &sink));
    controller.stop();
    if config.keep_logs || result.is_err() {
        let kept = work.keep();
        eprintln!(
            "controller log kept: {}",
            kept.join("controller.log").display()
        );
    }
    drop(server);
    result
}

async fn create_objects(client: &kube::Client, config: &Config, sink: &RestServer) -> Result<()> {
    let started = Instant::now();
    let params = PatchParams::apply("tk-scale").force();
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let ns: Namespace = serde_json::from_value(json!({ "metadata": { "name": NAMESPACE } }))?;
    namespaces
        .patch(NAMESPACE, &params, &Patch::Apply(&ns))
        .await?;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), NAMESPACE);
    let secret: Secret = serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": { "name": "sink-ca", "namespace": NAMESPACE },
        "stringData": { "ca.crt": sink.ca_pem() },
    }))?;
    secrets
        .patch("sink-ca", &params, &Patch::Apply(&secret))
        .await?;
    let providers: Api<Provider> = Api::namespaced(client.clone(), NAMESPACE);
    let provider: Provider = serde_json::from_value(json!({
        "apiVersion": "notification.toolkit.fluxcd.io/v1beta3",
        "kind": "Provider",
        "metadata": { "name": "sink", "namespace": NAMESPACE },
        "spec": {
            "type": "generic",
            "address": format!("{}/hook", sink.base_url()),
            "certSecretRef": { "name": "sink-ca" },
        },
    }))?;
    providers
        .patch("sink", &params, &Patch::Apply(&provider))
        .await?;
    let wild = wildcards(config);
    let alerts: Api<Alert> = Api::namespaced(client.clone(), NAMESPACE);
    futures::stream::iter(0..config.alerts)
        .map(|i| {
            let alerts = alerts.clone();
            async move {
                let source = if i < wild {
                    json!({ "kind": "Kustomization", "name": "*" })
                } else {
                    json!({ "kind": "GitRepository", "name": format!("repo-{i:04}") })
                };
                let alert: Alert = serde_json::from_value(json!({
                    "apiVersion": "notification.toolkit.fluxcd.io/v1beta3",
                    "kind": "Alert",
                    "metadata": { "name": format!("alert-{i:04}"), "namespace": NAMESPACE },
                    "spec": {
                        "providerRef": { "name": "sink" },
                        "eventSources": [source],
                    },
                }))?;
                alerts.create(&PostParams::default(), &alert).await?;
                anyhow::Ok(())
            }
        })
        .buffer_unordered(16)
        .try_collect::<Vec<()>>()
        .await?;
    println!(
        "namespace, CA Secret, Provider and {} Alerts ({wild} wildcard) created in {:.1}s",
        config.alerts,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

struct Controller {
    child: Child,
    events: u16,
    metrics: u16,
    log: PathBuf,
}

impl Controller {
    fn spawn(tk: &Path, kubeconfig: &Path, log_path: &Path) -> Result<Controller> {
        let log = fs::File::create(log_path)?;
        let events = free_port()?;
        let metrics = free_port()?;
        let child = Command::new(tk)
            .args([
                "controller",
                "notification",
                "--watch-all-namespaces=false",
                "-n",
                NAMESPACE,
                "--receiver-addr",
                "0",
                "--health-addr",
                "0",
            ])
            .arg(format!("--events-listen-addr=127.0.0.1:{events}"))
            .arg(format!("--metrics-addr=127.0.0.1:{metrics}"))
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .env_remove("KUBECONFIG")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", tk.display()))?;
        Ok(Controller {
            child,
            events,
            metrics,
            log: log_path.to_path_buf(),
        })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn check_alive(&mut self) -> Result<()> {
        if let Some(status) = self.child.try_wait()? {
            let tail = scale::log_tail(&self.log);
            bail!(
                "tk controller notification exited ({status}); last lines:\n{}",
                tail
            );
        }
        Ok(())
    }

    /// The controller's `/metrics` page.
    fn scrape(&self) -> Result<String> {
        scale::scrape_metrics(self.metrics)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Kustomization event in Flux's JSON shape; `n` makes the message distinct.
fn event(name: &str, n: usize) -> serde_json::Value {
    json!({
        "involvedObject": {
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "name": name,
            "namespace": NAMESPACE,
            "uid": "0b8c3bb6-0d4e-4a3c-9d43-6d2d7c6d9f2a",
        },
        "severity": "info",
        "timestamp": "2026-11-26T08:00:00Z",
        "message": format!(
            "Deployment/{NAMESPACE}/{name} configured\nService/{NAMESPACE}/{name} unchanged (event {n})"
        ),
        "reason": "ReconciliationSucceeded",
        "metadata": {
            "kustomize.toolkit.fluxcd.io/revision": "main@sha1:6d2d7c6d9f2a0b8c3bb60d4e4a3c9d436d2d7c6d",
            "kustomize.toolkit.fluxcd.io/checksum": "5c1b6b3f",
        },
        "reportingController": "kustomize-controller",
        "reportingInstance": "kustomize-controller-0",
    })
}

async fn post(http: &reqwest::Client, url: &str, body: &serde_json::Value) -> Result<u16> {
    Ok(http.post(url).json(body).send().await?.status().as_u16())
}

/// `apiserver_request_total` for `GET secrets`, summed over codes (None when unreadable).
fn secret_gets(cluster: &testenv::ControlPlane) -> Option<f64> {
    let body = cluster
        .admin_agent()
        .ok()?
        .get(&format!("{}/metrics", cluster.server_url()))
        .call()
        .ok()?
        .body_mut()
        .read_to_string()
        .ok()?;
    Some(
        body.lines()
            .filter(|l| {
                l.starts_with("apiserver_request_total{")
                    && l.contains("verb=\"GET\"")
                    && l.contains("resource=\"secrets\"")
            })
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum(),
    )
}

fn log_levels(log: &Path) -> BTreeMap<String, u64> {
    let mut levels = BTreeMap::new();
    for line in fs::read_to_string(log).unwrap_or_default().lines() {
        let level = serde_json::from_str::<serde_json::Value>(line)
            .ok()
            .and_then(|v| v["level"].as_str().map(str::to_string))
            .unwrap_or_else(|| "non-json".to_string());
        *levels.entry(level).or_insert(0) += 1;
    }
    levels
}

/// What one load run produced.
struct Load {
    /// The load, in words.
    what: String,
    /// 202 answers.
    accepted: u64,
    /// From the first request to the last answer.
    time: Duration,
    /// Answers by status, in words.
    answers: String,
    /// p50, p90, p99 and max request latency.
    latency: [Duration; 4],
    /// The controller's largest RSS sampled during the load.
    peak_rss_kb: u64,
}

/// Samples the controller every 250 ms until `done` says the load is over.
async fn sample_while(
    controller: &mut Controller,
    mut done: impl FnMut() -> Result<bool>,
) -> Result<u64> {
    let mut peak = 0;
    while !done()? {
        tokio::time::sleep(Duration::from_millis(250)).await;
        if let Ok(s) = sample(controller.pid()) {
            peak = peak.max(s.rss_kb);
        }
        controller.check_alive()?;
    }
    Ok(peak)
}

/// M distinct events from C clients of the harness itself.
async fn load_clients(
    config: &Config,
    http: &reqwest::Client,
    url: &str,
    controller: &mut Controller,
) -> Result<Load> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let handles: Vec<_> = (0..config.clients)
        .map(|_| {
            let (http, url, next) = (http.clone(), url.to_string(), next.clone());
            let events = config.events;
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut statuses: BTreeMap<String, u64> = BTreeMap::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= events {
                        break;
                    }
                    let body = event(&format!("app-{:04}", n % 1000), n);
                    let sent = Instant::now();
                    let status = match post(&http, &url, &body).await {
                        Ok(status) => status.to_string(),
                        Err(err) => format!("error: {err}"),
                    };
                    latencies.push(sent.elapsed());
                    *statuses.entry(status).or_insert(0) += 1;
                }
                (latencies, statuses, Instant::now())
            })
        })
        .collect();
    let peak_rss_kb =
        sample_while(controller, || Ok(handles.iter().all(|h| h.is_finished()))).await?;
    // The wall time of the load ends with the last client's last answer (the sampling
    // would round it up to 250 ms).
    let mut time = Duration::ZERO;
    let mut latencies: Vec<Duration> = Vec::new();
    let mut statuses: BTreeMap<String, u64> = BTreeMap::new();
    for handle in handles {
        let (l, s, finished) = handle.await?;
        time = time.max(finished.duration_since(started));
        latencies.extend(l);
        for (k, v) in s {
            *statuses.entry(k).or_insert(0) += v;
        }
    }
    latencies.sort();
    Ok(Load {
        what: format!("{} events from {} clients", config.events, config.clients),
        accepted: statuses.get("202").copied().unwrap_or(0),
        time,
        answers: format!("{statuses:?}"),
        latency: [0.5, 0.9, 0.99, 1.0].map(|p| percentile(&latencies, p)),
        peak_rss_kb,
    })
}

/// wrk (a second process, as the issue asks) POSTing distinct events for `duration` over
/// C connections from 2 threads; its Lua script numbers each event.
async fn load_wrk(
    config: &Config,
    duration: Duration,
    url: &str,
    controller: &mut Controller,
) -> Result<Load> {
    // The event as JSON, with the placeholders the script fills in per request.
    let template =
        serde_json::to_string(&event("__NAME__", 0))?.replace("(event 0)", "(event __N__)");
    let script = format!(
        r#"-- Generated by benches/scale_notifications.rs: one distinct event per request.
local template = [==[{template}]==]
local counter = 0
local threads = 0
function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end
request = function()
  counter = counter + 1
  local n = thread_id * 1000000000 + counter
  local body = template:gsub("__NAME__", string.format("app-%04d", counter % 1000)):gsub("__N__", tostring(n))
  return wrk.format("POST", nil, {{["Content-Type"] = "application/json"}}, body)
end
"#
    );
    let dir = tempfile::tempdir()?;
    let script_path = dir.path().join("events.lua");
    fs::write(&script_path, script)?;
    let output_path = dir.path().join("wrk.out");
    let mut wrk = Command::new("wrk")
        .arg("--threads=2")
        .arg(format!("--connections={}", config.clients.max(2)))
        .arg(format!("--duration={}s", duration.as_secs().max(1)))
        .arg("--latency")
        .arg("--script")
        .arg(&script_path)
        .arg(url)
        .stdout(fs::File::create(&output_path)?)
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting wrk (install it with `apt-get install wrk`)")?;
    let peak_rss_kb = sample_while(controller, || Ok(wrk.try_wait()?.is_some())).await?;
    let status = wrk.wait()?;
    let report = fs::read_to_string(&output_path)?;
    if !status.success() {
        bail!("wrk failed ({status}):\n{report}");
    }
    parse_wrk(&report, config.clients, peak_rss_kb)
}

/// Reads wrk's report: "N requests in T", "Non-2xx or 3xx responses: K" and the latency
/// distribution (`--latency`).
fn parse_wrk(report: &str, connections: usize, peak_rss_kb: u64) -> Result<Load> {
    let duration = |v: &str| -> Result<Duration> {
        let (number, unit) = v
            .find(|c: char| c.is_ascii_alphabetic())
            .map(|i| v.split_at(i))
            .with_context(|| format!("{v:?} is not a wrk duration"))?;
        let number: f64 = number.parse()?;
        let seconds = match unit {
            "us" => number / 1e6,
            "ms" => number / 1e3,
            "s" => number,
            "m" => number * 60.0,
            other => bail!("unknown wrk unit {other}"),
        };
        Ok(Duration::from_secs_f64(seconds))
    };
    let mut requests = None;
    let mut time = None;
    let mut refused = 0;
    let mut latency = [Duration::ZERO; 4];
    for line in report.lines().map(str::trim) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [n, "requests", "in", t, ..] => {
                requests = Some(n.parse::<u64>()?);
                time = Some(duration(t.trim_end_matches(','))?);
            }
            ["Non-2xx", "or", "3xx", "responses:", n] => refused = n.parse()?,
            ["50%", v] => latency[0] = duration(v)?,
            ["90%", v] => latency[1] = duration(v)?,
            ["99%", v] => latency[2] = duration(v)?,
            ["Latency", _, _, max, ..] => latency[3] = duration(max)?,
            _ => {}
        }
    }
    let (Some(requests), Some(time)) = (requests, time) else {
        bail!("wrk printed no request count:\n{report}");
    };
    Ok(Load {
        what: format!("wrk, {connections} connections, 2 threads"),
        accepted: requests - refused,
        time,
        answers: format!("{} 2xx, {refused} other", requests - refused),
        latency,
        peak_rss_kb,
    })
}

async fn measure(
    config: &Config,
    cluster: &testenv::ControlPlane,
    controller: &mut Controller,
    sink: &Sink,
) -> Result<bool> {
    let pid = controller.pid();
    let hz = clock_ticks_per_second();
    let wild = wildcards(config) as u64;
    let url = format!("http://127.0.0.1:{}/", controller.events);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(config.clients)
        .timeout(Duration::from_secs(60))
        .build()?;

    // The metrics endpoint answers: the process is up.
    let spawned = Instant::now();
    loop {
        controller.check_alive()?;
        if controller.scrape().is_ok() {
            break;
        }
        if spawned.elapsed() > Duration::from_secs(60) {
            bail!("tk controller notification did not serve metrics within 60s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!(
        "controller pid {pid}: metrics answer {:.2}s after start, RSS {:.1} MiB",
        spawned.elapsed().as_secs_f64(),
        sample(pid)?.rss_kb as f64 / MIB
    );

    // Probe events until one reaches the sink once per wildcard Alert: the Alerts and the
    // Provider are in the controller's caches.
    let mut probe = 0;
    loop {
        controller.check_alive()?;
        if spawned.elapsed() > Duration::from_secs(120) {
            bail!("no probe event was delivered to every wildcard Alert within 120s");
        }
        probe += 1;
        let before = sink.requests.load(Ordering::SeqCst);
        let status = match post(&http, &url, &event("probe", probe)).await {
            Ok(status) => status,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        if status != 202 {
            bail!("the probe event was answered {status}");
        }
        // Wait until the count settles (nothing new for 1 s), at most 10 s.
        let probe_sent = Instant::now();
        let (mut last, mut last_change) = (before, Instant::now());
        while probe_sent.elapsed() < Duration::from_secs(10) {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let now = sink.requests.load(Ordering::SeqCst);
            if now != last {
                (last, last_change) = (now, Instant::now());
            }
            if now - before >= wild || last_change.elapsed() > Duration::from_secs(1) {
                break;
            }
        }
        let got = sink.requests.load(Ordering::SeqCst) - before;
        if got >= wild {
            println!(
                "probe {probe}: {got} deliveries in {:.2}s; caches ready {:.1}s after start",
                probe_sent.elapsed().as_secs_f64(),
                spawned.elapsed().as_secs_f64()
            );
            break;
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    // The load: M distinct events from C clients, or wrk for a while.
    let base = sink.requests.load(Ordering::SeqCst);
    let secrets_before = secret_gets(cluster);
    let before = sample(pid)?;
    let load_started = Instant::now();
    let load_started_ns = sink.epoch.elapsed().as_nanos() as u64;
    let load = match config.wrk {
        Some(duration) => load_wrk(config, duration, &url, controller).await?,
        None => load_clients(config, &http, &url, controller).await?,
    };
    let after_load = sample(pid)?;
    let accepted = load.accepted;
    let delivered_by_then = sink.requests.load(Ordering::SeqCst) - base;
    println!(
        "\nload: {} in {:.2}s: {:.0} accepted events/s; answers {}",
        load.what,
        load.time.as_secs_f64(),
        accepted as f64 / load.time.as_secs_f64(),
        load.answers
    );
    println!(
        "request latency: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(load.latency[0]),
        ms(load.latency[1]),
        ms(load.latency[2]),
        ms(load.latency[3]),
    );
    println!(
        "controller during the load: RSS max {:.1} MiB (sampled every 250 ms), CPU {:.1}s ({:.0} % of one core); deliveries by the end of the load: {delivered_by_then}",
        load.peak_rss_kb as f64 / MIB,
        (after_load.cpu_ticks - before.cpu_ticks) as f64 / hz,
        (after_load.cpu_ticks - before.cpu_ticks) as f64 / hz / load.time.as_secs_f64() * 100.0
    );

    // The rate limiter: one more event, twice.
    let again = event("app-repeat", usize::MAX);
    let first = post(&http, &url, &again).await?;
    let second = post(&http, &url, &again).await?;
    println!("the same event twice: {first}, then {second} (expected 202, then 429)");
    let accepted = accepted + u64::from(first == 202);
    let expected = accepted * wild;

    // Deliveries: until every expected one arrived, or the deadline.
    let deadline = load_started + config.deadline;
    let mut last_report = Instant::now();
    let mut last_count = delivered_by_then;
    let complete = loop {
        let seen = sink.requests.load(Ordering::SeqCst) - base;
        if seen >= expected {
            break true;
        }
        if Instant::now() > deadline {
            break false;
        }
        controller.check_alive()?;
        if last_report.elapsed() >= Duration::from_secs(10) {
            let s = sample(pid)?;
            println!(
                "  {:>5.0}s: {seen} / {expected} deliveries ({:.0}/s over the last 10 s), RSS {:.1} MiB, VmHWM {:.1} MiB, CPU {:.1}s",
                load_started.elapsed().as_secs_f64(),
                (seen - last_count) as f64 / last_report.elapsed().as_secs_f64(),
                s.rss_kb as f64 / MIB,
                s.hwm_kb as f64 / MIB,
                (s.cpu_ticks - before.cpu_ticks) as f64 / hz,
            );
            last_report = Instant::now();
            last_count = seen;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let seen = sink.requests.load(Ordering::SeqCst) - base;
    let last_delivery = Duration::from_nanos(
        sink.last_ns
            .load(Ordering::SeqCst)
            .saturating_sub(load_started_ns),
    );
    // Let a settled process show its resting RSS.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let end = sample(pid)?;
    let secrets_after = secret_gets(cluster);
    let metrics = controller.scrape().unwrap_or_default();

    println!();
    if complete {
        println!(
            "deliveries: all {expected} expected ({accepted} accepted events × {wild} wildcard Alerts) arrived {:.2}s after the load started ({:.0} deliveries/s)",
            last_delivery.as_secs_f64(),
            expected as f64 / last_delivery.as_secs_f64()
        );
    } else {
        println!(
            "deliveries: only {seen} of {expected} expected ({accepted} accepted events × {wild} wildcard Alerts) within the {}s deadline; the last arrived {:.2}s after the load started",
            config.deadline.as_secs(),
            last_delivery.as_secs_f64()
        );
    }
    if seen > expected {
        println!("  ({} more than expected)", seen - expected);
    }
    let cpu = (end.cpu_ticks - before.cpu_ticks) as f64 / hz;
    println!(
        "controller: peak RSS (VmHWM) {:.1} MiB, RSS now {:.1} MiB (anon {:.1}), {} threads; CPU from the load on {:.1}s ({:.1}s kernel)",
        end.hwm_kb as f64 / MIB,
        end.rss_kb as f64 / MIB,
        end.anon_kb as f64 / MIB,
        end.threads,
        cpu,
        (end.sys_ticks - before.sys_ticks) as f64 / hz,
    );
    if let (Some(b), Some(a)) = (secrets_before, secrets_after) {
        println!(
            "apiserver GET secrets from the load on: {:.0} ({:.2} per delivery seen)",
            a - b,
            (a - b) / (seen.max(1) as f64)
        );
    }
    for line in metrics
        .lines()
        .filter(|l| l.starts_with("notification_event_deliveries_total"))
    {
        println!("  {line}");
    }
    println!(
        "controller log lines by level: {:?}",
        log_levels(&controller.log)
    );

    let rss_ok = (end.hwm_kb as f64 / MIB) < config.rss_limit_mb;
    println!(
        "\npeak RSS {:.1} MiB {} the {} MiB limit; deliveries {}",
        end.hwm_kb as f64 / MIB,
        if rss_ok { "under" } else { "OVER" },
        config.rss_limit_mb,
        if complete { "complete" } else { "INCOMPLETE" },
    );
    Ok(rss_ok && complete)
}
