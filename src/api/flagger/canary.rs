//! `Canary` (flagger.app/v1beta1): a workload Flagger rolls out progressively, shifting
//! traffic (or running A/B, blue/green and mirroring tests) to a canary while metrics and
//! webhooks approve each step, then promoting or rolling back.
//!
//! The types follow Flagger's CRD field for field. Where the CRD says `type: number` for a
//! count or a percentage the Rust type is `i32` with a `type: number` schema (so the schemas
//! match); thresholds are `f64` and serialize as Go does (`99`, not `99.0`). Flagger's
//! `oneOf`s, which tk's structural schemas do not carry, are CEL rules with the same meaning.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::CustomResource;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize, Serializer};

use crate::api::schema::go_int;

/// Flagger's pattern for analysis, metric and webhook durations.
const INTERVAL_PATTERN: &str = "^[0-9]+(m|s)";

/// Gateway API's patterns for a `ParentReference`/`BackendObjectReference`.
const GROUP_PATTERN: &str = "^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
const KIND_PATTERN: &str = "^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$";
const NAMESPACE_PATTERN: &str = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
const SECTION_NAME_PATTERN: &str =
    "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

// The CEL rules standing for Flagger's `oneOf`s. Those on string matches run once per match
// under unbounded lists and maps, where the apiserver multiplies a rule's estimated cost by
// about a million: they stay the cheapest form (a sum of presence tests, cost 6 to 8) so each
// stays under the per-rule limit and all of them under the per-CRD one.
const AT_MOST_ONE_MATCH: &str =
    "(has(self.exact) ? 1 : 0) + (has(self.prefix) ? 1 : 0) + (has(self.regex) ? 1 : 0) <= 1";
const AT_MOST_ONE_MATCH_MESSAGE: &str = "set at most one of exact, prefix and regex";
const ONE_ORIGIN_MATCH: &str =
    "(has(self.exact) ? 1 : 0) + (has(self.prefix) ? 1 : 0) + (has(self.regex) ? 1 : 0) == 1";
const ONE_ORIGIN_MATCH_MESSAGE: &str = "set exactly one of exact, prefix and regex";
const ONE_HEADER_MATCH: &str = "(has(self.exact) ? 1 : 0) + (has(self.prefix) ? 1 : 0) \
     + (has(self.suffix) ? 1 : 0) + (has(self.regex) ? 1 : 0) == 1";
const ONE_HEADER_MATCH_MESSAGE: &str = "set exactly one of exact, prefix, suffix and regex";

// kube's `printcolumn(...)`/`category = ...` repeat keys by design; clippy reads them as
// duplicated attributes.
#[allow(clippy::duplicated_attributes)]
/// Desired state of a canary.
#[derive(CustomResource, Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "flagger.app",
    version = "v1beta1",
    kind = "Canary",
    plural = "canaries",
    singular = "canary",
    namespaced,
    category = "all",
    doc = "Canary is the Schema for the Canary API.",
    annotation("helm.sh/resource-policy", "keep"),
    status = "CanaryStatus",
    derive = "PartialEq",
    derive = "Default",
    printcolumn(name = "Status", type_ = "string", json_path = ".status.phase"),
    printcolumn(name = "Weight", type_ = "string", json_path = ".status.canaryWeight"),
    printcolumn(
        name = "Suspended",
        type_ = "boolean",
        json_path = ".spec.suspend",
        priority = 1
    ),
    printcolumn(
        name = "FailedChecks",
        type_ = "string",
        json_path = ".status.failedChecks",
        priority = 1
    ),
    printcolumn(
        name = "Interval",
        type_ = "string",
        json_path = ".spec.analysis.interval",
        priority = 1
    ),
    printcolumn(
        name = "Mirror",
        type_ = "boolean",
        json_path = ".spec.analysis.mirror",
        priority = 1
    ),
    printcolumn(
        name = "StepWeight",
        type_ = "string",
        json_path = ".spec.analysis.stepWeight",
        priority = 1
    ),
    printcolumn(
        name = "StepWeights",
        type_ = "string",
        json_path = ".spec.analysis.stepWeights",
        priority = 1
    ),
    printcolumn(
        name = "MaxWeight",
        type_ = "string",
        json_path = ".spec.analysis.maxWeight",
        priority = 1
    ),
    printcolumn(
        name = "LastTransitionTime",
        type_ = "string",
        json_path = ".status.lastTransitionTime"
    )
)]
#[serde(rename_all = "camelCase", remote = "Self")]
// `analysis` is an `Option` (Flagger's Go type has a pointer) but the schema requires it.
#[schemars(extend("required" = ["targetRef", "analysis"]))]
pub struct CanarySpec {
    /// Traffic management provider; the controller's default when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<CanaryProvider>,
    /// Prometheus address, instead of the controller's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics_server: Option<String>,
    /// The workload to roll out.
    pub target_ref: TargetRef,
    /// The autoscaler of the workload, copied for the primary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaler_ref: Option<AutoscalerRef>,
    /// The Ingress (NGINX provider) whose canary copy carries the canary's traffic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress_ref: Option<IngressRef>,
    /// The ApisixRoute (APISIX provider) whose canary copy carries the canary's traffic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_ref: Option<RouteRef>,
    /// The Gloo Upstream whose configuration the generated upstreams copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upstream_ref: Option<UpstreamRef>,
    /// The Services and routing objects Flagger generates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<CanaryService>,
    /// How a rollout is analysed (required by the schema).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<CanaryAnalysis>,
    /// Seconds a rollout may go without progress before it fails (Flagger's default 600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "number")]
    pub progress_deadline_seconds: Option<i32>,
    /// Promote without analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_analysis: Option<bool>,
    /// Restore the target to its original state when the Canary is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revert_on_deletion: Option<bool>,
    /// Pause every canary run until unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
}

crate::spec_defaults_when_missing!(CanarySpec);

