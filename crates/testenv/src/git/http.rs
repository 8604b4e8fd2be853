//! Git's smart HTTP protocol: `git http-backend` run as a CGI program behind a small
//! HTTP/1.1 server (threads and rustls, no async runtime), with optional basic or bearer
//! authentication and TLS from a throwaway CA.

use super::{Root, with_port_retry};
use crate::pki::Credentials;
use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

/// How to serve HTTP. With neither `basic_auth` nor `bearer_token` anyone may fetch and
/// push; with one or both, a request must carry one of them.
#[derive(Clone, Debug, Default)]
pub struct HttpOptions {
    /// `(username, password)` for `Authorization: Basic`.
    pub basic_auth: Option<(String, String)>,
    /// A token for `Authorization: Bearer`.
    pub bearer_token: Option<String>,
    /// Serve HTTPS with a certificate from a fresh CA ([`HttpServer::ca_pem`]).
    pub tls: Option<TlsOptions>,
}

#[derive(Clone, Debug, Default)]
pub struct TlsOptions {
    /// Require a client certificate signed by the same CA ([`HttpServer::client_credentials`]).
    pub require_client_cert: bool,
}

/// An HTTP(S) server on a free loopback port serving the repositories through
/// `git http-backend`: `http://127.0.0.1:<port>/<name>.git`.
pub struct HttpServer {
    shared: Arc<Shared>,
    port: u16,
    ca_pem: Option<String>,
    client: Option<Credentials>,
    acceptor: Mutex<Option<Acceptor>>,
}

struct Shared {
    root: Arc<Root>,
    backend: PathBuf,
    basic: Option<(String, String)>,
    bearer: Option<String>,
    tls: Option<Arc<rustls::ServerConfig>>,
    log_path: PathBuf,
    log: Mutex<File>,
    conns: Mutex<HashMap<u64, TcpStream>>,
    next_conn: AtomicU64,
}

