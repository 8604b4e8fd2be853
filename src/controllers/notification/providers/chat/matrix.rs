//! `matrix`: PUT `m.room.message` (`{"body", "msgtype": "m.text"}`) to
//! `<homeserver>/_matrix/client/r0/rooms/<spec.channel>/send/m.room.message/<txn id>` with
//! the access token as `Authorization: Bearer`. The transaction ID is the hex SHA-1 of the
//! event JSON, as Flux derives it, so a retried event is not posted twice.

use std::fmt::Write;

use reqwest::Method;
use serde::Serialize;
use sha1::{Digest, Sha1};

use super::super::http::{GoEvent, Http, go_json, hex, parse_address};
use super::{Chat, Outgoing, object_name, require_channel, require_token};
use crate::controllers::notification::providers::{ConfigError, Event, Notifier, ProviderConfig};

pub(super) fn new(config: &ProviderConfig) -> Result<Box<dyn Notifier>, ConfigError> {
    let homeserver = parse_address(config, "the homeserver URL (https://matrix.org)")?;
    require_channel(config, "the room ID (!room:server) to post to")?;
    require_token(config, "the access token of the posting user")?;
    let http = Http::new(config)?;
    let room = encode_segment(config.channel.trim());
    Ok(Chat::boxed(
        http,
        Some(config.token.clone()),
        Box::new(move |event: &Event| {
            let txn = hex(&Sha1::digest(go_json(&GoEvent::from(event))));
            let mut url = homeserver.clone();
            let path = format!(
                "{}/_matrix/client/r0/rooms/{room}/send/m.room.message/{txn}",
                homeserver.path().trim_end_matches('/')
            );
            url.set_path(&path);
            Outgoing {
                method: Method::PUT,
                url,
                body: go_json(&Payload {
                    body: &body(event),
                    msgtype: "m.text",
                }),
            }
        }),
    ))
}

#[derive(Serialize)]
struct Payload<'a> {
    body: &'a str,
    msgtype: &'a str,
}

/// `💫 kustomization/webapp.apps` (🚨 for errors), the message, then `- key: value` per
/// metadata entry.
fn body(event: &Event) -> String {
    let emoji = if event.is_error() { "🚨" } else { "💫" };
    let mut metadata = String::new();
    for (key, value) in &event.metadata {
        let _ = writeln!(metadata, "- {key}: {value}");
    }
    format!(
        "{emoji} {}\n{}\n{metadata}",
        object_name(event),
        event.message
    )
}

/// A room ID as one path segment: `!` and `:` stay (as Flux sends them), characters that
/// would end or split the segment are percent-encoded.
fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => out.push(b as char),
            b'-' | b'.' | b'_' | b'~' | b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+'
            | b',' | b';' | b'=' | b':' | b'@' => out.push(b as char),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_ids_keep_their_sigils() {
        assert_eq!(encode_segment("!abc:matrix.org"), "!abc:matrix.org");
        assert_eq!(encode_segment("a/b?c#d e"), "a%2Fb%3Fc%23d%20e");
    }
}
