//! `tmux-ide orchestrator run`: the orchestrator in the foreground (it also runs in the
//! session's `orchestrator` window, started by `tmux-ide`).
use std::io::Write;
use std::process::ExitCode;

use super::Ctx;
use crate::Result;
use crate::orchestrator::run::{RunOptions, Runner};
use crate::tmux::Tmux;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Run the orchestrator for this project until stopped (SIGTERM / Ctrl-C).
    Run(RunArgs),
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Exit once the mission is complete instead of waiting for more work.
    #[arg(long)]
    pub exit_when_complete: bool,
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result<ExitCode> {
    let Command::Run(args) = cmd;
    let runner = Runner::start(ctx.project()?, Tmux::new(ctx.tmux_socket.clone()))?;
    let _ = writeln!(
        std::io::stderr(),
        "orchestrator running (pid {}); Ctrl-C stops it",
        std::process::id()
    );
    runner.run(&RunOptions { exit_when_complete: args.exit_when_complete })?;
    Ok(ExitCode::SUCCESS)
}
