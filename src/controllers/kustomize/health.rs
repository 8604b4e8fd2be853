//! Health checks (`spec.wait`, `spec.healthChecks`), custom ones (`spec.healthCheckExprs`)
//! and their cancellation by a new revision.

use std::time::{Duration, Instant};

use super::reconcile::{Failure, Run, Then, round_ms};
use super::status;
use crate::api::duration::GoDuration;
use crate::api::meta::{CustomHealthCheck, Status, reason};
use crate::cel::status::StatusExpressions;
use crate::ssa;

/// How often health checks poll; Flux polls every 5s, a shorter period reports sooner.
const HEALTH_POLL: Duration = Duration::from_secs(2);
/// How long health is looked at before the wait is shown in the status (Reconciling,
/// Healthy Unknown).
const QUICK_LOOK: Duration = Duration::from_secs(2);
/// How soon a Kustomization whose health check a new revision canceled is reconciled again.
const CANCELED_REQUEUE: Duration = Duration::from_secs(1);

/// The compiled `spec.healthCheckExprs`: (API group, kind, expressions).
pub(super) struct CustomHealth(Vec<(String, String, StatusExpressions)>);

impl CustomHealth {
    /// The status of `object` per the expressions for its group and kind; `None` when it
    /// has none (kstatus decides). An evaluation error makes the status Unknown, with the
    /// error as the message: Flux keeps waiting for such an object until the timeout.
    fn status(
        &self,
        r: &ssa::ObjectRef,
        object: &serde_json::Value,
    ) -> Option<(kstatus::Status, String)> {
        let (_, _, expressions) = self
            .0
            .iter()
            .find(|(group, kind, _)| *group == r.group && *kind == r.kind)?;
        Some(match expressions.evaluate(object) {
            Ok(status) => (status, String::new()),
            Err(err) => (kstatus::Status::Unknown, err.to_string()),
        })
    }
}

fn compile_custom_health(exprs: &[CustomHealthCheck]) -> Result<CustomHealth, Failure> {
    let mut checks: Vec<(String, String, StatusExpressions)> = Vec::new();
    for (i, check) in exprs.iter().enumerate() {
        let invalid = |message: String| {
            Failure::stall(
                reason::INVALID_CEL_EXPRESSION,
                format!("spec.healthCheckExprs[{i}].{message}"),
            )
        };
        let Some(kind) = check.kind.clone().filter(|k| !k.is_empty()) else {
            return Err(invalid(format!(
                "kind: required; set the kind of the {} objects the expressions are for",
                check.api_version
            )));
        };
        let group = match check.api_version.rsplit_once('/') {
            Some((group, _)) => group.to_string(),
            None => String::new(),
        };
        if checks.iter().any(|(g, k, _)| *g == group && *k == kind) {
            continue;
        }
        let expressions = StatusExpressions::compile(
            &check.current,
            check.in_progress.as_deref(),
            check.failed.as_deref(),
        )
        .map_err(|e| {
            invalid(format!(
                "{}: {}; fix the expression in the Kustomization",
                e.field, e.error
            ))
        })?;
        checks.push((group, kind, expressions));
    }
    Ok(CustomHealth(checks))
}

