//! The real Kubernetes control plane for tk's tests and demo.
//!
//! [`ControlPlane::start`] runs etcd, kube-apiserver, kube-controller-manager, kube-scheduler
//! and kwok (which plays the kubelet for fake Nodes, so Pods become Running and Ready) on
//! free loopback ports in a temporary directory, with freshly generated certificates and an
//! admin kubeconfig that authenticates with a client certificate in `system:masters`, the way
//! controller-runtime's envtest does.
//!
//! Binaries come from `TK_RIG_BIN` when set, else from `hack/rig-build.sh`, which builds them
//! once into a cache. Nothing is skipped: when the rig cannot start, the error says why,
//! including the tail of the failing component's log.
//!
//! The apiserver of a control plane a test started for itself can be stopped and started
//! again on the same port ([`ControlPlane::restart_apiserver`]), to see how clients ride out
//! an outage.
//!
//! Tests normally use [`shared`]: one control plane per test process. Setting
//! `TK_TEST_KUBECONFIG` to a kubeconfig path makes [`shared`] use that existing cluster
//! instead (for example one started by `hack/rig up`), which saves the start-up time when
//! iterating.

mod bins;
pub mod charts;
pub mod exporter;
pub mod git;
pub mod github;
pub mod gitlab;
pub mod hooks;
pub mod mesh;
pub mod rest;
pub use git::GitServers;
mod http;
mod kubeconfig;
mod pki;
mod procs;
pub mod prometheus;
pub mod registry;
pub mod s3;

pub use bins::{Reference, reference};
pub use pki::Credentials;
/// The HTTP client the rig uses, re-exported so tests can use the same version.
pub use ureq;

use anyhow::{Context, Result, anyhow, bail};
use procs::Component;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The Kubernetes version the rig's binaries are built at (see hack/rig-build.sh).
pub const KUBERNETES_VERSION: &str = "v1.34.4";

/// Names of the fake Nodes [`ControlPlane::start`] creates; kwok manages them.
pub const FAKE_NODES: [&str; 2] = ["kwok-node-0", "kwok-node-1"];

const SERVICE_CIDR: &str = "10.0.0.0/24";
const TEMP_PREFIX: &str = "tk-testenv-";
/// The component name (and log file stem) of the apiserver.
const APISERVER: &str = "kube-apiserver";

/// How to start a control plane; `Default` is what [`ControlPlane::start`] uses.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Directory holding the binaries; else `TK_RIG_BIN`, else `hack/rig-build.sh`.
    pub bin_dir: Option<PathBuf>,
    /// Directory for data, certificates, logs and the kubeconfig; it must be empty or absent,
    /// and is removed when the control plane is dropped. Else a fresh temporary directory.
    pub dir: Option<PathBuf>,
}

/// A running control plane, or an existing cluster named by `TK_TEST_KUBECONFIG`.
///
/// Dropping a started control plane kills its processes and removes its directory. The
/// processes are also killed by the kernel if the test process dies (PR_SET_PDEATHSIG).
pub struct ControlPlane {
    kubeconfig: PathBuf,
    server: String,
    bin_dir: PathBuf,
    ca_pem: Option<String>,
    admin: Option<Credentials>,
    ca: Option<pki::Ca>,
    local: Option<Local>,
}

/// How [`ControlPlane::stop_apiserver`] stops the apiserver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopSignal {
    /// SIGTERM, then SIGKILL if it is still running after `grace`, as the kubelet stops a
    /// static Pod. kube-apiserver closes its port at once, answers in-flight requests (some
    /// with 503) and closes watches; draining can take its whole `--request-timeout` (60s),
    /// so `grace` bounds the outage clients see.
    Term { grace: Duration },
    /// SIGKILL: connections drop mid-request, as in a crash.
    Kill,
}

struct Local {
    dir: Mutex<Option<Workdir>>,
    procs: Mutex<Vec<Component>>,
    apiserver: ApiserverCommand,
}

enum Workdir {
    Temp(tempfile::TempDir),
    Given(PathBuf),
}

impl Workdir {
    fn path(&self) -> &Path {
        match self {
            Workdir::Temp(t) => t.path(),
            Workdir::Given(p) => p,
        }
    }
}

/// Kills its components on drop, so a failed start leaves nothing running.
struct Procs(Vec<Component>);

