//! `tk build kustomization NAME --path DIR` (flux's `build kustomization`): render a local
//! checkout of a Kustomization's source exactly as kustomize-controller would, with the
//! controller's own build (generated kustomization file, Flux's overlay fields, postBuild
//! substitution, common metadata), and print the objects as YAML with the owner labels.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use kube::api::Api;
use serde_json::{Value, json};

use super::settings::GlobalSettings;
use crate::api::kustomize::{GROUP, Kustomization, SubstituteStrategy};
use crate::controllers::kustomize::{build, substitute};

/// What flux puts in place of SOPS-encrypted values.
const MASK: &str = "**SOPS**";

/// `tk build kustomization` / `tk diff kustomization`, resolved.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub name: String,
    /// The manifests directory, canonical.
    pub path: PathBuf,
    pub kustomization_file: Option<PathBuf>,
    pub dry_run: bool,
}

impl BuildOptions {
    /// Checks the flags as flux does, with its messages.
    pub fn resolve(
        name: &str,
        path: &str,
        kustomization_file: Option<&Path>,
        dry_run: bool,
    ) -> Result<Self> {
        if path.is_empty() {
            bail!("invalid resource path {path:?}");
        }
        let dir = std::fs::canonicalize(path)
            .ok()
            .filter(|d| d.is_dir())
            .ok_or_else(|| anyhow!("invalid resource path {path:?}"))?;
        if dry_run && kustomization_file.is_none() {
            bail!("dry-run mode requires a kustomization file");
        }
        if let Some(file) = kustomization_file
            && !file.is_file()
        {
            bail!(
                "invalid kustomization file {:?}",
                file.display().to_string()
            );
        }
        Ok(Self {
            name: name.to_string(),
            path: dir,
            kustomization_file: kustomization_file.map(Path::to_path_buf),
            dry_run,
        })
    }
}

/// The Kustomization to build with: the local file's (taking the live status when there is
/// a live object), else the live one.
pub async fn kustomization(
    options: &BuildOptions,
    settings: &GlobalSettings,
    client: Option<&kube::Client>,
) -> Result<Kustomization> {
    let live = match client {
        Some(client) => {
            let api = Api::<Kustomization>::namespaced(client.clone(), &settings.namespace);
            let got = api.get_opt(&options.name).await.map_err(|e| {
                anyhow!(
                    "failed to get kustomization object: Kustomization/{}/{}: {e}",
                    settings.namespace,
                    options.name
                )
            })?;
            // As flux: a local file does not stand in for a missing live object.
            if got.is_none() {
                bail!(
                    "failed to get kustomization object: kustomizations.kustomize.toolkit.fluxcd.io \"{}\" not found in namespace \"{}\"",
                    options.name,
                    settings.namespace
                );
            }
            got
        }
        None => None,
    };
    let Some(file) = &options.kustomization_file else {
        return live.ok_or_else(|| anyhow!("failed to get kustomization object"));
    };
    let mut local = from_file(file, &options.name, &settings.namespace)?;
    if let Some(status) = live.and_then(|l| l.status)
        && status.inventory.is_some()
    {
        local.status = Some(status);
    }
    Ok(local)
}

/// The Kustomization named `name` (in `namespace`, or with none) in a multi-document file.
fn from_file(file: &Path, name: &str, namespace: &str) -> Result<Kustomization> {
    let shown = file.display().to_string();
    let bytes = std::fs::read(file)
        .with_context(|| format!("failed to read kustomization file {shown}"))?;
    let docs = kustomize::yaml::parse_all(&bytes, file)
        .map_err(|e| anyhow!("failed to unmarshall kustomization file {shown}: {e}"))?;
    let found = docs.into_iter().find(|d| {
        d["apiVersion"]
            .as_str()
            .is_some_and(|v| v.starts_with(&format!("{GROUP}/")))
            && d["kind"] == "Kustomization"
            && d.pointer("/metadata/name").and_then(Value::as_str) == Some(name)
            && d.pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .is_none_or(|ns| ns.is_empty() || ns == namespace)
    });
    let Some(mut doc) = found else {
        bail!(
            "failed find kustomization with name '{name}' and namespace '{namespace}' in file '{shown}'"
        );
    };
    if doc
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        doc["metadata"]["namespace"] = json!(namespace);
    }
    serde_json::from_value(doc)
        .map_err(|e| anyhow!("failed to unmarshall kustomization file {shown}: {e}"))
}

