//! Scale harness for the kustomize controller, in the shape of Flux's own benchmark
//! (github.com/fluxcd/flux-benchmark, `timoni/modules/flux-ks-bench`): N app Kustomizations,
//! each applying a Deployment scaled to zero, a ServiceAccount, a Service and an Ingress,
//! all created at once; the figures are the time until every one is Ready and the kustomize
//! controller's peak RSS. Flux v2.8 publishes 26 s / 32 MiB, 2m05s / 130 MiB and
//! 4m14s / 195 MiB for N = 100, 500 and 1000 on a 16-core runner; the target here is
//! N = 1000 in under 2 minutes and under 60 MiB on the 2-core development machine.
//!
//! As flux-benchmark does: every Kustomization lives in one namespace with
//! `targetNamespace` set to it, `interval: 60m`, `retryInterval: 2m`, `timeout: 1m`,
//! `prune: true`, `wait: true`, `serviceAccountName: flux` (a ServiceAccount bound to
//! cluster-admin by a RoleBinding in that namespace, so applies are impersonated) and a
//! `postBuild.substitute` of three variables; the kustomize controller runs with
//! `--concurrent=20` and the source controller with `--concurrent=10`, API QPS and burst at
//! their defaults (50 and 300, Flux's). Unlike flux-benchmark (one OCIRepository per app,
//! all pointing at one artifact), the apps come from one GitRepository whose repository holds
//! `apps/app-0001/` … `apps/app-NNNN/`, each with a kustomization.yaml and the 4 objects.
//!
//! Starts a testenv control plane (plus a ServiceCIDR of 4096 addresses: testenv's service
//! range is a /24, too small for 1000 Services) and a git HTTP server, applies tk's CRDs,
//! starts the release `tk controller source` and `tk controller kustomize` (or one
//! `tk controller all` with `--mode all`), waits until their metrics endpoints answer, then
//! creates the GitRepository and the N Kustomizations concurrently and watches the
//! Kustomizations until all are Ready at their current generation. It prints the time to
//! all-Ready (with the 10/50/90 % points), the controllers' peak RSS (VmHWM) and CPU seconds,
//! the control plane's CPU seconds, the not-Ready reasons seen on the way, and the
//! apiserver's request counts (`apiserver_request_total` from its `/metrics`) by verb and
//! resource. Then, in a steady state, it asks every Kustomization to reconcile
//! (`reconcile.fluxcd.io/requestedAt`, as `flux reconcile ks` does), watches until all have
//! handled it, and reports the time, CPU and API requests per unchanged reconcile (the
//! harness's own patches and the background rate of a quiet window before are subtracted).
//! The controllers have no client-side request counter, so requests are counted by the
//! apiserver.
//!
//! ```text
//! cargo bench --bench scale_kustomizations                       # 1000 apps, split controllers
//! cargo bench --bench scale_kustomizations -- --apps 100
//! cargo bench --bench scale_kustomizations -- --apps 1000 --mode all
//! SCALE_APPS=500 cargo bench --bench scale_kustomizations
//! ```
//!
//! Options (flag or environment): `--apps N` / `SCALE_APPS` (1000), `--mode split|all` /
//! `SCALE_MODE` (split), `--concurrent N` / `SCALE_CONCURRENT` (20, the kustomize
//! controller's; the source controller gets 10 in split mode), `--kube-api-qps X` /
//! `SCALE_KUBE_API_QPS` and `--kube-api-burst N` / `SCALE_KUBE_API_BURST` (the controller
//! defaults when unset), `--tk PATH` / `SCALE_TK` (default: `cargo build --release --bin tk`
//! and its executable), `--rss-limit-mb N` / `SCALE_RSS_LIMIT_MB` (60), `--time-limit SECS` /
//! `SCALE_TIME_LIMIT` (120; `2m` works too), `--no-requeue` / `SCALE_NO_REQUEUE=1` (skip the
//! steady-state reconcile round), `--keep-logs` / `SCALE_KEEP_LOGS=1`, `--tmpdir PATH` /
//! `SCALE_TMPDIR` (the controllers' TMPDIR, where each reconcile extracts the artifact:
//! `/dev/shm` is Flux's "in-memory kustomize builds"), `--deadline SECS` / `SCALE_DEADLINE`
//! (900: a phase that takes longer is reported as far as it got), `--no-wait` /
//! `SCALE_NO_WAIT=1` (`wait: false`, to see what the health checks cost). `TK_TEST_KUBECONFIG` uses
//! an existing cluster (request counts then need its admin client certificate). Exits 1 when
//! all-Ready takes longer than the time limit or the kustomize controller's peak RSS is not
//! under the RSS limit.
//!
//! Run without `--bench` (as `cargo test --benches` does) it does nothing: it needs minutes.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use futures::{StreamExt, TryStreamExt};
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::json;
use testenv::git::{GitServers, GitServersOptions, HttpOptions};
use tk::api::kustomize::Kustomization;
use tk::api::source::GitRepository;

