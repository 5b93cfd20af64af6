//! What a user sees, whole: stdout, stderr and the exit status of the report commands on
//! a log recorded from a real `tmux-ide demo` run, at a fixed clock; and the suite's own
//! upkeep (no test file left out of the binary).
use crate::common::env::{TestEnv, demo_fixture};

fn demo() -> TestEnv {
    let env = TestEnv::new();
    env.write(".tasks/tasks.json", &demo_fixture("demo-tasks.json"));
    env.write(".tasks/events.jsonl", &demo_fixture("demo-events.jsonl"));
    env
}

#[test]
fn metrics_of_a_real_run_as_the_user_sees_them() {
    let env = demo();
    insta::assert_snapshot!("metrics", env.run(&["metrics"]).to_string());
    insta::assert_snapshot!("metrics_agents", env.run(&["metrics", "agents"]).to_string());
    insta::assert_snapshot!("metrics_history", env.run(&["metrics", "history"]).to_string());
}

#[test]
fn orch_of_a_real_run_as_the_user_sees_it() {
    insta::assert_snapshot!(demo().run(&["orch"]).to_string());
}

#[test]
fn task_show_of_a_real_run_as_the_user_sees_it() {
    insta::assert_snapshot!(demo().run(&["task", "show", "9"]).to_string());
}

#[test]
fn mission_status_of_a_real_run_as_the_user_sees_it() {
    insta::assert_snapshot!(demo().run(&["mission", "status"]).to_string());
}

#[test]
fn errors_as_the_user_sees_them() {
    let env = demo();
    let no_plan = TestEnv::new();
    std::fs::create_dir(no_plan.project().join(".tasks")).unwrap();
    let errors = [
        env.run(&["task", "show", "42"]),
        env.run(&["metrics", "--agents", "many"]),
        env.run(&["milestone", "show", "M9"]),
        no_plan.run(&["mission", "show"]),
    ];
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!(text.join("\n\n"));
}

#[test]
fn the_report_clock_comes_from_tmux_ide_now() {
    let later = demo().at("2026-11-28T10:35:00Z");
    let out = later.run(&["orch"]).success();
    assert!(out.contains("not running (last seen 1h ago)"), "{out}");
}

#[test]
fn a_bad_tmux_ide_now_exits_2_naming_the_value() {
    let out = demo().at("yesterday").run(&["metrics"]);
    assert_eq!(out.status, 2, "{out}");
    assert_eq!(out.stderr.lines().count(), 1, "{out}");
    assert!(out.stderr.contains("TMUX_IDE_NOW=\"yesterday\"") && out.stderr.contains("RFC 3339"));
}

#[test]
fn the_clock_override_is_not_in_help() {
    let help = demo().run(&["--help"]).success();
    assert!(!help.contains("TMUX_IDE_NOW"), "{help}");
}

/// `autotests = false`: a test file not `mod`-declared in tests/integration.rs never runs.
#[test]
fn every_test_file_is_part_of_the_integration_binary() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let main = std::fs::read_to_string(dir.join("integration.rs")).unwrap();
    let declared: Vec<&str> =
        main.lines().filter_map(|l| l.trim().strip_prefix("mod ")?.strip_suffix(';')).collect();
    let mut forgotten = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else { continue };
        if path.extension().is_some_and(|e| e == "rs")
            && stem != "integration"
            && !declared.contains(&stem)
        {
            forgotten.push(stem.to_string());
        }
    }
    assert!(forgotten.is_empty(), "not declared in tests/integration.rs: {forgotten:?}");
}

/// A plan a cloned repository might ship: wide (CJK, emoji) titles and a title with a
/// newline, which the store refuses on input but a hand-edited tasks.json can hold.
fn wide_titles() -> TestEnv {
    let env = TestEnv::new().at("2026-03-02T11:30:00Z");
    let task = |id: &str, title: &str, status: &str, deps: &[&str]| {
        serde_json::json!({"id": id, "title": title, "milestone": "M1", "priority": 1,
            "status": status, "depends": deps, "created": "2026-03-02T09:00:00Z"})
    };
    let plan = serde_json::json!({
        "version": 1,
        "mission": {"title": "多言語 🚀", "status": "active",
                    "created": "2026-03-02T09:00:00Z", "activated": "2026-03-02T10:00:00Z"},
        "milestones": [{"id": "M1", "title": "基盤", "sequence": 1, "status": "active",
                        "created": "2026-03-02T09:00:00Z"}],
        "tasks": [
            task("001", "認証スキーマを作る", "todo", &[]),
            task("002", "Ship it 🚀🚀", "todo", &[]),
            task("003", "two\nlines", "todo", &["001"]),
            task("004", "ブロック中の仕事", "todo", &["003"]),
        ]
    });
    env.write(".tasks/tasks.json", &serde_json::to_string_pretty(&plan).unwrap());
    env
}

#[test]
fn listings_align_wide_titles_and_keep_a_newline_title_on_its_row() {
    let env = wide_titles();
    let list = env.run(&["task", "list"]);
    let orch = env.run(&["orch"]);
    assert!(!list.stdout.contains("two\nlines") && !orch.stdout.contains("two\nlines"));
    insta::assert_snapshot!("task_list_wide", list.to_string());
    insta::assert_snapshot!("orch_wide", orch.to_string());
    insta::assert_snapshot!("milestone_list_wide", env.run(&["milestone", "list"]).to_string());
}
