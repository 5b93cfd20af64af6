//! Work that did not get done where it was sent: a task whose pane is gone or restarted
//! goes back to `todo` at once (not its fault, no attempt counted); a task whose agent
//! exited or whose prompt did not land counts a failed attempt and is retried after a
//! doubling backoff, until `max_retries` is used up, when it becomes `blocked` with why.
//! A validation round whose validator pane is gone or restarted is handed out again.
use jiff::{SignedDuration, Timestamp};

use super::super::events::{Event, EventKind};
use super::super::model::{MilestoneStatus, Plan, TaskStatus};
use super::orchestration::Outcome;

/// How failed attempts are retried (`orchestrator.max_retries`, `retry_backoff`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Failed attempts that are retried; the one after them blocks the task.
    pub max_retries: u32,
    /// The wait before the first retry; each further retry waits twice as long.
    pub backoff: SignedDuration,
}

/// No retry waits longer than this, however many attempts failed.
pub const MAX_BACKOFF: SignedDuration = SignedDuration::from_secs(300);

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_retries: 3, backoff: SignedDuration::from_secs(10) }
    }
}

impl RetryPolicy {
    /// The wait before retry number `attempt` (1-based): backoff, doubled per earlier
    /// retry, capped at [`MAX_BACKOFF`] (or at the backoff itself when that is longer).
    pub fn delay(&self, attempt: u32) -> SignedDuration {
        let cap = MAX_BACKOFF.max(self.backoff);
        let factor = 1i32 << attempt.saturating_sub(1).min(20);
        self.backoff.checked_mul(factor).map_or(cap, |d| d.min(cap))
    }
}

/// Why a task left the pane it was in progress on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReturnReason {
    /// No pane with the assignee's title is in the session any more.
    PaneGone,
    /// The pane with that title now runs another process than the one it was given to.
    PaneRestarted,
    /// The agent process exited while on the task.
    AgentExited,
    /// The prompt was pasted but never showed on the pane's screen.
    PromptNotLanded,
}

impl ReturnReason {
    /// The name events record (`reason`).
    pub fn as_str(self) -> &'static str {
        match self {
            ReturnReason::PaneGone => "pane_gone",
            ReturnReason::PaneRestarted => "pane_restarted",
            ReturnReason::AgentExited => "agent_exited",
            ReturnReason::PromptNotLanded => "prompt_not_landed",
        }
    }

    /// Whether this counts as a failed attempt. A pane closed or restarted under its agent
    /// says nothing about the task, so it is handed out again at once and for free.
    pub fn counts_as_attempt(self) -> bool {
        matches!(self, ReturnReason::AgentExited | ReturnReason::PromptNotLanded)
    }

    /// A sentence for the lead and for `blocked_reason`.
    pub fn describe(self, pane_title: &str) -> String {
        match self {
            ReturnReason::PaneGone => format!("pane \"{pane_title}\" is gone"),
            ReturnReason::PaneRestarted => {
                format!("pane \"{pane_title}\" was restarted (it runs a new process)")
            }
            ReturnReason::AgentExited => format!("the agent in pane \"{pane_title}\" exited"),
            ReturnReason::PromptNotLanded => {
                format!("the prompt did not land in pane \"{pane_title}\"")
            }
        }
    }
}

/// `task`, in progress on `pane_title`, leaves that pane for `reason`. A reason that
/// [counts](ReturnReason::counts_as_attempt) uses up one retry (`task_returned` and
/// `task_retry_scheduled`, dispatchable again from `retry_after`) or, with none left,
/// blocks the task (`task_blocked`). Stale unless the task is still in progress there.
pub fn return_task(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    task: &str,
    pane_title: &str,
    reason: ReturnReason,
    policy: RetryPolicy,
    now: Timestamp,
) -> Outcome {
    let Some(t) = plan.task_mut(task) else { return Outcome::Stale };
    if t.status != TaskStatus::InProgress || t.assignee.as_deref() != Some(pane_title) {
        return Outcome::Stale;
    }
    t.assignee = None;
    t.started = None;
    t.dispatched_to = None;
    let returned = Event::new(now, EventKind::TaskReturned)
        .task(task)
        .pane(pane_title)
        .with("reason", reason.as_str());
    if !reason.counts_as_attempt() {
        t.status = TaskStatus::Todo;
        events.push(returned);
        return Outcome::Applied;
    }
    if t.attempts >= policy.max_retries {
        let why = format!("{} ({} failed attempts)", reason.describe(pane_title), t.attempts + 1);
        t.status = TaskStatus::Blocked;
        t.retry_after = None;
        t.blocked_reason = Some(why.clone());
        events.push(
            Event::new(now, EventKind::TaskBlocked)
                .task(task)
                .pane(pane_title)
                .with("reason", why)
                .with("attempts", t.attempts + 1),
        );
        return Outcome::Applied;
    }
    t.attempts += 1;
    let at = now + policy.delay(t.attempts);
    t.status = TaskStatus::Todo;
    t.retry_after = Some(at);
    events.push(returned.with("attempt", t.attempts));
    events.push(
        Event::new(now, EventKind::TaskRetryScheduled)
            .task(task)
            .with("attempt", t.attempts)
            .with("max_retries", policy.max_retries)
            .with("retry_after", at.to_string()),
    );
    Outcome::Applied
}

/// The validation round of `milestone`, handed to `pane_title`, loses its validator for
/// `reason`: it stays the same round (reports made since it began still count) with no
/// validator, so the next tick hands it to one. Stale unless it is still that pane's.
pub fn release_validation(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    milestone: &str,
    pane_title: &str,
    reason: ReturnReason,
    now: Timestamp,
) -> Outcome {
    let Some(m) = plan.milestone_mut(milestone) else { return Outcome::Stale };
    let Some(round) = m.validation.as_mut() else { return Outcome::Stale };
    if m.status != MilestoneStatus::Validating || round.pane.as_deref() != Some(pane_title) {
        return Outcome::Stale;
    }
    round.pane = None;
    round.dispatched_to = None;
    events.push(
        Event::new(now, EventKind::ValidationReturned)
            .milestone(milestone)
            .pane(pane_title)
            .with("round", round.round)
            .with("reason", reason.as_str()),
    );
    Outcome::Applied
}
