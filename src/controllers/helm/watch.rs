//! Which HelmReleases an event elsewhere concerns: a HelmChart or OCIRepository whose
//! artifact changed, or a values ConfigMap/Secret (labelled `reconcile.fluxcd.io/watch:
//! Enabled`) that changed.

use std::collections::HashMap;
use std::sync::Mutex;

use kube::ResourceExt;
use kube::runtime::reflector::{ObjectRef, Store};

use super::chart::SourceRef;
use crate::api::helm::{ChartRefKind, HelmRelease};
use crate::api::kustomize::ValuesReferenceKind;
use crate::api::meta::Artifact;
use crate::api::source::{HelmChart, OCIRepository};

/// (kind, namespace, name) of a watched object.
type Key = (&'static str, String, String);

pub struct Users {
    releases: Store<HelmRelease>,
    /// What each watched object last looked like (artifact revision, resourceVersion), so
    /// status writes and resyncs that change nothing trigger nothing.
    seen: Mutex<HashMap<Key, Option<String>>>,
}

impl Users {
    pub fn new(releases: Store<HelmRelease>) -> Users {
        Users {
            releases,
            seen: Mutex::default(),
        }
    }

    /// True the first time `key` is seen with `version`.
    fn changed(&self, kind: &'static str, ns: &str, name: &str, version: Option<String>) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let key = (kind, ns.to_string(), name.to_string());
        if seen.get(&key) == Some(&version) {
            return false;
        }
        seen.insert(key, version);
        true
    }

    /// The releases installing from `chart`, when its artifact changed.
    pub fn of_chart(&self, chart: &HelmChart) -> Vec<ObjectRef<HelmRelease>> {
        let artifact = chart.status.as_ref().and_then(|s| s.artifact.as_ref());
        self.of_source(ChartRefKind::HelmChart, chart, artifact)
    }

    /// The releases installing from `repository`, when its artifact changed.
    pub fn of_oci_repository(&self, repository: &OCIRepository) -> Vec<ObjectRef<HelmRelease>> {
        let artifact = repository.status.as_ref().and_then(|s| s.artifact.as_ref());
        self.of_source(ChartRefKind::OCIRepository, repository, artifact)
    }

    fn of_source<K: kube::Resource>(
        &self,
        kind: ChartRefKind,
        source: &K,
        artifact: Option<&Artifact>,
    ) -> Vec<ObjectRef<HelmRelease>> {
        let namespace = source.namespace().unwrap_or_default();
        let name = source.name_any();
        let label = match kind {
            ChartRefKind::HelmChart => "HelmChart",
            ChartRefKind::OCIRepository => "OCIRepository",
            ChartRefKind::ExternalArtifact => "ExternalArtifact",
        };
        if !self.changed(label, &namespace, &name, artifact.map(|a| a.digest.clone())) {
            return Vec::new();
        }
        let wanted = SourceRef {
            kind,
            namespace,
            name,
        };
        self.releases
            .state()
            .iter()
            .filter(|hr| super::chart::source_ref(hr).is_ok_and(|s| s == wanted))
            .map(|hr| ObjectRef::from_obj(hr.as_ref()))
            .collect()
    }

    /// The releases taking values from a changed ConfigMap or Secret.
    pub fn of_values<K: kube::Resource>(
        &self,
        kind: ValuesReferenceKind,
        object: &K,
    ) -> Vec<ObjectRef<HelmRelease>> {
        let ns = object.namespace().unwrap_or_default();
        let name = object.name_any();
        let label = match kind {
            ValuesReferenceKind::ConfigMap => "ConfigMap",
            ValuesReferenceKind::Secret => "Secret",
        };
        if !self.changed(label, &ns, &name, object.resource_version()) {
            return Vec::new();
        }
        self.releases
            .state()
            .iter()
            .filter(|hr| {
                hr.namespace().as_deref() == Some(ns.as_str())
                    && hr
                        .spec
                        .values_from
                        .iter()
                        .flatten()
                        .any(|v| v.kind == kind && v.name == name)
            })
            .map(|hr| ObjectRef::from_obj(hr.as_ref()))
            .collect()
    }
}
