//! `commonLabels` and `labels` (kustomize's LabelTransformer); the field specs come from the
//! transformer configuration's `commonLabels` and `templateLabels`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::fieldspec::{self, CreateKind, FieldSpec};
use crate::config::TransformerConfig;
use crate::error::Result;
use crate::resource::Resource;

/// Adds `spec` to `specs` unless an identical one is there (kustomize's `FsSlice.MergeOne`).
fn merge(specs: &mut Vec<FieldSpec>, more: Vec<FieldSpec>) {
    for s in more {
        if !specs.iter().any(|x| {
            x.path == s.path && x.group == s.group && x.version == s.version && x.kind == s.kind
        }) {
            specs.push(s);
        }
    }
}

/// The field specs of one `labels` entry: its own `fields`, plus the configuration's
/// `commonLabels` (with `includeSelectors`) or `metadata/labels` and, with `includeTemplates`,
/// the configuration's `templateLabels`; always the configuration's `labels`.
pub fn entry_specs(entry: &Value, config: &TransformerConfig) -> Vec<FieldSpec> {
    let mut specs: Vec<FieldSpec> = entry
        .get("fields")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(FieldSpec::from_value).collect())
        .unwrap_or_default();
    let flag = |k: &str| entry.get(k).and_then(Value::as_bool).unwrap_or(false);
    if flag("includeSelectors") {
        merge(&mut specs, config.common_labels.clone());
    } else {
        merge(
            &mut specs,
            fieldspec::table(&[("", "", "", "metadata/labels", true)]),
        );
        if flag("includeTemplates") {
            merge(&mut specs, config.template_labels.clone());
        }
    }
    merge(&mut specs, config.labels.clone());
    specs
}

/// The `pairs` of a `labels` entry, as strings.
pub fn entry_pairs(entry: &Value) -> BTreeMap<String, String> {
    string_map(entry.get("pairs"))
}

/// A label or annotation map as strings, the way kustomize reads them into Go strings.
pub fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (k.clone(), v)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Sets every label at every field the specs reach (kustomize's `labels.Filter`).
pub fn apply(
    resources: &mut [Resource],
    labels: &BTreeMap<String, String>,
    specs: &[FieldSpec],
) -> Result<()> {
    if labels.is_empty() {
        return Ok(());
    }
    for r in resources.iter_mut() {
        for (k, v) in labels {
            let value = Value::String(v.clone());
            // kyaml's SetEntry makes one node per key and resource: fields that lacked the key
            // all get that node, fields that had it are overwritten in place.
            let mut fresh = Vec::new();
            let mut overwritten = Vec::new();
            for spec in specs {
                fieldspec::apply_at(r, spec, CreateKind::Mapping, &mut |at, node| match node
                    .as_object_mut()
                {
                    Some(map) => {
                        let mut pointer = at.to_string();
                        fieldspec::push_pointer(&mut pointer, k);
                        match map.insert(k.clone(), value.clone()) {
                            Some(_) => overwritten.push(pointer),
                            None => fresh.push(pointer),
                        }
                        Ok(())
                    }
                    None => Err(crate::error::Error::Unsupported(format!(
                        "wrong Node Kind for {} expected: MappingNode",
                        spec.path
                    ))),
                })?;
            }
            for p in &overwritten {
                r.set_aliased(p, &value);
            }
            r.link_aliases(fresh);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment() -> Resource {
        Resource::from_value(json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": {"template": {"spec": {"containers": []}}}
        }))
        .unwrap()
    }

    #[test]
    fn common_labels_reach_selectors_and_templates() {
        let mut rs = [deployment()];
        let labels = BTreeMap::from([("app".to_string(), "x".to_string())]);
        let config = TransformerConfig::defaults();
        apply(&mut rs, &labels, &config.common_labels).unwrap();
        let v = rs[0].value();
        assert_eq!(v["metadata"]["labels"]["app"], "x");
        assert_eq!(v["spec"]["selector"]["matchLabels"]["app"], "x");
        assert_eq!(v["spec"]["template"]["metadata"]["labels"]["app"], "x");
        assert!(v["spec"]["template"]["spec"].get("affinity").is_none());
    }

    #[test]
    fn labels_without_selectors() {
        let entry = json!({"pairs": {"a": "b"}, "includeTemplates": true});
        let mut rs = [deployment()];
        apply(
            &mut rs,
            &entry_pairs(&entry),
            &entry_specs(&entry, TransformerConfig::defaults()),
        )
        .unwrap();
        let v = rs[0].value();
        assert_eq!(v["metadata"]["labels"]["a"], "b");
        assert_eq!(v["spec"]["template"]["metadata"]["labels"]["a"], "b");
        assert!(v["spec"].get("selector").is_none());
        let entry = json!({"pairs": {"a": "b"}});
        let mut rs = [deployment()];
        apply(
            &mut rs,
            &entry_pairs(&entry),
            &entry_specs(&entry, TransformerConfig::defaults()),
        )
        .unwrap();
        assert!(rs[0].value()["spec"]["template"].get("metadata").is_none());
    }
}
