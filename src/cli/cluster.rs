//! Cluster operations the install verbs share: typed access to rendered objects, server-side
//! apply, waits, and access reviews.

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::Value;

use super::cluster_call;
use crate::manifests;

/// The field manager of everything the CLI applies.
pub const FIELD_MANAGER: &str = "tk";

/// Oldest Kubernetes minor version tk supports.
pub const MIN_KUBERNETES: (u32, u32) = (1, 32);

/// Kinds the manifests render that are cluster-scoped; everything else is namespaced.
const CLUSTER_SCOPED: [&str; 4] = [
    "Namespace",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleBinding",
];

pub fn api_resource(api_version: &str, kind: &str) -> ApiResource {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind))
}

/// The dynamic API for a rendered object, scoped to its namespace when it has one.
pub fn api_for(client: &kube::Client, object: &Value) -> Api<DynamicObject> {
    let (api_version, kind) = manifests::type_of(object);
    let resource = api_resource(api_version, kind);
    match object["metadata"]["namespace"].as_str() {
        Some(ns) if !CLUSTER_SCOPED.contains(&kind) => {
            Api::namespaced_with(client.clone(), ns, &resource)
        }
        _ => Api::all_with(client.clone(), &resource),
    }
}

/// `Kind/name` for messages.
pub fn describe(object: &Value) -> String {
    format!(
        "{}/{}",
        manifests::type_of(object).1,
        manifests::name_of(object)
    )
}

/// Server-side applies one object with force (tk owns these fields).
pub async fn apply(client: &kube::Client, object: &Value, dry_run: bool) -> Result<()> {
    let mut params = PatchParams::apply(FIELD_MANAGER).force();
    params.dry_run = dry_run;
    cluster_call(
        api_for(client, object).patch(manifests::name_of(object), &params, &Patch::Apply(object)),
        &format!("applying {}", describe(object)),
    )
    .await?;
    Ok(())
}

/// Polls `check` every 500ms until it returns true or the deadline passes.
pub async fn wait_until<F, Fut>(deadline: Instant, what: &str, mut check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool>>,
{
    loop {
        if check().await? {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!("timed out waiting for {what}: raise --timeout or inspect the cluster");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

pub fn crd_established(crd: &CustomResourceDefinition) -> bool {
    crd.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| {
            c.iter()
                .any(|c| c.type_ == "Established" && c.status == "True")
        })
}

/// Available means every replica of the current spec is updated and available.
pub fn deployment_available(deployment: &Deployment) -> bool {
    let Some(status) = &deployment.status else {
        return false;
    };
    let wanted = deployment
        .spec
        .as_ref()
        .and_then(|s| s.replicas)
        .unwrap_or(1);
    let generation_seen = deployment.metadata.generation <= status.observed_generation;
    let available = status.conditions.as_ref().is_some_and(|c| {
        c.iter()
            .any(|c| c.type_ == "Available" && c.status == "True")
    });
    generation_seen
        && available
        && status.updated_replicas.unwrap_or(0) >= wanted
        && status.available_replicas.unwrap_or(0) >= wanted
}

/// The API server's (major, minor) version.
pub async fn server_version(client: &kube::Client) -> Result<(u32, u32, String)> {
    let info = cluster_call(client.apiserver_version(), "reading the Kubernetes version").await?;
    let digits = |s: &str| {
        s.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
    };
    let major = digits(&info.major)
        .parse()
        .context("parsing the server's major version")?;
    let minor = digits(&info.minor)
        .parse()
        .context("parsing the server's minor version")?;
    Ok((major, minor, info.git_version))
}

/// Asks the API server whether the current user may `verb` the given resource.
pub async fn can_i(
    client: &kube::Client,
    verb: &str,
    group: &str,
    resource: &str,
    namespace: Option<&str>,
) -> Result<bool> {
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                verb: Some(verb.into()),
                group: Some(group.into()),
                resource: Some(resource.into()),
                namespace: namespace.map(Into::into),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let result = cluster_call(
        api.create(&PostParams::default(), &review),
        &format!("asking whether this user may {verb} {resource}"),
    )
    .await?;
    Ok(result.status.is_some_and(|s| s.allowed))
}
