//! One tick of a Canary's analysis, as Flagger's scheduler runs it every `analysis.interval`:
//! initialize (primary, Services, routes), detect a new revision, gate it, shift traffic step
//! by step while the checks pass, promote, or roll back after `threshold` failed checks.
//!
//! Every step is decided from the status and the routes as they are in the cluster, and each
//! transition is written before the next one starts, so a restarted controller picks up where
//! the last one stopped and never promotes twice.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Context as _, Result};
use kube::ResourceExt;
use kube::api::Api;

use crate::api::flagger::{
    APPROVED_REVISION_ANNOTATION, APPROVED_ROLLOUT_ANNOTATION, Canary, CanaryAnalysis, CanaryPhase,
    HookType, TargetKind,
};

use super::alerts::{self, Severity};
use super::applied;
use super::router::{Router, Routes};
use super::services::{self, Names};
use super::target::{self, Rollout, Selector, Workload, Workloads};
use super::{CanaryContext, checks, configs, hooks, scaler, status, weights};

/// Why a tick stopped early.
#[derive(Debug)]
pub enum Halt {
    /// Only the user can fix it (the message says how); retried at the next tick.
    Problem(String),
    /// A failure talking to the cluster; retried with backoff.
    Error(anyhow::Error),
}

impl From<anyhow::Error> for Halt {
    fn from(e: anyhow::Error) -> Self {
        Halt::Error(e)
    }
}

fn problem(message: impl Into<String>) -> Halt {
    Halt::Problem(message.into())
}

/// Flagger's progress deadline when `spec.progressDeadlineSeconds` is not set.
const PROGRESS_DEADLINE_SECONDS: i64 = 600;
/// Flagger's ready thresholds (percent of updated replicas available).
const READY_THRESHOLD: i32 = 100;
/// The iterations Flagger runs a kubernetes-provider analysis for when none are set.
const KUBERNETES_ITERATIONS: i32 = 10;

/// What a tick works with.
struct Tick<'a> {
    ctx: &'a CanaryContext,
    client: kube::Client,
    api: Api<Canary>,
    workloads: Workloads,
    canary: Canary,
    analysis: CanaryAnalysis,
    router: Router,
    /// `<name>.<namespace>` of the Canary and of its target, as Flagger's messages name them.
    id: String,
    target_id: String,
}

pub async fn advance(ctx: &CanaryContext, canary: Canary) -> Result<(), Halt> {
    if canary.spec.suspend == Some(true) {
        tracing::debug!(name = %canary.name_any(), "skipping canary run as object is suspended");
        return Ok(());
    }
    let namespace = canary.namespace().unwrap_or_default();
    if canary.spec.target_ref.kind == TargetKind::Service {
        return Err(problem(
            "spec.targetRef.kind: Service targets (Flagger's Knative and service-only canaries) \
             are not supported by tk: target a Deployment or a DaemonSet"
                .to_string(),
        ));
    }
    let provider = canary.spec.provider.unwrap_or(ctx.options.mesh_provider);
    let router = Router::of(provider).map_err(|e| problem(e.to_string()))?;
    let client = ctx.rt.client.clone();
    let mut tick = Tick {
        ctx,
        api: Api::namespaced(client.clone(), &namespace),
        workloads: Workloads::new(&client, &namespace, canary.spec.target_ref.kind),
        client,
        analysis: canary.spec.analysis.clone().unwrap_or_default(),
        router,
        id: format!("{}.{namespace}", canary.name_any()),
        target_id: format!("{}.{namespace}", canary.spec.target_ref.name),
        canary,
    };
    tick.adjust_for_router().await;
    if let Some(why) = weights::invalid(&tick.analysis) {
        return Err(problem(why));
    }
    tick.run().await
}

