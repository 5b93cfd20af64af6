//! What tmux-ide knows about each kind of agent program (its profile): how to recognise
//! it (foreground process, pane title), its ready / busy / waiting / rate-limited screen
//! patterns (checked on the last lines only), how to submit a paste, and its hook support.
//! Built-in profiles for every [`Agent`]; ide.yml's `agents:` map overrides or adds some.
use std::collections::BTreeMap;
use std::time::Duration;

use crate::agent::approval::ApprovalStyle;
use crate::agent::screen::{Pattern, ScreenState};
use crate::config::{Agent, Config};
pub use crate::config::{HookKind, ProfileSpec};

/// One agent program's profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// `claude`, or the user's name for it in ide.yml.
    pub name: String,
    /// Foreground process names (`pane_current_command`) the program shows up as.
    pub processes: Vec<String>,
    /// Substrings of the pane title (set by the program) that identify it.
    pub titles: Vec<String>,
    /// Substrings of the pane's `command` in ide.yml that select this profile (user-defined).
    pub matches: Vec<String>,
    /// Lines from the bottom of the screen (non-blank) that patterns are checked on.
    pub tail_lines: usize,
    pub ready: Vec<Pattern>,
    /// Its prompt on the very last line means ready, whatever is above it, and only there:
    /// Aider leaves each answered `(Y)es/(N)o` question on screen above its `>` prompt,
    /// and the `>` lines of a prompt it is working on.
    pub prompt_last: bool,
    pub busy: Vec<Pattern>,
    pub waiting: Vec<Pattern>,
    pub rate_limited: Vec<Pattern>,
    /// Shown in the input when a paste is held as a preview (`[Pasted text #1 +40 lines]`).
    pub paste_marker: Vec<Pattern>,
    /// Pause between the paste and Enter.
    pub enter_delay: Duration,
    /// How long its ready screen must stay unchanged before a prompt is pasted (zero:
    /// at once). Gemini CLI drew its ready prompt, then a notice about project hooks that
    /// took back the input, and a prompt pasted meanwhile was left half typed in it.
    pub settle: Duration,
    /// A paste preview needs one more Enter to submit (sent once, only if the marker shows).
    pub second_enter: bool,
    /// How long to look for evidence that a prompt landed.
    pub receipt_timeout: Duration,
    pub hooks: HookKind,
    /// How the program asks before running a command (`None`: it never asks).
    pub approval: Option<ApprovalStyle>,
    /// Keys (tmux `send-keys` arguments, never pasted) that answer its question *yes*.
    pub approve_keys: Vec<String>,
    /// Whether the orchestrator answers yes to tmux-ide's own reporting commands.
    pub auto_approve: bool,
    /// What the title the program sets says, for when the screen shows nothing known.
    pub title_states: Vec<(ScreenState, Pattern)>,
    /// Its busy line carries a ticking timer and spinner that are not progress: they are
    /// left out when telling whether the screen changed (so a stall can be seen).
    pub busy_timer: bool,
    /// Typed to start a new conversation (`/clear`); `None`: the program has none.
    pub clear_command: Option<String>,
    /// Each task prompt starts in a fresh context: the clear command goes first.
    pub fresh_context: bool,
    /// Validation prompts start in a fresh context when there is a clear command, so
    /// the validator judges the work without the earlier rounds' conversation.
    pub fresh_validation: bool,
}

fn pats(list: &[&str]) -> Vec<Pattern> {
    list.iter().map(|p| Pattern::new(p)).collect()
}