#[path = "support/scale.rs"]
mod scale;
use scale::{
    Controller, ControllerSpec, MIB, Mode, Sample, Tracker, apiserver_requests, apply_crds,
    build_tk, clock_ticks_per_second, component_ticks, delta, load_average, log_summary,
    metric_sum, own_requests, percentile_secs as percentile, print_requests, sample,
};

const NAMESPACE: &str = "scale-kustomizations";
const SOURCE: &str = "apps";
const SERVICE_CIDR: &str = "10.96.0.0/20";

struct Config {
    apps: usize,
    run: scale::ControllerRun,
    /// TMPDIR of the controllers (where artifacts are extracted for builds).
    tmpdir: Option<PathBuf>,
    /// `spec.wait` of the Kustomizations (flux-benchmark: true).
    wait: bool,
}

fn main() -> ExitCode {
    scale::main("scale_kustomizations", parse, run)
}

fn parse(args: &[String]) -> Result<Config> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut config = Config {
        apps: env("SCALE_APPS")
            .as_deref()
            .map(parse_count)
            .transpose()?
            .unwrap_or(1000),
        run: scale::ControllerRun::from_env(20, 60.0, Duration::from_secs(120))?,
        tmpdir: env("SCALE_TMPDIR").map(PathBuf::from),
        wait: env("SCALE_NO_WAIT").is_none_or(|v| v == "0"),
    };
    scale::each_flag(args, |flag, value| {
        if config.run.flag(flag, value)? {
            return Ok(());
        }
        match flag {
            "--apps" => config.apps = parse_count(&value()?)?,
            "--tmpdir" => config.tmpdir = Some(PathBuf::from(value()?)),
            "--no-wait" => config.wait = false,
            other => bail!("unknown argument {other}"),
        }
        Ok(())
    })?;
    if config.apps == 0 || config.apps > 9999 {
        bail!("--apps must be between 1 and 9999");
    }
    Ok(config)
}

fn parse_count(v: &str) -> Result<usize> {
    v.parse()
        .with_context(|| format!("{v:?} is not a number of apps"))
}

fn run(config: &Config) -> Result<bool> {
    let tk = match &config.run.tk {
        Some(path) => path.clone(),
        None => build_tk()?,
    };
    scale::print_machine();

    let started = Instant::now();
    let cluster = scale::control_plane()?;
    println!(
        "control plane up in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let servers = GitServers::start_with(GitServersOptions {
        ssh: None,
        http: Some(HttpOptions::default()),
        daemon: false,
    })?;
    let url = make_repo(&servers, config.apps)?;
    println!(
        "git repository with {} apps ready in {:.1}s",
        config.apps,
        started.elapsed().as_secs_f64()
    );

    let runtime = tokio::runtime::Runtime::new()?;
    let client = runtime.block_on(async {
        let client = scale::client(cluster.kubeconfig_path()).await?;
        apply_crds(&client).await?;
        prepare_cluster(&client).await?;
        anyhow::Ok(client)
    })?;

    let work = tempfile::Builder::new()
        .prefix("tk-scale-kustomizations-")
        .tempdir()?;
    let storage = work.path().join("storage");
    let names: &[&'static str] = match config.run.mode {
        Mode::Split => &["source", "kustomize"],
        Mode::All => &["all"],
    };
    let spec = ControllerSpec {
        tk: &tk,
        namespace: NAMESPACE,
        kubeconfig: cluster.kubeconfig_path(),
        storage: &storage,
        dir: work.path(),
    };
    let mut extra = Vec::new();
    if let Some(qps) = &config.run.qps {
        extra.push(format!("--kube-api-qps={qps}"));
    }
    if let Some(burst) = &config.run.burst {
        extra.push(format!("--kube-api-burst={burst}"));
    }
    let env: Vec<(&str, std::ffi::OsString)> = config
        .tmpdir
        .iter()
        .map(|t| ("TMPDIR", t.clone().into_os_string()))
        .collect();
    let mut controllers = Vec::new();
    for &name in names {
        // flux-benchmark: kustomize-controller --concurrent=20, source-controller 10.
        let concurrent = if name == "source" {
            10
        } else {
            config.run.concurrent
        };
        controllers.push(Controller::spawn(&spec, name, concurrent, &extra, &env)?);
    }
    let result = runtime.block_on(measure(config, &cluster, &client, &mut controllers, &url));
    for controller in &mut controllers {
        controller.stop();
    }
    if config.run.keep_logs || result.is_err() {
        let kept = work.keep();
        eprintln!("controller logs kept in {}", kept.display());
    }
    result
}

