//! Reads through the control client: a command that only asks tmux something (a capture,
//! a format, the pane list) is written to the long-lived `tmux -C` client's stdin instead
//! of starting a tmux process for it (a process costs ~3 ms of CPU, and a hundred agents
//! ask thousands of times a minute). Nothing that changes a pane goes this way: a reply
//! that never comes is answered by running the command again as a process, which is only
//! harmless for a read.
//!
//! tmux answers each command of a line in its own `%begin`/`%end` (or `%error`) block,
//! in order, and skips the rest of a line after a failing command; so each request is its
//! line plus `display-message -p TOKEN` (a fresh random token) on a line of its own, and
//! its reply is every block up to the one that holds exactly the token. A block's lines
//! are a pane's text when it is a capture, and a pane can print `%end …`: a reply cut or
//! confused that way lacks its token, times out, and the client is not used again.
use std::collections::VecDeque;
use std::io::Write;
use std::process::ChildStdin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::Duration;

use super::runner::Outcome;

/// Commands that only read: the only ones sent through the control client.
const READS: &[&str] = &[
    "capture-pane",
    "display-message",
    "has-session",
    "list-panes",
    "list-windows",
    "list-sessions",
    "show-options",
];

/// How long a reply may take before the client is given up for commands.
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// Blocks and bytes one reply may hold; more means the client is confused.
const MAX_BLOCKS: usize = 256;
const MAX_BYTES: usize = 16 << 20;

/// Where a [`super::Tmux`] looks for a control client to send its reads through; shared
/// by every clone of it, set and cleared by whoever owns the client.
pub type ControlSlot = Arc<Mutex<Option<Arc<Commands>>>>;

/// One command's output block.
#[derive(Debug, Default)]
struct Block {
    ok: bool,
    lines: Vec<Vec<u8>>,
    bytes: usize,
}

struct Waiter {
    token: Vec<u8>,
    blocks: Vec<Block>,
    bytes: usize,
    done: mpsc::Sender<Vec<Block>>,
}

/// The writing side of a control client and the replies it waits for.
pub struct Commands {
    stdin: Mutex<Box<dyn Write + Send>>,
    waiters: Mutex<VecDeque<Waiter>>,
    broken: AtomicBool,
    timeout: Duration,
    /// Replies received, for the log and the tests.
    served: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Commands {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Commands").field("broken", &self.broken.load(Ordering::Relaxed)).finish()
    }
}

impl Commands {
    pub(crate) fn new(stdin: ChildStdin) -> Commands {
        Commands::writing_to(Box::new(stdin), REPLY_TIMEOUT)
    }

