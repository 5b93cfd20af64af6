//! `tmux-ide task cancel`.
use std::io::Write;
use std::process::ExitCode;

use jiff::Timestamp;

use crate::Result;
use crate::cli::Ctx;
use crate::plan::Store;
use crate::plan::rules::cancel_task;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Task id.
    pub id: String,
    /// Why (recorded in the event log).
    #[arg(long)]
    pub reason: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let now = Timestamp::now();
    let id = Store::new(&ctx.project()?).update(|plan, events| {
        Ok(cancel_task(plan, events, &args.id, args.reason.as_deref(), now)?)
    })?;
    writeln!(ctx.out(), "Cancelled task {id}")?;
    Ok(ExitCode::SUCCESS)
}
