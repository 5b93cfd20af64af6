//! `fresh_context` in real tmux with simulated agents: the orchestrator types the
//! profile's clear command and waits for the ready screen before each task prompt, and
//! a validation round starts fresh by default; without the setting a worker's tasks
//! follow each other in one conversation. Codex's fake gets `/new`.
use serde_json::{Value, json};

use crate::common::fake::{Team, Worker};
use crate::common::{TestProject, TmuxServer, bin, wait_for};

fn events(p: &TestProject) -> Vec<Value> {
    let text = std::fs::read_to_string(p.path().join(".tasks/events.jsonl")).unwrap_or_default();
    text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

/// A worker and a validator (both the sim), two tasks and one assertion, running.
/// `worker` is added to the Worker pane's ide.yml entry, `agents` to ide.yml.
fn mission(worker: &str, agents: &str) -> (TestProject, TmuxServer) {
    let p = TestProject::new();
    let tmux = TmuxServer::new();
    let sim = format!("'{} agent sim --work-ms 50'", bin().display());
    p.write(
        "ide.yml",
        &format!(
            "name: fresh\nrows:\n  - panes:\n      - {{title: Lead, role: lead, command: cat}}\n      \
             - {{title: Worker, role: teammate, agent: sim, command: {sim}{worker}}}\n      \
             - {{title: Validator, role: validator, agent: sim, command: {sim}}}\n\
             orchestrator:\n  enabled: true\n  poll_interval: 250\n{agents}"
        ),
    );
    p.write(".tasks/validation-contract.md", "## Area\n- **VAL-A-001**: it works\n");
    p.ok(&["mission", "set", "Fresh", "--description", "a clean context per task"]);
    p.ok(&["milestone", "create", "Only", "--sequence", "1"]);
    p.ok(&["task", "create", "First", "--milestone", "M1", "--fulfills", "VAL-A-001"]);
    p.ok(&["task", "create", "Second", "--milestone", "M1", "--depends", "001"]);
    p.ok(&["mission", "plan-complete"]);
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    (p, tmux)
}

fn wait_complete(p: &TestProject) -> Vec<Value> {
    wait_for("mission_complete", std::time::Duration::from_secs(60), || {
        let all = events(p);
        all.iter().any(|e| e["type"] == "mission_complete").then_some(all)
    })
}

/// The kinds of `pane`'s clear and delivery events, in log order.
fn deliveries(events: &[Value], pane: &str) -> Vec<String> {
    let kinds = ["context_cleared", "prompt_delivered"];
    events
        .iter()
        .filter(|e| e["pane"] == pane && kinds.contains(&e["type"].as_str().unwrap_or("")))
        .map(|e| format!("{} {}", e["type"].as_str().unwrap(), e["task"].as_str().unwrap_or("-")))
        .collect()
}

#[test]
fn fresh_context_clears_before_each_task_prompt_and_before_validation() {
    let (p, tmux) = mission("", "agents:\n  sim: {fresh_context: true}\n");
    let events = wait_complete(&p);
    assert_eq!(
        deliveries(&events, "Worker"),
        [
            "context_cleared 001",
            "prompt_delivered 001",
            "context_cleared 002",
            "prompt_delivered 002"
        ],
        "{events:#?}"
    );
    assert_eq!(deliveries(&events, "Validator"), ["context_cleared -", "prompt_delivered -"]);
    for e in events.iter().filter(|e| e["type"] == "context_cleared") {
        assert_eq!(e["command"], "/clear", "{e}");
        assert_eq!(e["ready"], true, "the sim's ready prompt came back: {e}");
    }
    // The sim saw the command on its own line, before the prompt.
    let worker = tmux.pane_titled("Worker").unwrap();
    let screen = tmux.tmux_ok(&["capture-pane", "-p", "-J", "-S", "-200", "-t", &worker]);
    let cleared = screen.find("context cleared").unwrap_or_else(|| panic!("{screen}"));
    assert!(cleared < screen.find("working on task 001").unwrap_or(usize::MAX), "{screen}");
}

#[test]
fn without_fresh_context_tasks_share_a_conversation_and_an_opted_out_validator_too() {
    let (p, _tmux) = mission("", "agents:\n  sim: {fresh_validation: false}\n");
    let events = wait_complete(&p);
    assert_eq!(deliveries(&events, "Worker"), ["prompt_delivered 001", "prompt_delivered 002"]);
    assert_eq!(deliveries(&events, "Validator"), ["prompt_delivered -"]);
}

#[test]
fn a_panes_own_fresh_context_outranks_its_profiles() {
    let (p, _tmux) = mission(", fresh_context: true", "");
    let events = wait_complete(&p);
    let worker = deliveries(&events, "Worker");
    assert_eq!(worker.iter().filter(|k| k.starts_with("context_cleared")).count(), 2, "{worker:?}");
    let (p, _tmux) = mission(", fresh_context: false", "agents:\n  sim: {fresh_context: true}\n");
    let events = wait_complete(&p);
    assert_eq!(deliveries(&events, "Worker"), ["prompt_delivered 001", "prompt_delivered 002"]);
}

#[test]
fn a_codex_worker_gets_new_before_each_task_and_its_notify_names_its_own_pane() {
    let workers = [
        Worker { title: "Codex", agent: "codex", flags: "--style codex" },
        Worker { title: "Claude", agent: "claude", flags: "--style claude" },
    ];
    let agents = "agents:\n  codex: {fresh_context: true}\n";
    let team = Team::start(&workers, &["Task A", "Task B"], agents, 300_000);
    team.wait_all_done(&["001", "002"], 40);
    let codex_task = team.of_type("task_dispatched").into_iter().find(|e| e["pane"] == "Codex");
    let task = codex_task.expect("a task went to Codex")["task"].clone();
    let cleared = team.wait_event("context_cleared", 5, |e| e["pane"] == "Codex");
    assert_eq!(
        (&cleared["command"], &cleared["ready"], &cleared["task"]),
        (&json!("/new"), &json!(true), &task)
    );
    assert!(
        team.of_type("context_cleared").iter().all(|e| e["pane"] == "Codex"),
        "Claude's profile did not ask"
    );
    let codex = team.pane("Codex");
    let idle = team
        .wait_event("agent_state", 10, |e| e["pane_id"] == codex.as_str() && e["state"] == "idle");
    assert_eq!(idle["pane"], "Codex");
}

#[test]
fn a_clear_command_of_more_than_one_line_is_refused_and_the_keys_are_known() {
    let p = TestProject::new();
    let pane = "rows:\n  - panes:\n      - {title: A, fresh_context: true}\n";
    p.write(
        "ide.yml",
        &format!("{pane}agents:\n  sim: {{clear_command: \"/clear\\nrm -rf x\"}}\n"),
    );
    let out = p.run(&["config", "validate"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let first = err.lines().next().unwrap_or_default();
    assert!(first.contains("agents.sim.clear_command: must be one line"), "{err}");
    p.write(
        "ide.yml",
        &format!("{pane}agents:\n  sim: {{clear_command: /reset, fresh_context: true, fresh_validation: false}}\n"),
    );
    p.ok(&["config", "validate"]);
}
