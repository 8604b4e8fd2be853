//! The helm controller: HelmReleases installed, upgraded and uninstalled from the chart
//! artifacts of the source controller, with Helm 3 release storage shared with the `helm`
//! CLI.

pub mod chart;
mod depends;
mod drift;
pub mod postrender;
mod reconcile;
pub mod release;
mod status;
pub mod storage;
pub mod values;
mod watch;

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use anyhow::Result;
use futures::future::BoxFuture;
use kube::ResourceExt;
use kube::runtime::reflector::{self, Store};
use kube::runtime::{Controller, WatchStreamExt, watcher};
use tokio::sync::OnceCell;

use crate::api::helm::HelmRelease;
use crate::api::source::{HelmChart, OCIRepository};
use crate::controllers::runtime::backoff::WatchBackoff;
use crate::controllers::runtime::{Context, EventRecorder};

/// The reportingController of the helm controller's events.
pub const CONTROLLER: &str = "helm-controller";

/// What the HelmRelease reconciles share.
pub struct HelmContext {
    pub rt: Arc<Context>,
    pub recorder: EventRecorder,
    /// Chart downloads; one client so connections to the source controller are reused.
    pub http: reqwest::Client,
    pub in_flight: AtomicUsize,
    pub charts: chart::ChartCache,
    /// Our last status write per HelmRelease, to see past a lagging watch cache.
    pub written: crate::controllers::runtime::written::OwnWrites,
    pub discovery: crate::ssa::DiscoveryCache,
    /// Every HelmChart and OCIRepository as last watched: the releases read their sources
    /// here.
    pub helm_charts: Store<HelmChart>,
    pub oci_repositories: Store<OCIRepository>,
    /// The API server's version, read once: `.Capabilities.KubeVersion`.
    kube_version: OnceCell<helm::capabilities::KubeVersion>,
    /// `.Capabilities.APIVersions` as discovered, and when: rediscovered after
    /// [`API_VERSIONS_TTL`] so new CRDs show up without a discovery per release.
    api_versions: tokio::sync::Mutex<Option<(std::time::Instant, Vec<String>)>>,
}

const API_VERSIONS_TTL: std::time::Duration = std::time::Duration::from_secs(60);

impl HelmContext {
    /// `.Capabilities` for renders: the cluster's version and the API versions it serves.
    pub async fn capabilities(&self, client: &kube::Client) -> helm::engine::Capabilities {
        let version = self
            .kube_version
            .get_or_try_init(|| kube_version(client))
            .await;
        let mut capabilities = helm::engine::Capabilities::default();
        match version {
            Ok(version) => capabilities.kube_version = version.clone(),
            Err(e) => {
                tracing::warn!(error = %e, "reading the API server version; rendering with Helm's default")
            }
        }
        if let Some(versions) = self.api_versions(client).await {
            capabilities.api_versions = versions;
        }
        capabilities
    }

    /// Every `group/version` and `group/version/Kind` the cluster serves (core: `v1`,
    /// `v1/Kind`), as Helm lists them in-cluster; `None` (Helm's defaults) when discovery
    /// fails.
    async fn api_versions(&self, client: &kube::Client) -> Option<Vec<String>> {
        let mut cached = self.api_versions.lock().await;
        if let Some((at, versions)) = cached.as_ref()
            && at.elapsed() < API_VERSIONS_TTL
        {
            return Some(versions.clone());
        }
        let versions = match discover_api_versions(client).await {
            Ok(versions) => versions,
            Err(e) => {
                tracing::warn!(error = %e, "discovering API versions; rendering with Helm's defaults");
                return None;
            }
        };
        *cached = Some((std::time::Instant::now(), versions.clone()));
        Some(versions)
    }
}

/// `.Capabilities` read from the cluster now, without the controller's caches (the CLI
/// renders once): Helm's defaults for whatever cannot be read.
pub async fn cluster_capabilities(client: &kube::Client) -> helm::engine::Capabilities {
    let mut capabilities = helm::engine::Capabilities::default();
    if let Ok(version) = kube_version(client).await {
        capabilities.kube_version = version;
    }
    if let Ok(versions) = discover_api_versions(client).await {
        capabilities.api_versions = versions;
    }
    capabilities
}