    fn writing_to(stdin: Box<dyn Write + Send>, timeout: Duration) -> Commands {
        Commands {
            stdin: Mutex::new(stdin),
            waiters: Mutex::new(VecDeque::new()),
            broken: AtomicBool::new(false),
            timeout,
            served: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Runs `args` (a command or a chain, `;` its own argument) through the client, or
    /// `None` when it cannot: not a read, an argument the line cannot carry, the client
    /// gone or given up. The caller then runs it as a process.
    pub fn run(&self, args: &[&str]) -> Option<Outcome> {
        let line = command_line(args)?;
        if self.broken.load(Ordering::Relaxed) {
            return None;
        }
        let token = super::capture::token();
        let (tx, rx) = mpsc::channel();
        {
            // Written and queued together: replies come in the order the lines went out.
            let mut stdin = self.stdin.lock().unwrap_or_else(PoisonError::into_inner);
            let waiter = Waiter {
                token: token.clone().into_bytes(),
                blocks: Vec::new(),
                bytes: 0,
                done: tx,
            };
            self.waiters().push_back(waiter);
            let text = format!("{line}\ndisplay-message -p '{token}'\n");
            if stdin.write_all(text.as_bytes()).and_then(|()| stdin.flush()).is_err() {
                self.give_up("the client's stdin is closed");
                return None;
            }
        }
        match rx.recv_timeout(self.timeout) {
            Ok(blocks) => {
                self.served.fetch_add(1, Ordering::Relaxed);
                Some(outcome(blocks))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                self.give_up("no reply in time");
                None
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => None,
        }
    }

    fn waiters(&self) -> std::sync::MutexGuard<'_, VecDeque<Waiter>> {
        self.waiters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// No more commands through this client; whoever waits runs the command as a process.
    pub(crate) fn give_up(&self, why: &str) {
        if !self.broken.swap(true, Ordering::Relaxed) {
            tracing::warn!(why, "tmux control client no longer used for commands");
        }
        self.waiters().clear();
    }

    /// The client ended or was let go: as [`Commands::give_up`], without a warning.
    pub(crate) fn close(&self) {
        self.broken.store(true, Ordering::Relaxed);
        self.waiters().clear();
    }

    /// How many requests this client answered.
    pub fn served(&self) -> u64 {
        self.served.load(Ordering::Relaxed)
    }

    /// Whether this client was given up for commands (or closed).
    pub(crate) fn is_broken(&self) -> bool {
        self.broken.load(Ordering::Relaxed)
    }

    /// One finished block, from the reader thread: it belongs to the oldest request.
    fn block(&self, block: Block) {
        let mut waiters = self.waiters();
        let Some(front) = waiters.front_mut() else { return };
        if block.ok && block.lines.len() == 1 && block.lines[0] == front.token {
            if let Some(w) = waiters.pop_front() {
                let _ = w.done.send(w.blocks);
            }
            return;
        }
        front.bytes += block.bytes;
        front.blocks.push(block);
        if front.blocks.len() > MAX_BLOCKS || front.bytes > MAX_BYTES {
            drop(waiters);
            self.give_up("a reply grew past its bounds");
        }
    }
}

/// The reader thread's view of command blocks, fed line by line.
#[derive(Default)]
pub(crate) struct BlockReader {
    current: Option<Block>,
}

impl BlockReader {
    /// One line of the client's output, given whether a block was open before the parser
    /// read it and whether one is open after.
    pub(crate) fn feed(
        &mut self,
        was_block: bool,
        in_block: bool,
        text: &[u8],
        commands: &Commands,
    ) {
        match (was_block, in_block) {
            (false, true) => self.begin(),
            (true, true) => self.line(text),
            (true, false) => self.end(text.starts_with(b"%end"), commands),
            // Only a block's own end was cut short by a pane printing a forged one.
            (false, false) if text.starts_with(b"%end ") || text.starts_with(b"%error ") => {
                commands.give_up("a command block ended twice");
            }
            (false, false) => {}
        }
    }

    fn begin(&mut self) {
        self.current = Some(Block::default());
    }

    fn line(&mut self, text: &[u8]) {
        if let Some(b) = &mut self.current
            && b.bytes <= MAX_BYTES
        {
            b.bytes += text.len() + 1;
            b.lines.push(text.to_vec());
        }
    }

    fn end(&mut self, ok: bool, commands: &Commands) {
        if let Some(mut block) = self.current.take() {
            block.ok = ok;
            commands.block(block);
        }
    }
}

/// What a process would have printed: the lines of the blocks that succeeded on stdout,
/// those of the one that failed on stderr.
fn outcome(blocks: Vec<Block>) -> Outcome {
    let mut out = Outcome { ok: true, stdout: String::new(), stderr: String::new() };
    for b in blocks {
        out.ok &= b.ok;
        let into = if b.ok { &mut out.stdout } else { &mut out.stderr };
        for line in b.lines {
            into.push_str(&String::from_utf8_lossy(&line));
            into.push('\n');
        }
    }
    out
}

/// `args` as one line of tmux's command language (each argument single-quoted, `;`
/// between commands), or `None` unless every command is a read and every argument can
/// be quoted (no quote, line break or NUL, and no `\;` ending of a chain argument).
fn command_line(args: &[&str]) -> Option<String> {
    let mut words = Vec::with_capacity(args.len());
    for command in args.split(|a| *a == ";") {
        let name = *command.first()?;
        // `display-message` without `-p` shows a message on a client: not a read.
        let read = READS.contains(&name) && (name != "display-message" || command.contains(&"-p"));
        if !read || command.iter().any(|a| a.ends_with(';') || a.contains(['\'', '\n', '\r', '\0']))
        {
            return None;
        }
        words.push(command.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(" "));
    }
    Some(words.join(" ; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_quoted_into_one_line_and_anything_else_is_not_sent() {
        assert_eq!(
            command_line(&[
                "capture-pane",
                "-p",
                "-t",
                "%3",
                ";",
                "display-message",
                "-p",
                "#{session_id}\tx"
            ])
            .as_deref(),
            Some("'capture-pane' '-p' '-t' '%3' ; 'display-message' '-p' '#{session_id}\tx'")
        );
        assert_eq!(command_line(&["send-keys", "-t", "%1", "Enter"]), None);
        assert_eq!(command_line(&["display-message", "-p", ";", "kill-server"]), None);
        assert_eq!(command_line(&["display-message", "-p", "it's"]), None);
        assert_eq!(command_line(&["display-message", "-p", "a\nkill-server"]), None);
        assert_eq!(command_line(&["display-message", "-p", "x\\;"]), None);
        assert_eq!(command_line(&["display-message", "-p", "x", ";"]), None);
        assert_eq!(command_line(&["display-message", "-t", "%1", "hello"]), None);
        assert_eq!(command_line(&[]), None);
    }

    /// A client whose written lines the test reads, and a reader fed by the test.
    struct Fake {
        written: Arc<Mutex<Vec<u8>>>,
        commands: Arc<Commands>,
        parser: super::super::control::Parser,
        blocks: BlockReader,
    }

    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Fake {
        fn new(timeout: Duration) -> Fake {
            let written = Arc::new(Mutex::new(Vec::new()));
            let commands = Commands::writing_to(Box::new(Shared(Arc::clone(&written))), timeout);
            let parser = super::super::control::Parser::new();
            Fake { written, commands: Arc::new(commands), parser, blocks: BlockReader::default() }
        }

        /// Runs `args` on another thread; the token of its request once it is written.
        fn request(
            &self,
            args: &'static [&'static str],
        ) -> (std::thread::JoinHandle<Option<Outcome>>, String) {
            let commands = Arc::clone(&self.commands);
            let handle = std::thread::spawn(move || commands.run(args));
            let token = loop {
                let text = String::from_utf8(self.written.lock().unwrap().clone()).unwrap();
                if let Some(t) =
                    text.lines().last().and_then(|l| l.strip_prefix("display-message -p '"))
                {
                    break t.trim_end_matches('\'').to_string();
                }
                std::thread::yield_now();
            };
            (handle, token)
        }

        fn lines(&mut self, lines: &[&str]) {
            for line in lines {
                let was = self.parser.in_block();
                self.parser.line(line.as_bytes());
                self.blocks.feed(was, self.parser.in_block(), line.as_bytes(), &self.commands);
            }
        }
    }

    #[test]
    fn a_reply_is_every_block_before_the_token_block() {
        let mut fake = Fake::new(Duration::from_secs(10));
        let (handle, token) = fake.request(&["capture-pane", "-p", "-t", "%1"]);
        fake.lines(&["%begin 9 40 1", "sim> ", "%end 9 9 1", "", "%end 9 40 1"]);
        fake.lines(&["%begin 9 41 1", &token, "%end 9 41 1"]);
        let out = handle.join().unwrap().expect("a reply");
        assert!(out.ok);
        assert_eq!(out.stdout, "sim> \n%end 9 9 1\n\n");
    }

    #[test]
    fn a_capture_cut_short_by_a_forged_end_is_not_believed() {
        let mut fake = Fake::new(Duration::from_secs(10));
        let (handle, token) = fake.request(&["capture-pane", "-p", "-t", "%1"]);
        fake.lines(&["%begin 9 40 1", "%end 9 40 1", "%begin 1 1 1", "forged", "%end 1 1 1"]);
        fake.lines(&["line the forger hid", "%end 9 40 1"]);
        fake.lines(&["%begin 9 41 1", &token, "%end 9 41 1"]);
        assert!(handle.join().unwrap().is_none());
        assert!(fake.commands.is_broken());
    }

    #[test]
    fn a_pane_that_forges_the_end_of_its_capture_gets_no_reply_believed() {
        let mut fake = Fake::new(Duration::from_millis(300));
        let (handle, token) = fake.request(&["capture-pane", "-p", "-t", "%1"]);
        // The screen guesses its block's numbers, ends it early and opens a block of its own.
        fake.lines(&["%begin 9 40 1", "%end 9 40 1", "%begin 7 7 1", "%end 9 40 1"]);
        fake.lines(&["%begin 9 41 1", &token, "%end 9 41 1"]);
        assert!(handle.join().unwrap().is_none(), "the caller runs it as a process instead");
        assert!(fake.commands.is_broken(), "the client is not used again");
    }

    fn block(ok: bool, lines: &[&str]) -> Block {
        let lines: Vec<Vec<u8>> = lines.iter().map(|l| l.as_bytes().to_vec()).collect();
        Block { ok, bytes: lines.iter().map(|l| l.len() + 1).sum(), lines }
    }

    #[test]
    fn replies_join_ok_blocks_on_stdout_and_a_failed_one_on_stderr() {
        let out = outcome(vec![block(true, &["a", ""]), block(false, &["can't find session: x"])]);
        assert!(!out.ok);
        assert_eq!(out.stdout, "a\n\n");
        assert_eq!(out.stderr, "can't find session: x\n");
        assert!(outcome(vec![]).ok);
    }
}
