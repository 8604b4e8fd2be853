//! The Gateway API router: an HTTPRoute `<apex>` attached to `spec.service.gatewayRefs`,
//! whose rule sends traffic to `<apex>-primary` and `<apex>-canary` by weight. For A/B
//! testing a first rule takes the requests matching `spec.analysis.match` and a second keeps
//! every other request on the primary.

use anyhow::{Context as _, Result, anyhow, bail};
use kube::api::ApiResource;
use kube::{Resource, ResourceExt};
use serde_json::{Value, json};

use crate::api::flagger::Canary;
use crate::controllers::canary::services::{self, Names};

use super::Routes;

const GROUP: &str = "gateway.networking.k8s.io";

const INSTALL: &str = "install the Gateway API CRDs";

fn http_routes(version: &str) -> ApiResource {
    super::resource(GROUP, version, "HTTPRoute", "httproutes")
}

/// Gateway API matches from Istio-shaped ones (`spec.service.match`, `spec.analysis.match`):
/// headers and query parameters match exactly or by regex, paths exactly, by prefix or regex.
fn route_matches(matches: &[Value]) -> Result<Vec<Value>> {
    matches
        .iter()
        .map(|m| {
            let mut out = serde_json::Map::new();
            for (field, kind) in [("headers", "headers"), ("queryParams", "query parameters")] {
                let Some(entries) = m.get(field).and_then(Value::as_object) else {
                    continue;
                };
                let converted = entries
                    .iter()
                    .map(|(name, string_match)| {
                        let (type_, value) = if let Some(v) = string_match.get("exact") {
                            ("Exact", v.clone())
                        } else if let Some(v) = string_match.get("regex") {
                            ("RegularExpression", v.clone())
                        } else {
                            bail!(
                                "{field}.{name}: Gateway API only matches {kind} exactly or by regex: \
                                 use exact or regex"
                            )
                        };
                        Ok(json!({ "type": type_, "name": name, "value": value }))
                    })
                    .collect::<Result<Vec<_>>>()?;
                out.insert(field.to_string(), Value::Array(converted));
            }
            if let Some(uri) = m.get("uri") {
                let path = if let Some(v) = uri.get("exact") {
                    json!({ "type": "Exact", "value": v })
                } else if let Some(v) = uri.get("prefix") {
                    json!({ "type": "PathPrefix", "value": v })
                } else if let Some(v) = uri.get("regex") {
                    json!({ "type": "RegularExpression", "value": v })
                } else {
                    bail!("uri: match it exactly, by prefix or by regex")
                };
                out.insert("path".into(), path);
            }
            if let Some(method) = m.get("method") {
                let exact = method
                    .get("exact")
                    .ok_or_else(|| anyhow!("method: Gateway API only matches methods exactly"))?;
                out.insert("method".into(), exact.clone());
            }
            Ok(Value::Object(out))
        })
        .collect()
}

fn default_matches() -> Vec<Value> {
    vec![json!({ "path": { "type": "PathPrefix", "value": "/" } })]
}

/// Every service match combined with every A/B match (headers and query parameters added).
fn merge(ab: Vec<Value>, service: &[Value]) -> Vec<Value> {
    if service.is_empty() {
        return ab;
    }
    let mut out = Vec::new();
    for s in service {
        for a in &ab {
            let mut merged = s.clone();
            for field in ["headers", "queryParams"] {
                if let Some(extra) = a.get(field).and_then(Value::as_array) {
                    let list = merged[field].as_array().cloned().unwrap_or_default();
                    merged[field] =
                        Value::Array(list.into_iter().chain(extra.iter().cloned()).collect());
                }
            }
            if merged.get("path").is_none()
                && let Some(p) = a.get("path")
            {
                merged["path"] = p.clone();
            }
            out.push(merged);
        }
    }
    out
}

fn backend(name: &str, port: i32, weight: i32) -> Value {
    json!({ "group": "", "kind": "Service", "name": name, "port": port, "weight": weight })
}

