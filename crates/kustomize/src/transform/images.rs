//! `images` (kustomize's ImageTagTransformer): every `image` in any `containers` or
//! `initContainers` list (its legacy traversal), then the configured `images` field specs.

use serde_json::Value;

use super::fieldspec::{self, CreateKind, FieldSpec};
use crate::error::Result;
use crate::resource::Resource;

/// One `images` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Image {
    /// The image name to match.
    pub name: String,
    /// Replacement name.
    pub new_name: String,
    /// Replacement tag.
    pub new_tag: String,
    /// Replacement digest.
    pub digest: String,
}

impl Image {
    /// An entry from its YAML form; a numeric `newTag` counts as its text.
    pub fn from_value(v: &Value) -> Self {
        let s = |k: &str| match v.get(k) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        Self {
            name: s("name"),
            new_name: s("newName"),
            new_tag: s("newTag"),
            digest: s("digest"),
        }
    }
}

/// kustomize's `image.IsImageMatched`: `s` is `name` optionally followed by `@sha256` and a
/// `:tag-or-digest`.
pub fn is_matched(s: &str, name: &str) -> bool {
    let Some(mut rest) = s.strip_prefix(name) else {
        return false;
    };
    if let Some(r) = rest.strip_prefix("@sha256") {
        rest = r;
    }
    if rest.is_empty() {
        return true;
    }
    rest.strip_prefix(':').is_some_and(|t| {
        t.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.{}-".contains(c))
    })
}

/// kustomize's `image.Split`: name, tag, digest.
pub fn split(image: &str) -> (String, String, String) {
    let slash = image.find('/').filter(|i| *i > 0).unwrap_or(0);
    let search = &image[slash..];
    let at = search.find('@');
    let colon = search.find(':');
    match (at, colon) {
        (None, None) => (image.to_string(), String::new(), String::new()),
        (Some(id), ic) if ic.is_none_or(|ic| id < ic) => {
            let id = id + slash;
            (
                image[..id].to_string(),
                String::new(),
                image[id + 1..].to_string(),
            )
        }
        (Some(id), Some(ic)) => {
            let (id, ic) = (id + slash, ic + slash);
            (
                image[..ic].to_string(),
                image[ic + 1..id].to_string(),
                image[id + 1..].to_string(),
            )
        }
        (None, Some(ic)) => {
            let ic = ic + slash;
            (
                image[..ic].to_string(),
                image[ic + 1..].to_string(),
                String::new(),
            )
        }
        (Some(_), None) => unreachable!("covered by the digest-only arm"),
    }
}

/// The new image reference for `value`, or `None` when `image` does not match it.
pub fn update(value: &str, image: &Image) -> Option<String> {
    if !is_matched(value, &image.name) {
        return None;
    }
    let (mut name, mut tag, mut digest) = split(value);
    if !image.new_name.is_empty() {
        name = image.new_name.clone();
    }
    if !image.new_tag.is_empty() || !image.digest.is_empty() {
        tag = image.new_tag.clone();
        digest = image.digest.clone();
    }
    if !tag.is_empty() {
        name = format!("{name}:{tag}");
    }
    if !digest.is_empty() {
        name = format!("{name}@{digest}");
    }
    Some(name)
}

fn walk(node: &mut Value, image: &Image) {
    match node {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                walk(v, image);
                if (key == "containers" || key == "initContainers")
                    && let Value::Array(items) = v
                {
                    for item in items {
                        if let Some(Value::String(s)) = item.get_mut("image")
                            && let Some(new) = update(s, image)
                        {
                            *s = new;
                        }
                    }
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| walk(v, image)),
        _ => {}
    }
}

/// Applies one `images` entry: the legacy traversal (CustomResourceDefinitions are left
/// alone, as in kustomize), then every field `specs` reach (the configuration's `images`).
pub fn apply(resources: &mut [Resource], image: &Image, specs: &[FieldSpec]) -> Result<()> {
    for r in resources.iter_mut() {
        if r.kind() != "CustomResourceDefinition" {
            walk(r.value_mut(), image);
        }
        for spec in specs {
            fieldspec::apply(r, spec, CreateKind::Nothing, &mut |node| {
                if let Value::String(s) = node
                    && let Some(new) = update(s, image)
                {
                    *s = new;
                }
                Ok(())
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn splits_like_kustomize() {
        let s = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(split("nginx"), s("nginx", "", ""));
        assert_eq!(split("nginx:1.7"), s("nginx", "1.7", ""));
        assert_eq!(split("nginx@sha256:abc"), s("nginx", "", "sha256:abc"));
        assert_eq!(split("nginx:1@sha256:abc"), s("nginx", "1", "sha256:abc"));
        assert_eq!(split("host:5000/a/b:t"), s("host:5000/a/b", "t", ""));
    }

    #[test]
    fn matches_and_updates() {
        assert!(is_matched("nginx:1.7", "nginx"));
        assert!(is_matched("nginx@sha256:abc", "nginx"));
        assert!(!is_matched("nginx-x", "nginx"));
        assert!(!is_matched("my/nginx", "nginx"));
        let img = Image {
            name: "nginx".into(),
            new_tag: "2".into(),
            ..Default::default()
        };
        assert_eq!(update("nginx@sha256:abc", &img).as_deref(), Some("nginx:2"));
        let img = Image {
            name: "nginx".into(),
            new_name: "reg/nginx".into(),
            ..Default::default()
        };
        assert_eq!(update("nginx:1", &img).as_deref(), Some("reg/nginx:1"));
    }

    #[test]
    fn reaches_nested_containers() {
        let mut rs = [Resource::from_value(json!({
            "apiVersion": "batch/v1", "kind": "CronJob",
            "spec": {"jobTemplate": {"spec": {"template": {"spec": {
                "initContainers": [{"image": "busybox"}],
                "containers": [{"image": "nginx:1"}]}}}}}
        }))
        .unwrap()];
        apply(
            &mut rs,
            &Image {
                name: "nginx".into(),
                digest: "sha256:d".into(),
                ..Default::default()
            },
            &[],
        )
        .unwrap();
        let spec = &rs[0].value()["spec"]["jobTemplate"]["spec"]["template"]["spec"];
        assert_eq!(spec["containers"][0]["image"], "nginx@sha256:d");
        assert_eq!(spec["initContainers"][0]["image"], "busybox");
    }
}
