//! What the live view shows, read from the project: the plan, the event log, the ide.yml
//! roster with the state tmux shows, and the orchestrator's pid file, turned into the
//! shared report data. `orch` and `metrics agents` read their roster here too, so every
//! view judges a pane the same way.
use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::Result;
use crate::config::Config;
use crate::orchestrator::observe::Observer;
use crate::plan::Event;
use crate::project::Project;
use crate::report::agents::PaneInfo;
use crate::report::orch::{
    OrchInput, OrchReport, RecentEvent, orch, parse_pid_file, recent_events,
};
use crate::report::overview::{Overview, overview};
use crate::tmux::Tmux;

/// How many of the latest events the event panel can show.
pub const STREAM_EVENTS: usize = 200;

/// One reading of the project, as report data.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub overview: Overview,
    pub orch: OrchReport,
    /// The latest events, oldest first.
    pub stream: Vec<RecentEvent>,
    /// Lines of the event log that did not parse.
    pub corrupt_lines: usize,
    /// Task id → title, to name what an agent works on.
    pub titles: BTreeMap<String, String>,
    /// Tokens, dollars and the budget's state, once any usage or budget event is logged.
    pub cost: Option<crate::report::cost::CostTotals>,
}

/// The cost totals of `events` at the project's prices, when there is anything to show.
pub fn cost_totals(
    project: &Project,
    events: &[crate::plan::Event],
) -> Option<crate::report::cost::CostTotals> {
    let prices = Config::load(project).map(|c| crate::report::prices::Prices::new(&c.prices));
    let t = crate::report::cost::totals(events, &prices.unwrap_or_default());
    (t.messages > 0 || t.budget != crate::plan::rules::budget::BudgetLevel::Under).then_some(t)
}

/// The titles of the tasks the agents work on, by id (not every task's: a plan may hold
/// 100,000).
pub fn titles(
    plan: &crate::plan::Plan,
    agents: &crate::report::agents::AgentsReport,
) -> BTreeMap<String, String> {
    let wanted: std::collections::BTreeSet<&str> =
        agents.agents.iter().filter_map(|a| a.current.as_ref()?.task.as_deref()).collect();
    let mut titles = BTreeMap::new();
    for t in plan.tasks.iter().filter(|t| wanted.contains(t.id.as_str())) {
        // The first of equal ids, as `Plan::task` finds it.
        titles.entry(t.id.clone()).or_insert_with(|| t.title.clone());
    }
    titles
}

/// The orchestrator as seen from outside the log: the pid holding its lock and its start.
pub fn orch_input(project: &Project) -> OrchInput {
    let pid = project.orchestrator_alive();
    let started = pid
        .and_then(|_| std::fs::read_to_string(project.orchestrator_pid()).ok())
        .and_then(|text| parse_pid_file(&text))
        .map(|(_, started)| started);
    OrchInput { pid, started, last_tick: None }
}

/// The panes of ide.yml with their live state, or none when it is missing or does not load.
pub fn live_roster(project: &Project, tmux: &Tmux, events: &[Event]) -> Vec<PaneInfo> {
    if !project.ide_yml().exists() {
        return Vec::new();
    }
    let Ok(config) = Config::load(project) else { return Vec::new() };
    let mut roster = crate::report::agents::roster(&config);
    add_live_states(&mut roster, project, &config, tmux, events);
    roster
}

/// While the session runs, each pane's state as the orchestrator judges it (the same look
/// `detect` takes), so a dead pane reads `exited` in every view. Best effort: without tmux
/// or a running session, or where one look cannot tell (`unknown`), the event log speaks.
pub fn add_live_states(
    roster: &mut [PaneInfo],
    project: &Project,
    config: &Config,
    tmux: &Tmux,
    events: &[Event],
) {
    let Ok(panes) = tmux.list_panes(&crate::tmux::session_name(project, config)) else {
        return;
    };
    let mut observer = Observer::for_config(config);
    observer.absorb(events);
    for (view, _) in observer.observe(tmux, &panes, Timestamp::now()).0 {
        if let Some(pane) = roster.iter_mut().find(|p| p.title == view.title) {
            pane.live = Some(view.state).filter(|s| *s != crate::agent::state::AgentState::Unknown);
        }
    }
}

/// Reads the project once and computes every report the view shows, at `now`.
pub fn load(project: &Project, tmux: &Tmux, now: Timestamp) -> Result<Snapshot> {
    let (plan, events, corrupt) = crate::plan::bulk::load_plan_and_log(project)?;
    let input = orch_input(project);
    let roster = live_roster(project, tmux, &events);
    let orch = orch(&plan, &events, &roster, &input, now);
    let snapshot = Snapshot {
        overview: overview(&plan, &events, input.pid.is_some()),
        titles: titles(&plan, &orch.agents),
        orch,
        stream: recent_events(&events, STREAM_EVENTS),
        corrupt_lines: corrupt.len(),
        cost: cost_totals(project, &events),
    };
    // Freeing 100,000 tasks and events one allocation at a time takes a while: done on
    // the side, so the frame is drawn meanwhile.
    // Should no thread start, the closure (and with it the reading) is dropped right here.
    let _ = std::thread::Builder::new().spawn(move || drop((plan, events)));
    Ok(snapshot)
}

/// Lines of a pane kept for its preview: more than any terminal shows of it.
const PREVIEW_LINES: usize = 60;

/// The last lines of the session's pane titled `title`, or none without a running session
/// or such a pane. Best effort, like the live states: the view goes on without it.
pub fn preview(project: &Project, tmux: &Tmux, title: &str) -> Option<super::app::Preview> {
    let config = Config::load(project).ok()?;
    let panes = tmux.list_panes(&crate::tmux::session_name(project, &config)).ok()?;
    let pane = panes.into_iter().find(|p| p.title == title)?;
    let text = tmux.capture(&pane.id, PREVIEW_LINES).ok()?;
    let lines = text.lines().map(str::to_string).collect();
    Some(super::app::Preview { pane: title.to_string(), lines })
}
