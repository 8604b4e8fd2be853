//! The HelmChart reconciler: finds the source (HelmRepository, GitRepository or Bucket),
//! builds the chart (see [`build`], and [`oci`] for `type: oci` HelmRepositories), stores
//! `<name>-<version>.tgz` with a `latest.tar.gz` link, and reports it as source-controller
//! does. Charts follow their source: a new source revision requeues the charts that use it;
//! charts from OCI registries (no source artifact) are resolved again at their interval.

mod build;
mod dependencies;
mod oci;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use kube::ResourceExt;
use kube::api::Api;
use kube::runtime::Controller;
use kube::runtime::controller::Action;
use kube::runtime::reflector::{ObjectRef, Store};

use super::SourceContext;
use super::outcome::{Failure, condition, mark_failed, mark_stored, now};
use super::reconciler::{self, Published, SourceKind, kube_message};
use crate::api::meta::{self, Artifact};
use crate::api::source::{
    Bucket, GitRepository, HelmChart, HelmChartSourceKind, HelmChartStatus, HelmRepository,
    HelmRepositoryType,
};
use crate::controllers::runtime::backoff::WatchBackoff;
use build::{Build, Built, Cached};

mod reason {
    pub const SOURCE_UNAVAILABLE: &str = "SourceUnavailable";
    pub const NO_SOURCE_ARTIFACT: &str = "NoSourceArtifact";
}

reconciler::impl_source_kind!(HelmChart, HelmChartStatus, "helmchart");

pub async fn run(ctx: Arc<SourceContext>) -> anyhow::Result<()> {
    let rt = &ctx.rt;
    rt.metrics
        .controller_started(HelmChart::NAME, rt.options.concurrent);
    let (store, charts) =
        crate::controllers::runtime::primary::watch(rt.api::<HelmChart>(), rt.watcher_config());
    let controller = Controller::for_stream(charts, store)
        .with_config(rt.controller_config())
        .trigger_backoff(WatchBackoff::default());
    let users = Arc::new(SourceUsers {
        charts: controller.store(),
        seen: Mutex::default(),
    });
    let sources = kube::runtime::watcher::Config::default();
    let (helm, git, bucket) = (users.clone(), users.clone(), users);
    let controller = controller
        .watches(rt.api::<HelmRepository>(), sources.clone(), move |s| {
            helm.of(
                HelmChartSourceKind::HelmRepository,
                &s,
                artifact_revision(&s.status),
            )
        })
        .watches(rt.api::<GitRepository>(), sources.clone(), move |s| {
            git.of(
                HelmChartSourceKind::GitRepository,
                &s,
                artifact_revision(&s.status),
            )
        })
        .watches(rt.api::<Bucket>(), sources, move |s| {
            bucket.of(
                HelmChartSourceKind::Bucket,
                &s,
                artifact_revision(&s.status),
            )
        })
        .graceful_shutdown_on(rt.shutdown.wait())
        .run(
            |obj, ctx| reconciler::reconcile(obj, ctx, apply),
            reconciler::error_policy,
            ctx.clone(),
        );
    crate::controllers::runtime::drive(HelmChart::NAME, controller, &ctx.in_flight, &rt.shutdown)
        .await;
    Ok(())
}

trait HasArtifact {
    fn artifact(&self) -> Option<&Artifact>;
}

macro_rules! has_artifact {
    ($($status:ty),*) => {$(
        impl HasArtifact for $status {
            fn artifact(&self) -> Option<&Artifact> {
                self.artifact.as_ref()
            }
        }
    )*};
}
has_artifact!(
    crate::api::source::HelmRepositoryStatus,
    crate::api::source::GitRepositoryStatus,
    crate::api::source::BucketStatus
);

fn artifact_revision<S: HasArtifact>(status: &Option<S>) -> Option<String> {
    status.as_ref()?.artifact().map(|a| a.revision.clone())
}

/// Maps a source event to the charts built from it, only when the source's artifact
/// revision changed (status writes that keep it, and resyncs, trigger nothing).
struct SourceUsers {
    charts: Store<HelmChart>,
    seen: Mutex<HashMap<(HelmChartSourceKind, String, String), Option<String>>>,
}

