//! A research task started by a trigger: created and handed to its pane in one change, so
//! a crash never leaves a trigger's task half made, and never two research tasks open.
use jiff::Timestamp;

use super::super::events::{Event, EventKind};
use super::super::model::{PaneProcess, Plan, Task, TaskStatus};
use super::checks::RuleResult;
use super::orchestration::{Outcome, PaneRef};

/// What a research trigger creates.
#[derive(Debug, Clone)]
pub struct NewResearch<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// `mission_start`, `tasks_done`, … (the event's `trigger`).
    pub trigger: &'a str,
    pub reason: &'a str,
    /// The mission's key (its creation time), the milestone and count it fired for.
    pub mission: &'a str,
    pub milestone: Option<&'a str>,
    pub done: Option<u64>,
}

/// Open research work: a `research` task in progress, or a milestone-less one waiting (a
/// trigger's own, handed back by a return). A planned research task in a milestone waits
/// for its milestone like any task and does not count.
pub fn is_open_research(t: &Task) -> bool {
    t.specialty.as_deref() == Some("research")
        && (t.status == TaskStatus::InProgress
            || (t.status == TaskStatus::Todo && t.milestone.is_none()))
}

/// Creates the research task (specialty `research`, no milestone, priority 1) in progress
/// on `pane`, recording `task_created`, `research_triggered` and `task_dispatched`.
/// Stale when a research task is already open or the pane holds a task. Returns the id.
pub fn start_research(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    new: &NewResearch,
    pane: PaneRef,
    now: Timestamp,
) -> RuleResult<(Outcome, String)> {
    let open = plan.tasks.iter().any(is_open_research);
    let busy = plan
        .tasks
        .iter()
        .any(|t| t.status == TaskStatus::InProgress && t.assignee.as_deref() == Some(pane.title));
    if open || busy {
        return Ok((Outcome::Stale, String::new()));
    }
    let id = plan.next_task_id()?;
    plan.tasks.push(Task {
        description: new.description.to_string(),
        specialty: Some("research".into()),
        priority: 1,
        status: TaskStatus::InProgress,
        assignee: Some(pane.title.to_string()),
        started: Some(now),
        dispatched_to: Some(PaneProcess { pane_id: pane.id.to_string(), pid: pane.pid }),
        ..Task::new(id.clone(), new.title, now)
    });
    events.push(Event::new(now, EventKind::TaskCreated).task(&id).with("title", new.title));
    let mut fired = Event::new(now, EventKind::ResearchTriggered)
        .task(&id)
        .pane(pane.title)
        .with("trigger", new.trigger)
        .with("reason", new.reason)
        .with("mission", new.mission);
    if let Some(m) = new.milestone {
        fired = fired.milestone(m);
    }
    if let Some(d) = new.done {
        fired = fired.with("done", d);
    }
    events.push(fired);
    events.push(
        Event::new(now, EventKind::TaskDispatched)
            .task(&id)
            .pane(pane.title)
            .with("pane_id", pane.id)
            .with("pane_pid", pane.pid),
    );
    Ok((Outcome::Applied, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_research_task_is_made_in_progress_once_and_recorded() {
        let mut plan = Plan::default();
        let mut events = Vec::new();
        let new = NewResearch {
            title: "Research: x",
            description: "why",
            trigger: "mission_start",
            reason: "started",
            mission: "K",
            milestone: None,
            done: None,
        };
        let pane = PaneRef { id: "%3", title: "Researcher", pid: 9 };
        let now = Timestamp::UNIX_EPOCH;
        let (outcome, id) = start_research(&mut plan, &mut events, &new, pane, now).unwrap();
        assert!(outcome.applied());
        let t = plan.task(&id).unwrap();
        assert_eq!((t.status, t.assignee.as_deref()), (TaskStatus::InProgress, Some("Researcher")));
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["task_created", "research_triggered", "task_dispatched"]);
        // One open at a time: a second start changes nothing.
        let other = PaneRef { id: "%4", title: "R2", pid: 9 };
        let (again, _) = start_research(&mut plan, &mut events, &new, other, now).unwrap();
        assert!(!again.applied());
        assert_eq!((plan.tasks.len(), events.len()), (1, 3));
    }
}
