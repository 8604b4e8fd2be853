//! Where a request goes: the endpoint's scheme and authority, and whether a bucket is
//! addressed in the path (`host/bucket/key`) or the host name (`bucket.host/key`).

use url::Url;

use crate::error::{Error, Result};
use crate::sign::encode_path;

#[derive(Debug)]
pub(crate) struct Endpoint {
    pub scheme: &'static str,
    /// `host[:port]`, the port only when it is not the scheme's default: what the `Host`
    /// header carries, so what is signed.
    pub authority: String,
    /// Buckets there are reached as `bucket.host` when their names allow it: AWS (and
    /// GCS) endpoints, as minio-go's BucketLookupAuto does. Path-style elsewhere, since
    /// self-hosted servers rarely have wildcard DNS.
    virtual_hosted: bool,
    /// The region an AWS regional endpoint's name carries.
    pub region: Option<String>,
}

impl Endpoint {
    pub fn parse(endpoint: &str, insecure: bool) -> Result<Endpoint> {
        // The caller names the value; the message says what it should be.
        let refuse = || {
            Error::Endpoint(
                "spec.endpoint must be a host[:port] without scheme or path, e.g. \
                 s3.amazonaws.com"
                    .into(),
            )
        };
        if endpoint.is_empty()
            || endpoint.contains("://")
            || endpoint
                .chars()
                .any(|c| matches!(c, '/' | '\\' | '?' | '#' | '@') || c.is_whitespace())
        {
            return Err(refuse());
        }
        let scheme = if insecure { "http" } else { "https" };
        let url = Url::parse(&format!("{scheme}://{endpoint}/")).map_err(|_| refuse())?;
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(refuse)?;
        let authority = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        let host = host.to_ascii_lowercase();
        Ok(Endpoint {
            scheme,
            virtual_hosted: aws_host(&host).is_some() || host == "storage.googleapis.com",
            region: aws_host(&host).and_then(region_of),
            authority,
        })
    }

    /// The authority and encoded path of a request for `bucket` (and `key`), path-style
    /// when `path_style` or when the bucket cannot be a host name label.
    pub fn locate(&self, bucket: &str, key: Option<&str>, path_style: bool) -> (String, String) {
        let virtual_hosted = !path_style
            && self.virtual_hosted
            && dns_compatible(bucket)
            // A dotted name breaks the wildcard certificate's match.
            && !(self.scheme == "https" && bucket.contains('.'));
        let key = key.map(encode_path);
        if virtual_hosted {
            let path = match key {
                Some(key) => format!("/{key}"),
                None => "/".to_string(),
            };
            (format!("{bucket}.{}", self.authority), path)
        } else {
            let bucket = encode_path(bucket);
            let path = match key {
                Some(key) => format!("/{bucket}/{key}"),
                None => format!("/{bucket}"),
            };
            (self.authority.clone(), path)
        }
    }
}

/// For an AWS S3 host name, what precedes `.amazonaws.com` (or `.amazonaws.com.cn`) when
/// that is an S3 service name (`s3`, `s3.eu-west-1`, `s3-eu-west-1`, `s3.dualstack.x`).
fn aws_host(host: &str) -> Option<&str> {
    let service = host
        .strip_suffix(".amazonaws.com")
        .or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
    (service == "s3" || service.starts_with("s3.") || service.starts_with("s3-")).then_some(service)
}

/// `s3.eu-west-1` and `s3-eu-west-1` name eu-west-1; `s3.dualstack.eu-west-1` and
/// `s3-fips.us-east-1` too. Global and accelerated endpoints name none.
fn region_of(service: &str) -> Option<String> {
    let candidate = match service.rsplit_once('.') {
        Some((_, last)) => last,
        None => service.strip_prefix("s3-")?,
    };
    looks_like_region(candidate).then(|| candidate.to_string())
}

