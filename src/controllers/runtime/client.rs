//! The controllers' Kubernetes clients: the kubeconfig when one is given, the Pod's service
//! account otherwise, behind a client-side QPS/burst limit like client-go's, so a burst of
//! reconciles cannot flood the API server, and counted in `rest_client_requests_total`.
//! Clients impersonating a tenant's service account share the count.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use anyhow::{Context as _, Result};
use kube::client::ClientBuilder;
// tokio's clock, so tests with paused time see the bucket refill as sleeps complete.
use tokio::time::Instant;
use tower::{Layer, Service};

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;

use super::metrics::{Metrics, RequestLabels};
use crate::cli::settings::GlobalSettings;

/// Builds the controller's clients: its own, behind the rate limit, and (on demand) clients
/// impersonating service accounts; every request of all of them is counted. With neither `--kubeconfig`
/// nor `--context`, `Config::infer` picks `$KUBECONFIG`/`~/.kube/config` or, inside a Pod,
/// the in-cluster service account.
#[derive(Clone)]
pub struct Clients {
    config: kube::Config,
    limiter: RateLimitLayer,
    /// Events get a limit of their own, as controller-runtime's event recorder has its own
    /// client: a burst of events must not delay status writes, nor the other way round.
    events_limiter: RateLimitLayer,
    counter: RequestCountLayer,
    /// Impersonating clients by (namespace, service account), built once and shared by the
    /// controllers of the process so their connections are reused.
    impersonated:
        std::sync::Arc<std::sync::Mutex<std::collections::HashMap<(String, String), kube::Client>>>,
}

impl Clients {
    fn build(
        &self,
        config: kube::Config,
        limiter: Option<&RateLimitLayer>,
    ) -> Result<kube::Client> {
        let builder = ClientBuilder::try_from(config).context("building the Kubernetes client")?;
        Ok(match limiter {
            Some(limiter) => builder
                .with_layer(limiter)
                .with_layer(&self.counter)
                .build(),
            None => builder.with_layer(&self.counter).build(),
        })
    }

    /// The client events are recorded with.
    pub fn events(&self) -> Result<kube::Client> {
        self.build(self.config.clone(), Some(&self.events_limiter))
    }

    /// A client impersonating `system:serviceaccount:<namespace>:<service_account>` (see
    /// [`crate::ssa::impersonation_config`]), counted but not behind the controller's limit:
    /// Flux builds a client, with a limiter of its own, for every impersonated reconcile, so
    /// a fleet of tenants' Kustomizations is not held to one client's 50 requests a second
    /// (a cold start of 1000 would take minutes).
    pub fn impersonating(&self, namespace: &str, service_account: &str) -> Result<kube::Client> {
        let config = crate::ssa::impersonation_config(&self.config, namespace, service_account)?;
        self.build(config, None)
    }

    /// `own`, or the client impersonating `service_account` in `namespace` (built once per
    /// account and reused). The error says why the client cannot be built.
    pub fn for_account(
        &self,
        own: &kube::Client,
        namespace: &str,
        service_account: Option<String>,
    ) -> std::result::Result<kube::Client, String> {
        let Some(sa) = service_account else {
            return Ok(own.clone());
        };
        let key = (namespace.to_string(), sa);
        let mut clients = self.impersonated.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(client) = clients.get(&key) {
            return Ok(client.clone());
        }
        let client = self
            .impersonating(&key.0, &key.1)
            .map_err(|e| format!("{e:#}"))?;
        clients.insert(key, client.clone());
        Ok(client)
    }
}

