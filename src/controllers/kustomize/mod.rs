//! The kustomize controller: reconciles `kustomize.toolkit.fluxcd.io/v1` Kustomizations from
//! the artifacts of GitRepositories, OCIRepositories and Buckets.
//!
//! Kustomizations are watched, and so are their sources: a source whose artifact revision
//! changes enqueues the Kustomizations that reference it at once (found in the controller's
//! own cache of Kustomizations), rather than at their interval.

pub(crate) mod artifact;
pub(crate) mod build;
mod cleanup;
mod extracted;
mod health;
mod impersonate;
mod prune;
mod reconcile;
mod source;
mod status;
pub(crate) mod substitute;

use std::collections::HashMap;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;
use futures::future::BoxFuture;
use kube::ResourceExt;
use kube::runtime::reflector::{ObjectRef, Store};
use kube::runtime::{Controller, WatchStreamExt};

use crate::api::kustomize::{Kustomization, KustomizationSourceKind};
use crate::api::meta::Artifact;
use crate::api::source::{Bucket, GitRepository, OCIRepository};
use crate::controllers::runtime::backoff::WatchBackoff;
use crate::controllers::runtime::{Context, EventRecorder};

/// The reportingController of the kustomize controller's events.
pub const CONTROLLER: &str = "kustomize-controller";

/// What the Kustomization reconciler shares besides the runtime context.
pub struct KustomizeContext {
    pub rt: Arc<Context>,
    pub recorder: EventRecorder,
    /// Artifact downloads; one client so connections to the source controller are reused.
    pub http: reqwest::Client,
    /// Reconciles running now; shutdown waits for them, and only them.
    pub in_flight: AtomicUsize,
    /// What each object was last reconciled against, and when it is due again.
    memos: Mutex<HashMap<(String, String), (Memo, Instant)>>,
    /// Health checks running now, which a new source revision cancels.
    pub cancels: Arc<Cancels>,
    /// Extracted artifacts, one per digest, shared by the builds that use them.
    pub extractions: extracted::Extractions,
    /// Kinds the API server serves, discovered once for every reconcile.
    pub discovery: crate::ssa::DiscoveryCache,
    /// Proofs that applied objects are unchanged, so unchanged reconciles skip dry runs.
    pub drift: crate::ssa::DriftCache,
}

/// Health checks in progress by object, so that a new source revision ends the wait at once
/// (Flux's `HealthCheckCanceled`) instead of after `spec.timeout`.
#[derive(Default)]
pub struct Cancels {
    running: Mutex<HashMap<(String, String), Arc<Cancel>>>,
}

/// One running health check's cancellation: the signal and what triggered it.
#[derive(Default)]
pub struct Cancel {
    pub notify: tokio::sync::Notify,
    pub by: Mutex<Option<String>>,
}

impl Cancels {
    pub fn register(&self, key: (String, String)) -> Arc<Cancel> {
        let cancel = Arc::new(Cancel::default());
        self.lock().insert(key, cancel.clone());
        cancel
    }

    pub fn unregister(&self, key: &(String, String)) {
        self.lock().remove(key);
    }

