//! Cases follow kstatus's own test suite (cli-utils `status_compute_test.go`, `core_test.go`),
//! rewritten as JSON, plus the messages Flux users see.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::*;

/// 2024-01-01T00:00:00Z
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_704_067_200)
}

fn status_of(obj: Value) -> Outcome {
    compute_at(&obj, now()).expect("kstatus computes a status")
}

#[track_caller]
fn assert_status(out: &Outcome, status: Status, message: &str) {
    assert_eq!(out.status, status, "{out:?}");
    assert_eq!(out.message, message, "{out:?}");
}

#[track_caller]
fn assert_reason(out: &Outcome, type_: ConditionType, reason: &str) {
    assert_eq!(out.conditions.len(), 1, "{out:?}");
    assert_eq!(out.conditions[0].type_, type_);
    assert_eq!(out.conditions[0].reason, reason);
    assert_eq!(out.conditions[0].message, out.message);
}

// ---- generic rules ----

#[test]
fn deletion_timestamp_means_terminating() {
    let out = status_of(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "app", "generation": 3, "deletionTimestamp": "2024-01-01T00:00:00Z"},
        "status": {"observedGeneration": 1}
    }));
    assert_status(&out, Status::Terminating, "Resource scheduled for deletion");
    assert!(out.conditions.is_empty());
}

#[test]
fn empty_deletion_timestamp_is_ignored() {
    let out = status_of(json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "c", "deletionTimestamp": ""}
    }));
    assert_status(&out, Status::Current, "Resource is always ready");
}

#[test]
fn unobserved_generation_is_in_progress() {
    let out = status_of(json!({
        "apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "w", "generation": 2},
        "status": {"observedGeneration": 1}
    }));
    assert_status(
        &out,
        Status::InProgress,
        "Widget generation is 2, but latest observed generation is 1",
    );
    assert_reason(
        &out,
        ConditionType::Reconciling,
        "LatestGenerationNotObserved",
    );
}

#[test]
fn missing_observed_generation_is_not_judged() {
    let out = status_of(json!({
        "apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "w", "generation": 2}
    }));
    assert_status(&out, Status::Current, "Resource is current");
}

#[test]
fn reconciling_condition_is_in_progress_with_its_message() {
    let out = status_of(json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": "apps", "generation": 1},
        "status": {"observedGeneration": 1, "conditions": [
            {"type": "Ready", "status": "Unknown", "reason": "Progressing", "message": "Reconciliation in progress"},
            {"type": "Reconciling", "status": "True", "reason": "Progressing", "message": "Building manifests"}
        ]}
    }));
    assert_status(&out, Status::InProgress, "Building manifests");
    assert_reason(&out, ConditionType::Reconciling, "Progressing");
}

#[test]
fn stalled_condition_is_failed_with_its_message() {
    let out = status_of(json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
        "metadata": {"name": "podinfo", "generation": 4},
        "status": {"observedGeneration": 4, "conditions": [
            {"type": "Stalled", "status": "True", "reason": "RetriesExceeded", "message": "Failed to install after 1 attempt(s)"},
            {"type": "Ready", "status": "False", "reason": "InstallFailed", "message": "Helm install failed"}
        ]}
    }));
    assert_status(&out, Status::Failed, "Failed to install after 1 attempt(s)");
    assert_reason(&out, ConditionType::Stalled, "RetriesExceeded");
}

#[test]
fn first_abnormal_condition_wins() {
    let out = status_of(json!({
        "apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "w"},
        "status": {"conditions": [
            {"type": "Stalled", "status": "False"},
            {"type": "Stalled", "status": "True", "reason": "A", "message": "stalled"},
            {"type": "Reconciling", "status": "True", "reason": "B", "message": "reconciling"}
        ]}
    }));
    assert_status(&out, Status::Failed, "stalled");
}

