//! Helm chart repositories on loopback for source-controller and helm-controller tests: a
//! directory of packaged charts and an `index.yaml`, made with the real `helm` CLI
//! ([`ChartRepo`]), served by a small static-file HTTP/1.1 server ([`ChartRepoServer`]) with
//! optional basic authentication and TLS from a throwaway CA (optionally requiring a client
//! certificate), as `helm repo index` output is served by GitHub Pages or ChartMuseum.
//!
//! The server keeps a log of the requests it answered ([`ChartRepoServer::requests`]), so a
//! test can assert which files a client fetched and whether it sent credentials, and can
//! answer one path with a huge body ([`ChartRepoOptions::oversized`]) to check a client's
//! byte caps. Like the rest of the rig, nothing is mocked.
//!
//! ```no_run
//! use testenv::charts::{ChartRepo, ChartRepoOptions, write_test_chart};
//! # fn main() -> anyhow::Result<()> {
//! let repo = ChartRepo::new()?;
//! let src = tempfile::tempdir()?;
//! let chart = write_test_chart(src.path(), "hello", "0.1.0")?;
//! repo.add_chart(&chart, None, None)?; // hello-0.1.0.tgz
//! repo.add_chart(&chart, Some("0.2.0"), Some("2.0"))?; // hello-0.2.0.tgz
//! let server = repo.serve(&ChartRepoOptions::default())?; // also writes index.yaml
//! let url = server.url(); // HelmRepository.spec.url: http://127.0.0.1:<port>
//! // ... point a client at it, then:
//! assert!(server.requests().iter().any(|r| r.path == "/index.yaml"));
//! # let _ = url; Ok(()) }
//! ```

use crate::git::http::{Conn, Request, percent_decode, read_head, tls_material};
use crate::git::with_port_retry;
use crate::pki::Credentials;
use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use std::collections::HashMap;
use std::io::{self, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub use crate::git::TlsOptions;

/// How many bytes of `a` the [`ChartRepoOptions::oversized`] path answers with: 200 MiB.
pub const OVERSIZED_BYTES: u64 = 200 * 1024 * 1024;

/// The realm of the `WWW-Authenticate` challenge.
pub const REALM: &str = "tk-testenv-charts";

/// How to serve a chart repository; `Default` is plain HTTP without authentication.
#[derive(Clone, Debug, Default)]
pub struct ChartRepoOptions {
    /// `(username, password)`: every request must carry them as `Authorization: Basic`,
    /// else it is answered 401 with `WWW-Authenticate: Basic realm="tk-testenv-charts"`.
    pub basic_auth: Option<(String, String)>,
    /// Serve HTTPS with a certificate from a fresh CA ([`ChartRepoServer::ca_pem`]).
    pub tls: Option<TlsOptions>,
    /// A path (e.g. `/index.yaml` or `podinfo-6.14.1.tgz`) answered with [`OVERSIZED_BYTES`]
    /// bytes of `a` instead of the file, whether or not the file exists; after
    /// authentication, like any other path.
    pub oversized: Option<String>,
    /// Send the oversized body chunked, without a Content-Length, so a client cannot refuse
    /// it up front and must count what it reads.
    pub oversized_chunked: bool,
}

/// One request the server answered (requests refused in the TLS handshake never get here).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    /// The request target without its query, as sent (not percent-decoded).
    pub path: String,
    /// The status code answered.
    pub status: u16,
    /// Whether the request passed authentication (always true without `basic_auth`).
    pub authorized: bool,
    /// Whether the request carried an `Authorization` header at all.
    pub had_auth_header: bool,
}

/// A static-file HTTP(S) server on a free loopback port serving GET and HEAD of the files
/// under a directory: `http(s)://127.0.0.1:<port>/index.yaml`. It stops when dropped.
pub struct ChartRepoServer {
    shared: Arc<Shared>,
    port: u16,
    ca_pem: Option<String>,
    client: Option<Credentials>,
    acceptor: Mutex<Option<Acceptor>>,
}

struct Shared {
    root: PathBuf,
    basic: Option<(String, String)>,
    tls: Option<Arc<rustls::ServerConfig>>,
    oversized: Option<String>,
    oversized_chunked: bool,
    requests: Mutex<Vec<RequestRecord>>,
    conns: Mutex<HashMap<u64, TcpStream>>,
    next_conn: AtomicU64,
}

