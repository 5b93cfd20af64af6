//! Cost without tmux: the hook command that records where an agent keeps its usage,
//! `metrics cost` over a log of usage events (per task, agent, milestone; text and JSON),
//! the cost line of `metrics`, `mission budget`, and the cost settings of ide.yml.
use std::io::Write;
use std::process::Stdio;

use serde_json::{Value, json};

use crate::common::TestProject;

/// A `usage` event of milestone M1: tokens are (input, output, cache read, cache write).
fn usage(task: Option<&str>, pane: &str, model: &str, [i, o, r, w]: [u64; 4]) -> String {
    let mut e = json!({"ts": "2026-11-28T10:00:00.000Z", "type": "usage", "milestone": "M1",
        "pane": pane, "agent": "claude", "model": model, "input_tokens": i, "output_tokens": o,
        "cache_read_tokens": r, "cache_write_tokens": w});
    if let Some(t) = task {
        e["task"] = json!(t);
    }
    e.to_string()
}

fn project_with_usage() -> TestProject {
    let p = TestProject::new();
    p.write("ide.yml", "rows:\n  - panes:\n      - title: W1\n        agent: sim\n      - title: W2\n        agent: sim\nprices:\n  gpt-6.2-sol:\n    input: 2\n    output: 8\n");
    p.ok(&["milestone", "create", "One", "--sequence", "1"]);
    p.ok(&["task", "create", "First", "--milestone", "M1"]);
    p.ok(&["task", "create", "Second", "--milestone", "M1"]);
    let lines = [
        usage(Some("001"), "W1", "claude-sonnet-4-5-20250929", [3, 187, 12044, 4211]),
        usage(Some("001"), "W1", "claude-sonnet-4-5-20250929", [5, 96, 16255, 310]),
        usage(Some("002"), "W2", "gpt-6.2-sol", [1_000_000, 100_000, 0, 0]),
        usage(Some("002"), "W2", "mystery-model", [10, 10, 0, 0]),
    ];
    let mut log = std::fs::OpenOptions::new()
        .append(true)
        .open(p.path().join(".tasks/events.jsonl"))
        .unwrap();
    writeln!(log, "{}", lines.join("\n")).unwrap();
    p
}

#[test]
fn metrics_cost_lists_each_task_pane_and_model_with_tokens_and_dollars() {
    let p = project_with_usage();
    let rows: Value = serde_json::from_str(&p.ok(&["--json", "metrics", "cost"])).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3, "{rows:?}");
    let first = &rows[0];
    for key in [
        "task",
        "pane",
        "model",
        "input_tokens",
        "output_tokens",
        "cache_read_tokens",
        "cache_write_tokens",
        "cost_usd",
    ] {
        assert!(first.get(key).is_some(), "{key} missing: {first}");
    }
    assert_eq!((first["task"].as_str(), first["pane"].as_str()), (Some("001"), Some("W1")));
    assert_eq!(first["input_tokens"], 8);
    assert_eq!(first["output_tokens"], 283);
    assert_eq!(first["cache_read_tokens"], 28299);
    assert_eq!(first["cache_write_tokens"], 4521);
    let want = (8.0 * 3.0 + 283.0 * 15.0 + 28299.0 * 0.3 + 4521.0 * 3.75) / 1e6;
    assert!((first["cost_usd"].as_f64().unwrap() - want).abs() < 1e-9);
    let priced = rows.iter().find(|r| r["model"] == "gpt-6.2-sol").unwrap();
    assert!((priced["cost_usd"].as_f64().unwrap() - 2.8).abs() < 1e-9, "ide.yml's price");
    let unknown = rows.iter().find(|r| r["model"] == "mystery-model").unwrap();
    assert!(unknown["cost_usd"].is_null(), "no price: unknown, not zero");

    let text = p.ok(&["metrics", "cost"]);
    assert!(text.contains("TASK"), "{text}");
    assert!(text.contains("(+20 tokens at unknown prices)"), "{text}");
    let by_agent: Value =
        serde_json::from_str(&p.ok(&["--json", "metrics", "cost", "--by", "agent"])).unwrap();
    assert_eq!(by_agent.as_array().unwrap().len(), 3);
    assert!(by_agent[0]["task"].is_null());
    let by_ms: Value =
        serde_json::from_str(&p.ok(&["--json", "metrics", "cost", "--by", "milestone"])).unwrap();
    assert!(by_ms.as_array().unwrap().iter().all(|r| r["milestone"] == "M1"));
    let metrics = p.ok(&["metrics"]);
    assert!(metrics.contains("Cost: $"), "{metrics}");
    let json: Value = serde_json::from_str(&p.ok(&["--json", "metrics"])).unwrap();
    assert_eq!(json["cost"]["unpriced_tokens"], 20);
}

