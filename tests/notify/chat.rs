//! chat notifiers against the capture server.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::mpsc;

use serde_json::{Value, json};
use testenv::rest::{Request, Response, RestServer};
use tk::controllers::notification::event::Event;
use tk::controllers::notification::providers::{ProviderConfig, SendError, notifier};

use crate::{Capture, event};

const REVISION: &str = "main@sha1:731f7eaddfb6af01cb2173e18f0f75b0ba780ef1";

/// Posts `event` with a notifier of `config` and returns the one request it made.
async fn post_one(capture: &Capture, config: &ProviderConfig, event: &Event) -> Request {
    notifier(config)
        .expect("the notifier builds")
        .post(event)
        .await
        .expect("the post succeeds");
    let mut requests = capture.requests();
    assert_eq!(requests.len(), 1, "one request");
    requests.remove(0)
}

fn body(request: &Request) -> Value {
    request.json().expect("a JSON body")
}

#[tokio::test]
async fn slack_posts_an_attachment_per_event() {
    let capture = Capture::start();
    let mut config = capture.config("slack", "/services/T0/B0/XyZ");
    config.channel = "#flux".into();
    let request = post_one(&capture, &config, &event("info", "deployed")).await;
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/services/T0/B0/XyZ");
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("authorization"), None);
    assert_eq!(
        body(&request),
        json!({
            "channel": "#flux",
            "username": "kustomize-controller",
            "icon_url": "",
            "icon_emoji": "",
            "attachments": [{
                "color": "good",
                "author_name": "kustomization/webapp.apps",
                "text": "deployed",
                "mrkdwn_in": ["text"],
                "fields": [{"title": "revision", "value": REVISION, "short": false}],
            }],
        })
    );
    // Go's field order, byte for byte.
    assert!(
        String::from_utf8_lossy(&request.body).starts_with(
            r##"{"channel":"#flux","username":"kustomize-controller","icon_url":"","icon_emoji":"","attachments":[{"color":"good","author_name":"##
        ),
        "{}",
        String::from_utf8_lossy(&request.body)
    );
}

#[tokio::test]
async fn slack_errors_are_danger_and_the_username_is_kept() {
    let capture = Capture::start();
    let mut config = capture.config("slack", "/hook");
    config.username = "flux-bot".into();
    config.headers = BTreeMap::from([("X-Extra".to_string(), "1".to_string())]);
    let mut sent = event("error", "health check failed");
    sent.metadata
        .insert("summary".into(), "prod cluster".into());
    let request = post_one(&capture, &config, &sent).await;
    assert_eq!(request.header("x-extra"), Some("1"));
    let body = body(&request);
    assert_eq!(body["channel"], "");
    assert_eq!(body["username"], "flux-bot");
    assert_eq!(body["attachments"][0]["color"], "danger");
    assert_eq!(body["attachments"][0]["text"], "health check failed");
    assert_eq!(
        body["attachments"][0]["fields"],
        json!([
            {"title": "revision", "value": REVISION, "short": false},
            {"title": "summary", "value": "prod cluster", "short": false},
        ])
    );
}

#[tokio::test]
async fn commit_status_updates_are_not_posted_to_chats() {
    let capture = Capture::start();
    let mut sent = event("info", "deployed");
    sent.metadata
        .insert("commit_status".into(), "update".into());
    for kind in ["slack", "msteams", "discord", "googlechat"] {
        notifier(&capture.config(kind, "/hook"))
            .unwrap()
            .post(&sent)
            .await
            .expect("skipped");
    }
    assert!(capture.requests().is_empty());
}

fn slack_api(answer: Value) -> RestServer {
    RestServer::start(Arc::new(move |request: &Request| {
        if request.path == "/api/chat.postMessage"
            && request.header("authorization") == Some("Bearer xoxb-1234-abcd")
        {
            Response::json(200, &answer)
        } else {
            Response::json(200, &json!({"ok": false, "error": "not_authed"}))
        }
    }))
    .unwrap()
}

fn slack_api_config(server: &RestServer) -> ProviderConfig {
    let capture = Capture::start();
    let mut config = capture.config("slack", "/");
    config.address = format!("{}/api/chat.postMessage", server.base_url());
    config.ca_pem = Some(server.ca_pem().to_string());
    config.token = "xoxb-1234-abcd".into();
    config.channel = "C024BE91L".into();
    config
}

