//! A small HTTPS JSON server for fakes of hosted services (GitHub, GitLab): it listens on a
//! free loopback port with a certificate from a fresh CA and hands every request to one
//! handler function. Threads and rustls, no async runtime, HTTP/1.1 with keep-alive.
//!
//! ```no_run
//! use std::sync::Arc;
//! use testenv::rest::{Response, RestServer};
//! # fn main() -> anyhow::Result<()> {
//! let server = RestServer::start(Arc::new(|req| match (req.method.as_str(), req.path.as_str()) {
//!     ("GET", "/hello") => Response::json(200, &serde_json::json!({"hello": "world"})),
//!     _ => Response::json(404, &serde_json::json!({"message": "Not Found"})),
//! }))?;
//! let url = format!("{}/hello", server.base_url()); // https://127.0.0.1:<port>/hello
//! let ca = server.ca_pem(); // trust this to talk to it
//! # let _ = (url, ca); Ok(()) }
//! ```
//!
//! The API (`RestServer`, `Request`, `Response`, `Handler`, `percent_decode`) is shared by
//! several fakes; keep it stable.

use anyhow::{Context, Result, anyhow, bail};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// The largest request body accepted; larger ones are answered with 413.
pub const MAX_BODY: usize = 1024 * 1024;

/// One HTTP request.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// `GET`, `POST`, … as sent.
    pub method: String,
    /// The path as sent, still percent-encoded (`/api/v4/projects/group%2Fname`), so an
    /// encoded `/` does not split a segment; see [`Request::segments`] and [`percent_decode`].
    pub path: String,
    /// The query parameters, decoded (`+` is a space), in order.
    pub query: Vec<(String, String)>,
    /// The headers, names as sent (look them up with [`Request::header`]).
    pub headers: Vec<(String, String)>,
    /// The body (Content-Length or chunked), at most [`MAX_BODY`] bytes.
    pub body: Vec<u8>,
}

impl Request {
    /// The first header of that name, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first query parameter of that name.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The path's segments between `/`, each percent-decoded (`/a/b%2Fc` → `["a", "b/c"]`).
    pub fn segments(&self) -> Vec<String> {
        self.path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(percent_decode)
            .collect()
    }

    /// The body parsed as JSON; an empty body is `null`.
    pub fn json(&self) -> Result<serde_json::Value> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_slice(&self.body).context("the request body is not JSON")
    }
}

