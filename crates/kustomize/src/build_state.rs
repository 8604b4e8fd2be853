//! What the generator and transformer steps share across one build: the transformer
//! configuration accumulated so far (kustomize keeps it in its resource accumulator) and the
//! root kustomization's `buildMetadata`, with the origins it asks for.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::TransformerConfig;
use crate::error::Result;
use crate::origin::{self, Origin};
use crate::resource::Resource;

/// What the generator and transformer steps share across one build: the transformer
/// configuration of the kustomization being accumulated, and the root's `buildMetadata`.
#[derive(Debug, Default)]
pub struct BuildState {
    config: RefCell<Arc<TransformerConfig>>,
    build_metadata: Vec<String>,
    root_dir: PathBuf,
}

impl BuildState {
    /// State for a build of the kustomization in `root_dir` (absolute), whose
    /// `buildMetadata` applies to every kustomization it includes, as in kustomize.
    pub fn new(root_dir: &Path, build_metadata: Vec<String>) -> Self {
        Self {
            config: RefCell::default(),
            build_metadata,
            root_dir: root_dir.to_path_buf(),
        }
    }

    /// Whether origins are recorded while building.
    pub fn tracking(&self) -> bool {
        origin::Options::tracking(&self.build_metadata)
    }

    /// The transformer configuration accumulated so far.
    pub fn config(&self) -> Arc<TransformerConfig> {
        Arc::clone(&self.config.borrow())
    }

    /// Adds to the accumulated configuration (a kustomization's own, or an included one's).
    pub fn merge_config(&self, more: &TransformerConfig) -> Result<()> {
        TransformerConfig::merge_into(&mut self.config.borrow_mut(), more)
    }

    /// Starts an empty accumulator for a kustomization built on its own, returning the
    /// enclosing one's configuration for [`BuildState::restore_config`].
    pub fn take_config(&self) -> Arc<TransformerConfig> {
        self.config.take()
    }

    /// Ends the accumulator begun by [`BuildState::take_config`], returning its configuration.
    pub fn restore_config(&self, outer: Arc<TransformerConfig>) -> Arc<TransformerConfig> {
        self.config.replace(outer)
    }

    /// `path` as kustomize's origins show it: relative to the build's root kustomization.
    pub fn origin_path(&self, path: &Path) -> String {
        origin::relative(&self.root_dir, path)
    }

    /// Marks resources read from `file` with their origin.
    pub fn annotate_read(&self, resources: &mut [Resource], file: &Path) {
        if self.tracking() {
            let o = Origin {
                path: self.origin_path(file),
                ..Origin::default()
            };
            origin::set_missing(resources, &o);
        }
    }

    /// The origin of a builtin plugin configured by a field of `kustomization_file`.
    pub fn builtin_origin(&self, kustomization_file: &Path, kind: &str) -> Option<Origin> {
        self.tracking()
            .then(|| Origin::builtin(self.origin_path(kustomization_file), kind))
    }

    /// Records a transformer run over every resource.
    pub fn mark(&self, resources: &mut [Resource], origin: Option<&Origin>) {
        if let Some(o) = origin {
            origin::add_transformation(resources, o);
        }
    }

    /// The end of the build: `buildMetadata` (and `--enable-managedby-label`) applied.
    pub fn finish(&self, resources: &mut [Resource], build: &crate::BuildOptions) {
        let mut options = origin::Options::from_list(&self.build_metadata);
        options.managed_by |= build.add_managed_by_label;
        let version = build
            .managed_by_version
            .unwrap_or(origin::KUSTOMIZE_VERSION);
        origin::finish(resources, options, version);
    }
}