#[test]
fn flux_object_ready_true_is_current() {
    let out = status_of(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "podinfo", "generation": 1},
        "status": {"observedGeneration": 1, "conditions": [
            {"type": "Ready", "status": "True", "reason": "Succeeded", "message": "stored artifact"}
        ]}
    }));
    assert_status(&out, Status::Current, "Resource is current");
    assert!(out.conditions.is_empty());
}

#[test]
fn ready_false_alone_is_not_read() {
    // kstatus only reads Reconciling and Stalled; Flux objects always set one of them when
    // they are not ready.
    let out = status_of(json!({
        "apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "w", "generation": 1},
        "status": {"observedGeneration": 1, "conditions": [
            {"type": "Ready", "status": "False", "reason": "Nope", "message": "not ready"}
        ]}
    }));
    assert_status(&out, Status::Current, "Resource is current");
}

#[test]
fn string_generation_is_an_error() {
    let err = compute_at(
        &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generation": "1"}}),
        now(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "looking up metadata.generation from resource: .metadata.generation accessor error: 1 is of the type string, expected int64"
    );
}

#[test]
fn malformed_conditions_are_an_error() {
    let err = compute_at(
        &json!({"apiVersion": "example.com/v1", "kind": "W", "status": {"conditions": {"type": "Ready"}}}),
        now(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("conditions"), "{err}");
}

#[test]
fn unknown_kinds_are_current() {
    let out = status_of(
        json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}),
    );
    assert_status(&out, Status::Current, "Resource is current");
}

#[test]
fn api_group_selects_the_rule_not_the_kind_alone() {
    // A "Deployment" of another group is a custom resource.
    let out = status_of(
        json!({"apiVersion": "example.com/v1", "kind": "Deployment", "metadata": {"name": "d"}}),
    );
    assert_status(&out, Status::Current, "Resource is current");
}

// ---- always ready ----

#[test]
fn secrets_configmaps_and_cronjobs_are_always_ready() {
    for (api_version, kind) in [
        ("v1", "Secret"),
        ("v1", "ConfigMap"),
        ("batch/v1", "CronJob"),
    ] {
        let out =
            status_of(json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}));
        assert_status(&out, Status::Current, "Resource is always ready");
    }
}

// ---- Deployment ----

fn deployment(spec: Value, status: Value) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "app", "namespace": "default", "generation": 1},
        "spec": spec,
        "status": status,
    })
}

#[test]
fn deployment_without_status_lacks_replicas() {
    let out = status_of(
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "test", "generation": 1}}),
    );
    assert_status(&out, Status::InProgress, "Replicas: 0/1");
    assert_reason(&out, ConditionType::Reconciling, "LessReplicas");
}

