//! From an extracted artifact to the objects to apply, as kustomize-controller does it:
//! generate a `kustomization.yaml` when the path has none, write the Kustomization's own
//! overlay fields into it (fluxcd/pkg `kustomize.Generator`), build it confined to the
//! artifact root, then substitute `postBuild` variables (fluxcd/pkg `SubstituteVariables`).
//!
//! Everything here is blocking file-system work over a directory the caller owns; no cluster.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::api::kustomize::KustomizationSpec;

/// The kustomization file names kustomize recognises, in its order of preference.
const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Resolves `spec.path` inside the artifact root: `..`, absolute paths and symlinks leaving the
/// root are refused (SECURITY 1). Returns the canonical directory.
pub fn resolve_path(root: &kustomize::Root, path: Option<&str>) -> Result<PathBuf, String> {
    let path = path.unwrap_or("").trim();
    let path = if path.is_empty() { "." } else { path };
    // Flux documents `./deploy` and `deploy`; a leading `/` means the artifact root there too.
    let relative = path.trim_start_matches('/');
    let relative = if relative.is_empty() { "." } else { relative };
    let dir = root
        .resolve(root.path(), relative)
        .map_err(|e| format!("kustomization path not found: spec.path '{path}': {e}"))?;
    if !dir.is_dir() {
        return Err(format!(
            "kustomization path not found: spec.path '{path}' is not a directory"
        ));
    }
    Ok(dir)
}

/// The root to build `dir` from: its kustomization file generated when missing, and in
/// either case carrying `targetNamespace`, `namePrefix`, `nameSuffix`, `patches`, `images` and
/// `components` from the Kustomization, as Flux's generator writes it. The file is held in
/// memory (see [`kustomize::Root::with_kustomization`]): the tree on disk is never written,
/// so one extraction serves every Kustomization of an artifact, and a user's directory is
/// left as it was.
pub fn generate(
    root: &kustomize::Root,
    dir: &Path,
    spec: &KustomizationSpec,
) -> Result<kustomize::Root, String> {
    let existing = FILE_NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file());
    let existing_file = existing.is_some();
    let (file, mut doc) = match existing {
        Some(file) => {
            let bytes = root.read(&file).map_err(|e| e.to_string())?;
            let doc = kustomize::yaml::parse_kustomization(&bytes, &root.display(&file))
                .map_err(|e| e.to_string())?;
            let doc = match doc {
                Value::Null => Value::Object(Map::new()),
                Value::Object(_) => doc,
                _ => {
                    return Err(format!(
                        "{}: a kustomization must be a YAML mapping",
                        root.display(&file).display()
                    ));
                }
            };
            (file, doc)
        }
        None => (
            dir.join(FILE_NAMES[0]),
            json!({ "resources": scan(root, dir)? }),
        ),
    };
    let map = doc.as_object_mut().expect("checked above");
    let before = map.clone();
    overlay(map, spec, dir);
    // A file the Kustomization adds nothing to is built as the author wrote it.
    if existing_file && *map == before {
        return Ok(root.clone());
    }
    map.entry("apiVersion")
        .or_insert_with(|| json!(kustomize::kustomization::KUSTOMIZATION_VERSION));
    map.entry("kind").or_insert_with(|| json!("Kustomization"));
    root.clone()
        .with_kustomization(file, kustomize::yaml::to_string(&doc).into_bytes())
        .map_err(|e| e.to_string())
}

