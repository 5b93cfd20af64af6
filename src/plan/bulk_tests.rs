use std::path::Path;

use super::*;
use crate::plan::{Milestone, MilestoneStatus, PaneProcess, TaskGit, TaskStatus};

fn t0() -> jiff::Timestamp {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

/// A plan whose tasks carry nested values (arrays, objects) and titles full of JSON
/// punctuation, so a cut in the wrong place would show.
fn plan(tasks: u32) -> Plan {
    let mut plan = Plan::default();
    plan.milestones.push(Milestone {
        id: "M1".into(),
        title: "One".into(),
        sequence: 1,
        description: String::new(),
        status: MilestoneStatus::Active,
        created: t0(),
        validation: None,
    });
    for n in 1..=tasks {
        let mut t =
            Task::new(format!("{n:03}"), format!("Task {n} }},\n{{ \"x\": [1, 2] \\"), t0());
        t.milestone = Some("M1".into());
        t.depends = (n > 1).then(|| format!("{:03}", n - 1)).into_iter().collect();
        t.fulfills = vec!["VAL-A".into(), "VAL-B".into()];
        if n % 3 == 0 {
            t.status = TaskStatus::Done;
            t.dispatched_to = Some(PaneProcess { pane_id: "%1".into(), pid: n });
            t.git = Some(TaskGit {
                commits: vec!["a".into(), "b".into()],
                merge: "m".into(),
                base: "b".into(),
                files_changed: 1,
                insertions: 2,
                deletions: 3,
                stat: " x | 2 +-\n".into(),
            });
        }
        plan.tasks.push(t);
    }
    plan
}

fn pretty(plan: &Plan) -> Vec<u8> {
    serde_json::to_vec_pretty(plan).unwrap()
}

#[test]
fn every_way_of_sharing_out_the_tasks_gives_the_plan_one_parse_gives() {
    let plan = plan(200);
    let text = pretty(&plan);
    for parts in 2..=7 {
        assert_eq!(parse_parallel(&text, parts).as_ref(), Some(&plan), "{parts} parts");
    }
}

#[test]
fn a_cut_inside_an_element_is_never_trusted() {
    let plan = plan(60);
    let text = pretty(&plan);
    let first = skip_ws(&text, tasks_array(&text).unwrap() + 1);
    // Every newline followed by a `{` that is not a task: inside `dispatched_to`, `git`.
    let mut tried = 0;
    for (i, w) in text.windows(2).enumerate() {
        if w == b"\n " && i > first {
            let at = skip_ws(&text, i);
            let pieces = [
                parse_elements(&text, first, Some(at), true),
                parse_elements(&text, at, None, false),
            ];
            if let [Some(a), Some(b)] = pieces {
                let mut tasks = a.tasks;
                tasks.extend(b.tasks);
                assert_eq!(tasks, plan.tasks, "cut at {at} accepted and wrong");
            }
            tried += 1;
        }
    }
    assert!(tried > 100);
}

#[test]
fn files_it_cannot_share_out_are_left_to_the_whole_parse() {
    let plan = plan(20);
    // Minified: no line breaks to cut at, one part.
    let flat = serde_json::to_vec(&plan).unwrap();
    assert_eq!(parse_parallel(&flat, 2).as_ref(), Some(&plan));
    // No tasks at all.
    assert_eq!(parse_parallel(&pretty(&Plan::default()), 2), None);
    // Tasks after the other keys, and keys named "tasks" deeper in.
    let mut v: serde_json::Value = serde_json::from_slice(&pretty(&plan)).unwrap();
    let tasks = v.as_object_mut().unwrap().shift_remove("tasks").unwrap();
    v["mission"] = serde_json::json!({"title": "tasks", "status": "active", "created": t0()});
    v["tasks"] = tasks;
    let mut expected = plan.clone();
    expected.mission = serde_json::from_value(v["mission"].clone()).unwrap();
    assert_eq!(parse_parallel(&serde_json::to_vec_pretty(&v).unwrap(), 3), Some(expected));
}

#[test]
fn a_broken_or_unexpected_file_is_refused_so_the_whole_parse_reports_it() {
    let text = String::from_utf8(pretty(&plan(30))).unwrap();
    let broken = [
        text.replacen("\"priority\": 5", "\"priority\": 5,", 1),
        text.replacen("\"priority\": 5", "\"priority\": 5, \"colour\": 1", 1),
        text.replacen("\"version\": 1", "\"version\": 1, \"tasks\": []", 1),
        text.replacen("\"assertions\": {}", "\"assertions\": []", 1),
        format!("{}x", text.trim_end()),
        text.replacen("\n  ]", ",\n  ]", 1),
    ];
    for b in &broken {
        assert!(serde_json::from_str::<Plan>(b).is_err());
        assert_eq!(parse_parallel(b.as_bytes(), 2), None, "{b}");
    }
}

#[test]
fn load_plan_reads_like_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tasks.json");
    assert_eq!(load_plan(&path).unwrap(), Plan::default(), "a missing file is an empty plan");
    // Big enough to be shared out, with events pending that a view does not see.
    let mut plan = plan(12_000);
    plan.pending_events.push(crate::plan::Event::new(t0(), "task_done").task("001"));
    std::fs::write(&path, pretty(&plan)).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() as usize > PARALLEL_MIN_BYTES);
    plan.pending_events.clear();
    assert_eq!(load_plan(&path).unwrap(), plan);
    std::fs::write(&path, b"{\n  \"version\": 1,\n  \"tasks\": [\n    {\"id\": 1}\n  ]\n}\n")
        .unwrap();
    let err = load_plan(&path).unwrap_err().to_string();
    let whole =
        crate::plan::store::parse_plan(Path::new(&path), &std::fs::read_to_string(&path).unwrap());
    assert_eq!(err, whole.unwrap_err().to_string());
}

#[test]
fn the_streamed_read_gives_the_same_plan_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tasks.json");
    assert_eq!(load_plan_streamed(&path).unwrap(), Plan::default());
    let mut plan = plan(50);
    plan.pending_events.push(crate::plan::Event::new(t0(), "task_done").task("001"));
    std::fs::write(&path, pretty(&plan)).unwrap();
    plan.pending_events.clear();
    assert_eq!(load_plan_streamed(&path).unwrap(), plan);
    std::fs::write(&path, b"{\n  \"version\": 1,\n  \"tasks\": [\n    {\"id\": 1}\n  ]\n}\n")
        .unwrap();
    let err = load_plan_streamed(&path).unwrap_err().to_string();
    assert_eq!(err, load_plan(&path).unwrap_err().to_string());
    assert!(err.contains("tasks.json:4:"), "{err}");
}
