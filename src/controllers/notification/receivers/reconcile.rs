//! The Receiver reconciler: reads the token, publishes `status.webhookPath` and keeps the
//! server's index, with notification-controller's conditions, reasons and messages.

use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::Controller;
use kube::runtime::controller::Action;
use kube::runtime::finalizer::{Event, finalizer};
use kube::{Resource, ResourceExt};
use tracing::Instrument;

use super::{ReceiverContext, verify};
use crate::api::duration;
use crate::api::meta::{self, FINALIZER, condition_type};
use crate::api::notification::{Receiver, ReceiverStatus};
use crate::controllers::runtime::backoff::{WatchBackoff, error_backoff};
use crate::controllers::runtime::{InFlight, Outcome};

/// The metrics label of this reconciler.
const NAME: &str = "receiver";
/// The status field manager, as Flux's controller name.
const FIELD_MANAGER: &str = "notification-controller";
const DEFAULT_INTERVAL: Duration = Duration::from_secs(600);

/// Reasons notification-controller uses for Receivers, and tk's own for what Flux lets pass.
pub mod reason {
    pub const TOKEN_NOT_FOUND: &str = "TokenNotFound";
    /// Not a Flux reason: Flux's CRD patterns admit `0s`, which cannot be an interval.
    pub const INVALID_DURATION: &str = "InvalidDuration";
    /// Not a Flux reason: a type tk cannot validate (gcr, generic-oidc).
    pub const UNSUPPORTED_TYPE: &str = "UnsupportedType";
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("finalizer: {0}")]
    Finalizer(#[source] Box<kube::runtime::finalizer::Error<Error>>),
}

pub async fn run(ctx: Arc<ReceiverContext>) -> anyhow::Result<()> {
    let rt = &ctx.rt;
    rt.metrics.controller_started(NAME, rt.options.concurrent);
    let controller = Controller::new(rt.api::<Receiver>(), rt.watcher_config())
        .with_config(rt.controller_config())
        .trigger_backoff(WatchBackoff::default())
        .graceful_shutdown_on(rt.shutdown.wait())
        .run(reconcile, error_policy, ctx.clone());
    crate::controllers::runtime::drive(NAME, controller, &ctx.in_flight, &rt.shutdown).await;
    Ok(())
}

