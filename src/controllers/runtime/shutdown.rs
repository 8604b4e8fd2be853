//! Graceful shutdown: SIGTERM (what the kubelet sends) or SIGINT flips one shared signal;
//! controllers stop taking new work, servers stop accepting, the Lease is released.

use tokio::sync::watch;

/// Fires the shutdown; held by the runtime.
#[derive(Debug)]
pub struct Trigger {
    tx: watch::Sender<bool>,
}

/// Observes the shutdown; cloned into every task that must stop with the process.
#[derive(Debug, Clone)]
pub struct Shutdown {
    rx: watch::Receiver<bool>,
}

pub fn channel() -> (Trigger, Shutdown) {
    let (tx, rx) = watch::channel(false);
    (Trigger { tx }, Shutdown { rx })
}

impl Trigger {
    pub fn trigger(&self) {
        self.tx.send_replace(true);
    }
}

impl Shutdown {
    /// Resolves once shutdown has begun (at once if it already has). Usable as
    /// `Controller::graceful_shutdown_on(ctx.shutdown.wait())`.
    pub fn wait(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.rx.clone();
        async move {
            // An Err means the trigger is gone, which only happens as the process ends.
            let _ = rx.wait_for(|stopped| *stopped).await;
        }
    }

    pub fn is_triggered(&self) -> bool {
        *self.rx.borrow()
    }
}

/// Waits for SIGTERM or SIGINT and names the one that came.
pub async fn signal() -> std::io::Result<&'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        tokio::select! {
            _ = term.recv() => Ok("SIGTERM"),
            _ = int.recv() => Ok("SIGINT"),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await?;
        Ok("interrupt")
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn every_clone_sees_the_trigger() {
        let (trigger, shutdown) = channel();
        let other = shutdown.clone();
        let waiter = tokio::spawn(other.wait());
        assert!(!shutdown.is_triggered());
        trigger.trigger();
        tokio::time::timeout(Duration::from_secs(1), waiter)
            .await
            .unwrap()
            .unwrap();
        assert!(shutdown.is_triggered());
        // Waiting after the fact returns at once.
        tokio::time::timeout(Duration::from_secs(1), shutdown.wait())
            .await
            .unwrap();
    }
}
