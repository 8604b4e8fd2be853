//! The event endpoint (`POST /` on `--events-listen-addr`, Service notification-controller):
//! every controller's events come in here, are checked, deduplicated per object within
//! `--rate-limit-interval` (HTTP 429, as Flux), matched against the Alerts and handed to the
//! dispatcher. The answer (202) does not wait for the deliveries.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::post;
use kube::api::{Api, DynamicObject};
use kube::core::{ApiResource, GroupVersionKind};
use kube::runtime::reflector::{ObjectRef, Store};
use sha2::{Digest, Sha256};

use super::alerts;
use super::dispatch::Dispatcher;
use super::event::{Event, SEVERITY_ERROR, SEVERITY_INFO};
use crate::api::notification::{Alert, Provider};

/// Events are a few kilobytes; anything much larger is not one.
pub const MAX_EVENT_BYTES: usize = 512 * 1024;
/// The rate limiter forgets keys older than the interval once it holds this many...
const PRUNE_AT: usize = 10_000;
/// ...and everything once even the recent ones are this many: a burst of distinct events
/// may then pass once more, but the map stays bounded.
const FORGET_AT: usize = 100_000;
/// How long one request waits for the Alert and Provider caches at start-up before 503.
const CACHE_WAIT: Duration = Duration::from_secs(5);

pub struct EventServer {
    pub alerts: Store<Alert>,
    pub providers: Store<Provider>,
    pub client: kube::Client,
    pub dispatcher: Dispatcher,
    pub rate_limit_interval: Duration,
    pub no_cross_namespace_refs: bool,
    seen: Mutex<HashMap<[u8; 32], Instant>>,
}

impl EventServer {
    pub fn new(
        alerts: Store<Alert>,
        providers: Store<Provider>,
        client: kube::Client,
        dispatcher: Dispatcher,
        rate_limit_interval: Duration,
        no_cross_namespace_refs: bool,
    ) -> Self {
        Self {
            alerts,
            providers,
            client,
            dispatcher,
            rate_limit_interval,
            no_cross_namespace_refs,
            seen: Mutex::default(),
        }
    }

    pub fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/", post(receive))
            .layer(DefaultBodyLimit::max(MAX_EVENT_BYTES))
            .with_state(self)
    }

    /// True when an identical event for the object went through within the interval;
    /// otherwise records this one.
    fn limited(&self, event: &Event) -> bool {
        let object = &event.involved_object;
        let mut key = Sha256::new();
        for part in [
            object.kind.as_str(),
            object.namespace.as_str(),
            object.name.as_str(),
            event.severity.as_str(),
            event.message.as_str(),
            event.revision().unwrap_or_default(),
        ] {
            key.update(part.as_bytes());
            key.update([0]);
        }
        let key: [u8; 32] = key.finalize().into();
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= PRUNE_AT {
            seen.retain(|_, at| now.duration_since(*at) < self.rate_limit_interval);
            if seen.len() >= FORGET_AT {
                seen.clear();
            }
        }
        match seen.get(&key) {
            Some(at) if now.duration_since(*at) < self.rate_limit_interval => true,
            _ => {
                seen.insert(key, now);
                false
            }
        }
    }

    /// Whether the Alerts and Providers are in memory: an event matched against a store
    /// still filling up would be dropped without a word, so until then the senders are
    /// told to retry (Flux's cached client likewise blocks until its informers sync).
    async fn caches_ready(&self) -> bool {
        let ready = async {
            self.alerts.wait_until_ready().await.is_ok()
                && self.providers.wait_until_ready().await.is_ok()
        };
        tokio::time::timeout(CACHE_WAIT, ready)
            .await
            .unwrap_or(false)
    }

    /// Matches the event against the Alerts and hands each match to the dispatcher.
    async fn route(&self, event: &Event) -> usize {
        let object = &event.involved_object;
        let described = event.object_path();
        // The object's labels are read at most once, and only when a `*` source with
        // matchLabels of a matching kind and namespace asks for them.
        let mut fetched: Option<Option<BTreeMap<String, String>>> = None;
        let mut wanted = Vec::new();
        for alert in self.alerts.state() {
            let mut asked = false;
            let mut hit = {
                let mut probe = || match &fetched {
                    Some(labels) => labels.clone(),
                    None => {
                        asked = true;
                        None
                    }
                };
                alerts::matches(&alert, event, &mut probe)
            };
            if !hit && asked {
                let labels = self.labels(event).await;
                hit = alerts::matches(&alert, event, &mut || labels.clone());
                fetched = Some(labels);
            }
            if hit {
                wanted.push(alert);
            }
        }
        let mut sent = 0;
        for alert in wanted {
            let alert_name = alerts::alert_name(&alert);
            let alert_namespace = alert.metadata.namespace.clone().unwrap_or_default();
            if self.no_cross_namespace_refs && object.namespace != alert_namespace {
                tracing::error!(
                    alert = %alert_name,
                    object = %described,
                    "discarding the event: cross-namespace references are blocked"
                );
                continue;
            }
            let key =
                ObjectRef::<Provider>::new(&alert.spec.provider_ref.name).within(&alert_namespace);
            let Some(provider) = self.providers.get(&key) else {
                tracing::error!(
                    alert = %alert_name,
                    provider = %alert.spec.provider_ref.name,
                    "the Alert's provider does not exist"
                );
                continue;
            };
            if provider.spec.suspend.unwrap_or(false) {
                continue;
            }
            self.dispatcher
                .send(provider, alert_name, alerts::enrich(&alert, event));
            sent += 1;
        }
        if sent == 0 {
            tracing::debug!(object = %described, "no alert for the event");
        } else {
            tracing::info!(object = %described, alerts = sent, "dispatching event: {}", event.message);
        }
        sent
    }

    /// The involved object's labels, `None` when it cannot be read.
    async fn labels(&self, event: &Event) -> Option<BTreeMap<String, String>> {
        let object = &event.involved_object;
        let (group, version) = object.api_version.rsplit_once('/')?;
        let plural = plural(&object.kind)?;
        let resource = ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk(group, version, &object.kind),
            plural,
        );
        let api: Api<DynamicObject> =
            Api::namespaced_with(self.client.clone(), &object.namespace, &resource);
        match api.get_metadata_opt(&object.name).await {
            Ok(found) => found.map(|o| o.metadata.labels.unwrap_or_default()),
            Err(err) => {
                tracing::warn!(error = %err, kind = %object.kind, name = %object.name, "cannot read the object's labels");
                None
            }
        }
    }
}

