//! `configMapGenerator`, `secretGenerator` and `generatorOptions` (kustomize's builtin
//! ConfigMapGenerator/SecretGenerator plugins, `api/kv` and `api/hasher`).
//!
//! Generated objects that want a content-hash name suffix carry kustomize's internal
//! `needs-hash` annotation until [`apply_hashes`] runs once, after all accumulation.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::origin::{self, Origin};
use crate::resource::Resource;

/// kustomize's internal annotation marking objects whose name gets the hash suffix.
pub const NEEDS_HASH: &str = "kustomize.config.k8s.io/needs-hash";

/// `generatorOptions` and a generator's `options`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Options {
    labels: BTreeMap<String, Value>,
    annotations: BTreeMap<String, Value>,
    disable_name_suffix_hash: bool,
    immutable: bool,
}

/// One `configMapGenerator` or `secretGenerator` entry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Args {
    name: String,
    namespace: String,
    behavior: String,
    literals: Vec<String>,
    files: Vec<String>,
    envs: Vec<String>,
    env: String,
    options: Option<Options>,
    #[serde(rename = "type")]
    kind_type: String,
}

fn invalid(message: String) -> Error {
    Error::InvalidKustomization(message)
}

fn scalar_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// kustomize's `MergeGlobalOptionsIntoLocal`: global labels/annotations override local ones;
/// a global `true` wins.
fn merge_options(local: Option<Options>, global: Option<&Options>) -> Option<Options> {
    let Some(global) = global else {
        return local;
    };
    let mut local = local.unwrap_or_default();
    for (k, v) in &global.labels {
        local.labels.insert(k.clone(), v.clone());
    }
    for (k, v) in &global.annotations {
        local.annotations.insert(k.clone(), v.clone());
    }
    local.disable_name_suffix_hash |= global.disable_name_suffix_hash;
    local.immutable |= global.immutable;
    Some(local)
}

/// Runs a kustomization's generators in kustomize's order (ConfigMaps, then Secrets), merging
/// each result into `resources` according to its `behavior`. `load` reads a file relative to the
/// kustomization directory, confined by the load restrictor. With `origin` (buildMetadata),
/// each generated object is annotated with where its generator was configured; `origin` gets
/// the generator kind (`ConfigMapGenerator` or `SecretGenerator`).
pub fn run(
    resources: &mut Vec<Resource>,
    config_maps: &[Value],
    secrets: &[Value],
    global_options: Option<&Value>,
    load: &dyn Fn(&str) -> Result<Vec<u8>>,
    origin: Option<&dyn Fn(&str) -> Origin>,
) -> Result<()> {
    let global: Option<Options> = match global_options {
        Some(v) if !v.is_null() => Some(
            serde_json::from_value(v.clone())
                .map_err(|e| invalid(format!("generatorOptions: {e}")))?,
        ),
        _ => None,
    };
    for (entries, secret) in [(config_maps, false), (secrets, true)] {
        for entry in entries {
            let args: Args = serde_json::from_value(entry.clone()).map_err(|e| {
                invalid(format!(
                    "{}: {e}",
                    if secret {
                        "secretGenerator"
                    } else {
                        "configMapGenerator"
                    }
                ))
            })?;
            let behavior = args.behavior.clone();
            let mut generated = make(args, secret, global.as_ref(), load)?;
            if let Some(origin) = origin {
                let kind = if secret {
                    "SecretGenerator"
                } else {
                    "ConfigMapGenerator"
                };
                origin::set_missing(std::slice::from_mut(&mut generated), &origin(kind));
            }
            absorb(resources, generated, &behavior)?;
        }
    }
    Ok(())
}

