//! What the dashboard shows, computed with the shared reports (`crate::report`) from the
//! store, the event log (with line numbers: they are the stream's event ids), the
//! validation contract and ide.yml's panes.
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use jiff::Timestamp;
use serde::Serialize;

use crate::config::Config;
use crate::contract::Contract;
use crate::plan::eventlog;
use crate::plan::rules::{TaskIndex, assertion_milestone};
use crate::plan::{AssertionStatus, Event, Plan, Store, Task, TaskStatus};
use crate::project::Project;
use crate::report::agents::{self, AgentsReport, PaneInfo};
use crate::report::metrics::{self, Metrics};
use crate::report::orch::describe_event;
use crate::report::overview::{self, MilestoneLine, Overview};
use crate::report::working::working_agents;
use crate::report::{coverage, validation};
use crate::{Error, Result};

/// One line of the event log with its 1-based line number (its id in the stream).
#[derive(Debug, Clone, Serialize)]
pub struct LogEvent {
    pub id: usize,
    #[serde(flatten)]
    pub event: Event,
    /// The event in a sentence (`report::orch::describe_event`).
    pub text: String,
}

/// Complete lines of the event log from byte `offset` on, numbered from `lines + 1`.
/// Returns them with the new offset and line count. A torn last line (no newline yet)
/// is left for the next read; a corrupt line keeps its number but is skipped.
pub fn read_log_from(
    path: &Path,
    offset: u64,
    lines: usize,
) -> Result<(Vec<LogEvent>, u64, usize)> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0, 0)),
        Err(e) => return Err(Error::io(path, e)),
    };
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    // A log that shrank was replaced: read it again from the start.
    let (offset, lines) = if len < offset { (0, 0) } else { (offset, lines) };
    file.seek(SeekFrom::Start(offset)).map_err(|e| Error::io(path, e))?;
    let mut buf = Vec::new();
    file.read_to_end(&mut buf).map_err(|e| Error::io(path, e))?;
    let complete = buf.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let text = String::from_utf8_lossy(&buf[..complete]);
    let mut out = Vec::new();
    let mut n = lines;
    for line in text.split_terminator('\n') {
        n += 1;
        let (events, _corrupt) = eventlog::parse_event_log(line);
        for event in events {
            let text = describe_event(&event);
            out.push(LogEvent { id: n, event, text });
        }
    }
    Ok((out, offset + complete as u64, n))
}

/// Everything the reports are computed from, read once.
#[derive(Debug)]
pub struct Inputs {
    pub plan: Plan,
    pub events: Vec<LogEvent>,
    pub contract: Contract,
    pub roster: Vec<PaneInfo>,
    pub orchestrator_alive: bool,
    pub last_event_id: usize,
    /// The prices usage is costed at (built-in, with ide.yml's `prices:`).
    pub prices: crate::report::prices::Prices,
}

impl Inputs {
    /// Reads the plan, the whole event log, the contract and ide.yml's agent panes.
    pub fn load(project: &Project) -> Result<Inputs> {
        let plan = Store::new(project).load()?;
        let (events, _, last_event_id) = read_log_from(&project.events_jsonl(), 0, 0)?;
        let contract = Contract::load(project)?;
        Ok(Inputs {
            plan,
            events,
            contract,
            roster: roster(project),
            orchestrator_alive: project.orchestrator_alive().is_some(),
            last_event_id,
            prices: crate::config::Config::load(project)
                .map(|c| crate::report::prices::Prices::new(&c.prices))
                .unwrap_or_default(),
        })
    }

    fn plain_events(&self) -> Vec<Event> {
        self.events.iter().map(|e| e.event.clone()).collect()
    }
}

/// The panes of ide.yml that run agents (not plain shells); none when there is no
/// valid ide.yml (the reports then use the panes seen in events).
fn roster(project: &Project) -> Vec<PaneInfo> {
    Config::load(project).map(|c| crate::report::agents::roster(&c)).unwrap_or_default()
}

/// A task with what the board needs besides its stored fields.
#[derive(Debug, Serialize)]
pub struct TaskView<'a> {
    #[serde(flatten)]
    pub task: &'a Task,
    pub blocked_by: Vec<&'a str>,
    pub ready: bool,
}

/// An assertion of the contract with its coverage and its last reported result.
#[derive(Debug, Serialize)]
pub struct AssertionView {
    pub id: String,
    pub text: String,
    pub section: String,
    /// The milestone that checks it (`None` while no task fulfils it).
    pub milestone: Option<String>,
    pub covered_by: Vec<String>,
    pub status: AssertionStatus,
    pub evidence: String,
    pub reporter: Option<String>,
    pub updated: Option<Timestamp>,
    /// Open remediation tasks.
    pub remediation: Vec<String>,
}

/// One point of the completion chart: tasks done by `ts`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CompletionPoint {
    pub ts: Timestamp,
    pub done: usize,
}

#[derive(Debug, Serialize)]
pub struct MetricsView {
    #[serde(flatten)]
    pub metrics: Metrics,
    /// Tasks done over time, oldest first, starting at the mission's start with 0.
    pub completion: Vec<CompletionPoint>,
    /// Tokens, dollars and the budget's state, once any usage or budget event is logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<crate::report::cost::CostTotals>,
}

