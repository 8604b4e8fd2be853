//! `tk version`: the client version, and the version of each installed component.

use anyhow::Result;
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, ListParams};

use super::settings::GlobalSettings;
use crate::manifests::labels;

pub fn client_line() -> String {
    format!("tk: {}", crate::VERSION)
}

/// Lines `component: version` for each installed component Deployment, sorted by name.
pub async fn component_lines(settings: &GlobalSettings) -> Result<Vec<String>> {
    let client = settings.client().await?;
    let deployments: Api<Deployment> = Api::namespaced(client, &settings.namespace);
    let selector = labels::installation_selector(&settings.namespace);
    let list = super::cluster_call(
        deployments.list(&ListParams::default().labels(&selector)),
        &format!("listing Deployments in namespace {}", settings.namespace),
    )
    .await?;
    let mut lines: Vec<String> = list
        .items
        .iter()
        .filter_map(|d| {
            let name = d.metadata.name.as_deref()?;
            let version = d
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(labels::VERSION))
                .cloned()
                .unwrap_or_else(|| "unknown".into());
            Some(format!("{name}: {version}"))
        })
        .collect();
    lines.sort();
    Ok(lines)
}
