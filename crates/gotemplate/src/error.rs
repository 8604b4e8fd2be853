use std::fmt;

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The template text does not parse (`template: NAME:LINE: ...`).
    Parse,
    /// Execution failed (`template: NAME:LINE:COL: executing "NAME" at <...>: ...`).
    Exec,
    /// A [`crate::Limits`] bound was exceeded.
    Limit,
    /// The named template does not exist or is empty.
    NoTemplate,
    /// An unknown [`crate::Template::option`].
    Option,
}

/// A parse or execution error, with Go's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