    /// Cancels the object's running health check, if any; `by` names the trigger.
    pub fn cancel(&self, key: &(String, String), by: &str) {
        if let Some(cancel) = self.lock().get(key) {
            *cancel.by.lock().unwrap_or_else(|p| p.into_inner()) = Some(by.to_string());
            // A stored permit covers a cancel that arrives before the wait starts listening.
            cancel.notify.notify_one();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Arc<Cancel>>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The inputs of a finished reconcile. Watch events that change none of them (our own status
/// writes above all) do not start another reconcile before the object is due; this is what
/// Flux's generation and reconcile-request predicates do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Memo {
    pub generation: Option<i64>,
    pub requested_at: Option<String>,
    pub revision: String,
}

impl KustomizeContext {
    /// How long until the object is due, when `memo` matches its last reconcile.
    fn not_due(&self, key: &(String, String), memo: &Memo) -> Option<Duration> {
        let memos = self.memos.lock().unwrap_or_else(|p| p.into_inner());
        let (last, due) = memos.get(key)?;
        (last == memo)
            .then(|| due.checked_duration_since(Instant::now()))
            .flatten()
            .filter(|d| !d.is_zero())
    }

    /// `delay` is when the object is due again; `None` means only when something changes.
    fn remember(&self, key: (String, String), memo: Memo, delay: Option<Duration>) {
        // A year stands for "until something changes" without overflowing Instant.
        let due = Instant::now() + delay.unwrap_or(Duration::from_secs(365 * 24 * 3600));
        self.memos
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, (memo, due));
    }

    fn forget_memo(&self, key: &(String, String)) {
        self.memos
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

/// Starts the Kustomization reconciler; returns at shutdown.
pub fn launch(ctx: Arc<Context>) -> BoxFuture<'static, Result<()>> {
    Box::pin(async move {
        let kctx = Arc::new(KustomizeContext {
            recorder: ctx.recorder(CONTROLLER)?,
            http: artifact::client(),
            in_flight: AtomicUsize::new(0),
            memos: Mutex::default(),
            cancels: Arc::default(),
            extractions: Default::default(),
            discovery: Default::default(),
            drift: Default::default(),
            rt: ctx.clone(),
        });
        run(kctx).await
    })
}

/// The artifact of a source kind, whatever its type.
trait Source: kube::Resource<DynamicType = ()> {
    const KIND: KustomizationSourceKind;
    const NAME: &'static str;
    fn artifact(&self) -> Option<&Artifact>;
}

impl Source for GitRepository {
    const KIND: KustomizationSourceKind = KustomizationSourceKind::GitRepository;
    const NAME: &'static str = "GitRepository";
    fn artifact(&self) -> Option<&Artifact> {
        self.status.as_ref()?.artifact.as_ref()
    }
}

impl Source for OCIRepository {
    const KIND: KustomizationSourceKind = KustomizationSourceKind::OCIRepository;
    const NAME: &'static str = "OCIRepository";
    fn artifact(&self) -> Option<&Artifact> {
        self.status.as_ref()?.artifact.as_ref()
    }
}

impl Source for Bucket {
    const KIND: KustomizationSourceKind = KustomizationSourceKind::Bucket;
    const NAME: &'static str = "Bucket";
    fn artifact(&self) -> Option<&Artifact> {
        self.status.as_ref()?.artifact.as_ref()
    }
}

type SourceKey = (&'static str, String, String);

/// Maps a source event to the Kustomizations to reconcile: those referencing the source, and
/// only when its artifact revision differs from the one last seen (a status write that keeps
/// the revision, or a resync, triggers nothing).
struct Dependants {
    store: Store<Kustomization>,
    /// The revision last seen per source (kind, namespace, name).
    seen: Mutex<HashMap<SourceKey, Option<String>>>,
    cancels: Arc<Cancels>,
}

impl Dependants {
    fn of<S: Source>(&self, source: &S) -> Vec<ObjectRef<Kustomization>> {
        let ns = source.namespace().unwrap_or_default();
        let name = source.name_any();
        let revision = source.artifact().map(|a| a.revision.clone());
        let key = (S::NAME, ns.clone(), name.clone());
        {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            if seen.get(&key) == Some(&revision) {
                return Vec::new();
            }
            seen.insert(key, revision);
        }
        let by = format!("{}/{ns}/{name}", S::NAME);
        self.store
            .state()
            .iter()
            .filter(|k| {
                let source_ref = &k.spec.source_ref;
                let k_ns = k.namespace().unwrap_or_default();
                let ref_ns = source_ref
                    .namespace
                    .as_deref()
                    .filter(|n| !n.is_empty())
                    .unwrap_or(&k_ns);
                source_ref.kind == S::KIND && source_ref.name == name && ref_ns == ns
            })
            .map(|k| {
                let reference = ObjectRef::from_obj(k.as_ref());
                let key = (
                    reference.namespace.clone().unwrap_or_default(),
                    reference.name.clone(),
                );
                self.cancels.cancel(&key, &by);
                reference
            })
            .collect()
    }
}

async fn run(ctx: Arc<KustomizeContext>) -> Result<()> {
    let rt = &ctx.rt;
    rt.metrics
        .controller_started(reconcile::NAME, rt.options.concurrent);
    let (reader, writer) = kube::runtime::reflector::store();
    let kustomizations = kube::runtime::watcher(rt.api::<Kustomization>(), rt.watcher_config())
        // Never read by the controller, and most of each cached object's size: a fleet of
        // a thousand Kustomizations costs megabytes less without them.
        .modify(|k: &mut Kustomization| k.managed_fields_mut().clear())
        .reflect(writer)
        .applied_objects();
    let controller = Controller::for_stream(kustomizations, reader)
        .with_config(rt.controller_config())
        .trigger_backoff(WatchBackoff::default());
    let dependants = Arc::new(Dependants {
        store: controller.store(),
        seen: Mutex::default(),
        cancels: ctx.cancels.clone(),
    });
    // Sources are watched whatever their labels: `--watch-label-selector` selects the
    // Kustomizations, not the sources they use.
    let sources = kube::runtime::watcher::Config::default();
    let git = dependants.clone();
    let oci = dependants.clone();
    let bucket = dependants;
    let controller = controller
        .watches(rt.api::<GitRepository>(), sources.clone(), move |s| {
            git.of(&s)
        })
        .watches(rt.api::<OCIRepository>(), sources.clone(), move |s| {
            oci.of(&s)
        })
        .watches(rt.api::<Bucket>(), sources, move |s| bucket.of(&s))
        .graceful_shutdown_on(rt.shutdown.wait())
        .run(reconcile::reconcile, reconcile::error_policy, ctx.clone());
    crate::controllers::runtime::drive(reconcile::NAME, controller, &ctx.in_flight, &rt.shutdown)
        .await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use kube::runtime::reflector;
    use kube::runtime::watcher;

    use super::*;
    use crate::api::kustomize::CrossNamespaceSourceReference;

    fn ks(ns: &str, name: &str, source: &str, source_ns: Option<&str>) -> Kustomization {
        let mut k = Kustomization::new(name, Default::default());
        k.metadata.namespace = Some(ns.into());
        k.spec.source_ref = CrossNamespaceSourceReference {
            kind: KustomizationSourceKind::GitRepository,
            name: source.into(),
            namespace: source_ns.map(str::to_string),
            api_version: None,
        };
        k
    }

    fn repo(ns: &str, name: &str, revision: Option<&str>) -> GitRepository {
        let mut r = GitRepository::new(name, Default::default());
        r.metadata.namespace = Some(ns.into());
        r.status = Some(crate::api::source::GitRepositoryStatus {
            artifact: revision.map(|rev| Artifact {
                digest: "sha256:00".into(),
                last_update_time: k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
                    k8s_openapi::jiff::Timestamp::UNIX_EPOCH,
                ),
                metadata: None,
                path: "p".into(),
                revision: rev.into(),
                size: None,
                url: "http://x/p".into(),
            }),
            ..Default::default()
        });
        r
    }

    #[test]
    fn a_new_source_revision_enqueues_only_the_kustomizations_using_it() {
        let (store, mut writer) = reflector::store::<Kustomization>();
        for k in [
            ks("apps", "a", "repo", None),
            ks("apps", "b", "other", None),
            ks("team", "c", "repo", Some("apps")),
            ks("team", "d", "repo", None),
        ] {
            writer.apply_watcher_event(&watcher::Event::Apply(k));
        }
        let cancels = Arc::new(Cancels::default());
        let dependants = Dependants {
            store,
            seen: Mutex::default(),
            cancels: cancels.clone(),
        };
        let running = cancels.register(("apps".into(), "a".into()));
        let mut names: Vec<String> = dependants
            .of(&repo("apps", "repo", Some("main@sha1:1")))
            .into_iter()
            .map(|r| format!("{}/{}", r.namespace.unwrap(), r.name))
            .collect();
        names.sort();
        assert_eq!(names, ["apps/a", "team/c"]);
        // The health check running for apps/a learns what superseded it.
        assert_eq!(
            running.by.lock().unwrap().as_deref(),
            Some("GitRepository/apps/repo")
        );
        // The same revision again (a status write, a resync) enqueues nothing.
        assert!(
            dependants
                .of(&repo("apps", "repo", Some("main@sha1:1")))
                .is_empty()
        );
        assert_eq!(
            dependants
                .of(&repo("apps", "repo", Some("main@sha1:2")))
                .len(),
            2
        );
    }
}