fn app_name(i: usize) -> String {
    format!("app-{i:04}")
}

/// The files of one app: what flux-benchmark's podinfo test manifests hold, with the names
/// written out (they are substituted there) and `${INDEX}` and `${MCPU}` left to
/// `postBuild.substitute`.
fn app_files(i: usize) -> Vec<(String, String)> {
    let name = app_name(i);
    let dir = format!("apps/{name}");
    vec![
        (
            format!("{dir}/kustomization.yaml"),
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- serviceaccount.yaml\n- deployment.yaml\n- service.yaml\n- ingress.yaml\n".to_string(),
        ),
        (
            format!("{dir}/serviceaccount.yaml"),
            format!(
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  labels:\n    app.kubernetes.io/name: {name}\n"
            ),
        ),
        (
            format!("{dir}/deployment.yaml"),
            format!(
                r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    app.kubernetes.io/name: {name}
  annotations:
    bench.example.com/index: "${{INDEX}}"
spec:
  replicas: 0
  revisionHistoryLimit: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
    spec:
      serviceAccountName: {name}
      containers:
      - name: podinfo
        image: ghcr.io/stefanprodan/podinfo:6.7.1
        command: ["./podinfo", "--port=9898", "--level=info"]
        ports:
        - name: http
          containerPort: 9898
          protocol: TCP
        readinessProbe:
          httpGet:
            path: /readyz
            port: 9898
        resources:
          requests:
            cpu: ${{MCPU}}
            memory: 16Mi
          limits:
            memory: 64Mi
"#
            ),
        ),
        (
            format!("{dir}/service.yaml"),
            format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  labels:\n    app.kubernetes.io/name: {name}\nspec:\n  type: ClusterIP\n  selector:\n    app.kubernetes.io/name: {name}\n  ports:\n  - name: http\n    port: 9898\n    protocol: TCP\n    targetPort: http\n"
            ),
        ),
        (
            format!("{dir}/ingress.yaml"),
            format!(
                "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n  labels:\n    app.kubernetes.io/name: {name}\nspec:\n  ingressClassName: nginx\n  rules:\n  - host: {name}.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: {name}\n            port:\n              number: 9898\n"
            ),
        ),
    ]
}

/// One repository holding every app directory, in one commit; returns its URL.
fn make_repo(servers: &GitServers, apps: usize) -> Result<String> {
    let repo = servers.create_repo("apps")?;
    let contents: Vec<(String, String)> = (1..=apps).flat_map(app_files).collect();
    let files: Vec<(&str, &str)> = contents
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    repo.commit("Add the apps", &files)?;
    repo.push()?;
    Ok(servers.http().url("apps"))
}

/// The namespace, the `flux` ServiceAccount the Kustomizations impersonate (bound to
/// cluster-admin in the namespace, as flux-benchmark's `namespace-admin` role does) and a
/// ServiceCIDR large enough for N ClusterIP Services.
async fn prepare_cluster(client: &kube::Client) -> Result<()> {
    scale::prepare_namespace(client, NAMESPACE).await?;
    scale::add_service_cidr(client, NAMESPACE, SERVICE_CIDR).await
}

fn is_ready(ks: &Kustomization) -> bool {
    let generation = ks.metadata.generation;
    ks.status.as_ref().is_some_and(|s| {
        s.observed_generation == generation
            && s.conditions
                .as_ref()
                .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
    })
}

/// "Reason" of a Kustomization's Ready condition when it is not True.
fn not_ready_reason(ks: &Kustomization) -> Option<String> {
    let c = ks
        .status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready")?;
    (c.status != "True").then(|| format!("{}={}", c.status, c.reason))
}

