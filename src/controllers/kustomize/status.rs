//! The Kustomization conditions a reconcile step leaves, with kustomize-controller's types,
//! reasons and messages (Ready, Reconciling, Stalled, Healthy).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};

use crate::api::kustomize::{KustomizationStatus, Snapshot};
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

/// Whether `written` shows the object Ready (and Healthy, when health is checked) at
/// `revision` and `generation`: a reconcile of it is expected to change nothing.
pub fn is_settled(written: &KustomizationStatus, revision: &str, generation: Option<i64>) -> bool {
    let healthy = meta::find_condition(
        written.conditions.as_deref().unwrap_or_default(),
        condition_type::HEALTHY,
    )
    .is_none_or(|c| c.status == "True");
    is_ready(written)
        && healthy
        && written.observed_generation == generation
        && written.last_applied_revision.as_deref() == Some(revision)
        && written.last_attempted_revision.as_deref() == Some(revision)
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

/// How many snapshots `status.history` keeps (Flux's `HistoryMaxSize`).
pub const HISTORY_MAX: usize = 5;

/// Flux's `History.Upsert`: the snapshot with the same digest and outcome is updated and
/// moved to the front, else a new one is put there; at most [`HISTORY_MAX`] are kept.
pub fn record_history(
    status: &mut KustomizationStatus,
    digest: &str,
    at: Time,
    duration: String,
    outcome: &str,
    metadata: BTreeMap<String, String>,
) {
    let history = status.history.get_or_insert_with(Vec::new);
    let metadata = Some(metadata);
    match history
        .iter()
        .position(|s| s.digest == digest && s.last_reconciled_status == outcome)
    {
        Some(i) => {
            let mut snapshot = history.remove(i);
            snapshot.last_reconciled = at;
            snapshot.last_reconciled_duration = duration;
            snapshot.total_reconciliations += 1;
            snapshot.metadata = metadata;
            history.insert(0, snapshot);
        }
        None => history.insert(
            0,
            Snapshot {
                digest: digest.to_string(),
                first_reconciled: at.clone(),
                last_reconciled: at,
                last_reconciled_duration: duration,
                last_reconciled_status: outcome.to_string(),
                metadata,
                total_reconciliations: 1,
            },
        ),
    }
    history.truncate(HISTORY_MAX);
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

    #[test]
    fn history_aggregates_by_digest_and_outcome_newest_first() {
        let mut s = KustomizationStatus::default();
        let at = |secs: i64| Time(k8s_openapi::jiff::Timestamp::from_second(secs).unwrap());
        let meta = |rev: &str| BTreeMap::from([("revision".to_string(), rev.to_string())]);
        let ok = reason::RECONCILIATION_SUCCEEDED;
        record_history(&mut s, "sha256:a", at(1), "1s".into(), ok, meta("r1"));
        record_history(&mut s, "sha256:a", at(2), "2s".into(), ok, meta("r1"));
        let h = s.history.as_ref().unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].total_reconciliations, 2);
        assert_eq!(
            (h[0].first_reconciled.clone(), h[0].last_reconciled.clone()),
            (at(1), at(2))
        );
        assert_eq!(h[0].last_reconciled_duration, "2s");

        let failed = reason::HEALTH_CHECK_FAILED;
        record_history(&mut s, "sha256:a", at(3), "3s".into(), failed, meta("r1"));
        record_history(&mut s, "sha256:b", at(4), "1s".into(), ok, meta("r2"));
        record_history(&mut s, "sha256:a", at(5), "1s".into(), ok, meta("r1"));
        let h = s.history.as_ref().unwrap();
        let order: Vec<(&str, &str)> = h
            .iter()
            .map(|s| (s.digest.as_str(), s.last_reconciled_status.as_str()))
            .collect();
        assert_eq!(
            order,
            [("sha256:a", ok), ("sha256:b", ok), ("sha256:a", failed)],
            "updated snapshots move to the front"
        );
        assert_eq!(h[0].total_reconciliations, 3);
        for i in 0..10 {
            record_history(
                &mut s,
                &format!("sha256:{i}"),
                at(10 + i),
                "1s".into(),
                ok,
                meta("r"),
            );
        }
        let h = s.history.as_ref().unwrap();
        assert_eq!(h.len(), HISTORY_MAX);
        assert_eq!(h[0].digest, "sha256:9");
    }
}
