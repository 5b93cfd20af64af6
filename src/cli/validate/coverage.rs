//! `tmux-ide validate coverage`: the seed's coverage report; exit 1 when incomplete.
use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;

use crate::Result;
use crate::cli::Ctx;
use crate::contract::Contract;
use crate::plan::Store;
use crate::report::{Coverage, coverage};

pub fn run(ctx: &Ctx) -> Result<ExitCode> {
    let project = ctx.project()?;
    let plan = Store::new(&project).load()?;
    let contract = Contract::load(&project)?;
    let report = coverage(&plan, &contract);
    if ctx.json {
        writeln!(ctx.out(), "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        write!(ctx.out(), "{}", render(&report))?;
    }
    Ok(if report.complete() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// ```text
/// Validation Coverage Report
/// ──────────────────────────
/// VAL-AUTH-001 ✓ Covered by: 002, 003
/// VAL-AUTH-005 ✗ Not covered
/// Coverage: 1/2 assertions covered (50%)
/// ```
pub fn render(c: &Coverage) -> String {
    let mut out = String::new();
    let title = "Validation Coverage Report";
    let _ = writeln!(out, "{title}\n{}", "─".repeat(title.chars().count()));
    for row in &c.assertions {
        if row.covered_by.is_empty() {
            let _ = writeln!(out, "{} ✗ Not covered", row.id);
        } else {
            let _ = writeln!(out, "{} ✓ Covered by: {}", row.id, row.covered_by.join(", "));
        }
    }
    let _ =
        writeln!(out, "Coverage: {}/{} assertions covered ({}%)", c.covered, c.total, c.percent);
    out
}