/// The traffic management providers Flagger's schema admits.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, JsonSchema)]
pub enum CanaryProvider {
    #[serde(rename = "apisix")]
    Apisix,
    #[serde(rename = "appmesh")]
    Appmesh,
    #[serde(rename = "appmesh:v1beta2")]
    AppmeshV1beta2,
    #[serde(rename = "contour")]
    Contour,
    #[serde(rename = "gatewayapi:v1")]
    GatewayapiV1,
    #[serde(rename = "gatewayapi:v1beta1")]
    GatewayapiV1beta1,
    #[serde(rename = "gloo")]
    Gloo,
    #[serde(rename = "istio")]
    Istio,
    #[serde(rename = "knative")]
    Knative,
    #[serde(rename = "kubernetes")]
    Kubernetes,
    #[serde(rename = "kuma")]
    Kuma,
    #[serde(rename = "linkerd")]
    Linkerd,
    #[serde(rename = "nginx")]
    Nginx,
    #[serde(rename = "osm")]
    Osm,
    #[serde(rename = "skipper")]
    Skipper,
    #[serde(rename = "smi:v1alpha1")]
    SmiV1alpha1,
    #[serde(rename = "smi:v1alpha2")]
    SmiV1alpha2,
    #[serde(rename = "smi:v1alpha3")]
    SmiV1alpha3,
    #[serde(rename = "traefik")]
    Traefik,
}

impl CanaryProvider {
    /// The name as the CRD spells it (`gatewayapi:v1`, `smi:v1alpha3`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Apisix => "apisix",
            Self::Appmesh => "appmesh",
            Self::AppmeshV1beta2 => "appmesh:v1beta2",
            Self::Contour => "contour",
            Self::GatewayapiV1 => "gatewayapi:v1",
            Self::GatewayapiV1beta1 => "gatewayapi:v1beta1",
            Self::Gloo => "gloo",
            Self::Istio => "istio",
            Self::Knative => "knative",
            Self::Kubernetes => "kubernetes",
            Self::Kuma => "kuma",
            Self::Linkerd => "linkerd",
            Self::Nginx => "nginx",
            Self::Osm => "osm",
            Self::Skipper => "skipper",
            Self::SmiV1alpha1 => "smi:v1alpha1",
            Self::SmiV1alpha2 => "smi:v1alpha2",
            Self::SmiV1alpha3 => "smi:v1alpha3",
            Self::Traefik => "traefik",
        }
    }
}

/// The workload a Canary rolls out, in the Canary's namespace.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetRef {
    /// API version of the workload (`apps/v1`).
    pub api_version: String,
    /// Kind of the workload.
    pub kind: TargetKind,
    /// Name of the workload.
    pub name: String,
}

/// The kinds of workload Flagger rolls out.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum TargetKind {
    DaemonSet,
    #[default]
    Deployment,
    Service,
}

impl TargetKind {
    /// The kind as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DaemonSet => "DaemonSet",
            Self::Deployment => "Deployment",
            Self::Service => "Service",
        }
    }
}

/// The autoscaler of a Canary's workload.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AutoscalerRef {
    /// API version of the autoscaler.
    pub api_version: String,
    /// Kind of the autoscaler.
    pub kind: AutoscalerKind,
    /// Name of the autoscaler.
    pub name: String,
    /// Queries for the primary's scaler, by trigger name (KEDA), replacing the canary's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_scaler_queries: Option<BTreeMap<String, String>>,
    /// Replica bounds for the primary's autoscaler, instead of the canary's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_scaler_replicas: Option<ScalerReplicas>,
}

/// The kinds of autoscaler Flagger copies for the primary.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum AutoscalerKind {
    #[default]
    HorizontalPodAutoscaler,
    ScaledObject,
}

impl AutoscalerKind {
    /// The kind as the API spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HorizontalPodAutoscaler => "HorizontalPodAutoscaler",
            Self::ScaledObject => "ScaledObject",
        }
    }
}

/// Replica bounds for the primary's autoscaler.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScalerReplicas {
    /// Lower bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "positive_int")]
    pub min_replicas: Option<i32>,
    /// Upper bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "positive_int")]
    pub max_replicas: Option<i32>,
}

/// The Ingress (NGINX provider) a Canary's traffic goes through.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct IngressRef {
    /// API version of the Ingress (`networking.k8s.io/v1`).
    pub api_version: String,
    /// Always `Ingress`.
    pub kind: IngressKind,
    /// Name of the Ingress.
    pub name: String,
}

/// The one kind an `ingressRef` names.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum IngressKind {
    #[default]
    Ingress,
}

/// The ApisixRoute (APISIX provider) a Canary's traffic goes through.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RouteRef {
    /// API version of the route (`apisix.apache.org/v2`).
    pub api_version: String,
    /// Always `ApisixRoute`.
    pub kind: RouteKind,
    /// Name of the route.
    pub name: String,
}

/// The one kind a `routeRef` names.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum RouteKind {
    #[default]
    ApisixRoute,
}

/// The Gloo Upstream whose configuration Flagger's upstreams copy.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpstreamRef {
    /// API version of the upstream (`gloo.solo.io/v1`).
    pub api_version: String,
    /// Always `Upstream`.
    pub kind: UpstreamKind,
    /// Name of the upstream.
    pub name: String,
    /// Namespace of the upstream; the Canary's when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// The one kind an `upstreamRef` names.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum UpstreamKind {
    #[default]
    Upstream,
}