fn make(
    mut args: Args,
    secret: bool,
    global: Option<&Options>,
    load: &dyn Fn(&str) -> Result<Vec<u8>>,
) -> Result<Resource> {
    let kind = if secret { "Secret" } else { "ConfigMap" };
    if args.name.is_empty() {
        return Err(invalid(format!(
            "a {} must have a name",
            kind.to_ascii_lowercase()
        )));
    }
    if !args.env.is_empty() {
        args.envs.push(std::mem::take(&mut args.env));
    }
    let pairs = load_pairs(&args, load)?;
    let mut known: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for (key, value) in pairs {
        check_key(&key)?;
        if known.contains_key(&key) {
            return Err(invalid(format!(
                "configmap {} illegally repeats the key `{key}`",
                args.name
            )));
        }
        known.insert(key, value);
    }
    let mut metadata = Map::new();
    metadata.insert("name".into(), Value::String(args.name.clone()));
    if !args.namespace.is_empty() {
        metadata.insert("namespace".into(), Value::String(args.namespace.clone()));
    }
    let mut obj = Map::new();
    obj.insert("apiVersion".into(), json!("v1"));
    obj.insert("kind".into(), json!(kind));
    let mut data = Map::new();
    let mut binary = Map::new();
    if secret {
        let t = if args.kind_type.is_empty() {
            "Opaque".to_string()
        } else {
            args.kind_type.clone()
        };
        obj.insert("type".into(), Value::String(t));
        for (k, v) in known {
            data.insert(k, Value::String(encode_base64(&v)));
        }
    } else {
        for (k, v) in known {
            match String::from_utf8(v) {
                Ok(s) => {
                    data.insert(k, Value::String(s));
                }
                Err(e) => {
                    binary.insert(k, Value::String(encode_base64(e.as_bytes())));
                }
            }
        }
    }
    if !data.is_empty() {
        obj.insert("data".into(), Value::Object(data));
    }
    if !binary.is_empty() {
        obj.insert("binaryData".into(), Value::Object(binary));
    }
    let options = merge_options(args.options.take(), global);
    let mut annotations = Map::new();
    if let Some(o) = &options {
        if !o.labels.is_empty() {
            let labels = o
                .labels
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(scalar_string(v))))
                .collect();
            metadata.insert("labels".into(), Value::Object(labels));
        }
        for (k, v) in &o.annotations {
            annotations.insert(k.clone(), Value::String(scalar_string(v)));
        }
        if o.immutable {
            obj.insert("immutable".into(), Value::Bool(true));
        }
    }
    if !options.as_ref().is_some_and(|o| o.disable_name_suffix_hash) {
        annotations.insert(NEEDS_HASH.into(), json!("true"));
    }
    if !annotations.is_empty() {
        metadata.insert("annotations".into(), Value::Object(annotations));
    }
    obj.insert("metadata".into(), Value::Object(metadata));
    Resource::from_value(Value::Object(obj)).ok_or_else(|| invalid("generator".into()))
}

/// kustomize's `kv.Load`: env files, then literals, then files.
fn load_pairs(
    args: &Args,
    load: &dyn Fn(&str) -> Result<Vec<u8>>,
) -> Result<Vec<(String, Vec<u8>)>> {
    let mut all = Vec::new();
    for path in &args.envs {
        let content = load(path)?;
        all.extend(env_pairs(&content)?);
    }
    for source in &args.literals {
        let (k, v) = parse_literal(source)?;
        all.push((k, v.into_bytes()));
    }
    for source in &args.files {
        let (k, path) = parse_file_source(source)?;
        all.push((k, load(&path)?));
    }
    Ok(all)
}

/// Lines of an env file (`KEY=VALUE`; blank lines and `#` comments skipped; a key without
/// `=` gets an empty value — the environment is never read).
fn env_pairs(content: &[u8]) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut lines: Vec<&[u8]> = content.split(|b| *b == b'\n').collect();
    if content.ends_with(b"\n") {
        lines.pop();
    }
    for (i, line) in lines.into_iter().enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = std::str::from_utf8(line)
            .map_err(|_| invalid(format!("line {i} has invalid utf8 bytes")))?;
        let line = if i == 0 {
            line.strip_prefix('\u{feff}').unwrap_or(line)
        } else {
            line
        };
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        if !is_env_var_name(key) {
            return Err(invalid(format!(
                "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit: {key:?}"
            )));
        }
        out.push((key.to_string(), value.as_bytes().to_vec()));
    }
    Ok(out)
}

fn is_env_var_name(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || "-._".contains(c))
        && chars.all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
}

fn check_key(key: &str) -> Result<()> {
    let ok = !key.is_empty()
        && key.len() <= 253
        && key != "."
        && key != ".."
        && !key.starts_with("..")
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c));
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "{key:?} is not a valid key name: a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
        )))
    }
}

/// `key=value`, with one pair of surrounding quotes removed from the value.
fn parse_literal(source: &str) -> Result<(String, String)> {
    match source.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), remove_quotes(v).to_string())),
        _ => Err(invalid(format!(
            "invalid literal source {source}, expected key=value"
        ))),
    }
}

