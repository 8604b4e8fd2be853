//! `spec.dependsOn`: the HelmReleases that must be ready before this one is released, by
//! their Ready condition at their current generation, or by their `readyExpr` (CEL over
//! `self` and `dep`) when they have one.

use kube::ResourceExt;
use kube::api::Api;

use crate::api::helm::HelmRelease;
use crate::cel::Expression;

/// Why the release must wait (retried later) or cannot proceed (stalled).
pub enum NotReady {
    Wait(String),
    /// (reason, message)
    Invalid(&'static str, String),
}

const READY_EXPR_VARIABLES: [&str; 2] = ["self", "dep"];

pub async fn check(
    client: &kube::Client,
    obj: &HelmRelease,
    no_cross_namespace_refs: bool,
) -> Result<(), NotReady> {
    let deps = obj.spec.depends_on.as_deref().unwrap_or_default();
    let own_ns = obj.namespace().unwrap_or_default();
    for (i, dep) in deps.iter().enumerate() {
        let expr = match dep.ready_expr.as_deref().filter(|s| !s.is_empty()) {
            Some(source) => Some(
                Expression::compile_with_variables(source, &READY_EXPR_VARIABLES).map_err(|e| {
                    NotReady::Invalid(
                        crate::api::meta::reason::INVALID_CEL_EXPRESSION,
                        format!(
                            "spec.dependsOn[{i}].readyExpr: {e}; fix the expression in the \
                             HelmRelease"
                        ),
                    )
                })?,
            ),
            None => None,
        };
        let ns = dep
            .namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| own_ns.clone());
        if no_cross_namespace_refs && ns != own_ns {
            return Err(NotReady::Invalid(
                crate::api::meta::reason::ACCESS_DENIED,
                format!(
                    "can't access 'HelmRelease/{ns}/{}', cross-namespace references have been \
                     blocked",
                    dep.name
                ),
            ));
        }
        let shown = format!("{ns}/{}", dep.name);
        let found = Api::<HelmRelease>::namespaced(client.clone(), &ns)
            .get(&dep.name)
            .await
            .map_err(|e| {
                NotReady::Wait(format!(
                    "dependency '{shown}' not found: {}",
                    crate::controllers::source::reconciler::kube_message(&e)
                ))
            })?;
        let ready = match expr {
            Some(expr) => {
                let me = serde_json::to_value(obj).unwrap_or_default();
                let dep_json = serde_json::to_value(&found).unwrap_or_default();
                expr.eval_bool(&[("self", &me), ("dep", &dep_json)])
                    .map_err(|e| NotReady::Wait(format!("dependency '{shown}': {e}")))?
            }
            None => {
                let status = found.status.as_ref();
                let conditions = status
                    .and_then(|s| s.conditions.as_deref())
                    .unwrap_or_default();
                crate::api::meta::is_condition_true(conditions, "Ready")
                    && status.and_then(|s| s.observed_generation) == found.metadata.generation
            }
        };
        if !ready {
            return Err(NotReady::Wait(format!("dependency '{shown}' is not ready")));
        }
    }
    Ok(())
}
