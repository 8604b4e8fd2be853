//! The flags of `tk controller <name>`, named and defaulted as Flux's controllers name them so
//! the install manifests can pass the same arguments, and their resolution into [`Options`].

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use clap::{ArgAction, Args, ValueEnum};

use crate::api::duration;
use crate::cli::settings::GlobalSettings;

/// Set by the install manifests from the Pod's namespace (downward API), as Flux does.
pub const RUNTIME_NAMESPACE_ENV: &str = "RUNTIME_NAMESPACE";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ControllerName {
    Source,
    Kustomize,
    Helm,
    Notification,
    /// Flagger's Canaries (an extra component, not part of `all`).
    Canary,
    All,
}

impl ControllerName {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Kustomize => "kustomize",
            Self::Helm => "helm",
            Self::Notification => "notification",
            Self::Canary => "canary",
            Self::All => "all",
        }
    }

    /// The Lease Flux's Deployments use, so a tk controller and a Flux controller of the same
    /// kind never lead at once in one namespace.
    pub fn lease_name(self) -> String {
        match self {
            Self::All => "tk-controller-leader-election".to_string(),
            other => format!("{}-controller-leader-election", other.as_str()),
        }
    }

    /// The `reportingController` of events and the `controller` log key.
    pub fn controller_name(self) -> String {
        match self {
            Self::All => "tk-controller".to_string(),
            other => format!("{}-controller", other.as_str()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogLevel {
    Debug,
    Info,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogEncoding {
    Json,
    Console,
}

#[derive(Debug, Clone, Args)]
pub struct ControllerArgs {
    /// Which controller to run
    #[arg(value_enum)]
    pub name: ControllerName,

    /// The address of the notification controller's event endpoint (the last one given wins)
    #[arg(long, value_name = "URL", overrides_with = "events_addr")]
    pub events_addr: Option<String>,

    /// Watch objects in all namespaces; when false only the runtime namespace is watched
    #[arg(
        long,
        value_name = "BOOL",
        default_value_t = true,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        action = ArgAction::Set,
    )]
    pub watch_all_namespaces: bool,

    /// Only watch objects matching this label selector
    #[arg(long, value_name = "SELECTOR")]
    pub watch_label_selector: Option<String>,

    /// Run only while holding the leader election Lease, so replicas never reconcile at once
    #[arg(
        long,
        visible_alias = "leader-elect",
        value_name = "BOOL",
        default_value_t = false,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        action = ArgAction::Set,
    )]
    pub enable_leader_election: bool,

    /// How long a non-leader waits after the last renewal before taking the Lease over
    #[arg(long, value_name = "DURATION", default_value = "35s", value_parser = positive_duration)]
    pub leader_election_lease_duration: Duration,

    /// How long the leader keeps retrying to renew before it gives up leadership
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = positive_duration)]
    pub leader_election_renew_deadline: Duration,

    /// How often candidates try to acquire and the leader renews
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = positive_duration)]
    pub leader_election_retry_period: Duration,

    /// Log verbosity
    #[arg(long, value_enum, default_value_t = LogLevel::Info)]
    pub log_level: LogLevel,

    /// Log format: one JSON object per line, or human-readable text
    #[arg(long, value_enum, default_value_t = LogEncoding::Json)]
    pub log_encoding: LogEncoding,

    /// Where to serve /metrics; "0" turns metrics off
    #[arg(long, value_name = "ADDR", default_value = ":8080")]
    pub metrics_addr: String,

    /// Where to serve /healthz and /readyz; "0" turns the probes off
    #[arg(long, value_name = "ADDR", default_value = ":9440")]
    pub health_addr: String,

    /// How many objects of each kind are reconciled at once
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrent: u16,

    /// Client-side limit on requests per second to the API server
    #[arg(long, value_name = "QPS", default_value_t = 50.0, value_parser = positive_f64)]
    pub kube_api_qps: f64,

    /// Requests allowed in a burst above the QPS limit
    #[arg(long, value_name = "N", default_value_t = 300, value_parser = clap::value_parser!(u32).range(1..))]
    pub kube_api_burst: u32,

    /// How long to wait before reconciling an object whose dependencies are not ready
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = positive_duration)]
    pub requeue_dependency: Duration,

    /// Spread of the requeue interval, in percent either side, so objects created together
    /// do not reconcile together forever
    #[arg(long, value_name = "PERCENT", default_value_t = 5, value_parser = clap::value_parser!(u8).range(0..100))]
    pub interval_jitter_percentage: u8,

    /// Refuse references to sources, dependencies and secrets in other namespaces
    #[arg(
        long,
        value_name = "BOOL",
        default_value_t = false,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        action = ArgAction::Set,
    )]
    pub no_cross_namespace_refs: bool,

    /// ServiceAccount (in the object's namespace) to impersonate when an object names none
    #[arg(long, value_name = "NAME")]
    pub default_service_account: Option<String>,

    /// How many times a failed artifact download is retried
    #[arg(long, value_name = "N", default_value_t = 9)]
    pub artifact_fetch_retries: u32,

    #[command(flatten)]
    pub source: SourceArgs,

    #[command(flatten)]
    pub notification: NotificationArgs,

    #[command(flatten)]
    pub canary: CanaryArgs,
}

