//! A scripted mission for report tests: a plan and its event log with known times, so
//! every duration, utilisation and estimate below can be checked by hand.
//!
//! Clock: 2026-03-02, UTC. Mission created 09:00, activated 10:00, `NOW` is 11:30.
//! - 003 (frontend) on Frontend 10:00–10:10; 001 on Backend 10:00–10:20;
//!   002 on Backend 10:20–10:50 (fulfils VAL-AUTH-001).
//! - M1 round 1: Validator 10:50–10:55, VAL-AUTH-001 failing → remediation 004.
//! - 004 on Backend 10:55–11:05; M1 round 2: Validator 11:05–11:10, passing → M1 done,
//!   M2 active at 11:10.
//! - 005 on Backend since 11:10 (stall reported 11:25); 006 depends on 005; 007 and 008
//!   ready (008 first: priority 1); 009 in locked M3; 010 cancelled.
use jiff::Timestamp;

use crate::plan::{
    AssertionResult, AssertionStatus, Event, Milestone, MilestoneStatus, Mission, MissionStatus,
    Plan, Task, TaskStatus, ValidationRound,
};

/// `at("10:20")` is 2026-03-02T10:20:00Z.
pub fn at(hm: &str) -> Timestamp {
    format!("2026-03-02T{hm}:00Z").parse().expect("fixture time")
}

pub fn now() -> Timestamp {
    at("11:30")
}

fn milestone(id: &str, seq: u32, title: &str, status: MilestoneStatus) -> Milestone {
    Milestone {
        id: id.into(),
        title: title.into(),
        sequence: seq,
        description: String::new(),
        status,
        created: at("09:05"),
        validation: None,
    }
}

fn task(id: &str, ms: &str, specialty: &str, priority: u8, title: &str) -> Task {
    Task {
        milestone: Some(ms.into()),
        specialty: Some(specialty.into()),
        priority,
        ..Task::new(id, title, at("09:10"))
    }
}

fn worked(mut t: Task, pane: &str, from: &str, to: Option<&str>) -> Task {
    t.assignee = Some(pane.into());
    t.started = Some(at(from));
    t.finished = to.map(at);
    t.status = if to.is_some() { TaskStatus::Done } else { TaskStatus::InProgress };
    t
}

pub fn plan() -> Plan {
    let mut m1 = milestone("M1", 1, "Foundation", MilestoneStatus::Done);
    m1.validation = Some(ValidationRound {
        round: 2,
        started: at("11:05"),
        seq: None,
        pane: Some("Validator".into()),
        assertions: vec!["VAL-AUTH-001".into()],
        dispatched_to: None,
    });
    let mut t002 = task("002", "M1", "backend", 2, "Create JWT utility functions");
    t002.fulfills = vec!["VAL-AUTH-001".into()];
    let mut t004 =
        task("004", "M1", "backend", 1, "Fix JWT signing (remediation for VAL-AUTH-001)");
    t004.fulfills = vec!["VAL-AUTH-001".into()];
    t004.remediation_for = Some("VAL-AUTH-001".into());
    let mut t005 = task("005", "M2", "backend", 1, "Build login endpoint");
    t005.fulfills = vec!["VAL-AUTH-002".into()];
    let mut t006 = task("006", "M2", "frontend", 1, "Build login page");
    t006.depends = vec!["005".into()];
    let mut t007 = task("007", "M2", "frontend", 2, "Style the login form");
    t007.fulfills = vec!["VAL-AUTH-003".into()];
    let mut t010 = task("010", "M2", "backend", 3, "Drop legacy sessions");
    t010.status = TaskStatus::Cancelled;
    let mut t009 = task("009", "M3", "backend", 1, "Write unit tests for auth service");
    t009.fulfills = vec!["VAL-TEST-001".into()];
    Plan {
        mission: Some(Mission {
            title: "Auth v2".into(),
            description: "JWT login, token refresh, route protection".into(),
            status: MissionStatus::Active,
            created: at("09:00"),
            activated: Some(at("10:00")),
            completed: None,
        }),
        milestones: vec![
            m1,
            milestone("M2", 2, "Implementation", MilestoneStatus::Active),
            milestone("M3", 3, "Validation & Polish", MilestoneStatus::Locked),
        ],
        tasks: vec![
            worked(
                task("001", "M1", "backend", 1, "Set up auth schema"),
                "Backend",
                "10:00",
                Some("10:20"),
            ),
            worked(t002, "Backend", "10:20", Some("10:50")),
            worked(
                task("003", "M1", "frontend", 2, "Sketch login UI"),
                "Frontend",
                "10:00",
                Some("10:10"),
            ),
            worked(t004, "Backend", "10:55", Some("11:05")),
            worked(t005, "Backend", "11:10", None),
            t006,
            t007,
            task("008", "M2", "backend", 1, "Add route protection middleware"),
            t009,
            t010,
        ],
        assertions: [(
            "VAL-AUTH-001".to_string(),
            AssertionResult {
                status: AssertionStatus::Passing,
                evidence: "token verified".into(),
                reporter: Some("Validator".into()),
                updated: at("11:10"),
                seq: None,
            },
        )]
        .into(),
        ..Plan::default()
    }
}