#[test]
fn deployment_rollout_messages_follow_kstatus_order() {
    let cases = [
        (
            json!({"observedGeneration": 1, "replicas": 1}),
            "Replicas: 1/2",
            "LessReplicas",
        ),
        (
            json!({"observedGeneration": 1, "replicas": 2, "updatedReplicas": 1}),
            "Updated: 1/2",
            "LessUpdated",
        ),
        (
            json!({"observedGeneration": 1, "replicas": 3, "updatedReplicas": 2}),
            "Pending termination: 1",
            "ExtraPods",
        ),
        (
            json!({"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 1}),
            "Available: 1/2",
            "LessAvailable",
        ),
        (
            json!({"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2, "readyReplicas": 1}),
            "Ready: 1/2",
            "LessReady",
        ),
    ];
    for (status, message, reason) in cases {
        let out = status_of(deployment(json!({"replicas": 2}), status));
        assert_status(&out, Status::InProgress, message);
        assert_reason(&out, ConditionType::Reconciling, reason);
    }
}

#[test]
fn deployment_available_is_current() {
    let out = status_of(deployment(
        json!({}),
        json!({
            "observedGeneration": 1, "updatedReplicas": 1, "readyReplicas": 1,
            "availableReplicas": 1, "replicas": 1,
            "conditions": [
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"},
                {"type": "Available", "status": "True"}
            ]
        }),
    ));
    assert_status(
        &out,
        Status::Current,
        "Deployment is available. Replicas: 1",
    );
}

#[test]
fn deployment_with_deadline_waits_for_new_replicaset() {
    let out = status_of(deployment(
        json!({"progressDeadlineSeconds": 45}),
        json!({
            "observedGeneration": 1, "updatedReplicas": 1, "readyReplicas": 1,
            "availableReplicas": 1, "replicas": 1,
            "conditions": [
                {"type": "Progressing", "status": "False", "reason": "Some reason"},
                {"type": "Available", "status": "True"}
            ]
        }),
    ));
    assert_status(&out, Status::InProgress, "ReplicaSet not Available");
    assert_reason(&out, ConditionType::Reconciling, "ReplicaSetNotAvailable");
}

#[test]
fn deployment_without_deadline_only_needs_available() {
    let out = status_of(deployment(
        json!({}),
        json!({
            "observedGeneration": 1, "updatedReplicas": 1, "readyReplicas": 1,
            "availableReplicas": 1, "replicas": 1,
            "conditions": [{"type": "Available", "status": "True"}]
        }),
    ));
    assert_eq!(out.status, Status::Current);
}

#[test]
fn deployment_not_available_is_in_progress() {
    let out = status_of(deployment(
        json!({}),
        json!({
            "observedGeneration": 1, "updatedReplicas": 1, "readyReplicas": 1,
            "availableReplicas": 1, "replicas": 1,
            "conditions": [
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"},
                {"type": "Available", "status": "False"}
            ]
        }),
    ));
    assert_status(&out, Status::InProgress, "Deployment not Available");
    assert_reason(&out, ConditionType::Reconciling, "DeploymentNotAvailable");
}

#[test]
fn deployment_past_progress_deadline_fails() {
    let out = status_of(deployment(
        json!({"replicas": 3, "progressDeadlineSeconds": 60}),
        json!({
            "observedGeneration": 1, "replicas": 3, "updatedReplicas": 1,
            "conditions": [{
                "type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                "message": "ReplicaSet \"app-5d9\" has timed out progressing."
            }]
        }),
    ));
    assert_status(&out, Status::Failed, "Progress deadline exceeded");
    assert_eq!(out.conditions[0].type_, ConditionType::Stalled);
    assert_eq!(out.conditions[0].reason, "ProgressDeadlineExceeded");
    assert_eq!(
        out.conditions[0].message,
        "ReplicaSet \"app-5d9\" has timed out progressing."
    );
}

#[test]
fn extensions_deployment_uses_the_deployment_rule() {
    let out = status_of(
        json!({"apiVersion": "extensions/v1beta1", "kind": "Deployment", "metadata": {"name": "d"}}),
    );
    assert_status(&out, Status::InProgress, "Replicas: 0/1");
}

// ---- StatefulSet ----

fn sts(spec: Value, status: Value) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "db", "namespace": "qual", "generation": 1},
        "spec": spec, "status": status,
    })
}

#[test]
fn statefulset_rollout_messages() {
    let cases = [
        (
            json!({"observedGeneration": 1, "currentReplicas": 1}),
            "Replicas: 0/4",
            "LessReplicas",
        ),
        (
            json!({"observedGeneration": 1, "currentReplicas": 4, "readyReplicas": 2, "replicas": 4}),
            "Ready: 2/4",
            "LessReady",
        ),
        (
            json!({"observedGeneration": 1, "currentReplicas": 4, "readyReplicas": 4, "replicas": 8}),
            "Pending termination: 4",
            "ExtraPods",
        ),
        (
            json!({"observedGeneration": 1, "currentReplicas": 2, "readyReplicas": 4, "replicas": 4}),
            "current: 2/4",
            "LessCurrent",
        ),
        (
            json!({"observedGeneration": 1, "currentReplicas": 4, "readyReplicas": 4, "replicas": 4, "currentRevision": "db-1", "updateRevision": "db-2"}),
            "Waiting for updated revision to match current",
            "RevisionMismatch",
        ),
    ];
    for (status, message, reason) in cases {
        let out = status_of(sts(json!({"replicas": 4}), status));
        assert_status(&out, Status::InProgress, message);
        assert_reason(&out, ConditionType::Reconciling, reason);
    }
}

