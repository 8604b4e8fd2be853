//! A real S3-compatible server on loopback: Versity Gateway (`versitygw posix`, built from
//! the Go module proxy by `hack/rig-build.sh --s3`, or `TK_S3_BIN`), storing buckets as
//! directories of a temporary directory, on plain HTTP or HTTPS from a fresh CA (the rig's
//! pki). It checks AWS Signature V4 as strictly as AWS does.
//!
//! Buckets and objects are managed with `curl --aws-sigv4`, a client independent of the
//! code under test, so what that code reads is what another S3 client wrote.
//!
//! If the binary cannot be built or the server does not start, the error says why, with
//! the tail of its log; nothing is skipped.
//!
//! ```no_run
//! use testenv::s3::{S3Options, S3Server};
//! # fn main() -> anyhow::Result<()> {
//! let server = S3Server::start(&S3Options::default())?;
//! server.create_bucket("manifests")?;
//! let etag = server.put_object("manifests", "apps/app.yaml", b"kind: ConfigMap\n")?;
//! let endpoint = server.endpoint(); // Bucket spec.endpoint, with spec.insecure: true
//! # let _ = (etag, endpoint); Ok(()) }
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use anyhow::{Context, Result, anyhow, bail};

use crate::procs::Component;

/// The region the server signs for (versitygw's default, passed explicitly so a `VGW_REGION`
/// in the environment cannot change it).
pub const REGION: &str = "us-east-1";

/// How to start a server; `Default` is plain HTTP with the keys `tkaccess` /
/// `tksecret-0123456789`.
#[derive(Clone, Debug)]
pub struct S3Options {
    /// Serve HTTPS with a certificate for 127.0.0.1 from a fresh CA ([`S3Server::ca_pem`]).
    pub tls: bool,
    /// The root account's access key: every request must be signed with it.
    pub access_key: String,
    pub secret_key: String,
}

impl Default for S3Options {
    fn default() -> Self {
        S3Options {
            tls: false,
            access_key: "tkaccess".into(),
            secret_key: "tksecret-0123456789".into(),
        }
    }
}

/// A running server; dropping it kills the process and removes its storage.
pub struct S3Server {
    dir: tempfile::TempDir,
    port: u16,
    options: S3Options,
    ca_pem: Option<String>,
    curl: PathBuf,
    process: Mutex<Component>,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.process
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .kill();
    }
}

/// What curl got back.
struct Answer {
    status: u16,
    headers: String,
    body: String,
}

