//! Prometheus metrics named as controller-runtime and Flux name them, so Flux's dashboards and
//! alerts work unchanged, served on `--metrics-addr` at `/metrics`.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, Result};
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use kube::Resource;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Metric, Registry};

/// controller-runtime's `controller_runtime_reconcile_time_seconds` buckets.
const RECONCILE_TIME_BUCKETS: [f64; 40] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9,
    1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 15.0, 20.0,
    25.0, 30.0, 40.0, 50.0, 60.0,
];

/// Flux's `gotk_reconcile_duration_seconds` buckets: `ExponentialBuckets(10e-3, 10, 5)`.
const GOTK_DURATION_BUCKETS: [f64; 5] = [0.01, 0.1, 1.0, 10.0, 100.0];

const OPENMETRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// How a reconcile ended, as controller-runtime labels `result`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Converged with nothing scheduled (rare: reconcilers requeue at their interval).
    Success,
    /// Converged and scheduled again at the object's interval.
    RequeueAfter,
    /// Failed and will be retried with backoff.
    Error,
    /// Failed in a way only the user can fix (`Stalled`); not retried.
    Terminal,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::RequeueAfter => "requeue_after",
            Self::Error | Self::Terminal => "error",
        }
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ControllerLabels {
    controller: String,
}

/// client-go's `rest_client_requests_total` labels, less `host` (one API server).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub code: String,
    pub method: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    controller: String,
    result: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ObjectLabels {
    kind: String,
    name: String,
    namespace: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ConditionLabels {
    kind: String,
    name: String,
    namespace: String,
    r#type: String,
    status: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LeaseLabels {
    name: String,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// The process's metrics; cheap to clone, every clone records into the same registry.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    /// What was registered, so families without samples can still be described.
    families: Vec<Described>,
    registry: Mutex<Registry>,
    reconcile_total: Family<ResultLabels, Counter>,
    reconcile_errors: Family<ControllerLabels, Counter>,
    terminal_errors: Family<ControllerLabels, Counter>,
    reconcile_time: HistogramFamily<ControllerLabels>,
    max_concurrent: Family<ControllerLabels, Gauge>,
    active_workers: Family<ControllerLabels, Gauge>,
    leader: Family<LeaseLabels, Gauge>,
    gotk_duration: HistogramFamily<ObjectLabels>,
    gotk_condition: Family<ConditionLabels, Gauge<f64, std::sync::atomic::AtomicU64>>,
    rest_requests: Family<RequestLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut inner = Inner {
            families: Vec::new(),
            registry: Mutex::new(Registry::default()),
            reconcile_total: Family::default(),
            reconcile_errors: Family::default(),
            terminal_errors: Family::default(),
            reconcile_time: Family::new_with_constructor(|| Histogram::new(RECONCILE_TIME_BUCKETS)),
            max_concurrent: Family::default(),
            active_workers: Family::default(),
            leader: Family::default(),
            gotk_duration: Family::new_with_constructor(|| Histogram::new(GOTK_DURATION_BUCKETS)),
            gotk_condition: Family::default(),
            rest_requests: Family::default(),
        };
        let mut families = Vec::new();
        {
            let mut registry = inner.registry.lock().unwrap_or_else(|p| p.into_inner());
            // Counters get `_total` appended to their samples by the encoder.
            add(
                &mut registry,
                &mut families,
                "controller_runtime_reconcile",
                "Total number of reconciliations per controller",
                inner.reconcile_total.clone(),
            );
            add(
                &mut registry,
                &mut families,
                "controller_runtime_reconcile_errors",
                "Total number of reconciliation errors per controller",
                inner.reconcile_errors.clone(),
            );
            add(
                &mut registry,
                &mut families,
                "controller_runtime_terminal_reconcile_errors",
                "Total number of terminal reconciliation errors per controller",
                inner.terminal_errors.clone(),
            );
            add(
                &mut registry,
                &mut families,
                "controller_runtime_reconcile_time_seconds",
                "Length of time per reconciliation per controller",
                inner.reconcile_time.clone(),
            );
            add(
                &mut registry,
                &mut families,
                "controller_runtime_max_concurrent_reconciles",
                "Maximum number of concurrent reconciles per controller",
                inner.max_concurrent.clone(),
            );
            add(
                &mut registry,
                &mut families,
                "controller_runtime_active_workers",
                "Number of currently used workers per controller",
                inner.active_workers.clone(),
            );
            add(
                &mut registry,
                &mut families,
                "leader_election_master_status",
                "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master",
                inner.leader.clone(),
            );
            add(
                &mut registry,
                &mut families,
                "gotk_reconcile_duration_seconds",
                "The duration in seconds of a GitOps Toolkit resource reconciliation",
                inner.gotk_duration.clone(),
            );
            add(
                &mut registry,
                &mut families,
                "gotk_reconcile_condition",
                "The current condition status of a GitOps Toolkit resource reconciliation",
                inner.gotk_condition.clone(),
            );
            add(
                &mut registry,
                &mut families,
                "rest_client_requests",
                "Number of HTTP requests, partitioned by status code and method",
                inner.rest_requests.clone(),
            );
        }
        inner.families = families;
        Self {
            inner: Arc::new(inner),
        }
    }

    /// Adds a reconciler's own metric to the same `/metrics` page.
    pub fn register(&self, name: &str, help: &str, metric: impl Metric) {
        self.registry().register(name, help, metric);
    }

    /// Records one finished reconcile of `obj` by `controller` (e.g. "gitrepository").
    pub fn reconciled<K: Resource<DynamicType = ()>>(
        &self,
        controller: &str,
        obj: &K,
        outcome: Outcome,
        elapsed: Duration,
    ) {
        let inner = &self.inner;
        let controller_labels = ControllerLabels {
            controller: controller.to_string(),
        };
        inner
            .reconcile_total
            .get_or_create(&ResultLabels {
                controller: controller.to_string(),
                result: outcome.label().to_string(),
            })
            .inc();
        if matches!(outcome, Outcome::Error | Outcome::Terminal) {
            inner
                .reconcile_errors
                .get_or_create(&controller_labels)
                .inc();
        }
        if outcome == Outcome::Terminal {
            inner
                .terminal_errors
                .get_or_create(&controller_labels)
                .inc();
        }
        let seconds = elapsed.as_secs_f64();
        inner
            .reconcile_time
            .get_or_create(&controller_labels)
            .observe(seconds);
        inner
            .gotk_duration
            .get_or_create(&object_labels(obj))
            .observe(seconds);
    }

    /// Sets `gotk_reconcile_condition` for one condition of `obj`; the other statuses of the
    /// same type are zeroed so exactly one series per type reads 1, as Flux reports it.
    pub fn condition<K: Resource<DynamicType = ()>>(&self, obj: &K, type_: &str, status: &str) {
        let labels = object_labels(obj);
        for candidate in ["True", "False", "Unknown", "Deleted"] {
            let value = if candidate == status { 1.0 } else { 0.0 };
            self.inner
                .gotk_condition
                .get_or_create(&ConditionLabels {
                    kind: labels.kind.clone(),
                    name: labels.name.clone(),
                    namespace: labels.namespace.clone(),
                    r#type: type_.to_string(),
                    status: candidate.to_string(),
                })
                .set(value);
        }
    }

    /// Drops the per-object series of a deleted object so they do not linger.
    pub fn forget<K: Resource<DynamicType = ()>>(&self, obj: &K) {
        let labels = object_labels(obj);
        self.inner.gotk_duration.remove(&labels);
        // Family offers no retain, so the condition series are removed by their known labels.
        for type_ in ["Ready", "Reconciling", "Stalled"] {
            for status in ["True", "False", "Unknown", "Deleted"] {
                self.inner.gotk_condition.remove(&ConditionLabels {
                    kind: labels.kind.clone(),
                    name: labels.name.clone(),
                    namespace: labels.namespace.clone(),
                    r#type: type_.to_string(),
                    status: status.to_string(),
                });
            }
        }
    }

    /// Call once when a controller starts: publishes its worker limit and creates its series
    /// at zero, as controller-runtime does, so rates and alerts work before the first error.
    pub fn controller_started(&self, controller: &str, max_concurrent: u16) {
        let inner = &self.inner;
        let labels = ControllerLabels {
            controller: controller.to_string(),
        };
        inner
            .max_concurrent
            .get_or_create(&labels)
            .set(i64::from(max_concurrent));
        inner.active_workers.get_or_create_owned(&labels);
        inner.reconcile_errors.get_or_create_owned(&labels);
        inner.terminal_errors.get_or_create_owned(&labels);
        for result in ["success", "error", "requeue", "requeue_after"] {
            inner.reconcile_total.get_or_create_owned(&ResultLabels {
                controller: controller.to_string(),
                result: result.to_string(),
            });
        }
    }

    /// Counts a reconcile in flight until the guard is dropped.
    pub fn active_worker(&self, controller: &str) -> ActiveWorker {
        let gauge = self
            .inner
            .active_workers
            .get_or_create_owned(&ControllerLabels {
                controller: controller.to_string(),
            });
        gauge.inc();
        ActiveWorker { gauge }
    }

    pub fn set_leader(&self, lease: &str, leading: bool) {
        self.inner
            .leader
            .get_or_create(&LeaseLabels {
                name: lease.to_string(),
            })
            .set(i64::from(leading));
    }

    /// The OpenMetrics text of every registered metric.
    /// `rest_client_requests_total`, counted by every Kubernetes client of the process.
    pub fn rest_requests(&self) -> Family<RequestLabels, Counter> {
        self.inner.rest_requests.clone()
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry());
        describe_empty_families(&mut out, &self.inner.families);
        out
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.inner
            .registry
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }
}