#[test]
fn statefulset_complete_is_current() {
    let out = status_of(sts(
        json!({"replicas": 4}),
        json!({"observedGeneration": 1, "currentReplicas": 4, "readyReplicas": 4, "replicas": 4, "currentRevision": "db-1", "updateRevision": "db-1"}),
    ));
    assert_status(
        &out,
        Status::Current,
        "All replicas scheduled as expected. Replicas: 4",
    );
}

#[test]
fn statefulset_on_delete_is_current() {
    let out = status_of(sts(
        json!({"replicas": 4, "updateStrategy": {"type": "OnDelete"}}),
        json!({}),
    ));
    assert_status(
        &out,
        Status::Current,
        "StatefulSet is using the ondelete update strategy",
    );
}

#[test]
fn statefulset_partition_rollout() {
    let spec = json!({"replicas": 4, "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}});
    let out = status_of(sts(
        spec.clone(),
        json!({"observedGeneration": 1, "readyReplicas": 4, "replicas": 4, "updatedReplicas": 1}),
    ));
    assert_status(&out, Status::InProgress, "updated: 1/2");
    assert_reason(&out, ConditionType::Reconciling, "PartitionRollout");
    let out = status_of(sts(
        spec,
        json!({"observedGeneration": 1, "readyReplicas": 4, "replicas": 4, "updatedReplicas": 2}),
    ));
    assert_status(
        &out,
        Status::Current,
        "Partition rollout complete. updated: 2",
    );
}

// ---- DaemonSet ----

fn ds(generation: i64, status: Value) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "agent", "namespace": "qual", "generation": generation},
        "status": status,
    })
}

#[test]
fn daemonset_without_status_waits_for_observed_generation() {
    let out = status_of(
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "test", "generation": 1}}),
    );
    assert_status(
        &out,
        Status::InProgress,
        "DaemonSet status.observedGeneration not found",
    );
    assert_reason(&out, ConditionType::Reconciling, "NoObservedGeneration");
}

#[test]
fn daemonset_without_generation_waits() {
    let out = status_of(
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "test"}}),
    );
    assert_status(
        &out,
        Status::InProgress,
        "DaemonSet metadata.generation not found",
    );
    assert_reason(&out, ConditionType::Reconciling, "NoGeneration");
}

#[test]
fn daemonset_rollout_messages() {
    let full = |over: Value| {
        let mut s = json!({
            "observedGeneration": 1, "desiredNumberScheduled": 4, "currentNumberScheduled": 4,
            "updatedNumberScheduled": 4, "numberAvailable": 4, "numberReady": 4
        });
        for (k, v) in over.as_object().unwrap() {
            s[k] = v.clone();
        }
        s
    };
    let cases = [
        (
            json!({"observedGeneration": 1, "currentReplicas": 1}),
            "Missing .status.desiredNumberScheduled",
            "NoDesiredNumber",
        ),
        (
            full(json!({"currentNumberScheduled": 3})),
            "Current: 3/4",
            "LessCurrent",
        ),
        (
            full(json!({"updatedNumberScheduled": 1})),
            "Updated: 1/4",
            "LessUpdated",
        ),
        (
            full(json!({"numberAvailable": 2})),
            "Available: 2/4",
            "LessAvailable",
        ),
        (full(json!({"numberReady": 2})), "Ready: 2/4", "LessReady"),
    ];
    for (status, message, reason) in cases {
        let out = status_of(ds(1, status));
        assert_status(&out, Status::InProgress, message);
        assert_reason(&out, ConditionType::Reconciling, reason);
    }
    let out = status_of(ds(1, full(json!({}))));
    assert_status(
        &out,
        Status::Current,
        "All replicas scheduled as expected. Replicas: 4",
    );
    let out = status_of(ds(2, full(json!({}))));
    assert_status(
        &out,
        Status::InProgress,
        "DaemonSet generation is 2, but latest observed generation is 1",
    );
}

