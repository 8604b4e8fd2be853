//! Canaries through the mesh routers on the rig: Istio (a VirtualService and two
//! DestinationRules) and SMI (a TrafficSplit at `split.smi-spec.io/v1alpha2`, the version
//! the rig's OSM CRD serves), each stepped to promotion by `tk controller canary` with the
//! built-in request-success-rate answered from played `istio_requests_total` series; and
//! blue/green runs through Istio and Gateway API routers, mirrored and not.

use std::cell::Cell;
use std::time::{Duration, Instant};

use kube::api::{Api, DynamicObject, GroupVersionKind};
use serde_json::{Value, json};
use testenv::mesh::Mesh;
use tk::api::flagger::{Canary, CanaryPhase};

use crate::canary_support::{CanaryHarness, condition_message, phase_of};
use crate::support::rig;

const LONG: Duration = Duration::from_secs(180);

async fn api(h: &CanaryHarness, group: &str, version: &str, kind: &str) -> Api<DynamicObject> {
    let gvk = GroupVersionKind::gvk(group, version, kind);
    let (resource, _) = kube::discovery::pinned_kind(&h.client, &gvk)
        .await
        .unwrap_or_else(|e| panic!("discovering {kind}: {e}"));
    Api::namespaced_with(h.client.clone(), &h.ns, &resource)
}

/// Istio's request metrics for the target's pods, as the istio observer reads them.
fn play_istio_traffic(h: &CanaryHarness, workload: &str, per_second: f64) {
    h.exporter.counter(
        "istio_requests_total",
        &[
            ("reporter", "destination"),
            ("destination_workload_namespace", &h.ns),
            ("destination_workload", workload),
            ("response_code", "200"),
        ],
        per_second,
    );
}

