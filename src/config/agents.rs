//! ide.yml's `agents:` entries as written ([`ProfileSpec`]) and the hook kinds they may
//! name. Only the description of the file lives here; turning entries into profiles is
//! `agent::profiles`, which depends on this and not the other way round.
use serde::{Deserialize, Serialize};

use super::Agent;

/// How an agent tells tmux-ide about its state on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HookKind {
    /// No hooks: state comes from the screen only.
    None,
    /// Claude Code settings hooks (`tmux-ide hooks install claude`).
    ClaudeSettings,
    /// Codex's `notify` program, run when a turn completes (`tmux-ide hooks install codex`).
    CodexNotify,
    /// Aider's `--notifications-command`, run when it waits for input.
    AiderNotifications,
    /// Gemini CLI settings hooks (`tmux-ide hooks install gemini`).
    GeminiSettings,
    /// The agent runs `tmux-ide agent idle|busy` itself (the simulated agent).
    SelfReport,
}

/// One entry of ide.yml's `agents:` map. Named after a built-in agent it changes that
/// profile; any other name is a new profile (starting from `base`, default `shell`) that
/// applies to panes whose `command` contains one of `match`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSpec {
    #[serde(default)]
    pub base: Option<Agent>,
    #[serde(default, rename = "match")]
    pub matches: Option<Vec<String>>,
    #[serde(default)]
    pub processes: Option<Vec<String>>,
    #[serde(default)]
    pub titles: Option<Vec<String>>,
    #[serde(default)]
    pub tail_lines: Option<u32>,
    #[serde(default)]
    pub ready: Option<Vec<String>>,
    #[serde(default)]
    pub busy: Option<Vec<String>>,
    #[serde(default)]
    pub waiting: Option<Vec<String>>,
    #[serde(default)]
    pub rate_limited: Option<Vec<String>>,
    #[serde(default)]
    pub paste_marker: Option<Vec<String>>,
    /// Milliseconds between paste and Enter.
    #[serde(default)]
    pub enter_delay: Option<u64>,
    #[serde(default)]
    pub second_enter: Option<bool>,
    /// Milliseconds to wait for evidence that a prompt landed.
    #[serde(default)]
    pub receipt_timeout: Option<u64>,
    #[serde(default)]
    pub hooks: Option<HookKind>,
    /// `false`: the orchestrator never answers this program's approval questions.
    #[serde(default)]
    pub auto_approve: Option<bool>,
    /// What the program takes as "start a new conversation" (`/clear`); `""`: none.
    #[serde(default)]
    pub clear_command: Option<String>,
    /// `true`: each task prompt starts in a fresh context (the clear command first).
    #[serde(default)]
    pub fresh_context: Option<bool>,
    /// `false`: validation prompts do not start in a fresh context.
    #[serde(default)]
    pub fresh_validation: Option<bool>,
}
