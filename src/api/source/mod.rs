//! source.toolkit.fluxcd.io/v1: the kinds that fetch content and publish it as artifacts.

pub mod bucket;
pub mod git_repository;
pub mod helm_chart;
pub mod helm_repository;
pub mod oci_repository;

pub use bucket::*;
pub use git_repository::*;
pub use helm_chart::*;
pub use helm_repository::*;
pub use oci_repository::*;

/// API group of the source kinds.
pub const GROUP: &str = "source.toolkit.fluxcd.io";
