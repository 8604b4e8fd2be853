//! The artifact file server (`--storage-addr`): plain HTTP GET/HEAD of stored files, as
//! other controllers and `curl` fetch them from the `source-controller` Service.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio_util::io::ReaderStream;

use super::storage::Storage;

/// Binds `--storage-addr` before anything else starts, so a taken port fails the process at
/// once and the bound address can be advertised.
pub async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("flag --storage-addr: cannot listen on {addr}"))
}

/// Serves stored files on `listener` until `shutdown` completes.
pub fn spawn(
    listener: tokio::net::TcpListener,
    storage: Arc<Storage>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    let app = Router::new()
        .route("/{*path}", axum::routing::get(file))
        .with_state(storage);
    tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(error = %err, "artifact server failed");
        }
    })
}

async fn file(State(storage): State<Arc<Storage>>, Path(path): Path<String>) -> Response {
    let Ok(local) = storage.local_path(&path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let file = match tokio::fs::File::open(&local).await {
        Ok(file) => file,
        Err(_) => return StatusCode::NOT_FOUND.into_response(),
    };
    let len = match file.metadata().await {
        Ok(meta) if meta.is_file() => meta.len(),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let mut response = Response::new(Body::from_stream(ReaderStream::new(file)));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    response
}
