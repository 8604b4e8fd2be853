//! Canaries on the rig: `tk controller canary` drives Deployments (made Ready by kwok) through
//! Flagger's phases, with a real Prometheus answering the metric checks and a local server
//! answering the webhooks.

use std::time::Duration;

use kube::ResourceExt;
use kube::api::{Api, DynamicObject, GroupVersionKind, Patch, PatchParams};
use serde_json::json;
use testenv::mesh::Mesh;
use tk::api::flagger::CanaryPhase;

use crate::canary_support::{CanaryHarness, condition_message, phase_of};
use crate::support::rig;

const LONG: Duration = Duration::from_secs(180);

/// The talk's Canary (../shared/seed), in its Flagger v1beta1 form: the interval has a unit,
/// the metrics sit under `analysis`, and the analysis names its kind (Flagger's schema wants
/// one of iterations, stepWeight, stepWeights). No provider: the kubernetes provider runs it
/// as blue/green, over the ten iterations Flagger would also pick for it.
#[tokio::test]
async fn the_talks_canary_runs_to_promotion() {
    let h = CanaryHarness::start("canary-seed", &[]).await;
    h.deployment("podinfo", "ghcr.io/stefanprodan/podinfo:4.0.0", &[])
        .await;
    h.play_http_traffic("podinfo", 20.0, 0.0);
    h.apply(json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
        "metadata": { "name": "podinfo" },
        "spec": {
            "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo" },
            "service": { "port": 9898 },
            "analysis": {
                "interval": "5s",
                "threshold": 1,
                "iterations": 10,
                "metrics": [{ "name": "request-success-rate", "thresholdRange": { "min": 99 }, "interval": "1m" }],
            },
        },
    }))
    .await;
    h.wait_phase("podinfo", CanaryPhase::Initialized, LONG)
        .await;
    assert_eq!(
        h.image("podinfo-primary").await,
        "ghcr.io/stefanprodan/podinfo:4.0.0"
    );
    assert_eq!(
        h.replicas("podinfo").await,
        0,
        "the target is scaled to zero"
    );
    let services: Api<k8s_openapi::api::core::v1::Service> =
        Api::namespaced(h.client.clone(), &h.ns);
    for (name, selector) in [
        ("podinfo", "podinfo-primary"),
        ("podinfo-primary", "podinfo-primary"),
        ("podinfo-canary", "podinfo"),
    ] {
        let svc = services
            .get(name)
            .await
            .unwrap_or_else(|e| panic!("Service {name}: {e}"));
        let spec = svc.spec.unwrap();
        assert_eq!(spec.selector.unwrap()["app"], selector, "Service {name}");
        assert_eq!(spec.ports.unwrap()[0].port, 9898);
    }

    h.deployment("podinfo", "ghcr.io/stefanprodan/podinfo:4.0.1", &[])
        .await;
    h.wait_phase("podinfo", CanaryPhase::Progressing, LONG)
        .await;
    h.wait_phase("podinfo", CanaryPhase::Succeeded, LONG).await;
    assert_eq!(
        h.image("podinfo-primary").await,
        "ghcr.io/stefanprodan/podinfo:4.0.1"
    );
    assert_eq!(
        h.replicas("podinfo").await,
        0,
        "the canary is scaled down after promotion"
    );
    let events = h.events("podinfo").await.join("\n");
    for want in [
        format!("Initialization done! podinfo.{}", h.ns),
        format!("New revision detected! Scaling up podinfo.{}", h.ns),
        format!("Advance podinfo.{} canary iteration 10/10", h.ns),
        format!(
            "Copying podinfo.{0} template spec to podinfo-primary.{0}",
            h.ns
        ),
        format!("Promotion completed! Scaling down podinfo.{}", h.ns),
    ] {
        assert!(events.contains(&want), "no event {want:?} in:\n{events}");
    }
}

fn route_weights(route: &DynamicObject) -> (i64, i64) {
    let backends = route.data["spec"]["rules"][0]["backendRefs"]
        .as_array()
        .unwrap();
    let weight = |name: &str| {
        backends.iter().find(|b| b["name"] == name).unwrap()["weight"]
            .as_i64()
            .unwrap()
    };
    (weight("podinfo-primary"), weight("podinfo-canary"))
}

