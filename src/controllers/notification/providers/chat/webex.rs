//! `webex`: `{"roomId": <spec.channel>, "markdown": ...}` to the messages API
//! (`https://webexapis.com/v1/messages`) with the bot token as `Authorization: Bearer`.

use std::fmt::Write;

use serde::Serialize;

use super::super::http::{go_json, parse_address};
use super::{Chat, object_name, require_channel, require_token};
use crate::controllers::notification::providers::{ConfigError, Event, Notifier, ProviderConfig};

pub(super) fn new(config: &ProviderConfig) -> Result<Box<dyn Notifier>, ConfigError> {
    let url = parse_address(
        config,
        "the messages API URL (https://webexapis.com/v1/messages)",
    )?;
    require_channel(config, "the room ID of the Webex space")?;
    require_token(config, "the bot access token")?;
    let room = config.channel.clone();
    Chat::post_to(
        config,
        url,
        Some(config.token.clone()),
        move |event: &Event| {
            go_json(&Payload {
                room_id: &room,
                markdown: &markdown(event),
            })
        },
    )
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Payload<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    room_id: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    markdown: &'a str,
}

/// `✅ **kustomization/webapp.apps**` (💣 for errors), the message, then `>**key**: value`
/// per metadata entry, each line ended by a newline.
fn markdown(event: &Event) -> String {
    let emoji = if event.is_error() { "💣" } else { "✅" };
    let mut text = format!("{emoji} **{}**\n{}\n", object_name(event), event.message);
    for (key, value) in &event.metadata {
        let _ = writeln!(text, ">**{key}**: {value}");
    }
    text
}
