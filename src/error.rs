//! The one error type: each error has a kind that decides the exit code, a one-line
//! message naming what was wrong, and an optional hint.
use std::fmt;
use std::path::PathBuf;

/// What kind of failure this is; decides the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The user gave a bad value, flag, id or file content: exit 2, nothing written.
    BadInput,
    /// A runtime failure or a failed check: exit 1.
    Failed,
}

#[derive(Debug, thiserror::Error)]
pub struct Error {
    pub kind: Kind,
    pub message: String,
    pub hint: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Bad input (exit 2): `message` names the bad value and what is allowed.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Error { kind: Kind::BadInput, message: message.into(), hint: None }
    }

    /// Runtime failure (exit 1).
    pub fn failed(message: impl Into<String>) -> Self {
        Error { kind: Kind::Failed, message: message.into(), hint: None }
    }

    /// A file that does not parse: exit 1, with the path and line:column.
    pub fn corrupt(
        path: &std::path::Path,
        line: usize,
        column: usize,
        what: impl fmt::Display,
    ) -> Self {
        Error::failed(format!("{}:{line}:{column}: {what}", path.display()))
    }

    /// An I/O failure on `path`.
    pub fn io(path: impl Into<PathBuf>, err: std::io::Error) -> Self {
        Error::failed(format!("{}: {err}", path.into().display()))
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn exit_code(&self) -> u8 {
        match self.kind {
            Kind::BadInput => 2,
            Kind::Failed => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        // fs-err's io errors already name the path in their message.
        Error::failed(err.to_string())
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        Error::failed(err.to_string())
    }
}