fn remove_quotes(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == b[b.len() - 1] && (b[0] == b'"' || b[0] == b'\'') {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

/// `path` (the key is the base name) or `key=path`.
fn parse_file_source(source: &str) -> Result<(String, String)> {
    match source.matches('=').count() {
        0 => {
            let base = source
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(source);
            Ok((base.to_string(), source.to_string()))
        }
        1 if source.starts_with('=') => Err(invalid(format!(
            "key name for file path {} missing",
            &source[1..]
        ))),
        1 if source.ends_with('=') => Err(invalid(format!(
            "file path for key name {} missing",
            &source[..source.len() - 1]
        ))),
        1 => {
            let (k, p) = source.split_once('=').unwrap_or_default();
            Ok((k.to_string(), p.to_string()))
        }
        _ => Err(invalid("key names or file paths cannot contain '='".into())),
    }
}

/// kustomize's `encodeBase64`: standard base64, split into 70-character lines (each ending
/// in a newline) when longer than one line.
pub fn encode_base64(bytes: &[u8]) -> String {
    const LINE: usize = 70;
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    if encoded.len() < LINE {
        return encoded;
    }
    let mut out = String::with_capacity(encoded.len() + encoded.len() / LINE + 1);
    for chunk in encoded.as_bytes().chunks(LINE) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out
}

fn ns_equal(a: &str, b: &str) -> bool {
    let norm = |s: &str| if s.is_empty() { "default" } else { s }.to_string();
    norm(a) == norm(b)
}

/// kustomize's `appendReplaceOrMerge`.
fn absorb(resources: &mut Vec<Resource>, new: Resource, behavior: &str) -> Result<()> {
    let gvk = new.gvk();
    let (name, ns) = (new.name().to_string(), new.namespace().to_string());
    let matches: Vec<usize> = resources
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r.gvk() == gvk
                && ((r.name() == name && ns_equal(r.namespace(), &ns))
                    || r.previous_ids().iter().any(|p| {
                        p.kind == gvk.kind && p.name == name && ns_equal(&p.namespace, &ns)
                    }))
        })
        .map(|(i, _)| i)
        .collect();
    let id = new.id_string();
    match matches.as_slice() {
        [] => match behavior {
            "merge" | "replace" => Err(invalid(format!(
                "id {id} does not exist; cannot merge or replace"
            ))),
            _ => {
                resources.push(new);
                Ok(())
            }
        },
        [i] => {
            let merge = match behavior {
                "merge" => true,
                "replace" => false,
                _ => {
                    return Err(invalid(format!(
                        "id {id} exists; behavior must be merge or replace"
                    )));
                }
            };
            let old = &resources[*i];
            let mut value = new.into_value();
            merge_into(&mut value, old.value(), merge);
            let mut result = old.clone();
            *result.value_mut() = value;
            resources[*i] = result;
            Ok(())
        }
        _ => Err(invalid(format!(
            "found multiple objects that could accept merge of {id}"
        ))),
    }
}

/// `CopyMergeMetaDataFieldsFrom` (and, for merge, the data maps): the new object's values win.
fn merge_into(new: &mut Value, old: &Value, merge: bool) {
    let fields: &[&str] = if merge {
        &["labels", "annotations", "data", "binaryData"]
    } else {
        &["labels", "annotations"]
    };
    for field in fields {
        let at_meta = matches!(*field, "labels" | "annotations");
        let old_map = if at_meta {
            old.get("metadata").and_then(|m| m.get(field))
        } else {
            old.get(field)
        };
        let Some(Value::Object(old_map)) = old_map else {
            continue;
        };
        let Some(parent) = (if at_meta {
            new.get_mut("metadata").and_then(Value::as_object_mut)
        } else {
            new.as_object_mut()
        }) else {
            continue;
        };
        let mut merged = old_map.clone();
        // The name gets a hash only when both the old object and the new generator want one.
        merged.remove(NEEDS_HASH);
        if let Some(Value::Object(mine)) = parent.get(*field) {
            for (k, v) in mine {
                merged.insert(k.clone(), v.clone());
            }
        }
        // A merged object is still the one its first generator made: kustomize keeps where it
        // came from (a replaced object takes the new generator's origin).
        if merge && *field == "annotations" {
            for key in [origin::ORIGIN, origin::TRANSFORMATIONS] {
                if let Some(v) = old_map.get(key) {
                    merged.insert(key.to_string(), v.clone());
                }
            }
        }
        if !merged.is_empty() {
            parent.insert(field.to_string(), Value::Object(merged));
        }
    }
    let old_hashed = old
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(NEEDS_HASH))
        .is_some();
    if let Some(meta) = new.get_mut("metadata").and_then(Value::as_object_mut) {
        if !old_hashed && let Some(Value::Object(a)) = meta.get_mut("annotations") {
            a.remove(NEEDS_HASH);
            if a.is_empty() {
                meta.remove("annotations");
            }
        }
        let old_meta = old.get("metadata");
        for field in ["name", "namespace"] {
            match old_meta.and_then(|m| m.get(field)) {
                Some(v) if !v.is_null() && v != "" => {
                    meta.insert(field.to_string(), v.clone());
                }
                _ => {
                    meta.remove(field);
                }
            }
        }
    }
}

