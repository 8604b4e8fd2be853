//! One HelmRelease reconcile: the chart (its HelmChart applied and ready), the values, then
//! what the release in storage calls for, as helm-controller decides it: install when there
//! is none, unlock a release left pending by a killed controller, upgrade when the chart or
//! values changed (or a failed release may be retried), nothing when in sync, and stall when
//! the retries are used up. Deletion uninstalls.

use std::sync::Arc;
use std::time::{Duration, Instant};

use helm::release::{ReleaseRecord, Status};
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::runtime::finalizer::{Event, finalizer};
use kube::{Resource, ResourceExt};
use tracing::Instrument;

use super::HelmContext;
use super::chart::{self, ChartError};
use super::release::{ActionError, Deploy, Target};
use super::status::{self, reason};
use super::storage::SecretStorage;
use crate::api::duration;
use crate::api::helm::{
    CRDsPolicy, ChartNameChangeStrategy, HelmRelease, HelmReleaseStatus, ReleaseAction,
    RemediationStrategy, StrategyName,
};
use crate::api::meta::{self, FINALIZER};
use crate::controllers::runtime::{InFlight, Outcome};
use crate::ssa::Owner;

pub const NAME: &str = "helmrelease";
const FIELD_MANAGER: &str = "helm-controller";
/// `strategy.retryInterval` when `RetryOnFailure` leaves it out.
const DEFAULT_RETRY_INTERVAL: Duration = Duration::from_secs(300);

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("finalizer: {0}")]
    Finalizer(#[source] Box<kube::runtime::finalizer::Error<Error>>),
    #[error("{0}")]
    Uninstall(String),
}

pub async fn reconcile(obj: Arc<HelmRelease>, ctx: Arc<HelmContext>) -> Result<Action, Error> {
    let _in_flight = InFlight::enter(&ctx.in_flight);
    let started = Instant::now();
    let ns = obj.namespace().unwrap_or_default();
    let span = tracing::info_span!("reconcile", controller = NAME, kind = "HelmRelease", name = %obj.name_any(), namespace = %ns);
    let api: Api<HelmRelease> = Api::namespaced(ctx.rt.client.clone(), &ns);
    let obj = ctx.written.latest(&api, obj).await;
    let result = finalizer(&api, FINALIZER, obj.clone(), |event| async {
        match event {
            Event::Apply(obj) => Ok(apply(&obj, &ctx).await),
            Event::Cleanup(obj) => cleanup(&obj, &ctx).await,
        }
    })
    .instrument(span)
    .await
    .map_err(|e| Error::Finalizer(Box::new(e)));
    let outcome = match &result {
        Ok(_) => Outcome::RequeueAfter,
        Err(_) => Outcome::Error,
    };
    ctx.rt
        .metrics
        .reconciled(NAME, obj.as_ref(), outcome, started.elapsed());
    result
}

pub fn error_policy(obj: Arc<HelmRelease>, err: &Error, ctx: Arc<HelmContext>) -> Action {
    tracing::warn!(name = %obj.name_any(), error = %err, "reconcile failed");
    ctx.rt.requeue.failure(obj.as_ref())
}

/// The client releases are made with: impersonating `spec.serviceAccountName`, else
/// `--default-service-account`, else the controller's own.
fn release_client(obj: &HelmRelease, ctx: &HelmContext) -> Result<kube::Client, String> {
    let account = obj
        .spec
        .service_account_name
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| ctx.rt.options.default_service_account.clone());
    ctx.rt
        .clients
        .for_account(
            &ctx.rt.client,
            &obj.namespace().unwrap_or_default(),
            account,
        )
        .map_err(|e| format!("failed to build kube client: {e}"))
}

fn owner(obj: &HelmRelease) -> Owner {
    Owner {
        group: crate::api::helm::GROUP.into(),
        name: obj.name_any(),
        namespace: obj.namespace().unwrap_or_default(),
    }
}

/// Uninstalls the release and removes the HelmChart made for it; a suspended release is left
/// in place, as Flux does.
async fn cleanup(obj: &HelmRelease, ctx: &HelmContext) -> Result<Action, Error> {
    if obj.spec.suspend != Some(true) {
        let target = Target::of(obj);
        let client = release_client(obj, ctx).map_err(Error::Uninstall)?;
        let storage = SecretStorage::new(client.clone(), &target.storage_namespace);
        super::release::uninstall(
            ctx,
            client,
            owner(obj),
            &target,
            &storage,
            obj.spec.uninstall.as_ref(),
        )
        .await
        .map_err(|e| {
            Error::Uninstall(format!(
                "Helm uninstall failed for release {}: {e}",
                target.full_name()
            ))
        })?;
        chart::delete_template_chart(ctx, obj)
            .await
            .map_err(Error::Uninstall)?;
    }
    ctx.rt.requeue.forget(obj);
    ctx.rt.metrics.forget(obj);
    ctx.written.forget(obj);
    Ok(Action::await_change())
}

