//! In-cluster controllers, run as `tk controller <name>`.

pub mod canary;
pub mod helm;
pub mod kustomize;
pub mod notification;
pub mod runtime;
pub mod source;

use std::process::ExitCode;

pub use runtime::ControllerArgs;

use crate::cli::settings::GlobalSettings;

/// `tk controller <name>`: runs until SIGTERM/SIGINT (exit 0) or lost leadership (exit 1).
pub fn run(args: ControllerArgs, settings: &GlobalSettings) -> anyhow::Result<ExitCode> {
    crate::cli::install_crypto_provider();
    runtime::run(args, settings)
}
