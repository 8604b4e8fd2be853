//! kustomize's `replacements`: copy one field of one resource into fields of others.
//!
//! Semantics follow kustomize v5.5's replacement filter: the source is found by id (current or
//! earlier), read with kyaml's `Lookup` path rules; targets are walked with kyaml's
//! `PathMatcher` rules (`*` over sequence items, `[key=regex]` item filters, numeric indexes).

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::patch::target::Selector as LabelSelector;
use crate::resource::{CLUSTER_SCOPED_KINDS, Resource};

/// kustomize's default source and target field.
const DEFAULT_FIELD_PATH: &str = "metadata.name";

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidKustomization(message.into())
}

/// Expands `path:` entries of a `replacements` list into inline replacements. A file holds one
/// replacement (a mapping) or several (a sequence). `load` reads a file named relative to the
/// kustomization, applying its load restrictions.
pub fn expand_paths(
    entries: &[Value],
    load: &dyn Fn(&str) -> Result<Vec<u8>>,
) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for entry in entries {
        let path = field(entry, "path").and_then(Value::as_str).unwrap_or("");
        if path.is_empty() {
            out.push(entry.clone());
            continue;
        }
        let inline = field(entry, "source").is_some_and(|v| !v.is_null())
            || field(entry, "targets")
                .and_then(Value::as_array)
                .is_some_and(|t| !t.is_empty());
        if inline {
            return Err(invalid(format!(
                "replacements: entry with path '{path}' also has an inline source or targets: cannot specify both path and inline replacement"
            )));
        }
        let bytes = load(path)
            .map_err(|e| invalid(format!("replacements: cannot load path '{path}': {e}")))?;
        let shown = std::path::Path::new(path);
        match crate::yaml::parse_one(&bytes, shown)? {
            Value::Array(items) => out.extend(items),
            v @ Value::Object(_) => out.push(v),
            other => {
                return Err(invalid(format!(
                    "replacements: file '{path}': unsupported replacement type encountered within replacement path: {}; write one replacement mapping or a list of them",
                    go_kind(&other)
                )));
            }
        }
    }
    Ok(out)
}

/// A kustomization's `replacements:` field: checks the entries strictly (as kustomize reads
/// a kustomization), loads `path:` entries, then applies every replacement in order.
pub fn run(
    resources: &mut [Resource],
    entries: &[Value],
    load: &dyn Fn(&str) -> Result<Vec<u8>>,
) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    for entry in entries {
        check_known_fields(entry, REPLACEMENT_FIELD_SCHEMA)?;
    }
    let replacements = expand_paths(entries, load)?;
    apply(resources, &replacements)
}

/// A `ReplacementTransformer` config's `replacements:` list: read leniently (unknown fields
/// ignored, as kustomize reads plugin configs), `path:` entries loaded, then applied.
// For `builtin`'s `kind: ReplacementTransformer`, which may not be wired in yet.
#[allow(dead_code)]
pub fn run_lenient(
    resources: &mut [Resource],
    entries: &[Value],
    load: &dyn Fn(&str) -> Result<Vec<u8>>,
) -> Result<()> {
    let replacements = expand_paths(entries, load)?;
    apply(resources, &replacements)
}

/// Applies inline replacements (`source` + `targets` mappings, `path:` already expanded), in
/// order: each sees the result of the previous ones.
pub fn apply(resources: &mut [Resource], replacements: &[Value]) -> Result<()> {
    for raw in replacements {
        let r = Replacement::parse(raw)?;
        let value = source_value(resources, &r.source)?;
        for target in &r.targets {
            apply_target(resources, &value, target)?;
        }
    }
    Ok(())
}

/// A field kustomize's types know: a leaf (`None`), or a mapping (or list of mappings) whose
/// own fields are checked in turn.
pub(crate) struct Known(pub &'static str, pub Option<&'static [Known]>);

const OPTIONS_SCHEMA: &[Known] = &[
    Known("delimiter", None),
    Known("index", None),
    Known("encoding", None),
    Known("create", None),
];
const SELECTOR_SCHEMA: &[Known] = &[
    Known("group", None),
    Known("version", None),
    Known("kind", None),
    Known("name", None),
    Known("namespace", None),
    Known("labelSelector", None),
    Known("annotationSelector", None),
];
const SOURCE_SCHEMA: &[Known] = &[
    Known("group", None),
    Known("version", None),
    Known("kind", None),
    Known("name", None),
    Known("namespace", None),
    Known("fieldPath", None),
    Known("options", Some(OPTIONS_SCHEMA)),
];
const TARGET_SCHEMA: &[Known] = &[
    Known("select", Some(SELECTOR_SCHEMA)),
    Known("reject", Some(SELECTOR_SCHEMA)),
    Known("fieldPaths", None),
    Known("options", Some(OPTIONS_SCHEMA)),
];
const REPLACEMENT_FIELD_SCHEMA: &[Known] = &[
    Known("path", None),
    Known("source", Some(SOURCE_SCHEMA)),
    Known("targets", Some(TARGET_SCHEMA)),
];

