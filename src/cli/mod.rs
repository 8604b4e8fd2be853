//! The command-line face of tk: parse, resolve settings, dispatch one command.

pub mod args;
pub mod bootstrap;
mod build;
mod build_helmrelease;
mod canary;
mod check;
mod cluster;
mod completion;
mod create;
mod delete;
mod diff;
mod diff_helmrelease;
mod docs;
mod events;
mod export;
mod fast_parse;
mod get;
mod heap;
mod helm;
mod install;
mod kustomize;
mod objects;
mod preflight;
pub mod printer;
mod promote;
mod reconcile;
pub mod settings;
mod suspend;
mod tree;
mod uninstall;
mod version;
mod yaml;

use std::future::Future;
use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;

use args::{
    Cli, Command, CreateCommand, CreateSecretCommand, CreateSourceCommand, DeleteCommand,
    DeleteSourceCommand, ExportCommand, ExportSourceCommand, GetCommand, GetSourcesCommand,
    KustomizeCommand, PromoteCommand, ReconcileCommand, ReconcileSourceCommand, ResumeCommand,
    ResumeSourceCommand, SuspendCommand, SuspendSourceCommand,
};
pub use docs::pages as doc_pages;
use objects::{
    ALERT, BUCKET, CANARY, GIT_REPOSITORY, HELM_CHART, HELM_RELEASE, HELM_REPOSITORY,
    KUSTOMIZATION, NOTIFICATION_KINDS, OCI_REPOSITORY, PROVIDER, RECEIVER, SOURCE_KINDS,
};
use printer::Printer;
use settings::GlobalSettings;
use suspend::Selection;

use crate::manifests;

pub fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = fast_parse::helm_template(&argv).unwrap_or_else(|| Cli::parse_from(argv));
    if !matches!(cli.command, Command::Controller(_)) {
        die_quietly_on_closed_pipe();
    }
    let printer = Printer::new(cli.global.verbose);
    match run(cli, printer) {
        Ok(code) => code,
        Err(err) => {
            printer.failure(format!("{err:#}"));
            ExitCode::FAILURE
        }
    }
}