/// What one pass decided, for the status and the requeue.
enum Step {
    /// Done: requeue at the interval.
    Done,
    /// Retry with backoff.
    Retry,
    /// Retry after `--requeue-dependency` (the chart is not ready).
    Wait(Duration),
    /// Nothing to do until the spec changes.
    Stalled,
}

async fn apply(obj: &HelmRelease, ctx: &HelmContext) -> Action {
    if obj.spec.suspend == Some(true) {
        tracing::info!("reconciliation is suspended for this object");
        return Action::await_change();
    }
    let generation = obj.metadata.generation;
    let mut status = obj.status.clone().unwrap_or_default();
    status.last_handled_reconcile_at = meta::handled_reconcile_request(
        obj.metadata.annotations.as_ref(),
        status.last_handled_reconcile_at,
    );
    let interval = match duration::parse_positive(&obj.spec.interval) {
        Ok(interval) => interval,
        Err(e) => {
            status::mark_stalled(
                &mut status,
                "InvalidDuration",
                &format!("spec.interval: {e}"),
                generation,
            );
            status.observed_generation = generation;
            write_status(ctx, obj, &status).await;
            return Action::await_change();
        }
    };
    let step = converge(obj, ctx, &mut status).await;
    write_status(ctx, obj, &status).await;
    match step {
        Step::Done => ctx.rt.requeue.success(obj, interval),
        Step::Retry => ctx.rt.requeue.failure(obj),
        Step::Wait(after) => Action::requeue(after),
        Step::Stalled => {
            ctx.rt.requeue.forget(obj);
            Action::await_change()
        }
    }
}

