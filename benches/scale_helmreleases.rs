//! Scale harness for the helm controller, in the shape of Flux's own benchmark
//! (github.com/fluxcd/flux-benchmark, `timoni/modules/flux-hr-bench`): N HelmReleases of one
//! small chart from one HelmRepository, all created at once in one namespace, each its own
//! release; the figures are the time until every one is Ready and the helm controller's peak
//! RSS. Flux v2.8 publishes 27 s / 190 MiB, 2m15s / 255 MiB and 4m58s / 330 MiB for N = 100,
//! 500 and 1000 on a 16-core runner; the target here is N = 1000 in under 2.5 minutes and
//! under 100 MiB on the 2-core development machine.
//!
//! As flux-hr-bench does: HelmReleases `podinfo-0` … `podinfo-<N-1>` with
//! `releaseName` the same, `serviceAccountName: flux` (a ServiceAccount bound to cluster-admin
//! by a RoleBinding in the namespace, so every release is made impersonated),
//! `targetNamespace` and `storageNamespace` the namespace, `interval: 60m`, a chart template
//! (`podinfo` 6.5.3 from HelmRepository `podinfo`, chart `interval: 600m`, so each release
//! gets its own HelmChart), `install.crds: Create`, `upgrade.crds: CreateReplace`, no
//! timeouts (flux-hr-bench sets none: the 5m default applies), and its values
//! (`replicaCount: 0`, `serviceAccount.enabled: true`, `resources.requests` of 1m CPU and
//! 16Mi). The HelmRepository has `interval: 12h`, `timeout: 2m`. The helm and source
//! controllers run with `--concurrent=10` (flux-benchmark's `install-manifests` patch for
//! both), API QPS and burst at their defaults. Unlike flux-benchmark (podinfo from an OCI
//! registry), the chart is served over HTTP by `testenv::charts::ChartRepoServer`, packaged by
//! the real `helm`: a podinfo-like chart of a Deployment at zero replicas, a ServiceAccount
//! and a Service, with helpers (`define`/`include`, `toYaml | nindent`) as podinfo's.
//!
//! Starts a testenv control plane (plus a ServiceCIDR of 4096 addresses: testenv's service
//! range is a /24, too small for 1000 Services), applies tk's CRDs and, with `--extra-crds N`,
//! N dummy CRDs (Flux's helm-controller ran out of memory in clusters with many CRDs), starts
//! the release `tk controller source` and `tk controller helm` (or one `tk controller all`
//! with `--mode all`), waits until their metrics endpoints answer, then creates the
//! HelmRepository and the N HelmReleases concurrently and watches them until all are Ready
//! and Released at their current generation. It prints the time to all-Ready (with the
//! 10/50/90 % points, and when the HelmCharts were Ready), the controllers' peak RSS (VmHWM)
//! and CPU seconds, the control plane's CPU seconds, the not-Ready reasons seen on the way, and
//! the apiserver's request counts (`apiserver_request_total`) by verb and resource. Then, in a
//! steady state, it asks every HelmRelease to reconcile (`reconcile.fluxcd.io/requestedAt`, as
//! `flux reconcile hr` does), watches until all have handled it, and reports the time, CPU and
//! API requests per unchanged reconcile (the harness's own patches and the background rate of
//! a quiet window subtracted). Each controller's RSS and CPU are read once a second throughout
//! (`rss.csv` beside the logs).
//!
//! ```text
//! cargo bench --bench scale_helmreleases                        # 1000 releases, split controllers
//! cargo bench --bench scale_helmreleases -- --releases 100
//! cargo bench --bench scale_helmreleases -- --releases 1000 --extra-crds 300
//! SCALE_RELEASES=500 SCALE_MODE=all cargo bench --bench scale_helmreleases
//! ```
//!
//! Options (flag or environment): `--releases N` / `SCALE_RELEASES` (1000), `--mode split|all` /
//! `SCALE_MODE` (split), `--concurrent N` / `SCALE_CONCURRENT` (10, the helm controller's; the
//! source controller gets 10 in split mode), `--kube-api-qps X` / `SCALE_KUBE_API_QPS` and
//! `--kube-api-burst N` / `SCALE_KUBE_API_BURST` (controller defaults when unset), `--tk PATH`
//! / `SCALE_TK` (default: `cargo build --release --bin tk` and its executable),
//! `--rss-limit-mb N` / `SCALE_RSS_LIMIT_MB` (100), `--time-limit SECS` / `SCALE_TIME_LIMIT`
//! (150), `--extra-crds N` / `SCALE_EXTRA_CRDS` (0), `--no-requeue` / `SCALE_NO_REQUEUE=1`,
//! `--keep-logs` / `SCALE_KEEP_LOGS=1`, `--deadline SECS` / `SCALE_DEADLINE` (900: a phase that
//! takes longer is reported as far as it got), `--controller-arg ARG` (repeatable: one more
//! argument for every controller, e.g. `--controller-arg=--log-level=debug`), `--stall SECS` /
//! `SCALE_STALL` (60: a phase in
//! which no HelmRelease changed for that long is reported as far as it got; the releases left
//! would wait for their 60m interval). `TK_TEST_KUBECONFIG` uses an existing cluster.
//! Exits 1 when all-Ready takes longer than the time limit or the helm controller's peak RSS
//! is not under the RSS limit.
//!
//! Run without `--bench` (as `cargo test --benches` does) it does nothing: it needs minutes.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::json;
use testenv::charts::{ChartRepo, ChartRepoOptions, ChartRepoServer};
use tk::api::helm::HelmRelease;
use tk::api::source::{HelmChart, HelmRepository};

