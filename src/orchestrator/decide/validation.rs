//! The milestone lifecycle: a finished milestone goes to the validator (or straight to
//! done when it checks no assertion); a finished round passes the milestone or asks for
//! remediation; the last milestone done completes the mission.
use std::collections::{HashMap, HashSet};

use super::{Action, Scan, next_milestone};
use crate::orchestrator::prompt::remediation_title;
use crate::orchestrator::world::{ContractAssertion, PaneView, Role, World};
use crate::plan::rules::{NewRemediation, id_order};
use crate::plan::{
    AssertionStatus, Milestone, MilestoneStatus, Plan, Task, TaskStatus, ValidationRound,
};

pub(super) fn lifecycle<'w>(
    world: &World<'w>,
    scan: &Scan,
    taken: &mut HashSet<&'w str>,
    actions: &mut Vec<Action>,
) {
    let plan = world.plan;
    let Some(milestone) = plan.current_milestone() else {
        // Recovery: every milestone is done but the mission was never marked complete.
        if !plan.milestones.is_empty() {
            complete_mission(plan, actions);
        }
        return;
    };
    let round = milestone.validation.as_ref();
    let open = || {
        plan.tasks.iter().any(|t| {
            t.milestone.as_deref() == Some(milestone.id.as_str())
                && matches!(t.status, TaskStatus::Todo | TaskStatus::InProgress)
        })
    };
    let handed_out = round.is_some_and(|r| r.pane.is_some());
    match (milestone.status, round) {
        (MilestoneStatus::Validating, Some(r)) if handed_out && round_finished(plan, r) => {
            judge_round(world, milestone, r, actions);
        }
        (MilestoneStatus::Validating, _) if handed_out => {} // the round is under way
        (MilestoneStatus::Validating, _) => start_round(world, scan, milestone, taken, actions),
        (MilestoneStatus::Active, _) if !open() => {
            start_round(world, scan, milestone, taken, actions);
        }
        _ => {}
    }
}

/// Every assertion of the round has a verdict reported since the round began (in the
/// log's order, not by the clock: see [`ValidationRound::counts`]).
fn round_finished(plan: &Plan, round: &ValidationRound) -> bool {
    round.assertions.iter().all(|a| {
        plan.assertions
            .get(a)
            .is_some_and(|r| r.status != AssertionStatus::Pending && round.counts(r))
    })
}

/// Hands the milestone to a validator, or passes it at once when it checks no assertion.
fn start_round<'w>(
    world: &World<'w>,
    scan: &Scan,
    milestone: &Milestone,
    taken: &mut HashSet<&'w str>,
    actions: &mut Vec<Action>,
) {
    let plan = world.plan;
    let assertions = assertions_of(plan, &milestone.id, world.contract);
    if assertions.is_empty() {
        milestone_done(plan, milestone, actions);
        return;
    }
    let Some(pane) = validator(world, scan, milestone, taken) else { return };
    taken.insert(pane.id.as_str());
    // A round recorded without a pane never started: it keeps its number.
    let round = match &milestone.validation {
        None => 1,
        Some(r) if r.pane.is_none() => r.round,
        // A round number read from the file cannot wrap around to 0.
        Some(r) => r.round.saturating_add(1),
    };
    actions.push(Action::StartValidation {
        milestone: milestone.id.clone(),
        round,
        pane: pane.id.clone(),
        pane_title: pane.title.clone(),
        assertions: assertions.into_iter().map(str::to_string).collect(),
    });
}

/// The idle pane with role validator; when the layout has none, an idle worker that did
/// not work on the milestone's tasks.
fn validator<'w>(
    world: &World<'w>,
    scan: &Scan,
    milestone: &Milestone,
    taken: &HashSet<&str>,
) -> Option<&'w PaneView> {
    let free = |p: &&PaneView| scan.is_idle(p) && !taken.contains(p.id.as_str());
    if world.panes.iter().any(|p| p.role == Role::Validator) {
        return world.panes.iter().filter(|p| p.role == Role::Validator).find(free);
    }
    let workers: HashSet<&str> = world
        .plan
        .tasks
        .iter()
        .filter(|t| t.milestone.as_deref() == Some(milestone.id.as_str()))
        .filter_map(|t| t.assignee.as_deref())
        .collect();
    world
        .panes
        .iter()
        .filter(|p| p.role.takes_tasks() && !workers.contains(p.title.as_str()))
        .find(free)
}

fn judge_round(
    world: &World,
    milestone: &Milestone,
    round: &ValidationRound,
    out: &mut Vec<Action>,
) {
    let plan = world.plan;
    let failing: Vec<&str> = round
        .assertions
        .iter()
        .map(String::as_str)
        .filter(|a| plan.assertion_status(a) == AssertionStatus::Failing)
        .collect();
    if failing.is_empty() {
        milestone_done(plan, milestone, out);
        return;
    }
    let remediations = failing
        .into_iter()
        .filter(|a| !has_open_remediation(plan, a))
        .map(|a| remediation(world, milestone, round, a))
        .collect();
    out.push(Action::ValidationFailed { milestone: milestone.id.clone(), remediations });
}

fn has_open_remediation(plan: &Plan, assertion: &str) -> bool {
    plan.tasks.iter().any(|t| {
        matches!(t.status, TaskStatus::Todo | TaskStatus::InProgress)
            && t.remediation_for.as_deref() == Some(assertion)
    })
}

