//! Flagger's alerts (`spec.analysis.alerts`): a message about a Canary goes to every alert
//! whose severity admits it, through the chat service of the alert's AlertProvider, with the
//! payload Flagger's notifiers post (`pkg/controller/events.go`, `pkg/notifier/*.go`).
//!
//! - Severity: an alert at `info` gets every message, at `warn` the warnings and errors, at
//!   `error` the errors only. An alert without a severity is at `info`, the default Flagger
//!   documents.
//! - The AlertProvider is in `providerRef.namespace`, else in the Canary's namespace. Its
//!   address is `spec.address`, or the `address` key of the Secret of `spec.secretRef` (in
//!   the AlertProvider's namespace), which must then have one; a Slack provider's Secret may
//!   add a bot `token`, sent as `Authorization: Bearer`. The proxy is `spec.proxy`.
//! - `channel` defaults to `general` and `username` to `flagger`.
//! - slack, discord and rocket post Slack attachments (`icon_emoji: ":rocket:"`, the Canary
//!   as `name.namespace`, the fields in order), discord to the webhook's Slack-compatible
//!   `/slack` endpoint; msteams posts a MessageCard, gchat a card titled `Flagger`.
//! - A post has Flagger's 5 s to get an answer; an answer outside 2xx is a failure.
//!
//! Failures are logged, never returned: an alert is not worth halting an analysis for. The
//! HTTP client, its error messages and their redaction are the notification controller's
//! ([`Http`]): an address (a secret webhook URL) shows at most as `scheme://host`.

use std::time::Duration;

use futures::future::join_all;
use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;
use kube::api::Api;
use reqwest::{Method, Url};
use serde::Serialize;

use crate::api::flagger::{
    AlertProvider, AlertProviderType, AlertSeverity, Canary, CanaryAlert, CanaryAnalysis,
};
use crate::controllers::notification::providers::ProviderConfig;
use crate::controllers::notification::providers::chat::slack::{
    SlackAttachment, SlackField, SlackPayload,
};
use crate::controllers::notification::providers::chat::teams::{
    MessageCard, MessageCardFact, MessageCardSection,
};
use crate::controllers::notification::providers::http::{Http, go_json, parse_address};

/// How long a post may take (Flagger's `postMessage`).
const TIMEOUT: Duration = Duration::from_secs(5);
/// Flagger's `channel` when the AlertProvider sets none.
const DEFAULT_CHANNEL: &str = "general";
/// Flagger's `username` when the AlertProvider sets none.
const DEFAULT_USERNAME: &str = "flagger";
/// Flagger's `progressDeadlineSeconds` when the Canary sets none.
const DEFAULT_PROGRESS_DEADLINE_SECONDS: i32 = 600;

/// How severe a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Severity {
    Info,
    Warn,
    Error,
}

/// Sends `message` about `canary` to every alert of `spec.analysis.alerts` whose severity
/// admits it (Flagger's rules), through its AlertProvider, with `fields` (see [`metadata`])
/// as the message's facts. The alerts are sent concurrently; failures are logged.
pub async fn send(
    client: &kube::Client,
    http: &reqwest::Client,
    canary: &Canary,
    message: &str,
    severity: Severity,
    fields: &[(String, String)],
) {
    let alerts = canary
        .spec
        .analysis
        .as_ref()
        .and_then(|a| a.alerts.as_deref())
        .unwrap_or_default();
    let sends = alerts
        .iter()
        .filter(|alert| admits(alert.severity.unwrap_or_default(), severity))
        .map(|alert| async move {
            let provider = provider_name(canary, alert);
            match send_one(client, http, canary, alert, message, severity, fields).await {
                Ok(()) => tracing::debug!(
                    name = %canary.name_any(),
                    namespace = %canary.namespace().unwrap_or_default(),
                    alert = %alert.name,
                    provider = %provider,
                    "canary alert sent"
                ),
                Err(error) => tracing::warn!(
                    name = %canary.name_any(),
                    namespace = %canary.namespace().unwrap_or_default(),
                    alert = %alert.name,
                    provider = %provider,
                    %error,
                    "canary alert not sent"
                ),
            }
        });
    join_all(sends).await;
}