/// The weight of each destination of `route` (an HTTP route of a VirtualService), by host.
fn destination_weights(route: &Value) -> Vec<(String, i64)> {
    route["route"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["destination"]["host"].as_str().unwrap().to_string(),
                d["weight"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn weights(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
    pairs.iter().map(|(h, w)| (h.to_string(), *w)).collect()
}

/// Polls `canary_weight` until the Canary `podinfo` is Succeeded, recording each new value.
async fn steps_until_succeeded(
    h: &CanaryHarness,
    canary_weight: impl AsyncFn() -> i64,
) -> Vec<i64> {
    snapshots_until_succeeded(h, "podinfo", async |_: &Canary| canary_weight().await).await
}

/// An Istio canary: the VirtualService carries the service's hosts, gateways, timeout,
/// retries, header operations and CORS policy, its weights step 10 to 30, and promotion
/// routes everything back to the primary; the DestinationRules carry the traffic policy.
#[tokio::test]
async fn istio_canary_steps_virtual_service_weights_to_promotion() {
    testenv::mesh::install(rig(), &[Mesh::Istio]).unwrap();
    let h = CanaryHarness::start("canary-istio", &[]).await;
    h.deployment("podinfo", "podinfo:1", &[]).await;
    play_istio_traffic(&h, "podinfo", 20.0);
    let traffic_policy = json!({
        "tls": { "mode": "ISTIO_MUTUAL" },
        "connectionPool": { "http": { "http1MaxPendingRequests": 10 } },
    });
    h.apply(json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
        "metadata": { "name": "podinfo" },
        "spec": {
            "provider": "istio",
            "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo" },
            "service": {
                "port": 9898,
                "hosts": ["app.example.com"],
                "gateways": ["istio-system/public-gateway", "mesh"],
                "timeout": "30s",
                "retries": { "attempts": 3, "perTryTimeout": "5s", "retryOn": "gateway-error,connect-failure" },
                "headers": { "request": { "set": { "x-route": "podinfo" } } },
                "corsPolicy": { "allowOrigins": [{ "exact": "https://example.com" }], "allowMethods": ["GET"], "maxAge": "24h" },
                "trafficPolicy": traffic_policy,
            },
            "analysis": {
                "interval": "2s", "threshold": 2, "stepWeight": 10, "maxWeight": 30,
                "metrics": [{ "name": "request-success-rate", "thresholdRange": { "min": 99 }, "interval": "1m" }],
            },
        },
    }))
    .await;
    h.wait_phase("podinfo", CanaryPhase::Initialized, LONG)
        .await;
    let canary = h.canaries().get("podinfo").await.unwrap();
    let uid = canary.metadata.uid.clone().unwrap();

    let rules = api(&h, "networking.istio.io", "v1beta1", "DestinationRule").await;
    for host in ["podinfo-primary", "podinfo-canary"] {
        let dr = rules.get(host).await.unwrap();
        assert_eq!(
            dr.data["spec"],
            json!({ "host": host, "trafficPolicy": traffic_policy }),
            "DestinationRule {host}"
        );
        let owner = &dr.metadata.owner_references.as_ref().unwrap()[0];
        assert_eq!(
            (owner.uid.as_str(), owner.controller),
            (uid.as_str(), Some(true))
        );
    }
    let services = api(&h, "networking.istio.io", "v1beta1", "VirtualService").await;
    let vs = services.get("podinfo").await.unwrap();
    assert_eq!(
        vs.metadata.annotations.as_ref().unwrap()["kustomize.toolkit.fluxcd.io/reconcile"],
        "disabled"
    );
    assert_eq!(vs.metadata.owner_references.as_ref().unwrap()[0].uid, uid);
    assert_eq!(
        vs.data["spec"],
        json!({
            "hosts": ["app.example.com", "podinfo"],
            "gateways": ["istio-system/public-gateway", "mesh"],
            "http": [{
                "timeout": "30s",
                "retries": { "attempts": 3, "perTryTimeout": "5s", "retryOn": "gateway-error,connect-failure" },
                "headers": { "request": { "set": { "x-route": "podinfo" } } },
                "corsPolicy": { "allowOrigins": [{ "exact": "https://example.com" }], "allowMethods": ["GET"], "maxAge": "24h" },
                "route": [
                    { "destination": { "host": "podinfo-primary" }, "weight": 100 },
                    { "destination": { "host": "podinfo-canary" }, "weight": 0 },
                ],
            }],
        })
    );
    // The same object read at Istio's v1 (one storage, every served version).
    let v1 = api(&h, "networking.istio.io", "v1", "VirtualService").await;
    assert_eq!(
        v1.get("podinfo").await.unwrap().data["spec"],
        vs.data["spec"]
    );

    h.deployment("podinfo", "podinfo:2", &[]).await;
    let seen = steps_until_succeeded(&h, async || {
        let vs = services.get("podinfo").await.unwrap();
        destination_weights(&vs.data["spec"]["http"][0])[1].1
    })
    .await;
    assert_eq!(
        seen,
        [0, 10, 20, 30, 0],
        "the canary's weight steps, then promotion"
    );
    let vs = services.get("podinfo").await.unwrap();
    assert_eq!(
        destination_weights(&vs.data["spec"]["http"][0]),
        weights(&[("podinfo-primary", 100), ("podinfo-canary", 0)])
    );
    assert_eq!(
        vs.data["spec"]["hosts"],
        json!(["app.example.com", "podinfo"])
    );
    assert_eq!(h.image("podinfo-primary").await, "podinfo:2");
    assert_eq!(h.replicas("podinfo").await, 0);
    let events = h.events("podinfo").await.join("\n");
    for want in [
        format!("Advance podinfo.{} canary weight 30", h.ns),
        format!("Promotion completed! Scaling down podinfo.{}", h.ns),
    ] {
        assert!(events.contains(&want), "no event {want:?} in:\n{events}");
    }
}

