//! The simulated agent: a REPL that behaves like a well-mannered AI agent in a pane. It
//! waits at a prompt, takes a pasted tmux-ide prompt, "works" for a while, then reports
//! back with the same `tmux-ide` commands a real agent would run.
//!
//! A prompt quotes plan text verbatim, and plan text may hold marker lines of its own
//! (a task description that says `TMUX-IDE-TASK: 002`). So the agent acts only on the
//! marker at the top of a prompt (its first line, or its second after the
//! `# tmux-ide …` header) and ignores every later line of it. Where a prompt starts and
//! ends comes from bracketed paste, which the agent turns on in its terminal and tmux
//! uses for every prompt; without it (input from a pipe) a header line starts a prompt.
//! `/clear` on a line of its own starts a new conversation, as in the real agents: the
//! agent says so and shows its ready prompt again.
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::sim_usage::SimTranscript;
use crate::out::Out;
use crate::{Error, Result};

/// The line a task prompt carries so the simulated agent can find the task id.
pub const TASK_MARKER: &str = "TMUX-IDE-TASK:";
/// The line a validation prompt carries: `TMUX-IDE-VALIDATE: M2 round=1 VAL-A VAL-B`.
pub const VALIDATE_MARKER: &str = "TMUX-IDE-VALIDATE:";
/// What starts a new conversation (the sim profile's clear command).
pub const CLEAR_COMMAND: &str = "/clear";
/// What the simulated agent shows when it is ready for work (its ready pattern).
pub const READY_PROMPT: &str = "sim> ";

/// `--fail VAL-X[:N]`: fail VAL-X in its first N validation rounds (N defaults to 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailRule {
    pub assertion: String,
    pub rounds: u32,
}

impl std::str::FromStr for FailRule {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (id, n) = match s.split_once(':') {
            Some((id, n)) => {
                let n = n.parse::<u32>().map_err(|_| {
                    format!("'{n}' in '{s}' is not a round count (expected VAL-X or VAL-X:N)")
                })?;
                (id, n)
            }
            None => (s, 1),
        };
        if !id.starts_with("VAL-") {
            return Err(format!("'{id}' is not an assertion id (expected VAL-AREA-NNN)"));
        }
        Ok(FailRule { assertion: id.to_string(), rounds: n })
    }
}

/// How the simulated agent behaves.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub project: PathBuf,
    /// The pane this agent runs in (`%3`), from `TMUX_IDE_PANE`.
    pub pane: Option<String>,
    pub work: Duration,
    pub fail: Vec<FailRule>,
    /// The `tmux-ide` executable to report with.
    pub exe: PathBuf,
    /// Where the agent talks (the pane's terminal).
    pub out: Out,
    /// Write a Claude-format transcript with this usage per response and report it.
    pub usage: Option<super::sim_usage::SimTokens>,
    /// `--edit`: make a small real change per task in the working directory.
    pub edit: bool,
}

/// What a pasted line asks the agent to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `/clear`: forget the conversation so far.
    Clear,
    Task {
        id: String,
    },
    Validate {
        milestone: String,
        round: Option<u32>,
        assertions: Vec<String>,
    },
    /// A planning prompt: plan the mission (see `sim_plan`).
    Plan {
        specialties: Vec<String>,
    },
    /// A task's merge conflicted: merge the mission branch, keep both sides, report again.
    Merge {
        id: String,
        branch: String,
    },
}

/// Recognises the marker lines of task and validation prompts; other lines are context.
pub fn parse_request(line: &str) -> Option<Request> {
    let line = line.trim();
    if let Some(specialties) = super::sim_plan::parse_plan(line) {
        return Some(Request::Plan { specialties });
    }
    if let Some((id, branch)) = super::sim_edit::parse_merge(line) {
        return Some(Request::Merge { id, branch });
    }
    if let Some(rest) = line.strip_prefix(TASK_MARKER) {
        let id = rest.trim();
        return (!id.is_empty() && !id.contains(char::is_whitespace))
            .then(|| Request::Task { id: id.to_string() });
    }
    let rest = line.strip_prefix(VALIDATE_MARKER)?;
    let mut words = rest.split_whitespace();
    let milestone = words.next()?.to_string();
    let mut round = None;
    let mut assertions = Vec::new();
    for word in words {
        match word.strip_prefix("round=") {
            Some(n) => round = n.parse().ok(),
            None => assertions.push(word.to_string()),
        }
    }
    Some(Request::Validate { milestone, round, assertions })
}

/// What a terminal sends before and after pasted text once bracketed paste is on.
const PASTE_START: &str = "\x1b[200~";
const PASTE_END: &str = "\x1b[201~";

