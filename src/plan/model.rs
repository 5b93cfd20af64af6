//! The plan's data model as stored in `.tasks/tasks.json`. Field order here is
//! the key order on disk, so the file diffs well in git.
use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::events::Event;
use super::rules::PlanError;
use crate::Result;

/// Schema version of `tasks.json`; bump when the on-disk shape changes.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything in `tasks.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub version: u32,
    /// The event log's position (`seq` of its last event) once this file's change is
    /// logged. While a change is being made it is the position before it, so anything
    /// stamped with it sorts before the change's own events.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub seq: u64,
    #[serde(default)]
    pub mission: Option<Mission>,
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    #[serde(default)]
    pub goals: Vec<Goal>,
    #[serde(default, deserialize_with = "super::sized::tasks")]
    pub tasks: Vec<Task>,
    /// Reported assertion results by assertion id; an id absent here is `pending`.
    #[serde(default)]
    pub assertions: BTreeMap<String, AssertionResult>,
    /// The events of the change this file holds, with their `seq`s. Replacing this file is
    /// what commits a change; its events are appended to the log just after, and whoever
    /// next takes the store lock appends any the log lacks (a writer killed in between).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending_events: Vec<Event>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Default for Plan {
    fn default() -> Self {
        Plan {
            version: SCHEMA_VERSION,
            seq: 0,
            mission: None,
            milestones: Vec::new(),
            goals: Vec::new(),
            tasks: Vec::new(),
            assertions: BTreeMap::new(),
            pending_events: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mission {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub status: MissionStatus,
    pub created: Timestamp,
    #[serde(default)]
    pub activated: Option<Timestamp>,
    #[serde(default)]
    pub completed: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissionStatus {
    Planning,
    Active,
    Complete,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    /// `M<sequence>`.
    pub id: String,
    pub title: String,
    pub sequence: u32,
    #[serde(default)]
    pub description: String,
    pub status: MilestoneStatus,
    pub created: Timestamp,
    /// The validation round under way or last run; `None` before the first one.
    #[serde(default)]
    pub validation: Option<ValidationRound>,
}

/// One validation round of a milestone. It ends when every assertion in `assertions`
/// has a result reported after the round began (see [`ValidationRound::counts`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidationRound {
    /// 1 for the first round, 2 after the first remediation, ...
    pub round: u32,
    pub started: Timestamp,
    /// The event log's position when the round began ([`Plan::seq`] then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// Title of the pane the round was handed to; `None` until a validator is dispatched.
    #[serde(default)]
    pub pane: Option<String>,
    /// The assertion ids checked in this round.
    #[serde(default)]
    pub assertions: Vec<String>,
    /// The pane process the round was handed to (see [`Task::dispatched_to`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatched_to: Option<PaneProcess>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneStatus {
    Locked,
    Active,
    Validating,
    Done,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    /// `G1`, `G2`, ...
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// `001`, `002`, ... zero-padded to 3, wider past 999.
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub milestone: Option<String>,
    #[serde(default)]
    pub specialty: Option<String>,
    /// 1 = highest, 9 = lowest.
    pub priority: u8,
    #[serde(default)]
    pub goal: Option<String>,
    #[serde(default)]
    pub depends: Vec<String>,
    #[serde(default)]
    pub fulfills: Vec<String>,
    /// Pane title of the agent working on it.
    #[serde(default)]
    pub assignee: Option<String>,
    pub status: TaskStatus,
    #[serde(default)]
    pub proof: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    /// The assertion id this task remediates, for tasks the orchestrator creates.
    #[serde(default)]
    pub remediation_for: Option<String>,
    #[serde(deserialize_with = "super::ts::de")]
    pub created: Timestamp,
    #[serde(default, deserialize_with = "super::ts::de_opt")]
    pub started: Option<Timestamp>,
    #[serde(default, deserialize_with = "super::ts::de_opt")]
    pub finished: Option<Timestamp>,
    /// Failed attempts so far (its agent exited, or its prompt did not land); at
    /// `orchestrator.max_retries` the next failure blocks it. `task update --status todo`
    /// starts the count again.
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub attempts: u32,
    /// Backoff after a failed attempt: not dispatched again before this time.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::ts::de_opt"
    )]
    pub retry_after: Option<Timestamp>,
    /// Why the task is `blocked` (the last failure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked_reason: Option<String>,
    /// The pane process the orchestrator handed it to, so a pane restarted under the same
    /// title (a new process, the same or a new pane id) is not mistaken for its worker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatched_to: Option<PaneProcess>,
    /// Its merged change, with isolation (`orchestrator.isolation: worktree`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<super::task_git::TaskGit>,
}

