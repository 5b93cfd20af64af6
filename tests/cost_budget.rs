//! What a mission costs, end to end in real tmux: a simulated agent writes a Claude Code
//! transcript and calls the hook command, the orchestrator reads it, `metrics cost` shows
//! each task's tokens and dollars, and the budget stops new dispatches (the task in
//! progress finishes) until `mission budget` raises it.
use std::time::Duration;

use serde_json::Value;

use crate::common::{TestProject, TmuxServer, bin, wait_for};

fn events(p: &TestProject) -> Vec<Value> {
    let text = std::fs::read_to_string(p.path().join(".tasks/events.jsonl")).unwrap_or_default();
    text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

/// Each simulated response: 100,000 input and 20,000 output tokens of Claude Sonnet 4.5,
/// $0.30 + $0.30; each task two responses, $1.20. A budget of $1.50 is at 80% after
/// task 001 and exhausted during task 002.
#[test]
fn a_simulated_mission_shows_per_task_cost_and_stops_dispatching_at_the_budget() {
    let p = TestProject::new();
    let tmux = TmuxServer::new();
    let exe = bin().display().to_string();
    let worker = format!("'{exe} agent sim --work-ms 200 --usage 100000:20000'");
    let validator = format!("'{exe} agent sim --work-ms 100'");
    let yml = [
        "name: costly",
        "rows:",
        "  - panes:",
        "      - title: Lead",
        "        role: lead",
        "        command: cat",
        "      - title: Worker",
        "        agent: sim",
        &format!("        command: {worker}"),
        "      - title: Validator",
        "        role: validator",
        "        agent: sim",
        &format!("        command: {validator}"),
        "orchestrator:",
        "  enabled: true",
        "  poll_interval: 250",
        "  budget:",
        "    usd: 1.5",
        "",
    ]
    .join("\n");
    p.write("ide.yml", &yml);
    p.write(".tasks/validation-contract.md", "## Area\n- **VAL-A-001**: it works\n");
    p.ok(&["mission", "set", "Costly"]);
    p.ok(&["milestone", "create", "One", "--sequence", "1"]);
    for title in ["First", "Second", "Third"] {
        p.ok(&["task", "create", title, "--milestone", "M1", "--fulfills", "VAL-A-001"]);
    }
    p.ok(&["mission", "plan-complete"]);
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();

    wait_for("the budget to run out", Duration::from_secs(60), || {
        events(&p).iter().any(|e| e["type"] == "budget_exhausted").then_some(())
    });
    wait_for("task 002 to finish", Duration::from_secs(30), || {
        (p.task_status("002") == "done").then_some(())
    });
    // Held: a few ticks later 003 is still waiting, never dispatched.
    let ticks_later = std::time::Instant::now() + Duration::from_millis(1500);
    wait_for("a few ticks", Duration::from_secs(5), || {
        (std::time::Instant::now() > ticks_later).then_some(())
    });
    assert_eq!(p.task_status("003"), "todo");
    let log = events(&p);
    assert!(!log.iter().any(|e| e["type"] == "task_dispatched" && e["task"] == "003"));
    let warned = log.iter().position(|e| e["type"] == "budget_warning").expect("warned at 80%");
    let out = log.iter().position(|e| e["type"] == "budget_exhausted").unwrap();
    assert!(warned < out);
    let lead = tmux.pane_titled("Lead").unwrap();
    wait_for("the lead to hear", Duration::from_secs(10), || {
        tmux.capture(&lead).contains("Budget exhausted").then_some(())
    });

    let rows: Value = serde_json::from_str(&p.ok(&["--json", "metrics", "cost"])).unwrap();
    for id in ["001", "002"] {
        let row = rows.as_array().unwrap().iter().find(|r| r["task"] == id).unwrap();
        assert_eq!(row["pane"], "Worker");
        assert_eq!(row["model"], "claude-sonnet-4-5-20250929");
        assert_eq!(row["input_tokens"], 200_000, "{row}");
        assert_eq!(row["output_tokens"], 40_000);
        assert_eq!(row["cache_read_tokens"], 0);
        assert_eq!(row["cache_write_tokens"], 0);
        assert!((row["cost_usd"].as_f64().unwrap() - 1.2).abs() < 1e-9, "{row}");
    }
    assert!(!rows.as_array().unwrap().iter().any(|r| r["task"] == "003"));
    let status_text = p.ok(&["mission", "status"]);
    assert!(status_text.contains("BUDGET EXHAUSTED"), "{status_text}");
    let orch = tmux.on(p.cmd()).arg("orch").output().unwrap();
    assert!(String::from_utf8_lossy(&orch.stdout).contains("BUDGET EXHAUSTED: no new dispatches"));
    assert!(p.ok(&["metrics"]).contains("Cost: $2.40 for 480000 tokens"));

    // Raised: dispatch resumes, the last task and the validation run, the mission completes.
    let raised = p.ok(&["mission", "budget", "--usd", "10"]);
    assert!(raised.contains("under budget"), "{raised}");
    wait_for("the mission to complete", Duration::from_secs(60), || {
        events(&p).iter().any(|e| e["type"] == "mission_complete").then_some(())
    });
    let log = events(&p);
    let set = log.iter().position(|e| e["type"] == "budget_set").unwrap();
    let third = log.iter().position(|e| e["type"] == "task_dispatched" && e["task"] == "003");
    assert!(third.unwrap() > set, "003 went out only after the budget was raised");
    let text = p.ok(&["metrics", "cost"]);
    assert!(text.contains("Cost: $3.60 for 720000 tokens"), "{text}");
}

/// Aider's usage line, as the orchestrator sees it on a real screen tick after tick:
/// counted once, at the cost Aider itself reports.
#[test]
fn an_aider_usage_line_on_screen_is_counted_once_at_aiders_own_cost() {
    let p = TestProject::new();
    let tmux = TmuxServer::new();
    p.write(
        "fake-aider.sh",
        "printf 'Tokens: 2.7k sent, 43 received. Cost: $0.0072 message, $0.0072 session.\\n'\n\
         printf '%s\\n' '────────────────────' '> '\nexec cat\n",
    );
    let yml = [
        "name: aiderish",
        "rows:",
        "  - panes:",
        "      - title: Aider",
        "        agent: aider",
        "        command: bash --norc --noprofile fake-aider.sh --model gpt-4o",
        "orchestrator:",
        "  enabled: true",
        "  poll_interval: 200",
        "",
    ]
    .join("\n");
    p.write("ide.yml", &yml);
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    let usage = |p: &TestProject| {
        events(p).into_iter().filter(|e| e["type"] == "usage").collect::<Vec<_>>()
    };
    wait_for("the usage line to be counted", Duration::from_secs(20), || {
        (!usage(&p).is_empty()).then_some(())
    });
    // Many ticks later, still once.
    let later = std::time::Instant::now() + Duration::from_millis(1500);
    wait_for("a few ticks", Duration::from_secs(5), || {
        (std::time::Instant::now() > later).then_some(())
    });
    let seen = usage(&p);
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0]["pane"], "Aider");
    assert_eq!(seen[0]["agent"], "aider");
    assert_eq!(seen[0]["model"], "gpt-4o");
    assert_eq!(seen[0]["input_tokens"], 2700);
    assert_eq!(seen[0]["output_tokens"], 43);
    let text = p.ok(&["metrics", "cost", "--by", "agent"]);
    assert!(text.contains("$0.0072"), "{text}");
}
