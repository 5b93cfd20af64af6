//! Unit and property tests of the orchestrator's transitions in `plan::rules`.
use proptest::prelude::*;
use serde_json::json;

use super::tests::{arb_plan, now, plan_with};
use super::*;
use crate::plan::Event;
use crate::plan::model::*;

const PANES: [&str; 3] = ["Agent 1", "Agent 2", "Agent 3"];

fn policy() -> RetryPolicy {
    RetryPolicy::default()
}

fn pane(title: &str) -> PaneRef<'_> {
    PaneRef { id: "%7", title, pid: 4242 }
}

/// M1 active, M2 locked; 001 ready in M1, 002 depending on 001, 003 in M2.
fn small_plan() -> Plan {
    let mut plan = plan_with(&[(1, MilestoneStatus::Active), (2, MilestoneStatus::Locked)]);
    for (m, deps) in [("M1", vec![]), ("M1", vec!["001".to_string()]), ("M2", vec![])] {
        let new = NewTask {
            title: "t".into(),
            milestone: Some(m.into()),
            priority: 5,
            depends: deps,
            ..NewTask::default()
        };
        create_task(&mut plan, &mut Vec::new(), new, &[], now()).unwrap();
    }
    set_mission(&mut plan, &mut Vec::new(), "Mission", None, now()).unwrap();
    plan.mission.as_mut().unwrap().status = MissionStatus::Active;
    plan
}

fn kinds(events: &[Event]) -> Vec<String> {
    events.iter().map(|e| e.kind.to_string()).collect()
}

#[test]
fn a_dispatched_task_is_in_progress_for_the_pane_with_its_pane_id_recorded() {
    let mut plan = small_plan();
    let mut events = Vec::new();
    assert_eq!(
        dispatch_task(&mut plan, &mut events, "001", pane("Agent 1"), now()),
        Outcome::Applied
    );
    let t = plan.task("001").unwrap();
    assert_eq!(
        (t.status, t.assignee.as_deref(), t.started),
        (TaskStatus::InProgress, Some("Agent 1"), Some(now()))
    );
    assert_eq!(kinds(&events), ["task_dispatched"]);
    assert_eq!(
        (events[0].pane.as_deref(), &events[0].extra["pane_id"]),
        (Some("Agent 1"), &json!("%7"))
    );
}

#[test]
fn a_stale_dispatch_is_a_no_op() {
    let mut busy = small_plan();
    let _ = dispatch_task(&mut busy, &mut Vec::new(), "001", pane("Agent 1"), now());
    busy.tasks.push(Task { id: "004".into(), ..busy.task("001").unwrap().clone() });
    busy.task_mut("004").unwrap().status = TaskStatus::Todo;
    let cases = [
        (small_plan(), "002", "Agent 1"), // waits for 001
        (small_plan(), "003", "Agent 1"), // milestone locked
        (small_plan(), "099", "Agent 1"), // no such task
        (busy.clone(), "001", "Agent 2"), // already taken
        (busy, "004", "Agent 1"),         // ready, but the pane is busy
    ];
    for (mut plan, task, title) in cases {
        let (before, mut events) = (plan.clone(), Vec::new());
        assert_eq!(
            dispatch_task(&mut plan, &mut events, task, pane(title), now()),
            Outcome::Stale,
            "{task}"
        );
        assert_eq!((plan, events), (before, vec![]), "{task}");
    }
}

#[test]
fn an_exited_agents_task_goes_back_to_todo_only_while_that_agent_holds_it() {
    let mut plan = small_plan();
    let _ = dispatch_task(&mut plan, &mut Vec::new(), "001", pane("Agent 1"), now());
    let mut events = Vec::new();
    let other =
        return_exited_agents_task(&mut plan, &mut events, "Agent 2", "001", policy(), now());
    assert_eq!((other, kinds(&events)), (Outcome::Stale, vec!["agent_exited".to_string()]));
    assert_eq!(plan.task("001").unwrap().status, TaskStatus::InProgress);
    let mut events = Vec::new();
    let own = return_exited_agents_task(&mut plan, &mut events, "Agent 1", "001", policy(), now());
    assert_eq!(
        (own, kinds(&events)),
        (
            Outcome::Applied,
            vec!["agent_exited".into(), "task_returned".into(), "task_retry_scheduled".into()]
        )
    );
    let t = plan.task("001").unwrap();
    assert_eq!((t.status, &t.assignee, t.started), (TaskStatus::Todo, &None, None));
    assert_eq!((t.attempts, t.retry_after), (1, Some(now() + policy().backoff)));
    assert_eq!(events[1].extra["reason"], json!("agent_exited"));
}

