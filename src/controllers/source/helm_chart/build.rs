//! Building a HelmChart's artifact: pulled from a HelmRepository's index (repackaged only
//! when values files or version metadata change it), or packaged from a chart directory in
//! a GitRepository or Bucket artifact with its missing dependencies resolved (see
//! [`super::dependencies`]), as source-controller's remote and local builders do.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use helm::chart::Chart;
use kube::ResourceExt;

use crate::api::meta::Artifact;
use crate::api::source::{HelmChart, HelmRepository, ReconcileStrategy};
use crate::controllers::source::SourceContext;
use crate::controllers::source::chart_repository::{ChartRepository, select_version};
use crate::controllers::source::outcome::Failure;

use super::dependencies;

/// source-controller's build error reasons.
pub mod reason {
    pub const CHART_REFERENCE: &str = "InvalidChartReference";
    pub const CHART_PULL: &str = "ChartPullError";
    pub const VALUES_FILES: &str = "ValuesFilesError";
    pub const DEPENDENCY_BUILD: &str = "DependencyBuildError";
    pub const CHART_PACKAGE: &str = "ChartPackageError";
    pub const PULL_SUCCEEDED: &str = "ChartPullSucceeded";
    pub const PACKAGE_SUCCEEDED: &str = "ChartPackageSucceeded";
}

/// A chart ready to be stored.
pub struct Build {
    pub name: String,
    pub version: String,
    /// The values files merged into it (none: the chart's own values).
    pub values_files: Vec<String>,
    /// Repackaged by us (`packaged`) rather than stored as downloaded (`pulled`).
    pub packaged: bool,
    /// The archive bytes.
    pub archive: Vec<u8>,
}

impl Build {
    /// source-controller's build summary, the Ready message and event text.
    pub fn summary(&self) -> String {
        summary(self.packaged, &self.name, &self.version, &self.values_files)
    }

    pub fn reason(&self) -> &'static str {
        if self.packaged {
            reason::PACKAGE_SUCCEEDED
        } else {
            reason::PULL_SUCCEEDED
        }
    }
}

pub fn summary(packaged: bool, name: &str, version: &str, values_files: &[String]) -> String {
    let action = if packaged { "packaged" } else { "pulled" };
    let mut s = format!("{action} '{name}' chart with version '{version}'");
    if !values_files.is_empty() {
        s.push_str(&format!(
            " and merged values files [{}]",
            values_files.join(" ")
        ));
    }
    s
}

/// What a build needs to know of the chart already stored, to skip a rebuild.
pub struct Cached<'a> {
    pub name: &'a str,
    pub version: &'a str,
}

/// The outcome of a build: a new chart, or the stored one still current.
pub enum Built {
    New(Build),
    /// Same chart name and version as the stored artifact, same spec generation.
    Unchanged {
        name: String,
    },
}

/// `spec.valuesFiles`, except a lone `values.yaml` (the chart's own values).
pub fn values_files(obj: &HelmChart) -> Vec<String> {
    let files = obj.spec.values_files.clone().unwrap_or_default();
    if files.len() == 1 && Path::new(&files[0]) == Path::new("values.yaml") {
        return Vec::new();
    }
    files
}

/// Loading caps: an archive may hold up to [`helm::repo::MAX_CHART_SIZE`] compressed, and
/// charts compress about five to one.
pub(super) fn limits() -> helm::loader::Limits {
    crate::controllers::source::chart_repository::load_limits()
}

