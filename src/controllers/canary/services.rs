//! The three Services of a Canary, as Flagger's Kubernetes router writes them: `<apex>`
//! (what clients call, on the primary pods), `<apex>-primary` and `<apex>-canary`.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result, bail};
use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::api::{Api, Patch, PatchParams};
use kube::{Resource, ResourceExt};

use crate::api::flagger::{Canary, CanaryService, CustomMetadata};

use super::FIELD_MANAGER;
use super::target::Selector;

/// The Service names: apex is `spec.service.name`, else the target's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Names {
    pub apex: String,
    pub primary: String,
    pub canary: String,
}

pub fn names(canary: &Canary) -> Names {
    let apex = canary
        .spec
        .service
        .as_ref()
        .and_then(|s| s.name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| canary.spec.target_ref.name.clone());
    Names {
        primary: format!("{apex}-primary"),
        canary: format!("{apex}-canary"),
        apex,
    }
}

/// `spec.service`, which routing cannot do without.
pub fn spec(canary: &Canary) -> Result<&CanaryService> {
    match canary.spec.service.as_ref() {
        Some(s) if s.port > 0 => Ok(s),
        Some(s) => bail!(
            "spec.service.port: {} is not a port: set the port the app's Service listens on",
            s.port
        ),
        None => bail!("spec.service is missing: set at least spec.service.port"),
    }
}

fn port(service: &CanaryService) -> ServicePort {
    ServicePort {
        name: Some(
            service
                .port_name
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "http".to_string()),
        ),
        protocol: Some("TCP".to_string()),
        port: service.port,
        target_port: Some(
            service
                .target_port
                .clone()
                .unwrap_or(IntOrString::Int(service.port)),
        ),
        app_protocol: service.app_protocol.clone(),
        ..Default::default()
    }
}

fn desired(
    canary: &Canary,
    name: &str,
    sel: &Selector,
    selector_value: String,
    metadata: Option<&CustomMetadata>,
) -> Result<Service> {
    let service = spec(canary)?;
    let mut labels = metadata.and_then(|m| m.labels.clone()).unwrap_or_default();
    labels.insert(sel.key.clone(), name.to_string());
    Ok(Service {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            namespace: canary.namespace(),
            labels: Some(labels),
            annotations: metadata.and_then(|m| m.annotations.clone()),
            owner_references: canary.controller_owner_ref(&()).map(|o| vec![o]),
            ..Default::default()
        },
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".to_string()),
            selector: Some(BTreeMap::from([(sel.key.clone(), selector_value)])),
            ports: Some(vec![port(service)]),
            ..Default::default()
        }),
        status: None,
    })
}

/// Writes the primary and canary Services, and the apex one pointing at the primary pods. An
/// apex Service the Canary does not own (the app's own) only gets its selector and port, so
/// deleting the Canary does not delete it.
pub async fn reconcile(client: &kube::Client, canary: &Canary, sel: &Selector) -> Result<Names> {
    let names = names(canary);
    let namespace = canary.namespace().unwrap_or_default();
    let api: Api<Service> = Api::namespaced(client.clone(), &namespace);
    let service = spec(canary)?;
    let wanted = [
        (&names.canary, sel.value.clone(), service.canary.as_ref()),
        (
            &names.primary,
            sel.primary_value(),
            service.primary.as_ref(),
        ),
        (&names.apex, sel.primary_value(), service.apex.as_ref()),
    ];
    for (name, value, metadata) in wanted {
        let mut svc = desired(canary, name, sel, value, metadata)?;
        if name == &names.apex
            && let Some(existing) = api.get_opt(name).await?
            && !owned_by(&existing, canary)
        {
            svc.metadata.labels = None;
            svc.metadata.annotations = None;
            svc.metadata.owner_references = None;
        }
        apply(&api, &svc).await?;
    }
    Ok(names)
}

fn owned_by<K: Resource>(obj: &K, canary: &Canary) -> bool {
    let uid = canary.uid();
    obj.meta()
        .owner_references
        .iter()
        .flatten()
        .any(|o| Some(&o.uid) == uid.as_ref())
}

async fn apply(api: &Api<Service>, svc: &Service) -> Result<()> {
    let mut body = serde_json::to_value(svc)?;
    body["apiVersion"] = "v1".into();
    body["kind"] = "Service".into();
    api.patch(
        &svc.name_any(),
        &PatchParams::apply(FIELD_MANAGER).force(),
        &Patch::Apply(&body),
    )
    .await
    .with_context(|| format!("writing Service {}", svc.name_any()))?;
    Ok(())
}
