//! Restart recovery, made deterministic: a store that says work was handed out while the
//! event log (and the pane) never saw it — what a crash between the store write and the
//! paste leaves. The restarted orchestrator must send that work exactly once.
use std::time::Duration;

use serde_json::Value;

use crate::common::{TestProject, TmuxServer, bin, wait_for};

fn project_with_sims() -> TestProject {
    let p = TestProject::new();
    let sim = format!("'{}' agent sim --work-ms 100", bin().display());
    p.write(
        "ide.yml",
        &format!(
            "name: recovery\nrows:\n  - panes:\n      - title: Worker\n        role: teammate\n        \
             agent: sim\n        command: {sim:?}\n      - title: Validator\n        role: validator\n        \
             agent: sim\n        command: {sim:?}\n\
             orchestrator:\n  enabled: true\n  poll_interval: 200\n"
        ),
    );
    p.write(".tasks/validation-contract.md", "## Area\n- **VAL-A-001**: it works\n");
    p.ok(&["mission", "set", "Recovery"]);
    p.ok(&["milestone", "create", "Only", "--sequence", "1"]);
    p.ok(&["task", "create", "First", "--milestone", "M1", "--fulfills", "VAL-A-001"]);
    p.ok(&["task", "create", "Second", "--milestone", "M1"]);
    p.ok(&["mission", "plan-complete"]);
    p
}

/// Edits tasks.json as a crashed orchestrator would have left it (no events written).
fn edit_plan(p: &TestProject, edit: impl FnOnce(&mut Value)) {
    let mut plan: Value = serde_json::from_str(&p.read(".tasks/tasks.json")).unwrap();
    edit(&mut plan);
    p.write(".tasks/tasks.json", &serde_json::to_string_pretty(&plan).unwrap());
}

fn events(p: &TestProject) -> Vec<Value> {
    p.read(".tasks/events.jsonl").lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn run_to_completion(p: &TestProject, tmux: &TmuxServer) -> Vec<Value> {
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    wait_for("the mission to complete", Duration::from_secs(30), || {
        let plan: Value = serde_json::from_str(&p.read(".tasks/tasks.json")).ok()?;
        (plan["mission"]["status"] == "complete").then_some(())
    });
    events(p)
}

fn count(events: &[Value], kind: &str, task: &str) -> usize {
    events.iter().filter(|e| e["type"] == kind && e["task"] == task).count()
}

#[test]
fn a_task_assigned_before_a_crash_but_never_sent_is_sent_once_on_restart() {
    let p = project_with_sims();
    edit_plan(&p, |plan| {
        let task = &mut plan["tasks"][0];
        task["status"] = "in_progress".into();
        task["assignee"] = "Worker".into();
        task["started"] = "2026-01-01T00:00:00Z".into();
    });
    let tmux = TmuxServer::new();
    let events = run_to_completion(&p, &tmux);
    let dispatched: Vec<&Value> =
        events.iter().filter(|e| e["type"] == "task_dispatched" && e["task"] == "001").collect();
    assert_eq!(dispatched.len(), 1, "{dispatched:?}");
    assert_eq!(dispatched[0]["recovered"], true);
    assert_eq!(count(&events, "prompt_redelivering", "001"), 1);
    assert_eq!(count(&events, "prompt_delivered", "001"), 1);
    assert_eq!(count(&events, "task_done", "001"), 1);
    assert_eq!(count(&events, "task_dispatched", "002"), 1);
}

#[test]
fn a_validation_round_handed_out_before_a_crash_but_never_sent_is_sent_on_restart() {
    let p = project_with_sims();
    edit_plan(&p, |plan| {
        for task in plan["tasks"].as_array_mut().unwrap() {
            task["status"] = "done".into();
            task["assignee"] = "Worker".into();
        }
        let m = &mut plan["milestones"][0];
        m["status"] = "validating".into();
        m["validation"] = serde_json::json!({
            "round": 1, "started": "2026-01-01T00:00:00Z", "pane": "Validator",
            "assertions": ["VAL-A-001"]
        });
    });
    let tmux = TmuxServer::new();
    let events = run_to_completion(&p, &tmux);
    let rounds: Vec<&Value> =
        events.iter().filter(|e| e["type"] == "validation_dispatched").collect();
    assert_eq!(rounds.len(), 1, "{rounds:?}");
    assert_eq!(rounds[0]["recovered"], true);
    let reported: Vec<&Value> =
        events.iter().filter(|e| e["type"] == "assertion_reported").collect();
    assert_eq!(reported.len(), 1, "the validator ran the round once: {reported:?}");
    assert_eq!(reported[0]["pane"], "Validator");
}