/// The resource of each kind an Alert can watch.
fn plural(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "Bucket" => "buckets",
        "GitRepository" => "gitrepositories",
        "Kustomization" => "kustomizations",
        "HelmRelease" => "helmreleases",
        "HelmChart" => "helmcharts",
        "HelmRepository" => "helmrepositories",
        "ImageRepository" => "imagerepositories",
        "ImagePolicy" => "imagepolicies",
        "ImageUpdateAutomation" => "imageupdateautomations",
        "OCIRepository" => "ocirepositories",
        "ArtifactGenerator" => "artifactgenerators",
        "ExternalArtifact" => "externalartifacts",
        _ => return None,
    })
}

async fn receive(State(server): State<Arc<EventServer>>, body: Bytes) -> (StatusCode, String) {
    let mut event: Event = match serde_json::from_slice(&body) {
        Ok(event) => event,
        Err(err) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("the body is not an event: {err}\n"),
            );
        }
    };
    if let Err(reason) = validate(&event) {
        return (StatusCode::BAD_REQUEST, format!("{reason}\n"));
    }
    event.metadata = cleanup_metadata(&event);
    // Before the rate limiter records the event, so the sender's retry is not a duplicate.
    if !server.caches_ready().await {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "the Alerts and Providers are not loaded yet; retry\n".into(),
        );
    }
    if server.limited(&event) {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            "an identical event for this object was received within the rate limit interval\n"
                .into(),
        );
    }
    server.route(&event).await;
    (StatusCode::ACCEPTED, String::new())
}

/// What Flux's event API requires of an event.
fn validate(event: &Event) -> Result<(), String> {
    let object = &event.involved_object;
    for (field, value) in [
        ("involvedObject.kind", &object.kind),
        ("involvedObject.name", &object.name),
        ("involvedObject.namespace", &object.namespace),
        ("reason", &event.reason),
        ("message", &event.message),
        ("reportingController", &event.reporting_controller),
    ] {
        if value.trim().is_empty() {
            return Err(format!("{field} is required"));
        }
    }
    if event.severity != SEVERITY_INFO && event.severity != SEVERITY_ERROR {
        return Err(format!(
            "severity {:?} is not one of info, error",
            event.severity
        ));
    }
    Ok(())
}

