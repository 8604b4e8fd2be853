//! `tk controller all` as a real process against the test rig: probes, metrics, leader
//! election between two replicas, and a graceful SIGTERM that hands the Lease over.

use std::fs::File;
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, Patch, PatchParams};

use crate::support::create_namespace;

const LEASE: &str = "tk-controller-leader-election";

/// A `tk controller all` process, killed if the test fails before stopping it.
struct Controller {
    child: Option<Child>,
    log: PathBuf,
    health: u16,
    metrics: u16,
}

impl Controller {
    fn start(kubeconfig: &Path, namespace: &str, dir: &Path, label: &str) -> Controller {
        let [health, metrics] = free_ports();
        let log = dir.join(format!("{label}.log"));
        let child = Command::new(env!("CARGO_BIN_EXE_tk"))
            .args(["controller", "all", "--kubeconfig"])
            .arg(kubeconfig)
            .args(["-n", namespace, "--enable-leader-election"])
            // Reconcile only this test's namespace, and serve artifacts on a port of its own:
            // the rig and the machine are shared with other tests.
            .arg("--watch-all-namespaces=false")
            .arg("--storage-addr=127.0.0.1:0")
            .args(["--events-listen-addr=0", "--receiver-addr=0"])
            .arg(format!(
                "--storage-path={}",
                dir.join(format!("{label}-storage")).display()
            ))
            // Short timings keep the hand-over quick; the lease still outlives several renewals.
            .args([
                "--leader-election-lease-duration=15s",
                "--leader-election-renew-deadline=10s",
                "--leader-election-retry-period=1s",
            ])
            .arg(format!("--metrics-addr=127.0.0.1:{metrics}"))
            .arg(format!("--health-addr=127.0.0.1:{health}"))
            .env_remove("RUNTIME_NAMESPACE")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&log).unwrap())
            .spawn()
            .expect("starting tk controller");
        Controller {
            child: Some(child),
            log,
            health,
            metrics,
        }
    }

    fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The identity this process logged when it acquired the Lease, once it has.
    fn acquired_identity(&self) -> Option<String> {
        self.logs().lines().find_map(|line| {
            let entry: serde_json::Value = serde_json::from_str(line).ok()?;
            (entry["msg"] == "successfully acquired lease")
                .then(|| entry["identity"].as_str().map(str::to_string))
                .flatten()
        })
    }

    fn get(&self, port: u16, path: &str) -> Option<(u16, String)> {
        http_get(port, path)
    }

    fn sigterm(&self) {
        let pid = self.child.as_ref().unwrap().id();
        let status = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -TERM {pid}");
    }

    async fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        let child = self.child.as_mut().unwrap();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                self.child = None;
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "tk controller did not exit within {within:?}; logs:\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn assert_running(&mut self) {
        if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
            panic!(
                "tk controller exited early with {status}; logs:\n{}",
                self.logs()
            );
        }
    }
}

impl Drop for Controller {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_ports() -> [u16; 2] {
    let a = TcpListener::bind("127.0.0.1:0").unwrap();
    let b = TcpListener::bind("127.0.0.1:0").unwrap();
    [
        a.local_addr().unwrap().port(),
        b.local_addr().unwrap().port(),
    ]
}

/// A bare HTTP/1.0 GET: enough for probes and metrics, and no client dependency.
fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())?;
    Some((status, body))
}

