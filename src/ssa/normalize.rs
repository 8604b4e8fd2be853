//! Normalisation of objects before apply, and drift detection between the live object and
//! the server's dry-run result (Flux's `normalize` package and `hasDrifted`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value};

/// Prepares a desired object the way Flux does before applying it, working around API
/// server quirks that would otherwise show as permanent drift:
/// - container and Service ports without `protocol` get `TCP` (the server defaults it, and
///   server-side apply keys ports by (port, protocol));
/// - a Secret's `stringData` is moved into `data` (base64), as the server stores it;
/// - `metadata.creationTimestamp` is dropped, and `status` too except on CRDs.
pub(crate) fn normalize_desired(object: &mut Value) {
    let api_version = object["apiVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let kind = object["kind"].as_str().unwrap_or_default().to_string();
    // Flux leaves RBAC roles alone (their rules would be reset by a round trip).
    let pod_spec: Option<&[&str]> = match (api_version.as_str(), kind.as_str()) {
        ("v1", "Pod") => Some(&["spec"]),
        ("apps/v1", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("batch/v1", "Job") => Some(&["spec", "template", "spec"]),
        ("batch/v1", "CronJob") => Some(&["spec", "jobTemplate", "spec", "template", "spec"]),
        _ => None,
    };
    if let Some(path) = pod_spec
        && let Some(spec) = pointer_mut(object, path)
    {
        for list in ["containers", "initContainers"] {
            if let Some(containers) = spec.get_mut(list).and_then(Value::as_array_mut) {
                for container in containers {
                    default_port_protocols(container.get_mut("ports"));
                }
            }
        }
    }
    if api_version == "v1" && kind == "Service" {
        default_port_protocols(object.pointer_mut("/spec/ports"));
    }
    if api_version == "v1" && kind == "Secret" {
        move_string_data(object);
    }
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("creationTimestamp");
    }
    let is_crd =
        kind == "CustomResourceDefinition" && api_version.starts_with("apiextensions.k8s.io/");
    if !is_crd && let Some(map) = object.as_object_mut() {
        map.remove("status");
    }
}

fn pointer_mut<'a>(object: &'a mut Value, path: &[&str]) -> Option<&'a mut Value> {
    path.iter().try_fold(object, |v, key| v.get_mut(*key))
}

fn default_port_protocols(ports: Option<&mut Value>) {
    let Some(ports) = ports.and_then(Value::as_array_mut) else {
        return;
    };
    for port in ports.iter_mut().filter_map(Value::as_object_mut) {
        let missing = port
            .get("protocol")
            .is_none_or(|p| p.is_null() || p.as_str() == Some(""));
        if missing {
            port.insert("protocol".into(), Value::String("TCP".into()));
        }
    }
}

fn move_string_data(secret: &mut Value) {
    let Some(map) = secret.as_object_mut() else {
        return;
    };
    let Some(Value::Object(string_data)) = map.remove("stringData") else {
        return;
    };
    let data = map
        .entry("data")
        .or_insert_with(|| Value::Object(Map::new()));
    if data.is_null() {
        *data = Value::Object(Map::new());
    }
    if let Some(data) = data.as_object_mut() {
        for (key, value) in string_data {
            let text = value.as_str().unwrap_or_default();
            data.insert(key, Value::String(BASE64.encode(text)));
        }
    }
}

/// Whether applying would change the live object: the dry-run result (what the object would
/// become) differs from the live object in labels, annotations, or anything outside
/// `metadata` and `status`. A dry-run result without resourceVersion means the object does
/// not exist yet.
pub(crate) fn has_drifted(live: Option<&Value>, dry_run: &Value) -> bool {
    let Some(live) = live else {
        return true;
    };
    if dry_run["metadata"]["resourceVersion"]
        .as_str()
        .is_none_or(str::is_empty)
    {
        return true;
    }
    for field in ["labels", "annotations"] {
        if !semantic_eq(&live["metadata"][field], &dry_run["metadata"][field]) {
            return true;
        }
    }
    !semantic_eq(
        &without_meta_and_status(live),
        &without_meta_and_status(dry_run),
    )
}

