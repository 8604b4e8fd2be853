//! The Kustomization reconciler, in kustomize-controller's order: finalizer, suspend,
//! durations, source, dependencies, fetch, build, apply, prune, health, status and events.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{ConfigMap, Secret, ServiceAccount};
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::runtime::finalizer::{Event, finalizer};
use kube::{Resource, ResourceExt};
use tracing::Instrument;

use super::{KustomizeContext, Memo, artifact, build, status};
use crate::api::duration::{self, GoDuration};
use crate::api::kustomize::{
    DeletionPolicy, Kustomization, KustomizationSourceKind, KustomizationStatus,
    ValuesReferenceKind,
};
use crate::api::meta::{self, Artifact, FINALIZER, ResourceInventory, ResourceRef, Status, reason};
use crate::api::source::{Bucket, GitRepository, OCIRepository};
use crate::controllers::runtime::InFlight;
use crate::controllers::runtime::{ControllerName, Outcome};
use crate::ssa;

/// The metrics label of this reconciler.
pub const NAME: &str = "kustomization";
/// The field manager of applied objects.
pub const FIELD_MANAGER: &str = "kustomize-controller";
/// The field manager of status patches (Flux's `StatusManager`).
const STATUS_MANAGER: &str = "gotk-kustomize-controller";
/// How often health checks poll; Flux polls every 5s, a shorter period reports sooner.
const HEALTH_POLL: Duration = Duration::from_secs(2);
/// How soon a Kustomization whose health check a new revision canceled is reconciled again.
const CANCELED_REQUEUE: Duration = Duration::from_secs(1);
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
enum Then {
    /// Retried at `retryInterval`, with a Warning event.
    Retry,
    /// Only the user can fix it: Stalled, no retry until the object changes.
    Stall,
    /// Not a failure of the Kustomization (its source or dependencies are not ready): checked
    /// again after the delay, with an optional Normal event.
    Wait(Duration, Option<String>),
}

#[derive(Debug, Clone, PartialEq)]
struct Failure {
    reason: &'static str,
    message: String,
    then: Then,
}

impl Failure {
    fn retry(reason: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            reason,
            message: message.into(),
            then: Then::Retry,
        }
    }

    fn stall(reason: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            reason,
            message: message.into(),
            then: Then::Stall,
        }
    }

    fn wait(reason: &'static str, message: impl Into<String>, after: Duration) -> Failure {
        Failure {
            reason,
            message: message.into(),
            then: Then::Wait(after, None),
        }
    }
}