fn strs(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Pause between the paste and Enter unless a profile says otherwise: Claude Code
/// needed ~300 ms to take a paste in (observed with Claude Code in a real pane).
pub const DEFAULT_ENTER_DELAY: Duration = Duration::from_millis(300);

const SHELLS: &[&str] = &["bash", "zsh", "sh", "dash", "fish", "ksh"];

impl Profile {
    /// The built-in profile of `agent`.
    pub fn builtin(agent: Agent) -> Profile {
        let base = Profile {
            name: agent.as_str().to_string(),
            processes: Vec::new(),
            titles: Vec::new(),
            matches: Vec::new(),
            tail_lines: 8,
            ready: Vec::new(),
            prompt_last: false,
            busy: Vec::new(),
            waiting: Vec::new(),
            rate_limited: Vec::new(),
            paste_marker: Vec::new(),
            enter_delay: DEFAULT_ENTER_DELAY,
            settle: Duration::ZERO,
            second_enter: false,
            receipt_timeout: Duration::from_secs(5),
            hooks: HookKind::None,
            approval: None,
            approve_keys: Vec::new(),
            auto_approve: true,
            title_states: Vec::new(),
            busy_timer: false,
            clear_command: None,
            fresh_context: false,
            fresh_validation: true,
        };
        let clear = |c: &str| Some(c.to_string());
        match agent {
            // As observed in Claude Code: `❯` stays visible while busy, so busy
            // ("esc to interrupt") outranks ready; the title is `✳ Claude Code` when idle.
            Agent::Claude => Profile {
                processes: strs(&["claude", "node"]),
                titles: strs(&["Claude Code"]),
                ready: pats(&["❯", "? for shortcuts"]),
                busy: pats(&["esc to interrupt"]),
                // `Not answered yet`: a start-up choice (seen: `Make auto mode your default
                // permission mode?` when the mode is `default`), whose `❯` reads ready.
                waiting: pats(&[
                    "Do you want to proceed?",
                    "Do you want to make this edit",
                    "Not answered yet",
                ]),
                // While it retries a 429 its spinner line reads `✻ 429 <message, cut at the
                // pane's width> · retrying in 17s · attempt 6/10` (each spinner glyph).
                rate_limited: pats(&[
                    "usage limit reached",
                    "rate limit",
                    "API Error: 429",
                    "✻ 429 ",
                    "✶ 429 ",
                    "✳ 429 ",
                    "✢ 429 ",
                    "✽ 429 ",
                    "· 429 ",
                ]),
                paste_marker: pats(&["[Pasted text"]),
                hooks: HookKind::ClaudeSettings,
                // Option 1 (`Yes`) is the one selected when the question opens.
                approval: Some(ApprovalStyle::Claude),
                approve_keys: strs(&["Enter"]),
                clear_command: clear("/clear"),
                ..base
            },
            // Codex's approval question starts 8–10 lines up and the `›` of its option 1
            // is on the last lines, so its closing lines are waiting patterns too.
            Agent::Codex => Profile {
                processes: strs(&["codex", "node"]),
                tail_lines: 12,
                ready: pats(&["⏎ send", "▌", "›"]),
                busy: pats(&["esc to interrupt"]),
                waiting: pats(&[
                    "Would you like to run",
                    "Press enter to confirm or esc to cancel",
                    "Yes, proceed (y)",
                    "Allow command?",
                    // A start-up choice (seen: `Meet GPT-6 Sol` for a model it would
                    // migrate); its `› 1.` option otherwise reads as the ready prompt.
                    "enter/esc confirm",
                ]),
                // Not a bare `usage limit`: its model-migration choice says "your usage
                // limits go further".
                rate_limited: pats(&[
                    "hit your usage limit",
                    "rate limit",
                    "429 Too Many Requests",
                ]),
                paste_marker: pats(&["[Pasted Content"]),
                hooks: HookKind::CodexNotify,
                approval: Some(ApprovalStyle::Codex),
                approve_keys: strs(&["y"]),
                title_states: vec![(ScreenState::Waiting, Pattern::new("Action Required"))],
                // Codex has no `/clear`: `/new` starts a new conversation in the same TUI.
                clear_command: clear("/new"),
                ..base
            },
            // Aider waits between retries with no spinner: `Retrying in` is its busy sign,
            // and the cause (a rate limit) is 2–3 lines above it in a narrow pane.
            Agent::Aider => Profile {
                processes: strs(&["aider", "python", "python3"]),
                tail_lines: 4,
                // An empty prompt only: with NO_COLOR set it shows no spinner while it
                // waits for the model, and the submitted prompt's `> …` lines stay last.
                ready: pats(&["^>$", "^architect>$", "^ask>$", "^code>$", "^multi>$"]),
                prompt_last: true,
                busy: pats(&["Waiting for", "Thinking", "Retrying in"]),
                waiting: pats(&["(Y)es/(N)o"]),
                rate_limited: pats(&["RateLimitError", "rate limit"]),
                enter_delay: Duration::from_millis(100),
                // Aider shows nothing between taking a prompt and `Waiting for gpt-4o`
                // while it loads litellm on its first request: 11 s seen in a real pane
                // on a busy 2-core machine, so 5 s returned a task it was working on.
                receipt_timeout: Duration::from_secs(30),
                hooks: HookKind::AiderNotifications,
                approval: Some(ApprovalStyle::Aider),
                approve_keys: strs(&["y", "Enter"]),
                clear_command: clear("/clear"),
                ..base
            },
            // Gemini CLI: the busy line is 6–8 lines up (more with a hint below it); its
            // title (`◇  Ready`, `✦  Working…`, `✋  Action Required`) never says "Gemini";
            // an Enter right after a paste may be taken as a newline, leaving the
            // `[Pasted Text: N lines]` preview to submit with one more Enter.
            Agent::Gemini => Profile {
                processes: strs(&["gemini", "node"]),
                titles: strs(&["◇  Ready", "✦  Working", "⏲  Working", "✋  Action Required"]),
                tail_lines: 14,
                ready: pats(&["Type your message"]),
                busy: pats(&["esc to cancel"]),
                waiting: pats(&[
                    "Allow execution",
                    "Apply this change?",
                    "Waiting for user",
                    "Do you trust the files in this folder?",
                ]),
                rate_limited: pats(&[
                    "Usage limit reached",
                    "exhausted your daily quota",
                    "Quota exceeded",
                    "rate limit",
                    "RESOURCE_EXHAUSTED",
                ]),
                paste_marker: pats(&["[Pasted Text:"]),
                second_enter: true,
                settle: Duration::from_millis(500),
                hooks: HookKind::GeminiSettings,
                approval: Some(ApprovalStyle::Gemini),
                approve_keys: strs(&["Enter"]),
                // Not `Ready`: it says so while the folder-trust dialog is open.
                title_states: vec![
                    (ScreenState::Waiting, Pattern::new("✋  Action Required")),
                    (ScreenState::Busy, Pattern::new("✦  Working")),
                    (ScreenState::Busy, Pattern::new("⏲  Working")),
                ],
                // A plain 429 is retried silently for over 11 minutes behind
                // `⠙ Thinking... (esc to cancel, 11m 14s)`: only the timer moves.
                busy_timer: true,
                clear_command: clear("/clear"),
                ..base
            },
            // The simulated agent prints `sim> ` as its last line when it waits.
            Agent::Sim => Profile {
                processes: strs(&["tmux-ide"]),
                tail_lines: 1,
                ready: pats(&["^sim>$"]),
                busy: pats(&["● working", "● validating"]),
                enter_delay: Duration::from_millis(20),
                receipt_timeout: Duration::from_secs(3),
                hooks: HookKind::SelfReport,
                clear_command: clear("/clear"),
                ..base
            },
            Agent::Shell => {
                Profile { processes: strs(SHELLS), enter_delay: Duration::from_millis(20), ..base }
            }
        }
    }

    /// Whether `process` (a pane's foreground command) is one this agent shows up as.
    pub fn has_process(&self, process: &str) -> bool {
        self.processes.iter().any(|p| p == process)
    }

    /// Applies the fields an ide.yml `agents:` entry sets.
    pub fn overridden(mut self, spec: &ProfileSpec) -> Profile {
        let set = |to: &mut Vec<Pattern>, from: &Option<Vec<String>>| {
            if let Some(list) = from {
                *to = list.iter().map(|p| Pattern::new(p)).collect();
            }
        };
        set(&mut self.ready, &spec.ready);
        set(&mut self.busy, &spec.busy);
        set(&mut self.waiting, &spec.waiting);
        set(&mut self.rate_limited, &spec.rate_limited);
        set(&mut self.paste_marker, &spec.paste_marker);
        if let Some(p) = &spec.processes {
            self.processes = p.clone();
        }
        if let Some(t) = &spec.titles {
            self.titles = t.clone();
        }
        if let Some(m) = &spec.matches {
            self.matches = m.clone();
        }
        if let Some(n) = spec.tail_lines {
            self.tail_lines = n.max(1) as usize;
        }
        if let Some(ms) = spec.enter_delay {
            self.enter_delay = Duration::from_millis(ms);
        }
        if let Some(b) = spec.second_enter {
            self.second_enter = b;
        }
        if let Some(ms) = spec.receipt_timeout {
            self.receipt_timeout = Duration::from_millis(ms);
        }
        if let Some(h) = spec.hooks {
            self.hooks = h;
        }
        if let Some(b) = spec.auto_approve {
            self.auto_approve = b;
        }
        if let Some(c) = &spec.clear_command {
            self.clear_command = Some(c.trim().to_string()).filter(|c| !c.is_empty());
        }
        if let Some(b) = spec.fresh_context {
            self.fresh_context = b;
        }
        if let Some(b) = spec.fresh_validation {
            self.fresh_validation = b;
        }
        self
    }
}

/// Every profile a project can use: the built-ins with ide.yml's changes, then its own.
#[derive(Debug, Clone)]
pub struct Profiles {
    builtin: Vec<(Agent, Profile)>,
    custom: Vec<Profile>,
}

impl Default for Profiles {
    fn default() -> Self {
        Profiles::new(&BTreeMap::new())
    }
}

impl Profiles {
    pub fn new(specs: &BTreeMap<String, ProfileSpec>) -> Profiles {
        let builtin = Agent::ALL
            .iter()
            .map(|&a| {
                let p = Profile::builtin(a);
                let p = match specs.get(a.as_str()) {
                    Some(spec) => p.overridden(spec),
                    None => p,
                };
                (a, p)
            })
            .collect();
        let custom = specs
            .iter()
            .filter(|(name, _)| name.parse::<Agent>().is_err())
            .map(|(name, spec)| {
                let mut p = Profile::builtin(spec.base.unwrap_or(Agent::Shell)).overridden(spec);
                p.name = name.clone();
                if p.matches.is_empty() {
                    p.matches = vec![name.clone()];
                }
                p
            })
            .collect();
        Profiles { builtin, custom }
    }

    /// The profile for a pane: a user-defined one whose `match` is in the pane's command,
    /// else the built-in one of its agent (`shell` when it has none).
    pub fn resolve(&self, agent: Option<Agent>, command: Option<&str>) -> &Profile {
        if let Some(cmd) = command
            && let Some(p) =
                self.custom.iter().find(|p| p.matches.iter().any(|m| cmd.contains(m.as_str())))
        {
            return p;
        }
        self.builtin(agent.unwrap_or(Agent::Shell))
    }

    pub fn builtin(&self, agent: Agent) -> &Profile {
        let found = self.builtin.iter().find(|(a, _)| *a == agent).map(|(_, p)| p);
        found.unwrap_or(&self.builtin[0].1)
    }
}

/// Pause between pasting into a pane and pressing Enter: the pane's profile as ide.yml
/// shapes it (`agents:`, a user-defined one matched by the pane's `command`), else its
/// agent's built-in one. `config` is `None` when ide.yml cannot be read.
pub fn enter_delay(config: Option<&Config>, agent: Option<Agent>, title: &str) -> Duration {
    let Some(config) = config else {
        return Profile::builtin(agent.unwrap_or(Agent::Shell)).enter_delay;
    };
    let pane = config.pane(title);
    let agent = agent.or_else(|| pane.map(|p| p.agent()));
    let command = pane.and_then(|p| p.command.as_deref());
    Profiles::new(&config.agents).resolve(agent, command).enter_delay
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_agent_has_a_builtin_profile_named_after_it() {
        let profiles = Profiles::default();
        for a in Agent::ALL {
            assert_eq!(profiles.builtin(a).name, a.as_str());
        }
        assert_eq!(enter_delay(None, Some(Agent::Claude), "x"), Duration::from_millis(300));
        assert!(enter_delay(None, Some(Agent::Sim), "x") < Duration::from_millis(100));
    }

    #[test]
    fn an_ide_yml_entry_named_after_a_builtin_changes_only_what_it_sets() {
        let spec = ProfileSpec { receipt_timeout: Some(900), ..ProfileSpec::default() };
        let profiles = Profiles::new(&BTreeMap::from([("claude".to_string(), spec)]));
        let claude = profiles.resolve(Some(Agent::Claude), Some("claude"));
        assert_eq!(claude.receipt_timeout, Duration::from_millis(900));
        assert_eq!(claude.busy, Profile::builtin(Agent::Claude).busy);
    }

    #[test]
    fn a_user_defined_profile_applies_to_panes_whose_command_it_matches() {
        let spec = ProfileSpec {
            base: Some(Agent::Claude),
            matches: Some(vec!["mybot --preview".into()]),
            second_enter: Some(true),
            ..ProfileSpec::default()
        };
        let profiles = Profiles::new(&BTreeMap::from([("mybot".to_string(), spec)]));
        let p = profiles.resolve(Some(Agent::Claude), Some("./mybot --preview -v"));
        assert_eq!(p.name, "mybot");
        assert!(p.second_enter);
        assert_eq!(p.busy, Profile::builtin(Agent::Claude).busy);
        assert_eq!(profiles.resolve(Some(Agent::Claude), Some("claude")).name, "claude");
        assert_eq!(profiles.resolve(None, None).name, "shell");
    }

    #[test]
    fn a_panes_enter_delay_comes_from_its_profile_in_ide_yml() {
        let text = "rows:
  - panes:
      - {title: Bot, command: mybot --fast}
      - {title: Lead, command: claude}
      - {title: Sh}
agents:
  mybot: {enter_delay: 1234}
  claude: {enter_delay: 777, auto_approve: false}
";
        let config = Config::parse(text).unwrap();
        let c = Some(&config);
        assert_eq!(enter_delay(c, None, "Bot"), Duration::from_millis(1234));
        assert_eq!(enter_delay(c, Some(Agent::Claude), "Lead"), Duration::from_millis(777));
        assert_eq!(enter_delay(c, None, "Lead"), Duration::from_millis(777));
        assert_eq!(enter_delay(c, None, "Sh"), Profile::builtin(Agent::Shell).enter_delay);
        let profiles = Profiles::new(&config.agents);
        assert!(!profiles.builtin(Agent::Claude).auto_approve);
        assert!(profiles.builtin(Agent::Aider).auto_approve, "on unless ide.yml says otherwise");
        let unknown = enter_delay(c, Some(Agent::Aider), "not in ide.yml");
        assert_eq!(unknown, Profile::builtin(Agent::Aider).enter_delay);
    }
}
