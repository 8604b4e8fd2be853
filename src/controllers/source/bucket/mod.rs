//! The Bucket reconciler (Flux's `bucket_controller.go`, for S3-compatible storage): list the
//! bucket under `spec.prefix` into an index of object keys and ETags, filtered by the root
//! `.sourceignore` object and `spec.ignore`; the index digest is the revision. Only when it
//! differs from the stored artifact's are the objects fetched (in parallel, streamed to disk,
//! under a byte cap) and archived. A failed fetch keeps the last artifact.

mod connect;
mod index;
mod status;

use std::sync::Arc;
use std::time::{Duration, Instant};

use kube::runtime::controller::Action;

use super::SourceContext;
use super::archive::{archive_all, publish};
use super::outcome::{Attempt, Failure, Progress, reason as shared};
use super::reconciler::{self, Published};
use crate::api::source::{Bucket, BucketStatus};
use index::EtagIndex;

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

reconciler::impl_source_kind!(Bucket, BucketStatus, "bucket");

pub async fn run(ctx: Arc<SourceContext>) -> anyhow::Result<()> {
    reconciler::run::<Bucket, _, _>(ctx, apply).await
}

/// One converging pass. Every outcome, failures included, is written to the status; the
/// returned action says when to come back.
async fn apply(obj: Arc<Bucket>, ctx: Arc<SourceContext>, started: Instant) -> Action {
    let (interval, (attempt, files)) = match reconciler::interval_and_timeout(
        &obj.spec.interval,
        obj.spec.timeout.as_deref(),
        DEFAULT_TIMEOUT,
    ) {
        Ok((interval, timeout)) => (Some(interval), converge(&obj, &ctx, timeout).await),
        Err(failure) => (None, (Attempt::failed(failure), 0)),
    };
    let new = status::next(&obj, &attempt);
    let outcome = match &attempt.result {
        Ok(progress) => Ok(Published {
            artifact: &progress.artifact,
            event: status::event(&obj, progress, files),
        }),
        Err(failure) => Err(failure),
    };
    reconciler::finish(obj.as_ref(), &ctx, &new, outcome, interval, started).await
}

/// Indexes the bucket; fetches and stores only when the index digest moved past the stored
/// artifact. Returns the attempt and the number of objects indexed.
async fn converge(obj: &Bucket, ctx: &SourceContext, timeout: Duration) -> (Attempt, usize) {
    let client = match connect::connect(obj, ctx, timeout).await {
        Ok(client) => client,
        Err(failure) => return (Attempt::failed(failure), 0),
    };
    let workdir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(e) => {
            let failure = Failure::retry(
                shared::DIRECTORY_CREATION_FAILED,
                format!("failed to create temporary working directory: {e}"),
            );
            return (Attempt::failed(failure), 0);
        }
    };
    // Each phase gets spec.timeout, as Flux gives each its own context deadline.
    let timed_out = |phase: &str| {
        Failure::retry(
            index::reason::BUCKET_OPERATION_FAILED,
            format!(
                "{phase} of bucket '{}' timed out after {timeout:?} (spec.timeout)",
                obj.spec.bucket_name
            ),
        )
    };
    let mut index =
        match tokio::time::timeout(timeout, index::fetch_index(&client, obj, workdir.path())).await
        {
            Ok(Ok(index)) => index,
            Ok(Err(failure)) => return (Attempt::failed(failure), 0),
            Err(_) => return (Attempt::failed(timed_out("indexation")), 0),
        };
    let revision = index.revision();
    let current = obj
        .status
        .as_ref()
        .and_then(|s| s.artifact.clone())
        .filter(|a| ctx.storage.exists(&a.path));
    if let Some(artifact) = current.as_ref().filter(|a| a.revision == revision) {
        tracing::debug!(%revision, "artifact up-to-date with remote revision");
        let progress = Progress {
            artifact: artifact.clone(),
            url: obj.status.as_ref().and_then(|s| s.url.clone()),
        };
        return (
            Attempt {
                outdated: None,
                result: Ok(progress),
            },
            index.len(),
        );
    }
    let outdated = current.map(|_| format!("new upstream revision '{revision}'"));
    let fetched = match tokio::time::timeout(
        timeout,
        index::fetch_objects(&client, obj, &mut index, workdir.path()),
    )
    .await
    {
        Ok(fetched) => fetched,
        Err(_) => Err(timed_out("fetch")),
    };
    let result = match fetched {
        Ok(()) => store(obj, ctx, &index, workdir.path()).await,
        Err(failure) => Err(failure),
    };
    (Attempt { outdated, result }, index.len())
}

/// Archives the fetched objects as `<index digest hex>.tar.gz` (objects that vanished or
/// changed while fetching are already reflected in the index).
async fn store(
    obj: &Bucket,
    ctx: &SourceContext,
    index: &EtagIndex,
    root: &std::path::Path,
) -> Result<Progress, Failure> {
    let revision = index.revision();
    let hex = revision.trim_start_matches("sha256:");
    let stored = archive_all(
        ctx.storage.clone(),
        reconciler::object_dir(obj),
        format!("{hex}.tar.gz"),
        root.to_path_buf(),
    )
    .await?;
    Ok(publish(&ctx.storage, stored, revision, None))
}
