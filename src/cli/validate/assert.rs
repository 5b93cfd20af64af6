//! `tmux-ide validate assert`: record one assertion's result.
use std::io::Write;
use std::process::ExitCode;

use jiff::Timestamp;

use crate::Result;
use crate::cli::Ctx;
use crate::contract::Contract;
use crate::plan::rules::{AssertionReport, report_assertion};
use crate::plan::{AssertionStatus, Store};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Assertion id from the contract (VAL-AUTH-001).
    pub id: String,
    /// passing, failing or pending.
    #[arg(long, value_parser = parse_status)]
    pub status: AssertionStatus,
    /// What was checked and what was seen.
    #[arg(long, default_value = "")]
    pub evidence: String,
    /// Reporting pane (defaults to $TMUX_IDE_PANE, else `user`).
    #[arg(long, env = "TMUX_IDE_PANE")]
    pub pane: Option<String>,
}

fn parse_status(s: &str) -> std::result::Result<AssertionStatus, String> {
    s.parse()
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.project()?;
    let contract = Contract::load(&project)?.ids();
    let report = AssertionReport {
        id: args.id,
        status: args.status,
        evidence: args.evidence,
        reporter: args.pane.map_or_else(|| "user".into(), |p| crate::cli::pane::title_of(ctx, &p)),
    };
    let now = Timestamp::now();
    Store::new(&project)
        .update(|plan, events| Ok(report_assertion(plan, events, &report, &contract, now)?))?;
    writeln!(ctx.out(), "{} {}", report.id, report.status.as_str())?;
    Ok(ExitCode::SUCCESS)
}