async fn converge(obj: &HelmRelease, ctx: &HelmContext, status: &mut HelmReleaseStatus) -> Step {
    let generation = obj.metadata.generation;
    let annotations = obj.metadata.annotations.clone().unwrap_or_default();
    // A new generation, or a reset request, starts the failure counts afresh.
    let reset = annotations
        .get(meta::RESET_REQUEST_ANNOTATION)
        .filter(|at| status.last_handled_reset_at.as_ref() != Some(*at))
        .cloned();
    if status.last_attempted_generation != generation || reset.is_some() {
        status.failures = None;
        status.install_failures = None;
        status.upgrade_failures = None;
    }
    if let Some(at) = reset {
        status.last_handled_reset_at = Some(at);
    }
    let force = annotations
        .get(meta::FORCE_REQUEST_ANNOTATION)
        .filter(|at| {
            status.last_handled_force_at.as_ref() != Some(*at)
                && annotations.get(meta::RECONCILE_REQUEST_ANNOTATION) == Some(*at)
        })
        .cloned();

    // The releases this one depends on.
    if let Err(not_ready) =
        super::depends::check(&ctx.rt.client, obj, ctx.rt.options.no_cross_namespace_refs).await
    {
        return match not_ready {
            super::depends::NotReady::Wait(message) => {
                status::mark_not_ready(
                    status,
                    meta::reason::DEPENDENCY_NOT_READY,
                    &message,
                    generation,
                );
                tracing::info!("{message}");
                Step::Wait(ctx.rt.options.requeue_dependency)
            }
            super::depends::NotReady::Invalid(reason, message) => {
                status::mark_stalled(status, reason, &message, generation);
                status.observed_generation = generation;
                Step::Stalled
            }
        };
    }

    // The chart.
    let source_ref = match chart::source_ref(obj) {
        Ok(r) => r,
        Err(e) => return chart_failure(obj, ctx, status, e).await,
    };
    if ctx.rt.options.no_cross_namespace_refs
        && obj.namespace().as_deref() != Some(source_ref.namespace.as_str())
    {
        let message = format!(
            "can't access '{:?}/{}/{}', cross-namespace references have been blocked",
            source_ref.kind, source_ref.namespace, source_ref.name
        );
        status::mark_stalled(status, meta::reason::ACCESS_DENIED, &message, generation);
        status.observed_generation = generation;
        ctx.recorder
            .warning(obj, meta::reason::ACCESS_DENIED, &message)
            .await;
        return Step::Stalled;
    }
    if obj.spec.chart.is_none() && status.helm_chart.is_some() {
        // Switched to a chartRef: the HelmChart made for the template goes.
        if let Err(message) = chart::delete_template_chart(ctx, obj).await {
            status::mark_not_ready(status, reason::ARTIFACT_FAILED, &message, generation);
            return Step::Retry;
        }
        status.helm_chart = None;
    }
    let source = match chart::current_source(ctx, obj, &source_ref).await {
        Ok(s) => s,
        Err(e) => return chart_failure(obj, ctx, status, e).await,
    };
    if obj.spec.chart.is_some() {
        status.helm_chart = Some(format!("{}/{}", source_ref.namespace, source_ref.name));
    }
    let artifact = match chart::ready_artifact(&source) {
        Ok(a) => a,
        Err(e) => return chart_failure(obj, ctx, status, e).await,
    };
    let mut chart = match ctx.charts.load(ctx, &artifact).await {
        Ok(c) => c,
        Err(e) => return chart_failure(obj, ctx, status, e).await,
    };
    // An OCIRepository's digest goes into the chart version, so a tag pushed again
    // upgrades the release.
    let oci_digest = match source {
        chart::Source::OCIRepository(_) => {
            match chart::version_with_digest(Arc::make_mut(&mut chart), &artifact.revision) {
                Ok(digest) => Some(digest),
                Err(message) => {
                    status::mark_not_ready(
                        status,
                        reason::CHART_MUTATE_ERROR,
                        &message,
                        generation,
                    );
                    return Step::Retry;
                }
            }
        }
        chart::Source::HelmChart(_) => None,
    };
    // The values.
    let ns = obj.namespace().unwrap_or_default();
    let values = match super::values::compose(&ctx.rt.client, &ns, obj).await {
        Ok(v) => v,
        Err(e) => {
            let message = e.to_string();
            status::mark_not_ready(status, reason::INIT_FAILED, &message, generation);
            ctx.recorder
                .warning(obj, reason::INIT_FAILED, &message)
                .await;
            return if e.is_not_found() {
                Step::Wait(ctx.rt.options.requeue_dependency)
            } else {
                Step::Retry
            };
        }
    };
    let target = Target::of(obj);
    let client = match release_client(obj, ctx) {
        Ok(client) => client,
        Err(message) => {
            status::mark_not_ready(status, reason::INIT_FAILED, &message, generation);
            return Step::Retry;
        }
    };
    // A release whose name, namespace, storage or chart changed is another release: the
    // old one is uninstalled first, as helm-controller does.
    if let Some(old) = previous_target(obj, status, &target, &chart.metadata.name) {
        let storage = SecretStorage::new(client.clone(), &old.storage_namespace);
        if let Err(e) = super::release::uninstall(
            ctx,
            client.clone(),
            owner(obj),
            &old,
            &storage,
            obj.spec.uninstall.as_ref(),
        )
        .await
        {
            let message = format!(
                "Helm uninstall failed for release {} whose target changed: {e}",
                old.full_name()
            );
            status::mark_not_ready(status, reason::UNINSTALL_FAILED, &message, generation);
            return Step::Retry;
        }
        tracing::info!(
            "release target changed: uninstalled the previous release {}",
            old.full_name()
        );
        status.history = None;
    }
    status.storage_namespace = Some(target.storage_namespace.clone());
    let storage = SecretStorage::new(client.clone(), &target.storage_namespace);

    // The release in storage, and what it calls for.
    let mut history = match storage.history(&target.name).await {
        Ok(h) => h,
        Err(e) => {
            let message = format!("failed to get last release revision: {e}");
            status::mark_not_ready(status, "GetLastReleaseFailed", &message, generation);
            return Step::Retry;
        }
    };
    history.sort_by_key(|r| std::cmp::Reverse(r.version));
    if let Some(last) = history.first_mut()
        && last.info.status.is_pending()
    {
        // Nothing else holds the lock: the controller that took it is gone.
        let stale = last.info.status.as_str();
        last.info.status = Status::Failed;
        last.info.description = format!("Release unlocked from stale '{stale}' state");
        if let Err(e) = storage.update(last).await {
            status::mark_not_ready(status, "UnlockFailed", &e.to_string(), generation);
            return Step::Retry;
        }
        ctx.recorder
            .warning(obj, "UnlockSucceeded", &last.info.description)
            .await;
    }
    let last = history.first().cloned();
    let deployed = history
        .iter()
        .find(|r| r.info.status == Status::Deployed)
        .cloned();
    // `upgrade.preserveValues`: the deployed values with the new ones over them, as
    // `helm upgrade --reuse-values`.
    let preserve_values = obj.spec.upgrade.as_ref().and_then(|u| u.preserve_values) == Some(true);
    let values = match &deployed {
        Some(deployed) if preserve_values => {
            let mut merged = values;
            helm::values::coalesce_tables(&mut merged, deployed.config.clone());
            merged
        }
        _ => values,
    };
    let config_digest = super::values::digest(&values);
    let chart_version = chart.metadata.version.clone();
    status.last_attempted_revision = Some(chart_version.clone());
    status.last_attempted_revision_digest = oci_digest.clone();
    status.last_attempted_config_digest = Some(config_digest.clone());
    status.last_attempted_generation = generation;
    status.observed_generation = generation;

    let renderers = obj.spec.post_renderers.as_deref().unwrap_or_default();
    let renderers_digest = (!renderers.is_empty()).then(|| super::postrender::digest(renderers));
    let renderers_unchanged = status.observed_post_renderers_digest == renderers_digest;
    let in_sync = |r: &ReleaseRecord| {
        r.chart.metadata.name == chart.metadata.name
            && r.chart.metadata.version == chart_version
            && super::values::digest(&r.config) == config_digest
            && renderers_unchanged
    };
    let action = match (&last, &deployed) {
        (Some(last), Some(deployed))
            if last.version == deployed.version && in_sync(deployed) && force.is_none() =>
        {
            status::set_history(status, &history, oci_digest.as_deref());
            status::mark_in_sync(status, deployed, generation);
            if let Some(mode) = super::drift::mode(obj) {
                check_drift(obj, ctx, client.clone(), &target, deployed, mode).await;
            }
            return Step::Done;
        }
        (_, Some(_)) => ReleaseAction::Upgrade,
        // `RetryOnFailure` retries a failed install with an upgrade.
        (Some(last), None)
            if last.info.status == Status::Failed
                && retry_interval(obj, ReleaseAction::Install).is_some() =>
        {
            ReleaseAction::Upgrade
        }
        (_, None) => ReleaseAction::Install,
    };
    // The release an upgrade starts from: the deployed one, else the failed install.
    let previous = match action {
        ReleaseAction::Upgrade => deployed.as_ref().or(last.as_ref()),
        ReleaseAction::Install => None,
    };
    // `RetryOnFailure` (of the action, or of the install an upgrade retries) retries at its
    // interval, without remediation and without a limit.
    let retry = retry_interval(
        obj,
        if deployed.is_some() {
            action
        } else {
            ReleaseAction::Install
        },
    );
    // A failed action is retried only as often as its remediation allows.
    let (failures, retries) = attempts(obj, status, action);
    if retry.is_none() && failures > 0 && retries >= 0 && failures > retries && force.is_none() {
        let message = format!("Failed to {} after {failures} attempt(s)", verb(action));
        status::set_history(status, &history, oci_digest.as_deref());
        status::mark_stalled(status, reason::RETRIES_EXCEEDED, &message, generation);
        return Step::Stalled;
    }
    if let Some(at) = force {
        status.last_handled_force_at = Some(at);
    }
    status.last_attempted_release_action = Some(action);
    if let Some(conditions) = status.conditions.as_mut() {
        meta::remove_condition(conditions, status::condition::REMEDIATED);
    }

    let upgrade = action == ReleaseAction::Upgrade;
    let install = obj.spec.install.clone().unwrap_or_default();
    let up = obj.spec.upgrade.clone().unwrap_or_default();
    let crds = if upgrade { up.crds } else { install.crds };
    let apply_crds = match crds {
        Some(CRDsPolicy::Skip) => false,
        Some(_) => true,
        // Helm installs a chart's CRDs and leaves them alone on upgrade.
        None => !upgrade && install.skip_crds != Some(true),
    };
    let timeout_text = if upgrade {
        up.timeout.clone()
    } else {
        install.timeout.clone()
    }
    .or_else(|| obj.spec.timeout.clone());
    let timeout = timeout_text
        .as_deref()
        .and_then(|t| duration::parse_positive(t).ok());
    let deploy = Deploy {
        ctx,
        client: client.clone(),
        owner: owner(obj),
        target: &target,
        chart: &chart,
        values: &values,
        storage: &storage,
        timeout,
        disable_wait: if upgrade {
            up.disable_wait == Some(true)
        } else {
            install.disable_wait == Some(true)
        },
        disable_hooks: if upgrade {
            up.disable_hooks == Some(true)
        } else {
            install.disable_hooks == Some(true)
        },
        skip_schema_validation: if upgrade {
            up.disable_schema_validation == Some(true)
        } else {
            install.disable_schema_validation == Some(true)
        },
        apply_crds,
        create_namespace: install.create_namespace == Some(true),
        force: upgrade && up.force == Some(true),
        max_history: obj.spec.max_history,
        post_renderers: obj.spec.post_renderers.as_deref().unwrap_or_default(),
    };
    let version = last.as_ref().map_or(1, |r| r.version + 1);
    let result = deploy.run(previous, version).await;
    if let Ok(h) = storage.recorded(&target.name).await {
        status::set_history(status, &h, oci_digest.as_deref());
    }
    status.last_release_revision = Some(version);
    let chart_name = format!("{}@{}", chart.metadata.name, chart_version);
    let (verb, ok_reason, failed_reason) = if upgrade {
        ("upgrade", reason::UPGRADE_SUCCEEDED, reason::UPGRADE_FAILED)
    } else {
        ("install", reason::INSTALL_SUCCEEDED, reason::INSTALL_FAILED)
    };
    match result {
        Ok(mut record) => {
            let release = format!("{}.v{}", target.full_name(), record.version);
            let message =
                format!("Helm {verb} succeeded for release {release} with chart {chart_name}");
            status::mark_released(status, true, ok_reason, &message, generation);
            status.observed_post_renderers_digest = renderers_digest.clone();
            if upgrade {
                status.upgrade_failures = None;
            } else {
                status.install_failures = None;
            }
            status.failures = None;
            ctx.recorder
                .normal_revision(obj, ok_reason, &message, &chart_version)
                .await;
            tracing::info!("{message}");
            let test = obj.spec.test.clone().unwrap_or_default();
            if test.enable != Some(true) {
                if let Some(conditions) = status.conditions.as_mut() {
                    meta::remove_condition(conditions, status::condition::TEST_SUCCESS);
                }
                return Step::Done;
            }
            let timeout = test
                .timeout
                .as_deref()
                .and_then(|t| duration::parse_positive(t).ok());
            let tested = deploy
                .test(
                    &mut record,
                    test.filters.as_deref().unwrap_or_default(),
                    timeout,
                )
                .await;
            if let Ok(h) = storage.recorded(&target.name).await {
                status::set_history(status, &h, oci_digest.as_deref());
            }
            match tested {
                Ok(count) => {
                    let hooks = match count {
                        0 => "no test hooks".to_string(),
                        1 => "1 test hook completed successfully".to_string(),
                        n => format!("{n} test hooks completed successfully"),
                    };
                    let message = format!(
                        "Helm test succeeded for release {release} with chart {chart_name}: {hooks}"
                    );
                    status::mark_tested(status, true, reason::TEST_SUCCEEDED, &message, generation);
                    ctx.recorder
                        .normal(obj, reason::TEST_SUCCEEDED, &message)
                        .await;
                    Step::Done
                }
                Err(e) => {
                    let message = format!(
                        "Helm test failed for release {release} with chart {chart_name}: {e}"
                    );
                    status::mark_tested(status, false, reason::TEST_FAILED, &message, generation);
                    ctx.recorder
                        .warning(obj, reason::TEST_FAILED, &message)
                        .await;
                    status.failures = Some(status.failures.unwrap_or_default() + 1);
                    if ignore_test_failures(obj, action) {
                        return Step::Done;
                    }
                    if let Some(interval) = retry {
                        return Step::Wait(interval);
                    }
                    let counter = if upgrade {
                        &mut status.upgrade_failures
                    } else {
                        &mut status.install_failures
                    };
                    *counter = Some(counter.unwrap_or_default() + 1);
                    status::mark_not_ready(status, reason::TEST_FAILED, &message, generation);
                    if must_remediate(obj, status, action) {
                        remediate(obj, ctx, status, &deploy, &record, deployed.as_ref()).await;
                        if let Ok(h) = storage.recorded(&target.name).await {
                            status::set_history(status, &h, oci_digest.as_deref());
                        }
                    }
                    Step::Retry
                }
            }
        }
        Err(ActionError { message, stored }) => {
            let message = format!(
                "Helm {verb} failed for release {} with chart {chart_name}: {}",
                target.full_name(),
                message.trim()
            );
            status.failures = Some(status.failures.unwrap_or_default() + 1);
            if stored.is_some() {
                let counter = if upgrade {
                    &mut status.upgrade_failures
                } else {
                    &mut status.install_failures
                };
                *counter = Some(counter.unwrap_or_default() + 1);
            }
            status::mark_released(status, false, failed_reason, &message, generation);
            ctx.recorder
                .warning_revision(obj, failed_reason, &message, &chart_version)
                .await;
            tracing::error!("{message}");
            if let Some(failed) = &stored
                && upgrade
                && up.cleanup_on_fail == Some(true)
            {
                cleanup_on_fail(&deploy, failed, previous).await;
            }
            if let Some(interval) = retry {
                return Step::Wait(interval);
            }
            if let Some(failed) = stored
                && must_remediate(obj, status, action)
            {
                remediate(obj, ctx, status, &deploy, &failed, deployed.as_ref()).await;
                if let Ok(h) = storage.recorded(&target.name).await {
                    status::set_history(status, &h, oci_digest.as_deref());
                }
            }
            Step::Retry
        }
    }
}

