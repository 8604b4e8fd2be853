//! The runtime every controller shares: client, leader election, metrics, health, events,
//! logging and requeue policy.

use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ControllerName {
    Source,
    Kustomize,
    Helm,
    Notification,
    All,
}

#[derive(Debug, Args)]
pub struct ControllerArgs {
    /// Which controller to run
    #[arg(value_enum)]
    pub name: ControllerName,
}
