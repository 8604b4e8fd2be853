//! A confined filesystem root: every path the engine reads resolves inside it.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// The largest file the engine reads (SECURITY 9: huge inputs are refused, not buffered).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A build root. Paths handed to it are relative to a directory inside it; they are
/// resolved (symlinks included) and refused when the result leaves the root.
#[derive(Debug, Clone)]
pub struct Root {
    dir: PathBuf,
    /// Whether `..` at the root stays at the root instead of being refused.
    clamp_parent: bool,
}

impl Root {
    /// Opens `dir` as a build root.
    pub fn new(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let dir = std::fs::canonicalize(dir).map_err(|source| io_error(dir, source))?;
        Ok(Self {
            dir,
            clamp_parent: false,
        })
    }

    /// Opens `dir` as a build root where `..` at the root stays at the root, as `/..` does
    /// in a chroot and in the in-memory file system of kustomize's test harness (whose
    /// cases rely on it). Nothing outside the root becomes reachable; a path that climbs
    /// too far just means something else than it would on disk, so [`Root::new`], which
    /// refuses such paths, is the one for real builds.
    pub fn new_clamped(dir: impl AsRef<Path>) -> Result<Self> {
        let mut root = Self::new(dir)?;
        root.clamp_parent = true;
        Ok(root)
    }

    /// The canonical root directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// A path inside the root shown the way kustomize's harness shows it (`/base/x.yaml`).
    pub fn display(&self, path: &Path) -> PathBuf {
        match path.strip_prefix(&self.dir) {
            Ok(rel) => Path::new("/").join(rel),
            Err(_) => path.to_path_buf(),
        }
    }

    /// Resolves `entry`, relative to `from` (a canonical directory inside the root), to a
    /// canonical path inside the root. `..` is allowed while it stays inside; symlinks are
    /// followed and refused when their target leaves the root; absolute paths are refused.
    pub fn resolve(&self, from: &Path, entry: &str) -> Result<PathBuf> {
        if Path::new(entry).is_absolute() {
            return Err(Error::AbsolutePath(entry.to_string()));
        }
        let mut joined = from.to_path_buf();
        for part in Path::new(entry).components() {
            match part {
                Component::CurDir => {}
                Component::ParentDir if self.clamp_parent && joined == self.dir => {}
                Component::ParentDir => {
                    if !joined.pop() {
                        return Err(self.outside(&joined));
                    }
                }
                Component::Normal(p) => joined.push(p),
                Component::RootDir | Component::Prefix(_) => {
                    return Err(Error::AbsolutePath(entry.to_string()));
                }
            }
            if !joined.starts_with(&self.dir) {
                return Err(self.outside(&joined));
            }
        }
        let canonical = match std::fs::canonicalize(&joined) {
            Ok(p) => p,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // A dangling symlink inside the root may still point outside it: say so.
                if std::fs::symlink_metadata(&joined).is_ok() {
                    return Err(self.outside(&joined));
                }
                return Err(Error::NotFound(self.display(&joined)));
            }
            Err(source) => return Err(io_error(&self.display(&joined), source)),
        };
        if !canonical.starts_with(&self.dir) {
            return Err(self.outside(&joined));
        }
        Ok(canonical)
    }

    /// Reads a canonical file inside the root, at most [`MAX_FILE_BYTES`].
    pub fn read(&self, path: &Path) -> Result<Vec<u8>> {
        if !path.starts_with(&self.dir) {
            return Err(self.outside(path));
        }
        let file = std::fs::File::open(path).map_err(|e| io_error(&self.display(path), e))?;
        let mut buf = Vec::new();
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| io_error(&self.display(path), e))?;
        if buf.len() as u64 > MAX_FILE_BYTES {
            return Err(Error::Yaml {
                path: self.display(path),
                message: format!("file larger than {MAX_FILE_BYTES} bytes"),
            });
        }
        Ok(buf)
    }

    fn outside(&self, path: &Path) -> Error {
        Error::OutsideRoot {
            path: path.to_path_buf(),
            allowed: self.dir.clone(),
        }
    }
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}