/// The API server's version as `.Capabilities.KubeVersion`.
async fn kube_version(client: &kube::Client) -> Result<helm::capabilities::KubeVersion, String> {
    let info = client
        .apiserver_version()
        .await
        .map_err(|e| e.to_string())?;
    helm::capabilities::KubeVersion::parse(&info.git_version).map_err(|e| e.to_string())
}

/// Every `group/version` and `group/version/Kind` the cluster serves (core: `v1`,
/// `v1/Kind`), sorted, as Helm lists them in-cluster.
async fn discover_api_versions(client: &kube::Client) -> Result<Vec<String>, kube::Error> {
    let discovery = kube::Discovery::new(client.clone()).run().await?;
    let mut versions = Vec::new();
    for group in discovery.groups() {
        for version in group.versions() {
            let gv = if group.name().is_empty() {
                version.to_string()
            } else {
                format!("{}/{version}", group.name())
            };
            for (resource, _) in group.versioned_resources(version) {
                versions.push(format!("{gv}/{}", resource.kind));
            }
            versions.push(gv);
        }
    }
    versions.sort();
    versions.dedup();
    Ok(versions)
}

/// A source kind's watch, kept in `writer`'s store without managedFields.
fn sources<K>(
    api: kube::Api<K>,
    writer: reflector::store::Writer<K>,
) -> impl futures::Stream<Item = Result<K, watcher::Error>> + Send
where
    K: kube::Resource<DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static,
{
    watcher(api, Default::default())
        .default_backoff()
        .modify(|o: &mut K| o.managed_fields_mut().clear())
        .reflect(writer)
        .touched_objects()
}

/// Starts the HelmRelease reconciler; returns at shutdown.
pub fn launch(ctx: Arc<Context>) -> BoxFuture<'static, Result<()>> {
    Box::pin(async move {
        let (helm_charts, chart_writer) = reflector::store();
        let (oci_repositories, oci_writer) = reflector::store();
        let helm = Arc::new(HelmContext {
            recorder: ctx.recorder(CONTROLLER)?,
            http: crate::controllers::kustomize::artifact::client(),
            in_flight: AtomicUsize::new(0),
            written: Default::default(),
            charts: Default::default(),
            discovery: Default::default(),
            kube_version: OnceCell::new(),
            api_versions: Default::default(),
            helm_charts,
            oci_repositories,
            rt: ctx.clone(),
        });
        let rt = &helm.rt;
        rt.metrics
            .controller_started(reconcile::NAME, rt.options.concurrent);
        let (store, releases) = crate::controllers::runtime::primary::watch(
            rt.api::<HelmRelease>(),
            rt.watcher_config(),
        );
        let controller = Controller::for_stream(releases, store)
            .with_config(rt.controller_config())
            .trigger_backoff(WatchBackoff::default());
        let users = Arc::new(watch::Users::new(controller.store()));
        let (charts, repositories, configmaps, secrets) =
            (users.clone(), users.clone(), users.clone(), users);
        // Values Secrets and ConfigMaps trigger a reconcile only when labelled for it, as
        // in Flux: watching every Secret of a cluster would cost memory for nothing.
        let labelled = kube::runtime::watcher::Config::default().labels(&format!(
            "{}={}",
            crate::api::meta::RECONCILE_WATCH_LABEL,
            crate::api::meta::RECONCILE_WATCH_ENABLED
        ));
        let controller = controller
            .watches_stream(sources(rt.api::<HelmChart>(), chart_writer), move |c| {
                charts.of_chart(&c)
            })
            .watches_stream(sources(rt.api::<OCIRepository>(), oci_writer), move |r| {
                repositories.of_oci_repository(&r)
            })
            .watches(
                rt.api::<k8s_openapi::api::core::v1::ConfigMap>(),
                labelled.clone(),
                move |c| {
                    configmaps.of_values(crate::api::kustomize::ValuesReferenceKind::ConfigMap, &c)
                },
            )
            .watches(
                rt.api::<k8s_openapi::api::core::v1::Secret>(),
                labelled,
                move |s| secrets.of_values(crate::api::kustomize::ValuesReferenceKind::Secret, &s),
            )
            .graceful_shutdown_on(rt.shutdown.wait())
            .run(reconcile::reconcile, reconcile::error_policy, helm.clone());
        crate::controllers::runtime::drive(
            reconcile::NAME,
            controller,
            &helm.in_flight,
            &rt.shutdown,
        )
        .await;
        Ok(())
    })
}
