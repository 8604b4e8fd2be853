//! kustomize's legacy `vars`: `$(NAME)` in selected fields becomes a field of a resource.
//!
//! A var is bound to its resource in the kustomization that declares it (by current or
//! earlier id, so later renames do not matter); vars from bases accumulate upward, a name may
//! be declared once per build, and all of them are substituted once, at the very end.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::replacements::{
    Known, check_known_fields, effective_namespace, field, gvk_string, is_cluster_scoped, lookup,
    resource_ids, scalar_text, stringify_annotations,
};
use crate::resource::Resource;
use crate::transform::fieldspec::{self, CreateKind, FieldSpec};

/// kustomize's default `fieldref.fieldpath`.
const DEFAULT_FIELD_PATH: &str = "metadata.name";

/// The fields of a `vars` entry, as kustomize's `types.Var` has them.
const VAR_SCHEMA: &[Known] = &[
    Known("name", None),
    Known(
        "objref",
        Some(&[
            Known("apiVersion", None),
            Known("group", None),
            Known("version", None),
            Known("kind", None),
            Known("name", None),
            Known("namespace", None),
        ]),
    ),
    Known("fieldref", Some(&[Known("fieldPath", None)])),
];

/// One `vars` entry, fields as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Var {
    name: String,
    api_version: String,
    group: String,
    version: String,
    kind: String,
    obj_name: String,
    namespace: String,
    field_path: String,
}

fn invalid(message: String) -> Error {
    Error::InvalidKustomization(message)
}

impl Var {
    /// Reads a `vars` entry (`name`, `objref`, optional `fieldref.fieldpath`).
    pub fn from_value(v: &Value) -> Result<Self> {
        let text = |parent: Option<&Value>, key: &str, what: &str| -> Result<String> {
            match parent.and_then(|p| field(p, key)) {
                None | Some(Value::Null) => Ok(String::new()),
                Some(Value::String(s)) => Ok(s.clone()),
                Some(other) => Err(invalid(format!(
                    "vars: '{what}' must be a string, got {other}"
                ))),
            }
        };
        if !v.is_object() {
            return Err(invalid(format!(
                "vars: each entry must be a mapping with 'name' and 'objref', got {v}"
            )));
        }
        check_known_fields(v, VAR_SCHEMA)?;
        let objref = field(v, "objref").filter(|o| !o.is_null());
        if let Some(o) = objref
            && !o.is_object()
        {
            return Err(invalid(format!(
                "vars: 'objref' must be a mapping, got {o}"
            )));
        }
        let fieldref = field(v, "fieldref").filter(|f| !f.is_null());
        if let Some(f) = fieldref
            && !f.is_object()
        {
            return Err(invalid(format!(
                "vars: 'fieldref' must be a mapping, got {f}"
            )));
        }
        Ok(Self {
            name: text(Some(v), "name", "name")?,
            api_version: text(objref, "apiVersion", "objref.apiVersion")?,
            group: text(objref, "group", "objref.group")?,
            version: text(objref, "version", "objref.version")?,
            kind: text(objref, "kind", "objref.kind")?,
            obj_name: text(objref, "name", "objref.name")?,
            namespace: text(objref, "namespace", "objref.namespace")?,
            field_path: text(fieldref, "fieldPath", "fieldref.fieldpath")?,
        })
    }

    /// Group, version and kind, with `apiVersion` folded in as kustomize does.
    fn gvk(&self) -> (String, String, String) {
        let (mut group, mut version) = (self.group.clone(), self.version.clone());
        if !self.api_version.is_empty() {
            let parts: Vec<&str> = self.api_version.split('/').collect();
            match parts.as_slice() {
                [g, v] => {
                    group = (*g).to_string();
                    version = (*v).to_string();
                }
                [v] => version = (*v).to_string(),
                _ => {}
            }
        }
        (group, version, self.kind.clone())
    }

