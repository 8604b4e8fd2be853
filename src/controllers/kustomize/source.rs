//! The source's artifact (`spec.sourceRef`) and the `spec.dependsOn` checks before a build,
//! with their CEL readiness expressions (`spec.dependsOn[].readyExpr`).

use std::time::Duration;

use kube::ResourceExt;
use kube::api::Api;

use super::reconcile::{Failure, Run, Then, kube_message};
use super::status;
use crate::api::duration::GoDuration;
use crate::api::kustomize::{Kustomization, KustomizationSourceKind};
use crate::api::meta::{Artifact, DependencyReference, reason};
use crate::api::source::{Bucket, GitRepository, OCIRepository};
use crate::cel::Expression;

/// What a `readyExpr` sees: this Kustomization and the dependency, as their JSON objects.
const READY_EXPR_VARIABLES: [&str; 2] = ["self", "dep"];

impl Run<'_> {
    /// The source's artifact; refuses what the flags forbid.
    pub(super) async fn source(&self) -> Result<Artifact, Failure> {
        let source_ref = &self.obj.spec.source_ref;
        let ns = source_ref
            .namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| self.ns.clone());
        let kind = kind_name(source_ref.kind);
        if self.ctx.rt.options.no_cross_namespace_refs && ns != self.ns {
            return Err(Failure::stall(
                reason::ACCESS_DENIED,
                format!(
                    "can't access '{kind}/{ns}/{}', cross-namespace references have been blocked",
                    source_ref.name
                ),
            ));
        }
        let client = self.ctx.rt.client.clone();
        let name = &source_ref.name;
        let got = match source_ref.kind {
            KustomizationSourceKind::GitRepository => Api::<GitRepository>::namespaced(client, &ns)
                .get(name)
                .await
                .map(|s| s.status.and_then(|s| s.artifact)),
            KustomizationSourceKind::OCIRepository => Api::<OCIRepository>::namespaced(client, &ns)
                .get(name)
                .await
                .map(|s| s.status.and_then(|s| s.artifact)),
            KustomizationSourceKind::Bucket => Api::<Bucket>::namespaced(client, &ns)
                .get(name)
                .await
                .map(|s| s.status.and_then(|s| s.artifact)),
            KustomizationSourceKind::ExternalArtifact => {
                return Err(Failure::stall(
                    reason::ACCESS_DENIED,
                    format!(
                        "can't access '{kind}/{ns}/{name}', ExternalArtifact feature gate is disabled"
                    ),
                ));
            }
        };
        match got {
            Ok(Some(artifact)) => Ok(artifact),
            Ok(None) => {
                let after = self.ctx.rt.options.requeue_dependency;
                Err(Failure::wait(
                    reason::ARTIFACT_FAILED,
                    format!(
                        "Source artifact not found, retrying in {}",
                        GoDuration(after)
                    ),
                    after,
                ))
            }
            Err(kube::Error::Api(e)) if e.code == 404 => {
                tracing::info!("Source '{kind}/{ns}/{name}' not found");
                Err(Failure::wait(
                    reason::ARTIFACT_FAILED,
                    e.message,
                    self.retry_interval,
                ))
            }
            Err(e) => Err(Failure::retry(
                reason::ARTIFACT_FAILED,
                format!("unable to get source '{ns}/{name}': {}", kube_message(&e)),
            )),
        }
    }

    /// Compiles each `spec.dependsOn[i].readyExpr` (`None` where there is none); a bad one
    /// stalls the Kustomization. Flux compiles them against declared `self` and `dep`, so an
    /// unknown variable is a compile error too.
    pub(super) fn ready_exprs(&self) -> Result<Vec<Option<Expression>>, Failure> {
        compile_ready_exprs(self.obj.spec.depends_on.as_deref().unwrap_or_default())
    }

    /// Each dependency must exist and be ready: by its `readyExpr` when it has one, otherwise
    /// Ready at its current generation and, when it builds from the same source, having
    /// applied the revision this one is about to apply. As Flux does by default (its
    /// `AdditiveCELDependencyCheck` feature gate off), a `readyExpr` replaces the built-in
    /// checks instead of adding to them.
    pub(super) async fn check_dependencies(&self, revision: &str) -> Result<(), Failure> {
        let deps = self.obj.spec.depends_on.as_deref().unwrap_or_default();
        if deps.is_empty() {
            return Ok(());
        }
        // Compiled again: `converge` refused bad expressions before anything was fetched.
        let ready_exprs = self.ready_exprs()?;
        let after = self.ctx.rt.options.requeue_dependency;
        let own_source = self.source_key(&self.obj.spec.source_ref, &self.ns);
        for (dep, ready_expr) in deps.iter().zip(&ready_exprs) {
            let ns = dep
                .namespace
                .clone()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| self.ns.clone());
            if self.ctx.rt.options.no_cross_namespace_refs && ns != self.ns {
                return Err(Failure::stall(
                    reason::ACCESS_DENIED,
                    format!(
                        "can't access 'Kustomization/{ns}/{}', cross-namespace references have been blocked",
                        dep.name
                    ),
                ));
            }
            let shown = format!("{ns}/{}", dep.name);
            let api: Api<Kustomization> = Api::namespaced(self.ctx.rt.client.clone(), &ns);
            let found = api.get(&dep.name).await.map_err(|e| {
                dependency_not_ready(
                    after,
                    format!("dependency '{shown}' not found: {}", kube_message(&e)),
                )
            })?;
            if let Some(expr) = ready_expr {
                if !self.eval_ready_expr(expr, &found, &shown, after)? {
                    return Err(dependency_not_ready(
                        after,
                        format!("dependency '{shown}' is not ready according to readyExpr eval"),
                    ));
                }
                continue;
            }
            let dep_status = found.status.clone().unwrap_or_default();
            let ready = status::is_ready(&dep_status)
                && found.metadata.generation == dep_status.observed_generation;
            if !ready {
                return Err(dependency_not_ready(
                    after,
                    format!("dependency '{shown}' is not ready"),
                ));
            }
            let dep_ns = found.namespace().unwrap_or_default();
            if self.source_key(&found.spec.source_ref, &dep_ns) == own_source
                && dep_status.last_applied_revision.as_deref() != Some(revision)
            {
                return Err(dependency_not_ready(
                    after,
                    format!("dependency '{shown}' revision is not up to date"),
                ));
            }
        }
        tracing::info!("All dependencies are ready, proceeding with reconciliation");
        Ok(())
    }

    /// The dependency's `readyExpr` with `self` and `dep` bound. An evaluation error (a field
    /// the dependency does not have yet) leaves it not ready, to be checked again later.
    fn eval_ready_expr(
        &self,
        expr: &Expression,
        dep: &Kustomization,
        shown: &str,
        after: Duration,
    ) -> Result<bool, Failure> {
        let as_json = |k: &Kustomization, what: &str| {
            serde_json::to_value(k).map_err(|e| {
                Failure::retry(
                    reason::DEPENDENCY_NOT_READY,
                    format!("failed to convert {what} to JSON for its readyExpr: {e}"),
                )
            })
        };
        let me = as_json(self.obj, "this Kustomization")?;
        let dep_json = as_json(dep, &format!("dependency '{shown}'"))?;
        expr.eval_bool(&[("self", &me), ("dep", &dep_json)])
            .map_err(|e| dependency_not_ready(after, format!("dependency '{shown}': {e}")))
    }

    fn source_key(
        &self,
        source: &crate::api::kustomize::CrossNamespaceSourceReference,
        owner_ns: &str,
    ) -> (KustomizationSourceKind, String, String) {
        let ns = source
            .namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| owner_ns.to_string());
        (source.kind, ns, source.name.clone())
    }
}

