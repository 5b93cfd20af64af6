//! Unit and property tests of the planning rules.
use jiff::Timestamp;
use proptest::prelude::*;

use super::*;
use crate::plan::model::*;

pub(super) fn now() -> Timestamp {
    Timestamp::from_second(1_700_000_000).unwrap()
}

pub(super) fn plan_with(milestones: &[(u32, MilestoneStatus)]) -> Plan {
    let mut plan = Plan::default();
    for &(seq, status) in milestones {
        plan.milestones.push(Milestone {
            id: format!("M{seq}"),
            title: format!("Milestone {seq}"),
            sequence: seq,
            description: String::new(),
            status,
            created: now(),
            validation: None,
        });
    }
    plan
}

fn add(plan: &mut Plan, milestone: &str, priority: u8, depends: &[&str], fulfills: &[&str]) {
    let new = NewTask {
        title: format!("task {}", plan.tasks.len() + 1),
        milestone: Some(milestone.into()),
        priority,
        depends: depends.iter().map(|s| s.to_string()).collect(),
        fulfills: fulfills.iter().map(|s| s.to_string()).collect(),
        ..NewTask::default()
    };
    let contract: Vec<String> = fulfills.iter().map(|s| s.to_string()).collect();
    create_task(plan, &mut Vec::new(), new, &contract, now()).unwrap();
}

#[test]
fn a_task_is_ready_only_when_todo_in_the_active_milestone_with_its_dependencies_done() {
    let mut plan = plan_with(&[(1, MilestoneStatus::Active), (2, MilestoneStatus::Locked)]);
    add(&mut plan, "M1", 2, &[], &[]);
    add(&mut plan, "M1", 1, &["001"], &[]);
    add(&mut plan, "M2", 1, &[], &[]);
    add(&mut plan, "M1", 3, &[], &[]);
    let ids = |p: &Plan| ready_tasks(p).iter().map(|t| t.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&plan), ["001", "004"]);
    plan.task_mut("001").unwrap().status = TaskStatus::Done;
    assert_eq!(ids(&plan), ["002", "004"]);
    assert_eq!(blocked_by(&plan, plan.task("002").unwrap()), Vec::<&str>::new());
}

#[test]
fn an_assertion_is_checked_at_the_highest_milestone_that_fulfils_it() {
    let mut plan = plan_with(&[(1, MilestoneStatus::Active), (2, MilestoneStatus::Locked)]);
    add(&mut plan, "M1", 1, &[], &["VAL-A-001"]);
    add(&mut plan, "M2", 1, &[], &["VAL-A-001"]);
    assert_eq!(assertion_milestone(&plan, "VAL-A-001"), Some("M2"));
    plan.task_mut("002").unwrap().status = TaskStatus::Cancelled;
    assert_eq!(assertion_milestone(&plan, "VAL-A-001"), Some("M1"));
    assert_eq!(assertion_milestone(&plan, "VAL-A-002"), None);
}

