//! The builtin transformers; each takes its field specs from the transformer configuration
//! ([`crate::config`]).

pub mod fieldspec;
pub mod images;
pub mod labels;
pub mod namereference;
pub mod replicas;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::Result;
use crate::resource::Resource;
use fieldspec::{CreateKind, FieldSpec};

/// Which RoleBinding/ClusterRoleBinding subjects get the namespace (the NamespaceTransformer's
/// `setRoleBindingSubjects`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BindingSubjects {
    /// Subjects named `default` (the kustomization field's behaviour).
    #[default]
    DefaultOnly,
    /// Every `ServiceAccount` subject.
    AllServiceAccounts,
    /// None.
    None,
}

/// kustomize's NamespaceTransformer: `metadata.namespace` on namespaced kinds, the namespace
/// of the binding subjects `subjects` picks, then every other field `specs` reaches (the
/// builtin config also renames a `Namespace` object to `ns`). Like kustomize, every resource
/// remembers its id from before. With `skip_existing`, only empty fields are set.
pub fn namespace(
    resources: &mut [Resource],
    ns: &str,
    specs: &[FieldSpec],
    skip_existing: bool,
    subjects: BindingSubjects,
) -> Result<()> {
    if ns.is_empty() {
        return Ok(());
    }
    let new = Value::String(ns.to_string());
    let mut set = |node: &mut Value| -> Result<()> {
        let empty = match node {
            Value::Null => true,
            Value::String(s) => s.is_empty(),
            _ => false,
        };
        if !skip_existing || empty {
            *node = new.clone();
        }
        Ok(())
    };
    let is_binding = |kind: &str| kind == "RoleBinding" || kind == "ClusterRoleBinding";
    let subjects_mode = subjects;
    for r in resources.iter_mut() {
        if r.value().as_object().is_none_or(|m| m.is_empty()) {
            continue;
        }
        r.store_previous_id();
        let kind = r.kind().to_string();
        if r.is_namespaced() {
            let meta = fieldspec::table(&[("", "", "", "metadata/namespace", true)]);
            fieldspec::apply(r, &meta[0], CreateKind::Scalar, &mut set)?;
        }
        if is_binding(&kind)
            && let Some(Value::Array(subjects)) = r.value_mut().get_mut("subjects")
        {
            for s in subjects.iter_mut() {
                let field = |k: &str| s.get(k).and_then(Value::as_str);
                let picked = match subjects_mode {
                    BindingSubjects::DefaultOnly => field("name") == Some("default"),
                    BindingSubjects::AllServiceAccounts => field("kind") == Some("ServiceAccount"),
                    BindingSubjects::None => false,
                };
                if !picked {
                    continue;
                }
                if let Some(m) = s.as_object_mut() {
                    set(m.entry("namespace").or_insert(Value::Null))?;
                }
            }
        }
        let namespaced = r.is_namespaced();
        for spec in specs {
            // Renaming applies to real (cluster-scoped) Namespaces only, not to a CRD's kind
            // that happens to be called Namespace, as kustomize fixed in v5.
            let renames_crd = namespaced && spec.path == "metadata/name";
            if renames_crd
                || spec.path == "metadata/namespace"
                || (is_binding(&spec.kind) && spec.path == "subjects")
            {
                continue;
            }
            fieldspec::apply(r, spec, CreateKind::Scalar, &mut set)?;
        }
    }
    Ok(())
}

/// Kinds whose names never get a prefix or suffix (kustomize's skip list).
fn keeps_name(r: &Resource) -> bool {
    let gvk = r.gvk();
    gvk.kind == "CustomResourceDefinition"
        || gvk.kind == "Namespace"
        || (gvk.kind == "APIService" && gvk.group == "apiregistration.k8s.io")
}

