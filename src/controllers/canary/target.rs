//! The workload a Canary targets (a Deployment or a DaemonSet) and its `<name>-primary`
//! copy: the copy serves production traffic while the target, scaled to zero between
//! rollouts, runs the new revision.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result};
use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetSpec, Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use kube::api::{Api, Patch, PatchParams};
use kube::{Resource, ResourceExt};
use serde_json::json;

use crate::api::flagger::{Canary, TargetKind};

use super::FIELD_MANAGER;

/// The node selector that takes every pod of a DaemonSet off its nodes: a DaemonSet has no
/// replica count, so Flagger "scales it to zero" with a label no node carries.
pub const SCALE_TO_ZERO_KEY: &str = "flagger.app/scale-to-zero";

/// A Canary's target or primary.
#[derive(Clone, Debug)]
pub enum Workload {
    Deployment(Deployment),
    DaemonSet(DaemonSet),
}

impl Workload {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Deployment(_) => "Deployment",
            Self::DaemonSet(_) => "DaemonSet",
        }
    }

    fn meta(&self) -> &ObjectMeta {
        match self {
            Self::Deployment(d) => &d.metadata,
            Self::DaemonSet(d) => &d.metadata,
        }
    }

    pub fn name(&self) -> String {
        self.meta().name.clone().unwrap_or_default()
    }

    fn match_labels(&self) -> Option<&BTreeMap<String, String>> {
        match self {
            Self::Deployment(d) => d.spec.as_ref()?.selector.match_labels.as_ref(),
            Self::DaemonSet(d) => d.spec.as_ref()?.selector.match_labels.as_ref(),
        }
    }

    /// The pod template of the revision: for a DaemonSet, without the scale-to-zero node
    /// selector (scaling it is not a new revision, and the primary must not inherit it).
    pub fn template(&self) -> PodTemplateSpec {
        match self {
            Self::Deployment(d) => d.spec.as_ref().map(|s| s.template.clone()),
            Self::DaemonSet(d) => d.spec.as_ref().map(|s| {
                let mut template = s.template.clone();
                if let Some(spec) = template.spec.as_mut() {
                    if let Some(selector) = spec.node_selector.as_mut() {
                        selector.remove(SCALE_TO_ZERO_KEY);
                    }
                    spec.node_selector.take_if(|s| s.is_empty());
                }
                template
            }),
        }
        .unwrap_or_default()
    }

    /// The Deployment's replica count; a DaemonSet has none.
    pub fn replicas(&self) -> Option<i32> {
        match self {
            Self::Deployment(d) => d.spec.as_ref().and_then(|s| s.replicas),
            Self::DaemonSet(_) => None,
        }
    }

    /// Whether the workload runs no pods by the controller's doing.
    pub fn scaled_to_zero(&self) -> bool {
        match self {
            Self::Deployment(d) => d.spec.as_ref().and_then(|s| s.replicas) == Some(0),
            Self::DaemonSet(d) => d
                .spec
                .as_ref()
                .and_then(|s| s.template.spec.as_ref())
                .and_then(|s| s.node_selector.as_ref())
                .is_some_and(|n| n.contains_key(SCALE_TO_ZERO_KEY)),
        }
    }
}

/// The workloads of one kind in one namespace.
pub struct Workloads {
    kind: TargetKind,
    deployments: Api<Deployment>,
    daemonsets: Api<DaemonSet>,
}

impl Workloads {
    pub fn new(client: &kube::Client, namespace: &str, kind: TargetKind) -> Self {
        Self {
            kind,
            deployments: Api::namespaced(client.clone(), namespace),
            daemonsets: Api::namespaced(client.clone(), namespace),
        }
    }

    pub async fn get_opt(&self, name: &str) -> Result<Option<Workload>> {
        let found = match self.kind {
            TargetKind::DaemonSet => self
                .daemonsets
                .get_opt(name)
                .await?
                .map(Workload::DaemonSet),
            _ => self
                .deployments
                .get_opt(name)
                .await?
                .map(Workload::Deployment),
        };
        Ok(found)
    }

