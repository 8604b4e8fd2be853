//! The chart a HelmRelease installs: the HelmChart made from `spec.chart` (applied and owned,
//! as helm-controller does) or the one `spec.chartRef` names, and its artifact loaded into a
//! chart, cached by digest so releases of the same chart parse it once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use kube::ResourceExt;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use kube::runtime::reflector::ObjectRef;
use serde_json::{Value, json};

use super::HelmContext;
use crate::api::helm::{ChartRefKind, HelmRelease};
use crate::api::meta::{self, Artifact, condition_type};
use crate::api::source::{HelmChart, OCIRepository};
use crate::controllers::kustomize::artifact;
use crate::controllers::runtime::ControllerName;

/// How many parsed charts stay cached (by artifact digest).
const CHART_CACHE_ENTRIES: usize = 64;

/// The field manager of the HelmCharts made from templates.
const FIELD_MANAGER: &str = "helm-controller";

/// Why the chart is not available yet, or cannot be.
#[derive(Debug)]
pub enum ChartError {
    /// The source has no artifact for its current spec yet: retried after
    /// `--requeue-dependency`, or sooner when the source's artifact changes.
    SourceNotReady(String),
    /// The artifact is not in storage yet: retried after `--requeue-dependency`.
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

/// The object holding the chart a release installs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceRef {
    pub kind: ChartRefKind,
    pub namespace: String,
    pub name: String,
}

impl std::fmt::Display for SourceRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} '{}/{}'", self.kind, self.namespace, self.name)
    }
}

/// The object the release takes its chart from: the HelmChart made from `spec.chart`, or
/// what `spec.chartRef` names.
pub fn source_ref(obj: &HelmRelease) -> Result<SourceRef, ChartError> {
    let ns = obj.namespace().unwrap_or_default();
    if let Some(template) = &obj.spec.chart {
        let chart_ns = template
            .spec
            .source_ref
            .namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or(ns);
        return Ok(SourceRef {
            kind: ChartRefKind::HelmChart,
            namespace: chart_ns,
            name: helm_chart_name(obj),
        });
    }
    let Some(reference) = &obj.spec.chart_ref else {
        return Err(ChartError::Invalid(
            "spec: one of chart or chartRef must be set".into(),
        ));
    };
    if reference.kind == ChartRefKind::ExternalArtifact {
        return Err(ChartError::Invalid(format!(
            "spec.chartRef: ExternalArtifact '{}' cannot be used: tk has no reconciler for \
             ExternalArtifacts; reference an OCIRepository or a HelmChart",
            reference.name
        )));
    }
    Ok(SourceRef {
        kind: reference.kind,
        namespace: reference
            .namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or(ns),
        name: reference.name.clone(),
    })
}

/// The source object of a release's chart, as last watched.
pub enum Source {
    HelmChart(Arc<HelmChart>),
    OCIRepository(Arc<OCIRepository>),
}

/// The source object, as the source controller last reported it. A HelmChart made from
/// `spec.chart` is applied only when the watched copy differs from the template (an
/// unchanged release costs no request); a referenced object is read from the watch, or
/// from the API when the watch has not delivered it yet.
pub async fn current_source(
    ctx: &HelmContext,
    obj: &HelmRelease,
    source: &SourceRef,
) -> Result<Source, ChartError> {
    let (ns, name) = (source.namespace.as_str(), source.name.as_str());
    if source.kind == ChartRefKind::OCIRepository {
        let watched = ctx.oci_repositories.get(&ObjectRef::new(name).within(ns));
        return match watched {
            Some(repository) => Ok(repository),
            None => read(ctx, source).await.map(Arc::new),
        }
        .map(Source::OCIRepository);
    }
    let watched = ctx.helm_charts.get(&ObjectRef::new(name).within(ns));
    let Some(template) = template_object(obj, ns, name) else {
        return match watched {
            Some(chart) => Ok(chart),
            None => read(ctx, source).await.map(Arc::new),
        }
        .map(Source::HelmChart);
    };
    if let Some(chart) = watched
        && matches_template(&chart, &template)
    {
        return Ok(Source::HelmChart(chart));
    }
    Api::<HelmChart>::namespaced(ctx.rt.client.clone(), ns)
        .patch(
            name,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&template),
        )
        .await
        .map(|chart| Source::HelmChart(Arc::new(chart)))
        .map_err(|e| {
            ChartError::Failed(format!(
                "failed to run server-side apply: HelmChart/{ns}/{name}: {}",
                kube_message(&e)
            ))
        })
}

