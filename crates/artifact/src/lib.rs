//! Flux-format artifacts: the tar.gz files source-controller serves and the other
//! controllers download.
//!
//! - [`build`] archives a directory deterministically, as source-controller's
//!   `Storage.Archive`, honouring [`Filter`] (`.sourceignore`, `spec.ignore`, Flux's
//!   default excludes) and returning the `sha256:` digest and size.
//! - [`extract`] unpacks an artifact safely: no `..`, absolute paths, links,
//!   devices or duplicates, and bounded by [`Limits`].
//! - [`Digest`] parses, prints and verifies `sha256:<hex>` digests.
//!
//! ```
//! use artifact::{Filter, Limits, build, extract};
//! let src = tempfile::tempdir().unwrap();
//! std::fs::write(src.path().join("app.yaml"), "kind: ConfigMap\n").unwrap();
//! let mut tgz = Vec::new();
//! let summary = build(src.path(), &Filter::source_ignore(vec![]), &mut tgz).unwrap();
//! assert_eq!(summary.digest.verify(&tgz[..]).unwrap(), summary.size);
//!
//! let dest = tempfile::tempdir().unwrap();
//! let out = extract(&tgz[..], dest.path(), Limits::default()).unwrap();
//! assert_eq!(out.files, 1);
//! ```

#[cfg(not(unix))]
compile_error!("the artifact crate relies on Unix file metadata and permissions");

mod build;
mod digest;
mod extract;
mod ignore;

use std::io;
use std::path::{Path, PathBuf};

pub use build::{DIR_MODE, EXE_FILE_MODE, FILE_MODE, Summary, build};
pub use digest::{Algorithm, Digest, Digester, VerifyingReader};
pub use extract::{Extracted, Limits, Refusal, extract};
pub use ignore::{
    Filter, IGNORE_FILE, Matcher, Pattern, default_patterns, load_ignore_patterns, read_patterns,
    vcs_patterns,
};

/// Everything that can go wrong here; messages name the path or entry involved.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{} is not a directory", .0.display())]
    NotADirectory(PathBuf),
    #[error("reading artifact: {0}")]
    Read(io::Error),
    #[error("writing artifact: {0}")]
    Write(io::Error),
    #[error("artifact refused: tar entry {name:?}: {reason}")]
    Refused { name: String, reason: Refusal },
    #[error("artifact refused: more than {limit} uncompressed bytes (reached at entry {name:?})")]
    TooLarge { limit: u64, name: String },
    #[error("artifact refused: more than {limit} tar entries")]
    TooManyEntries { limit: u64 },
    #[error("invalid digest {input:?}: {reason}")]
    InvalidDigest { input: String, reason: &'static str },
    #[error("digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch { expected: Digest, actual: Digest },
}

impl Error {
    fn io(path: impl AsRef<Path>, source: io::Error) -> Error {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
