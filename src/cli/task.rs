//! `tmux-ide task`: tasks.
use std::process::ExitCode;

use super::Ctx;
use crate::Result;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    Create,
    List,
    Show,
    Update,
    Claim,
    Done,
    Cancel,
}

pub fn run(_ctx: &Ctx, _cmd: Command) -> Result<ExitCode> {
    super::not_yet("task")
}