/// One reconcile of one object: the status being built and what was last written.
struct Run<'a> {
    obj: &'a Kustomization,
    ctx: &'a KustomizeContext,
    ns: String,
    name: String,
    generation: Option<i64>,
    status: KustomizationStatus,
    written: KustomizationStatus,
    interval: Duration,
    retry_interval: Duration,
    timeout: Duration,
    revision: Option<String>,
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
    fn key(&self) -> (String, String) {
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
    async fn write_status(&mut self) -> kube::Result<()> {
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

    async fn event(&self, warning: bool, reason: &str, message: &str) {
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

    fn timeout_text(&self) -> String {
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
        for (i, dep) in spec.depends_on.iter().flatten().enumerate() {
            if dep.ready_expr.is_some() {
                return Err(Failure::stall(
                    reason::INVALID_CEL_EXPRESSION,
                    format!(
                        "spec.dependsOn[{i}].readyExpr: CEL expressions are not supported yet; \
                         remove readyExpr to wait for the dependency's Ready condition"
                    ),
                ));
            }
        }

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
        status::progressing(
            &mut self.status,
            &format!(
                "Fetching manifests for revision {revision} with a timeout of {}",
                timeout
            ),
            self.generation,
        );
        self.write_status().await.map_err(|e| {
            Failure::retry(
                reason::RECONCILIATION_FAILED,
                format!("failed to update status: {e}"),
            )
        })?;

        let tmp = tempfile::Builder::new()
            .prefix("kustomization-")
            .tempdir()
            .map_err(|e| Failure::retry(reason::ARTIFACT_FAILED, format!("tmp dir error: {e}")))?;
        // In `tk controller all` the source controller's store is on this machine.
        let options = &self.ctx.rt.options;
        let local = (options.name == ControllerName::All).then(|| artifact::LocalStore {
            root: &options.source.storage_path,
        });
        match artifact::fetch(
            &self.ctx.http,
            &artifact.url,
            &artifact.path,
            &artifact.digest,
            tmp.path(),
            options.artifact_fetch_retries,
            local,
        )
        .await
        {
            Ok(()) => {}
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
        }
        let root = kustomize::Root::new(tmp.path())
            .map_err(|e| Failure::retry(reason::ARTIFACT_FAILED, e.to_string()))?;
        let dir = build::resolve_path(&root, spec.path.as_deref())
            .map_err(|message| Failure::retry(reason::ARTIFACT_FAILED, message))?;

        self.status.last_attempted_revision = Some(revision.clone());
        status::reconciling(
            &mut self.status,
            &format!(
                "Building manifests for revision {revision} with a timeout of {}",
                timeout
            ),
            self.generation,
        );

        let client = self.client().await?;
        let objects = {
            let spec = spec.clone();
            tokio::task::spawn_blocking(move || {
                build::generate(&root, &dir, &spec)?;
                build::build(&root, &dir)
            })
            .await
            .map_err(|e| {
                Failure::retry(reason::BUILD_FAILED, format!("kustomize build failed: {e}"))
            })?
            .map_err(|message| Failure::retry(reason::BUILD_FAILED, message))?
        };
        drop(tmp);
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

        status::reconciling(
            &mut self.status,
            &format!(
                "Detecting drift for revision {revision} with a timeout of {}",
                timeout
            ),
            self.generation,
        );
        let manager = ssa::ResourceManager::new(
            client,
            FIELD_MANAGER,
            ssa::Owner {
                group: crate::api::kustomize::GROUP.to_string(),
                name: self.name.clone(),
                namespace: self.ns.clone(),
            },
        );
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
        self.status.last_applied_origin_revision = artifact
            .metadata
            .as_ref()
            .and_then(|m| m.get("org.opencontainers.image.revision"))
            .cloned();
        status::ready(&mut self.status, &revision, self.generation);
        Ok(())
    }

    /// Deletes the objects that left the source (`spec.prune`), only ever after a successful
    /// apply; objects whose deletion failed go back into the inventory, so the next reconcile
    /// tries again instead of forgetting them.
    async fn prune(
        &mut self,
        manager: &ssa::ResourceManager,
        stale: Vec<ssa::ObjectRef>,
    ) -> Result<(), Failure> {
        if stale.is_empty() {
            return Ok(());
        }
        match manager
            .delete_all(&stale, &ssa::DeleteOptions::default())
            .await
        {
            Ok(deleted) => {
                let summary = deleted.summary();
                if !summary.is_empty() {
                    tracing::info!("garbage collection completed:\n{summary}");
                    self.event(false, &status::ready_reason(&self.status), &summary)
                        .await;
                }
                Ok(())
            }
            Err(err) => {
                if let ssa::Error::Delete { change_set, .. } = &err {
                    let summary = change_set.summary();
                    if !summary.is_empty() {
                        self.event(false, &status::ready_reason(&self.status), &summary)
                            .await;
                    }
                }
                let failed = match err.objects() {
                    failed if failed.is_empty() => stale,
                    failed => failed,
                };
                inventory_merge(
                    self.status.inventory.get_or_insert_with(Default::default),
                    &failed,
                );
                Err(Failure::retry(reason::PRUNE_FAILED, err.to_string()))
            }
        }
    }

    /// The source's artifact; refuses what the flags forbid.
    async fn source(&self) -> Result<Artifact, Failure> {
        let source_ref = &self.obj.spec.source_ref;
        let ns = source_ref
            .namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| self.ns.clone());
        let kind = kind_name(source_ref.kind);
        if self.ctx.rt.options.no_cross_namespace_refs && ns != self.ns {
            return Err(Failure::stall(
                reason::ACCESS_DENIED,
                format!(
                    "can't access '{kind}/{ns}/{}', cross-namespace references have been blocked",
                    source_ref.name
                ),
            ));
        }
        let client = self.ctx.rt.client.clone();
        let name = &source_ref.name;
        let got = match source_ref.kind {
            KustomizationSourceKind::GitRepository => Api::<GitRepository>::namespaced(client, &ns)
                .get(name)
                .await
                .map(|s| s.status.and_then(|s| s.artifact)),
            KustomizationSourceKind::OCIRepository => Api::<OCIRepository>::namespaced(client, &ns)
                .get(name)
                .await
                .map(|s| s.status.and_then(|s| s.artifact)),
            KustomizationSourceKind::Bucket => Api::<Bucket>::namespaced(client, &ns)
                .get(name)
                .await
                .map(|s| s.status.and_then(|s| s.artifact)),
            KustomizationSourceKind::ExternalArtifact => {
                return Err(Failure::stall(
                    reason::ACCESS_DENIED,
                    format!(
                        "can't access '{kind}/{ns}/{name}', ExternalArtifact feature gate is disabled"
                    ),
                ));
            }
        };
        match got {
            Ok(Some(artifact)) => Ok(artifact),
            Ok(None) => {
                let after = self.ctx.rt.options.requeue_dependency;
                Err(Failure::wait(
                    reason::ARTIFACT_FAILED,
                    format!(
                        "Source artifact not found, retrying in {}",
                        GoDuration(after)
                    ),
                    after,
                ))
            }
            Err(kube::Error::Api(e)) if e.code == 404 => {
                tracing::info!("Source '{kind}/{ns}/{name}' not found");
                Err(Failure::wait(
                    reason::ARTIFACT_FAILED,
                    e.message,
                    self.retry_interval,
                ))
            }
            Err(e) => Err(Failure::retry(
                reason::ARTIFACT_FAILED,
                format!("unable to get source '{ns}/{name}': {}", kube_message(&e)),
            )),
        }
    }

    /// Each dependency must exist, be Ready at its current generation and, when it builds
    /// from the same source, have applied the revision this one is about to apply.
    async fn check_dependencies(&self, revision: &str) -> Result<(), Failure> {
        let deps = self.obj.spec.depends_on.as_deref().unwrap_or_default();
        if deps.is_empty() {
            return Ok(());
        }
        let after = self.ctx.rt.options.requeue_dependency;
        let own_source = self.source_key(&self.obj.spec.source_ref, &self.ns);
        for dep in deps {
            let ns = dep
                .namespace
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| self.ns.clone());
            if self.ctx.rt.options.no_cross_namespace_refs && ns != self.ns {
                return Err(Failure::stall(
                    reason::ACCESS_DENIED,
                    format!(
                        "can't access 'Kustomization/{ns}/{}', cross-namespace references have been blocked",
                        dep.name
                    ),
                ));
            }
            let shown = format!("{ns}/{}", dep.name);
            let api: Api<Kustomization> = Api::namespaced(self.ctx.rt.client.clone(), &ns);
            let found = api.get(&dep.name).await.map_err(|e| {
                dependency_not_ready(
                    after,
                    format!("dependency '{shown}' not found: {}", kube_message(&e)),
                )
            })?;
            let dep_status = found.status.clone().unwrap_or_default();
            let ready = status::is_ready(&dep_status)
                && found.metadata.generation == dep_status.observed_generation;
            if !ready {
                return Err(dependency_not_ready(
                    after,
                    format!("dependency '{shown}' is not ready"),
                ));
            }
            let dep_ns = found.namespace().unwrap_or_default();
            if self.source_key(&found.spec.source_ref, &dep_ns) == own_source
                && dep_status.last_applied_revision.as_deref() != Some(revision)
            {
                return Err(dependency_not_ready(
                    after,
                    format!("dependency '{shown}' revision is not up to date"),
                ));
            }
        }
        tracing::info!("All dependencies are ready, proceeding with reconciliation");
        Ok(())
    }

    fn source_key(
        &self,
        source: &crate::api::kustomize::CrossNamespaceSourceReference,
        owner_ns: &str,
    ) -> (KustomizationSourceKind, String, String) {
        let ns = source
            .namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| owner_ns.to_string());
        (source.kind, ns, source.name.clone())
    }

    /// The client applies go through: impersonating `spec.serviceAccountName`, else
    /// `--default-service-account`, else the controller's own.
    async fn client(&self) -> Result<kube::Client, Failure> {
        match service_account(self.obj, self.ctx) {
            Some(sa) => ssa::impersonating(&self.ctx.rt.kube_config, &self.ns, &sa).map_err(|e| {
                Failure::retry(
                    reason::RECONCILIATION_FAILED,
                    format!("failed to build kube client: {e}"),
                )
            }),
            None => Ok(self.ctx.rt.client.clone()),
        }
    }

    /// `postBuild` variables: `substituteFrom` in order (later ones win), then `substitute`.
    async fn load_vars(&self) -> Result<BTreeMap<String, String>, Failure> {
        let mut vars = BTreeMap::new();
        let Some(post_build) = &self.obj.spec.post_build else {
            return Ok(vars);
        };
        let client = self.ctx.rt.client.clone();
        for reference in post_build.substitute_from.iter().flatten() {
            let optional = reference.optional == Some(true);
            let (kind, got) = match reference.kind {
                ValuesReferenceKind::ConfigMap => (
                    "ConfigMap",
                    Api::<ConfigMap>::namespaced(client.clone(), &self.ns)
                        .get(&reference.name)
                        .await
                        .map(|cm| cm.data.unwrap_or_default()),
                ),
                ValuesReferenceKind::Secret => (
                    "Secret",
                    Api::<Secret>::namespaced(client.clone(), &self.ns)
                        .get(&reference.name)
                        .await
                        .map(|s| {
                            s.data
                                .unwrap_or_default()
                                .into_iter()
                                .map(|(k, v)| (k, String::from_utf8_lossy(&v.0).into_owned()))
                                .collect()
                        }),
                ),
            };
            match got {
                Ok(data) => {
                    for (k, v) in data {
                        vars.insert(k, envsubst::variable_value(&v));
                    }
                }
                Err(kube::Error::Api(e)) if e.code == 404 && optional => {
                    tracing::info!(
                        "optional substitution source {kind}/{} not found, skipping",
                        reference.name
                    );
                }
                Err(e) => {
                    return Err(Failure::retry(
                        reason::BUILD_FAILED,
                        format!(
                            "substitute from '{kind}/{}' error: {}",
                            reference.name,
                            kube_message(&e)
                        ),
                    ));
                }
            }
        }
        for (k, v) in post_build.substitute.iter().flatten() {
            vars.insert(k.clone(), envsubst::variable_value(v));
        }
        Ok(vars)
    }

    /// `spec.wait` (every applied object) or `spec.healthChecks`, within `spec.timeout`.
    async fn check_health(
        &mut self,
        applied: &ssa::ChangeSet,
        revision: &str,
    ) -> Result<(), Failure> {
        let spec = &self.obj.spec;
        let mut objects: Vec<ssa::ObjectRef> = if spec.wait == Some(true) {
            applied
                .entries
                .iter()
                .filter(|e| e.action != ssa::Action::Skipped)
                .map(|e| e.object.clone())
                .collect()
        } else {
            let mut refs = Vec::new();
            for (i, check) in spec.health_checks.iter().flatten().enumerate() {
                let namespace = check.namespace.clone().unwrap_or_else(|| self.ns.clone());
                let version = match &check.api_version {
                    Some(api_version) => api_version.clone(),
                    None => applied
                        .entries
                        .iter()
                        .map(|e| &e.object)
                        .find(|o| o.kind == check.kind && o.name == check.name)
                        .map(ssa::ObjectRef::api_version)
                        .ok_or_else(|| {
                            Failure::stall(
                                reason::HEALTH_CHECK_FAILED,
                                format!(
                                    "spec.healthChecks[{i}]: apiVersion is required for {}/{}/{}, which this Kustomization does not apply",
                                    check.kind, namespace, check.name
                                ),
                            )
                        })?,
                };
                let (group, version) = match version.rsplit_once('/') {
                    Some((g, v)) => (g.to_string(), v.to_string()),
                    None => (String::new(), version),
                };
                refs.push(ssa::ObjectRef {
                    group,
                    version,
                    kind: check.kind.clone(),
                    namespace,
                    name: check.name.clone(),
                });
            }
            refs
        };
        // A Kustomization that applies itself must not wait for itself.
        objects.retain(|o| {
            !(o.kind == "Kustomization"
                && o.group == crate::api::kustomize::GROUP
                && o.name == self.name
                && o.namespace == self.ns)
        });
        if objects.is_empty() {
            status::remove_healthy(&mut self.status);
            return Ok(());
        }
        let was_healthy = status::is_healthy(&self.status);
        let message = format!(
            "Running health checks for revision {revision} with a timeout of {}",
            self.timeout_text()
        );
        status::reconciling(&mut self.status, &message, self.generation);
        status::healthy(
            &mut self.status,
            Status::Unknown,
            reason::PROGRESSING,
            &message,
            self.generation,
        );
        self.write_status().await.map_err(|e| {
            Failure::retry(
                reason::HEALTH_CHECK_FAILED,
                format!("unable to update the healthy status to progressing: {e}"),
            )
        })?;
        let started = Instant::now();
        let manager = ssa::ResourceManager::new(
            self.client().await?,
            FIELD_MANAGER,
            ssa::Owner {
                group: crate::api::kustomize::GROUP.to_string(),
                name: self.name.clone(),
                namespace: self.ns.clone(),
            },
        );
        let timeout = self.timeout;
        let key = self.key();
        let cancel = self.ctx.cancels.register(key.clone());
        let waited = tokio::select! {
            waited = manager.wait_for_set(&objects, HEALTH_POLL, timeout) => Some(waited),
            () = cancel.notify.notified() => None,
        };
        self.ctx.cancels.unregister(&key);
        let Some(waited) = waited else {
            let by = cancel
                .by
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone()
                .unwrap_or_default();
            tracing::info!(trigger = %by, "New reconciliation triggered, canceling health checks");
            return Err(Failure {
                reason: reason::HEALTH_CHECK_CANCELED,
                message: format!("New reconciliation triggered by {by}"),
                then: Then::Wait(
                    CANCELED_REQUEUE,
                    Some(format!(
                        "Health checks canceled due to new reconciliation triggered by {by}"
                    )),
                ),
            });
        };
        if let Err(err) = waited {
            let err = err.to_string();
            status::healthy(
                &mut self.status,
                Status::False,
                reason::HEALTH_CHECK_FAILED,
                &err,
                self.generation,
            );
            return Err(Failure::retry(
                reason::HEALTH_CHECK_FAILED,
                format!(
                    "health check failed after {}: {err}",
                    GoDuration(round_ms(started.elapsed()))
                ),
            ));
        }
        let passed = format!(
            "Health check passed in {}",
            GoDuration(round_ms(started.elapsed()))
        );
        if !was_healthy {
            self.event(false, &status::ready_reason(&self.status), &passed)
                .await;
        }
        status::healthy(
            &mut self.status,
            Status::True,
            reason::SUCCEEDED,
            &passed,
            self.generation,
        );
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

fn parse_duration(field: &str, value: &str) -> Result<Duration, Failure> {
    duration::parse_positive(value)
        .map_err(|e| Failure::stall(status::INVALID_DURATION, format!("{field}: {e}")))
}

fn dependency_not_ready(after: Duration, message: String) -> Failure {
    Failure {
        reason: reason::DEPENDENCY_NOT_READY,
        message,
        then: Then::Wait(
            after,
            Some(format!(
                "Dependencies do not meet ready condition, retrying in {}",
                GoDuration(after)
            )),
        ),
    }
}

fn round_ms(d: Duration) -> Duration {
    Duration::from_millis(d.as_millis() as u64)
}

fn kind_name(kind: KustomizationSourceKind) -> &'static str {
    match kind {
        KustomizationSourceKind::GitRepository => "GitRepository",
        KustomizationSourceKind::OCIRepository => "OCIRepository",
        KustomizationSourceKind::Bucket => "Bucket",
        KustomizationSourceKind::ExternalArtifact => "ExternalArtifact",
    }
}

