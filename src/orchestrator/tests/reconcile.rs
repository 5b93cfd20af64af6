//! Reconciling in-progress work with the panes: tasks whose pane is gone or restarted go
//! back to `todo` (and are not nudged), backing-off tasks wait, and applying a tick's
//! actions never leaves a task in progress on a pane that is not there.
use proptest::prelude::*;

use super::properties::arb_fx;
use super::*;
use crate::plan::PaneProcess;
use crate::plan::rules::{self, Outcome, PaneRef, ReturnReason};
use MilestoneStatus::Active;

/// 001 in progress on teammate-1, dispatched to pane `%1` running pid `pid`; 002 ready.
fn working(panes: Vec<PaneView>, pid: u32) -> Fx {
    let stamp = PaneProcess { pane_id: "%1".into(), pid };
    let tasks = vec![
        task("001", "M1").working("teammate-1").with(|t| t.dispatched_to = Some(stamp)),
        task("002", "M1"),
    ];
    Fx::new(vec![milestone(1, Active)], tasks, panes)
}

fn returned(task: &str, reason: ReturnReason) -> Action {
    Action::ReturnTask { task: task.into(), pane_title: "teammate-1".into(), reason }
}

#[test]
fn a_task_whose_pane_is_gone_goes_back_and_the_lead_is_told() {
    let fx = working(vec![pane(2, Role::Lead, None)], 1001);
    let actions = fx.decide();
    assert_eq!(actions[0], returned("001", ReturnReason::PaneGone));
    let Action::NotifyLead { text } = &actions[1] else { panic!("no notice: {actions:?}") };
    assert_eq!(text, "Task 001 \"Task 001\" went back to todo: pane \"teammate-1\" is gone.");
    assert_eq!(actions.len(), 2, "{actions:?}");
}

#[test]
fn a_task_on_a_restarted_pane_goes_back_and_its_new_agent_is_never_nudged() {
    // After `restart` the pane has the same title and is quiet past the stall timeout:
    // its agent never saw the task, so no "Are you still working on task 001?".
    for stale in [
        PaneProcess { pane_id: "%1".into(), pid: 999 },
        PaneProcess { pane_id: "%7".into(), pid: 1001 },
    ] {
        let mut p = pane(1, Role::Teammate, None);
        p.state = AgentState::Busy;
        p.last_output_change = ago(3600);
        let mut fx = working(vec![p], 0);
        fx.plan.tasks[0].dispatched_to = Some(stale);
        let actions = fx.decide();
        assert_eq!(actions[0], returned("001", ReturnReason::PaneRestarted));
        assert!(
            !actions.iter().any(|a| matches!(a, Action::Stall { .. } | Action::AgentExited { .. })),
            "{actions:?}"
        );
    }
}

#[test]
fn an_exited_agent_on_a_pane_that_is_gone_is_returned_once_not_reported_as_exited() {
    let fx = working(vec![], 1001);
    let actions = fx.decide();
    assert_eq!(actions.iter().filter(|a| matches!(a, Action::ReturnTask { .. })).count(), 1);
}

#[test]
fn a_task_on_the_very_process_it_was_sent_to_stays() {
    let mut p = pane(1, Role::Teammate, None);
    p.state = AgentState::Busy;
    assert_eq!(working(vec![p], 1001).decide(), vec![]);
}

#[test]
fn a_task_claimed_by_hand_stays_while_a_pane_of_its_title_exists() {
    let mut p = pane(1, Role::Teammate, None);
    p.state = AgentState::Busy;
    let mut fx = working(vec![p], 1001);
    fx.plan.tasks[0].dispatched_to = None;
    assert_eq!(fx.decide(), vec![]);
}

#[test]
fn a_task_backing_off_is_dispatched_only_once_its_time_has_come() {
    let tasks = vec![
        task("001", "M1").with(|t| t.retry_after = Some(now() + SignedDuration::from_secs(5))),
    ];
    let mut fx = Fx::new(vec![milestone(1, Active)], tasks, vec![pane(1, Role::Teammate, None)]);
    assert_eq!(dispatched(&fx.decide()), vec![]);
    fx.plan.tasks[0].retry_after = Some(now());
    assert_eq!(dispatched(&fx.decide()), vec![("001".to_string(), "teammate-1".to_string())]);
}

#[test]
fn a_validation_round_whose_validator_is_gone_or_restarted_is_handed_out_again() {
    let tasks = vec![task("001", "M1").done_by("teammate-1")];
    let validator = pane(2, Role::Validator, None);
    for (panes, stamp, reason) in [
        (vec![], None, ReturnReason::PaneGone),
        (vec![validator.clone()], Some(1999), ReturnReason::PaneRestarted),
    ] {
        let mut fx = Fx::new(vec![milestone(1, Active)], tasks.clone(), panes);
        fx.validating("M1", 1, Some("validator-2"), &["VAL-A-001"], 10);
        let round = fx.plan.milestone_mut("M1").unwrap().validation.as_mut().unwrap();
        round.dispatched_to = stamp.map(|pid| PaneProcess { pane_id: "%2".into(), pid });
        let actions = fx.decide();
        let back = Action::ReturnValidation {
            milestone: "M1".into(),
            pane_title: "validator-2".into(),
            reason,
        };
        assert_eq!(actions[0], back, "{actions:?}");
        assert!(
            matches!(&actions[1], Action::NotifyLead { text } if text.contains("round 1 of M1"))
        );
    }
    // Its own process still at work: nothing to do.
    let mut fx = Fx::new(vec![milestone(1, Active)], tasks, vec![validator]);
    fx.validating("M1", 1, Some("validator-2"), &["VAL-A-001"], 10);
    let round = fx.plan.milestone_mut("M1").unwrap().validation.as_mut().unwrap();
    round.dispatched_to = Some(PaneProcess { pane_id: "%2".into(), pid: 1002 });
    assert_eq!(fx.decide(), vec![]);
}

