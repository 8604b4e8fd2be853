//! `buildMetadata`: kustomize's origin annotation (where a resource was read from, or which
//! generator made it), its transformations annotation (which transformers ran over it) and the
//! `app.kubernetes.io/managed-by` label.

use std::path::{Component, Path};

use serde_json::{Map, Value};

use crate::resource::Resource;
use crate::yaml;

/// The annotation naming where a resource came from.
pub const ORIGIN: &str = "config.kubernetes.io/origin";
/// The annotation listing the transformers that ran over a resource.
pub const TRANSFORMATIONS: &str = "alpha.config.kubernetes.io/transformations";
/// The label `managedByLabel` adds.
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
/// The kustomize release this engine follows, which the managed-by label names.
pub const KUSTOMIZE_VERSION: &str = "v5.5.0";

/// `buildMetadata` options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// `originAnnotations`.
    pub origin: bool,
    /// `transformerAnnotations`.
    pub transformations: bool,
    /// `managedByLabel`.
    pub managed_by: bool,
}

impl Options {
    /// Reads a root kustomization's `buildMetadata` list; kustomize ignores entries it does
    /// not know.
    pub fn from_list(list: &[String]) -> Self {
        let has = |name: &str| list.iter().any(|i| i == name);
        Self {
            origin: has("originAnnotations"),
            transformations: has("transformerAnnotations"),
            managed_by: has("managedByLabel"),
        }
    }

    /// Whether origins are tracked while building: kustomize does so whenever the list is not
    /// empty, and drops what was not asked for at the end.
    pub fn tracking(list: &[String]) -> bool {
        !list.is_empty()
    }
}

/// Which object configured a generator or transformer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfiguredBy {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`.
    pub namespace: String,
}

/// kustomize's `resource.Origin`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The file a resource was read from, relative to the build root.
    pub path: String,
    /// The file that configured the generator or transformer.
    pub configured_in: String,
    /// The generator or transformer.
    pub configured_by: Option<ConfiguredBy>,
}

fn scalar(s: &str) -> String {
    yaml::to_string(&Value::String(s.to_string()))
        .trim_end()
        .to_string()
}

impl Origin {
    /// A builtin plugin configured by a kustomization field.
    pub fn builtin(kustomization_file: String, kind: &str) -> Self {
        Self {
            path: String::new(),
            configured_in: kustomization_file,
            configured_by: Some(ConfiguredBy {
                api_version: "builtin".into(),
                kind: kind.into(),
                ..ConfiguredBy::default()
            }),
        }
    }

    /// kustomize's `OriginFromCustomPlugin`: the plugin's config object was read from
    /// `origin.path`, which becomes where the plugin is configured.
    pub fn of_plugin(config: &Resource) -> Option<Self> {
        let read_from = read(config)?;
        Some(Self {
            path: String::new(),
            configured_in: read_from.path,
            configured_by: Some(ConfiguredBy {
                api_version: config.api_version().to_string(),
                kind: config.kind().to_string(),
                name: config.name().to_string(),
                namespace: config.namespace().to_string(),
            }),
        })
    }

    /// The YAML lines, in kustomize's field order, each indented by `indent`.
    fn lines(&self, indent: &str) -> Vec<String> {
        let mut out = Vec::new();
        if !self.path.is_empty() {
            out.push(format!("{indent}path: {}", scalar(&self.path)));
        }
        if !self.configured_in.is_empty() {
            out.push(format!(
                "{indent}configuredIn: {}",
                scalar(&self.configured_in)
            ));
        }
        if let Some(by) = &self.configured_by {
            out.push(format!("{indent}configuredBy:"));
            for (k, v) in [
                ("apiVersion", &by.api_version),
                ("kind", &by.kind),
                ("name", &by.name),
                ("namespace", &by.namespace),
            ] {
                if !v.is_empty() {
                    out.push(format!("{indent}  {k}: {}", scalar(v)));
                }
            }
        }
        out
    }

    /// The origin annotation's value.
    pub fn to_yaml(&self) -> String {
        let mut s = self.lines("").join("\n");
        s.push('\n');
        s
    }
}

fn annotations(r: &mut Resource) -> Option<&mut Map<String, Value>> {
    r.map_at(&["metadata", "annotations"])
}

fn get<'a>(r: &'a Resource, key: &str) -> Option<&'a str> {
    r.value()
        .get("metadata")?
        .get("annotations")?
        .get(key)?
        .as_str()
}

