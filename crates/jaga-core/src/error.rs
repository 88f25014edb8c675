//! The core's error type: one [`Error`] with a [`ErrorKind`] saying what to fix.

use std::fmt;

/// What went wrong, so a caller can react (an exit code, a 422) without parsing messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The rule files: a lint error, a broken expression, an unreadable directory.
    Rules,
    /// `policy.toml`: unreadable, malformed, or a value out of range.
    Policy,
    /// The link lists under `lists/`.
    Links,
    /// The classifier file.
    Model,
}

/// An error of the core: its kind and a message written for the admin who must fix it.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    /// An error of `kind` caused by `source` (its message is the error's message).
    pub fn new(kind: ErrorKind, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        Error {
            kind,
            message: source.to_string(),
            source: Some(Box::new(source)),
        }
    }

    /// An error of `kind` with a message.
    pub fn msg(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The lint diagnostics behind an [`ErrorKind::Rules`] error, when there are some.
    pub fn diagnostics(&self) -> Option<&crate::rules::LoadError> {
        self.source.as_ref()?.downcast_ref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
