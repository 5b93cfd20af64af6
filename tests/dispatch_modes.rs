//! `orchestrator.dispatch_mode`: `missions` (the default, and what the template writes) and
//! `tasks` (a plain queue) are accepted, `goals` is refused by name; a queue of simulated
//! agents in real tmux works through tasks without a mission, milestones or validation.
use std::time::Duration;

use serde_json::Value;

use crate::common::{TestProject, TmuxServer, bin};

fn layout(mode: &str) -> String {
    format!("rows:\n  - panes:\n      - title: A\norchestrator:\n  dispatch_mode: {mode}\n")
}

#[test]
fn missions_and_tasks_are_accepted_and_goals_is_refused_by_name() {
    for mode in ["missions", "tasks"] {
        let p = TestProject::new();
        p.write("ide.yml", &layout(mode));
        p.ok(&["config", "validate"]);
    }
    let p = TestProject::new();
    p.write("ide.yml", &layout("goals"));
    let out = p.run(&["config", "validate"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let first = err.lines().next().unwrap_or_default();
    assert!(
        first.ends_with(
            "ide.yml: orchestrator.dispatch_mode: dispatch_mode goals is not implemented yet (allowed: missions, tasks)"
        ),
        "{err}"
    );
    p.write("ide.yml", &layout("mision"));
    let out = p.run(&["config", "validate"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("is not one of missions, tasks (did you mean `missions`?)"), "{err}");
}

#[test]
fn the_missions_template_writes_missions() {
    let p = TestProject::new();
    p.ok(&["init", "--template", "missions"]);
    assert!(p.read("ide.yml").contains("\n  dispatch_mode: missions"), "{}", p.read("ide.yml"));
    p.ok(&["config", "validate"]);
}

fn events(p: &TestProject) -> Vec<Value> {
    let text = std::fs::read_to_string(p.path().join(".tasks/events.jsonl")).unwrap_or_default();
    text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

fn plan(p: &TestProject) -> Value {
    serde_json::from_str(&p.read(".tasks/tasks.json")).unwrap()
}

#[test]
fn a_queue_of_sim_agents_finishes_every_task_without_a_mission_or_validation() {
    let p = TestProject::new();
    let tmux = TmuxServer::new();
    let sim = format!("'{} agent sim --work-ms 100'", bin().display());
    let mut yml = String::from(
        "name: queue\nrows:\n  - panes:\n      - title: Lead\n        role: lead\n        command: cat\n",
    );
    for (title, role, specialty) in [
        ("Backend", "teammate", "backend"),
        ("Frontend", "teammate", "frontend"),
        ("Validator", "validator", ""),
    ] {
        yml.push_str(&format!("      - title: {title}\n        role: {role}\n"));
        if !specialty.is_empty() {
            yml.push_str(&format!("        specialty: {specialty}\n"));
        }
        yml.push_str(&format!("        agent: sim\n        command: {sim}\n"));
    }
    yml.push_str("orchestrator:\n  enabled: true\n  dispatch_mode: tasks\n  poll_interval: 250\n");
    p.write("ide.yml", &yml);
    // A locked milestone (no mission was ever planned) and tasks outside any milestone.
    p.ok(&["milestone", "create", "Later", "--sequence", "1"]);
    p.ok(&["task", "create", "API", "--specialty", "backend"]);
    p.ok(&["task", "create", "Page", "--specialty", "frontend", "--depends", "001"]);
    p.ok(&["task", "create", "Schema", "--milestone", "M1", "--specialty", "backend"]);
    p.ok(&["task", "create", "Docs", "--priority", "1"]);
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();

    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while plan(&p)["tasks"].as_array().unwrap().iter().any(|t| t["status"] != "done") {
        if std::time::Instant::now() > deadline {
            let log: Vec<String> = events(&p).iter().map(Value::to_string).collect();
            panic!("not every task got done:\n{}\n{}", plan(&p), log.join("\n"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let events = events(&p);
    let of = |kind: &str| events.iter().filter(|e| e["type"] == kind).collect::<Vec<_>>();
    let dispatched = of("task_dispatched");
    let mut ids: Vec<&str> = dispatched.iter().map(|e| e["task"].as_str().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, ["001", "002", "003", "004"], "each task once");
    for e in &dispatched {
        assert!(["Backend", "Frontend"].contains(&e["pane"].as_str().unwrap()), "{e}");
    }
    let position = |pred: &dyn Fn(&Value) -> bool| events.iter().position(pred).unwrap();
    let api_done = position(&|e| e["type"] == "task_done" && e["task"] == "001");
    let page_out = position(&|e| e["type"] == "task_dispatched" && e["task"] == "002");
    assert!(api_done < page_out, "002 depends on 001");
    for kind in
        ["validation_dispatched", "milestone_validating", "milestone_done", "mission_complete"]
    {
        assert!(of(kind).is_empty(), "a queue has no {kind}: {:?}", of(kind));
    }
    assert_eq!(plan(&p)["milestones"][0]["status"], "locked");
}
