//! Pushing to an in-memory registry that speaks the distribution spec's upload flow as
//! Distribution does (Basic authentication, `POST` an upload, `PUT` it with `?digest=`, a
//! relative `Location` carrying state in its query, `PUT` a manifest), then pulling the
//! artifact back; and reaching a registry through an HTTP proxy.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use base64::Engine;
use oci::{Client, ClientOptions, Credentials, Error, Proxy, flux};
use sha2::{Digest, Sha256};

const USER: &str = "fleet";
const PASSWORD: &str = "s3cret";

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

fn basic(user: &str, password: &str) -> String {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {token}")
}

/// How the registry misbehaves, to see the client notice.
#[derive(Clone, Copy, Default)]
struct Quirks {
    /// Upload locations point at `localhost` (another origin than `127.0.0.1`), where
    /// uploads are taken without credentials, as a storage backend would.
    foreign_uploads: bool,
    /// `HEAD` on a manifest answers without `Docker-Content-Digest`.
    quiet_head: bool,
    /// The manifest digest reported after a `PUT` is not the one of the bytes sent.
    wrong_manifest_digest: bool,
    /// Only requests through a proxy with these credentials are served.
    proxy_auth: Option<(&'static str, &'static str)>,
}

#[derive(Default)]
struct State {
    blobs: HashMap<String, Vec<u8>>,
    /// (repository, tag or digest) -> (content type, body).
    manifests: HashMap<(String, String), (String, Vec<u8>)>,
    /// `METHOD target authorization?` of every request, in order.
    log: Vec<String>,
}

struct Registry {
    port: u16,
    state: Arc<Mutex<State>>,
}

impl Registry {
    fn start(quirks: Quirks) -> Registry {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let state = shared.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, port, quirks, &state);
                });
            }
        });
        Registry { port, state }
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn log(&self) -> Vec<String> {
        self.state.lock().unwrap().log.clone()
    }
}

struct Answer {
    status: &'static str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn answer(status: &'static str) -> Answer {
    Answer {
        status,
        headers: Vec::new(),
        body: Vec::new(),
    }
}

fn error(status: &'static str, code: &str, message: &str) -> Answer {
    Answer {
        body: serde_json::json!({ "errors": [{ "code": code, "message": message }] })
            .to_string()
            .into_bytes(),
        ..answer(status)
    }
}

fn serve(
    mut stream: TcpStream,
    port: u16,
    quirks: Quirks,
    state: &Mutex<State>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let mut target = parts.next().unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let authorization = headers.get("authorization").cloned().unwrap_or_default();
    state.lock().unwrap().log.push(format!(
        "{method} {target} {}",
        if authorization.is_empty() {
            "anonymous"
        } else {
            "authorized"
        }
    ));

    let proxied = target.starts_with("http://");
    if let Some(rest) = target.strip_prefix("http://") {
        target = format!("/{}", rest.split_once('/').map_or("", |(_, path)| path));
    }
    let reply = if let Some((user, password)) = quirks.proxy_auth {
        if !proxied {
            error(
                "400 Bad Request",
                "NOT_PROXIED",
                "expected a proxied request",
            )
        } else if headers.get("proxy-authorization") != Some(&basic(user, password)) {
            let mut a = error("407 Proxy Authentication Required", "PROXY", "who are you");
            a.headers
                .push(("Proxy-Authenticate".into(), "Basic realm=\"proxy\"".into()));
            a
        } else {
            route(&method, &target, &body, port, quirks, state)
        }
    } else {
        let (path, _) = target.split_once('?').unwrap_or((&target, ""));
        let foreign_upload = quirks.foreign_uploads
            && headers
                .get("host")
                .is_some_and(|h| h.starts_with("localhost"))
            && path.contains("/blobs/uploads/");
        if authorization != basic(USER, PASSWORD) && !foreign_upload {
            let mut a = error(
                "401 Unauthorized",
                "UNAUTHORIZED",
                "authentication required",
            );
            a.headers.push((
                "WWW-Authenticate".into(),
                "Basic realm=\"test-registry\"".into(),
            ));
            a
        } else {
            route(&method, &target, &body, port, quirks, state)
        }
    };
    let mut head = format!(
        "HTTP/1.1 {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reply.body.len()
    );
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if method != "HEAD" {
        stream.write_all(&reply.body)?;
    }
    stream.flush()
}