/// An Istio A/B run: the VirtualService's first route takes the requests with the header or
/// the cookie and sends them all to the canary during the iterations, the second keeps the
/// rest on the primary; promotion routes the first back to the primary.
#[tokio::test]
async fn istio_ab_testing_routes_matching_requests_to_the_canary_until_promotion() {
    testenv::mesh::install(rig(), &[Mesh::Istio]).unwrap();
    let h = CanaryHarness::start("canary-istio-ab", &[]).await;
    h.deployment("podinfo", "podinfo:1", &[]).await;
    play_istio_traffic(&h, "podinfo", 20.0);
    let matches = json!([
        { "headers": { "x-canary": { "exact": "insider" } } },
        { "headers": { "cookie": { "regex": "^(.*?;)?(canary=always)(;.*)?$" } } },
    ]);
    h.apply(json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
        "metadata": { "name": "podinfo" },
        "spec": {
            "provider": "istio",
            "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo" },
            "service": { "port": 9898 },
            "analysis": {
                "interval": "2s", "threshold": 2, "iterations": 3, "match": matches,
                "metrics": [{ "name": "request-success-rate", "thresholdRange": { "min": 99 }, "interval": "1m" }],
            },
        },
    }))
    .await;
    h.wait_phase("podinfo", CanaryPhase::Initialized, LONG)
        .await;
    let services = api(&h, "networking.istio.io", "v1beta1", "VirtualService").await;
    let http = |vs: &DynamicObject| vs.data["spec"]["http"].as_array().unwrap().clone();
    let vs = services.get("podinfo").await.unwrap();
    assert_eq!(vs.data["spec"]["hosts"], json!(["podinfo"]));
    assert_eq!(vs.data["spec"]["gateways"], json!(["mesh"]));
    let routes = http(&vs);
    assert_eq!(routes.len(), 2, "{routes:?}");
    assert_eq!(routes[0]["match"], matches);
    assert_eq!(
        destination_weights(&routes[0]),
        weights(&[("podinfo-primary", 100), ("podinfo-canary", 0)])
    );
    assert_eq!(routes[1].get("match"), None);
    assert_eq!(
        destination_weights(&routes[1]),
        weights(&[("podinfo-primary", 100)])
    );

    h.deployment("podinfo", "podinfo:2", &[]).await;
    h.wait_canary("podinfo", LONG, "in its first iteration", |c| {
        c.status.as_ref().and_then(|s| s.iterations).unwrap_or(0) >= 1
    })
    .await;
    let routes = http(&services.get("podinfo").await.unwrap());
    assert_eq!(routes[0]["match"], matches);
    assert_eq!(
        destination_weights(&routes[0]),
        weights(&[("podinfo-primary", 0), ("podinfo-canary", 100)])
    );
    // Flagger writes the second route's primary with the primary's weight of the split.
    assert_eq!(
        destination_weights(&routes[1]),
        weights(&[("podinfo-primary", 0)])
    );

    h.wait_phase("podinfo", CanaryPhase::Succeeded, LONG).await;
    let routes = http(&services.get("podinfo").await.unwrap());
    assert_eq!(routes[0]["match"], matches);
    assert_eq!(
        destination_weights(&routes[0]),
        weights(&[("podinfo-primary", 100), ("podinfo-canary", 0)])
    );
    assert_eq!(
        destination_weights(&routes[1]),
        weights(&[("podinfo-primary", 100)])
    );
    assert_eq!(h.image("podinfo-primary").await, "podinfo:2");
    let events = h.events("podinfo").await.join("\n");
    let want = format!("Advance podinfo.{} canary iteration 3/3", h.ns);
    assert!(events.contains(&want), "no event {want:?} in:\n{events}");
}