impl Run<'_> {
    /// Compiles `spec.healthCheckExprs`; a bad one stalls the Kustomization. Expressions match
    /// objects by API group and kind (the version does not matter), and the first entry for a
    /// group and kind wins: Flux ignores the later ones, so they are not compiled either.
    pub(super) fn custom_health(&self) -> Result<CustomHealth, Failure> {
        compile_custom_health(
            self.obj
                .spec
                .health_check_exprs
                .as_deref()
                .unwrap_or_default(),
        )
    }

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
        self.progress(|status, generation| {
            status::reconciling(status, &message, generation);
            status::healthy(
                status,
                Status::Unknown,
                reason::PROGRESSING,
                &message,
                generation,
            );
        });
        let started = Instant::now();
        let manager = self.manager().await?;
        let timeout = self.timeout;
        // Compiled again: `converge` refused bad expressions before anything was applied.
        let custom = self.custom_health()?;
        let custom_status =
            |r: &ssa::ObjectRef, object: &serde_json::Value| custom.status(r, object);
        let key = self.key();
        let cancel = self.ctx.cancels.register(key.clone());
        let waited = tokio::select! {
            waited = async {
                // A quick look first: most workloads are ready within a few polls, and then
                // the progress step need not be written at all (one status write per
                // reconcile instead of two under the API rate limit).
                let quick = QUICK_LOOK.min(timeout);
                match manager.wait_for_set_with(&objects, HEALTH_POLL, quick, &custom_status).await {
                    Err(ssa::Error::WaitTimeout(_)) if timeout > quick => {
                        self.write_status().await.map_err(|e| {
                            Failure::retry(
                                reason::HEALTH_CHECK_FAILED,
                                format!("unable to update the healthy status to progressing: {e}"),
                            )
                        })?;
                        let rest = timeout.saturating_sub(started.elapsed());
                        Ok(manager.wait_for_set_with(&objects, HEALTH_POLL, rest, &custom_status).await)
                    }
                    other => Ok(other),
                }
            } => Some(waited),
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
        let waited = waited?;
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
        // A settled object keeps the message of the check that made it healthy: the time
        // in it would otherwise make every unchanged reconcile write the status.
        self.progress(|status, generation| {
            status::healthy(status, Status::True, reason::SUCCEEDED, &passed, generation);
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(api_version: &str, kind: &str, current: &str) -> CustomHealthCheck {
        CustomHealthCheck {
            api_version: api_version.into(),
            kind: Some(kind.into()),
            current: current.into(),
            ..Default::default()
        }
    }

    fn widget(group_version: &str) -> ssa::ObjectRef {
        let (group, version) = group_version.split_once('/').unwrap();
        ssa::ObjectRef {
            group: group.into(),
            version: version.into(),
            kind: "Widget".into(),
            namespace: "default".into(),
            name: "w1".into(),
        }
    }

    #[test]
    fn matches_by_group_and_kind_and_the_first_entry_wins() {
        let custom = compile_custom_health(&[
            check("example.com/v1", "Widget", "status.ok"),
            // Ignored as in Flux, even though it would not compile.
            check("example.com/v2", "Widget", "status."),
        ])
        .unwrap();
        let ok = json!({ "status": { "ok": true } });
        // Any version of the group matches.
        assert_eq!(
            custom.status(&widget("example.com/v9"), &ok),
            Some((kstatus::Status::Current, String::new()))
        );
        assert_eq!(custom.status(&widget("other.com/v1"), &ok), None);
        let (status, message) = custom
            .status(&widget("example.com/v1"), &json!({}))
            .unwrap();
        assert_eq!(status, kstatus::Status::Unknown);
        assert!(
            message.starts_with("failed to evaluate the CEL expression 'status.ok'"),
            "{message}"
        );
    }

    #[test]
    fn a_bad_expression_stalls_naming_its_field() {
        let mut bad = check("example.com/v1", "Widget", "true");
        bad.in_progress = Some("status.(".into());
        let Err(failure) = compile_custom_health(&[check("v1", "ConfigMap", "true"), bad]) else {
            panic!("a bad expression compiles");
        };
        assert_eq!(failure.then, Then::Stall);
        assert_eq!(failure.reason, reason::INVALID_CEL_EXPRESSION);
        assert!(
            failure.message.starts_with(
                "spec.healthCheckExprs[1].inProgress: invalid CEL expression 'status.('"
            ),
            "{}",
            failure.message
        );
        assert!(
            failure
                .message
                .ends_with("fix the expression in the Kustomization")
        );

        let mut no_kind = check("example.com/v1", "", "true");
        no_kind.kind = None;
        let Err(failure) = compile_custom_health(&[no_kind]) else {
            panic!("an entry without a kind compiles");
        };
        assert!(
            failure
                .message
                .starts_with("spec.healthCheckExprs[0].kind: required"),
            "{}",
            failure.message
        );
    }
}
