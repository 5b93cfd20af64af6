//! `tmux-ide completions <shell>` and the hidden `tmux-ide man`.
use std::process::ExitCode;

use crate::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to print completions for.
    pub shell: clap_complete::Shell,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let mut cmd = super::command();
    clap_complete::generate(args.shell, &mut cmd, "tmux-ide", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

pub fn man() -> Result<ExitCode> {
    clap_mangen::Man::new(super::command()).render(&mut std::io::stdout())?;
    Ok(ExitCode::SUCCESS)
}
