//! Types and constants every Flux kind shares (Flux's `fluxcd/pkg/apis/meta`, `apis/kustomize`
//! and the inventory types): object references, the artifact record, reconcile-request
//! annotations, condition types and reasons, and kstatus-compatible condition helpers.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::schema::DIGEST_PATTERN;

/// Finalizer every kind carries while the controller owns cleanup.
pub const FINALIZER: &str = "finalizers.fluxcd.io";
/// Setting this annotation to a new value asks for an immediate reconcile.
pub const RECONCILE_REQUEST_ANNOTATION: &str = "reconcile.fluxcd.io/requestedAt";
/// HelmRelease: force a one-off install/upgrade when changed with `requestedAt`.
pub const FORCE_REQUEST_ANNOTATION: &str = "reconcile.fluxcd.io/forceAt";
/// HelmRelease: reset the failure counters when changed with `requestedAt`.
pub const RESET_REQUEST_ANNOTATION: &str = "reconcile.fluxcd.io/resetAt";
/// Label on Secrets/ConfigMaps whose changes should trigger reconciles of their users.
pub const RECONCILE_WATCH_LABEL: &str = "reconcile.fluxcd.io/watch";
/// The value of [`RECONCILE_WATCH_LABEL`] that enables watching.
pub const RECONCILE_WATCH_ENABLED: &str = "Enabled";

/// Condition types (kstatus: `Ready`, `Reconciling`, `Stalled`; plus Flux's `Healthy`).
pub mod condition_type {
    pub const READY: &str = "Ready";
    pub const RECONCILING: &str = "Reconciling";
    pub const STALLED: &str = "Stalled";
    pub const HEALTHY: &str = "Healthy";
}

/// Condition reasons from `fluxcd/pkg/apis/meta/conditions.go` and `apis/acl`.
pub mod reason {
    pub const SUCCEEDED: &str = "Succeeded";
    pub const FAILED: &str = "Failed";
    pub const PROGRESSING: &str = "Progressing";
    pub const PROGRESSING_WITH_RETRY: &str = "ProgressingWithRetry";
    pub const SUSPENDED: &str = "Suspended";
    pub const DEPENDENCY_NOT_READY: &str = "DependencyNotReady";
    pub const INVALID_PATH: &str = "InvalidPath";
    pub const INVALID_URL: &str = "InvalidURL";
    pub const INSECURE_CONNECTIONS_DISALLOWED: &str = "InsecureConnectionsDisallowed";
    pub const UNSUPPORTED_CONNECTION_TYPE: &str = "UnsupportedConnectionType";
    pub const PRUNE_FAILED: &str = "PruneFailed";
    pub const ARTIFACT_FAILED: &str = "ArtifactFailed";
    pub const BUILD_FAILED: &str = "BuildFailed";
    pub const HEALTH_CHECK_FAILED: &str = "HealthCheckFailed";
    pub const HEALTH_CHECK_CANCELED: &str = "HealthCheckCanceled";
    pub const RECONCILIATION_SUCCEEDED: &str = "ReconciliationSucceeded";
    pub const RECONCILIATION_FAILED: &str = "ReconciliationFailed";
    pub const INVALID_CEL_EXPRESSION: &str = "InvalidCELExpression";
    pub const FEATURE_GATE_DISABLED: &str = "FeatureGateDisabled";
    pub const ACCESS_DENIED: &str = "AccessDenied";
}

/// The output of a source reconcile: a file in the artifact store and where to fetch it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Artifact {
    /// Digest of the file in the form `<algorithm>:<checksum>`.
    #[schemars(regex(pattern = DIGEST_PATTERN))]
    pub digest: String,
    /// When the artifact last changed.
    pub last_update_time: Time,
    /// Upstream information such as OCI annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// Path of the file relative to the storage root.
    pub path: String,
    /// Human-readable origin identifier, e.g. `main@sha1:<hex>` or a chart version.
    pub revision: String,
    /// Size of the file in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<i64>,
    /// HTTP address of the file as served by the source controller.
    pub url: String,
}

/// A reference to an object in the same namespace.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct LocalObjectReference {
    /// Name of the referent.
    pub name: String,
}

impl LocalObjectReference {
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into() }
    }
}

/// A reference to an object, by default in the referrer's namespace.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct NamespacedObjectReference {
    /// Name of the referent.
    pub name: String,
    /// Namespace of the referent, defaults to the referrer's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A reference to an object of a given kind, by default in the referrer's namespace.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NamespacedObjectKindReference {
    /// API version of the referent; when omitted the latest version is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Kind of the referent.
    pub kind: String,
    /// Name of the referent.
    pub name: String,
    /// Namespace of the referent, defaults to the referrer's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A key in a Secret in the referrer's namespace.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct SecretKeyReference {
    /// Key in the Secret; when omitted the consumer picks its documented default key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Name of the Secret.
    pub name: String,
}