    /// Sets a Deployment's `spec.replicas`; a DaemonSet is scaled to zero by the scale-to-zero
    /// node selector and back up (any `replicas` above zero) by removing it.
    pub async fn scale(&self, name: &str, replicas: i32) -> Result<()> {
        let params = PatchParams::default();
        match self.kind {
            TargetKind::DaemonSet => {
                let value = (replicas == 0).then_some("true");
                let patch = json!({ "spec": { "template": { "spec": {
                    "nodeSelector": { SCALE_TO_ZERO_KEY: value } } } } });
                self.daemonsets
                    .patch(name, &params, &Patch::Merge(patch))
                    .await
                    .map(drop)
            }
            _ => {
                let patch = json!({ "spec": { "replicas": replicas } });
                self.deployments
                    .patch(name, &params, &Patch::Merge(patch))
                    .await
                    .map(drop)
            }
        }
        .with_context(|| format!("scaling {} {name} to {replicas}", self.kind.as_str()))
    }

    /// Writes the primary (server-side apply, so a repeated promotion is a no-op).
    pub async fn apply_primary(&self, primary: &Workload) -> Result<()> {
        let name = primary.name();
        let params = PatchParams::apply(FIELD_MANAGER).force();
        let mut body = match primary {
            Workload::Deployment(d) => serde_json::to_value(d)?,
            Workload::DaemonSet(d) => serde_json::to_value(d)?,
        };
        body["apiVersion"] = "apps/v1".into();
        body["kind"] = primary.kind().into();
        match primary {
            Workload::Deployment(_) => self
                .deployments
                .patch(&name, &params, &Patch::Apply(&body))
                .await
                .map(drop),
            Workload::DaemonSet(_) => self
                .daemonsets
                .patch(&name, &params, &Patch::Apply(&body))
                .await
                .map(drop),
        }
        .with_context(|| format!("writing {} {name}", primary.kind()))
    }
}

/// The label that tells primary pods from canary pods: `key: value` on the target's pods,
/// `key: value-primary` on the primary's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    pub key: String,
    pub value: String,
}

impl Selector {
    /// The first of `keys` in the target's `spec.selector.matchLabels`.
    pub fn of(target: &Workload, keys: &[String]) -> Result<Self, String> {
        let labels = target.match_labels();
        keys.iter()
            .find_map(|key| {
                labels.and_then(|l| l.get(key)).map(|value| Selector {
                    key: key.clone(),
                    value: value.clone(),
                })
            })
            .ok_or_else(|| {
                format!(
                    "{} {}.{}: spec.selector.matchLabels must contain one of {}: add \
                     one to the {}'s selector and pod labels",
                    target.kind(),
                    target.name(),
                    target.meta().namespace.clone().unwrap_or_default(),
                    keys.join(", "),
                    target.kind()
                )
            })
    }

    pub fn primary_value(&self) -> String {
        format!("{}-primary", self.value)
    }
}

/// The primary workload's name: always the target's name with `-primary`.
pub fn primary_name(canary: &Canary) -> String {
    format!("{}-primary", canary.spec.target_ref.name)
}

/// A stable digest of the pod template: what `status.lastAppliedSpec` records, so a change
/// of the template starts a rollout. (Flagger hashes a Go dump of the template; the value is
/// opaque to users, so tk hashes the template's canonical JSON instead.)
pub fn template_hash(template: &PodTemplateSpec) -> String {
    // serde_json's map keeps keys sorted, so the JSON is canonical.
    opaque_hash(&serde_json::to_vec(template).unwrap_or_default())
}

/// FNV-32a of `bytes`, written as Kubernetes writes such hashes (pod-template-hash).
pub fn opaque_hash(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    });
    safe_encode(&hash.to_string())
}

/// Kubernetes' `rand.SafeEncodeString`: digits mapped onto an alphabet without vowels, so a
/// hash never spells a word.
fn safe_encode(s: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    s.bytes()
        .map(|b| ALPHANUMS[usize::from(b) % ALPHANUMS.len()] as char)
        .collect()
}

fn with_primary_label(
    labels: Option<&BTreeMap<String, String>>,
    sel: &Selector,
) -> BTreeMap<String, String> {
    let mut labels = labels.cloned().unwrap_or_default();
    labels.insert(sel.key.clone(), sel.primary_value());
    labels
}

