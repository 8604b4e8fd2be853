use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};

use super::{ChartVersion, IndexFile, Timestamp};
use crate::chart::{Metadata, json_kind};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// `encoding/json`: types must match, unknown keys are ignored.
    Json,
    /// `sigs.k8s.io/yaml.UnmarshalStrict`: scalars become text in string fields,
    /// unknown keys are errors, errors are wrapped.
    Yaml,
}

type R<T> = std::result::Result<T, String>;

pub(super) fn index(doc: &Json, mode: Mode) -> R<IndexFile> {
    let mut d = Decoder {
        mode,
        coerce: mode == Mode::Yaml,
        stack: Vec::new(),
    };
    d.index(doc).map_err(|e| match mode {
        Mode::Json => e,
        Mode::Yaml => format!("error unmarshaling JSON: while decoding JSON: {e}"),
    })
}

struct Decoder {
    mode: Mode,
    /// sigs.k8s.io/yaml turns YAML numbers and booleans into text for string fields
    /// it can see. It cannot see through `ChartVersion`'s embedded `*Metadata`
    /// pointer (it looks a field up by its first index only), so Chart.yaml fields
    /// of an entry get no such help and a number there is a type error.
    coerce: bool,
    /// Go's `errorContext.FieldStack`: the Go field names from the document root.
    stack: Vec<&'static str>,
}

/// Go's case folding for field names (`encoding/json.foldName`) as far as it can
/// reach the ASCII names used here: `ſ` folds to `S` and the Kelvin sign to `K`.
fn fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ſ' => 'S',
            '\u{212A}' => 'K',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

const INDEX_FIELDS: &[&str] = &[
    "serverInfo",
    "apiVersion",
    "generated",
    "entries",
    "publicKeys",
    "annotations",
];

/// `ChartVersion`'s fields: the embedded `Metadata`'s, then its own.
const METADATA_FIELDS: &[&str] = &[
    "name",
    "home",
    "sources",
    "version",
    "description",
    "keywords",
    "maintainers",
    "icon",
    "apiVersion",
    "condition",
    "tags",
    "appVersion",
    "deprecated",
    "annotations",
    "kubeVersion",
    "dependencies",
    "type",
];
const CHART_VERSION_FIELDS: &[&str] = &[
    "urls",
    "created",
    "removed",
    "digest",
    "checksum",
    "engine",
    "tillerVersion",
    "url",
];
const MAINTAINER_FIELDS: &[&str] = &["name", "email", "url"];
const DEPENDENCY_FIELDS: &[&str] = &[
    "name",
    "version",
    "repository",
    "condition",
    "tags",
    "enabled",
    "import-values",
    "alias",
];

impl Decoder {
    fn type_error(&self, got: &Json, strukt: &str, ty: &str) -> String {
        format!(
            "json: cannot unmarshal {} into Go struct field {strukt}.{} of type {ty}",
            json_kind(got),
            self.stack.join(".")
        )
    }

