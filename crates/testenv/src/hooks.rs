//! A receiver for Flagger-style webhooks (pre-rollout, rollout, confirm-rollout,
//! confirm-promotion, post-rollout, rollback, event, load tests): plain HTTP on a free
//! loopback port, recording every request and answering each path with a status the test
//! chooses (200 unless told otherwise), optionally after a delay that provokes client
//! timeouts.
//!
//! ```no_run
//! use std::time::Duration;
//! use testenv::hooks::HookServer;
//! # fn main() -> anyhow::Result<()> {
//! let hooks = HookServer::start()?;
//! hooks.set_status("/gate/approve", 403); // confirm-rollout: not yet
//! hooks.set_delay("/slow", Duration::from_secs(30)); // longer than the webhook timeout
//! let url = hooks.url("/gate/approve"); // the Canary's spec.analysis.webhooks[].url
//! // ... drive the canary ...
//! for req in hooks.requests("/gate/approve") {
//!     assert_eq!(req.method, "POST");
//!     assert_eq!(req.json.as_ref().unwrap()["phase"], "Progressing");
//! }
//! # let _ = url; Ok(()) }
//! ```
//!
//! The plain HTTP/1.1 server underneath ([`PlainServer`], crate-private) is shared with the
//! metrics exporter: threads, keep-alive, Content-Length or chunked request bodies, and the
//! [`rest`](crate::rest) module's `Request`/`Response` types.

use crate::rest::{Handler, MAX_BODY, Request, Response, percent_decode};
use anyhow::{Context, Result, anyhow, bail};
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One request the hook server received.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// `POST`, `GET`, … as sent.
    pub method: String,
    /// The path without the query, as sent (still percent-encoded).
    pub path: String,
    /// The query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// The headers, names as sent (look them up with [`Recorded::header`]).
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
    /// The body parsed as JSON, when it is JSON (whatever the Content-Type says).
    pub json: Option<serde_json::Value>,
    /// When it arrived (before any configured delay).
    pub received: Instant,
}

