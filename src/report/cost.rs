//! What a mission cost, replayed from the `usage` events of the log: rows per task (or
//! per agent pane, or per milestone) and model, with tokens of each kind and dollars at
//! known prices, the totals every view shows, and where the budget stands. One pass over
//! the events; prices are applied here, so a changed `prices:` re-prices all history.
use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use super::prices::Prices;
use super::table::table;
use super::text::one_line;
use crate::agent::usage::parse_usage_event;
use crate::plan::rules::budget::BudgetLevel;
use crate::plan::rules::id_order;
use crate::plan::{Event, EventKind, Plan, TaskStatus};

/// How `metrics cost` groups its rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    /// Each task, on each pane and model (validation rounds by milestone).
    #[default]
    Task,
    /// Each agent pane and model.
    Agent,
    /// Each milestone and model.
    Milestone,
}

/// One row: a task (or pane, or milestone) and model. Tokens are `null` for a task that
/// was worked on but whose agent reported no usage: unknown, not zero.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CostRow {
    pub task: Option<String>,
    pub milestone: Option<String>,
    pub pane: Option<String>,
    pub agent: Option<String>,
    pub model: Option<String>,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    pub cache_read_tokens: Option<u64>,
    pub cache_write_tokens: Option<u64>,
    /// Dollars; `null` when any of the row's usage has no known price.
    pub cost_usd: Option<f64>,
    /// Usage records (model responses, Aider messages) in the row.
    pub messages: u64,
}

/// The sums every view shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CostTotals {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    pub tokens: u64,
    /// Dollars of the usage whose price is known.
    pub cost_usd: f64,
    /// Tokens whose cost is unknown (a model without a price).
    pub unpriced_tokens: u64,
    pub messages: u64,
    /// The budget's state as the orchestrator last recorded it.
    pub budget: BudgetLevel,
    /// What the last budget event said (`$41.20 of $50.00 (82%)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_note: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CostReport {
    pub rows: Vec<CostRow>,
    pub totals: CostTotals,
}

type Key = (Option<String>, Option<String>, Option<String>, Option<String>);

