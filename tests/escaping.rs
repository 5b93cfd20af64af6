//! Plan and agent text cannot drive the terminal: a plan a cloned repository ships with
//! OSC 52 (clipboard write), OSC 0 (window title), CSI, C1 and bidi overrides in its titles,
//! descriptions, proofs, summaries, evidence, pane names and event text prints escaped
//! from every command that shows it, and `--json` keeps the text exact.
use serde_json::json;

use crate::common::env::TestEnv;

/// Each kind of hostile text, marked so a test can find where it landed.
const HOSTILE: &str =
    "A\u{1b}]52;c;cHduZWQ=\u{7}B\u{1b}]0;owned\u{7}C\u{1b}[2JD\u{9b}31mE\u{202E}F\u{2066}G";

fn hostile(label: &str) -> String {
    format!("{label}:{HOSTILE}")
}

fn project() -> TestEnv {
    let env = TestEnv::new().at("2026-03-02T11:30:00Z");
    let t = |h: &str| format!("2026-03-02T{h}:00Z");
    let plan = json!({
        "version": 1,
        "mission": {"title": hostile("mission"), "description": hostile("mission-desc"),
                    "status": "active", "created": t("09:00"), "activated": t("10:00")},
        "milestones": [{"id": "M1", "title": hostile("milestone"), "sequence": 1,
                        "description": hostile("milestone-desc"), "status": "active",
                        "created": t("09:00")}],
        "goals": [{"id": "G1", "title": hostile("goal")}],
        "tasks": [
            {"id": "001", "title": hostile("title"), "description": hostile("desc"),
             "milestone": "M1", "specialty": hostile("specialty"), "priority": 1, "goal": "G1",
             "assignee": hostile("pane"), "status": "done", "proof": hostile("proof"),
             "summary": hostile("summary"), "created": t("09:00"), "started": t("10:00"),
             "finished": t("10:20"), "fulfills": ["VAL-X-001"]},
            {"id": "002", "title": hostile("title2"), "milestone": "M1", "priority": 1,
             "status": "in_progress", "assignee": hostile("pane"), "created": t("09:00"),
             "started": t("10:20")},
            {"id": "003", "title": hostile("title3"), "milestone": "M1", "priority": 1,
             "status": "todo", "created": t("09:00")}
        ],
        "assertions": {"VAL-X-001": {"status": "passing", "evidence": hostile("evidence"),
                                     "reporter": hostile("pane"), "updated": t("10:30")}}
    });
    env.write(".tasks/tasks.json", &serde_json::to_string_pretty(&plan).unwrap());
    let contract = format!("# Contract\n\n## X\n- **VAL-X-001**: {}\n", hostile("assertion"));
    env.write(".tasks/validation-contract.md", &contract);
    let events = [
        json!({"ts": t("10:00"), "type": "orchestrator_started", "pid": 1}),
        json!({"ts": t("10:00"), "type": "task_dispatched", "task": "001", "pane": hostile("pane"), "pane_id": "%1"}),
        json!({"ts": t("10:20"), "type": "task_done", "task": "001", "milestone": "M1", "pane": hostile("pane")}),
        json!({"ts": t("10:20"), "type": "task_dispatched", "task": "002", "pane": hostile("pane"), "pane_id": "%1"}),
        json!({"ts": t("10:30"), "type": "assertion_reported", "assertion": "VAL-X-001", "pane": hostile("pane"), "status": "passing"}),
        json!({"ts": t("10:40"), "type": "lead_notified", "pane": "Lead", "pane_id": "%0", "text": hostile("notice")}),
        json!({"ts": t("10:41"), "type": hostile("kind")}),
    ];
    let log: String = events.iter().map(|e| format!("{e}\n")).collect();
    env.write(".tasks/events.jsonl", &log);
    env
}

/// The first terminal control in `out`, with some context, if there is one.
fn first_control(out: &str) -> Option<String> {
    let bad = |c: char| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    let at = out.find(bad)?;
    let start = (0..=at.saturating_sub(40)).rev().find(|&i| out.is_char_boundary(i))?;
    Some(format!("{:?} in …{:?}", out[at..].chars().next()?, &out[start..]))
}

#[test]
fn no_command_prints_a_terminal_control_from_plan_or_agent_text() {
    let env = project();
    let commands: [&[&str]; 12] = [
        &["task", "show", "1"],
        &["task", "list"],
        &["mission", "show"],
        &["mission", "status"],
        &["milestone", "show", "M1"],
        &["milestone", "list"],
        &["goal", "list"],
        &["metrics"],
        &["metrics", "agents"],
        &["metrics", "history"],
        &["orch"],
        &["validate", "report"],
    ];
    let mut shown = 0;
    for args in commands {
        let out = env.run(args);
        let stdout = String::from_utf8(out.raw_stdout.clone()).expect("utf-8");
        if let Some(found) = first_control(&stdout) {
            panic!("tmux-ide {args:?} printed {found}");
        }
        assert!(first_control(&out.stderr).is_none(), "tmux-ide {args:?} stderr: {:?}", out.stderr);
        shown += stdout.matches("<U+202E>").count();
    }
    // The hostile text was shown (escaped), not just left out.
    assert!(shown >= 25, "escaped text shown {shown} times");
}

#[test]
fn escaped_text_shows_each_control_visibly() {
    let out = project().run(&["task", "show", "1"]).success();
    let want = "title:A\\u{1b}]52;c;cHduZWQ=\\u{7}B\\u{1b}]0;owned\\u{7}C\\u{1b}[2JD\\u{9b}31mE<U+202E>F<U+2066>G";
    assert!(out.contains(want), "{out:?}");
    for label in ["desc:", "proof:", "summary:", "pane:", "milestone:", "goal:", "specialty:"] {
        assert!(out.contains(&format!("{label}A\\u{{1b}}]52")), "{label} missing from {out:?}");
    }
}

#[test]
fn json_keeps_the_exact_text() {
    let env = project();
    let task: serde_json::Value =
        serde_json::from_str(&env.run(&["--json", "task", "show", "1"]).success()).unwrap();
    assert_eq!(task["title"], hostile("title"));
    assert_eq!(task["proof"], hostile("proof"));
    let mission: serde_json::Value =
        serde_json::from_str(&env.run(&["--json", "mission", "show"]).success()).unwrap();
    assert_eq!(mission["description"], hostile("mission-desc"));
}
