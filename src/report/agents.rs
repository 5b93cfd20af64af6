//! `tmux-ide metrics agents`: per pane, its work replayed from the event log — tasks
//! done, busy time, utilisation, current work, idle time, stalls — and who is idle or
//! overloaded.
use std::collections::{BTreeSet, HashMap};

use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use super::metrics::{mission_events, mission_window};
use super::timefmt::secs_between;
pub use crate::agent::state::AgentState;
use crate::plan::{Event, EventKind, MissionStatus, Plan};

mod render;
pub use render::{describe_work, render_agents};

/// A pane idle this long (seconds) while the mission runs is flagged `idle`.
pub const IDLE_FLAG_SECS: u64 = 600;
/// A pane busy at least this share of the mission's wall clock is flagged `overloaded`.
pub const OVERLOADED_UTILIZATION: f64 = 0.85;

/// A pane as `ide.yml` describes it (the roster); panes seen only in events are added.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaneInfo {
    pub title: String,
    pub role: Option<String>,
    pub specialty: Option<String>,
    /// Its window, when ide.yml has several (`windows:`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// The state tmux shows now (session running); it outranks what the log implies.
    pub live: Option<AgentState>,
}

/// The panes of ide.yml that can run an agent (every role but plain shells), in layout
/// order, with no live state: the roster the agent reports start from.
pub fn roster(config: &crate::config::Config) -> Vec<PaneInfo> {
    let several = !config.windows.is_empty();
    let mut roster = Vec::new();
    for window in config.layout_windows() {
        for pane in window.panes().filter(|p| p.role != crate::config::Role::Shell) {
            let window = several.then(|| window.name.to_string());
            roster.push(PaneInfo { window, ..PaneInfo::from_config(pane) });
        }
    }
    roster
}

