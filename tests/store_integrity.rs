//! A change and its events are one unit, whatever happens: writers killed with SIGKILL at
//! any instant leave every task with exactly one `task_created` event and no event for a
//! task that is not in tasks.json, also when the next writer is a self-report (a plain
//! append); a failing log write fails the command before anything changes; the log's tail
//! is repaired, never truncated past a complete event; ids never wrap around.
use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tmux_ide::plan::Store;
use tmux_ide::project::Project;

use crate::common::{Rng, TestProject};

fn spawn(p: &TestProject, args: &[&str]) -> Child {
    let mut cmd = p.std_cmd();
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::null());
    cmd.spawn().unwrap()
}

/// `task_created` events per task id, from the given events.
fn created(events: impl Iterator<Item = Value>) -> BTreeMap<String, usize> {
    let mut by_task = BTreeMap::new();
    for e in events.filter(|e| e["type"] == "task_created") {
        *by_task.entry(e["task"].as_str().unwrap().to_string()).or_insert(0) += 1;
    }
    by_task
}

fn task_ids(p: &TestProject) -> BTreeSet<String> {
    let plan: Value = serde_json::from_str(&p.read(".tasks/tasks.json")).unwrap();
    plan["tasks"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().into()).collect()
}

fn assert_one_event_per_task(ids: &BTreeSet<String>, created: &BTreeMap<String, usize>, how: &str) {
    for id in ids {
        assert_eq!(
            created.get(id),
            Some(&1),
            "{how}: task {id} has {:?} task_created",
            created.get(id)
        );
    }
    for id in created.keys() {
        assert!(ids.contains(id), "{how}: task_created for {id}, which is not in tasks.json");
    }
}

/// `rounds` rounds of 8 writers (`writer(round, i)` gives each one's arguments), two in
/// three of those still running killed at a random instant; after each round the reader,
/// without the lock, finds one `task_created` per task. Then `last`, an ordinary command,
/// must log whatever was committed but not logged: the log file itself then has one
/// `task_created` per task, seqs dense and ordered (returned).
fn crash_loop(
    p: &TestProject,
    rounds: usize,
    writer: impl Fn(usize, usize) -> Vec<String>,
    last: &[&str],
) -> Vec<u64> {
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let mut rng = Rng(seed.as_nanos() as u64 | 1);
    let store = Store::new(&Project::at(p.path()));
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut killed = 0;
    for round in 0..rounds {
        assert!(Instant::now() < deadline, "crash loop took too long");
        let mut children: Vec<Child> = (0..8)
            .map(|i| {
                let args = writer(round, i);
                spawn(p, &args.iter().map(String::as_str).collect::<Vec<_>>())
            })
            .collect();
        std::thread::sleep(Duration::from_micros(rng.next(40_000)));
        for child in &mut children {
            if rng.next(3) != 0 && child.try_wait().unwrap().is_none() {
                child.kill().unwrap();
                killed += 1;
            }
        }
        for mut child in children {
            child.wait().unwrap();
        }
        if !p.path().join(".tasks/tasks.json").exists() {
            continue;
        }
        // Read-only, without the lock: the reader merges committed events the log lacks.
        let events = store.read_events().expect("the log stays readable");
        let merged = created(events.iter().map(|e| serde_json::to_value(e).unwrap()));
        assert_one_event_per_task(&task_ids(p), &merged, "the reader");
    }
    assert!(killed > 0, "the loop killed no writer");
    p.ok(last);
    let log = p.read(".tasks/events.jsonl");
    let on_disk = created(log.lines().map(|l| serde_json::from_str(l).expect("whole lines")));
    assert_one_event_per_task(&task_ids(p), &on_disk, "the log file");
    let seqs: Vec<u64> = log
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["seq"].as_u64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "seqs are dense and ordered: {seqs:?}");
    seqs
}

