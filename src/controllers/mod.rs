//! In-cluster controllers, run as `tk controller <name>`.

pub mod runtime;

pub use runtime::ControllerArgs;
