//! Pure planning rules over a [`Plan`]: which tasks are ready, which milestone checks an
//! assertion, dependency cycles, and (in the submodules) every transition the CLI, the
//! dashboard and the orchestrator apply. No I/O here; the clock comes in as a parameter.
use std::collections::{BTreeSet, HashMap};

use super::model::{MilestoneStatus, Plan, Task, TaskStatus};

pub mod budget;
mod checks;
mod errors;
#[cfg(test)]
mod input_tests;
mod integration;
mod mission;
mod orchestration;
#[cfg(test)]
mod orchestration_tests;
mod research;
mod retry;
#[cfg(test)]
mod retry_tests;
mod tasks;
#[cfg(test)]
mod tests;

pub use checks::*;
pub use errors::PlanError;
pub use integration::*;
pub use mission::*;
pub use orchestration::*;
pub use research::*;
pub use retry::*;
pub use tasks::*;

/// A task is ready when it is `todo`, its milestone is `active`, and every task it depends
/// on is `done`.
pub fn is_ready(plan: &Plan, task: &Task) -> bool {
    task.status == TaskStatus::Todo
        && task
            .milestone
            .as_deref()
            .and_then(|m| plan.milestone(m))
            .is_some_and(|m| m.status == MilestoneStatus::Active)
        && task.depends.iter().all(|d| plan.task(d).is_some_and(|t| t.status == TaskStatus::Done))
}

/// A task is ready in a plain queue (`dispatch_mode: tasks`) when it is `todo` and every
/// task it depends on is `done`, whatever its milestone.
pub fn is_queued(plan: &Plan, task: &Task) -> bool {
    task.status == TaskStatus::Todo
        && task.depends.iter().all(|d| plan.task(d).is_some_and(|t| t.status == TaskStatus::Done))
}

/// Ready tasks in dispatch order: lowest priority number first, then lowest id.
pub fn ready_tasks(plan: &Plan) -> Vec<&Task> {
    ready_tasks_in(&TaskIndex::new(plan), plan)
}

/// [`ready_tasks`] with the plan's tasks looked up through `index`.
pub fn ready_tasks_in<'p>(index: &TaskIndex, plan: &'p Plan) -> Vec<&'p Task> {
    let mut ready: Vec<&Task> = plan.tasks.iter().filter(|t| index.is_ready(t)).collect();
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

/// A dependency cycle among the plan's tasks, as the ids along it with the first repeated
/// at the end (`["001", "003", "001"]`); `None` when the dependencies form no cycle.
/// Dependencies on unknown ids are ignored here (they are rejected on input).
pub fn find_cycle(plan: &Plan) -> Option<Vec<String>> {
    let graph: HashMap<&str, Vec<&str>> = plan
        .tasks
        .iter()
        .map(|t| (t.id.as_str(), t.depends.iter().map(String::as_str).collect()))
        .collect();
    // Iterative depth-first search with colours: 1 = on the current path, 2 = finished.
    let mut colour: HashMap<&str, u8> = HashMap::with_capacity(graph.len());
    for start in plan.tasks.iter().map(|t| t.id.as_str()) {
        if colour.contains_key(start) {
            continue;
        }
        let mut path: Vec<(&str, usize)> = vec![(start, 0)];
        colour.insert(start, 1);
        while let Some((node, next)) = path.last_mut() {
            let deps = graph.get(*node).map_or(&[][..], Vec::as_slice);
            if let Some(&dep) = deps.get(*next) {
                *next += 1;
                match colour.get(dep) {
                    Some(1) => {
                        let from = path.iter().position(|(n, _)| *n == dep).unwrap_or(0);
                        let mut cycle: Vec<String> =
                            path[from..].iter().map(|(n, _)| n.to_string()).collect();
                        cycle.push(dep.to_string());
                        return Some(cycle);
                    }
                    Some(_) => {}
                    None if graph.contains_key(dep) => {
                        colour.insert(dep, 1);
                        path.push((dep, 0));
                    }
                    None => {}
                }
            } else {
                colour.insert(node, 2);
                path.pop();
            }
        }
    }
    None
}

/// The tasks `task` waits for: its dependencies that are not `done`, in id order.
pub fn blocked_by<'p>(plan: &'p Plan, task: &Task) -> Vec<&'p str> {
    let mut ids: BTreeSet<&str> = BTreeSet::new();
    for d in &task.depends {
        if let Some(t) = plan.task(d)
            && t.status != TaskStatus::Done
        {
            ids.insert(t.id.as_str());
        }
    }
    let mut ids: Vec<&str> = ids.into_iter().collect();
    ids.sort_by(|a, b| id_order(a, b));
    ids
}

/// Tasks and milestones by id, for answering many [`blocked_by`] and [`is_ready`]
/// questions over one plan in O(1) each (a view over every task stays linear).
#[derive(Debug)]
pub struct TaskIndex<'p> {
    by_id: HashMap<&'p str, &'p Task>,
    milestones: HashMap<&'p str, &'p super::model::Milestone>,
}

impl<'p> TaskIndex<'p> {
    pub fn new(plan: &'p Plan) -> Self {
        // The first of equal ids wins, as with `Plan::task`.
        let mut by_id = HashMap::with_capacity(plan.tasks.len());
        for t in &plan.tasks {
            by_id.entry(t.id.as_str()).or_insert(t);
        }
        let mut milestones = HashMap::with_capacity(plan.milestones.len());
        for m in &plan.milestones {
            milestones.entry(m.id.as_str()).or_insert(m);
        }
        TaskIndex { by_id, milestones }
    }

    /// Same as [`Plan::task`], in O(1).
    pub fn task(&self, id: &str) -> Option<&'p Task> {
        self.by_id.get(id).copied()
    }

    /// Same as [`Plan::milestone`], in O(1).
    pub fn milestone(&self, id: &str) -> Option<&'p super::model::Milestone> {
        self.milestones.get(id).copied()
    }

    /// Same as [`is_ready`], using the index.
    pub fn is_ready(&self, task: &Task) -> bool {
        task.status == TaskStatus::Todo
            && task
                .milestone
                .as_deref()
                .and_then(|m| self.milestone(m))
                .is_some_and(|m| m.status == MilestoneStatus::Active)
            && task
                .depends
                .iter()
                .all(|d| self.task(d).is_some_and(|t| t.status == TaskStatus::Done))
    }

    /// Same as [`blocked_by`], using the index.
    pub fn blocked_by(&self, task: &Task) -> Vec<&'p str> {
        let mut ids: Vec<&'p str> = task
            .depends
            .iter()
            .filter_map(|d| self.by_id.get(d.as_str()))
            .filter(|t| t.status != TaskStatus::Done)
            .map(|t| t.id.as_str())
            .collect();
        ids.sort_by(|a, b| id_order(a, b));
        ids.dedup();
        ids
    }
}
