//! The reconcile skeleton every source kind shares: the finalizer, suspend, the status
//! write, events, garbage collection of older artifacts and the requeue decision. Each kind
//! supplies its converging pass and how its status follows from the outcome.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::Controller;
use kube::runtime::controller::Action;
use kube::runtime::finalizer::{Event, finalizer};
use kube::{Resource, ResourceExt};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use super::SourceContext;
use super::outcome::Failure;
use super::outcome::reason::INVALID_DURATION;
use super::storage::Storage;
use crate::api::meta::{self, Artifact, FINALIZER, condition_type};
use crate::controllers::runtime::backoff::WatchBackoff;
use crate::controllers::runtime::{InFlight, Outcome};

/// The status field manager of the source reconcilers.
const FIELD_MANAGER: &str = "source-controller";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("finalizer: {0}")]
    Finalizer(#[source] Box<kube::runtime::finalizer::Error<Error>>),
    #[error("{0}")]
    Kube(#[from] kube::Error),
    #[error("{0}")]
    Storage(#[from] super::storage::StorageError),
}

/// A source kind as the shared skeleton sees it.
pub trait SourceKind:
    Resource<DynamicType = (), Scope = NamespaceResourceScope>
    + Clone
    + Debug
    + Serialize
    + DeserializeOwned
    + Send
    + Sync
    + 'static
{
    /// The metrics label (`gitrepository`, `helmchart`, …).
    const NAME: &'static str;
    type Status: Serialize + Clone + PartialEq + Default + Send + Sync;

    fn status(&self) -> Option<&Self::Status>;
    fn conditions(status: &Self::Status) -> &[Condition];
    fn suspended(&self) -> bool;
    fn last_handled_reconcile_at(&self) -> Option<&str>;
}

/// Implements [`SourceKind`] for a source kind whose spec has `suspend` and whose status has
/// `conditions` and `lastHandledReconcileAt`, as every Flux source kind's does.
macro_rules! impl_source_kind {
    ($kind:ty, $status:ty, $name:literal) => {
        impl $crate::controllers::source::reconciler::SourceKind for $kind {
            const NAME: &'static str = $name;
            type Status = $status;

            fn status(&self) -> Option<&$status> {
                self.status.as_ref()
            }
            fn conditions(
                status: &$status,
            ) -> &[k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition] {
                status.conditions.as_deref().unwrap_or_default()
            }
            fn suspended(&self) -> bool {
                self.spec.suspend == Some(true)
            }
            fn last_handled_reconcile_at(&self) -> Option<&str> {
                self.status.as_ref()?.last_handled_reconcile_at.as_deref()
            }
        }
    };
}
pub(crate) use impl_source_kind;

/// A successful pass: the artifact now published, and the event to record when it is new.
pub struct Published<'a> {
    pub artifact: &'a Artifact,
    /// (reason, message) of the `Normal` event for a new artifact.
    pub event: Option<(&'static str, String)>,
}

/// Runs the controller of a source kind that needs nothing watched but its own objects:
/// each reconcile goes through [`reconcile`] with `apply`; returns at shutdown.
pub async fn run<K, F, Fut>(ctx: Arc<SourceContext>, apply: F) -> anyhow::Result<()>
where
    K: SourceKind,
    F: Fn(Arc<K>, Arc<SourceContext>, Instant) -> Fut + Send + Sync + Copy + 'static,
    Fut: Future<Output = Action> + Send + 'static,
{
    let rt = &ctx.rt;
    rt.metrics
        .controller_started(K::NAME, rt.options.concurrent);
    let (store, objects) =
        crate::controllers::runtime::primary::watch(rt.api::<K>(), rt.watcher_config());
    let controller = Controller::for_stream(objects, store)
        .with_config(rt.controller_config())
        .trigger_backoff(WatchBackoff::default())
        .graceful_shutdown_on(rt.shutdown.wait())
        .run(
            move |obj, ctx| reconcile(obj, ctx, apply),
            error_policy,
            ctx.clone(),
        );
    crate::controllers::runtime::drive(K::NAME, controller, &ctx.in_flight, &rt.shutdown).await;
    Ok(())
}

/// Runs one reconcile of `obj` under the source finalizer: `apply` converges and returns the
/// action; deletion removes the object's artifacts.
pub async fn reconcile<K, F, Fut>(
    obj: Arc<K>,
    ctx: Arc<SourceContext>,
    apply: F,
) -> Result<Action, Error>
where
    K: SourceKind,
    F: FnOnce(Arc<K>, Arc<SourceContext>, Instant) -> Fut,
    Fut: Future<Output = Action>,
{
    let _in_flight = InFlight::enter(&ctx.in_flight);
    let started = Instant::now();
    let ns = obj.namespace().unwrap_or_default();
    let kind = K::kind(&());
    // A span, not an entered guard: the reconcile awaits, and other tasks run meanwhile.
    let span = tracing::info_span!("reconcile", controller = K::NAME, kind = %kind, name = %obj.name_any(), namespace = %ns);
    let api: Api<K> = Api::namespaced(ctx.rt.client.clone(), &ns);
    let obj = ctx.written.latest(&api, obj).await;
    finalizer(&api, FINALIZER, obj.clone(), |event| async {
        match event {
            Event::Apply(obj) => {
                // Marks when work on a request began (benches/webhook_latency.rs reads it).
                let request = meta::pending_reconcile_request(
                    obj.meta().annotations.as_ref(),
                    obj.last_handled_reconcile_at(),
                );
                tracing::debug!(request, "reconcile started");
                if obj.suspended() {
                    tracing::info!("reconciliation is suspended for this object");
                    return Ok(Action::await_change());
                }
                Ok(apply(obj, ctx.clone(), started).await)
            }
            Event::Cleanup(obj) => cleanup(obj.as_ref(), &ctx),
        }
    })
    .instrument(span)
    .await
    .map_err(|e| {
        ctx.rt
            .metrics
            .reconciled(K::NAME, obj.as_ref(), Outcome::Error, started.elapsed());
        Error::Finalizer(Box::new(e))
    })
}

pub fn error_policy<K: SourceKind>(obj: Arc<K>, err: &Error, ctx: Arc<SourceContext>) -> Action {
    tracing::warn!(name = %obj.name_any(), error = %err, "reconcile failed");
    ctx.rt.requeue.failure(obj.as_ref())
}

/// The object's directory in the store.
pub fn object_dir<K: SourceKind>(obj: &K) -> String {
    Storage::object_dir(
        &K::kind(&()),
        &obj.namespace().unwrap_or_default(),
        &obj.name_any(),
    )
}

/// Removes the object's artifacts; the finalizer is then released.
pub fn cleanup<K: SourceKind>(obj: &K, ctx: &SourceContext) -> Result<Action, Error> {
    ctx.storage.remove_all(&object_dir(obj))?;
    ctx.rt.requeue.forget(obj);
    ctx.rt.metrics.forget(obj);
    ctx.written.forget(obj);
    Ok(Action::await_change())
}

/// Writes `new` when it differs from the current status, records events and metrics,
/// collects older artifacts on success, and decides when to come back.
pub async fn finish<K: SourceKind>(
    obj: &K,
    ctx: &SourceContext,
    new: &K::Status,
    outcome: Result<Published<'_>, &Failure>,
    interval: Option<Duration>,
    started: Instant,
) -> Action {
    let (action, result) = record(obj, ctx, new, outcome, interval).await;
    ctx.rt
        .metrics
        .reconciled(K::NAME, obj, result, started.elapsed());
    action
}

async fn record<K: SourceKind>(
    obj: &K,
    ctx: &SourceContext,
    new: &K::Status,
    outcome: Result<Published<'_>, &Failure>,
    interval: Option<Duration>,
) -> (Action, Outcome) {
    if obj.status() != Some(new)
        && let Err(err) = patch_status(ctx, obj, new).await
    {
        tracing::warn!(error = %err, "failed to update the status");
        return (ctx.rt.requeue.failure(obj), Outcome::Error);
    }
    for (type_, value) in condition_values(K::conditions(new)) {
        ctx.rt.metrics.condition(obj, type_, value);
    }
    match outcome {
        Ok(published) => {
            if let Some((reason, message)) = &published.event {
                ctx.recorder
                    .normal_revision(obj, reason, message, &published.artifact.revision)
                    .await;
                tracing::info!(revision = %published.artifact.revision, "{message}");
            }
            let options = &ctx.rt.options.source;
            match ctx.storage.garbage_collect(
                &object_dir(obj),
                &published.artifact.path,
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

/// Applies `status` with the source controller's field manager.
pub async fn patch_status<K: SourceKind>(
    ctx: &SourceContext,
    obj: &K,
    status: &K::Status,
) -> kube::Result<()> {
    let api: Api<K> = Api::namespaced(ctx.rt.client.clone(), &obj.namespace().unwrap_or_default());
    let patch = serde_json::json!({
        "apiVersion": K::api_version(&()),
        "kind": K::kind(&()),
        "status": status,
    });
    let written = api
        .patch_status(
            &obj.name_any(),
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&patch),
        )
        .await?;
    ctx.written.record(&written);
    Ok(())
}

/// (type, status) of the kstatus conditions, for the `gotk_reconcile_condition` metric.
pub fn condition_values(conditions: &[Condition]) -> Vec<(&'static str, &str)> {
    [
        condition_type::READY,
        condition_type::RECONCILING,
        condition_type::STALLED,
    ]
    .into_iter()
    .filter_map(|type_| meta::find_condition(conditions, type_).map(|c| (type_, c.status.as_str())))
    .collect()
}

/// `spec.interval`, or the stalling failure naming the field.
pub fn interval(interval: &str) -> Result<Duration, Failure> {
    crate::api::duration::parse_positive(interval)
        .map_err(|e| Failure::stalled(INVALID_DURATION, format!("spec.interval: {e}")))
}

/// `spec.interval` and `spec.timeout` (default `default_timeout`), or the stalling failure
/// naming the field.
pub fn interval_and_timeout(
    spec_interval: &str,
    timeout: Option<&str>,
    default_timeout: Duration,
) -> Result<(Duration, Duration), Failure> {
    let interval = interval(spec_interval)?;
    let timeout = timeout
        .map(crate::api::duration::parse_positive)
        .transpose()
        .map_err(|e| Failure::stalled(INVALID_DURATION, format!("spec.timeout: {e}")))?
        .unwrap_or(default_timeout);
    Ok((interval, timeout))
}

/// The API server's message without the transport noise.
pub fn kube_message(err: &kube::Error) -> String {
    match err {
        kube::Error::Api(status) => status.message.clone(),
        other => other.to_string(),
    }
}
