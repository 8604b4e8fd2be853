//! What an apply would change, without changing anything (`tk diff`, `flux diff`): the
//! server-side dry run of each object against its live state.

use std::collections::BTreeSet;

use kube::api::Patch;
use serde_json::Value;

use super::apply::{apply_params, crd_defines, dry_run_failure, prepare, resolve};
use super::discovery::api_for;
use super::normalize::has_drifted;
use super::{Action, Error, ObjectRef, POLICY_PREFIX, ResourceManager, has_policy, is_not_found};

/// One object of a diff. For `Configured`, `live` and `merged` hold the object before and
/// after (without `metadata.managedFields`; Secret `data` values masked as Flux does:
/// `***`, or `*** (before)` / `*** (after)` where they differ). For `Created`, `merged` is
/// what would be created. Both are `None` for `Unchanged` and `Skipped`.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffEntry {
    pub object: ObjectRef,
    pub action: Action,
    pub live: Option<Value>,
    pub merged: Option<Value>,
}

pub(crate) async fn diff_all(
    m: &ResourceManager,
    objects: Vec<Value>,
) -> Result<Vec<DiffEntry>, Error> {
    let desired = prepare(m, objects)?;
    let defined_kinds: BTreeSet<(String, String)> = desired
        .iter()
        .filter_map(|d| crd_defines(&d.object))
        .collect();
    let defined_namespaces: BTreeSet<String> = desired
        .iter()
        .filter(|d| d.r.kind == "Namespace" && d.r.group.is_empty())
        .map(|d| d.r.name.clone())
        .collect();
    let mut entries = Vec::with_capacity(desired.len());
    let mut failures = Vec::new();
    for mut d in desired {
        // Objects whose CRD or Namespace the set itself creates cannot be dry-run yet: they
        // would be created.
        let created = |d: super::apply::Desired| DiffEntry {
            object: d.r,
            action: Action::Created,
            live: None,
            merged: Some(d.object),
        };
        if defined_kinds.contains(&(d.r.group.clone(), d.r.kind.clone()))
            && m.discovery
                .lookup(&m.client, &d.r)
                .await
                .ok()
                .flatten()
                .is_none()
        {
            entries.push(created(d));
            continue;
        }
        let kind = match resolve(m, &mut d).await {
            Ok(kind) => kind,
            Err(failure) => {
                failures.push(failure);
                continue;
            }
        };
        let api = api_for(&m.client, &kind, &d.r);
        let live = api
            .get_opt(&d.r.name)
            .await
            .ok()
            .flatten()
            .and_then(|o| serde_json::to_value(o).ok());
        let ssa = format!("{POLICY_PREFIX}/ssa");
        if live.as_ref().is_some_and(|l| has_policy(l, &ssa, "Ignore"))
            || has_policy(&d.object, &ssa, "Ignore")
        {
            entries.push(DiffEntry {
                object: d.r,
                action: Action::Skipped,
                live: None,
                merged: None,
            });
            continue;
        }
        let merged = match api
            .patch(&d.r.name, &apply_params(m, true), &Patch::Apply(&d.object))
            .await
        {
            Ok(o) => serde_json::to_value(o).unwrap_or_default(),
            Err(err)
                if is_not_found(&err)
                    && kind.namespaced
                    && defined_namespaces.contains(&d.r.namespace) =>
            {
                entries.push(created(d));
                continue;
            }
            Err(err) => {
                failures.push(dry_run_failure(&d.r, &err));
                continue;
            }
        };
        let entry = if live.is_none()
            || merged["metadata"]["resourceVersion"]
                .as_str()
                .is_none_or(str::is_empty)
        {
            let mut merged = merged;
            strip(&mut merged);
            mask_secret_data(None, Some(&mut merged));
            DiffEntry {
                object: d.r,
                action: Action::Created,
                live: None,
                merged: Some(merged),
            }
        } else if has_drifted(live.as_ref(), &merged) {
            let (mut live, mut merged) = (live.unwrap_or_default(), merged);
            strip(&mut live);
            strip(&mut merged);
            mask_secret_data(Some(&mut live), Some(&mut merged));
            DiffEntry {
                object: d.r,
                action: Action::Configured,
                live: Some(live),
                merged: Some(merged),
            }
        } else {
            DiffEntry {
                object: d.r,
                action: Action::Unchanged,
                live: None,
                merged: None,
            }
        };
        entries.push(entry);
    }
    if failures.is_empty() {
        Ok(entries)
    } else {
        Err(Error::DryRun(failures))
    }
}

fn strip(object: &mut Value) {
    if let Some(meta) = object["metadata"].as_object_mut() {
        meta.remove("managedFields");
    }
}

/// Masks Secret `data` values in place, marking the keys whose value changes.
pub(crate) fn mask_secret_data(live: Option<&mut Value>, merged: Option<&mut Value>) {
    let is_secret = |o: &Value| o["kind"] == "Secret" && o["apiVersion"] == "v1";
    let live = live.filter(|o| is_secret(o));
    let merged = merged.filter(|o| is_secret(o));
    let before = live
        .as_ref()
        .and_then(|o| o["data"].as_object().cloned())
        .unwrap_or_default();
    let after = merged
        .as_ref()
        .and_then(|o| o["data"].as_object().cloned())
        .unwrap_or_default();
    let mask = |data: &serde_json::Map<String, Value>,
                other: &serde_json::Map<String, Value>,
                changed: &str| {
        data.iter()
            .map(|(k, v)| {
                let masked = match other.get(k) {
                    Some(o) if o != v => changed,
                    _ => "***",
                };
                (k.clone(), Value::String(masked.into()))
            })
            .collect::<serde_json::Map<String, Value>>()
    };
    if let Some(live) = live
        && live["data"].is_object()
    {
        live["data"] = Value::Object(mask(&before, &after, "*** (before)"));
    }
    if let Some(merged) = merged
        && merged["data"].is_object()
    {
        merged["data"] = Value::Object(mask(&after, &before, "*** (after)"));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn masks_secret_values_marking_changes() {
        let mut live = json!({"apiVersion": "v1", "kind": "Secret", "data": {"same": "YQ==", "changed": "Yg==", "gone": "Yw=="}});
        let mut merged = json!({"apiVersion": "v1", "kind": "Secret", "data": {"same": "YQ==", "changed": "ZA==", "new": "ZQ=="}});
        mask_secret_data(Some(&mut live), Some(&mut merged));
        assert_eq!(
            live["data"],
            json!({"same": "***", "changed": "*** (before)", "gone": "***"})
        );
        assert_eq!(
            merged["data"],
            json!({"same": "***", "changed": "*** (after)", "new": "***"})
        );
    }

    #[test]
    fn leaves_other_kinds_alone() {
        let mut cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"}});
        mask_secret_data(None, Some(&mut cm));
        assert_eq!(cm["data"]["a"], "1");
    }
}
