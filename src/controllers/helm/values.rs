//! The values a HelmRelease is released with, as helm-controller composes them
//! (`chartutil.ChartValuesFromReferences`), and their config digest
//! (`chartutil.DigestValues`).
//!
//! `spec.valuesFrom` is read in order: a reference without `targetPath` is a YAML document
//! merged over what came before (maps merged recursively, anything else replaced); one with
//! `targetPath` sets its raw value at that path with Helm's `--set` rules (`--set-string`
//! for a quoted value, verbatim with `literal`). `spec.values` is merged last.
//!
//! Flux works on Go maps, and a `targetPath` reference first merges `spec.values` into the
//! result, which then *shares* `spec.values`' nested maps and lists: a value set through
//! such a shared container changes `spec.values` too, so it survives the final merge ("a
//! target path overwrites everything before, including inline values"), while one set
//! beside `spec.values` (a top-level key, or under a map both sides had) loses to it. The
//! [`Heap`] here keeps that sharing so that the outcome is Flux's in each of these cases.
//!
//! The digest is not over JSON: Flux hashes the go-yaml v2 encoding of the values with every
//! map's keys in byte order (`chartutil.Encode` with `SortMapSlice`), and an empty map
//! hashes as no bytes at all.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::ResourceExt;
use serde_json::Value as Json;

use crate::api::helm::{HelmRelease, ValuesReference};
use crate::api::kustomize::ValuesReferenceKind;

pub use helm::values::Values;

/// The data key read when a reference names none (`GetValuesKey`).
pub const DEFAULT_VALUES_KEY: &str = "values.yaml";

/// The most bytes one reference may hold. The API server already refuses objects much larger
/// than this; the cap keeps a misconfigured server from making the controller parse without
/// bound.
pub const MAX_VALUES_BYTES: usize = 5 << 20;

/// The most bytes all of a release's references may hold together (each reference counts
/// every time it is listed).
pub const MAX_TOTAL_VALUES_BYTES: usize = 32 << 20;

/// The reference an error is about, displayed as Flux does:
/// `could not resolve [optional ]<Kind> chart values reference '<ns>/<name>' with key '<key>'`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
    pub key: String,
    pub optional: bool,
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let optional = if self.optional { " optional" } else { "" };
        write!(
            f,
            "could not resolve{optional} {} chart values reference '{}/{}' with key '{}'",
            self.kind, self.namespace, self.name, self.key
        )
    }
}

/// Why the values could not be composed. The texts are Flux's (`ErrValuesReference`).
#[derive(Debug, thiserror::Error)]
pub enum ValuesError {
    /// The ConfigMap or Secret does not exist (`ErrResourceNotFound`); `message` is the API
    /// server's, or `resource not found`.
    #[error("{reference}: {message}")]
    NotFound {
        reference: Reference,
        message: String,
    },
    /// The object has no such key (`ErrKeyNotFound`). A ConfigMap's `binaryData` is not
    /// read, as in Flux.
    #[error("{reference}: key not found")]
    KeyNotFound { reference: Reference },
    /// The key's data is not a YAML map, or is over [`MAX_VALUES_BYTES`] /
    /// [`MAX_TOTAL_VALUES_BYTES`] (`ErrValuesDataRead`).
    #[error("{reference}: {message}")]
    Read {
        reference: Reference,
        message: String,
    },
    /// The value could not be set at `targetPath` (`ErrValueMerge`): Helm's strvals error.
    #[error("{reference}: {message}")]
    Merge {
        reference: Reference,
        message: String,
    },
    /// Reading the object failed for another reason than its absence (RBAC, transport); Flux
    /// returns the API error as it is.
    #[error("{message}")]
    Get {
        message: String,
        #[source]
        source: kube::Error,
    },
}

impl ValuesError {
    /// A non-optional reference whose object or key is missing: it may appear later.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            ValuesError::NotFound { .. } | ValuesError::KeyNotFound { .. }
        )
    }

    /// A short label for metrics and logs.
    pub fn label(&self) -> &'static str {
        match self {
            ValuesError::NotFound { .. } => "not_found",
            ValuesError::KeyNotFound { .. } => "key_not_found",
            ValuesError::Read { .. } => "read",
            ValuesError::Merge { .. } => "merge",
            ValuesError::Get { .. } => "get",
        }
    }
}

