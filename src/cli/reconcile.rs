//! `tk reconcile source git|helm|chart|oci|bucket|kustomization|helmrelease|receiver|alert|
//! alert-provider NAME`: set `reconcile.fluxcd.io/requestedAt` and wait until the controller
//! reports it handled that request, as `flux reconcile` does (Alerts and Providers have no
//! status: done once annotated; an OCI HelmRepository is not reconciled at all, so nothing is
//! requested).
//! `--with-source` first reconciles the Kustomization's or HelmChart's source, in the
//! source's namespace; for a HelmRelease it reconciles the chart (the HelmChart with its own
//! source, or the `chartRef` OCIRepository) first, and `--force`/`--reset` set
//! `reconcile.fluxcd.io/forceAt`/`resetAt` to the same time as the request.

use std::time::Instant;

use anyhow::{Result, bail};

use super::objects::{self, HELM_CHART, HELM_RELEASE, Kind, OCI_REPOSITORY};
use super::printer::Printer;
use super::settings::GlobalSettings;
use crate::api::meta::{FORCE_REQUEST_ANNOTATION, RESET_REQUEST_ANNOTATION};

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
        reconcile_source_of(&client, kind, namespace, &object, printer, deadline).await?;
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
        &[],
        printer,
        deadline,
    )
    .await
}

/// What `tk reconcile helmrelease` asks for besides the reconcile.
#[derive(Debug, Clone, Copy, Default)]
pub struct HelmReleaseRequest {
    /// Reconcile the chart (and its source) first.
    pub with_source: bool,
    /// A one-off install or upgrade, even without changes (`forceAt`).
    pub force: bool,
    /// Reset the failure counters, so remediation retries start over (`resetAt`).
    pub reset: bool,
}

/// `tk reconcile helmrelease NAME`: flux's output, the chart's steps first with
/// `--with-source`, then the release's "applied revision" (no "completed" line).
pub async fn helm_release(
    name: &str,
    request: HelmReleaseRequest,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let namespace = &settings.namespace;
    let deadline = Instant::now() + settings.timeout;
    let client = settings.client().await?;
    let object = HELM_RELEASE.get(&client, namespace, name).await?;
    refuse_suspended(HELM_RELEASE, namespace, name, &object)?;
    if request.with_source {
        let (chart_kind, chart_namespace, chart_name) = chart_of(namespace, &object)?;
        let chart = chart_kind
            .get(&client, &chart_namespace, &chart_name)
            .await?;
        refuse_suspended(chart_kind, &chart_namespace, &chart_name, &chart)?;
        // flux reconciles a HelmChart together with its own source.
        if chart_kind == HELM_CHART {
            reconcile_source_of(
                &client,
                HELM_CHART,
                &chart_namespace,
                &chart,
                printer,
                deadline,
            )
            .await?;
        }
        request_and_wait(
            &client,
            chart_kind,
            &chart_namespace,
            &chart_name,
            None,
            &[],
            printer,
            deadline,
        )
        .await?;
    }
    let mut also = Vec::new();
    if request.force {
        also.push(FORCE_REQUEST_ANNOTATION);
    }
    if request.reset {
        also.push(RESET_REQUEST_ANNOTATION);
    }
    request_and_wait(
        &client,
        HELM_RELEASE,
        namespace,
        name,
        None,
        &also,
        printer,
        deadline,
    )
    .await
}

/// Reconciles the source `object` (a Kustomization or HelmChart) builds from, and waits
/// for its new revision; an OCI HelmRepository is not reconciled, as flux has it.
async fn reconcile_source_of(
    client: &kube::Client,
    kind: Kind,
    namespace: &str,
    object: &kube::api::DynamicObject,
    printer: Printer,
    deadline: Instant,
) -> Result<()> {
    let (source_kind, source_namespace, source_name) = source_of(kind, namespace, object)?;
    let source = source_kind
        .get(client, &source_namespace, &source_name)
        .await?;
    if objects::is_oci_helm_repository(source_kind, &source) {
        printer.success(NOT_RECONCILED);
        return Ok(());
    }
    refuse_suspended(source_kind, &source_namespace, &source_name, &source)?;
    request_and_wait(
        client,
        source_kind,
        &source_namespace,
        &source_name,
        None,
        &[],
        printer,
        deadline,
    )
    .await
}