fn args(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

#[test]
fn creators_killed_at_any_instant_leave_every_task_with_exactly_one_created_event() {
    let p = TestProject::new();
    let create = |round, i| args(&["task", "create", &format!("r{round} w{i}")]);
    crash_loop(&p, 30, create, &["task", "create", "after"]);
}

#[test]
fn self_reports_among_creators_killed_at_any_instant_keep_one_dense_log() {
    let p = TestProject::new();
    let writer = |round, i| match i % 2 {
        0 => args(&["task", "create", &format!("r{round} w{i}")]),
        _ => args(&["agent", "busy", "--pane", &format!("%{i}")]),
    };
    // The last command a self-report: it reads only the head of tasks.json when the log
    // is complete, and must still log what a killed creator committed but did not log.
    let seqs = crash_loop(&p, 20, writer, &["agent", "idle", "--pane", "%1"]);
    let plan: Value = serde_json::from_str(&p.read(".tasks/tasks.json")).unwrap();
    assert!(plan["seq"].as_u64().unwrap() <= *seqs.last().unwrap(), "the log reaches the plan");
}

#[test]
fn a_log_that_cannot_be_appended_fails_the_command_and_changes_nothing() {
    let p = TestProject::new();
    p.ok(&["task", "create", "First"]);
    let before = p.read(".tasks/tasks.json");
    std::fs::remove_file(p.path().join(".tasks/events.jsonl")).unwrap();
    std::fs::create_dir(p.path().join(".tasks/events.jsonl")).unwrap();
    let out = p.run(&["task", "create", "Second"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(p.read(".tasks/tasks.json"), before, "a failed command changed the plan");
    std::fs::remove_dir(p.path().join(".tasks/events.jsonl")).unwrap();
    // The retry creates the task once, with its one event.
    p.ok(&["task", "create", "Second"]);
    assert_eq!(task_ids(&p).len(), 2);
}

const A: &str = r#"{"ts":"2026-01-01T10:00:00.000Z","type":"note","text":"kept"}"#;

#[test]
fn a_complete_last_event_without_a_newline_is_kept_by_the_next_write() {
    let p = TestProject::new();
    p.write(".tasks/events.jsonl", A);
    p.ok(&["task", "create", "First"]);
    let log = p.read(".tasks/events.jsonl");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines[0], A, "{log}");
    assert_eq!(lines.len(), 2, "{log}");
    assert!(lines[1].contains("task_created"));
}

#[test]
fn a_torn_tail_is_dropped_with_a_warning_and_the_whole_events_kept() {
    let p = TestProject::new();
    p.write(".tasks/events.jsonl", &format!("{A}\n{{\"ts\":\"2026-01-01T1"));
    let out = p.run(&["task", "create", "First"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("incomplete last line"), "{stderr}");
    let log = p.read(".tasks/events.jsonl");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!((lines.len(), lines[0]), (2, A), "{log}");
}

#[test]
fn a_task_or_goal_id_at_the_limit_is_refused_rather_than_wrapped() {
    let p = TestProject::new();
    p.ok(&["task", "create", "First", "--goal", "Ship"]);
    let plan = p.read(".tasks/tasks.json");
    p.write(".tasks/tasks.json", &plan.replace("\"001\"", "\"4294967295\""));
    let before = p.read(".tasks/tasks.json");
    let out = p.run(&["task", "create", "Second"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("4294967295") && stderr.contains("1 to 999999999"), "{stderr}");
    assert_eq!(p.read(".tasks/tasks.json"), before);

    p.write(".tasks/tasks.json", &plan.replace("\"G1\"", "\"G4294967295\""));
    let out = p.run(&["task", "create", "Third", "--goal", "Another"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("G4294967295"), "{stderr}");
    p.ok(&["task", "create", "Fourth", "--goal", "Ship"]);
}

#[test]
fn a_summary_cannot_add_a_heading_or_a_fence_to_the_library() {
    use pulldown_cmark::{Event, Parser, Tag};
    let p = TestProject::new();
    p.ok(&["task", "create", "First", "--specialty", "research"]);
    p.ok(&["task", "create", "Second"]);
    let hostile = "Done.\n## Task 999 — fake\n```\nunclosed fence\nSetext\n===\n<!-- swallow";
    p.ok(&["task", "done", "001", "--proof", "p", "--summary", hostile]);
    p.ok(&["task", "done", "002", "--proof", "p", "--summary", "Plain."]);
    for file in ["learnings.md", "research-findings.md"] {
        let md = p.read(&format!(".tmux-ide/library/{file}"));
        let blocks: Vec<String> = Parser::new(&md)
            .filter_map(|e| match e {
                Event::Start(Tag::Heading { .. }) => Some("heading".to_string()),
                Event::Start(Tag::CodeBlock(_)) => Some("code".to_string()),
                Event::Start(Tag::HtmlBlock) => Some("html".to_string()),
                _ => None,
            })
            .collect();
        let want = if file == "learnings.md" { 2 } else { 1 };
        assert_eq!(blocks, vec!["heading"; want], "{file}:\n{md}");
        assert!(md.contains("Task 999 — fake"), "the text itself is kept:\n{md}");
    }
}
