//! The webhook server (`--receiver-addr`, Service `webhook-receiver`): `POST /hook/<digest>`
//! validates the request for the Receiver publishing that path and sets
//! `reconcile.fluxcd.io/requestedAt` on each of its resources.
//!
//! Answers: 404 for a path no ready Receiver publishes, 503 while the Receiver is suspended
//! or not ready, 413 above 3 MiB of body, 408 when the body is not read in 30s, 401 for a
//! missing or wrong signature or token, 400 for an event type not in `spec.events` or a
//! payload that does not parse, 500 when a resource could not be annotated, else 200.

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use anyhow::{Context as _, Result};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use futures::StreamExt;
use kube::api::{
    Api, ApiResource, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams,
};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use super::ReceiverContext;
use super::verify::{self, Accepted, Refused};
use crate::api::meta::RECONCILE_REQUEST_ANNOTATION;
use crate::api::notification::{
    CrossNamespaceObjectReference, EventSourceKind, Receiver, ReceiverSpec,
};

/// Flux's cap on a webhook body.
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;
/// Flux's read timeout for a whole request.
const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// A connection is closed this long after it was accepted, whatever it is doing: slow
/// headers (slowloris) or an idle keep-alive cannot hold it longer.
const CONNECTION_LIFETIME: Duration = Duration::from_secs(60);
/// The field manager of the annotation patches.
const FIELD_MANAGER: &str = "notification-controller";

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: String,
}

#[derive(Clone)]
struct ServerState {
    ctx: Arc<ReceiverContext>,
    requests: Family<CodeLabels, Counter>,
}

pub async fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding the webhook receiver server to {addr}"))
}

/// Serves until shutdown; the handle finishes once in-flight requests are answered.
pub fn spawn(listener: TcpListener, ctx: Arc<ReceiverContext>) -> tokio::task::JoinHandle<()> {
    let requests = Family::<CodeLabels, Counter>::default();
    ctx.rt.metrics.register(
        "notification_receiver_requests",
        "Webhook requests answered by the receiver server, by HTTP status code",
        requests.clone(),
    );
    let shutdown = ctx.rt.shutdown.clone();
    let app = router(ServerState { ctx, requests });
    tokio::spawn(async move {
        let listener = DeadlineListener { inner: listener };
        if let Err(err) = axum::serve(listener, app)
            .with_graceful_shutdown(async move { shutdown.wait().await })
            .await
        {
            tracing::error!(error = %err, "webhook receiver server failed");
        }
    })
}

fn router(state: ServerState) -> Router {
    Router::new()
        .route("/hook/{digest}", post(handle))
        .with_state(state)
}

