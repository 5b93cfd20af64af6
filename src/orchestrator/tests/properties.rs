//! Properties of `decide` over random plans and panes.
use std::collections::HashSet;

use proptest::prelude::*;

use super::*;
use crate::orchestrator::decide::{assertions_of, ready_now};
use crate::plan::rules::{is_ready, milestone_assertions, ready_tasks};

const SPECIALTIES: [Option<&str>; 4] = [None, Some("frontend"), Some("backend"), Some("research")];
const ROLES: [Role; 7] = [
    Role::Lead,
    Role::Teammate,
    Role::Teammate,
    Role::Teammate,
    Role::Validator,
    Role::Researcher,
    Role::Shell,
];
const STATES: [AgentState; 7] = [
    AgentState::Idle,
    AgentState::Idle,
    AgentState::Idle,
    AgentState::Idle,
    AgentState::Busy,
    AgentState::Exited,
    AgentState::Waiting,
];
const MS: [MilestoneStatus; 6] = [
    MilestoneStatus::Active,
    MilestoneStatus::Active,
    MilestoneStatus::Active,
    MilestoneStatus::Locked,
    MilestoneStatus::Done,
    MilestoneStatus::Validating,
];
const TS: [TaskStatus; 7] = [
    TaskStatus::Todo,
    TaskStatus::Todo,
    TaskStatus::Todo,
    TaskStatus::InProgress,
    TaskStatus::Done,
    TaskStatus::Done,
    TaskStatus::Cancelled,
];
const AS: [AssertionStatus; 5] = [
    AssertionStatus::Pending,
    AssertionStatus::Passing,
    AssertionStatus::Passing,
    AssertionStatus::Failing,
    AssertionStatus::Failing,
];
const CONTRACT: [&str; 4] = ["VAL-X-000", "VAL-X-001", "VAL-X-002", "VAL-X-003"];

/// (milestone, specialty, priority, depends, status, assignee pane, fulfills)
type RawTask = (usize, usize, u8, Vec<usize>, usize, usize, Vec<usize>);
/// (role, specialty, state, seconds since its output changed)
type RawPane = (usize, usize, usize, i64);
/// A round on the first milestone: (validating?, validator pane, seconds since it started,
/// per assertion (status, seconds since reported)).
type RawRound = Option<(bool, usize, i64, Vec<(usize, i64)>)>;

pub(super) fn arb_fx() -> impl Strategy<Value = Fx> {
    let milestones = prop::collection::vec(0..MS.len(), 1..4);
    let task = (
        0..6usize,
        0..4usize,
        1..4u8,
        prop::collection::vec(0..30usize, 0..2),
        0..TS.len(),
        0..8usize,
        prop::collection::vec(0..4usize, 0..2),
    );
    let tasks = prop::collection::vec(task, 0..30);
    let panes =
        prop::collection::vec((0..ROLES.len(), 0..4usize, 0..STATES.len(), 0..700i64), 1..8);
    let results = prop::collection::vec((0..AS.len(), 0..120i64), 4);
    let round = prop::option::weighted(0.4, (any::<bool>(), 0..8usize, 0..150i64, results));
    let cap = prop::option::weighted(0.3, 0..6usize);
    let settings = (cap, prop::bool::weighted(0.9), 0..2000i64);
    (milestones, tasks, panes, round, settings)
        .prop_map(|(ms, tasks, panes, round, settings)| build(ms, tasks, panes, round, settings))
}

fn build(
    ms: Vec<usize>,
    tasks: Vec<RawTask>,
    panes: Vec<RawPane>,
    round: RawRound,
    (cap, auto, stall): (Option<usize>, bool, i64),
) -> Fx {
    let mut milestones: Vec<Milestone> =
        ms.iter().enumerate().map(|(i, s)| milestone(i as u32 + 1, MS[*s])).collect();
    let panes: Vec<PaneView> = panes
        .iter()
        .enumerate()
        .map(|(n, (role, spec, state, quiet))| {
            let mut p = in_state(pane(n as u32, ROLES[*role], SPECIALTIES[*spec]), STATES[*state]);
            p.last_output_change = ago(*quiet);
            p
        })
        .collect();
    let count = tasks.len();
    let tasks = tasks
        .iter()
        .enumerate()
        .map(|(i, (m, spec, prio, deps, status, assignee, fulfills))| {
            // Half the tasks in M1; M4 may not exist.
            let m = m.saturating_sub(2) + 1;
            task(&format!("{:03}", i + 1), &format!("M{m}")).with(|t| {
                t.specialty = SPECIALTIES[*spec].map(str::to_string);
                t.priority = *prio;
                t.depends = deps.iter().map(|d| format!("{:03}", d % count + 1)).collect();
                t.fulfills = fulfills.iter().map(|a| CONTRACT[*a].to_string()).collect();
                t.status = TS[*status];
                if t.status != TaskStatus::Todo {
                    t.assignee = panes.get(*assignee).map(|p| p.title.clone());
                }
            })
        })
        .collect();
    let mut results = Vec::new();
    if let Some((validating, validator, started, reported)) = round {
        if validating {
            milestones[0].status = MilestoneStatus::Validating;
        }
        milestones[0].validation = Some(ValidationRound {
            round: 1,
            started: ago(started),
            seq: None,
            pane: panes.get(validator).map(|p| p.title.clone()),
            assertions: CONTRACT.iter().map(|s| s.to_string()).collect(),
            dispatched_to: None,
        });
        results = reported;
    }
    let mut fx = Fx::new(milestones, tasks, panes).contract(&CONTRACT);
    for (id, (status, secs)) in CONTRACT.iter().zip(results) {
        fx.report(id, AS[status], secs, "evidence");
    }
    fx.settings.max_concurrent_agents = cap;
    fx.settings.auto_dispatch = auto;
    fx.settings.stall_timeout = SignedDuration::from_secs(stall);
    fx
}

