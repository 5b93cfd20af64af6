//! Milestone lifecycle: validation rounds, remediation, milestone and mission completion.
use super::*;
use AssertionStatus::{Failing, Passing, Pending};
use MilestoneStatus::{Active, Done, Locked};

/// M1 active with its two tasks done (by teammate-1), M2 locked; contract VAL-A-001..002
/// fulfilled by M1's tasks, VAL-B-001 by M2's.
fn finished_m1(panes: Vec<PaneView>) -> Fx {
    let tasks = vec![
        task("001", "M1").spec("backend").fulfills(&["VAL-A-001"]).done_by("teammate-1"),
        task("002", "M1").fulfills(&["VAL-A-002"]).done_by("teammate-1"),
        task("003", "M2").fulfills(&["VAL-B-001"]),
    ];
    Fx::new(vec![milestone(1, Active), milestone(2, Locked)], tasks, panes).contract(&[
        "VAL-A-001",
        "VAL-A-002",
        "VAL-B-001",
    ])
}

fn start(round: u32, pane: u32, title: &str) -> Action {
    Action::StartValidation {
        milestone: "M1".to_string(),
        round,
        pane: format!("%{pane}"),
        pane_title: title.to_string(),
        assertions: vec!["VAL-A-001".to_string(), "VAL-A-002".to_string()],
    }
}

fn done(m: &str, next: Option<&str>) -> Action {
    Action::MilestoneDone { milestone: m.to_string(), next: next.map(str::to_string) }
}

#[test]
fn a_finished_milestone_goes_to_the_validator_with_all_its_assertions() {
    let fx = finished_m1(vec![pane(1, Role::Teammate, None), pane(2, Role::Validator, None)]);
    assert_eq!(fx.decide(), vec![start(1, 2, "validator-2")]);
}

#[test]
fn a_milestone_with_open_tasks_is_not_validated() {
    // The task's worker is still there: with its pane gone the task would be returned.
    let mut fx = finished_m1(vec![pane(1, Role::Teammate, None), pane(2, Role::Validator, None)]);
    fx.plan.tasks[1].status = TaskStatus::InProgress;
    assert_eq!(fx.decide(), vec![]);
}

#[test]
fn cancelled_tasks_count_as_finished() {
    let mut fx = finished_m1(vec![pane(2, Role::Validator, None)]);
    fx.plan.tasks[1].status = TaskStatus::Cancelled;
    let only_first = Action::StartValidation {
        milestone: "M1".to_string(),
        round: 1,
        pane: "%2".to_string(),
        pane_title: "validator-2".to_string(),
        assertions: vec!["VAL-A-001".to_string()],
    };
    assert_eq!(fx.decide(), vec![only_first]);
}

#[test]
fn validation_waits_while_the_validator_is_busy() {
    let busy = in_state(pane(2, Role::Validator, None), AgentState::Busy);
    let fx = finished_m1(vec![pane(1, Role::Teammate, None), pane(3, Role::Teammate, None), busy]);
    assert_eq!(fx.decide(), vec![]);
}

#[test]
fn without_a_validator_pane_an_idle_worker_that_did_not_work_on_the_milestone_validates() {
    let fx = finished_m1(vec![pane(1, Role::Teammate, None), pane(3, Role::Researcher, None)]);
    assert_eq!(fx.decide(), vec![start(1, 3, "researcher-3")]);
    let fx = finished_m1(vec![pane(1, Role::Teammate, None), pane(4, Role::Lead, None)]);
    assert_eq!(
        fx.decide(),
        vec![],
        "the only worker built the milestone; the lead never validates"
    );
}

#[test]
fn a_milestone_that_checks_no_assertion_is_done_at_once() {
    let mut fx = finished_m1(vec![]);
    fx.contract.clear();
    assert_eq!(fx.decide(), vec![done("M1", Some("M2"))]);
}

#[test]
fn the_next_milestone_is_the_locked_one_with_the_lowest_sequence() {
    let ms = vec![milestone(3, Locked), milestone(1, Active), milestone(2, Locked)];
    let fx = Fx::new(ms, vec![task("001", "M1").done_by("x")], vec![]);
    assert_eq!(fx.decide(), vec![done("M1", Some("M2"))]);
}

#[test]
fn a_validating_milestone_without_a_pane_is_handed_out_keeping_its_round_number() {
    let mut fx = finished_m1(vec![pane(2, Role::Validator, None)]);
    fx.validating("M1", 2, None, &[], 10);
    assert_eq!(fx.decide(), vec![start(2, 2, "validator-2")]);
}

#[test]
fn after_a_failed_round_and_its_remediation_the_next_round_is_numbered_one_higher() {
    let mut fx = finished_m1(vec![pane(2, Role::Validator, None)]);
    fx.validating("M1", 1, Some("validator-2"), &["VAL-A-001"], 100);
    fx.plan.milestones[0].status = Active;
    assert_eq!(fx.decide(), vec![start(2, 2, "validator-2")]);
}