fn remediation(
    world: &World,
    milestone: &Milestone,
    round: &ValidationRound,
    id: &str,
) -> NewRemediation {
    let plan = world.plan;
    let text = world.contract.iter().find(|c| c.id == id).map_or("", |c| c.text.as_str());
    let result = plan.assertions.get(id);
    let evidence = result.map_or("", |r| r.evidence.as_str());
    let reporter = result.and_then(|r| r.reporter.as_deref()).unwrap_or("the validator");
    let description = format!(
        "Validation round {n} of milestone {m} found {id} failing.\n\n\
         Assertion {id}: {text}\n\n\
         Evidence reported by {reporter}:\n{evidence}\n\n\
         Make the assertion hold, with a test that shows it, then report the task done.",
        n = round.round,
        m = milestone.id,
    );
    NewRemediation {
        assertion: id.to_string(),
        title: remediation_title(id, text),
        specialty: fulfilling_specialty(plan, id),
        description,
    }
}

/// The specialty for a remediation of `assertion`: that of the first task (by id) that
/// fulfils it and has one, looking at original tasks before remediation tasks.
fn fulfilling_specialty(plan: &Plan, assertion: &str) -> Option<String> {
    let mut fulfilling: Vec<&Task> = plan
        .tasks
        .iter()
        .filter(|t| t.status != TaskStatus::Cancelled && t.fulfills.iter().any(|f| f == assertion))
        .collect();
    fulfilling.sort_by(|a, b| {
        a.remediation_for.is_some().cmp(&b.remediation_for.is_some()).then(id_order(&a.id, &b.id))
    });
    fulfilling.into_iter().find_map(|t| t.specialty.clone())
}

fn milestone_done(plan: &Plan, milestone: &Milestone, out: &mut Vec<Action>) {
    let next = next_milestone(plan);
    out.push(Action::MilestoneDone {
        milestone: milestone.id.clone(),
        next: next.map(|m| m.id.clone()),
    });
    let others_done =
        plan.milestones.iter().all(|m| m.id == milestone.id || m.status == MilestoneStatus::Done);
    if next.is_none() && others_done {
        complete_mission(plan, out);
    }
}

fn complete_mission(plan: &Plan, out: &mut Vec<Action>) {
    let title = plan.mission.as_ref().map_or("", |m| m.title.as_str());
    let mut milestones: Vec<&Milestone> = plan.milestones.iter().collect();
    milestones.sort_by_key(|m| m.sequence);
    let ids: Vec<&str> = milestones.iter().map(|m| m.id.as_str()).collect();
    let count = |s: TaskStatus| plan.tasks.iter().filter(|t| t.status == s).count();
    let mut text = format!(
        "Mission \"{title}\" is complete: {} milestone(s) done ({}), {} task(s) done",
        ids.len(),
        ids.join(", "),
        count(TaskStatus::Done),
    );
    match count(TaskStatus::Cancelled) {
        0 => text.push('.'),
        n => text.push_str(&format!(", {n} cancelled.")),
    }
    out.push(Action::MissionComplete);
    out.push(Action::NotifyLead { text });
}

/// The contract's assertions checked at `milestone`, in contract order: the same answer as
/// [`crate::plan::rules::milestone_assertions`], in one pass over the tasks.
pub(crate) fn assertions_of<'c>(
    plan: &Plan,
    milestone: &str,
    contract: &'c [ContractAssertion],
) -> Vec<&'c str> {
    let mut by_id: HashMap<&str, &Milestone> = HashMap::new();
    for m in &plan.milestones {
        by_id.entry(m.id.as_str()).or_insert(m);
    }
    // Per assertion, the milestone with the highest sequence (the last one on a tie).
    let mut owner: HashMap<&str, &Milestone> = HashMap::new();
    for task in plan.tasks.iter().filter(|t| t.status != TaskStatus::Cancelled) {
        let Some(m) = task.milestone.as_deref().and_then(|m| by_id.get(m)) else { continue };
        for a in &task.fulfills {
            let best = owner.entry(a.as_str()).or_insert(m);
            if m.sequence >= best.sequence {
                *best = m;
            }
        }
    }
    contract
        .iter()
        .map(|c| c.id.as_str())
        .filter(|a| owner.get(a).is_some_and(|m| m.id == milestone))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::AssertionResult;

    fn at(s: &str) -> jiff::Timestamp {
        s.parse().unwrap()
    }

    fn reported(plan: &mut Plan, id: &str, updated: &str, seq: Option<u64>) {
        let result = AssertionResult {
            status: AssertionStatus::Passing,
            evidence: String::new(),
            reporter: Some("Validator".into()),
            updated: at(updated),
            seq,
        };
        plan.assertions.insert(id.into(), result);
    }

    #[test]
    fn reports_logged_after_the_round_finish_it_even_when_the_clock_stepped_back() {
        let round = ValidationRound {
            round: 1,
            started: at("2026-01-01T10:00:00Z"),
            seq: Some(40),
            pane: Some("Validator".into()),
            assertions: vec!["VAL-A-001".into(), "VAL-A-002".into()],
            dispatched_to: None,
        };
        let mut plan = Plan::default();
        // The clock went back an hour after the round began; the log's order did not.
        reported(&mut plan, "VAL-A-001", "2026-01-01T09:00:00Z", Some(43));
        reported(&mut plan, "VAL-A-002", "2026-01-01T09:00:01Z", Some(44));
        assert!(round_finished(&plan, &round));
        // A verdict from before the round (logged earlier) does not count, whatever its time.
        reported(&mut plan, "VAL-A-002", "2026-01-01T11:00:00Z", Some(39));
        assert!(!round_finished(&plan, &round));
    }
}