/// The controller's own client, and the factory of the others.
pub async fn build(
    settings: &GlobalSettings,
    qps: f64,
    burst: u32,
    metrics: &Metrics,
) -> Result<(kube::Client, Clients)> {
    let options = kube::config::KubeConfigOptions {
        context: settings.context.clone(),
        ..Default::default()
    };
    let config = match (&settings.kubeconfig, &settings.context) {
        (Some(path), _) => {
            let kubeconfig = kube::config::Kubeconfig::read_from(path)
                .with_context(|| format!("reading kubeconfig {path}"))?;
            kube::Config::from_custom_kubeconfig(kubeconfig, &options).await?
        }
        (None, Some(_)) => kube::Config::from_kubeconfig(&options).await?,
        (None, None) => kube::Config::infer().await?,
    };
    let clients = Clients {
        config: config.clone(),
        limiter: RateLimitLayer::new(qps, burst),
        events_limiter: RateLimitLayer::new(qps, burst),
        counter: RequestCountLayer {
            requests: metrics.rest_requests(),
        },
        impersonated: Default::default(),
    };
    Ok((clients.build(config, Some(&clients.limiter))?, clients))
}

/// Counts every request by method and response code (`<error>` when none came back).
#[derive(Clone)]
pub struct RequestCountLayer {
    requests: Family<RequestLabels, Counter>,
}

impl<S> Layer<S> for RequestCountLayer {
    type Service = RequestCount<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestCount {
            inner,
            requests: self.requests.clone(),
        }
    }
}

pub struct RequestCount<S> {
    inner: S,
    requests: Family<RequestLabels, Counter>,
}

impl<S, B, R> Service<http::Request<B>> for RequestCount<S>
where
    S: Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let method = req.method().as_str().to_string();
        let requests = self.requests.clone();
        let response = self.inner.call(req);
        Box::pin(async move {
            let result = response.await;
            let code = match &result {
                Ok(r) => r.status().as_u16().to_string(),
                Err(_) => "<error>".to_string(),
            };
            requests
                .get_or_create(&RequestLabels { code, method })
                .inc();
            result
        })
    }
}

/// A token bucket: `burst` tokens, refilled at `qps` per second. Tokens may be borrowed
/// (the count goes negative) so callers queue in arrival order, each told how long to wait.
#[derive(Debug)]
pub struct TokenBucket {
    qps: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    pub fn new(qps: f64, burst: u32, now: Instant) -> Self {
        let burst = f64::from(burst.max(1));
        Self {
            qps,
            burst,
            tokens: burst,
            last: now,
        }
    }

    /// Takes one token and returns how long the caller must wait before using it.
    pub fn reserve(&mut self, now: Instant) -> Duration {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = self.last.max(now);
        self.tokens = (self.tokens + elapsed * self.qps).min(self.burst);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.qps)
        }
    }
}

/// A tower layer applying one shared [`TokenBucket`] to every request of the client.
#[derive(Debug, Clone)]
pub struct RateLimitLayer {
    bucket: Arc<Mutex<TokenBucket>>,
}

impl RateLimitLayer {
    pub fn new(qps: f64, burst: u32) -> Self {
        Self {
            bucket: Arc::new(Mutex::new(TokenBucket::new(qps, burst, Instant::now()))),
        }
    }
}

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimit<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RateLimit {
            inner,
            bucket: self.bucket.clone(),
            state: State::Idle,
        }
    }
}

enum State {
    Idle,
    Waiting(Pin<Box<tokio::time::Sleep>>),
    Permitted,
}

/// Waits for a token in `poll_ready`, so the request is not sent before it is allowed.
/// kube puts a `Buffer` in front of the stack, so waiting here queues later requests
/// behind earlier ones, as client-go's limiter does.
pub struct RateLimit<S> {
    inner: S,
    bucket: Arc<Mutex<TokenBucket>>,
    state: State,
}

