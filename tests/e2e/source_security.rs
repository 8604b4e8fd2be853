//! ../shared/design/SECURITY.md items for the source controller (1, 2, 12, 20, 21), each
//! feeding the bad input through a running controller and checking the promise: no panic,
//! no hang, nothing lost, a clear error, no secret disclosed.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Event;
use kube::api::{Api, ListParams};
use serde_json::json;
use testenv::git::{
    GitServers, GitServersOptions, HttpOptions, SshKeyPair, SshKeyType, SshOptions, TlsOptions,
    git_command,
};

use crate::source_support::{Harness, HarnessOptions, condition, download, sample_repo};

fn random(prefix: &str) -> String {
    let tail: String = (0..20).map(|_| fastrand::alphanumeric()).collect();
    format!("{prefix}-{tail}")
}

fn body(url: &str) -> Vec<u8> {
    let mut body = Vec::new();
    testenv::ureq::get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .into_body()
        .into_reader()
        .read_to_end(&mut body)
        .unwrap();
    body
}

/// Runs `tar` over a .tar.gz, feeding it on stdin; returns stdout.
fn tar(args: &[&str], archive: &[u8]) -> String {
    let mut child = Command::new("tar")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tar runs");
    child.stdin.take().unwrap().write_all(archive).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "tar {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The files stored for one object, relative to the storage root.
fn stored_files(h: &Harness, name: &str) -> Vec<String> {
    let dir = h
        .storage
        .path()
        .join("gitrepository")
        .join(&h.ns)
        .join(name);
    match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Waits until the object is Stalled=True or FetchFailed=True and returns
/// (condition type, reason, message) of the one that is.
async fn refused(h: &Harness, name: &str) -> (String, String, String) {
    let repo = h
        .wait_for(name, "Stalled=True or FetchFailed=True", |r| {
            ["Stalled", "FetchFailed"]
                .iter()
                .any(|t| condition(r, t).is_some_and(|(s, _, _)| s == "True"))
        })
        .await;
    let (ready, _, ready_message) = condition(&repo, "Ready").unwrap();
    assert_eq!(
        ready, "False",
        "{name}: Ready despite a refusal: {ready_message}"
    );
    assert!(
        repo.status.as_ref().unwrap().artifact.is_none(),
        "{name}: an artifact was published: {:?}",
        repo.status
    );
    let type_ = if condition(&repo, "Stalled").is_some_and(|(s, _, _)| s == "True") {
        "Stalled"
    } else {
        "FetchFailed"
    };
    let (_, reason, message) = condition(&repo, type_).unwrap();
    (type_.to_string(), reason, message)
}

/// SHA256 fingerprint of a public key (`ssh-ed25519 AAAA...`), as ssh-keygen prints it.
fn fingerprint(public_key: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key.pub");
    std::fs::write(&path, format!("{public_key}\n")).unwrap();
    let out = Command::new("ssh-keygen")
        .args(["-l", "-E", "sha256", "-f"])
        .arg(&path)
        .output()
        .expect("ssh-keygen runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.split_whitespace()
        .nth(1)
        .unwrap_or_else(|| panic!("no fingerprint in {text:?}"))
        .to_string()
}

fn pairs(data: &std::collections::BTreeMap<String, String>) -> Vec<(&str, &str)> {
    data.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

// SECURITY.md 1 and 2: symlinks in Git content are not archived and not followed.
#[tokio::test(flavor = "multi_thread")]
async fn symlinks_in_git_content_are_neither_archived_nor_followed() {
    let h = Harness::start("src-symlink").await;
    let repo = h.servers.create_repo("links").unwrap();
    let work = repo.work_path().to_path_buf();
    std::fs::create_dir_all(work.join("deploy")).unwrap();
    for (link, target) in [
        ("leak", "/etc/passwd"),
        ("etc", "/etc"),
        ("up", "../../../../../../.."),
        ("alias", "deploy"),
        ("deploy/inner.yaml", "app.yaml"),
        ("deploy/escape", "../../../../../../../../etc/passwd"),
    ] {
        std::os::unix::fs::symlink(target, work.join(link)).unwrap();
    }
    let sha = repo
        .commit(
            "content with symlinks",
            &[("deploy/app.yaml", "kind: ConfigMap\n")],
        )
        .unwrap();
    repo.push().unwrap();
    let committed = repo.git(["ls-tree", "-r", "HEAD"]).unwrap();
    assert_eq!(
        committed
            .lines()
            .filter(|l| l.starts_with("120000"))
            .count(),
        6,
        "the symlinks are in the commit: {committed}"
    );

    h.apply_repo(
        "links",
        json!({ "url": h.servers.http().url("links"), "interval": "10m", "ref": { "branch": "main" } }),
    )
    .await;
    let ready = h.wait_ready("links", &format!("main@sha1:{sha}")).await;
    let artifact = ready.status.unwrap().artifact.unwrap();
    let archive = body(&artifact.url);
    let listing = tar(&["-tzvf", "-"], &archive);
    for line in listing.lines() {
        assert!(
            line.starts_with('-') || line.starts_with('d'),
            "only regular files and directories are archived, got: {line}"
        );
    }
    let names = tar(&["-tzf", "-"], &archive);
    for name in names.lines() {
        let name = name.trim_end_matches('/');
        assert!(
            matches!(name, "." | "" | "deploy" | "deploy/app.yaml"),
            "unexpected entry {name:?} in the artifact:\n{listing}"
        );
    }
    let contents = tar(&["-xzOf", "-"], &archive);
    assert_eq!(
        contents, "kind: ConfigMap\n",
        "the artifact holds only deploy/app.yaml's bytes"
    );
    assert_eq!(
        download(&artifact.url, &artifact.digest),
        ["deploy/app.yaml"]
    );
}

// SECURITY.md 1: sparse-checkout paths escaping the root are refused; nothing is stored.
#[tokio::test(flavor = "multi_thread")]
async fn sparse_checkout_paths_escaping_the_root_are_refused() {
    let mut h = Harness::start("src-sparse-bad").await;
    let (_repo, sha) = sample_repo(&h.servers, "app");
    let url = h.servers.http().url("app");
    let bad = [
        ("dotdot", "../x"),
        ("absolute", "/etc"),
        ("nested", "deploy/../../etc"),
    ];
    for (name, path) in bad {
        h.apply_repo(
            name,
            json!({ "url": url, "interval": "10m", "ref": { "branch": "main" }, "sparseCheckout": [path] }),
        )
        .await;
    }
    h.apply_repo(
        "good",
        json!({ "url": url, "interval": "10m", "ref": { "branch": "main" }, "sparseCheckout": ["deploy"] }),
    )
    .await;
    for (name, path) in bad {
        let (type_, _, message) = refused(&h, name).await;
        assert!(
            message.contains(path) && message.contains("sparse"),
            "{name}: {type_} names the sparse-checkout path '{path}': {message}"
        );
        assert_eq!(stored_files(&h, name), Vec::<String>::new(), "{name}");
    }
    let good = h.wait_ready("good", &format!("main@sha1:{sha}")).await;
    let artifact = good.status.unwrap().artifact.unwrap();
    assert_eq!(
        download(&artifact.url, &artifact.digest),
        ["deploy/app.yaml", "deploy/secret.txt"]
    );
    assert!(h.controller_running(), "the controller exited");
}

// SECURITY.md 12: invalid, zero or overflowing durations stall that object only.
#[tokio::test(flavor = "multi_thread")]
async fn zero_and_overflowing_durations_stall_only_that_object() {
    let mut h = Harness::start("src-durations").await;
    let (repo, sha) = sample_repo(&h.servers, "app");
    let url = h.servers.http().url("app");
    let bad = [
        (
            "zero-interval",
            json!({ "interval": "0s" }),
            "spec.interval",
        ),
        (
            "zero-ms-interval",
            json!({ "interval": "0ms" }),
            "spec.interval",
        ),
        (
            "overflowing-interval",
            json!({ "interval": "99999999999999999999h" }),
            "spec.interval",
        ),
        (
            "zero-timeout",
            json!({ "interval": "10m", "timeout": "0s" }),
            "spec.timeout",
        ),
    ];
    for (name, durations, _) in &bad {
        let mut spec = json!({ "url": url, "ref": { "branch": "main" } });
        spec.as_object_mut()
            .unwrap()
            .extend(durations.as_object().unwrap().clone());
        h.apply_repo(name, spec).await;
    }
    h.apply_repo(
        "good",
        json!({ "url": url, "interval": "10m", "ref": { "branch": "main" } }),
    )
    .await;
    for (name, _, field) in &bad {
        let stalled = h
            .wait_for(name, "Stalled=True", |r| {
                condition(r, "Stalled").is_some_and(|(s, _, _)| s == "True")
            })
            .await;
        let (_, _, message) = condition(&stalled, "Stalled").unwrap();
        assert!(
            message.contains(field),
            "{name}: the Stalled message names {field}: {message}"
        );
        let (ready, _, _) = condition(&stalled, "Ready").unwrap();
        assert_eq!(ready, "False", "{name}");
        assert_eq!(
            stalled.status.as_ref().unwrap().observed_generation,
            stalled.metadata.generation,
            "{name}: a stalled object has been observed"
        );
    }
    h.wait_ready("good", &format!("main@sha1:{sha}")).await;

    // The controller keeps serving the rest: a push and a requested reconcile move `good`.
    let next = repo
        .commit("next", &[("deploy/app.yaml", "# 2\n")])
        .unwrap();
    repo.push().unwrap();
    h.request_reconcile("good").await;
    h.wait_ready("good", &format!("main@sha1:{next}")).await;
    for (name, _, _) in &bad {
        assert_eq!(stored_files(&h, name), Vec::<String>::new(), "{name}");
    }
    assert!(h.controller_running(), "the controller exited");
}

// SECURITY.md 20: RSA keys under 2048 bits are refused by us, not by the server.
#[tokio::test(flavor = "multi_thread")]
async fn weak_rsa_identities_are_refused_even_when_the_server_accepts_them() {
    let h = Harness::start("src-weak-rsa").await;
    let servers = GitServers::start_with(GitServersOptions {
        ssh: Some(SshOptions {
            required_rsa_size: Some(1024),
            ..Default::default()
        }),
        http: None,
        daemon: false,
    })
    .unwrap();
    let (_repo, _) = sample_repo(&servers, "app");
    let weak = SshKeyPair::generate(SshKeyType::Rsa1024).unwrap();
    servers.ssh().add_authorized_key(&weak.public_key).unwrap();
    let url = servers.ssh().url("app");

    // The server lets the weak key in: OpenSSH's git clients can list the refs with it.
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("id_rsa");
    weak.write_private_key(&key_path).unwrap();
    let known_hosts_path = dir.path().join("known_hosts");
    std::fs::write(&known_hosts_path, servers.ssh().known_hosts()).unwrap();
    let mut ls = git_command();
    ls.env(
        "GIT_SSH_COMMAND",
        format!(
            "ssh -F /dev/null -i {} -o IdentitiesOnly=yes -o BatchMode=yes -o RequiredRSASize=1024 -o StrictHostKeyChecking=yes -o UserKnownHostsFile={}",
            key_path.display(),
            known_hosts_path.display()
        ),
    )
    .args(["ls-remote", &url]);
    let out = ls.output().unwrap();
    assert!(
        out.status.success(),
        "the test server must accept the 1024-bit key for this test to mean anything: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let data = weak.secret_data(&servers.ssh().known_hosts());
    h.create_secret("weak", &pairs(&data)).await;
    h.apply_repo(
        "weak",
        json!({ "url": url, "interval": "10m", "ref": { "branch": "main" }, "secretRef": { "name": "weak" } }),
    )
    .await;
    let (type_, reason, message) = refused(&h, "weak").await;
    assert_eq!(reason, "AuthenticationFailed", "{type_}: {message}");
    assert!(
        message.contains("RSA") && message.contains("1024") && message.contains("2048"),
        "{type_} explains the key size (1024 bits, 2048 required): {message}"
    );
    let sshd_log = std::fs::read_to_string(servers.dir().join("sshd.log")).unwrap_or_default();
    let accepted = sshd_log.matches("Accepted publickey").count();
    assert_eq!(
        accepted, 1,
        "only the git CLI probe logged in; the controller must not even try the weak key:\n{sshd_log}"
    );
}

// SECURITY.md 20: a host missing from known_hosts is refused, naming host and fingerprint.
#[tokio::test(flavor = "multi_thread")]
async fn unknown_ssh_hosts_are_refused_naming_the_host_and_fingerprint() {
    let h = Harness::start("src-unknown-host").await;
    let (_repo, _) = sample_repo(&h.servers, "app");
    let key = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    h.servers.ssh().add_authorized_key(&key.public_key).unwrap();
    let ssh = h.servers.ssh();
    let other = GitServers::start_with(GitServersOptions {
        http: None,
        daemon: false,
        ..Default::default()
    })
    .unwrap();
    // Entries for other hosts only: another name, and our address on another port, even
    // with our server's own key.
    let our_key = ssh.host_key_known_hosts_line();
    let our_key = our_key.split_once(' ').unwrap().1;
    let known_hosts = format!(
        "git.example.com {}\n[127.0.0.1]:{} {our_key}\n",
        other
            .ssh()
            .host_key_known_hosts_line()
            .split_once(' ')
            .unwrap()
            .1,
        ssh.port() as u32 + 1,
    );
    let data = key.secret_data(&known_hosts);
    h.create_secret("ssh", &pairs(&data)).await;
    h.apply_repo(
        "app",
        json!({ "url": ssh.url("app"), "interval": "10m", "ref": { "branch": "main" }, "secretRef": { "name": "ssh" } }),
    )
    .await;
    let (type_, reason, message) = refused(&h, "app").await;
    assert_eq!(reason, "AuthenticationFailed", "{type_}: {message}");
    let expected = fingerprint(our_key);
    assert!(
        message.contains("127.0.0.1")
            && message.contains(&ssh.port().to_string())
            && message.contains(&expected),
        "{type_} names the host 127.0.0.1:{} and its key {expected}: {message}",
        ssh.port()
    );
    let sshd_log = std::fs::read_to_string(h.servers.dir().join("sshd.log")).unwrap_or_default();
    assert!(
        !sshd_log.contains("Accepted publickey"),
        "the client authenticated to an unverified host:\n{sshd_log}"
    );
}

/// Everything the controller said about the namespace: statuses, Kubernetes Events, the
/// events POSTed to the sink, and its log.
async fn everything_said(h: &Harness) -> Vec<(&'static str, String)> {
    let repos = h.repos().list(&ListParams::default()).await.unwrap();
    let statuses: Vec<_> = repos
        .items
        .iter()
        .map(|r| json!({ "name": r.metadata.name, "status": r.status }))
        .collect();
    let events: Api<Event> = Api::namespaced(h.client.clone(), &h.ns);
    let events = events.list(&ListParams::default()).await.unwrap();
    vec![
        ("status", serde_json::to_string_pretty(&statuses).unwrap()),
        (
            "Kubernetes Events",
            serde_json::to_string_pretty(&events.items).unwrap(),
        ),
        (
            "events POSTed to --events-addr",
            serde_json::to_string_pretty(&h.events.events()).unwrap(),
        ),
        ("controller log", h.controller_log()),
    ]
}

/// Waits until each object has a Warning in the Kubernetes Events and in the sink, so
/// the leak check looks at real failure reports.
async fn wait_for_warnings(h: &Harness, names: &[&str]) {
    let events: Api<Event> = Api::namespaced(h.client.clone(), &h.ns);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let k8s = events.list(&ListParams::default()).await.unwrap().items;
        let sink = h.events.events();
        let missing: Vec<_> = names
            .iter()
            .filter(|name| {
                !k8s.iter().any(|e| {
                    e.type_.as_deref() == Some("Warning")
                        && e.involved_object.name.as_deref() == Some(**name)
                }) || !sink
                    .iter()
                    .any(|e| e["severity"] == "error" && e["involvedObject"]["name"] == **name)
            })
            .collect();
        if missing.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no Warning event (Kubernetes and sink) for {missing:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn assert_nothing_leaks(said: &[(&'static str, String)], secrets: &[(&str, String)]) {
    for (place, text) in said {
        for (what, secret) in secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{what} ({secret:?}) appears in the {place}:\n{text}"
            );
        }
        assert!(
            !text.contains("PRIVATE KEY"),
            "private key material appears in the {place}:\n{text}"
        );
        assert!(
            !text.contains("panicked"),
            "the {place} shows a panic:\n{text}"
        );
    }
}

// SECURITY.md 21: passwords, tokens and SSH keys never reach status, events or logs.
#[tokio::test(flavor = "multi_thread")]
async fn credentials_never_appear_in_status_events_or_logs() {
    let mut h = Harness::start_with(
        "src-leaks",
        HarnessOptions {
            capture_logs: true,
            extra_args: vec!["--log-level=debug".into()],
            ..Default::default()
        },
    )
    .await;
    let (_repo, _) = sample_repo(&h.servers, "app");
    let basic = h
        .servers
        .start_http(&HttpOptions {
            basic_auth: Some(("flux".into(), random("server-pw"))),
            ..Default::default()
        })
        .unwrap();
    let bearer = h
        .servers
        .start_http(&HttpOptions {
            bearer_token: Some(random("server-token")),
            ..Default::default()
        })
        .unwrap();
    let password = random("pw");
    let token = random("token");
    let passphrase = random("passphrase");
    let wrong_passphrase = random("wrong-passphrase");
    let unauthorized = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    let encrypted = SshKeyPair::generate_encrypted(SshKeyType::Ed25519, &passphrase).unwrap();
    h.servers
        .ssh()
        .add_authorized_key(&encrypted.public_key)
        .unwrap();
    let known_hosts = h.servers.ssh().known_hosts();

    h.create_secret("basic", &[("username", "flux"), ("password", &password)])
        .await;
    h.create_secret("token", &[("bearerToken", &token)]).await;
    h.create_secret("ssh", &pairs(&unauthorized.secret_data(&known_hosts)))
        .await;
    let mut wrong = encrypted.secret_data(&known_hosts);
    wrong.insert("password".into(), wrong_passphrase.clone());
    h.create_secret("ssh-passphrase", &pairs(&wrong)).await;

    let objects = [
        ("basic", basic.url("app")),
        ("token", bearer.url("app")),
        ("ssh", h.servers.ssh().url("app")),
        ("ssh-passphrase", h.servers.ssh().url("app")),
    ];
    for (name, url) in &objects {
        h.apply_repo(
            name,
            json!({ "url": url, "interval": "10m", "ref": { "branch": "main" }, "secretRef": { "name": name } }),
        )
        .await;
    }
    for (name, _) in &objects {
        let (type_, reason, message) = refused(&h, name).await;
        assert!(
            reason == "AuthenticationFailed",
            "{name}: {type_} {reason}: {message}"
        );
    }
    // A second round of failures, so retries and requested reconciles are covered too.
    for (name, _) in &objects {
        h.request_reconcile(name).await;
    }
    let names: Vec<&str> = objects.iter().map(|(n, _)| *n).collect();
    wait_for_warnings(&h, &names).await;
    tokio::time::sleep(Duration::from_secs(3)).await;

    let mut secrets = vec![
        ("the basic-auth password", password),
        ("the bearer token", token),
        ("the SSH key passphrase", passphrase),
        ("the wrong SSH key passphrase", wrong_passphrase),
    ];
    for key in [&unauthorized, &encrypted] {
        // Past the header and public half: the private part of the key.
        for line in key
            .private_key
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .skip(2)
        {
            secrets.push(("a line of an SSH private key", line.to_string()));
        }
    }
    let said = everything_said(&h).await;
    let log = &said[3].1;
    assert!(
        names.iter().all(|n| log.contains(n)),
        "the controller log does not mention the failing objects, so the check means nothing:\n{log}"
    );
    assert_nothing_leaks(&said, &secrets);
    assert!(h.controller_running(), "the controller exited");
}

// SECURITY.md 21: URL userinfo and query strings are redacted wherever the URL is shown.
#[tokio::test(flavor = "multi_thread")]
async fn url_userinfo_and_query_strings_are_redacted() {
    let h = Harness::start_with(
        "src-redact",
        HarnessOptions {
            capture_logs: true,
            extra_args: vec!["--log-level=debug".into()],
            ..Default::default()
        },
    )
    .await;
    let (_repo, _) = sample_repo(&h.servers, "app");
    let basic = h
        .servers
        .start_http(&HttpOptions {
            basic_auth: Some(("flux".into(), random("server-pw"))),
            ..Default::default()
        })
        .unwrap();
    let tls = h
        .servers
        .start_http(&HttpOptions {
            tls: Some(TlsOptions::default()),
            ..Default::default()
        })
        .unwrap();
    let http_pw = random("userinfo-pw");
    let https_pw = random("userinfo-tls-pw");
    let signature = random("sig");
    let objects = [
        (
            "http-userinfo",
            format!("http://flux:{http_pw}@127.0.0.1:{}/app.git", basic.port()),
            format!("127.0.0.1:{}/app.git", basic.port()),
        ),
        (
            "https-userinfo",
            format!("https://user:{https_pw}@127.0.0.1:{}/app.git", tls.port()),
            format!("127.0.0.1:{}/app.git", tls.port()),
        ),
        (
            "query",
            format!(
                "http://127.0.0.1:{}/nowhere.git?X-Amz-Signature={signature}",
                h.servers.http().port()
            ),
            format!("127.0.0.1:{}/nowhere.git", h.servers.http().port()),
        ),
    ];
    for (name, url, _) in &objects {
        h.apply_repo(
            name,
            json!({ "url": url, "interval": "10m", "ref": { "branch": "main" } }),
        )
        .await;
    }
    for (name, _, shown) in &objects {
        let (type_, reason, message) = refused(&h, name).await;
        assert!(
            message.contains(shown.as_str()),
            "{name}: {type_} ({reason}) shows the redacted URL ...{shown}: {message}"
        );
        for secret in [&http_pw, &https_pw, &signature] {
            assert!(
                !message.contains(secret.as_str()),
                "{name}: {type_} shows a URL secret: {message}"
            );
        }
    }
    let names: Vec<&str> = objects.iter().map(|(n, _, _)| *n).collect();
    wait_for_warnings(&h, &names).await;
    let said = everything_said(&h).await;
    assert_nothing_leaks(
        &said,
        &[
            ("the http URL's password", http_pw),
            ("the https URL's password", https_pw),
            ("the URL's query signature", signature),
        ],
    );
}