/// How Flagger generates the apex, primary and canary Services and the provider's routing.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CanaryService {
    /// Name of the apex Service; the target's name when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Port of the generated Services.
    #[schemars(schema_with = "number")]
    pub port: i32,
    /// Name of that port (`http` when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_name: Option<String>,
    /// Application protocol of that port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
    /// Traffic distribution of the generated Services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic_distribution: Option<TrafficDistribution>,
    /// Container port, by number or name; `port` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_port: Option<IntOrString>,
    /// Add every container port of the workload to the generated Services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_discovery: Option<bool>,
    /// Generate headless Services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headless: Option<bool>,
    /// HTTP or gRPC request timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// Backend request timeout (Gateway API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_timeout: Option<String>,
    /// App Mesh mesh name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mesh_name: Option<String>,
    /// App Mesh backends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backends: Option<Vec<String>>,
    /// Host names of the generated VirtualService or HTTPRoute; the Service name when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosts: Option<Vec<String>>,
    /// Generate a delegate VirtualService (no hosts, no gateways).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delegation: Option<bool>,
    /// Istio match conditions of the generated routes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#match: Option<Vec<HttpMatchRequest>>,
    /// Retry policy of the generated routes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<HttpRetry>,
    /// URI and authority rewrite of the generated routes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rewrite: Option<HttpRewrite>,
    /// Gateway API request mirrors of the generated route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    // Flagger's schema puts `required: [backendRef]` on the list rather than its items, where
    // it requires nothing; the same, so the same objects are admitted.
    #[schemars(extend("required" = ["backendRef"]))]
    pub mirror: Option<Vec<HttpRequestMirrorFilter>>,
    /// Header operations of the generated routes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<Headers>,
    /// Istio gateways of the generated VirtualService; the mesh gateway when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateways: Option<Vec<String>>,
    /// Gateways the generated HTTPRoute attaches to (Gateway API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 32))]
    pub gateway_refs: Option<Vec<GatewayRef>>,
    /// Istio CORS policy of the generated VirtualService.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors_policy: Option<CorsPolicy>,
    /// Istio traffic policy of the generated DestinationRules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traffic_policy: Option<TrafficPolicy>,
    /// Labels and annotations for the apex Service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apex: Option<CustomMetadata>,
    /// Labels and annotations for the primary Service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<CustomMetadata>,
    /// Labels and annotations for the canary Service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary: Option<CustomMetadata>,
    /// Metadata keys on generated objects that Flagger leaves to others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unmanaged_metadata: Option<UnmanagedMetadata>,
}

/// A Service's `trafficDistribution`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, JsonSchema)]
pub enum TrafficDistribution {
    PreferClose,
    PreferSameZone,
    PreferSameNode,
}

/// Labels and annotations to add to a generated object.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct CustomMetadata {
    /// Labels to add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    /// Annotations to add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// Label and annotation keys Flagger neither sets nor removes on generated objects.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct UnmanagedMetadata {
    /// Annotation keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Vec<String>>,
    /// Label keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
}

/// A Gateway an HTTPRoute attaches to (Gateway API's `ParentReference`).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GatewayRef {
    /// Name of the Gateway.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// Namespace of the Gateway; the Canary's when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 63), regex(pattern = NAMESPACE_PATTERN))]
    pub namespace: Option<String>,
    /// API group of the parent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        length(max = 253),
        regex(pattern = GROUP_PATTERN),
        extend("default" = "gateway.networking.k8s.io")
    )]
    pub group: Option<String>,
    /// Kind of the parent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        length(min = 1, max = 63),
        regex(pattern = KIND_PATTERN),
        extend("default" = "Gateway")
    )]
    pub kind: Option<String>,
    /// Listener of the Gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253), regex(pattern = SECTION_NAME_PATTERN))]
    pub section_name: Option<String>,
    /// Port of the Gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<i32>,
}

/// A Gateway API filter mirroring requests to another backend.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HttpRequestMirrorFilter {
    /// Where mirrored requests go. Optional in Flagger's schema (see `CanaryService::mirror`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_ref: Option<BackendObjectReference>,
}

/// A Gateway API backend.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [{
    "message": "Must have port for Service reference",
    "rule": "(size(self.group) == 0 && self.kind == 'Service') ? has(self.port) : true"
}]))]
pub struct BackendObjectReference {
    /// API group of the backend; the core group when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 253), regex(pattern = GROUP_PATTERN), extend("default" = ""))]
    pub group: Option<String>,
    /// Kind of the backend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        length(min = 1, max = 63),
        regex(pattern = KIND_PATTERN),
        extend("default" = "Service")
    )]
    pub kind: Option<String>,
    /// Name of the backend.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// Namespace of the backend; the route's when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 63), regex(pattern = NAMESPACE_PATTERN))]
    pub namespace: Option<String>,
    /// Port of the backend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<i32>,
}

/// Istio's `HTTPMatchRequest`: the conditions a request must meet (all of them) for a route.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HttpMatchRequest {
    /// HTTP authority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "istio_match")]
    pub authority: Option<StringMatch>,
    /// Gateways the match applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "istio_strings")]
    pub gateways: Option<Vec<String>>,
    /// Request headers, by lowercase name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "istio_match_map")]
    pub headers: Option<BTreeMap<String, StringMatch>>,
    /// Match the URI case-insensitively.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_uri_case: Option<bool>,
    /// HTTP method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "istio_match")]
    pub method: Option<StringMatch>,
    /// Name of the match, prefixed to the parent route's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub name: Option<String>,
    /// Port of the host being addressed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "go_int")]
    pub port: Option<i32>,
    /// Query parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "istio_match_map")]
    pub query_params: Option<BTreeMap<String, StringMatch>>,
    /// URI scheme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "istio_match")]
    pub scheme: Option<StringMatch>,
    /// Labels of the source workloads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "istio_string_map")]
    pub source_labels: Option<BTreeMap<String, String>>,
    /// Namespace of the source workloads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub source_namespace: Option<String>,
    /// URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "istio_match")]
    pub uri: Option<StringMatch>,
    /// Headers the request must not have matching.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "istio_match_map")]
    pub without_headers: Option<BTreeMap<String, StringMatch>>,
}

/// A string condition. Flagger's schema admits `suffix` only in `analysis.match` headers,
/// where exactly one of the four is set; Istio's matches (`service.match`, query parameters,
/// CORS origins) admit `exact`, `prefix` and `regex` (the apiserver drops a `suffix`).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[schemars(extend("x-kubernetes-validations" = [{
    "message": ONE_HEADER_MATCH_MESSAGE,
    "rule": ONE_HEADER_MATCH
}]))]
pub struct StringMatch {
    /// The whole value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub exact: Option<String>,
    /// A prefix of the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub prefix: Option<String>,
    /// A suffix of the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub suffix: Option<String>,
    /// An RE2 regular expression the value matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub regex: Option<String>,
}

/// Istio's `HTTPRetry`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HttpRetry {
    /// Number of retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts: Option<i32>,
    /// Timeout of each attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_try_timeout: Option<String>,
    /// Conditions to retry on (`gateway-error,connect-failure`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub retry_on: Option<String>,
}

