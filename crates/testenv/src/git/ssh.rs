//! Debian's sshd as a Git host, and client key pairs as Flux SSH secrets carry them.

use super::server::{Restartable, ready};
use super::{Root, current_user, require_program, with_port_retry};
use crate::procs::Component;
use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

/// Algorithm of an sshd host key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostKeyType {
    Ed25519,
    /// ECDSA on P-256.
    Ecdsa,
    /// RSA 3072 (ssh-keygen's default size), offered as rsa-sha2-256/512.
    Rsa,
}

impl HostKeyType {
    fn keygen_args(self) -> &'static [&'static str] {
        match self {
            HostKeyType::Ed25519 => &["-t", "ed25519"],
            HostKeyType::Ecdsa => &["-t", "ecdsa", "-b", "256"],
            HostKeyType::Rsa => &["-t", "rsa", "-b", "3072"],
        }
    }

    fn file_stem(self) -> &'static str {
        match self {
            HostKeyType::Ed25519 => "ed25519",
            HostKeyType::Ecdsa => "ecdsa",
            HostKeyType::Rsa => "rsa",
        }
    }
}

/// How to run sshd.
#[derive(Clone, Debug)]
pub struct SshOptions {
    /// Host keys sshd offers, in order; the first is what
    /// [`SshServer::host_key_known_hosts_line`] returns. Clients may pick any of them.
    pub host_keys: Vec<HostKeyType>,
    /// sshd's `RequiredRSASize`; `None` keeps sshd's default (1024 in OpenSSH 9.2), so a
    /// 1024-bit client key is accepted by the server and only a client-side check rejects it.
    pub required_rsa_size: Option<u32>,
}

impl Default for SshOptions {
    fn default() -> Self {
        SshOptions {
            host_keys: vec![HostKeyType::Ed25519],
            required_rsa_size: None,
        }
    }
}

/// sshd on a free loopback port, logging in only as the current OS user and running only
/// git's upload-pack, receive-pack and upload-archive on the shared repositories.
///
/// sshd looks users up in the system's passwd database and cannot log in as anyone but
/// the user it runs as unless it is root, so URLs carry the current user's name
/// ([`SshServer::user`]), e.g. `ssh://root@127.0.0.1:40123/app.git`; any other user name
/// fails authentication. A URL without a user (where Flux would assume `git`) fails too.
pub struct SshServer {
    root: Arc<Root>,
    port: u16,
    user: String,
    sshd: PathBuf,
    config: PathBuf,
    authorized_keys: PathBuf,
    wrapper: PathBuf,
    host_keys: Vec<(HostKeyType, String)>,
    proc: Restartable,
}

impl SshServer {
    pub(crate) fn launch(root: Arc<Root>, opts: &SshOptions) -> Result<SshServer> {
        let sshd = require_program("sshd", "openssh-server")?;
        let keygen = require_program("ssh-keygen", "openssh-client")?;
        let git_shell = require_program("git-shell", "git")?;
        if opts.host_keys.is_empty() {
            bail!("SshOptions::host_keys is empty");
        }
        let user = current_user()?;
        let dir = root.path().join("ssh");
        std::fs::create_dir_all(&dir)?;
        // As root, sshd separates privileges and insists on this directory, which the
        // Debian package only creates when its service starts (never, in a container).
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            std::fs::create_dir_all("/run/sshd").context("creating /run/sshd for sshd")?;
        }
        let mut host_keys = Vec::new();
        for kind in &opts.host_keys {
            let path = dir.join(format!("ssh_host_{}_key", kind.file_stem()));
            keygen_to(&keygen, kind.keygen_args(), &path, "", "tk-testenv-host")?;
            let public = read_public(&path)?;
            host_keys.push((*kind, public));
        }
        let authorized_keys = dir.join("authorized_keys");
        std::fs::write(&authorized_keys, "")?;
        let wrapper = dir.join("git-only.sh");
        write_wrapper(&wrapper, &root.repos(), &git_shell)?;