#[tokio::test]
async fn slack_with_a_token_uses_the_web_api_and_checks_ok() {
    let server = slack_api(json!({"ok": true, "channel": "C024BE91L"}));
    notifier(&slack_api_config(&server))
        .unwrap()
        .post(&event("info", "deployed"))
        .await
        .expect("ok: true is success");

    let server = slack_api(json!({"ok": false, "error": "channel_not_found"}));
    let err = notifier(&slack_api_config(&server))
        .unwrap()
        .post(&event("info", "deployed"))
        .await
        .expect_err("ok: false is a failure");
    assert!(matches!(err, SendError::Permanent(_)), "{err}");
    assert!(err.to_string().contains("channel_not_found"), "{err}");
    assert!(!err.to_string().contains("xoxb-1234-abcd"), "{err}");

    let server = slack_api(json!({"ok": false, "error": "ratelimited"}));
    let err = notifier(&slack_api_config(&server))
        .unwrap()
        .post(&event("info", "deployed"))
        .await
        .expect_err("rate limited");
    assert!(err.is_retryable(), "{err}");

    // The capture server answers `{}`: no `ok`, a failure.
    let capture = Capture::start();
    let mut config = capture.config("slack", "/api/chat.postMessage");
    config.token = "xoxb-1234-abcd".into();
    config.channel = "C1".into();
    let err = notifier(&config)
        .unwrap()
        .post(&event("info", "deployed"))
        .await
        .expect_err("no ok");
    assert!(!err.is_retryable(), "{err}");
    let request = &capture.requests()[0];
    assert_eq!(
        request.header("authorization"),
        Some("Bearer xoxb-1234-abcd")
    );
    assert_eq!(body(request)["channel"], "C1");
}

#[test]
fn slack_web_api_needs_a_channel() {
    let capture = Capture::start();
    let mut config = capture.config("slack", "/api/chat.postMessage");
    config.token = "xoxb-1234-abcd".into();
    let err = notifier(&config).err().expect("no channel");
    assert!(err.0.contains("spec.channel"), "{err}");
    assert!(!err.0.contains("xoxb"), "{err}");
}

#[tokio::test]
async fn discord_posts_the_slack_payload_to_the_slack_endpoint() {
    let capture = Capture::start();
    let mut config = capture.config("discord", "/api/webhooks/1234/s3cr3t");
    config.channel = "ignored".into();
    let request = post_one(&capture, &config, &event("error", "failed")).await;
    assert_eq!(request.path, "/api/webhooks/1234/s3cr3t/slack");
    assert_eq!(
        body(&request),
        json!({
            "channel": "",
            "username": "kustomize-controller",
            "icon_url": "",
            "icon_emoji": "",
            "attachments": [{
                "color": "danger",
                "author_name": "kustomization/webapp.apps",
                "text": "failed",
                "mrkdwn_in": ["text"],
                "fields": [{"title": "revision", "value": REVISION, "short": false}],
            }],
        })
    );

    let capture = Capture::start();
    let request = post_one(
        &capture,
        &capture.config("discord", "/api/webhooks/1/x/slack"),
        &event("info", "ok"),
    )
    .await;
    assert_eq!(request.path, "/api/webhooks/1/x/slack");

    capture.answer(401);
    let err = notifier(&capture.config("discord", "/api/webhooks/1/s3cr3t"))
        .unwrap()
        .post(&event("info", "ok"))
        .await
        .expect_err("401");
    assert!(!err.is_retryable(), "{err}");
    assert!(!err.to_string().contains("s3cr3t"), "{err}");
}

#[tokio::test]
async fn rocket_posts_the_slack_payload_with_its_colours() {
    let capture = Capture::start();
    let mut config = capture.config("rocket", "/hooks/abc");
    config.channel = "#flux".into();
    config.username = "flux".into();
    let request = post_one(&capture, &config, &event("info", "deployed")).await;
    assert_eq!(
        body(&request),
        json!({
            "channel": "#flux",
            "username": "flux",
            "icon_url": "",
            "icon_emoji": "",
            "attachments": [{
                "color": "#0076D7",
                "author_name": "kustomization/webapp.apps",
                "text": "deployed",
                "mrkdwn_in": ["text"],
                "fields": [{"title": "revision", "value": REVISION, "short": false}],
            }],
        })
    );

    let capture = Capture::start();
    let request = post_one(
        &capture,
        &capture.config("rocket", "/hooks/abc"),
        &event("error", "x"),
    )
    .await;
    let body = body(&request);
    assert_eq!(body["attachments"][0]["color"], "#FF0000");
    // Flux's Rocket notifier does not default the username.
    assert_eq!(body["username"], "");
    assert_eq!(body["channel"], "");
}

