//! The chart model: what a chart directory or archive holds once loaded, with the
//! JSON field names Helm uses in release records.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value as Json;

use crate::values::Values;
use crate::{Error, Result};

pub const API_VERSION_V1: &str = "v1";
pub const API_VERSION_V2: &str = "v2";

/// One file of a chart, path relative to the chart root with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct File {
    pub name: String,
    /// Helm stores file contents as a Go `[]byte`, which JSON carries as base64.
    #[serde(serialize_with = "ser_bytes", deserialize_with = "de_bytes")]
    pub data: Vec<u8>,
}

impl File {
    pub fn new(name: impl Into<String>, data: impl Into<Vec<u8>>) -> File {
        File {
            name: name.into(),
            data: data.into(),
        }
    }
}

fn ser_bytes<S: Serializer>(data: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(data))
}

fn de_bytes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    match s {
        None => Ok(Vec::new()),
        Some(s) => base64::engine::general_purpose::STANDARD
            .decode(s.as_bytes())
            .map_err(serde::de::Error::custom),
    }
}

/// Go's `null` for a nil slice or map reads as empty.
pub(crate) fn de_null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Maintainer {
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub name: String,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub email: String,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub url: String,
}

/// An entry of `dependencies` in Chart.yaml (or requirements.yaml for apiVersion v1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dependency {
    #[serde(default, deserialize_with = "de_null_default")]
    pub name: String,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub version: String,
    #[serde(default, deserialize_with = "de_null_default")]
    pub repository: String,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub condition: String,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub tags: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "std::ops::Not::not",
        deserialize_with = "de_null_default"
    )]
    pub enabled: bool,
    /// Strings (`exports.<name>`) or `{child, parent}` maps, as written.
    #[serde(
        rename = "import-values",
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub import_values: Vec<Json>,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub alias: String,
}

/// Chart.yaml. Field order is Go's, which fixes the JSON order in release records.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub name: String,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub home: String,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub sources: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub version: String,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub description: String,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub keywords: Vec<String>,
    /// `None` entries are YAML nulls, which validation rejects as Helm does.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub maintainers: Vec<Option<Maintainer>>,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub icon: String,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub api_version: String,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub condition: String,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub tags: String,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub app_version: String,
    #[serde(
        default,
        skip_serializing_if = "std::ops::Not::not",
        deserialize_with = "de_null_default"
    )]
    pub deprecated: bool,
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub annotations: BTreeMap<String, String>,
    #[serde(
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub kube_version: String,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub dependencies: Vec<Option<Dependency>>,
    #[serde(
        rename = "type",
        default,
        skip_serializing_if = "String::is_empty",
        deserialize_with = "de_null_default"
    )]
    pub chart_type: String,
}

/// Chart.lock / requirements.lock.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lock {
    /// RFC 3339 text as written; Go's zero time when absent.
    #[serde(default = "zero_time", deserialize_with = "de_time")]
    pub generated: String,
    #[serde(default, deserialize_with = "de_null_default")]
    pub digest: String,
    #[serde(
        default,
        serialize_with = "ser_null_if_empty",
        deserialize_with = "de_null_default"
    )]
    pub dependencies: Vec<Option<Dependency>>,
}

fn zero_time() -> String {
    "0001-01-01T00:00:00Z".to_string()
}

fn de_time<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_else(zero_time))
}

fn ser_null_if_empty<S: Serializer, T: Serialize>(v: &Vec<T>, s: S) -> Result<S::Ok, S::Error> {
    if v.is_empty() {
        s.serialize_none()
    } else {
        v.serialize(s)
    }
}

/// A loaded chart and its loaded sub-charts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chart {
    pub metadata: Metadata,
    pub lock: Option<Lock>,
    pub templates: Vec<File>,
    pub values: Values,
    pub schema: Option<Vec<u8>>,
    pub files: Vec<File>,
    /// Every file as loaded, Chart.yaml and values.yaml included (Helm's `Raw`).
    pub raw: Vec<File>,
    pub dependencies: Vec<Chart>,
}

/// A CRD file of a chart or of one of its sub-charts, with the path Helm shows
/// (`parent/charts/sub/crds/foo.yaml`).
#[derive(Debug, Clone)]
pub struct CrdFile<'a> {
    pub filename: String,
    pub file: &'a File,
}