        let config = dir.join("sshd_config");
        let start = |port: u16| -> Result<(u16, Component)> {
            std::fs::write(
                &config,
                sshd_config(port, &dir, &opts.host_keys, &user, &authorized_keys, opts),
            )?;
            Ok((port, spawn(&sshd, &config, root.path(), port)?))
        };
        let (port, proc) = with_port_retry(start)?;
        Ok(SshServer {
            root: root.clone(),
            port,
            user,
            sshd,
            config,
            authorized_keys,
            wrapper,
            host_keys,
            proc: Restartable::new(proc),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The user name URLs must carry: the OS user running the tests.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// `ssh://<user>@127.0.0.1:<port>/<name>.git`.
    pub fn url(&self, name: &str) -> String {
        format!("ssh://{}@127.0.0.1:{}/{name}.git", self.user, self.port)
    }

    /// The known_hosts line of the first host key:
    /// `[127.0.0.1]:<port> ssh-ed25519 AAAA...`.
    pub fn host_key_known_hosts_line(&self) -> String {
        format!("[127.0.0.1]:{} {}", self.port, self.host_keys[0].1)
    }

    /// known_hosts lines for every host key sshd offers, newline-terminated.
    pub fn known_hosts(&self) -> String {
        self.host_keys
            .iter()
            .map(|(_, k)| format!("[127.0.0.1]:{} {k}\n", self.port))
            .collect()
    }

    /// The public host key (`ssh-ed25519 AAAA...`) of the given type, if sshd offers one.
    pub fn host_public_key(&self, kind: HostKeyType) -> Option<&str> {
        self.host_keys
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, p)| p.as_str())
    }

    /// Lets `public_key` (an `ssh-ed25519 AAAA... comment` line) log in, restricted to git.
    /// sshd reads the file on each login, so this takes effect at once.
    pub fn add_authorized_key(&self, public_key: &str) -> Result<()> {
        let key = public_key.trim();
        if key.is_empty() || key.contains('\n') {
            bail!("expected one public key line, got {public_key:?}");
        }
        let line = format!("command=\"{}\",restrict {key}\n", self.wrapper.display());
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.authorized_keys)
            .with_context(|| format!("opening {}", self.authorized_keys.display()))?;
        f.write_all(line.as_bytes())?;
        Ok(())
    }

    /// Revokes every authorized line for `public_key` (compared by type and base64, the
    /// comment ignored), as a hosted service does when a deploy key is deleted.
    pub fn remove_authorized_key(&self, public_key: &str) -> Result<()> {
        let wanted = key_material(public_key);
        let text = std::fs::read_to_string(&self.authorized_keys)
            .with_context(|| format!("reading {}", self.authorized_keys.display()))?;
        let kept: String = text
            .lines()
            .filter(|line| {
                // `command="…",restrict <type> <base64> [comment]`: the key follows the options.
                let key = line.split_once(' ').map_or("", |(_, rest)| rest);
                key_material(key) != wanted
            })
            .map(|line| format!("{line}\n"))
            .collect();
        std::fs::write(&self.authorized_keys, kept)
            .with_context(|| format!("writing {}", self.authorized_keys.display()))
    }

    /// Kills sshd, so connections to the port are refused; sessions in flight end too.
    pub fn stop(&self) {
        self.proc.stop();
    }

    /// Starts sshd again on the same port with the same keys; a no-op when running.
    pub fn start(&self) -> Result<()> {
        self.proc
            .start(|| spawn(&self.sshd, &self.config, self.root.path(), self.port))
    }

    pub fn is_running(&self) -> bool {
        self.proc.is_running()
    }

    /// Err with sshd's log tail if it was started and has died since.
    pub fn check_alive(&self) -> Result<()> {
        self.proc.check_alive()
    }
}

fn spawn(sshd: &Path, config: &Path, log_dir: &Path, port: u16) -> Result<Component> {
    // -D: stay in the foreground so we own the process; -e: log to stderr (our log file).
    let args = [
        "-D".to_string(),
        "-e".to_string(),
        "-f".to_string(),
        config.display().to_string(),
    ];
    let c = Component::start("sshd", sshd, &args, log_dir)?;
    ready(
        c,
        port,
        Some(b"SSH-2.0-"),
        &format!("Server listening on 127.0.0.1 port {port}"),
    )
}

