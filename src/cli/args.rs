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
    /// The namespace tk is installed in and the objects commands act on live in
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
    /// Create or update sources, secrets, Kustomizations, HelmReleases, alerts, receivers and
    /// canaries
    Create(CreateArgs),
    /// Print the status of sources, Kustomizations, HelmReleases, alerts, receivers and
    /// canaries
    Get(GetArgs),
    /// Ask for an immediate reconcile and wait for it
    Reconcile(ReconcileArgs),
    /// Stop reconciling sources, Kustomizations, HelmReleases, alerts, receivers and canaries
    Suspend(SuspendArgs),
    /// Reconcile suspended sources, Kustomizations, HelmReleases, alerts, receivers and
    /// canaries again
    Resume(ResumeArgs),
    /// Approve the promotion of a canary's revision under analysis
    Promote(PromoteArgs),
    /// Delete sources, Kustomizations, HelmReleases, alerts, receivers and canaries
    Delete(DeleteArgs),
    /// Print sources, Kustomizations, HelmReleases, alerts, receivers and canaries as YAML
    /// that can be applied again
    Export(ExportArgs),
    /// Build kustomizations locally, as `kustomize build` does
    Kustomize(KustomizeArgs),
    /// Render Helm charts locally, as `helm template` does
    Helm(HelmArgs),
    /// Build a Kustomization's manifests locally, as the controller would
    Build(BuildArgs),
    /// Diff a Kustomization's local manifests against the cluster
    Diff(DiffArgs),
    /// Print the objects a Kustomization applied, as a tree
    Tree(TreeArgs),
    /// Print the Kubernetes events of Flux objects
    Events(EventsArgs),
    /// Put a cluster under GitOps: commit tk's manifests to a Git repository, install tk and
    /// make the cluster reconcile itself from that repository
    Bootstrap(BootstrapArgs),
    /// Run a controller (in-cluster, or locally against a kubeconfig)
    Controller(ControllerArgs),
    /// Write the markdown reference for every command into a directory
    #[command(hide = true)]
    Docs(DocsArgs),
    /// Print the CRDs generated from the API types, as JSON (for hack/generated.sh)
    #[command(hide = true)]
    Crds,
}

#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Print only the client version, without contacting the cluster
    #[arg(long)]
    pub client: bool,
}

#[derive(Debug, Clone, Args)]
pub struct InstallArgs {
    #[command(flatten)]
    pub components: ComponentArgs,
    /// Print the manifests as YAML instead of applying them
    #[arg(long)]
    pub export: bool,
}

/// What to install: shared by `install`, `upgrade` and `bootstrap`.
#[derive(Debug, Clone, Args)]
pub struct ComponentArgs {
    /// Components to install, comma-separated (default: source-controller,
    /// kustomize-controller, helm-controller, notification-controller; `tk upgrade` keeps the
    /// installed set)
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub components: Option<Vec<String>>,
    /// Components to install in addition to those given or defaulted, comma-separated:
    /// canary-controller (Flagger's Canary, MetricTemplate and AlertProvider)
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub components_extra: Vec<String>,
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

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(subcommand)]
    pub command: CreateCommand,
}

#[derive(Debug, Subcommand)]
pub enum CreateCommand {
    /// Create or update sources
    Source(CreateSourceArgs),
    /// Create or update Kubernetes secrets for sources
    Secret(CreateSecretArgs),
    /// Create or update a Kustomization and wait for it to be applied
    #[command(
        visible_alias = "ks",
        long_about = "Create or update a Kustomization that builds and applies a path of a \
                      source, and wait for it to be ready.\n\n\
                      Examples:\n\n    \
                      tk create kustomization kyverno --source=GitRepository/kyverno \\\n      \
                      --path=./config/release --prune --interval=60m --wait\n    \
                      tk create kustomization policies --depends-on=kyverno \\\n      \
                      --source=policies --path=./policies/flux --prune --interval=5m\n    \
                      tk create kustomization podinfo --namespace=default \\\n      \
                      --source=GitRepository/podinfo.flux-system --path=./kustomize --prune\n    \
                      tk create kustomization podinfo --source=OCIRepository/podinfo \\\n      \
                      --target-namespace=default --prune --export"
    )]
    Kustomization(CreateKustomizationArgs),
    /// Create or update a HelmRelease and wait for it to be released
    #[command(
        name = "helmrelease",
        visible_alias = "hr",
        long_about = "Create or update a HelmRelease: a Helm release of a chart, either from a \
                      chart template (--source and --chart: the helm controller makes a \
                      HelmChart from it) or from an existing OCIRepository or HelmChart \
                      (--chart-ref), and wait for it to be released.\n\n\
                      --values files are read locally and merged in order (maps merge \
                      recursively, anything else is replaced by the later file) into \
                      spec.values; --values-from names ConfigMaps and Secrets whose \
                      values.yaml key the controller merges first. The global --timeout \
                      bounds the wait only, as with flux: it is not written to spec.timeout.\n\n\
                      Examples:\n\n    \
                      tk create hr podinfo --interval=10m --source=HelmRepository/podinfo \\\n      \
                      --chart=podinfo --chart-version=\">4.0.0\"\n    \
                      tk create hr podinfo --source=GitRepository/podinfo \\\n      \
                      --chart=./charts/podinfo\n    \
                      tk create hr podinfo --source=HelmRepository/podinfo --chart=podinfo \\\n      \
                      --values=./my-values1.yaml --values=./my-values2.yaml\n    \
                      tk -n app create hr podinfo --source=HelmRepository/podinfo.flux-system \\\n      \
                      --chart=podinfo --values-from=Secret/my-secret-values\n    \
                      tk create hr podinfo --target-namespace=test --create-target-namespace \\\n      \
                      --source=HelmRepository/podinfo --chart=podinfo\n    \
                      tk create hr podinfo --chart-ref=OCIRepository/podinfo.flux-system\n    \
                      tk create hr podinfo --source=HelmRepository/podinfo --chart=podinfo \\\n      \
                      --values=./values.yaml --export > podinfo-release.yaml"
    )]
    HelmRelease(CreateHelmReleaseArgs),
    /// Create or update a tenant: its namespaces, service accounts and role bindings
    #[command(
        long_about = "Create or update a tenant: for each namespace it owns, the Namespace \
                      (labelled toolkit.fluxcd.io/tenant=NAME), a ServiceAccount (NAME, or \
                      --with-service-account) and a RoleBinding NAME-reconciler that grants \
                      --cluster-role in that namespace only, to the ServiceAccount and to the \
                      user gotk:<namespace>:reconciler the controllers impersonate there. This \
                      limits the reconcilers' scope to the tenant's namespaces. Applying again \
                      updates the objects in place; a new --cluster-role replaces the \
                      RoleBindings, whose role cannot change.\n\n\
                      Examples:\n\n    \
                      tk create tenant dev-team --with-namespace=frontend \\\n      \
                      --label=environment=dev\n    \
                      tk create tenant dev-team --with-namespace=frontend \\\n      \
                      --with-namespace=backend --export > dev-team.yaml\n    \
                      tk create tenant dev-team --with-namespace=apps --skip-namespace \\\n      \
                      --with-service-account=flux-tenant --cluster-role=edit"
    )]
    Tenant(CreateTenantArgs),
    /// Create or update a Provider: where alerts are sent
    #[command(long_about = "Create or update a notification Provider \
                      (notification.toolkit.fluxcd.io/v1beta3): a chat channel, Git commit \
                      status or webhook that Alerts send events to. Providers have no status: \
                      one is ready as soon as it is applied.\n\n\
                      Examples:\n\n    \
                      tk create alert-provider slack --type slack --channel general \\\n      \
                      --address https://hooks.slack.com/services/YOUR/SLACK/WEBHOOK \\\n      \
                      --secret-ref webhook-url\n    \
                      tk create alert-provider github-podinfo --type github \\\n      \
                      --address https://github.com/stefanprodan/podinfo --secret-ref github-token")]
    AlertProvider(CreateAlertProviderArgs),
    /// Create or update an Alert: which events of which objects go to a Provider
    #[command(
        long_about = "Create or update an Alert (notification.toolkit.fluxcd.io/v1beta3): the \
                      events of the --event-source objects, at or above --event-severity, are \
                      sent to the Provider named by --provider-ref. Alerts have no status: one \
                      is ready as soon as it is applied.\n\n\
                      Examples:\n\n    \
                      tk create alert flux-system --event-severity info \\\n      \
                      --event-source Kustomization/flux-system --provider-ref slack\n    \
                      tk create alert all-sources --provider-ref slack \\\n      \
                      --event-source 'GitRepository/*,Kustomization/apps.prod'"
    )]
    Alert(CreateAlertArgs),
    /// Create or update a Receiver and print its webhook URL path
    #[command(
        long_about = "Create or update a Receiver (notification.toolkit.fluxcd.io/v1): a webhook \
                      endpoint that asks the --resource objects to reconcile when a valid \
                      request arrives. tk waits for the notification controller to report it \
                      Ready and prints the generated webhook path (/hook/<digest>), served by \
                      the webhook-receiver Service; the token is the `token` key of the \
                      --secret-ref Secret.\n\n\
                      Examples:\n\n    \
                      tk create receiver github-receiver --type github \\\n      \
                      --event ping --event push --secret-ref webhook-token \\\n      \
                      --resource GitRepository/webapp --resource HelmRepository/webapp"
    )]
    Receiver(CreateReceiverArgs),
    /// Create or update a Canary and wait for the canary controller to initialize it
    #[command(
        long_about = "Create or update a Canary (flagger.app/v1beta1): the progressive rollout \
                      of --target-ref, analysed every --interval. Each new revision of the \
                      target shifts traffic to it by --step-weight up to --max-weight (or \
                      through --step-weights), or runs --iterations checks without shifting \
                      (A/B testing, blue/green), while the --metric and --metric-template \
                      checks and the --webhook gates pass; --threshold failed checks roll it \
                      back. Pass exactly one of --step-weight, --step-weights and \
                      --iterations.\n\n\
                      tk waits until the controller reports the Canary Initialized (or \
                      Succeeded), its Promoted condition True; --wait=false returns once it \
                      is applied. --export prints the Canary as YAML instead.\n\n\
                      Examples:\n\n    \
                      tk create canary podinfo -n test --target-ref Deployment/podinfo \\\n      \
                      --provider gatewayapi:v1 --gateway-ref istio-ingress/public \\\n      \
                      --host app.example.com --port 9898 --interval 1m --threshold 5 \\\n      \
                      --step-weight 10 --max-weight 50 --metric request-success-rate=99 \\\n      \
                      --metric request-duration=500\n    \
                      tk create canary podinfo -n test --target-ref podinfo --provider kubernetes \\\n      \
                      --port 9898 --iterations 10 --metric-template flagger-system/error-rate::1 \\\n      \
                      --webhook confirm-promotion=http://flagger-loadtester.test/gate/check --export"
    )]
    Canary(CreateCanaryArgs),
}

