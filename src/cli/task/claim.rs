//! `tmux-ide task claim`: a pane takes a todo task.
use std::io::Write;
use std::process::ExitCode;

use jiff::Timestamp;

use crate::Result;
use crate::cli::Ctx;
use crate::plan::Store;
use crate::plan::rules::claim_task;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Task id.
    pub id: String,
    /// Title of the pane taking it (defaults to $TMUX_IDE_PANE, whose pane id is turned
    /// into the pane's title).
    #[arg(long, env = "TMUX_IDE_PANE")]
    pub pane: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let now = Timestamp::now();
    let pane = crate::cli::pane::title_of(ctx, &args.pane);
    let id = Store::new(&ctx.project()?)
        .update(|plan, events| Ok(claim_task(plan, events, &args.id, &pane, now)?))?;
    writeln!(ctx.out(), "Task {id} claimed by {pane}")?;
    Ok(ExitCode::SUCCESS)
}
