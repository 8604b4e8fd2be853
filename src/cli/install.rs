//! `tk install` and `tk upgrade`.

use std::collections::BTreeSet;
use std::time::Instant;

use anyhow::{Context as _, Result, bail};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, ListParams};
use serde_json::Value;

use super::args::ComponentArgs;
use super::cluster::{self, api_resource, describe};
use super::printer::Printer;
use super::settings::GlobalSettings;
use super::{cluster_call, preflight};
use crate::manifests::{self, Component, InstallOptions, labels};

/// Kinds an installation owns besides CRDs and the Namespace; `upgrade` prunes from these.
const OWNED_KINDS: [(&str, &str, bool); 7] = [
    ("apps/v1", "Deployment", true),
    ("v1", "Service", true),
    ("v1", "ServiceAccount", true),
    ("v1", "ResourceQuota", true),
    ("networking.k8s.io/v1", "NetworkPolicy", true),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", false),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", false),
];

/// Every object of the installation in `namespace` (CRDs and the Namespace aside), with the
/// API to act on it, its kind and its name.
pub async fn owned_objects(
    client: &kube::Client,
    namespace: &str,
) -> Result<Vec<(Api<kube::api::DynamicObject>, &'static str, String)>> {
    let selector = labels::installation_selector(namespace);
    let mut objects = Vec::new();
    for (api_version, kind, namespaced) in OWNED_KINDS {
        let resource = api_resource(api_version, kind);
        let api: Api<kube::api::DynamicObject> = if namespaced {
            Api::namespaced_with(client.clone(), namespace, &resource)
        } else {
            Api::all_with(client.clone(), &resource)
        };
        let list = cluster_call(
            api.list(&ListParams::default().labels(&selector)),
            &format!("listing installed {kind}s"),
        )
        .await?;
        for item in list.items {
            objects.push((api.clone(), kind, item.metadata.name.unwrap_or_default()));
        }
    }
    Ok(objects)
}

/// Resolves install flags into options; `default_components` applies when `--components`
/// was not given.
pub fn options(
    args: &ComponentArgs,
    settings: &GlobalSettings,
    default_components: &[Component],
) -> Result<InstallOptions> {
    let components = InstallOptions::parse_components(
        args.components.as_deref(),
        &args.components_extra,
        default_components,
    )?;
    let options = InstallOptions {
        namespace: settings.namespace.clone(),
        components,
        registry: args.registry.clone(),
        version: args
            .version
            .clone()
            .unwrap_or_else(|| crate::VERSION.into()),
        image_pull_secret: args.image_pull_secret.clone(),
        watch_all_namespaces: args.watch_all_namespaces,
        network_policy: args.network_policy,
        log_level: args.log_level.as_str().into(),
        cluster_domain: args.cluster_domain.clone(),
        toleration_keys: args
            .toleration_keys
            .iter()
            .filter(|k| !k.is_empty())
            .cloned()
            .collect(),
    };
    options.validate()?;
    // Labels and image tags always carry the canonical `v`-prefixed version.
    Ok(InstallOptions {
        version: crate::VERSION.into(),
        ..options
    })
}

pub async fn install(
    settings: &GlobalSettings,
    options: &InstallOptions,
    printer: Printer,
) -> Result<()> {
    let client = settings.client().await?;
    let deadline = Instant::now() + settings.timeout;
    apply_all(
        &client,
        &manifests::render(options),
        &options.namespace,
        printer,
        deadline,
    )
    .await?;
    wait_components(&client, options, printer, deadline).await?;
    printer.success("install finished");
    Ok(())
}

pub async fn upgrade(
    settings: &GlobalSettings,
    args: &ComponentArgs,
    printer: Printer,
) -> Result<()> {
    let client = settings.client().await?;
    let deadline = Instant::now() + settings.timeout;
    let installed = installed_components(&client, &settings.namespace).await?;
    if installed.is_empty() {
        bail!(
            "tk is not installed in namespace {}: run `tk install` first, or pass -n with the install namespace",
            settings.namespace
        );
    }
    let known: Vec<Component> = installed
        .iter()
        .filter_map(|(name, _)| Component::from_name(name))
        .collect();
    let options = options(args, settings, &known)?;
    let from: BTreeSet<&str> = installed.iter().map(|(_, v)| v.as_str()).collect();
    printer.action(format!(
        "upgrading {} from {} to {}",
        settings.namespace,
        from.into_iter().collect::<Vec<_>>().join(", "),
        options.version
    ));
    let objects = manifests::render(&options);
    apply_all(&client, &objects, &options.namespace, printer, deadline).await?;
    prune(&client, &options, &objects, printer).await?;
    wait_components(&client, &options, printer, deadline).await?;
    printer.success("upgrade finished");
    Ok(())
}

