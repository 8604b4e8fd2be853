//! Helm release actions as `helm install`, `helm upgrade` and `helm uninstall` perform them,
//! on tk's parts: crates/helm renders, src/ssa applies server-side, waits with kstatus and
//! prunes, and the records go to Helm 3 storage so `helm list|history|get` see them.

use std::collections::BTreeSet;
use std::time::Duration;

use helm::chart::Chart;
use helm::release::{HookExecution, ReleaseRecord, Status, Time};
use helm::values::Values;
use serde_json::Value;

use super::HelmContext;
use super::storage::SecretStorage;
use crate::ssa::{ApplyOptions, DeleteOptions, ObjectRef, Owner, ResourceManager};

/// The field manager applying release objects.
pub const FIELD_MANAGER: &str = "helm-controller";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
const WAIT_INTERVAL: Duration = Duration::from_secs(2);
/// Helm's `maxHistory` default in helm-controller.
const DEFAULT_MAX_HISTORY: usize = 5;
/// Helm's maximum release name length (a Secret label value must fit).
const MAX_RELEASE_NAME: usize = 53;

/// Where a HelmRelease's release lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub name: String,
    /// The release namespace (`spec.targetNamespace`, else the HelmRelease's).
    pub namespace: String,
    /// Where the release records are kept (`spec.storageNamespace`, else the HelmRelease's).
    pub storage_namespace: String,
}

impl Target {
    pub fn of(obj: &crate::api::helm::HelmRelease) -> Target {
        use kube::ResourceExt;
        let ns = obj.namespace().unwrap_or_default();
        let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
        let target_ns = nonempty(&obj.spec.target_namespace);
        let name = nonempty(&obj.spec.release_name).unwrap_or_else(|| match &target_ns {
            Some(t) => format!("{t}-{}", obj.name_any()),
            None => obj.name_any(),
        });
        Target {
            name: shorten_name(&name),
            namespace: target_ns.unwrap_or_else(|| ns.clone()),
            storage_namespace: nonempty(&obj.spec.storage_namespace).unwrap_or(ns),
        }
    }

    /// `<namespace>/<name>`, as Flux names a release in messages.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// helm-controller's ShortenName: names over 53 characters keep a prefix and gain a hash.
fn shorten_name(name: &str) -> String {
    if name.len() <= MAX_RELEASE_NAME {
        return name.to_string();
    }
    let hash = artifact::Digest::of_reader(artifact::Algorithm::Sha256, name.as_bytes())
        .expect("hashing memory cannot fail")
        .0
        .hex();
    format!("{}-{}", &name[..MAX_RELEASE_NAME - 13], &hash[..12])
}

/// A failed action: the message, and the record it left in storage (which counts towards
/// remediation), if any.
#[derive(Debug)]
pub struct ActionError {
    pub message: String,
    pub stored: Option<ReleaseRecord>,
}

impl ActionError {
    fn before_storage(message: impl Into<String>) -> ActionError {
        ActionError {
            message: message.into(),
            stored: None,
        }
    }
}

/// What an install or upgrade needs.
pub struct Deploy<'a> {
    pub ctx: &'a HelmContext,
    pub client: kube::Client,
    pub owner: Owner,
    pub target: &'a Target,
    pub chart: &'a Chart,
    pub values: &'a Values,
    pub storage: &'a SecretStorage,
    pub timeout: Option<Duration>,
    pub disable_wait: bool,
    pub disable_hooks: bool,
    pub skip_schema_validation: bool,
    /// Apply the chart's CRDs (install `crds: Create|CreateReplace`, upgrade likewise).
    pub apply_crds: bool,
    pub create_namespace: bool,
    pub force: bool,
    pub max_history: Option<i64>,
    pub post_renderers: &'a [crate::api::helm::PostRenderer],
}

