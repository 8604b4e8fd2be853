//! The HTTP side: building, signing and sending requests, reading bounded bodies, turning
//! S3 error documents into [`Error`]s.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use reqwest::Method;
use reqwest::header::{CONTENT_LENGTH, ETAG, LOCATION};
use tokio::io::AsyncWriteExt;
use url::Url;

use crate::endpoint::Endpoint;
use crate::error::{Error, Result, Status};
use crate::sign::{self, EMPTY_PAYLOAD_SHA256};
use crate::{ClientOptions, Credentials, Fetched, MAX_SMALL_BODY, unquote_etag};

/// The region requests are signed for when nothing better is known: AWS's original one,
/// which every S3-compatible server accepts by default.
const DEFAULT_REGION: &str = "us-east-1";

/// A client for one endpoint; cheap to clone (the connection pool and the regions learnt
/// are shared).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    endpoint: Endpoint,
    credentials: Option<Credentials>,
    region: Option<String>,
    /// Buckets' regions, asked for once per client.
    regions: Mutex<HashMap<String, String>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.endpoint.authority)
            .field("scheme", &self.inner.endpoint.scheme)
            .field("region", &self.inner.region)
            .field(
                "access_key",
                &self.inner.credentials.as_ref().map(|c| &c.access_key),
            )
            .finish()
    }
}

/// One request: which bucket and key, and how it is shown in errors.
pub(crate) struct Call<'a> {
    pub method: Method,
    pub bucket: &'a str,
    pub key: Option<&'a str>,
    /// Unencoded pairs; encoded once, and sent as signed.
    pub query: Vec<(&'a str, &'a str)>,
    /// `GET ?location` goes path-style: the bucket's host name may not resolve yet from
    /// the endpoint it is asked at.
    pub path_style: bool,
    /// `/bucket/key?op`, for errors.
    pub resource: String,
}

impl<'a> Call<'a> {
    pub fn new(method: Method, bucket: &'a str, key: Option<&'a str>) -> Call<'a> {
        let resource = match key {
            Some(key) => format!("/{bucket}/{}", shown(key)),
            None => format!("/{bucket}"),
        };
        Call {
            method,
            bucket,
            key,
            query: Vec::new(),
            path_style: false,
            resource,
        }
    }

    fn method_name(&self) -> &'static str {
        if self.method == Method::HEAD {
            "HEAD"
        } else {
            "GET"
        }
    }
}

