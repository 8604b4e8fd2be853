//! `googlechat`: a (v1) card with the object as title, the reporting controller as
//! subtitle, the message (red for errors) and the metadata as key/value widgets, as Flux's
//! `google_chat.go` writes it (absent parts as JSON `null`).

use serde::Serialize;

use super::super::http::{go_json, parse_address};
use super::{Chat, object_name};
use crate::controllers::notification::providers::{ConfigError, Event, Notifier, ProviderConfig};

pub(super) fn new(config: &ProviderConfig) -> Result<Box<dyn Notifier>, ConfigError> {
    let url = parse_address(config, "the Google Chat space webhook URL")?;
    Chat::post_to(config, url, None, payload)
}

#[derive(Serialize)]
struct Payload<'a> {
    cards: [Card<'a>; 1],
}

#[derive(Serialize)]
struct Card<'a> {
    header: Header<'a>,
    sections: Vec<Section<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Header<'a> {
    title: String,
    subtitle: &'a str,
    image_url: Option<&'a str>,
    image_style: Option<&'a str>,
}

#[derive(Serialize)]
struct Section<'a> {
    header: &'a str,
    widgets: Vec<Widget<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Widget<'a> {
    text_paragraph: Option<TextParagraph>,
    key_value: Option<KeyValue<'a>>,
}

#[derive(Serialize)]
struct TextParagraph {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyValue<'a> {
    top_label: &'a str,
    content: &'a str,
    #[serde(rename = "contentMultiline")]
    content_multi_line: bool,
    bottom_label: Option<&'a str>,
    icon: Option<&'a str>,
}

fn payload(event: &Event) -> Vec<u8> {
    let text = if event.is_error() {
        format!("<font color=\"#ff0000\">{}</font>", event.message)
    } else {
        event.message.clone()
    };
    let mut sections = vec![Section {
        header: "",
        widgets: vec![Widget {
            text_paragraph: Some(TextParagraph { text }),
            key_value: None,
        }],
    }];
    if !event.metadata.is_empty() {
        sections.push(Section {
            header: "",
            widgets: event
                .metadata
                .iter()
                .map(|(label, value)| Widget {
                    text_paragraph: None,
                    key_value: Some(KeyValue {
                        top_label: label,
                        content: value,
                        content_multi_line: false,
                        bottom_label: None,
                        icon: None,
                    }),
                })
                .collect(),
        });
    }
    go_json(&Payload {
        cards: [Card {
            header: Header {
                title: object_name(event),
                subtitle: &event.reporting_controller,
                image_url: None,
                image_style: None,
            },
            sections,
        }],
    })
}
