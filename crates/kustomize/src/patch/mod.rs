//! Patches: RFC 6902 JSON patches (`patchesJson6902` and the JSON form of `patches`) and
//! strategic merge patches (`patchesStrategicMerge` and the strategic-merge form of `patches`)
//! applied to the resources a [`Target`](target::Target) selects or the patch's own id names.

pub mod json6902;
pub mod schema;
pub mod strategic;
pub mod target;

pub use schema::OpenApi;

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::resource::Resource;
use crate::yaml;

/// Reads a patch file named in the kustomization, through the build's confined root.
pub type Loader<'a> = dyn Fn(&str) -> Result<Vec<u8>> + 'a;

fn invalid(message: String) -> Error {
    Error::InvalidKustomization(message)
}

fn str_field<'a>(entry: &'a Value, name: &str) -> &'a str {
    entry.get(name).and_then(Value::as_str).unwrap_or("")
}

/// Reads an entry's patch text: inline `patch:` or the file at `path:`.
fn content(entry: &Value, load: &Loader, both: &str, neither: &str) -> Result<(String, String)> {
    let (patch, path) = (str_field(entry, "patch").trim(), str_field(entry, "path"));
    match (patch.is_empty(), path.is_empty()) {
        (false, false) => Err(invalid(both.to_string())),
        (true, true) => Err(invalid(neither.to_string())),
        (false, true) => Ok((patch.to_string(), "<inline patch>".to_string())),
        (true, false) => {
            let bytes = load(path)?;
            let text = String::from_utf8(bytes).map_err(|e| invalid(format!("{path}: {e}")))?;
            Ok((text, path.to_string()))
        }
    }
}

/// Parses JSON-6902 operations written as YAML or JSON.
fn decode(text: &str, shown: &str) -> Result<Vec<json6902::Op>> {
    let doc = yaml::parse_one(text.as_bytes(), Path::new(shown))?;
    json6902::decode(&doc).map_err(|e| invalid(format!("{shown}: {e}")))
}

fn apply_selected(
    resources: &mut [Resource],
    target: &target::Target,
    ops: &[json6902::Op],
) -> Result<()> {
    for r in resources.iter_mut().filter(|r| target.matches(r)) {
        // As kustomize: a JSON patch may rename, and references must follow the old id.
        r.store_previous_id();
        let id = r.id_string();
        json6902::apply(r.value_mut(), ops)
            .map_err(|e| invalid(format!("failed to apply json patch to {id}: {e}")))?;
        // kustomize round-trips the object through JSON, which gives every field its own node.
        r.forget_aliases();
    }
    Ok(())
}

fn parse_target(entry: &Value) -> Result<Option<target::Target>> {
    entry
        .get("target")
        .filter(|t| !t.is_null())
        .map(|t| target::Target::from_value(t).map_err(invalid))
        .transpose()
}

/// `patchesJson6902`: each entry has a `target` and a `patch` or `path`.
pub fn apply_json6902(resources: &mut [Resource], entries: &[Value], load: &Loader) -> Result<()> {
    for entry in entries {
        let name = entry
            .get("target")
            .map(|t| str_field(t, "name"))
            .unwrap_or("");
        if name.is_empty() {
            return Err(invalid("must specify the target name".into()));
        }
        let (text, shown) = content(
            entry,
            load,
            "must specify only one of path or jsonOp",
            "empty file path and empty jsonOp",
        )?;
        let target = parse_target(entry)?.expect("target checked above");
        apply_selected(resources, &target, &decode(&text, &shown)?)?;
    }
    Ok(())
}

/// Whether `r` has (or had) the id of the strategic-merge patch `p` (kustomize's
/// `GetById`, which also matches earlier names; `""` and `default` namespaces are equal).
fn has_id(r: &Resource, p: &Resource) -> bool {
    let ns = |n: &str| {
        if n.is_empty() {
            "default".to_string()
        } else {
            n.to_string()
        }
    };
    let (pg, rg) = (p.gvk(), r.gvk());
    if pg.group != rg.group || pg.version != rg.version {
        return false;
    }
    let same = |kind: &str, namespace: &str, name: &str| {
        kind == pg.kind && name == p.name() && ns(namespace) == ns(p.namespace())
    };
    same(&rg.kind, r.namespace(), r.name())
        || r.previous_ids()
            .iter()
            .any(|id| same(&id.kind, &id.namespace, &id.name))
}

/// `patches` options: whether a strategic-merge patch may rename the resource or change its kind.
#[derive(Clone, Copy, Default)]
struct Allow {
    name: bool,
    kind: bool,
    /// The patch goes through kustomize's resource map (`patchesStrategicMerge`, targeted
    /// `patches`), which rewrites its labels and annotations as string maps first.
    string_meta: bool,
}