    fn field_path(&self) -> &str {
        if self.field_path.is_empty() {
            DEFAULT_FIELD_PATH
        } else {
            &self.field_path
        }
    }

    /// Formats the var as kustomize prints it (`{NAME Kind.version.group {fieldpath}}`):
    /// `folded` folds `apiVersion` into the GVK, `defaulted` fills the default field path.
    fn show(&self, folded: bool, defaulted: bool) -> String {
        let (g, v, k) = if folded {
            self.gvk()
        } else {
            (self.group.clone(), self.version.clone(), self.kind.clone())
        };
        let path = if defaulted {
            self.field_path()
        } else {
            &self.field_path
        };
        format!("{{{} {} {{{path}}}}}", self.name, gvk_string(&g, &v, &k))
    }

    /// kustomize's id matching for a var: exact GVK and name, and the namespace too when the
    /// var names one (or the kind is cluster-scoped). Earlier ids of a resource count.
    fn matches(&self, r: &Resource) -> bool {
        let (group, version, kind) = self.gvk();
        let with_namespace = !self.namespace.is_empty() || is_cluster_scoped(&group, &kind);
        let wanted_ns = effective_namespace(&group, &kind, &self.namespace);
        resource_ids(r).iter().any(|id| {
            id.name == self.obj_name
                && id.group == group
                && id.version == version
                && id.kind == kind
                && (!with_namespace
                    || effective_namespace(&id.group, &id.kind, &id.namespace) == wanted_ns)
        })
    }
}

impl fmt::Display for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.show(true, true))
    }
}

/// The vars of a kustomization and its bases, by name.
#[derive(Debug, Clone, Default)]
pub struct VarSet {
    vars: BTreeMap<String, Var>,
}

impl VarSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether no var is declared.
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    fn add(&mut self, v: Var) -> Result<()> {
        if self.vars.contains_key(&v.name) {
            return Err(invalid(format!(
                "var '{}' already encountered: var names must be unique across a kustomization and all its bases",
                v.name
            )));
        }
        self.vars.insert(v.name.clone(), v);
        Ok(())
    }

    /// Declares a kustomization's own `vars` (kustomize's `MergeVars`): each is bound to the
    /// one resource of this kustomization it names, after this kustomization's transformers.
    pub fn declare(&mut self, entries: &[Value], resources: &mut [Resource]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let vars: Vec<Var> = entries.iter().map(Var::from_value).collect::<Result<_>>()?;
        let listed = vars
            .iter()
            .map(|v| v.show(false, false))
            .collect::<Vec<_>>()
            .join(" ");
        let wrap = |e: Error| match e {
            Error::InvalidKustomization(m) => invalid(format!("merging vars [{listed}]: {m}")),
            other => other,
        };
        for v in &vars {
            let matched: Vec<usize> = resources
                .iter()
                .enumerate()
                .filter(|(_, r)| v.matches(r))
                .map(|(i, _)| i)
                .collect();
            match matched.as_slice() {
                [] => {}
                [one] => resources[*one].add_ref_var(&v.name),
                many => {
                    return Err(wrap(invalid(format!(
                        "found {} resId matches for var {} (unable to disambiguate): set objref.namespace",
                        many.len(),
                        v.show(true, false)
                    ))));
                }
            }
        }
        for v in vars {
            self.add(v).map_err(wrap)?;
        }
        Ok(())
    }

    /// Absorbs a base's vars; a name declared in both is an error.
    pub fn merge(&mut self, other: VarSet) -> Result<()> {
        for v in other.vars.into_values() {
            self.add(v)?;
        }
        Ok(())
    }
}

