//! Tests of the per-agent statistics on the scripted mission.
use super::*;
use crate::report::fixture::{self, at};

fn roster() -> Vec<PaneInfo> {
    let pane = |t: &str, role: &str, sp: Option<&str>| PaneInfo {
        title: t.into(),
        role: Some(role.into()),
        specialty: sp.map(Into::into),
        window: None,
        live: None,
    };
    vec![
        pane("Frontend", "teammate", Some("frontend")),
        pane("Backend", "teammate", Some("backend")),
        pane("Validator", "validator", None),
    ]
}

fn stats<'r>(r: &'r AgentsReport, pane: &str) -> &'r AgentStats {
    r.agents.iter().find(|a| a.pane == pane).unwrap()
}

#[test]
fn busy_time_and_utilisation_come_from_dispatch_to_done() {
    let r = agents(&fixture::plan(), &fixture::events(), &roster(), fixture::now());
    assert_eq!(r.window_secs, 5400);
    let b = stats(&r, "Backend");
    // 20m + 30m + 10m done, plus 20m on 005 so far.
    assert_eq!((b.tasks_done, b.busy_secs), (3, 80 * 60));
    assert!((b.utilization - 80.0 / 90.0).abs() < 1e-9);
    let f = stats(&r, "Frontend");
    assert_eq!((f.tasks_done, f.busy_secs, f.idle_since), (1, 600, Some(at("10:10"))));
}

#[test]
fn a_validator_is_busy_from_dispatch_to_its_last_report_of_the_round() {
    let r = agents(&fixture::plan(), &fixture::events(), &roster(), fixture::now());
    let v = stats(&r, "Validator");
    assert_eq!((v.validation_rounds, v.busy_secs, v.idle_since), (2, 600, Some(at("11:10"))));
    assert!(v.flags.is_empty(), "an idle validator is not flagged: {:?}", v.flags);
}

#[test]
fn current_work_shows_the_task_and_how_long_it_has_run() {
    let r = agents(&fixture::plan(), &fixture::events(), &roster(), fixture::now());
    let c = stats(&r, "Backend").current.clone().unwrap();
    assert_eq!((c.task.as_deref(), c.since, c.elapsed_secs), (Some("005"), at("11:10"), 1200));
    assert_eq!(stats(&r, "Backend").state, AgentState::Busy);
}

#[test]
fn the_idle_the_overloaded_and_the_stalled_are_flagged() {
    let r = agents(&fixture::plan(), &fixture::events(), &roster(), fixture::now());
    assert_eq!(stats(&r, "Frontend").flags, vec![AgentFlag::Idle]);
    assert_eq!(stats(&r, "Backend").flags, vec![AgentFlag::Overloaded, AgentFlag::Stalled]);
    assert_eq!(stats(&r, "Backend").stalls, 1);
}

#[test]
fn roster_order_comes_first_then_panes_seen_only_in_events() {
    let r = agents(&fixture::plan(), &fixture::events(), &roster()[..1], fixture::now());
    let panes: Vec<&str> = r.agents.iter().map(|a| a.pane.as_str()).collect();
    // Lead only got a notice: it is not an agent.
    assert_eq!(panes, ["Frontend", "Backend", "Validator"]);
}

#[test]
fn an_exited_agent_is_shown_as_exited() {
    let mut events = fixture::events();
    events.push(Event::new(at("11:20"), EventKind::AgentExited).pane("Frontend"));
    let r = agents(&fixture::plan(), &events, &roster(), fixture::now());
    assert_eq!(stats(&r, "Frontend").state, AgentState::Exited);
    assert!(stats(&r, "Frontend").flags.is_empty());
}

#[test]
fn agents_text_matches_the_snapshot() {
    let r = agents(&fixture::plan(), &fixture::events(), &roster(), fixture::now());
    insta::assert_snapshot!(render_agents(&r, fixture::now()));
}

#[test]
fn a_live_state_from_tmux_outranks_the_log() {
    let mut panes = roster();
    panes[1].live = Some(AgentState::Exited);
    panes[0].live = Some(AgentState::Waiting);
    let r = agents(&fixture::plan(), &fixture::events(), &panes, fixture::now());
    assert_eq!(stats(&r, "Backend").state, AgentState::Exited);
    assert!(stats(&r, "Backend").current.is_some(), "its task is still shown");
    assert_eq!(stats(&r, "Frontend").state, AgentState::Waiting);
    assert_eq!(stats(&r, "Validator").state, AgentState::Idle);
}

#[test]
fn the_roster_names_each_pane_window_only_when_there_are_several() {
    let one = crate::config::Config::parse("rows:\n  - panes: [{title: A, command: claude}]\n");
    assert_eq!(super::roster(&one.unwrap())[0].window, None);
    let two = crate::config::Config::parse(
        "windows:\n  - name: w1\n    rows:\n      - panes: [{title: A, command: claude}]\n  - name: w2\n    rows:\n      - panes: [{title: B, command: claude}, {title: S}]\n",
    )
    .unwrap();
    let roster = super::roster(&two);
    let got: Vec<(&str, Option<&str>)> =
        roster.iter().map(|p| (p.title.as_str(), p.window.as_deref())).collect();
    assert_eq!(got, [("A", Some("w1")), ("B", Some("w2"))]);
}
