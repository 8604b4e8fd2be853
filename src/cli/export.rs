//! `tk export source git|helm|chart|oci|bucket|kustomization|helmrelease|alert|alert-provider|
//! receiver|canary NAME|--all [--with-credentials]`: the objects as flux exports them, only
//! what re-applies cleanly: apiVersion, kind, name, namespace, labels, annotations and spec,
//! durations written the Go way (`5m` as `5m0s`; a Canary's intervals are strings in
//! Flagger's types and stay as written), no status or server-set metadata.

use anyhow::Result;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DynamicObject};
use serde_json::{Map, Value, json};

use super::cluster_call;
use super::objects::{self, Kind};
use super::printer::Printer;
use super::settings::GlobalSettings;
use super::suspend::Selection;
use super::yaml;
use crate::api::flagger::CanarySpec;
use crate::api::helm::HelmReleaseSpec;
use crate::api::kustomize::KustomizationSpec;
use crate::api::notification::{AlertSpec, ProviderSpec, ReceiverSpec};
use crate::api::source::{
    BucketSpec, GitRepositorySpec, HelmChartSpec, HelmRepositorySpec, OCIRepositorySpec,
};

pub async fn run(
    kind: Kind,
    selection: &Selection,
    with_credentials: bool,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let namespace = &settings.namespace;
    let client = settings.client().await?;
    let objects = match selection {
        Selection::One(name) => vec![kind.get(&client, namespace, name).await?],
        Selection::All => {
            let all = kind.list(&client, namespace).await?;
            if all.is_empty() {
                printer.failure(format!(
                    "no {} objects found in {namespace} namespace",
                    kind.kind
                ));
            }
            all
        }
    };
    let mut out = String::new();
    for object in &objects {
        let exported = export_object(kind, object)?;
        out.push_str(&format!("---\n{}", yaml::to_string(&exported)));
        if with_credentials
            && let Some(secret_name) = exported["spec"]["secretRef"]["name"].as_str()
        {
            let ns = object.metadata.namespace.as_deref().unwrap_or(namespace);
            let api: Api<Secret> = Api::namespaced(client.clone(), ns);
            let secret = cluster_call(
                api.get(secret_name),
                &format!(
                    "reading Secret {ns}/{secret_name} (spec.secretRef of {} {})",
                    kind.kind,
                    object.metadata.name.as_deref().unwrap_or_default()
                ),
            )
            .await?;
            out.push_str(&format!(
                "---\n{}",
                yaml::to_string(&export_secret(&secret))
            ));
        }
    }
    print!("{out}");
    Ok(())
}

/// The object as flux's typed export writes it; fields tk's types do not know are dropped,
/// as Flux's Go types drop them.
pub fn export_object(kind: Kind, object: &DynamicObject) -> Result<Value> {
    let name = object.metadata.name.as_deref().unwrap_or_default();
    let raw = object.data["spec"].clone();
    let parse_error = |err: serde_json::Error| {
        anyhow::anyhow!("{} {name}: spec does not parse: {err}", kind.kind)
    };
    // Fields Go writes without `omitempty`, kept even when false.
    let (mut spec, required_bools): (Value, &[&str]) = if kind == objects::KUSTOMIZATION {
        let spec: KustomizationSpec = serde_json::from_value(raw).map_err(parse_error)?;
        (serde_json::to_value(spec)?, &["prune"])
    } else if kind == objects::GIT_REPOSITORY {
        let spec: GitRepositorySpec = serde_json::from_value(raw).map_err(parse_error)?;
        (serde_json::to_value(spec)?, &[])
    } else if kind == objects::HELM_REPOSITORY {
        let spec: HelmRepositorySpec = serde_json::from_value(raw).map_err(parse_error)?;
        let mut spec = serde_json::to_value(spec)?;
        // Go's `metav1.Duration` is a struct: `omitempty` never drops it, so a repository
        // without an interval (an OCI one, say) exports `interval: 0s`.
        if spec.get("interval").is_none() {
            spec["interval"] = json!("0s");
        }
        (spec, &[])
    } else if kind == objects::HELM_CHART {
        let spec: HelmChartSpec = serde_json::from_value(raw).map_err(parse_error)?;
        (serde_json::to_value(spec)?, &[])
    } else if kind == objects::OCI_REPOSITORY {
        let spec: OCIRepositorySpec = serde_json::from_value(raw).map_err(parse_error)?;
        (serde_json::to_value(spec)?, &[])
    } else if kind == objects::BUCKET {
        let spec: BucketSpec = serde_json::from_value(raw).map_err(parse_error)?;
        (serde_json::to_value(spec)?, &[])
    } else if kind == objects::HELM_RELEASE {
        let spec: HelmReleaseSpec = serde_json::from_value(raw).map_err(parse_error)?;
        let mut spec = serde_json::to_value(spec)?;
        go_helm_release_spec(&mut spec);
        (spec, &["persistentClient"])
    } else if kind == objects::PROVIDER {
        let spec: ProviderSpec = serde_json::from_value(raw).map_err(parse_error)?;
        (serde_json::to_value(spec)?, &[])
    } else if kind == objects::ALERT {
        let spec: AlertSpec = serde_json::from_value(raw).map_err(parse_error)?;
        (serde_json::to_value(spec)?, &[])
    } else if kind == objects::RECEIVER {
        let spec: ReceiverSpec = serde_json::from_value(raw).map_err(parse_error)?;
        (serde_json::to_value(spec)?, &[])
    } else if kind == objects::CANARY {
        let spec: CanarySpec = serde_json::from_value(raw).map_err(parse_error)?;
        (serde_json::to_value(spec)?, &[])
    } else {
        anyhow::bail!("exporting {} objects is not supported", kind.kind);
    };
    go_spec(&mut spec, required_bools);
    Ok(json!({
        "apiVersion": kind.api_version(),
        "kind": kind.kind,
        "metadata": export_metadata(object),
        "spec": spec,
    }))
}

