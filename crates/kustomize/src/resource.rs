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
    /// Names of the `vars` whose value this resource supplies (kustomize's `refVarNames`),
    /// bound where each var is declared so later renames cannot rebind it.
    ref_vars: Vec<String>,
    /// Groups of JSON pointers to label/annotation values that kustomize set through one
    /// shared YAML node (kyaml's `SetEntry` reuses its node for every field a key was missing
    /// from), so an in-place edit of one member shows at all of them in kustomize's output.
    aliases: Vec<Vec<String>>,
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

/// kyaml's `Gvk.String()`: `Kind.version.group` with markers for blanks.
pub(crate) fn gvk_string(group: &str, version: &str, kind: &str) -> String {
    format!(
        "{}.{}.{}",
        or_blank(kind, "[noKind]"),
        or_blank(version, "[noVer]"),
        or_blank(group, "[noGrp]")
    )
}

/// `s`, or kustomize's marker for a blank id part (`[noNs]`, `~G` ...).
pub(crate) fn or_blank<'a>(s: &'a str, blank: &'a str) -> &'a str {
    if s.is_empty() { blank } else { s }
}

impl fmt::Display for Gvk {
    /// kustomize's `Gvk.String()`: `group_version_kind` with `~G`/`~V`/`~K` for blanks.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let or = or_blank;
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
            ref_vars: Vec::new(),
            aliases: Vec::new(),
        })
    }

    /// Records `pointers` as sharing one node; they leave any group they were in, since the
    /// setter gave them a fresh node.
    pub fn link_aliases(&mut self, pointers: Vec<String>) {
        for g in &mut self.aliases {
            g.retain(|p| !pointers.contains(p));
        }
        self.aliases.retain(|g| g.len() > 1);
        if pointers.len() > 1 {
            self.aliases.push(pointers);
        }
    }

    /// Copies `value` to every other member of the group `pointer` belongs to, as kyaml's
    /// in-place `SetYNode` does through the shared node. Members whose field is gone have
    /// lost the node and leave the group.
    pub fn set_aliased(&mut self, pointer: &str, value: &Value) {
        let Some(i) = self
            .aliases
            .iter()
            .position(|g| g.iter().any(|p| p == pointer))
        else {
            return;
        };
        let mut group = std::mem::take(&mut self.aliases[i]);
        group.retain(|p| match self.value.pointer_mut(p) {
            Some(v) => {
                *v = value.clone();
                true
            }
            None => false,
        });
        self.aliases[i] = group;
        self.aliases.retain(|g| g.len() > 1);
    }

    /// The aliased values now, for [`Resource::propagate_alias_edits`].
    pub fn alias_snapshot(&self) -> Vec<Vec<Option<Value>>> {
        self.aliases
            .iter()
            .map(|g| g.iter().map(|p| self.value.pointer(p).cloned()).collect())
            .collect()
    }

    /// After an in-place edit (a strategic merge), spreads a member's changed value to the
    /// rest of its group; `before` is the snapshot taken before the edit.
    pub fn propagate_alias_edits(&mut self, before: &[Vec<Option<Value>>]) {
        let mut changed = Vec::new();
        for (g, old) in self.aliases.iter().zip(before) {
            let edit = g.iter().zip(old).find_map(|(p, o)| {
                let now = self.value.pointer(p)?;
                (Some(now) != o.as_ref()).then(|| (p.clone(), now.clone()))
            });
            changed.extend(edit);
        }
        for (p, v) in changed {
            self.set_aliased(&p, &v);
        }
    }

    /// Forgets all shared nodes: kustomize rebuilds the object from JSON (a JSON patch).
    pub fn forget_aliases(&mut self) {
        self.aliases.clear();
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

    /// kustomize's id string, as its conflict errors print it:
    /// `Kind.version.group/name.namespace`, with `[noGrp]`-style markers for blanks.
    pub fn id_string(&self) -> String {
        let gvk = self.gvk();
        format!(
            "{}/{}.{}",
            gvk_string(&gvk.group, &gvk.version, &gvk.kind),
            or_blank(self.name(), "[noName]"),
            or_blank(self.namespace(), "[noNs]"),
        )
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

    /// Binds a var to this resource: its value is read from this resource.
    pub(crate) fn add_ref_var(&mut self, name: &str) {
        self.ref_vars.push(name.to_string());
    }

    /// Names of the vars bound to this resource.
    pub(crate) fn ref_vars(&self) -> &[String] {
        &self.ref_vars
    }
}
