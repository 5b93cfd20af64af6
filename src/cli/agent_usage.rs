//! `tmux-ide agent usage`: what an agent's hook runs to say where the agent keeps its
//! token usage. Claude Code and Gemini CLI hooks pass their JSON payload on standard
//! input (`transcript_path`); Codex's notify payload names its thread, whose rollout log
//! is found under `$CODEX_HOME/sessions`. Each becomes a `usage_source` event for the
//! pane; the orchestrator reads the file from there on and logs `usage` events.
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::Ctx;
use crate::agent::usage::{MAX_PATH, SourceKind, codex, source_event};
use crate::plan::store::Store;
use crate::{Error, Result};

/// The largest hook payload read from standard input (`UserPromptSubmit` carries the
/// whole prompt, which tmux-ide bounds well below this).
const MAX_PAYLOAD: u64 = 8 << 20;

#[derive(Debug, clap::Args)]
pub struct UsageArgs {
    /// Whose payload is on standard input: `claude` (Claude Code) or `gemini` (Gemini CLI).
    #[arg(long, value_name = "AGENT", value_parser = ["claude", "gemini"])]
    pub agent: String,
    /// The pane reporting (`%3`); defaults to $TMUX_IDE_PANE, set in every tmux-ide pane.
    #[arg(long, env = "TMUX_IDE_PANE", value_name = "PANE_ID")]
    pub pane: Option<String>,
}

/// `agent usage`: reads the hook payload and records the transcript it names.
pub fn run(ctx: &Ctx, args: UsageArgs) -> Result<ExitCode> {
    let pane = args.pane.filter(|p| p.starts_with('%')).ok_or_else(|| {
        Error::bad_input(
            "no pane to report for: give --pane %N or run inside a tmux-ide pane ($TMUX_IDE_PANE)",
        )
    })?;
    let kind = SourceKind::parse(&args.agent).unwrap_or(SourceKind::Claude);
    if std::io::stdin().is_terminal() {
        return Err(Error::bad_input(
            "agent usage reads a hook payload (JSON with transcript_path) on standard input",
        ));
    }
    let mut text = String::new();
    std::io::stdin().take(MAX_PAYLOAD).read_to_string(&mut text)?;
    let path = transcript_path(&text).ok_or_else(|| {
        Error::bad_input("the hook payload has no usable transcript_path (an absolute path)")
    })?;
    let project = ctx.project()?;
    let title = super::pane::title_of(ctx, &pane);
    let event = source_event(jiff::Timestamp::now(), &pane, &title, kind, &path);
    Store::new(&project).append_events(&[event])?;
    Ok(ExitCode::SUCCESS)
}

/// The `transcript_path` of a hook payload: absolute, bounded, one line.
fn transcript_path(payload: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(payload).ok()?;
    let path = v.get("transcript_path")?.as_str()?;
    let ok = path.starts_with('/') && path.len() <= MAX_PATH && !path.chars().any(char::is_control);
    ok.then(|| path.to_string())
}

/// For a Codex notify payload: the `usage_source` event of its thread's rollout log, for
/// the pane (`%3`, titled `title`) the turn was placed on. `None` when it is not Codex's
/// or the log is not found.
pub(super) fn codex_source(
    payload: &[String],
    pane: &str,
    title: &str,
) -> Option<crate::plan::Event> {
    let thread = codex::thread_id(payload.last()?)?;
    let home = codex_home()?;
    let path = codex::find_rollout(&home, &thread)?;
    let path = path.to_str()?;
    Some(source_event(jiff::Timestamp::now(), pane, title, SourceKind::Codex, path))
}

/// `$CODEX_HOME`, else `~/.codex`.
fn codex_home() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CODEX_HOME").filter(|h| !h.is_empty()) {
        return Some(PathBuf::from(home));
    }
    std::env::var_os("HOME").map(|h| Path::new(&h).join(".codex"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_absolute_one_line_transcript_path_is_taken() {
        let ok = r#"{"session_id":"s","transcript_path":"/home/u/.claude/projects/-p/s.jsonl","hook_event_name":"Stop"}"#;
        assert_eq!(transcript_path(ok).as_deref(), Some("/home/u/.claude/projects/-p/s.jsonl"));
        for bad in [
            r#"{"transcript_path":"relative.jsonl"}"#,
            r#"{"transcript_path":"/a\nb"}"#,
            r#"{"transcript_path":7}"#,
            r#"{"session_id":"s"}"#,
            "not json",
        ] {
            assert_eq!(transcript_path(bad), None, "{bad}");
        }
    }
}