fn without_meta_and_status(object: &Value) -> Value {
    let mut copy = object.clone();
    if let Some(map) = copy.as_object_mut() {
        map.remove("metadata");
        map.remove("status");
    }
    copy
}

/// Equality as apimachinery's `Semantic.DeepEqual` sees unstructured objects: an absent,
/// null, empty object or empty list are all the same.
pub(crate) fn semantic_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys = x.keys().chain(y.keys());
            keys.into_iter().all(|k| {
                semantic_eq(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                )
            })
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| semantic_eq(a, b))
        }
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (a, b) if is_empty(a) && is_empty(b) => true,
        (a, b) => a == b,
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn defaults_port_protocols_of_pod_templates_and_services() {
        let mut deployment = json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "a", "creationTimestamp": null},
            "spec": {"template": {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}, {"containerPort": 53, "protocol": "UDP"}]}]}}},
            "status": {}
        });
        normalize_desired(&mut deployment);
        assert_eq!(
            deployment["spec"]["template"]["spec"]["containers"][0]["ports"],
            json!([{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 53, "protocol": "UDP"}])
        );
        assert!(deployment.get("status").is_none());
        assert!(deployment["metadata"].get("creationTimestamp").is_none());

        let mut service =
            json!({"apiVersion": "v1", "kind": "Service", "spec": {"ports": [{"port": 80}]}});
        normalize_desired(&mut service);
        assert_eq!(service["spec"]["ports"][0]["protocol"], "TCP");
    }

    #[test]
    fn moves_secret_string_data_into_data() {
        let mut secret = json!({"apiVersion": "v1", "kind": "Secret", "data": {"a": "YQ=="}, "stringData": {"b": "hello", "c": "hi"}});
        normalize_desired(&mut secret);
        assert_eq!(
            secret["data"],
            json!({"a": "YQ==", "b": "aGVsbG8=", "c": "aGk="})
        );
        assert!(secret.get("stringData").is_none());
    }

    #[test]
    fn keeps_crd_status() {
        let mut crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "status": {"x": 1}});
        normalize_desired(&mut crd);
        assert_eq!(crd["status"], json!({"x": 1}));
    }

    fn live() -> Value {
        json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a", "resourceVersion": "7", "managedFields": [{"manager": "x"}], "labels": {"l": "1"}},
            "data": {"k": "v"}
        })
    }

    #[test]
    fn identical_dry_run_has_not_drifted() {
        let mut dry_run = live();
        // The dry run bumps nothing but server-side bookkeeping.
        dry_run["metadata"]["managedFields"] = json!([{"manager": "y"}]);
        dry_run["metadata"]["annotations"] = json!({});
        assert!(!has_drifted(Some(&live()), &dry_run));
    }

    #[test]
    fn data_label_or_annotation_changes_are_drift() {
        let mut data = live();
        data["data"]["k"] = json!("w");
        assert!(has_drifted(Some(&live()), &data));
        let mut label = live();
        label["metadata"]["labels"]["l"] = json!("2");
        assert!(has_drifted(Some(&live()), &label));
        let mut annotation = live();
        annotation["metadata"]["annotations"] = json!({"a": "b"});
        assert!(has_drifted(Some(&live()), &annotation));
    }

    #[test]
    fn missing_object_or_resource_version_is_drift() {
        assert!(has_drifted(None, &live()));
        let mut new = live();
        new["metadata"]["resourceVersion"] = json!("");
        assert!(has_drifted(Some(&live()), &new));
    }

    #[test]
    fn semantic_equality_treats_empty_and_absent_alike() {
        assert!(semantic_eq(&json!({"a": {}}), &json!({})));
        assert!(semantic_eq(
            &json!({"a": null, "b": []}),
            &json!({"b": null})
        ));
        assert!(!semantic_eq(&json!({"a": [1]}), &json!({})));
        assert!(semantic_eq(&json!(1), &json!(1.0)));
        assert!(!semantic_eq(&json!("1"), &json!(1)));
    }
}
