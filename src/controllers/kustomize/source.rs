//! The source's artifact (`spec.sourceRef`) and the `spec.dependsOn` checks before a build.

use std::time::Duration;

use kube::ResourceExt;
use kube::api::Api;

use super::reconcile::{Failure, Run, Then, kube_message};
use super::status;
use crate::api::duration::GoDuration;
use crate::api::kustomize::{Kustomization, KustomizationSourceKind};
use crate::api::meta::{Artifact, reason};
use crate::api::source::{Bucket, GitRepository, OCIRepository};

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

    /// Each dependency must exist, be Ready at its current generation and, when it builds
    /// from the same source, have applied the revision this one is about to apply.
    pub(super) async fn check_dependencies(&self, revision: &str) -> Result<(), Failure> {
        let deps = self.obj.spec.depends_on.as_deref().unwrap_or_default();
        if deps.is_empty() {
            return Ok(());
        }
        let after = self.ctx.rt.options.requeue_dependency;
        let own_source = self.source_key(&self.obj.spec.source_ref, &self.ns);
        for dep in deps {
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