impl S3Server {
    /// Starts a server on a free loopback port and waits until it answers HTTP.
    pub fn start(options: &S3Options) -> Result<S3Server> {
        if options.access_key.is_empty() || options.secret_key.is_empty() {
            bail!("the S3 server needs a non-empty access key and secret key");
        }
        let curl = crate::git::require_program("curl", "curl")?;
        let bin = crate::reference(crate::Reference::S3)?;
        let prefix = format!("tk-testenv-{}-s3-", std::process::id());
        let dir = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir()
            .context("creating a temporary directory for the S3 server")?;
        // The sidecar keeps object metadata in files, so the data directory needs no
        // extended attributes (tmpfs and overlayfs may not have them).
        for sub in ["data", "meta"] {
            std::fs::create_dir_all(dir.path().join(sub))?;
        }
        let ca_pem = if options.tls {
            let pki = crate::pki::Pki::generate().context("generating the S3 server's TLS")?;
            std::fs::write(dir.path().join("ca.crt"), &pki.ca.cert_pem)?;
            std::fs::write(dir.path().join("tls.crt"), &pki.serving.cert_pem)?;
            std::fs::write(dir.path().join("tls.key"), &pki.serving.key_pem)?;
            Some(pki.ca.cert_pem)
        } else {
            None
        };
        let (port, process) = crate::git::with_port_retry(|port| {
            let mut args = vec![
                "--access".to_string(),
                options.access_key.clone(),
                "--secret".into(),
                options.secret_key.clone(),
                "--region".into(),
                REGION.into(),
                "--port".into(),
                format!("127.0.0.1:{port}"),
                // Without it every request is logged to stdout.
                "--quiet".into(),
            ];
            if options.tls {
                for (flag, file) in [("--cert", "tls.crt"), ("--key", "tls.key")] {
                    args.push(flag.into());
                    args.push(dir.path().join(file).display().to_string());
                }
            }
            args.extend([
                "posix".into(),
                "--sidecar".into(),
                dir.path().join("meta").display().to_string(),
                dir.path().join("data").display().to_string(),
            ]);
            let mut process = Component::start("versitygw", &bin, &args, dir.path())?;
            match crate::http::wait_answering(&mut process, port, "/", ca_pem.as_deref(), |_| true)
            {
                Ok(()) => Ok((port, process)),
                Err(e) => {
                    process.kill();
                    Err(e)
                }
            }
        })
        .context("starting the S3 server (versitygw)")?;
        Ok(S3Server {
            dir,
            port,
            options: options.clone(),
            ca_pem,
            curl,
            process: Mutex::new(process),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:<port>`: what a Bucket's `spec.endpoint` holds (no scheme; plain HTTP
    /// needs `spec.insecure: true`).
    pub fn endpoint(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `http(s)://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        let scheme = if self.options.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.endpoint())
    }

    /// The CA (PEM) that signed the serving certificate, with [`S3Options::tls`].
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    pub fn access_key(&self) -> &str {
        &self.options.access_key
    }

    pub fn secret_key(&self) -> &str {
        &self.options.secret_key
    }

    /// The server's log (start-up messages and errors; requests are not logged).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("versitygw.log")).unwrap_or_default()
    }

    /// Checks the server process is still running, with its log tail when it is not.
    pub fn check_alive(&self) -> Result<()> {
        self.process
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .check_alive()
    }

    /// `PUT /<name>`. S3 bucket names: 3-63 lowercase letters, digits, '-' and '.'.
    pub fn create_bucket(&self, name: &str) -> Result<()> {
        self.expect(self.request("PUT", name, None, None)?, &[200], "PUT", name)
            .map(drop)
    }

    /// `PUT /<bucket>/<key>` with `bytes`; returns the object's ETag without its quotes.
    pub fn put_object(&self, bucket: &str, key: &str, bytes: &[u8]) -> Result<String> {
        let body = tempfile::NamedTempFile::new_in(self.dir.path())
            .context("creating a temporary file for an object")?;
        std::fs::write(body.path(), bytes)?;
        self.put_file(bucket, key, body.path())
    }

    /// `DELETE /<bucket>/<key>`; deleting a missing key succeeds, as in S3.
    pub fn delete_object(&self, bucket: &str, key: &str) -> Result<()> {
        let answer = self.request("DELETE", bucket, Some(key), None)?;
        self.expect(answer, &[200, 204], "DELETE", &format!("{bucket}/{key}"))
            .map(drop)
    }

    /// Uploads every regular file under `dir` as `<prefix><relative path>` ('/'-separated),
    /// a few at a time; returns the keys, sorted.
    pub fn put_dir(&self, bucket: &str, prefix: &str, dir: &Path) -> Result<Vec<String>> {
        let mut files = Vec::new();
        collect_files(dir, dir, &mut files)?;
        let mut uploads: Vec<(String, PathBuf)> = files
            .into_iter()
            .map(|(rel, path)| (format!("{prefix}{rel}"), path))
            .collect();
        uploads.sort();
        // One curl process per object; a few in parallel keep a thousand objects quick.
        let workers = 4.min(uploads.len().max(1));
        let chunk = uploads.len().div_ceil(workers).max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = uploads
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .try_for_each(|(key, path)| self.put_file(bucket, key, path).map(drop))
                    })
                })
                .collect();
            handles
                .into_iter()
                .try_for_each(|h| h.join().map_err(|_| anyhow!("an upload thread panicked"))?)
        })?;
        Ok(uploads.into_iter().map(|(key, _)| key).collect())
    }

    fn put_file(&self, bucket: &str, key: &str, path: &Path) -> Result<String> {
        let answer = self.request("PUT", bucket, Some(key), Some(path))?;
        let what = format!("{bucket}/{key}");
        let answer = self.expect(answer, &[200], "PUT", &what)?;
        answer
            .headers
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.trim()
                    .eq_ignore_ascii_case("etag")
                    .then(|| value.trim().trim_matches('"').to_string())
            })
            .ok_or_else(|| anyhow!("PUT {what}: no ETag in the response:\n{}", answer.headers))
    }

    fn expect(&self, answer: Answer, ok: &[u16], method: &str, what: &str) -> Result<Answer> {
        if ok.contains(&answer.status) {
            return Ok(answer);
        }
        Err(anyhow!(
            "S3 {method} /{what} answered {}: {}\nversitygw log:\n{}",
            answer.status,
            answer.body.trim(),
            crate::procs::tail(&self.dir.path().join("versitygw.log"), 20)
        ))
    }

    fn request(
        &self,
        method: &str,
        bucket: &str,
        key: Option<&str>,
        body: Option<&Path>,
    ) -> Result<Answer> {
        self.request_as(
            (&self.options.access_key, &self.options.secret_key),
            method,
            bucket,
            key,
            body,
        )
    }

    /// One signed request with curl. The path is encoded the way SigV4 canonicalises it,
    /// since curl signs the path it is given as is.
    fn request_as(
        &self,
        (access_key, secret_key): (&str, &str),
        method: &str,
        bucket: &str,
        key: Option<&str>,
        body: Option<&Path>,
    ) -> Result<Answer> {
        let mut url = format!("{}/{}", self.url(), aws_encode(bucket));
        if let Some(key) = key {
            url.push('/');
            url.push_str(&aws_encode(key));
        }
        let out = tempfile::NamedTempFile::new_in(self.dir.path())?;
        let headers = tempfile::NamedTempFile::new_in(self.dir.path())?;
        let mut cmd = Command::new(&self.curl);
        cmd.args(["-sS", "--noproxy", "*", "--path-as-is", "-X", method])
            .args(["--aws-sigv4", &format!("aws:amz:{REGION}:s3")])
            .args(["--user", &format!("{access_key}:{secret_key}")])
            .args(["-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD"])
            // curl waits for `100 Continue` before larger bodies; nothing gains from it here.
            .args(["-H", "Expect:"])
            .arg("-o")
            .arg(out.path())
            .arg("-D")
            .arg(headers.path())
            .args(["-w", "%{http_code}"]);
        if let Some(body) = body {
            cmd.args(["-H", "Content-Type: application/octet-stream"])
                .arg("--data-binary")
                .arg(format!("@{}", body.display()));
        }
        if self.options.tls {
            cmd.arg("--cacert").arg(self.dir.path().join("ca.crt"));
        }
        let output = cmd
            .arg(&url)
            .stdin(Stdio::null())
            .output()
            .context("running curl")?;
        let code = String::from_utf8_lossy(&output.stdout);
        let status = code.trim().parse::<u16>().unwrap_or(0);
        if !output.status.success() || status == 0 {
            bail!(
                "curl {method} {url} failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(Answer {
            status,
            headers: std::fs::read_to_string(headers.path()).unwrap_or_default(),
            body: String::from_utf8_lossy(&std::fs::read(out.path()).unwrap_or_default())
                .into_owned(),
        })
    }
}

