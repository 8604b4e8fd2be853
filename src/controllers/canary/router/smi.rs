//! The SMI router, as Flagger's (pkg/router/smi.go, smi_v1alpha2.go, smi_v1alpha3.go): a
//! TrafficSplit `<apex>` for the service `spec.service.hosts[0]` (the apex Service when
//! unset) whose backends are `<apex>-canary` and `<apex>-primary` with their weights. At
//! `v1alpha1` a weight is a resource quantity (`"100"`), from `v1alpha2` on an integer.
//! Providers `smi:v1alpha1`, `smi:v1alpha2`, `smi:v1alpha3` and `linkerd` (the v1alpha1 one).
//!
//! A TrafficSplit neither mirrors nor matches requests: mirroring is ignored, as Flagger does,
//! and an A/B analysis (`spec.analysis.match`) is refused, where Flagger would send every
//! request to the canary during its iterations.

use anyhow::{Result, anyhow, bail};
use kube::ResourceExt;
use kube::api::ApiResource;
use serde_json::{Map, Value, json};

use crate::api::flagger::Canary;
use crate::controllers::canary::services::{self, Names};

use super::Routes;

const GROUP: &str = "split.smi-spec.io";
const INSTALL: &str = "install the SMI TrafficSplit CRD of your mesh";

fn traffic_splits(version: &str) -> ApiResource {
    super::resource(GROUP, version, "TrafficSplit", "trafficsplits")
}

/// A backend weight as `version` spells it.
fn weight(version: &str, weight: i32) -> Value {
    if version == "v1alpha1" {
        // resource.Quantity, DecimalExponent: "0", "100".
        Value::String(weight.to_string())
    } else {
        Value::from(weight)
    }
}

