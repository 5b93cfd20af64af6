//! How many agents work in parallel in this mission, for the metrics' ETA: shared by
//! `tmux-ide metrics` and the dashboard's `/api/metrics`.
use jiff::Timestamp;

use super::agents;
use crate::plan::{Event, Plan};

/// Panes that have taken tasks in this mission (validators excluded), at least 1.
pub fn working_agents(plan: &Plan, events: &[Event], now: Timestamp) -> usize {
    let r = agents::agents(plan, events, &[], now);
    r.agents
        .iter()
        .filter(|a| a.tasks_done > 0 || a.current.as_ref().is_some_and(|c| c.task.is_some()))
        .count()
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn counts_panes_that_took_tasks_and_never_less_than_one() {
        let (plan, events) = (fixture::plan(), fixture::events());
        // Backend and Frontend took tasks; the Validator pane only validated.
        assert_eq!(working_agents(&plan, &events, fixture::now()), 2);
        assert_eq!(working_agents(&Plan::default(), &[], fixture::now()), 1);
    }
}
