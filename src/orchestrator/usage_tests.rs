//! Tests of usage collection: attribution, reading sources incrementally, restarts.
use super::*;
use crate::agent::usage::source_event;
use crate::plan::{Milestone, MilestoneStatus, Task, TaskStatus, ValidationRound};

fn t(s: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + s).unwrap()
}

fn plan() -> Plan {
    let mut p = Plan::default();
    for (id, started) in [("001", 0), ("002", 100)] {
        let mut task = Task::new(id, id, t(-10));
        task.status = TaskStatus::Done;
        task.assignee = Some("W1".into());
        task.started = Some(t(started));
        task.milestone = Some("M1".into());
        p.tasks.push(task);
    }
    p.milestones.push(Milestone {
        id: "M1".into(),
        title: "M1".into(),
        sequence: 1,
        description: String::new(),
        status: MilestoneStatus::Validating,
        created: t(-10),
        validation: Some(ValidationRound {
            round: 1,
            started: t(200),
            seq: None,
            pane: Some("W1".into()),
            assertions: Vec::new(),
            dispatched_to: None,
        }),
    });
    p
}

#[test]
fn a_record_belongs_to_the_work_last_started_on_its_pane_before_it() {
    let p = plan();
    assert_eq!(attribute(&p, "W1", t(-5)), Attribution::default());
    assert_eq!(attribute(&p, "W1", t(50)).task.as_deref(), Some("001"));
    assert_eq!(attribute(&p, "W1", t(150)).task.as_deref(), Some("002"));
    let v = attribute(&p, "W1", t(250));
    assert_eq!((v.task, v.milestone.as_deref()), (None, Some("M1")));
    assert_eq!(attribute(&p, "W2", t(150)), Attribution::default());
}

#[test]
fn a_transcript_is_read_incrementally_and_a_restart_counts_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.jsonl");
    let fixture = include_str!("../../tests/fixtures/usage/claude-transcript.jsonl");
    let lines: Vec<&str> = fixture.lines().collect();
    std::fs::write(&path, format!("{}\n{}", lines[..4].join("\n"), &lines[4][..20])).unwrap();
    let mut c = Collector::default();
    let src = source_event(t(0), "%1", "W1", SourceKind::Claude, path.to_str().unwrap());
    c.absorb(std::slice::from_ref(&src));
    let first = c.collect(&plan(), &[], t(300));
    assert_eq!(first.len(), 1, "msg_01A once, though on three lines");
    c.absorb(&first);
    assert!(c.collect(&plan(), &[], t(301)).is_empty(), "nothing new");
    std::fs::write(&path, fixture).unwrap();
    let second = c.collect(&plan(), &[], t(302));
    assert_eq!(second.len(), 2, "msg_01B and msg_01C");
    c.absorb(&second);
    assert_eq!(c.spent_tokens, 3 + 187 + 4211 + 12044 + 5 + 96 + 310 + 16255 + 1 + 42 + 16565);
    // A new orchestrator replays the log: the same position, nothing counted again.
    let mut again = Collector::default();
    again.absorb(&[src, first[0].clone(), second[0].clone(), second[1].clone()]);
    assert!(again.collect(&plan(), &[], t(400)).is_empty());
    assert_eq!(again.spent_tokens, c.spent_tokens);
}

#[test]
fn codex_and_gemini_sources_and_aider_screens_become_usage_events() {
    let dir = tempfile::tempdir().unwrap();
    let rollout = dir.path().join("rollout.jsonl");
    std::fs::write(&rollout, include_str!("../../tests/fixtures/usage/codex-rollout.jsonl"))
        .unwrap();
    let session = dir.path().join("session.json");
    std::fs::write(&session, include_str!("../../tests/fixtures/usage/gemini-session.json"))
        .unwrap();
    let mut c = Collector::default();
    c.models.insert("A".into(), "gpt-4o".into());
    c.absorb(&[
        source_event(t(0), "%2", "W1", SourceKind::Codex, rollout.to_str().unwrap()),
        source_event(t(0), "%3", "W1", SourceKind::Gemini, session.to_str().unwrap()),
    ]);
    let screen = include_str!("../../tests/fixtures/usage/aider-screen.txt");
    let screens = vec![("%4".to_string(), "A".to_string(), screen.to_string())];
    let events = c.collect(&plan(), &screens, t(300));
    let agents: Vec<_> = events.iter().map(|e| e.extra["agent"].as_str().unwrap()).collect();
    assert_eq!(agents.iter().filter(|a| **a == "codex").count(), 2);
    assert_eq!(agents.iter().filter(|a| **a == "gemini").count(), 2);
    assert_eq!(agents.iter().filter(|a| **a == "aider").count(), 2);
    let aider = events.iter().find(|e| e.extra["agent"] == "aider").unwrap();
    assert_eq!(aider.extra["model"], "gpt-4o");
    assert_eq!(aider.extra["cost_usd"], 0.0072);
    c.absorb(&events);
    assert!(c.collect(&plan(), &screens, t(301)).is_empty(), "the same screen again");
    // Restarted: the codex total and the aider line come back from the log.
    let mut again = Collector::default();
    let mut history = vec![
        source_event(t(0), "%2", "W1", SourceKind::Codex, rollout.to_str().unwrap()),
        source_event(t(0), "%3", "W1", SourceKind::Gemini, session.to_str().unwrap()),
    ];
    history.extend(events.iter().cloned());
    again.absorb(&history);
    assert!(again.collect(&plan(), &screens, t(400)).is_empty());
}

