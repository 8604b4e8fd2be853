//! `tk build helmrelease NAME` (beyond flux): a HelmRelease rendered locally by the helm
//! controller's own steps, printed as the objects the controller would apply. The same
//! render feeds `tk diff helmrelease`.
//!
//! The HelmRelease comes from `--file` or the cluster; the chart from `--chart` or, for a
//! `spec.chart` whose source is a HelmRepository, from that repository (index fetched with
//! its credentials, version chosen by Flux's rules, chart downloaded with the source
//! controller's caps); the values from `spec.valuesFrom` and `spec.values` as the controller
//! composes them, then each `--values` file merged on top as helm's `-f` does. With the
//! cluster, the render is the next release's: the revision after the last stored one, an
//! upgrade when one is deployed, the cluster's capabilities.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use helm::chart::Chart;
use helm::release::{ReleaseRecord, Status};
use helm::values::Values;
use kube::api::Api;
use kube::{Resource as _, ResourceExt as _};
use serde_json::{Value, json};

use super::printer::Printer;
use super::settings::GlobalSettings;
use crate::api::helm::{CRDsPolicy, ChartSourceKind, HelmChartTemplateSpec, HelmRelease};
use crate::api::source::{HelmChart, HelmRepository, HelmRepositoryType};
use crate::controllers::helm::release::{self, Target};
use crate::controllers::helm::storage::SecretStorage;
use crate::controllers::helm::{postrender, values};
use crate::controllers::source::chart_repository::{self, ChartRepository};
use crate::ssa::Owner;

/// How long `tk build helmrelease --file` waits for the cluster before rendering without it.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// source-controller's default HelmRepository timeout.
const DEFAULT_REPOSITORY_TIMEOUT: Duration = Duration::from_secs(60);

/// `tk build helmrelease` / `tk diff helmrelease`, resolved.
#[derive(Debug, Clone)]
pub struct HelmReleaseOptions {
    pub name: String,
    /// The multi-document file holding the HelmRelease (and maybe its HelmRepository).
    pub file: Option<PathBuf>,
    /// A chart directory or packaged `.tgz` used instead of the HelmRelease's source.
    pub chart: Option<PathBuf>,
    /// Values files merged over the composed values, in order.
    pub values_files: Vec<PathBuf>,
    /// Print the hooks' objects too.
    pub include_hooks: bool,
    /// Never contact the cluster.
    pub offline: bool,
}

impl HelmReleaseOptions {
    /// Checks the flags before anything is read.
    pub fn resolve(
        name: &str,
        file: Option<&Path>,
        chart: Option<&Path>,
        values_files: &[PathBuf],
        include_hooks: bool,
        offline: bool,
    ) -> Result<Self> {
        if offline && file.is_none() {
            bail!(
                "--dry-run needs --file: without the cluster the HelmRelease can only be read \
                 from a file"
            );
        }
        if let Some(file) = file
            && !file.is_file()
        {
            bail!(
                "--file {}: no such file; pass the YAML file holding the HelmRelease",
                file.display()
            );
        }
        if let Some(chart) = chart
            && !chart.exists()
        {
            bail!(
                "--chart {}: no such chart; pass a chart directory (with Chart.yaml) or a \
                 packaged .tgz",
                chart.display()
            );
        }
        for values in values_files {
            if !values.is_file() {
                bail!("--values {}: no such file", values.display());
            }
        }
        Ok(Self {
            name: name.to_string(),
            file: file.map(Path::to_path_buf),
            chart: chart.map(Path::to_path_buf),
            values_files: values_files.to_vec(),
            include_hooks,
            offline,
        })
    }
}

/// A HelmRelease rendered as the controller would release it next.
pub struct Render {
    pub target: Target,
    pub owner: Owner,
    /// What the controller applies: the chart's CRDs when its CRD policy applies them, then
    /// the release manifest's objects, with Helm's and the controller's metadata.
    pub objects: Vec<Value>,
    /// The hooks' objects (tests included), as they are applied when they run.
    pub hooks: Vec<Value>,
    /// The deployed release in storage, if there is one (read only with the cluster).
    pub deployed: Option<ReleaseRecord>,
}

/// `tk build helmrelease`.
pub async fn run(
    options: &HelmReleaseOptions,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let client = connect(options, settings, printer).await?;
    let render = render(options, settings, client.as_ref()).await?;
    let mut objects = render.objects;
    if options.include_hooks {
        objects.extend(render.hooks);
    }
    print!("{}", super::build::to_yaml(&objects));
    Ok(())
}