impl SourceUsers {
    fn of<S: kube::Resource>(
        &self,
        kind: HelmChartSourceKind,
        source: &S,
        revision: Option<String>,
    ) -> Vec<ObjectRef<HelmChart>> {
        let ns = source.namespace().unwrap_or_default();
        let name = source.name_any();
        {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            let key = (kind, ns.clone(), name.clone());
            if seen.get(&key) == Some(&revision) {
                return Vec::new();
            }
            seen.insert(key, revision);
        }
        self.charts
            .state()
            .iter()
            .filter(|c| {
                c.spec.source_ref.kind == kind
                    && c.spec.source_ref.name == name
                    && c.namespace().as_deref() == Some(ns.as_str())
            })
            .map(|c| ObjectRef::from_obj(c.as_ref()))
            .collect()
    }
}

/// What a successful pass publishes.
struct Progress {
    artifact: Artifact,
    name: String,
    values_files: Vec<String>,
    /// The Ready/ArtifactInStorage reason and message.
    reason: &'static str,
    summary: String,
    url: Option<String>,
    /// The source artifact's revision; none for an OCI HelmRepository, which has no artifact
    /// (`status.observedSourceArtifactRevision` keeps what it had, as in Flux).
    source_revision: Option<String>,
    /// A new artifact was stored: the event to record.
    new: bool,
}

async fn apply(obj: Arc<HelmChart>, ctx: Arc<SourceContext>, started: Instant) -> Action {
    let (interval, progress) = match reconciler::interval(&obj.spec.interval) {
        Ok(interval) => (Some(interval), converge(&obj, &ctx).await),
        Err(failure) => (None, Err(failure)),
    };
    let new = next_status(&obj, &progress);
    let outcome = match &progress {
        Ok(progress) => Ok(Published {
            artifact: &progress.artifact,
            event: progress
                .new
                .then(|| (progress.reason, progress.summary.clone())),
        }),
        Err(failure) => Err(failure),
    };
    reconciler::finish(obj.as_ref(), &ctx, &new, outcome, interval, started).await
}

async fn converge(obj: &HelmChart, ctx: &SourceContext) -> Result<Progress, Failure> {
    let ns = obj.namespace().unwrap_or_default();
    let source_ref = &obj.spec.source_ref;
    let client = ctx.rt.client.clone();
    let unavailable = |e: kube::Error| {
        Failure::retry(
            reason::SOURCE_UNAVAILABLE,
            format!("failed to get source: {}", kube_message(&e)),
        )
    };
    let no_artifact = || {
        Failure::retry(
            reason::NO_SOURCE_ARTIFACT,
            format!(
                "no artifact available for {:?} source '{}'",
                source_ref.kind, source_ref.name
            ),
        )
    };
    let current = obj
        .status
        .as_ref()
        .and_then(|s| s.artifact.as_ref())
        .filter(|a| ctx.storage.exists(&a.path));
    let cached = current
        .zip(
            obj.status
                .as_ref()
                .and_then(|s| s.observed_chart_name.as_deref()),
        )
        .map(|(artifact, name)| Cached {
            name,
            version: &artifact.revision,
        });
    let (built, source_revision) = match source_ref.kind {
        HelmChartSourceKind::HelmRepository => {
            let repo = Api::<HelmRepository>::namespaced(client, &ns)
                .get(&source_ref.name)
                .await
                .map_err(unavailable)?;
            if repo.spec.r#type == Some(HelmRepositoryType::Oci) {
                // An OCI repository has no index artifact: the chart comes from the registry.
                (oci::from_registry(obj, &repo, ctx, cached).await?, None)
            } else {
                let index = repo
                    .status
                    .as_ref()
                    .and_then(|s| s.artifact.clone())
                    .filter(|a| ctx.storage.exists(&a.path))
                    .ok_or_else(no_artifact)?;
                let built = build::from_repository(obj, &repo, &index, ctx, cached).await?;
                (built, Some(index.revision))
            }
        }
        HelmChartSourceKind::GitRepository | HelmChartSourceKind::Bucket => {
            let artifact = match source_ref.kind {
                HelmChartSourceKind::GitRepository => Api::<GitRepository>::namespaced(client, &ns)
                    .get(&source_ref.name)
                    .await
                    .map(|s| artifact_of(&s.status)),
                _ => Api::<Bucket>::namespaced(client, &ns)
                    .get(&source_ref.name)
                    .await
                    .map(|s| artifact_of(&s.status)),
            }
            .map_err(unavailable)?
            .filter(|a| ctx.storage.exists(&a.path))
            .ok_or_else(no_artifact)?;
            let built = build::from_tarball(obj, &artifact, ctx, cached).await?;
            (built, Some(artifact.revision))
        }
    };
    match built {
        Built::Unchanged { name } => {
            let status = obj.status.as_ref().expect("a cached chart has a status");
            let in_storage = meta::find_condition(
                status.conditions.as_deref().unwrap_or_default(),
                condition::ARTIFACT_IN_STORAGE,
            );
            let artifact = current.expect("a cached chart has an artifact").clone();
            let values_files = status.observed_values_files.clone().unwrap_or_default();
            Ok(Progress {
                reason: in_storage
                    .and_then(|c| known_reason(&c.reason))
                    .unwrap_or(build::reason::PULL_SUCCEEDED),
                summary: in_storage.map(|c| c.message.clone()).unwrap_or_else(|| {
                    build::summary(false, &name, &artifact.revision, &values_files)
                }),
                artifact,
                name,
                values_files,
                url: status.url.clone(),
                source_revision,
                new: false,
            })
        }
        Built::New(build) => store(obj, ctx, build, source_revision).await,
    }
}

