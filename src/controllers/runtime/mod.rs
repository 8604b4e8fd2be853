//! The runtime every controller shares: client, leader election, metrics, health, events,
//! logging and requeue policy.
//!
//! A controller is a [`Launcher`]: given the shared [`Context`] it builds a
//! `kube::runtime::Controller` and drives it until `ctx.shutdown` fires, with reconcilers of
//! the shape `reconcile(Arc<Obj>, Arc<Ctx>) -> Result<Action>`:
//!
//! ```text
//! fn launch(ctx: Arc<Context>) -> BoxFuture<'static, anyhow::Result<()>> {
//!     Box::pin(async move {
//!         Controller::new(ctx.api::<GitRepository>(), ctx.watcher_config())
//!             .with_config(ctx.controller_config())
//!             .graceful_shutdown_on(ctx.shutdown.wait())
//!             .run(reconcile, error_policy, ctx.clone())
//!             .for_each(|_| async {})
//!             .await;
//!         Ok(())
//!     })
//! }
//! // reconcile: ctx.metrics.reconciled(..), ctx.requeue.success(&obj, interval)
//! // error_policy: ctx.requeue.failure(&obj)
//! ```

pub mod backoff;
pub mod client;
pub mod events;
pub mod health;
pub mod leader;
pub mod logging;
pub mod metrics;
pub mod options;
pub mod primary;
pub mod shutdown;
pub mod written;

use std::fmt::Debug;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use futures::future::BoxFuture;
use kube::Api;
use kube::core::NamespaceResourceScope;
use kube::runtime::{controller, watcher};
use serde::de::DeserializeOwned;
use tokio::task::JoinSet;

use crate::cli::settings::GlobalSettings;
pub use backoff::Requeue;
pub use events::EventRecorder;
pub use health::Health;
pub use leader::{LeaderElector, LostLeadership};
pub use metrics::{Metrics, Outcome};
pub use options::{
    ControllerArgs, ControllerName, NotificationOptions, Options, RUNTIME_NAMESPACE_ENV,
};
pub use shutdown::Shutdown;

/// How long controllers get to finish in-flight reconciles after SIGTERM, as
/// controller-runtime's default `GracefulShutdownTimeout`.
const GRACEFUL_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(30);

/// Bounds the Lease release at exit; the kubelet's grace period is finite.
const RELEASE_TIMEOUT: Duration = Duration::from_secs(5);

/// Counts a reconcile as in flight until dropped, however it ends.
pub struct InFlight<'a>(&'a std::sync::atomic::AtomicUsize);

