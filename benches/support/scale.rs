//! What the scale harnesses share: the release `tk` they run, tk's CRDs on the rig, readings
//! of a process's `/proc` files, the controllers as child processes, the apiserver's and the
//! controllers' request counters, and a watch that times objects until they are Ready.
//! Included by each harness with `#[path]` (a bench is a crate of its own); each uses the
//! parts it reports, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::OsString;
use std::fmt::Debug;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use futures::StreamExt;
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::api::networking::v1::ServiceCIDR;
use k8s_openapi::api::rbac::v1::RoleBinding;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::{WatchStreamExt, watcher};
use serde::de::DeserializeOwned;
use serde_json::json;

pub const MIB: f64 = 1024.0;

/// `cargo build --release --bin tk`, returning the executable cargo reports.
pub fn build_tk() -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--bin",
            "tk",
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo build --release --bin tk")?;
    if !out.status.success() {
        bail!("cargo build --release --bin tk failed: {}", out.status);
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "tk")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .context("cargo build did not report the tk executable")
}

pub fn clock_ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

pub async fn apply_crds(client: &kube::Client) -> Result<()> {
    apply_crd_list(client, tk::api::crds()).await
}

/// Applies `crds` and waits until each is Established.
pub async fn apply_crd_list(
    client: &kube::Client,
    crds: Vec<CustomResourceDefinition>,
) -> Result<()> {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let params = PatchParams::apply("tk-scale").force();
    for crd in crds {
        let name = crd.metadata.name.clone().unwrap_or_default();
        api.patch(&name, &params, &Patch::Apply(&crd))
            .await
            .with_context(|| format!("applying CRD {name}"))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let established = api
                .get(&name)
                .await?
                .status
                .and_then(|s| s.conditions)
                .is_some_and(|c| {
                    c.iter()
                        .any(|c| c.type_ == "Established" && c.status == "True")
                });
            if established {
                break;
            }
            if Instant::now() > deadline {
                bail!("CRD {name} not established within 30s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    Ok(())
}

/// A harness's `main`: without `--bench` (as `cargo test --benches` runs it) it only says
/// it was skipped; a bad option or a failed run exits 2, a missed bound 1.
pub fn main<C>(
    name: &str,
    parse: fn(&[String]) -> Result<C>,
    run: fn(&C) -> Result<bool>,
) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        println!("{name}: skipped (takes minutes); run `cargo bench --bench {name}`");
        return ExitCode::SUCCESS;
    }
    let outcome = parse(&args).and_then(|config| run(&config));
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("{name}: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// One reading of a process's /proc files.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sample {
    pub rss_kb: u64,
    pub hwm_kb: u64,
    pub anon_kb: u64,
    pub file_kb: u64,
    pub threads: u64,
    /// utime + stime in clock ticks.
    pub cpu_ticks: u64,
    /// stime alone: time in the kernel on the process's behalf.
    pub sys_ticks: u64,
}

pub fn sample(pid: u32) -> Result<Sample> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |key: &str| -> u64 {
        status
            .lines()
            .find_map(|l| {
                l.strip_prefix(key)?
                    .strip_prefix(':')?
                    .split_whitespace()
                    .next()?
                    .parse()
                    .ok()
            })
            .unwrap_or(0)
    };
    let stat = fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let rest: Vec<&str> = stat[stat.rfind(')').context("bad /proc stat")? + 1..]
        .split_whitespace()
        .collect();
    let ticks = |i: usize| -> u64 { rest.get(i - 3).and_then(|v| v.parse().ok()).unwrap_or(0) };
    Ok(Sample {
        rss_kb: field("VmRSS"),
        hwm_kb: field("VmHWM"),
        anon_kb: field("RssAnon"),
        file_kb: field("RssFile"),
        threads: field("Threads"),
        cpu_ticks: ticks(14) + ticks(15),
        sys_ticks: ticks(15),
    })
}

/// A duration flag: seconds, `Ns` or `Nm`.
pub fn parse_secs(v: &str) -> Result<Duration> {
    let (number, unit) = match v.strip_suffix('m') {
        Some(n) => (n, 60),
        None => (v.strip_suffix('s').unwrap_or(v), 1),
    };
    let n: u64 = number
        .parse()
        .with_context(|| format!("{v:?} is not a duration like 120, 120s or 2m"))?;
    Ok(Duration::from_secs(n * unit))
}

/// The last 20 lines of a controller's log, for the error when it exits early.
pub fn log_tail(path: &std::path::Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let tail: Vec<&str> = text.lines().rev().take(20).collect();
    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
}

/// The `/metrics` page a controller serves on `127.0.0.1:<port>`.
pub fn scrape_metrics(port: u16) -> Result<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut text = String::new();
    stream.read_to_string(&mut text)?;
    let (head, body) = text.split_once("\r\n\r\n").context("no HTTP response")?;
    if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
        bail!("GET /metrics: {}", head.lines().next().unwrap_or(""));
    }
    Ok(body.to_string())
}