#[path = "support/scale.rs"]
mod scale;
use scale::{
    Controller, ControllerSpec, MIB, Mode, Sample, Trace, Tracker, apiserver_requests, apply_crds,
    build_tk, clock_ticks_per_second, component_cpu, component_ticks, delta, load_average,
    log_summary, metric_sum, own_requests, parse_secs, percentile_secs, point_of, print_requests,
    sample, samples, scrapes,
};

const NAMESPACE: &str = "scale-helmreleases";
const REPOSITORY: &str = "podinfo";
const CHART: &str = "podinfo";
const CHART_VERSION: &str = "6.5.3";
const SERVICE_CIDR: &str = "10.96.0.0/20";
/// The label on the dummy CRDs of `--extra-crds`.
const DUMMY_LABEL: &str = "scale.tk.example.com/dummy";

struct Config {
    releases: usize,
    run: scale::ControllerRun,
    extra_crds: usize,
    /// Give a phase up when no HelmRelease changed for this long.
    stall: Duration,
    /// More arguments for every controller (`--controller-arg=--log-level=debug`).
    controller_args: Vec<String>,
}

fn main() -> ExitCode {
    scale::main("scale_helmreleases", parse, run)
}

fn parse(args: &[String]) -> Result<Config> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let count = |v: &str| -> Result<usize> {
        v.parse()
            .with_context(|| format!("{v:?} is not a whole number"))
    };
    let mut config = Config {
        releases: env("SCALE_RELEASES")
            .as_deref()
            .map(count)
            .transpose()?
            .unwrap_or(1000),
        run: scale::ControllerRun::from_env(10, 100.0, Duration::from_secs(150))?,
        extra_crds: env("SCALE_EXTRA_CRDS")
            .as_deref()
            .map(count)
            .transpose()?
            .unwrap_or(0),
        stall: env("SCALE_STALL")
            .as_deref()
            .map(parse_secs)
            .transpose()?
            .unwrap_or(Duration::from_secs(60)),
        controller_args: Vec::new(),
    };
    scale::each_flag(args, |flag, value| {
        if config.run.flag(flag, value)? {
            return Ok(());
        }
        match flag {
            "--releases" => config.releases = count(&value()?)?,
            "--extra-crds" => config.extra_crds = count(&value()?)?,
            "--stall" => config.stall = parse_secs(&value()?)?,
            "--controller-arg" => config.controller_args.push(value()?),
            other => bail!("unknown argument {other}"),
        }
        Ok(())
    })?;
    if config.releases == 0 || config.releases > 4000 {
        bail!("--releases must be between 1 and 4000 (the ServiceCIDR holds 4096 Services)");
    }
    if config.run.concurrent == 0 {
        bail!("--concurrent must be at least 1");
    }
    Ok(config)
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
    let (_repo, server) = chart_repository()?;
    println!(
        "chart repository {} serving {CHART}-{CHART_VERSION}.tgz (packaged by helm) ready in {:.1}s",
        server.url(),
        started.elapsed().as_secs_f64()
    );

    let runtime = tokio::runtime::Runtime::new()?;
    let client = runtime.block_on(async {
        let client = scale::client(cluster.kubeconfig_path()).await?;
        apply_crds(&client).await?;
        scale::prepare_namespace(&client, NAMESPACE).await?;
        scale::add_service_cidr(&client, NAMESPACE, SERVICE_CIDR).await?;
        if config.extra_crds > 0 {
            let started = Instant::now();
            install_dummy_crds(&client, config.extra_crds).await?;
            println!(
                "{} dummy CRDs established in {:.1}s",
                config.extra_crds,
                started.elapsed().as_secs_f64()
            );
        }
        let crds = Api::<CustomResourceDefinition>::all(client.clone())
            .list_metadata(&ListParams::default())
            .await?
            .items
            .len();
        println!("CRDs in the cluster: {crds}");
        anyhow::Ok(client)
    })?;

    let work = tempfile::Builder::new()
        .prefix("tk-scale-helmreleases-")
        .tempdir()?;
    let storage = work.path().join("storage");
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
    extra.extend(config.controller_args.iter().cloned());
    let mut controllers = Vec::new();
    let names: &[&'static str] = match config.run.mode {
        Mode::Split => &["source", "helm"],
        Mode::All => &["all"],
    };
    for &name in names {
        // flux-benchmark: source-controller and helm-controller both --concurrent=10.
        let concurrent = if name == "source" {
            10
        } else {
            config.run.concurrent
        };
        controllers.push(Controller::spawn(&spec, name, concurrent, &extra, &[])?);
    }
    let result = runtime.block_on(measure(
        config,
        &cluster,
        &client,
        &mut controllers,
        &server,
        work.path(),
    ));
    for controller in &mut controllers {
        controller.stop();
    }
    if config.run.keep_logs || result.is_err() {
        let kept = work.keep();
        eprintln!("controller logs and rss.csv kept in {}", kept.display());
    }
    result
}

