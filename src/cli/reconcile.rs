//! `tk reconcile source git|helm|chart|kustomization|receiver|alert|alert-provider NAME`: set
//! `reconcile.fluxcd.io/requestedAt` and wait until the controller reports it handled that
//! request, as `flux reconcile` does (Alerts and Providers have no status: done once
//! annotated; an OCI HelmRepository is not reconciled at all, so nothing is requested).
//! `--with-source` first reconciles the Kustomization's or HelmChart's source, in the
//! source's namespace.

use std::time::Instant;

use anyhow::{Result, bail};

use super::objects::{self, Kind};
use super::printer::Printer;
use super::settings::GlobalSettings;

/// What flux says for an object no controller reconciles (a HelmRepository of type `oci`):
/// there is nothing to request or wait for.
const NOT_RECONCILED: &str = "reconciliation not supported by the object";

pub async fn run(
    kind: Kind,
    name: &str,
    with_source: bool,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let namespace = &settings.namespace;
    let deadline = Instant::now() + settings.timeout;
    let client = settings.client().await?;
    let object = kind.get(&client, namespace, name).await?;
    if objects::is_oci_helm_repository(kind, &object) {
        printer.success(NOT_RECONCILED);
        return Ok(());
    }
    refuse_suspended(kind, namespace, name, &object)?;
    if with_source {
        let (source_kind, source_namespace, source_name) = source_of(kind, namespace, &object)?;
        let source = source_kind
            .get(&client, &source_namespace, &source_name)
            .await?;
        if objects::is_oci_helm_repository(source_kind, &source) {
            printer.success(NOT_RECONCILED);
        } else {
            refuse_suspended(source_kind, &source_namespace, &source_name, &source)?;
            request_and_wait(
                &client,
                source_kind,
                &source_namespace,
                &source_name,
                None,
                printer,
                deadline,
            )
            .await?;
        }
    }
    // `tk reconcile source ...` confirms the reconcile before the revision; flux's
    // Kustomization output (and its `--with-source` step) goes straight to the revision.
    let completed = (kind.is_source() || kind.revision == objects::RevisionField::None)
        .then(|| format!("{} reconciliation completed", kind.kind));
    request_and_wait(
        &client,
        kind,
        namespace,
        name,
        completed.as_deref(),
        printer,
        deadline,
    )
    .await
}

fn refuse_suspended(
    kind: Kind,
    namespace: &str,
    name: &str,
    object: &kube::api::DynamicObject,
) -> Result<()> {
    if objects::suspended(object) {
        bail!(
            "{} {namespace}/{name} is suspended: run `tk resume {} {name}` instead",
            kind.kind,
            kind.command
        );
    }
    Ok(())
}

/// The source a Kustomization or HelmChart builds from: its kind, namespace (the object's
/// when the reference leaves it out, as a HelmChart's always does) and name.
fn source_of(
    kind: Kind,
    namespace: &str,
    object: &kube::api::DynamicObject,
) -> Result<(Kind, String, String)> {
    let name = object.metadata.name.as_deref().unwrap_or_default();
    let reference = &object.data["spec"]["sourceRef"];
    let (Some(source_kind), Some(source_name)) =
        (reference["kind"].as_str(), reference["name"].as_str())
    else {
        bail!(
            "{} {namespace}/{name} has no spec.sourceRef: --with-source has nothing to reconcile",
            kind.kind
        );
    };
    let Some(source) = objects::source_kind(source_kind) else {
        bail!(
            "{} {namespace}/{name}: --with-source cannot reconcile a source of kind {source_kind}",
            kind.kind
        );
    };
    let source_namespace = reference["namespace"]
        .as_str()
        .filter(|ns| !ns.is_empty())
        .unwrap_or(namespace);
    Ok((
        source,
        source_namespace.to_string(),
        source_name.to_string(),
    ))
}

/// Annotates one object and waits for its controller to handle the request.
async fn request_and_wait(
    client: &kube::Client,
    kind: Kind,
    namespace: &str,
    name: &str,
    completed: Option<&str>,
    printer: Printer,
    deadline: Instant,
) -> Result<()> {
    printer.action(format!(
        "annotating {} {name} in {namespace} namespace",
        kind.kind
    ));
    let requested_at = objects::request_timestamp();
    kind.patch(
        client,
        namespace,
        name,
        &objects::request_patch(&requested_at),
    )
    .await?;
    printer.success(format!("{} annotated", kind.kind));
    wait_reconciled(
        client,
        kind,
        namespace,
        name,
        &requested_at,
        completed,
        printer,
        deadline,
    )
    .await
}

/// Waits for the controller to handle `requested_at` and report Ready, then prints the
/// `completed` line (if any) and the revision; shared with `resume`.
#[allow(clippy::too_many_arguments)]
pub async fn wait_reconciled(
    client: &kube::Client,
    kind: Kind,
    namespace: &str,
    name: &str,
    requested_at: &str,
    completed: Option<&str>,
    printer: Printer,
    deadline: Instant,
) -> Result<()> {
    printer.waiting(format!("waiting for {} reconciliation", kind.kind));
    let spinner = printer.spinner(format!("waiting for {} {namespace}/{name}", kind.kind));
    let ready =
        objects::wait_ready(client, kind, namespace, name, Some(requested_at), deadline).await;
    spinner.finish_and_clear();
    let ready = ready?;
    if let Some(completed) = completed {
        printer.success(completed);
    }
    if kind.revision == objects::RevisionField::None || kind.is_static(&ready) {
        return Ok(());
    }
    match kind.revision(&ready) {
        Some(revision) => printer.success(kind.revision_message(revision)),
        None => bail!(
            "{} {namespace}/{name}: reconciliation completed but no revision was reported: inspect the {}'s logs",
            kind.kind,
            kind.controller
        ),
    }
    Ok(())
}