/// The `p` quantile (0..=1) of sorted durations, by the nearest-rank rule.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The rig: the cluster of `TK_TEST_KUBECONFIG` when set, else a new testenv control plane.
pub fn control_plane() -> Result<testenv::ControlPlane> {
    match std::env::var_os("TK_TEST_KUBECONFIG") {
        Some(path) => testenv::ControlPlane::external(PathBuf::from(path)),
        None => testenv::ControlPlane::start(),
    }
}

/// A client for `kubeconfig`, as the harness's own requests use.
pub async fn client(kubeconfig: &std::path::Path) -> Result<kube::Client> {
    use kube::config::{KubeConfigOptions, Kubeconfig};
    tk::cli::install_crypto_provider();
    let config = kube::Config::from_custom_kubeconfig(
        Kubeconfig::read_from(kubeconfig)?,
        &KubeConfigOptions::default(),
    )
    .await?;
    Ok(kube::Client::try_from(config)?)
}

/// Walks `--flag value` / `--flag=value` arguments: `apply` gets each flag and a closure that
/// takes its value (from after `=`, else the next argument).
pub fn each_flag(
    args: &[String],
    mut apply: impl FnMut(&str, &mut dyn FnMut() -> Result<String>) -> Result<()>,
) -> Result<()> {
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (arg.as_str(), None),
        };
        let mut value = || -> Result<String> {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .with_context(|| format!("{flag} needs a value"))
        };
        apply(flag, &mut value)?;
    }
    Ok(())
}

/// `/proc/loadavg`'s three load averages.
pub fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".to_string())
}

/// The run's first line: the cores and the load the figures below were taken under.
pub fn print_machine() {
    println!(
        "machine: {} cores, load average {} (shared with other work: time and CPU figures include its interference)",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );
}

pub fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Which controller processes a harness runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// The source controller and the controller under test, as Flux's Deployments run.
    Split,
    /// One `tk controller all`.
    All,
}

pub fn parse_mode(v: &str) -> Result<Mode> {
    match v {
        "split" => Ok(Mode::Split),
        "all" => Ok(Mode::All),
        _ => bail!("--mode is split or all, not {v:?}"),
    }
}

/// A `tk controller <name>` child process, its log in a file and its metrics on a free port.
pub struct Controller {
    pub name: &'static str,
    child: Child,
    metrics: u16,
    pub log: PathBuf,
}

/// How a harness starts its controllers.
pub struct ControllerSpec<'a> {
    pub tk: &'a Path,
    /// The only namespace watched (`--watch-all-namespaces=false -n <namespace>`).
    pub namespace: &'a str,
    pub kubeconfig: &'a Path,
    /// `--storage-path`, shared by all the processes of a run.
    pub storage: &'a Path,
    /// Where the logs go (`<name>.log`).
    pub dir: &'a Path,
}