impl Drop for Procs {
    fn drop(&mut self) {
        for c in self.0.iter_mut().rev() {
            c.kill();
        }
    }
}

impl Procs {
    fn check_alive(&mut self) -> Result<()> {
        self.0.iter_mut().try_for_each(Component::check_alive)
    }

    /// Polls `probe` until it returns Ok(true), failing early if any component exits and
    /// blaming component `culprit` (with its log) on timeout.
    fn wait(
        &mut self,
        culprit: usize,
        what: &str,
        timeout: Duration,
        mut probe: impl FnMut() -> Result<bool>,
    ) -> Result<()> {
        let start = Instant::now();
        loop {
            self.check_alive()?;
            let last = match probe() {
                Ok(true) => return Ok(()),
                Ok(false) => "not yet".to_string(),
                Err(e) => format!("{e:#}"),
            };
            if start.elapsed() > timeout {
                return Err(self.0[culprit].failure(&format!(
                    "did not become ready within {}s ({what}; last probe: {last})",
                    timeout.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl ControlPlane {
    /// Starts a control plane and blocks until the apiserver is ready, the controller
    /// manager and scheduler are healthy and the fake Nodes are Ready and untainted.
    pub fn start() -> Result<ControlPlane> {
        Self::start_with(Options::default())
    }

    pub fn start_with(opts: Options) -> Result<ControlPlane> {
        let bin_dir = match &opts.bin_dir {
            Some(dir) => bins::check_bin_dir(dir, "Options::bin_dir")?,
            None => bins::locate()?,
        };
        let workdir = match &opts.dir {
            Some(dir) => {
                // Leftover etcd data or certificates would make a confusing half-old cluster,
                // and emptying a directory the caller may care about is worse.
                if std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
                    bail!("Options::dir {} is not empty", dir.display());
                }
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                Workdir::Given(dir.clone())
            }
            None => {
                sweep_stale_temp_dirs();
                let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
                Workdir::Temp(
                    tempfile::Builder::new()
                        .prefix(&prefix)
                        .tempdir()
                        .context("creating a temporary directory for the control plane")?,
                )
            }
        };
        // Free ports are only probably free: when a component loses a port to another
        // process between probing and binding, start over on new ports.
        let mut attempt = 1;
        loop {
            match bring_up(&bin_dir, workdir.path()) {
                Ok(mut up) => {
                    let procs = std::mem::take(&mut up.procs.0);
                    return Ok(ControlPlane {
                        kubeconfig: up.kubeconfig,
                        server: up.server,
                        bin_dir,
                        ca_pem: Some(up.pki.ca.cert_pem.clone()),
                        admin: Some(up.pki.admin.clone()),
                        ca: Some(up.pki.issuer),
                        local: Some(Local {
                            dir: Mutex::new(Some(workdir)),
                            procs: Mutex::new(procs),
                            apiserver: up.apiserver,
                        }),
                    });
                }
                Err(e) if attempt < 3 && format!("{e:#}").contains("address already in use") => {
                    attempt += 1;
                    clear_dir(workdir.path())?;
                }
                Err(e) => {
                    // The error names log files in the directory; keep them to be read. The
                    // next start in a later process sweeps the directory away.
                    if let Workdir::Temp(t) = workdir {
                        let _ = t.keep();
                    }
                    return Err(e.context("starting the testenv control plane"));
                }
            }
        }
    }

    /// Uses an existing cluster through its kubeconfig; nothing is started or stopped.
    /// [`ControlPlane::bin_dir`] is `TK_RIG_BIN` if set, else empty. When the kubeconfig is
    /// one testenv wrote (as `rig up` leaves it, next to `ca.crt` and `ca.key`),
    /// [`ControlPlane::client_credentials`] works too.
    pub fn external(kubeconfig: impl Into<PathBuf>) -> Result<ControlPlane> {
        let kubeconfig = kubeconfig.into();
        let ext = kubeconfig::read_external(&kubeconfig)?;
        let dir = kubeconfig.parent().unwrap_or(Path::new("."));
        let ca = match (
            std::fs::read_to_string(dir.join("ca.crt")),
            std::fs::read_to_string(dir.join("ca.key")),
        ) {
            (Ok(crt), Ok(key)) if Some(crt.trim()) == ext.ca_pem.as_deref().map(str::trim) => {
                Some(pki::Ca::from_key_pem(&key)?)
            }
            _ => None,
        };
        Ok(ControlPlane {
            ca,
            server: ext.server,
            bin_dir: std::env::var_os("TK_RIG_BIN")
                .map(PathBuf::from)
                .unwrap_or_default(),
            ca_pem: ext.ca_pem,
            admin: ext.client,
            local: None,
            kubeconfig,
        })
    }

    pub fn kubeconfig_path(&self) -> &Path {
        &self.kubeconfig
    }

    /// The apiserver URL, e.g. `https://127.0.0.1:41234`, without a trailing slash.
    pub fn server_url(&self) -> &str {
        &self.server
    }

    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// Whether this process started the control plane (false for `TK_TEST_KUBECONFIG`).
    pub fn is_local(&self) -> bool {
        self.local.is_some()
    }

    /// The CA that signed the apiserver's serving certificate, when the kubeconfig has it.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The admin client certificate, when the kubeconfig authenticates with one.
    pub fn admin_credentials(&self) -> Option<&Credentials> {
        self.admin.as_ref()
    }

    /// Mints a client certificate for `user` in `groups`, signed by the cluster CA. Only
    /// for control planes testenv started, since only then is the CA key known.
    pub fn client_credentials(&self, user: &str, groups: &[&str]) -> Result<Credentials> {
        match &self.ca {
            Some(ca) => ca.client(user, groups),
            None => bail!(
                "the CA key of the cluster in {} is unknown, so no client certificate can be minted",
                self.kubeconfig.display()
            ),
        }
    }

    /// An HTTP agent that talks to the apiserver as the admin.
    pub fn admin_agent(&self) -> Result<ureq::Agent> {
        let admin = self
            .admin
            .as_ref()
            .ok_or_else(|| anyhow!("{} has no client certificate", self.kubeconfig.display()))?;
        self.agent_as(admin)
    }

    /// An HTTP agent that talks to the apiserver as whoever `creds` names.
    pub fn agent_as(&self, creds: &Credentials) -> Result<ureq::Agent> {
        let ca = self
            .ca_pem
            .as_deref()
            .ok_or_else(|| anyhow!("{} has no certificate authority", self.kubeconfig.display()))?;
        http::agent(ca, Some(creds))
    }

    /// The directory holding data, certificates and component logs (`<name>.log`).
    pub fn dir(&self) -> Option<PathBuf> {
        let local = self.local.as_ref()?;
        let dir = local.dir.lock().unwrap_or_else(|e| e.into_inner());
        dir.as_ref().map(|d| d.path().to_path_buf())
    }

    /// Checks that every component is still running, naming the one that is not with its log.
    pub fn check_alive(&self) -> Result<()> {
        match &self.local {
            Some(local) => local
                .procs
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter_mut()
                .try_for_each(Component::check_alive),
            None => Ok(()),
        }
    }

    /// Process ids of the running components, by name; empty for an external cluster.
    pub fn component_pids(&self) -> Vec<(&'static str, u32)> {
        match &self.local {
            Some(local) => local
                .procs
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .map(|c| (c.name, c.child.id()))
                .collect(),
            None => Vec::new(),
        }
    }

    /// Stops kube-apiserver and waits until its process is gone; the other components keep
    /// running (and retrying). Until [`ControlPlane::start_apiserver`], clients get connection
    /// refused and [`ControlPlane::check_alive`] reports the apiserver as exited. Only for a
    /// control plane this process started, never [`shared`]: other tests use that one.
    pub fn stop_apiserver(&self, how: StopSignal) -> Result<()> {
        let local = self.local_for("stop the apiserver")?;
        let mut procs = local.procs.lock().unwrap_or_else(|e| e.into_inner());
        let apiserver = apiserver_of(&mut procs)?;
        if apiserver.child.try_wait()?.is_some() {
            bail!("{APISERVER} is not running");
        }
        let pid = apiserver.child.id() as libc::pid_t;
        let (signal, grace) = match how {
            StopSignal::Term { grace } => (libc::SIGTERM, grace),
            // Reaping a killed process is immediate; the bound is only a safety net.
            StopSignal::Kill => (libc::SIGKILL, Duration::from_secs(10)),
        };
        // SAFETY: kill(2) has no memory-safety preconditions; the pid is our unreaped child.
        if unsafe { libc::kill(pid, signal) } != 0 {
            bail!(
                "signalling {APISERVER} (pid {pid}): {}",
                std::io::Error::last_os_error()
            );
        }
        let deadline = Instant::now() + grace;
        while apiserver.child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                apiserver.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }

    /// Starts kube-apiserver again after [`ControlPlane::stop_apiserver`], as it was first
    /// started: same port (so the same URL and kubeconfig), certificates and etcd, so every
    /// object is still there. Blocks until `/readyz` is ok; its log continues in
    /// `kube-apiserver.log`.
    pub fn start_apiserver(&self) -> Result<()> {
        let local = self.local_for("start the apiserver")?;
        let dir = self
            .dir()
            .ok_or_else(|| anyhow!("the control plane was shut down"))?;
        {
            let mut procs = local.procs.lock().unwrap_or_else(|e| e.into_inner());
            let apiserver = apiserver_of(&mut procs)?;
            if apiserver.child.try_wait()?.is_none() {
                bail!("{APISERVER} is still running; stop it first");
            }
            let next = apiserver.restart(&local.apiserver.bin, &local.apiserver.args, &dir)?;
            *apiserver = next;
        }
        let admin = self.admin_agent()?;
        let readyz = format!("{}/readyz", self.server);
        let start = Instant::now();
        let timeout = Duration::from_secs(120);
        loop {
            {
                let mut procs = local.procs.lock().unwrap_or_else(|e| e.into_inner());
                apiserver_of(&mut procs)?.check_alive()?;
            }
            let last = match http::get(&admin, &readyz) {
                Ok((200, _)) => return Ok(()),
                Ok((status, body)) => format!("{status}: {}", body.trim()),
                Err(e) => format!("{e:#}"),
            };
            if start.elapsed() > timeout {
                let mut procs = local.procs.lock().unwrap_or_else(|e| e.into_inner());
                return Err(apiserver_of(&mut procs)?.failure(&format!(
                    "did not become ready again within {}s (last GET /readyz: {last})",
                    timeout.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// [`ControlPlane::stop_apiserver`], `down_for`, then [`ControlPlane::start_apiserver`]:
    /// what clients see when the apiserver crashes (`StopSignal::Kill`) or is restarted by
    /// its kubelet (`StopSignal::Term`).
    pub fn restart_apiserver(&self, how: StopSignal, down_for: Duration) -> Result<()> {
        self.stop_apiserver(how)?;
        std::thread::sleep(down_for);
        self.start_apiserver()
    }

    fn local_for(&self, what: &str) -> Result<&Local> {
        self.local.as_ref().ok_or_else(|| {
            anyhow!(
                "cannot {what} of the cluster in {}: testenv did not start it",
                self.kubeconfig.display()
            )
        })
    }

    /// Kills the components and removes the directory; idempotent. Drop does this too.
    pub fn shutdown(&self) {
        let Some(local) = &self.local else { return };
        let mut procs = local.procs.lock().unwrap_or_else(|e| e.into_inner());
        for c in procs.iter_mut().rev() {
            c.kill();
        }
        procs.clear();
        let dir = local.dir.lock().unwrap_or_else(|e| e.into_inner()).take();
        match dir {
            Some(Workdir::Temp(t)) => drop(t),
            Some(Workdir::Given(p)) => {
                let _ = std::fs::remove_dir_all(p);
            }
            None => {}
        }
    }
}

impl Drop for ControlPlane {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn apiserver_of(procs: &mut [Component]) -> Result<&mut Component> {
    procs
        .iter_mut()
        .find(|c| c.name == APISERVER)
        .ok_or_else(|| anyhow!("the control plane has no {APISERVER} (shut down?)"))
}

struct Up {
    kubeconfig: PathBuf,
    server: String,
    pki: pki::Pki,
    procs: Procs,
    apiserver: ApiserverCommand,
}

fn write(dir: &Path, name: &str, contents: &str) -> Result<PathBuf> {
    let path = dir.join(name);
    std::fs::write(&path, contents).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

fn arg(name: &str, value: impl AsRef<std::ffi::OsStr>) -> String {
    format!("--{name}={}", value.as_ref().to_string_lossy())
}

/// Files of the control plane's directory that kube-apiserver reads, at every (re)start.
mod files {
    pub const CA_CRT: &str = "ca.crt";
    pub const SERVING_CRT: &str = "apiserver.crt";
    pub const SERVING_KEY: &str = "apiserver.key";
    pub const PROXY_CRT: &str = "front-proxy-client.crt";
    pub const PROXY_KEY: &str = "front-proxy-client.key";
    pub const SA_KEY: &str = "sa.key";
    pub const SA_PUB: &str = "sa.pub";
}

/// How kube-apiserver is started, kept so [`ControlPlane::start_apiserver`] can start it again
/// exactly as [`bring_up`] did: same port, certificates and etcd.
#[derive(Clone, Debug)]
struct ApiserverCommand {
    bin: PathBuf,
    args: Vec<String>,
}

impl ApiserverCommand {
    fn start(&self, dir: &Path) -> Result<Component> {
        Component::start(APISERVER, &self.bin, &self.args, dir)
    }
}

/// kube-apiserver's command line for a control plane in `dir` backed by `etcd_url`.
fn apiserver_args(dir: &Path, etcd_url: &str, port: u16) -> Vec<String> {
    let server = format!("https://127.0.0.1:{port}");
    let ca_crt = dir.join(files::CA_CRT);
    vec![
        arg("etcd-servers", etcd_url),
        arg("secure-port", port.to_string()),
        arg("bind-address", "127.0.0.1"),
        arg("advertise-address", "127.0.0.1"),
        arg("cert-dir", dir.join("apiserver-certs")),
        arg("tls-cert-file", dir.join(files::SERVING_CRT)),
        arg("tls-private-key-file", dir.join(files::SERVING_KEY)),
        arg("client-ca-file", &ca_crt),
        arg("authorization-mode", "Node,RBAC"),
        arg("service-account-issuer", &server),
        arg("service-account-key-file", dir.join(files::SA_PUB)),
        arg("service-account-signing-key-file", dir.join(files::SA_KEY)),
        arg("service-cluster-ip-range", SERVICE_CIDR),
        arg("allow-privileged", "true"),
        // The aggregation layer, as kubeadm configures it; without it controllers log
        // "missing content for CA bundle" for extension-apiserver-authentication.
        arg("requestheader-client-ca-file", &ca_crt),
        arg("requestheader-allowed-names", pki::FRONT_PROXY_CLIENT),
        arg("requestheader-username-headers", "X-Remote-User"),
        arg("requestheader-group-headers", "X-Remote-Group"),
        arg("requestheader-extra-headers-prefix", "X-Remote-Extra-"),
        arg("proxy-client-cert-file", dir.join(files::PROXY_CRT)),
        arg("proxy-client-key-file", dir.join(files::PROXY_KEY)),
    ]
}

fn bring_up(bin: &Path, dir: &Path) -> Result<Up> {
    let pki = pki::Pki::generate()?;
    let ca_crt = write(dir, files::CA_CRT, &pki.ca.cert_pem)?;
    let ca_key = write(dir, "ca.key", &pki.ca.key_pem)?;
    write(dir, files::SERVING_CRT, &pki.serving.cert_pem)?;
    write(dir, files::SERVING_KEY, &pki.serving.key_pem)?;
    write(dir, files::PROXY_CRT, &pki.front_proxy.cert_pem)?;
    write(dir, files::PROXY_KEY, &pki.front_proxy.key_pem)?;
    let sa_key = write(dir, files::SA_KEY, &pki.sa_private_pem)?;
    write(dir, files::SA_PUB, &pki.sa_public_pem)?;
    let ports = procs::free_ports(5)?;
    let (etcd_port, peer_port, api_port, kcm_port, sched_port) =
        (ports[0], ports[1], ports[2], ports[3], ports[4]);
    let mut procs = Procs(Vec::new());

    let etcd_url = format!("http://127.0.0.1:{etcd_port}");
    let peer_url = format!("http://127.0.0.1:{peer_port}");
    procs.0.push(Component::start(
        "etcd",
        &bin.join("etcd"),
        &[
            arg("name", "testenv"),
            arg("data-dir", dir.join("etcd")),
            arg("listen-client-urls", &etcd_url),
            arg("advertise-client-urls", &etcd_url),
            arg("listen-peer-urls", &peer_url),
            arg("initial-advertise-peer-urls", &peer_url),
            arg("initial-cluster", format!("testenv={peer_url}")),
            // Test data is thrown away, so durability is not worth the fsync latency.
            "--unsafe-no-fsync".into(),
        ],
        dir,
    )?);
    let plain = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .new_agent();
    let health = format!("{etcd_url}/health");
    procs.wait(0, "GET /health", Duration::from_secs(30), || {
        let (status, body) = http::get(&plain, &health)?;
        Ok(status == 200 && body.contains("true"))
    })?;

    let server = format!("https://127.0.0.1:{api_port}");
    let apiserver = ApiserverCommand {
        bin: bin.join("kube-apiserver"),
        args: apiserver_args(dir, &etcd_url, api_port),
    };
    procs.0.push(apiserver.start(dir)?);
    let admin = http::agent(&pki.ca.cert_pem, Some(&pki.admin))?;
    let readyz = format!("{server}/readyz");
    procs.wait(1, "GET /readyz", Duration::from_secs(120), || {
        let (status, body) = http::get(&admin, &readyz)?;
        if status == 200 {
            Ok(true)
        } else {
            Err(anyhow!("{status}: {}", body.trim()))
        }
    })?;
    let kubeconfig = write(
        dir,
        "kubeconfig",
        &kubeconfig::admin(&server, &pki.ca.cert_pem, &pki.admin),
    )?;

    let kcm = procs.0.len();
    procs.0.push(Component::start(
        "kube-controller-manager",
        &bin.join("kube-controller-manager"),
        &[
            arg("kubeconfig", &kubeconfig),
            arg("authentication-kubeconfig", &kubeconfig),
            arg("authorization-kubeconfig", &kubeconfig),
            arg("bind-address", "127.0.0.1"),
            arg("secure-port", kcm_port.to_string()),
            arg("cert-dir", dir.join("kcm-certs")),
            arg("service-account-private-key-file", &sa_key),
            arg("root-ca-file", &ca_crt),
            arg("cluster-signing-cert-file", &ca_crt),
            arg("cluster-signing-key-file", &ca_key),
            arg("service-cluster-ip-range", SERVICE_CIDR),
            arg("controllers", "*"),
            arg("use-service-account-credentials", "false"),
            arg("leader-elect", "false"),
            // Its default client limit (20 requests a second) made the Deployment controller,
            // not the code under test, the bottleneck of every scale run: a thousand
            // Deployments waited minutes for their first status. Managed control planes raise
            // it as well.
            arg("kube-api-qps", "200"),
            arg("kube-api-burst", "400"),
        ],
        dir,
    )?);
    let sched = procs.0.len();
    procs.0.push(Component::start(
        "kube-scheduler",
        &bin.join("kube-scheduler"),
        &[
            arg("kubeconfig", &kubeconfig),
            arg("authentication-kubeconfig", &kubeconfig),
            arg("authorization-kubeconfig", &kubeconfig),
            arg("bind-address", "127.0.0.1"),
            arg("secure-port", sched_port.to_string()),
            arg("cert-dir", dir.join("scheduler-certs")),
            arg("leader-elect", "false"),
        ],
        dir,
    )?);
    let kwok_config = write(
        dir,
        "kwok.yaml",
        "apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokConfiguration\noptions: {}\n",
    )?;
    let kwok = procs.0.len();
    procs.0.push(Component::start(
        "kwok",
        &bin.join("kwok"),
        &[
            arg("kubeconfig", &kubeconfig),
            // An explicit config keeps a developer's ~/.kwok/kwok.yaml out of the rig.
            arg("config", &kwok_config),
            arg("manage-all-nodes", "false"),
            arg(
                "manage-nodes-with-annotation-selector",
                "kwok.x-k8s.io/node=fake",
            ),
            arg("manage-nodes-with-label-selector", ""),
            arg("cidr", "10.244.0.1/16"),
            arg("node-lease-duration-seconds", "40"),
        ],
        dir,
    )?);

    for name in FAKE_NODES {
        let url = format!("{server}/api/v1/nodes");
        let node = fake_node(name);
        procs.wait(
            1,
            &format!("POST node {name}"),
            Duration::from_secs(30),
            || {
                let (status, body) = http::post_json(&admin, &url, &node)?;
                match status {
                    201 | 409 => Ok(true),
                    _ => Err(anyhow!("{status}: {}", body.trim())),
                }
            },
        )?;
    }

    let insecure = http::insecure_agent();
    for (idx, port) in [(kcm, kcm_port), (sched, sched_port)] {
        let url = format!("https://127.0.0.1:{port}/healthz");
        procs.wait(idx, "GET /healthz", Duration::from_secs(60), || {
            let (status, body) = http::get(&insecure, &url)?;
            if status == 200 {
                Ok(true)
            } else {
                Err(anyhow!("{status}: {}", body.trim()))
            }
        })?;
    }
    for name in FAKE_NODES {
        let url = format!("{server}/api/v1/nodes/{name}");
        procs.wait(
            kwok,
            &format!("node {name} Ready and untainted"),
            Duration::from_secs(60),
            || {
                let (status, body) = http::get(&admin, &url)?;
                if status != 200 {
                    return Err(anyhow!("GET node: {status}: {}", body.trim()));
                }
                let node: Value = serde_json::from_str(&body).context("parsing the node")?;
                node_ready(&node)
            },
        )?;
    }
    procs.check_alive()?;
    Ok(Up {
        kubeconfig,
        server,
        pki,
        procs,
        apiserver,
    })
}

fn fake_node(name: &str) -> Value {
    let resources = json!({
        "cpu": "64",
        "memory": "256Gi",
        "pods": "1000",
        "ephemeral-storage": "1Ti",
    });
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "annotations": {
                "kwok.x-k8s.io/node": "fake",
                "node.alpha.kubernetes.io/ttl": "0",
            },
            "labels": {
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "node-role.kubernetes.io/agent": "",
                "type": "kwok",
            },
        },
        "spec": {},
        "status": {
            "allocatable": resources,
            "capacity": resources,
            "nodeInfo": {
                "architecture": "amd64",
                "operatingSystem": "linux",
                "kubeletVersion": "fake",
                "kubeProxyVersion": "fake",
            },
        },
    })
}

/// Ok(true) once kwok reports Ready and the node lifecycle controller has lifted the
/// not-ready taint, i.e. once Pods would be scheduled onto the node.
fn node_ready(node: &Value) -> Result<bool> {
    let ready = node["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True");
    if !ready {
        return Err(anyhow!("condition Ready is not True yet"));
    }
    match node["spec"]["taints"].as_array() {
        Some(taints) if !taints.is_empty() => {
            Err(anyhow!("still tainted: {}", Value::from(taints.clone())))
        }
        _ => Ok(true),
    }
}

fn clear_dir(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let res = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        res.with_context(|| format!("removing {}", path.display()))?;
    }
    Ok(())
}

/// Temporary directories of test processes that were killed (so never ran their cleanup)
/// hold etcd data; remove those whose owning process is gone.
fn sweep_stale_temp_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(TEMP_PREFIX)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

static SHARED: OnceLock<Result<ControlPlane, String>> = OnceLock::new();

extern "C" fn shutdown_shared() {
    if let Some(Ok(cp)) = SHARED.get() {
        cp.shutdown();
    }
}

/// One control plane per test process, started on first use (or the cluster named by
/// `TK_TEST_KUBECONFIG`). Panics with the full reason if it cannot start; every later call
/// panics with the same reason rather than trying again.
pub fn shared() -> &'static ControlPlane {
    let result = SHARED.get_or_init(|| {
        let cp = match std::env::var_os("TK_TEST_KUBECONFIG") {
            Some(path) => ControlPlane::external(PathBuf::from(path))
                .context("using the cluster named by TK_TEST_KUBECONFIG"),
            None => ControlPlane::start(),
        };
        if cp.is_ok() {
            // Statics are never dropped; without this the directory would outlive the process.
            // SAFETY: registering a plain extern "C" function with no preconditions.
            unsafe {
                libc::atexit(shutdown_shared);
            }
        }
        cp.map_err(|e| format!("{e:#}"))
    });
    match result {
        Ok(cp) => cp,
        Err(reason) => panic!("testenv: the shared control plane is unavailable: {reason}"),
    }
}

/// A fresh name for a test's namespace (or any object), unique across processes and runs
/// against a long-lived cluster; it is not created. `prefix` is lowercased and made a valid
/// DNS label.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let suffix = format!(
        "{}{}{}",
        base36(u64::from(std::process::id())),
        base36(n),
        // Tells this run from an earlier process that had the same pid.
        base36(millis % 36u64.pow(5))
    );
    let mut clean: String = prefix
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() { c } else { '-' }
        })
        .collect();
    clean.truncate(62 - suffix.len());
    let clean = clean.trim_matches('-');
    if clean.is_empty() {
        format!("t-{suffix}")
    } else {
        format!("{clean}-{suffix}")
    }
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ascii")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apiserver_pid(cp: &ControlPlane) -> u32 {
        cp.component_pids()
            .into_iter()
            .find(|(name, _)| *name == APISERVER)
            .map(|(_, pid)| pid)
            .expect("the control plane lists its apiserver")
    }

    #[test]
    fn restarted_apiserver_keeps_its_url_and_objects() {
        let cp = ControlPlane::start().unwrap_or_else(|e| panic!("{e:#}"));
        let admin = cp.admin_agent().unwrap();
        let url = cp.server_url().to_string();
        let kubeconfig = std::fs::read_to_string(cp.kubeconfig_path()).unwrap();
        let configmaps = format!("{url}/api/v1/namespaces/default/configmaps");
        let cm = json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": { "name": "survivor" },
            "data": { "kept": "yes" },
        });
        let (status, body) = http::post_json(&admin, &configmaps, &cm).unwrap();
        assert_eq!(status, 201, "{body}");

        // A crash: the apiserver is gone at once, and back on the same port.
        let before = apiserver_pid(&cp);
        cp.restart_apiserver(StopSignal::Kill, Duration::from_millis(500))
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert_ne!(apiserver_pid(&cp), before, "a new apiserver process");
        assert_eq!(cp.server_url(), url);
        assert_eq!(
            std::fs::read_to_string(cp.kubeconfig_path()).unwrap(),
            kubeconfig
        );
        cp.check_alive().unwrap_or_else(|e| panic!("{e:#}"));
        let (status, body) = http::get(&admin, &format!("{configmaps}/survivor")).unwrap();
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap()["data"]["kept"],
            "yes"
        );

        // A graceful stop: refused while down, reported by check_alive, restartable.
        let stopping = Instant::now();
        cp.stop_apiserver(StopSignal::Term {
            grace: Duration::from_secs(5),
        })
        .unwrap_or_else(|e| panic!("{e:#}"));
        assert!(
            stopping.elapsed() < Duration::from_secs(8),
            "the grace period bounds the stop: {:?}",
            stopping.elapsed()
        );
        let down = http::get(&admin, &format!("{url}/readyz"));
        assert!(down.is_err(), "the apiserver still answers: {down:?}");
        let err = format!("{:#}", cp.check_alive().unwrap_err());
        assert!(err.contains("kube-apiserver exited"), "{err}");
        assert!(cp.stop_apiserver(StopSignal::Kill).is_err());
        cp.start_apiserver().unwrap_or_else(|e| panic!("{e:#}"));
        assert!(cp.start_apiserver().is_err(), "started a second apiserver");
        let (status, body) = http::get(&admin, &format!("{configmaps}/survivor")).unwrap();
        assert_eq!(status, 200, "{body}");
        cp.check_alive().unwrap_or_else(|e| panic!("{e:#}"));
        let log =
            std::fs::read_to_string(cp.dir().unwrap().join(format!("{APISERVER}.log"))).unwrap();
        assert_eq!(log.matches("--- testenv: restarted ---").count(), 2);
    }

    #[test]
    fn an_external_cluster_cannot_be_restarted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kubeconfig");
        let creds = pki::Pki::generate().unwrap();
        std::fs::write(
            &path,
            kubeconfig::admin("https://127.0.0.1:1", &creds.ca.cert_pem, &creds.admin),
        )
        .unwrap();
        let cp = ControlPlane::external(&path).unwrap();
        let err = format!("{:#}", cp.stop_apiserver(StopSignal::Kill).unwrap_err());
        assert!(err.contains("testenv did not start it"), "{err}");
        assert!(cp.start_apiserver().is_err());
    }

    #[test]
    fn unique_names_are_dns_labels_and_distinct() {
        let a = unique_name("My_Test.Case");
        let b = unique_name("My_Test.Case");
        assert_ne!(a, b);
        for name in [a, b, unique_name(""), unique_name(&"x".repeat(100))] {
            assert!(name.len() <= 63, "{name}");
            assert!(
                name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()),
                "{name}"
            );
            assert!(!name.ends_with('-'), "{name}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{name}"
            );
        }
    }
}
