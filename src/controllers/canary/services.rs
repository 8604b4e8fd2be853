//! The three Services of a Canary, as Flagger's Kubernetes router writes them: `<apex>`
//! (what clients call, on the primary pods), `<apex>-primary` and `<apex>-canary`.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result, bail};
use k8s_openapi::api::core::v1::{Container, Service, ServicePort, ServiceSpec};
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

/// Mesh sidecars whose ports are never discovered (Flagger's list).
const SIDECARS: [&str; 2] = ["istio-proxy", "envoy"];

/// `spec.service.portDiscovery`: every container port of the target's pods but the one the
/// Service already routes (`targetPort`, else `port`), named as the container names it or
/// `tcp-<container>-<index>`, as Flagger discovers them.
pub fn discovered_ports(canary: &Canary, containers: &[Container]) -> BTreeMap<String, i32> {
    let Some(service) = canary
        .spec
        .service
        .as_ref()
        .filter(|s| s.port_discovery == Some(true))
    else {
        return BTreeMap::new();
    };
    let routed = |port: &k8s_openapi::api::core::v1::ContainerPort| match &service.target_port {
        None | Some(IntOrString::Int(0)) => port.container_port == service.port,
        Some(IntOrString::Int(n)) => port.container_port == *n,
        Some(IntOrString::String(name)) => port.name.as_deref() == Some(name.as_str()),
    };
    containers
        .iter()
        .filter(|c| !SIDECARS.contains(&c.name.as_str()))
        .flat_map(|c| {
            c.ports
                .iter()
                .flatten()
                .enumerate()
                .filter(|(_, p)| !routed(p))
                .map(move |(i, p)| {
                    let name = p
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("tcp-{}-{i}", c.name));
                    (name, p.container_port)
                })
        })
        .collect()
}

fn desired(
    canary: &Canary,
    name: &str,
    sel: &Selector,
    selector_value: String,
    metadata: Option<&CustomMetadata>,
    extra_ports: &BTreeMap<String, i32>,
) -> Result<Service> {
    let service = spec(canary)?;
    let mut ports = vec![port(service)];
    ports.extend(extra_ports.iter().map(|(name, port)| ServicePort {
        name: Some(name.clone()),
        protocol: Some("TCP".to_string()),
        port: *port,
        target_port: Some(IntOrString::Int(*port)),
        ..Default::default()
    }));
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
            ports: Some(ports),
            ..Default::default()
        }),
        status: None,
    })
}

/// Writes the primary and canary Services, and the apex one pointing at the primary pods,
/// each with `extra_ports` ([`discovered_ports`]) after the routed one. An apex Service the
/// Canary does not own (the app's own) only gets its selector and ports, so deleting the
/// Canary does not delete it.
pub async fn reconcile(
    client: &kube::Client,
    canary: &Canary,
    sel: &Selector,
    extra_ports: &BTreeMap<String, i32>,
) -> Result<Names> {
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
        let mut svc = desired(canary, name, sel, value, metadata, extra_ports)?;
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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn canary(service: Value) -> Canary {
        serde_json::from_value(json!({
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": { "name": "podinfo", "namespace": "test" },
            "spec": { "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment",
                                     "name": "podinfo" },
                      "service": service }
        }))
        .unwrap()
    }

    fn containers() -> Vec<Container> {
        serde_json::from_value(json!([
            { "name": "app", "ports": [
                { "name": "http", "containerPort": 9898 },
                { "name": "http-metrics", "containerPort": 9797 },
                { "containerPort": 8888 },
            ] },
            { "name": "istio-proxy", "ports": [{ "name": "http-envoy-prom", "containerPort": 15090 }] },
        ]))
        .unwrap()
    }

    #[test]
    fn port_discovery_adds_the_ports_the_service_does_not_route() {
        let ports = |service: Value| discovered_ports(&canary(service), &containers());
        let want = |entries: &[(&str, i32)]| {
            entries
                .iter()
                .map(|(n, p)| (n.to_string(), *p))
                .collect::<BTreeMap<_, _>>()
        };
        assert_eq!(ports(json!({ "port": 9898 })), want(&[]));
        assert_eq!(
            ports(json!({ "port": 9898, "portDiscovery": true })),
            want(&[("http-metrics", 9797), ("tcp-app-2", 8888)])
        );
        assert_eq!(
            ports(json!({ "port": 80, "targetPort": "http", "portDiscovery": true })),
            want(&[("http-metrics", 9797), ("tcp-app-2", 8888)])
        );
        assert_eq!(
            ports(json!({ "port": 80, "targetPort": 9797, "portDiscovery": true })),
            want(&[("http", 9898), ("tcp-app-2", 8888)])
        );

        let c = canary(json!({ "port": 9898, "portDiscovery": true }));
        let sel = Selector {
            key: "app".into(),
            value: "podinfo".into(),
        };
        let svc = desired(
            &c,
            "podinfo-canary",
            &sel,
            "podinfo".into(),
            None,
            &discovered_ports(&c, &containers()),
        )
        .unwrap();
        let ports: Vec<(String, i32)> = svc
            .spec
            .unwrap()
            .ports
            .unwrap()
            .into_iter()
            .map(|p| (p.name.unwrap(), p.port))
            .collect();
        assert_eq!(
            ports,
            [
                ("http".to_string(), 9898),
                ("http-metrics".to_string(), 9797),
                ("tcp-app-2".to_string(), 8888)
            ]
        );
    }
}
