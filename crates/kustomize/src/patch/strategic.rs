//! Strategic merge patch over untyped values: a port of kustomize's `patchstrategicmerge`
//! filter, which runs kyaml's `merge2` walk (not apimachinery's strategicpatch).
//!
//! kyaml's rules, which this follows, including its quirks:
//! - Maps merge field by field; a `null` patch value deletes the field. A `null` already in
//!   the resource survives when the patch does not touch it.
//! - A list merges by key only when the schema gives it a patch strategy containing `merge`
//!   ([`super::schema`]: Kubernetes' own kinds, or the kustomization's custom `openapi:`
//!   schema); keys are `x-kubernetes-list-map-keys` when present, else the patch merge key.
//!   Every other list, including every list of a kind without a schema (CRDs), is replaced:
//!   kustomize does not infer merge keys. The patch's elements come first, then the
//!   resource's others (kustomize's prepend direction).
//! - A map without a schema that carries `apiVersion` and `kind` is merged with that kind's
//!   schema.
//! - `$patch: delete|replace|merge` is honoured on maps and, as a lone `{$patch: …}` element,
//!   on lists merged by key (`delete` clears the list); inside a replaced list it is plain
//!   data. Any other `$patch` value is an error where kyaml checks it.
//! - `$setElementOrder/…`, `$retainKeys` and `$deleteFromPrimitiveList/…` are not directives
//!   to kyaml: they are ordinary fields and end up in the output, as with `kustomize build`.
//! - kyaml mutates YAML nodes in place and, where a destination is missing or replaced, walks
//!   the patch's node as both sides; the walk below reproduces the visible effects (elements
//!   written back, directives stripped, key-less elements clearing keyed ones).

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::schema::{Node, Schemas};
use crate::yaml;

const PATCH: &str = "$patch";

/// Applies `patch` to the resource `target` (both whole objects) with the build's schemas.
/// Returns `Ok(false)` when the patch deletes the resource.
pub fn apply(target: &mut Value, patch: &Value, schemas: Schemas) -> Result<bool, String> {
    let walker = Walker { schemas };
    let dest = std::mem::take(target);
    match walker.walk(Some(dest), Some(patch.clone()), None, false)? {
        Out::Keep(v, _) if v.as_object().is_some_and(|m| !m.is_empty()) => {
            *target = v;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// A walk's result for one node.
enum Out {
    /// Remove the field or element.
    Clear,
    /// Set this value; the flag says whether it is the resource's own node (kyaml then
    /// mutated it in place), which is also how a resource's `null` survives.
    Keep(Value, bool),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Map,
    Seq,
    Scalar,
}

fn kind_of(v: &Value) -> Option<Kind> {
    match v {
        Value::Null => None,
        Value::Object(_) => Some(Kind::Map),
        Value::Array(_) => Some(Kind::Seq),
        _ => Some(Kind::Scalar),
    }
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Map => "MappingNode",
        Kind::Seq => "SequenceNode",
        Kind::Scalar => "ScalarNode",
    }
}

fn wrong_kind(expected: Kind, node: &Value) -> String {
    let got = kind_of(node).map_or("ScalarNode", kind_name);
    format!(
        "wrong node kind: expected {} but got {got}: node contents:\n{}",
        kind_name(expected),
        yaml::to_string(node)
    )
}

/// A scalar's text as the YAML node holds it (`""` for maps and lists).
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        _ => String::new(),
    }
}

/// A plain scalar written from text (kyaml's untagged `NewScalarRNode`, printed unquoted).
fn plain_scalar(s: &str) -> Value {
    match s {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => serde_json::from_str::<serde_json::Number>(s)
            .map(Value::Number)
            .unwrap_or_else(|_| Value::String(s.to_string())),
    }
}

fn is_empty_map(v: &Value) -> bool {
    v.is_null() || v.as_object().is_some_and(Map::is_empty)
}

