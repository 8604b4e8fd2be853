//! Kubernetes Events about the objects a controller reconciles, reported as
//! `<name>-controller` the way Flux's controllers report them.
//!
//! Event text is visible to anyone who can list Events in the namespace, so callers pass
//! only redacted text: never a Secret's data, a token, a password or a URL with userinfo.
//! The recorder cannot tell a secret from a message, so it relies on that contract.

use std::collections::BTreeMap;
use std::time::Duration;

use kube::Resource;
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use serde_json::json;

/// Object annotations with this prefix travel with every event, as in Flux.
const EVENT_ANNOTATION_PREFIX: &str = "event.toolkit.fluxcd.io/";
/// Flux's event client gives up after 5s; an unreachable notification controller must not
/// slow reconciles.
const FORWARD_TIMEOUT: Duration = Duration::from_secs(5);
/// Retries after the first attempt, and the first wait (doubled each time).
const FORWARD_RETRIES: u32 = 4;
const FORWARD_FIRST_WAIT: Duration = Duration::from_secs(1);

/// Kubernetes refuses an event note above 1 kB.
const MAX_NOTE_BYTES: usize = 1024;
/// The API server's limit on an event's `action`.
const MAX_ACTION_BYTES: usize = 128;

#[derive(Clone)]
pub struct EventRecorder {
    recorder: Recorder,
    reporter: Reporter,
    forwarder: Option<Forwarder>,
}

/// POSTs events to the notification controller (`--events-addr`) in Flux's JSON shape.
#[derive(Clone)]
struct Forwarder {
    client: reqwest::Client,
    url: String,
}

impl Forwarder {
    /// POSTs one event, retrying what a restarting notification controller answers
    /// (connection refused, 5xx) as Flux's retrying client does: up to
    /// [`FORWARD_RETRIES`] more times, waiting 1s, 2s, 4s, 8s.
    async fn send(&self, body: &serde_json::Value) {
        let mut wait = FORWARD_FIRST_WAIT;
        for attempt in 0..=FORWARD_RETRIES {
            if attempt > 0 {
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            match self.client.post(&self.url).json(body).send().await {
                Ok(response) if response.status().is_success() => return,
                Ok(response)
                    if response.status().is_server_error()
                        && response.status() != reqwest::StatusCode::NOT_IMPLEMENTED =>
                {
                    tracing::debug!(status = %response.status(), attempt, "the notification controller could not take an event")
                }
                Ok(response) => {
                    tracing::debug!(status = %response.status(), "the notification controller refused an event");
                    return;
                }
                Err(err) => {
                    tracing::debug!(error = %err, attempt, "failed to forward an event")
                }
            }
        }
    }
}

impl EventRecorder {
    /// `controller` is the reportingController, e.g. "source-controller"; `instance`
    /// distinguishes replicas (the leader identity).
    pub fn new(client: kube::Client, controller: &str, instance: Option<String>) -> Self {
        let reporter = Reporter {
            controller: controller.to_string(),
            instance,
        };
        Self {
            recorder: Recorder::new(client, reporter.clone()),
            reporter,
            forwarder: None,
        }
    }

    /// Also POSTs every event to `url` (the `--events-addr` of the controllers).
    pub fn forward_to(mut self, url: &str) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(FORWARD_TIMEOUT)
            .build()
            .map_err(|e| anyhow::anyhow!("flag --events-addr: {e}"))?;
        self.forwarder = Some(Forwarder {
            client,
            url: url.to_string(),
        });
        Ok(self)
    }

    /// A `Normal` event carrying the revision it is about, as Flux's `<group>/revision`.
    pub async fn normal_revision<K>(&self, obj: &K, reason: &str, message: &str, revision: &str)
    where
        K: Resource<DynamicType = ()>,
    {
        self.emit(obj, EventType::Normal, reason, message, Some(revision))
            .await;
    }

    /// A `Warning` event carrying the revision it is about.
    pub async fn warning_revision<K>(&self, obj: &K, reason: &str, message: &str, revision: &str)
    where
        K: Resource<DynamicType = ()>,
    {
        self.emit(obj, EventType::Warning, reason, message, Some(revision))
            .await;
    }

    /// A `Normal` event on `obj`. `message` must already be redacted.
    pub async fn normal<K>(&self, obj: &K, reason: &str, message: &str)
    where
        K: Resource<DynamicType = ()>,
    {
        self.emit(obj, EventType::Normal, reason, message, None)
            .await;
    }

    /// A `Warning` event on `obj`. `message` must already be redacted.
    pub async fn warning<K>(&self, obj: &K, reason: &str, message: &str)
    where
        K: Resource<DynamicType = ()>,
    {
        self.emit(obj, EventType::Warning, reason, message, None)
            .await;
    }

    /// An event whose message tells it apart: kube's recorder folds events of one object with
    /// the same type, reason and action into one series that keeps the first message, so
    /// controllers that give every event one reason (Flagger's `Synced`) set the action from
    /// the message; a repeated message still folds, as client-go's correlator folds it.
    pub async fn distinct<K>(&self, obj: &K, warning: bool, reason: &str, message: &str)
    where
        K: Resource<DynamicType = ()>,
    {
        let type_ = if warning {
            EventType::Warning
        } else {
            EventType::Normal
        };
        let action = truncate(message, MAX_ACTION_BYTES);
        self.emit_as(obj, type_, reason, action, message, None)
            .await;
    }

