//! `create canary` without a cluster: `--export` output for Flagger's documented rollouts
//! (progressive traffic shifting, weights by list, blue/green), each read back into tk's
//! Canary type unchanged, and flag validation errors that name the Canary, the flag and what
//! to pass. The cluster-facing canary commands are driven against the rig in
//! tests/e2e/canary_cli.rs.

use serde_json::{Value, json};
use tk::api::flagger::Canary;

use super::{stderr, stdout, tk};

fn export(args: &[&str]) -> String {
    let mut full = vec!["create", "canary"];
    full.extend(args);
    full.push("--export");
    let out = tk(&full);
    assert!(out.status.success(), "tk {full:?} failed: {}", stderr(&out));
    assert!(
        stderr(&out).is_empty(),
        "--export prints no progress: {}",
        stderr(&out)
    );
    stdout(&out)
}

/// The one document of an export, after checking it reads into `Canary` and serializes back
/// to the same value (what `kubectl apply` sends is what tk's types hold).
fn round_trip(yaml: &str) -> Value {
    let docs: Vec<Value> = serde_saphyr::from_multiple(yaml).expect("the export is YAML");
    assert_eq!(docs.len(), 1, "{yaml}");
    let canary: Canary = serde_json::from_value(docs[0].clone()).expect("a Canary");
    assert_eq!(serde_json::to_value(&canary).unwrap(), docs[0], "{yaml}");
    docs[0].clone()
}

fn error(args: &[&str]) -> String {
    let mut full = vec!["create", "canary"];
    full.extend(args);
    let out = tk(&full);
    assert_eq!(
        out.status.code(),
        Some(1),
        "tk {full:?} should fail: {}",
        stdout(&out)
    );
    assert!(stdout(&out).is_empty(), "a refused create prints nothing");
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    err
}

#[test]
fn create_canary_export_shifts_traffic_by_step_weight() {
    let yaml = export(&[
        "podinfo",
        "-n",
        "test",
        "--target-ref",
        "Deployment/podinfo",
        "--provider",
        "gatewayapi:v1",
        "--gateway-ref",
        "istio-ingress/public",
        "--host",
        "app.example.com",
        "--port",
        "9898",
        "--interval",
        "1m",
        "--threshold",
        "5",
        "--step-weight",
        "10",
        "--max-weight",
        "50",
        "--metric",
        "request-success-rate=99",
        "--metric",
        "request-duration=500",
        "--webhook",
        "confirm-promotion=http://flagger-loadtester.test/gate/check",
        "--label",
        "team=web",
    ]);
    assert_eq!(
        yaml,
        "---\n\
         apiVersion: flagger.app/v1beta1\n\
         kind: Canary\n\
         metadata:\n  labels:\n    team: web\n  name: podinfo\n  namespace: test\n\
         spec:\n  \
           analysis:\n    \
             interval: 1m\n    \
             maxWeight: 50\n    \
             metrics:\n    \
             - name: request-success-rate\n      thresholdRange:\n        min: 99\n    \
             - name: request-duration\n      thresholdRange:\n        max: 500\n    \
             stepWeight: 10\n    \
             threshold: 5\n    \
             webhooks:\n    \
             - name: confirm-promotion\n      type: confirm-promotion\n      \
               url: http://flagger-loadtester.test/gate/check\n  \
           provider: gatewayapi:v1\n  \
           service:\n    \
             gatewayRefs:\n    - name: public\n      namespace: istio-ingress\n    \
             hosts:\n    - app.example.com\n    \
             port: 9898\n  \
           targetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: podinfo\n"
    );
    round_trip(&yaml);
}

#[test]
fn create_canary_export_takes_weights_templates_and_a_metrics_server() {
    let yaml = export(&[
        "web",
        "--target-ref",
        "daemonset/web",
        "--provider=linkerd",
        "--port=8080",
        "--target-port=http",
        "--interval=30s",
        "--threshold=2",
        "--step-weights=5,10,50",
        "--metric-template=flagger-system/latency::0.5",
        "--metric-template=error-rate:0:1",
        "--metrics-server=http://prometheus.monitoring:9090",
        "--webhook=pre-rollout=http://loadtester/smoke",
        "--webhook=rollout=http://loadtester/",
        "--webhook=rollout=http://loadtester/more",
    ]);
    let canary = round_trip(&yaml);
    assert_eq!(
        canary["metadata"],
        json!({ "name": "web", "namespace": "flux-system" })
    );
    assert_eq!(
        canary["spec"],
        json!({
            "provider": "linkerd",
            "metricsServer": "http://prometheus.monitoring:9090",
            "targetRef": { "apiVersion": "apps/v1", "kind": "DaemonSet", "name": "web" },
            "service": { "port": 8080, "targetPort": "http" },
            "analysis": {
                "interval": "30s", "threshold": 2, "stepWeights": [5, 10, 50],
                "metrics": [
                    { "name": "latency", "thresholdRange": { "max": 0.5 },
                      "templateRef": { "name": "latency", "namespace": "flagger-system" } },
                    { "name": "error-rate", "thresholdRange": { "min": 0, "max": 1 },
                      "templateRef": { "name": "error-rate" } }
                ],
                "webhooks": [
                    { "name": "pre-rollout", "type": "pre-rollout", "url": "http://loadtester/smoke" },
                    { "name": "rollout", "type": "rollout", "url": "http://loadtester/" },
                    { "name": "rollout-2", "type": "rollout", "url": "http://loadtester/more" }
                ]
            }
        })
    );
}