/// kustomize's HashTransformer: objects marked by a generator get `-<hash>` appended to
/// their name (the earlier name kept in the id history so references follow).
pub fn apply_hashes(resources: &mut [Resource]) -> Result<()> {
    hash_names(resources, true)
}

/// kustomize's HashTransformer run as a `transformers:` plugin: the marked objects get their
/// hash suffix but stay marked, so the build's own hash step appends another.
pub fn apply_hashes_keeping_marks(resources: &mut [Resource]) -> Result<()> {
    hash_names(resources, false)
}

fn hash_names(resources: &mut [Resource], unmark: bool) -> Result<()> {
    for r in resources.iter_mut() {
        let annotations = r
            .value_mut()
            .get_mut("metadata")
            .and_then(|m| m.get_mut("annotations"))
            .and_then(Value::as_object_mut);
        let marked = match annotations {
            Some(a) if unmark => a.remove(NEEDS_HASH).is_some(),
            Some(a) => a.contains_key(NEEDS_HASH),
            None => false,
        };
        if !marked {
            continue;
        }
        if let Some(meta) = r
            .value_mut()
            .get_mut("metadata")
            .and_then(Value::as_object_mut)
            && meta
                .get("annotations")
                .and_then(Value::as_object)
                .is_some_and(Map::is_empty)
        {
            meta.remove("annotations");
        }
        let hash = hash(r.value());
        let name = format!("{}-{hash}", r.name());
        r.store_previous_id();
        if let Some(meta) = r.map_at(&["metadata"]) {
            meta.insert("name".into(), Value::String(name));
        }
    }
    Ok(())
}

/// kustomize's `hasher.Hash` for ConfigMaps and Secrets (other kinds: the whole object).
pub fn hash(obj: &Value) -> String {
    let field = |path: &[&str]| -> Value {
        let mut v = obj;
        for key in path {
            match v.get(key) {
                Some(next) => v = next,
                None => return Value::String(String::new()),
            }
        }
        match v {
            Value::Object(_) => v.clone(),
            Value::Null => Value::String(String::new()),
            Value::String(_) => v.clone(),
            Value::Array(_) => Value::Null,
            other => Value::String(other.to_string()),
        }
    };
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let mut m = Map::new();
    let encoded = match kind {
        "ConfigMap" | "Secret" => {
            m.insert("kind".into(), json!(kind));
            // kustomize looks up the one-element path "metadata/name", which never matches
            // the nested name: the hashed name is always empty.
            m.insert("name".into(), field(&["metadata/name"]));
            m.insert("data".into(), field(&["data"]));
            let extra = if kind == "ConfigMap" {
                "binaryData"
            } else {
                m.insert("type".into(), field(&["type"]));
                "stringData"
            };
            if let Value::Object(_) = field(&[extra]) {
                m.insert(extra.into(), field(&[extra]));
            }
            go_json(&Value::Object(m))
        }
        _ => go_json(obj),
    };
    let digest = Sha256::digest(encoded.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex[..10]
        .chars()
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        })
        .collect()
}

/// Go's `encoding/json.Marshal` of an untyped value: sorted keys, HTML-safe escaping.
fn go_json(v: &Value) -> String {
    let mut out = String::new();
    write_go_json(v, &mut out);
    out
}

fn write_go_json(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_string(k, out);
                out.push(':');
                write_go_json(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_json(item, out);
            }
            out.push(']');
        }
        Value::String(s) => write_go_string(s, out),
        other => out.push_str(&other.to_string()),
    }
}