/// Istio's `HTTPRewrite`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct HttpRewrite {
    /// URI (or its matched prefix) to rewrite to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub uri: Option<String>,
    /// Authority (Host header) to rewrite to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub authority: Option<String>,
    /// Kind of rewrite (Gateway API: `ReplaceFullPath`, `ReplacePrefixMatch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub r#type: Option<String>,
}

/// Istio's `Headers`: operations on request and response headers.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct Headers {
    /// On the request, before it is forwarded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<HeaderOperations>,
    /// On the response, before it is returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<HeaderOperations>,
}

/// Istio's `HeaderOperations`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct HeaderOperations {
    /// Headers to append to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "istio_string_map")]
    pub add: Option<BTreeMap<String, String>>,
    /// Headers to remove.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "istio_strings")]
    pub remove: Option<Vec<String>>,
    /// Headers to overwrite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "istio_string_map")]
    pub set: Option<BTreeMap<String, String>>,
}

/// Istio's `CorsPolicy`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CorsPolicy {
    /// Allow credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_credentials: Option<bool>,
    /// Allowed request headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "istio_strings")]
    pub allow_headers: Option<Vec<String>>,
    /// Allowed methods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "istio_strings")]
    pub allow_methods: Option<Vec<String>>,
    /// Allowed origins, exactly (deprecated by Istio for `allowOrigins`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "istio_strings")]
    pub allow_origin: Option<Vec<String>>,
    /// Allowed origins, each one `exact`, `prefix` or `regex`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "origin_matches")]
    pub allow_origins: Option<Vec<StringMatch>>,
    /// Response headers browsers may read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "istio_strings")]
    pub expose_headers: Option<Vec<String>>,
    /// How long a preflight result may be cached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<String>,
}

/// Istio's `TrafficPolicy`, for the generated DestinationRules.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrafficPolicy {
    /// Connection pool settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_pool: Option<ConnectionPoolSettings>,
    /// Load balancing algorithm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<LoadBalancerSettings>,
    /// Ejection of unhealthy hosts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlier_detection: Option<OutlierDetection>,
    /// TLS to the upstream service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<ClientTlsSettings>,
}

/// Istio's `ConnectionPoolSettings` (HTTP only, as Flagger's schema has it).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct ConnectionPoolSettings {
    /// HTTP connection pool settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpConnectionPoolSettings>,
}

/// Istio's HTTP connection pool settings.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HttpConnectionPoolSettings {
    /// Whether HTTP/1.1 connections are upgraded to HTTP/2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub h2_upgrade_policy: Option<H2UpgradePolicy>,
    /// Maximum pending HTTP requests to a destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http1_max_pending_requests: Option<i32>,
    /// Maximum requests to a backend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http2_max_requests: Option<i32>,
    /// Idle timeout of pooled connections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_timeout: Option<String>,
    /// Maximum requests per connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_requests_per_connection: Option<i32>,
    /// Maximum outstanding retries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<i32>,
}

/// Istio's `H2UpgradePolicy`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum H2UpgradePolicy {
    Default,
    DoNotUpgrade,
    Upgrade,
}

/// Istio's `LoadBalancerSettings`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
// Flagger's `oneOf`: `simple`, or `consistentHash` with exactly one hash key, not both.
#[schemars(extend("x-kubernetes-validations" = [{
    "message": "set simple, or consistentHash with exactly one of httpHeaderName, httpCookie, useSourceIp and httpQueryParameterName",
    "rule": "has(self.simple) != (has(self.consistentHash) && (has(self.consistentHash.httpHeaderName) ? 1 : 0) + (has(self.consistentHash.httpCookie) ? 1 : 0) + (has(self.consistentHash.useSourceIp) ? 1 : 0) + (has(self.consistentHash.httpQueryParameterName) ? 1 : 0) == 1)"
}]))]
pub struct LoadBalancerSettings {
    /// Consistent hashing (session affinity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistent_hash: Option<ConsistentHashLb>,
    /// Locality-weighted load balancing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality_lb_setting: Option<LocalityLbSetting>,
    /// A standard algorithm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub simple: Option<SimpleLb>,
    /// Warm-up duration of a new endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup_duration_secs: Option<String>,
}

/// Istio's `ConsistentHashLB`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsistentHashLb {
    /// Hash on an HTTP cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_cookie: Option<HttpCookie>,
    /// Hash on an HTTP header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub http_header_name: Option<String>,
    /// Hash on an HTTP query parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub http_query_parameter_name: Option<String>,
    /// Minimum number of virtual nodes of the hash ring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "go_int")]
    pub minimum_ring_size: Option<i64>,
    /// Hash on the source IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_source_ip: Option<bool>,
}

/// The cookie Istio hashes on (generated when missing).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct HttpCookie {
    /// Name of the cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub name: Option<String>,
    /// Path of the cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub path: Option<String>,
    /// Lifetime of the cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
}

/// Istio's `LocalityLoadBalancerSetting`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct LocalityLbSetting {
    /// Traffic distribution by originating locality (instead of `failover`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribute: Option<Vec<LocalityDistribute>>,
    /// Enable locality load balancing for this DestinationRule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Failover regions (instead of `distribute`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failover: Option<Vec<LocalityFailover>>,
}

/// Weights of upstream localities for traffic from one locality.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct LocalityDistribute {
    /// Originating locality, `/`-separated (`us-west/zone1/*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub from: Option<String>,
    /// Weight of each upstream locality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "int_map")]
    pub to: Option<BTreeMap<String, i64>>,
}

/// A failover from one region to another.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct LocalityFailover {
    /// Originating region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub from: Option<String>,
    /// Region to fail over to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub to: Option<String>,
}

/// Istio's simple load balancing algorithms.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SimpleLb {
    RoundRobin,
    LeastConn,
    Random,
    Passthrough,
    LeastRequest,
}

/// Istio's `OutlierDetection`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutlierDetection {
    /// Minimum ejection duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_ejection_time: Option<String>,
    /// 5xx errors before a host is ejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "go_int")]
    pub consecutive_5xx_errors: Option<i64>,
    /// Errors before a host is ejected (deprecated by Istio).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_errors: Option<i32>,
    /// Gateway errors before a host is ejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_gateway_errors: Option<i32>,
    /// Locally originated failures before a host is ejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_local_origin_failures: Option<i32>,
    /// Interval between ejection sweeps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// Maximum percentage of hosts ejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ejection_percent: Option<i32>,
    /// Minimum percentage of healthy hosts for outlier detection to apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_health_percent: Option<i32>,
    /// Count local-origin failures apart from external errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split_external_local_origin_errors: Option<bool>,
}

