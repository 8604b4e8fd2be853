//! `tk create alert-provider|alert|receiver NAME`: the notification kinds, printed with
//! `--export` or applied with server-side apply.
//!
//! Flags, defaults and messages follow `flux create alert-provider|alert|receiver`; the
//! objects carry only what flux's Go types would write, so `--export` is byte for byte what
//! flux prints for the same flags. tk checks more up front than flux, which leaves the
//! provider, receiver and object kinds to the API server: each is checked against the enums
//! of tk's API types, and the error names the flag and the accepted values.
//! Providers and Alerts have no status, so they are ready once applied; a Receiver is waited
//! for until the notification controller reports it Ready with its webhook path.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Result, bail};
use schemars::JsonSchema;
use serde_json::{Value, json};

use super::{apply_and_wait, export_document, generated, metadata, object, parse_labels};
use crate::api::notification::{EventSourceKind, ProviderType, ReceiverType};
use crate::cli::args::{CreateAlertArgs, CreateAlertProviderArgs, CreateReceiverArgs};
use crate::cli::objects::{ALERT, Kind, PROVIDER, RECEIVER};
use crate::cli::printer::Printer;
use crate::cli::settings::GlobalSettings;

/// Event severities an Alert accepts.
const EVENT_SEVERITIES: [&str; 2] = ["info", "error"];

/// The values a string enum of tk's API types serializes to, in declaration order (read from
/// its JSON schema, so the list follows the API types).
pub fn enum_values<T: JsonSchema>() -> Vec<String> {
    fn collect(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Array(values)) = map.get("enum") {
                    out.extend(values.iter().filter_map(|v| v.as_str().map(str::to_string)));
                }
                if let Some(Value::String(value)) = map.get("const") {
                    out.push(value.clone());
                }
                for key in ["oneOf", "anyOf"] {
                    if let Some(Value::Array(items)) = map.get(key) {
                        for item in items {
                            collect(item, out);
                        }
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| collect(item, out)),
            _ => {}
        }
    }
    let schema = schemars::schema_for!(T);
    let mut out = Vec::new();
    collect(schema.as_value(), &mut out);
    out
}

/// Receiver types `tk create receiver` can make: all but `generic-oidc`, which takes OIDC
/// providers instead of a Secret.
fn receiver_types() -> Vec<String> {
    enum_values::<ReceiverType>()
        .into_iter()
        .filter(|t| t != "generic-oidc")
        .collect()
}

fn non_empty(value: &Option<String>) -> Option<String> {
    value.clone().filter(|v| !v.trim().is_empty())
}

/// `--event-source`/`--resource`: `<kind>/<name>[.<namespace>]`, flux's
/// `ParseObjectKindNameNamespace` (the namespace is what follows the last dot); `<kind>/*`
/// names every object of the kind. The kind is matched case-insensitively and written as the
/// API spells it.
pub fn parse_object_reference(flag: &str, text: &str) -> Result<Value> {
    let text = text.trim();
    let format = || {
        anyhow::anyhow!(
            "flag --{flag}: invalid {} '{text}', must be in format <kind>/<name>[.<namespace>] \
             (or <kind>/* for all objects of a kind)",
            flag.replace('-', " ")
        )
    };
    let parts: Vec<&str> = text.split('/').collect();
    let [kind, rest] = parts[..] else {
        return Err(format());
    };
    if kind.is_empty() {
        return Err(format());
    }
    let (name, namespace) = match rest.rsplit_once('.') {
        Some((name, namespace)) => (name, Some(namespace)),
        None => (rest, None),
    };
    if name.is_empty() {
        return Err(format());
    }
    let kinds = enum_values::<EventSourceKind>();
    let Some(kind) = kinds.iter().find(|k| k.eq_ignore_ascii_case(kind)) else {
        bail!(
            "flag --{flag}: kind '{kind}' is not supported, must be one of: {}",
            kinds.join(", ")
        );
    };
    let mut reference = json!({ "kind": kind, "name": name });
    if let Some(namespace) = namespace.filter(|ns| !ns.is_empty()) {
        reference["namespace"] = json!(namespace);
    }
    Ok(reference)
}

#[derive(Debug, Clone)]
pub struct ProviderOptions {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub provider_type: String,
    pub channel: Option<String>,
    pub username: Option<String>,
    pub address: Option<String>,
    pub secret_ref: Option<String>,
    pub export: bool,
}