    /// Calls `f` for each key that names one of `fields` (exactly, else case-folded),
    /// with the field's Go name pushed on the stack.
    fn fields(
        &mut self,
        obj: &Map<String, Json>,
        fields: &[&'static str],
        mut f: impl FnMut(&mut Decoder, &'static str, &Json) -> R<()>,
    ) -> R<()> {
        for (key, value) in obj {
            let found = fields
                .iter()
                .find(|n| **n == key)
                .or_else(|| {
                    let k = fold(key);
                    fields.iter().find(|n| fold(n) == k)
                })
                .copied();
            match found {
                Some(name) => {
                    let depth = self.stack.len();
                    f(self, name, value)?;
                    self.stack.truncate(depth);
                }
                None if self.mode == Mode::Yaml => {
                    return Err(format!(
                        "json: unknown field {}",
                        gotemplate::fmt::quote(key)
                    ));
                }
                None => {}
            }
        }
        Ok(())
    }

    fn index(&mut self, doc: &Json) -> R<IndexFile> {
        let mut index = IndexFile::default();
        let obj = match doc {
            Json::Null => return Ok(index),
            Json::Object(o) => o,
            other => {
                return Err(format!(
                    "json: cannot unmarshal {} into Go value of type repo.IndexFile",
                    json_kind(other)
                ));
            }
        };
        self.fields(obj, INDEX_FIELDS, |d, name, v| {
            d.stack.push(name);
            const S: &str = "IndexFile";
            match name {
                "serverInfo" => match v {
                    Json::Null => {}
                    Json::Object(m) => {
                        for (k, v) in m {
                            index
                                .server_info
                                .insert(k.clone(), crate::yaml::numbers_to_f64(v.clone()));
                        }
                    }
                    other => return Err(d.type_error(other, S, "map[string]interface {}")),
                },
                "apiVersion" => {
                    if let Some(s) = d.string(v, S)? {
                        index.api_version = s;
                    }
                }
                "generated" => {
                    if let Some(t) = d.time(v)? {
                        index.generated = t;
                    }
                }
                "entries" => d.entries(v, &mut index)?,
                "publicKeys" => {
                    if let Some(l) = d.string_list(v, S)? {
                        index.public_keys = l;
                    }
                }
                _ => {
                    if let Some(m) = d.string_map(v, S)? {
                        index.annotations.extend(m);
                    }
                }
            }
            Ok(())
        })?;
        Ok(index)
    }

    fn entries(&mut self, v: &Json, index: &mut IndexFile) -> R<()> {
        let obj = match v {
            Json::Null => return Ok(()),
            Json::Object(o) => o,
            other => {
                return Err(self.type_error(other, "IndexFile", "map[string]repo.ChartVersions"));
            }
        };
        index.entries_nil = false;
        for (name, list) in obj {
            let items = match list {
                Json::Null => {
                    index.nil_lists.insert(name.clone());
                    index.entries.insert(name.clone(), Vec::new());
                    continue;
                }
                Json::Array(a) => a,
                other => return Err(self.type_error(other, "IndexFile", "repo.ChartVersions")),
            };
            index.nil_lists.remove(name);
            let mut versions = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    // Helm drops nil entries; Go code reading them would panic.
                    Json::Null => {}
                    Json::Object(o) => versions.push(self.chart_version(o)?),
                    other => {
                        return Err(self.type_error(other, "IndexFile", "repo.ChartVersion"));
                    }
                }
            }
            index.entries.insert(name.clone(), versions);
        }
        Ok(())
    }

    fn chart_version(&mut self, obj: &Map<String, Json>) -> R<ChartVersion> {
        let mut cv = ChartVersion::default();
        let mut md = Map::new();
        let all: Vec<&'static str> = METADATA_FIELDS
            .iter()
            .chain(CHART_VERSION_FIELDS)
            .copied()
            .collect();
        const S: &str = "ChartVersion";
        self.fields(obj, &all, |d, name, v| {
            if METADATA_FIELDS.contains(&name) {
                d.stack.push("Metadata");
                d.stack.push(name);
                let coerce = std::mem::replace(&mut d.coerce, false);
                let value = d.metadata_field(name, v);
                d.coerce = coerce;
                if let Some(value) = value? {
                    md.insert(name.to_string(), value);
                }
                return Ok(());
            }
            d.stack.push(name);
            match name {
                "urls" => {
                    if let Some(l) = d.string_list(v, S)? {
                        cv.urls = l;
                        cv.urls_nil = false;
                    }
                }
                "created" => {
                    if let Some(t) = d.time(v)? {
                        cv.created = t;
                    }
                }
                "removed" => {
                    if let Some(b) = d.bool(v, S)? {
                        cv.removed = b;
                    }
                }
                _ => {
                    if let Some(s) = d.string(v, S)? {
                        match name {
                            "digest" => cv.digest = s,
                            "checksum" => cv.checksum = s,
                            "engine" => cv.engine = s,
                            "tillerVersion" => cv.tiller_version = s,
                            _ => cv.url = s,
                        }
                    }
                }
            }
            Ok(())
        })?;
        cv.metadata = serde_json::from_value::<Metadata>(Json::Object(md))
            .map_err(|e| format!("json: {e}"))?;
        Ok(cv)
    }

    /// One Chart.yaml field of an entry, as the JSON `Metadata` deserializes.
    fn metadata_field(&mut self, name: &str, v: &Json) -> R<Option<Json>> {
        const S: &str = "ChartVersion";
        Ok(match name {
            "sources" | "keywords" => self.string_list(v, S)?.map(Json::from),
            "deprecated" => self.bool(v, S)?.map(Json::Bool),
            "annotations" => self
                .string_map(v, S)?
                .map(|m| Json::Object(m.into_iter().map(|(k, v)| (k, Json::String(v))).collect())),
            "maintainers" => self.struct_list(
                v,
                S,
                MAINTAINER_FIELDS,
                "Maintainer",
                "[]*chart.Maintainer",
                "chart.Maintainer",
            )?,
            "dependencies" => self.struct_list(
                v,
                S,
                DEPENDENCY_FIELDS,
                "Dependency",
                "[]*chart.Dependency",
                "chart.Dependency",
            )?,
            _ => self.string(v, S)?.map(Json::String),
        })
    }

