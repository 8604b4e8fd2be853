//! Deleting objects that left the source (prune) or whose Kustomization is deleted
//! (deletionPolicy), only when the live object is still ours and not marked
//! `prune: disabled`.

use kube::api::{DeleteParams, PropagationPolicy};

use super::discovery::api_for;
use super::order::apply_order;
use super::{
    Action, ChangeSet, ChangeSetEntry, DeleteOptions, Error, ObjectFailure, ObjectRef,
    POLICY_PREFIX, ResourceManager, api_message, has_policy, is_not_found,
};

pub(crate) async fn delete_all(
    m: &ResourceManager,
    objects: &[ObjectRef],
    opts: &DeleteOptions,
) -> Result<ChangeSet, Error> {
    let propagation = match opts.propagation.as_deref() {
        None | Some("") | Some("Background") => PropagationPolicy::Background,
        Some("Foreground") => PropagationPolicy::Foreground,
        Some("Orphan") => PropagationPolicy::Orphan,
        Some(other) => {
            return Err(Error::InvalidObject {
                object: "DeleteOptions".into(),
                reason: format!(
                    "unknown propagation policy {other:?}: use Background, Foreground or Orphan"
                ),
            });
        }
    };
    let params = DeleteParams {
        propagation_policy: Some(propagation),
        ..Default::default()
    };
    // Reverse apply order: what lives in a namespace (or is defined by a CRD) goes first.
    let mut ordered: Vec<&ObjectRef> = objects.iter().collect();
    ordered.sort_by(|a, b| apply_order(b, a));

    let mut change_set = ChangeSet::default();
    let mut failures = Vec::new();
    for r in ordered {
        match delete_one(m, r, &params).await {
            Ok(action) => change_set.entries.push(ChangeSetEntry {
                object: r.clone(),
                action,
            }),
            Err(message) => failures.push(ObjectFailure {
                object: r.clone(),
                message,
            }),
        }
    }
    if failures.is_empty() {
        Ok(change_set)
    } else {
        Err(Error::Delete {
            failures,
            change_set,
        })
    }
}

async fn delete_one(
    m: &ResourceManager,
    r: &ObjectRef,
    params: &DeleteParams,
) -> Result<Action, String> {
    let kind = match m.discovery.lookup(&m.client, r).await {
        Ok(Some(kind)) => kind,
        // The kind is no longer served (its CRD is gone), so neither is the object.
        Ok(None) => return Ok(Action::Deleted),
        Err(err) => return Err(format!("{r} query failed: {err}")),
    };
    let api = api_for(&m.client, &kind, r);
    let live = match api.get_opt(&r.name).await {
        Ok(Some(live)) => serde_json::to_value(live).unwrap_or_default(),
        Ok(None) => return Ok(Action::Deleted),
        // A bare 404 (not a NotFound status): the kind stopped being served since discovery
        // cached it — its CRD was deleted — so the object is gone too.
        Err(err) if is_not_found(&err) => return Ok(Action::Deleted),
        Err(err) => return Err(format!("{r} query failed: {}", api_message(&err))),
    };
    // Already being deleted (finalizers pending): nothing more to ask for.
    if !live["metadata"]["deletionTimestamp"].is_null() {
        return Ok(Action::Deleted);
    }
    let owned = m
        .owner
        .labels()
        .iter()
        .all(|(k, v)| live["metadata"]["labels"][k].as_str() == Some(v.as_str()));
    if !owned || has_policy(&live, &format!("{POLICY_PREFIX}/prune"), "disabled") {
        return Ok(Action::Skipped);
    }
    match api.delete(&r.name, params).await {
        Ok(_) => Ok(Action::Deleted),
        Err(err) if is_not_found(&err) => Ok(Action::Deleted),
        Err(err) => Err(format!("{r} delete failed: {}", api_message(&err))),
    }
}

/// Whether the object is still there (finalizers pending included); a kind no longer served
/// has no objects.
pub(crate) async fn exists(m: &ResourceManager, r: &ObjectRef) -> Result<bool, String> {
    let kind = match m.discovery.lookup(&m.client, r).await {
        Ok(Some(kind)) => kind,
        Ok(None) => return Ok(false),
        Err(err) => return Err(format!("{r} query failed: {err}")),
    };
    match api_for(&m.client, &kind, r).get_opt(&r.name).await {
        Ok(found) => Ok(found.is_some()),
        Err(err) if is_not_found(&err) => Ok(false),
        Err(err) => Err(format!("{r} query failed: {}", api_message(&err))),
    }
}