/// Whether `elem` matches the field `name` with text `value` (kyaml's `FieldMatcher`; an
/// empty `value` matches any value, an empty `name` compares a scalar element itself).
fn field_matches(elem: &Value, name: &str, value: &str) -> Result<bool, String> {
    if elem.is_null() {
        return Ok(false);
    }
    if name.is_empty() {
        if kind_of(elem) != Some(Kind::Scalar) {
            return Err(wrong_kind(Kind::Scalar, elem));
        }
        return Ok(text(elem) == value);
    }
    let Some(m) = elem.as_object() else {
        return Err(wrong_kind(Kind::Map, elem));
    };
    Ok(m.get(name)
        .is_some_and(|f| value.is_empty() || text(f) == value))
}

/// kyaml's `ElementSetter`: replaces the elements matching `keys`/`values` with `element`
/// (or removes them without one), appending `element` when nothing matched. Null and empty
/// map elements are dropped on the way.
fn set_element(
    list: &mut Vec<Value>,
    element: Option<&Value>,
    keys: &[String],
    values: &[String],
) -> Result<(), String> {
    let blank = [String::new()];
    let keys = if keys.is_empty() { &blank[..] } else { keys };
    let mapping_setter = !keys[0].is_empty() && values.first().is_some_and(|v| !v.is_empty());
    let mut kept = Vec::with_capacity(list.len());
    let mut found_any = false;
    for elem in std::mem::take(list) {
        if is_empty_map(&elem) {
            continue;
        }
        if !elem.is_object() && mapping_setter {
            kept.push(elem);
            continue;
        }
        let mut matched = false;
        let mut found = true;
        for (j, key) in keys.iter().enumerate() {
            if let Some(value) = values.get(j) {
                matched = field_matches(&elem, key, value)?;
            }
            if !matched {
                found = false;
                break;
            }
        }
        if !found {
            if !values.is_empty() {
                kept.push(elem);
            }
            continue;
        }
        found_any = true;
        if let Some(e) = element {
            kept.push(e.clone());
        }
    }
    *list = kept;
    if let Some(e) = element.filter(|e| !e.is_null())
        && !found_any
    {
        list.push(e.clone());
    }
    Ok(())
}

/// kyaml's `ElementMatcher`: the first element whose `keys` fields hold `values`.
fn find_element(list: &[Value], keys: &[String], values: &[String]) -> Option<usize> {
    let first_key = keys.first().map_or("", String::as_str);
    let first_value = values.first().map_or("", String::as_str);
    if first_key.is_empty() {
        return list.iter().position(|v| text(v) == first_value);
    }
    if keys.len() != values.len() {
        return None;
    }
    list.iter().position(|elem| {
        elem.as_object().is_some_and(|m| {
            keys.iter()
                .zip(values)
                .all(|(k, v)| m.get(k).is_some_and(|f| text(f) == *v))
        })
    })
}

/// Drops the keys no element has a value for (kyaml's `validateKeys`).
fn validate_keys(
    values_list: &[Vec<String>],
    values: &[String],
    keys: &[String],
) -> (Vec<String>, Vec<String>) {
    let valid: HashSet<&str> = values_list
        .iter()
        .flat_map(|vs| vs.iter().zip(keys).filter(|(v, _)| !v.is_empty()))
        .map(|(_, k)| k.as_str())
        .collect();
    if valid.is_empty() {
        return (keys.to_vec(), values.to_vec());
    }
    let vk = keys
        .iter()
        .filter(|k| valid.contains(k.as_str()))
        .cloned()
        .collect();
    let vv = values
        .iter()
        .zip(keys)
        .filter(|(v, k)| !v.is_empty() || valid.contains(k.as_str()))
        .map(|(v, _)| v.clone())
        .collect();
    (vk, vv)
}

/// Two key tuples name one element when they share a value and differ only where one is
/// blank (a port without `protocol` is the TCP port); both become the merged tuple.
fn merge_values(values_list: &mut [Vec<String>]) {
    for i in 0..values_list.len() {
        for j in 0..values_list.len() {
            let (a, b) = (&values_list[i], &values_list[j]);
            if a.len() != b.len() {
                continue;
            }
            let mut common = false;
            let mut merged = Vec::with_capacity(a.len());
            let mut ok = true;
            for (x, y) in a.iter().zip(b) {
                if x == y {
                    common = true;
                    merged.push(x.clone());
                } else if !x.is_empty() && !y.is_empty() {
                    ok = false;
                    break;
                } else {
                    merged.push(if x.is_empty() { y.clone() } else { x.clone() });
                }
            }
            if ok && common {
                values_list[i] = merged.clone();
                values_list[j] = merged;
            }
        }
    }
}

