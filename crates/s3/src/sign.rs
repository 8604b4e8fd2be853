//! AWS Signature Version 4 for S3, header-based:
//! <https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html>.
//!
//! The client builds each request's path and query with [`encode_path`] and
//! [`canonical_query`] and sends exactly those strings, so what is signed is byte for byte
//! what goes on the wire; servers recompute the canonical request from what they receive.

use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::{Digest, Sha256};

use crate::Credentials;

/// SHA-256 of the empty body: what GET and HEAD sign as their payload. `UNSIGNED-PAYLOAD`
/// would do for AWS, but some S3-compatible servers refuse it on reads.
pub(crate) const EMPTY_PAYLOAD_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// AWS's URI encoding leaves only the unreserved characters alone; `percent_encoding`
/// writes uppercase hex, as AWS requires.
const QUERY_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// In S3 paths '/' separates segments and is not encoded (S3 does not double-encode paths).
const PATH: &AsciiSet = &QUERY_COMPONENT.remove(b'/');

/// `s` as a canonical S3 URI path (each segment encoded, '/' kept).
pub(crate) fn encode_path(s: &str) -> String {
    utf8_percent_encode(s, PATH).to_string()
}

/// `s` as a query-string key or value ('/' encoded too).
pub(crate) fn encode_component(s: &str) -> String {
    utf8_percent_encode(s, QUERY_COMPONENT).to_string()
}

/// The canonical query string: pairs encoded, sorted by key then value, joined with '&'.
/// Sent as is, so the server sees what was signed.
pub(crate) fn canonical_query(pairs: &[(&str, &str)]) -> String {
    let mut encoded: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (encode_component(k), encode_component(v)))
        .collect();
    encoded.sort();
    encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// What is signed of one request.
pub(crate) struct Request<'a> {
    pub method: &'a str,
    /// The `Host` header: the port only when it is not the scheme's default.
    pub host: &'a str,
    /// Already encoded with [`encode_path`].
    pub path: &'a str,
    /// Already canonical ([`canonical_query`]).
    pub query: &'a str,
    /// Headers signed besides `host`, `x-amz-content-sha256`, `x-amz-date` and
    /// `x-amz-security-token`; names in any case.
    pub headers: &'a [(&'a str, &'a str)],
    pub payload_sha256: &'a str,
}

