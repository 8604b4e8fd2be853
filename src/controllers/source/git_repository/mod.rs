//! The GitRepository reconciler: fetch (or, when the remote head is unchanged, only
//! ls-remote), verify, include, archive, and publish the artifact in the status.

mod fetch;
mod include;
mod status;

use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::Controller;
use kube::runtime::controller::Action;
use kube::runtime::finalizer::{Event, finalizer};
use kube::{Resource, ResourceExt};
use tracing::Instrument;

use super::SourceContext;
use super::storage::Storage;
use crate::api::duration;
use crate::api::meta::{self, Artifact, FINALIZER};
use crate::api::source::{GitRepository, GitRepositoryStatus};
use crate::controllers::runtime::backoff::WatchBackoff;
use crate::controllers::runtime::{InFlight, Outcome};
use status::{Failure, Progress};

/// The metrics label and the status field manager of this reconciler.
const NAME: &str = "gitrepository";
const FIELD_MANAGER: &str = "source-controller";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("finalizer: {0}")]
    Finalizer(#[source] Box<kube::runtime::finalizer::Error<Error>>),
    #[error("{0}")]
    Kube(#[from] kube::Error),
    #[error("{0}")]
    Storage(#[from] super::storage::StorageError),
}

pub async fn run(ctx: Arc<SourceContext>) -> anyhow::Result<()> {
    let rt = &ctx.rt;
    rt.metrics.controller_started(NAME, rt.options.concurrent);
    let controller = Controller::new(rt.api::<GitRepository>(), rt.watcher_config())
        .with_config(rt.controller_config())
        .trigger_backoff(WatchBackoff::default())
        .graceful_shutdown_on(rt.shutdown.wait())
        .run(reconcile, error_policy, ctx.clone());
    crate::controllers::runtime::drive(NAME, controller, &ctx.in_flight, &rt.shutdown).await;
    Ok(())
}

async fn reconcile(obj: Arc<GitRepository>, ctx: Arc<SourceContext>) -> Result<Action, Error> {
    let _in_flight = InFlight::enter(&ctx.in_flight);
    let started = Instant::now();
    let ns = obj.namespace().unwrap_or_default();
    // A span, not an entered guard: the reconcile awaits, and other tasks run meanwhile.
    let span = tracing::info_span!("reconcile", controller = NAME, kind = "GitRepository", name = %obj.name_any(), namespace = %ns);
    let api: Api<GitRepository> = Api::namespaced(ctx.rt.client.clone(), &ns);
    finalizer(&api, FINALIZER, obj.clone(), |event| async {
        match event {
            Event::Apply(obj) => Ok(apply(obj, &ctx, started).await),
            Event::Cleanup(obj) => cleanup(obj, &ctx).await,
        }
    })
    .instrument(span)
    .await
    .map_err(|e| {
        ctx.rt
            .metrics
            .reconciled(NAME, obj.as_ref(), Outcome::Error, started.elapsed());
        Error::Finalizer(Box::new(e))
    })
}

fn error_policy(obj: Arc<GitRepository>, err: &Error, ctx: Arc<SourceContext>) -> Action {
    tracing::warn!(name = %obj.name_any(), error = %err, "reconcile failed");
    ctx.rt.requeue.failure(obj.as_ref())
}

/// Removes the object's artifacts; the finalizer is then released.
async fn cleanup(obj: Arc<GitRepository>, ctx: &SourceContext) -> Result<Action, Error> {
    let dir = Storage::object_dir(
        "GitRepository",
        &obj.namespace().unwrap_or_default(),
        &obj.name_any(),
    );
    ctx.storage.remove_all(&dir)?;
    ctx.rt.requeue.forget(obj.as_ref());
    ctx.rt.metrics.forget(obj.as_ref());
    Ok(Action::await_change())
}

/// One converging pass. Every outcome, failures included, is written to the status; the
/// returned action says when to come back.
async fn apply(obj: Arc<GitRepository>, ctx: &SourceContext, started: Instant) -> Action {
    // Marks when work on a request began (benches/webhook_latency.rs reads it).
    let request = crate::api::meta::pending_reconcile_request(
        obj.metadata.annotations.as_ref(),
        obj.status
            .as_ref()
            .and_then(|s| s.last_handled_reconcile_at.as_deref()),
    );
    tracing::debug!(request, "reconcile started");
    if obj.spec.suspend == Some(true) {
        tracing::info!("reconciliation is suspended for this object");
        return Action::await_change();
    }
    let interval = match duration::parse_positive(&obj.spec.interval) {
        Ok(interval) => interval,
        Err(err) => {
            let failure = Failure::stalled(
                status::reason::INVALID_DURATION,
                format!("spec.interval: {err}"),
            );
            return finish(&obj, ctx, Err(failure), None, started).await;
        }
    };
    let timeout = match obj
        .spec
        .timeout
        .as_deref()
        .map(duration::parse_positive)
        .transpose()
    {
        Ok(timeout) => timeout.unwrap_or(DEFAULT_TIMEOUT),
        Err(err) => {
            let failure = Failure::stalled(
                status::reason::INVALID_DURATION,
                format!("spec.timeout: {err}"),
            );
            return finish(&obj, ctx, Err(failure), None, started).await;
        }
    };
    let progress = converge(&obj, ctx, timeout).await;
    finish(&obj, ctx, progress, Some(interval), started).await
}

/// Fetches and archives when needed; returns what happened for the status.
async fn converge(
    obj: &GitRepository,
    ctx: &SourceContext,
    timeout: Duration,
) -> Result<Progress, Failure> {
    let ns = obj.namespace().unwrap_or_default();
    let dir = Storage::object_dir("GitRepository", &ns, &obj.name_any());
    let current = obj
        .status
        .as_ref()
        .and_then(|s| s.artifact.clone())
        .filter(|a| ctx.storage.exists(&a.path));

    let secrets: Api<Secret> = Api::namespaced(ctx.rt.client.clone(), &ns);
    let read_secret = |name: String, field: &'static str| {
        let secrets = secrets.clone();
        let ns = ns.clone();
        async move {
            secrets.get(&name).await.map_err(|e| {
                Failure::retry(
                    status::reason::AUTHENTICATION_FAILED,
                    format!(
                        "{field}: failed to get secret '{ns}/{name}': {}",
                        kube_message(&e)
                    ),
                )
            })
        }
    };
    let mut auth = match &obj.spec.secret_ref {
        Some(secret) => {
            let secret = read_secret(secret.name.clone(), "spec.secretRef").await?;
            fetch::auth_from_secret(&secret, &obj.spec.url).map_err(|message| {
                Failure::stalled(status::reason::AUTHENTICATION_FAILED, message)
            })?
        }
        None => gitsource::Auth::default(),
    };
    if let Some(proxy) = &obj.spec.proxy_secret_ref {
        let secret = read_secret(proxy.name.clone(), "spec.proxySecretRef").await?;
        auth.proxy =
            Some(fetch::proxy_from_secret(&secret).map_err(|message| {
                Failure::stalled(status::reason::AUTHENTICATION_FAILED, message)
            })?);
    }
    let verify = match &obj.spec.verify {
        Some(verify) => {
            let secret =
                read_secret(verify.secret_ref.name.clone(), "spec.verify.secretRef").await?;
            let mode = verify
                .mode
                .unwrap_or(crate::api::source::GitVerificationMode::Head);
            Some((mode, fetch::keyrings_from_secret(&secret)))
        }
        None => None,
    };
    let request = Arc::new(
        fetch::Request::new(obj, auth, verify, timeout)
            .map_err(|message| Failure::stalled(meta::reason::INVALID_URL, message))?,
    );

    let repos: Api<GitRepository> = Api::namespaced(ctx.rt.client.clone(), &ns);
    let includes = include::resolve(
        &repos,
        &ctx.storage,
        obj.spec.include.as_deref().unwrap_or_default(),
    )
    .await?;
    let included: Vec<Artifact> = includes.iter().map(|i| i.artifact.clone()).collect();
    let unchanged = |artifact: &Artifact| Progress::unchanged(artifact.clone(), included.clone());
    let settings_unchanged =
        status::artifact_settings_unchanged(obj) && status::includes_unchanged(obj, &included);

    // The no-op path: one ls-remote, no clone and no disk writes, when the remote head and
    // everything else that shapes the artifact are unchanged.
    if let Some(artifact) = &current
        && settings_unchanged
    {
        let head = fetch::ls_remote(request.clone())
            .await
            .map_err(Failure::from)?;
        if head == artifact.revision {
            return Ok(unchanged(artifact));
        }
    }

    let workdir = tempfile::tempdir().map_err(|e| {
        Failure::retry(
            status::reason::DIRECTORY_CREATION_FAILED,
            format!("creating a temporary directory: {e}"),
        )
    })?;
    let checkout = fetch::checkout(request.clone(), workdir.path().to_path_buf())
        .await
        .map_err(Failure::from)?;

    if let Some(artifact) = &current
        && artifact.revision == checkout.revision
        && settings_unchanged
    {
        return Ok(unchanged(artifact));
    }

    if !includes.is_empty() {
        let storage = ctx.storage.clone();
        let root = workdir.path().to_path_buf();
        let includes = includes.clone();
        tokio::task::spawn_blocking(move || include::copy_all(&storage, &root, &includes))
            .await
            .map_err(|e| {
                Failure::include(
                    status::reason::COPY_FAILED,
                    format!("copying includes: {e}"),
                )
            })??;
    }

    let filter = artifact::Filter::for_git_repository(workdir.path(), obj.spec.ignore.as_deref())
        .map_err(|e| {
        Failure::retry(
            status::reason::SOURCE_IGNORE_ERROR,
            format!("loading ignore rules: {e}"),
        )
    })?;
    let storage = ctx.storage.clone();
    let file_name = format!("{}.tar.gz", checkout.sha);
    let root = workdir.path().to_path_buf();
    let dir_for_task = dir.clone();
    let stored = tokio::task::spawn_blocking(move || {
        storage.archive(&dir_for_task, &file_name, &root, &filter)
    })
    .await
    .map_err(|e| {
        Failure::retry(
            status::reason::ARCHIVE_OPERATION_FAILED,
            format!("archiving: {e}"),
        )
    })?
    .map_err(|e| {
        Failure::retry(
            status::reason::ARCHIVE_OPERATION_FAILED,
            format!("unable to archive artifact to storage: {e}"),
        )
    })?;
    Ok(Progress::new_artifact(
        &ctx.storage,
        stored,
        checkout,
        included,
    ))
}

/// Writes the status for `progress`, records events and garbage-collects; decides the requeue.
async fn finish(
    obj: &GitRepository,
    ctx: &SourceContext,
    progress: Result<Progress, Failure>,
    interval: Option<Duration>,
    started: Instant,
) -> Action {
    let (action, outcome) = record(obj, ctx, progress, interval).await;
    ctx.rt
        .metrics
        .reconciled(NAME, obj, outcome, started.elapsed());
    action
}

async fn record(
    obj: &GitRepository,
    ctx: &SourceContext,
    progress: Result<Progress, Failure>,
    interval: Option<Duration>,
) -> (Action, Outcome) {
    let ns = obj.namespace().unwrap_or_default();
    let old = obj.status.clone().unwrap_or_default();
    let new = status::next(obj, &old, &progress);
    if new != old
        && let Err(err) = patch_status(ctx, &ns, &obj.name_any(), &new).await
    {
        tracing::warn!(error = %err, "failed to update the status");
        return (ctx.rt.requeue.failure(obj), Outcome::Error);
    }
    for (type_, value) in status::condition_values(&new) {
        ctx.rt.metrics.condition(obj, type_, value);
    }
    match progress {
        Ok(progress) => {
            if let Some(message) = progress.event_message() {
                ctx.recorder
                    .normal_revision(
                        obj,
                        status::reason::NEW_ARTIFACT,
                        &message,
                        &progress.artifact.revision,
                    )
                    .await;
                tracing::info!(revision = %progress.artifact.revision, "{message}");
            }
            let dir = Storage::object_dir("GitRepository", &ns, &obj.name_any());
            let options = &ctx.rt.options.source;
            match ctx.storage.garbage_collect(
                &dir,
                &progress.artifact.path,
                options.artifact_retention_records,
                options.artifact_retention_ttl,
            ) {
                Ok(deleted) if !deleted.is_empty() => {
                    tracing::info!(deleted = deleted.len(), "garbage collected old artifacts");
                }
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "garbage collection failed"),
            }
            let interval = interval.expect("success implies a valid interval");
            (ctx.rt.requeue.success(obj, interval), Outcome::RequeueAfter)
        }
        Err(failure) => {
            ctx.recorder
                .warning(obj, failure.reason, &failure.message)
                .await;
            tracing::error!(reason = failure.reason, "{}", failure.message);
            if failure.stalled {
                ctx.rt.requeue.forget(obj);
                (Action::await_change(), Outcome::Terminal)
            } else {
                (ctx.rt.requeue.failure(obj), Outcome::Error)
            }
        }
    }
}

async fn patch_status(
    ctx: &SourceContext,
    ns: &str,
    name: &str,
    status: &GitRepositoryStatus,
) -> kube::Result<()> {
    let api: Api<GitRepository> = Api::namespaced(ctx.rt.client.clone(), ns);
    let patch = serde_json::json!({
        "apiVersion": GitRepository::api_version(&()),
        "kind": GitRepository::kind(&()),
        "status": status,
    });
    api.patch_status(
        name,
        &PatchParams::apply(FIELD_MANAGER).force(),
        &Patch::Apply(&patch),
    )
    .await
    .map(|_| ())
}

/// The API server's message without the transport noise.
fn kube_message(err: &kube::Error) -> String {
    match err {
        kube::Error::Api(status) => status.message.clone(),
        other => other.to_string(),
    }
}