impl Controller {
    /// `tk controller <name> --watch-all-namespaces=false -n <ns>` with the storage server on
    /// a free loopback port, probes, event endpoint and receivers off, metrics on a free
    /// port, `--concurrent=<concurrent>`, then `extra` arguments and `env` variables.
    pub fn spawn(
        spec: &ControllerSpec,
        name: &'static str,
        concurrent: u16,
        extra: &[String],
        env: &[(&str, OsString)],
    ) -> Result<Controller> {
        let log_path = spec.dir.join(format!("{name}.log"));
        let log = fs::File::create(&log_path)?;
        let metrics = free_port()?;
        let mut cmd = Command::new(spec.tk);
        cmd.args([
            "controller",
            name,
            "--watch-all-namespaces=false",
            "-n",
            spec.namespace,
            "--storage-addr",
            "127.0.0.1:0",
            "--health-addr",
            "0",
            "--events-listen-addr",
            "0",
            "--receiver-addr",
            "0",
        ])
        .arg(format!("--metrics-addr=127.0.0.1:{metrics}"))
        .arg(format!("--concurrent={concurrent}"))
        .arg("--storage-path")
        .arg(spec.storage)
        .arg("--kubeconfig")
        .arg(spec.kubeconfig)
        .args(extra);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .env_remove("KUBECONFIG")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", spec.tk.display()))?;
        Ok(Controller {
            name,
            child,
            metrics,
            log: log_path,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn check_alive(&mut self) -> Result<()> {
        if let Some(status) = self.child.try_wait()? {
            let tail = log_tail(&self.log);
            bail!(
                "tk controller {} exited ({status}); last lines:\n{}",
                self.name,
                tail
            );
        }
        Ok(())
    }

    /// The controller's `/metrics` page.
    pub fn scrape(&self) -> Result<String> {
        scrape_metrics(self.metrics)
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until every controller serves its metrics (it is up), then a second for its watches
/// to list.
pub async fn wait_for_metrics(controllers: &mut [Controller]) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    for c in controllers.iter_mut() {
        while c.scrape().is_err() {
            c.check_alive()?;
            if Instant::now() > deadline {
                bail!("tk controller {} did not serve metrics within 60s", c.name);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    Ok(())
}

pub fn samples(controllers: &[Controller]) -> Result<Vec<Sample>> {
    controllers.iter().map(|c| sample(c.pid())).collect()
}

pub fn scrapes(controllers: &[Controller]) -> Vec<String> {
    controllers
        .iter()
        .map(|c| c.scrape().unwrap_or_default())
        .collect()
}

/// A thread reading each controller's `/proc` once a second, for RSS and CPU over time.
pub struct Trace {
    stop: Arc<AtomicBool>,
    rows: Arc<Mutex<Vec<TraceRow>>>,
    thread: Option<std::thread::JoinHandle<()>>,
    started: Instant,
}

#[derive(Clone, Debug)]
pub struct TraceRow {
    pub secs: f64,
    pub controller: &'static str,
    pub sample: Sample,
}

impl Trace {
    pub fn start(controllers: &[Controller]) -> Trace {
        let pids: Vec<(&'static str, u32)> =
            controllers.iter().map(|c| (c.name, c.pid())).collect();
        let stop = Arc::new(AtomicBool::new(false));
        let rows = Arc::new(Mutex::new(Vec::new()));
        let started = Instant::now();
        let thread = {
            let (stop, rows) = (stop.clone(), rows.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let secs = started.elapsed().as_secs_f64();
                    for (controller, pid) in &pids {
                        if let Ok(sample) = sample(*pid) {
                            rows.lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .push(TraceRow {
                                    secs,
                                    controller,
                                    sample,
                                });
                        }
                    }
                    std::thread::sleep(Duration::from_secs(1));
                }
            })
        };
        Trace {
            stop,
            rows,
            thread: Some(thread),
            started,
        }
    }

    /// Seconds since the trace started, to mark phases in it.
    pub fn now(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    pub fn rows(&self) -> Vec<TraceRow> {
        self.rows.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Stops sampling and writes `secs,controller,rss_kib,anon_kib,file_kib,cpu_ticks,threads`.
    pub fn finish(mut self, path: &Path) -> Result<Vec<TraceRow>> {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let rows = self.rows();
        let mut csv = String::from("secs,controller,rss_kib,anon_kib,file_kib,cpu_ticks,threads\n");
        for r in &rows {
            csv.push_str(&format!(
                "{:.1},{},{},{},{},{},{}\n",
                r.secs,
                r.controller,
                r.sample.rss_kb,
                r.sample.anon_kb,
                r.sample.file_kb,
                r.sample.cpu_ticks,
                r.sample.threads
            ));
        }
        fs::write(path, csv)?;
        Ok(rows)
    }
}

/// CPU ticks of every control-plane component (local control planes only).
pub fn component_ticks(cluster: &testenv::ControlPlane) -> BTreeMap<&'static str, u64> {
    cluster
        .component_pids()
        .into_iter()
        .filter_map(|(name, pid)| Some((name, sample(pid).ok()?.cpu_ticks)))
        .collect()
}

/// "name 1.2s, …": the CPU the control plane's components used between two readings.
pub fn component_cpu(
    before: &BTreeMap<&'static str, u64>,
    after: &BTreeMap<&'static str, u64>,
    hz: f64,
) -> String {
    after
        .iter()
        .map(|(name, t)| {
            format!(
                "{name} {:.1}s",
                (t - before.get(name).copied().unwrap_or(0)) as f64 / hz
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `apiserver_request_total` summed over codes, by "VERB resource[/subresource]" (dry runs
/// marked), plus the non-2xx part by "VERB resource code".
#[derive(Default, Clone)]
pub struct Requests {
    pub by_kind: BTreeMap<String, f64>,
    pub failed: BTreeMap<String, f64>,
}

pub fn apiserver_requests(cluster: &testenv::ControlPlane) -> Result<Requests> {
    let body = cluster
        .admin_agent()?
        .get(&format!("{}/metrics", cluster.server_url()))
        .call()
        .context("GET /metrics from the apiserver")?
        .body_mut()
        .read_to_string()?;
    let mut requests = Requests::default();
    for line in body.lines() {
        let Some(rest) = line.strip_prefix("apiserver_request_total{") else {
            continue;
        };
        let Some((labels, value)) = rest.rsplit_once("} ") else {
            continue;
        };
        let value: f64 = value.trim().parse().unwrap_or(0.0);
        let labels = prometheus_labels(labels);
        let get = |k: &str| labels.get(k).map(String::as_str).unwrap_or("");
        let mut resource = get("resource").to_string();
        if !get("subresource").is_empty() {
            resource = format!("{resource}/{}", get("subresource"));
        }
        let verb = match get("dry_run") {
            "" => get("verb").to_string(),
            _ => format!("{} (dry run)", get("verb")),
        };
        let key = format!("{verb} {resource}");
        *requests.by_kind.entry(key.clone()).or_default() += value;
        if !get("code").starts_with('2') {
            *requests
                .failed
                .entry(format!("{key} {}", get("code")))
                .or_default() += value;
        }
    }
    Ok(requests)
}

pub fn prometheus_labels(text: &str) -> HashMap<String, String> {
    let mut labels = HashMap::new();
    let mut rest = text;
    while let Some((key, after)) = rest.split_once("=\"") {
        let Some(end) = after.find('"') else { break };
        labels.insert(
            key.trim_start_matches(',').to_string(),
            after[..end].to_string(),
        );
        rest = &after[end + 1..];
    }
    labels
}

pub fn delta(
    after: &BTreeMap<String, f64>,
    before: &BTreeMap<String, f64>,
) -> BTreeMap<String, f64> {
    after
        .iter()
        .map(|(k, v)| (k.clone(), v - before.get(k).copied().unwrap_or(0.0)))
        .filter(|(_, v)| *v > 0.0)
        .collect()
}

/// The apiserver requests of a steady round of `n` reconciles, per reconcile: the round's
/// requests (`r0` to `r1`, over `round`) less the background seen in a quiet window of
/// `quiet` (scaled to the round's length) and less the harness's own `n` patches of
/// `patched` ("PATCH <resource>").
pub fn print_round_requests(
    r0: &Requests,
    r1: &Requests,
    background: &BTreeMap<String, f64>,
    round: Duration,
    quiet: Duration,
    patched: &str,
    n: usize,
) {
    let scale = round.as_secs_f64() / quiet.as_secs_f64();
    let mut d = delta(&r1.by_kind, &r0.by_kind);
    for (k, v) in background {
        if let Some(x) = d.get_mut(k) {
            *x = (*x - v * scale).max(0.0);
        }
    }
    if let Some(x) = d.get_mut(patched) {
        *x = (*x - n as f64).max(0.0);
    }
    print_requests(
        "apiserver requests per unchanged reconcile (background and the harness's patches subtracted)",
        &d,
        Some(n as f64),
    );
    let total: f64 = d.values().sum();
    println!("  = {:.1} requests per reconcile", total / n as f64);
    let failed = delta(&r1.failed, &r0.failed);
    if !failed.is_empty() {
        print_requests("  not 2xx in the round", &failed, None);
    }
}

/// The value of one sample of a Prometheus text page, e.g.
/// `controller_runtime_reconcile_total{controller="kustomization",result="requeue_after"}`.
pub fn metric_sum(page: &str, name: &str, filter: &str) -> f64 {
    page.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| {
            l.strip_prefix(name)
                .is_some_and(|r| r.starts_with('{') || r.starts_with(' '))
        })
        .filter(|l| l.contains(filter))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum()
}

/// The controller's own count of its API requests (`rest_client_requests_total`, by method
/// and code) between two `/metrics` pages, when the binary exports it.
pub fn own_requests(before: &str, after: &str, n: usize) {
    const NAME: &str = "rest_client_requests_total";
    let total = metric_sum(after, NAME, "") - metric_sum(before, NAME, "");
    if total <= 0.0 {
        return;
    }
    let mut by = BTreeMap::<String, f64>::new();
    for line in after.lines().filter(|l| l.starts_with(NAME)) {
        let Some((labels, _)) = line.split_once('}') else {
            continue;
        };
        let labels = prometheus_labels(labels.trim_start_matches(NAME).trim_start_matches('{'));
        let key = format!(
            "{} {}",
            labels.get("method").map_or("?", String::as_str),
            labels.get("code").map_or("?", String::as_str)
        );
        let filter = labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{v}\""))
            .collect::<Vec<_>>();
        let count = |page: &str| -> f64 {
            page.lines()
                .filter(|l| l.starts_with(NAME) && filter.iter().all(|f| l.contains(f.as_str())))
                .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
                .sum()
        };
        let d = count(after) - count(before);
        if d > 0.0 {
            *by.entry(key).or_default() += d;
        }
    }
    let parts: Vec<String> = by.iter().map(|(k, v)| format!("{k}: {v:.0}")).collect();
    println!(
        "    its own API requests (rest_client_requests_total): {total:.0} = {:.1} per object ({})",
        total / n as f64,
        parts.join(", ")
    );
}

/// Prints request counts, largest first; with `per`, also per object.
pub fn print_requests(title: &str, d: &BTreeMap<String, f64>, per: Option<f64>) {
    let total: f64 = d.values().sum();
    println!("{title}: {total:.0} requests");
    let mut rows: Vec<(&String, &f64)> = d.iter().collect();
    rows.sort_by(|a, b| b.1.total_cmp(a.1));
    for (k, v) in rows.into_iter().filter(|(_, v)| **v >= 0.5) {
        match per {
            Some(n) => println!("    {k:<45} {v:>8.0}  {:>6.2}/object", v / n),
            None => println!("    {k:<45} {v:>8.0}"),
        }
    }
}

/// A controller's JSON log: lines by level, and the 8 most frequent messages that are not
/// `info` (first 100 characters, so object names do not make each one distinct).
pub fn log_summary(log: &Path) -> (BTreeMap<String, u64>, Vec<(String, u64)>) {
    let mut levels = BTreeMap::new();
    let mut messages: HashMap<String, u64> = HashMap::new();
    for line in fs::read_to_string(log).unwrap_or_default().lines() {
        let value = serde_json::from_str::<serde_json::Value>(line).ok();
        let level = value
            .as_ref()
            .and_then(|v| v["level"].as_str().map(str::to_string))
            .unwrap_or_else(|| "non-json".to_string());
        *levels.entry(level.clone()).or_insert(0) += 1;
        if level != "info" {
            let msg = value
                .as_ref()
                .and_then(|v| {
                    v["msg"]
                        .as_str()
                        .or(v["message"].as_str())
                        .or(v["fields"]["message"].as_str())
                        .map(str::to_string)
                })
                .unwrap_or_else(|| line.chars().take(160).collect());
            let key: String = msg.chars().take(100).collect();
            *messages.entry(format!("{level}: {key}")).or_insert(0) += 1;
        }
    }
    let mut top: Vec<(String, u64)> = messages.into_iter().collect();
    top.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    top.truncate(8);
    (levels, top)
}

/// The `p` percent point of sorted durations (nearest rank), in seconds.
pub fn percentile_secs(sorted: &[Duration], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = (sorted.len() * p).div_ceil(100).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64()
}

/// The `p` percent point of all `n` objects when only `times.len()` of them got there: "-"
/// for a point never reached.
pub fn point_of(times: &[Duration], n: usize, p: usize) -> String {
    let k = (n * p).div_ceil(100).max(1);
    times
        .get(k - 1)
        .map_or("-".to_string(), |t| format!("{:.1}s", t.as_secs_f64()))
}

/// The namespace, the `flux` ServiceAccount the objects impersonate (bound to cluster-admin
/// in the namespace, as flux-benchmark's `namespace-admin` role does).
pub async fn prepare_namespace(client: &kube::Client, namespace: &str) -> Result<()> {
    let params = PatchParams::apply("tk-scale").force();
    let ns: Namespace = serde_json::from_value(json!({ "metadata": { "name": namespace } }))?;
    Api::<Namespace>::all(client.clone())
        .patch(namespace, &params, &Patch::Apply(&ns))
        .await?;
    let sa: ServiceAccount = serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": { "name": "flux", "namespace": namespace },
    }))?;
    Api::<ServiceAccount>::namespaced(client.clone(), namespace)
        .patch("flux", &params, &Patch::Apply(&sa))
        .await?;
    let binding: RoleBinding = serde_json::from_value(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": { "name": "flux", "namespace": namespace },
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": "cluster-admin",
        },
        "subjects": [{ "kind": "ServiceAccount", "name": "flux", "namespace": namespace }],
    }))?;
    Api::<RoleBinding>::namespaced(client.clone(), namespace)
        .patch("flux", &params, &Patch::Apply(&binding))
        .await?;
    Ok(())
}

/// A ServiceCIDR named `name` for `cidr` (testenv's service range is a /24, too small for
/// 1000 Services), waited for until Ready.
pub async fn add_service_cidr(client: &kube::Client, name: &str, cidr: &str) -> Result<()> {
    let params = PatchParams::apply("tk-scale").force();
    let cidrs: Api<ServiceCIDR> = Api::all(client.clone());
    let object: ServiceCIDR = serde_json::from_value(json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "ServiceCIDR",
        "metadata": { "name": name },
        "spec": { "cidrs": [cidr] },
    }))?;
    cidrs
        .patch(name, &params, &Patch::Apply(&object))
        .await
        .context("creating a ServiceCIDR (needs Kubernetes 1.33 or later)")?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ready = cidrs
            .get(name)
            .await?
            .status
            .and_then(|s| s.conditions)
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        if ready {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("ServiceCIDR {cidr} not Ready within 30s");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Objects of one kind as a watch last saw them, fed by a task driving the watcher, with the
/// not-Ready reasons each showed on the way.
pub struct Tracker<K> {
    rx: tokio::sync::mpsc::UnboundedReceiver<K>,
    latest: HashMap<String, K>,
    /// Not-Ready reasons seen, with the objects that showed each.
    pub reasons: BTreeMap<String, HashSet<String>>,
    reason: fn(&K) -> Option<String>,
    /// When each object first satisfied the last `wait_for`'s condition, even if it stopped
    /// satisfying it later.
    pub ever: HashMap<String, Duration>,
    /// Give a `wait_for` up when no object changed for this long.
    stall: Option<Duration>,
}

impl<K> Tracker<K>
where
    K: kube::Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + 'static,
{
    /// Watches `api`; `reason` names an object's state when it is not Ready (e.g.
    /// `False=InstallFailed`).
    pub fn start(api: Api<K>, reason: fn(&K) -> Option<String>) -> Tracker<K> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut stream = watcher(api, watcher::Config::default())
                .default_backoff()
                .applied_objects()
                .boxed();
            while let Some(event) = stream.next().await {
                match event {
                    Ok(obj) => {
                        if tx.send(obj).is_err() {
                            return;
                        }
                    }
                    Err(e) => eprintln!("  watch error (retrying): {e}"),
                }
            }
        });
        Tracker {
            rx,
            latest: HashMap::new(),
            reasons: BTreeMap::new(),
            reason,
            ever: HashMap::new(),
            stall: None,
        }
    }

