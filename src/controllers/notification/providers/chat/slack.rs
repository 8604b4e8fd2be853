//! `slack`, `discord` and `rocket`: Slack's attachment payload (Flux's `SlackPayload`).
//!
//! - slack: colour `good`/`danger`, `username` defaulting to the reporting controller,
//!   `channel` when set, `Authorization: Bearer <token>` when the Secret has a token; the
//!   Web API (`.../chat.postMessage`, the default address with a token) answers errors with
//!   200 and `{"ok":false,"error":...}`, which is checked.
//! - discord: the same payload to Discord's Slack-compatible endpoint, `<address>/slack`.
//! - rocket: colour `#0076D7`/`#FF0000`, `channel` and `username` as configured.

use reqwest::{Method, Url};
use serde::{Deserialize, Serialize};

use super::super::http::{Http, go_json, parse_address, parse_url};
use super::{Chat, Outgoing, object_name, require_channel};
use crate::controllers::notification::providers::{
    ConfigError, Event, Notifier, ProviderConfig, SendError,
};

/// Where a Slack bot token posts when no address is set.
const SLACK_POST_MESSAGE: &str = "https://slack.com/api/chat.postMessage";

/// Slack's attachment message, also what Flagger's alerts post to Slack, Discord and Rocket
/// (`crate::controllers::canary`).
#[derive(Serialize)]
pub(crate) struct SlackPayload<'a> {
    pub channel: &'a str,
    pub username: &'a str,
    pub icon_url: &'a str,
    pub icon_emoji: &'a str,
    pub attachments: [SlackAttachment<'a>; 1],
}

#[derive(Serialize)]
pub(crate) struct SlackAttachment<'a> {
    pub color: &'a str,
    pub author_name: &'a str,
    pub text: &'a str,
    pub mrkdwn_in: [&'a str; 1],
    pub fields: Vec<SlackField<'a>>,
}

#[derive(Serialize)]
pub(crate) struct SlackField<'a> {
    pub title: &'a str,
    pub value: &'a str,
    pub short: bool,
}

#[derive(Clone, Copy)]
enum Flavour {
    Slack,
    Discord,
    Rocket,
}

pub(super) fn new(config: &ProviderConfig) -> Result<Box<dyn Notifier>, ConfigError> {
    let flavour = match config.provider_type.as_str() {
        "discord" => Flavour::Discord,
        "rocket" => Flavour::Rocket,
        _ => Flavour::Slack,
    };
    let url = match flavour {
        Flavour::Slack if config.address.trim().is_empty() && !config.token.is_empty() => {
            parse_url(config, SLACK_POST_MESSAGE)?
        }
        Flavour::Slack => parse_address(
            config,
            "the incoming webhook URL, or https://slack.com/api/chat.postMessage with a bot \
             token",
        )?,
        Flavour::Discord => discord_url(parse_address(config, "the Discord webhook URL")?),
        Flavour::Rocket => parse_address(config, "the Rocket.Chat incoming webhook URL")?,
    };
    let web_api = matches!(flavour, Flavour::Slack) && url.path().ends_with("/chat.postMessage");
    if web_api {
        require_channel(config, "the channel to post to when using chat.postMessage")?;
    }
    let http = Http::new(config)?;
    let bearer = match flavour {
        Flavour::Slack if !config.token.is_empty() => Some(config.token.clone()),
        _ => None,
    };
    let (channel, username) = (config.channel.clone(), config.username.clone());
    let build = Box::new(move |event: &Event| Outgoing {
        method: Method::POST,
        url: url.clone(),
        body: payload(flavour, &channel, &username, event),
    });
    let mut chat = Chat {
        http,
        bearer,
        build,
        check: None,
    };
    if web_api {
        chat.check = Some(check_web_api_answer);
    }
    Ok(Box::new(chat))
}

/// Discord's Slack-compatible endpoint: `/slack` appended to the webhook path unless the
/// address already ends with it (Flux's rule).
fn discord_url(mut url: Url) -> Url {
    if !url.as_str().ends_with("/slack") {
        let path = format!("{}/slack", url.path().trim_end_matches('/'));
        url.set_path(&path);
    }
    url
}

fn payload(flavour: Flavour, channel: &str, username: &str, event: &Event) -> Vec<u8> {
    let error = event.is_error();
    let (color, channel, username) = match flavour {
        Flavour::Slack => (
            if error { "danger" } else { "good" },
            channel,
            or_controller(username, event),
        ),
        // Flux's Discord notifier never sets the channel (webhooks are bound to one).
        Flavour::Discord => (
            if error { "danger" } else { "good" },
            "",
            or_controller(username, event),
        ),
        Flavour::Rocket => (if error { "#FF0000" } else { "#0076D7" }, channel, username),
    };
    let fields = event
        .metadata
        .iter()
        .map(|(title, value)| SlackField {
            title,
            value,
            short: false,
        })
        .collect();
    let author = object_name(event);
    go_json(&SlackPayload {
        channel,
        username,
        icon_url: "",
        icon_emoji: "",
        attachments: [SlackAttachment {
            color,
            author_name: &author,
            text: &event.message,
            mrkdwn_in: ["text"],
            fields,
        }],
    })
}

fn or_controller<'a>(username: &'a str, event: &'a Event) -> &'a str {
    if username.is_empty() {
        &event.reporting_controller
    } else {
        username
    }
}

/// Slack's Web API answers 200 with `{"ok": false, "error": "..."}` on failure.
fn check_web_api_answer(http: &Http, answer: &[u8]) -> Result<(), SendError> {
    #[derive(Deserialize)]
    struct Answer {
        #[serde(default)]
        ok: bool,
        #[serde(default)]
        error: String,
    }
    match serde_json::from_slice::<Answer>(answer) {
        Ok(Answer { ok: true, .. }) => Ok(()),
        Ok(Answer { error, .. }) => {
            let error = if error.is_empty() {
                "no error given".to_string()
            } else {
                http.excerpt(error.as_bytes())
            };
            let message = format!("Slack answered ok=false: {error}");
            match error.as_str() {
                "ratelimited"
                | "internal_error"
                | "fatal_error"
                | "service_unavailable"
                | "request_timeout" => Err(http.retryable(message)),
                _ => Err(http.permanent(message)),
            }
        }
        Err(_) => Err(http.permanent(format!(
            "the Slack API answer is not its JSON: {}",
            http.excerpt(answer)
        ))),
    }
}