#[derive(Debug, Args)]
pub struct CreateCanaryArgs {
    /// Name of the Canary
    pub name: String,
    /// The workload to roll out, as [<kind>/]<name> in the Canary's namespace; kind is
    /// Deployment (the default) or DaemonSet
    #[arg(long, value_name = "[KIND/]NAME")]
    pub target_ref: Option<String>,
    /// Traffic management provider (default: the controller's --mesh-provider): kubernetes,
    /// gatewayapi:v1, istio, linkerd, smi:v1alpha2, ... (Flagger's list)
    #[arg(long, value_name = "PROVIDER")]
    pub provider: Option<String>,
    /// Port of the Services generated for the target (spec.service.port)
    #[arg(long)]
    pub port: Option<u16>,
    /// Container port the Services send to, by number or name (default: --port)
    #[arg(long, value_name = "PORT")]
    pub target_port: Option<String>,
    /// Gateway the generated HTTPRoute attaches to, as [<namespace>/]<name> (gatewayapi
    /// providers; comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "[NAMESPACE/]NAME")]
    pub gateway_ref: Vec<String>,
    /// Host name routed to the target (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "HOST")]
    pub host: Vec<String>,
    /// Time between the checks of an analysis, in seconds or minutes (30s, 1m)
    #[arg(long, default_value = "1m", value_name = "DURATION")]
    pub interval: String,
    /// Failed checks before the canary is rolled back
    #[arg(long, default_value_t = 5, value_name = "COUNT")]
    pub threshold: u32,
    /// Percentage of traffic added to the canary at each step
    #[arg(long, value_name = "PERCENT")]
    pub step_weight: Option<u32>,
    /// Highest percentage of traffic routed to the canary, with --step-weight (default 100)
    #[arg(long, value_name = "PERCENT")]
    pub max_weight: Option<u32>,
    /// The canary's percentage of traffic at each step, increasing (comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "PERCENTS")]
    pub step_weights: Vec<u32>,
    /// Checks to run without shifting traffic (A/B testing, blue/green), instead of weights
    #[arg(long, value_name = "COUNT")]
    pub iterations: Option<u32>,
    /// A built-in metric check: request-success-rate=MIN (percent) or request-duration=MAX
    /// (milliseconds) (repeatable)
    #[arg(long, value_name = "NAME=VALUE")]
    pub metric: Vec<String>,
    /// A check of a MetricTemplate's query, as [<namespace>/]<name>:<min>:<max>; leave the
    /// bound that does not apply empty, as in error-rate::1 (repeatable)
    #[arg(long, value_name = "[NAMESPACE/]NAME:MIN:MAX")]
    pub metric_template: Vec<String>,
    /// A webhook, as <type>=<url>, named after its type; type is one of rollout,
    /// pre-rollout, post-rollout, confirm-rollout, confirm-promotion,
    /// confirm-traffic-increase, event or rollback (repeatable)
    #[arg(long, value_name = "TYPE=URL")]
    pub webhook: Vec<String>,
    /// Prometheus address the built-in metrics are queried from (default: the
    /// controller's --metrics-server)
    #[arg(long, value_name = "URL")]
    pub metrics_server: Option<String>,
    /// Label to set, as key=value (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Wait for the controller to initialize the Canary
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub wait: bool,
    /// Print the Canary as YAML instead of applying it
    #[arg(long)]
    pub export: bool,
}

#[derive(Debug, Args)]
pub struct CreateAlertProviderArgs {
    /// Name of the Provider
    pub name: String,
    /// Type of provider (slack, msteams, discord, github, gitlab, generic, ...)
    #[arg(long = "type", value_name = "TYPE")]
    pub provider_type: Option<String>,
    /// Channel to send messages to in the case of a chat provider
    #[arg(long)]
    pub channel: Option<String>,
    /// Bot username used by the provider
    #[arg(long)]
    pub username: Option<String>,
    /// Path to either the git repository, chat provider or webhook
    #[arg(long)]
    pub address: Option<String>,
    /// Name of the Secret containing the authentication token (or address)
    #[arg(long, value_name = "NAME")]
    pub secret_ref: Option<String>,
    /// Label to set, as key=value (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Print the Provider as YAML instead of applying it
    #[arg(long)]
    pub export: bool,
}

#[derive(Debug, Args)]
pub struct CreateAlertArgs {
    /// Name of the Alert
    pub name: String,
    /// Name of the Provider events are sent to
    #[arg(long, value_name = "NAME")]
    pub provider_ref: Option<String>,
    /// Severity of events to send alerts for: info (all events) or error
    #[arg(long, value_name = "SEVERITY")]
    pub event_severity: Option<String>,
    /// Objects that should generate alerts, as <kind>/<name>[.<namespace>] or <kind>/* for
    /// all of a kind (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "KIND/NAME[.NAMESPACE]")]
    pub event_source: Vec<String>,
    /// Label to set, as key=value (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Print the Alert as YAML instead of applying it
    #[arg(long)]
    pub export: bool,
}

#[derive(Debug, Args)]
pub struct CreateReceiverArgs {
    /// Name of the Receiver
    pub name: String,
    /// Type of receiver (generic, generic-hmac, github, gitlab, bitbucket, harbor, dockerhub,
    /// quay, gcr, nexus, acr, cdevents)
    #[arg(long = "type", value_name = "TYPE")]
    pub receiver_type: Option<String>,
    /// Event type the receiver accepts, e.g. push (comma-separated or repeated; default: all)
    #[arg(long, value_delimiter = ',', value_name = "EVENT")]
    pub event: Vec<String>,
    /// Object to reconcile on a valid request, as <kind>/<name>[.<namespace>] or <kind>/* for
    /// all of a kind (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "KIND/NAME[.NAMESPACE]")]
    pub resource: Vec<String>,
    /// Name of the Secret whose `token` key secures the webhook
    #[arg(long, value_name = "NAME")]
    pub secret_ref: Option<String>,
    /// Label to set, as key=value (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Print the Receiver as YAML instead of applying it
    #[arg(long)]
    pub export: bool,
}

#[derive(Debug, Args)]
pub struct CreateSourceArgs {
    #[command(subcommand)]
    pub command: CreateSourceCommand,
}

#[derive(Debug, Subcommand)]
pub enum CreateSourceCommand {
    /// Create or update a GitRepository source and wait for its first artifact
    #[command(
        long_about = "Create or update a GitRepository source and wait for its first artifact.\n\n\
                      For Git over SSH without --secret-ref, a key pair is generated, the server's \
                      host key is recorded in known_hosts, and both are stored in a Secret named \
                      after the source; the public key is printed to be added as a deploy key. For \
                      HTTP/S, --username/--password are stored in that Secret."
    )]
    Git(CreateSourceGitArgs),
    /// Create or update a HelmRepository source and wait for it to fetch the index
    #[command(
        long_about = "Create or update a HelmRepository source and wait for it to fetch the \
                      index. An oci:// URL makes an OCI repository (type oci): it has no index, \
                      so tk waits only for the object to exist.\n\n\
                      Without --secret-ref, --username/--password and the TLS files are stored \
                      in a Secret named helm-NAME that the source references.\n\n\
                      Examples:\n\n    \
                      tk create source helm podinfo \\\n      \
                      --url=https://stefanprodan.github.io/podinfo --interval=10m\n    \
                      tk create source helm podinfo --url=https://stefanprodan.github.io/podinfo \\\n      \
                      --username=username --password=password\n    \
                      tk create source helm podinfo --url=https://stefanprodan.github.io/podinfo \\\n      \
                      --cert-file=./cert.crt --key-file=./key.crt --ca-file=./ca.crt\n    \
                      tk create source helm podinfo \\\n      \
                      --url=oci://ghcr.io/stefanprodan/charts/podinfo --secret-ref=docker-config"
    )]
    Helm(CreateSourceHelmArgs),
    /// Create or update a HelmChart source and wait for the chart to be available
    #[command(
        long_about = "Create or update a HelmChart source: a chart taken from a HelmRepository, \
                      or built from a directory of a GitRepository or Bucket, in the same \
                      namespace; tk waits for its first artifact.\n\n\
                      Examples:\n\n    \
                      tk create source chart podinfo --source=HelmRepository/podinfo \\\n      \
                      --chart=podinfo --chart-version=6.x\n    \
                      tk create source chart podinfo --source=GitRepository/podinfo \\\n      \
                      --chart=./charts/podinfo\n    \
                      tk create source chart podinfo --source=Bucket/podinfo \\\n      \
                      --chart=./charts/podinfo\n    \
                      tk create source chart podinfo --source=HelmRepository/podinfo \\\n      \
                      --chart=podinfo --chart-version=6.6.2 --verify-provider=cosign \\\n      \
                      --verify-issuer=https://token.actions.githubusercontent.com \\\n      \
                      --verify-subject=https://github.com/stefanprodan/podinfo/.github/workflows/release.yml@refs/tags/6.6.2"
    )]
    Chart(CreateSourceChartArgs),
    /// Create or update an OCIRepository source and wait for its first artifact
    #[command(
        long_about = "Create or update an OCIRepository: an artifact pulled from a container \
                      registry by tag, semver range or digest; tk waits for its first \
                      artifact.\n\n\
                      Registry credentials come from --secret-ref (a docker-registry Secret, \
                      see `tk create secret oci`), the image pull secrets of \
                      --service-account, or the cloud identity of --provider.\n\n\
                      Examples:\n\n    \
                      tk create source oci podinfo \\\n      \
                      --url=oci://ghcr.io/stefanprodan/manifests/podinfo \\\n      \
                      --tag=6.6.2 --interval=10m\n    \
                      tk create source oci podinfo \\\n      \
                      --url=oci://ghcr.io/stefanprodan/manifests/podinfo \\\n      \
                      --tag=6.6.2 --interval=10m --verify-provider=cosign \\\n      \
                      --verify-subject=\"^https://github.com/stefanprodan/podinfo.*$\" \\\n      \
                      --verify-issuer=\"^https://token.actions.githubusercontent.com$\"\n    \
                      tk create source oci podinfo-chart \\\n      \
                      --url=oci://ghcr.io/stefanprodan/charts/podinfo --tag-semver=\">=6.0.0\" \\\n      \
                      --layer-selector=application/vnd.cncf.helm.chart.content.v1.tar+gzip:copy"
    )]
    Oci(CreateSourceOciArgs),
    /// Create or update a Bucket source and wait for its first artifact
    #[command(
        long_about = "Create or update a Bucket: the objects of an S3-compatible, Google Cloud \
                      Storage or Azure Blob Storage bucket, stored as an artifact; tk waits for \
                      its first artifact.\n\n\
                      Without --secret-ref, --access-key and --secret-key are stored (as \
                      accesskey and secretkey) in a Secret named bucket-NAME that the source \
                      references. With --provider aws, azure or gcp and no credentials, the \
                      cloud identity of the source controller is used. --export prints the \
                      Bucket only, as flux does: no Secret is generated.\n\n\
                      Examples:\n\n    \
                      tk create source bucket podinfo \\\n      \
                      --bucket-name=podinfo \\\n      \
                      --endpoint=minio.minio.svc.cluster.local:9000 \\\n      \
                      --insecure=true \\\n      \
                      --access-key=myaccesskey \\\n      \
                      --secret-key=mysecretkey \\\n      \
                      --interval=10m\n    \
                      tk create source bucket podinfo \\\n      \
                      --bucket-name=podinfo \\\n      \
                      --provider=aws \\\n      \
                      --endpoint=s3.amazonaws.com \\\n      \
                      --region=us-east-1 \\\n      \
                      --interval=10m"
    )]
    Bucket(CreateSourceBucketArgs),
}