struct Acceptor {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl HttpServer {
    pub(crate) fn launch(root: Arc<Root>, opts: &HttpOptions) -> Result<HttpServer> {
        let exec_path = super::repo::run({
            let mut c = super::git_command();
            c.arg("--exec-path");
            c
        })?;
        let backend = PathBuf::from(exec_path).join("git-http-backend");
        if !backend.exists() {
            bail!(
                "{} is missing: install git (hack/setup.sh does)",
                backend.display()
            );
        }
        let (tls, ca_pem, client) = match &opts.tls {
            Some(t) => {
                let m = tls_material(t)?;
                (Some(m.config), Some(m.ca_pem), Some(m.client))
            }
            None => (None, None, None),
        };
        // Extra servers over the same root get their own log.
        let (log_path, log) = (1..)
            .map(|n| {
                let name = if n == 1 {
                    "http.log".to_string()
                } else {
                    format!("http-{n}.log")
                };
                root.path().join(name)
            })
            .find_map(|p| {
                let f = File::options().write(true).create_new(true).open(&p);
                match f {
                    Ok(f) => Some(Ok((p, f))),
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => None,
                    Err(e) => Some(Err(anyhow!("creating {}: {e}", p.display()))),
                }
            })
            .expect("unbounded")?;
        let shared = Arc::new(Shared {
            root,
            backend,
            basic: opts.basic_auth.clone(),
            bearer: opts.bearer_token.clone(),
            tls,
            log_path,
            log: Mutex::new(log),
            conns: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(0),
        });
        let (port, acceptor) =
            with_port_retry(|port| Ok((port, Acceptor::spawn(shared.clone(), port)?)))?;
        Ok(HttpServer {
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

    /// `http(s)://127.0.0.1:<port>/<name>.git`, without credentials.
    pub fn url(&self, name: &str) -> String {
        let scheme = if self.is_tls() { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}/{name}.git", self.port)
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

    /// The log of requests, responses and http-backend's stderr.
    pub fn log_path(&self) -> &std::path::Path {
        &self.shared.log_path
    }

    /// Closes the listener and every open connection: new connections are refused until
    /// [`HttpServer::start`], as when a server goes down.
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
        self.shared.log("stopped");
    }

    /// Listens again on the same port; a no-op when running. Fails if another process
    /// took the port meanwhile.
    pub fn start(&self) -> Result<()> {
        let mut acceptor = self.acceptor.lock().unwrap_or_else(|e| e.into_inner());
        if acceptor.is_none() {
            *acceptor = Some(Acceptor::spawn(self.shared.clone(), self.port)?);
            self.shared.log("started again");
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

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Acceptor {
    fn spawn(shared: Arc<Shared>, port: u16) -> Result<Acceptor> {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .with_context(|| format!("binding 127.0.0.1:{port} for the git HTTP server"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        shared.log(&format!("listening on 127.0.0.1:{port}"));
        let thread = std::thread::Builder::new()
            .name(format!("git-http-{port}"))
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
                        .name(format!("git-http-conn-{id}"))
                        .spawn(move || {
                            if let Err(e) = serve(&shared, stream) {
                                shared.log(&format!("connection {id}: {e}"));
                            }
                            shared
                                .conns
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .remove(&id);
                        });
                }
            })
            .context("starting the git HTTP server thread")?;
        Ok(Acceptor { stop, thread })
    }
}

impl Shared {
    fn log(&self, line: &str) {
        let mut f = self.log.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(f, "{line}");
    }
}

pub(crate) enum Conn {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>),
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
        }
    }
}

pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) http10: bool,
    headers: Vec<(String, String)>,
}

impl Request {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn has_token(&self, name: &str, token: &str) -> bool {
        self.header(name)
            .is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    }
}

fn serve(shared: &Shared, stream: TcpStream) -> Result<()> {
    stream.set_nodelay(true)?;
    // A client that vanishes without closing must not pin a thread and a CGI forever.
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    let conn = match &shared.tls {
        Some(cfg) => Conn::Tls(Box::new(rustls::StreamOwned::new(
            rustls::ServerConnection::new(cfg.clone())?,
            stream,
        ))),
        None => Conn::Plain(stream),
    };
    let mut conn = BufReader::with_capacity(64 * 1024, conn);
    while let Some(req) = read_head(&mut conn)? {
        if !handle(shared, &mut conn, &req)? {
            break;
        }
    }
    if let Conn::Tls(s) = conn.get_mut() {
        s.conn.send_close_notify();
        let _ = s.flush();
    }
    Ok(())
}

/// The request line and headers; None at a clean end of the connection.
pub(crate) fn read_head(r: &mut impl BufRead) -> Result<Option<Request>> {
    let mut total = 0;
    let mut line = Vec::new();
    let mut read_line = |line: &mut Vec<u8>| -> Result<usize> {
        line.clear();
        let n = r.by_ref().take(16 * 1024).read_until(b'\n', line)?;
        total += n;
        if total > 64 * 1024 {
            bail!("request head too large");
        }
        while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            line.pop();
        }
        Ok(n)
    };
    // Tolerates blank lines between requests (RFC 9112 section 2.2).
    loop {
        if read_line(&mut line)? == 0 {
            return Ok(None);
        }
        if !line.is_empty() {
            break;
        }
    }
    let request_line = String::from_utf8(line.clone()).context("request line is not UTF-8")?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        bail!("malformed request line {request_line:?}");
    };
    let mut headers = Vec::new();
    loop {
        if read_line(&mut line)? == 0 {
            bail!("connection closed inside the request head");
        }
        if line.is_empty() {
            break;
        }
        let text = String::from_utf8_lossy(&line);
        let (k, v) = text
            .split_once(':')
            .ok_or_else(|| anyhow!("malformed header {text:?}"))?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    Ok(Some(Request {
        method: method.to_string(),
        target: target.to_string(),
        http10: version == "HTTP/1.0",
        headers,
    }))
}