/// The release this HelmRelease made before its release name, target or storage namespace,
/// or chart name (unless `upgrade.chartNameChangeStrategy: InPlaceUpdate`) changed, from the
/// latest history snapshot; `None` when it is the same release (or none was made).
fn previous_target(
    obj: &HelmRelease,
    status: &HelmReleaseStatus,
    target: &Target,
    chart_name: &str,
) -> Option<Target> {
    let storage_namespace = status
        .storage_namespace
        .as_ref()
        .filter(|s| !s.is_empty())?;
    let current = status.history.as_ref()?.first()?;
    let in_place = obj
        .spec
        .upgrade
        .as_ref()
        .and_then(|u| u.chart_name_change_strategy)
        == Some(ChartNameChangeStrategy::InPlaceUpdate);
    let changed = *storage_namespace != target.storage_namespace
        || current.namespace != target.namespace
        || current.name != target.name
        || (current.chart_name != chart_name && !in_place);
    changed.then(|| Target {
        name: current.name.clone(),
        namespace: current.namespace.clone(),
        storage_namespace: storage_namespace.clone(),
    })
}

/// `upgrade.cleanupOnFail`: deletes what the failed upgrade added to the release (objects of
/// its manifest that the release it started from did not have).
async fn cleanup_on_fail(
    deploy: &Deploy<'_>,
    failed: &ReleaseRecord,
    previous: Option<&ReleaseRecord>,
) {
    let namespace = &deploy.target.namespace;
    let before: std::collections::BTreeSet<_> = previous
        .map(|p| super::release::manifest_refs(&p.manifest, namespace))
        .unwrap_or_default()
        .into_iter()
        .collect();
    let created: Vec<_> = super::release::manifest_refs(&failed.manifest, namespace)
        .into_iter()
        .filter(|r| !before.contains(r))
        .collect();
    if created.is_empty() {
        return;
    }
    let manager = super::release::manager(deploy.ctx, deploy.client.clone(), deploy.owner.clone());
    match manager
        .delete_all(&created, &crate::ssa::DeleteOptions::default())
        .await
    {
        Ok(_) => tracing::info!(
            count = created.len(),
            "cleanupOnFail: deleted the resources the failed upgrade created"
        ),
        Err(e) => tracing::warn!(error = %e, "cleanupOnFail: deleting the created resources"),
    }
}

