//! Which Alerts an event goes to, Flux's rules: an event source of the object's kind, in its
//! namespace (the Alert's when none is given), named as the object or `*` (then its labels
//! must carry `matchLabels`); an `error` Alert takes only errors, an `info` Alert both; the
//! message must match one `inclusionList` regex when there are any and none of
//! `exclusionList`; suspended Alerts take nothing.

use std::collections::BTreeMap;

use regex::Regex;

use super::event::{Event, SEVERITY_ERROR};
use crate::api::notification::{Alert, EventSeverity, EventSourceReference};

/// Whether `alert` wants `event`. `labels` are the involved object's labels, asked for only
/// when a `*` source with `matchLabels` needs them (`None`: the object could not be read,
/// which fails such a source).
pub fn matches(
    alert: &Alert,
    event: &Event,
    labels: &mut dyn FnMut() -> Option<BTreeMap<String, String>>,
) -> bool {
    let spec = &alert.spec;
    if spec.suspend.unwrap_or(false) {
        return false;
    }
    let wants_errors_only = spec.event_severity == Some(EventSeverity::Error);
    if wants_errors_only && event.severity != SEVERITY_ERROR {
        return false;
    }
    let alert_namespace = alert.metadata.namespace.as_deref().unwrap_or_default();
    let source_matches = spec
        .event_sources
        .iter()
        .any(|source| source_matches(source, alert_namespace, event, labels));
    source_matches && message_passes(alert, &event.message)
}

fn source_matches(
    source: &EventSourceReference,
    alert_namespace: &str,
    event: &Event,
    labels: &mut dyn FnMut() -> Option<BTreeMap<String, String>>,
) -> bool {
    let object = &event.involved_object;
    let namespace = source.namespace.as_deref().unwrap_or(alert_namespace);
    if object.namespace != namespace || object.kind != kind_name(source) {
        return false;
    }
    if source.name == "*" {
        return match source.match_labels.as_ref().filter(|l| !l.is_empty()) {
            None => true,
            Some(wanted) => {
                labels().is_some_and(|have| wanted.iter().all(|(k, v)| have.get(k) == Some(v)))
            }
        };
    }
    source.name == object.name
}