impl Chart {
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    pub fn is_library(&self) -> bool {
        self.metadata.chart_type == "library"
    }

    pub fn validate(&self) -> Result<()> {
        let mut md = self.metadata.clone();
        md.validate()
    }

    /// `crds/*.yaml|yml|json` of this chart, then of each sub-chart, depth first, named
    /// as Helm names them (`<chart>/charts/<sub>/crds/x.yaml`).
    pub fn crd_objects(&self) -> Vec<CrdFile<'_>> {
        let mut out = Vec::new();
        self.collect_crds(self.name(), &mut out);
        out
    }

    fn collect_crds<'a>(&'a self, full_path: &str, out: &mut Vec<CrdFile<'a>>) {
        for f in &self.files {
            if f.name.starts_with("crds/") && has_manifest_extension(&f.name) {
                out.push(CrdFile {
                    filename: format!("{full_path}/{}", f.name),
                    file: f,
                });
            }
        }
        for dep in &self.dependencies {
            dep.collect_crds(&format!("{full_path}/charts/{}", dep.name()), out);
        }
    }
}

fn has_manifest_extension(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    match base.rfind('.') {
        Some(i) => {
            let ext = &base[i..];
            [".yaml", ".yml", ".json"]
                .iter()
                .any(|e| ext.eq_ignore_ascii_case(e))
        }
        None => false,
    }
}

fn validation(msg: impl Into<String>) -> Error {
    Error::Chart(format!("validation: {}", msg.into()))
}

/// Go's `unicode.IsSpace` becomes a plain space and unprintable runes are dropped, so
/// that metadata cannot smuggle control sequences into terminals and logs.
pub fn sanitize_string(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() || is_format_char(c) {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

fn is_format_char(c: char) -> bool {
    matches!(c, '\u{AD}' | '\u{600}'..='\u{605}' | '\u{61C}' | '\u{6DD}' | '\u{70F}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}'
        | '\u{E000}'..='\u{F8FF}')
}

fn is_alias_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Go's `filepath.Base` on a Unix path.
fn path_base(p: &str) -> &str {
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return if p.is_empty() { "." } else { "/" };
    }
    t.rsplit('/').next().unwrap_or(t)
}

impl Dependency {
    fn validate(&mut self) -> Result<()> {
        self.name = sanitize_string(&self.name);
        self.version = sanitize_string(&self.version);
        self.repository = sanitize_string(&self.repository);
        self.condition = sanitize_string(&self.condition);
        for t in &mut self.tags {
            *t = sanitize_string(t);
        }
        if !self.alias.is_empty() && !is_alias_name(&self.alias) {
            return Err(validation(format!(
                "dependency {} has disallowed characters in the alias",
                gotemplate::fmt::quote(&self.name)
            )));
        }
        Ok(())
    }
}

impl Metadata {
    /// Helm's `Metadata.Validate`: sanitises text fields in place, then checks them.
    pub fn validate(&mut self) -> Result<()> {
        for s in [
            &mut self.name,
            &mut self.description,
            &mut self.home,
            &mut self.icon,
            &mut self.condition,
            &mut self.tags,
            &mut self.app_version,
            &mut self.kube_version,
        ] {
            *s = sanitize_string(s);
        }
        for s in self.sources.iter_mut().chain(self.keywords.iter_mut()) {
            *s = sanitize_string(s);
        }
        if self.api_version.is_empty() {
            return Err(validation("chart.metadata.apiVersion is required"));
        }
        if self.name.is_empty() {
            return Err(validation("chart.metadata.name is required"));
        }
        let q = gotemplate::fmt::quote(&self.name);
        if self.name == "." || self.name == ".." {
            return Err(validation(format!(
                "chart.metadata.name {q} is not allowed"
            )));
        }
        if self.name != path_base(&self.name) {
            return Err(validation(format!("chart.metadata.name {q} is invalid")));
        }
        if self.version.is_empty() {
            return Err(validation("chart.metadata.version is required"));
        }
        if versionrange::Version::parse(&self.version).is_err() {
            return Err(validation(format!(
                "chart.metadata.version {} is invalid",
                gotemplate::fmt::quote(&self.version)
            )));
        }
        if !matches!(self.chart_type.as_str(), "" | "application" | "library") {
            return Err(validation(
                "chart.metadata.type must be application or library",
            ));
        }
        for m in &mut self.maintainers {
            let Some(m) = m else {
                return Err(validation(
                    "maintainers must not contain empty or null nodes",
                ));
            };
            m.name = sanitize_string(&m.name);
            m.email = sanitize_string(&m.email);
            m.url = sanitize_string(&m.url);
        }
        let mut seen = std::collections::BTreeSet::new();
        for d in &mut self.dependencies {
            let Some(d) = d else {
                return Err(validation(
                    "dependencies must not contain empty or null nodes",
                ));
            };
            d.validate()?;
            let key = if d.alias.is_empty() {
                d.name.clone()
            } else {
                d.alias.clone()
            };
            if !seen.insert(key.clone()) {
                return Err(validation(format!(
                    "more than one dependency with name or alias {}",
                    gotemplate::fmt::quote(&key)
                )));
            }
        }
        Ok(())
    }

    /// The dependencies that are not YAML nulls (validation refuses those anyway).
    pub fn deps(&self) -> impl Iterator<Item = &Dependency> {
        self.dependencies.iter().flatten()
    }
}

/// Go types of the fields `sigs.k8s.io/yaml.Unmarshal` decodes Chart.yaml and
/// Chart.lock into; they decide both coercion and error texts.
#[derive(Clone, Copy)]
enum Ty {
    Str,
    Bool,
    StrList,
    StrMap,
    AnyList,
    Time,
    StructList(&'static StructDef),
}

pub(crate) struct StructDef {
    go_name: &'static str,
    elem_type: &'static str,
    fields: &'static [(&'static str, Ty)],
}