#[derive(Debug, Args)]
pub struct CreateSecretArgs {
    #[command(subcommand)]
    pub command: CreateSecretCommand,
}

#[derive(Debug, Subcommand)]
pub enum CreateSecretCommand {
    /// Create or update a Secret with Git credentials (SSH key and known_hosts, basic auth or
    /// a bearer token)
    Git(CreateSecretGitArgs),
    /// Create or update a Secret with Helm repository credentials (basic auth and TLS
    /// certificates)
    #[command(
        long_about = "Create or update a Secret with Helm repository credentials: \
                      --username/--password under username and password, and TLS files under \
                      tls.crt, tls.key and ca.crt.\n\n\
                      Examples:\n\n    \
                      tk create secret helm repo-auth --namespace=my-namespace \\\n      \
                      --username=my-username --password=my-password --export > repo-auth.yaml\n    \
                      sops --encrypt --encrypted-regex '^(data|stringData)$' --in-place repo-auth.yaml"
    )]
    Helm(CreateSecretHelmArgs),
    /// Create or update a docker-registry Secret with registry credentials, for
    /// OCIRepository sources
    #[command(
        long_about = "Create or update a Secret of type kubernetes.io/dockerconfigjson whose \
                      .dockerconfigjson holds --username and --password for the registry \
                      --url, as an OCIRepository's --secret-ref reads it.\n\n\
                      Examples:\n\n    \
                      tk create secret oci podinfo-auth --url=ghcr.io \\\n      \
                      --username=username --password=password --export > repo-auth.yaml\n    \
                      sops --encrypt --encrypted-regex '^(data|stringData)$' --in-place repo-auth.yaml"
    )]
    Oci(CreateSecretOciArgs),
}

/// Key generation flags shared by the Git commands.
#[derive(Debug, Clone, Args)]
pub struct SshKeyArgs {
    /// Algorithm of the generated SSH key
    #[arg(long, value_enum, default_value_t = SshKeyAlgorithm::Ecdsa)]
    pub ssh_key_algorithm: SshKeyAlgorithm,
    /// Curve of a generated ECDSA key
    #[arg(long, value_enum, default_value_t = SshEcdsaCurve::P384)]
    pub ssh_ecdsa_curve: SshEcdsaCurve,
    /// Size of a generated RSA key in bits
    #[arg(long, default_value_t = 2048, value_name = "BITS")]
    pub ssh_rsa_bits: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SshKeyAlgorithm {
    Ecdsa,
    Ed25519,
    Rsa,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SshEcdsaCurve {
    P256,
    P384,
    P521,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GitProviderArg {
    Generic,
    Github,
    Aws,
    Azure,
}

#[derive(Debug, Args)]
pub struct CreateSourceGitArgs {
    /// Name of the GitRepository
    pub name: String,
    /// Repository address: ssh://git@host/org/repo, https://host/org/repo or http://...
    #[arg(long)]
    pub url: String,
    /// Branch to check out
    #[arg(long)]
    pub branch: Option<String>,
    /// Tag to check out
    #[arg(long)]
    pub tag: Option<String>,
    /// Semver range; the highest matching tag is checked out
    #[arg(long, value_name = "RANGE")]
    pub tag_semver: Option<String>,
    /// Full reference to check out, e.g. refs/pull/1/head
    #[arg(long, value_name = "REF")]
    pub ref_name: Option<String>,
    /// Commit SHA to check out (with --branch: the commit must be on that branch)
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// Name of an existing Secret with the credentials; none is generated
    #[arg(long, value_name = "NAME")]
    pub secret_ref: Option<String>,
    /// Authentication provider
    #[arg(long, value_enum)]
    pub provider: Option<GitProviderArg>,
    /// Basic authentication username (HTTP/S)
    #[arg(short, long)]
    pub username: Option<String>,
    /// Basic authentication password (HTTP/S), or the passphrase of --private-key-file
    #[arg(short, long)]
    pub password: Option<String>,
    /// OpenSSH private key to use instead of generating one (SSH)
    #[arg(long, value_name = "PATH")]
    pub private_key_file: Option<String>,
    #[command(flatten)]
    pub ssh_key: SshKeyArgs,
    /// CA certificate (PEM) to trust for the HTTPS server
    #[arg(long, value_name = "PATH")]
    pub ca_file: Option<String>,
    /// Paths to leave out of the artifact, .gitignore syntax (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "PATHS")]
    pub ignore_paths: Vec<String>,
    /// Only these directories end up in the artifact (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "PATHS")]
    pub sparse_checkout_paths: Vec<String>,
    /// Check out submodules too
    #[arg(long)]
    pub recurse_submodules: bool,
    /// How often the source checks for new commits, as a Go duration
    #[arg(long, default_value = "1m", value_name = "DURATION")]
    pub interval: String,
    /// Timeout of each Git operation, as a Go duration (default: the controller's, 60s)
    #[arg(long, value_name = "DURATION")]
    pub fetch_timeout: Option<String>,
    /// Label to set, as key=value (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Do not ask whether the deploy key was added
    #[arg(short, long)]
    pub silent: bool,
    /// Print the GitRepository as YAML instead of applying it
    #[arg(long)]
    pub export: bool,
}

/// Identity provider that authenticates to an OCI registry or an object storage bucket (flux
/// offers the same four for both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CloudProviderArg {
    Generic,
    Aws,
    Azure,
    Gcp,
}

impl CloudProviderArg {
    /// The value of `spec.provider`.
    pub fn as_str(self) -> &'static str {
        match self {
            CloudProviderArg::Generic => "generic",
            CloudProviderArg::Aws => "aws",
            CloudProviderArg::Azure => "azure",
            CloudProviderArg::Gcp => "gcp",
        }
    }
}

#[derive(Debug, Args)]
pub struct CreateSourceHelmArgs {
    /// Name of the HelmRepository
    pub name: String,
    /// Repository address: https://..., http://... or oci://... (an OCI registry)
    #[arg(long)]
    pub url: String,
    /// Name of an existing Secret with the credentials (basic auth, TLS or docker-config);
    /// none is generated
    #[arg(long, value_name = "NAME")]
    pub secret_ref: Option<String>,
    /// Basic authentication username
    #[arg(short, long)]
    pub username: Option<String>,
    /// Basic authentication password
    #[arg(short, long)]
    pub password: Option<String>,
    /// TLS client certificate (PEM), with --key-file
    #[arg(long, value_name = "PATH")]
    pub cert_file: Option<String>,
    /// TLS client key (PEM), with --cert-file
    #[arg(long, value_name = "PATH")]
    pub key_file: Option<String>,
    /// CA certificate (PEM) to trust for the repository's server
    #[arg(long, value_name = "PATH")]
    pub ca_file: Option<String>,
    /// Send the credentials to every host charts are downloaded from, not only the
    /// repository's
    #[arg(long)]
    pub pass_credentials: bool,
    /// Identity provider that authenticates to an oci:// repository
    #[arg(long, value_enum, value_name = "PROVIDER")]
    pub oci_provider: Option<CloudProviderArg>,
    /// How often the index is downloaded, as a Go duration
    #[arg(long, default_value = "1m", value_name = "DURATION")]
    pub interval: String,
    /// Timeout of each index download or registry operation, as a Go duration (default: the
    /// controller's, 60s)
    #[arg(long, value_name = "DURATION")]
    pub fetch_timeout: Option<String>,
    /// Label to set, as key=value (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Print the HelmRepository as YAML instead of applying it
    #[arg(long)]
    pub export: bool,
}

/// When a HelmChart produces a new artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReconcileStrategyArg {
    #[value(name = "ChartVersion")]
    ChartVersion,
    #[value(name = "Revision")]
    Revision,
}

/// The tool that verifies a chart's or an OCI artifact's signature (flux offers cosign only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyProviderArg {
    Cosign,
}

impl VerifyProviderArg {
    /// The value of `spec.verify.provider`.
    pub fn as_str(self) -> &'static str {
        match self {
            VerifyProviderArg::Cosign => "cosign",
        }
    }
}

