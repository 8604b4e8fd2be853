//! Flagger's `flagger.app/v1beta1` kinds, for the canary controller: the same field names,
//! enums and printer columns as Flagger's CRDs (tests/corpus/flagger), so Flagger users'
//! manifests apply unchanged.

pub mod alert_provider;
pub mod canary;
pub mod metric_template;

pub use alert_provider::{AlertProvider, AlertProviderSpec, AlertProviderType};
pub use canary::{
    AbMatch, AlertSeverity, AutoscalerKind, AutoscalerRef, BackendObjectReference, Canary,
    CanaryAlert, CanaryAnalysis, CanaryCondition, CanaryMetric, CanaryPhase, CanaryProvider,
    CanaryService, CanarySpec, CanaryStatus, CanaryWebhook, ClientTlsSettings,
    ConnectionPoolSettings, ConsistentHashLb, CorsPolicy, CrossNamespaceRef, CustomMetadata,
    GatewayRef, H2UpgradePolicy, HeaderOperations, Headers, HookType, HttpConnectionPoolSettings,
    HttpCookie, HttpMatchRequest, HttpRequestMirrorFilter, HttpRetry, HttpRewrite, IngressKind,
    IngressRef, LoadBalancerSettings, LocalityDistribute, LocalityFailover, LocalityLbSetting,
    OutlierDetection, RouteKind, RouteRef, SameSite, ScalerReplicas, SessionAffinity, SimpleLb,
    StringMatch, TargetKind, TargetRef, ThresholdRange, TlsMode, TrafficDistribution,
    TrafficPolicy, UnmanagedMetadata, UpstreamKind, UpstreamRef,
};
pub use metric_template::{MetricProvider, MetricProviderType, MetricTemplate, MetricTemplateSpec};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The condition Flagger reports a Canary's rollout in (reason: the phase).
pub const PROMOTED_CONDITION: &str = "Promoted";

/// tk's approval of a Canary's promotion: set (by `tk promote canary`) to the
/// `status.lastAppliedSpec` of the revision under analysis, it opens that revision's
/// `confirm-traffic-increase` and `confirm-promotion` gates; a later revision needs a new
/// approval.
pub const APPROVED_REVISION_ANNOTATION: &str = "canary.tk-gitops.io/approved-revision";

/// tk's approval of a pending rollout: set (by `tk promote canary` on a Canary Waiting at its
/// `confirm-rollout` gates) to the revision of the target (its pod template's digest, what
/// `status.lastAppliedSpec` will record), it opens that revision's `confirm-rollout` gates.
pub const APPROVED_ROLLOUT_ANNOTATION: &str = "canary.tk-gitops.io/approved-rollout";

/// A Secret in the object's namespace, by name.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct SecretRef {
    /// Name of the Kubernetes Secret.
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Objects as Flagger's docs write them read into the types and serialize back unchanged.
    #[test]
    fn flagger_documents_round_trip() {
        for doc in [
            serde_json::json!({
                "apiVersion": "flagger.app/v1beta1", "kind": "MetricTemplate",
                "metadata": { "name": "not-found-percentage", "namespace": "istio-system" },
                "spec": {
                    "provider": {
                        "type": "prometheus", "address": "http://prometheus.istio-system:9090",
                        "headers": { "X-Scope-OrgID": ["tenant"] },
                        "secretRef": { "name": "prom-auth" }, "insecureSkipVerify": true,
                    },
                    "query": "100 - sum(rate(istio_requests_total{destination_workload_namespace=\"{{ namespace }}\"}[{{ interval }}]))",
                },
            }),
            serde_json::json!({
                "apiVersion": "flagger.app/v1beta1", "kind": "AlertProvider",
                "metadata": { "name": "on-call", "namespace": "flagger" },
                "spec": { "type": "msteams", "channel": "on-call", "username": "flagger",
                          "secretRef": { "name": "on-call-url" } },
            }),
        ] {
            let back = match doc["kind"].as_str() {
                Some("MetricTemplate") => serde_json::to_value(
                    serde_json::from_value::<MetricTemplate>(doc.clone()).unwrap(),
                ),
                _ => serde_json::to_value(
                    serde_json::from_value::<AlertProvider>(doc.clone()).unwrap(),
                ),
            }
            .unwrap();
            assert_eq!(back, doc);
        }
        let unknown = serde_json::json!({ "type": "pagerduty", "address": "https://x" });
        assert!(serde_json::from_value::<AlertProviderSpec>(unknown).is_err());
    }
}
