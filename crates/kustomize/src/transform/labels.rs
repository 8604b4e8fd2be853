//! `commonLabels` and `labels` (kustomize's LabelTransformer), with kustomize's builtin
//! `commonLabels` and `templateLabels` field specs.

use std::collections::BTreeMap;

use serde_json::Value;

use super::fieldspec::{self, CreateKind, FieldSpec};
use crate::error::Result;
use crate::resource::Resource;

/// Labels on metadata and pod templates (kustomize's `metadataLabelsFieldSpecs`, also its
/// `templateLabels`).
const TEMPLATE_LABELS: &[(&str, &str, &str, &str, bool)] = &[
    ("", "", "", "metadata/labels", true),
    (
        "",
        "v1",
        "ReplicationController",
        "spec/template/metadata/labels",
        true,
    ),
    ("", "", "Deployment", "spec/template/metadata/labels", true),
    ("", "", "ReplicaSet", "spec/template/metadata/labels", true),
    ("", "", "DaemonSet", "spec/template/metadata/labels", true),
    (
        "apps",
        "",
        "StatefulSet",
        "spec/template/metadata/labels",
        true,
    ),
    (
        "apps",
        "",
        "StatefulSet",
        "spec/volumeClaimTemplates[]/metadata/labels",
        true,
    ),
    ("batch", "", "Job", "spec/template/metadata/labels", true),
    (
        "batch",
        "",
        "CronJob",
        "spec/jobTemplate/metadata/labels",
        true,
    ),
    (
        "batch",
        "",
        "CronJob",
        "spec/jobTemplate/spec/template/metadata/labels",
        true,
    ),
];

const AFFINITY: &str = "spec/template/spec/affinity";

/// Selectors (kustomize's `commonLabelFieldSpecs`, before the metadata ones).
fn selector_specs() -> Vec<FieldSpec> {
    let mut rows: Vec<(String, String, String, String, bool)> = Vec::new();
    let mut row = |g: &str, v: &str, k: &str, p: &str, c: bool| {
        rows.push((g.into(), v.into(), k.into(), p.into(), c));
    };
    row("", "v1", "Service", "spec/selector", true);
    row("", "v1", "ReplicationController", "spec/selector", true);
    row("", "", "Deployment", "spec/selector/matchLabels", true);
    let workload_affinity = |row: &mut dyn FnMut(&str, &str, &str, &str, bool), kind: &str| {
        for p in [
            format!(
                "{AFFINITY}/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels"
            ),
            format!(
                "{AFFINITY}/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels"
            ),
            format!(
                "{AFFINITY}/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels"
            ),
            format!(
                "{AFFINITY}/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels"
            ),
            "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels".to_string(),
        ] {
            row("apps", "", kind, &p, false);
        }
    };
    workload_affinity(&mut row, "Deployment");
    row("", "", "ReplicaSet", "spec/selector/matchLabels", true);
    row("", "", "DaemonSet", "spec/selector/matchLabels", true);
    row("apps", "", "StatefulSet", "spec/selector/matchLabels", true);
    row(
        "apps",
        "",
        "StatefulSet",
        "spec/volumeClaimTemplates[]/metadata/labels",
        true,
    );
    workload_affinity(&mut row, "StatefulSet");
    row("batch", "", "Job", "spec/selector/matchLabels", false);
    row(
        "batch",
        "",
        "CronJob",
        "spec/jobTemplate/spec/selector/matchLabels",
        false,
    );
    row(
        "policy",
        "",
        "PodDisruptionBudget",
        "spec/selector/matchLabels",
        false,
    );
    row(
        "networking.k8s.io",
        "",
        "NetworkPolicy",
        "spec/podSelector/matchLabels",
        false,
    );
    row(
        "networking.k8s.io",
        "",
        "NetworkPolicy",
        "spec/ingress/from/podSelector/matchLabels",
        false,
    );
    row(
        "networking.k8s.io",
        "",
        "NetworkPolicy",
        "spec/egress/to/podSelector/matchLabels",
        false,
    );
    rows.into_iter()
        .map(|(group, version, kind, path, create)| FieldSpec {
            group,
            version,
            kind,
            path,
            create,
        })
        .collect()
}

/// kustomize's builtin `commonLabels` field specs.
pub fn common_label_specs() -> Vec<FieldSpec> {
    let mut specs = selector_specs();
    specs.extend(fieldspec::table(TEMPLATE_LABELS));
    specs
}

/// kustomize's builtin `templateLabels` field specs.
pub fn template_label_specs() -> Vec<FieldSpec> {
    fieldspec::table(TEMPLATE_LABELS)
}

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

/// The field specs of one `labels` entry.
pub fn entry_specs(entry: &Value) -> Vec<FieldSpec> {
    let mut specs: Vec<FieldSpec> = entry
        .get("fields")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(FieldSpec::from_value).collect())
        .unwrap_or_default();
    let flag = |k: &str| entry.get(k).and_then(Value::as_bool).unwrap_or(false);
    if flag("includeSelectors") {
        merge(&mut specs, common_label_specs());
    } else {
        merge(
            &mut specs,
            fieldspec::table(&[("", "", "", "metadata/labels", true)]),
        );
        if flag("includeTemplates") {
            merge(&mut specs, template_label_specs());
        }
    }
    specs
}

/// The `pairs` of a `labels` entry, as strings.
pub fn entry_pairs(entry: &Value) -> BTreeMap<String, String> {
    entry
        .get("pairs")
        .and_then(Value::as_object)
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
            for spec in specs {
                fieldspec::apply(r, spec, CreateKind::Mapping, &mut |node| match node
                    .as_object_mut()
                {
                    Some(map) => {
                        map.insert(k.clone(), Value::String(v.clone()));
                        Ok(())
                    }
                    None => Err(crate::error::Error::Unsupported(format!(
                        "wrong Node Kind for {} expected: MappingNode",
                        spec.path
                    ))),
                })?;
            }
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
        apply(&mut rs, &labels, &common_label_specs()).unwrap();
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
        apply(&mut rs, &entry_pairs(&entry), &entry_specs(&entry)).unwrap();
        let v = rs[0].value();
        assert_eq!(v["metadata"]["labels"]["a"], "b");
        assert_eq!(v["spec"]["template"]["metadata"]["labels"]["a"], "b");
        assert!(v["spec"].get("selector").is_none());
        let entry = json!({"pairs": {"a": "b"}});
        let mut rs = [deployment()];
        apply(&mut rs, &entry_pairs(&entry), &entry_specs(&entry)).unwrap();
        assert!(rs[0].value()["spec"]["template"].get("metadata").is_none());
    }
}
