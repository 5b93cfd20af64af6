//! The seed's Auth v2 walkthrough, verbatim: contract, every Phase 2 command, coverage,
//! plan-complete, assertions and the validation report.
use crate::common::TestProject;

pub const AUTH_V2_CONTRACT: &str = include_str!("fixtures/contracts/auth-v2.md");

/// Phase 2 of the seed, command for command.
pub fn plan_auth_v2(p: &TestProject) {
    p.write(".tasks/validation-contract.md", AUTH_V2_CONTRACT);
    p.ok(&[
        "mission",
        "set",
        "Auth v2",
        "--description",
        "JWT login, token refresh, route protection, and full test coverage",
    ]);
    p.ok(&["milestone", "create", "Foundation", "--sequence", "1"]);
    p.ok(&["milestone", "create", "Implementation", "--sequence", "2"]);
    p.ok(&["milestone", "create", "Validation & Polish", "--sequence", "3"]);
    #[rustfmt::skip]
    let tasks: [&[&str]; 8] = [
        &["Set up auth database schema", "--milestone", "M1", "--specialty", "backend",
          "--priority", "1", "--goal", "Establish the data layer for auth"],
        &["Create JWT utility functions", "--milestone", "M1", "--specialty", "backend",
          "--priority", "2", "--fulfills", "VAL-AUTH-001,VAL-AUTH-003",
          "--goal", "Token creation and validation helpers"],
        &["Build login endpoint", "--milestone", "M2", "--specialty", "backend",
          "--priority", "1", "--fulfills", "VAL-AUTH-001,VAL-AUTH-002",
          "--goal", "POST /api/auth/login with JWT response", "--depends", "001,002"],
        &["Build refresh endpoint", "--milestone", "M2", "--specialty", "backend",
          "--priority", "2", "--fulfills", "VAL-AUTH-003",
          "--goal", "POST /api/auth/refresh with token rotation", "--depends", "002"],
        &["Add route protection middleware", "--milestone", "M2", "--specialty", "backend",
          "--priority", "3", "--fulfills", "VAL-AUTH-004",
          "--goal", "Middleware that rejects expired or missing JWTs"],
        &["Build login page", "--milestone", "M2", "--specialty", "frontend",
          "--priority", "2", "--goal", "Login form that calls the auth API"],
        &["Write unit tests for auth service", "--milestone", "M3", "--specialty", "backend",
          "--priority", "1", "--fulfills", "VAL-TEST-001",
          "--goal", "Unit test coverage for all auth functions"],
        &["Write integration tests for auth flow", "--milestone", "M3", "--specialty", "backend",
          "--priority", "2", "--fulfills", "VAL-TEST-002",
          "--goal", "End-to-end login, refresh, and logout test", "--depends", "007"],
    ];
    for (i, args) in tasks.iter().enumerate() {
        let mut argv = vec!["task", "create"];
        argv.extend_from_slice(args);
        let out = p.ok(&argv);
        assert_eq!(out, format!("Created task {:03}\n", i + 1));
    }
}

fn json(p: &TestProject, args: &[&str]) -> serde_json::Value {
    let mut argv = vec!["--json"];
    argv.extend_from_slice(args);
    serde_json::from_str(&p.ok(&argv)).unwrap()
}

