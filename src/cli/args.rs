//! The clap command tree. Commands never read these structs directly: `settings` resolves
//! them first.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::controllers::ControllerArgs;

#[derive(Debug, Parser)]
#[command(
    name = "tk",
    version = crate::VERSION,
    about = "tk: GitOps for Kubernetes, serving the Flux v2 APIs",
    long_about = "tk is a GitOps toolkit for Kubernetes. The same binary is the command-line tool \
                  and the in-cluster controllers; it serves the Flux v2 GA APIs, so existing Flux \
                  repositories and the flux, kubectl and helm CLIs work unchanged.",
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)
    #[arg(
        long,
        global = true,
        env = "KUBECONFIG",
        hide_env_values = true,
        value_name = "PATH"
    )]
    pub kubeconfig: Option<String>,
    /// The kubeconfig context to use
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// The namespace tk is installed in
    #[arg(
        short = 'n',
        long,
        global = true,
        env = "FLUX_SYSTEM_NAMESPACE",
        default_value = "flux-system",
        value_name = "NAME"
    )]
    pub namespace: String,
    /// How long to wait for an operation, as a Go duration (30s, 5m, 1h)
    #[arg(long, global = true, default_value = "5m", value_name = "DURATION")]
    pub timeout: String,
    /// Print more detail: each object applied, each check made
    #[arg(long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the version of tk and of the installed components
    Version(VersionArgs),
    /// Install tk's components and CRDs on a cluster
    Install(InstallArgs),
    /// Upgrade the installed components to this version of tk
    Upgrade(InstallArgs),
    /// Check the cluster meets tk's requirements, or that an installation is healthy
    Check(CheckArgs),
    /// Remove tk's components, CRDs and custom resources from a cluster
    Uninstall(UninstallArgs),
    /// Generate a shell completion script
    Completion(CompletionArgs),
    /// Run a controller (in-cluster, or locally against a kubeconfig)
    Controller(ControllerArgs),
    /// Write the markdown reference for every command into a directory
    #[command(hide = true)]
    Docs(DocsArgs),
}

#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Print only the client version, without contacting the cluster
    #[arg(long)]
    pub client: bool,
}

#[derive(Debug, Clone, Args)]
pub struct InstallArgs {
    /// Components to install, comma-separated (default: source-controller,
    /// kustomize-controller, helm-controller, notification-controller; `tk upgrade` keeps the
    /// installed set)
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub components: Option<Vec<String>>,
    /// Extra components to install (comma-separated); none exist yet beyond the defaults
    #[arg(long, value_delimiter = ',')]
    pub components_extra: Vec<String>,
    /// Print the manifests as YAML instead of applying them
    #[arg(long)]
    pub export: bool,
    /// Container registry the controller image is pulled from
    #[arg(long, default_value = "ghcr.io/tk-gitops")]
    pub registry: String,
    /// Version of the components to install (must match this binary)
    #[arg(short = 'v', long)]
    pub version: Option<String>,
    /// Name of a Secret in the install namespace used to pull the image
    #[arg(long, value_name = "SECRET")]
    pub image_pull_secret: Option<String>,
    /// Reconcile custom resources in all namespaces (false: only the install namespace)
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub watch_all_namespaces: bool,
    /// Deny ingress to the components from outside the namespace, except webhooks and metrics
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub network_policy: bool,
    /// Log level of the controllers
    #[arg(long, value_enum, default_value_t = LogLevel::Info)]
    pub log_level: LogLevel,
    /// Internal cluster domain, used for the events address
    #[arg(long, default_value = "cluster.local")]
    pub cluster_domain: String,
    /// Toleration keys added to the controller pods (comma-separated)
    #[arg(long, value_delimiter = ',')]
    pub toleration_keys: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    Debug,
    Info,
    Error,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Error => "error",
        }
    }
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Only check the prerequisites of an installation
    #[arg(long)]
    pub pre: bool,
}

#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// Leave the namespace in place
    #[arg(long)]
    pub keep_namespace: bool,
    /// Print what would be deleted, delete nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask for confirmation
    #[arg(short, long)]
    pub silent: bool,
}

#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell to generate the script for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct DocsArgs {
    /// Directory the pages are written to
    #[arg(default_value = "docs/cmd")]
    pub dir: std::path::PathBuf,
}

#[cfg(test)]
mod tests {
    #[test]
    fn command_tree_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