impl PaneInfo {
    /// A pane of ide.yml, with no live state.
    pub fn from_config(pane: &crate::config::Pane) -> PaneInfo {
        PaneInfo {
            title: pane.title.clone(),
            role: Some(pane.role.as_str().to_string()),
            specialty: pane.specialty.clone(),
            window: None,
            live: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentFlag {
    Idle,
    Overloaded,
    Stalled,
}

/// What a pane is working on now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurrentWork {
    /// The task id, or `None` for a validation round.
    pub task: Option<String>,
    /// The milestone, for a validation round.
    pub milestone: Option<String>,
    pub round: Option<u32>,
    pub since: Timestamp,
    pub elapsed_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentStats {
    pub pane: String,
    /// The pane's window, when ide.yml has several (`windows:`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    pub role: Option<String>,
    pub specialty: Option<String>,
    pub state: AgentState,
    pub tasks_done: usize,
    pub validation_rounds: usize,
    pub busy_secs: u64,
    /// busy / mission wall clock, 0..=1.
    pub utilization: f64,
    pub current: Option<CurrentWork>,
    /// When its last work ended (the window start if it never worked); `None` when busy.
    pub idle_since: Option<Timestamp>,
    pub stalls: usize,
    pub flags: Vec<AgentFlag>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentsReport {
    pub window_start: Option<Timestamp>,
    pub window_secs: u64,
    pub agents: Vec<AgentStats>,
}

#[derive(Default)]
struct Acc {
    tasks_done: usize,
    rounds: usize,
    busy_ms: i64,
    last_end: Option<Timestamp>,
    stalls: Vec<(Timestamp, String)>,
    exited_at: Option<Timestamp>,
    reported: Option<(Timestamp, String)>,
    validator: bool,
}

struct Round<'e> {
    pane: &'e str,
    milestone: &'e str,
    round: Option<u32>,
    start: Timestamp,
    pending: BTreeSet<&'e str>,
}

fn end_work(acc: &mut Acc, start: Timestamp, end: Timestamp) {
    acc.busy_ms += (end.as_millisecond() - start.as_millisecond()).max(0);
    acc.last_end = Some(acc.last_end.map_or(end, |l| l.max(end)));
}

fn str_field<'e>(e: &'e Event, key: &str) -> Option<&'e str> {
    e.extra.get(key).and_then(Value::as_str)
}

/// Per-pane statistics over the current mission's events, with `now` as the clock.
pub fn agents(plan: &Plan, events: &[Event], roster: &[PaneInfo], now: Timestamp) -> AgentsReport {
    let events = mission_events(plan, events);
    let mut acc: HashMap<&str, Acc> = HashMap::new();
    let mut open_tasks: HashMap<&str, (&str, Timestamp)> = HashMap::new();
    let mut rounds: Vec<Round> = Vec::new();
    for e in events {
        let pane = e.pane.as_deref();
        match (&e.kind, e.task.as_deref(), pane) {
            (EventKind::TaskDispatched | EventKind::TaskClaimed, Some(task), Some(pane)) => {
                match open_tasks.get(task) {
                    Some((p, _)) if *p == pane => continue,
                    Some(&(p, start)) => end_work(acc.entry(p).or_default(), start, e.ts),
                    None => {}
                }
                acc.entry(pane).or_default();
                open_tasks.insert(task, (pane, e.ts));
            }
            (EventKind::TaskDone | EventKind::TaskCancelled, Some(task), _) => {
                let open = open_tasks.remove(task);
                if let Some((p, start)) = open {
                    end_work(acc.entry(p).or_default(), start, e.ts);
                }
                if e.kind == EventKind::TaskDone
                    && let Some(p) = pane.or(open.map(|o| o.0))
                {
                    acc.entry(p).or_default().tasks_done += 1;
                }
            }
            (EventKind::ValidationDispatched, _, Some(pane)) => {
                let pending = e.extra.get("assertions").and_then(Value::as_array);
                let pending = pending.into_iter().flatten().filter_map(Value::as_str).collect();
                acc.entry(pane).or_default().validator = true;
                rounds.push(Round {
                    pane,
                    milestone: e.milestone.as_deref().unwrap_or(""),
                    round: e.extra.get("round").and_then(Value::as_u64).map(|r| r as u32),
                    start: e.ts,
                    pending,
                });
            }
            (EventKind::AssertionReported, _, _) => {
                let reporter = str_field(e, "reporter").or(pane);
                let (Some(a), Some(who)) = (e.assertion.as_deref(), reporter) else { continue };
                for r in rounds.iter_mut().filter(|r| r.pane == who) {
                    r.pending.remove(a);
                }
                close_rounds(&mut rounds, &mut acc, e.ts, |r| r.pending.is_empty());
            }
            (EventKind::MilestoneDone | EventKind::MilestoneValidationFailed, _, _) => {
                let ms = e.milestone.as_deref().unwrap_or("");
                close_rounds(&mut rounds, &mut acc, e.ts, |r| r.milestone == ms);
            }
            (EventKind::StallDetected, Some(task), Some(pane)) => {
                acc.entry(pane).or_default().stalls.push((e.ts, task.to_string()));
            }
            (EventKind::AgentExited, _, Some(pane)) => {
                acc.entry(pane).or_default().exited_at = Some(e.ts);
            }
            (EventKind::AgentState, _, Some(pane)) => {
                let state = str_field(e, "state").unwrap_or("").to_string();
                acc.entry(pane).or_default().reported = Some((e.ts, state));
            }
            _ => {}
        }
    }

    let (window_start, end) = mission_window(plan, now);
    let window_secs = window_start.map_or(0, |s| secs_between(s, end));
    let running = plan.mission.as_ref().is_some_and(|m| m.status == MissionStatus::Active);
    let mut titles: Vec<&str> = roster.iter().map(|p| p.title.as_str()).collect();
    let mut seen: Vec<&str> = acc.keys().copied().filter(|p| !titles.contains(p)).collect();
    seen.sort_unstable();
    titles.extend(seen);

    // The status of each open task, found in one pass (the first of equal ids, as
    // `Plan::task`): looking each up by scanning the plan was agents × tasks.
    let mut open_status: HashMap<&str, crate::plan::TaskStatus> = HashMap::new();
    if !open_tasks.is_empty() {
        for t in &plan.tasks {
            if open_tasks.contains_key(t.id.as_str()) {
                open_status.entry(t.id.as_str()).or_insert(t.status);
            }
        }
    }
    let mut out = Vec::with_capacity(titles.len());
    for title in titles {
        let a = acc.remove(title).unwrap_or_default();
        let info = roster.iter().find(|p| p.title == title);
        let current = open_tasks
            .iter()
            .filter(|(t, (p, _))| {
                *p == title
                    && open_status.get(*t).is_none_or(|s| *s == crate::plan::TaskStatus::InProgress)
            })
            .map(|(t, (_, s))| (Some(t.to_string()), None, None, *s))
            .chain(
                rounds
                    .iter()
                    .filter(|r| r.pane == title)
                    .map(|r| (None, Some(r.milestone.to_string()), r.round, r.start)),
            )
            .min_by_key(|w| w.3)
            .map(|(task, milestone, round, since)| CurrentWork {
                task,
                milestone,
                round,
                since,
                elapsed_secs: secs_between(since, end),
            });
        let open_ms: i64 = current.as_ref().map_or(0, |c| c.elapsed_secs as i64 * 1000);
        let busy_secs = ((a.busy_ms + open_ms) / 1000) as u64;
        let utilization =
            if window_secs == 0 { 0.0 } else { (busy_secs as f64 / window_secs as f64).min(1.0) };
        let exited = a.exited_at.is_some_and(|x| a.reported.as_ref().is_none_or(|r| r.0 <= x));
        let state = if let Some(live) = info.and_then(|i| i.live) {
            live
        } else if current.is_some() {
            AgentState::Busy
        } else if exited {
            AgentState::Exited
        } else if a.reported.as_ref().is_some_and(|r| r.1 == "waiting") {
            AgentState::Waiting
        } else {
            AgentState::Idle
        };
        let idle_since = current.is_none().then(|| a.last_end.or(window_start)).flatten();
        let validator = info
            .and_then(|i| i.role.as_deref())
            .map_or(a.validator && a.tasks_done == 0, |r| r == "validator");
        let mut flags = Vec::new();
        if running
            && state == AgentState::Idle
            && !validator
            && idle_since.is_some_and(|s| secs_between(s, now) >= IDLE_FLAG_SECS)
        {
            flags.push(AgentFlag::Idle);
        }
        if utilization >= OVERLOADED_UTILIZATION {
            flags.push(AgentFlag::Overloaded);
        }
        let stalled = current.as_ref().is_some_and(|c| {
            a.stalls.iter().any(|(ts, t)| *ts >= c.since && c.task.as_deref() == Some(t))
        });
        if stalled {
            flags.push(AgentFlag::Stalled);
        }
        out.push(AgentStats {
            pane: title.to_string(),
            window: info.and_then(|i| i.window.clone()),
            role: info.and_then(|i| i.role.clone()),
            specialty: info.and_then(|i| i.specialty.clone()),
            state,
            tasks_done: a.tasks_done,
            validation_rounds: a.rounds,
            busy_secs,
            utilization,
            current,
            idle_since,
            stalls: a.stalls.len(),
            flags,
        });
    }
    AgentsReport { window_start, window_secs, agents: out }
}

fn close_rounds<'e>(
    rounds: &mut Vec<Round<'e>>,
    acc: &mut HashMap<&'e str, Acc>,
    ts: Timestamp,
    done: impl Fn(&Round) -> bool,
) {
    rounds.retain(|r| {
        if !done(r) {
            return true;
        }
        let a = acc.entry(r.pane).or_default();
        end_work(a, r.start, ts);
        a.rounds += 1;
        false
    });
}

#[cfg(test)]
#[path = "agents_tests.rs"]
mod tests;