/// kustomize's PrefixTransformer and SuffixTransformer: `affix` added before (`Affix::Prefix`)
/// or after the value of every field `specs` reach. On `metadata/name`, the resource records
/// the affix and its previous id, so references follow later.
pub fn affix(resources: &mut [Resource], affix: Affix<'_>, specs: &[FieldSpec]) -> Result<()> {
    for r in resources.iter_mut().filter(|r| !keeps_name(r)) {
        for spec in specs {
            if !spec.selects(&r.gvk()) {
                continue;
            }
            let text = match affix {
                Affix::Prefix(p) | Affix::Suffix(p) => p,
            };
            if spec.path == "metadata/name" {
                match affix {
                    Affix::Prefix(p) => r.add_name_prefix(p),
                    Affix::Suffix(s) => r.add_name_suffix(s),
                }
                if !text.is_empty() {
                    r.store_previous_id();
                }
            }
            fieldspec::apply(r, spec, CreateKind::Scalar, &mut |node| {
                let old = match node {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => return Ok(()),
                };
                *node = Value::String(match affix {
                    Affix::Prefix(p) => format!("{p}{old}"),
                    Affix::Suffix(s) => format!("{old}{s}"),
                });
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// Which end of a name [`affix`] extends.
#[derive(Debug, Clone, Copy)]
pub enum Affix<'a> {
    /// Text put in front.
    Prefix(&'a str),
    /// Text put after.
    Suffix(&'a str),
}

/// `namePrefix` then `nameSuffix` on `metadata.name` with the builtin field specs.
#[cfg(test)]
pub fn prefix_suffix(resources: &mut [Resource], prefix: &str, suffix: &str) {
    let specs = fieldspec::table(&[("", "", "", "metadata/name", false)]);
    if !prefix.is_empty() {
        let _ = affix(resources, Affix::Prefix(prefix), &specs);
    }
    if !suffix.is_empty() {
        let _ = affix(resources, Affix::Suffix(suffix), &specs);
    }
}

/// kustomize's AnnotationsTransformer: every annotation at every field `specs` reach.
pub fn annotations(
    resources: &mut [Resource],
    annotations: &BTreeMap<String, String>,
    specs: &[FieldSpec],
) -> Result<()> {
    labels::apply(resources, annotations, specs)
}

/// The annotation that marks an object as configuration for the build only.
pub const LOCAL_CONFIG: &str = "config.kubernetes.io/local-config";

/// kustomize's `IgnoreLocal`: objects carrying the local-config annotation (whatever its value)
/// take part in the build — as name-reference targets, say — but are not output.
pub fn drop_local_config(resources: &mut Vec<Resource>) {
    resources.retain(|r| {
        r.value()
            .pointer("/metadata/annotations")
            .and_then(Value::as_object)
            .is_none_or(|a| !a.contains_key(LOCAL_CONFIG))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn res(v: Value) -> Resource {
        Resource::from_value(v).unwrap()
    }

    #[test]
    fn namespace_renames_namespaces_and_default_subjects() {
        let specs = crate::config::TransformerConfig::defaults()
            .namespace
            .clone();
        let mut rs = vec![
            res(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "old"}})),
            res(
                json!({"apiVersion": "x.example.com/v1", "kind": "Namespace",
                "metadata": {"name": "crd"}}),
            ),
            res(
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": {"name": "rb"},
                "subjects": [{"kind": "ServiceAccount", "name": "default"},
                             {"kind": "ServiceAccount", "name": "sa", "namespace": "x"}]}),
            ),
        ];
        namespace(&mut rs, "ns", &specs, false, BindingSubjects::default()).unwrap();
        assert_eq!(rs[0].name(), "ns");
        assert_eq!(rs[0].namespace(), "");
        assert_eq!(rs[1].name(), "crd");
        assert_eq!(rs[1].namespace(), "ns");
        assert_eq!(rs[2].value()["subjects"][0]["namespace"], "ns");
        assert_eq!(rs[2].value()["subjects"][1]["namespace"], "x");
        let mut kept = vec![res(json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "namespace": "mine"}}))];
        namespace(&mut kept, "ns", &[], true, BindingSubjects::None).unwrap();
        assert_eq!(kept[0].namespace(), "mine");
    }

    #[test]
    fn affixes_skip_namespaces_and_follow_field_specs() {
        let specs = fieldspec::table(&[
            ("", "", "", "metadata/name", false),
            ("", "", "Foo", "spec/alias", false),
        ]);
        let mut rs = vec![
            res(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}})),
            res(
                json!({"apiVersion": "x/v1", "kind": "Foo", "metadata": {"name": "f"},
                "spec": {"alias": "a"}}),
            ),
        ];
        affix(&mut rs, Affix::Suffix("-s"), &specs).unwrap();
        assert_eq!(rs[0].name(), "n");
        assert_eq!(rs[1].name(), "f-s");
        assert_eq!(rs[1].value()["spec"]["alias"], "a-s");
        assert_eq!(rs[1].name_suffixes(), ["-s"]);
    }

    #[test]
    fn local_config_is_dropped() {
        let mut rs = vec![
            res(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a",
                "annotations": {LOCAL_CONFIG: "false"}}}),
            ),
            res(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}})),
        ];
        drop_local_config(&mut rs);
        assert_eq!(rs.len(), 1);
        assert_eq!(rs[0].name(), "b");
    }
}