impl Client {
    /// Checks the options and builds the HTTP client; sends nothing.
    pub fn new(options: ClientOptions) -> Result<Client> {
        let endpoint = Endpoint::parse(&options.endpoint, options.insecure)?;
        // A zero timeout (an unset field) would fail every request at once.
        let timeout = if options.timeout.is_zero() {
            Duration::from_secs(60)
        } else {
            options.timeout
        };
        let builder = reqwest::Client::builder()
            .user_agent(options.user_agent.clone())
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(30)))
            // A redirect may lead to another host, which must not see signed requests; S3
            // redirects are region mistakes the error explains (PermanentRedirect).
            .redirect(reqwest::redirect::Policy::none());
        let builder = transport::configure(
            builder,
            transport::Settings {
                ca_pem: options.ca_pem.as_deref(),
                identity_pem: options.identity_pem.as_deref(),
                proxy: options.proxy.as_ref(),
            },
        )
        .map_err(|e| Error::Config(e.to_string()))?;
        let http = builder
            .build()
            .map_err(|e| Error::Config(format!("failed to build the HTTP client: {e}")))?;
        let region = options.region.filter(|r| !r.is_empty());
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                endpoint,
                credentials: options.credentials,
                region,
                regions: Mutex::default(),
            }),
        })
    }

    /// `HEAD /bucket`: false only when the server says the bucket does not exist (404);
    /// a refusal is an error, since it says nothing about existence.
    pub async fn bucket_exists(&self, bucket: &str) -> Result<bool> {
        let call = Call::new(Method::HEAD, bucket, None);
        let response = self.send(&call).await?;
        match response.status().as_u16() {
            200..=299 => Ok(true),
            404 => Ok(false),
            _ => Err(http_error(&call, response).await),
        }
    }

    /// Streams an object into a new file at `path` (parent directories created; an
    /// existing file is replaced), refusing it once more than `max_size` bytes arrive. On
    /// any error nothing is left at `path`.
    pub async fn get_object(
        &self,
        bucket: &str,
        key: &str,
        path: &Path,
        max_size: u64,
    ) -> Result<Fetched> {
        if key.is_empty() {
            return Err(Error::Invalid(format!(
                "bucket '{bucket}': an object key must not be empty"
            )));
        }
        let call = Call::new(Method::GET, bucket, Some(key));
        let mut response = self.send(&call).await?;
        if !response.status().is_success() {
            return Err(http_error(&call, response).await);
        }
        let too_large = || Error::TooLarge {
            what: format!("object {}", call.resource),
            limit: max_size,
        };
        let declared = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > max_size) {
            return Err(too_large());
        }
        let etag = response
            .headers()
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .map(unquote_etag)
            .unwrap_or_default();
        let io = |what: &str, source| Error::Io {
            what: format!("{what} {} for {}", path.display(), call.resource),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| io("creating the directory of", e))?;
        }
        let mut file = tokio::fs::File::create(path)
            .await
            .map_err(|e| io("creating", e))?;
        let written: Result<u64> = async {
            let mut size = 0u64;
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| self.transport(&call, &e))?
            {
                size += chunk.len() as u64;
                if size > max_size {
                    return Err(too_large());
                }
                file.write_all(&chunk).await.map_err(|e| io("writing", e))?;
            }
            // tokio hands writes to a blocking thread; without a flush the last one may
            // not have happened (or failed unseen) when this returns.
            file.flush().await.map_err(|e| io("writing", e))?;
            if let Some(declared) = declared
                && declared != size
            {
                return Err(Error::Request {
                    method: "GET",
                    resource: call.resource.clone(),
                    endpoint: self.shown_endpoint(&call),
                    detail: format!("the body ended after {size} of {declared} bytes"),
                });
            }
            Ok(size)
        }
        .await;
        drop(file);
        match written {
            Ok(size) => Ok(Fetched { etag, size }),
            Err(e) => {
                let _ = tokio::fs::remove_file(path).await;
                Err(e)
            }
        }
    }

    /// Signs (when there are credentials) and sends `call`, whatever the status.
    pub(crate) async fn send(&self, call: &Call<'_>) -> Result<reqwest::Response> {
        check_bucket(call.bucket)?;
        let region = self.region(call.bucket).await?;
        self.send_signed(call, &region).await
    }

    async fn send_signed(&self, call: &Call<'_>, region: &str) -> Result<reqwest::Response> {
        let endpoint = &self.inner.endpoint;
        let (authority, path) = endpoint.locate(call.bucket, call.key, call.path_style);
        let query = sign::canonical_query(&call.query);
        let mut text = format!("{}://{authority}{path}", endpoint.scheme);
        if !query.is_empty() {
            text.push('?');
            text.push_str(&query);
        }
        // The URL parser resolves `.` and `..` segments (even encoded ones): such a key
        // would fetch another object, and would not match its signature.
        let url = Url::parse(&text)
            .ok()
            .filter(|u| u.path() == path)
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "{}: S3 keys with '.' or '..' path segments cannot be requested",
                    call.resource
                ))
            })?;
        let mut request = self.inner.http.request(call.method.clone(), url.clone());
        if let Some(credentials) = &self.inner.credentials {
            let host = match url.port() {
                Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
                None => url.host_str().unwrap_or_default().to_string(),
            };
            let headers = sign::sign(
                &sign::Request {
                    method: call.method.as_str(),
                    host: &host,
                    path: &path,
                    query: &query,
                    headers: &[],
                    payload_sha256: EMPTY_PAYLOAD_SHA256,
                },
                credentials,
                region,
                SystemTime::now(),
            );
            for (name, value) in headers {
                request = request.header(name, value);
            }
        }
        request.send().await.map_err(|e| self.transport(call, &e))
    }

    /// The region to sign for: configured, named by the endpoint, or the bucket's own
    /// (asked once). Unsigned requests need none.
    async fn region(&self, bucket: &str) -> Result<String> {
        if let Some(region) = &self.inner.region {
            return Ok(region.clone());
        }
        if self.inner.credentials.is_none() {
            return Ok(DEFAULT_REGION.into());
        }
        if let Some(region) = &self.inner.endpoint.region {
            return Ok(region.clone());
        }
        if let Some(region) = self.cached_region(bucket) {
            return Ok(region);
        }
        let (region, keep) = self.discover_region(bucket).await?;
        if keep {
            self.inner
                .regions
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(bucket.to_string(), region.clone());
        }
        Ok(region)
    }

    fn cached_region(&self, bucket: &str) -> Option<String> {
        self.inner
            .regions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(bucket)
            .cloned()
    }

    /// The region `bucket` is in, from `GET /bucket?location` (signed for us-east-1,
    /// which any region answers): an empty answer is us-east-1, `EU` is eu-west-1.
    pub async fn bucket_region(&self, bucket: &str) -> Result<String> {
        check_bucket(bucket)?;
        let (call, response) = self.location(bucket).await?;
        if !response.status().is_success() {
            return Err(http_error(&call, response).await);
        }
        let body = self.read_capped(&call, response, MAX_SMALL_BODY).await?;
        parse_location(&body).map_err(|detail| Error::Xml {
            resource: call.resource.clone(),
            detail,
        })
    }

    async fn location<'a>(&self, bucket: &'a str) -> Result<(Call<'a>, reqwest::Response)> {
        let mut call = Call::new(Method::GET, bucket, None);
        call.query = vec![("location", "")];
        call.path_style = true;
        call.resource.push_str("?location");
        let response = self.send_signed(&call, DEFAULT_REGION).await?;
        Ok((call, response))
    }

    /// [`Client::bucket_region`], except that an error answer falls back to us-east-1, as
    /// minio-go does: many servers do not implement the call, or do not let every user
    /// make it. Returns whether the answer is worth remembering (not a server failure).
    async fn discover_region(&self, bucket: &str) -> Result<(String, bool)> {
        let (call, response) = self.location(bucket).await?;
        let status = response.status();
        if !status.is_success() {
            // AWS names the bucket's region even when it refuses the request.
            let named = response
                .headers()
                .get("x-amz-bucket-region")
                .and_then(|v| v.to_str().ok())
                .filter(|r| !r.is_empty())
                .map(str::to_string);
            return Ok(match named {
                Some(region) => (region, true),
                None => (DEFAULT_REGION.into(), !status.is_server_error()),
            });
        }
        let body = self.read_capped(&call, response, MAX_SMALL_BODY).await?;
        let region = parse_location(&body).map_err(|detail| Error::Xml {
            resource: call.resource.clone(),
            detail,
        })?;
        Ok((region, true))
    }

    /// A successful response's body, refused past `cap` bytes.
    pub(crate) async fn read_capped(
        &self,
        call: &Call<'_>,
        mut response: reqwest::Response,
        cap: u64,
    ) -> Result<Vec<u8>> {
        let too_large = || Error::TooLarge {
            what: format!("the response to {} {}", call.method_name(), call.resource),
            limit: cap,
        };
        if response.content_length().is_some_and(|len| len > cap) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport(call, &e))?
        {
            if body.len() as u64 + chunk.len() as u64 > cap {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn shown_endpoint(&self, call: &Call<'_>) -> String {
        let endpoint = &self.inner.endpoint;
        let (authority, _) = endpoint.locate(call.bucket, call.key, call.path_style);
        format!("{}://{authority}", endpoint.scheme)
    }

    fn transport(&self, call: &Call<'_>, err: &reqwest::Error) -> Error {
        use std::error::Error as _;
        let mut parts = vec![
            if err.is_timeout() {
                "timeout"
            } else if err.is_connect() {
                "connection failed"
            } else if err.is_body() || err.is_decode() {
                "reading the response failed"
            } else {
                "request failed"
            }
            .to_string(),
        ];
        // reqwest's own message repeats the URL with its query; its causes do not.
        let mut source = err.source();
        while let Some(s) = source {
            parts.push(s.to_string());
            source = s.source();
        }
        parts.dedup();
        Error::Request {
            method: call.method_name(),
            resource: call.resource.clone(),
            endpoint: self.shown_endpoint(call),
            detail: parts.join(": "),
        }
    }
}

/// A `<LocationConstraint>` document's region.
fn parse_location(body: &[u8]) -> std::result::Result<String, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the answer is not UTF-8".to_string())?;
    let doc = roxmltree::Document::parse(text).map_err(|e| e.to_string())?;
    let root = doc.root_element();
    if root.tag_name().name() != "LocationConstraint" {
        return Err(format!(
            "expected <LocationConstraint>, found <{}>",
            root.tag_name().name()
        ));
    }
    Ok(match root.text().map(str::trim).unwrap_or_default() {
        "" => DEFAULT_REGION,
        // The legacy name of Ireland's region.
        "EU" => "eu-west-1",
        other => other,
    }
    .to_string())
}

