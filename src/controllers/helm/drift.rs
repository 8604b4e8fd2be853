//! Drift detection (`spec.driftDetection`): the deployed release's objects compared with the
//! cluster by server-side dry run; `warn` reports what drifted, `enabled` also applies the
//! drifted objects again. `ignore` rules leave JSON pointers out of the comparison, and the
//! correction keeps their live values, for the objects their target selects.

use serde_json::Value;

use crate::api::helm::{DriftDetectionMode, HelmRelease};
use crate::api::meta::{IgnoreRule, Selector};
use crate::ssa::{ApplyOptions, ObjectRef, ResourceManager};

/// What a drift check found and did.
pub struct Drift {
    /// `Kind/ns/name action` lines of the objects that differ from the release.
    pub drifted: Vec<String>,
    /// The correction, when `enabled`: Ok(applied lines) or the error.
    pub corrected: Option<Result<String, String>>,
}

pub fn mode(obj: &HelmRelease) -> Option<DriftDetectionMode> {
    obj.spec
        .drift_detection
        .as_ref()
        .and_then(|d| d.mode)
        .filter(|m| *m != DriftDetectionMode::Disabled)
}

/// Compares `objects` (the deployed release's, as applied) with the cluster.
pub async fn check(
    manager: &ResourceManager,
    obj: &HelmRelease,
    mode: DriftDetectionMode,
    objects: Vec<Value>,
) -> Result<Drift, String> {
    let rules = obj
        .spec
        .drift_detection
        .as_ref()
        .and_then(|d| d.ignore.clone())
        .unwrap_or_default();
    let entries = manager
        .diff_all(objects.clone())
        .await
        .map_err(|e| e.to_string())?;
    let mut drifted = Vec::new();
    let mut corrections = Vec::new();
    for entry in entries.iter().filter(|e| e.action.is_change()) {
        let paths = ignored_paths(&entry.object, &rules);
        if let (Some(live), Some(merged)) = (&entry.live, &entry.merged)
            && comparable(live, &paths) == comparable(merged, &paths)
        {
            continue;
        }
        drifted.push(format!("{} {}", entry.object, entry.action));
        let Some(desired) = objects
            .iter()
            .find(|o| ObjectRef::from_object(o).is_ok_and(|r| r == entry.object))
        else {
            continue;
        };
        let mut desired = desired.clone();
        // Ignored fields keep their live values.
        for path in &paths {
            match entry.live.as_ref().and_then(|l| l.pointer(path)) {
                Some(value) => set_pointer(&mut desired, path, value.clone()),
                None => remove_pointer(&mut desired, path),
            }
        }
        corrections.push(desired);
    }
    let corrected = if corrections.is_empty() || mode != DriftDetectionMode::Enabled {
        None
    } else {
        Some(
            manager
                .apply_all_staged(corrections, &ApplyOptions::default())
                .await
                .map(|set| set.summary())
                .map_err(|e| e.to_string()),
        )
    };
    Ok(Drift { drifted, corrected })
}

/// The pointers the rules ignore for `r`.
fn ignored_paths(r: &ObjectRef, rules: &[IgnoreRule]) -> Vec<String> {
    rules
        .iter()
        .filter(|rule| rule.target.as_ref().is_none_or(|t| selects(t, r)))
        .flat_map(|rule| rule.paths.iter().cloned())
        .collect()
}

/// An object without the ignored paths and the fields every write changes.
fn comparable(object: &Value, paths: &[String]) -> Value {
    let mut object = object.clone();
    for path in paths.iter().map(String::as_str).chain([
        "/metadata/generation",
        "/metadata/resourceVersion",
        "/metadata/managedFields",
        "/status",
    ]) {
        remove_pointer(&mut object, path);
    }
    object
}

/// Group, version, kind, and name/namespace as regular expressions; label and annotation
/// selectors are not matched here (a rule using them applies to every object).
fn selects(target: &Selector, r: &ObjectRef) -> bool {
    let regex = |pattern: &Option<String>, value: &str| {
        pattern.as_ref().is_none_or(|p| {
            regex::Regex::new(&format!("^(?:{p})$")).is_ok_and(|re| re.is_match(value))
        })
    };
    target.group.as_ref().is_none_or(|g| *g == r.group)
        && target.version.as_ref().is_none_or(|v| *v == r.version)
        && target.kind.as_ref().is_none_or(|k| *k == r.kind)
        && regex(&target.name, &r.name)
        && regex(&target.namespace, &r.namespace)
}

/// The parent of an RFC 6901 pointer and its last token, unescaped.
fn split_pointer(pointer: &str) -> Option<(&str, String)> {
    let (parent, last) = pointer.rsplit_once('/')?;
    Some((parent, last.replace("~1", "/").replace("~0", "~")))
}

/// Deletes the value at a pointer, if present.
fn remove_pointer(object: &mut Value, pointer: &str) {
    let Some((parent, last)) = split_pointer(pointer) else {
        return;
    };
    match object.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(&last);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = last.parse::<usize>()
                && i < items.len()
            {
                items.remove(i);
            }
        }
        _ => {}
    }
}

/// Sets the value at a pointer whose parent object exists.
fn set_pointer(object: &mut Value, pointer: &str, value: Value) {
    let Some((parent, last)) = split_pointer(pointer) else {
        return;
    };
    if let Some(Value::Object(map)) = object.pointer_mut(parent) {
        map.insert(last, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ignore_rules_select_objects_and_leave_their_paths_out() {
        let deployment = ObjectRef {
            group: "apps".into(),
            version: "v1".into(),
            kind: "Deployment".into(),
            namespace: "ns".into(),
            name: "app".into(),
        };
        let rules = vec![
            IgnoreRule {
                paths: vec!["/spec/replicas".into(), "/metadata/labels/a~1b".into()],
                target: Some(Selector {
                    kind: Some("Deployment".into()),
                    name: Some("ap.*".into()),
                    ..Default::default()
                }),
            },
            IgnoreRule {
                paths: vec!["/spec/ports".into()],
                target: Some(Selector {
                    kind: Some("Service".into()),
                    ..Default::default()
                }),
            },
        ];
        let paths = ignored_paths(&deployment, &rules);
        assert_eq!(paths, ["/spec/replicas", "/metadata/labels/a~1b"]);
        let live = json!({
            "metadata": { "name": "app", "labels": { "a/b": "x" }, "generation": 3 },
            "spec": { "replicas": 7, "paused": false },
        });
        let merged = json!({
            "metadata": { "name": "app", "labels": { "a/b": "y" }, "generation": 4 },
            "spec": { "replicas": 1, "paused": false },
        });
        assert_eq!(comparable(&live, &paths), comparable(&merged, &paths));
        assert_ne!(comparable(&live, &[]), comparable(&merged, &[]));
        let mut desired = merged.clone();
        set_pointer(&mut desired, "/spec/replicas", json!(7));
        remove_pointer(&mut desired, "/metadata/labels/a~1b");
        assert_eq!(desired["spec"]["replicas"], 7);
        assert_eq!(desired["metadata"]["labels"], json!({}));
    }
}
