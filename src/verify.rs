//! Running an assertion's `verify:` commands: each through `sh -c` with the command as
//! one argument (the contract is the user's own file; no other text is ever put in the
//! command), in the project directory, in its own process group, with a timeout.
//!
//! Both ends are bounded: the output kept is at most a head and a tail of [`CAPTURE_END`]
//! bytes each (a command printing gigabytes must not take gigabytes), and a run returns
//! within its timeout plus about half a second even when a `setsid` grandchild escapes
//! the process group and holds the output pipe open forever.
use std::collections::VecDeque;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::{Error, Result};

/// How many trailing output lines go into the evidence.
pub const EVIDENCE_LINES: usize = 10;

/// Bytes kept from each end of a command's output.
pub const CAPTURE_END: usize = 64 * 1024;

/// How long a terminated group gets to exit before it is killed outright.
const TERM_GRACE: Duration = Duration::from_millis(300);

/// How long the reader may go on draining once the command is gone. Output written
/// before the exit is already in the pipe and drains in far less; only a process that
/// escaped the group (and so the kill) can keep the pipe open longer, and it is not
/// waited for.
const DRAIN_GRACE: Duration = Duration::from_millis(250);

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

/// A head and a tail of a byte stream, each at most `end` bytes, and a count of the
/// bytes dropped between them.
#[derive(Debug, Clone)]
pub struct Capture {
    end: usize,
    head: Vec<u8>,
    tail: VecDeque<u8>,
    omitted: u64,
}

impl Capture {
    pub fn new(end: usize) -> Self {
        Capture { end, head: Vec::new(), tail: VecDeque::new(), omitted: 0 }
    }

    pub fn push(&mut self, mut bytes: &[u8]) {
        let room = self.end - self.head.len();
        if room > 0 {
            let n = room.min(bytes.len());
            self.head.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
        }
        if bytes.len() >= self.end {
            // The whole tail is replaced: count what it held plus the part of this
            // chunk that will not fit.
            self.omitted += (self.tail.len() + bytes.len() - self.end) as u64;
            self.tail.clear();
            bytes = &bytes[bytes.len() - self.end..];
        }
        let overflow = (self.tail.len() + bytes.len()).saturating_sub(self.end);
        self.tail.drain(..overflow);
        self.omitted += overflow as u64;
        self.tail.extend(bytes);
    }

    /// Bytes dropped from the middle.
    pub fn omitted(&self) -> u64 {
        self.omitted
    }

    /// The kept output as text, with a `[… N bytes omitted …]` line where bytes were
    /// dropped.
    pub fn text(&self) -> String {
        let mut out = String::from_utf8_lossy(&self.head).into_owned();
        if self.omitted > 0 {
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&omitted_marker(self.omitted));
            out.push('\n');
        }
        let (a, b) = self.tail.as_slices();
        out.push_str(&String::from_utf8_lossy(&[a, b].concat()));
        out
    }
}

fn omitted_marker(n: u64) -> String {
    format!("[… {n} bytes omitted …]")
}

/// The evidence for a finished command: `head`, a marker if output was dropped, and the
/// last [`EVIDENCE_LINES`] lines of what was kept.
fn evidence(head: String, capture: &Capture) -> String {
    let text = capture.text();
    let lines: Vec<&str> = text.lines().collect();
    let mut tail = lines[lines.len().saturating_sub(EVIDENCE_LINES)..].to_vec();
    let marker = omitted_marker(capture.omitted());
    if capture.omitted() > 0 && !tail.contains(&marker.as_str()) {
        tail.insert(0, &marker);
    }
    if tail.is_empty() { head } else { format!("{head}\n{}", tail.join("\n")) }
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
    let capture = Arc::new(Mutex::new(Capture::new(CAPTURE_END)));
    let (eof_tx, eof_rx) = mpsc::channel::<()>();
    // Detached on purpose: if a process outside the group holds the pipe, this thread
    // lives until that process exits, and nobody waits for it.
    let sink = Arc::clone(&capture);
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => sink.lock().unwrap_or_else(|e| e.into_inner()).push(&buf[..n]),
            }
        }
        let _ = eof_tx.send(());
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
    // Stop what is left of the group: a timed-out command, or background leftovers that
    // would otherwise hold the output pipe open.
    stop_group(pgid, &mut child);
    let _ = eof_rx.recv_timeout(DRAIN_GRACE);
    let capture = capture.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let head = match status {
        None => format!("timed out after {} — {command}", timeout_text(timeout)),
        Some(s) => match s.code() {
            Some(code) => format!("exit {code} — {command}"),
            None => format!("killed by a signal — {command}"),
        },
    };
    let passed = status.is_some_and(|s| s.success());
    Ok(Outcome { passed, evidence: evidence(head, &capture) })
}

