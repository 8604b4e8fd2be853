//! The OpenAPI knowledge kyaml's merge walk uses: which definition a kind has, how fields lead
//! to other definitions, and which lists merge by key.
//!
//! Kubernetes' own kinds come from `builtin_schema.txt`, generated from the v1.21.2 document
//! kustomize compiles in (see `gen/openapi_merge_keys.py`). The kustomization's `openapi:`
//! field replaces it with a custom swagger document (`path:`), or names the built-in version.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::yaml;

/// The only Kubernetes OpenAPI version kustomize v5.5 compiles in.
pub const BUILTIN_VERSION: &str = "v1.21.2";

/// `$ref` chains longer than this are treated as unresolvable (a user schema may loop).
const MAX_REF_HOPS: usize = 64;
/// Definitions a custom schema may hold.
const MAX_DEFINITIONS: usize = 50_000;

/// One schema node, as much of it as the merge walk reads.
#[derive(Debug, Default)]
pub struct Node {
    reference: Option<Reference>,
    /// `type: [array]` exactly (kyaml only descends into such lists).
    array: bool,
    items: Option<Box<Node>>,
    properties: BTreeMap<String, Node>,
    additional: Option<Box<Node>>,
    /// `Some(keys)` when `x-kubernetes-patch-strategy` includes `merge`.
    merge: Option<Vec<String>>,
    /// A built-in definition pruned by the generator: fields it does not list carry no merge
    /// information, but they are known.
    pruned: bool,
    /// Known, with no merge information anywhere below.
    opaque: bool,
}

#[derive(Debug)]
enum Reference {
    Local(String),
    /// Not a pointer into the definitions: resolves to nothing (SECURITY 23: a schema never
    /// makes the build read another file or URL).
    Foreign,
}

static OPAQUE: Node = Node {
    reference: None,
    array: false,
    items: None,
    properties: BTreeMap::new(),
    additional: None,
    merge: None,
    pruned: false,
    opaque: true,
};

/// Definitions and the kinds that name them.
#[derive(Debug, Default)]
pub struct Definitions {
    definitions: HashMap<String, Node>,
    /// `(apiVersion, kind)` to a definition name (`None`: a kind without merge information).
    kinds: HashMap<(String, String), Option<String>>,
}

fn builtin() -> &'static Definitions {
    static BUILTIN: OnceLock<Definitions> = OnceLock::new();
    BUILTIN.get_or_init(|| parse_builtin(include_str!("builtin_schema.txt")))
}

fn parse_builtin(text: &str) -> Definitions {
    let mut out = Definitions::default();
    let mut current: Option<(String, Node)> = None;
    let local = |name: &str| (name != "-").then(|| Reference::Local(name.to_string()));
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let parts: Vec<&str> = line.split(' ').collect();
        match parts.as_slice() {
            ["G", api_version, kind, def] => {
                let def = (*def != "-").then(|| def.to_string());
                out.kinds
                    .insert((api_version.to_string(), kind.to_string()), def);
            }
            ["D", name] => {
                if let Some((name, node)) = current.take() {
                    out.definitions.insert(name, node);
                }
                let node = Node {
                    pruned: true,
                    ..Node::default()
                };
                current = Some((name.to_string(), node));
            }
            [tag, field, rest @ ..] => {
                let Some((_, def)) = current.as_mut() else {
                    continue;
                };
                let node = match (*tag, rest) {
                    ("R", [target]) => Node {
                        reference: local(target),
                        ..Node::default()
                    },
                    ("M", [target]) => Node {
                        additional: Some(Box::new(Node {
                            reference: local(target),
                            ..Node::default()
                        })),
                        ..Node::default()
                    },
                    ("L", [keys, target]) => Node {
                        array: true,
                        items: Some(Box::new(match local(target) {
                            Some(r) => Node {
                                reference: Some(r),
                                ..Node::default()
                            },
                            None => Node {
                                opaque: true,
                                ..Node::default()
                            },
                        })),
                        merge: Some(if *keys == "-" {
                            Vec::new()
                        } else {
                            keys.split(',').map(str::to_string).collect()
                        }),
                        ..Node::default()
                    },
                    _ => continue,
                };
                def.properties.insert(field.to_string(), node);
            }
            _ => {}
        }
    }
    if let Some((name, node)) = current {
        out.definitions.insert(name, node);
    }
    out
}

fn invalid(message: String) -> Error {
    Error::InvalidKustomization(message)
}

