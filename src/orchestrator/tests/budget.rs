//! The budget in `decide`: dispatch held at 100%, notices once per level.
use super::*;
use crate::orchestrator::world::BudgetView;
use crate::plan::rules::budget::{BudgetLevel, Verdict};

fn pane(id: &str, title: &str) -> PaneView {
    PaneView {
        id: id.into(),
        title: title.into(),
        role: Role::Teammate,
        specialty: None,
        state: AgentState::Idle,
        last_output_change: now(),
        pid: 1,
    }
}

fn fx(level: BudgetLevel, reported: BudgetLevel) -> Fx {
    let tasks = vec![task("001", "M1"), task("002", "M1").working("W2")];
    let mut fx = Fx::new(
        vec![milestone(1, MilestoneStatus::Active)],
        tasks,
        vec![pane("%1", "W1"), pane("%2", "W2")],
    );
    fx.budget = BudgetView {
        verdict: Verdict { level, limits: vec!["$5.10 of $5.00 (102%)".into()] },
        reported,
        tasks_over: Vec::new(),
    };
    fx
}

#[test]
fn an_exhausted_budget_dispatches_nothing_and_tells_the_lead_once() {
    let actions = fx(BudgetLevel::Exhausted, BudgetLevel::Warning).decide();
    assert!(!actions.iter().any(|a| matches!(a, Action::Dispatch { .. })), "{actions:?}");
    assert!(
        actions
            .iter()
            .any(|a| matches!(a, Action::Budget { level: BudgetLevel::Exhausted, task: None, .. }))
    );
    let told = actions.iter().find_map(|a| match a {
        Action::NotifyLead { text } => Some(text.clone()),
        _ => None,
    });
    assert!(told.unwrap().contains("Budget exhausted: $5.10 of $5.00 (102%)"));
    let again = fx(BudgetLevel::Exhausted, BudgetLevel::Exhausted).decide();
    assert!(again.is_empty(), "told already, still held: {again:?}");
}

#[test]
fn a_warning_still_dispatches_and_under_budget_says_nothing() {
    let warned = fx(BudgetLevel::Warning, BudgetLevel::Under).decide();
    assert!(warned.iter().any(|a| matches!(a, Action::Dispatch { task, .. } if task == "001")));
    assert!(warned.iter().any(|a| matches!(a, Action::Budget { level: BudgetLevel::Warning, .. })));
    let fine = fx(BudgetLevel::Under, BudgetLevel::Under).decide();
    assert_eq!(fine.len(), 1, "{fine:?}");
}

#[test]
fn a_task_past_its_cap_is_reported() {
    let mut f = fx(BudgetLevel::Under, BudgetLevel::Under);
    f.budget.tasks_over = vec![("002".into(), "$2.00 of its $1.00 cap".into())];
    let actions = f.decide();
    assert!(
        actions.iter().any(|a| matches!(a, Action::Budget { task: Some(t), .. } if t == "002"))
    );
}
