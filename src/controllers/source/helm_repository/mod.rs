//! The HelmRepository reconciler. `type: default`: fetch `index.yaml`, and when its digest
//! (the revision) changed, store the parsed, sorted index as JSON (`index-<hex>.yaml`, as
//! source-controller does) with an `index.yaml` link for `status.url`. `type: oci`
//! repositories are static: nothing to fetch, no status, no finalizer.

use std::sync::Arc;
use std::time::{Duration, Instant};

use kube::ResourceExt;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::Controller;
use kube::runtime::controller::Action;

use super::SourceContext;
use super::chart_repository::{ChartRepository, human_size};
use super::outcome::{Failure, mark_failed, mark_stored, now};
use super::reconciler::{self, Published, SourceKind};
use crate::api::meta::{self, Artifact, FINALIZER};
use crate::api::source::{HelmRepository, HelmRepositoryStatus, HelmRepositoryType};
use crate::controllers::runtime::backoff::WatchBackoff;

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Flux's default `spec.interval` for HelmRepositories.
const DEFAULT_INTERVAL: &str = "1m";

mod reason {
    pub const INDEXATION_FAILED: &str = "IndexationFailed";
}

reconciler::impl_source_kind!(HelmRepository, HelmRepositoryStatus, "helmrepository");

pub async fn run(ctx: Arc<SourceContext>) -> anyhow::Result<()> {
    let rt = &ctx.rt;
    rt.metrics
        .controller_started(HelmRepository::NAME, rt.options.concurrent);
    let (store, objects) = crate::controllers::runtime::primary::watch(
        rt.api::<HelmRepository>(),
        rt.watcher_config(),
    );
    let controller = Controller::for_stream(objects, store)
        .with_config(rt.controller_config())
        .trigger_backoff(WatchBackoff::default())
        .graceful_shutdown_on(rt.shutdown.wait())
        .run(reconcile, reconciler::error_policy, ctx.clone());
    crate::controllers::runtime::drive(
        HelmRepository::NAME,
        controller,
        &ctx.in_flight,
        &rt.shutdown,
    )
    .await;
    Ok(())
}

fn is_oci(obj: &HelmRepository) -> bool {
    obj.spec.r#type == Some(HelmRepositoryType::Oci)
}

async fn reconcile(
    obj: Arc<HelmRepository>,
    ctx: Arc<SourceContext>,
) -> Result<Action, reconciler::Error> {
    if is_oci(&obj) {
        return make_static(&obj, &ctx).await;
    }
    reconciler::reconcile(obj, ctx, apply).await
}

/// An OCI repository is a data container: a repository that was `type: default` before
/// loses its artifacts, status and finalizer.
async fn make_static(
    obj: &HelmRepository,
    ctx: &SourceContext,
) -> Result<Action, reconciler::Error> {
    let finalizers = obj.finalizers();
    if !finalizers.iter().any(|f| f == FINALIZER) {
        return Ok(Action::await_change());
    }
    reconciler::cleanup(obj, ctx)?;
    let api: Api<HelmRepository> =
        Api::namespaced(ctx.rt.client.clone(), &obj.namespace().unwrap_or_default());
    if obj.status.is_some() {
        let clear = serde_json::json!({"status": null});
        api.patch_status(
            &obj.name_any(),
            &PatchParams::default(),
            &Patch::Merge(&clear),
        )
        .await?;
    }
    let kept: Vec<&String> = finalizers.iter().filter(|f| *f != FINALIZER).collect();
    let patch = serde_json::json!({
        "metadata": {"finalizers": kept, "resourceVersion": obj.resource_version()}
    });
    api.patch(
        &obj.name_any(),
        &PatchParams::default(),
        &Patch::Merge(&patch),
    )
    .await?;
    Ok(Action::await_change())
}

/// What a successful pass publishes.
struct Progress {
    artifact: Artifact,
    /// `status.url`: the `index.yaml` link.
    url: Option<String>,
    /// The `NewArtifact` event message, for a new index only.
    event: Option<String>,
}

