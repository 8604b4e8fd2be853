//! A throwaway OpenPGP key for signed commits and tags.

use super::require_program;
use crate::procs::Component;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A secret key without a passphrase in its own temporary GNUPGHOME, served by a
/// gpg-agent that dies with the test process.
pub struct GpgKey {
    gpg: PathBuf,
    agent: Mutex<Option<Component>>,
    fingerprint: String,
    user_id: String,
    public_armored: String,
    // Last, so the agent is killed before its directory goes.
    home: tempfile::TempDir,
}

impl GpgKey {
    /// An ed25519 signing key for `tk testenv <signer@tk.invalid>`.
    pub fn generate() -> Result<GpgKey> {
        Self::generate_with("tk testenv <signer@tk.invalid>", "ed25519")
    }

    /// A signing key for `user_id` with a gpg algorithm name (`ed25519`, `rsa2048`,
    /// `rsa4096`, `nistp256`, ...).
    pub fn generate_with(user_id: &str, algorithm: &str) -> Result<GpgKey> {
        let gpg = require_program("gpg", "gnupg")?;
        let agent_bin = require_program("gpg-agent", "gnupg")?;
        // A short path: the agent's socket must fit in sun_path.
        let home = tempfile::Builder::new()
            .prefix("tk-testenv-gpg-")
            .tempdir_in("/tmp")
            .context("creating a GNUPGHOME")?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o700))?;
        let home_str = home.path().display().to_string();
        // gpg would otherwise start a detached agent that outlives a killed test process;
        // ours runs in the foreground, tied to this process, and gpg must not start another.
        std::fs::write(home.path().join("gpg.conf"), "no-autostart\n")?;
        let mut agent = Component::start(
            "gpg-agent",
            &agent_bin,
            &[
                "--homedir".into(),
                home_str.clone(),
                "--daemon".into(),
                "--no-detach".into(),
                "--allow-loopback-pinentry".into(),
            ],
            home.path(),
        )?;
        let socket = agent_socket(home.path())?;
        let start = Instant::now();
        while !socket.exists() {
            agent.check_alive()?;
            if start.elapsed() > Duration::from_secs(10) {
                let e = agent.failure(&format!("did not create {}", socket.display()));
                agent.kill();
                return Err(e);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // Built now so that the agent is killed if anything below fails.
        let mut key = GpgKey {
            gpg,
            agent: Mutex::new(Some(agent)),
            fingerprint: String::new(),
            user_id: user_id.to_string(),
            public_armored: String::new(),
            home,
        };
        key.gpg(&[
            "--passphrase",
            "",
            "--quick-gen-key",
            user_id,
            algorithm,
            "sign",
            "never",
        ])
        .context("generating the gpg key")?;
        let listing = key.gpg(&["--with-colons", "--list-secret-keys"])?;
        let fingerprint = listing
            .lines()
            .find_map(|l| l.strip_prefix("fpr:"))
            .and_then(|rest| rest.split(':').find(|f| !f.is_empty()))
            .map(str::to_string)
            .with_context(|| format!("no fingerprint in gpg's listing:\n{listing}"))?;
        key.public_armored = key.gpg(&["--armor", "--export", &fingerprint])?;
        key.fingerprint = fingerprint;
        Ok(key)
    }

    /// The primary key's fingerprint (40 hex digits), usable as git's `user.signingKey`.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The long key id: the last 16 hex digits of the fingerprint.
    pub fn key_id(&self) -> &str {
        &self.fingerprint[self.fingerprint.len().saturating_sub(16)..]
    }

    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// `-----BEGIN PGP PUBLIC KEY BLOCK-----...`, what a verification secret's `*.asc` holds.
    pub fn public_key_armored(&self) -> &str {
        &self.public_armored
    }

    /// The GNUPGHOME holding the secret key, for `GNUPGHOME=... git commit -S`.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// Runs gpg in this key's home in batch mode, returning stdout.
    pub fn gpg(&self, args: &[&str]) -> Result<String> {
        let out = Command::new(&self.gpg)
            .env("GNUPGHOME", self.home.path())
            .args(["--batch", "--no-tty", "--pinentry-mode", "loopback"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .context("running gpg")?;
        if !out.status.success() {
            bail!(
                "gpg {} failed ({}): {}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        String::from_utf8(out.stdout).context("gpg printed non-UTF-8")
    }
}

impl Drop for GpgKey {
    fn drop(&mut self) {
        if let Some(mut a) = self.agent.lock().unwrap_or_else(|e| e.into_inner()).take() {
            a.kill();
        }
    }
}

/// Where gpg looks for the agent of `home`: in `home` itself, or under /run/user when that
/// exists, so ask gpgconf rather than guess.
fn agent_socket(home: &Path) -> Result<PathBuf> {
    let out = Command::new("gpgconf")
        .arg("--homedir")
        .arg(home)
        .args(["--list-dirs", "agent-socket"])
        .stdin(Stdio::null())
        .output()
        .context("running gpgconf (install gnupg; hack/setup.sh does)")?;
    if !out.status.success() {
        bail!(
            "gpgconf --list-dirs failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(PathBuf::from(
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    ))
}
