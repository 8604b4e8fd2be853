//! Canaries (`flagger.app/v1beta1`) as the CLI sees them. Flagger reports a phase and a
//! `Promoted` condition rather than Flux's Ready, and no `observedGeneration` or handled
//! request: `get` prints the phase, and the waits of `create canary` and `promote canary`
//! follow it, failing when the canary is rolled back.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use kube::api::DynamicObject;

use super::objects::{self, CANARY};
use super::printer::Printer;
use crate::api::flagger::{CanaryPhase, PROMOTED_CONDITION};

/// `status.phase`, `""` when the controller has not reported on the Canary.
pub fn phase(object: &DynamicObject) -> &str {
    object.data["status"]["phase"].as_str().unwrap_or_default()
}

/// Whether the Canary is in one of `phases`.
pub fn in_phase(object: &DynamicObject, phases: &[CanaryPhase]) -> bool {
    let phase = phase(object);
    phases.iter().any(|p| p.as_str() == phase)
}

/// The `Promoted` condition's status and message.
fn promoted(object: &DynamicObject) -> (Option<&str>, &str) {
    let condition = objects::condition(object, PROMOTED_CONDITION);
    (
        condition.and_then(|c| c["status"].as_str()),
        condition
            .and_then(|c| c["message"].as_str())
            .unwrap_or_default(),
    )
}

/// What the controller says of the rollout (the `Promoted` message), as `get` prints it.
pub fn message(object: &DynamicObject) -> String {
    match promoted(object).1 {
        "" if phase(object).is_empty() => "waiting to be reconciled".to_string(),
        message => message.to_string(),
    }
}

/// The phase and message for an error: `Initializing: New Deployment detected...`.
fn describe(object: &DynamicObject) -> String {
    match (phase(object), promoted(object).1) {
        ("", _) => "not yet reported on by the controller".to_string(),
        (phase, "") => format!("phase {phase}"),
        (phase, message) => format!("phase {phase}: {message}"),
    }
}

/// What a wait is for: the phases that end it and how to say so.
#[derive(Debug, Clone, Copy)]
pub struct Goal {
    pub phases: &'static [CanaryPhase],
    /// The `Promoted` condition must also be True (Initialized, Succeeded).
    pub promoted: bool,
    /// "initialized", "promoted": what the Canary is waited for to be.
    pub done: &'static str,
}

/// `create canary`: the primary is ready and serves all traffic.
pub const INITIALIZED: Goal = Goal {
    phases: &[CanaryPhase::Initialized, CanaryPhase::Succeeded],
    promoted: true,
    done: "initialized",
};

/// `promote canary` of a Waiting Canary: the approved rollout has started.
pub const PROGRESSING: Goal = Goal {
    phases: &[
        CanaryPhase::Progressing,
        CanaryPhase::WaitingPromotion,
        CanaryPhase::Promoting,
        CanaryPhase::Finalising,
        CanaryPhase::Succeeded,
    ],
    promoted: false,
    done: "progressing",
};

/// `promote canary`: the approved revision is being (or has been) copied to the primary.
pub const PROMOTING: Goal = Goal {
    phases: &[
        CanaryPhase::Promoting,
        CanaryPhase::Finalising,
        CanaryPhase::Succeeded,
    ],
    promoted: false,
    done: "promoted",
};

impl Goal {
    fn reached(&self, object: &DynamicObject) -> bool {
        in_phase(object, self.phases) && (!self.promoted || promoted(object).0 == Some("True"))
    }
}

/// Polls the Canary, with a spinner, until it reaches `goal`; fails at once when it is
/// suspended (the controller leaves it alone) or rolled back (Failed, with Flagger's
/// message), and at the deadline with the phase it is in. A Canary has no
/// `observedGeneration`: a phase reached before the last change counts.
pub async fn wait(
    client: &kube::Client,
    (namespace, name): (&str, &str),
    goal: Goal,
    printer: Printer,
    deadline: Instant,
) -> Result<DynamicObject> {
    let spinner = printer.spinner(format!("waiting for Canary {namespace}/{name}"));
    let result = poll(client, (namespace, name), goal, deadline).await;
    spinner.finish_and_clear();
    result
}

async fn poll(
    client: &kube::Client,
    (namespace, name): (&str, &str),
    goal: Goal,
    deadline: Instant,
) -> Result<DynamicObject> {
    loop {
        let object = CANARY.get(client, namespace, name).await?;
        if objects::suspended(&object) {
            bail!(
                "Canary {namespace}/{name} is suspended: run `tk resume canary {name}` to let \
                 the controller act on it"
            );
        }
        if goal.reached(&object) {
            return Ok(object);
        }
        if in_phase(&object, &[CanaryPhase::Failed]) {
            bail!(
                "Canary {namespace}/{name} failed ({}): inspect `tk events --for Canary/{name}`",
                promoted(&object).1
            );
        }
        if Instant::now() >= deadline {
            bail!(
                "timed out waiting for Canary {namespace}/{name} to be {} ({}): raise --timeout \
                 or check that the {} is running",
                goal.done,
                describe(&object),
                CANARY.controller
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn canary(status: Value) -> DynamicObject {
        serde_json::from_value(json!({
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": { "name": "podinfo", "namespace": "test" },
            "spec": {}, "status": status
        }))
        .unwrap()
    }

    fn with(phase: &str, promoted: &str, message: &str) -> DynamicObject {
        canary(json!({
            "phase": phase,
            "conditions": [{ "type": "Promoted", "status": promoted, "reason": phase,
                             "message": message }]
        }))
    }

    #[test]
    fn initialized_needs_the_phase_and_promoted_true() {
        assert!(INITIALIZED.reached(&with("Initialized", "True", "done")));
        assert!(INITIALIZED.reached(&with("Succeeded", "True", "done")));
        assert!(!INITIALIZED.reached(&with("Initialized", "Unknown", "x")));
        assert!(!INITIALIZED.reached(&with("Initializing", "Unknown", "x")));
        assert!(!INITIALIZED.reached(&canary(json!({}))));
        assert!(PROMOTING.reached(&with("Promoting", "Unknown", "x")));
        assert!(PROMOTING.reached(&with("Finalising", "Unknown", "x")));
        assert!(!PROMOTING.reached(&with("WaitingPromotion", "Unknown", "x")));
    }

    #[test]
    fn messages_say_the_phase_and_what_the_controller_said() {
        let initializing = with(
            "Initializing",
            "Unknown",
            "New Deployment detected, starting initialization.",
        );
        assert_eq!(
            describe(&initializing),
            "phase Initializing: New Deployment detected, starting initialization."
        );
        assert_eq!(
            message(&initializing),
            "New Deployment detected, starting initialization."
        );
        let fresh = canary(json!({}));
        assert_eq!(describe(&fresh), "not yet reported on by the controller");
        assert_eq!(message(&fresh), "waiting to be reconciled");
        assert_eq!(phase(&fresh), "");
        assert!(in_phase(
            &with("Waiting", "Unknown", ""),
            &[CanaryPhase::Waiting]
        ));
    }
}
