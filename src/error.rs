//! The one error type: each error has a kind that decides the exit code, a one-line
//! message naming what was wrong, the chain of causes behind it, and an optional hint.
//!
//! Exit codes: 0 ok (and a closed stdout, see [`Kind::BrokenPipe`]), 1 runtime failure or
//! failed check, 2 bad input, 3 internal error (a bug in tmux-ide).
use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::path::PathBuf;

/// A cause kept behind an [`Error`] (an `io::Error`, a parser's error, another `Error`).
pub type Source = Box<dyn StdError + Send + Sync + 'static>;

/// What kind of failure this is; decides the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The user gave a bad value, flag, id or file content: exit 2, nothing written.
    BadInput,
    /// A runtime failure or a failed check: exit 1.
    Failed,
    /// Stdout was closed by its reader (`tmux-ide task list | head -1`): nothing more
    /// can be said to anyone, so the process ends quietly with exit 0, as ripgrep does.
    /// Only writes to stdout get this kind; a broken pipe anywhere else is [`Kind::Failed`].
    BrokenPipe,
    /// tmux-ide broke one of its own invariants: exit 3, distinct from anything a user
    /// or the environment can cause.
    Internal,
}

impl Kind {
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::BadInput => 2,
            Kind::Failed => 1,
            Kind::BrokenPipe => 0,
            Kind::Internal => 3,
        }
    }
}

#[derive(Debug)]
pub struct Error {
    pub kind: Kind,
    pub message: String,
    pub hint: Option<String>,
    pub(crate) source: Option<Source>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    fn new(kind: Kind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), hint: None, source: None }
    }

    /// Bad input (exit 2): `message` names the bad value and what is allowed.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Error::new(Kind::BadInput, message)
    }

    /// Runtime failure (exit 1).
    pub fn failed(message: impl Into<String>) -> Self {
        Error::new(Kind::Failed, message)
    }

    /// A broken invariant of tmux-ide itself (exit 3).
    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(Kind::Internal, message)
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

    /// An I/O failure on `path`; the `io::Error` stays the cause.
    pub fn io(path: impl Into<PathBuf>, err: io::Error) -> Self {
        Error::failed(format!("{}: {err}", path.into().display())).caused_by(err)
    }

    /// Keeps `source` as the cause (printed as `Caused by:` unless the message already
    /// says it). A closed stdout anywhere in the chain makes this a quiet broken pipe.
    pub fn caused_by(mut self, source: impl Into<Source>) -> Self {
        let source = source.into();
        if chain(Some(&*source as &(dyn StdError + 'static))).any(is_stdout_closed) {
            self.kind = Kind::BrokenPipe;
        }
        self.source = Some(source);
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn exit_code(&self) -> u8 {
        self.kind.exit_code()
    }

    /// The causes, outermost first.
    pub fn causes(&self) -> impl Iterator<Item = &(dyn StdError + 'static)> {
        chain(self.source.as_deref().map(|s| s as &(dyn StdError + 'static)))
    }

    /// What the user sees on stderr: `error: …`, a `Caused by: …` line for each cause
    /// the lines above do not already say, and `hint: …`. Empty for a closed stdout.
    pub fn render(&self) -> String {
        if self.kind == Kind::BrokenPipe {
            return String::new();
        }
        let mut out = format!("error: {}\n", self.message);
        for cause in self.causes() {
            let text = cause.to_string();
            if !text.is_empty() && !out.contains(&text) {
                out.push_str(&format!("Caused by: {text}\n"));
            }
        }
        if let Some(hint) = &self.hint {
            out.push_str(&format!("hint: {hint}\n"));
        }
        out
    }
}

fn chain<'a>(
    first: Option<&'a (dyn StdError + 'static)>,
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(first, |&e| e.source())
}

/// An error writing to stdout, told apart from every other I/O error so that only a
/// closed stdout ends the process quietly (a closed pipe into tmux is a real failure).
#[derive(Debug)]
struct StdoutError(io::Error);

impl fmt::Display for StdoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "writing to stdout: {}", self.0)
    }
}

impl StdError for StdoutError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.0)
    }
}

/// Marks an error from writing to stdout (see [`Kind::BrokenPipe`]).
pub fn on_stdout(err: io::Error) -> io::Error {
    io::Error::new(err.kind(), StdoutError(err))
}

fn is_stdout_closed(err: &(dyn StdError + 'static)) -> bool {
    err.downcast_ref::<io::Error>().is_some_and(|io| {
        io.kind() == io::ErrorKind::BrokenPipe
            && io.get_ref().is_some_and(|inner| inner.is::<StdoutError>())
    })
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_deref().map(|s| s as &(dyn StdError + 'static))
    }
}

impl From<io::Error> for Error {
    fn from(err: io::Error) -> Self {
        // fs-err's io errors already name the path in their message.
        Error::failed(err.to_string()).caused_by(err)
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        Error::failed(err.to_string()).caused_by(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn broken_pipe() -> io::Error {
        io::Error::from_raw_os_error(libc::EPIPE)
    }

    #[test]
    fn each_kind_has_its_own_exit_code() {
        assert_eq!(Error::bad_input("x").exit_code(), 2);
        assert_eq!(Error::failed("x").exit_code(), 1);
        assert_eq!(Error::internal("x").exit_code(), 3);
        assert_eq!(Error::from(on_stdout(broken_pipe())).exit_code(), 0);
    }

    #[test]
    fn io_errors_keep_their_cause_and_say_it_once() {
        let err = Error::io("/p/tasks.json", io::Error::from_raw_os_error(libc::ENOENT));
        assert!(err.causes().next().unwrap().downcast_ref::<io::Error>().is_some());
        assert_eq!(err.render(), "error: /p/tasks.json: No such file or directory (os error 2)\n");
    }

    #[test]
    fn causes_the_message_does_not_say_are_printed_in_order_then_the_hint() {
        let inner = Error::failed("tmux load-buffer: no server running").caused_by(broken_pipe());
        let err = Error::failed("could not paste").caused_by(inner).with_hint("start it");
        assert_eq!(
            err.render(),
            "error: could not paste\n\
             Caused by: tmux load-buffer: no server running\n\
             Caused by: Broken pipe (os error 32)\n\
             hint: start it\n"
        );
    }

    #[test]
    fn only_a_closed_stdout_is_a_quiet_broken_pipe() {
        let stdout = Error::from(on_stdout(broken_pipe()));
        assert_eq!(stdout.kind, Kind::BrokenPipe);
        assert_eq!(stdout.render(), "");
        // Deeper in the chain counts too.
        let wrapped = Error::failed("listing tasks").caused_by(stdout);
        assert_eq!(wrapped.kind, Kind::BrokenPipe);
        // A pipe into another process that closed early is a failure with its cause.
        let elsewhere = Error::from(broken_pipe());
        assert_eq!((elsewhere.kind, elsewhere.exit_code()), (Kind::Failed, 1));
        assert!(elsewhere.render().contains("Broken pipe"));
        // Any other error on stdout is a failure too.
        let full = Error::from(on_stdout(io::Error::from_raw_os_error(libc::ENOSPC)));
        assert_eq!(full.kind, Kind::Failed);
        assert!(full.render().starts_with("error: writing to stdout: No space left"));
    }
}
