//! The budget rule: what a mission has spent against `orchestrator.budget` (raised by
//! `mission budget`). 80% of any limit is a warning for the lead; 100% of any limit
//! stops new dispatches until the budget is raised. Pure: totals in, a verdict out.
use serde::Serialize;

use crate::config::BudgetConfig;

/// Share of a limit at which the lead is warned.
pub const WARN_AT: f64 = 0.8;

/// How far below a threshold a share may be and still count as reaching it.
const EPSILON: f64 = 1e-9;

/// What the mission has used so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Spent {
    /// Dollars at known prices.
    pub usd: f64,
    /// Tokens of every kind.
    pub tokens: u64,
    /// Hours since the mission became active.
    pub hours: f64,
}

/// Where the mission stands against its budget, from fine to stopped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetLevel {
    #[default]
    Under,
    Warning,
    Exhausted,
}

impl BudgetLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            BudgetLevel::Under => "under",
            BudgetLevel::Warning => "warning",
            BudgetLevel::Exhausted => "exhausted",
        }
    }
}

/// The judgement: the level, and each limit at 80% or more (`$41.20 of $50.00 (82%)`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Verdict {
    pub level: BudgetLevel,
    pub limits: Vec<String>,
}

/// The budget in effect: ide.yml's, with each limit `mission budget` set over it.
pub fn effective(
    config: Option<&BudgetConfig>,
    set: Option<&BudgetConfig>,
) -> Option<BudgetConfig> {
    match (config, set) {
        (None, None) => None,
        (Some(c), None) => Some(c.clone()),
        (None, Some(s)) => Some(s.clone()),
        (Some(c), Some(s)) => Some(BudgetConfig {
            usd: s.usd.or(c.usd),
            tokens: s.tokens.or(c.tokens),
            hours: s.hours.or(c.hours),
            task: c.task.clone(),
        }),
    }
}

/// The limits set by `mission budget` so far, with one more `budget_set` event's fields
/// (`usd`, `tokens`, `hours`) over them: each limit keeps its latest value.
pub fn apply_set(
    earlier: Option<BudgetConfig>,
    fields: &serde_json::Map<String, serde_json::Value>,
) -> BudgetConfig {
    let mut b = earlier.unwrap_or_default();
    let n = |k: &str| fields.get(k).and_then(serde_json::Value::as_f64);
    b.usd = n("usd").or(b.usd);
    b.tokens = fields.get("tokens").and_then(serde_json::Value::as_u64).or(b.tokens);
    b.hours = n("hours").or(b.hours);
    b
}

/// Judges `spent` against `budget` (no budget: always under).
pub fn verdict(spent: &Spent, budget: Option<&BudgetConfig>) -> Verdict {
    let Some(b) = budget else { return Verdict::default() };
    let mut v = Verdict::default();
    let mut judge = |used: f64, limit: Option<f64>, show: &dyn Fn(f64) -> String| {
        let Some(limit) = limit.filter(|l| l.is_finite() && *l >= 0.0) else { return };
        let share = if limit > 0.0 { used / limit } else { f64::INFINITY };
        // Sums of prices are not exact in binary: $1.20 of $1.50 is 80%, not 79.99…%.
        let level = if share >= 1.0 - EPSILON {
            BudgetLevel::Exhausted
        } else if share >= WARN_AT - EPSILON {
            BudgetLevel::Warning
        } else {
            return;
        };
        v.level = v.level.max(level);
        let pct =
            if share.is_finite() { format!(" ({:.0}%)", share * 100.0) } else { String::new() };
        v.limits.push(format!("{} of {}{pct}", show(used), show(limit)));
    };
    judge(spent.usd, b.usd, &|x| format!("${x:.2}"));
    judge(spent.tokens as f64, b.tokens.map(|t| t as f64), &|x| format!("{} tokens", x as u64));
    judge(spent.hours, b.hours, &|x| format!("{x:.1} h"));
    v
}