#[test]
fn a_validation_round_is_handed_out_once_and_never_for_a_locked_or_done_milestone() {
    let mut plan = small_plan();
    let assertions = vec!["VAL-A".to_string()];
    let mut events = Vec::new();
    let first =
        start_validation(&mut plan, &mut events, "M1", 1, pane("Validator"), &assertions, now());
    assert_eq!(
        (first, kinds(&events)),
        (Outcome::Applied, vec!["milestone_validating".into(), "validation_dispatched".into()])
    );
    let round = plan.milestone("M1").unwrap().validation.clone().unwrap();
    assert_eq!(
        (round.round, round.pane.as_deref(), round.assertions),
        (1, Some("Validator"), assertions.clone())
    );
    for m in ["M1", "M2", "M9"] {
        let (before, mut events) = (plan.clone(), Vec::new());
        let again =
            start_validation(&mut plan, &mut events, m, 2, pane("Other"), &assertions, now());
        assert_eq!((again, &plan, events), (Outcome::Stale, &before, vec![]), "{m}");
    }
    // A round opened without a validator yet is handed to the first one that comes.
    plan.milestone_mut("M1").unwrap().validation.as_mut().unwrap().pane = None;
    let late =
        start_validation(&mut plan, &mut Vec::new(), "M1", 1, pane("Late"), &assertions, now());
    assert_eq!(late, Outcome::Applied);
}

#[test]
fn a_done_milestone_activates_the_next_locked_one_once() {
    let mut plan = small_plan();
    let mut events = Vec::new();
    assert_eq!(finish_milestone(&mut plan, &mut events, "M1", Some("M2"), now()), Outcome::Applied);
    let statuses: Vec<_> = plan.milestones.iter().map(|m| m.status).collect();
    assert_eq!(statuses, [MilestoneStatus::Done, MilestoneStatus::Active]);
    assert_eq!(kinds(&events), ["milestone_done", "milestone_activated"]);
    let before = plan.clone();
    let mut events = Vec::new();
    assert_eq!(finish_milestone(&mut plan, &mut events, "M1", Some("M2"), now()), Outcome::Stale);
    assert_eq!((plan, events), (before, vec![]));
}

#[test]
fn a_failed_round_creates_one_open_remediation_per_assertion_and_reopens_the_milestone() {
    let mut plan = small_plan();
    let a = vec!["VAL-A".to_string(), "VAL-B".to_string()];
    let _ = start_validation(&mut plan, &mut Vec::new(), "M1", 1, pane("Validator"), &a, now());
    let failing = AssertionResult {
        status: AssertionStatus::Failing,
        evidence: String::new(),
        reporter: None,
        updated: now(),
        seq: None,
    };
    plan.assertions.insert("VAL-A".into(), failing);
    let fix = |assertion: &str| NewRemediation {
        assertion: assertion.into(),
        title: format!("Fix {assertion}"),
        specialty: Some("backend".into()),
        description: "evidence".into(),
    };
    let mut events = Vec::new();
    let out = fail_validation(&mut plan, &mut events, "M1", &[fix("VAL-A"), fix("VAL-A")], now())
        .unwrap();
    assert_eq!(out, Outcome::Applied);
    assert_eq!(
        kinds(&events),
        ["task_created", "remediation_created", "milestone_validation_failed"]
    );
    assert_eq!(events[2].extra["failing"], json!(["VAL-A"]));
    let t = plan.task("004").unwrap();
    assert_eq!(
        (t.priority, t.fulfills.clone(), t.remediation_for.as_deref()),
        (1, vec!["VAL-A".to_string()], Some("VAL-A"))
    );
    assert_eq!(plan.milestone("M1").unwrap().status, MilestoneStatus::Active);
    // Not validating any more: the same failure reported again changes nothing.
    let before = plan.clone();
    let mut events = Vec::new();
    assert_eq!(
        fail_validation(&mut plan, &mut events, "M1", &[fix("VAL-B")], now()).unwrap(),
        Outcome::Stale
    );
    assert_eq!((plan, events), (before, vec![]));
}

#[test]
fn the_mission_completes_once_with_its_metrics() {
    let mut plan = small_plan();
    let mut events = Vec::new();
    let out =
        complete_mission(&mut plan, &mut events, |p| json!({ "tasks": p.tasks.len() }), now());
    assert_eq!(out, Outcome::Applied);
    let m = plan.mission.as_ref().unwrap();
    assert_eq!((m.status, m.completed), (MissionStatus::Complete, Some(now())));
    assert_eq!(events[0].extra["metrics"], json!({ "tasks": 3 }));
    let before = plan.clone();
    let mut events = Vec::new();
    let again = complete_mission(&mut plan, &mut events, |_| unreachable!("not computed"), now());
    assert_eq!((again, plan, events), (Outcome::Stale, before, vec![]));
    let mut none = Plan::default();
    assert_eq!(
        complete_mission(&mut none, &mut Vec::new(), |_| json!(null), now()),
        Outcome::Stale
    );
}

