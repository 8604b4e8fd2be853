//! CEL in the kustomize controller: `spec.healthCheckExprs` deciding the health of a custom
//! resource whose status the test sets, `spec.dependsOn[].readyExpr` gating a dependant, and
//! invalid expressions stalling the Kustomization before anything is applied.

use std::time::Duration;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DynamicObject, GroupVersionKind, Patch, PatchParams};
use serde_json::json;

use crate::kustomize_support::{Harness, condition, config_map};

const WIDGET_CRD: &str = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.celtest.tk.io
spec:
  group: celtest.tk.io
  names:
    kind: Widget
    listKind: WidgetList
    plural: widgets
    singular: widget
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
";

fn widget(ns: &str) -> String {
    format!(
        "apiVersion: celtest.tk.io/v1
kind: Widget
metadata:
  name: w1
  namespace: {ns}
spec:
  size: 1
"
    )
}

fn revision(sha: &str) -> String {
    format!("main@sha1:{sha}")
}

fn source_ref(name: &str) -> serde_json::Value {
    json!({ "kind": "GitRepository", "name": name })
}

async fn set_widget_status(h: &Harness, status: serde_json::Value) {
    let gvk = GroupVersionKind::gvk("celtest.tk.io", "v1", "Widget");
    let (resource, _) = kube::discovery::pinned_kind(&h.client, &gvk).await.unwrap();
    let api: Api<DynamicObject> = Api::namespaced_with(h.client.clone(), &h.ns, &resource);
    api.patch_status(
        "w1",
        &PatchParams::default(),
        &Patch::Merge(json!({ "status": status })),
    )
    .await
    .unwrap();
}

async fn label_infra(h: &Harness, tier: &str) {
    h.kustomizations()
        .patch(
            "infra",
            &PatchParams::default(),
            &Patch::Merge(json!({ "metadata": { "labels": { "tier": tier } } })),
        )
        .await
        .unwrap();
}

fn ready_condition(status: &str) -> serde_json::Value {
    json!([{ "type": "Ready", "status": status, "reason": "Test", "message": "set by the test",
             "lastTransitionTime": "2025-01-01T00:00:00Z" }])
}

#[tokio::test(flavor = "multi_thread")]
async fn health_check_exprs_decide_the_health_of_custom_resources() {
    let h = Harness::start("ks-cel-health").await;
    let ns = h.ns.clone();
    let (_, sha) = h
        .serve_repo(
            "app",
            "A CRD and a widget",
            &[
                ("deploy/crd.yaml", WIDGET_CRD),
                ("deploy/widget.yaml", &widget(&ns)),
            ],
        )
        .await;
    h.apply_ks(
        "widgets",
        json!({
            "interval": "10m",
            "retryInterval": "2s",
            "timeout": "4s",
            "path": "./deploy",
            "prune": false,
            "wait": true,
            "healthCheckExprs": [{
                "apiVersion": "celtest.tk.io/v1",
                "kind": "Widget",
                "inProgress": "status.?phase.orValue('') == 'Provisioning'",
                "failed": "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'False')",
                "current": "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'True')",
            }],
            "sourceRef": source_ref("app"),
        }),
    )
    .await;
    let subject = format!("Widget/{ns}/w1");
    let health_failed_with = |needle: String| {
        move |k: &tk::api::kustomize::Kustomization| {
            condition(k, "Ready").is_some_and(|(s, r, m)| {
                s == "False" && r == "HealthCheckFailed" && m.contains(&needle)
            })
        }
    };

    // No status yet: the expressions cannot be evaluated, so the widget is Unknown with the
    // evaluation error, and the health check times out (Flux never fails fast on it).
    let ks = h
        .wait_ks(
            "widgets",
            "the widget Unknown",
            Duration::from_secs(90),
            health_failed_with(format!("{subject} status: 'Unknown'")),
        )
        .await;
    let (_, _, message) = condition(&ks, "Ready").unwrap();
    assert!(message.contains("timeout waiting for: ["), "{message}");
    assert!(
        message.contains(
            "failed to evaluate the CEL expression 'status.?phase.orValue('') == 'Provisioning''"
        ),
        "{message}"
    );
    let (healthy, _, _) = condition(&ks, "Healthy").unwrap();
    assert_eq!(healthy, "False");

    // inProgress is evaluated first: it wins even though Ready is False.
    set_widget_status(
        &h,
        json!({ "phase": "Provisioning", "conditions": ready_condition("False") }),
    )
    .await;
    h.wait_ks(
        "widgets",
        "the widget InProgress",
        Duration::from_secs(60),
        health_failed_with(format!(
            "timeout waiting for: [{subject} status: 'InProgress']"
        )),
    )
    .await;

    // failed holds: the health check stops early.
    set_widget_status(
        &h,
        json!({ "phase": "Broken", "conditions": ready_condition("False") }),
    )
    .await;
    h.wait_ks(
        "widgets",
        "the widget Failed",
        Duration::from_secs(60),
        health_failed_with(format!(
            "failed early due to stalled resources: [{subject} status: 'Failed']"
        )),
    )
    .await;

    // current holds: Ready.
    set_widget_status(
        &h,
        json!({ "phase": "Running", "conditions": ready_condition("True") }),
    )
    .await;
    let ks = h
        .wait_applied("widgets", &revision(&sha), Duration::from_secs(60))
        .await;
    let (healthy, _, _) = condition(&ks, "Healthy").unwrap();
    assert_eq!(healthy, "True");
}