/// Where a remote cluster's kubeconfig lives (exactly one of the two references).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {
        "message": "exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef must be specified",
        "rule": "has(self.configMapRef) || has(self.secretRef)"
    },
    {
        "message": "exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef must be specified",
        "rule": "!has(self.configMapRef) || !has(self.secretRef)"
    }
]))]
pub struct KubeConfigReference {
    /// A ConfigMap holding provider settings for a cloud-issued kubeconfig.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map_ref: Option<LocalObjectReference>,
    /// A Secret holding the kubeconfig (key `value` or `value.yaml` when `key` is unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<SecretKeyReference>,
}

/// An object this one waits for before reconciling.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DependencyReference {
    /// Name of the dependency.
    pub name: String,
    /// Namespace of the dependency, defaults to the dependant's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// CEL expression deciding readiness instead of the Ready condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_expr: Option<String>,
}

/// CEL expressions computing the health of a custom resource kind.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomHealthCheck {
    /// API version of the resources the expressions apply to.
    pub api_version: String,
    /// When true, the resource is healthy.
    pub current: String,
    /// When true, the resource has failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
    /// When true, the resource is still progressing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_progress: Option<String>,
    /// Kind of the resources the expressions apply to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// Labels and annotations added to every applied object.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct CommonMetadata {
    /// Annotations to add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Labels to add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
}

/// A kustomize image override.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// Digest replacing the tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Image name to match.
    pub name: String,
    /// Replacement image name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_name: Option<String>,
    /// Replacement tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_tag: Option<String>,
}

/// A strategic merge or JSON6902 patch, optionally limited to matching objects.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct Patch {
    /// The patch document (YAML or JSON).
    pub patch: String,
    /// Which objects the patch applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Selector>,
}

/// Selects objects by group/version/kind, name, namespace and label/annotation selectors.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Selector {
    /// Annotation selector expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotation_selector: Option<String>,
    /// API group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Label selector expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_selector: Option<String>,
    /// Name (a regular expression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Namespace (a regular expression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// API version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// JSON pointers to ignore in drift detection or apply, for the matching objects.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct IgnoreRule {
    /// JSON pointers (RFC 6901) to ignore.
    pub paths: Vec<String>,
    /// Which objects the rule applies to; all when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Selector>,
}

/// The objects applied by the last successful reconcile.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct ResourceInventory {
    /// One entry per applied object.
    pub entries: Vec<ResourceRef>,
}

/// An inventory entry: `<namespace>_<name>_<group>_<kind>` and the object's API version.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct ResourceRef {
    /// Object id.
    pub id: String,
    /// API version (without the group).
    pub v: String,
}

/// The pending reconcile request: the `reconcile.fluxcd.io/requestedAt` value when it differs
/// from the status' `lastHandledReconcileAt`. The caller records the returned value in
/// `lastHandledReconcileAt` once it has reconciled, which is how `flux reconcile` waits.
pub fn pending_reconcile_request<'a>(
    annotations: Option<&'a BTreeMap<String, String>>,
    last_handled_reconcile_at: Option<&str>,
) -> Option<&'a str> {
    let requested = annotations?.get(RECONCILE_REQUEST_ANNOTATION)?.as_str();
    (Some(requested) != last_handled_reconcile_at).then_some(requested)
}

/// `lastHandledReconcileAt` after a reconcile: the `reconcile.fluxcd.io/requestedAt` value
/// when there is one, else what was recorded before.
pub fn handled_reconcile_request(
    annotations: Option<&BTreeMap<String, String>>,
    previous: Option<String>,
) -> Option<String> {
    pending_reconcile_request(annotations, None)
        .map(str::to_string)
        .or(previous)
}

/// `True`, `False` or `Unknown`, as conditions spell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    True,
    False,
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::True => "True",
            Status::False => "False",
            Status::Unknown => "Unknown",
        }
    }
}

/// The condition of `type_`, if present.
pub fn find_condition<'a>(conditions: &'a [Condition], type_: &str) -> Option<&'a Condition> {
    conditions.iter().find(|c| c.type_ == type_)
}

/// Whether the condition of `type_` is present with status `True`.
pub fn is_condition_true(conditions: &[Condition], type_: &str) -> bool {
    find_condition(conditions, type_).is_some_and(|c| c.status == "True")
}

/// Sets a condition, keeping `lastTransitionTime` when the status does not change (as
/// apimachinery's `meta.SetStatusCondition` does), so watchers see transitions, not rewrites.
pub fn set_condition(
    conditions: &mut Vec<Condition>,
    type_: &str,
    status: Status,
    reason: &str,
    message: impl Into<String>,
    observed_generation: Option<i64>,
    now: Time,
) {
    let message = message.into();
    if let Some(existing) = conditions.iter_mut().find(|c| c.type_ == type_) {
        if existing.status != status.as_str() {
            existing.status = status.as_str().to_string();
            existing.last_transition_time = now;
        }
        existing.reason = reason.to_string();
        existing.message = message;
        existing.observed_generation = observed_generation;
        return;
    }
    conditions.push(Condition {
        last_transition_time: now,
        message,
        observed_generation,
        reason: reason.to_string(),
        status: status.as_str().to_string(),
        type_: type_.to_string(),
    });
}

/// Removes the condition of `type_`, if present.
pub fn remove_condition(conditions: &mut Vec<Condition>, type_: &str) {
    conditions.retain(|c| c.type_ != type_);
}

