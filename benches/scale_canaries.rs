//! Scale harness for the canary controller ("One controller running 500 canaries at 1m
//! interval: CPU and RSS reported; analysis latency from interval tick to router update
//! reported").
//!
//! Starts a testenv control plane, installs the Gateway API CRDs (`testenv::mesh`), tk's and
//! Flagger's CRDs, a namespace `scale-canaries` and a ServiceCIDR (each Canary makes three
//! ClusterIP Services; testenv's service range is a /24), then N Deployments `app-NNNN`
//! (label `app`, one replica: kwok makes the pods Ready) and, once every one is available,
//! N Canaries, one per Deployment: `provider: gatewayapi:v1`, `service.gatewayRefs` naming a
//! Gateway, `analysis { interval, threshold: 1, stepWeight: 50, maxWeight: 50 }` and **no
//! metrics and no webhooks**, so what is measured is the controller and the API server, not
//! a Prometheus. Then it starts the release `tk controller canary --watch-all-namespaces=false
//! -n scale-canaries --metrics-addr 127.0.0.1:<free> --health-addr 0 --concurrent 4`
//! (`--min-analysis-interval` lowered to the interval when it is under Flagger's 10s) and
//! watches the Canaries and their HTTPRoutes, stamping every change with the harness's clock.
//!
//! 1. **Initialization**: the time from the controller's start until every Canary is
//!    `Initialized` (its first tick creates the primary and waits for it to be available, so
//!    this is about one interval plus the queue).
//! 2. **Steady window** (2 intervals by default, nothing changing): the controller's
//!    `/proc/<pid>/status` (VmRSS, VmHWM) and `/proc/<pid>/stat` (utime + stime) are read
//!    every second: RSS avg/max and CPU as % of one core; analysis ticks per minute
//!    (`controller_runtime_reconcile_total{controller="canary"}`, which counts only ticks that
//!    ran, not the early returns of a watch event before the tick is due); the controller's
//!    own API requests per minute and per tick (`rest_client_requests_total`, by method and
//!    code) and the API server's count by verb and resource (`apiserver_request_total`, all
//!    clients); Canary watch events in the window (a steady tick writes nothing: expected 0).
//! 3. **Rollout**: a pod-template annotation of every target is changed at once. Each Canary
//!    then goes, one tick each: revision detected (`Progressing`, target scaled up) → canary
//!    weight 50 on the HTTPRoute → promotion (`Promoting`, primary's template copied) → all
//!    traffic back to the primary (`Finalising`) → `Succeeded`. Reported: the time until all
//!    are Progressing, at weight 50, and Succeeded; RSS, CPU and requests over the rollout;
//!    and, per Canary, the **analysis latency from the interval tick to the HTTPRoute weight
//!    update**, for both route changes (0 → 50 and 50 → 0), as p50/p90/p99/max:
//!    - *scheduled tick → route updated*: the controller schedules a Canary's next tick
//!      `interval` after the end of the previous one, and the previous tick ends with a status
//!      write (`Progressing` before the 0 → 50 tick, `Promoting` before the 50 → 0 one); the
//!      harness's Canary watch stamps that write, so the tick is due at that stamp plus the
//!      interval (to within the watch's delivery delay, a few ms, which the route watch also
//!      has). This includes the wait for a worker (`--concurrent`), the client's rate limit
//!      and the tick's own reads and writes before it changes the route;
//!    - *tick's first event → route updated*: from the `ts` of the tick's first log line
//!      ("Starting canary analysis for <target>.<ns>", "Routing all traffic to primary";
//!      the controller's JSON log, millisecond stamps, same host clock) to the route watch
//!      stamp: the route write itself and the watch's delivery;
//!    - *scheduled tick → first event*: the difference, queue plus the tick's reads.
//!
//!    A tick that finds the target not rolled out yet (kwok is slow under load) logs a warning
//!    and changes nothing; the route then moves one interval later, which shows in the
//!    scheduled figure (and in the warnings printed for the rollout).
//!
//! ```text
//! cargo bench --bench scale_canaries                              # 500 canaries, 1m interval
//! SCALE_CANARIES_N=50 SCALE_CANARIES_INTERVAL=30s cargo bench --bench scale_canaries
//! cargo bench --bench scale_canaries -- --canaries 100 --interval 30s --tk target/release/tk
//! ```
//!
//! Options (flag or environment): `--canaries N` / `SCALE_CANARIES_N` (500), `--interval D` /
//! `SCALE_CANARIES_INTERVAL` (`1m`; seconds, `Ns` or `Nm`), `--window D` /
//! `SCALE_CANARIES_WINDOW` (2 intervals), `--concurrent N` / `SCALE_CONCURRENT` (4, the
//! controller's default), `--kube-api-qps X` / `SCALE_KUBE_API_QPS` and `--kube-api-burst N` /
//! `SCALE_KUBE_API_BURST` (controller defaults, 50 and 300, when unset), `--tk PATH` /
//! `SCALE_TK` (default: `cargo build --release --bin tk` and its executable), `--deadline D` /
//! `SCALE_DEADLINE` (how long each phase may take: 15 intervals + 5 min), `--keep-logs` /
//! `SCALE_KEEP_LOGS=1` (keep the controller's log and the `/proc` trace).
//! `TK_TEST_KUBECONFIG` uses an existing cluster. Exits 1 when not every Canary was
//! initialized, promoted, or had both route changes timed.
//!
//! Without `--bench` (as `cargo test --benches` runs it) it runs a smoke version: 5 Canaries
//! at a 5s interval (`--min-analysis-interval=1s`), a 10s window, the `tk` cargo built for
//! the test profile; it fails as the real run does.

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::ResourceExt;
use kube::api::{
    Api, ApiResource, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams,
};
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::{Value, json};
use testenv::mesh::Mesh;
use tk::api::flagger::{Canary, CanaryPhase};

