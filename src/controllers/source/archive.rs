//! Archiving a fetched tree into the store as GitRepository and OCIRepository do (Flux's
//! `reconcileArtifact` of both): the `.sourceignore` files found under the root, then
//! `spec.ignore`, through Flux's `SourceIgnoreFilter`.

use std::path::PathBuf;
use std::sync::Arc;

use super::outcome::{Failure, reason};
use super::storage::{Storage, StoredFile};

/// Archives `root` into `<dir>/<file_name>` off the async runtime.
pub async fn archive_with_ignore_rules(
    storage: Arc<Storage>,
    dir: String,
    file_name: String,
    root: PathBuf,
    spec_ignore: Option<String>,
) -> Result<StoredFile, Failure> {
    tokio::task::spawn_blocking(move || {
        // The GitRepository rules are the OCIRepository rules: Flux loads both the same way.
        let filter =
            artifact::Filter::for_git_repository(&root, spec_ignore.as_deref()).map_err(|e| {
                Failure::retry(
                    reason::SOURCE_IGNORE_ERROR,
                    format!("failed to load source ignore patterns from repository: {e}"),
                )
            })?;
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