impl Task {
    /// A `todo` task created at `created`, priority 5 (the CLI's default), with nothing
    /// else set: what every writer starts from (`Task { fulfills, ..Task::new(…) }`).
    pub fn new(id: impl Into<String>, title: impl Into<String>, created: Timestamp) -> Task {
        Task {
            id: id.into(),
            title: title.into(),
            description: String::new(),
            milestone: None,
            specialty: None,
            priority: 5,
            goal: None,
            depends: Vec::new(),
            fulfills: Vec::new(),
            assignee: None,
            status: TaskStatus::Todo,
            proof: None,
            summary: None,
            remediation_for: None,
            created,
            started: None,
            finished: None,
            attempts: 0,
            retry_after: None,
            blocked_reason: None,
            dispatched_to: None,
            git: None,
        }
    }
}

/// A pane's identity as one process: tmux's pane id and the pid of the pane's program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaneProcess {
    pub pane_id: String,
    pub pid: u32,
}

fn is_zero_u32(n: &u32) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Todo,
    InProgress,
    Done,
    Cancelled,
    /// Failed more than `orchestrator.max_retries` times; waits for a person
    /// (`task update --status todo`).
    Blocked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssertionStatus {
    Pending,
    Passing,
    Failing,
}

/// The last reported result of one assertion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssertionResult {
    pub status: AssertionStatus,
    #[serde(default)]
    pub evidence: String,
    /// Who reported it: a pane title, `validate run`, or `user`.
    #[serde(default)]
    pub reporter: Option<String>,
    pub updated: Timestamp,
    /// The event log's position when it was reported ([`Plan::seq`] then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
}

impl ValidationRound {
    /// Whether `result` was reported after this round began. By the log's order when both
    /// carry a position, so a clock stepping back cannot hide a report; else by time, at
    /// the log's millisecond precision (files written before positions were recorded).
    pub fn counts(&self, result: &AssertionResult) -> bool {
        match (self.seq, result.seq) {
            (Some(round), Some(report)) => report > round,
            _ => result.updated.as_millisecond() >= self.started.as_millisecond(),
        }
    }

    /// Whether `event` was logged since this round began, ordered like [`Self::counts`]:
    /// the plan keeps nanoseconds and the log milliseconds, so by time the comparison is
    /// made at the log's precision (else a round's own event, rounded down, looks older).
    pub fn logged_since(&self, event: &Event) -> bool {
        match (self.seq, event.seq) {
            (Some(round), Some(seq)) => seq > round,
            _ => event.ts.as_millisecond() >= self.started.as_millisecond(),
        }
    }
}

impl MissionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MissionStatus::Planning => "planning",
            MissionStatus::Active => "active",
            MissionStatus::Complete => "complete",
        }
    }
}

impl MilestoneStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneStatus::Locked => "locked",
            MilestoneStatus::Active => "active",
            MilestoneStatus::Validating => "validating",
            MilestoneStatus::Done => "done",
        }
    }
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 5] = [
        TaskStatus::Todo,
        TaskStatus::InProgress,
        TaskStatus::Done,
        TaskStatus::Cancelled,
        TaskStatus::Blocked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Todo => "todo",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Done => "done",
            TaskStatus::Cancelled => "cancelled",
            TaskStatus::Blocked => "blocked",
        }
    }
}

