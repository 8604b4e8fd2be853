//! `replicas` (kustomize's ReplicaCountTransformer).

use serde_json::Value;

use super::fieldspec::{self, CreateKind, FieldSpec};
use crate::error::{Error, Result};
use crate::resource::Resource;

/// Applies one `replicas` entry (`name`, `count`) at the fields `specs` reach (the
/// configuration's `replicas`); an entry that matches nothing is an error, as in kustomize.
pub fn apply(resources: &mut [Resource], entry: &Value, specs: &[FieldSpec]) -> Result<()> {
    let name = entry.get("name").and_then(Value::as_str).unwrap_or("");
    let count = entry.get("count").cloned().unwrap_or(Value::from(0));
    let mut found = false;
    for spec in specs {
        for r in resources.iter_mut() {
            if !r.had_name(name) || !spec.selects(&r.gvk()) {
                continue;
            }
            found = true;
            fieldspec::apply(r, spec, CreateKind::Scalar, &mut |node| {
                *node = count.clone();
                Ok(())
            })?;
        }
    }
    if !found {
        let gvks: Vec<String> = specs.iter().map(FieldSpec::gvk_string).collect();
        return Err(Error::Unsupported(format!(
            "resource with name {name} does not match a config with the following GVK [{}]",
            gvks.join(" ")
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn replica_specs() -> Vec<FieldSpec> {
        crate::config::TransformerConfig::defaults()
            .replicas
            .clone()
    }

    #[test]
    fn sets_and_creates_replicas() {
        let mut rs = [
            Resource::from_value(json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "a"}, "spec": {"replicas": 1}}))
            .unwrap(),
            Resource::from_value(json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
                "metadata": {"name": "a"}}))
            .unwrap(),
        ];
        apply(&mut rs, &json!({"name": "a", "count": 3}), &replica_specs()).unwrap();
        assert_eq!(rs[0].value()["spec"]["replicas"], 3);
        assert_eq!(rs[1].value()["spec"]["replicas"], 3);
        let err = apply(&mut rs, &json!({"name": "b", "count": 3}), &replica_specs()).unwrap_err();
        assert!(err.to_string().contains("does not match a config"));
    }

    #[test]
    fn matches_earlier_names() {
        let mut rs = [Resource::from_value(json!({"apiVersion": "apps/v1",
            "kind": "Deployment", "metadata": {"name": "a"}}))
        .unwrap()];
        crate::transform::prefix_suffix(&mut rs, "p-", "");
        apply(&mut rs, &json!({"name": "a", "count": 2}), &replica_specs()).unwrap();
        apply(
            &mut rs,
            &json!({"name": "p-a", "count": 4}),
            &replica_specs(),
        )
        .unwrap();
        assert_eq!(rs[0].value()["spec"]["replicas"], 4);
    }
}