async fn http_route(h: &CanaryHarness) -> Api<DynamicObject> {
    let gvk = GroupVersionKind::gvk("gateway.networking.k8s.io", "v1", "HTTPRoute");
    let (resource, _) = kube::discovery::pinned_kind(&h.client, &gvk).await.unwrap();
    Api::namespaced_with(h.client.clone(), &h.ns, &resource)
}

/// A Gateway API canary with a MetricTemplate and Flagger's webhooks: weights step 10 to 50,
/// the promotion waits for its gate, and a controller restart mid-analysis neither resets
/// the weights nor promotes twice.
#[tokio::test]
async fn gateway_api_canary_steps_weights_waits_for_its_gate_and_promotes_once() {
    testenv::mesh::install(rig(), &[Mesh::GatewayApi]).unwrap();
    let mut h = CanaryHarness::start("canary-gw", &[]).await;
    h.deployment("podinfo", "podinfo:1", &[]).await;
    h.play_http_traffic("podinfo", 20.0, 0.0);
    h.apply(json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "MetricTemplate",
        "metadata": { "name": "error-rate" },
        "spec": {
            "provider": { "type": "prometheus", "address": h.prometheus.url() },
            "query": "sum(rate(http_request_duration_seconds_count{kubernetes_namespace=\"{{ namespace }}\",status=~\"5..\"}[{{ interval }}])) / sum(rate(http_request_duration_seconds_count{kubernetes_namespace=\"{{ namespace }}\"}[{{ interval }}])) * 100",
        },
    }))
    .await;
    let hook = |name: &str, type_: &str, path: &str| json!({ "name": name, "type": type_, "url": h.hooks.url(path), "metadata": { "type": "cmd", "cmd": "hey -z 1m http://podinfo-canary:9898/" } });
    h.hooks.set_status("/gate", 403);
    h.apply(json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
        "metadata": { "name": "podinfo" },
        "spec": {
            "provider": "gatewayapi:v1",
            "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo" },
            "service": { "port": 9898, "gatewayRefs": [{ "name": "public", "namespace": "gateways" }], "hosts": ["app.example.com"] },
            "analysis": {
                "interval": "2s", "threshold": 2, "stepWeight": 10, "maxWeight": 50,
                "metrics": [{ "name": "error-rate", "interval": "10s", "templateRef": { "name": "error-rate" }, "thresholdRange": { "max": 1 } }],
                "webhooks": [
                    hook("smoke", "pre-rollout", "/pre"),
                    hook("load", "rollout", "/load"),
                    hook("approve", "confirm-promotion", "/gate"),
                    hook("notify", "post-rollout", "/post"),
                ],
            },
        },
    }))
    .await;
    h.wait_phase("podinfo", CanaryPhase::Initialized, LONG)
        .await;
    let routes = http_route(&h).await;
    let route = routes.get("podinfo").await.unwrap();
    assert_eq!(route_weights(&route), (100, 0));
    assert_eq!(
        route.data["spec"]["parentRefs"][0],
        json!({ "group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "public", "namespace": "gateways" })
    );
    assert_eq!(route.data["spec"]["hostnames"], json!(["app.example.com"]));

    h.deployment("podinfo", "podinfo:2", &[]).await;
    // Watch the weights step up, restarting the controller once the canary has 20%.
    let mut seen = Vec::new();
    let mut restarted = false;
    let deadline = std::time::Instant::now() + LONG;
    loop {
        let (_, canary) = route_weights(&routes.get("podinfo").await.unwrap());
        if seen.last() != Some(&canary) {
            seen.push(canary);
        }
        if canary == 20 && !restarted {
            h.stop_controller();
            h.start_controller();
            restarted = true;
        }
        let c = h.canaries().get("podinfo").await.unwrap();
        if phase_of(&c) == CanaryPhase::WaitingPromotion {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "weights seen {seen:?}; status {:?}",
            c.status
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen, [0, 10, 20, 30, 40, 50], "the canary's weight steps");
    // The gate holds: still waiting a few ticks later, at 50%.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let c = h.canaries().get("podinfo").await.unwrap();
    assert_eq!(phase_of(&c), CanaryPhase::WaitingPromotion);
    assert_eq!(c.status.as_ref().unwrap().canary_weight, Some(50));
    assert_eq!(
        h.image("podinfo-primary").await,
        "podinfo:1",
        "nothing promoted before approval"
    );
    h.hooks.set_status("/gate", 200);
    h.wait_phase("podinfo", CanaryPhase::Succeeded, LONG).await;
    assert_eq!(h.image("podinfo-primary").await, "podinfo:2");
    assert_eq!(
        route_weights(&routes.get("podinfo").await.unwrap()),
        (100, 0)
    );
    assert_eq!(h.replicas("podinfo").await, 0);

    let pre = h.hooks.requests("/pre");
    assert_eq!(pre.len(), 1, "pre-rollout runs once per analysis");
    let payload = pre[0].json.clone().unwrap();
    assert_eq!(payload["name"], "podinfo");
    assert_eq!(payload["namespace"], h.ns.as_str());
    assert_eq!(payload["phase"], "Progressing");
    assert_eq!(payload["metadata"]["type"], "cmd");
    assert!(payload["checksum"].as_str().is_some_and(|c| !c.is_empty()));
    assert!(
        h.hooks.count("/load") >= 4,
        "the rollout hook runs every analysis step"
    );
    let post = h.hooks.requests("/post");
    assert_eq!(post.len(), 1, "promoted once: {post:?}");
    assert_eq!(post[0].json.as_ref().unwrap()["phase"], "Succeeded");
}

/// A success rate that drops fails the checks; after `threshold` failures the canary rolls
/// back: all traffic to the primary, the target at zero, the primary untouched.
#[tokio::test]
async fn failing_checks_roll_the_canary_back_after_the_threshold() {
    testenv::mesh::install(rig(), &[Mesh::GatewayApi]).unwrap();
    let h = CanaryHarness::start("canary-fail", &[]).await;
    h.deployment("podinfo", "podinfo:1", &[]).await;
    h.play_http_traffic("podinfo", 20.0, 0.0);
    h.apply(json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "AlertProvider",
        "metadata": { "name": "on-call" },
        "spec": { "type": "slack", "channel": "on-call", "address": h.hooks.url("/slack") },
    }))
    .await;
    h.apply(json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
        "metadata": { "name": "podinfo" },
        "spec": {
            "provider": "gatewayapi:v1",
            "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo" },
            "service": { "port": 9898, "gatewayRefs": [{ "name": "public" }] },
            "analysis": {
                "interval": "2s", "threshold": 2, "stepWeight": 20, "maxWeight": 60,
                "metrics": [{ "name": "success", "interval": "10s",
                    "query": format!("sum(rate(http_request_duration_seconds_count{{kubernetes_namespace=\"{}\",status!~\"5..\"}}[10s])) / sum(rate(http_request_duration_seconds_count{{kubernetes_namespace=\"{}\"}}[10s])) * 100", h.ns, h.ns),
                    "thresholdRange": { "min": 99 } }],
                "alerts": [
                    { "name": "on-call", "severity": "error", "providerRef": { "name": "on-call" } },
                    { "name": "team", "severity": "info", "providerRef": { "name": "on-call" } },
                ],
            },
        },
    }))
    .await;
    h.wait_phase("podinfo", CanaryPhase::Initialized, LONG)
        .await;
    h.deployment("podinfo", "podinfo:2", &[]).await;
    h.wait_canary("podinfo", LONG, "at weight 20", |c| {
        c.status.as_ref().and_then(|s| s.canary_weight) == Some(20)
    })
    .await;
    // Half the requests now fail.
    h.play_http_traffic("podinfo", 20.0, 10.0);
    h.wait_phase("podinfo", CanaryPhase::Failed, LONG).await;
    let routes = http_route(&h).await;
    assert_eq!(
        route_weights(&routes.get("podinfo").await.unwrap()),
        (100, 0)
    );
    assert_eq!(h.replicas("podinfo").await, 0);
    assert_eq!(h.image("podinfo-primary").await, "podinfo:1");
    let events = h.events("podinfo").await.join("\n");
    for want in [
        format!("Halt podinfo.{} advancement success", h.ns),
        format!(
            "Rolling back podinfo.{} failed checks threshold reached 2",
            h.ns
        ),
        format!("Canary failed! Scaling down podinfo.{}", h.ns),
    ] {
        assert!(events.contains(&want), "no event {want:?} in:\n{events}");
    }
    // Slack's webhook API: the info alert gets the start (with Flagger's fields), both get
    // the failure.
    let texts: Vec<(String, serde_json::Value)> = h
        .hooks
        .requests("/slack")
        .into_iter()
        .filter_map(|r| r.json)
        .map(|j| {
            (
                j["attachments"][0]["text"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                j,
            )
        })
        .collect();
    let count = |text: &str| texts.iter().filter(|(t, _)| t == text).count();
    assert_eq!(
        count("New revision detected, progressing canary analysis."),
        1,
        "{texts:?}"
    );
    assert_eq!(count("Failed checks threshold reached 2"), 2, "{texts:?}");
    let (_, start) = texts
        .iter()
        .find(|(t, _)| t.starts_with("New revision"))
        .unwrap();
    assert_eq!(start["channel"], "on-call");
    assert_eq!(
        start["attachments"][0]["author_name"],
        format!("podinfo.{}", h.ns)
    );
    let fields: Vec<&str> = start["attachments"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "Target",
            "Failed checks threshold",
            "Progress deadline",
            "Traffic routing"
        ]
    );
}