/// The client to render with: none with `--dry-run`; with `--file`, none either when the
/// cluster cannot be reached (said on stderr); without `--file`, the cluster is required.
async fn connect(
    options: &HelmReleaseOptions,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<Option<kube::Client>> {
    if options.offline {
        return Ok(None);
    }
    let probe = async {
        let client = settings.client().await?;
        client
            .apiserver_version()
            .await
            .context("reaching the API server")?;
        Ok::<_, anyhow::Error>(client)
    };
    let reached = match tokio::time::timeout(settings.timeout.min(PROBE_TIMEOUT), probe).await {
        Ok(reached) => reached,
        Err(_) => Err(anyhow!("no answer from the API server")),
    };
    match reached {
        Ok(client) => Ok(Some(client)),
        Err(e) if options.file.is_some() => {
            printer.failure(format!(
                "the cluster is not reachable ({e:#}): rendering without it (no valuesFrom, \
                 no release history, Helm's default capabilities); pass --dry-run to skip \
                 this check"
            ));
            Ok(None)
        }
        Err(e) => Err(e.context(format!(
            "reading HelmRelease {}/{} from the cluster: pass --file to render a HelmRelease \
             from a YAML file without the cluster",
            settings.namespace, options.name
        ))),
    }
}

/// Renders the HelmRelease; `client` is `None` without the cluster.
pub async fn render(
    options: &HelmReleaseOptions,
    settings: &GlobalSettings,
    client: Option<&kube::Client>,
) -> Result<Render> {
    let docs = match &options.file {
        Some(file) => read_documents(file)?,
        None => Vec::new(),
    };
    let hr = match &options.file {
        Some(file) => release_from_documents(&docs, file, &options.name, &settings.namespace)?,
        None => release_from_cluster(client, &options.name, &settings.namespace).await?,
    };
    let namespace = hr.namespace().unwrap_or_default();
    let shown = format!("HelmRelease {namespace}/{}", hr.name_any());
    let chart = chart(options, &hr, &docs, client, &shown).await?;
    let values = compose_values(options, &hr, client, &shown).await?;
    let target = Target::of(&hr);

    // The release in storage decides the revision and install or upgrade, as in the
    // controller.
    let (last, deployed) = match client {
        Some(client) => {
            let storage = SecretStorage::new(client.clone(), &target.storage_namespace);
            let mut history = storage.history(&target.name).await.map_err(|e| {
                anyhow!(
                    "{shown}: reading release {} from storage: {e}",
                    target.full_name()
                )
            })?;
            history.sort_by_key(|r| r.version);
            let deployed = history
                .iter()
                .rev()
                .find(|r| r.info.status == Status::Deployed)
                .cloned();
            (history.pop(), deployed)
        }
        None => (None, None),
    };
    let upgrade = deployed.is_some();
    let install = hr.spec.install.clone().unwrap_or_default();
    let up = hr.spec.upgrade.clone().unwrap_or_default();
    let skip_schema = if upgrade {
        up.disable_schema_validation == Some(true)
    } else {
        install.disable_schema_validation == Some(true)
    };
    // The controller's CRD policy: Helm installs a chart's CRDs and leaves them alone on
    // upgrade unless `crds` says otherwise.
    let apply_crds = match if upgrade { up.crds } else { install.crds } {
        Some(CRDsPolicy::Skip) => false,
        Some(_) => true,
        None => !upgrade && install.skip_crds != Some(true),
    };
    let mut options_render = helm::engine::RenderOptions {
        release_name: target.name.clone(),
        namespace: target.namespace.clone(),
        revision: last.as_ref().map_or(1, |r| r.version + 1),
        is_upgrade: upgrade,
        skip_deallocation: true,
        ..Default::default()
    };
    if let Some(client) = client {
        options_render.capabilities = crate::controllers::helm::cluster_capabilities(client).await;
    }
    let (chart, _, rendered) = tokio::task::spawn_blocking(move || {
        helm::engine::template::render_release(chart, &values, skip_schema, &options_render)
    })
    .await
    .map_err(|e| anyhow!("{shown}: rendering aborted: {e}"))?
    .map_err(|e| anyhow!("{shown}: rendering the chart: {}", e.message(false)))?;
    let renderers = hr.spec.post_renderers.as_deref().unwrap_or_default();
    let manifest = postrender::apply(&rendered.manifest_text(), renderers)
        .map_err(|e| anyhow!("{shown}: spec.{e}"))?;

    let owner = Owner {
        group: crate::api::helm::GROUP.to_string(),
        name: hr.name_any(),
        namespace,
    };
    let mut objects = Vec::new();
    if apply_crds {
        objects.extend(release::crd_objects(&chart).map_err(|e| anyhow!("{shown}: {e}"))?);
    }
    objects.extend(
        release::manifest_objects(&manifest, &target).map_err(|e| anyhow!("{shown}: {e}"))?,
    );
    let mut hooks = release::hook_objects(&rendered.hooks, &target)
        .map_err(|e| anyhow!("{shown}: hooks: {e}"))?;
    for object in objects.iter_mut().chain(hooks.iter_mut()) {
        set_owner_labels(object, &owner);
    }
    Ok(Render {
        target,
        owner,
        objects,
        hooks,
        deployed,
    })
}

/// The labels the controller's resource manager puts on every object it applies.
fn set_owner_labels(object: &mut Value, owner: &Owner) {
    let labels = &mut object["metadata"]["labels"];
    if !labels.is_object() {
        *labels = json!({});
    }
    for (k, v) in owner.labels() {
        labels[k] = json!(v);
    }
}

fn read_documents(file: &Path) -> Result<Vec<Value>> {
    let shown = file.display();
    let bytes = std::fs::read(file).with_context(|| format!("reading --file {shown}"))?;
    kustomize::yaml::parse_all(&bytes, file)
        .map_err(|e| anyhow!("--file {shown}: not valid YAML documents: {e}"))
}

fn str_at<'a>(doc: &'a Value, pointer: &str) -> &'a str {
    doc.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// The `helm.toolkit.fluxcd.io/v2` HelmRelease named `name` in `docs`: the one in
