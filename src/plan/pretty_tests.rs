//! Tests of the fast writer: the same bytes as serde's pretty printer for any plan, and
//! bodies that are equal exactly when the plans are.
use super::*;
use crate::plan::model::*;
use crate::plan::{Event, TaskGit};
use jiff::Timestamp;
use proptest::prelude::*;

/// What the store writes, from the three pieces.
fn pieces(plan: &Plan) -> Vec<u8> {
    let mut out = Vec::new();
    head(plan, &mut out);
    body(plan, &mut out, &mut Vec::new()).unwrap();
    tail(plan, &mut out).unwrap();
    out
}

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// A task with every field set, optional ones included, and text that needs escaping.
fn full_task(id: &str) -> Task {
    Task {
        description: "line one\nline \"two\"\t\\ \u{1} \u{7f} é ✓ 🦀".into(),
        milestone: Some("M1".into()),
        specialty: Some("backend".into()),
        priority: 9,
        goal: Some("G1".into()),
        depends: vec!["001".into(), "0\"02".into()],
        fulfills: vec!["VAL-A-001".into()],
        assignee: Some("agent 1".into()),
        status: TaskStatus::Blocked,
        proof: Some("</script>".into()),
        summary: Some(String::new()),
        remediation_for: Some("VAL-A-001".into()),
        started: Some(ts("2026-01-01T10:00:00.123456789Z")),
        finished: Some(ts("2026-01-01T11:00:00Z")),
        attempts: 4_000_000_000,
        retry_after: Some(ts("2026-01-02T00:00:00.5Z")),
        blocked_reason: Some("agent exited\r\n".into()),
        dispatched_to: Some(PaneProcess { pane_id: "%12".into(), pid: 4242 }),
        git: Some(TaskGit {
            commits: vec!["a".repeat(40), "b".repeat(40)],
            merge: "c".repeat(40),
            base: "d".repeat(40),
            files_changed: 3,
            insertions: 12,
            deletions: 0,
            stat: " src/a.rs | 2 +-\n 1 file changed".into(),
        }),
        ..Task::new(id, "Title with \u{0} and \u{1f}", ts("2026-01-01T09:00:00.001Z"))
    }
}

/// A plan with every field of every part set.
fn full_plan() -> Plan {
    let mut plan = Plan {
        seq: 18_014_398_509_481_983,
        mission: Some(Mission {
            title: "Mission \"x\"".into(),
            description: "d\n".into(),
            status: MissionStatus::Active,
            created: ts("2026-01-01T00:00:00Z"),
            activated: Some(ts("2026-01-01T00:00:01Z")),
            completed: None,
        }),
        ..Plan::default()
    };
    plan.milestones.push(Milestone {
        id: "M1".into(),
        title: "One".into(),
        sequence: 1,
        description: String::new(),
        status: MilestoneStatus::Validating,
        created: ts("2026-01-01T00:00:00Z"),
        validation: Some(ValidationRound {
            round: 2,
            started: ts("2026-01-01T00:00:00Z"),
            seq: Some(7),
            pane: Some("validator".into()),
            assertions: vec!["VAL-A-001".into()],
            dispatched_to: Some(PaneProcess { pane_id: "%1".into(), pid: 1 }),
        }),
    });
    plan.goals.push(Goal { id: "G1".into(), title: "g".into() });
    plan.tasks.push(full_task("001"));
    plan.tasks.push(Task::new("002", "", Timestamp::UNIX_EPOCH));
    plan.tasks.push(full_task("003"));
    plan.assertions.insert(
        "VAL-A-001".into(),
        AssertionResult {
            status: AssertionStatus::Failing,
            evidence: "e".into(),
            reporter: Some("user".into()),
            updated: ts("2026-01-01T00:00:00Z"),
            seq: Some(3),
        },
    );
    let mut event = Event::new(ts("2026-01-01T00:00:00Z"), "task_done").task("001");
    event.seq = Some(9);
    plan.pending_events.push(event.with("nested", serde_json::json!({"a": [1, {"b": null}]})));
    plan
}

#[test]
fn every_field_is_written_as_serde_writes_it() {
    let plan = full_plan();
    assert_eq!(
        String::from_utf8(pieces(&plan)).unwrap(),
        serde_json::to_string_pretty(&plan).unwrap()
    );
}