/// An SMI canary (`smi:v1alpha2`): the TrafficSplit's integer weights step 20 to 40, then
/// promotion. A `linkerd` canary, whose TrafficSplit is `v1alpha1` (not served by the rig's
/// CRD), is told so on its condition; an `osm` canary is promoted through the same router.
#[tokio::test]
async fn smi_canary_steps_traffic_split_weights_to_promotion() {
    testenv::mesh::install(rig(), &[Mesh::Smi]).unwrap();
    let h = CanaryHarness::start("canary-smi", &[]).await;
    h.deployment("podinfo", "podinfo:1", &[]).await;
    play_istio_traffic(&h, "podinfo", 20.0);
    let canary = |name: &str, provider: &str| {
        json!({
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": { "name": name },
            "spec": {
                "provider": provider,
                "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": name },
                "service": { "port": 9898 },
                "analysis": {
                    "interval": "2s", "threshold": 2, "stepWeight": 20, "maxWeight": 40,
                    "metrics": [{ "name": "request-success-rate", "thresholdRange": { "min": 99 }, "interval": "1m" }],
                },
            },
        })
    };
    h.apply(canary("podinfo", "smi:v1alpha2")).await;
    h.wait_phase("podinfo", CanaryPhase::Initialized, LONG)
        .await;
    let uid = h
        .canaries()
        .get("podinfo")
        .await
        .unwrap()
        .metadata
        .uid
        .unwrap();
    let splits = api(&h, "split.smi-spec.io", "v1alpha2", "TrafficSplit").await;
    let split = splits.get("podinfo").await.unwrap();
    assert_eq!(
        split.data["spec"],
        json!({
            "service": "podinfo",
            "backends": [
                { "service": "podinfo-canary", "weight": 0 },
                { "service": "podinfo-primary", "weight": 100 },
            ],
        })
    );
    assert_eq!(
        split.metadata.owner_references.as_ref().unwrap()[0].uid,
        uid
    );

    h.deployment("podinfo", "podinfo:2", &[]).await;
    let seen = steps_until_succeeded(&h, async || {
        let split = splits.get("podinfo").await.unwrap();
        split.data["spec"]["backends"][0]["weight"]
            .as_i64()
            .unwrap()
    })
    .await;
    assert_eq!(
        seen,
        [0, 20, 40, 0],
        "the canary's weight steps, then promotion"
    );
    let split = splits.get("podinfo").await.unwrap();
    assert_eq!(
        split.data["spec"]["backends"],
        json!([
            { "service": "podinfo-canary", "weight": 0 },
            { "service": "podinfo-primary", "weight": 100 },
        ])
    );
    assert_eq!(h.image("podinfo-primary").await, "podinfo:2");

    h.deployment("meshed", "podinfo:1", &[]).await;
    h.apply(canary("meshed", "linkerd")).await;
    let c = h
        .wait_canary("meshed", LONG, "reporting the unserved TrafficSplit", |c| {
            condition_message(c).contains("TrafficSplit")
        })
        .await;
    assert!(
        condition_message(&c).contains("does not serve split.smi-spec.io/v1alpha1"),
        "{}",
        condition_message(&c)
    );

    // `osm`: Flagger's v1alpha2 router, the success rate read from OSM's own metrics (with
    // no `osm_request_total` series the checks would find no values and roll back).
    h.exporter.counter(
        "osm_request_total",
        &[
            ("destination_namespace", &h.ns),
            ("destination_kind", "Deployment"),
            ("destination_name", "osmapp"),
            ("response_code", "200"),
        ],
        20.0,
    );
    h.deployment("osmapp", "podinfo:1", &[]).await;
    h.apply(canary("osmapp", "osm")).await;
    h.wait_phase("osmapp", CanaryPhase::Initialized, LONG).await;
    assert_eq!(
        splits.get("osmapp").await.unwrap().data["spec"]["backends"][1],
        json!({ "service": "osmapp-primary", "weight": 100 })
    );
    h.deployment("osmapp", "podinfo:2", &[]).await;
    h.wait_phase("osmapp", CanaryPhase::Succeeded, LONG).await;
    assert_eq!(h.image("osmapp-primary").await, "podinfo:2");
    let events = h.events("osmapp").await.join("\n");
    let want = format!("Advance osmapp.{} canary weight 40", h.ns);
    assert!(events.contains(&want), "no event {want:?} in:\n{events}");
}

