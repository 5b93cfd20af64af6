//! `tmux-ide orch`: the orchestrator's state — alive (pid, uptime, last tick), each
//! agent with its state and current task, the ready queue in dispatch order, blocked
//! tasks and what blocks them, and the last events.
use std::fmt::Write as _;

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use super::agents::{AgentState, AgentsReport, PaneInfo, agents, describe_work};
use super::table::table;
use super::timefmt::{ago, duration, secs_between};
use crate::plan::rules::{TaskIndex, id_order, ready_tasks_in};
use crate::plan::{Event, EventKind, MilestoneStatus, Plan, TaskStatus};

/// How many of the latest events `orch` shows.
pub const RECENT_EVENTS: usize = 10;

/// Event types the orchestrator writes; the latest one is its last sign of life.
pub const ORCHESTRATOR_EVENTS: &[EventKind] = &[
    EventKind::OrchestratorStarted,
    EventKind::OrchestratorStopped,
    EventKind::TaskDispatched,
    EventKind::PromptDelivered,
    EventKind::MilestoneValidating,
    EventKind::ValidationDispatched,
    EventKind::MilestoneValidationFailed,
    EventKind::RemediationCreated,
    EventKind::MilestoneDone,
    EventKind::MilestoneActivated,
    EventKind::MissionComplete,
    EventKind::StallDetected,
    EventKind::AgentExited,
    EventKind::LeadNotified,
    EventKind::TaskReturned,
    EventKind::TaskRetryScheduled,
    EventKind::TaskBlocked,
    EventKind::SessionLost,
    EventKind::ValidationReturned,
    EventKind::PromptLanded,
    EventKind::PromptUnconfirmed,
    EventKind::PromptRedelivering,
    EventKind::StallNudged,
    EventKind::DeliveryFailed,
    EventKind::BudgetWarning,
    EventKind::BudgetExhausted,
];

/// What is known about the orchestrator process from outside the event log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrchInput {
    /// The pid holding the orchestrator lock (`Project::orchestrator_alive`).
    pub pid: Option<u32>,
    /// Its start time from `orchestrator.pid`.
    pub started: Option<Timestamp>,
    /// Its last tick, when it records one; else the latest orchestrator event is used.
    pub last_tick: Option<Timestamp>,
}