/// Flagger's `alertMetadata`: the fields of the alerts that describe the rollout (the
/// target, the failed checks threshold, the progress deadline and the traffic routing).
pub fn metadata(canary: &Canary) -> Vec<(String, String)> {
    let namespace = canary.namespace().unwrap_or_default();
    let target = &canary.spec.target_ref;
    let default = CanaryAnalysis::default();
    let analysis = canary.spec.analysis.as_ref().unwrap_or(&default);
    let threshold = analysis.threshold.filter(|t| *t > 0).unwrap_or(1);
    let deadline = canary
        .spec
        .progress_deadline_seconds
        .unwrap_or(DEFAULT_PROGRESS_DEADLINE_SECONDS);
    let mut fields = vec![
        (
            "Target".to_string(),
            format!("{}/{}.{namespace}", target.kind.as_str(), target.name),
        ),
        ("Failed checks threshold".to_string(), threshold.to_string()),
        ("Progress deadline".to_string(), format!("{deadline}s")),
    ];
    let max = analysis.max_weight.unwrap_or(0);
    let steps = analysis.step_weights.as_deref().unwrap_or_default();
    let routing = match analysis.step_weight.unwrap_or(0) {
        step if step > 0 => Some(format!("Weight step: {step} max: {max}")),
        _ if !steps.is_empty() => {
            let steps: Vec<String> = steps.iter().map(i32::to_string).collect();
            Some(format!("Weight steps: {} max: {max}", steps.join(",")))
        }
        _ if analysis.r#match.as_ref().is_some_and(|m| !m.is_empty()) => {
            Some("A/B Testing".to_string())
        }
        _ if analysis.iterations.unwrap_or(0) > 0 => Some("Blue/Green".to_string()),
        _ => None,
    };
    fields.extend(routing.map(|r| ("Traffic routing".to_string(), r)));
    fields
}

/// Whether an alert at `alert` gets a message at `message` (Flagger's `shouldAlert`).
fn admits(alert: AlertSeverity, message: Severity) -> bool {
    match alert {
        AlertSeverity::Unset | AlertSeverity::Info => true,
        AlertSeverity::Warn => matches!(message, Severity::Warn | Severity::Error),
        AlertSeverity::Error => message == Severity::Error,
    }
}

/// The namespace of an alert's AlertProvider.
fn provider_namespace<'a>(canary: &'a Canary, alert: &'a CanaryAlert) -> &'a str {
    alert
        .provider_ref
        .namespace
        .as_deref()
        .filter(|n| !n.is_empty())
        .or(canary.metadata.namespace.as_deref())
        .unwrap_or_default()
}

/// `namespace/name` of an alert's AlertProvider.
fn provider_name(canary: &Canary, alert: &CanaryAlert) -> String {
    format!(
        "{}/{}",
        provider_namespace(canary, alert),
        alert.provider_ref.name
    )
}

/// Resolves the alert's AlertProvider and posts the message through it.
async fn send_one(
    client: &kube::Client,
    http: &reqwest::Client,
    canary: &Canary,
    alert: &CanaryAlert,
    message: &str,
    severity: Severity,
    fields: &[(String, String)],
) -> Result<(), String> {
    let destination = resolve(client, provider_namespace(canary, alert), alert).await?;
    let workload = format!(
        "{}.{}",
        canary.name_any(),
        canary.namespace().unwrap_or_default()
    );
    let message = Message {
        workload: &workload,
        text: message,
        severity,
        fields,
    };
    post(http, &destination, &message).await
}

/// An AlertProvider as Flagger's notifier factory gets it.
struct Destination {
    kind: AlertProviderType,
    /// The AlertProvider's `namespace/name`, for messages.
    name: String,
    /// The webhook address (secret: never shown beyond its origin).
    address: String,
    /// The Secret's `token` (Slack bot tokens), or empty.
    token: String,
    proxy: Option<String>,
    channel: String,
    username: String,
}

