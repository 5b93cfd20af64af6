//! The orchestrator's log: `tracing` events, one line each with a level, written to
//! `.tmux-ide/run/orchestrator.log` and kept bounded — past [`MAX_BYTES`] the file is
//! renamed to `.1` (older ones to `.2`, `.3`; the oldest dropped) and a new one begun.
//! The log outlives the session, so a bad night can be read the next morning.
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tracing_subscriber::fmt::MakeWriter;

use crate::project::Project;

/// Size at which the log is rotated.
pub const MAX_BYTES: u64 = 5 * 1024 * 1024;
/// Rotated files kept (`.1` … `.3`).
pub const KEEP: usize = 3;

/// The orchestrator's log file of `project`.
pub fn orchestrator_log(project: &Project) -> PathBuf {
    project.run_dir().join("orchestrator.log")
}

/// `path` with `.N` appended: the N-th most recent rotated file.
pub fn rotated(path: &Path, n: usize) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(format!(".{n}"));
    PathBuf::from(s)
}

/// Sends this process's `tracing` events (debug and above) to the project's orchestrator
/// log. Does nothing if the log cannot be opened or a subscriber is already set: logging
/// must never stop the orchestrator.
pub fn init_orchestrator(project: &Project) {
    let Ok(writer) = RotatingFile::open(orchestrator_log(project), MAX_BYTES, KEEP) else {
        return;
    };
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// An append-only file that rotates itself when a write would take it past `max` bytes.
#[derive(Debug, Clone)]
pub struct RotatingFile {
    inner: Arc<Mutex<State>>,
}

#[derive(Debug)]
struct State {
    path: PathBuf,
    file: File,
    len: u64,
    max: u64,
    keep: usize,
}

impl RotatingFile {
    pub fn open(path: PathBuf, max: u64, keep: usize) -> io::Result<RotatingFile> {
        let file = open_append(&path)?;
        let len = file.metadata()?.len();
        Ok(RotatingFile { inner: Arc::new(Mutex::new(State { path, file, len, max, keep })) })
    }
}

/// Opens `path` for appending, creating it; never through a symlink (a planted link
/// must not make the orchestrator write somewhere else).
fn open_append(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW).mode(0o600);
    }
    options.open(path)
}

impl State {
    fn rotate(&mut self) -> io::Result<()> {
        for n in (1..self.keep).rev() {
            let from = rotated(&self.path, n);
            if from.exists() {
                std::fs::rename(&from, rotated(&self.path, n + 1))?;
            }
        }
        if self.keep > 0 {
            std::fs::rename(&self.path, rotated(&self.path, 1))?;
        } else {
            std::fs::remove_file(&self.path)?;
        }
        self.file = open_append(&self.path)?;
        self.len = 0;
        Ok(())
    }
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut state = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if state.len > 0 && state.len + buf.len() as u64 > state.max {
            state.rotate()?;
        }
        state.file.write_all(buf)?;
        state.len += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).file.flush()
    }
}

impl<'a> MakeWriter<'a> for RotatingFile {
    type Writer = RotatingFile;
    fn make_writer(&'a self) -> RotatingFile {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_rotates_past_its_bound_and_keeps_only_the_newest_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.log");
        let mut log = RotatingFile::open(path.clone(), 100, 2).unwrap();
        for i in 0..10 {
            log.write_all(format!("line {i:02} {}\n", "x".repeat(40)).as_bytes()).unwrap();
        }
        let read = |p: &Path| std::fs::read_to_string(p).unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() <= 100);
        assert!(read(&path).contains("line 09"));
        assert!(read(&rotated(&path, 1)).contains("line 07"));
        assert!(read(&rotated(&path, 2)).contains("line 05"));
        assert!(!rotated(&path, 3).exists());
    }

    #[cfg(unix)]
    #[test]
    fn the_log_is_never_written_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "").unwrap();
        let path = dir.path().join("o.log");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        assert!(RotatingFile::open(path, 100, 2).is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "");
    }
}
