//! kustomize's name-reference transformer: after names change (prefix, suffix) or namespaces
//! change, every field that refers to a resource by an earlier name gets its current name.
//! Semantics follow kustomize's `api/filters/nameref`; the field specs come from the
//! transformer configuration's `nameReference` ([`crate::config`]).

use std::collections::HashMap;

use serde_json::Value;

use super::fieldspec::{self, CreateKind, FieldSpec};
use crate::error::{Error, Result};
use crate::resource::{Gvk, PrevId, Resource};

/// One back reference: the kind of resource referred to and the field that refers to it.
#[derive(Debug, Clone)]
pub struct NameRef {
    /// The referral target (blank fields match anything).
    pub target: FieldSpec,
    /// The referring field.
    pub field: FieldSpec,
}

/// kustomize's builtin `nameReference` configuration.
#[cfg(test)]
pub fn builtin_specs() -> Vec<NameRef> {
    crate::config::TransformerConfig::defaults().name_refs()
}

/// What name resolution needs to know about a possible referral target.
#[derive(Debug, Clone)]
struct Candidate {
    gvk: Gvk,
    name: String,
    namespace: String,
    cluster_scoped: bool,
    previous: Vec<PrevId>,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

impl Candidate {
    fn of(r: &Resource) -> Self {
        Self {
            gvk: r.gvk(),
            name: r.name().to_string(),
            namespace: r.namespace().to_string(),
            cluster_scoped: !r.is_namespaced(),
            previous: r.previous_ids().to_vec(),
            prefixes: r.name_prefixes().to_vec(),
            suffixes: r.name_suffixes().to_vec(),
        }
    }

    /// Whether an earlier id's GVK (the current group/version with the earlier kind) is
    /// selected by `sel`.
    fn previously_selected_by(&self, sel: &FieldSpec) -> bool {
        self.previous.iter().any(|p| {
            sel.selects(&Gvk {
                kind: p.kind.clone(),
                ..self.gvk.clone()
            })
        })
    }

    /// The original namespace as kustomize groups it (`EffectiveNamespace` of the `OrgId`).
    fn original_namespace_key(&self) -> &str {
        let ns = self
            .previous
            .first()
            .map_or(&self.namespace, |p| &p.namespace);
        effective_namespace(self.cluster_scoped, ns)
    }

    /// The current namespace as kustomize groups it.
    fn current_namespace_key(&self) -> &str {
        effective_namespace(self.cluster_scoped, &self.namespace)
    }
}

/// `resid.EffectiveNamespace`.
fn effective_namespace(cluster_scoped: bool, ns: &str) -> &str {
    if cluster_scoped {
        "_non_namespaceable_"
    } else if ns.is_empty() {
        "default"
    } else {
        ns
    }
}

/// kustomize's `ResId.String()`: `Kind.version.group/name.namespace`.
fn id_string(gvk: &Gvk, name: &str, namespace: &str) -> String {
    let or = crate::resource::or_blank;
    format!(
        "{}.{}.{}/{name}.{}",
        gvk.kind,
        or(&gvk.version, "[noVer]"),
        or(&gvk.group, "[noGrp]"),
        or(namespace, "[noNs]")
    )
}

/// `resid.IsNsEquals`: `""` and `default` are the same namespace.
fn ns_equals(a: &str, b: &str) -> bool {
    let empty = |s: &str| s.is_empty() || s == "default";
    a == b || (empty(a) && empty(b))
}

/// kustomize's `utils.SameEndingSubSlice`: the shorter list ends the longer one, and an empty
/// list only equals an empty one.
fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    long[long.len() - short.len()..] == *short
}

/// What the filter knows about the referrer while one of its fields is rewritten.
struct Referrer {
    /// kustomize's id text of the referrer, for errors.
    id: String,
    namespace: String,
    cluster_scoped: bool,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
    /// `roleRef`'s group and kind, when the field is a `roleRef/name`.
    role_ref: Option<FieldSpec>,
    /// Which candidates the referrer may refer to at all.
    scope: Scope,
}

