//! kustomize's transformer configuration (`builtinconfig.TransformerConfig`): the field specs
//! each builtin transformer works on. The builtin defaults live in `config_defaults.txt`; a
//! kustomization's `configurations:` files add to them, and a parent kustomization sees the
//! merged configuration of everything it includes.

use std::path::Path;
use std::sync::{Arc, LazyLock};

use serde_json::Value;

use crate::error::{Error, Result};
use crate::resource::Gvk;
use crate::transform::fieldspec::FieldSpec;
use crate::transform::namereference::NameRef;
use crate::yaml;

/// The builtin field specs, one per line: `group version kind path [create]` (`_` for a blank
/// selector field), grouped under `[section]` headers; in `[nameReference]`, a `> group version
/// kind` line starts a new referral target.
const DEFAULTS: &str = include_str!("config_defaults.txt");

/// A referral target and the fields that may name it (kustomize's `NameBackReferences`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameBackRef {
    /// The referred-to GVK (blank fields match anything).
    pub target: Gvk,
    /// The referring fields.
    pub referrers: Vec<FieldSpec>,
}

/// The field specs of every builtin transformer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)]
pub struct TransformerConfig {
    pub name_prefix: Vec<FieldSpec>,
    pub name_suffix: Vec<FieldSpec>,
    pub namespace: Vec<FieldSpec>,
    pub common_labels: Vec<FieldSpec>,
    pub labels: Vec<FieldSpec>,
    pub template_labels: Vec<FieldSpec>,
    pub common_annotations: Vec<FieldSpec>,
    pub name_reference: Vec<NameBackRef>,
    pub var_reference: Vec<FieldSpec>,
    pub images: Vec<FieldSpec>,
    pub replicas: Vec<FieldSpec>,
}

/// The plain field-spec sections, by their YAML key.
const SECTIONS: &[&str] = &[
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "labels",
    "templateLabels",
    "commonAnnotations",
    "varReference",
    "images",
    "replicas",
];

fn blank(s: &str) -> String {
    if s == "_" {
        String::new()
    } else {
        s.to_string()
    }
}

fn gvk_of(v: &Value) -> Gvk {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    Gvk {
        group: s("group"),
        version: s("version"),
        kind: s("kind"),
    }
}

fn selects(selector: &Gvk, gvk: &Gvk) -> bool {
    (selector.group.is_empty() || selector.group == gvk.group)
        && (selector.version.is_empty() || selector.version == gvk.version)
        && (selector.kind.is_empty() || selector.kind == gvk.kind)
}

fn spec_gvk(s: &FieldSpec) -> Gvk {
    Gvk {
        group: s.group.clone(),
        version: s.version.clone(),
        kind: s.kind.clone(),
    }
}

/// kustomize's `FsSlice.MergeOne`: a new spec is dropped when a spec with the same path is
/// already there for a GVK the new one selects (so a blank-GVK spec merged after a specific
/// one adds nothing), unless the two disagree on `create`.
pub fn merge_one(specs: &mut Vec<FieldSpec>, spec: FieldSpec) -> Result<()> {
    let covered = specs
        .iter()
        .find(|s| s.path == spec.path && selects(&spec_gvk(&spec), &spec_gvk(s)));
    match covered {
        Some(s) if s.create != spec.create => Err(Error::InvalidKustomization(format!(
            "conflicting fieldspecs: '{}' for {} is given both with and without 'create'",
            spec.path,
            spec.gvk_string()
        ))),
        Some(_) => Ok(()),
        None => {
            specs.push(spec);
            Ok(())
        }
    }
}

fn merge_all(specs: &mut Vec<FieldSpec>, more: &[FieldSpec], section: &str) -> Result<()> {
    for s in more {
        merge_one(specs, s.clone()).map_err(|e| {
            Error::InvalidKustomization(format!("failed to merge {section} fieldSpec: {e}"))
        })?;
    }
    Ok(())
}

