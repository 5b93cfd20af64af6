//! `dispatch_mode: tasks`: a plain queue. Tasks go out whatever their milestone (or none),
//! with or without a mission; no milestone is validated, passed or completed.
use super::*;
use crate::orchestrator::decide::{finished, in_play};
use crate::orchestrator::world::DispatchMode;
use crate::plan::rules::{PaneRef, dispatch_queued_task, dispatch_task};
use MilestoneStatus::{Active, Locked};

fn queue(milestones: Vec<Milestone>, tasks: Vec<Task>, panes: Vec<PaneView>) -> Fx {
    let mut fx = Fx::new(milestones, tasks, panes);
    fx.settings.mode = DispatchMode::Tasks;
    fx
}

fn loose(id: &str) -> Task {
    task(id, "M1").with(|t| t.milestone = None)
}

fn teammates(n: u32) -> Vec<PaneView> {
    (1..=n).map(|i| pane(i, Role::Teammate, None)).collect()
}

#[test]
fn tasks_without_milestones_go_out_by_priority_without_a_mission() {
    let tasks = vec![loose("001").prio(3), loose("002").prio(1), loose("003").deps(&["001"])];
    let mut fx = queue(vec![], tasks, teammates(3));
    fx.plan.mission = None;
    assert_eq!(dispatched(&fx.decide()), pairs(&[("002", "teammate-1"), ("001", "teammate-2")]));
    // The same plan in missions mode dispatches nothing: no mission, no milestone.
    fx.settings.mode = DispatchMode::Missions;
    assert_eq!(fx.decide(), vec![]);
}

#[test]
fn a_locked_milestone_does_not_hold_its_tasks_back_and_planning_is_no_gate() {
    let ms = vec![milestone(1, Active), milestone(2, Locked)];
    let tasks = vec![task("001", "M2").prio(1), task("002", "M1").prio(2)];
    let mut fx = queue(ms, tasks, teammates(2));
    fx.plan.mission.as_mut().unwrap().status = MissionStatus::Planning;
    assert_eq!(dispatched(&fx.decide()), pairs(&[("001", "teammate-1"), ("002", "teammate-2")]));
}

#[test]
fn milestones_never_become_validating_done_or_complete_the_mission() {
    let ms = vec![milestone(1, Active), milestone(2, Locked)];
    let tasks = vec![
        task("001", "M1").done_by("teammate-1").fulfills(&["VAL-A"]),
        task("002", "M2").done_by("teammate-1"),
    ];
    let mut panes = teammates(1);
    panes.push(pane(9, Role::Validator, None));
    let fx = queue(ms.clone(), tasks.clone(), panes.clone()).contract(&["VAL-A"]);
    assert_eq!(fx.decide(), vec![], "nothing to validate, pass or complete in a queue");
    // The missions mode would hand M1 to the validator: the test sees the difference.
    let missions = Fx::new(ms, tasks, panes).contract(&["VAL-A"]);
    assert!(
        missions.decide().iter().any(|a| matches!(a, Action::StartValidation { .. })),
        "{:?}",
        missions.decide()
    );
}

#[test]
fn the_queue_is_finished_when_nothing_is_todo_or_in_progress() {
    let mut fx = queue(vec![], vec![loose("001"), loose("002").working("teammate-1")], vec![]);
    fx.plan.mission = None;
    assert!(in_play(&fx.plan, DispatchMode::Tasks));
    assert!(!in_play(&fx.plan, DispatchMode::Missions));
    assert!(!finished(&fx.plan, DispatchMode::Tasks));
    fx.plan.tasks[0].status = TaskStatus::Done;
    assert!(!finished(&fx.plan, DispatchMode::Tasks), "002 is still in progress");
    fx.plan.tasks[1].status = TaskStatus::Cancelled;
    assert!(finished(&fx.plan, DispatchMode::Tasks));
    assert!(!finished(&fx.plan, DispatchMode::Missions), "no mission was completed");
}

#[test]
fn the_store_rule_of_the_queue_assigns_a_task_the_missions_rule_refuses() {
    let mut plan = queue(vec![milestone(1, Locked)], vec![task("001", "M1")], vec![]).plan;
    let pane = PaneRef { id: "%1", title: "teammate-1", pid: 1 };
    let mut events = Vec::new();
    assert!(!dispatch_task(&mut plan, &mut events, "001", pane, now()).applied());
    assert!(dispatch_queued_task(&mut plan, &mut events, "001", pane, now()).applied());
    assert_eq!(plan.task("001").unwrap().status, TaskStatus::InProgress);
    // Re-checked under the lock: the same task is not assigned twice.
    assert!(!dispatch_queued_task(&mut plan, &mut events, "001", pane, now()).applied());
}

proptest::proptest! {
    #[test]
    fn a_queue_only_dispatches_queued_tasks_to_idle_workers_and_never_validates(
        mut fx in super::properties::arb_fx()
    ) {
        use super::properties::{assignments, dispatches, idle};
        fx.settings.mode = DispatchMode::Tasks;
        let actions = fx.decide();
        for a in &actions {
            proptest::prop_assert!(
                !matches!(
                    a,
                    Action::StartValidation { .. }
                        | Action::MilestoneDone { .. }
                        | Action::ValidationFailed { .. }
                        | Action::MissionComplete
                ),
                "{:?}",
                a
            );
        }
        let a = assignments(&actions);
        let tasks: HashSet<&str> = a.iter().map(|(t, _)| *t).collect();
        proptest::prop_assert_eq!(tasks.len(), a.len());
        for (task, pane) in dispatches(&fx, &actions) {
            proptest::prop_assert!(crate::plan::rules::is_queued(&fx.plan, task));
            proptest::prop_assert!(matches!(pane.role, Role::Teammate | Role::Researcher));
            proptest::prop_assert!(idle(&fx, pane));
        }
        // The store's rule agrees with every decision (none is dropped as stale).
        let mut plan = fx.plan.clone();
        for (task, pane) in a {
            let title = &fx.panes.iter().find(|p| p.id == pane).unwrap().title;
            let pane = PaneRef { id: pane, title, pid: 1 };
            proptest::prop_assert!(
                dispatch_queued_task(&mut plan, &mut Vec::new(), task, pane, now()).applied()
            );
        }
    }
}