/// Bad input gets a message on the Canary's `Promoted` condition and loses nothing.
#[tokio::test]
async fn bad_input_is_named_on_the_canary() {
    let h = CanaryHarness::start("canary-bad", &[]).await;
    let canary = |name: &str, target: &str, extra: serde_json::Value| {
        let mut c = json!({
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": { "name": name },
            "spec": {
                "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": target },
                "service": { "port": 9898 },
                "analysis": { "interval": "2s", "threshold": 1, "iterations": 2 },
            },
        });
        for (k, v) in extra.as_object().unwrap() {
            c["spec"]["analysis"][k] = v.clone();
        }
        c
    };
    // A target that does not exist.
    h.apply(canary("missing", "nowhere", json!({}))).await;
    let c = h
        .wait_canary("missing", LONG, "reporting the missing target", |c| {
            condition_message(c).contains("not found")
        })
        .await;
    assert!(
        condition_message(&c).contains("spec.targetRef: Deployment nowhere not found"),
        "{}",
        condition_message(&c)
    );

    // A MetricTemplate whose Prometheus does not answer: initialization waits, saying why.
    h.deployment("unreachable", "app:1", &[]).await;
    h.apply(json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "MetricTemplate",
        "metadata": { "name": "nowhere" },
        "spec": { "provider": { "type": "prometheus", "address": "http://127.0.0.1:9" }, "query": "vector(1)" },
    }))
    .await;
    h.apply(canary(
        "unreachable",
        "unreachable",
        json!({ "metrics": [{ "name": "m", "templateRef": { "name": "nowhere" } }] }),
    ))
    .await;
    let c = h
        .wait_canary(
            "unreachable",
            LONG,
            "reporting the unreachable provider",
            |c| condition_message(c).contains("Error checking metric providers"),
        )
        .await;
    assert!(
        condition_message(&c).contains("http://127.0.0.1:9"),
        "{}",
        condition_message(&c)
    );
    assert_eq!(phase_of(&c), CanaryPhase::Initializing);

    // Weights that cannot progress.
    h.deployment("weights", "app:1", &[]).await;
    let mut bad = canary("weights", "weights", json!({ "stepWeights": [30, 20] }));
    bad["spec"]["provider"] = json!("gatewayapi:v1");
    bad["spec"]["analysis"]
        .as_object_mut()
        .unwrap()
        .remove("iterations");
    h.apply(bad).await;
    let c = h
        .wait_canary("weights", LONG, "reporting the weights", |c| {
            condition_message(c).contains("stepWeights")
        })
        .await;
    assert!(
        condition_message(&c).contains("must increase"),
        "{}",
        condition_message(&c)
    );

    // A query Prometheus refuses counts as a failed check, never as a pass.
    h.deployment("badquery", "app:1", &[]).await;
    h.apply(json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "MetricTemplate",
        "metadata": { "name": "broken" },
        "spec": { "provider": { "type": "prometheus", "address": h.prometheus.url() }, "query": "sum(rate(" },
    }))
    .await;
    h.apply(canary("badquery", "badquery", json!({ "metrics": [{ "name": "broken", "templateRef": { "name": "broken" }, "thresholdRange": { "max": 1 } }] }))).await;
    h.wait_phase("badquery", CanaryPhase::Initialized, LONG)
        .await;
    h.deployment("badquery", "app:2", &[]).await;
    h.wait_phase("badquery", CanaryPhase::Failed, LONG).await;
    assert_eq!(h.image("badquery-primary").await, "app:1");
    let events = h.events("badquery").await.join("\n");
    assert!(
        events.contains("Metric query failed for broken"),
        "{events}"
    );
}