struct Described {
    name: &'static str,
    help: &'static str,
    kind: MetricType,
}

fn add<M: Metric>(
    registry: &mut Registry,
    families: &mut Vec<Described>,
    name: &'static str,
    help: &'static str,
    metric: M,
) {
    families.push(Described {
        name,
        help,
        kind: metric.metric_type(),
    });
    registry.register(name, help, metric);
}

/// Decrements `controller_runtime_active_workers` when the reconcile ends.
pub struct ActiveWorker {
    gauge: Gauge,
}

impl Drop for ActiveWorker {
    fn drop(&mut self) {
        self.gauge.dec();
    }
}

/// The encoder leaves out families with no samples; before the first reconcile that would be
/// all of them. Their HELP and TYPE lines are added so the catalogue is visible from the start
/// (OpenMetrics allows a family without samples).
fn describe_empty_families(out: &mut String, families: &[Described]) {
    let mut missing = String::new();
    for family in families {
        if !out.contains(&format!("# TYPE {} ", family.name)) {
            let _ = writeln!(missing, "# HELP {} {}.", family.name, family.help);
            let _ = writeln!(missing, "# TYPE {} {}", family.name, family.kind.as_str());
        }
    }
    let eof = out.rfind("# EOF").unwrap_or(out.len());
    out.insert_str(eof, &missing);
}