/// Splits the input lines into prompts and yields each prompt's own request, if any.
#[derive(Debug, Default)]
pub struct Framer {
    /// The line number within the current prompt; `None` between prompts.
    index: Option<usize>,
    in_paste: bool,
    /// Whether the current prompt's first line was a `# tmux-ide …` header.
    header: bool,
}

impl Framer {
    pub fn feed(&mut self, raw: &str) -> Option<Request> {
        let mut text = raw;
        if let Some(i) = text.rfind(PASTE_START) {
            // What was typed before the paste on this line is not part of the prompt.
            text = &text[i + PASTE_START.len()..];
            self.in_paste = true;
            self.index = None;
        }
        let ends = text.contains(PASTE_END);
        let text = text.replace(PASTE_END, "");
        let is_header = text.trim_start().starts_with("# tmux-ide ");
        if !self.in_paste && is_header {
            self.index = None;
        }
        let index = self.index.map_or(0, |i| i + 1);
        self.index = Some(index);
        let request = match index {
            0 => {
                self.header = is_header;
                if is_header {
                    None
                } else if text.trim() == CLEAR_COMMAND {
                    Some(Request::Clear)
                } else {
                    parse_request(&text)
                }
            }
            1 if self.header => parse_request(&text),
            _ => None,
        };
        // A paste ends its prompt; so does a request typed (or piped) on a line of its
        // own, so that the next line may be another.
        if ends || (!self.in_paste && index == 0 && request.is_some()) {
            self.index = None;
        }
        if ends {
            self.in_paste = false;
        }
        request
    }
}

/// Runs the agent until its input closes.
pub fn run(opts: &SimOptions) -> Result<()> {
    use std::io::IsTerminal;
    let transcript = opts.usage.zip(opts.pane.as_deref());
    let transcript = transcript.map(|(t, pane)| SimTranscript::new(&opts.project, pane, t));
    let mut sim = Sim { opts, rounds_seen: HashMap::new(), transcript };
    let terminal = std::io::stdin().is_terminal();
    let _quiet = terminal.then(super::tty::QuietControlEcho::on_stdin);
    if terminal {
        // Bracketed paste on: every prompt tmux pastes arrives framed.
        write!(opts.out.lock(), "\x1b[?2004h")?;
    }
    writeln!(opts.out.lock(), "tmux-ide simulated agent — paste a tmux-ide prompt to start")?;
    // Idle once its prompt is out: reported before, a prompt could be pasted into a pane
    // whose terminal has not yet seen bracketed paste turned on.
    sim.show_prompt()?;
    sim.report("idle");
    let mut framer = Framer::default();
    let mut stdin = std::io::stdin().lock();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        if stdin.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&buf);
        let Some(request) = framer.feed(line.trim_end_matches(['\n', '\r'])) else { continue };
        if request == Request::Clear {
            // Nothing to work on: no busy report, which would read as a prompt's receipt.
            writeln!(opts.out.lock(), "context cleared")?;
            sim.show_prompt()?;
            continue;
        }
        sim.report("busy");
        match request {
            Request::Clear => {}
            Request::Task { id } => sim.do_task(&id)?,
            Request::Validate { milestone, round, assertions } => {
                sim.do_validation(&milestone, round, &assertions)?;
            }
            Request::Plan { specialties } => {
                if let Err(e) = super::sim_plan::make_plan(opts, &specialties) {
                    writeln!(opts.out.lock(), "✗ could not plan: {e}")?;
                }
            }
            Request::Merge { id, branch } => sim.do_merge(&id, &branch)?,
        }
        sim.report("idle");
        sim.show_prompt()?;
    }
    if terminal {
        let mut out = opts.out.lock();
        write!(out, "\x1b[?2004l")?;
        out.flush()?;
    }
    Ok(())
}

struct Sim<'a> {
    opts: &'a SimOptions,
    /// Validation rounds this process has seen per assertion (when the prompt has no round).
    rounds_seen: HashMap<String, u32>,
    /// The transcript it writes usage to, with `--usage`.
    transcript: Option<SimTranscript>,
}