// ---- ReplicaSet ----

#[test]
fn replicaset_rules() {
    let rs = |status: Value| json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs", "generation": 1}, "spec": {"replicas": 2}, "status": status});
    let cases = [
        (
            json!({"conditions": [{"type": "ReplicaFailure", "status": "True"}]}),
            "Replica Failure condition. Check Pods",
            "ReplicaFailure",
        ),
        (
            json!({"fullyLabeledReplicas": 1}),
            "Labelled: 1/2",
            "LessLabelled",
        ),
        (
            json!({"fullyLabeledReplicas": 2, "availableReplicas": 1}),
            "Available: 1/2",
            "LessAvailable",
        ),
        (
            json!({"fullyLabeledReplicas": 2, "availableReplicas": 2, "readyReplicas": 1}),
            "Ready: 1/2",
            "LessReady",
        ),
        (
            json!({"fullyLabeledReplicas": 2, "availableReplicas": 2, "readyReplicas": 2, "replicas": 3}),
            "Pending termination: 1",
            "ExtraPods",
        ),
    ];
    for (status, message, reason) in cases {
        let out = status_of(rs(status));
        assert_status(&out, Status::InProgress, message);
        assert_reason(&out, ConditionType::Reconciling, reason);
    }
    let out = status_of(rs(
        json!({"fullyLabeledReplicas": 2, "availableReplicas": 2, "readyReplicas": 2, "replicas": 2}),
    ));
    assert_status(
        &out,
        Status::Current,
        "ReplicaSet is available. Replicas: 2",
    );
}

// ---- Pod ----

fn pod(metadata: Value, status: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "status": status})
}

#[test]
fn pod_without_status_is_not_observed() {
    let out = status_of(
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"generation": 1, "name": "test"}}),
    );
    assert_status(&out, Status::InProgress, "Pod phase not available");
    assert_reason(&out, ConditionType::Reconciling, "PodNotObserved");
}

#[test]
fn pod_phases() {
    let meta = json!({"name": "test", "namespace": "qual", "generation": 1});
    let out = status_of(pod(
        meta.clone(),
        json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}),
    ));
    assert_status(&out, Status::Current, "Pod is Ready");
    let out = status_of(pod(
        meta.clone(),
        json!({"phase": "Succeeded", "conditions": [{"type": "Ready", "status": "False", "reason": "PodCompleted"}]}),
    ));
    assert_status(&out, Status::Current, "Pod has completed successfully");
    let out = status_of(pod(
        meta.clone(),
        json!({"phase": "Failed", "conditions": [{"type": "Ready", "status": "False", "reason": "PodCompleted"}]}),
    ));
    assert_status(
        &out,
        Status::Current,
        "Pod has completed, but not successfully",
    );
    let out = status_of(pod(meta.clone(), json!({"phase": "Running"})));
    assert_status(&out, Status::InProgress, "Pod is running but is not Ready");
    assert_reason(&out, ConditionType::Reconciling, "PodRunningNotReady");
    let out = status_of(pod(meta, json!({"phase": "Pending"})));
    assert_status(&out, Status::InProgress, "Pod is in the Pending phase");
    assert_reason(&out, ConditionType::Reconciling, "PodPending");
}

#[test]
fn crash_looping_pod_fails_naming_containers() {
    let out = status_of(pod(
        json!({"name": "test", "namespace": "qual", "generation": 1}),
        json!({
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "False"}],
            "containerStatuses": [
                {"name": "nginx", "state": {"waiting": {"reason": "CrashLoopBackOff"}}},
                {"name": "ok", "state": {"running": {}}},
                {"name": "sidecar", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
            ]
        }),
    ));
    assert_status(
        &out,
        Status::Failed,
        "Containers in CrashLoop state: nginx,sidecar",
    );
    assert_reason(&out, ConditionType::Stalled, "ContainerCrashLooping");
}

