//! The builtin transformers implemented so far.

pub mod fieldspec;
pub mod images;
pub mod labels;
pub mod namereference;
pub mod replicas;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::resource::Resource;

/// `namespace`: sets `metadata.namespace` on namespaced kinds. Like kustomize, every
/// resource remembers its id from before.
pub fn namespace(resources: &mut [Resource], ns: &str) {
    for r in resources.iter_mut() {
        r.store_previous_id();
    }
    for r in resources.iter_mut().filter(|r| r.is_namespaced()) {
        if let Some(meta) = r.map_at(&["metadata"]) {
            meta.insert("namespace".into(), Value::String(ns.to_string()));
        }
    }
}

/// `namePrefix` / `nameSuffix` on `metadata.name`; references are fixed up later by
/// [`namereference::apply`]. Like kustomize, CustomResourceDefinitions, APIServices and
/// Namespaces keep their names. Renamed resources remember their previous id and the affixes.
pub fn prefix_suffix(resources: &mut [Resource], prefix: &str, suffix: &str) {
    for r in resources.iter_mut() {
        let gvk = r.gvk();
        let skip = gvk.kind == "CustomResourceDefinition"
            || gvk.kind == "Namespace"
            || (gvk.kind == "APIService" && gvk.group == "apiregistration.k8s.io");
        if skip {
            continue;
        }
        // kustomize runs a prefix and a suffix transformer: each records the id before it.
        r.add_name_prefix(prefix);
        r.add_name_suffix(suffix);
        for (p, s) in [(prefix, ""), ("", suffix)] {
            if p.is_empty() && s.is_empty() {
                continue;
            }
            r.store_previous_id();
            let name = format!("{p}{}{s}", r.name());
            if let Some(meta) = r.map_at(&["metadata"]) {
                meta.insert("name".into(), Value::String(name));
            }
        }
    }
}

/// Pod-template paths that get common annotations, per kind (kustomize's `commonAnnotations`
/// field specs).
fn template_paths(kind: &str) -> &'static [&'static [&'static str]] {
    match kind {
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet" | "Job" => {
            &[&["spec", "template", "metadata", "annotations"]]
        }
        "ReplicationController" => &[&["spec", "template", "metadata", "annotations"]],
        "CronJob" => &[
            &["spec", "jobTemplate", "metadata", "annotations"],
            &[
                "spec",
                "jobTemplate",
                "spec",
                "template",
                "metadata",
                "annotations",
            ],
        ],
        _ => &[],
    }
}

/// `commonAnnotations`: on `metadata.annotations` and on pod templates.
pub fn annotations(resources: &mut [Resource], annotations: &BTreeMap<String, String>) {
    for r in resources.iter_mut() {
        let kind = r.kind().to_string();
        let mut paths: Vec<&[&str]> = vec![&["metadata", "annotations"]];
        paths.extend(template_paths(&kind).iter().copied());
        for path in paths {
            if path.len() > 2 && !r.has(&path[..1]) {
                continue;
            }
            if let Some(map) = r.map_at(path) {
                for (k, v) in annotations {
                    map.insert(k.clone(), Value::String(v.clone()));
                }
            }
        }
    }
}