const HELPERS: &str = r#"{{- define "podinfo.fullname" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "podinfo.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "podinfo.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "podinfo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "podinfo.fullname" . }}
{{- end -}}

{{- define "podinfo.serviceAccountName" -}}
{{- if .Values.serviceAccount.enabled -}}
{{ default (include "podinfo.fullname" .) .Values.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.serviceAccount.name }}
{{- end -}}
{{- end -}}
"#;

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "podinfo.fullname" . }}
  labels:
    {{- include "podinfo.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
  revisionHistoryLimit: 2
  selector:
    matchLabels:
      {{- include "podinfo.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "podinfo.selectorLabels" . | nindent 8 }}
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ .Values.service.port | quote }}
    spec:
      serviceAccountName: {{ include "podinfo.serviceAccountName" . }}
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          command:
            - ./podinfo
            - --port={{ .Values.service.port }}
            - --level={{ .Values.logLevel }}
          ports:
            - name: http
              containerPort: {{ .Values.service.port }}
              protocol: TCP
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
"#;

const SERVICE: &str = r#"apiVersion: v1
kind: Service
metadata:
  name: {{ include "podinfo.fullname" . }}
  labels:
    {{- include "podinfo.labels" . | nindent 4 }}
spec:
  type: {{ .Values.service.type }}
  selector:
    {{- include "podinfo.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .Values.service.port }}
      protocol: TCP
      targetPort: http
"#;

const SERVICE_ACCOUNT: &str = r#"{{- if .Values.serviceAccount.enabled -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "podinfo.serviceAccountName" . }}
  labels:
    {{- include "podinfo.labels" . | nindent 4 }}
{{- end }}
"#;

const VALUES: &str = r#"replicaCount: 1
logLevel: info
image:
  repository: ghcr.io/stefanprodan/podinfo
  tag: ""
  pullPolicy: IfNotPresent
service:
  type: ClusterIP
  port: 9898
serviceAccount:
  enabled: false
  name: ""
resources:
  limits:
    memory: 256Mi
  requests:
    cpu: 1m
    memory: 16Mi
"#;

/// The chart, packaged by helm into a repository served on loopback.
fn chart_repository() -> Result<(ChartRepo, ChartRepoServer)> {
    let repo = ChartRepo::new()?;
    let src = tempfile::tempdir()?;
    let chart = testenv::charts::write_chart(
        src.path(),
        CHART,
        CHART_VERSION,
        &[
            ("_helpers.tpl", HELPERS),
            ("deployment.yaml", DEPLOYMENT),
            ("service.yaml", SERVICE),
            ("serviceaccount.yaml", SERVICE_ACCOUNT),
        ],
        VALUES,
    )?;
    repo.add_chart(&chart, None, None)?;
    let server = repo.serve(&ChartRepoOptions::default())?;
    Ok((repo, server))
}

/// N CRDs in groups of 10 kinds, each with a schema of some size (40 described fields, two
/// levels deep), as operators' CRDs are; labelled so they can be told apart.
async fn install_dummy_crds(client: &kube::Client, n: usize) -> Result<()> {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let fields: serde_json::Map<String, serde_json::Value> = (0..40)
        .map(|f| {
            let field = json!({
                "type": "object",
                "description": format!("Field {f} of the dummy resource: a description of the length operators give their fields, which the OpenAPI document carries for every version."),
                "properties": {
                    "name": { "type": "string", "description": "A name." },
                    "count": { "type": "integer", "format": "int32", "minimum": 0 },
                    "enabled": { "type": "boolean" },
                    "tags": { "type": "array", "items": { "type": "string" } },
                },
            });
            (format!("field{f:02}"), field)
        })
        .collect();
    futures::stream::iter(0..n)
        .map(|i| {
            let api = api.clone();
            let fields = fields.clone();
            async move {
                let group = format!("group{:03}.scale.tk.example.com", i / 10);
                let plural = format!("dummies{i:04}");
                let name = format!("{plural}.{group}");
                let schema = json!({
                    "type": "object",
                    "properties": {
                        "spec": { "type": "object", "properties": fields },
                        "status": {
                            "type": "object",
                            "properties": {
                                "observedGeneration": { "type": "integer", "format": "int64" },
                                "conditions": {
                                    "type": "array",
                                    "items": { "type": "object", "x-kubernetes-preserve-unknown-fields": true },
                                },
                            },
                        },
                    },
                });
                let crd: CustomResourceDefinition = serde_json::from_value(json!({
                    "apiVersion": "apiextensions.k8s.io/v1",
                    "kind": "CustomResourceDefinition",
                    "metadata": { "name": name, "labels": { DUMMY_LABEL: "true" } },
                    "spec": {
                        "group": group,
                        "scope": "Namespaced",
                        "names": {
                            "plural": plural,
                            "singular": format!("dummy{i:04}"),
                            "kind": format!("Dummy{i:04}"),
                            "listKind": format!("Dummy{i:04}List"),
                        },
                        "versions": [
                            { "name": "v1", "served": true, "storage": true,
                              "schema": { "openAPIV3Schema": schema.clone() },
                              "subresources": { "status": {} } },
                            { "name": "v1beta1", "served": true, "storage": false,
                              "schema": { "openAPIV3Schema": schema } },
                        ],
                    },
                }))?;
                api.patch(
                    &name,
                    &PatchParams::apply("tk-scale").force(),
                    &Patch::Apply(&crd),
                )
                .await
                .with_context(|| format!("creating CRD {name}"))?;
                anyhow::Ok(())
            }
        })
        .buffer_unordered(8)
        .try_collect::<Vec<()>>()
        .await?;
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let crds = api
            .list(&ListParams::default().labels(&format!("{DUMMY_LABEL}=true")))
            .await?
            .items;
        let established = crds
            .iter()
            .filter(|crd| {
                crd.status
                    .as_ref()
                    .and_then(|s| s.conditions.as_ref())
                    .is_some_and(|c| {
                        c.iter()
                            .any(|c| c.type_ == "Established" && c.status == "True")
                    })
            })
            .count();
        if established >= n {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("only {established}/{n} dummy CRDs established after 300s");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn release_name(i: usize) -> String {
    format!("{REPOSITORY}-{i}")
}

async fn create_objects(client: &kube::Client, url: &str, n: usize) -> Result<()> {
    let repos: Api<HelmRepository> = Api::namespaced(client.clone(), NAMESPACE);
    let repo: HelmRepository = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "HelmRepository",
        "metadata": { "name": REPOSITORY, "namespace": NAMESPACE },
        "spec": { "url": url, "interval": "12h", "timeout": "2m" },
    }))?;
    repos.create(&PostParams::default(), &repo).await?;
    let api: Api<HelmRelease> = Api::namespaced(client.clone(), NAMESPACE);
    futures::stream::iter(0..n)
        .map(|i| {
            let api = api.clone();
            async move {
                let name = release_name(i);
                let obj: HelmRelease = serde_json::from_value(json!({
                    "apiVersion": "helm.toolkit.fluxcd.io/v2",
                    "kind": "HelmRelease",
                    "metadata": {
                        "name": name,
                        "namespace": NAMESPACE,
                        "labels": { "toolkit.fluxcd.io/tenant": REPOSITORY },
                    },
                    "spec": {
                        "releaseName": name,
                        "serviceAccountName": "flux",
                        "targetNamespace": NAMESPACE,
                        "storageNamespace": NAMESPACE,
                        "interval": "60m",
                        "chart": { "spec": {
                            "chart": CHART,
                            "version": CHART_VERSION,
                            "sourceRef": { "kind": "HelmRepository", "name": REPOSITORY },
                            "interval": "600m",
                        } },
                        "install": { "crds": "Create" },
                        "upgrade": { "crds": "CreateReplace" },
                        "values": {
                            "replicaCount": 0,
                            "serviceAccount": { "enabled": true },
                            "resources": { "requests": { "cpu": "1m", "memory": "16Mi" } },
                        },
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

fn condition<'a>(
    conditions: Option<&'a Vec<k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition>>,
    type_: &str,
) -> Option<&'a k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition> {
    conditions?.iter().find(|c| c.type_ == type_)
}

/// Ready and Released at the current generation.
fn is_released(hr: &HelmRelease) -> bool {
    let generation = hr.metadata.generation;
    hr.status.as_ref().is_some_and(|s| {
        let conditions = s.conditions.as_ref();
        s.observed_generation == generation
            && condition(conditions, "Ready").is_some_and(|c| c.status == "True")
            && condition(conditions, "Released").is_some_and(|c| c.status == "True")
    })
}

/// "status=reason" of a HelmRelease's Ready condition when it is not True; "no Ready
/// condition" when the controller wrote a status without one.
fn not_ready_reason(hr: &HelmRelease) -> Option<String> {
    let status = hr.status.as_ref()?;
    match condition(status.conditions.as_ref(), "Ready") {
        Some(c) => (c.status != "True").then(|| format!("{}={}", c.status, c.reason)),
        None => status
            .observed_generation
            .is_some()
            .then(|| "no Ready condition".to_string()),
    }
}

/// The HelmReleases not Ready at the end of a phase, grouped by what their status says.
fn print_not_ready(tracker: &Tracker<HelmRelease>) {
    let mut groups: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for hr in tracker.latest().filter(|hr| !is_released(hr)) {
        let status = hr.status.clone().unwrap_or_default();
        let show = |type_: &str| {
            condition(status.conditions.as_ref(), type_)
                .map_or("-".to_string(), |c| format!("{}={}", c.status, c.reason))
        };
        let history = status
            .history
            .iter()
            .flatten()
            .map(|h| format!("v{} {}", h.version, h.status))
            .collect::<Vec<_>>()
            .join(",");
        let key = format!(
            "Ready {}, Released {}, observedGeneration {:?} of {:?}, lastAttemptedReleaseAction {:?}, history [{history}]",
            show("Ready"),
            show("Released"),
            status.observed_generation,
            hr.metadata.generation,
            status.last_attempted_release_action,
        );
        groups
            .entry(key)
            .or_default()
            .push(hr.metadata.name.clone().unwrap_or_default());
    }
    for (key, mut names) in groups {
        names.sort();
        let shown: Vec<&str> = names.iter().take(6).map(String::as_str).collect();
        println!(
            "  not Ready at the end: {} × {key} (e.g. {})",
            names.len(),
            shown.join(", ")
        );
    }
}

/// When each HelmChart was first Ready with an artifact at its generation, from a watch
/// started before the objects are created.
fn watch_charts(client: &kube::Client, since: Instant) -> Arc<Mutex<HashMap<String, Duration>>> {
    let ready = Arc::new(Mutex::new(HashMap::new()));
    let api: Api<HelmChart> = Api::namespaced(client.clone(), NAMESPACE);
    let seen = ready.clone();
    tokio::spawn(async move {
        let mut stream = watcher(api, watcher::Config::default())
            .default_backoff()
            .applied_objects()
            .boxed();
        while let Some(Ok(chart)) = stream.next().await {
            let ok = chart.status.as_ref().is_some_and(|s| {
                s.observed_generation == chart.metadata.generation
                    && s.artifact.is_some()
                    && condition(s.conditions.as_ref(), "Ready").is_some_and(|c| c.status == "True")
            });
            if ok {
                seen.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .entry(chart.metadata.name.clone().unwrap_or_default())
                    .or_insert_with(|| since.elapsed());
            }
        }
    });
    ready
}

/// The reconcile counts and times of each kind the controllers reconcile, between two
/// metrics pages.
fn print_reconcile_lines(before: &str, after: &str) {
    for (controller, label) in [
        ("helmrelease", "HelmRelease"),
        ("helmchart", "HelmChart"),
        ("helmrepository", "HelmRepository"),
    ] {
        if let Some(line) = reconcile_line(label, controller, before, after) {
            println!("{line}");
        }
    }
}

/// Reconciles, errors and mean reconcile time of one controller kind from a metrics page.
fn reconcile_line(label: &str, controller: &str, before: &str, after: &str) -> Option<String> {
    let filter = format!("controller=\"{controller}\"");
    let diff = |name: &str| metric_sum(after, name, &filter) - metric_sum(before, name, &filter);
    let total = diff("controller_runtime_reconcile_total");
    if total <= 0.0 {
        return None;
    }
    let errors = diff("controller_runtime_reconcile_errors_total");
    let secs = diff("controller_runtime_reconcile_time_seconds_sum");
    Some(format!(
        "    {label} reconciles: {total:.0} ({errors:.0} errors), {:.3}s on average, {secs:.0}s in all",
        secs / total
    ))
}

async fn measure(
    config: &Config,
    cluster: &testenv::ControlPlane,
    client: &kube::Client,
    controllers: &mut [Controller],
    server: &ChartRepoServer,
    work: &std::path::Path,
) -> Result<bool> {
    let hz = clock_ticks_per_second();
    let n = config.releases;
    scale::wait_for_metrics(controllers).await?;
    let idle = samples(controllers)?;
    for (c, s) in controllers.iter().zip(&idle) {
        println!(
            "tk controller {} (pid {}): idle RSS {:.1} MiB (VmHWM {:.1} MiB), {} threads",
            c.name,
            c.pid(),
            s.rss_kb as f64 / MIB,
            s.hwm_kb as f64 / MIB,
            s.threads
        );
    }
    let trace = Trace::start(controllers);

    let mut tracker = Tracker::start(
        Api::<HelmRelease>::namespaced(client.clone(), NAMESPACE),
        not_ready_reason,
    )
    .give_up_after_quiet(config.stall);
    let requests0 = apiserver_requests(cluster).ok();
    let cp0 = component_ticks(cluster);
    let pages0 = scrapes(controllers);
    let load0 = load_average();

    // Phase 1: everything created at once, until every HelmRelease is Released.
    let created_at = Instant::now();
    let charts = watch_charts(client, created_at);
    create_objects(client, &server.url(), n).await?;
    println!(
        "HelmRepository and {n} HelmReleases created in {:.1}s (load {load0})",
        created_at.elapsed().as_secs_f64()
    );
    let times = tracker
        .wait_for(n, is_released, created_at, config.run.deadline, controllers)
        .await?;
    let ready_after = created_at.elapsed();
    let load1 = load_average();
    let at_ready = samples(controllers)?;
    let cp1 = component_ticks(cluster);
    let requests1 = apiserver_requests(cluster).ok();
    let pages1 = scrapes(controllers);
    let trace_ready = trace.now();

    println!();
    println!(
        "== scale_helmreleases: {n} HelmReleases, all created at once; {} extra CRDs ==",
        config.extra_crds
    );
    println!(
        "controllers: {} (helm --concurrent={}, kube-api-qps {}, burst {})",
        match config.run.mode {
            Mode::Split => "tk controller source (--concurrent=10) + tk controller helm",
            Mode::All => "tk controller all",
        },
        config.run.concurrent,
        config.run.qps.as_deref().unwrap_or("default"),
        config.run.burst.as_deref().unwrap_or("default"),
    );
    let all_ready = times.len() == n;
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
        point_of(&times, n, 10),
        point_of(&times, n, 50),
        point_of(&times, n, 90),
    );
    let mut ever: Vec<Duration> = tracker.ever.values().copied().collect();
    ever.sort();
    if ever.len() != times.len() {
        println!(
            "Ready at least once: {}/{n} (10% {}, 50% {}, 90% {}, last {}); {} of them lost it again",
            ever.len(),
            point_of(&ever, n, 10),
            point_of(&ever, n, 50),
            point_of(&ever, n, 90),
            point_of(&ever, n, 100),
            ever.len() - times.len(),
        );
    }
    print_not_ready(&tracker);
    let mut chart_times: Vec<Duration> = charts
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .values()
        .copied()
        .collect();
    chart_times.sort();
    println!(
        "HelmCharts Ready: {}/{n}, 10% {}, 50% {}, 90% {}, last {}",
        chart_times.len(),
        point_of(&chart_times, n, 10),
        point_of(&chart_times, n, 50),
        point_of(&chart_times, n, 90),
        point_of(&chart_times, n, 100),
    );
    let chart_fetches = server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with(".tgz"))
        .count();
    let index_fetches = server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("index.yaml"))
        .count();
    println!("chart repository: {index_fetches} index.yaml and {chart_fetches} chart downloads");
    for (((c, s), p0), p1) in controllers.iter().zip(&at_ready).zip(&pages0).zip(&pages1) {
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
        print_reconcile_lines(p0, p1);
        own_requests(p0, p1, n);
    }
    if !cp0.is_empty() {
        println!(
            "control plane CPU in the run: {}",
            component_cpu(&cp0, &cp1, hz)
        );
    }
    println!(
        "Ready conditions seen before Ready: {}",
        tracker.reasons_seen()
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
    print_trace("the run", &trace.rows(), 0.0, trace_ready);

    // Phase 2: every HelmRelease asked to reconcile with nothing changed; also when some lost
    // their Ready condition again after having it (they still hold a release to reconcile).
    let steady = config.run.requeue && ever.len() == n;
    if steady
        && let Err(e) = steady_round(config, cluster, client, controllers, &mut tracker, hz).await
    {
        println!("steady-state round failed: {e:#}");
    }

    if steady {
        print_trace("the steady round", &trace.rows(), trace_ready, trace.now());
    }
    trace.finish(&work.join("rss.csv"))?;
    for c in controllers.iter() {
        let (levels, top) = log_summary(&c.log);
        println!("tk controller {} log lines by level: {levels:?}", c.name);
        for (msg, count) in top {
            println!("    {count:>6} × {msg}");
        }
    }
    let helm = controllers
        .iter()
        .find(|c| c.name == "helm" || c.name == "all")
        .context("no helm controller")?;
    let end = sample(helm.pid())?;
    let peak = end.hwm_kb as f64 / MIB;
    let fast = all_ready && ready_after < config.run.time_limit;
    let small = peak < config.run.rss_limit_mb;
    println!(
        "bound: all Ready in under {}s: {}; helm controller peak RSS < {} MiB: {} ({peak:.1} MiB; idle {:.1} MiB with {} extra CRDs)",
        config.run.time_limit.as_secs(),
        if fast { "PASS" } else { "FAIL" },
        config.run.rss_limit_mb,
        if small { "PASS" } else { "FAIL" },
        idle.iter()
            .zip(controllers.iter())
            .find(|(_, c)| c.name == helm.name)
            .map_or(0.0, |(s, _)| s.rss_kb as f64 / MIB),
        config.extra_crds,
    );
    Ok(fast && small)
}

/// RSS of each controller over `[from, to]` seconds of the trace: at each tenth of the span,
/// and its maximum.
fn print_trace(what: &str, rows: &[scale::TraceRow], from: f64, to: f64) {
    let names: std::collections::BTreeSet<&'static str> =
        rows.iter().map(|r| r.controller).collect();
    for name in names {
        let mine: Vec<&scale::TraceRow> = rows
            .iter()
            .filter(|r| r.controller == name && r.secs >= from && r.secs <= to)
            .collect();
        let Some(max) = mine.iter().max_by_key(|r| r.sample.rss_kb) else {
            continue;
        };
        let points: Vec<String> = (0..=10)
            .filter_map(|k| {
                let t = from + (to - from) * k as f64 / 10.0;
                let row = mine
                    .iter()
                    .min_by(|a, b| (a.secs - t).abs().total_cmp(&(b.secs - t).abs()))?;
                Some(format!("{:.0}", row.sample.rss_kb as f64 / MIB))
            })
            .collect();
        println!(
            "  {name} RSS (MiB) at each tenth of {what}: {}; max {:.1} MiB at {:.0}s (anon {:.1}, file {:.1})",
            points.join(" "),
            max.sample.rss_kb as f64 / MIB,
            max.secs - from,
            max.sample.anon_kb as f64 / MIB,
            max.sample.file_kb as f64 / MIB,
        );
    }
}

/// Asks every HelmRelease to reconcile (nothing changed) and counts what that costs.
async fn steady_round(
    config: &Config,
    cluster: &testenv::ControlPlane,
    client: &kube::Client,
    controllers: &mut [Controller],
    tracker: &mut Tracker<HelmRelease>,
    hz: f64,
) -> Result<()> {
    let n = config.releases;
    // A quiet window first: the background request rate (controller managers, leases).
    let quiet = Duration::from_secs(10);
    tokio::time::sleep(Duration::from_secs(5)).await;
    let q0 = apiserver_requests(cluster)?;
    tokio::time::sleep(quiet).await;
    let q1 = apiserver_requests(cluster)?;
    let background = delta(&q1.by_kind, &q0.by_kind);

    let api: Api<HelmRelease> = Api::namespaced(client.clone(), NAMESPACE);
    let charts: Api<HelmChart> = Api::namespaced(client.clone(), NAMESPACE);
    let versions = |list: kube::api::ObjectList<kube::core::PartialObjectMeta<HelmChart>>| {
        list.items
            .into_iter()
            .map(|c| {
                let m = c.metadata;
                (
                    m.name.unwrap_or_default(),
                    (m.resource_version.unwrap_or_default(), m.generation),
                )
            })
            .collect::<HashMap<_, _>>()
    };
    let charts0 = versions(charts.list_metadata(&ListParams::default()).await?);
    let token = k8s_openapi::jiff::Timestamp::now().to_string();
    let before: Vec<Sample> = samples(controllers)?;
    let pages0 = scrapes(controllers);
    let r0 = apiserver_requests(cluster)?;
    let cp0 = component_ticks(cluster);
    let load0 = load_average();
    let started = Instant::now();
    let patch =
        json!({ "metadata": { "annotations": { "reconcile.fluxcd.io/requestedAt": token } } });
    futures::stream::iter(0..n)
        .map(|i| {
            let api = api.clone();
            let patch = patch.clone();
            async move {
                api.patch(
                    &release_name(i),
                    &PatchParams::default(),
                    &Patch::Merge(&patch),
                )
                .await?;
                anyhow::Ok(())
            }
        })
        .buffer_unordered(32)
        .try_collect::<Vec<()>>()
        .await?;
    // Handled: the token acknowledged at the current generation (Ready or not: a release that
    // lost its Ready condition still counts, and is reported below).
    let handled = |hr: &HelmRelease| {
        hr.status.as_ref().is_some_and(|s| {
            s.observed_generation == hr.metadata.generation
                && s.last_handled_reconcile_at.as_deref() == Some(token.as_str())
        })
    };
    let times = tracker
        .wait_for(n, handled, started, config.run.deadline, controllers)
        .await?;
    if times.len() < n {
        bail!("only {}/{n} handled the request", times.len());
    }
    let elapsed = started.elapsed();
    // Let the reconciles that the status writes trigger finish before counting.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let counted = started.elapsed();
    let charts1 = versions(charts.list_metadata(&ListParams::default()).await?);
    let r1 = apiserver_requests(cluster)?;
    let cp1 = component_ticks(cluster);
    let after: Vec<Sample> = samples(controllers)?;
    let pages1 = scrapes(controllers);

    println!();
    println!("== steady state: {n} reconciles requested, nothing changed ==");
    let ready = tracker.latest().filter(|hr| is_released(hr)).count();
    println!("Ready after the round: {ready}/{n}");
    let changed = charts1
        .iter()
        .filter(|(name, v)| charts0.get(*name) != Some(v))
        .count();
    let new_generation = charts1
        .iter()
        .filter(|(name, (_, g))| charts0.get(*name).map(|(_, g0)| g0) != Some(g))
        .count();
    println!(
        "HelmCharts written in the round: {changed}/{} (new generation: {new_generation})",
        charts1.len()
    );
    if ready < n {
        print_not_ready(tracker);
    }
    println!(
        "all handled in {:.1}s (50% {:.1}s, 90% {:.1}s) = {:.0} reconciles/s; load {load0} before, {} after",
        elapsed.as_secs_f64(),
        percentile_secs(&times, 50),
        percentile_secs(&times, 90),
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
        println!(
            "tk controller {}: CPU {cpu:.2}s, {sys:.2}s of it in the kernel ({:.2} ms per release), RSS {:.1} MiB, VmHWM {:.1} MiB",
            c.name,
            cpu * 1000.0 / n as f64,
            a.rss_kb as f64 / MIB,
            a.hwm_kb as f64 / MIB,
        );
        print_reconcile_lines(p0, p1);
        own_requests(p0, p1, n);
    }
    if !cp0.is_empty() {
        println!(
            "control plane CPU in the round: {}",
            component_cpu(&cp0, &cp1, hz)
        );
    }
    scale::print_round_requests(
        &r0,
        &r1,
        &background,
        counted,
        quiet,
        "PATCH helmreleases",
        n,
    );
    Ok(())
}
