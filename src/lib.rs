//! tk: a GitOps toolkit for Kubernetes serving the Flux v2 APIs. The same crate is the CLI
//! (`cli`) and the in-cluster controllers (`controllers`); `api` holds the custom resource
//! types and `manifests` renders what `tk install` applies.

pub mod api;
pub mod cel;
pub mod cli;
pub mod controllers;
pub mod manifests;
pub mod ssa;

/// The version of this build, as labels and `tk version` report it (`v` + crate version).
pub const VERSION: &str = concat!("v", env!("CARGO_PKG_VERSION"));
