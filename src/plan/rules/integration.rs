//! Rules for a task's work meeting the mission branch (isolation): its merge recorded on
//! the task, or a conflicting merge handing the task back to the same agent.
use jiff::Timestamp;

use super::Outcome;
use crate::plan::model::{Plan, TaskStatus};
use crate::plan::task_git::TaskGit;
use crate::plan::{Event, EventKind};

/// Records the merge of done task `id` (once: a task that already has one is stale).
pub fn record_merge(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    id: &str,
    git: TaskGit,
    now: Timestamp,
) -> Outcome {
    let Some(task) = plan.tasks.iter_mut().find(|t| t.id == id) else { return Outcome::Stale };
    if task.status != TaskStatus::Done || task.git.is_some() {
        return Outcome::Stale;
    }
    let mut event = Event::new(now, EventKind::TaskMerged)
        .task(id)
        .with("merge", git.merge.as_str())
        .with("commits", git.commits.len())
        .with("files_changed", git.files_changed)
        .with("insertions", git.insertions)
        .with("deletions", git.deletions);
    if let Some(pane) = &task.assignee {
        event = event.pane(pane);
    }
    task.git = Some(git);
    events.push(event);
    Outcome::Applied
}

/// Done task `id`'s merge conflicted in `files`: back to `in_progress` with the same
/// assignee (and pane process), so no other agent takes it and its agent finishes it.
pub fn hand_back_conflict(
    plan: &mut Plan,
    events: &mut Vec<Event>,
    id: &str,
    files: &[String],
    now: Timestamp,
) -> Outcome {
    let Some(task) = plan.tasks.iter_mut().find(|t| t.id == id) else { return Outcome::Stale };
    if task.status != TaskStatus::Done || task.git.is_some() {
        return Outcome::Stale;
    }
    task.status = TaskStatus::InProgress;
    task.finished = None;
    task.started = Some(now);
    let mut event = Event::new(now, EventKind::MergeConflict).task(id).with("files", files);
    if let Some(pane) = &task.assignee {
        event = event.pane(pane);
    }
    events.push(event);
    Outcome::Applied
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Task;

    fn done_plan() -> Plan {
        let now = Timestamp::UNIX_EPOCH;
        let mut task = Task::new("003", "Login", now);
        task.status = TaskStatus::Done;
        task.assignee = Some("Backend".into());
        task.finished = Some(now);
        Plan { tasks: vec![task], ..Plan::default() }
    }

    fn git() -> TaskGit {
        TaskGit {
            commits: vec!["a".repeat(40)],
            merge: "b".repeat(40),
            base: "c".repeat(40),
            files_changed: 1,
            insertions: 2,
            deletions: 0,
            stat: String::new(),
        }
    }

    #[test]
    fn a_merge_is_recorded_once() {
        let mut plan = done_plan();
        let mut events = Vec::new();
        let now = Timestamp::UNIX_EPOCH;
        assert!(record_merge(&mut plan, &mut events, "003", git(), now).applied());
        assert!(!record_merge(&mut plan, &mut events, "003", git(), now).applied());
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].kind, EventKind::TaskMerged);
        assert_eq!(
            plan.tasks[0].git.as_ref().map(TaskGit::summary).unwrap(),
            "1 file changed, +2 -0"
        );
    }

    #[test]
    fn a_conflict_gives_the_task_back_to_its_agent_in_progress() {
        let mut plan = done_plan();
        let mut events = Vec::new();
        let files = vec!["shared.txt".to_string()];
        let now = Timestamp::UNIX_EPOCH;
        assert!(hand_back_conflict(&mut plan, &mut events, "003", &files, now).applied());
        let task = &plan.tasks[0];
        assert_eq!(task.status, TaskStatus::InProgress);
        assert_eq!(task.assignee.as_deref(), Some("Backend"));
        assert_eq!(task.finished, None);
        assert_eq!(events[0].extra["files"], serde_json::json!(["shared.txt"]));
        // Already handed back: nothing more happens.
        assert!(!hand_back_conflict(&mut plan, &mut events, "003", &files, now).applied());
    }
}