/// The values a release is installed with: `spec.valuesFrom` in order, then `spec.values`,
/// as Flux merges them. References are read from `namespace` with `client`; each object is
/// read once, so every reference to it sees the same version.
pub async fn compose(
    client: &kube::Client,
    namespace: &str,
    obj: &HelmRelease,
) -> Result<Values, ValuesError> {
    let mut composer = Composer::new(inline(obj));
    // By kind and name; `None` for an object that does not exist.
    let mut objects: HashMap<(&'static str, String), Option<Data>> = HashMap::new();
    let mut total = 0usize;

    for r in obj.spec.values_from.iter().flatten() {
        let reference = reference(r, namespace, false);
        let cached = (reference.kind, r.name.clone());
        if !objects.contains_key(&cached) {
            // Not found is remembered too: every reference to the object sees one version.
            objects.insert(cached.clone(), None);
            match fetch(client, namespace, r).await {
                Ok(data) => {
                    objects.insert(cached.clone(), Some(data));
                }
                Err(e) if crate::ssa::is_not_found(&e) => {
                    let reference = reference.with_optional(r.optional == Some(true));
                    let message = crate::ssa::api_message(&e);
                    if reference.optional {
                        tracing::info!(
                            helmrelease = %format!("{namespace}/{}", obj.name_any()),
                            "{reference}: {message}"
                        );
                        continue;
                    }
                    return Err(ValuesError::NotFound { reference, message });
                }
                Err(e) => {
                    return Err(ValuesError::Get {
                        message: crate::ssa::api_message(&e),
                        source: e,
                    });
                }
            }
        }
        let optional = r.optional == Some(true);
        let Some(data) = objects.get(&cached).and_then(Option::as_ref) else {
            if optional {
                continue;
            }
            return Err(ValuesError::NotFound {
                reference,
                message: "resource not found".into(),
            });
        };
        let Some(data) = data.get(&reference.key) else {
            let reference = reference.with_optional(optional);
            if optional {
                tracing::info!(
                    helmrelease = %format!("{namespace}/{}", obj.name_any()),
                    "{reference}: key not found"
                );
                continue;
            }
            return Err(ValuesError::KeyNotFound { reference });
        };
        let reference = reference.with_optional(optional);
        let read_error = |message: String| ValuesError::Read {
            reference: reference.clone(),
            message,
        };
        if data.len() > MAX_VALUES_BYTES {
            return Err(read_error(format!(
                "the data is {} bytes, more than the {MAX_VALUES_BYTES} bytes read from one \
                 reference; split the values over several keys",
                data.len()
            )));
        }
        total += data.len();
        if total > MAX_TOTAL_VALUES_BYTES {
            return Err(read_error(format!(
                "the references hold more than {MAX_TOTAL_VALUES_BYTES} bytes together; \
                 move values into fewer or smaller references"
            )));
        }
        match r.target_path.as_deref().filter(|p| !p.is_empty()) {
            Some(path) => composer
                .set_at_path(path, data, r.literal == Some(true))
                .map_err(|message| ValuesError::Merge {
                    reference: reference.clone(),
                    message,
                })?,
            None => composer.merge_document(data).map_err(read_error)?,
        }
    }
    Ok(composer.finish())
}

/// `spec.values` alone, composed as [`compose`] does when no reference contributes: what a
/// render without the cluster uses (the caller decides what to do about `spec.valuesFrom`).
pub fn compose_inline(obj: &HelmRelease) -> Values {
    Composer::new(inline(obj)).finish()
}

/// `spec.values` as `GetValues` reads them: unmarshalled into a Go map, so numbers are
/// float64 and anything but an object is no values.
fn inline(obj: &HelmRelease) -> Option<Values> {
    match obj.spec.values.as_ref().map(|v| &v.0) {
        Some(Json::Object(m)) => match helm::yaml::numbers_to_f64(Json::Object(m.clone())) {
            Json::Object(m) => Some(m),
            _ => None,
        },
        _ => None,
    }
}

/// Flux's `config digest` of composed values: `sha256:<hex>` of their go-yaml v2 encoding
/// with map keys in byte order (`chartutil.DigestValues`); empty values digest no bytes.
pub fn digest(values: &Values) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    if !values.is_empty() {
        hasher.update(encode_sorted(values).as_bytes());
    }
    format!("sha256:{:x}", hasher.finalize())
}

/// The reference `r` of a HelmRelease in `namespace`, as messages name it.
pub fn reference(r: &ValuesReference, namespace: &str, optional: bool) -> Reference {
    Reference {
        kind: kind_name(r.kind),
        namespace: namespace.to_string(),
        name: r.name.clone(),
        key: r
            .values_key
            .clone()
            .filter(|k| !k.is_empty())
            .unwrap_or_else(|| DEFAULT_VALUES_KEY.to_string()),
        optional,
    }
}

impl Reference {
    fn with_optional(mut self, optional: bool) -> Reference {
        self.optional = optional;
        self
    }
}

fn kind_name(kind: ValuesReferenceKind) -> &'static str {
    match kind {
        ValuesReferenceKind::ConfigMap => "ConfigMap",
        ValuesReferenceKind::Secret => "Secret",
    }
}

/// A referenced object's data by key.
type Data = BTreeMap<String, Vec<u8>>;

/// The object's data as bytes: a Secret's `data`, a ConfigMap's `data` (not `binaryData`:
/// Flux reads only `data`).
async fn fetch(
    client: &kube::Client,
    namespace: &str,
    r: &ValuesReference,
) -> Result<Data, kube::Error> {
    Ok(match r.kind {
        ValuesReferenceKind::Secret => kube::Api::<Secret>::namespaced(client.clone(), namespace)
            .get(&r.name)
            .await?
            .data
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.0))
            .collect(),
        ValuesReferenceKind::ConfigMap => {
            kube::Api::<ConfigMap>::namespaced(client.clone(), namespace)
                .get(&r.name)
                .await?
                .data
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.into_bytes()))
                .collect()
        }
    })
}

/// The composition itself, without the cluster: the result so far and `spec.values`, in a
/// [`Heap`] that shares containers the way Flux's Go maps do.
struct Composer {
    heap: Heap,
    result: usize,
    inline: Option<usize>,
}

impl Composer {
    fn new(inline: Option<Values>) -> Composer {
        let mut heap = Heap::default();
        let inline = inline.map(|m| heap.alloc_map(m));
        let result = heap.new_map(BTreeMap::new());
        Composer {
            heap,
            result,
            inline,
        }
    }

    /// A reference without `targetPath`: `chartutil.ReadValues` merged over the result.
    fn merge_document(&mut self, data: &[u8]) -> Result<(), String> {
        let values = helm::values::read_values(data).map_err(|e| e.to_string())?;
        let values = self.heap.alloc_map(values);
        self.result = self.heap.merge_maps(self.result, Some(values));
        Ok(())
    }