struct Acceptor {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl ChartRepoServer {
    /// Serves the files under `dir`, which must exist; files added or rewritten later
    /// (e.g. by [`ChartRepo::index`]) are served as they are at each request.
    pub fn start(dir: &Path, opts: &ChartRepoOptions) -> Result<ChartRepoServer> {
        let root = dir
            .canonicalize()
            .with_context(|| format!("the chart repository directory {}", dir.display()))?;
        if !root.is_dir() {
            bail!("the chart repository {} is not a directory", dir.display());
        }
        let (tls, ca_pem, client) = match &opts.tls {
            Some(t) => {
                let m = tls_material(t)?;
                (Some(m.config), Some(m.ca_pem), Some(m.client))
            }
            None => (None, None, None),
        };
        let shared = Arc::new(Shared {
            root,
            basic: opts.basic_auth.clone(),
            tls,
            oversized: opts.oversized.as_deref().map(normalize),
            oversized_chunked: opts.oversized_chunked,
            requests: Mutex::new(Vec::new()),
            conns: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(0),
        });
        let (port, acceptor) =
            with_port_retry(|port| Ok((port, Acceptor::spawn(shared.clone(), port)?)))
                .context("starting the chart repository server")?;
        Ok(ChartRepoServer {
            shared,
            port,
            ca_pem,
            client,
            acceptor: Mutex::new(Some(acceptor)),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn is_tls(&self) -> bool {
        self.shared.tls.is_some()
    }

    /// `http(s)://127.0.0.1:<port>`, without a trailing slash: a HelmRepository's
    /// `spec.url` and the base URL of [`ChartRepo::index`].
    pub fn url(&self) -> String {
        let scheme = if self.is_tls() { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// The directory served (canonicalized).
    pub fn dir(&self) -> &Path {
        &self.shared.root
    }

    /// The CA certificate (PEM) that signed the server certificate, for a secret's `ca.crt`.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// A client certificate and key signed by the CA, for a secret's `tls.crt`/`tls.key`;
    /// only accepted when [`TlsOptions::require_client_cert`] is set, and then required.
    pub fn client_credentials(&self) -> Option<&Credentials> {
        self.client.as_ref()
    }

    /// The requests answered so far, oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Forgets the requests answered so far.
    pub fn clear_requests(&self) {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Closes the listener and every open connection: new connections are refused until
    /// [`ChartRepoServer::start_again`], as when a server goes down.
    pub fn stop(&self) {
        let Some(acceptor) = self
            .acceptor
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        else {
            return;
        };
        acceptor.stop.store(true, Ordering::SeqCst);
        // Wakes the blocking accept so the thread sees the flag and drops the listener.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        let _ = acceptor.thread.join();
        for (_, c) in self
            .shared
            .conns
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
        {
            let _ = c.shutdown(Shutdown::Both);
        }
    }

    /// Listens again on the same port; a no-op when running. Fails if another process
    /// took the port meanwhile. (Named so as not to clash with the constructor.)
    pub fn start_again(&self) -> Result<()> {
        let mut acceptor = self.acceptor.lock().unwrap_or_else(|e| e.into_inner());
        if acceptor.is_none() {
            *acceptor = Some(Acceptor::spawn(self.shared.clone(), self.port)?);
        }
        Ok(())
    }

    pub fn is_running(&self) -> bool {
        self.acceptor
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }
}

impl Drop for ChartRepoServer {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Acceptor {
    fn spawn(shared: Arc<Shared>, port: u16) -> Result<Acceptor> {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .with_context(|| format!("binding 127.0.0.1:{port} for the chart repository"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name(format!("charts-http-{port}"))
            .spawn(move || {
                for stream in listener.incoming() {
                    if flag.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
                    if let Ok(c) = stream.try_clone() {
                        shared
                            .conns
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(id, c);
                    }
                    let shared = shared.clone();
                    let _ = std::thread::Builder::new()
                        .name(format!("charts-http-conn-{id}"))
                        .spawn(move || {
                            // Errors (a refused TLS handshake, a client hanging up mid-body)
                            // only end the connection.
                            let _ = serve(&shared, stream);
                            shared
                                .conns
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .remove(&id);
                        });
                }
            })
            .context("starting the chart repository server thread")?;
        Ok(Acceptor { stop, thread })
    }
}

impl Shared {
    fn record(&self, req: &Request, path: &str, status: u16, authorized: bool) {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(RequestRecord {
                method: req.method.clone(),
                path: path.to_string(),
                status,
                authorized,
                had_auth_header: req.header("Authorization").is_some(),
            });
    }

    fn authorized(&self, req: &Request) -> bool {
        let Some((user, pass)) = &self.basic else {
            return true;
        };
        let given = req.header("Authorization").unwrap_or("");
        let (scheme, value) = given.split_once(' ').unwrap_or((given, ""));
        scheme.eq_ignore_ascii_case("Basic")
            && base64::engine::general_purpose::STANDARD
                .decode(value.trim())
                .is_ok_and(|d| d == format!("{user}:{pass}").as_bytes())
    }

    /// The file a (percent-decoded) request path names, if it is a regular file inside the
    /// root: `..` segments and symbolic links leading out are refused.
    fn resolve(&self, decoded: &str) -> Option<PathBuf> {
        if decoded.contains(['\0', '\\']) {
            return None;
        }
        let mut path = self.root.clone();
        for segment in decoded.split('/') {
            match segment {
                "" | "." => {}
                ".." => return None,
                s => path.push(s),
            }
        }
        let real = path.canonicalize().ok()?;
        (real.starts_with(&self.root) && real.is_file()).then_some(real)
    }
}

/// A path without leading or duplicate slashes and `.` segments, for comparing paths.
fn normalize(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect::<Vec<_>>()
        .join("/")
}

fn serve(shared: &Shared, stream: TcpStream) -> Result<()> {
    stream.set_nodelay(true)?;
    // A client that vanishes, or stops reading a huge body, must not pin a thread forever.
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    stream.set_write_timeout(Some(Duration::from_secs(120)))?;
    let conn = match &shared.tls {
        Some(cfg) => Conn::Tls(Box::new(rustls::StreamOwned::new(
            rustls::ServerConnection::new(cfg.clone())?,
            stream,
        ))),
        None => Conn::Plain(stream),
    };
    let mut conn = BufReader::with_capacity(64 * 1024, conn);
    while let Some(req) = read_head(&mut conn)? {
        if !handle(shared, conn.get_mut(), &req)? {
            break;
        }
    }
    if let Conn::Tls(s) = conn.get_mut() {
        s.conn.send_close_notify();
        let _ = s.flush();
    }
    Ok(())
}

/// What follows the response head.
enum Body {
    Bytes(Vec<u8>),
    /// [`OVERSIZED_BYTES`] of `a`, chunked or with a Content-Length.
    Oversized {
        chunked: bool,
    },
}

/// Answers one request; Ok(false) when the connection must close afterwards.
fn handle(shared: &Shared, w: &mut Conn, req: &Request) -> Result<bool> {
    // Requests with a body are refused without reading it, so the connection cannot carry
    // another request.
    let has_body = req
        .header("Transfer-Encoding")
        .is_some_and(|v| !v.trim().is_empty())
        || req
            .header("Content-Length")
            .is_some_and(|v| v.trim() != "0");
    let keep_alive = !req.http10 && !req.has_token("Connection", "close") && !has_body;
    let head_only = req.method == "HEAD";
    let path = req
        .target
        .split_once('?')
        .map_or(req.target.as_str(), |(p, _)| p);

    let authorized = shared.authorized(req);
    let challenge = format!("Basic realm=\"{REALM}\"");
    let (status, headers, body): (&str, Vec<(&str, &str)>, Body) = if !authorized {
        (
            "401 Unauthorized",
            vec![("WWW-Authenticate", challenge.as_str())],
            text("authentication required\n"),
        )
    } else if !head_only && req.method != "GET" {
        (
            "405 Method Not Allowed",
            vec![("Allow", "GET, HEAD")],
            text("only GET and HEAD\n"),
        )
    } else if !path.starts_with('/') {
        ("400 Bad Request", vec![], text("bad target\n"))
    } else {
        let decoded = percent_decode(path);
        if shared.oversized.as_deref() == Some(normalize(&decoded).as_str()) {
            (
                "200 OK",
                vec![("Content-Type", "application/octet-stream")],
                Body::Oversized {
                    chunked: shared.oversized_chunked,
                },
            )
        } else {
            match shared
                .resolve(&decoded)
                .and_then(|p| std::fs::read(&p).ok().map(|b| (p, b)))
            {
                Some((p, bytes)) => (
                    "200 OK",
                    vec![("Content-Type", content_type(&p))],
                    Body::Bytes(bytes),
                ),
                None => ("404 Not Found", vec![], text("not found\n")),
            }
        }
    };
    let code: u16 = status[..3].parse().expect("a status code");
    shared.record(req, path, code, authorized);
    // After a malformed request, what follows on the connection cannot be trusted.
    let keep_alive = keep_alive && code != 400;

    let mut head = format!("HTTP/1.1 {status}\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    match &body {
        Body::Bytes(b) => head.push_str(&format!("Content-Length: {}\r\n", b.len())),
        Body::Oversized { chunked: false } => {
            head.push_str(&format!("Content-Length: {OVERSIZED_BYTES}\r\n"))
        }
        Body::Oversized { chunked: true } => head.push_str("Transfer-Encoding: chunked\r\n"),
    }
    if !keep_alive {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    w.write_all(head.as_bytes())?;
    if !head_only {
        match body {
            Body::Bytes(b) => w.write_all(&b)?,
            Body::Oversized { chunked } => write_oversized(w, chunked)?,
        }
    }
    w.flush()?;
    Ok(keep_alive)
}

fn text(s: &str) -> Body {
    Body::Bytes(s.as_bytes().to_vec())
}

fn write_oversized(w: &mut Conn, chunked: bool) -> io::Result<()> {
    let block = vec![b'a'; 64 * 1024];
    let mut left = OVERSIZED_BYTES;
    while left > 0 {
        let n = block.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        if chunked {
            w.write_all(format!("{n:x}\r\n").as_bytes())?;
            w.write_all(&block[..n])?;
            w.write_all(b"\r\n")?;
        } else {
            w.write_all(&block[..n])?;
        }
        left -= n as u64;
    }
    if chunked {
        w.write_all(b"0\r\n\r\n")?;
    }
    Ok(())
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("yaml" | "yml") => "application/x-yaml",
        Some("tgz" | "gz") => "application/gzip",
        Some("prov") => "application/pgp-signature",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// A chart repository directory in a fresh temporary directory, filled with the real
/// `helm` CLI ([`crate::reference`]`(`[`crate::Reference::Helm`]`)`). Dropping it removes
/// the directory.
pub struct ChartRepo {
    dir: tempfile::TempDir,
    helm: PathBuf,
}

impl ChartRepo {
    pub fn new() -> Result<ChartRepo> {
        let helm = crate::reference(crate::Reference::Helm)?;
        let prefix = format!("tk-testenv-{}-charts-", std::process::id());
        let dir = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir()
            .context("creating a temporary directory for the chart repository")?;
        // helm's own state lives next to the repository, never inside it: `helm repo index`
        // indexes every .tgz below the directory.
        for sub in ["repo", "helm/cache", "helm/config", "helm/data"] {
            std::fs::create_dir_all(dir.path().join(sub))?;
        }
        Ok(ChartRepo { dir, helm })
    }

    /// The repository directory: the packaged charts and `index.yaml`.
    pub fn path(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// The helm binary used.
    pub fn helm(&self) -> &Path {
        &self.helm
    }

    /// `helm` with its cache, config and data directories private to this repository and
    /// no proxy for loopback, e.g. for `helm pull --repo <url>` against the server.
    pub fn helm_command(&self) -> Command {
        let mut cmd = isolated_helm(&self.helm, &self.dir.path().join("helm"));
        cmd.env_remove("HELM_REGISTRY_CONFIG");
        cmd
    }

    /// `helm package <chart_dir> [--version V] [--app-version A] -d <repo>`; returns the
    /// path of the `.tgz`. Run [`ChartRepo::index`] afterwards to list it.
    pub fn add_chart(
        &self,
        chart_dir: &Path,
        version: Option<&str>,
        app_version: Option<&str>,
    ) -> Result<PathBuf> {
        let mut cmd = self.helm_command();
        cmd.arg("package").arg(chart_dir);
        if let Some(v) = version {
            cmd.args(["--version", v]);
        }
        if let Some(a) = app_version {
            cmd.args(["--app-version", a]);
        }
        cmd.arg("-d").arg(self.path());
        let out = run(cmd, &format!("helm package {}", chart_dir.display()))?;
        // "Successfully packaged chart and saved it to: <path>"
        let tgz = out
            .lines()
            .rev()
            .find_map(|l| l.split_once("saved it to: ").map(|(_, p)| p.trim()))
            .map(PathBuf::from)
            .ok_or_else(|| anyhow!("helm package printed no archive path: {out:?}"))?;
        if !tgz.is_file() {
            bail!(
                "helm package reported {}, which is not a file",
                tgz.display()
            );
        }
        Ok(tgz)
    }

    /// `helm repo index <repo> --url <base_url>`, rewriting `index.yaml` from the charts in
    /// the repository; returns its path. Rerun after adding charts.
    pub fn index(&self, base_url: &str) -> Result<PathBuf> {
        let mut cmd = self.helm_command();
        cmd.args(["repo", "index"])
            .arg(self.path())
            .args(["--url", base_url]);
        run(cmd, "helm repo index")?;
        let index = self.path().join("index.yaml");
        if !index.is_file() {
            bail!("helm repo index wrote no {}", index.display());
        }
        Ok(index)
    }

    /// Starts a server over the repository and indexes it with the server's URL.
    pub fn serve(&self, opts: &ChartRepoOptions) -> Result<ChartRepoServer> {
        let server = ChartRepoServer::start(&self.path(), opts)?;
        self.index(&server.url())?;
        Ok(server)
    }
}

fn run(mut cmd: Command, what: &str) -> Result<String> {
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .with_context(|| format!("running {what}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `helm` (at `helm`) with its cache, config and data directories under `home`, no
/// repository files, context or namespace from the environment, no cluster, and no proxy for
/// loopback.
pub(crate) fn isolated_helm(helm: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(helm);
    cmd.env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env_remove("HELM_REPOSITORY_CONFIG")
        .env_remove("HELM_REPOSITORY_CACHE")
        .env_remove("HELM_KUBECONTEXT")
        .env_remove("HELM_NAMESPACE")
        .env("KUBECONFIG", "/dev/null");
    for var in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost");
    cmd
}

/// Writes a chart from scratch into `<parent>/<name>`: `Chart.yaml` (apiVersion v2, the
/// version as appVersion too), `values.yaml` and `templates/<path>` for each
/// `(path, content)`. Returns the chart directory.
pub fn write_chart(
    parent: &Path,
    name: &str,
    version: &str,
    templates: &[(&str, &str)],
    values: &str,
) -> Result<PathBuf> {
    if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
        bail!("{name:?} is not a chart name");
    }
    let dir = parent.join(name);
    let write = |rel: &str, content: &str| -> Result<()> {
        let path = dir.join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).with_context(|| format!("creating {}", p.display()))?;
        }
        std::fs::write(&path, content).with_context(|| format!("writing {}", path.display()))
    };
    write(
        "Chart.yaml",
        &format!(
            "apiVersion: v2\nname: {name}\ndescription: A chart made by tk's testenv\n\
             type: application\nversion: {version}\nappVersion: \"{version}\"\n"
        ),
    )?;
    write("values.yaml", values)?;
    std::fs::create_dir_all(dir.join("templates"))?;
    for (rel, content) in templates {
        if Path::new(rel).is_absolute() || rel.split('/').any(|s| s == "..") {
            bail!("template path {rel:?} leaves templates/");
        }
        write(&format!("templates/{rel}"), content)?;
    }
    Ok(dir)
}

/// The values of [`write_test_chart`]'s chart.
pub const TEST_CHART_VALUES: &str = "\
replicaCount: 1
image: registry.k8s.io/pause:3.10
message: hello
service:
  port: 80
";

const TEST_CHART_DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels:
    app.kubernetes.io/name: {{ .Chart.Name }}
    app.kubernetes.io/instance: {{ .Release.Name }}
    helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels:
      app.kubernetes.io/instance: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/instance: {{ .Release.Name }}
    spec:
      containers:
        - name: app
          image: {{ .Values.image | quote }}
          env:
            - name: MESSAGE
              value: {{ .Values.message | quote }}
          ports:
            - name: http
              containerPort: {{ .Values.service.port }}
"#;

const TEST_CHART_SERVICE: &str = r#"apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
  labels:
    app.kubernetes.io/instance: {{ .Release.Name }}
spec:
  selector:
    app.kubernetes.io/instance: {{ .Release.Name }}
  ports:
    - name: http
      port: {{ .Values.service.port }}
      targetPort: http
"#;

const TEST_CHART_TEST_POD: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}-test
  labels:
    app.kubernetes.io/instance: {{ .Release.Name }}
  annotations:
    helm.sh/hook: test
spec:
  restartPolicy: Never
  containers:
    - name: test
      image: {{ .Values.image | quote }}
"#;

/// A tiny chart for HelmRelease tests in `<parent>/<name>`: a Deployment and a Service
/// named after the release, and a test hook Pod `<release>-test` (annotation
/// `helm.sh/hook: test`), with [`TEST_CHART_VALUES`] (`replicaCount`, `image`, `message` as
/// the container's `MESSAGE`, `service.port`). Returns the chart directory.
pub fn write_test_chart(parent: &Path, name: &str, version: &str) -> Result<PathBuf> {
    write_chart(
        parent,
        name,
        version,
        &[
            ("deployment.yaml", TEST_CHART_DEPLOYMENT),
            ("service.yaml", TEST_CHART_SERVICE),
            ("tests/test-connection.yaml", TEST_CHART_TEST_POD),
        ],
        TEST_CHART_VALUES,
    )
}
