//! Real Git servers on loopback for source-controller tests: Debian's `sshd`, `git
//! http-backend` behind a small HTTP(S) server, and `git daemon`, all serving the same
//! directory of bare repositories, so one repository is reachable as `ssh://`, `http(s)://`
//! and `git://` at once.
//!
//! [`GitServers::start`] starts all three in a fresh temporary directory; dropping it kills
//! them and removes the directory. Repositories are made with [`GitServers::create_repo`] and
//! filled through a work tree with the `git` CLI ([`Repo`]); commits and tags can be signed
//! with a throwaway gpg key ([`GpgKey`]). Client SSH keys come from [`SshKeyPair`].
//!
//! Like the control plane, nothing is mocked or skipped: a server that cannot start is an
//! error naming the reason and the tail of its log.
//!
//! ```no_run
//! use testenv::git::{GitServers, GpgKey, SshKeyPair, SshKeyType};
//! # fn main() -> anyhow::Result<()> {
//! let servers = GitServers::start()?;
//! let repo = servers.create_repo("podinfo")?;
//! let key = GpgKey::generate()?;
//! let sha = repo.signed_commit("init", &[("deploy/app.yaml", "kind: ConfigMap\n")], &key)?;
//! repo.annotated_tag("v1.0.0", "release")?;
//! repo.push()?;
//! assert_eq!(repo.commit_of("v1.0.0")?, sha);
//!
//! let client = SshKeyPair::generate(SshKeyType::Ed25519)?;
//! servers.ssh().add_authorized_key(&client.public_key)?;
//! // GitRepository.spec.url and its secret (identity, identity.pub, known_hosts):
//! let url = servers.ssh().url("podinfo"); // ssh://<current user>@127.0.0.1:<port>/podinfo.git
//! let data = client.secret_data(&servers.ssh().known_hosts());
//! let gpg_secret = key.public_key_armored(); // for a verification secret's `author.asc`
//! let http_url = servers.http().url("podinfo"); // http://127.0.0.1:<port>/podinfo.git
//! servers.http().stop(); // connections refused until start()
//! servers.http().start()?;
//! # let _ = (url, data, gpg_secret, http_url); Ok(()) }
//! ```

mod daemon;
mod gpg;
pub(crate) mod http;
mod repo;
mod server;
mod ssh;

pub use daemon::GitDaemon;
pub use gpg::GpgKey;
pub use http::{HttpOptions, HttpServer, TlsOptions};
pub use repo::{AUTHOR_EMAIL, AUTHOR_NAME, Repo, git_command};
pub use ssh::{HostKeyType, SshKeyPair, SshKeyType, SshOptions, SshServer};

use anyhow::{Context, Result, bail};
use std::io::Read;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Which servers [`GitServers::start_with`] starts; `Default` starts all three, with plain
/// HTTP and no HTTP authentication.
#[derive(Clone, Debug)]
pub struct GitServersOptions {
    pub ssh: Option<SshOptions>,
    pub http: Option<HttpOptions>,
    pub daemon: bool,
}

impl Default for GitServersOptions {
    fn default() -> Self {
        GitServersOptions {
            ssh: Some(SshOptions::default()),
            http: Some(HttpOptions::default()),
            daemon: true,
        }
    }
}

/// The temporary directory shared by the servers; servers hold it so an extra server
/// started with [`GitServers::start_http`] may outlive the [`GitServers`] safely.
pub(crate) struct Root {
    dir: tempfile::TempDir,
}

impl Root {
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The bare repositories: `GIT_PROJECT_ROOT`, the daemon's base path, sshd's mapping.
    pub fn repos(&self) -> PathBuf {
        self.dir.path().join("repos")
    }
}

/// sshd, git http-backend and git daemon over one directory of bare repositories.
pub struct GitServers {
    ssh: Option<SshServer>,
    http: Option<HttpServer>,
    daemon: Option<GitDaemon>,
    root: Arc<Root>,
}

