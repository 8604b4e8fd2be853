//! kstatus's rules for built-in kinds (its "legacy types"), applied when the generic rules
//! decided nothing. Each message is kstatus's own wording.

use std::time::SystemTime;

use serde_json::Value;

use crate::fields::{self, int_or, nested, str_or};
use crate::time::{SCHEDULE_WINDOW, parse_rfc3339, unix_nanos};
use crate::{ConditionType, Error, Outcome, Result, Status, generic};

pub(crate) type Rule = fn(&Value, SystemTime) -> Result<Outcome>;

/// The API group and kind of `obj`, as apimachinery reads `apiVersion` (`v1` is the core
/// group, `apps/v1` the `apps` group; more than one `/` reads as nothing).
pub(crate) fn group_kind(obj: &Value) -> Option<(&str, &str)> {
    let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let group = match api_version.split_once('/') {
        None => "",
        Some((_, version)) if version.contains('/') => return None,
        Some((group, _)) => group,
    };
    Some((group, kind))
}

pub(crate) fn rule_for(obj: &Value) -> Option<Rule> {
    let rule: Rule = match group_kind(obj)? {
        ("", "Service") => service,
        ("", "Pod") => pod,
        ("", "PersistentVolumeClaim") => pvc,
        ("", "Secret" | "ConfigMap") | ("batch", "CronJob") => always_ready,
        ("apps", "StatefulSet") => stateful_set,
        ("apps" | "extensions", "DaemonSet") => daemon_set,
        ("apps" | "extensions", "Deployment") => deployment,
        ("apps" | "extensions", "ReplicaSet") => replica_set,
        ("policy", "PodDisruptionBudget") => pdb,
        ("batch", "Job") => job,
        ("apiextensions.k8s.io", "CustomResourceDefinition") => crd,
        _ => return None,
    };
    Some(rule)
}

fn always_ready(_: &Value, _: SystemTime) -> Result<Outcome> {
    Ok(Outcome::current("Resource is always ready"))
}

/// StatefulSets never set conditions, so only the replica counts, the partition of a
/// rolling update and the revisions tell. An `OnDelete` strategy is user-managed.
fn stateful_set(obj: &Value, _: SystemTime) -> Result<Outcome> {
    if str_or(obj, &["spec", "updateStrategy", "type"], "") == "OnDelete" {
        return Ok(Outcome::current(
            "StatefulSet is using the ondelete update strategy",
        ));
    }
    let spec = int_or(obj, &["spec", "replicas"], 1);
    let ready = int_or(obj, &["status", "readyReplicas"], 0);
    let current = int_or(obj, &["status", "currentReplicas"], 0);
    let updated = int_or(obj, &["status", "updatedReplicas"], 0);
    let replicas = int_or(obj, &["status", "replicas"], 0);
    let partition = int_or(
        obj,
        &["spec", "updateStrategy", "rollingUpdate", "partition"],
        -1,
    );

    if spec > replicas {
        return Ok(Outcome::in_progress(
            "LessReplicas",
            format!("Replicas: {replicas}/{spec}"),
        ));
    }
    if spec > ready {
        return Ok(Outcome::in_progress(
            "LessReady",
            format!("Ready: {ready}/{spec}"),
        ));
    }
    if replicas > spec {
        return Ok(Outcome::in_progress(
            "ExtraPods",
            format!("Pending termination: {}", replicas - spec),
        ));
    }
    if partition != -1 {
        if updated < spec - partition {
            return Ok(Outcome::in_progress(
                "PartitionRollout",
                format!("updated: {updated}/{}", spec - partition),
            ));
        }
        return Ok(Outcome::current(format!(
            "Partition rollout complete. updated: {updated}"
        )));
    }
    if spec > current {
        return Ok(Outcome::in_progress(
            "LessCurrent",
            format!("current: {current}/{spec}"),
        ));
    }
    let current_revision = str_or(obj, &["status", "currentRevision"], "");
    let update_revision = str_or(obj, &["status", "updateRevision"], "");
    if current_revision != update_revision {
        return Ok(Outcome::in_progress(
            "RevisionMismatch",
            "Waiting for updated revision to match current",
        ));
    }
    Ok(Outcome::current(format!(
        "All replicas scheduled as expected. Replicas: {replicas}"
    )))
}

