//! One Kubernetes object as kustomize sees it: an untyped value with an id.

use std::fmt;

use serde_json::{Map, Value};

/// Kinds that are never namespaced (kustomize's `resid.NotNamespaceableKinds`).
pub const CLUSTER_SCOPED_KINDS: &[&str] = &[
    "APIService",
    "CSIDriver",
    "CSINode",
    "CertificateSigningRequest",
    "Cluster",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CustomResourceDefinition",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PodSecurityPolicy",
    "PriorityClass",
    "RuntimeClass",
    "SelfSubjectAccessReview",
    "SelfSubjectRulesReview",
    "StorageClass",
    "SubjectAccessReview",
    "TokenReview",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
];

/// A resource: the object itself, always a YAML/JSON mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    value: Value,
    /// Earlier ids, oldest first (kustomize's `previousNames`/`previousNamespaces`/
    /// `previousKinds` build annotations), recorded before a name or namespace change.
    previous: Vec<PrevId>,
    /// Name prefixes added, innermost kustomization first (kustomize's `prefixes` annotation).
    prefixes: Vec<String>,
    /// Name suffixes added, innermost kustomization first.
    suffixes: Vec<String>,
}

/// One earlier id of a resource: kind, namespace and name as they were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrevId {
    /// Kind.
    pub kind: String,
    /// Namespace (`""` when unset).
    pub namespace: String,
    /// Name.
    pub name: String,
}

/// Group, version and kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gvk {
    /// API group (`""` for the core group).
    pub group: String,
    /// API version.
    pub version: String,
    /// Kind.
    pub kind: String,
}

impl fmt::Display for Gvk {
    /// kustomize's `Gvk.String()`: `group_version_kind` with `~G`/`~V`/`~K` for blanks.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let or = |s: &str, d: &'static str| {
            if s.is_empty() {
                d.to_string()
            } else {
                s.to_string()
            }
        };
        write!(
            f,
            "{}_{}_{}",
            or(&self.group, "~G"),
            or(&self.version, "~V"),
            or(&self.kind, "~K")
        )
    }
}

impl Resource {
    /// Wraps an object; `None` when the value is not a mapping.
    pub fn from_value(value: Value) -> Option<Self> {
        value.is_object().then_some(Self {
            value,
            previous: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
        })
    }

    /// The object.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The object, mutably.
    pub fn value_mut(&mut self) -> &mut Value {
        &mut self.value
    }

    /// Consumes the resource, returning the object.
    pub fn into_value(self) -> Value {
        self.value
    }

    fn str_at(&self, path: &[&str]) -> &str {
        let mut v = &self.value;
        for key in path {
            match v.get(key) {
                Some(next) => v = next,
                None => return "",
            }
        }
        v.as_str().unwrap_or("")
    }

    /// `apiVersion`.
    pub fn api_version(&self) -> &str {
        self.str_at(&["apiVersion"])
    }

    /// `kind`.
    pub fn kind(&self) -> &str {
        self.str_at(&["kind"])
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        self.str_at(&["metadata", "name"])
    }

    /// `metadata.namespace`.
    pub fn namespace(&self) -> &str {
        self.str_at(&["metadata", "namespace"])
    }

    /// Group, version and kind from `apiVersion` and `kind`.
    pub fn gvk(&self) -> Gvk {
        let (group, version) = match self.api_version().split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), self.api_version().to_string()),
        };
        Gvk {
            group,
            version,
            kind: self.kind().to_string(),
        }
    }

    /// Whether the kind is namespaced. Unknown types are; the cluster-scoped kinds are
    /// recognised only in Kubernetes' own API groups (a CRD group may reuse `Namespace`).
    pub fn is_namespaced(&self) -> bool {
        let gvk = self.gvk();
        let builtin_group = !gvk.group.contains('.') || gvk.group.ends_with(".k8s.io");
        !(builtin_group && CLUSTER_SCOPED_KINDS.contains(&gvk.kind.as_str()))
    }

    /// kustomize's id string, as its conflict errors print it: `Kind.version.group/name.namespace`.
    pub fn id_string(&self) -> String {
        let gvk = self.gvk();
        let mut s = gvk.kind.clone();
        if !gvk.version.is_empty() {
            s.push('.');
            s.push_str(&gvk.version);
        }
        if !gvk.group.is_empty() {
            s.push('.');
            s.push_str(&gvk.group);
        }
        let ns = if self.namespace().is_empty() {
            "[noNs]"
        } else {
            self.namespace()
        };
        format!("{s}/{}.{ns}", self.name())
    }

    /// Labels and annotations are string maps: scalars written unquoted (`port: 8080`,
    /// `happy: true`) become strings, as kustomize prints them.
    pub(crate) fn stringify_metadata_maps(&mut self) {
        for field in ["labels", "annotations"] {
            let Some(Value::Object(map)) = self
                .value
                .get_mut("metadata")
                .and_then(|m| m.get_mut(field))
            else {
                continue;
            };
            for v in map.values_mut() {
                match v {
                    Value::Bool(b) => *v = Value::String(b.to_string()),
                    Value::Number(n) => *v = Value::String(n.to_string()),
                    _ => {}
                }
            }
        }
    }

    /// The mapping at `path`, created (as empty mappings) when missing.
    pub(crate) fn map_at(&mut self, path: &[&str]) -> Option<&mut Map<String, Value>> {
        let mut v = &mut self.value;
        for key in path {
            let map = v.as_object_mut()?;
            let next = map
                .entry(key.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if next.is_null() {
                *next = Value::Object(Map::new());
            }
            v = next;
        }
        v.as_object_mut()
    }

    /// Whether a mapping exists at `path`.
    pub(crate) fn has(&self, path: &[&str]) -> bool {
        let mut v = &self.value;
        for key in path {
            match v.get(key) {
                Some(next) => v = next,
                None => return false,
            }
        }
        true
    }

    /// Records the current id as a previous one (kustomize's `StorePreviousId`).
    pub fn store_previous_id(&mut self) {
        let id = PrevId {
            kind: self.kind().to_string(),
            namespace: self.namespace().to_string(),
            name: self.name().to_string(),
        };
        self.previous.push(id);
    }

    /// The earlier ids, oldest first.
    pub fn previous_ids(&self) -> &[PrevId] {
        &self.previous
    }

    /// The original name: the oldest recorded one, else the current name.
    pub fn original_name(&self) -> &str {
        self.previous
            .first()
            .map_or(self.name(), |p| p.name.as_str())
    }

    /// Whether `name` is the current name or any earlier one.
    pub fn had_name(&self, name: &str) -> bool {
        self.name() == name || self.previous.iter().any(|p| p.name == name)
    }

    /// Records an added name prefix (empty ones are not recorded).
    pub fn add_name_prefix(&mut self, prefix: &str) {
        if !prefix.is_empty() {
            self.prefixes.push(prefix.to_string());
        }
    }

    /// Records an added name suffix (empty ones are not recorded).
    pub fn add_name_suffix(&mut self, suffix: &str) {
        if !suffix.is_empty() {
            self.suffixes.push(suffix.to_string());
        }
    }

    /// Name prefixes added so far.
    pub fn name_prefixes(&self) -> &[String] {
        &self.prefixes
    }

    /// Name suffixes added so far.
    pub fn name_suffixes(&self) -> &[String] {
        &self.suffixes
    }
}