impl Deploy<'_> {
    fn manager(&self) -> ResourceManager {
        manager(self.ctx, self.client.clone(), self.owner.clone())
    }

    /// Installs (`previous` = None) or upgrades from the deployed `previous` release, as
    /// version `version`. Returns the deployed record.
    pub async fn run(
        &self,
        previous: Option<&ReleaseRecord>,
        version: i64,
    ) -> Result<ReleaseRecord, ActionError> {
        let upgrade = previous.is_some();
        let mut render = helm::engine::RenderOptions {
            release_name: self.target.name.clone(),
            namespace: self.target.namespace.clone(),
            revision: version,
            is_upgrade: upgrade,
            ..Default::default()
        };
        render.capabilities = self.ctx.capabilities(&self.client).await;
        let chart = self.chart.clone();
        let values = self.values.clone();
        let skip_schema = self.skip_schema_validation;
        let rendered = tokio::task::spawn_blocking(move || {
            helm::engine::template::render_release(chart, &values, skip_schema, &render)
        })
        .await
        .map_err(|e| ActionError::before_storage(format!("rendering aborted: {e}")))?
        .map_err(|e| ActionError::before_storage(e.message(false)))?;
        let (_, _, rendered) = rendered;
        let manifest = super::postrender::apply(&rendered.manifest_text(), self.post_renderers)
            .map_err(|e| {
                ActionError::before_storage(format!(
                    "error while running post render on files: {e}"
                ))
            })?;

        let now = Time::now();
        let mut record = ReleaseRecord {
            name: self.target.name.clone(),
            namespace: self.target.namespace.clone(),
            version,
            chart: self.chart.clone(),
            config: self.values.clone(),
            manifest,
            hooks: rendered.hooks.clone(),
            info: helm::release::Info {
                first_deployed: previous
                    .map(|p| p.info.first_deployed.clone())
                    .unwrap_or_else(|| now.clone()),
                last_deployed: now,
                status: if upgrade {
                    Status::PendingUpgrade
                } else {
                    Status::PendingInstall
                },
                description: if upgrade {
                    "Preparing upgrade".into()
                } else {
                    "Initial install underway".into()
                },
                notes: rendered.notes.clone(),
                ..Default::default()
            },
            labels: Default::default(),
        };
        self.storage
            .create(&record)
            .await
            .map_err(|e| ActionError::before_storage(e.to_string()))?;

        let event = if upgrade { "upgrade" } else { "install" };
        let previous_manifest = previous.map(|p| p.manifest.as_str());
        let outcome = self.deploy(&mut record, previous_manifest, event).await;
        let complete = if upgrade {
            "Upgrade complete"
        } else {
            "Install complete"
        };
        self.finish(record, &[previous], outcome, complete).await
    }

    /// Rolls back to `target` (the last deployed release) after `failed`: `target`'s chart,
    /// values and manifest released again as a new version, as `helm rollback` does.
    pub async fn rollback(
        &self,
        failed: &ReleaseRecord,
        target: &ReleaseRecord,
    ) -> Result<ReleaseRecord, ActionError> {
        let mut record = target.clone();
        record.version = failed.version + 1;
        record.info.last_deployed = Time::now();
        record.info.deleted = Time::zero();
        record.info.status = Status::PendingRollback;
        record.info.description = format!("Rollback to {}", target.version);
        for hook in &mut record.hooks {
            hook.last_run = HookExecution::default();
        }
        self.storage
            .create(&record)
            .await
            .map_err(|e| ActionError::before_storage(e.to_string()))?;
        let outcome = self
            .deploy(&mut record, Some(failed.manifest.as_str()), "rollback")
            .await;
        let description = format!("Rollback to {}", target.version);
        self.finish(record, &[Some(target), Some(failed)], outcome, &description)
            .await
    }

    /// Records the outcome: deployed (and whichever of `replaced` was deployed superseded),
    /// or failed.
    async fn finish(
        &self,
        mut record: ReleaseRecord,
        replaced: &[Option<&ReleaseRecord>],
        outcome: Result<(), String>,
        complete: &str,
    ) -> Result<ReleaseRecord, ActionError> {
        match outcome {
            Ok(()) => {
                record.info.status = Status::Deployed;
                record.info.description = complete.to_string();
                self.storage
                    .update(&record)
                    .await
                    .map_err(|e| ActionError {
                        message: e.to_string(),
                        stored: Some(record.clone()),
                    })?;
                for previous in replaced.iter().flatten() {
                    if previous.info.status != Status::Deployed {
                        continue;
                    }
                    let mut superseded = (*previous).clone();
                    superseded.info.status = Status::Superseded;
                    superseded.info.description = "Superseded".into();
                    if let Err(e) = self.storage.update(&superseded).await {
                        tracing::warn!(error = %e, "marking the previous release superseded");
                    }
                }
                self.prune_history().await;
                Ok(record)
            }
            Err(message) => {
                record.info.status = Status::Failed;
                record.info.description = format!("Release \"{}\" failed: {message}", record.name);
                if let Err(e) = self.storage.update(&record).await {
                    tracing::warn!(error = %e, "recording the failed release");
                }
                Err(ActionError {
                    message,
                    stored: Some(record),
                })
            }
        }
    }

    /// Applies the record's manifest between its `pre-<event>` and `post-<event>` hooks,
    /// deletes what `previous_manifest` had and this one has not, and waits.
    async fn deploy(
        &self,
        record: &mut ReleaseRecord,
        previous_manifest: Option<&str>,
        hook_event: &str,
    ) -> Result<(), String> {
        let manager = self.manager();
        let upgrade = previous_manifest.is_some();
        if self.create_namespace && !upgrade {
            let namespace = serde_json::json!({
                "apiVersion": "v1", "kind": "Namespace",
                "metadata": { "name": self.target.namespace },
            });
            manager
                .apply_all_staged(vec![namespace], &ApplyOptions::default())
                .await
                .map_err(|e| format!("failed to create namespace: {e}"))?;
        }
        let mut objects = Vec::new();
        if self.apply_crds {
            objects.extend(crd_objects(self.chart)?);
        }
        objects.extend(release_objects(record, self.target)?);
        if !self.disable_hooks {
            self.run_hooks(record, &format!("pre-{hook_event}")).await?;
        }
        let refs: Vec<ObjectRef> = objects
            .iter()
            .filter_map(|o| ObjectRef::from_object(o).ok())
            .collect();
        let options = ApplyOptions {
            force: self.force,
            ..Default::default()
        };
        manager
            .apply_all_staged(objects, &options)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(previous_manifest) = previous_manifest {
            let kept: BTreeSet<&ObjectRef> = refs.iter().collect();
            let stale: Vec<ObjectRef> = deletable_refs(previous_manifest, &self.target.namespace)
                .into_iter()
                .filter(|r| !kept.contains(r))
                .collect();
            if !stale.is_empty() {
                manager
                    .delete_all(&stale, &DeleteOptions::default())
                    .await
                    .map_err(|e| {
                        format!("failed to delete resources removed from the chart: {e}")
                    })?;
            }
        }
        if !self.disable_wait {
            let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
            let namespaced: Vec<ObjectRef> = refs
                .into_iter()
                .filter(|r| r.kind != "CustomResourceDefinition")
                .collect();
            manager
                .wait_for_set(&namespaced, WAIT_INTERVAL, timeout)
                .await
                .map_err(|e| e.to_string())?;
        }
        if !self.disable_hooks {
            self.run_hooks(record, &format!("post-{hook_event}"))
                .await?;
        }
        Ok(())
    }

    /// Runs the hooks of `event` in Helm's order (weight, then name): each is recreated
    /// (`before-hook-creation`, the default policy), awaited, and removed when its policy
    /// says so; the outcome is recorded on the hook.
    async fn run_hooks(&self, record: &mut ReleaseRecord, event: &str) -> Result<(), String> {
        self.run_selected_hooks(record, event, |_| true, self.timeout)
            .await
            .map(|_| ())
    }

    /// Runs the hooks of `event` that `select` keeps; returns how many ran.
    async fn run_selected_hooks(
        &self,
        record: &mut ReleaseRecord,
        event: &str,
        select: impl Fn(&helm::release::Hook) -> bool,
        timeout: Option<Duration>,
    ) -> Result<usize, String> {
        let hooks = Hooks {
            manager: self.manager(),
            client: &self.client,
            target: self.target,
        };
        hooks.run(record, event, select, timeout).await
    }

    /// `helm test`: the release's test hooks (those `filters` select) run and awaited; the
    /// outcome is recorded on the release. Returns how many ran.
    pub async fn test(
        &self,
        record: &mut ReleaseRecord,
        filters: &[crate::api::helm::TestFilter],
        timeout: Option<Duration>,
    ) -> Result<usize, String> {
        let included: Vec<&str> = filters
            .iter()
            .filter(|f| f.exclude != Some(true))
            .map(|f| f.name.as_str())
            .collect();
        let excluded: Vec<&str> = filters
            .iter()
            .filter(|f| f.exclude == Some(true))
            .map(|f| f.name.as_str())
            .collect();
        let select = |hook: &helm::release::Hook| {
            (included.is_empty() || included.contains(&hook.name.as_str()))
                && !excluded.contains(&hook.name.as_str())
        };
        let result = self
            .run_selected_hooks(record, "test", select, timeout.or(self.timeout))
            .await;
        if let Err(e) = self.storage.update(record).await {
            tracing::warn!(error = %e, "recording the test results");
        }
        result
    }

    /// Keeps at most `maxHistory` records (0: all), deleting the oldest first, never the
    /// deployed one.
    async fn prune_history(&self) {
        let max = match self.max_history {
            Some(0) => return,
            Some(n) if n > 0 => n as usize,
            _ => DEFAULT_MAX_HISTORY,
        };
        let Ok(mut history) = self.storage.recorded(&self.target.name).await else {
            return;
        };
        history.sort_by_key(|r| r.version);
        let excess = history.len().saturating_sub(max);
        for record in history
            .iter()
            .filter(|r| r.info.status != Status::Deployed)
            .take(excess)
        {
            if let Err(e) = self.storage.delete(&record.name, record.version).await {
                tracing::warn!(error = %e, version = record.version, "pruning release history");
            }
        }
    }
}