/// The origin a resource carries.
pub fn read(r: &Resource) -> Option<Origin> {
    let text = get(r, ORIGIN)?;
    let v = yaml::parse_one(text.as_bytes(), Path::new(ORIGIN)).ok()?;
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    Some(Origin {
        path: s(&v, "path"),
        configured_in: s(&v, "configuredIn"),
        configured_by: v.get("configuredBy").map(|b| ConfiguredBy {
            api_version: s(b, "apiVersion"),
            kind: s(b, "kind"),
            name: s(b, "name"),
            namespace: s(b, "namespace"),
        }),
    })
}

/// kustomize's `AddOriginAnnotation`: resources that have no origin yet get `origin`.
pub fn set_missing(resources: &mut [Resource], origin: &Origin) {
    let text = origin.to_yaml();
    for r in resources.iter_mut() {
        if get(r, ORIGIN).is_none()
            && let Some(a) = annotations(r)
        {
            a.insert(ORIGIN.into(), Value::String(text.clone()));
        }
    }
}

/// kustomize's `AddTransformerAnnotation`: a resource without an origin is taken to be made
/// by the transformer; the others get it appended to their transformations.
pub fn add_transformation(resources: &mut [Resource], origin: &Origin) {
    for r in resources.iter_mut() {
        if get(r, ORIGIN).is_none() {
            set_missing(std::slice::from_mut(r), origin);
            continue;
        }
        let mut text = get(r, TRANSFORMATIONS).unwrap_or("").to_string();
        let mut lines = origin.lines("  ");
        if let Some(first) = lines.first_mut() {
            *first = format!("- {}", first.trim_start());
        }
        for line in lines {
            text.push_str(&line);
            text.push('\n');
        }
        if let Some(a) = annotations(r) {
            a.insert(TRANSFORMATIONS.into(), Value::String(text));
        }
    }
}

/// The end of a build: the managed-by label (`kustomize-<version>`) when asked for, and the
/// annotations that were only kept to be reported, removed unless asked for.
pub fn finish(resources: &mut [Resource], options: Options, version: &str) {
    for r in resources.iter_mut() {
        if options.managed_by
            && let Some(labels) = r.map_at(&["metadata", "labels"])
        {
            labels.insert(
                MANAGED_BY.into(),
                Value::String(format!("kustomize-{version}")),
            );
        }
        let Some(meta) = r
            .value_mut()
            .get_mut("metadata")
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        let Some(Value::Object(a)) = meta.get_mut("annotations") else {
            continue;
        };
        if !options.origin {
            a.remove(ORIGIN);
        }
        if !options.transformations {
            a.remove(TRANSFORMATIONS);
        }
        if a.is_empty() {
            meta.remove("annotations");
        }
    }
}

/// `path` relative to `base` (both absolute), lexically, with `/` separators: how kustomize
/// joins the entries that led from the build root to a file.
pub fn relative(base: &Path, path: &Path) -> String {
    let b: Vec<Component> = base.components().collect();
    let p: Vec<Component> = path.components().collect();
    let common = b.iter().zip(&p).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); b.len() - common];
    parts.extend(
        p[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative(Path::new("/r/prod"), Path::new("/r/base/x.yaml")),
            "../base/x.yaml"
        );
        assert_eq!(relative(Path::new("/r"), Path::new("/r/x.yaml")), "x.yaml");
    }

    #[test]
    fn origin_then_transformations() {
        let mut rs = vec![
            Resource::from_value(json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "s"}}))
            .unwrap(),
        ];
        set_missing(
            &mut rs,
            &Origin {
                path: "svc.yaml".into(),
                ..Origin::default()
            },
        );
        let t = Origin::builtin("kustomization.yaml".into(), "PrefixTransformer");
        add_transformation(&mut rs, &t);
        add_transformation(&mut rs, &t);
        let a = &rs[0].value()["metadata"]["annotations"];
        assert_eq!(a[ORIGIN], "path: svc.yaml\n");
        assert_eq!(
            a[TRANSFORMATIONS]
                .as_str()
                .unwrap()
                .matches("- configuredIn")
                .count(),
            2
        );
        assert_eq!(read(&rs[0]).unwrap().path, "svc.yaml");
        finish(
            &mut rs,
            Options {
                managed_by: true,
                ..Options::default()
            },
            KUSTOMIZE_VERSION,
        );
        assert!(rs[0].value()["metadata"].get("annotations").is_none());
        assert_eq!(
            rs[0].value()["metadata"]["labels"][MANAGED_BY],
            "kustomize-v5.5.0"
        );
    }
}