/// Flags of the canary controller (ignored by the others), named as Flagger's.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Canary controller")]
pub struct CanaryArgs {
    /// The traffic provider of Canaries that set no spec.provider (kubernetes, gatewayapi:v1)
    #[arg(long, value_name = "PROVIDER", default_value = "kubernetes")]
    pub mesh_provider: String,

    /// The Prometheus the built-in metrics (request-success-rate, request-duration) are
    /// queried from, unless a Canary sets spec.metricsServer
    #[arg(long, value_name = "URL", default_value = "http://prometheus:9090")]
    pub metrics_server: String,

    /// Label keys, in order, that tell a target's pods apart in its selector
    #[arg(
        long,
        value_name = "KEYS",
        default_value = "app,name,app.kubernetes.io/name"
    )]
    pub selector_labels: String,

    /// Make the ConfigMaps and Secrets a target's pods use part of its revision
    #[arg(
        long,
        value_name = "BOOL",
        default_value_t = true,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        action = ArgAction::Set,
    )]
    pub enable_config_tracking: bool,

    /// The shortest analysis interval honoured; shorter ones are raised to it (Flagger: 10s)
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = positive_duration)]
    pub min_analysis_interval: Duration,
}

impl CanaryArgs {
    fn resolve(&self) -> Result<crate::controllers::canary::CanaryOptions> {
        let mesh_provider = serde_json::from_value(serde_json::Value::String(
            self.mesh_provider.trim().to_string(),
        ))
        .map_err(|_| {
            anyhow::anyhow!(
                "flag --mesh-provider: {:?} is not a provider Flagger knows (e.g. kubernetes, gatewayapi:v1)",
                self.mesh_provider
            )
        })?;
        let selector_labels: Vec<String> = self
            .selector_labels
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect();
        if selector_labels.is_empty() {
            bail!("flag --selector-labels: name at least one label key, e.g. app");
        }
        Ok(crate::controllers::canary::CanaryOptions {
            mesh_provider,
            metrics_server: self.metrics_server.trim().to_string(),
            selector_labels,
            config_tracking: self.enable_config_tracking,
            min_interval: self.min_analysis_interval,
        })
    }
}

/// Flags of the notification controller (ignored by the others).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Notification controller")]
pub struct NotificationArgs {
    /// Address the event endpoint (`POST /`, Service notification-controller) listens on;
    /// "0" turns it off (the last one given wins)
    #[arg(
        long,
        value_name = "ADDR",
        default_value = ":9090",
        overrides_with = "events_listen_addr"
    )]
    pub events_listen_addr: String,

    /// Address the webhook receivers (Service webhook-receiver) listen on; "0" turns them off
    /// (the last one given wins)
    #[arg(
        long,
        value_name = "ADDR",
        default_value = ":9292",
        overrides_with = "receiver_addr"
    )]
    pub receiver_addr: String,

    /// How long an event identical to one already dispatched for the same object is
    /// refused (HTTP 429)
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = positive_duration)]
    pub rate_limit_interval: Duration,
}

