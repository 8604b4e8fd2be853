//! The Deployment a Canary targets and its `<name>-primary` copy: the copy serves production
//! traffic while the target, scaled to zero between rollouts, runs the new revision.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use kube::api::{Api, Patch, PatchParams};
use kube::{Resource, ResourceExt};

use crate::api::flagger::Canary;

use super::FIELD_MANAGER;

/// The label that tells primary pods from canary pods: `key: value` on the target's pods,
/// `key: value-primary` on the primary's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    pub key: String,
    pub value: String,
}

impl Selector {
    /// The first of `keys` in the target's `spec.selector.matchLabels`.
    pub fn of(target: &Deployment, keys: &[String]) -> Result<Self, String> {
        let labels = target
            .spec
            .as_ref()
            .and_then(|s| s.selector.match_labels.as_ref());
        keys.iter()
            .find_map(|key| {
                labels.and_then(|l| l.get(key)).map(|value| Selector {
                    key: key.clone(),
                    value: value.clone(),
                })
            })
            .ok_or_else(|| {
                format!(
                    "Deployment {}.{}: spec.selector.matchLabels must contain one of {}: add \
                     one to the Deployment's selector and pod labels",
                    target.name_any(),
                    target.namespace().unwrap_or_default(),
                    keys.join(", ")
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

/// The target's pod template.
pub fn template(target: &Deployment) -> PodTemplateSpec {
    target
        .spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default()
}

fn with_primary_label(
    labels: Option<&BTreeMap<String, String>>,
    sel: &Selector,
) -> BTreeMap<String, String> {
    let mut labels = labels.cloned().unwrap_or_default();
    labels.insert(sel.key.clone(), sel.primary_value());
    labels
}

/// The primary Deployment for `target`'s current template: the same pod spec (with config
/// references renamed by `rename`) under the primary label, owned by the Canary.
pub fn desired_primary(
    canary: &Canary,
    target: &Deployment,
    sel: &Selector,
    replicas: i32,
    pod_template: PodTemplateSpec,
) -> Deployment {
    let spec = target.spec.clone().unwrap_or_default();
    let mut template = pod_template;
    let meta = template.metadata.get_or_insert_with(Default::default);
    meta.labels = Some(with_primary_label(meta.labels.as_ref(), sel));
    Deployment {
        metadata: ObjectMeta {
            name: Some(primary_name(canary)),
            namespace: canary.namespace(),
            labels: Some(with_primary_label(target.metadata.labels.as_ref(), sel)),
            annotations: target.metadata.annotations.as_ref().map(|a| {
                a.iter()
                    .filter(|(k, _)| !is_managed_annotation(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            }),
            owner_references: canary.controller_owner_ref(&()).map(|o| vec![o]),
            ..Default::default()
        },
        spec: Some(DeploymentSpec {
            replicas: Some(replicas),
            selector: LabelSelector {
                match_labels: Some(BTreeMap::from([(sel.key.clone(), sel.primary_value())])),
                ..Default::default()
            },
            template,
            progress_deadline_seconds: spec.progress_deadline_seconds,
            min_ready_seconds: spec.min_ready_seconds,
            revision_history_limit: spec.revision_history_limit,
            strategy: spec.strategy,
            paused: None,
        }),
        status: None,
    }
}

/// Annotations a copy must not carry: the client's record of what it applied, and
/// Deployment bookkeeping.
fn is_managed_annotation(key: &str) -> bool {
    key == "kubectl.kubernetes.io/last-applied-configuration"
        || key.starts_with("deployment.kubernetes.io/")
}

/// Writes the primary Deployment (server-side apply, so a repeated promotion is a no-op).
pub async fn apply_primary(api: &Api<Deployment>, primary: &Deployment) -> Result<Deployment> {
    let mut body = serde_json::to_value(primary)?;
    body["apiVersion"] = "apps/v1".into();
    body["kind"] = "Deployment".into();
    api.patch(
        &primary.name_any(),
        &PatchParams::apply(FIELD_MANAGER).force(),
        &Patch::Apply(&body),
    )
    .await
    .with_context(|| format!("writing Deployment {}", primary.name_any()))
}

/// Sets a Deployment's `spec.replicas`.
pub async fn scale(api: &Api<Deployment>, name: &str, replicas: i32) -> Result<()> {
    api.patch(
        name,
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({ "spec": { "replicas": replicas } })),
    )
    .await
    .with_context(|| format!("scaling Deployment {name} to {replicas}"))?;
    Ok(())
}

pub fn replicas(dep: &Deployment) -> i32 {
    dep.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

/// Where a Deployment's rollout stands.
#[derive(Debug, PartialEq, Eq)]
pub enum Rollout {
    Ready,
    /// Still rolling out; worth waiting for.
    Waiting(String),
    /// Past its progress deadline: the rollout will not finish by itself.
    Stuck(String),
}

/// Flagger's readiness check: the newest generation observed, every replica updated and at
/// least `threshold` percent of them available; stuck once the progress deadline passed or
/// replicas stayed unavailable for `deadline_seconds`.
pub fn rollout(dep: &Deployment, deadline_seconds: i64, threshold: i32) -> Rollout {
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
    let needed = (f64::from(updated) * f64::from(threshold) / 100.0) as i32;
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
            rollout(&deployment(2, status(2, 2, 2)), 600, 100),
            Rollout::Ready
        );
        let Rollout::Waiting(m) = rollout(&deployment(2, status(1, 2, 1)), 600, 100) else {
            panic!()
        };
        assert!(m.contains("1 out of 2 new replicas"), "{m}");
        let Rollout::Waiting(m) = rollout(&deployment(2, status(2, 3, 2)), 600, 100) else {
            panic!()
        };
        assert!(m.contains("1 old replicas are pending termination"), "{m}");
        assert!(matches!(
            rollout(&deployment(2, status(2, 2, 1)), 600, 100),
            Rollout::Waiting(_)
        ));
        assert_eq!(
            rollout(&deployment(2, status(2, 2, 1)), 600, 50),
            Rollout::Ready
        );
        let mut old = status(2, 2, 2);
        old.observed_generation = Some(1);
        assert!(matches!(
            rollout(&deployment(2, old), 600, 100),
            Rollout::Waiting(_)
        ));
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
