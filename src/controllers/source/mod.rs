//! The source controller: turns sources into immutable artifacts in the local store, served
//! over HTTP to the other controllers.

mod archive;
mod bucket;
pub mod chart_repository;
mod git_repository;
mod helm_chart;
mod helm_repository;
mod oci_repository;
pub mod outcome;
pub mod reconciler;
mod registry;
pub mod server;
pub mod storage;

use std::sync::Arc;

use anyhow::Result;
use futures::future::BoxFuture;

use crate::controllers::runtime::{Context, EventRecorder};
use storage::Storage;

/// The reportingController of the source controller's events.
pub const CONTROLLER: &str = "source-controller";

/// What the source reconcilers share besides the runtime context.
pub struct SourceContext {
    pub rt: Arc<Context>,
    pub storage: Arc<Storage>,
    pub recorder: EventRecorder,
    /// Reconciles running now; shutdown waits for them, and only them.
    pub in_flight: std::sync::atomic::AtomicUsize,
    /// Parsed HelmRepository indexes, shared by the chart builds.
    pub indexes: chart_repository::IndexCache,
    /// Our last status write per object, to see past a lagging watch cache.
    pub written: crate::controllers::runtime::written::OwnWrites,
}

/// Starts the artifact server and every source reconciler; returns at shutdown.
pub fn launch(ctx: Arc<Context>) -> BoxFuture<'static, Result<()>> {
    Box::pin(async move {
        let options = &ctx.options.source;
        let listener = server::bind(options.storage_addr).await?;
        let bound = listener.local_addr()?;
        // Without --storage-adv-addr, advertise where the server really listens: what a
        // controller run outside the cluster needs.
        let advertised = options
            .storage_adv_addr
            .clone()
            .unwrap_or_else(|| bound.to_string());
        let storage = Arc::new(Storage::new(&options.storage_path, advertised)?);
        tracing::info!(addr = %bound, root = %options.storage_path.display(), "serving artifacts");
        let server = server::spawn(listener, storage.clone(), ctx.shutdown.wait());
        let source = Arc::new(SourceContext {
            recorder: ctx.recorder(CONTROLLER)?,
            in_flight: Default::default(),
            indexes: Default::default(),
            written: Default::default(),
            storage,
            rt: ctx.clone(),
        });
        tokio::try_join!(
            git_repository::run(source.clone()),
            helm_repository::run(source.clone()),
            helm_chart::run(source.clone()),
            oci_repository::run(source.clone()),
            bucket::run(source),
        )?;
        let _ = server.await;
        Ok(())
    })
}
