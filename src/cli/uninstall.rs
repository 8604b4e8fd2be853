//! `tk uninstall`: custom resources first (finalizers stripped, so nothing waits on a
//! controller that is about to go), then the components, the CRDs and the namespace. The
//! extra components' CRDs (Flagger's) go only when this installation applied them.

use std::time::Instant;

use anyhow::{Result, bail};
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::{Value, json};

use super::cluster;
use super::cluster_call;
use super::install::owned_objects;
use super::printer::{self, Printer};
use super::settings::GlobalSettings;
use crate::manifests::{self, Component, InstallOptions, labels};

pub struct UninstallOptions {
    pub keep_namespace: bool,
    pub dry_run: bool,
    pub silent: bool,
}

pub async fn run(
    settings: &GlobalSettings,
    options: &UninstallOptions,
    printer: Printer,
) -> Result<()> {
    let namespace = &settings.namespace;
    if !options.silent && !options.dry_run {
        confirm(namespace)?;
    }
    let client = settings.client().await?;
    let deadline = Instant::now() + settings.timeout;
    let crds = crds_to_delete(&client, namespace, printer).await?;
    let verb = if options.dry_run {
        "would delete"
    } else {
        "deleted"
    };

    printer.action("deleting custom resources");
    for crd in &crds {
        delete_custom_resources(&client, crd, options.dry_run, verb, printer, deadline).await?;
    }

    printer.action("deleting components");
    for (api, kind, name) in owned_objects(&client, namespace).await? {
        delete(&api, &name, options.dry_run).await?;
        printer.success(format!("{kind}/{name} {verb}"));
    }

    printer.action("deleting toolkit CRDs");
    let crd_api: Api<CustomResourceDefinition> = Api::all(client.clone());
    for crd in &crds {
        let name = manifests::name_of(crd);
        if cluster_call(crd_api.get_opt(name), &format!("reading CRD {name}"))
            .await?
            .is_some()
        {
            delete(&crd_api, name, options.dry_run).await?;
            printer.success(format!("CustomResourceDefinition/{name} {verb}"));
        }
    }

    if !options.keep_namespace {
        let ns_api: Api<Namespace> = Api::all(client.clone());
        if cluster_call(
            ns_api.get_opt(namespace),
            &format!("reading namespace {namespace}"),
        )
        .await?
        .is_some()
        {
            delete(&ns_api, namespace, options.dry_run).await?;
            if !options.dry_run {
                let spinner =
                    printer.spinner(format!("waiting for namespace {namespace} to be removed"));
                cluster::wait_until(
                    deadline,
                    &format!("namespace {namespace} to be removed"),
                    || async {
                        Ok(
                            cluster_call(ns_api.get_opt(namespace), "reading the namespace")
                                .await?
                                .is_none(),
                        )
                    },
                )
                .await?;
                spinner.finish_and_clear();
            }
            printer.success(format!("Namespace/{namespace} {verb}"));
        }
    }
    printer.success(if options.dry_run {
        "uninstall dry run finished"
    } else {
        "uninstall finished"
    });
    Ok(())
}

/// The CRDs the uninstall deletes, with their custom resources: the toolkit's, and those of
/// the extra components (Flagger's, with the canary controller) only where they carry this
/// installation's labels, whether or not the component is still installed (`tk upgrade`
/// never prunes CRDs). Flagger's own chart installs the same CRDs with
/// `helm.sh/resource-policy: keep`; those, and the Canaries in them, are left alone.
async fn crds_to_delete(
    client: &kube::Client,
    namespace: &str,
    printer: Printer,
) -> Result<Vec<Value>> {
    let mut everything = InstallOptions::defaults(namespace);
    everything.components.extend(Component::EXTRA);
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let mut crds = Vec::new();
    for crd in manifests::render(&everything) {
        if manifests::type_of(&crd).1 != "CustomResourceDefinition" {
            continue;
        }
        // Only the extra components' CRDs carry a component label.
        if crd["metadata"]["labels"].get(labels::COMPONENT).is_some() {
            let name = manifests::name_of(&crd);
            let Some(found) =
                cluster_call(api.get_opt(name), &format!("reading CRD {name}")).await?
            else {
                continue;
            };
            let found_labels = found.metadata.labels.unwrap_or_default();
            let ours = found_labels.get(labels::PART_OF).map(String::as_str)
                == Some(labels::PART_OF_VALUE)
                && found_labels.get(labels::INSTANCE).map(String::as_str) == Some(namespace);
            if !ours {
                printer.success(format!(
                    "CustomResourceDefinition/{name} kept: tk did not install it in namespace {namespace}"
                ));
                continue;
            }
        }
        crds.push(crd);
    }
    Ok(crds)
}

