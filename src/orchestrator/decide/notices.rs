//! Notices to the lead: a stalled task, an agent that exited mid-task. Each is reported
//! once; the run loop records what was reported and passes it back in the world.
use std::collections::HashSet;

use super::{Action, Scan};
use crate::orchestrator::world::{AgentState, World};
use crate::plan::TaskStatus;

/// In-progress tasks whose pane showed no new output for longer than the stall timeout.
pub(super) fn stalls(world: &World, returned: &HashSet<&str>, actions: &mut Vec<Action>) {
    for task in world.plan.tasks.iter().filter(|t| t.status == TaskStatus::InProgress) {
        if returned.contains(task.id.as_str()) {
            continue;
        }
        let Some(title) = task.assignee.as_deref() else { continue };
        let Some(pane) = world.panes.iter().find(|p| p.title == title) else { continue };
        let silent = world.now.duration_since(pane.last_output_change);
        if silent <= world.settings.stall_timeout || world.stalls_reported.contains(&task.id) {
            continue;
        }
        actions.push(Action::Stall { task: task.id.clone(), pane_title: title.to_string() });
        actions.push(Action::NotifyLead {
            text: format!(
                "Task {} \"{}\" looks stalled: pane \"{title}\" has shown no new output for {}.",
                task.id,
                task.title,
                human(silent.as_secs()),
            ),
        });
    }
}

/// Panes whose agent exited while a task was in progress there.
pub(super) fn exits(
    world: &World,
    scan: &Scan,
    returned: &HashSet<&str>,
    actions: &mut Vec<Action>,
) {
    for pane in world.panes.iter().filter(|p| p.state == AgentState::Exited) {
        if !scan.working.contains(pane.title.as_str())
            || world.exited_reported.contains(&pane.title)
        {
            continue;
        }
        let Some(task) = world.plan.tasks.iter().find(|t| {
            t.status == TaskStatus::InProgress && t.assignee.as_deref() == Some(&pane.title)
        }) else {
            continue;
        };
        if returned.contains(task.id.as_str()) {
            continue;
        }
        actions.push(Action::AgentExited { pane_title: pane.title.clone(), task: task.id.clone() });
        actions.push(Action::NotifyLead {
            text: format!(
                "The agent in pane \"{}\" ({}) exited while working on task {} \"{}\".",
                pane.title, pane.id, task.id, task.title,
            ),
        });
    }
}

/// `75` → `1m 15s`; `3600` → `1h 0m`.
fn human(secs: i64) -> String {
    match secs {
        s if s >= 3600 => format!("{}h {}m", s / 3600, s % 3600 / 60),
        s if s >= 60 => format!("{}m {}s", s / 60, s % 60),
        s => format!("{s}s"),
    }
}