impl Sim<'_> {
    fn show_prompt(&self) -> Result<()> {
        let mut out = self.opts.out.lock();
        write!(out, "{READY_PROMPT}")?;
        out.flush()?;
        Ok(())
    }

    fn report(&self, state: &str) {
        if let Some(pane) = &self.opts.pane {
            let _ = self.tmux_ide(&["agent", state, "--pane", pane]);
        }
    }

    /// With `--usage`: one model response in the transcript, then the hook's report.
    fn respond(&mut self, what: &str, hook: &str) {
        if let (Some(t), Some(pane)) = (&mut self.transcript, &self.opts.pane) {
            let _ = t.message(what).and_then(|()| t.report(&self.opts.exe, pane, hook));
        }
    }

    fn do_task(&mut self, id: &str) -> Result<()> {
        writeln!(self.opts.out.lock(), "\n● working on task {id} …")?;
        self.respond(&format!("Working on task {id}."), "UserPromptSubmit");
        std::thread::sleep(self.opts.work);
        if self.opts.edit {
            let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
            match super::sim_edit::edit_for_task(&self.opts.project, &cwd, id) {
                Ok(files) => writeln!(self.opts.out.lock(), "  edited {}", files.len())?,
                Err(e) => writeln!(self.opts.out.lock(), "  could not edit: {e}")?,
            }
        }
        self.respond(&format!("Reporting task {id} done."), "PostToolUse");
        self.report_done(id)
    }

    /// Merges the mission branch into the worktree keeping both sides, then reports again.
    fn do_merge(&self, id: &str, branch: &str) -> Result<()> {
        writeln!(self.opts.out.lock(), "\n● merging {branch} for task {id} …")?;
        let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
        match super::sim_edit::merge_keeping_both(&cwd, branch) {
            Ok(files) => writeln!(self.opts.out.lock(), "  resolved {}", files.join(", "))?,
            Err(e) => writeln!(self.opts.out.lock(), "  could not merge: {e}")?,
        }
        self.report_done(id)
    }

    fn report_done(&self, id: &str) -> Result<()> {
        let proof = format!("Simulated agent completed task {id}; nothing to verify by hand.");
        let summary = format!("Task {id} was completed by the simulated agent.");
        match self.tmux_ide(&["task", "done", id, "--proof", &proof, "--summary", &summary]) {
            Ok(()) => writeln!(self.opts.out.lock(), "✓ task {id} done")?,
            Err(e) => writeln!(self.opts.out.lock(), "✗ could not report task {id}: {e}")?,
        }
        Ok(())
    }

    fn do_validation(
        &mut self,
        milestone: &str,
        round: Option<u32>,
        assertions: &[String],
    ) -> Result<()> {
        writeln!(
            self.opts.out.lock(),
            "\n● validating {milestone} ({} assertions) …",
            assertions.len()
        )?;
        self.respond(&format!("Validating {milestone}."), "UserPromptSubmit");
        std::thread::sleep(self.opts.work / 2);
        for id in assertions {
            let seen = self.rounds_seen.entry(id.clone()).or_insert(0);
            *seen += 1;
            let round = round.unwrap_or(*seen);
            let fails = self.opts.fail.iter().any(|f| &f.assertion == id && round <= f.rounds);
            let outcome = if fails {
                let evidence = format!("Simulated failure of {id} in round {round}.");
                self.tmux_ide(&[
                    "validate",
                    "assert",
                    id,
                    "--status",
                    "failing",
                    "--evidence",
                    &evidence,
                ])
            } else if self.has_verify(id) {
                // `validate run` records passing or failing itself, with the command's output.
                self.tmux_ide(&["validate", "run", id])
            } else {
                let evidence = format!("Checked by the simulated validator in round {round}.");
                self.tmux_ide(&[
                    "validate",
                    "assert",
                    id,
                    "--status",
                    "passing",
                    "--evidence",
                    &evidence,
                ])
            };
            match outcome {
                Ok(()) => writeln!(
                    self.opts.out.lock(),
                    "  {id} {}",
                    if fails { "✗ failing" } else { "reported" }
                )?,
                Err(e) => writeln!(self.opts.out.lock(), "  {id} could not be reported: {e}")?,
            }
        }
        Ok(())
    }

    fn has_verify(&self, id: &str) -> bool {
        crate::contract::Contract::load(&crate::project::Project::at(&self.opts.project))
            .ok()
            .and_then(|c| c.get(id).map(|a| !a.verify.is_empty()))
            .unwrap_or(false)
    }

    /// Runs `tmux-ide -C <project> ARGS` as a child, like an agent's shell tool would.
    fn tmux_ide(&self, args: &[&str]) -> Result<()> {
        let out = Command::new(&self.opts.exe)
            .arg("-C")
            .arg(&self.opts.project)
            .args(args)
            .output()
            .map_err(|e| Error::io(&self.opts.exe, e))?;
        if out.status.success() {
            Ok(())
        } else {
            let err = String::from_utf8_lossy(&out.stderr);
            Err(Error::failed(err.lines().next().unwrap_or("failed").to_string()))
        }
    }
}

/// The executable to report with: this very binary.
pub fn current_exe() -> Result<PathBuf> {
    std::env::current_exe().map_err(|e| Error::io(Path::new("/proc/self/exe"), e))
}

#[cfg(test)]
#[path = "sim_tests.rs"]
mod tests;