/// The Kustomization's fields that Flux writes into the kustomization file.
fn overlay(map: &mut Map<String, Value>, spec: &KustomizationSpec, dir: &Path) {
    if let Some(ns) = &spec.target_namespace {
        map.insert("namespace".into(), json!(ns));
    }
    if let Some(prefix) = &spec.name_prefix {
        map.insert("namePrefix".into(), json!(prefix));
    }
    if let Some(suffix) = &spec.name_suffix {
        map.insert("nameSuffix".into(), json!(suffix));
    }
    if let Some(patches) = spec.patches.as_ref().filter(|p| !p.is_empty()) {
        let list = list_field(map, "patches");
        for patch in patches {
            let mut entry = json!({ "patch": patch.patch });
            if let Some(target) = &patch.target {
                entry["target"] = serde_json::to_value(target).unwrap_or_default();
            }
            list.push(entry);
        }
    }
    if let Some(images) = spec.images.as_ref().filter(|i| !i.is_empty()) {
        let list = list_field(map, "images");
        for image in images {
            let value = serde_json::to_value(image).unwrap_or_default();
            // Flux replaces the file's entry for the same image rather than adding a second.
            match list.iter_mut().find(|i| i["name"] == json!(image.name)) {
                Some(existing) => *existing = value,
                None => list.push(value),
            }
        }
    }
    if let Some(components) = spec.components.as_ref().filter(|c| !c.is_empty()) {
        let ignore_missing = spec.ignore_missing_components == Some(true);
        let list = list_field(map, "components");
        for component in components {
            if ignore_missing && !dir.join(component).exists() {
                continue;
            }
            list.push(json!(component));
        }
    }
}

fn list_field<'a>(map: &'a mut Map<String, Value>, key: &str) -> &'a mut Vec<Value> {
    let slot = map.entry(key).or_insert_with(|| json!([]));
    if !slot.is_array() {
        *slot = json!([]);
    }
    slot.as_array_mut().expect("just made an array")
}

/// The resources of a generated kustomization, as Flux's generator finds them: every
/// `.yaml`/`.yml` file below `dir` (each must parse as Kubernetes YAML), and every
/// subdirectory holding a kustomization file instead of its contents. Lexical order, as Go's
/// `filepath.Walk`; paths relative to `dir` and starting with `./`.
fn scan(root: &kustomize::Root, dir: &Path) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    walk(root, dir, dir, &mut found)?;
    Ok(found)
}

fn walk(
    root: &kustomize::Root,
    base: &Path,
    dir: &Path,
    found: &mut Vec<String>,
) -> Result<(), String> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", root.display(dir).display()))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        // Extraction refuses links, so anything that is not a plain file or directory is
        // left alone rather than followed.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let relative = || {
            format!(
                "./{}",
                path.strip_prefix(base).unwrap_or(&path).to_string_lossy()
            )
        };
        if kind.is_dir() {
            if FILE_NAMES.iter().any(|n| path.join(n).is_file()) {
                found.push(relative());
            } else {
                walk(root, base, &path, found)?;
            }
        } else if kind.is_file() {
            let ext = path.extension().and_then(|e| e.to_str());
            if !matches!(ext, Some("yaml" | "yml")) {
                continue;
            }
            let shown = root.display(&path);
            let bytes = root.read(&path).map_err(|e| e.to_string())?;
            kustomize::yaml::parse_all(&bytes, &shown).map_err(|e| {
                format!(
                    "failed to decode Kubernetes YAML from {}: {e}",
                    shown.display()
                )
            })?;
            found.push(relative());
        }
    }
    Ok(())
}

/// Builds the kustomization in `dir`. Files may come from anywhere inside the artifact root
/// (Flux builds with `LoadRestrictionsNone` over a file system confined to the root), never
/// from outside it; remote bases, plugins and exec functions are refused by the engine.
pub fn build(root: &kustomize::Root, dir: &Path) -> Result<Vec<Value>, String> {
    let relative = dir.strip_prefix(root.path()).unwrap_or(Path::new("."));
    let relative = if relative.as_os_str().is_empty() {
        Path::new(".")
    } else {
        relative
    };
    let options = kustomize::BuildOptions {
        load_restrictor: kustomize::LoadRestrictor::None,
        ..Default::default()
    };
    let resources = kustomize::build_at(root, relative, &options)
        .map_err(|e| format!("kustomize build failed: {e}"))?;
    resources
        .into_iter()
        .map(|r| {
            let value = r.into_value();
            let named = |field: &str| {
                value
                    .get(field)
                    .and_then(Value::as_str)
                    .is_some_and(|s| !s.is_empty())
            };
            let has_name = value
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty());
            if named("apiVersion") && named("kind") && has_name {
                Ok(value)
            } else {
                Err(format!(
                    "failed to decode Kubernetes apiVersion, kind and name from: {}",
                    kustomize::yaml::to_string(&value).trim_end()
                ))
            }
        })
        .collect()
}

