//! The client applies and deletes go through (`spec.serviceAccountName`), and the resource
//! manager built on it.

use super::KustomizeContext;
use super::reconcile::{FIELD_MANAGER, Failure, Run};
use crate::api::kustomize::Kustomization;
use crate::api::meta::reason;
use crate::ssa;

impl Run<'_> {
    /// The client applies go through: impersonating `spec.serviceAccountName`, else
    /// `--default-service-account`, else the controller's own.
    pub(super) async fn client(&self) -> Result<kube::Client, Failure> {
        self.ctx
            .client_for(&self.ns, service_account(self.obj, self.ctx))
            .map_err(|e| {
                Failure::retry(
                    reason::RECONCILIATION_FAILED,
                    format!("failed to build kube client: {e}"),
                )
            })
    }

    /// A resource manager applying for this Kustomization through [`Self::client`], sharing
    /// the controller's discovery and drift caches.
    pub(super) async fn manager(&self) -> Result<ssa::ResourceManager, Failure> {
        let identity = service_account(self.obj, self.ctx).unwrap_or_default();
        Ok(
            ssa::ResourceManager::new(self.client().await?, FIELD_MANAGER, self.owner())
                .with_discovery_cache(self.ctx.discovery.clone())
                .with_drift_cache(self.ctx.drift.clone(), &identity),
        )
    }

    /// The labels' owner of what this Kustomization applies.
    pub(super) fn owner(&self) -> ssa::Owner {
        owner(&self.ns, &self.name)
    }
}

pub(super) fn owner(namespace: &str, name: &str) -> ssa::Owner {
    ssa::Owner {
        group: crate::api::kustomize::GROUP.to_string(),
        name: name.to_string(),
        namespace: namespace.to_string(),
    }
}

impl KustomizeContext {
    /// The controller's client, or one impersonating `service_account` in `namespace`.
    pub(super) fn client_for(
        &self,
        namespace: &str,
        service_account: Option<String>,
    ) -> Result<kube::Client, String> {
        self.rt
            .clients
            .for_account(&self.rt.client, namespace, service_account)
    }
}

pub(super) fn service_account(obj: &Kustomization, ctx: &KustomizeContext) -> Option<String> {
    obj.spec
        .service_account_name
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| ctx.rt.options.default_service_account.clone())
}
