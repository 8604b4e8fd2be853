//! Archiving a fetched tree into the store as GitRepository, OCIRepository and Bucket do
//! (Flux's `reconcileArtifact`), and publishing the stored file as the object's artifact.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::outcome::{Failure, Progress, now, reason};
use super::storage::{Storage, StoredFile};
use crate::api::meta::Artifact;

/// Archives `root` into `<dir>/<file_name>` with the GitRepository and OCIRepository rules:
/// the `.sourceignore` files found under the root, then `spec.ignore`, through Flux's
/// `SourceIgnoreFilter`.
pub async fn archive_with_ignore_rules(
    storage: Arc<Storage>,
    dir: String,
    file_name: String,
    root: PathBuf,
    spec_ignore: Option<String>,
) -> Result<StoredFile, Failure> {
    archive(storage, dir, file_name, root, move |root| {
        // The GitRepository rules are the OCIRepository rules: Flux loads both the same way.
        artifact::Filter::for_git_repository(root, spec_ignore.as_deref()).map_err(|e| {
            Failure::retry(
                reason::SOURCE_IGNORE_ERROR,
                format!("failed to load source ignore patterns from repository: {e}"),
            )
        })
    })
    .await
}

/// Archives `root` whole into `<dir>/<file_name>`: what was fetched is already filtered.
pub async fn archive_all(
    storage: Arc<Storage>,
    dir: String,
    file_name: String,
    root: PathBuf,
) -> Result<StoredFile, Failure> {
    archive(storage, dir, file_name, root, |_| {
        Ok(artifact::Filter::none())
    })
    .await
}

/// Archives `root` into `<dir>/<file_name>` off the async runtime, with the filter `filter`
/// loads from the root.
async fn archive(
    storage: Arc<Storage>,
    dir: String,
    file_name: String,
    root: PathBuf,
    filter: impl FnOnce(&std::path::Path) -> Result<artifact::Filter, Failure> + Send + 'static,
) -> Result<StoredFile, Failure> {
    tokio::task::spawn_blocking(move || {
        let filter = filter(&root)?;
        storage
            .archive(&dir, &file_name, &root, &filter)
            .map_err(|e| {
                Failure::retry(
                    reason::ARCHIVE_OPERATION_FAILED,
                    format!("unable to archive artifact to storage: {e}"),
                )
            })
    })
    .await
    .unwrap_or_else(|e| {
        Err(Failure::retry(
            reason::ARCHIVE_OPERATION_FAILED,
            format!("archiving aborted: {e}"),
        ))
    })
}

/// Publishes a stored file as the object's artifact; `latest.tar.gz` links to it on a best
/// effort basis, as in Flux: the artifact itself is published either way.
pub fn publish(
    storage: &Storage,
    stored: StoredFile,
    revision: String,
    metadata: Option<BTreeMap<String, String>>,
) -> Progress {
    let url = storage
        .symlink(&stored.path, "latest.tar.gz")
        .inspect_err(|e| tracing::warn!(error = %e, "failed to update status URL symlink"))
        .ok();
    Progress {
        artifact: Artifact {
            digest: stored.digest,
            last_update_time: now(),
            metadata,
            url: storage.url(&stored.path),
            path: stored.path,
            revision,
            size: i64::try_from(stored.size).ok(),
        },
        url,
    }
}
