//! Delivery of events to Providers, off the request path. Deliveries wait in a bounded queue
//! and at most [`WORKERS`] run at once, so a burst costs bounded memory (beyond the queue
//! they are dropped and counted). A Provider's Secrets are resolved into a
//! [`ProviderConfig`] and its notifier (with its HTTPS connections) is reused for
//! [`NOTIFIER_TTL`], so a burst does not read Secrets from the API server per event. A
//! retryable failure is tried again with backoff; failures are logged without secrets and
//! counted.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use tokio::sync::{Semaphore, mpsc};

use super::event::Event;
use super::providers::{self, Notifier, ProviderConfig};
use crate::api::duration;
use crate::api::notification::Provider;
use crate::controllers::runtime::Metrics;

/// Flux's default `spec.timeout`.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
/// Attempts after the first, as Flux's retrying HTTP client makes.
const RETRIES: u32 = 4;
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// The provider types that set Git commit statuses.
const COMMIT_STATUS_TYPES: [&str; 6] = [
    "github",
    "gitlab",
    "gitea",
    "bitbucket",
    "bitbucketserver",
    "azuredevops",
];

/// Deliveries waiting for a worker; beyond this, new ones are dropped (outcome `dropped`).
const QUEUE: usize = 10_000;
/// Deliveries in flight at once.
const WORKERS: usize = 32;
/// How long a Provider's resolved notifier is reused before its Secrets are read again (a
/// changed Provider is rebuilt at once).
const NOTIFIER_TTL: Duration = Duration::from_secs(60);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeliveryLabels {
    provider_type: String,
    /// `delivered`, `retried` (one per retry), `failed` or `dropped` (queue full).
    outcome: String,
}

struct Delivery {
    provider: Arc<Provider>,
    alert: String,
    event: Event,
}

/// A built notifier, valid for one resourceVersion of the Provider until it expires.
struct Cached {
    version: String,
    built: Instant,
    notifier: Arc<dyn Notifier>,
}

#[derive(Clone)]
pub struct Dispatcher {
    client: kube::Client,
    deliveries: Family<DeliveryLabels, Counter>,
    first_backoff: Duration,
    queue: mpsc::Sender<Delivery>,
    notifiers: Arc<Mutex<HashMap<String, Cached>>>,
}

impl Dispatcher {
    /// Starts the workers; they stop when the dispatcher and its clones are dropped.
    pub fn new(client: kube::Client, metrics: &Metrics) -> Self {
        let deliveries = Family::<DeliveryLabels, Counter>::default();
        metrics.register(
            "notification_event_deliveries",
            "Events posted to providers, by provider type and outcome (delivered, retried, failed, dropped)",
            deliveries.clone(),
        );
        let (queue, mut waiting) = mpsc::channel::<Delivery>(QUEUE);
        let this = Self {
            client,
            deliveries,
            first_backoff: FIRST_BACKOFF,
            queue,
            notifiers: Arc::default(),
        };
        let worker = this.clone();
        tokio::spawn(async move {
            let slots = Arc::new(Semaphore::new(WORKERS));
            while let Some(delivery) = waiting.recv().await {
                let Ok(slot) = slots.clone().acquire_owned().await else {
                    return;
                };
                let worker = worker.clone();
                tokio::spawn(async move {
                    worker.deliver(&delivery).await;
                    drop(slot);
                });
            }
        });
        this
    }

    /// Queues `event` for `provider`; a full queue drops it (counted and logged).
    pub fn send(&self, provider: Arc<Provider>, alert: String, event: Event) {
        let delivery = Delivery {
            provider,
            alert,
            event,
        };
        if let Err(err) = self.queue.try_send(delivery) {
            let delivery = match err {
                mpsc::error::TrySendError::Full(d) | mpsc::error::TrySendError::Closed(d) => d,
            };
            tracing::warn!(
                provider = %object_name(&delivery.provider),
                object = %delivery.event.object_path(),
                "dropping the event: {QUEUE} deliveries are already waiting"
            );
            self.count(&provider_type(&delivery.provider), "dropped");
        }
    }

    async fn deliver(&self, delivery: &Delivery) {
        let (provider, alert, event) = (&*delivery.provider, &delivery.alert, &delivery.event);
        let name = object_name(provider);
        let kind = provider_type(provider);
        // `commit_status: update` events only mean something to a Git commit status.
        if event.metadata.get("commit_status").map(String::as_str) == Some("update")
            && !COMMIT_STATUS_TYPES.contains(&kind.as_str())
        {
            return;
        }
        match self.notifier(provider).await {
            Ok(notifier) => {
                self.post_with_retries(notifier.as_ref(), &kind, &name, alert, event)
                    .await;
            }
            Err(reason) => {
                tracing::error!(provider = %name, alert, object = %event.object_path(), error = %reason, "cannot send the event");
                self.count(&kind, "failed");
            }
        }
    }