async fn resolve(
    client: &kube::Client,
    namespace: &str,
    alert: &CanaryAlert,
) -> Result<Destination, String> {
    let name = &alert.provider_ref.name;
    let label = format!("AlertProvider {namespace}/{name}");
    let provider = Api::<AlertProvider>::namespaced(client.clone(), namespace)
        .get_opt(name)
        .await
        .map_err(|e| format!("reading {label}: {e}"))?
        .ok_or_else(|| format!("{label} not found"))?;
    let spec = provider.spec;
    let mut address = spec.address.unwrap_or_default();
    let mut token = String::new();
    if let Some(secret_ref) = &spec.secret_ref {
        let secret = Api::<Secret>::namespaced(client.clone(), namespace)
            .get_opt(&secret_ref.name)
            .await
            .map_err(|e| format!("{label}: reading Secret {}: {e}", secret_ref.name))?
            .ok_or_else(|| {
                format!(
                    "{label}: spec.secretRef: Secret {namespace}/{} not found",
                    secret_ref.name
                )
            })?;
        let data = secret.data.unwrap_or_default();
        let text = |key: &str| {
            data.get(key)
                .map(|v| String::from_utf8_lossy(&v.0).into_owned())
        };
        address = text("address").ok_or_else(|| {
            format!(
                "{label}: the Secret {} of spec.secretRef has no `address` key",
                secret_ref.name
            )
        })?;
        token = text("token").unwrap_or_default().trim().to_string();
    }
    let or = |value: Option<String>, default: &str| {
        value
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| default.to_string())
    };
    Ok(Destination {
        kind: spec.r#type,
        name: format!("{namespace}/{name}"),
        address,
        token,
        proxy: spec.proxy.filter(|p| !p.trim().is_empty()),
        channel: or(spec.channel, DEFAULT_CHANNEL),
        username: or(spec.username, DEFAULT_USERNAME),
    })
}

/// What an alert says.
struct Message<'a> {
    /// `name.namespace` of the Canary.
    workload: &'a str,
    text: &'a str,
    severity: Severity,
    fields: &'a [(String, String)],
}

/// Posts `message` to `destination`: with the caller's client, or with one of its own when
/// the AlertProvider sets a proxy.
async fn post(
    http: &reqwest::Client,
    destination: &Destination,
    message: &Message<'_>,
) -> Result<(), String> {
    let config = ProviderConfig {
        provider_type: type_name(destination.kind).to_string(),
        name: destination.name.clone(),
        address: destination.address.clone(),
        token: destination.token.clone(),
        proxy: destination.proxy.clone(),
        timeout: TIMEOUT,
        ..Default::default()
    };
    let url = parse_address(&config, "the chat service's incoming webhook URL")
        .map_err(|e| e.to_string())?;
    let url = match destination.kind {
        AlertProviderType::Discord => discord_url(url),
        _ => url,
    };
    let client = match destination.proxy {
        Some(_) => Http::new(&config),
        None => Http::with_client(http.clone(), &config),
    }
    .map_err(|e| e.to_string())?;
    let auth: Vec<(&str, String)> = match destination.kind {
        AlertProviderType::Slack if !destination.token.is_empty() => {
            vec![("Authorization", format!("Bearer {}", destination.token))]
        }
        _ => Vec::new(),
    };
    let body = payload(destination, message);
    let request = client
        .json_request(Method::POST, url.as_str(), body, &auth, &[])
        .map_err(|e| e.to_string())?
        .timeout(TIMEOUT);
    client
        .send(request, "posting the alert", url.as_str())
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

/// `spec.type` as the CRD spells it.
fn type_name(kind: AlertProviderType) -> &'static str {
    match kind {
        AlertProviderType::Slack => "slack",
        AlertProviderType::Msteams => "msteams",
        AlertProviderType::Discord => "discord",
        AlertProviderType::Rocket => "rocket",
        AlertProviderType::Gchat => "gchat",
    }
}

/// Discord's Slack-compatible endpoint: `slack` joined to the webhook's path unless the
/// address already ends with `/slack` (Flagger's `NewDiscord`).
fn discord_url(mut url: Url) -> Url {
    if !url.as_str().ends_with("/slack") {
        let path = format!("{}/slack", url.path().trim_end_matches('/'));
        url.set_path(&path);
    }
    url
}