/// Keeps the metadata of the object's own group without the `<group>/` prefix (a
/// Kustomization's `kustomize.toolkit.fluxcd.io/revision` becomes `revision`), dropping the
/// checksum and digest keys that mean nothing to a reader, as Flux does.
fn cleanup_metadata(event: &Event) -> BTreeMap<String, String> {
    let group = event.involved_object.group();
    let prefix = format!("{group}/");
    event
        .metadata
        .iter()
        .filter_map(|(key, value)| {
            let short = key.strip_prefix(&prefix)?;
            (!short.eq_ignore_ascii_case("checksum") && !short.eq_ignore_ascii_case("digest"))
                .then(|| (short.to_string(), value.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use kube::runtime::{reflector, watcher};

    use super::*;
    use crate::api::meta::LocalObjectReference;
    use crate::api::notification::{
        AlertSpec, EventSourceKind, EventSourceReference, ProviderSpec,
    };
    use crate::controllers::notification::event::ObjectReference;
    use crate::controllers::runtime::Metrics;

    /// An event server over in-memory stores; the client is never reached by these tests
    /// (no labels asked for; deliveries fail in the background against a closed port).
    fn server(alerts: Vec<Alert>, providers: Vec<Provider>, lockdown: bool) -> EventServer {
        crate::cli::install_crypto_provider();
        let client =
            kube::Client::try_from(kube::Config::new("https://127.0.0.1:9".parse().unwrap()))
                .unwrap();
        let (alert_store, mut alert_writer) = reflector::store::<Alert>();
        for alert in alerts {
            alert_writer.apply_watcher_event(&watcher::Event::Apply(alert));
        }
        let (provider_store, mut provider_writer) = reflector::store::<Provider>();
        for provider in providers {
            provider_writer.apply_watcher_event(&watcher::Event::Apply(provider));
        }
        let dispatcher = Dispatcher::new(client.clone(), &Metrics::new());
        EventServer::new(
            alert_store,
            provider_store,
            client,
            dispatcher,
            Duration::from_secs(300),
            lockdown,
        )
    }

    fn alert(name: &str, provider: &str, source_namespace: Option<&str>) -> Alert {
        let mut alert = Alert::new(
            name,
            AlertSpec {
                provider_ref: LocalObjectReference {
                    name: provider.into(),
                },
                event_sources: vec![EventSourceReference {
                    kind: EventSourceKind::Kustomization,
                    name: "*".into(),
                    namespace: source_namespace.map(str::to_string),
                    ..Default::default()
                }],
                ..Default::default()
            },
        );
        alert.metadata.namespace = Some("apps".into());
        alert
    }

    fn provider(name: &str, suspend: bool) -> Provider {
        let mut provider = Provider::new(
            name,
            ProviderSpec {
                address: Some("https://127.0.0.1:9/hook".into()),
                suspend: suspend.then_some(true),
                ..Default::default()
            },
        );
        provider.metadata.namespace = Some("apps".into());
        provider
    }

    #[tokio::test]
    async fn routing_honours_lockdown_missing_and_suspended_providers() {
        let mut foreign = event();
        foreign.involved_object.namespace = "team-a".into();
        let alerts = vec![
            alert("local", "hook", None),
            alert("watching-team-a", "hook", Some("team-a")),
            alert("no-provider", "missing", None),
            alert("paused-provider", "paused", None),
        ];
        let providers = vec![provider("hook", false), provider("paused", true)];

        let open = server(alerts.clone(), providers.clone(), false);
        assert_eq!(open.route(&event()).await, 1, "only `local` delivers");
        assert_eq!(
            open.route(&foreign).await,
            1,
            "another namespace, when allowed"
        );

        let locked = server(alerts, providers, true);
        assert_eq!(locked.route(&event()).await, 1);
        assert_eq!(locked.route(&foreign).await, 0, "refused under lockdown");
    }

    #[tokio::test]
    async fn identical_events_are_limited_within_the_interval_only() {
        let server = server(Vec::new(), Vec::new(), false);
        let first = event();
        assert!(!server.limited(&first));
        assert!(server.limited(&first));
        let mut other = event();
        other.message = "another message".into();
        assert!(!server.limited(&other));
        let mut later = event();
        later
            .metadata
            .insert("revision".into(), "main@sha1:def".into());
        assert!(!server.limited(&later), "another revision is another event");
    }

    fn event() -> Event {
        Event {
            involved_object: ObjectReference {
                api_version: "kustomize.toolkit.fluxcd.io/v1".into(),
                kind: "Kustomization".into(),
                name: "webapp".into(),
                namespace: "apps".into(),
                ..Default::default()
            },
            severity: "info".into(),
            timestamp: "2026-11-26T07:26:19Z".into(),
            message: "applied".into(),
            reason: "ReconciliationSucceeded".into(),
            metadata: BTreeMap::from([
                (
                    "kustomize.toolkit.fluxcd.io/revision".to_string(),
                    "main@sha1:abc".to_string(),
                ),
                (
                    "kustomize.toolkit.fluxcd.io/checksum".to_string(),
                    "x".to_string(),
                ),
                ("other.io/key".to_string(), "y".to_string()),
            ]),
            reporting_controller: "kustomize-controller".into(),
            reporting_instance: String::new(),
        }
    }

    #[test]
    fn events_need_an_object_a_reason_a_message_and_a_known_severity() {
        assert_eq!(validate(&event()), Ok(()));
        let mut e = event();
        e.involved_object.namespace.clear();
        assert_eq!(
            validate(&e).unwrap_err(),
            "involvedObject.namespace is required"
        );
        let mut e = event();
        e.severity = "warning".into();
        assert!(validate(&e).unwrap_err().contains("not one of info, error"));
        let mut e = event();
        e.reporting_controller = " ".into();
        assert_eq!(validate(&e).unwrap_err(), "reportingController is required");
    }

    #[test]
    fn metadata_keeps_the_object_group_without_checksums() {
        assert_eq!(
            cleanup_metadata(&event()),
            BTreeMap::from([("revision".to_string(), "main@sha1:abc".to_string())])
        );
    }
}
