//! The dependencies of a chart packaged from a directory (GitRepository or Bucket), as
//! source-controller's `DependencyManager` resolves them.
//!
//! - What is needed: the dependencies of Chart.yaml (requirements.yaml for apiVersion v1),
//!   or of the lock when there is one, that are not in `charts/`, matched by alias or
//!   name ([`missing`]). As in Flux, nothing is missing when `charts/` holds as many
//!   charts as there are dependencies.
//! - Where from ([`origin`]): `file://` paths (and no repository) are local and must
//!   stay inside the source artifact; `http(s)://` URLs are chart repositories; `oci://`
//!   URLs are OCI registries; `@name` and other forms are refused with Flux's words.
//! - How: each repository URL, normalised as Flux does, is matched against the
//!   HelmRepositories of the HelmChart's namespace ([`select_repository`]; an `oci://` URL
//!   only against `type: oci` ones). The first match lends its `secretRef`/`certSecretRef`,
//!   `passCredentials`, timeout and, when stored, its index (through the shared
//!   parsed-index cache), or for a registry its `insecure`; without one the repository is
//!   read anonymously (a registry over HTTPS) with a 60s timeout. A repository's client
//!   and index are made once per build, whatever the number of dependencies on it.
//!   Versions are picked by the rules of `HelmChart.spec.version`; downloads and loads
//!   have the chart size caps.
//! - From a registry, as Flux's `OCIChartRepository`: the chart is `<url>/<name>`; an
//!   exact version is pulled by tag, anything else resolves over the tags (`_` read as
//!   `+`); the chart layer is streamed under the size cap and checked against its digest
//!   (the client and version choice are those of [`super::oci`]).
//! - Dependencies are fetched concurrently, at most [`CONCURRENCY`] at a time (Flux runs
//!   them in an errgroup bounded by a semaphore); the first failure, in declaration
//!   order, fails the build with `DependencyBuildError` and the rest are dropped.
//!
//! The fetched charts are packaged under `charts/<name>/`, as Helm's `chartutil.Save`
//! writes sub-charts; Chart.yaml and any lock are left as written (Flux writes no lock).

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt, TryStreamExt};
use helm::chart::{Chart, Dependency};
use kube::api::{Api, ListParams};
use tokio::sync::OnceCell;

use super::build::{self, reason};
use crate::api::source::{HelmRepository, HelmRepositorySpec, HelmRepositoryType};
use crate::controllers::source::SourceContext;
use crate::controllers::source::chart_repository::{
    ChartRepository, normalize_url_key, redact_text,
};
use crate::controllers::source::outcome::Failure;
use crate::controllers::source::reconciler::kube_message;

/// How many dependencies are fetched at once.
pub const CONCURRENCY: usize = 4;

/// Flux's timeout for a repository no HelmRepository describes (and HelmRepository's
/// default).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Where a dependency comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Only from `charts/`: the dependency names no repository.
    Vendored,
    /// A chart directory or archive, relative to the chart (`file://<path>`).
    Local(String),
    /// An HTTP(S) chart repository, by its normalised URL.
    Http(String),
    /// An OCI registry, by its normalised URL.
    Oci(String),
}

/// Flux's `isLocalDep`, `NormalizeURL` and `ValidateDepURL`: where `dep` comes from, or
/// why it cannot be fetched.
pub fn origin(dep: &Dependency) -> Result<Origin, String> {
    let repository = dep.repository.as_str();
    if repository.is_empty() {
        return Ok(Origin::Vendored);
    }
    if let Some(path) = repository.strip_prefix("file://") {
        return Ok(Origin::Local(path.to_string()));
    }
    let url = normalize_url_key(repository);
    if url.starts_with("oci://") {
        Ok(Origin::Oci(url))
    } else if url.starts_with("https://") || url.starts_with("http://") {
        Ok(Origin::Http(url))
    } else if url.starts_with('@') {
        Err(format!(
            "aliased repository dependency is not supported: {url}"
        ))
    } else {
        Err(format!(
            "invalid dependency repository URL: {}",
            redact_text(&url)
        ))
    }
}