#[test]
fn a_dependency_cycle_is_found_and_named() {
    let mut plan = plan_with(&[(1, MilestoneStatus::Active)]);
    add(&mut plan, "M1", 1, &[], &[]);
    add(&mut plan, "M1", 1, &["001"], &[]);
    add(&mut plan, "M1", 1, &["002"], &[]);
    assert_eq!(find_cycle(&plan), None);
    let err = update_task(
        &mut plan.clone(),
        &mut Vec::new(),
        "1",
        TaskChanges { depends: Some(vec!["003".into()]), ..TaskChanges::default() },
        &[],
        now(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        PlanError::DependencyCycle {
            cycle: vec!["001", "003", "002", "001"].into_iter().map(String::from).collect()
        }
    );
    assert_eq!(
        err.to_string(),
        "dependency cycle 001 → 003 → 002 → 001 (dependencies must not form a cycle)"
    );
}

#[test]
fn plan_complete_refuses_an_uncovered_assertion_unless_forced() {
    let mut plan = plan_with(&[(1, MilestoneStatus::Locked), (2, MilestoneStatus::Locked)]);
    set_mission(&mut plan, &mut Vec::new(), "M", None, now()).unwrap();
    add(&mut plan, "M1", 1, &[], &["VAL-A-001"]);
    add(&mut plan, "M2", 1, &[], &[]);
    let contract = vec!["VAL-A-001".to_string(), "VAL-A-002".to_string()];
    let err = plan_complete(&mut plan.clone(), &mut Vec::new(), &contract, false, now());
    let PlanError::PlanNotReady { problems } = err.unwrap_err() else { panic!("not refused") };
    assert_eq!(problems, ["VAL-A-002 is not covered by any task"]);
    let mut events = Vec::new();
    assert_eq!(plan_complete(&mut plan, &mut events, &contract, true, now()).unwrap(), "M1");
    assert_eq!(plan.mission.as_ref().unwrap().status, MissionStatus::Active);
    assert_eq!(events[0].kind, crate::plan::EventKind::PlanCompleted);
}

/// Random plans: milestones 1..=4 with random statuses; tasks that depend only on
/// lower ids (so no cycle), random statuses and fulfilled assertions from a pool of 5.
pub(super) fn arb_plan() -> impl Strategy<Value = Plan> {
    let milestone = prop_oneof![
        Just(MilestoneStatus::Locked),
        Just(MilestoneStatus::Active),
        Just(MilestoneStatus::Validating),
        Just(MilestoneStatus::Done)
    ];
    let task = (
        1u32..=4,
        1u8..=9,
        proptest::collection::vec(any::<prop::sample::Index>(), 0..3),
        proptest::collection::vec(0usize..5, 0..3),
        prop::sample::select(TaskStatus::ALL.to_vec()),
    );
    (proptest::collection::vec(milestone, 4), proptest::collection::vec(task, 0..25)).prop_map(
        |(ms, tasks)| {
            let ms: Vec<(u32, MilestoneStatus)> =
                ms.into_iter().enumerate().map(|(i, s)| (i as u32 + 1, s)).collect();
            let mut plan = plan_with(&ms);
            let pool: Vec<String> = (1..=5).map(|n| format!("VAL-P-{n:03}")).collect();
            for (i, (m, prio, deps, fulfils, status)) in tasks.into_iter().enumerate() {
                let depends: Vec<String> = if i == 0 {
                    vec![]
                } else {
                    // Only on the same or an earlier milestone: anything else is refused.
                    deps.iter()
                        .map(|d| d.index(i))
                        .filter(|&j| plan.tasks[j].milestone <= Some(format!("M{m}")))
                        .map(|j| task_id(j as u32 + 1))
                        .collect()
                };
                let fulfills: Vec<String> = fulfils.iter().map(|&f| pool[f].clone()).collect();
                let new = NewTask {
                    title: format!("t{i}"),
                    milestone: Some(format!("M{m}")),
                    priority: prio,
                    depends,
                    fulfills,
                    ..NewTask::default()
                };
                create_task(&mut plan, &mut Vec::new(), new, &pool, now()).unwrap();
                plan.tasks[i].status = status;
            }
            plan
        },
    )
}

proptest! {
    #[test]
    fn ready_tasks_are_exactly_the_ready_ones_in_dispatch_order(plan in arb_plan()) {
        let ready = ready_tasks(&plan);
        for t in &plan.tasks {
            let expect = t.status == TaskStatus::Todo
                && plan.milestone(t.milestone.as_deref().unwrap()).unwrap().status == MilestoneStatus::Active
                && t.depends.iter().all(|d| plan.task(d).unwrap().status == TaskStatus::Done);
            prop_assert_eq!(ready.iter().any(|r| r.id == t.id), expect);
            prop_assert_eq!(expect && blocked_by(&plan, t).is_empty(), expect);
        }
        for w in ready.windows(2) {
            prop_assert!((w[0].priority, id_order(&w[0].id, &w[1].id)) <= (w[1].priority, std::cmp::Ordering::Less));
        }
    }

    #[test]
    fn dependencies_on_lower_ids_never_form_a_cycle_and_a_back_edge_always_does(plan in arb_plan()) {
        prop_assert_eq!(find_cycle(&plan), None);
        // Chain the last task to depend on ... each of its own transitive dependencies' target.
        let mut plan = plan;
        if let Some(last) = plan.tasks.last().cloned()
            && let Some(dep) = last.depends.first().cloned()
        {
            plan.task_mut(&dep).unwrap().depends.push(last.id.clone());
            let cycle = find_cycle(&plan).expect("a back edge makes a cycle");
            prop_assert_eq!(cycle.first(), cycle.last());
            prop_assert!(cycle.contains(&last.id));
        }
    }

    #[test]
    fn an_assertion_belongs_to_the_highest_sequence_among_live_tasks_fulfilling_it(plan in arb_plan()) {
        for n in 1..=5 {
            let id = format!("VAL-P-{n:03}");
            let expect = plan.tasks.iter()
                .filter(|t| t.status != TaskStatus::Cancelled && t.fulfills.contains(&id))
                .map(|t| plan.milestone(t.milestone.as_deref().unwrap()).unwrap().sequence)
                .max()
                .map(|s| format!("M{s}"));
            prop_assert_eq!(assertion_milestone(&plan, &id).map(str::to_string), expect);
        }
    }

    #[test]
    fn plan_complete_activates_only_the_first_milestone_and_refuses_when_unready(
        plan in arb_plan(), force in any::<bool>()
    ) {
        let mut plan = plan;
        set_mission(&mut plan, &mut Vec::new(), "Mission", None, now()).unwrap();
        let contract: Vec<String> = (1..=5).map(|n| format!("VAL-P-{n:03}")).collect();
        let problems = plan_complete_problems(&plan, &contract);
        let before = plan.clone();
        let result = plan_complete(&mut plan, &mut Vec::new(), &contract, force, now());
        if problems.is_empty() || force {
            prop_assert_eq!(result.unwrap(), "M1");
            prop_assert_eq!(plan.mission.as_ref().unwrap().status, MissionStatus::Active);
            for m in &plan.milestones {
                let want = if m.sequence == 1 { MilestoneStatus::Active } else { MilestoneStatus::Locked };
                prop_assert_eq!(m.status, want);
            }
        } else {
            prop_assert!(result.is_err());
            prop_assert_eq!(plan, before);
        }
    }
}