impl<'a> InFlight<'a> {
    pub fn enter(counter: &'a std::sync::atomic::AtomicUsize) -> Self {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        InFlight(counter)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Drives a controller's reconcile stream until it ends or shutdown is asked for and no
/// reconcile counted in `in_flight` still runs.
///
/// kube's graceful shutdown lets in-flight reconciles finish, but a controller still waiting
/// for its first list (its CRD not installed yet) never notices the signal: this stops it as
/// soon as nothing is in flight.
pub async fn drive<S, T, E>(
    name: &'static str,
    stream: S,
    in_flight: &std::sync::atomic::AtomicUsize,
    shutdown: &Shutdown,
) where
    S: futures::Stream<Item = std::result::Result<T, E>>,
    E: std::fmt::Display,
{
    use futures::StreamExt;
    let controller = stream.for_each(|result| async move {
        if let Err(err) = result {
            tracing::debug!(error = %err, controller = name, "controller event");
        }
    });
    tokio::pin!(controller);
    tokio::select! {
        () = &mut controller => {}
        () = shutdown.wait() => {
            let idle = async {
                while in_flight.load(std::sync::atomic::Ordering::SeqCst) > 0 {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            };
            tokio::select! {
                () = &mut controller => {}
                () = idle => {}
            }
        }
    }
}

/// What every reconciler of the process shares.
pub struct Context {
    pub client: kube::Client,
    /// Builds clients impersonating service accounts, counted in `client`'s metrics.
    pub clients: client::Clients,
    pub options: Options,
    pub metrics: Metrics,
    pub requeue: Requeue,
    pub shutdown: Shutdown,
    /// This process's leader election identity; also the events' reportingInstance.
    pub identity: String,
}

impl Context {
    /// An event recorder reporting as `controller` (e.g. "source-controller"). Create one per
    /// controller and keep it: the recorder deduplicates repeated events in its own cache.
    pub fn recorder(&self, controller: &str) -> Result<EventRecorder> {
        let recorder = EventRecorder::new(
            self.clients.events()?,
            controller,
            Some(self.identity.clone()),
        );
        match &self.options.events_addr {
            Some(addr) => recorder.forward_to(addr),
            None => Ok(recorder),
        }
    }

    /// The API a controller watches: every namespace, or only the runtime namespace when
    /// started with `--watch-all-namespaces=false`.
    pub fn api<K>(&self) -> Api<K>
    where
        K: kube::Resource<DynamicType = (), Scope = NamespaceResourceScope>
            + Clone
            + DeserializeOwned
            + Debug,
    {
        match &self.options.watch_namespace {
            Some(ns) => Api::namespaced(self.client.clone(), ns),
            None => Api::all(self.client.clone()),
        }
    }

    /// Watch settings carrying `--watch-label-selector`.
    pub fn watcher_config(&self) -> watcher::Config {
        let config = watcher::Config::default();
        match &self.options.watch_label_selector {
            Some(selector) => config.labels(selector),
            None => config,
        }
    }

    /// Controller settings carrying `--concurrent`.
    pub fn controller_config(&self) -> controller::Config {
        controller::Config::default().concurrency(self.options.concurrent)
    }
}

/// Starts one controller; the future runs until `ctx.shutdown` fires and then returns.
/// Returning earlier, or an error, ends the process with a failure.
pub type Launcher = fn(Arc<Context>) -> BoxFuture<'static, Result<()>>;

/// The controllers a `tk controller <name>` process runs. The reconcilers are added by their
/// own modules; until then each set is empty and the process only holds leadership and serves
/// its probes and metrics.
pub fn launchers(name: ControllerName) -> Vec<Launcher> {
    match name {
        ControllerName::All => [
            ControllerName::Source,
            ControllerName::Kustomize,
            ControllerName::Helm,
            ControllerName::Notification,
        ]
        .into_iter()
        .flat_map(launchers)
        .collect(),
        ControllerName::Source => vec![crate::controllers::source::launch],
        ControllerName::Kustomize => vec![crate::controllers::kustomize::launch],
        ControllerName::Notification => vec![
            crate::controllers::notification::launch,
            crate::controllers::notification::receivers::launch,
        ],
        ControllerName::Helm => vec![crate::controllers::helm::launch],
        ControllerName::Canary => vec![crate::controllers::canary::launch],
    }
}

/// `tk controller <name>`: resolves the flags, sets up logging and runs until shutdown or
/// lost leadership.
pub fn run(args: ControllerArgs, settings: &GlobalSettings) -> Result<ExitCode> {
    let options = Options::resolve(&args, settings, std::env::var(RUNTIME_NAMESPACE_ENV).ok())?;
    logging::init(options.log_level, options.log_encoding);
    limit_malloc_arenas();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result = runtime.block_on(serve(options, settings.clone()));
    // Leftover tasks (probe retries, idle connections) must not hold the exit. An error is
    // reported once, by the CLI.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

/// glibc gives each thread that allocates its own arena (up to 8 per core), and freed
/// memory stays in them: a controller's many short-lived blocking tasks grew its RSS by
/// about 12 MiB at 1000 Kustomizations for nothing. Two arenas cost no measurable speed.
/// (The release image links musl, whose allocator has no arenas.)
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes the allocator; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

async fn serve(options: Options, settings: GlobalSettings) -> Result<ExitCode> {
    let name = options.name;
    let (trigger, shutdown) = shutdown::channel();
    let trigger = Arc::new(trigger);
    {
        let trigger = trigger.clone();
        tokio::spawn(async move {
            match shutdown::signal().await {
                Ok(signal) => tracing::info!(signal, "shutting down"),
                Err(err) => {
                    tracing::error!(error = %err, "cannot listen for signals; shutting down")
                }
            }
            trigger.trigger();
        });
    }
    tracing::info!(
        controller = %name.controller_name(),
        version = crate::VERSION,
        namespace = %options.runtime_namespace,
        "starting"
    );

    let metrics = Metrics::new();
    let health = Health::new();
    let mut servers = Vec::new();
    if let Some(addr) = options.health_addr {
        servers.push(health::serve(addr, health.clone(), shutdown.wait()).await?);
    }
    if let Some(addr) = options.metrics_addr {
        servers.push(metrics::serve(addr, metrics.clone(), shutdown.wait()).await?);
    }

    let (client, clients) = client::build(
        &settings,
        options.kube_api_qps,
        options.kube_api_burst,
        &metrics,
    )
    .await?;
    tokio::spawn({
        let health = health.clone();
        let client = client.clone();
        async move { health.wait_for_apiserver(client).await }
    });

    let identity = leader::holder_identity();
    let mut elector = None;
    if let Some(timing) = options.leader_election {
        let lease = name.lease_name();
        let mut candidate = LeaderElector::new(
            client.clone(),
            &options.runtime_namespace,
            lease.clone(),
            identity.clone(),
            timing,
        );
        metrics.set_leader(&lease, false);
        tokio::select! {
            () = candidate.acquire() => {}
            () = shutdown.wait() => {
                finish_servers(servers).await;
                return Ok(ExitCode::SUCCESS);
            }
        }
        metrics.set_leader(&lease, true);
        elector = Some(candidate);
    }

    let ctx = Arc::new(Context {
        client,
        clients,
        metrics: metrics.clone(),
        requeue: Requeue::new(options.interval_jitter),
        shutdown: shutdown.clone(),
        identity,
        options,
    });
    let mut controllers = JoinSet::new();
    for launch in launchers(name) {
        controllers.spawn(launch(ctx.clone()));
    }
    tracing::info!(controllers = controllers.len(), "starting controllers");

    let stop = {
        let held = async {
            match elector.as_mut() {
                Some(elector) => elector.hold().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            lost = held => Stop::LostLeadership(lost),
            () = shutdown.wait() => Stop::Shutdown,
            // A controller that returns because shutdown began is stopping, not failing; the
            // select may see its return before the signal itself.
            Some(joined) = controllers.join_next() => match joined {
                Ok(Ok(())) if shutdown.is_triggered() => Stop::Shutdown,
                joined => Stop::ControllerExited(describe_exit(joined)),
            },
        }
    };

    match &stop {
        Stop::LostLeadership(lost) => {
            // Another replica may already be reconciling, so stop at once, as controller-runtime
            // does, rather than drain.
            tracing::error!(error = %lost, "leader election lost");
            metrics.set_leader(&name.lease_name(), false);
            return Ok(ExitCode::FAILURE);
        }
        Stop::ControllerExited(reason) => {
            tracing::error!(error = %reason, "a controller stopped; shutting down");
            trigger.trigger();
        }
        Stop::Shutdown => {}
    }

    if tokio::time::timeout(GRACEFUL_SHUTDOWN_TIMEOUT, drain(&mut controllers))
        .await
        .is_err()
    {
        tracing::warn!(
            "controllers did not stop within {GRACEFUL_SHUTDOWN_TIMEOUT:?}; aborting them"
        );
        controllers.abort_all();
    }
    if let Some(elector) = elector.as_mut() {
        match tokio::time::timeout(RELEASE_TIMEOUT, elector.release()).await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => tracing::warn!(error = %err, "failed to release the leader lease"),
            Err(_) => tracing::warn!("timed out releasing the leader lease"),
        }
        metrics.set_leader(&name.lease_name(), false);
    }
    finish_servers(servers).await;
    tracing::info!("stopped");
    Ok(if matches!(stop, Stop::ControllerExited(_)) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

enum Stop {
    LostLeadership(LostLeadership),
    Shutdown,
    ControllerExited(String),
}

fn describe_exit(joined: Result<Result<()>, tokio::task::JoinError>) -> String {
    match joined {
        Ok(Ok(())) => "exited before shutdown".to_string(),
        Ok(Err(err)) => format!("{err:#}"),
        Err(err) => format!("panicked: {err}"),
    }
}

async fn drain(controllers: &mut JoinSet<Result<()>>) {
    while let Some(joined) = controllers.join_next().await {
        if let Ok(Err(err)) = joined {
            tracing::error!(
                error = format!("{err:#}"),
                "controller failed while stopping"
            );
        }
    }
}

/// Servers stop accepting on the shutdown signal; this waits for in-flight scrapes briefly.
async fn finish_servers(servers: Vec<tokio::task::JoinHandle<()>>) {
    let all = futures::future::join_all(servers);
    let _ = tokio::time::timeout(Duration::from_secs(2), all).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_can_be_shared_across_reconciler_tasks() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<Context>();
    }

    #[test]
    fn all_runs_every_controller() {
        let each: usize = [
            ControllerName::Source,
            ControllerName::Kustomize,
            ControllerName::Helm,
            ControllerName::Notification,
        ]
        .into_iter()
        .map(|name| launchers(name).len())
        .sum();
        assert_eq!(launchers(ControllerName::All).len(), each);
    }
}