/// Istio's `ClientTLSSettings`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClientTlsSettings {
    /// CA certificates file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub ca_certificates: Option<String>,
    /// Client certificate file (`MUTUAL`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub client_certificate: Option<String>,
    /// TLS mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<TlsMode>,
    /// Private key file (`MUTUAL`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub private_key: Option<String>,
    /// SNI to present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "string"))]
    pub sni: Option<String>,
    /// Names the server certificate must carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "istio_strings")]
    pub subject_alt_names: Option<Vec<String>>,
}

/// Istio's TLS modes.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TlsMode {
    Disable,
    Simple,
    Mutual,
    IstioMutual,
}

/// How a rollout is analysed: its schedule, traffic steps and checks.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
// Flagger's `oneOf` of three `required` lists: `interval` and `threshold`, and exactly one of
// `iterations` (A/B, blue/green), `stepWeight` and `stepWeights` (canary).
#[schemars(extend("x-kubernetes-validations" = [{
    "message": "set interval, threshold and exactly one of iterations, stepWeight and stepWeights",
    "rule": "has(self.interval) && has(self.threshold) && (has(self.iterations) ? 1 : 0) + (has(self.stepWeight) ? 1 : 0) + (has(self.stepWeights) ? 1 : 0) == 1"
}]))]
pub struct CanaryAnalysis {
    /// Time between checks (Flagger's default `60s`, at least `10s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = INTERVAL_PATTERN))]
    pub interval: Option<String>,
    /// Checks to run for A/B testing and blue/green.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "number")]
    pub iterations: Option<i32>,
    /// Failed checks before rollback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "number")]
    pub threshold: Option<i32>,
    /// Highest percentage of traffic routed to the canary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "number")]
    pub max_weight: Option<i32>,
    /// Percentage added to the canary's traffic at each step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "number")]
    pub step_weight: Option<i32>,
    /// The canary's traffic percentage at each step, instead of `stepWeight`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "numbers")]
    pub step_weights: Option<Vec<i32>>,
    /// Percentage moved to the primary at each promotion step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "number")]
    pub step_weight_promotion: Option<i32>,
    /// Mirror traffic to the canary (blue/green).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mirror: Option<bool>,
    /// Percentage of traffic mirrored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "number")]
    pub mirror_weight: Option<i32>,
    /// Percentage of primary pods that must be available (Flagger's default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "number")]
    pub primary_ready_threshold: Option<i32>,
    /// Percentage of canary pods that must be available (Flagger's default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "number")]
    pub canary_ready_threshold: Option<i32>,
    /// A/B testing conditions: requests matching any of them go to the canary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#match: Option<Vec<AbMatch>>,
    /// Metric checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<CanaryMetric>>,
    /// Alerts sent about the analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<Vec<CanaryAlert>>,
    /// Webhooks called during the analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhooks: Option<Vec<CanaryWebhook>>,
    /// Cookie-based session affinity to the canary during the analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_affinity: Option<SessionAffinity>,
}

/// An A/B testing condition (`analysis.match`): all of its parts must match.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AbMatch {
    /// Request headers (a cookie is the `cookie` header), exactly one condition each.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, StringMatch>>,
    /// Query parameters, at most one of `exact`, `prefix` and `regex` each.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "query_param_matches")]
    pub query_params: Option<BTreeMap<String, StringMatch>>,
    /// Labels of the source workloads (when the mesh gateway is among `service.gateways`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "istio_string_map")]
    pub source_labels: Option<BTreeMap<String, String>>,
}

/// A metric check of the analysis.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CanaryMetric {
    /// Name of the metric (`request-success-rate`, `request-duration` are built in).
    pub name: String,
    /// Window of the query (Flagger's default `1m`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = INTERVAL_PATTERN))]
    pub interval: Option<String>,
    /// Highest accepted value (deprecated by Flagger for `thresholdRange`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "go_float"
    )]
    #[schemars(schema_with = "number")]
    pub threshold: Option<f64>,
    /// Accepted range of values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold_range: Option<ThresholdRange>,
    /// Prometheus query (deprecated by Flagger for `templateRef`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The MetricTemplate to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_ref: Option<CrossNamespaceRef>,
    /// Variables for the template's query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_variables: Option<BTreeMap<String, String>>,
}

/// The accepted range of a metric's value.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct ThresholdRange {
    /// Lowest accepted value.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "go_float"
    )]
    #[schemars(schema_with = "number")]
    pub min: Option<f64>,
    /// Highest accepted value.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "go_float"
    )]
    #[schemars(schema_with = "number")]
    pub max: Option<f64>,
}

/// An object by name, in the Canary's namespace unless `namespace` says otherwise.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct CrossNamespaceRef {
    /// Name of the object.
    pub name: String,
    /// Namespace of the object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// An alert of the analysis, sent through an AlertProvider.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CanaryAlert {
    /// Name of the alert.
    pub name: String,
    /// Lowest severity sent (Flagger's default `info`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<AlertSeverity>,
    /// The AlertProvider to send through.
    pub provider_ref: CrossNamespaceRef,
}

/// Severity levels of canary alerts.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AlertSeverity {
    /// Unset (`""`): `info`.
    #[default]
    #[serde(rename = "")]
    Unset,
    Info,
    Warn,
    Error,
}

impl AlertSeverity {
    /// The level as the CRD spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unset => "",
            Self::Info => "info",
            Self::Warn => "warn",
            Self::Error => "error",
        }
    }
}

/// A webhook of the analysis.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CanaryWebhook {
    /// Name of the webhook.
    pub name: String,
    /// When it is called (during the rollout when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<HookType>,
    /// Address to POST to.
    #[schemars(extend("format" = "url"))]
    pub url: String,
    /// Request timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = INTERVAL_PATTERN))]
    pub timeout: Option<String>,
    /// Retries of a failed call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "number")]
    pub retries: Option<i32>,
    /// Skip TLS verification of the address.
    #[serde(
        rename = "disableTLS",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub disable_tls: Option<bool>,
    /// Send no alerts about this webhook's failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mute_alert: Option<bool>,
    /// Key-value pairs sent with each call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
}