impl Referrer {
    /// kustomize's `selectReferral`: narrows the candidates down to one, or none; several
    /// that differ in name (and, for mappings, namespace) are an error.
    fn select<'c>(
        &self,
        old_name: &str,
        target: &FieldSpec,
        pool: &Pool<'c>,
        narrow: &dyn Fn(&Candidate) -> bool,
        with_namespace: bool,
    ) -> Result<Option<&'c Candidate>> {
        let mut c: Vec<&Candidate> = pool
            .previously_named(old_name)
            .filter(|c| self.scope.admits(c) && narrow(c))
            .filter(|c| c.previously_selected_by(target))
            .filter(|c| {
                self.role_ref
                    .as_ref()
                    .is_none_or(|rr| c.previously_selected_by(rr))
            })
            .filter(|c| {
                self.cluster_scoped
                    || c.cluster_scoped
                    || c.gvk.kind == "ServiceAccount"
                    || ns_equals(&self.namespace, &c.namespace)
            })
            .collect();
        if c.len() == 1 {
            return Ok(Some(c[0]));
        }
        // kustomize sieves twice: first a missing prefix (or suffix) on either side matches
        // anything, then, if several remain, the affixes must end the same way.
        let loose = |mine: &[String], theirs: &[String]| {
            mine.is_empty() || theirs.is_empty() || same_ending(mine, theirs)
        };
        c.retain(|c| loose(&c.prefixes, &self.prefixes) && loose(&c.suffixes, &self.suffixes));
        if c.len() == 1 {
            return Ok(Some(c[0]));
        }
        c.retain(|c| {
            same_ending(&c.prefixes, &self.prefixes) && same_ending(&c.suffixes, &self.suffixes)
        });
        let identical = |a: &Candidate, b: &Candidate| {
            a.name == b.name && (!with_namespace || a.namespace == b.namespace)
        };
        match c.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            [first, rest @ ..] if rest.iter().all(|r| identical(first, r)) => Ok(Some(first)),
            _ => {
                let ids: Vec<String> = c
                    .iter()
                    .map(|c| id_string(&c.gvk, &c.name, &c.namespace))
                    .collect();
                Err(Error::Unsupported(format!(
                    "found multiple possible referrals: {}",
                    ids.join(", ")
                )))
            }
        }
    }

    fn set_scalar(&self, node: &mut Value, target: &FieldSpec, pool: &Pool) -> Result<()> {
        let Some(old) = node.as_str() else {
            return Ok(());
        };
        if let Some(referral) = self.select(old, target, pool, &|_| true, false)? {
            *node = Value::String(referral.name.clone());
        }
        Ok(())
    }

    /// A mapping with `name` and perhaps `namespace` (RoleBinding subjects, webhook services).
    /// Like kustomize, a subject's `kind` is not consulted.
    fn set_mapping(&self, node: &mut Value, target: &FieldSpec, pool: &Pool) -> Result<()> {
        let Some(map) = node.as_object_mut() else {
            return Ok(());
        };
        let Some(old) = map.get("name").and_then(Value::as_str).map(str::to_string) else {
            return Err(Error::Unsupported(
                "path config error; no 'name' field in node".into(),
            ));
        };
        // A `namespace:` present but empty names no namespace at all; kustomize refuses it
        // rather than guess.
        if map
            .get("namespace")
            .is_some_and(|ns| ns.is_null() || ns.as_str() == Some(""))
        {
            return Err(Error::Unsupported(format!(
                "Invalid Input: namespace is blank for resource {:?}: give the namespace or remove the field",
                self.id
            )));
        }
        // kustomize narrows the referrer's candidates to the subject's namespace as it was
        // originally, or, when none was there originally, as it is now.
        let ns = map.get("namespace").and_then(Value::as_str);
        let by_original = ns.is_some_and(|ns| pool.originally_in(ns).any(|c| self.scope.admits(c)));
        let narrow = |c: &Candidate| match ns {
            None => true,
            Some(ns) if by_original => c.original_namespace_key() == ns,
            Some(ns) => c.current_namespace_key() == ns,
        };
        let Some(referral) = self.select(&old, target, pool, &narrow, true)? else {
            return Ok(());
        };
        map.insert("name".into(), Value::String(referral.name.clone()));
        if !referral.namespace.is_empty() {
            map.insert(
                "namespace".into(),
                Value::String(referral.namespace.clone()),
            );
        }
        Ok(())
    }

    fn set(&self, node: &mut Value, target: &FieldSpec, pool: &Pool) -> Result<()> {
        match node {
            Value::Null => Ok(()),
            Value::String(_) => self.set_scalar(node, target, pool),
            Value::Object(_) => self.set_mapping(node, target, pool),
            Value::Array(items) => {
                for item in items {
                    match item {
                        Value::Object(_) => self.set_mapping(item, target, pool)?,
                        _ => self.set_scalar(item, target, pool)?,
                    }
                }
                Ok(())
            }
            _ => Err(Error::Unsupported(
                "node must be a scalar, sequence or map".into(),
            )),
        }
    }
}

/// kustomize's `SubsetThatCouldBeReferencedByResource` as a test: same namespace,
/// cluster-scoped, or (for a RoleBinding) a namespace its ServiceAccount subjects name.
struct Scope {
    /// A cluster-scoped referrer may refer to anything.
    everything: bool,
    namespace: String,
    subject_namespaces: Vec<String>,
}

