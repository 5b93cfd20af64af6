//! `tmux-ide task claim`: a pane takes a todo task.
use std::io::Write;
use std::process::ExitCode;

use jiff::Timestamp;

use crate::Result;
use crate::cli::Ctx;
use crate::config::Config;
use crate::plan::Store;
use crate::plan::rules::{PlanError, check_pane, claim_task};

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
    let project = ctx.project()?;
    let pane = crate::cli::pane::title_of(ctx, &args.pane);
    // A claim by a pane that does not exist holds the task forever: nobody will finish it.
    if project.ide_yml().is_file() {
        let titles: Vec<String> =
            Config::load(&project)?.panes().map(|p| p.title.clone()).collect();
        check_pane(&pane, &titles).map_err(|e| match &e {
            PlanError::UnknownPane { known, .. } => {
                e.reworded(format!("--pane {pane:?}: no such pane (panes in ide.yml: {known})"))
            }
            _ => e.into(),
        })?;
    }
    let id = Store::new(&project)
        .update(|plan, events| Ok(claim_task(plan, events, &args.id, &pane, now)?))?;
    writeln!(ctx.out(), "Task {id} claimed by {pane}")?;
    Ok(ExitCode::SUCCESS)
}