/// The TrafficSplit for `routes`.
fn traffic_split(version: &str, canary: &Canary, names: &Names, routes: Routes) -> Result<Value> {
    let service = services::spec(canary)?;
    if canary
        .spec
        .analysis
        .as_ref()
        .and_then(|a| a.r#match.as_ref())
        .is_some_and(|m| !m.is_empty())
    {
        bail!(
            "spec.analysis.match: a TrafficSplit cannot route by request, so A/B testing is not \
             possible with the SMI router: remove the match or use the istio or gatewayapi:v1 provider"
        );
    }
    let host = service
        .hosts
        .as_ref()
        .and_then(|h| h.first())
        .cloned()
        .unwrap_or_else(|| names.apex.clone());
    let mut metadata = Map::new();
    metadata.insert("name".into(), names.apex.clone().into());
    metadata.insert(
        "namespace".into(),
        canary.namespace().unwrap_or_default().into(),
    );
    if let Some(owners) = super::owner_references(canary) {
        metadata.insert("ownerReferences".into(), owners);
    }
    Ok(json!({
        "apiVersion": format!("{GROUP}/{version}"),
        "kind": "TrafficSplit",
        "metadata": metadata,
        "spec": {
            "service": host,
            "backends": [
                { "service": names.canary, "weight": weight(version, routes.canary) },
                { "service": names.primary, "weight": weight(version, routes.primary) },
            ],
        },
    }))
}

async fn write(
    client: &kube::Client,
    version: &str,
    canary: &Canary,
    names: &Names,
    routes: Routes,
) -> Result<()> {
    let body = traffic_split(version, canary, names, routes)?;
    super::apply(client, &traffic_splits(version), canary, &body, INSTALL).await
}

/// Writes the TrafficSplit with its current weights (primary only when it has none yet).
pub async fn reconcile(
    client: &kube::Client,
    version: &str,
    canary: &Canary,
    names: &Names,
) -> Result<()> {
    // A TrafficSplit that is missing or splits elsewhere starts on the primary; failing to
    // read it is no reason to reset the weights.
    let current = super::get_opt(
        client,
        &traffic_splits(version),
        canary,
        &names.apex,
        INSTALL,
    )
    .await?
    .and_then(|ts| routes_of(&ts.data, names))
    .unwrap_or(Routes::PRIMARY);
    write(client, version, canary, names, current).await
}

pub async fn set_routes(
    client: &kube::Client,
    version: &str,
    canary: &Canary,
    names: &Names,
    routes: Routes,
) -> Result<()> {
    write(
        client,
        version,
        canary,
        names,
        Routes {
            mirrored: false,
            ..routes
        },
    )
    .await
}

pub async fn get_routes(
    client: &kube::Client,
    version: &str,
    canary: &Canary,
    names: &Names,
) -> Result<Routes> {
    let split = super::get(
        client,
        &traffic_splits(version),
        canary,
        &names.apex,
        INSTALL,
    )
    .await?;
    routes_of(&split.data, names).ok_or_else(|| {
        anyhow!(
            "TrafficSplit {} does not contain routes for {} and {}",
            names.apex,
            names.primary,
            names.canary
        )
    })
}

/// The weights of the primary and canary backends (integers, or quantities that are whole
/// numbers); none when neither is set. A TrafficSplit never mirrors.
fn routes_of(data: &Value, names: &Names) -> Option<Routes> {
    let backends = data["spec"]["backends"].as_array()?;
    let weight = |service: &str| {
        backends
            .iter()
            .rfind(|b| b["service"] == service)
            .and_then(|b| match &b["weight"] {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.parse::<i64>().ok(),
                _ => None,
            })
            .unwrap_or(0) as i32
    };
    let (primary, canary) = (weight(&names.primary), weight(&names.canary));
    if primary == 0 && canary == 0 {
        return None;
    }
    Some(Routes {
        primary,
        canary,
        mirrored: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWNER: &str = "0b5c7e0e-3f0a-4d8e-8f3a-54d1b2c3d4e5";

    /// Flagger's newTestSMICanary (pkg/router/router_test.go).
    fn podinfo() -> Canary {
        serde_json::from_value(json!({
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": { "name": "podinfo", "namespace": "default", "uid": OWNER },
            "spec": {
                "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo" },
                "service": { "name": "podinfo", "port": 80, "portName": "http", "targetPort": 9898, "portDiscovery": true },
                "analysis": { "threshold": 10, "stepWeight": 10, "maxWeight": 50 },
            },
        }))
        .unwrap()
    }

    fn split(version: &str, canary: Value, primary: Value) -> Value {
        json!({
            "apiVersion": format!("split.smi-spec.io/{version}"),
            "kind": "TrafficSplit",
            "metadata": {
                "name": "podinfo", "namespace": "default",
                "ownerReferences": [{
                    "apiVersion": "flagger.app/v1beta1", "kind": "Canary", "name": "podinfo", "uid": OWNER,
                    "controller": true, "blockOwnerDeletion": true,
                }],
            },
            "spec": {
                "service": "podinfo",
                "backends": [
                    { "service": "podinfo-canary", "weight": canary },
                    { "service": "podinfo-primary", "weight": primary },
                ],
            },
        })
    }

    #[test]
    fn v1alpha1_weights_are_quantities() {
        let c = podinfo();
        let names = services::names(&c);
        assert_eq!(
            traffic_split("v1alpha1", &c, &names, Routes::PRIMARY).unwrap(),
            split("v1alpha1", json!("0"), json!("100"))
        );
        let half = Routes {
            primary: 50,
            canary: 50,
            mirrored: false,
        };
        let ts = traffic_split("v1alpha1", &c, &names, half).unwrap();
        assert_eq!(ts, split("v1alpha1", json!("50"), json!("50")));
        assert_eq!(routes_of(&ts, &names), Some(half));
    }

    #[test]
    fn v1alpha2_and_v1alpha3_weights_are_integers() {
        let c = podinfo();
        let names = services::names(&c);
        for version in ["v1alpha2", "v1alpha3"] {
            assert_eq!(
                traffic_split(version, &c, &names, Routes::PRIMARY).unwrap(),
                split(version, json!(0), json!(100))
            );
            let step = Routes {
                primary: 90,
                canary: 10,
                mirrored: false,
            };
            let ts = traffic_split(version, &c, &names, step).unwrap();
            assert_eq!(ts, split(version, json!(10), json!(90)));
            assert_eq!(routes_of(&ts, &names), Some(step));
        }
    }

    #[test]
    fn the_split_service_is_the_first_host() {
        let mut c = podinfo();
        c.spec.service.as_mut().unwrap().hosts = Some(vec!["podinfo.test".into(), "x".into()]);
        let ts = traffic_split("v1alpha2", &c, &services::names(&c), Routes::PRIMARY).unwrap();
        assert_eq!(ts["spec"]["service"], "podinfo.test");
    }

    #[test]
    fn ab_testing_is_refused() {
        let mut c = podinfo();
        c.spec.analysis.as_mut().unwrap().r#match = Some(
            serde_json::from_value(json!([{ "headers": { "x-canary": { "exact": "insider" } } }]))
                .unwrap(),
        );
        let err = traffic_split("v1alpha2", &c, &services::names(&c), Routes::PRIMARY).unwrap_err();
        assert!(err.to_string().contains("spec.analysis.match"), "{err}");
    }

    #[test]
    fn a_split_without_weights_has_no_routes() {
        let names = services::names(&podinfo());
        let empty = json!({ "spec": { "backends": [{ "service": "podinfo-canary" }, { "service": "podinfo-primary", "weight": "500m" }] } });
        assert_eq!(routes_of(&empty, &names), None);
        assert_eq!(routes_of(&json!({}), &names), None);
    }
}