impl Recorded {
    /// The first header of that name, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

#[derive(Default)]
struct HookState {
    requests: Vec<Recorded>,
    statuses: HashMap<String, u16>,
    delays: HashMap<String, Duration>,
}

/// A running webhook receiver on `http://127.0.0.1:<port>`; dropping it closes the listener
/// and every open connection.
pub struct HookServer {
    state: Arc<Mutex<HookState>>,
    server: PlainServer,
}

impl HookServer {
    /// Listens on a free loopback port; every path answers 200 with an empty body until
    /// [`HookServer::set_status`] says otherwise.
    pub fn start() -> Result<HookServer> {
        let state: Arc<Mutex<HookState>> = Arc::default();
        let handler: Handler = {
            let state = state.clone();
            Arc::new(move |req: &Request| {
                let (status, delay) = {
                    let mut s = lock(&state);
                    s.requests.push(Recorded {
                        method: req.method.clone(),
                        path: req.path.clone(),
                        query: req.query.clone(),
                        headers: req.headers.clone(),
                        body: req.body.clone(),
                        json: serde_json::from_slice(&req.body).ok(),
                        received: Instant::now(),
                    });
                    (
                        s.statuses.get(&req.path).copied().unwrap_or(200),
                        s.delays.get(&req.path).copied(),
                    )
                };
                if let Some(d) = delay {
                    std::thread::sleep(d);
                }
                Response::empty(status)
            })
        };
        let server = PlainServer::start("hooks", handler).context("starting the hook server")?;
        Ok(HookServer { state, server })
    }

    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// `http://127.0.0.1:<port><path>` (a `/` is added in front of `path` if missing).
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port(), normalize(path))
    }

    /// Answers requests to `path` (exact, without query) with `status` from now on.
    pub fn set_status(&self, path: &str, status: u16) {
        assert!(
            (200..600).contains(&status),
            "hook status {status} is not a final HTTP status"
        );
        lock(&self.state).statuses.insert(normalize(path), status);
    }

    /// Waits `delay` before answering requests to `path` (the request is recorded on
    /// arrival); `Duration::ZERO` removes the delay.
    pub fn set_delay(&self, path: &str, delay: Duration) {
        let mut s = lock(&self.state);
        if delay.is_zero() {
            s.delays.remove(&normalize(path));
        } else {
            s.delays.insert(normalize(path), delay);
        }
    }

    /// The requests to `path` so far, oldest first.
    pub fn requests(&self, path: &str) -> Vec<Recorded> {
        let path = normalize(path);
        lock(&self.state)
            .requests
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// Every request so far, oldest first.
    pub fn all_requests(&self) -> Vec<Recorded> {
        lock(&self.state).requests.clone()
    }

    /// How many requests `path` got so far.
    pub fn count(&self, path: &str) -> usize {
        let path = normalize(path);
        lock(&self.state)
            .requests
            .iter()
            .filter(|r| r.path == path)
            .count()
    }

    /// Forgets the recorded requests (statuses and delays stay).
    pub fn clear(&self) {
        lock(&self.state).requests.clear();
    }

    /// Waits until `path` got at least `n` requests and returns them; on timeout the error
    /// lists the paths that were called.
    pub fn wait_for(&self, path: &str, n: usize, timeout: Duration) -> Result<Vec<Recorded>> {
        let start = Instant::now();
        loop {
            let got = self.requests(path);
            if got.len() >= n {
                return Ok(got);
            }
            if start.elapsed() > timeout {
                let mut seen: Vec<String> = self
                    .all_requests()
                    .into_iter()
                    .map(|r| format!("{} {}", r.method, r.path))
                    .collect();
                seen.dedup();
                bail!(
                    "{path} got {} of {n} requests within {timeout:?}; requests seen: {seen:?}",
                    got.len()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn normalize(path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A plain-HTTP/1.1 server on `127.0.0.1:<free port>` handing every request to one handler
/// on the connection's thread; dropping it closes the listener and every open connection.
pub(crate) struct PlainServer {
    port: u16,
    stop: Arc<AtomicBool>,
    conns: Arc<Mutex<HashMap<u64, TcpStream>>>,
    thread: Option<JoinHandle<()>>,
}

impl PlainServer {
    pub(crate) fn start(name: &str, handler: Handler) -> Result<PlainServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .with_context(|| format!("binding 127.0.0.1:0 for the {name} server"))?;
        let port = listener.local_addr()?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let conns: Arc<Mutex<HashMap<u64, TcpStream>>> = Arc::default();
        let thread = {
            let (stop, conns) = (stop.clone(), conns.clone());
            let name = name.to_string();
            let what = format!("starting the {name} server thread");
            std::thread::Builder::new()
                .name(format!("{name}-{port}"))
                .spawn(move || {
                    let next = AtomicU64::new(0);
                    for stream in listener.incoming() {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        let Ok(stream) = stream else { continue };
                        let id = next.fetch_add(1, Ordering::Relaxed);
                        if let Ok(c) = stream.try_clone() {
                            lock(&conns).insert(id, c);
                        }
                        let (handler, conns) = (handler.clone(), conns.clone());
                        let _ = std::thread::Builder::new()
                            .name(format!("{name}-{port}-{id}"))
                            .spawn(move || {
                                // Errors end the connection; the client sees it closed.
                                let _ = serve(&handler, stream);
                                lock(&conns).remove(&id);
                            });
                    }
                })
                .context(what)?
        };
        Ok(PlainServer {
            port,
            stop,
            conns,
            thread: Some(thread),
        })
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for PlainServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the blocking accept so the thread sees the flag and drops the listener.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        for (_, c) in lock(&self.conns).drain() {
            let _ = c.shutdown(Shutdown::Both);
        }
    }
}

struct Head {
    method: String,
    target: String,
    http10: bool,
    headers: Vec<(String, String)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn serve(handler: &Handler, stream: TcpStream) -> Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(64 * 1024, stream);
    while let Some(head) = read_head(&mut reader)? {
        let mut keep_alive = !head.http10
            && !head
                .header("Connection")
                .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        if head
            .header("Expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
        {
            writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        let response = match read_body(&mut reader, &head) {
            Ok(body) => {
                let (path, query) = head.target.split_once('?').unwrap_or((&head.target, ""));
                handler(&Request {
                    method: head.method.clone(),
                    path: path.to_string(),
                    query: parse_query(query),
                    headers: head.headers.clone(),
                    body,
                })
            }
            Err(e) => {
                // The connection's framing can no longer be trusted.
                keep_alive = false;
                let status = if e.to_string().contains("too large") {
                    413
                } else {
                    400
                };
                Response::text(status, &format!("{e:#}\n"))
            }
        };
        write_response(&mut writer, &head.method, &response, keep_alive)?;
        if !keep_alive {
            break;
        }
    }
    Ok(())
}

fn read_line(r: &mut impl BufRead, line: &mut Vec<u8>) -> Result<usize> {
    line.clear();
    let n = r.by_ref().take(16 * 1024).read_until(b'\n', line)?;
    while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        line.pop();
    }
    Ok(n)
}

/// The request line and headers; None at a clean end of the connection.
fn read_head(r: &mut impl BufRead) -> Result<Option<Head>> {
    let mut line = Vec::new();
    loop {
        match read_line(r, &mut line) {
            Ok(0) => return Ok(None),
            Ok(_) if line.is_empty() => continue,
            Ok(_) => break,
            // A client dropping an idle keep-alive connection, or our own shutdown.
            Err(e)
                if e.downcast_ref::<io::Error>().is_some_and(|e| {
                    matches!(
                        e.kind(),
                        io::ErrorKind::UnexpectedEof
                            | io::ErrorKind::ConnectionReset
                            | io::ErrorKind::ConnectionAborted
                    )
                }) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(e),
        }
    }
    let request_line = String::from_utf8(line.clone()).context("request line is not UTF-8")?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        bail!("malformed request line {request_line:?}");
    };
    let mut headers = Vec::new();
    let mut total = 0;
    loop {
        let n = read_line(r, &mut line)?;
        if n == 0 {
            bail!("connection closed inside the request head");
        }
        total += n;
        if total > 64 * 1024 {
            bail!("request head too large");
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
    Ok(Some(Head {
        method: method.to_string(),
        target: target.to_string(),
        http10: version == "HTTP/1.0",
        headers,
    }))
}

fn read_body(r: &mut impl BufRead, head: &Head) -> Result<Vec<u8>> {
    let chunked = head
        .header("Transfer-Encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let mut body = Vec::new();
    if chunked {
        let mut line = Vec::new();
        loop {
            read_line(r, &mut line)?;
            let text = String::from_utf8_lossy(&line);
            let hex = text.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(hex, 16)
                .map_err(|_| anyhow!("malformed chunk size {text:?}"))?;
            if size == 0 {
                // Trailers, up to the blank line.
                while read_line(r, &mut line)? > 0 && !line.is_empty() {}
                break;
            }
            if body.len() + size > MAX_BODY {
                bail!("request body too large");
            }
            let start = body.len();
            body.resize(start + size, 0);
            r.read_exact(&mut body[start..])?;
            read_line(r, &mut line)?;
        }
    } else if let Some(len) = head.header("Content-Length") {
        let len: usize = len
            .parse()
            .map_err(|_| anyhow!("malformed Content-Length {len:?}"))?;
        if len > MAX_BODY {
            bail!("request body too large");
        }
        body.resize(len, 0);
        r.read_exact(&mut body)?;
    }
    Ok(body)
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                percent_decode(&k.replace('+', " ")),
                percent_decode(&v.replace('+', " ")),
            )
        })
        .collect()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

fn write_response(
    w: &mut TcpStream,
    method: &str,
    resp: &Response,
    keep_alive: bool,
) -> Result<()> {
    let mut msg = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    for (k, v) in &resp.headers {
        if k.eq_ignore_ascii_case("Content-Length") || k.eq_ignore_ascii_case("Connection") {
            continue;
        }
        msg.push_str(&format!("{k}: {v}\r\n"));
    }
    // 204 and 304 have no body and no Content-Length (RFC 9110).
    let bodyless = resp.status == 204 || resp.status == 304;
    if !bodyless {
        msg.push_str(&format!("Content-Length: {}\r\n", resp.body.len()));
    }
    if !keep_alive {
        msg.push_str("Connection: close\r\n");
    }
    msg.push_str("\r\n");
    let mut bytes = msg.into_bytes();
    if !bodyless && method != "HEAD" {
        bytes.extend_from_slice(&resp.body);
    }
    w.write_all(&bytes)?;
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(timeout: Duration) -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(timeout))
            .build()
            .into()
    }

    #[test]
    fn hooks_record_posts_and_answer_configured_statuses() {
        let hooks = HookServer::start().unwrap();
        hooks.set_status("/gate", 403);
        let agent = agent(Duration::from_secs(10));
        // Two requests on one keep-alive connection, then a different path.
        for i in 0..2 {
            let resp = agent
                .post(hooks.url("/gate?x=a+b"))
                .header("X-Test", "yes")
                .send_json(serde_json::json!({"name": "podinfo", "phase": "Progressing", "i": i}))
                .unwrap();
            assert_eq!(resp.status(), 403);
        }
        let resp = agent.get(hooks.url("other")).call().unwrap();
        assert_eq!(resp.status(), 200);
        hooks.set_status("/gate", 200);
        let resp = agent.post(hooks.url("/gate")).send("not json").unwrap();
        assert_eq!(resp.status(), 200);

        assert_eq!(hooks.count("/gate"), 3);
        assert_eq!(hooks.count("/other"), 1);
        assert_eq!(hooks.count("/never"), 0);
        let gate = hooks.requests("/gate");
        assert_eq!(gate[0].method, "POST");
        assert_eq!(gate[0].path, "/gate");
        assert_eq!(gate[0].query, vec![("x".into(), "a b".into())]);
        assert_eq!(gate[0].header("x-test"), Some("yes"));
        let json = gate[1].json.as_ref().expect("a JSON body");
        assert_eq!(json["phase"], "Progressing");
        assert_eq!(json["i"], 1);
        assert!(gate[2].json.is_none());
        assert_eq!(gate[2].text(), "not json");
        assert_eq!(hooks.all_requests().len(), 4);
        assert_eq!(hooks.wait_for("/gate", 3, Duration::ZERO).unwrap().len(), 3);
        let err = hooks.wait_for("/gate", 4, Duration::ZERO).unwrap_err();
        assert!(format!("{err:#}").contains("POST /gate"), "{err:#}");
        hooks.clear();
        assert_eq!(hooks.count("/gate"), 0);
    }

    #[test]
    fn hooks_delay_provokes_client_timeouts() {
        let hooks = HookServer::start().unwrap();
        hooks.set_delay("/slow", Duration::from_millis(1500));
        let started = Instant::now();
        let err = agent(Duration::from_millis(300))
            .post(hooks.url("/slow"))
            .send_json(serde_json::json!({}))
            .unwrap_err();
        assert!(
            started.elapsed() < Duration::from_millis(1200),
            "{:?}",
            started.elapsed()
        );
        assert!(matches!(err, ureq::Error::Timeout(_)), "{err}");
        // Recorded on arrival, though never answered in time.
        assert_eq!(hooks.count("/slow"), 1);

        // A patient client gets the answer after the delay; other paths are not delayed.
        let started = Instant::now();
        let resp = agent(Duration::from_secs(10))
            .post(hooks.url("/slow"))
            .send_json(serde_json::json!({}))
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert!(started.elapsed() >= Duration::from_millis(1500));
        let started = Instant::now();
        agent(Duration::from_secs(10))
            .get(hooks.url("/fast"))
            .call()
            .unwrap();
        assert!(started.elapsed() < Duration::from_millis(500));
        hooks.set_delay("/slow", Duration::ZERO);
        let started = Instant::now();
        agent(Duration::from_secs(10))
            .get(hooks.url("/slow"))
            .call()
            .unwrap();
        assert!(started.elapsed() < Duration::from_millis(500));
    }

    #[test]
    fn hooks_server_reads_chunked_bodies_and_closes_on_drop() {
        let hooks = HookServer::start().unwrap();
        let port = hooks.port();
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(
            b"POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
              5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n",
        )
        .unwrap();
        let mut buf = [0u8; 256];
        let n = s.read(&mut buf).unwrap();
        let answer = String::from_utf8_lossy(&buf[..n]);
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert_eq!(
            hooks.requests("/chunked")[0].json,
            Some(serde_json::json!({"a": 1}))
        );
        drop(hooks);
        // The open keep-alive connection is closed, and the port refuses new ones.
        assert_eq!(s.read(&mut buf).unwrap_or(0), 0);
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    }
}
