//! gitsource against real servers from testenv: sshd, git http-backend (basic, bearer,
//! TLS), git daemon, and repositories built and signed with the git and gpg CLIs.

mod auth;
mod checkout;
mod proxy;
mod refs;
mod verify;
mod workspace;

use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use testenv::git::{
    GitServers, GitServersOptions, HostKeyType, HttpOptions, HttpServer, Repo, SshOptions,
    TlsOptions,
};

pub const USER: &str = "flux";
pub const PASSWORD: &str = "s3cr3t-pa55word";
pub const TOKEN: &str = "tok-0123456789abcdef";

/// One set of servers per test process; each test makes its own repositories.
pub fn servers() -> &'static GitServers {
    static SERVERS: OnceLock<GitServers> = OnceLock::new();
    SERVERS.get_or_init(|| {
        GitServers::start_with(GitServersOptions {
            ssh: Some(SshOptions {
                host_keys: vec![HostKeyType::Ed25519, HostKeyType::Ecdsa, HostKeyType::Rsa],
                required_rsa_size: None,
            }),
            ..Default::default()
        })
        .expect("starting the git servers")
    })
}

fn extra_http(cell: &'static OnceLock<HttpServer>, opts: HttpOptions) -> &'static HttpServer {
    cell.get_or_init(|| {
        servers()
            .start_http(&opts)
            .expect("starting an HTTP server")
    })
}

pub fn basic_http() -> &'static HttpServer {
    static S: OnceLock<HttpServer> = OnceLock::new();
    extra_http(
        &S,
        HttpOptions {
            basic_auth: Some((USER.into(), PASSWORD.into())),
            ..Default::default()
        },
    )
}

pub fn bearer_http() -> &'static HttpServer {
    static S: OnceLock<HttpServer> = OnceLock::new();
    extra_http(
        &S,
        HttpOptions {
            bearer_token: Some(TOKEN.into()),
            ..Default::default()
        },
    )
}

pub fn tls_http() -> &'static HttpServer {
    static S: OnceLock<HttpServer> = OnceLock::new();
    extra_http(
        &S,
        HttpOptions {
            tls: Some(TlsOptions::default()),
            ..Default::default()
        },
    )
}

/// A repository name no other test uses.
pub fn unique(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("{prefix}-{}", N.fetch_add(1, Ordering::Relaxed))
}

/// main: two commits (the second adds deploy/app.yaml), branch feature/x one commit ahead,
/// master at main's first commit, lightweight tag v1.0.0 on the first commit, annotated
/// v1.1.0 and v2.0.0-rc.1 on the second, refs/pull/1/head at feature/x.
pub struct Fixture {
    pub repo: Repo,
    pub first: String,
    pub second: String,
    pub feature: String,
}

pub fn fixture(prefix: &str) -> Fixture {
    let repo = servers().create_repo(&unique(prefix)).unwrap();
    let first = repo.commit("first", &[("README.md", "hello\n")]).unwrap();
    repo.branch("master").unwrap();
    repo.tag("v1.0.0").unwrap();
    let second = repo
        .commit(
            "second",
            &[
                ("deploy/app.yaml", "kind: ConfigMap\n"),
                ("docs/guide.md", "guide\n"),
            ],
        )
        .unwrap();
    repo.annotated_tag("v1.1.0", "release 1.1.0").unwrap();
    repo.annotated_tag("v2.0.0-rc.1", "candidate").unwrap();
    repo.checkout_new_branch("feature/x").unwrap();
    let feature = repo.commit("feature", &[("feature.txt", "x\n")]).unwrap();
    repo.checkout("main").unwrap();
    repo.push().unwrap();
    repo.push_refspecs(&["refs/heads/feature/x:refs/pull/1/head"])
        .unwrap();
    Fixture {
        repo,
        first,
        second,
        feature,
    }
}

pub fn file_url(repo: &Repo) -> String {
    format!("file://{}", repo.bare_path().display())
}

/// Relative paths of the files under `dir`, `.git` excluded, sorted.
pub fn files(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            if e.file_name() == ".git" {
                continue;
            }
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                walk(root, &p, out);
            } else {
                out.push(p.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}