/// The request body as framed by Content-Length or chunked transfer coding.
enum Body<'a, R> {
    Length(&'a mut R, u64),
    Chunked { r: &'a mut R, left: u64, done: bool },
}

impl<R: BufRead> Read for Body<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Body::Length(r, left) => {
                if *left == 0 || buf.is_empty() {
                    return Ok(0);
                }
                let max = buf.len().min(usize::try_from(*left).unwrap_or(usize::MAX));
                let n = r.read(&mut buf[..max])?;
                if n == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                *left -= n as u64;
                Ok(n)
            }
            Body::Chunked { r, left, done } => {
                if *done || buf.is_empty() {
                    return Ok(0);
                }
                if *left == 0 {
                    let size = read_crlf_line(r)?;
                    let hex = size.split(';').next().unwrap_or("").trim();
                    *left = u64::from_str_radix(hex, 16).map_err(|_| {
                        io::Error::new(io::ErrorKind::InvalidData, format!("chunk size {size:?}"))
                    })?;
                    if *left == 0 {
                        // Trailers, up to the blank line.
                        while !read_crlf_line(r)?.is_empty() {}
                        *done = true;
                        return Ok(0);
                    }
                }
                let max = buf.len().min(usize::try_from(*left).unwrap_or(usize::MAX));
                let n = r.read(&mut buf[..max])?;
                if n == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                *left -= n as u64;
                if *left == 0 && !read_crlf_line(r)?.is_empty() {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "chunk not followed by CRLF",
                    ));
                }
                Ok(n)
            }
        }
    }
}

fn read_crlf_line(r: &mut impl BufRead) -> io::Result<String> {
    let mut line = Vec::new();
    if r.by_ref().take(4096).read_until(b'\n', &mut line)? == 0 {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        line.pop();
    }
    Ok(String::from_utf8_lossy(&line).into_owned())
}

/// Kills the CGI if the request is abandoned half way.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