/// Flux's `collectMissing`: the dependencies (the lock's, when the chart has one) not in
/// `charts/`, keyed by alias or name, in declaration order (a repeated key keeps its
/// last declaration). None when `charts/` holds as many charts as there are
/// dependencies.
pub fn missing(chart: &Chart) -> Vec<(String, Dependency)> {
    let required: Vec<&Dependency> = match &chart.lock {
        Some(lock) => lock.dependencies.iter().flatten().collect(),
        None => chart.metadata.deps().collect(),
    };
    if chart.dependencies.len() == required.len() {
        return Vec::new();
    }
    let mut out: Vec<(String, Dependency)> = Vec::new();
    for dep in required {
        let key = if dep.alias.is_empty() {
            &dep.name
        } else {
            &dep.alias
        };
        if chart.dependencies.iter().any(|c| c.name() == key.as_str()) {
            continue;
        }
        match out.iter_mut().find(|(k, _)| *k == *key) {
            Some(slot) => slot.1 = dep.clone(),
            None => out.push((key.clone(), dep.clone())),
        }
    }
    out
}

/// The first HelmRepository whose `spec.url` normalises to `url` (Flux indexes them by
/// that key and takes the first); for an `oci://` URL, the first of `type: oci`.
pub fn select_repository<'a>(
    repositories: &'a [HelmRepository],
    url: &str,
) -> Option<&'a HelmRepository> {
    let oci = url.starts_with("oci://");
    repositories.iter().find(|r| {
        !r.spec.url.is_empty()
            && normalize_url_key(&r.spec.url) == url
            && (!oci || r.spec.r#type == Some(HelmRepositoryType::Oci))
    })
}

/// Flux's OCI dependency reference: the chart `name` under the registry path `url`.
fn oci_reference(url: &str, name: &str) -> Result<oci::Repository, String> {
    oci::Repository::parse(url)
        .and_then(|registry| registry.join(name))
        .map_err(|e| e.to_string())
}

/// Adds the missing dependencies of `chart` (loaded from `chart_dir`, inside the source
/// artifact extracted at `root`); returns how many it resolved.
pub async fn build(
    chart: &mut Chart,
    chart_dir: &Path,
    root: &Path,
    repositories: &Repositories<'_>,
) -> Result<usize, Failure> {
    let missing = missing(chart);
    if missing.is_empty() {
        return Ok(0);
    }
    let failed = |e: String| {
        Failure::build(
            reason::DEPENDENCY_BUILD,
            format!("dependency build error: {e}"),
        )
    };
    // Boxed, so that the stream's type names no closure over these borrows (which
    // rustc cannot prove `Send` for every lifetime).
    let fetches: Vec<BoxFuture<'_, Result<(&str, Chart), String>>> = missing
        .iter()
        .map(|(key, dep)| {
            async move {
                repositories
                    .fetch(key, dep, chart_dir, root)
                    .await
                    .map(|c| (key.as_str(), c))
            }
            .boxed()
        })
        .collect();
    let fetched: Vec<(&str, Chart)> = futures::stream::iter(fetches)
        .buffered(CONCURRENCY)
        .try_collect()
        .await
        .map_err(failed)?;
    for (key, sub) in fetched {
        add(chart, key, sub).map_err(failed)?;
    }
    Ok(missing.len())
}

/// Adds a resolved dependency under `charts/`. Sub-charts are packaged by name, so two
/// aliases of one chart share a single copy; two versions of one chart cannot both be
/// packaged (Flux would write both to the same directory).
fn add(chart: &mut Chart, key: &str, sub: Chart) -> Result<(), String> {
    match chart.dependencies.iter().find(|c| c.name() == sub.name()) {
        None => {
            chart.dependencies.push(sub);
            Ok(())
        }
        Some(present) if present.metadata.version == sub.metadata.version => Ok(()),
        Some(present) => Err(format!(
            "failed to add dependency '{key}': chart '{}' version '{}' would be packaged in \
             charts/{}/ where version '{}' already is; a packaged chart holds one version of \
             each sub-chart",
            sub.name(),
            sub.metadata.version,
            sub.name(),
            present.metadata.version
        )),
    }
}

