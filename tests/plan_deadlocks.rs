//! Plans that could never finish are refused where they are made: a dependency on a later
//! milestone, a claim before the task could be dispatched, a claim by a pane that does not
//! exist.
use crate::common::TestProject;
use crate::store_seed::plan_auth_v2;

const LAYOUT: &str =
    "name: deadlocks\nrows:\n  - panes:\n      - {title: Lead}\n      - {title: Backend}\n";

/// The error line of a command that must fail with `code` (a `hint:` line may follow).
fn fails(p: &TestProject, args: &[&str], code: i32) -> String {
    let out = p.run(args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
    assert!(err.lines().skip(1).all(|l| l.starts_with("hint: ")), "{args:?}: {err}");
    format!("{}\n", err.lines().next().unwrap_or(""))
}

#[test]
fn a_dependency_on_a_later_milestone_is_refused_and_reported_by_plan_complete_and_doctor() {
    let p = TestProject::new();
    plan_auth_v2(&p);
    let err = fails(&p, &["task", "update", "002", "--depends", "008"], 2);
    assert_eq!(
        err,
        "error: task 002 (M1) cannot depend on 008 (M3): a task can depend only on tasks in \
         its own or an earlier milestone\n"
    );
    let err = fails(&p, &["task", "create", "Early", "--milestone", "M1", "--depends", "007"], 2);
    assert!(err.contains("task 009 (M1) cannot depend on 007 (M3)"), "{err}");
    assert!(!p.ok(&["task", "list"]).contains("Early"));
    // A plan written by hand (or by an older version) is caught before it starts.
    let text = p.read(".tasks/tasks.json");
    let mut plan: serde_json::Value = serde_json::from_str(&text).unwrap();
    plan["tasks"][1]["depends"] = serde_json::json!(["008"]);
    p.write(".tasks/tasks.json", &serde_json::to_string_pretty(&plan).unwrap());
    let err = fails(&p, &["mission", "plan-complete"], 1);
    assert!(err.contains("task 002 (M1) cannot depend on 008 (M3)"), "{err}");
    p.write("ide.yml", LAYOUT);
    let doctor = String::from_utf8(p.run(&["doctor"]).stdout).unwrap();
    assert!(
        doctor.lines().any(|l| l.starts_with("fail  plan: task 002 (M1) cannot depend on 008")),
        "{doctor}"
    );
}

#[test]
fn a_claim_waits_for_an_active_milestone_and_done_dependencies_by_a_pane_of_the_layout() {
    let p = TestProject::new();
    p.write("ide.yml", LAYOUT);
    plan_auth_v2(&p);
    let err = fails(&p, &["task", "claim", "001", "--pane", "Backend"], 2);
    assert!(err.contains("task 001 is in milestone M1, which is locked"), "{err}");
    p.ok(&["mission", "plan-complete"]);
    let err = fails(&p, &["task", "claim", "003", "--pane", "Backend"], 2);
    assert!(err.contains("task 003 is in milestone M2, which is locked"), "{err}");
    let err = fails(&p, &["task", "claim", "001", "--pane", "Nobody"], 2);
    assert_eq!(err, "error: --pane \"Nobody\": no such pane (panes in ide.yml: Lead, Backend)\n");
    p.ok(&["task", "claim", "001", "--pane", "Backend"]);
    p.ok(&["task", "done", "001", "--proof", "p"]);
    p.ok(&["task", "claim", "002", "--pane", "Backend"]);
    p.ok(&["task", "done", "002", "--proof", "p"]);
    let tasks = p.ok(&["task", "list"]);
    assert!(!tasks.contains("in_progress"), "{tasks}");
}