#[tokio::test]
async fn msteams_posts_an_adaptive_card_to_workflow_urls() {
    let capture = Capture::start();
    let config = capture.config("msteams", "/workflows/abc/triggers/manual/paths/invoke");
    let mut sent = event("error", "health check failed");
    sent.metadata
        .insert("summary".into(), "prod cluster".into());
    sent.metadata.insert("env".into(), "prod".into());
    let request = post_one(&capture, &config, &sent).await;
    assert_eq!(
        body(&request),
        json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [{
                        "type": "Container",
                        "items": [
                            {
                                "type": "TextBlock",
                                "text": "kustomization/webapp.apps",
                                "size": "large",
                                "weight": "bolder",
                                "wrap": true,
                            },
                            {
                                "type": "TextBlock",
                                "text": "health check failed",
                                "color": "attention",
                                "wrap": true,
                            },
                            {
                                "type": "FactSet",
                                "facts": [
                                    {"title": "summary", "value": "prod cluster"},
                                    {"title": "env", "value": "prod"},
                                    {"title": "revision", "value": REVISION},
                                ],
                            },
                        ],
                    }],
                    "msteams": {"width": "Full"},
                },
            }],
        })
    );

    let capture = Capture::start();
    let mut quiet = event("info", "deployed");
    quiet.metadata.clear();
    let request = post_one(&capture, &capture.config("msteams", "/wf"), &quiet).await;
    let items = &body(&request)["attachments"][0]["content"]["body"][0]["items"];
    assert_eq!(
        items[1],
        json!({"type": "TextBlock", "text": "deployed", "wrap": true})
    );
    assert_eq!(items[2], json!({"type": "FactSet"}));
}

/// A plain-HTTP forward proxy that answers one request with 200 itself and hands over the
/// request head and body.
fn one_shot_proxy() -> (String, mpsc::Receiver<(String, Vec<u8>)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut head = String::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap();
            }
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.push_str(&line);
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let mut stream = stream;
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .unwrap();
        tx.send((head, body)).unwrap();
    });
    (url, rx)
}

#[tokio::test]
async fn msteams_posts_a_message_card_to_office_connectors_through_the_proxy() {
    let (proxy, received) = one_shot_proxy();
    let config = ProviderConfig {
        provider_type: "msteams".into(),
        name: "apps/alerts".into(),
        address: "http://tk.webhook.office.com/webhookb2/abc/IncomingWebhook/def".into(),
        proxy: Some(proxy),
        timeout: std::time::Duration::from_secs(5),
        ..Default::default()
    };
    notifier(&config)
        .unwrap()
        .post(&event("error", "failed"))
        .await
        .expect("the post succeeds");
    let (head, body) = received.recv().unwrap();
    assert!(
        head.starts_with(
            "POST http://tk.webhook.office.com/webhookb2/abc/IncomingWebhook/def HTTP/1.1"
        ),
        "{head}"
    );
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        body,
        json!({
            "@type": "MessageCard",
            "@context": "http://schema.org/extensions",
            "themeColor": "FF0000",
            "summary": "kustomization/webapp.apps",
            "sections": [{
                "activityTitle": "failed",
                "activitySubtitle": "kustomization/webapp.apps",
                "facts": [{"name": "revision", "value": REVISION}],
            }],
        })
    );
}