async fn apply(obj: Arc<HelmRepository>, ctx: Arc<SourceContext>, started: Instant) -> Action {
    let interval = obj.spec.interval.as_deref().unwrap_or(DEFAULT_INTERVAL);
    let (interval, progress) = match reconciler::interval_and_timeout(
        interval,
        obj.spec.timeout.as_deref(),
        DEFAULT_TIMEOUT,
    ) {
        Ok((interval, timeout)) => (Some(interval), converge(&obj, &ctx, timeout).await),
        Err(failure) => (None, Err(failure)),
    };
    let new = next_status(&obj, &progress);
    let outcome = match &progress {
        Ok(progress) => Ok(Published {
            artifact: &progress.artifact,
            event: progress
                .event
                .clone()
                .map(|message| (super::outcome::reason::NEW_ARTIFACT, message)),
        }),
        Err(failure) => Err(failure),
    };
    reconciler::finish(obj.as_ref(), &ctx, &new, outcome, interval, started).await
}

async fn converge(
    obj: &HelmRepository,
    ctx: &SourceContext,
    timeout: Duration,
) -> Result<Progress, Failure> {
    let repo = ChartRepository::for_repository(obj, &ctx.rt.client, timeout).await?;
    let index_url = repo.index_url();
    let bytes = repo
        .get(&index_url, helm::repo::MAX_INDEX_SIZE, "index")
        .await
        .map_err(|e| {
            Failure::retry(
                meta::reason::FAILED,
                format!("failed to fetch Helm repository index: {e}"),
            )
        })?;
    let digest = artifact::Digest::of_reader(artifact::Algorithm::Sha256, &bytes[..])
        .expect("hashing memory cannot fail")
        .0;
    let revision = digest.to_string();
    let current = obj
        .status
        .as_ref()
        .and_then(|s| s.artifact.clone())
        .filter(|a| ctx.storage.exists(&a.path));
    if let Some(artifact) = current
        && artifact.revision == revision
    {
        return Ok(Progress {
            url: obj.status.as_ref().and_then(|s| s.url.clone()),
            artifact,
            event: None,
        });
    }

    let (index, json) = tokio::task::spawn_blocking(move || {
        let index = helm::repo::IndexFile::from_bytes(&bytes)?;
        let json = index.to_json_pretty()?;
        Ok::<_, helm::Error>((index, json))
    })
    .await
    .expect("index parsing does not panic")
    .map_err(|e| {
        Failure::retry(
            reason::INDEXATION_FAILED,
            format!("failed to load Helm repository from index YAML: {e}"),
        )
    })?;
    let dir = reconciler::object_dir(obj);
    let file_name = format!("index-{}.yaml", digest.hex());
    let storage = ctx.storage.clone();
    let stored = tokio::task::spawn_blocking(move || {
        let stored = storage.store(&dir, &file_name, &json[..])?;
        let url = storage.symlink(&stored.path, "index.yaml").ok();
        Ok::<_, super::storage::StorageError>((stored, url))
    })
    .await
    .expect("storing does not panic");
    let (stored, url) = stored.map_err(|e| {
        Failure::retry(
            super::outcome::reason::ARCHIVE_OPERATION_FAILED,
            format!("unable to save artifact to storage: {e}"),
        )
    })?;
    ctx.indexes.insert(&stored.path, Arc::new(index));
    let size = stored.size;
    Ok(Progress {
        artifact: Artifact {
            digest: stored.digest,
            last_update_time: now(),
            metadata: None,
            url: ctx.storage.url(&stored.path),
            path: stored.path,
            revision,
            size: i64::try_from(size).ok(),
        },
        url,
        event: Some(format!(
            "fetched index of size {} from '{}'",
            human_size(size),
            repo.url()
        )),
    })
}

fn next_status(obj: &HelmRepository, progress: &Result<Progress, Failure>) -> HelmRepositoryStatus {
    let generation = obj.metadata.generation;
    let old = obj.status.clone().unwrap_or_default();
    let mut status = old.clone();
    let mut conditions = old.conditions.unwrap_or_default();
    status.last_handled_reconcile_at = meta::handled_reconcile_request(
        obj.metadata.annotations.as_ref(),
        old.last_handled_reconcile_at,
    );
    match progress {
        Ok(progress) => {
            let message = format!("stored artifact: revision '{}'", progress.artifact.revision);
            mark_stored(
                &mut conditions,
                meta::reason::SUCCEEDED,
                &message,
                generation,
            );
            status.artifact = Some(progress.artifact.clone());
            status.url = progress.url.clone().or(status.url);
            status.observed_generation = generation;
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