/// `tk install --export | head` should stop quietly, as other Unix tools do, rather than
/// panic on a closed stdout. Rust ignores SIGPIPE; restoring the default is right for the
/// CLI, not for the controllers, whose sockets may see peers go away.
fn die_quietly_on_closed_pipe() {
    // SAFETY: setting a signal's disposition to SIG_DFL before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn run(cli: Cli, printer: Printer) -> Result<ExitCode> {
    let settings = GlobalSettings::resolve(&cli.global)?;
    match cli.command {
        Command::Completion(args) => {
            completion::run(args.shell, &mut std::io::stdout().lock());
            Ok(ExitCode::SUCCESS)
        }
        Command::Crds => {
            print!("{}", manifests::generated_crds_json());
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
        Command::Install(args) => {
            let options =
                install::options(&args.components, &settings, &manifests::Component::ALL)?;
            if args.export {
                print!("{}", manifests::to_yaml(&manifests::render(&options)));
                return Ok(ExitCode::SUCCESS);
            }
            block_on(install::install(&settings, &options, printer))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Upgrade(args) => {
            if args.export {
                anyhow::bail!("flag --export: use `tk install --export` to print the manifests");
            }
            block_on(install::upgrade(&settings, &args.components, printer))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check(args) => Ok(if block_on(check::run(&settings, args.pre, printer))? {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }),
        Command::Uninstall(args) => {
            let options = uninstall::UninstallOptions {
                keep_namespace: args.keep_namespace,
                dry_run: args.dry_run,
                silent: args.silent,
            };
            block_on(uninstall::run(&settings, &options, printer))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Create(args) => {
            match args.command {
                CreateCommand::Source(source) => match source.command {
                    CreateSourceCommand::Git(args) => {
                        let options =
                            create::source_git::SourceGitOptions::resolve(&args, &settings)?;
                        block_on_create(
                            options.export,
                            create::source_git::run(&options, &settings, printer),
                        )?;
                    }
                    CreateSourceCommand::Helm(args) => {
                        let options =
                            create::source_helm::SourceHelmOptions::resolve(&args, &settings)?;
                        block_on_create(
                            options.export,
                            create::source_helm::run(&options, &settings, printer),
                        )?;
                    }
                    CreateSourceCommand::Chart(args) => {
                        let options =
                            create::source_chart::SourceChartOptions::resolve(&args, &settings)?;
                        block_on_create(
                            options.export,
                            create::source_chart::run(&options, &settings, printer),
                        )?;
                    }
                    CreateSourceCommand::Oci(args) => {
                        let options =
                            create::source_oci::SourceOciOptions::resolve(&args, &settings)?;
                        block_on_create(
                            options.export,
                            create::source_oci::run(&options, &settings, printer),
                        )?;
                    }
                    CreateSourceCommand::Bucket(args) => {
                        let options =
                            create::source_bucket::SourceBucketOptions::resolve(&args, &settings)?;
                        block_on_create(
                            options.export,
                            create::source_bucket::run(&options, &settings, printer),
                        )?;
                    }
                },
                CreateCommand::Kustomization(args) => {
                    let options =
                        create::kustomization::KustomizationOptions::resolve(&args, &settings)?;
                    block_on_create(
                        options.export,
                        create::kustomization::run(&options, &settings, printer),
                    )?;
                }
                CreateCommand::HelmRelease(args) => {
                    let options =
                        create::helmrelease::HelmReleaseOptions::resolve(&args, &settings)?;
                    block_on_create(
                        options.export,
                        create::helmrelease::run(&options, &settings, printer),
                    )?;
                }
                CreateCommand::Tenant(args) => {
                    let options = create::tenant::TenantOptions::resolve(&args)?;
                    block_on_create(
                        options.export,
                        create::tenant::run(&options, &settings, printer),
                    )?;
                }
                CreateCommand::AlertProvider(args) => {
                    let options = create::notification::ProviderOptions::resolve(&args, &settings)?;
                    block_on_create(
                        options.export,
                        create::notification::run_provider(&options, &settings, printer),
                    )?;
                }
                CreateCommand::Alert(args) => {
                    let options = create::notification::AlertOptions::resolve(&args, &settings)?;
                    block_on_create(
                        options.export,
                        create::notification::run_alert(&options, &settings, printer),
                    )?;
                }
                CreateCommand::Receiver(args) => {
                    let options = create::notification::ReceiverOptions::resolve(&args, &settings)?;
                    block_on_create(
                        options.export,
                        create::notification::run_receiver(&options, &settings, printer),
                    )?;
                }
                CreateCommand::Canary(args) => {
                    let options = create::canary::CanaryOptions::resolve(&args, &settings)?;
                    block_on_create(
                        options.export,
                        create::canary::run(&options, &settings, printer),
                    )?;
                }
                CreateCommand::Secret(secret) => match secret.command {
                    CreateSecretCommand::Git(args) => {
                        let options =
                            create::secret_git::SecretGitOptions::resolve(&args, &settings)?;
                        block_on(create::secret_git::run(&options, &settings, printer))?;
                    }
                    CreateSecretCommand::Helm(args) => {
                        let options =
                            create::secret_helm::SecretHelmOptions::resolve(&args, &settings)?;
                        block_on_create(
                            options.export,
                            create::secret_helm::run(&options, &settings, printer),
                        )?;
                    }
                    CreateSecretCommand::Oci(args) => {
                        let options =
                            create::secret_oci::SecretOciOptions::resolve(&args, &settings)?;
                        block_on_create(
                            options.export,
                            create::secret_oci::run(&options, &settings, printer),
                        )?;
                    }
                },
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Get(args) => {
            match args.command {
                GetCommand::Sources(sources) => match sources.command {
                    GetSourcesCommand::Git(args) => {
                        get_list(GIT_REPOSITORY, &args, &settings, printer)?
                    }
                    GetSourcesCommand::Helm(args) => {
                        get_list(HELM_REPOSITORY, &args, &settings, printer)?
                    }
                    GetSourcesCommand::Chart(args) => {
                        get_list(HELM_CHART, &args, &settings, printer)?
                    }
                    GetSourcesCommand::Oci(args) => {
                        get_list(OCI_REPOSITORY, &args, &settings, printer)?
                    }
                    GetSourcesCommand::Bucket(args) => get_list(BUCKET, &args, &settings, printer)?,
                    GetSourcesCommand::All(args) => {
                        let options =
                            get::GetOptions::resolve(&args.filter, None, false, &settings)?;
                        block_on(get::all(&SOURCE_KINDS, &options, &settings))?;
                    }
                },
                GetCommand::Kustomizations(args) => {
                    let options = get::GetOptions::resolve(
                        &args.filter,
                        args.name.as_deref(),
                        args.watch,
                        &settings,
                    )?;
                    block_on(get::one_kind(KUSTOMIZATION, &options, &settings, printer))?;
                }
                GetCommand::HelmReleases(args) => {
                    get_list(HELM_RELEASE, &args, &settings, printer)?
                }
                GetCommand::Alerts(args) => get_list(ALERT, &args, &settings, printer)?,
                GetCommand::AlertProviders(args) => get_list(PROVIDER, &args, &settings, printer)?,
                GetCommand::Receivers(args) => get_list(RECEIVER, &args, &settings, printer)?,
                GetCommand::Canaries(args) => get_list(CANARY, &args, &settings, printer)?,
                GetCommand::All(args) => {
                    let options = get::GetOptions::resolve(&args.filter, None, false, &settings)?;
                    // flux's order: sources, HelmReleases, Kustomizations, notification kinds.
                    let mut kinds = SOURCE_KINDS.to_vec();
                    kinds.push(HELM_RELEASE);
                    kinds.push(KUSTOMIZATION);
                    kinds.extend(NOTIFICATION_KINDS);
                    block_on(get::all(&kinds, &options, &settings))?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Reconcile(args) => {
            match args.command {
                ReconcileCommand::Source(source) => match source.command {
                    ReconcileSourceCommand::Git(args) => {
                        block_on(reconcile::run(
                            GIT_REPOSITORY,
                            &args.name,
                            false,
                            &settings,
                            printer,
                        ))?;
                    }
                    ReconcileSourceCommand::Helm(args) => {
                        block_on(reconcile::run(
                            HELM_REPOSITORY,
                            &args.name,
                            false,
                            &settings,
                            printer,
                        ))?;
                    }
                    ReconcileSourceCommand::Chart(args) => {
                        block_on(reconcile::run(
                            HELM_CHART,
                            &args.name,
                            args.with_source,
                            &settings,
                            printer,
                        ))?;
                    }
                    ReconcileSourceCommand::Oci(args) => {
                        block_on(reconcile::run(
                            OCI_REPOSITORY,
                            &args.name,
                            false,
                            &settings,
                            printer,
                        ))?;
                    }
                    ReconcileSourceCommand::Bucket(args) => {
                        block_on(reconcile::run(
                            BUCKET, &args.name, false, &settings, printer,
                        ))?;
                    }
                },
                ReconcileCommand::Kustomization(args) => {
                    block_on(reconcile::run(
                        KUSTOMIZATION,
                        &args.name,
                        args.with_source,
                        &settings,
                        printer,
                    ))?;
                }
                ReconcileCommand::HelmRelease(args) => {
                    let request = reconcile::HelmReleaseRequest {
                        with_source: args.with_source,
                        force: args.force,
                        reset: args.reset,
                    };
                    block_on(reconcile::helm_release(
                        &args.name, request, &settings, printer,
                    ))?;
                }
                ReconcileCommand::Receiver(args) => {
                    block_on(reconcile::run(
                        RECEIVER, &args.name, false, &settings, printer,
                    ))?;
                }
                ReconcileCommand::Alert(args) => {
                    block_on(reconcile::run(ALERT, &args.name, false, &settings, printer))?;
                }
                ReconcileCommand::AlertProvider(args) => {
                    block_on(reconcile::run(
                        PROVIDER, &args.name, false, &settings, printer,
                    ))?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Suspend(args) => {
            match args.command {
                SuspendCommand::Source(source) => match source.command {
                    SuspendSourceCommand::Git(args) => {
                        suspend_select(GIT_REPOSITORY, &args, &settings, printer)?
                    }
                    SuspendSourceCommand::Helm(args) => {
                        suspend_select(HELM_REPOSITORY, &args, &settings, printer)?
                    }
                    SuspendSourceCommand::Chart(args) => {
                        suspend_select(HELM_CHART, &args, &settings, printer)?
                    }
                    SuspendSourceCommand::Oci(args) => {
                        suspend_select(OCI_REPOSITORY, &args, &settings, printer)?
                    }
                    SuspendSourceCommand::Bucket(args) => {
                        suspend_select(BUCKET, &args, &settings, printer)?
                    }
                },
                SuspendCommand::Kustomization(args) => {
                    let selection = Selection::new(args.name.as_deref(), args.all);
                    block_on(suspend::suspend(
                        KUSTOMIZATION,
                        &selection,
                        &settings,
                        printer,
                    ))?;
                }
                SuspendCommand::HelmRelease(args) => {
                    suspend_select(HELM_RELEASE, &args, &settings, printer)?
                }
                SuspendCommand::Alert(args) => suspend_select(ALERT, &args, &settings, printer)?,
                SuspendCommand::AlertProvider(args) => {
                    suspend_select(PROVIDER, &args, &settings, printer)?
                }
                SuspendCommand::Receiver(args) => {
                    suspend_select(RECEIVER, &args, &settings, printer)?
                }
                SuspendCommand::Canary(args) => suspend_select(CANARY, &args, &settings, printer)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Resume(args) => {
            match args.command {
                ResumeCommand::Source(source) => match source.command {
                    ResumeSourceCommand::Git(args) => {
                        resume_select(GIT_REPOSITORY, &args, &settings, printer)?
                    }
                    ResumeSourceCommand::Helm(args) => {
                        resume_select(HELM_REPOSITORY, &args, &settings, printer)?
                    }
                    ResumeSourceCommand::Chart(args) => {
                        resume_select(HELM_CHART, &args, &settings, printer)?
                    }
                    ResumeSourceCommand::Oci(args) => {
                        resume_select(OCI_REPOSITORY, &args, &settings, printer)?
                    }
                    ResumeSourceCommand::Bucket(args) => {
                        resume_select(BUCKET, &args, &settings, printer)?
                    }
                },
                ResumeCommand::Kustomization(args) => {
                    resume_select(KUSTOMIZATION, &args, &settings, printer)?
                }
                ResumeCommand::HelmRelease(args) => {
                    resume_select(HELM_RELEASE, &args, &settings, printer)?
                }
                ResumeCommand::Alert(args) => resume_select(ALERT, &args, &settings, printer)?,
                ResumeCommand::AlertProvider(args) => {
                    resume_select(PROVIDER, &args, &settings, printer)?
                }
                ResumeCommand::Receiver(args) => {
                    resume_select(RECEIVER, &args, &settings, printer)?
                }
                // A Canary reports no handled request: there is nothing to wait for.
                ResumeCommand::Canary(args) => {
                    let selection = Selection::new(args.name.as_deref(), args.all);
                    block_on(suspend::resume(
                        CANARY, &selection, false, &settings, printer,
                    ))?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Promote(args) => {
            match args.command {
                PromoteCommand::Canary(args) => {
                    block_on(promote::canary(&args.name, args.wait, &settings, printer))?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Delete(args) => {
            match args.command {
                DeleteCommand::Source(source) => match source.command {
                    DeleteSourceCommand::Git(args) => {
                        delete_one(GIT_REPOSITORY, &args, &settings, printer)?
                    }
                    DeleteSourceCommand::Helm(args) => {
                        delete_one(HELM_REPOSITORY, &args, &settings, printer)?
                    }
                    DeleteSourceCommand::Chart(args) => {
                        delete_one(HELM_CHART, &args, &settings, printer)?
                    }
                    DeleteSourceCommand::Oci(args) => {
                        delete_one(OCI_REPOSITORY, &args, &settings, printer)?
                    }
                    DeleteSourceCommand::Bucket(args) => {
                        delete_one(BUCKET, &args, &settings, printer)?
                    }
                },
                DeleteCommand::Kustomization(args) => {
                    block_on(delete::run(
                        KUSTOMIZATION,
                        &args.name,
                        args.silent,
                        &settings,
                        printer,
                    ))?;
                }
                DeleteCommand::HelmRelease(args) => {
                    delete_one(HELM_RELEASE, &args, &settings, printer)?
                }
                DeleteCommand::Alert(args) => {
                    block_on(delete::run(
                        ALERT,
                        &args.name,
                        args.silent,
                        &settings,
                        printer,
                    ))?;
                }
                DeleteCommand::AlertProvider(args) => {
                    block_on(delete::run(
                        PROVIDER,
                        &args.name,
                        args.silent,
                        &settings,
                        printer,
                    ))?;
                }
                DeleteCommand::Receiver(args) => {
                    block_on(delete::run(
                        RECEIVER,
                        &args.name,
                        args.silent,
                        &settings,
                        printer,
                    ))?;
                }
                DeleteCommand::Canary(args) => delete_one(CANARY, &args, &settings, printer)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(args) => {
            match args.command {
                ExportCommand::Source(source) => match source.command {
                    ExportSourceCommand::Git(args) => {
                        export_source(GIT_REPOSITORY, &args, &settings, printer)?
                    }
                    ExportSourceCommand::Helm(args) => {
                        export_source(HELM_REPOSITORY, &args, &settings, printer)?
                    }
                    ExportSourceCommand::Chart(args) => {
                        export_source(HELM_CHART, &args, &settings, printer)?
                    }
                    ExportSourceCommand::Oci(args) => {
                        export_source(OCI_REPOSITORY, &args, &settings, printer)?
                    }
                    ExportSourceCommand::Bucket(args) => {
                        export_source(BUCKET, &args, &settings, printer)?
                    }
                },
                ExportCommand::Kustomization(args) => {
                    export_select(KUSTOMIZATION, &args, &settings, printer)?
                }
                ExportCommand::HelmRelease(args) => {
                    export_select(HELM_RELEASE, &args, &settings, printer)?
                }
                ExportCommand::Alert(args) => export_select(ALERT, &args, &settings, printer)?,
                ExportCommand::AlertProvider(args) => {
                    export_select(PROVIDER, &args, &settings, printer)?
                }
                ExportCommand::Receiver(args) => {
                    export_select(RECEIVER, &args, &settings, printer)?
                }
                ExportCommand::Canary(args) => export_select(CANARY, &args, &settings, printer)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Build(args) => match args.command {
            args::BuildCommand::Kustomization(args) => {
                let options = build::BuildOptions::resolve(
                    &args.name,
                    &args.path,
                    args.kustomization_file.as_deref(),
                    args.dry_run,
                )?;
                block_on(build::run(&options, &settings))?;
                Ok(ExitCode::SUCCESS)
            }
            args::BuildCommand::HelmRelease(args) => {
                let options = build_helmrelease::HelmReleaseOptions::resolve(
                    &args.name,
                    args.render.file.as_deref(),
                    args.render.chart.as_deref(),
                    &args.render.values,
                    args.include_hooks,
                    args.dry_run,
                )?;
                block_on(build_helmrelease::run(&options, &settings, printer))?;
                Ok(ExitCode::SUCCESS)
            }
        },
        Command::Diff(args) => match args.command {
            args::DiffCommand::Kustomization(args) => {
                let options = match build::BuildOptions::resolve(
                    &args.name,
                    &args.path,
                    args.kustomization_file.as_deref(),
                    false,
                ) {
                    Ok(options) => options,
                    Err(err) => {
                        printer.failure(format!("{err:#}"));
                        return Ok(ExitCode::from(2));
                    }
                };
                Ok(block_on(diff::run(&options, &settings, printer)))
            }
            args::DiffCommand::HelmRelease(args) => {
                let options = match build_helmrelease::HelmReleaseOptions::resolve(
                    &args.name,
                    args.render.file.as_deref(),
                    args.render.chart.as_deref(),
                    &args.render.values,
                    false,
                    false,
                ) {
                    Ok(options) => options,
                    Err(err) => {
                        printer.failure(format!("{err:#}"));
                        return Ok(ExitCode::from(2));
                    }
                };
                Ok(block_on(diff_helmrelease::run(
                    &options, &settings, printer,
                )))
            }
        },
        Command::Tree(args) => match args.command {
            args::TreeCommand::Kustomization(args) => {
                let output = tree::Output::parse(args.output.as_deref())?;
                block_on(tree::kustomization(
                    &args.name,
                    args.compact,
                    output,
                    &settings,
                ))?;
                Ok(ExitCode::SUCCESS)
            }
        },
        Command::Events(args) => {
            let options = events::EventsOptions {
                for_selector: args.for_selector,
                all_namespaces: args.all_namespaces,
                watch: args.watch,
                types: args.types,
            };
            block_on(events::run(&options, &settings, printer))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Helm(args) => {
            match args.command {
                args::HelmCommand::Template(args) => {
                    heap::prepare_for_one_shot_render();
                    self::helm::template(&args, &cli.global.namespace)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Kustomize(args) => {
            match args.command {
                KustomizeCommand::Build(args) => {
                    heap::prepare_for_one_shot_render();
                    kustomize::build(&kustomize::BuildSettings::resolve(&args)?)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bootstrap(args) => {
            block_on(bootstrap::run(&args, &settings, printer))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Controller(args) => crate::controllers::run(args, &settings),
    }
}

/// `tk suspend <kind> NAME|--all`.
fn suspend_select(
    kind: objects::Kind,
    args: &args::SelectArgs,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let selection = Selection::new(args.name.as_deref(), args.all);
    block_on(suspend::suspend(kind, &selection, settings, printer))
}

/// `tk resume <kind> NAME|--all [--wait]`.
fn resume_select(
    kind: objects::Kind,
    args: &args::ResumeSelectArgs,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let selection = Selection::new(args.select.name.as_deref(), args.select.all);
    block_on(suspend::resume(
        kind, &selection, args.wait, settings, printer,
    ))
}

/// `tk export <kind> NAME|--all`.
fn export_select(
    kind: objects::Kind,
    args: &args::SelectArgs,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let selection = Selection::new(args.name.as_deref(), args.all);
    block_on(export::run(kind, &selection, false, settings, printer))
}

/// `tk export source <kind> NAME|--all [--with-credentials]`.
fn export_source(
    kind: objects::Kind,
    args: &args::ExportSelectArgs,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let selection = Selection::new(args.select.name.as_deref(), args.select.all);
    block_on(export::run(
        kind,
        &selection,
        args.with_credentials,
        settings,
        printer,
    ))
}

/// `tk delete <kind> NAME [--silent]`.
fn delete_one(
    kind: objects::Kind,
    args: &args::DeleteNameArgs,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    block_on(delete::run(
        kind,
        &args.name,
        args.silent,
        settings,
        printer,
    ))
}

/// `tk get <kind>`: one kind's table.
fn get_list(
    kind: objects::Kind,
    args: &args::GetListArgs,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let options =
        get::GetOptions::resolve(&args.filter, args.name.as_deref(), args.watch, settings)?;
    block_on(get::one_kind(kind, &options, settings, printer))
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

/// A `create` command: its `--export` never touches the cluster, so it runs without the
/// multi-threaded runtime and the crypto provider.
fn block_on_create<F: Future>(export: bool, future: F) -> F::Output {
    if export {
        block_on_local(future)
    } else {
        block_on(future)
    }
}

/// Runs a command that never touches the cluster (an `--export`) on a current-thread runtime.
fn block_on_local<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime")
        .block_on(future)
}

/// rustls needs one process-wide crypto provider; ring is the one kube is built with.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Awaits an API call, turning failures into one line that says what was being done, what
/// went wrong and what to do.
pub async fn cluster_call<T>(call: impl Future<Output = kube::Result<T>>, what: &str) -> Result<T> {
    call.await.map_err(|err| explain_cluster_error(err, what))
}

fn explain_cluster_error(err: kube::Error, what: &str) -> anyhow::Error {
    if let kube::Error::Api(status) = &err {
        let hint = match status.code {
            401 => "the cluster refused the credentials in the kubeconfig",
            403 => "permission denied: run `tk check --pre` to see which rights are missing",
            _ => "",
        };
        let message = &status.message;
        return if hint.is_empty() {
            anyhow::anyhow!("{what}: {message}")
        } else {
            anyhow::anyhow!("{what}: {hint} ({message})")
        };
    }
    let root = std::iter::successors(Some(&err as &dyn std::error::Error), |e| e.source())
        .last()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let unreachable = root.contains("Connection refused")
        || root.contains("timed out")
        || root.contains("No route to host")
        || root.contains("dns error")
        || matches!(err, kube::Error::HyperError(_) | kube::Error::Service(_));
    if unreachable {
        anyhow::anyhow!(
            "{what}: the cluster is unreachable ({root}): check --kubeconfig/--context and that the API server is up"
        )
    } else {
        anyhow::Error::new(err).context(what.to_string())
    }
}