/// Parses a custom swagger document (JSON or YAML) the way kyaml reads `openapi: {path: …}`.
pub fn parse_custom(bytes: &[u8], shown: &str) -> Result<Definitions> {
    let doc = yaml::parse_one(bytes, Path::new(shown))?;
    let mut out = Definitions::default();
    let Some(definitions) = doc.get("definitions").and_then(Value::as_object) else {
        return Ok(out);
    };
    if definitions.len() > MAX_DEFINITIONS {
        return Err(invalid(format!(
            "invalid schema file {shown}: more than {MAX_DEFINITIONS} definitions"
        )));
    }
    for (name, def) in definitions {
        let gvks = def
            .get("x-kubernetes-group-version-kind")
            .and_then(Value::as_array);
        for gvk in gvks.into_iter().flatten() {
            let field = |k: &str| gvk.get(k).and_then(Value::as_str);
            let (Some(version), Some(kind)) = (field("version"), field("kind")) else {
                continue;
            };
            let api_version = match field("group") {
                Some(g) if !g.is_empty() => format!("{g}/{version}"),
                _ => version.to_string(),
            };
            out.kinds
                .insert((api_version, kind.to_string()), Some(name.clone()));
        }
        out.definitions.insert(name.clone(), custom_node(def));
    }
    Ok(out)
}

fn custom_node(v: &Value) -> Node {
    let mut node = Node::default();
    let Some(m) = v.as_object() else {
        return node;
    };
    if let Some(r) = m.get("$ref").and_then(Value::as_str) {
        // kyaml resolves only a reference's JSON pointer, against the loaded definitions;
        // the document part (a file or URL) is never read.
        let pointer = r.split_once('#').map_or("", |(_, p)| p);
        node.reference = Some(match pointer.strip_prefix("/definitions/") {
            Some(name) if !name.contains('/') => {
                Reference::Local(name.replace("~1", "/").replace("~0", "~"))
            }
            _ => Reference::Foreign,
        });
    }
    node.array = match m.get("type") {
        Some(Value::String(t)) => t == "array",
        Some(Value::Array(t)) => t.len() == 1 && t[0] == "array",
        _ => false,
    };
    if let Some(items) = m.get("items").filter(|i| i.is_object()) {
        node.items = Some(Box::new(custom_node(items)));
    }
    if let Some(props) = m.get("properties").and_then(Value::as_object) {
        node.properties = props
            .iter()
            .map(|(k, v)| (k.clone(), custom_node(v)))
            .collect();
    }
    if let Some(add) = m.get("additionalProperties").filter(|a| a.is_object()) {
        node.additional = Some(Box::new(custom_node(add)));
    }
    let strategy = m.get("x-kubernetes-patch-strategy").and_then(Value::as_str);
    if strategy.is_some_and(|s| s.split(',').any(|s| s == "merge")) {
        let map_keys = m
            .get("x-kubernetes-list-map-keys")
            .and_then(Value::as_array);
        let key = m
            .get("x-kubernetes-patch-merge-key")
            .and_then(Value::as_str);
        node.merge = Some(match (map_keys, key) {
            (Some(keys), _) => keys
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            (None, Some(k)) => vec![k.to_string()],
            (None, None) => Vec::new(),
        });
    }
    node
}

/// The definitions a build merges with: the custom ones first, then the built-in ones.
#[derive(Clone, Copy)]
pub struct Schemas<'a> {
    custom: Option<&'a Definitions>,
    builtin: Option<&'a Definitions>,
}

impl<'a> Schemas<'a> {
    /// Only the built-in Kubernetes definitions.
    pub fn builtin() -> Self {
        Schemas {
            custom: None,
            builtin: Some(builtin()),
        }
    }