/// The installed component Deployments as (name, version label).
pub async fn installed_components(
    client: &kube::Client,
    namespace: &str,
) -> Result<Vec<(String, String)>> {
    let api: Api<Deployment> = Api::namespaced(client.clone(), namespace);
    let selector = labels::installation_selector(namespace);
    let list = cluster_call(
        api.list(&ListParams::default().labels(&selector)),
        &format!("listing the installed components in namespace {namespace}"),
    )
    .await?;
    Ok(list
        .items
        .into_iter()
        .filter_map(|d| {
            let version = d
                .metadata
                .labels
                .as_ref()?
                .get(labels::VERSION)
                .cloned()
                .unwrap_or_default();
            Some((d.metadata.name?, version))
        })
        .collect())
}

/// Checks prerequisites, applies Namespace and CRDs, waits for the CRDs, then validates the
/// rest with a server-side dry run before applying it: a refused object stops the install
/// before any workload changes.
pub async fn apply_all(
    client: &kube::Client,
    objects: &[Value],
    namespace: &str,
    printer: Printer,
    deadline: Instant,
) -> Result<()> {
    printer.action("checking prerequisites");
    let checks = preflight::run(client, objects, namespace).await?;
    preflight::require(&checks, "nothing was applied")?;

    let (first, rest): (Vec<&Value>, Vec<&Value>) = objects.iter().partition(|o| {
        matches!(
            manifests::type_of(o).1,
            "Namespace" | "CustomResourceDefinition"
        )
    });
    printer.action(format!(
        "applying namespace {namespace} and {} CRDs",
        first.len().saturating_sub(1)
    ));
    for object in &first {
        cluster::apply(client, object, false).await?;
        printer.detail(format!("{} applied", describe(object)));
    }
    wait_crds(client, &first, printer, deadline).await?;

    for object in &rest {
        cluster::apply(client, object, true)
            .await
            .with_context(|| {
                format!(
                    "{} was refused by a dry run; nothing else was applied",
                    describe(object)
                )
            })?;
    }
    printer.action(format!("applying {} objects", rest.len()));
    for object in &rest {
        cluster::apply(client, object, false).await?;
        printer.detail(format!("{} applied", describe(object)));
    }
    Ok(())
}

async fn wait_crds(
    client: &kube::Client,
    objects: &[&Value],
    printer: Printer,
    deadline: Instant,
) -> Result<()> {
    let names: Vec<&str> = objects
        .iter()
        .filter(|o| manifests::type_of(o).1 == "CustomResourceDefinition")
        .map(|o| manifests::name_of(o))
        .collect();
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let spinner = printer.spinner("waiting for CRDs to be established");
    for name in &names {
        cluster::wait_until(
            deadline,
            &format!("CRD {name} to be established"),
            || async {
                let crd = cluster_call(api.get(name), &format!("reading CRD {name}")).await?;
                Ok(cluster::crd_established(&crd))
            },
        )
        .await?;
    }
    spinner.finish_and_clear();
    if !names.is_empty() {
        printer.success("CRDs established");
    }
    Ok(())
}

pub async fn wait_components(
    client: &kube::Client,
    options: &InstallOptions,
    printer: Printer,
    deadline: Instant,
) -> Result<()> {
    let api: Api<Deployment> = Api::namespaced(client.clone(), &options.namespace);
    printer.waiting("waiting for the components to be available");
    for component in &options.components {
        let name = component.name();
        let spinner = printer.spinner(format!("{name}: waiting for the Deployment"));
        cluster::wait_until(
            deadline,
            &format!("Deployment {name} to be available"),
            || async {
                let deployment =
                    cluster_call(api.get(name), &format!("reading Deployment {name}")).await?;
                Ok(cluster::deployment_available(&deployment))
            },
        )
        .await?;
        spinner.finish_and_clear();
        printer.success(format!("{name}: deployment ready"));
    }
    Ok(())
}

/// Deletes objects of the installation that the new manifests no longer contain. Custom
/// resources and CRDs are never pruned: dropping a CRD would delete users' objects.
async fn prune(
    client: &kube::Client,
    options: &InstallOptions,
    objects: &[Value],
    printer: Printer,
) -> Result<()> {
    let keep: BTreeSet<(String, String)> = objects
        .iter()
        .map(|o| {
            (
                manifests::type_of(o).1.to_string(),
                manifests::name_of(o).to_string(),
            )
        })
        .collect();
    for (api, kind, name) in owned_objects(client, &options.namespace).await? {
        if keep.contains(&(kind.to_string(), name.clone())) {
            continue;
        }
        cluster_call(
            api.delete(&name, &DeleteParams::background()),
            &format!("deleting {kind}/{name}"),
        )
        .await?;
        printer.success(format!(
            "{kind}/{name} removed: not part of {}",
            options.version
        ));
    }
    Ok(())
}
