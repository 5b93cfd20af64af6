//! Planning dispatch in real tmux with simulated agents: a mission in planning with no
//! milestones gets one planning prompt, across an orchestrator restart, and the simulated
//! lead's plan then runs to `complete`; `mission plan` sends it on demand.
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::common::{Reaped, TestProject, TmuxServer, bin, wait_for};

/// Lead, Backend and Validator panes running the simulated agent; the orchestrator is
/// started by the test (not by `up`), so it can be stopped and started again.
fn project(lead_work_ms: u64) -> TestProject {
    let p = TestProject::new();
    let sim = |ms: u64| format!("'{}' agent sim --work-ms {ms}", bin().display());
    let pane = |title: &str, role: &str, extra: &str, ms: u64| {
        format!(
            "      - title: {title}\n        role: {role}\n{extra}        agent: sim\n        command: {:?}\n",
            sim(ms)
        )
    };
    let yml = format!(
        "name: planning\nrows:\n  - panes:\n{}{}{}orchestrator:\n  poll_interval: 200\n",
        pane("Lead", "lead", "", lead_work_ms),
        pane("Backend", "teammate", "        specialty: backend\n", 100),
        pane("Validator", "validator", "", 100),
    );
    p.write("ide.yml", &yml);
    p.write(".tasks/validation-contract.md", "# Validation Contract\n");
    p.ok(&["mission", "set", "Todo app", "--description", "A small todo list"]);
    p
}

fn events(p: &TestProject) -> Vec<Value> {
    let text = std::fs::read_to_string(p.path().join(".tasks/events.jsonl")).unwrap_or_default();
    text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

fn of_type(p: &TestProject, kind: &str) -> Vec<Value> {
    events(p).into_iter().filter(|e| e["type"] == kind).collect()
}

fn mission_status(p: &TestProject) -> String {
    let plan: Value = serde_json::from_str(&p.read(".tasks/tasks.json")).unwrap();
    plan["mission"]["status"].as_str().unwrap_or_default().to_string()
}

fn orchestrator(p: &TestProject, tmux: &TmuxServer, exit_when_complete: bool) -> Reaped {
    let mut cmd = p.command(bin());
    cmd.arg("-C").arg(p.path());
    cmd.args(["--tmux-socket", &tmux.socket, "orchestrator", "run"]);
    if exit_when_complete {
        cmd.arg("--exit-when-complete");
    }
    Reaped(cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap())
}

fn planning_prompts(p: &TestProject) -> usize {
    let dir = p.path().join(".tmux-ide/run/prompts");
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with("-planning.md"))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn a_planning_mission_gets_one_planning_prompt_across_a_restart_and_completes() {
    // The simulated lead thinks for 4 s before planning: the restart happens meanwhile.
    let p = project(4000);
    let tmux = TmuxServer::new();
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    let mut first = orchestrator(&p, &tmux, false);
    wait_for("the planning prompt pasted", Duration::from_secs(30), || {
        of_type(&p, "prompt_delivered").into_iter().find(|e| e["pane"] == "Lead")
    });
    // Stop it (SIGTERM, by pid) and start another while the lead is still planning.
    let pid = first.0.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    wait_for("the first orchestrator to stop", Duration::from_secs(20), || {
        first.0.try_wait().unwrap()
    });
    let mut second = orchestrator(&p, &tmux, true);
    wait_for("the second orchestrator to start", Duration::from_secs(20), || {
        (of_type(&p, "orchestrator_started").len() == 2).then_some(())
    });
    assert_eq!(mission_status(&p), "planning", "the restart came after planning ended");
    let status = wait_for("the mission to complete", Duration::from_secs(90), || {
        second.0.try_wait().unwrap()
    });
    assert!(status.success());
    assert_eq!(mission_status(&p), "complete");

    let planned = of_type(&p, "planning_dispatched");
    assert_eq!(planned.len(), 1, "{planned:#?}");
    assert_eq!(planned[0]["pane"], "Lead");
    assert_eq!(planning_prompts(&p), 1);
    // The plan came from the simulated lead, through the real commands.
    let contract = p.read(".tasks/validation-contract.md");
    assert!(contract.contains("**VAL-CORE-001**"), "{contract}");
    assert_eq!(of_type(&p, "milestone_done").len(), 2);
    let plan: Value = serde_json::from_str(&p.read(".tasks/tasks.json")).unwrap();
    let tasks = plan["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 4);
    assert!(tasks.iter().all(|t| t["status"] == "done" && t["assignee"] == "Backend"));
    // The lead never got a task.
    assert!(of_type(&p, "task_dispatched").iter().all(|e| e["pane"] != "Lead"));
}

#[test]
fn mission_plan_sends_the_prompt_on_demand_and_the_orchestrator_does_not_repeat_it() {
    let p = project(3000);
    let printed = p.ok(&["mission", "plan", "--print"]);
    assert!(printed.starts_with("# tmux-ide planning\nTMUX-IDE-PLAN: backend\n"), "{printed}");
    assert!(printed.contains("tmux-ide mission plan-complete"), "{printed}");
    let tmux = TmuxServer::new();
    // No session yet: an error that says so.
    let out = tmux.on(p.cmd()).args(["mission", "plan"]).output().unwrap();
    assert!(!out.status.success());
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    wait_for("the lead at its prompt", Duration::from_secs(20), || {
        let lead = tmux.pane_titled("Lead")?;
        tmux.capture(&lead).contains("sim> ").then_some(())
    });
    let out = tmux.on(p.cmd()).args(["mission", "plan"]).assert().success();
    let said = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(said.starts_with("Planning prompt sent to Lead (%"), "{said}");
    // Started while the lead still plans: it must not send the prompt again.
    let mut run = orchestrator(&p, &tmux, true);
    let status =
        wait_for("the mission to complete", Duration::from_secs(90), || run.0.try_wait().unwrap());
    assert!(status.success());
    let kinds: Vec<String> =
        events(&p).iter().map(|e| e["type"].as_str().unwrap().to_string()).collect();
    let at = |k: &str| kinds.iter().position(|x| x == k).unwrap();
    assert!(at("orchestrator_started") < at("plan_completed"), "{kinds:?}");
    let planned = of_type(&p, "planning_dispatched");
    assert_eq!(planned.len(), 1, "{planned:#?}");
    assert_eq!(planned[0]["on_demand"], true);
    // Active now: asking again is refused.
    let again = p.run(&["mission", "plan", "--print"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("not planning"));
}
