//! The webhook provider types, as Flux's `forwarder.go`: `generic` POSTs the event JSON
//! itself with the header `gotk-component: <reportingController>`; `generic-hmac` adds
//! `X-Signature: sha256=<hex HMAC-SHA256 of the body keyed by the token>`.

use futures::future::BoxFuture;
use hmac::{Hmac, Mac};
use reqwest::{Method, Url};
use sha2::Sha256;

use super::http::{GoEvent, Http, go_json, hex, label, parse_address};
use super::{ConfigError, Event, Notifier, ProviderConfig, SendError};

pub fn new(config: &ProviderConfig) -> Result<Box<dyn Notifier>, ConfigError> {
    let hmac_key = match config.provider_type.as_str() {
        "generic" => None,
        "generic-hmac" => {
            if config.token.is_empty() {
                return Err(ConfigError(format!(
                    "{}: the generic-hmac type signs with the Secret key `token`, which is \
                     missing or empty: add it to the Secret of spec.secretRef",
                    label(config)
                )));
            }
            Some(config.token.as_bytes().to_vec())
        }
        other => {
            return Err(ConfigError(format!(
                "spec.type: provider type {other:?} is not a webhook type"
            )));
        }
    };
    let url = parse_address(config, "the URL the events are POSTed to")?;
    Ok(Box::new(Forwarder {
        http: Http::new(config)?,
        url,
        hmac_key,
    }))
}

/// `generic` and `generic-hmac`.
struct Forwarder {
    http: Http,
    url: Url,
    hmac_key: Option<Vec<u8>>,
}

/// The header Flux sends to name the controller an event came from.
const NOTIFICATION_HEADER: &str = "gotk-component";

impl Notifier for Forwarder {
    fn post<'a>(&'a self, event: &'a Event) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            let body = go_json(&GoEvent::from(event));
            let headers = [(NOTIFICATION_HEADER, event.reporting_controller.clone())];
            let signature = self.hmac_key.as_ref().map(|key| {
                (
                    "X-Signature",
                    format!("sha256={}", hex(&hmac_sha256(key, &body))),
                )
            });
            let request = self.http.json_request(
                Method::POST,
                self.url.as_str(),
                body,
                &headers,
                signature.as_slice(),
            )?;
            self.http
                .send(request, "posting the event", self.url.as_str())
                .await
                .map(drop)
        })
    }
}

/// HMAC-SHA256 (RFC 2104) of `message` keyed by `key`.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}