#[path = "support/scale.rs"]
mod scale;
use scale::{
    Controller, ControllerSpec, MIB, Trace, TraceRow, apiserver_requests, build_tk,
    clock_ticks_per_second, component_cpu, component_ticks, delta, load_average, metric_sum,
    parse_secs, prometheus_labels, sample,
};

const NAMESPACE: &str = "scale-canaries";
const FIELD_MANAGER: &str = "tk-scale";
/// The pod-template annotation changed to make a new revision.
const REVISION_ANNOTATION: &str = "bench.tk-gitops.io/revision";
/// Flagger's shortest analysis interval (`--min-analysis-interval`'s default).
const FLAGGER_MIN_INTERVAL: Duration = Duration::from_secs(10);

struct Config {
    canaries: usize,
    interval: Duration,
    window: Duration,
    concurrent: u16,
    qps: Option<String>,
    burst: Option<String>,
    tk: Option<PathBuf>,
    deadline: Duration,
    keep_logs: bool,
    smoke: bool,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = if args.iter().any(|a| a == "--bench") {
        parse(&args)
    } else {
        println!(
            "scale_canaries: smoke run (5 canaries, 5s interval); `cargo bench --bench scale_canaries` runs the real one"
        );
        Ok(smoke())
    };
    match config.and_then(|c| run(&c)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("scale_canaries: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn smoke() -> Config {
    let interval = Duration::from_secs(5);
    Config {
        canaries: 5,
        interval,
        window: 2 * interval,
        concurrent: 4,
        qps: None,
        burst: None,
        tk: Some(PathBuf::from(env!("CARGO_BIN_EXE_tk"))),
        deadline: Duration::from_secs(120),
        keep_logs: false,
        smoke: true,
    }
}

fn parse(args: &[String]) -> Result<Config> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut canaries = env("SCALE_CANARIES_N")
        .as_deref()
        .map(parse_count)
        .transpose()?
        .unwrap_or(500);
    let mut interval = env("SCALE_CANARIES_INTERVAL")
        .as_deref()
        .map(parse_secs)
        .transpose()?
        .unwrap_or(Duration::from_secs(60));
    let mut window = env("SCALE_CANARIES_WINDOW")
        .as_deref()
        .map(parse_secs)
        .transpose()?;
    let mut concurrent: u16 = env("SCALE_CONCURRENT")
        .map(|v| v.parse())
        .transpose()
        .context("SCALE_CONCURRENT")?
        .unwrap_or(4);
    let mut qps = env("SCALE_KUBE_API_QPS");
    let mut burst = env("SCALE_KUBE_API_BURST");
    let mut tk = env("SCALE_TK").map(PathBuf::from);
    let mut deadline = env("SCALE_DEADLINE")
        .as_deref()
        .map(parse_secs)
        .transpose()?;
    let mut keep_logs = env("SCALE_KEEP_LOGS").is_some_and(|v| v != "0");
    scale::each_flag(args, |flag, value| {
        match flag {
            "--bench" => {}
            "--canaries" => canaries = parse_count(&value()?)?,
            "--interval" => interval = parse_secs(&value()?)?,
            "--window" => window = Some(parse_secs(&value()?)?),
            "--concurrent" => concurrent = value()?.parse()?,
            "--kube-api-qps" => qps = Some(value()?),
            "--kube-api-burst" => burst = Some(value()?),
            "--tk" => tk = Some(PathBuf::from(value()?)),
            "--deadline" => deadline = Some(parse_secs(&value()?)?),
            "--keep-logs" => keep_logs = true,
            other => bail!("unknown argument {other}"),
        }
        Ok(())
    })?;
    if canaries == 0 || canaries > 9999 {
        bail!("--canaries must be between 1 and 9999");
    }
    if interval < Duration::from_secs(1) {
        bail!("--interval must be at least 1s");
    }
    if concurrent == 0 {
        bail!("--concurrent must be at least 1");
    }
    Ok(Config {
        canaries,
        interval,
        window: window.unwrap_or(2 * interval),
        concurrent,
        qps,
        burst,
        tk,
        deadline: deadline.unwrap_or(15 * interval + Duration::from_secs(300)),
        keep_logs,
        smoke: false,
    })
}

fn parse_count(v: &str) -> Result<usize> {
    v.parse()
        .with_context(|| format!("{v:?} is not a number of canaries"))
}

fn app_name(i: usize) -> String {
    format!("app-{i:04}")
}

/// Microseconds since the epoch: the harness's stamps, comparable with the log's `ts`.
fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

fn run(config: &Config) -> Result<bool> {
    let tk = match &config.tk {
        Some(path) => path.clone(),
        None => build_tk()?,
    };
    scale::print_machine();
    let started = Instant::now();
    let cluster = scale::control_plane()?;
    testenv::mesh::install(&cluster, &[Mesh::GatewayApi])?;
    println!(
        "control plane and Gateway API CRDs up in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    let work = tempfile::Builder::new()
        .prefix("tk-scale-canaries-")
        .tempdir()?;
    let runtime = tokio::runtime::Runtime::new()?;
    let result = runtime.block_on(measure(config, &cluster, &tk, work.path()));
    if config.keep_logs || result.is_err() {
        let kept = work.keep();
        eprintln!("controller log and /proc trace kept in {}", kept.display());
    }
    result
}

/// What the watches saw, stamped when the harness received it.
#[derive(Default)]
struct Timeline {
    /// Per Canary: each change of (phase, canary weight in the status).
    canaries: HashMap<String, Vec<CanarySeen>>,
    /// Per HTTPRoute (named as its Canary): each change of its (primary, canary) weights.
    routes: HashMap<String, Vec<RouteSeen>>,
    /// Every Canary watch event (writes of any part of any Canary).
    canary_events: Vec<i64>,
}

#[derive(Clone, Copy, Debug)]
struct CanarySeen {
    at: i64,
    phase: CanaryPhase,
    weight: i32,
}

#[derive(Clone, Copy, Debug)]
struct RouteSeen {
    at: i64,
    canary: i64,
}

type Shared = Arc<Mutex<Timeline>>;

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Timeline> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

fn phase_of(canary: &Canary) -> CanaryPhase {
    canary
        .status
        .as_ref()
        .and_then(|s| s.phase)
        .unwrap_or(CanaryPhase::Unset)
}

/// Watches `api` in the background, handing each object seen to `seen` with the harness's
/// clock at its arrival; `what` names the kind in a watch error.
fn watch_each<K>(api: Api<K>, what: &'static str, mut seen: impl FnMut(K, i64) + Send + 'static)
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug + Send + 'static,
{
    tokio::spawn(async move {
        let mut stream = watcher(api, watcher::Config::default())
            .default_backoff()
            .applied_objects()
            .boxed();
        while let Some(event) = stream.next().await {
            match event {
                Ok(obj) => seen(obj, now_us()),
                Err(e) => eprintln!("  {what} watch error (retrying): {e}"),
            }
        }
    });
}

fn watch_canaries(api: Api<Canary>, shared: Shared) {
    watch_each(api, "Canary", move |canary: Canary, at| {
        let seen = CanarySeen {
            at,
            phase: phase_of(&canary),
            weight: canary
                .status
                .as_ref()
                .and_then(|s| s.canary_weight)
                .unwrap_or(0),
        };
        let mut t = lock(&shared);
        t.canary_events.push(at);
        let list = t.canaries.entry(canary.name_any()).or_default();
        if list
            .last()
            .is_none_or(|l| l.phase != seen.phase || l.weight != seen.weight)
        {
            list.push(seen);
        }
    });
}

/// The canary's weight in the first rule routing to both `<name>-primary` and
/// `<name>-canary`.
fn route_canary_weight(route: &DynamicObject) -> Option<i64> {
    let name = route.name_any();
    let (primary, canary) = (format!("{name}-primary"), format!("{name}-canary"));
    route.data["spec"]["rules"]
        .as_array()?
        .iter()
        .find_map(|rule| {
            let backends = rule["backendRefs"].as_array()?;
            let weight = |n: &str| {
                backends
                    .iter()
                    .find(|b| b["name"] == n)
                    .map(|b| b["weight"].as_i64().unwrap_or(1))
            };
            weight(&primary)?;
            weight(&canary)
        })
}

fn watch_routes(api: Api<DynamicObject>, shared: Shared) {
    watch_each(api, "HTTPRoute", move |route: DynamicObject, at| {
        let Some(canary) = route_canary_weight(&route) else {
            return;
        };
        let mut t = lock(&shared);
        let list = t.routes.entry(route.name_any()).or_default();
        if list.last().is_none_or(|l| l.canary != canary) {
            list.push(RouteSeen { at, canary });
        }
    });
}

fn http_routes(client: &kube::Client) -> Api<DynamicObject> {
    let gvk = GroupVersionKind::gvk("gateway.networking.k8s.io", "v1", "HTTPRoute");
    let resource = ApiResource::from_gvk_with_plural(&gvk, "httproutes");
    Api::namespaced_with(client.clone(), NAMESPACE, &resource)
}

/// The namespace and a ServiceCIDR for the 3N ClusterIP Services the Canaries make.
async fn prepare_cluster(client: &kube::Client, n: usize) -> Result<()> {
    let params = PatchParams::apply(FIELD_MANAGER).force();
    let ns: Namespace = serde_json::from_value(json!({ "metadata": { "name": NAMESPACE } }))?;
    Api::<Namespace>::all(client.clone())
        .patch(NAMESPACE, &params, &Patch::Apply(&ns))
        .await?;
    // A /20 (4 096 addresses) holds the Services of 1 300 Canaries; a /18 four times that.
    let cidr = if 3 * n + 64 < 4096 {
        "10.96.0.0/20"
    } else {
        "10.96.0.0/18"
    };
    scale::add_service_cidr(client, NAMESPACE, cidr).await
}

fn deployment(name: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": { "name": name, "namespace": NAMESPACE },
        "spec": {
            "replicas": 1,
            "revisionHistoryLimit": 2,
            "selector": { "matchLabels": { "app": name } },
            "template": {
                "metadata": {
                    "labels": { "app": name },
                    "annotations": { REVISION_ANNOTATION: "1" },
                },
                "spec": { "containers": [{
                    "name": "app", "image": "ghcr.io/stefanprodan/podinfo:6.7.1",
                    "ports": [{ "name": "http", "containerPort": 9898 }],
                }] },
            },
        },
    })
}

