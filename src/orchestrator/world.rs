//! What the orchestrator sees on one tick: the plan, the contract, the panes and their
//! agents, the time and the settings. Built by the I/O shell; read by [`super::decide`].
use std::collections::HashSet;

use jiff::{SignedDuration, Timestamp};

use crate::plan::Plan;
use crate::plan::rules::RetryPolicy;

pub use crate::agent::state::AgentState;
pub use crate::config::{DispatchMode, Role};

/// One pane of the session.
#[derive(Debug, Clone, PartialEq)]
pub struct PaneView {
    /// The tmux pane id, `%3`.
    pub id: String,
    /// The pane title from `ide.yml`; tasks name their assignee by it.
    pub title: String,
    pub role: Role,
    pub specialty: Option<String>,
    pub state: AgentState,
    /// The last time the pane's visible output changed.
    pub last_output_change: Timestamp,
    /// The pid of the pane's program (`pane_pid`): with the id, which process this is.
    pub pid: u32,
}

/// The specialty researchers have when `ide.yml` gives them none.
pub const RESEARCH: &str = "research";

impl PaneView {
    /// The pane's specialty for matching: its own, or `research` for a researcher with none.
    pub fn effective_specialty(&self) -> Option<&str> {
        match (self.specialty.as_deref(), self.role) {
            (Some(s), _) => Some(s),
            (None, Role::Researcher) => Some(RESEARCH),
            (None, _) => None,
        }
    }
}

/// The orchestrator settings `decide` needs (from `ide.yml`'s `orchestrator`).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Milestones with validation (`missions`), or a plain queue (`tasks`).
    pub mode: DispatchMode,
    /// Dispatch ready tasks to idle panes; when off, only the lifecycle runs.
    pub auto_dispatch: bool,
    /// Cap on tasks in progress at once (already in progress + newly dispatched).
    pub max_concurrent_agents: Option<usize>,
    /// An in-progress task whose pane output has not changed for this long has stalled.
    pub stall_timeout: SignedDuration,
    /// How a task whose agent exited or whose prompt did not land is retried.
    pub retry: RetryPolicy,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mode: DispatchMode::Missions,
            auto_dispatch: true,
            max_concurrent_agents: None,
            stall_timeout: SignedDuration::from_secs(300),
            retry: RetryPolicy::default(),
        }
    }
}

/// Where the mission stands against its budget, and what the lead was already told.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BudgetView {
    pub verdict: crate::plan::rules::budget::Verdict,
    /// The level last reported (since the budget was last set).
    pub reported: crate::plan::rules::budget::BudgetLevel,
    /// Tasks past their per-task cap not reported yet: (task, the cap it reached).
    pub tasks_over: Vec<(String, String)>,
}

/// No budget, or one far from its limits.
pub static NO_BUDGET: BudgetView = BudgetView {
    verdict: crate::plan::rules::budget::Verdict {
        level: crate::plan::rules::budget::BudgetLevel::Under,
        limits: Vec::new(),
    },
    reported: crate::plan::rules::budget::BudgetLevel::Under,
    tasks_over: Vec::new(),
};

/// One assertion of the validation contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractAssertion {
    /// `VAL-AUTH-001`.
    pub id: String,
    /// The assertion's one-line statement.
    pub text: String,
}

/// Everything one decision looks at. Borrowed, so a tick builds it without copying.
#[derive(Debug, Clone, Copy)]
pub struct World<'a> {
    pub plan: &'a Plan,
    /// The contract's assertions in file order.
    pub contract: &'a [ContractAssertion],
    /// The session's panes in layout order (ties go to the earlier pane).
    pub panes: &'a [PaneView],
    pub now: Timestamp,
    pub settings: &'a Settings,
    /// Ids of tasks whose stall was already reported to the lead.
    pub stalls_reported: &'a HashSet<String>,
    /// Titles of panes whose exit was already reported to the lead.
    pub exited_reported: &'a HashSet<String>,
    /// The budget: at 100% no new work is dispatched.
    pub budget: &'a BudgetView,
}
