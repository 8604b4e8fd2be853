//! `tk promote canary NAME`: approves what a Canary waits for. A revision under analysis
//! (Progressing, WaitingPromotion) is approved by setting `canary.tk-gitops.io/approved-revision`
//! to the Canary's `status.lastAppliedSpec`: the canary controller opens that revision's
//! `confirm-traffic-increase` and `confirm-promotion` gates while the two are equal. A
//! rollout held at its `confirm-rollout` gates (Waiting) is approved by setting
//! `canary.tk-gitops.io/approved-rollout` to the target's pending revision. Both come with
//! `reconcile.fluxcd.io/requestedAt` so the controller acts at once; then (unless
//! `--wait=false`) tk waits for the promotion (or the analysis) to start.

use std::time::Instant;

use anyhow::{Context as _, Result, bail};
use serde_json::json;

use super::canary::{self, Goal, PROGRESSING, PROMOTING};
use super::objects::{self, CANARY};
use super::printer::Printer;
use super::settings::GlobalSettings;
use crate::api::flagger::{
    APPROVED_REVISION_ANNOTATION, APPROVED_ROLLOUT_ANNOTATION, Canary, CanaryPhase,
};
use crate::api::meta::RECONCILE_REQUEST_ANNOTATION;

/// The phases in which a revision is under analysis, so its promotion can be approved.
const UNDER_ANALYSIS: [CanaryPhase; 2] = [CanaryPhase::Progressing, CanaryPhase::WaitingPromotion];

/// What `promote` approves, and the annotation that says so.
#[derive(Debug, PartialEq, Eq)]
enum Approval {
    /// A pending rollout, by the target's revision.
    Rollout(String),
    /// The promotion of the revision under analysis.
    Promotion(String),
}

impl Approval {
    fn annotation(&self) -> (&'static str, &str, &'static str, Goal) {
        match self {
            Approval::Rollout(r) => (APPROVED_ROLLOUT_ANNOTATION, r, "rollout", PROGRESSING),
            Approval::Promotion(r) => (APPROVED_REVISION_ANNOTATION, r, "promotion", PROMOTING),
        }
    }
}

pub async fn canary(
    name: &str,
    wait: bool,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let namespace = &settings.namespace;
    let deadline = Instant::now() + settings.timeout;
    let client = settings.client().await?;
    let object = CANARY.get(&client, namespace, name).await?;
    let approval = match what_to_approve(&object)? {
        Some(approval) => approval,
        None => Approval::Rollout(pending_revision(&client, &object).await?),
    };
    let (annotation, revision, what, goal) = approval.annotation();
    printer.action(format!(
        "approving canary {name} {what} of revision {revision} in {namespace} namespace"
    ));
    let patch = json!({ "metadata": { "annotations": {
        annotation: revision,
        RECONCILE_REQUEST_ANNOTATION: objects::request_timestamp(),
    } } });
    CANARY.patch(&client, namespace, name, &patch).await?;
    printer.success(format!("canary {what} approved"));
    if !wait {
        return Ok(());
    }
    printer.waiting(format!("waiting for canary {what}"));
    let reached = canary::wait(&client, (namespace, name), goal, printer, deadline).await?;
    printer.success(format!("Canary {name} is {}", canary::phase(&reached)));
    Ok(())
}

/// The approval a Canary's phase calls for: its `status.lastAppliedSpec` when a revision is
/// under analysis, `None` when it waits for a rollout approval (the revision is the
/// target's); a suspended Canary, one in another phase or one without a revision is refused,
/// saying why.
fn what_to_approve(object: &kube::api::DynamicObject) -> Result<Option<Approval>> {
    let namespace = object.metadata.namespace.as_deref().unwrap_or_default();
    let name = object.metadata.name.as_deref().unwrap_or_default();
    if objects::suspended(object) {
        bail!(
            "Canary {namespace}/{name} is suspended: run `tk resume canary {name}` first, as \
             the controller does not act on a suspended Canary"
        );
    }
    if canary::in_phase(object, &[CanaryPhase::Waiting]) {
        return Ok(None);
    }
    if !canary::in_phase(object, &UNDER_ANALYSIS) {
        let phase = match canary::phase(object) {
            "" => "not yet initialized".to_string(),
            phase => format!("in phase {phase}"),
        };
        bail!(
            "Canary {namespace}/{name} is {phase}: only a rollout waiting for approval (phase \
             Waiting) or a revision under analysis (Progressing, WaitingPromotion) can be \
             promoted: change the target to start a rollout, then promote it"
        );
    }
    match object.data["status"]["lastAppliedSpec"].as_str() {
        Some(revision) if !revision.is_empty() => {
            Ok(Some(Approval::Promotion(revision.to_string())))
        }
        _ => bail!(
            "Canary {namespace}/{name} reports no status.lastAppliedSpec, so there is no \
             revision to approve: check that the {} is running",
            CANARY.controller
        ),
    }
}

/// The revision of a Waiting Canary's target, as the controller will record it.
async fn pending_revision(
    client: &kube::Client,
    object: &kube::api::DynamicObject,
) -> Result<String> {
    let canary: Canary =
        serde_json::from_value(serde_json::to_value(object)?).context("reading the Canary")?;
    let target = &canary.spec.target_ref;
    crate::controllers::canary::target_revision(client, &canary)
        .await?
        .with_context(|| {
            format!(
                "Canary {}/{}: spec.targetRef {} {} not found: the rollout has nothing to \
                 approve",
                object.metadata.namespace.as_deref().unwrap_or_default(),
                object.metadata.name.as_deref().unwrap_or_default(),
                target.kind.as_str(),
                target.name
            )
        })
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn canary(spec: Value, status: Value) -> kube::api::DynamicObject {
        serde_json::from_value(json!({
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": { "name": "podinfo", "namespace": "test" },
            "spec": spec, "status": status
        }))
        .unwrap()
    }

    #[test]
    fn approves_what_the_phase_waits_for() {
        for phase in ["Progressing", "WaitingPromotion"] {
            let object = canary(
                json!({}),
                json!({ "phase": phase, "lastAppliedSpec": "abc" }),
            );
            assert_eq!(
                what_to_approve(&object).unwrap(),
                Some(Approval::Promotion("abc".into()))
            );
        }
        let waiting = canary(
            json!({}),
            json!({ "phase": "Waiting", "lastAppliedSpec": "abc" }),
        );
        assert_eq!(what_to_approve(&waiting).unwrap(), None);
        for phase in ["Initialized", "Succeeded", "Failed"] {
            let err = what_to_approve(&canary(
                json!({}),
                json!({ "phase": phase, "lastAppliedSpec": "abc" }),
            ))
            .unwrap_err()
            .to_string();
            assert!(
                err.starts_with(&format!(
                    "Canary test/podinfo is in phase {phase}: only a rollout waiting for approval"
                )),
                "{err}"
            );
        }
        let err = what_to_approve(&canary(json!({}), json!({})))
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not yet initialized"), "{err}");
        let err = what_to_approve(&canary(json!({}), json!({ "phase": "Progressing" })))
            .unwrap_err()
            .to_string();
        assert!(err.contains("reports no status.lastAppliedSpec"), "{err}");
        let err = what_to_approve(&canary(
            json!({ "suspend": true }),
            json!({ "phase": "Waiting" }),
        ))
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("run `tk resume canary podinfo` first"),
            "{err}"
        );
    }
}
