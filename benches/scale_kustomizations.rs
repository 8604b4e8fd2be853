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

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::api::networking::v1::ServiceCIDR;
use k8s_openapi::api::rbac::v1::RoleBinding;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::json;
use testenv::git::{GitServers, GitServersOptions, HttpOptions};
use tk::api::kustomize::Kustomization;
use tk::api::source::GitRepository;

#[path = "support/scale.rs"]
mod scale;
use scale::{Sample, apply_crds, build_tk, clock_ticks_per_second, parse_secs, sample};

const NAMESPACE: &str = "scale-kustomizations";
const SOURCE: &str = "apps";
const SERVICE_CIDR: &str = "10.96.0.0/20";
const MIB: f64 = 1024.0;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// `tk controller source` and `tk controller kustomize`, as Flux's Deployments run.
    Split,
    /// One `tk controller all`.
    All,
}

struct Config {
    apps: usize,
    mode: Mode,
    concurrent: u16,
    qps: Option<String>,
    burst: Option<String>,
    tk: Option<PathBuf>,
    rss_limit_mb: f64,
    time_limit: Duration,
    requeue: bool,
    keep_logs: bool,
    /// TMPDIR of the controllers (where artifacts are extracted for builds).
    tmpdir: Option<PathBuf>,
    /// How long each phase may take before the harness reports what it has.
    deadline: Duration,
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
        mode: env("SCALE_MODE")
            .as_deref()
            .map(parse_mode)
            .transpose()?
            .unwrap_or(Mode::Split),
        concurrent: env("SCALE_CONCURRENT")
            .map(|v| v.parse())
            .transpose()?
            .unwrap_or(20),
        qps: env("SCALE_KUBE_API_QPS"),
        burst: env("SCALE_KUBE_API_BURST"),
        tk: env("SCALE_TK").map(PathBuf::from),
        rss_limit_mb: env("SCALE_RSS_LIMIT_MB")
            .map(|v| v.parse())
            .transpose()?
            .unwrap_or(60.0),
        time_limit: env("SCALE_TIME_LIMIT")
            .as_deref()
            .map(parse_secs)
            .transpose()?
            .unwrap_or(Duration::from_secs(120)),
        requeue: env("SCALE_NO_REQUEUE").is_none_or(|v| v == "0"),
        keep_logs: env("SCALE_KEEP_LOGS").is_some_and(|v| v != "0"),
        tmpdir: env("SCALE_TMPDIR").map(PathBuf::from),
        deadline: env("SCALE_DEADLINE")
            .as_deref()
            .map(parse_secs)
            .transpose()?
            .unwrap_or(Duration::from_secs(900)),
        wait: env("SCALE_NO_WAIT").is_none_or(|v| v == "0"),
    };
    scale::each_flag(args, |flag, value| {
        match flag {
            "--bench" => {}
            "--apps" => config.apps = parse_count(&value()?)?,
            "--mode" => config.mode = parse_mode(&value()?)?,
            "--concurrent" => config.concurrent = value()?.parse()?,
            "--kube-api-qps" => config.qps = Some(value()?),
            "--kube-api-burst" => config.burst = Some(value()?),
            "--tk" => config.tk = Some(PathBuf::from(value()?)),
            "--rss-limit-mb" => config.rss_limit_mb = value()?.parse()?,
            "--time-limit" => config.time_limit = parse_secs(&value()?)?,
            "--no-requeue" => config.requeue = false,
            "--keep-logs" => config.keep_logs = true,
            "--tmpdir" => config.tmpdir = Some(PathBuf::from(value()?)),
            "--deadline" => config.deadline = parse_secs(&value()?)?,
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

fn parse_mode(v: &str) -> Result<Mode> {
    match v {
        "split" => Ok(Mode::Split),
        "all" => Ok(Mode::All),
        _ => bail!("--mode is split or all, not {v:?}"),
    }
}

fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".to_string())
}

fn run(config: &Config) -> Result<bool> {
    let tk = match &config.tk {
        Some(path) => path.clone(),
        None => build_tk()?,
    };
    println!(
        "machine: {} cores, load average {} (shared with other work: time and CPU figures include its interference)",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );

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
    let names: &[&str] = match config.mode {
        Mode::Split => &["source", "kustomize"],
        Mode::All => &["all"],
    };
    let mut controllers = Vec::new();
    for name in names {
        controllers.push(Controller::spawn(
            &tk,
            name,
            config,
            cluster.kubeconfig_path(),
            &storage,
            work.path(),
        )?);
    }
    let result = runtime.block_on(measure(config, &cluster, &client, &mut controllers, &url));
    for controller in &mut controllers {
        controller.stop();
    }
    if config.keep_logs || result.is_err() {
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
    let params = PatchParams::apply("tk-scale").force();
    let ns: Namespace = serde_json::from_value(json!({ "metadata": { "name": NAMESPACE } }))?;
    Api::<Namespace>::all(client.clone())
        .patch(NAMESPACE, &params, &Patch::Apply(&ns))
        .await?;
    let sa: ServiceAccount = serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": { "name": "flux", "namespace": NAMESPACE },
    }))?;
    Api::<ServiceAccount>::namespaced(client.clone(), NAMESPACE)
        .patch("flux", &params, &Patch::Apply(&sa))
        .await?;
    let binding: RoleBinding = serde_json::from_value(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": { "name": "flux", "namespace": NAMESPACE },
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": "cluster-admin",
        },
        "subjects": [{ "kind": "ServiceAccount", "name": "flux", "namespace": NAMESPACE }],
    }))?;
    Api::<RoleBinding>::namespaced(client.clone(), NAMESPACE)
        .patch("flux", &params, &Patch::Apply(&binding))
        .await?;

    let cidrs: Api<ServiceCIDR> = Api::all(client.clone());
    let cidr: ServiceCIDR = serde_json::from_value(json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "ServiceCIDR",
        "metadata": { "name": NAMESPACE },
        "spec": { "cidrs": [SERVICE_CIDR] },
    }))?;
    cidrs
        .patch(NAMESPACE, &params, &Patch::Apply(&cidr))
        .await
        .context("creating a ServiceCIDR (needs Kubernetes 1.33 or later)")?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ready = cidrs
            .get(NAMESPACE)
            .await?
            .status
            .and_then(|s| s.conditions)
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        if ready {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("ServiceCIDR {SERVICE_CIDR} not Ready within 30s");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

struct Controller {
    name: &'static str,
    child: Child,
    metrics: u16,
    log: PathBuf,
}

impl Controller {
    fn spawn(
        tk: &Path,
        name: &str,
        config: &Config,
        kubeconfig: &Path,
        storage: &Path,
        dir: &Path,
    ) -> Result<Controller> {
        let name: &'static str = match name {
            "source" => "source",
            "kustomize" => "kustomize",
            _ => "all",
        };
        let log_path = dir.join(format!("{name}.log"));
        let log = fs::File::create(&log_path)?;
        let metrics = free_port()?;
        // flux-benchmark: kustomize-controller --concurrent=20, source-controller 10.
        let concurrent = if name == "source" {
            10
        } else {
            config.concurrent
        };
        let mut cmd = Command::new(tk);
        cmd.args([
            "controller",
            name,
            "--watch-all-namespaces=false",
            "-n",
            NAMESPACE,
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
        .arg(storage)
        .arg("--kubeconfig")
        .arg(kubeconfig);
        if let Some(qps) = &config.qps {
            cmd.arg(format!("--kube-api-qps={qps}"));
        }
        if let Some(burst) = &config.burst {
            cmd.arg(format!("--kube-api-burst={burst}"));
        }
        if let Some(tmpdir) = &config.tmpdir {
            cmd.env("TMPDIR", tmpdir);
        }
        let child = cmd
            .env_remove("KUBECONFIG")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", tk.display()))?;
        Ok(Controller {
            name,
            child,
            metrics,
            log: log_path,
        })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn check_alive(&mut self) -> Result<()> {
        if let Some(status) = self.child.try_wait()? {
            let tail = scale::log_tail(&self.log);
            bail!(
                "tk controller {} exited ({status}); last lines:\n{}",
                self.name,
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

/// CPU ticks of every control-plane component (local control planes only).
fn component_ticks(cluster: &testenv::ControlPlane) -> BTreeMap<&'static str, u64> {
    cluster
        .component_pids()
        .into_iter()
        .filter_map(|(name, pid)| Some((name, sample(pid).ok()?.cpu_ticks)))
        .collect()
}

/// `apiserver_request_total` summed over codes, by "VERB resource[/subresource]" (dry runs
/// marked), plus the non-2xx part by "VERB resource code".
#[derive(Default, Clone)]
struct Requests {
    by_kind: BTreeMap<String, f64>,
    failed: BTreeMap<String, f64>,
}

fn apiserver_requests(cluster: &testenv::ControlPlane) -> Result<Requests> {
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

fn prometheus_labels(text: &str) -> HashMap<String, String> {
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

fn delta(after: &BTreeMap<String, f64>, before: &BTreeMap<String, f64>) -> BTreeMap<String, f64> {
    after
        .iter()
        .map(|(k, v)| (k.clone(), v - before.get(k).copied().unwrap_or(0.0)))
        .filter(|(_, v)| *v > 0.0)
        .collect()
}

/// The value of one sample of a Prometheus text page, e.g.
/// `controller_runtime_reconcile_total{controller="kustomization",result="requeue_after"}`.
fn metric_sum(page: &str, name: &str, filter: &str) -> f64 {
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
fn own_requests(before: &str, after: &str, n: usize) {
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
        "    its own API requests (rest_client_requests_total): {total:.0} = {:.1} per app ({})",
        total / n as f64,
        parts.join(", ")
    );
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

/// The Kustomizations as the watch last saw them, fed by a task driving the watcher.
struct Tracker {
    rx: tokio::sync::mpsc::UnboundedReceiver<Kustomization>,
    latest: HashMap<String, Kustomization>,
    /// Not-Ready reasons seen, with how many objects showed each.
    reasons: BTreeMap<String, HashSet<String>>,
}

impl Tracker {
    fn start(client: &kube::Client) -> Tracker {
        let api: Api<Kustomization> = Api::namespaced(client.clone(), NAMESPACE);
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut stream = watcher(api, watcher::Config::default())
                .default_backoff()
                .applied_objects()
                .boxed();
            while let Some(event) = stream.next().await {
                match event {
                    Ok(ks) => {
                        if tx.send(ks).is_err() {
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
        }
    }

    /// Waits until `wanted` holds for `n` objects, printing progress every 15 s; returns when
    /// each object first satisfied it, relative to `since`.
    /// Gives up after `deadline`, returning fewer than `n` times.
    async fn wait_for(
        &mut self,
        n: usize,
        wanted: impl Fn(&Kustomization) -> bool,
        since: Instant,
        deadline: Duration,
        controllers: &mut [Controller],
    ) -> Result<Vec<Duration>> {
        let mut done: HashMap<String, Duration> = self
            .latest
            .iter()
            .filter(|(_, ks)| wanted(ks))
            .map(|(name, _)| (name.clone(), since.elapsed()))
            .collect();
        let mut tick = tokio::time::interval(Duration::from_secs(15));
        tick.tick().await;
        while done.len() < n {
            tokio::select! {
                ks = self.rx.recv() => {
                    let ks = ks.context("the watch ended")?;
                    let name = ks.metadata.name.clone().unwrap_or_default();
                    if let Some(reason) = not_ready_reason(&ks) {
                        self.reasons.entry(reason).or_default().insert(name.clone());
                    }
                    if wanted(&ks) {
                        done.entry(name.clone()).or_insert_with(|| since.elapsed());
                    } else {
                        done.remove(&name);
                    }
                    self.latest.insert(name, ks);
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
                }
            }
        }
        let mut times: Vec<Duration> = done.into_values().collect();
        times.sort();
        Ok(times)
    }
}

fn percentile(sorted: &[Duration], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = (sorted.len() * p).div_ceil(100).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64()
}

fn print_requests(title: &str, d: &BTreeMap<String, f64>, per: Option<f64>) {
    let total: f64 = d.values().sum();
    println!("{title}: {total:.0} requests");
    let mut rows: Vec<(&String, &f64)> = d.iter().collect();
    rows.sort_by(|a, b| b.1.total_cmp(a.1));
    for (k, v) in rows.into_iter().filter(|(_, v)| **v >= 0.5) {
        match per {
            Some(n) => println!("    {k:<45} {v:>8.0}  {:>6.2}/app", v / n),
            None => println!("    {k:<45} {v:>8.0}"),
        }
    }
}

fn log_summary(log: &Path) -> (BTreeMap<String, u64>, Vec<(String, u64)>) {
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
            // Object names make every message distinct; keep the first 100 characters.
            let key: String = msg.chars().take(100).collect();
            *messages.entry(format!("{level}: {key}")).or_insert(0) += 1;
        }
    }
    let mut top: Vec<(String, u64)> = messages.into_iter().collect();
    top.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    top.truncate(8);
    (levels, top)
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

    let mut tracker = Tracker::start(client);
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
        .wait_for(n, is_ready, created_at, config.deadline, controllers)
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
        match config.mode {
            Mode::Split => "tk controller source + tk controller kustomize",
            Mode::All => "tk controller all",
        },
        config.concurrent,
        config.qps.as_deref().unwrap_or("default"),
        config.burst.as_deref().unwrap_or("default"),
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
    if config.requeue
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
    let fast = all_ready && ready_after < config.time_limit;
    let small = peak < config.rss_limit_mb;
    println!(
        "bound: all Ready in under {}s: {}; kustomize controller peak RSS < {} MiB: {} ({peak:.1} MiB)",
        config.time_limit.as_secs(),
        if fast { "PASS" } else { "FAIL" },
        config.rss_limit_mb,
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
    tracker: &mut Tracker,
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
        .wait_for(n, handled, started, config.deadline, controllers)
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
    // Subtract the background (scaled to the round's length) and the harness's own patches.
    let scale = elapsed.as_secs_f64() / quiet.as_secs_f64();
    let mut d = delta(&r1.by_kind, &r0.by_kind);
    for (k, v) in &background {
        if let Some(x) = d.get_mut(k) {
            *x = (*x - v * scale).max(0.0);
        }
    }
    if let Some(x) = d.get_mut("PATCH kustomizations") {
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
    Ok(())
}
