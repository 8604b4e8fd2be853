//! Helpers shared by the e2e flows: the rig, the real `tk` binary, and kube clients.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kube::config::{KubeConfigOptions, Kubeconfig};

/// Tests that create or delete cluster-scoped objects tk owns (CRDs above all) hold this
/// lock exclusively; tests that only use the CRDs share it through [`with_crds`], so an
/// uninstall in one test never removes CRDs another test is using.
static CLUSTER_SCOPED: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

pub async fn cluster_scoped_lock() -> tokio::sync::RwLockWriteGuard<'static, ()> {
    CLUSTER_SCOPED.write().await
}

/// Applies tk's CRDs (idempotently) and holds them in place until the guard drops.
pub async fn with_crds(client: &kube::Client) -> tokio::sync::RwLockReadGuard<'static, ()> {
    let guard = CLUSTER_SCOPED.read().await;
    apply_crds(client).await;
    guard
}

/// Applies tk's CRDs with server-side apply and waits until each is Established. Idempotent;
/// callers hold [`cluster_scoped_lock`] or the guard of [`with_crds`].
pub async fn apply_crds(client: &kube::Client) {
    apply_crd_list(client, tk::api::crds()).await;
}

/// [`with_crds`] with the Flagger CRDs of the canary controller too.
pub async fn with_flagger_crds(client: &kube::Client) -> tokio::sync::RwLockReadGuard<'static, ()> {
    let guard = with_crds(client).await;
    apply_crd_list(client, tk::api::flagger_crds()).await;
    guard
}