impl Allow {
    fn from_entry(entry: &Value) -> Self {
        let flag = |k: &str| {
            entry
                .get("options")
                .and_then(|o| o.get(k))
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        Self {
            name: flag("allowNameChange"),
            kind: flag("allowKindChange"),
            string_meta: entry.get("target").is_some_and(|t| !t.is_null()),
        }
    }
}

/// A scalar as the string kustomize's string maps hold (`null` included).
fn meta_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// kustomize loads a patch with its annotation scalars as strings (nulls still delete).
/// Through the resource map (CopyMergeMetaDataFieldsFrom) labels and annotations become
/// string maps, nulls included, and an empty or `null` map is dropped rather than merged.
fn stringify_meta(patch: &mut Value, string_maps: bool) {
    let Some(meta) = patch.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    for field in ["labels", "annotations"] {
        if string_maps {
            let Some(v) = meta.get(field) else {
                continue;
            };
            let m: serde_json::Map<String, Value> = v
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), Value::String(meta_string(v))))
                .collect();
            if m.is_empty() {
                meta.remove(field);
            } else {
                meta.insert(field.into(), Value::Object(m));
            }
        } else if let Some(Value::Object(m)) = meta.get_mut(field)
            && field == "annotations"
        {
            for v in m.values_mut().filter(|v| v.is_boolean() || v.is_number()) {
                *v = Value::String(meta_string(v));
            }
        }
    }
}

/// Applies one strategic-merge document to the resource at `i`, taking the resource's identity
/// (kustomize patches a copy renamed to its target) unless `allow` lets the patch change it.
/// Returns `false` when the resource is deleted.
fn apply_strategic_at(
    resources: &mut [Resource],
    i: usize,
    doc: &Value,
    allow: Allow,
    openapi: &OpenApi,
) -> Result<bool> {
    let mut patch = doc.clone();
    stringify_meta(&mut patch, allow.string_meta);
    let r = &resources[i];
    if let Some(m) = patch.as_object_mut() {
        if !allow.kind || !m.contains_key("kind") {
            m.insert("apiVersion".into(), Value::String(r.api_version().into()));
            m.insert("kind".into(), Value::String(r.kind().into()));
        }
        if let Some(meta) = m.get_mut("metadata").and_then(Value::as_object_mut) {
            if !allow.name || !meta.get("name").is_some_and(Value::is_string) {
                meta.insert("name".into(), Value::String(r.name().into()));
            }
            meta.remove("namespace");
            if !r.namespace().is_empty() {
                meta.insert("namespace".into(), Value::String(r.namespace().into()));
            }
        }
    }
    let mut value = r.value().clone();
    let keep = strategic::apply(&mut value, &patch, openapi.schemas()?).map_err(invalid)?;
    let renamed = |v: &Value, key: &str, now: &str| {
        v.get(key)
            .or_else(|| v.get("metadata").and_then(|m| m.get(key)))
            .and_then(Value::as_str)
            .is_some_and(|s| s != now)
    };
    let r = &mut resources[i];
    if renamed(&value, "kind", r.kind()) || renamed(&value, "name", r.name()) {
        r.store_previous_id();
    }
    let before = r.alias_snapshot();
    *r.value_mut() = value;
    r.propagate_alias_edits(&before);
    Ok(keep)
}

/// Applies strategic-merge documents, each to the resources `target` selects or, without a
/// target, to the one resource its id names.
fn apply_strategic(
    resources: &mut Vec<Resource>,
    docs: &[Value],
    target: Option<&target::Target>,
    allow: Allow,
    openapi: &OpenApi,
) -> Result<()> {
    for doc in docs {
        let indices: Vec<usize> = match target {
            Some(t) => (0..resources.len())
                .filter(|&i| t.matches(&resources[i]))
                .collect(),
            None => {
                let p = Resource::from_value(doc.clone())
                    .ok_or_else(|| invalid("a strategic merge patch must be a mapping".into()))?;
                let found: Vec<usize> = (0..resources.len())
                    .filter(|&i| has_id(&resources[i], &p))
                    .collect();
                if found.len() != 1 {
                    let id = p.id_string();
                    let what = if found.is_empty() { "no" } else { "multiple" };
                    return Err(invalid(format!(
                        "{what} matches for Id {id}; failed to find unique target for patch {id}"
                    )));
                }
                found
            }
        };
        let mut deleted = Vec::new();
        for i in indices {
            if !apply_strategic_at(resources, i, doc, allow, openapi)? {
                deleted.push(i);
            }
        }
        for i in deleted.into_iter().rev() {
            resources.remove(i);
        }
    }
    Ok(())
}

/// Parses strategic-merge patch documents (empty documents are skipped).
fn strategic_docs(text: &str, shown: &str) -> Result<Vec<Value>> {
    let docs = yaml::parse_all(text.as_bytes(), Path::new(shown))?;
    Ok(docs.into_iter().filter(|d| !d.is_null()).collect())
}

/// `patchesStrategicMerge`: each entry is a file path or an inline patch (one or more YAML
/// documents).
pub fn apply_strategic_merge(
    resources: &mut Vec<Resource>,
    entries: &[Value],
    load: &Loader,
    openapi: &OpenApi,
) -> Result<()> {
    for entry in entries {
        let docs = match entry {
            Value::String(s) if s.contains('\n') => strategic_docs(s, "<inline patch>")?,
            Value::String(path) => {
                let bytes = load(path)?;
                let text = String::from_utf8(bytes).map_err(|e| invalid(format!("{path}: {e}")))?;
                strategic_docs(&text, path)?
            }
            other => vec![other.clone()],
        };
        let allow = Allow {
            string_meta: true,
            ..Allow::default()
        };
        apply_strategic(resources, &docs, None, allow, openapi)?;
    }
    Ok(())
}