/// kustomize reads a kustomization strictly: a field its types lack is an error, named as
/// Go's encoding/json names it (keys match case-insensitively).
pub(crate) fn check_known_fields(v: &Value, schema: &[Known]) -> Result<()> {
    match v {
        Value::Array(items) => items.iter().try_for_each(|i| check_known_fields(i, schema)),
        Value::Object(map) => {
            for (key, value) in map {
                let known = schema
                    .iter()
                    .find(|k| k.0 == key)
                    .or_else(|| schema.iter().find(|k| k.0.eq_ignore_ascii_case(key)));
                match known {
                    None => {
                        return Err(invalid(format!("json: unknown field \"{key}\"")));
                    }
                    Some(Known(_, Some(inner))) => check_known_fields(value, inner)?,
                    Some(Known(_, None)) => {}
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A Go-style struct field lookup: exact key first, then case-insensitive (encoding/json).
pub(crate) fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    let map = v.as_object()?;
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

fn str_field(v: &Value, key: &str, what: &str) -> Result<String> {
    match field(v, key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(invalid(format!(
            "replacements: '{what}.{key}' must be a string, got {}",
            kind_name(other)
        ))),
    }
}

/// The Go reflect kind kustomize names for a decoded YAML value.
fn go_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "invalid",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "slice",
        Value::Object(_) => "map",
    }
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// kyaml's `ResId` used as a selector: blank fields match anything.
#[derive(Debug, Clone, Default, PartialEq)]
struct IdSelector {
    group: String,
    version: String,
    kind: String,
    name: String,
    namespace: String,
}

/// One id of a resource (current or earlier).
#[derive(Debug, Clone)]
pub(crate) struct Id {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

pub(crate) use crate::resource::gvk_string;

/// Whether a kind is cluster-scoped (only Kubernetes' own groups are known).
pub(crate) fn is_cluster_scoped(group: &str, kind: &str) -> bool {
    let builtin_group = !group.contains('.') || group.ends_with(".k8s.io");
    builtin_group && CLUSTER_SCOPED_KINDS.contains(&kind)
}

/// kyaml's effective namespace: cluster-scoped ids have none, blank means `default`.
pub(crate) fn effective_namespace<'a>(group: &str, kind: &str, ns: &'a str) -> &'a str {
    if is_cluster_scoped(group, kind) {
        "_non_namespaceable_"
    } else if ns.is_empty() || ns == "default" {
        "default"
    } else {
        ns
    }
}

/// The current id, then the earlier ones (group and version are always the current ones, as
/// kustomize records only kind, name and namespace history).
pub(crate) fn resource_ids(r: &Resource) -> Vec<Id> {
    let gvk = r.gvk();
    let mut ids = vec![Id {
        group: gvk.group.clone(),
        version: gvk.version.clone(),
        kind: gvk.kind.clone(),
        name: r.name().to_string(),
        namespace: r.namespace().to_string(),
    }];
    ids.extend(r.previous_ids().iter().map(|p| Id {
        group: gvk.group.clone(),
        version: gvk.version.clone(),
        kind: p.kind.clone(),
        name: p.name.clone(),
        namespace: p.namespace.clone(),
    }));
    ids
}

impl IdSelector {
    fn parse(v: &Value, what: &str) -> Result<Self> {
        Ok(Self {
            group: str_field(v, "group", what)?,
            version: str_field(v, "version", what)?,
            kind: str_field(v, "kind", what)?,
            name: str_field(v, "name", what)?,
            namespace: str_field(v, "namespace", what)?,
        })
    }

    fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// kyaml's `ResId.IsSelectedBy`, with `self` as the selector.
    fn selects(&self, id: &Id) -> bool {
        let exact = |want: &str, have: &str| want.is_empty() || want == have;
        exact(&self.name, &id.name)
            && (self.namespace.is_empty()
                || effective_namespace(&self.group, &self.kind, &self.namespace)
                    == effective_namespace(&id.group, &id.kind, &id.namespace))
            && exact(&self.group, &id.group)
            && exact(&self.version, &id.version)
            && exact(&self.kind, &id.kind)
    }

    fn selects_any(&self, r: &Resource) -> bool {
        resource_ids(r).iter().any(|id| self.selects(id))
    }
}

impl std::fmt::Display for IdSelector {
    /// kyaml's `ResId.String()`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let or = crate::resource::or_blank;
        write!(
            f,
            "{}/{}.{}",
            gvk_string(&self.group, &self.version, &self.kind),
            or(&self.name, "[noName]"),
            or(&self.namespace, "[noNs]")
        )
    }
}

#[derive(Debug, Clone, Default)]
struct Options {
    delimiter: String,
    index: i64,
    create: bool,
}

impl Options {
    fn parse(v: Option<&Value>, what: &str) -> Result<Option<Self>> {
        let Some(v) = v.filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        if !v.is_object() {
            return Err(invalid(format!(
                "replacements: '{what}.options' must be a mapping, got {}",
                kind_name(v)
            )));
        }
        let index = match field(v, "index") {
            None | Some(Value::Null) => 0,
            Some(n) => n.as_i64().ok_or_else(|| {
                invalid(format!(
                    "replacements: '{what}.options.index' must be an integer, got {n}"
                ))
            })?,
        };
        let create = match field(v, "create") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(invalid(format!(
                    "replacements: '{what}.options.create' must be true or false, got {other}"
                )));
            }
        };
        Ok(Some(Self {
            delimiter: str_field(v, "delimiter", &format!("{what}.options"))?,
            index,
            create,
        }))
    }
}

