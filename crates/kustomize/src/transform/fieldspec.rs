//! kustomize's field specs: a GVK selector, a slash-separated path (`name[]` walks a
//! sequence), and whether missing fields are created. Semantics follow kyaml's
//! `fieldspec.Filter`.

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::resource::{Gvk, Resource};

/// One field spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    /// Group to match (`""` matches any).
    pub group: String,
    /// Version to match (`""` matches any).
    pub version: String,
    /// Kind to match (`""` matches any).
    pub kind: String,
    /// The path, `/`-separated.
    pub path: String,
    /// Whether missing mappings (and the final field) are created.
    pub create: bool,
}

/// What a missing final field is created as (kyaml's `CreateKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateKind {
    /// Never created (kyaml's zero kind, as the image transformer uses).
    Nothing,
    /// Created as an empty mapping.
    Mapping,
    /// Created as null, to be replaced by the setter.
    Scalar,
}

impl FieldSpec {
    /// A field spec from its YAML form (`group`, `version`, `kind`, `path`, `create`).
    pub fn from_value(v: &Value) -> Self {
        let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        Self {
            group: s("group"),
            version: s("version"),
            kind: s("kind"),
            path: s("path"),
            create: v.get("create").and_then(Value::as_bool).unwrap_or(false),
        }
    }

    /// kustomize's `Gvk.IsSelected`: blank selector fields match anything.
    pub fn selects(&self, gvk: &Gvk) -> bool {
        (self.group.is_empty() || self.group == gvk.group)
            && (self.version.is_empty() || self.version == gvk.version)
            && (self.kind.is_empty() || self.kind == gvk.kind)
    }

    /// kustomize's `Gvk.String()` of the selector.
    pub fn gvk_string(&self) -> String {
        Gvk {
            group: self.group.clone(),
            version: self.version.clone(),
            kind: self.kind.clone(),
        }
        .to_string()
    }
}

/// Parses a compact spec table: `(group, version, kind, path, create)`.
pub fn table(rows: &[(&str, &str, &str, &str, bool)]) -> Vec<FieldSpec> {
    rows.iter()
        .map(|(g, v, k, p, c)| FieldSpec {
            group: (*g).into(),
            version: (*v).into(),
            kind: (*k).into(),
            path: (*p).into(),
            create: *c,
        })
        .collect()
}

/// Splits a path on `/`; `\/` is a literal slash (annotation keys such as
/// `nginx.ingress.kubernetes.io\/auth-secret`).
fn split_path(path: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'/') => {
                cur.push('/');
                chars.next();
            }
            '/' => {
                if !cur.is_empty() {
                    parts.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    parts
}

/// Applies `set` to every field `spec` reaches in `r` (when it selects `r`'s GVK).
pub fn apply(
    r: &mut Resource,
    spec: &FieldSpec,
    create: CreateKind,
    set: &mut dyn FnMut(&mut Value) -> Result<()>,
) -> Result<()> {
    apply_at(r, spec, create, &mut |_, v| set(v))
}

/// [`apply`], also passing `set` the JSON pointer of each field it reaches.
pub fn apply_at(
    r: &mut Resource,
    spec: &FieldSpec,
    create: CreateKind,
    set: &mut dyn FnMut(&str, &mut Value) -> Result<()>,
) -> Result<()> {
    if !spec.selects(&r.gvk()) {
        return Ok(());
    }
    let parts = split_path(&spec.path);
    let path: Vec<&str> = parts.iter().map(String::as_str).collect();
    let create = if spec.create {
        create
    } else {
        CreateKind::Nothing
    };
    walk(r.value_mut(), &path, create, set, &mut String::new()).map_err(|e| {
        Error::Unsupported(format!("considering field '{}' of object: {e}", spec.path))
    })
}

/// Appends `key` to a JSON pointer, escaped per RFC 6901.
pub fn push_pointer(at: &mut String, key: &str) {
    at.push('/');
    for c in key.chars() {
        match c {
            '~' => at.push_str("~0"),
            '/' => at.push_str("~1"),
            c => at.push(c),
        }
    }
}

fn walk(
    node: &mut Value,
    path: &[&str],
    create: CreateKind,
    set: &mut dyn FnMut(&str, &mut Value) -> Result<()>,
    at: &mut String,
) -> Result<()> {
    let Some((first, rest)) = path.split_first() else {
        return set(at, node);
    };
    let len = at.len();
    match node {
        Value::Null => Ok(()),
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                use std::fmt::Write as _;
                let _ = write!(at, "/{i}");
                let r = walk(item, path, create, set, at);
                at.truncate(len);
                r?;
            }
            Ok(())
        }
        Value::Object(map) => {
            let (name, is_seq) = match first.strip_suffix("[]") {
                Some(n) => (n, true),
                None => (*first, false),
            };
            let make = if is_seq || create == CreateKind::Nothing {
                None
            } else if rest.is_empty() {
                match create {
                    CreateKind::Mapping => Some(Value::Object(Map::new())),
                    _ => Some(Value::Null),
                }
            } else {
                Some(Value::Object(Map::new()))
            };
            let field = match (map.get_mut(name), make) {
                (Some(f), Some(m)) => {
                    if f.is_null() {
                        *f = m;
                    }
                    f
                }
                (Some(f), None) => f,
                (None, Some(m)) => map.entry(name.to_string()).or_insert(m),
                (None, None) => return Ok(()),
            };
            if rest.is_empty() && field.is_null() && create != CreateKind::Scalar {
                return Ok(());
            }
            push_pointer(at, name);
            let r = walk(field, rest, create, set, at);
            at.truncate(len);
            r
        }
        _ => Err(Error::Unsupported(
            "expected sequence or mapping node".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn creates_mappings_and_walks_sequences() {
        let mut r = Resource::from_value(json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "spec": {"volumeClaimTemplates": [{"metadata": {}}, {}]}
        }))
        .unwrap();
        let spec = &table(&[(
            "apps",
            "",
            "StatefulSet",
            "spec/volumeClaimTemplates[]/metadata/labels",
            true,
        )])[0];
        let mut n = 0;
        apply(&mut r, spec, CreateKind::Mapping, &mut |v| {
            n += 1;
            v.as_object_mut().unwrap().insert("a".into(), json!("b"));
            Ok(())
        })
        .unwrap();
        assert_eq!(n, 2);
        assert_eq!(
            r.value()["spec"]["volumeClaimTemplates"][1]["metadata"]["labels"]["a"],
            "b"
        );
    }

    #[test]
    fn no_create_skips_missing() {
        let mut r = Resource::from_value(json!({"apiVersion": "v1", "kind": "Pod"})).unwrap();
        let spec = &table(&[("", "", "", "spec/containers[]/image", true)])[0];
        apply(&mut r, spec, CreateKind::Nothing, &mut |_| {
            panic!("reached")
        })
        .unwrap();
        assert_eq!(r.value(), &json!({"apiVersion": "v1", "kind": "Pod"}));
    }
}
