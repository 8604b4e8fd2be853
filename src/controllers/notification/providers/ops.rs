//! Notifiers of the ops provider types, posting what Flux's notification-controller posts:
//!
//! - `opsgenie`: an alert (`message` = `Kind/name`, `description`, `details` = metadata and
//!   severity) to `spec.address` with `Authorization: GenieKey <token>`.
//! - `pagerduty`: an Events API v2 event to `<address origin>/v2/enqueue` (`trigger` for
//!   errors, `resolve` for info, dedup key the object's uid) with `spec.channel` as the
//!   routing key, plus a change event to `/v2/change/enqueue` for info events.
//! - `alertmanager`: a one-alert array (labels from the metadata and the object,
//!   annotations `message` and `summary`, `startsAt`, Go's zero `endsAt`) to `spec.address`.
//! - `grafana`: an annotation (`when` in seconds, `text`, `tags`) to `spec.address`.

use futures::future::BoxFuture;
use k8s_openapi::jiff::Timestamp;
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::http::{Http, origin, parse_address, parse_url};
use super::{ConfigError, Notifier, ProviderConfig, SendError, name_and_description};
use crate::controllers::notification::event::{Event, SEVERITY_ERROR, SEVERITY_INFO};

/// Flux's `meta.ProgressingReason`: not a success nor a failure.
const PROGRESSING_REASON: &str = "Progressing";
/// PagerDuty's Events API when the Provider gives no address.
const PAGERDUTY_DEFAULT: &str = "https://events.pagerduty.com";
/// Go's zero `time.Time` in RFC 3339, which Flux sends as Alertmanager's `endsAt`.
const GO_ZERO_TIME: &str = "0001-01-01T00:00:00Z";

pub fn new(config: &ProviderConfig) -> Result<Box<dyn Notifier>, ConfigError> {
    match config.provider_type.as_str() {
        "opsgenie" => Ok(Box::new(Opsgenie::new(config)?)),
        "pagerduty" => Ok(Box::new(PagerDuty::new(config)?)),
        "alertmanager" => Ok(Box::new(Alertmanager::new(config)?)),
        "grafana" => Ok(Box::new(Grafana::new(config)?)),
        other => Err(ConfigError(format!(
            "spec.type: provider type {other:?} is not an ops provider type"
        ))),
    }
}

/// How a request authenticates.
enum Auth {
    None,
    Bearer(String),
    Basic(String, String),
}

impl Auth {
    fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Auth::None => request,
            Auth::Bearer(token) => request.bearer_auth(token),
            Auth::Basic(user, password) => request.basic_auth(user, Some(password)),
        }
    }
}

/// The metadata as a JSON object (`null` when there is none, as Go marshals a nil map).
fn metadata_json(event: &Event) -> Value {
    if event.metadata.is_empty() {
        Value::Null
    } else {
        json!(event.metadata)
    }
}

struct Opsgenie {
    http: Http,
    url: String,
    api_key: String,
}

impl Opsgenie {
    fn new(config: &ProviderConfig) -> Result<Opsgenie, ConfigError> {
        let http = Http::new(config)?;
        let url = parse_address(config, "the Opsgenie alerts API URL")?;
        if config.token.is_empty() {
            return Err(ConfigError(format!(
                "{}: Secret key token is empty; put the Opsgenie API key in the token key of spec.secretRef",
                http.label()
            )));
        }
        Ok(Opsgenie {
            http,
            url: url.to_string(),
            api_key: config.token.clone(),
        })
    }
}

/// Flux's Opsgenie alert.
fn opsgenie_payload(event: &Event) -> Value {
    let mut details: Map<String, Value> = event
        .metadata
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    details.insert("severity".into(), Value::String(event.severity.clone()));
    json!({
        "message": format!("{}/{}", event.involved_object.kind, event.involved_object.name),
        "description": event.message,
        "details": details,
    })
}

impl Notifier for Opsgenie {
    fn post<'a>(&'a self, event: &'a Event) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            let request = self
                .http
                .request(Method::POST, &self.url)
                .header("Authorization", format!("GenieKey {}", self.api_key))
                .json(&opsgenie_payload(event));
            self.http
                .send(request, "posting the alert", &self.url)
                .await
                .map(drop)
        })
    }
}

struct PagerDuty {
    http: Http,
    endpoint: String,
    routing_key: String,
}

