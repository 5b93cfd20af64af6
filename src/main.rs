//! The `tmux-ide` binary: parse the command line, run it, map the outcome to an exit code.

/// mimalloc, plainly. Against the system allocator (release build, medians, 2 busy cores):
/// `metrics` on a 100,000-event log takes 109 vs 177 ms of CPU (335 vs 664 ms wall), and
/// `task list` on 10,000 tasks 27 vs 35 ms of CPU; it costs resident memory: 11 vs 5 MiB
/// for `--version`, 39 vs 16 MiB for `task list`, 120 vs 86 MiB for `metrics`.
///
/// Most of that memory is mimalloc backing its arena with transparent huge pages: the
/// first touch of any 2 MiB of it clears all 2 MiB. Turning them off for every command was
/// measured and rejected: on the development VM a page fault costs ~3 µs, so with 4 KiB
/// pages 40 `task done` on a 2,000-task store took 0.68–0.77 s of CPU instead of 0.56 s
/// (81,000 faults instead of 14,000; 15 instead of 23 MiB each) and `orch --json` over
/// 100,000 tasks 0.56 s instead of 0.30 s; `--version` stayed at ~3 ms either way.
/// `MIMALLOC_ARENA_EAGER_COMMIT=0` behaves like 4 KiB pages there (81,000 faults, 0.51–0.55
/// s), and neither a longer purge delay nor committing pages on demand changed it. Only
/// the commands whose memory is small and bounded by design take 4 KiB pages, see
/// [`small_pages_wanted`].
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tmux_ide::cli::main()
}

/// Run by the loader from `.init_array`, before anything allocates (already the runtime's
/// first allocation, before `main`, would fault in a whole huge page), with the process's
/// arguments as glibc passes them to these functions (as the standard library's own
/// entry, priority 99, reads them).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[used]
#[unsafe(link_section = ".init_array.00101")]
static SMALL_PAGES_FIRST: extern "C" fn(
    libc::c_int,
    *const *const libc::c_char,
    *const *const libc::c_char,
) = small_pages_first;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
extern "C" fn small_pages_first(
    argc: libc::c_int,
    argv: *const *const libc::c_char,
    _env: *const *const libc::c_char,
) {
    if argv.is_null() {
        return;
    }
    let args = (1..usize::try_from(argc).unwrap_or(0)).map(|i| {
        // SAFETY: glibc hands `.init_array` functions the `argc` NUL-terminated strings of
        // `argv`, alive for the whole process; nothing here writes or keeps them.
        unsafe { std::ffi::CStr::from_ptr(*argv.add(i)) }.to_bytes()
    });
    if let Some(pages) = small_pages_wanted(args) {
        // SAFETY: prctl with PR_SET_THP_DISABLE takes plain integers and touches no memory.
        let _ = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
        // Memory freed is given back at once rather than a second later: the command-line
        // parser's before the plan is read, the plan's text before the log is.
        if pages == SmallPages::PurgeAtOnce {
            // SAFETY: mimalloc's option calls take plain integers; the option table is static.
            unsafe {
                if mi_option_get(MI_OPTION_PURGE_DELAY) == DEFAULT_PURGE_DELAY_MS {
                    mi_option_set(MI_OPTION_PURGE_DELAY, 0);
                }
            }
        }
    }
}

/// How a command that wants 4 KiB pages treats the memory it frees.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[derive(Debug, PartialEq, Eq)]
enum SmallPages {
    /// Given back at once (short-lived commands, small by design).
    PurgeAtOnce,
    /// Kept a while, as mimalloc does by default (the orchestrator).
    Keep,
}

// mimalloc's own C API (the library is linked in for the global allocator).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
unsafe extern "C" {
    fn mi_option_get(option: libc::c_int) -> libc::c_long;
    fn mi_option_set(option: libc::c_int, value: libc::c_long);
}

/// `mi_option_purge_delay` in `mi_option_t` (mimalloc's `include/mimalloc.h`, v2 and v3).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MI_OPTION_PURGE_DELAY: libc::c_int = 15;

/// Its default in mimalloc v3 (`src/options.c`): changed only while it has it (not when
/// `MIMALLOC_PURGE_DELAY` set it, nor should a later mimalloc renumber its options).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const DEFAULT_PURGE_DELAY_MS: libc::c_long = 1000;

/// Commands that run with 4 KiB pages, decided from the raw arguments before anything
/// allocates (a misreading, say a directory named `mission`, only changes the page size):
/// - `mission status` streams the event log and keeps a summary: its whole working set is
///   a few MiB, which huge pages would double (over 1,000 tasks and 100,000 events: 22 MiB
///   peak with them, 10.0–10.4 without).
/// - `agent …`: a self-report's whole work is one small event, yet each first touch of the
///   arena cleared a 2 MiB page, and the simulated agent (inherited by its reports and its
///   `task done`) likewise. In a 32-agent simulated mission that clearing was 17% of the
///   machine's CPU; with no huge pages for any process it took 19.6 s instead of 23–24 s.
/// - `orchestrator run`: long-lived and small; huge pages only inflated it. Its freed
///   memory is not purged at once: it frees and allocates a plan's worth many times a
///   second (at 100 agents, purging and faulting it in again was a fifth of its CPU).
///   Nor do the self-reports purge: they end before it would matter, and the purge's
///   system calls were a tenth of their cost.
///
/// The page size (not the purge setting) is inherited by the processes these start: the
/// simulated agent's reports, the orchestrator's tmux clients. `mission status` starts none.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn small_pages_wanted<'a>(args: impl Iterator<Item = &'a [u8]>) -> Option<SmallPages> {
    let mut previous: &[u8] = b"";
    for arg in args {
        match (previous, arg) {
            (b"orchestrator", b"run") | (b"agent", b"idle" | b"busy" | b"waiting" | b"usage") => {
                return Some(SmallPages::Keep);
            }
            (b"mission", b"status") | (b"agent", b"sim") => return Some(SmallPages::PurgeAtOnce),
            _ => previous = arg,
        }
    }
    None
}
