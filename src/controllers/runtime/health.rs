//! The kubelet's probes on `--health-addr`: `/healthz` answers while the process serves,
//! `/readyz` once the API server has answered us.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context as _, Result};
use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;

/// Shared readiness flag; clones see the same state.
#[derive(Debug, Clone, Default)]
pub struct Health {
    ready: Arc<AtomicBool>,
}

impl Health {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::Release);
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Asks the API server for its version until it answers, then reports ready. The retry
    /// keeps a Pod started before the API server is reachable from failing its start.
    pub async fn wait_for_apiserver(&self, client: kube::Client) {
        let mut delay = Duration::from_millis(500);
        loop {
            match client.apiserver_version().await {
                Ok(version) => {
                    tracing::info!(version = %version.git_version, "connected to the API server");
                    self.set_ready(true);
                    return;
                }
                Err(err) => {
                    tracing::warn!(error = %err, "the API server is not reachable yet");
                }
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(30));
        }
    }
}

pub fn router(health: Health) -> Router {
    Router::new()
        .route("/healthz", get(|| async { (StatusCode::OK, "ok") }))
        .route(
            "/readyz",
            get(move || {
                let health = health.clone();
                async move {
                    if health.is_ready() {
                        (StatusCode::OK, "ok")
                    } else {
                        (
                            StatusCode::SERVICE_UNAVAILABLE,
                            "the API server has not answered yet",
                        )
                    }
                }
            }),
        )
}

/// Binds the probe port now (so a taken port fails the start) and serves until `shutdown`.
pub async fn serve(
    addr: SocketAddr,
    health: Health,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<tokio::task::JoinHandle<()>> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding the health probe server to {addr}"))?;
    tracing::info!(addr = %listener.local_addr().unwrap_or(addr), "serving health probes");
    let app = router(health);
    Ok(tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(error = %err, "health probe server failed");
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn status(app: Router, path: &str) -> StatusCode {
        use tower::Service as _;
        let request = axum::http::Request::get(path)
            .body(axum::body::Body::empty())
            .unwrap();
        let mut app = app;
        app.call(request).await.unwrap().status()
    }

    #[tokio::test]
    async fn readyz_follows_the_flag_and_healthz_is_always_ok() {
        let health = Health::new();
        assert_eq!(
            status(router(health.clone()), "/healthz").await,
            StatusCode::OK
        );
        assert_eq!(
            status(router(health.clone()), "/readyz").await,
            StatusCode::SERVICE_UNAVAILABLE
        );
        health.set_ready(true);
        assert_eq!(
            status(router(health.clone()), "/readyz").await,
            StatusCode::OK
        );
        assert_eq!(status(router(health), "/nope").await, StatusCode::NOT_FOUND);
    }
}
