//! Usage for the simulated agent (`agent sim --usage IN:OUT`): each turn it appends
//! assistant messages to a transcript in Claude Code's format (one line per content block,
//! the usage repeated on each, as Claude Code writes them) and then runs the same command
//! tmux-ide's Claude Code hook runs, `tmux-ide agent usage --agent claude`, with a hook
//! payload naming the transcript on its standard input. So a simulated mission exercises
//! the whole path from transcript to `metrics cost` and the budget.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::json;

use crate::project::Project;
use crate::{Error, Result};

/// The model the simulated agent says it is (a priced Claude model).
pub const SIM_MODEL: &str = "claude-sonnet-4-5-20250929";

/// `--usage IN:OUT`: input and output tokens of each simulated model response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimTokens {
    pub input: u64,
    pub output: u64,
}

impl std::str::FromStr for SimTokens {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let bad = || format!("'{s}' is not IN:OUT token counts (like 100000:20000, each ≤ 10^9)");
        let (i, o) = s.split_once(':').ok_or_else(bad)?;
        let n = |t: &str| t.trim().parse::<u64>().ok().filter(|n| *n <= 1_000_000_000);
        Ok(SimTokens { input: n(i).ok_or_else(bad)?, output: n(o).ok_or_else(bad)? })
    }
}

/// One simulated agent's transcript and the messages it has written.
#[derive(Debug)]
pub struct SimTranscript {
    root: PathBuf,
    path: PathBuf,
    session: String,
    tokens: SimTokens,
    messages: u32,
}

impl SimTranscript {
    /// The transcript of the agent in `pane` (`%3`), under `.tmux-ide/run/transcripts/`.
    pub fn new(project: &Path, pane: &str, tokens: SimTokens) -> SimTranscript {
        let session = format!("sim-{}-{}", pane.trim_start_matches('%'), std::process::id());
        let dir = Project::at(project).run_dir().join("transcripts");
        SimTranscript {
            root: project.to_path_buf(),
            path: dir.join(format!("{session}.jsonl")),
            session,
            tokens,
            messages: 0,
        }
    }

    /// Appends one assistant message (two content blocks, usage on each) about `what`.
    pub fn message(&mut self, what: &str) -> Result<()> {
        self.messages += 1;
        let id = format!("msg_sim_{}_{}", self.session, self.messages);
        let now = jiff::Timestamp::now().to_string();
        let usage = json!({"input_tokens": self.tokens.input, "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0, "output_tokens": self.tokens.output,
            "service_tier": "standard"});
        let line = |uuid: u32, content: serde_json::Value| {
            json!({"parentUuid": null, "isSidechain": false, "userType": "external",
                "cwd": self.root.display().to_string(), "sessionId": self.session,
                "version": "sim", "message": {"model": SIM_MODEL, "id": id, "type": "message",
                "role": "assistant", "content": [content], "stop_reason": null, "usage": usage},
                "requestId": format!("req_{id}"), "type": "assistant",
                "uuid": format!("{id}-{uuid}"), "timestamp": now})
        };
        let text = json!({"type": "text", "text": what});
        let tool = json!({"type": "tool_use", "id": format!("toolu_{id}"), "name": "Bash",
            "input": {"command": "tmux-ide …"}});
        crate::project::create_dir_safe(&self.root, self.path.parent().unwrap_or(&self.root))?;
        let mut file = crate::project::open_append(&self.root, &self.path)?;
        let lines = format!("{}\n{}\n", line(1, text), line(2, tool));
        file.write_all(lines.as_bytes()).map_err(|e| Error::io(&self.path, e))?;
        Ok(())
    }

    /// Runs `exe agent usage --agent claude --pane PANE` with a Claude Code hook payload
    /// on its standard input, as the installed hook does.
    pub fn report(&self, exe: &Path, pane: &str, event: &str) -> Result<()> {
        let payload = json!({"session_id": self.session, "transcript_path": self.path,
            "cwd": self.root, "hook_event_name": event});
        let mut child = Command::new(exe)
            .arg("-C")
            .arg(&self.root)
            .args(["agent", "usage", "--agent", "claude", "--pane", pane])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Error::io(exe, e))?;
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(payload.to_string().as_bytes());
        }
        child.wait().map_err(|e| Error::io(exe, e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::usage::claude;

    #[test]
    fn the_sim_transcript_reads_as_claude_codes_one_message_per_turn_step() {
        let dir = tempfile::tempdir().unwrap();
        let tokens: SimTokens = "1000:200".parse().unwrap();
        let mut t = SimTranscript::new(dir.path(), "%7", tokens);
        t.message("working on task 001").unwrap();
        t.message("task 001 done").unwrap();
        let text = std::fs::read_to_string(&t.path).unwrap();
        assert_eq!(text.lines().count(), 4, "two content blocks per message");
        let mut d = claude::Dedupe::default();
        let got: Vec<_> =
            text.lines().filter_map(claude::parse_line).filter_map(|u| d.take(u)).collect();
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].input_tokens, got[0].output_tokens), (1000, 200));
        assert_eq!(got[0].model.as_deref(), Some(SIM_MODEL));
        assert!("1:2:3".parse::<SimTokens>().is_err() && "x:1".parse::<SimTokens>().is_err());
    }
}