struct Source {
    id: IdSelector,
    field_path: String,
    options: Option<Options>,
}

impl std::fmt::Display for Source {
    /// kustomize's `SourceSelector.String()`: id, then field path and options when set.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.id)?;
        if !self.field_path.is_empty() {
            write!(f, ":{}", self.field_path)?;
        }
        if let Some(o) = &self.options
            && (!o.delimiter.is_empty() || o.create)
        {
            write!(f, ":{}({}), create={}", o.delimiter, o.index, o.create)?;
        }
        Ok(())
    }
}

struct Selector {
    id: IdSelector,
    labels: LabelSelector,
    annotations: LabelSelector,
    has_meta_selector: bool,
}

impl Selector {
    fn parse(v: &Value, what: &str) -> Result<Self> {
        if !v.is_object() {
            return Err(invalid(format!(
                "replacements: '{what}' must be a mapping, got {}",
                kind_name(v)
            )));
        }
        let label = str_field(v, "labelSelector", what)?;
        let annotation = str_field(v, "annotationSelector", what)?;
        let parse = |s: &str, key: &str| {
            LabelSelector::parse(s)
                .map_err(|e| invalid(format!("replacements: '{what}.{key}': {e}")))
        };
        Ok(Self {
            id: IdSelector::parse(v, what)?,
            labels: parse(&label, "labelSelector")?,
            annotations: parse(&annotation, "annotationSelector")?,
            has_meta_selector: !label.is_empty() || !annotation.is_empty(),
        })
    }

    fn matches_meta(&self, r: &Resource) -> bool {
        let meta = |key: &str| r.value().get("metadata").and_then(|m| m.get(key));
        self.labels.matches(meta("labels")) && self.annotations.matches(meta("annotations"))
    }
}

struct Target {
    select: Selector,
    reject: Vec<Selector>,
    field_paths: Vec<String>,
    options: Option<Options>,
}

impl Target {
    /// kustomize's target filter: label/annotation selectors first, then ids; a resource is
    /// rejected when any reject selector matches its labels/annotations or any of its ids.
    fn selects(&self, r: &Resource) -> bool {
        if !self.select.matches_meta(r) {
            return false;
        }
        if self
            .reject
            .iter()
            .any(|rej| rej.has_meta_selector && rej.matches_meta(r))
        {
            return false;
        }
        let ids = resource_ids(r);
        if !ids.iter().any(|id| self.select.id.selects(id)) {
            return false;
        }
        !self
            .reject
            .iter()
            .any(|rej| !rej.id.is_empty() && ids.iter().any(|id| rej.id.selects(id)))
    }
}

struct Replacement {
    source: Source,
    targets: Vec<Target>,
}

impl Replacement {
    fn parse(v: &Value) -> Result<Self> {
        if !v.is_object() {
            return Err(invalid(format!(
                "replacements: each entry must be a mapping with 'source' and 'targets', got {}",
                kind_name(v)
            )));
        }
        let source = field(v, "source").filter(|s| !s.is_null());
        let targets = field(v, "targets").filter(|t| !t.is_null());
        let no_targets = targets.and_then(Value::as_array).is_some_and(Vec::is_empty);
        let (Some(source), Some(targets), false) = (source, targets, no_targets) else {
            return Err(invalid(
                "replacements: replacements must specify a source and at least one target",
            ));
        };
        if !source.is_object() {
            return Err(invalid(format!(
                "replacements: 'source' must be a mapping, got {}",
                kind_name(source)
            )));
        }
        let source = Source {
            id: IdSelector::parse(source, "source")?,
            field_path: str_field(source, "fieldPath", "source")?,
            options: Options::parse(field(source, "options"), "source")?,
        };
        let Value::Array(raw_targets) = targets else {
            return Err(invalid(format!(
                "replacements: 'targets' must be a list, got {}",
                kind_name(targets)
            )));
        };
        let mut parsed = Vec::new();
        for t in raw_targets {
            let Some(select) = field(t, "select").filter(|s| !s.is_null()) else {
                return Err(invalid(
                    "replacements: target must specify resources to select (add 'select:' to every target)",
                ));
            };
            let reject = match field(t, "reject") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|i| Selector::parse(i, "targets.reject"))
                    .collect::<Result<_>>()?,
                Some(other) => {
                    return Err(invalid(format!(
                        "replacements: 'targets.reject' must be a list, got {}",
                        kind_name(other)
                    )));
                }
            };
            let mut field_paths = match field(t, "fieldPaths") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|i| {
                        i.as_str().map(str::to_string).ok_or_else(|| {
                            invalid(format!(
                                "replacements: 'targets.fieldPaths' must be a list of strings, got {i}"
                            ))
                        })
                    })
                    .collect::<Result<_>>()?,
                Some(other) => {
                    return Err(invalid(format!(
                        "replacements: 'targets.fieldPaths' must be a list, got {}",
                        kind_name(other)
                    )));
                }
            };
            if field_paths.is_empty() {
                field_paths.push(DEFAULT_FIELD_PATH.to_string());
            }
            parsed.push(Target {
                select: Selector::parse(select, "targets.select")?,
                reject,
                field_paths,
                options: Options::parse(field(t, "options"), "targets")?,
            });
        }
        Ok(Self {
            source,
            targets: parsed,
        })
    }
}