#[test]
fn empty_and_default_parts_are_written_as_serde_writes_them() {
    let mut plan = Plan::default();
    assert_eq!(pieces(&plan), serde_json::to_vec_pretty(&plan).unwrap());
    plan.tasks.push(Task::new("001", "a", Timestamp::UNIX_EPOCH));
    plan.seq = 1;
    assert_eq!(pieces(&plan), serde_json::to_vec_pretty(&plan).unwrap());
    for status in TaskStatus::ALL {
        plan.tasks[0].status = status;
        assert_eq!(pieces(&plan), serde_json::to_vec_pretty(&plan).unwrap());
    }
}

#[test]
fn numbers_are_written_in_plain_decimal() {
    for n in [0, 1, 9, 10, 99, 100, 4_294_967_295, u64::MAX] {
        let mut out = Vec::new();
        number(&mut out, n);
        assert_eq!(out, n.to_string().into_bytes());
    }
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z \"\\\\]{0,8}",
        any::<String>(),
        proptest::collection::vec(any::<char>(), 0..6).prop_map(|c| c.into_iter().collect()),
    ]
}

fn any_task() -> impl Strategy<Value = Task> {
    (
        (any_text(), any_text(), proptest::option::of(any_text())),
        (proptest::collection::vec(any_text(), 0..3), any::<u8>(), any::<u32>()),
        (0..5usize, proptest::option::of(any::<i64>()), proptest::option::of(any_text())),
        any::<i32>(),
    )
        .prop_map(
            |((id, title, milestone), (depends, priority, attempts), (s, at, reason), n)| {
                let created = Timestamp::from_nanosecond(i128::from(n) * 1_000_003).unwrap();
                Task {
                    milestone,
                    priority,
                    depends,
                    attempts,
                    status: TaskStatus::ALL[s],
                    started: at.map(|s| Timestamp::from_second(s % 1_000_000_000).unwrap()),
                    blocked_reason: reason,
                    ..Task::new(id, title, created)
                }
            },
        )
}

proptest! {
    #[test]
    fn any_tasks_are_written_as_serde_writes_them(
        tasks in proptest::collection::vec(any_task(), 0..4), seq in any::<u64>()
    ) {
        let plan = Plan { seq, tasks, ..Plan::default() };
        prop_assert_eq!(pieces(&plan), serde_json::to_vec_pretty(&plan).unwrap());
    }

    /// What makes the store's change detection exact: bodies are the same bytes exactly
    /// when the plans' body fields are equal.
    #[test]
    fn bodies_are_equal_exactly_when_the_plans_are(
        a in proptest::collection::vec(any_task(), 0..3),
        b in proptest::collection::vec(any_task(), 0..3),
        same in any::<bool>(),
    ) {
        let a = Plan { tasks: a, ..full_plan() };
        let b = if same { a.clone() } else { Plan { tasks: b, ..full_plan() } };
        let (mut x, mut y) = (Vec::new(), Vec::new());
        body(&a, &mut x, &mut Vec::new()).unwrap();
        body(&b, &mut y, &mut Vec::new()).unwrap();
        prop_assert_eq!(x == y, a.tasks == b.tasks);
    }
}

#[test]
fn a_change_to_any_part_changes_the_body() {
    let plan = full_plan();
    let mut bodies = vec![];
    let changes: [fn(&mut Plan); 8] = [
        |_| {},
        |p| p.mission = None,
        |p| p.milestones[0].validation = None,
        |p| p.goals[0].title.push('x'),
        |p| p.tasks[0].dispatched_to = None,
        |p| p.tasks[1].finished = Some(Timestamp::UNIX_EPOCH),
        |p| p.tasks[2].started = Some(ts("2026-01-01T10:00:00.123456788Z")),
        |p| {
            p.assertions.clear();
        },
    ];
    for change in changes {
        let mut p = plan.clone();
        change(&mut p);
        let mut out = Vec::new();
        body(&p, &mut out, &mut Vec::new()).unwrap();
        assert!(!bodies.contains(&out));
        bodies.push(out);
    }
}

