//! One long-lived tmux control-mode client (`tmux -C attach-session`) on a session: a
//! thread reads its notifications and keeps which panes wrote output and whether the
//! layout changed since the last look, and pokes its owner on each. It attaches read-only
//! and with `ignore-size`, so it never resizes the user's windows; the only commands it
//! sends are reads (see [`super::control_cmd`]), never keys or text for a pane. Dropping
//! it ends the client (its own child process).
use std::collections::HashSet;
use std::io::BufRead;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use super::Tmux;
use super::control::{Notice, Parser};
use super::control_cmd::{BlockReader, Commands};
use crate::{Error, Result};

/// What the client saw since the last [`ControlClient::take`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Panes that wrote output, or whose mode or activity changed.
    pub panes: HashSet<String>,
    /// A pane or window came or went, or a layout changed.
    pub layout: bool,
    /// The client left (session gone, server exiting, or it failed): no more news comes.
    pub ended: bool,
    /// Output bytes seen (unescaped), for the record of what watching costs.
    pub output_bytes: u64,
}

/// How long attaching may take before the caller falls back to polling.
const ATTACH_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug)]
pub struct ControlClient {
    child: Child,
    changes: Arc<Mutex<Changes>>,
    commands: Arc<Commands>,
}

impl ControlClient {
    /// Attaches to the session `target` (an id, `$3`); `wake` runs on every notice that
    /// matters (from the reader thread). Fails when tmux does not answer the attach.
    pub fn attach(
        tmux: &Tmux,
        target: &str,
        wake: impl Fn() + Send + 'static,
    ) -> Result<ControlClient> {
        let mut cmd = tmux.command();
        // Inside tmux, `$TMUX` names the server: say it explicitly, then drop it, since
        // tmux refuses to attach from inside a session.
        if tmux.socket().is_none()
            && let Some(path) = std::env::var("TMUX")
                .ok()
                .and_then(|t| t.split(',').next().filter(|p| !p.is_empty()).map(str::to_string))
        {
            cmd.arg("-S").arg(path);
        }
        cmd.env_remove("TMUX")
            .args(["-C", "attach-session", "-f", "read-only,ignore-size", "-t", target])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().map_err(|e| Error::failed(format!("tmux -C: {e}")))?;
        let (Some(stdout), Some(stdin)) = (child.stdout.take(), child.stdin.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Error::failed("tmux -C: no pipes"));
        };
        let commands = Arc::new(Commands::new(stdin));
        let changes = Arc::new(Mutex::new(Changes::default()));
        let (ready_tx, ready_rx) = mpsc::channel();
        let (shared, replies) = (Arc::clone(&changes), Arc::clone(&commands));
        std::thread::Builder::new()
            .name("tmux-control".into())
            .spawn(move || read_notices(stdout, &shared, &replies, &ready_tx, &wake))
            .map_err(|e| Error::failed(format!("tmux -C reader: {e}")))?;
        let client = ControlClient { child, changes, commands };
        match ready_rx.recv_timeout(ATTACH_TIMEOUT) {
            Ok(true) => Ok(client),
            Ok(false) | Err(_) => {
                Err(Error::failed(format!("tmux -C attach-session -t {target} did not answer")))
            }
        }
    }

    /// Where reads go through this client (see [`super::control_cmd`]).
    pub fn commands(&self) -> Arc<Commands> {
        Arc::clone(&self.commands)
    }

    /// What changed since the last call (and forgets it). A client given up for commands
    /// (its replies went astray) is ended too: its notices cannot be trusted either.
    pub fn take(&self) -> Changes {
        let mut changes = self.changes.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        changes.ended |= self.commands.is_broken();
        let ended = changes.ended;
        let mut out = std::mem::take(&mut *changes);
        // An ended client stays ended.
        changes.ended = ended;
        out.ended = ended;
        out
    }
}

impl Drop for ControlClient {
    fn drop(&mut self) {
        self.commands.close();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The reader thread: one notice per line until the client's output ends. Says `true`
/// on `ready` once the attach command's own block closed, `false` if the client ended
/// before that.
fn read_notices(
    stdout: std::process::ChildStdout,
    changes: &Mutex<Changes>,
    commands: &Commands,
    ready: &mpsc::Sender<bool>,
    wake: &dyn Fn(),
) {
    let mut blocks = BlockReader::default();
    let mut reader = std::io::BufReader::with_capacity(64 * 1024, stdout);
    let mut parser = Parser::new();
    let mut line = Vec::new();
    let mut attached = false;
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let was_block = parser.in_block();
        let notice = parser.line(text);
        if !attached && was_block && !parser.in_block() {
            // The attach command's own block: `%error` when tmux refused it.
            attached = true;
            let _ = ready.send(text.starts_with(b"%end"));
        } else if attached {
            blocks.feed(was_block, parser.in_block(), text, commands);
        }
        let mut c = changes.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match notice {
            Notice::Output { pane, bytes } => {
                c.output_bytes += bytes as u64;
                c.panes.insert(pane);
            }
            Notice::PaneChanged { pane } => {
                c.panes.extend(pane);
            }
            Notice::Layout => c.layout = true,
            Notice::Exit { .. } => c.ended = true,
            Notice::Other => continue,
        }
        drop(c);
        wake();
    }
    changes.lock().unwrap_or_else(std::sync::PoisonError::into_inner).ended = true;
    commands.close();
    let _ = ready.send(false);
    wake();
}
