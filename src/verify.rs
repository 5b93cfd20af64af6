//! Running an assertion's `verify:` commands: each through `sh -c` with the command as
//! one argument (the contract is the user's own file; no other text is ever put in the
//! command), in the project directory, in its own process group, with a timeout.
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Error, Result};

/// How many trailing output lines go into the evidence.
pub const EVIDENCE_LINES: usize = 10;

/// The outcome of one assertion's verify commands.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub passed: bool,
    /// `exit N — <command>` (or `timed out after 30s — <command>`), then the last lines
    /// of the output of the command that decided the outcome.
    pub evidence: String,
}

/// Runs `commands` in order in `dir`, stopping at the first that fails or times out.
pub fn run_all(dir: &Path, commands: &[String], timeout: Duration) -> Result<Outcome> {
    let mut last = Outcome { passed: true, evidence: String::new() };
    for cmd in commands {
        last = run_one(dir, cmd, timeout)?;
        if !last.passed {
            break;
        }
    }
    Ok(last)
}

fn run_one(dir: &Path, command: &str, timeout: Duration) -> Result<Outcome> {
    use std::os::unix::process::CommandExt;
    let (mut reader, writer) = std::io::pipe().map_err(|e| Error::failed(format!("pipe: {e}")))?;
    let writer2 = writer.try_clone().map_err(|e| Error::failed(format!("pipe: {e}")))?;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(writer2)
        .process_group(0)
        .spawn()
        .map_err(|e| Error::failed(format!("cannot run sh -c {command:?}: {e}")))?;
    let pgid = child.id() as i32;
    // The reader ends when every holder of the pipe's write end (the whole group) exits.
    let collector = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = reader.read_to_end(&mut out);
        out
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| Error::failed(e.to_string()))? {
            break Some(status);
        }
        if Instant::now() >= deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // Kill what is left of the group (a timed-out command, or background leftovers that
    // would otherwise hold the output pipe open).
    // SAFETY: kill(2) on our own child's process group.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
    let _ = child.wait();
    let output = collector.join().unwrap_or_default();
    let output = String::from_utf8_lossy(&output);
    let lines: Vec<&str> = output.lines().collect();
    let tail = lines[lines.len().saturating_sub(EVIDENCE_LINES)..].join("\n");
    let (passed, head) = match status {
        None => (false, format!("timed out after {} — {command}", timeout_text(timeout))),
        Some(s) => match s.code() {
            Some(code) => (code == 0, format!("exit {code} — {command}")),
            None => (false, format!("killed by a signal — {command}")),
        },
    };
    let evidence = if tail.is_empty() { head } else { format!("{head}\n{tail}") };
    Ok(Outcome { passed, evidence })
}

/// `30s`, or `300ms` when the timeout is not a whole number of seconds (a 300 ms timeout
/// read "0s").
fn timeout_text(timeout: Duration) -> String {
    if timeout.subsec_millis() == 0 && !timeout.is_zero() {
        format!("{}s", timeout.as_secs())
    } else {
        format!("{}ms", timeout.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_and_last_lines_become_the_evidence() {
        let dir = tempfile::tempdir().unwrap();
        let cmds = vec!["echo one; echo two >&2; exit 3".to_string()];
        let out = run_all(dir.path(), &cmds, Duration::from_secs(10)).unwrap();
        assert!(!out.passed);
        assert_eq!(out.evidence, "exit 3 — echo one; echo two >&2; exit 3\none\ntwo");
    }

    #[test]
    fn a_command_past_its_timeout_is_killed_and_fails() {
        let dir = tempfile::tempdir().unwrap();
        let start = Instant::now();
        let out = run_all(dir.path(), &["sleep 30".to_string()], Duration::from_millis(300));
        assert!(start.elapsed() < Duration::from_secs(10));
        let evidence = out.unwrap().evidence;
        assert!(evidence.starts_with("timed out after 300ms — sleep 30"), "{evidence}");
    }

    #[test]
    fn whole_second_timeouts_read_in_seconds() {
        assert_eq!(timeout_text(Duration::from_secs(30)), "30s");
        assert_eq!(timeout_text(Duration::from_millis(1500)), "1500ms");
    }
}
