//! The orchestrator's transitions: dispatch, an exited agent's task handed back, a
//! validation round started, a milestone done, remediation after a failed round, the
//! mission complete. The orchestrator decides on a snapshot of the plan and applies the
//! decision later under the store lock, so each rule re-checks its precondition against
//! the plan it is given: a decision gone stale in between is [`Outcome::Stale`] and
//! changes nothing, records nothing.
use jiff::Timestamp;
use serde_json::Value;

use super::super::events::{Event, EventKind};
use super::super::model::*;
use super::retry::{RetryPolicy, ReturnReason, return_task};
use super::{RuleResult, is_queued, is_ready};

/// Whether a transition was applied or its precondition no longer held.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    Stale,
}

impl Outcome {
    pub fn applied(self) -> bool {
        self == Outcome::Applied
    }
}

/// Where a task or a validation round is handed: the tmux pane id (`%3`) and the pane's
/// title, which is what the plan records as assignee.
#[derive(Debug, Clone, Copy)]
pub struct PaneRef<'a> {
    pub id: &'a str,
    pub title: &'a str,
    /// The pid of the pane's program, recorded with a dispatch so a restarted pane is told
    /// apart from the one the task went to.
    pub pid: u32,
}

/// `task` goes to `pane`, `in_progress` from `now`, if it is still ready and the pane
/// holds no other `in_progress` task.
pub fn dispatch_task(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    task: &str,
    pane: PaneRef,
    now: Timestamp,
) -> Outcome {
    assign(plan, events, task, pane, now, is_ready)
}

/// [`dispatch_task`] for a plain queue (`dispatch_mode: tasks`): readiness ignores the
/// milestone ([`is_queued`]).
pub fn dispatch_queued_task(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    task: &str,
    pane: PaneRef,
    now: Timestamp,
) -> Outcome {
    assign(plan, events, task, pane, now, is_queued)
}

fn assign(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    task: &str,
    pane: PaneRef,
    now: Timestamp,
    ready: fn(&Plan, &Task) -> bool,
) -> Outcome {
    let busy = plan
        .tasks
        .iter()
        .any(|o| o.status == TaskStatus::InProgress && o.assignee.as_deref() == Some(pane.title));
    if busy || !plan.task(task).is_some_and(|t| ready(plan, t)) {
        return Outcome::Stale;
    }
    let Some(t) = plan.task_mut(task) else { return Outcome::Stale };
    t.status = TaskStatus::InProgress;
    t.assignee = Some(pane.title.to_string());
    t.started = Some(now);
    t.retry_after = None;
    t.dispatched_to = Some(PaneProcess { pane_id: pane.id.to_string(), pid: pane.pid });
    events.push(
        Event::new(now, EventKind::TaskDispatched)
            .task(task)
            .pane(pane.title)
            .with("pane_id", pane.id)
            .with("pane_pid", pane.pid),
    );
    Outcome::Applied
}

/// The agent titled `pane_title` exited while on `task`. The exit is always recorded
/// (`agent_exited`); if that agent still holds the task in progress it is a failed
/// attempt ([`return_task`]): retried after a backoff, or blocked once `policy`'s
/// retries are used up.
pub fn return_exited_agents_task(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    pane_title: &str,
    task: &str,
    policy: RetryPolicy,
    now: Timestamp,
) -> Outcome {
    events.push(Event::new(now, EventKind::AgentExited).task(task).pane(pane_title));
    return_task(plan, events, task, pane_title, ReturnReason::AgentExited, policy, now)
}

/// Validation round `round` of `milestone`, checking `assertions`, handed to `pane`. Only
/// an `active` milestone, or a `validating` one whose round has no validator yet, starts
/// one: a round is never handed out twice, and a locked or done milestone is not checked.
pub fn start_validation(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    milestone: &str,
    round: u32,
    pane: PaneRef,
    assertions: &[String],
    now: Timestamp,
) -> Outcome {
    // Reports logged after this point (by the log's sequence, not the clock) count.
    let plan_seq = plan.seq;
    let Some(m) = plan.milestone_mut(milestone) else { return Outcome::Stale };
    let open = match m.status {
        MilestoneStatus::Active => true,
        MilestoneStatus::Validating => m.validation.as_ref().is_none_or(|v| v.pane.is_none()),
        MilestoneStatus::Locked | MilestoneStatus::Done => false,
    };
    if !open {
        return Outcome::Stale;
    }
    m.status = MilestoneStatus::Validating;
    m.validation = Some(ValidationRound {
        round,
        started: now,
        seq: Some(plan_seq),
        pane: Some(pane.title.to_string()),
        assertions: assertions.to_vec(),
        dispatched_to: Some(PaneProcess { pane_id: pane.id.to_string(), pid: pane.pid }),
    });
    events.push(
        Event::new(now, EventKind::MilestoneValidating).milestone(milestone).with("round", round),
    );
    events.push(
        Event::new(now, EventKind::ValidationDispatched)
            .milestone(milestone)
            .pane(pane.title)
            .with("pane_id", pane.id)
            .with("round", round)
            .with("assertions", assertions.to_vec()),
    );
    Outcome::Applied
}

