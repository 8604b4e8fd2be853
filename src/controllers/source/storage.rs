//! The artifact store: `<root>/<kind>/<namespace>/<name>/<file>`, as source-controller lays
//! it out, written atomically (temp file + rename, so a reader never sees half an archive)
//! and garbage-collected by age and count.

use std::fs;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use artifact::Summary;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("storage {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("building the artifact: {0}")]
    Build(#[from] artifact::Error),
    #[error("artifact path {0:?} escapes the storage root")]
    Escapes(String),
}

type Result<T, E = StorageError> = std::result::Result<T, E>;

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> StorageError + '_ {
    move |source| StorageError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What a stored file is: its path relative to the root, digest and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub path: String,
    pub digest: String,
    pub size: u64,
}

#[derive(Debug, Clone)]
pub struct Storage {
    root: PathBuf,
    /// host:port other controllers reach the file server at.
    advertised: String,
}

impl Storage {
    pub fn new(root: impl Into<PathBuf>, advertised: impl Into<String>) -> Result<Storage> {
        let root = root.into();
        fs::create_dir_all(&root).map_err(io_err(&root))?;
        Ok(Storage {
            root,
            advertised: advertised.into(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `<kind>/<namespace>/<name>` with the kind lower-cased, as Flux names the directory.
    pub fn object_dir(kind: &str, namespace: &str, name: &str) -> String {
        format!("{}/{namespace}/{name}", kind.to_lowercase())
    }

    /// The URL the file server serves a stored path at.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{path}", self.advertised)
    }

    /// Resolves a stored path, refusing anything that could leave the root.
    pub fn local_path(&self, path: &str) -> Result<PathBuf> {
        // Stored paths are ours (`kind/ns/name/file`), so anything but plain segments is
        // refused rather than normalised.
        let confined = path
            .split('/')
            .all(|segment| !segment.is_empty() && segment != "." && segment != "..");
        if !confined {
            return Err(StorageError::Escapes(path.to_string()));
        }
        Ok(self.root.join(path))
    }

    pub fn exists(&self, path: &str) -> bool {
        self.local_path(path).is_ok_and(|p| p.is_file())
    }

    /// Archives `source` into `<dir>/<file_name>` and returns what was stored. The archive is
    /// streamed into a temp file beside the target, so memory stays flat whatever the size.
    pub fn archive(
        &self,
        dir: &str,
        file_name: &str,
        source: &Path,
        filter: &artifact::Filter,
    ) -> Result<StoredFile> {
        let path = format!("{dir}/{file_name}");
        let target = self.local_path(&path)?;
        let parent = target.parent().expect("stored paths have a directory");
        fs::create_dir_all(parent).map_err(io_err(parent))?;
        let temp = tempfile::NamedTempFile::new_in(parent).map_err(io_err(parent))?;
        let mut out = BufWriter::new(temp);
        let Summary { digest, size, .. } = artifact::build(source, filter, &mut out)?;
        let temp = out.into_inner().map_err(|e| StorageError::Io {
            path: target.clone(),
            source: e.into_error(),
        })?;
        temp.as_file().sync_all().map_err(io_err(&target))?;
        temp.persist(&target).map_err(|e| StorageError::Io {
            path: target.clone(),
            source: e.error,
        })?;
        Ok(StoredFile {
            path,
            digest: digest.to_string(),
            size,
        })
    }

    /// Streams `data` into `<dir>/<file_name>` and returns what was stored, with the digest
    /// of the bytes written.
    pub fn store(&self, dir: &str, file_name: &str, mut data: impl io::Read) -> Result<StoredFile> {
        let path = format!("{dir}/{file_name}");
        let target = self.local_path(&path)?;
        let parent = target.parent().expect("stored paths have a directory");
        fs::create_dir_all(parent).map_err(io_err(parent))?;
        let temp = tempfile::NamedTempFile::new_in(parent).map_err(io_err(parent))?;
        let mut out = Tee {
            inner: BufWriter::new(temp),
            digest: artifact::Digester::new(artifact::Algorithm::Sha256),
        };
        let size = io::copy(&mut data, &mut out).map_err(io_err(&target))?;
        let temp = out.inner.into_inner().map_err(|e| StorageError::Io {
            path: target.clone(),
            source: e.into_error(),
        })?;
        temp.as_file().sync_all().map_err(io_err(&target))?;
        temp.persist(&target).map_err(|e| StorageError::Io {
            path: target.clone(),
            source: e.error,
        })?;
        Ok(StoredFile {
            path,
            digest: out.digest.finish().to_string(),
            size,
        })
    }

    /// Points `<dir of stored>/<link_name>` at the stored file (Flux's `index.yaml` and
    /// `latest.tar.gz`, which `status.url` names), replacing any older link atomically.
    pub fn symlink(&self, stored: &str, link_name: &str) -> Result<String> {
        let target = self.local_path(stored)?;
        let (dir, file) = stored
            .rsplit_once('/')
            .expect("stored paths have a directory");
        let link_path = format!("{dir}/{link_name}");
        let link = self.local_path(&link_path)?;
        let temp = target.with_file_name(format!(".{link_name}.tmp"));
        let _ = fs::remove_file(&temp);
        std::os::unix::fs::symlink(file, &temp).map_err(io_err(&temp))?;
        fs::rename(&temp, &link).map_err(io_err(&link))?;
        Ok(self.url(&link_path))
    }

    /// Deletes files in `dir` other than `keep`, beyond the newest `records` or older than
    /// `ttl`. Returns the deleted paths.
    pub fn garbage_collect(
        &self,
        dir: &str,
        keep: &str,
        records: usize,
        ttl: Duration,
    ) -> Result<Vec<String>> {
        let local = self.local_path(dir)?;
        let entries = match fs::read_dir(&local) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err(&local)(e)),
        };
        let mut files: Vec<(SystemTime, String)> = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io_err(&local))?;
            let meta = entry.metadata().map_err(io_err(&local))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            // Temp files of an archive in progress start with a dot; never collect them.
            if !meta.is_file() || name.starts_with('.') {
                continue;
            }
            let path = format!("{dir}/{name}");
            if path != keep {
                files.push((meta.modified().unwrap_or(SystemTime::UNIX_EPOCH), path));
            }
        }
        files.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
        let now = SystemTime::now();
        // The current artifact counts as one of the records kept.
        let others_kept = records.saturating_sub(1);
        let mut deleted = Vec::new();
        for (index, (modified, path)) in files.into_iter().enumerate() {
            let expired = now.duration_since(modified).unwrap_or_default() > ttl;
            if index >= others_kept || expired {
                let local = self.local_path(&path)?;
                fs::remove_file(&local).map_err(io_err(&local))?;
                deleted.push(path);
            }
        }
        Ok(deleted)
    }

    /// Removes everything stored for one object (the finalizer's job).
    pub fn remove_all(&self, dir: &str) -> Result<()> {
        let local = self.local_path(dir)?;
        match fs::remove_dir_all(&local) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_err(&local)(e)),
            _ => Ok(()),
        }
    }
}

