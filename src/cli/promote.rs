//! `tk promote canary NAME`: approves the revision a Canary is analysing. The annotation
//! `canary.tk-gitops.io/approved-revision` is set to the Canary's `status.lastAppliedSpec`
//! (the canary controller opens that revision's `confirm-promotion` gates while the two are
//! equal), with `reconcile.fluxcd.io/requestedAt` so the controller acts at once; then
//! (unless `--wait=false`) tk waits for the promotion to start.

use std::time::Instant;

use anyhow::{Result, bail};
use serde_json::json;

use super::canary::{self, PROMOTING};
use super::objects::{self, CANARY};
use super::printer::Printer;
use super::settings::GlobalSettings;
use crate::api::flagger::{APPROVED_REVISION_ANNOTATION, CanaryPhase};
use crate::api::meta::RECONCILE_REQUEST_ANNOTATION;

/// The phases in which a revision is under analysis, so there is something to approve. (In
/// Waiting the new revision is not recorded yet: its confirm-rollout gates decide.)
const UNDER_ANALYSIS: [CanaryPhase; 2] = [CanaryPhase::Progressing, CanaryPhase::WaitingPromotion];

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
    let revision = revision_under_analysis(&object)?;
    printer.action(format!(
        "approving canary {name} revision {revision} in {namespace} namespace"
    ));
    let patch = json!({ "metadata": { "annotations": {
        APPROVED_REVISION_ANNOTATION: revision,
        RECONCILE_REQUEST_ANNOTATION: objects::request_timestamp(),
    } } });
    CANARY.patch(&client, namespace, name, &patch).await?;
    printer.success("canary promotion approved");
    if !wait {
        return Ok(());
    }
    printer.waiting("waiting for canary promotion");
    let promoted = canary::wait(&client, (namespace, name), PROMOTING, printer, deadline).await?;
    printer.success(format!("Canary {name} is {}", canary::phase(&promoted)));
    Ok(())
}

/// The `status.lastAppliedSpec` of a Canary whose revision is under analysis; a suspended
/// Canary, one in another phase or one without a revision is refused, saying why.
fn revision_under_analysis(object: &kube::api::DynamicObject) -> Result<String> {
    let namespace = object.metadata.namespace.as_deref().unwrap_or_default();
    let name = object.metadata.name.as_deref().unwrap_or_default();
    if objects::suspended(object) {
        bail!(
            "Canary {namespace}/{name} is suspended: run `tk resume canary {name}` first, as \
             the controller does not act on a suspended Canary"
        );
    }
    if !canary::in_phase(object, &UNDER_ANALYSIS) {
        let phase = match canary::phase(object) {
            "" => "not yet initialized".to_string(),
            phase => format!("in phase {phase}"),
        };
        bail!(
            "Canary {namespace}/{name} is {phase}: only a revision under analysis (phase \
             Progressing or WaitingPromotion) can be promoted: change the target \
             to start a rollout, then promote it"
        );
    }
    match object.data["status"]["lastAppliedSpec"].as_str() {
        Some(revision) if !revision.is_empty() => Ok(revision.to_string()),
        _ => bail!(
            "Canary {namespace}/{name} reports no status.lastAppliedSpec, so there is no \
             revision to approve: check that the {} is running",
            CANARY.controller
        ),
    }
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
    fn approves_only_a_revision_under_analysis() {
        for phase in ["Progressing", "WaitingPromotion"] {
            let object = canary(
                json!({}),
                json!({ "phase": phase, "lastAppliedSpec": "abc" }),
            );
            assert_eq!(revision_under_analysis(&object).unwrap(), "abc");
        }
        for phase in ["Initialized", "Waiting"] {
            let err = revision_under_analysis(&canary(
                json!({}),
                json!({ "phase": phase, "lastAppliedSpec": "abc" }),
            ))
            .unwrap_err()
            .to_string();
            assert!(
                err.starts_with(&format!(
                    "Canary test/podinfo is in phase {phase}: only a revision under analysis"
                )),
                "{err}"
            );
        }
        let err = revision_under_analysis(&canary(json!({}), json!({})))
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not yet initialized"), "{err}");
        let err = revision_under_analysis(&canary(json!({}), json!({ "phase": "Progressing" })))
            .unwrap_err()
            .to_string();
        assert!(err.contains("reports no status.lastAppliedSpec"), "{err}");
        let err = revision_under_analysis(&canary(
            json!({ "suspend": true }),
            json!({ "phase": "Progressing", "lastAppliedSpec": "abc" }),
        ))
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("run `tk resume canary podinfo` first"),
            "{err}"
        );
    }
}
