//! The registry token flow against a loopback registry that answers as Docker Hub and GHCR
//! do (the Distribution binary on the rig only speaks Basic, see crates/testenv's
//! registry): `401` with `WWW-Authenticate: Bearer realm=...,service=...,scope=...`, a token
//! service checking Basic credentials, tag lists paged with `Link`, and a chart pushed as Helm
//! pushes it.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use oci::{Client, ClientOptions, Credentials, Error, helm};
use sha2::{Digest, Sha256};

const USER: &str = "fleet";
const PASSWORD: &str = "s3cret-password";
const SERVICE: &str = "test-registry";

struct Blobs {
    /// Digest -> bytes served.
    served: HashMap<String, Vec<u8>>,
    /// Tag -> manifest body, per repository.
    manifests: HashMap<(String, String), String>,
}

struct Registry {
    port: u16,
    token_requests: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
}

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

fn chart_manifest(config: &[u8], layer_digest: &str, layer_size: usize) -> String {
    serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": { "mediaType": helm::CONFIG_MEDIA_TYPE, "digest": sha256(config), "size": config.len() },
        "layers": [{ "mediaType": helm::CHART_LAYER_MEDIA_TYPE, "digest": layer_digest, "size": layer_size }],
    })
    .to_string()
}

/// The chart archive stand-in `charts/app:<tag>` serves.
fn archive(tag: &str) -> Vec<u8> {
    format!("chart archive for {tag}").into_bytes()
}

impl Registry {
    fn start() -> Registry {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut blobs = Blobs {
            served: HashMap::new(),
            manifests: HashMap::new(),
        };
        let config = br#"{"name":"app","version":"1.1.0"}"#.to_vec();
        blobs.served.insert(sha256(&config), config.clone());
        for tag in ["1.0.0", "1.1.0", "2.0.0_build.1"] {
            let bytes = archive(tag);
            let digest = sha256(&bytes);
            blobs.manifests.insert(
                ("charts/app".into(), tag.into()),
                chart_manifest(&config, &digest, bytes.len()),
            );
            blobs.served.insert(digest, bytes);
        }
        // A chart whose layer bytes do not match the manifest's digest.
        let claimed = sha256(b"what was pushed");
        blobs.manifests.insert(
            ("charts/tampered".into(), "1.0.0".into()),
            chart_manifest(&config, &claimed, b"what was pushed".len()),
        );
        blobs.served.insert(claimed, b"what is served!".to_vec());
        // A chart layer larger than the caller's cap.
        let big = vec![b'x'; 4096];
        let big_digest = sha256(&big);
        blobs.manifests.insert(
            ("charts/big".into(), "1.0.0".into()),
            chart_manifest(&config, &big_digest, big.len()),
        );
        blobs.served.insert(big_digest, big);

        let blobs = Arc::new(blobs);
        let token_requests = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (t, r) = (token_requests.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (blobs, t, r) = (blobs.clone(), t.clone(), r.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, port, &blobs, &t, &r);
                });
            }
        });
        Registry {
            port,
            token_requests,
            requests,
        }
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

fn serve(
    mut stream: TcpStream,
    port: u16,
    blobs: &Blobs,
    token_requests: &AtomicUsize,
    requests: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut authorization = String::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':')
            && k.eq_ignore_ascii_case("authorization")
        {
            authorization = v.trim().to_string();
        }
    }
    requests.lock().unwrap().push(target.clone());
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let params: HashMap<&str, String> = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k, v.replace("%3A", ":").replace("%2F", "/")))
        .collect();
    let realm = format!("http://127.0.0.1:{port}/token");
    let challenge = |scope: Option<&str>| {
        let mut c = format!("Bearer realm=\"{realm}\",service=\"{SERVICE}\"");
        if let Some(s) = scope {
            c.push_str(&format!(",scope=\"{s}\""));
        }
        c
    };
    let unauthorized = |scope: Option<&str>| {
        (
            "401 Unauthorized",
            vec![("WWW-Authenticate".to_string(), challenge(scope))],
            br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#.to_vec(),
            "application/json",
        )
    };
    let token_for = |scope: &str| format!("token-{}", scope.replace([':', '/'], "-"));

    let (status, headers, body, content_type) = if path == "/token" {
        token_requests.fetch_add(1, Ordering::SeqCst);
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
        );
        if params.get("service").map(String::as_str) != Some(SERVICE) {
            (
                "400 Bad Request",
                vec![],
                b"bad service".to_vec(),
                "text/plain",
            )
        } else if authorization != expected {
            (
                "401 Unauthorized",
                vec![],
                br#"{"errors":[{"code":"UNAUTHORIZED","message":"incorrect username or password"}]}"#
                    .to_vec(),
                "application/json",
            )
        } else {
            let scope = params.get("scope").cloned().unwrap_or_default();
            (
                "200 OK",
                vec![],
                serde_json::json!({ "token": token_for(&scope), "expires_in": 300 })
                    .to_string()
                    .into_bytes(),
                "application/json",
            )
        }
    } else if path == "/v2/" {
        if authorization == format!("Bearer {}", token_for("")) {
            ("200 OK", vec![], b"{}".to_vec(), "application/json")
        } else {
            unauthorized(None)
        }
    } else if let Some(rest) = path.strip_prefix("/v2/") {
        let (repo, kind, reference) = if let Some(i) = rest.find("/manifests/") {
            (&rest[..i], "manifests", &rest[i + "/manifests/".len()..])
        } else if let Some(i) = rest.find("/blobs/") {
            (&rest[..i], "blobs", &rest[i + "/blobs/".len()..])
        } else if let Some(repo) = rest.strip_suffix("/tags/list") {
            (repo, "tags", "")
        } else {
            ("", "", "")
        };
        let scope = format!("repository:{repo}:pull");
        if authorization != format!("Bearer {}", token_for(&scope)) {
            unauthorized(Some(&scope))
        } else {
            match kind {
                "tags" => {
                    // Two pages: the second one's link is relative, as Distribution writes it.
                    if params.contains_key("last") {
                        (
                            "200 OK",
                            vec![],
                            serde_json::json!({ "name": repo, "tags": ["2.0.0_build.1", "latest"] })
                                .to_string()
                                .into_bytes(),
                            "application/json",
                        )
                    } else {
                        (
                            "200 OK",
                            vec![(
                                "Link".to_string(),
                                format!("</v2/{repo}/tags/list?last=1.1.0&n=2>; rel=\"next\""),
                            )],
                            serde_json::json!({ "name": repo, "tags": ["1.0.0", "1.1.0"] })
                                .to_string()
                                .into_bytes(),
                            "application/json",
                        )
                    }
                }
                "manifests" => match blobs
                    .manifests
                    .get(&(repo.to_string(), reference.to_string()))
                {
                    Some(m) => (
                        "200 OK",
                        vec![("Docker-Content-Digest".to_string(), sha256(m.as_bytes()))],
                        m.clone().into_bytes(),
                        "application/vnd.oci.image.manifest.v1+json",
                    ),
                    None => (
                        "404 Not Found",
                        vec![],
                        br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#
                            .to_vec(),
                        "application/json",
                    ),
                },
                "blobs" => match blobs.served.get(reference) {
                    Some(b) => ("200 OK", vec![], b.clone(), "application/octet-stream"),
                    None => ("404 Not Found", vec![], Vec::new(), "text/plain"),
                },
                _ => ("404 Not Found", vec![], Vec::new(), "text/plain"),
            }
        }
    } else {
        ("404 Not Found", vec![], Vec::new(), "text/plain")
    };
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(&body)?;
    stream.flush()
}