impl Scope {
    fn of(r: &Resource) -> Self {
        let mut subject_namespaces = Vec::new();
        if r.kind() == "RoleBinding"
            && let Some(Value::Array(subjects)) = r.value().get("subjects")
        {
            for s in subjects {
                if s.get("kind").and_then(Value::as_str) == Some("ServiceAccount")
                    && let Some(ns) = s.get("namespace").and_then(Value::as_str)
                {
                    subject_namespaces.push(ns.to_string());
                }
            }
        }
        Self {
            everything: !r.is_namespaced(),
            namespace: r.namespace().to_string(),
            subject_namespaces,
        }
    }

    fn admits(&self, c: &Candidate) -> bool {
        self.everything
            || c.cluster_scoped
            || ns_equals(&c.namespace, &self.namespace)
            || self.subject_namespaces.contains(&c.namespace)
    }
}

/// The candidates, indexed so a reference looks only at those it could name: a referral
/// must once have had the name the reference holds, so comparing every reference with every
/// resource (quadratic in the object count) is not needed. Lists keep resource order, which
/// decides the pick among identical referrals and the order of ids in errors.
struct Pool<'c> {
    all: &'c [Candidate],
    by_previous_name: HashMap<&'c str, Vec<usize>>,
    by_original_namespace: HashMap<&'c str, Vec<usize>>,
}

impl<'c> Pool<'c> {
    fn new(all: &'c [Candidate]) -> Self {
        let mut by_previous_name: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_original_namespace: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, c) in all.iter().enumerate() {
            for p in &c.previous {
                let list = by_previous_name.entry(p.name.as_str()).or_default();
                // A namespace change keeps the name, so one name can recur in the history.
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
            by_original_namespace
                .entry(c.original_namespace_key())
                .or_default()
                .push(i);
        }
        Self {
            all,
            by_previous_name,
            by_original_namespace,
        }
    }

    fn listed<'a>(&'a self, list: Option<&'a Vec<usize>>) -> impl Iterator<Item = &'c Candidate> {
        let all = self.all;
        list.into_iter().flatten().map(move |&i| &all[i])
    }

    /// The candidates with `name` among their earlier names, in resource order.
    fn previously_named(&self, name: &str) -> impl Iterator<Item = &'c Candidate> {
        self.listed(self.by_previous_name.get(name))
    }

    /// The candidates whose original namespace (as kustomize groups it) is `ns`.
    fn originally_in(&self, ns: &str) -> impl Iterator<Item = &'c Candidate> {
        self.listed(self.by_original_namespace.get(ns))
    }
}

/// `roleRef`'s group and kind as a selector (kustomize's `getRoleRefGvk`); `None` when either
/// is missing, which lets every candidate through.
fn role_ref_selector(r: &Resource) -> Option<FieldSpec> {
    let role_ref = r.value().get("roleRef")?;
    let group = role_ref.get("apiGroup")?.as_str().unwrap_or("");
    let kind = role_ref.get("kind")?.as_str().unwrap_or("");
    Some(FieldSpec {
        group: group.to_string(),
        version: String::new(),
        kind: kind.to_string(),
        path: String::new(),
        create: false,
    })
}

