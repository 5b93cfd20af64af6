//! The `tmux-ide` binary: parse the command line, run it, map the outcome to an exit code.
use std::process::ExitCode;

fn main() -> ExitCode {
    tmux_ide::cli::main()
}