    /// Makes `wait_for` give up once no object has changed for `stall` (checked every 15 s):
    /// a controller that stopped working on the rest will not before their interval.
    pub fn give_up_after_quiet(mut self, stall: Duration) -> Tracker<K> {
        self.stall = Some(stall);
        self
    }

    /// Waits until `wanted` holds for `n` objects, printing progress every 15 s; returns when
    /// each object first satisfied it, relative to `since`, sorted.
    /// Gives up after `deadline`, returning fewer than `n` times.
    pub async fn wait_for(
        &mut self,
        n: usize,
        wanted: impl Fn(&K) -> bool,
        since: Instant,
        deadline: Duration,
        controllers: &mut [Controller],
    ) -> Result<Vec<Duration>> {
        let mut done: HashMap<String, Duration> = self
            .latest
            .iter()
            .filter(|(_, obj)| wanted(obj))
            .map(|(name, _)| (name.clone(), since.elapsed()))
            .collect();
        self.ever = done.clone();
        let mut last_change = Instant::now();
        let mut tick = tokio::time::interval(Duration::from_secs(15));
        tick.tick().await;
        while done.len() < n {
            tokio::select! {
                obj = self.rx.recv() => {
                    let obj = obj.context("the watch ended")?;
                    last_change = Instant::now();
                    let name = obj.meta().name.clone().unwrap_or_default();
                    if let Some(reason) = (self.reason)(&obj) {
                        self.reasons.entry(reason).or_default().insert(name.clone());
                    }
                    if wanted(&obj) {
                        let at = since.elapsed();
                        done.entry(name.clone()).or_insert(at);
                        self.ever.entry(name.clone()).or_insert(at);
                    } else {
                        done.remove(&name);
                    }
                    self.latest.insert(name, obj);
                }
                _ = tick.tick() => {
                    let mut rss = Vec::new();
                    for c in controllers.iter_mut() {
                        c.check_alive()?;
                        let s = sample(c.pid())?;
                        rss.push(format!("{} {:.1} MiB", c.name, s.rss_kb as f64 / MIB));
                    }
                    println!(
                        "  {}/{n} after {:.0}s (RSS {}; load {})",
                        done.len(),
                        since.elapsed().as_secs_f64(),
                        rss.join(", "),
                        load_average()
                    );
                    if since.elapsed() > deadline {
                        println!(
                            "  giving up: only {}/{n} after {}s",
                            done.len(),
                            deadline.as_secs()
                        );
                        break;
                    }
                    if let Some(stall) = self.stall
                        && last_change.elapsed() > stall
                    {
                        println!(
                            "  giving up: only {}/{n}, and no object changed for {:.0}s",
                            done.len(),
                            last_change.elapsed().as_secs_f64()
                        );
                        break;
                    }
                }
            }
        }
        let mut times: Vec<Duration> = done.into_values().collect();
        times.sort();
        Ok(times)
    }