/// SigV4's encoding of a path: unreserved characters and '/' as they are, every other byte
/// as uppercase `%XX`.
fn aws_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Regular files under `dir` as (path relative to `root` with '/' separators, full path).
fn collect_files(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect_files(root, &path, out)?;
        } else if kind.is_file() {
            let rel = path.strip_prefix(root).expect("under root");
            let parts: Vec<String> = rel
                .components()
                .map(|c| {
                    c.as_os_str()
                        .to_str()
                        .map(str::to_string)
                        .ok_or_else(|| anyhow!("{} is not UTF-8", path.display()))
                })
                .collect::<Result<_>>()?;
            out.push((parts.join("/"), path));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(server: &S3Server) {
        server.create_bucket("rig-bucket").unwrap();
        let etag = server
            .put_object("rig-bucket", "dir/a b+c=é.txt", b"hello")
            .unwrap();
        // S3's ETag of a single-part upload is the MD5 of its bytes.
        assert_eq!(etag, "5d41402abc4b2a76b9719d911017c592");
        let got = server
            .request("GET", "rig-bucket", Some("dir/a b+c=é.txt"), None)
            .unwrap();
        assert_eq!((got.status, got.body.as_str()), (200, "hello"));

        let wrong = server
            .request_as(
                (server.access_key(), "not-the-secret"),
                "GET",
                "rig-bucket",
                Some("dir/a b+c=é.txt"),
                None,
            )
            .unwrap();
        assert_eq!(wrong.status, 403, "{}", wrong.body);
        assert!(
            wrong.body.contains("SignatureDoesNotMatch"),
            "{}",
            wrong.body
        );

        server
            .delete_object("rig-bucket", "dir/a b+c=é.txt")
            .unwrap();
        let gone = server
            .request("GET", "rig-bucket", Some("dir/a b+c=é.txt"), None)
            .unwrap();
        assert_eq!(gone.status, 404, "{}", gone.body);
        assert!(gone.body.contains("NoSuchKey"), "{}", gone.body);

        let err = format!("{:#}", server.create_bucket("x").unwrap_err());
        assert!(err.contains("InvalidBucketName"), "{err}");
        server.check_alive().unwrap();
    }

    #[test]
    fn s3_server_signs_and_stores_objects() {
        let server = S3Server::start(&S3Options::default()).unwrap();
        assert!(server.url().starts_with("http://"));
        assert_eq!(server.ca_pem(), None);
        round_trip(&server);

        let src = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(src.path().join("a/b")).unwrap();
        std::fs::write(src.path().join("top.yaml"), "1").unwrap();
        std::fs::write(src.path().join("a/b/deep.yaml"), "2").unwrap();
        let keys = server.put_dir("rig-bucket", "p/", src.path()).unwrap();
        assert_eq!(keys, ["p/a/b/deep.yaml", "p/top.yaml"]);
        let got = server
            .request("GET", "rig-bucket", Some("p/a/b/deep.yaml"), None)
            .unwrap();
        assert_eq!((got.status, got.body.as_str()), (200, "2"));
    }

    #[test]
    fn s3_server_serves_https_from_its_own_ca() {
        let server = S3Server::start(&S3Options {
            tls: true,
            ..S3Options::default()
        })
        .unwrap();
        assert!(server.url().starts_with("https://127.0.0.1:"));
        assert!(
            server
                .ca_pem()
                .unwrap()
                .starts_with("-----BEGIN CERTIFICATE-----")
        );
        round_trip(&server);
    }

    #[test]
    fn keys_are_encoded_as_sigv4_canonicalises_them() {
        assert_eq!(aws_encode("a b+c=é/~x_-.y"), "a%20b%2Bc%3D%C3%A9/~x_-.y");
    }
}