/// `eu-west-1`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-2`.
fn looks_like_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// Whether `bucket` can be a DNS label under the endpoint (the S3 bucket naming rules).
fn dns_compatible(bucket: &str) -> bool {
    let bytes = bucket.as_bytes();
    (3..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-'))
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && !bucket.contains("..")
        && !bucket.contains(".-")
        && !bucket.contains("-.")
        && bucket.parse::<std::net::Ipv4Addr>().is_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(endpoint: &str) -> Endpoint {
        Endpoint::parse(endpoint, false).unwrap_or_else(|e| panic!("{endpoint}: {e}"))
    }

    #[test]
    fn endpoints_are_host_and_port_only() {
        assert_eq!(
            parse("minio.example.com:9000").authority,
            "minio.example.com:9000"
        );
        assert_eq!(parse("S3.AmazonAWS.com").authority, "s3.amazonaws.com");
        assert_eq!(parse("[::1]:9000").authority, "[::1]:9000");
        // The default port is left out of the Host header, as HTTP clients send it.
        assert_eq!(parse("example.com:443").authority, "example.com");
        assert_eq!(
            Endpoint::parse("example.com:80", true).unwrap().authority,
            "example.com"
        );
        for bad in [
            "",
            "https://s3.amazonaws.com",
            "s3.amazonaws.com/bucket",
            "user@host",
            "host:port",
            "host:99999",
            "a b",
            "host?x",
        ] {
            let err = Endpoint::parse(bad, false).unwrap_err().to_string();
            assert!(
                err.contains("spec.endpoint must be a host[:port] without scheme or path"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn aws_endpoints_name_their_region() {
        let cases = [
            ("s3.amazonaws.com", None),
            ("s3.eu-west-1.amazonaws.com", Some("eu-west-1")),
            ("s3-us-west-2.amazonaws.com", Some("us-west-2")),
            (
                "s3.dualstack.ap-southeast-2.amazonaws.com",
                Some("ap-southeast-2"),
            ),
            ("s3-fips.us-gov-west-1.amazonaws.com", Some("us-gov-west-1")),
            ("s3.cn-north-1.amazonaws.com.cn", Some("cn-north-1")),
            ("s3-external-1.amazonaws.com", None),
            ("s3-accelerate.amazonaws.com", None),
            ("minio.local:9000", None),
            ("bucket.s3.amazonaws.com", None),
        ];
        for (endpoint, region) in cases {
            assert_eq!(parse(endpoint).region.as_deref(), region, "{endpoint}");
        }
    }

    #[test]
    fn aws_gets_virtual_hosted_requests_when_the_name_allows() {
        let aws = parse("s3.eu-west-1.amazonaws.com");
        assert_eq!(
            aws.locate("my-bucket", Some("a b/c.yaml"), false),
            (
                "my-bucket.s3.eu-west-1.amazonaws.com".to_string(),
                "/a%20b/c.yaml".to_string()
            )
        );
        assert_eq!(
            aws.locate("my-bucket", None, false),
            ("my-bucket.s3.eu-west-1.amazonaws.com".into(), "/".into())
        );
        // Dots break the certificate under HTTPS; uppercase and underscores are not DNS.
        for bucket in ["my.bucket", "My_Bucket", "ab", "192.168.1.1"] {
            assert_eq!(
                aws.locate(bucket, Some("k"), false).0,
                "s3.eu-west-1.amazonaws.com",
                "{bucket}"
            );
        }
        assert_eq!(
            aws.locate("my-bucket", Some("k"), true),
            ("s3.eu-west-1.amazonaws.com".into(), "/my-bucket/k".into())
        );
        let plain = Endpoint::parse("s3.amazonaws.com", true).unwrap();
        assert_eq!(
            plain.locate("my.bucket", None, false).0,
            "my.bucket.s3.amazonaws.com"
        );
        let minio = parse("minio.local:9000");
        assert_eq!(
            minio.locate("bucket", Some("x/y+z"), false),
            ("minio.local:9000".into(), "/bucket/x/y%2Bz".into())
        );
    }
}