/// The JSON body of `message` for the destination's service, as Go's `json.Marshal` writes
/// Flagger's payload types.
fn payload(destination: &Destination, message: &Message<'_>) -> Vec<u8> {
    let error = message.severity == Severity::Error;
    match destination.kind {
        AlertProviderType::Slack | AlertProviderType::Discord | AlertProviderType::Rocket => {
            let color = match (destination.kind, error) {
                (AlertProviderType::Rocket, true) => "#FF0000",
                (AlertProviderType::Rocket, false) => "#0076D7",
                (_, true) => "danger",
                (_, false) => "good",
            };
            // Flagger's `SlackPayload` (its empty `text` omitted) is Slack's attachment message.
            go_json(&SlackPayload {
                channel: &destination.channel,
                username: &destination.username,
                icon_url: "",
                icon_emoji: ":rocket:",
                attachments: [SlackAttachment {
                    color,
                    author_name: message.workload,
                    text: message.text,
                    mrkdwn_in: ["text"],
                    fields: message
                        .fields
                        .iter()
                        .map(|(title, value)| SlackField {
                            title,
                            value,
                            short: false,
                        })
                        .collect(),
                }],
            })
        }
        // Flagger's `MSTeamsPayload` is a legacy MessageCard.
        AlertProviderType::Msteams => go_json(&MessageCard {
            kind: "MessageCard",
            context: "http://schema.org/extensions",
            theme_color: if error { "FF0000" } else { "0076D7" },
            summary: message.workload,
            sections: [MessageCardSection {
                activity_title: message.text,
                activity_subtitle: message.workload,
                facts: message
                    .fields
                    .iter()
                    .map(|(name, value)| MessageCardFact { name, value })
                    .collect(),
            }],
        }),
        AlertProviderType::Gchat => {
            let paragraph = |text: String| GChatSection {
                widgets: [GChatWidget {
                    text_paragraph: GChatText { text },
                }],
            };
            let sections = std::iter::once(paragraph(format!(
                "<font color=#848484><strong>{}</strong></font>",
                message.text
            )))
            .chain(message.fields.iter().map(|(name, value)| {
                paragraph(format!(
                    "{name}<br><font color=#848484><strong>{value}</strong></font>"
                ))
            }))
            .collect();
            go_json(&GChatPayload {
                cards: [GChatCard {
                    header: GChatHeader {
                        title: "Flagger",
                        subtitle: message.workload,
                        image_url: "https://flagger.app/favicon.png",
                    },
                    sections,
                }],
            })
        }
    }
}

/// Flagger's `GChatPayload`: a (v1) card with one text paragraph per section.
#[derive(Serialize)]
struct GChatPayload<'a> {
    cards: [GChatCard<'a>; 1],
}

#[derive(Serialize)]
struct GChatCard<'a> {
    header: GChatHeader<'a>,
    sections: Vec<GChatSection>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GChatHeader<'a> {
    title: &'a str,
    subtitle: &'a str,
    image_url: &'a str,
}