fn ev(hm: &str, kind: &str) -> Event {
    Event::new(at(hm), kind)
}

/// What the observer writes when its judgement of a pane changes.
fn pane_state(hm: &str, pane: &str, id: &str, state: &str, signal: &str) -> Event {
    ev(hm, "pane_state").pane(pane).with("pane_id", id).with("state", state).with("signal", signal)
}

/// A prompt pasted into a pane and the receipt that it landed, as `deliver.rs` writes them.
fn delivered(hm: &str, pane: &str, id: &str, task: Option<&str>) -> [Event; 2] {
    let mut sent = ev(hm, "prompt_delivered").pane(pane).with("pane_id", id);
    let mut landed = ev(hm, "prompt_landed")
        .pane(pane)
        .with("evidence", "self-report busy")
        .with("second_enter", false)
        .with("pane_id", id);
    if let Some(t) = task {
        (sent, landed) = (sent.task(t), landed.task(t));
    }
    [sent, landed]
}

fn dispatched(hm: &str, task: &str, pane: &str, id: &str) -> Vec<Event> {
    let mut out = vec![ev(hm, "task_dispatched").task(task).pane(pane).with("pane_id", id)];
    out.extend(delivered(hm, pane, id, Some(task)));
    out.push(pane_state(hm, pane, id, "busy", "self-report 0s ago"));
    out
}

fn validation(hm: &str, round: u32) -> Vec<Event> {
    let mut out = vec![
        ev(hm, "milestone_validating").milestone("M1").with("round", round),
        ev(hm, "validation_dispatched")
            .milestone("M1")
            .pane("Validator")
            .with("pane_id", "%3")
            .with("round", round)
            .with("assertions", vec!["VAL-AUTH-001"]),
    ];
    out.extend(delivered(hm, "Validator", "%3", None));
    out
}

/// The event log, field for field as the real writers write it (the store rules, the
/// orchestrator's apply, deliver and observe); `fixture_events_have_the_fields_of_a_real_log`
/// holds it to a log recorded from `tmux-ide demo`.
pub fn events() -> Vec<Event> {
    let done = |hm: &str, task: &str, ms: &str, pane: &str| {
        ev(hm, "task_done").task(task).milestone(ms).pane(pane)
    };
    let created = |task: &Task| {
        ev("09:10", "task_created")
            .task(&task.id)
            .milestone(task.milestone.as_deref().unwrap_or_default())
            .with("title", task.title.as_str())
    };
    let reported = |hm: &str, status: &str| {
        ev(hm, "assertion_reported")
            .milestone("M1")
            .assertion("VAL-AUTH-001")
            .pane("Validator")
            .with("status", status)
    };
    let plan = plan();
    let mut out = vec![
        ev("08:00", "task_done").task("999").pane("Backend"), // an earlier mission's event
        ev("09:00", "mission_set").with("title", "Auth v2"),
        ev("09:05", "milestone_created").milestone("M1").with("title", "Foundation"),
    ];
    // 004 is a remediation: the orchestrator creates it at 10:55, below.
    out.extend(plan.tasks.iter().filter(|t| t.id != "004").map(created));
    out.extend([
        ev("09:59", "orchestrator_started").with("pid", 4242),
        pane_state("09:59", "Backend", "%1", "idle", "self-report 0s ago"),
        pane_state("09:59", "Frontend", "%2", "idle", "screen shows ready pattern \"^sim>$\""),
        ev("10:00", "plan_completed").milestone("M1"),
    ]);
    out.extend(dispatched("10:00", "001", "Backend", "%1"));
    out.extend(dispatched("10:00", "003", "Frontend", "%2"));
    out.extend([
        ev("10:00", "task_claimed").task("001").pane("Backend"),
        done("10:10", "003", "M1", "Frontend"),
        ev("10:10", "agent_state")
            .pane("Frontend")
            .with("pane_id", "%2")
            .with("state", "idle")
            .with("source", "self"),
        pane_state("10:10", "Frontend", "%2", "idle", "self-report 0s ago"),
        done("10:20", "001", "M1", "Backend"),
    ]);
    out.extend(dispatched("10:20", "002", "Backend", "%1"));
    out.push(done("10:50", "002", "M1", "Backend"));
    out.extend(validation("10:50", 1));
    out.extend([
        reported("10:55", "failing"),
        ev("10:55", "task_created").task("004").milestone("M1"),
        ev("10:55", "remediation_created").task("004").milestone("M1").assertion("VAL-AUTH-001"),
        ev("10:55", "milestone_validation_failed")
            .milestone("M1")
            .with("failing", vec!["VAL-AUTH-001"]),
    ]);
    out.extend(dispatched("10:55", "004", "Backend", "%1"));
    out.push(done("11:05", "004", "M1", "Backend"));
    out.extend(validation("11:05", 2));
    out.extend([
        reported("11:10", "passing"),
        ev("11:10", "milestone_done").milestone("M1"),
        ev("11:10", "milestone_activated").milestone("M2"),
    ]);
    out.extend(dispatched("11:10", "005", "Backend", "%1"));
    out.extend([
        ev("11:12", "task_cancelled").task("010"),
        ev("11:25", "stall_detected").task("005").pane("Backend"),
        ev("11:25", "stall_nudged").task("005").pane("Backend").with("pane_id", "%1"),
        ev("11:25", "lead_notified")
            .pane("Lead")
            .with("pane_id", "%0")
            .with("text", "005 looks stalled"),
    ]);
    out
}

