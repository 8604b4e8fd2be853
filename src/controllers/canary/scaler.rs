//! `spec.autoscalerRef`: the target's HorizontalPodAutoscaler copied for the primary, as
//! Flagger does: `<name>-primary` scaling `<target>-primary`, with the target's bounds and
//! metrics (or `primaryScalerReplicas`), owned by the Canary. The target's own HPA stays; it
//! is inactive while the target is scaled to zero.

use anyhow::{Context as _, Result, bail};
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, Patch, PatchParams};
use kube::{Resource, ResourceExt};

use crate::api::flagger::{AutoscalerKind, Canary};

use super::FIELD_MANAGER;
use super::target::primary_name;

/// The primary's HPA for `target_hpa`.
fn primary_hpa(canary: &Canary, target_hpa: &HorizontalPodAutoscaler) -> HorizontalPodAutoscaler {
    let mut spec: HorizontalPodAutoscalerSpec = target_hpa.spec.clone().unwrap_or_default();
    spec.scale_target_ref = CrossVersionObjectReference {
        api_version: Some("apps/v1".to_string()),
        kind: canary.spec.target_ref.kind.as_str().to_string(),
        name: primary_name(canary),
    };
    if let Some(replicas) = canary
        .spec
        .autoscaler_ref
        .as_ref()
        .and_then(|r| r.primary_scaler_replicas.as_ref())
    {
        if let Some(min) = replicas.min_replicas {
            spec.min_replicas = Some(min);
        }
        if let Some(max) = replicas.max_replicas {
            spec.max_replicas = max;
        }
    }
    HorizontalPodAutoscaler {
        metadata: ObjectMeta {
            name: Some(format!("{}-primary", target_hpa.name_any())),
            namespace: canary.namespace(),
            labels: target_hpa.metadata.labels.clone(),
            owner_references: canary.controller_owner_ref(&()).map(|o| vec![o]),
            ..Default::default()
        },
        spec: Some(spec),
        status: None,
    }
}

/// Writes the primary's HPA when the Canary names an autoscaler.
pub async fn reconcile(client: &kube::Client, canary: &Canary) -> Result<()> {
    let Some(reference) = canary.spec.autoscaler_ref.as_ref() else {
        return Ok(());
    };
    if reference.kind != AutoscalerKind::HorizontalPodAutoscaler {
        bail!(
            "spec.autoscalerRef.kind: {} is not supported by tk yet: use a HorizontalPodAutoscaler",
            reference.kind.as_str()
        );
    }
    let namespace = canary.namespace().unwrap_or_default();
    let api: Api<HorizontalPodAutoscaler> = Api::namespaced(client.clone(), &namespace);
    let Some(target_hpa) = api.get_opt(&reference.name).await? else {
        bail!(
            "spec.autoscalerRef: HorizontalPodAutoscaler {} not found in namespace {namespace}: \
             create it, or fix spec.autoscalerRef.name",
            reference.name
        );
    };
    let hpa = primary_hpa(canary, &target_hpa);
    let mut body = serde_json::to_value(&hpa)?;
    body["apiVersion"] = "autoscaling/v2".into();
    body["kind"] = "HorizontalPodAutoscaler".into();
    api.patch(
        &hpa.name_any(),
        &PatchParams::apply(FIELD_MANAGER).force(),
        &Patch::Apply(&body),
    )
    .await
    .with_context(|| format!("writing HorizontalPodAutoscaler {}", hpa.name_any()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::flagger::{AutoscalerRef, ScalerReplicas};

    #[test]
    fn the_primary_hpa_scales_the_primary_with_the_targets_bounds() {
        let mut canary = Canary::new("podinfo", Default::default());
        canary.spec.target_ref.name = "podinfo".into();
        let target: HorizontalPodAutoscaler = serde_json::from_value(serde_json::json!({
            "metadata": { "name": "podinfo", "labels": { "app": "podinfo" } },
            "spec": {
                "scaleTargetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo" },
                "minReplicas": 2, "maxReplicas": 4,
                "metrics": [{ "type": "Resource", "resource": { "name": "cpu", "target": { "type": "Utilization", "averageUtilization": 99 } } }],
            },
        }))
        .unwrap();
        let hpa = primary_hpa(&canary, &target);
        assert_eq!(hpa.name_any(), "podinfo-primary");
        let spec = hpa.spec.clone().unwrap();
        assert_eq!(spec.scale_target_ref.name, "podinfo-primary");
        assert_eq!((spec.min_replicas, spec.max_replicas), (Some(2), 4));
        assert_eq!(spec.metrics, target.spec.clone().unwrap().metrics);

        canary.spec.autoscaler_ref = Some(AutoscalerRef {
            primary_scaler_replicas: Some(ScalerReplicas {
                min_replicas: Some(3),
                max_replicas: Some(9),
            }),
            ..Default::default()
        });
        let spec = primary_hpa(&canary, &target).spec.unwrap();
        assert_eq!((spec.min_replicas, spec.max_replicas), (Some(3), 9));
    }
}