/// `PID RFC3339-start`, the content of `.tmux-ide/run/orchestrator.pid`.
pub fn parse_pid_file(text: &str) -> Option<(u32, Timestamp)> {
    let mut parts = text.split_whitespace();
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrchestratorState {
    pub alive: bool,
    pub pid: Option<u32>,
    pub started: Option<Timestamp>,
    pub uptime_secs: Option<u64>,
    pub last_tick: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueuedTask {
    pub id: String,
    pub title: String,
    pub priority: u8,
    pub specialty: Option<String>,
    pub milestone: Option<String>,
    /// Backing off after failed attempts: not dispatched before this time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<Timestamp>,
}

/// Why a `todo` task cannot be dispatched, or why a task is `blocked`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Blocker {
    /// A task it depends on is not done (or does not exist: `status` null).
    Depends {
        task: String,
        status: Option<TaskStatus>,
    },
    /// Its milestone is not active (or does not exist: `status` null).
    Milestone {
        milestone: String,
        status: Option<MilestoneStatus>,
    },
    NoMilestone,
    /// Its attempts failed past `orchestrator.max_retries`; `reason` says the last.
    Failed {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlockedTask {
    pub id: String,
    pub title: String,
    pub blocked_by: Vec<Blocker>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecentEvent {
    pub ts: Timestamp,
    #[serde(rename = "type")]
    pub kind: EventKind,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrchReport {
    pub orchestrator: OrchestratorState,
    pub agents: AgentsReport,
    pub ready: Vec<QueuedTask>,
    pub blocked: Vec<BlockedTask>,
    /// Prompts with no sign of landing within their bound (never pasted again).
    pub unconfirmed: Vec<super::delivery::DeliveryRow>,
    pub recent: Vec<RecentEvent>,
}

/// Why `task` is not ready; empty when it is ready or neither `todo` nor `blocked`.
pub fn blockers(plan: &Plan, task: &crate::plan::Task) -> Vec<Blocker> {
    blockers_in(&TaskIndex::new(plan), task)
}

/// Same as [`blockers`], with the plan's tasks looked up through `index`.
pub fn blockers_in(index: &TaskIndex, task: &crate::plan::Task) -> Vec<Blocker> {
    if task.status == TaskStatus::Blocked {
        let reason = task.blocked_reason.clone().unwrap_or_else(|| "blocked".to_string());
        return vec![Blocker::Failed { reason }];
    }
    if task.status != TaskStatus::Todo || index.is_ready(task) {
        return vec![];
    }
    let mut out = Vec::new();
    match task.milestone.as_deref() {
        None => out.push(Blocker::NoMilestone),
        Some(id) => {
            let status = index.milestone(id).map(|m| m.status);
            if status != Some(MilestoneStatus::Active) {
                out.push(Blocker::Milestone { milestone: id.to_string(), status });
            }
        }
    }
    for dep in &task.depends {
        let status = index.task(dep).map(|t| t.status);
        if status != Some(TaskStatus::Done) {
            out.push(Blocker::Depends { task: dep.clone(), status });
        }
    }
    out
}

/// One event in words, for `orch` and `mission status`.
pub fn describe_event(e: &Event) -> String {
    let task = e.task.as_deref().unwrap_or("?");
    let pane = e.pane.as_deref().unwrap_or("?");
    let ms = e.milestone.as_deref().unwrap_or("?");
    let field = |k: &str| match e.extra.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
        Some(v) => v.to_string(),
        None => "?".to_string(),
    };
    match &e.kind {
        EventKind::TaskDispatched => format!("dispatched {task} to {pane}"),
        EventKind::TaskClaimed => format!("{pane} claimed {task}"),
        EventKind::TaskDone if e.pane.is_none() => format!("task {task} done"),
        EventKind::TaskDone => format!("{pane} finished {task}"),
        EventKind::TaskCreated => format!("task {task} created"),
        EventKind::TaskUpdated => format!("task {task} updated"),
        EventKind::MissionSet => format!("mission set: {}", field("title")),
        EventKind::MilestoneCreated => format!("milestone {ms} created: {}", field("title")),
        EventKind::PlanCompleted => format!("plan complete; {ms} active"),
        EventKind::MissionArchived => format!("mission archived: {}", field("title")),
        EventKind::TaskCancelled => format!("task {task} cancelled"),
        EventKind::PromptDelivered => format!("prompt delivered to {pane}"),
        EventKind::MilestoneValidating => format!("{ms} validating (round {})", field("round")),
        EventKind::ValidationDispatched => {
            format!("{ms} round {} handed to {pane}", field("round"))
        }
        EventKind::MilestoneValidationFailed => {
            format!("{ms} validation failed: {}", field("failing"))
        }
        EventKind::RemediationCreated => {
            format!("remediation {task} for {}", e.assertion.as_deref().unwrap_or("?"))
        }
        // `report_assertion` records the reporter as the event's pane.
        EventKind::AssertionReported => {
            format!("{} {} (by {pane})", e.assertion.as_deref().unwrap_or("?"), field("status"))
        }
        EventKind::MilestoneDone => format!("{ms} done"),
        EventKind::MilestoneActivated => format!("{ms} activated"),
        EventKind::MissionComplete => "mission complete".to_string(),
        EventKind::StallDetected => format!("{task} on {pane} looks stalled"),
        EventKind::AgentExited => format!("agent in {pane} exited"),
        EventKind::LeadNotified => format!("told {pane}: {}", field("text")),
        EventKind::AgentState => format!("{pane} reports {}", field("state")),
        EventKind::PaneState => format!("{pane} looks {} ({})", field("state"), field("signal")),
        EventKind::PromptLanded => format!("prompt landed in {pane} ({})", field("evidence")),
        EventKind::PromptUnconfirmed => format!("prompt to {pane} not confirmed"),
        EventKind::StallNudged => format!("nudged {pane} about {task}"),
        EventKind::DeliveryFailed => format!("could not deliver to {pane}: {}", field("error")),
        EventKind::PromptRedelivering => {
            format!("pasting the prompt for {task} into {pane} again")
        }
        EventKind::TaskReturned => format!("{task} back to todo ({pane}: {})", field("reason")),
        EventKind::TaskRetryScheduled => {
            format!(
                "{task} retry {} of {} at {}",
                field("attempt"),
                field("max_retries"),
                field("retry_after")
            )
        }
        EventKind::TaskBlocked => format!("{task} blocked: {}", field("reason")),
        EventKind::SessionLost => format!("session {} lost", field("session")),
        EventKind::ValidationReturned => {
            format!("{ms} round {} taken back from {pane} ({})", field("round"), field("reason"))
        }
        EventKind::BudgetWarning => format!("budget at 80%{}: {}", for_task(e), field("limits")),
        EventKind::BudgetExhausted => {
            format!("budget exhausted{}: {}", for_task(e), field("limits"))
        }
        EventKind::BudgetSet => "budget set (mission budget)".to_string(),
        EventKind::OrchestratorStarted => format!("orchestrator started (pid {})", field("pid")),
        EventKind::MergeStarted => format!("merging {task} from {pane}"),
        EventKind::TaskMerged => {
            format!("{task} merged (+{} -{})", field("insertions"), field("deletions"))
        }
        EventKind::MergeFailed => format!("{task} could not be merged: {}", field("error")),
        EventKind::MergeConflict => {
            format!("{task} conflicts in {}; back to {pane}", field("files"))
        }
        EventKind::MissionBranchReady => {
            format!("mission branch {} ready ({} merges)", field("branch"), field("merges"))
        }
        EventKind::OrchestratorStopped => format!("orchestrator stopped ({})", field("reason")),
        EventKind::PlanningDispatched => format!("planning prompt sent to {pane}"),
        EventKind::ResearchTriggered => {
            format!("research {task} for {pane} ({}: {})", field("trigger"), field("reason"))
        }
        other => other.as_str().replace('_', " "),
    }
}

/// ` for task 003` when a budget event is about one task.
fn for_task(e: &Event) -> String {
    e.task.as_deref().map(|t| format!(" for task {t}")).unwrap_or_default()
}

/// `tmux-ide orch` at `now`.
pub fn orch(
    plan: &Plan,
    events: &[Event],
    roster: &[PaneInfo],
    input: &OrchInput,
    now: Timestamp,
) -> OrchReport {
    let last_event = events.iter().rev().find(|e| ORCHESTRATOR_EVENTS.contains(&e.kind));
    let started = input.started.or_else(|| {
        events.iter().rev().find(|e| e.kind == EventKind::OrchestratorStarted).map(|e| e.ts)
    });
    let alive = input.pid.is_some();
    let orchestrator = OrchestratorState {
        alive,
        pid: input.pid,
        started,
        uptime_secs: started.filter(|_| alive).map(|s| secs_between(s, now)),
        last_tick: input.last_tick.or(last_event.map(|e| e.ts)),
    };
    let queued = |t: &crate::plan::Task| QueuedTask {
        id: t.id.clone(),
        title: t.title.clone(),
        priority: t.priority,
        specialty: t.specialty.clone(),
        milestone: t.milestone.clone(),
        retry_after: t.retry_after.filter(|at| *at > now),
    };
    let index = TaskIndex::new(plan);
    let mut blocked: Vec<(&crate::plan::Task, Vec<Blocker>)> = plan
        .tasks
        .iter()
        .map(|t| (t, blockers_in(&index, t)))
        .filter(|(_, b)| !b.is_empty())
        .collect();
    blocked.sort_by(|a, b| id_order(&a.0.id, &b.0.id));
    OrchReport {
        orchestrator,
        agents: agents(plan, events, roster, now),
        ready: ready_tasks_in(&index, plan).into_iter().map(queued).collect(),
        blocked: blocked
            .into_iter()
            .map(|(t, b)| BlockedTask { id: t.id.clone(), title: t.title.clone(), blocked_by: b })
            .collect(),
        unconfirmed: super::delivery::unconfirmed(events),
        recent: recent_events(events, RECENT_EVENTS),
    }
}

/// Event types left out of the recent events: the orchestrator writes one on every change
/// of its judgement of a pane, about half of a live log, and the agents table already
/// shows each pane's state. Usage records come with every model response; `metrics cost`
/// shows them.
pub const QUIET_EVENTS: &[&str] = &["pane_state", "usage", "usage_source"];

/// The last `n` events in words, oldest first, without the [`QUIET_EVENTS`].
pub fn recent_events(events: &[Event], n: usize) -> Vec<RecentEvent> {
    let text = |e: &Event| RecentEvent { ts: e.ts, kind: e.kind.clone(), text: describe_event(e) };
    let mut out: Vec<RecentEvent> = events
        .iter()
        .rev()
        .filter(|e| !QUIET_EVENTS.contains(&e.kind.as_str()))
        .take(n)
        .map(text)
        .collect();
    out.reverse();
    out
}

/// Why a task waits, in words: `needs 005 (in_progress)`, `M3 is locked`.
pub fn blocker_text(b: &Blocker) -> String {
    let status = |s: Option<&'static str>| s.unwrap_or("missing");
    match b {
        Blocker::Depends { task, status: s } => {
            format!("needs {task} ({})", status(s.map(TaskStatus::as_str)))
        }
        Blocker::Milestone { milestone, status: s } => {
            format!("{milestone} is {}", status(s.map(MilestoneStatus::as_str)))
        }
        Blocker::NoMilestone => "no milestone".to_string(),
        Blocker::Failed { reason } => {
            format!("gave up: {reason}")
        }
    }
}

/// The text of `tmux-ide orch`.
pub fn render_orch(r: &OrchReport, now: Timestamp) -> String {
    let mut out = String::new();
    let o = &r.orchestrator;
    let tick = o.last_tick.map_or_else(|| "never".to_string(), |t| ago(t, now));
    match (o.alive, o.pid) {
        (true, Some(pid)) => {
            let up = o.uptime_secs.map_or_else(|| "?".to_string(), duration);
            let _ = writeln!(out, "Orchestrator  running (pid {pid}, up {up}, last tick {tick})");
        }
        _ => {
            let _ = writeln!(out, "Orchestrator  not running (last seen {tick})");
        }
    }
    out.push_str("\nAgents\n");
    if r.agents.agents.is_empty() {
        out.push_str("  none seen yet\n");
    } else {
        let rows: Vec<Vec<String>> = r
            .agents
            .agents
            .iter()
            .map(|a| {
                let work = match (&a.current, a.state, a.idle_since) {
                    (Some(c), _, _) => describe_work(c),
                    (None, AgentState::Idle, Some(s)) => format!("idle since {}", ago(s, now)),
                    _ => "—".to_string(),
                };
                let stalled = if a.flags.contains(&super::agents::AgentFlag::Stalled) {
                    "stalled"
                } else {
                    ""
                };
                vec![format!("  {}", a.pane), a.state.as_str().into(), work, stalled.into()]
            })
            .collect();
        out.push_str(&table(&["  PANE", "STATE", "WORK", ""], &rows, &[]));
    }
    out.push_str("\nReady queue (dispatch order)\n");
    if r.ready.is_empty() {
        out.push_str("  empty\n");
    } else {
        let rows: Vec<Vec<String>> = r
            .ready
            .iter()
            .map(|t| {
                vec![
                    format!("  {}", t.id),
                    format!("P{}", t.priority),
                    t.specialty.clone().unwrap_or_else(|| "—".into()),
                    match t.retry_after {
                        Some(at) => {
                            format!("{} (retry in {})", t.title, duration(secs_between(now, at)))
                        }
                        None => t.title.clone(),
                    },
                ]
            })
            .collect();
        out.push_str(&table(&["  ID", "PRI", "SPECIALTY", "TITLE"], &rows, &[]));
    }
    if !r.unconfirmed.is_empty() {
        out.push_str("\nUnconfirmed prompts (not pasted again; check the pane)\n");
        out.push_str(&super::delivery::render(&r.unconfirmed));
    }
    out.push_str("\nBlocked\n");
    if r.blocked.is_empty() {
        out.push_str("  none\n");
    } else {
        let rows: Vec<Vec<String>> = r
            .blocked
            .iter()
            .map(|t| {
                let why: Vec<String> = t.blocked_by.iter().map(blocker_text).collect();
                vec![format!("  {}", t.id), t.title.clone(), why.join("; ")]
            })
            .collect();
        out.push_str(&table(&["  ID", "TITLE", "BLOCKED BY"], &rows, &[]));
        let gave_up = |t: &BlockedTask| matches!(t.blocked_by[..], [Blocker::Failed { .. }]);
        if r.blocked.iter().any(gave_up) {
            out.push_str("  (retry a task given up on: tmux-ide task update <id> --status todo)\n");
        }
    }
    out.push_str("\nRecent events\n");
    if r.recent.is_empty() {
        out.push_str("  none\n");
    }
    let rows: Vec<Vec<String>> =
        r.recent.iter().map(|e| vec![format!("  {}", ago(e.ts, now)), e.text.clone()]).collect();
    out.push_str(&super::table::rows_only(&rows, &[0]));
    out
}

#[cfg(test)]
#[path = "orch_tests.rs"]
mod tests;
