//! `tmux-ide validate run`: run `verify:` commands, record passing / failing with the
//! exit status and last output lines as evidence, print the report.
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use jiff::Timestamp;

use crate::cli::Ctx;
use crate::contract::Contract;
use crate::plan::rules::{
    AssertionReport, milestone_assertions, report_assertion, resolve_milestone,
};
use crate::plan::{AssertionStatus, Store};
use crate::report::validation::report_for;
use crate::verify::run_all;
use crate::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Assertion ids to run (default: all, or those of --milestone).
    pub ids: Vec<String>,
    /// Only the assertions checked at this milestone.
    #[arg(long, short)]
    pub milestone: Option<String>,
    /// Seconds each verify command may take before it is killed and fails.
    // Bounded so that the deadline (now + timeout) cannot overflow.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: u64,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.project()?;
    let store = Store::new(&project);
    let plan = store.load()?;
    let contract = Contract::load(&project)?;
    let all = contract.ids();
    let mut selected: Vec<String> = match &args.milestone {
        Some(m) => {
            let m = resolve_milestone(&plan, m)?;
            milestone_assertions(&plan, &m, &all).into_iter().map(str::to_string).collect()
        }
        None if args.ids.is_empty() => all.clone(),
        None => Vec::new(),
    };
    for id in &args.ids {
        crate::plan::rules::check_assertions(std::slice::from_ref(id), &all)?;
        if args.milestone.is_some() && !selected.contains(id) {
            return Err(Error::bad_input(format!(
                "{id} is not checked at milestone {} (give ids of that milestone)",
                args.milestone.as_deref().unwrap_or_default()
            )));
        }
    }
    if !args.ids.is_empty() {
        selected.retain(|id| args.ids.contains(id));
        if selected.is_empty() {
            selected = args.ids.clone();
        }
    }
    let timeout = Duration::from_secs(args.timeout);
    let mut reports = Vec::new();
    let mut unverified = Vec::new();
    for id in &selected {
        let Some(a) = contract.get(id) else { continue };
        if a.verify.is_empty() {
            unverified.push(id.clone());
            continue;
        }
        let outcome = run_all(&project.root, &a.verify, timeout)?;
        let status =
            if outcome.passed { AssertionStatus::Passing } else { AssertionStatus::Failing };
        reports.push(AssertionReport {
            id: id.clone(),
            status,
            evidence: outcome.evidence,
            reporter: "validate run".into(),
        });
    }
    let now = Timestamp::now();
    let plan = store.update(|plan, events| {
        for r in &reports {
            report_assertion(plan, events, r, &all, now)?;
        }
        Ok(plan.clone())
    })?;
    let ran: Vec<String> = reports.iter().map(|r| r.id.clone()).collect();
    let report = report_for(&plan, &contract, "", "", &ran);
    if ctx.json {
        let json = serde_json::json!({ "report": report, "unverified": unverified });
        writeln!(ctx.out(), "{}", serde_json::to_string_pretty(&json)?)?;
    } else {
        let title = "Validation Run";
        let mut out = format!("{title}\n{}\n", "─".repeat(title.chars().count()));
        super::report::render_assertions(&report, &mut out);
        if !unverified.is_empty() {
            out.push_str(&format!("Not run (no verify command): {}\n", unverified.join(", ")));
        }
        let failing = match report.failing {
            0 => String::new(),
            n => format!(", {n} failing"),
        };
        out.push_str(&format!("Status: {}/{} passing{failing}\n", report.passing, report.total));
        write!(ctx.out(), "{out}")?;
    }
    Ok(if report.failing > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