/// `install|upgrade.strategy`: the interval between attempts with `RetryOnFailure`
/// (`retryInterval`, 5m when omitted); `None` with `RemediateOnFailure`, the default.
fn retry_interval(obj: &HelmRelease, action: ReleaseAction) -> Option<Duration> {
    let (name, interval) = match action {
        ReleaseAction::Install => obj
            .spec
            .install
            .as_ref()
            .and_then(|i| i.strategy.as_ref())
            .map(|s| (s.name, s.retry_interval.as_deref()))?,
        ReleaseAction::Upgrade => obj
            .spec
            .upgrade
            .as_ref()
            .and_then(|u| u.strategy.as_ref())
            .map(|s| (s.name, s.retry_interval.as_deref()))?,
    };
    (name == StrategyName::RetryOnFailure).then(|| {
        interval
            .and_then(|t| duration::parse_positive(t).ok())
            .unwrap_or(DEFAULT_RETRY_INTERVAL)
    })
}

/// Reports (and with `enabled`, corrects) drift of the deployed release's objects.
async fn check_drift(
    obj: &HelmRelease,
    ctx: &HelmContext,
    client: kube::Client,
    target: &Target,
    deployed: &ReleaseRecord,
    mode: crate::api::helm::DriftDetectionMode,
) {
    let release = format!("{}.v{}", target.full_name(), deployed.version);
    let objects = match super::release::release_objects(deployed, target) {
        Ok(objects) => objects,
        Err(e) => {
            tracing::warn!(error = %e, "reading the release manifest for drift detection");
            return;
        }
    };
    let manager = super::release::manager(ctx, client, owner(obj));
    let drift = match super::drift::check(&manager, obj, mode, objects).await {
        Ok(drift) => drift,
        Err(e) => {
            tracing::warn!(error = %e, "drift detection failed");
            return;
        }
    };
    if drift.drifted.is_empty() {
        return;
    }
    let message = format!(
        "Cluster state of release {release} has drifted from the desired state:\n{}",
        drift.drifted.join("\n")
    );
    ctx.recorder.warning(obj, "DriftDetected", &message).await;
    tracing::info!("{message}");
    match drift.corrected {
        Some(Ok(applied)) => {
            let message =
                format!("Cluster state of release {release} has been corrected:\n{applied}");
            ctx.recorder.normal(obj, "DriftCorrected", &message).await;
            tracing::info!("{message}");
        }
        Some(Err(e)) => {
            let message = format!("Failed to correct cluster state of release {release}:\n{e}");
            ctx.recorder
                .warning(obj, "DriftCorrectionFailed", &message)
                .await;
            tracing::error!("{message}");
        }
        None => {}
    }
}