/// The cost report of a plan and its log, grouped `by`.
pub fn cost(plan: &Plan, events: &[Event], prices: &Prices, by: By) -> CostReport {
    let mut rows: BTreeMap<Key, CostRow> = BTreeMap::new();
    let mut totals = CostTotals::default();
    let mut with_usage: HashSet<&str> = HashSet::new();
    for e in events {
        budget_event(e, &mut totals);
        let Some(u) = parse_usage_event(e) else { continue };
        let agent = e.extra.get("agent").and_then(|a| a.as_str()).map(String::from);
        let price = prices.cost(&u);
        add_totals(&mut totals, &u, price);
        if let Some(t) = &e.task {
            with_usage.insert(t);
        }
        let key: Key = match by {
            By::Task => (e.task.clone(), e.milestone.clone(), e.pane.clone(), u.model.clone()),
            By::Agent => (None, None, e.pane.clone(), u.model.clone()),
            By::Milestone => (None, e.milestone.clone(), None, u.model.clone()),
        };
        let row = rows.entry(key.clone()).or_insert_with(|| CostRow {
            task: key.0,
            milestone: key.1,
            pane: key.2,
            agent: if by == By::Milestone { None } else { agent },
            model: key.3,
            cost_usd: Some(0.0),
            ..CostRow::default()
        });
        let add = |a: &mut Option<u64>, n: u64| *a = Some(a.unwrap_or(0).saturating_add(n));
        add(&mut row.input_tokens, u.input_tokens);
        add(&mut row.output_tokens, u.output_tokens);
        add(&mut row.cache_read_tokens, u.cache_read_tokens);
        add(&mut row.cache_write_tokens, u.cache_write_tokens);
        row.cost_usd = row.cost_usd.zip(price).map(|(a, b)| a + b);
        row.messages += 1;
    }
    let mut rows: Vec<CostRow> = rows.into_values().collect();
    if by == By::Task {
        // Worked on, but no usage known: shown as unknown, never as free.
        rows.extend(
            plan.tasks
                .iter()
                .filter(|t| matches!(t.status, TaskStatus::Done | TaskStatus::InProgress))
                .filter(|t| !with_usage.contains(t.id.as_str()))
                .map(|t| CostRow {
                    task: Some(t.id.clone()),
                    milestone: t.milestone.clone(),
                    pane: t.assignee.clone(),
                    ..CostRow::default()
                }),
        );
        rows.sort_by(|a, b| match (&a.task, &b.task) {
            (Some(x), Some(y)) => id_order(x, y).then_with(|| a.pane.cmp(&b.pane)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.milestone.cmp(&b.milestone).then_with(|| a.pane.cmp(&b.pane)),
        });
    }
    CostReport { rows, totals }
}

/// Only the totals (for `metrics`, `mission status`, `top` and the dashboard).
pub fn totals(events: &[Event], prices: &Prices) -> CostTotals {
    let mut totals = CostTotals::default();
    for e in events {
        totals.add(e, prices);
    }
    totals
}

impl CostTotals {
    /// Takes in one event of the log, in order (for views that stream the log).
    pub fn add(&mut self, e: &Event, prices: &Prices) {
        budget_event(e, self);
        if let Some(u) = parse_usage_event(e) {
            let price = prices.cost(&u);
            add_totals(self, &u, price);
        }
    }
}

fn add_totals(t: &mut CostTotals, u: &crate::agent::usage::Usage, price: Option<f64>) {
    t.input_tokens += u.input_tokens;
    t.output_tokens += u.output_tokens;
    t.cache_read_tokens += u.cache_read_tokens;
    t.cache_write_tokens += u.cache_write_tokens;
    t.tokens += u.tokens();
    t.messages += 1;
    match price {
        Some(p) => t.cost_usd += p,
        None => t.unpriced_tokens += u.tokens(),
    }
}

/// The budget state after `e`: the latest warning or exhaustion, cleared by a new budget.
fn budget_event(e: &Event, t: &mut CostTotals) {
    let (level, note) = match e.kind {
        EventKind::BudgetWarning if e.task.is_none() => (BudgetLevel::Warning, true),
        EventKind::BudgetExhausted if e.task.is_none() => (BudgetLevel::Exhausted, true),
        EventKind::BudgetSet => (BudgetLevel::Under, false),
        _ => return,
    };
    t.budget = level;
    t.budget_note =
        note.then(|| e.extra.get("limits").and_then(|v| v.as_str()).map(String::from)).flatten();
}

/// `$1.23`, with more digits for small sums (`$0.0072`).
pub fn usd(x: f64) -> String {
    if x > 0.0 && x < 0.1 { format!("${x:.4}") } else { format!("${x:.2}") }
}

/// One line for `metrics`, `mission status` and `top`: tokens, dollars, budget state.
pub fn summary_line(t: &CostTotals) -> String {
    let mut line = format!("Cost: {} for {} tokens", usd(t.cost_usd), t.tokens);
    if t.unpriced_tokens > 0 {
        line.push_str(&format!(" (+{} tokens at unknown prices)", t.unpriced_tokens));
    }
    match t.budget {
        BudgetLevel::Under => {}
        BudgetLevel::Warning => line.push_str(" · budget at 80%"),
        BudgetLevel::Exhausted => line.push_str(" · BUDGET EXHAUSTED: no new dispatches"),
    }
    if let Some(note) = t.budget_note.as_deref().filter(|_| t.budget != BudgetLevel::Under) {
        line.push_str(&format!(" ({})", one_line(note)));
    }
    line
}

/// `metrics cost` as text: the rows as a table, then the totals line.
pub fn render_cost(r: &CostReport, by: By) -> String {
    let n = |v: Option<u64>| v.map_or("?".to_string(), |n| n.to_string());
    let first = match by {
        By::Task => "TASK",
        By::Agent => "PANE",
        By::Milestone => "MILESTONE",
    };
    let rows: Vec<Vec<String>> = r
        .rows
        .iter()
        .map(|row| {
            let what = match by {
                By::Task => match (&row.task, &row.milestone) {
                    (Some(t), _) => t.clone(),
                    (None, Some(m)) => format!("validation {m}"),
                    (None, None) => "(no task)".into(),
                },
                By::Agent => row.pane.clone().unwrap_or_else(|| "?".into()),
                By::Milestone => row.milestone.clone().unwrap_or_else(|| "(none)".into()),
            };
            let mut cells = vec![one_line(&what)];
            if by == By::Task {
                cells.push(one_line(row.pane.as_deref().unwrap_or("-")));
            }
            cells.extend([
                one_line(row.model.as_deref().unwrap_or("?")),
                n(row.input_tokens),
                n(row.output_tokens),
                n(row.cache_read_tokens),
                n(row.cache_write_tokens),
                row.cost_usd.map_or("?".into(), usd),
            ]);
            cells
        })
        .collect();
    let mut headers = vec![first];
    if by == By::Task {
        headers.push("PANE");
    }
    headers.extend(["MODEL", "INPUT", "OUTPUT", "CACHE READ", "CACHE WRITE", "COST"]);
    let offset = headers.len() - 5;
    let right: Vec<usize> = (offset..headers.len()).collect();
    let mut out = if rows.is_empty() {
        "No usage recorded yet.\n".to_string()
    } else {
        table(&headers, &rows, &right)
    };
    out.push_str(&summary_line(&r.totals));
    out.push('\n');
    if r.rows.iter().any(|row| row.input_tokens.is_none() || row.cost_usd.is_none()) {
        out.push_str("? = unknown: the agent reported no usage, or the model has no price (see `prices:` in ide.yml)\n");
    }
    out
}

#[cfg(test)]
#[path = "cost_tests.rs"]
mod tests;