/// `milestone` is `done`; `next`, if given and still `locked`, becomes `active`. A
/// milestone already done is left alone, and so is its successor.
pub fn finish_milestone(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    milestone: &str,
    next: Option<&str>,
    now: Timestamp,
) -> Outcome {
    let Some(m) = plan.milestone_mut(milestone) else { return Outcome::Stale };
    if m.status == MilestoneStatus::Done {
        return Outcome::Stale;
    }
    m.status = MilestoneStatus::Done;
    events.push(Event::new(now, EventKind::MilestoneDone).milestone(milestone));
    if let Some(next) = next
        && let Some(n) = plan.milestone_mut(next)
        && n.status == MilestoneStatus::Locked
    {
        n.status = MilestoneStatus::Active;
        events.push(Event::new(now, EventKind::MilestoneActivated).milestone(next));
    }
    Outcome::Applied
}

/// A task to create for an assertion that failed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRemediation {
    pub assertion: String,
    pub title: String,
    pub specialty: Option<String>,
    pub description: String,
}

/// The round of `milestone` failed: one priority-1 remediation task per entry, except for
/// an assertion that already has an open (`todo` or `in_progress`) remediation, and the
/// milestone goes back to `active` so they get dispatched. Only a `validating` milestone
/// fails.
pub fn fail_validation(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    milestone: &str,
    remediations: &[NewRemediation],
    now: Timestamp,
) -> RuleResult<Outcome> {
    let Some(m) = plan.milestone(milestone) else { return Ok(Outcome::Stale) };
    if m.status != MilestoneStatus::Validating {
        return Ok(Outcome::Stale);
    }
    let failing: Vec<String> = m
        .validation
        .iter()
        .flat_map(|v| v.assertions.iter())
        .filter(|a| plan.assertion_status(a) == AssertionStatus::Failing)
        .cloned()
        .collect();
    for r in remediations {
        let open = plan.tasks.iter().any(|t| {
            t.remediation_for.as_deref() == Some(r.assertion.as_str())
                && matches!(t.status, TaskStatus::Todo | TaskStatus::InProgress)
        });
        if open {
            continue;
        }
        let id = plan.next_task_id()?;
        plan.tasks.push(remediation_task(&id, milestone, r, now));
        events.push(Event::new(now, EventKind::TaskCreated).task(&id).milestone(milestone));
        events.push(
            Event::new(now, EventKind::RemediationCreated)
                .task(&id)
                .milestone(milestone)
                .assertion(&r.assertion),
        );
    }
    if let Some(m) = plan.milestone_mut(milestone) {
        m.status = MilestoneStatus::Active;
    }
    events.push(
        Event::new(now, EventKind::MilestoneValidationFailed)
            .milestone(milestone)
            .with("failing", failing),
    );
    Ok(Outcome::Applied)
}

fn remediation_task(id: &str, milestone: &str, r: &NewRemediation, now: Timestamp) -> Task {
    Task {
        description: r.description.clone(),
        milestone: Some(milestone.to_string()),
        specialty: r.specialty.clone(),
        priority: 1,
        fulfills: vec![r.assertion.clone()],
        remediation_for: Some(r.assertion.clone()),
        ..Task::new(id, r.title.clone(), now)
    }
}

/// The mission is `complete` at `now`, recorded with the figures `metrics` computes from
/// the plan as it stood. A mission already complete (or none) is left alone.
pub fn complete_mission(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    metrics: impl FnOnce(&Plan) -> Value,
    now: Timestamp,
) -> Outcome {
    if !plan.mission.as_ref().is_some_and(|m| m.status != MissionStatus::Complete) {
        return Outcome::Stale;
    }
    let metrics = metrics(plan);
    if let Some(mission) = plan.mission.as_mut() {
        mission.status = MissionStatus::Complete;
        mission.completed = Some(now);
    }
    events.push(Event::new(now, EventKind::MissionComplete).with("metrics", metrics));
    Outcome::Applied
}