#[test]
fn a_round_waits_until_every_assertion_is_reported_since_it_began() {
    let mut fx = finished_m1(vec![pane(2, Role::Validator, None)]);
    fx.validating("M1", 1, Some("validator-2"), &["VAL-A-001", "VAL-A-002"], 60);
    fx.report("VAL-A-001", Passing, 30, "ok");
    assert_eq!(fx.decide(), vec![], "VAL-A-002 not reported");
    fx.report("VAL-A-002", Passing, 90, "old verdict");
    assert_eq!(fx.decide(), vec![], "VAL-A-002 reported before the round began");
    fx.report("VAL-A-002", Pending, 10, "");
    assert_eq!(fx.decide(), vec![], "pending is not a verdict");
    fx.report("VAL-A-002", Passing, 60, "ok");
    assert_eq!(fx.decide(), vec![done("M1", Some("M2"))], "reported exactly at the start counts");
}

#[test]
fn a_failing_assertion_yields_one_remediation_with_title_specialty_and_evidence() {
    let mut fx = finished_m1(vec![pane(2, Role::Validator, None)]);
    fx.contract[0].text =
        "POST /api/auth/refresh returns a new access token given a valid refresh token".into();
    fx.validating("M1", 1, Some("validator-2"), &["VAL-A-001", "VAL-A-002"], 60);
    fx.report("VAL-A-001", Failing, 30, "old refresh token still valid");
    fx.report("VAL-A-002", Passing, 30, "ok");
    let actions = fx.decide();
    let [Action::ValidationFailed { milestone, remediations }] = actions.as_slice() else {
        panic!("expected one ValidationFailed, got {actions:?}");
    };
    assert_eq!(milestone, "M1");
    assert_eq!(remediations.len(), 1);
    let r = &remediations[0];
    assert_eq!(r.assertion, "VAL-A-001");
    assert_eq!(
        r.title,
        "Fix POST /api/auth/refresh returns a new access token given… (remediation for VAL-A-001)"
    );
    assert_eq!(r.specialty.as_deref(), Some("backend"));
    for needle in
        ["VAL-A-001", "POST /api/auth/refresh returns", "old refresh token still valid", "round 1"]
    {
        assert!(r.description.contains(needle), "{needle:?} missing in {:?}", r.description);
    }
}

#[test]
fn no_remediation_is_created_when_one_is_already_open() {
    let mut fx = finished_m1(vec![pane(2, Role::Validator, None)]);
    let mut open = task("004", "M1").fulfills(&["VAL-A-001"]);
    open.remediation_for = Some("VAL-A-001".into());
    fx.plan.tasks.push(open);
    fx.validating("M1", 1, Some("validator-2"), &["VAL-A-001", "VAL-A-002"], 60);
    fx.report("VAL-A-001", Failing, 30, "still broken");
    fx.report("VAL-A-002", Failing, 30, "broken too");
    let actions = fx.decide();
    let [Action::ValidationFailed { remediations, .. }] = actions.as_slice() else {
        panic!("expected one ValidationFailed, got {actions:?}");
    };
    let ids: Vec<&str> = remediations.iter().map(|r| r.assertion.as_str()).collect();
    assert_eq!(ids, ["VAL-A-002"]);
}

#[test]
fn remediation_specialty_prefers_original_tasks_over_remediation_tasks() {
    let mut fx = finished_m1(vec![]);
    let mut earlier_fix = task("000", "M1").spec("frontend").fulfills(&["VAL-A-001"]).done_by("x");
    earlier_fix.remediation_for = Some("VAL-A-001".into());
    fx.plan.tasks.push(earlier_fix);
    fx.validating("M1", 2, Some("validator-2"), &["VAL-A-001"], 60);
    fx.report("VAL-A-001", Failing, 30, "no");
    let Some(Action::ValidationFailed { remediations, .. }) = fx.decide().into_iter().next() else {
        panic!("expected ValidationFailed");
    };
    assert_eq!(remediations[0].specialty.as_deref(), Some("backend"));
}

#[test]
fn the_last_milestone_passing_completes_the_mission_and_tells_the_lead() {
    let mut fx = finished_m1(vec![pane(2, Role::Validator, None)]);
    fx.plan.milestones[1].status = Done;
    fx.plan.tasks[2].status = TaskStatus::Done;
    fx.plan.tasks.push(task("004", "M2").status(TaskStatus::Cancelled));
    fx.validating("M1", 1, Some("validator-2"), &["VAL-A-001"], 60);
    fx.report("VAL-A-001", Passing, 30, "ok");
    let text = "Mission \"Auth v2\" is complete: 2 milestone(s) done (M1, M2), 3 task(s) done, \
                1 cancelled.";
    let expected =
        vec![done("M1", None), Action::MissionComplete, Action::NotifyLead { text: text.into() }];
    assert_eq!(fx.decide(), expected);
}

#[test]
fn a_mission_whose_milestones_are_all_done_is_completed_on_restart() {
    let fx = Fx::new(vec![milestone(1, Done)], vec![task("001", "M1").done_by("x")], vec![]);
    let actions = fx.decide();
    assert_eq!(actions[0], Action::MissionComplete);
    assert!(matches!(&actions[1], Action::NotifyLead { text } if text.contains("1 task(s) done.")));
}

#[test]
fn validation_and_dispatch_never_share_a_pane() {
    // No validator: the idle worker that did not build M1 validates and gets no task.
    let mut fx = finished_m1(vec![pane(3, Role::Teammate, None)]);
    fx.plan.tasks.push(task("009", "M2"));
    assert_eq!(fx.decide(), vec![start(1, 3, "teammate-3")]);
}