/// Finds the one source resource and reads (and refines) the value.
fn source_value(resources: &[Resource], source: &Source) -> Result<Value> {
    let mut found: Option<&Resource> = None;
    for r in resources {
        if source.id.selects_any(r) {
            if found.is_some() {
                return Err(invalid(format!(
                    "replacements: multiple matches for selector {source}: narrow the source with name, namespace or kind"
                )));
            }
            found = Some(r);
        }
    }
    let Some(r) = found else {
        return Err(invalid(format!(
            "replacements: nothing selected by {source}"
        )));
    };
    let path = if source.field_path.is_empty() {
        DEFAULT_FIELD_PATH
    } else {
        &source.field_path
    };
    let parts = smarter_split(path);
    let value = lookup(r.value(), &parts).map_err(|e| {
        invalid(format!(
            "replacements: error looking up replacement source: {e}"
        ))
    })?;
    let missing = match value {
        None | Some(Value::Null) => true,
        Some(Value::Object(m)) => m.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(_) => false,
    };
    if missing {
        return Err(invalid(format!(
            "replacements: fieldPath `{path}` is missing for replacement source {}",
            source.id
        )));
    }
    let value = value.cloned().unwrap_or(Value::Null);
    let Some(options) = source.options.as_ref().filter(|o| !o.delimiter.is_empty()) else {
        return Ok(value);
    };
    let Some(text) = scalar_text(&value) else {
        return Err(invalid(
            "replacements: delimiter option can only be used with scalar nodes",
        ));
    };
    let parts: Vec<&str> = text.split(options.delimiter.as_str()).collect();
    match usize::try_from(options.index)
        .ok()
        .and_then(|i| parts.get(i))
    {
        Some(part) => Ok(Value::String((*part).to_string())),
        None => Err(invalid(format!(
            "replacements: options.index {} is out of bounds for value {text}",
            options.index
        ))),
    }
}

/// The text of a scalar as YAML holds it; `None` for mappings and sequences.
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

fn apply_target(resources: &mut [Resource], value: &Value, target: &Target) -> Result<()> {
    for r in resources.iter_mut() {
        if !target.selects(r) {
            continue;
        }
        for path in &target.field_paths {
            let parts = parse_matcher_path(path);
            let create = target.options.as_ref().is_some_and(|o| o.create);
            let what = if create {
                "unable to find or create field"
            } else {
                "unable to find field"
            };
            let mut count = 0usize;
            // Writing fails apart from finding: kustomize reports it without the path prefix.
            let mut write_error = None;
            let id = r.id_string();
            let mut set = |node: &mut Value, created: bool| -> Result<(), String> {
                count += 1;
                set_field(node, value, target.options.as_ref(), created).map_err(|e| {
                    write_error = Some(e);
                    String::new()
                })
            };
            let create_kind = create.then(|| ValueKind::of(value));
            let found = match_path(r.value_mut(), &parts, create_kind, &mut set);
            if let Some(e) = write_error {
                return Err(invalid(format!(
                    "replacements: field {path:?} of {id}: {e}"
                )));
            }
            found.map_err(|e| {
                invalid(format!(
                    "replacements: {what} {path:?} in replacement target: {e}"
                ))
            })?;
            if count == 0 {
                return Err(invalid(format!(
                    "replacements: {what} {path:?} in replacement target {id} (add options.create: true to create it)"
                )));
            }
        }
        stringify_annotations(r);
    }
    Ok(())
}

/// kustomize rewrites annotations as strings when it finishes a build; scalars written into
/// them by a replacement or a var come out quoted.
pub(crate) fn stringify_annotations(r: &mut Resource) {
    let Some(Value::Object(map)) = r
        .value_mut()
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
    else {
        return;
    };
    for v in map.values_mut() {
        match v {
            Value::Bool(b) => *v = Value::String(b.to_string()),
            Value::Number(n) => *v = Value::String(n.to_string()),
            _ => {}
        }
    }
}

/// kustomize's `setFieldValue`: scalars keep their type and take the source's text (split
/// and rejoined around `delimiter` when set); mappings and sequences are replaced whole.
fn set_field(
    node: &mut Value,
    value: &Value,
    options: Option<&Options>,
    created: bool,
) -> Result<(), String> {
    let mut value = value.clone();
    if let Some(o) = options.filter(|o| !o.delimiter.is_empty()) {
        let Some(current) = scalar_text(node) else {
            return Err("delimiter option can only be used with scalar nodes".into());
        };
        let v = scalar_text(&value).unwrap_or_default();
        let mut parts: Vec<String> = current
            .split(o.delimiter.as_str())
            .map(str::to_string)
            .collect();
        match usize::try_from(o.index) {
            Err(_) => parts.insert(0, v),
            Ok(i) if i >= parts.len() => parts.push(v),
            Ok(i) => parts[i] = v,
        }
        value = Value::String(parts.join(&o.delimiter));
    }
    let scalar_source = !value.is_object() && !value.is_array();
    // kustomize copies only the text into a scalar field, which keeps its YAML type; text
    // that type cannot hold fails when kustomize reads the result back.
    let retyped = |text: &str, tag: &str| {
        Err(format!(
            "cannot write {text:?} into a field holding {tag}: the field keeps its type; make the source value fit it"
        ))
    };
    let text = scalar_text(&value).unwrap_or_default();
    *node = match node {
        Value::String(_) => Value::String(text),
        Value::Number(_) => match plain_scalar(&text) {
            n @ Value::Number(_) => n,
            _ => return retyped(&text, "a number"),
        },
        Value::Bool(_) => match text.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return retyped(&text, "a boolean"),
        },
        // A field this replacement created: kustomize prints the text plain, so it reads
        // back with the type the text implies.
        Value::Null if created && scalar_source => plain_scalar(&text),
        Value::Null if scalar_source => return retyped(&text, "null"),
        // A mapping or sequence source leaves an existing null field as it is.
        Value::Null if !created => Value::Null,
        Value::Null | Value::Object(_) | Value::Array(_) => value,
    };
    Ok(())
}