fn known_reason(reason: &str) -> Option<&'static str> {
    [
        build::reason::PULL_SUCCEEDED,
        build::reason::PACKAGE_SUCCEEDED,
    ]
    .into_iter()
    .find(|r| *r == reason)
}

fn artifact_of<S: HasArtifact>(status: &Option<S>) -> Option<Artifact> {
    status.as_ref()?.artifact().cloned()
}

async fn store(
    obj: &HelmChart,
    ctx: &SourceContext,
    build: Build,
    source_revision: Option<String>,
) -> Result<Progress, Failure> {
    let dir = reconciler::object_dir(obj);
    let file_name = format!("{}-{}.tgz", build.name, build.version);
    let storage = ctx.storage.clone();
    let summary = build.summary();
    let reason = build.reason();
    let Build {
        name,
        version,
        values_files,
        archive,
        ..
    } = build;
    let stored = tokio::task::spawn_blocking(move || {
        let stored = storage.store(&dir, &file_name, &archive[..])?;
        let url = storage.symlink(&stored.path, "latest.tar.gz").ok();
        Ok::<_, super::storage::StorageError>((stored, url))
    })
    .await
    .expect("storing does not panic")
    .map_err(|e| {
        Failure::retry(
            super::outcome::reason::ARCHIVE_OPERATION_FAILED,
            format!("unable to copy Helm chart to storage: {e}"),
        )
    })?;
    let (stored, url) = stored;
    Ok(Progress {
        artifact: Artifact {
            digest: stored.digest,
            last_update_time: now(),
            metadata: None,
            url: ctx.storage.url(&stored.path),
            path: stored.path,
            revision: version,
            size: i64::try_from(stored.size).ok(),
        },
        name,
        values_files,
        reason,
        summary,
        url,
        source_revision,
        new: true,
    })
}

fn next_status(obj: &HelmChart, progress: &Result<Progress, Failure>) -> HelmChartStatus {
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
            mark_stored(
                &mut conditions,
                progress.reason,
                &progress.summary,
                generation,
            );
            status.artifact = Some(progress.artifact.clone());
            status.url = progress.url.clone().or(status.url);
            status.observed_chart_name = Some(progress.name.clone());
            if let Some(revision) = &progress.source_revision {
                status.observed_source_artifact_revision = Some(revision.clone());
            }
            status.observed_values_files =
                (!progress.values_files.is_empty()).then(|| progress.values_files.clone());
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