/// kustomize's builtin `varReference` field specs: where `$(VAR)` is substituted. The build
/// reads them from the merged transformer configuration (which adds `configurations:`); this
/// table is the reference that configuration's defaults are checked against.
#[cfg_attr(not(test), allow(dead_code))]
pub fn builtin_var_reference_specs() -> Vec<FieldSpec> {
    let mut rows: Vec<(&str, String)> = Vec::new();
    let pod_spec = |kind: &'static str, prefix: &str, rows: &mut Vec<(&str, String)>| {
        for c in ["containers", "initContainers"] {
            for f in ["args", "command", "env/value", "volumeMounts/mountPath"] {
                rows.push((kind, format!("{prefix}spec/{c}/{f}")));
            }
        }
    };
    pod_spec("CronJob", "spec/jobTemplate/spec/template/", &mut rows);
    // kustomize's table misses `spec/` here; kept as kustomize has it.
    rows.push((
        "CronJob",
        "spec/jobTemplate/spec/template/volumes/nfs/server".into(),
    ));
    pod_spec("DaemonSet", "spec/template/", &mut rows);
    rows.push(("DaemonSet", "spec/template/spec/volumes/nfs/server".into()));
    pod_spec("Deployment", "spec/template/", &mut rows);
    rows.push(("Deployment", "spec/template/spec/volumes/nfs/server".into()));
    rows.push(("Deployment", "spec/template/metadata/annotations".into()));
    rows.push(("Ingress", "spec/rules/host".into()));
    rows.push(("Ingress", "spec/tls/hosts".into()));
    rows.push(("Ingress", "spec/tls/secretName".into()));
    pod_spec("Job", "spec/template/", &mut rows);
    rows.push(("Job", "spec/template/spec/volumes/nfs/server".into()));
    pod_spec("Pod", "", &mut rows);
    rows.push(("Pod", "spec/volumes/nfs/server".into()));
    pod_spec("ReplicaSet", "spec/template/", &mut rows);
    rows.push(("ReplicaSet", "spec/template/spec/volumes/nfs/server".into()));
    rows.push(("Service", "spec/ports/port".into()));
    rows.push(("Service", "spec/ports/targetPort".into()));
    pod_spec("StatefulSet", "spec/template/", &mut rows);
    rows.push((
        "StatefulSet",
        "spec/volumeClaimTemplates/spec/nfs/server".into(),
    ));
    rows.push(("PersistentVolume", "spec/nfs/server".into()));
    rows.push(("", "metadata/labels".into()));
    rows.push(("", "metadata/annotations".into()));
    rows.into_iter()
        .map(|(kind, path)| FieldSpec {
            group: String::new(),
            version: String::new(),
            kind: kind.to_string(),
            path,
            create: false,
        })
        .collect()
}

/// kyaml's `GetFieldValue` path: `.`-separated, `name[3]` meaning `name.3`.
fn var_path(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in path.split('.') {
        if let Some(stripped) = part.strip_suffix(']')
            && let Some(open) = stripped.rfind('[')
            && !stripped[open + 1..].is_empty()
            && stripped[open + 1..].chars().all(|c| c.is_ascii_digit())
        {
            if open > 0 {
                out.push(stripped[..open].to_string());
            }
            out.push(stripped[open + 1..].to_string());
            continue;
        }
        out.push(part.to_string());
    }
    out
}