#[tokio::test]
async fn googlechat_posts_a_card() {
    let capture = Capture::start();
    let request = post_one(
        &capture,
        &capture.config("googlechat", "/v1/spaces/AAA/messages"),
        &event("error", "failed"),
    )
    .await;
    assert_eq!(request.path, "/v1/spaces/AAA/messages");
    assert_eq!(
        body(&request),
        json!({
            "cards": [{
                "header": {
                    "title": "kustomization/webapp.apps",
                    "subtitle": "kustomize-controller",
                    "imageUrl": null,
                    "imageStyle": null,
                },
                "sections": [
                    {
                        "header": "",
                        "widgets": [{
                            "textParagraph": {"text": "<font color=\"#ff0000\">failed</font>"},
                            "keyValue": null,
                        }],
                    },
                    {
                        "header": "",
                        "widgets": [{
                            "textParagraph": null,
                            "keyValue": {
                                "topLabel": "revision",
                                "content": REVISION,
                                "contentMultiline": false,
                                "bottomLabel": null,
                                "icon": null,
                            },
                        }],
                    },
                ],
            }],
        })
    );

    let capture = Capture::start();
    let mut quiet = event("info", "deployed");
    quiet.metadata.clear();
    let request = post_one(&capture, &capture.config("googlechat", "/"), &quiet).await;
    let sections = &body(&request)["cards"][0]["sections"];
    assert_eq!(sections.as_array().map(Vec::len), Some(1));
    assert_eq!(
        sections[0]["widgets"][0]["textParagraph"]["text"],
        "deployed"
    );
}

#[tokio::test]
async fn webex_posts_markdown_to_the_room_with_the_bot_token() {
    let capture = Capture::start();
    let mut config = capture.config("webex", "/v1/messages");
    config.channel = "Y2lzY29zcGFyazovL3VzL1JPT00v".into();
    config.token = "webex-bot-token-9f8e".into();
    let mut sent = event("info", "deployed");
    sent.metadata.insert("env".into(), "prod".into());
    let request = post_one(&capture, &config, &sent).await;
    assert_eq!(
        request.header("authorization"),
        Some("Bearer webex-bot-token-9f8e")
    );
    assert_eq!(
        body(&request),
        json!({
            "roomId": "Y2lzY29zcGFyazovL3VzL1JPT00v",
            "markdown": format!(
                "✅ **kustomization/webapp.apps**\ndeployed\n>**env**: prod\n>**revision**: {REVISION}\n"
            ),
        })
    );

    let capture = Capture::start();
    let request = post_one(
        &capture,
        &{
            let mut c = capture.config("webex", "/v1/messages");
            c.channel = "room".into();
            c.token = "webex-bot-token-9f8e".into();
            c
        },
        &event("error", "failed"),
    )
    .await;
    assert!(
        body(&request)["markdown"]
            .as_str()
            .unwrap()
            .starts_with("💣 **kustomization/webapp.apps**\nfailed\n")
    );

    capture.answer(401);
    let mut config = capture.config("webex", "/v1/messages");
    config.channel = "room".into();
    config.token = "webex-bot-token-9f8e".into();
    let err = notifier(&config)
        .unwrap()
        .post(&event("info", "x"))
        .await
        .expect_err("401");
    assert!(!err.is_retryable(), "{err}");
    assert!(err.to_string().contains("401"), "{err}");
    assert!(!err.to_string().contains("webex-bot-token-9f8e"), "{err}");
}

#[test]
fn webex_needs_a_room_and_a_token() {
    let capture = Capture::start();
    let mut config = capture.config("webex", "/v1/messages");
    config.token = "t0ken-value".into();
    let err = notifier(&config).err().expect("no room");
    assert!(err.0.contains("spec.channel"), "{err}");
    config.channel = "room".into();
    config.token.clear();
    let err = notifier(&config).err().expect("no token");
    assert!(err.0.contains("`token`"), "{err}");
}