/// A chart repository ready for one build: its client and index.
struct Remote {
    client: ChartRepository,
    index: Arc<helm::repo::IndexFile>,
}

/// Why a repository could not be used: the client (HelmRepository lookup, secrets, TLS)
/// or the index.
#[derive(Clone)]
enum RepositoryError {
    Client(String),
    Index(String),
}

type Entry = Arc<OnceCell<Result<Arc<Remote>, RepositoryError>>>;

/// An OCI registry path ready for one build: its client, logged in when it has credentials.
struct Registry {
    client: oci::Client,
}

type RegistryEntry = Arc<OnceCell<Result<Arc<Registry>, String>>>;

/// The chart repositories of one build, made on first use.
pub struct Repositories<'a> {
    ctx: &'a SourceContext,
    namespace: &'a str,
    /// The namespace's HelmRepositories, listed once.
    listed: OnceCell<Result<Vec<HelmRepository>, String>>,
    /// By normalised URL.
    entries: Mutex<HashMap<String, Entry>>,
    /// OCI registries, by normalised URL.
    registries: Mutex<HashMap<String, RegistryEntry>>,
}

impl<'a> Repositories<'a> {
    pub fn new(ctx: &'a SourceContext, namespace: &'a str) -> Repositories<'a> {
        Repositories {
            ctx,
            namespace,
            listed: OnceCell::new(),
            entries: Mutex::default(),
            registries: Mutex::default(),
        }
    }

    /// One missing dependency, loaded or downloaded; errors read as Flux's.
    async fn fetch(
        &self,
        key: &str,
        dep: &Dependency,
        chart_dir: &Path,
        root: &Path,
    ) -> Result<Chart, String> {
        let local = |e: String| format!("failed to add local dependency '{key}': {e}");
        let remote = |e: String| format!("failed to add remote dependency '{key}': {e}");
        match origin(dep).map_err(remote)? {
            Origin::Vendored => Err(local(format!(
                "no chart found at 'charts/{}' (reference '')",
                dep.name
            ))),
            Origin::Local(path) => {
                let (dep, chart_dir, root) =
                    (dep.clone(), chart_dir.to_path_buf(), root.to_path_buf());
                tokio::task::spawn_blocking(move || load_local(&dep, &path, &chart_dir, &root))
                    .await
                    .unwrap_or_else(|e| Err(format!("loading aborted: {e}")))
                    .map_err(local)
            }
            Origin::Http(url) => self.fetch_http(dep, &url).await.map_err(remote),
            Origin::Oci(url) => self.fetch_oci(dep, &url).await.map_err(remote),
        }
    }

    /// Flux's `addRemoteDependency` against an HTTP(S) repository.
    async fn fetch_http(&self, dep: &Dependency, url: &str) -> Result<Chart, String> {
        let reference_failed = |e: String| {
            format!(
                "failed to get chart '{}' version '{}' from '{}': {e}",
                dep.name,
                dep.version,
                redact_text(&dep.repository)
            )
        };
        let remote = match self.repository(url).await {
            Ok(remote) => remote,
            Err(RepositoryError::Client(e)) => return Err(e),
            Err(RepositoryError::Index(e)) => return Err(reference_failed(e)),
        };
        let entry = remote
            .index
            .chart_version(&dep.name, &dep.version)
            .map_err(|e| reference_failed(e.to_string()))?;
        let version = entry.version().to_string();
        let download_failed =
            |e: String| format!("chart download of version '{version}' failed: {e}");
        let reference = entry.urls.first().ok_or_else(|| {
            download_failed(format!("chart '{}' has no downloadable URLs", entry.name()))
        })?;
        let chart_url = remote.client.resolve(reference).map_err(download_failed)?;
        let archive = remote
            .client
            .get(&chart_url, helm::repo::MAX_CHART_SIZE, "chart")
            .await
            .map_err(download_failed)?;
        tokio::task::spawn_blocking(move || {
            helm::loader::load_archive(&archive[..], &build::limits()).map_err(|e| e.to_string())
        })
        .await
        .unwrap_or_else(|e| Err(format!("loading aborted: {e}")))
        .map_err(|e| format!("failed to load downloaded archive of version '{version}': {e}"))
    }

    /// Flux's `addRemoteDependency` against an OCI registry.
    async fn fetch_oci(&self, dep: &Dependency, url: &str) -> Result<Chart, String> {
        let registry = self.registry(url).await?;
        let reference_failed = |e: String| {
            format!(
                "failed to get chart '{}' version '{}' from '{}': {e}",
                dep.name,
                dep.version,
                redact_text(&dep.repository)
            )
        };
        let chart = oci_reference(url, &dep.name).map_err(reference_failed)?;
        let version =
            super::oci::resolve_version(&registry.client, &chart, &dep.name, dep.version.trim())
                .await
                .map_err(reference_failed)?;
        let pulled = oci::helm::pull_chart(
            &registry.client,
            &chart.name,
            &version,
            helm::repo::MAX_CHART_SIZE,
        )
        .await
        .map_err(|e| {
            format!("chart download of version '{version}' failed: failed to get '{chart}:{version}': {e}")
        })?;
        let archive = pulled.archive;
        tokio::task::spawn_blocking(move || {
            helm::loader::load_archive(&archive[..], &build::limits()).map_err(|e| e.to_string())
        })
        .await
        .unwrap_or_else(|e| Err(format!("loading aborted: {e}")))
        .map_err(|e| format!("failed to load downloaded archive of version '{version}': {e}"))
    }

    /// The registry at `url`, made once per build.
    async fn registry(&self, url: &str) -> Result<Arc<Registry>, String> {
        let entry = self
            .registries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(url.to_string())
            .or_default()
            .clone();
        entry
            .get_or_init(|| async {
                self.connect_registry(url).await.map_err(|e| {
                    format!(
                        "failed to get chart repository for URL '{}': {e}",
                        redact_text(url)
                    )
                })
            })
            .await
            .clone()
    }

    /// Flux's `namespacedChartRepositoryCallback` for an OCI URL: the client of the
    /// matching `type: oci` HelmRepository (or an anonymous one), logged in when it has
    /// credentials.
    async fn connect_registry(&self, url: &str) -> Result<Arc<Registry>, String> {
        let repo = match select_repository(self.listed().await?, url) {
            Some(repo) => repo.clone(),
            None => anonymous(url, self.namespace),
        };
        super::oci::check_provider(&repo).map_err(|f| f.message)?;
        let registry = oci::Repository::parse(url).map_err(|e| e.to_string())?;
        let super::oci::RegistryClient {
            client,
            credentials,
        } = super::oci::registry_client(&repo, &registry, self.ctx)
            .await
            .map_err(|f| f.message)?;
        if credentials {
            client.ping().await.map_err(|e| {
                format!(
                    "failed to login to OCI chart repository for URL '{}': {e}",
                    redact_text(url)
                )
            })?;
        }
        Ok(Arc::new(Registry { client }))
    }

    /// The HelmRepositories of the namespace, listed once per build.
    async fn listed(&self) -> Result<&[HelmRepository], String> {
        self.listed
            .get_or_init(|| async {
                Api::<HelmRepository>::namespaced(self.ctx.rt.client.clone(), self.namespace)
                    .list(&ListParams::default())
                    .await
                    .map(|l| l.items)
                    .map_err(|e| {
                        format!(
                            "unable to retrieve HelmRepositoryList: {}",
                            kube_message(&e)
                        )
                    })
            })
            .await
            .as_deref()
            .map_err(Clone::clone)
    }

    /// The repository at `url`, made once per build.
    async fn repository(&self, url: &str) -> Result<Arc<Remote>, RepositoryError> {
        let entry = self
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(url.to_string())
            .or_default()
            .clone();
        entry.get_or_init(|| self.connect(url)).await.clone()
    }

    /// Flux's `namespacedChartRepositoryCallback`, plus the index load its
    /// `GetChartVersion` does.
    async fn connect(&self, url: &str) -> Result<Arc<Remote>, RepositoryError> {
        let client_failed = |e: String| {
            RepositoryError::Client(format!(
                "failed to get chart repository for URL '{}': {e}",
                redact_text(url)
            ))
        };
        let listed = self.listed().await.map_err(client_failed)?;
        let (repo, stored) = match select_repository(listed, url) {
            Some(repo) => {
                let stored = repo
                    .status
                    .as_ref()
                    .and_then(|s| s.artifact.clone())
                    .filter(|a| self.ctx.storage.exists(&a.path));
                (repo.clone(), stored)
            }
            None => (anonymous(url, self.namespace), None),
        };
        let timeout = repo
            .spec
            .timeout
            .as_deref()
            .and_then(|t| crate::api::duration::parse_positive(t).ok())
            .unwrap_or(DEFAULT_TIMEOUT);
        let client = ChartRepository::for_repository(&repo, &self.ctx.rt.client, timeout)
            .await
            .map_err(|f| client_failed(f.message))?;
        let index = match stored {
            Some(artifact) => build::index(self.ctx, &artifact)
                .await
                .map_err(|f| RepositoryError::Index(f.message))?,
            None => Arc::new(fetch_index(&client).await.map_err(RepositoryError::Index)?),
        };
        Ok(Arc::new(Remote { client, index }))
    }
}

