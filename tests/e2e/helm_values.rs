//! HelmRelease values composed from real ConfigMaps and Secrets on the rig
//! (`controllers::helm::values`): Flux's order and precedence, optional references, its
//! error messages, `targetPath` (with `literal`) and binary Secret data.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::{Value, json};
use tk::api::helm::HelmRelease;
use tk::controllers::helm::values::{Values, ValuesError, compose, digest};

use crate::support::{client, create_namespace, rig};

async fn config_map(client: &kube::Client, ns: &str, name: &str, data: &[(&str, &str)]) {
    let cm = ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        data: Some(
            data.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
        ..Default::default()
    };
    kube::Api::<ConfigMap>::namespaced(client.clone(), ns)
        .create(&Default::default(), &cm)
        .await
        .unwrap_or_else(|e| panic!("creating ConfigMap {name}: {e}"));
}

async fn secret(client: &kube::Client, ns: &str, name: &str, data: &[(&str, &[u8])]) {
    let secret = Secret {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        data: Some(
            data.iter()
                .map(|(k, v)| (k.to_string(), ByteString(v.to_vec())))
                .collect(),
        ),
        ..Default::default()
    };
    kube::Api::<Secret>::namespaced(client.clone(), ns)
        .create(&Default::default(), &secret)
        .await
        .unwrap_or_else(|e| panic!("creating Secret {name}: {e}"));
}

/// A HelmRelease in `ns` with these `valuesFrom` and `values`.
fn release(ns: &str, values_from: Value, values: Option<Value>) -> HelmRelease {
    let mut spec = json!({
        "interval": "5m",
        "chartRef": {"kind": "OCIRepository", "name": "app"},
        "valuesFrom": values_from,
    });
    if let Some(values) = values {
        spec["values"] = values;
    }
    serde_json::from_value(json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "app", "namespace": ns},
        "spec": spec,
    }))
    .expect("the HelmRelease parses")
}

async fn composed(client: &kube::Client, ns: &str, hr: &HelmRelease) -> Value {
    let values: Values = compose(client, ns, hr)
        .await
        .unwrap_or_else(|e| panic!("composing: {e}"));
    Value::Object(values)
}

async fn failure(client: &kube::Client, ns: &str, hr: &HelmRelease) -> ValuesError {
    match compose(client, ns, hr).await {
        Ok(v) => panic!("composed {}", Value::Object(v)),
        Err(e) => e,
    }
}

#[tokio::test]
async fn composes_references_in_order_then_inline_values() {
    let client = client(rig().kubeconfig_path()).await;
    let ns = create_namespace(&client, "hv-order").await;
    config_map(
        &client,
        &ns,
        "base",
        &[
            (
                "values.yaml",
                "replicas: 1\nimage: {repository: nginx, tag: '1.0'}\nlist: [1, 2]\nextra: {a: 1}\n",
            ),
            ("prod.yaml", "replicas: 3\n"),
        ],
    )
    .await;
    secret(
        &client,
        &ns,
        "override",
        &[(
            "custom.yaml",
            b"image: {tag: '2.0'}\nlist: [3]\nextra: gone\n",
        )],
    )
    .await;
    let hr = release(
        &ns,
        json!([
            {"kind": "ConfigMap", "name": "base"},
            {"kind": "Secret", "name": "override", "valuesKey": "custom.yaml"},
            {"kind": "ConfigMap", "name": "base", "valuesKey": "prod.yaml"},
        ]),
        Some(json!({"image": {"pullPolicy": "Always"}, "replicas": 5})),
    );
    assert_eq!(
        composed(&client, &ns, &hr).await,
        json!({
            "replicas": 5.0,
            "image": {"repository": "nginx", "tag": "2.0", "pullPolicy": "Always"},
            "list": [3.0],
            "extra": "gone",
        })
    );
}

#[tokio::test]
async fn optional_references_to_missing_objects_and_keys_are_skipped() {
    let client = client(rig().kubeconfig_path()).await;
    let ns = create_namespace(&client, "hv-optional").await;
    config_map(&client, &ns, "present", &[("values.yaml", "a: 1\n")]).await;
    let hr = release(
        &ns,
        json!([
            {"kind": "ConfigMap", "name": "absent", "optional": true},
            {"kind": "Secret", "name": "absent", "optional": true},
            {"kind": "ConfigMap", "name": "present", "valuesKey": "nope.yaml", "optional": true},
            {"kind": "ConfigMap", "name": "present"},
            {"kind": "ConfigMap", "name": "absent", "targetPath": "x.y", "optional": true},
        ]),
        Some(json!({"b": 2})),
    );
    assert_eq!(
        composed(&client, &ns, &hr).await,
        json!({"a": 1.0, "b": 2.0})
    );
}

