//! Config tracking: the ConfigMaps and Secrets a target's pods read are part of its revision.
//! A change of their data starts a rollout as a template change does, and on promotion the
//! primary gets its own `<name>-primary` copies, so editing a ConfigMap never reaches
//! production before its analysis passed.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context as _, Result};
use k8s_openapi::api::core::v1::{ConfigMap, PodSpec, Secret};
use kube::api::{Api, Patch, PatchParams};
use kube::{Resource, ResourceExt};
use sha2::{Digest, Sha256};

use crate::api::flagger::Canary;

use super::FIELD_MANAGER;

/// The annotation that keeps a ConfigMap or Secret out of tracking.
pub const TRACKING_ANNOTATION: &str = "flagger.app/config-tracking";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    ConfigMap,
    Secret,
}

impl Kind {
    /// The prefix of `status.trackedConfigs` keys, as Flagger writes them.
    fn key_prefix(self) -> &'static str {
        match self {
            Kind::ConfigMap => "configmap",
            Kind::Secret => "secret",
        }
    }
}

/// Calls `visit` on every ConfigMap and Secret name the pod spec refers to: environment,
/// `envFrom`, volumes and projected volumes, in every container kind.
pub fn visit_refs(spec: &mut PodSpec, visit: &mut impl FnMut(Kind, &mut String)) {
    let containers = spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten());
    for container in containers {
        for env in container.env.iter_mut().flatten() {
            let Some(from) = env.value_from.as_mut() else {
                continue;
            };
            if let Some(r) = from.config_map_key_ref.as_mut() {
                visit(Kind::ConfigMap, &mut r.name);
            }
            if let Some(r) = from.secret_key_ref.as_mut() {
                visit(Kind::Secret, &mut r.name);
            }
        }
        for from in container.env_from.iter_mut().flatten() {
            if let Some(r) = from.config_map_ref.as_mut() {
                visit(Kind::ConfigMap, &mut r.name);
            }
            if let Some(r) = from.secret_ref.as_mut() {
                visit(Kind::Secret, &mut r.name);
            }
        }
    }
    for volume in spec.volumes.iter_mut().flatten() {
        if let Some(cm) = volume.config_map.as_mut() {
            visit(Kind::ConfigMap, &mut cm.name);
        }
        if let Some(name) = volume.secret.as_mut().and_then(|s| s.secret_name.as_mut()) {
            visit(Kind::Secret, name);
        }
        let sources = volume.projected.as_mut().and_then(|p| p.sources.as_mut());
        for source in sources.into_iter().flatten() {
            if let Some(cm) = source.config_map.as_mut() {
                visit(Kind::ConfigMap, &mut cm.name);
            }
            if let Some(s) = source.secret.as_mut() {
                visit(Kind::Secret, &mut s.name);
            }
        }
    }
}

/// The configs a pod spec refers to.
pub fn referenced(spec: &PodSpec) -> BTreeSet<(Kind, String)> {
    let mut refs = BTreeSet::new();
    visit_refs(&mut spec.clone(), &mut |kind, name| {
        if !name.is_empty() {
            refs.insert((kind, name.clone()));
        }
    });
    refs
}

/// The tracked configs' checksums, keyed as `status.trackedConfigs` (`configmap/<name>`,
/// `secret/<name>`). Configs opted out by annotation and missing optional ones are left out;
/// a missing config is an error naming it, as the pods could not start either.
pub async fn checksums(
    client: &kube::Client,
    namespace: &str,
    refs: &BTreeSet<(Kind, String)>,
) -> Result<BTreeMap<String, String>> {
    let maps: Api<ConfigMap> = Api::namespaced(client.clone(), namespace);
    let secrets: Api<Secret> = Api::namespaced(client.clone(), namespace);
    let mut out = BTreeMap::new();
    for (kind, name) in refs {
        let (tracked, digest) = match kind {
            Kind::ConfigMap => match maps.get_opt(name).await? {
                Some(cm) => (tracked(&cm), digest_config_map(&cm)),
                None => continue,
            },
            Kind::Secret => match secrets.get_opt(name).await? {
                Some(s) => (tracked(&s), digest_secret(&s)),
                None => continue,
            },
        };
        if tracked {
            out.insert(format!("{}/{name}", kind.key_prefix()), digest);
        }
    }
    Ok(out)
}

fn tracked<K: Resource>(obj: &K) -> bool {
    obj.meta()
        .annotations
        .as_ref()
        .and_then(|a| a.get(TRACKING_ANNOTATION))
        .is_none_or(|v| v != "disabled")
}

fn digest_config_map(cm: &ConfigMap) -> String {
    let mut h = Sha256::new();
    for (k, v) in cm.data.iter().flatten() {
        h.update(k.as_bytes());
        h.update([0]);
        h.update(v.as_bytes());
        h.update([0]);
    }
    h.update([1]);
    for (k, v) in cm.binary_data.iter().flatten() {
        h.update(k.as_bytes());
        h.update([0]);
        h.update(&v.0);
        h.update([0]);
    }
    format!("{:x}", h.finalize())
}