impl PagerDuty {
    fn new(config: &ProviderConfig) -> Result<PagerDuty, ConfigError> {
        let http = Http::new(config)?;
        let address = match config.address.trim() {
            "" => PAGERDUTY_DEFAULT,
            address => address,
        };
        let url = parse_url(config, address)?;
        if config.channel.is_empty() {
            return Err(ConfigError(format!(
                "{}: spec.channel is empty; set it to the PagerDuty integration's routing key",
                http.label()
            )));
        }
        Ok(PagerDuty {
            http,
            endpoint: origin(url.as_str()),
            routing_key: config.channel.clone(),
        })
    }
}

/// Flux's PagerDuty V2 event: `resolve` (no payload) for info, `trigger` for errors.
fn pagerduty_event(event: &Event, routing_key: &str) -> Value {
    let (name, description) = name_and_description(event);
    let mut body = json!({
        "routing_key": routing_key,
        "event_action": "resolve",
    });
    if !event.involved_object.uid.is_empty() {
        body["dedup_key"] = json!(event.involved_object.uid);
    }
    if event.severity == SEVERITY_ERROR {
        body["event_action"] = json!("trigger");
        body["payload"] = json!({
            "summary": format!("{description}: {name}"),
            "source": format!("Flux {}", event.reporting_controller),
            "severity": "error",
            "timestamp": rfc3339(event_time(event)),
            "component": event.involved_object.name,
            "group": event.involved_object.kind,
            "custom_details": {
                "message": event.message,
                "metadata": metadata_json(event),
            },
        });
        strip_empty(&mut body["payload"], &["component", "group"]);
    }
    body
}

/// Flux's PagerDuty change event, sent for info events.
fn pagerduty_change_event(event: &Event, routing_key: &str) -> Value {
    let (name, description) = name_and_description(event);
    json!({
        "routing_key": routing_key,
        "payload": {
            "summary": format!("{description}: {name}"),
            "source": format!("Flux {}", event.reporting_controller),
            "timestamp": rfc3339(event_time(event)),
            "custom_details": {
                "message": event.message,
                "metadata": metadata_json(event),
            },
        },
    })
}

/// Drops the `omitempty` fields that are empty strings.
fn strip_empty(object: &mut Value, keys: &[&str]) {
    if let Some(map) = object.as_object_mut() {
        for key in keys {
            if map.get(*key).is_some_and(|v| v.as_str() == Some("")) {
                map.remove(*key);
            }
        }
    }
}

impl Notifier for PagerDuty {
    fn post<'a>(&'a self, event: &'a Event) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            // Success or failure only, and not the events meant for commit statuses.
            if event.reason == PROGRESSING_REASON
                || event.metadata.get("commit_status").map(String::as_str) == Some("update")
            {
                return Ok(());
            }
            let url = format!("{}/v2/enqueue", self.endpoint);
            let request = self
                .http
                .request(Method::POST, &url)
                .json(&pagerduty_event(event, &self.routing_key));
            self.http.send(request, "sending the event", &url).await?;
            if event.severity == SEVERITY_INFO {
                let url = format!("{}/v2/change/enqueue", self.endpoint);
                let request = self
                    .http
                    .request(Method::POST, &url)
                    .json(&pagerduty_change_event(event, &self.routing_key));
                self.http
                    .send(request, "sending the change event", &url)
                    .await?;
            }
            Ok(())
        })
    }
}

struct Alertmanager {
    http: Http,
    url: String,
    auth: Auth,
}

impl Alertmanager {
    fn new(config: &ProviderConfig) -> Result<Alertmanager, ConfigError> {
        let http = Http::new(config)?;
        let url = parse_address(config, "the Alertmanager alerts API URL")?;
        // Flux sets the bearer token, then basic auth over it when both are given.
        let auth = if !config.username.is_empty() && !config.password.is_empty() {
            Auth::Basic(config.username.clone(), config.password.clone())
        } else if !config.token.is_empty() {
            Auth::Bearer(config.token.clone())
        } else {
            Auth::None
        };
        Ok(Alertmanager {
            http,
            url: url.to_string(),
            auth,
        })
    }
}

/// `cases.Title(language.Und)`: each word's first letter upper-cased, the rest lower-cased
/// (`ReconciliationSucceeded` → `Reconciliationsucceeded`).
fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_word = false;
    for c in s.chars() {
        if c.is_alphanumeric() || (in_word && (c == '\'' || c == '’')) {
            if in_word {
                out.extend(c.to_lowercase());
            } else {
                out.extend(c.to_uppercase());
            }
            in_word = true;
        } else {
            out.push(c);
            in_word = false;
        }
    }
    out
}

