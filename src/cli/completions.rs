//! `tmux-ide completions <shell>` and `tmux-ide man`: the shell completion script and the
//! man pages, both generated from the clap command tree so they never drift from `--help`.
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::Ctx;
use crate::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to print completions for.
    pub shell: clap_complete::Shell,
}

/// Print `tmux-ide.1`, or with `--dir` write a page for every command.
///
/// Example: tmux-ide man --dir ~/.local/share/man/man1
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write `tmux-ide.1` and a page per subcommand (`tmux-ide-task-create.1`, …) into DIR
    /// (created if missing) instead of printing the top page.
    // Its own id: `dir` is the global `-C`.
    #[arg(long = "dir", id = "man_dir", value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let mut cmd = super::command();
    // clap_complete panics when its writer fails; a buffer cannot.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "tmux-ide", &mut script);
    ctx.out().write_all(&script)?;
    Ok(ExitCode::SUCCESS)
}

pub fn man(ctx: &Ctx, args: ManArgs) -> Result<ExitCode> {
    let Some(dir) = args.out_dir else {
        clap_mangen::Man::new(super::command()).render(&mut ctx.out())?;
        return Ok(ExitCode::SUCCESS);
    };
    fs_err::create_dir_all(&dir)?;
    // The top page lists `tmux-ide-<sub>(1)` for each subcommand; clap_mangen names the
    // pages it writes the same way, so every reference resolves.
    clap_mangen::generate_to(super::command(), &dir).map_err(|e| Error::io(&dir, e))?;
    let count = fs_err::read_dir(&dir)?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".1"))
        .count();
    writeln!(ctx.out(), "Wrote {count} man pages to {}", dir.display())?;
    Ok(ExitCode::SUCCESS)
}