/// The primary for `target`'s current revision: the same pod spec (`pod_template`, config
/// references already renamed) under the primary label, owned by the Canary; `replicas`
/// applies to a Deployment only.
pub fn desired_primary(
    canary: &Canary,
    target: &Workload,
    sel: &Selector,
    replicas: i32,
    pod_template: PodTemplateSpec,
) -> Workload {
    let mut template = pod_template;
    let meta = template.metadata.get_or_insert_with(Default::default);
    meta.labels = Some(with_primary_label(meta.labels.as_ref(), sel));
    let target_meta = target.meta();
    let metadata = ObjectMeta {
        name: Some(primary_name(canary)),
        namespace: canary.namespace(),
        labels: Some(with_primary_label(target_meta.labels.as_ref(), sel)),
        annotations: target_meta.annotations.as_ref().map(|a| {
            a.iter()
                .filter(|(k, _)| !is_managed_annotation(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        }),
        owner_references: canary.controller_owner_ref(&()).map(|o| vec![o]),
        ..Default::default()
    };
    let selector = LabelSelector {
        match_labels: Some(BTreeMap::from([(sel.key.clone(), sel.primary_value())])),
        ..Default::default()
    };
    match target {
        Workload::Deployment(d) => {
            let spec = d.spec.clone().unwrap_or_default();
            Workload::Deployment(Deployment {
                metadata,
                spec: Some(DeploymentSpec {
                    replicas: Some(replicas),
                    selector,
                    template,
                    progress_deadline_seconds: spec.progress_deadline_seconds,
                    min_ready_seconds: spec.min_ready_seconds,
                    revision_history_limit: spec.revision_history_limit,
                    strategy: spec.strategy,
                    paused: None,
                }),
                status: None,
            })
        }
        Workload::DaemonSet(d) => {
            let spec = d.spec.clone().unwrap_or_default();
            Workload::DaemonSet(DaemonSet {
                metadata,
                spec: Some(DaemonSetSpec {
                    selector,
                    template,
                    min_ready_seconds: spec.min_ready_seconds,
                    revision_history_limit: spec.revision_history_limit,
                    update_strategy: spec.update_strategy,
                }),
                status: None,
            })
        }
    }
}

/// Annotations a copy must not carry: the client's record of what it applied, and
/// Deployment/DaemonSet bookkeeping.
fn is_managed_annotation(key: &str) -> bool {
    key == "kubectl.kubernetes.io/last-applied-configuration"
        || key.starts_with("deployment.kubernetes.io/")
        || key == "deprecated.daemonset.template.generation"
}

/// Where a workload's rollout stands.
#[derive(Debug, PartialEq, Eq)]
pub enum Rollout {
    Ready,
    /// Still rolling out; worth waiting for.
    Waiting(String),
    /// Past its progress deadline: the rollout will not finish by itself.
    Stuck(String),
}

/// Flagger's readiness check of `workload`: the newest generation observed, every replica
/// (or scheduled pod) updated and at least `threshold` percent of them available. A
/// Deployment is stuck once its own progress deadline passed or replicas stayed unavailable
/// for `deadline_seconds`; a DaemonSet has no progress condition, so it is stuck
/// `deadline_seconds` after the Canary's last transition (`since`, Unix seconds).
pub fn rollout(
    workload: &Workload,
    deadline_seconds: i64,
    threshold: i32,
    since: Option<i64>,
) -> Rollout {
    match workload {
        Workload::Deployment(d) => deployment_rollout(d, deadline_seconds, threshold),
        Workload::DaemonSet(d) => daemonset_rollout(d, deadline_seconds, threshold, since),
    }
}

fn available_needed(updated: i32, threshold: i32) -> i32 {
    (f64::from(updated) * f64::from(threshold) / 100.0) as i32
}

fn daemonset_rollout(
    ds: &DaemonSet,
    deadline_seconds: i64,
    threshold: i32,
    since: Option<i64>,
) -> Rollout {
    let name = ds.name_any();
    let status = ds.status.clone().unwrap_or_default();
    let prefix = format!("DaemonSet {name}: waiting for rollout to finish");
    if ds.metadata.generation.unwrap_or(0) > status.observed_generation.unwrap_or(0) {
        return Rollout::Waiting(format!(
            "{prefix}: observed generation is older than the desired one"
        ));
    }
    let desired = status.desired_number_scheduled;
    let updated = status.updated_number_scheduled.unwrap_or(0);
    let available = status.number_available.unwrap_or(0);
    let needed = available_needed(desired, threshold);
    let waiting = if updated < desired {
        format!("{updated} out of {desired} new pods have been updated")
    } else if available < needed {
        format!("{available} of {desired} (readyThreshold {threshold}%) updated pods are available")
    } else {
        return Rollout::Ready;
    };
    let now = k8s_openapi::jiff::Timestamp::now().as_second();
    if since.is_some_and(|t| now - t > deadline_seconds) {
        return Rollout::Stuck(format!(
            "DaemonSet {name} exceeded its progressDeadlineSeconds: {deadline_seconds}: {waiting}"
        ));
    }
    Rollout::Waiting(format!("{prefix}: {waiting}"))
}

fn deployment_rollout(dep: &Deployment, deadline_seconds: i64, threshold: i32) -> Rollout {
    let name = dep.name_any();
    let status = dep.status.clone().unwrap_or_default();
    if dep.metadata.generation.unwrap_or(0) > status.observed_generation.unwrap_or(0) {
        return Rollout::Waiting(format!(
            "Deployment {name}: waiting for rollout to finish: observed generation is older than the desired one"
        ));
    }
    let conditions = status.conditions.clone().unwrap_or_default();
    let condition = |type_: &str| conditions.iter().find(|c| c.type_ == type_);
    if condition("Progressing")
        .is_some_and(|c| c.reason.as_deref() == Some("ProgressDeadlineExceeded"))
    {
        return Rollout::Stuck(format!("Deployment {name} exceeded its progress deadline"));
    }
    let stalled = condition("Available").is_some_and(|c| {
        c.status == "False"
            && c.reason.as_deref() == Some("MinimumReplicasUnavailable")
            && c.last_update_time.as_ref().is_some_and(|t| {
                k8s_openapi::jiff::Timestamp::now().as_second() - t.0.as_second() > deadline_seconds
            })
    });
    let wanted = dep.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let updated = status.updated_replicas.unwrap_or(0);
    let total = status.replicas.unwrap_or(0);
    let available = status.available_replicas.unwrap_or(0);
    let needed = available_needed(updated, threshold);
    let waiting = if updated < wanted {
        format!("{updated} out of {wanted} new replicas have been updated")
    } else if total > updated {
        format!("{} old replicas are pending termination", total - updated)
    } else if available < needed {
        format!(
            "{available} of {updated} (readyThreshold {threshold}%) updated replicas are available"
        )
    } else {
        return Rollout::Ready;
    };
    let message = format!("Deployment {name}: waiting for rollout to finish: {waiting}");
    if stalled {
        Rollout::Stuck(message)
    } else {
        Rollout::Waiting(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::DeploymentStatus;
    use serde_json::Value;

    fn deployment(replicas: i32, status: DeploymentStatus) -> Deployment {
        Deployment {
            metadata: ObjectMeta {
                name: Some("podinfo".into()),
                generation: Some(2),
                ..Default::default()
            },
            spec: Some(DeploymentSpec {
                replicas: Some(replicas),
                ..Default::default()
            }),
            status: Some(status),
        }
    }

    #[test]
    fn rollout_waits_for_updated_and_available_replicas() {
        let status = |updated, total, available| DeploymentStatus {
            observed_generation: Some(2),
            updated_replicas: Some(updated),
            replicas: Some(total),
            available_replicas: Some(available),
            ..Default::default()
        };
        assert_eq!(
            deployment_rollout(&deployment(2, status(2, 2, 2)), 600, 100),
            Rollout::Ready
        );
        let Rollout::Waiting(m) = deployment_rollout(&deployment(2, status(1, 2, 1)), 600, 100)
        else {
            panic!()
        };
        assert!(m.contains("1 out of 2 new replicas"), "{m}");
        let Rollout::Waiting(m) = deployment_rollout(&deployment(2, status(2, 3, 2)), 600, 100)
        else {
            panic!()
        };
        assert!(m.contains("1 old replicas are pending termination"), "{m}");
        assert!(matches!(
            deployment_rollout(&deployment(2, status(2, 2, 1)), 600, 100),
            Rollout::Waiting(_)
        ));
        assert_eq!(
            deployment_rollout(&deployment(2, status(2, 2, 1)), 600, 50),
            Rollout::Ready
        );
        let mut old = status(2, 2, 2);
        old.observed_generation = Some(1);
        assert!(matches!(
            deployment_rollout(&deployment(2, old), 600, 100),
            Rollout::Waiting(_)
        ));
    }

    fn daemonset(node_selector: Option<Value>) -> Workload {
        Workload::DaemonSet(
            serde_json::from_value(json!({
                "metadata": { "name": "agent", "namespace": "test", "generation": 3,
                              "annotations": { "deprecated.daemonset.template.generation": "3",
                                               "team": "infra" } },
                "spec": {
                    "selector": { "matchLabels": { "app": "agent" } },
                    "updateStrategy": { "type": "RollingUpdate" },
                    "template": {
                        "metadata": { "labels": { "app": "agent" } },
                        "spec": { "containers": [{ "name": "agent", "image": "agent:1" }],
                                  "nodeSelector": node_selector },
                    },
                },
            }))
            .unwrap(),
        )
    }

    #[test]
    fn a_daemonset_scaled_to_zero_keeps_its_revision() {
        let plain = daemonset(None);
        let zero = daemonset(Some(json!({ SCALE_TO_ZERO_KEY: "true" })));
        assert!(!plain.scaled_to_zero());
        assert!(zero.scaled_to_zero());
        assert_eq!(
            template_hash(&plain.template()),
            template_hash(&zero.template())
        );
        assert_eq!(zero.template().spec.unwrap().node_selector, None);
        let pinned = daemonset(Some(json!({ SCALE_TO_ZERO_KEY: "true", "disk": "ssd" })));
        assert_eq!(
            pinned.template().spec.unwrap().node_selector,
            Some(BTreeMap::from([("disk".to_string(), "ssd".to_string())]))
        );
        assert_eq!(plain.replicas(), None);
    }

    #[test]
    fn a_daemonset_primary_copies_the_revision_under_the_primary_label() {
        let canary: Canary = serde_json::from_value(json!({
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": { "name": "agent", "namespace": "test", "uid": "u1" },
            "spec": { "targetRef": { "apiVersion": "apps/v1", "kind": "DaemonSet", "name": "agent" },
                      "service": { "port": 80 } }
        }))
        .unwrap();
        let target = daemonset(Some(json!({ SCALE_TO_ZERO_KEY: "true" })));
        let sel = Selector::of(&target, &["app".to_string()]).unwrap();
        let Workload::DaemonSet(primary) =
            desired_primary(&canary, &target, &sel, 5, target.template())
        else {
            panic!("a DaemonSet's primary is a DaemonSet")
        };
        assert_eq!(primary.metadata.name.as_deref(), Some("agent-primary"));
        assert_eq!(
            primary.metadata.annotations,
            Some(BTreeMap::from([("team".to_string(), "infra".to_string())]))
        );
        let spec = primary.spec.unwrap();
        assert_eq!(spec.selector.match_labels.unwrap()["app"], "agent-primary");
        assert_eq!(
            spec.template.metadata.unwrap().labels.unwrap()["app"],
            "agent-primary"
        );
        assert_eq!(spec.template.spec.unwrap().node_selector, None);
        assert_eq!(
            spec.update_strategy.unwrap().type_.as_deref(),
            Some("RollingUpdate")
        );
    }

    #[test]
    fn daemonset_rollout_counts_scheduled_pods() {
        let with_status = |status: Value, since: Option<i64>| {
            let Workload::DaemonSet(mut ds) = daemonset(None) else {
                unreachable!()
            };
            ds.status = Some(serde_json::from_value(status).unwrap());
            rollout(&Workload::DaemonSet(ds), 600, 100, since)
        };
        let status = |updated: i32, available: i32| {
            json!({ "observedGeneration": 3, "desiredNumberScheduled": 2,
                    "currentNumberScheduled": 2, "numberMisscheduled": 0, "numberReady": available,
                    "updatedNumberScheduled": updated, "numberAvailable": available })
        };
        assert_eq!(with_status(status(2, 2), None), Rollout::Ready);
        let Rollout::Waiting(m) = with_status(status(1, 2), None) else {
            panic!()
        };
        assert!(m.contains("1 out of 2 new pods have been updated"), "{m}");
        let Rollout::Waiting(m) = with_status(status(2, 1), None) else {
            panic!()
        };
        assert!(
            m.contains("1 of 2 (readyThreshold 100%) updated pods"),
            "{m}"
        );
        let long_ago = k8s_openapi::jiff::Timestamp::now().as_second() - 601;
        let Rollout::Stuck(m) = with_status(status(1, 2), Some(long_ago)) else {
            panic!()
        };
        assert!(
            m.contains("exceeded its progressDeadlineSeconds: 600"),
            "{m}"
        );
        let mut old = status(2, 2);
        old["observedGeneration"] = json!(2);
        assert!(matches!(with_status(old, None), Rollout::Waiting(_)));
    }

    #[test]
    fn template_hash_changes_with_the_template_only() {
        let mut t = PodTemplateSpec::default();
        let a = template_hash(&t);
        assert_eq!(a, template_hash(&t.clone()));
        assert!(
            a.bytes()
                .all(|b| b"bcdfghjklmnpqrstvwxz2456789".contains(&b)),
            "{a}"
        );
        t.metadata = Some(ObjectMeta {
            labels: Some(BTreeMap::from([("app".into(), "podinfo".into())])),
            ..Default::default()
        });
        assert_ne!(a, template_hash(&t));
    }
}
