//! Helm's rendering engine: templates of a chart tree executed with Helm's functions
//! (`include`, `tpl`, `required`, `toYaml`, `lookup`, ...), then split into manifests and
//! hooks in Helm's install order, as `helm install` and `helm template` do.
//!
//! ```
//! use helm::engine::{self, RenderOptions};
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(dir.path().join("Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 0.1.0\n").unwrap();
//! std::fs::create_dir(dir.path().join("templates")).unwrap();
//! std::fs::write(
//!     dir.path().join("templates/cm.yaml"),
//!     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
//! )
//! .unwrap();
//! let chart = helm::loader::load(dir.path(), &Default::default()).unwrap();
//! let vals = helm::values::to_render_values(&chart, &Default::default(), false).unwrap();
//! let out = engine::render(&chart, &vals, &RenderOptions::default()).unwrap();
//! assert_eq!(out.manifests[0].content, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: release-name");
//! ```

mod funcs;
pub mod manifest;
mod objects;
mod render;
pub mod template;
mod toml;

use std::sync::Arc;

pub use funcs::helm_func_map;
pub use manifest::{InstallOrder, Manifest, sort_manifests, split_manifests};
pub use objects::{Capabilities, default_api_versions};
pub use render::render_templates;

use crate::capabilities::KubeVersion;
use crate::chart::Chart;
use crate::values::Values;

/// Rendering failures. Texts follow Helm's so that users can search for them.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A template failed to parse or execute (`parse error at (...)`,
    /// `execution error at (...)`, `template: NAME:LINE:COL: executing ...`).
    #[error("{0}")]
    Template(String),
    /// A rendered manifest is not YAML. `files` holds every non-empty rendered file,
    /// which `helm template --debug` prints to help find the mistake.
    #[error("{message}")]
    Manifest {
        message: String,
        files: Vec<(String, String)>,
    },
    /// One of [`Limits`] was exceeded.
    #[error("{0}")]
    Limit(String),
    /// The chart or its values cannot be rendered (kubeVersion, dependencies, schema...).
    #[error(transparent)]
    Chart(#[from] crate::Error),
}

impl Error {
    pub fn label(&self) -> &'static str {
        match self {
            Error::Template(_) => "template",
            Error::Manifest { .. } => "manifest",
            Error::Limit(_) => "limit",
            Error::Chart(e) => e.label(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Bounds that keep a hostile chart from exhausting the process (SECURITY.md item 22).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Helm's own bound on `include` of one template name within itself.
    pub max_include_recursion: usize,
    /// How deeply `tpl` may call `tpl` (a value that renders itself loops forever in Go).
    pub max_tpl_depth: usize,
    /// The most bytes all templates together may render.
    pub max_output: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_include_recursion: 1000,
            max_tpl_depth: 100,
            max_output: 256 << 20,
        }
    }
}

/// The cluster as `lookup` sees it. The controller fills it with a live client; in
/// template mode there is none and `lookup` returns an empty map, as in Helm.
pub trait Lookup: Send + Sync {
    /// The object (or, with an empty `name`, the list) as JSON; `Ok(None)` when absent.
    fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> std::result::Result<Option<serde_json::Value>, String>;
}

/// What a render is for: `.Release`, `.Capabilities`, and the engine's switches.
#[derive(Clone)]
pub struct RenderOptions {
    pub release_name: String,
    pub namespace: String,
    pub revision: i64,
    pub is_upgrade: bool,
    pub capabilities: Capabilities,
    /// `missingkey=error` instead of Helm's `missingkey=zero`.
    pub strict: bool,
    pub lookup: Option<Arc<dyn Lookup>>,
    pub limits: Limits,
    /// The caller exits right after rendering (the CLI): the chart, values and parsed
    /// templates are left to the operating system instead of being freed one allocation
    /// at a time (tens of thousands for a bitnami chart, ~1.5 ms), as compilers do at exit.
    pub skip_deallocation: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            release_name: "release-name".into(),
            namespace: "default".into(),
            revision: 1,
            is_upgrade: false,
            capabilities: Capabilities::default(),
            strict: false,
            lookup: None,
            limits: Limits::default(),
            skip_deallocation: false,
        }
    }
}

impl std::fmt::Debug for RenderOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderOptions")
            .field("release_name", &self.release_name)
            .field("namespace", &self.namespace)
            .field("revision", &self.revision)
            .field("is_upgrade", &self.is_upgrade)
            .field("capabilities", &self.capabilities)
            .field("strict", &self.strict)
            .field("lookup", &self.lookup.is_some())
            .field("limits", &self.limits)
            .field("skip_deallocation", &self.skip_deallocation)
            .finish()
    }
}

/// A rendered release: what Helm's `renderResources` returns.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Resources in install order.
    pub manifests: Vec<Manifest>,
    /// Hooks, kept apart from the resources, in install order of their kinds.
    pub hooks: Vec<crate::release::Hook>,
    /// The root chart's NOTES.txt, rendered.
    pub notes: String,
}

impl Rendered {
    /// Helm's release manifest text: `---\n# Source: PATH\nCONTENT\n` per resource.
    pub fn manifest_text(&self) -> String {
        let mut out = String::new();
        for m in &self.manifests {
            out.push_str("---\n# Source: ");
            out.push_str(&m.name);
            out.push('\n');
            out.push_str(&m.content);
            out.push('\n');
        }
        out
    }
}

const NOTES_SUFFIX: &str = "NOTES.txt";

/// Renders a chart whose values are ready (see [`crate::values::to_render_values`]):
/// checks the chart's `kubeVersion`, renders every template, pulls out NOTES, and sorts
/// the rest into resources and hooks.
pub fn render(chart: &Chart, values: &Values, opts: &RenderOptions) -> Result<Rendered> {
    crate::capabilities::check_kube_version(chart, &opts.capabilities.kube_version)?;
    let mut files = render_templates(chart, values, opts)?;
    let root_notes = format!("{}/templates/{NOTES_SUFFIX}", chart.name());
    let mut notes = String::new();
    files.retain(|name, text| {
        if !name.ends_with(NOTES_SUFFIX) {
            return true;
        }
        if *name == root_notes {
            notes.push_str(text);
        }
        false
    });
    let (hooks, manifests) = sort_manifests(&files, InstallOrder).map_err(|message| {
        let files = files
            .iter()
            .filter(|(_, text)| !text.trim().is_empty())
            .map(|(n, t)| (n.clone(), t.clone()))
            .collect();
        Error::Manifest { message, files }
    })?;
    Ok(Rendered {
        manifests,
        hooks,
        notes,
    })
}

/// Drops `value`, or with `skip_deallocation` leaves its memory to the process's exit.
pub(crate) fn dispose<T>(value: T, opts: &RenderOptions) {
    if opts.skip_deallocation {
        std::mem::forget(value);
    }
}

/// The Kubernetes version `helm template` assumes without `--kube-version`.
pub fn default_kube_version() -> KubeVersion {
    KubeVersion::default()
}