async fn create_objects(client: &kube::Client, url: &str, apps: usize, wait: bool) -> Result<()> {
    let repos: Api<GitRepository> = Api::namespaced(client.clone(), NAMESPACE);
    let repo: GitRepository = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": { "name": SOURCE, "namespace": NAMESPACE },
        "spec": { "url": url, "interval": "60m", "ref": { "branch": "main" } },
    }))?;
    repos.create(&PostParams::default(), &repo).await?;
    let api: Api<Kustomization> = Api::namespaced(client.clone(), NAMESPACE);
    futures::stream::iter(1..=apps)
        .map(|i| {
            let api = api.clone();
            async move {
                let name = app_name(i);
                let obj: Kustomization = serde_json::from_value(json!({
                    "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
                    "kind": "Kustomization",
                    "metadata": { "name": name, "namespace": NAMESPACE },
                    "spec": {
                        "sourceRef": { "kind": "GitRepository", "name": SOURCE },
                        "path": format!("./apps/{name}"),
                        "interval": "60m",
                        "retryInterval": "2m",
                        "timeout": "1m",
                        "prune": true,
                        "wait": wait,
                        "serviceAccountName": "flux",
                        "targetNamespace": NAMESPACE,
                        "postBuild": { "substitute": {
                            "INDEX": format!("{i}app"),
                            "PODS": "0",
                            "MCPU": "1m",
                        } },
                    },
                }))?;
                api.create(&PostParams::default(), &obj).await?;
                anyhow::Ok(())
            }
        })
        .buffer_unordered(32)
        .try_collect::<Vec<()>>()
        .await?;
    Ok(())
}

