//! `tk reconcile source git NAME`: set `reconcile.fluxcd.io/requestedAt` and wait until the
//! controller reports it handled that request, as `flux reconcile` does.

use std::time::Instant;

use anyhow::{Result, bail};

use super::objects::{self, Kind};
use super::printer::Printer;
use super::settings::GlobalSettings;

pub async fn run(
    kind: Kind,
    name: &str,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let namespace = &settings.namespace;
    let deadline = Instant::now() + settings.timeout;
    let client = settings.client().await?;
    let object = kind.get(&client, namespace, name).await?;
    if objects::suspended(&object) {
        bail!(
            "{} {namespace}/{name} is suspended: run `tk resume source git {name}` instead",
            kind.kind
        );
    }
    printer.action(format!(
        "annotating {} {name} in {namespace} namespace",
        kind.kind
    ));
    let requested_at = objects::request_timestamp();
    kind.patch(
        &client,
        namespace,
        name,
        &objects::request_patch(&requested_at),
    )
    .await?;
    printer.success(format!("{} annotated", kind.kind));
    wait_reconciled(
        &client,
        kind,
        name,
        &requested_at,
        settings,
        printer,
        deadline,
    )
    .await
}

/// Waits for the controller to handle `requested_at` and report Ready, then prints the
/// revision; shared with `resume`.
pub async fn wait_reconciled(
    client: &kube::Client,
    kind: Kind,
    name: &str,
    requested_at: &str,
    settings: &GlobalSettings,
    printer: Printer,
    deadline: Instant,
) -> Result<()> {
    let namespace = &settings.namespace;
    printer.waiting(format!("waiting for {} reconciliation", kind.kind));
    let spinner = printer.spinner(format!("waiting for {} {namespace}/{name}", kind.kind));
    let ready =
        objects::wait_ready(client, kind, namespace, name, Some(requested_at), deadline).await;
    spinner.finish_and_clear();
    let ready = ready?;
    printer.success(format!("{} reconciliation completed", kind.kind));
    match objects::revision(&ready) {
        Some(revision) => printer.success(format!("fetched revision {revision}")),
        None => bail!(
            "{} {namespace}/{name}: reconciliation completed but no artifact was found: inspect the source controller's logs",
            kind.kind
        ),
    }
    Ok(())
}