    /// `[]*chart.Maintainer` or `[]*chart.Dependency`: nulls stay null (validation
    /// refuses them), objects are decoded field by field.
    fn struct_list(
        &mut self,
        v: &Json,
        parent: &str,
        fields: &[&'static str],
        strukt: &'static str,
        list_ty: &str,
        elem_ty: &str,
    ) -> R<Option<Json>> {
        let items = match v {
            Json::Null => return Ok(None),
            Json::Array(a) => a,
            other => return Err(self.type_error(other, parent, list_ty)),
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let obj = match item {
                Json::Null => {
                    out.push(Json::Null);
                    continue;
                }
                Json::Object(o) => o,
                other => return Err(self.type_error(other, parent, elem_ty)),
            };
            let mut decoded = Map::new();
            self.fields(obj, fields, |d, name, v| {
                d.stack.push(name);
                let value = match name {
                    "tags" => d.string_list(v, strukt)?.map(Json::from),
                    "enabled" => d.bool(v, strukt)?.map(Json::Bool),
                    "import-values" => match v {
                        Json::Null => None,
                        Json::Array(a) => Some(Json::Array(
                            a.iter().cloned().map(crate::yaml::numbers_to_f64).collect(),
                        )),
                        other => return Err(d.type_error(other, strukt, "[]interface {}")),
                    },
                    _ => d.string(v, strukt)?.map(Json::String),
                };
                if let Some(value) = value {
                    decoded.insert(name.to_string(), value);
                }
                Ok(())
            })?;
            out.push(Json::Object(decoded));
        }
        Ok(Some(Json::Array(out)))
    }

    /// A Go `string` field. From YAML, booleans and numbers arrive as their text,
    /// as sigs.k8s.io/yaml writes them for string targets.
    fn string(&self, v: &Json, strukt: &str) -> R<Option<String>> {
        match v {
            Json::Null => Ok(None),
            Json::String(s) => Ok(Some(s.clone())),
            Json::Bool(b) if self.coerce => Ok(Some(b.to_string())),
            Json::Number(n) if self.coerce => Ok(Some(if n.is_f64() {
                gotemplate::fmt::format_float(n.as_f64().unwrap_or(0.0), b'g', -1, 32)
            } else {
                n.to_string()
            })),
            other => Err(self.type_error(other, strukt, "string")),
        }
    }

    fn bool(&self, v: &Json, strukt: &str) -> R<Option<bool>> {
        match v {
            Json::Null => Ok(None),
            Json::Bool(b) => Ok(Some(*b)),
            other => Err(self.type_error(other, strukt, "bool")),
        }
    }

    /// `[]string`: a null element is Go's zero string.
    fn string_list(&self, v: &Json, strukt: &str) -> R<Option<Vec<String>>> {
        match v {
            Json::Null => Ok(None),
            Json::Array(a) => a
                .iter()
                .map(|e| Ok(self.string(e, strukt)?.unwrap_or_default()))
                .collect::<R<Vec<_>>>()
                .map(Some),
            other => Err(self.type_error(other, strukt, "[]string")),
        }
    }

    fn string_map(&self, v: &Json, strukt: &str) -> R<Option<BTreeMap<String, String>>> {
        match v {
            Json::Null => Ok(None),
            Json::Object(m) => m
                .iter()
                .map(|(k, e)| Ok((k.clone(), self.string(e, strukt)?.unwrap_or_default())))
                .collect::<R<BTreeMap<_, _>>>()
                .map(Some),
            other => Err(self.type_error(other, strukt, "map[string]string")),
        }
    }

    /// `time.Time`: its `UnmarshalJSON` wants a JSON string (null leaves it alone).
    fn time(&self, v: &Json) -> R<Option<Timestamp>> {
        match v {
            Json::Null => Ok(None),
            Json::String(s) => Timestamp::parse_rfc3339(s)
                .map(Some)
                .map_err(|e| e.to_string()),
            _ => Err("Time.UnmarshalJSON: input is not a JSON string".into()),
        }
    }
}