/// An autoscaled target gets an HPA for its primary; `tk promote`'s approval opens a held
/// confirm-promotion gate for that revision; deleting a Canary with `revertOnDeletion` hands
/// the app back (target scaled up, apex Service on the target's pods and kept).
#[tokio::test]
async fn approval_autoscaler_and_revert_on_deletion() {
    let h = CanaryHarness::start("canary-revert", &[]).await;
    h.deployment("podinfo", "podinfo:1", &[]).await;
    h.apply(json!({
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": { "name": "podinfo" },
        "spec": {
            "scaleTargetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo" },
            "minReplicas": 1, "maxReplicas": 3,
            "metrics": [{ "type": "Resource", "resource": { "name": "cpu", "target": { "type": "Utilization", "averageUtilization": 90 } } }],
        },
    }))
    .await;
    h.hooks.set_status("/gate", 403);
    h.hooks.set_status("/rollout-gate", 403);
    h.apply(json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
        "metadata": { "name": "podinfo" },
        "spec": {
            "revertOnDeletion": true,
            "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo" },
            "autoscalerRef": { "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "name": "podinfo" },
            "service": { "port": 9898 },
            "analysis": {
                "interval": "2s", "threshold": 1, "iterations": 1,
                "webhooks": [
                    { "name": "start", "type": "confirm-rollout", "url": h.hooks.url("/rollout-gate") },
                    { "name": "approve", "type": "confirm-promotion", "url": h.hooks.url("/gate") },
                ],
            },
        },
    }))
    .await;
    let c = h
        .wait_phase("podinfo", CanaryPhase::Initialized, LONG)
        .await;
    assert!(
        c.finalizers().iter().any(|f| f == "finalizer.flagger.app"),
        "{:?}",
        c.metadata.finalizers
    );
    let hpas: Api<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler> =
        Api::namespaced(h.client.clone(), &h.ns);
    let hpa = hpas
        .get("podinfo-primary")
        .await
        .expect("the primary's HPA");
    let spec = hpa.spec.unwrap();
    assert_eq!(spec.scale_target_ref.name, "podinfo-primary");
    assert_eq!(spec.max_replicas, 3);

    h.deployment("podinfo", "podinfo:2", &[]).await;
    // The rollout waits at its confirm-rollout gate until `tk promote` approves it.
    h.wait_phase("podinfo", CanaryPhase::Waiting, LONG).await;
    let out =
        crate::support::tk_async(format!("promote canary podinfo -n {} --timeout 120s", h.ns))
            .await;
    let text = crate::support::output_text(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("✔ canary rollout approved"), "{text}");
    let c = h
        .wait_phase("podinfo", CanaryPhase::WaitingPromotion, LONG)
        .await;
    let rollout_approval = c.annotations()[tk::api::flagger::APPROVED_ROLLOUT_ANNOTATION].clone();
    assert_eq!(
        Some(rollout_approval),
        c.status.as_ref().unwrap().last_applied_spec.clone(),
        "the rollout was approved by the revision the analysis runs"
    );
    let events = h.events("podinfo").await.join("\n");
    let want = format!(
        "Rollout of podinfo.{} approved by canary.tk-gitops.io/approved-rollout",
        h.ns
    );
    assert!(events.contains(&want), "no event {want:?} in:\n{events}");
    let applied = c.status.unwrap().last_applied_spec.unwrap();
    // An approval of another revision opens nothing.
    let approve = |revision: String| {
        let patch = json!({ "metadata": { "annotations": { tk::api::flagger::APPROVED_REVISION_ANNOTATION: revision } } });
        let canaries = h.canaries();
        async move {
            canaries
                .patch("podinfo", &PatchParams::default(), &Patch::Merge(&patch))
                .await
                .unwrap();
        }
    };
    approve("stale".into()).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        phase_of(&h.canaries().get("podinfo").await.unwrap()),
        CanaryPhase::WaitingPromotion
    );
    approve(applied).await;
    h.wait_phase("podinfo", CanaryPhase::Succeeded, LONG).await;
    assert_eq!(h.image("podinfo-primary").await, "podinfo:2");

    h.canaries()
        .delete("podinfo", &Default::default())
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + LONG;
    while h.canaries().get_opt("podinfo").await.unwrap().is_some() {
        assert!(
            std::time::Instant::now() < deadline,
            "the Canary is still there"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        h.replicas("podinfo").await >= 1,
        "the target is scaled up again"
    );
    let services: Api<k8s_openapi::api::core::v1::Service> =
        Api::namespaced(h.client.clone(), &h.ns);
    let apex = services
        .get("podinfo")
        .await
        .expect("the apex Service is kept");
    assert_eq!(apex.spec.unwrap().selector.unwrap()["app"], "podinfo");
    assert!(
        apex.metadata
            .owner_references
            .unwrap_or_default()
            .is_empty()
    );
}