    /// The objects as last seen.
    pub fn latest(&self) -> impl Iterator<Item = &K> {
        self.latest.values()
    }

    /// "reason (N objects), …", or "none".
    pub fn reasons_seen(&self) -> String {
        if self.reasons.is_empty() {
            return "none".to_string();
        }
        self.reasons
            .iter()
            .map(|(r, names)| format!("{r} ({} objects)", names.len()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What every controller harness takes besides its own workload: how the controllers run
/// and the bounds the run is checked against. Set from `SCALE_*` variables, then flags.
pub struct ControllerRun {
    pub mode: Mode,
    pub concurrent: u16,
    pub qps: Option<String>,
    pub burst: Option<String>,
    pub tk: Option<PathBuf>,
    pub rss_limit_mb: f64,
    pub time_limit: Duration,
    pub requeue: bool,
    pub keep_logs: bool,
    /// How long each phase may take before the harness reports what it has.
    pub deadline: Duration,
}

impl ControllerRun {
    /// From the environment, with the harness's own defaults for the bounds.
    pub fn from_env(concurrent: u16, rss_limit_mb: f64, time_limit: Duration) -> Result<Self> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Ok(ControllerRun {
            mode: env("SCALE_MODE")
                .as_deref()
                .map(parse_mode)
                .transpose()?
                .unwrap_or(Mode::Split),
            concurrent: env("SCALE_CONCURRENT")
                .map(|v| v.parse())
                .transpose()?
                .unwrap_or(concurrent),
            qps: env("SCALE_KUBE_API_QPS"),
            burst: env("SCALE_KUBE_API_BURST"),
            tk: env("SCALE_TK").map(PathBuf::from),
            rss_limit_mb: env("SCALE_RSS_LIMIT_MB")
                .map(|v| v.parse())
                .transpose()?
                .unwrap_or(rss_limit_mb),
            time_limit: env("SCALE_TIME_LIMIT")
                .as_deref()
                .map(parse_secs)
                .transpose()?
                .unwrap_or(time_limit),
            requeue: env("SCALE_NO_REQUEUE").is_none_or(|v| v == "0"),
            keep_logs: env("SCALE_KEEP_LOGS").is_some_and(|v| v != "0"),
            deadline: env("SCALE_DEADLINE")
                .as_deref()
                .map(parse_secs)
                .transpose()?
                .unwrap_or(Duration::from_secs(900)),
        })
    }

    /// Takes `flag` when it is one of the shared ones (see [`each_flag`]); `false` leaves it
    /// to the harness.
    pub fn flag(&mut self, flag: &str, value: &mut dyn FnMut() -> Result<String>) -> Result<bool> {
        match flag {
            "--bench" => {}
            "--mode" => self.mode = parse_mode(&value()?)?,
            "--concurrent" => self.concurrent = value()?.parse()?,
            "--kube-api-qps" => self.qps = Some(value()?),
            "--kube-api-burst" => self.burst = Some(value()?),
            "--tk" => self.tk = Some(PathBuf::from(value()?)),
            "--rss-limit-mb" => self.rss_limit_mb = value()?.parse()?,
            "--time-limit" => self.time_limit = parse_secs(&value()?)?,
            "--no-requeue" => self.requeue = false,
            "--keep-logs" => self.keep_logs = true,
            "--deadline" => self.deadline = parse_secs(&value()?)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}