async fn handle(
    State(state): State<ServerState>,
    Path(digest): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> StatusCode {
    let code = answer(&state.ctx, &digest, &headers, body).await;
    state
        .requests
        .get_or_create(&CodeLabels {
            code: code.as_u16().to_string(),
        })
        .inc();
    code
}

async fn answer(
    ctx: &ReceiverContext,
    digest: &str,
    headers: &HeaderMap,
    body: Body,
) -> StatusCode {
    let path = format!("/hook/{digest}");
    let Some((ns, name)) = ctx.index.get(&path) else {
        return StatusCode::NOT_FOUND;
    };
    let api: Api<Receiver> = Api::namespaced(ctx.rt.client.clone(), &ns);
    let receiver = match api.get_opt(&name).await {
        Ok(Some(receiver)) => receiver,
        Ok(None) => return StatusCode::NOT_FOUND,
        Err(err) => {
            tracing::error!(error = %err, name = %name, namespace = %ns, "unable to read the receiver");
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
    };
    let status = receiver.status.clone().unwrap_or_default();
    if status.webhook_path.as_deref() != Some(path.as_str()) {
        return StatusCode::NOT_FOUND;
    }
    let log = |level: tracing::Level, message: &str| match level {
        tracing::Level::ERROR => {
            tracing::error!(kind = "Receiver", name = %name, namespace = %ns, "{message}")
        }
        tracing::Level::WARN => {
            tracing::warn!(kind = "Receiver", name = %name, namespace = %ns, "{message}")
        }
        _ => tracing::info!(kind = "Receiver", name = %name, namespace = %ns, "{message}"),
    };

    if receiver.spec.suspend == Some(true) {
        log(
            tracing::Level::WARN,
            "unable to process request: receiver is suspended",
        );
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let ready = status
        .conditions
        .as_deref()
        .is_some_and(|c| crate::api::meta::is_condition_true(c, "Ready"));
    if !ready {
        log(
            tracing::Level::WARN,
            "unable to process request: receiver is not ready",
        );
        return StatusCode::SERVICE_UNAVAILABLE;
    }

    let body = match tokio::time::timeout(READ_TIMEOUT, read_body(body)).await {
        Ok(Ok(body)) => body,
        Ok(Err(code)) => {
            log(
                tracing::Level::WARN,
                &format!("reading the request body failed ({code})"),
            );
            return code;
        }
        Err(_) => {
            log(tracing::Level::WARN, "reading the request body timed out");
            return StatusCode::REQUEST_TIMEOUT;
        }
    };

    let token = match super::reconcile::read_token(&ctx.rt.client, &receiver, &ns).await {
        Ok(token) => token,
        Err(message) => {
            log(
                tracing::Level::ERROR,
                &format!("unable to read token: {message}"),
            );
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
    };
    let request = match check_request(&receiver.spec, &token, headers, &body) {
        Ok(Checked::Ping) => {
            log(tracing::Level::INFO, "handling ping: nothing to reconcile");
            return StatusCode::OK;
        }
        Ok(Checked::Trigger { event, request }) => {
            let message = match event {
                Some(event) => format!(
                    "handling {} event: {}",
                    verify::type_name(receiver.spec.r#type),
                    event.chars().take(100).collect::<String>()
                ),
                None => format!("handling {} event", verify::type_name(receiver.spec.r#type)),
            };
            log(tracing::Level::INFO, &message);
            match request {
                Ok(request) => request,
                Err(message) => {
                    log(tracing::Level::WARN, &message);
                    return StatusCode::BAD_REQUEST;
                }
            }
        }
        Err(refused) => {
            log(
                tracing::Level::WARN,
                &format!("unable to validate payload: {}", refused.message()),
            );
            return match refused {
                Refused::Unauthorized(_) => StatusCode::UNAUTHORIZED,
                Refused::BadRequest(_) => StatusCode::BAD_REQUEST,
            };
        }
    };
    let mut with_errors = false;
    for resource in &receiver.spec.resources {
        let target = Target {
            client: &ctx.rt.client,
            receiver_namespace: &ns,
            no_cross_namespace_refs: ctx.rt.options.no_cross_namespace_refs,
            resource_filter: receiver.spec.resource_filter.as_deref(),
            request: &request,
        };
        match target.request_reconciliation(resource).await {
            Ok(annotated) => {
                for object in annotated {
                    log(
                        tracing::Level::INFO,
                        &format!("resource '{object}' annotated"),
                    );
                }
            }
            Err(message) => {
                log(
                    tracing::Level::ERROR,
                    &format!("unable to request reconciliation: {message}"),
                );
                with_errors = true;
            }
        }
    }
    if with_errors {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

/// A request [`check_request`] let through.
#[derive(Debug, Clone, PartialEq)]
pub enum Checked {
    /// A connectivity check with a valid signature: answered 200, nothing is reconciled.
    Ping,
    /// Reconcile the Receiver's resources. `event` is the event type, for the log; `request`
    /// is the CEL `request` variable, or why the body does not parse as the JSON a filter
    /// needs (400, logged after the event it belongs to).
    Trigger {
        event: Option<String>,
        request: Result<Value, String>,
    },
}

/// Everything the server decides about a request before it reads the cluster, given the
/// Receiver's spec and token: the per-type validation ([`verify::validate`]), then the CEL
/// `request` variable its filters (see [`accepts`]) are evaluated with. Pure, so the fuzz
/// target (`fuzz/fuzz_targets/receiver_request.rs`) runs the handler's own code.
pub fn check_request(
    spec: &ReceiverSpec,
    token: &[u8],
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Checked, Refused> {
    let events = spec.events.as_deref().unwrap_or_default();
    match verify::validate(spec.r#type, events, token, headers, body)? {
        Accepted::Ping => Ok(Checked::Ping),
        Accepted::Trigger { event } => Ok(Checked::Trigger {
            event,
            request: request_variable(spec, headers, body),
        }),
    }
}

/// The body, cut at [`MAX_BODY_BYTES`] (413 above it, as Flux).
async fn read_body(body: Body) -> Result<Vec<u8>, StatusCode> {
    let mut stream = body.into_data_stream();
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| StatusCode::BAD_REQUEST)?;
        if out.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(StatusCode::PAYLOAD_TOO_LARGE);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// The CEL `request` variable: `{"body": <the JSON body>}` when the body is JSON, as Flux
/// binds it for `resourceFilter`. Only parsed when a filter needs it.
fn request_variable(
    spec: &ReceiverSpec,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, String> {
    let filtered =
        spec.resource_filter.is_some() || spec.resources.iter().any(|r| r.filter.is_some());
    let json_content = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',').any(|t| {
                t.split(';')
                    .next()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
            })
        });
    let body = if filtered && json_content {
        serde_json::from_slice(body)
            .map_err(|e| format!("failed to parse request body as JSON: {e}"))?
    } else {
        json!({})
    };
    Ok(json!({ "body": body }))
}

/// Compiles `spec.resourceFilter` and each `resources[].filter`, for the reconciler to
/// refuse a bad expression before any request.
pub fn compile_filters(spec: &ReceiverSpec) -> Result<(), String> {
    let sources = spec
        .resource_filter
        .iter()
        .map(|f| ("spec.resourceFilter".to_string(), f))
        .chain(spec.resources.iter().enumerate().filter_map(|(i, r)| {
            r.filter
                .as_ref()
                .map(|f| (format!("spec.resources[{i}].filter"), f))
        }));
    for (field, source) in sources {
        crate::cel::Expression::compile_with_variables(source, &["resource", "request"])
            .map_err(|e| format!("{field}: {e}"))?;
    }
    Ok(())
}

/// Whether every filter (`spec.resourceFilter`, then the resource's own `filter`) accepts
/// `resource`, the object's `apiVersion`, `kind` and `metadata`.
pub fn accepts(filters: &[&str], resource: &Value, request: &Value) -> Result<bool, String> {
    for source in filters {
        let expression =
            crate::cel::Expression::compile_with_variables(source, &["resource", "request"])
                .map_err(|e| e.to_string())?;
        if !expression
            .eval_bool(&[("resource", resource), ("request", request)])
            .map_err(|e| e.to_string())?
        {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Where and how one request annotates resources.
struct Target<'a> {
    client: &'a kube::Client,
    receiver_namespace: &'a str,
    no_cross_namespace_refs: bool,
    resource_filter: Option<&'a str>,
    request: &'a Value,
}

impl Target<'_> {
    /// Annotates the object(s) `resource` names; returns `Kind/namespace/name` of each.
    async fn request_reconciliation(
        &self,
        resource: &CrossNamespaceObjectReference,
    ) -> Result<Vec<String>, String> {
        let kind = kind_name(resource.kind);
        let ns = resource
            .namespace
            .clone()
            .unwrap_or_else(|| self.receiver_namespace.to_string());
        if self.no_cross_namespace_refs && ns != self.receiver_namespace {
            return Err(format!(
                "cannot access {kind} '{ns}/{}': cross-namespace references have been blocked",
                resource.name
            ));
        }
        let api_version = resource
            .api_version
            .clone()
            .unwrap_or_else(|| default_api_version(resource.kind).to_string());
        let (group, version) = match api_version.split_once('/') {
            Some((group, version)) => (group.to_string(), version.to_string()),
            None => (String::new(), api_version.clone()),
        };
        let gvk = GroupVersionKind::gvk(&group, &version, &kind);
        let ar = ApiResource::from_gvk_with_plural(&gvk, &plural(&kind));
        let api: Api<DynamicObject> = Api::namespaced_with(self.client.clone(), &ns, &ar);
        let filters: Vec<&str> = self
            .resource_filter
            .into_iter()
            .chain(resource.filter.as_deref())
            .collect();

        let names: Vec<(String, Value)> = if resource.name == "*" {
            let labels = resource.match_labels.as_ref().ok_or_else(|| {
                "matchLabels field not set when using wildcard '*' as name".to_string()
            })?;
            let params = ListParams::default().labels(&selector(labels));
            let list = api.list_metadata(&params).await.map_err(|e| {
                format!(
                    "failed listing resources in namespace '{ns}' by matching labels {labels:?}: {}",
                    kube_message(&e)
                )
            })?;
            if list.items.is_empty() {
                tracing::warn!(
                    kind = %kind,
                    namespace = %ns,
                    "no '{kind}' resources found with matching labels {labels:?} in '{ns}' namespace"
                );
            }
            list.items
                .into_iter()
                .map(|item| {
                    let name = item.metadata.name.clone().unwrap_or_default();
                    (
                        name,
                        serde_json::to_value(&item.metadata).unwrap_or_default(),
                    )
                })
                .collect()
        } else {
            let item = api.get_metadata(&resource.name).await.map_err(|e| {
                format!(
                    "unable to read {kind} '{ns}/{}' error: {}",
                    resource.name,
                    kube_message(&e)
                )
            })?;
            vec![(
                resource.name.clone(),
                serde_json::to_value(&item.metadata).unwrap_or_default(),
            )]
        };

        let mut annotated = Vec::new();
        for (name, metadata) in names {
            if !filters.is_empty() {
                let object =
                    json!({ "apiVersion": api_version, "kind": kind, "metadata": metadata });
                if !accepts(&filters, &object, self.request)? {
                    tracing::info!(
                        "resource '{kind}/{ns}/{name}' NOT annotated because CEL expression returned false"
                    );
                    continue;
                }
            }
            annotate(&api, &name).await.map_err(|e| {
                format!(
                    "failed to annotate resource '{kind}/{ns}/{name}': {}",
                    kube_message(&e)
                )
            })?;
            annotated.push(format!("{kind}/{ns}/{name}"));
        }
        Ok(annotated)
    }
}

/// Sets `reconcile.fluxcd.io/requestedAt` to now, in RFC 3339 with nanoseconds as `flux
/// reconcile` writes it.
async fn annotate(api: &Api<DynamicObject>, name: &str) -> kube::Result<()> {
    let patch = json!({
        "metadata": { "annotations": { RECONCILE_REQUEST_ANNOTATION: requested_at() } }
    });
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.to_string()),
        ..Default::default()
    };
    api.patch(name, &params, &Patch::Merge(&patch))
        .await
        .map(|_| ())
}

fn requested_at() -> String {
    k8s_openapi::jiff::Timestamp::now().to_string()
}

fn selector(labels: &BTreeMap<String, String>) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn kind_name(kind: EventSourceKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{kind:?}"))
}

/// The API version of each kind when `apiVersion` is omitted: the versions tk serves.
fn default_api_version(kind: EventSourceKind) -> &'static str {
    match kind {
        EventSourceKind::Bucket
        | EventSourceKind::GitRepository
        | EventSourceKind::HelmChart
        | EventSourceKind::HelmRepository
        | EventSourceKind::OCIRepository
        | EventSourceKind::ExternalArtifact => "source.toolkit.fluxcd.io/v1",
        EventSourceKind::Kustomization => "kustomize.toolkit.fluxcd.io/v1",
        EventSourceKind::HelmRelease => "helm.toolkit.fluxcd.io/v2",
        EventSourceKind::ImageRepository
        | EventSourceKind::ImagePolicy
        | EventSourceKind::ImageUpdateAutomation => "image.toolkit.fluxcd.io/v1beta2",
        EventSourceKind::ArtifactGenerator => "source.extensions.fluxcd.io/v1beta1",
    }
}

/// The resource (plural) name of a Flux kind.
fn plural(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    match lower.strip_suffix('y') {
        Some(stem) => format!("{stem}ies"),
        None => format!("{lower}s"),
    }
}

fn kube_message(err: &kube::Error) -> String {
    match err {
        kube::Error::Api(status) => status.message.clone(),
        other => other.to_string(),
    }
}

/// Accepts TCP connections that close themselves [`CONNECTION_LIFETIME`] after accept.
struct DeadlineListener {
    inner: TcpListener,
}

impl axum::serve::Listener for DeadlineListener {
    type Io = DeadlineIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    let deadline = Box::pin(tokio::time::sleep(CONNECTION_LIFETIME));
                    return (DeadlineIo { stream, deadline }, addr);
                }
                Err(err) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::debug!(error = %err, "accepting a webhook connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

struct DeadlineIo {
    stream: TcpStream,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl DeadlineIo {
    fn expired(&mut self, cx: &mut TaskContext<'_>) -> bool {
        self.deadline.as_mut().poll(cx).is_ready()
    }
}

fn timed_out() -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        "webhook connection lifetime exceeded",
    )
}

impl AsyncRead for DeadlineIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.expired(cx) {
            return Poll::Ready(Err(timed_out()));
        }
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for DeadlineIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.expired(cx) {
            return Poll::Ready(Err(timed_out()));
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plural_names_follow_the_crds() {
        assert_eq!(plural("GitRepository"), "gitrepositories");
        assert_eq!(plural("ImagePolicy"), "imagepolicies");
        assert_eq!(plural("Kustomization"), "kustomizations");
        assert_eq!(plural("HelmRelease"), "helmreleases");
        assert_eq!(plural("Bucket"), "buckets");
    }

    #[test]
    fn default_api_versions_are_the_served_ones() {
        assert_eq!(
            default_api_version(EventSourceKind::OCIRepository),
            "source.toolkit.fluxcd.io/v1"
        );
        assert_eq!(
            default_api_version(EventSourceKind::HelmRelease),
            "helm.toolkit.fluxcd.io/v2"
        );
        assert_eq!(kind_name(EventSourceKind::HelmRepository), "HelmRepository");
    }

    #[test]
    fn requested_at_is_rfc3339_utc() {
        let value = requested_at();
        assert!(value.ends_with('Z'), "{value}");
        assert!(
            value.parse::<k8s_openapi::jiff::Timestamp>().is_ok(),
            "{value}"
        );
    }

    #[test]
    fn check_request_validates_then_binds_the_json_body_for_filters() {
        use super::verify::{Algorithm, hmac_hex};
        let token = b"s3cr3t-token";
        let body = br#"{"repository":{"name":"app"}}"#;
        let mut headers = HeaderMap::new();
        let signature = format!("sha256={}", hmac_hex(Algorithm::Sha256, token, body));
        headers.insert("x-hub-signature-256", signature.parse().unwrap());
        headers.insert("x-github-event", "push".parse().unwrap());
        headers.insert("content-type", "application/json".parse().unwrap());
        let mut spec = ReceiverSpec {
            r#type: crate::api::notification::ReceiverType::GitHub,
            events: Some(vec!["push".into()]),
            ..Default::default()
        };
        // Without a filter the body is not parsed.
        assert_eq!(
            check_request(&spec, token, &headers, body),
            Ok(Checked::Trigger {
                event: Some("push".into()),
                request: Ok(json!({"body": {}})),
            })
        );
        spec.resource_filter = Some("request.body.repository.name == 'app'".into());
        let Ok(Checked::Trigger {
            request: Ok(request),
            ..
        }) = check_request(&spec, token, &headers, body)
        else {
            panic!("the request should be accepted");
        };
        assert_eq!(request, json!({"body": {"repository": {"name": "app"}}}));
        let resource = json!({"kind": "GitRepository", "metadata": {"name": "app"}});
        let filters = [spec.resource_filter.as_deref().unwrap()];
        assert_eq!(accepts(&filters, &resource, &request), Ok(true));

        // Signed, but not JSON: the event is valid, the request variable is not.
        let garbage = b"not json";
        let signature = format!("sha256={}", hmac_hex(Algorithm::Sha256, token, garbage));
        headers.insert("x-hub-signature-256", signature.parse().unwrap());
        assert!(matches!(
            check_request(&spec, token, &headers, garbage),
            Ok(Checked::Trigger { request: Err(m), .. }) if m.contains("failed to parse request body")
        ));
        // A wrong token is refused before the body is looked at.
        assert!(matches!(
            check_request(&spec, b"other", &headers, garbage),
            Err(Refused::Unauthorized(_))
        ));
        headers.insert("x-github-event", "ping".parse().unwrap());
        assert_eq!(
            check_request(&spec, token, &headers, garbage),
            Ok(Checked::Ping)
        );
    }

    #[test]
    fn filters_see_the_resource_and_the_request_body() {
        let resource = json!({"kind": "GitRepository", "metadata": {"name": "app"}});
        let request = json!({"body": {"repo": "app"}});
        assert_eq!(
            accepts(
                &["resource.metadata.name == request.body.repo"],
                &resource,
                &request
            ),
            Ok(true)
        );
        assert_eq!(
            accepts(&["resource.metadata.name == 'other'"], &resource, &request),
            Ok(false)
        );
        let spec = ReceiverSpec {
            resource_filter: Some("resource.metadata.name ==".into()),
            ..Default::default()
        };
        assert!(compile_filters(&spec).is_err());
    }
}
