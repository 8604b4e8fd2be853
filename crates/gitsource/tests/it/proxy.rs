//! HTTPS through an authenticating HTTP CONNECT proxy (`spec.proxySecretRef`). The proxy is
//! a real one on loopback: it checks `Proxy-Authorization` and tunnels bytes to the server.

use crate::{fixture, tls_http};
use base64::Engine as _;
use gitsource::{Auth, CheckoutOptions, Error, Options, Proxy, Reference, checkout, ls_remote};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const PROXY_USER: &str = "proxy-user";
const PROXY_PASSWORD: &str = "proxy-pa55";

/// Returns the proxy's port and how many tunnels it opened.
fn start_proxy() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let tunnels = Arc::new(AtomicUsize::new(0));
    let counter = tunnels.clone();
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{PROXY_USER}:{PROXY_PASSWORD}"))
    );
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let (expected, counter) = (expected.clone(), counter.clone());
            std::thread::spawn(move || serve(client, &expected, &counter));
        }
    });
    (port, tunnels)
}

fn serve(client: TcpStream, expected: &str, tunnels: &AtomicUsize) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    loop {
        let mut request = String::new();
        let mut authorized = false;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case("proxy-authorization")
            {
                authorized = v.trim() == expected;
            }
            if request.is_empty() {
                request = line;
            }
        }
        let mut out = client.try_clone().unwrap();
        let target = match request.split_whitespace().collect::<Vec<_>>()[..] {
            ["CONNECT", target, _] => target.to_string(),
            _ => {
                let _ =
                    out.write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
                return;
            }
        };
        if !authorized {
            let _ = out.write_all(
                b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"tk\"\r\nContent-Length: 0\r\n\r\n",
            );
            continue;
        }
        let Ok(upstream) = TcpStream::connect(&target) else {
            let _ = out.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
            return;
        };
        tunnels.fetch_add(1, Ordering::SeqCst);
        out.write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            .unwrap();
        let mut up_read = upstream.try_clone().unwrap();
        let down = std::thread::spawn(move || std::io::copy(&mut up_read, &mut out));
        let mut up_write = upstream;
        let _ = std::io::copy(&mut reader, &mut up_write);
        let _ = up_write.shutdown(std::net::Shutdown::Write);
        let _ = down.join();
        return;
    }
}

#[test]
fn https_through_an_authenticating_proxy() {
    let f = fixture("proxy");
    let server = tls_http();
    let url = server.url(f.repo.name());
    let (port, tunnels) = start_proxy();
    let auth = Auth {
        ca_pem: Some(server.ca_pem().unwrap().to_string()),
        proxy: Some(Proxy {
            url: format!("http://127.0.0.1:{port}"),
            username: Some(PROXY_USER.into()),
            password: Some(PROXY_PASSWORD.into()),
        }),
        ..Default::default()
    };
    let head = ls_remote(&url, &Reference::branch("main"), &auth, &Options::default()).unwrap();
    assert_eq!(head.revision, format!("main@sha1:{}", f.second));
    let dir = tempfile::tempdir().unwrap();
    checkout(
        &url,
        &Reference::branch("main"),
        &auth,
        &dir.path().join("co"),
        &CheckoutOptions::default(),
    )
    .unwrap();
    assert!(tunnels.load(Ordering::SeqCst) >= 2);

    let mut wrong = auth.clone();
    wrong.proxy.as_mut().unwrap().password = Some("bad-proxy-pass".into());
    let before = tunnels.load(Ordering::SeqCst);
    let err = ls_remote(
        &url,
        &Reference::branch("main"),
        &wrong,
        &Options::default(),
    )
    .unwrap_err();
    assert!(
        !format!("{err} {err:?}").contains("bad-proxy-pass"),
        "{err:?}"
    );
    assert!(matches!(err, Error::AuthenticationFailed { .. }), "{err:?}");
    assert!(err.to_string().contains("proxy authentication"), "{err}");
    assert_eq!(
        tunnels.load(Ordering::SeqCst),
        before,
        "no tunnel without proxy credentials"
    );
}
