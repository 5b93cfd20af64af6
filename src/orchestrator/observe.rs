//! Seeing the panes: each tick turns tmux's pane list, the agents' self-reports and the
//! last lines of each screen into the `PaneView`s that `decide` works on.
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use jiff::Timestamp;

use super::world::{AgentState, PaneView, Role};
use crate::agent::sim::READY_PROMPT;
use crate::agent::state::{ReportedState, parse_state_event};
use crate::config::Agent;
use crate::plan::Event;
use crate::tmux::{PaneInfo, Tmux};

/// Lines from the bottom of the screen that ready patterns are checked on.
const TAIL_LINES: usize = 6;

#[derive(Debug, Default)]
pub struct Observer {
    /// Latest self-report per pane id.
    reports: HashMap<String, (ReportedState, Timestamp)>,
    /// Hash of the visible screen per pane id and when it last changed.
    screens: HashMap<String, (u64, Timestamp)>,
}

impl Observer {
    /// Takes in new events; keeps the latest self-report of each pane.
    pub fn absorb(&mut self, events: &[Event]) {
        for event in events {
            if let Some((pane, state, ts)) = parse_state_event(event) {
                let newer = self.reports.get(pane).is_none_or(|(_, seen)| *seen <= ts);
                if newer {
                    self.reports.insert(pane.to_string(), (state, ts));
                }
            }
        }
    }

    /// The panes as `decide` sees them. Lead and shell panes are listed but not captured:
    /// they never take work.
    pub fn observe(&mut self, tmux: &Tmux, panes: &[PaneInfo], now: Timestamp) -> Vec<PaneView> {
        panes
            .iter()
            .map(|p| {
                let role = p.role.unwrap_or(Role::Teammate);
                let takes_work = !matches!(role, Role::Lead | Role::Shell);
                let screen = if takes_work && !p.dead {
                    tmux.capture(&p.id, 200).unwrap_or_default()
                } else {
                    String::new()
                };
                let changed = self.track_screen(&p.id, &screen, now);
                let report = self.reports.get(&p.id).map(|(s, _)| *s);
                PaneView {
                    id: p.id.clone(),
                    title: p.title.clone(),
                    role,
                    specialty: p.specialty.clone().filter(|s| !s.is_empty()),
                    state: judge_state(report, p.agent, p.dead, &screen),
                    last_output_change: changed,
                }
            })
            .collect()
    }

    fn track_screen(&mut self, pane: &str, screen: &str, now: Timestamp) -> Timestamp {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        screen.hash(&mut h);
        let hash = h.finish();
        match self.screens.get_mut(pane) {
            Some((seen, changed)) if *seen == hash => *changed,
            _ => {
                self.screens.insert(pane.to_string(), (hash, now));
                now
            }
        }
    }
}

/// Judges an agent's state. Signals, strongest first: the pane is dead; the agent's own
/// report; the agent's ready pattern on the last lines of its screen.
pub fn judge_state(
    report: Option<ReportedState>,
    agent: Option<Agent>,
    dead: bool,
    screen: &str,
) -> AgentState {
    if dead {
        return AgentState::Exited;
    }
    match report {
        Some(ReportedState::Idle) => return AgentState::Idle,
        Some(ReportedState::Busy) => return AgentState::Busy,
        Some(ReportedState::Waiting) => return AgentState::Waiting,
        None => {}
    }
    let last = screen.lines().rev().take(TAIL_LINES).find(|l| !l.trim().is_empty());
    match agent {
        Some(Agent::Sim) => match last {
            Some(line) if line.trim_end() == READY_PROMPT.trim_end() => AgentState::Idle,
            _ => AgentState::Busy,
        },
        _ => AgentState::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_pane_is_exited_whatever_it_reported() {
        assert_eq!(
            judge_state(Some(ReportedState::Idle), Some(Agent::Sim), true, ""),
            AgentState::Exited
        );
    }

    #[test]
    fn a_self_report_outranks_the_screen() {
        assert_eq!(
            judge_state(Some(ReportedState::Busy), Some(Agent::Sim), false, "sim> "),
            AgentState::Busy
        );
    }

    #[test]
    fn the_sim_is_idle_when_its_prompt_is_the_last_line() {
        assert_eq!(judge_state(None, Some(Agent::Sim), false, "done\nsim> \n\n"), AgentState::Idle);
        assert_eq!(
            judge_state(None, Some(Agent::Sim), false, "sim> \n● working"),
            AgentState::Busy
        );
    }

    #[test]
    fn an_unknown_agent_without_a_report_is_unknown() {
        assert_eq!(judge_state(None, Some(Agent::Claude), false, "❯"), AgentState::Unknown);
    }

    #[test]
    fn the_latest_self_report_wins() {
        let mut o = Observer::default();
        let t1: Timestamp = "2026-01-01T00:00:01Z".parse().unwrap();
        let t2: Timestamp = "2026-01-01T00:00:02Z".parse().unwrap();
        o.absorb(&[
            crate::agent::state::state_event(t2, "%1", "Backend", ReportedState::Busy),
            crate::agent::state::state_event(t1, "%1", "Backend", ReportedState::Idle),
        ]);
        assert_eq!(o.reports["%1"].0, ReportedState::Busy);
    }
}