    /// The Provider's notifier: reused while the Provider is unchanged and the cached one
    /// is younger than [`NOTIFIER_TTL`], else resolved and built again.
    async fn notifier(&self, provider: &Provider) -> Result<Arc<dyn Notifier>, String> {
        let key = provider
            .metadata
            .uid
            .clone()
            .unwrap_or_else(|| object_name(provider));
        let version = provider
            .metadata
            .resource_version
            .clone()
            .unwrap_or_default();
        {
            let cache = self.notifiers.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(cached) = cache.get(&key)
                && cached.version == version
                && cached.built.elapsed() < NOTIFIER_TTL
            {
                return Ok(cached.notifier.clone());
            }
        }
        let config = self.resolve(provider).await?;
        let notifier: Arc<dyn Notifier> =
            Arc::from(providers::notifier(&config).map_err(|e| e.to_string())?);
        let mut cache = self.notifiers.lock().unwrap_or_else(|e| e.into_inner());
        cache.retain(|_, c| c.built.elapsed() < NOTIFIER_TTL);
        cache.insert(
            key,
            Cached {
                version,
                built: Instant::now(),
                notifier: notifier.clone(),
            },
        );
        Ok(notifier)
    }

    /// Posts, retrying what may succeed later.
    async fn post_with_retries(
        &self,
        notifier: &dyn Notifier,
        provider_type: &str,
        name: &str,
        alert: &str,
        event: &Event,
    ) {
        let object = event.object_path();
        let mut backoff = self.first_backoff;
        for attempt in 0..=RETRIES {
            match notifier.post(event).await {
                Ok(()) => {
                    tracing::info!(provider = %name, alert, object = %object, "event sent");
                    self.count(provider_type, "delivered");
                    return;
                }
                Err(err) if err.is_retryable() && attempt < RETRIES => {
                    tracing::debug!(provider = %name, alert, object = %object, error = %err, attempt, "retrying the event");
                    self.count(provider_type, "retried");
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                }
                Err(err) => {
                    tracing::error!(provider = %name, alert, object = %object, error = %err, "failed to send the event");
                    self.count(provider_type, "failed");
                    return;
                }
            }
        }
    }