/// `namespace` (or with none), else the only one of that name, in its own namespace.
fn release_from_documents(
    docs: &[Value],
    file: &Path,
    name: &str,
    namespace: &str,
) -> Result<HelmRelease> {
    let api_version = HelmRelease::api_version(&());
    let shown = file.display();
    let named: Vec<&Value> = docs
        .iter()
        .filter(|d| d["kind"] == "HelmRelease" && str_at(d, "/metadata/name") == name)
        .collect();
    let candidates: Vec<&Value> = named
        .iter()
        .copied()
        .filter(|d| d["apiVersion"] == api_version.as_ref())
        .collect();
    let found = match candidates.iter().find(|d| {
        let ns = str_at(d, "/metadata/namespace");
        ns.is_empty() || ns == namespace
    }) {
        Some(doc) => *doc,
        None => match candidates.as_slice() {
            [only] => *only,
            [] => {
                if let Some(other) = named.first() {
                    bail!(
                        "--file {shown}: HelmRelease '{name}' has apiVersion '{}': tk renders \
                         {api_version} HelmReleases; migrate it to {api_version}",
                        str_at(other, "/apiVersion")
                    );
                }
                bail!("--file {shown}: no {api_version} HelmRelease named '{name}'");
            }
            several => {
                let namespaces: Vec<&str> = several
                    .iter()
                    .map(|d| str_at(d, "/metadata/namespace"))
                    .collect();
                bail!(
                    "--file {shown}: HelmReleases named '{name}' in namespaces {}: pick one \
                     with -n",
                    namespaces.join(", ")
                );
            }
        },
    };
    let mut doc = found.clone();
    if str_at(&doc, "/metadata/namespace").is_empty() {
        doc["metadata"]["namespace"] = json!(namespace);
    }
    let ns = str_at(&doc, "/metadata/namespace").to_string();
    serde_json::from_value(doc)
        .map_err(|e| anyhow!("--file {shown}: HelmRelease {ns}/{name} is not valid: {e}"))
}

async fn release_from_cluster(
    client: Option<&kube::Client>,
    name: &str,
    namespace: &str,
) -> Result<HelmRelease> {
    let client = client.ok_or_else(|| {
        anyhow!("HelmRelease {namespace}/{name}: pass --file: there is no cluster to read it from")
    })?;
    Api::<HelmRelease>::namespaced(client.clone(), namespace)
        .get_opt(name)
        .await
        .map_err(|e| anyhow!("reading HelmRelease {namespace}/{name}: {e}"))?
        .ok_or_else(|| {
            anyhow!(
                "HelmRelease {namespace}/{name} not found: check the name and -n, or pass the \
                 HelmRelease with --file"
            )
        })
}