fn route(
    method: &str,
    target: &str,
    body: &[u8],
    port: u16,
    quirks: Quirks,
    state: &Mutex<State>,
) -> Answer {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let params: HashMap<&str, String> = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k, v.replace("%3A", ":")))
        .collect();
    let mut state = state.lock().unwrap();
    if path == "/v2/" {
        return answer("200 OK");
    }
    let Some(rest) = path.strip_prefix("/v2/") else {
        return answer("404 Not Found");
    };
    if let Some(repo) = rest.strip_suffix("/blobs/uploads/") {
        if method != "POST" {
            return answer("405 Method Not Allowed");
        }
        let host = if quirks.foreign_uploads {
            format!("http://localhost:{port}")
        } else {
            String::new()
        };
        let mut a = answer("202 Accepted");
        a.headers.push((
            "Location".into(),
            format!("{host}/v2/{repo}/blobs/uploads/u-1?_state=opaque"),
        ));
        return a;
    }
    if let Some(i) = rest.find("/blobs/uploads/") {
        let repo = &rest[..i];
        if method != "PUT" || params.get("_state").map(String::as_str) != Some("opaque") {
            return error(
                "400 Bad Request",
                "BLOB_UPLOAD_INVALID",
                "lost upload state",
            );
        }
        let digest = params.get("digest").cloned().unwrap_or_default();
        if sha256(body) != digest {
            return error("400 Bad Request", "DIGEST_INVALID", "digest did not match");
        }
        state.blobs.insert(digest.clone(), body.to_vec());
        let mut a = answer("201 Created");
        a.headers
            .push(("Location".into(), format!("/v2/{repo}/blobs/{digest}")));
        return a;
    }
    if let Some(i) = rest.find("/blobs/") {
        let digest = &rest[i + "/blobs/".len()..];
        return match state.blobs.get(digest) {
            Some(blob) => Answer {
                body: blob.clone(),
                ..answer("200 OK")
            },
            None => error("404 Not Found", "BLOB_UNKNOWN", "blob unknown to registry"),
        };
    }
    if let Some(i) = rest.find("/manifests/") {
        let repo = rest[..i].to_string();
        let reference = rest[i + "/manifests/".len()..].to_string();
        if method == "PUT" {
            let digest = sha256(body);
            let stored = (
                "application/vnd.oci.image.manifest.v1+json".to_string(),
                body.to_vec(),
            );
            state
                .manifests
                .insert((repo.clone(), reference), stored.clone());
            state.manifests.insert((repo, digest.clone()), stored);
            let reported = if quirks.wrong_manifest_digest {
                sha256(b"something else")
            } else {
                digest
            };
            let mut a = answer("201 Created");
            a.headers.push(("Docker-Content-Digest".into(), reported));
            return a;
        }
        return match state.manifests.get(&(repo, reference)) {
            Some((content_type, manifest)) => {
                let mut a = Answer {
                    body: manifest.clone(),
                    ..answer("200 OK")
                };
                a.headers
                    .push(("Content-Type".into(), content_type.clone()));
                if !(method == "HEAD" && quirks.quiet_head) {
                    a.headers
                        .push(("Docker-Content-Digest".into(), sha256(manifest)));
                }
                a
            }
            None => error("404 Not Found", "MANIFEST_UNKNOWN", "manifest unknown"),
        };
    }
    answer("404 Not Found")
}

fn client(host: &str, options: ClientOptions) -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::new(
        host,
        ClientOptions {
            plain_http: true,
            credentials: Some(Credentials::basic(USER, PASSWORD)),
            ..options
        },
    )
    .unwrap()
}

fn metadata(created: &str) -> flux::Metadata {
    flux::Metadata {
        created: created.into(),
        source: "https://example.com/app.git".into(),
        revision: "main@sha1:0123456789abcdef".into(),
        annotations: Default::default(),
    }
}

#[tokio::test]
async fn pushes_a_flux_artifact_and_pulls_it_back() {
    let registry = Registry::start(Quirks::default());
    let client = client(&registry.host(), ClientOptions::default());
    let content = b"a tar.gz of the manifests".to_vec();
    let pushed = client
        .push_image(
            "org/app",
            "latest",
            flux::artifact(content.clone(), &metadata("2025-01-01T00:00:00Z")),
        )
        .await
        .unwrap();

    // The tag resolves to the pushed manifest, by HEAD.
    let digest = client.manifest_digest("org/app", "latest").await.unwrap();
    assert_eq!(digest, pushed.digest);
    let pulled = client.manifest("org/app", &digest).await.unwrap();
    assert_eq!(pulled, pushed);
    assert_eq!(pulled.config.media_type, flux::CONFIG_MEDIA_TYPE);
    assert_eq!(pulled.layers.len(), 1);
    assert_eq!(pulled.layers[0].media_type, flux::CONTENT_MEDIA_TYPE);
    assert_eq!(pulled.layers[0].digest, sha256(&content));
    assert_eq!(
        pulled.annotations[flux::REVISION_ANNOTATION],
        "main@sha1:0123456789abcdef"
    );
    assert_eq!(
        pulled.annotations[flux::CREATED_ANNOTATION],
        "2025-01-01T00:00:00Z"
    );
    let blob = client
        .blob("org/app", &pulled.layers[0], 1 << 20, "layer")
        .await
        .unwrap();
    assert_eq!(blob, content);
    let config = client
        .blob("org/app", &pulled.config, 1 << 20, "config")
        .await
        .unwrap();
    assert_eq!(config, b"{}");
    let log = registry.log();
    assert!(
        log.iter()
            .any(|l| l.starts_with("PUT /v2/org/app/blobs/uploads/u-1?_state=opaque&digest=")),
        "the upload keeps the registry's query state: {log:#?}"
    );

    // The same content again: its blobs are there, only a new manifest is written (the
    // creation time differs), under the same tag.
    let before = registry.log().len();
    let again = client
        .push_image(
            "org/app",
            "latest",
            flux::artifact(content.clone(), &metadata("2025-01-02T00:00:00Z")),
        )
        .await
        .unwrap();
    assert_ne!(again.digest, pushed.digest);
    let after = registry.log()[before..].to_vec();
    assert!(!after.iter().any(|l| l.starts_with("POST")), "{after:#?}");
    assert_eq!(
        client.manifest_digest("org/app", "latest").await.unwrap(),
        again.digest
    );
}