/// Pulls `spec.chart` at `spec.version` from a HelmRepository's stored index.
pub async fn from_repository(
    obj: &HelmChart,
    repo: &HelmRepository,
    index_artifact: &Artifact,
    ctx: &SourceContext,
    cached: Option<Cached<'_>>,
) -> Result<Built, Failure> {
    let timeout = repo
        .spec
        .timeout
        .as_deref()
        .and_then(|t| crate::api::duration::parse_positive(t).ok())
        .unwrap_or(std::time::Duration::from_secs(60));
    let index = index(ctx, index_artifact).await?;
    let version_spec = obj.spec.version.as_deref().unwrap_or("*");
    let entry = select_version(&index, &obj.spec.chart, version_spec).map_err(|e| {
        Failure::stalled(
            reason::CHART_REFERENCE,
            format!("invalid chart reference: {e}"),
        )
    })?;
    let values_files = values_files(obj);
    let metadata = (!values_files.is_empty()).then(|| generation(obj));
    let version = with_metadata(entry.version(), metadata.as_deref());
    if unchanged(obj, cached, entry.name(), &version) {
        return Ok(Built::Unchanged {
            name: entry.name().to_string(),
        });
    }
    if entry.urls.is_empty() {
        // Reported before the repository's Secrets are read, as source-controller does.
        return Err(Failure::retry(
            reason::CHART_PULL,
            format!(
                "chart pull error: chart '{}' has no downloadable URLs",
                entry.name()
            ),
        ));
    }
    let repository = ChartRepository::for_repository(repo, &ctx.rt.client, timeout).await?;
    let archive = repository
        .download(entry)
        .await
        .map_err(|e| Failure::retry(reason::CHART_PULL, format!("chart pull error: {e}")))?;
    if values_files.is_empty() {
        return Ok(Built::New(Build {
            name: entry.name().to_string(),
            version,
            values_files,
            packaged: false,
            archive,
        }));
    }
    let ignore_missing = obj.spec.ignore_missing_values_files == Some(true);
    blocking(move || {
        let mut chart = helm::loader::load_archive(&archive[..], &limits()).map_err(|e| {
            Failure::build(reason::CHART_PACKAGE, format!("chart package error: {e}"))
        })?;
        repackage(
            &mut chart,
            &values_files,
            ignore_missing,
            metadata.as_deref(),
        )
    })
    .await
}

/// Packages the chart at `spec.chart` inside a GitRepository or Bucket artifact.
pub async fn from_tarball(
    obj: &HelmChart,
    source: &Artifact,
    ctx: &SourceContext,
    cached: Option<Cached<'_>>,
) -> Result<Built, Failure> {
    let chart_path = confined(&obj.spec.chart).ok_or_else(|| {
        Failure::stalled(
            reason::CHART_REFERENCE,
            format!(
                "invalid chart reference: spec.chart '{}' must be a relative path inside the \
                 source artifact",
                obj.spec.chart
            ),
        )
    })?;
    let archive = ctx.storage.local_path(&source.path).map_err(|e| {
        Failure::retry(
            meta_failed(),
            format!("failed to open source artifact: {e}"),
        )
    })?;
    let values_files = values_files(obj);
    let ignore_missing = obj.spec.ignore_missing_values_files == Some(true);
    let mut metadata = match obj.spec.reconcile_strategy {
        Some(ReconcileStrategy::Revision) => Some(short_revision(&source.revision)),
        _ => None,
    };
    if !values_files.is_empty() {
        metadata = Some(match metadata {
            Some(m) => format!("{m}.{}", generation(obj)),
            None => generation(obj),
        });
    }
    let cached = cached.map(|c| (c.name.to_string(), c.version.to_string()));
    let force = force(obj);
    let loaded = blocking(move || {
        let workdir = tempfile::tempdir().map_err(|e| {
            Failure::retry(
                crate::controllers::source::outcome::reason::DIRECTORY_CREATION_FAILED,
                format!("failed to create temporary working directory: {e}"),
            )
        })?;
        let file = std::fs::File::open(&archive).map_err(|e| {
            Failure::retry(
                meta_failed(),
                format!("failed to open source artifact: {e}"),
            )
        })?;
        artifact::extract(file, workdir.path(), artifact::Limits::default())
            .map_err(|e| Failure::retry(meta_failed(), format!("artifact untar error: {e}")))?;
        let dir = workdir.path().join(&chart_path);
        if !dir.join("Chart.yaml").is_file() {
            return Err(Failure::stalled(
                reason::CHART_REFERENCE,
                format!(
                    "invalid chart reference: no Chart.yaml at '{}' in the source artifact: \
                     spec.chart must name the chart's directory",
                    chart_path.display()
                ),
            ));
        }
        let mut chart = helm::loader::load_dir(&dir, &limits()).map_err(|e| {
            Failure::build(
                reason::CHART_PACKAGE,
                format!("chart package error: failed to load chart: {e}"),
            )
        })?;
        let version = with_metadata(&chart.metadata.version, metadata.as_deref());
        if !force
            && let Some((name, cached_version)) = &cached
            && *name == chart.metadata.name
            && *cached_version == version
        {
            return Ok(Loaded::Unchanged(name.clone()));
        }
        // Values and version first, then dependencies, as source-controller's local
        // builder orders them (and so which error wins).
        let used = patch(
            &mut chart,
            &values_files,
            ignore_missing,
            metadata.as_deref(),
        )?;
        Ok(Loaded::Chart {
            workdir,
            dir,
            chart: Box::new(chart),
            values_files: used,
        })
    })
    .await?;
    let (workdir, dir, mut chart, values_files) = match loaded {
        Loaded::Unchanged(name) => return Ok(Built::Unchanged { name }),
        Loaded::Chart {
            workdir,
            dir,
            chart,
            values_files,
        } => (workdir, dir, chart, values_files),
    };
    let namespace = obj.namespace().unwrap_or_default();
    let repositories = dependencies::Repositories::new(ctx, &namespace);
    let resolved = match dependencies::build(&mut chart, &dir, workdir.path(), &repositories).await
    {
        Ok(resolved) => resolved,
        Err(failure) => {
            // Removing the extracted artifact is file system work: off the runtime.
            let _ = tokio::task::spawn_blocking(move || drop(workdir)).await;
            return Err(failure);
        }
    };
    if resolved > 0 {
        tracing::info!(
            helmchart = %format!("{namespace}/{}", obj.name_any()),
            "resolved {resolved} chart dependencies"
        );
    }
    blocking(move || {
        drop(workdir);
        package(&chart, values_files)
    })
    .await
}