#[test]
fn the_budget_view_says_what_is_spent_against_the_limits_and_what_was_told() {
    let mut c = Collector {
        config_budget: Some(BudgetConfig { usd: Some(1.0), ..Default::default() }),
        ..Collector::default()
    };
    let u = Usage {
        model: Some("claude-sonnet-4-5".into()),
        output_tokens: 60_000,
        ..Usage::default()
    };
    let to = Attribution { task: Some("001".into()), milestone: None };
    c.absorb(&[usage_event(t(1), "W1", "claude", &u, &to)]);
    assert_eq!(c.budget_view(&plan(), t(2)).verdict.level, BudgetLevel::Warning, "$0.90 of $1.00");
    c.absorb(&[usage_event(t(1), "W1", "claude", &u, &to)]);
    let v = c.budget_view(&plan(), t(2));
    assert_eq!(v.verdict.level, BudgetLevel::Exhausted);
    assert_eq!(v.verdict.limits, ["$1.80 of $1.00 (180%)"]);
    c.absorb(&[Event::new(t(3), EventKind::BudgetExhausted).with("limits", "x")]);
    assert_eq!(c.budget_view(&plan(), t(4)).reported, BudgetLevel::Exhausted);
    c.absorb(&[Event::new(t(5), EventKind::BudgetSet).with("usd", 5.0)]);
    let raised = c.budget_view(&plan(), t(6));
    assert_eq!((raised.verdict.level, raised.reported), (BudgetLevel::Under, BudgetLevel::Under));
    assert_eq!(model_flag("aider --model gpt-4o --no-git").as_deref(), Some("gpt-4o"));
    assert_eq!(model_flag("aider --model=o3").as_deref(), Some("o3"));
    assert_eq!(model_flag("aider"), None);
}

#[test]
fn a_pane_that_starts_a_new_conversation_has_its_old_transcript_read_once_more_then_left() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.jsonl"), dir.path().join("new.jsonl"));
    let line = |id: &str| {
        format!(
            r#"{{"type":"assistant","message":{{"id":"{id}","model":"claude-haiku-4-5","usage":{{"input_tokens":10,"output_tokens":1}}}}}}"#
        )
    };
    std::fs::write(&old, format!("{}\n", line("a"))).unwrap();
    let mut c = Collector::default();
    c.absorb(&[source_event(t(0), "%1", "W1", SourceKind::Claude, old.to_str().unwrap())]);
    let first = c.collect(&plan(), &[], t(300));
    c.absorb(&first);
    std::fs::write(&old, format!("{}\n{}\n", line("a"), line("b"))).unwrap();
    std::fs::write(&new, format!("{}\n", line("c"))).unwrap();
    c.absorb(&[source_event(t(1), "%1", "W1", SourceKind::Claude, new.to_str().unwrap())]);
    let got = c.collect(&plan(), &[], t(301));
    let ids: Vec<_> =
        got.iter().map(|e| e.extra["message"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 2, "b from the old file, c from the new: {ids:?}");
    std::fs::write(&old, format!("{}\n{}\n{}\n", line("a"), line("b"), line("d"))).unwrap();
    assert!(c.collect(&plan(), &[], t(302)).is_empty(), "the old file is left");
    assert!(c.sources[&old].retired && !c.sources[&new].retired);
}
