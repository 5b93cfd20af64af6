//! `tmux-ide agent`: agent self-reports and the simulated agent.
use std::process::ExitCode;

use super::Ctx;
use crate::Result;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    Idle,
    Busy,
    Sim,
}

pub fn run(_ctx: &Ctx, _cmd: Command) -> Result<ExitCode> {
    super::not_yet("agent")
}
