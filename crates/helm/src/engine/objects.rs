//! The Go values templates see as `.Chart`, `.Capabilities` and `.Files`.

use std::any::Any;
use std::collections::BTreeMap;

use gotemplate::{CallContext, FuncError, Object, Signature, Str, Type, Value};

use super::RenderOptions;
use crate::capabilities::{DEFAULT_API_VERSIONS, KubeVersion};
use crate::chart::{File, Metadata};
use crate::files::Files;
use crate::template_objects::{GoField, MetadataObject, json_fields};

pub(super) fn release_value(opts: &RenderOptions) -> Value {
    let mut m = BTreeMap::new();
    m.insert(Str::from("Name"), Value::string(opts.release_name.as_str()));
    m.insert(
        Str::from("Namespace"),
        Value::string(opts.namespace.as_str()),
    );
    m.insert(Str::from("IsUpgrade"), Value::Bool(opts.is_upgrade));
    m.insert(Str::from("IsInstall"), Value::Bool(!opts.is_upgrade));
    m.insert(Str::from("Revision"), Value::int(opts.revision));
    m.insert(Str::from("Service"), Value::string("Helm"));
    Value::map(m)
}

/// `.Chart`: Helm's `struct { chart.Metadata; IsRoot bool }`, the metadata embedded by value.
pub(super) struct ChartObject {
    md: MetadataObject,
    is_root: bool,
}

impl ChartObject {
    pub(super) fn new(md: &Metadata, is_root: bool) -> ChartObject {
        ChartObject {
            md: MetadataObject(md.clone()),
            is_root,
        }
    }
}

impl Object for ChartObject {
    fn type_name(&self) -> &str {
        "struct { chart.Metadata; IsRoot bool }"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "IsRoot" => Some(Value::Bool(self.is_root)),
            _ => self.md.field(name),
        }
    }
    fn format(&self, out: &mut String) {
        // The embedded struct is a value, not a pointer: `{{…} true}`.
        out.push('{');
        gotemplate::fmt::write_pointee(out, &self.md);
        out.push_str(if self.is_root { " true}" } else { " false}" });
    }
    fn to_json(&self) -> Option<serde_json::Value> {
        let mut v = serde_json::to_value(&self.md.0).ok()?;
        if let serde_json::Value::Object(m) = &mut v {
            m.insert("IsRoot".into(), serde_json::Value::Bool(self.is_root));
        }
        Some(v)
    }
    fn json_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        // The embedded struct's fields are promoted; IsRoot has no tag.
        let mut fields = self.md.json_fields()?;
        fields.push(("IsRoot", Value::Bool(self.is_root)));
        Some(fields)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `.Capabilities`: the cluster as the chart may ask about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    pub kube_version: KubeVersion,
    /// Group/versions (and `group/version/Kind`s) the cluster serves.
    pub api_versions: Vec<String>,
    /// `.Capabilities.HelmVersion.Version`: `v3.22.0`, as a released helm reports it.
    pub helm_version: String,
}

impl Default for Capabilities {
    /// Helm's `DefaultCapabilities` as `helm template` uses them.
    fn default() -> Self {
        Capabilities {
            kube_version: KubeVersion::default(),
            api_versions: default_api_versions(),
            helm_version: "v3.22.0".into(),
        }
    }
}

/// What Helm reports without a cluster: [`DEFAULT_API_VERSIONS`], group/versions only, so
/// `.Capabilities.APIVersions.Has "policy/v1/PodDisruptionBudget"` is false in
/// `helm template` unless `--api-versions` adds it.
pub fn default_api_versions() -> Vec<String> {
    DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect()
}

impl Object for Capabilities {
    fn type_name(&self) -> &str {
        "*chartutil.Capabilities"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(Value::object(KubeVersionObject(self.kube_version.clone()))),
            "APIVersions" => Some(Value::object(VersionSet(self.api_versions.clone()))),
            "HelmVersion" => Some(Value::object(HelmVersion(self.helm_version.clone()))),
            _ => None,
        }
    }
    fn format(&self, out: &mut String) {
        out.push_str(&format!(
            "&{{{{{} {} {}}} {:?} {{{} {} {} {}}}}}",
            self.kube_version.version,
            self.kube_version.major,
            self.kube_version.minor,
            self.api_versions,
            self.helm_version,
            "",
            GIT_TREE_STATE,
            GO_VERSION
        ));
    }
    fn json_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        Some(json_fields(self, &CAPABILITIES_FIELDS))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// chartutil.Capabilities' fields (no JSON tags).
const CAPABILITIES_FIELDS: [GoField; 3] = [
    ("KubeVersion", "KubeVersion", false),
    ("APIVersions", "APIVersions", false),
    ("HelmVersion", "HelmVersion", false),
];

/// The rest of Helm's `version.BuildInfo`: a release build is stamped `clean`, and the Go
/// that built the reference helm (hack/rig-build.sh) stands for the release's. GitCommit
/// stays empty, as in a build from the module proxy.
const GIT_TREE_STATE: &str = "clean";
const GO_VERSION: &str = "go1.26.8";

struct KubeVersionObject(KubeVersion);