fn compile_ready_exprs(deps: &[DependencyReference]) -> Result<Vec<Option<Expression>>, Failure> {
    deps.iter()
        .enumerate()
        .map(|(i, dep)| {
            let Some(source) = dep.ready_expr.as_deref().filter(|s| !s.is_empty()) else {
                return Ok(None);
            };
            Expression::compile_with_variables(source, &READY_EXPR_VARIABLES)
                .map(Some)
                .map_err(|e| {
                    Failure::stall(
                        reason::INVALID_CEL_EXPRESSION,
                        format!(
                            "spec.dependsOn[{i}].readyExpr: {e}; fix the expression in the \
                             Kustomization"
                        ),
                    )
                })
        })
        .collect()
}

fn dependency_not_ready(after: Duration, message: String) -> Failure {
    Failure {
        reason: reason::DEPENDENCY_NOT_READY,
        message,
        then: Then::Wait(
            after,
            Some(format!(
                "Dependencies do not meet ready condition, retrying in {}",
                GoDuration(after)
            )),
        ),
    }
}

fn kind_name(kind: KustomizationSourceKind) -> &'static str {
    match kind {
        KustomizationSourceKind::GitRepository => "GitRepository",
        KustomizationSourceKind::OCIRepository => "OCIRepository",
        KustomizationSourceKind::Bucket => "Bucket",
        KustomizationSourceKind::ExternalArtifact => "ExternalArtifact",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(ready_expr: Option<&str>) -> DependencyReference {
        DependencyReference {
            name: "infra".into(),
            ready_expr: ready_expr.map(Into::into),
            ..Default::default()
        }
    }

    #[test]
    fn compiles_ready_exprs_against_self_and_dep() {
        let exprs = compile_ready_exprs(&[
            dep(None),
            dep(Some("")),
            dep(Some("dep.metadata.name == self.metadata.name")),
        ])
        .unwrap();
        assert!(exprs[0].is_none() && exprs[1].is_none());
        let expr = exprs[2].as_ref().unwrap();
        let me = serde_json::json!({ "metadata": { "name": "infra" } });
        assert_eq!(expr.eval_bool(&[("self", &me), ("dep", &me)]), Ok(true));
    }

    #[test]
    fn a_bad_ready_expr_stalls_naming_its_index() {
        for (source, expected) in [
            ("dep.status.", "invalid CEL expression 'dep.status.'"),
            ("other.ready", "undeclared reference to 'other'"),
        ] {
            let Err(failure) = compile_ready_exprs(&[dep(None), dep(Some(source))]) else {
                panic!("{source} compiles");
            };
            assert_eq!(failure.then, Then::Stall);
            assert_eq!(failure.reason, reason::INVALID_CEL_EXPRESSION);
            assert!(
                failure.message.starts_with("spec.dependsOn[1].readyExpr: "),
                "{}",
                failure.message
            );
            assert!(failure.message.contains(expected), "{}", failure.message);
        }
    }
}
