//! Running the `tmux` binary: argument vectors (never a shell), the private socket, one
//! error per failed command naming it, and command chains (`;` as its own argument).
use std::io::Write;
use std::process::{Command, Stdio};

use super::{ControlSlot, Tmux};
use crate::{Error, Result};

/// What a tmux invocation printed, and whether it succeeded.
#[derive(Debug)]
pub struct Outcome {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Tmux {
    pub fn new(socket: Option<String>) -> Tmux {
        Tmux { socket: socket.filter(|s| !s.is_empty()), control: None }
    }

    /// This client, sending its reads through the control client in `slot` whenever
    /// one is there (see `control_cmd`); every clone shares the slot.
    pub fn with_control(&self, slot: ControlSlot) -> Tmux {
        Tmux { socket: self.socket.clone(), control: Some(slot) }
    }

    /// The private server's socket name (`tmux -L NAME`), if any.
    pub fn socket(&self) -> Option<&str> {
        self.socket.as_deref()
    }

    /// `tmux [-L socket]`: without a socket, tmux picks the server as it always does
    /// (`$TMUX` inside tmux, else the default one).
    pub fn command(&self) -> Command {
        let mut cmd = Command::new("tmux");
        if let Some(socket) = &self.socket {
            cmd.arg("-L").arg(socket);
        }
        cmd
    }

    /// Runs tmux with `args`; its stdout on success, else an error naming the command.
    pub fn run(&self, args: &[&str]) -> Result<String> {
        self.run_with_input(args, None)
    }

    /// Runs tmux with `args`, feeding `input` on stdin (`load-buffer -`).
    pub fn run_with_input(&self, args: &[&str], input: Option<&[u8]>) -> Result<String> {
        let out = self.try_run(args, input)?;
        if out.ok { Ok(out.stdout) } else { Err(self.failure(args, &out.stderr)) }
    }

    /// Runs tmux; a non-zero exit is an [`Outcome`], only a missing tmux is an error.
    /// A client that reached a server in the middle of exiting (its last session just
    /// killed) ran nothing: it is retried, so a new server starts.
    pub fn try_run(&self, args: &[&str], input: Option<&[u8]>) -> Result<Outcome> {
        if input.is_none()
            && let Some(slot) = &self.control
        {
            let client = slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
            if let Some(out) = client.and_then(|c| c.run(args)) {
                return Ok(out);
            }
        }
        let mut attempt = 0;
        loop {
            let out = self.try_run_once(args, input)?;
            let dying = !out.ok
                && out.stdout.is_empty()
                && out.stderr.starts_with("server exited unexpectedly");
            if !dying || attempt >= 10 {
                return Ok(out);
            }
            attempt += 1;
            std::thread::sleep(std::time::Duration::from_millis(5 * attempt));
        }
    }

