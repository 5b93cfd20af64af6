//! `tmux-ide completions <shell>` and the hidden `tmux-ide man`.
use std::io::Write;
use std::process::ExitCode;

use super::Ctx;
use crate::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to print completions for.
    pub shell: clap_complete::Shell,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let mut cmd = super::command();
    // clap_complete panics when its writer fails; a buffer cannot.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "tmux-ide", &mut script);
    ctx.out().write_all(&script)?;
    Ok(ExitCode::SUCCESS)
}

pub fn man(ctx: &Ctx) -> Result<ExitCode> {
    clap_mangen::Man::new(super::command()).render(&mut ctx.out())?;
    Ok(ExitCode::SUCCESS)
}