/// A repository no HelmRepository describes, as Flux's stand-in.
fn anonymous(url: &str, namespace: &str) -> HelmRepository {
    let mut repo = HelmRepository::new(
        "",
        HelmRepositorySpec {
            url: url.to_string(),
            ..Default::default()
        },
    );
    repo.metadata.namespace = Some(namespace.to_string());
    repo
}

/// `index.yaml` from the repository itself, within the index size cap.
async fn fetch_index(client: &ChartRepository) -> Result<helm::repo::IndexFile, String> {
    let bytes = client
        .get(&client.index_url(), helm::repo::MAX_INDEX_SIZE, "index")
        .await
        .map_err(|e| format!("failed to cache index: {e}"))?;
    tokio::task::spawn_blocking(move || helm::repo::IndexFile::from_bytes(&bytes))
        .await
        .map_err(|e| format!("failed to load index: {e}"))?
        .map_err(|e| format!("failed to load index: {e}"))
}

/// Flux's `addLocalDependency`: the chart (directory or archive) at `path`, relative to
/// the chart directory, which must stay inside the source artifact and satisfy the
/// dependency's version constraint.
fn load_local(
    dep: &Dependency,
    path: &str,
    chart_dir: &Path,
    root: &Path,
) -> Result<Chart, String> {
    let location = normalize(&chart_dir.join(path));
    if !location.starts_with(root) {
        return Err(format!(
            "path '{path}' (reference '{}') leaves the source artifact",
            dep.repository
        ));
    }
    let shown = location
        .strip_prefix(root)
        .unwrap_or(&location)
        .display()
        .to_string();
    if !location.exists() {
        return Err(format!(
            "no chart found at '{shown}' (reference '{}')",
            dep.repository
        ));
    }
    let sub = helm::loader::load(&location, &build::limits()).map_err(|e| {
        format!(
            "failed to load chart from '{shown}' (reference '{}'): {e}",
            dep.repository
        )
    })?;
    if !version_matches(&dep.version, &sub.metadata.version) {
        return Err(format!(
            "can't get a valid version for constraint '{}'",
            dep.version
        ));
    }
    Ok(sub)
}

