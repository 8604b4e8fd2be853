//! Strategic merge patch over untyped values (kustomize's `patchstrategicmerge` filter, which
//! runs kyaml's `merge2`).
//!
//! - Maps merge recursively; `null` deletes a key.
//! - Lists of objects merge by a merge key. For Kubernetes' own kinds the key comes from a small
//!   hand-written table of the most used `x-kubernetes-patch-merge-key` values ([`merge_key`]);
//!   a table generated from the Kubernetes OpenAPI document is the next step. Other lists in
//!   built-in kinds are replaced.
//! - Unknown kinds (CRDs) merge as a JSON merge patch (RFC 7386), except that, like kyaml, a
//!   list whose elements carry one of kyaml's associative keys (`mountPath`, `devicePath`,
//!   `ip`, `type`, `topologyKey`, `name`, `containerPort`) merges by that key.
//! - Directives: `$patch: delete` (whole object, map value or list element), `$patch: replace`
//!   (map, or a list element marking the whole list), `$patch: merge`. `$setElementOrder/…`,
//!   `$retainKeys` and `$deleteFromPrimitiveList/…` are not implemented yet: they are dropped.

use serde_json::{Map, Value};

const PATCH: &str = "$patch";

/// kyaml's `AssociativeSequenceKeys`, in its priority order.
const INFERRED_KEYS: &[&str] = &[
    "mountPath",
    "devicePath",
    "ip",
    "type",
    "topologyKey",
    "name",
    "containerPort",
];

/// Whether `apiVersion` names one of Kubernetes' own API groups.
fn builtin_api(api_version: &str) -> bool {
    match api_version.split_once('/') {
        None => true,
        Some((group, _)) => !group.contains('.') || group.ends_with(".k8s.io"),
    }
}

/// The merge key of list field `field` in a built-in kind (`None`: the list is replaced).
fn merge_key(kind: &str, field: &str) -> Option<&'static str> {
    Some(match field {
        "containers" | "initContainers" | "ephemeralContainers" => "name",
        "ports" if kind == "Service" => "port",
        "ports" => "containerPort",
        "env" | "volumes" | "imagePullSecrets" | "webhooks" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "hostAliases" => "ip",
        "topologySpreadConstraints" => "topologyKey",
        "conditions" => "type",
        "ownerReferences" => "uid",
        // tolerations, args, command, envFrom, subjects, rules ...: replaced.
        _ => return None,
    })
}

/// How lists are merged for one resource.
#[derive(Clone, Copy)]
struct Schema<'a> {
    kind: &'a str,
    builtin: bool,
}

impl Schema<'_> {
    fn key(&self, field: &str, dest: &[Value], patch: &[Value]) -> Option<String> {
        if self.builtin {
            return merge_key(self.kind, field).map(str::to_string);
        }
        let first = dest.iter().chain(patch).find(|v| v.is_object())?;
        INFERRED_KEYS
            .iter()
            .find(|k| first.get(**k).is_some())
            .map(|k| k.to_string())
    }
}

/// Applies `patch` to the resource `target` (both whole objects). Returns `false` when the
/// patch deletes the resource (`$patch: delete` at the top).
pub fn apply(target: &mut Value, patch: &Value) -> bool {
    if directive(patch) == Some("delete") {
        return false;
    }
    let api_version = target
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let kind = target
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let schema = Schema {
        kind: &kind,
        builtin: builtin_api(&api_version),
    };
    merge_value(target, patch, "", schema);
    true
}

fn directive(v: &Value) -> Option<&str> {
    v.get(PATCH).and_then(Value::as_str)
}

/// Whether a patch key is a directive this engine drops (see the module documentation).
fn dropped_directive(key: &str) -> bool {
    key == PATCH
        || key == "$retainKeys"
        || key.starts_with("$setElementOrder/")
        || key.starts_with("$deleteFromPrimitiveList/")
}

/// A patch value without its directives (the form it takes when it is set, not merged).
fn strip(patch: &Value) -> Value {
    match patch {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, v)| !dropped_directive(k) && !v.is_null())
                .map(|(k, v)| (k.clone(), strip(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .filter(|v| !matches!(directive(v), Some("delete" | "replace")))
                .map(strip)
                .collect(),
        ),
        v => v.clone(),
    }
}

fn merge_value(dest: &mut Value, patch: &Value, field: &str, schema: Schema) {
    match (dest, patch) {
        (Value::Object(d), Value::Object(p)) => merge_map(d, p, schema),
        (Value::Array(d), Value::Array(p)) => merge_list(d, p, field, schema),
        (dest, patch) => *dest = strip(patch),
    }
}