/// Flux's Alertmanager payload: one firing alert.
fn alertmanager_payload(event: &Event) -> Value {
    let mut annotations = Map::new();
    annotations.insert("message".into(), json!(event.message));
    let mut labels: Map<String, Value> = Map::new();
    for (k, v) in &event.metadata {
        if k == "summary" {
            annotations.insert("summary".into(), json!(v));
        } else {
            labels.insert(k.clone(), json!(v));
        }
    }
    let object = &event.involved_object;
    labels.insert(
        "alertname".into(),
        json!(format!("Flux{}{}", object.kind, title_case(&event.reason))),
    );
    labels.insert("severity".into(), json!(event.severity));
    labels.insert("reason".into(), json!(event.reason));
    labels.insert("kind".into(), json!(object.kind));
    labels.insert("name".into(), json!(object.name));
    labels.insert("namespace".into(), json!(object.namespace));
    labels.insert(
        "reportingcontroller".into(),
        json!(event.reporting_controller),
    );
    json!([{
        "status": "firing",
        "labels": labels,
        "annotations": annotations,
        "startsAt": rfc3339(event_time(event)),
        "endsAt": GO_ZERO_TIME,
    }])
}

impl Notifier for Alertmanager {
    fn post<'a>(&'a self, event: &'a Event) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            let request = self
                .auth
                .apply(self.http.request(Method::POST, &self.url))
                .json(&alertmanager_payload(event));
            self.http
                .send(request, "posting the alert", &self.url)
                .await
                .map(drop)
        })
    }
}

struct Grafana {
    http: Http,
    url: String,
    auth: Auth,
}

impl Grafana {
    fn new(config: &ProviderConfig) -> Result<Grafana, ConfigError> {
        let http = Http::new(config)?;
        let url = parse_address(config, "the Grafana annotations API URL")?;
        let auth = if !config.token.is_empty() {
            Auth::Bearer(config.token.clone())
        } else if !config.username.is_empty() && !config.password.is_empty() {
            Auth::Basic(config.username.clone(), config.password.clone())
        } else {
            Auth::None
        };
        Ok(Grafana {
            http,
            url: url.to_string(),
            auth,
        })
    }
}

/// Flux's Grafana annotation: `when` in Unix seconds (as Flux sends it, although Grafana
/// documents milliseconds), the tags `flux`, the controller, each metadata `key: value`
/// (`:` inside them replaced by `|`) and the object.
fn grafana_payload(event: &Event) -> Value {
    let object = &event.involved_object;
    let mut tags = vec!["flux".to_string(), event.reporting_controller.clone()];
    for (k, v) in &event.metadata {
        tags.push(format!("{}: {}", k.replace(':', "|"), v.replace(':', "|")));
    }
    tags.push(format!("kind: {}", object.kind));
    tags.push(format!("name: {}", object.name));
    tags.push(format!("namespace: {}", object.namespace));
    json!({
        "when": event_time(event).as_second(),
        "text": format!("{}/{}.{}", object.kind.to_lowercase(), object.name, object.namespace),
        "tags": tags,
    })
}

impl Notifier for Grafana {
    fn post<'a>(&'a self, event: &'a Event) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            let request = self
                .auth
                .apply(self.http.request(Method::POST, &self.url))
                .json(&grafana_payload(event));
            self.http
                .send(request, "posting the annotation", &self.url)
                .await
                .map(drop)
        })
    }
}

/// The event's time, truncated to the second; now when the timestamp does not parse.
fn event_time(event: &Event) -> Timestamp {
    let ts = event
        .timestamp
        .parse::<Timestamp>()
        .unwrap_or_else(|_| Timestamp::now());
    Timestamp::from_second(ts.as_second()).unwrap_or(ts)
}

/// RFC 3339 in UTC, whole seconds (Go's `time.RFC3339` of a UTC time).
fn rfc3339(ts: Timestamp) -> String {
    ts.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_cases_like_go_cases_title() {
        assert_eq!(
            title_case("ReconciliationSucceeded"),
            "Reconciliationsucceeded"
        );
        assert_eq!(title_case("health check failed"), "Health Check Failed");
        assert_eq!(title_case(""), "");
    }
}
