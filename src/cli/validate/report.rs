//! `tmux-ide validate report`: the seed's validation report for a milestone.
use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;

use crate::cli::Ctx;
use crate::contract::Contract;
use crate::plan::rules::resolve_milestone;
use crate::plan::{AssertionStatus, Store};
use crate::report::text::{first_line, one_line, shorten};
use crate::report::{ValidationReport, Verdict, default_milestone, validation};
use crate::{Error, Result};

/// Widest evidence shown in the report's third column.
const EVIDENCE_WIDTH: usize = 60;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Milestone to report on (default: the active or validating one).
    #[arg(long, short, conflicts_with = "all")]
    pub milestone: Option<String>,
    /// Every milestone, in sequence order.
    #[arg(long)]
    pub all: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.project()?;
    let plan = Store::new(&project).load()?;
    let contract = Contract::load(&project)?;
    let ids: Vec<String> = if args.all {
        let mut ms: Vec<_> = plan.milestones.iter().collect();
        ms.sort_by_key(|m| m.sequence);
        ms.into_iter().map(|m| m.id.clone()).collect()
    } else if let Some(m) = &args.milestone {
        vec![resolve_milestone(&plan, m)?]
    } else {
        vec![default_milestone(&plan).ok_or_else(|| {
            Error::failed(
                "there are no milestones yet (create one with `tmux-ide milestone create`)",
            )
        })?]
    };
    let reports: Vec<ValidationReport> =
        ids.iter().map(|id| validation(&plan, &contract, id)).collect();
    if ctx.json {
        if args.all {
            writeln!(ctx.out(), "{}", serde_json::to_string_pretty(&reports)?)?;
        } else {
            writeln!(ctx.out(), "{}", serde_json::to_string_pretty(&reports[0])?)?;
        }
    } else {
        write!(ctx.out(), "{}", render(&reports))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The seed's format; several milestones are separated by a blank line:
/// ```text
/// Validation Report
/// ─────────────────
/// Milestone: M2 — Implementation
/// VAL-AUTH-003 ✗ failing Refresh token not rotated
/// Status: 3/4 passing — remediation in progress
/// ```
pub fn render(reports: &[ValidationReport]) -> String {
    let title = "Validation Report";
    let mut out = format!("{title}\n{}\n", "─".repeat(title.chars().count()));
    for (i, r) in reports.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if !r.milestone.is_empty() {
            let _ = writeln!(out, "Milestone: {} — {}", r.milestone, one_line(&r.title));
        }
        render_rows(r, &mut out);
    }
    out
}

/// The assertion lines and the `Status:` line of one report.
fn render_rows(r: &ValidationReport, out: &mut String) {
    render_assertions(r, out);
    let _ = writeln!(out, "Status: {}/{} passing{}", r.passing, r.total, suffix(r));
}

/// One line per assertion: id, symbol and status, evidence (first line, shortened).
pub fn render_assertions(r: &ValidationReport, out: &mut String) {
    for row in &r.rows {
        let shown = if row.evidence.trim().is_empty() { &row.text } else { &row.evidence };
        let _ = writeln!(
            out,
            "{} {} {}",
            row.id,
            symbol(row.status),
            one_line(&shorten(first_line(shown), EVIDENCE_WIDTH))
        );
    }
}

/// `✓ passing`, `✗ failing`, `○ pending`.
fn symbol(status: AssertionStatus) -> &'static str {
    match status {
        AssertionStatus::Passing => "✓ passing",
        AssertionStatus::Failing => "✗ failing",
        AssertionStatus::Pending => "○ pending",
    }
}

/// What follows `N/M passing` (documented in the README).
fn suffix(r: &ValidationReport) -> String {
    match r.verdict {
        Verdict::Empty => " — no assertions are checked at this milestone".into(),
        Verdict::AllPassing => " — all passing".into(),
        Verdict::RemediationInProgress if r.pending > 0 => {
            format!(" — remediation in progress, {} pending", r.pending)
        }
        Verdict::RemediationInProgress => " — remediation in progress".into(),
        Verdict::Pending => format!(" — {} pending", r.pending),
    }
}
