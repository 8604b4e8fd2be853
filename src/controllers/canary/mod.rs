//! The canary controller: progressive delivery with Flagger's API (`flagger.app/v1beta1`
//! Canary, MetricTemplate, AlertProvider). Each Canary is analysed every
//! `spec.analysis.interval` ([`advance`]); the ticks are kept in memory, so a watch event
//! (a spec edit, our own writes) does not make an analysis step come early, while a new
//! `reconcile.fluxcd.io/requestedAt` or a changed interval runs one at once.

mod advance;
mod alerts;
pub mod analysis;
mod applied;
mod checks;
mod configs;
mod hooks;
mod revert;
mod router;
mod scaler;
mod services;
mod status;
mod target;
mod telemetry;
mod weights;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;
use futures::future::BoxFuture;
use kube::ResourceExt;
use kube::api::Api;
use kube::runtime::Controller;
use kube::runtime::controller::Action;
use kube::runtime::reflector::Store;

use crate::api::flagger::{Canary, CanaryPhase, HookType};
use crate::api::meta::RECONCILE_REQUEST_ANNOTATION;
use crate::controllers::runtime::backoff::WatchBackoff;
use crate::controllers::runtime::{Context, EventRecorder, InFlight, Outcome};

pub use advance::Halt;

/// The reportingController of the canary controller's events.
pub const CONTROLLER: &str = "canary-controller";
/// The field manager of what the controller writes.
const FIELD_MANAGER: &str = "canary-controller";
const NAME: &str = "canary";
/// Flagger's event reason: every event it records is `Synced`.
const EVENT_REASON: &str = "Synced";
/// Flagger's analysis interval when none (or an unreadable one) is set.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);
/// How long an event webhook may take (Flagger's value).
const EVENT_HOOK_TIMEOUT: Duration = Duration::from_secs(5);

/// Settings of the canary controller.
#[derive(Clone, Debug)]
pub struct CanaryOptions {
    /// The provider of Canaries that name none (`--mesh-provider`).
    pub mesh_provider: crate::api::flagger::CanaryProvider,
    /// The Prometheus the built-in metrics are queried from (`--metrics-server`).
    pub metrics_server: String,
    /// The label keys a target's selector is matched on (`--selector-labels`).
    pub selector_labels: Vec<String>,
    /// Whether ConfigMaps and Secrets of the target are part of its revision.
    pub config_tracking: bool,
    /// The shortest analysis interval honoured (`--min-analysis-interval`).
    pub min_interval: Duration,
}

/// When a Canary's next analysis step is due.
struct Schedule {
    due: Instant,
    interval: Duration,
    request: Option<String>,
}

/// What the Canary reconciles share.
pub struct CanaryContext {
    pub rt: Arc<Context>,
    pub options: CanaryOptions,
    recorder: EventRecorder,
    /// Webhooks and metric providers.
    http: reqwest::Client,
    telemetry: telemetry::Telemetry,
    written: crate::controllers::runtime::written::OwnWrites,
    /// What the Canaries' objects were last applied from.
    applied: applied::Applied,
    schedules: Mutex<HashMap<String, Schedule>>,
    in_flight: AtomicUsize,
    /// Every Canary as last watched (for `flagger_canary_total`).
    store: Store<Canary>,
}

