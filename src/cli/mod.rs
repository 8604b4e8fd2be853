//! The command-line face of tk: parse, resolve settings, dispatch one command.

pub mod args;
mod completion;
mod docs;
mod printer;
pub mod settings;
mod version;

use std::future::Future;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::Parser;

use args::{Cli, Command};
pub use docs::pages as doc_pages;
use printer::Printer;
use settings::GlobalSettings;

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let printer = Printer::new(cli.global.verbose);
    match run(cli, printer) {
        Ok(code) => code,
        Err(err) => {
            printer.failure(format!("{err:#}"));
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli, printer: Printer) -> Result<ExitCode> {
    let settings = GlobalSettings::resolve(&cli.global)?;
    match cli.command {
        Command::Completion(args) => {
            completion::run(args.shell, &mut std::io::stdout().lock());
            Ok(ExitCode::SUCCESS)
        }
        Command::Docs(args) => {
            docs::write(&args.dir)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Version(args) => {
            println!("{}", version::client_line());
            if args.client {
                return Ok(ExitCode::SUCCESS);
            }
            for line in block_on(version::component_lines(&settings))? {
                println!("{line}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Install(_)
        | Command::Upgrade(_)
        | Command::Check(_)
        | Command::Uninstall(_)
        | Command::Controller(_) => {
            let _ = printer;
            anyhow::bail!("not yet wired")
        }
    }
}

/// Runs a cluster-facing command on a fresh runtime; commands that never touch the cluster
/// (completion, docs, `version --client`, `install --export`) never start one.
fn block_on<F: Future>(future: F) -> F::Output {
    install_crypto_provider();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(future)
}

/// rustls needs one process-wide crypto provider; ring is the one kube is built with.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Awaits an API call, turning transport failures into one clear line about the cluster.
pub async fn cluster_call<T>(
    call: impl Future<Output = kube::Result<T>>,
    what: &str,
) -> Result<T> {
    call.await.with_context(|| what.to_string()).map_err(explain_cluster_error)
}

fn explain_cluster_error(err: anyhow::Error) -> anyhow::Error {
    let hint = err.chain().find_map(|cause| {
        let text = cause.to_string();
        if text.contains("Connection refused") || text.contains("tcp connect error") {
            Some("the cluster is unreachable: check --kubeconfig/--context and that the API server is up")
        } else if let Some(kube::Error::Api(status)) = cause.downcast_ref::<kube::Error>() {
            match status.code {
                401 => Some("the cluster refused the credentials in the kubeconfig"),
                403 => Some("permission denied: run `tk check --pre` to see which rights are missing"),
                _ => None,
            }
        } else {
            None
        }
    });
    match hint {
        Some(hint) => err.context(hint),
        None => err,
    }
}