/// kustomize's `Gvk.IsLessThan`: kinds in the legacy install order first, then by
/// `Kind.version.group` text.
fn gvk_order(g: &Gvk) -> (i64, String) {
    let first = crate::order::LEGACY_ORDER_FIRST;
    let last = crate::order::LEGACY_ORDER_LAST;
    let rank = if let Some(i) = first.iter().position(|k| *k == g.kind) {
        i as i64 - first.len() as i64
    } else if let Some(i) = last.iter().position(|k| *k == g.kind) {
        1 + i as i64
    } else {
        0
    };
    let text = crate::resource::gvk_string(&g.group, &g.version, &g.kind);
    (rank, text)
}

/// The builtin configuration, parsed once: every kustomization without `configurations:`
/// merges it, and parsing it per build was a large share of a small build.
static DEFAULTS_PARSED: LazyLock<Arc<TransformerConfig>> =
    LazyLock::new(|| Arc::new(TransformerConfig::parse_defaults()));

/// What merging the builtin configuration into an empty accumulator gives (the accumulator of
/// nearly every kustomization), computed once.
static DEFAULTS_MERGED: LazyLock<Arc<TransformerConfig>> = LazyLock::new(|| {
    let mut c = TransformerConfig::default();
    c.merge(&DEFAULTS_PARSED)
        .expect("the builtin field specs do not conflict");
    Arc::new(c)
});