/// One HTTP response. `Content-Length` and `Connection` are added by the server.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// A JSON body with `Content-Type: application/json; charset=utf-8`.
    pub fn json(status: u16, body: &serde_json::Value) -> Response {
        Response {
            status,
            headers: vec![(
                "Content-Type".to_string(),
                "application/json; charset=utf-8".to_string(),
            )],
            body: serde_json::to_vec(body).expect("a JSON value serialises"),
        }
    }

    /// No body (e.g. 204 No Content).
    pub fn empty(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// A `text/plain` body.
    pub fn text(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: vec![(
                "Content-Type".to_string(),
                "text/plain; charset=utf-8".to_string(),
            )],
            body: body.as_bytes().to_vec(),
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// What answers every request; it runs on the connection's thread.
pub type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

/// An HTTPS server on `127.0.0.1:<free port>`; dropping it closes the listener and every
/// open connection.
pub struct RestServer {
    port: u16,
    ca_pem: String,
    stop: Arc<AtomicBool>,
    conns: Arc<Mutex<HashMap<u64, TcpStream>>>,
    thread: Option<JoinHandle<()>>,
}

impl RestServer {
    /// Listens with a certificate for `127.0.0.1`, `::1` and `localhost` signed by a fresh CA
    /// ([`RestServer::ca_pem`]) and serves each connection on its own thread.
    pub fn start(handler: Handler) -> Result<RestServer> {
        let (tls, ca_pem) = tls_material()?;
        let listener =
            TcpListener::bind(("127.0.0.1", 0)).context("binding 127.0.0.1:0 for a REST fake")?;
        let port = listener.local_addr()?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let conns: Arc<Mutex<HashMap<u64, TcpStream>>> = Arc::default();
        let thread = {
            let (stop, conns) = (stop.clone(), conns.clone());
            std::thread::Builder::new()
                .name(format!("rest-{port}"))
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
                        let (tls, handler, conns) = (tls.clone(), handler.clone(), conns.clone());
                        let _ = std::thread::Builder::new()
                            .name(format!("rest-{port}-{id}"))
                            .spawn(move || {
                                // Errors end the connection; the client sees it closed.
                                let _ = serve(&tls, &handler, stream);
                                lock(&conns).remove(&id);
                            });
                    }
                })
                .context("starting the REST server thread")?
        };
        Ok(RestServer {
            port,
            ca_pem,
            stop,
            conns,
            thread: Some(thread),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `https://127.0.0.1:<port>`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// The CA certificate (PEM) that signed the server certificate.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }
}

impl Drop for RestServer {
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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Decodes `%XX` escapes (invalid ones are kept as they are); `+` stays `+`.
pub fn percent_decode(s: &str) -> String {
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

type TlsStream = rustls::StreamOwned<rustls::ServerConnection, TcpStream>;

fn serve(tls: &Arc<rustls::ServerConfig>, handler: &Handler, stream: TcpStream) -> Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    let conn = rustls::StreamOwned::new(rustls::ServerConnection::new(tls.clone())?, stream);
    let mut conn = BufReader::with_capacity(64 * 1024, conn);
    loop {
        let Some(head) = read_head(&mut conn)? else {
            break;
        };
        let mut keep_alive = head.version != "HTTP/1.0"
            && !head
                .header("Connection")
                .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let response = match read_body(&mut conn, &head) {
            Ok(body) => {
                let (path, query) = head.target.split_once('?').unwrap_or((&head.target, ""));
                let req = Request {
                    method: head.method.clone(),
                    path: path.to_string(),
                    query: parse_query(query),
                    headers: head.headers.clone(),
                    body,
                };
                handler(&req)
            }
            Err(e) => {
                // The connection's framing can no longer be trusted.
                keep_alive = false;
                let status = if e.to_string().contains("too large") {
                    413
                } else {
                    400
                };
                Response::json(status, &serde_json::json!({ "message": format!("{e:#}") }))
            }
        };
        write_response(conn.get_mut(), &head.method, &response, keep_alive)?;
        if !keep_alive {
            break;
        }
    }
    let s = conn.get_mut();
    s.conn.send_close_notify();
    let _ = s.flush();
    Ok(())
}

struct Head {
    method: String,
    target: String,
    version: String,
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
            // A client closing an idle keep-alive connection without close_notify.
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
        version: version.to_string(),
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

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn write_response(
    w: &mut TlsStream,
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
    let bodyless = resp.status == 204 || resp.status == 304 || resp.status < 200;
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

/// A fresh CA per server, so a test that trusts [`RestServer::ca_pem`] trusts exactly it.
fn tls_material() -> Result<(Arc<rustls::ServerConfig>, String)> {
    let ca_key = KeyPair::generate().context("generating the REST fake's CA key")?;
    let mut ca_params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "tk-testenv-rest-ca");
    ca_params.distinguished_name = dn;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params
        .self_signed(&ca_key)
        .context("self-signing the REST fake's CA")?;
    let ca_pem = ca_cert.pem();
    let issuer = Issuer::new(ca_params, ca_key);

    let key = KeyPair::generate()?;
    let mut params = CertificateParams::new(vec![
        "127.0.0.1".to_string(),
        "::1".to_string(),
        "localhost".to_string(),
    ])?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "tk-testenv-rest");
    params.distinguished_name = dn;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let cert = params
        .signed_by(&key, &issuer)
        .context("signing the REST fake's certificate")?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain: Vec<CertificateDer<'static>> = vec![cert.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("configuring TLS")?;
    // Only HTTP/1.1 is spoken; say so rather than let a client try h2.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((Arc::new(config), ca_pem))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_json_over_tls_with_keep_alive() {
        let server = RestServer::start(Arc::new(|req: &Request| {
            Response::json(
                201,
                &serde_json::json!({
                    "method": req.method,
                    "path": req.path,
                    "segments": req.segments(),
                    "page": req.query_param("page"),
                    "auth": req.header("authorization"),
                    "body": req.json().unwrap(),
                }),
            )
            .with_header("Link", "<x>; rel=\"next\"")
        }))
        .unwrap();
        let agent = ureq::Agent::config_builder()
            .tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::new_with_certs(&[
                        ureq::tls::Certificate::from_pem(server.ca_pem().as_bytes()).unwrap(),
                    ]))
                    .build(),
            )
            .http_status_as_error(false)
            .build()
            .new_agent();
        for _ in 0..2 {
            let mut resp = agent
                .post(format!("{}/a/b%2Fc?page=2&x=a+b", server.base_url()))
                .header("Authorization", "Bearer t")
                .send_json(serde_json::json!({"k": "v"}))
                .unwrap();
            assert_eq!(resp.status(), 201);
            assert_eq!(resp.headers()["link"], "<x>; rel=\"next\"");
            let v: serde_json::Value = resp.body_mut().read_json().unwrap();
            assert_eq!(v["method"], "POST");
            assert_eq!(v["path"], "/a/b%2Fc");
            assert_eq!(v["segments"], serde_json::json!(["a", "b/c"]));
            assert_eq!(v["page"], "2");
            assert_eq!(v["auth"], "Bearer t");
            assert_eq!(v["body"]["k"], "v");
        }
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%2Fb%zz%4"), "a/b%zz%4");
        assert_eq!(percent_decode("%41"), "A");
        assert_eq!(
            parse_query("a=1&b=x+y&c"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y".into()),
                ("c".into(), "".into())
            ]
        );
    }
}
