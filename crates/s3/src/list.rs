//! ListObjectsV2 (`GET /bucket?list-type=2`), page by page with continuation tokens:
//! <https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html>.

use percent_encoding::percent_decode_str;
use reqwest::Method;

use crate::client::{Call, http_error, shown};
use crate::error::{Error, Result};
use crate::{Client, MAX_LIST_PAGE_SIZE, MAX_OBJECTS, Object, unquote_etag};

/// One page of a listing.
#[derive(Debug, Default, PartialEq)]
struct Page {
    objects: Vec<Object>,
    next: Option<String>,
}

impl Client {
    /// Every object whose key starts with `prefix` (no delimiter: the whole tree), in the
    /// server's order, handed to `visit` as it arrives. Stops at the first error of the
    /// server or of `visit` (returned as [`Error::Visit`]), and after [`MAX_OBJECTS`].
    pub async fn list_objects(
        &self,
        bucket: &str,
        prefix: Option<&str>,
        mut visit: impl FnMut(Object) -> std::result::Result<(), String>,
    ) -> Result<()> {
        let prefix = prefix.filter(|p| !p.is_empty());
        let mut token: Option<String> = None;
        let mut count = 0usize;
        loop {
            let mut call = Call::new(Method::GET, bucket, None);
            call.resource.push_str("?list-type=2");
            if let Some(prefix) = prefix {
                call.resource.push_str("&prefix=");
                call.resource.push_str(&shown(prefix));
            }
            // Keys may hold characters XML 1.0 cannot carry; the server then encodes them.
            call.query = vec![("list-type", "2"), ("encoding-type", "url")];
            if let Some(prefix) = prefix {
                call.query.push(("prefix", prefix));
            }
            if let Some(token) = &token {
                call.query.push(("continuation-token", token));
            }
            let response = self.send(&call).await?;
            if !response.status().is_success() {
                return Err(http_error(&call, response).await);
            }
            let body = self
                .read_capped(&call, response, MAX_LIST_PAGE_SIZE)
                .await?;
            let page = parse_page(&body).map_err(|detail| Error::Xml {
                resource: call.resource.clone(),
                detail,
            })?;
            for object in page.objects {
                count += 1;
                if count > MAX_OBJECTS {
                    return Err(Error::TooManyObjects {
                        bucket: bucket.to_string(),
                        limit: MAX_OBJECTS,
                    });
                }
                visit(object).map_err(Error::Visit)?;
            }
            match page.next {
                // A server that hands back the token it was given would list forever.
                Some(next) if token.as_deref() == Some(next.as_str()) => {
                    return Err(Error::Xml {
                        resource: call.resource,
                        detail: "the continuation token did not change between pages".into(),
                    });
                }
                Some(next) => token = Some(next),
                None => return Ok(()),
            }
        }
    }
}

/// A `<ListBucketResult>`; namespaces are ignored (servers differ in declaring one).
fn parse_page(body: &[u8]) -> std::result::Result<Page, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the listing is not UTF-8".to_string())?;
    let doc = roxmltree::Document::parse(text).map_err(|e| e.to_string())?;
    let root = doc.root_element();
    if root.tag_name().name() != "ListBucketResult" {
        return Err(format!(
            "expected <ListBucketResult>, found <{}>",
            root.tag_name().name()
        ));
    }
    let child_text = |node: roxmltree::Node<'_, '_>, name: &str| -> Option<String> {
        node.children()
            .find(|n| n.is_element() && n.tag_name().name() == name)
            .map(|n| n.text().unwrap_or_default().to_string())
    };
    // Only what the server says it encoded is decoded: some servers ignore the request.
    let url_encoded =
        child_text(root, "EncodingType").is_some_and(|e| e.trim().eq_ignore_ascii_case("url"));
    let mut page = Page::default();
    for contents in root
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == "Contents")
    {
        let raw_key = child_text(contents, "Key").ok_or("an entry without <Key>")?;
        let key = if url_encoded {
            decode_key(&raw_key)?
        } else {
            raw_key
        };
        let size =
            child_text(contents, "Size").ok_or_else(|| format!("object '{key}' has no <Size>"))?;
        let size = size
            .trim()
            .parse::<u64>()
            .map_err(|_| format!("object '{key}' has an invalid <Size> '{size}'"))?;
        let etag = child_text(contents, "ETag")
            .map(|e| unquote_etag(&e))
            .unwrap_or_default();
        page.objects.push(Object { key, etag, size });
    }
    let truncated = child_text(root, "IsTruncated").is_some_and(|t| t.trim() == "true");
    if truncated {
        let next = child_text(root, "NextContinuationToken")
            .filter(|t| !t.is_empty())
            .ok_or("the listing is truncated but has no <NextContinuationToken>")?;
        page.next = Some(next);
    }
    Ok(page)
}

/// `encoding-type=url` is form encoding: '+' stands for a space (a '+' comes as `%2B`).
fn decode_key(raw: &str) -> std::result::Result<String, String> {
    let spaced = raw.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .map(|k| k.into_owned())
        .map_err(|_| format!("key '{raw}' does not decode to UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_give_keys_etags_sizes_and_the_next_token() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <EncodingType>url</EncodingType>
  <Contents><Key>dir/a+b%2Bc%3D%C3%A9.yaml</Key><ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag><Size>5</Size></Contents>
  <Contents><Key>multi</Key><ETag>&#34;abc-2&#34;</ETag><Size>10485760</Size></Contents>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>"#;
        assert_eq!(
            parse_page(body).unwrap(),
            Page {
                objects: vec![
                    Object {
                        key: "dir/a b+c=é.yaml".into(),
                        etag: "5d41402abc4b2a76b9719d911017c592".into(),
                        size: 5
                    },
                    Object {
                        key: "multi".into(),
                        etag: "abc-2".into(),
                        size: 10_485_760
                    },
                ],
                next: Some("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=".into()),
            }
        );
    }

    #[test]
    fn keys_are_decoded_only_when_the_server_encoded_them() {
        let body =
            br#"<ListBucketResult><IsTruncated>false</IsTruncated><EncodingType></EncodingType>
  <Contents><Key>a+b%20c</Key><Size>1</Size></Contents></ListBucketResult>"#;
        let page = parse_page(body).unwrap();
        assert_eq!(page.objects[0].key, "a+b%20c");
        assert_eq!(page.objects[0].etag, "");
        assert_eq!(page.next, None);
    }

    #[test]
    fn malformed_pages_are_refused() {
        for (body, expected) in [
            (&b"<Error/>"[..], "expected <ListBucketResult>"),
            (
                b"<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
                "no <NextContinuationToken>",
            ),
            (
                b"<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>",
                "invalid <Size>",
            ),
            (
                b"<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
                "without <Key>",
            ),
            (
                b"<!DOCTYPE x [<!ENTITY a \"b\">]><ListBucketResult/>",
                "",
            ),
        ] {
            let err = parse_page(body).unwrap_err();
            assert!(err.contains(expected), "{err}");
        }
    }
}