fn digest_secret(s: &Secret) -> String {
    let mut h = Sha256::new();
    h.update(s.type_.as_deref().unwrap_or("").as_bytes());
    h.update([0]);
    for (k, v) in s.data.iter().flatten() {
        h.update(k.as_bytes());
        h.update([0]);
        h.update(&v.0);
        h.update([0]);
    }
    format!("{:x}", h.finalize())
}

/// The pod spec the primary runs: tracked configs renamed to their `-primary` copies.
pub fn primary_pod_spec(spec: &PodSpec, tracked: &BTreeMap<String, String>) -> PodSpec {
    let mut spec = spec.clone();
    visit_refs(&mut spec, &mut |kind, name| {
        if tracked.contains_key(&format!("{}/{name}", kind.key_prefix())) {
            *name = format!("{name}-primary");
        }
    });
    spec
}

/// Copies every tracked config to `<name>-primary`, owned by the Canary.
pub async fn copy_to_primary(
    client: &kube::Client,
    canary: &Canary,
    tracked: &BTreeMap<String, String>,
) -> Result<()> {
    let namespace = canary.namespace().unwrap_or_default();
    let owner = canary.controller_owner_ref(&()).map(|o| vec![o]);
    let params = PatchParams::apply(FIELD_MANAGER).force();
    for key in tracked.keys() {
        let Some((kind, name)) = key.split_once('/') else {
            continue;
        };
        let copy = format!("{name}-primary");
        let meta = serde_json::json!({ "name": copy, "ownerReferences": owner });
        match kind {
            "configmap" => {
                let api: Api<ConfigMap> = Api::namespaced(client.clone(), &namespace);
                let Some(cm) = api.get_opt(name).await? else {
                    continue;
                };
                let body = serde_json::json!({
                    "apiVersion": "v1", "kind": "ConfigMap", "metadata": meta,
                    "data": cm.data, "binaryData": cm.binary_data,
                });
                api.patch(&copy, &params, &Patch::Apply(&body))
                    .await
                    .with_context(|| format!("copying ConfigMap {name} to {copy}"))?;
            }
            _ => {
                let api: Api<Secret> = Api::namespaced(client.clone(), &namespace);
                let Some(s) = api.get_opt(name).await? else {
                    continue;
                };
                let body = serde_json::json!({
                    "apiVersion": "v1", "kind": "Secret", "metadata": meta,
                    "type": s.type_, "data": s.data,
                });
                // Never say what is in the Secret.
                api.patch(&copy, &params, &Patch::Apply(&body))
                    .await
                    .map_err(|e| anyhow::anyhow!("copying Secret {name} to {copy}: {}", e))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reference_kind_is_found_and_renamed() {
        let spec: PodSpec = serde_json::from_value(serde_json::json!({
            "containers": [{
                "name": "app",
                "env": [
                    { "name": "A", "valueFrom": { "configMapKeyRef": { "name": "env-cm", "key": "a" } } },
                    { "name": "B", "valueFrom": { "secretKeyRef": { "name": "env-secret", "key": "b" } } },
                    { "name": "C", "value": "plain" },
                ],
                "envFrom": [{ "configMapRef": { "name": "from-cm" } }, { "secretRef": { "name": "from-secret" } }],
            }],
            "initContainers": [{ "name": "init", "envFrom": [{ "configMapRef": { "name": "init-cm" } }] }],
            "volumes": [
                { "name": "v1", "configMap": { "name": "vol-cm" } },
                { "name": "v2", "secret": { "secretName": "vol-secret" } },
                { "name": "v3", "projected": { "sources": [
                    { "configMap": { "name": "proj-cm" } }, { "secret": { "name": "proj-secret" } },
                ] } },
            ],
        }))
        .unwrap();
        let refs = referenced(&spec);
        let names: Vec<_> = refs.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "env-cm",
                "from-cm",
                "init-cm",
                "proj-cm",
                "vol-cm",
                "env-secret",
                "from-secret",
                "proj-secret",
                "vol-secret"
            ]
        );
        let tracked = BTreeMap::from([
            ("configmap/vol-cm".to_string(), "x".to_string()),
            ("secret/env-secret".to_string(), "y".to_string()),
        ]);
        let renamed = referenced(&primary_pod_spec(&spec, &tracked));
        assert!(renamed.contains(&(Kind::ConfigMap, "vol-cm-primary".into())));
        assert!(renamed.contains(&(Kind::Secret, "env-secret-primary".into())));
        // Untracked ones stay.
        assert!(renamed.contains(&(Kind::ConfigMap, "env-cm".into())));
    }

    #[test]
    fn digests_follow_the_data() {
        let mut cm = ConfigMap {
            data: Some(BTreeMap::from([("k".into(), "v".into())])),
            ..Default::default()
        };
        let a = digest_config_map(&cm);
        cm.data = Some(BTreeMap::from([("k".into(), "w".into())]));
        assert_ne!(a, digest_config_map(&cm));
    }
}