/// The digest of a build's objects as `status.history` names them (`sha256:<hex>` of the
/// multi-document YAML, as Flux digests its build output).
pub fn digest(objects: &[Value]) -> String {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    for (i, object) in objects.iter().enumerate() {
        if i > 0 {
            hasher.update(b"---\n");
        }
        hasher.update(kustomize::yaml::to_string(object).as_bytes());
    }
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// Substitutes `vars` into every object, as kustomize-controller runs `postBuild`.
pub fn substitute(
    objects: Vec<Value>,
    vars: &BTreeMap<String, String>,
    always: bool,
) -> Result<Vec<Value>, String> {
    let options = envsubst::Options {
        strict: false,
        always,
    };
    objects
        .into_iter()
        .map(
            |object| match envsubst::substitute_object(&object, vars, options) {
                Ok(Some(done)) => Ok(done),
                Ok(None) => Ok(object),
                Err(e) => Err(format!(
                    "post build failed for '{}': {e}",
                    describe(&object)
                )),
            },
        )
        .collect()
}

/// `Kind/namespace/name` (or `Kind/name`) of a manifest, for messages.
pub fn describe(object: &Value) -> String {
    let kind = object["kind"].as_str().unwrap_or("<no kind>");
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("<no name>");
    match object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
    {
        Some(ns) if !ns.is_empty() => format!("{kind}/{ns}/{name}"),
        _ => format!("{kind}/{name}"),
    }
}

/// Adds `spec.commonMetadata` to every object, overriding what the manifests set, as Flux's
/// `SetCommonMetadata` does.
pub fn set_common_metadata(
    objects: &mut [Value],
    labels: Option<&BTreeMap<String, String>>,
    annotations: Option<&BTreeMap<String, String>>,
) {
    for object in objects {
        for (field, values) in [("labels", labels), ("annotations", annotations)] {
            let Some(values) = values.filter(|v| !v.is_empty()) else {
                continue;
            };
            let Some(metadata) = object
                .as_object_mut()
                .map(|o| o.entry("metadata").or_insert_with(|| json!({})))
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            let slot = metadata.entry(field).or_insert_with(|| json!({}));
            if !slot.is_object() {
                *slot = json!({});
            }
            let map = slot.as_object_mut().expect("just made an object");
            for (k, v) in values {
                map.insert(k.clone(), json!(v));
            }
        }
    }
}

/// A Secret still carrying SOPS metadata: Flux refuses to apply it without decryption.
pub fn is_sops_encrypted_secret(object: &Value) -> bool {
    object["kind"] == "Secret" && object["apiVersion"] == "v1" && object.get("sops").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> KustomizationSpec {
        KustomizationSpec::default()
    }

    fn write(dir: &Path, name: &str, text: &str) {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    const CM: &str =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  env: ${env:=dev}\n";

    #[test]
    fn generates_a_kustomization_from_the_yaml_files_and_nested_kustomizations() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "app/b.yaml", CM);
        write(
            tmp.path(),
            "app/a.yml",
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n",
        );
        write(tmp.path(), "app/readme.md", "not yaml");
        write(
            tmp.path(),
            "app/nested/kustomization.yaml",
            "resources: [svc.yaml]\n",
        );
        write(
            tmp.path(),
            "app/nested/svc.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n",
        );
        let root = kustomize::Root::new(tmp.path()).unwrap();
        let dir = resolve_path(&root, Some("./app")).unwrap();
        let generated = generate(&root, &dir, &spec()).unwrap();
        let file = dir.join("kustomization.yaml");
        assert!(!file.exists(), "nothing is written to disk");
        let text = String::from_utf8(generated.read(&file).unwrap()).unwrap();
        assert!(
            text.contains("- ./a.yml\n- ./b.yaml\n- ./nested\n"),
            "{text}"
        );
        let objects = build(&generated, &dir).unwrap();
        let kinds: Vec<_> = objects
            .iter()
            .map(|o| o["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["Namespace", "ConfigMap", "Service"]);
    }

    #[test]
    fn amends_an_existing_kustomization_with_the_flux_overlay() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "cm.yaml", CM);
        write(
            tmp.path(),
            "kustomization.yaml",
            "resources: [cm.yaml]\nimages:\n- name: nginx\n  newTag: '1'\n",
        );
        let mut spec = spec();
        spec.target_namespace = Some("prod".into());
        spec.name_prefix = Some("p-".into());
        spec.images = Some(vec![crate::api::meta::Image {
            name: "nginx".into(),
            new_tag: Some("2".into()),
            ..Default::default()
        }]);
        spec.patches = Some(vec![crate::api::meta::Patch {
            patch: "- op: add\n  path: /metadata/labels\n  value: {patched: 'yes'}\n".into(),
            target: Some(crate::api::meta::Selector {
                kind: Some("ConfigMap".into()),
                ..Default::default()
            }),
        }]);
        spec.components = Some(vec!["missing".into()]);
        spec.ignore_missing_components = Some(true);
        let root = kustomize::Root::new(tmp.path()).unwrap();
        let dir = resolve_path(&root, None).unwrap();
        let generated = generate(&root, &dir, &spec).unwrap();
        let objects = build(&generated, &dir).unwrap();
        assert_eq!(objects[0]["metadata"]["name"], "p-app");
        assert_eq!(objects[0]["metadata"]["namespace"], "prod");
        assert_eq!(objects[0]["metadata"]["labels"]["patched"], "yes");
        let file = dir.join("kustomization.yaml");
        let on_disk = std::fs::read_to_string(&file).unwrap();
        assert!(!on_disk.contains("prod"), "the file on disk is untouched");
        let text = String::from_utf8(generated.read(&file).unwrap()).unwrap();
        assert_eq!(text.matches("name: nginx").count(), 1, "{text}");
        assert!(!text.contains("missing"), "{text}");
    }

    #[test]
    fn refuses_a_path_escaping_the_artifact_root() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("inner")).unwrap();
        let root = kustomize::Root::new(tmp.path().join("inner")).unwrap();
        let err = resolve_path(&root, Some("../")).unwrap_err();
        assert!(err.contains("kustomization path not found"), "{err}");
        let err = resolve_path(&root, Some("./nope")).unwrap_err();
        assert!(err.contains("doesn't exist"), "{err}");
    }

    #[test]
    fn bad_yaml_fails_the_generation_with_the_file_name() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "bad.yaml", "kind: [unclosed\n");
        let root = kustomize::Root::new(tmp.path()).unwrap();
        let dir = resolve_path(&root, None).unwrap();
        let err = generate(&root, &dir, &spec()).unwrap_err();
        assert!(
            err.contains("failed to decode Kubernetes YAML from /bad.yaml"),
            "{err}"
        );
    }

    #[test]
    fn substitutes_post_build_variables_unless_disabled() {
        let cm: Value = serde_json::from_str(
            r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"env":"${env:=dev}","x":"${x}"}}"#,
        )
        .unwrap();
        let mut off = cm.clone();
        off["metadata"]["annotations"] =
            json!({ "kustomize.toolkit.fluxcd.io/substitute": "disabled" });
        let vars = BTreeMap::from([("x".to_string(), "1".to_string())]);
        let out = substitute(vec![cm, off], &vars, false).unwrap();
        assert_eq!(out[0]["data"], json!({ "env": "dev", "x": 1 }));
        assert_eq!(out[1]["data"]["x"], "${x}");
        let bad = BTreeMap::from([("bad-name".to_string(), "1".to_string())]);
        let err = substitute(out, &bad, false).unwrap_err();
        assert!(
            err.starts_with("post build failed for 'ConfigMap/a'"),
            "{err}"
        );
    }

    #[test]
    fn common_metadata_overrides_the_manifests() {
        let mut objects =
            vec![json!({"kind": "ConfigMap", "metadata": {"name": "a", "labels": {"team": "x"}}})];
        let labels = BTreeMap::from([("team".to_string(), "y".to_string())]);
        set_common_metadata(&mut objects, Some(&labels), None);
        assert_eq!(objects[0]["metadata"]["labels"]["team"], "y");
    }
}
