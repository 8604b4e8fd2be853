//! The Kustomization reconciler, in kustomize-controller's order: finalizer, suspend,
//! durations, source, dependencies, fetch, build, apply, prune, health, status and events.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::runtime::finalizer::{Event, finalizer};
use kube::{Resource, ResourceExt};
use tracing::Instrument;

use super::cleanup::cleanup;
use super::{KustomizeContext, Memo, artifact, build, status};
use crate::api::duration::{self, GoDuration};
use crate::api::kustomize::{Kustomization, KustomizationStatus};
use crate::api::meta::{self, FINALIZER, reason};
use crate::controllers::runtime::InFlight;
use crate::controllers::runtime::{ControllerName, Outcome};
use crate::ssa;

/// The metrics label of this reconciler.
pub const NAME: &str = "kustomization";
/// The field manager of applied objects.
pub const FIELD_MANAGER: &str = "kustomize-controller";
/// The field manager of status patches (Flux's `StatusManager`).
const STATUS_MANAGER: &str = "gotk-kustomize-controller";
/// How often CRDs and Namespaces of the first apply stage are polled.
const STAGE_POLL: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("finalizer: {0}")]
    Finalizer(#[source] Box<kube::runtime::finalizer::Error<Error>>),
    #[error("{0}")]
    Kube(#[from] kube::Error),
    #[error("{0}")]
    Cleanup(String),
}

pub async fn reconcile(
    obj: Arc<Kustomization>,
    ctx: Arc<KustomizeContext>,
) -> Result<Action, Error> {
    let _in_flight = InFlight::enter(&ctx.in_flight);
    let started = Instant::now();
    let ns = obj.namespace().unwrap_or_default();
    let span = tracing::info_span!("reconcile", controller = NAME, kind = "Kustomization", name = %obj.name_any(), namespace = %ns);
    let api: Api<Kustomization> = Api::namespaced(ctx.rt.client.clone(), &ns);
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

pub fn error_policy(obj: Arc<Kustomization>, err: &Error, ctx: Arc<KustomizeContext>) -> Action {
    tracing::warn!(name = %obj.name_any(), namespace = %obj.namespace().unwrap_or_default(), error = %err, "reconcile failed");
    ctx.rt.requeue.failure(obj.as_ref())
}

/// How a reconcile that did not succeed continues.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Then {
    /// Retried at `retryInterval`, with a Warning event.
    Retry,
    /// Only the user can fix it: Stalled, no retry until the object changes.
    Stall,
    /// Not a failure of the Kustomization (its source or dependencies are not ready): checked
    /// again after the delay, with an optional Normal event.
    Wait(Duration, Option<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Failure {
    pub(super) reason: &'static str,
    pub(super) message: String,
    pub(super) then: Then,
}

impl Failure {
    pub(super) fn retry(reason: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            reason,
            message: message.into(),
            then: Then::Retry,
        }
    }

    pub(super) fn stall(reason: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            reason,
            message: message.into(),
            then: Then::Stall,
        }
    }

    pub(super) fn wait(
        reason: &'static str,
        message: impl Into<String>,
        after: Duration,
    ) -> Failure {
        Failure {
            reason,
            message: message.into(),
            then: Then::Wait(after, None),
        }
    }
}

/// One reconcile of one object: the status being built and what was last written.
pub(super) struct Run<'a> {
    pub(super) obj: &'a Kustomization,
    pub(super) ctx: &'a KustomizeContext,
    pub(super) ns: String,
    pub(super) name: String,
    pub(super) generation: Option<i64>,
    pub(super) status: KustomizationStatus,
    written: KustomizationStatus,
    interval: Duration,
    pub(super) retry_interval: Duration,
    pub(super) timeout: Duration,
    revision: Option<String>,
    /// The digest of the built objects and the snapshot metadata for `status.history`, once
    /// the build succeeded (as Flux, failures before that leave no snapshot).
    history: Option<(String, BTreeMap<String, String>)>,
    /// Whether progress steps are left out (see [`Run::progress`]).
    quiet: bool,
}

