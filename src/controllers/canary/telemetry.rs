//! Flagger's Prometheus metrics, under Flagger's names and labels, so its dashboards and
//! alerts work unchanged. `name` is the target's name, as Flagger labels it.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};

use crate::api::flagger::{Canary, CanaryPhase};
use crate::controllers::runtime::Metrics;
use kube::ResourceExt;

type FloatGauge = Gauge<f64, std::sync::atomic::AtomicU64>;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Target {
    name: String,
    namespace: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Workload {
    workload: String,
    namespace: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Namespace {
    namespace: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Analysed {
    name: String,
    namespace: String,
    metric: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    name: String,
    namespace: String,
    deployment_strategy: String,
    analysis_status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Info {
    version: String,
    mesh_provider: String,
}

#[derive(Clone)]
pub struct Telemetry {
    status: Family<Target, Gauge>,
    weight: Family<Workload, Gauge>,
    total: Family<Namespace, Gauge>,
    duration: Family<Target, Histogram>,
    analysis: Family<Analysed, FloatGauge>,
    successes: Family<Outcome, Counter>,
    failures: Family<Outcome, Counter>,
}

fn target(canary: &Canary) -> Target {
    Target {
        name: canary.spec.target_ref.name.clone(),
        namespace: canary.namespace().unwrap_or_default(),
    }
}

impl Telemetry {
    pub fn register(metrics: &Metrics, mesh_provider: &str) -> Self {
        let t = Telemetry {
            status: Family::default(),
            weight: Family::default(),
            total: Family::default(),
            duration: Family::new_with_constructor(|| {
                Histogram::new(exponential_buckets(0.005, 2.0, 16))
            }),
            analysis: Family::default(),
            successes: Family::default(),
            failures: Family::default(),
        };
        let info = Family::<Info, Gauge>::default();
        info.get_or_create(&Info {
            version: crate::VERSION.to_string(),
            mesh_provider: mesh_provider.to_string(),
        })
        .set(1);
        metrics.register(
            "flagger_info",
            "Flagger version and mesh provider information",
            info,
        );
        metrics.register(
            "flagger_canary_status",
            "Last canary analysis result (0 progressing, 1 done, 2 failed)",
            t.status.clone(),
        );
        metrics.register(
            "flagger_canary_weight",
            "The virtual service destination weight current value",
            t.weight.clone(),
        );
        metrics.register(
            "flagger_canary_total",
            "Total number of canary object",
            t.total.clone(),
        );
        metrics.register(
            "flagger_canary_duration_seconds",
            "Seconds spent performing canary analysis",
            t.duration.clone(),
        );
        metrics.register(
            "flagger_canary_metric_analysis",
            "Last canary analysis result per metric",
            t.analysis.clone(),
        );
        metrics.register(
            "flagger_canary_successes",
            "Total canary analyses that ended in promotion",
            t.successes.clone(),
        );
        metrics.register(
            "flagger_canary_failures",
            "Total canary analyses that ended in rollback",
            t.failures.clone(),
        );
        t
    }

    pub fn set_status(&self, canary: &Canary, phase: CanaryPhase) {
        let value = match phase {
            CanaryPhase::Progressing => 0,
            CanaryPhase::Failed => 2,
            _ => 1,
        };
        self.status.get_or_create(&target(canary)).set(value);
    }

    pub fn set_weight(&self, canary: &Canary, primary: i32, weight: i32) {
        let namespace = canary.namespace().unwrap_or_default();
        let name = &canary.spec.target_ref.name;
        for (workload, w) in [(format!("{name}-primary"), primary), (name.clone(), weight)] {
            self.weight
                .get_or_create(&Workload {
                    workload,
                    namespace: namespace.clone(),
                })
                .set(i64::from(w));
        }
    }

    pub fn set_total(&self, namespace: &str, count: usize) {
        self.total
            .get_or_create(&Namespace {
                namespace: namespace.to_string(),
            })
            .set(count as i64);
    }

    pub fn observe_duration(&self, canary: &Canary, seconds: f64) {
        self.duration
            .get_or_create(&target(canary))
            .observe(seconds);
    }

    pub fn set_analysis(&self, canary: &Canary, metric: &str, value: f64) {
        let t = target(canary);
        self.analysis
            .get_or_create(&Analysed {
                name: t.name,
                namespace: t.namespace,
                metric: metric.to_string(),
            })
            .set(value);
    }

    /// Counts a finished analysis: `strategy` is canary, blue-green or ab-testing.
    pub fn finished(&self, canary: &Canary, strategy: &str, promoted: bool, skipped: bool) {
        let t = target(canary);
        let labels = Outcome {
            name: t.name,
            namespace: t.namespace,
            deployment_strategy: strategy.to_string(),
            analysis_status: if skipped { "skipped" } else { "completed" }.to_string(),
        };
        if promoted {
            self.successes.get_or_create(&labels).inc();
        } else {
            self.failures.get_or_create(&labels).inc();
        }
    }

    /// Drops the series of a deleted Canary.
    pub fn forget(&self, canary: &Canary) {
        let t = target(canary);
        self.status.remove(&t);
        self.duration.remove(&t);
        let name = &canary.spec.target_ref.name;
        for workload in [format!("{name}-primary"), name.clone()] {
            self.weight.remove(&Workload {
                workload,
                namespace: t.namespace.clone(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canary() -> Canary {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": { "name": "podinfo-canary", "namespace": "test" },
            "spec": { "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment",
                                     "name": "podinfo" },
                      "service": { "port": 80 } }
        }))
        .unwrap()
    }

    /// The series Flagger's dashboards query, by Flagger's names and labels (the target's
    /// name, not the Canary's).
    #[test]
    fn series_carry_flaggers_names_and_labels() {
        let metrics = Metrics::new();
        let t = Telemetry::register(&metrics, "istio");
        let c = canary();
        t.set_status(&c, CanaryPhase::Failed);
        t.set_weight(&c, 70, 30);
        t.set_total("test", 3);
        t.observe_duration(&c, 0.2);
        t.set_analysis(&c, "request-success-rate", 99.5);
        t.finished(&c, "canary", true, false);
        let text = metrics.encode();
        for line in [
            r#"flagger_canary_status{name="podinfo",namespace="test"} 2"#,
            r#"flagger_canary_weight{workload="podinfo-primary",namespace="test"} 70"#,
            r#"flagger_canary_weight{workload="podinfo",namespace="test"} 30"#,
            r#"flagger_canary_total{namespace="test"} 3"#,
            r#"flagger_canary_duration_seconds_count{name="podinfo",namespace="test"} 1"#,
            r#"flagger_canary_metric_analysis{name="podinfo",namespace="test",metric="request-success-rate"} 99.5"#,
            r#"flagger_canary_successes_total{name="podinfo",namespace="test",deployment_strategy="canary",analysis_status="completed"} 1"#,
        ] {
            assert!(text.lines().any(|l| l == line), "no {line} in:\n{text}");
        }
        assert!(
            text.contains(r#"flagger_info{version=""#)
                && text.contains(r#"mesh_provider="istio"} 1"#),
            "{text}"
        );
        t.forget(&c);
        let text = metrics.encode();
        assert!(
            !text.contains(r#"flagger_canary_status{name="podinfo""#),
            "{text}"
        );
        assert!(!text.contains(r#"workload="podinfo-primary""#), "{text}");
    }
}