/// When a webhook is called.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum HookType {
    /// Unset (`""`): `rollout`.
    #[default]
    #[serde(rename = "")]
    Unset,
    /// At each check of the analysis; a failure counts as a failed check.
    Rollout,
    /// Before traffic shifts to the canary; a failure counts as a failed check.
    PreRollout,
    /// After promotion or rollback.
    PostRollout,
    /// Gates the start of the rollout until it answers 200.
    ConfirmRollout,
    /// Gates promotion until it answers 200.
    ConfirmPromotion,
    /// Gates each traffic increase until it answers 200.
    ConfirmTrafficIncrease,
    /// Receives every event of the Canary.
    Event,
    /// Rolls back when it answers 200.
    Rollback,
}

impl HookType {
    /// The type as the CRD spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unset => "",
            Self::Rollout => "rollout",
            Self::PreRollout => "pre-rollout",
            Self::PostRollout => "post-rollout",
            Self::ConfirmRollout => "confirm-rollout",
            Self::ConfirmPromotion => "confirm-promotion",
            Self::ConfirmTrafficIncrease => "confirm-traffic-increase",
            Self::Event => "event",
            Self::Rollback => "rollback",
        }
    }
}

/// Cookie-based session affinity: a client sent to the canary once stays there.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionAffinity {
    /// Name of the cookie that pins a client to the canary.
    pub cookie_name: String,
    /// Name of the cookie that pins a client to the primary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_cookie_name: Option<String>,
    /// `Domain` of the cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// `HttpOnly` on the cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_only: Option<bool>,
    /// `Max-Age` of the cookie in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "number", extend("default" = 86400))]
    pub max_age: Option<i32>,
    /// `Partitioned` on the cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitioned: Option<bool>,
    /// `Path` of the cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `SameSite` of the cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_site: Option<SameSite>,
    /// `Secure` on the cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure: Option<bool>,
}

/// A cookie's `SameSite` attribute.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, JsonSchema)]
pub enum SameSite {
    Strict,
    Lax,
    None,
}

/// Observed state of a canary.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CanaryStatus {
    /// Phase of the canary's analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<CanaryPhase>,
    /// Failed checks of the current analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "number")]
    pub failed_checks: Option<i32>,
    /// Percentage of traffic routed to the canary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "number")]
    pub canary_weight: Option<i32>,
    /// Checks run in the current analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "number")]
    pub iterations: Option<i32>,
    /// Hashes of the ConfigMaps and Secrets the target uses, by `<kind>/<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracked_configs: Option<BTreeMap<String, String>>,
    /// Hash of the target's spec last rolled out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_applied_spec: Option<String>,
    /// Hash of the target's spec last promoted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_promoted_spec: Option<String>,
    /// The target's revision last seen, the change fence of the canary target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_tracked_revision: Option<String>,
    /// When the phase last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    /// Session affinity cookie of the current canary run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_affinity_cookie: Option<String>,
    /// Primary session affinity cookie of the current canary run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_session_affinity_cookie: Option<String>,
    /// Session affinity cookie of the previous canary run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_session_affinity_cookie: Option<String>,
    /// Conditions of the canary (`Promoted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<CanaryCondition>>,
}

/// Phases of a canary's analysis.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum CanaryPhase {
    /// Not yet seen by the controller (`""`).
    #[default]
    #[serde(rename = "")]
    Unset,
    /// The primary is being created.
    Initializing,
    /// The primary is ready; waiting for a change of the target.
    Initialized,
    /// Waiting for a `confirm-rollout` webhook.
    Waiting,
    /// The analysis is running.
    Progressing,
    /// Waiting for a `confirm-promotion` webhook.
    WaitingPromotion,
    /// The canary's spec is being copied to the primary.
    Promoting,
    /// Traffic is moving back to the primary after promotion.
    Finalising,
    /// The canary was promoted.
    Succeeded,
    /// The canary was rolled back.
    Failed,
    /// The Canary is being deleted and its changes reverted.
    Terminating,
    /// The Canary's changes were reverted.
    Terminated,
}

impl CanaryPhase {
    /// The phase as the CRD spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unset => "",
            Self::Initializing => "Initializing",
            Self::Initialized => "Initialized",
            Self::Waiting => "Waiting",
            Self::Progressing => "Progressing",
            Self::WaitingPromotion => "WaitingPromotion",
            Self::Promoting => "Promoting",
            Self::Finalising => "Finalising",
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
            Self::Terminating => "Terminating",
            Self::Terminated => "Terminated",
        }
    }
}

/// A condition of a canary (Flagger's, not `metav1.Condition`: it has `lastUpdateTime` and no
/// `observedGeneration`).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CanaryCondition {
    /// Type of the condition (`Promoted`).
    pub r#type: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// Reason for the status (the phase).
    pub reason: String,
    /// Human-readable detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When the condition was last written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update_time: Option<Time>,
    /// When the status last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
}

/// Writes a float as Go's `encoding/json` does: integral values without a fraction (`99`, not
/// `99.0`), so a threshold read from the apiserver serializes back as it was written.
fn go_float<S: Serializer>(value: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
    // 2^53: every integer up to it is exactly representable, so the cast loses nothing.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match *value {
        Some(v) if v.fract() == 0.0 && v.abs() <= EXACT => serializer.serialize_i64(v as i64),
        Some(v) => serializer.serialize_f64(v),
        None => serializer.serialize_none(),
    }
}

/// Flagger's `type: number` for counts and percentages (no format).
fn number(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "number" })
}

/// A list of `type: number` (`stepWeights`).
fn numbers(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "array", "items": { "type": "number" } })
}

/// A replica count: an integer of at least 1, no format.
fn positive_int(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "integer", "minimum": 1 })
}

/// A map of integers without format (Istio's locality weights).
fn int_map(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "object", "additionalProperties": { "type": "integer" } })
}

/// Istio's string lists, which Flagger's schema gives `format: string`.
fn istio_strings(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "array", "items": { "type": "string", "format": "string" } })
}