fn client(registry: &Registry, password: &str) -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::new(
        &registry.host(),
        ClientOptions {
            plain_http: true,
            credentials: Some(Credentials::basic(USER, password)),
            ..ClientOptions::default()
        },
    )
    .unwrap()
}

#[tokio::test]
async fn token_flow_pages_tags_and_pulls_a_verified_chart() {
    let registry = Registry::start();
    let client = client(&registry, PASSWORD);
    client.ping().await.unwrap();

    let tags = client.tags("charts/app").await.unwrap();
    assert_eq!(tags, ["1.0.0", "1.1.0", "2.0.0_build.1", "latest"]);
    let versions = helm::chart_versions(&tags);
    assert_eq!(versions, ["2.0.0+build.1", "1.1.0", "1.0.0"]);
    assert_eq!(helm::select_version(&versions, "1.x").unwrap(), "1.1.0");

    // `+` in the version is `_` in the tag.
    let pulled = helm::pull_chart(&client, "charts/app", "2.0.0+build.1", 1 << 20)
        .await
        .unwrap();
    assert_eq!(pulled.archive, archive("2.0.0_build.1"));
    assert_eq!(pulled.layer.media_type, helm::CHART_LAYER_MEDIA_TYPE);
    let pulled = helm::pull_chart(&client, "charts/app", "1.0.0", 1 << 20)
        .await
        .unwrap();
    assert_eq!(pulled.archive, archive("1.0.0"));

    // One token for the login, one for the repository: both reused afterwards.
    assert_eq!(registry.token_requests.load(Ordering::SeqCst), 2);
    let requests = registry.requests.lock().unwrap().clone();
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("/token?")
                && r.contains("scope=repository%3Acharts%2Fapp%3Apull")),
        "{requests:#?}"
    );
}

#[tokio::test]
async fn wrong_credentials_fail_the_login_without_showing_the_password() {
    let registry = Registry::start();
    let client = client(&registry, "wrong-password");
    let err = client.ping().await.unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("the token service answered 401 Unauthorized"),
        "{message}"
    );
    assert!(
        message.contains("incorrect username or password"),
        "{message}"
    );
    assert!(!message.contains("wrong-password"), "{message}");
    assert!(!message.contains("scope="), "query shown: {message}");
}

#[tokio::test]
async fn anonymous_clients_are_told_credentials_are_needed() {
    let registry = Registry::start();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = Client::new(
        &registry.host(),
        ClientOptions {
            plain_http: true,
            ..ClientOptions::default()
        },
    )
    .unwrap();
    let err = client.tags("charts/app").await.unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
}

#[tokio::test]
async fn tampered_and_oversized_layers_are_refused() {
    let registry = Registry::start();
    let client = client(&registry, PASSWORD);
    let err = helm::pull_chart(&client, "charts/tampered", "1.0.0", 1 << 20)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::DigestMismatch { .. }), "{err:?}");

    let before = registry.requests.lock().unwrap().len();
    let err = helm::pull_chart(&client, "charts/big", "1.0.0", 1024)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TooLarge { cap: 1024, .. }), "{err:?}");
    // Refused from the descriptor: the blob itself was never asked for.
    let after = registry.requests.lock().unwrap()[before..].to_vec();
    assert!(!after.iter().any(|r| r.contains("/blobs/")), "{after:#?}");

    let err = helm::pull_chart(&client, "charts/app", "9.9.9", 1 << 20)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(err.to_string().contains("MANIFEST_UNKNOWN"), "{err}");
}