/// Deployments: replica counts, then the `Progressing` and `Available` conditions. An
/// exceeded progress deadline is the one terminal failure.
fn deployment(obj: &Value, _: SystemTime) -> Result<Outcome> {
    // Without a progress deadline the controller never sets `Progressing`; kstatus then
    // takes progress for granted (the API server defaults an unset deadline to MaxInt32).
    let mut progressing = int_or(
        obj,
        &["spec", "progressDeadlineSeconds"],
        i64::from(i32::MAX),
    ) == i64::from(i32::MAX);
    let mut available = false;
    for c in fields::conditions(obj)? {
        match c.type_.as_str() {
            "Progressing" => {
                if c.reason == "ProgressDeadlineExceeded" {
                    return Ok(Outcome {
                        status: Status::Failed,
                        message: "Progress deadline exceeded".to_string(),
                        conditions: vec![crate::Condition {
                            type_: ConditionType::Stalled,
                            reason: c.reason,
                            message: c.message,
                        }],
                    });
                }
                if c.status == "True" && c.reason == "NewReplicaSetAvailable" {
                    progressing = true;
                }
            }
            "Available" if c.status == "True" => available = true,
            _ => {}
        }
    }

    let spec = int_or(obj, &["spec", "replicas"], 1);
    let replicas = int_or(obj, &["status", "replicas"], 0);
    let updated = int_or(obj, &["status", "updatedReplicas"], 0);
    let ready = int_or(obj, &["status", "readyReplicas"], 0);
    let available_replicas = int_or(obj, &["status", "availableReplicas"], 0);

    if spec > replicas {
        return Ok(Outcome::in_progress(
            "LessReplicas",
            format!("Replicas: {replicas}/{spec}"),
        ));
    }
    if spec > updated {
        return Ok(Outcome::in_progress(
            "LessUpdated",
            format!("Updated: {updated}/{spec}"),
        ));
    }
    if replicas > spec {
        return Ok(Outcome::in_progress(
            "ExtraPods",
            format!("Pending termination: {}", replicas - spec),
        ));
    }
    if updated > available_replicas {
        return Ok(Outcome::in_progress(
            "LessAvailable",
            format!("Available: {available_replicas}/{updated}"),
        ));
    }
    if spec > ready {
        return Ok(Outcome::in_progress(
            "LessReady",
            format!("Ready: {ready}/{spec}"),
        ));
    }
    if !progressing {
        return Ok(Outcome::in_progress(
            "ReplicaSetNotAvailable",
            "ReplicaSet not Available",
        ));
    }
    if !available {
        return Ok(Outcome::in_progress(
            "DeploymentNotAvailable",
            "Deployment not Available",
        ));
    }
    Ok(Outcome::current(format!(
        "Deployment is available. Replicas: {replicas}"
    )))
}

fn replica_set(obj: &Value, _: SystemTime) -> Result<Outcome> {
    if fields::conditions(obj)?
        .iter()
        .any(|c| c.type_ == "ReplicaFailure" && c.status == "True")
    {
        return Ok(Outcome::in_progress(
            "ReplicaFailure",
            "Replica Failure condition. Check Pods",
        ));
    }
    let spec = int_or(obj, &["spec", "replicas"], 1);
    let replicas = int_or(obj, &["status", "replicas"], 0);
    let ready = int_or(obj, &["status", "readyReplicas"], 0);
    let available = int_or(obj, &["status", "availableReplicas"], 0);
    let labelled = int_or(obj, &["status", "fullyLabeledReplicas"], 0);

    if spec > labelled {
        return Ok(Outcome::in_progress(
            "LessLabelled",
            format!("Labelled: {labelled}/{spec}"),
        ));
    }
    if spec > available {
        return Ok(Outcome::in_progress(
            "LessAvailable",
            format!("Available: {available}/{spec}"),
        ));
    }
    if spec > ready {
        return Ok(Outcome::in_progress(
            "LessReady",
            format!("Ready: {ready}/{spec}"),
        ));
    }
    if replicas > spec {
        return Ok(Outcome::in_progress(
            "ExtraPods",
            format!("Pending termination: {}", replicas - spec),
        ));
    }
    Ok(Outcome::current(format!(
        "ReplicaSet is available. Replicas: {replicas}"
    )))
}

