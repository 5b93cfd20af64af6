//! What the planning and research decisions remember, folded from the event log: the
//! missions whose planning prompt was sent, and when each research trigger last fired
//! (for which mission, milestone, count) and the recent retries, blocks and stalls. A
//! pure fold, so a restarted orchestrator that reads the whole log remembers the same.
use std::collections::{HashMap, HashSet, VecDeque};

use jiff::Timestamp;

use crate::config::research::TriggerKind;
use crate::plan::{Event, EventKind};

/// At most this many recent trouble events are kept (the window never needs more).
const TROUBLE_KEPT: usize = 1000;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lookout {
    /// Mission keys (creation times) whose planning prompt was sent: pasted (a
    /// `prompt_delivered` to its pane followed), sent by `mission plan`, or queued by this
    /// process. One recorded but never pasted (the orchestrator stopped first) is not.
    pub planned: HashSet<String>,
    /// Planning prompts recorded but not yet seen pasted: mission keys by pane title.
    planning_pending: HashMap<String, Vec<String>>,
    pub research: ResearchHistory,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResearchHistory {
    /// When each trigger last fired.
    pub last: HashMap<TriggerKind, Timestamp>,
    /// When any trigger last fired.
    pub last_any: Option<Timestamp>,
    /// Missions (keys) whose `mission_start` research fired.
    pub mission_starts: HashSet<String>,
    /// Milestones whose `milestone_done` research fired.
    pub milestones_done: HashSet<String>,
    /// Per milestone, the done-task count at which `tasks_done` last fired.
    pub tasks_done_at: HashMap<String, u64>,
    /// Times of recent `task_retry_scheduled`, `task_blocked` and `stall_detected` events.
    pub trouble: VecDeque<Timestamp>,
}

impl Lookout {
    pub fn absorb(&mut self, events: &[Event]) {
        for e in events {
            match &e.kind {
                EventKind::PlanningDispatched => {
                    let Some(key) = e.extra.get("mission").and_then(|v| v.as_str()) else {
                        continue;
                    };
                    let on_demand = e.extra.get("on_demand").and_then(|v| v.as_bool());
                    match (&e.pane, on_demand) {
                        (Some(pane), None | Some(false)) => self
                            .planning_pending
                            .entry(pane.clone())
                            .or_default()
                            .push(key.to_string()),
                        _ => {
                            self.planned.insert(key.to_string());
                        }
                    }
                }
                EventKind::PromptDelivered => {
                    let pasted = e.pane.as_ref().and_then(|p| self.planning_pending.remove(p));
                    self.planned.extend(pasted.into_iter().flatten());
                }
                EventKind::ResearchTriggered => self.research.fired(e),
                EventKind::TaskRetryScheduled
                | EventKind::TaskBlocked
                | EventKind::StallDetected => {
                    let trouble = &mut self.research.trouble;
                    trouble.push_back(e.ts);
                    if trouble.len() > TROUBLE_KEPT {
                        trouble.pop_front();
                    }
                }
                _ => {}
            }
        }
    }
}

impl ResearchHistory {
    fn fired(&mut self, e: &Event) {
        let field = |k: &str| e.extra.get(k).and_then(|v| v.as_str());
        let Some(kind) = field("trigger").and_then(TriggerKind::parse) else { return };
        self.last.insert(kind, e.ts);
        self.last_any = Some(self.last_any.map_or(e.ts, |t| t.max(e.ts)));
        match kind {
            TriggerKind::MissionStart => {
                self.mission_starts.extend(field("mission").map(str::to_string));
            }
            TriggerKind::MilestoneDone => {
                self.milestones_done.extend(e.milestone.clone());
            }
            TriggerKind::TasksDone => {
                let done = e.extra.get("done").and_then(|v| v.as_u64());
                if let (Some(m), Some(done)) = (&e.milestone, done) {
                    self.tasks_done_at.insert(m.clone(), done);
                }
            }
            TriggerKind::Trouble | TriggerKind::Interval => {}
        }
    }

    /// Trouble events after `since` (exclusive).
    pub fn trouble_since(&self, since: Timestamp) -> usize {
        self.trouble.iter().filter(|t| **t > since).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + s).unwrap()
    }

    #[test]
    fn the_log_folds_into_what_planning_and_research_remember() {
        let events = vec![
            Event::new(at(0), EventKind::PlanningDispatched).pane("Lead").with("mission", "K1"),
            Event::new(at(0), EventKind::PromptDelivered).pane("Lead"),
            Event::new(at(1), EventKind::ResearchTriggered)
                .with("trigger", "mission_start")
                .with("mission", "K1"),
            Event::new(at(2), EventKind::StallDetected).task("001"),
            Event::new(at(3), EventKind::ResearchTriggered)
                .milestone("M1")
                .with("trigger", "tasks_done")
                .with("done", 3),
            Event::new(at(4), EventKind::ResearchTriggered)
                .milestone("M1")
                .with("trigger", "milestone_done"),
            Event::new(at(5), EventKind::ResearchTriggered).with("trigger", "bogus"),
        ];
        let mut l = Lookout::default();
        l.absorb(&events);
        assert!(l.planned.contains("K1"));
        let r = &l.research;
        assert!(r.mission_starts.contains("K1") && r.milestones_done.contains("M1"));
        assert_eq!(r.tasks_done_at.get("M1"), Some(&3));
        assert_eq!(r.last.get(&TriggerKind::TasksDone), Some(&at(3)));
        assert_eq!(r.last_any, Some(at(4)));
        assert_eq!((r.trouble_since(at(1)), r.trouble_since(at(2))), (1, 0));
        // Recorded but never pasted (stopped in between): a restart sends it again.
        let mut stopped = Lookout::default();
        stopped.absorb(&events[..1]);
        stopped.absorb(&[Event::new(at(1), EventKind::PromptDelivered).pane("Worker")]);
        assert!(!stopped.planned.contains("K1"));
        let on_demand = Event::new(at(0), EventKind::PlanningDispatched)
            .pane("Lead")
            .with("mission", "K2")
            .with("on_demand", true);
        stopped.absorb(&[on_demand]);
        assert!(stopped.planned.contains("K2"));
        // Folding in two halves remembers the same as folding at once.
        let mut halves = Lookout::default();
        halves.absorb(&events[..3]);
        halves.absorb(&events[3..]);
        assert_eq!(halves, l);
    }
}