/// Polls Canary `name`, then `snapshot` of what the controller wrote (given the Canary as just
/// read), until the Canary is Succeeded, recording each snapshot that differs from the last.
async fn snapshots_until_succeeded<T: PartialEq + std::fmt::Debug>(
    h: &CanaryHarness,
    name: &str,
    snapshot: impl AsyncFn(&Canary) -> T,
) -> Vec<T> {
    let mut seen = Vec::new();
    let deadline = Instant::now() + LONG;
    loop {
        let c = h.canaries().get(name).await.unwrap();
        let s = snapshot(&c).await;
        if seen.last() != Some(&s) {
            seen.push(s);
        }
        if phase_of(&c) == CanaryPhase::Succeeded {
            return seen;
        }
        assert!(
            Instant::now() < deadline,
            "canary {name}: seen {seen:#?}; status {:?}",
            c.status
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether the Canary, as read, is in its 1st or 2nd blue/green iteration: the routes read
/// right after belong to the iterations (the switch to the canary comes two ticks later).
fn mid_iterations(c: &Canary) -> bool {
    phase_of(c) == CanaryPhase::Progressing
        && matches!(c.status.as_ref().and_then(|s| s.iterations), Some(1..=2))
}

/// Istio blue/green with mirroring: during the iterations the VirtualService keeps all traffic
/// on the primary and mirrors `mirrorWeight` percent of it to the canary; after the last one
/// it routes everything to the canary (no mirror) while the primary still runs the old
/// revision; then the primary gets the new one and takes the traffic back.
#[tokio::test]
async fn istio_blue_green_mirrors_then_switches_all_traffic_to_the_canary() {
    testenv::mesh::install(rig(), &[Mesh::Istio]).unwrap();
    let h = CanaryHarness::start("canary-istio-bg", &[]).await;
    h.deployment("podinfo", "podinfo:1", &[]).await;
    play_istio_traffic(&h, "podinfo", 20.0);
    h.apply(json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
        "metadata": { "name": "podinfo" },
        "spec": {
            "provider": "istio",
            "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo" },
            "service": { "port": 9898 },
            "analysis": {
                "interval": "2s", "threshold": 2, "iterations": 3,
                "mirror": true, "mirrorWeight": 50,
                "metrics": [{ "name": "request-success-rate", "thresholdRange": { "min": 99 }, "interval": "1m" }],
            },
        },
    }))
    .await;
    h.wait_phase("podinfo", CanaryPhase::Initialized, LONG)
        .await;
    // The VirtualService's HTTP routes for a split, with Flagger's mirror when `mirrored`.
    let http = |primary: i64, canary: i64, mirrored: bool| {
        let mut route = json!({ "route": [
            { "destination": { "host": "podinfo-primary" }, "weight": primary },
            { "destination": { "host": "podinfo-canary" }, "weight": canary },
        ] });
        if mirrored {
            route["mirror"] = json!({ "host": "podinfo-canary" });
            route["mirrorPercentage"] = json!({ "value": 50 });
        }
        json!([route])
    };
    let services = api(&h, "networking.istio.io", "v1beta1", "VirtualService").await;
    assert_eq!(
        services.get("podinfo").await.unwrap().data["spec"]["http"],
        http(100, 0, false)
    );

    h.deployment("podinfo", "podinfo:2", &[]).await;
    let mirrored_polls = Cell::new(0);
    let seen = snapshots_until_succeeded(&h, "podinfo", async |c: &Canary| {
        let routes = services.get("podinfo").await.unwrap().data["spec"]["http"].clone();
        if mid_iterations(c) {
            assert_eq!(
                routes,
                http(100, 0, true),
                "the VirtualService at iteration {:?}",
                c.status.as_ref().and_then(|s| s.iterations)
            );
            mirrored_polls.set(mirrored_polls.get() + 1);
        }
        (routes, h.image("podinfo-primary").await)
    })
    .await;
    assert!(mirrored_polls.get() > 0, "no poll during the iterations");
    let old = || "podinfo:1".to_string();
    let new = || "podinfo:2".to_string();
    assert_eq!(
        seen,
        [
            (http(100, 0, false), old()),
            (http(100, 0, true), old()),
            (http(0, 100, false), old()),
            (http(0, 100, false), new()),
            (http(100, 0, false), new()),
        ],
        "mirroring, all traffic to the canary, promotion, back to the primary"
    );
    assert_eq!(h.image("podinfo-primary").await, "podinfo:2");
    assert_eq!(h.replicas("podinfo").await, 0, "the target is scaled down");
    let events = h.events("podinfo").await;
    let mut iterations: Vec<String> = events
        .iter()
        .filter(|e| e.contains("canary iteration"))
        .cloned()
        .collect();
    iterations.sort();
    let want: Vec<String> = (1..=3)
        .map(|i| format!("Advance podinfo.{} canary iteration {i}/3", h.ns))
        .collect();
    assert_eq!(iterations, want, "one event per iteration");
    let events = events.join("\n");
    for want in [
        "Stop traffic mirroring and route all traffic to canary".to_string(),
        format!(
            "Copying podinfo.{0} template spec to podinfo-primary.{0}",
            h.ns
        ),
        "Routing all traffic to primary".to_string(),
        format!("Promotion completed! Scaling down podinfo.{}", h.ns),
    ] {
        assert!(events.contains(&want), "no event {want:?} in:\n{events}");
    }
    assert!(
        !events.contains("Routing all traffic to canary"),
        "a mirrored run says it stops mirroring:\n{events}"
    );
}