impl Tick<'_> {
    fn phase(&self) -> CanaryPhase {
        status::phase(&self.canary)
    }

    fn status(&mut self) -> &mut crate::api::flagger::CanaryStatus {
        self.canary.status.get_or_insert_with(Default::default)
    }

    fn skip_analysis(&self) -> bool {
        self.canary.spec.skip_analysis == Some(true) || self.canary.spec.analysis.is_none()
    }

    fn threshold(&self) -> i32 {
        self.analysis.threshold.filter(|t| *t > 0).unwrap_or(1)
    }

    async fn info(&self, message: String) {
        self.ctx.event(&self.canary, false, &message).await;
    }

    async fn warn(&self, message: String) {
        self.ctx.event(&self.canary, true, &message).await;
    }

    /// Sends `message` to the analysis's alerts; `with_metadata` adds Flagger's fields (target,
    /// threshold, deadline, traffic routing).
    async fn alert(&self, message: String, severity: Severity, with_metadata: bool) {
        let fields = if with_metadata {
            alerts::metadata(&self.canary)
        } else {
            Vec::new()
        };
        alerts::send(
            &self.client,
            &self.ctx.http,
            &self.canary,
            &message,
            severity,
            &fields,
        )
        .await;
    }

    /// Writes the status (and the `Promoted` condition for its phase).
    async fn save(&mut self) -> Result<()> {
        let kind = self.canary.spec.target_ref.kind.as_str().to_string();
        status::set_condition(self.status(), &kind, None);
        let written = status::write(&self.api, &self.canary).await?;
        self.ctx.written.record(&written);
        self.ctx.telemetry.set_status(&self.canary, self.phase());
        Ok(())
    }

    async fn set_phase(&mut self, phase: CanaryPhase) -> Result<()> {
        status::set_phase(self.status(), phase);
        self.save().await
    }

    /// The kubernetes provider cannot split traffic: A/B matches are dropped and an analysis
    /// without iterations runs ten, as Flagger does (in memory; the spec is not changed).
    async fn adjust_for_router(&mut self) {
        if self.router.shifts_traffic() {
            return;
        }
        if self
            .analysis
            .r#match
            .as_ref()
            .is_some_and(|m| !m.is_empty())
        {
            self.warn("A/B testing is not supported when using the kubernetes provider".into())
                .await;
            self.analysis.r#match = None;
        }
        if self.analysis.iterations.unwrap_or(0) < 1 {
            self.warn(
                "Progressive traffic is not supported when using the kubernetes provider".into(),
            )
            .await;
            self.warn(format!(
                "Setting canaryAnalysis.iterations: {KUBERNETES_ITERATIONS}"
            ))
            .await;
            self.analysis.iterations = Some(KUBERNETES_ITERATIONS);
        }
    }

    async fn target(&self) -> Result<Workload, Halt> {
        let target = &self.canary.spec.target_ref;
        let name = &target.name;
        self.workloads
            .get_opt(name)
            .await
            .context("reading the target")?
            .ok_or_else(|| {
                problem(format!(
                    "spec.targetRef: {} {name} not found in namespace {}: create it, or fix \
                 spec.targetRef.name",
                    target.kind.as_str(),
                    self.canary.namespace().unwrap_or_default()
                ))
            })
    }

    async fn primary(&self) -> Result<Option<Workload>> {
        self.workloads
            .get_opt(&target::primary_name(&self.canary))
            .await
            .context("reading the primary")
    }

    /// Flagger's readiness rules for the target or the primary.
    fn rollout(&self, workload: &Workload, threshold: Option<i32>) -> Rollout {
        let deadline = i64::from(
            self.canary
                .spec
                .progress_deadline_seconds
                .unwrap_or(PROGRESS_DEADLINE_SECONDS as i32),
        );
        let since = self
            .canary
            .status
            .as_ref()
            .and_then(|s| s.last_transition_time.as_ref())
            .map(|t| t.0.as_second());
        target::rollout(
            workload,
            deadline,
            threshold.unwrap_or(READY_THRESHOLD),
            since,
        )
    }

    async fn tracked_configs(&self, target: &Workload) -> Result<BTreeMap<String, String>> {
        if !self.ctx.options.config_tracking {
            return Ok(BTreeMap::new());
        }
        let spec = target.template().spec.unwrap_or_default();
        let namespace = self.canary.namespace().unwrap_or_default();
        configs::checksums(&self.client, &namespace, &configs::referenced(&spec)).await
    }

    async fn run(&mut self) -> Result<(), Halt> {
        let workload = self.target().await?;
        let sel = Selector::of(&workload, &self.ctx.options.selector_labels).map_err(problem)?;
        let initializing = matches!(self.phase(), CanaryPhase::Unset | CanaryPhase::Initializing);
        let key = super::key(&self.canary);
        let containers = workload.template().spec.unwrap_or_default().containers;
        let ports = services::discovered_ports(&self.canary, &containers);
        let fingerprint = applied::fingerprint(&self.canary, &sel, &ports);
        let fresh = !initializing && self.ctx.applied.fresh(&key, fingerprint);
        let names = if fresh {
            services::names(&self.canary)
        } else {
            services::reconcile(&self.client, &self.canary, &sel, &ports)
                .await
                .map_err(|e| problem(format!("{e:#}")))?
        };
        if initializing && !self.skip_analysis() {
            checks::providers_online(self.ctx, &self.canary, &self.analysis)
                .await
                .map_err(|e| problem(format!("Error checking metric providers: {e}")))?;
        }

        let tracked = self
            .tracked_configs(&workload)
            .await
            .map_err(|e| problem(format!("{e:#}")))?;
        let primary_missing = !fresh && self.primary().await?.is_none();
        if primary_missing {
            self.promote(&workload, &sel, &tracked, None).await?;
            self.info(format!(
                "{} {} created",
                self.canary.spec.target_ref.kind.as_str(),
                target::primary_name(&self.canary)
            ))
            .await;
        }
        if initializing || self.phase() == CanaryPhase::Promoting {
            scaler::reconcile(&self.client, &self.canary)
                .await
                .map_err(|e| problem(format!("{e:#}")))?;
        }
        if initializing {
            if !self.skip_analysis() {
                self.primary_ready().await?;
            }
            self.workloads
                .scale(&self.canary.spec.target_ref.name, 0)
                .await?;
        }
        if !fresh {
            self.router
                .reconcile(&self.client, &self.canary, &names)
                .await
                .map_err(|e| problem(format!("{e:#}")))?;
            self.ctx.applied.record(&key, fingerprint);
        }
        let hash = target::template_hash(&workload.template());
        if initializing {
            let status = self.status();
            status.last_applied_spec = Some(hash);
            status.tracked_configs = Some(tracked);
            status.failed_checks = Some(0);
            self.set_phase(CanaryPhase::Initialized).await?;
            self.info(format!("Initialization done! {}", self.id)).await;
            return Ok(());
        }

        let current = self.canary.status.clone().unwrap_or_default();
        let configs_changed =
            current.tracked_configs.as_ref().unwrap_or(&BTreeMap::new()) != &tracked;
        let new_revision = (current.last_applied_spec.as_deref() != Some(hash.as_str())
            && current.last_promoted_spec.as_deref() != Some(hash.as_str()))
            || configs_changed;
        let phase = self.phase();
        let in_analysis = matches!(
            phase,
            CanaryPhase::Progressing
                | CanaryPhase::Waiting
                | CanaryPhase::WaitingPromotion
                | CanaryPhase::Promoting
                | CanaryPhase::Finalising
        );
        if !in_analysis && !new_revision {
            self.clear_problem().await?;
            return Ok(());
        }

        if !self.skip_analysis() {
            self.primary_ready().await?;
        }
        let routes = self
            .router
            .get_routes(&self.client, &self.canary, &names)
            .await
            .map_err(|e| problem(format!("{e:#}")))?;
        self.ctx
            .telemetry
            .set_weight(&self.canary, routes.primary, routes.canary);

        if !matches!(
            phase,
            CanaryPhase::Progressing
                | CanaryPhase::WaitingPromotion
                | CanaryPhase::Promoting
                | CanaryPhase::Finalising
        ) {
            return self.start(&workload, hash, tracked).await;
        }
        let applied_changed =
            current.last_applied_spec.as_deref() != Some(hash.as_str()) || configs_changed;
        if matches!(
            phase,
            CanaryPhase::Progressing | CanaryPhase::WaitingPromotion
        ) && applied_changed
        {
            self.info(format!(
                "New revision detected! Restarting analysis for {}",
                self.id
            ))
            .await;
            self.router
                .set_routes(&self.client, &self.canary, &names, Routes::PRIMARY)
                .await?;
            self.begin_progressing(hash, tracked).await?;
            return Ok(());
        }

        let stuck = match self.rollout(&workload, self.analysis.canary_ready_threshold) {
            Rollout::Ready => None,
            Rollout::Waiting(message) => {
                self.warn(message).await;
                return Ok(());
            }
            Rollout::Stuck(message) => Some(message),
        };

        if self.skip_analysis() {
            if let Some(stuck) = stuck {
                self.warn(format!(
                    "Rolling back {} progress deadline exceeded {stuck}",
                    self.id
                ))
                .await;
                self.alert(
                    format!("Progress deadline exceeded {stuck}"),
                    Severity::Error,
                    false,
                )
                .await;
                return self.rollback(&names, "canary").await;
            }
            self.router
                .set_routes(&self.client, &self.canary, &names, Routes::PRIMARY)
                .await?;
            self.copy_to_primary(&workload, &sel, &tracked).await?;
            self.workloads
                .scale(&self.canary.spec.target_ref.name, 0)
                .await?;
            self.set_phase(CanaryPhase::Succeeded).await?;
            self.info(format!(
                "Promotion completed! Canary analysis was skipped for {}",
                self.target_id
            ))
            .await;
            self.alert(
                "Canary analysis was skipped, promotion finished.".into(),
                Severity::Info,
                false,
            )
            .await;
            self.ctx
                .telemetry
                .finished(&self.canary, self.strategy(), true, true);
            self.post_rollout(CanaryPhase::Succeeded).await;
            return Ok(());
        }

        if matches!(
            phase,
            CanaryPhase::Progressing | CanaryPhase::Waiting | CanaryPhase::WaitingPromotion
        ) {
            for hook in hooks::of_type(&self.canary, HookType::Rollback) {
                match hooks::call(&self.ctx.http, &self.canary, phase, &hook, None).await {
                    Ok(()) => {
                        self.info(format!("Rollback check {} passed", hook.name))
                            .await;
                        self.warn(format!("Rolling back {} manual webhook invoked", self.id))
                            .await;
                        self.alert(
                            "Rolling back manual webhook invoked".into(),
                            Severity::Warn,
                            false,
                        )
                        .await;
                        return self.rollback(&names, self.strategy()).await;
                    }
                    Err(e) => {
                        tracing::debug!(hook = %hook.name, error = %e, "rollback hook not signaling a rollback")
                    }
                }
            }
        }

        if phase == CanaryPhase::Promoting {
            return self.shift_to_primary(&names, routes).await;
        }
        if phase == CanaryPhase::Finalising {
            self.workloads
                .scale(&self.canary.spec.target_ref.name, 0)
                .await?;
            self.set_phase(CanaryPhase::Succeeded).await?;
            self.post_rollout(CanaryPhase::Succeeded).await;
            self.info(format!(
                "Promotion completed! Scaling down {}",
                self.target_id
            ))
            .await;
            self.alert(
                "Canary analysis completed successfully, promotion finished.".into(),
                Severity::Info,
                false,
            )
            .await;
            self.ctx
                .telemetry
                .finished(&self.canary, self.strategy(), true, false);
            return Ok(());
        }

        let failed = current.failed_checks.unwrap_or(0);
        if stuck.is_some() || failed >= self.threshold() {
            if let Some(stuck) = stuck {
                self.warn(format!(
                    "Rolling back {} progress deadline exceeded {stuck}",
                    self.id
                ))
                .await;
                self.alert(
                    format!("Progress deadline exceeded {stuck}"),
                    Severity::Error,
                    false,
                )
                .await;
            }
            return self.rollback(&names, self.strategy()).await;
        }

        let started = Instant::now();
        let mirrored_start = self.analysis.mirror == Some(true) && routes.mirrored;
        if routes.canary == 0 && current.iterations.unwrap_or(0) == 0 && !mirrored_start {
            self.info(format!("Starting canary analysis for {}", self.target_id))
                .await;
            for hook in hooks::of_type(&self.canary, HookType::PreRollout) {
                if let Err(e) = hooks::call(
                    &self.ctx.http,
                    &self.canary,
                    CanaryPhase::Progressing,
                    &hook,
                    None,
                )
                .await
                {
                    self.warn(format!(
                        "Halt {} advancement pre-rollout check {} failed {e}",
                        self.id, hook.name
                    ))
                    .await;
                    return self.count_failure().await;
                }
                self.info(format!("Pre-rollout check {} passed", hook.name))
                    .await;
            }
        } else if let Err(why) = self.analyse().await {
            self.warn(why).await;
            return self.count_failure().await;
        }

        let result = if self.is_ab() {
            self.run_ab(&workload, &sel, &tracked, &names).await
        } else if self.analysis.iterations.unwrap_or(0) > 0 {
            self.run_blue_green(&workload, &sel, &tracked, &names).await
        } else {
            if !mirrored_start && phase == CanaryPhase::Progressing {
                let gates = hooks::of_type(&self.canary, HookType::ConfirmTrafficIncrease);
                for hook in gates.into_iter().filter(|_| !self.approved()) {
                    if let Err(e) = hooks::call(
                        &self.ctx.http,
                        &self.canary,
                        CanaryPhase::Progressing,
                        &hook,
                        None,
                    )
                    .await
                    {
                        self.warn(format!(
                            "Halt {} advancement waiting for traffic increase approval {}: {e}",
                            self.id, hook.name
                        ))
                        .await;
                        return Ok(());
                    }
                    self.info(format!(
                        "Confirm-traffic-increase check {} passed",
                        hook.name
                    ))
                    .await;
                }
            }
            self.run_canary(&workload, &sel, &tracked, &names, routes)
                .await
        };
        self.ctx
            .telemetry
            .observe_duration(&self.canary, started.elapsed().as_secs_f64());
        result
    }

    fn is_ab(&self) -> bool {
        self.analysis
            .r#match
            .as_ref()
            .is_some_and(|m| !m.is_empty())
            && self.analysis.iterations.unwrap_or(0) > 0
    }

    /// Flagger's `deployment_strategy` label.
    fn strategy(&self) -> &'static str {
        if self.is_ab() {
            "ab-testing"
        } else if self.analysis.iterations.unwrap_or(0) > 0 {
            "blue-green"
        } else {
            "canary"
        }
    }

    async fn primary_ready(&self) -> Result<(), Halt> {
        let name = target::primary_name(&self.canary);
        let primary = self
            .primary()
            .await?
            .ok_or_else(|| anyhow::anyhow!("{name} not found"))?;
        match self.rollout(&primary, self.analysis.primary_ready_threshold) {
            Rollout::Ready => Ok(()),
            Rollout::Waiting(m) | Rollout::Stuck(m) => Err(problem(m)),
        }
    }

    /// Restores the phase's own message on the `Promoted` condition once a problem is gone.
    async fn clear_problem(&mut self) -> Result<()> {
        let kind = self.canary.spec.target_ref.kind.as_str().to_string();
        let before = self.canary.status.clone();
        status::set_condition(self.status(), &kind, None);
        if before != self.canary.status {
            let written = status::write(&self.api, &self.canary).await?;
            self.ctx.written.record(&written);
        }
        self.ctx.telemetry.set_status(&self.canary, self.phase());
        Ok(())
    }

    /// A new revision: gate it (`confirm-rollout`), then scale the target up and start the
    /// analysis at the next tick.
    async fn start(
        &mut self,
        workload: &Workload,
        hash: String,
        tracked: BTreeMap<String, String>,
    ) -> Result<(), Halt> {
        let gates = hooks::of_type(&self.canary, HookType::ConfirmRollout);
        let approved = self.approves(APPROVED_ROLLOUT_ANNOTATION, &hash);
        if approved && !gates.is_empty() {
            self.info(format!(
                "Rollout of {} approved by {APPROVED_ROLLOUT_ANNOTATION}",
                self.id
            ))
            .await;
        }
        for hook in gates.into_iter().filter(|_| !approved) {
            if let Err(e) = hooks::call(
                &self.ctx.http,
                &self.canary,
                CanaryPhase::Progressing,
                &hook,
                None,
            )
            .await
            {
                if self.phase() != CanaryPhase::Waiting {
                    self.set_phase(CanaryPhase::Waiting).await?;
                    if hook.mute_alert != Some(true) {
                        self.alert(
                            "Canary is waiting for approval.".into(),
                            Severity::Warn,
                            false,
                        )
                        .await;
                    }
                }
                self.warn(format!(
                    "Halt {} advancement waiting for approval {}: {e}",
                    self.id, hook.name
                ))
                .await;
                return Ok(());
            }
            self.info(format!("Confirm-rollout check {} passed", hook.name))
                .await;
        }
        self.info(format!(
            "New revision detected! Scaling up {}",
            self.target_id
        ))
        .await;
        self.alert(
            "New revision detected, progressing canary analysis.".into(),
            Severity::Info,
            true,
        )
        .await;
        let replicas = match workload.replicas() {
            Some(n) if n > 0 => n,
            _ => self
                .primary()
                .await?
                .and_then(|p| p.replicas())
                .unwrap_or(1)
                .max(1),
        };
        self.workloads
            .scale(&self.canary.spec.target_ref.name, replicas)
            .await?;
        self.begin_progressing(hash, tracked).await?;
        Ok(())
    }

    async fn begin_progressing(
        &mut self,
        hash: String,
        tracked: BTreeMap<String, String>,
    ) -> Result<()> {
        let status = self.status();
        status.last_applied_spec = Some(hash);
        status.tracked_configs = Some(tracked);
        status.failed_checks = Some(0);
        status.canary_weight = Some(0);
        status.iterations = Some(0);
        self.set_phase(CanaryPhase::Progressing).await
    }

    async fn count_failure(&mut self) -> Result<(), Halt> {
        let status = self.status();
        status.failed_checks = Some(status.failed_checks.unwrap_or(0) + 1);
        self.save().await?;
        Ok(())
    }

    /// Rollout hooks, then every metric: the first failure's message, in Flagger's words.
    async fn analyse(&mut self) -> Result<(), String> {
        for hook in hooks::of_type(&self.canary, HookType::Rollout) {
            if let Err(e) = hooks::call(
                &self.ctx.http,
                &self.canary,
                CanaryPhase::Progressing,
                &hook,
                None,
            )
            .await
            {
                return Err(format!(
                    "Halt {} advancement external check {} failed {e}",
                    self.id, hook.name
                ));
            }
        }
        checks::run(self.ctx, &self.canary, &self.analysis, self.router).await
    }

    async fn run_canary(
        &mut self,
        workload: &Workload,
        sel: &Selector,
        tracked: &BTreeMap<String, String>,
        names: &Names,
        routes: Routes,
    ) -> Result<(), Halt> {
        let max = weights::max_weight(&self.analysis);
        if routes.canary < max {
            let next =
                if self.analysis.mirror == Some(true) && routes.canary == 0 && !routes.mirrored {
                    Routes {
                        primary: weights::TOTAL,
                        canary: 0,
                        mirrored: true,
                    }
                } else {
                    let (primary, canary) =
                        weights::step(&self.analysis, routes.primary, routes.canary);
                    Routes {
                        primary,
                        canary,
                        mirrored: false,
                    }
                };
            self.router
                .set_routes(&self.client, &self.canary, names, next)
                .await?;
            self.status().canary_weight = Some(next.canary);
            self.save().await?;
            self.ctx
                .telemetry
                .set_weight(&self.canary, next.primary, next.canary);
            self.info(format!("Advance {} canary weight {}", self.id, next.canary))
                .await;
            return Ok(());
        }
        self.promote_when_confirmed(workload, sel, tracked).await
    }

    async fn run_ab(
        &mut self,
        workload: &Workload,
        sel: &Selector,
        tracked: &BTreeMap<String, String>,
        names: &Names,
    ) -> Result<(), Halt> {
        let total = self.analysis.iterations.unwrap_or(0);
        let done = self
            .canary
            .status
            .as_ref()
            .and_then(|s| s.iterations)
            .unwrap_or(0);
        if total > done {
            let all = Routes {
                primary: 0,
                canary: weights::TOTAL,
                mirrored: false,
            };
            self.router
                .set_routes(&self.client, &self.canary, names, all)
                .await?;
            self.ctx
                .telemetry
                .set_weight(&self.canary, 0, weights::TOTAL);
            self.status().iterations = Some(done + 1);
            self.save().await?;
            self.info(format!(
                "Advance {} canary iteration {}/{total}",
                self.id,
                done + 1
            ))
            .await;
            return Ok(());
        }
        self.promote_when_confirmed(workload, sel, tracked).await
    }

    async fn run_blue_green(
        &mut self,
        workload: &Workload,
        sel: &Selector,
        tracked: &BTreeMap<String, String>,
        names: &Names,
    ) -> Result<(), Halt> {
        let total = self.analysis.iterations.unwrap_or(0);
        let done = self
            .canary
            .status
            .as_ref()
            .and_then(|s| s.iterations)
            .unwrap_or(0);
        let mirror = self.analysis.mirror == Some(true) && self.router.shifts_traffic();
        if total > done {
            if mirror {
                let mirrored = Routes {
                    mirrored: true,
                    ..Routes::PRIMARY
                };
                self.router
                    .set_routes(&self.client, &self.canary, names, mirrored)
                    .await?;
            }
            self.status().iterations = Some(done + 1);
            self.save().await?;
            self.info(format!(
                "Advance {} canary iteration {}/{total}",
                self.id,
                done + 1
            ))
            .await;
            return Ok(());
        }
        if !self.confirm_promotion().await? {
            return Ok(());
        }
        if total == done {
            if self.router.shifts_traffic() {
                self.info(if mirror {
                    "Stop traffic mirroring and route all traffic to canary".to_string()
                } else {
                    "Routing all traffic to canary".to_string()
                })
                .await;
                let all = Routes {
                    primary: 0,
                    canary: weights::TOTAL,
                    mirrored: false,
                };
                self.router
                    .set_routes(&self.client, &self.canary, names, all)
                    .await?;
                self.ctx
                    .telemetry
                    .set_weight(&self.canary, 0, weights::TOTAL);
            }
            self.status().iterations = Some(done + 1);
            self.save().await?;
            return Ok(());
        }
        self.copy_to_primary(workload, sel, tracked).await?;
        self.set_phase(CanaryPhase::Promoting).await?;
        Ok(())
    }

    /// The end of an analysis: once the `confirm-promotion` gates pass, the primary gets the
    /// target's revision and the canary moves to Promoting.
    async fn promote_when_confirmed(
        &mut self,
        workload: &Workload,
        sel: &Selector,
        tracked: &BTreeMap<String, String>,
    ) -> Result<(), Halt> {
        if !self.confirm_promotion().await? {
            return Ok(());
        }
        self.copy_to_primary(workload, sel, tracked).await?;
        self.set_phase(CanaryPhase::Promoting).await?;
        Ok(())
    }

    /// `confirm-promotion` gates: while one refuses the canary waits in WaitingPromotion.
    async fn confirm_promotion(&mut self) -> Result<bool> {
        let hooks = hooks::of_type(&self.canary, HookType::ConfirmPromotion);
        if !hooks.is_empty() && self.approved() {
            self.info(format!(
                "Promotion of {} approved by {APPROVED_REVISION_ANNOTATION}",
                self.id
            ))
            .await;
        }
        for hook in hooks.into_iter().filter(|_| !self.approved()) {
            if let Err(e) = hooks::call(
                &self.ctx.http,
                &self.canary,
                CanaryPhase::Progressing,
                &hook,
                None,
            )
            .await
            {
                if self.phase() != CanaryPhase::WaitingPromotion {
                    self.set_phase(CanaryPhase::WaitingPromotion).await?;
                    self.warn(format!(
                        "Halt {} advancement waiting for promotion approval {}: {e}",
                        self.id, hook.name
                    ))
                    .await;
                    if hook.mute_alert != Some(true) {
                        self.alert(
                            "Canary promotion is waiting for approval.".into(),
                            Severity::Warn,
                            false,
                        )
                        .await;
                    }
                }
                return Ok(false);
            }
            self.info(format!("Confirm-promotion check {} passed", hook.name))
                .await;
        }
        if self.phase() == CanaryPhase::WaitingPromotion {
            self.set_phase(CanaryPhase::Progressing).await?;
        }
        Ok(true)
    }

    /// Whether `tk promote canary` approved the revision under analysis.
    fn approved(&self) -> bool {
        let applied = self
            .canary
            .status
            .as_ref()
            .and_then(|s| s.last_applied_spec.as_deref());
        applied.is_some_and(|revision| self.approves(APPROVED_REVISION_ANNOTATION, revision))
    }

    /// Whether the approval `annotation` names `revision`.
    fn approves(&self, annotation: &str, revision: &str) -> bool {
        self.canary
            .annotations()
            .get(annotation)
            .is_some_and(|a| a == revision)
    }

    /// Copies the target's revision to the primary.
    async fn copy_to_primary(
        &mut self,
        workload: &Workload,
        sel: &Selector,
        tracked: &BTreeMap<String, String>,
    ) -> Result<()> {
        self.info(format!(
            "Copying {} template spec to {}.{}",
            self.target_id,
            target::primary_name(&self.canary),
            self.canary.namespace().unwrap_or_default()
        ))
        .await;
        let primary = self.primary().await?;
        self.promote(workload, sel, tracked, primary.as_ref()).await
    }

    /// Writes the primary from the target: its template (config references renamed to the
    /// primary's copies) and, unless an autoscaler owns it, its replica count.
    async fn promote(
        &self,
        workload: &Workload,
        sel: &Selector,
        tracked: &BTreeMap<String, String>,
        primary: Option<&Workload>,
    ) -> Result<()> {
        configs::copy_to_primary(&self.client, &self.canary, tracked).await?;
        let mut template = workload.template();
        template.spec = template
            .spec
            .map(|s| configs::primary_pod_spec(&s, tracked));
        // An autoscaler owns the primary's replica count once it exists.
        let autoscaled = self.canary.spec.autoscaler_ref.is_some();
        let target_replicas = workload
            .replicas()
            .filter(|n| *n > 0 && !(autoscaled && primary.is_some()));
        let replicas = target_replicas
            .or_else(|| primary.and_then(Workload::replicas))
            .unwrap_or(1);
        let desired = target::desired_primary(&self.canary, workload, sel, replicas, template);
        self.workloads.apply_primary(&desired).await?;
        Ok(())
    }

    /// Promoting: route traffic back to the primary (at once, or `stepWeightPromotion` per
    /// tick), then Finalising.
    async fn shift_to_primary(&mut self, names: &Names, routes: Routes) -> Result<(), Halt> {
        if !self.router.shifts_traffic() {
            self.set_phase(CanaryPhase::Finalising).await?;
            return Ok(());
        }
        let step = self.analysis.step_weight_promotion.unwrap_or(0);
        if step <= 0 {
            self.info("Routing all traffic to primary".to_string())
                .await;
            self.router
                .set_routes(&self.client, &self.canary, names, Routes::PRIMARY)
                .await?;
            self.ctx
                .telemetry
                .set_weight(&self.canary, weights::TOTAL, 0);
            self.set_phase(CanaryPhase::Finalising).await?;
            return Ok(());
        }
        let primary = (routes.primary + step).min(weights::TOTAL);
        let next = Routes {
            primary,
            canary: weights::TOTAL - primary,
            mirrored: false,
        };
        self.router
            .set_routes(&self.client, &self.canary, names, next)
            .await?;
        self.ctx
            .telemetry
            .set_weight(&self.canary, next.primary, next.canary);
        self.info(format!("Advance {} primary weight {primary}", self.id))
            .await;
        if primary >= weights::TOTAL {
            self.set_phase(CanaryPhase::Finalising).await?;
        } else {
            self.status().canary_weight = Some(next.canary);
            self.save().await?;
        }
        Ok(())
    }

    /// All traffic back to the primary, the target scaled to zero, phase Failed.
    async fn rollback(&mut self, names: &Names, strategy: &str) -> Result<(), Halt> {
        let failed = self
            .canary
            .status
            .as_ref()
            .and_then(|s| s.failed_checks)
            .unwrap_or(0);
        if failed >= self.threshold() {
            self.warn(format!(
                "Rolling back {} failed checks threshold reached {failed}",
                self.id
            ))
            .await;
            self.alert(
                format!("Failed checks threshold reached {failed}"),
                Severity::Error,
                false,
            )
            .await;
        }
        self.router
            .set_routes(&self.client, &self.canary, names, Routes::PRIMARY)
            .await?;
        self.ctx
            .telemetry
            .set_weight(&self.canary, weights::TOTAL, 0);
        self.warn(format!("Canary failed! Scaling down {}", self.target_id))
            .await;
        self.workloads
            .scale(&self.canary.spec.target_ref.name, 0)
            .await?;
        self.status().failed_checks = Some(0);
        self.set_phase(CanaryPhase::Failed).await?;
        self.ctx
            .telemetry
            .finished(&self.canary, strategy, false, false);
        self.post_rollout(CanaryPhase::Failed).await;
        Ok(())
    }

    async fn post_rollout(&self, phase: CanaryPhase) {
        for hook in hooks::of_type(&self.canary, HookType::PostRollout) {
            match hooks::call(&self.ctx.http, &self.canary, phase, &hook, None).await {
                Ok(()) => {
                    self.info(format!("Post-rollout check {} passed", hook.name))
                        .await
                }
                Err(e) => {
                    self.warn(format!("Post-rollout hook {} failed {e}", hook.name))
                        .await
                }
            }
        }
    }
}
