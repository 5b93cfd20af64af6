//! `tmux-ide mission`: the mission.
use std::process::ExitCode;

use super::Ctx;
use crate::Result;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    Set,
    Show,
    Status,
    PlanComplete,
}

pub fn run(_ctx: &Ctx, _cmd: Command) -> Result<ExitCode> {
    super::not_yet("mission")
}
