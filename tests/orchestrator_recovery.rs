//! Restart recovery, made deterministic: a store that says work was handed out while the
//! event log (and the pane) never saw it — what a crash between the store write and the
//! paste leaves. The restarted orchestrator must send that work exactly once. Times are
//! written as the program writes them: nanoseconds in tasks.json, milliseconds in the log.
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

use crate::common::{TestProject, TmuxServer, bin, wait_for};

/// A realistic start time, just now: as the plan keeps it (nanoseconds), and as the log
/// keeps it (rounded to the millisecond: here down, so the log's time is the earlier).
fn started() -> (String, String) {
    let ms = jiff::Timestamp::now().as_millisecond();
    let at_ms = jiff::Timestamp::from_millisecond(ms).unwrap();
    let ns = at_ms + jiff::SignedDuration::from_nanos(456_789);
    (format!("{ns:.9}"), format!("{at_ms:.3}"))
}

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
        task["started"] = started().0.into();
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
            "round": 1, "started": started().0, "pane": "Validator",
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

/// Appends raw lines to the event log, as a crashed orchestrator would have left them.
fn append_log(p: &TestProject, lines: &[String]) {
    let mut log = p.read(".tasks/events.jsonl");
    for l in lines {
        log.push_str(l);
        log.push('\n');
    }
    p.write(".tasks/events.jsonl", &log);
}

#[test]
fn a_validation_round_logged_before_a_crash_is_resent_but_not_logged_twice() {
    let p = project_with_sims();
    let (started_ns, started_ms) = started();
    edit_plan(&p, |plan| {
        for task in plan["tasks"].as_array_mut().unwrap() {
            task["status"] = "done".into();
            task["assignee"] = "Worker".into();
        }
        let m = &mut plan["milestones"][0];
        m["status"] = "validating".into();
        m["validation"] = serde_json::json!({
            "round": 1, "started": started_ns, "pane": "Validator", "assertions": ["VAL-A-001"]
        });
    });
    // The round's events made it to the log; the paste did not happen.
    append_log(
        &p,
        &[
            format!(
                r#"{{"ts":"{started_ms}","type":"milestone_validating","milestone":"M1","round":1}}"#
            ),
            format!(
                r#"{{"ts":"{started_ms}","type":"validation_dispatched","milestone":"M1","pane":"Validator","pane_id":"%9","round":1,"assertions":["VAL-A-001"]}}"#
            ),
        ],
    );
    let tmux = TmuxServer::new();
    let events = run_to_completion(&p, &tmux);
    let rounds: Vec<&Value> =
        events.iter().filter(|e| e["type"] == "validation_dispatched").collect();
    assert_eq!(rounds.len(), 1, "the logged round was logged again: {rounds:?}");
    let resent = events
        .iter()
        .filter(|e| e["type"] == "prompt_redelivering" && e["pane"] == "Validator")
        .count();
    assert_eq!(resent, 1);
}

#[test]
fn a_corrupt_line_in_the_log_is_warned_about_and_the_orchestrator_runs_on() {
    let p = project_with_sims();
    p.write("ide.yml", &p.read("ide.yml").replace("enabled: true", "enabled: false"));
    append_log(&p, &["{not an event".to_string()]);
    p.ok(&["task", "create", "Third", "--milestone", "M1"]);
    let tmux = TmuxServer::new();
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    let mut cmd = p.std_cmd();
    let run = cmd
        .args(["--tmux-socket", &tmux.socket, "orchestrator", "run", "--exit-when-complete"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = run.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("corrupt event"), "no warning: {stderr}");
    let plan: Value = serde_json::from_str(&p.read(".tasks/tasks.json")).unwrap();
    assert_eq!(plan["mission"]["status"], "complete");
}