impl CanaryContext {
    /// Records a Kubernetes event (reason `Synced`, as Flagger) and posts it to the Canary's
    /// `event` webhooks.
    async fn event(&self, canary: &Canary, warning: bool, message: &str) {
        if warning {
            tracing::warn!(name = %canary.name_any(), namespace = %canary.namespace().unwrap_or_default(), "{message}");
            self.recorder
                .distinct(canary, true, EVENT_REASON, message)
                .await;
        } else {
            tracing::info!(name = %canary.name_any(), namespace = %canary.namespace().unwrap_or_default(), "{message}");
            self.recorder
                .distinct(canary, false, EVENT_REASON, message)
                .await;
        }
        let event_hooks = hooks::of_type(canary, HookType::Event);
        if event_hooks.is_empty() {
            return;
        }
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        let extra = BTreeMap::from([
            ("eventMessage".to_string(), message.to_string()),
            (
                "eventType".to_string(),
                if warning { "Warning" } else { "Normal" }.to_string(),
            ),
            ("timestamp".to_string(), timestamp.to_string()),
        ]);
        for hook in event_hooks {
            let mut hook = hook;
            hook.timeout
                .get_or_insert_with(|| format!("{}s", EVENT_HOOK_TIMEOUT.as_secs()));
            let phase = status::phase(canary);
            if let Err(e) = hooks::call(&self.http, canary, phase, &hook, Some(extra.clone())).await
            {
                tracing::debug!(hook = %hook.name, error = %e, "event webhook failed");
            }
        }
    }
}

/// `spec.analysis.interval` as Flagger reads it: 60s when unset or unreadable, at least
/// `min` (Flagger: 10s).
pub fn interval(canary: &Canary, min: Duration) -> Duration {
    canary
        .spec
        .analysis
        .as_ref()
        .and_then(|a| a.interval.as_deref())
        .and_then(|i| crate::api::duration::parse(i).ok())
        .map_or(DEFAULT_INTERVAL, |i| i.max(min))
}

/// The revision of `canary`'s target as the controller will record it in
/// `status.lastAppliedSpec` (what `tk promote` approves a pending rollout by); `None` when the
/// target does not exist.
pub async fn target_revision(client: &kube::Client, canary: &Canary) -> Result<Option<String>> {
    let target = &canary.spec.target_ref;
    let workloads =
        target::Workloads::new(client, &canary.namespace().unwrap_or_default(), target.kind);
    let found = workloads.get_opt(&target.name).await?;
    Ok(found.map(|w| target::template_hash(&w.template())))
}

/// Starts the Canary reconciler; returns at shutdown.
pub fn launch(ctx: Arc<Context>) -> BoxFuture<'static, Result<()>> {
    Box::pin(async move {
        let options = ctx.options.canary.clone();
        let (store, events) =
            crate::controllers::runtime::primary::watch(ctx.api::<Canary>(), ctx.watcher_config());
        let canaries = Arc::new(CanaryContext {
            recorder: ctx.recorder(CONTROLLER)?,
            http: transport::configure(reqwest::Client::builder(), transport::Settings::default())?
                .build()?,
            telemetry: telemetry::Telemetry::register(&ctx.metrics, options.mesh_provider.as_str()),
            written: Default::default(),
            applied: Default::default(),
            schedules: Default::default(),
            in_flight: AtomicUsize::new(0),
            store: store.clone(),
            options,
            rt: ctx.clone(),
        });
        let rt = &canaries.rt;
        rt.metrics.controller_started(NAME, rt.options.concurrent);
        let controller = Controller::for_stream(events, store)
            .with_config(rt.controller_config())
            .trigger_backoff(WatchBackoff::default())
            .graceful_shutdown_on(rt.shutdown.wait())
            .run(reconcile, error_policy, canaries.clone());
        crate::controllers::runtime::drive(NAME, controller, &canaries.in_flight, &rt.shutdown)
            .await;
        Ok(())
    })
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0:#}")]
    Cluster(anyhow::Error),
}

fn key(canary: &Canary) -> String {
    format!(
        "{}/{}",
        canary.namespace().unwrap_or_default(),
        canary.name_any()
    )
}