impl AssertionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AssertionStatus::Pending => "pending",
            AssertionStatus::Passing => "passing",
            AssertionStatus::Failing => "failing",
        }
    }
}

/// Task id for the n-th task: zero-padded to 3 digits, wider past 999.
pub fn task_id(n: u32) -> String {
    format!("{n:03}")
}

/// The highest task or goal number: ids are counted, never wrapped.
pub const MAX_ID: u64 = 999_999_999;

/// One past the highest of `numbers`; an id beyond [`MAX_ID`] is refused by name rather
/// than wrapped around to reuse low ids.
fn next_number<'a>(
    what: &'static str,
    ids: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<u32, PlanError> {
    let mut max = 0u64;
    for (id, digits) in ids {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        match digits.parse::<u64>() {
            Ok(n) if n < MAX_ID => max = max.max(n),
            _ => {
                return Err(PlanError::IdsExhausted { what, id: id.to_string(), max: MAX_ID });
            }
        }
    }
    // Below MAX_ID < u32::MAX, so neither the addition nor the conversion can overflow.
    Ok(max as u32 + 1)
}

impl Plan {
    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }
    pub fn task_mut(&mut self, id: &str) -> Option<&mut Task> {
        self.tasks.iter_mut().find(|t| t.id == id)
    }
    pub fn milestone(&self, id: &str) -> Option<&Milestone> {
        self.milestones.iter().find(|m| m.id == id)
    }
    pub fn milestone_mut(&mut self, id: &str) -> Option<&mut Milestone> {
        self.milestones.iter_mut().find(|m| m.id == id)
    }
    /// The active or validating milestone (there is at most one).
    pub fn current_milestone(&self) -> Option<&Milestone> {
        self.milestones
            .iter()
            .find(|m| matches!(m.status, MilestoneStatus::Active | MilestoneStatus::Validating))
    }
    pub fn assertion_status(&self, id: &str) -> AssertionStatus {
        self.assertions.get(id).map_or(AssertionStatus::Pending, |r| r.status)
    }
    /// The id the next created task gets: one past the highest numeric id; refused (bad
    /// input) when that would pass [`MAX_ID`].
    pub fn next_task_id(&self) -> Result<String, PlanError> {
        next_number("task", self.tasks.iter().map(|t| (t.id.as_str(), t.id.as_str()))).map(task_id)
    }
    /// `G<n>` one past the highest goal number, refused like [`Plan::next_task_id`].
    pub fn next_goal_id(&self) -> Result<String, PlanError> {
        let numbered =
            self.goals.iter().filter_map(|g| Some((g.id.as_str(), g.id.strip_prefix('G')?)));
        next_number("goal", numbered).map(|n| format!("G{n}"))
    }
}

impl std::str::FromStr for TaskStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        TaskStatus::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| {
            format!(
                "unknown task status {s:?} (allowed: todo, in_progress, done, cancelled, blocked)"
            )
        })
    }
}

impl std::str::FromStr for AssertionStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "pending" => Ok(AssertionStatus::Pending),
            "passing" => Ok(AssertionStatus::Passing),
            "failing" => Ok(AssertionStatus::Failing),
            _ => {
                Err(format!("unknown assertion status {s:?} (allowed: passing, failing, pending)"))
            }
        }
    }
}

/// Accepts `3`, `03` or `003` for task `003`; other text is returned as given.
pub fn normalize_task_id(s: &str) -> String {
    let s = s.trim();
    match s.parse::<u32>() {
        Ok(n) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => task_id(n),
        _ => s.to_string(),
    }
}

/// Accepts `M2`, `m2` or `2` for milestone `M2`.
pub fn normalize_milestone_id(s: &str) -> String {
    let s = s.trim();
    let digits = s.strip_prefix(['M', 'm']).unwrap_or(s);
    match digits.parse::<u32>() {
        Ok(n) if digits.bytes().all(|b| b.is_ascii_digit()) => format!("M{n}"),
        _ => s.to_string(),
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