#[derive(Debug, Args)]
pub struct CreateSourceChartArgs {
    /// Name of the HelmChart
    pub name: String,
    /// Source holding the chart, as <kind>/<name>; kind is one of HelmRepository,
    /// GitRepository or Bucket
    #[arg(long, value_name = "KIND/NAME")]
    pub source: String,
    /// Chart name (HelmRepository) or path of the chart directory (GitRepository, Bucket)
    #[arg(long)]
    pub chart: String,
    /// Chart version or semver range (ignored for charts from GitRepository and Bucket
    /// sources)
    #[arg(long, value_name = "VERSION")]
    pub chart_version: Option<String>,
    /// When a new artifact is built: on a new chart version, or on every new revision of
    /// the source
    #[arg(long, value_enum, default_value_t = ReconcileStrategyArg::ChartVersion, value_name = "STRATEGY")]
    pub reconcile_strategy: ReconcileStrategyArg,
    /// Verify the chart's signature with this tool (charts from a HelmRepository only)
    #[arg(long, value_enum, value_name = "PROVIDER")]
    pub verify_provider: Option<VerifyProviderArg>,
    /// Secret with the public keys to verify with (default: keyless verification)
    #[arg(long, value_name = "NAME")]
    pub verify_secret_ref: Option<String>,
    /// Regular expression the OIDC issuer of a keyless signature must match
    #[arg(long, value_name = "REGEX")]
    pub verify_issuer: Option<String>,
    /// Regular expression the OIDC subject of a keyless signature must match
    #[arg(long, value_name = "REGEX")]
    pub verify_subject: Option<String>,
    /// How often the source is checked for a new chart, as a Go duration
    #[arg(long, default_value = "1m", value_name = "DURATION")]
    pub interval: String,
    /// Label to set, as key=value (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Print the HelmChart as YAML instead of applying it
    #[arg(long)]
    pub export: bool,
}

// `name` and `url` are optional to clap so that their absence is reported in flux's words.
#[derive(Debug, Args)]
pub struct CreateSourceOciArgs {
    /// Name of the OCIRepository
    pub name: Option<String>,
    /// Repository address: oci://<host>/<repository>, without tag or digest
    #[arg(long)]
    pub url: Option<String>,
    /// Tag of the artifact
    #[arg(long)]
    pub tag: Option<String>,
    /// Semver range; the highest matching tag is pulled
    #[arg(long, value_name = "RANGE")]
    pub tag_semver: Option<String>,
    /// Digest of the artifact, sha256:<hex>
    #[arg(long)]
    pub digest: Option<String>,
    /// Name of an existing docker-registry Secret (kubernetes.io/dockerconfigjson) with the
    /// registry credentials
    #[arg(long, value_name = "NAME")]
    pub secret_ref: Option<String>,
    /// Name of a ServiceAccount whose image pull secrets hold the registry credentials
    #[arg(long, value_name = "NAME")]
    pub service_account: Option<String>,
    /// Name of a Secret with TLS material for the registry: ca.crt, tls.crt and tls.key
    #[arg(long, value_name = "NAME")]
    pub cert_ref: Option<String>,
    /// Name of a Secret with the address, username and password of an HTTP/S proxy
    #[arg(long, value_name = "NAME")]
    pub proxy_secret_ref: Option<String>,
    /// Identity provider that authenticates to the registry
    #[arg(long, value_enum, default_value_t = CloudProviderArg::Generic, value_name = "PROVIDER")]
    pub provider: CloudProviderArg,
    /// Reach the registry over plain HTTP (no TLS)
    #[arg(long)]
    pub insecure: bool,
    /// Paths to leave out of the artifact, .gitignore syntax (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "PATHS")]
    pub ignore_paths: Vec<String>,
    /// Layer to take from the artifact and what to do with it, as <media-type>:<operation>;
    /// operation is extract (unpack the tarball) or copy (store the blob as it is)
    #[arg(long, value_name = "MEDIA-TYPE:OPERATION")]
    pub layer_selector: Option<String>,
    /// Verify the artifact's signature with this tool
    #[arg(long, value_enum, value_name = "PROVIDER")]
    pub verify_provider: Option<VerifyProviderArg>,
    /// Secret with the public keys to verify with (default: keyless verification)
    #[arg(long, value_name = "NAME")]
    pub verify_secret_ref: Option<String>,
    /// Regular expression the OIDC issuer of a keyless signature must match
    #[arg(long, value_name = "REGEX")]
    pub verify_issuer: Option<String>,
    /// Regular expression the OIDC subject of a keyless signature must match
    #[arg(long, value_name = "REGEX")]
    pub verify_subject: Option<String>,
    /// How often the registry is checked for a new artifact, as a Go duration
    #[arg(long, default_value = "1m", value_name = "DURATION")]
    pub interval: String,
    /// Timeout of each registry operation, as a Go duration (default: the controller's, 60s)
    #[arg(long, value_name = "DURATION")]
    pub fetch_timeout: Option<String>,
    /// Label to set, as key=value (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Print the OCIRepository as YAML instead of applying it
    #[arg(long)]
    pub export: bool,
}

// `name`, `bucket_name` and `endpoint` are optional to clap so that their absence is reported
// in flux's words.
#[derive(Debug, Args)]
pub struct CreateSourceBucketArgs {
    /// Name of the Bucket
    pub name: Option<String>,
    /// Name of the bucket in the object storage
    #[arg(long, value_name = "NAME")]
    pub bucket_name: Option<String>,
    /// Address of the object storage: host[:port] (e.g. s3.amazonaws.com,
    /// minio.minio.svc.cluster.local:9000)
    #[arg(long, value_name = "ADDRESS")]
    pub endpoint: Option<String>,
    /// Object storage provider; generic is any S3-compatible API, such as MinIO
    #[arg(long, value_enum, default_value_t = CloudProviderArg::Generic, value_name = "PROVIDER")]
    pub provider: CloudProviderArg,
    /// Region of the bucket
    #[arg(long)]
    pub region: Option<String>,
    /// Reach the endpoint over plain HTTP (no TLS)
    #[arg(long, default_missing_value = "true", num_args = 0..=1, require_equals = true, action = clap::ArgAction::Set, default_value_t = false, value_name = "BOOL")]
    pub insecure: bool,
    /// Access key of the bucket, stored with --secret-key in a Secret named bucket-NAME
    #[arg(long, value_name = "KEY")]
    pub access_key: Option<String>,
    /// Secret key of the bucket, stored with --access-key in a Secret named bucket-NAME
    #[arg(long, value_name = "KEY")]
    pub secret_key: Option<String>,
    /// Name of an existing Secret with the credentials; none is generated
    #[arg(long, value_name = "NAME")]
    pub secret_ref: Option<String>,
    /// Name of a Secret with the address, username and password of an HTTP/S proxy
    #[arg(long, value_name = "NAME")]
    pub proxy_secret_ref: Option<String>,
    /// Paths to leave out of the artifact, .gitignore syntax (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "PATHS")]
    pub ignore_paths: Vec<String>,
    /// How often the bucket is checked for changes, as a Go duration
    #[arg(long, default_value = "1m", value_name = "DURATION")]
    pub interval: String,
    /// Timeout of each fetch from the bucket, as a Go duration (default: the controller's,
    /// 60s)
    #[arg(long, value_name = "DURATION")]
    pub fetch_timeout: Option<String>,
    /// Label to set on the Bucket and its Secret, as key=value (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Print the Bucket as YAML instead of applying it
    #[arg(long)]
    pub export: bool,
}

// `name`, `url`, `username` and `password` are optional to clap so that their absence is
// reported in flux's words.
#[derive(Debug, Args)]
pub struct CreateSecretOciArgs {
    /// Name of the Secret
    pub name: Option<String>,
    /// Registry the credentials are for, as Docker keys it: a host, optionally with a
    /// repository path (ghcr.io, ghcr.io/stefanprodan/charts); no scheme
    #[arg(long)]
    pub url: Option<String>,
    /// Registry username
    #[arg(short, long)]
    pub username: Option<String>,
    /// Registry password or token
    #[arg(short, long)]
    pub password: Option<String>,
    /// Label to set, as key=value (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Print the Secret as YAML instead of applying it
    #[arg(long)]
    pub export: bool,
}

#[derive(Debug, Args)]
pub struct CreateSecretHelmArgs {
    /// Name of the Secret
    pub name: String,
    /// Basic authentication username
    #[arg(short, long)]
    pub username: Option<String>,
    /// Basic authentication password
    #[arg(short, long)]
    pub password: Option<String>,
    /// TLS client certificate (PEM) stored under `tls.crt`, with --tls-key-file
    #[arg(long, value_name = "PATH")]
    pub tls_crt_file: Option<String>,
    /// TLS client key (PEM) stored under `tls.key`, with --tls-crt-file
    #[arg(long, value_name = "PATH")]
    pub tls_key_file: Option<String>,
    /// CA certificate (PEM) stored under `ca.crt`
    #[arg(long, value_name = "PATH")]
    pub ca_crt_file: Option<String>,
    /// Deprecated: --tls-crt-file (stored under the legacy `certFile` key)
    #[arg(long, hide = true, value_name = "PATH")]
    pub cert_file: Option<String>,
    /// Deprecated: --tls-key-file (stored under the legacy `keyFile` key)
    #[arg(long, hide = true, value_name = "PATH")]
    pub key_file: Option<String>,
    /// Deprecated: --ca-crt-file (stored under the legacy `caFile` key)
    #[arg(long, hide = true, value_name = "PATH")]
    pub ca_file: Option<String>,
    /// Label to set, as key=value (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Print the Secret as YAML instead of applying it
    #[arg(long)]
    pub export: bool,
}

