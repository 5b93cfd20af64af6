//! Unit and property tests of returning, retrying and blocking tasks.
use jiff::SignedDuration;
use proptest::prelude::*;

use super::tests::{now, plan_with};
use super::*;
use crate::plan::Event;
use crate::plan::model::*;

/// M1 active with one task, 001, in progress on "Agent 1".
fn plan_in_progress() -> Plan {
    let mut plan = plan_with(&[(1, MilestoneStatus::Active)]);
    let new = NewTask {
        title: "t".into(),
        milestone: Some("M1".into()),
        priority: 5,
        ..NewTask::default()
    };
    create_task(&mut plan, &mut Vec::new(), new, &[], now()).unwrap();
    dispatch(&mut plan);
    plan
}

fn dispatch(plan: &mut Plan) {
    let pane = PaneRef { id: "%3", title: "Agent 1", pid: 77 };
    assert!(dispatch_task(plan, &mut Vec::new(), "001", pane, now()).applied());
}

fn policy(max_retries: u32) -> RetryPolicy {
    RetryPolicy { max_retries, backoff: SignedDuration::from_secs(10) }
}

fn kinds(events: &[Event]) -> Vec<&str> {
    events.iter().map(|e| e.kind.as_str()).collect()
}

fn fail(plan: &mut Plan, reason: ReturnReason, max: u32) -> (Outcome, Vec<Event>) {
    let mut events = Vec::new();
    let out = return_task(plan, &mut events, "001", "Agent 1", reason, policy(max), now());
    (out, events)
}

#[test]
fn a_dispatch_records_the_pane_process_it_went_to() {
    let plan = plan_in_progress();
    let to = plan.task("001").unwrap().dispatched_to.clone();
    assert_eq!(to, Some(PaneProcess { pane_id: "%3".into(), pid: 77 }));
}

#[test]
fn a_gone_or_restarted_pane_returns_the_task_at_once_without_counting_an_attempt() {
    for reason in [ReturnReason::PaneGone, ReturnReason::PaneRestarted] {
        let mut plan = plan_in_progress();
        let (out, events) = fail(&mut plan, reason, 0);
        assert_eq!((out, kinds(&events)), (Outcome::Applied, vec!["task_returned"]));
        assert_eq!(events[0].extra["reason"], reason.as_str());
        let t = plan.task("001").unwrap();
        assert_eq!((t.status, t.attempts, t.retry_after), (TaskStatus::Todo, 0, None));
        assert_eq!((&t.assignee, &t.dispatched_to), (&None, &None));
    }
}

#[test]
fn an_exit_is_retried_with_a_doubling_backoff_then_the_task_is_blocked_with_why() {
    let mut plan = plan_in_progress();
    for attempt in 1..=2u32 {
        let (out, events) = fail(&mut plan, ReturnReason::AgentExited, 2);
        assert_eq!(
            (out, kinds(&events)),
            (Outcome::Applied, vec!["task_returned", "task_retry_scheduled"])
        );
        let t = plan.task("001").unwrap();
        let wait = SignedDuration::from_secs(10 * (1 << (attempt - 1)));
        assert_eq!(
            (t.status, t.attempts, t.retry_after),
            (TaskStatus::Todo, attempt, Some(now() + wait))
        );
        dispatch(&mut plan);
    }
    let (out, events) = fail(&mut plan, ReturnReason::AgentExited, 2);
    assert_eq!((out, kinds(&events)), (Outcome::Applied, vec!["task_blocked"]));
    let t = plan.task("001").unwrap();
    assert_eq!((t.status, t.attempts, &t.assignee), (TaskStatus::Blocked, 2, &None));
    let why = t.blocked_reason.as_deref().unwrap();
    assert!(why.contains("exited") && why.contains("3 failed attempts"), "{why}");
    assert!(!is_ready(&plan, plan.task("001").unwrap()), "a blocked task is not dispatched");
}

