//! The chat provider types, each posting the payload Flux's notification-controller posts
//! (`internal/notifier/<type>.go`): `slack`, `discord` and `rocket` (Slack attachments),
//! `msteams` (an Adaptive Card, or the legacy MessageCard for Office 365 connector URLs),
//! `googlechat` (a card), `webex`, `telegram` and `matrix` (markdown or text messages).
//!
//! Events that only update a Git commit status (metadata `commit_status: update`) are meant
//! for the Git providers and are skipped, as Flux does.

mod google;
mod matrix;
pub(crate) mod slack;
pub(crate) mod teams;
mod telegram;
mod webex;

use futures::future::BoxFuture;
use reqwest::{Method, Url};

use super::http::{Http, label};
use super::{ConfigError, Event, Notifier, ProviderConfig, SendError};

pub fn new(config: &ProviderConfig) -> Result<Box<dyn Notifier>, ConfigError> {
    match config.provider_type.as_str() {
        "slack" | "discord" | "rocket" => slack::new(config),
        "msteams" => teams::new(config),
        "googlechat" => google::new(config),
        "webex" => webex::new(config),
        "telegram" => telegram::new(config),
        "matrix" => matrix::new(config),
        other => Err(ConfigError(format!(
            "spec.type: provider type {other:?} is not a chat type"
        ))),
    }
}

/// One request a chat notifier makes for an event.
struct Outgoing {
    method: Method,
    url: Url,
    body: Vec<u8>,
}

type Build = Box<dyn Fn(&Event) -> Outgoing + Send + Sync>;
type Check = fn(&Http, &[u8]) -> Result<(), SendError>;

/// A chat notifier: builds the request for an event, sends it with the Provider's client
/// (with `Authorization: Bearer <token>` when the type uses the token) and, for APIs that
/// answer errors with 200, checks the answer.
struct Chat {
    http: Http,
    bearer: Option<String>,
    build: Build,
    check: Option<Check>,
}

impl Chat {
    fn boxed(http: Http, bearer: Option<String>, build: Build) -> Box<dyn Notifier> {
        Box::new(Chat {
            http,
            bearer,
            build,
            check: None,
        })
    }

    /// A notifier that POSTs `payload(event)` to `url`, with `Authorization: Bearer` when
    /// `bearer` is set.
    fn post_to(
        config: &ProviderConfig,
        url: Url,
        bearer: Option<String>,
        payload: impl Fn(&Event) -> Vec<u8> + Send + Sync + 'static,
    ) -> Result<Box<dyn Notifier>, ConfigError> {
        let build = Box::new(move |event: &Event| Outgoing {
            method: Method::POST,
            url: url.clone(),
            body: payload(event),
        });
        Ok(Chat::boxed(Http::new(config)?, bearer, build))
    }
}

impl Notifier for Chat {
    fn post<'a>(&'a self, event: &'a Event) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            if is_commit_status_update(event) {
                return Ok(());
            }
            let Outgoing { method, url, body } = (self.build)(event);
            let auth: Vec<(&str, String)> = self
                .bearer
                .iter()
                .map(|token| ("Authorization", format!("Bearer {token}")))
                .collect();
            let request = self
                .http
                .json_request(method, url.as_str(), body, &auth, &[])?;
            let answer = self
                .http
                .send(request, "posting the message", url.as_str())
                .await?;
            match self.check {
                Some(check) => check(&self.http, &answer),
                None => Ok(()),
            }
        })
    }
}

/// Flux's `eventv1.MetaCommitStatusKey: MetaCommitStatusUpdateValue`.
fn is_commit_status_update(event: &Event) -> bool {
    event.metadata.get("commit_status").map(String::as_str) == Some("update")
}

/// `kustomization/webapp.apps`: the lower-cased kind, name and namespace, as Flux titles
/// its messages.
fn object_name(event: &Event) -> String {
    let object = &event.involved_object;
    format!(
        "{}/{}.{}",
        object.kind.to_lowercase(),
        object.name,
        object.namespace
    )
}

/// A ConfigError when `spec.channel` is empty.
fn require_channel(config: &ProviderConfig, what: &str) -> Result<(), ConfigError> {
    if config.channel.trim().is_empty() {
        return Err(ConfigError(format!(
            "{}: spec.channel is empty: the {} provider needs {what}",
            label(config),
            config.provider_type
        )));
    }
    Ok(())
}

/// A ConfigError when the Secret's `token` is empty.
fn require_token(config: &ProviderConfig, what: &str) -> Result<(), ConfigError> {
    if config.token.is_empty() {
        return Err(ConfigError(format!(
            "{}: the Secret key `token` is missing or empty: the {} provider needs {what}; \
             add it to the Secret of spec.secretRef",
            label(config),
            config.provider_type
        )));
    }
    Ok(())
}