/// Whether one task's usage (`usd` at known prices, `tokens`) reached its per-task cap;
/// the cap it reached, as text.
pub fn task_over(usd: f64, tokens: u64, budget: Option<&BudgetConfig>) -> Option<String> {
    let cap = budget?.task.as_ref()?;
    if let Some(limit) = cap.usd.filter(|l| usd >= *l) {
        return Some(format!("${usd:.2} of its ${limit:.2} cap"));
    }
    let limit = cap.tokens.filter(|l| tokens >= *l)?;
    Some(format!("{tokens} tokens of its {limit}-token cap"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TaskBudget;
    use proptest::prelude::*;

    fn budget(usd: Option<f64>, tokens: Option<u64>, hours: Option<f64>) -> BudgetConfig {
        BudgetConfig { usd, tokens, hours, task: None }
    }

    #[test]
    fn eighty_percent_warns_and_the_limit_exhausts() {
        let edge = budget(Some(1.5), None, None);
        let spent = Spent { usd: 0.3 + 0.3 + 0.3 + 0.3, ..Spent::default() };
        assert_eq!(verdict(&spent, Some(&edge)).level, BudgetLevel::Warning, "1.2 of 1.5 is 80%");
        let b = budget(Some(50.0), Some(1_000_000), None);
        let at = |usd, tokens| verdict(&Spent { usd, tokens, hours: 0.0 }, Some(&b));
        assert_eq!(at(10.0, 0).level, BudgetLevel::Under);
        let warn = at(41.2, 0);
        assert_eq!(warn.level, BudgetLevel::Warning);
        assert_eq!(warn.limits, ["$41.20 of $50.00 (82%)"]);
        let out = at(10.0, 1_000_000);
        assert_eq!(out.level, BudgetLevel::Exhausted);
        assert_eq!(out.limits, ["1000000 tokens of 1000000 tokens (100%)"]);
        assert_eq!(
            verdict(
                &Spent { hours: 2.0, ..Spent::default() },
                Some(&budget(None, None, Some(2.0)))
            )
            .level,
            BudgetLevel::Exhausted
        );
        assert_eq!(
            verdict(&Spent { usd: 1e9, ..Spent::default() }, None).level,
            BudgetLevel::Under
        );
    }

    #[test]
    fn mission_budget_overrides_only_the_limits_it_sets() {
        let c = BudgetConfig {
            usd: Some(10.0),
            tokens: Some(5),
            hours: None,
            task: Some(TaskBudget { usd: Some(1.0), tokens: None }),
        };
        let s = budget(Some(50.0), None, Some(3.0));
        let e = effective(Some(&c), Some(&s)).unwrap();
        assert_eq!((e.usd, e.tokens, e.hours), (Some(50.0), Some(5), Some(3.0)));
        assert_eq!(e.task, c.task);
        assert_eq!(effective(None, None), None);
        let one = apply_set(None, serde_json::json!({"tokens": 9}).as_object().unwrap());
        let two = apply_set(Some(one), serde_json::json!({"usd": 2.5}).as_object().unwrap());
        assert_eq!(
            (two.usd, two.tokens, two.hours),
            (Some(2.5), Some(9), None),
            "each limit keeps its latest"
        );
        assert_eq!(task_over(1.5, 0, Some(&e)).as_deref(), Some("$1.50 of its $1.00 cap"));
        assert_eq!(task_over(0.5, 10, Some(&e)), None);
    }

    proptest! {
        #[test]
        fn spending_more_never_lowers_the_level(
            usd in 0.0f64..200.0, extra in 0.0f64..200.0,
            tokens in 0u64..2_000_000, more in 0u64..2_000_000,
            limit in proptest::option::of(0.0f64..100.0), tlimit in proptest::option::of(0u64..1_000_000),
        ) {
            let b = budget(limit, tlimit, None);
            let before = verdict(&Spent { usd, tokens, hours: 0.0 }, Some(&b));
            let after = verdict(&Spent { usd: usd + extra, tokens: tokens + more, hours: 0.0 }, Some(&b));
            prop_assert!(after.level >= before.level);
            let over = limit.is_some_and(|l| usd >= l - l * 1e-9) || tlimit.is_some_and(|t| tokens as f64 >= t as f64 * (1.0 - 1e-9));
            prop_assert_eq!(before.level == BudgetLevel::Exhausted, over);
        }
    }
}