#[test]
fn a_return_for_a_task_no_longer_in_progress_there_is_stale_and_records_nothing() {
    let mut plan = plan_in_progress();
    let mut events = Vec::new();
    let other = return_task(
        &mut plan,
        &mut events,
        "001",
        "Agent 2",
        ReturnReason::PaneGone,
        policy(3),
        now(),
    );
    assert_eq!((other, events.len()), (Outcome::Stale, 0));
    let _ = fail(&mut plan, ReturnReason::PaneGone, 3);
    let (again, events) = fail(&mut plan, ReturnReason::PaneGone, 3);
    assert_eq!((again, events.len()), (Outcome::Stale, 0));
}

#[test]
fn setting_a_blocked_task_to_todo_unblocks_it_and_forgets_its_attempts() {
    let mut plan = plan_in_progress();
    let _ = fail(&mut plan, ReturnReason::AgentExited, 0);
    assert_eq!(plan.task("001").unwrap().status, TaskStatus::Blocked);
    let changes = TaskChanges { status: Some(TaskStatus::Todo), ..TaskChanges::default() };
    update_task(&mut plan, &mut Vec::new(), "001", changes, &[], now()).unwrap();
    let t = plan.task("001").unwrap();
    assert_eq!(
        (t.status, t.attempts, &t.blocked_reason, t.retry_after),
        (TaskStatus::Todo, 0, &None, None)
    );
    assert!(is_ready(&plan, t));
}

#[test]
fn the_backoff_doubles_up_to_five_minutes() {
    let p = policy(100);
    let secs: Vec<i64> = [1, 2, 3, 5, 6, 50].iter().map(|&a| p.delay(a).as_secs()).collect();
    assert_eq!(secs, [10, 20, 40, 160, 300, 300]);
}

proptest! {
    /// Attempts never exceed max_retries, and a task is blocked exactly when it failed
    /// more often than that; returns that are not its fault change neither.
    #[test]
    fn attempts_never_exceed_max_retries_and_blocked_iff_exceeded(
        max in 0u32..5,
        failures in proptest::collection::vec(0usize..4, 0..12),
    ) {
        let reasons = [ReturnReason::PaneGone, ReturnReason::PaneRestarted, ReturnReason::AgentExited, ReturnReason::PromptNotLanded];
        let mut plan = plan_in_progress();
        let mut counted = 0u32;
        for r in failures {
            if plan.task("001").unwrap().status != TaskStatus::InProgress {
                break;
            }
            let reason = reasons[r];
            let (out, _) = fail(&mut plan, reason, max);
            prop_assert!(out.applied());
            counted += u32::from(reason.counts_as_attempt());
            let t = plan.task("001").unwrap();
            prop_assert!(t.attempts <= max);
            prop_assert_eq!(t.status == TaskStatus::Blocked, counted > max);
            prop_assert_eq!(t.blocked_reason.is_some(), counted > max);
            if t.status == TaskStatus::Todo {
                dispatch(&mut plan);
            }
        }
    }
}

#[test]
fn a_validation_round_released_from_its_pane_keeps_its_number_and_waits_for_a_validator() {
    let mut plan = plan_in_progress();
    let _ = fail(&mut plan, ReturnReason::PaneGone, 3);
    plan.task_mut("001").unwrap().status = TaskStatus::Done;
    let pane = PaneRef { id: "%5", title: "Validator", pid: 55 };
    let va = vec!["VAL-A".to_string()];
    assert!(start_validation(&mut plan, &mut Vec::new(), "M1", 1, pane, &va, now()).applied());
    let mut events = Vec::new();
    let wrong =
        release_validation(&mut plan, &mut events, "M1", "Other", ReturnReason::PaneGone, now());
    assert_eq!((wrong, events.len()), (Outcome::Stale, 0));
    let out = release_validation(
        &mut plan,
        &mut events,
        "M1",
        "Validator",
        ReturnReason::PaneRestarted,
        now(),
    );
    assert_eq!((out, kinds(&events)), (Outcome::Applied, vec!["validation_returned"]));
    let m = plan.milestone("M1").unwrap();
    let round = m.validation.as_ref().unwrap();
    assert_eq!(
        (m.status, round.round, &round.pane, &round.dispatched_to),
        (MilestoneStatus::Validating, 1, &None, &None)
    );
    let again = PaneRef { id: "%6", title: "Validator", pid: 56 };
    assert!(start_validation(&mut plan, &mut Vec::new(), "M1", 1, again, &va, now()).applied());
}
