//! The budget in the decision: at 100% of a limit no new work is dispatched (tasks or
//! validation rounds; what is in progress finishes); crossing 80% and 100% is recorded and
//! told to the lead once each (again after `mission budget` sets a new one), as is a task
//! that reaches its own cap.
use super::Action;
use crate::orchestrator::world::World;
use crate::plan::rules::budget::BudgetLevel;

/// Whether the budget holds back new dispatches.
pub(super) fn exhausted(world: &World) -> bool {
    world.budget.verdict.level == BudgetLevel::Exhausted
}

/// The budget notices not given yet.
pub(super) fn notices(world: &World, actions: &mut Vec<Action>) {
    let b = world.budget;
    let limits = b.verdict.limits.join(", ");
    if b.verdict.level > b.reported {
        let text = match b.verdict.level {
            BudgetLevel::Exhausted => format!(
                "Budget exhausted: {limits}. No new tasks are dispatched (work in progress \
finishes); raise it with `tmux-ide mission budget --usd N` (or --tokens, --hours) to resume."
            ),
            _ => format!(
                "Budget at 80%: {limits}. Dispatch stops at 100%; `tmux-ide mission budget` \
raises it."
            ),
        };
        actions.push(Action::Budget { level: b.verdict.level, task: None, limits: limits.clone() });
        actions.push(Action::NotifyLead { text });
    }
    for (task, cap) in &b.tasks_over {
        actions.push(Action::Budget {
            level: BudgetLevel::Exhausted,
            task: Some(task.clone()),
            limits: cap.clone(),
        });
        actions
            .push(Action::NotifyLead { text: format!("Task {task} reached its budget: {cap}.") });
    }
}