/// Masterminds' check of a local dependency's version; an empty constraint takes any
/// release, as Masterminds reads `""`.
fn version_matches(constraint: &str, version: &str) -> bool {
    let constraint = if constraint.trim().is_empty() {
        "*"
    } else {
        constraint
    };
    helm::capabilities::is_compatible_range(constraint, version)
}

/// Resolves `.` and `..` lexically (the extracted artifact has no symlinks).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use helm::chart::{Lock, Metadata};

    fn dep(name: &str, alias: &str, repository: &str) -> Dependency {
        Dependency {
            name: name.into(),
            version: "1.x".into(),
            repository: repository.into(),
            alias: alias.into(),
            ..Default::default()
        }
    }

    fn chart(deps: Vec<Dependency>, vendored: &[&str]) -> Chart {
        Chart {
            metadata: Metadata {
                name: "app".into(),
                version: "0.1.0".into(),
                api_version: "v2".into(),
                dependencies: deps.into_iter().map(Some).collect(),
                ..Default::default()
            },
            dependencies: vendored
                .iter()
                .map(|n| Chart {
                    metadata: Metadata {
                        name: n.to_string(),
                        version: "1.0.0".into(),
                        ..Default::default()
                    },
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    fn keys(missing: &[(String, Dependency)]) -> Vec<&str> {
        missing.iter().map(|(k, _)| k.as_str()).collect()
    }

    #[test]
    fn vendored_dependencies_are_not_fetched() {
        let c = chart(
            vec![
                dep("redis", "", "https://charts.example.com"),
                dep("common", "", "https://charts.example.com"),
                dep("local", "", "file://../local"),
            ],
            &["redis"],
        );
        assert_eq!(keys(&missing(&c)), ["common", "local"]);
    }

    #[test]
    fn aliases_key_the_missing_dependencies() {
        // Flux matches charts/ by alias or name: an alias is missing until fetched, and
        // two aliases of one chart are two dependencies.
        let c = chart(
            vec![
                dep("redis", "cache", "https://charts.example.com"),
                dep("redis", "queue", "https://charts.example.com"),
                dep("common", "", "https://charts.example.com"),
            ],
            &["common"],
        );
        assert_eq!(keys(&missing(&c)), ["cache", "queue"]);
    }

    #[test]
    fn as_many_charts_as_dependencies_means_nothing_is_missing() {
        let c = chart(
            vec![dep("redis", "", "https://charts.example.com")],
            &["something-else"],
        );
        assert!(missing(&c).is_empty());
    }

    #[test]
    fn the_lock_decides_what_is_needed() {
        let mut c = chart(vec![dep("redis", "", "https://charts.example.com")], &[]);
        let mut locked = dep("redis", "", "https://charts.example.com");
        locked.version = "17.3.2".into();
        c.lock = Some(Lock {
            dependencies: vec![Some(locked), None],
            ..Default::default()
        });
        let missing = missing(&c);
        assert_eq!(keys(&missing), ["redis"]);
        assert_eq!(missing[0].1.version, "17.3.2");
    }

    #[test]
    fn repositories_are_classified_as_flux_does() {
        let of = |repository: &str| origin(&dep("x", "", repository));
        assert_eq!(of(""), Ok(Origin::Vendored));
        assert_eq!(of("file://../x"), Ok(Origin::Local("../x".into())));
        assert_eq!(
            of("https://charts.example.com/stable"),
            Ok(Origin::Http("https://charts.example.com/stable/".into()))
        );
        assert_eq!(
            of("http://127.0.0.1:8080//"),
            Ok(Origin::Http("http://127.0.0.1:8080/".into()))
        );
        assert_eq!(
            of("oci://ghcr.io/charts/"),
            Ok(Origin::Oci("oci://ghcr.io/charts".into()))
        );
        assert_eq!(
            of("@fantastic-charts"),
            Err("aliased repository dependency is not supported: @fantastic-charts/".into())
        );
        assert_eq!(
            of("alias:fantastic-charts"),
            Err("invalid dependency repository URL: alias:fantastic-charts".into())
        );
        assert_eq!(
            of("ftp://charts.example.com"),
            Err("invalid dependency repository URL: ftp://charts.example.com/".into())
        );
    }

    #[test]
    fn oci_dependencies_are_the_chart_name_under_the_registry_path() {
        let url = normalize_url_key("oci://registry.example.com:5000/charts/");
        let r = oci_reference(&url, "redis").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.name.as_str()),
            ("registry.example.com:5000", "charts/redis")
        );
        assert_eq!(
            r.to_string(),
            "oci://registry.example.com:5000/charts/redis"
        );
        let r = oci_reference("oci://ghcr.io", "redis").unwrap();
        assert_eq!(r.name, "redis");
        let err = oci_reference(&url, "Redis").unwrap_err();
        assert!(err.contains("Redis"), "{err}");
    }

    #[test]
    fn oci_dependencies_find_only_oci_helm_repositories() {
        let mut oci = helm_repository("registry", "oci://ghcr.io/charts/");
        oci.spec.r#type = Some(HelmRepositoryType::Oci);
        let repos = [helm_repository("untyped", "oci://ghcr.io/charts"), oci];
        let url = normalize_url_key("oci://ghcr.io/charts");
        assert_eq!(
            select_repository(&repos, &url).map(|r| r.metadata.name.as_deref()),
            Some(Some("registry"))
        );
        assert!(select_repository(&repos[..1], &url).is_none());
    }

    fn helm_repository(name: &str, url: &str) -> HelmRepository {
        HelmRepository::new(
            name,
            HelmRepositorySpec {
                url: url.into(),
                ..Default::default()
            },
        )
    }

    #[test]
    fn dependencies_find_their_helm_repository_by_normalised_url() {
        let repos = [
            helm_repository("other", "https://other.example.com"),
            helm_repository("empty", ""),
            helm_repository("stable", "https://charts.example.com/stable"),
            helm_repository("stable-too", "https://charts.example.com/stable/"),
        ];
        let url = normalize_url_key("https://charts.example.com/stable//");
        assert_eq!(
            select_repository(&repos, &url).map(|r| r.metadata.name.as_deref()),
            Some(Some("stable"))
        );
        assert!(select_repository(&repos, "https://charts.example.com/").is_none());
        assert!(select_repository(&repos, "").is_none());
    }

    #[test]
    fn two_versions_of_one_sub_chart_are_refused() {
        let mut c = chart(vec![], &["redis"]);
        let same = chart(vec![], &["redis"]).dependencies.remove(0);
        add(&mut c, "cache", same).unwrap();
        assert_eq!(c.dependencies.len(), 1);
        let mut newer = chart(vec![], &["redis"]).dependencies.remove(0);
        newer.metadata.version = "2.0.0".into();
        let err = add(&mut c, "queue", newer).unwrap_err();
        assert!(
            err.contains("'queue'") && err.contains("charts/redis/"),
            "{err}"
        );
    }

    #[test]
    fn local_versions_follow_masterminds() {
        assert!(version_matches("", "1.2.3"));
        assert!(version_matches("1.x", "1.2.3"));
        assert!(version_matches("~1.2.0", "1.2.3"));
        assert!(!version_matches("^2", "1.2.3"));
        assert!(!version_matches("not a constraint", "1.2.3"));
    }

    #[test]
    fn local_paths_stay_inside_the_artifact() {
        let root = tempfile::tempdir().unwrap();
        let chart_dir = root.path().join("charts/app");
        std::fs::create_dir_all(&chart_dir).unwrap();
        let d = dep("x", "", "file://../../../etc");
        let err = load_local(&d, "../../../etc", &chart_dir, root.path()).unwrap_err();
        assert!(err.contains("leaves the source artifact"), "{err}");
        let d = dep("x", "", "file://../x");
        let err = load_local(&d, "../x", &chart_dir, root.path()).unwrap_err();
        assert_eq!(
            err,
            "no chart found at 'charts/x' (reference 'file://../x')"
        );
    }
}