/// DaemonSets: both generation fields must be set (the controller always sets them once it
/// has acted), then the scheduled, updated, available and ready counts must reach the
/// desired count.
fn daemon_set(obj: &Value, _: SystemTime) -> Result<Outcome> {
    if let Some(out) = generic::check_generation_set(obj)? {
        return Ok(out);
    }
    let desired = int_or(obj, &["status", "desiredNumberScheduled"], -1);
    let current = int_or(obj, &["status", "currentNumberScheduled"], 0);
    let updated = int_or(obj, &["status", "updatedNumberScheduled"], 0);
    let available = int_or(obj, &["status", "numberAvailable"], 0);
    let ready = int_or(obj, &["status", "numberReady"], 0);

    if desired == -1 {
        return Ok(Outcome::in_progress(
            "NoDesiredNumber",
            "Missing .status.desiredNumberScheduled",
        ));
    }
    if desired > current {
        return Ok(Outcome::in_progress(
            "LessCurrent",
            format!("Current: {current}/{desired}"),
        ));
    }
    if desired > updated {
        return Ok(Outcome::in_progress(
            "LessUpdated",
            format!("Updated: {updated}/{desired}"),
        ));
    }
    if desired > available {
        return Ok(Outcome::in_progress(
            "LessAvailable",
            format!("Available: {available}/{desired}"),
        ));
    }
    if desired > ready {
        return Ok(Outcome::in_progress(
            "LessReady",
            format!("Ready: {ready}/{desired}"),
        ));
    }
    Ok(Outcome::current(format!(
        "All replicas scheduled as expected. Replicas: {desired}"
    )))
}

fn pvc(obj: &Value, _: SystemTime) -> Result<Outcome> {
    let phase = str_or(obj, &["status", "phase"], "unknown");
    if phase != "Bound" {
        return Ok(Outcome::in_progress(
            "NotBound",
            format!("PVC is not Bound. phase: {phase}"),
        ));
    }
    Ok(Outcome::current("PVC is Bound"))
}

/// Pods: finished Pods are `Current` whatever their outcome; running ones must be `Ready`
/// (crash-looping containers fail them); pending ones fail once they have been
/// unschedulable for longer than [`SCHEDULE_WINDOW`].
fn pod(obj: &Value, now: SystemTime) -> Result<Outcome> {
    let conditions = fields::conditions(obj)?;
    let phase = str_or(obj, &["status", "phase"], "");
    match phase {
        "Succeeded" => Ok(Outcome::current("Pod has completed successfully")),
        "Failed" => Ok(Outcome::current("Pod has completed, but not successfully")),
        "Running" => {
            if conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True")
            {
                return Ok(Outcome::current("Pod is Ready"));
            }
            let looping = crash_looping_containers(obj)?;
            if !looping.is_empty() {
                return Ok(Outcome::failed(
                    "ContainerCrashLooping",
                    format!("Containers in CrashLoop state: {}", looping.join(",")),
                ));
            }
            Ok(Outcome::in_progress(
                "PodRunningNotReady",
                "Pod is running but is not Ready",
            ))
        }
        "Pending" => {
            let unschedulable = conditions
                .iter()
                .find(|c| c.type_ == "PodScheduled" && c.status == "False");
            if unschedulable.is_some_and(|c| c.reason == "Unschedulable") {
                // An unreadable or missing creation time is the zero time: long ago.
                let created = str_or(obj, &["metadata", "creationTimestamp"], "");
                let created = parse_rfc3339(created).unwrap_or(i128::MIN);
                let window_start = unix_nanos(now) - SCHEDULE_WINDOW.as_nanos() as i128;
                if window_start < created {
                    return Ok(Outcome::in_progress(
                        "PodNotScheduled",
                        "Pod has not been scheduled",
                    ));
                }
                return Ok(Outcome::failed(
                    "PodUnschedulable",
                    "Pod could not be scheduled",
                ));
            }
            Ok(Outcome::in_progress(
                "PodPending",
                "Pod is in the Pending phase",
            ))
        }
        // The kubelet has not reported yet.
        "" => Ok(Outcome::in_progress(
            "PodNotObserved",
            "Pod phase not available",
        )),
        other => Err(Error::UnknownPhase(other.to_string())),
    }
}

/// Names of the containers waiting in `CrashLoopBackOff`, in status order. Entries of an
/// unexpected shape are skipped.
fn crash_looping_containers(obj: &Value) -> Result<Vec<String>> {
    let statuses = match nested(obj, &["status", "containerStatuses"])? {
        None => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => {
            return Err(Error::Field(
                ".status.containerStatuses accessor error: expected []interface{}".to_string(),
            ));
        }
    };
    let mut names = Vec::new();
    for s in statuses {
        let Some(name) = s.get("name").and_then(Value::as_str) else {
            continue;
        };
        let reason = s
            .get("state")
            .and_then(|st| st.get("waiting"))
            .and_then(|w| w.get("reason"))
            .and_then(Value::as_str);
        if reason == Some("CrashLoopBackOff") {
            names.push(name.to_string());
        }
    }
    Ok(names)
}