fn object_labels<K: Resource<DynamicType = ()>>(obj: &K) -> ObjectLabels {
    ObjectLabels {
        kind: K::kind(&()).into_owned(),
        name: obj.meta().name.clone().unwrap_or_default(),
        namespace: obj.meta().namespace.clone().unwrap_or_default(),
    }
}

/// Binds `/metrics` now (so a taken port fails the start) and serves it until `shutdown`.
pub async fn serve(
    addr: SocketAddr,
    metrics: Metrics,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<tokio::task::JoinHandle<()>> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding the metrics server to {addr}"))?;
    let app = Router::new().route(
        "/metrics",
        get(move || {
            let metrics = metrics.clone();
            async move {
                (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE)],
                    metrics.encode(),
                )
                    .into_response()
            }
        }),
    );
    tracing::info!(addr = %listener.local_addr().unwrap_or(addr), "serving metrics");
    Ok(tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(error = %err, "metrics server failed");
        }
    }))
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::api::ObjectMeta;

    use super::*;

    fn object() -> ConfigMap {
        ConfigMap {
            metadata: ObjectMeta {
                name: Some("podinfo".into()),
                namespace: Some("flux-system".into()),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn exposes_controller_runtime_and_flux_names() {
        let metrics = Metrics::new();
        let obj = object();
        metrics.reconciled(
            "configmap",
            &obj,
            Outcome::RequeueAfter,
            Duration::from_millis(20),
        );
        metrics.reconciled("configmap", &obj, Outcome::Error, Duration::from_millis(20));
        metrics.condition(&obj, "Ready", "True");
        metrics.set_leader("tk-controller-leader-election", true);
        let text = metrics.encode();
        for line in [
            r#"controller_runtime_reconcile_total{controller="configmap",result="requeue_after"} 1"#,
            r#"controller_runtime_reconcile_total{controller="configmap",result="error"} 1"#,
            r#"controller_runtime_reconcile_errors_total{controller="configmap"} 1"#,
            r#"controller_runtime_reconcile_time_seconds_count{controller="configmap"} 2"#,
            r#"gotk_reconcile_duration_seconds_count{kind="ConfigMap",name="podinfo",namespace="flux-system"} 2"#,
            r#"gotk_reconcile_condition{kind="ConfigMap",name="podinfo",namespace="flux-system",type="Ready",status="True"} 1.0"#,
            r#"leader_election_master_status{name="tk-controller-leader-election"} 1"#,
        ] {
            assert!(text.contains(line), "missing {line} in\n{text}");
        }
    }

    #[test]
    fn describes_families_before_their_first_sample() {
        let metrics = Metrics::new();
        metrics.set_leader("lease", false);
        let text = metrics.encode();
        for line in [
            "# TYPE controller_runtime_reconcile counter",
            "# TYPE controller_runtime_reconcile_time_seconds histogram",
            "# TYPE gotk_reconcile_condition gauge",
            "# HELP gotk_reconcile_duration_seconds The duration",
        ] {
            assert!(text.contains(line), "missing {line} in\n{text}");
        }
        assert_eq!(
            text.matches("# TYPE leader_election_master_status").count(),
            1
        );
        assert!(text.ends_with("# EOF\n"), "{text}");
    }

    #[test]
    fn a_started_controller_reports_zeroes() {
        let metrics = Metrics::new();
        metrics.controller_started("gitrepository", 4);
        let text = metrics.encode();
        for line in [
            r#"controller_runtime_reconcile_total{controller="gitrepository",result="success"} 0"#,
            r#"controller_runtime_reconcile_errors_total{controller="gitrepository"} 0"#,
            r#"controller_runtime_max_concurrent_reconciles{controller="gitrepository"} 4"#,
        ] {
            assert!(text.contains(line), "missing {line} in\n{text}");
        }
    }

    #[test]
    fn forgetting_an_object_removes_its_series() {
        let metrics = Metrics::new();
        let obj = object();
        metrics.reconciled(
            "configmap",
            &obj,
            Outcome::Success,
            Duration::from_millis(1),
        );
        metrics.condition(&obj, "Ready", "False");
        metrics.forget(&obj);
        let text = metrics.encode();
        assert!(!text.contains(r#"name="podinfo""#), "{text}");
    }

    #[test]
    fn active_worker_guard_counts_in_flight_reconciles() {
        let metrics = Metrics::new();
        let guard = metrics.active_worker("configmap");
        assert!(
            metrics
                .encode()
                .contains(r#"controller_runtime_active_workers{controller="configmap"} 1"#)
        );
        drop(guard);
        assert!(
            metrics
                .encode()
                .contains(r#"controller_runtime_active_workers{controller="configmap"} 0"#)
        );
    }
}