/// Serves one request; Ok(false) when the connection must close afterwards.
fn handle(shared: &Shared, conn: &mut BufReader<Conn>, req: &Request) -> Result<bool> {
    let chunked = req
        .header("Transfer-Encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let length: Option<u64> = match req.header("Content-Length") {
        Some(v) if !chunked => Some(v.parse().context("bad Content-Length")?),
        _ => None,
    };
    let has_body = chunked || length.is_some_and(|l| l > 0);
    let mut keep_alive = !req.http10 && !req.has_token("Connection", "close");

    let remote_user = match authenticate(shared, req) {
        Ok(user) => user,
        Err(challenge) => {
            shared.log(&format!("{} {} -> 401", req.method, req.target));
            // The body was not read, so the connection cannot carry another request.
            let keep = keep_alive && !has_body;
            respond_plain(
                conn.get_mut(),
                "401 Unauthorized",
                &[("WWW-Authenticate", challenge.as_str())],
                b"authentication required\n",
                keep,
            )?;
            return Ok(keep);
        }
    };

    let (path, query) = req
        .target
        .split_once('?')
        .unwrap_or((req.target.as_str(), ""));
    if !path.starts_with('/') {
        respond_plain(
            conn.get_mut(),
            "400 Bad Request",
            &[],
            b"bad target\n",
            false,
        )?;
        return Ok(false);
    }
    if req.has_token("Expect", "100-continue") {
        conn.get_mut().write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        conn.get_mut().flush()?;
    }

    let mut cmd = Command::new(&shared.backend);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", shared.root.path())
        .env("GIT_PROJECT_ROOT", shared.root.repos())
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        // Anonymous pushes are refused unless http.receivepack is set; tests push anyway.
        .env("GIT_CONFIG_COUNT", "1")
        .env("GIT_CONFIG_KEY_0", "http.receivepack")
        .env("GIT_CONFIG_VALUE_0", "true")
        .env("GATEWAY_INTERFACE", "CGI/1.1")
        .env(
            "SERVER_PROTOCOL",
            if req.http10 { "HTTP/1.0" } else { "HTTP/1.1" },
        )
        .env("SERVER_SOFTWARE", "tk-testenv")
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("REQUEST_METHOD", &req.method)
        .env("REQUEST_URI", &req.target)
        .env("PATH_INFO", percent_decode(path))
        .env("QUERY_STRING", query);
    if let Some(user) = &remote_user {
        cmd.env("REMOTE_USER", user).env("AUTH_TYPE", "Basic");
    }
    if let Some(ct) = req.header("Content-Type") {
        cmd.env("CONTENT_TYPE", ct);
    }
    // Without CONTENT_LENGTH, http-backend reads to EOF: right for chunked bodies.
    if let Some(l) = length {
        cmd.env("CONTENT_LENGTH", l.to_string());
    }
    for (k, v) in &req.headers {
        let skip = [
            "Authorization",
            "Proxy-Authorization",
            "Content-Type",
            "Content-Length",
        ];
        if skip.iter().any(|s| s.eq_ignore_ascii_case(k)) {
            continue;
        }
        // Includes HTTP_CONTENT_ENCODING (http-backend inflates gzip bodies itself) and
        // HTTP_GIT_PROTOCOL (protocol v2).
        cmd.env(
            format!("HTTP_{}", k.to_ascii_uppercase().replace('-', "_")),
            v,
        );
    }
    let stderr = shared
        .log
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .try_clone()?;
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr);
    // SAFETY: only async-signal-safe prctl runs between fork and exec. The CGI dies with
    // this connection's thread, which waits for it anyway.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = ChildGuard(
        cmd.spawn()
            .with_context(|| format!("starting {}", shared.backend.display()))?,
    );
    let mut stdin = child.0.stdin.take();
    let mut stdout = child.0.stdout.take().expect("piped");
    // Read the CGI's output while its input is still being written: a process that
    // answers before it has read everything would otherwise deadlock on a full pipe.
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    let reader = std::thread::spawn(move || {
        let mut buf = vec![0; 64 * 1024];
        loop {
            match stdout.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            }
        }
    });

    if has_body {
        let mut body = if chunked {
            Body::Chunked {
                r: conn,
                left: 0,
                done: false,
            }
        } else {
            Body::Length(conn, length.unwrap_or(0))
        };
        let mut buf = vec![0; 64 * 1024];
        loop {
            let n = body.read(&mut buf)?;
            if n == 0 {
                break;
            }
            // Keep draining the body after the CGI stops reading, so the connection
            // stays usable; its answer explains what went wrong.
            if let Some(s) = stdin.as_mut()
                && s.write_all(&buf[..n]).is_err()
            {
                stdin = None;
            }
        }
    }
    drop(stdin);

    let mut head = Vec::new();
    let (header_end, body_start) = loop {
        if let Some(pos) = find(&head, b"\r\n\r\n") {
            break (pos, pos + 4);
        }
        if let Some(pos) = find(&head, b"\n\n") {
            break (pos, pos + 2);
        }
        match rx.recv() {
            Ok(chunk) => head.extend_from_slice(&chunk),
            Err(_) => {
                let _ = reader.join();
                let status = child.0.wait()?;
                shared.log(&format!(
                    "{} {} -> 502 (http-backend {status} without headers)",
                    req.method, req.target
                ));
                respond_plain(
                    conn.get_mut(),
                    "502 Bad Gateway",
                    &[],
                    b"git http-backend failed\n",
                    false,
                )?;
                return Ok(false);
            }
        }
    };
    let header_text = String::from_utf8_lossy(&head[..header_end]).into_owned();
    let mut status = "200 OK".to_string();
    let mut out = Vec::new();
    for line in header_text.lines() {
        let line = line.trim_end_matches('\r');
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        if k.eq_ignore_ascii_case("Status") {
            status = v.to_string();
        } else if ["Content-Length", "Transfer-Encoding", "Connection"]
            .iter()
            .any(|h| h.eq_ignore_ascii_case(k))
        {
            // Framing is ours: the body is always sent chunked.
        } else {
            out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
    }
    if req.http10 {
        keep_alive = false;
    }
    let mut msg = format!("HTTP/1.1 {status}\r\n").into_bytes();
    msg.extend_from_slice(&out);
    msg.extend_from_slice(b"Transfer-Encoding: chunked\r\n");
    if !keep_alive {
        msg.extend_from_slice(b"Connection: close\r\n");
    }
    msg.extend_from_slice(b"\r\n");
    let w = conn.get_mut();
    w.write_all(&msg)?;
    let rest = head.split_off(body_start);
    let mut sent = 0u64;
    for chunk in std::iter::once(rest).chain(rx.iter()) {
        if chunk.is_empty() {
            continue;
        }
        sent += chunk.len() as u64;
        let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
        framed.extend_from_slice(&chunk);
        framed.extend_from_slice(b"\r\n");
        w.write_all(&framed)?;
        w.flush()?;
    }
    w.write_all(b"0\r\n\r\n")?;
    w.flush()?;
    let _ = reader.join();
    let exit = child.0.wait()?;
    // How the request body came matters to tests of chunked and gzip uploads.
    let framing = match (chunked, req.header("Content-Encoding")) {
        (true, Some(enc)) => format!(" body=chunked,{enc}"),
        (true, None) => " body=chunked".to_string(),
        (false, Some(enc)) => format!(" body={enc}"),
        (false, None) => String::new(),
    };
    shared.log(&format!(
        "{} {} user={}{framing} -> {status} ({sent} bytes, http-backend {exit})",
        req.method,
        req.target,
        remote_user.as_deref().unwrap_or("-")
    ));
    Ok(keep_alive)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Ok(REMOTE_USER) or Err(the WWW-Authenticate challenge).
fn authenticate(shared: &Shared, req: &Request) -> Result<Option<String>, String> {
    if shared.basic.is_none() && shared.bearer.is_none() {
        return Ok(None);
    }
    let given = req.header("Authorization").unwrap_or("");
    let (scheme, value) = given.split_once(' ').unwrap_or((given, ""));
    if let Some((user, pass)) = &shared.basic
        && scheme.eq_ignore_ascii_case("Basic")
    {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(value.trim())
            .ok()
            .and_then(|d| String::from_utf8(d).ok());
        if decoded.as_deref() == Some(&format!("{user}:{pass}")) {
            return Ok(Some(user.clone()));
        }
    }
    if let Some(token) = &shared.bearer
        && scheme.eq_ignore_ascii_case("Bearer")
        && value.trim() == token
    {
        return Ok(Some("bearer".to_string()));
    }
    Err(if shared.basic.is_some() {
        "Basic realm=\"tk-testenv\"".to_string()
    } else {
        "Bearer realm=\"tk-testenv\"".to_string()
    })
}

fn respond_plain(
    w: &mut Conn,
    status: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    keep_alive: bool,
) -> Result<()> {
    let mut msg = format!("HTTP/1.1 {status}\r\n");
    for (k, v) in headers {
        msg.push_str(&format!("{k}: {v}\r\n"));
    }
    msg.push_str(&format!(
        "Content-Type: text/plain\r\nContent-Length: {}\r\n",
        body.len()
    ));
    if !keep_alive {
        msg.push_str("Connection: close\r\n");
    }
    msg.push_str("\r\n");
    let mut bytes = msg.into_bytes();
    bytes.extend_from_slice(body);
    w.write_all(&bytes)?;
    w.flush()?;
    Ok(())
}

pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) struct TlsMaterial {
    pub(crate) config: Arc<rustls::ServerConfig>,
    pub(crate) ca_pem: String,
    pub(crate) client: Credentials,
}