/// Marks the object as being worked on: `Reconciling=True` and `Ready=Unknown`, the way Flux
/// starts each reconcile so kstatus reports it as in progress.
pub fn mark_reconciling(
    conditions: &mut Vec<Condition>,
    reason: &str,
    message: &str,
    generation: Option<i64>,
    now: Time,
) {
    remove_condition(conditions, condition_type::STALLED);
    set_condition(
        conditions,
        condition_type::RECONCILING,
        Status::True,
        reason,
        message,
        generation,
        now.clone(),
    );
    set_condition(
        conditions,
        condition_type::READY,
        Status::Unknown,
        reason,
        message,
        generation,
        now,
    );
}

/// Marks success: `Ready=True`; kstatus requires `Reconciling` and `Stalled` to be gone.
pub fn mark_ready(
    conditions: &mut Vec<Condition>,
    reason: &str,
    message: &str,
    generation: Option<i64>,
    now: Time,
) {
    remove_condition(conditions, condition_type::RECONCILING);
    remove_condition(conditions, condition_type::STALLED);
    set_condition(
        conditions,
        condition_type::READY,
        Status::True,
        reason,
        message,
        generation,
        now,
    );
}

/// Marks a failure that will be retried: `Ready=False`, `Reconciling=True` with reason
/// `ProgressingWithRetry`, so kstatus keeps reporting it as in progress rather than failed.
pub fn mark_failed_with_retry(
    conditions: &mut Vec<Condition>,
    reason: &str,
    message: &str,
    generation: Option<i64>,
    now: Time,
) {
    remove_condition(conditions, condition_type::STALLED);
    set_condition(
        conditions,
        condition_type::READY,
        Status::False,
        reason,
        message,
        generation,
        now.clone(),
    );
    set_condition(
        conditions,
        condition_type::RECONCILING,
        Status::True,
        reason::PROGRESSING_WITH_RETRY,
        message,
        generation,
        now,
    );
}

/// Marks a failure only the user can fix: `Ready=False` and `Stalled=True`, no `Reconciling`.
pub fn mark_stalled(
    conditions: &mut Vec<Condition>,
    reason: &str,
    message: &str,
    generation: Option<i64>,
    now: Time,
) {
    remove_condition(conditions, condition_type::RECONCILING);
    set_condition(
        conditions,
        condition_type::READY,
        Status::False,
        reason,
        message,
        generation,
        now.clone(),
    );
    set_condition(
        conditions,
        condition_type::STALLED,
        Status::True,
        reason,
        message,
        generation,
        now,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Time {
        Time(k8s_openapi::jiff::Timestamp::from_second(secs).unwrap())
    }

    #[test]
    fn reconcile_request_is_pending_until_handled() {
        let mut annotations = BTreeMap::new();
        assert_eq!(pending_reconcile_request(Some(&annotations), None), None);
        annotations.insert(RECONCILE_REQUEST_ANNOTATION.to_string(), "t1".to_string());
        assert_eq!(
            pending_reconcile_request(Some(&annotations), None),
            Some("t1")
        );
        assert_eq!(
            pending_reconcile_request(Some(&annotations), Some("t0")),
            Some("t1")
        );
        assert_eq!(
            pending_reconcile_request(Some(&annotations), Some("t1")),
            None
        );
        assert_eq!(pending_reconcile_request(None, Some("t1")), None);
    }

    #[test]
    fn keeps_transition_time_when_status_is_unchanged() {
        let mut conds = Vec::new();
        set_condition(
            &mut conds,
            "Ready",
            Status::False,
            "A",
            "a",
            Some(1),
            at(10),
        );
        set_condition(
            &mut conds,
            "Ready",
            Status::False,
            "B",
            "b",
            Some(2),
            at(20),
        );
        assert_eq!(conds.len(), 1);
        assert_eq!(conds[0].last_transition_time, at(10));
        assert_eq!(conds[0].reason, "B");
        set_condition(&mut conds, "Ready", Status::True, "C", "c", Some(2), at(30));
        assert_eq!(conds[0].last_transition_time, at(30));
    }

    #[test]
    fn ready_clears_reconciling_and_stalled() {
        let mut conds = Vec::new();
        mark_stalled(&mut conds, "InvalidURL", "bad", Some(1), at(1));
        assert!(is_condition_true(&conds, condition_type::STALLED));
        mark_reconciling(&mut conds, reason::PROGRESSING, "working", Some(2), at(2));
        assert!(find_condition(&conds, condition_type::STALLED).is_none());
        assert!(is_condition_true(&conds, condition_type::RECONCILING));
        mark_failed_with_retry(&mut conds, "FetchFailed", "boom", Some(2), at(3));
        let reconciling = find_condition(&conds, condition_type::RECONCILING).unwrap();
        assert_eq!(reconciling.reason, reason::PROGRESSING_WITH_RETRY);
        mark_ready(&mut conds, reason::SUCCEEDED, "ok", Some(2), at(4));
        assert_eq!(conds.len(), 1);
        assert!(is_condition_true(&conds, condition_type::READY));
    }
}
