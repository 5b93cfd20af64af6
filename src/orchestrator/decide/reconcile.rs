//! Reconciling the plan with the panes, every tick and so at start: an `in_progress` task
//! whose pane is gone, or whose pane now runs another process than the one it was handed
//! to (a `restart`, a rebuilt session, a respawned pane), goes back to `todo` and the lead
//! hears why. Its agent never saw the task, so nudging it as stalled would be wrong. A
//! validation round whose validator is gone or restarted likewise loses its validator and
//! is handed out again.
use std::collections::HashSet;

use super::Action;
use crate::orchestrator::world::{PaneView, World};
use crate::plan::rules::ReturnReason;
use crate::plan::{AssertionStatus, MilestoneStatus, PaneProcess, TaskStatus};

/// Returns the in-progress tasks that have no worker any more; gives back their ids, so
/// the rest of this tick leaves them alone.
pub(super) fn reconcile<'w>(world: &World<'w>, actions: &mut Vec<Action>) -> HashSet<&'w str> {
    let mut returned = HashSet::new();
    for task in world.plan.tasks.iter().filter(|t| t.status == TaskStatus::InProgress) {
        let Some(title) = task.assignee.as_deref() else { continue };
        let pane = world.panes.iter().find(|p| p.title == title);
        let Some(reason) = stranded(task.dispatched_to.as_ref(), pane) else { continue };
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
    rounds(world, actions);
    returned
}

/// Validation rounds still waiting for reports whose validator pane is gone or runs
/// another process now.
fn rounds(world: &World, actions: &mut Vec<Action>) {
    for m in world.plan.milestones.iter().filter(|m| m.status == MilestoneStatus::Validating) {
        let Some(round) = &m.validation else { continue };
        let Some(title) = round.pane.as_deref() else { continue };
        // Every assertion reported: the validator's work is in, the round can be judged.
        let plan = world.plan;
        let reported = |a: &String| {
            plan.assertions
                .get(a)
                .is_some_and(|r| r.status != AssertionStatus::Pending && round.counts(r))
        };
        if round.assertions.iter().all(reported) {
            continue;
        }
        let pane = world.panes.iter().find(|p| p.title == title);
        let Some(reason) = stranded(round.dispatched_to.as_ref(), pane) else { continue };
        actions.push(Action::ReturnValidation {
            milestone: m.id.clone(),
            pane_title: title.to_string(),
            reason,
        });
        actions.push(Action::NotifyLead {
            text: format!(
                "Validation round {} of {} is handed out again: {}.",
                round.round,
                m.id,
                reason.describe(title)
            ),
        });
    }
}

/// Why work handed to the process `to` has no worker in `pane` (the pane with the
/// assignee's title), if it has none. Work claimed by hand records no process; its pane
/// only has to exist.
fn stranded(to: Option<&PaneProcess>, pane: Option<&PaneView>) -> Option<ReturnReason> {
    let Some(pane) = pane else { return Some(ReturnReason::PaneGone) };
    let to = to?;
    (to.pane_id != pane.id || to.pid != pane.pid).then_some(ReturnReason::PaneRestarted)
}
