//! The Istio router, as Flagger's (pkg/router/istio.go): a VirtualService `<apex>` whose HTTP
//! route sends traffic to `<apex>-primary` and `<apex>-canary` by weight, and a
//! DestinationRule for each of those two hosts carrying `spec.service.trafficPolicy`.
//!
//! The VirtualService answers for `spec.service.hosts` plus the apex Service, on
//! `spec.service.gateways` (the `mesh` gateway when none is named), and its route carries the
//! service's match, rewrite, timeout, retries, CORS policy and header operations. For A/B
//! testing a first route takes the requests matching `spec.analysis.match` (merged with the
//! service's matches) and a second one sends every other request to the primary. Mirroring
//! adds a `mirror` of the canary host, at `spec.analysis.mirrorWeight` percent when set. A
//! service whose appProtocol is `tcp` gets a TCP route instead. A delegate VirtualService
//! (`spec.service.delegation`) has neither hosts nor gateways.

use anyhow::{Result, anyhow, bail};
use kube::ResourceExt;
use kube::api::ApiResource;
use serde_json::{Map, Value, json};

use crate::api::flagger::Canary;
use crate::controllers::canary::services::{self, Names};

use super::Routes;

const GROUP: &str = "networking.istio.io";
/// The version Flagger's Istio router reads and writes (pkg/apis/istio/v1beta1); Istio serves
/// it next to v1 and v1alpha3, from the same storage.
const VERSION: &str = "v1beta1";
const INSTALL: &str = "install Istio's CRDs";

/// The annotation Flagger puts on the VirtualService so Flux does not undo its weights.
const FLUX_RECONCILE: (&str, &str) = ("kustomize.toolkit.fluxcd.io/reconcile", "disabled");

fn virtual_services() -> ApiResource {
    super::resource(GROUP, VERSION, "VirtualService", "virtualservices")
}

fn destination_rules() -> ApiResource {
    super::resource(GROUP, VERSION, "DestinationRule", "destinationrules")
}

fn metadata(canary: &Canary, name: &str) -> Map<String, Value> {
    let mut meta = Map::new();
    meta.insert("name".into(), name.into());
    meta.insert(
        "namespace".into(),
        canary.namespace().unwrap_or_default().into(),
    );
    if let Some(owners) = super::owner_references(canary) {
        meta.insert("ownerReferences".into(), owners);
    }
    meta
}

/// The DestinationRule for `host`: the service's traffic policy.
fn destination_rule(canary: &Canary, host: &str) -> Result<Value> {
    let service = services::spec(canary)?;
    let mut spec = json!({ "host": host });
    if let Some(policy) = service.traffic_policy.as_ref() {
        spec["trafficPolicy"] = serde_json::to_value(policy)?;
    }
    Ok(json!({
        "apiVersion": format!("{GROUP}/{VERSION}"),
        "kind": "DestinationRule",
        "metadata": metadata(canary, host),
        "spec": spec,
    }))
}

fn is_tcp(canary: &Canary) -> bool {
    canary
        .spec
        .service
        .as_ref()
        .and_then(|s| s.app_protocol.as_deref())
        .is_some_and(|p| p.eq_ignore_ascii_case("tcp"))
}

/// Drops the fields Flagger's Go types leave out when false or zero (`omitempty`).
fn without_zero_values(mut value: Value, fields: &[&str]) -> Value {
    if let Some(map) = value.as_object_mut() {
        map.retain(|k, v| {
            !(fields.contains(&k.as_str())
                && (v == &Value::Bool(false) || v == &json!(0) || v == &json!("")))
        });
    }
    value
}

/// `spec.service.match`, as Flagger writes Istio's HTTPMatchRequests.
fn service_matches(canary: &Canary) -> Result<Vec<Value>> {
    let service = services::spec(canary)?;
    service
        .r#match
        .iter()
        .flatten()
        .map(|m| {
            Ok(without_zero_values(
                serde_json::to_value(m)?,
                &["ignoreUriCase", "port", "name", "sourceNamespace"],
            ))
        })
        .collect()
}