    fn count(&self, provider_type: &str, outcome: &str) {
        self.deliveries
            .get_or_create(&DeliveryLabels {
                provider_type: provider_type.to_string(),
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// The Provider's settings with its Secrets applied, Flux's way: the `secretRef`'s
    /// `address`, `username`, `proxy` override the spec; `token`, `password` and `headers`
    /// (YAML) come only from there; `certSecretRef` gives `ca.crt` (or the legacy `caFile`)
    /// and `tls.crt`/`tls.key`; `proxySecretRef` gives `address`, `username`, `password`.
    async fn resolve(&self, provider: &Provider) -> Result<ProviderConfig, String> {
        let spec = &provider.spec;
        let namespace = provider.metadata.namespace.as_deref().unwrap_or_default();
        let name = object_name(provider);
        let mut config = ProviderConfig {
            provider_type: provider_type(provider),
            name: name.clone(),
            uid: provider.metadata.uid.clone().unwrap_or_default(),
            address: spec.address.clone().unwrap_or_default(),
            channel: spec.channel.clone().unwrap_or_default(),
            username: spec.username.clone().unwrap_or_default(),
            proxy: spec.proxy.clone().filter(|p| !p.is_empty()),
            timeout: match spec.timeout.as_deref() {
                Some(timeout) => duration::parse_positive(timeout)
                    .map_err(|err| format!("spec.timeout: {err}"))?,
                None => DEFAULT_TIMEOUT,
            },
            ..Default::default()
        };
        let secrets: Api<Secret> = Api::namespaced(self.client.clone(), namespace);
        let read = |field: &'static str, secret: String| {
            let secrets = secrets.clone();
            async move {
                let data = secrets
                    .get(&secret)
                    .await
                    .map_err(|err| format!("{field}: reading Secret {namespace}/{secret}: {err}"))?
                    .data
                    .unwrap_or_default();
                Ok::<BTreeMap<String, String>, String>(
                    data.into_iter()
                        .map(|(k, v)| (k, String::from_utf8_lossy(&v.0).into_owned()))
                        .collect(),
                )
            }
        };
        if let Some(reference) = &spec.secret_ref {
            let data = read("spec.secretRef", reference.name.clone()).await?;
            if let Some(address) = data.get("address") {
                config.address = address.trim().to_string();
            }
            if let Some(username) = data.get("username") {
                config.username = username.clone();
            }
            if let Some(proxy) = data.get("proxy") {
                config.proxy = Some(proxy.trim().to_string());
            }
            config.token = data.get("token").cloned().unwrap_or_default();
            config.password = data.get("password").cloned().unwrap_or_default();
            if let Some(headers) = data.get("headers") {
                config.headers = serde_saphyr::from_str(headers).map_err(|err| {
                    format!(
                        "spec.secretRef: key headers of Secret {namespace}/{}: not a YAML map of header names to values ({err})",
                        reference.name
                    )
                })?;
            }
        }
        if let Some(reference) = &spec.cert_secret_ref {
            let data = read("spec.certSecretRef", reference.name.clone()).await?;
            config.ca_pem = data.get("ca.crt").or_else(|| data.get("caFile")).cloned();
            if let (Some(cert), Some(key)) = (data.get("tls.crt"), data.get("tls.key")) {
                config.client_identity = Some((cert.clone(), key.clone()));
            }
        }
        if let Some(reference) = &spec.proxy_secret_ref {
            let data = read("spec.proxySecretRef", reference.name.clone()).await?;
            let address = data.get("address").ok_or_else(|| {
                format!(
                    "spec.proxySecretRef: Secret {namespace}/{} has no key address",
                    reference.name
                )
            })?;
            let mut url = url::Url::parse(address.trim()).map_err(|_| {
                format!(
                    "spec.proxySecretRef: the address in Secret {namespace}/{} is not a URL",
                    reference.name
                )
            })?;
            if let Some(user) = data.get("username") {
                let _ = url.set_username(user);
                let _ = url.set_password(data.get("password").map(String::as_str));
            }
            config.proxy = Some(url.to_string());
        }
        Ok(config)
    }
}

pub fn object_name(provider: &Provider) -> String {
    format!(
        "{}/{}",
        provider.metadata.namespace.as_deref().unwrap_or_default(),
        provider.metadata.name.as_deref().unwrap_or_default()
    )
}

fn provider_type(provider: &Provider) -> String {
    serde_json::to_value(provider.spec.r#type)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    use testenv::rest::{Request, Response, RestServer};

    use super::*;
    use crate::api::notification::{ProviderSpec, ProviderType};
    use crate::controllers::notification::event::ObjectReference;

    /// A client that is never used: Providers without Secrets are resolved from the spec.
    fn offline_client() -> kube::Client {
        crate::cli::install_crypto_provider();
        let config = kube::Config::new("https://127.0.0.1:9".parse().unwrap());
        kube::Client::try_from(config).unwrap()
    }

    #[tokio::test]
    async fn retryable_failures_are_retried_with_backoff_and_counted() {
        let requests = Arc::new(Mutex::new(Vec::<Request>::new()));
        let answered = Arc::new(AtomicUsize::new(0));
        let (seen, count) = (requests.clone(), answered.clone());
        // Two 503s, then success.
        let server = RestServer::start(Arc::new(move |request: &Request| {
            seen.lock().unwrap().push(request.clone());
            match count.fetch_add(1, Ordering::SeqCst) {
                0 | 1 => Response::empty(503),
                _ => Response::empty(200),
            }
        }))
        .unwrap();
        let metrics = Metrics::new();
        let mut dispatcher = Dispatcher::new(offline_client(), &metrics);
        dispatcher.first_backoff = Duration::from_millis(10);
        let mut provider = Provider::new(
            "hook",
            ProviderSpec {
                r#type: ProviderType::Generic,
                address: Some(format!("{}/hook", server.base_url())),
                ..Default::default()
            },
        );
        provider.metadata.namespace = Some("apps".into());
        // In real use the CA comes from a certSecretRef Secret; it is set on the resolved
        // config here so no cluster is needed.
        let event = Event {
            involved_object: ObjectReference {
                kind: "Kustomization".into(),
                name: "webapp".into(),
                namespace: "apps".into(),
                ..Default::default()
            },
            severity: "info".into(),
            message: "applied".into(),
            reason: "ReconciliationSucceeded".into(),
            reporting_controller: "kustomize-controller".into(),
            ..Default::default()
        };
        let mut config = dispatcher.resolve(&provider).await.unwrap();
        config.ca_pem = Some(server.ca_pem().to_string());
        let notifier = providers::notifier(&config).unwrap();
        dispatcher
            .post_with_retries(
                notifier.as_ref(),
                "generic",
                "apps/hook",
                "apps/hook",
                &event,
            )
            .await;
        assert_eq!(requests.lock().unwrap().len(), 3);
        let text = metrics.encode();
        assert!(
            text.contains(
                "notification_event_deliveries_total{provider_type=\"generic\",outcome=\"retried\"} 2"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "notification_event_deliveries_total{provider_type=\"generic\",outcome=\"delivered\"} 1"
            ),
            "{text}"
        );

        // A permanent refusal is not retried.
        answered.store(100, Ordering::SeqCst);
        let refusing = RestServer::start(Arc::new(|_: &Request| Response::empty(400))).unwrap();
        config.address = format!("{}/hook", refusing.base_url());
        config.ca_pem = Some(refusing.ca_pem().to_string());
        let notifier = providers::notifier(&config).unwrap();
        dispatcher
            .post_with_retries(
                notifier.as_ref(),
                "generic",
                "apps/hook",
                "apps/hook",
                &event,
            )
            .await;
        let text = metrics.encode();
        assert!(
            text.contains(
                "notification_event_deliveries_total{provider_type=\"generic\",outcome=\"failed\"} 1"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "notification_event_deliveries_total{provider_type=\"generic\",outcome=\"retried\"} 2"
            ),
            "no retry of a 400: {text}"
        );
    }
}
