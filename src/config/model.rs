//! The typed ide.yml model: what the file says, with serde defaults, plus the
//! small resolutions the rest of the crate needs (a pane's agent, sizes as percentages).
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

/// The whole ide.yml.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The tmux session name (sanitised); defaults to the project directory's name.
    #[serde(default)]
    pub name: Option<String>,
    /// A shell command run once, in the project directory, when the session is created.
    #[serde(default)]
    pub before: Option<String>,
    #[serde(default)]
    pub team: Option<Team>,
    #[serde(default)]
    pub theme: Option<Theme>,
    /// The panes of a single-window layout (empty when `windows:` is used instead).
    #[serde(default)]
    pub rows: Vec<Row>,
    /// Several layout windows, each with its own `rows:` (see `config::window`).
    #[serde(default)]
    pub windows: Vec<super::Window>,
    #[serde(default)]
    pub orchestrator: OrchestratorConfig,
    /// Agent profiles: changes to the built-in ones (keyed `claude`, `codex`, …) and
    /// user-defined ones (any other name); `agent::profiles` applies them.
    #[serde(default)]
    pub agents: BTreeMap<String, super::ProfileSpec>,
    #[serde(default)]
    pub dashboard: DashboardConfig,
    /// Who hears about which events, and how (`notify:`).
    #[serde(default)]
    pub notify: super::NotifyConfig,
    /// Prices per model (USD per million tokens), over the built-in table.
    #[serde(default)]
    pub prices: BTreeMap<String, super::PriceSpec>,
}

/// Port of the dashboard when ide.yml (or `--port`) names none.
pub const DEFAULT_DASHBOARD_PORT: u16 = 7420;

/// The `dashboard:` section: when enabled, `tmux-ide` opens a `dashboard` window running
/// `tmux-ide dashboard --port PORT`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashboardConfig {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default = "default_dashboard_port")]
    pub port: u16,
}

impl Default for DashboardConfig {
    fn default() -> Self {
        DashboardConfig { enabled: false, port: DEFAULT_DASHBOARD_PORT }
    }
}

fn default_dashboard_port() -> u16 {
    DEFAULT_DASHBOARD_PORT
}

/// Agent-team settings of the reference tool (kept for compatibility).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    pub name: String,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// Colours applied to this session only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    /// Active pane border.
    #[serde(default)]
    pub accent: Option<String>,
    /// Inactive pane borders.
    #[serde(default)]
    pub border: Option<String>,
    /// Status line background.
    #[serde(default)]
    pub bg: Option<String>,
    /// Status line foreground.
    #[serde(default)]
    pub fg: Option<String>,
}

/// One row of panes, laid out top to bottom.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    /// Height as a percentage of the window; unsized rows share what is left.
    #[serde(default)]
    pub size: Option<Percent>,
    pub panes: Vec<Pane>,
}

/// One pane of a row, laid out left to right.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pane {
    /// Unique label shown in the pane border; `send`, `status` and the store use it.
    /// Filled in as "Pane N" (N counted over the whole layout) when ide.yml leaves it out.
    pub title: String,
    /// Shell command started in the pane (the default shell when absent).
    #[serde(default)]
    pub command: Option<String>,
    /// Working directory, relative to the project directory.
    #[serde(default)]
    pub dir: Option<String>,
    /// Width as a percentage of the row; unsized panes share what is left.
    #[serde(default)]
    pub size: Option<Percent>,
    #[serde(default)]
    pub focus: bool,
    #[serde(default, deserialize_with = "scalar_map")]
    pub env: BTreeMap<String, String>,
    /// Filled in when ide.yml leaves it out: `teammate` for an agent pane, `shell` otherwise.
    pub role: Role,
    #[serde(default)]
    pub specialty: Option<String>,
    #[serde(default)]
    pub skill: Option<String>,
    /// The agent program; inferred from `command` when absent (see [`Pane::agent`]).
    #[serde(default)]
    pub agent: Option<Agent>,
    /// Each task prompt in a fresh context; overrides the profile's `fresh_context`.
    #[serde(default)]
    pub fresh_context: Option<bool>,
}

impl Pane {
    /// The agent running in this pane: the explicit `agent`, else inferred from the
    /// program name of `command` (`shell` when there is none or it is not an agent).
    pub fn agent(&self) -> Agent {
        self.agent.unwrap_or_else(|| Agent::infer(self.command.as_deref()))
    }