/// A chart directory loaded from a source artifact, or the stored chart still current.
enum Loaded {
    Unchanged(String),
    Chart {
        /// The extracted artifact, which local dependencies are read from.
        workdir: tempfile::TempDir,
        dir: PathBuf,
        chart: Box<Chart>,
        /// The values files merged.
        values_files: Vec<String>,
    },
}

fn meta_failed() -> &'static str {
    crate::api::meta::reason::FAILED
}

/// Values files merged, version metadata set, packaged.
fn repackage(
    chart: &mut Chart,
    values_files: &[String],
    ignore_missing: bool,
    metadata: Option<&str>,
) -> Result<Built, Failure> {
    let used = patch(chart, values_files, ignore_missing, metadata)?;
    package(chart, used)
}

/// Merges the values files into the chart's values and sets the version metadata;
/// returns the values files used.
fn patch(
    chart: &mut Chart,
    values_files: &[String],
    ignore_missing: bool,
    metadata: Option<&str>,
) -> Result<Vec<String>, Failure> {
    let used = if values_files.is_empty() {
        Vec::new()
    } else {
        helm::package::merge_values_files(chart, values_files, ignore_missing).map_err(|e| {
            Failure::build(
                reason::VALUES_FILES,
                format!("values files merge error: {e}"),
            )
            .stalling()
        })?
    };
    if let Some(metadata) = metadata {
        helm::package::set_version_metadata(chart, metadata).map_err(|e| {
            Failure::build(
                "MetadataPatchError",
                format!("chart metadata patch error: {e}"),
            )
            .stalling()
        })?;
    }
    Ok(used)
}

/// The chart archive, with its dependencies under `charts/`.
fn package(chart: &Chart, values_files: Vec<String>) -> Result<Built, Failure> {
    let mut archive = Vec::new();
    helm::package::save(chart, &mut archive)
        .map_err(|e| Failure::build(reason::CHART_PACKAGE, format!("chart package error: {e}")))?;
    Ok(Built::New(Build {
        name: chart.metadata.name.clone(),
        version: chart.metadata.version.clone(),
        values_files,
        packaged: true,
        archive,
    }))
}