/// Istio's string maps, which Flagger's schema gives `format: string`.
fn istio_string_map(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "additionalProperties": { "type": "string", "format": "string" }
    })
}

/// Istio's `StringMatch` (no `suffix`), at most one of whose fields is set; with `format`,
/// as `service.match` has it, or without, as `analysis.match` query parameters have it.
fn istio_string_match(format: bool) -> serde_json::Value {
    let string = if format {
        serde_json::json!({ "type": "string", "format": "string" })
    } else {
        serde_json::json!({ "type": "string" })
    };
    serde_json::json!({
        "type": "object",
        "properties": { "exact": string, "prefix": string, "regex": string },
        "x-kubernetes-validations": [{
            "message": AT_MOST_ONE_MATCH_MESSAGE,
            "rule": AT_MOST_ONE_MATCH
        }]
    })
}

/// An Istio string condition of `service.match` (`uri`, `method`, ...).
fn istio_match(_: &mut SchemaGenerator) -> Schema {
    Schema::try_from(istio_string_match(true)).expect("an object is a schema")
}

/// Istio string conditions by name (`service.match` headers, query parameters).
fn istio_match_map(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "object", "additionalProperties": istio_string_match(true) })
}

/// `analysis.match` query parameters: Istio string conditions without `format`.
fn query_param_matches(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "object", "additionalProperties": istio_string_match(false) })
}