/// One converging pass; every outcome, failures included, ends in the status.
async fn apply(obj: Arc<Kustomization>, ctx: &KustomizeContext, started: Instant) -> Action {
    let old = obj.status.clone().unwrap_or_default();
    let mut run = Run {
        ns: obj.namespace().unwrap_or_default(),
        name: obj.name_any(),
        generation: obj.metadata.generation,
        status: old.clone(),
        written: old,
        interval: Duration::from_secs(600),
        retry_interval: Duration::from_secs(600),
        timeout: Duration::from_secs(600),
        revision: None,
        history: None,
        quiet: false,
        obj: &obj,
        ctx,
    };
    if obj.spec.suspend == Some(true) {
        tracing::info!("Reconciliation is suspended for this object");
        run.handle_request();
        if let Err(err) = run.write_status().await {
            tracing::warn!(error = %err, "failed to update the status");
        }
        return Action::await_change();
    }
    let result = run.converge().await;
    run.finish(result, started).await
}

impl Run<'_> {
    pub(super) fn key(&self) -> (String, String) {
        (self.ns.clone(), self.name.clone())
    }

    fn requested_at(&self) -> Option<String> {
        self.obj
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(meta::RECONCILE_REQUEST_ANNOTATION))
            .cloned()
    }

    fn handle_request(&mut self) {
        if let Some(at) = meta::pending_reconcile_request(
            self.obj.metadata.annotations.as_ref(),
            self.status.last_handled_reconcile_at.as_deref(),
        ) {
            self.status.last_handled_reconcile_at = Some(at.to_string());
        }
    }

    /// Writes the status when it changed since the last write.
    /// Records a progress step (Reconciling, Ready Unknown, the health check's timing) in
    /// the status, unless the object is settled at this revision: then a reconcile that
    /// changes nothing leaves the status as written and writes nothing at all (Flux writes
    /// it two or three times).
    pub(super) fn progress(&mut self, step: impl FnOnce(&mut KustomizationStatus, Option<i64>)) {
        if !self.quiet {
            step(&mut self.status, self.generation);
        }
    }

    pub(super) async fn write_status(&mut self) -> kube::Result<()> {
        if self.status == self.written {
            return Ok(());
        }
        let api: Api<Kustomization> = Api::namespaced(self.ctx.rt.client.clone(), &self.ns);
        let patch = serde_json::json!({
            "apiVersion": Kustomization::api_version(&()),
            "kind": Kustomization::kind(&()),
            "status": self.status,
        });
        api.patch_status(
            &self.name,
            &PatchParams::apply(STATUS_MANAGER).force(),
            &Patch::Apply(&patch),
        )
        .await?;
        self.written = self.status.clone();
        Ok(())
    }

    pub(super) async fn event(&self, warning: bool, reason: &str, message: &str) {
        let recorder = &self.ctx.recorder;
        match (&self.revision, warning) {
            (Some(rev), false) => {
                recorder
                    .normal_revision(self.obj, reason, message, rev)
                    .await
            }
            (Some(rev), true) => {
                recorder
                    .warning_revision(self.obj, reason, message, rev)
                    .await
            }
            (None, false) => recorder.normal(self.obj, reason, message).await,
            (None, true) => recorder.warning(self.obj, reason, message).await,
        }
    }

    pub(super) fn timeout_text(&self) -> String {
        GoDuration(self.timeout).to_string()
    }

    async fn converge(&mut self) -> Result<(), Failure> {
        let spec = &self.obj.spec;
        self.interval = parse_duration("spec.interval", &spec.interval)?;
        self.retry_interval = match &spec.retry_interval {
            Some(v) => parse_duration("spec.retryInterval", v)?,
            None => self.interval,
        };
        self.timeout = match &spec.timeout {
            Some(v) => parse_duration("spec.timeout", v)?,
            None => self.interval,
        };
        let timeout = self.timeout_text();
        if spec.decryption.is_some() {
            return Err(Failure::stall(
                reason::BUILD_FAILED,
                "spec.decryption: SOPS decryption is not supported yet; remove spec.decryption and \
                 commit the manifests unencrypted, or keep this Kustomization on Flux",
            ));
        }
        if spec.kube_config.is_some() {
            // Applying to this cluster instead would put a tenant's objects in the wrong place.
            return Err(Failure::stall(
                reason::RECONCILIATION_FAILED,
                "spec.kubeConfig: applying to remote clusters is not supported yet; remove \
                 spec.kubeConfig or keep this Kustomization on Flux",
            ));
        }
        // CEL expressions are compiled before anything is fetched or applied: a typo stalls
        // the Kustomization with the field named, instead of failing every check later.
        self.custom_health()?;
        self.ready_exprs()?;

        let artifact = self.source().await?;
        self.revision = Some(artifact.revision.clone());
        self.check_dependencies(&artifact.revision).await?;

        // Nothing changed since the last reconcile and it is not due yet: our own status
        // writes and unrelated metadata edits end here, without touching the status.
        let memo = Memo {
            generation: self.generation,
            requested_at: self.requested_at(),
            revision: artifact.revision.clone(),
        };
        if let Some(due) = self.ctx.not_due(&self.key(), &memo) {
            return Err(Failure {
                reason: "",
                message: String::new(),
                then: Then::Wait(due, None),
            });
        }

        let revision = artifact.revision.clone();
        self.quiet = status::is_settled(&self.written, &revision, self.generation);
        let message = format!(
            "Fetching manifests for revision {revision} with a timeout of {}",
            timeout
        );
        self.progress(|status, generation| status::progressing(status, &message, generation));
        self.write_status().await.map_err(|e| {
            Failure::retry(
                reason::RECONCILIATION_FAILED,
                format!("failed to update status: {e}"),
            )
        })?;

        // In `tk controller all` the source controller's store is on this machine.
        let options = &self.ctx.rt.options;
        let local = (options.name == ControllerName::All).then(|| artifact::LocalStore {
            root: &options.source.storage_path,
        });
        let http = &self.ctx.http;
        let artifact = &artifact;
        let fetched = self
            .ctx
            .extractions
            .get(&artifact.digest, |dir| async move {
                artifact::fetch(
                    http,
                    &artifact.url,
                    &artifact.path,
                    &artifact.digest,
                    &dir,
                    options.artifact_fetch_retries,
                    local,
                )
                .await
            })
            .await;
        let tree = match fetched {
            Ok(tree) => tree,
            Err(artifact::FetchError::NotFound) => {
                let after = self.ctx.rt.options.requeue_dependency;
                return Err(Failure::wait(
                    reason::ARTIFACT_FAILED,
                    format!(
                        "Source is not ready, artifact not found, retrying in {}",
                        GoDuration(after)
                    ),
                    after,
                ));
            }
            Err(artifact::FetchError::Failed(message)) => {
                return Err(Failure::retry(reason::ARTIFACT_FAILED, message));
            }
        };
        let root = kustomize::Root::new(tree.path())
            .map_err(|e| Failure::retry(reason::ARTIFACT_FAILED, e.to_string()))?;
        let dir = build::resolve_path(&root, spec.path.as_deref())
            .map_err(|message| Failure::retry(reason::ARTIFACT_FAILED, message))?;

        self.status.last_attempted_revision = Some(revision.clone());
        let message = format!(
            "Building manifests for revision {revision} with a timeout of {}",
            timeout
        );
        self.progress(|status, generation| status::reconciling(status, &message, generation));

        let manager = self.manager().await?;
        let objects = {
            let spec = spec.clone();
            tokio::task::spawn_blocking(move || {
                let root = build::generate(&root, &dir, &spec)?;
                build::build(&root, &dir)
            })
            .await
            .map_err(|e| {
                Failure::retry(reason::BUILD_FAILED, format!("kustomize build failed: {e}"))
            })?
            .map_err(|message| Failure::retry(reason::BUILD_FAILED, message))?
        };
        drop(tree);
        let mut objects = match &spec.post_build {
            Some(post_build) => {
                let vars = self.load_vars().await?;
                let always = post_build.substitute_strategy
                    == Some(crate::api::kustomize::SubstituteStrategy::Always);
                build::substitute(objects, &vars, always)
                    .map_err(|message| Failure::retry(reason::BUILD_FAILED, message))?
            }
            None => objects,
        };
        if let Some(common) = &spec.common_metadata {
            build::set_common_metadata(
                &mut objects,
                common.labels.as_ref(),
                common.annotations.as_ref(),
            );
        }
        if let Some(secret) = objects.iter().find(|o| build::is_sops_encrypted_secret(o)) {
            return Err(Failure::retry(
                reason::RECONCILIATION_FAILED,
                format!(
                    "{} is SOPS encrypted, configuring decryption is required for this secret to be reconciled",
                    build::describe(secret)
                ),
            ));
        }
        let mut snapshot = BTreeMap::from([("revision".to_string(), revision.clone())]);
        if let Some(origin) = origin_revision(artifact) {
            snapshot.insert("originRevision".to_string(), origin);
        }
        self.history = Some((build::digest(&objects), snapshot));

        let message = format!(
            "Detecting drift for revision {revision} with a timeout of {}",
            timeout
        );
        self.progress(|status, generation| status::reconciling(status, &message, generation));
        let options = ssa::ApplyOptions {
            force: spec.force == Some(true),
            wait_interval: STAGE_POLL,
            wait_timeout: self.timeout,
        };
        let applied = manager
            .apply_all_staged(objects, &options)
            .await
            .map_err(|e| Failure::retry(reason::RECONCILIATION_FAILED, e.to_string()))?;
        let changes = applied.summary();
        if !changes.is_empty() {
            tracing::info!(revision = %revision, "server-side apply completed:\n{changes}");
            self.event(false, &status::ready_reason(&self.status), &changes)
                .await;
        }

        let old_inventory = self.status.inventory.clone().unwrap_or_default();
        let new_inventory = ssa::inventory::from_change_set(&applied);
        let stale = ssa::inventory::stale(&old_inventory, &new_inventory);
        self.status.inventory = Some(new_inventory);
        if spec.prune {
            self.prune(&manager, stale).await?;
        }

        self.check_health(&applied, &revision).await?;

        self.status.last_applied_revision = Some(revision.clone());
        self.status.last_applied_origin_revision = origin_revision(artifact);
        status::ready(&mut self.status, &revision, self.generation);
        Ok(())
    }

    /// Writes the outcome, records events and metrics, and says when to come back.
    async fn finish(mut self, result: Result<(), Failure>, started: Instant) -> Action {
        let key = self.key();
        let memo = self.revision.clone().map(|revision| Memo {
            generation: self.generation,
            requested_at: self.requested_at(),
            revision,
        });
        let succeeded = result.is_ok();
        let outcome_reason = match &result {
            Ok(()) => reason::RECONCILIATION_SUCCEEDED,
            Err(failure) => failure.reason,
        };
        let (delay, outcome) = match result {
            Ok(()) => {
                self.ctx.rt.requeue.forget(self.obj);
                (
                    Some(self.ctx.rt.requeue.interval(self.interval)),
                    Outcome::RequeueAfter,
                )
            }
            // Not due yet: nothing was done, so nothing is recorded.
            Err(Failure {
                then: Then::Wait(after, _),
                reason: "",
                ..
            }) => return Action::requeue(after),
            Err(failure) => {
                if failure.then == Then::Stall {
                    status::stalled(
                        &mut self.status,
                        failure.reason,
                        &failure.message,
                        self.generation,
                    );
                } else {
                    status::failed(
                        &mut self.status,
                        failure.reason,
                        &failure.message,
                        self.generation,
                    );
                }
                self.report(&failure).await;
                match failure.then {
                    Then::Retry => (Some(self.retry_interval), Outcome::Error),
                    Then::Stall => (None, Outcome::Terminal),
                    Then::Wait(after, _) => (Some(after), Outcome::RequeueAfter),
                }
            }
        };
        self.handle_request();
        self.record_history(outcome_reason, started);
        if let Err(err) = self.write_status().await {
            tracing::warn!(error = %err, "failed to update the status");
            self.ctx.forget_memo(&key);
            self.ctx
                .rt
                .metrics
                .reconciled(NAME, self.obj, Outcome::Error, started.elapsed());
            return self.ctx.rt.requeue.failure(self.obj);
        }
        for (type_, value) in status::condition_values(&self.status) {
            self.ctx.rt.metrics.condition(self.obj, type_, &value);
        }
        self.ctx
            .rt
            .metrics
            .reconciled(NAME, self.obj, outcome, started.elapsed());
        match memo {
            Some(memo) => self.ctx.remember(key, memo, delay),
            None => self.ctx.forget_memo(&key),
        }
        if succeeded {
            let message = format!(
                "Reconciliation finished in {}, next run in {}",
                GoDuration(round_ms(started.elapsed())),
                GoDuration(self.interval)
            );
            tracing::info!(revision = ?self.revision, "{message}");
            self.event(false, reason::RECONCILIATION_SUCCEEDED, &message)
                .await;
        }
        match delay {
            Some(delay) => Action::requeue(delay),
            None => Action::await_change(),
        }
    }

    /// Adds this reconcile to `status.history` (when the build got that far). A reconcile
    /// that changes nothing else in the status and repeats the latest snapshot is not
    /// recorded: counting it would cost a status write, and an unchanged reconcile makes no
    /// writes at all (Flux writes the status every time).
    fn record_history(&mut self, outcome: &str, started: Instant) {
        let Some((digest, metadata)) = self.history.take() else {
            return;
        };
        let repeats = self
            .status
            .history
            .as_ref()
            .and_then(|h| h.first())
            .is_some_and(|s| {
                s.digest == digest
                    && s.last_reconciled_status == outcome
                    && s.metadata.as_ref() == Some(&metadata)
            });
        if repeats && self.status == self.written {
            return;
        }
        status::record_history(
            &mut self.status,
            &digest,
            Time(k8s_openapi::jiff::Timestamp::now()),
            GoDuration(started.elapsed()).to_string(),
            outcome,
            metadata,
        );
    }

    /// Logs a failure and records its event, in Flux's words.
    async fn report(&self, failure: &Failure) {
        match &failure.then {
            Then::Wait(_, event) => {
                tracing::info!("{}", failure.message);
                if let Some(event) = event {
                    self.event(false, failure.reason, event).await;
                }
            }
            Then::Retry | Then::Stall => {
                tracing::error!(reason = failure.reason, revision = ?self.revision, "{}", failure.message);
                self.event(true, failure.reason, &failure.message).await;
            }
        }
    }
}

/// The revision the artifact was built from upstream (an OCI artifact's source commit).
fn origin_revision(artifact: &crate::api::meta::Artifact) -> Option<String> {
    artifact
        .metadata
        .as_ref()
        .and_then(|m| m.get("org.opencontainers.image.revision"))
        .cloned()
}

fn parse_duration(field: &str, value: &str) -> Result<Duration, Failure> {
    duration::parse_positive(value)
        .map_err(|e| Failure::stall(status::INVALID_DURATION, format!("{field}: {e}")))
}

pub(super) fn round_ms(d: Duration) -> Duration {
    Duration::from_millis(d.as_millis() as u64)
}

/// The API server's message without the transport noise.
pub(crate) fn kube_message(err: &kube::Error) -> String {
    match err {
        kube::Error::Api(status) => status.message.clone(),
        other => other.to_string(),
    }
}