fn service_account(obj: &Kustomization, ctx: &KustomizeContext) -> Option<String> {
    obj.spec
        .service_account_name
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| ctx.rt.options.default_service_account.clone())
}

fn inventory_entry(object: &ssa::ObjectRef) -> ResourceRef {
    ResourceRef {
        id: ssa::inventory::entry_id(object),
        v: object.version.clone(),
    }
}

fn inventory_merge(inventory: &mut ResourceInventory, objects: &[ssa::ObjectRef]) {
    for object in objects {
        let entry = inventory_entry(object);
        if !inventory.entries.iter().any(|e| e.id == entry.id) {
            inventory.entries.push(entry);
        }
    }
}

/// The API server's message without the transport noise.
fn kube_message(err: &kube::Error) -> String {
    match err {
        kube::Error::Api(status) => status.message.clone(),
        other => other.to_string(),
    }
}

/// Whether deleting the Kustomization deletes what it applied (`spec.deletionPolicy`).
fn deletes_on_finalize(obj: &Kustomization) -> bool {
    if obj.spec.suspend == Some(true) {
        return false;
    }
    let has_inventory = obj
        .status
        .as_ref()
        .and_then(|s| s.inventory.as_ref())
        .is_some_and(|i| !i.entries.is_empty());
    if !has_inventory {
        return false;
    }
    match obj.spec.deletion_policy.unwrap_or_default() {
        DeletionPolicy::MirrorPrune => obj.spec.prune,
        DeletionPolicy::Delete | DeletionPolicy::WaitForTermination => true,
        DeletionPolicy::Orphan => false,
    }
}