static MAINTAINER: StructDef = StructDef {
    go_name: "Maintainer",
    elem_type: "[]*chart.Maintainer",
    fields: &[("name", Ty::Str), ("email", Ty::Str), ("url", Ty::Str)],
};

static DEPENDENCY: StructDef = StructDef {
    go_name: "Dependency",
    elem_type: "[]*chart.Dependency",
    fields: &[
        ("name", Ty::Str),
        ("version", Ty::Str),
        ("repository", Ty::Str),
        ("condition", Ty::Str),
        ("tags", Ty::StrList),
        ("enabled", Ty::Bool),
        ("import-values", Ty::AnyList),
        ("alias", Ty::Str),
    ],
};

static METADATA: StructDef = StructDef {
    go_name: "Metadata",
    elem_type: "chart.Metadata",
    fields: &[
        ("name", Ty::Str),
        ("home", Ty::Str),
        ("sources", Ty::StrList),
        ("version", Ty::Str),
        ("description", Ty::Str),
        ("keywords", Ty::StrList),
        ("maintainers", Ty::StructList(&MAINTAINER)),
        ("icon", Ty::Str),
        ("apiVersion", Ty::Str),
        ("condition", Ty::Str),
        ("tags", Ty::Str),
        ("appVersion", Ty::Str),
        ("deprecated", Ty::Bool),
        ("annotations", Ty::StrMap),
        ("kubeVersion", Ty::Str),
        ("dependencies", Ty::StructList(&DEPENDENCY)),
        ("type", Ty::Str),
    ],
};

static LOCK: StructDef = StructDef {
    go_name: "Lock",
    elem_type: "chart.Lock",
    fields: &[
        ("generated", Ty::Time),
        ("digest", Ty::Str),
        ("dependencies", Ty::StructList(&DEPENDENCY)),
    ],
};

/// Types this crate decodes from YAML with Go's rules.
pub(crate) trait GoDecode: Serialize + for<'de> Deserialize<'de> {
    const DEF: &'static StructDef;
}

impl GoDecode for Metadata {
    const DEF: &'static StructDef = &METADATA;
}

impl GoDecode for Lock {
    const DEF: &'static StructDef = &LOCK;
}

fn type_error(got: &Json, owner: &str, path: &str, ty: &str) -> Error {
    Error::Parse(format!(
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {owner}.{path} of type {ty}",
        json_kind(got)
    ))
}

/// A YAML scalar read into a Go string field keeps its text, with sigs.k8s.io/yaml's
/// float formatting (`1.10` becomes `1.1`).
fn coerce_str(v: &Json, owner: &str, path: &str) -> Result<Option<String>> {
    match v {
        Json::Null => Ok(None),
        Json::String(s) => Ok(Some(s.clone())),
        Json::Bool(b) => Ok(Some(b.to_string())),
        Json::Number(n) if n.is_f64() => Ok(Some(gotemplate::fmt::format_float(
            n.as_f64().unwrap_or(0.0),
            b'g',
            -1,
            32,
        ))),
        Json::Number(n) => Ok(Some(n.to_string())),
        other => Err(type_error(other, owner, path, "string")),
    }
}

