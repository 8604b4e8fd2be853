//! Schema helpers shared by the CRD types, and the pass that turns schemars output into the
//! structural schema the apiserver accepts and Flux's CRDs spell.

use schemars::{Schema, SchemaGenerator, json_schema};
use serde_json::Value;

/// Flux's pattern for `interval`, `retryInterval` and most timeouts (hours allowed).
pub const DURATION_PATTERN: &str = super::duration::DURATION_PATTERN;

/// Flux's pattern for source `timeout` fields, which stop at minutes.
pub const TIMEOUT_PATTERN: &str = "^([0-9]+(\\.[0-9]+)?(ms|s|m))+$";

/// The go-digest form `<algorithm>:<hex>` used by artifacts.
pub const DIGEST_PATTERN: &str = "^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$";

/// A free-form value (`apiextensionsv1.JSON`) the apiserver must keep as written.
pub fn preserve_unknown(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "x-kubernetes-preserve-unknown-fields": true })
}

/// A Go `int`: controller-gen writes no format for it, unlike `int32`/`int64`.
pub fn go_int(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "integer" })
}

/// `metav1.Condition` as controller-gen renders it, with the validation the k8s-openapi
/// schema lacks; the apiserver enforces these on every status write.
pub fn conditions(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "array",
        "items": {
            "description": "Condition contains details for one aspect of the current state of this API Resource.",
            "type": "object",
            "properties": {
                "lastTransitionTime": {
                    "description": "lastTransitionTime is the last time the condition transitioned from one status to another.",
                    "type": "string",
                    "format": "date-time"
                },
                "message": {
                    "description": "message is a human readable message indicating details about the transition.",
                    "type": "string",
                    "maxLength": 32768
                },
                "observedGeneration": {
                    "description": "observedGeneration represents the .metadata.generation that the condition was set based upon.",
                    "type": "integer",
                    "format": "int64",
                    "minimum": 0
                },
                "reason": {
                    "description": "reason contains a programmatic identifier indicating the reason for the condition's last transition.",
                    "type": "string",
                    "maxLength": 1024,
                    "minLength": 1,
                    "pattern": "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"
                },
                "status": {
                    "description": "status of the condition, one of True, False, Unknown.",
                    "type": "string",
                    "enum": ["True", "False", "Unknown"]
                },
                "type": {
                    "description": "type of condition in CamelCase or in foo.example.com/CamelCase.",
                    "type": "string",
                    "maxLength": 316,
                    "pattern": "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"
                }
            },
            "required": ["lastTransitionTime", "message", "reason", "status", "type"]
        }
    })
}

/// Rewrites a generated schema into structural form: `Option` wrappers (`anyOf` with a null
/// branch, `type: [T, null]`, `nullable`) collapse to the plain type, because Flux's CRDs
/// declare no nullable fields and a null must be pruned, not stored. Panics on constructs the
/// apiserver would refuse (`$ref`, remaining `anyOf`/`oneOf`/`allOf`), so a bad type fails
/// the first test that builds the CRDs instead of the first install.
pub fn make_structural(value: &mut Value) {
    let Value::Object(obj) = value else { return };
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = obj.get(key) {
            let (nulls, rest): (Vec<&Value>, Vec<&Value>) =
                branches.iter().partition(|b| is_null_branch(b));
            if !nulls.is_empty() && rest.len() == 1 {
                let Value::Object(inner) = rest[0].clone() else {
                    unreachable!()
                };
                obj.remove(key);
                for (k, v) in inner {
                    // The outer schema carries the field's own description and extensions.
                    obj.entry(k).or_insert(v);
                }
            }
        }
    }
    obj.remove("nullable");
    if let Some(Value::Array(types)) = obj.get("type") {
        let non_null: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        if non_null.len() == 1 {
            obj.insert("type".into(), non_null[0].clone());
        }
    }
    if let Some(Value::Array(values)) = obj.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    if obj.get("default") == Some(&Value::Null) {
        obj.remove("default");
    }
    for forbidden in ["$ref", "anyOf", "oneOf", "allOf", "definitions", "$defs"] {
        assert!(
            !obj.contains_key(forbidden),
            "non-structural schema: `{forbidden}` left in {}",
            Value::Object(obj.clone())
        );
    }
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        props.values_mut().for_each(make_structural);
    }
    if let Some(items) = obj.get_mut("items") {
        make_structural(items);
    }
    if let Some(additional) = obj.get_mut("additionalProperties") {
        make_structural(additional);
    }
    // An empty `required` is noise the apiserver keeps; controller-gen never writes one.
    if matches!(obj.get("required"), Some(Value::Array(r)) if r.is_empty()) {
        obj.remove("required");
    }
}

fn is_null_branch(branch: &Value) -> bool {
    match branch {
        Value::Object(b) => {
            b.get("type") == Some(&Value::String("null".into()))
                || b.get("enum") == Some(&Value::Array(vec![Value::Null]))
                || (b.len() == 1 && b.get("nullable") == Some(&Value::Bool(true)))
        }
        _ => false,
    }
}