/// The chart to render: `--chart`, else pulled from the HelmRepository of `spec.chart`.
async fn chart(
    options: &HelmReleaseOptions,
    hr: &HelmRelease,
    docs: &[Value],
    client: Option<&kube::Client>,
    shown: &str,
) -> Result<Chart> {
    let template = hr.spec.chart.as_ref().map(|t| &t.spec);
    if let Some(path) = &options.chart {
        let path = path.clone();
        let mut chart = tokio::task::spawn_blocking({
            let path = path.clone();
            move || helm::loader::load(&path, &chart_repository::load_limits())
        })
        .await
        .map_err(|e| anyhow!("loading --chart aborted: {e}"))?
        .map_err(|e| {
            anyhow!(
                "--chart {}: {e}: pass a chart directory (with Chart.yaml) or a packaged .tgz",
                path.display()
            )
        })?;
        if let Some(template) = template {
            apply_values_files(&mut chart, template, hr, client, shown).await?;
        }
        return Ok(chart);
    }
    if let Some(reference) = &hr.spec.chart_ref {
        bail!(
            "{shown}: spec.chartRef ({:?} '{}') is resolved by the source controller, which tk \
             build does not run: pass the chart with --chart PATH (a chart directory or .tgz)",
            reference.kind,
            reference.name
        );
    }
    let Some(template) = template else {
        bail!("{shown}: spec has neither chart nor chartRef: set spec.chart, or pass --chart PATH");
    };
    let source = &template.source_ref;
    let namespace = hr.namespace().unwrap_or_default();
    let repo_namespace = source
        .namespace
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or(namespace);
    if source.kind != ChartSourceKind::HelmRepository {
        bail!(
            "{shown}: spec.chart.spec.sourceRef is {:?} {repo_namespace}/{}: tk pulls charts \
             only from a HelmRepository; check the source out and pass its chart with --chart \
             PATH (spec.chart.spec.chart is '{}')",
            source.kind,
            source.name,
            template.chart
        );
    }
    let repo = helm_repository(docs, client, hr, &repo_namespace, &source.name, shown).await?;
    let repo_shown = format!("HelmRepository {repo_namespace}/{}", source.name);
    if repo.spec.r#type == Some(HelmRepositoryType::Oci) {
        bail!(
            "{shown}: {repo_shown} is an OCI repository, which tk build does not pull from: \
             pull the chart (helm pull {}/{}) and pass it with --chart PATH",
            repo.spec.url.trim_end_matches('/'),
            template.chart
        );
    }
    let timeout = repo
        .spec
        .timeout
        .as_deref()
        .and_then(|t| crate::api::duration::parse_positive(t).ok())
        .unwrap_or(DEFAULT_REPOSITORY_TIMEOUT);
    let repository = match client {
        Some(client) => ChartRepository::for_repository(&repo, client, timeout).await,
        None if repo.spec.secret_ref.is_some() || repo.spec.cert_secret_ref.is_some() => {
            bail!(
                "{shown}: {repo_shown} takes credentials from Secrets (spec.secretRef or \
                 spec.certSecretRef), which this render cannot read without the cluster \
                 (--dry-run, or not reachable): run against the cluster, or pull the chart and \
                 pass it with --chart PATH"
            );
        }
        None => ChartRepository::with_secrets(&repo, None, None, timeout),
    }
    .map_err(|f| anyhow!("{shown}: {repo_shown}: {}", f.message))?;
    let index = repository
        .fetch_index()
        .await
        .map_err(|e| anyhow!("{shown}: {repo_shown}: {e}"))?;
    let version = template.version.as_deref().unwrap_or("*");
    let entry =
        chart_repository::select_version(&index, &template.chart, version).map_err(|e| {
            anyhow!(
                "{shown}: spec.chart.spec: chart '{}' version '{version}' from {repo_shown}: {e}",
                template.chart
            )
        })?;
    let archive = repository.download(entry).await.map_err(|e| {
        anyhow!(
            "{shown}: chart '{}' version '{}' from {repo_shown}: {e}",
            entry.name(),
            entry.version()
        )
    })?;
    let mut chart = tokio::task::spawn_blocking(move || {
        helm::loader::load_archive(&archive[..], &chart_repository::load_limits())
    })
    .await
    .map_err(|e| anyhow!("loading the chart aborted: {e}"))?
    .map_err(|e| {
        anyhow!(
            "{shown}: chart '{}' version '{}' from {repo_shown} does not load: {e}",
            entry.name(),
            entry.version()
        )
    })?;
    apply_values_files(&mut chart, template, hr, client, shown).await?;
    Ok(chart)
}