fn coerce(v: &Json, ty: Ty, owner: &str, path: &str) -> Result<Option<Json>> {
    if v.is_null() {
        return Ok(None);
    }
    Ok(Some(match ty {
        Ty::Str => Json::String(coerce_str(v, owner, path)?.unwrap_or_default()),
        Ty::Bool => match v {
            Json::Bool(_) => v.clone(),
            other => return Err(type_error(other, owner, path, "bool")),
        },
        Ty::StrList => match v {
            Json::Array(a) => Json::Array(
                a.iter()
                    .map(|e| {
                        Ok(Json::String(
                            coerce_str(e, owner, path)?.unwrap_or_default(),
                        ))
                    })
                    .collect::<Result<_>>()?,
            ),
            other => return Err(type_error(other, owner, path, "[]string")),
        },
        Ty::StrMap => match v {
            Json::Object(m) => Json::Object(
                m.iter()
                    .map(|(k, e)| {
                        Ok((
                            k.clone(),
                            Json::String(coerce_str(e, owner, path)?.unwrap_or_default()),
                        ))
                    })
                    .collect::<Result<_>>()?,
            ),
            other => return Err(type_error(other, owner, path, "map[string]string")),
        },
        Ty::AnyList => match v {
            Json::Array(a) => {
                Json::Array(a.iter().cloned().map(crate::yaml::numbers_to_f64).collect())
            }
            other => return Err(type_error(other, owner, path, "[]interface {}")),
        },
        Ty::Time => match v {
            Json::String(_) => v.clone(),
            other => return Err(type_error(other, owner, path, "time.Time")),
        },
        Ty::StructList(def) => match v {
            Json::Array(a) => Json::Array(
                a.iter()
                    .map(|e| match e {
                        Json::Null => Ok(Json::Null),
                        Json::Object(m) => {
                            coerce_struct(m, def, Some(path), &mut serde_json::Map::new())
                        }
                        other => Err(type_error(
                            other,
                            def.go_name,
                            path,
                            def.elem_type.trim_start_matches("[]*"),
                        )),
                    })
                    .collect::<Result<_>>()?,
            ),
            other => return Err(type_error(other, owner, path, def.elem_type)),
        },
    }))
}

/// Go's `json.Unmarshal` into a struct: keys match field names exactly or, failing
/// that, case-insensitively; unknown keys are ignored; fields absent or `null` keep
/// their current value.
fn coerce_struct(
    obj: &serde_json::Map<String, Json>,
    def: &StructDef,
    parent_path: Option<&str>,
    current: &mut serde_json::Map<String, Json>,
) -> Result<Json> {
    for (k, v) in obj {
        let Some((name, ty)) = def
            .fields
            .iter()
            .find(|(f, _)| f == k)
            .or_else(|| def.fields.iter().find(|(f, _)| f.eq_ignore_ascii_case(k)))
        else {
            continue;
        };
        let path = match parent_path {
            Some(p) => format!("{p}.{name}"),
            None => name.to_string(),
        };
        if let Some(v) = coerce(v, *ty, def.go_name, &path)? {
            current.insert(name.to_string(), v);
        }
    }
    Ok(Json::Object(current.clone()))
}

/// Decodes YAML into an existing struct the way `sigs.k8s.io/yaml.Unmarshal` does,
/// including its coercion of scalars into string fields and Go's error texts.
pub(crate) fn decode_into<T: GoDecode>(data: &[u8], target: &mut T) -> Result<()> {
    let json = crate::yaml::to_json_raw(data)?;
    let obj = match json {
        Json::Null => return Ok(()),
        Json::Object(o) => o,
        other => {
            return Err(Error::Parse(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type {}",
                json_kind(&other),
                T::DEF.elem_type
            )));
        }
    };
    let mut current = match serde_json::to_value(&*target) {
        Ok(Json::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    let merged = coerce_struct(&obj, T::DEF, None, &mut current)?;
    *target = serde_json::from_value(merged).map_err(|e| {
        Error::Parse(format!(
            "error unmarshaling JSON: while decoding JSON: json: {e}"
        ))
    })?;
    Ok(())
}

pub(crate) fn json_kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}
