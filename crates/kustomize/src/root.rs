//! A confined filesystem root: every path the engine reads resolves inside it.

use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

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
    /// A directory's kustomization file given in memory (see [`Root::with_kustomization`]).
    kustomization: Option<Arc<(PathBuf, Vec<u8>)>>,
}

impl Root {
    /// Opens `dir` as a build root.
    pub fn new(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let dir = std::fs::canonicalize(dir).map_err(|source| io_error(dir, source))?;
        Ok(Self {
            dir,
            clamp_parent: false,
            kustomization: None,
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

    /// The same root, where `file` (the kustomization file of a canonical directory inside
    /// the root, e.g. `<dir>/kustomization.yaml`) reads as `bytes`, and replaces whatever
    /// kustomization file that directory holds on disk: a kustomization can be generated or
    /// amended for a build without writing into a tree that others read too (Flux writes
    /// into its own copy of the artifact; we share one extraction between builds).
    pub fn with_kustomization(mut self, file: PathBuf, bytes: Vec<u8>) -> Result<Self> {
        if !file.starts_with(&self.dir) || file.parent().is_none() {
            return Err(self.outside(&file));
        }
        self.kustomization = Some(Arc::new((file, bytes)));
        Ok(self)
    }

    /// The in-memory kustomization file of `dir`, if one was given.
    pub(crate) fn kustomization_of(&self, dir: &Path) -> Option<&Path> {
        let (file, _) = self.kustomization.as_deref()?;
        (file.parent() == Some(dir)).then_some(file.as_path())
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
        if let Some((file, bytes)) = self.kustomization.as_deref()
            && file == path
        {
            return Ok(bytes.clone());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_in_memory_kustomization_replaces_the_one_on_disk_without_writing() {
        let tmp = tempfile::tempdir().unwrap();
        let app = tmp.path().join("app");
        std::fs::create_dir(&app).unwrap();
        std::fs::write(app.join("kustomization.yml"), "resources: [cm.yaml]\n").unwrap();
        std::fs::write(
            app.join("cm.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
        )
        .unwrap();
        let root = Root::new(tmp.path()).unwrap();
        let app = root.path().join("app");
        let file = app.join("kustomization.yml");
        let amended = root
            .clone()
            .with_kustomization(
                file.clone(),
                b"resources: [cm.yaml]\nnamePrefix: x-\n".to_vec(),
            )
            .unwrap();
        assert_eq!(
            crate::kustomization::find(&amended, &app).unwrap(),
            Some(file.clone())
        );
        let built = crate::build_at(&amended, Path::new("app"), &Default::default()).unwrap();
        assert_eq!(built[0].name(), "x-cm");
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "resources: [cm.yaml]\n",
            "the file on disk is untouched"
        );
        let plain = crate::build_at(&root, Path::new("app"), &Default::default()).unwrap();
        assert_eq!(
            plain[0].name(),
            "cm",
            "the original root still reads the disk"
        );
        assert!(
            root.with_kustomization(PathBuf::from("/elsewhere/kustomization.yaml"), Vec::new())
                .is_err()
        );
    }
}
