//! The text of `tmux-ide metrics agents` (one row per pane, then who is idle or
//! overloaded), and the words for a pane's current work that the orchestrator view and
//! the live view share.
use std::fmt::Write as _;

use jiff::Timestamp;

use super::{AgentFlag, AgentsReport, CurrentWork, IDLE_FLAG_SECS, OVERLOADED_UTILIZATION};
use crate::report::table::table;
use crate::report::text::one_line;
use crate::report::timefmt::{ago, coarse, count, duration, percent};

fn dash(s: Option<&str>) -> String {
    s.unwrap_or("—").to_string()
}

/// What a pane works on, for text: `005 for 20m 00s`, `M1 round 2 for 3m 10s`.
pub fn describe_work(c: &CurrentWork) -> String {
    let what = match (&c.task, &c.milestone, c.round) {
        (Some(t), _, _) => t.clone(),
        (None, Some(m), Some(r)) => format!("validating {m} round {r}"),
        (None, Some(m), None) => format!("validating {m}"),
        (None, None, _) => "validation".to_string(),
    };
    format!("{what} for {}", duration(c.elapsed_secs))
}

/// The text of `tmux-ide metrics agents`.
pub fn render_agents(r: &AgentsReport, now: Timestamp) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Agents (mission wall clock {})", duration(r.window_secs));
    if r.agents.is_empty() {
        out.push_str("No agent has worked yet.\n");
        return out;
    }
    let headers = [
        "PANE",
        "SPECIALTY",
        "STATE",
        "DONE",
        "BUSY",
        "UTIL",
        "CURRENT",
        "IDLE SINCE",
        "STALLS",
        "FLAGS",
    ];
    let rows: Vec<Vec<String>> = r
        .agents
        .iter()
        .map(|a| {
            let flags: Vec<&str> = a
                .flags
                .iter()
                .map(|f| match f {
                    AgentFlag::Idle => "idle",
                    AgentFlag::Overloaded => "overloaded",
                    AgentFlag::Stalled => "stalled",
                })
                .collect();
            vec![
                a.pane.clone(),
                dash(a.specialty.as_deref()),
                a.state.as_str().to_string(),
                match (a.tasks_done, a.validation_rounds) {
                    (t, 0) => t.to_string(),
                    (0, r) => count(r, "round"),
                    (t, r) => format!("{t} + {}", count(r, "round")),
                },
                duration(a.busy_secs),
                percent(a.utilization),
                a.current.as_ref().map_or_else(|| "—".to_string(), describe_work),
                a.idle_since.map_or_else(|| "—".to_string(), |s| ago(s, now)),
                a.stalls.to_string(),
                flags.join(", "),
            ]
        })
        .collect();
    out.push_str(&table(&headers, &rows, &[3, 4, 5, 8]));
    let flagged = |f: AgentFlag| -> Vec<&str> {
        r.agents.iter().filter(|a| a.flags.contains(&f)).map(|a| a.pane.as_str()).collect()
    };
    let idle = flagged(AgentFlag::Idle);
    if !idle.is_empty() {
        let _ = writeln!(
            out,
            "Idle: {} (no work for {}+)",
            one_line(&idle.join(", ")),
            coarse(IDLE_FLAG_SECS)
        );
    }
    let over = flagged(AgentFlag::Overloaded);
    if !over.is_empty() {
        let _ = writeln!(
            out,
            "Overloaded: {} (busy {}+ of the time)",
            one_line(&over.join(", ")),
            percent(OVERLOADED_UTILIZATION)
        );
    }
    out
}