/// kyaml's `appendListNode`: adds `src`'s elements to `dst`, replacing the ones they match.
fn append_list(mut dst: Vec<Value>, src: &[Value], keys: &[String]) -> Result<Vec<Value>, String> {
    for elem in src {
        if keys.first().is_none_or(String::is_empty) {
            set_element(&mut dst, Some(elem), &[String::new()], &[text(elem)])?;
            continue;
        }
        let empty = Map::new();
        let m = match elem {
            Value::Object(m) => m,
            // kyaml's field lookup finds nothing in a null element.
            Value::Null => &empty,
            _ => return Err(wrong_kind(Kind::Map, elem)),
        };
        let mut values = Vec::new();
        for key in keys {
            match m.get(key) {
                None => dst.push(elem.clone()),
                Some(v) => values.push(text(v)),
            }
        }
        if keys.len() > 1 {
            set_element(&mut dst, None, keys, &values)?;
        }
        set_element(&mut dst, Some(elem), keys, &values)?;
    }
    Ok(dst)
}

struct Walker<'a> {
    schemas: Schemas<'a>,
}

impl<'a> Walker<'a> {
    /// The schema of a node that carries its own `apiVersion` and `kind`.
    fn own_schema(&self, v: Option<&Value>) -> Option<&'a Node> {
        let m = v?.as_object()?;
        let field = |k: &str| m.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
        self.schemas.resource(field("apiVersion")?, field("kind")?)
    }

    /// Merges one node. `aliased`: kyaml walks the patch's node as both sources (its
    /// destination was missing or replaced), so what it removes from one it removes from both.
    fn walk(
        &self,
        dest: Option<Value>,
        patch: Option<Value>,
        schema: Option<&'a Node>,
        aliased: bool,
    ) -> Result<Out, String> {
        let schema = schema
            .or_else(|| self.own_schema(dest.as_ref()))
            .or_else(|| self.own_schema(patch.as_ref()));
        let sources = [dest.as_ref(), patch.as_ref()];
        let kind = sources.iter().flatten().find_map(|v| kind_of(v));
        if let Some(kind) = kind {
            for v in sources.iter().flatten() {
                if kind_of(v).is_some_and(|k| k != kind) {
                    return Err(wrong_kind(kind, v));
                }
            }
        }
        match kind {
            None | Some(Kind::Map) => self.walk_map(dest, patch, schema, aliased),
            // kyaml keeps the resource's quoting: a number or boolean written over a quoted
            // string prints quoted, so it stays a string.
            Some(Kind::Scalar) => Ok(match (dest, patch) {
                (Some(Value::String(d)), Some(p @ (Value::Number(_) | Value::Bool(_))))
                    if quoted_by_necessity(&d) =>
                {
                    Out::Keep(Value::String(text(&p)), false)
                }
                (dest, patch) => keep_patch_or_dest(dest, patch),
            }),
            Some(Kind::Seq) => match schema.and_then(Node::merge_keys) {
                Some(keys) => self.walk_keyed_list(dest, patch, schema, keys, aliased),
                None => Ok(keep_patch_or_dest(dest, patch)),
            },
        }
    }

    fn walk_map(
        &self,
        dest: Option<Value>,
        patch: Option<Value>,
        schema: Option<&'a Node>,
        aliased: bool,
    ) -> Result<Out, String> {
        let (mut dest, patch, from_dest) = match (dest, patch) {
            (dest, patch) if dest.as_ref().is_none_or(Value::is_null) => {
                let mut patch = match patch {
                    Some(p) => p,
                    None if dest.is_some() => return Ok(Out::Keep(Value::Null, true)),
                    None => return Ok(Out::Clear),
                };
                if let Some(m) = patch.as_object_mut() {
                    match m.get(PATCH).and_then(Value::as_str) {
                        Some("delete") => return Ok(Out::Clear),
                        Some("replace" | "merge") => {
                            m.remove(PATCH);
                        }
                        _ => {}
                    }
                }
                if !patch.is_object() {
                    return Ok(Out::Keep(patch, false));
                }
                (patch.clone(), Some(patch), false)
            }
            (Some(dest), None) => (dest, None, true),
            (Some(_), Some(Value::Null)) => return Ok(Out::Clear),
            (Some(dest), Some(mut patch)) => {
                let directive = match patch.as_object_mut() {
                    Some(m) if m.contains_key(PATCH) => {
                        let d = m.remove(PATCH).map(|v| text(&v)).unwrap_or_default();
                        Some(d)
                    }
                    _ => None,
                };
                match directive.as_deref() {
                    None | Some("merge") if aliased => (patch.clone(), Some(patch), true),
                    None | Some("merge") => (dest, Some(patch), true),
                    Some("delete") => return Ok(Out::Clear),
                    Some("replace") => (patch.clone(), Some(patch), false),
                    Some(other) => return Err(format!("unknown patch strategy '{other}'")),
                }
            }
            (None, _) => unreachable!("a missing destination is handled first"),
        };
        let aliased = aliased || !from_dest;
        let Value::Object(d) = &mut dest else {
            return Ok(Out::Keep(dest, from_dest));
        };
        let p = patch.as_ref().and_then(Value::as_object);
        let mut keys: Vec<String> = d
            .keys()
            .chain(p.into_iter().flat_map(Map::keys))
            .cloned()
            .collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let child = schema.and_then(|s| self.schemas.field(s, &key));
            let from_patch = p.and_then(|p| p.get(&key)).cloned();
            let out = self.walk(d.remove(&key), from_patch, child, aliased)?;
            match out {
                Out::Keep(Value::Null, false) | Out::Clear => {}
                Out::Keep(v, _) => {
                    d.insert(key, v);
                }
            }
        }
        Ok(Out::Keep(dest, from_dest))
    }

    fn walk_keyed_list(
        &self,
        dest: Option<Value>,
        patch: Option<Value>,
        schema: Option<&'a Node>,
        keys: &[String],
        aliased: bool,
    ) -> Result<Out, String> {
        let (dest, patch, from_dest) = match (dest, patch) {
            (dest, patch) if dest.as_ref().is_none_or(Value::is_null) => match patch {
                Some(p) => (p.clone(), Some(p), false),
                None => return Ok(Out::Clear),
            },
            (Some(dest), None) => (dest, None, true),
            (Some(_), Some(Value::Null)) => return Ok(Out::Clear),
            (Some(dest), Some(mut patch)) => match list_directive(&mut patch)?.as_deref() {
                Some("delete") => return Ok(Out::Clear),
                Some("replace") => (patch.clone(), Some(patch), false),
                _ if aliased => (patch.clone(), Some(patch), true),
                _ => (dest, Some(patch), true),
            },
            (None, _) => unreachable!("a missing destination is handled first"),
        };
        let (Value::Array(dest), patch) = (dest, patch) else {
            unreachable!("kinds are checked before walking a list");
        };
        let patch: Vec<Value> = match patch {
            Some(Value::Array(p)) => p,
            _ => Vec::new(),
        };
        // kyaml's prepend direction: the patch's elements first, then the resource's.
        let mut values_list: Vec<Vec<String>> = Vec::new();
        {
            let mut seen = HashSet::new();
            for elem in patch.iter().chain(&dest) {
                let row: Vec<String> = keys
                    .iter()
                    .map(|k| match elem.get(k) {
                        Some(v) if !is_blank(v) => text(v),
                        _ => String::new(),
                    })
                    .collect();
                if !row.is_empty() && seen.insert(row.clone()) {
                    values_list.push(row);
                }
            }
        }
        let key_list: Vec<String>;
        let keys = if values_list.is_empty() && keys.is_empty() {
            let mut seen = HashSet::new();
            for elem in patch.iter().chain(&dest) {
                if seen.insert(text(elem)) {
                    values_list.push(vec![text(elem)]);
                }
            }
            key_list = vec![String::new()];
            &key_list[..]
        } else {
            keys
        };
        let elem_schema = schema.and_then(|s| self.schemas.elements(s));
        let aliased = aliased || !from_dest;
        let out = self.set_elements(values_list, keys, dest, &patch, elem_schema, aliased)?;
        Ok(Out::Keep(Value::Array(out), from_dest))
    }

    /// kyaml's `setAssociativeSequenceElements`.
    fn set_elements(
        &self,
        mut values_list: Vec<Vec<String>>,
        keys: &[String],
        mut dest: Vec<Value>,
        patch: &[Value],
        elem_schema: Option<&'a Node>,
        aliased: bool,
    ) -> Result<Vec<Value>, String> {
        let mut items = Vec::new();
        if keys.len() > 1 {
            merge_values(&mut values_list);
        }
        // kyaml appends the resource's elements with the keys of the last tuple walked.
        let mut last_keys = Vec::new();
        for values in &values_list {
            if values.is_empty() {
                continue;
            }
            let (valid_keys, valid_values) = validate_keys(&values_list, values, keys);
            last_keys.clone_from(&valid_keys);
            let (k, v) = validate_keys(
                std::slice::from_ref(&valid_values),
                &valid_values,
                &valid_keys,
            );
            let dest_index = find_element(&dest, &k, &v);
            let dest_elem = dest_index.map(|i| dest[i].clone());
            // kyaml strips a recognised `$patch` from the node it walks; aliased, that node is
            // also the resource's element, which keeps the change even when it survives.
            if let (true, Some(i)) = (aliased, dest_index) {
                strip_directive(&mut dest[i]);
            }
            let patch_elem = match aliased {
                true => dest_elem.clone(),
                false => find_element(patch, &k, &v).map(|i| patch[i].clone()),
            };
            let walked = self.walk(dest_elem, patch_elem, elem_schema, aliased)?;
            let (mut val, from_dest) = match walked {
                Out::Keep(v, from_dest) if !is_empty_map(&v) => (v, from_dest),
                _ => {
                    set_element(&mut dest, None, &valid_keys, &valid_values)?;
                    continue;
                }
            };
            for (key, value) in valid_keys.iter().zip(&valid_values) {
                if key.is_empty() || value.is_empty() {
                    continue;
                }
                match val.as_object_mut() {
                    Some(m) => {
                        m.entry(key.clone()).or_insert_with(|| plain_scalar(value));
                    }
                    None => return Err(wrong_kind(Kind::Map, &val)),
                }
            }
            // kyaml merged into the resource's element in place.
            if let (true, Some(i)) = (from_dest || aliased, dest_index) {
                dest[i] = val.clone();
            }
            set_element(&mut items, Some(&val), &valid_keys, &valid_values)?;
        }
        if values_list.is_empty() {
            return Ok(dest);
        }
        append_list(items, &dest, &last_keys)
    }
}

