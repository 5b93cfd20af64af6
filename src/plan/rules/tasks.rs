//! Task transitions: create (with goal reuse), update, claim, done, cancel. Each checks its
//! input, changes the plan and pushes the event that records the change.
use jiff::Timestamp;
use serde_json::Value;

use super::super::events::{Event, EventKind};
use super::super::model::{Goal, Plan, Task, TaskStatus};
use super::checks::*;
use super::errors::PlanError;

/// What `task create` asks for. Lists may be comma-separated (`"001,002"`).
#[derive(Debug, Clone, Default)]
pub struct NewTask {
    pub title: String,
    pub description: String,
    pub milestone: Option<String>,
    pub specialty: Option<String>,
    pub priority: u8,
    /// Goal title: reuses the goal with that title or creates one.
    pub goal: Option<String>,
    pub depends: Vec<String>,
    pub fulfills: Vec<String>,
    pub remediation_for: Option<String>,
}

/// Creates a task with the next id; `contract` is the list of known assertion ids.
pub fn create_task(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    new: NewTask,
    contract: &[String],
    now: Timestamp,
) -> RuleResult<String> {
    check_title("title", &new.title)?;
    check_priority(new.priority)?;
    let id = plan.next_task_id()?;
    let milestone = new.milestone.as_deref().map(|m| resolve_milestone(plan, m)).transpose()?;
    let depends = resolve_depends(plan, &id, &split_list(&new.depends))?;
    let fulfills = dedup(split_list(&new.fulfills));
    check_assertions(&fulfills, contract)?;
    let goal = new.goal.as_deref().map(|g| goal_for(plan, g)).transpose()?;
    let task = Task {
        description: new.description,
        milestone: milestone.clone(),
        specialty: new.specialty.filter(|s| !s.trim().is_empty()),
        priority: new.priority,
        goal: goal.clone(),
        depends,
        fulfills,
        remediation_for: new.remediation_for,
        ..Task::new(id.clone(), new.title, now)
    };
    let mut ev =
        Event::new(now, EventKind::TaskCreated).task(&id).with("title", task.title.as_str());
    if let Some(m) = &milestone {
        ev = ev.milestone(m);
    }
    if let Some(g) = &goal {
        ev = ev.with("goal", g.as_str());
    }
    if let Some(a) = &task.remediation_for {
        ev = ev.assertion(a).with("remediation_for", a.as_str());
    }
    // No cycle check needed: no task can depend on an id that did not exist yet.
    plan.tasks.push(task);
    if let Err(e) = check_dependency_order(plan, &id) {
        plan.tasks.pop();
        return Err(e);
    }
    events.push(ev);
    Ok(id)
}

/// The id of the goal titled `title`, created (`G<n>`) when there is none.
pub fn goal_for(plan: &mut Plan, title: &str) -> RuleResult<String> {
    check_title("goal", title)?;
    if let Some(g) = plan.goals.iter().find(|g| g.title == title) {
        return Ok(g.id.clone());
    }
    let id = plan.next_goal_id()?;
    plan.goals.push(Goal { id: id.clone(), title: title.to_string() });
    Ok(id)
}

/// What `task update` may change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TaskChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub priority: Option<u8>,
    /// `Some("")` clears the specialty.
    pub specialty: Option<String>,
    pub milestone: Option<String>,
    pub goal: Option<String>,
    /// Replaces the dependencies (comma-separated lists allowed; empty clears).
    pub depends: Option<Vec<String>>,
    /// Replaces the fulfilled assertions.
    pub fulfills: Option<Vec<String>>,
    pub status: Option<TaskStatus>,
}

/// Applies `changes` to task `id`; returns the names of the fields that changed.
pub fn update_task(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    id: &str,
    changes: TaskChanges,
    contract: &[String],
    now: Timestamp,
) -> RuleResult<Vec<&'static str>> {
    let id = resolve_task(plan, id)?;
    let milestone = changes.milestone.as_deref().map(|m| resolve_milestone(plan, m)).transpose()?;
    let depends =
        changes.depends.map(|d| resolve_depends(plan, &id, &split_list(&d))).transpose()?;
    let fulfills = changes.fulfills.map(|f| dedup(split_list(&f)));
    if let Some(f) = &fulfills {
        check_assertions(f, contract)?;
    }
    if let Some(p) = changes.priority {
        check_priority(p)?;
    }
    if let Some(t) = &changes.title {
        check_title("title", t)?;
    }
    let goal = changes.goal.as_deref().map(|g| goal_for(plan, g)).transpose()?;
    let mut changed = Vec::new();
    let task = resolve_task_mut(plan, &id)?;
    set(&mut task.title, changes.title, "title", &mut changed);
    set(&mut task.description, changes.description, "description", &mut changed);
    set(&mut task.priority, changes.priority, "priority", &mut changed);
    let specialty = changes.specialty.map(|s| Some(s).filter(|s| !s.trim().is_empty()));
    set(&mut task.specialty, specialty, "specialty", &mut changed);
    set(&mut task.milestone, milestone.map(Some), "milestone", &mut changed);
    set(&mut task.goal, goal.map(Some), "goal", &mut changed);
    set(&mut task.depends, depends, "depends", &mut changed);
    set(&mut task.fulfills, fulfills, "fulfills", &mut changed);
    if let Some(status) = changes.status
        && status != task.status
    {
        apply_status(task, status, now);
        changed.push("status");
    }
    let status = task.status;
    check_no_cycle(plan)?;
    check_dependency_order(plan, &id)?;
    if !changed.is_empty() {
        let fields: Vec<Value> = changed.iter().map(|f| Value::from(*f)).collect();
        events.push(
            Event::new(now, EventKind::TaskUpdated)
                .task(&id)
                .with("fields", fields)
                .with("status", status.as_str()),
        );
    }
    Ok(changed)
}

