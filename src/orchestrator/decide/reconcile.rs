//! Reconciling the plan with the panes, every tick and so at start: an `in_progress` task
//! whose pane is gone, or whose pane now runs another process than the one it was handed
//! to (a `restart`, a rebuilt session, a respawned pane), goes back to `todo` and the lead
//! hears why. Its agent never saw the task, so nudging it as stalled would be wrong.
use std::collections::HashSet;

use super::Action;
use crate::orchestrator::world::{PaneView, World};
use crate::plan::rules::ReturnReason;
use crate::plan::{Task, TaskStatus};

/// Returns the in-progress tasks that have no worker any more; gives back their ids, so
/// the rest of this tick leaves them alone.
pub(super) fn reconcile<'w>(world: &World<'w>, actions: &mut Vec<Action>) -> HashSet<&'w str> {
    let mut returned = HashSet::new();
    for task in world.plan.tasks.iter().filter(|t| t.status == TaskStatus::InProgress) {
        let Some(title) = task.assignee.as_deref() else { continue };
        let Some(reason) = stranded(task, world.panes.iter().find(|p| p.title == title)) else {
            continue;
        };
        if !returned.insert(task.id.as_str()) {
            continue; // a duplicated id in a hand-edited plan: return it once
        }
        actions.push(Action::ReturnTask {
            task: task.id.clone(),
            pane_title: title.to_string(),
            reason,
        });
        actions.push(Action::NotifyLead {
            text: format!(
                "Task {} \"{}\" went back to todo: {}.",
                task.id,
                task.title,
                reason.describe(title)
            ),
        });
    }
    returned
}

/// Why `task` has no worker in `pane` (the pane with its assignee's title), if it has none.
/// A task claimed by hand records no process; its pane only has to exist.
fn stranded(task: &Task, pane: Option<&PaneView>) -> Option<ReturnReason> {
    let Some(pane) = pane else { return Some(ReturnReason::PaneGone) };
    let to = task.dispatched_to.as_ref()?;
    (to.pane_id != pane.id || to.pid != pane.pid).then_some(ReturnReason::PaneRestarted)
}