/// A fresh CA per server, so a test's `ca.crt` trusts exactly this server.
pub(crate) fn tls_material(opts: &TlsOptions) -> Result<TlsMaterial> {
    let ca_key = KeyPair::generate().context("generating the git CA key")?;
    let mut ca_params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "tk-testenv-git-ca");
    ca_params.distinguished_name = dn;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params
        .self_signed(&ca_key)
        .context("self-signing the git CA")?;
    let ca_der = ca_cert.der().clone();
    let ca_pem = ca_cert.pem();
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf = |cn: &str, sans: &[&str], usage: ExtendedKeyUsagePurpose| -> Result<_> {
        let key = KeyPair::generate()?;
        let mut params =
            CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, cn);
        params.distinguished_name = dn;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![usage];
        params.use_authority_key_identifier_extension = true;
        let cert = params.signed_by(&key, &issuer)?;
        Ok((cert, key))
    };
    let (server_cert, server_key) = leaf(
        "tk-testenv-git",
        &["127.0.0.1", "::1", "localhost"],
        ExtendedKeyUsagePurpose::ServerAuth,
    )
    .context("signing the git server certificate")?;
    let (client_cert, client_key) = leaf(
        "tk-testenv-git-client",
        &[],
        ExtendedKeyUsagePurpose::ClientAuth,
    )
    .context("signing the git client certificate")?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    let builder = if opts.require_client_cert {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca_der)?;
        let verifier =
            rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()?;
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let chain: Vec<CertificateDer<'static>> = vec![server_cert.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let mut config = builder
        .with_single_cert(chain, key)
        .context("configuring TLS")?;
    // Only HTTP/1.1 is spoken; say so rather than let a client try h2.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsMaterial {
        config: Arc::new(config),
        ca_pem,
        client: Credentials {
            cert_pem: client_cert.pem(),
            key_pem: client_key.serialize_pem(),
        },
    })
}
