//! `tmux-ide milestone`: milestones.
use std::process::ExitCode;

use super::Ctx;
use crate::Result;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    Create,
    List,
    Show,
}

pub fn run(_ctx: &Ctx, _cmd: Command) -> Result<ExitCode> {
    super::not_yet("milestone")
}