fn canary(name: &str, interval: Duration) -> Value {
    json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
        "metadata": { "name": name, "namespace": NAMESPACE },
        "spec": {
            "provider": "gatewayapi:v1",
            "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": name },
            "service": {
                "port": 9898,
                "gatewayRefs": [{ "name": "public", "namespace": "gateways" }],
                "hosts": [format!("{name}.example.com")],
            },
            "analysis": {
                "interval": format!("{}s", interval.as_secs()),
                "threshold": 1,
                "stepWeight": 50,
                "maxWeight": 50,
            },
        },
    })
}

/// Server-side applies `make(name)` for every app, 16 at a time.
async fn apply_all<K>(api: &Api<K>, n: usize, make: impl Fn(&str) -> Value) -> Result<()>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let params = PatchParams::apply(FIELD_MANAGER).force();
    let bodies: Vec<(String, Value)> = (1..=n)
        .map(|i| {
            let name = app_name(i);
            let body = make(&name);
            (name, body)
        })
        .collect();
    futures::stream::iter(bodies)
        .map(|(name, body)| {
            let (api, params) = (api.clone(), params.clone());
            async move {
                api.patch(&name, &params, &Patch::Apply(&body))
                    .await
                    .with_context(|| format!("applying {name}"))?;
                anyhow::Ok(())
            }
        })
        .buffer_unordered(16)
        .try_collect::<Vec<()>>()
        .await?;
    Ok(())
}

