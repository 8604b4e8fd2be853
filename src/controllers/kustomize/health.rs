//! Health checks (`spec.wait`, `spec.healthChecks`) and their cancellation by a new revision.

use std::time::{Duration, Instant};

use super::reconcile::{FIELD_MANAGER, Failure, Run, Then, round_ms};
use super::status;
use crate::api::duration::GoDuration;
use crate::api::meta::{Status, reason};
use crate::ssa;

/// How often health checks poll; Flux polls every 5s, a shorter period reports sooner.
const HEALTH_POLL: Duration = Duration::from_secs(2);
/// How soon a Kustomization whose health check a new revision canceled is reconciled again.
const CANCELED_REQUEUE: Duration = Duration::from_secs(1);

impl Run<'_> {
    /// `spec.wait` (every applied object) or `spec.healthChecks`, within `spec.timeout`.
    pub(super) async fn check_health(
        &mut self,
        applied: &ssa::ChangeSet,
        revision: &str,
    ) -> Result<(), Failure> {
        let spec = &self.obj.spec;
        let mut objects: Vec<ssa::ObjectRef> = if spec.wait == Some(true) {
            applied
                .entries
                .iter()
                .filter(|e| e.action != ssa::Action::Skipped)
                .map(|e| e.object.clone())
                .collect()
        } else {
            let mut refs = Vec::new();
            for (i, check) in spec.health_checks.iter().flatten().enumerate() {
                let namespace = check.namespace.clone().unwrap_or_else(|| self.ns.clone());
                let version = match &check.api_version {
                    Some(api_version) => api_version.clone(),
                    None => applied
                        .entries
                        .iter()
                        .map(|e| &e.object)
                        .find(|o| o.kind == check.kind && o.name == check.name)
                        .map(ssa::ObjectRef::api_version)
                        .ok_or_else(|| {
                            Failure::stall(
                                reason::HEALTH_CHECK_FAILED,
                                format!(
                                    "spec.healthChecks[{i}]: apiVersion is required for {}/{}/{}, which this Kustomization does not apply",
                                    check.kind, namespace, check.name
                                ),
                            )
                        })?,
                };
                let (group, version) = match version.rsplit_once('/') {
                    Some((g, v)) => (g.to_string(), v.to_string()),
                    None => (String::new(), version),
                };
                refs.push(ssa::ObjectRef {
                    group,
                    version,
                    kind: check.kind.clone(),
                    namespace,
                    name: check.name.clone(),
                });
            }
            refs
        };
        // A Kustomization that applies itself must not wait for itself.
        objects.retain(|o| {
            !(o.kind == "Kustomization"
                && o.group == crate::api::kustomize::GROUP
                && o.name == self.name
                && o.namespace == self.ns)
        });
        if objects.is_empty() {
            status::remove_healthy(&mut self.status);
            return Ok(());
        }
        let was_healthy = status::is_healthy(&self.status);
        let message = format!(
            "Running health checks for revision {revision} with a timeout of {}",
            self.timeout_text()
        );
        status::reconciling(&mut self.status, &message, self.generation);
        status::healthy(
            &mut self.status,
            Status::Unknown,
            reason::PROGRESSING,
            &message,
            self.generation,
        );
        self.write_status().await.map_err(|e| {
            Failure::retry(
                reason::HEALTH_CHECK_FAILED,
                format!("unable to update the healthy status to progressing: {e}"),
            )
        })?;
        let started = Instant::now();
        let manager = ssa::ResourceManager::new(
            self.client().await?,
            FIELD_MANAGER,
            ssa::Owner {
                group: crate::api::kustomize::GROUP.to_string(),
                name: self.name.clone(),
                namespace: self.ns.clone(),
            },
        );
        let timeout = self.timeout;
        let key = self.key();
        let cancel = self.ctx.cancels.register(key.clone());
        let waited = tokio::select! {
            waited = manager.wait_for_set(&objects, HEALTH_POLL, timeout) => Some(waited),
            () = cancel.notify.notified() => None,
        };
        self.ctx.cancels.unregister(&key);
        let Some(waited) = waited else {
            let by = cancel
                .by
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone()
                .unwrap_or_default();
            tracing::info!(trigger = %by, "New reconciliation triggered, canceling health checks");
            return Err(Failure {
                reason: reason::HEALTH_CHECK_CANCELED,
                message: format!("New reconciliation triggered by {by}"),
                then: Then::Wait(
                    CANCELED_REQUEUE,
                    Some(format!(
                        "Health checks canceled due to new reconciliation triggered by {by}"
                    )),
                ),
            });
        };
        if let Err(err) = waited {
            let err = err.to_string();
            status::healthy(
                &mut self.status,
                Status::False,
                reason::HEALTH_CHECK_FAILED,
                &err,
                self.generation,
            );
            return Err(Failure::retry(
                reason::HEALTH_CHECK_FAILED,
                format!(
                    "health check failed after {}: {err}",
                    GoDuration(round_ms(started.elapsed()))
                ),
            ));
        }
        let passed = format!(
            "Health check passed in {}",
            GoDuration(round_ms(started.elapsed()))
        );
        if !was_healthy {
            self.event(false, &status::ready_reason(&self.status), &passed)
                .await;
        }
        status::healthy(
            &mut self.status,
            Status::True,
            reason::SUCCEEDED,
            &passed,
            self.generation,
        );
        Ok(())
    }
}