/// (task, pane id) of every Dispatch and (milestone, pane id) of every StartValidation.
pub(super) fn assignments(actions: &[Action]) -> Vec<(&str, &str)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Dispatch { task, pane, .. } => Some((task.as_str(), pane.as_str())),
            Action::StartValidation { milestone, pane, .. } => {
                Some((milestone.as_str(), pane.as_str()))
            }
            _ => None,
        })
        .collect()
}

pub(super) fn dispatches<'a>(fx: &'a Fx, actions: &'a [Action]) -> Vec<(&'a Task, &'a PaneView)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Dispatch { task, pane, .. } => Some((
                fx.plan.task(task).expect("dispatched task exists"),
                fx.panes.iter().find(|p| &p.id == pane).expect("dispatched pane exists"),
            )),
            _ => None,
        })
        .collect()
}

pub(super) fn idle(fx: &Fx, p: &PaneView) -> bool {
    p.state == AgentState::Idle
        && !fx
            .plan
            .tasks
            .iter()
            .any(|t| t.status == TaskStatus::InProgress && t.assignee.as_ref() == Some(&p.title))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn no_task_and_no_pane_is_assigned_twice(fx in arb_fx()) {
        let actions = fx.decide();
        let a = assignments(&actions);
        let tasks: HashSet<&str> = a.iter().map(|(t, _)| *t).collect();
        let panes: HashSet<&str> = a.iter().map(|(_, p)| *p).collect();
        prop_assert_eq!(tasks.len(), a.len());
        prop_assert_eq!(panes.len(), a.len());
    }

    #[test]
    fn dispatched_tasks_are_ready_in_the_active_milestone_and_go_to_idle_workers(fx in arb_fx()) {
        let actions = fx.decide();
        let current = fx.plan.current_milestone();
        for (task, pane) in dispatches(&fx, &actions) {
            prop_assert!(is_ready(&fx.plan, task));
            prop_assert_eq!(task.milestone.as_deref(), current.map(|m| m.id.as_str()));
            prop_assert!(matches!(pane.role, Role::Teammate | Role::Researcher));
            prop_assert!(idle(&fx, pane));
        }
    }

    #[test]
    fn dispatch_respects_the_concurrency_cap_and_the_auto_dispatch_switch(fx in arb_fx()) {
        let actions = fx.decide();
        let n = dispatches(&fx, &actions).len();
        if !fx.settings.auto_dispatch {
            prop_assert_eq!(n, 0);
        }
        if let Some(cap) = fx.settings.max_concurrent_agents {
            let running = fx.plan.tasks.iter().filter(|t| t.status == TaskStatus::InProgress).count();
            prop_assert!(n == 0 || running + n <= cap);
        }
    }

    /// A task goes to a pane without its specialty only when every idle pane with it got an
    /// (earlier, higher-priority) task in the same decision; to a pane of another specialty
    /// only when no worker pane has its specialty and every idle generalist got a task.
    #[test]
    fn specialty_preference_holds(fx in arb_fx()) {
        let actions = fx.decide();
        let sent = dispatches(&fx, &actions);
        let got: HashSet<&str> = sent.iter().map(|(_, p)| p.id.as_str()).collect();
        let idle_workers: Vec<&PaneView> =
            fx.panes.iter().filter(|p| p.role.takes_tasks() && idle(&fx, p)).collect();
        for (task, pane) in &sent {
            let want = task.specialty.as_deref();
            let has = pane.effective_specialty();
            if want.is_some() && has != want {
                prop_assert!(idle_workers.iter().filter(|p| p.effective_specialty() == want).all(|p| got.contains(p.id.as_str())));
            }
            if has.is_some() && has != want {
                prop_assert!(idle_workers.iter().filter(|p| p.effective_specialty().is_none()).all(|p| got.contains(p.id.as_str())));
                if let Some(w) = want {
                    prop_assert!(!fx.panes.iter().any(|p| p.role.takes_tasks() && p.effective_specialty() == Some(w)));
                }
            }
        }
    }

    #[test]
    fn decide_is_deterministic(fx in arb_fx()) {
        prop_assert_eq!(fx.decide(), fx.decide());
    }

    #[test]
    fn applying_the_dispatches_leaves_nothing_to_dispatch_again(mut fx in arb_fx()) {
        let first = dispatched(&fx.decide());
        for (id, title) in &first {
            let t = fx.plan.task_mut(id).expect("task exists");
            t.status = TaskStatus::InProgress;
            t.assignee = Some(title.clone());
        }
        let again = dispatched(&fx.decide());
        for (id, title) in &first {
            prop_assert!(!again.iter().any(|(t, p)| t == id || p == title));
        }
    }

    #[test]
    fn the_indexed_ready_set_matches_the_plan_rules(fx in arb_fx()) {
        let current = fx.plan.current_milestone().map(|m| m.id.clone());
        let expected: Vec<&str> = ready_tasks(&fx.plan)
            .into_iter()
            .filter(|t| t.milestone == current)
            .map(|t| t.id.as_str())
            .collect();
        let got: Vec<&str> = ready_now(&fx.plan).into_iter().map(|t| t.id.as_str()).collect();
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn the_one_pass_assertion_owner_matches_the_plan_rules(fx in arb_fx()) {
        let ids: Vec<String> = fx.contract.iter().map(|c| c.id.clone()).collect();
        for m in &fx.plan.milestones {
            prop_assert_eq!(assertions_of(&fx.plan, &m.id, &fx.contract), milestone_assertions(&fx.plan, &m.id, &ids));
        }
    }
}