fn ab_matches(canary: &Canary) -> Result<Vec<Value>> {
    canary
        .spec
        .analysis
        .as_ref()
        .and_then(|a| a.r#match.as_ref())
        .into_iter()
        .flatten()
        .map(|m| Ok(serde_json::to_value(m)?))
        .collect()
}

/// Flagger's mergeMatchConditions: every service match, once per A/B match, with the A/B
/// match's headers and source labels. Query parameters are carried too (Flagger drops them
/// when the service has matches, which would send more requests to the canary than asked).
fn merge_matches(ab: Vec<Value>, service: &[Value]) -> Vec<Value> {
    if service.is_empty() {
        return ab;
    }
    let mut merged = Vec::new();
    for a in &ab {
        for s in service {
            let mut m = s.clone();
            for field in ["headers", "sourceLabels", "queryParams"] {
                if let Some(v) = a.get(field) {
                    m[field] = v.clone();
                }
            }
            merged.push(m);
        }
    }
    merged
}

/// A weighted destination; it names the port when the route is bound to an ingress gateway
/// or delegated and the service discovers ports (Flagger's makeDestination).
fn destination(canary: &Canary, host: &str, weight: i32) -> Result<Value> {
    let service = services::spec(canary)?;
    let gateways = service.gateways.as_deref().unwrap_or_default();
    let delegation = service.delegation == Some(true);
    let mut dest = json!({ "host": host });
    if service.port_discovery == Some(true)
        && ((!gateways.is_empty() && gateways[0] != "mesh") || delegation)
    {
        dest["port"] = json!({ "number": service.port });
    }
    Ok(json!({ "destination": dest, "weight": weight }))
}

/// The fields every HTTP route of the VirtualService shares.
fn route_settings(canary: &Canary) -> Result<Map<String, Value>> {
    let service = services::spec(canary)?;
    let mut common = Map::new();
    if let Some(rewrite) = service.rewrite.as_ref() {
        // Istio's rewrite: the URI and the authority (the `type` is Gateway API's).
        let mut r = Map::new();
        for (field, value) in [("uri", &rewrite.uri), ("authority", &rewrite.authority)] {
            if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
                r.insert(field.into(), v.clone().into());
            }
        }
        common.insert("rewrite".into(), Value::Object(r));
    }
    if let Some(timeout) = service.timeout.as_ref().filter(|t| !t.is_empty()) {
        common.insert("timeout".into(), timeout.clone().into());
    }
    if let Some(retries) = service.retries.as_ref() {
        let mut r = serde_json::to_value(retries)?;
        // Flagger's HTTPRetry always writes its attempts.
        if r.get("attempts").is_none() {
            r["attempts"] = 0.into();
        }
        common.insert("retries".into(), r);
    }
    if let Some(cors) = service.cors_policy.as_ref() {
        common.insert(
            "corsPolicy".into(),
            without_zero_values(serde_json::to_value(cors)?, &["allowCredentials"]),
        );
    }
    if let Some(headers) = service.headers.as_ref() {
        common.insert("headers".into(), serde_json::to_value(headers)?);
    }
    Ok(common)
}

fn http_route(common: &Map<String, Value>, matches: &[Value], route: Vec<Value>) -> Value {
    let mut r = common.clone();
    if !matches.is_empty() {
        r.insert("match".into(), matches.to_vec().into());
    }
    r.insert("route".into(), route.into());
    Value::Object(r)
}

