//! What every source reconcile ends in: a [`Failure`] with Flux's negative-polarity condition
//! and reason, or a stored artifact; and the conditions each leads to.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};

use crate::api::meta::{
    self, Artifact, Status, is_condition_true, remove_condition, set_condition,
};

pub mod condition {
    pub const ARTIFACT_IN_STORAGE: &str = "ArtifactInStorage";
    pub const ARTIFACT_OUTDATED: &str = "ArtifactOutdated";
    pub const FETCH_FAILED: &str = "FetchFailed";
    pub const BUILD_FAILED: &str = "BuildFailed";
    pub const SOURCE_VERIFIED: &str = "SourceVerified";
    pub const STORAGE_OPERATION_FAILED: &str = "StorageOperationFailed";
    pub const INCLUDE_UNAVAILABLE: &str = "IncludeUnavailable";
}

/// The reasons the source kinds share, as source-controller words them.
pub mod reason {
    pub const AUTHENTICATION_FAILED: &str = "AuthenticationFailed";
    pub const DIRECTORY_CREATION_FAILED: &str = "DirectoryCreationFailed";
    pub const ARCHIVE_OPERATION_FAILED: &str = "ArchiveOperationFailed";
    pub const VERIFICATION_ERROR: &str = "VerificationError";
    pub const NEW_ARTIFACT: &str = "NewArtifact";
    /// `ArtifactOutdated`: the remote moved past the stored artifact.
    pub const NEW_REVISION: &str = "NewRevision";
    pub const URL_INVALID: &str = "URLInvalid";
    pub const SOURCE_IGNORE_ERROR: &str = "SourceIgnoreError";
    /// Not a Flux reason: Flux's CRD patterns admit `0s`, which cannot be an interval.
    pub const INVALID_DURATION: &str = "InvalidDuration";
}

/// A failed reconcile: which negative-polarity condition it sets, and whether only the user
/// can fix it (Stalled, no retry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub condition: &'static str,
    pub reason: &'static str,
    pub message: String,
    pub stalled: bool,
}

impl Failure {
    /// A failure retried with backoff: `StorageOperationFailed` for the storage reasons,
    /// `FetchFailed` otherwise.
    pub fn retry(reason: &'static str, message: impl Into<String>) -> Failure {
        let condition = match reason {
            reason::ARCHIVE_OPERATION_FAILED | reason::DIRECTORY_CREATION_FAILED => {
                condition::STORAGE_OPERATION_FAILED
            }
            _ => condition::FETCH_FAILED,
        };
        Failure {
            condition,
            reason,
            message: message.into(),
            stalled: false,
        }
    }

    pub fn stalled(reason: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            stalled: true,
            ..Failure::retry(reason, message)
        }
    }

    /// The chart could not be built from what was fetched (`BuildFailed`).
    pub fn build(reason: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            condition: condition::BUILD_FAILED,
            ..Failure::retry(reason, message)
        }
    }

    /// An included repository is missing or has no artifact yet: retried.
    pub fn include(reason: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            condition: condition::INCLUDE_UNAVAILABLE,
            ..Failure::retry(reason, message)
        }
    }

    /// An include path that could leave the root: only the user can fix it.
    pub fn stalled_include(reason: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            stalled: true,
            ..Failure::include(reason, message)
        }
    }

    pub fn verification(message: impl Into<String>) -> Failure {
        Failure {
            condition: condition::SOURCE_VERIFIED,
            ..Failure::retry(reason::VERIFICATION_ERROR, message)
        }
    }

    /// The same failure, stalled.
    pub fn stalling(self) -> Failure {
        Failure {
            stalled: true,
            ..self
        }
    }
}

/// A successful reconcile of a kind storing one archive: the artifact to publish and
/// `status.url`.
#[derive(Debug, Clone)]
pub struct Progress {
    pub artifact: Artifact,
    pub url: Option<String>,
}

/// What one reconcile found: when the remote moved past the stored artifact, the
/// `ArtifactOutdated` message; and how it ended.
pub struct Attempt {
    pub outdated: Option<String>,
    pub result: Result<Progress, Failure>,
}

impl Attempt {
    pub fn failed(failure: Failure) -> Attempt {
        Attempt {
            outdated: None,
            result: Err(failure),
        }
    }
}

/// The reason of the `Normal` event after storing `new` (source-controller's `notify`):
/// `NewArtifact` when the stored file changed, `Succeeded` when the artifact is back after a
/// fetch or storage failure, none otherwise.
pub fn stored_event_reason(
    old_artifact: Option<&Artifact>,
    old_conditions: &[Condition],
    new: &Artifact,
) -> Option<&'static str> {
    if old_artifact.is_none_or(|a| a.digest != new.digest) {
        return Some(reason::NEW_ARTIFACT);
    }
    [condition::FETCH_FAILED, condition::STORAGE_OPERATION_FAILED]
        .iter()
        .any(|c| is_condition_true(old_conditions, c))
        .then_some(meta::reason::SUCCEEDED)
}

pub fn now() -> Time {
    Time(k8s_openapi::jiff::Timestamp::now())
}

/// The conditions of a stored (new or unchanged) artifact: the negative ones gone,
/// `ArtifactInStorage` and `Ready` true with the same reason and message.
pub fn mark_stored(
    conditions: &mut Vec<Condition>,
    reason: &str,
    message: &str,
    generation: Option<i64>,
) {
    for negative in [
        condition::FETCH_FAILED,
        condition::BUILD_FAILED,
        condition::STORAGE_OPERATION_FAILED,
        condition::ARTIFACT_OUTDATED,
        condition::INCLUDE_UNAVAILABLE,
    ] {
        remove_condition(conditions, negative);
    }
    set_condition(
        conditions,
        condition::ARTIFACT_IN_STORAGE,
        Status::True,
        reason,
        message,
        generation,
        now(),
    );
    meta::mark_ready(conditions, reason, message, generation, now());
}

/// The conditions of a failed attempt of a kind storing one archive: `ArtifactOutdated` with
/// `outdated` when the remote had moved past the kept artifact, then the failure's own.
pub fn mark_attempt_failed(
    conditions: &mut Vec<Condition>,
    outdated: Option<&str>,
    failure: &Failure,
    generation: Option<i64>,
) {
    if let Some(message) = outdated {
        set_condition(
            conditions,
            condition::ARTIFACT_OUTDATED,
            Status::True,
            reason::NEW_REVISION,
            message,
            generation,
            now(),
        );
    }
    mark_failed(conditions, failure, generation);
}

/// The conditions of a failed reconcile; a `FetchFailed` replaces a stale `BuildFailed` and
/// the other way round, as source-controller does.
pub fn mark_failed(conditions: &mut Vec<Condition>, failure: &Failure, generation: Option<i64>) {
    match failure.condition {
        condition::FETCH_FAILED => remove_condition(conditions, condition::BUILD_FAILED),
        condition::BUILD_FAILED => remove_condition(conditions, condition::FETCH_FAILED),
        _ => {}
    }
    let status = if failure.condition == condition::SOURCE_VERIFIED {
        Status::False
    } else {
        Status::True
    };
    set_condition(
        conditions,
        failure.condition,
        status,
        failure.reason,
        &failure.message,
        generation,
        now(),
    );
    if failure.stalled {
        meta::mark_stalled(
            conditions,
            failure.reason,
            &failure.message,
            generation,
            now(),
        );
    } else {
        meta::mark_failed_with_retry(
            conditions,
            failure.reason,
            &failure.message,
            generation,
            now(),
        );
    }
}