#[test]
fn the_seed_walkthrough_prints_the_seed_coverage_report() {
    let p = TestProject::new();
    plan_auth_v2(&p);
    insta::assert_snapshot!(p.ok(&["validate", "coverage"]), @r"
    Validation Coverage Report
    ──────────────────────────
    VAL-AUTH-001 ✓ Covered by: 002, 003
    VAL-AUTH-002 ✓ Covered by: 003
    VAL-AUTH-003 ✓ Covered by: 002, 004
    VAL-AUTH-004 ✓ Covered by: 005
    VAL-TEST-001 ✓ Covered by: 007
    VAL-TEST-002 ✓ Covered by: 008
    Coverage: 6/6 assertions covered (100%)
    ");
}

#[test]
fn an_uncovered_assertion_fails_coverage_and_blocks_plan_complete() {
    let p = TestProject::new();
    plan_auth_v2(&p);
    let extra = "- **VAL-AUTH-005**: Logout revokes the refresh token\n";
    p.write(".tasks/validation-contract.md", &format!("{AUTH_V2_CONTRACT}{extra}"));
    let out = p.run(&["validate", "coverage"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.ends_with("VAL-AUTH-005 ✗ Not covered\nCoverage: 6/7 assertions covered (86%)\n"),
        "{text}"
    );

    let before = p.read(".tasks/tasks.json");
    let out = p.run(&["mission", "plan-complete"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("VAL-AUTH-005 is not covered by any task"), "{err}");
    assert_eq!(p.read(".tasks/tasks.json"), before);
    assert_eq!(json(&p, &["mission", "show"])["status"], "planning");
}

#[test]
fn plan_complete_activates_the_mission_and_the_first_milestone_only() {
    let p = TestProject::new();
    plan_auth_v2(&p);
    p.ok(&["mission", "plan-complete"]);
    assert_eq!(json(&p, &["mission", "show"])["status"], "active");
    let statuses: Vec<(String, String)> = json(&p, &["milestone", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["id"].as_str().unwrap().into(), m["status"].as_str().unwrap().into()))
        .collect();
    let want = [("M1", "active"), ("M2", "locked"), ("M3", "locked")];
    assert_eq!(statuses, want.map(|(a, b)| (a.to_string(), b.to_string())));
    let again = p.run(&["mission", "plan-complete"]);
    assert_eq!(again.status.code(), Some(1));
}

#[test]
fn four_assertions_give_the_seed_validation_report_for_m2() {
    let p = TestProject::new();
    plan_auth_v2(&p);
    p.ok(&["mission", "plan-complete"]);
    for (id, status, evidence) in [
        ("VAL-AUTH-001", "passing", "Login returns JWT on valid creds"),
        ("VAL-AUTH-002", "passing", "Invalid creds return 401"),
        ("VAL-AUTH-003", "failing", "Refresh token not rotated"),
        ("VAL-AUTH-004", "passing", "Expired JWT returns 403"),
    ] {
        p.ok(&["validate", "assert", id, "--status", status, "--evidence", evidence]);
    }
    insta::assert_snapshot!(p.ok(&["validate", "report", "--milestone", "M2"]), @r"
    Validation Report
    ─────────────────
    Milestone: M2 — Implementation
    VAL-AUTH-001 ✓ passing Login returns JWT on valid creds
    VAL-AUTH-002 ✓ passing Invalid creds return 401
    VAL-AUTH-003 ✗ failing Refresh token not rotated
    VAL-AUTH-004 ✓ passing Expired JWT returns 403
    Status: 3/4 passing — remediation in progress
    ");
    let events = p.read(".tasks/events.jsonl");
    assert_eq!(events.lines().filter(|l| l.contains("\"assertion_reported\"")).count(), 4);
}

#[test]
fn the_report_states_pending_and_all_passing_milestones() {
    let p = TestProject::new();
    plan_auth_v2(&p);
    p.ok(&["validate", "assert", "VAL-TEST-001", "--status", "passing", "--evidence", "92% lines"]);
    insta::assert_snapshot!(p.ok(&["validate", "report", "--all"]), @r"
    Validation Report
    ─────────────────
    Milestone: M1 — Foundation
    Status: 0/0 passing — no assertions are checked at this milestone

    Milestone: M2 — Implementation
    VAL-AUTH-001 ○ pending POST /api/auth/login returns a JWT on valid credentials
    VAL-AUTH-002 ○ pending POST /api/auth/login returns 401 on invalid credentials
    VAL-AUTH-003 ○ pending POST /api/auth/refresh returns a new access token given a…
    VAL-AUTH-004 ○ pending Protected routes return 403 when the JWT is expired
    Status: 0/4 passing — 4 pending

    Milestone: M3 — Validation & Polish
    VAL-TEST-001 ✓ passing 92% lines
    VAL-TEST-002 ○ pending Integration tests exercise the full login-refresh-logout…
    Status: 1/2 passing — 1 pending
    ");
    p.ok(&["validate", "assert", "VAL-TEST-002", "--status", "passing", "--evidence", "flow ok"]);
    let out = p.ok(&["validate", "report", "--milestone", "M3"]);
    assert!(out.ends_with("Status: 2/2 passing — all passing\n"), "{out}");
}

#[test]
fn task_list_shows_blocked_tasks_and_what_blocks_them() {
    let p = TestProject::new();
    plan_auth_v2(&p);
    insta::assert_snapshot!(p.ok(&["task", "list"]), @r"
    ID   STATUS               PRI  MILESTONE  SPECIALTY  ASSIGNEE  TITLE
    001  todo                 1    M1         backend    -         Set up auth database schema
    002  todo                 2    M1         backend    -         Create JWT utility functions
    003  blocked by 001, 002  1    M2         backend    -         Build login endpoint
    004  blocked by 002       2    M2         backend    -         Build refresh endpoint
    005  todo                 3    M2         backend    -         Add route protection middleware
    006  todo                 2    M2         frontend   -         Build login page
    007  todo                 1    M3         backend    -         Write unit tests for auth service
    008  blocked by 007       2    M3         backend    -         Write integration tests for auth flow
    ");
    let list = json(&p, &["task", "list"]);
    let first = &list[0];
    assert_eq!(first["id"], "001");
    assert_eq!(first["title"], "Set up auth database schema");
    assert_eq!(first["status"], "todo");
    assert_eq!(first["milestone"], "M1");
    assert_eq!(first["priority"], 1);
    assert_eq!(list[2]["blocked_by"], serde_json::json!(["001", "002"]));
}