/// A random plan whose in-progress tasks are spread over the panes, at most one each.
fn arb_assigned_plan() -> impl Strategy<Value = Plan> {
    arb_plan().prop_map(|mut plan| {
        let mut free = PANES.iter();
        for t in &mut plan.tasks {
            if t.status == TaskStatus::InProgress {
                match free.next() {
                    Some(p) => t.assignee = Some(p.to_string()),
                    None => t.status = TaskStatus::Todo,
                }
            }
        }
        plan
    })
}

proptest! {
    #[test]
    fn dispatch_never_gives_a_pane_two_in_progress_tasks(
        plan in arb_assigned_plan(),
        tries in proptest::collection::vec((1u32..=26, 0usize..3), 0..40)
    ) {
        let mut plan = plan;
        for (task, p) in tries {
            let _ = dispatch_task(&mut plan, &mut Vec::new(), &task_id(task), pane(PANES[p]), now());
            for title in PANES {
                let held = plan.tasks.iter()
                    .filter(|t| t.status == TaskStatus::InProgress && t.assignee.as_deref() == Some(title))
                    .count();
                prop_assert!(held <= 1, "{} holds {} tasks", title, held);
            }
        }
    }

    #[test]
    fn a_dispatch_changes_exactly_the_task_when_ready_and_nothing_when_stale(
        plan in arb_assigned_plan(), task in 1u32..=26, p in 0usize..3
    ) {
        let mut plan = plan;
        let (before, id) = (plan.clone(), task_id(task));
        let ready = before.task(&id).is_some_and(|t| is_ready(&before, t));
        let busy = before.tasks.iter().any(|t| t.status == TaskStatus::InProgress && t.assignee.as_deref() == Some(PANES[p]));
        let mut events = Vec::new();
        let out = dispatch_task(&mut plan, &mut events, &id, pane(PANES[p]), now());
        prop_assert_eq!(out.applied(), ready && !busy);
        if out.applied() {
            prop_assert_eq!(events.len(), 1);
            for (a, b) in before.tasks.iter().zip(&plan.tasks) {
                prop_assert_eq!(a == b, a.id != id);
            }
        } else {
            prop_assert_eq!(plan, before);
            prop_assert!(events.is_empty());
        }
    }

    #[test]
    fn a_done_milestone_activates_exactly_the_next_locked_milestone(plan in arb_plan(), seq in 1u32..=4) {
        let mut plan = plan;
        let before = plan.clone();
        let (id, next) = (format!("M{seq}"), format!("M{}", seq + 1));
        let out = finish_milestone(&mut plan, &mut Vec::new(), &id, Some(&next), now());
        let was = |m: &str| before.milestone(m).map(|m| m.status);
        prop_assert_eq!(out.applied(), was(&id) != Some(MilestoneStatus::Done));
        for (a, b) in before.milestones.iter().zip(&plan.milestones) {
            let want = if a.id == id {
                MilestoneStatus::Done
            } else if a.id == next && out.applied() && a.status == MilestoneStatus::Locked {
                MilestoneStatus::Active
            } else {
                a.status
            };
            prop_assert_eq!(b.status, want, "{}", a.id);
        }
        prop_assert_eq!(&plan.tasks, &before.tasks);
    }

    #[test]
    fn remediation_never_creates_a_second_open_remediation_for_an_assertion(
        plan in arb_plan(),
        rounds in proptest::collection::vec(proptest::collection::vec(1usize..=5, 0..6), 1..4),
        finished in proptest::collection::vec(any::<bool>(), 0..12)
    ) {
        let mut plan = plan;
        for assertions in rounds {
            if let Some(m) = plan.milestone_mut("M1") {
                m.status = MilestoneStatus::Validating;
            }
            let fixes: Vec<NewRemediation> = assertions.iter().map(|n| NewRemediation {
                assertion: format!("VAL-P-{n:03}"),
                title: "fix".into(),
                specialty: None,
                description: String::new(),
            }).collect();
            let _ = fail_validation(&mut plan, &mut Vec::new(), "M1", &fixes, now());
            for n in 1..=5 {
                let id = format!("VAL-P-{n:03}");
                let open = plan.tasks.iter().filter(|t| {
                    t.remediation_for.as_deref() == Some(id.as_str())
                        && matches!(t.status, TaskStatus::Todo | TaskStatus::InProgress)
                }).count();
                prop_assert!(open <= 1, "{} open remediations for {}", open, id);
                prop_assert!(open == 1 || !assertions.contains(&n), "{} has no open remediation", id);
            }
            // Some remediations get done between rounds, so new ones are due again.
            for (t, &done) in plan.tasks.iter_mut().filter(|t| t.remediation_for.is_some()).zip(&finished) {
                if done {
                    t.status = TaskStatus::Done;
                }
            }
        }
    }
}
