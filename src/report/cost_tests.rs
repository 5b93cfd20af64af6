//! Tests of the cost report over hand-made usage events.
use super::*;
use crate::agent::usage::{Attribution, Usage, usage_event};
use crate::plan::Task;
use jiff::Timestamp;

fn at(s: i64) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + s).unwrap()
}

fn used(
    task: Option<&str>,
    ms: &str,
    pane: &str,
    model: &str,
    i: u64,
    o: u64,
    cost: Option<f64>,
) -> Event {
    let u = Usage {
        model: Some(model.into()),
        input_tokens: i,
        output_tokens: o,
        cost_usd: cost,
        ..Usage::default()
    };
    let to = Attribution { task: task.map(String::from), milestone: Some(ms.into()) };
    usage_event(at(1), pane, "claude", &u, &to)
}

fn plan() -> Plan {
    let mut p = Plan::default();
    for (id, status) in [
        ("001", TaskStatus::Done),
        ("002", TaskStatus::Done),
        ("010", TaskStatus::InProgress),
        ("011", TaskStatus::Todo),
    ] {
        let mut t = Task::new(id, format!("Task {id}"), at(0));
        t.status = status;
        t.milestone = Some("M1".into());
        t.assignee = Some("W1".into());
        p.tasks.push(t);
    }
    p
}

#[test]
fn rows_per_task_sum_each_kind_and_price_them_and_unknowns_stay_unknown() {
    let events = vec![
        used(Some("002"), "M1", "W1", "claude-sonnet-4-5", 1_000_000, 0, None),
        used(Some("001"), "M1", "W1", "claude-sonnet-4-5", 0, 100_000, None),
        used(Some("001"), "M1", "W1", "claude-sonnet-4-5", 0, 100_000, None),
        used(Some("002"), "M1", "W2", "gpt-6.2-sol", 500, 5, None),
        used(None, "M1", "V", "gpt-4o", 0, 0, Some(0.25)),
    ];
    let r = cost(&plan(), &events, &Prices::default(), By::Task);
    let ids: Vec<_> = r.rows.iter().map(|r| (r.task.clone(), r.pane.clone())).collect();
    assert_eq!(
        ids,
        [
            (Some("001".into()), Some("W1".into())),
            (Some("002".into()), Some("W1".into())),
            (Some("002".into()), Some("W2".into())),
            (Some("010".into()), Some("W1".into())),
            (None, Some("V".into())),
        ]
    );
    assert_eq!(r.rows[0].output_tokens, Some(200_000));
    assert!((r.rows[0].cost_usd.unwrap() - 3.0).abs() < 1e-9);
    assert_eq!(r.rows[0].messages, 2);
    assert_eq!(r.rows[2].cost_usd, None, "a model without a price");
    assert_eq!(r.rows[3].input_tokens, None, "worked on, no usage: unknown");
    assert_eq!(r.rows[4].cost_usd, Some(0.25), "the agent's own figure");
    assert!((r.totals.cost_usd - 6.25).abs() < 1e-9);
    assert_eq!(r.totals.unpriced_tokens, 505);
    let text = render_cost(&r, By::Task);
    assert!(text.contains("validation M1"), "{text}");
    assert!(
        text.contains("Cost: $6.25 for 1200505 tokens (+505 tokens at unknown prices)"),
        "{text}"
    );
}

#[test]
fn grouping_by_agent_or_milestone_merges_tasks() {
    let events = vec![
        used(Some("001"), "M1", "W1", "claude-sonnet-4-5", 10, 1, None),
        used(Some("002"), "M1", "W1", "claude-sonnet-4-5", 20, 2, None),
        used(Some("003"), "M2", "W2", "claude-sonnet-4-5", 30, 3, None),
    ];
    let by_agent = cost(&plan(), &events, &Prices::default(), By::Agent);
    assert_eq!(by_agent.rows.len(), 2);
    assert_eq!(by_agent.rows[0].input_tokens, Some(30));
    let by_ms = cost(&plan(), &events, &Prices::default(), By::Milestone);
    assert_eq!(
        by_ms.rows.iter().map(|r| r.milestone.clone().unwrap()).collect::<Vec<_>>(),
        ["M1", "M2"]
    );
}

#[test]
fn the_budget_state_follows_the_latest_budget_event() {
    let warn = Event::new(at(2), EventKind::BudgetWarning).with("limits", "$8.00 of $10.00 (80%)");
    let out =
        Event::new(at(3), EventKind::BudgetExhausted).with("limits", "$10.00 of $10.00 (100%)");
    let set = Event::new(at(4), EventKind::BudgetSet).with("usd", 50.0);
    let t = totals(&[warn.clone(), out.clone()], &Prices::default());
    assert_eq!(t.budget, BudgetLevel::Exhausted);
    assert!(summary_line(&t).contains("BUDGET EXHAUSTED"), "{}", summary_line(&t));
    assert_eq!(totals(&[warn, out, set], &Prices::default()).budget, BudgetLevel::Under);
}
