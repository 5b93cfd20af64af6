//! Pure planning rules over a [`Plan`]: which tasks are ready, which milestone checks an
//! assertion. No I/O here; everything is unit- and property-tested.
use super::model::{MilestoneStatus, Plan, Task, TaskStatus};

/// A task is ready when it is `todo`, its milestone is `active`, and every task it depends
/// on is `done` (spec §3).
pub fn is_ready(plan: &Plan, task: &Task) -> bool {
    task.status == TaskStatus::Todo
        && task
            .milestone
            .as_deref()
            .and_then(|m| plan.milestone(m))
            .is_some_and(|m| m.status == MilestoneStatus::Active)
        && task.depends.iter().all(|d| plan.task(d).is_some_and(|t| t.status == TaskStatus::Done))
}

/// Ready tasks in dispatch order: lowest priority number first, then lowest id.
pub fn ready_tasks(plan: &Plan) -> Vec<&Task> {
    let mut ready: Vec<&Task> = plan.tasks.iter().filter(|t| is_ready(plan, t)).collect();
    ready.sort_by(|a, b| a.priority.cmp(&b.priority).then_with(|| id_order(&a.id, &b.id)));
    ready
}

/// Task ids compare numerically (`999` < `1000`), falling back to text.
pub fn id_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// The milestone that checks an assertion: the one with the highest sequence among the
/// (non-cancelled) tasks that fulfil it. `None` when no task fulfils it.
pub fn assertion_milestone<'p>(plan: &'p Plan, assertion: &str) -> Option<&'p str> {
    plan.tasks
        .iter()
        .filter(|t| t.status != TaskStatus::Cancelled && t.fulfills.iter().any(|a| a == assertion))
        .filter_map(|t| t.milestone.as_deref().and_then(|m| plan.milestone(m)))
        .max_by_key(|m| m.sequence)
        .map(|m| m.id.as_str())
}

/// The assertions checked at `milestone`, in the order of `all` (the contract's order).
pub fn milestone_assertions<'a>(plan: &Plan, milestone: &str, all: &'a [String]) -> Vec<&'a str> {
    all.iter()
        .map(String::as_str)
        .filter(|a| assertion_milestone(plan, a) == Some(milestone))
        .collect()
}