/// `spec.chart` as a relative path that cannot leave the artifact root.
fn confined(chart: &str) -> Option<PathBuf> {
    let path = Path::new(chart);
    let mut depth = 0i32;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(part) => {
                depth += 1;
                out.push(part);
            }
            Component::CurDir => {}
            Component::ParentDir => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
                out.pop();
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// The first 12 hex digits of a source revision (`main@sha1:<hex>` or `sha256:<hex>`),
/// as Flux shortens them for version metadata.
fn short_revision(revision: &str) -> String {
    let hex = revision.rsplit(':').next().unwrap_or(revision);
    hex.chars().take(12).collect()
}

fn generation(obj: &HelmChart) -> String {
    obj.metadata.generation.unwrap_or_default().to_string()
}

/// A spec change forces a rebuild even when name and version match.
fn force(obj: &HelmChart) -> bool {
    obj.metadata.generation != obj.status.as_ref().and_then(|s| s.observed_generation)
}

fn unchanged(obj: &HelmChart, cached: Option<Cached<'_>>, name: &str, version: &str) -> bool {
    !force(obj) && cached.is_some_and(|c| c.name == name && c.version == version)
}

/// `version+metadata` (replacing any metadata), as the packaged chart will carry it.
fn with_metadata(version: &str, metadata: Option<&str>) -> String {
    match metadata {
        Some(m) => format!("{}+{m}", version.split('+').next().unwrap_or(version)),
        None => version.to_string(),
    }
}

pub(super) async fn index(
    ctx: &SourceContext,
    artifact: &Artifact,
) -> Result<Arc<helm::repo::IndexFile>, Failure> {
    if let Some(index) = ctx.indexes.get(&artifact.path) {
        return Ok(index);
    }
    let path = ctx
        .storage
        .local_path(&artifact.path)
        .map_err(|e| Failure::retry(meta_failed(), format!("failed to load index: {e}")))?;
    let index = blocking(move || {
        let bytes = std::fs::read(&path)
            .map_err(|e| Failure::retry(meta_failed(), format!("failed to load index: {e}")))?;
        helm::repo::IndexFile::from_bytes(&bytes)
            .map_err(|e| Failure::retry(meta_failed(), format!("failed to load index: {e}")))
    })
    .await?;
    let index = Arc::new(index);
    ctx.indexes.insert(&artifact.path, index.clone());
    Ok(index)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        Err(Failure::retry(
            meta_failed(),
            format!("chart build aborted: {e}"),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_paths_stay_inside_the_artifact() {
        assert_eq!(confined("./charts/app"), Some(PathBuf::from("charts/app")));
        assert_eq!(confined("charts/../app"), Some(PathBuf::from("app")));
        assert_eq!(confined("../app"), None);
        assert_eq!(confined("charts/../../app"), None);
        assert_eq!(confined("/etc"), None);
    }

    #[test]
    fn versions_take_flux_metadata() {
        assert_eq!(with_metadata("1.2.3", None), "1.2.3");
        assert_eq!(with_metadata("1.2.3", Some("4")), "1.2.3+4");
        assert_eq!(with_metadata("1.2.3+old", Some("abc")), "1.2.3+abc");
        assert_eq!(
            short_revision("main@sha1:0123456789abcdef0123"),
            "0123456789ab"
        );
        assert_eq!(short_revision("sha256:fedcba9876543210ff"), "fedcba987654");
    }

    #[test]
    fn summaries_read_as_flux_writes_them() {
        assert_eq!(
            summary(false, "podinfo", "6.1.6", &[]),
            "pulled 'podinfo' chart with version '6.1.6'"
        );
        assert_eq!(
            summary(
                true,
                "app",
                "1.0.0+2",
                &["values.yaml".into(), "values-prod.yaml".into()]
            ),
            "packaged 'app' chart with version '1.0.0+2' and merged values files [values.yaml values-prod.yaml]"
        );
    }
}
