//! `git daemon` for `git://` URLs.

use super::server::{Restartable, ready};
use super::{Root, require_program, with_port_retry};
use crate::procs::Component;
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `git daemon` on a free loopback port, exporting every repository and accepting pushes
/// (anonymously: the git protocol has no authentication).
pub struct GitDaemon {
    root: Arc<Root>,
    git: PathBuf,
    port: u16,
    proc: Restartable,
}

impl GitDaemon {
    pub(crate) fn launch(root: Arc<Root>) -> Result<GitDaemon> {
        let git = require_program("git", "git")?;
        let (port, proc) = with_port_retry(|port| spawn(&git, &root, port).map(|c| (port, c)))?;
        Ok(GitDaemon {
            root,
            git,
            port,
            proc: Restartable::new(proc),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `git://127.0.0.1:<port>/<name>.git`.
    pub fn url(&self, name: &str) -> String {
        format!("git://127.0.0.1:{}/{name}.git", self.port)
    }

    /// Kills the daemon and its per-connection children; connections are refused until
    /// [`GitDaemon::start`].
    pub fn stop(&self) {
        self.proc.stop();
    }

    /// Starts the daemon again on the same port; a no-op when running.
    pub fn start(&self) -> Result<()> {
        self.proc.start(|| spawn(&self.git, &self.root, self.port))
    }

    pub fn is_running(&self) -> bool {
        self.proc.is_running()
    }

    /// Err with the daemon's log tail if it was started and has died since.
    pub fn check_alive(&self) -> Result<()> {
        self.proc.check_alive()
    }
}

fn spawn(git: &Path, root: &Root, port: u16) -> Result<Component> {
    let repos = root.repos();
    let args = vec![
        "daemon".to_string(),
        "--reuseaddr".to_string(),
        "--verbose".to_string(),
        "--informative-errors".to_string(),
        "--export-all".to_string(),
        "--enable=receive-pack".to_string(),
        format!("--base-path={}", repos.display()),
        format!("--port={port}"),
        "--listen=127.0.0.1".to_string(),
        // Only repositories under the base path are served.
        repos.display().to_string(),
    ];
    let c = Component::start("git-daemon", git, &args, root.path())?;
    ready(c, port, None, "Ready to rumble")
}
