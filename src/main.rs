//! The `tmux-ide` binary: parse the command line, run it, map the outcome to an exit code.
use std::process::ExitCode;

/// mimalloc: reading a 100,000-event log makes about a million small allocations, and
/// with glibc's allocator the page faults and arena growth cost as much as the parsing.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tmux_ide::cli::main()
}
