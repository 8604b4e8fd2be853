//! `git daemon` for `git://` URLs.

use super::{Root, kill_tree, require_program, wait_listening, with_port_retry};
use crate::procs::Component;
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// `git daemon` on a free loopback port, exporting every repository and accepting pushes
/// (anonymously: the git protocol has no authentication).
pub struct GitDaemon {
    root: Arc<Root>,
    git: PathBuf,
    port: u16,
    proc: Mutex<Option<Component>>,
}

impl GitDaemon {
    pub(crate) fn launch(root: Arc<Root>) -> Result<GitDaemon> {
        let git = require_program("git", "git")?;
        let (port, proc) = with_port_retry(|port| spawn(&git, &root, port).map(|c| (port, c)))?;
        Ok(GitDaemon {
            root,
            git,
            port,
            proc: Mutex::new(Some(proc)),
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
        if let Some(mut c) = self.proc.lock().unwrap_or_else(|e| e.into_inner()).take() {
            kill_tree(&mut c);
        }
    }

    /// Starts the daemon again on the same port; a no-op when running.
    pub fn start(&self) -> Result<()> {
        let mut proc = self.proc.lock().unwrap_or_else(|e| e.into_inner());
        if proc.is_none() {
            *proc = Some(spawn(&self.git, &self.root, self.port)?);
        }
        Ok(())
    }

    pub fn is_running(&self) -> bool {
        self.proc
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
            .is_some_and(|c| c.check_alive().is_ok())
    }

    /// Err with the daemon's log tail if it was started and has died since.
    pub fn check_alive(&self) -> Result<()> {
        match self.proc.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            Some(c) => c.check_alive(),
            None => Ok(()),
        }
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        self.stop();
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
    let mut c = Component::start("git-daemon", git, &args, root.path())?;
    let log = c.log.clone();
    let ready = wait_listening(
        port,
        None,
        Some((&log, "Ready to rumble")),
        Duration::from_secs(20),
        || c.check_alive(),
    );
    if let Err(e) = ready {
        c.kill();
        return Err(if format!("{e:#}").contains("last lines of") {
            e
        } else {
            c.failure(&format!("did not become ready: {e:#}"))
        });
    }
    Ok(c)
}
