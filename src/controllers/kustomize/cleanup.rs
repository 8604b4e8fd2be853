//! Deletion of a Kustomization: what `spec.deletionPolicy` says happens to what it applied.

use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::ServiceAccount;
use kube::ResourceExt;
use kube::api::Api;
use kube::runtime::controller::Action;

use super::KustomizeContext;
use super::impersonate::{owner, service_account};
use super::reconcile::{Error, FIELD_MANAGER};
use crate::api::duration;
use crate::api::kustomize::{DeletionPolicy, Kustomization};
use crate::api::meta::reason;
use crate::ssa;

/// Whether deleting the Kustomization deletes what it applied (`spec.deletionPolicy`).
fn deletes_on_finalize(obj: &Kustomization) -> bool {
    if obj.spec.suspend == Some(true) {
        return false;
    }
    let has_inventory = obj
        .status
        .as_ref()
        .and_then(|s| s.inventory.as_ref())
        .is_some_and(|i| !i.entries.is_empty());
    if !has_inventory {
        return false;
    }
    match obj.spec.deletion_policy.unwrap_or_default() {
        DeletionPolicy::MirrorPrune => obj.spec.prune,
        DeletionPolicy::Delete | DeletionPolicy::WaitForTermination => true,
        DeletionPolicy::Orphan => false,
    }
}

/// Deletes the inventory as the deletion policy says; the finalizer is then released.
pub(super) async fn cleanup(
    obj: Arc<Kustomization>,
    ctx: &KustomizeContext,
) -> Result<Action, Error> {
    let ns = obj.namespace().unwrap_or_default();
    ctx.forget_memo(&(ns.clone(), obj.name_any()));
    ctx.drift.forget(&owner(&ns, &obj.name_any()));
    ctx.rt.requeue.forget(obj.as_ref());
    ctx.rt.metrics.forget(obj.as_ref());
    if !deletes_on_finalize(&obj) {
        return Ok(Action::await_change());
    }
    let status = obj.status.clone().unwrap_or_default();
    let revision = status.last_applied_revision.clone().unwrap_or_default();
    let objects: Vec<ssa::ObjectRef> = status
        .inventory
        .iter()
        .flat_map(|i| &i.entries)
        .filter_map(|e| ssa::inventory::parse_entry(&e.id, &e.v))
        .collect();
    let client = match service_account(&obj, ctx) {
        Some(sa) => {
            // The account may be gone with its namespace; then nothing can be deleted on its
            // behalf, and the Kustomization must not be stuck forever.
            let accounts: Api<ServiceAccount> = Api::namespaced(ctx.rt.client.clone(), &ns);
            if accounts.get_opt(&sa).await?.is_none() {
                let listed: Vec<String> = objects.iter().map(ToString::to_string).collect();
                let message = format!("unable to prune objects: \n{}", listed.join("\n"));
                tracing::error!(
                    "skipping pruning, failed to find account to impersonate: {message}"
                );
                ctx.recorder
                    .warning_revision(obj.as_ref(), reason::PRUNE_FAILED, &message, &revision)
                    .await;
                return Ok(Action::await_change());
            }
            ctx.client_for(&ns, Some(sa)).map_err(Error::Cleanup)?
        }
        None => ctx.rt.client.clone(),
    };
    let manager =
        ssa::ResourceManager::new(client.clone(), FIELD_MANAGER, owner(&ns, &obj.name_any()))
            .with_discovery_cache(ctx.discovery.clone());
    let deleted = manager
        .delete_all(&objects, &ssa::DeleteOptions::default())
        .await;
    let deleted = match deleted {
        Ok(deleted) => deleted,
        Err(err) => {
            ctx.recorder
                .warning_revision(
                    obj.as_ref(),
                    reason::PRUNE_FAILED,
                    "pruning for deleted resource failed",
                    &revision,
                )
                .await;
            return Err(Error::Cleanup(err.to_string()));
        }
    };
    let summary = deleted.summary();
    if !summary.is_empty() {
        ctx.recorder
            .normal_revision(
                obj.as_ref(),
                reason::RECONCILIATION_SUCCEEDED,
                &summary,
                &revision,
            )
            .await;
    }
    if obj.spec.deletion_policy == Some(DeletionPolicy::WaitForTermination) {
        let timeout = obj
            .spec
            .timeout
            .as_deref()
            .or(Some(obj.spec.interval.as_str()))
            .and_then(|t| duration::parse_positive(t).ok())
            .unwrap_or(Duration::from_secs(300));
        if let Err(err) = wait_terminated(&client, &objects, timeout).await {
            tracing::error!(error = %err, "failed to wait for resources termination");
            ctx.recorder
                .warning_revision(
                    obj.as_ref(),
                    reason::PRUNE_FAILED,
                    "failed to wait for resources termination",
                    &revision,
                )
                .await;
        }
    }
    Ok(Action::await_change())
}

/// Polls until every object is gone (finalizers run), or `timeout` passes.
async fn wait_terminated(
    client: &kube::Client,
    objects: &[ssa::ObjectRef],
    timeout: Duration,
) -> Result<(), String> {
    use kube::api::{DynamicObject, GroupVersionKind};
    let deadline = Instant::now() + timeout;
    let mut remaining: Vec<&ssa::ObjectRef> = objects.iter().collect();
    while !remaining.is_empty() {
        let mut left = Vec::new();
        for object in remaining {
            let gvk = GroupVersionKind::gvk(&object.group, &object.version, &object.kind);
            let Ok((resource, _)) = kube::discovery::pinned_kind(client, &gvk).await else {
                continue;
            };
            let api: Api<DynamicObject> = if object.namespace.is_empty() {
                Api::all_with(client.clone(), &resource)
            } else {
                Api::namespaced_with(client.clone(), &object.namespace, &resource)
            };
            if let Ok(Some(_)) = api.get_opt(&object.name).await {
                left.push(object);
            }
        }
        remaining = left;
        if remaining.is_empty() {
            break;
        }
        if Instant::now() >= deadline {
            let names: Vec<String> = remaining.iter().map(ToString::to_string).collect();
            return Err(format!(
                "timeout waiting for termination of: [{}]",
                names.join(", ")
            ));
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::kustomize::KustomizationStatus;
    use crate::api::meta::{ResourceInventory, ResourceRef};

    fn applied(prune: bool, policy: Option<DeletionPolicy>) -> Kustomization {
        let mut k = Kustomization::new("app", Default::default());
        k.spec.prune = prune;
        k.spec.deletion_policy = policy;
        k.status = Some(KustomizationStatus {
            inventory: Some(ResourceInventory {
                entries: vec![ResourceRef {
                    id: "ns_app__ConfigMap".into(),
                    v: "v1".into(),
                }],
            }),
            ..Default::default()
        });
        k
    }

    #[test]
    fn deletion_policy_decides_what_happens_to_applied_objects() {
        assert!(deletes_on_finalize(&applied(true, None)));
        assert!(!deletes_on_finalize(&applied(false, None)));
        assert!(deletes_on_finalize(&applied(
            false,
            Some(DeletionPolicy::Delete)
        )));
        assert!(deletes_on_finalize(&applied(
            false,
            Some(DeletionPolicy::WaitForTermination)
        )));
        assert!(!deletes_on_finalize(&applied(
            true,
            Some(DeletionPolicy::Orphan)
        )));
        let mut suspended = applied(true, None);
        suspended.spec.suspend = Some(true);
        assert!(!deletes_on_finalize(&suspended));
        let mut empty = applied(true, None);
        empty.status = None;
        assert!(!deletes_on_finalize(&empty));
    }
}