    /// The role a pane gets when ide.yml names none.
    pub fn default_role(agent: Agent) -> Role {
        if agent == Agent::Shell { Role::Shell } else { Role::Teammate }
    }
}

/// What a pane is for: the lead, a teammate taking tasks, a validator, or none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Lead,
    Teammate,
    Validator,
    Researcher,
    #[default]
    Shell,
}

impl Role {
    pub const ALL: [Role; 5] =
        [Role::Lead, Role::Teammate, Role::Validator, Role::Researcher, Role::Shell];

    /// Teammates and researchers take worker tasks; the validator only validation
    /// rounds; lead and shell panes never get work.
    pub fn takes_tasks(self) -> bool {
        matches!(self, Role::Teammate | Role::Researcher)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Lead => "lead",
            Role::Teammate => "teammate",
            Role::Validator => "validator",
            Role::Researcher => "researcher",
            Role::Shell => "shell",
        }
    }
}

/// The program running in a pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Agent {
    Claude,
    Codex,
    Aider,
    Gemini,
    Sim,
    Shell,
}

impl Agent {
    pub const ALL: [Agent; 6] =
        [Agent::Claude, Agent::Codex, Agent::Aider, Agent::Gemini, Agent::Sim, Agent::Shell];

    pub fn as_str(self) -> &'static str {
        match self {
            Agent::Claude => "claude",
            Agent::Codex => "codex",
            Agent::Aider => "aider",
            Agent::Gemini => "gemini",
            Agent::Sim => "sim",
            Agent::Shell => "shell",
        }
    }

    /// The agent a shell command starts: its program name, skipping `VAR=value`
    /// assignments and `env`/`exec`/`npx`-style launchers; `tmux-ide agent sim` is `sim`.
    pub fn infer(command: Option<&str>) -> Agent {
        let Some(command) = command else { return Agent::Shell };
        let mut words = command.split_whitespace().filter(|w| !w.contains('='));
        while let Some(word) = words.next() {
            let program = word.rsplit('/').next().unwrap_or(word);
            match program {
                "env" | "exec" | "npx" | "bunx" | "pnpx" | "command" | "nohup" => continue,
                "tmux-ide" => {
                    return if words.next() == Some("agent") && words.next() == Some("sim") {
                        Agent::Sim
                    } else {
                        Agent::Shell
                    };
                }
                _ => {}
            }
            // `npx @google/gemini-cli@latest` → `gemini-cli`
            let program = program.split('@').next().unwrap_or(program);
            return match program {
                "claude" | "claude-code" => Agent::Claude,
                "codex" => Agent::Codex,
                "aider" | "aider-chat" => Agent::Aider,
                "gemini" | "gemini-cli" => Agent::Gemini,
                _ => Agent::Shell,
            };
        }
        Agent::Shell
    }
}

macro_rules! str_enum {
    ($ty:ty) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $ty {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                <$ty>::ALL.into_iter().find(|v| v.as_str() == s).ok_or(())
            }
        }
    };
}
str_enum!(Role);
str_enum!(Agent);

/// How the orchestrator hands out work (`goals`, the reference's third mode, is refused
/// by the check until it exists).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DispatchMode {
    /// Milestone by milestone, each closed by validation rounds; the mission completes.
    #[default]
    Missions,
    /// A plain queue: any todo task whose dependencies are done, no milestone gating, no
    /// validation; for work without a mission.
    Tasks,
}

