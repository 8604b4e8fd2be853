//! The GitRepository status a reconcile outcome leads to, with Flux's condition types,
//! reasons and messages.

use super::fetch::{Checkout, FetchError};
use crate::api::meta::{self, Artifact, Status, remove_condition, set_condition};
use crate::api::source::{GitRepository, GitRepositoryStatus};
use crate::controllers::source::outcome::{mark_failed, mark_stored, now};
use crate::controllers::source::storage::{Storage, StoredFile};

pub use crate::controllers::source::outcome::{Failure, condition};

pub mod reason {
    pub use crate::controllers::source::outcome::reason::*;
    pub const GIT_OPERATION_FAILED: &str = "GitOperationFailed";
    /// IncludeUnavailable reasons, as source-controller words them.
    pub const NOT_FOUND: &str = "NotFound";
    pub const NO_ARTIFACT: &str = "NoArtifact";
    pub const COPY_FAILED: &str = "CopyFailure";
    pub const INVALID_INCLUDE: &str = "InvalidInclude";
}

impl From<FetchError> for Failure {
    fn from(err: FetchError) -> Failure {
        match (err.verification, err.permanent) {
            (true, _) => Failure::verification(err.message),
            (false, true) => Failure::stalled(err.reason, err.message),
            (false, false) => Failure::retry(err.reason, err.message),
        }
    }
}

/// A successful reconcile: the artifact to publish, and for a new one, the commit it holds.
#[derive(Debug, Clone)]
pub struct Progress {
    pub artifact: Artifact,
    /// The included repositories' artifacts it was built with, in `include` order.
    included: Vec<Artifact>,
    commit_message: Option<String>,
    verified: Option<String>,
}

impl Progress {
    pub fn unchanged(artifact: Artifact, included: Vec<Artifact>) -> Progress {
        Progress {
            artifact,
            included,
            commit_message: None,
            verified: None,
        }
    }

    pub fn new_artifact(
        storage: &Storage,
        stored: StoredFile,
        checkout: Checkout,
        included: Vec<Artifact>,
    ) -> Progress {
        Progress {
            included,
            artifact: Artifact {
                digest: stored.digest,
                last_update_time: now(),
                metadata: None,
                url: storage.url(&stored.path),
                path: stored.path,
                revision: checkout.revision,
                size: i64::try_from(stored.size).ok(),
            },
            commit_message: Some(checkout.message),
            verified: checkout.verified,
        }
    }

    /// The `NewArtifact` event text, as Flux words it; `None` when nothing new was stored.
    pub fn event_message(&self) -> Option<String> {
        let message = self.commit_message.as_deref()?;
        Some(format!(
            "stored artifact for commit '{}'",
            short_message(message)
        ))
    }
}

/// The first line of a commit message, cut at 50 characters as go-git's ShortMessage does.
fn short_message(message: &str) -> String {
    let line = message.lines().next().unwrap_or_default().trim();
    if line.chars().count() > 50 {
        format!("{}...", line.chars().take(50).collect::<String>())
    } else {
        line.to_string()
    }
}

/// Whether the included artifacts are the ones the current artifact was built with.
pub fn includes_unchanged(obj: &GitRepository, included: &[Artifact]) -> bool {
    let recorded = obj
        .status
        .as_ref()
        .and_then(|s| s.included_artifacts.as_deref())
        .unwrap_or_default();
    recorded.len() == included.len()
        && recorded
            .iter()
            .zip(included)
            .all(|(a, b)| a.revision == b.revision && a.digest == b.digest)
}

/// Whether every spec field that shapes the artifact still matches what built it.
pub fn artifact_settings_unchanged(obj: &GitRepository) -> bool {
    let Some(status) = &obj.status else {
        return false;
    };
    let spec = &obj.spec;
    status.observed_ignore == spec.ignore
        && status.observed_include == spec.include
        && status.observed_recurse_submodules.unwrap_or(false)
            == spec.recurse_submodules.unwrap_or(false)
        && status.observed_sparse_checkout.clone().unwrap_or_default()
            == spec.sparse_checkout.clone().unwrap_or_default()
        && status.source_verification_mode == verification_mode(obj)
}

fn verification_mode(obj: &GitRepository) -> Option<String> {
    use crate::api::source::GitVerificationMode as Mode;
    let verify = obj.spec.verify.as_ref()?;
    let mode = match verify.mode {
        None | Some(Mode::Head | Mode::HeadLegacy) => "HEAD",
        Some(Mode::Tag) => "Tag",
        Some(Mode::TagAndHEAD) => "TagAndHEAD",
    };
    Some(mode.to_string())
}

/// The status after this reconcile. Conditions whose status does not change keep their
/// transition time, so an unchanged outcome yields an identical status and no write.
pub fn next(
    obj: &GitRepository,
    old: &GitRepositoryStatus,
    progress: &Result<Progress, Failure>,
) -> GitRepositoryStatus {
    let generation = obj.metadata.generation;
    let mut status = old.clone();
    let mut conditions = old.conditions.clone().unwrap_or_default();
    status.last_handled_reconcile_at = meta::handled_reconcile_request(
        obj.metadata.annotations.as_ref(),
        old.last_handled_reconcile_at.clone(),
    );
    match progress {
        Ok(progress) => {
            let message = format!(
                "stored artifact for revision '{}'",
                progress.artifact.revision
            );
            mark_stored(
                &mut conditions,
                meta::reason::SUCCEEDED,
                &message,
                generation,
            );
            match (&obj.spec.verify, &progress.verified) {
                (Some(_), Some(verified)) => set_condition(
                    &mut conditions,
                    condition::SOURCE_VERIFIED,
                    Status::True,
                    meta::reason::SUCCEEDED,
                    verified,
                    generation,
                    now(),
                ),
                (Some(_), None) => {}
                (None, _) => remove_condition(&mut conditions, condition::SOURCE_VERIFIED),
            }
            status.artifact = Some(progress.artifact.clone());
            status.included_artifacts =
                (!progress.included.is_empty()).then(|| progress.included.clone());
            status.observed_generation = generation;
            status.observed_ignore = obj.spec.ignore.clone();
            status.observed_include = obj.spec.include.clone();
            status.observed_recurse_submodules = obj.spec.recurse_submodules.filter(|r| *r);
            status.observed_sparse_checkout =
                obj.spec.sparse_checkout.clone().filter(|s| !s.is_empty());
            status.source_verification_mode = verification_mode(obj);
        }
        Err(failure) => {
            mark_failed(&mut conditions, failure, generation);
            if failure.stalled {
                status.observed_generation = generation;
            }
        }
    }
    status.conditions = Some(conditions);
    status
}