impl TransformerConfig {
    /// kustomize's builtin configuration.
    pub fn defaults() -> &'static Self {
        &DEFAULTS_PARSED
    }

    /// Whether no section has a spec.
    pub fn is_empty(&self) -> bool {
        SECTIONS.iter().all(|s| self.section(s).is_empty()) && self.name_reference.is_empty()
    }

    /// Merges `more` into the shared configuration `acc`, as [`TransformerConfig::merge`]
    /// does, without copying or re-merging in the cases every build hits: the builtin
    /// configuration into an empty or default-only accumulator, or an accumulator into an
    /// identical one (merging is idempotent on merged configurations, so those are no-ops;
    /// `shortcuts_agree_with_merging` checks the equivalences).
    pub fn merge_into(acc: &mut Arc<Self>, more: &Self) -> Result<()> {
        let merged = &*DEFAULTS_MERGED;
        // Every merged configuration is already in GVK order, all that merging nothing does.
        if more.is_empty() || std::ptr::eq(more, &**acc) {
            return Ok(());
        }
        let defaults = std::ptr::eq(more, &**DEFAULTS_PARSED) || std::ptr::eq(more, &**merged);
        if defaults && (acc.is_empty() || Arc::ptr_eq(acc, merged)) {
            *acc = Arc::clone(merged);
            return Ok(());
        }
        Arc::make_mut(acc).merge(more)
    }

    /// The builtin configuration, shared.
    pub fn defaults_shared() -> Arc<Self> {
        Arc::clone(&DEFAULTS_PARSED)
    }

    fn parse_defaults() -> Self {
        let mut c = Self::default();
        let mut section = "";
        for line in DEFAULTS.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = match SECTIONS.iter().find(|s| **s == name) {
                    Some(s) => s,
                    None => "nameReference",
                };
                continue;
            }
            let f: Vec<&str> = line.split_whitespace().collect();
            if let Some(target) = line.strip_prefix("> ") {
                let t: Vec<&str> = target.split_whitespace().collect();
                c.name_reference.push(NameBackRef {
                    target: Gvk {
                        group: blank(t[0]),
                        version: blank(t[1]),
                        kind: blank(t[2]),
                    },
                    referrers: Vec::new(),
                });
                continue;
            }
            let spec = FieldSpec {
                group: blank(f[0]),
                version: blank(f[1]),
                kind: blank(f[2]),
                path: f[3].to_string(),
                create: f.get(4) == Some(&"create"),
            };
            match c.section_mut(section) {
                Some(specs) => specs.push(spec),
                None => {
                    if let Some(last) = c.name_reference.last_mut() {
                        last.referrers.push(spec);
                    }
                }
            }
        }
        c
    }

    fn section_mut(&mut self, name: &str) -> Option<&mut Vec<FieldSpec>> {
        Some(match name {
            "namePrefix" => &mut self.name_prefix,
            "nameSuffix" => &mut self.name_suffix,
            "namespace" => &mut self.namespace,
            "commonLabels" => &mut self.common_labels,
            "labels" => &mut self.labels,
            "templateLabels" => &mut self.template_labels,
            "commonAnnotations" => &mut self.common_annotations,
            "varReference" => &mut self.var_reference,
            "images" => &mut self.images,
            "replicas" => &mut self.replicas,
            _ => return None,
        })
    }

    /// A configuration from a `configurations:` document. Unknown keys are ignored, as
    /// kustomize does.
    pub fn from_value(v: &Value, shown: &str) -> Result<Self> {
        let mut c = Self::default();
        let Some(map) = v.as_object() else {
            if v.is_null() {
                return Ok(c);
            }
            return Err(Error::InvalidKustomization(format!(
                "transformer configuration {shown} must be a mapping of field spec lists"
            )));
        };
        let list = |key: &str| -> Result<Vec<Value>> {
            match map.get(key) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Array(items)) => Ok(items.clone()),
                Some(_) => Err(Error::InvalidKustomization(format!(
                    "transformer configuration {shown}: '{key}' must be a list of field specs"
                ))),
            }
        };
        for section in SECTIONS {
            let specs: Vec<FieldSpec> = list(section)?
                .iter()
                .filter(|s| !s.is_null())
                .map(FieldSpec::from_value)
                .collect();
            if let Some(dst) = c.section_mut(section) {
                *dst = specs;
            }
        }
        for item in list("nameReference")? {
            let referrers = match item.get("fieldSpecs") {
                Some(Value::Array(a)) => a.iter().map(FieldSpec::from_value).collect(),
                _ => Vec::new(),
            };
            c.name_reference.push(NameBackRef {
                target: gvk_of(&item),
                referrers,
            });
        }
        Ok(c)
    }

    /// kustomize's `TransformerConfig.Merge`: `other`'s specs are added to these, then every
    /// list is ordered by GVK.
    pub fn merge(&mut self, other: &Self) -> Result<()> {
        for section in SECTIONS {
            let more = other.section(section).to_vec();
            if let Some(dst) = self.section_mut(section) {
                merge_all(dst, &more, section)?;
                dst.sort_by_cached_key(|s| gvk_order(&spec_gvk(s)));
            }
        }
        for nbr in &other.name_reference {
            match self
                .name_reference
                .iter_mut()
                .find(|n| n.target == nbr.target)
            {
                Some(n) => merge_all(&mut n.referrers, &nbr.referrers, "nameReference")?,
                None => self.name_reference.push(nbr.clone()),
            }
        }
        self.name_reference
            .sort_by_cached_key(|n| gvk_order(&n.target));
        Ok(())
    }

    fn section(&self, name: &str) -> &[FieldSpec] {
        match name {
            "namePrefix" => &self.name_prefix,
            "nameSuffix" => &self.name_suffix,
            "namespace" => &self.namespace,
            "commonLabels" => &self.common_labels,
            "labels" => &self.labels,
            "templateLabels" => &self.template_labels,
            "commonAnnotations" => &self.common_annotations,
            "varReference" => &self.var_reference,
            "images" => &self.images,
            "replicas" => &self.replicas,
            _ => &[],
        }
    }

    /// The name references flattened into (target, referring field) pairs.
    pub fn name_refs(&self) -> Vec<NameRef> {
        let mut out = Vec::new();
        for nbr in &self.name_reference {
            let target = FieldSpec {
                group: nbr.target.group.clone(),
                version: nbr.target.version.clone(),
                kind: nbr.target.kind.clone(),
                path: String::new(),
                create: false,
            };
            for field in &nbr.referrers {
                out.push(NameRef {
                    target: target.clone(),
                    field: field.clone(),
                });
            }
        }
        out
    }
}

/// kustomize's `MakeTransformerConfig`: each `configurations:` file merged with the defaults.
pub fn load(
    configurations: &[String],
    load: &dyn Fn(&str) -> Result<Vec<u8>>,
) -> Result<Arc<TransformerConfig>> {
    if configurations.is_empty() {
        return Ok(TransformerConfig::defaults_shared());
    }
    let mut files = TransformerConfig::default();
    for entry in configurations {
        if entry.contains('\n') || entry.contains('\r') {
            return Err(Error::InvalidKustomization(
                "configurations: an entry spans lines, but kustomize v5.5 reads only file paths here; put the field specs in a file and list its path".into(),
            ));
        }
        let (bytes, shown) = (load(entry)?, entry.clone());
        for doc in yaml::parse_all(&bytes, Path::new(&shown))? {
            files.merge(&TransformerConfig::from_value(&doc, &shown)?)?;
        }
    }
    // The defaults join the files' specs, not the other way round: a file's specific
    // `metadata/name` spec then stands in for the blank default one, as in kustomize.
    files.merge(TransformerConfig::defaults())?;
    Ok(Arc::new(files))
}

