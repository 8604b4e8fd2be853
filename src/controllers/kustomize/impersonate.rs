//! The client applies and deletes go through (`spec.serviceAccountName`).

use super::KustomizeContext;
use super::reconcile::{Failure, Run};
use crate::api::kustomize::Kustomization;
use crate::api::meta::reason;
use crate::ssa;

impl Run<'_> {
    /// The client applies go through: impersonating `spec.serviceAccountName`, else
    /// `--default-service-account`, else the controller's own.
    pub(super) async fn client(&self) -> Result<kube::Client, Failure> {
        match service_account(self.obj, self.ctx) {
            Some(sa) => ssa::impersonating(&self.ctx.rt.kube_config, &self.ns, &sa).map_err(|e| {
                Failure::retry(
                    reason::RECONCILIATION_FAILED,
                    format!("failed to build kube client: {e}"),
                )
            }),
            None => Ok(self.ctx.rt.client.clone()),
        }
    }
}

pub(super) fn service_account(obj: &Kustomization, ctx: &KustomizeContext) -> Option<String> {
    obj.spec
        .service_account_name
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| ctx.rt.options.default_service_account.clone())
}