/// The disruption controller sets no conditions; once it has observed the latest spec
/// (the generic generation rule), the budget is computed.
fn pdb(_: &Value, _: SystemTime) -> Result<Outcome> {
    Ok(Outcome::current("AllowedDisruptions has been computed."))
}

/// kstatus's Jobs: `Current` once started (and when complete or suspended), `Failed` when
/// the `Failed` condition is true.
fn job(obj: &Value, _: SystemTime) -> Result<Outcome> {
    let (succeeded, failed, completions) = job_counts(obj);
    let active = int_or(obj, &["status", "active"], 0);
    let start_time = str_or(obj, &["status", "startTime"], "");
    for c in fields::conditions(obj)? {
        if c.status != "True" {
            continue;
        }
        match c.type_.as_str() {
            "Complete" => {
                return Ok(Outcome::current(format!(
                    "Job Completed. succeeded: {succeeded}/{completions}"
                )));
            }
            "Failed" => {
                return Ok(Outcome::failed(
                    "JobFailed",
                    format!("Job Failed. failed: {failed}/{completions}"),
                ));
            }
            "Suspended" => return Ok(Outcome::current("Job is suspended")),
            _ => {}
        }
    }
    if start_time.is_empty() {
        return Ok(Outcome::in_progress("JobNotStarted", "Job not started"));
    }
    Ok(Outcome::current(format!(
        "Job in progress. success:{succeeded}, active: {active}, failed: {failed}"
    )))
}

fn job_counts(obj: &Value) -> (i64, i64, i64) {
    let parallelism = int_or(obj, &["spec", "parallelism"], 1);
    let completions = int_or(obj, &["spec", "completions"], parallelism);
    let succeeded = int_or(obj, &["status", "succeeded"], 0);
    let failed = int_or(obj, &["status", "failed"], 0);
    (succeeded, failed, completions)
}

/// Flux's Job rule (kustomize-controller's custom status reader): only a completed Job is
/// `Current`; the generic rules are not consulted.
pub(crate) fn flux_job(obj: &Value) -> Result<Outcome> {
    let (succeeded, failed, completions) = job_counts(obj);
    for c in fields::conditions(obj)? {
        if c.status != "True" {
            continue;
        }
        match c.type_.as_str() {
            "Complete" => {
                return Ok(Outcome::current(format!(
                    "Job Completed. succeeded: {succeeded}/{completions}"
                )));
            }
            "Failed" => {
                return Ok(Outcome::failed(
                    "JobFailed",
                    format!("Job Failed. failed: {failed}/{completions}"),
                ));
            }
            _ => {}
        }
    }
    Ok(Outcome::in_progress("JobInProgress", "Job in progress"))
}

/// Services: only a `LoadBalancer` without a cluster IP is waited for. kstatus does not
/// wait for the load balancer's ingress.
fn service(obj: &Value, _: SystemTime) -> Result<Outcome> {
    let type_ = str_or(obj, &["spec", "type"], "ClusterIP");
    let cluster_ip = str_or(obj, &["spec", "clusterIP"], "");
    if type_ == "LoadBalancer" && cluster_ip.is_empty() {
        return Ok(Outcome::in_progress(
            "NoIPAssigned",
            "ClusterIP not set. Service type: LoadBalancer",
        ));
    }
    Ok(Outcome::current("Service is ready"))
}

/// CRDs: rejected names or a failed establishment are terminal; `Established=True` is
/// current; anything else is still installing. Conditions are read in order.
fn crd(obj: &Value, _: SystemTime) -> Result<Outcome> {
    for c in fields::conditions(obj)? {
        if c.type_ == "NamesAccepted" && c.status == "False" {
            return Ok(Outcome::failed(&c.reason, c.message));
        }
        if c.type_ == "Established" {
            if c.status == "False" && c.reason != "Installing" {
                return Ok(Outcome::failed(&c.reason, c.message));
            }
            if c.status == "True" {
                return Ok(Outcome::current("CRD is established"));
            }
        }
    }
    Ok(Outcome::in_progress("Installing", "Install in progress"))
}
