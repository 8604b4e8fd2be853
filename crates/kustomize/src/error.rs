//! The engine's error type.

use std::path::PathBuf;

/// Everything that can go wrong while building a kustomization.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path inside the root, as the user wrote it.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A path does not exist.
    #[error("'{}' doesn't exist", .0.display())]
    NotFound(PathBuf),
    /// A path leaves the build root, or the kustomization directory under `root-only`.
    #[error("security; file '{}' is not in or below '{}'", path.display(), allowed.display())]
    OutsideRoot {
        /// The offending path.
        path: PathBuf,
        /// The directory it had to stay in.
        allowed: PathBuf,
    },
    /// Absolute paths are never followed.
    #[error("absolute path '{0}' refused: paths must be relative to the kustomization")]
    AbsolutePath(String),
    /// Remote bases and resources are refused.
    #[error("remote resource '{0}' refused: remote bases are not allowed")]
    Remote(String),
    /// A kustomization includes itself, directly or not.
    #[error("cycle detected: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
    /// A directory has no kustomization file.
    #[error(
        "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
        .0.display()
    )]
    MissingKustomization(PathBuf),
    /// A directory has more than one kustomization file.
    #[error(
        "Found multiple kustomization files under: {}",
        .0.display()
    )]
    MultipleKustomizations(PathBuf),
    /// A kustomization file is malformed.
    #[error("invalid Kustomization: {0}")]
    InvalidKustomization(String),
    /// A YAML document could not be parsed, or broke a parser limit.
    #[error("MalformedYAMLError: {message} in File: {}", path.display())]
    Yaml {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A resource lacks what every Kubernetes object has.
    #[error("invalid resource in {}: {message}", path.display())]
    InvalidResource {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Two resources share one id.
    #[error("may not add resource with an already registered id: {0}")]
    Conflict(String),
    /// A `resources` entry could not be accumulated.
    #[error("accumulating resources from '{entry}': {source}")]
    Accumulate {
        /// The entry as written in the kustomization.
        entry: String,
        /// Why.
        source: Box<Error>,
    },
    /// A kustomization of the wrong kind for where it is listed (a Component under
    /// `resources`, a Kustomization under `components`).
    #[error("{0}")]
    WrongKind(String),
    /// A `components` entry could not be applied (kustomize's wording: the step, then the
    /// quoted cause).
    #[error("accumulating components: {step} {message:?}")]
    Component {
        /// The step that failed: resolving the directory, or building it.
        step: &'static str,
        /// Why, as text: kustomize quotes the cause.
        message: String,
    },
    /// A component's own resources, generators or transformers failed.
    #[error("recursed accumulation of path '{}': {source}", path.display())]
    RecursedAccumulation {
        /// The component directory.
        path: PathBuf,
        /// Why.
        source: Box<Error>,
    },
    /// A kustomization field this engine does not implement yet (or refuses to run).
    #[error("{0}")]
    Unsupported(String),
}

/// The engine's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
