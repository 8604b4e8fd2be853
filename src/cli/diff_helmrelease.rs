//! `tk diff helmrelease NAME` (beyond flux): the render of `tk build helmrelease`,
//! server-side dry-run against the cluster with the helm controller's field manager and
//! ownership labels, printed as `tk diff kustomization` prints: objects created, objects
//! changed (with a unified diff) and objects of the deployed release the new render drops
//! (which the controller deletes on upgrade). Exit status: 0 no differences, 1 differences,
//! 2 failure.

use std::collections::BTreeSet;
use std::process::ExitCode;

use anyhow::{Result, anyhow};

use super::build_helmrelease::{self, HelmReleaseOptions};
use super::printer::Printer;
use super::settings::GlobalSettings;
use crate::controllers::helm::release;
use crate::ssa::ObjectRef;

/// Runs the diff; the exit code is flux's (0 none, 1 changes, 2 error).
pub async fn run(
    options: &HelmReleaseOptions,
    settings: &GlobalSettings,
    printer: Printer,
) -> ExitCode {
    super::diff::finish(diff(options, settings).await, printer)
}

/// The report and whether anything would be created, changed or deleted.
pub async fn diff(
    options: &HelmReleaseOptions,
    settings: &GlobalSettings,
) -> Result<(String, bool)> {
    let client = settings.client().await?;
    let render = build_helmrelease::render(options, settings, Some(&client)).await?;
    // What the controller compares with the previous release to delete what is gone.
    let kept: BTreeSet<ObjectRef> = render
        .objects
        .iter()
        .filter_map(|o| ObjectRef::from_object(o).ok())
        .collect();
    let manager = release::resource_manager(client, render.owner.clone(), Default::default());
    let entries = manager
        .diff_all(render.objects)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let (mut output, mut changed) = super::diff::report(&entries);
    if let Some(deployed) = &render.deployed {
        let deleted: BTreeSet<ObjectRef> =
            release::manifest_refs(&deployed.manifest, &render.target.namespace)
                .into_iter()
                .filter(|r| !kept.contains(r))
                .collect();
        for object in deleted {
            output.push_str(&format!("► {object} deleted\n"));
            changed = true;
        }
    }
    Ok((output, changed))
}
