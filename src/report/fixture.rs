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
        id: id.into(),
        title: title.into(),
        description: String::new(),
        milestone: Some(ms.into()),
        specialty: Some(specialty.into()),
        priority,
        goal: None,
        depends: vec![],
        fulfills: vec![],
        assignee: None,
        status: TaskStatus::Todo,
        proof: None,
        summary: None,
        remediation_for: None,
        created: at("09:10"),
        started: None,
        finished: None,
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

pub fn events() -> Vec<Event> {
    vec![
        ev("08:00", "task_done").task("999").pane("Backend"), // an earlier mission's event
        ev("09:00", "mission_set"),
        ev("09:05", "milestone_created").milestone("M1"),
        ev("09:59", "orchestrator_started").with("pid", 4242),
        ev("10:00", "plan_completed"),
        ev("10:00", "task_dispatched").task("001").pane("Backend").with("pane_id", "%1"),
        ev("10:00", "task_dispatched").task("003").pane("Frontend").with("pane_id", "%2"),
        ev("10:00", "task_claimed").task("001").pane("Backend"),
        ev("10:10", "task_done").task("003").pane("Frontend"),
        ev("10:10", "agent_state").pane("Frontend").with("state", "idle"),
        ev("10:20", "task_done").task("001").pane("Backend"),
        ev("10:20", "task_dispatched").task("002").pane("Backend").with("pane_id", "%1"),
        ev("10:50", "task_done").task("002").pane("Backend"),
        ev("10:50", "milestone_validating").milestone("M1").with("round", 1),
        ev("10:50", "validation_dispatched")
            .milestone("M1")
            .pane("Validator")
            .with("round", 1)
            .with("assertions", vec!["VAL-AUTH-001"]),
        ev("10:55", "assertion_reported")
            .assertion("VAL-AUTH-001")
            .with("status", "failing")
            .with("reporter", "Validator"),
        ev("10:55", "milestone_validation_failed")
            .milestone("M1")
            .with("failing", vec!["VAL-AUTH-001"]),
        ev("10:55", "remediation_created").task("004").milestone("M1").assertion("VAL-AUTH-001"),
        ev("10:55", "task_dispatched").task("004").pane("Backend").with("pane_id", "%1"),
        ev("11:05", "task_done").task("004").pane("Backend"),
        ev("11:05", "milestone_validating").milestone("M1").with("round", 2),
        ev("11:05", "validation_dispatched")
            .milestone("M1")
            .pane("Validator")
            .with("round", 2)
            .with("assertions", vec!["VAL-AUTH-001"]),
        ev("11:10", "assertion_reported")
            .assertion("VAL-AUTH-001")
            .with("status", "passing")
            .with("reporter", "Validator"),
        ev("11:10", "milestone_done").milestone("M1"),
        ev("11:10", "milestone_activated").milestone("M2"),
        ev("11:10", "task_dispatched").task("005").pane("Backend").with("pane_id", "%1"),
        ev("11:10", "prompt_delivered").task("005").pane("Backend").with("pane_id", "%1"),
        ev("11:12", "task_cancelled").task("010"),
        ev("11:25", "stall_detected").task("005").pane("Backend"),
        ev("11:25", "lead_notified").pane("Lead").with("text", "005 looks stalled"),
    ]
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