/// The HTTPRoute for `routes`.
fn desired(version: &str, canary: &Canary, names: &Names, routes: Routes) -> Result<Value> {
    let service = services::spec(canary)?;
    let gateways = service.gateway_refs.clone().unwrap_or_default();
    if gateways.is_empty() {
        bail!(
            "spec.service.gatewayRefs: GatewayRefs must be specified when using Gateway API as a provider"
        );
    }
    let as_values = |v: Option<Vec<Value>>| v.unwrap_or_default();
    let service_matches = route_matches(&as_values(service.r#match.as_ref().map(|m| {
        m.iter()
            .map(|x| serde_json::to_value(x).unwrap_or_default())
            .collect()
    })))
    .context("spec.service.match")?;
    let analysis = canary.spec.analysis.as_ref();
    let ab_matches = route_matches(&as_values(analysis.and_then(|a| a.r#match.as_ref()).map(
        |m| {
            m.iter()
                .map(|x| serde_json::to_value(x).unwrap_or_default())
                .collect()
        },
    )))
    .context("spec.analysis.match")?;

    let mut filters = Vec::new();
    if let Some(headers) = service
        .headers
        .as_ref()
        .map(serde_json::to_value)
        .transpose()?
    {
        for (field, filter) in [
            ("request", "RequestHeaderModifier"),
            ("response", "ResponseHeaderModifier"),
        ] {
            let Some(ops) = headers.get(field) else {
                continue;
            };
            let mut modifier = serde_json::Map::new();
            for op in ["add", "set"] {
                if let Some(map) = ops.get(op).and_then(Value::as_object) {
                    let list: Vec<Value> = map
                        .iter()
                        .map(|(k, v)| json!({ "name": k, "value": v }))
                        .collect();
                    modifier.insert(op.into(), Value::Array(list));
                }
            }
            if let Some(remove) = ops.get("remove") {
                modifier.insert("remove".into(), remove.clone());
            }
            let key = if field == "request" {
                "requestHeaderModifier"
            } else {
                "responseHeaderModifier"
            };
            filters.push(json!({ "type": filter, key: modifier }));
        }
    }
    if routes.mirrored {
        filters.push(json!({
            "type": "RequestMirror",
            "requestMirror": { "backendRef": { "group": "", "kind": "Service", "name": names.canary, "port": service.port } },
        }));
    }
    let weighted = vec![
        backend(&names.primary, service.port, routes.primary),
        backend(&names.canary, service.port, routes.canary),
    ];
    let rule = |matches: Vec<Value>, backends: Vec<Value>| {
        let mut rule = json!({ "matches": matches, "backendRefs": backends });
        if !filters.is_empty() {
            rule["filters"] = Value::Array(filters.clone());
        }
        if let Some(timeout) = service.timeout.as_ref().filter(|t| !t.is_empty()) {
            rule["timeouts"] = json!({ "request": timeout });
        }
        rule
    };
    let base = if service_matches.is_empty() {
        default_matches()
    } else {
        service_matches.clone()
    };
    let rules = if ab_matches.is_empty() {
        vec![rule(base, weighted)]
    } else {
        vec![
            rule(merge(ab_matches, &service_matches), weighted),
            rule(base, vec![backend(&names.primary, service.port, 100)]),
        ]
    };
    let parent_refs: Vec<Value> = gateways
        .iter()
        .map(|g| {
            let mut r = serde_json::to_value(g).unwrap_or_default();
            if r.get("group").is_none() {
                r["group"] = GROUP.into();
            }
            if r.get("kind").is_none() {
                r["kind"] = "Gateway".into();
            }
            r
        })
        .collect();
    let mut spec = json!({ "parentRefs": parent_refs, "rules": rules });
    if let Some(hosts) = service.hosts.as_ref().filter(|h| !h.is_empty()) {
        spec["hostnames"] = json!(hosts);
    }
    let metadata = service.apex.as_ref();
    Ok(json!({
        "apiVersion": format!("{GROUP}/{version}"),
        "kind": "HTTPRoute",
        "metadata": {
            "name": names.apex,
            "namespace": canary.namespace(),
            "labels": metadata.and_then(|m| m.labels.clone()),
            "annotations": metadata.and_then(|m| m.annotations.clone()),
            "ownerReferences": canary.controller_owner_ref(&()).map(|o| vec![o]),
        },
        "spec": spec,
    }))
}