/// The HelmRepository `namespace/name`: from `--file` when it is there, else the cluster.
async fn helm_repository(
    docs: &[Value],
    client: Option<&kube::Client>,
    hr: &HelmRelease,
    namespace: &str,
    name: &str,
    shown: &str,
) -> Result<HelmRepository> {
    let group = format!("{}/", crate::api::source::GROUP);
    // A repository without a namespace in the file is in the HelmRelease's.
    let hr_namespace = hr.namespace().unwrap_or_default();
    let in_file = docs.iter().find(|d| {
        d["kind"] == "HelmRepository"
            && str_at(d, "/apiVersion").starts_with(&group)
            && str_at(d, "/metadata/name") == name
            && match str_at(d, "/metadata/namespace") {
                "" => namespace == hr_namespace,
                ns => ns == namespace,
            }
    });
    if let Some(doc) = in_file {
        let mut doc = doc.clone();
        doc["metadata"]["namespace"] = json!(namespace);
        return serde_json::from_value(doc)
            .map_err(|e| anyhow!("HelmRepository {namespace}/{name} in --file is not valid: {e}"));
    }
    let Some(client) = client else {
        bail!(
            "{shown}: HelmRepository {namespace}/{name} is not in --file, and this render has \
             no cluster to read it from (--dry-run, or not reachable): add the HelmRepository \
             to the file, or pass the chart with --chart PATH"
        );
    };
    Api::<HelmRepository>::namespaced(client.clone(), namespace)
        .get_opt(name)
        .await
        .map_err(|e| anyhow!("{shown}: reading HelmRepository {namespace}/{name}: {e}"))?
        .ok_or_else(|| {
            anyhow!(
                "{shown}: spec.chart.spec.sourceRef: HelmRepository {namespace}/{name} not found \
                 (nor in --file): create it, or pass the chart with --chart PATH"
            )
        })
}

/// `spec.chart.spec.valuesFiles` merged into the chart's values, with the version metadata
/// the source controller then gives the chart (the HelmChart's generation: read from the
/// cluster, else 1, a new HelmChart's).
async fn apply_values_files(
    chart: &mut Chart,
    template: &HelmChartTemplateSpec,
    hr: &HelmRelease,
    client: Option<&kube::Client>,
    shown: &str,
) -> Result<()> {
    let files = template.values_files.clone().unwrap_or_default();
    // A lone `values.yaml` is the chart's own values, as the source controller reads it.
    if files.is_empty() || (files.len() == 1 && Path::new(&files[0]) == Path::new("values.yaml")) {
        return Ok(());
    }
    let ignore_missing = template.ignore_missing_values_files == Some(true);
    helm::package::merge_values_files(chart, &files, ignore_missing)
        .map_err(|e| anyhow!("{shown}: spec.chart.spec.valuesFiles: {e}"))?;
    let mut generation = 1;
    if let Some(client) = client
        && let Ok(source) = crate::controllers::helm::chart::source_ref(hr)
        && let Ok(Some(existing)) = Api::<HelmChart>::namespaced(client.clone(), &source.namespace)
            .get_opt(&source.name)
            .await
    {
        generation = existing.metadata.generation.unwrap_or(1);
    }
    helm::package::set_version_metadata(chart, &generation.to_string())
        .map_err(|e| anyhow!("{shown}: {e}"))?;
    Ok(())
}

/// The values the controller would release with, then each `--values` file over them.
async fn compose_values(
    options: &HelmReleaseOptions,
    hr: &HelmRelease,
    client: Option<&kube::Client>,
    shown: &str,
) -> Result<Values> {
    let namespace = hr.namespace().unwrap_or_default();
    let mut composed = match client {
        Some(client) => values::compose(client, &namespace, hr)
            .await
            .map_err(|e| anyhow!("{shown}: spec.valuesFrom: {e}"))?,
        None => {
            let references = hr.spec.values_from.as_deref().unwrap_or_default();
            if let Some((i, r)) = references
                .iter()
                .enumerate()
                .find(|(_, r)| r.optional != Some(true))
            {
                bail!(
                    "{shown}: spec.valuesFrom[{i}]: {}: it can only be read from the cluster, \
                     and this render has none (--dry-run, or not reachable): run against the \
                     cluster, or pass those values with --values FILE",
                    values::reference(r, &namespace, false)
                );
            }
            values::compose_inline(hr)
        }
    };
    let mut files = Vec::with_capacity(options.values_files.len());
    for path in &options.values_files {
        let data =
            std::fs::read(path).with_context(|| format!("reading --values {}", path.display()))?;
        files.push((path.display().to_string(), data));
    }
    merge_values_files(&mut composed, &files)?;
    Ok(composed)
}

