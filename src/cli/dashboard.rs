//! `tmux-ide dashboard` (being built).
use std::process::ExitCode;

use super::Ctx;
use crate::Result;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_ctx: &Ctx, _args: Args) -> Result<ExitCode> {
    super::not_yet("dashboard")
}