/// A DaemonSet target: no replicas to scale, so the target is taken off every node by
/// Flagger's `flagger.app/scale-to-zero` node selector and put back by removing it; neither
/// counts as a new revision. kwok runs the pods on both fake nodes. The Services get the
/// pods' other ports (`portDiscovery`).
#[tokio::test]
async fn a_daemonset_canary_scales_by_node_selector_and_promotes() {
    use k8s_openapi::api::apps::v1::DaemonSet;

    let h = CanaryHarness::start("canary-ds", &[]).await;
    let daemonsets: Api<DaemonSet> = Api::namespaced(h.client.clone(), &h.ns);
    let agent = |image: &str| {
        json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": { "name": "agent" },
            "spec": {
                "selector": { "matchLabels": { "app": "agent" } },
                "template": {
                    "metadata": { "labels": { "app": "agent" } },
                    "spec": { "containers": [{ "name": "agent", "image": image,
                                               "ports": [{ "containerPort": 9898 },
                                                         { "name": "metrics", "containerPort": 9797 }] }] },
                },
            },
        })
    };
    let node_selector = |ds: &DaemonSet| {
        ds.spec
            .clone()
            .unwrap()
            .template
            .spec
            .unwrap()
            .node_selector
            .unwrap_or_default()
    };
    let image = |ds: &DaemonSet| {
        ds.spec.clone().unwrap().template.spec.unwrap().containers[0]
            .image
            .clone()
            .unwrap()
    };
    h.apply(agent("agent:1")).await;
    h.apply(json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
        "metadata": { "name": "agent" },
        "spec": {
            "targetRef": { "apiVersion": "apps/v1", "kind": "DaemonSet", "name": "agent" },
            "service": { "port": 9898, "portDiscovery": true },
            "analysis": { "interval": "2s", "threshold": 1, "iterations": 2 },
        },
    }))
    .await;
    h.wait_phase("agent", CanaryPhase::Initialized, LONG).await;
    let primary = daemonsets.get("agent-primary").await.unwrap();
    assert_eq!(image(&primary), "agent:1");
    assert!(node_selector(&primary).is_empty(), "{primary:?}");
    let status = primary.status.clone().unwrap();
    assert_eq!(
        (status.desired_number_scheduled, status.number_available),
        (2, Some(2)),
        "the primary ran on both nodes before Initialized: {status:?}"
    );
    let target = daemonsets.get("agent").await.unwrap();
    assert_eq!(
        node_selector(&target).get("flagger.app/scale-to-zero"),
        Some(&"true".to_string()),
        "the target is taken off its nodes"
    );

    // portDiscovery: the pods' other port is on every Service.
    let services: Api<k8s_openapi::api::core::v1::Service> =
        Api::namespaced(h.client.clone(), &h.ns);
    for name in ["agent", "agent-primary", "agent-canary"] {
        let ports: Vec<(String, i32)> = services
            .get(name)
            .await
            .unwrap()
            .spec
            .unwrap()
            .ports
            .unwrap()
            .into_iter()
            .map(|p| (p.name.unwrap_or_default(), p.port))
            .collect();
        assert_eq!(
            ports,
            [("http".to_string(), 9898), ("metrics".to_string(), 9797)],
            "Service {name}"
        );
    }

    // Scaling the target to zero changed its template: not a new revision.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let canary = h.canaries().get("agent").await.unwrap();
    assert_eq!(phase_of(&canary), CanaryPhase::Initialized);

    h.apply(agent("agent:2")).await;
    h.wait_phase("agent", CanaryPhase::Progressing, LONG).await;
    let target = daemonsets.get("agent").await.unwrap();
    assert!(
        !node_selector(&target).contains_key("flagger.app/scale-to-zero"),
        "the target is back on its nodes for the analysis"
    );
    h.wait_phase("agent", CanaryPhase::Succeeded, LONG).await;
    assert_eq!(
        image(&daemonsets.get("agent-primary").await.unwrap()),
        "agent:2"
    );
    let target = daemonsets.get("agent").await.unwrap();
    assert!(node_selector(&target).contains_key("flagger.app/scale-to-zero"));
    tokio::time::sleep(Duration::from_secs(6)).await;
    let canary = h.canaries().get("agent").await.unwrap();
    assert_eq!(
        phase_of(&canary),
        CanaryPhase::Succeeded,
        "scaling down after promotion is not a new revision"
    );
    let events = h.events("agent").await.join("\n");
    for want in [
        "DaemonSet agent-primary created".to_string(),
        format!("Initialization done! agent.{}", h.ns),
        format!("New revision detected! Scaling up agent.{}", h.ns),
        format!("Advance agent.{} canary iteration 2/2", h.ns),
        format!("Promotion completed! Scaling down agent.{}", h.ns),
    ] {
        assert!(events.contains(&want), "no event {want:?} in:\n{events}");
    }
    assert_eq!(
        events.matches("New revision detected!").count(),
        1,
        "{events}"
    );
}