impl GitServers {
    /// Starts sshd, plain HTTP without authentication and git daemon.
    pub fn start() -> Result<GitServers> {
        Self::start_with(GitServersOptions::default())
    }

    pub fn start_with(opts: GitServersOptions) -> Result<GitServers> {
        let prefix = format!("tk-testenv-{}-git-", std::process::id());
        let dir = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir()
            .context("creating a temporary directory for the git servers")?;
        let root = Arc::new(Root { dir });
        std::fs::create_dir_all(root.repos())?;
        std::fs::create_dir_all(root.path().join("work"))?;
        let started = (|| -> Result<GitServers> {
            let ssh = opts
                .ssh
                .as_ref()
                .map(|o| SshServer::launch(root.clone(), o))
                .transpose()?;
            let http = opts
                .http
                .as_ref()
                .map(|o| HttpServer::launch(root.clone(), o))
                .transpose()?;
            let daemon = opts
                .daemon
                .then(|| GitDaemon::launch(root.clone()))
                .transpose()?;
            Ok(GitServers {
                ssh,
                http,
                daemon,
                root: root.clone(),
            })
        })();
        started.map_err(|e| {
            // The error names log files in the directory, so keep them to be read; the
            // control plane's start sweeps directories of dead test processes away.
            if let Ok(root) = Arc::try_unwrap(root) {
                let _ = root.dir.keep();
            }
            e.context("starting the testenv git servers")
        })
    }

    /// The SSH server. Panics when started without one, which is a bug in the test.
    pub fn ssh(&self) -> &SshServer {
        self.ssh
            .as_ref()
            .expect("GitServers was started without ssh")
    }

    /// The HTTP(S) server. Panics when started without one.
    pub fn http(&self) -> &HttpServer {
        self.http
            .as_ref()
            .expect("GitServers was started without http")
    }

    /// The git daemon. Panics when started without one.
    pub fn daemon(&self) -> &GitDaemon {
        self.daemon
            .as_ref()
            .expect("GitServers was started without git daemon")
    }

    /// Another HTTP(S) server over the same repositories, e.g. one with TLS next to a plain
    /// one, or one with different credentials. It stops when dropped.
    pub fn start_http(&self, opts: &HttpOptions) -> Result<HttpServer> {
        HttpServer::launch(self.root.clone(), opts)
    }

    /// Creates an empty bare repository `<name>.git` (default branch `main`) and a work tree
    /// for it; `name` may contain slashes, e.g. `org/app`.
    pub fn create_repo(&self, name: &str) -> Result<Repo> {
        Repo::create(&self.root, name)
    }

    /// The directory of bare repositories: a repository `app` is `<repos_dir>/app.git`.
    pub fn repos_dir(&self) -> PathBuf {
        self.root.repos()
    }

    /// The temporary directory with repositories, configuration and logs
    /// (`sshd.log`, `http.log`, `git-daemon.log`).
    pub fn dir(&self) -> &Path {
        self.root.path()
    }
}

/// Finds an executable on PATH or in the sbin directories (which a non-root PATH lacks).
pub(crate) fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| {
            use std::os::unix::fs::PermissionsExt;
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

pub(crate) fn require_program(name: &str, package: &str) -> Result<PathBuf> {
    find_program(name).with_context(|| {
        format!("`{name}` is not installed: install {package} (hack/setup.sh does)")
    })
}

/// The user sshd logs in as: it cannot switch to any other account.
pub(crate) fn current_user() -> Result<String> {
    // SAFETY: getpwuid_r writes only into the buffers passed to it.
    unsafe {
        let uid = libc::geteuid();
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut buf = vec![0 as libc::c_char; 4096];
        let mut out: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut out);
        if rc != 0 || out.is_null() {
            bail!("uid {uid} has no passwd entry, so sshd cannot log anyone in as it");
        }
        Ok(std::ffi::CStr::from_ptr(pwd.pw_name)
            .to_string_lossy()
            .into_owned())
    }
}

