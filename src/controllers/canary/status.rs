//! A Canary's status as Flagger writes it: the phase, weights and counters, the hashes of the
//! applied and promoted revisions, and the `Promoted` condition.

use anyhow::{Context as _, Result};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::ResourceExt;
use kube::api::{Api, Patch, PatchParams};

use crate::api::flagger::{
    Canary, CanaryCondition, CanaryPhase, CanaryStatus, PROMOTED_CONDITION as PROMOTED,
};

fn now() -> Time {
    Time(k8s_openapi::jiff::Timestamp::now())
}

pub fn phase(canary: &Canary) -> CanaryPhase {
    canary
        .status
        .as_ref()
        .and_then(|s| s.phase)
        .unwrap_or(CanaryPhase::Unset)
}

/// The `Promoted` condition's status and message in `phase`.
fn promoted(phase: CanaryPhase, kind: &str) -> (&'static str, String) {
    match phase {
        CanaryPhase::Unset | CanaryPhase::Initializing => (
            "Unknown",
            format!("New {kind} detected, starting initialization."),
        ),
        CanaryPhase::Initialized => ("True", format!("{kind} initialization completed.")),
        CanaryPhase::Waiting | CanaryPhase::WaitingPromotion => {
            ("Unknown", "Waiting for approval.".to_string())
        }
        CanaryPhase::Progressing => (
            "Unknown",
            "New revision detected, starting canary analysis.".to_string(),
        ),
        CanaryPhase::Promoting => (
            "Unknown",
            "Canary analysis completed, starting primary rolling update.".to_string(),
        ),
        CanaryPhase::Finalising => (
            "Unknown",
            "Canary analysis completed, routing all traffic to primary.".to_string(),
        ),
        CanaryPhase::Succeeded => (
            "True",
            "Canary analysis completed successfully, promotion finished.".to_string(),
        ),
        CanaryPhase::Failed => (
            "False",
            format!("Canary analysis failed, {kind} scaled to zero."),
        ),
        CanaryPhase::Terminating => (
            "Unknown",
            format!("Canary is being deleted, {kind} reverted."),
        ),
        CanaryPhase::Terminated => ("True", format!("Canary deleted, {kind} reverted.")),
    }
}

/// Sets the `Promoted` condition for the status's phase; `problem` (what keeps the canary from
/// advancing) replaces the message while it lasts. The transition time moves only when the
/// condition's status does.
pub fn set_condition(status: &mut CanaryStatus, kind: &str, problem: Option<&str>) {
    let phase = status.phase.unwrap_or(CanaryPhase::Unset);
    let (state, message) = promoted(phase, kind);
    let message = problem.map(str::to_string).unwrap_or(message);
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    let reason = phase.as_str().to_string();
    let reason = if reason.is_empty() {
        "Initializing".to_string()
    } else {
        reason
    };
    match conditions.iter_mut().find(|c| c.r#type == PROMOTED) {
        Some(c)
            if c.status == state
                && c.reason == reason
                && c.message.as_deref() == Some(&message) => {}
        Some(c) => {
            if c.status != state {
                c.last_transition_time = Some(now());
            }
            c.status = state.to_string();
            c.reason = reason;
            c.message = Some(message);
            c.last_update_time = Some(now());
        }
        None => conditions.push(CanaryCondition {
            r#type: PROMOTED.to_string(),
            status: state.to_string(),
            reason,
            message: Some(message),
            last_update_time: Some(now()),
            last_transition_time: Some(now()),
        }),
    }
}

/// Moves to `phase` as Flagger's `SetStatusPhase`: outside an analysis the weight and
/// iterations are zero; reaching Initialized or Succeeded makes the applied revision the
/// promoted one.
pub fn set_phase(status: &mut CanaryStatus, phase: CanaryPhase) {
    status.phase = Some(phase);
    status.last_transition_time = Some(now());
    if !matches!(
        phase,
        CanaryPhase::Progressing | CanaryPhase::Waiting | CanaryPhase::WaitingPromotion
    ) {
        status.canary_weight = Some(0);
        status.iterations = Some(0);
    }
    if matches!(phase, CanaryPhase::Initialized | CanaryPhase::Succeeded) {
        status.last_promoted_spec = status.last_applied_spec.clone();
    }
    status.failed_checks.get_or_insert(0);
    status.canary_weight.get_or_insert(0);
    status.iterations.get_or_insert(0);
}

/// Writes `canary.status` to the cluster; returns the object as written.
pub async fn write(api: &Api<Canary>, canary: &Canary) -> Result<Canary> {
    let status = canary.status.clone().unwrap_or_default();
    api.patch_status(
        &canary.name_any(),
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({ "status": status })),
    )
    .await
    .with_context(|| format!("writing the status of Canary {}", canary.name_any()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_reset_counters_and_record_the_promoted_revision() {
        let mut s = CanaryStatus {
            canary_weight: Some(30),
            iterations: Some(2),
            last_applied_spec: Some("abc".into()),
            ..Default::default()
        };
        set_phase(&mut s, CanaryPhase::WaitingPromotion);
        assert_eq!((s.canary_weight, s.iterations), (Some(30), Some(2)));
        set_phase(&mut s, CanaryPhase::Promoting);
        assert_eq!((s.canary_weight, s.iterations), (Some(0), Some(0)));
        assert_eq!(s.last_promoted_spec, None);
        set_phase(&mut s, CanaryPhase::Succeeded);
        assert_eq!(s.last_promoted_spec.as_deref(), Some("abc"));
    }

    #[test]
    fn the_promoted_condition_follows_the_phase() {
        let mut s = CanaryStatus::default();
        set_phase(&mut s, CanaryPhase::Initialized);
        set_condition(&mut s, "Deployment", None);
        let c = &s.conditions.as_ref().unwrap()[0];
        assert_eq!(
            (c.status.as_str(), c.reason.as_str()),
            ("True", "Initialized")
        );
        assert_eq!(
            c.message.as_deref(),
            Some("Deployment initialization completed.")
        );
        set_phase(&mut s, CanaryPhase::Failed);
        set_condition(&mut s, "Deployment", Some("the problem"));
        let c = &s.conditions.as_ref().unwrap()[0];
        assert_eq!((c.status.as_str(), c.reason.as_str()), ("False", "Failed"));
        assert_eq!(c.message.as_deref(), Some("the problem"));
        assert_eq!(s.conditions.as_ref().unwrap().len(), 1);
    }
}