#[test]
fn unschedulable_pod_gets_a_grace_window() {
    let unschedulable = json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]});
    // Created 5 seconds before `now`.
    let out = status_of(pod(
        json!({"name": "test", "creationTimestamp": "2023-12-31T23:59:55Z"}),
        unschedulable.clone(),
    ));
    assert_status(&out, Status::InProgress, "Pod has not been scheduled");
    assert_reason(&out, ConditionType::Reconciling, "PodNotScheduled");
    // Created a minute before.
    let out = status_of(pod(
        json!({"name": "test", "creationTimestamp": "2023-12-31T23:59:00Z"}),
        unschedulable.clone(),
    ));
    assert_status(&out, Status::Failed, "Pod could not be scheduled");
    assert_reason(&out, ConditionType::Stalled, "PodUnschedulable");
    // No creation time reads as long ago.
    let out = status_of(pod(json!({"name": "test"}), unschedulable));
    assert_status(&out, Status::Failed, "Pod could not be scheduled");
}

#[test]
fn unknown_pod_phase_is_an_error() {
    let err = compute_at(
        &pod(json!({"name": "p"}), json!({"phase": "Unknown"})),
        now(),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "unknown phase Unknown");
}

// ---- PVC, Service, PDB ----

#[test]
fn pvc_must_be_bound() {
    let out = status_of(
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "test", "generation": 1}}),
    );
    assert_status(&out, Status::InProgress, "PVC is not Bound. phase: unknown");
    assert_reason(&out, ConditionType::Reconciling, "NotBound");
    let out = status_of(
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "test"}, "status": {"phase": "Pending"}}),
    );
    assert_status(&out, Status::InProgress, "PVC is not Bound. phase: Pending");
    let out = status_of(
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "test"}, "status": {"phase": "Bound"}}),
    );
    assert_status(&out, Status::Current, "PVC is Bound");
}

#[test]
fn load_balancer_service_waits_for_cluster_ip_only() {
    let svc = |spec: Value| json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": spec});
    let out = status_of(svc(json!({"type": "LoadBalancer"})));
    assert_status(
        &out,
        Status::InProgress,
        "ClusterIP not set. Service type: LoadBalancer",
    );
    assert_reason(&out, ConditionType::Reconciling, "NoIPAssigned");
    // No ingress yet, but a cluster IP: kstatus does not wait for the load balancer.
    let out = status_of(svc(
        json!({"type": "LoadBalancer", "clusterIP": "10.0.0.7"}),
    ));
    assert_status(&out, Status::Current, "Service is ready");
    let out = status_of(svc(json!({"clusterIP": ""})));
    assert_status(&out, Status::Current, "Service is ready");
}

#[test]
fn pdb_is_current_once_observed() {
    let pdb = |observed: i64| json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "pdb", "generation": 2}, "status": {"observedGeneration": observed}});
    assert_status(
        &status_of(pdb(2)),
        Status::Current,
        "AllowedDisruptions has been computed.",
    );
    assert_eq!(status_of(pdb(1)).status, Status::InProgress);
}

// ---- Job ----

fn job(spec: Value, status: Value) -> Value {
    json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate", "generation": 1}, "spec": spec, "status": status})
}

#[test]
fn kstatus_job_rules() {
    let out = status_of(job(json!({}), json!({})));
    assert_status(&out, Status::InProgress, "Job not started");
    assert_reason(&out, ConditionType::Reconciling, "JobNotStarted");
    let out = status_of(job(
        json!({"completions": 3}),
        json!({"startTime": "2024-01-01T00:00:00Z", "succeeded": 1, "active": 2}),
    ));
    assert_status(
        &out,
        Status::Current,
        "Job in progress. success:1, active: 2, failed: 0",
    );
    let out = status_of(job(
        json!({"parallelism": 2}),
        json!({"succeeded": 2, "conditions": [{"type": "Complete", "status": "True"}]}),
    ));
    assert_status(&out, Status::Current, "Job Completed. succeeded: 2/2");
    let out = status_of(job(
        json!({"completions": 1}),
        json!({"failed": 6, "conditions": [{"type": "Failed", "status": "True"}]}),
    ));
    assert_status(&out, Status::Failed, "Job Failed. failed: 6/1");
    assert_reason(&out, ConditionType::Stalled, "JobFailed");
    let out = status_of(job(
        json!({}),
        json!({"conditions": [{"type": "Suspended", "status": "True"}]}),
    ));
    assert_status(&out, Status::Current, "Job is suspended");
}

