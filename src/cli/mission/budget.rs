//! `tmux-ide mission budget [--usd N] [--tokens N] [--hours H]`: shows what the mission
//! has spent against its budget, or sets new limits (over ide.yml's
//! `orchestrator.budget`, recorded as a `budget_set` event); an orchestrator held at an
//! exhausted budget dispatches again on its next tick.
use std::io::Write;
use std::process::ExitCode;

use jiff::Timestamp;
use serde::Serialize;

use super::super::Ctx;
use crate::config::{BudgetConfig, Config};
use crate::plan::rules::budget::{self, Spent, Verdict};
use crate::plan::{Event, EventKind, Store, eventlog};
use crate::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct BudgetArgs {
    /// New limit in dollars (at known prices) for the whole mission.
    #[arg(long, value_name = "USD", value_parser = amount(1e9))]
    pub usd: Option<f64>,
    /// New limit in tokens (of every kind) for the whole mission.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(0..=1_000_000_000_000_000))]
    pub tokens: Option<u64>,
    /// New limit in hours since the mission became active.
    #[arg(long, value_name = "H", value_parser = amount(1e6))]
    pub hours: Option<f64>,
}

/// A number from 0 to `max` (dollars, hours).
fn amount(max: f64) -> impl Fn(&str) -> std::result::Result<f64, String> + Clone {
    move |s: &str| match s.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && (0.0..=max).contains(&n) => Ok(n),
        _ => Err(format!("{s:?} is not an amount from 0 to {max}")),
    }
}

#[derive(Debug, Serialize)]
struct BudgetReport {
    budget: Option<BudgetConfig>,
    spent: Spent,
    #[serde(flatten)]
    verdict: Verdict,
}

pub fn run(ctx: &Ctx, args: BudgetArgs) -> Result<ExitCode> {
    let project = ctx.project()?;
    let store = Store::new(&project);
    if args.usd.is_some() || args.tokens.is_some() || args.hours.is_some() {
        let mut event = Event::new(Timestamp::now(), EventKind::BudgetSet);
        if let Some(usd) = args.usd {
            event = event.with("usd", usd);
        }
        if let Some(tokens) = args.tokens {
            event = event.with("tokens", tokens);
        }
        if let Some(hours) = args.hours {
            event = event.with("hours", hours);
        }
        store.append_events(&[event])?;
    }
    let (events, _) = eventlog::read_event_log(&project.events_jsonl())?;
    let config = if project.ide_yml().exists() { Some(Config::load(&project)?) } else { None };
    let configured = config.as_ref().and_then(|c| c.orchestrator.budget.clone());
    let set = events
        .iter()
        .filter(|e| e.kind == EventKind::BudgetSet)
        .fold(None, |b, e| Some(budget::apply_set(b, &e.extra)));
    let effective = budget::effective(configured.as_ref(), set.as_ref());
    let prices = super::super::cost::prices(&project);
    let totals = crate::report::cost::totals(&events, &prices);
    let plan = store.load()?;
    let hours = plan.mission.as_ref().and_then(|m| {
        Some(m.completed.unwrap_or(ctx.now).duration_since(m.activated?).as_secs_f64() / 3600.0)
    });
    let spent = Spent { usd: totals.cost_usd, tokens: totals.tokens, hours: hours.unwrap_or(0.0) };
    let verdict = budget::verdict(&spent, effective.as_ref());
    let report = BudgetReport { budget: effective, spent, verdict };
    if ctx.json {
        writeln!(ctx.out(), "{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(b) = &report.budget else {
        return Err(Error::failed(
            "no budget: set one with `tmux-ide mission budget --usd N` or `orchestrator.budget` in ide.yml",
        ));
    };
    let mut limits = Vec::new();
    if let Some(usd) = b.usd {
        limits.push(format!("${:.2} of ${usd:.2}", spent.usd));
    }
    if let Some(tokens) = b.tokens {
        limits.push(format!("{} of {tokens} tokens", spent.tokens));
    }
    if let Some(h) = b.hours {
        limits.push(format!("{:.1} of {h:.1} h", spent.hours));
    }
    let state = match report.verdict.level {
        budget::BudgetLevel::Under => "under budget: dispatching",
        budget::BudgetLevel::Warning => "past 80%: dispatching",
        budget::BudgetLevel::Exhausted => "EXHAUSTED: no new dispatches",
    };
    writeln!(
        ctx.out(),
        "Budget: {} — {state}",
        if limits.is_empty() { "per-task caps only".into() } else { limits.join(", ") }
    )?;
    Ok(ExitCode::SUCCESS)
}
