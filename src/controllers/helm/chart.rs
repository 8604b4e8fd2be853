//! The chart a HelmRelease installs: the HelmChart made from `spec.chart` (applied and owned,
//! as helm-controller does) or the one `spec.chartRef` names, and its artifact loaded into a
//! chart, cached by digest so releases of the same chart parse it once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use kube::ResourceExt;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use serde_json::json;

use super::HelmContext;
use crate::api::helm::{ChartRefKind, HelmRelease};
use crate::api::meta::{self, Artifact, condition_type};
use crate::api::source::HelmChart;
use crate::controllers::kustomize::artifact;
use crate::controllers::runtime::ControllerName;

/// How many parsed charts stay cached (by artifact digest).
const CHART_CACHE_ENTRIES: usize = 64;

/// The field manager of the HelmCharts made from templates.
const FIELD_MANAGER: &str = "helm-controller";

/// Why the chart is not available yet, or cannot be.
#[derive(Debug)]
pub enum ChartError {
    /// Not ready yet: retried after `--requeue-dependency`.
    NotReady(String),
    /// The spec cannot work as written.
    Invalid(String),
    /// An API or download failure, retried with backoff.
    Failed(String),
}

/// `<namespace>-<name>`: the HelmChart made for a HelmRelease, in the source's namespace.
pub fn helm_chart_name(obj: &HelmRelease) -> String {
    format!("{}-{}", obj.namespace().unwrap_or_default(), obj.name_any())
}

/// (namespace, name) of the HelmChart the release uses.
pub fn chart_ref(obj: &HelmRelease) -> Result<(String, String), ChartError> {
    let ns = obj.namespace().unwrap_or_default();
    if let Some(template) = &obj.spec.chart {
        let chart_ns = template
            .spec
            .source_ref
            .namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or(ns);
        return Ok((chart_ns, helm_chart_name(obj)));
    }
    let Some(reference) = &obj.spec.chart_ref else {
        return Err(ChartError::Invalid(
            "spec: one of chart or chartRef must be set".into(),
        ));
    };
    match reference.kind {
        ChartRefKind::HelmChart => Ok((
            reference
                .namespace
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or(ns),
            reference.name.clone(),
        )),
        ChartRefKind::OCIRepository | ChartRefKind::ExternalArtifact => {
            Err(ChartError::Invalid(format!(
                "spec.chartRef: {:?} '{}' cannot be used yet: tk has no reconciler for it; \
                 reference a HelmChart, or use spec.chart with a HelmRepository",
                reference.kind, reference.name
            )))
        }
    }
}

/// Applies the HelmChart `spec.chart` describes, owned by the release through labels.
pub async fn apply_template(ctx: &HelmContext, obj: &HelmRelease) -> Result<(), ChartError> {
    let Some(template) = &obj.spec.chart else {
        return Ok(());
    };
    let (ns, name) = chart_ref(obj)?;
    let spec = &template.spec;
    let mut labels = template
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    labels.insert(format!("{}/name", crate::api::helm::GROUP), obj.name_any());
    labels.insert(
        format!("{}/namespace", crate::api::helm::GROUP),
        obj.namespace().unwrap_or_default(),
    );
    let annotations = template
        .metadata
        .as_ref()
        .and_then(|m| m.annotations.clone());
    let mut chart_spec = json!({
        "chart": spec.chart,
        "version": spec.version.clone().unwrap_or_else(|| "*".into()),
        "sourceRef": { "kind": spec.source_ref.kind, "name": spec.source_ref.name },
        "interval": spec.interval.clone().unwrap_or_else(|| obj.spec.interval.clone()),
        "reconcileStrategy": spec.reconcile_strategy.unwrap_or_default(),
    });
    if let Some(files) = &spec.values_files {
        chart_spec["valuesFiles"] = json!(files);
    }
    if let Some(ignore) = spec.ignore_missing_values_files {
        chart_spec["ignoreMissingValuesFiles"] = json!(ignore);
    }
    let chart = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "HelmChart",
        "metadata": { "name": name, "namespace": ns, "labels": labels, "annotations": annotations },
        "spec": chart_spec,
    });
    Api::<HelmChart>::namespaced(ctx.rt.client.clone(), &ns)
        .patch(
            &name,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&chart),
        )
        .await
        .map_err(|e| {
            ChartError::Failed(format!(
                "failed to run server-side apply: HelmChart/{ns}/{name}: {}",
                kube_message(&e)
            ))
        })?;
    Ok(())
}

