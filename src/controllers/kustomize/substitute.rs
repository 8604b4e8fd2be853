//! `spec.postBuild` variables for substitution, for the controller and `tk build|diff`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::Api;

use super::reconcile::{Failure, Run, kube_message};
use crate::api::kustomize::{PostBuild, SubstituteReference, ValuesReferenceKind};
use crate::api::meta::reason;

impl Run<'_> {
    /// `postBuild` variables: `substituteFrom` in order (later ones win), then `substitute`.
    pub(super) async fn load_vars(&self) -> Result<BTreeMap<String, String>, Failure> {
        let Some(post_build) = &self.obj.spec.post_build else {
            return Ok(BTreeMap::new());
        };
        post_build_vars(Some(&self.ctx.rt.client), &self.ns, post_build)
            .await
            .map_err(|message| Failure::retry(reason::BUILD_FAILED, message))
    }
}

/// `postBuild` variables of a Kustomization in `namespace`: `substituteFrom` in order (later
/// ones win; skipped without a client, as flux's offline build does), then `substitute`.
/// Errors are Flux's "substitute from 'Kind/name' error: ..." text.
pub(crate) async fn post_build_vars(
    client: Option<&kube::Client>,
    namespace: &str,
    post_build: &PostBuild,
) -> Result<BTreeMap<String, String>, String> {
    let mut vars = BTreeMap::new();
    if let Some(client) = client {
        for reference in post_build.substitute_from.iter().flatten() {
            load_reference(client, namespace, reference, &mut vars).await?;
        }
    }
    for (k, v) in post_build.substitute.iter().flatten() {
        vars.insert(k.clone(), envsubst::variable_value(v));
    }
    Ok(vars)
}

/// Adds one `substituteFrom` ConfigMap or Secret to `vars`; an `optional` one may be missing.
async fn load_reference(
    client: &kube::Client,
    namespace: &str,
    reference: &SubstituteReference,
    vars: &mut BTreeMap<String, String>,
) -> Result<(), String> {
    let (kind, got) = match reference.kind {
        ValuesReferenceKind::ConfigMap => (
            "ConfigMap",
            Api::<ConfigMap>::namespaced(client.clone(), namespace)
                .get(&reference.name)
                .await
                .map(|cm| cm.data.unwrap_or_default()),
        ),
        ValuesReferenceKind::Secret => (
            "Secret",
            Api::<Secret>::namespaced(client.clone(), namespace)
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
            Ok(())
        }
        Err(kube::Error::Api(e)) if e.code == 404 && reference.optional == Some(true) => {
            tracing::info!(
                "optional substitution source {kind}/{} not found, skipping",
                reference.name
            );
            Ok(())
        }
        Err(e) => Err(format!(
            "substitute from '{kind}/{}' error: {}",
            reference.name,
            kube_message(&e)
        )),
    }
}