/// Writes through to `inner` while hashing.
struct Tee<W> {
    inner: W,
    digest: artifact::Digester,
}

impl<W: io::Write> io::Write for Tee<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.digest.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::fs::File;

    use super::*;

    fn storage() -> (tempfile::TempDir, Storage) {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(
            dir.path().join("data"),
            "source-controller.flux-system.svc.cluster.local.",
        )
        .unwrap();
        (dir, storage)
    }

    #[test]
    fn archives_into_the_object_directory() {
        let (dir, storage) = storage();
        let src = dir.path().join("src");
        fs::create_dir_all(&src).unwrap();
        fs::write(src.join("a.yaml"), "a: 1\n").unwrap();
        let object = Storage::object_dir("GitRepository", "flux-system", "podinfo");
        let stored = storage
            .archive(&object, "abc.tar.gz", &src, &artifact::Filter::none())
            .unwrap();
        assert_eq!(stored.path, "gitrepository/flux-system/podinfo/abc.tar.gz");
        assert!(stored.digest.starts_with("sha256:"));
        let on_disk = fs::metadata(storage.local_path(&stored.path).unwrap()).unwrap();
        assert_eq!(on_disk.len(), stored.size);
        assert_eq!(
            storage.url(&stored.path),
            "http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/podinfo/abc.tar.gz"
        );
    }

    #[test]
    fn stores_files_and_links_the_latest() {
        let (_dir, storage) = storage();
        let object = Storage::object_dir("HelmChart", "ns", "app");
        let stored = storage
            .store(&object, "app-1.0.0.tgz", &b"chart bytes"[..])
            .unwrap();
        assert_eq!(stored.path, "helmchart/ns/app/app-1.0.0.tgz");
        assert_eq!(stored.size, 11);
        assert_eq!(
            stored.digest,
            artifact::Digest::of_reader(artifact::Algorithm::Sha256, &b"chart bytes"[..])
                .unwrap()
                .0
                .to_string()
        );
        let url = storage.symlink(&stored.path, "latest.tar.gz").unwrap();
        assert!(url.ends_with("/helmchart/ns/app/latest.tar.gz"), "{url}");
        let second = storage.store(&object, "app-2.0.0.tgz", &b"v2"[..]).unwrap();
        storage.symlink(&second.path, "latest.tar.gz").unwrap();
        let link = storage
            .local_path("helmchart/ns/app/latest.tar.gz")
            .unwrap();
        assert_eq!(fs::read(&link).unwrap(), b"v2");
        // The link is never collected, and never counted as an artifact.
        let deleted = storage
            .garbage_collect(&object, &second.path, 1, Duration::from_secs(3600))
            .unwrap();
        assert_eq!(deleted, vec![stored.path]);
        assert!(link.exists());
    }

    #[test]
    fn refuses_paths_escaping_the_root() {
        let (_dir, storage) = storage();
        for bad in ["../etc/passwd", "/etc/passwd", "a/../../b", "", "a/./b"] {
            assert!(storage.local_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn garbage_collection_keeps_current_and_newest_records() {
        let (_dir, storage) = storage();
        let object = "gitrepository/ns/app";
        let local = storage.local_path(object).unwrap();
        fs::create_dir_all(&local).unwrap();
        for (i, name) in ["1.tar.gz", "2.tar.gz", "3.tar.gz", "4.tar.gz"]
            .iter()
            .enumerate()
        {
            let path = local.join(name);
            fs::write(&path, "x").unwrap();
            let time = SystemTime::now() - Duration::from_secs(10 - i as u64);
            File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(time)
                .unwrap();
        }
        fs::write(local.join(".tmp123"), "partial").unwrap();
        let deleted = storage
            .garbage_collect(
                object,
                &format!("{object}/4.tar.gz"),
                2,
                Duration::from_secs(3600),
            )
            .unwrap();
        assert_eq!(
            deleted,
            vec![format!("{object}/2.tar.gz"), format!("{object}/1.tar.gz")]
        );
        assert!(storage.exists(&format!("{object}/3.tar.gz")));
        assert!(local.join(".tmp123").exists());
        // A short TTL removes every older file but never the current one.
        storage
            .garbage_collect(
                object,
                &format!("{object}/4.tar.gz"),
                2,
                Duration::from_secs(1),
            )
            .unwrap();
        assert!(!storage.exists(&format!("{object}/3.tar.gz")));
        assert!(storage.exists(&format!("{object}/4.tar.gz")));
        storage.remove_all(object).unwrap();
        assert!(!local.exists());
        storage.remove_all(object).unwrap();
    }
}
