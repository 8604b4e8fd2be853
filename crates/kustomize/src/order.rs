//! kustomize's "legacy" resource order (`SortOrderTransformer`).

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::resource::Resource;

/// Kinds printed first, in this order (kustomize's `defaultOrderFirst`).
pub const LEGACY_ORDER_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];

/// Kinds printed last, in this order (kustomize's `defaultOrderLast`).
pub const LEGACY_ORDER_LAST: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Sorts resources in the legacy order: by kind rank (first list, then everything else, then
/// the last list), then by `group_version_kind`, then by `gvk|namespace|name`.
pub fn sort_legacy<S: AsRef<str>>(resources: &mut [Resource], first: &[S], last: &[S]) {
    let mut rank: HashMap<&str, i64> = HashMap::new();
    for (i, k) in first.iter().enumerate() {
        rank.insert(k.as_ref(), i as i64 - first.len() as i64);
    }
    for (i, k) in last.iter().enumerate() {
        rank.insert(k.as_ref(), 1 + i as i64);
    }
    let key = |r: &Resource| {
        let gvk = r.gvk();
        let ns = if r.namespace().is_empty() {
            "~X"
        } else {
            r.namespace()
        };
        let name = if r.name().is_empty() { "~N" } else { r.name() };
        let gvk_string = gvk.to_string();
        let id = format!("{gvk_string}|{ns}|{name}");
        (
            rank.get(gvk.kind.as_str()).copied().unwrap_or(0),
            gvk_string,
            id,
        )
    };
    resources.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0)
            .then_with(|| ka.1.cmp(&kb.1))
            .then_with(|| ka.2.cmp(&kb.2))
            .then(Ordering::Equal)
    });
}