/// Bucket names go into paths and host names; beyond what S3 naming allows anyway, refuse
/// what would change the request's meaning.
fn check_bucket(bucket: &str) -> Result<()> {
    if bucket.is_empty()
        || bucket == "."
        || bucket == ".."
        || bucket
            .chars()
            .any(|c| c == '/' || c.is_whitespace() || c.is_control())
    {
        return Err(Error::Invalid(format!(
            "invalid bucket name '{}': it must be non-empty, without '/' or spaces",
            shown(bucket)
        )));
    }
    Ok(())
}

/// `s` with control characters escaped, so one error stays on one line.
pub(crate) fn shown(s: &str) -> String {
    if s.chars().any(char::is_control) {
        s.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        s.to_string()
    }
}

/// The error for a non-success answer: the S3 error document's code and message when
/// there is one (never the rest of it: servers echo the string they signed), else a hint
/// from the headers.
pub(crate) async fn http_error(call: &Call<'_>, mut response: reqwest::Response) -> Error {
    let status = response.status();
    let headers = response.headers().clone();
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() as u64 >= MAX_SMALL_BODY {
            break;
        }
    }
    let (code, mut message) = parse_error_document(&body);
    if message.is_none() {
        message = if status.is_redirection() {
            let to = headers
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| Url::parse(l).ok())
                .and_then(|u| u.host_str().map(str::to_string));
            Some(match to {
                Some(host) => format!("redirected to {host}; redirects are not followed"),
                None => "redirects are not followed".to_string(),
            })
        } else {
            headers
                .get("x-amz-bucket-region")
                .and_then(|v| v.to_str().ok())
                // A wrong region gets these on AWS; a 403 is a refusal whatever the region.
                .filter(|r| !r.is_empty() && matches!(status.as_u16(), 301 | 400))
                .map(|r| format!("the bucket is in region {r}"))
        };
    }
    Error::Http {
        method: call.method_name(),
        resource: call.resource.clone(),
        status: Status(status.as_u16()),
        code,
        message,
        object: call.key.is_some(),
    }
}