/// Deletes the HelmChart made for the release (when the release goes, or switches to a
/// `chartRef`).
pub async fn delete_template_chart(ctx: &HelmContext, obj: &HelmRelease) -> Result<(), String> {
    let Some((ns, name)) = obj
        .status
        .as_ref()
        .and_then(|s| s.helm_chart.as_deref())
        .and_then(|c| c.split_once('/'))
    else {
        return Ok(());
    };
    if name != helm_chart_name(obj) {
        // A chartRef's HelmChart is not ours to delete.
        return Ok(());
    }
    match Api::<HelmChart>::namespaced(ctx.rt.client.clone(), ns)
        .delete(name, &DeleteParams::default())
        .await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(e)) if e.code == 404 => Ok(()),
        Err(e) => Err(format!(
            "failed to delete HelmChart '{ns}/{name}': {}",
            kube_message(&e)
        )),
    }
}

/// The HelmChart's artifact, once it is ready for the release's current spec.
pub async fn ready_artifact(
    ctx: &HelmContext,
    ns: &str,
    name: &str,
) -> Result<Artifact, ChartError> {
    let chart = match Api::<HelmChart>::namespaced(ctx.rt.client.clone(), ns)
        .get(name)
        .await
    {
        Ok(chart) => chart,
        Err(kube::Error::Api(e)) if e.code == 404 => {
            return Err(ChartError::NotReady(format!(
                "HelmChart '{ns}/{name}' is not ready: not found"
            )));
        }
        Err(e) => {
            return Err(ChartError::Failed(format!(
                "could not get HelmChart '{ns}/{name}': {}",
                kube_message(&e)
            )));
        }
    };
    let status = chart.status.as_ref();
    let observed = status.and_then(|s| s.observed_generation) == chart.metadata.generation;
    let conditions = status
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default();
    let ready = meta::find_condition(conditions, condition_type::READY);
    let artifact = status.and_then(|s| s.artifact.clone());
    match (artifact, ready) {
        (Some(artifact), Some(c)) if c.status == "True" && observed => Ok(artifact),
        (_, ready) => Err(ChartError::NotReady(format!(
            "HelmChart '{ns}/{name}' is not ready: {}",
            ready
                .map(|c| c.message.clone())
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "waiting for the source controller".into())
        ))),
    }
}

/// Parsed charts by artifact digest.
#[derive(Default)]
pub struct ChartCache {
    charts: Mutex<HashMap<String, Arc<helm::chart::Chart>>>,
}

impl ChartCache {
    /// The chart of `artifact`, downloaded, verified and parsed once per digest.
    pub async fn load(
        &self,
        ctx: &HelmContext,
        artifact: &Artifact,
    ) -> Result<Arc<helm::chart::Chart>, ChartError> {
        if let Some(chart) = self.lock().get(&artifact.digest) {
            return Ok(chart.clone());
        }
        let options = &ctx.rt.options;
        let local = (options.name == ControllerName::All).then(|| artifact::LocalStore {
            root: &options.source.storage_path,
        });
        let file = artifact::fetch_verified(
            &ctx.http,
            &artifact.url,
            &artifact.path,
            &artifact.digest,
            options.artifact_fetch_retries,
            local,
        )
        .await
        .map_err(|e| match e {
            artifact::FetchError::NotFound => {
                ChartError::NotReady("chart artifact not found, retrying".into())
            }
            artifact::FetchError::Failed(message) => ChartError::Failed(message),
        })?;
        let chart = tokio::task::spawn_blocking(move || {
            helm::loader::load_archive(std::io::BufReader::new(file), &Default::default())
        })
        .await
        .map_err(|e| ChartError::Failed(format!("loading the chart: {e}")))?
        .map_err(|e| ChartError::Failed(format!("failed to load chart: {e}")))?;
        let chart = Arc::new(chart);
        let mut charts = self.lock();
        if charts.len() >= CHART_CACHE_ENTRIES {
            // Digests change with every new chart version; an evicted chart is re-read.
            charts.clear();
        }
        charts.insert(artifact.digest.clone(), chart.clone());
        Ok(chart)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<helm::chart::Chart>>> {
        self.charts.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn kube_message(err: &kube::Error) -> String {
    crate::controllers::source::reconciler::kube_message(err)
}
