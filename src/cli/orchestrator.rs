//! `tmux-ide orchestrator`: the orchestrator process.
use std::process::ExitCode;

use super::Ctx;
use crate::Result;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    Run,
}

pub fn run(_ctx: &Ctx, _cmd: Command) -> Result<ExitCode> {
    super::not_yet("orchestrator")
}