/// The value a plain (unquoted) YAML scalar reads as.
fn plain_scalar(text: &str) -> Value {
    match text {
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        _ => {}
    }
    let int_like = text
        .strip_prefix(['-', '+'])
        .unwrap_or(text)
        .chars()
        .all(|c| c.is_ascii_digit());
    if int_like && let Ok(i) = text.parse::<i64>() {
        return Value::from(i);
    }
    let float_like = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
        && text.chars().any(|c| c.is_ascii_digit());
    if float_like
        && let Ok(f) = text.parse::<f64>()
        && let Some(n) = serde_json::Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(text.to_string())
}

/// What a created field starts as (kyaml creates the final field with the source's kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    Scalar,
    Mapping,
    Sequence,
}

impl ValueKind {
    fn of(v: &Value) -> Self {
        match v {
            Value::Object(_) => Self::Mapping,
            Value::Array(_) => Self::Sequence,
            _ => Self::Scalar,
        }
    }

    fn empty(self) -> Value {
        match self {
            Self::Scalar => Value::Null,
            Self::Mapping => Value::Object(Map::new()),
            Self::Sequence => Value::Array(Vec::new()),
        }
    }
}

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Part {
    /// A mapping key.
    Field(String),
    /// A sequence index.
    Index(usize),
    /// `[key=value]`: sequence items whose `key` field matches; an empty key matches scalar
    /// items themselves.
    Match { key: String, value: String },
    /// `*`: every sequence item.
    Wildcard,
    /// `-`: the last sequence item (source lookups only).
    Last,
    /// A malformed part: the error kyaml reports when the walk reaches it.
    Invalid(String),
}

/// kyaml's `PathSplitter`: split on `.`, where `\.` is a literal dot.
fn path_split(path: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, piece) in path.split('.').enumerate() {
        if i > 0
            && let Some(last) = out.last_mut()
            && last.ends_with('\\')
        {
            last.pop();
            last.push('.');
            last.push_str(piece);
            continue;
        }
        out.push(piece.to_string());
    }
    out
}

/// kyaml's `SmarterPathSplitter`: dots inside `[...]` do not split, and brackets around a
/// plain key holding dots (`[config.kubernetes.io/local-config]`) are dropped.
pub(crate) fn smarter_split(path: &str) -> Vec<String> {
    let split = path_split(path);
    let mut out = Vec::new();
    let mut i = 0;
    while i < split.len() {
        let elem = &split[i];
        if elem.starts_with('[') && !elem.ends_with(']') {
            let mut joined = vec![elem.clone()];
            while i + 1 < split.len() {
                i += 1;
                joined.push(split[i].clone());
                if split[i].ends_with(']') {
                    break;
                }
            }
            let joined = joined.join(".");
            if joined.ends_with(']') && !joined.contains('=') {
                out.push(joined[1..joined.len() - 1].to_string());
            } else {
                out.push(joined);
            }
        } else {
            out.push(elem.clone());
        }
        i += 1;
    }
    out
}

fn is_list_index(part: &str) -> bool {
    part.len() >= 2 && part.starts_with('[') && part.ends_with(']')
}

/// `[key=value]` as a part; brackets without `=` are an error once the walk reaches them.
fn split_index(part: &str) -> Part {
    let inner = &part[1..part.len() - 1];
    match inner.split_once('=') {
        Some((k, v)) => Part::Match {
            key: k.to_string(),
            value: v.to_string(),
        },
        None => Part::Invalid(
            "list path element must contain fieldName=fieldValue for element to match".into(),
        ),
    }
}

/// Target paths: kyaml's `PathMatcher` parts.
fn parse_matcher_path(path: &str) -> Vec<Part> {
    smarter_split(path)
        .into_iter()
        .map(|p| {
            if is_list_index(&p) {
                split_index(&p)
            } else if p == "*" {
                Part::Wildcard
            } else if let Ok(i) = p.parse::<usize>() {
                Part::Index(i)
            } else {
                Part::Field(p)
            }
        })
        .collect()
}