impl Object for KubeVersionObject {
    fn type_name(&self) -> &str {
        "chartutil.KubeVersion"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" => Some(Value::string(self.0.version.as_str())),
            "Major" => Some(Value::string(self.0.major.as_str())),
            "Minor" => Some(Value::string(self.0.minor.as_str())),
            _ => None,
        }
    }
    fn method(&self, name: &str) -> Option<Signature> {
        matches!(name, "String" | "GitVersion").then(|| Signature::parse("func() string"))
    }
    fn call_method(
        &self,
        _: &str,
        _: &[Value],
        _: &mut CallContext<'_>,
    ) -> Result<Value, FuncError> {
        Ok(Value::string(self.0.version.as_str()))
    }
    fn format(&self, out: &mut String) {
        out.push_str(&self.0.version);
    }
    fn json_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        Some(json_fields(
            self,
            &[
                ("Version", "Version", false),
                ("Major", "Major", false),
                ("Minor", "Minor", false),
            ],
        ))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

struct VersionSet(Vec<String>);

impl Object for VersionSet {
    fn type_name(&self) -> &str {
        "chartutil.VersionSet"
    }
    fn kind(&self) -> &str {
        "slice"
    }
    fn method(&self, name: &str) -> Option<Signature> {
        (name == "Has").then(|| Signature::parse("func(apiVersion string) bool"))
    }
    fn call_method(
        &self,
        _: &str,
        a: &[Value],
        _: &mut CallContext<'_>,
    ) -> Result<Value, FuncError> {
        let want = a[0].as_str().unwrap_or_default();
        Ok(Value::Bool(self.0.iter().any(|v| v == want)))
    }
    fn format(&self, out: &mut String) {
        out.push('[');
        out.push_str(&self.0.join(" "));
        out.push(']');
    }
    fn to_json(&self) -> Option<serde_json::Value> {
        Some(serde_json::json!(self.0))
    }
    fn as_list(&self) -> Option<gotemplate::List> {
        Some(gotemplate::List::typed(
            Type::String,
            self.0.iter().map(|v| Value::string(v.as_str())).collect(),
        ))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

struct HelmVersion(String);

impl Object for HelmVersion {
    fn type_name(&self) -> &str {
        "version.BuildInfo"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" => Some(Value::string(self.0.as_str())),
            "GitCommit" => Some(Value::string("")),
            "GitTreeState" => Some(Value::string(GIT_TREE_STATE)),
            "GoVersion" => Some(Value::string(GO_VERSION)),
            _ => None,
        }
    }
    fn format(&self, out: &mut String) {
        out.push_str(&format!("{{{}  {GIT_TREE_STATE} {GO_VERSION}}}", self.0));
    }
    fn json_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        Some(json_fields(
            self,
            &[
                ("Version", "version", true),
                ("GitCommit", "git_commit", true),
                ("GitTreeState", "git_tree_state", true),
                ("GoVersion", "go_version", true),
            ],
        ))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `.Files`: the chart's non-template files, with Helm's accessors.
pub(super) struct FilesObject(Files);

impl FilesObject {
    pub(super) fn new(files: &[File]) -> FilesObject {
        FilesObject(Files::new(files))
    }
}

impl Object for FilesObject {
    fn type_name(&self) -> &str {
        "engine.files"
    }
    fn kind(&self) -> &str {
        "map"
    }
    fn method(&self, name: &str) -> Option<Signature> {
        Some(Signature::parse(match name {
            "Get" => "func(name string) string",
            "GetBytes" => "func(name string) []byte",
            "Glob" => "func(pattern string) engine.files",
            "AsConfig" | "AsSecrets" => "func() string",
            "Lines" => "func(path string) []string",
            _ => return None,
        }))
    }
    fn call_method(
        &self,
        name: &str,
        a: &[Value],
        _: &mut CallContext<'_>,
    ) -> Result<Value, FuncError> {
        let arg = || a.first().and_then(Value::as_str).unwrap_or_default();
        Ok(match name {
            "Get" => Value::string(self.0.get(arg())),
            "GetBytes" => Value::Bytes(self.0.get_bytes(arg()).into()),
            "Glob" => Value::object(FilesObject(self.0.glob(arg()))),
            "AsConfig" => Value::string(self.0.as_config()),
            "AsSecrets" => Value::string(self.0.as_secrets()),
            "Lines" => Value::string_list(self.0.lines(arg())),
            _ => return Err(FuncError::new(format!("engine.files has no method {name}"))),
        })
    }
    fn format(&self, out: &mut String) {
        out.push_str("map[");
        let mut first = true;
        for (name, data) in self.0.iter() {
            if !first {
                out.push(' ');
            }
            first = false;
            out.push_str(name);
            out.push(':');
            out.push_str(&format!("{data:?}").replace(',', ""));
        }
        out.push(']');
    }
    fn to_json(&self) -> Option<serde_json::Value> {
        use base64::Engine as _;
        let m: serde_json::Map<String, serde_json::Value> = self
            .0
            .iter()
            .map(|(n, d)| {
                (
                    n.to_string(),
                    base64::engine::general_purpose::STANDARD.encode(d).into(),
                )
            })
            .collect();
        Some(serde_json::Value::Object(m))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
