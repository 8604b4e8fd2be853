//! `spec.postRenderers`: the rendered manifests passed through kustomize (crates/kustomize)
//! with each renderer's `patches` and `images`, in order, as helm-controller's kustomize
//! post-renderer does.

use crate::api::helm::PostRenderer;

/// The manifests after every renderer; unchanged when there are none.
pub fn apply(manifest: &str, renderers: &[PostRenderer]) -> Result<String, String> {
    let mut text = manifest.to_string();
    for (i, renderer) in renderers.iter().enumerate() {
        let Some(kustomize) = &renderer.kustomize else {
            continue;
        };
        let dir = tempfile::tempdir()
            .map_err(|e| format!("postRenderers[{i}]: creating a work directory: {e}"))?;
        std::fs::write(dir.path().join("resources.yaml"), &text)
            .map_err(|e| format!("postRenderers[{i}]: writing the manifests: {e}"))?;
        let mut kustomization = serde_json::json!({
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": ["resources.yaml"],
        });
        if let Some(patches) = &kustomize.patches {
            kustomization["patches"] = serde_json::to_value(patches).unwrap_or_default();
        }
        if let Some(images) = &kustomize.images {
            kustomization["images"] = serde_json::to_value(images).unwrap_or_default();
        }
        std::fs::write(
            dir.path().join("kustomization.yaml"),
            serde_json::to_vec(&kustomization).unwrap_or_default(),
        )
        .map_err(|e| format!("postRenderers[{i}]: writing the kustomization: {e}"))?;
        let resources = kustomize::build(dir.path())
            .map_err(|e| format!("postRenderers[{i}].kustomize: {e}"))?;
        text = kustomize::to_yaml(&resources);
    }
    Ok(text)
}

/// `sha256:` of the renderers, recorded as `status.observedPostRenderersDigest`: a change
/// makes a new release.
pub fn digest(renderers: &[PostRenderer]) -> String {
    let json = serde_json::to_vec(renderers).unwrap_or_default();
    artifact::Digest::of_reader(artifact::Algorithm::Sha256, &json[..])
        .expect("hashing memory cannot fail")
        .0
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::helm::KustomizePostRenderer;
    use crate::api::meta::{Image, Patch, Selector};

    #[test]
    fn patches_and_images_are_applied_in_order() {
        let manifest = "---\n# Source: app/templates/d.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.0\n";
        let renderers = vec![PostRenderer {
            kustomize: Some(KustomizePostRenderer {
                images: Some(vec![Image {
                    name: "nginx".into(),
                    new_tag: Some("2.0".into()),
                    ..Default::default()
                }]),
                patches: Some(vec![Patch {
                    patch: "- op: add\n  path: /metadata/labels\n  value: {team: a}\n".into(),
                    target: Some(Selector {
                        kind: Some("Deployment".into()),
                        ..Default::default()
                    }),
                }]),
            }),
        }];
        let out = apply(manifest, &renderers).unwrap();
        assert!(out.contains("image: nginx:2.0"), "{out}");
        assert!(out.contains("team: a"), "{out}");
        assert_eq!(apply(manifest, &[]).unwrap(), manifest);
        assert_ne!(digest(&renderers), digest(&[]));
    }
}