/// Renders the directory as the controller would for `ks`. `client` is `None` in dry-run
/// mode: `substituteFrom` is then skipped, as flux does.
pub async fn render(
    options: &BuildOptions,
    ks: &Kustomization,
    client: Option<&kube::Client>,
) -> Result<Vec<Value>> {
    let spec = ks.spec.clone();
    let dir = options.path.clone();
    let objects = tokio::task::spawn_blocking(move || generate_and_build(&dir, &spec))
        .await
        .map_err(|e| anyhow!("kustomize build failed: {e}"))??;
    let namespace = ks.metadata.namespace.clone().unwrap_or_default();
    let mut objects = match &ks.spec.post_build {
        Some(post_build) => {
            let vars = substitute::post_build_vars(client, &namespace, post_build)
                .await
                .map_err(|e| anyhow!(e))?;
            let always = post_build.substitute_strategy == Some(SubstituteStrategy::Always);
            build::substitute(objects, &vars, always).map_err(|e| anyhow!(e))?
        }
        None => objects,
    };
    if let Some(common) = &ks.spec.common_metadata {
        build::set_common_metadata(
            &mut objects,
            common.labels.as_ref(),
            common.annotations.as_ref(),
        );
    }
    let owner = crate::ssa::Owner {
        group: GROUP.to_string(),
        name: ks.metadata.name.clone().unwrap_or_default(),
        namespace,
    };
    for object in &mut objects {
        let labels = &mut object["metadata"]["labels"];
        if !labels.is_object() {
            *labels = json!({});
        }
        for (k, v) in owner.labels() {
            labels[k] = json!(v);
        }
        mask_sops(object);
    }
    Ok(objects)
}

/// The controller's generate and build, over the user's directory (canonical; only read:
/// the generated kustomization file is held in memory).
fn generate_and_build(
    dir: &Path,
    spec: &crate::api::kustomize::KustomizationSpec,
) -> Result<Vec<Value>> {
    let root = kustomize::Root::new(super::kustomize::default_root(dir))
        .map_err(|e| anyhow!("kustomize build failed: {e}"))?;
    let root = build::generate(&root, dir, spec)
        .map_err(|e| anyhow!("failed to generate kustomization.yaml: {e}"))?;
    build::build(&root, dir).map_err(|e| anyhow!(e))
}

/// Masks SOPS-encrypted Secret values and drops `sops` metadata, as flux's build does.
fn mask_sops(object: &mut Value) {
    let Some(map) = object.as_object_mut() else {
        return;
    };
    if map.get("kind").and_then(Value::as_str) != Some("Secret") {
        map.remove("sops");
        return;
    }
    let encoded_mask = BASE64.encode(MASK);
    let whole = map.contains_key("sops");
    map.remove("sops");
    let docker = map.get("type").and_then(Value::as_str) == Some("kubernetes.io/dockerconfigjson");
    for (field, encode) in [("data", true), ("stringData", false)] {
        let Some(values) = map.get_mut(field).and_then(Value::as_object_mut) else {
            continue;
        };
        for value in values.values_mut() {
            let text = value.as_str().unwrap_or_default();
            let plain = if encode {
                BASE64.decode(text).unwrap_or_default()
            } else {
                text.as_bytes().to_vec()
            };
            let plain = String::from_utf8_lossy(&plain);
            let encrypted = plain.contains("sops") && plain.contains("ENC[");
            if !(whole || encrypted) {
                continue;
            }
            let masked = if whole && docker {
                format!("{{\"mask\":\"{MASK}\"}}")
            } else {
                MASK.to_string()
            };
            *value = json!(if encode {
                if whole && docker {
                    BASE64.encode(masked.as_bytes())
                } else {
                    encoded_mask.clone()
                }
            } else {
                masked
            });
        }
    }
}

/// Flux's multi-document YAML: each object followed by `---`.
pub fn to_yaml(objects: &[Value]) -> String {
    let mut out = String::new();
    for object in objects {
        out.push_str(&super::yaml::to_string(object));
        out.push_str("---\n");
    }
    out
}

/// `tk build kustomization`.
pub async fn run(options: &BuildOptions, settings: &GlobalSettings) -> Result<()> {
    let client = if options.dry_run {
        None
    } else {
        Some(settings.client().await?)
    };
    let ks = kustomization(options, settings, client.as_ref()).await?;
    let objects = render(options, &ks, client.as_ref()).await?;
    print!("{}", to_yaml(&objects));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_sops_secrets() {
        let mut secret = json!({"apiVersion": "v1", "kind": "Secret", "sops": {"mac": "ENC[x]"}, "data": {"a": "eA=="}, "stringData": {"b": "y"}});
        mask_sops(&mut secret);
        assert_eq!(secret["data"]["a"], "KipTT1BTKio=");
        assert_eq!(secret["stringData"]["b"], "**SOPS**");
        assert!(secret.get("sops").is_none());
    }
}