/// Runs a release's hooks for one event, as Helm's execHook does.
struct Hooks<'a> {
    manager: ResourceManager,
    client: &'a kube::Client,
    target: &'a Target,
}

impl Hooks<'_> {
    /// Runs the hooks of `event` that `select` keeps, in Helm's order (weight, then name):
    /// each is recreated (`before-hook-creation`, the default policy), awaited, and removed
    /// when its policy says so; the outcome is recorded on the hook. Returns how many ran.
    async fn run(
        &self,
        record: &mut ReleaseRecord,
        event: &str,
        select: impl Fn(&helm::release::Hook) -> bool,
        timeout: Option<Duration>,
    ) -> Result<usize, String> {
        let mut order: Vec<usize> = (0..record.hooks.len())
            .filter(|&i| record.hooks[i].events.iter().any(|e| e == event))
            .filter(|&i| select(&record.hooks[i]))
            .collect();
        let count = order.len();
        order.sort_by(|&a, &b| {
            let (a, b) = (&record.hooks[a], &record.hooks[b]);
            a.weight.cmp(&b.weight).then_with(|| a.name.cmp(&b.name))
        });
        for i in order {
            let hook = record.hooks[i].clone();
            let policies = if hook.delete_policies.is_empty() {
                vec!["before-hook-creation".to_string()]
            } else {
                hook.delete_policies.clone()
            };
            let mut objects = parse_documents(&hook.manifest, &hook.path)?;
            for object in &mut objects {
                adopt(object, self.target);
            }
            let refs: Vec<ObjectRef> = objects
                .iter()
                .filter_map(|o| ObjectRef::from_object(o).ok())
                .collect();
            if policies.iter().any(|p| p == "before-hook-creation") {
                self.manager
                    .delete_all(&refs, &DeleteOptions::default())
                    .await
                    .map_err(|e| format!("warning: hook {}: {e}", hook.path))?;
            }
            let started = Time::now();
            record.hooks[i].last_run = HookExecution {
                started_at: started.clone(),
                completed_at: Time::zero(),
                phase: "Running".into(),
            };
            let result = async {
                self.manager
                    .apply_all_staged(objects, &ApplyOptions::default())
                    .await
                    .map_err(|e| e.to_string())?;
                await_hook(self.client, &refs, timeout.unwrap_or(DEFAULT_TIMEOUT)).await
            }
            .await;
            let phase = if result.is_ok() {
                "Succeeded"
            } else {
                "Failed"
            };
            record.hooks[i].last_run = HookExecution {
                started_at: started,
                completed_at: Time::now(),
                phase: phase.into(),
            };
            let policy = if result.is_ok() {
                "hook-succeeded"
            } else {
                "hook-failed"
            };
            if policies.iter().any(|p| p == policy) {
                let _ = self
                    .manager
                    .delete_all(&refs, &DeleteOptions::default())
                    .await;
            }
            result.map_err(|e| format!("{event} hook {} failed: {e}", hook.path))?;
        }
        Ok(count)
    }
}