fn strip_directive(v: &mut Value) {
    if let Some(m) = v.as_object_mut()
        && matches!(
            m.get(PATCH).and_then(Value::as_str),
            Some("delete" | "replace" | "merge")
        )
    {
        m.remove(PATCH);
    }
}

/// Whether a string scalar must have been quoted to stay a string.
fn quoted_by_necessity(s: &str) -> bool {
    serde_json::from_str::<serde_json::Number>(s).is_ok()
        || matches!(
            s,
            "true"
                | "True"
                | "TRUE"
                | "false"
                | "False"
                | "FALSE"
                | "null"
                | "Null"
                | "NULL"
                | "~"
                | ""
        )
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn keep_patch_or_dest(dest: Option<Value>, patch: Option<Value>) -> Out {
    match (patch, dest) {
        (Some(p), _) => Out::Keep(p, false),
        (None, Some(d)) => Out::Keep(d, true),
        (None, None) => Out::Clear,
    }
}

/// The `$patch` directive of a list merged by key: the first element with a `$patch` field,
/// when it has no other field; recognised directives are removed from the list.
fn list_directive(patch: &mut Value) -> Result<Option<String>, String> {
    let Some(list) = patch.as_array_mut() else {
        return Ok(None);
    };
    let Some(elem) = list
        .iter()
        .filter_map(Value::as_object)
        .find(|m| m.contains_key(PATCH))
    else {
        return Ok(None);
    };
    if elem.len() > 1 {
        return Ok(None);
    }
    let value = text(&elem[PATCH]);
    match value.as_str() {
        "delete" | "replace" | "merge" => {
            set_element(
                list,
                None,
                &[PATCH.to_string()],
                std::slice::from_ref(&value),
            )?;
            Ok(Some(value))
        }
        other => Err(format!("unknown patch strategy '{other}'")),
    }
}

#[cfg(test)]
mod tests {
    //! Expected outputs were produced by `kubectl kustomize` (kustomize v5.5.0) on the same
    //! resource and patch.

    use super::*;
    use std::path::Path;

    fn doc(text: &str) -> Value {
        yaml::parse_one(text.as_bytes(), Path::new("t.yaml")).unwrap()
    }

    fn merge(dest: &str, patch: &str) -> Result<Option<String>, String> {
        let mut d = doc(dest);
        let kept = apply(&mut d, &doc(patch), Schemas::builtin())?;
        Ok(kept.then(|| yaml::to_string(&d)))
    }

    const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n";

    #[test]
    fn kubernetes_lists_merge_by_schema_key_patch_first() {
        let dest = format!(
            "{DEPLOYMENT}spec:\n  template:\n    spec:\n      containers:\n      \
             - {{name: a, image: a:1, env: [{{name: X, value: '1'}}]}}\n      \
             - {{name: b, image: b:1}}\n      tolerations: [{{key: y}}]\n"
        );
        let patch = format!(
            "{DEPLOYMENT}spec:\n  template:\n    spec:\n      containers:\n      \
             - {{name: a, image: a:2, env: [{{name: Y, value: '2'}}]}}\n      \
             - {{name: c, image: c:1}}\n      tolerations: [{{key: z}}]\n"
        );
        let want = format!(
            "{}spec:\n  template:\n    spec:\n      containers:\n      - env:\n        \
             - name: \"Y\"\n          value: \"2\"\n        - name: X\n          value: \"1\"\n        \
             image: a:2\n        name: a\n      - image: c:1\n        name: c\n      \
             - image: b:1\n        name: b\n      tolerations:\n      - key: z\n",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"
        );
        assert_eq!(merge(&dest, &patch).unwrap().unwrap(), want);
    }

    #[test]
    fn list_map_keys_match_ports_without_protocol() {
        let svc = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n";
        let dest = format!(
            "{svc}spec:\n  ports:\n  - {{port: 80, protocol: TCP, name: http}}\n  \
             - {{port: 80, protocol: UDP, name: httpu}}\n"
        );
        let patch = format!(
            "{svc}spec:\n  ports:\n  - {{port: 80, targetPort: 8080}}\n  \
             - {{port: 443, protocol: TCP, name: https}}\n"
        );
        // kyaml merges the protocol-less port into port 80/TCP, then puts the resource's
        // element back over the merged one: `targetPort` is lost.
        let got = doc(&merge(&dest, &patch).unwrap().unwrap());
        assert_eq!(
            got["spec"]["ports"],
            serde_json::json!([
                {"name": "https", "port": 443, "protocol": "TCP"},
                {"name": "http", "port": 80, "protocol": "TCP"},
                {"name": "httpu", "port": 80, "protocol": "UDP"}])
        );
    }

    #[test]
    fn patch_directives_in_maps_and_lists() {
        let dest = format!(
            "{DEPLOYMENT}spec:\n  selector:\n    matchLabels: {{a: b}}\n  template:\n    \
             metadata:\n      labels: {{a: b}}\n      annotations: {{c: d}}\n    spec:\n      \
             nodeName: null\n      initContainers: [{{name: i1}}]\n      \
             volumes: [{{name: v}}]\n      containers:\n      \
             - {{name: a, env: [{{name: F, value: old}}]}}\n      \
             - {{name: c}}\n      tolerations: [{{key: y}}]\n"
        );
        let patch = format!(
            "{DEPLOYMENT}spec:\n  selector:\n    $patch: replace\n    matchLabels: {{x: y}}\n  \
             template:\n    metadata:\n      labels: null\n      annotations: {{$patch: delete}}\n    \
             spec:\n      initContainers: [{{$patch: replace}}, {{name: i2}}]\n      \
             volumes: [{{$patch: delete}}]\n      containers:\n      \
             - {{$patch: merge}}\n      - {{name: a, env: [{{name: E, value: new}}]}}\n      \
             - {{name: c, $patch: delete}}\n      tolerations: [{{$patch: delete}}, {{key: t}}]\n      \
             newmap: {{a: 1, b: null, c: {{$patch: delete}}, d: {{$patch: replace, e: 1}}}}\n"
        );
        let got = doc(&merge(&dest, &patch).unwrap().unwrap());
        let spec = &got["spec"]["template"]["spec"];
        assert_eq!(
            got["spec"]["selector"],
            serde_json::json!({"matchLabels": {"x": "y"}})
        );
        assert_eq!(got["spec"]["template"]["metadata"], serde_json::json!({}));
        assert_eq!(spec["initContainers"], serde_json::json!([{"name": "i2"}]));
        assert!(spec.get("volumes").is_none());
        assert_eq!(
            spec["containers"],
            serde_json::json!([{"name": "a", "env": [
                {"name": "E", "value": "new"}, {"name": "F", "value": "old"}]}])
        );
        // A replaced list keeps directive elements as data.
        assert_eq!(
            spec["tolerations"],
            serde_json::json!([{"$patch": "delete"}, {"key": "t"}])
        );
        assert_eq!(spec["newmap"], serde_json::json!({"a": 1, "d": {"e": 1}}));
        assert_eq!(spec["nodeName"], Value::Null);
    }

    #[test]
    fn replace_inside_a_keyed_element_keeps_the_resource_element() {
        let dest = format!(
            "{DEPLOYMENT}spec:\n  template:\n    spec:\n      containers:\n      \
             - {{name: a, image: a:1, args: [x]}}\n"
        );
        let patch = format!(
            "{DEPLOYMENT}spec:\n  template:\n    spec:\n      containers:\n      \
             - {{name: a, $patch: replace, image: a:2}}\n"
        );
        let got = doc(&merge(&dest, &patch).unwrap().unwrap());
        assert_eq!(
            got["spec"]["template"]["spec"]["containers"],
            serde_json::json!([{"name": "a", "image": "a:1", "args": ["x"]}])
        );
    }

    #[test]
    fn apimachinery_only_directives_are_plain_fields() {
        const HEAD: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n";
        let dest = format!(
            "{HEAD}  finalizers: [a]\nspec:\n  template:\n    spec:\n      containers:\n      \
             - {{name: a, env: [{{name: X, value: '1'}}]}}\n      - {{name: b}}\n"
        );
        let patch = format!(
            "{HEAD}  finalizers: [b]\nspec:\n  template:\n    spec:\n      \
             $setElementOrder/containers: [{{name: b}}, {{name: a}}]\n      \
             $retainKeys: [containers]\n      $deleteFromPrimitiveList/finalizers: [a]\n      \
             containers:\n      - name: a\n        $setElementOrder/env: [{{name: X}}]\n"
        );
        let got = doc(&merge(&dest, &patch).unwrap().unwrap());
        let spec = &got["spec"]["template"]["spec"];
        assert_eq!(got["metadata"]["finalizers"], serde_json::json!(["b", "a"]));
        assert_eq!(
            spec["$setElementOrder/containers"],
            serde_json::json!([{"name": "b"}, {"name": "a"}])
        );
        assert_eq!(spec["$retainKeys"], serde_json::json!(["containers"]));
        assert_eq!(
            spec["$deleteFromPrimitiveList/finalizers"],
            serde_json::json!(["a"])
        );
        assert_eq!(
            spec["containers"][0]["$setElementOrder/env"],
            serde_json::json!([{"name": "X"}])
        );
        assert_eq!(spec["containers"][1], serde_json::json!({"name": "b"}));
    }

    #[test]
    fn an_element_without_the_key_wipes_the_keyed_ones() {
        let dest = format!(
            "{DEPLOYMENT}spec:\n  template:\n    spec:\n      containers:\n      \
             - {{name: a, image: a:1}}\n      - {{image: nameless}}\n      - {{name: b}}\n"
        );
        let patch = format!(
            "{DEPLOYMENT}spec:\n  template:\n    spec:\n      containers:\n      \
             - {{name: a, image: a:2}}\n"
        );
        let got = doc(&merge(&dest, &patch).unwrap().unwrap());
        assert_eq!(
            got["spec"]["template"]["spec"]["containers"],
            serde_json::json!([{"image": "nameless"}])
        );
    }

    #[test]
    fn kinds_without_schema_replace_lists_but_nested_kinds_merge() {
        let wrapper = "apiVersion: example.com/v1\nkind: Wrapper\nmetadata: {name: w}\n";
        let containers =
            |n: &str| format!("{{template: {{spec: {{containers: [{{name: {n}}}]}}}}}}");
        let dest = format!(
            "{wrapper}spec:\n  items: [{{name: a}}]\n  plain: {}\n  object: {{apiVersion: apps/v1, \
             kind: Deployment, spec: {}}}\n",
            containers("a"),
            containers("a")
        );
        let patch = format!(
            "{wrapper}spec:\n  items: [{{name: b}}]\n  plain: {}\n  object: {{apiVersion: apps/v1, \
             kind: Deployment, spec: {}}}\n",
            containers("b"),
            containers("b")
        );
        let got = doc(&merge(&dest, &patch).unwrap().unwrap());
        let names = |v: &Value| v["template"]["spec"]["containers"].clone();
        assert_eq!(got["spec"]["items"], serde_json::json!([{"name": "b"}]));
        assert_eq!(
            names(&got["spec"]["plain"]),
            serde_json::json!([{"name": "b"}])
        );
        assert_eq!(
            names(&got["spec"]["object"]["spec"]),
            serde_json::json!([{"name": "b"}, {"name": "a"}])
        );
    }

    #[test]
    fn added_subtrees_are_merged_with_themselves() {
        // The new container's list is walked against itself: the `$patch: delete` element
        // is not removed (its key tuple names no element), but loses its directive.
        let dest = format!("{DEPLOYMENT}spec:\n  template:\n    spec:\n      containers: []\n");
        let patch = format!(
            "{DEPLOYMENT}spec:\n  template:\n    spec:\n      containers:\n      - name: c\n        \
             ports: [{{containerPort: 53, $patch: delete}}, {{containerPort: '80', protocol: UDP}}]\n        \
             env: [{{name: A, $patch: delete}}, {{name: B, value: null}}]\n"
        );
        let got = doc(&merge(&dest, &patch).unwrap().unwrap());
        assert_eq!(
            got["spec"]["template"]["spec"]["containers"],
            serde_json::json!([{"name": "c", "env": [{"name": "B"}],
                "ports": [{"containerPort": 53}, {"containerPort": "80", "protocol": "UDP"}]}])
        );
    }

    #[test]
    fn a_quoted_string_stays_a_string() {
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";
        let got = merge(
            &format!("{cm}data: {{a: '80', b: x, c: 'true'}}\n"),
            &format!("{cm}data: {{a: 81, b: 82, c: false}}\n"),
        );
        assert_eq!(
            doc(&got.unwrap().unwrap())["data"],
            serde_json::json!({"a": "81", "b": 82, "c": "false"})
        );
    }

    #[test]
    fn errors_and_whole_resource_directives() {
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";
        let dest = format!("{cm}data: {{a: b}}\n");
        let err = merge(&dest, &format!("{cm}data: {{$patch: foo, x: y}}\n")).unwrap_err();
        assert_eq!(err, "unknown patch strategy 'foo'");
        let err = merge(&dest, &format!("{cm}data: hello\n")).unwrap_err();
        assert!(err.starts_with("wrong node kind: expected MappingNode but got ScalarNode"));
        assert_eq!(
            merge(&dest, &format!("{cm}$patch: delete\n")).unwrap(),
            None
        );
        let replaced = merge(
            &dest,
            &format!("{cm}$patch: replace\nbinaryData: {{k: dg==}}\n"),
        );
        assert_eq!(
            doc(&replaced.unwrap().unwrap()),
            doc(&format!("{cm}binaryData: {{k: dg==}}\n"))
        );
    }
}