#[derive(Serialize)]
struct GChatSection {
    widgets: [GChatWidget; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GChatWidget {
    text_paragraph: GChatText,
}

#[derive(Serialize)]
struct GChatText {
    text: String,
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::{Arc, Mutex};

    use serde_json::{Value, json};

    use super::*;
    use crate::api::flagger::CrossNamespaceRef;

    fn fields() -> Vec<(String, String)> {
        vec![
            ("name1".to_string(), "value1".to_string()),
            ("name2".to_string(), "value2".to_string()),
        ]
    }

    fn destination(kind: AlertProviderType) -> Destination {
        Destination {
            kind,
            name: "flagger/on-call".into(),
            address: "https://hooks.example.com/services/T0/B0/s3cr3t".into(),
            token: String::new(),
            proxy: None,
            channel: DEFAULT_CHANNEL.into(),
            username: DEFAULT_USERNAME.into(),
        }
    }

    fn body(kind: AlertProviderType, text: &str, severity: Severity) -> String {
        let fields = fields();
        let message = Message {
            workload: "podinfo.test",
            text,
            severity,
            fields: &fields,
        };
        String::from_utf8(payload(&destination(kind), &message)).unwrap()
    }

    #[test]
    fn slack_posts_flaggers_attachment_with_the_fields_in_order() {
        let text = body(AlertProviderType::Slack, "test", Severity::Info);
        assert_eq!(
            text,
            r#"{"channel":"general","username":"flagger","icon_url":"","icon_emoji":":rocket:","attachments":[{"color":"good","author_name":"podinfo.test","text":"test","mrkdwn_in":["text"],"fields":[{"title":"name1","value":"value1","short":false},{"title":"name2","value":"value2","short":false}]}]}"#
        );
        // Flagger's TestSlack_Post assertions.
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["attachments"][0]["author_name"], "podinfo.test");
        assert_eq!(v["attachments"][0]["fields"].as_array().unwrap().len(), 2);
        let error = body(AlertProviderType::Slack, "test", Severity::Error);
        assert!(error.contains(r#""color":"danger""#), "{error}");
        let warn = body(AlertProviderType::Slack, "test", Severity::Warn);
        assert!(warn.contains(r#""color":"good""#), "{warn}");
    }

    #[test]
    fn discord_and_rocket_post_slack_attachments_with_their_colours() {
        let discord: Value =
            serde_json::from_str(&body(AlertProviderType::Discord, "test", Severity::Error))
                .unwrap();
        assert_eq!(discord["channel"], "general");
        assert_eq!(discord["username"], "flagger");
        assert_eq!(discord["attachments"][0]["color"], "danger");
        assert_eq!(discord["attachments"][0]["author_name"], "podinfo.test");
        let rocket = |severity| -> Value {
            serde_json::from_str(&body(AlertProviderType::Rocket, "test", severity)).unwrap()
        };
        assert_eq!(
            rocket(Severity::Error)["attachments"][0]["color"],
            "#FF0000"
        );
        assert_eq!(rocket(Severity::Info)["attachments"][0]["color"], "#0076D7");
        assert_eq!(
            rocket(Severity::Info)["attachments"][0]["fields"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn discord_posts_to_the_slack_compatible_endpoint() {
        let url = |s: &str| discord_url(Url::parse(s).unwrap()).to_string();
        assert_eq!(
            url("https://discord.com/api/webhooks/1/abc"),
            "https://discord.com/api/webhooks/1/abc/slack"
        );
        assert_eq!(
            url("https://discord.com/api/webhooks/1/abc/"),
            "https://discord.com/api/webhooks/1/abc/slack"
        );
        assert_eq!(
            url("https://discord.com/api/webhooks/1/abc/slack"),
            "https://discord.com/api/webhooks/1/abc/slack"
        );
    }

    #[test]
    fn msteams_posts_flaggers_message_card() {
        let text = body(AlertProviderType::Msteams, "test", Severity::Info);
        assert_eq!(
            text,
            r#"{"@type":"MessageCard","@context":"http://schema.org/extensions","themeColor":"0076D7","summary":"podinfo.test","sections":[{"activityTitle":"test","activitySubtitle":"podinfo.test","facts":[{"name":"name1","value":"value1"},{"name":"name2","value":"value2"}]}]}"#
        );
        // Flagger's TestTeams_Post assertions.
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["sections"][0]["activitySubtitle"], "podinfo.test");
        assert_eq!(v["sections"][0]["facts"].as_array().unwrap().len(), 2);
        let error = body(AlertProviderType::Msteams, "test", Severity::Error);
        assert!(error.contains(r#""themeColor":"FF0000""#), "{error}");
    }

    #[test]
    fn gchat_posts_flaggers_card_html_escaped_as_go_does() {
        let text = body(AlertProviderType::Gchat, "test", Severity::Info);
        assert_eq!(
            text,
            r#"{"cards":[{"header":{"title":"Flagger","subtitle":"podinfo.test","imageUrl":"https://flagger.app/favicon.png"},"sections":[{"widgets":[{"textParagraph":{"text":"\u003cfont color=#848484\u003e\u003cstrong\u003etest\u003c/strong\u003e\u003c/font\u003e"}}]},{"widgets":[{"textParagraph":{"text":"name1\u003cbr\u003e\u003cfont color=#848484\u003e\u003cstrong\u003evalue1\u003c/strong\u003e\u003c/font\u003e"}}]},{"widgets":[{"textParagraph":{"text":"name2\u003cbr\u003e\u003cfont color=#848484\u003e\u003cstrong\u003evalue2\u003c/strong\u003e\u003c/font\u003e"}}]}]}]}"#
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["cards"][0]["header"]["subtitle"], "podinfo.test");
    }

    #[test]
    fn severities_admit_flaggers_levels() {
        use AlertSeverity as A;
        use Severity as S;
        let cases = [
            (A::Info, [true, true, true]),
            (A::Unset, [true, true, true]),
            (A::Warn, [false, true, true]),
            (A::Error, [false, false, true]),
        ];
        for (alert, expected) in cases {
            let got = [S::Info, S::Warn, S::Error].map(|s| admits(alert, s));
            assert_eq!(got, expected, "alert at {alert:?}");
        }
    }

    fn canary(analysis: serde_json::Value) -> Canary {
        serde_json::from_value(json!({
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": { "name": "podinfo", "namespace": "test" },
            "spec": {
                "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo" },
                "analysis": analysis,
            },
        }))
        .unwrap()
    }

    #[test]
    fn metadata_describes_the_rollout_as_flagger_does() {
        let mut c =
            canary(json!({ "interval": "1m", "threshold": 5, "stepWeight": 10, "maxWeight": 50 }));
        c.spec.progress_deadline_seconds = Some(120);
        let expected = |routing: Option<&str>, threshold: &str, deadline: &str| {
            let mut v = vec![
                ("Target".to_string(), "Deployment/podinfo.test".to_string()),
                ("Failed checks threshold".to_string(), threshold.to_string()),
                ("Progress deadline".to_string(), deadline.to_string()),
            ];
            v.extend(routing.map(|r| ("Traffic routing".to_string(), r.to_string())));
            v
        };
        assert_eq!(
            metadata(&c),
            expected(Some("Weight step: 10 max: 50"), "5", "120s")
        );
        let c = canary(json!({ "interval": "1m", "stepWeights": [1, 2, 3] }));
        assert_eq!(
            metadata(&c),
            expected(Some("Weight steps: 1,2,3 max: 0"), "1", "600s")
        );
        let c = canary(
            json!({ "iterations": 10, "match": [{ "headers": { "x": { "exact": "y" } } }] }),
        );
        assert_eq!(metadata(&c), expected(Some("A/B Testing"), "1", "600s"));
        let c = canary(json!({ "iterations": 10 }));
        assert_eq!(metadata(&c), expected(Some("Blue/Green"), "1", "600s"));
        let c = canary(json!({}));
        assert_eq!(metadata(&c), expected(None, "1", "600s"));
    }

    /// One request the fake server got.
    #[derive(Clone, Debug)]
    struct Seen {
        method: String,
        path: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    }

    impl Seen {
        fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        }

        fn json(&self) -> Value {
            serde_json::from_slice(&self.body).unwrap()
        }
    }

    type Route = dyn Fn(&str, &str) -> (u16, String) + Send + Sync;

    /// A plain HTTP/1.1 server on a free loopback port playing both the Kubernetes API
    /// (AlertProviders, Secrets) and the chat services: `route(method, path)` answers each
    /// request, one per connection.
    struct Fake {
        port: u16,
        seen: Arc<Mutex<Vec<Seen>>>,
    }

    impl Fake {
        /// `routes(port)` gives the router, for answers that hold the server's own URL.
        fn start<R>(routes: impl FnOnce(u16) -> R) -> Fake
        where
            R: Fn(&str, &str) -> (u16, String) + Send + Sync + 'static,
        {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let port = listener.local_addr().unwrap().port();
            let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
            let route: Arc<Route> = Arc::new(routes(port));
            let recorded = seen.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { return };
                    let (route, recorded) = (route.clone(), recorded.clone());
                    std::thread::spawn(move || Fake::answer(stream, &*route, &recorded));
                }
            });
            Fake { port, seen }
        }

        fn answer(mut stream: TcpStream, route: &Route, seen: &Mutex<Vec<Seen>>) {
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let mut parts = line.split_whitespace();
            let method = parts.next().unwrap_or_default().to_string();
            let path = parts.next().unwrap_or_default();
            let path = path.split('?').next().unwrap_or_default().to_string();
            let mut headers = Vec::new();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 {
                    break;
                }
                let header = header.trim_end();
                if header.is_empty() {
                    break;
                }
                if let Some((k, v)) = header.split_once(':') {
                    headers.push((k.trim().to_string(), v.trim().to_string()));
                }
            }
            let length = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let (status, text) = route(&method, &path);
            seen.lock().unwrap().push(Seen {
                method,
                path,
                headers,
                body,
            });
            let _ = write!(
                stream,
                "HTTP/1.1 {status} Fake\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }

        fn url(&self, path: &str) -> String {
            format!("http://127.0.0.1:{}{path}", self.port)
        }

        fn kube(&self) -> kube::Client {
            crate::cli::install_crypto_provider();
            let config = kube::Config::new(self.url("").parse().unwrap());
            kube::Client::try_from(config).unwrap()
        }

        fn posts(&self, path: &str) -> Vec<Seen> {
            self.seen
                .lock()
                .unwrap()
                .iter()
                .filter(|s| s.method == "POST" && s.path == path)
                .cloned()
                .collect()
        }

        fn clear(&self) {
            self.seen.lock().unwrap().clear();
        }
    }

    fn not_found() -> (u16, String) {
        let status = json!({
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "reason": "NotFound", "code": 404, "message": "not found",
        });
        (404, status.to_string())
    }

    /// Slack (through a Secret with an address and a bot token, in the AlertProvider's own
    /// namespace) and MS Teams (spec.address, in the Canary's namespace), as Flagger's docs
    /// configure them.
    fn chat_services(
        port: u16,
        webhook_status: u16,
    ) -> impl Fn(&str, &str) -> (u16, String) + Send + Sync + 'static {
        use base64::Engine;
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let slack_address = format!("http://127.0.0.1:{port}/services/T0/B0/s3cr3t");
        move |method, path| match (method, path) {
            ("GET", "/apis/flagger.app/v1beta1/namespaces/flagger/alertproviders/on-call") => (
                200,
                json!({
                    "apiVersion": "flagger.app/v1beta1", "kind": "AlertProvider",
                    "metadata": { "name": "on-call", "namespace": "flagger" },
                    "spec": { "type": "slack", "channel": "on-call-alerts",
                              "secretRef": { "name": "on-call-url" } },
                })
                .to_string(),
            ),
            ("GET", "/api/v1/namespaces/flagger/secrets/on-call-url") => (
                200,
                json!({
                    "apiVersion": "v1", "kind": "Secret",
                    "metadata": { "name": "on-call-url", "namespace": "flagger" },
                    "data": { "address": b64(&slack_address), "token": b64("xoxb-t0ken") },
                })
                .to_string(),
            ),
            ("GET", "/apis/flagger.app/v1beta1/namespaces/test/alertproviders/dev-msteams") => (
                200,
                json!({
                    "apiVersion": "flagger.app/v1beta1", "kind": "AlertProvider",
                    "metadata": { "name": "dev-msteams", "namespace": "test" },
                    "spec": { "type": "msteams",
                              "address": format!("http://127.0.0.1:{port}/teams/hook") },
                })
                .to_string(),
            ),
            ("POST", "/services/T0/B0/s3cr3t" | "/teams/hook") => {
                (webhook_status, "{\"error\":\"nope\"}".to_string())
            }
            _ => not_found(),
        }
    }

    fn alerting_canary() -> Canary {
        canary(json!({
            "interval": "1m", "threshold": 5, "stepWeight": 10, "maxWeight": 50,
            "alerts": [
                { "name": "on-call Slack", "severity": "error",
                  "providerRef": { "name": "on-call", "namespace": "flagger" } },
                { "name": "dev MS Teams", "severity": "info",
                  "providerRef": { "name": "dev-msteams" } },
            ],
        }))
    }

    #[tokio::test]
    async fn posts_to_slack_and_msteams_through_their_alert_providers() {
        let server = Fake::start(|port| chat_services(port, 200));
        let client = server.kube();
        let http = reqwest::Client::new();
        let canary = alerting_canary();
        let fields = metadata(&canary);

        send(
            &client,
            &http,
            &canary,
            "Failed checks threshold reached 5",
            Severity::Error,
            &fields,
        )
        .await;
        let slack = server.posts("/services/T0/B0/s3cr3t");
        assert_eq!(slack.len(), 1, "one Slack post");
        assert_eq!(slack[0].header("authorization"), Some("Bearer xoxb-t0ken"));
        assert_eq!(slack[0].header("content-type"), Some("application/json"));
        assert_eq!(
            slack[0].json(),
            json!({
                "channel": "on-call-alerts", "username": "flagger", "icon_url": "",
                "icon_emoji": ":rocket:",
                "attachments": [{
                    "color": "danger", "author_name": "podinfo.test",
                    "text": "Failed checks threshold reached 5", "mrkdwn_in": ["text"],
                    "fields": [
                        { "title": "Target", "value": "Deployment/podinfo.test", "short": false },
                        { "title": "Failed checks threshold", "value": "5", "short": false },
                        { "title": "Progress deadline", "value": "600s", "short": false },
                        { "title": "Traffic routing", "value": "Weight step: 10 max: 50",
                          "short": false },
                    ],
                }],
            })
        );
        let teams = server.posts("/teams/hook");
        assert_eq!(teams.len(), 1, "one MS Teams post");
        assert_eq!(teams[0].header("authorization"), None);
        let card = teams[0].json();
        assert_eq!(card["@type"], "MessageCard");
        assert_eq!(card["themeColor"], "FF0000");
        assert_eq!(
            card["sections"][0]["activityTitle"],
            "Failed checks threshold reached 5"
        );
        assert_eq!(card["sections"][0]["facts"][0]["name"], "Target");

        // An info message only reaches the alert at info.
        server.clear();
        send(
            &client,
            &http,
            &canary,
            "New revision detected",
            Severity::Info,
            &[],
        )
        .await;
        assert!(server.posts("/services/T0/B0/s3cr3t").is_empty());
        let teams = server.posts("/teams/hook");
        assert_eq!(teams.len(), 1);
        assert_eq!(teams[0].json()["themeColor"], "0076D7");
        assert_eq!(teams[0].json()["sections"][0]["facts"], json!([]));
    }

    #[tokio::test]
    async fn failures_name_the_provider_and_never_the_address() {
        let server = Fake::start(|port| chat_services(port, 500));
        let client = server.kube();
        let http = reqwest::Client::new();
        let canary = alerting_canary();
        let alerts = canary
            .spec
            .analysis
            .as_ref()
            .unwrap()
            .alerts
            .clone()
            .unwrap();

        let error = send_one(
            &client,
            &http,
            &canary,
            &alerts[0],
            "m",
            Severity::Error,
            &[],
        )
        .await
        .unwrap_err();
        assert!(
            error.starts_with("slack provider flagger/on-call: "),
            "{error}"
        );
        assert!(error.contains("HTTP 500"), "{error}");
        assert!(
            error.contains(&server.url("")),
            "the origin is shown: {error}"
        );
        assert!(
            !error.contains("s3cr3t"),
            "the address is not shown: {error}"
        );
        assert!(
            !error.contains("xoxb-t0ken"),
            "the token is not shown: {error}"
        );

        let missing = CanaryAlert {
            name: "gone".into(),
            severity: None,
            provider_ref: CrossNamespaceRef {
                name: "gone".into(),
                namespace: None,
            },
        };
        let error = send_one(&client, &http, &canary, &missing, "m", Severity::Info, &[])
            .await
            .unwrap_err();
        assert_eq!(error, "AlertProvider test/gone not found");
    }
}
