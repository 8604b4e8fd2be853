//! `tk check [--pre]`: one line per check with a pass/fail mark; any failure exits 1.

use anyhow::Result;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::Api;
use serde_json::Value;

use super::cluster::{crd_established, deployment_available};
use super::install::installed_components;
use super::preflight::{self, CheckLine};
use super::printer::Printer;
use super::settings::GlobalSettings;
use crate::manifests::{self, Component, InstallOptions};

/// Runs the checks and prints them; returns whether all passed.
pub async fn run(settings: &GlobalSettings, pre: bool, printer: Printer) -> Result<bool> {
    let client = settings.client().await?;
    let mut options = InstallOptions::defaults(&settings.namespace);
    printer.action("checking prerequisites");
    let mut ok = print(
        printer,
        preflight::run(&client, &manifests::render(&options), &settings.namespace).await?,
    );
    if pre {
        if ok {
            printer.success("prerequisites checks passed");
        }
        return Ok(ok);
    }
    let installed = installed_components(&client, &settings.namespace).await?;
    printer.action("checking controllers");
    ok &= print(
        printer,
        controllers(&client, &settings.namespace, &installed).await?,
    );
    // The default components' CRDs, and those of the extra components that are installed.
    options.components.extend(
        installed
            .iter()
            .filter_map(|(name, _)| Component::from_name(name))
            .filter(|c| c.is_extra()),
    );
    printer.action("checking crds");
    ok &= print(printer, crds(&client, &manifests::render(&options)).await?);
    if ok {
        printer.success("all checks passed");
    }
    Ok(ok)
}

fn print(printer: Printer, lines: Vec<CheckLine>) -> bool {
    let mut ok = true;
    for line in lines {
        if line.ok {
            printer.success(&line.text);
        } else {
            printer.failure(&line.text);
            ok = false;
        }
    }
    ok
}

async fn controllers(
    client: &kube::Client,
    namespace: &str,
    installed: &[(String, String)],
) -> Result<Vec<CheckLine>> {
    if installed.is_empty() {
        return Ok(vec![CheckLine {
            ok: false,
            text: format!("no tk components found in namespace {namespace}: run `tk install`"),
        }]);
    }
    let api: Api<Deployment> = Api::namespaced(client.clone(), namespace);
    let mut lines = Vec::new();
    for (name, version) in installed {
        let deployment =
            super::cluster_call(api.get(name), &format!("reading Deployment {name}")).await?;
        let ok = deployment_available(&deployment);
        lines.push(CheckLine {
            ok,
            text: if ok {
                format!("{name}: deployment ready ({version})")
            } else {
                format!("{name}: deployment not ready: see `kubectl -n {namespace} describe deployment {name}`")
            },
        });
    }
    Ok(lines)
}

async fn crds(client: &kube::Client, objects: &[Value]) -> Result<Vec<CheckLine>> {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let mut lines = Vec::new();
    let crds = objects
        .iter()
        .filter(|o| manifests::type_of(o).1 == "CustomResourceDefinition");
    for crd in crds {
        let name = manifests::name_of(crd);
        let versions = crd["spec"]["versions"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let version = versions
            .iter()
            .find(|v| v["storage"] == true)
            .and_then(|v| v["name"].as_str())
            .unwrap_or_default();
        let found = super::cluster_call(api.get_opt(name), &format!("reading CRD {name}")).await?;
        lines.push(match found {
            Some(crd) if crd_established(&crd) => CheckLine {
                ok: true,
                text: format!("{name}/{version}"),
            },
            Some(_) => CheckLine {
                ok: false,
                text: format!("{name}: not established; see `kubectl describe crd {name}`"),
            },
            None => CheckLine {
                ok: false,
                text: format!("{name}: missing; run `tk install` or `tk upgrade`"),
            },
        });
    }
    Ok(lines)
}