async fn measure(
    config: &Config,
    cluster: &testenv::ControlPlane,
    client: &kube::Client,
    controllers: &mut [Controller],
    url: &str,
) -> Result<bool> {
    let hz = clock_ticks_per_second();
    let n = config.apps;

    // The controllers are up when their metrics endpoints answer; then give their watches a
    // moment to list (nothing exists yet, so this is quick).
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
    let idle: Vec<Sample> = controllers
        .iter()
        .map(|c| sample(c.pid()))
        .collect::<Result<_>>()?;
    for (c, s) in controllers.iter().zip(&idle) {
        println!(
            "tk controller {} (pid {}): idle RSS {:.1} MiB, {} threads",
            c.name,
            c.pid(),
            s.rss_kb as f64 / MIB,
            s.threads
        );
    }

    let mut tracker = Tracker::start(
        Api::<Kustomization>::namespaced(client.clone(), NAMESPACE),
        not_ready_reason,
    );
    let requests0 = apiserver_requests(cluster).ok();
    let cp0 = component_ticks(cluster);
    let load0 = load_average();

    // Phase 1: everything created at once, until every Kustomization is Ready.
    let created_at = Instant::now();
    create_objects(client, url, n, config.wait).await?;
    println!(
        "GitRepository and {n} Kustomizations created in {:.1}s (load {load0})",
        created_at.elapsed().as_secs_f64()
    );
    let times = tracker
        .wait_for(n, is_ready, created_at, config.run.deadline, controllers)
        .await?;
    let ready_after = created_at.elapsed();
    let load1 = load_average();
    let at_ready: Vec<Sample> = controllers
        .iter()
        .map(|c| sample(c.pid()))
        .collect::<Result<_>>()?;
    let cp1 = component_ticks(cluster);
    let requests1 = apiserver_requests(cluster).ok();
    let pages: Vec<String> = controllers
        .iter()
        .map(|c| c.scrape().unwrap_or_default())
        .collect();

    println!();
    println!("== scale_kustomizations: {n} apps, all created at once ==");
    println!(
        "controllers: {} (kustomize --concurrent={}, kube-api-qps {}, burst {})",
        match config.run.mode {
            Mode::Split => "tk controller source + tk controller kustomize",
            Mode::All => "tk controller all",
        },
        config.run.concurrent,
        config.run.qps.as_deref().unwrap_or("default"),
        config.run.burst.as_deref().unwrap_or("default"),
    );
    println!(
        "TMPDIR of the controllers: {}; Kustomizations with wait: {}",
        config
            .tmpdir
            .as_ref()
            .map_or("inherited".to_string(), |p| p.display().to_string()),
        config.wait
    );
    let all_ready = times.len() == n;
    let point = |p: usize| {
        // Percentiles of all n objects; those not Ready by the deadline never reached one.
        let k = (n * p).div_ceil(100).max(1);
        times
            .get(k - 1)
            .map_or("-".to_string(), |t| format!("{:.1}s", t.as_secs_f64()))
    };
    println!(
        "time to all Ready: {} (10% {}, 50% {}, 90% {}); load average {load0} before, {load1} after",
        if all_ready {
            format!("{:.1}s", ready_after.as_secs_f64())
        } else {
            format!(
                "NOT REACHED: {}/{n} Ready after {:.0}s",
                times.len(),
                ready_after.as_secs_f64()
            )
        },
        point(10),
        point(50),
        point(90),
    );
    for ((c, s), page) in controllers.iter().zip(&at_ready).zip(&pages) {
        let cpu = s.cpu_ticks as f64 / hz;
        println!(
            "tk controller {}: peak RSS (VmHWM) {:.1} MiB, RSS at the end {:.1} MiB, CPU {cpu:.1}s of which {:.1}s in the kernel ({:.0}% of one core over the run), {} threads",
            c.name,
            s.hwm_kb as f64 / MIB,
            s.rss_kb as f64 / MIB,
            s.sys_ticks as f64 / hz,
            cpu / ready_after.as_secs_f64() * 100.0,
            s.threads
        );
        for (controller, label) in [
            ("kustomization", "Kustomization"),
            ("gitrepository", "GitRepository"),
        ] {
            let filter = format!("controller=\"{controller}\"");
            let total = metric_sum(page, "controller_runtime_reconcile_total", &filter);
            if total == 0.0 {
                continue;
            }
            let errors = metric_sum(page, "controller_runtime_reconcile_errors_total", &filter);
            let secs = metric_sum(
                page,
                "controller_runtime_reconcile_time_seconds_sum",
                &filter,
            );
            println!(
                "    {label} reconciles: {total:.0} ({errors:.0} errors), {:.2}s on average, {secs:.0}s in all",
                secs / total.max(1.0)
            );
        }
        own_requests("", page, n);
    }
    if !cp0.is_empty() {
        let parts: Vec<String> = cp1
            .iter()
            .map(|(name, t)| {
                format!(
                    "{name} {:.1}s",
                    (t - cp0.get(name).copied().unwrap_or(0)) as f64 / hz
                )
            })
            .collect();
        println!("control plane CPU in the run: {}", parts.join(", "));
    }
    let reasons: Vec<String> = tracker
        .reasons
        .iter()
        .map(|(r, names)| format!("{r} ({} objects)", names.len()))
        .collect();
    println!(
        "Ready conditions seen before Ready: {}",
        if reasons.is_empty() {
            "none".to_string()
        } else {
            reasons.join(", ")
        }
    );
    if let (Some(r0), Some(r1)) = (&requests0, &requests1) {
        print_requests(
            "apiserver requests in the run (all clients)",
            &delta(&r1.by_kind, &r0.by_kind),
            Some(n as f64),
        );
        let failed = delta(&r1.failed, &r0.failed);
        if !failed.is_empty() {
            print_requests("  of which not 2xx", &failed, None);
        }
    }

    // Phase 2: every Kustomization asked to reconcile with nothing changed.
    if config.run.requeue
        && all_ready
        && let Err(e) = steady_round(config, cluster, client, controllers, &mut tracker, hz).await
    {
        println!("steady-state round failed: {e:#}");
    }

    for c in controllers.iter() {
        let (levels, top) = log_summary(&c.log);
        println!("tk controller {} log lines by level: {levels:?}", c.name);
        for (msg, count) in top {
            println!("    {count:>6} × {msg}");
        }
    }
    let kustomize = controllers.len() - 1;
    let peak = sample(controllers[kustomize].pid())?.hwm_kb as f64 / MIB;
    let fast = all_ready && ready_after < config.run.time_limit;
    let small = peak < config.run.rss_limit_mb;
    println!(
        "bound: all Ready in under {}s: {}; kustomize controller peak RSS < {} MiB: {} ({peak:.1} MiB)",
        config.run.time_limit.as_secs(),
        if fast { "PASS" } else { "FAIL" },
        config.run.rss_limit_mb,
        if small { "PASS" } else { "FAIL" },
    );
    Ok(fast && small)
}

