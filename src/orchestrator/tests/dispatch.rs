//! Dispatch rules: gating, idleness, roles, specialty matching, the concurrency cap.
use super::*;
use MilestoneStatus::{Active, Done, Locked};

fn two_milestones(tasks: Vec<Task>, panes: Vec<PaneView>) -> Fx {
    Fx::new(vec![milestone(1, Active), milestone(2, Locked)], tasks, panes)
}

#[test]
fn nothing_happens_while_the_mission_is_planning_or_complete() {
    for status in [MissionStatus::Planning, MissionStatus::Complete] {
        let mut fx = two_milestones(vec![task("001", "M1")], vec![pane(1, Role::Teammate, None)]);
        fx.plan.mission.as_mut().unwrap().status = status;
        assert_eq!(fx.decide(), vec![]);
    }
}

#[test]
fn nothing_happens_without_a_mission() {
    let mut fx = two_milestones(vec![task("001", "M1")], vec![pane(1, Role::Teammate, None)]);
    fx.plan.mission = None;
    assert_eq!(fx.decide(), vec![]);
}

#[test]
fn ready_tasks_go_out_by_priority_then_id_in_pane_order() {
    let tasks =
        vec![task("003", "M1").prio(2), task("002", "M1").prio(1), task("001", "M1").prio(2)];
    let panes = vec![pane(1, Role::Teammate, None), pane(2, Role::Teammate, None)];
    let fx = two_milestones(tasks, panes);
    assert_eq!(dispatched(&fx.decide()), pairs(&[("002", "teammate-1"), ("001", "teammate-2")]));
}

#[test]
fn task_ids_order_numerically_past_999() {
    let tasks = vec![task("1000", "M1"), task("999", "M1")];
    let fx = two_milestones(tasks, vec![pane(1, Role::Teammate, None)]);
    assert_eq!(dispatched(&fx.decide()), pairs(&[("999", "teammate-1")]));
}

#[test]
fn tasks_of_locked_or_done_milestones_are_never_dispatched() {
    let ms = vec![milestone(1, Done), milestone(2, Active), milestone(3, Locked)];
    let tasks = vec![task("001", "M1"), task("002", "M3"), task("003", "M2").prio(9)];
    let panes = vec![pane(1, Role::Teammate, None), pane(2, Role::Teammate, None)];
    let fx = Fx::new(ms, tasks, panes);
    assert_eq!(dispatched(&fx.decide()), pairs(&[("003", "teammate-1")]));
}

#[test]
fn a_task_waits_until_every_dependency_is_done() {
    let tasks = vec![
        task("001", "M1").working("teammate-9"),
        task("002", "M1").deps(&["001"]),
        task("003", "M1").deps(&["004"]).prio(1),
        task("004", "M1").status(TaskStatus::Done),
        task("005", "M1").deps(&["404"]).prio(1),
    ];
    let fx =
        two_milestones(tasks, vec![pane(1, Role::Teammate, None), pane(2, Role::Teammate, None)]);
    assert_eq!(dispatched(&fx.decide()), pairs(&[("003", "teammate-1")]));
}

#[test]
fn only_idle_panes_without_an_in_progress_task_get_work() {
    let tasks = vec![task("001", "M1").working("teammate-1"), task("002", "M1"), task("003", "M1")];
    let mut panes = vec![pane(1, Role::Teammate, None)];
    for (n, state) in [
        (2, AgentState::Busy),
        (3, AgentState::Waiting),
        (4, AgentState::RateLimited),
        (5, AgentState::Exited),
        (6, AgentState::Unknown),
    ] {
        panes.push(in_state(pane(n, Role::Teammate, None), state));
    }
    panes.push(pane(7, Role::Teammate, None));
    let fx = two_milestones(tasks, panes);
    assert_eq!(dispatched(&fx.decide()), pairs(&[("002", "teammate-7")]));
}

#[test]
fn lead_shell_and_validator_panes_never_get_worker_tasks() {
    let panes = vec![
        pane(1, Role::Lead, None),
        pane(2, Role::Shell, None),
        pane(3, Role::Validator, None),
        pane(4, Role::Researcher, None),
    ];
    let fx = two_milestones(vec![task("001", "M1"), task("002", "M1")], panes);
    assert_eq!(dispatched(&fx.decide()), pairs(&[("001", "researcher-4")]));
}

#[test]
fn a_pane_with_the_tasks_specialty_wins_over_earlier_panes() {
    let panes = vec![
        pane(1, Role::Teammate, None),
        pane(2, Role::Teammate, Some("frontend")),
        pane(3, Role::Teammate, Some("backend")),
    ];
    let fx = two_milestones(vec![task("001", "M1").spec("backend")], panes);
    assert_eq!(dispatched(&fx.decide()), pairs(&[("001", "teammate-3")]));
}