/// SIGTERM to the group, SIGKILL to whatever of it is still there after [`TERM_GRACE`],
/// and the leader reaped.
fn stop_group(pgid: i32, child: &mut Child) {
    // SAFETY: kill(2) on our own child's process group; signal 0 only probes.
    let signal = |sig| unsafe { libc::kill(-pgid, sig) == 0 };
    if signal(libc::SIGTERM) {
        let grace = Instant::now() + TERM_GRACE;
        // A group that is gone answers ESRCH; the leader lingers as a zombie until
        // reaped, so it is reaped as it goes.
        while Instant::now() < grace {
            let _ = child.try_wait();
            if !signal(0) {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        signal(libc::SIGKILL);
    }
    let _ = child.wait();
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

    #[test]
    fn a_capture_keeps_every_byte_while_it_fits() {
        let mut c = Capture::new(8);
        c.push(b"abcdefgh");
        c.push(b"12345678");
        assert_eq!((c.text().as_str(), c.omitted()), ("abcdefgh12345678", 0));
    }

    #[test]
    fn a_capture_keeps_head_and_tail_and_counts_the_middle() {
        let mut c = Capture::new(4);
        c.push(b"head");
        c.push(b"xx");
        c.push(b"0123456789");
        c.push(b"ta");
        c.push(b"il");
        assert_eq!(c.omitted(), 12);
        assert_eq!(c.text(), "head\n[… 12 bytes omitted …]\ntail");
    }

    proptest::proptest! {
        #[test]
        fn a_capture_is_the_streams_first_and_last_bytes(
            chunks in proptest::collection::vec(proptest::collection::vec(0u8..=255, 0..40), 0..20),
            end in 1usize..32,
        ) {
            let all: Vec<u8> = chunks.concat();
            let mut c = Capture::new(end);
            for chunk in &chunks {
                c.push(chunk);
            }
            let keep = all.len().min(end);
            proptest::prop_assert_eq!(&c.head[..], &all[..keep]);
            let rest = &all[keep..];
            let tail: Vec<u8> = c.tail.iter().copied().collect();
            proptest::prop_assert_eq!(&tail[..], &rest[rest.len().saturating_sub(end)..]);
            proptest::prop_assert_eq!(c.omitted() as usize, rest.len() - tail.len());
        }
    }

    #[test]
    fn huge_output_leaves_a_bounded_evidence_with_the_marker() {
        let dir = tempfile::tempdir().unwrap();
        // One line with no newline: the line rule keeps all of it, only the capture
        // bounds it.
        let cmd = "head -c 50000000 /dev/zero | tr '\\0' x".to_string();
        let out = run_all(dir.path(), &[cmd], Duration::from_secs(60)).unwrap();
        assert!(out.passed, "{}", out.evidence);
        assert!(out.evidence.len() <= 2 * CAPTURE_END + 200, "{}", out.evidence.len());
        assert!(out.evidence.contains(" bytes omitted …]"), "{}", out.evidence);
    }

    #[test]
    fn a_setsid_grandchild_holding_the_output_does_not_hold_the_run() {
        let dir = tempfile::tempdir().unwrap();
        let start = Instant::now();
        let cmds = ["echo started; setsid sleep 5 & sleep 30".to_string()];
        let out = run_all(dir.path(), &cmds, Duration::from_secs(1)).unwrap();
        assert!(start.elapsed() < Duration::from_secs(2), "{:?}", start.elapsed());
        assert!(!out.passed);
        assert!(out.evidence.ends_with("\nstarted"), "{}", out.evidence);
        let start = Instant::now();
        let out = run_all(dir.path(), &["setsid sleep 5 &".to_string()], Duration::from_secs(5));
        assert!(start.elapsed() < Duration::from_secs(2), "{:?}", start.elapsed());
        assert!(out.unwrap().passed);
    }
}