/// Everything the page shows, sent on every change of the store.
#[derive(Debug, Serialize)]
pub struct Snapshot<'a> {
    pub mission: Overview,
    pub tasks: Vec<TaskView<'a>>,
    pub assertions: Vec<AssertionView>,
    pub agents: AgentsReport,
    pub metrics: MetricsView,
    pub last_event_id: usize,
}

pub fn mission(i: &Inputs) -> Overview {
    overview::overview(&i.plan, &i.plain_events(), i.orchestrator_alive)
}

pub fn milestones(i: &Inputs) -> Vec<MilestoneLine> {
    mission(i).milestones
}

pub fn tasks(plan: &Plan) -> Vec<TaskView<'_>> {
    let index = TaskIndex::new(plan);
    plan.tasks
        .iter()
        .map(|t| TaskView { task: t, blocked_by: index.blocked_by(t), ready: index.is_ready(t) })
        .collect()
}

pub fn assertions(i: &Inputs) -> Vec<AssertionView> {
    let cov = coverage(&i.plan, &i.contract);
    let ids = i.contract.ids();
    let results = validation::report_for(&i.plan, &i.contract, "", "", &ids);
    i.contract
        .assertions
        .iter()
        .zip(cov.assertions)
        .zip(results.rows)
        .map(|((a, c), r)| AssertionView {
            id: a.id.clone(),
            text: a.text.clone(),
            section: a.section.clone(),
            milestone: assertion_milestone(&i.plan, &a.id).map(str::to_string),
            covered_by: c.covered_by,
            status: r.status,
            evidence: r.evidence,
            reporter: r.reporter,
            updated: r.updated,
            remediation: r.remediation,
        })
        .collect()
}

pub fn agents(i: &Inputs, now: Timestamp) -> AgentsReport {
    agents::agents(&i.plan, &i.plain_events(), &i.roster, now)
}

pub fn metrics(i: &Inputs, now: Timestamp) -> MetricsView {
    let events = i.plain_events();
    let n = working_agents(&i.plan, &events, now);
    let m = metrics::metrics(&i.plan, &events, n, now);
    let mut done: Vec<Timestamp> = i
        .plan
        .tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Done)
        .filter_map(|t| t.finished)
        .collect();
    done.sort();
    let start = m.started.or(done.first().copied());
    let completion = start
        .map(|ts| CompletionPoint { ts, done: 0 })
        .into_iter()
        .chain(done.into_iter().enumerate().map(|(n, ts)| CompletionPoint { ts, done: n + 1 }))
        .collect();
    let cost = crate::report::cost::totals(&events, &i.prices);
    let shown = cost.messages > 0 || cost.budget != crate::plan::rules::budget::BudgetLevel::Under;
    MetricsView { metrics: m, completion, cost: shown.then_some(cost) }
}

/// The events after `since` (an event id), at most the last `limit` of them.
pub fn events_since(i: &Inputs, since: usize, limit: usize) -> Vec<&LogEvent> {
    let after: Vec<&LogEvent> = i.events.iter().filter(|e| e.id > since).collect();
    let skip = after.len().saturating_sub(limit);
    after[skip..].to_vec()
}

pub fn snapshot(i: &Inputs, now: Timestamp) -> Snapshot<'_> {
    Snapshot {
        mission: mission(i),
        tasks: tasks(&i.plan),
        assertions: assertions(i),
        agents: agents(i, now),
        metrics: metrics(i, now),
        last_event_id: i.last_event_id,
    }
}

#[cfg(test)]
mod tests {
    use super::read_log_from;

    const A: &str = r#"{"ts":"2026-11-25T10:00:00.000Z","type":"a"}"#;
    const B: &str = r#"{"ts":"2026-11-25T10:00:01.000Z","type":"b"}"#;

    #[test]
    fn log_lines_are_numbered_and_read_on_from_where_the_last_read_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("events.jsonl");
        std::fs::write(&log, format!("{A}\nnot json\n{B}\n{{\"ts\":\"20")).unwrap();
        let (events, offset, lines) = read_log_from(&log, 0, 0).unwrap();
        let ids: Vec<(usize, &str)> =
            events.iter().map(|e| (e.id, e.event.kind.as_str())).collect();
        assert_eq!(
            ids,
            [(1, "a"), (3, "b")],
            "the corrupt line keeps its number, the torn one waits"
        );
        assert_eq!(lines, 3);
        std::fs::write(&log, format!("{A}\nnot json\n{B}\n{A}\n{B}\n")).unwrap();
        let (events, _, lines) = read_log_from(&log, offset, lines).unwrap();
        assert_eq!(events.iter().map(|e| e.id).collect::<Vec<_>>(), [4, 5]);
        assert_eq!(lines, 5);
    }

    #[test]
    fn a_log_that_shrank_is_read_again_from_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("events.jsonl");
        std::fs::write(&log, format!("{B}\n")).unwrap();
        let (events, _, lines) = read_log_from(&log, 10_000, 40).unwrap();
        assert_eq!((events.len(), events[0].id, lines), (1, 1, 1));
        let (events, offset, lines) = read_log_from(&dir.path().join("missing"), 0, 0).unwrap();
        assert_eq!((events.len(), offset, lines), (0, 0, 0));
    }
}
