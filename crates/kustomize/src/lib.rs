//! A kustomize v5 engine: a filesystem root in, resources out.
//!
//! A pure library: no cluster, no logging, no environment. Every file it reads is resolved
//! inside a [`Root`] (symlinks included), remote bases are refused, and YAML is parsed with
//! depth, size and alias limits.
//!
//! ```no_run
//! let resources = kustomize::build("deploy/overlays/prod")?;
//! print!("{}", kustomize::to_yaml(&resources));
//! # Ok::<(), kustomize::Error>(())
//! ```

mod build;
mod build_state;
mod builtin;
mod config;
mod error;
mod generate;
pub mod kustomization;
mod order;
mod origin;
mod patch;
mod replacements;
mod resource;
mod root;
mod transform;
mod vars;
pub mod yaml;

use std::path::Path;

pub use build::{BuildOptions, LoadRestrictor, Reorder, build_at};
pub use error::{Error, Result};
pub use kustomization::Kustomization;
pub use order::{LEGACY_ORDER_FIRST, LEGACY_ORDER_LAST, sort_legacy};
pub use resource::{Gvk, Resource};
pub use root::{MAX_FILE_BYTES, Root};

/// Builds the kustomization in `root_dir`, confined to that directory, in kustomize's
/// default (`legacy`) order.
pub fn build(root_dir: impl AsRef<Path>) -> Result<Vec<Resource>> {
    let root = Root::new(root_dir)?;
    build_at(&root, Path::new("."), &BuildOptions::default())
}

/// Prints resources as kustomize does: each document ends with a newline, documents are
/// separated by `---`, and there is no leading separator.
pub fn to_yaml(resources: &[Resource]) -> String {
    resources
        .iter()
        .map(|r| yaml::to_string(r.value()))
        .collect::<Vec<_>>()
        .join("---\n")
}