/// A referenced source read from the API.
async fn read<K>(ctx: &HelmContext, source: &SourceRef) -> Result<K, ChartError>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    match Api::<K>::namespaced(ctx.rt.client.clone(), &source.namespace)
        .get(&source.name)
        .await
    {
        Ok(object) => Ok(object),
        Err(kube::Error::Api(e)) if e.code == 404 => Err(ChartError::SourceNotReady(format!(
            "{source} is not ready: not found"
        ))),
        Err(e) => Err(ChartError::Failed(format!(
            "could not get Source object: {source}: {}",
            kube_message(&e)
        ))),
    }
}

/// The HelmChart `spec.chart` describes, owned by the release through labels; `None` for a
/// `chartRef`.
fn template_object(obj: &HelmRelease, ns: &str, name: &str) -> Option<Value> {
    let template = obj.spec.chart.as_ref()?;
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
        .and_then(|m| m.annotations.clone())
        .unwrap_or_default();
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
    Some(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "HelmChart",
        "metadata": { "name": name, "namespace": ns, "labels": labels, "annotations": annotations },
        "spec": chart_spec,
    }))
}

/// Whether the live HelmChart is what applying `template` would leave: the same spec, labels
/// and annotations. Anything else (another writer's label included) is applied again, which
/// is what happened every time before.
fn matches_template(live: &HelmChart, template: &Value) -> bool {
    let map = |m: &Option<std::collections::BTreeMap<String, String>>| {
        json!(m.clone().unwrap_or_default())
    };
    serde_json::to_value(&live.spec).is_ok_and(|spec| spec == template["spec"])
        && map(&live.metadata.labels) == template["metadata"]["labels"]
        && map(&live.metadata.annotations) == template["metadata"]["annotations"]
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

/// The source's artifact, once the source controller has reconciled its current generation,
/// as helm-controller's isSourceReady decides: an artifact kept from an earlier revision
/// serves while a newer one fails, and a stalled source does not.
pub fn ready_artifact(source: &Source) -> Result<Artifact, ChartError> {
    let (kind, meta, observed, conditions, artifact) = match source {
        Source::HelmChart(c) => {
            let status = c.status.as_ref();
            (
                "HelmChart",
                &c.metadata,
                status.and_then(|s| s.observed_generation),
                status.and_then(|s| s.conditions.as_deref()),
                status.and_then(|s| s.artifact.as_ref()),
            )
        }
        Source::OCIRepository(r) => {
            let status = r.status.as_ref();
            (
                "OCIRepository",
                &r.metadata,
                status.and_then(|s| s.observed_generation),
                status.and_then(|s| s.conditions.as_deref()),
                status.and_then(|s| s.artifact.as_ref()),
            )
        }
    };
    let conditions = conditions.unwrap_or_default();
    let message = |c: &str| {
        meta::find_condition(conditions, c)
            .map(|c| c.message.clone())
            .unwrap_or_default()
    };
    let false_ready = meta::find_condition(conditions, condition_type::READY)
        .is_some_and(|c| c.status == "False");
    let stalled = meta::find_condition(conditions, condition_type::STALLED)
        .is_some_and(|c| c.status == "True");
    let why = if meta.generation != observed {
        Some(if false_ready {
            message(condition_type::READY)
        } else {
            "latest generation of object has not been reconciled".to_string()
        })
    } else if stalled {
        Some(message(condition_type::STALLED))
    } else if artifact.is_none() {
        Some("does not have an artifact".to_string())
    } else {
        None
    };
    match (why, artifact) {
        (None, Some(artifact)) => Ok(artifact.clone()),
        (why, _) => Err(ChartError::SourceNotReady(format!(
            "{kind} '{}/{}' is not ready: {}",
            meta.namespace.as_deref().unwrap_or_default(),
            meta.name.as_deref().unwrap_or_default(),
            why.unwrap_or_default()
        ))),
    }
}

/// An OCIRepository's chart is versioned with its digest (`<version>+<12 hex>`), so a tag
/// pushed again is an upgrade, as helm-controller's mutateChartWithSourceRevision does.
/// Returns the digest the release records (`lastAttemptedRevisionDigest`, `ociDigest`).
pub fn version_with_digest(
    chart: &mut helm::chart::Chart,
    revision: &str,
) -> Result<String, String> {
    let digest = match revision.split_once('@') {
        Some((tag, digest)) => {
            if tag != chart.metadata.version || digest.contains('@') {
                return Err(format!(
                    "artifact revision {tag} does not match chart version {}",
                    chart.metadata.version
                ));
            }
            digest
        }
        None => revision,
    };
    let hex = match digest.split_once(':') {
        Some((_, hex)) if hex.len() >= 12 && !hex.contains(':') => &hex[..12],
        _ => return Err(format!("invalid artifact revision {digest}")),
    };
    helm::package::set_version_metadata(chart, hex).map_err(|e| e.to_string())?;
    Ok(digest.to_string())
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
                ChartError::NotReady("Source not ready: artifact not found, retrying".into())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn release(version: &str) -> HelmRelease {
        serde_json::from_value(json!({
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "metadata": { "name": "app", "namespace": "team" },
            "spec": {
                "interval": "5m",
                "chart": {
                    "metadata": { "labels": { "tier": "web" } },
                    "spec": {
                        "chart": "podinfo",
                        "version": version,
                        "sourceRef": { "kind": "HelmRepository", "name": "charts" },
                    },
                },
            },
        }))
        .unwrap()
    }

    /// The template as the API server returns it once applied: server metadata and a
    /// status added.
    fn live(template: &Value) -> HelmChart {
        let mut object = template.clone();
        let metadata = &mut object["metadata"];
        metadata["uid"] = json!("0b4e5f1c");
        metadata["resourceVersion"] = json!("42");
        metadata["generation"] = json!(1);
        metadata["creationTimestamp"] = json!("2026-11-27T00:00:00Z");
        metadata["annotations"] = json!(null);
        object["status"] = json!({ "observedGeneration": 1, "url": "http://x/latest.tar.gz" });
        serde_json::from_value(object).unwrap()
    }

    #[test]
    fn an_applied_template_is_not_applied_again_until_it_changes() {
        let hr = release("6.x");
        let template = template_object(&hr, "team", "team-app").unwrap();
        let chart = live(&template);
        assert!(matches_template(&chart, &template));

        let newer = template_object(&release("7.x"), "team", "team-app").unwrap();
        assert!(!matches_template(&chart, &newer));

        let mut relabelled = chart.clone();
        relabelled
            .metadata
            .labels
            .as_mut()
            .unwrap()
            .insert("tier".into(), "db".into());
        assert!(!matches_template(&relabelled, &template));

        let mut annotated = chart;
        annotated.metadata.annotations = Some([("a".to_string(), "b".to_string())].into());
        assert!(!matches_template(&annotated, &template));
    }

    #[test]
    fn oci_digests_version_the_chart_as_helm_controller_does() {
        let mut chart = helm::chart::Chart::default();
        chart.metadata.version = "6.6.0".into();
        let digest = "sha256:cdd538a0167e4b51152b71a477e51eb6737553510ce8797dbcc537e1342311bb";
        let mut tagged = chart.clone();
        assert_eq!(
            version_with_digest(&mut tagged, &format!("6.6.0@{digest}")).unwrap(),
            digest
        );
        assert_eq!(tagged.metadata.version, "6.6.0+cdd538a0167e");

        let mut by_digest = chart.clone();
        version_with_digest(&mut by_digest, digest).unwrap();
        assert_eq!(by_digest.metadata.version, "6.6.0+cdd538a0167e");

        assert_eq!(
            version_with_digest(&mut chart.clone(), &format!("latest@{digest}")).unwrap_err(),
            "artifact revision latest does not match chart version 6.6.0"
        );
        assert_eq!(
            version_with_digest(&mut chart, "sha256:abc").unwrap_err(),
            "invalid artifact revision sha256:abc"
        );
    }
}