/// `arb_fx` with some panes closed and some tasks dispatched to a process their pane no
/// longer runs.
fn arb_stranded() -> impl Strategy<Value = Fx> {
    (arb_fx(), prop::collection::vec(any::<bool>(), 8), prop::collection::vec(0..3u8, 30)).prop_map(
        |(mut fx, closed, stamps)| {
            for (t, stamp) in fx.plan.tasks.iter_mut().zip(stamps) {
                let Some(p) = fx.panes.iter().find(|p| Some(&p.title) == t.assignee.as_ref())
                else {
                    continue;
                };
                t.dispatched_to = match stamp {
                    0 => None,
                    1 => Some(PaneProcess { pane_id: p.id.clone(), pid: p.pid }),
                    _ => Some(PaneProcess { pane_id: p.id.clone(), pid: p.pid + 1 }),
                };
            }
            let mut i = 0;
            fx.panes.retain(|_| {
                i += 1;
                !closed[i - 1]
            });
            fx
        },
    )
}

/// Applies a tick's plan changes through the rules, as the run loop does.
fn apply(fx: &mut Fx, actions: &[Action]) {
    let policy = fx.settings.retry;
    let mut events = Vec::new();
    for a in actions {
        let plan = &mut fx.plan;
        let _: Outcome = match a {
            Action::Dispatch { task, pane, pane_title } => {
                let pid = fx.panes.iter().find(|p| &p.id == pane).unwrap().pid;
                let to = PaneRef { id: pane, title: pane_title, pid };
                rules::dispatch_task(plan, &mut events, task, to, now())
            }
            Action::ReturnTask { task, pane_title, reason } => {
                rules::return_task(plan, &mut events, task, pane_title, *reason, policy, now())
            }
            Action::ReturnValidation { milestone, pane_title, reason } => {
                rules::release_validation(plan, &mut events, milestone, pane_title, *reason, now())
            }
            Action::AgentExited { pane_title, task } => {
                rules::return_exited_agents_task(plan, &mut events, pane_title, task, policy, now())
            }
            _ => Outcome::Stale,
        };
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn no_in_progress_task_is_left_on_a_pane_absent_from_the_world_after_a_tick(mut fx in arb_stranded()) {
        prop_assume!(fx.plan.mission.is_some());
        let actions = fx.decide();
        apply(&mut fx, &actions);
        for t in fx.plan.tasks.iter().filter(|t| t.status == TaskStatus::InProgress) {
            let Some(title) = t.assignee.as_deref() else { continue };
            let pane = fx.panes.iter().find(|p| p.title == title);
            prop_assert!(pane.is_some(), "task {} left on absent pane {title}", t.id);
            let pane = pane.unwrap();
            if let Some(to) = &t.dispatched_to {
                prop_assert_eq!((&to.pane_id, to.pid), (&pane.id, pane.pid), "task {} on a restarted pane", &t.id);
            }
        }
        for m in fx.plan.milestones.iter().filter(|m| m.status == MilestoneStatus::Validating) {
            let Some(round) = &m.validation else { continue };
            let Some(title) = round.pane.as_deref() else { continue };
            let plan = &fx.plan;
            let reported = |a: &String| {
                plan.assertions.get(a).is_some_and(|r| r.status != AssertionStatus::Pending && round.counts(r))
            };
            if round.assertions.iter().all(reported) {
                continue; // its reports are in: judged, not waited on
            }
            prop_assert!(fx.panes.iter().any(|p| p.title == title), "{} left with absent {title}", &m.id);
        }
    }

    #[test]
    fn a_tick_returns_only_tasks_whose_pane_is_gone_or_restarted(fx in arb_stranded()) {
        for a in fx.decide() {
            let Action::ReturnTask { task, pane_title, reason } = a else { continue };
            let t = fx.plan.task(&task).unwrap();
            prop_assert_eq!(t.status, TaskStatus::InProgress);
            let pane = fx.panes.iter().find(|p| p.title == pane_title);
            match reason {
                ReturnReason::PaneGone => prop_assert!(pane.is_none()),
                ReturnReason::PaneRestarted => {
                    let (pane, to) = (pane.unwrap(), t.dispatched_to.as_ref().unwrap());
                    prop_assert!(to.pane_id != pane.id || to.pid != pane.pid);
                }
                other => prop_assert!(false, "unexpected reason {other:?}"),
            }
        }
    }
}
