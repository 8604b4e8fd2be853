//! What the git daemon and sshd share: a process tests can stop and start again on the same
//! port, and a readiness wait that kills a server that never came up.

use super::{kill_tree, wait_listening};
use crate::procs::Component;
use anyhow::Result;
use std::sync::Mutex;
use std::time::Duration;

/// A running (or deliberately stopped) server process.
pub(crate) struct Restartable(Mutex<Option<Component>>);

impl Restartable {
    pub(crate) fn new(c: Component) -> Restartable {
        Restartable(Mutex::new(Some(c)))
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Component>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Kills the server and its per-connection children: sessions in flight end too, as
    /// when a real server goes down.
    pub(crate) fn stop(&self) {
        if let Some(mut c) = self.slot().take() {
            kill_tree(&mut c);
        }
    }

    /// Starts the server with `spawn` unless it is running.
    pub(crate) fn start(&self, spawn: impl FnOnce() -> Result<Component>) -> Result<()> {
        let mut slot = self.slot();
        if slot.is_none() {
            *slot = Some(spawn()?);
        }
        Ok(())
    }

    pub(crate) fn is_running(&self) -> bool {
        self.slot()
            .as_mut()
            .is_some_and(|c| c.check_alive().is_ok())
    }

    /// Err with the server's log tail if it was started and has died since.
    pub(crate) fn check_alive(&self) -> Result<()> {
        match self.slot().as_mut() {
            Some(c) => c.check_alive(),
            None => Ok(()),
        }
    }
}

impl Drop for Restartable {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits until `c` accepts connections on `port` (and shows `banner`, and logs `marker`);
/// a server that dies or times out is killed and reported with its log tail.
pub(crate) fn ready(
    mut c: Component,
    port: u16,
    banner: Option<&[u8]>,
    marker: &str,
) -> Result<Component> {
    let log = c.log.clone();
    let waited = wait_listening(
        port,
        banner,
        Some((&log, marker)),
        Duration::from_secs(20),
        || c.check_alive(),
    );
    match waited {
        Ok(()) => Ok(c),
        Err(e) => {
            c.kill();
            // check_alive errors already carry the log tail.
            Err(if format!("{e:#}").contains("last lines of") {
                e
            } else {
                c.failure(&format!("did not become ready: {e:#}"))
            })
        }
    }
}
