//! `decide(world) -> Vec<Action>`: the orchestrator's whole policy as one pure function
//! (dispatch, validation rounds, remediation, stalls). The run loop applies the actions;
//! nothing here reads a clock or touches tmux.
pub mod approval;
mod budget;
mod dispatch;
mod modes;
mod notices;
pub mod planning;
mod reconcile;
pub mod research;
mod validation;

pub use modes::{finished, finished_reason, in_play};

use std::collections::{HashMap, HashSet};

use super::world::{AgentState, DispatchMode, PaneView, World};
use crate::plan::rules::{NewRemediation, ReturnReason};
use crate::plan::{Milestone, Plan, TaskStatus};

/// One thing the run loop must do. Decisions within one call never conflict: no task and
/// no pane appears in two assignments (`Dispatch`, `StartValidation`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Assign `task` to the pane (store first), then send it the task prompt.
    Dispatch { task: String, pane: String, pane_title: String },
    /// Set the milestone `validating` with this round and send the validation prompt.
    StartValidation {
        milestone: String,
        round: u32,
        pane: String,
        pane_title: String,
        assertions: Vec<String>,
    },
    /// Mark the milestone `done` and make `next` (if any) `active`.
    MilestoneDone { milestone: String, next: Option<String> },
    /// Create the remediation tasks (priority 1, same milestone, fulfilling their
    /// assertion) and set the milestone back to `active`.
    ValidationFailed { milestone: String, remediations: Vec<NewRemediation> },
    /// Mark the mission `complete`; dispatch stops.
    MissionComplete,
    /// Send a notice to the lead pane.
    NotifyLead { text: String },
    /// The task's pane has shown no new output for the stall timeout; record it as reported.
    Stall { task: String, pane_title: String },
    /// The agent in the pane exited while working on `task`; record the pane as reported.
    AgentExited { pane_title: String, task: String },
    /// Answer yes to the pane's question (its profile's keys): it asks to run one of the
    /// reporting commands its prompt asked for (for `task`, if it names one).
    Approve {
        pane: String,
        pane_title: String,
        question: String,
        command: String,
        task: Option<String>,
    },
    /// The pane asks about a command that is not for the orchestrator to approve; record
    /// it (the lead is told by the `NotifyLead` that follows).
    ApprovalNeeded { pane: String, pane_title: String, question: String, command: String },
    /// `task` has no worker in its pane any more (gone, restarted): back to `todo`.
    ReturnTask { task: String, pane_title: String, reason: ReturnReason },
    /// The milestone's validation round has no validator in its pane any more: release it.
    ReturnValidation { milestone: String, pane_title: String, reason: ReturnReason },
    /// Send the lead pane the planning prompt and record `planning_dispatched`.
    Plan { pane: String, pane_title: String },
    /// A research trigger fired: create the research task (or hand the open one, `task`,
    /// again) and send it to the researcher pane.
    Research(research::Research),
    /// Record that the budget (or `task`'s own cap) reached `level`: `budget_warning` or
    /// `budget_exhausted`, with the limits as text.
    Budget { level: crate::plan::rules::budget::BudgetLevel, task: Option<String>, limits: String },
}

/// Everything the next step of the mission needs, in a deterministic order: stranded tasks
/// returned, milestone lifecycle, then dispatches, then notices to the lead.
pub fn decide(world: &World) -> Vec<Action> {
    let plan = world.plan;
    let mode = world.settings.mode;
    if !in_play(plan, mode) {
        return Vec::new();
    }
    let scan = Scan::new(plan);
    let mut taken: HashSet<&str> = HashSet::new();
    let mut actions = Vec::new();
    let returned = reconcile::reconcile(world, &mut actions);
    // A plain queue has no milestone lifecycle: no rounds, no transitions, no completion.
    if mode == DispatchMode::Missions {
        validation::lifecycle(world, &scan, &mut taken, &mut actions);
    }
    let held = budget::exhausted(world);
    if world.settings.auto_dispatch && !held {
        dispatch::dispatch(world, &scan, &mut taken, &mut actions);
    }
    if held {
        actions.retain(|a| !matches!(a, Action::StartValidation { .. }));
    }
    budget::notices(world, &mut actions);
    // A returned task's pane is gone or another agent's now: neither stalled nor exited.
    notices::stalls(world, &returned, &mut actions);
    notices::exits(world, &scan, &returned, &mut actions);
    actions
}

/// One pass over the tasks, indexing what the rules look up repeatedly.
pub(crate) struct Scan<'p> {
    /// Task status by id (the first task with an id wins, like [`Plan::task`]).
    status: HashMap<&'p str, TaskStatus>,
    /// Titles of panes that an in-progress task names as its assignee.
    working: HashSet<&'p str>,
    /// Tasks in progress, across all milestones.
    in_progress: usize,
}

impl<'p> Scan<'p> {
    fn new(plan: &'p Plan) -> Self {
        let mut status = HashMap::with_capacity(plan.tasks.len());
        let mut working = HashSet::new();
        let mut in_progress = 0;
        for task in &plan.tasks {
            status.entry(task.id.as_str()).or_insert(task.status);
            if task.status == TaskStatus::InProgress {
                in_progress += 1;
                if let Some(a) = task.assignee.as_deref() {
                    working.insert(a);
                }
            }
        }
        Scan { status, working, in_progress }
    }

    fn is_done(&self, id: &str) -> bool {
        self.status.get(id) == Some(&TaskStatus::Done)
    }

    /// Idle: the agent is at its prompt and no in-progress task is assigned to the pane.
    fn is_idle(&self, pane: &PaneView) -> bool {
        pane.state == AgentState::Idle && !self.working.contains(pane.title.as_str())
    }
}

/// The milestone that comes next: the locked one with the lowest sequence.
fn next_milestone(plan: &Plan) -> Option<&Milestone> {
    use crate::plan::MilestoneStatus::Locked;
    plan.milestones.iter().filter(|m| m.status == Locked).min_by_key(|m| m.sequence)
}

/// The dispatch order of the current milestone's ready tasks (for tests against the rules).
#[cfg(test)]
pub(crate) fn ready_now(plan: &Plan) -> Vec<&crate::plan::Task> {
    dispatch::ready_in_current(plan, &Scan::new(plan))
}

#[cfg(test)]
pub(crate) use validation::assertions_of;