/// Rewrites every reference to an earlier name of a resource in `resources` to its current
/// name, using `specs` (normally [`builtin_specs`]). kustomize runs this once, after the
/// whole tree is accumulated (`FixBackReferences`).
pub fn apply(resources: &mut [Resource], specs: &[NameRef]) -> Result<()> {
    let all: Vec<Candidate> = resources.iter().map(Candidate::of).collect();
    let pool = Pool::new(&all);
    for r in resources.iter_mut() {
        let gvk = r.gvk();
        let applicable: Vec<&NameRef> = specs.iter().filter(|s| s.field.selects(&gvk)).collect();
        if applicable.is_empty() {
            continue;
        }
        let id = id_string(&gvk, r.name(), r.namespace());
        for spec in applicable {
            let referrer = Referrer {
                id: id.clone(),
                namespace: r.namespace().to_string(),
                cluster_scoped: !r.is_namespaced(),
                prefixes: r.name_prefixes().to_vec(),
                suffixes: r.name_suffixes().to_vec(),
                role_ref: if spec.field.path.ends_with("roleRef/name") {
                    role_ref_selector(r)
                } else {
                    None
                },
                scope: Scope::of(r),
            };
            fieldspec::apply(r, &spec.field, CreateKind::Nothing, &mut |node| {
                referrer.set(node, &spec.target, &pool)
            })
            .map_err(|e| {
                Error::Unsupported(format!(
                    "updating name reference in '{}' field of '{id}': {e}",
                    spec.field.path
                ))
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transform;
    use serde_json::json;

    fn res(v: Value) -> Resource {
        Resource::from_value(v).unwrap()
    }

    fn fix(rs: &mut [Resource]) -> Result<()> {
        apply(rs, &builtin_specs())
    }

    #[test]
    fn config_map_and_service_account_refs_follow_prefix() {
        let mut rs = vec![
            res(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}})),
            res(json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa"}})),
            res(
                json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                "spec": {"template": {"spec": {
                    "serviceAccountName": "sa",
                    "volumes": [{"name": "v", "configMap": {"name": "cm"}},
                                {"name": "w", "configMap": {"name": "other"}}],
                    "containers": [{"name": "c", "envFrom": [{"configMapRef": {"name": "cm"}}]}]
                }}}}),
            ),
        ];
        transform::prefix_suffix(&mut rs, "p-", "-s");
        fix(&mut rs).unwrap();
        let spec = &rs[2].value()["spec"]["template"]["spec"];
        assert_eq!(spec["serviceAccountName"], "p-sa-s");
        assert_eq!(spec["volumes"][0]["configMap"]["name"], "p-cm-s");
        assert_eq!(spec["volumes"][1]["configMap"]["name"], "other");
        assert_eq!(
            spec["containers"][0]["envFrom"][0]["configMapRef"]["name"],
            "p-cm-s"
        );
        assert_eq!(rs[0].previous_ids().len(), 2);
        assert!(rs[0].had_name("cm") && rs[0].had_name("p-cm"));
    }

    #[test]
    fn role_ref_respects_kind_and_subjects_get_namespace() {
        let mut rs = vec![
            res(
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                "metadata": {"name": "r"}}),
            ),
            res(
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": {"name": "r"}}),
            ),
            res(json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa"}})),
            res(
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": {"name": "rb"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"},
                "subjects": [{"kind": "ServiceAccount", "name": "sa"}]}),
            ),
        ];
        transform::namespace(
            &mut rs,
            "ns",
            &[],
            false,
            transform::BindingSubjects::default(),
        )
        .unwrap();
        // Only the namespaced ones get the prefix here, to tell Role from ClusterRole.
        transform::prefix_suffix(&mut rs[..1], "a-", "");
        transform::prefix_suffix(&mut rs[2..], "a-", "");
        fix(&mut rs).unwrap();
        let rb = rs[3].value();
        assert_eq!(rb["roleRef"]["name"], "a-r");
        assert_eq!(rb["subjects"][0]["name"], "a-sa");
        assert_eq!(rb["subjects"][0]["namespace"], "ns");
    }

    #[test]
    fn other_namespaces_are_not_referrals() {
        let mut rs = vec![
            res(json!({"apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "s", "namespace": "a"}})),
            res(json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "p", "namespace": "b"},
                "spec": {"imagePullSecrets": [{"name": "s"}]}})),
        ];
        transform::prefix_suffix(&mut rs[..1], "x-", "");
        fix(&mut rs).unwrap();
        assert_eq!(rs[1].value()["spec"]["imagePullSecrets"][0]["name"], "s");
    }

    #[test]
    fn ambiguous_referrals_are_an_error() {
        let sa = |ns: &str| {
            res(json!({"apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": "sa", "namespace": ns}}))
        };
        let mut rs = vec![
            sa("a"),
            sa("b"),
            res(json!({"apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRoleBinding", "metadata": {"name": "crb"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                    "name": "r"},
                "subjects": [{"kind": "ServiceAccount", "name": "sa"}]})),
        ];
        // Same name in two namespaces: a subject without a namespace cannot choose.
        transform::prefix_suffix(&mut rs, "x-", "");
        let err = fix(&mut rs).unwrap_err().to_string();
        assert!(err.contains("found multiple possible referrals"), "{err}");
        assert!(err.contains("ServiceAccount.v1.[noGrp]/x-sa.a"), "{err}");
    }

    #[test]
    fn escaped_slash_in_annotation_path() {
        let mut rs = vec![
            res(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "auth"}})),
            res(
                json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                "metadata": {"name": "i", "annotations":
                    {"nginx.ingress.kubernetes.io/auth-secret": "auth"}}}),
            ),
        ];
        transform::prefix_suffix(&mut rs[..1], "", "-1");
        fix(&mut rs).unwrap();
        assert_eq!(
            rs[1].value()["metadata"]["annotations"]["nginx.ingress.kubernetes.io/auth-secret"],
            "auth-1"
        );
    }

    #[test]
    fn same_ending_matches_kustomize() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(same_ending(&v(&[]), &v(&[])));
        assert!(!same_ending(&v(&[]), &v(&["a"])));
        assert!(same_ending(&v(&["a"]), &v(&["p", "a"])));
        assert!(!same_ending(&v(&["p"]), &v(&["p", "a"])));
    }
}