/// Source paths: kyaml's `PathGetter` parts.
pub(crate) fn parse_getter_parts(parts: &[String]) -> Result<Vec<Part>, String> {
    parts
        .iter()
        .map(|p| {
            if let Ok(i) = p.parse::<i64>() {
                return usize::try_from(i)
                    .map(Part::Index)
                    .map_err(|_| format!("array index {i} cannot be negative"));
            }
            Ok(match p.as_str() {
                "-" => Part::Last,
                "*" => return Err("wildcard is not supported in PathGetter".into()),
                _ if is_list_index(p) => match split_index(p) {
                    Part::Invalid(e) => return Err(e),
                    part => part,
                },
                _ => Part::Field(p.clone()),
            })
        })
        .collect()
}

fn node_kind(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "MappingNode",
        Value::Array(_) => "SequenceNode",
        _ => "ScalarNode",
    }
}

fn wrong_kind(expected: &str, v: &Value) -> String {
    format!(
        "wrong node kind: expected {expected} but got {}: node contents:\n{}",
        node_kind(v),
        crate::yaml::to_string(v)
    )
}

/// kyaml's `Lookup`: one node or none. `[key=value]` compares exactly and takes the first
/// matching item.
pub(crate) fn lookup<'a>(node: &'a Value, parts: &[String]) -> Result<Option<&'a Value>, String> {
    let parts = parse_getter_parts(parts)?;
    let mut cur = node;
    for part in &parts {
        if cur.is_null() {
            return Ok(None);
        }
        let next = match part {
            Part::Field(name) => match cur {
                Value::Object(m) => m.get(name),
                _ => return Err(wrong_kind("MappingNode", cur)),
            },
            Part::Index(i) => match cur {
                Value::Array(a) => a.get(*i),
                _ => return Err(wrong_kind("SequenceNode", cur)),
            },
            Part::Last => match cur {
                Value::Array(a) => a.last(),
                _ => return Err(wrong_kind("SequenceNode", cur)),
            },
            Part::Match { key, value } => match cur {
                Value::Array(a) => a.iter().find(|item| {
                    let probe = if key.is_empty() {
                        Some(*item)
                    } else {
                        item.get(key)
                    };
                    probe.and_then(scalar_text).as_deref() == Some(value.as_str())
                        && (key.is_empty() || item.is_object())
                }),
                _ => return Err(wrong_kind("SequenceNode", cur)),
            },
            Part::Wildcard => return Err("wildcard is not supported in PathGetter".into()),
            Part::Invalid(e) => return Err(e.clone()),
        };
        match next {
            Some(n) => cur = n,
            None => return Ok(None),
        }
    }
    Ok(Some(cur))
}

/// kyaml's `PathMatcher`: calls `set` on every node the path reaches, creating missing parts
/// when `create` is set (the final part as `create`'s kind).
fn match_path(
    node: &mut Value,
    parts: &[Part],
    create: Option<ValueKind>,
    set: &mut dyn FnMut(&mut Value, bool) -> Result<(), String>,
) -> Result<(), String> {
    match_from(node, parts, create, set, false)
}

