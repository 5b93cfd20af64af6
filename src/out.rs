//! Where commands print their results: a handle on stdout held by the command context.
//! Commands write `writeln!(ctx.out(), …)?` instead of `println!`, so a failed write is an
//! error value (a closed pipe ends the process quietly, see `Kind::BrokenPipe`) rather
//! than a panic, and tests can capture what a command prints.
use std::fmt;
use std::io::{self, Write};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::error::on_stdout;

type Sink = Box<dyn Write + Send>;

/// A shared, clonable stdout (or, in tests, any writer). Send, so a context can be
/// handed to a blocking task of the dashboard.
#[derive(Clone)]
pub struct Out(Arc<Mutex<Sink>>);

impl Out {
    /// The process's stdout.
    pub fn stdout() -> Out {
        Out::to(io::stdout())
    }

    /// Any writer, e.g. a buffer a test reads back.
    pub fn to(writer: impl Write + Send + 'static) -> Out {
        Out(Arc::new(Mutex::new(Box::new(writer))))
    }

    /// Exclusive access for one or more writes.
    pub fn lock(&self) -> OutLock<'_> {
        // A writer poisoned by a panic elsewhere still takes bytes.
        OutLock(self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Default for Out {
    fn default() -> Out {
        Out::stdout()
    }
}

impl fmt::Debug for Out {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Out")
    }
}

/// A locked [`Out`]; its errors are marked as stdout errors.
pub struct OutLock<'a>(MutexGuard<'a, Sink>);

impl fmt::Debug for OutLock<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OutLock")
    }
}

impl Write for OutLock<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf).map_err(on_stdout)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.write_all(buf).map_err(on_stdout)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush().map_err(on_stdout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer whose reader has gone away.
    struct Closed;

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from_raw_os_error(libc::EPIPE))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_stdout_is_a_quiet_broken_pipe_error_not_a_panic() {
        let out = Out::to(Closed);
        let err: crate::Error = writeln!(out.lock(), "001 a task").unwrap_err().into();
        assert_eq!(err.kind, crate::error::Kind::BrokenPipe);
        assert_eq!(err.exit_code(), 0);
    }
}