/// `test.ignoreFailures`, unless the active remediation says otherwise
/// (`ignoreTestFailures`).
fn ignore_test_failures(obj: &HelmRelease, action: ReleaseAction) -> bool {
    let remediation = match action {
        ReleaseAction::Install => obj
            .spec
            .install
            .as_ref()
            .and_then(|i| i.remediation.as_ref())
            .and_then(|r| r.ignore_test_failures),
        ReleaseAction::Upgrade => obj
            .spec
            .upgrade
            .as_ref()
            .and_then(|u| u.remediation.as_ref())
            .and_then(|r| r.ignore_test_failures),
    };
    remediation
        .or_else(|| obj.spec.test.as_ref().and_then(|t| t.ignore_failures))
        .unwrap_or(false)
}

fn verb(action: ReleaseAction) -> &'static str {
    match action {
        ReleaseAction::Install => "install",
        ReleaseAction::Upgrade => "upgrade",
    }
}

/// (failures so far, retries allowed; negative: unlimited) of `action`.
fn attempts(obj: &HelmRelease, status: &HelmReleaseStatus, action: ReleaseAction) -> (i64, i64) {
    match action {
        ReleaseAction::Install => (
            status.install_failures.unwrap_or_default(),
            install_retries(obj),
        ),
        ReleaseAction::Upgrade => (
            status.upgrade_failures.unwrap_or_default(),
            upgrade_retries(obj),
        ),
    }
}