#[derive(Debug, Args)]
pub struct CreateKustomizationArgs {
    /// Name of the Kustomization
    pub name: String,
    /// Source with the manifests, as [<kind>/]<name>[.<namespace>]; kind is one of
    /// OCIRepository, GitRepository (the default) or Bucket
    #[arg(long, value_name = "SOURCE")]
    pub source: Option<String>,
    /// Path to the directory with the kustomization.yaml, relative to the source's root
    #[arg(long, default_value = "./")]
    pub path: String,
    /// Delete objects that are removed from the source (garbage collection)
    #[arg(long, default_missing_value = "true", num_args = 0..=1, require_equals = true, action = clap::ArgAction::Set, default_value_t = false, value_name = "BOOL")]
    pub prune: bool,
    /// Wait for every applied object to become ready (health checks are then ignored)
    #[arg(long, default_missing_value = "true", num_args = 0..=1, require_equals = true, action = clap::ArgAction::Set, default_value_t = false, value_name = "BOOL")]
    pub wait: bool,
    /// Workload whose health gates readiness, as <kind>/<name>.<namespace>; kind is one of
    /// Deployment, DaemonSet, StatefulSet or HelmRelease (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "KIND/NAME.NAMESPACE")]
    pub health_check: Vec<String>,
    /// Timeout of health checking, as a Go duration
    #[arg(long, default_value = "2m", value_name = "DURATION")]
    pub health_check_timeout: String,
    /// Kustomization that must be ready first, as [<namespace>/]<name> (comma-separated or
    /// repeated)
    #[arg(long, value_delimiter = ',', value_name = "[NAMESPACE/]NAME")]
    pub depends_on: Vec<String>,
    /// ServiceAccount to impersonate when applying
    #[arg(long, value_name = "NAME")]
    pub service_account: Option<String>,
    /// Namespace set on every namespaced object the Kustomization applies
    #[arg(long, value_name = "NAMESPACE")]
    pub target_namespace: Option<String>,
    /// Decryption provider for SOPS-encrypted manifests: sops
    #[arg(long, value_name = "PROVIDER")]
    pub decryption_provider: Option<String>,
    /// Secret with the keys for SOPS decryption (with --decryption-provider)
    #[arg(long, value_name = "NAME")]
    pub decryption_secret: Option<String>,
    /// Secret with a kubeconfig for applying to a remote cluster
    #[arg(long, value_name = "NAME")]
    pub kubeconfig_secret_ref: Option<String>,
    /// Interval between retries after a failed reconcile, as a Go duration (default: --interval)
    #[arg(long, value_name = "DURATION")]
    pub retry_interval: Option<String>,
    /// How often the Kustomization is reconciled, as a Go duration
    #[arg(long, default_value = "1m", value_name = "DURATION")]
    pub interval: String,
    /// Label to set, as key=value (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Print the Kustomization as YAML instead of applying it
    #[arg(long)]
    pub export: bool,
}

/// `--crds`: what the chart's CRDs get on upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CrdsPolicyArg {
    #[value(name = "Skip")]
    Skip,
    #[value(name = "Create")]
    Create,
    #[value(name = "CreateReplace")]
    CreateReplace,
}

#[derive(Debug, Args)]
pub struct CreateHelmReleaseArgs {
    /// Name of the HelmRelease
    pub name: String,
    /// Source holding the chart, as <kind>/<name>[.<namespace>]; kind is one of
    /// HelmRepository, GitRepository or Bucket (with --chart)
    #[arg(long, value_name = "KIND/NAME[.NAMESPACE]")]
    pub source: Option<String>,
    /// Chart name (HelmRepository) or path of the chart directory (GitRepository, Bucket)
    #[arg(long)]
    pub chart: Option<String>,
    /// Chart version or semver range (ignored for charts from GitRepository and Bucket
    /// sources)
    #[arg(long, value_name = "VERSION")]
    pub chart_version: Option<String>,
    /// An existing object holding the chart, as <kind>/<name>[.<namespace>]; kind is one of
    /// OCIRepository or HelmChart (instead of --source and --chart)
    #[arg(long, value_name = "KIND/NAME[.NAMESPACE]")]
    pub chart_ref: Option<String>,
    /// How often the chart's source is checked for a new chart, as a Go duration (default:
    /// --interval)
    #[arg(long, value_name = "DURATION")]
    pub chart_interval: Option<String>,
    /// When the generated HelmChart builds a new artifact: on a new chart version, or on
    /// every new revision of the source (default: ChartVersion)
    #[arg(long, value_enum, value_name = "STRATEGY")]
    pub reconcile_strategy: Option<ReconcileStrategyArg>,
    /// Helm release name (default: [<target-namespace>-]<name>)
    #[arg(long, value_name = "NAME")]
    pub release_name: Option<String>,
    /// Namespace the release is installed into (default: the HelmRelease's)
    #[arg(long, value_name = "NAMESPACE")]
    pub target_namespace: Option<String>,
    /// Create the target namespace on install if it does not exist
    #[arg(long, default_missing_value = "true", num_args = 0..=1, require_equals = true, action = clap::ArgAction::Set, default_value_t = false, value_name = "BOOL")]
    pub create_target_namespace: bool,
    /// Namespace the Helm release storage is kept in (default: the HelmRelease's)
    #[arg(long, value_name = "NAMESPACE")]
    pub storage_namespace: Option<String>,
    /// HelmRelease that must be ready first, as [<namespace>/]<name> (comma-separated or
    /// repeated)
    #[arg(long, value_delimiter = ',', value_name = "[NAMESPACE/]NAME")]
    pub depends_on: Vec<String>,
    /// ServiceAccount to impersonate for the Helm actions
    #[arg(long, value_name = "NAME")]
    pub service_account: Option<String>,
    /// Local values file, merged into spec.values in order (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "FILE")]
    pub values: Vec<String>,
    /// ConfigMap or Secret whose values.yaml key holds values, as <kind>/<name>; kind is
    /// Secret or ConfigMap (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "KIND/NAME")]
    pub values_from: Vec<String>,
    /// What the chart's CRDs get on upgrade (install always creates them)
    #[arg(long, value_enum, value_name = "POLICY")]
    pub crds: Option<CrdsPolicyArg>,
    /// Secret with a kubeconfig for releasing to a remote cluster
    #[arg(long, value_name = "NAME")]
    pub kubeconfig_secret_ref: Option<String>,
    /// How often the release is reconciled, as a Go duration
    #[arg(long, default_value = "1m", value_name = "DURATION")]
    pub interval: String,
    /// Label to set, as key=value (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Print the HelmRelease as YAML instead of applying it
    #[arg(long)]
    pub export: bool,
}

#[derive(Debug, Args)]
pub struct CreateTenantArgs {
    /// Name of the tenant
    pub name: String,
    /// Namespace belonging to this tenant (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "NAMESPACE")]
    pub with_namespace: Vec<String>,
    /// ClusterRole the tenant's role bindings grant in its namespaces
    #[arg(long, default_value = "cluster-admin", value_name = "NAME")]
    pub cluster_role: String,
    /// ServiceAccount made in each namespace (default: the tenant's name)
    #[arg(long, value_name = "NAME")]
    pub with_service_account: Option<String>,
    /// Do not create the namespaces: they must exist already
    #[arg(long)]
    pub skip_namespace: bool,
    /// Label to set, as key=value (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Print the objects as YAML instead of applying them
    #[arg(long)]
    pub export: bool,
}

#[derive(Debug, Args)]
pub struct CreateSecretGitArgs {
    /// Name of the Secret
    pub name: String,
    /// Repository address; its scheme decides between SSH and HTTP/S credentials
    #[arg(long)]
    pub url: String,
    /// Basic authentication username (HTTP/S)
    #[arg(short, long)]
    pub username: Option<String>,
    /// Basic authentication password (HTTP/S), or the passphrase of --private-key-file
    #[arg(short, long)]
    pub password: Option<String>,
    /// Bearer token (HTTP/S), instead of --username/--password
    #[arg(long, value_name = "TOKEN")]
    pub bearer_token: Option<String>,
    /// OpenSSH private key to use instead of generating one (SSH)
    #[arg(long, value_name = "PATH")]
    pub private_key_file: Option<String>,
    #[command(flatten)]
    pub ssh_key: SshKeyArgs,
    /// CA certificate (PEM) stored under `ca.crt`
    #[arg(long, value_name = "PATH")]
    pub ca_crt_file: Option<String>,
    /// CA certificate (PEM) stored under the legacy `caFile` key; --ca-crt-file wins
    #[arg(long, value_name = "PATH")]
    pub ca_file: Option<String>,
    /// Label to set, as key=value (comma-separated or repeated)
    #[arg(long, value_delimiter = ',', value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Print the Secret as YAML instead of applying it
    #[arg(long)]
    pub export: bool,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    #[command(subcommand)]
    pub command: GetCommand,
}

#[derive(Debug, Subcommand)]
pub enum GetCommand {
    /// Print the status of sources
    #[command(visible_alias = "source")]
    Sources(GetSourcesArgs),
    /// Print the status of Kustomizations
    #[command(visible_aliases = ["kustomization", "ks"])]
    Kustomizations(GetListArgs),
    /// Print the status of HelmReleases
    #[command(name = "helmreleases", visible_aliases = ["helmrelease", "hr"])]
    HelmReleases(GetListArgs),
    /// Print the status of Alerts
    #[command(visible_alias = "alert")]
    Alerts(GetListArgs),
    /// Print the status of Providers
    #[command(visible_alias = "alert-provider")]
    AlertProviders(GetListArgs),
    /// Print the status of Receivers
    #[command(visible_alias = "receiver")]
    Receivers(GetListArgs),
    /// Print the status of Canaries: phase, canary weight, failed checks
    #[command(visible_alias = "canary")]
    Canaries(GetListArgs),
    /// Print the status of every source, HelmRelease, Kustomization, Receiver, Provider and
    /// Alert, one table per kind
    All(GetAllArgs),
}

#[derive(Debug, Args)]
pub struct GetSourcesArgs {
    #[command(subcommand)]
    pub command: GetSourcesCommand,
}

#[derive(Debug, Subcommand)]
pub enum GetSourcesCommand {
    /// Print the status of GitRepository sources
    Git(GetListArgs),
    /// Print the status of HelmRepository sources
    Helm(GetListArgs),
    /// Print the status of HelmChart sources
    Chart(GetListArgs),
    /// Print the status of OCIRepository sources
    Oci(GetListArgs),
    /// Print the status of Bucket sources
    Bucket(GetListArgs),
    /// Print the status of every kind of source
    All(GetAllArgs),
}

/// Filters and output flags of `get`.
#[derive(Debug, Clone, Args)]
pub struct GetFilterArgs {
    /// List across all namespaces
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Leave out the header row
    #[arg(long)]
    pub no_header: bool,
    /// Only objects whose condition has this status, as type=status (e.g. ready=false)
    #[arg(long, value_name = "TYPE=STATUS")]
    pub status_selector: Option<String>,
    /// Only objects matching this label selector (e.g. app=web,tier!=db)
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub label_selector: Option<String>,
}

#[derive(Debug, Args)]
pub struct GetListArgs {
    /// Only the object with this name
    pub name: Option<String>,
    #[command(flatten)]
    pub filter: GetFilterArgs,
    /// After listing, print a row each time an object changes (until --timeout)
    #[arg(short, long)]
    pub watch: bool,
}

#[derive(Debug, Args)]
pub struct GetAllArgs {
    #[command(flatten)]
    pub filter: GetFilterArgs,
}

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    #[command(subcommand)]
    pub command: ReconcileCommand,
}

