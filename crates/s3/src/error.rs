//! Errors name the request as `METHOD /bucket/key` and carry what the server said (its S3
//! error code and message), never credentials or signatures: they end up in Bucket
//! conditions and events that anyone who can read the object sees.

use std::fmt;

/// Everything that can go wrong talking to an S3 endpoint.
#[derive(thiserror::Error, Debug)]
pub enum Error {
    /// `spec.endpoint` is not a `host[:port]`; the message says what it should be, not
    /// what it was.
    #[error("invalid S3 endpoint: {0}")]
    Endpoint(String),
    /// The client could not be built: CA, client certificate or proxy unusable.
    #[error("{0}")]
    Config(String),
    /// A bucket name or object key that cannot be put in a request.
    #[error("{0}")]
    Invalid(String),
    /// The request did not complete: connection refused, TLS failure, timeout, a broken body.
    #[error("S3 {method} {resource} ({endpoint}): {detail}")]
    Request {
        method: &'static str,
        /// As in [`Error::Http`].
        resource: String,
        /// `scheme://host[:port]` the request went to (with the bucket in it when
        /// virtual-hosted).
        endpoint: String,
        detail: String,
    },
    /// The server answered with an error status.
    #[error("S3 {method} {resource}: {status}{}", detail(code, message))]
    Http {
        method: &'static str,
        /// `/bucket/key` (path-style, whatever the addressing), maybe with the operation's
        /// query (`?location`, `?list-type=2`).
        resource: String,
        /// `403 Forbidden`.
        status: Status,
        /// The S3 error code (`NoSuchKey`, `SignatureDoesNotMatch`), when the body had one.
        code: Option<String>,
        message: Option<String>,
        /// The request named an object (not a bucket or the service).
        object: bool,
    },
    #[error("{what} exceeds the limit of {limit} bytes")]
    TooLarge { what: String, limit: u64 },
    #[error("listing bucket '{bucket}' stopped: it holds more than {limit} objects")]
    TooManyObjects { bucket: String, limit: usize },
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// A response that is not the XML S3 defines.
    #[error("S3 GET {resource}: malformed response: {detail}")]
    Xml { resource: String, detail: String },
    /// The listing's callback refused an object; its message as is.
    #[error("{0}")]
    Visit(String),
}

/// An HTTP status with its reason phrase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status(pub u16);

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match reqwest::StatusCode::from_u16(self.0)
            .ok()
            .and_then(|s| s.canonical_reason())
        {
            Some(reason) => write!(f, "{} {reason}", self.0),
            None => write!(f, "{}", self.0),
        }
    }
}

fn detail(code: &Option<String>, message: &Option<String>) -> String {
    match (code, message) {
        (Some(code), Some(message)) => format!(": {code}: {message}"),
        (Some(code), None) => format!(": {code}"),
        (None, Some(message)) => format!(": {message}"),
        (None, None) => String::new(),
    }
}

const UNAUTHORIZED_CODES: &[&str] = &[
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "TokenRefreshRequired",
    // Versity Gateway's answer (a 404) for an access key it does not know.
    "XAdminUserNotFound",
];

impl Error {
    /// The object does not exist (`NoSuchKey`, or a bodiless 404 on an object). A missing
    /// bucket is not this: it is a configuration error, not a race with a deletion.
    pub fn is_not_found(&self) -> bool {
        match self {
            Error::Http {
                status,
                code,
                object,
                ..
            } => match code.as_deref() {
                Some(code) => code == "NoSuchKey",
                None => *object && status.0 == 404,
            },
            _ => false,
        }
    }

    /// The S3 error code the server answered with.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Http { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// The server refused the credentials, or access with them (or without any).
    pub fn is_unauthorized(&self) -> bool {
        match self {
            Error::Http { status, code, .. } => {
                matches!(status.0, 401 | 403)
                    || code
                        .as_deref()
                        .is_some_and(|c| UNAUTHORIZED_CODES.contains(&c))
            }
            _ => false,
        }
    }

    /// The HTTP status of a server error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Http { status, .. } => Some(status.0),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16, code: Option<&str>, object: bool) -> Error {
        Error::Http {
            method: "GET",
            resource: "/bucket/key".into(),
            status: Status(status),
            code: code.map(str::to_string),
            message: code.map(|_| "The message.".to_string()),
            object,
        }
    }

    #[test]
    fn messages_name_the_request_and_the_servers_answer() {
        assert_eq!(
            http(403, Some("SignatureDoesNotMatch"), true).to_string(),
            "S3 GET /bucket/key: 403 Forbidden: SignatureDoesNotMatch: The message."
        );
        assert_eq!(
            http(404, None, true).to_string(),
            "S3 GET /bucket/key: 404 Not Found"
        );
    }

    #[test]
    fn classification() {
        assert!(http(404, Some("NoSuchKey"), true).is_not_found());
        assert!(http(404, None, true).is_not_found());
        assert!(!http(404, Some("NoSuchBucket"), true).is_not_found());
        assert!(!http(404, None, false).is_not_found());
        assert!(http(403, None, false).is_unauthorized());
        assert!(http(400, Some("InvalidAccessKeyId"), false).is_unauthorized());
        assert!(http(404, Some("XAdminUserNotFound"), false).is_unauthorized());
        assert!(!http(500, Some("InternalError"), false).is_unauthorized());
        assert_eq!(
            http(403, Some("AccessDenied"), false).code(),
            Some("AccessDenied")
        );
    }
}
