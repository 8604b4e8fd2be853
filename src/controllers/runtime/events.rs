//! Kubernetes Events about the objects a controller reconciles, reported as
//! `<name>-controller` the way Flux's controllers report them.
//!
//! Event text is visible to anyone who can list Events in the namespace, so callers pass
//! only redacted text: never a Secret's data, a token, a password or a URL with userinfo.
//! The recorder cannot tell a secret from a message, so it relies on that contract.

use kube::Resource;
use kube::runtime::events::{Event, EventType, Recorder, Reporter};

/// Kubernetes refuses an event note above 1 kB.
const MAX_NOTE_BYTES: usize = 1024;

#[derive(Clone)]
pub struct EventRecorder {
    recorder: Recorder,
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
            recorder: Recorder::new(client, reporter),
        }
    }

    /// A `Normal` event on `obj`. `message` must already be redacted.
    pub async fn normal<K>(&self, obj: &K, reason: &str, message: &str)
    where
        K: Resource<DynamicType = ()>,
    {
        self.publish(obj, EventType::Normal, reason, message).await;
    }

    /// A `Warning` event on `obj`. `message` must already be redacted.
    pub async fn warning<K>(&self, obj: &K, reason: &str, message: &str)
    where
        K: Resource<DynamicType = ()>,
    {
        self.publish(obj, EventType::Warning, reason, message).await;
    }

    /// Failing to record an event must not fail the reconcile it describes, so errors are
    /// logged, not returned.
    async fn publish<K>(&self, obj: &K, type_: EventType, reason: &str, message: &str)
    where
        K: Resource<DynamicType = ()>,
    {
        let event = Event {
            type_,
            reason: reason.to_string(),
            note: Some(truncate(message, MAX_NOTE_BYTES).to_string()),
            action: reason.to_string(),
            secondary: None,
        };
        let reference = obj.object_ref(&());
        if let Err(err) = self.recorder.publish(&event, &reference).await {
            tracing::warn!(reason, error = %err, "failed to record event");
        }
    }
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
    fn notes_are_cut_to_the_api_limit_on_a_char_boundary() {
        assert_eq!(truncate("short", 1024), "short");
        let long = "é".repeat(600);
        let cut = truncate(&long, MAX_NOTE_BYTES);
        assert!(cut.len() <= MAX_NOTE_BYTES);
        assert_eq!(cut.len(), 1024);
        assert_eq!(truncate("aé", 2), "a");
    }
}