    fn try_run_once(&self, args: &[&str], input: Option<&[u8]>) -> Result<Outcome> {
        let mut cmd = self.command();
        cmd.args(args)
            .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(spawn_error)?;
        // A tmux that exits without reading all its input closes the pipe: the write
        // fails with EPIPE (SIGPIPE is ignored), and tmux's own message says why.
        let unread = match (input, child.stdin.take()) {
            (Some(bytes), Some(mut stdin)) => stdin.write_all(bytes).err(),
            _ => None,
        };
        let out = child.wait_with_output().map_err(|e| Error::failed(format!("tmux: {e}")))?;
        let outcome = Outcome {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        match unread {
            Some(err) => Err(self.unread_input(args, &outcome, err)),
            None => Ok(outcome),
        }
    }

    /// tmux did not take its input: the write's error, then what tmux said, as causes.
    fn unread_input(&self, args: &[&str], out: &Outcome, err: std::io::Error) -> Error {
        let socket = self.socket.as_deref().map(|s| format!(" -L {s}")).unwrap_or_default();
        let first = args.first().copied().unwrap_or("");
        let top = Error::failed(format!("tmux{socket} {first} did not read its input: {err}"));
        if out.stderr.trim().is_empty() {
            top.caused_by(err)
        } else {
            top.caused_by(self.failure(args, &out.stderr).caused_by(err))
        }
    }

    /// An error naming the tmux command (the first of a chain) and tmux's own message.
    pub(crate) fn failure(&self, args: &[&str], stderr: &str) -> Error {
        let commands = args.iter().filter(|a| **a == ";").count() + 1;
        let first = args.first().copied().unwrap_or("");
        let what = if commands > 1 {
            format!("chain of {commands} commands (from `{first}`)")
        } else {
            first.into()
        };
        let socket = self.socket.as_deref().map(|s| format!(" -L {s}")).unwrap_or_default();
        let reason = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("failed");
        Error::failed(format!("tmux{socket} {what}: {}", reason.trim()))
    }
}

/// True when tmux says there is no server (or no such session): "not running", not a fault.
pub fn not_running(stderr: &str) -> bool {
    [
        "no server running",
        "error connecting to",
        "can't find session",
        "session not found",
        // the server is between killing its last session and exiting
        "no current target",
    ]
    .iter()
    .any(|s| stderr.contains(s))
}

/// The one-line error for a missing tmux binary, with how to install it.
pub fn tmux_missing() -> Error {
    Error::failed("tmux is not installed (no `tmux` on PATH)").with_hint(
        "install it: `apt-get install tmux` (Debian/Ubuntu) or `brew install tmux` (macOS)",
    )
}

fn spawn_error(err: std::io::Error) -> Error {
    if err.kind() == std::io::ErrorKind::NotFound {
        tmux_missing()
    } else {
        Error::failed(format!("could not run tmux: {err}"))
    }
}

/// A chain of tmux commands run by one tmux process: `cmd1 ; cmd2 ; ...` with each `;`
/// its own argument. Arguments that end in `;` are escaped (`\;`) so that user text can
/// never end a command early.
#[derive(Debug, Default, Clone)]
pub struct Chain {
    args: Vec<String>,
}

impl Chain {
    pub fn new() -> Chain {
        Chain::default()
    }

    /// Appends one tmux command.
    pub fn cmd<I, S>(&mut self, args: I) -> &mut Chain
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        if !self.args.is_empty() {
            self.args.push(";".into());
        }
        self.args.extend(args.into_iter().map(|a| escape_arg(a.as_ref())));
        self
    }

    pub fn is_empty(&self) -> bool {
        self.args.is_empty()
    }

    pub fn args(&self) -> Vec<&str> {
        self.args.iter().map(String::as_str).collect()
    }
}

/// tmux ends a command at an argument ending in `;`; `\;` at the end stands for `;`.
pub fn escape_arg(arg: &str) -> String {
    match arg.strip_suffix(';') {
        Some(head) => format!("{head}\\;"),
        None => arg.to_string(),
    }
}

/// Text for a tmux argument that tmux expands as a format (`-c`, `new-session -s`):
/// `#` doubled so it stays literal and `#(...)` never runs anything.
pub fn literal_format(text: &str) -> String {
    text.replace('#', "##")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trailing_semicolon_is_escaped_and_nothing_else_changes() {
        assert_eq!(escape_arg("echo hi;"), "echo hi\\;");
        assert_eq!(escape_arg("a\\;"), "a\\\\;");
        assert_eq!(escape_arg("a;b"), "a;b");
        assert_eq!(escape_arg(";"), "\\;");
    }

    #[test]
    fn a_chain_separates_commands_with_their_own_argument() {
        let mut chain = Chain::new();
        chain.cmd(["set-option", "@x", "v;"]).cmd(["display-message", "-p", "ok"]);
        assert_eq!(chain.args(), ["set-option", "@x", "v\\;", ";", "display-message", "-p", "ok"]);
    }
}