/// A rollout that cannot finish (its pods fit no node) is rolled back at its progress
/// deadline; a rollout webhook nobody answers is a failed check, never a pass; and
/// `skipAnalysis` promotes at once.
#[tokio::test]
async fn stuck_rollouts_dead_webhooks_and_skipped_analysis() {
    let h = CanaryHarness::start("canary-stuck", &[]).await;
    let app = |name: &str, image: &str, unschedulable: bool| {
        let node_selector = unschedulable.then(|| json!({ "tk.example/no-such-node": "true" }));
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": { "name": name },
            "spec": {
                "progressDeadlineSeconds": 3,
                "selector": { "matchLabels": { "app": name } },
                "template": {
                    "metadata": { "labels": { "app": name } },
                    "spec": { "containers": [{ "name": "app", "image": image }],
                              "nodeSelector": node_selector },
                },
            },
        })
    };
    let canary = |name: &str, analysis: serde_json::Value, skip: bool| {
        let mut analysis_spec = json!({ "interval": "2s", "threshold": 1, "iterations": 2 });
        for (k, v) in analysis.as_object().unwrap() {
            analysis_spec[k] = v.clone();
        }
        json!({
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": { "name": name },
            "spec": {
                "skipAnalysis": skip,
                "progressDeadlineSeconds": 3,
                "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": name },
                "service": { "port": 9898 },
                "analysis": analysis_spec,
            },
        })
    };
    for name in ["stuck", "deadhook", "skipped"] {
        h.apply(app(name, "app:1", false)).await;
    }
    h.apply(canary("stuck", json!({}), false)).await;
    h.apply(canary(
        "deadhook",
        json!({ "webhooks": [{ "name": "smoke", "type": "rollout", "url": "http://127.0.0.1:9/smoke", "timeout": "2s" }] }),
        false,
    ))
    .await;
    h.apply(canary("skipped", json!({}), true)).await;
    for name in ["stuck", "deadhook", "skipped"] {
        h.wait_phase(name, CanaryPhase::Initialized, LONG).await;
    }

    h.apply(app("stuck", "app:2", true)).await;
    h.apply(app("deadhook", "app:2", false)).await;
    h.apply(app("skipped", "app:2", false)).await;

    h.wait_phase("stuck", CanaryPhase::Failed, LONG).await;
    assert_eq!(h.image("stuck-primary").await, "app:1");
    assert_eq!(
        h.replicas("stuck").await,
        0,
        "the stuck target is scaled down"
    );
    let events = h.events("stuck").await.join("\n");
    let want = format!("Rolling back stuck.{} progress deadline exceeded", h.ns);
    assert!(events.contains(&want), "no event {want:?} in:\n{events}");

    h.wait_phase("deadhook", CanaryPhase::Failed, LONG).await;
    assert_eq!(h.image("deadhook-primary").await, "app:1");
    let events = h.events("deadhook").await.join("\n");
    let want = format!(
        "Halt deadhook.{} advancement external check smoke failed",
        h.ns
    );
    assert!(events.contains(&want), "no event {want:?} in:\n{events}");
    assert!(
        !events.contains("Copying"),
        "a dead webhook never promotes:\n{events}"
    );

    let c = h.wait_phase("skipped", CanaryPhase::Succeeded, LONG).await;
    assert_eq!(h.image("skipped-primary").await, "app:2");
    assert_eq!(c.status.unwrap().iterations.unwrap_or(0), 0);
    let events = h.events("skipped").await.join("\n");
    let want = format!(
        "Promotion completed! Canary analysis was skipped for skipped.{}",
        h.ns
    );
    assert!(events.contains(&want), "no event {want:?} in:\n{events}");
}