/// Waits until every hook object is done, as Helm does: a Pod until it Succeeded, a Job
/// until it is Complete (either failing is an error); other kinds once created.
async fn await_hook(
    client: &kube::Client,
    refs: &[ObjectRef],
    timeout: Duration,
) -> Result<(), String> {
    use k8s_openapi::api::batch::v1::Job;
    use k8s_openapi::api::core::v1::Pod;
    let deadline = tokio::time::Instant::now() + timeout;
    for r in refs {
        loop {
            let done = match (r.group.as_str(), r.kind.as_str()) {
                ("", "Pod") => {
                    let pod = kube::Api::<Pod>::namespaced(client.clone(), &r.namespace)
                        .get(&r.name)
                        .await
                        .map_err(|e| format!("{r}: {e}"))?;
                    match pod.status.and_then(|s| s.phase).as_deref() {
                        Some("Succeeded") => true,
                        Some("Failed") => return Err(format!("pod {} failed", r.name)),
                        _ => false,
                    }
                }
                ("batch", "Job") => {
                    let job = kube::Api::<Job>::namespaced(client.clone(), &r.namespace)
                        .get(&r.name)
                        .await
                        .map_err(|e| format!("{r}: {e}"))?;
                    let conditions = job.status.and_then(|s| s.conditions).unwrap_or_default();
                    let holds = |t: &str| {
                        conditions
                            .iter()
                            .any(|c| c.type_ == t && c.status == "True")
                    };
                    if holds("Failed") {
                        return Err(format!("job {} failed: BackoffLimitExceeded", r.name));
                    }
                    holds("Complete")
                }
                _ => true,
            };
            if done {
                break;
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(format!("timed out waiting for {r} to complete"));
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
    Ok(())
}

/// Uninstalls the release: the objects of its manifest (deleted with `spec.uninstall`'s
/// propagation), then its records (or, with `keepHistory`, the last marked uninstalled).
pub async fn uninstall(
    ctx: &HelmContext,
    client: kube::Client,
    owner: Owner,
    target: &Target,
    storage: &SecretStorage,
    settings: Option<&crate::api::helm::Uninstall>,
) -> Result<(), String> {
    use crate::api::helm::DeletionPropagation;
    let keep_history = settings.and_then(|u| u.keep_history) == Some(true);
    let disable_hooks = settings.and_then(|u| u.disable_hooks) == Some(true);
    let disable_wait = settings.and_then(|u| u.disable_wait) == Some(true);
    let timeout = settings
        .and_then(|u| u.timeout.as_deref())
        .and_then(|t| crate::api::duration::parse_positive(t).ok())
        .unwrap_or(DEFAULT_TIMEOUT);
    let propagation = match settings.and_then(|u| u.deletion_propagation) {
        None | Some(DeletionPropagation::Background) => "Background",
        Some(DeletionPropagation::Foreground) => "Foreground",
        Some(DeletionPropagation::Orphan) => "Orphan",
    };
    let Some(mut last) = storage
        .last(&target.name)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(());
    };
    if last.info.status == Status::Uninstalled && keep_history {
        return Ok(());
    }
    // Marked first, as Helm does, so a controller killed midway leaves a record saying so.
    last.info.status = Status::Uninstalling;
    last.info.deleted = Time::now();
    last.info.description = "Deletion in progress (or silently failed)".into();
    storage.update(&last).await.map_err(|e| e.to_string())?;
    let manager = manager(ctx, client.clone(), owner);
    let hooks = Hooks {
        manager: manager.clone(),
        client: &client,
        target,
    };
    if !disable_hooks {
        hooks
            .run(&mut last, "pre-delete", |_| true, Some(timeout))
            .await?;
    }
    // Objects annotated `helm.sh/resource-policy: keep` outlive the release.
    let refs = deletable_refs(&last.manifest, &target.namespace);
    let options = DeleteOptions {
        propagation: Some(propagation.to_string()),
    };
    let deleted = manager
        .delete_all(&refs, &options)
        .await
        .map_err(|e| format!("failed to delete release resources: {e}"))?;
    if !disable_wait {
        // Only what was deleted: objects another owner took over stay.
        let gone: Vec<ObjectRef> = deleted
            .entries
            .into_iter()
            .filter(|e| e.action == crate::ssa::Action::Deleted)
            .map(|e| e.object)
            .collect();
        wait_deleted(&manager, &gone, timeout).await?;
    }
    if !disable_hooks {
        hooks
            .run(&mut last, "post-delete", |_| true, Some(timeout))
            .await?;
    }
    if keep_history {
        last.info.status = Status::Uninstalled;
        last.info.description = "Uninstallation complete".into();
        storage.update(&last).await.map_err(|e| e.to_string())?;
    } else {
        for record in storage
            .history(&target.name)
            .await
            .map_err(|e| e.to_string())?
        {
            storage
                .delete(&record.name, record.version)
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// Waits until every object of `refs` is gone (Helm's uninstall `--wait`).
async fn wait_deleted(
    manager: &ResourceManager,
    refs: &[ObjectRef],
    timeout: Duration,
) -> Result<(), String> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let mut left = Vec::new();
        for r in refs {
            match manager.exists(r).await {
                Ok(false) => {}
                Ok(true) => left.push(r.to_string()),
                Err(e) => return Err(format!("waiting for {r} to be deleted: {e}")),
            }
        }
        if left.is_empty() {
            return Ok(());
        }
        if std::time::Instant::now() >= deadline {
            return Err(format!(
                "timed out waiting for the release's resources to be deleted: {}",
                left.join(", ")
            ));
        }
        tokio::time::sleep(WAIT_INTERVAL.min(deadline - std::time::Instant::now())).await;
    }
}

/// The namespace, and the labels and annotations Helm (ownership) and helm-controller
/// (origin) put on every release object.
fn adopt(object: &mut Value, target: &Target) {
    if object.pointer("/metadata/namespace").is_none() {
        object["metadata"]["namespace"] = Value::String(target.namespace.clone());
    }
    let labels = &mut object["metadata"]["labels"];
    if !labels.is_object() {
        *labels = serde_json::json!({});
    }
    labels["app.kubernetes.io/managed-by"] = "Helm".into();
    let annotations = &mut object["metadata"]["annotations"];
    if !annotations.is_object() {
        *annotations = serde_json::json!({});
    }
    annotations["meta.helm.sh/release-name"] = target.name.clone().into();
    annotations["meta.helm.sh/release-namespace"] = target.namespace.clone().into();
}

/// A release's objects as they are applied (see [`adopt`]).
pub fn release_objects(record: &ReleaseRecord, target: &Target) -> Result<Vec<Value>, String> {
    manifest_objects(&record.manifest, target)
}

/// The objects of a release manifest (rendered and post-rendered) as they are applied.
pub fn manifest_objects(manifest: &str, target: &Target) -> Result<Vec<Value>, String> {
    let mut objects = parse_documents(manifest, "release manifest")?;
    for object in &mut objects {
        adopt(object, target);
    }
    Ok(objects)
}

/// The objects of `hooks` as they are applied when the hooks run (see [`adopt`]).
pub fn hook_objects(hooks: &[helm::release::Hook], target: &Target) -> Result<Vec<Value>, String> {
    let mut objects = Vec::new();
    for hook in hooks {
        for mut object in parse_documents(&hook.manifest, &hook.path)? {
            adopt(&mut object, target);
            objects.push(object);
        }
    }
    Ok(objects)
}

/// The chart's CRDs (`crds/`), applied as they are, when the CRD policy says so.
pub fn crd_objects(chart: &Chart) -> Result<Vec<Value>, String> {
    let mut objects = Vec::new();
    for crd in chart.crd_objects() {
        objects.extend(parse_documents(
            &String::from_utf8_lossy(&crd.file.data),
            &crd.filename,
        )?);
    }
    Ok(objects)
}

/// The manager applying a release's objects for `owner`.
pub fn manager(ctx: &HelmContext, client: kube::Client, owner: Owner) -> ResourceManager {
    resource_manager(client, owner, ctx.discovery.clone())
}

/// The manager applying a release's objects for `owner`, with `discovery` (the CLI has no
/// [`HelmContext`]): helm-controller's field manager, so a dry run compares with what the
/// controller applied.
pub fn resource_manager(
    client: kube::Client,
    owner: Owner,
    discovery: crate::ssa::DiscoveryCache,
) -> ResourceManager {
    ResourceManager::new(client, FIELD_MANAGER, owner).with_discovery_cache(discovery)
}

/// The objects of a rendered document stream (`---` separated), empty documents skipped.
fn parse_documents(text: &str, source: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for doc in helm::engine::manifest::split_manifests(text) {
        if doc.trim().is_empty() {
            continue;
        }
        let value: Value = serde_saphyr::from_str(&doc)
            .map_err(|e| format!("{source}: the rendered YAML is not a valid object: {e}"))?;
        if value.is_null() {
            continue;
        }
        if !value.is_object() {
            return Err(format!(
                "{source}: a rendered document is not a YAML mapping"
            ));
        }
        out.push(value);
    }
    Ok(out)
}

/// The objects a release manifest names, in the release namespace when they have none.
pub fn manifest_refs(manifest: &str, namespace: &str) -> Vec<ObjectRef> {
    refs_of(manifest, namespace, |_| true)
}

/// The objects of a release manifest that Helm deletes when they leave the release:
/// all but those annotated `helm.sh/resource-policy: keep`.
pub fn deletable_refs(manifest: &str, namespace: &str) -> Vec<ObjectRef> {
    refs_of(manifest, namespace, |o| {
        o.pointer("/metadata/annotations/helm.sh~1resource-policy")
            .and_then(Value::as_str)
            != Some(KEEP_POLICY)
    })
}

/// `helm.sh/resource-policy`'s value that keeps an object out of deletions.
const KEEP_POLICY: &str = "keep";

fn refs_of(manifest: &str, namespace: &str, select: impl Fn(&Value) -> bool) -> Vec<ObjectRef> {
    parse_documents(manifest, "release manifest")
        .unwrap_or_default()
        .iter()
        .filter(|o| select(o))
        .filter_map(|o| ObjectRef::from_object(o).ok())
        .map(|mut r| {
            if r.namespace.is_empty() {
                r.namespace = namespace.to_string();
            }
            r
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_release_names_are_shortened_as_flux_does() {
        assert_eq!(shorten_name("podinfo"), "podinfo");
        let long = "a".repeat(60);
        let short = shorten_name(&long);
        assert_eq!(short.len(), MAX_RELEASE_NAME);
        assert!(short.starts_with(&"a".repeat(40)));
        assert_eq!(&short[40..41], "-");
    }

    #[test]
    fn manifests_parse_into_objects_in_the_release_namespace() {
        let manifest = "---\n# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# Source: app/templates/empty.yaml\n\n";
        let refs = manifest_refs(manifest, "apps");
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].namespace, "apps");
        assert_eq!(refs[0].name, "a");
        assert!(parse_documents("- a\n- b\n", "x.yaml").is_err());
    }
}
