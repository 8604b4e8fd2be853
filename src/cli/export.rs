//! `tk export source git|helm|chart|kustomization|alert|alert-provider|receiver NAME|--all
//! [--with-credentials]`: the objects as flux exports them, only what re-applies cleanly:
//! apiVersion, kind, name, namespace, labels, annotations and spec, durations written the Go
//! way (`5m` as `5m0s`), no status or server-set metadata.

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
use crate::api::kustomize::KustomizationSpec;
use crate::api::notification::{AlertSpec, ProviderSpec, ReceiverSpec};
use crate::api::source::{GitRepositorySpec, HelmChartSpec, HelmRepositorySpec};

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
    } else if kind == objects::PROVIDER {
        let spec: ProviderSpec = serde_json::from_value(raw).map_err(parse_error)?;
        (serde_json::to_value(spec)?, &[])
    } else if kind == objects::ALERT {
        let spec: AlertSpec = serde_json::from_value(raw).map_err(parse_error)?;
        (serde_json::to_value(spec)?, &[])
    } else if kind == objects::RECEIVER {
        let spec: ReceiverSpec = serde_json::from_value(raw).map_err(parse_error)?;
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
