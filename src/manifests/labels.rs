//! The labels every installed object carries. They are Flux's, so the real `flux` CLI finds
//! a tk installation, and they carry the version `tk upgrade` compares against.

pub const PART_OF: &str = "app.kubernetes.io/part-of";
pub const PART_OF_VALUE: &str = "flux";
pub const INSTANCE: &str = "app.kubernetes.io/instance";
pub const VERSION: &str = "app.kubernetes.io/version";
pub const COMPONENT: &str = "app.kubernetes.io/component";
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
pub const MANAGED_BY_VALUE: &str = "tk";

/// Selects every object of the installation in `namespace`.
pub fn installation_selector(namespace: &str) -> String {
    format!("{PART_OF}={PART_OF_VALUE},{INSTANCE}={namespace}")
}