async fn eventually<T>(
    what: &str,
    within: Duration,
    mut probe: impl AsyncFnMut() -> Option<T>,
) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {within:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn client(kubeconfig: &Path) -> kube::Client {
    tk::cli::install_crypto_provider();
    let kubeconfig = kube::config::Kubeconfig::read_from(kubeconfig).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .unwrap();
    kube::Client::try_from(config).unwrap()
}

fn holder(lease: &Lease) -> Option<String> {
    lease
        .spec
        .as_ref()
        .and_then(|s| s.holder_identity.clone())
        .filter(|h| !h.is_empty())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn controller_serves_probes_and_metrics_and_hands_over_the_lease_on_sigterm() {
    let rig = testenv::shared();
    let kubeconfig = rig.kubeconfig_path().to_path_buf();
    let client = client(&kubeconfig).await;
    let namespace = create_namespace(&client, "controller-runtime").await;
    let leases: Api<Lease> = Api::namespaced(client.clone(), &namespace);
    let dir = tempfile::tempdir().unwrap();

    let mut first = Controller::start(&kubeconfig, &namespace, dir.path(), "first");
    let first_health = first.health;
    eventually(
        "/healthz of the first controller",
        Duration::from_secs(30),
        async || {
            first
                .get(first_health, "/healthz")
                .filter(|(s, _)| *s == 200)
        },
    )
    .await;
    eventually(
        "/readyz of the first controller",
        Duration::from_secs(30),
        async || {
            first
                .get(first_health, "/readyz")
                .filter(|(s, _)| *s == 200)
        },
    )
    .await;

    let identity = eventually(
        "the first controller to lead",
        Duration::from_secs(30),
        async || first.acquired_identity(),
    )
    .await;
    let lease = leases.get(LEASE).await.expect("the leader election Lease");
    assert_eq!(holder(&lease).as_deref(), Some(identity.as_str()));
    let spec = lease.spec.unwrap();
    assert_eq!(spec.lease_duration_seconds, Some(15));
    assert!(spec.renew_time.is_some() && spec.acquire_time.is_some());

    let (status, metrics) = first
        .get(first.metrics, "/metrics")
        .expect("/metrics answers");
    assert_eq!(status, 200);
    for name in [
        "# TYPE controller_runtime_reconcile counter",
        "# TYPE controller_runtime_reconcile_errors counter",
        "# TYPE controller_runtime_reconcile_time_seconds histogram",
        "# TYPE gotk_reconcile_duration_seconds histogram",
        "# TYPE gotk_reconcile_condition gauge",
        r#"leader_election_master_status{name="tk-controller-leader-election"} 1"#,
        // client-go's request count: the Lease was read at least.
        r#"rest_client_requests_total{code="200",method="GET"}"#,
    ] {
        assert!(metrics.contains(name), "/metrics lacks {name}:\n{metrics}");
    }

    let mut second = Controller::start(&kubeconfig, &namespace, dir.path(), "second");
    let second_health = second.health;
    eventually(
        "/readyz of the second controller",
        Duration::from_secs(30),
        async || {
            second
                .get(second_health, "/readyz")
                .filter(|(s, _)| *s == 200)
        },
    )
    .await;
    // Several retry periods: the second candidate must keep waiting.
    tokio::time::sleep(Duration::from_secs(4)).await;
    first.assert_running();
    second.assert_running();
    assert_eq!(
        second.acquired_identity(),
        None,
        "second led while the first held the Lease"
    );
    assert_eq!(
        holder(&leases.get(LEASE).await.unwrap()).as_deref(),
        Some(identity.as_str())
    );
    let (_, second_metrics) = second.get(second.metrics, "/metrics").unwrap();
    assert!(
        second_metrics
            .contains(r#"leader_election_master_status{name="tk-controller-leader-election"} 0"#),
        "{second_metrics}"
    );

    first.sigterm();
    let status = first.wait_exit(Duration::from_secs(10)).await;
    assert!(
        status.success(),
        "first exited with {status}; logs:\n{}",
        first.logs()
    );
    assert!(
        first.logs().contains("released leader lease"),
        "{}",
        first.logs()
    );

    // The release lets the second take over at its next retry, not after the lease expires.
    let successor = eventually(
        "the second controller to lead",
        Duration::from_secs(10),
        async || second.acquired_identity(),
    )
    .await;
    assert_ne!(successor, identity);
    let lease = leases.get(LEASE).await.unwrap();
    assert_eq!(holder(&lease).as_deref(), Some(successor.as_str()));
    assert_eq!(lease.spec.unwrap().lease_transitions, Some(1));

    second.sigterm();
    let status = second.wait_exit(Duration::from_secs(10)).await;
    assert!(
        status.success(),
        "second exited with {status}; logs:\n{}",
        second.logs()
    );
    let lease = leases.get(LEASE).await.unwrap();
    assert_eq!(
        holder(&lease),
        None,
        "the Lease still names a holder after a graceful exit"
    );

    delete_namespace(&client, &namespace).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn controller_exits_non_zero_when_its_lease_is_taken_over() {
    let rig = testenv::shared();
    let kubeconfig = rig.kubeconfig_path().to_path_buf();
    let client = client(&kubeconfig).await;
    let namespace = create_namespace(&client, "controller-runtime").await;
    let leases: Api<Lease> = Api::namespaced(client.clone(), &namespace);
    let dir = tempfile::tempdir().unwrap();

    let mut controller = Controller::start(&kubeconfig, &namespace, dir.path(), "leader");
    eventually(
        "the controller to lead",
        Duration::from_secs(30),
        async || controller.acquired_identity(),
    )
    .await;
    // What another elector does once it judges our Lease expired.
    let takeover = serde_json::json!({"spec": {"holderIdentity": "intruder"}});
    leases
        .patch(LEASE, &PatchParams::default(), &Patch::Merge(&takeover))
        .await
        .unwrap();

    let status = controller.wait_exit(Duration::from_secs(10)).await;
    assert_eq!(status.code(), Some(1), "logs:\n{}", controller.logs());
    assert!(
        controller.logs().contains("leader election lost"),
        "{}",
        controller.logs()
    );
    // A deposed leader must not clear the new holder on its way out.
    let lease = leases.get(LEASE).await.unwrap();
    assert_eq!(holder(&lease).as_deref(), Some("intruder"));

    delete_namespace(&client, &namespace).await;
}

async fn delete_namespace(client: &kube::Client, name: &str) {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    namespaces
        .delete(name, &DeleteParams::default())
        .await
        .unwrap();
}
