//! The cost settings of ide.yml: `prices:` (per model, USD per million tokens; they
//! replace or add to the built-in table) and `orchestrator.budget:` (limits for the
//! mission and, optionally, for each task).
use serde::{Deserialize, Serialize};

/// One model's prices, USD per million tokens. A cache price left out is unknown, not
/// guessed: tokens of that kind then leave the cost unknown.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceSpec {
    pub input: f64,
    pub output: f64,
    #[serde(default)]
    pub cache_write: Option<f64>,
    #[serde(default)]
    pub cache_read: Option<f64>,
}

/// `orchestrator.budget`: any of the three limits for the whole mission, and caps per task.
/// Reaching 80% of one tells the lead; reaching it stops new dispatches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetConfig {
    /// Dollars, at known prices (agent-reported costs and the price table).
    #[serde(default)]
    pub usd: Option<f64>,
    /// Tokens of every kind (input, output, cache reads and writes).
    #[serde(default)]
    pub tokens: Option<u64>,
    /// Hours since the mission became active.
    #[serde(default)]
    pub hours: Option<f64>,
    /// Caps for any single task.
    #[serde(default)]
    pub task: Option<TaskBudget>,
}

/// `orchestrator.budget.task`: what one task may use.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskBudget {
    #[serde(default)]
    pub usd: Option<f64>,
    #[serde(default)]
    pub tokens: Option<u64>,
}