/// Deletes the inventory as the deletion policy says; the finalizer is then released.
async fn cleanup(obj: Arc<Kustomization>, ctx: &KustomizeContext) -> Result<Action, Error> {
    let ns = obj.namespace().unwrap_or_default();
    ctx.forget_memo(&(ns.clone(), obj.name_any()));
    ctx.rt.requeue.forget(obj.as_ref());
    ctx.rt.metrics.forget(obj.as_ref());
    if !deletes_on_finalize(&obj) {
        return Ok(Action::await_change());
    }
    let status = obj.status.clone().unwrap_or_default();
    let revision = status.last_applied_revision.clone().unwrap_or_default();
    let objects: Vec<ssa::ObjectRef> = status
        .inventory
        .iter()
        .flat_map(|i| &i.entries)
        .filter_map(|e| ssa::inventory::parse_entry(&e.id, &e.v))
        .collect();
    let client = match service_account(&obj, ctx) {
        Some(sa) => {
            // The account may be gone with its namespace; then nothing can be deleted on its
            // behalf, and the Kustomization must not be stuck forever.
            let accounts: Api<ServiceAccount> = Api::namespaced(ctx.rt.client.clone(), &ns);
            if accounts.get_opt(&sa).await?.is_none() {
                let listed: Vec<String> = objects.iter().map(ToString::to_string).collect();
                let message = format!("unable to prune objects: \n{}", listed.join("\n"));
                tracing::error!(
                    "skipping pruning, failed to find account to impersonate: {message}"
                );
                ctx.recorder
                    .warning_revision(obj.as_ref(), reason::PRUNE_FAILED, &message, &revision)
                    .await;
                return Ok(Action::await_change());
            }
            ssa::impersonating(&ctx.rt.kube_config, &ns, &sa)
                .map_err(|e| Error::Cleanup(e.to_string()))?
        }
        None => ctx.rt.client.clone(),
    };
    let manager = ssa::ResourceManager::new(
        client.clone(),
        FIELD_MANAGER,
        ssa::Owner {
            group: crate::api::kustomize::GROUP.to_string(),
            name: obj.name_any(),
            namespace: ns.clone(),
        },
    );
    let deleted = manager
        .delete_all(&objects, &ssa::DeleteOptions::default())
        .await;
    let deleted = match deleted {
        Ok(deleted) => deleted,
        Err(err) => {
            ctx.recorder
                .warning_revision(
                    obj.as_ref(),
                    reason::PRUNE_FAILED,
                    "pruning for deleted resource failed",
                    &revision,
                )
                .await;
            return Err(Error::Cleanup(err.to_string()));
        }
    };
    let summary = deleted.summary();
    if !summary.is_empty() {
        ctx.recorder
            .normal_revision(
                obj.as_ref(),
                reason::RECONCILIATION_SUCCEEDED,
                &summary,
                &revision,
            )
            .await;
    }
    if obj.spec.deletion_policy == Some(DeletionPolicy::WaitForTermination) {
        let timeout = obj
            .spec
            .timeout
            .as_deref()
            .or(Some(obj.spec.interval.as_str()))
            .and_then(|t| duration::parse_positive(t).ok())
            .unwrap_or(Duration::from_secs(300));
        if let Err(err) = wait_terminated(&client, &objects, timeout).await {
            tracing::error!(error = %err, "failed to wait for resources termination");
            ctx.recorder
                .warning_revision(
                    obj.as_ref(),
                    reason::PRUNE_FAILED,
                    "failed to wait for resources termination",
                    &revision,
                )
                .await;
        }
    }
    Ok(Action::await_change())
}