fn write_go_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_quotes_removed_once() {
        assert_eq!(parse_literal("a='x'").unwrap().1, "x");
        assert_eq!(parse_literal("a=\"x'").unwrap().1, "\"x'");
        assert_eq!(parse_literal("a=b=c").unwrap().1, "b=c");
        assert!(parse_literal("=x").is_err());
        assert!(parse_literal("x").is_err());
    }

    #[test]
    fn file_sources() {
        assert_eq!(
            parse_file_source("dir/a.txt").unwrap(),
            ("a.txt".into(), "dir/a.txt".into())
        );
        assert_eq!(
            parse_file_source("k=dir/a.txt").unwrap(),
            ("k".into(), "dir/a.txt".into())
        );
        assert!(parse_file_source("=a").is_err());
        assert!(parse_file_source("a=").is_err());
        assert!(parse_file_source("a=b=c").is_err());
    }

    #[test]
    fn env_files() {
        let pairs = env_pairs(b"\xEF\xBB\xBFA=1\n# c\n\n  B=x=y\r\nC\n").unwrap();
        let got: Vec<(String, String)> = pairs
            .into_iter()
            .map(|(k, v)| (k, String::from_utf8(v).unwrap()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("A".into(), "1".into()),
                ("B".into(), "x=y".into()),
                ("C".into(), String::new())
            ]
        );
        assert!(env_pairs(b"1A=x\n").is_err());
    }

    #[test]
    fn base64_lines() {
        assert_eq!(encode_base64(b"apple"), "YXBwbGU=");
        let long = encode_base64(&[b'x'; 60]);
        assert!(long.ends_with('\n'));
        assert_eq!(long.lines().next().unwrap().len(), 70);
    }

    #[test]
    fn go_escaping() {
        assert_eq!(
            go_json(&json!({"b": "<&>", "a": 1})),
            r#"{"a":1,"b":"\u003c\u0026\u003e"}"#
        );
    }

    #[test]
    fn hash_matches_kustomize() {
        // From the krusty corpus (TestDataIsSingleQuote): the name never enters the hash.
        let cm = json!({"kind": "ConfigMap", "metadata": {"name": "test"}, "data": {"TEST": "'"}});
        assert_eq!(hash(&cm), "m8t7bmb6g2");
    }

    #[test]
    fn merge_keeps_old_name_and_hash_only_if_both_want_it() {
        let load = |_: &str| -> Result<Vec<u8>> { unreachable!() };
        let mut resources = vec![
            Resource::from_value(json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "p-cm"}, "data": {"a": "1", "b": "2"}
            }))
            .unwrap(),
        ];
        resources[0].store_previous_id();
        resources[0]
            .map_at(&["metadata"])
            .unwrap()
            .insert("name".into(), json!("p-cm"));
        let gens = [json!({"name": "p-cm", "behavior": "merge", "literals": ["b=3"]})];
        run(&mut resources, &gens, &[], None, &load, None).unwrap();
        assert_eq!(resources.len(), 1);
        assert_eq!(resources[0].value()["data"], json!({"a": "1", "b": "3"}));
        apply_hashes(&mut resources).unwrap();
        assert_eq!(resources[0].name(), "p-cm");
        assert!(
            resources[0].value()["metadata"]
                .get("annotations")
                .is_none()
        );

        let gens = [json!({"name": "p-cm", "literals": ["x=y"]})];
        let err = run(&mut resources, &gens, &[], None, &load, None).unwrap_err();
        assert!(
            err.to_string()
                .contains("behavior must be merge or replace")
        );
    }

    #[test]
    fn secret_defaults_and_options() {
        let load = |_: &str| -> Result<Vec<u8>> { Ok(vec![0xff, 0xfe]) };
        let mut resources = Vec::new();
        let global = json!({"labels": {"g": "1"}, "immutable": true});
        let cms = [json!({"name": "c", "files": ["bin.dat"]})];
        let secrets =
            [json!({"name": "s", "literals": ["k=v"], "options": {"disableNameSuffixHash": true}})];
        run(&mut resources, &cms, &secrets, Some(&global), &load, None).unwrap();
        apply_hashes(&mut resources).unwrap();
        assert_eq!(
            resources[0].value()["binaryData"],
            json!({"bin.dat": "//4="})
        );
        assert_eq!(resources[0].value()["immutable"], json!(true));
        assert!(resources[0].name().starts_with("c-"));
        assert_eq!(resources[1].name(), "s");
        assert_eq!(resources[1].value()["type"], json!("Opaque"));
        assert_eq!(resources[1].value()["data"], json!({"k": "dg=="}));
        assert_eq!(
            resources[1].value()["metadata"]["labels"],
            json!({"g": "1"})
        );
    }
}
