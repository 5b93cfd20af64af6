//! Tests of `orch`: the scripted mission, a recorded demo log, a stopped orchestrator.
use super::*;
use crate::report::fixture::{self, at};

fn input() -> OrchInput {
    OrchInput { pid: Some(4242), started: Some(at("09:59")), last_tick: None }
}

#[test]
fn the_last_sign_of_life_counts_every_event_the_orchestrator_writes() {
    let mut events = fixture::events();
    events.push(
        Event::new(at("11:28"), "prompt_landed")
            .pane("Backend")
            .with("evidence", "self-report busy"),
    );
    let r = orch(&fixture::plan(), &events, &[], &input(), fixture::now());
    assert_eq!(r.orchestrator.last_tick, Some(at("11:28")));
}

#[test]
fn every_event_the_real_writers_write_reads_as_words() {
    for e in fixture::demo_events().iter().chain(&fixture::events()) {
        let text = describe_event(e);
        // The fallback spells the type out; only `mission complete` is meant to read so.
        let fallback =
            text == e.kind.as_str().replace('_', " ") && e.kind != EventKind::MissionComplete;
        assert!(!text.contains('?') && !fallback, "{e:?}: {text}");
    }
}

#[test]
fn the_pid_file_gives_pid_and_start_time() {
    assert_eq!(parse_pid_file("4242 2026-03-02T09:59:00Z\n"), Some((4242, at("09:59"))));
    assert_eq!(parse_pid_file("garbage"), None);
}

#[test]
fn uptime_and_last_tick_come_from_the_pid_file_and_the_latest_orchestrator_event() {
    let r = orch(&fixture::plan(), &fixture::events(), &[], &input(), fixture::now());
    assert_eq!(r.orchestrator.uptime_secs, Some(91 * 60));
    assert_eq!(r.orchestrator.last_tick, Some(at("11:25")));
    let dead =
        orch(&fixture::plan(), &fixture::events(), &[], &OrchInput::default(), fixture::now());
    assert_eq!((dead.orchestrator.alive, dead.orchestrator.uptime_secs), (false, None));
    assert_eq!(dead.orchestrator.started, Some(at("09:59")));
}

#[test]
fn the_ready_queue_is_in_dispatch_order() {
    let r = orch(&fixture::plan(), &fixture::events(), &[], &input(), fixture::now());
    let ids: Vec<&str> = r.ready.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["008", "007"]);
}

#[test]
fn blocked_tasks_name_what_blocks_them() {
    let r = orch(&fixture::plan(), &fixture::events(), &[], &input(), fixture::now());
    let blocked: Vec<(&str, &[Blocker])> =
        r.blocked.iter().map(|b| (b.id.as_str(), b.blocked_by.as_slice())).collect();
    assert_eq!(
        blocked,
        [
            (
                "006",
                &[Blocker::Depends { task: "005".into(), status: Some(TaskStatus::InProgress) }][..]
            ),
            (
                "009",
                &[Blocker::Milestone {
                    milestone: "M3".into(),
                    status: Some(MilestoneStatus::Locked)
                }][..]
            ),
        ]
    );
}

#[test]
fn orch_text_matches_the_snapshot() {
    let r = orch(&fixture::plan(), &fixture::events(), &[], &input(), fixture::now());
    insta::assert_snapshot!(render_orch(&r, fixture::now()));
}

#[test]
fn orch_text_of_a_recorded_demo_log_matches_the_snapshot() {
    let (plan, events) = (fixture::demo_plan(), fixture::demo_events());
    let r = orch(&plan, &events, &[], &OrchInput::default(), fixture::demo_now());
    assert!(r.recent.iter().all(|e| e.kind != EventKind::PaneState && !e.text.contains('?')));
    insta::assert_snapshot!(render_orch(&r, fixture::demo_now()));
}

#[test]
fn orch_text_of_a_stopped_orchestrator_matches_the_snapshot() {
    let r = orch(&Default::default(), &[], &[], &OrchInput::default(), fixture::now());
    insta::assert_snapshot!(render_orch(&r, fixture::now()));
}

#[test]
fn a_task_given_up_on_shows_why_and_how_to_retry_it() {
    let mut plan = fixture::plan();
    let t = plan.task_mut("007").unwrap();
    t.status = TaskStatus::Blocked;
    t.blocked_reason = Some("the agent in pane \"Backend\" exited (4 failed attempts)".into());
    let r = orch(&plan, &fixture::events(), &[], &input(), fixture::now());
    let mine = r.blocked.iter().find(|b| b.id == "007").unwrap();
    let reason = "the agent in pane \"Backend\" exited (4 failed attempts)".to_string();
    assert_eq!(mine.blocked_by, [Blocker::Failed { reason }]);
    let text = render_orch(&r, fixture::now());
    assert!(
        text.contains("gave up: the agent in pane \"Backend\" exited (4 failed attempts)"),
        "{text}"
    );
    assert!(text.contains("tmux-ide task update <id> --status todo"), "{text}");
    let json = serde_json::to_value(&r).unwrap();
    let blocked = json["blocked"].as_array().unwrap().iter().find(|b| b["id"] == "007").unwrap();
    assert_eq!(blocked["blocked_by"][0]["kind"], "failed", "{json}");
}

#[test]
fn a_task_backing_off_shows_when_it_is_retried() {
    let mut plan = fixture::plan();
    let at = fixture::now() + jiff::SignedDuration::from_secs(20);
    plan.task_mut("008").unwrap().retry_after = Some(at);
    let r = orch(&plan, &fixture::events(), &[], &input(), fixture::now());
    assert_eq!(r.ready.iter().find(|t| t.id == "008").unwrap().retry_after, Some(at));
    let text = render_orch(&r, fixture::now());
    assert!(text.contains("(retry in 20s)"), "{text}");
    let past = orch(&plan, &fixture::events(), &[], &input(), at);
    assert_eq!(past.ready.iter().find(|t| t.id == "008").unwrap().retry_after, None);
}
