//! `spec.postBuild` variables for substitution.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::Api;

use super::reconcile::{Failure, Run, kube_message};
use crate::api::kustomize::ValuesReferenceKind;
use crate::api::meta::reason;

impl Run<'_> {
    /// `postBuild` variables: `substituteFrom` in order (later ones win), then `substitute`.
    pub(super) async fn load_vars(&self) -> Result<BTreeMap<String, String>, Failure> {
        let mut vars = BTreeMap::new();
        let Some(post_build) = &self.obj.spec.post_build else {
            return Ok(vars);
        };
        let client = self.ctx.rt.client.clone();
        for reference in post_build.substitute_from.iter().flatten() {
            let optional = reference.optional == Some(true);
            let (kind, got) = match reference.kind {
                ValuesReferenceKind::ConfigMap => (
                    "ConfigMap",
                    Api::<ConfigMap>::namespaced(client.clone(), &self.ns)
                        .get(&reference.name)
                        .await
                        .map(|cm| cm.data.unwrap_or_default()),
                ),
                ValuesReferenceKind::Secret => (
                    "Secret",
                    Api::<Secret>::namespaced(client.clone(), &self.ns)
                        .get(&reference.name)
                        .await
                        .map(|s| {
                            s.data
                                .unwrap_or_default()
                                .into_iter()
                                .map(|(k, v)| (k, String::from_utf8_lossy(&v.0).into_owned()))
                                .collect()
                        }),
                ),
            };
            match got {
                Ok(data) => {
                    for (k, v) in data {
                        vars.insert(k, envsubst::variable_value(&v));
                    }
                }
                Err(kube::Error::Api(e)) if e.code == 404 && optional => {
                    tracing::info!(
                        "optional substitution source {kind}/{} not found, skipping",
                        reference.name
                    );
                }
                Err(e) => {
                    return Err(Failure::retry(
                        reason::BUILD_FAILED,
                        format!(
                            "substitute from '{kind}/{}' error: {}",
                            reference.name,
                            kube_message(&e)
                        ),
                    ));
                }
            }
        }
        for (k, v) in post_build.substitute.iter().flatten() {
            vars.insert(k.clone(), envsubst::variable_value(v));
        }
        Ok(vars)
    }
}