/// Runs an analysis step when one is due; otherwise waits for it.
async fn reconcile(canary: Arc<Canary>, ctx: Arc<CanaryContext>) -> Result<Action, Error> {
    let _in_flight = InFlight::enter(&ctx.in_flight);
    let key = key(&canary);
    let api: Api<Canary> = Api::namespaced(
        ctx.rt.client.clone(),
        &canary.namespace().unwrap_or_default(),
    );
    if canary.metadata.deletion_timestamp.is_some() {
        if revert::has_finalizer(&canary) {
            revert::finalize(&ctx, &api, &canary)
                .await
                .map_err(Error::Cluster)?;
        }
        ctx.schedules.lock().unwrap().remove(&key);
        ctx.applied.forget(&key);
        ctx.telemetry.forget(&canary);
        ctx.written.forget(canary.as_ref());
        count_namespace(&ctx, &canary);
        return Ok(Action::await_change());
    }
    let interval = interval(&canary, ctx.options.min_interval);
    let request = canary
        .annotations()
        .get(RECONCILE_REQUEST_ANNOTATION)
        .cloned();
    let now = Instant::now();
    {
        let schedules = ctx.schedules.lock().unwrap();
        if let Some(s) = schedules.get(&key)
            && s.interval == interval
            && s.request == request
            && s.due > now
        {
            return Ok(Action::requeue(s.due - now));
        }
    }
    if revert::wanted(&canary) != revert::has_finalizer(&canary) {
        revert::sync_finalizer(&api, &canary, revert::wanted(&canary))
            .await
            .map_err(Error::Cluster)?;
        // The write is a new generation of the object: its watch event runs the step.
        return Ok(Action::await_change());
    }
    let started = Instant::now();
    let canary = ctx.written.latest(&api, canary).await;
    count_namespace(&ctx, &canary);
    let result = advance::advance(&ctx, (*canary).clone()).await;
    if result.is_err() {
        // Whatever failed may have been one of the objects: apply them all next time.
        ctx.applied.forget(&key);
    }
    ctx.schedules.lock().unwrap().insert(
        key,
        Schedule {
            due: Instant::now() + interval,
            interval,
            request,
        },
    );
    let outcome = match &result {
        Ok(()) => Outcome::RequeueAfter,
        Err(_) => Outcome::Error,
    };
    ctx.rt
        .metrics
        .reconciled(NAME, canary.as_ref(), outcome, started.elapsed());
    match result {
        Ok(()) => Ok(Action::requeue(interval)),
        Err(Halt::Problem(message)) => {
            report_problem(&ctx, &api, &canary, &message).await;
            Ok(Action::requeue(interval))
        }
        Err(Halt::Error(e)) => {
            ctx.event(&canary, true, &format!("{e:#}")).await;
            Err(Error::Cluster(e))
        }
    }
}

/// A problem only the user can fix: a warning event, and the message on the `Promoted`
/// condition until it is gone.
async fn report_problem(ctx: &CanaryContext, api: &Api<Canary>, canary: &Canary, message: &str) {
    ctx.event(canary, true, message).await;
    // The step may have written the status before it stopped: build on what is stored.
    let canary = match api.get(&canary.name_any()).await {
        Ok(fresh) => fresh,
        Err(_) => canary.clone(),
    };
    let mut updated = canary.clone();
    let status = updated.status.get_or_insert_with(Default::default);
    if status.phase.is_none() {
        status::set_phase(status, CanaryPhase::Initializing);
    }
    status::set_condition(status, canary.spec.target_ref.kind.as_str(), Some(message));
    if updated.status != canary.status {
        match status::write(api, &updated).await {
            Ok(written) => ctx.written.record(&written),
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "writing a canary's status"),
        }
    }
}

/// `flagger_canary_total` for the Canary's namespace, from the watch cache.
fn count_namespace(ctx: &CanaryContext, canary: &Canary) {
    let namespace = canary.namespace();
    let count = ctx
        .store
        .state()
        .iter()
        .filter(|c| c.namespace() == namespace && c.metadata.deletion_timestamp.is_none())
        .count();
    ctx.telemetry
        .set_total(namespace.as_deref().unwrap_or_default(), count);
}

fn error_policy(canary: Arc<Canary>, err: &Error, ctx: Arc<CanaryContext>) -> Action {
    tracing::warn!(name = %canary.name_any(), error = %err, "canary analysis step failed");
    ctx.schedules.lock().unwrap().remove(&key(&canary));
    ctx.rt.requeue.failure(canary.as_ref())
}
