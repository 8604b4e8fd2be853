//! `telegram`: the Bot API's `sendMessage` with `chat_id` = `spec.channel` (`<chat>:<topic>`
//! also sets `message_thread_id`) and the text in MarkdownV2, escaped as Flux escapes it.
//! The bot token is part of the URL path (`/bot<token>/sendMessage`), so the URL is never
//! printed.

use std::fmt::Write;

use serde::Serialize;

use super::super::http::{go_json, parse_url};
use super::{Chat, require_channel, require_token};
use crate::controllers::notification::providers::{ConfigError, Event, Notifier, ProviderConfig};

/// The Bot API, used when spec.address is empty.
const TELEGRAM_API: &str = "https://api.telegram.org";

pub(super) fn new(config: &ProviderConfig) -> Result<Box<dyn Notifier>, ConfigError> {
    require_channel(config, "the chat ID (or @channelusername) to send to")?;
    require_token(config, "the bot token")?;
    let base = match config.address.trim() {
        "" => TELEGRAM_API,
        address => address,
    };
    let url = parse_url(
        config,
        &format!(
            "{}/bot{}/sendMessage",
            base.trim_end_matches('/'),
            config.token
        ),
    )?;
    let (chat_id, thread) = match config.channel.split_once(':') {
        Some((chat, thread)) => (chat.to_string(), thread.to_string()),
        None => (config.channel.clone(), String::new()),
    };
    Chat::post_to(config, url, None, move |event: &Event| {
        go_json(&Payload {
            chat_id: &chat_id,
            message_thread_id: &thread,
            text: &text(event),
            parse_mode: "MarkdownV2",
        })
    })
}

#[derive(Serialize)]
struct Payload<'a> {
    chat_id: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    message_thread_id: &'a str,
    text: &'a str,
    parse_mode: &'a str,
}

/// `*💫 kustomization/webapp/apps*` (🚨 for errors; Flux separates the namespace with a
/// slash here), the message, then `\- *key*: value` per metadata entry.
fn text(event: &Event) -> String {
    let object = &event.involved_object;
    let emoji = if event.is_error() { "🚨" } else { "💫" };
    let heading = format!(
        "{emoji} {}/{}/{}",
        object.kind.to_lowercase(),
        object.name,
        object.namespace
    );
    let mut metadata = String::new();
    for (key, value) in &event.metadata {
        let _ = writeln!(metadata, "\\- *{}*: {}", escape(key), escape(value));
    }
    format!(
        "*{}*\n{}\n{metadata}",
        escape(&heading),
        escape(&event.message)
    )
}

/// MarkdownV2 escaping: a backslash before each character the Bot API reserves.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.-_[]()~>`#+=|{}!*".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
