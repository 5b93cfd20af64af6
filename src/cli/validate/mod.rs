//! `tmux-ide validate`: contract coverage, reported assertion results, the validation
//! report and machine-checked `verify:` commands.
use std::process::ExitCode;

use super::Ctx;
use crate::Result;

mod assert;
mod coverage;
pub(crate) mod report;
mod run;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Which tasks fulfil each assertion; exits 1 when any assertion is uncovered.
    Coverage,
    /// Record an assertion's result (passing, failing, pending) with evidence.
    Assert(assert::Args),
    /// Assertion results of the current milestone (or --milestone M, or --all).
    Report(report::Args),
    /// Run the contract's `verify:` commands and record the results.
    Run(run::Args),
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Coverage => coverage::run(ctx),
        Command::Assert(args) => assert::run(ctx, args),
        Command::Report(args) => report::run(ctx, args),
        Command::Run(args) => run::run(ctx, args),
    }
}