/// kustomize's `LoadConfigFromCRDs`: field specs read from OpenAPI definitions (a map of type
/// name to `{Schema, Dependencies}`, JSON or YAML). In every definition that looks like a
/// Kubernetes type, properties marked `x-kubernetes-annotation`, `x-kubernetes-label-selector`
/// or `x-kubernetes-identity` become `commonAnnotations`, `commonLabels` or `namePrefix`
/// specs, and `x-kubernetes-object-ref-kind` (with `-api-version` and optional `-name-key`)
/// becomes a name reference; `$ref`s are followed.
pub fn from_crds(files: &[(String, Vec<u8>)]) -> Result<TransformerConfig> {
    let mut out = TransformerConfig::default();
    for (shown, bytes) in files {
        let defs = yaml::parse_one(bytes, Path::new(shown))?;
        let Some(map) = defs.as_object() else {
            continue;
        };
        for (name, def) in map {
            let props = def.pointer("/Schema/properties").and_then(Value::as_object);
            let is_type = props.is_some_and(|p| {
                ["kind", "apiVersion", "metadata"]
                    .iter()
                    .all(|k| p.contains_key(*k))
            });
            if !is_type {
                continue;
            }
            let base = name.rsplit('/').next().unwrap_or(name);
            let kind = base.rsplit('.').next().unwrap_or(base);
            let gvk = Gvk {
                group: String::new(),
                version: String::new(),
                kind: kind.to_string(),
            };
            let mut one = TransformerConfig::default();
            crd_properties(&mut one, &gvk, map, name, &mut Vec::new(), 0)?;
            out.merge(&one)?;
        }
    }
    Ok(out)
}

