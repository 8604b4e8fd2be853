//! Downloading a source artifact, as fluxcd/pkg `http/fetch.ArchiveFetcher` does: GET with
//! retries, the digest checked over the exact bytes received, then a bounded extraction
//! (SECURITY 3-5) into a directory the caller owns and removes.

use std::io::{Seek, Write};
use std::path::Path;
use std::time::Duration;

/// Flux's retrying HTTP client waits 1s, doubling up to 30s, between attempts.
const RETRY_WAIT_MIN: Duration = Duration::from_secs(1);
const RETRY_WAIT_MAX: Duration = Duration::from_secs(30);
/// A stalled connection to the source controller must not hold a worker forever.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// The largest compressed artifact downloaded; the uncompressed cap is [`artifact::Limits`].
pub const MAX_DOWNLOAD_BYTES: u64 = 100 << 20;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The source controller has no such file (yet): Flux's `ErrFileNotFound`, retried at the
    /// dependency interval rather than reported as a failure of the Kustomization.
    #[error("artifact not found")]
    NotFound,
    #[error("{0}")]
    Failed(String),
}

impl From<std::io::Error> for FetchError {
    /// The local side failed (e.g. no temporary directory could be made).
    fn from(e: std::io::Error) -> Self {
        FetchError::Failed(format!("tmp dir error: {e}"))
    }
}

/// One HTTP client for every download of the process (connection reuse).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .expect("a plain HTTP client builds")
}

/// The artifact store of this process (`tk controller all`), when there is one: artifacts
/// it serves are read from disk rather than over HTTP.
pub struct LocalStore<'a> {
    pub root: &'a Path,
}

/// Downloads `url`, checks `digest` and extracts the archive into `dest` (an existing, empty
/// directory). `retries` more attempts are made after network errors and 5xx answers.
/// With a `local` store holding `path` (the artifact's path in the store, which `url` must end
/// with), the file is read from there instead.
pub async fn fetch(
    http: &reqwest::Client,
    url: &str,
    path: &str,
    digest: &str,
    dest: &Path,
    retries: u32,
    local: Option<LocalStore<'_>>,
) -> Result<(), FetchError> {
    let file = fetch_verified(http, url, path, digest, retries, local).await?;
    let dest = dest.to_path_buf();
    tokio::task::spawn_blocking(move || {
        artifact::extract(file, &dest, artifact::Limits::default())
            .map(|_| ())
            .map_err(|e| FetchError::Failed(format!("failed to extract archive: {e}")))
    })
    .await
    .map_err(|e| FetchError::Failed(format!("failed to extract archive: {e}")))?
}

/// The artifact file, downloaded (or read from the `local` store) and checked against
/// `digest`, positioned at its start.
pub async fn fetch_verified(
    http: &reqwest::Client,
    url: &str,
    path: &str,
    digest: &str,
    retries: u32,
    local: Option<LocalStore<'_>>,
) -> Result<std::fs::File, FetchError> {
    let expected: artifact::Digest = digest
        .parse()
        .map_err(|e| FetchError::Failed(format!("failed to verify artifact: {e}")))?;
    let shown = redact(url);
    let file = match local.and_then(|store| open_local(store.root, url, path)) {
        Some(file) => file,
        None => download_with_retries(http, url, &shown, retries).await?,
    };
    verify(file, expected).await
}

/// The stored file of an artifact this process serves; `None` (download instead) when the
/// path is not a plain relative path, the URL does not name it, or the file is gone.
fn open_local(root: &Path, url: &str, path: &str) -> Option<std::fs::File> {
    let relative = Path::new(path);
    let plain = !path.is_empty()
        && relative
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !plain || !url.ends_with(&format!("/{path}")) {
        return None;
    }
    std::fs::File::open(root.join(relative)).ok()
}