#[test]
fn flux_waits_for_jobs_to_complete() {
    let running = job(
        json!({"completions": 3}),
        json!({"startTime": "2024-01-01T00:00:00Z", "succeeded": 1, "active": 2}),
    );
    let out = flux_status_at(&running, now());
    assert_status(&out, Status::InProgress, "Job in progress");
    assert_reason(&out, ConditionType::Reconciling, "JobInProgress");
    let done = job(
        json!({}),
        json!({"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]}),
    );
    assert_status(
        &flux_status_at(&done, now()),
        Status::Current,
        "Job Completed. succeeded: 1/1",
    );
    let failed = job(
        json!({}),
        json!({"failed": 1, "conditions": [{"type": "Failed", "status": "True"}]}),
    );
    let out = flux_status_at(&failed, now());
    assert_status(&out, Status::Failed, "Job Failed. failed: 1/1");
    // A suspended Job is not complete.
    let suspended = job(
        json!({}),
        json!({"conditions": [{"type": "Suspended", "status": "True"}]}),
    );
    assert_eq!(flux_status_at(&suspended, now()).status, Status::InProgress);
}

#[test]
fn flux_reports_computation_errors_as_unknown() {
    let out = flux_status_at(&pod(json!({"name": "p"}), json!({"phase": "Weird"})), now());
    assert_status(&out, Status::Unknown, "unknown phase Weird");
    // Other kinds are plain kstatus.
    let out = flux_status_at(
        &deployment(json!({"replicas": 2}), json!({"replicas": 1})),
        now(),
    );
    assert_status(&out, Status::InProgress, "Replicas: 1/2");
}

// ---- CRD ----

fn crd(conditions: Value) -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com", "generation": 1},
        "status": {"conditions": conditions}
    })
}

#[test]
fn crd_rules() {
    let out = status_of(crd(json!([
        {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts"},
        {"type": "Established", "status": "True", "reason": "InitialNamesAccepted"}
    ])));
    assert_status(&out, Status::Current, "CRD is established");

    let out = status_of(crd(json!([
        {"type": "NamesAccepted", "status": "False", "reason": "ListKindConflict", "message": "\"WidgetList\" is already in use"}
    ])));
    assert_status(&out, Status::Failed, "\"WidgetList\" is already in use");
    assert_reason(&out, ConditionType::Stalled, "ListKindConflict");

    let out = status_of(crd(json!([
        {"type": "Established", "status": "False", "reason": "Installing", "message": "the initial names have not been accepted"}
    ])));
    assert_status(&out, Status::InProgress, "Install in progress");
    assert_reason(&out, ConditionType::Reconciling, "Installing");

    let out = status_of(crd(json!([
        {"type": "Established", "status": "False", "reason": "NotAccepted", "message": "not all names are accepted"}
    ])));
    assert_status(&out, Status::Failed, "not all names are accepted");

    let out = status_of(crd(json!([])));
    assert_status(&out, Status::InProgress, "Install in progress");
}

#[test]
fn status_names_match_kstatus() {
    let all = [
        Status::InProgress,
        Status::Failed,
        Status::Current,
        Status::Terminating,
        Status::NotFound,
        Status::Unknown,
    ];
    let names: Vec<String> = all.iter().map(ToString::to_string).collect();
    assert_eq!(
        names,
        [
            "InProgress",
            "Failed",
            "Current",
            "Terminating",
            "NotFound",
            "Unknown"
        ]
    );
    assert_eq!(ConditionType::Reconciling.as_str(), "Reconciling");
    assert_eq!(ConditionType::Stalled.as_str(), "Stalled");
}
