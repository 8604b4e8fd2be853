//! The Kustomization conditions a reconcile step leaves, with kustomize-controller's types,
//! reasons and messages (Ready, Reconciling, Stalled, Healthy).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};

use crate::api::kustomize::KustomizationStatus;
use crate::api::meta::{self, Status, condition_type, reason, set_condition};

/// Not a Flux reason: Flux's CRD patterns admit `0s`, which cannot be an interval.
pub const INVALID_DURATION: &str = "InvalidDuration";

/// Condition messages are capped by the CRD (32768); long change sets are cut below that.
const MAX_MESSAGE_BYTES: usize = 32 * 1024 - 64;

fn now() -> Time {
    Time(k8s_openapi::jiff::Timestamp::now())
}

fn conditions(status: &mut KustomizationStatus) -> &mut Vec<Condition> {
    status.conditions.get_or_insert_with(Vec::new)
}

/// Cuts `message` to what a condition may hold, on a character boundary.
pub fn cap(message: &str) -> String {
    if message.len() <= MAX_MESSAGE_BYTES {
        return message.to_string();
    }
    let mut end = MAX_MESSAGE_BYTES;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &message[..end])
}

/// A reconcile is under way: `Ready=Unknown` "Reconciliation in progress" and
/// `Reconciling=True` with what is being done.
pub fn progressing(status: &mut KustomizationStatus, message: &str, generation: Option<i64>) {
    let conds = conditions(status);
    meta::remove_condition(conds, condition_type::STALLED);
    set_condition(
        conds,
        condition_type::READY,
        Status::Unknown,
        reason::PROGRESSING,
        "Reconciliation in progress",
        generation,
        now(),
    );
    set_condition(
        conds,
        condition_type::RECONCILING,
        Status::True,
        reason::PROGRESSING,
        message,
        generation,
        now(),
    );
}

/// Updates the `Reconciling` message of a reconcile under way.
pub fn reconciling(status: &mut KustomizationStatus, message: &str, generation: Option<i64>) {
    set_condition(
        conditions(status),
        condition_type::RECONCILING,
        Status::True,
        reason::PROGRESSING,
        message,
        generation,
        now(),
    );
}

/// A failure that is retried: `Ready=False` with the reason; a `Reconciling` condition left
/// by this attempt turns `ProgressingWithRetry`, as Flux's `finalizeStatus` does.
pub fn failed(
    status: &mut KustomizationStatus,
    reason_: &str,
    message: &str,
    generation: Option<i64>,
) {
    let conds = conditions(status);
    meta::remove_condition(conds, condition_type::STALLED);
    set_condition(
        conds,
        condition_type::READY,
        Status::False,
        reason_,
        cap(message),
        generation,
        now(),
    );
    if let Some(reconciling) = conds
        .iter_mut()
        .find(|c| c.type_ == condition_type::RECONCILING)
    {
        reconciling.reason = reason::PROGRESSING_WITH_RETRY.to_string();
    }
}

/// A failure only the user can fix: `Ready=False`, `Stalled=True`, the generation observed.
pub fn stalled(
    status: &mut KustomizationStatus,
    reason_: &str,
    message: &str,
    generation: Option<i64>,
) {
    meta::mark_stalled(
        conditions(status),
        reason_,
        &cap(message),
        generation,
        now(),
    );
    status.observed_generation = generation;
}

/// Success: `Ready=True` "Applied revision: <rev>", no `Reconciling` or `Stalled`.
pub fn ready(status: &mut KustomizationStatus, revision: &str, generation: Option<i64>) {
    meta::mark_ready(
        conditions(status),
        reason::RECONCILIATION_SUCCEEDED,
        &format!("Applied revision: {revision}"),
        generation,
        now(),
    );
    status.observed_generation = generation;
}

pub fn healthy(
    status: &mut KustomizationStatus,
    value: Status,
    reason_: &str,
    message: &str,
    generation: Option<i64>,
) {
    set_condition(
        conditions(status),
        condition_type::HEALTHY,
        value,
        reason_,
        cap(message),
        generation,
        now(),
    );
}

pub fn remove_healthy(status: &mut KustomizationStatus) {
    meta::remove_condition(conditions(status), condition_type::HEALTHY);
}

pub fn is_healthy(status: &KustomizationStatus) -> bool {
    meta::is_condition_true(
        status.conditions.as_deref().unwrap_or_default(),
        condition_type::HEALTHY,
    )
}

pub fn is_ready(status: &KustomizationStatus) -> bool {
    meta::is_condition_true(
        status.conditions.as_deref().unwrap_or_default(),
        condition_type::READY,
    )
}

/// The reason of the Ready condition: what Flux names its events after.
pub fn ready_reason(status: &KustomizationStatus) -> String {
    meta::find_condition(
        status.conditions.as_deref().unwrap_or_default(),
        condition_type::READY,
    )
    .map(|c| c.reason.clone())
    .unwrap_or_default()
}

/// (type, status) of the kstatus conditions, for the `gotk_reconcile_condition` metric.
pub fn condition_values(status: &KustomizationStatus) -> Vec<(&'static str, String)> {
    let conds = status.conditions.as_deref().unwrap_or_default();
    [
        condition_type::READY,
        condition_type::RECONCILING,
        condition_type::STALLED,
    ]
    .into_iter()
    .filter_map(|t| meta::find_condition(conds, t).map(|c| (t, c.status.clone())))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get<'a>(s: &'a KustomizationStatus, t: &str) -> Option<&'a Condition> {
        meta::find_condition(s.conditions.as_deref().unwrap(), t)
    }

    #[test]
    fn a_retried_failure_keeps_reconciling_with_retry_and_success_clears_it() {
        let mut s = KustomizationStatus::default();
        progressing(&mut s, "Fetching manifests", Some(2));
        failed(
            &mut s,
            reason::BUILD_FAILED,
            "kustomize build failed: x",
            Some(2),
        );
        assert_eq!(get(&s, "Ready").unwrap().status, "False");
        assert_eq!(get(&s, "Ready").unwrap().reason, "BuildFailed");
        assert_eq!(
            get(&s, "Reconciling").unwrap().reason,
            reason::PROGRESSING_WITH_RETRY
        );
        assert_eq!(s.observed_generation, None);
        ready(&mut s, "main@sha1:abc", Some(2));
        assert_eq!(
            get(&s, "Ready").unwrap().message,
            "Applied revision: main@sha1:abc"
        );
        assert!(get(&s, "Reconciling").is_none());
        assert_eq!(s.observed_generation, Some(2));
    }

    #[test]
    fn stalled_observes_the_generation() {
        let mut s = KustomizationStatus::default();
        stalled(&mut s, INVALID_DURATION, "spec.interval: bad", Some(3));
        assert_eq!(get(&s, "Stalled").unwrap().status, "True");
        assert_eq!(s.observed_generation, Some(3));
    }

    #[test]
    fn long_messages_are_capped() {
        let long = "é".repeat(40_000);
        assert!(cap(&long).len() <= MAX_MESSAGE_BYTES + 3);
    }
}