fn export_metadata(object: &DynamicObject) -> Value {
    let mut metadata = Map::new();
    metadata.insert("name".into(), json!(object.metadata.name));
    metadata.insert("namespace".into(), json!(object.metadata.namespace));
    if let Some(labels) = object.metadata.labels.as_ref().filter(|l| !l.is_empty()) {
        metadata.insert("labels".into(), json!(labels));
    }
    if let Some(annotations) = object
        .metadata
        .annotations
        .as_ref()
        .filter(|a| !a.is_empty())
    {
        metadata.insert("annotations".into(), json!(annotations));
    }
    Value::Object(metadata)
}

/// Go's `metav1.Duration` writes `5m` back as `5m0s`, and `omitempty` drops `false` (except
/// from the `required` fields).
fn go_spec(spec: &mut Value, required: &[&str]) {
    let Some(fields) = spec.as_object_mut() else {
        return;
    };
    for key in ["interval", "timeout", "retryInterval"] {
        if let Some(Value::String(text)) = fields.get_mut(key)
            && let Ok(parsed) = crate::api::duration::parse(text)
        {
            *text = crate::api::duration::format(parsed);
        }
    }
    fields.retain(|k, v| *v != Value::Bool(false) || required.contains(&k.as_str()));
}

/// The HelmRelease fields Go writes as `*bool`: `omitempty` keeps their `false`.
const HELM_RELEASE_OPTIONAL_BOOLS: [&str; 4] = [
    "persistentClient",
    "ignoreTestFailures",
    "remediateLastFailure",
    // `install.serverSideApply`; upgrade and rollback spell theirs as strings.
    "serverSideApply",
];

/// What Go's types do to a HelmRelease spec below the top level: the nested durations
/// (chart interval, action timeouts, retry intervals) written the Go way, `false` and
/// `retries: 0` dropped by `omitempty`. `values` is the user's JSON and stays as it is.
fn go_helm_release_spec(spec: &mut Value) {
    fn go_duration(value: Option<&mut Value>) {
        if let Some(Value::String(text)) = value
            && let Ok(parsed) = crate::api::duration::parse(text)
        {
            *text = crate::api::duration::format(parsed);
        }
    }
    fn omit_empty(value: &mut Value) {
        match value {
            Value::Object(fields) => {
                fields.retain(|k, v| match v {
                    Value::Bool(false) => HELM_RELEASE_OPTIONAL_BOOLS.contains(&k.as_str()),
                    Value::Number(n) if k == "retries" => n.as_i64() != Some(0),
                    _ => true,
                });
                fields.values_mut().for_each(omit_empty);
            }
            Value::Array(items) => items.iter_mut().for_each(omit_empty),
            _ => {}
        }
    }
    let Some(fields) = spec.as_object_mut() else {
        return;
    };
    go_duration(
        fields
            .get_mut("chart")
            .and_then(|c| c.pointer_mut("/spec/interval")),
    );
    for action in ["install", "upgrade", "test", "rollback", "uninstall"] {
        if let Some(action) = fields.get_mut(action) {
            go_duration(action.get_mut("timeout"));
            go_duration(action.pointer_mut("/strategy/retryInterval"));
        }
    }
    let values = fields.remove("values");
    for value in fields.values_mut() {
        omit_empty(value);
    }
    if let Some(values) = values {
        fields.insert("values".into(), values);
    }
}

fn export_secret(secret: &Secret) -> Value {
    let mut value = json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": { "name": secret.metadata.name, "namespace": secret.metadata.namespace },
    });
    if let Some(data) = secret.data.as_ref().filter(|d| !d.is_empty()) {
        value["data"] = serde_json::to_value(data).expect("secret data serializes");
    }
    if let Some(type_) = &secret.type_ {
        value["type"] = json!(type_);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_release_specs_take_go_durations_and_omissions() {
        let raw = json!({
            "interval": "5m", "timeout": "90s", "persistentClient": false, "suspend": false,
            "chart": { "spec": { "chart": "podinfo", "interval": "1h", "ignoreMissingValuesFiles": false,
                                 "sourceRef": { "kind": "HelmRepository", "name": "podinfo" } } },
            "install": { "timeout": "10m", "createNamespace": false, "serverSideApply": false,
                         "remediation": { "retries": 0, "remediateLastFailure": false },
                         "strategy": { "name": "RetryOnFailure", "retryInterval": "2m" } },
            "upgrade": { "remediation": { "retries": 3, "ignoreTestFailures": false } },
            "values": { "enabled": false, "retries": 0, "timeout": "5m" }
        });
        let spec: HelmReleaseSpec = serde_json::from_value(raw).unwrap();
        let mut spec = serde_json::to_value(spec).unwrap();
        go_helm_release_spec(&mut spec);
        go_spec(&mut spec, &["persistentClient"]);
        assert_eq!(
            spec,
            json!({
                "interval": "5m0s", "timeout": "1m30s", "persistentClient": false,
                "chart": { "spec": { "chart": "podinfo", "interval": "1h0m0s",
                                     "sourceRef": { "kind": "HelmRepository", "name": "podinfo" } } },
                "install": { "timeout": "10m0s", "serverSideApply": false,
                             "remediation": { "remediateLastFailure": false },
                             "strategy": { "name": "RetryOnFailure", "retryInterval": "2m0s" } },
                "upgrade": { "remediation": { "retries": 3, "ignoreTestFailures": false } },
                "values": { "enabled": false, "retries": 0, "timeout": "5m" }
            })
        );
    }
}