/// Polls until every object is gone (finalizers run), or `timeout` passes.
async fn wait_terminated(
    client: &kube::Client,
    objects: &[ssa::ObjectRef],
    timeout: Duration,
) -> Result<(), String> {
    use kube::api::{DynamicObject, GroupVersionKind};
    let deadline = Instant::now() + timeout;
    let mut remaining: Vec<&ssa::ObjectRef> = objects.iter().collect();
    while !remaining.is_empty() {
        let mut left = Vec::new();
        for object in remaining {
            let gvk = GroupVersionKind::gvk(&object.group, &object.version, &object.kind);
            let Ok((resource, _)) = kube::discovery::pinned_kind(client, &gvk).await else {
                continue;
            };
            let api: Api<DynamicObject> = if object.namespace.is_empty() {
                Api::all_with(client.clone(), &resource)
            } else {
                Api::namespaced_with(client.clone(), &object.namespace, &resource)
            };
            if let Ok(Some(_)) = api.get_opt(&object.name).await {
                left.push(object);
            }
        }
        remaining = left;
        if remaining.is_empty() {
            break;
        }
        if Instant::now() >= deadline {
            let names: Vec<String> = remaining.iter().map(ToString::to_string).collect();
            return Err(format!(
                "timeout waiting for termination of: [{}]",
                names.join(", ")
            ));
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::meta::{ResourceInventory, ResourceRef};

    fn applied(prune: bool, policy: Option<DeletionPolicy>) -> Kustomization {
        let mut k = Kustomization::new("app", Default::default());
        k.spec.prune = prune;
        k.spec.deletion_policy = policy;
        k.status = Some(KustomizationStatus {
            inventory: Some(ResourceInventory {
                entries: vec![ResourceRef {
                    id: "ns_app__ConfigMap".into(),
                    v: "v1".into(),
                }],
            }),
            ..Default::default()
        });
        k
    }

    #[test]
    fn deletion_policy_decides_what_happens_to_applied_objects() {
        assert!(deletes_on_finalize(&applied(true, None)));
        assert!(!deletes_on_finalize(&applied(false, None)));
        assert!(deletes_on_finalize(&applied(
            false,
            Some(DeletionPolicy::Delete)
        )));
        assert!(deletes_on_finalize(&applied(
            false,
            Some(DeletionPolicy::WaitForTermination)
        )));
        assert!(!deletes_on_finalize(&applied(
            true,
            Some(DeletionPolicy::Orphan)
        )));
        let mut suspended = applied(true, None);
        suspended.spec.suspend = Some(true);
        assert!(!deletes_on_finalize(&suspended));
        let mut empty = applied(true, None);
        empty.status = None;
        assert!(!deletes_on_finalize(&empty));
    }

    #[test]
    fn failed_deletions_are_merged_back_once() {
        let object = ssa::ObjectRef {
            group: String::new(),
            version: "v1".into(),
            kind: "ConfigMap".into(),
            namespace: "ns".into(),
            name: "gone".into(),
        };
        let mut inventory = ResourceInventory::default();
        inventory_merge(&mut inventory, std::slice::from_ref(&object));
        inventory_merge(&mut inventory, &[object]);
        assert_eq!(
            inventory.entries,
            [ResourceRef {
                id: "ns_gone__ConfigMap".into(),
                v: "v1".into()
            }]
        );
    }
}