/// helm's `-f`: each file's values merged over what came before, in order (maps merged
/// recursively, anything else replaced).
fn merge_values_files(values: &mut Values, files: &[(String, Vec<u8>)]) -> Result<()> {
    for (name, data) in files {
        let file = helm::values::read_values(data)
            .map_err(|e| anyhow!("--values {name}: {e}: the file must hold a YAML map"))?;
        helm::values::merge_maps(values, file);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use kube::ResourceExt;

    use super::*;

    fn merged(base: Value, files: &[&str]) -> Result<Value> {
        let Value::Object(mut values) = base else {
            unreachable!()
        };
        let files: Vec<(String, Vec<u8>)> = files
            .iter()
            .enumerate()
            .map(|(i, f)| (format!("f{i}.yaml"), f.as_bytes().to_vec()))
            .collect();
        merge_values_files(&mut values, &files)?;
        Ok(Value::Object(values))
    }

    #[test]
    fn values_files_merge_over_the_release_values_in_order() {
        let base =
            json!({"image": {"repository": "app", "tag": "1"}, "replicas": 1.0, "list": [1, 2]});
        let out = merged(
            base,
            &[
                "image:\n  tag: \"2\"\nlist: [3]\n",
                "replicas: 3\nimage:\n  pullPolicy: Always\n",
            ],
        )
        .unwrap();
        assert_eq!(
            out,
            json!({
                "image": {"repository": "app", "tag": "2", "pullPolicy": "Always"},
                // Lists are replaced, not merged; numbers are Go float64s, as helm reads them.
                "list": [3.0],
                "replicas": 3.0,
            })
        );
    }

    #[test]
    fn a_later_values_file_replaces_a_map_with_a_scalar_and_back() {
        let out = merged(json!({"a": {"b": 1}}), &["a: flat\n", "a:\n  c: true\n"]).unwrap();
        assert_eq!(out, json!({"a": {"c": true}}));
        assert_eq!(
            merged(json!({"a": 1}), &["", "\n"]).unwrap(),
            json!({"a": 1})
        );
    }

    #[test]
    fn a_values_file_that_is_not_a_map_is_refused_by_name() {
        let err = merged(json!({}), &["- a\n- b\n"]).unwrap_err().to_string();
        assert!(err.starts_with("--values f0.yaml:"), "{err}");
    }

    fn release(name: &str, namespace: Option<&str>, api_version: &str) -> Value {
        let mut doc = json!({
            "apiVersion": api_version,
            "kind": "HelmRelease",
            "metadata": {"name": name},
            "spec": {"interval": "5m", "chart": {"spec": {"chart": "app", "sourceRef": {"kind": "HelmRepository", "name": "charts"}}}},
        });
        if let Some(ns) = namespace {
            doc["metadata"]["namespace"] = json!(ns);
        }
        doc
    }

    #[test]
    fn the_release_is_picked_from_the_file_by_name_and_namespace() {
        let v2 = "helm.toolkit.fluxcd.io/v2";
        let file = Path::new("hr.yaml");
        let docs = vec![
            release("app", Some("a"), v2),
            release("app", Some("b"), v2),
            release("web", None, v2),
        ];
        let hr = release_from_documents(&docs, file, "app", "b").unwrap();
        assert_eq!(hr.namespace().as_deref(), Some("b"));
        let hr = release_from_documents(&docs, file, "web", "apps").unwrap();
        assert_eq!(hr.namespace().as_deref(), Some("apps"));
        let err = release_from_documents(&docs, file, "app", "c").unwrap_err();
        assert!(err.to_string().contains("pick one with -n"), "{err}");
        let only = vec![release("app", Some("a"), v2)];
        let hr = release_from_documents(&only, file, "app", "flux-system").unwrap();
        assert_eq!(hr.namespace().as_deref(), Some("a"));
        let old = vec![release("app", None, "helm.toolkit.fluxcd.io/v2beta1")];
        let err = release_from_documents(&old, file, "app", "a").unwrap_err();
        assert!(err.to_string().contains("v2beta1"), "{err}");
        let err = release_from_documents(&[], file, "app", "a").unwrap_err();
        assert!(
            err.to_string()
                .contains("no helm.toolkit.fluxcd.io/v2 HelmRelease named 'app'")
        );
    }
}