#[derive(Debug, Subcommand)]
pub enum ReconcileCommand {
    /// Reconcile a source
    Source(ReconcileSourceArgs),
    /// Apply a Kustomization now (and with --with-source, fetch its source first) and wait
    #[command(visible_alias = "ks")]
    Kustomization(ReconcileKustomizationArgs),
    /// Release a HelmRelease now (with --with-source, fetch its chart first) and wait
    #[command(name = "helmrelease", visible_alias = "hr")]
    HelmRelease(ReconcileHelmReleaseArgs),
    /// Reconcile a Receiver and wait for it to be ready
    Receiver(NameArgs),
    /// Annotate an Alert for reconciliation (Alerts have no status: done once annotated)
    Alert(NameArgs),
    /// Annotate a Provider for reconciliation (Providers have no status: done once annotated)
    AlertProvider(NameArgs),
}

#[derive(Debug, Args)]
pub struct ReconcileKustomizationArgs {
    /// Name of the Kustomization
    pub name: String,
    /// Reconcile the Kustomization's source first and wait for its new revision
    #[arg(long)]
    pub with_source: bool,
}

#[derive(Debug, Args)]
pub struct ReconcileHelmReleaseArgs {
    /// Name of the HelmRelease
    pub name: String,
    /// Reconcile the chart (the HelmChart and its source, or the OCIRepository) first and
    /// wait for its new revision
    #[arg(long)]
    pub with_source: bool,
    /// Force a one-off install or upgrade, even when nothing changed
    #[arg(long)]
    pub force: bool,
    /// Reset the failure counters, so install and upgrade retries start over
    #[arg(long)]
    pub reset: bool,
}

#[derive(Debug, Args)]
pub struct ReconcileChartArgs {
    /// Name of the HelmChart
    pub name: String,
    /// Reconcile the HelmChart's source first and wait for its new revision
    #[arg(long)]
    pub with_source: bool,
}

#[derive(Debug, Args)]
pub struct ReconcileSourceArgs {
    #[command(subcommand)]
    pub command: ReconcileSourceCommand,
}

#[derive(Debug, Subcommand)]
pub enum ReconcileSourceCommand {
    /// Fetch a GitRepository now and wait for the new artifact
    Git(NameArgs),
    /// Download a HelmRepository's index now and wait for the new artifact (an OCI
    /// repository has nothing to reconcile)
    Helm(NameArgs),
    /// Build a HelmChart now (with --with-source, fetch its source first) and wait for the
    /// new artifact
    Chart(ReconcileChartArgs),
    /// Pull an OCIRepository's artifact now and wait for the new revision
    Oci(NameArgs),
    /// Fetch a Bucket's objects now and wait for the new artifact
    Bucket(NameArgs),
}

#[derive(Debug, Args)]
pub struct NameArgs {
    /// Name of the object
    pub name: String,
}

#[derive(Debug, Args)]
pub struct SuspendArgs {
    #[command(subcommand)]
    pub command: SuspendCommand,
}

#[derive(Debug, Subcommand)]
pub enum SuspendCommand {
    /// Suspend sources
    Source(SuspendSourceArgs),
    /// Suspend Kustomizations
    #[command(visible_alias = "ks")]
    Kustomization(SelectArgs),
    /// Suspend HelmReleases
    #[command(name = "helmrelease", visible_alias = "hr")]
    HelmRelease(SelectArgs),
    /// Suspend Alerts: no events are sent for them
    Alert(SelectArgs),
    /// Suspend Providers: no events are sent to them
    AlertProvider(SelectArgs),
    /// Suspend Receivers: their webhooks trigger nothing
    Receiver(SelectArgs),
    /// Suspend Canaries: no analysis runs, no traffic shifts, until resumed
    Canary(SelectArgs),
}

#[derive(Debug, Args)]
pub struct SuspendSourceArgs {
    #[command(subcommand)]
    pub command: SuspendSourceCommand,
}

#[derive(Debug, Subcommand)]
pub enum SuspendSourceCommand {
    /// Suspend GitRepository sources
    Git(SelectArgs),
    /// Suspend HelmRepository sources
    Helm(SelectArgs),
    /// Suspend HelmChart sources
    Chart(SelectArgs),
    /// Suspend OCIRepository sources
    Oci(SelectArgs),
    /// Suspend Bucket sources
    Bucket(SelectArgs),
}

/// One object by name, or every object in the namespace.
#[derive(Debug, Args)]
pub struct SelectArgs {
    /// Name of the object
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub name: Option<String>,
    /// Every object of this kind in the namespace
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct ResumeArgs {
    #[command(subcommand)]
    pub command: ResumeCommand,
}

#[derive(Debug, Subcommand)]
pub enum ResumeCommand {
    /// Resume sources
    Source(ResumeSourceArgs),
    /// Resume Kustomizations and wait for them to be applied
    #[command(visible_alias = "ks")]
    Kustomization(ResumeSelectArgs),
    /// Resume HelmReleases and wait for them to be released
    #[command(name = "helmrelease", visible_alias = "hr")]
    HelmRelease(ResumeSelectArgs),
    /// Resume suspended Alerts
    Alert(ResumeSelectArgs),
    /// Resume suspended Providers
    AlertProvider(ResumeSelectArgs),
    /// Resume suspended Receivers and wait for them to be ready
    Receiver(ResumeSelectArgs),
    /// Resume suspended Canaries: the controller runs their analysis at once (Canaries
    /// report no handled request: done once resumed)
    Canary(SelectArgs),
}

#[derive(Debug, Args)]
pub struct ResumeSourceArgs {
    #[command(subcommand)]
    pub command: ResumeSourceCommand,
}

#[derive(Debug, Subcommand)]
pub enum ResumeSourceCommand {
    /// Resume GitRepository sources and wait for them to be ready
    Git(ResumeSelectArgs),
    /// Resume HelmRepository sources and wait for them to be ready
    Helm(ResumeSelectArgs),
    /// Resume HelmChart sources and wait for them to be ready
    Chart(ResumeSelectArgs),
    /// Resume OCIRepository sources and wait for them to be ready
    Oci(ResumeSelectArgs),
    /// Resume Bucket sources and wait for them to be ready
    Bucket(ResumeSelectArgs),
}

#[derive(Debug, Args)]
pub struct ResumeSelectArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Wait for the resumed objects to be reconciled
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub wait: bool,
}

#[derive(Debug, Args)]
pub struct PromoteArgs {
    #[command(subcommand)]
    pub command: PromoteCommand,
}

#[derive(Debug, Subcommand)]
pub enum PromoteCommand {
    /// Approve what a Canary waits for (its rollout or its promotion) and wait for it
    #[command(
        long_about = "Approve what a Canary waits for, and request a reconcile so the \
                      controller acts at once.\n\n\
                      A revision under analysis (phase Progressing or WaitingPromotion): the \
                      annotation canary.tk-gitops.io/approved-revision is set to the Canary's \
                      status.lastAppliedSpec, which opens that revision's \
                      confirm-traffic-increase and confirm-promotion webhook gates; tk then \
                      waits until the Canary is Promoting, Finalising or Succeeded.\n\n\
                      A rollout held by its confirm-rollout gates (phase Waiting): the \
                      annotation canary.tk-gitops.io/approved-rollout is set to the target's \
                      revision, which opens that revision's confirm-rollout gates; tk then \
                      waits until the analysis starts.\n\n\
                      A later revision needs a new approval, and the analysis' metric checks \
                      still run. tk fails if the Canary is rolled back while it waits; \
                      --wait=false returns once approved.\n\n\
                      Examples:\n\n    \
                      tk promote canary podinfo -n test\n    \
                      tk promote canary podinfo -n test --wait=false"
    )]
    Canary(PromoteCanaryArgs),
}

#[derive(Debug, Args)]
pub struct PromoteCanaryArgs {
    /// Name of the Canary
    pub name: String,
    /// Wait for the approved rollout or promotion to start
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub wait: bool,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    #[command(subcommand)]
    pub command: DeleteCommand,
}

#[derive(Debug, Subcommand)]
pub enum DeleteCommand {
    /// Delete sources
    Source(DeleteSourceArgs),
    /// Delete a Kustomization (with prune, the objects it applied are deleted too)
    #[command(visible_alias = "ks")]
    Kustomization(DeleteNameArgs),
    /// Delete a HelmRelease (the helm controller uninstalls its release)
    #[command(name = "helmrelease", visible_alias = "hr")]
    HelmRelease(DeleteNameArgs),
    /// Delete an Alert
    Alert(DeleteNameArgs),
    /// Delete a Provider
    AlertProvider(DeleteNameArgs),
    /// Delete a Receiver
    Receiver(DeleteNameArgs),
    /// Delete a Canary (with spec.revertOnDeletion, the controller restores the target first)
    Canary(DeleteNameArgs),
}

#[derive(Debug, Args)]
pub struct DeleteSourceArgs {
    #[command(subcommand)]
    pub command: DeleteSourceCommand,
}

#[derive(Debug, Subcommand)]
pub enum DeleteSourceCommand {
    /// Delete a GitRepository source
    Git(DeleteNameArgs),
    /// Delete a HelmRepository source
    Helm(DeleteNameArgs),
    /// Delete a HelmChart source
    Chart(DeleteNameArgs),
    /// Delete an OCIRepository source
    Oci(DeleteNameArgs),
    /// Delete a Bucket source
    Bucket(DeleteNameArgs),
}

#[derive(Debug, Args)]
pub struct DeleteNameArgs {
    /// Name of the object
    pub name: String,
    /// Do not ask for confirmation
    #[arg(short, long)]
    pub silent: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub command: ExportCommand,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Export sources
    Source(ExportSourceArgs),
    /// Export Kustomizations as YAML
    #[command(visible_alias = "ks")]
    Kustomization(SelectArgs),
    /// Export HelmReleases as YAML
    #[command(name = "helmrelease", visible_alias = "hr")]
    HelmRelease(SelectArgs),
    /// Export Alerts as YAML
    Alert(SelectArgs),
    /// Export Providers as YAML
    AlertProvider(SelectArgs),
    /// Export Receivers as YAML
    Receiver(SelectArgs),
    /// Export Canaries as YAML
    Canary(SelectArgs),
}

#[derive(Debug, Args)]
pub struct ExportSourceArgs {
    #[command(subcommand)]
    pub command: ExportSourceCommand,
}