/// The VirtualService for `routes`.
fn virtual_service(canary: &Canary, names: &Names, routes: Routes) -> Result<Value> {
    let service = services::spec(canary)?;
    let delegation = service.delegation == Some(true);
    let mut hosts = service.hosts.clone().unwrap_or_default();
    let mut gateways = service.gateways.clone().unwrap_or_default();
    if delegation && (!hosts.is_empty() || !gateways.is_empty()) {
        bail!(
            "spec.service.delegation: a delegate VirtualService {} cannot have hosts and gateways: \
             remove spec.service.hosts and spec.service.gateways",
            names.apex
        );
    }
    if canary
        .spec
        .analysis
        .as_ref()
        .is_some_and(|a| a.session_affinity.is_some())
    {
        bail!("spec.analysis.sessionAffinity: not supported by tk's istio router yet: remove it");
    }
    if !hosts.iter().any(|h| h == &names.apex || h == "*") {
        hosts.push(names.apex.clone());
    }
    if gateways.is_empty() {
        gateways.push("mesh".into());
    }
    if delegation {
        hosts.clear();
        gateways.clear();
    }

    let weighted = vec![
        destination(canary, &names.primary, routes.primary)?,
        destination(canary, &names.canary, routes.canary)?,
    ];
    let mut spec = json!({ "hosts": hosts });
    if !gateways.is_empty() {
        spec["gateways"] = json!(gateways);
    }
    if is_tcp(canary) {
        let matches: Vec<Value> = service
            .r#match
            .iter()
            .flatten()
            .map(|m| without_zero_values(json!({ "port": m.port.unwrap_or(0) }), &["port"]))
            .collect();
        let mut route = json!({ "route": weighted });
        if !matches.is_empty() {
            route["match"] = matches.into();
        }
        spec["tcp"] = json!([route]);
    } else {
        let common = route_settings(canary)?;
        let service_matches = service_matches(canary)?;
        let ab = ab_matches(canary)?;
        let http = if ab.is_empty() {
            let mut route = http_route(&common, &service_matches, weighted);
            if routes.mirrored {
                route["mirror"] = json!({ "host": names.canary });
                if let Some(w) = canary
                    .spec
                    .analysis
                    .as_ref()
                    .and_then(|a| a.mirror_weight)
                    .filter(|w| *w > 0)
                {
                    route["mirrorPercentage"] = json!({ "value": w });
                }
            }
            vec![route]
        } else {
            vec![
                http_route(&common, &merge_matches(ab, &service_matches), weighted),
                http_route(
                    &common,
                    &service_matches,
                    vec![destination(canary, &names.primary, routes.primary)?],
                ),
            ]
        };
        spec["http"] = http.into();
    }

    let mut meta = metadata(canary, &names.apex);
    let apex = service.apex.as_ref();
    if let Some(labels) = apex
        .and_then(|m| m.labels.clone())
        .filter(|l| !l.is_empty())
    {
        meta.insert("labels".into(), json!(labels));
    }
    let mut annotations = apex.and_then(|m| m.annotations.clone()).unwrap_or_default();
    annotations.insert(FLUX_RECONCILE.0.into(), FLUX_RECONCILE.1.into());
    meta.insert("annotations".into(), json!(annotations));
    Ok(json!({
        "apiVersion": format!("{GROUP}/{VERSION}"),
        "kind": "VirtualService",
        "metadata": meta,
        "spec": spec,
    }))
}

async fn write(
    client: &kube::Client,
    canary: &Canary,
    names: &Names,
    routes: Routes,
) -> Result<()> {
    let body = virtual_service(canary, names, routes)?;
    super::apply(client, &virtual_services(), canary, &body, INSTALL).await
}

/// Writes the DestinationRules, then the VirtualService with its current weights and mirror
/// (primary only when it has none yet).
pub async fn reconcile(client: &kube::Client, canary: &Canary, names: &Names) -> Result<()> {
    for host in [&names.canary, &names.primary] {
        let body = destination_rule(canary, host)?;
        super::apply(client, &destination_rules(), canary, &body, INSTALL).await?;
    }
    // A VirtualService that is missing or routes elsewhere (one being adopted) starts on the
    // primary; failing to read it is no reason to reset the weights.
    let current = super::get_opt(client, &virtual_services(), canary, &names.apex, INSTALL)
        .await?
        .and_then(|vs| routes_of(&vs.data, names, is_tcp(canary)))
        .unwrap_or(Routes::PRIMARY);
    write(client, canary, names, current).await
}