async fn reconcile(obj: Arc<Receiver>, ctx: Arc<ReceiverContext>) -> Result<Action, Error> {
    let _in_flight = InFlight::enter(&ctx.in_flight);
    let started = Instant::now();
    let ns = obj.namespace().unwrap_or_default();
    let span = tracing::info_span!("reconcile", controller = NAME, kind = "Receiver", name = %obj.name_any(), namespace = %ns);
    let api: Api<Receiver> = Api::namespaced(ctx.rt.client.clone(), &ns);
    finalizer(&api, FINALIZER, obj.clone(), |event| async {
        match event {
            Event::Apply(obj) => Ok(apply(obj, &ctx, started).await),
            Event::Cleanup(obj) => Ok(cleanup(obj, &ctx)),
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

fn error_policy(obj: Arc<Receiver>, err: &Error, ctx: Arc<ReceiverContext>) -> Action {
    tracing::warn!(name = %obj.name_any(), error = %err, "reconcile failed");
    ctx.rt.requeue.failure(obj.as_ref())
}

/// The Receiver is being deleted: its path stops answering; the finalizer is then released.
fn cleanup(obj: Arc<Receiver>, ctx: &ReceiverContext) -> Action {
    ctx.index
        .remove(&obj.namespace().unwrap_or_default(), &obj.name_any());
    ctx.rt.requeue.forget(obj.as_ref());
    ctx.rt.metrics.forget(obj.as_ref());
    Action::await_change()
}

/// What one reconcile found.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Found {
    Ready {
        path: String,
    },
    /// Retried: Ready=False with Reconciling=True (ProgressingWithRetry).
    Retry {
        reason: &'static str,
        message: String,
    },
    /// Only the user can fix it: Ready=False, Stalled=True.
    Stalled {
        reason: &'static str,
        message: String,
    },
}

async fn apply(obj: Arc<Receiver>, ctx: &ReceiverContext, started: Instant) -> Action {
    let ns = obj.namespace().unwrap_or_default();
    let name = obj.name_any();
    if obj.spec.suspend == Some(true) {
        tracing::info!("reconciliation is suspended for this object");
        return Action::await_change();
    }
    let interval = match obj.spec.interval.as_deref().map(duration::parse_positive) {
        None => Ok(DEFAULT_INTERVAL),
        Some(Ok(interval)) => Ok(interval),
        Some(Err(err)) => Err(Found::Stalled {
            reason: reason::INVALID_DURATION,
            message: format!("spec.interval: {err}"),
        }),
    };
    let outcome = match &interval {
        Ok(_) => converge(&obj, ctx, &ns, &name).await,
        Err(stalled) => stalled.clone(),
    };
    match &outcome {
        Found::Ready { path } => ctx.index.set(&ns, &name, path),
        _ => ctx.index.remove(&ns, &name),
    }
    let interval = interval.unwrap_or(DEFAULT_INTERVAL);
    let (action, result) = record(&obj, ctx, &outcome, interval).await;
    ctx.rt
        .metrics
        .reconciled(NAME, obj.as_ref(), result, started.elapsed());
    action
}

async fn converge(obj: &Receiver, ctx: &ReceiverContext, ns: &str, name: &str) -> Found {
    if !verify::supported(obj.spec.r#type) {
        return Found::Stalled {
            reason: reason::UNSUPPORTED_TYPE,
            message: format!(
                "receiver type '{}' is not supported by tk",
                verify::type_name(obj.spec.r#type)
            ),
        };
    }
    if let Err(message) = super::server::compile_filters(&obj.spec) {
        return Found::Stalled {
            reason: meta::reason::INVALID_CEL_EXPRESSION,
            message,
        };
    }
    if ctx.rt.options.no_cross_namespace_refs
        && let Some(resource) = obj
            .spec
            .resources
            .iter()
            .find(|r| r.namespace.as_deref().is_some_and(|n| n != ns))
    {
        return Found::Stalled {
            reason: meta::reason::ACCESS_DENIED,
            message: format!(
                "cannot access {:?} '{}/{}': cross-namespace references have been blocked",
                resource.kind,
                resource.namespace.as_deref().unwrap_or_default(),
                resource.name
            ),
        };
    }
    match read_token(&ctx.rt.client, obj, ns).await {
        Ok(token) => Found::Ready {
            path: verify::webhook_path(&token, name, ns),
        },
        Err(message) => Found::Retry {
            reason: reason::TOKEN_NOT_FOUND,
            message,
        },
    }
}

/// The `token` key of `spec.secretRef`, with Flux's messages. The error text never holds
/// Secret data.
pub async fn read_token(
    client: &kube::Client,
    obj: &Receiver,
    ns: &str,
) -> Result<Vec<u8>, String> {
    let Some(secret_ref) = &obj.spec.secret_ref else {
        return Err("spec.secretRef is required for this receiver type".to_string());
    };
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    let secret = secrets.get(&secret_ref.name).await.map_err(|e| {
        let detail = match &e {
            kube::Error::Api(status) => status.message.clone(),
            other => other.to_string(),
        };
        format!(
            "unable to read token from secret '{ns}/{}' error: {detail}",
            secret_ref.name
        )
    })?;
    secret
        .data
        .as_ref()
        .and_then(|d| d.get("token"))
        .map(|t| t.0.clone())
        .ok_or_else(|| {
            format!(
                "invalid '{ns}/{}' secret data: required fields 'token'",
                secret_ref.name
            )
        })
}

fn now() -> Time {
    Time(k8s_openapi::jiff::Timestamp::now())
}

/// The status after this reconcile; an unchanged outcome yields an identical status.
fn next_status(obj: &Receiver, outcome: &Found) -> ReceiverStatus {
    let generation = obj.metadata.generation;
    let old = obj.status.clone().unwrap_or_default();
    let mut status = old.clone();
    let mut conditions = old.conditions.clone().unwrap_or_default();
    if let Some(requested) = obj
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(meta::RECONCILE_REQUEST_ANNOTATION))
    {
        status.last_handled_reconcile_at = Some(requested.clone());
    }
    match outcome {
        Found::Ready { path } => {
            let message = format!("Receiver initialized for path: {path}");
            meta::mark_ready(
                &mut conditions,
                meta::reason::SUCCEEDED,
                &message,
                generation,
                now(),
            );
            status.webhook_path = Some(path.clone());
            status.observed_generation = generation;
        }
        Found::Retry { reason, message } => {
            meta::mark_failed_with_retry(&mut conditions, reason, message, generation, now());
            status.webhook_path = None;
        }
        Found::Stalled { reason, message } => {
            meta::mark_stalled(&mut conditions, reason, message, generation, now());
            status.webhook_path = None;
            status.observed_generation = generation;
        }
    }
    status.conditions = Some(conditions);
    status
}

async fn record(
    obj: &Receiver,
    ctx: &ReceiverContext,
    outcome: &Found,
    interval: Duration,
) -> (Action, Outcome) {
    let ns = obj.namespace().unwrap_or_default();
    let old = obj.status.clone().unwrap_or_default();
    let new = next_status(obj, outcome);
    let changed = new != old;
    if changed && let Err(err) = patch_status(ctx, &ns, &obj.name_any(), &new).await {
        tracing::warn!(error = %err, "failed to update the status");
        return (ctx.rt.requeue.failure(obj), Outcome::Error);
    }
    let conditions = new.conditions.as_deref().unwrap_or_default();
    for type_ in [
        condition_type::READY,
        condition_type::RECONCILING,
        condition_type::STALLED,
    ] {
        if let Some(c) = meta::find_condition(conditions, type_) {
            ctx.rt.metrics.condition(obj, type_, &c.status);
        }
    }
    match outcome {
        Found::Ready { path } => {
            // Flux reports every successful reconcile; tk reports the changes, so a status
            // write (which wakes this reconciler again) does not repeat the event.
            if changed {
                let message = format!(
                    "Reconciliation finished, next run in {}",
                    duration::format(interval)
                );
                ctx.recorder
                    .normal(obj, meta::reason::SUCCEEDED, &message)
                    .await;
                tracing::info!("{message}");
            }
            if old.webhook_path.as_deref() != Some(path) {
                tracing::info!("Receiver initialized for path: {path}");
            }
            (ctx.rt.requeue.success(obj, interval), Outcome::RequeueAfter)
        }
        Found::Retry { reason, message } => {
            if changed {
                ctx.recorder
                    .warning(obj, meta::reason::FAILED, message)
                    .await;
            }
            tracing::error!(reason = *reason, "{message}");
            // The backoff of a failing object, but never later than its interval.
            ctx.rt.requeue.failure(obj);
            let backoff = error_backoff(ctx.rt.requeue.failures(obj)).min(interval);
            (Action::requeue(backoff), Outcome::Error)
        }
        Found::Stalled { reason, message } => {
            if changed {
                ctx.recorder.warning(obj, reason, message).await;
            }
            tracing::error!(reason = *reason, "{message}");
            ctx.rt.requeue.forget(obj);
            (Action::await_change(), Outcome::Terminal)
        }
    }
}

async fn patch_status(
    ctx: &ReceiverContext,
    ns: &str,
    name: &str,
    status: &ReceiverStatus,
) -> kube::Result<()> {
    let api: Api<Receiver> = Api::namespaced(ctx.rt.client.clone(), ns);
    // Server-side apply drops a field this manager owned and no longer sends, so a cleared
    // webhook path disappears.
    let patch = serde_json::json!({
        "apiVersion": Receiver::api_version(&()),
        "kind": Receiver::kind(&()),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn receiver() -> Receiver {
        let mut obj = Receiver::new("webapp", Default::default());
        obj.metadata.namespace = Some("flux-system".into());
        obj.metadata.generation = Some(3);
        obj
    }

    #[test]
    fn ready_status_names_the_path_and_generation() {
        let obj = receiver();
        let status = next_status(
            &obj,
            &Found::Ready {
                path: "/hook/abc".into(),
            },
        );
        assert_eq!(status.webhook_path.as_deref(), Some("/hook/abc"));
        assert_eq!(status.observed_generation, Some(3));
        let ready = meta::find_condition(status.conditions.as_deref().unwrap(), "Ready").unwrap();
        assert_eq!(ready.status, "True");
        assert_eq!(ready.reason, "Succeeded");
        assert_eq!(ready.message, "Receiver initialized for path: /hook/abc");
    }

    #[test]
    fn missing_token_clears_the_path_and_retries() {
        let mut obj = receiver();
        obj.status = Some(next_status(
            &obj,
            &Found::Ready {
                path: "/hook/abc".into(),
            },
        ));
        let status = next_status(
            &obj,
            &Found::Retry {
                reason: reason::TOKEN_NOT_FOUND,
                message: "unable to read token".into(),
            },
        );
        assert_eq!(status.webhook_path, None);
        let conditions = status.conditions.as_deref().unwrap();
        let ready = meta::find_condition(conditions, "Ready").unwrap();
        assert_eq!(
            (ready.status.as_str(), ready.reason.as_str()),
            ("False", "TokenNotFound")
        );
        let reconciling = meta::find_condition(conditions, "Reconciling").unwrap();
        assert_eq!(reconciling.reason, "ProgressingWithRetry");
        assert!(meta::find_condition(conditions, "Stalled").is_none());
    }
}