    /// A reference with `targetPath`: `spec.values` merged into the result first, then the
    /// value set at the path (`ReplacePathValue`, or `ReplacePathLiteralValue` when
    /// `literal`).
    fn set_at_path(&mut self, path: &str, data: &[u8], literal: bool) -> Result<(), String> {
        self.result = self.heap.merge_maps(self.result, self.inline);
        let value = go_string(data);
        let (line, as_string) = if literal {
            // Every character strvals could read as syntax is escaped, so the value is taken
            // verbatim as a string while the path keeps its `--set` escapes.
            (format!("{path}={}", escape_strvals(&value)), true)
        } else {
            let quoted = |q: char| value.starts_with(q) && value.ends_with(q);
            if quoted('\'') || quoted('"') {
                let trimmed = value.trim_matches(|c| c == '\'' || c == '"');
                (format!("{path}={trimmed}"), true)
            } else {
                (format!("{path}={value}"), false)
            }
        };
        let parse = |dest: &mut Values| {
            if as_string {
                helm::strvals::parse_into_string(&line, dest)
            } else {
                helm::strvals::parse_into(&line, dest)
            }
        };
        let mut marks = Marks::new();
        let mut marked = match self.heap.export(&Val::Map(self.result), None, &mut marks) {
            Json::Object(m) => m,
            _ => unreachable!("a map exports as an object"),
        };
        if let Err(e) = parse(&mut marked) {
            // Marked scalars are strings to strvals; its message names the Go type of what
            // was in the way, so the unmarked values give the true message.
            let mut plain = self.heap.to_values(self.result);
            return Err(parse(&mut plain).err().unwrap_or(e).to_string());
        }
        match self.heap.import(Json::Object(marked), &marks) {
            Val::Map(id) => self.result = id,
            _ => unreachable!("an object imports as a map"),
        }
        Ok(())
    }

    /// `MergeMaps(result, spec.values)`.
    fn finish(mut self) -> Values {
        let root = self.heap.merge_maps(self.result, self.inline);
        self.heap.to_values(root)
    }
}

/// Go's `string(bytes)` as strvals reads it rune by rune: each byte of an invalid UTF-8
/// sequence becomes U+FFFD.
fn go_string(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len());
    let mut rest = data;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad = e.error_len().unwrap_or(after.len());
                out.extend(std::iter::repeat_n('\u{fffd}', bad));
                rest = &after[bad..];
            }
        }
    }
}