fn confirm(namespace: &str) -> Result<()> {
    let no_terminal = format!(
        "refusing to uninstall from namespace {namespace} without confirmation: pass --silent to skip the prompt"
    );
    let prompt = format!(
        "Are you sure you want to delete tk and its custom resources from namespace {namespace}"
    );
    if !printer::confirm(&prompt, no_terminal)? {
        bail!("uninstall cancelled");
    }
    Ok(())
}

async fn delete<K>(api: &Api<K>, name: &str, dry_run: bool) -> Result<()>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let params = DeleteParams {
        dry_run,
        ..DeleteParams::background()
    };
    match api.delete(name, &params).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        Err(err) => cluster_call(async { Err::<(), _>(err) }, &format!("deleting {name}")).await,
    }
}

/// Strips finalizers and deletes every object of one toolkit kind, repeating until none is
/// left: a running controller may add a finalizer back between the strip and the delete.
async fn delete_custom_resources(
    client: &kube::Client,
    crd: &Value,
    dry_run: bool,
    verb: &str,
    printer: Printer,
    deadline: Instant,
) -> Result<()> {
    let crd_api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let crd_name = manifests::name_of(crd);
    if cluster_call(
        crd_api.get_opt(crd_name),
        &format!("reading CRD {crd_name}"),
    )
    .await?
    .is_none()
    {
        return Ok(());
    }
    let spec = &crd["spec"];
    let version = spec["versions"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["storage"] == true))
        .and_then(|v| v["name"].as_str())
        .unwrap_or_default();
    let gvk = GroupVersionKind::gvk(
        spec["group"].as_str().unwrap_or_default(),
        version,
        spec["names"]["kind"].as_str().unwrap_or_default(),
    );
    let resource = ApiResource::from_gvk_with_plural(
        &gvk,
        spec["names"]["plural"].as_str().unwrap_or_default(),
    );
    let all: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
    let mut reported = std::collections::BTreeSet::new();
    loop {
        let items = cluster_call(
            all.list(&ListParams::default()),
            &format!("listing {}", resource.plural),
        )
        .await?
        .items;
        if items.is_empty() || dry_run && !reported.is_empty() {
            return Ok(());
        }
        for item in &items {
            let ns = item.metadata.namespace.clone().unwrap_or_default();
            let name = item.metadata.name.clone().unwrap_or_default();
            let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), &ns, &resource);
            if !dry_run
                && item
                    .metadata
                    .finalizers
                    .as_ref()
                    .is_some_and(|f| !f.is_empty())
            {
                let patch = json!({ "metadata": { "finalizers": null } });
                match api
                    .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                    .await
                {
                    Ok(_) => {}
                    Err(kube::Error::Api(status)) if status.code == 404 => {}
                    Err(err) => {
                        let what = format!("removing the finalizers of {}/{ns}/{name}", gvk.kind);
                        return cluster_call(async { Err(err) }, &what).await;
                    }
                }
            }
            delete(&api, &name, dry_run).await?;
            if reported.insert((ns.clone(), name.clone())) {
                printer.success(format!("{}/{ns}/{name} {verb}", gvk.kind));
            }
        }
        if dry_run {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!(
                "timed out deleting {}: some still exist; raise --timeout and run again",
                resource.plural
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
