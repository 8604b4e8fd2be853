//! The HelmRelease status: release history snapshots and the conditions helm-controller
//! reports (Ready, Released, Stalled, Reconciling) with its reasons and messages.

use helm::release::ReleaseRecord;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};

use crate::api::helm::{HelmReleaseStatus, Snapshot};
use crate::api::meta::{self, Status, set_condition};

pub mod condition {
    pub const RELEASED: &str = "Released";
    pub const REMEDIATED: &str = "Remediated";
    pub const TEST_SUCCESS: &str = "TestSuccess";
}

pub mod reason {
    pub const INSTALL_SUCCEEDED: &str = "InstallSucceeded";
    pub const INSTALL_FAILED: &str = "InstallFailed";
    pub const UPGRADE_SUCCEEDED: &str = "UpgradeSucceeded";
    pub const UPGRADE_FAILED: &str = "UpgradeFailed";
    pub const ARTIFACT_FAILED: &str = "ArtifactFailed";
    pub const SOURCE_NOT_READY: &str = "SourceNotReady";
    pub const CHART_MUTATE_ERROR: &str = "ChartMutateError";
    pub const INIT_FAILED: &str = "InitFailed";
    pub const RETRIES_EXCEEDED: &str = "RetriesExceeded";
    pub const ROLLBACK_SUCCEEDED: &str = "RollbackSucceeded";
    pub const TEST_SUCCEEDED: &str = "TestSucceeded";
    pub const TEST_FAILED: &str = "TestFailed";
    pub const ROLLBACK_FAILED: &str = "RollbackFailed";
    pub const UNINSTALL_SUCCEEDED: &str = "UninstallSucceeded";
    pub const UNINSTALL_FAILED: &str = "UninstallFailed";
}

/// How many release snapshots the status keeps.
const HISTORY: usize = 5;

fn now() -> Time {
    Time(k8s_openapi::jiff::Timestamp::now())
}

fn time_of(t: &helm::release::Time) -> Time {
    t.0.as_deref()
        .and_then(|s| s.parse::<k8s_openapi::jiff::Timestamp>().ok())
        .map(Time)
        .unwrap_or_else(|| Time(k8s_openapi::jiff::Timestamp::UNIX_EPOCH))
}

/// The status history: the newest records first, as helm-controller's `Snapshots`.
/// `status.history` from the stored records. An OCIRepository's digest is not in storage:
/// a snapshot keeps the one it had, and the release made from `oci_digest` (its chart
/// version carries the digest's first 12 hex) gets that one.
pub fn set_history(
    status: &mut HelmReleaseStatus,
    records: &[ReleaseRecord],
    oci_digest: Option<&str>,
) {
    let previous = status.history.take().unwrap_or_default();
    let mut history = snapshots(records);
    for snapshot in &mut history {
        snapshot.oci_digest = previous
            .iter()
            .find(|p| {
                (p.version, &p.name, &p.namespace)
                    == (snapshot.version, &snapshot.name, &snapshot.namespace)
            })
            .and_then(|p| p.oci_digest.clone())
            .or_else(|| {
                let digest = oci_digest?;
                let hex = digest.split_once(':')?.1.get(..12)?;
                let metadata = snapshot.chart_version.rsplit_once('+')?.1;
                (metadata == hex).then(|| digest.to_string())
            });
    }
    status.history = Some(history);
}

fn snapshots(history: &[ReleaseRecord]) -> Vec<Snapshot> {
    let mut records: Vec<&ReleaseRecord> = history.iter().collect();
    records.sort_by_key(|r| std::cmp::Reverse(r.version));
    records
        .into_iter()
        .take(HISTORY)
        .map(|r| Snapshot {
            action: None,
            api_version: None,
            app_version: Some(r.chart.metadata.app_version.clone()).filter(|v| !v.is_empty()),
            chart_name: r.chart.metadata.name.clone(),
            chart_version: r.chart.metadata.version.clone(),
            config_digest: super::values::digest(&r.config),
            deleted: r.info.deleted.0.as_ref().map(|_| time_of(&r.info.deleted)),
            digest: record_digest(r),
            first_deployed: time_of(&r.info.first_deployed),
            last_deployed: time_of(&r.info.last_deployed),
            name: r.name.clone(),
            namespace: r.namespace.clone(),
            oci_digest: None,
            status: r.info.status.as_str().to_string(),
            test_hooks: test_hooks(r),
            version: r.version,
        })
        .collect()
}

