//! Dispatch: ready tasks of the active milestone, in priority order, to idle worker panes,
//! preferring a matching specialty, then a generalist, then (only when nobody has the
//! specialty) anyone.
use std::collections::HashSet;

use super::{Action, Scan};
use crate::orchestrator::world::{DispatchMode, PaneView, World};
use crate::plan::rules::id_order;
use crate::plan::{MilestoneStatus, Plan, Task, TaskStatus};

/// Ready tasks of the active milestone in dispatch order: lowest priority number, then
/// lowest id. The same set and order as [`crate::plan::rules::ready_tasks`] restricted to
/// the current milestone, with dependencies looked up through the scan's index.
pub(crate) fn ready_in_current<'p>(plan: &'p Plan, scan: &Scan) -> Vec<&'p Task> {
    let Some(current) = plan.current_milestone() else { return Vec::new() };
    if current.status != MilestoneStatus::Active {
        return Vec::new();
    }
    let mut ready: Vec<&Task> = plan
        .tasks
        .iter()
        .filter(|t| {
            t.status == TaskStatus::Todo
                && t.milestone.as_deref() == Some(current.id.as_str())
                && t.depends.iter().all(|d| scan.is_done(d))
        })
        .collect();
    ready.sort_by(|a, b| a.priority.cmp(&b.priority).then_with(|| id_order(&a.id, &b.id)));
    ready
}

pub(super) fn dispatch<'w>(
    world: &World<'w>,
    scan: &Scan,
    taken: &mut HashSet<&'w str>,
    actions: &mut Vec<Action>,
) {
    let mut budget =
        world.settings.max_concurrent_agents.map(|max| max.saturating_sub(scan.in_progress));
    let mut idle: Vec<&'w PaneView> = world
        .panes
        .iter()
        .filter(|p| p.role.takes_tasks() && scan.is_idle(p) && !taken.contains(p.id.as_str()))
        .collect();
    if idle.is_empty() || budget == Some(0) {
        return;
    }
    // Specialties somebody could take, whatever their agent is doing right now.
    let staffed: HashSet<&str> = world
        .panes
        .iter()
        .filter(|p| p.role.takes_tasks())
        .filter_map(PaneView::effective_specialty)
        .collect();
    let mut seen = HashSet::new();
    let ready = match world.settings.mode {
        DispatchMode::Missions => ready_in_current(world.plan, scan),
        DispatchMode::Tasks => super::modes::ready_in_queue(world.plan, scan),
    };
    for task in ready {
        if idle.is_empty() || budget == Some(0) {
            break;
        }
        if !seen.insert(task.id.as_str()) {
            continue; // a duplicated id in a hand-edited plan: dispatch it once
        }
        if task.retry_after.is_some_and(|at| at > world.now) {
            continue; // backing off after a failed attempt
        }
        let Some(i) = pick(&idle, task.specialty.as_deref(), &staffed) else { continue };
        let pane = idle.remove(i);
        taken.insert(pane.id.as_str());
        budget = budget.map(|b| b - 1);
        actions.push(Action::Dispatch {
            task: task.id.clone(),
            pane: pane.id.clone(),
            pane_title: pane.title.clone(),
        });
    }
}

/// The index in `idle` of the pane that gets a task of `specialty`, if any may.
fn pick(idle: &[&PaneView], specialty: Option<&str>, staffed: &HashSet<&str>) -> Option<usize> {
    let generalist = || idle.iter().position(|p| p.effective_specialty().is_none());
    match specialty {
        Some(s) => idle
            .iter()
            .position(|p| p.effective_specialty() == Some(s))
            .or_else(generalist)
            .or_else(|| (!staffed.contains(s) && !idle.is_empty()).then_some(0)),
        None => generalist().or_else(|| (!idle.is_empty()).then_some(0)),
    }
}
