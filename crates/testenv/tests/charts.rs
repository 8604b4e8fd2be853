//! The chart repository server against ureq, raw sockets and the real `helm` client.

use base64::Engine;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;
use testenv::Credentials;
use testenv::charts::{
    ChartRepo, ChartRepoOptions, ChartRepoServer, OVERSIZED_BYTES, RequestRecord, TlsOptions,
    write_chart, write_test_chart,
};
use testenv::ureq::{self, Agent};
use ureq::tls::{Certificate, ClientCert, PrivateKey, RootCerts, TlsConfig, TlsProvider};

fn config() -> ureq::config::ConfigBuilder<ureq::typestate::AgentScope> {
    Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(30)))
}

fn plain_agent() -> Agent {
    config().build().into()
}

/// An agent trusting `ca_pem` (else the web roots) and presenting `client` when given.
fn tls_agent(ca_pem: Option<&str>, client: Option<&Credentials>) -> Agent {
    let mut tls = TlsConfig::builder().provider(TlsProvider::Rustls);
    if let Some(ca) = ca_pem {
        let ca = Certificate::from_pem(ca.as_bytes()).unwrap();
        tls = tls.root_certs(RootCerts::new_with_certs(&[ca]));
    }
    if let Some(c) = client {
        let cert = Certificate::from_pem(c.cert_pem.as_bytes()).unwrap();
        let key = PrivateKey::from_pem(c.key_pem.as_bytes()).unwrap();
        tls = tls.client_cert(Some(ClientCert::new_with_certs(&[cert], key)));
    }
    config().tls_config(tls.build()).build().into()
}