fn merge_map(dest: &mut Map<String, Value>, patch: &Map<String, Value>, schema: Schema) {
    if patch.get(PATCH).and_then(Value::as_str) == Some("replace") {
        *dest = match strip(&Value::Object(patch.clone())) {
            Value::Object(m) => m,
            _ => unreachable!("strip keeps objects"),
        };
        return;
    }
    for (key, value) in patch {
        if dropped_directive(key) {
            continue;
        }
        if value.is_null() || directive(value) == Some("delete") {
            dest.remove(key);
            continue;
        }
        match dest.get_mut(key) {
            Some(existing) => merge_value(existing, value, key, schema),
            None => {
                dest.insert(key.clone(), strip(value));
            }
        }
    }
}

fn merge_list(dest: &mut Vec<Value>, patch: &[Value], field: &str, schema: Schema) {
    // A `{$patch: replace}` element replaces the whole list with the other elements.
    if patch.iter().any(|v| directive(v) == Some("replace")) {
        *dest = patch
            .iter()
            .filter(|v| directive(v) != Some("replace"))
            .map(strip)
            .collect();
        return;
    }
    let all_objects = |l: &[Value]| l.iter().all(Value::is_object);
    let key = match schema.key(field, dest, patch) {
        Some(k) if all_objects(dest) && all_objects(patch) => k,
        _ => {
            *dest = patch
                .iter()
                .filter(|v| directive(v) != Some("delete"))
                .map(strip)
                .collect();
            return;
        }
    };
    // Like kustomize (kyaml's prepend direction): the patch's elements come first, in patch
    // order (merged with the element they name), then the elements the patch does not name.
    let mut rest: Vec<Option<Value>> = std::mem::take(dest).into_iter().map(Some).collect();
    let mut out = Vec::new();
    for element in patch {
        let id = element.get(&key);
        let position = id.and_then(|id| {
            rest.iter()
                .position(|d| d.as_ref().is_some_and(|d| d.get(&key) == Some(id)))
        });
        let existing = position.and_then(|i| rest[i].take());
        match (directive(element), existing) {
            (Some("delete"), _) => {}
            (_, Some(mut d)) => {
                merge_value(&mut d, element, "", schema);
                out.push(d);
            }
            (_, None) => out.push(strip(element)),
        }
    }
    out.extend(rest.into_iter().flatten());
    *dest = out;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment(spec: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
            "spec": spec})
    }

    #[test]
    fn merges_maps_and_containers_by_name() {
        let mut d = deployment(json!({"replicas": 1, "template": {"spec": {"containers": [
            {"name": "a", "image": "a:1", "env": [{"name": "X", "value": "1"}]},
            {"name": "b", "image": "b:1"}]}}}));
        let p = deployment(
            json!({"replicas": null, "template": {"spec": {"containers": [
            {"name": "a", "image": "a:2", "env": [{"name": "Y", "value": "2"}]},
            {"name": "c", "image": "c:1"},
            {"name": "b", "$patch": "delete"}]}}}),
        );
        assert!(apply(&mut d, &p));
        assert_eq!(
            d["spec"],
            json!({"template": {"spec": {"containers": [
                {"name": "a", "image": "a:2",
                 "env": [{"name": "Y", "value": "2"}, {"name": "X", "value": "1"}]},
                {"name": "c", "image": "c:1"}]}}})
        );
    }

    #[test]
    fn replaces_unkeyed_lists_and_honours_directives() {
        let mut d = deployment(json!({"template": {"spec": {
            "tolerations": [{"key": "a"}], "nodeSelector": {"a": "1", "b": "2"},
            "volumes": [{"name": "v", "emptyDir": {}}]}}}));
        let p = deployment(json!({"template": {"spec": {
            "tolerations": [{"key": "b"}], "nodeSelector": {"$patch": "replace", "c": "3"},
            "volumes": [{"$patch": "replace"}, {"name": "w", "secret": {"secretName": "s"}}]}}}));
        apply(&mut d, &p);
        assert_eq!(
            d["spec"]["template"]["spec"],
            json!({"tolerations": [{"key": "b"}], "nodeSelector": {"c": "3"},
                "volumes": [{"name": "w", "secret": {"secretName": "s"}}]})
        );
        let mut d2 = deployment(json!({"x": {"y": 1}}));
        apply(&mut d2, &deployment(json!({"x": {"$patch": "delete"}})));
        assert_eq!(d2["spec"], json!({}));
        assert!(!apply(&mut d2, &json!({"$patch": "delete"})));
    }

    #[test]
    fn crds_merge_as_json_merge_patch() {
        let mut c = json!({"apiVersion": "example.com/v1", "kind": "Foo",
            "spec": {"list": [1, 2], "items": [{"name": "a", "v": 1}], "m": {"a": 1}}});
        let p = json!({"spec": {"list": [3], "items": [{"name": "b"}], "m": {"a": null, "b": 2}}});
        apply(&mut c, &p);
        assert_eq!(
            c["spec"],
            json!({"list": [3], "items": [{"name": "b"}, {"name": "a", "v": 1}], "m": {"b": 2}})
        );
    }
}