#[tokio::test(flavor = "multi_thread")]
async fn ready_expr_gates_dependants_and_bad_expressions_stall() {
    let h = Harness::start("ks-cel-deps").await;
    let ns = h.ns.clone();
    let (_, sha) = h
        .serve_repo(
            "app",
            "Infra and apps",
            &[
                ("infra/cm.yaml", &config_map("infra", "", "  a: b\n")),
                ("apps/cm.yaml", &config_map("apps", "", "  a: b\n")),
            ],
        )
        .await;
    // The dependency is suspended, so never Ready: the readyExpr alone decides (Flux's
    // default, without the AdditiveCELDependencyCheck feature gate).
    h.apply_ks(
        "infra",
        json!({
            "interval": "10m",
            "suspend": true,
            "path": "./infra",
            "prune": true,
            "targetNamespace": ns,
            "sourceRef": source_ref("app"),
        }),
    )
    .await;
    h.apply_ks(
        "apps",
        json!({
            "interval": "10m",
            "path": "./apps",
            "prune": true,
            "targetNamespace": ns,
            "dependsOn": [{
                "name": "infra",
                "readyExpr": "dep.metadata.labels.tier == 'infra' && self.metadata.name == 'apps'",
            }],
            "sourceRef": source_ref("app"),
        }),
    )
    .await;
    let not_ready_with = |needle: String| {
        move |k: &tk::api::kustomize::Kustomization| {
            condition(k, "Ready").is_some_and(|(s, r, m)| {
                s == "False" && r == "DependencyNotReady" && m.contains(&needle)
            })
        }
    };
    // The dependency has no labels: the expression fails on the missing field.
    let ks = h
        .wait_ks(
            "apps",
            "readyExpr evaluation error",
            Duration::from_secs(60),
            not_ready_with("failed to evaluate the CEL expression".into()),
        )
        .await;
    let (_, _, message) = condition(&ks, "Ready").unwrap();
    assert!(
        message.starts_with(&format!("dependency '{ns}/infra': ")),
        "{message}"
    );
    assert!(message.contains("labels"), "{message}");

    label_infra(&h, "apps").await;
    h.wait_ks(
        "apps",
        "readyExpr false",
        Duration::from_secs(60),
        not_ready_with(format!(
            "dependency '{ns}/infra' is not ready according to readyExpr eval"
        )),
    )
    .await;
    let configmaps: Api<ConfigMap> = Api::namespaced(h.client.clone(), &ns);
    assert!(
        configmaps.get_opt("apps").await.unwrap().is_none(),
        "nothing is applied while the readyExpr is false"
    );

    label_infra(&h, "infra").await;
    h.wait_applied("apps", &revision(&sha), Duration::from_secs(60))
        .await;
    assert!(configmaps.get_opt("apps").await.unwrap().is_some());

    // Invalid expressions stall the Kustomization, naming the field, before anything runs.
    let stalled_with = |needle: String| {
        move |k: &tk::api::kustomize::Kustomization| {
            condition(k, "Stalled").is_some_and(|(s, r, m)| {
                s == "True" && r == "InvalidCELExpression" && m.starts_with(&needle)
            }) && condition(k, "Ready")
                .is_some_and(|(s, r, _)| s == "False" && r == "InvalidCELExpression")
        }
    };
    h.apply_ks(
        "bad-health",
        json!({
            "interval": "10m",
            "path": "./apps",
            "prune": true,
            "targetNamespace": ns,
            "wait": true,
            "healthCheckExprs": [{
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "current": "true",
                "failed": "status.conditions.filter(",
            }],
            "sourceRef": source_ref("app"),
        }),
    )
    .await;
    let ks = h
        .wait_ks(
            "bad-health",
            "Stalled on healthCheckExprs",
            Duration::from_secs(60),
            stalled_with(
                "spec.healthCheckExprs[0].failed: invalid CEL expression 'status.conditions.filter('"
                    .into(),
            ),
        )
        .await;
    assert_eq!(
        ks.status.and_then(|s| s.last_attempted_revision),
        None,
        "nothing was fetched"
    );
    h.apply_ks(
        "bad-dep",
        json!({
            "interval": "10m",
            "path": "./apps",
            "prune": true,
            "targetNamespace": ns,
            "dependsOn": [
                { "name": "infra" },
                { "name": "infra", "readyExpr": "deps.metadata.name == 'infra'" },
            ],
            "sourceRef": source_ref("app"),
        }),
    )
    .await;
    let ks = h
        .wait_ks(
            "bad-dep",
            "Stalled on readyExpr",
            Duration::from_secs(60),
            stalled_with("spec.dependsOn[1].readyExpr: invalid CEL expression".into()),
        )
        .await;
    let (_, _, message) = condition(&ks, "Stalled").unwrap();
    assert!(
        message.contains("undeclared reference to 'deps'"),
        "{message}"
    );
}
