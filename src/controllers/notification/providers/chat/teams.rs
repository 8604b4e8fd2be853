//! `msteams`: an Adaptive Card 1.4 (Power Automate workflow URLs, Flux's default), or the
//! legacy MessageCard for Office 365 connector URLs (`*.webhook.office.com`), as Flux
//! decides by the host.

use serde::Serialize;

use super::super::http::{go_json, parse_address};
use super::{Chat, object_name};
use crate::controllers::notification::providers::{ConfigError, Event, Notifier, ProviderConfig};

/// The highest Adaptive Card version Teams renders.
const ADAPTIVE_CARD_VERSION: &str = "1.4";

pub(super) fn new(config: &ProviderConfig) -> Result<Box<dyn Notifier>, ConfigError> {
    let url = parse_address(
        config,
        "the workflow (Power Automate) URL, or a legacy incoming webhook URL",
    )?;
    let connector = url
        .host_str()
        .is_some_and(|host| host.ends_with(".webhook.office.com"));
    Chat::post_to(config, url, None, move |event: &Event| {
        if connector {
            message_card(event)
        } else {
            adaptive_card(event)
        }
    })
}

/// A legacy Office 365 connector MessageCard, also what Flagger's alerts post to Teams
/// (`crate::controllers::canary`).
#[derive(Serialize)]
pub(crate) struct MessageCard<'a> {
    #[serde(rename = "@type")]
    pub kind: &'a str,
    #[serde(rename = "@context")]
    pub context: &'a str,
    #[serde(rename = "themeColor")]
    pub theme_color: &'a str,
    pub summary: &'a str,
    pub sections: [MessageCardSection<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MessageCardSection<'a> {
    pub activity_title: &'a str,
    pub activity_subtitle: &'a str,
    pub facts: Vec<MessageCardFact<'a>>,
}

#[derive(Serialize)]
pub(crate) struct MessageCardFact<'a> {
    pub name: &'a str,
    pub value: &'a str,
}

fn message_card(event: &Event) -> Vec<u8> {
    let object = object_name(event);
    go_json(&MessageCard {
        kind: "MessageCard",
        context: "http://schema.org/extensions",
        theme_color: if event.is_error() { "FF0000" } else { "0076D7" },
        summary: &object,
        sections: [MessageCardSection {
            activity_title: &event.message,
            activity_subtitle: &object,
            facts: event
                .metadata
                .iter()
                .map(|(name, value)| MessageCardFact { name, value })
                .collect(),
        }],
    })
}

#[derive(Serialize)]
struct AdaptiveMessage<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    attachments: [AdaptiveAttachment<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AdaptiveAttachment<'a> {
    content_type: &'a str,
    content: AdaptiveContent<'a>,
}

#[derive(Serialize)]
struct AdaptiveContent<'a> {
    #[serde(rename = "$schema")]
    schema: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    version: &'a str,
    body: Vec<Element<'a>>,
    msteams: AdaptiveMsTeams<'a>,
}

#[derive(Serialize)]
struct AdaptiveMsTeams<'a> {
    width: &'a str,
}

/// One body element; the fields of Flux's Container, TextBlock and FactSet in its order,
/// empty ones left out.
#[derive(Serialize, Default)]
struct Element<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    items: Vec<Element<'a>>,
    #[serde(skip_serializing_if = "str::is_empty")]
    text: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    size: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    weight: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    color: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    wrap: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    facts: Vec<AdaptiveFact<'a>>,
}

#[derive(Serialize)]
struct AdaptiveFact<'a> {
    title: &'a str,
    value: &'a str,
}

fn adaptive_card(event: &Event) -> Vec<u8> {
    let object = object_name(event);
    // `summary` first, then the rest of the metadata by key.
    let facts = event
        .metadata
        .get_key_value("summary")
        .into_iter()
        .chain(event.metadata.iter().filter(|(k, _)| *k != "summary"))
        .map(|(title, value)| AdaptiveFact { title, value })
        .collect();
    go_json(&AdaptiveMessage {
        kind: "message",
        attachments: [AdaptiveAttachment {
            content_type: "application/vnd.microsoft.card.adaptive",
            content: AdaptiveContent {
                schema: "http://adaptivecards.io/schemas/adaptive-card.json",
                kind: "AdaptiveCard",
                version: ADAPTIVE_CARD_VERSION,
                body: vec![Element {
                    kind: "Container",
                    items: vec![
                        Element {
                            kind: "TextBlock",
                            text: &object,
                            size: "large",
                            weight: "bolder",
                            wrap: true,
                            ..Default::default()
                        },
                        Element {
                            kind: "TextBlock",
                            text: &event.message,
                            color: if event.is_error() { "attention" } else { "" },
                            wrap: true,
                            ..Default::default()
                        },
                        Element {
                            kind: "FactSet",
                            facts,
                            ..Default::default()
                        },
                    ],
                    ..Default::default()
                }],
                msteams: AdaptiveMsTeams { width: "Full" },
            },
        }],
    })
}