/// `patches`: JSON-6902 documents (a list of operations) with a `target`, or strategic-merge
/// documents applied to their `target` selection or, without one, to the resource they name.
pub fn apply_patches(
    resources: &mut Vec<Resource>,
    entries: &[Value],
    load: &Loader,
    openapi: &OpenApi,
) -> Result<()> {
    for entry in entries {
        let shown = serde_json::to_string(entry).unwrap_or_default();
        let (text, file) = content(
            entry,
            load,
            &format!("patch and path can't be set at the same time\n{shown}"),
            &format!("must specify one of patch and path in\n{shown}"),
        )?;
        let is_json = yaml::parse_all(text.as_bytes(), Path::new(&file))
            .is_ok_and(|docs| docs.len() == 1 && docs[0].is_array());
        if !is_json {
            let docs = strategic_docs(&text, &file)?;
            let target = parse_target(entry)?;
            let allow = Allow::from_entry(entry);
            apply_strategic(resources, &docs, target.as_ref(), allow, openapi)?;
            continue;
        }
        let ops = decode(&text, &file)?;
        let target = parse_target(entry)?.ok_or_else(|| {
            invalid(format!(
                "must specify a target for JSON patch {}",
                text.trim()
            ))
        })?;
        apply_selected(resources, &target, &ops)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn no_files(p: &str) -> Result<Vec<u8>> {
        Err(Error::NotFound(p.into()))
    }

    fn resources() -> Vec<Resource> {
        ["a", "b"]
            .iter()
            .map(|n| {
                Resource::from_value(json!({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": n}, "data": {}}))
                .unwrap()
            })
            .collect()
    }

    #[test]
    fn patches_json_form_applies_to_targets() {
        let mut rs = resources();
        let entry = json!({"target": {"kind": "ConfigMap", "name": "a"},
            "patch": "[{\"op\": \"add\", \"path\": \"/data/k\", \"value\": \"v\"}]"});
        apply_patches(&mut rs, &[entry], &no_files, &OpenApi::default()).unwrap();
        assert_eq!(rs[0].value()["data"], json!({"k": "v"}));
        assert_eq!(rs[1].value()["data"], json!({}));
    }

    #[test]
    fn patches_errors() {
        let mut rs = resources();
        let sm = json!({"patch": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"});
        let err = apply_patches(&mut rs, &[sm], &no_files, &OpenApi::default()).unwrap_err();
        assert!(err.to_string().contains(
            "no matches for Id ConfigMap.v1.[noGrp]/c.[noNs]; failed to find unique target"
        ));
        let untargeted = json!({"patch": "- op: remove\n  path: /data\n"});
        let err =
            apply_patches(&mut rs, &[untargeted], &no_files, &OpenApi::default()).unwrap_err();
        assert!(
            err.to_string()
                .contains("must specify a target for JSON patch")
        );
        let both = json!({"patch": "[]", "path": "p.yaml", "target": {"name": "a"}});
        let err = apply_json6902(&mut rs, &[both], &no_files).unwrap_err();
        assert!(err.to_string().contains("only one of path or jsonOp"));
        let missing = json!({"path": "p.yaml", "target": {"name": "a"}});
        assert!(apply_json6902(&mut rs, &[missing], &no_files).is_err());
    }

    #[test]
    fn strategic_merge_by_id_and_by_target() {
        let mut rs = resources();
        let inline =
            json!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n");
        let file = json!("del.yaml");
        let load = |p: &str| -> Result<Vec<u8>> {
            assert_eq!(p, "del.yaml");
            Ok(b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n$patch: delete\n".to_vec())
        };
        apply_strategic_merge(&mut rs, &[inline, file], &load, &OpenApi::default()).unwrap();
        assert_eq!(rs.len(), 1);
        assert_eq!(rs[0].value()["data"], json!({"k": "v"}));

        let mut rs = resources();
        let entry = json!({"target": {"kind": "ConfigMap"}, "options": {"allowNameChange": true},
            "patch": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: z\ndata:\n  x: y\n"});
        apply_patches(&mut rs, &[entry], &no_files, &OpenApi::default()).unwrap();
        assert!(
            rs.iter()
                .all(|r| r.name() == "z" && r.value()["data"] == json!({"x": "y"}))
        );
        // The old name still finds the resource (kustomize matches earlier ids too).
        let by_old =
            json!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  o: p\n");
        apply_strategic_merge(&mut rs, &[by_old], &no_files, &OpenApi::default()).unwrap();
        assert_eq!(rs[0].value()["data"], json!({"o": "p", "x": "y"}));
        let dup = json!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: z\n");
        let err =
            apply_strategic_merge(&mut rs, &[dup], &no_files, &OpenApi::default()).unwrap_err();
        assert!(
            err.to_string()
                .contains("multiple matches for Id ConfigMap.v1.[noGrp]/z.[noNs]")
        );
    }
}
