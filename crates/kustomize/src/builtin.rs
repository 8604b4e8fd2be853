//! kustomize's builtin plugins named in `generators:`, `transformers:` and `validators:`
//! (`apiVersion: builtin`). They run in-process like the kustomization fields they mirror.
//! Everything else — exec and Go plugins, KRM functions, helm — is refused: this engine never
//! runs code from the tree it builds (SECURITY 8).

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::error::{Error, Result};
use crate::generate;
use crate::origin::{self, Origin};
use crate::patch;
use crate::resource::Resource;
use crate::transform::{self, Affix, fieldspec::FieldSpec};

/// Reads a file relative to the kustomization that lists the plugin.
pub type Loader<'a> = dyn Fn(&str) -> Result<Vec<u8>> + 'a;

/// What a transformer plugin may use of the kustomization that lists it.
pub struct Context<'a> {
    /// Reads files relative to the kustomization.
    pub load: &'a Loader<'a>,
    /// The schema strategic merge patches use.
    pub openapi: &'a patch::OpenApi,
    /// The kustomization's directory name (ValueAddTransformer's default value).
    pub dir_name: &'a str,
}

fn invalid(message: String) -> Error {
    Error::InvalidKustomization(message)
}

/// kustomize's id text for a plugin config: `Kind.version.group` with blanks marked.
fn gvk_text(config: &Resource) -> String {
    let gvk = config.gvk();
    crate::resource::gvk_string(&gvk.group, &gvk.version, &gvk.kind)
}

/// Refuses anything that is not a builtin plugin kustomize can load.
fn check_builtin(config: &Resource, kinds: &[&str]) -> Result<()> {
    let gvk = config.gvk();
    if !(gvk.group.is_empty() && gvk.version == "builtin") {
        return Err(Error::Unsupported(format!(
            "external plugins disabled; unable to load external plugin '{}': only kustomize's builtin plugins (apiVersion: builtin) are run, never exec or Go plugins or KRM functions",
            gvk.kind
        )));
    }
    if gvk.kind == "HelmChartInflationGenerator" {
        return Err(Error::Unsupported(
            "builtin HelmChartInflationGenerator refused: helm charts are not run; render the chart and list its output under 'resources'".into(),
        ));
    }
    let (role, other) = if std::ptr::eq(kinds, GENERATORS) {
        ("generator", "transformers")
    } else {
        ("transformer", "generators")
    };
    if (GENERATORS.contains(&gvk.kind.as_str()) || TRANSFORMERS.contains(&gvk.kind.as_str()))
        && !kinds.contains(&gvk.kind.as_str())
    {
        return Err(Error::InvalidKustomization(format!(
            "plugin {} not a {role}: list it under '{other}'",
            gvk_text(config)
        )));
    }
    if !kinds.contains(&gvk.kind.as_str()) {
        return Err(Error::Unsupported(format!(
            "unable to load builtin {}",
            gvk_text(config)
        )));
    }
    Ok(())
}

const GENERATORS: &[&str] = &[
    "ConfigMapGenerator",
    "SecretGenerator",
    "IAMPolicyGenerator",
];

const TRANSFORMERS: &[&str] = &[
    "AnnotationsTransformer",
    "HashTransformer",
    "ImageTagTransformer",
    "LabelTransformer",
    "NamespaceTransformer",
    "PatchJson6902Transformer",
    "PatchStrategicMergeTransformer",
    "PatchTransformer",
    "PrefixSuffixTransformer",
    "PrefixTransformer",
    "SuffixTransformer",
    "ReplicaCountTransformer",
    "ReplacementTransformer",
    "ValueAddTransformer",
];

/// Runs one generator config, merging what it makes into `resources`.
pub fn generate(resources: &mut Vec<Resource>, config: &Resource, load: &Loader) -> Result<()> {
    check_builtin(config, GENERATORS)?;
    let origin = Origin::of_plugin(config);
    let origin_fn = |_: &str| origin.clone().unwrap_or_default();
    let with_origin: Option<&dyn Fn(&str) -> Origin> = match origin {
        Some(_) => Some(&origin_fn),
        None => None,
    };
    let v = config.value();
    match config.kind() {
        kind @ ("ConfigMapGenerator" | "SecretGenerator") => {
            // The generated object is named after the config object unless `name` is given.
            let mut args = v.clone();
            if let Some(m) = args.as_object_mut() {
                for key in ["name", "namespace"] {
                    let empty = m.get(key).and_then(Value::as_str).is_none_or(str::is_empty);
                    let meta = v.pointer(&format!("/metadata/{key}")).cloned();
                    if empty && let Some(meta) = meta {
                        m.insert(key.into(), meta);
                    }
                }
                for key in ["apiVersion", "kind", "metadata"] {
                    m.remove(key);
                }
            }
            let args = [args];
            let (cms, secrets): (&[Value], &[Value]) = if kind == "SecretGenerator" {
                (&[], &args)
            } else {
                (&args, &[])
            };
            generate::run(resources, cms, secrets, None, load, with_origin)
        }
        _ => {
            let mut made = vec![iam_policy(v)?];
            if let Some(o) = with_origin {
                origin::set_missing(&mut made, &o(""));
            }
            for r in made {
                if resources.iter().any(|x| x.id_string() == r.id_string()) {
                    return Err(Error::Conflict(r.id_string()));
                }
                resources.push(r);
            }
            Ok(())
        }
    }
}