async fn apply(client: &kube::Client, version: &str, canary: &Canary, body: &Value) -> Result<()> {
    super::apply(client, &http_routes(version), canary, body, INSTALL).await
}

pub async fn reconcile(
    client: &kube::Client,
    version: &str,
    canary: &Canary,
    names: &Names,
) -> Result<()> {
    let current = match get_routes(client, version, canary, names).await {
        Ok(routes) => routes,
        Err(_) => Routes::PRIMARY,
    };
    apply(
        client,
        version,
        canary,
        &desired(version, canary, names, current)?,
    )
    .await
}

pub async fn set_routes(
    client: &kube::Client,
    version: &str,
    canary: &Canary,
    names: &Names,
    routes: Routes,
) -> Result<()> {
    apply(
        client,
        version,
        canary,
        &desired(version, canary, names, routes)?,
    )
    .await
}

pub async fn get_routes(
    client: &kube::Client,
    version: &str,
    canary: &Canary,
    names: &Names,
) -> Result<Routes> {
    let route = super::get(client, &http_routes(version), canary, &names.apex, INSTALL).await?;
    routes_of(&route.data, names).ok_or_else(|| {
        anyhow!(
            "HTTPRoute {}: no rule routes to both {} and {}",
            route.name_any(),
            names.primary,
            names.canary
        )
    })
}

/// The weights of the first rule that routes to both the primary and the canary.
fn routes_of(data: &Value, names: &Names) -> Option<Routes> {
    let rules = data["spec"]["rules"].as_array()?;
    rules.iter().find_map(|rule| {
        let backends = rule["backendRefs"].as_array()?;
        let weight = |name: &str| {
            backends
                .iter()
                .find(|b| b["name"] == name)
                .map(|b| b["weight"].as_i64().unwrap_or(1) as i32)
        };
        let (primary, canary) = (weight(&names.primary)?, weight(&names.canary)?);
        let mirrored = rule["filters"]
            .as_array()
            .is_some_and(|f| f.iter().any(|f| f["type"] == "RequestMirror"));
        Some(Routes {
            primary,
            canary,
            mirrored,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn istio_shaped_matches_become_gateway_api_matches() {
        let got = route_matches(&[json!({
            "headers": { "x-canary": { "exact": "insider" }, "cookie": { "regex": "^(.*?;)?(canary=always)(;.*)?$" } },
            "uri": { "prefix": "/api" },
            "method": { "exact": "GET" },
        })])
        .unwrap();
        assert_eq!(
            got,
            [json!({
                "headers": [
                    { "type": "RegularExpression", "name": "cookie", "value": "^(.*?;)?(canary=always)(;.*)?$" },
                    { "type": "Exact", "name": "x-canary", "value": "insider" },
                ],
                "path": { "type": "PathPrefix", "value": "/api" },
                "method": "GET",
            })]
        );
        let err = route_matches(&[json!({ "headers": { "x": { "prefix": "a" } } })]).unwrap_err();
        assert!(err.to_string().contains("exactly or by regex"), "{err}");
    }

    #[test]
    fn routes_are_read_from_the_weighted_rule() {
        let names = Names {
            apex: "app".into(),
            primary: "app-primary".into(),
            canary: "app-canary".into(),
        };
        let route = json!({ "spec": { "rules": [
            { "backendRefs": [{ "name": "app-primary", "weight": 70 }, { "name": "app-canary", "weight": 30 }] },
        ] } });
        assert_eq!(
            routes_of(&route, &names),
            Some(Routes {
                primary: 70,
                canary: 30,
                mirrored: false
            })
        );
        assert_eq!(routes_of(&json!({ "spec": { "rules": [] } }), &names), None);
    }
}