/// The kind as the API spells it.
fn kind_name(source: &EventSourceReference) -> String {
    serde_json::to_value(source.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Inclusion first (one must match when any is given), then exclusion (none may match).
/// A regex that does not compile matches nothing; the Alert is refused at admission in
/// Flux, here it is logged once per event.
fn message_passes(alert: &Alert, message: &str) -> bool {
    let compile = |pattern: &String| match Regex::new(pattern) {
        Ok(re) => Some(re),
        Err(err) => {
            tracing::warn!(
                alert = %alert_name(alert),
                pattern = %pattern,
                error = %err,
                "an inclusionList/exclusionList entry is not a valid regular expression"
            );
            None
        }
    };
    let spec = &alert.spec;
    if let Some(include) = spec.inclusion_list.as_ref().filter(|l| !l.is_empty())
        && !include
            .iter()
            .filter_map(compile)
            .any(|re| re.is_match(message))
    {
        return false;
    }
    !spec
        .exclusion_list
        .iter()
        .flatten()
        .filter_map(compile)
        .any(|re| re.is_match(message))
}

pub fn alert_name(alert: &Alert) -> String {
    format!(
        "{}/{}",
        alert.metadata.namespace.as_deref().unwrap_or_default(),
        alert.metadata.name.as_deref().unwrap_or_default()
    )
}

/// The event as `alert` sends it: `summary` and `eventMetadata` added to the metadata
/// without overriding what the emitter set (Flux keeps the original value).
pub fn enrich(alert: &Alert, event: &Event) -> Event {
    let mut event = event.clone();
    let spec = &alert.spec;
    let extra = spec
        .summary
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| ("summary".to_string(), s.clone()))
        .chain(
            spec.event_metadata
                .iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone())),
        );
    for (key, value) in extra {
        event.metadata.entry(key).or_insert(value);
    }
    event
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::notification::{AlertSpec, EventSourceKind};
    use crate::controllers::notification::event::ObjectReference;

    fn alert(sources: Vec<EventSourceReference>) -> Alert {
        let mut alert = Alert::new(
            "on-call",
            AlertSpec {
                event_sources: sources,
                ..Default::default()
            },
        );
        alert.metadata.namespace = Some("apps".into());
        alert
    }

    fn source(kind: EventSourceKind, name: &str) -> EventSourceReference {
        EventSourceReference {
            kind,
            name: name.into(),
            ..Default::default()
        }
    }

    fn event(kind: &str, name: &str, namespace: &str, severity: &str, message: &str) -> Event {
        Event {
            involved_object: ObjectReference {
                kind: kind.into(),
                name: name.into(),
                namespace: namespace.into(),
                ..Default::default()
            },
            severity: severity.into(),
            message: message.into(),
            ..Default::default()
        }
    }

    fn no_labels() -> Option<BTreeMap<String, String>> {
        panic!("labels are only read for `*` sources with matchLabels")
    }

    #[test]
    fn sources_match_by_kind_name_and_namespace() {
        let a = alert(vec![source(EventSourceKind::Kustomization, "webapp")]);
        let ok = event("Kustomization", "webapp", "apps", "info", "applied");
        assert!(matches(&a, &ok, &mut no_labels));
        for other in [
            event("Kustomization", "other", "apps", "info", "applied"),
            event("GitRepository", "webapp", "apps", "info", "applied"),
            event("Kustomization", "webapp", "prod", "info", "applied"),
        ] {
            assert!(!matches(&a, &other, &mut no_labels), "{other:?}");
        }
        let mut elsewhere = source(EventSourceKind::Kustomization, "*");
        elsewhere.namespace = Some("prod".into());
        let a = alert(vec![elsewhere]);
        assert!(matches(
            &a,
            &event("Kustomization", "x", "prod", "info", "m"),
            &mut no_labels
        ));
        assert!(!matches(
            &a,
            &event("Kustomization", "x", "apps", "info", "m"),
            &mut no_labels
        ));
    }

    #[test]
    fn wildcards_with_match_labels_read_the_object_labels() {
        let mut wild = source(EventSourceKind::GitRepository, "*");
        wild.match_labels = Some(BTreeMap::from([("team".into(), "web".into())]));
        let a = alert(vec![wild]);
        let e = event("GitRepository", "repo", "apps", "info", "fetched");
        let web = || Some(BTreeMap::from([("team".to_string(), "web".to_string())]));
        let ops = || Some(BTreeMap::from([("team".to_string(), "ops".to_string())]));
        assert!(matches(&a, &e, &mut { web }));
        assert!(!matches(&a, &e, &mut { ops }));
        assert!(!matches(&a, &e, &mut || None), "an unreadable object fails");
    }

    #[test]
    fn severity_inclusion_exclusion_and_suspend() {
        let mut a = alert(vec![source(EventSourceKind::Kustomization, "*")]);
        let info = event("Kustomization", "w", "apps", "info", "Health check passed");
        let error = event("Kustomization", "w", "apps", "error", "Health check failed");
        assert!(matches(&a, &info, &mut no_labels));
        a.spec.event_severity = Some(EventSeverity::Error);
        assert!(!matches(&a, &info, &mut no_labels));
        assert!(matches(&a, &error, &mut no_labels));
        a.spec.event_severity = None;

        a.spec.inclusion_list = Some(vec![".*failed.*".into(), "[".into()]);
        assert!(matches(&a, &error, &mut no_labels));
        assert!(!matches(&a, &info, &mut no_labels));
        a.spec.exclusion_list = Some(vec!["^Health".into()]);
        assert!(!matches(&a, &error, &mut no_labels));
        a.spec.inclusion_list = None;
        a.spec.exclusion_list = Some(vec!["passed$".into()]);
        assert!(!matches(&a, &info, &mut no_labels));
        assert!(matches(&a, &error, &mut no_labels));

        a.spec.suspend = Some(true);
        assert!(!matches(&a, &error, &mut no_labels));
    }

    #[test]
    fn summary_and_event_metadata_never_override_the_emitter() {
        let mut a = alert(vec![]);
        a.spec.summary = Some("prod cluster".into());
        a.spec.event_metadata = Some(BTreeMap::from([
            ("env".to_string(), "prod".to_string()),
            ("revision".to_string(), "not this".to_string()),
        ]));
        let mut e = event("Kustomization", "w", "apps", "info", "m");
        e.metadata.insert("revision".into(), "main@sha1:abc".into());
        let sent = enrich(&a, &e);
        assert_eq!(sent.metadata["summary"], "prod cluster");
        assert_eq!(sent.metadata["env"], "prod");
        assert_eq!(sent.metadata["revision"], "main@sha1:abc");
    }
}
