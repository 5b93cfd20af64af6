//! Tests of judging a pane's state from its profile, self-reports and screen.
use super::*;
use crate::agent::state::state_event;
use crate::config::Agent;

fn at(s: u64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + s as i64).unwrap()
}

fn ev(report: Option<(ReportedState, u64)>, screen: &str, changed: u64, now: u64) -> Evidence<'_> {
    Evidence {
        dead: false,
        report: report.map(|(s, t)| (s, at(t))),
        screen,
        title: "",
        last_change: at(changed),
        now: at(now),
    }
}

const CLAUDE_IDLE: &str = "────\n❯ \n────\n  ? for shortcuts";
const CLAUDE_BUSY: &str = "✻ Working…\n────\n❯ \n────\n  esc to interrupt";

#[test]
fn a_dead_pane_is_exited_whatever_it_reported() {
    let sim = Profile::builtin(Agent::Sim);
    let e = Evidence { dead: true, ..ev(Some((ReportedState::Idle, 0)), "sim> ", 0, 1) };
    assert_eq!(judge(&sim, &e), Judgement { state: AgentState::Exited, signal: Signal::PaneDead });
}

#[test]
fn a_fresh_self_report_outranks_the_screen() {
    let sim = Profile::builtin(Agent::Sim);
    let j = judge(&sim, &ev(Some((ReportedState::Busy, 5)), "sim> ", 9, 10));
    assert_eq!(j.state, AgentState::Busy);
    assert_eq!(j.signal, Signal::SelfReport { age: SignedDuration::from_secs(5) });
}

#[test]
fn an_old_self_report_is_reconciled_with_the_screen() {
    let claude = Profile::builtin(Agent::Claude);
    // Reported busy 20 minutes ago; the screen changed since and shows the idle prompt.
    let j = judge(&claude, &ev(Some((ReportedState::Busy, 0)), CLAUDE_IDLE, 1000, 1200));
    assert_eq!(j.state, AgentState::Idle);
    assert!(matches!(j.signal, Signal::Screen { seen: ScreenState::Ready, .. }));
    // Nothing on the screen the profile knows: the old report is all there is.
    let j = judge(&claude, &ev(Some((ReportedState::Busy, 0)), "garbage", 1000, 1200));
    assert_eq!(j.signal, Signal::StaleReport { age: SignedDuration::from_secs(1200) });
}

#[test]
fn an_idle_only_hook_wins_only_when_newer_than_the_last_screen_change() {
    let codex = Profile::builtin(Agent::Codex);
    let busy = "Working (3s • esc to interrupt)\n▌ \n⏎ send";
    let j = judge(&codex, &ev(Some((ReportedState::Idle, 5)), busy, 8, 10));
    assert_eq!(j.state, AgentState::Busy, "the screen moved on after the turn-complete notify");
    let j = judge(&codex, &ev(Some((ReportedState::Idle, 9)), busy, 8, 10));
    assert_eq!(j.state, AgentState::Idle);
}

#[test]
fn claude_busy_outranks_its_visible_prompt_line() {
    let claude = Profile::builtin(Agent::Claude);
    assert_eq!(judge(&claude, &ev(None, CLAUDE_BUSY, 0, 1)).state, AgentState::Busy);
    assert_eq!(judge(&claude, &ev(None, CLAUDE_IDLE, 0, 1)).state, AgentState::Idle);
}

#[test]
fn a_rate_limit_on_screen_outranks_a_fresh_idle_report() {
    let claude = Profile::builtin(Agent::Claude);
    let screen = "API Error: 429 rate limit exceeded\n────\n❯ \n────";
    let j = judge(&claude, &ev(Some((ReportedState::Idle, 9)), screen, 9, 10));
    assert_eq!(j.state, AgentState::RateLimited);
}

#[test]
fn an_agent_without_a_report_or_a_known_screen_is_unknown() {
    let claude = Profile::builtin(Agent::Claude);
    let j = judge(&claude, &ev(None, "$ ", 0, 1));
    assert_eq!(j, Judgement { state: AgentState::Unknown, signal: Signal::Nothing });
}

#[test]
fn the_sim_is_idle_when_its_prompt_is_the_last_line() {
    let sim = Profile::builtin(Agent::Sim);
    assert_eq!(judge(&sim, &ev(None, "done\nsim> \n\n", 0, 1)).state, AgentState::Idle);
    assert_eq!(judge(&sim, &ev(None, "sim> \n● working", 0, 1)).state, AgentState::Busy);
}

#[test]
fn the_latest_self_report_wins() {
    let mut o = Observer::default();
    o.absorb(&[
        crate::agent::state::state_event(at(2), "%1", "Backend", ReportedState::Busy),
        crate::agent::state::state_event(at(1), "%1", "Backend", ReportedState::Idle),
    ]);
    assert_eq!(o.report("%1").map(|r| r.0), Some(ReportedState::Busy));
}

