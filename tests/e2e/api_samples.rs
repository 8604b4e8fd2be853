//! tk's CRDs on a real apiserver: applied with server-side apply, Established, and every Flux
//! sample and fixture object of a served kind is admitted and reads back with its spec intact
//! (plus only the defaults our schema declares) and Flux's status default.

use std::path::{Path, PathBuf};

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, DynamicObject, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::{Value, json};

use crate::support::{apply_crds, client, cluster_scoped_lock, rig};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/flux")
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

/// Flux's sample and fixture objects of the kinds `crds` serves, with their file.
fn samples(crds: &[CustomResourceDefinition]) -> Vec<(String, Value)> {
    let served = |doc: &Value| {
        crds.iter().any(|c| {
            doc["kind"] == c.spec.names.kind
                && doc["apiVersion"] == format!("{}/{}", c.spec.group, c.spec.versions[0].name)
        })
    };
    let mut files = Vec::new();
    for controller in ["source", "kustomize", "helm", "notification"] {
        for sub in ["config/samples", "config/testdata"] {
            yaml_files(
                &corpus().join(format!("{controller}-controller/{sub}")),
                &mut files,
            );
        }
    }
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let rel = file.strip_prefix(corpus()).unwrap().display().to_string();
        for doc in serde_saphyr::from_multiple::<Value>(&text).unwrap() {
            if served(&doc) {
                out.push((rel.clone(), doc));
            }
        }
    }
    out
}

fn api_resource(crd: &CustomResourceDefinition) -> ApiResource {
    let gvk = GroupVersionKind::gvk(
        &crd.spec.group,
        &crd.spec.versions[0].name,
        &crd.spec.names.kind,
    );
    ApiResource::from_gvk_with_plural(&gvk, &crd.spec.names.plural)
}

/// Checks that `got` holds everything in `sent`, and that anything the apiserver added is a
/// `default` of `schema` at that place. Returns the first violation.
fn defaulted_superset(path: &str, sent: &Value, got: &Value, schema: &Value) -> Option<String> {
    match (sent, got) {
        (Value::Object(s), Value::Object(g)) => {
            for (key, sv) in s {
                let child = schema["properties"]
                    .get(key)
                    .or_else(|| schema.get("additionalProperties"))
                    .unwrap_or(&Value::Null);
                let Some(gv) = g.get(key) else {
                    return Some(format!("{path}.{key}: dropped by the apiserver"));
                };
                if schema.get("x-kubernetes-preserve-unknown-fields") == Some(&json!(true))
                    && child.is_null()
                {
                    if sv != gv {
                        return Some(format!("{path}.{key}: sent {sv}, read back {gv}"));
                    }
                    continue;
                }
                if let Some(problem) = defaulted_superset(&format!("{path}.{key}"), sv, gv, child) {
                    return Some(problem);
                }
            }
            for (key, gv) in g.iter().filter(|(k, _)| !s.contains_key(*k)) {
                let default = &schema["properties"][key]["default"];
                if default != gv {
                    return Some(format!(
                        "{path}.{key}: added {gv}, schema default {default}"
                    ));
                }
            }
            None
        }
        (Value::Array(s), Value::Array(g)) if s.len() == g.len() => {
            s.iter().zip(g).enumerate().find_map(|(i, (sv, gv))| {
                defaulted_superset(&format!("{path}[{i}]"), sv, gv, &schema["items"])
            })
        }
        _ if sent == got => None,
        _ => Some(format!("{path}: sent {sent}, read back {got}")),
    }
}

/// The served kinds' typed structs must parse what the apiserver returns.
fn parses_typed(kind: &str, obj: &Value) -> Result<(), String> {
    use tk::api::{helm, kustomize, notification, source};
    fn parse<T: serde::de::DeserializeOwned>(v: &Value) -> Result<(), String> {
        serde_json::from_value::<T>(v.clone())
            .map(drop)
            .map_err(|e| e.to_string())
    }
    match kind {
        "GitRepository" => parse::<source::GitRepository>(obj),
        "HelmRepository" => parse::<source::HelmRepository>(obj),
        "HelmChart" => parse::<source::HelmChart>(obj),
        "Bucket" => parse::<source::Bucket>(obj),
        "OCIRepository" => parse::<source::OCIRepository>(obj),
        "Kustomization" => parse::<kustomize::Kustomization>(obj),
        "HelmRelease" => parse::<helm::HelmRelease>(obj),
        "Provider" => parse::<notification::Provider>(obj),
        "Alert" => parse::<notification::Alert>(obj),
        "Receiver" => parse::<notification::Receiver>(obj),
        other => Err(format!("{other} is not served")),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn flux_samples_are_admitted_by_tk_crds() {
    let _lock = cluster_scoped_lock().await;
    let client = client(rig().kubeconfig_path()).await;
    let crds = tk::api::crds();

    apply_crds(&client).await;

    let ns = testenv::unique_name("api-samples");
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let namespace: Namespace = serde_json::from_value(json!({"metadata": {"name": ns}})).unwrap();
    namespaces
        .create(&PostParams::default(), &namespace)
        .await
        .unwrap();

    let samples = samples(&crds);
    assert!(samples.len() >= 110, "only {} samples", samples.len());
    let mut failures = Vec::new();
    let mut defaulted = 0;
    for (i, (file, doc)) in samples.iter().enumerate() {
        let kind = doc["kind"].as_str().unwrap();
        let crd = crds.iter().find(|c| c.spec.names.kind == kind).unwrap();
        let schema = serde_json::to_value(&crd.spec.versions[0].schema).unwrap();
        let schema = &schema["openAPIV3Schema"];
        // Fixtures reuse names across files; a suffix keeps them apart in one namespace.
        let name = format!("{}-{i}", doc["metadata"]["name"].as_str().unwrap());
        let mut obj = doc.clone();
        obj["metadata"] = json!({"name": name, "namespace": ns});
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), &ns, &api_resource(crd));
        let dynamic: DynamicObject = serde_json::from_value(obj.clone()).unwrap();
        if let Err(e) = api.create(&PostParams::default(), &dynamic).await {
            failures.push(format!("{file}: {kind}/{name}: refused: {e}"));
            continue;
        }
        let back = serde_json::to_value(api.get(&name).await.unwrap()).unwrap();
        if back["spec"] != obj["spec"] {
            defaulted += 1;
        }
        if let Some(problem) = defaulted_superset(
            ".spec",
            &obj["spec"],
            &back["spec"],
            &schema["properties"]["spec"],
        ) {
            failures.push(format!("{file}: {kind}/{name}: {problem}"));
        }
        if let Some(status_default) = schema["properties"]["status"].get("default")
            && back["status"] != *status_default
        {
            failures.push(format!(
                "{file}: {kind}/{name}: status {} instead of {status_default}",
                back["status"]
            ));
        }
        if let Err(e) = parses_typed(kind, &back) {
            failures.push(format!(
                "{file}: {kind}/{name}: read back does not parse: {e}"
            ));
        }
    }

    namespaces
        .delete(&ns, &DeleteParams::default())
        .await
        .unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Most samples omit a defaulted field (timeout, provider, ...); if none came back changed,
    // the schema defaults are not reaching the apiserver.
    assert!(
        defaulted > samples.len() / 2,
        "only {defaulted} objects were defaulted"
    );
}
