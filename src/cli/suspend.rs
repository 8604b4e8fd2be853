//! `tk suspend|resume source git|helm|chart|oci|bucket|kustomization|helmrelease|alert|
//! alert-provider|receiver|canary NAME|--all`: flip `spec.suspend`; resume also requests a
//! reconcile and (unless `--wait=false`) waits for it, as flux does (Alerts, Providers and OCI
//! HelmRepositories are not reported on: done once resumed; nor are Canaries, which report no
//! handled request, so `resume canary` has no wait).

use std::time::Instant;

use anyhow::Result;
use serde_json::json;

use super::objects::{self, Kind};
use super::printer::Printer;
use super::reconcile::wait_reconciled;
use super::settings::GlobalSettings;
use crate::api::meta::RECONCILE_REQUEST_ANNOTATION;

/// One object by name, or all of a kind in the namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    One(String),
    All,
}

impl Selection {
    pub fn new(name: Option<&str>, all: bool) -> Self {
        match name {
            Some(name) if !all => Selection::One(name.to_string()),
            _ => Selection::All,
        }
    }

    /// The names selected; an empty `--all` prints Flux's "no objects found" and is no error.
    async fn names(
        &self,
        client: &kube::Client,
        kind: Kind,
        namespace: &str,
        printer: Printer,
    ) -> Result<Vec<String>> {
        match self {
            Selection::One(name) => {
                kind.get(client, namespace, name).await?;
                Ok(vec![name.clone()])
            }
            Selection::All => {
                let names: Vec<String> = kind
                    .list(client, namespace)
                    .await?
                    .into_iter()
                    .filter_map(|o| o.metadata.name)
                    .collect();
                if names.is_empty() {
                    printer.failure(format!(
                        "no {} objects found in {namespace} namespace",
                        kind.kind
                    ));
                }
                Ok(names)
            }
        }
    }
}

pub async fn suspend(
    kind: Kind,
    selection: &Selection,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let namespace = &settings.namespace;
    let client = settings.client().await?;
    for name in selection.names(&client, kind, namespace, printer).await? {
        printer.action(format!(
            "suspending {} {name} in {namespace} namespace",
            kind.human
        ));
        kind.patch(
            &client,
            namespace,
            &name,
            &json!({ "spec": { "suspend": true } }),
        )
        .await?;
        printer.success(format!("{} suspended", kind.human));
    }
    Ok(())
}

pub async fn resume(
    kind: Kind,
    selection: &Selection,
    wait: bool,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let namespace = &settings.namespace;
    let deadline = Instant::now() + settings.timeout;
    let client = settings.client().await?;
    let mut requested = Vec::new();
    for name in selection.names(&client, kind, namespace, printer).await? {
        printer.action(format!(
            "resuming {} {name} in {namespace} namespace",
            kind.human
        ));
        let requested_at = objects::request_timestamp();
        // Flux's Go types omit `suspend: false`, so resuming removes the field.
        let patch = json!({
            "metadata": { "annotations": { RECONCILE_REQUEST_ANNOTATION: requested_at } },
            "spec": { "suspend": null },
        });
        kind.patch(&client, namespace, &name, &patch).await?;
        printer.success(format!("{} resumed", kind.human));
        requested.push((name, requested_at));
    }
    if wait {
        for (name, requested_at) in requested {
            let completed = format!("{} {name} reconciliation completed", kind.kind);
            wait_reconciled(
                &client,
                kind,
                namespace,
                &name,
                &requested_at,
                Some(&completed),
                printer,
                deadline,
            )
            .await?;
        }
    }
    Ok(())
}
