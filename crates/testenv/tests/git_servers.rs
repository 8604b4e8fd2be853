//! The git servers against the real `git` and `ssh` clients.

use std::path::{Path, PathBuf};
use std::process::Output;
use testenv::git::{
    GitServers, GitServersOptions, GpgKey, HostKeyType, HttpOptions, Repo, SshKeyPair, SshKeyType,
    SshOptions, TlsOptions, git_command,
};

fn git(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = git_command();
    cmd.current_dir(dir).args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("running git")
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "git failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn failed(out: Output) -> String {
    assert!(
        !out.status.success(),
        "git succeeded but should not have:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The commit a remote branch points at, as `git ls-remote` sees it.
fn ls_remote(url: &str, refname: &str, envs: &[(&str, &str)]) -> String {
    let tmp = std::env::temp_dir();
    let out = ok(git(&tmp, &["ls-remote", url, refname], envs));
    out.split_whitespace()
        .next()
        .unwrap_or_else(|| panic!("{refname} not in ls-remote {url}: {out:?}"))
        .to_string()
}

/// A key file and known_hosts file for `ssh`, and the GIT_SSH_COMMAND using them.
struct SshClient {
    _dir: tempfile::TempDir,
    command: String,
}

impl SshClient {
    fn new(key: &SshKeyPair, known_hosts: &str) -> SshClient {
        let dir = tempfile::tempdir().unwrap();
        let key_path = dir.path().join("identity");
        key.write_private_key(&key_path).unwrap();
        let kh = dir.path().join("known_hosts");
        std::fs::write(&kh, known_hosts).unwrap();
        let command = format!(
            "ssh -F /dev/null -i {} -o IdentitiesOnly=yes -o BatchMode=yes \
             -o UserKnownHostsFile={} -o StrictHostKeyChecking=yes",
            key_path.display(),
            kh.display()
        );
        SshClient { _dir: dir, command }
    }

    fn env(&self) -> [(&str, &str); 1] {
        [("GIT_SSH_COMMAND", self.command.as_str())]
    }
}

fn repo_with_commit(servers: &GitServers, name: &str) -> (Repo, String) {
    let repo = servers.create_repo(name).unwrap();
    let sha = repo
        .commit(
            "initial",
            &[
                ("README.md", "hello\n"),
                ("deploy/app.yaml", "kind: ConfigMap\n"),
            ],
        )
        .unwrap();
    repo.push().unwrap();
    (repo, sha)
}

fn clone(url: &str, envs: &[(&str, &str)], extra: &[&str]) -> (tempfile::TempDir, Output) {
    let dir = tempfile::tempdir().unwrap();
    let mut args = extra.to_vec();
    args.extend(["clone", "--quiet", url, "checkout"]);
    let out = git(dir.path(), &args, envs);
    (dir, out)
}

fn cloned_head(dir: &Path) -> String {
    ok(git(&dir.join("checkout"), &["rev-parse", "HEAD"], &[]))
}

#[test]
fn one_repository_over_ssh_http_and_git_protocol() {
    let servers = GitServers::start().unwrap();
    let (repo, sha) = repo_with_commit(&servers, "org/app");
    assert_eq!(repo.commit_of("main").unwrap(), sha);

    let key = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    assert!(
        key.private_key
            .starts_with("-----BEGIN OPENSSH PRIVATE KEY-----")
    );
    assert!(key.public_key.starts_with("ssh-ed25519 "));
    servers.ssh().add_authorized_key(&key.public_key).unwrap();
    let line = servers.ssh().host_key_known_hosts_line();
    assert!(
        line.starts_with(&format!(
            "[127.0.0.1]:{} ssh-ed25519 AAAA",
            servers.ssh().port()
        )),
        "{line}"
    );
    let data = key.secret_data(&line);
    assert_eq!(
        data.keys().collect::<Vec<_>>(),
        ["identity", "identity.pub", "known_hosts"]
    );
    let ssh = SshClient::new(&key, &line);

    let urls = [
        servers.ssh().url("org/app"),
        servers.http().url("org/app"),
        servers.daemon().url("org/app"),
    ];
    assert!(urls[0].starts_with(&format!("ssh://{}@127.0.0.1:", servers.ssh().user())));
    for url in &urls {
        let (dir, out) = clone(url, &ssh.env(), &[]);
        ok(out);
        assert_eq!(cloned_head(dir.path()), sha, "{url}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("checkout/deploy/app.yaml")).unwrap(),
            "kind: ConfigMap\n"
        );
    }
    // Also protocol v0/v1 over HTTP, which older clients and some libraries speak.
    let (dir, out) = clone(&urls[1], &[], &["-c", "protocol.version=0"]);
    ok(out);
    assert_eq!(cloned_head(dir.path()), sha);
}

#[test]
fn fixed_author_and_dates_make_commits_reproducible() {
    let servers = GitServers::start_with(GitServersOptions {
        ssh: None,
        http: None,
        daemon: false,
    })
    .unwrap();
    let a = servers.create_repo("a").unwrap();
    let b = servers.create_repo("b").unwrap();
    for r in [&a, &b] {
        r.commit("one", &[("f", "1")]).unwrap();
        r.commit("two", &[("f", "2")]).unwrap();
    }
    assert_eq!(a.head().unwrap(), b.head().unwrap());
    let log = a.git(["log", "-1", "--format=%an <%ae> %aI %cI"]).unwrap();
    assert_eq!(
        log,
        "tk testenv <testenv@tk.invalid> 2024-01-01T00:02:00+00:00 2024-01-01T00:02:00+00:00"
    );
}

#[test]
fn every_client_key_type_logs_in() {
    let servers = GitServers::start_with(GitServersOptions {
        http: None,
        daemon: false,
        ..Default::default()
    })
    .unwrap();
    let (_repo, sha) = repo_with_commit(&servers, "app");
    let url = servers.ssh().url("app");
    for kind in [
        SshKeyType::Ed25519,
        SshKeyType::EcdsaP256,
        SshKeyType::Rsa2048,
        // sshd's default RequiredRSASize is 1024: only clients reject such keys.
        SshKeyType::Rsa1024,
    ] {
        let key = SshKeyPair::generate(kind).unwrap();
        let ssh = SshClient::new(&key, &servers.ssh().known_hosts());
        // Not authorized yet.
        let err = failed(git(&std::env::temp_dir(), &["ls-remote", &url], &ssh.env()));
        assert!(err.contains("Permission denied"), "{kind:?}: {err}");
        servers.ssh().add_authorized_key(&key.public_key).unwrap();
        assert_eq!(
            ls_remote(&url, "refs/heads/main", &ssh.env()),
            sha,
            "{kind:?}"
        );
    }
    let encrypted = SshKeyPair::generate_encrypted(SshKeyType::Ed25519, "s3cret").unwrap();
    assert_eq!(encrypted.secret_data("")["password"], "s3cret");
}

#[test]
fn ssh_rejects_a_wrong_host_key_and_anything_but_git() {
    let servers = GitServers::start_with(GitServersOptions {
        http: None,
        daemon: false,
        ..Default::default()
    })
    .unwrap();
    repo_with_commit(&servers, "app");
    let key = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    servers.ssh().add_authorized_key(&key.public_key).unwrap();
    let url = servers.ssh().url("app");

    let other = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    let mut parts = other.public_key.split_whitespace();
    let wrong = format!(
        "[127.0.0.1]:{} {} {}\n",
        servers.ssh().port(),
        parts.next().unwrap(),
        parts.next().unwrap()
    );
    let ssh = SshClient::new(&key, &wrong);
    let err = failed(git(&std::env::temp_dir(), &["ls-remote", &url], &ssh.env()));
    assert!(err.contains("Host key verification failed"), "{err}");

    // An empty known_hosts with StrictHostKeyChecking=yes fails the same way.
    let ssh = SshClient::new(&key, "");
    let err = failed(git(&std::env::temp_dir(), &["ls-remote", &url], &ssh.env()));
    assert!(err.contains("Host key verification failed"), "{err}");

    let ssh = SshClient::new(&key, &servers.ssh().known_hosts());
    let out = std::process::Command::new("sh")
        .args([
            "-c",
            &format!(
                "{} -p {} {}@127.0.0.1 id",
                ssh.command,
                servers.ssh().port(),
                servers.ssh().user()
            ),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("only git fetch and push are served"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A path out of the repositories directory is refused.
    let escape = format!(
        "ssh://{}@127.0.0.1:{}/../ssh/x.git",
        servers.ssh().user(),
        servers.ssh().port()
    );
    failed(git(
        &std::env::temp_dir(),
        &["ls-remote", &escape],
        &ssh.env(),
    ));
}

#[test]
fn rsa_and_ecdsa_host_keys() {
    let servers = GitServers::start_with(GitServersOptions {
        ssh: Some(SshOptions {
            host_keys: vec![HostKeyType::Rsa, HostKeyType::Ecdsa],
            ..Default::default()
        }),
        http: None,
        daemon: false,
    })
    .unwrap();
    let (_repo, sha) = repo_with_commit(&servers, "app");
    let ssh_server = servers.ssh();
    assert!(
        ssh_server
            .host_key_known_hosts_line()
            .contains(" ssh-rsa AAAA"),
        "{}",
        ssh_server.host_key_known_hosts_line()
    );
    let key = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    ssh_server.add_authorized_key(&key.public_key).unwrap();
    for (kind, algos) in [
        (HostKeyType::Rsa, "rsa-sha2-512,rsa-sha2-256"),
        (HostKeyType::Ecdsa, "ecdsa-sha2-nistp256"),
    ] {
        let line = format!(
            "[127.0.0.1]:{} {}\n",
            ssh_server.port(),
            ssh_server.host_public_key(kind).unwrap()
        );
        let client = SshClient::new(&key, &line);
        let cmd = format!("{} -o HostKeyAlgorithms={algos}", client.command);
        let env = [("GIT_SSH_COMMAND", cmd.as_str())];
        assert_eq!(
            ls_remote(&ssh_server.url("app"), "refs/heads/main", &env),
            sha
        );
    }
}

#[test]
fn http_basic_and_bearer_auth() {
    let servers = GitServers::start_with(GitServersOptions {
        ssh: None,
        http: Some(HttpOptions {
            basic_auth: Some(("alice".into(), "correct horse".into())),
            bearer_token: Some("tok-123".into()),
            tls: None,
        }),
        daemon: false,
    })
    .unwrap();
    let (_repo, sha) = repo_with_commit(&servers, "app");
    let port = servers.http().port();
    let good = format!("http://alice:correct%20horse@127.0.0.1:{port}/app.git");
    let bad = format!("http://alice:wrong@127.0.0.1:{port}/app.git");
    let anonymous = servers.http().url("app");

    assert_eq!(ls_remote(&good, "refs/heads/main", &[]), sha);
    let err = failed(git(&std::env::temp_dir(), &["ls-remote", &bad], &[]));
    assert!(err.contains("Authentication failed"), "{err}");
    let err = failed(git(&std::env::temp_dir(), &["ls-remote", &anonymous], &[]));
    assert!(
        err.contains("could not read Username") || err.contains("Authentication failed"),
        "{err}"
    );
    let log = std::fs::read_to_string(servers.http().log_path()).unwrap();
    assert!(log.contains("-> 401"), "{log}");

    let bearer = ["-c", "http.extraHeader=Authorization: Bearer tok-123"];
    let (dir, out) = clone(&anonymous, &[], &bearer);
    ok(out);
    assert_eq!(cloned_head(dir.path()), sha);
    let wrong_bearer = ["-c", "http.extraHeader=Authorization: Bearer nope"];
    let (_dir, out) = clone(&anonymous, &[], &wrong_bearer);
    failed(out);
}

#[test]
fn pushes_over_each_protocol_are_seen_by_ls_remote() {
    let servers = GitServers::start_with(GitServersOptions {
        http: Some(HttpOptions {
            basic_auth: Some(("bob".into(), "pw".into())),
            ..Default::default()
        }),
        ..Default::default()
    })
    .unwrap();
    let (repo, first) = repo_with_commit(&servers, "app");
    let key = SshKeyPair::generate(SshKeyType::EcdsaP256).unwrap();
    servers.ssh().add_authorized_key(&key.public_key).unwrap();
    let ssh = SshClient::new(&key, &servers.ssh().known_hosts());
    let http = format!("http://bob:pw@127.0.0.1:{}/app.git", servers.http().port());
    let remotes = [
        servers.ssh().url("app"),
        http.clone(),
        servers.daemon().url("app"),
    ];
    let mut last = first;
    for (i, url) in remotes.iter().enumerate() {
        let (dir, out) = clone(url, &ssh.env(), &[]);
        ok(out);
        let work = dir.path().join("checkout");
        std::fs::write(work.join(format!("file-{i}")), format!("{i}\n")).unwrap();
        ok(git(&work, &["add", "."], &[]));
        ok(git(
            &work,
            &["commit", "-q", "-m", &format!("push {i}")],
            &[],
        ));
        let sha = ok(git(&work, &["rev-parse", "HEAD"], &[]));
        ok(git(&work, &["push", "-q", "origin", "main"], &ssh.env()));
        for observer in &remotes {
            assert_eq!(
                ls_remote(observer, "refs/heads/main", &ssh.env()),
                sha,
                "{observer}"
            );
        }
        assert_eq!(repo.commit_of("main").unwrap(), sha);
        assert_ne!(sha, last);
        last = sha;
    }
}

#[test]
fn branches_tags_and_large_transfers_over_http() {
    let servers = GitServers::start_with(GitServersOptions {
        ssh: None,
        daemon: false,
        ..Default::default()
    })
    .unwrap();
    let repo = servers.create_repo("big").unwrap();
    let main = repo.commit("initial", &[("a", "a\n")]).unwrap();
    repo.tag("v0.1.0").unwrap();
    let tag_obj = repo.annotated_tag("v1.0.0", "release 1.0.0").unwrap();
    repo.checkout_new_branch("feature").unwrap();
    let feature = repo.commit("feature", &[("b", "b\n")]).unwrap();
    repo.checkout("main").unwrap();
    repo.push().unwrap();
    assert_eq!(repo.commit_of("refs/tags/v0.1.0").unwrap(), main);
    assert_eq!(repo.commit_of("v1.0.0").unwrap(), main);
    assert_eq!(repo.bare_rev_parse("refs/tags/v1.0.0").unwrap(), tag_obj);
    assert_ne!(tag_obj, main);
    assert_eq!(repo.commit_of("feature").unwrap(), feature);

    // Many branches make the clone's want list big enough for git to gzip it, and an
    // incompressible file makes the push body bigger than http.postBuffer, so chunked.
    let (dir, out) = clone(&servers.http().url("big"), &[], &[]);
    ok(out);
    let work = dir.path().join("checkout");
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let noise: Vec<u8> = (0..3 * 1024 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(work.join("blob.bin"), &noise).unwrap();
    ok(git(&work, &["add", "."], &[]));
    ok(git(&work, &["commit", "-q", "-m", "big"], &[]));
    for i in 0..60 {
        ok(git(
            &work,
            &["branch", &format!("branch-with-a-longish-name-{i:03}")],
            &[],
        ));
    }
    ok(git(&work, &["push", "-q", "origin", "--all"], &[]));
    let big = ok(git(&work, &["rev-parse", "HEAD"], &[]));
    assert_eq!(
        repo.commit_of("branch-with-a-longish-name-059").unwrap(),
        big
    );

    let (dir, out) = clone(
        &servers.http().url("big"),
        &[],
        &["-c", "protocol.version=0"],
    );
    ok(out);
    assert_eq!(
        std::fs::read(dir.path().join("checkout/blob.bin")).unwrap(),
        noise
    );
    let log = std::fs::read_to_string(servers.http().log_path()).unwrap();
    assert!(
        log.contains("git-receive-pack user=- body=chunked -> 200"),
        "{log}"
    );
    assert!(
        log.contains("git-upload-pack user=- body=gzip -> 200"),
        "{log}"
    );
}

#[test]
fn signed_commits_and_tags_verify_with_the_exported_key() {
    let servers = GitServers::start_with(GitServersOptions {
        ssh: None,
        daemon: false,
        ..Default::default()
    })
    .unwrap();
    let key = GpgKey::generate().unwrap();
    assert!(
        key.public_key_armored()
            .starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----")
    );
    assert_eq!(key.fingerprint().len(), 40);
    let repo = servers.create_repo("signed").unwrap();
    let sha = repo.signed_commit("signed", &[("a", "a\n")], &key).unwrap();
    repo.signed_tag("v1.0.0", "signed release", &key).unwrap();
    let unsigned = repo.commit("unsigned", &[("b", "b\n")]).unwrap();
    repo.push().unwrap();

    let (dir, out) = clone(&servers.http().url("signed"), &[], &[]);
    ok(out);
    let work = dir.path().join("checkout");
    let verifier = tempfile::Builder::new()
        .prefix("tk-gpg-verify-")
        .tempdir_in("/tmp")
        .unwrap();
    let home = verifier.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let home_str = home.to_str().unwrap();
    let env = [("GNUPGHOME", home_str)];

    // Before the key is known, verification fails.
    failed(git(&work, &["verify-commit", &sha], &env));

    let asc = verifier.path().join("key.asc");
    std::fs::write(&asc, key.public_key_armored()).unwrap();
    let import = std::process::Command::new("gpg")
        .env("GNUPGHOME", &home)
        .args(["--batch", "--no-autostart", "--import"])
        .arg(&asc)
        .output()
        .unwrap();
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );

    let out = git(&work, &["verify-commit", "--raw", &sha], &env);
    let status = String::from_utf8_lossy(&out.stderr).into_owned();
    ok(out);
    assert!(
        status.contains(&format!("VALIDSIG {}", key.fingerprint())),
        "{status}"
    );
    ok(git(&work, &["verify-tag", "v1.0.0"], &env));
    failed(git(&work, &["verify-commit", &unsigned], &env));
}

#[test]
fn https_needs_the_ca_and_optionally_a_client_certificate() {
    let servers = GitServers::start_with(GitServersOptions {
        ssh: None,
        http: Some(HttpOptions {
            tls: Some(TlsOptions::default()),
            ..Default::default()
        }),
        daemon: false,
    })
    .unwrap();
    let (_repo, sha) = repo_with_commit(&servers, "app");
    let url = servers.http().url("app");
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let ca_pem = servers.http().ca_pem().unwrap();
    assert!(ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let files = tempfile::tempdir().unwrap();
    let ca = write(files.path(), "ca.crt", ca_pem);
    let with_ca = ["-c", &format!("http.sslCAInfo={}", ca.display())].map(str::to_string);
    let with_ca: Vec<&str> = with_ca.iter().map(String::as_str).collect();

    let (dir, out) = clone(&url, &[], &with_ca);
    ok(out);
    assert_eq!(cloned_head(dir.path()), sha);
    let (_dir, out) = clone(&url, &[], &[]);
    let err = failed(out);
    assert!(err.contains("certificate"), "{err}");

    let mtls = servers
        .start_http(&HttpOptions {
            tls: Some(TlsOptions {
                require_client_cert: true,
            }),
            ..Default::default()
        })
        .unwrap();
    let ca = write(files.path(), "mtls-ca.crt", mtls.ca_pem().unwrap());
    let creds = mtls.client_credentials().unwrap();
    let cert = write(files.path(), "tls.crt", &creds.cert_pem);
    let key = write(files.path(), "tls.key", &creds.key_pem);
    let ca_arg = format!("http.sslCAInfo={}", ca.display());
    let (_dir, out) = clone(&mtls.url("app"), &[], &["-c", &ca_arg]);
    failed(out);
    let cert_arg = format!("http.sslCert={}", cert.display());
    let key_arg = format!("http.sslKey={}", key.display());
    let (dir, out) = clone(
        &mtls.url("app"),
        &[],
        &["-c", &ca_arg, "-c", &cert_arg, "-c", &key_arg],
    );
    ok(out);
    assert_eq!(cloned_head(dir.path()), sha);
}

fn write(dir: &Path, name: &str, contents: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[test]
fn servers_go_down_and_come_back_on_the_same_port() {
    let servers = GitServers::start().unwrap();
    let (repo, sha) = repo_with_commit(&servers, "app");
    let key = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    servers.ssh().add_authorized_key(&key.public_key).unwrap();
    let ssh = SshClient::new(&key, &servers.ssh().known_hosts());
    let env = ssh.env();

    let http_port = servers.http().port();
    servers.http().stop();
    assert!(!servers.http().is_running());
    let err = failed(git(
        &std::env::temp_dir(),
        &["ls-remote", &servers.http().url("app")],
        &[],
    ));
    assert!(
        err.contains("Connection refused") || err.contains("Couldn't connect"),
        "{err}"
    );
    servers.http().start().unwrap();
    assert_eq!(servers.http().port(), http_port);
    assert_eq!(ls_remote(&servers.http().url("app"), "HEAD", &[]), sha);

    servers.ssh().stop();
    assert!(!servers.ssh().is_running());
    let err = failed(git(
        &std::env::temp_dir(),
        &["ls-remote", &servers.ssh().url("app")],
        &env,
    ));
    assert!(err.contains("Connection refused"), "{err}");
    servers.ssh().start().unwrap();
    assert!(servers.ssh().is_running());
    assert_eq!(ls_remote(&servers.ssh().url("app"), "HEAD", &env), sha);

    servers.daemon().stop();
    let err = failed(git(
        &std::env::temp_dir(),
        &["ls-remote", &servers.daemon().url("app")],
        &[],
    ));
    assert!(
        err.contains("Connection refused") || err.contains("unable to connect"),
        "{err}"
    );
    servers.daemon().start().unwrap();
    let next = repo.commit("after restart", &[("c", "c\n")]).unwrap();
    repo.push().unwrap();
    assert_eq!(ls_remote(&servers.daemon().url("app"), "HEAD", &[]), next);
    servers.ssh().check_alive().unwrap();
    servers.daemon().check_alive().unwrap();
}

#[test]
fn dropping_the_servers_kills_them_and_removes_the_directory() {
    let servers = GitServers::start().unwrap();
    let dir = servers.dir().to_path_buf();
    let ports = [
        servers.ssh().port(),
        servers.http().port(),
        servers.daemon().port(),
    ];
    assert!(dir.join("repos").is_dir());
    drop(servers);
    assert!(!dir.exists());
    for port in ports {
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
            "port {port} still answers"
        );
    }
}