#[test]
fn a_task_worked_on_without_usage_shows_as_unknown_and_a_plain_log_adds_no_cost_line() {
    let p = TestProject::new();
    p.ok(&["task", "create", "Manual"]);
    p.ok(&["task", "claim", "001", "--pane", "W1"]);
    let rows: Value = serde_json::from_str(&p.ok(&["--json", "metrics", "cost"])).unwrap();
    assert_eq!(rows[0]["task"], "001");
    assert!(rows[0]["input_tokens"].is_null() && rows[0]["cost_usd"].is_null());
    assert!(!p.ok(&["metrics"]).contains("Cost:"));
    let json: Value = serde_json::from_str(&p.ok(&["--json", "metrics"])).unwrap();
    assert!(json.get("cost").is_none());
}

#[test]
fn mission_budget_sets_limits_and_reports_spending_against_them() {
    let p = project_with_usage();
    let out = p.run(&["mission", "budget"]);
    assert_eq!(out.status.code(), Some(1), "no budget yet");
    let text = p.ok(&["mission", "budget", "--usd", "3", "--tokens", "5000000"]);
    assert!(text.contains("$2.83 of $3.00, 1133131 of 5000000 tokens"), "{text}");
    assert!(text.contains("past 80%"), "{text}");
    let json: Value = serde_json::from_str(&p.ok(&["--json", "mission", "budget"])).unwrap();
    assert_eq!(json["level"], "warning");
    assert_eq!(json["budget"]["usd"], 3.0);
    let bad = p.run(&["mission", "budget", "--usd", "-1"]);
    assert_eq!(bad.status.code(), Some(2));
    let log = p.read(".tasks/events.jsonl");
    assert_eq!(log.matches("\"budget_set\"").count(), 1);
}

#[test]
fn the_claude_hook_payload_names_the_transcript_the_orchestrator_will_read() {
    let p = TestProject::new();
    p.ok(&["mission", "set", "M"]);
    let run = |payload: &str| {
        let mut child = p
            .std_cmd()
            .args(["agent", "usage", "--agent", "claude", "--pane", "%7"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(payload.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let payload = json!({"session_id": "s1", "transcript_path": "/home/u/.claude/projects/-p/s1.jsonl",
        "cwd": "/p", "hook_event_name": "Stop", "stop_hook_active": false});
    assert!(run(&payload.to_string()).status.success());
    let log = p.read(".tasks/events.jsonl");
    let source: Value = log
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|e| e["type"] == "usage_source")
        .unwrap();
    assert_eq!(source["pane_id"], "%7");
    assert_eq!(source["agent"], "claude");
    assert_eq!(source["path"], "/home/u/.claude/projects/-p/s1.jsonl");
    let bad = run(r#"{"transcript_path": "relative/path.jsonl"}"#);
    assert_eq!(bad.status.code(), Some(2), "{}", String::from_utf8_lossy(&bad.stderr));
}

#[test]
fn cost_settings_in_ide_yml_are_checked() {
    let p = TestProject::new();
    p.write("ide.yml", "rows:\n  - panes:\n      - title: A\nprices:\n  my-model:\n    input: 1\n    output: 2\n    cache_read: 0.1\norchestrator:\n  budget:\n    usd: 50\n    tokens: 2000000\n    hours: 8\n    task:\n      usd: 5\n");
    p.ok(&["config", "validate"]);
    p.write("ide.yml", "rows:\n  - panes:\n      - title: A\nprices:\n  my-model:\n    input: -1\n    outptu: 2\norchestrator:\n  budget:\n    dollars: 5\n");
    let out = p.run(&["config", "validate"]);
    assert_eq!(out.status.code(), Some(2));
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("prices.my-model.input: expected a number ≥ 0, found -1"), "{text}");
    assert!(
        text.contains("prices.my-model.outptu: unknown key (did you mean `output`?)"),
        "{text}"
    );
    assert!(text.contains("orchestrator.budget.dollars: unknown key"), "{text}");
}

#[test]
fn the_dashboard_api_carries_the_cost_totals_and_the_budget_state() {
    let p = project_with_usage();
    let exhausted = r#"{"ts":"2026-11-28T10:00:01.000Z","type":"budget_exhausted","limits":"$2.83 of $2.00 (141%)"}"#;
    let mut log = std::fs::OpenOptions::new()
        .append(true)
        .open(p.path().join(".tasks/events.jsonl"))
        .unwrap();
    writeln!(log, "{exhausted}").unwrap();
    let d = crate::web_support::Dashboard::start(&p, &[]);
    let metrics = d.get_json("/api/metrics");
    assert_eq!(metrics["cost"]["tokens"], 1_133_131, "{metrics}");
    assert_eq!(metrics["cost"]["budget"], "exhausted");
    assert_eq!(metrics["cost"]["budget_note"], "$2.83 of $2.00 (141%)");
}
