//! The states of the agent in a pane — one enum and one set of names for every view
//! (`orch`, `top`, `metrics agents`, `detect`, the dashboard, the event log) — and agent
//! self-reports: what `tmux-ide agent idle|busy|waiting` records, and reading them back.
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::plan::{Event, EventKind};

/// The state of the agent in a pane, as the idle detector or the event log tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentState {
    /// At its prompt, ready for input.
    Idle,
    /// Working.
    Busy,
    /// Stopped at a permission prompt, or reported `waiting`.
    Waiting,
    /// Told by its provider to slow down.
    RateLimited,
    /// The pane's program has exited (the pane is dead).
    Exited,
    /// No signal could tell.
    Unknown,
}

impl AgentState {
    /// The snake_case name every view prints and the event log records.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentState::Idle => "idle",
            AgentState::Busy => "busy",
            AgentState::Waiting => "waiting",
            AgentState::RateLimited => "rate_limited",
            AgentState::Exited => "exited",
            AgentState::Unknown => "unknown",
        }
    }
}

/// What an agent says about itself (hooks of real agents call `tmux-ide agent <state>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum ReportedState {
    /// At its prompt, ready for work.
    Idle,
    /// Working on a prompt.
    Busy,
    /// Waiting for the user (a permission prompt).
    Waiting,
}

impl ReportedState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportedState::Idle => "idle",
            ReportedState::Busy => "busy",
            ReportedState::Waiting => "waiting",
        }
    }
}

/// The `agent_state` event for a self-report from pane `pane_id` (`%3`) titled `title`.
pub fn state_event(now: Timestamp, pane_id: &str, title: &str, state: ReportedState) -> Event {
    Event::new(now, EventKind::AgentState)
        .pane(title)
        .with("pane_id", pane_id)
        .with("state", state.as_str())
        .with("source", "self")
}

/// Reads a self-report back out of an event, if it is one: (pane id, state, time).
pub fn parse_state_event(event: &Event) -> Option<(&str, ReportedState, Timestamp)> {
    if event.kind != EventKind::AgentState {
        return None;
    }
    let state = match event.extra.get("state")?.as_str()? {
        "idle" => ReportedState::Idle,
        "busy" => ReportedState::Busy,
        "waiting" => ReportedState::Waiting,
        _ => return None,
    };
    let pane = event.extra.get("pane_id").and_then(|p| p.as_str()).or(event.pane.as_deref())?;
    Some((pane, state, event.ts))
}
