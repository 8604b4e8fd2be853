//! The notification controller: events in (from every controller, `POST /` on the events
//! address), alerts out (Alert → Provider), and webhook receivers that make sources
//! reconcile at once.

mod alerts;
mod dispatch;
pub mod event;
pub mod providers;
pub mod receivers;
mod server;

use std::sync::Arc;

use anyhow::{Context as _, Result};
use futures::StreamExt;
use futures::future::BoxFuture;
use kube::runtime::{WatchStreamExt, reflector, watcher};

use crate::api::notification::{Alert, Provider};
use crate::controllers::runtime::Context;
use crate::controllers::runtime::backoff::WatchBackoff;

/// Starts the event server: Alerts and Providers are watched into memory, events are
/// matched against them and delivered in the background. `--events-listen-addr 0` turns it
/// off (the receivers still run).
pub fn launch(ctx: Arc<Context>) -> BoxFuture<'static, Result<()>> {
    Box::pin(async move {
        let Some(addr) = ctx.options.notification.events_listen_addr else {
            ctx.shutdown.wait().await;
            return Ok(());
        };
        let (alerts, alert_writer) = reflector::store::<Alert>();
        let (providers, provider_writer) = reflector::store::<Provider>();
        let watch_alerts = watcher(ctx.api::<Alert>(), ctx.watcher_config())
            .backoff(WatchBackoff::default())
            .reflect(alert_writer)
            .for_each(|_| async {});
        let watch_providers = watcher(ctx.api::<Provider>(), ctx.watcher_config())
            .backoff(WatchBackoff::default())
            .reflect(provider_writer)
            .for_each(|_| async {});
        let watches = tokio::spawn(async move {
            tokio::join!(watch_alerts, watch_providers);
        });
        let server = Arc::new(server::EventServer::new(
            alerts,
            providers,
            ctx.client.clone(),
            dispatch::Dispatcher::new(ctx.client.clone(), &ctx.metrics),
            ctx.options.notification.rate_limit_interval,
            ctx.options.no_cross_namespace_refs,
        ));
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("flag --events-listen-addr: listening on {addr}"))?;
        tracing::info!(address = %addr, "event server listening");
        let served = axum::serve(listener, server.router())
            .with_graceful_shutdown({
                let ctx = ctx.clone();
                async move { ctx.shutdown.wait().await }
            })
            .await;
        watches.abort();
        served.context("the event server failed")
    })
}
