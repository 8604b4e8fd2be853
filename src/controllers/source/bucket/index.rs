//! The bucket's etag index (Flux's `index.Digester`, `fetchEtagIndex`, `fetchIndexFiles`):
//! keys and ETags of the objects under `spec.prefix` that the root `.sourceignore` object and
//! `spec.ignore` let through; its digest is the revision. Fetching writes each object under
//! its key, refusing keys that would leave the artifact root.

use std::collections::BTreeMap;
use std::path::Path;

use futures::StreamExt;
use sha2::{Digest, Sha256};

use super::connect::Connected;
use crate::api::source::Bucket;
use crate::controllers::source::outcome::Failure;

pub mod reason {
    pub const BUCKET_OPERATION_FAILED: &str = "BucketOperationFailed";
}

/// The ignore file Flux reads from the bucket root (not from under `spec.prefix`).
const IGNORE_FILE: &str = ".sourceignore";
/// The largest `.sourceignore` object read.
const MAX_IGNORE_FILE: u64 = 1 << 20;
/// The bytes the fetched objects may add up to: the artifact cap (SECURITY.md 4).
pub const MAX_CONTENT_BYTES: u64 = 100 << 20;
/// Objects fetched at once. Flux runs up to 100 goroutines; each fetch here is a streamed
/// request, so the bound is about the storage server's patience rather than our memory.
const CONCURRENT_FETCHES: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    etag: String,
    size: u64,
}

/// Object keys to ETags, in key order.
#[derive(Debug, Default)]
pub struct EtagIndex {
    entries: BTreeMap<String, Entry>,
}

impl EtagIndex {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// `sha256:<hex>` of the sorted `"<key> <etag>\n"` lines, as Flux's `Digester.Digest`.
    pub fn revision(&self) -> String {
        let mut hasher = Sha256::new();
        for (key, entry) in &self.entries {
            hasher.update(key.as_bytes());
            hasher.update(b" ");
            hasher.update(entry.etag.as_bytes());
            hasher.update(b"\n");
        }
        format!("sha256:{:x}", hasher.finalize())
    }

    fn total_size(&self) -> u64 {
        self.entries.values().map(|e| e.size).sum()
    }
}

fn failure(message: String) -> Failure {
    Failure::retry(reason::BUCKET_OPERATION_FAILED, message)
}

/// Confirms the bucket exists, reads the root `.sourceignore` into `workdir` (so it goes into
/// the artifact, as in Flux) and lists the objects the ignore rules let through.
pub async fn fetch_index(
    connected: &Connected,
    obj: &Bucket,
    workdir: &Path,
) -> Result<EtagIndex, Failure> {
    let bucket = obj.spec.bucket_name.as_str();
    let client = &connected.client;
    let explain = |e: &s3::Error| connected.explain(e);
    match client.bucket_exists(bucket).await {
        Ok(true) => {}
        Ok(false) => return Err(failure(format!("bucket '{bucket}' not found"))),
        Err(e) => {
            return Err(failure(format!(
                "failed to confirm existence of '{bucket}' bucket: {}",
                explain(&e)
            )));
        }
    }
    let ignore_path = workdir.join(IGNORE_FILE);
    let ignore_text = match client
        .get_object(bucket, IGNORE_FILE, &ignore_path, MAX_IGNORE_FILE)
        .await
    {
        Ok(_) => {
            String::from_utf8_lossy(&std::fs::read(&ignore_path).unwrap_or_default()).into_owned()
        }
        Err(e) if e.is_not_found() => String::new(),
        Err(e) => {
            return Err(failure(format!(
                "failed to get Etag for '{IGNORE_FILE}' object: {}",
                explain(&e)
            )));
        }
    };
    let mut patterns = artifact::read_patterns(&ignore_text, &[]);
    // In-spec patterns come last, so they take precedence.
    if let Some(text) = &obj.spec.ignore {
        patterns.extend(artifact::read_patterns(text, &[]));
    }
    let matcher = artifact::Matcher::new(patterns);

    let mut index = EtagIndex::default();
    let listed = client
        .list_objects(bucket, obj.spec.prefix.as_deref(), |object| {
            if object.key.ends_with('/') || object.key == IGNORE_FILE {
                return Ok(());
            }
            let parts: Vec<&str> = object.key.split('/').collect();
            if matcher.is_excluded(&parts, false) {
                return Ok(());
            }
            check_key(&object.key)?;
            index.entries.insert(
                object.key,
                Entry {
                    etag: object.etag,
                    size: object.size,
                },
            );
            Ok(())
        })
        .await;
    if let Err(e) = listed {
        return Err(failure(format!(
            "indexation of objects from bucket '{bucket}' failed: {}",
            explain(&e)
        )));
    }
    let total = index.total_size();
    if total > MAX_CONTENT_BYTES {
        return Err(failure(format!(
            "indexation of objects from bucket '{bucket}' failed: the {} objects to fetch hold \
             {total} bytes, more than the {MAX_CONTENT_BYTES} an artifact may hold; narrow them \
             with spec.prefix or spec.ignore",
            index.len()
        )));
    }
    Ok(index)
}

