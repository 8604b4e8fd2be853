//! Helm 3 charts without Go: loading charts from directories and archives, values
//! coalescing exactly as Helm does, `--set` parsing, dependency processing, values
//! schema validation and Helm-compatible release records.
//!
//! ```
//! use helm::{loader, values};
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(dir.path().join("Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 0.1.0\n").unwrap();
//! std::fs::write(dir.path().join("values.yaml"), "replicas: 1\nimage: {tag: v1}\n").unwrap();
//! let chart = loader::load(dir.path(), &loader::Limits::default()).unwrap();
//! let user = helm::strvals::parse("image.tag=v2").unwrap();
//! let vals = values::coalesce_values(&chart, &user).unwrap();
//! assert_eq!(serde_json::Value::Object(vals).to_string(), r#"{"image":{"tag":"v2"},"replicas":1.0}"#);
//! ```
//!
//! Values are `serde_json` maps whose numbers keep Helm's Go types: `f64` for numbers
//! decoded from YAML or JSON (Go's `float64`) and `i64` for integers typed by `--set`
//! (Go's `int64`). [`values::to_template_value`] carries that distinction into templates.

pub mod capabilities;
pub mod chart;
pub mod dependencies;
pub mod engine;
pub mod files;
pub mod ignore;
pub mod loader;
pub mod package;
pub mod release;
pub mod repo;
pub mod schema;
pub mod strvals;
pub mod template_objects;
pub mod values;
pub mod yaml;

mod gojson;
mod gomatch;

pub use chart::{Chart, Dependency, File, Lock, Maintainer, Metadata};
pub use values::Values;

/// Everything that can fail here. Display texts follow Helm's messages so that users
/// can search for them.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A chart on disk could not be read.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// The chart is malformed: bad Chart.yaml, missing files, invalid metadata.
    #[error("{0}")]
    Chart(String),
    /// The archive or directory breaks a rule that keeps loading safe (paths escaping
    /// the root, links, caps on size and file count).
    #[error("{0}")]
    Unsafe(String),
    /// YAML or JSON that could not be decoded.
    #[error("{0}")]
    Parse(String),
    /// A `--set`-style expression that Helm's strvals parser rejects.
    #[error("{0}")]
    StrVals(String),
    /// Values that do not fit together (a table where a scalar is expected, ...).
    #[error("{0}")]
    Values(String),
    /// Values rejected by a chart's `values.schema.json`, or a schema that cannot be used.
    #[error("{0}")]
    Schema(String),
    /// The chart's `kubeVersion` constraint rejects the target cluster.
    #[error("{0}")]
    KubeVersion(String),
    /// A release record that cannot be encoded or decoded.
    #[error("{0}")]
    Release(String),
}

impl Error {
    /// A short label for metrics and logs.
    pub fn label(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::Chart(_) => "chart",
            Error::Unsafe(_) => "unsafe",
            Error::Parse(_) => "parse",
            Error::StrVals(_) => "strvals",
            Error::Values(_) => "values",
            Error::Schema(_) => "schema",
            Error::KubeVersion(_) => "kube_version",
            Error::Release(_) => "release",
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