#[tokio::test]
async fn telegram_sends_markdown_v2_to_the_chat() {
    let capture = Capture::start();
    let mut config = capture.config("telegram", "");
    config.channel = "-1001234567890:42".into();
    config.token = "123456:ABC-DEF1234ghIkl".into();
    let mut sent = event("error", "Health check failed (timeout!) for v1.2");
    sent.metadata.insert("summary".into(), "prod_eu".into());
    let request = post_one(&capture, &config, &sent).await;
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/bot123456:ABC-DEF1234ghIkl/sendMessage");
    assert_eq!(
        body(&request),
        json!({
            "chat_id": "-1001234567890",
            "message_thread_id": "42",
            "text": concat!(
                "*🚨 kustomization/webapp/apps*\n",
                "Health check failed \\(timeout\\!\\) for v1\\.2\n",
                "\\- *revision*: main@sha1:731f7eaddfb6af01cb2173e18f0f75b0ba780ef1\n",
                "\\- *summary*: prod\\_eu\n",
            ),
            "parse_mode": "MarkdownV2",
        })
    );

    let capture = Capture::start();
    let mut config = capture.config("telegram", "");
    config.channel = "@fluxalerts".into();
    config.token = "123456:ABC-DEF1234ghIkl".into();
    let request = post_one(&capture, &config, &event("info", "ok")).await;
    let body = body(&request);
    assert_eq!(body["chat_id"], "@fluxalerts");
    assert!(body.get("message_thread_id").is_none(), "{body}");
    assert!(
        body["text"]
            .as_str()
            .unwrap()
            .starts_with("*💫 kustomization/webapp/apps*\nok\n")
    );

    for (status, retryable) in [(400, false), (403, false), (429, true), (502, true)] {
        capture.answer(status);
        let err = notifier(&config)
            .unwrap()
            .post(&event("info", "ok"))
            .await
            .expect_err("failure");
        assert_eq!(err.is_retryable(), retryable, "{err}");
        assert!(
            !err.to_string().contains("ABC-DEF1234ghIkl"),
            "the token leaks: {err}"
        );
    }
}

#[test]
fn telegram_needs_a_chat_and_a_token() {
    let capture = Capture::start();
    let mut config = capture.config("telegram", "");
    config.token = "123456:ABC-DEF1234ghIkl".into();
    let err = notifier(&config).err().expect("no chat");
    assert!(err.0.contains("spec.channel"), "{err}");
    config.channel = "@chat".into();
    config.token.clear();
    let err = notifier(&config).err().expect("no token");
    assert!(err.0.contains("`token`"), "{err}");
}

#[tokio::test]
async fn matrix_puts_a_room_message_with_an_idempotent_txn_id() {
    let capture = Capture::start();
    let mut config = capture.config("matrix", "");
    config.channel = "!qporfwt:matrix.org".into();
    config.token = "syt_matrix_access_token".into();
    let notifier = notifier(&config).unwrap();
    let sent = event("info", "deployed");
    notifier.post(&sent).await.unwrap();
    notifier.post(&sent).await.unwrap();
    notifier.post(&event("info", "other")).await.unwrap();
    let requests = capture.requests();
    assert_eq!(requests.len(), 3);
    let request = &requests[0];
    assert_eq!(request.method, "PUT");
    assert_eq!(
        request.header("authorization"),
        Some("Bearer syt_matrix_access_token")
    );
    let prefix = "/_matrix/client/r0/rooms/!qporfwt:matrix.org/send/m.room.message/";
    let txn = request.path.strip_prefix(prefix).expect(&request.path);
    assert_eq!(txn.len(), 40, "a hex SHA-1: {txn}");
    assert!(txn.bytes().all(|b| b.is_ascii_hexdigit()), "{txn}");
    assert_eq!(
        requests[1].path, request.path,
        "the same event, the same txn"
    );
    assert_ne!(requests[2].path, request.path, "another event, another txn");
    assert_eq!(
        body(request),
        json!({
            "body": format!("💫 kustomization/webapp.apps\ndeployed\n- revision: {REVISION}\n"),
            "msgtype": "m.text",
        })
    );

    capture.answer(500);
    let err = notifier.post(&event("error", "x")).await.expect_err("500");
    assert!(err.is_retryable(), "{err}");
    assert!(
        !err.to_string().contains("syt_matrix_access_token"),
        "{err}"
    );
}

#[test]
fn matrix_needs_a_room_and_a_token() {
    let capture = Capture::start();
    let mut config = capture.config("matrix", "");
    config.token = "syt_matrix_access_token".into();
    let err = notifier(&config).err().expect("no room");
    assert!(err.0.contains("spec.channel"), "{err}");
    config.channel = "!room:server".into();
    config.token.clear();
    let err = notifier(&config).err().expect("no token");
    assert!(err.0.contains("`token`"), "{err}");
    config.token = "syt_matrix_access_token".into();
    config.address.clear();
    let err = notifier(&config).err().expect("no address");
    assert!(err.0.contains("spec.address"), "{err}");
}
