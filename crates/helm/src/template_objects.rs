//! Chart metadata as templates see it: Helm passes `*chart.Metadata` as `.Chart`, so
//! fields are read with Go's names (`.Chart.Name`, `.Chart.AppVersion`, ...).

use std::sync::Arc;

use gotemplate::{List, Map, Object, Type, Value};

use crate::chart::{Dependency, Maintainer, Metadata};

/// `.Chart`: wrap with `Value::object(MetadataObject(metadata))`.
#[derive(Debug, Clone)]
pub struct MetadataObject(pub Metadata);

impl MetadataObject {
    pub fn value(md: &Metadata) -> Value {
        Value::object(MetadataObject(md.clone()))
    }
}

fn string_map(m: &std::collections::BTreeMap<String, String>) -> Value {
    let out = Map::typed(Type::String);
    for (k, v) in m {
        out.insert(k.as_str(), Value::string(v.as_str()));
    }
    Value::Map(out)
}

fn object_list<T: Clone + Send + Sync + 'static>(
    type_name: &str,
    items: &[Option<T>],
    wrap: impl Fn(T) -> Value,
) -> Value {
    let values = items
        .iter()
        .map(|i| i.clone().map_or(Value::Nil, &wrap))
        .collect();
    Value::List(List::typed(Type::Named(Arc::from(type_name)), values))
}

/// A Go struct field: its name in templates, its `encoding/json` key, and whether the
/// key is `omitempty`.
pub(crate) type GoField = (&'static str, &'static str, bool);

/// Go's `%v` of a pointer to struct, `&{f1 f2 …}`: `obj`'s `fields`, in that order.
fn write_struct(out: &mut String, obj: &dyn Object, fields: &[GoField]) {
    out.push_str("&{");
    for (i, f) in fields
        .iter()
        .filter_map(|(n, _, _)| obj.field(n))
        .enumerate()
    {
        if i > 0 {
            out.push(' ');
        }
        gotemplate::fmt::write_value(out, &f);
    }
    out.push('}');
}

/// `encoding/json`'s fields of `obj`: declaration order, empty `omitempty` ones left out.
pub(crate) fn json_fields(obj: &dyn Object, fields: &[GoField]) -> Vec<(&'static str, Value)> {
    fields
        .iter()
        .filter_map(|(name, key, omitempty)| {
            let v = obj.field(name)?;
            (!omitempty || v.truth()).then_some((*key, v))
        })
        .collect()
}

/// chart.Metadata's fields in declaration order (all `omitempty` in JSON).
const METADATA_FIELDS: [GoField; 17] = [
    ("Name", "name", true),
    ("Home", "home", true),
    ("Sources", "sources", true),
    ("Version", "version", true),
    ("Description", "description", true),
    ("Keywords", "keywords", true),
    ("Maintainers", "maintainers", true),
    ("Icon", "icon", true),
    ("APIVersion", "apiVersion", true),
    ("Condition", "condition", true),
    ("Tags", "tags", true),
    ("AppVersion", "appVersion", true),
    ("Deprecated", "deprecated", true),
    ("Annotations", "annotations", true),
    ("KubeVersion", "kubeVersion", true),
    ("Dependencies", "dependencies", true),
    ("Type", "type", true),
];

const MAINTAINER_FIELDS: [GoField; 3] = [
    ("Name", "name", true),
    ("Email", "email", true),
    ("URL", "url", true),
];

const DEPENDENCY_FIELDS: [GoField; 8] = [
    ("Name", "name", false),
    ("Version", "version", true),
    ("Repository", "repository", false),
    ("Condition", "condition", true),
    ("Tags", "tags", true),
    ("Enabled", "enabled", true),
    ("ImportValues", "import-values", true),
    ("Alias", "alias", true),
];

impl Object for MetadataObject {
    fn type_name(&self) -> &str {
        "*chart.Metadata"
    }

    fn field(&self, name: &str) -> Option<Value> {
        let m = &self.0;
        Some(match name {
            "Name" => Value::string(m.name.as_str()),
            "Home" => Value::string(m.home.as_str()),
            "Sources" => Value::string_list(m.sources.iter().map(String::as_str)),
            "Version" => Value::string(m.version.as_str()),
            "Description" => Value::string(m.description.as_str()),
            "Keywords" => Value::string_list(m.keywords.iter().map(String::as_str)),
            "Maintainers" => object_list("*chart.Maintainer", &m.maintainers, |x| {
                Value::object(MaintainerObject(x))
            }),
            "Icon" => Value::string(m.icon.as_str()),
            "APIVersion" => Value::string(m.api_version.as_str()),
            "Condition" => Value::string(m.condition.as_str()),
            "Tags" => Value::string(m.tags.as_str()),
            "AppVersion" => Value::string(m.app_version.as_str()),
            "Deprecated" => Value::Bool(m.deprecated),
            "Annotations" => string_map(&m.annotations),
            "KubeVersion" => Value::string(m.kube_version.as_str()),
            "Dependencies" => object_list("*chart.Dependency", &m.dependencies, |x| {
                Value::object(DependencyObject(x))
            }),
            "Type" => Value::string(m.chart_type.as_str()),
            _ => return None,
        })
    }

    fn format(&self, out: &mut String) {
        write_struct(out, self, &METADATA_FIELDS);
    }

    fn to_json(&self) -> Option<serde_json::Value> {
        serde_json::to_value(&self.0).ok()
    }

    fn json_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        Some(json_fields(self, &METADATA_FIELDS))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// An element of `.Chart.Maintainers`.
#[derive(Debug, Clone)]
pub struct MaintainerObject(pub Maintainer);

impl Object for MaintainerObject {
    fn type_name(&self) -> &str {
        "*chart.Maintainer"
    }

    fn field(&self, name: &str) -> Option<Value> {
        let m = &self.0;
        Some(match name {
            "Name" => Value::string(m.name.as_str()),
            "Email" => Value::string(m.email.as_str()),
            "URL" => Value::string(m.url.as_str()),
            _ => return None,
        })
    }

    fn format(&self, out: &mut String) {
        write_struct(out, self, &MAINTAINER_FIELDS);
    }

    fn to_json(&self) -> Option<serde_json::Value> {
        serde_json::to_value(&self.0).ok()
    }

    fn json_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        Some(json_fields(self, &MAINTAINER_FIELDS))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// An element of `.Chart.Dependencies`.
#[derive(Debug, Clone)]
pub struct DependencyObject(pub Dependency);

impl Object for DependencyObject {
    fn type_name(&self) -> &str {
        "*chart.Dependency"
    }

    fn field(&self, name: &str) -> Option<Value> {
        let d = &self.0;
        Some(match name {
            "Name" => Value::string(d.name.as_str()),
            "Version" => Value::string(d.version.as_str()),
            "Repository" => Value::string(d.repository.as_str()),
            "Condition" => Value::string(d.condition.as_str()),
            "Tags" => Value::string_list(d.tags.iter().map(String::as_str)),
            "Enabled" => Value::Bool(d.enabled),
            "ImportValues" => Value::list(
                d.import_values
                    .iter()
                    .map(crate::values::to_template_value)
                    .collect(),
            ),
            "Alias" => Value::string(d.alias.as_str()),
            _ => return None,
        })
    }

    fn format(&self, out: &mut String) {
        write_struct(out, self, &DEPENDENCY_FIELDS);
    }

    fn to_json(&self) -> Option<serde_json::Value> {
        serde_json::to_value(&self.0).ok()
    }

    fn json_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        Some(json_fields(self, &DEPENDENCY_FIELDS))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