/// CORS `allowOrigins`: exactly one of `exact`, `prefix` and `regex` each.
fn origin_matches(_: &mut SchemaGenerator) -> Schema {
    let string = serde_json::json!({ "type": "string", "format": "string" });
    json_schema!({
        "type": "array",
        "items": {
            "type": "object",
            "properties": { "exact": string, "prefix": string, "regex": string },
            "x-kubernetes-validations": [{
                "message": ONE_ORIGIN_MATCH_MESSAGE,
                "rule": ONE_ORIGIN_MATCH
            }]
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Canaries as Flagger's docs write them (with a status as Flagger writes it) read into
    /// the types and serialize back unchanged.
    #[test]
    fn canaries_from_flaggers_docs_round_trip() {
        let gateway_api = json!({
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": { "name": "podinfo", "namespace": "test" },
            "spec": {
                "provider": "gatewayapi:v1",
                "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo" },
                "progressDeadlineSeconds": 60,
                "autoscalerRef": {
                    "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                    "name": "podinfo", "primaryScalerReplicas": { "minReplicas": 2, "maxReplicas": 5 },
                },
                "service": {
                    "port": 9898, "targetPort": 9898,
                    "hosts": ["localproject.contour.io"],
                    "gatewayRefs": [{ "name": "contour", "namespace": "projectcontour",
                                      "group": "gateway.networking.k8s.io", "kind": "Gateway",
                                      "sectionName": "http", "port": 80 }],
                },
                "analysis": {
                    "interval": "1m", "threshold": 5, "maxWeight": 50, "stepWeight": 10,
                    "sessionAffinity": { "cookieName": "flagger-cookie", "maxAge": 21600 },
                    "metrics": [
                        { "name": "error-rate", "interval": "1m", "thresholdRange": { "max": 1 },
                          "templateRef": { "name": "error-rate", "namespace": "flagger-system" } },
                        { "name": "latency", "interval": "30s", "thresholdRange": { "max": 0.5 },
                          "templateRef": { "name": "latency", "namespace": "flagger-system" },
                          "templateVariables": { "quantile": "0.99" } },
                    ],
                    "alerts": [{ "name": "on-call Slack", "severity": "error",
                                 "providerRef": { "name": "on-call", "namespace": "flagger" } }],
                    "webhooks": [
                        { "name": "smoke-test", "type": "pre-rollout", "url": "http://flagger-loadtester.test/",
                          "timeout": "15s",
                          "metadata": { "type": "bash",
                                        "cmd": "curl -sd 'anon' http://podinfo-canary.test:9898/token | grep token" } },
                        { "name": "load-test", "url": "http://flagger-loadtester.test/", "timeout": "5s",
                          "metadata": { "cmd": "hey -z 2m -q 10 -c 2 -host localproject.contour.io http://envoy.projectcontour/" } },
                        { "name": "gate", "type": "confirm-promotion", "url": "http://flagger-loadtester.test/gate/check",
                          "retries": 3, "disableTLS": true, "muteAlert": true },
                    ],
                },
            },
            "status": {
                "phase": "Progressing", "canaryWeight": 10, "failedChecks": 0, "iterations": 0,
                "lastAppliedSpec": "5d8c9c7b8f", "lastPromotedSpec": "7f8b6c6d5c",
                "lastTransitionTime": "2024-05-01T10:02:00Z",
                "trackedConfigs": { "configmap/podinfo-config": "1c3c2b9a8e7d6f54" },
                "sessionAffinityCookie": "flagger-cookie=LpsIaLdoNZ",
                "conditions": [{
                    "type": "Promoted", "status": "Unknown", "reason": "Progressing",
                    "message": "New revision detected, progressing canary analysis.",
                    "lastUpdateTime": "2024-05-01T10:02:00Z", "lastTransitionTime": "2024-05-01T10:01:00Z",
                }],
            },
        });
        let istio_ab = json!({
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": { "name": "podinfo", "namespace": "test" },
            "spec": {
                "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo" },
                "progressDeadlineSeconds": 60,
                "autoscalerRef": { "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                                   "name": "podinfo" },
                "service": {
                    "port": 9898, "targetPort": "http",
                    "gateways": ["istio-system/public-gateway"],
                    "hosts": ["app.example.com"],
                    "trafficPolicy": {
                        "tls": { "mode": "DISABLE" },
                        "loadBalancer": { "consistentHash": { "httpCookie": { "name": "user", "ttl": "0s" } } },
                    },
                    "match": [{ "uri": { "prefix": "/" }, "headers": { "x-canary": { "exact": "insider" } } }],
                    "rewrite": { "uri": "/" },
                    "retries": { "attempts": 3, "perTryTimeout": "1s",
                                 "retryOn": "gateway-error,connect-failure,refused-stream" },
                    "headers": { "request": { "add": { "x-some-header": "value" } } },
                    "corsPolicy": { "allowOrigins": [{ "exact": "example.com" }], "allowMethods": ["GET"],
                                    "allowCredentials": false, "allowHeaders": ["x-some-header"],
                                    "maxAge": "24h" },
                },
                "analysis": {
                    "interval": "1m", "iterations": 10, "threshold": 2,
                    "match": [
                        { "headers": { "user-agent": { "regex": ".*Firefox.*" } } },
                        { "headers": { "cookie": { "regex": "^(.*?;)?(type=insider)(;.*)?$" } } },
                    ],
                    "metrics": [
                        { "name": "request-success-rate", "thresholdRange": { "min": 99 }, "interval": "1m" },
                        { "name": "request-duration", "thresholdRange": { "max": 500 }, "interval": "30s" },
                    ],
                    "webhooks": [{
                        "name": "load-test", "url": "http://flagger-loadtester.test/", "timeout": "15s",
                        "metadata": { "cmd": "hey -z 1m -q 10 -c 2 -H 'Cookie: type=insider' http://podinfo.test:9898/" },
                    }],
                },
            },
        });
        let blue_green = json!({
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": { "name": "podinfo", "namespace": "test" },
            "spec": {
                "provider": "kubernetes",
                "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo" },
                "progressDeadlineSeconds": 60,
                "autoscalerRef": { "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                                   "name": "podinfo" },
                "service": { "port": 9898, "portDiscovery": true },
                "analysis": {
                    "interval": "30s", "threshold": 2, "iterations": 10,
                    "metrics": [
                        { "name": "request-success-rate", "thresholdRange": { "min": 99 }, "interval": "1m" },
                        { "name": "404s percentage", "templateRef": { "name": "not-found-percentage" },
                          "thresholdRange": { "max": 5 }, "interval": "1m" },
                    ],
                    "webhooks": [
                        { "name": "smoke-test", "type": "pre-rollout", "url": "http://flagger-loadtester.test/",
                          "timeout": "15s",
                          "metadata": { "type": "bash",
                                        "cmd": "curl -sd 'anon' http://podinfo-canary.test:9898/token | grep token" } },
                        { "name": "load-test", "url": "http://flagger-loadtester.test/", "timeout": "5s",
                          "metadata": { "type": "cmd", "cmd": "hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/" } },
                    ],
                },
            },
            "status": {
                "phase": "Succeeded", "canaryWeight": 0, "failedChecks": 0, "iterations": 0,
                "lastAppliedSpec": "6b7c8d9e", "lastPromotedSpec": "6b7c8d9e",
                "lastTransitionTime": "2024-05-01T10:15:00Z",
                "conditions": [{
                    "type": "Promoted", "status": "True", "reason": "Succeeded",
                    "message": "Canary analysis completed successfully, promotion finished.",
                    "lastUpdateTime": "2024-05-01T10:15:00Z", "lastTransitionTime": "2024-05-01T10:15:00Z",
                }],
            },
        });
        for doc in [gateway_api, istio_ab, blue_green] {
            let canary: Canary = serde_json::from_value(doc.clone()).unwrap();
            assert_eq!(serde_json::to_value(&canary).unwrap(), doc);
        }
    }

    #[test]
    fn reads_the_typed_fields_the_controller_uses() {
        let spec: CanarySpec = serde_json::from_value(json!({
            "provider": "smi:v1alpha3",
            "targetRef": { "apiVersion": "apps/v1", "kind": "DaemonSet", "name": "podinfo" },
            "analysis": { "interval": "1m", "threshold": 5, "stepWeights": [1, 10, 50],
                          "webhooks": [{ "name": "gate", "type": "confirm-traffic-increase",
                                         "url": "http://gate/" }],
                          "metrics": [{ "name": "latency", "threshold": 0.5 }] },
        }))
        .unwrap();
        assert_eq!(spec.provider, Some(CanaryProvider::SmiV1alpha3));
        assert_eq!(spec.target_ref.kind, TargetKind::DaemonSet);
        let analysis = spec.analysis.unwrap();
        assert_eq!(analysis.step_weights, Some(vec![1, 10, 50]));
        let hooks = analysis.webhooks.unwrap();
        assert_eq!(hooks[0].r#type, Some(HookType::ConfirmTrafficIncrease));
        assert_eq!(analysis.metrics.unwrap()[0].threshold, Some(0.5));
    }

    #[test]
    fn rejects_a_provider_flaggers_schema_does_not_list() {
        for provider in ["envoy", "gatewayapi", "Istio"] {
            let spec = json!({
                "provider": provider,
                "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo" },
            });
            assert!(
                serde_json::from_value::<CanarySpec>(spec).is_err(),
                "{provider}"
            );
        }
    }

    /// Flagger's CRD admits a Canary without `spec`; it reads as the default spec instead of
    /// failing the whole list of canaries.
    #[test]
    fn reads_a_canary_without_spec() {
        let canary: Canary = serde_json::from_value(json!({
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": { "name": "podinfo", "namespace": "test" },
        }))
        .unwrap();
        assert_eq!(canary.spec, CanarySpec::default());
    }

    /// `as_str` spells every variant as serde does, so the controller can compare and print
    /// names without serializing.
    #[test]
    fn as_str_matches_the_serialized_names() {
        fn check<T: serde::de::DeserializeOwned + JsonSchema + Copy>(
            as_str: fn(T) -> &'static str,
        ) {
            // Every name the type's schema lists: `enum`, or one `const` per documented variant.
            let schema = serde_json::to_value(schemars::schema_for!(T)).unwrap();
            let names: Vec<serde_json::Value> = match schema.get("enum") {
                Some(names) => names.as_array().unwrap().clone(),
                None => schema["oneOf"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|v| {
                        v.get("enum")
                            .and_then(|e| e.as_array().cloned())
                            .unwrap_or_else(|| vec![v["const"].clone()])
                    })
                    .collect(),
            };
            assert!(!names.is_empty());
            for name in names {
                let variant: T = serde_json::from_value(name.clone()).unwrap();
                assert_eq!(as_str(variant), name);
            }
        }
        check(CanaryProvider::as_str);
        check(TargetKind::as_str);
        check(AutoscalerKind::as_str);
        check(AlertSeverity::as_str);
        check(HookType::as_str);
        check(CanaryPhase::as_str);
    }
}