/// kustomize's IAMPolicyGenerator: a ServiceAccount bound to a GKE service account.
fn iam_policy(v: &Value) -> Result<Resource> {
    let s = |p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let cloud = s("/cloud");
    if cloud != "gke" {
        return Err(invalid(format!(
            "IAMPolicyGenerator: cloud provider {cloud:?} is not supported; only 'gke' is"
        )));
    }
    let (name, namespace) = (
        s("/kubernetesService/name"),
        s("/kubernetesService/namespace"),
    );
    if name.is_empty() {
        return Err(invalid(
            "IAMPolicyGenerator: 'kubernetesService.name' must be set".into(),
        ));
    }
    let account = format!(
        "{}@{}.iam.gserviceaccount.com",
        s("/serviceAccount/name"),
        s("/serviceAccount/projectId")
    );
    let mut meta = json!({
        "name": name,
        "annotations": {"iam.gke.io/gcp-service-account": account},
    });
    if !namespace.is_empty() {
        meta["namespace"] = Value::String(namespace);
    }
    Resource::from_value(json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta}))
        .ok_or_else(|| invalid("IAMPolicyGenerator: could not make a ServiceAccount".into()))
}

fn field_specs(v: &Value, required: bool, kind: &str) -> Result<Vec<FieldSpec>> {
    match v.get("fieldSpecs") {
        Some(Value::Array(a)) => Ok(a.iter().map(FieldSpec::from_value).collect()),
        None | Some(Value::Null) if required => Err(invalid(format!(
            "builtin {kind}: fieldSpecs is not expected to be nil; list the fields to change"
        ))),
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(_) => Err(invalid(format!(
            "builtin {kind}: 'fieldSpecs' must be a list"
        ))),
    }
}

fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Runs one transformer config over `resources`.
pub fn transform(resources: &mut Vec<Resource>, config: &Resource, cx: &Context) -> Result<()> {
    check_builtin(config, TRANSFORMERS)?;
    let (load, openapi) = (cx.load, cx.openapi);
    let v = config.value();
    let kind = config.kind().to_string();
    let id = format!(
        "{}/{}.{}",
        gvk_text(config),
        config.name(),
        if config.namespace().is_empty() {
            "[noNs]"
        } else {
            config.namespace()
        }
    );
    let wrap = |e: Error| match e {
        Error::Unsupported(m) | Error::InvalidKustomization(m) => Error::Unsupported(format!(
            "plugin {id} fails configuration or transformation: {m}"
        )),
        other => other,
    };
    let mut run = || -> Result<()> {
        match kind.as_str() {
            "PrefixSuffixTransformer" => {
                let specs = field_specs(v, false, &kind)?;
                transform::affix(resources, Affix::Prefix(str_at(v, "prefix")), &specs).and_then(
                    |()| transform::affix(resources, Affix::Suffix(str_at(v, "suffix")), &specs),
                )
            }
            "PrefixTransformer" => {
                let specs = field_specs(v, true, &kind)?;
                transform::affix(resources, Affix::Prefix(str_at(v, "prefix")), &specs)
            }
            "SuffixTransformer" => {
                let specs = field_specs(v, true, &kind)?;
                transform::affix(resources, Affix::Suffix(str_at(v, "suffix")), &specs)
            }
            "LabelTransformer" => transform::labels::apply(
                resources,
                &transform::labels::string_map(v.get("labels")),
                &field_specs(v, false, &kind)?,
            ),
            "AnnotationsTransformer" => transform::annotations(
                resources,
                &transform::labels::string_map(v.get("annotations")),
                &field_specs(v, false, &kind)?,
            ),
            "NamespaceTransformer" => {
                let skip = v.get("skipExisting").and_then(Value::as_bool) == Some(true)
                    || v.get("unsetOnly").and_then(Value::as_bool) == Some(true);
                let ns = v
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let subjects = match str_at(v, "setRoleBindingSubjects") {
                    "" | "defaultOnly" => transform::BindingSubjects::DefaultOnly,
                    "allServiceAccounts" => transform::BindingSubjects::AllServiceAccounts,
                    "none" => transform::BindingSubjects::None,
                    other => {
                        return Err(invalid(format!(
                            "setRoleBindingSubjects {other:?} is unknown: use defaultOnly, allServiceAccounts or none"
                        )));
                    }
                };
                let specs = field_specs(v, false, &kind)?;
                transform::namespace(resources, ns, &specs, skip, subjects)
            }
            "ImageTagTransformer" => {
                let image =
                    transform::images::Image::from_value(v.get("imageTag").unwrap_or(&Value::Null));
                transform::images::apply(resources, &image, &field_specs(v, false, &kind)?)
            }
            "ReplicaCountTransformer" => {
                let replica = v.get("replica").cloned().unwrap_or(Value::Null);
                transform::replicas::apply(resources, &replica, &field_specs(v, false, &kind)?)
            }
            "PatchTransformer" => {
                let mut entry = Map::new();
                for key in ["path", "patch", "target", "options"] {
                    if let Some(x) = v.get(key) {
                        entry.insert(key.into(), x.clone());
                    }
                }
                patch::apply_patches(resources, &[Value::Object(entry)], load, openapi)
            }
            "PatchJson6902Transformer" => {
                let mut entry = Map::new();
                for (from, to) in [("target", "target"), ("path", "path"), ("jsonOp", "patch")] {
                    if let Some(x) = v.get(from) {
                        entry.insert(to.into(), x.clone());
                    }
                }
                patch::apply_json6902(resources, &[Value::Object(entry)], load)
            }
            "PatchStrategicMergeTransformer" => {
                let mut entries: Vec<Value> = v
                    .get("paths")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                if let Some(p) = v.get("patches").filter(|p| !p.is_null()) {
                    entries.push(p.clone());
                }
                if entries.is_empty() {
                    return Err(invalid("empty file path and empty patch content".into()));
                }
                patch::apply_strategic_merge(resources, &entries, load, openapi)
            }
            "HashTransformer" => generate::apply_hashes_keeping_marks(resources),
            "ReplacementTransformer" => {
                let list = match v.get("replacements") {
                    Some(Value::Array(a)) => a.clone(),
                    None | Some(Value::Null) => Vec::new(),
                    Some(_) => {
                        return Err(invalid(
                            "'replacements' must be a list of replacements".into(),
                        ));
                    }
                };
                crate::replacements::run_lenient(resources, &list, load)
            }
            "ValueAddTransformer" => value_add(resources, v, cx),
            _ => unreachable!("checked by check_builtin"),
        }
    };
    run().map_err(wrap)
}