/// Polls until the server's log says it listens (another process may hold a port we
/// thought free, and would answer a bare connect) and something accepts TCP connections on
/// `port` that, when `banner` is given, sends bytes starting with it. `alive` fails early
/// when the server process has died.
pub(crate) fn wait_listening(
    port: u16,
    banner: Option<&[u8]>,
    log_marker: Option<(&Path, &str)>,
    timeout: Duration,
    mut alive: impl FnMut() -> Result<()>,
) -> Result<()> {
    let start = Instant::now();
    loop {
        alive()?;
        let logged = log_marker.is_none_or(|(log, marker)| {
            std::fs::read_to_string(log).is_ok_and(|text| text.contains(marker))
        });
        let probed = if logged {
            probe(port, banner)
        } else {
            Err(std::io::Error::other("the log does not say it listens yet"))
        };
        match probed {
            Ok(()) => return Ok(()),
            Err(_) if start.elapsed() <= timeout => {}
            Err(last) => {
                bail!(
                    "nothing answered on 127.0.0.1:{port} within {}s (last: {last})",
                    timeout.as_secs()
                );
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn probe(port: u16, banner: Option<&[u8]>) -> std::io::Result<()> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    if let Some(want) = banner {
        s.set_read_timeout(Some(Duration::from_secs(2)))?;
        let mut got = vec![0; want.len()];
        s.read_exact(&mut got)?;
        if got != want {
            return Err(std::io::Error::other(format!(
                "unexpected banner {:?}",
                String::from_utf8_lossy(&got)
            )));
        }
    }
    Ok(())
}

/// Retries `start` on fresh ports while the failure is a lost race for the port.
pub(crate) fn with_port_retry<T>(mut start: impl FnMut(u16) -> Result<T>) -> Result<T> {
    let mut attempt = 1;
    loop {
        let port = crate::procs::free_ports(1)?[0];
        match start(port) {
            Err(e) if attempt < 3 && format!("{e:#}").contains("ddress already in use") => {
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Kills a server and every process it forked (per-connection children, which would
/// otherwise keep serving clients of a server that was meant to go down, and may hold its
/// listening socket), and waits until they are gone, so the port refuses connections when
/// this returns.
pub(crate) fn kill_tree(c: &mut crate::procs::Component) {
    // Stopped processes cannot fork, so freezing from the top down finds every descendant.
    let mut tree = vec![c.child.id() as libc::pid_t];
    let mut i = 0;
    while i < tree.len() {
        // SAFETY: signalling our server or its descendants; no memory is involved.
        unsafe {
            libc::kill(tree[i], libc::SIGSTOP);
        }
        for child in children(tree[i]) {
            if !tree.contains(&child) {
                tree.push(child);
            }
        }
        i += 1;
    }
    for pid in &tree[1..] {
        // SAFETY: as above. Orphans are reparented, not reaped by us, so none of these pids
        // can have been recycled for an unrelated process yet.
        unsafe {
            libc::kill(*pid, libc::SIGKILL);
        }
    }
    c.kill();
    let deadline = Instant::now() + Duration::from_secs(5);
    while tree[1..].iter().any(|p| alive(*p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Whether a process exists and is not a zombie (a zombie has closed its sockets).
fn alive(pid: libc::pid_t) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X")
    })
}

fn children(parent: libc::pid_t) -> Vec<libc::pid_t> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let pid = e.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
            // The command name in parentheses may contain spaces; fields resume after it.
            let rest = &stat[stat.rfind(')')? + 1..];
            let ppid: libc::pid_t = rest.split_whitespace().nth(1)?.parse().ok()?;
            (ppid == parent).then_some(pid)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_program_names_its_package() {
        let err = require_program("tk-testenv-no-such-sshd", "openssh-server").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`tk-testenv-no-such-sshd` is not installed: install openssh-server (hack/setup.sh does)"
        );
    }
}