/// Asks every Kustomization to reconcile (nothing changed) and counts what that costs.
async fn steady_round(
    config: &Config,
    cluster: &testenv::ControlPlane,
    client: &kube::Client,
    controllers: &mut [Controller],
    tracker: &mut Tracker<Kustomization>,
    hz: f64,
) -> Result<()> {
    let n = config.apps;
    // A quiet window first: the background request rate (controller managers, leases).
    let quiet = Duration::from_secs(10);
    tokio::time::sleep(Duration::from_secs(5)).await;
    let q0 = apiserver_requests(cluster)?;
    tokio::time::sleep(quiet).await;
    let q1 = apiserver_requests(cluster)?;
    let background = delta(&q1.by_kind, &q0.by_kind);

    let api: Api<Kustomization> = Api::namespaced(client.clone(), NAMESPACE);
    let token = k8s_openapi::jiff::Timestamp::now().to_string();
    let before: Vec<Sample> = controllers
        .iter()
        .map(|c| sample(c.pid()))
        .collect::<Result<_>>()?;
    let pages0: Vec<String> = controllers
        .iter()
        .map(|c| c.scrape().unwrap_or_default())
        .collect();
    let r0 = apiserver_requests(cluster)?;
    let load0 = load_average();
    let started = Instant::now();
    let patch =
        json!({ "metadata": { "annotations": { "reconcile.fluxcd.io/requestedAt": token } } });
    futures::stream::iter(1..=n)
        .map(|i| {
            let api = api.clone();
            let patch = patch.clone();
            async move {
                api.patch(&app_name(i), &PatchParams::default(), &Patch::Merge(&patch))
                    .await?;
                anyhow::Ok(())
            }
        })
        .buffer_unordered(32)
        .try_collect::<Vec<()>>()
        .await?;
    let handled = |ks: &Kustomization| {
        is_ready(ks)
            && ks
                .status
                .as_ref()
                .and_then(|s| s.last_handled_reconcile_at.as_deref())
                == Some(token.as_str())
    };
    let times = tracker
        .wait_for(n, handled, started, config.run.deadline, controllers)
        .await?;
    if times.len() < n {
        bail!("only {}/{n} handled the request", times.len());
    }
    let elapsed = started.elapsed();
    let r1 = apiserver_requests(cluster)?;
    let after: Vec<Sample> = controllers
        .iter()
        .map(|c| sample(c.pid()))
        .collect::<Result<_>>()?;
    let pages1: Vec<String> = controllers
        .iter()
        .map(|c| c.scrape().unwrap_or_default())
        .collect();

    println!();
    println!("== steady state: {n} reconciles requested, nothing changed ==");
    println!(
        "all handled in {:.1}s (50% {:.1}s, 90% {:.1}s) = {:.0} reconciles/s; load {load0} before, {} after",
        elapsed.as_secs_f64(),
        percentile(&times, 50),
        percentile(&times, 90),
        n as f64 / elapsed.as_secs_f64(),
        load_average()
    );
    for (((c, b), a), (p0, p1)) in controllers
        .iter()
        .zip(&before)
        .zip(&after)
        .zip(pages0.iter().zip(&pages1))
    {
        let cpu = (a.cpu_ticks - b.cpu_ticks) as f64 / hz;
        let sys = (a.sys_ticks - b.sys_ticks) as f64 / hz;
        let filter = "controller=\"kustomization\"";
        let reconciles = metric_sum(p1, "controller_runtime_reconcile_total", filter)
            - metric_sum(p0, "controller_runtime_reconcile_total", filter);
        let secs = metric_sum(p1, "controller_runtime_reconcile_time_seconds_sum", filter)
            - metric_sum(p0, "controller_runtime_reconcile_time_seconds_sum", filter);
        println!(
            "tk controller {}: CPU {cpu:.1}s, {sys:.1}s of it in the kernel ({:.1} ms per app), RSS {:.1} MiB, VmHWM {:.1} MiB; {reconciles:.0} Kustomization reconciles, {:.3}s each on average",
            c.name,
            cpu * 1000.0 / n as f64,
            a.rss_kb as f64 / MIB,
            a.hwm_kb as f64 / MIB,
            secs / reconciles.max(1.0)
        );
        own_requests(p0, p1, n);
    }
    scale::print_round_requests(
        &r0,
        &r1,
        &background,
        elapsed,
        quiet,
        "PATCH kustomizations",
        n,
    );
    Ok(())
}