/// kustomize's ValueAddTransformer: puts `value` (default: the kustomization's directory name)
/// at each target's `fieldPath` in the resources its `selector` picks (all without one).
/// `metadata/namespace` is set as the namespace transformer does; with `filePathPosition`, the
/// value is spliced into the slash-separated path already there.
fn value_add(resources: &mut [Resource], v: &Value, cx: &Context) -> Result<()> {
    let value = match str_at(v, "value").trim() {
        "" => cx.dir_name.to_string(),
        s => s.to_string(),
    };
    let mut targets = v
        .get("targets")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let file = str_at(v, "targetFilePath");
    if !file.is_empty() {
        let doc = crate::yaml::parse_one(&(cx.load)(file)?, Path::new(file))?;
        if let Some(more) = doc.get("targets").and_then(Value::as_array) {
            targets.extend(more.iter().cloned());
        }
    }
    if targets.is_empty() {
        return Err(invalid(
            "ValueAddTransformer: must specify at least one target".into(),
        ));
    }
    for t in &targets {
        let selector = match t.get("selector").filter(|s| !s.is_null()) {
            Some(s) => Some(patch::target::Target::from_value(s).map_err(invalid)?),
            None => None,
        };
        let field = str_at(t, "fieldPath");
        if field.is_empty() {
            return Err(invalid(
                "ValueAddTransformer: fieldPath cannot be empty".into(),
            ));
        }
        let position = t
            .get("filePathPosition")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if position < 0 {
            return Err(invalid(format!(
                "ValueAddTransformer: value of FilePathPosition ({position}) cannot be negative"
            )));
        }
        let spec = FieldSpec {
            group: String::new(),
            version: String::new(),
            kind: String::new(),
            path: field.to_string(),
            create: true,
        };
        for r in resources.iter_mut() {
            if selector.as_ref().is_some_and(|s| !s.matches(r)) {
                continue;
            }
            if field == "metadata/namespace" {
                let subjects = transform::BindingSubjects::default();
                transform::namespace(std::slice::from_mut(r), &value, &[], false, subjects)?;
                continue;
            }
            let create = transform::fieldspec::CreateKind::Scalar;
            transform::fieldspec::apply(r, &spec, create, &mut |node| {
                let old = match &*node {
                    Value::Object(_) | Value::Array(_) => {
                        return Err(invalid(format!(
                            "ValueAddTransformer: {field} holds a mapping or a list, not a scalar"
                        )));
                    }
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                *node = Value::String(splice(&old, &value, position as usize));
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// Inserts `value` as the `position`-th segment of a slash-separated path, keeping a leading
/// slash (`0`: replaces the whole value).
fn splice(old: &str, value: &str, position: usize) -> String {
    if position == 0 {
        return value.to_string();
    }
    let mut parts: Vec<&str> = old.split('/').filter(|p| !p.is_empty()).collect();
    let at = (position - 1).min(parts.len());
    parts.insert(at, value);
    let joined = parts.join("/");
    if old.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Runs one validator config: a builtin transformer that must leave the resources unchanged.
pub fn validate(resources: &[Resource], config: &Resource, cx: &Context) -> Result<()> {
    let mut copy = resources.to_vec();
    transform(&mut copy, config, cx)?;
    if copy != resources {
        return Err(Error::Unsupported(format!(
            "validator shouldn't modify the resource map: {} changed resources",
            gvk_text(config)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(v: Value) -> Resource {
        Resource::from_value(v).unwrap()
    }

    fn no_files(p: &str) -> Result<Vec<u8>> {
        Err(Error::NotFound(p.into()))
    }

    fn cx(openapi: &patch::OpenApi) -> Context<'_> {
        Context {
            load: &no_files,
            openapi,
            dir_name: "app",
        }
    }

    #[test]
    fn refuses_external_and_unknown_builtins() {
        let mut rs = Vec::new();
        let ext = res(json!({"apiVersion": "example.com/v1", "kind": "Exec"}));
        let e = transform(&mut rs, &ext, &cx(&patch::OpenApi::default()))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("external plugins disabled; unable to load external plugin"),
            "{e}"
        );
        let sort = res(json!({"apiVersion": "builtin", "kind": "SortOrderTransformer"}));
        let e = transform(&mut rs, &sort, &cx(&patch::OpenApi::default()))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unable to load builtin SortOrderTransformer.builtin.[noGrp]"),
            "{e}"
        );
        let helm = res(json!({"apiVersion": "builtin", "kind": "HelmChartInflationGenerator"}));
        assert!(generate(&mut rs, &helm, &no_files).is_err());
    }

    #[test]
    fn iam_policy_generator() {
        let mut rs = Vec::new();
        let cfg = res(
            json!({"apiVersion": "builtin", "kind": "IAMPolicyGenerator",
            "metadata": {"name": "g"}, "cloud": "gke",
            "kubernetesService": {"name": "k", "namespace": "n"},
            "serviceAccount": {"name": "a", "projectId": "p"}}),
        );
        generate(&mut rs, &cfg, &no_files).unwrap();
        assert_eq!(
            rs[0].value()["metadata"]["annotations"]["iam.gke.io/gcp-service-account"],
            "a@p.iam.gserviceaccount.com"
        );
        assert_eq!(rs[0].namespace(), "n");
    }

    #[test]
    fn value_add_splices_paths() {
        assert_eq!(splice("/a/b", "x", 2), "/a/x/b");
        assert_eq!(splice("a", "x", 0), "x");
        let mut rs = vec![res(json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c"}}))];
        value_add(
            &mut rs,
            &json!({"value": "ns", "targets": [{"fieldPath": "metadata/namespace"}]}),
            &cx(&patch::OpenApi::default()),
        )
        .unwrap();
        assert_eq!(rs[0].namespace(), "ns");
        let add = json!({"targets": [{"fieldPath": "spec/path", "filePathPosition": 1}]});
        value_add(&mut rs, &add, &cx(&patch::OpenApi::default())).unwrap();
        assert_eq!(rs[0].value()["spec"]["path"], "app");
    }

    #[test]
    fn replacement_transformer_copies_values() {
        let mut rs = vec![
            res(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "src"},
                "data": {"k": "v"}}),
            ),
            res(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dst"},
                "data": {"k": "old"}}),
            ),
        ];
        let cfg = res(
            json!({"apiVersion": "builtin", "kind": "ReplacementTransformer",
            "metadata": {"name": "r"},
            "replacements": [{"source": {"kind": "ConfigMap", "name": "src", "fieldPath": "data.k"},
                "targets": [{"select": {"name": "dst"}, "fieldPaths": ["data.k"]}]}]}),
        );
        transform(&mut rs, &cfg, &cx(&patch::OpenApi::default())).unwrap();
        assert_eq!(rs[1].value()["data"]["k"], "v");
    }

    #[test]
    fn validators_must_not_change_anything() {
        let rs = vec![res(json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c"}}))];
        let labeler = res(json!({"apiVersion": "builtin", "kind": "LabelTransformer",
            "labels": {"a": "b"}, "fieldSpecs": [{"path": "metadata/labels", "create": true}]}));
        assert!(validate(&rs, &labeler, &cx(&patch::OpenApi::default())).is_err());
    }
}