/// The headers that carry a signature: `authorization`, `x-amz-date`,
/// `x-amz-content-sha256` and, with a session token, `x-amz-security-token`.
pub(crate) fn sign(
    request: &Request<'_>,
    credentials: &Credentials,
    region: &str,
    time: SystemTime,
) -> Vec<(&'static str, String)> {
    let (amz_date, date) = amz_date(time);
    let mut headers: Vec<(String, String)> = vec![
        ("host".into(), canonical_value(request.host)),
        (
            "x-amz-content-sha256".into(),
            request.payload_sha256.to_string(),
        ),
        ("x-amz-date".into(), amz_date.clone()),
    ];
    if let Some(token) = &credentials.session_token {
        headers.push(("x-amz-security-token".into(), canonical_value(token)));
    }
    headers.extend(
        request
            .headers
            .iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), canonical_value(value))),
    );
    headers.sort();
    let signed_headers = headers
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_headers: String = headers
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let canonical_request = format!(
        "{}\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{}",
        request.method, request.path, request.query, request.payload_sha256
    );
    let scope = format!("{date}/{region}/s3/aws4_request");
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let mut key = hmac(
        format!("AWS4{}", credentials.secret_key).as_bytes(),
        date.as_bytes(),
    );
    for part in [region, "s3", "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let signature = hex::encode(hmac(&key, string_to_sign.as_bytes()));
    let mut out = vec![
        (
            "authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential={}/{scope},SignedHeaders={signed_headers},\
                 Signature={signature}",
                credentials.access_key
            ),
        ),
        ("x-amz-date", amz_date),
        ("x-amz-content-sha256", request.payload_sha256.to_string()),
    ];
    if let Some(token) = &credentials.session_token {
        out.push(("x-amz-security-token", token.clone()));
    }
    out
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Header values are signed trimmed, with runs of spaces collapsed to one.
fn canonical_value(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `(YYYYMMDDTHHMMSSZ, YYYYMMDD)` in UTC.
fn amz_date(time: SystemTime) -> (String, String) {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    let date = format!("{y:04}{m:02}{d:02}");
    let full = format!(
        "{date}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    (full, date)
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day): Howard Hinnant's
/// `civil_from_days`, to spare a date-time dependency for one format.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn example_credentials() -> Credentials {
        Credentials {
            access_key: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        }
    }

    /// 20130524T000000Z, the time of the AWS documentation's examples.
    fn example_time() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_369_353_600)
    }

    fn header<'a>(headers: &'a [(&'static str, String)], name: &str) -> &'a str {
        headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name} in {headers:?}"))
    }

    #[test]
    fn aws_example_get_object_with_range() {
        let headers = sign(
            &Request {
                method: "GET",
                host: "examplebucket.s3.amazonaws.com",
                path: &encode_path("/test.txt"),
                query: "",
                headers: &[("Range", "bytes=0-9")],
                payload_sha256: EMPTY_PAYLOAD_SHA256,
            },
            &example_credentials(),
            "us-east-1",
            example_time(),
        );
        assert_eq!(
            header(&headers, "authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,\
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,\
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
        assert_eq!(header(&headers, "x-amz-date"), "20130524T000000Z");
        assert_eq!(
            header(&headers, "x-amz-content-sha256"),
            EMPTY_PAYLOAD_SHA256
        );
    }

    #[test]
    fn aws_example_list_objects() {
        let query = canonical_query(&[("prefix", "J"), ("max-keys", "2")]);
        assert_eq!(query, "max-keys=2&prefix=J");
        let headers = sign(
            &Request {
                method: "GET",
                host: "examplebucket.s3.amazonaws.com",
                path: "/",
                query: &query,
                headers: &[],
                payload_sha256: EMPTY_PAYLOAD_SHA256,
            },
            &example_credentials(),
            "us-east-1",
            example_time(),
        );
        assert!(
            header(&headers, "authorization").ends_with(
                ",SignedHeaders=host;x-amz-content-sha256;x-amz-date,\
                 Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"
            ),
            "{headers:?}"
        );
    }

    #[test]
    fn session_tokens_are_signed_and_sent() {
        let mut credentials = example_credentials();
        credentials.session_token = Some("token/with+chars".into());
        let headers = sign(
            &Request {
                method: "HEAD",
                host: "127.0.0.1:9000",
                path: "/bucket",
                query: "",
                headers: &[],
                payload_sha256: EMPTY_PAYLOAD_SHA256,
            },
            &credentials,
            "eu-west-1",
            example_time(),
        );
        assert!(
            header(&headers, "authorization").contains(
                "/20130524/eu-west-1/s3/aws4_request,\
                 SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"
            ),
            "{headers:?}"
        );
        assert_eq!(header(&headers, "x-amz-security-token"), "token/with+chars");
    }

    #[test]
    fn encoding_follows_aws_rules() {
        assert_eq!(
            encode_path("/bucket/a b+c=d/é~_-.txt"),
            "/bucket/a%20b%2Bc%3Dd/%C3%A9~_-.txt"
        );
        assert_eq!(encode_component("a/b c*"), "a%2Fb%20c%2A");
        assert_eq!(
            canonical_query(&[("prefix", "x/y"), ("list-type", "2"), ("a", "")]),
            "a=&list-type=2&prefix=x%2Fy"
        );
    }

    #[test]
    fn dates_are_utc_calendar_dates() {
        assert_eq!(
            amz_date(example_time()),
            ("20130524T000000Z".into(), "20130524".into())
        );
        assert_eq!(amz_date(UNIX_EPOCH).0, "19700101T000000Z");
        // A leap day, and the last second of a year.
        assert_eq!(
            amz_date(UNIX_EPOCH + Duration::from_secs(951_782_400 + 3_723)).0,
            "20000229T010203Z"
        );
        assert_eq!(
            amz_date(UNIX_EPOCH + Duration::from_secs(1_767_225_599)).0,
            "20251231T235959Z"
        );
    }

    #[test]
    fn header_values_are_trimmed_and_collapsed() {
        assert_eq!(canonical_value("  a   b  c "), "a b c");
    }
}
