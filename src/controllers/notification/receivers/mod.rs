//! Webhook receivers: the Receiver reconciler (status.webhookPath) and the webhook server.
//!
//! The reconciler reads each Receiver's token, publishes `/hook/<sha256(token+name+namespace)>`
//! in its status and records the path in an in-memory [`Index`]; the server (on
//! `--receiver-addr`) answers `POST /hook/<digest>` for the paths in the index, validates the
//! request per `spec.type` and asks each listed resource to reconcile by setting its
//! `reconcile.fluxcd.io/requestedAt` annotation.

mod reconcile;
mod server;
pub mod verify;

pub use server::{Checked, accepts, check_request, compile_filters};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use anyhow::Result;
use futures::future::BoxFuture;

use crate::controllers::runtime::{Context, EventRecorder};

/// The reportingController of the receiver events, as Flux's notification controller.
pub const CONTROLLER: &str = "notification-controller";

/// Webhook path → the Receiver (namespace, name) that published it.
///
/// The server looks a request's path up here, then reads the Receiver itself to check that
/// it still publishes that path, so a stale entry only costs a 404.
#[derive(Debug, Default)]
pub struct Index {
    inner: Mutex<IndexInner>,
}

#[derive(Debug, Default)]
struct IndexInner {
    by_path: HashMap<String, (String, String)>,
    by_object: HashMap<(String, String), String>,
}

impl Index {
    /// Records that `namespace/name` publishes `path`, replacing its previous path.
    pub fn set(&self, namespace: &str, name: &str, path: &str) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let key = (namespace.to_string(), name.to_string());
        if let Some(old) = inner.by_object.insert(key.clone(), path.to_string())
            && old != path
        {
            inner.by_path.remove(&old);
        }
        inner.by_path.insert(path.to_string(), key);
    }

    /// Forgets `namespace/name` (deleted, or without a valid token).
    pub fn remove(&self, namespace: &str, name: &str) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(path) = inner
            .by_object
            .remove(&(namespace.to_string(), name.to_string()))
        {
            inner.by_path.remove(&path);
        }
    }

    /// The Receiver publishing `path`.
    pub fn get(&self, path: &str) -> Option<(String, String)> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.by_path.get(path).cloned()
    }
}

/// What the Receiver reconciler and the webhook server share.
pub struct ReceiverContext {
    pub rt: Arc<Context>,
    pub index: Index,
    pub recorder: EventRecorder,
    /// Reconciles running now; shutdown waits for them.
    pub in_flight: std::sync::atomic::AtomicUsize,
}

/// Starts the Receiver reconciler and, unless `--receiver-addr=0`, the webhook server;
/// returns at shutdown.
pub fn launch(ctx: Arc<Context>) -> BoxFuture<'static, Result<()>> {
    Box::pin(async move {
        let shared = Arc::new(ReceiverContext {
            recorder: ctx.recorder(CONTROLLER)?,
            index: Index::default(),
            in_flight: Default::default(),
            rt: ctx.clone(),
        });
        let server = match ctx.options.notification.receiver_addr {
            Some(addr) => {
                let listener = server::bind(addr).await?;
                tracing::info!(addr = %listener.local_addr()?, "serving webhook receivers");
                Some(server::spawn(listener, shared.clone()))
            }
            None => None,
        };
        reconcile::run(shared).await?;
        if let Some(server) = server {
            let _ = server.await;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_follows_path_changes_and_removals() {
        let index = Index::default();
        index.set("ns", "a", "/hook/1");
        assert_eq!(index.get("/hook/1"), Some(("ns".into(), "a".into())));
        index.set("ns", "a", "/hook/2");
        assert_eq!(index.get("/hook/1"), None);
        assert_eq!(index.get("/hook/2"), Some(("ns".into(), "a".into())));
        index.remove("ns", "a");
        assert_eq!(index.get("/hook/2"), None);
    }
}