fn crd_properties(
    c: &mut TransformerConfig,
    gvk: &Gvk,
    defs: &serde_json::Map<String, Value>,
    type_name: &str,
    path: &mut Vec<String>,
    depth: usize,
) -> Result<()> {
    // Definitions may refer to each other in a cycle; real schemas are far shallower.
    if depth > 32 {
        return Ok(());
    }
    let Some(props) = defs
        .get(type_name)
        .and_then(|d| d.pointer("/Schema/properties"))
        .and_then(Value::as_object)
    else {
        return Ok(());
    };
    let spec = |path: &[String]| FieldSpec {
        group: gvk.group.clone(),
        version: gvk.version.clone(),
        kind: gvk.kind.clone(),
        path: path.join("/"),
        create: false,
    };
    for (prop, p) in props {
        let ext = |k: &str| p.get(k).and_then(Value::as_str);
        path.push(prop.clone());
        if ext("x-kubernetes-annotation").is_some() {
            merge_one(&mut c.common_annotations, spec(path))?;
        }
        if ext("x-kubernetes-label-selector").is_some() {
            merge_one(&mut c.common_labels, spec(path))?;
        }
        if ext("x-kubernetes-identity").is_some() {
            merge_one(&mut c.name_prefix, spec(path))?;
        }
        if let (Some(version), Some(kind)) = (
            ext("x-kubernetes-object-ref-api-version"),
            ext("x-kubernetes-object-ref-kind"),
        ) {
            let mut field = path.clone();
            field.push(
                ext("x-kubernetes-object-ref-name-key")
                    .unwrap_or("name")
                    .to_string(),
            );
            let target = Gvk {
                group: String::new(),
                version: version.to_string(),
                kind: kind.to_string(),
            };
            let nbr = NameBackRef {
                target,
                referrers: vec![spec(&field)],
            };
            let more = TransformerConfig {
                name_reference: vec![nbr],
                ..TransformerConfig::default()
            };
            c.merge(&more)?;
        }
        if let Some(r) = p.get("$ref").and_then(Value::as_str) {
            crd_properties(c, gvk, defs, r, path, depth + 1)?;
        }
        path.pop();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shortcuts_agree_with_merging() {
        let raw = TransformerConfig::defaults();
        let merged = &**DEFAULTS_MERGED;
        let slow = |acc: &TransformerConfig, more: &TransformerConfig| {
            let mut c = acc.clone();
            c.merge(more).unwrap();
            c
        };
        let empty = TransformerConfig::default();
        assert_eq!(&slow(&empty, merged), merged);
        assert_eq!(&slow(merged, raw), merged);
        assert_eq!(&slow(merged, merged), merged);
        assert_eq!(&slow(merged, &empty), merged);
        let mut acc = Arc::new(TransformerConfig::default());
        TransformerConfig::merge_into(&mut acc, raw).unwrap();
        assert!(Arc::ptr_eq(&acc, &DEFAULTS_MERGED));
        let extra = TransformerConfig::from_value(
            &json!({"namePrefix": [{"path": "spec/extra", "kind": "Foo"}]}),
            "x",
        )
        .unwrap();
        TransformerConfig::merge_into(&mut acc, &extra).unwrap();
        assert_eq!(*acc, slow(merged, &extra));
        assert!(!Arc::ptr_eq(&acc, &DEFAULTS_MERGED));
        assert_eq!(DEFAULTS_MERGED.name_prefix, slow(&empty, raw).name_prefix);
    }

    #[test]
    fn defaults_have_every_section() {
        let c = TransformerConfig::defaults();
        assert_eq!(c.name_prefix.len(), 1);
        assert_eq!(c.namespace.len(), 3);
        assert!(c.common_labels.len() > 20);
        assert_eq!(c.images.len(), 4);
        assert_eq!(c.replicas.len(), 4);
        assert!(c.var_reference.iter().any(|s| s.path == "metadata/labels"));
        let cm = c
            .name_reference
            .iter()
            .find(|n| n.target.kind == "ConfigMap")
            .unwrap();
        assert_eq!(cm.target.version, "v1");
        assert!(cm.referrers.iter().any(|s| s.kind == "Pod"));
    }

    #[test]
    fn merge_skips_covered_specs_and_rejects_conflicts() {
        let mut c = TransformerConfig::from_value(
            &json!({"namePrefix": [{"kind": "Foo", "path": "metadata/name"}],
                    "images": [{"kind": "Foo", "path": "spec/image", "create": true}],
                    "nameReference": [{"kind": "Bar", "fieldSpecs": [{"kind": "Foo", "path": "spec/bar"}]}]}),
            "x",
        )
        .unwrap();
        c.merge(TransformerConfig::defaults()).unwrap();
        assert_eq!(c.name_prefix.len(), 1);
        assert_eq!(c.images.len(), 5);
        assert!(c.name_refs().iter().any(|r| r.target.kind == "Bar"));
        let clash = TransformerConfig::from_value(
            &json!({"namePrefix": [{"kind": "Foo", "path": "metadata/name", "create": true}]}),
            "y",
        )
        .unwrap();
        assert!(c.merge(&clash).is_err());
    }

    #[test]
    fn crd_definitions_add_name_references() {
        let defs = json!({
            "ex.v1.Thing": {"Schema": {"properties": {
                "apiVersion": {}, "kind": {}, "metadata": {},
                "spec": {"$ref": "ex.v1.ThingSpec"}}}},
            "ex.v1.ThingSpec": {"Schema": {"properties": {
                "secretRef": {"x-kubernetes-object-ref-api-version": "v1",
                    "x-kubernetes-object-ref-kind": "Secret"},
                "note": {"x-kubernetes-annotation": ""}}}}
        });
        let bytes = serde_json::to_vec(&defs).unwrap();
        let c = from_crds(&[("crd.json".into(), bytes)]).unwrap();
        let refs = c.name_refs();
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].target.kind, "Secret");
        assert_eq!(refs[0].field.kind, "Thing");
        assert_eq!(refs[0].field.path, "spec/secretRef/name");
        assert_eq!(c.common_annotations[0].path, "spec/note");
    }

    #[test]
    fn inline_configurations_are_refused() {
        let no_files = |_: &str| -> Result<Vec<u8>> { unreachable!() };
        let err = load(&["a:\n- b".to_string()], &no_files).unwrap_err();
        assert!(err.to_string().contains("file paths"), "{err}");
    }
}