/// A key that stays inside the artifact root once written as a path: no empty, `.` or `..`
/// segments, no leading `/`, no NUL (SECURITY.md 1).
fn check_key(key: &str) -> Result<(), String> {
    let bad = key.contains('\0')
        || key
            .split('/')
            .any(|segment| segment.is_empty() || segment == "." || segment == "..");
    if bad {
        return Err(format!(
            "object key '{}' cannot be stored as a file inside the artifact (empty, '.' or '..' \
             path segments): rename the object, or exclude it with spec.ignore",
            key.escape_debug()
        ));
    }
    Ok(())
}

enum Fetched {
    Stored { key: String, etag: String },
    Vanished { key: String },
}

/// Fetches every indexed object into `workdir` under its key, at most [`CONCURRENT_FETCHES`]
/// at a time. An object deleted since the listing leaves the index; one changed since gets
/// the ETag of what was fetched.
pub async fn fetch_objects(
    connected: &Connected,
    obj: &Bucket,
    index: &mut EtagIndex,
    workdir: &Path,
) -> Result<(), Failure> {
    let bucket = obj.spec.bucket_name.as_str();
    let client = &connected.client;
    let total = index.total_size();
    // What the others were listed with stays reserved: an object that grew since the
    // listing cannot push the sum past the cap.
    let budgets: Vec<(String, u64)> = index
        .entries
        .iter()
        .map(|(key, entry)| (key.clone(), MAX_CONTENT_BYTES - (total - entry.size)))
        .collect();
    let fetch = |(key, budget): (String, u64)| async move {
        match client
            .get_object(bucket, &key, &workdir.join(&key), budget)
            .await
        {
            Ok(fetched) => Ok(Fetched::Stored {
                key,
                etag: fetched.etag,
            }),
            Err(e) if e.is_not_found() => Ok(Fetched::Vanished { key }),
            Err(e) => Err(failure(format!(
                "fetch from bucket '{bucket}' failed: failed to get '{key}' object: {}",
                connected.explain(&e)
            ))),
        }
    };
    let mut results =
        futures::stream::iter(budgets.into_iter().map(fetch)).buffer_unordered(CONCURRENT_FETCHES);
    let mut changes = Vec::new();
    while let Some(result) = results.next().await {
        changes.push(result?);
    }
    drop(results);
    for change in changes {
        match change {
            Fetched::Stored { key, etag } => {
                if let Some(entry) = index.entries.get_mut(&key) {
                    entry.etag = etag;
                }
            }
            Fetched::Vanished { key } => {
                tracing::info!(key, bucket, "indexed object disappeared from the bucket");
                index.entries.remove(&key);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(entries: &[(&str, &str)]) -> EtagIndex {
        EtagIndex {
            entries: entries
                .iter()
                .map(|(k, e)| {
                    (
                        k.to_string(),
                        Entry {
                            etag: e.to_string(),
                            size: 1,
                        },
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn the_revision_is_the_digest_of_sorted_key_etag_lines() {
        let a = index(&[("b/c.yaml", "e2"), ("a.yaml", "e1")]);
        let expected = Sha256::digest(b"a.yaml e1\nb/c.yaml e2\n");
        assert_eq!(a.revision(), format!("sha256:{expected:x}"));
        // An empty bucket has the digest of nothing, as in Flux.
        assert_eq!(
            EtagIndex::default().revision(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_ne!(a.revision(), index(&[("a.yaml", "e1")]).revision());
        assert_ne!(
            a.revision(),
            index(&[("b/c.yaml", "e3"), ("a.yaml", "e1")]).revision()
        );
    }

    #[test]
    fn keys_that_would_leave_the_root_are_refused() {
        for ok in ["a.yaml", "dir/sub/a b+c=d.yaml", "ü/..x", "a..b"] {
            assert!(check_key(ok).is_ok(), "{ok}");
        }
        for bad in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            "a//b",
            "./a",
            "a/.",
            "a\0b",
        ] {
            let e = check_key(bad).unwrap_err();
            assert!(e.contains("spec.ignore"), "{e}");
        }
    }
}