async fn count_pods(client: &kube::Client) -> usize {
    Api::<Pod>::namespaced(client.clone(), NAMESPACE)
        .list_metadata(&ListParams::default())
        .await
        .map_or(0, |l| l.items.len())
}

/// One controller-log line of interest.
struct LogLine {
    at: i64,
    level: String,
    msg: String,
    name: String,
}

fn read_log(path: &Path) -> Vec<LogLine> {
    fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let v: Value = serde_json::from_str(line).ok()?;
            let ts: k8s_openapi::jiff::Timestamp = v["ts"].as_str()?.parse().ok()?;
            Some(LogLine {
                at: ts.as_microsecond(),
                level: v["level"].as_str().unwrap_or_default().to_string(),
                msg: v["msg"].as_str().unwrap_or_default().to_string(),
                name: v["name"].as_str().unwrap_or_default().to_string(),
            })
        })
        .collect()
}

/// Nearest-rank percentile of sorted values.
fn pct(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(us: i64) -> String {
    format!("{:.1}", us as f64 / 1000.0)
}

fn secs(us: i64) -> String {
    format!("{:.1}s", us as f64 / 1e6)
}

/// "10% 1.0s, 50% 2.0s, 90% 3.0s, all 4.0s" of times (µs after a start) of `n` objects; a point
/// not reached is "-".
fn points(times: &mut [i64], n: usize) -> String {
    times.sort_unstable();
    let point = |p: usize| {
        let k = (n * p).div_ceil(100).max(1);
        times.get(k - 1).map_or("-".to_string(), |t| secs(*t))
    };
    format!(
        "10% {}, 50% {}, 90% {}, all {}",
        point(10),
        point(50),
        point(90),
        point(100)
    )
}

/// Trace rows of the controller between two trace times: RSS avg and max (MiB).
fn rss_in(rows: &[TraceRow], from: f64, to: f64) -> (f64, f64, usize) {
    let rss: Vec<f64> = rows
        .iter()
        .filter(|r| r.secs >= from && r.secs <= to)
        .map(|r| r.sample.rss_kb as f64 / MIB)
        .collect();
    let avg = rss.iter().sum::<f64>() / rss.len().max(1) as f64;
    let max = rss.iter().copied().fold(0.0, f64::max);
    (avg, max, rss.len())
}

/// The counters a window is measured by, read at both ends.
struct Mark {
    at: Instant,
    trace_secs: f64,
    sample: scale::Sample,
    page: String,
    requests: Option<scale::Requests>,
    components: BTreeMap<&'static str, u64>,
    canary_events: usize,
}

fn mark(
    controller: &Controller,
    trace: &Trace,
    cluster: &testenv::ControlPlane,
    shared: &Shared,
) -> Result<Mark> {
    Ok(Mark {
        at: Instant::now(),
        trace_secs: trace.now(),
        sample: sample(controller.pid())?,
        page: controller.scrape().unwrap_or_default(),
        requests: apiserver_requests(cluster).ok(),
        components: component_ticks(cluster),
        canary_events: lock(shared).canary_events.len(),
    })
}

/// The samples of counter `name` on a Prometheus text page, by their label text.
fn counters(page: &str, name: &str) -> HashMap<String, f64> {
    page.lines()
        .filter_map(|line| {
            let (labels, value) = line
                .strip_prefix(name)?
                .strip_prefix('{')?
                .split_once("} ")?;
            Some((labels.to_string(), value.trim().parse().ok()?))
        })
        .collect()
}

/// RSS, CPU, ticks and API requests between two marks.
fn print_window(title: &str, a: &Mark, b: &Mark, rows: &[TraceRow], hz: f64) {
    let elapsed = b.at.duration_since(a.at).as_secs_f64();
    let minutes = elapsed / 60.0;
    let (avg, max, count) = rss_in(rows, a.trace_secs, b.trace_secs);
    let cpu = (b.sample.cpu_ticks - a.sample.cpu_ticks) as f64 / hz;
    let sys = (b.sample.sys_ticks - a.sample.sys_ticks) as f64 / hz;
    println!("{title} ({elapsed:.0}s):");
    println!(
        "  RSS (VmRSS over {count} samples): avg {avg:.1} MiB, max {max:.1} MiB; VmHWM since start {:.1} MiB; {} threads",
        b.sample.hwm_kb as f64 / MIB,
        b.sample.threads
    );
    println!(
        "  CPU: {cpu:.1}s ({sys:.1}s in the kernel) over {elapsed:.0}s = {:.1}% of one core (utime+stime)",
        cpu / elapsed * 100.0
    );
    let filter = "controller=\"canary\"";
    let reconcile = |page: &str, name: &str| metric_sum(page, name, filter);
    let ticks = reconcile(&b.page, "controller_runtime_reconcile_total")
        - reconcile(&a.page, "controller_runtime_reconcile_total");
    let errors = reconcile(&b.page, "controller_runtime_reconcile_errors_total")
        - reconcile(&a.page, "controller_runtime_reconcile_errors_total");
    let tick_secs = reconcile(&b.page, "controller_runtime_reconcile_time_seconds_sum")
        - reconcile(&a.page, "controller_runtime_reconcile_time_seconds_sum");
    println!(
        "  analysis ticks: {ticks:.0} = {:.0}/min ({errors:.0} errors), {:.1} ms each on average",
        ticks / minutes,
        tick_secs * 1000.0 / ticks.max(1.0)
    );
    const REST: &str = "rest_client_requests_total";
    let (before, after) = (counters(&a.page, REST), counters(&b.page, REST));
    let mut by = BTreeMap::<String, f64>::new();
    for (labels, value) in &after {
        let d = value - before.get(labels).copied().unwrap_or(0.0);
        if d > 0.0 {
            let labels = prometheus_labels(labels);
            let key = format!(
                "{} {}",
                labels.get("method").map_or("?", String::as_str),
                labels.get("code").map_or("?", String::as_str)
            );
            *by.entry(key).or_default() += d;
        }
    }
    let total: f64 = by.values().sum();
    if total > 0.0 {
        let parts: Vec<String> = by.iter().map(|(k, v)| format!("{k}: {v:.0}")).collect();
        println!(
            "  the controller's API requests (rest_client_requests_total): {total:.0} = {:.0}/min = {:.1} per tick ({})",
            total / minutes,
            total / ticks.max(1.0),
            parts.join(", ")
        );
    }
    if let (Some(r0), Some(r1)) = (&a.requests, &b.requests) {
        let d = delta(&r1.by_kind, &r0.by_kind);
        let all: f64 = d.values().sum();
        println!(
            "  apiserver requests, all clients (apiserver_request_total): {all:.0} = {:.0}/min; by verb and resource, per tick:",
            all / minutes
        );
        let mut rows: Vec<(&String, &f64)> = d.iter().filter(|(_, v)| **v >= 0.5).collect();
        rows.sort_by(|x, y| y.1.total_cmp(x.1));
        for (k, v) in rows.into_iter().take(16) {
            println!("    {k:<45} {v:>8.0}  {:>6.2}/tick", v / ticks.max(1.0));
        }
        let failed = delta(&r1.failed, &r0.failed);
        for (k, v) in &failed {
            println!("    not 2xx: {k} {v:.0}");
        }
    }
    if !a.components.is_empty() {
        println!(
            "  control plane CPU: {}",
            component_cpu(&a.components, &b.components, hz)
        );
    }
    println!(
        "  Canary watch events: {}; load average {}",
        b.canary_events - a.canary_events,
        load_average()
    );
}

/// Polls `count` every 250 ms until it reaches `n` or `deadline` passes, printing progress
/// (with the controller's RSS) every 15 s. Returns whether it got there.
async fn wait_until(
    what: &str,
    n: usize,
    deadline: Duration,
    controller: &mut Controller,
    count: impl Fn() -> usize,
) -> Result<bool> {
    let started = Instant::now();
    let mut report = Instant::now() + Duration::from_secs(15);
    loop {
        let done = count();
        if done >= n {
            return Ok(true);
        }
        controller.check_alive()?;
        if Instant::now() >= report {
            report += Duration::from_secs(15);
            println!(
                "  {done}/{n} {what} after {:.0}s (RSS {:.1} MiB; load {})",
                started.elapsed().as_secs_f64(),
                sample(controller.pid())?.rss_kb as f64 / MIB,
                load_average()
            );
        }
        if started.elapsed() > deadline {
            println!(
                "  giving up: {done}/{n} {what} after {}s",
                deadline.as_secs()
            );
            return Ok(false);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn measure(
    config: &Config,
    cluster: &testenv::ControlPlane,
    tk: &Path,
    dir: &Path,
) -> Result<bool> {
    let n = config.canaries;
    let client = scale::client(cluster.kubeconfig_path()).await?;
    scale::apply_crds(&client).await?;
    scale::apply_crd_list(&client, tk::api::flagger_crds()).await?;
    prepare_cluster(&client, n).await?;

    let shared: Shared = Arc::default();
    watch_canaries(Api::namespaced(client.clone(), NAMESPACE), shared.clone());
    watch_routes(http_routes(&client), shared.clone());

    // The targets first, each available (one kwok pod), so the rig's pod start is not timed.
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), NAMESPACE);
    let started = Instant::now();
    apply_all(&deployments, n, deployment).await?;
    let deadline = Instant::now() + config.deadline;
    loop {
        let available = deployments
            .list(&ListParams::default())
            .await?
            .items
            .iter()
            .filter(|d| {
                d.status
                    .as_ref()
                    .and_then(|s| s.available_replicas)
                    .unwrap_or(0)
                    >= 1
            })
            .count();
        if available >= n {
            break;
        }
        if Instant::now() > deadline {
            bail!(
                "only {available}/{n} Deployments available after {:?}",
                config.deadline
            );
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    println!(
        "{n} Deployments available in {:.1}s ({} pods)",
        started.elapsed().as_secs_f64(),
        count_pods(&client).await
    );
    let canaries: Api<Canary> = Api::namespaced(client.clone(), NAMESPACE);
    let started = Instant::now();
    apply_all(&canaries, n, |name| canary(name, config.interval)).await?;
    println!(
        "{n} Canaries created in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let storage = dir.join("storage");
    let spec = ControllerSpec {
        tk,
        namespace: NAMESPACE,
        kubeconfig: cluster.kubeconfig_path(),
        storage: &storage,
        dir,
    };
    let mut extra = vec![format!(
        "--min-analysis-interval={}s",
        config.interval.min(FLAGGER_MIN_INTERVAL).as_secs().max(1)
    )];
    if let Some(qps) = &config.qps {
        extra.push(format!("--kube-api-qps={qps}"));
    }
    if let Some(burst) = &config.burst {
        extra.push(format!("--kube-api-burst={burst}"));
    }
    let env: [(&str, OsString); 0] = [];
    let spawned_us = now_us();
    let mut controller = Controller::spawn(&spec, "canary", config.concurrent, &extra, &env)?;
    let trace = Trace::start(std::slice::from_ref(&controller));
    let result = observe(
        config,
        cluster,
        &client,
        &mut controller,
        &trace,
        &shared,
        spawned_us,
    )
    .await;
    controller.stop();
    let _ = trace.finish(&dir.join("trace.csv"));
    result
}

async fn observe(
    config: &Config,
    cluster: &testenv::ControlPlane,
    client: &kube::Client,
    controller: &mut Controller,
    trace: &Trace,
    shared: &Shared,
    spawned_us: i64,
) -> Result<bool> {
    let n = config.canaries;
    let hz = clock_ticks_per_second();
    let interval_us = config.interval.as_micros() as i64;
    // The initialization window starts with the process (its counters start at zero).
    let init = mark(controller, trace, cluster, shared)?;
    scale::wait_for_metrics(std::slice::from_mut(controller)).await?;
    let idle = sample(controller.pid())?;
    println!(
        "tk controller canary (pid {}) serving metrics {:.1}s after its start: RSS {:.1} MiB, {} threads",
        controller.pid(),
        (now_us() - spawned_us) as f64 / 1e6,
        idle.rss_kb as f64 / MIB,
        idle.threads
    );

    // Phase 1: initialization.
    let initialized = |t: &Timeline| {
        t.canaries
            .values()
            .filter(|v| v.iter().any(|s| s.phase == CanaryPhase::Initialized))
            .count()
    };
    let all_initialized = wait_until("Initialized", n, config.deadline, controller, || {
        initialized(&lock(shared))
    })
    .await?;
    let init_end = mark(controller, trace, cluster, shared)?;
    let mut init_times: Vec<i64> = lock(shared)
        .canaries
        .values()
        .filter_map(|v| {
            v.iter()
                .find(|s| s.phase == CanaryPhase::Initialized)
                .map(|s| s.at - spawned_us)
        })
        .collect();
    let routes_made = lock(shared).routes.len();
    println!();
    println!(
        "== scale_canaries{}: {n} canaries (gatewayapi:v1, stepWeight 50, maxWeight 50, threshold 1, no metrics or webhooks), interval {}s, --concurrent {}, kube-api-qps {}, burst {} ==",
        if config.smoke { " (smoke run)" } else { "" },
        config.interval.as_secs(),
        config.concurrent,
        config.qps.as_deref().unwrap_or("default"),
        config.burst.as_deref().unwrap_or("default"),
    );
    println!(
        "initialization: {} from the controller's start ({}); {routes_made} HTTPRoutes; {} pods",
        if all_initialized {
            format!("all {n} Initialized")
        } else {
            format!("NOT REACHED: {}/{n} Initialized", init_times.len())
        },
        points(&mut init_times, n),
        count_pods(client).await
    );
    let rows = trace.rows();
    print_window("  initialization window", &init, &init_end, &rows, hz);
    if !all_initialized {
        return Ok(false);
    }

    // Phase 2: the steady window, nothing changing.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let steady = mark(controller, trace, cluster, shared)?;
    let window_end = Instant::now() + config.window;
    while Instant::now() < window_end {
        controller.check_alive()?;
        tokio::time::sleep(Duration::from_secs(1).min(window_end - Instant::now())).await;
    }
    let steady_end = mark(controller, trace, cluster, shared)?;
    let rows = trace.rows();
    println!();
    print_window(
        &format!(
            "steady window, nothing changing ({} ticks expected: {n} × window / interval)",
            (n as f64 * config.window.as_secs_f64() / config.interval.as_secs_f64()).round()
        ),
        &steady,
        &steady_end,
        &rows,
        hz,
    );

    // Phase 3: a new revision of every target.
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), NAMESPACE);
    let revision = k8s_openapi::jiff::Timestamp::now().to_string();
    let rollout = mark(controller, trace, cluster, shared)?;
    let changed_us = now_us();
    let patch = json!({ "spec": { "template": { "metadata": { "annotations": { REVISION_ANNOTATION: revision } } } } });
    futures::stream::iter(1..=n)
        .map(|i| {
            let (api, patch) = (deployments.clone(), patch.clone());
            async move {
                api.patch(&app_name(i), &PatchParams::default(), &Patch::Merge(&patch))
                    .await?;
                anyhow::Ok(())
            }
        })
        .buffer_unordered(32)
        .try_collect::<Vec<()>>()
        .await?;
    let patched_us = now_us();
    let reached = |t: &Timeline, phase: CanaryPhase| {
        t.canaries
            .values()
            .filter(|v| v.iter().any(|s| s.at >= changed_us && s.phase == phase))
            .count()
    };
    let all_succeeded = wait_until("Succeeded", n, config.deadline, controller, || {
        let t = lock(shared);
        reached(&t, CanaryPhase::Succeeded) + reached(&t, CanaryPhase::Failed)
    })
    .await?;
    let rollout_end = mark(controller, trace, cluster, shared)?;
    let pods_after = count_pods(client).await;
    let rows = trace.rows();

    let log = read_log(&controller.log);
    let first_log = |name: &str, prefix: &str| {
        log.iter()
            .find(|l| l.at >= changed_us && l.name == name && l.msg.starts_with(prefix))
            .map(|l| l.at)
    };
    let timeline = lock(shared);
    let mut detected = Vec::new();
    let mut at_50 = Vec::new();
    let mut promoted = Vec::new();
    let mut failed = 0;
    // (scheduled → first event, first event → route, scheduled → route) for each route change.
    let mut up: [Vec<i64>; 3] = Default::default();
    let mut down: [Vec<i64>; 3] = Default::default();
    for i in 1..=n {
        let name = app_name(i);
        let seen = timeline.canaries.get(&name).map_or(&[][..], Vec::as_slice);
        let routes = timeline.routes.get(&name).map_or(&[][..], Vec::as_slice);
        let after = |from: i64, phase: CanaryPhase| {
            seen.iter()
                .find(|s| s.at >= from && s.phase == phase)
                .map(|s| s.at)
        };
        let progressing = after(changed_us, CanaryPhase::Progressing);
        let promoting = progressing.and_then(|t| after(t, CanaryPhase::Promoting));
        if let Some(t) = progressing {
            detected.push(t - changed_us);
        }
        if let Some(t) = progressing.and_then(|t| after(t, CanaryPhase::Succeeded)) {
            promoted.push(t - changed_us);
        }
        if progressing
            .and_then(|t| after(t, CanaryPhase::Failed))
            .is_some()
        {
            failed += 1;
        }
        let route_up = routes
            .iter()
            .find(|r| r.at >= changed_us && r.canary > 0)
            .map(|r| r.at);
        let route_down = route_up.and_then(|u| {
            routes
                .iter()
                .find(|r| r.at > u && r.canary == 0)
                .map(|r| r.at)
        });
        if let Some(t) = route_up {
            at_50.push(t - changed_us);
        }
        for (sink, before_tick, route, event) in [
            (
                &mut up,
                progressing,
                route_up,
                "Starting canary analysis for",
            ),
            (
                &mut down,
                promoting,
                route_down,
                "Routing all traffic to primary",
            ),
        ] {
            let (Some(before_tick), Some(route)) = (before_tick, route) else {
                continue;
            };
            let scheduled = before_tick + interval_us;
            sink[2].push(route - scheduled);
            if let Some(first) = first_log(&name, event) {
                sink[0].push(first - scheduled);
                sink[1].push(route - first);
            }
        }
    }
    drop(timeline);

    println!();
    println!(
        "rollout: a pod-template annotation changed on all {n} targets (patches took {:.1}s); from the first patch:",
        (patched_us - changed_us) as f64 / 1e6
    );
    println!(
        "  revision detected (Progressing): {}",
        points(&mut detected, n)
    );
    println!(
        "  canary weight 50 on the HTTPRoute: {}",
        points(&mut at_50, n)
    );
    println!(
        "  promoted (Succeeded): {}{}",
        points(&mut promoted, n),
        if failed > 0 {
            format!("; {failed} FAILED (rolled back)")
        } else {
            String::new()
        }
    );
    println!("  pods in the namespace at the end: {pods_after}");
    print_window("  rollout window", &rollout, &rollout_end, &rows, hz);
    println!();
    println!(
        "analysis latency, interval tick → HTTPRoute weight update (ms; scheduled tick = the watch's stamp of the status write that ended the previous tick + {}s):",
        config.interval.as_secs()
    );
    println!(
        "  {:<58} {:>5} {:>9} {:>9} {:>9} {:>9}",
        "", "n", "p50", "p90", "p99", "max"
    );
    let labels = [
        "scheduled tick → tick's first event",
        "tick's first event → route updated",
        "scheduled tick → route updated",
    ];
    for (step, sets) in [("0 → 50", &mut up), ("50 → 0", &mut down)] {
        for (label, values) in labels.iter().zip(sets.iter_mut()) {
            values.sort_unstable();
            println!(
                "  {:<58} {:>5} {:>9} {:>9} {:>9} {:>9}",
                format!("{step}: {label}"),
                values.len(),
                ms(pct(values, 0.50)),
                ms(pct(values, 0.90)),
                ms(pct(values, 0.99)),
                ms(values.last().copied().unwrap_or(0)),
            );
        }
    }
    let late = up[2]
        .iter()
        .chain(&down[2])
        .filter(|v| **v > interval_us / 2)
        .count();
    if late > 0 {
        println!(
            "  {late} route changes came more than half an interval after their scheduled tick (a tick that found the target or primary not rolled out changes nothing)"
        );
    }

    let mut levels = BTreeMap::<&str, u64>::new();
    let mut warnings = BTreeMap::<String, u64>::new();
    for line in &log {
        *levels.entry(line.level.as_str()).or_default() += 1;
        if line.level != "info" && line.at >= changed_us {
            let msg: String = line
                .msg
                .replace(&line.name, "<name>")
                .chars()
                .take(100)
                .collect();
            *warnings
                .entry(format!("{}: {msg}", line.level))
                .or_default() += 1;
        }
    }
    println!("controller log lines by level: {levels:?}");
    let mut warnings: Vec<(String, u64)> = warnings.into_iter().collect();
    warnings.sort_by_key(|(_, c)| std::cmp::Reverse(*c));
    for (msg, count) in warnings.iter().take(8) {
        println!("    {count:>6} × {msg} (rollout)");
    }

    let timed = up[2].len() == n && down[2].len() == n;
    let ok = all_succeeded && failed == 0 && timed;
    println!(
        "result: all Initialized: {}; all promoted: {}; both route changes timed for all: {}",
        all_initialized,
        all_succeeded && failed == 0,
        timed
    );
    Ok(ok)
}