impl ProviderOptions {
    pub fn resolve(args: &CreateAlertProviderArgs, settings: &GlobalSettings) -> Result<Self> {
        let types = enum_values::<ProviderType>();
        let Some(provider_type) = non_empty(&args.provider_type) else {
            bail!(
                "flag --type: Provider type is required: pass --type with one of: {}",
                types.join(", ")
            );
        };
        if !types.contains(&provider_type) {
            bail!(
                "flag --type: provider type '{provider_type}' is not supported, must be one of: {}",
                types.join(", ")
            );
        }
        Ok(Self {
            name: args.name.clone(),
            namespace: settings.namespace.clone(),
            labels: parse_labels(&args.label)?,
            provider_type,
            channel: non_empty(&args.channel),
            username: non_empty(&args.username),
            address: non_empty(&args.address),
            secret_ref: non_empty(&args.secret_ref),
            export: args.export,
        })
    }

    pub fn object(&self) -> Value {
        let mut spec = json!({ "type": self.provider_type });
        for (key, value) in [
            ("channel", &self.channel),
            ("username", &self.username),
            ("address", &self.address),
        ] {
            if let Some(value) = value {
                spec[key] = json!(value);
            }
        }
        if let Some(secret) = &self.secret_ref {
            spec["secretRef"] = json!({ "name": secret });
        }
        object(
            PROVIDER,
            metadata(&self.name, &self.namespace, &self.labels),
            spec,
        )
    }
}

#[derive(Debug, Clone)]
pub struct AlertOptions {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub provider_ref: String,
    pub event_severity: Option<String>,
    pub event_sources: Vec<Value>,
    pub export: bool,
}

impl AlertOptions {
    pub fn resolve(args: &CreateAlertArgs, settings: &GlobalSettings) -> Result<Self> {
        let Some(provider_ref) = non_empty(&args.provider_ref) else {
            bail!(
                "flag --provider-ref: provider ref is required: pass the name of the Provider \
                 to send the events to"
            );
        };
        let event_severity = non_empty(&args.event_severity);
        if let Some(severity) = &event_severity
            && !EVENT_SEVERITIES.contains(&severity.as_str())
        {
            bail!(
                "flag --event-severity: event severity '{severity}' is not supported, must be \
                 one of: {}",
                EVENT_SEVERITIES.join(", ")
            );
        }
        let event_sources = args
            .event_source
            .iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| parse_object_reference("event-source", s))
            .collect::<Result<Vec<_>>>()?;
        if event_sources.is_empty() {
            bail!(
                "flag --event-source: at least one event source is required: pass \
                 --event-source <kind>/<name> (or <kind>/* for all objects of a kind)"
            );
        }
        Ok(Self {
            name: args.name.clone(),
            namespace: settings.namespace.clone(),
            labels: parse_labels(&args.label)?,
            provider_ref,
            event_severity,
            event_sources,
            export: args.export,
        })
    }

    pub fn object(&self) -> Value {
        let mut spec = json!({
            "eventSources": self.event_sources,
            "providerRef": { "name": self.provider_ref },
        });
        if let Some(severity) = &self.event_severity {
            spec["eventSeverity"] = json!(severity);
        }
        object(
            ALERT,
            metadata(&self.name, &self.namespace, &self.labels),
            spec,
        )
    }
}

#[derive(Debug, Clone)]
pub struct ReceiverOptions {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub receiver_type: String,
    pub events: Vec<String>,
    pub resources: Vec<Value>,
    pub secret_ref: String,
    pub export: bool,
}

impl ReceiverOptions {
    pub fn resolve(args: &CreateReceiverArgs, settings: &GlobalSettings) -> Result<Self> {
        let types = receiver_types();
        let Some(receiver_type) = non_empty(&args.receiver_type) else {
            bail!(
                "flag --type: Receiver type is required: pass --type with one of: {}",
                types.join(", ")
            );
        };
        if receiver_type == "generic-oidc" {
            bail!(
                "flag --type: generic-oidc receivers authenticate with spec.oidcProviders, \
                 not a Secret: apply a Receiver manifest instead"
            );
        }
        if !types.contains(&receiver_type) {
            bail!(
                "flag --type: receiver type '{receiver_type}' is not supported, must be one of: {}",
                types.join(", ")
            );
        }
        let Some(secret_ref) = non_empty(&args.secret_ref) else {
            bail!(
                "flag --secret-ref: secret ref is required: pass the name of the Secret whose \
                 `token` key secures the webhook"
            );
        };
        let resources = args
            .resource
            .iter()
            .filter(|r| !r.trim().is_empty())
            .map(|r| parse_object_reference("resource", r))
            .collect::<Result<Vec<_>>>()?;
        if resources.is_empty() {
            bail!(
                "flag --resource: at least one resource is required: pass --resource \
                 <kind>/<name> for each object the webhook reconciles"
            );
        }
        Ok(Self {
            name: args.name.clone(),
            namespace: settings.namespace.clone(),
            labels: parse_labels(&args.label)?,
            receiver_type,
            events: args
                .event
                .iter()
                .map(|e| e.trim().to_string())
                .filter(|e| !e.is_empty())
                .collect(),
            resources,
            secret_ref,
            export: args.export,
        })
    }

