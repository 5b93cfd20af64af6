//! Notices to the lead: stalled tasks and exited agents, each reported once.
use super::*;
use MilestoneStatus::Active;

fn quiet(n: u32, secs: i64) -> PaneView {
    let mut p = pane(n, Role::Teammate, None);
    p.state = AgentState::Busy;
    p.last_output_change = ago(secs);
    p
}

fn working_fx(panes: Vec<PaneView>) -> Fx {
    let tasks = vec![task("001", "M1").working("teammate-1"), task("002", "M1")];
    Fx::new(vec![milestone(1, Active)], tasks, panes)
}

#[test]
fn a_task_whose_pane_is_silent_past_the_stall_timeout_is_reported_once() {
    let mut fx = working_fx(vec![quiet(1, 301)]);
    let actions = fx.decide();
    assert_eq!(actions[0], Action::Stall { task: "001".into(), pane_title: "teammate-1".into() });
    let Action::NotifyLead { text } = &actions[1] else { panic!("no notice: {actions:?}") };
    assert_eq!(
        text,
        "Task 001 \"Task 001\" looks stalled: pane \"teammate-1\" has shown no new output for 5m 1s."
    );
    assert_eq!(actions.len(), 2);
    fx.stalls.insert("001".into());
    assert_eq!(fx.decide(), vec![]);
}

#[test]
fn a_pane_silent_for_exactly_the_stall_timeout_has_not_stalled() {
    assert_eq!(working_fx(vec![quiet(1, 300)]).decide(), vec![]);
}

#[test]
fn the_stall_timeout_comes_from_the_settings() {
    let mut fx = working_fx(vec![quiet(1, 61)]);
    fx.settings.stall_timeout = SignedDuration::from_secs(60);
    assert!(matches!(fx.decide()[0], Action::Stall { .. }));
}

#[test]
fn silence_is_only_a_stall_for_a_task_in_progress() {
    let tasks = vec![task("001", "M1").done_by("teammate-1"), task("002", "M1")];
    // Busy with something of its own for an hour: no task in progress, so no stall.
    let mut fx = Fx::new(vec![milestone(1, Active)], tasks, vec![quiet(1, 4000)]);
    fx.settings.auto_dispatch = false;
    assert_eq!(fx.decide(), vec![]);
}

#[test]
fn an_agent_that_exits_mid_task_is_reported_to_the_lead_once() {
    let exited = in_state(pane(1, Role::Teammate, None), AgentState::Exited);
    let mut fx = working_fx(vec![exited]);
    let actions = fx.decide();
    let expected_notice = "The agent in pane \"teammate-1\" (%1) exited while working on task \
                           001 \"Task 001\".";
    assert_eq!(
        actions,
        vec![
            Action::AgentExited { pane_title: "teammate-1".into(), task: "001".into() },
            Action::NotifyLead { text: expected_notice.into() },
        ]
    );
    fx.exited.insert("teammate-1".into());
    assert_eq!(fx.decide(), vec![]);
}

#[test]
fn an_exited_pane_without_a_task_is_not_reported() {
    let exited = in_state(pane(2, Role::Teammate, None), AgentState::Exited);
    let mut fx = working_fx(vec![pane(1, Role::Teammate, None), exited]);
    fx.panes[0].state = AgentState::Busy;
    assert_eq!(fx.decide(), vec![]);
}

#[test]
fn long_silences_read_in_hours_and_minutes() {
    let mut fx = working_fx(vec![quiet(1, 3 * 3600 + 125)]);
    fx.settings.auto_dispatch = false;
    let actions = fx.decide();
    assert!(
        matches!(&actions[1], Action::NotifyLead { text } if text.ends_with("for 3h 2m.")),
        "{actions:?}"
    );
}

#[test]
fn dispatches_come_before_notices() {
    // A task left in progress in a done milestone (hand-edited plan) stalls meanwhile.
    let tasks = vec![task("001", "M2"), task("002", "M1").working("teammate-1")];
    let ms = vec![milestone(1, MilestoneStatus::Done), milestone(2, Active)];
    let panes = vec![quiet(1, 500), pane(2, Role::Teammate, None)];
    let fx = Fx::new(ms, tasks, panes);
    let kinds: Vec<&str> = fx
        .decide()
        .iter()
        .map(|a| match a {
            Action::Dispatch { .. } => "dispatch",
            Action::Stall { .. } => "stall",
            Action::NotifyLead { .. } => "notify",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["dispatch", "stall", "notify"]);
}