#[tokio::test]
async fn missing_and_unreadable_references_fail_with_fluxs_messages() {
    let client = client(rig().kubeconfig_path()).await;
    let ns = create_namespace(&client, "hv-missing").await;
    config_map(&client, &ns, "bad", &[("values.yaml", "a: [\n")]).await;
    secret(&client, &ns, "creds", &[("values.yaml", b"a: 1\n")]).await;
    let binary_only = ConfigMap {
        metadata: ObjectMeta {
            name: Some("binary".into()),
            ..Default::default()
        },
        binary_data: Some(BTreeMap::from([(
            "values.yaml".to_string(),
            ByteString(b"a: 1\n".to_vec()),
        )])),
        ..Default::default()
    };
    kube::Api::<ConfigMap>::namespaced(client.clone(), &ns)
        .create(&Default::default(), &binary_only)
        .await
        .unwrap();

    let e = failure(
        &client,
        &ns,
        &release(&ns, json!([{"kind": "ConfigMap", "name": "absent"}]), None),
    )
    .await;
    assert_eq!(
        e.to_string(),
        format!(
            "could not resolve ConfigMap chart values reference '{ns}/absent' with key 'values.yaml': configmaps \"absent\" not found"
        )
    );
    assert!(e.is_not_found());

    // An optional reference to a missing object does not make a later required one pass.
    let e = failure(
        &client,
        &ns,
        &release(
            &ns,
            json!([
                {"kind": "Secret", "name": "absent", "optional": true},
                {"kind": "Secret", "name": "absent", "valuesKey": "other"},
            ]),
            None,
        ),
    )
    .await;
    assert_eq!(
        e.to_string(),
        format!(
            "could not resolve Secret chart values reference '{ns}/absent' with key 'other': resource not found"
        )
    );
    assert!(e.is_not_found());

    let e = failure(
        &client,
        &ns,
        &release(
            &ns,
            json!([{"kind": "Secret", "name": "creds", "valuesKey": "nope"}]),
            None,
        ),
    )
    .await;
    assert_eq!(
        e.to_string(),
        format!(
            "could not resolve Secret chart values reference '{ns}/creds' with key 'nope': key not found"
        )
    );
    assert!(e.is_not_found());

    // Flux reads a ConfigMap's data, never its binaryData.
    let e = failure(
        &client,
        &ns,
        &release(&ns, json!([{"kind": "ConfigMap", "name": "binary"}]), None),
    )
    .await;
    assert_eq!(
        e.to_string(),
        format!(
            "could not resolve ConfigMap chart values reference '{ns}/binary' with key 'values.yaml': key not found"
        )
    );

    let e = failure(
        &client,
        &ns,
        &release(
            &ns,
            json!([{"kind": "ConfigMap", "name": "bad", "optional": true}]),
            None,
        ),
    )
    .await;
    let prefix = format!(
        "could not resolve optional ConfigMap chart values reference '{ns}/bad' with key 'values.yaml': "
    );
    assert!(e.to_string().starts_with(&prefix), "{e}");
    assert!(e.to_string().contains("yaml"), "{e}");
    assert!(!e.is_not_found());

    let e = failure(
        &client,
        &ns,
        &release(
            &ns,
            json!([{"kind": "Secret", "name": "creds", "targetPath": "a[-1]"}]),
            None,
        ),
    )
    .await;
    assert_eq!(
        e.to_string(),
        format!(
            "could not resolve Secret chart values reference '{ns}/creds' with key 'values.yaml': negative -1 index not allowed"
        )
    );
}