    pub fn object(&self) -> Value {
        let mut spec = json!({
            "resources": self.resources,
            "secretRef": { "name": self.secret_ref },
            "type": self.receiver_type,
        });
        if !self.events.is_empty() {
            spec["events"] = json!(self.events);
        }
        object(
            RECEIVER,
            metadata(&self.name, &self.namespace, &self.labels),
            spec,
        )
    }
}

/// Applies a Provider or an Alert: no status to wait for, ready once applied.
async fn apply_static(
    kind: Kind,
    object: &Value,
    (namespace, name): (&str, &str),
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let deadline = Instant::now() + settings.timeout;
    let client = settings.client().await?;
    generated(format!("generating {}", kind.kind));
    apply_and_wait(
        &client,
        &printer,
        kind,
        kind.kind,
        object,
        (namespace, name),
        deadline,
    )
    .await?;
    printer.success(format!("{} {name} is ready", kind.kind));
    Ok(())
}

pub async fn run_provider(
    options: &ProviderOptions,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let key = (options.namespace.as_str(), options.name.as_str());
    export_or_apply(
        PROVIDER,
        &options.object(),
        options.export,
        key,
        settings,
        printer,
    )
    .await
}

pub async fn run_alert(
    options: &AlertOptions,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let key = (options.namespace.as_str(), options.name.as_str());
    export_or_apply(
        ALERT,
        &options.object(),
        options.export,
        key,
        settings,
        printer,
    )
    .await
}

/// Prints the object with `--export`, else applies it (kinds without status).
async fn export_or_apply(
    kind: Kind,
    object: &Value,
    export: bool,
    key: (&str, &str),
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    if export {
        print!("{}", export_document(object));
        return Ok(());
    }
    apply_static(kind, object, key, settings, printer).await
}

pub async fn run_receiver(
    options: &ReceiverOptions,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    if options.export {
        print!("{}", export_document(&options.object()));
        return Ok(());
    }
    let deadline = Instant::now() + settings.timeout;
    let client = settings.client().await?;
    generated("generating Receiver");
    let ready = apply_and_wait(
        &client,
        &printer,
        RECEIVER,
        "Receiver",
        &options.object(),
        (&options.namespace, &options.name),
        deadline,
    )
    .await?;
    printer.success(format!("Receiver {} is ready", options.name));
    match ready.data["status"]["webhookPath"]
        .as_str()
        .filter(|p| !p.is_empty())
    {
        Some(path) => printer.success(format!("generated webhook URL {path}")),
        None => bail!(
            "Receiver {}/{} is ready but reports no status.webhookPath: check that the \
             notification-controller is up to date",
            options.namespace,
            options.name
        ),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_values_follow_the_api_types() {
        let providers = enum_values::<ProviderType>();
        assert!(providers.contains(&"slack".to_string()), "{providers:?}");
        assert!(providers.contains(&"generic-hmac".to_string()));
        let receivers = receiver_types();
        assert_eq!(receivers.first().map(String::as_str), Some("generic"));
        assert!(!receivers.contains(&"generic-oidc".to_string()));
        assert!(receivers.contains(&"github".to_string()));
        let kinds = enum_values::<EventSourceKind>();
        assert!(kinds.contains(&"Kustomization".to_string()), "{kinds:?}");
    }

    #[test]
    fn object_references_take_kind_name_and_namespace() {
        assert_eq!(
            parse_object_reference("event-source", "kustomization/apps.prod").unwrap(),
            json!({ "kind": "Kustomization", "name": "apps", "namespace": "prod" })
        );
        assert_eq!(
            parse_object_reference("event-source", "GitRepository/*").unwrap(),
            json!({ "kind": "GitRepository", "name": "*" })
        );
        assert_eq!(
            parse_object_reference("resource", "Bucket/a.b.c").unwrap(),
            json!({ "kind": "Bucket", "name": "a.b", "namespace": "c" })
        );
        for bad in ["podinfo", "GitRepository/", "/x", "a/b/c"] {
            let err = parse_object_reference("event-source", bad)
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with(&format!(
                    "flag --event-source: invalid event source '{bad}'"
                )),
                "{err}"
            );
        }
        let err = parse_object_reference("resource", "Deployment/x")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("flag --resource: kind 'Deployment' is not supported, must be one of: Bucket, GitRepository"),
            "{err}"
        );
    }
}