/// The resolved [`NotificationArgs`].
#[derive(Debug, Clone)]
pub struct NotificationOptions {
    pub events_listen_addr: Option<SocketAddr>,
    pub receiver_addr: Option<SocketAddr>,
    pub rate_limit_interval: Duration,
}

impl NotificationOptions {
    fn resolve(args: &NotificationArgs) -> Result<Self> {
        Ok(Self {
            events_listen_addr: parse_listen_addr(&args.events_listen_addr)
                .context("flag --events-listen-addr: pass host:port, :port, or 0 to turn it off")?,
            receiver_addr: parse_listen_addr(&args.receiver_addr)
                .context("flag --receiver-addr: pass host:port, :port, or 0 to turn it off")?,
            rate_limit_interval: args.rate_limit_interval,
        })
    }
}

/// Flags of the source controller (ignored by the others), named as source-controller's.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Source controller")]
pub struct SourceArgs {
    /// Directory artifacts are stored in (default: <temp dir>/tk-artifacts)
    #[arg(long, value_name = "PATH")]
    pub storage_path: Option<std::path::PathBuf>,

    /// Address the artifact file server listens on
    #[arg(long, value_name = "ADDR", default_value = ":9090")]
    pub storage_addr: String,

    /// host[:port] other controllers fetch artifacts from (default: the listen address)
    #[arg(long, value_name = "HOST", env = "STORAGE_ADV_ADDR")]
    pub storage_adv_addr: Option<String>,

    /// How long superseded artifacts are kept
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = positive_duration)]
    pub artifact_retention_ttl: Duration,

    /// How many artifacts per object are kept, the current one included
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..))]
    pub artifact_retention_records: u16,
}

/// The resolved [`SourceArgs`].
#[derive(Debug, Clone)]
pub struct SourceOptions {
    pub storage_path: std::path::PathBuf,
    pub storage_addr: SocketAddr,
    pub storage_adv_addr: Option<String>,
    pub artifact_retention_ttl: Duration,
    pub artifact_retention_records: usize,
}

impl SourceOptions {
    fn resolve(args: &SourceArgs) -> Result<Self> {
        let storage_addr = parse_listen_addr(&args.storage_addr)
            .context("flag --storage-addr: pass host:port or :port")?
            .context("flag --storage-addr: the artifact server cannot be turned off")?;
        Ok(Self {
            storage_path: args
                .storage_path
                .clone()
                .unwrap_or_else(|| std::env::temp_dir().join("tk-artifacts")),
            storage_addr,
            storage_adv_addr: args.storage_adv_addr.clone().filter(|a| !a.is_empty()),
            artifact_retention_ttl: args.artifact_retention_ttl,
            artifact_retention_records: usize::from(args.artifact_retention_records),
        })
    }
}

/// clap's value parser for duration flags; the message names the expected form.
fn positive_duration(value: &str) -> Result<Duration, String> {
    duration::parse_positive(value).map_err(|err| err.to_string())
}

fn positive_f64(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("{value:?} is not a positive number")),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaderElection {
    pub lease_duration: Duration,
    pub renew_deadline: Duration,
    pub retry_period: Duration,
}