/// Whether a failed release is remediated: while retries remain, and for the last failure
/// when `remediateLastFailure` (default: true when retries are set), as Flux decides.
fn must_remediate(obj: &HelmRelease, status: &HelmReleaseStatus, action: ReleaseAction) -> bool {
    let (failures, retries) = attempts(obj, status, action);
    let last_failure = match action {
        ReleaseAction::Install => obj
            .spec
            .install
            .as_ref()
            .and_then(|i| i.remediation.as_ref())
            .and_then(|r| r.remediate_last_failure),
        ReleaseAction::Upgrade => obj
            .spec
            .upgrade
            .as_ref()
            .and_then(|u| u.remediation.as_ref())
            .and_then(|r| r.remediate_last_failure),
    }
    .unwrap_or(retries != 0);
    retries < 0 || failures <= retries || last_failure
}

/// Rolls back to the deployed release (upgrade, strategy `rollback`, the default) or
/// uninstalls the failed one (install, or strategy `uninstall`), and reports it in the
/// Remediated condition.
async fn remediate(
    obj: &HelmRelease,
    ctx: &HelmContext,
    status: &mut HelmReleaseStatus,
    deploy: &Deploy<'_>,
    failed: &ReleaseRecord,
    deployed: Option<&ReleaseRecord>,
) {
    let generation = obj.metadata.generation;
    let strategy = obj
        .spec
        .upgrade
        .as_ref()
        .and_then(|u| u.remediation.as_ref())
        .and_then(|r| r.strategy);
    let rollback_to = deployed.filter(|_| strategy != Some(RemediationStrategy::Uninstall));
    let (ok, reason, message) = match rollback_to {
        Some(target) => {
            let name = format!(
                "{}/{}.v{} with chart {}@{}",
                target.namespace,
                target.name,
                target.version,
                target.chart.metadata.name,
                target.chart.metadata.version
            );
            match deploy.rollback(failed, target).await {
                Ok(_) => (
                    true,
                    reason::ROLLBACK_SUCCEEDED,
                    format!("Helm rollback to previous release {name} succeeded"),
                ),
                Err(e) => (
                    false,
                    reason::ROLLBACK_FAILED,
                    format!(
                        "Helm rollback to previous release {name} failed: {}",
                        e.message
                    ),
                ),
            }
        }
        None => {
            let name = format!(
                "{}/{}.v{} with chart {}@{}",
                failed.namespace,
                failed.name,
                failed.version,
                failed.chart.metadata.name,
                failed.chart.metadata.version
            );
            match super::release::uninstall(
                ctx,
                deploy.client.clone(),
                deploy.owner.clone(),
                deploy.target,
                deploy.storage,
                obj.spec.uninstall.as_ref(),
            )
            .await
            {
                Ok(()) => (
                    true,
                    reason::UNINSTALL_SUCCEEDED,
                    format!("Helm uninstall remediation for release {name} succeeded"),
                ),
                Err(e) => (
                    false,
                    reason::UNINSTALL_FAILED,
                    format!("Helm uninstall remediation for release {name} failed: {e}"),
                ),
            }
        }
    };
    status::mark_remediated(status, ok, reason, &message, generation);
    if ok {
        ctx.recorder.normal(obj, reason, &message).await;
    } else {
        ctx.recorder.warning(obj, reason, &message).await;
    }
}

