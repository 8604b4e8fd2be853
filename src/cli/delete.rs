//! `tk delete source git|helm|chart|oci|bucket|kustomization|helmrelease|alert|
//! alert-provider|receiver|canary NAME`: asks first on a terminal; elsewhere only `--silent`
//! deletes.

use anyhow::{Result, bail};
use kube::api::DeleteParams;

use super::cluster_call;
use super::objects::Kind;
use super::printer::{self, Printer};
use super::settings::GlobalSettings;

pub async fn run(
    kind: Kind,
    name: &str,
    silent: bool,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let namespace = &settings.namespace;
    let client = settings.client().await?;
    kind.get(&client, namespace, name).await?;
    if !silent {
        confirm(kind, namespace, name)?;
    }
    let noun = kind.delete_noun();
    printer.action(format!("deleting {noun} {name} in {namespace} namespace"));
    let api = kind.api(&client, Some(namespace));
    match api.delete(name, &DeleteParams::background()).await {
        Ok(_) => {}
        Err(kube::Error::Api(status)) if status.code == 404 => {}
        Err(err) => {
            return cluster_call(
                async { Err(err) },
                &format!("deleting {} {namespace}/{name}", kind.kind),
            )
            .await;
        }
    }
    printer.success(format!("{noun} deleted"));
    Ok(())
}

fn confirm(kind: Kind, namespace: &str, name: &str) -> Result<()> {
    let no_terminal = format!(
        "refusing to delete {} {namespace}/{name} without confirmation: pass --silent to skip the prompt",
        kind.kind
    );
    let prompt = format!(
        "Are you sure you want to delete this {}",
        kind.delete_noun()
    );
    if !printer::confirm(&prompt, no_terminal)? {
        bail!(
            "delete cancelled: {} {namespace}/{name} was kept",
            kind.kind
        );
    }
    Ok(())
}