/// Gateway API blue/green, one Canary mirroring and one not, side by side: during the
/// iterations the HTTPRoute keeps all traffic on the primary (the mirrored one with Flagger's
/// RequestMirror filter to the canary Service), after them it routes everything to the canary
/// (no filter) while the primary still runs the old revision, and promotion routes it back.
#[tokio::test]
async fn gatewayapi_blue_green_switches_traffic_with_and_without_mirroring() {
    testenv::mesh::install(rig(), &[Mesh::GatewayApi]).unwrap();
    let h = CanaryHarness::start("canary-gw-bg", &[]).await;
    let runs = [("mirrored", true), ("switched", false)];
    for (name, mirror) in runs {
        h.deployment(name, &format!("{name}:1"), &[]).await;
        h.apply(json!({
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": { "name": name },
            "spec": {
                "provider": "gatewayapi:v1",
                "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": name },
                "service": { "port": 9898, "gatewayRefs": [{ "name": "public", "namespace": "gateways" }] },
                "analysis": { "interval": "2s", "threshold": 2, "iterations": 3, "mirror": mirror },
            },
        }))
        .await;
    }
    for (name, _) in runs {
        h.wait_phase(name, CanaryPhase::Initialized, LONG).await;
    }
    let routes = api(&h, "gateway.networking.k8s.io", "v1", "HTTPRoute").await;
    // The weights of the route's rule and its filters (null when none), and the primary's image.
    let state = async |name: &str| {
        let route = routes.get(name).await.unwrap();
        let rules = route.data["spec"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 1, "HTTPRoute {name}: {rules:?}");
        let weight = |service: String| {
            rules[0]["backendRefs"]
                .as_array()
                .unwrap()
                .iter()
                .find(|b| b["name"] == service.as_str())
                .unwrap_or_else(|| panic!("HTTPRoute {name}: no backendRef {service}"))["weight"]
                .as_i64()
                .unwrap()
        };
        (
            weight(format!("{name}-primary")),
            weight(format!("{name}-canary")),
            rules[0].get("filters").cloned().unwrap_or(Value::Null),
            h.image(&format!("{name}-primary")).await,
        )
    };
    // Flagger's mirror of the weighted rule (pkg/router/gateway_api.go SetRoutes).
    let mirror = json!([{
        "type": "RequestMirror",
        "requestMirror": { "backendRef": { "group": "", "kind": "Service", "name": "mirrored-canary", "port": 9898 } },
    }]);
    for (name, _) in runs {
        assert_eq!(
            state(name).await,
            (100, 0, Value::Null, format!("{name}:1"))
        );
        h.deployment(name, &format!("{name}:2"), &[]).await;
    }
    let observe = async |name: &str, during: Value| {
        let polls = Cell::new(0);
        let seen = snapshots_until_succeeded(&h, name, async |c: &Canary| {
            let s = state(name).await;
            if mid_iterations(c) {
                assert_eq!(
                    (s.0, s.1, &s.2),
                    (100, 0, &during),
                    "HTTPRoute {name} at iteration {:?}",
                    c.status.as_ref().and_then(|s| s.iterations)
                );
                polls.set(polls.get() + 1);
            }
            s
        })
        .await;
        assert!(polls.get() > 0, "{name}: no poll during the iterations");
        seen
    };
    let (mirrored, switched) = tokio::join!(
        observe("mirrored", mirror.clone()),
        observe("switched", Value::Null)
    );
    let at = |name: &str, primary: i64, canary: i64, filters: &Value, revision: u8| {
        (
            primary,
            canary,
            filters.clone(),
            format!("{name}:{revision}"),
        )
    };
    let none = Value::Null;
    assert_eq!(
        mirrored,
        [
            at("mirrored", 100, 0, &none, 1),
            at("mirrored", 100, 0, &mirror, 1),
            at("mirrored", 0, 100, &none, 1),
            at("mirrored", 0, 100, &none, 2),
            at("mirrored", 100, 0, &none, 2),
        ],
        "mirroring, all traffic to the canary, promotion, back to the primary"
    );
    assert_eq!(
        switched,
        [
            at("switched", 100, 0, &none, 1),
            at("switched", 0, 100, &none, 1),
            at("switched", 0, 100, &none, 2),
            at("switched", 100, 0, &none, 2),
        ],
        "all traffic to the canary, promotion, back to the primary"
    );
    for (name, mirror) in runs {
        assert_eq!(
            h.image(&format!("{name}-primary")).await,
            format!("{name}:2")
        );
        assert_eq!(
            h.replicas(name).await,
            0,
            "{name}: the target is scaled down"
        );
        let events = h.events(name).await.join("\n");
        let (said, unsaid) = if mirror {
            (
                "Stop traffic mirroring and route all traffic to canary",
                "Routing all traffic to canary",
            )
        } else {
            ("Routing all traffic to canary", "Stop traffic mirroring")
        };
        for want in [
            format!("Advance {name}.{} canary iteration 3/3", h.ns),
            said.to_string(),
            format!(
                "Copying {name}.{0} template spec to {name}-primary.{0}",
                h.ns
            ),
            format!("Promotion completed! Scaling down {name}.{}", h.ns),
        ] {
            assert!(
                events.contains(&want),
                "{name}: no event {want:?} in:\n{events}"
            );
        }
        assert!(!events.contains(unsaid), "{name}: {unsaid:?} in:\n{events}");
    }
}