    fn layers(self) -> impl Iterator<Item = &'a Definitions> {
        self.custom.into_iter().chain(self.builtin)
    }

    /// The schema of a resource type (kyaml's `SchemaForResourceType`).
    pub fn resource(self, api_version: &str, kind: &str) -> Option<&'a Node> {
        let key = (api_version.to_string(), kind.to_string());
        let root = self.layers().find_map(|d| d.kinds.get(&key))?;
        match root {
            None => Some(&OPAQUE),
            Some(name) => self.definition(name),
        }
    }

    fn definition(self, name: &str) -> Option<&'a Node> {
        self.layers().find_map(|d| d.definitions.get(name))
    }

    fn resolve(self, mut node: &'a Node) -> Option<&'a Node> {
        for _ in 0..MAX_REF_HOPS {
            match &node.reference {
                None => return Some(node),
                Some(Reference::Local(name)) => node = self.definition(name)?,
                Some(Reference::Foreign) => return None,
            }
        }
        None
    }

    /// The schema of a map's field (kyaml's `ResourceSchema.Field`).
    pub fn field(self, node: &'a Node, key: &str) -> Option<&'a Node> {
        if node.opaque {
            return Some(&OPAQUE);
        }
        match node.properties.get(key).or(node.additional.as_deref()) {
            Some(child) => self.resolve(child),
            None if node.pruned => Some(&OPAQUE),
            None => None,
        }
    }

    /// The schema of a list's elements (kyaml's `ResourceSchema.Elements`).
    pub fn elements(self, node: &'a Node) -> Option<&'a Node> {
        if node.opaque {
            return Some(&OPAQUE);
        }
        if !node.array {
            return None;
        }
        self.resolve(node.items.as_deref()?)
    }
}

impl Node {
    /// The merge keys of a list merged by key (`None`: the list is replaced).
    pub fn merge_keys(&self) -> Option<&[String]> {
        self.merge.as_deref()
    }
}

/// The build's OpenAPI setting, as kustomize's global kyaml schema state evolves: the first
/// kustomization (top first, then bases depth-first) whose `openapi:` field sets it wins.
#[derive(Debug, Default)]
pub struct OpenApi {
    /// A custom schema, or why it does not parse: like kyaml, that only fails a build that
    /// merges with it.
    custom: Option<std::result::Result<Definitions, String>>,
    set: bool,
    /// With a custom schema, kyaml keeps built-in definitions it had already loaded.
    with_builtin: bool,
    builtin_loaded: Cell<bool>,
}

impl OpenApi {
    /// Applies one kustomization's `openapi:` field. `top` is the kustomization being built
    /// (kustomize resets the setting there); bases only set it while it is unset. The schema
    /// file is read even when it will not be used, as kustomize does.
    pub fn configure(
        &mut self,
        field: &BTreeMap<String, String>,
        load: &dyn Fn(&str) -> Result<Vec<u8>>,
        top: bool,
    ) -> Result<()> {
        let bytes = field
            .get("path")
            .map(|p| load(p).map(|b| (p, b)))
            .transpose()?;
        if self.set && !top {
            return Ok(());
        }
        let version = field.get("version");
        if let Some((path, bytes)) = bytes {
            if version.is_some() {
                return Err(invalid(
                    "builtin version and custom schema provided, cannot use both".into(),
                ));
            }
            self.custom = Some(parse_custom(&bytes, path).map_err(|e| e.to_string()));
            self.with_builtin = self.builtin_loaded.get();
            self.set = true;
            return Ok(());
        }
        match version.map(String::as_str) {
            None | Some("") => {
                self.set = self.custom.is_some();
            }
            Some(BUILTIN_VERSION) => {
                self.custom = None;
                self.set = true;
            }
            Some(_) => {
                return Err(invalid(
                    "the specified OpenAPI version is not built in".into(),
                ));
            }
        }
        Ok(())
    }

    /// The definitions patches are merged with now.
    pub fn schemas(&self) -> Result<Schemas<'_>> {
        match &self.custom {
            Some(Ok(custom)) => Ok(Schemas {
                custom: Some(custom),
                builtin: self.with_builtin.then(builtin),
            }),
            Some(Err(e)) => Err(invalid(format!("invalid schema file: {e}"))),
            None => {
                self.builtin_loaded.set(true);
                Ok(Schemas::builtin())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_has_kubernetes_merge_keys() {
        let s = Schemas::builtin();
        let dep = s.resource("apps/v1", "Deployment").unwrap();
        let path = ["spec", "template", "spec", "containers"];
        let containers = path.iter().try_fold(dep, |n, k| s.field(n, k)).unwrap();
        assert_eq!(containers.merge_keys(), Some(&["name".to_string()][..]));
        let container = s.elements(containers).unwrap();
        let ports = s.field(container, "ports").unwrap();
        assert_eq!(
            ports.merge_keys(),
            Some(&["containerPort".to_string(), "protocol".to_string()][..])
        );
        let args = s.field(container, "args").unwrap();
        assert_eq!(args.merge_keys(), None);
        let svc = s.resource("v1", "Service").unwrap();
        let ports = s.field(s.field(svc, "spec").unwrap(), "ports").unwrap();
        assert_eq!(
            ports.merge_keys(),
            Some(&["port".to_string(), "protocol".to_string()][..])
        );
        assert!(s.resource("v1", "ConfigMap").is_some());
        assert!(s.resource("example.com/v1", "Foo").is_none());
    }

    #[test]
    fn custom_schema_refs_stay_inside_the_document() {
        let doc = br##"{"definitions": {
            "a.Foo": {"x-kubernetes-group-version-kind": [{"group": "x.io", "version": "v1",
                "kind": "Foo"}], "properties": {"items": {"type": "array",
                "x-kubernetes-patch-strategy": "merge", "x-kubernetes-patch-merge-key": "id",
                "items": {"$ref": "#/definitions/a.Item"}},
                "remote": {"$ref": "https://example.com/s.json#/definitions/a.Item"},
                "file": {"$ref": "other.json"},
                "loop": {"$ref": "#/definitions/a.Loop"}}},
            "a.Item": {"properties": {}},
            "a.Loop": {"$ref": "#/definitions/a.Loop"}}}"##;
        let defs = parse_custom(doc, "s.json").unwrap();
        let s = Schemas {
            custom: Some(&defs),
            builtin: None,
        };
        let foo = s.resource("x.io/v1", "Foo").unwrap();
        let items = s.field(foo, "items").unwrap();
        assert_eq!(items.merge_keys(), Some(&["id".to_string()][..]));
        assert!(s.elements(items).is_some());
        // Only the pointer counts, as in kyaml: nothing is fetched.
        assert!(s.field(foo, "remote").is_some());
        assert!(s.field(foo, "file").is_none());
        assert!(s.field(foo, "loop").is_none());
        assert!(s.resource("apps/v1", "Deployment").is_none());
    }
}
