//! `spec.revertOnDeletion`: a Canary deleted with it set hands the app back as it was before
//! the Canary: the target scaled up again and the apex Service selecting the target's pods and
//! no longer owned by the Canary (so garbage collection keeps it). Flagger's finalizer name.

use anyhow::{Context as _, Result};
use k8s_openapi::api::core::v1::Service;
use kube::ResourceExt;
use kube::api::{Api, Patch, PatchParams};

use crate::api::flagger::{Canary, CanaryPhase};

use super::{CanaryContext, services, status, target};

/// The finalizer Flagger puts on Canaries with `revertOnDeletion`.
pub const FINALIZER: &str = "finalizer.flagger.app";

pub fn wanted(canary: &Canary) -> bool {
    canary.spec.revert_on_deletion == Some(true)
}

pub fn has_finalizer(canary: &Canary) -> bool {
    canary.finalizers().iter().any(|f| f == FINALIZER)
}

/// Adds or removes the finalizer so it is there exactly when the Canary asks to be reverted.
pub async fn sync_finalizer(api: &Api<Canary>, canary: &Canary, present: bool) -> Result<()> {
    let mut finalizers: Vec<String> = canary
        .finalizers()
        .iter()
        .filter(|f| *f != FINALIZER)
        .cloned()
        .collect();
    if present {
        finalizers.push(FINALIZER.to_string());
    }
    // The resourceVersion makes the write fail rather than drop another controller's
    // finalizer added meanwhile.
    let patch = serde_json::json!({
        "metadata": { "finalizers": finalizers, "resourceVersion": canary.resource_version() },
    });
    api.patch(
        &canary.name_any(),
        &PatchParams::default(),
        &Patch::Merge(&patch),
    )
    .await
    .with_context(|| format!("updating the finalizers of Canary {}", canary.name_any()))?;
    Ok(())
}

/// Reverts the target and the apex Service, then lets the Canary go.
pub async fn finalize(ctx: &CanaryContext, api: &Api<Canary>, canary: &Canary) -> Result<()> {
    let namespace = canary.namespace().unwrap_or_default();
    let mut canary = canary.clone();
    if status::phase(&canary) != CanaryPhase::Terminating {
        let s = canary.status.get_or_insert_with(Default::default);
        status::set_phase(s, CanaryPhase::Terminating);
        status::set_condition(s, canary.spec.target_ref.kind.as_str(), None);
        status::write(api, &canary).await?;
        ctx.event(
            &canary,
            false,
            &format!("Terminating canary {}.{namespace}", canary.name_any()),
        )
        .await;
    }
    let workloads = target::Workloads::new(&ctx.rt.client, &namespace, canary.spec.target_ref.kind);
    if let Some(workload) = workloads.get_opt(&canary.spec.target_ref.name).await? {
        if workload.scaled_to_zero() {
            let primary = workloads.get_opt(&target::primary_name(&canary)).await?;
            let replicas = primary.and_then(|p| p.replicas()).unwrap_or(1).max(1);
            workloads.scale(&workload.name(), replicas).await?;
        }
        if let Ok(sel) = target::Selector::of(&workload, &ctx.options.selector_labels) {
            let services: Api<Service> = Api::namespaced(ctx.rt.client.clone(), &namespace);
            let apex = services::names(&canary).apex;
            if services.get_opt(&apex).await?.is_some() {
                let uid = canary.uid().unwrap_or_default();
                let existing = services.get(&apex).await?;
                let owners: Vec<_> = existing
                    .owner_references()
                    .iter()
                    .filter(|o| o.uid != uid)
                    .cloned()
                    .collect();
                let patch = serde_json::json!({
                    "metadata": { "ownerReferences": owners },
                    "spec": { "selector": { sel.key: sel.value } },
                });
                services
                    .patch(&apex, &PatchParams::default(), &Patch::Merge(&patch))
                    .await
                    .with_context(|| format!("reverting Service {apex}"))?;
            }
        }
    }
    ctx.event(
        &canary,
        false,
        &format!("Terminated canary {}.{namespace}", canary.name_any()),
    )
    .await;
    let fresh = api.get(&canary.name_any()).await?;
    sync_finalizer(api, &fresh, false).await
}