/// Everything a controller process is configured with, validated.
#[derive(Debug, Clone)]
pub struct Options {
    pub name: ControllerName,
    /// Where leader election and the controllers' own objects live.
    pub runtime_namespace: String,
    pub events_addr: Option<String>,
    /// `None` watches every namespace; otherwise only this one.
    pub watch_namespace: Option<String>,
    pub watch_label_selector: Option<String>,
    pub leader_election: Option<LeaderElection>,
    pub log_level: LogLevel,
    pub log_encoding: LogEncoding,
    pub metrics_addr: Option<SocketAddr>,
    pub health_addr: Option<SocketAddr>,
    pub concurrent: u16,
    pub kube_api_qps: f64,
    pub kube_api_burst: u32,
    pub requeue_dependency: Duration,
    /// Fraction of the interval (0.0..1.0) a requeue may move either way.
    pub interval_jitter: f64,
    pub no_cross_namespace_refs: bool,
    pub default_service_account: Option<String>,
    pub artifact_fetch_retries: u32,
    pub source: SourceOptions,
    pub notification: NotificationOptions,
    pub canary: crate::controllers::canary::CanaryOptions,
}

impl Options {
    /// `runtime_namespace_env` is the value of [`RUNTIME_NAMESPACE_ENV`], passed in so tests
    /// need not touch the process environment.
    pub fn resolve(
        args: &ControllerArgs,
        settings: &GlobalSettings,
        runtime_namespace_env: Option<String>,
    ) -> Result<Self> {
        let runtime_namespace = runtime_namespace_env
            .filter(|ns| !ns.trim().is_empty())
            .unwrap_or_else(|| settings.namespace.clone());
        let leader_election = if args.enable_leader_election {
            let election = LeaderElection {
                lease_duration: args.leader_election_lease_duration,
                renew_deadline: args.leader_election_renew_deadline,
                retry_period: args.leader_election_retry_period,
            };
            validate_leader_election(&election)?;
            Some(election)
        } else {
            None
        };
        let watch_label_selector = args
            .watch_label_selector
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        Ok(Self {
            name: args.name,
            watch_namespace: (!args.watch_all_namespaces).then(|| runtime_namespace.clone()),
            runtime_namespace,
            events_addr: args.events_addr.clone().filter(|a| !a.is_empty()),
            watch_label_selector,
            leader_election,
            log_level: args.log_level,
            log_encoding: args.log_encoding,
            metrics_addr: parse_listen_addr(&args.metrics_addr)
                .context("flag --metrics-addr: pass host:port, :port, or 0 to turn metrics off")?,
            health_addr: parse_listen_addr(&args.health_addr)
                .context("flag --health-addr: pass host:port, :port, or 0 to turn probes off")?,
            concurrent: args.concurrent,
            kube_api_qps: args.kube_api_qps,
            kube_api_burst: args.kube_api_burst,
            requeue_dependency: args.requeue_dependency,
            interval_jitter: f64::from(args.interval_jitter_percentage) / 100.0,
            no_cross_namespace_refs: args.no_cross_namespace_refs,
            default_service_account: args
                .default_service_account
                .clone()
                .filter(|sa| !sa.trim().is_empty()),
            artifact_fetch_retries: args.artifact_fetch_retries,
            source: SourceOptions::resolve(&args.source)?,
            notification: NotificationOptions::resolve(&args.notification)?,
            canary: args.canary.resolve()?,
        })
    }
}

/// The same constraints client-go's leader elector enforces, checked before any Lease is
/// touched so a bad flag fails at start rather than as a flapping leader.
fn validate_leader_election(election: &LeaderElection) -> Result<()> {
    if election.lease_duration <= election.renew_deadline {
        bail!(
            "--leader-election-lease-duration ({:?}) must be greater than --leader-election-renew-deadline ({:?})",
            election.lease_duration,
            election.renew_deadline
        );
    }
    if election.renew_deadline <= election.retry_period.mul_f64(super::leader::JITTER_FACTOR) {
        bail!(
            "--leader-election-renew-deadline ({:?}) must be greater than {} x --leader-election-retry-period ({:?})",
            election.renew_deadline,
            super::leader::JITTER_FACTOR,
            election.retry_period
        );
    }
    Ok(())
}