    async fn emit<K>(
        &self,
        obj: &K,
        type_: EventType,
        reason: &str,
        message: &str,
        revision: Option<&str>,
    ) where
        K: Resource<DynamicType = ()>,
    {
        self.emit_as(obj, type_, reason, reason, message, revision)
            .await;
    }

    async fn emit_as<K>(
        &self,
        obj: &K,
        type_: EventType,
        reason: &str,
        action: &str,
        message: &str,
        revision: Option<&str>,
    ) where
        K: Resource<DynamicType = ()>,
    {
        if let Some(forwarder) = &self.forwarder {
            let body = flux_event(obj, &self.reporter, type_, reason, message, revision);
            let forwarder = forwarder.clone();
            // Delivery is best effort and must not hold the reconcile, as in Flux.
            tokio::spawn(async move { forwarder.send(&body).await });
        }
        self.publish(obj, type_, reason, action, message).await;
    }

    /// Failing to record an event must not fail the reconcile it describes, so errors are
    /// logged, not returned.
    async fn publish<K>(&self, obj: &K, type_: EventType, reason: &str, action: &str, message: &str)
    where
        K: Resource<DynamicType = ()>,
    {
        let event = Event {
            type_,
            reason: reason.to_string(),
            note: Some(truncate(message, MAX_NOTE_BYTES).to_string()),
            action: action.to_string(),
            secondary: None,
        };
        let reference = obj.object_ref(&());
        if let Err(err) = self.recorder.publish(&event, &reference).await {
            tracing::warn!(reason, error = %err, "failed to record event");
        }
    }
}

/// The event body Flux's controllers POST to the notification controller.
fn flux_event<K>(
    obj: &K,
    reporter: &Reporter,
    type_: EventType,
    reason: &str,
    message: &str,
    revision: Option<&str>,
) -> serde_json::Value
where
    K: Resource<DynamicType = ()>,
{
    let reference = obj.object_ref(&());
    let group = K::group(&()).to_string();
    let mut metadata: BTreeMap<String, String> = obj
        .meta()
        .annotations
        .iter()
        .flatten()
        .filter(|(k, _)| k.starts_with(EVENT_ANNOTATION_PREFIX))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(revision) = revision {
        metadata.insert(format!("{group}/revision"), revision.to_string());
    }
    let mut event = json!({
        "involvedObject": reference,
        "severity": if type_ == EventType::Warning { "error" } else { "info" },
        "timestamp": k8s_openapi::jiff::Timestamp::now().round(k8s_openapi::jiff::Unit::Second).unwrap_or_else(|_| k8s_openapi::jiff::Timestamp::now()).to_string(),
        "message": message,
        "reason": reason,
        "reportingController": reporter.controller,
    });
    if !metadata.is_empty() {
        event["metadata"] = json!(metadata);
    }
    if let Some(instance) = &reporter.instance {
        event["reportingInstance"] = json!(instance);
    }
    event
}

/// Cuts `text` to at most `max` bytes on a character boundary.
fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flux_event_has_the_notification_controller_shape() {
        use crate::api::source::GitRepository;
        let mut repo = GitRepository::new("podinfo", Default::default());
        repo.metadata.namespace = Some("flux-system".into());
        repo.metadata.annotations = Some(BTreeMap::from([
            (
                "event.toolkit.fluxcd.io/env".to_string(),
                "prod".to_string(),
            ),
            ("other/annotation".to_string(), "no".to_string()),
        ]));
        let reporter = Reporter {
            controller: "source-controller".into(),
            instance: Some("pod-1".into()),
        };
        let event = flux_event(
            &repo,
            &reporter,
            EventType::Warning,
            "GitOperationFailed",
            "boom",
            Some("main@sha1:abc"),
        );
        assert_eq!(event["involvedObject"]["kind"], "GitRepository");
        assert_eq!(event["involvedObject"]["namespace"], "flux-system");
        assert_eq!(
            event["involvedObject"]["apiVersion"],
            "source.toolkit.fluxcd.io/v1"
        );
        assert_eq!(event["severity"], "error");
        assert_eq!(event["reason"], "GitOperationFailed");
        assert_eq!(event["reportingController"], "source-controller");
        assert_eq!(event["reportingInstance"], "pod-1");
        assert_eq!(
            event["metadata"]["source.toolkit.fluxcd.io/revision"],
            "main@sha1:abc"
        );
        assert_eq!(event["metadata"]["event.toolkit.fluxcd.io/env"], "prod");
        assert!(event["metadata"].get("other/annotation").is_none());
        let timestamp = event["timestamp"].as_str().unwrap();
        assert!(
            timestamp.ends_with('Z') && !timestamp.contains('.'),
            "{timestamp}"
        );
    }

    #[test]
    fn notes_are_cut_to_the_api_limit_on_a_char_boundary() {
        assert_eq!(truncate("short", 1024), "short");
        let long = "é".repeat(600);
        let cut = truncate(&long, MAX_NOTE_BYTES);
        assert!(cut.len() <= MAX_NOTE_BYTES);
        assert_eq!(cut.len(), 1024);
        assert_eq!(truncate("aé", 2), "a");
    }
}