/// Substitutes every var in the fields `specs` select (kustomize's `ResolveVars`). A var
/// whose value is a mapping or a sequence, and any `$(NAME)` that is not a var, stay as
/// written; `$$` is a literal `$`.
pub fn resolve(resources: &mut [Resource], vars: &VarSet, specs: &[FieldSpec]) -> Result<()> {
    let mut values: BTreeMap<String, Option<Value>> = BTreeMap::new();
    for v in vars.vars.values() {
        let Some(r) = resources
            .iter()
            .find(|r| r.ref_vars().iter().any(|n| n == &v.name))
        else {
            return Err(invalid(format!(
                "var '{v}' cannot be mapped to a field in the set of known resources: check objref (apiVersion, kind, name, namespace) names a resource of the kustomization declaring it"
            )));
        };
        let not_found = || {
            invalid(format!(
                "field specified in var '{v}' not found in corresponding resource: check fieldref.fieldpath"
            ))
        };
        let value = lookup(r.value(), &var_path(v.field_path()))
            .map_err(|_| not_found())?
            .ok_or_else(not_found)?;
        let primitive = match value {
            Value::Null => Some(Value::String(String::new())),
            Value::String(_) | Value::Number(_) | Value::Bool(_) => Some(value.clone()),
            Value::Object(_) | Value::Array(_) => None,
        };
        values.insert(v.name.clone(), primitive);
    }
    if values.is_empty() {
        return Ok(());
    }
    let mapping = |name: &str| values.get(name).cloned().flatten();
    for r in resources.iter_mut() {
        for spec in specs {
            fieldspec::apply(r, spec, CreateKind::Nothing, &mut |node| {
                substitute(node, &mapping)
            })?;
        }
        stringify_annotations(r);
    }
    Ok(())
}