/// `install.remediation.retries` (default 0; negative: unlimited).
fn install_retries(obj: &HelmRelease) -> i64 {
    obj.spec
        .install
        .as_ref()
        .and_then(|i| i.remediation.as_ref())
        .and_then(|r| r.retries)
        .unwrap_or(0)
}

fn upgrade_retries(obj: &HelmRelease) -> i64 {
    obj.spec
        .upgrade
        .as_ref()
        .and_then(|u| u.remediation.as_ref())
        .and_then(|r| r.retries)
        .unwrap_or(0)
}

async fn chart_failure(
    obj: &HelmRelease,
    ctx: &HelmContext,
    status: &mut HelmReleaseStatus,
    error: ChartError,
) -> Step {
    let generation = obj.metadata.generation;
    match error {
        ChartError::SourceNotReady(message) => {
            status::mark_not_ready(status, reason::SOURCE_NOT_READY, &message, generation);
            tracing::info!("{message}");
            Step::Wait(ctx.rt.options.requeue_dependency)
        }
        ChartError::NotReady(message) => {
            status::mark_not_ready(status, reason::ARTIFACT_FAILED, &message, generation);
            Step::Wait(ctx.rt.options.requeue_dependency)
        }
        ChartError::Failed(message) => {
            status::mark_not_ready(status, reason::ARTIFACT_FAILED, &message, generation);
            ctx.recorder
                .warning(obj, reason::ARTIFACT_FAILED, &message)
                .await;
            Step::Retry
        }
        ChartError::Invalid(message) => {
            status::mark_stalled(status, reason::ARTIFACT_FAILED, &message, generation);
            status.observed_generation = generation;
            ctx.recorder
                .warning(obj, reason::ARTIFACT_FAILED, &message)
                .await;
            Step::Stalled
        }
    }
}

async fn write_status(ctx: &HelmContext, obj: &HelmRelease, status: &HelmReleaseStatus) {
    if obj.status.as_ref() == Some(status) {
        return;
    }
    let api: Api<HelmRelease> =
        Api::namespaced(ctx.rt.client.clone(), &obj.namespace().unwrap_or_default());
    let patch = serde_json::json!({
        "apiVersion": HelmRelease::api_version(&()),
        "kind": HelmRelease::kind(&()),
        "status": status,
    });
    match api
        .patch_status(
            &obj.name_any(),
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&patch),
        )
        .await
    {
        Ok(written) => ctx.written.record(&written),
        Err(e) => tracing::warn!(error = %e, "failed to update the status"),
    }
}