impl<S, Req> Service<Req> for RateLimit<S>
where
    S: Service<Req>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        loop {
            match &mut self.state {
                State::Idle => {
                    let wait = self
                        .bucket
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .reserve(Instant::now());
                    self.state = if wait.is_zero() {
                        State::Permitted
                    } else {
                        State::Waiting(Box::pin(tokio::time::sleep(wait)))
                    };
                }
                State::Waiting(sleep) => {
                    ready!(sleep.as_mut().poll(cx));
                    self.state = State::Permitted;
                }
                State::Permitted => return self.inner.poll_ready(cx),
            }
        }
    }

    fn call(&mut self, req: Req) -> Self::Future {
        // Each request spends the permit poll_ready obtained; the next one needs a new token.
        self.state = State::Idle;
        self.inner.call(req)
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;

    #[test]
    fn bucket_allows_a_burst_then_spaces_requests_at_qps() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(10.0, 3, start);
        for _ in 0..3 {
            assert_eq!(bucket.reserve(start), Duration::ZERO);
        }
        assert_eq!(bucket.reserve(start), Duration::from_millis(100));
        assert_eq!(bucket.reserve(start), Duration::from_millis(200));
        // Later callers queue behind earlier ones until time repays the borrowed tokens.
        let later = start + Duration::from_millis(300);
        assert_eq!(bucket.reserve(later), Duration::from_millis(0));
        assert_eq!(bucket.reserve(later), Duration::from_millis(100));
    }

    #[test]
    fn bucket_refills_no_higher_than_burst() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(100.0, 2, start);
        let much_later = start + Duration::from_secs(60);
        assert_eq!(bucket.reserve(much_later), Duration::ZERO);
        assert_eq!(bucket.reserve(much_later), Duration::ZERO);
        assert!(bucket.reserve(much_later) > Duration::ZERO);
    }

    #[derive(Clone)]
    struct Echo;

    impl Service<u32> for Echo {
        type Response = u32;
        type Error = Infallible;
        type Future = std::future::Ready<Result<u32, Infallible>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, req: u32) -> Self::Future {
            std::future::ready(Ok(req))
        }
    }

    async fn send(svc: &mut RateLimit<Echo>, req: u32) -> u32 {
        std::future::poll_fn(|cx| svc.poll_ready(cx)).await.unwrap();
        svc.call(req).await.unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn layer_delays_requests_beyond_the_burst() {
        let mut svc = RateLimitLayer::new(2.0, 2).layer(Echo);
        let start = tokio::time::Instant::now();
        assert_eq!(send(&mut svc, 1).await, 1);
        assert_eq!(send(&mut svc, 2).await, 2);
        assert_eq!(start.elapsed(), Duration::ZERO);
        assert_eq!(send(&mut svc, 3).await, 3);
        assert_eq!(start.elapsed(), Duration::from_millis(500));
        assert_eq!(send(&mut svc, 4).await, 4);
        assert_eq!(start.elapsed(), Duration::from_millis(1000));
    }

    #[derive(Clone)]
    struct Status(u16);

    impl Service<http::Request<()>> for Status {
        type Response = http::Response<()>;
        type Error = Infallible;
        type Future = std::future::Ready<Result<http::Response<()>, Infallible>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _: http::Request<()>) -> Self::Future {
            let mut response = http::Response::new(());
            *response.status_mut() = http::StatusCode::from_u16(self.0).unwrap();
            std::future::ready(Ok(response))
        }
    }

    #[tokio::test]
    async fn requests_are_counted_by_method_and_code() {
        let metrics = Metrics::new();
        let layer = RequestCountLayer {
            requests: metrics.rest_requests(),
        };
        let request = |method: &str| {
            http::Request::builder()
                .method(method)
                .uri("/api/v1/namespaces")
                .body(())
                .unwrap()
        };
        let mut ok = layer.layer(Status(200));
        let mut missing = layer.layer(Status(404));
        ok.call(request("GET")).await.unwrap();
        ok.call(request("GET")).await.unwrap();
        missing.call(request("PATCH")).await.unwrap();
        let text = metrics.encode();
        assert!(
            text.contains(r#"rest_client_requests_total{code="200",method="GET"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"rest_client_requests_total{code="404",method="PATCH"} 1"#),
            "{text}"
        );
    }
}
