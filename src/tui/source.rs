//! What the live view shows, read from the project: the plan, the event log, the ide.yml
//! roster and the orchestrator's pid file, turned into the shared report data.
use jiff::Timestamp;

use crate::Result;
use crate::config::Config;
use crate::plan::Store;
use crate::plan::eventlog::read_event_log;
use crate::project::Project;
use crate::report::agents::PaneInfo;
use crate::report::orch::{
    OrchInput, OrchReport, RecentEvent, orch, parse_pid_file, recent_events,
};
use crate::report::overview::{Overview, overview};

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

/// The panes of ide.yml, or none when it is missing or does not load.
pub fn config_roster(project: &Project) -> Vec<PaneInfo> {
    if !project.ide_yml().exists() {
        return Vec::new();
    }
    Config::load(project).map(|c| crate::report::agents::roster(&c)).unwrap_or_default()
}

/// Reads the project once and computes every report the view shows, at `now`.
pub fn load(project: &Project, roster: &[PaneInfo], now: Timestamp) -> Result<Snapshot> {
    let plan = Store::new(project).load()?;
    let (events, corrupt) = read_event_log(&project.events_jsonl())?;
    let input = orch_input(project);
    Ok(Snapshot {
        overview: overview(&plan, &events, input.pid.is_some()),
        orch: orch(&plan, &events, roster, &input, now),
        stream: recent_events(&events, STREAM_EVENTS),
        corrupt_lines: corrupt.len(),
    })
}