#[test]
fn create_canary_export_runs_blue_green_by_iterations() {
    // A bare name targets the Deployment of that name; no provider leaves the controller's.
    let yaml = export(&[
        "podinfo",
        "--target-ref=podinfo",
        "--port=9898",
        "--target-port=9898",
        "--iterations=10",
    ]);
    assert_eq!(
        yaml,
        "---\napiVersion: flagger.app/v1beta1\nkind: Canary\nmetadata:\n  name: podinfo\n  \
         namespace: flux-system\nspec:\n  analysis:\n    interval: 1m\n    iterations: 10\n    \
         threshold: 5\n  service:\n    port: 9898\n    targetPort: 9898\n  targetRef:\n    \
         apiVersion: apps/v1\n    kind: Deployment\n    name: podinfo\n"
    );
    round_trip(&yaml);
}

#[test]
fn create_canary_refuses_bad_flags_naming_the_flag() {
    let base = ["podinfo", "--target-ref=podinfo", "--port=9898"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        base.iter().copied().chain(extra.iter().copied()).collect()
    };
    for (args, expected) in [
        (
            vec!["podinfo", "--port=9898", "--iterations=1"],
            "Canary podinfo: flag --target-ref is required: pass the workload to roll out",
        ),
        (
            vec!["podinfo", "--target-ref=podinfo", "--iterations=1"],
            "Canary podinfo: flag --port is required",
        ),
        (
            with(&[]),
            "Canary podinfo: flags --step-weight/--step-weights/--iterations: pass one",
        ),
        (
            with(&["--step-weight=10", "--step-weights=10,20"]),
            "Canary podinfo: flags --step-weight/--step-weights: pass only one",
        ),
        (
            with(&["--iterations=5", "--provider=gatewayapi"]),
            "Canary podinfo: flag --provider: provider 'gatewayapi' is not supported, must be \
             one of: apisix, appmesh, appmesh:v1beta2, contour, gatewayapi:v1",
        ),
        (
            with(&["--iterations=5", "--interval=1h"]),
            "Canary podinfo: flag --interval: '1h' is not an analysis interval: pass seconds \
             or minutes, such as 30s or 1m",
        ),
        (
            with(&["--step-weights=10,50,20"]),
            "Canary podinfo: flag --step-weights: 10,50,20 does not increase at every step",
        ),
        (
            with(&["--step-weight=60", "--max-weight=50"]),
            "Canary podinfo: flag --step-weight: 60 is above --max-weight 50",
        ),
        (
            with(&["--iterations=5", "--max-weight=50"]),
            "Canary podinfo: flag --max-weight: applies to --step-weight only",
        ),
        (
            with(&["--iterations=5", "--threshold=0"]),
            "Canary podinfo: flag --threshold: 0 is not a count of checks: pass 1 to",
        ),
        (
            with(&["--iterations=5", "--metric=request-success-rate=101"]),
            "Canary podinfo: flag --metric: request-success-rate 101 is not a percentage",
        ),
        (
            with(&["--iterations=5", "--metric-template=latency:2:1"]),
            "Canary podinfo: flag --metric-template: latency's min 2 is above its max 1",
        ),
        (
            with(&["--iterations=5", "--webhook=http://gate/"]),
            "Canary podinfo: flag --webhook: invalid webhook 'http://gate/', must be in format \
             <type>=<url>",
        ),
        (
            with(&["--iterations=5", "--metrics-server=prometheus:9090"]),
            "Canary podinfo: flag --metrics-server: 'prometheus:9090' is not an http:// or \
             https:// URL",
        ),
        (
            vec![
                "podinfo",
                "--target-ref=Rollout/podinfo",
                "--port=9898",
                "--iterations=5",
            ],
            "Canary podinfo: flag --target-ref: kind 'Rollout' is not supported, must be one \
             of: Deployment, DaemonSet",
        ),
        (
            with(&[
                "--iterations=5",
                "--provider=kubernetes",
                "--gateway-ref=public",
            ]),
            "Canary podinfo: flag --gateway-ref: the kubernetes provider does not attach \
             routes to Gateways",
        ),
    ] {
        let err = error(&args);
        assert!(err.contains(expected), "{args:?}:\n{err}");
    }
}