#[derive(Debug, Subcommand)]
pub enum ExportSourceCommand {
    /// Export GitRepository sources as YAML
    Git(ExportSelectArgs),
    /// Export HelmRepository sources as YAML
    Helm(ExportSelectArgs),
    /// Export HelmChart sources as YAML
    Chart(ExportSelectArgs),
    /// Export OCIRepository sources as YAML
    Oci(ExportSelectArgs),
    /// Export Bucket sources as YAML
    Bucket(ExportSelectArgs),
}

#[derive(Debug, Args)]
pub struct ExportSelectArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// Also export the Secret each source references
    #[arg(long)]
    pub with_credentials: bool,
}

#[derive(Debug, Args)]
pub struct HelmArgs {
    #[command(subcommand)]
    pub command: HelmCommand,
}

#[derive(Debug, Subcommand)]
pub enum HelmCommand {
    /// Render a chart's templates and print the manifests, as `helm template` does
    #[command(
        long_about = "Render a chart's templates locally and print the manifests, byte for byte \
                      what `helm template` (Helm 3.22) prints, with tk's built-in Helm engine. \
                      Nothing is sent to a cluster: `lookup` returns nothing. The release \
                      namespace is --namespace when given, else `default`.\n\n\
                      Examples:\n\n    \
                      tk helm template ./charts/podinfo\n    \
                      tk helm template web podinfo-6.14.1.tgz -f values-prod.yaml --set replicaCount=2\n    \
                      tk helm template ./chart --kube-version 1.30.0 --show-only templates/service.yaml"
    )]
    Template(HelmTemplateArgs),
}

#[derive(Debug, Args)]
pub struct HelmTemplateArgs {
    /// [NAME] CHART: the release name (default `release-name`) and a chart directory or .tgz
    #[arg(value_name = "ARGS", required = true, num_args = 1..=2)]
    pub args: Vec<String>,
    /// Values files, merged in order (later wins)
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<std::path::PathBuf>,
    /// Values as key=value[,key=value] (typed as Helm types them)
    #[arg(long, value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Values as key=value, always strings
    #[arg(long, value_name = "KEY=VALUE")]
    pub set_string: Vec<String>,
    /// Values as key=JSON (a JSON value, object or array)
    #[arg(long, value_name = "KEY=JSON")]
    pub set_json: Vec<String>,
    /// Values read from files, as key=path
    #[arg(long, value_name = "KEY=PATH")]
    pub set_file: Vec<String>,
    /// Values as key=value, the value taken literally (no commas or escapes parsed)
    #[arg(long, value_name = "KEY=VALUE")]
    pub set_literal: Vec<String>,
    /// Kubernetes version for `.Capabilities.KubeVersion` and the chart's kubeVersion check
    #[arg(long, value_name = "VERSION")]
    pub kube_version: Option<String>,
    /// Extra API versions for `.Capabilities.APIVersions` (repeatable or comma-separated)
    #[arg(short = 'a', long, value_name = "GROUP/VERSION", value_delimiter = ',')]
    pub api_versions: Vec<String>,
    /// Print the chart's CRDs (crds/) before the other manifests
    #[arg(long)]
    pub include_crds: bool,
    /// Leave out test hooks
    #[arg(long)]
    pub skip_tests: bool,
    /// Print only the manifests from these templates (paths below the chart, globs allowed)
    #[arg(short = 's', long, value_name = "PATH")]
    pub show_only: Vec<String>,
    /// Do not validate values against values.schema.json
    #[arg(long)]
    pub skip_schema_validation: bool,
    /// On a YAML error, print the rendered manifests before the error
    #[arg(long)]
    pub debug: bool,
}

#[derive(Debug, Args)]
pub struct KustomizeArgs {
    #[command(subcommand)]
    pub command: KustomizeCommand,
}

#[derive(Debug, Subcommand)]
pub enum KustomizeCommand {
    /// Build a kustomization directory and print the resources as YAML
    #[command(
        long_about = "Build a kustomization directory and print the resources as YAML, \
                      byte for byte what `kustomize build` v5.5 and `kubectl kustomize` print, \
                      with tk's built-in kustomize engine. Nothing is sent to a cluster; a \
                      kustomization field the engine does not interpret is an error, never \
                      silently ignored.\n\n\
                      Every file is read inside a build root: --root if given, else the top of \
                      the Git work tree holding DIR, else the current directory if it holds DIR, \
                      else DIR itself. Bases such as ../base resolve anywhere inside the root; \
                      symlinks, absolute paths and `..` that leave it are refused, and so are \
                      remote bases, plugins, KRM functions and helm charts. Paths in error \
                      messages are shown from the root, as /overlays/prod/kustomization.yaml.\n\n\
                      Examples:\n\n    \
                      tk kustomize build ./deploy/overlays/prod\n    \
                      tk kustomize build . -o rendered.yaml\n    \
                      tk kustomize build clusters/dev --reorder none\n    \
                      tk kustomize build overlays/dev --load-restrictor LoadRestrictionsNone\n    \
                      tk kustomize build /srv/repo/apps/web --root /srv/repo"
    )]
    Build(KustomizeBuildArgs),
}

#[derive(Debug, Args)]
pub struct KustomizeBuildArgs {
    /// Directory holding a kustomization.yaml, kustomization.yml or Kustomization file
    #[arg(default_value = ".", value_name = "DIR")]
    pub dir: std::path::PathBuf,
    /// Order of the output: `legacy` (kustomize's kind order: Namespaces and CRDs first,
    /// webhooks last) or `none` (the order resources were read in); a `sortOptions` field in
    /// the kustomization wins
    #[arg(long, value_enum, default_value_t = ReorderArg::Legacy, value_name = "ORDER")]
    pub reorder: ReorderArg,
    /// Which files a kustomization may read: `LoadRestrictionsRootOnly` or `root-only` (only
    /// files in or below its own directory; bases may be anywhere in the build root) or
    /// `LoadRestrictionsNone` or `none` (any file in the build root)
    #[arg(long, value_enum, default_value_t = LoadRestrictorArg::RootOnly, value_name = "RESTRICTION")]
    pub load_restrictor: LoadRestrictorArg,
    /// Directory no read may leave (default: the Git work tree holding DIR, else the current
    /// directory if it holds DIR, else DIR)
    #[arg(long, value_name = "PATH")]
    pub root: Option<std::path::PathBuf>,
    /// Write the YAML to this file (replaced atomically) instead of stdout
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

/// `--reorder`, with kustomize's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReorderArg {
    Legacy,
    None,
}

/// `--load-restrictor`, with kustomize's values (and short aliases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LoadRestrictorArg {
    #[value(name = "LoadRestrictionsRootOnly", alias = "root-only")]
    RootOnly,
    #[value(name = "LoadRestrictionsNone", alias = "none")]
    None,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(subcommand)]
    pub command: BuildCommand,
}

#[derive(Debug, Subcommand)]
pub enum BuildCommand {
    /// Build Kustomization
    #[command(
        visible_alias = "ks",
        long_about = "Fetch the Kustomization from the cluster (or from --kustomization-file), \
                      apply its transformations to the local manifests at --path (generating a \
                      kustomization.yaml when missing), build them as kustomize-controller \
                      would and print the resulting multi-doc YAML to stdout.\n\n\
                      With --dry-run the cluster is not contacted: --kustomization-file is \
                      required and variable substitutions from Secrets and ConfigMaps \
                      (postBuild.substituteFrom) are skipped.\n\n\
                      Examples:\n\n    \
                      tk build kustomization my-app --path ./path/to/local/manifests\n    \
                      tk build kustomization my-app --path ./manifests --kustomization-file ./my-app.yaml --dry-run"
    )]
    Kustomization(BuildKustomizationArgs),
    /// Build HelmRelease
    #[command(
        name = "helmrelease",
        visible_alias = "hr",
        long_about = "Render a HelmRelease locally with the helm controller's own renderer and \
                      print the objects it would apply as multi-doc YAML to stdout (hooks \
                      excluded unless --include-hooks).\n\n\
                      The HelmRelease is read from --file (a multi-document YAML file) or else \
                      from the cluster. The chart is --chart (a chart directory or a packaged \
                      .tgz) or else pulled from the HelmRepository of spec.chart.spec.sourceRef \
                      (read from --file or the cluster) by the version rules of Flux; charts from \
                      a GitRepository, a Bucket or a chartRef need --chart. Values are composed \
                      as the controller does (spec.valuesFrom from the cluster, then \
                      spec.values), then each --values file is merged on top in order. When the \
                      cluster is reachable the render uses its release history (revision, \
                      upgrade) and capabilities; with --dry-run, or when it cannot be reached, \
                      spec.valuesFrom must be optional or replaced by --values.\n\n\
                      Examples:\n\n    \
                      tk build helmrelease podinfo -n apps\n    \
                      tk build hr podinfo --file ./podinfo.yaml --chart ./charts/podinfo \\\n      \
                      --values ./values-staging.yaml --dry-run"
    )]
    HelmRelease(BuildHelmReleaseArgs),
}

#[derive(Debug, Args)]
pub struct BuildHelmReleaseArgs {
    /// Name of the HelmRelease
    pub name: String,
    #[command(flatten)]
    pub render: HelmReleaseRenderArgs,
    /// Print the chart's hooks (tests included) after the objects of the release
    #[arg(long)]
    pub include_hooks: bool,
    /// Do not contact the cluster (requires --file; spec.valuesFrom entries must be optional)
    #[arg(long)]
    pub dry_run: bool,
}

