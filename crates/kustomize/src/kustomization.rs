//! The kustomization file: finding it, parsing it, checking its fields.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::root::Root;
use crate::yaml;

/// The file names kustomize recognises, in its order.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The apiVersion of `kind: Kustomization`.
pub const KUSTOMIZATION_VERSION: &str = "kustomize.config.k8s.io/v1beta1";
/// The apiVersion of `kind: Component`.
pub const COMPONENT_VERSION: &str = "kustomize.config.k8s.io/v1alpha1";

/// `kind: Kustomization` or `kind: Component`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    /// A kustomization (the default when `kind` is empty).
    #[default]
    Kustomization,
    /// A component (`kustomize.config.k8s.io/v1alpha1`).
    Component,
}

/// A parsed kustomization. Fields not yet interpreted are kept as raw values.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct Kustomization {
    #[serde(skip)]
    pub kind: Kind,
    pub api_version: String,
    pub metadata: Option<Value>,
    pub resources: Vec<String>,
    /// Deprecated alias of `resources`, appended to it.
    pub bases: Vec<String>,
    pub components: Vec<String>,
    pub crds: Vec<String>,
    pub namespace: String,
    pub name_prefix: String,
    pub name_suffix: String,
    pub common_labels: BTreeMap<String, String>,
    pub labels: Vec<Value>,
    pub common_annotations: BTreeMap<String, String>,
    pub images: Vec<Value>,
    pub image_tags: Vec<Value>,
    pub replicas: Vec<Value>,
    pub patches: Vec<Value>,
    pub patches_strategic_merge: Vec<Value>,
    pub patches_json6902: Vec<Value>,
    pub replacements: Vec<Value>,
    pub config_map_generator: Vec<Value>,
    pub secret_generator: Vec<Value>,
    pub generator_options: Option<Value>,
    pub vars: Vec<Value>,
    pub configurations: Vec<String>,
    pub openapi: BTreeMap<String, String>,
    pub sort_options: Option<SortOptions>,
    pub build_metadata: Vec<String>,
    pub generators: Vec<Value>,
    pub transformers: Vec<Value>,
    pub validators: Vec<Value>,
    pub helm_charts: Vec<Value>,
    pub helm_globals: Option<Value>,
    pub helm_chart_inflation_generator: Vec<Value>,
}

/// `sortOptions`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct SortOptions {
    pub order: String,
    pub legacy_sort_options: Option<LegacySortOptions>,
}

/// `sortOptions.legacySortOptions`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct LegacySortOptions {
    pub order_first: Vec<String>,
    pub order_last: Vec<String>,
}

const KNOWN_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "resources",
    "bases",
    "components",
    "crds",
    "namespace",
    "namePrefix",
    "nameSuffix",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "images",
    "imageTags",
    "replicas",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "replacements",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
    "vars",
    "configurations",
    "openapi",
    "sortOptions",
    "buildMetadata",
    "generators",
    "transformers",
    "validators",
    "helmCharts",
    "helmGlobals",
    "helmChartInflationGenerator",
];

/// Finds the one kustomization file in `dir` (a canonical directory inside `root`); one the
/// root holds in memory for `dir` takes the place of those on disk.
pub fn find(root: &Root, dir: &Path) -> Result<Option<std::path::PathBuf>> {
    if let Some(file) = root.kustomization_of(dir) {
        return Ok(Some(file.to_path_buf()));
    }
    let mut found = Vec::new();
    for name in FILE_NAMES {
        let candidate = dir.join(name);
        if std::fs::symlink_metadata(&candidate).is_ok() {
            found.push(name);
        }
    }
    match found.as_slice() {
        [] => Ok(None),
        [one] => root.resolve(dir, one).map(Some),
        _ => Err(Error::MultipleKustomizations(root.display(dir))),
    }
}

/// Parses kustomization file contents.
pub fn parse(bytes: &[u8], path: &Path) -> Result<Kustomization> {
    let value: Value = yaml::parse_kustomization(bytes, path)?;
    let map = match value {
        Value::Null => serde_json::Map::new(),
        Value::Object(map) => map,
        _ => {
            return Err(Error::InvalidKustomization(
                "json: cannot unmarshal into Go value of type types.Kustomization".into(),
            ));
        }
    };
    // Go's encoding/json matches field names case-insensitively; kustomize inherits that.
    let mut canonical = serde_json::Map::new();
    for (key, value) in map {
        let known = KNOWN_FIELDS
            .iter()
            .find(|f| **f == key)
            .or_else(|| KNOWN_FIELDS.iter().find(|f| f.eq_ignore_ascii_case(&key)));
        match known {
            Some(f) => {
                canonical.insert((*f).to_string(), value);
            }
            None => {
                return Err(Error::InvalidKustomization(format!(
                    "json: unknown field \"{key}\""
                )));
            }
        }
    }
    let map = canonical;
    let file = path.display();
    let kind = match map.get("kind").and_then(Value::as_str).unwrap_or("") {
        "" | "Kustomization" => Kind::Kustomization,
        "Component" => Kind::Component,
        other => {
            return Err(Error::InvalidKustomization(format!(
                "{file}: kind should be Kustomization or Component, got {other:?}"
            )));
        }
    };
    // kustomize pins each kind to one apiVersion; an empty one takes the default.
    let (kind_name, required) = match kind {
        Kind::Kustomization => ("Kustomization", KUSTOMIZATION_VERSION),
        Kind::Component => ("Component", COMPONENT_VERSION),
    };
    match map.get("apiVersion").and_then(Value::as_str).unwrap_or("") {
        "" => {}
        v if v == required => {}
        other => {
            return Err(Error::InvalidKustomization(format!(
                "{file}: apiVersion for {kind_name} should be {required}, got {other:?}"
            )));
        }
    }
    let map: serde_json::Map<String, Value> =
        map.into_iter().filter(|(_, v)| !v.is_null()).collect();
    // kustomize refuses a kustomization that sets nothing beyond its type; an empty string is
    // as unset as a missing field there, while an empty list or mapping counts as set.
    let sets_nothing = map
        .iter()
        .all(|(key, v)| key == "apiVersion" || key == "kind" || v.as_str() == Some(""));
    if sets_nothing {
        return Err(Error::InvalidKustomization(format!(
            "{file}: kustomization.yaml is empty: list what to build under 'resources' (or generators, components)"
        )));
    }
    let mut k: Kustomization = serde_json::from_value(Value::Object(map))
        .map_err(|e| Error::InvalidKustomization(format!("json: {e}")))?;
    k.kind = kind;
    let bases = std::mem::take(&mut k.bases);
    k.resources.extend(bases);
    Ok(k)
}