#[tokio::test]
async fn a_missing_tag_says_what_the_registry_said() {
    let registry = Registry::start(Quirks {
        quiet_head: true,
        ..Quirks::default()
    });
    let client = client(&registry.host(), ClientOptions::default());
    let pushed = client
        .push_image(
            "org/app",
            "v1",
            flux::artifact(b"content".to_vec(), &metadata("now")),
        )
        .await
        .unwrap();
    // Without a digest in the HEAD answer, the manifest itself is read.
    let before = registry.log().len();
    assert_eq!(
        client.manifest_digest("org/app", "v1").await.unwrap(),
        pushed.digest
    );
    let after = registry.log()[before..].to_vec();
    assert!(
        after[0].starts_with("HEAD /v2/org/app/manifests/v1"),
        "{after:#?}"
    );
    assert!(
        after[1].starts_with("GET /v2/org/app/manifests/v1"),
        "{after:#?}"
    );

    let err = client.manifest_digest("org/app", "v2").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(err.to_string().contains("MANIFEST_UNKNOWN"), "{err}");
    assert!(
        client
            .manifest_digest("org/app", "-bad")
            .await
            .unwrap_err()
            .to_string()
            .contains("invalid OCI reference '-bad'")
    );
}

#[tokio::test]
async fn a_manifest_stored_under_another_digest_is_an_error() {
    let registry = Registry::start(Quirks {
        wrong_manifest_digest: true,
        ..Quirks::default()
    });
    let client = client(&registry.host(), ClientOptions::default());
    let err = client
        .push_image(
            "org/app",
            "v1",
            flux::artifact(b"content".to_vec(), &metadata("now")),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::DigestMismatch { .. }), "{err:?}");
}

#[tokio::test]
async fn credentials_stay_with_the_registry_when_uploads_go_elsewhere() {
    let registry = Registry::start(Quirks {
        foreign_uploads: true,
        ..Quirks::default()
    });
    let client = client(&registry.host(), ClientOptions::default());
    client
        .push_image(
            "org/app",
            "v1",
            flux::artifact(b"content".to_vec(), &metadata("now")),
        )
        .await
        .unwrap();
    let log = registry.log();
    let uploads: Vec<&String> = log
        .iter()
        .filter(|l| l.starts_with("PUT /v2/org/app/blobs/uploads/"))
        .collect();
    assert_eq!(uploads.len(), 2, "{log:#?}");
    assert!(uploads.iter().all(|l| l.ends_with("anonymous")), "{log:#?}");
    assert!(
        log.iter()
            .any(|l| l.starts_with("PUT /v2/org/app/manifests/v1") && l.ends_with("authorized")),
        "{log:#?}"
    );
}

#[tokio::test]
async fn requests_go_through_the_proxy_with_its_credentials() {
    let proxy = Registry::start(Quirks {
        proxy_auth: Some(("proxy-user", "proxy-pass")),
        ..Quirks::default()
    });
    let through = |password: &str| {
        client(
            // Only the proxy can reach this name.
            "registry.invalid:5000",
            ClientOptions {
                proxy: Some(Proxy {
                    url: format!("http://{}", proxy.host()),
                    username: Some("proxy-user".into()),
                    password: Some(password.into()),
                }),
                ..ClientOptions::default()
            },
        )
    };
    through("proxy-pass").ping().await.unwrap();
    assert!(
        proxy.log()[0].starts_with("GET http://registry.invalid:5000/v2/ "),
        "{:#?}",
        proxy.log()
    );
    let err = through("wrong").ping().await.unwrap_err();
    assert!(err.to_string().contains("407"), "{err}");

    let _ = rustls::crypto::ring::default_provider().install_default();
    let err = Client::new(
        "registry.invalid:5000",
        ClientOptions {
            proxy: Some(Proxy {
                url: "not a url".into(),
                username: None,
                password: None,
            }),
            ..ClientOptions::default()
        },
    )
    .err()
    .unwrap();
    assert!(
        err.to_string()
            .contains("the proxy address is not a valid URL"),
        "{err}"
    );
}

#[test]
fn proxy_passwords_stay_out_of_debug_output() {
    let proxy = Proxy {
        url: "http://proxy:3128".into(),
        username: Some("u".into()),
        password: Some("hunter2".into()),
    };
    assert!(!format!("{proxy:?}").contains("hunter2"));
}