pub async fn set_routes(
    client: &kube::Client,
    canary: &Canary,
    names: &Names,
    routes: Routes,
) -> Result<()> {
    write(client, canary, names, routes).await
}

pub async fn get_routes(client: &kube::Client, canary: &Canary, names: &Names) -> Result<Routes> {
    let vs = super::get(client, &virtual_services(), canary, &names.apex, INSTALL).await?;
    routes_of(&vs.data, names, is_tcp(canary)).ok_or_else(|| {
        anyhow!(
            "VirtualService {} does not contain routes for {} and {}",
            names.apex,
            names.primary,
            names.canary
        )
    })
}

/// Flagger's GetRoutes: the weights of the last route that sends to the canary, and whether
/// that route mirrors; none when neither weight is set.
fn routes_of(data: &Value, names: &Names, tcp: bool) -> Option<Routes> {
    let routes = data["spec"][if tcp { "tcp" } else { "http" }].as_array()?;
    let route = routes.iter().rev().find(|r| {
        r["route"]
            .as_array()
            .is_some_and(|d| d.iter().any(|d| d["destination"]["host"] == names.canary))
    })?;
    let weight = |host: &str| {
        route["route"]
            .as_array()
            .into_iter()
            .flatten()
            .rfind(|d| d["destination"]["host"] == host)
            .and_then(|d| d["weight"].as_i64())
            .unwrap_or(0) as i32
    };
    let (primary, canary) = (weight(&names.primary), weight(&names.canary));
    if primary == 0 && canary == 0 {
        return None;
    }
    let mirrored = !tcp
        && route["mirror"]["host"]
            .as_str()
            .is_some_and(|h| !h.is_empty());
    Some(Routes {
        primary,
        canary,
        mirrored,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::canary::services;

    const OWNER: &str = "6f1cd2d5-7a3e-4a5e-9f55-2d8b6e1f0c11";

    fn canary(name: &str, spec: Value) -> Canary {
        serde_json::from_value(json!({
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": { "name": name, "namespace": "default", "uid": OWNER },
            "spec": spec,
        }))
        .unwrap()
    }

    fn owner(name: &str) -> Value {
        json!([{
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary", "name": name, "uid": OWNER,
            "controller": true, "blockOwnerDeletion": true,
        }])
    }

    /// Flagger's newTestCanary (pkg/router/router_test.go).
    fn podinfo() -> Canary {
        canary(
            "podinfo",
            json!({
                "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo" },
                "service": {
                    "port": 9898,
                    "portDiscovery": true,
                    "headers": {
                        "request": { "add": { "x-envoy-upstream-rq-timeout-ms": "15000" }, "remove": ["test"] },
                        "response": { "remove": ["token"] },
                    },
                    "corsPolicy": { "allowMethods": ["GET", "POST"] },
                    "match": [{ "name": "podinfo", "uri": { "prefix": "/podinfo" }, "method": { "exact": "GET" }, "ignoreUriCase": true }],
                    "retries": { "attempts": 10, "perTryTimeout": "30s" },
                    "gateways": ["public-gateway.istio", "mesh"],
                },
                "analysis": { "threshold": 10, "stepWeight": 10, "maxWeight": 50 },
            }),
        )
    }

    /// Flagger's newTestABTest.
    fn abtest() -> Canary {
        canary(
            "abtest",
            json!({
                "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "abtest" },
                "service": { "port": 9898, "meshName": "global" },
                "analysis": {
                    "threshold": 10, "iterations": 2,
                    "match": [{ "headers": { "x-user-type": { "exact": "test" } } }],
                },
            }),
        )
    }

    fn dest(host: &str, weight: i32, port: Option<i32>) -> Value {
        let mut d = json!({ "destination": { "host": host }, "weight": weight });
        if let Some(p) = port {
            d["destination"]["port"] = json!({ "number": p });
        }
        d
    }

    #[test]
    fn virtual_service_is_flaggers() {
        let c = podinfo();
        let names = services::names(&c);
        let got = virtual_service(&c, &names, Routes::PRIMARY).unwrap();
        assert_eq!(
            got,
            json!({
                "apiVersion": "networking.istio.io/v1beta1",
                "kind": "VirtualService",
                "metadata": {
                    "name": "podinfo", "namespace": "default",
                    "annotations": { "kustomize.toolkit.fluxcd.io/reconcile": "disabled" },
                    "ownerReferences": owner("podinfo"),
                },
                "spec": {
                    "hosts": ["podinfo"],
                    "gateways": ["public-gateway.istio", "mesh"],
                    "http": [{
                        "match": [{ "name": "podinfo", "uri": { "prefix": "/podinfo" }, "method": { "exact": "GET" }, "ignoreUriCase": true }],
                        "retries": { "attempts": 10, "perTryTimeout": "30s" },
                        "corsPolicy": { "allowMethods": ["GET", "POST"] },
                        "headers": {
                            "request": { "add": { "x-envoy-upstream-rq-timeout-ms": "15000" }, "remove": ["test"] },
                            "response": { "remove": ["token"] },
                        },
                        // Bound to an ingress gateway with port discovery: the port is named.
                        "route": [dest("podinfo-primary", 100, Some(9898)), dest("podinfo-canary", 0, Some(9898))],
                    }],
                },
            })
        );
    }

    #[test]
    fn destination_rules_carry_the_traffic_policy() {
        let mut c = podinfo();
        c.spec.service.as_mut().unwrap().traffic_policy = Some(
            serde_json::from_value(json!({
                "tls": { "mode": "ISTIO_MUTUAL" },
                "loadBalancer": { "simple": "LEAST_REQUEST" },
            }))
            .unwrap(),
        );
        assert_eq!(
            destination_rule(&c, "podinfo-canary").unwrap(),
            json!({
                "apiVersion": "networking.istio.io/v1beta1",
                "kind": "DestinationRule",
                "metadata": { "name": "podinfo-canary", "namespace": "default", "ownerReferences": owner("podinfo") },
                "spec": {
                    "host": "podinfo-canary",
                    "trafficPolicy": { "tls": { "mode": "ISTIO_MUTUAL" }, "loadBalancer": { "simple": "LEAST_REQUEST" } },
                },
            })
        );
        let plain = canary(
            "app",
            json!({ "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "app" }, "service": { "port": 80 } }),
        );
        assert_eq!(
            destination_rule(&plain, "app-primary").unwrap()["spec"],
            json!({ "host": "app-primary" })
        );
    }

    #[test]
    fn hosts_gain_the_apex_and_gateways_default_to_the_mesh() {
        let c = canary(
            "app",
            json!({
                "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "app" },
                "service": { "port": 80, "hosts": ["app.example.com"], "timeout": "15s",
                    "rewrite": { "uri": "/", "type": "ReplacePrefixMatch" } },
            }),
        );
        let vs = virtual_service(&c, &services::names(&c), Routes::PRIMARY).unwrap();
        assert_eq!(
            vs["spec"],
            json!({
                "hosts": ["app.example.com", "app"],
                "gateways": ["mesh"],
                "http": [{
                    "rewrite": { "uri": "/" },
                    "timeout": "15s",
                    "route": [dest("app-primary", 100, None), dest("app-canary", 0, None)],
                }],
            })
        );
        let mut wildcard = c.clone();
        wildcard.spec.service.as_mut().unwrap().hosts = Some(vec!["*".into()]);
        let vs = virtual_service(&wildcard, &services::names(&c), Routes::PRIMARY).unwrap();
        assert_eq!(vs["spec"]["hosts"], json!(["*"]));
    }

    #[test]
    fn ab_testing_routes_matching_requests_first_then_the_rest_to_the_primary() {
        let c = abtest();
        let names = services::names(&c);
        let reconciled = virtual_service(&c, &names, Routes::PRIMARY).unwrap();
        assert_eq!(
            reconciled["spec"],
            json!({
                "hosts": ["abtest"],
                "gateways": ["mesh"],
                "http": [
                    {
                        "match": [{ "headers": { "x-user-type": { "exact": "test" } } }],
                        "route": [dest("abtest-primary", 100, None), dest("abtest-canary", 0, None)],
                    },
                    { "route": [dest("abtest-primary", 100, None)] },
                ],
            })
        );
        // Flagger's TestIstioRouter_ABTest: SetRoutes(0, 100).
        let all = Routes {
            primary: 0,
            canary: 100,
            mirrored: false,
        };
        let during = virtual_service(&c, &names, all).unwrap();
        assert_eq!(
            during["spec"]["http"],
            json!([
                {
                    "match": [{ "headers": { "x-user-type": { "exact": "test" } } }],
                    "route": [dest("abtest-primary", 0, None), dest("abtest-canary", 100, None)],
                },
                { "route": [dest("abtest-primary", 0, None)] },
            ])
        );
        assert_eq!(routes_of(&during, &names, false), Some(all));
    }

    #[test]
    fn ab_matches_are_merged_with_every_service_match() {
        // Flagger's TestIstioRouter_Match.
        let mut c = abtest();
        c.spec.service.as_mut().unwrap().r#match = Some(
            serde_json::from_value(json!([{ "name": "podinfo", "uri": { "prefix": "/podinfo" }, "method": { "exact": "GET" }, "ignoreUriCase": true }]))
                .unwrap(),
        );
        c.spec.analysis.as_mut().unwrap().r#match = Some(
            serde_json::from_value(json!([
                { "headers": { "x-user-type": { "exact": "test" }, "x-auth-test": { "exact": "test" } } },
                { "headers": { "x-session-id": { "exact": "test" } } },
            ]))
            .unwrap(),
        );
        let vs = virtual_service(&c, &services::names(&c), Routes::PRIMARY).unwrap();
        let service_match = json!({ "name": "podinfo", "uri": { "prefix": "/podinfo" }, "method": { "exact": "GET" }, "ignoreUriCase": true });
        let with = |headers: Value| {
            let mut m = service_match.clone();
            m["headers"] = headers;
            m
        };
        assert_eq!(
            vs["spec"]["http"][0]["match"],
            json!([
                with(
                    json!({ "x-auth-test": { "exact": "test" }, "x-user-type": { "exact": "test" } })
                ),
                with(json!({ "x-session-id": { "exact": "test" } })),
            ])
        );
        assert_eq!(vs["spec"]["http"][1]["match"], json!([service_match]));
    }

    #[test]
    fn mirroring_names_the_canary_and_its_percentage() {
        // Flagger's TestIstioRouter_SetRoutes "mirror": no percentage at mirrorWeight 0.
        for (w, percentage) in [(0, None), (10, Some(json!({ "value": 10 })))] {
            let mut c = podinfo();
            c.spec.analysis.as_mut().unwrap().mirror = Some(true);
            c.spec.analysis.as_mut().unwrap().mirror_weight = Some(w);
            let names = services::names(&c);
            let mirrored = Routes {
                mirrored: true,
                ..Routes::PRIMARY
            };
            let vs = virtual_service(&c, &names, mirrored).unwrap();
            let route = &vs["spec"]["http"][0];
            assert_eq!(route["mirror"], json!({ "host": "podinfo-canary" }));
            assert_eq!(route.get("mirrorPercentage"), percentage.as_ref());
            assert_eq!(routes_of(&vs, &names, false), Some(mirrored));
            // Reconciled without a mirror, none is written.
            let plain = virtual_service(&c, &names, Routes::PRIMARY).unwrap();
            assert_eq!(plain["spec"]["http"][0].get("mirror"), None);
        }
    }

    #[test]
    fn a_delegate_has_no_hosts_nor_gateways() {
        // Flagger's TestIstioRouter_Delegate.
        let mut c = podinfo();
        let service = c.spec.service.as_mut().unwrap();
        service.delegation = Some(true);
        service.gateways = Some(vec![]);
        let vs = virtual_service(&c, &services::names(&c), Routes::PRIMARY).unwrap();
        assert_eq!(vs["spec"]["hosts"], json!([]));
        assert_eq!(vs["spec"].get("gateways"), None);
        assert_eq!(
            vs["spec"]["http"][0]["route"][0],
            dest("podinfo-primary", 100, Some(9898))
        );
        let err = virtual_service(
            &podinfo_delegating_with_gateways(),
            &services::names(&c),
            Routes::PRIMARY,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("cannot have hosts and gateways"),
            "{err}"
        );
    }

    fn podinfo_delegating_with_gateways() -> Canary {
        let mut c = podinfo();
        c.spec.service.as_mut().unwrap().delegation = Some(true);
        c
    }

    #[test]
    fn tcp_services_get_a_tcp_route() {
        // Flagger's newTestCanaryTCP.
        let c = canary(
            "podinfo",
            json!({
                "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo" },
                "service": { "port": 9898, "portDiscovery": true, "appProtocol": "TCP",
                    "match": [{ "port": 9898 }], "gateways": ["istio/public-gateway", "mesh"] },
            }),
        );
        let names = services::names(&c);
        let routes = Routes {
            primary: 60,
            canary: 40,
            mirrored: false,
        };
        let vs = virtual_service(&c, &names, routes).unwrap();
        assert_eq!(
            vs["spec"],
            json!({
                "hosts": ["podinfo"],
                "gateways": ["istio/public-gateway", "mesh"],
                "tcp": [{
                    "match": [{ "port": 9898 }],
                    "route": [dest("podinfo-primary", 60, Some(9898)), dest("podinfo-canary", 40, Some(9898))],
                }],
            })
        );
        assert_eq!(routes_of(&vs, &names, true), Some(routes));
    }

    #[test]
    fn session_affinity_is_refused() {
        let mut c = podinfo();
        c.spec.analysis.as_mut().unwrap().session_affinity =
            Some(serde_json::from_value(json!({ "cookieName": "flagger-cookie" })).unwrap());
        let err = virtual_service(&c, &services::names(&c), Routes::PRIMARY).unwrap_err();
        assert!(
            err.to_string().contains("spec.analysis.sessionAffinity"),
            "{err}"
        );
    }

    #[test]
    fn routes_are_read_from_the_last_route_to_the_canary() {
        let names = services::names(&podinfo());
        let vs = json!({ "spec": { "http": [
            { "route": [dest("podinfo-primary", 0, None), dest("podinfo-canary", 100, None)] },
            { "route": [dest("podinfo-primary", 70, None), dest("podinfo-canary", 30, None)],
              "mirror": { "host": "podinfo-canary" } },
            { "route": [dest("podinfo-primary", 100, None)] },
        ] } });
        assert_eq!(
            routes_of(&vs, &names, false),
            Some(Routes {
                primary: 70,
                canary: 30,
                mirrored: true
            })
        );
        // A VirtualService that does not route to the canary (someone else's) has no routes.
        let foreign = json!({ "spec": { "http": [{ "route": [dest("podinfo", 100, None)] }] } });
        assert_eq!(routes_of(&foreign, &names, false), None);
        assert_eq!(routes_of(&json!({ "spec": {} }), &names, false), None);
    }
}