fn substitute(node: &mut Value, mapping: &dyn Fn(&str) -> Option<Value>) -> Result<()> {
    match node {
        Value::String(s) => *node = expand(s, mapping),
        Value::Object(map) => {
            for v in map.values_mut() {
                if let Value::String(s) = v {
                    *v = expand(s, mapping);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                let Value::String(s) = item else {
                    return Err(Error::Unsupported(format!(
                        "invalid value type expect a string: a var reference field holds {item}, not a string"
                    )));
                };
                *item = expand(s, mapping);
            }
        }
        _ => {}
    }
    Ok(())
}

/// Expands `$(NAME)` references. A string that is exactly one reference takes the value's
/// own type (a number stays a number); unknown names stay as written.
fn expand(input: &str, mapping: &dyn Fn(&str) -> Option<Value>) -> Value {
    let bytes = input.as_bytes();
    let mut out = String::new();
    let mut checkpoint = 0;
    let mut cursor = 0;
    while cursor < bytes.len() {
        if bytes[cursor] != b'$' || cursor + 1 >= bytes.len() {
            cursor += 1;
            continue;
        }
        out.push_str(&input[checkpoint..cursor]);
        let rest = &input[cursor + 1..];
        let advance = match bytes[cursor + 1] {
            b'$' => {
                out.push('$');
                1
            }
            b'(' => match rest.find(')') {
                Some(close) => {
                    let name = &rest[1..close];
                    match mapping(name) {
                        Some(value) => {
                            if input.len() == name.len() + 3 {
                                return value;
                            }
                            out.push_str(&scalar_text(&value).unwrap_or_default());
                        }
                        None => {
                            if input.len() == name.len() + 3 {
                                return Value::String(input.to_string());
                            }
                            out.push_str("$(");
                            out.push_str(name);
                            out.push(')');
                        }
                    }
                    close + 1
                }
                None => {
                    out.push_str("$(");
                    1
                }
            },
            _ => {
                let c = rest.chars().next().expect("not at end");
                out.push('$');
                out.push(c);
                c.len_utf8()
            }
        };
        cursor += advance + 1;
        checkpoint = cursor;
    }
    out.push_str(&input[checkpoint..]);
    Value::String(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(name: &str) -> Option<Value> {
        match name {
            "PORT" => Some(json!(9300)),
            "NAME" => Some(json!("svc")),
            _ => None,
        }
    }

    #[test]
    fn builtin_table_matches_the_configuration_defaults() {
        assert_eq!(
            builtin_var_reference_specs(),
            crate::config::TransformerConfig::defaults().var_reference
        );
    }

    #[test]
    fn expands_like_kustomize() {
        assert_eq!(expand("$(PORT)", &map), json!(9300));
        assert_eq!(expand("x-$(PORT)", &map), json!("x-9300"));
        assert_eq!(expand("$(NAME).$(PORT)", &map), json!("svc.9300"));
        assert_eq!(expand("$(NOPE)", &map), json!("$(NOPE)"));
        assert_eq!(expand("a$(NOPE)b", &map), json!("a$(NOPE)b"));
        assert_eq!(expand("$$(PORT)", &map), json!("$(PORT)"));
        assert_eq!(expand("$(PORT", &map), json!("$(PORT"));
        assert_eq!(expand("cost: $5é$", &map), json!("cost: $5é$"));
        assert_eq!(expand("$é", &map), json!("$é"));
    }

    #[test]
    fn var_paths_convert_indexes() {
        assert_eq!(
            var_path("spec.ports[0].port"),
            vec!["spec", "ports", "0", "port"]
        );
        assert_eq!(var_path("a.b[x]"), vec!["a", "b[x]"]);
        assert_eq!(var_path("metadata.name"), vec!["metadata", "name"]);
    }

    fn res(v: Value) -> Resource {
        Resource::from_value(v).unwrap()
    }

    #[test]
    fn binds_by_earlier_ids_and_reports_like_kustomize() {
        let mut svc = res(json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "svc"}, "spec": {"ports": [{"port": 9300}]}}));
        svc.store_previous_id();
        svc.value_mut()["metadata"]["name"] = json!("p-svc");
        let pod = res(
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "pod",
            "annotations": {"a": "$(PORT)"}},
            "spec": {"containers": [{"name": "c", "args": ["$(PORT)", "$(NAME)"]}]}}),
        );
        let mut rs = vec![svc, pod];
        let mut set = VarSet::new();
        set.declare(
            &[
                json!({"name": "PORT", "objref": {"apiVersion": "v1", "kind": "Service", "name": "svc"},
                    "fieldref": {"fieldpath": "spec.ports[0].port"}}),
                json!({"name": "NAME", "objref": {"apiVersion": "v1", "kind": "Service", "name": "svc"}}),
            ],
            &mut rs,
        )
        .unwrap();
        resolve(&mut rs, &set, &builtin_var_reference_specs()).unwrap();
        assert_eq!(
            rs[1].value()["spec"]["containers"][0]["args"],
            json!([9300, "p-svc"])
        );
        assert_eq!(rs[1].value()["metadata"]["annotations"]["a"], json!("9300"));

        let err = set
            .clone()
            .declare(
                &[json!({"name": "PORT", "objref": {"version": "v1", "kind": "Service", "name": "x"}})],
                &mut rs,
            )
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(
                "merging vars [{PORT Service.v1.[noGrp] {}}]: var 'PORT' already encountered"
            ),
            "{err}"
        );

        let mut lone = VarSet::new();
        lone.declare(
            &[json!({"name": "X", "objref": {"kind": "Service", "name": "svc"}})],
            &mut rs,
        )
        .unwrap();
        let err = resolve(&mut rs, &lone, &[]).unwrap_err().to_string();
        assert!(
            err.contains("var '{X Service.[noVer].[noGrp] {metadata.name}}' cannot be mapped to a field in the set of known resources"),
            "{err}"
        );
    }

    #[test]
    fn ambiguous_objref_needs_a_namespace() {
        let svc = |ns: &str| {
            res(json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "svc", "namespace": ns}}))
        };
        let mut rs = vec![svc("a"), svc("b")];
        let err = VarSet::new()
            .declare(
                &[json!({"name": "B", "objref": {"kind": "Service", "name": "svc", "apiVersion": "v1"}})],
                &mut rs,
            )
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("merging vars [{B Service.[noVer].[noGrp] {}}]: found 2 resId matches for var {B Service.v1.[noGrp] {}} (unable to disambiguate)"),
            "{err}"
        );
        let mut set = VarSet::new();
        set.declare(
            &[json!({"name": "B", "objref": {"kind": "Service", "name": "svc", "apiVersion": "v1", "namespace": "b"}})],
            &mut rs,
        )
        .unwrap();
        assert!(rs[1].ref_vars().contains(&"B".to_string()));
    }
}