async fn apply_crd_list(
    client: &kube::Client,
    crds: Vec<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition>,
) {
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    use kube::api::{Api, Patch, PatchParams};

    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let params = PatchParams::apply("tk-e2e").force();
    for crd in crds {
        let name = crd.metadata.name.clone().unwrap_or_default();
        api.patch(&name, &params, &Patch::Apply(&crd))
            .await
            .unwrap_or_else(|e| panic!("applying CRD {name}: {e}"));
        let established = || async {
            api.get(&name)
                .await
                .ok()
                .and_then(|c| c.status)
                .and_then(|s| s.conditions)
                .is_some_and(|c| {
                    c.iter()
                        .any(|c| c.type_ == "Established" && c.status == "True")
                })
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !established().await {
            assert!(
                std::time::Instant::now() < deadline,
                "CRD {name} not Established in 60s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
}

pub fn rig() -> &'static testenv::ControlPlane {
    testenv::shared()
}

/// `tk controller NAME` for the rig, watching only `namespace`, storing artifacts under
/// `storage`, on free ports, without the notification controller's endpoints (tests that
/// want them pass `--events-listen-addr` / `--receiver-addr` again: the last one wins);
/// callers add their own flags and spawn it.
pub fn controller_command(name: &str, namespace: &str, storage: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tk"));
    command
        .args([
            "controller",
            name,
            "--watch-all-namespaces=false",
            "-n",
            namespace,
            "--metrics-addr",
            "0",
            "--health-addr",
            "0",
            "--storage-addr",
            "127.0.0.1:0",
            "--events-listen-addr",
            "0",
            "--receiver-addr",
            "0",
        ])
        .arg("--storage-path")
        .arg(storage)
        .arg("--kubeconfig")
        .arg(rig().kubeconfig_path())
        .env_remove("KUBECONFIG")
        .stdout(std::process::Stdio::null());
    command
}

/// Runs the real `tk` binary against the rig.
pub fn tk(kubeconfig: &Path, args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_tk"))
        .args(args)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .env_remove("KUBECONFIG")
        .env_remove("SSH_AUTH_SOCK")
        .output()
        .expect("tk runs");
    eprintln!(
        "$ tk {}\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// `tk ...` that must succeed; returns stdout and stderr together.
pub fn tk_ok(kubeconfig: &Path, args: &[&str]) -> String {
    let out = tk(kubeconfig, args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "tk {} failed:\n{text}",
        args.join(" ")
    );
    text
}

pub async fn client(kubeconfig: &Path) -> kube::Client {
    tk::cli::install_crypto_provider();
    let config = Kubeconfig::read_from(kubeconfig).expect("kubeconfig parses");
    let config = kube::Config::from_custom_kubeconfig(config, &KubeConfigOptions::default())
        .await
        .expect("kubeconfig loads");
    kube::Client::try_from(config).expect("client builds")
}

/// A kubeconfig for the rig that authenticates as `user` (no groups): RBAC grants it nothing.
pub fn kubeconfig_as(dir: &Path, user: &str) -> PathBuf {
    let rig = rig();
    let creds = rig
        .client_credentials(user, &[])
        .expect("mint a client certificate");
    let ca = rig.ca_pem().expect("the rig has a CA");
    std::fs::write(dir.join("ca.crt"), ca).unwrap();
    std::fs::write(dir.join("user.crt"), &creds.cert_pem).unwrap();
    std::fs::write(dir.join("user.key"), &creds.key_pem).unwrap();
    let path = dir.join("kubeconfig");
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: rig\n  cluster:\n    server: {server}\n    \
         certificate-authority: {ca}\ncontexts:\n- name: rig\n  context:\n    cluster: rig\n    user: {user}\n\
         current-context: rig\nusers:\n- name: {user}\n  user:\n    client-certificate: {cert}\n    \
         client-key: {key}\n",
        server = rig.server_url(),
        ca = dir.join("ca.crt").display(),
        cert = dir.join("user.crt").display(),
        key = dir.join("user.key").display(),
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// A stand-in for the notification controller's event endpoint: keeps every JSON body POSTed
/// to it and answers 202, as Flux's does.
pub struct EventSink {
    url: String,
    received: std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
}

impl EventSink {
    pub fn start() -> EventSink {
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream);
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_ok()
                    && let Ok(value) = serde_json::from_slice(&body)
                {
                    sink.lock().unwrap().push(value);
                }
                let _ = reader.get_mut().write_all(
                    b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            }
        });
        EventSink { url, received }
    }

    /// Where controllers POST (`--events-addr`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every event received so far.
    pub fn events(&self) -> Vec<serde_json::Value> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until an event matching `check` was received, and returns it.
    pub async fn wait_for(
        &self,
        what: &str,
        check: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        loop {
            let found = self
                .received
                .lock()
                .unwrap()
                .iter()
                .find(|e| check(e))
                .cloned();
            if let Some(event) = found {
                return event;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no event {what} was POSTed: {:#?}",
                self.received.lock().unwrap()
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
}

/// A namespace of its own for a test (`<prefix>-<unique>`), created directly; returns its
/// name.
pub async fn create_namespace(client: &kube::Client, prefix: &str) -> String {
    let name = testenv::unique_name(prefix);
    let namespace = k8s_openapi::api::core::v1::Namespace {
        metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
            name: Some(name.clone()),
            ..Default::default()
        },
        ..Default::default()
    };
    kube::Api::all(client.clone())
        .create(&Default::default(), &namespace)
        .await
        .unwrap_or_else(|e| panic!("creating the test namespace {name}: {e}"));
    name
}

/// A loopback port free at the time of the call, for a controller's listener.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hex HMAC-SHA256 of `body` under `key`, as webhook senders sign.
pub fn hmac_sha256(key: &str, body: &[u8]) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(body);
    hex(&mac.finalize().into_bytes())
}

/// A file of flux's CLI test data, copied into tests/corpus (goldens and fixtures).
pub fn flux_testdata(path: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/corpus/flux/flux2/cmd/flux/testdata")
            .join(path),
    )
    .unwrap()
}

/// Applies tk's CRDs (held in place by the returned guard) and makes a fresh namespace.
pub async fn setup(
    client: &kube::Client,
    prefix: &str,
) -> (tokio::sync::RwLockReadGuard<'static, ()>, String) {
    let crds = with_crds(client).await;
    (crds, create_namespace(client, prefix).await)
}

/// `tk` with space-separated `args` against the rig, off the async runtime (the command may
/// wait on a controller the test drives).
pub async fn tk_async(args: String) -> Output {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.split_whitespace().collect();
        tk(rig().kubeconfig_path(), &args)
    })
    .await
    .unwrap()
}

/// What a command printed, stdout then stderr.
pub fn output_text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Each of `lines` is a whole line of `text`.
pub fn assert_lines(text: &str, lines: &[&str]) {
    for line in lines {
        assert!(
            text.lines().any(|l| l == *line),
            "missing {line:?} in:\n{text}"
        );
    }
}

/// What `get ... -A` printed: the NAMESPACE column first, and a row for `name` in `ns`.
pub fn assert_all_namespaces_row(text: &str, ns: &str, name: &str) {
    assert!(text.starts_with("NAMESPACE"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.split('\t').map(str::trim_end).take(2).eq([ns, name])),
        "{text}"
    );
}

/// `get sources all` and `get all` in `ns` each print a table for `kind`, its objects named
/// `kind/name`: `lines` lines with the header, one of them starting with `row`.
pub fn assert_all_kinds_table(kubeconfig: &Path, ns: &str, kind: &str, lines: usize, row: &str) {
    let named = format!("{}/", kind.to_lowercase());
    for command in [&["get", "sources", "all"][..], &["get", "all"]] {
        let args = [command, &["-n", ns]].concat();
        let text = stdout(&tk(kubeconfig, &args));
        let table = text
            .split("\n\n")
            .find(|t| t.contains(&named))
            .unwrap_or_else(|| panic!("no {kind} table in:\n{text}"));
        assert_eq!(table.lines().count(), lines, "{text}");
        assert!(table.contains(&format!("\n{row}")), "{text}");
    }
}