/// Config tracking: the ConfigMaps and Secrets a target's pods use get `-primary` copies the
/// primary's pods use instead, and a change of their data alone is a new revision, promoted
/// into the copies.
#[tokio::test]
async fn a_tracked_config_change_is_a_new_revision() {
    use k8s_openapi::api::core::v1::{ConfigMap, Secret};

    let h = CanaryHarness::start("canary-config", &[]).await;
    let settings = |greeting: &str| {
        json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": { "name": "settings" },
            "data": { "greeting": greeting },
        })
    };
    h.apply(settings("hello")).await;
    h.apply(json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": { "name": "token" },
        "stringData": { "token": "s3cr3t" },
    }))
    .await;
    h.apply(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": { "name": "podinfo" },
        "spec": {
            "selector": { "matchLabels": { "app": "podinfo" } },
            "template": {
                "metadata": { "labels": { "app": "podinfo" } },
                "spec": {
                    "containers": [{
                        "name": "app", "image": "podinfo:1",
                        "envFrom": [{ "configMapRef": { "name": "settings" } }],
                        "volumeMounts": [{ "name": "token", "mountPath": "/token" }],
                    }],
                    "volumes": [{ "name": "token", "secret": { "secretName": "token" } }],
                },
            },
        },
    }))
    .await;
    h.apply(json!({
        "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
        "metadata": { "name": "podinfo" },
        "spec": {
            "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo" },
            "service": { "port": 9898 },
            "analysis": { "interval": "2s", "threshold": 1, "iterations": 1 },
        },
    }))
    .await;
    let c = h
        .wait_phase("podinfo", CanaryPhase::Initialized, LONG)
        .await;
    let uid = c.metadata.uid.clone().unwrap();
    let config_maps: Api<ConfigMap> = Api::namespaced(h.client.clone(), &h.ns);
    let secrets: Api<Secret> = Api::namespaced(h.client.clone(), &h.ns);
    let greeting = async || {
        config_maps
            .get("settings-primary")
            .await
            .unwrap()
            .data
            .unwrap()["greeting"]
            .clone()
    };
    assert_eq!(greeting().await, "hello");
    let copy = secrets
        .get("token-primary")
        .await
        .expect("the Secret's copy");
    assert_eq!(copy.metadata.owner_references.unwrap()[0].uid, uid);
    let pod = h
        .deployments()
        .get("podinfo-primary")
        .await
        .unwrap()
        .spec
        .unwrap()
        .template
        .spec
        .unwrap();
    assert_eq!(
        pod.containers[0].env_from.as_ref().unwrap()[0]
            .config_map_ref
            .as_ref()
            .unwrap()
            .name,
        "settings-primary"
    );
    assert_eq!(
        pod.volumes.unwrap()[0]
            .secret
            .as_ref()
            .unwrap()
            .secret_name
            .as_deref(),
        Some("token-primary")
    );

    // Only the ConfigMap's data changes: the pod template is the same.
    h.apply(settings("hola")).await;
    h.wait_phase("podinfo", CanaryPhase::Progressing, LONG)
        .await;
    h.wait_phase("podinfo", CanaryPhase::Succeeded, LONG).await;
    assert_eq!(greeting().await, "hola", "the copy gets the promoted data");
    assert_eq!(h.image("podinfo-primary").await, "podinfo:1");
    let events = h.events("podinfo").await.join("\n");
    let want = format!("New revision detected! Scaling up podinfo.{}", h.ns);
    assert!(events.contains(&want), "no event {want:?} in:\n{events}");
}