/// Status set by hand: keeps the timestamps consistent with the new status. `todo` is
/// also how a person unblocks a task: its failed attempts and backoff are forgotten.
fn apply_status(task: &mut Task, status: TaskStatus, now: Timestamp) {
    match status {
        TaskStatus::Todo => {
            task.assignee = None;
            task.started = None;
            task.finished = None;
            task.attempts = 0;
            task.retry_after = None;
        }
        TaskStatus::InProgress => {
            task.started.get_or_insert(now);
            task.finished = None;
        }
        TaskStatus::Done | TaskStatus::Cancelled => {
            task.finished = Some(now);
        }
        TaskStatus::Blocked => {
            task.assignee = None;
            task.blocked_reason = Some("blocked by hand (task update)".to_string());
        }
    }
    if status != TaskStatus::Blocked {
        task.blocked_reason = None;
    }
    // Whoever set it by hand, no orchestrator dispatch stands behind it any more.
    task.dispatched_to = None;
    task.status = status;
}

fn set<T: PartialEq>(
    field: &mut T,
    value: Option<T>,
    name: &'static str,
    changed: &mut Vec<&'static str>,
) {
    if let Some(v) = value
        && *field != v
    {
        *field = v;
        changed.push(name);
    }
}

/// `task claim`: a `todo` task goes `in_progress`, assigned to `pane`. Claiming again by
/// the same pane is a no-op.
pub fn claim_task(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    id: &str,
    pane: &str,
    now: Timestamp,
) -> RuleResult<String> {
    check_not_blank("pane", pane)?;
    let id = resolve_task(plan, id)?;
    if let Some(task) = plan.task(&id).filter(|t| t.status == TaskStatus::Todo) {
        check_claimable(plan, task)?;
    }
    let task = resolve_task_mut(plan, &id)?;
    match task.status {
        TaskStatus::Todo => {}
        TaskStatus::InProgress if task.assignee.as_deref() == Some(pane) => return Ok(id),
        TaskStatus::InProgress => {
            let by = task.assignee.as_deref().unwrap_or("nobody").to_string();
            return Err(PlanError::AlreadyClaimed { id, by });
        }
        status => {
            return Err(PlanError::WrongTaskStatus {
                id,
                status,
                action: "claimed",
                allowed: "todo",
            });
        }
    }
    task.status = TaskStatus::InProgress;
    task.assignee = Some(pane.to_string());
    task.started = Some(now);
    events.push(Event::new(now, EventKind::TaskClaimed).task(&id).pane(pane));
    Ok(id)
}

/// `task done`: sets `done`, the proof, the summary and the finish time. Unknown,
/// cancelled or already-done tasks are refused. Returns the finished task.
pub fn finish_task(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    id: &str,
    proof: &str,
    summary: Option<&str>,
    now: Timestamp,
) -> RuleResult<Task> {
    let task = resolve_task_mut(plan, id)?;
    let id = task.id.clone();
    check_open(task, "marked done")?;
    task.status = TaskStatus::Done;
    task.proof = Some(proof.to_string());
    task.summary = summary.map(str::to_string);
    task.started.get_or_insert(now);
    task.finished = Some(now);
    let mut ev = Event::new(now, EventKind::TaskDone).task(&id);
    if let Some(m) = &task.milestone {
        ev = ev.milestone(m);
    }
    if let Some(p) = &task.assignee {
        ev = ev.pane(p);
    }
    events.push(ev);
    Ok(task.clone())
}

/// `task cancel`: a `todo`, `in_progress` or `blocked` task becomes `cancelled`.
pub fn cancel_task(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    id: &str,
    reason: Option<&str>,
    now: Timestamp,
) -> RuleResult<String> {
    let task = resolve_task_mut(plan, id)?;
    let id = task.id.clone();
    check_open(task, "cancelled")?;
    let pane = task.assignee.clone();
    task.status = TaskStatus::Cancelled;
    task.finished = Some(now);
    let mut ev = Event::new(now, EventKind::TaskCancelled).task(&id);
    if let Some(p) = pane {
        ev = ev.pane(p);
    }
    if let Some(r) = reason {
        ev = ev.with("reason", r);
    }
    events.push(ev);
    Ok(id)
}

/// Only an open (`todo`, `in_progress` or `blocked`) task can be finished or cancelled.
fn check_open(task: &Task, action: &'static str) -> RuleResult<()> {
    match task.status {
        TaskStatus::Todo | TaskStatus::InProgress | TaskStatus::Blocked => Ok(()),
        status => Err(PlanError::WrongTaskStatus {
            id: task.id.clone(),
            status,
            action,
            allowed: "todo, in_progress or blocked",
        }),
    }
}

fn dedup(items: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}