/// Where a HelmRelease's chart comes from, as `flux reconcile hr --with-source` finds it:
/// for `spec.chart`, the HelmChart the helm controller made from the template, named
/// `<namespace>-<name>` in the source's namespace; for `spec.chartRef`, the HelmChart or
/// OCIRepository it names (in the release's namespace unless it says another).
fn chart_of(namespace: &str, object: &kube::api::DynamicObject) -> Result<(Kind, String, String)> {
    let name = object.metadata.name.as_deref().unwrap_or_default();
    let spec = &object.data["spec"];
    let reference = &spec["chartRef"];
    if let (Some(kind), Some(chart_name)) = (reference["kind"].as_str(), reference["name"].as_str())
    {
        let chart_kind = match kind {
            "HelmChart" => HELM_CHART,
            "OCIRepository" => OCI_REPOSITORY,
            _ => bail!(
                "HelmRelease {namespace}/{name}: --with-source cannot reconcile a chartRef of kind \
                 {kind}: reconcile it with the tool that produces it, then run without --with-source"
            ),
        };
        let chart_namespace = reference["namespace"]
            .as_str()
            .filter(|ns| !ns.is_empty())
            .unwrap_or(namespace);
        return Ok((
            chart_kind,
            chart_namespace.to_string(),
            chart_name.to_string(),
        ));
    }
    let template = &spec["chart"]["spec"]["sourceRef"];
    if template.is_null() {
        bail!(
            "HelmRelease {namespace}/{name} has neither spec.chart nor spec.chartRef: \
             --with-source has nothing to reconcile"
        );
    }
    let chart_namespace = template["namespace"]
        .as_str()
        .filter(|ns| !ns.is_empty())
        .unwrap_or(namespace);
    Ok((
        HELM_CHART,
        chart_namespace.to_string(),
        format!("{namespace}-{name}"),
    ))
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

/// Annotates one object (`requestedAt`, and each of `also` at the same time) and waits for
/// its controller to handle the request.
#[allow(clippy::too_many_arguments)]
async fn request_and_wait(
    client: &kube::Client,
    kind: Kind,
    namespace: &str,
    name: &str,
    completed: Option<&str>,
    also: &[&str],
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
        &objects::request_patch_with(&requested_at, also),
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn release(spec: serde_json::Value) -> kube::api::DynamicObject {
        serde_json::from_value(json!({
            "apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
            "metadata": { "name": "podinfo", "namespace": "apps" }, "spec": spec
        }))
        .unwrap()
    }

    #[test]
    fn chart_template_reconciles_the_generated_helm_chart_in_the_source_namespace() {
        let template = |source: serde_json::Value| {
            release(json!({ "interval": "5m", "chart": { "spec": {
                "chart": "podinfo", "sourceRef": source
            } } }))
        };
        let (kind, ns, name) = chart_of(
            "apps",
            &template(json!({ "kind": "HelmRepository", "name": "podinfo" })),
        )
        .unwrap();
        assert_eq!(
            (kind, ns.as_str(), name.as_str()),
            (HELM_CHART, "apps", "apps-podinfo")
        );
        let (_, ns, name) = chart_of(
            "apps",
            &template(
                json!({ "kind": "GitRepository", "name": "charts", "namespace": "flux-system" }),
            ),
        )
        .unwrap();
        assert_eq!(
            (ns.as_str(), name.as_str()),
            ("flux-system", "apps-podinfo")
        );
    }

    #[test]
    fn chart_ref_reconciles_the_object_it_names() {
        let (kind, ns, name) = chart_of(
            "apps",
            &release(json!({ "chartRef": { "kind": "OCIRepository", "name": "podinfo" } })),
        )
        .unwrap();
        assert_eq!(
            (kind.kind, ns.as_str(), name.as_str()),
            ("OCIRepository", "apps", "podinfo")
        );
        let (kind, ns, _) = chart_of(
            "apps",
            &release(json!({ "chartRef": {
                "kind": "HelmChart", "name": "podinfo", "namespace": "charts"
            } })),
        )
        .unwrap();
        assert_eq!((kind, ns.as_str()), (HELM_CHART, "charts"));
        let err = chart_of(
            "apps",
            &release(json!({ "chartRef": { "kind": "ExternalArtifact", "name": "x" } })),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("cannot reconcile a chartRef of kind ExternalArtifact"),
            "{err}"
        );
        assert!(chart_of("apps", &release(json!({ "interval": "5m" }))).is_err());
    }
}