/// `<Error><Code>…</Code><Message>…</Message></Error>`; each field on one line.
fn parse_error_document(body: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(text) = std::str::from_utf8(body) else {
        return (None, None);
    };
    let Ok(doc) = roxmltree::Document::parse(text) else {
        return (None, None);
    };
    let root = doc.root_element();
    if root.tag_name().name() != "Error" {
        return (None, None);
    }
    let field = |name: &str| {
        root.children()
            .find(|n| n.is_element() && n.tag_name().name() == name)
            .and_then(|n| n.text())
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty())
            .map(|t| t.chars().take(500).collect::<String>())
    };
    (field("Code"), field("Message"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_documents_give_code_and_message_only() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated
  does not match.</Message><AWSAccessKeyId>AK</AWSAccessKeyId>
<StringToSign>AWS4-HMAC-SHA256&#xA;...</StringToSign></Error>"#;
        assert_eq!(
            parse_error_document(body),
            (
                Some("SignatureDoesNotMatch".into()),
                Some("The request signature we calculated does not match.".into())
            )
        );
        assert_eq!(parse_error_document(b"not xml"), (None, None));
        assert_eq!(parse_error_document(b"<Other/>"), (None, None));
    }

    #[test]
    fn locations_name_regions() {
        let ns = r#"xmlns="http://s3.amazonaws.com/doc/2006-03-01/""#;
        for (body, region) in [
            (format!("<LocationConstraint {ns}/>"), "us-east-1"),
            (
                format!("<LocationConstraint {ns}></LocationConstraint>"),
                "us-east-1",
            ),
            (
                format!("<LocationConstraint {ns}>EU</LocationConstraint>"),
                "eu-west-1",
            ),
            (
                format!("<LocationConstraint {ns}>ap-south-1</LocationConstraint>"),
                "ap-south-1",
            ),
        ] {
            assert_eq!(parse_location(body.as_bytes()).unwrap(), region, "{body}");
        }
        assert!(parse_location(b"<Error/>").is_err());
    }

    #[test]
    fn bucket_names_that_would_change_the_path_are_refused() {
        for bad in ["", ".", "..", "a/b", "a b", "a\nb"] {
            assert!(check_bucket(bad).is_err(), "{bad:?}");
        }
        check_bucket("my-bucket").unwrap();
        check_bucket("Legacy_Bucket.1").unwrap();
    }

    #[test]
    fn shown_keys_stay_on_one_line() {
        assert_eq!(shown("a\nb"), "a\\nb");
        assert_eq!(shown("é x"), "é x");
    }
}