/// The last run of each test hook that ran, by hook name.
fn test_hooks(
    record: &ReleaseRecord,
) -> Option<std::collections::BTreeMap<String, crate::api::helm::TestHookStatus>> {
    let hooks: std::collections::BTreeMap<_, _> = record
        .hooks
        .iter()
        .filter(|h| h.events.iter().any(|e| e == "test") && !h.last_run.phase.is_empty())
        .map(|h| {
            let run = &h.last_run;
            let at = |t: &helm::release::Time| t.0.as_ref().map(|_| time_of(t));
            (
                h.name.clone(),
                crate::api::helm::TestHookStatus {
                    last_started: at(&run.started_at),
                    last_completed: at(&run.completed_at),
                    phase: Some(run.phase.clone()),
                },
            )
        })
        .collect();
    (!hooks.is_empty()).then_some(hooks)
}

/// `sha256:` of the record as stored, so a changed release shows a new digest.
fn record_digest(record: &ReleaseRecord) -> String {
    let json = record.to_json().unwrap_or_default();
    artifact::Digest::of_reader(artifact::Algorithm::Sha256, &json[..])
        .expect("hashing memory cannot fail")
        .0
        .to_string()
}

/// Sets Released and Ready from a release action's outcome.
pub fn mark_released(
    status: &mut HelmReleaseStatus,
    ok: bool,
    reason: &str,
    message: &str,
    generation: Option<i64>,
) {
    mark(status, condition::RELEASED, ok, reason, message, generation);
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    if ok {
        meta::mark_ready(conditions, reason, message, generation, now());
    } else {
        meta::mark_failed_with_retry(conditions, reason, message, generation, now());
    }
}

/// Remediated after a failed release: rolled back or uninstalled (True), or not (False).
pub fn mark_remediated(
    status: &mut HelmReleaseStatus,
    ok: bool,
    reason: &str,
    message: &str,
    generation: Option<i64>,
) {
    mark(
        status,
        condition::REMEDIATED,
        ok,
        reason,
        message,
        generation,
    );
}

/// TestSuccess after `helm test`.
pub fn mark_tested(
    status: &mut HelmReleaseStatus,
    ok: bool,
    reason: &str,
    message: &str,
    generation: Option<i64>,
) {
    mark(
        status,
        condition::TEST_SUCCESS,
        ok,
        reason,
        message,
        generation,
    );
}

fn mark(
    status: &mut HelmReleaseStatus,
    type_: &str,
    ok: bool,
    reason: &str,
    message: &str,
    generation: Option<i64>,
) {
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    let value = if ok { Status::True } else { Status::False };
    set_condition(conditions, type_, value, reason, message, generation, now());
}

/// Ready=False (retried) for a failure before any release action.
pub fn mark_not_ready(
    status: &mut HelmReleaseStatus,
    reason: &str,
    message: &str,
    generation: Option<i64>,
) {
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    meta::mark_failed_with_retry(conditions, reason, message, generation, now());
}

/// Stalled: nothing more happens until the spec changes or a reset is requested.
pub fn mark_stalled(
    status: &mut HelmReleaseStatus,
    reason: &str,
    message: &str,
    generation: Option<i64>,
) {
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    meta::mark_stalled(conditions, reason, message, generation, now());
}

/// Ready again from the Released condition, for a release found in sync with `deployed`.
/// A status that lost Released (edited, or written from an older copy) gets it back from
/// the release itself.
pub fn mark_in_sync(
    status: &mut HelmReleaseStatus,
    deployed: &ReleaseRecord,
    generation: Option<i64>,
) {
    let conditions: &mut Vec<Condition> = status.conditions.get_or_insert_with(Vec::new);
    let released = meta::find_condition(conditions, condition::RELEASED)
        .filter(|c| c.status == "True")
        .map(|c| (c.reason.clone(), c.message.clone()));
    let (reason, message) = released.unwrap_or_else(|| {
        let (verb, reason) = if deployed.version > 1 {
            ("upgrade", reason::UPGRADE_SUCCEEDED)
        } else {
            ("install", reason::INSTALL_SUCCEEDED)
        };
        let message = format!(
            "Helm {verb} succeeded for release {}/{}.v{} with chart {}@{}",
            deployed.namespace,
            deployed.name,
            deployed.version,
            deployed.chart.metadata.name,
            deployed.chart.metadata.version
        );
        set_condition(
            conditions,
            condition::RELEASED,
            Status::True,
            reason,
            &message,
            generation,
            now(),
        );
        (reason.to_string(), message)
    });
    meta::mark_ready(conditions, &reason, &message, generation, now());
}
