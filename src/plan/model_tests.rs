//! Tests of the model's own arithmetic: ids never wrap, rounds count reports by position.
use super::*;

fn plan_with_tasks(ids: &[&str]) -> Plan {
    let mut plan = Plan::default();
    for id in ids {
        plan.tasks.push(Task::new(*id, "t", Timestamp::UNIX_EPOCH));
    }
    plan
}

#[test]
fn the_next_task_id_follows_the_highest_and_refuses_to_wrap() {
    assert_eq!(plan_with_tasks(&[]).next_task_id().unwrap(), "001");
    assert_eq!(plan_with_tasks(&["001", "0041", "x7"]).next_task_id().unwrap(), "042");
    assert_eq!(plan_with_tasks(&["999999998"]).next_task_id().unwrap(), "999999999");
    for huge in ["4294967295", "999999999", "18446744073709551616"] {
        let err = plan_with_tasks(&["001", huge]).next_task_id().unwrap_err();
        assert!(err.is_bad_input(), "{err}");
        let message = err.to_string();
        assert!(message.contains(huge) && message.contains("1 to 999999999"), "{err}");
    }
}

#[test]
fn the_next_goal_id_refuses_to_wrap_like_task_ids() {
    let mut plan = Plan::default();
    assert_eq!(plan.next_goal_id().unwrap(), "G1");
    plan.goals.push(Goal { id: "G7".into(), title: "a".into() });
    plan.goals.push(Goal { id: "Gx".into(), title: "b".into() });
    assert_eq!(plan.next_goal_id().unwrap(), "G8");
    plan.goals.push(Goal { id: "G4294967295".into(), title: "c".into() });
    let err = plan.next_goal_id().unwrap_err();
    assert!(err.to_string().contains("G4294967295"), "{err}");
}

fn round(started: &str, seq: Option<u64>) -> ValidationRound {
    ValidationRound {
        round: 1,
        started: started.parse().unwrap(),
        seq,
        pane: None,
        assertions: Vec::new(),
        dispatched_to: None,
    }
}

fn result(updated: &str, seq: Option<u64>) -> AssertionResult {
    AssertionResult {
        status: AssertionStatus::Passing,
        evidence: String::new(),
        reporter: None,
        updated: updated.parse().unwrap(),
        seq,
    }
}

#[test]
fn a_report_logged_after_the_round_counts_even_when_the_clock_stepped_back() {
    let r = round("2026-01-01T10:00:00.5Z", Some(10));
    assert!(r.counts(&result("2026-01-01T09:59:00Z", Some(12))));
    assert!(!r.counts(&result("2026-01-01T10:05:00Z", Some(9))), "logged before the round");
}

#[test]
fn without_positions_a_report_in_the_rounds_millisecond_counts() {
    // The plan keeps nanoseconds; the log and older reports keep milliseconds.
    let r = round("2026-01-01T10:00:00.123456789Z", None);
    assert!(r.counts(&result("2026-01-01T10:00:00.123Z", None)));
    assert!(!r.counts(&result("2026-01-01T10:00:00.122Z", None)));
}

#[test]
fn a_rounds_own_event_rounded_down_to_the_millisecond_is_logged_since_it_began() {
    let mut event =
        Event::new("2026-01-01T10:00:00.123Z".parse().unwrap(), "validation_dispatched");
    assert!(round("2026-01-01T10:00:00.123456789Z", None).logged_since(&event));
    assert!(!round("2026-01-01T10:00:00.124Z", None).logged_since(&event));
    event.seq = Some(11);
    assert!(round("2026-01-01T11:00:00Z", Some(10)).logged_since(&event), "by position");
    assert!(!round("2026-01-01T09:00:00Z", Some(11)).logged_since(&event));
}
