//! Taking over fields set outside of server-side apply, so the next apply can remove them.
//!
//! Server-side apply only removes fields its own manager owns. Fields set by `kubectl apply`
//! (client-side), `kubectl edit`, or by a pre-SSA controller belong to other managers and
//! would stay forever. Like Flux, before applying we rewrite those managers' entries in
//! `metadata.managedFields` to our own apply manager, and drop kubectl's and Flux v1's
//! bookkeeping annotations and labels. The `kustomize.toolkit.fluxcd.io/ssa: Merge`
//! annotation opts an object out (its foreign fields are kept).

use serde_json::{Map, Value, json};

/// Annotations removed from live objects: kubectl's client-side apply record and the
/// checksums of Flux v1 / early kustomize-controller.
const STALE_ANNOTATIONS: [&str; 3] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    "fluxcd.io/sync-checksum",
    "kustomize.toolkit.fluxcd.io/checksum",
];

/// Labels removed from live objects (Flux v1 garbage collection mark).
const STALE_LABELS: [&str; 1] = ["fluxcd.io/sync-gc-mark"];

/// Managers (name prefix, operation) whose fields are taken over: `kubectl apply
/// --server-side`, `kubectl apply/edit`, the API server's pre-apply record, and our own
/// manager's Update entries (from earlier non-SSA writes).
fn taken_over(manager: &str, operation: &str, own: &str) -> bool {
    [
        ("kubectl", "Apply"),
        ("kubectl", "Update"),
        ("before-first-apply", "Update"),
        (own, "Update"),
    ]
    .iter()
    .any(|(name, op)| manager.starts_with(name) && operation == *op)
}

/// A merge patch cleaning up `live` for `field_manager`, or `None` when nothing needs it.
pub(crate) fn cleanup_patch(live: &Value, field_manager: &str) -> Option<Value> {
    let mut metadata = Map::new();
    if let Some(fields) = takeover(live["metadata"]["managedFields"].as_array(), field_manager) {
        metadata.insert("managedFields".into(), Value::Array(fields));
    }
    for (field, keys) in [
        ("annotations", &STALE_ANNOTATIONS[..]),
        ("labels", &STALE_LABELS[..]),
    ] {
        let present: Map<String, Value> = keys
            .iter()
            .filter(|k| live["metadata"][field].get(**k).is_some())
            .map(|k| (k.to_string(), Value::Null))
            .collect();
        if !present.is_empty() {
            metadata.insert(field.into(), Value::Object(present));
        }
    }
    (!metadata.is_empty()).then(|| json!({ "metadata": metadata }))
}

/// The managed fields with the taken-over entries renamed to `own`'s Apply entry (merged
/// into one, the API server allows one entry per apply manager), or `None` when no entry
/// is taken over.
fn takeover(entries: Option<&Vec<Value>>, own: &str) -> Option<Vec<Value>> {
    let entries = entries?;
    let mut renamed = false;
    let mut out: Vec<Value> = Vec::with_capacity(entries.len());
    for entry in entries {
        let manager = entry["manager"].as_str().unwrap_or_default();
        let operation = entry["operation"].as_str().unwrap_or_default();
        let subresource = entry["subresource"].as_str().unwrap_or_default();
        let mut entry = entry.clone();
        if subresource.is_empty() && taken_over(manager, operation, own) {
            entry["manager"] = Value::String(own.to_string());
            entry["operation"] = Value::String("Apply".into());
            renamed = true;
        }
        let is_own_apply =
            entry["manager"] == own && entry["operation"] == "Apply" && subresource.is_empty();
        let existing = out.iter_mut().find(|e| {
            is_own_apply
                && e["manager"] == own
                && e["operation"] == "Apply"
                && e["subresource"].as_str().unwrap_or_default().is_empty()
        });
        match existing {
            Some(existing) => merge_field_sets(&mut existing["fieldsV1"], &entry["fieldsV1"]),
            None => out.push(entry),
        }
    }
    renamed.then_some(out)
}

/// The union of two `fieldsV1` sets (JSON tries whose leaves are `{}`).
fn merge_field_sets(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in b {
                match a.get_mut(key) {
                    Some(existing) => merge_field_sets(existing, value),
                    None => {
                        a.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (into @ Value::Null, from) => *into = from.clone(),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_over_kubectl_fields_into_our_apply_entry() {
        let live = json!({"metadata": {
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}", "keep": "1"},
            "managedFields": [
                {"manager": "kustomize-controller", "operation": "Apply", "apiVersion": "v1",
                 "fieldsV1": {"f:data": {"f:a": {}}}},
                {"manager": "kubectl-edit", "operation": "Update", "apiVersion": "v1",
                 "fieldsV1": {"f:data": {"f:b": {}}}},
                {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
                 "fieldsV1": {"f:data": {"f:c": {}}}},
                {"manager": "kubectl", "operation": "Update", "subresource": "status",
                 "fieldsV1": {"f:status": {}}}
            ]
        }});
        let patch = cleanup_patch(&live, "kustomize-controller").unwrap();
        assert_eq!(
            patch["metadata"]["managedFields"],
            json!([
                {"manager": "kustomize-controller", "operation": "Apply", "apiVersion": "v1",
                 "fieldsV1": {"f:data": {"f:a": {}, "f:b": {}}}},
                {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
                 "fieldsV1": {"f:data": {"f:c": {}}}},
                {"manager": "kubectl", "operation": "Update", "subresource": "status",
                 "fieldsV1": {"f:status": {}}}
            ])
        );
        assert_eq!(
            patch["metadata"]["annotations"],
            json!({"kubectl.kubernetes.io/last-applied-configuration": null})
        );
    }

    #[test]
    fn nothing_to_clean_is_no_patch() {
        let live = json!({"metadata": {"managedFields": [
            {"manager": "kustomize-controller", "operation": "Apply", "fieldsV1": {}},
            {"manager": "kube-controller-manager", "operation": "Update", "fieldsV1": {}}
        ]}});
        assert_eq!(cleanup_patch(&live, "kustomize-controller"), None);
    }
}
