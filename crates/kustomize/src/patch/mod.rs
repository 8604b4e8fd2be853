//! Patches: RFC 6902 JSON patches (`patchesJson6902` and the JSON form of `patches`) applied
//! to the resources a [`Target`](target::Target) selects. Strategic merge comes later.

pub mod json6902;
pub mod target;

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::resource::Resource;
use crate::yaml;

/// Reads a patch file named in the kustomization, through the build's confined root.
pub type Loader<'a> = dyn Fn(&str) -> Result<Vec<u8>> + 'a;

fn invalid(message: String) -> Error {
    Error::InvalidKustomization(message)
}

fn str_field<'a>(entry: &'a Value, name: &str) -> &'a str {
    entry.get(name).and_then(Value::as_str).unwrap_or("")
}

/// Reads an entry's patch text: inline `patch:` or the file at `path:`.
fn content(entry: &Value, load: &Loader, both: &str, neither: &str) -> Result<(String, String)> {
    let (patch, path) = (str_field(entry, "patch").trim(), str_field(entry, "path"));
    match (patch.is_empty(), path.is_empty()) {
        (false, false) => Err(invalid(both.to_string())),
        (true, true) => Err(invalid(neither.to_string())),
        (false, true) => Ok((patch.to_string(), "<inline patch>".to_string())),
        (true, false) => {
            let bytes = load(path)?;
            let text = String::from_utf8(bytes).map_err(|e| invalid(format!("{path}: {e}")))?;
            Ok((text, path.to_string()))
        }
    }
}

/// Parses JSON-6902 operations written as YAML or JSON.
fn decode(text: &str, shown: &str) -> Result<Vec<json6902::Op>> {
    let doc = yaml::parse_one(text.as_bytes(), Path::new(shown))?;
    json6902::decode(&doc).map_err(|e| invalid(format!("{shown}: {e}")))
}

fn apply_selected(
    resources: &mut [Resource],
    target: &target::Target,
    ops: &[json6902::Op],
) -> Result<()> {
    for r in resources.iter_mut().filter(|r| target.matches(r)) {
        let id = r.id_string();
        json6902::apply(r.value_mut(), ops)
            .map_err(|e| invalid(format!("failed to apply json patch to {id}: {e}")))?;
    }
    Ok(())
}

fn parse_target(entry: &Value) -> Result<Option<target::Target>> {
    entry
        .get("target")
        .filter(|t| !t.is_null())
        .map(|t| target::Target::from_value(t).map_err(invalid))
        .transpose()
}

/// `patchesJson6902`: each entry has a `target` and a `patch` or `path`.
pub fn apply_json6902(resources: &mut [Resource], entries: &[Value], load: &Loader) -> Result<()> {
    for entry in entries {
        let name = entry
            .get("target")
            .map(|t| str_field(t, "name"))
            .unwrap_or("");
        if name.is_empty() {
            return Err(invalid("must specify the target name".into()));
        }
        let (text, shown) = content(
            entry,
            load,
            "must specify only one of path or jsonOp",
            "empty file path and empty jsonOp",
        )?;
        let target = parse_target(entry)?.expect("target checked above");
        apply_selected(resources, &target, &decode(&text, &shown)?)?;
    }
    Ok(())
}

/// `patches`: JSON-6902 documents (a list of operations) with a `target`; strategic-merge
/// documents are not supported yet.
pub fn apply_patches(resources: &mut [Resource], entries: &[Value], load: &Loader) -> Result<()> {
    for entry in entries {
        let shown = serde_json::to_string(entry).unwrap_or_default();
        let (text, file) = content(
            entry,
            load,
            &format!("patch and path can't be set at the same time\n{shown}"),
            &format!("must specify one of patch and path in\n{shown}"),
        )?;
        let is_json = yaml::parse_all(text.as_bytes(), Path::new(&file))
            .is_ok_and(|docs| docs.len() == 1 && docs[0].is_array());
        if !is_json {
            return Err(Error::Unsupported(
                "kustomization field 'patches' (strategic merge) is not supported yet".into(),
            ));
        }
        let ops = decode(&text, &file)?;
        let target = parse_target(entry)?.ok_or_else(|| {
            invalid(format!(
                "must specify a target for JSON patch {}",
                text.trim()
            ))
        })?;
        apply_selected(resources, &target, &ops)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn no_files(p: &str) -> Result<Vec<u8>> {
        Err(Error::NotFound(p.into()))
    }

    fn resources() -> Vec<Resource> {
        ["a", "b"]
            .iter()
            .map(|n| {
                Resource::from_value(json!({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": n}, "data": {}}))
                .unwrap()
            })
            .collect()
    }

    #[test]
    fn patches_json_form_applies_to_targets() {
        let mut rs = resources();
        let entry = json!({"target": {"kind": "ConfigMap", "name": "a"},
            "patch": "[{\"op\": \"add\", \"path\": \"/data/k\", \"value\": \"v\"}]"});
        apply_patches(&mut rs, &[entry], &no_files).unwrap();
        assert_eq!(rs[0].value()["data"], json!({"k": "v"}));
        assert_eq!(rs[1].value()["data"], json!({}));
    }

    #[test]
    fn patches_errors() {
        let mut rs = resources();
        let sm = json!({"patch": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"});
        let err = apply_patches(&mut rs, &[sm], &no_files).unwrap_err();
        assert!(err.to_string().contains("is not supported yet"));
        let untargeted = json!({"patch": "- op: remove\n  path: /data\n"});
        let err = apply_patches(&mut rs, &[untargeted], &no_files).unwrap_err();
        assert!(
            err.to_string()
                .contains("must specify a target for JSON patch")
        );
        let both = json!({"patch": "[]", "path": "p.yaml", "target": {"name": "a"}});
        let err = apply_json6902(&mut rs, &[both], &no_files).unwrap_err();
        assert!(err.to_string().contains("only one of path or jsonOp"));
        let missing = json!({"path": "p.yaml", "target": {"name": "a"}});
        assert!(apply_json6902(&mut rs, &[missing], &no_files).is_err());
    }
}