/// Where `tk build|diff helmrelease` take the HelmRelease, its chart and extra values from.
#[derive(Debug, Args)]
pub struct HelmReleaseRenderArgs {
    /// Multi-document YAML file holding the HelmRelease (and its HelmRepository); without it
    /// both are read from the cluster
    #[arg(long, value_name = "FILE")]
    pub file: Option<std::path::PathBuf>,
    /// Chart to render: a chart directory or a packaged .tgz (required for charts from a
    /// GitRepository, a Bucket or a chartRef)
    #[arg(long, value_name = "PATH")]
    pub chart: Option<std::path::PathBuf>,
    /// Values file merged over the HelmRelease's values, repeatable, in order (helm's -f)
    #[arg(long = "values", value_name = "FILE")]
    pub values: Vec<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct BuildKustomizationArgs {
    /// Name of the Kustomization
    pub name: String,
    /// Path to the manifests location.
    #[arg(long, default_value = "")]
    pub path: String,
    /// Path to the Flux Kustomization YAML file.
    #[arg(long, value_name = "FILE")]
    pub kustomization_file: Option<std::path::PathBuf>,
    /// Dry run mode.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(subcommand)]
    pub command: DiffCommand,
}

#[derive(Debug, Subcommand)]
pub enum DiffCommand {
    /// Diff Kustomization
    #[command(
        visible_alias = "ks",
        long_about = "Build the Kustomization as `tk build kustomization` does, then perform a \
                      server-side dry-run and print the differences.\n\
                      Exit status: 0 No differences were found. 1 Differences were found. \
                      >1 diff failed with an error.\n\n\
                      Examples:\n\n    \
                      tk diff kustomization my-app --path ./path/to/local/manifests"
    )]
    Kustomization(DiffKustomizationArgs),
    /// Diff HelmRelease
    #[command(
        name = "helmrelease",
        visible_alias = "hr",
        long_about = "Render the HelmRelease as `tk build helmrelease` does, then perform a \
                      server-side dry-run with the helm controller's field manager and print the \
                      differences: objects created, objects changed (with a unified diff) and \
                      objects of the deployed release that the new render drops (deleted).\n\
                      Exit status: 0 No differences were found. 1 Differences were found. \
                      >1 diff failed with an error.\n\n\
                      Examples:\n\n    \
                      tk diff helmrelease podinfo -n apps --values ./values-next.yaml\n    \
                      tk diff hr podinfo --file ./podinfo.yaml --chart ./charts/podinfo"
    )]
    HelmRelease(DiffHelmReleaseArgs),
}

#[derive(Debug, Args)]
pub struct DiffHelmReleaseArgs {
    /// Name of the HelmRelease
    pub name: String,
    #[command(flatten)]
    pub render: HelmReleaseRenderArgs,
}

#[derive(Debug, Args)]
pub struct DiffKustomizationArgs {
    /// Name of the Kustomization
    pub name: String,
    /// Path to a local directory that matches the specified Kustomization.spec.path.
    #[arg(long, default_value = "")]
    pub path: String,
    /// Path to the Flux Kustomization YAML file.
    #[arg(long, value_name = "FILE")]
    pub kustomization_file: Option<std::path::PathBuf>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn command_tree_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}

#[derive(Debug, Args)]
pub struct TreeArgs {
    #[command(subcommand)]
    pub command: TreeCommand,
}

#[derive(Debug, Subcommand)]
pub enum TreeCommand {
    /// Print the resource inventory of a Kustomization, nested Kustomizations expanded
    #[command(visible_alias = "ks")]
    Kustomization(TreeKustomizationArgs),
}

#[derive(Debug, Args)]
pub struct TreeKustomizationArgs {
    /// Name of the Kustomization
    pub name: String,
    /// List Flux resources only
    #[arg(long)]
    pub compact: bool,
    /// The format in which the tree should be printed: json or yaml
    #[arg(short = 'o', long)]
    pub output: Option<String>,
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Display events from Flux resources across all namespaces
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Stream the events (until --timeout)
    #[arg(short, long)]
    pub watch: bool,
    /// Get events for a particular object, as Kind[/name]
    #[arg(long = "for", value_name = "KIND[/NAME]")]
    pub for_selector: Option<String>,
    /// Filter events by type: Normal, Warning (comma-separated)
    #[arg(long, value_delimiter = ',')]
    pub types: Vec<String>,
}

#[derive(Debug, Args)]
pub struct BootstrapArgs {
    #[command(subcommand)]
    pub command: BootstrapCommand,
}

#[derive(Debug, Subcommand)]
pub enum BootstrapCommand {
    /// Bootstrap from any Git server reached over SSH or HTTPS
    #[command(
        long_about = "Commits tk's component and sync manifests to a branch of a Git \
                            repository, installs tk in the cluster and makes it reconcile \
                            itself from that branch. Running it again changes nothing when \
                            nothing changed; with other components or options it commits the \
                            new manifests and the cluster upgrades itself through Git."
    )]
    Git(BootstrapGitArgs),
    /// Bootstrap from a GitHub (or GitHub Enterprise) repository, created if missing, with a
    /// deploy key for the cluster
    #[command(
        long_about = "Creates the GitHub repository if it is missing (personal or in an \
                            organisation), grants --team access, commits tk's manifests, \
                            installs tk and gives the cluster a read-only deploy key named for \
                            its path. The token comes from GITHUB_TOKEN, or is asked for on a \
                            terminal."
    )]
    Github(BootstrapGitHubArgs),
    /// Bootstrap from a GitLab (or self-managed GitLab) project, created if missing, with a
    /// deploy key or deploy token for the cluster
    #[command(
        long_about = "Creates the GitLab project if it is missing (personal or in a group \
                            or subgroup), shares it with --team groups, commits tk's manifests, \
                            installs tk and gives the cluster a deploy key (or, with \
                            --deploy-token-auth, a deploy token). The token comes from \
                            GITLAB_TOKEN, or is asked for on a terminal."
    )]
    Gitlab(BootstrapGitLabArgs),
}

/// Flags of the hosted services' bootstraps.
#[derive(Debug, Clone, Args)]
pub struct HostedArgs {
    /// User, organisation or group (GitLab: with subgroups, group/sub) owning the repository
    #[arg(long)]
    pub owner: String,
    /// Name of the repository
    #[arg(long)]
    pub repository: String,
    /// The owner is the token's own user, not an organisation or group
    #[arg(long)]
    pub personal: bool,
    /// Team (GitLab: group path) given access, as NAME or NAME:PERMISSION (pull, triage,
    /// push, maintain, admin; default maintain); repeatable
    #[arg(long = "team", value_name = "NAME[:PERMISSION]")]
    pub teams: Vec<String>,
    /// The cluster's deploy key may push (read-only by default)
    #[arg(long)]
    pub read_write_key: bool,
    /// Bring an existing repository's description, default branch and visibility in line
    #[arg(long)]
    pub reconcile: bool,
}

#[derive(Debug, Args)]
pub struct BootstrapGitHubArgs {
    #[command(flatten)]
    pub hosted: HostedArgs,
    /// Create the repository private (true) or public (false)
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub private: bool,
    /// GitHub host; another one is GitHub Enterprise, its API at https://HOST/api/v3
    #[arg(long, default_value = "github.com", value_name = "HOST[:PORT]")]
    pub hostname: String,
    #[command(flatten)]
    pub common: BootstrapCommonArgs,
}

#[derive(Debug, Args)]
pub struct BootstrapGitLabArgs {
    #[command(flatten)]
    pub hosted: HostedArgs,
    /// Visibility of a created project
    #[arg(long, value_enum, default_value_t = VisibilityArg::Private)]
    pub visibility: VisibilityArg,
    /// GitLab host (self-managed GitLab: its host and port)
    #[arg(long, default_value = "gitlab.com", value_name = "HOST[:PORT]")]
    pub hostname: String,
    /// The cluster authenticates with a project deploy token (read_repository) instead of
    /// an SSH key
    #[arg(long)]
    pub deploy_token_auth: bool,
    #[command(flatten)]
    pub common: BootstrapCommonArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VisibilityArg {
    Private,
    Internal,
    Public,
}

/// Flags every `bootstrap` subcommand takes.
#[derive(Debug, Clone, Args)]
pub struct BootstrapCommonArgs {
    #[command(flatten)]
    pub components: ComponentArgs,
    #[command(flatten)]
    pub ssh_key: SshKeyArgs,
    /// Branch the manifests are committed to and the cluster reconciles
    #[arg(long, default_value = "main")]
    pub branch: String,
    /// Directory of the repository the cluster reconciles (e.g. clusters/prod); the
    /// manifests go to <path>/<namespace>/
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        value_name = "PATH"
    )]
    pub path: String,
    /// How often the cluster fetches the repository, as a Go duration
    #[arg(long, default_value = "1m", value_name = "DURATION")]
    pub interval: String,
    /// Name of the Secret holding the cluster's Git credentials
    #[arg(long, default_value = "flux-system", value_name = "NAME")]
    pub secret_name: String,
    /// Host (and port) the cluster reaches the repository at over SSH, when it differs from
    /// the one in the URL
    #[arg(long, value_name = "HOST[:PORT]")]
    pub ssh_hostname: Option<String>,
    /// Private SSH key the cluster authenticates with (`bootstrap git`: also the one that
    /// pushes); default: a new key pair for the cluster
    #[arg(long, value_name = "PATH")]
    pub private_key_file: Option<String>,
    /// The cluster authenticates with the token/password rather than an SSH key
    #[arg(long)]
    pub token_auth: bool,
    /// PEM CA certificates trusted for HTTPS (Git server and API), stored in the Secret
    #[arg(long, value_name = "PATH")]
    pub ca_file: Option<String>,
    /// Author name of the commits
    #[arg(long, default_value = "Flux")]
    pub author_name: String,
    /// Author email of the commits (default: none, as flux writes them)
    #[arg(long, default_value = "", hide_default_value = true)]
    pub author_email: String,
    /// Text appended to the commit messages
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        value_name = "TEXT"
    )]
    pub commit_message_appendix: String,
    /// OpenPGP secret keyring (armored or binary) to sign the commits with
    #[arg(long, value_name = "PATH")]
    pub gpg_key_ring: Option<String>,
    /// ID of the key in --gpg-key-ring to sign with (default: the first)
    #[arg(long, value_name = "ID")]
    pub gpg_key_id: Option<String>,
    /// Passphrase of the signing key
    #[arg(long, value_name = "PASSPHRASE")]
    pub gpg_passphrase: Option<String>,
    /// Take over a namespace another tool manages (its `app.kubernetes.io/managed-by` label
    /// says so)
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct BootstrapGitArgs {
    /// Repository address: ssh://user@host[:port]/path, https://host/path (http:// with
    /// --allow-insecure-http)
    #[arg(long)]
    pub url: String,
    /// Basic auth user name over HTTP/S; the SSH user when the URL names none
    #[arg(short = 'u', long, default_value = "git")]
    pub username: String,
    /// Basic auth password over HTTP/S, or the passphrase of --private-key-file
    #[arg(short = 'p', long, env = "GIT_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// Send the password as a bearer token (`Authorization: Bearer`) instead of basic auth
    #[arg(long)]
    pub with_bearer_token: bool,
    /// Allow an http:// URL (credentials travel in clear)
    #[arg(long)]
    pub allow_insecure_http: bool,
    /// Do not ask whether the generated deploy key was added to the repository
    #[arg(short, long)]
    pub silent: bool,
    #[command(flatten)]
    pub common: BootstrapCommonArgs,
}
