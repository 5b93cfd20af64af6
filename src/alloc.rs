//! How the binary's allocator (mimalloc, set in `main.rs`) takes memory from the OS.
//! Eagerly committed arenas backed by transparent huge pages make reading a 100,000-event
//! log fast (few page faults), but cost every short command ~6 MiB of resident memory.
//! The choice has to be made before the first allocation (Rust's runtime allocates before
//! `main`), so the binary makes it in a constructor, from the command line alone: the
//! commands that read the whole event log keep the eager default, all others start lean.

/// mimalloc's `mi_option_arena_eager_commit` and `mi_option_purge_delay` (the same
/// indices in its v2 and v3 headers).
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Subcommands that read the whole event log (and so profit from huge pages).
const LOG_READERS: [&str; 7] =
    ["metrics", "orch", "top", "mission", "dashboard", "orchestrator", "demo"];

/// Whether a command line (without the program name) runs a command that reads the whole
/// event log. A global flag's value that happens to be such a word only costs memory.
pub fn reads_whole_log<'a>(args: impl IntoIterator<Item = &'a [u8]>) -> bool {
    args.into_iter().any(|a| LOG_READERS.iter().any(|c| c.as_bytes() == a))
}

/// Commit arena memory on demand and give freed memory back at once: a small footprint
/// for ordinary commands. Must run before the first allocation.
pub fn lean() {
    // SAFETY: setting an allocator option is a plain store into mimalloc's option table,
    // valid before and after the allocator is initialised.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::reads_whole_log;

    fn args(line: &str) -> bool {
        reads_whole_log(line.split(' ').map(str::as_bytes))
    }

    #[test]
    fn log_readers_are_recognised_wherever_the_subcommand_stands() {
        assert!(args("metrics"));
        assert!(args("-C /p --json metrics agents"));
        assert!(args("top"));
        assert!(!args("task list"));
        assert!(!args("task create metricsish"));
    }
}