proptest! {
    /// The store's change check: the old body rewritten is the new body, and it says it
    /// changed exactly when the bytes did.
    #[test]
    fn a_body_rewritten_over_another_is_the_new_body_and_tells_a_change(
        a in proptest::collection::vec(any_task(), 0..4),
        b in proptest::collection::vec(any_task(), 0..4),
        keep in 0..4usize,
        no_mission in any::<bool>(),
    ) {
        let a = Plan { tasks: a, ..full_plan() };
        // Sometimes a prefix of the tasks in common, sometimes the same plan.
        let mut tasks: Vec<Task> = a.tasks.iter().take(keep).cloned().collect();
        tasks.extend(b);
        let mut b = Plan { tasks, ..full_plan() };
        if no_mission {
            b.mission = None;
        }
        for (old, new) in [(&a, &b), (&b, &a), (&a, &a)] {
            let (mut out, mut want, mut want_ends) = (Vec::new(), Vec::new(), Vec::new());
            let mut ends = Vec::new();
            body(old, &mut out, &mut ends).unwrap();
            let (before, before_ends) = (out.clone(), ends.clone());
            body(new, &mut want, &mut want_ends).unwrap();
            let changed = rewrite_body(new, &mut out, &mut ends).unwrap();
            prop_assert_eq!(&out, &want);
            prop_assert_eq!(&ends, &want_ends);
            prop_assert_eq!(changed, before != want);
            prop_assert_eq!(changed, old != new);
            // From the old body and its plan, copying the tasks that did not change.
            let (mut from, mut ends) = (Vec::new(), before_ends);
            let changed = rewrite_from(old, &before, &mut ends, new, &mut from).unwrap();
            prop_assert_eq!(&from, &want);
            prop_assert_eq!(&ends, &want_ends);
            prop_assert_eq!(changed, Some(old != new));
        }
    }
}

#[test]
fn a_body_rewritten_shorter_or_longer_is_cut_or_extended() {
    let mut long = full_plan();
    long.tasks.push(Task::new("004", "x", Timestamp::UNIX_EPOCH));
    let short = Plan { tasks: Vec::new(), ..full_plan() };
    for (old, new) in [(&long, &full_plan()), (&full_plan(), &long), (&long, &short)] {
        let (mut out, mut want, mut ends) = (Vec::new(), Vec::new(), Vec::new());
        body(old, &mut out, &mut ends).unwrap();
        body(new, &mut want, &mut Vec::new()).unwrap();
        let (before, mut from_ends) = (out.clone(), ends.clone());
        assert!(rewrite_body(new, &mut out, &mut ends).unwrap());
        assert_eq!(out, want);
        let mut from = Vec::new();
        assert_eq!(rewrite_from(old, &before, &mut from_ends, new, &mut from).unwrap(), Some(true));
        assert_eq!(from, want);
    }
}

/// Ends that do not fit the old body and plan (another version's) are refused, never
/// used to copy the wrong bytes.
#[test]
fn a_body_is_not_rewritten_from_ends_that_do_not_fit_it() {
    let plan = full_plan();
    let (mut old, mut ends) = (Vec::new(), Vec::new());
    body(&plan, &mut old, &mut ends).unwrap();
    let mut longer = plan.clone();
    longer.tasks.push(Task::new("009", "x", Timestamp::UNIX_EPOCH));
    let mut out = Vec::new();
    for (before, mut ends) in [
        (&longer, ends.clone()),
        (&plan, ends[..ends.len() - 1].to_vec()),
        (&plan, ends.iter().map(|e| e + 1).collect()),
    ] {
        assert_eq!(rewrite_from(before, &old, &mut ends, &plan, &mut out).unwrap(), None);
    }
}

proptest! {
    /// The hand-written timestamp is jiff's, for any instant it can hold.
    #[test]
    fn a_timestamp_is_written_as_jiff_displays_it(
        secs in prop_oneof![0..253_402_300_800i64, -377_705_116_800..=253_402_207_999i64, 253_402_300_700..253_402_300_900i64],
        nanos in prop_oneof![Just(0i32), 0..1_000_000_000i32, (0..1000i32).prop_map(|ms| ms * 1_000_000)],
    ) {
        let secs = secs.min(jiff::Timestamp::MAX.as_second() - 1);
        let at = Timestamp::new(secs, if secs < 0 { 0 } else { nanos }).unwrap();
        let mut out = Vec::new();
        timestamp(&mut out, &at);
        prop_assert_eq!(String::from_utf8(out).unwrap(), format!("\"{at}\""));
    }
}