struct Answer {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn basic(user: &str, pass: &str) -> String {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
    format!("Basic {token}")
}

fn try_get(agent: &Agent, url: &str, auth: Option<&str>) -> Result<Answer, ureq::Error> {
    let mut req = agent.get(url);
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    let mut resp = req.call()?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.body_mut().read_to_vec()?;
    Ok(Answer {
        status,
        headers,
        body,
    })
}

fn get(agent: &Agent, url: &str, auth: Option<&str>) -> Answer {
    try_get(agent, url, auth).unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

/// Sends `request` verbatim on a plain connection and reads until the server closes it.
fn raw(port: u16, request: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

fn raw_get(port: u16, path: &str) -> String {
    raw(
        port,
        &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
    )
}

fn status_of(response: &str) -> u16 {
    response
        .strip_prefix("HTTP/1.1 ")
        .and_then(|r| r.get(..3))
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP/1.1 response: {response:?}"))
}

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn podinfo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/helm/charts/podinfo")
}

/// A repository holding `hello` 0.1.0 (made by write_test_chart).
fn hello_repo() -> (ChartRepo, tempfile::TempDir, PathBuf) {
    let repo = ChartRepo::new().unwrap_or_else(|e| panic!("{e:#}"));
    let src = tempfile::tempdir().unwrap();
    let chart = write_test_chart(src.path(), "hello", "0.1.0").unwrap();
    let tgz = repo.add_chart(&chart, None, None).unwrap();
    (repo, src, tgz)
}

fn helm(repo: &ChartRepo, args: &[&str]) -> Output {
    repo.helm_command()
        .args(args)
        .output()
        .expect("running helm")
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "helm failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn failed(out: Output) -> String {
    assert!(
        !out.status.success(),
        "helm succeeded but should not have:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `helm pull --repo <url> <chart> --version <v>` into a fresh directory, with `extra`
/// arguments; the pulled archive on success.
fn helm_pull(
    repo: &ChartRepo,
    url: &str,
    chart: &str,
    version: &str,
    extra: &[&str],
) -> (Output, PathBuf, tempfile::TempDir) {
    let out_dir = tempfile::tempdir().unwrap();
    let dest = out_dir.path().to_str().unwrap().to_string();
    let mut args = vec![
        "pull",
        "--repo",
        url,
        chart,
        "--version",
        version,
        "-d",
        &dest,
    ];
    args.extend_from_slice(extra);
    let out = helm(repo, &args);
    let tgz = out_dir.path().join(format!("{chart}-{version}.tgz"));
    (out, tgz, out_dir)
}

fn summary(records: &[RequestRecord]) -> Vec<(String, String, u16, bool, bool)> {
    records
        .iter()
        .map(|r| {
            (
                r.method.clone(),
                r.path.clone(),
                r.status,
                r.authorized,
                r.had_auth_header,
            )
        })
        .collect()
}

fn rec(method: &str, path: &str, status: u16, authorized: bool, had_auth: bool) -> RecordTuple {
    (
        method.to_string(),
        path.to_string(),
        status,
        authorized,
        had_auth,
    )
}

type RecordTuple = (String, String, u16, bool, bool);

#[test]
fn serves_charts_and_an_index_made_by_helm() {
    let repo = ChartRepo::new().unwrap_or_else(|e| panic!("{e:#}"));
    let src = tempfile::tempdir().unwrap();
    let chart = write_test_chart(src.path(), "hello", "0.1.0").unwrap();
    let hello1 = repo.add_chart(&chart, None, None).unwrap();
    let hello2 = repo
        .add_chart(&chart, Some("0.2.0"), Some("2.0.0"))
        .unwrap();
    let podinfo = repo.add_chart(&podinfo(), None, None).unwrap();
    assert_eq!(hello1, repo.path().join("hello-0.1.0.tgz"));
    assert_eq!(hello2, repo.path().join("hello-0.2.0.tgz"));
    assert_eq!(podinfo, repo.path().join("podinfo-6.14.1.tgz"));

    let server = repo
        .serve(&ChartRepoOptions::default())
        .unwrap_or_else(|e| panic!("{e:#}"));
    let url = server.url();
    assert_eq!(url, format!("http://127.0.0.1:{}", server.port()));
    assert!(!server.is_tls() && server.ca_pem().is_none());

    let agent = plain_agent();
    let index = get(&agent, &format!("{url}/index.yaml"), None);
    assert_eq!(index.status, 200);
    assert_eq!(index.header("content-type"), Some("application/x-yaml"));
    assert_eq!(
        index.header("content-length"),
        Some(index.body.len().to_string().as_str())
    );
    let doc = yaml(&index.text());
    let hello = doc["entries"]["hello"].as_array().expect("hello entries");
    let mut versions: Vec<(&str, &str, &str)> = hello
        .iter()
        .map(|e| {
            (
                e["version"].as_str().unwrap(),
                e["appVersion"].as_str().unwrap(),
                e["urls"][0].as_str().unwrap(),
            )
        })
        .collect();
    versions.sort();
    let (u1, u2) = (
        format!("{url}/hello-0.1.0.tgz"),
        format!("{url}/hello-0.2.0.tgz"),
    );
    assert_eq!(
        versions,
        [
            ("0.1.0", "0.1.0", u1.as_str()),
            ("0.2.0", "2.0.0", u2.as_str())
        ]
    );
    assert_eq!(doc["entries"]["podinfo"][0]["version"], "6.14.1");

    for (path, file) in [
        ("hello-0.2.0.tgz", &hello2),
        ("podinfo-6.14.1.tgz", &podinfo),
    ] {
        let got = get(&agent, &format!("{url}/{path}"), None);
        assert_eq!(got.status, 200, "{path}");
        assert_eq!(got.header("content-type"), Some("application/gzip"));
        assert_eq!(got.body, std::fs::read(file).unwrap(), "{path}");
    }

    // The real client: index first, then the archive its entry names.
    server.clear_requests();
    let (out, pulled, _keep) = helm_pull(&repo, &url, "hello", "0.2.0", &[]);
    ok(out);
    assert_eq!(
        std::fs::read(&pulled).unwrap(),
        std::fs::read(&hello2).unwrap()
    );
    assert_eq!(
        summary(&server.requests()),
        [
            rec("GET", "/index.yaml", 200, true, false),
            rec("GET", "/hello-0.2.0.tgz", 200, true, false),
        ]
    );
    let (out, _, _keep) = helm_pull(&repo, &url, "hello", "9.9.9", &[]);
    let err = failed(out);
    assert!(err.contains("9.9.9"), "{err}");
}

#[test]
fn the_test_chart_renders_a_deployment_a_service_and_a_test_hook() {
    let repo = ChartRepo::new().unwrap_or_else(|e| panic!("{e:#}"));
    let src = tempfile::tempdir().unwrap();
    let chart = write_test_chart(src.path(), "hello", "1.2.3").unwrap();
    assert_eq!(chart, src.path().join("hello"));
    let out = ok(helm(
        &repo,
        &[
            "template",
            "rel",
            chart.to_str().unwrap(),
            "--set",
            "replicaCount=3,message=hi there",
        ],
    ));
    let docs: Vec<Value> = out
        .split("\n---")
        .filter(|d| d.lines().any(|l| l.starts_with("kind:")))
        .map(yaml)
        .collect();
    let kinds: Vec<(&str, &str)> = docs
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap(),
                d["metadata"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("Service", "rel"),
            ("Deployment", "rel"),
            ("Pod", "rel-test")
        ],
        "{out}"
    );
    let deploy = &docs[1];
    assert_eq!(deploy["spec"]["replicas"], 3);
    assert_eq!(
        deploy["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"],
        "hi there"
    );
    assert_eq!(deploy["metadata"]["labels"]["helm.sh/chart"], "hello-1.2.3");
    assert_eq!(docs[2]["metadata"]["annotations"]["helm.sh/hook"], "test");
    assert!(
        !ok(helm(
            &repo,
            &["template", "rel", chart.to_str().unwrap(), "--skip-tests"]
        ))
        .contains("rel-test"),
        "--skip-tests drops the hook"
    );

    // write_chart refuses names and template paths that leave their directory.
    assert!(write_chart(src.path(), "../x", "1.0.0", &[], "").is_err());
    assert!(write_chart(src.path(), "x", "1.0.0", &[("../../evil.yaml", "")], "").is_err());
    assert!(!src.path().join("evil.yaml").exists());
}

#[test]
fn head_answers_headers_only() {
    let (repo, _src, tgz) = hello_repo();
    let server = repo.serve(&ChartRepoOptions::default()).unwrap();
    let size = std::fs::metadata(&tgz).unwrap().len();

    let agent = plain_agent();
    let resp = agent
        .head(format!("{}/hello-0.1.0.tgz", server.url()))
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(
        resp.headers().get("content-length").unwrap(),
        size.to_string().as_str()
    );

    // Two requests on one connection: had HEAD sent a body, it would sit where the second
    // response must start.
    let out = raw(
        server.port(),
        "HEAD /hello-0.1.0.tgz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n\
         HEAD /nope.tgz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    );
    let (first, second) = out.split_once("\r\n\r\n").unwrap();
    assert!(first.starts_with("HTTP/1.1 200 OK"), "{out}");
    assert!(
        first
            .lines()
            .any(|l| l == format!("Content-Length: {size}")),
        "{first}"
    );
    assert!(second.starts_with("HTTP/1.1 404 Not Found\r\n"), "{out:?}");
    assert!(
        second.ends_with("\r\n\r\n"),
        "a body after HEAD: {second:?}"
    );
    assert_eq!(
        summary(&server.requests()),
        [
            rec("HEAD", "/hello-0.1.0.tgz", 200, true, false),
            rec("HEAD", "/hello-0.1.0.tgz", 200, true, false),
            rec("HEAD", "/nope.tgz", 404, true, false),
        ]
    );
}

#[test]
fn missing_files_and_directories_are_not_found() {
    let (repo, _src, _) = hello_repo();
    std::fs::create_dir(repo.path().join("sub")).unwrap();
    let server = repo.serve(&ChartRepoOptions::default()).unwrap();
    let agent = plain_agent();
    for path in ["/nope-1.0.0.tgz", "/", "/sub", "/sub/", "/index.yaml/x"] {
        let got = get(&agent, &format!("{}{path}", server.url()), None);
        assert_eq!(got.status, 404, "{path}: {}", got.text());
    }
    assert_eq!(
        get(&agent, &format!("{}/index.yaml?x=1", server.url()), None).status,
        200,
        "the query is not part of the path"
    );
    let post = agent
        .post(format!("{}/index.yaml", server.url()))
        .send("x")
        .unwrap();
    assert_eq!(post.status().as_u16(), 405);
    assert_eq!(post.headers().get("allow").unwrap(), "GET, HEAD");
    assert_eq!(
        status_of(&raw(server.port(), "GET index.yaml HTTP/1.1\r\n\r\n")),
        400
    );
}

#[test]
fn paths_leading_out_of_the_directory_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let served = root.path().join("repo");
    std::fs::create_dir_all(served.join("sub")).unwrap();
    std::fs::write(root.path().join("secret.txt"), "top secret\n").unwrap();
    std::fs::write(served.join("sub/ok.yaml"), "fine: true\n").unwrap();
    std::fs::write(served.join("top.yaml"), "fine: true\n").unwrap();
    std::os::unix::fs::symlink("../secret.txt", served.join("link.txt")).unwrap();
    std::os::unix::fs::symlink("sub/ok.yaml", served.join("inner-link.yaml")).unwrap();
    let server = ChartRepoServer::start(&served, &ChartRepoOptions::default()).unwrap();
    let port = server.port();

    for path in [
        "/top.yaml",
        "/sub/ok.yaml",
        "/./sub//ok.yaml",
        "/inner-link.yaml",
        "/sub/%6fk.yaml",
    ] {
        let out = raw_get(port, path);
        assert_eq!(status_of(&out), 200, "{path}: {out}");
        assert!(out.ends_with("fine: true\n"), "{path}: {out}");
    }
    for path in [
        "/../secret.txt",
        "/sub/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/..%2fsecret.txt",
        "/sub/..%5c..%5csecret.txt",
        "/link.txt",
        "//etc/passwd",
        // Even `..` that stays inside: no client needs it.
        "/sub/../top.yaml",
    ] {
        let out = raw_get(port, path);
        assert_eq!(status_of(&out), 404, "{path}: {out}");
        assert!(!out.contains("secret\n"), "{path}: {out}");
    }
    // The same file is served by a server whose directory holds it: the refusals above are
    // about the path, not the file.
    let parent = ChartRepoServer::start(root.path(), &ChartRepoOptions::default()).unwrap();
    assert!(raw_get(parent.port(), "/secret.txt").ends_with("top secret\n"));
    assert!(ChartRepoServer::start(&root.path().join("nope"), &Default::default()).is_err());
}

#[test]
fn basic_auth_is_required_when_configured() {
    let (repo, _src, tgz) = hello_repo();
    let server = repo
        .serve(&ChartRepoOptions {
            basic_auth: Some(("alice".into(), "s3cret".into())),
            ..Default::default()
        })
        .unwrap();
    let url = server.url();
    let agent = plain_agent();
    let index = format!("{url}/index.yaml");

    let none = get(&agent, &index, None);
    assert_eq!(none.status, 401);
    assert_eq!(
        none.header("www-authenticate"),
        Some("Basic realm=\"tk-testenv-charts\"")
    );
    assert_eq!(
        get(&agent, &index, Some(&basic("alice", "wrong"))).status,
        401
    );
    assert_eq!(
        get(&agent, &index, Some(&basic("bob", "s3cret"))).status,
        401
    );
    assert_eq!(get(&agent, &index, Some("Bearer s3cret")).status, 401);
    // A missing file is not told apart from a present one before authentication.
    assert_eq!(get(&agent, &format!("{url}/nope.tgz"), None).status, 401);
    let good = get(&agent, &index, Some(&basic("alice", "s3cret")));
    assert_eq!(good.status, 200);
    assert_eq!(
        good.body,
        std::fs::read(repo.path().join("index.yaml")).unwrap()
    );
    assert_eq!(
        summary(&server.requests()),
        [
            rec("GET", "/index.yaml", 401, false, false),
            rec("GET", "/index.yaml", 401, false, true),
            rec("GET", "/index.yaml", 401, false, true),
            rec("GET", "/index.yaml", 401, false, true),
            rec("GET", "/nope.tgz", 401, false, false),
            rec("GET", "/index.yaml", 200, true, true),
        ]
    );

    // helm: refused without credentials, and sends them for the archive as well.
    server.clear_requests();
    let (out, _, _keep) = helm_pull(&repo, &url, "hello", "0.1.0", &[]);
    let err = failed(out);
    assert!(err.contains("401"), "{err}");
    let (out, _, _keep) = helm_pull(
        &repo,
        &url,
        "hello",
        "0.1.0",
        &["--username", "alice", "--password", "wrong"],
    );
    failed(out);
    let (out, pulled, _keep) = helm_pull(
        &repo,
        &url,
        "hello",
        "0.1.0",
        &["--username", "alice", "--password", "s3cret"],
    );
    ok(out);
    assert_eq!(std::fs::read(pulled).unwrap(), std::fs::read(&tgz).unwrap());
    let log = server.requests();
    assert_eq!(
        summary(&log[log.len() - 2..]),
        [
            rec("GET", "/index.yaml", 200, true, true),
            rec("GET", "/hello-0.1.0.tgz", 200, true, true),
        ]
    );
    assert!(
        log[..log.len() - 2].iter().all(|r| r.status == 401),
        "{log:?}"
    );
}

#[test]
fn https_is_served_with_a_throwaway_ca() {
    let (repo, _src, tgz) = hello_repo();
    let server = repo
        .serve(&ChartRepoOptions {
            tls: Some(TlsOptions::default()),
            ..Default::default()
        })
        .unwrap();
    let url = server.url();
    assert_eq!(url, format!("https://127.0.0.1:{}", server.port()));
    let ca = server.ca_pem().expect("a CA").to_string();
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"), "{ca}");

    let trusted = tls_agent(Some(&ca), None);
    let got = get(&trusted, &format!("{url}/hello-0.1.0.tgz"), None);
    assert_eq!(got.status, 200);
    assert_eq!(got.body, std::fs::read(&tgz).unwrap());
    let index = get(&trusted, &format!("{url}/index.yaml"), None).text();
    assert!(
        index.contains(&format!("{url}/hello-0.1.0.tgz")),
        "the index names https URLs: {index}"
    );

    // Not trusted without the CA, and no plain HTTP on the port.
    let err = try_get(&tls_agent(None, None), &format!("{url}/index.yaml"), None)
        .err()
        .expect("an unknown CA is refused");
    assert!(
        format!("{err}").to_lowercase().contains("certificate"),
        "{err}"
    );
    assert!(
        try_get(
            &plain_agent(),
            &format!("http://127.0.0.1:{}/index.yaml", server.port()),
            None
        )
        .is_err()
    );
    // Another server's CA does not vouch for this one.
    let other = ChartRepoServer::start(
        &repo.path(),
        &ChartRepoOptions {
            tls: Some(TlsOptions::default()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_ne!(other.ca_pem(), server.ca_pem());
    assert!(
        try_get(
            &tls_agent(other.ca_pem(), None),
            &format!("{url}/index.yaml"),
            None
        )
        .is_err()
    );

    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.crt");
    std::fs::write(&ca_file, &ca).unwrap();
    let (out, _, _keep) = helm_pull(&repo, &url, "hello", "0.1.0", &[]);
    let err = failed(out);
    assert!(err.contains("certificate"), "{err}");
    let (out, pulled, _keep) = helm_pull(
        &repo,
        &url,
        "hello",
        "0.1.0",
        &["--ca-file", ca_file.to_str().unwrap()],
    );
    ok(out);
    assert_eq!(std::fs::read(pulled).unwrap(), std::fs::read(&tgz).unwrap());
}

#[test]
fn a_required_client_certificate_is_enforced() {
    let (repo, _src, tgz) = hello_repo();
    let server = repo
        .serve(&ChartRepoOptions {
            tls: Some(TlsOptions {
                require_client_cert: true,
            }),
            basic_auth: Some(("alice".into(), "s3cret".into())),
            ..Default::default()
        })
        .unwrap();
    let url = server.url();
    let ca = server.ca_pem().unwrap();
    let client = server.client_credentials().expect("client credentials");
    let index = format!("{url}/index.yaml");
    let auth = basic("alice", "s3cret");

    assert!(try_get(&tls_agent(Some(ca), None), &index, Some(&auth)).is_err());
    let stranger = ChartRepoServer::start(
        &repo.path(),
        &ChartRepoOptions {
            tls: Some(TlsOptions {
                require_client_cert: true,
            }),
            ..Default::default()
        },
    )
    .unwrap();
    let foreign = stranger.client_credentials().unwrap();
    assert!(
        try_get(&tls_agent(Some(ca), Some(foreign)), &index, Some(&auth)).is_err(),
        "a certificate from another CA"
    );
    assert!(
        server.requests().is_empty(),
        "refused in the handshake: {:?}",
        server.requests()
    );
    let agent = tls_agent(Some(ca), Some(client));
    assert_eq!(get(&agent, &index, None).status, 401, "TLS and basic auth");
    assert_eq!(get(&agent, &index, Some(&auth)).status, 200);

    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let (ca_file, cert_file, key_file) = (
        write("ca.crt", ca),
        write("tls.crt", &client.cert_pem),
        write("tls.key", &client.key_pem),
    );
    let creds = ["--username", "alice", "--password", "s3cret"];
    let mut without = vec!["--ca-file", ca_file.as_str()];
    without.extend(creds);
    let (out, _, _keep) = helm_pull(&repo, &url, "hello", "0.1.0", &without);
    failed(out);
    let mut with = without.clone();
    with.extend([
        "--cert-file",
        cert_file.as_str(),
        "--key-file",
        key_file.as_str(),
    ]);
    let (out, pulled, _keep) = helm_pull(&repo, &url, "hello", "0.1.0", &with);
    ok(out);
    assert_eq!(std::fs::read(pulled).unwrap(), std::fs::read(&tgz).unwrap());
}

#[test]
fn stop_refuses_connections_until_started_again() {
    let (repo, _src, _) = hello_repo();
    let server = repo.serve(&ChartRepoOptions::default()).unwrap();
    let url = server.url();
    let index = format!("{url}/index.yaml");
    assert_eq!(get(&plain_agent(), &index, None).status, 200);

    // A keep-alive connection open across the stop is closed by it.
    let mut open = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    open.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    open.write_all(b"HEAD /index.yaml HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut buf = [0u8; 4096];
    let n = open.read(&mut buf).unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200 OK"));

    server.stop();
    assert!(!server.is_running());
    assert!(matches!(open.read(&mut buf), Ok(0) | Err(_)), "still open");
    let refused = TcpStream::connect(("127.0.0.1", server.port()));
    assert!(refused.is_err(), "connected to a stopped server");
    assert!(try_get(&plain_agent(), &index, None).is_err());
    server.stop(); // idempotent

    server.start_again().unwrap();
    server.start_again().unwrap(); // a no-op while running
    assert!(server.is_running());
    assert_eq!(server.url(), url);
    assert_eq!(get(&plain_agent(), &index, None).status, 200);
}

#[test]
fn the_request_log_tells_what_was_fetched() {
    let (repo, _src, _) = hello_repo();
    let server = repo.serve(&ChartRepoOptions::default()).unwrap();
    let url = server.url();
    let agent = plain_agent();
    assert!(server.requests().is_empty());
    get(&agent, &format!("{url}/index.yaml"), None);
    agent.head(format!("{url}/hello-0.1.0.tgz")).call().unwrap();
    get(
        &agent,
        &format!("{url}/hello-9.tgz?x=y"),
        Some("Basic eDp5"),
    );
    agent.delete(format!("{url}/index.yaml")).call().unwrap();
    assert_eq!(
        server.requests(),
        [
            RequestRecord {
                method: "GET".into(),
                path: "/index.yaml".into(),
                status: 200,
                authorized: true,
                had_auth_header: false,
            },
            RequestRecord {
                method: "HEAD".into(),
                path: "/hello-0.1.0.tgz".into(),
                status: 200,
                authorized: true,
                had_auth_header: false,
            },
            RequestRecord {
                method: "GET".into(),
                path: "/hello-9.tgz".into(),
                status: 404,
                authorized: true,
                had_auth_header: true,
            },
            RequestRecord {
                method: "DELETE".into(),
                path: "/index.yaml".into(),
                status: 405,
                authorized: true,
                had_auth_header: false,
            },
        ]
    );
    server.clear_requests();
    assert!(server.requests().is_empty());
    get(&agent, &format!("{url}/index.yaml"), None);
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn an_oversized_body_is_served_for_the_chosen_path() {
    let (repo, _src, tgz) = hello_repo();
    let server = repo
        .serve(&ChartRepoOptions {
            oversized: Some("/index.yaml".into()),
            ..Default::default()
        })
        .unwrap();
    let url = server.url();
    let agent = plain_agent();

    // Announced up front, so a careful client can refuse before reading.
    let mut resp = agent.get(format!("{url}/index.yaml")).call().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(
        resp.headers().get("content-length").unwrap(),
        OVERSIZED_BYTES.to_string().as_str()
    );
    let mut first = Vec::new();
    resp.body_mut()
        .as_reader()
        .take(1 << 20)
        .read_to_end(&mut first)
        .unwrap();
    assert_eq!(first.len(), 1 << 20);
    assert!(first.iter().all(|b| *b == b'a'));
    drop(resp);
    // ureq's own 10 MB cap trips on it.
    assert!(try_get(&agent, &format!("{url}/index.yaml"), None).is_err());
    let head = agent.head(format!("{url}/index.yaml")).call().unwrap();
    assert_eq!(
        head.headers().get("content-length").unwrap(),
        OVERSIZED_BYTES.to_string().as_str()
    );
    // Other paths are untouched.
    let got = get(&plain_agent(), &format!("{url}/hello-0.1.0.tgz"), None);
    assert_eq!(got.body, std::fs::read(&tgz).unwrap());

    // Chunked, for a path that need not exist: a client only learns the size by reading.
    let chunked = ChartRepoServer::start(
        &repo.path(),
        &ChartRepoOptions {
            oversized: Some("charts/huge-1.0.0.tgz".into()),
            oversized_chunked: true,
            ..Default::default()
        },
    )
    .unwrap();
    let mut resp = agent
        .get(format!("{}/charts//huge-1.0.0.tgz", chunked.url()))
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.headers().get("content-length").is_none());
    assert_eq!(resp.headers().get("transfer-encoding").unwrap(), "chunked");
    let mut total = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    let mut reader = resp.body_mut().as_reader();
    loop {
        let n = reader.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        assert!(buf[..n].iter().all(|b| *b == b'a'));
        total += n as u64;
    }
    assert_eq!(total, OVERSIZED_BYTES);
    assert_eq!(
        summary(&chunked.requests()),
        [rec("GET", "/charts//huge-1.0.0.tgz", 200, true, false)]
    );
}