/// `created`: `node` was just created by this walk.
fn match_from(
    node: &mut Value,
    parts: &[Part],
    create: Option<ValueKind>,
    set: &mut dyn FnMut(&mut Value, bool) -> Result<(), String>,
    created: bool,
) -> Result<(), String> {
    let Some((first, rest)) = parts.split_first() else {
        return set(node, created);
    };
    // What a missing part is created as: a sequence before an index or item filter, the
    // source's kind at the end, a mapping otherwise.
    let next_kind = |create: ValueKind| match rest.first() {
        None => create.empty(),
        Some(Part::Index(_) | Part::Match { .. }) => Value::Array(Vec::new()),
        Some(_) => Value::Object(Map::new()),
    };
    match first {
        Part::Field(name) => {
            if node.is_null() {
                match create {
                    Some(_) => *node = Value::Object(Map::new()),
                    None => return Ok(()),
                }
            }
            let Value::Object(map) = node else {
                return Err(wrong_kind("MappingNode", node));
            };
            let mut fresh = false;
            if !map.contains_key(name) {
                match create {
                    Some(kind) => {
                        map.insert(name.clone(), next_kind(kind));
                        fresh = true;
                    }
                    None => return Ok(()),
                }
            }
            let child = map.get_mut(name).expect("present");
            if child.is_null() && !rest.is_empty() {
                match create {
                    Some(kind) => *child = next_kind(kind),
                    None => return Ok(()),
                }
            }
            match_from(child, rest, create, set, fresh)
        }
        Part::Index(i) => {
            if node.is_null() {
                return Ok(());
            }
            let Value::Array(items) = node else {
                return Err(wrong_kind("SequenceNode", node));
            };
            let mut fresh = false;
            if let Some(kind) = create
                && items.len() == *i
            {
                items.push(next_kind(kind));
                fresh = true;
            }
            match items.get_mut(*i) {
                Some(item) => match_from(item, rest, create, set, fresh),
                None => Ok(()),
            }
        }
        Part::Wildcard => {
            if node.is_null() {
                return Ok(());
            }
            let Value::Array(items) = node else {
                return Err(wrong_kind("SequenceNode", node));
            };
            for item in items {
                match_from(item, rest, create, set, false)?;
            }
            Ok(())
        }
        Part::Match { key, value } => {
            if node.is_null() {
                return Ok(());
            }
            let Value::Array(items) = node else {
                return Err(wrong_kind("SequenceNode", node));
            };
            // kyaml compiles the value as an unanchored regular expression.
            let re = regex::Regex::new(value).map_err(|e| e.to_string())?;
            let mut matched = false;
            for item in items.iter_mut() {
                let text = if key.is_empty() {
                    scalar_text(item).filter(|_| !item.is_object() && !item.is_array())
                } else {
                    item.get(key.as_str()).and_then(scalar_text)
                };
                if text.is_some_and(|t| re.is_match(&t)) {
                    matched = true;
                    match_from(item, rest, create, set, false)?;
                }
            }
            // With create, a missing item is appended with the filter's key and value.
            if !matched && create.is_some() && !key.is_empty() {
                let mut item = Map::new();
                item.insert(key.clone(), Value::String(value.clone()));
                items.push(Value::Object(item));
                let last = items.last_mut().expect("just pushed");
                match_from(last, rest, create, set, true)?;
            }
            Ok(())
        }
        Part::Last => Err("'-' is not supported in a replacement target path".into()),
        Part::Invalid(e) if !node.is_null() => Err(e.clone()),
        Part::Invalid(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn res(v: Value) -> Resource {
        Resource::from_value(v).unwrap()
    }

    #[test]
    fn splits_paths_like_kyaml() {
        assert_eq!(
            smarter_split("spec.containers.[name=a.b].image"),
            vec!["spec", "containers", "[name=a.b]", "image"]
        );
        assert_eq!(
            smarter_split("metadata.annotations.[config.kubernetes.io/local-config]"),
            vec![
                "metadata",
                "annotations",
                "config.kubernetes.io/local-config"
            ]
        );
        assert_eq!(smarter_split(r"data.a\.b"), vec!["data", "a.b"]);
        assert_eq!(smarter_split("metadata.[name]"), vec!["metadata", "[name]"]);
        assert!(matches!(parse_matcher_path("[name]")[0], Part::Invalid(_)));
        assert!(parse_getter_parts(&["[name]".to_string()]).is_err());
        assert_eq!(
            parse_matcher_path("a.*.0.[=x]"),
            vec![
                Part::Field("a".into()),
                Part::Wildcard,
                Part::Index(0),
                Part::Match {
                    key: String::new(),
                    value: "x".into()
                }
            ]
        );
        assert!(parse_getter_parts(&["-1".to_string()]).is_err());
        assert!(parse_getter_parts(&["*".to_string()]).is_err());
    }

    #[test]
    fn lookup_follows_getter_rules() {
        let v = json!({"spec": {"ports": [{"name": "a", "port": 1}, {"name": "b", "port": 2}]}});
        let get = |p: &str| lookup(&v, &smarter_split(p)).unwrap().cloned();
        assert_eq!(get("spec.ports.1.port"), Some(json!(2)));
        assert_eq!(get("spec.ports.[name=b].port"), Some(json!(2)));
        assert_eq!(get("spec.ports.-.name"), Some(json!("b")));
        assert_eq!(get("spec.ports.[name=c].port"), None);
        assert_eq!(get("spec.nope.x"), None);
        assert!(lookup(&v, &smarter_split("spec.ports.name")).is_err());
    }

    fn deployment() -> Resource {
        res(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "deploy"},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [
                {"name": "app", "image": "nginx", "env": [{"name": "P", "value": "1"}]},
                {"name": "app2", "image": "nginx"}
            ]}}}
        }))
    }

    fn config_map() -> Resource {
        res(json!({
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "src"},
            "data": {"port": "8080", "host": "example.com"}
        }))
    }

    #[test]
    fn item_filters_are_unanchored_regexes() {
        let mut rs = vec![config_map(), deployment()];
        apply(
            &mut rs,
            &[json!({
                "source": {"kind": "ConfigMap", "fieldPath": "data.host"},
                "targets": [{"select": {"kind": "Deployment"},
                    "fieldPaths": ["spec.template.spec.containers.[name=ap].image"]}]
            })],
        )
        .unwrap();
        let c = &rs[1].value()["spec"]["template"]["spec"]["containers"];
        assert_eq!(c[0]["image"], "example.com");
        assert_eq!(c[1]["image"], "example.com");
    }

    #[test]
    fn scalars_keep_their_type_and_created_fields_read_plain() {
        let mut rs = vec![config_map(), deployment()];
        apply(
            &mut rs,
            &[json!({
                "source": {"kind": "ConfigMap", "fieldPath": "data.port"},
                "targets": [{"select": {"kind": "Deployment"},
                    "fieldPaths": ["spec.replicas",
                        "spec.template.spec.containers.0.env.[name=P].value",
                        "spec.new.created",
                        "spec.template.spec.containers.[name=new].image",
                        "metadata.annotations.a"],
                    "options": {"create": true}}]
            })],
        )
        .unwrap();
        let d = rs[1].value();
        assert_eq!(d["spec"]["replicas"], json!(8080));
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"],
            json!("8080")
        );
        assert_eq!(d["spec"]["new"]["created"], json!(8080));
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"][2],
            json!({"name": "new", "image": 8080})
        );
        assert_eq!(d["metadata"]["annotations"]["a"], json!("8080"));
    }

    #[test]
    fn delimiters_split_and_join() {
        let mut rs = vec![config_map(), deployment()];
        apply(
            &mut rs,
            &[json!({
                "source": {"kind": "Deployment", "fieldPath": "spec.replicas"},
                "targets": [
                    {"select": {"kind": "ConfigMap"}, "fieldPaths": ["data.host"],
                     "options": {"delimiter": ".", "index": 0}},
                    {"select": {"kind": "ConfigMap"}, "fieldPaths": ["data.port"],
                     "options": {"delimiter": "8", "index": 5}},
                ]
            })],
        )
        .unwrap();
        assert_eq!(rs[0].value()["data"]["host"], "1.com");
        assert_eq!(rs[0].value()["data"]["port"], "808081");
        let mut rs = vec![config_map(), deployment()];
        let err = apply(
            &mut rs,
            &[json!({
                "source": {"kind": "ConfigMap", "fieldPath": "data.host",
                           "options": {"delimiter": ".", "index": 3}},
                "targets": [{"select": {"kind": "Deployment"}}]
            })],
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("options.index 3 is out of bounds for value example.com")
        );
    }

    #[test]
    fn kustomize_errors() {
        let run = |r: Value| {
            let mut rs = vec![config_map(), deployment()];
            apply(&mut rs, &[r]).unwrap_err().to_string()
        };
        assert!(
            run(json!({"source": {"fieldPath": "data.host"},
                "targets": [{"select": {"kind": "Deployment"}}]}))
            .contains(
                "multiple matches for selector [noKind].[noVer].[noGrp]/[noName].[noNs]:data.host"
            )
        );
        assert!(
            run(
                json!({"source": {"kind": "Foo", "namespace": "bar", "name": "x",
                "version": "v1", "group": "g"}, "targets": [{"select": {"kind": "Deployment"}}]})
            )
            .contains("nothing selected by Foo.v1.g/x.bar")
        );
        assert!(
            run(json!({"source": {"kind": "ConfigMap", "fieldPath": "data.nothere"},
                "targets": [{"select": {"kind": "Deployment"}}]}))
            .contains("fieldPath `data.nothere` is missing for replacement source ConfigMap.[noVer].[noGrp]/[noName].[noNs]")
        );
        assert!(
            run(json!({"source": {"kind": "ConfigMap"},
                "targets": [{"select": {"kind": "Deployment"},
                "fieldPaths": ["spec.template.spec.containers.[name=app].nothere"]}]}))
            .contains("unable to find field \"spec.template.spec.containers.[name=app].nothere\" in replacement target")
        );
        assert!(
            run(json!({"source": {"kind": "ConfigMap"},
                "targets": [{"select": {"kind": "Deployment"},
                "fieldPaths": ["spec.template.*"]}]}))
            .contains("wrong node kind: expected SequenceNode but got MappingNode")
        );
        assert!(
            run(json!({"source": {"kind": "ConfigMap"}}))
                .contains("replacements must specify a source and at least one target")
        );
        assert!(
            run(json!({"source": {"kind": "ConfigMap"}, "targets": [{"fieldPaths": ["a"]}]}))
                .contains("target must specify resources to select")
        );
    }

    #[test]
    fn existing_null_fields_are_not_retyped() {
        let pod = || {
            res(
                json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "pod"},
                "spec": {"a": null, "d": {}, "n": 1}}),
            )
        };
        let run = |path: &str, field: &str| {
            let mut rs = vec![config_map(), pod()];
            apply(
                &mut rs,
                &[json!({"source": {"kind": "ConfigMap", "fieldPath": field},
                    "targets": [{"select": {"kind": "Pod"}, "fieldPaths": [path]}]})],
            )
            .map(|()| rs[1].value()["spec"].clone())
            .map_err(|e| e.to_string())
        };
        assert!(
            run("spec.a", "data.host")
                .unwrap_err()
                .contains("holding null")
        );
        assert!(
            run("spec.n", "data.host")
                .unwrap_err()
                .contains("holding a number")
        );
        assert_eq!(run("spec.n", "data.port").unwrap()["n"], json!(8080));
        assert_eq!(run("spec.a", "data").unwrap()["a"], Value::Null);
        assert_eq!(
            run("spec.d", "data").unwrap()["d"],
            json!({"port": "8080", "host": "example.com"})
        );
    }

    #[test]
    fn reject_by_any_id_and_select_by_labels() {
        let mut dep = deployment();
        dep.store_previous_id();
        dep.value_mut()["metadata"]["name"] = json!("deploy-dev");
        let mut other = deployment();
        other.value_mut()["metadata"]["name"] = json!("other");
        other.value_mut()["metadata"]["labels"] = json!({"app": "x"});
        let mut rs = vec![config_map(), dep, other];
        apply(
            &mut rs,
            &[json!({
                "source": {"kind": "ConfigMap", "fieldPath": "data.host"},
                "targets": [{"select": {"kind": "Deployment", "labelSelector": "app=x"},
                    "reject": [{"name": "deploy"}],
                    "fieldPaths": ["spec.template.spec.containers.0.image"]}]
            })],
        )
        .unwrap();
        let image =
            |r: &Resource| r.value()["spec"]["template"]["spec"]["containers"][0]["image"].clone();
        assert_eq!(image(&rs[1]), json!("nginx"));
        assert_eq!(image(&rs[2]), json!("example.com"));
    }
}