/// Go-style listen addresses: `:8080` binds every interface, `0` disables the server.
pub fn parse_listen_addr(value: &str) -> Result<Option<SocketAddr>> {
    let value = value.trim();
    if value == "0" {
        return Ok(None);
    }
    if let Some(port) = value.strip_prefix(':') {
        let port: u16 = port
            .parse()
            .with_context(|| format!("invalid port in {value:?}"))?;
        return Ok(Some(SocketAddr::from(([0, 0, 0, 0], port))));
    }
    if let Ok(addr) = value.parse::<SocketAddr>() {
        return Ok(Some(addr));
    }
    value
        .to_socket_addrs()
        .with_context(|| format!("invalid listen address {value:?}"))?
        .next()
        .map(Some)
        .with_context(|| format!("{value:?} resolves to no address"))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: ControllerArgs,
    }

    fn parse(argv: &[&str]) -> Result<ControllerArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("tk").chain(argv.iter().copied())).map(|c| c.args)
    }

    fn settings() -> GlobalSettings {
        GlobalSettings {
            kubeconfig: None,
            context: None,
            namespace: "flux-system".to_string(),
            timeout: Duration::from_secs(300),
            verbose: false,
        }
    }

    #[test]
    fn defaults_match_flux() {
        let args = parse(&["source"]).unwrap();
        assert!(args.watch_all_namespaces);
        assert!(!args.enable_leader_election);
        assert_eq!(args.leader_election_lease_duration, Duration::from_secs(35));
        assert_eq!(args.leader_election_renew_deadline, Duration::from_secs(30));
        assert_eq!(args.leader_election_retry_period, Duration::from_secs(5));
        assert_eq!(args.log_level, LogLevel::Info);
        assert_eq!(args.log_encoding, LogEncoding::Json);
        assert_eq!(args.concurrent, 4);
        assert_eq!(args.kube_api_qps, 50.0);
        assert_eq!(args.kube_api_burst, 300);
        assert_eq!(args.requeue_dependency, Duration::from_secs(30));
        let opts = Options::resolve(&args, &settings(), None).unwrap();
        assert_eq!(opts.metrics_addr, Some("0.0.0.0:8080".parse().unwrap()));
        assert_eq!(opts.health_addr, Some("0.0.0.0:9440".parse().unwrap()));
        assert_eq!(opts.watch_namespace, None);
        assert_eq!(opts.runtime_namespace, "flux-system");
        assert_eq!(opts.leader_election, None);
    }

    #[test]
    fn accepts_flags_as_flux_manifests_pass_them() {
        let args = parse(&[
            "kustomize",
            "--events-addr=http://notification-controller.flux-system.svc.cluster.local./",
            "--watch-all-namespaces=false",
            "--log-level=debug",
            "--log-encoding=console",
            "--enable-leader-election",
            "--metrics-addr=127.0.0.1:18080",
            "--health-addr=0",
            "--concurrent=10",
            "--requeue-dependency=5s",
        ])
        .unwrap();
        let opts = Options::resolve(&args, &settings(), Some("tk-system".into())).unwrap();
        assert_eq!(opts.runtime_namespace, "tk-system");
        assert_eq!(opts.watch_namespace.as_deref(), Some("tk-system"));
        assert_eq!(opts.log_level, LogLevel::Debug);
        assert_eq!(opts.log_encoding, LogEncoding::Console);
        assert_eq!(opts.health_addr, None);
        assert_eq!(opts.concurrent, 10);
        assert_eq!(opts.requeue_dependency, Duration::from_secs(5));
        assert!(opts.leader_election.is_some());
        assert!(opts.events_addr.is_some());
    }

    #[test]
    fn multi_tenancy_flags_are_named_as_fluxs() {
        let opts = Options::resolve(&parse(&["kustomize"]).unwrap(), &settings(), None).unwrap();
        assert!(!opts.no_cross_namespace_refs);
        assert_eq!(opts.default_service_account, None);
        assert_eq!(opts.artifact_fetch_retries, 9);
        let args = parse(&[
            "kustomize",
            "--no-cross-namespace-refs",
            "--default-service-account=tenant",
            "--artifact-fetch-retries=2",
        ])
        .unwrap();
        let opts = Options::resolve(&args, &settings(), None).unwrap();
        assert!(opts.no_cross_namespace_refs);
        assert_eq!(opts.default_service_account.as_deref(), Some("tenant"));
        assert_eq!(opts.artifact_fetch_retries, 2);
        let args = parse(&["kustomize", "--no-cross-namespace-refs=false"]).unwrap();
        assert!(!args.no_cross_namespace_refs);
    }

    #[test]
    fn leader_elect_is_an_alias_and_takes_an_optional_value() {
        assert!(
            parse(&["helm", "--leader-elect"])
                .unwrap()
                .enable_leader_election
        );
        assert!(
            !parse(&["helm", "--enable-leader-election=false"])
                .unwrap()
                .enable_leader_election
        );
        assert!(
            parse(&["helm", "--watch-all-namespaces"])
                .unwrap()
                .watch_all_namespaces
        );
    }

    #[test]
    fn refuses_bad_durations_with_the_expected_form() {
        let err = parse(&["all", "--leader-election-lease-duration=35"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("--leader-election-lease-duration"), "{err}");
        assert!(err.contains("Go duration such as 30s"), "{err}");
        let err = parse(&["all", "--requeue-dependency=0s"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("must be greater than zero"), "{err}");
        let err = parse(&["all", "--leader-election-retry-period=-5s"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("--leader-election-retry-period"), "{err}");
    }

    #[test]
    fn refuses_inconsistent_leader_election_timings() {
        let args = parse(&[
            "all",
            "--enable-leader-election",
            "--leader-election-lease-duration=10s",
            "--leader-election-renew-deadline=15s",
        ])
        .unwrap();
        let err = Options::resolve(&args, &settings(), None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("must be greater than --leader-election-renew-deadline"),
            "{err}"
        );
        let args = parse(&[
            "all",
            "--enable-leader-election",
            "--leader-election-renew-deadline=5s",
            "--leader-election-retry-period=5s",
        ])
        .unwrap();
        assert!(Options::resolve(&args, &settings(), None).is_err());
        // Without leader election the timings are unused, so they are not an error.
        let args = parse(&["all", "--leader-election-lease-duration=1s"]).unwrap();
        assert!(Options::resolve(&args, &settings(), None).is_ok());
    }

    #[test]
    fn refuses_zero_concurrency_and_qps() {
        assert!(parse(&["all", "--concurrent=0"]).is_err());
        assert!(parse(&["all", "--kube-api-qps=0"]).is_err());
        assert!(parse(&["all", "--kube-api-burst=0"]).is_err());
        assert!(parse(&["all", "--kube-api-qps=12.5"]).is_ok());
    }

    #[test]
    fn empty_runtime_namespace_env_falls_back_to_the_global_namespace() {
        let args = parse(&["source"]).unwrap();
        let opts = Options::resolve(&args, &settings(), Some(String::new())).unwrap();
        assert_eq!(opts.runtime_namespace, "flux-system");
    }

    #[test]
    fn parses_go_listen_addresses() {
        assert_eq!(
            parse_listen_addr(":9440").unwrap(),
            Some("0.0.0.0:9440".parse().unwrap())
        );
        assert_eq!(parse_listen_addr("0").unwrap(), None);
        assert_eq!(
            parse_listen_addr("[::1]:80").unwrap(),
            Some("[::1]:80".parse().unwrap())
        );
        assert!(parse_listen_addr(":http").is_err());
        assert!(parse_listen_addr("nonsense").is_err());
    }

    #[test]
    fn lease_names_follow_flux() {
        assert_eq!(
            ControllerName::Source.lease_name(),
            "source-controller-leader-election"
        );
        assert_eq!(
            ControllerName::All.lease_name(),
            "tk-controller-leader-election"
        );
        assert_eq!(ControllerName::Helm.controller_name(), "helm-controller");
    }
}
