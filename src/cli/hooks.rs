//! `tmux-ide hooks` (being built).
use std::process::ExitCode;

use super::Ctx;
use crate::Result;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    Install,
    Uninstall,
}

pub fn run(_ctx: &Ctx, _cmd: Command) -> Result<ExitCode> {
    super::not_yet("hooks")
}