#[test]
fn a_question_is_handled_once_per_appearance_and_ide_yml_can_opt_out() {
    let view = |id: &str| PaneView {
        id: id.into(),
        title: "A".into(),
        role: Role::Teammate,
        specialty: None,
        state: AgentState::Waiting,
        last_output_change: at(0),
        pid: 1,
    };
    let panes = [view("%1")];
    let ask = |cmd: &str| ApprovalRequest { question: "Run shell command?", command: cmd.into() };
    let text = "rows:\n  - panes:\n      - {title: A, agent: aider}\norchestrator: {auto_approve: false}\n";
    let mut off = Observer::for_config(&crate::config::Config::parse(text).unwrap());
    off.track_question("%1", Some(ask("tmux-ide agent idle")), true);
    assert!(!off.questions(&panes)[0].auto_approve, "orchestrator.auto_approve: false");

    let mut obs = Observer { auto_approve: true, ..Observer::default() };
    obs.track_question("%1", Some(ask("tmux-ide agent idle")), false);
    assert!(!obs.questions(&panes)[0].auto_approve, "the profile's auto_approve: false");
    obs.track_question("%1", Some(ask("tmux-ide agent idle")), true);
    assert!(obs.questions(&panes)[0].auto_approve);
    obs.handled("%1", "Run shell command?", "tmux-ide agent idle");
    obs.track_question("%1", Some(ask("tmux-ide agent idle")), true);
    assert!(obs.questions(&panes)[0].handled, "still the same question on screen");
    obs.track_question("%1", None, true);
    assert!(obs.questions(&panes).is_empty());
    obs.track_question("%1", Some(ask("tmux-ide agent idle")), true);
    assert!(!obs.questions(&panes)[0].handled, "asked again after it went away");
}

#[test]
fn the_title_tells_when_the_screen_shows_nothing_known() {
    let gemini = Profile::builtin(Agent::Gemini);
    let titled = |title| Evidence { title, ..ev(None, "a half-drawn dialog", 0, 1) };
    let j = judge(&gemini, &titled("✋  Action Required (proj)                    "));
    assert_eq!(j.state, AgentState::Waiting);
    assert!(j.signal.to_string().contains("pane title"), "{}", j.signal);
    assert_eq!(judge(&gemini, &titled("✦  Working… (proj)")).state, AgentState::Busy);
    // `Ready` is not believed: Gemini CLI says so while its trust dialog is open.
    assert_eq!(judge(&gemini, &titled("◇  Ready (proj)")).state, AgentState::Unknown);
    // The screen, when known, outranks the title.
    let idle = Evidence { title: "✦  Working… (proj)", ..ev(None, "Type your message", 0, 1) };
    assert_eq!(judge(&gemini, &idle).state, AgentState::Idle);
}

#[test]
fn a_report_from_before_the_tmux_server_started_is_about_another_pane() {
    // A new server reuses pane ids: the old %1's "idle" must not make the new %1 look
    // ready before its agent has even started.
    let mut o = Observer::default();
    o.absorb(&[state_event(at(5), "%1", "Backend", ReportedState::Idle)]);
    o.set_server_start(at(6));
    assert_eq!(o.report("%1"), None);
    o.absorb(&[state_event(at(6), "%1", "Backend", ReportedState::Busy)]);
    assert_eq!(o.report("%1").map(|r| r.0), Some(ReportedState::Busy));
    // tmux gives the start in whole seconds; a pane found restarted is forgotten outright.
    o.forget("%1");
    assert_eq!(o.report("%1"), None);
}

#[test]
fn a_respawned_pane_forgets_what_its_previous_program_reported() {
    // A shell-role pane is never captured, so no tmux server is needed.
    let info = |pid| PaneInfo {
        id: "%4".into(),
        window: "ide".into(),
        window_index: 0,
        title: "Backend".into(),
        role: Some(Role::Shell),
        specialty: None,
        agent: Some(Agent::Claude),
        current_command: "claude".into(),
        pid,
        dead: false,
        width: 80,
        height: 24,
        left: 0,
        top: 0,
        pane_title: String::new(),
    };
    let tmux = Tmux::new(Some("tmux-ide-unit-no-server".into()));
    let mut o = Observer::default();
    o.absorb(&[crate::agent::state::state_event(at(5), "%4", "Backend", ReportedState::Busy)]);
    let (seen, _) = o.observe(&tmux, &[info(100)], at(6));
    assert_eq!(seen[0].0.state, AgentState::Busy);
    let (seen, _) = o.observe(&tmux, &[info(101)], at(7));
    assert_eq!((seen[0].0.state, seen[0].0.pid), (AgentState::Unknown, 101));
}