fn sshd_config(
    port: u16,
    dir: &Path,
    kinds: &[HostKeyType],
    user: &str,
    authorized_keys: &Path,
    opts: &SshOptions,
) -> String {
    let mut c = String::new();
    c.push_str(&format!("Port {port}\nListenAddress 127.0.0.1\n"));
    for kind in kinds {
        let path = dir.join(format!("ssh_host_{}_key", kind.file_stem()));
        c.push_str(&format!("HostKey {}\n", path.display()));
    }
    c.push_str(&format!(
        "AuthorizedKeysFile {}\nAllowUsers {user}\n",
        authorized_keys.display()
    ));
    if let Some(bits) = opts.required_rsa_size {
        c.push_str(&format!("RequiredRSASize {bits}\n"));
    }
    c.push_str(
        "\
PidFile none
# The temporary directory's modes are whatever the test environment makes them.
StrictModes no
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
# Every authorized key carries command=, so even root gets nothing but git.
PermitRootLogin forced-commands-only
# git passes the wire protocol version (v2) this way.
AcceptEnv GIT_PROTOCOL
AllowTcpForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTTY no
PrintMotd no
UseDNS no
# Debian's bash sources ~/.bashrc for commands run by sshd unless the shell is nested; a
# developer's rc file (pyenv rehash waits 60s on a lock a killed session left) must not
# slow or break the forced git command.
SetEnv SHLVL=1
# Parallel tests open many connections at once.
MaxStartups 200
LogLevel VERBOSE
",
    );
    c
}