#[test]
fn a_generalist_takes_the_task_when_the_specialist_is_busy() {
    let panes = vec![
        in_state(pane(1, Role::Teammate, Some("backend")), AgentState::Busy),
        pane(2, Role::Teammate, Some("frontend")),
        pane(3, Role::Teammate, None),
    ];
    let fx = two_milestones(vec![task("001", "M1").spec("backend")], panes);
    assert_eq!(dispatched(&fx.decide()), pairs(&[("001", "teammate-3")]));
}

#[test]
fn another_specialty_takes_the_task_only_when_no_pane_has_its_specialty() {
    let frontend = pane(2, Role::Teammate, Some("frontend"));
    let busy_backend = in_state(pane(1, Role::Teammate, Some("backend")), AgentState::Busy);
    let fx = two_milestones(
        vec![task("001", "M1").spec("backend")],
        vec![busy_backend, frontend.clone()],
    );
    assert_eq!(dispatched(&fx.decide()), vec![], "the backend pane exists, so wait for it");

    let fx = two_milestones(vec![task("001", "M1").spec("backend")], vec![frontend]);
    assert_eq!(dispatched(&fx.decide()), pairs(&[("001", "teammate-2")]));
}

#[test]
fn research_tasks_go_to_a_researcher_without_a_specialty() {
    let panes = vec![pane(1, Role::Teammate, None), pane(2, Role::Researcher, None)];
    let fx = two_milestones(vec![task("001", "M1").spec("research")], panes);
    assert_eq!(dispatched(&fx.decide()), pairs(&[("001", "researcher-2")]));
}

#[test]
fn a_researcher_is_not_a_generalist() {
    let panes = vec![pane(1, Role::Researcher, None), pane(2, Role::Teammate, None)];
    let fx = two_milestones(vec![task("001", "M1")], panes);
    assert_eq!(dispatched(&fx.decide()), pairs(&[("001", "teammate-2")]));
}

#[test]
fn a_task_without_specialty_takes_any_pane_when_no_generalist_is_idle() {
    let panes = vec![pane(1, Role::Teammate, Some("frontend"))];
    let fx = two_milestones(vec![task("001", "M1")], panes);
    assert_eq!(dispatched(&fx.decide()), pairs(&[("001", "teammate-1")]));
}

#[test]
fn each_pane_gets_at_most_one_task_per_decision() {
    let tasks = (1..=5).map(|n| task(&format!("{n:03}"), "M1")).collect();
    let panes = vec![pane(1, Role::Teammate, None), pane(2, Role::Teammate, None)];
    let fx = two_milestones(tasks, panes);
    assert_eq!(dispatched(&fx.decide()), pairs(&[("001", "teammate-1"), ("002", "teammate-2")]));
}

#[test]
fn max_concurrent_agents_caps_in_progress_plus_new_dispatches() {
    let tasks = vec![
        task("001", "M1").working("teammate-9"),
        task("002", "M1"),
        task("003", "M1"),
        task("004", "M1"),
    ];
    let panes = (1..=3).map(|n| pane(n, Role::Teammate, None)).collect();
    let mut fx = two_milestones(tasks, panes);
    fx.settings.max_concurrent_agents = Some(3);
    assert_eq!(dispatched(&fx.decide()), pairs(&[("002", "teammate-1"), ("003", "teammate-2")]));
    fx.settings.max_concurrent_agents = Some(1);
    assert_eq!(dispatched(&fx.decide()), vec![]);
}

#[test]
fn auto_dispatch_off_sends_no_tasks() {
    let mut fx = two_milestones(vec![task("001", "M1")], vec![pane(1, Role::Teammate, None)]);
    fx.settings.auto_dispatch = false;
    assert_eq!(fx.decide(), vec![]);
}

#[test]
fn a_duplicated_task_id_is_dispatched_once() {
    let tasks = vec![task("001", "M1"), task("001", "M1")];
    let panes = vec![pane(1, Role::Teammate, None), pane(2, Role::Teammate, None)];
    let fx = two_milestones(tasks, panes);
    assert_eq!(dispatched(&fx.decide()), pairs(&[("001", "teammate-1")]));
}

#[test]
fn dispatch_carries_the_pane_id_for_delivery() {
    let fx = two_milestones(vec![task("001", "M1")], vec![pane(4, Role::Teammate, None)]);
    let expected = Action::Dispatch {
        task: "001".to_string(),
        pane: "%4".to_string(),
        pane_title: "teammate-4".to_string(),
    };
    assert_eq!(fx.decide(), vec![expected]);
}