async fn download_with_retries(
    http: &reqwest::Client,
    url: &str,
    shown: &str,
    retries: u32,
) -> Result<std::fs::File, FetchError> {
    let mut attempt = 0u32;
    let file = loop {
        match download(http, url, shown).await {
            Ok(file) => break file,
            Err(Attempt::Final(err)) => return Err(err),
            Err(Attempt::Retry(message)) => {
                if attempt >= retries {
                    return Err(FetchError::Failed(format!(
                        "failed to download archive from {shown} after {} attempts: {message}",
                        attempt + 1
                    )));
                }
                let wait = RETRY_WAIT_MIN
                    .saturating_mul(1u32 << attempt.min(5))
                    .min(RETRY_WAIT_MAX);
                tracing::debug!(attempt, error = %message, "artifact download failed; retrying");
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
        }
    };
    Ok(file)
}

async fn verify(
    file: std::fs::File,
    expected: artifact::Digest,
) -> Result<std::fs::File, FetchError> {
    tokio::task::spawn_blocking(move || {
        let mut file = file;
        file.rewind().map_err(|e| {
            FetchError::Failed(format!("failed to read the downloaded archive: {e}"))
        })?;
        expected.verify(&mut file).map_err(|_| {
            FetchError::Failed(format!(
                "failed to verify artifact: computed digest doesn't match '{expected}'"
            ))
        })?;
        file.rewind().map_err(|e| {
            FetchError::Failed(format!("failed to read the downloaded archive: {e}"))
        })?;
        Ok(file)
    })
    .await
    .map_err(|e| FetchError::Failed(format!("failed to read the downloaded archive: {e}")))?
}

enum Attempt {
    Retry(String),
    Final(FetchError),
}

/// One GET, streamed into an anonymous temporary file with the size capped.
async fn download(
    http: &reqwest::Client,
    url: &str,
    shown: &str,
) -> Result<std::fs::File, Attempt> {
    let mut response = http
        .get(url)
        .send()
        .await
        .map_err(|e| Attempt::Retry(without_url(&e, url, shown)))?;
    let status = response.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Err(Attempt::Final(FetchError::NotFound));
    }
    if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        return Err(Attempt::Retry(format!("status: {status}")));
    }
    if !status.is_success() {
        return Err(Attempt::Final(FetchError::Failed(format!(
            "failed to download archive from {shown}, status: {status}"
        ))));
    }
    let final_error = |message: String| Attempt::Final(FetchError::Failed(message));
    let mut file = tempfile::tempfile()
        .map_err(|e| final_error(format!("failed to create a temporary file: {e}")))?;
    let mut received = 0u64;
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Attempt::Retry(without_url(&e, url, shown)))?
    {
        received += chunk.len() as u64;
        if received > MAX_DOWNLOAD_BYTES {
            return Err(final_error(format!(
                "failed to download archive from {shown}: larger than {MAX_DOWNLOAD_BYTES} bytes"
            )));
        }
        file.write_all(&chunk)
            .map_err(|e| final_error(format!("failed to write the downloaded archive: {e}")))?;
    }
    Ok(file)
}

/// reqwest's error text, with its causes, and the URL it names redacted (it may carry
/// credentials).
fn without_url(err: &reqwest::Error, url: &str, shown: &str) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text.replace(url, shown)
}

/// The URL without userinfo, query or fragment: what may appear in messages (SECURITY 21).
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.set_query(None);
            parsed.set_fragment(None);
            parsed.to_string()
        }
        Err(_) => "<invalid URL>".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_plain_paths_the_url_names_from_the_local_store() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("gitrepository/ns/app")).unwrap();
        std::fs::write(root.path().join("gitrepository/ns/app/a.tar.gz"), b"x").unwrap();
        let url = "http://127.0.0.1:9090/gitrepository/ns/app/a.tar.gz";
        assert!(open_local(root.path(), url, "gitrepository/ns/app/a.tar.gz").is_some());
        assert!(open_local(root.path(), url, "gitrepository/ns/app/b.tar.gz").is_none());
        assert!(open_local(root.path(), "http://h/../a.tar.gz", "../a.tar.gz").is_none());
        assert!(open_local(root.path(), "http://h//etc/passwd", "/etc/passwd").is_none());
    }

    #[test]
    fn messages_never_show_url_credentials_or_queries() {
        assert_eq!(
            redact("http://user:pw@source/x.tar.gz?sig=abc"),
            "http://source/x.tar.gz"
        );
        assert_eq!(redact("not a url"), "<invalid URL>");
    }
}