/// The log of a real run, recorded with `tmux-ide demo --work-ms 800` and copied unchanged
/// from the demo project's `.tasks/events.jsonl`: the fields the real writers write.
pub fn demo_events() -> Vec<Event> {
    crate::plan::eventlog::parse_event_log(include_str!("fixtures/demo-events.jsonl")).0
}

/// The plan (`tasks.json`) at the end of the same demo run.
pub fn demo_plan() -> Plan {
    serde_json::from_str(include_str!("fixtures/demo-tasks.json")).expect("demo plan")
}

/// Half a minute after the demo's last event.
pub fn demo_now() -> Timestamp {
    "2026-11-28T08:35:30Z".parse().expect("time")
}

/// An archived earlier mission, as `metrics history` lists it.
pub fn earlier_mission() -> crate::report::archive::ArchiveSummary {
    crate::report::archive::ArchiveSummary {
        file: "2026-02-20-onboarding.json".into(),
        title: "Onboarding".into(),
        status: "complete".into(),
        created: "2026-02-18T09:00:00Z".parse().expect("time"),
        activated: Some("2026-02-18T10:00:00Z".parse().expect("time")),
        completed: Some("2026-02-20T12:30:00Z".parse().expect("time")),
        archived: "2026-02-20T13:00:00Z".parse().expect("time"),
        wall_clock_secs: 2 * 86_400 + 2 * 3600 + 1800,
        milestones: 2,
        tasks_total: 12,
        tasks_done: 11,
        tasks_cancelled: 1,
        remediations: 2,
        validation_rounds: 4,
        validation_pass_rate: Some(0.5),
        assertions_passing: 6,
        assertions_reported: 6,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::plan::rules::{NewTask, cancel_task, claim_task, create_task};

    /// The keys of an event's JSON line other than its time.
    fn shape(e: &Event) -> BTreeSet<String> {
        let value = serde_json::to_value(e).expect("event");
        value.as_object().expect("object").keys().filter(|k| *k != "ts").cloned().collect()
    }

    /// Events of kinds the demo never writes, made by the real rules where they are pure.
    fn written_by_rules() -> Vec<Event> {
        let (mut p, mut events) = (plan(), Vec::new());
        claim_task(&mut p, &mut events, "008", "Backend", now()).expect("claim");
        cancel_task(&mut p, &mut events, "007", None, now()).expect("cancel");
        let new = NewTask {
            title: "t".into(),
            milestone: Some("M2".into()),
            priority: 1,
            ..NewTask::default()
        };
        create_task(&mut p, &mut events, new, &[], now()).expect("create");
        events
    }

    #[test]
    fn fixture_events_have_the_fields_of_a_real_log() {
        // The demo never stalls; these two are written by `Runner::apply` and `deliver`,
        // which need tmux, so their shape is checked by reading those writers.
        let unchecked = ["stall_detected", "stall_nudged"];
        let real: Vec<Event> = demo_events().into_iter().chain(written_by_rules()).collect();
        for e in events().iter().skip(1) {
            let shapes: Vec<BTreeSet<String>> =
                real.iter().filter(|r| r.kind == e.kind).map(shape).collect();
            if unchecked.contains(&e.kind.as_str()) {
                continue;
            }
            assert!(
                shapes.contains(&shape(e)),
                "fixture {} has {:?}; real ones have {:?}",
                e.kind,
                shape(e),
                shapes.into_iter().collect::<BTreeSet<_>>()
            );
        }
    }

    #[test]
    fn the_recorded_log_reads_whole() {
        let (events, corrupt) =
            crate::plan::eventlog::parse_event_log(include_str!("fixtures/demo-events.jsonl"));
        assert!(corrupt.is_empty() && events.len() > 100, "{corrupt:?}");
        assert_eq!(demo_plan().tasks.len(), 9);
    }
}
