//! Research triggers in real tmux with simulated agents: they fire as configured (mission
//! start, every N done tasks, milestone done), wait out their cooldowns, go to the
//! researcher pane with their findings in research-findings.md, and never take the last
//! idle worker.
use std::time::Duration;

use serde_json::Value;

use crate::common::{TestProject, TmuxServer, bin, wait_for};

/// A lead that collects notices, the given worker panes (title, role, specialty, work
/// ms), a validator, and `research` under `orchestrator`. M1 has four tasks, M2 three.
fn start(workers: &[(&str, &str, &str, u64)], research: &str) -> (TestProject, TmuxServer) {
    let p = TestProject::new();
    let sim = |ms: u64| format!("'{}' agent sim --work-ms {ms}", bin().display());
    let mut yml = String::from(
        "name: research\nrows:\n  - panes:\n      - title: Lead\n        role: lead\n        command: cat\n",
    );
    for (title, role, specialty, ms) in workers {
        yml.push_str(&format!("      - title: {title}\n        role: {role}\n"));
        if !specialty.is_empty() {
            yml.push_str(&format!("        specialty: {specialty}\n"));
        }
        yml.push_str(&format!("        agent: sim\n        command: {:?}\n", sim(*ms)));
    }
    yml.push_str(&format!(
        "      - title: Validator\n        role: validator\n        agent: sim\n        command: {:?}\n",
        sim(100)
    ));
    yml.push_str(&format!(
        "orchestrator:\n  enabled: true\n  poll_interval: 200\n  research:\n{research}"
    ));
    p.write("ide.yml", &yml);
    p.write(".tasks/validation-contract.md", "## A\n- **VAL-A-001**: one\n- **VAL-A-002**: two\n");
    p.ok(&["mission", "set", "Research run"]);
    p.ok(&["milestone", "create", "One", "--sequence", "1"]);
    p.ok(&["milestone", "create", "Two", "--sequence", "2"]);
    for i in 1..=4 {
        let mut args =
            vec!["task", "create", "M1 work", "--milestone", "M1", "--specialty", "backend"];
        if i == 4 {
            args.extend(["--fulfills", "VAL-A-001"]);
        }
        p.ok(&args);
    }
    for i in 1..=3 {
        let mut args =
            vec!["task", "create", "M2 work", "--milestone", "M2", "--specialty", "backend"];
        if i == 3 {
            args.extend(["--fulfills", "VAL-A-002"]);
        }
        p.ok(&args);
    }
    p.ok(&["mission", "plan-complete"]);
    let tmux = TmuxServer::new();
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    wait_for("the mission to complete", Duration::from_secs(120), || {
        let plan: Value = serde_json::from_str(&p.read(".tasks/tasks.json")).ok()?;
        (plan["mission"]["status"] == "complete").then_some(())
    });
    (p, tmux)
}

fn of_type(p: &TestProject, kind: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(p.path().join(".tasks/events.jsonl")).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["type"] == kind)
        .collect()
}

#[test]
fn research_triggers_fire_as_configured_and_wait_out_their_cooldowns() {
    // tasks_done every 2 with an hour's cooldown: once, though 7 tasks get done.
    let research = "    enabled: true\n    tasks_done: {every: 2, cooldown: 3600000}\n";
    let (p, _tmux) = start(
        &[("Backend", "teammate", "backend", 400), ("Researcher", "researcher", "", 100)],
        research,
    );
    let fired = of_type(&p, "research_triggered");
    let triggers: Vec<&str> = fired.iter().map(|e| e["trigger"].as_str().unwrap()).collect();
    assert_eq!(triggers, ["mission_start", "tasks_done", "milestone_done"], "{fired:#?}");
    assert_eq!(fired[1]["milestone"], "M1");
    assert!(fired[1]["done"].as_u64().unwrap() >= 2, "{fired:#?}");
    assert_eq!(fired[2]["milestone"], "M1");
    assert!(fired.iter().all(|e| e["pane"] == "Researcher"));
    // Each research task went to the researcher, was done there, and its summary is in
    // research-findings.md; never two open at once (each done before the next fired).
    let findings = p.read(".tmux-ide/library/research-findings.md");
    let dispatched = of_type(&p, "task_dispatched");
    let done = of_type(&p, "task_done");
    for e in &fired {
        let task = e["task"].as_str().unwrap();
        let to: Vec<&Value> = dispatched.iter().filter(|d| d["task"] == task).collect();
        assert_eq!(to.len(), 1, "{to:#?}");
        assert_eq!(to[0]["pane"], "Researcher");
        assert!(findings.contains(&format!("## Task {task} — Research: ")), "{findings}");
    }
    let seq = |e: &Value| e["seq"].as_u64().unwrap();
    for pair in fired.windows(2) {
        let first_done = done.iter().find(|d| d["task"] == pair[0]["task"]).unwrap();
        assert!(seq(first_done) < seq(&pair[1]), "a research task started while one was open");
    }
    // Regular work never went to the researcher while a backend pane exists.
    let research_ids: Vec<&str> = fired.iter().map(|e| e["task"].as_str().unwrap()).collect();
    for d in &dispatched {
        if !research_ids.contains(&d["task"].as_str().unwrap()) {
            assert_eq!(d["pane"], "Backend", "{d}");
        }
    }
}

#[test]
fn research_never_takes_the_last_idle_worker() {
    // No researcher pane and one generalist: research would take the only worker.
    let research = "    enabled: true\n    tasks_done: {every: 1, cooldown: 0}\n";
    let (p, _tmux) = start(&[("Dev", "teammate", "", 100)], research);
    assert_eq!(of_type(&p, "research_triggered"), Vec::<Value>::new());
    let plan: Value = serde_json::from_str(&p.read(".tasks/tasks.json")).unwrap();
    assert_eq!(plan["tasks"].as_array().unwrap().len(), 7, "no research task was made");
}

#[test]
fn a_research_summary_goes_to_research_findings_and_its_architecture_lines_to_architecture_md() {
    let p = TestProject::new();
    p.ok(&["init", "--template", "missions"]);
    p.ok(&["task", "create", "Research: caching", "--specialty", "research"]);
    p.ok(&["task", "create", "Plain work"]);
    let summary = "Redis fits.\nArchitecture: sessions live in Redis, keyed by user id";
    p.ok(&["task", "done", "001", "--proof", "read the code", "--summary", summary]);
    p.ok(&["task", "done", "002", "--proof", "did it", "--summary", "Architecture: not research"]);
    let findings = p.read(".tmux-ide/library/research-findings.md");
    assert!(
        findings.contains("## Task 001 — Research: caching") && findings.contains("Redis fits.")
    );
    assert!(!findings.contains("Task 002"), "{findings}");
    let arch = p.read(".tmux-ide/library/architecture.md");
    assert!(arch.contains("## Research finding, task 001"), "{arch}");
    assert!(arch.contains("- sessions live in Redis, keyed by user id"), "{arch}");
    assert!(!arch.contains("Redis fits.") && !arch.contains("not research"), "{arch}");
}
