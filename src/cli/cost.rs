//! `tmux-ide metrics cost`: tokens and dollars per task, agent or milestone, replayed from
//! the `usage` events of the log and priced with the built-in table and ide.yml's
//! `prices:`; and the cost totals `metrics` and `mission status` add to their reports.
use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

use super::Ctx;
use super::metrics::{Loaded, print};
use crate::Result;
use crate::config::Config;
use crate::plan::Event;
use crate::plan::rules::budget::BudgetLevel;
use crate::project::Project;
use crate::report::cost::{self, By, CostTotals};
use crate::report::prices::Prices;

#[derive(Debug, clap::Args)]
pub struct CostArgs {
    /// Rows per task (validation rounds per milestone), per agent pane, or per milestone;
    /// each split by model.
    #[arg(long, value_enum, default_value_t = By::Task)]
    pub by: By,
}

/// The prices in effect: the built-in table with ide.yml's `prices:` over it.
pub(crate) fn prices(project: &Project) -> Prices {
    if !project.ide_yml().exists() {
        return Prices::default();
    }
    match Config::load(project) {
        Ok(config) => Prices::new(&config.prices),
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "warning: {err}; built-in prices used");
            Prices::default()
        }
    }
}

/// `metrics cost`: the rows as a table, or as a JSON array.
pub(crate) fn run(ctx: &Ctx, loaded: &Loaded, args: CostArgs) -> Result<ExitCode> {
    let prices = prices(&loaded.project);
    let report = cost::cost(loaded.plan, loaded.events, &prices, args.by);
    print(ctx, &report.rows, || cost::render_cost(&report, args.by))
}

/// A report with the cost totals beside it (`cost` in JSON), once any usage or budget
/// event is in the log; reports of missions without any stay as they were.
#[derive(Serialize)]
pub(crate) struct WithCost<'a, T: Serialize> {
    #[serde(flatten)]
    pub report: &'a T,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostTotals>,
}

impl<'a, T: Serialize> WithCost<'a, T> {
    pub fn new(project: &Project, events: &[Event], report: &'a T) -> Self {
        Self::from_totals(cost::totals(events, &prices(project)), report)
    }

    /// With totals folded elsewhere (a view that streams the log).
    pub fn from_totals(totals: cost::CostTotals, report: &'a T) -> Self {
        let any = totals.messages > 0 || totals.budget != BudgetLevel::Under;
        WithCost { report, cost: any.then_some(totals) }
    }

    /// `text` with the cost line after it, when there is one.
    pub fn text(&self, text: String) -> String {
        match &self.cost {
            Some(totals) => format!("{text}{}\n", cost::summary_line(totals)),
            None => text,
        }
    }
}