#[tokio::test]
async fn target_paths_set_values_at_nested_paths() {
    let client = client(rig().kubeconfig_path()).await;
    let ns = create_namespace(&client, "hv-target").await;
    config_map(
        &client,
        &ns,
        "settings",
        &[
            ("host", "db.example.com"),
            ("replicas", "3"),
            ("quoted", "\"true\""),
            ("list", "{a,b}"),
            (
                "app.yml",
                "server:\n  port: 8080 # a, b=c\n  tags: [x, y]\n",
            ),
            (
                "values.yaml",
                "flat: value\nnested:\n  configuration:\n  - one\n  - two\n  - three\n",
            ),
        ],
    )
    .await;
    secret(&client, &ns, "db", &[("password", b"s3cr3t,x")]).await;
    let hr = release(
        &ns,
        json!([
            {"kind": "ConfigMap", "name": "settings", "valuesKey": "host", "targetPath": "config.database.host"},
            {"kind": "ConfigMap", "name": "settings", "valuesKey": "replicas", "targetPath": "servers[1].replicas"},
            {"kind": "ConfigMap", "name": "settings", "valuesKey": "quoted", "targetPath": "flags.enabled"},
            {"kind": "ConfigMap", "name": "settings", "valuesKey": "list", "targetPath": "zones"},
            {"kind": "ConfigMap", "name": "settings", "valuesKey": "app.yml",
             "targetPath": "externalConfig.application\\.yml.content", "literal": true},
            {"kind": "Secret", "name": "db", "valuesKey": "password",
             "targetPath": "config.database.password", "literal": true},
            // Flux's "target path precedence over all": spec.values' own list is written.
            {"kind": "ConfigMap", "name": "settings", "valuesKey": "host",
             "targetPath": "nested.configuration[0]"},
            {"kind": "ConfigMap", "name": "settings"},
        ]),
        Some(json!({"nested": {"configuration": ["list", "item", "option"]}})),
    );
    assert_eq!(
        composed(&client, &ns, &hr).await,
        json!({
            "config": {"database": {"host": "db.example.com", "password": "s3cr3t,x"}},
            "servers": [null, {"replicas": 3}],
            "flags": {"enabled": "true"},
            "zones": ["a", "b"],
            "externalConfig": {"application.yml": {
                "content": "server:\n  port: 8080 # a, b=c\n  tags: [x, y]\n"
            }},
            "flat": "value",
            "nested": {"configuration": ["db.example.com", "item", "option"]},
        })
    );
}

#[tokio::test]
async fn binary_secret_data_is_read_as_bytes() {
    let client = client(rig().kubeconfig_path()).await;
    let ns = create_namespace(&client, "hv-binary").await;
    secret(
        &client,
        &ns,
        "blob",
        &[
            ("cert", b"\x00\x01-\xe2\x82\xac-\xff\xfe"),
            ("values.yaml", "greeting: \"h\u{e9}llo\"\n".as_bytes()),
            ("broken.yaml", b"a: \xff\n"),
        ],
    )
    .await;
    let hr = release(
        &ns,
        json!([
            {"kind": "Secret", "name": "blob"},
            {"kind": "Secret", "name": "blob", "valuesKey": "cert", "targetPath": "tls.raw", "literal": true},
        ]),
        None,
    );
    assert_eq!(
        composed(&client, &ns, &hr).await,
        json!({"greeting": "h\u{e9}llo", "tls": {"raw": "\u{0}\u{1}-\u{20ac}-\u{fffd}\u{fffd}"}})
    );

    let hr = release(
        &ns,
        json!([{"kind": "Secret", "name": "blob", "valuesKey": "broken.yaml"}]),
        None,
    );
    let e = failure(&client, &ns, &hr).await;
    assert!(
        e.to_string().starts_with(&format!(
            "could not resolve Secret chart values reference '{ns}/blob' with key 'broken.yaml': "
        )),
        "{e}"
    );
}

#[tokio::test]
async fn digest_of_composed_values_is_fluxs() {
    let client = client(rig().kubeconfig_path()).await;
    let ns = create_namespace(&client, "hv-digest").await;
    // fluxcd/pkg chartutil TestDigestValues' "value map", read from a ConfigMap (numbers
    // float64, as Flux reads them) and spread over a reference and inline values.
    config_map(
        &client,
        &ns,
        "values",
        &[(
            "values.yaml",
            "ports:\n- protocol: TCP\n  port: 8080\n- port: 9090\n  protocol: UDP\nimage:\n  tag: latest\n",
        )],
    )
    .await;
    let hr = release(
        &ns,
        json!([{"kind": "ConfigMap", "name": "values"}]),
        Some(json!({"replicas": 3, "image": {"repository": "nginx"}})),
    );
    let values = compose(&client, &ns, &hr).await.unwrap();
    assert_eq!(
        digest(&values),
        "sha256:fcdc2b0de1581a3633ada4afee3f918f6eaa5b5ab38c3fef03d5b48d3f85d9f6"
    );
    let hr = release(&ns, json!([]), None);
    assert_eq!(
        digest(&compose(&client, &ns, &hr).await.unwrap()),
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}