/// The `orchestrator:` section, with its documented defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrchestratorConfig {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default = "yes")]
    pub auto_dispatch: bool,
    /// Answer yes when an agent asks to run one of tmux-ide's own reporting commands.
    #[serde(default = "yes")]
    pub auto_approve: bool,
    #[serde(default)]
    pub dispatch_mode: DispatchMode,
    /// Milliseconds between ticks.
    #[serde(default = "default_poll_interval")]
    pub poll_interval: u64,
    /// Milliseconds without pane output before an in-progress task counts as stalled.
    #[serde(default = "default_stall_timeout")]
    pub stall_timeout: u64,
    /// Title of the pane that hears notices (the lead pane when absent).
    #[serde(default)]
    pub master_pane: Option<String>,
    #[serde(default)]
    pub max_concurrent_agents: Option<u32>,
    /// Failed attempts at a task (its agent exited, its prompt did not land) that are
    /// retried before it is `blocked`.
    #[serde(default = "default_max_retries")]
    pub max_retries: u32,
    /// Milliseconds before the first retry; each further retry waits twice as long (at
    /// most 5 minutes).
    #[serde(default = "default_retry_backoff")]
    pub retry_backoff: u64,
    /// Research tasks on triggers (`orchestrator.research`).
    #[serde(default)]
    pub research: super::research::ResearchConfig,
    /// Limits on what the mission may spend; reaching one stops new dispatches.
    #[serde(default)]
    pub budget: Option<super::BudgetConfig>,
    /// `worktree`: a git worktree per agent pane, a commit per task, merged into the
    /// mission branch (see `isolation`).
    #[serde(default)]
    pub isolation: Isolation,
    /// With isolation, push the mission branch and open a pull request (`gh`) when the
    /// mission completes.
    #[serde(default)]
    pub pull_request: bool,
}

/// How agent panes share the project's files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Isolation {
    /// Every pane works in the project's own checkout.
    #[default]
    None,
    /// A git worktree per agent pane on its own branch; tasks merge into the mission branch.
    Worktree,
}

impl Default for OrchestratorConfig {
    fn default() -> Self {
        OrchestratorConfig {
            enabled: false,
            auto_dispatch: true,
            auto_approve: true,
            dispatch_mode: DispatchMode::Missions,
            poll_interval: default_poll_interval(),
            stall_timeout: default_stall_timeout(),
            master_pane: None,
            max_concurrent_agents: None,
            max_retries: default_max_retries(),
            retry_backoff: default_retry_backoff(),
            research: Default::default(),
            budget: None,
            isolation: Isolation::None,
            pull_request: false,
        }
    }
}

fn yes() -> bool {
    true
}
fn default_poll_interval() -> u64 {
    5000
}
fn default_stall_timeout() -> u64 {
    300_000
}
fn default_max_retries() -> u32 {
    3
}
fn default_retry_backoff() -> u64 {
    10_000
}

/// A size in percent, written `70%` (or a bare number) in ide.yml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Percent(pub u8);

impl Percent {
    /// Parses `70%`, `70` or `"70"`; `None` unless it is a whole percentage 1..=100.
    pub fn parse(text: &str) -> Option<Percent> {
        let digits = text.trim().strip_suffix('%').unwrap_or(text.trim()).trim();
        let n: u8 = digits.parse().ok()?;
        (1..=100).contains(&n).then_some(Percent(n))
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

impl Serialize for Percent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = match Scalar::deserialize(d)? {
            Scalar::Str(s) => s,
            Scalar::Int(n) => n.to_string(),
            other => other.into_string(),
        };
        Percent::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("size {text:?} is not a percentage like \"70%\""))
        })
    }
}

/// A YAML scalar as written; env values may be strings, numbers or booleans.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

impl Scalar {
    fn into_string(self) -> String {
        match self {
            Scalar::Bool(b) => b.to_string(),
            Scalar::Int(n) => n.to_string(),
            Scalar::Float(x) => x.to_string(),
            Scalar::Str(s) => s,
        }
    }
}

fn scalar_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let raw = BTreeMap::<String, Scalar>::deserialize(d)?;
    Ok(raw.into_iter().map(|(k, v)| (k, v.into_string())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agent_is_inferred_from_the_program_name() {
        let cases = [
            (None, Agent::Shell),
            (Some("claude --dangerously-skip-permissions"), Agent::Claude),
            (Some("/usr/local/bin/codex"), Agent::Codex),
            (Some("FOO=1 aider --model x"), Agent::Aider),
            (Some("npx @google/gemini-cli"), Agent::Gemini),
            (Some("tmux-ide agent sim"), Agent::Sim),
            (Some("pnpm dev"), Agent::Shell),
        ];
        for (command, want) in cases {
            assert_eq!(Agent::infer(command), want, "{command:?}");
        }
    }

    #[test]
    fn percentages_parse_with_or_without_the_sign() {
        assert_eq!(Percent::parse("70%"), Some(Percent(70)));
        assert_eq!(Percent::parse("30"), Some(Percent(30)));
        assert_eq!(Percent::parse("0%"), None);
        assert_eq!(Percent::parse("120%"), None);
        assert_eq!(Percent::parse("70px"), None);
    }
}