/// Escapes every character strvals treats as syntax in a value (`\`, `,`, a leading `{`,
/// and the key characters for good measure); `\x` reads back as `x`.
fn escape_strvals(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        if matches!(c, '\\' | ',' | '{' | '}' | '[' | ']' | '.' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A value in the [`Heap`]: maps and lists are shared handles, like Go's maps and slices.
#[derive(Clone, Debug)]
enum Val {
    Map(usize),
    List(usize),
    Scalar(Arc<Json>),
}

/// Go's `map[string]interface{}` values with their sharing: `MergeMaps` copies a map's
/// entries (so nested maps and lists stay shared), and a write into a shared container is
/// seen by every holder.
#[derive(Default)]
struct Heap {
    maps: Vec<BTreeMap<String, Val>>,
    lists: Vec<Vec<Val>>,
}

impl Heap {
    fn new_map(&mut self, m: BTreeMap<String, Val>) -> usize {
        self.maps.push(m);
        self.maps.len() - 1
    }

    fn new_list(&mut self, l: Vec<Val>) -> usize {
        self.lists.push(l);
        self.lists.len() - 1
    }

    fn alloc_map(&mut self, m: Values) -> usize {
        let entries = m.into_iter().map(|(k, v)| (k, self.alloc(v))).collect();
        self.new_map(entries)
    }

    fn alloc(&mut self, v: Json) -> Val {
        match v {
            Json::Object(m) => Val::Map(self.alloc_map(m)),
            Json::Array(l) => {
                let items = l.into_iter().map(|v| self.alloc(v)).collect();
                Val::List(self.new_list(items))
            }
            other => Val::Scalar(Arc::new(other)),
        }
    }

    /// Flux's `MergeMaps(a, b)`: a new map with `a`'s entries, then `b`'s over them; where
    /// both hold a map the two are merged into a new one, anything else of `b` is shared.
    fn merge_maps(&mut self, a: usize, b: Option<usize>) -> usize {
        let mut out = self.maps[a].clone();
        if let Some(b) = b {
            for (k, v) in self.maps[b].clone() {
                if let (Val::Map(bv), Some(Val::Map(av))) = (&v, out.get(&k)) {
                    let merged = self.merge_maps(*av, Some(*bv));
                    out.insert(k, Val::Map(merged));
                    continue;
                }
                out.insert(k, v);
            }
        }
        self.new_map(out)
    }

    fn to_json(&self, v: &Val) -> Json {
        match v {
            Val::Map(id) => Json::Object(self.to_values(*id)),
            Val::List(id) => Json::Array(self.lists[*id].iter().map(|v| self.to_json(v)).collect()),
            Val::Scalar(s) => Json::clone(s),
        }
    }

    fn to_values(&self, id: usize) -> Values {
        self.maps[id]
            .iter()
            .map(|(k, v)| (k.clone(), self.to_json(v)))
            .collect()
    }

    /// The value as strvals' input, every container marked so that [`Heap::import`] can
    /// tell which ones strvals changed in place: a map carries its id under a key nobody
    /// can write, and every non-null scalar is replaced by a marker naming it and the list
    /// slot it sits in. strvals only looks at what kind of value is in its way (map, list,
    /// null, anything else), which the marking keeps.
    fn export(&self, v: &Val, slot: Option<Slot>, marks: &mut Marks) -> Json {
        match v {
            Val::Map(id) => {
                if let Some(slot) = slot {
                    marks.map_slots.insert(*id, slot);
                }
                let mut m = Values::new();
                m.insert(marks.nonce.clone(), Json::from(*id as u64));
                for (k, c) in &self.maps[*id] {
                    m.insert(k.clone(), self.export(c, None, marks));
                }
                Json::Object(m)
            }
            Val::List(id) => {
                if let Some(slot) = slot {
                    marks.list_slots.insert(*id, slot);
                }
                Json::Array(
                    self.lists[*id]
                        .iter()
                        .enumerate()
                        .map(|(i, c)| self.export(c, Some((*id, i)), marks))
                        .collect(),
                )
            }
            Val::Scalar(s) if s.is_null() => Json::Null,
            Val::Scalar(s) => {
                marks.scalars.push((s.clone(), slot));
                Json::String(format!("{}{}", marks.nonce, marks.scalars.len() - 1))
            }
        }
    }

    /// strvals' output back into the heap: a marked map is the same container, updated in
    /// place; a list is the same container when it still holds something from its own
    /// slots and has its length (strvals grows a list into a new one, as Go's `setIndex`
    /// does); everything else is new.
    fn import(&mut self, v: Json, marks: &Marks) -> Val {
        match v {
            Json::String(s) => match marks.scalar(&s) {
                Some((value, _)) => Val::Scalar(value.clone()),
                None => Val::Scalar(Arc::new(Json::String(s))),
            },
            Json::Object(mut m) => {
                let id = m
                    .remove(&marks.nonce)
                    .and_then(|id| id.as_u64())
                    .and_then(|id| usize::try_from(id).ok())
                    .filter(|id| *id < self.maps.len());
                let entries = m
                    .into_iter()
                    .map(|(k, c)| (k, self.import(c, marks)))
                    .collect();
                match id {
                    Some(id) => {
                        self.maps[id] = entries;
                        Val::Map(id)
                    }
                    None => Val::Map(self.new_map(entries)),
                }
            }
            Json::Array(items) => {
                let len = items.len();
                let mut same = None;
                let mut out = Vec::with_capacity(len);
                for (i, c) in items.into_iter().enumerate() {
                    let scalar_slot = match &c {
                        Json::String(s) => marks.scalar(s).and_then(|(_, slot)| *slot),
                        _ => None,
                    };
                    let val = self.import(c, marks);
                    let slot = scalar_slot.or_else(|| match &val {
                        Val::Map(id) => marks.map_slots.get(id).copied(),
                        Val::List(id) => marks.list_slots.get(id).copied(),
                        Val::Scalar(_) => None,
                    });
                    if same.is_none()
                        && let Some((list, at)) = slot
                        && at == i
                        && self.lists[list].len() == len
                    {
                        same = Some(list);
                    }
                    out.push(val);
                }
                match same {
                    Some(id) => {
                        self.lists[id] = out;
                        Val::List(id)
                    }
                    None => Val::List(self.new_list(out)),
                }
            }
            other => Val::Scalar(Arc::new(other)),
        }
    }
}

/// A list slot: the list's id and the index in it.
type Slot = (usize, usize);

/// A marked scalar and the list slot it was in.
type Marked = (Arc<Json>, Option<Slot>);

/// What [`Heap::export`] marked.
struct Marks {
    /// Starts every marker; random, so no value or key read from a reference can be one.
    nonce: String,
    /// Each marked scalar, and the list slot it was in.
    scalars: Vec<Marked>,
    map_slots: HashMap<usize, Slot>,
    list_slots: HashMap<usize, Slot>,
}

impl Marks {
    fn new() -> Marks {
        Marks {
            nonce: format!("\u{0}tk-{:016x}:", fastrand::u64(..)),
            scalars: Vec::new(),
            map_slots: HashMap::new(),
            list_slots: HashMap::new(),
        }
    }

    fn scalar(&self, s: &str) -> Option<&Marked> {
        let i: usize = s.strip_prefix(self.nonce.as_str())?.parse().ok()?;
        self.scalars.get(i)
    }
}

/// The go-yaml v2 encoding Flux digests: `yaml.JSONObjectToYAMLObject` (integral floats
/// become integers), every map sorted by key bytes, block style with indent 2.
///
/// go-yaml's own writer ([`helm::yaml::to_yaml`]) orders keys as go-yaml sorts a
/// Go map (digit runs by value, letters first), not as Flux sorts them. So the structure
/// is laid out here, and each key and string is written by go-yaml itself inside a small
/// document that puts it at the same indentation and column, from which its text is cut.
/// Strings go-yaml cannot read back from JSON (C1 control characters, U+FFFE/U+FFFF, keys
/// over 1022 characters) are written JSON-quoted instead, and strings with U+0085 as
/// `json_to_yaml` folds them; Flux encodes those otherwise, so their digest differs.
fn encode_sorted(values: &Values) -> String {
    let mut w = YamlWriter::default();
    w.map(values, 0, false);
    if !w.out.ends_with(is_break) {
        w.out.push('\n');
    }
    w.out
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

#[derive(Default)]
struct YamlWriter {
    out: String,
    /// Key texts by key and indentation: list items repeat their keys.
    keys: HashMap<(String, usize), String>,
}

impl YamlWriter {
    /// go-yaml's `write_indent`: a line break unless the line is empty (or the value goes
    /// on the line of its list's `-`), then spaces up to `indent`.
    fn indent(&mut self, indent: usize, inline: bool) {
        if inline {
            self.out.push(' ');
            return;
        }
        if !self.out.is_empty() && !self.out.ends_with(is_break) {
            self.out.push('\n');
        }
        self.out.extend(std::iter::repeat_n(' ', indent));
    }

    /// A non-empty map whose keys start at column `indent`.
    fn map(&mut self, m: &Values, indent: usize, inline: bool) {
        let mut entries: Vec<(&String, &Json)> = m.iter().collect();
        entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        for (i, (k, v)) in entries.into_iter().enumerate() {
            self.indent(indent, inline && i == 0);
            let key = self.key(k, indent);
            self.out.push_str(&key);
            // After a complex key's `:` go-yaml stays "at the indentation": the value's
            // first entry or item follows on the same line, and a list is indented.
            let complex = key.starts_with("? ");
            match v {
                Json::Object(c) if !c.is_empty() => self.map(c, indent + 2, complex),
                // A list under a simple key is not indented in go-yaml v2.
                Json::Array(l) if !l.is_empty() && complex => self.seq(l, indent + 2, true),
                Json::Array(l) if !l.is_empty() => self.seq(l, indent, false),
                Json::String(s) => {
                    let text = map_string(k, &key, s, indent);
                    self.out.push_str(&text);
                }
                other => {
                    self.out.push(' ');
                    self.out.push_str(&plain(other));
                }
            }
        }
    }

    /// A non-empty list whose `-` are at column `indent`.
    fn seq(&mut self, l: &[Json], indent: usize, inline: bool) {
        for (i, v) in l.iter().enumerate() {
            self.indent(indent, inline && i == 0);
            self.out.push('-');
            match v {
                Json::Object(c) if !c.is_empty() => self.map(c, indent + 2, true),
                Json::Array(l) if !l.is_empty() => self.seq(l, indent + 2, true),
                Json::String(s) => self.out.push_str(&seq_string(s, indent)),
                other => {
                    self.out.push(' ');
                    self.out.push_str(&plain(other));
                }
            }
        }
    }

    /// A key at column `indent` through its `:` (`? key` and a line of its own for the `:`
    /// when go-yaml writes it as a complex key).
    fn key(&mut self, k: &str, indent: usize) -> String {
        if let Some(text) = self.keys.get(&(k.to_string(), indent)) {
            return text.clone();
        }
        let mut one = Values::new();
        one.insert(k.to_string(), Json::Null);
        let text = cut(&nest(indent / 2, Json::Object(one)), indent, "")
            .and_then(|rest| rest.strip_suffix(" null\n").map(str::to_owned))
            .unwrap_or_else(|| format!("{}:", quote_json(k)));
        self.keys.insert((k.to_string(), indent), text.clone());
        text
    }
}

/// `levels` single-item lists around `inner`: go-yaml writes them as `- - ` on one line, so a
/// map inside starts at column `2 * levels`, and a list inside has its `-` there.
fn nest(levels: usize, inner: Json) -> Json {
    (0..levels).fold(inner, |acc, _| Json::Array(vec![acc]))
}

/// go-yaml's document for `doc`, without the `- ` prefix of [`nest`] (for a map at
/// `indent`) and then `after`.
fn cut(doc: &Json, indent: usize, after: &str) -> Option<String> {
    let text = helm::yaml::to_yaml(doc).ok()?;
    let prefix = "- ".repeat(indent / 2);
    Some(text.strip_prefix(&prefix)?.strip_prefix(after)?.to_owned())
}

/// The text of string `s` as the value of key `k` (written `key`) in a map at `indent`.
fn map_string(k: &str, key: &str, s: &str, indent: usize) -> String {
    let mut one = Values::new();
    one.insert(k.to_string(), Json::String(s.to_string()));
    cut(&nest(indent / 2, Json::Object(one)), indent, key)
        .and_then(|rest| scalar_end(rest, s))
        .unwrap_or_else(|| format!(" {}", quote_json(s)))
}

/// The text of string `s` as an item of a list whose `-` are at `indent`.
fn seq_string(s: &str, indent: usize) -> String {
    let doc = nest(indent / 2 + 1, Json::String(s.to_string()));
    helm::yaml::to_yaml(&doc)
        .ok()
        .and_then(|text| {
            let prefix = format!("{}-", "- ".repeat(indent / 2));
            scalar_end(text.strip_prefix(&prefix)?.to_string(), s)
        })
        .unwrap_or_else(|| format!(" {}", quote_json(s)))
}

/// A scalar's text cut from the end of a document: the document's own final line break
/// goes, unless the scalar is a literal block that ends in one itself (go-yaml then adds
/// none).
fn scalar_end(mut rest: String, s: &str) -> Option<String> {
    if rest.starts_with(" |") && s.ends_with(is_break) {
        return Some(rest);
    }
    rest.pop().filter(|c| *c == '\n')?;
    Some(rest)
}

fn quote_json(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Scalars other than strings, and empty containers, as go-yaml v2 writes them after
/// `JSONObjectToYAMLObject`.
fn plain(v: &Json) -> String {
    match v {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => number(n),
        Json::Object(_) => "{}".into(),
        Json::Array(_) => "[]".into(),
        Json::String(s) => quote_json(s),
    }
}

/// `jsonToYAMLValue`: a float64 that is an int64 (or else a uint64) exactly is written as
/// that integer, any other float with `strconv.FormatFloat(f, 'g', -1, 64)`.
fn number(n: &serde_json::Number) -> String {
    if !n.is_f64() {
        return n.to_string();
    }
    let f = n.as_f64().unwrap_or_default();
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f.fract() == 0.0 {
        if (-TWO_63..TWO_63).contains(&f) {
            return (f as i64).to_string();
        }
        if (0.0..2.0 * TWO_63).contains(&f) {
            return (f as u64).to_string();
        }
    }
    format_g(f)
}

/// `strconv.FormatFloat(f, 'g', -1, 64)` for a finite `f`: the shortest digits that read
/// back as `f`, in `%e` form when the exponent is below -4 or at least 6.
fn format_g(f: f64) -> String {
    let text = format!("{f:e}");
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: Vec<char> = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::from(sign);
    if !(-4..6).contains(&exp) {
        out.push(digits[0]);
        if digits.len() > 1 {
            out.push('.');
            out.extend(&digits[1..]);
        }
        out.push_str(&format!(
            "e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        ));
        return out;
    }
    // The decimal point sits after `point` digits.
    let point = exp + 1;
    let digit = |i: i32| {
        usize::try_from(i)
            .ok()
            .and_then(|i| digits.get(i))
            .copied()
            .unwrap_or('0')
    };
    if point > 0 {
        (0..point).for_each(|i| out.push(digit(i)));
    } else {
        out.push('0');
    }
    let fraction = digits.len() as i32 - point;
    if fraction > 0 {
        out.push('.');
        (point..point + fraction).for_each(|i| out.push(digit(i)));
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(v: Json) -> Values {
        match v {
            Json::Object(m) => m,
            other => panic!("not an object: {other}"),
        }
    }

    /// A composer over `spec.values` given as YAML (numbers float64, as Flux reads them).
    fn composer(inline: &str) -> Composer {
        let inline =
            (!inline.is_empty()).then(|| helm::values::read_values(inline.as_bytes()).unwrap());
        Composer::new(inline)
    }

    #[test]
    fn merges_documents_in_order_then_inline_values() {
        // Flux's "merges" case.
        let mut c = composer("other: values\n");
        c.merge_document(b"flat: value\nnested:\n  configuration: value\n")
            .unwrap();
        c.merge_document(b"flat:\n  nested: value\nnested: value\n")
            .unwrap();
        assert_eq!(
            Json::Object(c.finish()),
            json!({"flat": {"nested": "value"}, "nested": "value", "other": "values"})
        );
    }

    #[test]
    fn merges_maps_recursively_and_replaces_everything_else() {
        let mut c = composer("b:\n  d: 3\nlist: [9]\n");
        c.merge_document(b"a: 1\nb: {c: 1, d: 1}\nlist: [1, 2]\ngone: {x: 1}\n")
            .unwrap();
        c.merge_document(b"b: {c: 2}\ngone: null\n").unwrap();
        assert_eq!(
            Json::Object(c.finish()),
            json!({"a": 1.0, "b": {"c": 2.0, "d": 3.0}, "list": [9.0], "gone": null})
        );
    }

    #[test]
    fn sets_a_value_at_a_nested_target_path() {
        let mut c = composer("");
        c.set_at_path("merge.at.specific.path", b"value", false)
            .unwrap();
        assert_eq!(
            Json::Object(c.finish()),
            json!({"merge": {"at": {"specific": {"path": "value"}}}})
        );
    }

    #[test]
    fn target_path_value_follows_set_syntax() {
        // Flux's TestReplacePathValue cases.
        let cases: &[(&str, &[u8], Json)] = &[
            (
                "outer.inner",
                b"value",
                json!({"outer": {"inner": "value"}}),
            ),
            ("name", b"{a,b,c}", json!({"name": ["a", "b", "c"]})),
            ("name", br"value1\,value2", json!({"name": "value1,value2"})),
            (
                "merge.at.specific.path",
                b"true",
                json!({"merge": {"at": {"specific": {"path": true}}}}),
            ),
            (
                "merge.at.specific.path",
                br#""true""#,
                json!({"merge": {"at": {"specific": {"path": "true"}}}}),
            ),
            (
                "merge.at[2]",
                b"value",
                json!({"merge": {"at": [null, null, "value"]}}),
            ),
            (
                r"nodeSelector.kubernetes\.io/role",
                b"master",
                json!({"nodeSelector": {"kubernetes.io/role": "master"}}),
            ),
            ("replicas", b"3", json!({"replicas": 3})),
            ("quoted", b"'0777'", json!({"quoted": "0777"})),
        ];
        for (path, value, want) in cases {
            let mut c = composer("");
            c.set_at_path(path, value, false).unwrap();
            assert_eq!(
                &Json::Object(c.finish()),
                want,
                "{path}={:?}",
                String::from_utf8_lossy(value)
            );
        }
    }

    #[test]
    fn literal_target_path_takes_the_value_verbatim() {
        let content = "a: 1,b=2\n[section]\nkey={x}\\y.z\n";
        let mut c = composer("");
        c.set_at_path(
            r"externalConfig.application\.yml.content",
            content.as_bytes(),
            true,
        )
        .unwrap();
        c.set_at_path("flag", b"true", true).unwrap();
        c.set_at_path("quoted", br#""x""#, true).unwrap();
        c.set_at_path("empty", b"", true).unwrap();
        assert_eq!(
            Json::Object(c.finish()),
            json!({
                "externalConfig": {"application.yml": {"content": content}},
                "flag": "true",
                "quoted": "\"x\"",
                "empty": "",
            })
        );
    }

    #[test]
    fn target_path_overwrites_inline_values_through_shared_containers() {
        // Flux's "target path precedence over all": the list is spec.values' own, so the
        // value set in it survives the final merge, and the later document loses to it.
        let mut c = composer("nested:\n  configuration:\n  - list\n  - item\n  - option\n");
        c.set_at_path("nested.configuration[0]", b"value", false)
            .unwrap();
        c.merge_document(b"flat: value\nnested:\n  configuration:\n  - one\n  - two\n  - three\n")
            .unwrap();
        assert_eq!(
            Json::Object(c.finish()),
            json!({"flat": "value", "nested": {"configuration": ["value", "item", "option"]}})
        );
    }

    #[test]
    fn target_path_in_inline_values_own_map_wins() {
        // The merge shares spec.values' map `nested`: the value is set in spec.values too.
        let mut c = composer("nested:\n  key: inline\n");
        c.set_at_path("nested.key", b"ref", false).unwrap();
        assert_eq!(Json::Object(c.finish()), json!({"nested": {"key": "ref"}}));
    }

    #[test]
    fn target_path_beside_inline_values_loses_to_them() {
        // A top-level key is set in the result's own map, not in spec.values: Flux's final
        // merge puts spec.values back over it.
        let mut c = composer("top: inline\n");
        c.set_at_path("top", b"ref", false).unwrap();
        c.set_at_path("fresh", b"ref", false).unwrap();
        assert_eq!(
            Json::Object(c.finish()),
            json!({"top": "inline", "fresh": "ref"})
        );

        // Under a map both the result and spec.values hold, the merge made a new map: the
        // value set there is not spec.values', which wins again.
        let mut c = composer("nested:\n  key: inline\n");
        c.merge_document(b"nested:\n  other: doc\n").unwrap();
        c.set_at_path("nested.key", b"ref", false).unwrap();
        assert_eq!(
            Json::Object(c.finish()),
            json!({"nested": {"key": "inline", "other": "doc"}})
        );
    }

    #[test]
    fn growing_a_shared_list_makes_a_new_one() {
        // Go's setIndex writes into a list long enough (spec.values' own here, so the value
        // survives) and copies one it has to grow (spec.values keeps its own).
        let mut c = composer("l: [a, b]\n");
        c.set_at_path("l[1]", b"x", false).unwrap();
        assert_eq!(Json::Object(c.finish()), json!({"l": ["a", "x"]}));
        let mut c = composer("l: [a, b]\n");
        c.set_at_path("l[2]", b"x", false).unwrap();
        assert_eq!(Json::Object(c.finish()), json!({"l": ["a", "b"]}));
        // The grown list is stored in spec.values' own map `m`, though.
        let mut c = composer("m:\n  l: [a]\n");
        c.set_at_path("m.l[2]", b"x", false).unwrap();
        c.set_at_path("m.l[0]", b"y", false).unwrap();
        assert_eq!(
            Json::Object(c.finish()),
            json!({"m": {"l": ["y", null, "x"]}})
        );
    }

    #[test]
    fn values_set_in_a_list_item_map_stay_shared() {
        let mut c = composer("items:\n- name: a\n  port: 1\n");
        c.set_at_path("items[0].port", b"2", false).unwrap();
        c.merge_document(b"items: []\n").unwrap();
        assert_eq!(
            Json::Object(c.finish()),
            json!({"items": [{"name": "a", "port": 2}]})
        );
    }

    #[test]
    fn target_path_errors_are_helms() {
        let mut c = composer("");
        c.merge_document(b"a: 1\n").unwrap();
        let e = c.set_at_path("a.b", b"x", false).unwrap_err();
        assert_eq!(
            e,
            "unable to parse key: interface conversion: interface {} is float64, not map[string]interface {}"
        );
        let e = composer("").set_at_path("a", b"x,b", false).unwrap_err();
        assert_eq!(e, "key \"b\" has no value");
    }

    #[test]
    fn invalid_documents_are_refused() {
        let mut c = composer("");
        assert!(c.merge_document(b"\ninvalid").is_err());
        assert!(c.merge_document(b"a: [\n").is_err());
        assert!(c.merge_document(b"\xff\xfe: 1\n").is_err());
    }

    #[test]
    fn floats_are_formatted_as_go_does() {
        let cases = [
            (0.5, "0.5"),
            (1e-7, "1e-07"),
            (1e-5, "1e-05"),
            (-0.0001, "-0.0001"),
            (123456.75, "123456.75"),
            (100000.5, "100000.5"),
            (1234567.5, "1.2345675e+06"),
            (100000000.5, "1.000000005e+08"),
            (1e21, "1e+21"),
            (1e100, "1e+100"),
            (5e-324, "5e-324"),
            (-2.5e-300, "-2.5e-300"),
        ];
        for (f, want) in cases {
            assert_eq!(format_g(f), want, "{f}");
        }
        let n = |v: Json| match v {
            Json::Number(n) => number(&n),
            _ => unreachable!(),
        };
        assert_eq!(n(json!(3.0)), "3");
        assert_eq!(n(json!(-0.0)), "0");
        assert_eq!(n(json!(-3)), "-3");
        // Integral float64s are integers first: exactly, not in their shortest digits.
        assert_eq!(n(json!(9223372036854775808.0)), "9223372036854775808");
        assert_eq!(n(json!(1e20)), "1e+20");
        assert_eq!(n(json!(1e19)), "10000000000000000000");
    }

    #[test]
    fn binary_data_becomes_a_string_as_go_reads_it() {
        assert_eq!(go_string(b"ok"), "ok");
        // Each byte of an invalid sequence is one U+FFFD (Rust's lossy conversion would
        // make one of the truncated sequence \xe2\x82).
        assert_eq!(go_string(b"a\xe2\x82b\xffc"), "a\u{fffd}\u{fffd}b\u{fffd}c");
        assert_eq!(go_string(b"\xe2\x82"), "\u{fffd}\u{fffd}");
        let mut c = composer("");
        c.set_at_path("bin", b"\x00\x01\xff", true).unwrap();
        assert_eq!(
            Json::Object(c.finish()),
            json!({"bin": "\u{0}\u{1}\u{fffd}"})
        );
    }

    #[test]
    fn reference_messages_are_fluxs() {
        let r = Reference {
            kind: "ConfigMap",
            namespace: "apps".into(),
            name: "values".into(),
            key: "values.yaml".into(),
            optional: false,
        };
        let e = ValuesError::KeyNotFound {
            reference: r.clone(),
        };
        assert_eq!(
            e.to_string(),
            "could not resolve ConfigMap chart values reference 'apps/values' with key 'values.yaml': key not found"
        );
        assert!(e.is_not_found());
        let e = ValuesError::NotFound {
            reference: r.with_optional(true),
            message: "configmaps \"values\" not found".into(),
        };
        assert_eq!(
            e.to_string(),
            "could not resolve optional ConfigMap chart values reference 'apps/values' with key 'values.yaml': configmaps \"values\" not found"
        );
    }

    #[test]
    fn digests_match_fluxs_test_vectors() {
        // fluxcd/pkg chartutil TestDigestValues.
        let empty = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(digest(&Values::new()), empty);
        let v = map(json!({
            "replicas": 3,
            "image": {"tag": "latest", "repository": "nginx"},
            "ports": [{"protocol": "TCP", "port": 8080}, {"port": 9090, "protocol": "UDP"}],
        }));
        assert_eq!(
            digest(&v),
            "sha256:fcdc2b0de1581a3633ada4afee3f918f6eaa5b5ab38c3fef03d5b48d3f85d9f6"
        );
        // go-yaml would sort these keys by their digit runs; Flux sorts bytes.
        let v = map(json!({
            "replicas": 3,
            "test": {
                "632bd80235a05f4192aefade": "value1",
                "632bd80ddf416cf32fd50679": "value2",
                "632bd817c559818a52307da2": "value3",
                "632bd82398e71231a98004b6": "value4",
            },
        }));
        assert_eq!(
            digest(&v),
            "sha256:8a980fcbeadd6f05818f07e8aec14070c22250ca3d96af1fcd5f93b3e85b4d70"
        );
    }

    #[test]
    fn digest_encodes_numbers_strings_and_order_as_flux() {
        // `n` is quoted: YAML 1.1 reads it as false.
        let v = map(json!({
            "k9": 1.0,
            "k10": 2.5,
            "a-b": "true",
            "aB": "x: y",
            "ab": "line1\nline2\n",
            "big": 1e21,
            "n": null,
            "e": {},
            "l": [[1, 2], "<&>", []],
        }));
        let yaml = "a-b: \"true\"\naB: 'x: y'\nab: |\n  line1\n  line2\nbig: 1e+21\ne: {}\n\
                    k10: 2.5\nk9: 1\nl:\n- - 1\n  - 2\n- <&>\n- []\n\"n\": null\n";
        assert_eq!(encode_sorted(&v), yaml);
        // printf '%s' "$yaml" | sha256sum
        assert_eq!(
            digest(&v),
            "sha256:167c248d883ad79fe2eaf6a435c32f3ec9e247ffc8ad08a8688dbb24f8082b50"
        );
    }

    /// Keys of lowercase letters sort the same in go-yaml and in Flux, so go-yaml's own
    /// encoding is the reference for the layout.
    #[test]
    fn layout_is_go_yamls() {
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..3000 {
            let v = map(random_map(&mut rng, 0));
            let want = helm::yaml::to_yaml(&Json::Object(v.clone())).unwrap();
            let want = if v.is_empty() { String::new() } else { want };
            let got = if v.is_empty() {
                String::new()
            } else {
                encode_sorted(&v)
            };
            assert_eq!(got, want, "for {}", Json::Object(v));
        }
    }

    fn random_string(rng: &mut fastrand::Rng) -> String {
        const PIECES: &[&str] = &[
            "word", " ", "  ", "\n", "\n\n", ":", ": ", "#", " #", "-", "- ", "'", "\"", "\\", "{",
            "[", "true", "0", "1.5", "~", "null", "é", "\t", "é ", "\u{2028}", "|", ">", "*", "&",
            "!", "%", "@", "`", "?", ",", "---", "...", "0x1F", "1_000", "12:30",
        ];
        let mut s = String::new();
        let n = match rng.u8(..10) {
            0 => 0,
            1 => rng.usize(20..60),
            _ => rng.usize(1..6),
        };
        for _ in 0..n {
            s.push_str(PIECES[rng.usize(..PIECES.len())]);
        }
        s
    }

    fn random_key(rng: &mut fastrand::Rng) -> String {
        let n = match rng.u8(..20) {
            0 => 0,
            1 => 130,
            _ => rng.usize(1..8),
        };
        (0..n).map(|_| rng.lowercase()).collect()
    }

    fn random_value(rng: &mut fastrand::Rng, depth: usize) -> Json {
        match rng.u8(..if depth > 3 { 6 } else { 9 }) {
            0 => Json::Null,
            1 => Json::Bool(rng.bool()),
            2 => json!(rng.i64(-1000..1000)),
            3 => json!(
                [
                    0.5, 3.0, 1e-7, 123456.75, 1e21, 1234567.5, -0.0001, 1e-5, 2.5e300
                ][rng.usize(..9)]
            ),
            4 | 5 => Json::String(random_string(rng)),
            6 => random_map(rng, depth + 1),
            _ => Json::Array(
                (0..rng.usize(0..4))
                    .map(|_| random_value(rng, depth + 1))
                    .collect(),
            ),
        }
    }

    fn random_map(rng: &mut fastrand::Rng, depth: usize) -> Json {
        let mut m = Values::new();
        for _ in 0..rng.usize(0..5) {
            m.insert(random_key(rng), random_value(rng, depth + 1));
        }
        Json::Object(m)
    }
}