/// The forced command: maps `/<name>.git` onto the repositories directory and runs only
/// git's transport commands through git-shell.
fn write_wrapper(path: &Path, repos: &Path, git_shell: &Path) -> Result<()> {
    let script = format!(
        r#"#!/bin/sh
set -f
cmd=${{SSH_ORIGINAL_COMMAND%% *}}
arg=${{SSH_ORIGINAL_COMMAND#* }}
case "$cmd" in
  git-upload-pack|git-receive-pack|git-upload-archive) ;;
  *) echo "tk-testenv sshd: only git fetch and push are served, not: $SSH_ORIGINAL_COMMAND" >&2; exit 1 ;;
esac
case "$arg" in
  \'*\') path=${{arg#\'}}; path=${{path%\'}} ;;
  *) path=$arg ;;
esac
path=${{path#/}}
path=${{path#\~/}}
case "/$path/" in
  */../*|*\'*) echo "tk-testenv sshd: refusing path $path" >&2; exit 1 ;;
esac
cd {repos} || exit 1
exec {git_shell} -c "$cmd '$path'"
"#,
        repos = shell_quote(repos),
        git_shell = shell_quote(git_shell),
    );
    std::fs::write(path, script).with_context(|| format!("writing {}", path.display()))?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
}

fn shell_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

fn keygen_to(
    keygen: &Path,
    type_args: &[&str],
    path: &Path,
    pass: &str,
    comment: &str,
) -> Result<()> {
    let out = Command::new(keygen)
        .args(["-q"])
        .args(type_args)
        .args(["-N", pass, "-C", comment, "-f"])
        .arg(path)
        .stdin(std::process::Stdio::null())
        .output()
        .with_context(|| format!("running {}", keygen.display()))?;
    if !out.status.success() {
        bail!(
            "ssh-keygen {} failed: {}",
            type_args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// `type base64` of a key's .pub file, without the comment.
fn read_public(private: &Path) -> Result<String> {
    let path = private.with_extension("pub");
    let path = if path.exists() {
        path
    } else {
        PathBuf::from(format!("{}.pub", private.display()))
    };
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut parts = text.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some(t), Some(k)) => Ok(format!("{t} {k}")),
        _ => bail!("{} is not a public key: {text:?}", path.display()),
    }
}

/// Algorithm and size of a client key pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SshKeyType {
    Ed25519,
    EcdsaP256,
    Rsa2048,
    /// Too weak for production; for tests that expect such keys to be rejected.
    Rsa1024,
}

impl SshKeyType {
    fn keygen_args(self) -> &'static [&'static str] {
        match self {
            SshKeyType::Ed25519 => &["-t", "ed25519"],
            SshKeyType::EcdsaP256 => &["-t", "ecdsa", "-b", "256"],
            SshKeyType::Rsa2048 => &["-t", "rsa", "-b", "2048"],
            SshKeyType::Rsa1024 => &["-t", "rsa", "-b", "1024"],
        }
    }
}

/// A client key pair made by ssh-keygen.
#[derive(Clone, Debug)]
pub struct SshKeyPair {
    pub kind: SshKeyType,
    /// `-----BEGIN OPENSSH PRIVATE KEY-----...`, what a Flux secret's `identity` holds.
    pub private_key: String,
    /// `ssh-ed25519 AAAA... tk-testenv`, newline-terminated, as in `identity.pub`.
    pub public_key: String,
    /// The passphrase the private key is encrypted with (a secret's `password`), if any.
    pub passphrase: Option<String>,
}

impl SshKeyPair {
    pub fn generate(kind: SshKeyType) -> Result<SshKeyPair> {
        Self::generate_inner(kind, None)
    }

    /// A key pair whose private key is encrypted with `passphrase`.
    pub fn generate_encrypted(kind: SshKeyType, passphrase: &str) -> Result<SshKeyPair> {
        if passphrase.is_empty() {
            bail!("an empty passphrase leaves the key unencrypted; use generate");
        }
        Self::generate_inner(kind, Some(passphrase))
    }

    fn generate_inner(kind: SshKeyType, passphrase: Option<&str>) -> Result<SshKeyPair> {
        let keygen = require_program("ssh-keygen", "openssh-client")?;
        let tmp = tempfile::Builder::new()
            .prefix("tk-testenv-sshkey-")
            .tempdir()?;
        let path = tmp.path().join("id");
        keygen_to(
            &keygen,
            kind.keygen_args(),
            &path,
            passphrase.unwrap_or(""),
            "tk-testenv",
        )?;
        Ok(SshKeyPair {
            kind,
            private_key: std::fs::read_to_string(&path)?,
            public_key: std::fs::read_to_string(tmp.path().join("id.pub"))?,
            passphrase: passphrase.map(str::to_string),
        })
    }

    /// The data of a Flux SSH Secret: `identity`, `identity.pub`, `known_hosts` and, for
    /// encrypted keys, `password`.
    pub fn secret_data(&self, known_hosts: &str) -> BTreeMap<String, String> {
        let mut data = BTreeMap::from([
            ("identity".to_string(), self.private_key.clone()),
            ("identity.pub".to_string(), self.public_key.clone()),
            ("known_hosts".to_string(), known_hosts.to_string()),
        ]);
        if let Some(p) = &self.passphrase {
            data.insert("password".to_string(), p.clone());
        }
        data
    }

    /// Writes the private key with mode 0600 (ssh refuses keys others can read).
    pub fn write_private_key(&self, path: &Path) -> Result<()> {
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .with_context(|| format!("writing {}", path.display()))?;
        f.write_all(self.private_key.as_bytes())?;
        Ok(())
    }
}

/// `type base64` of an `authorized_keys` key, without options or comment.
fn key_material(line: &str) -> String {
    line.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_start_reports_sshd_log_tail() {
        let dir = tempfile::tempdir().unwrap();
        let keygen = require_program("ssh-keygen", "openssh-client").unwrap();
        let sshd = require_program("sshd", "openssh-server").unwrap();
        let key = dir.path().join("ssh_host_ed25519_key");
        keygen_to(&keygen, HostKeyType::Ed25519.keygen_args(), &key, "", "t").unwrap();
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let config = dir.path().join("sshd_config");
        let user = current_user().unwrap();
        let opts = SshOptions::default();
        let text = sshd_config(port, dir.path(), &opts.host_keys, &user, &key, &opts);
        std::fs::write(&config, text).unwrap();
        let Err(err) = spawn(&sshd, &config, dir.path(), port) else {
            panic!("sshd started on a port already taken");
        };
        let err = format!("{err:#}");
        assert!(err.contains("sshd exited"), "{err}");
        assert!(err.contains("Address already in use"), "{err}");
    }
}
