//! The `tmux-ide` binary: parse the command line, run it, map the outcome to an exit code.
use std::process::ExitCode;

/// mimalloc: reading a 100,000-event log makes about a million small allocations, and
/// with glibc's allocator the page faults and arena growth cost as much as the parsing.
/// See `tmux_ide::alloc` for how it is kept lean for ordinary commands.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Decides, before anything allocates, how the allocator takes memory (see
/// `tmux_ide::alloc`). glibc calls `.init_array` functions with `argc` and `argv`.
#[used]
#[unsafe(link_section = ".init_array")]
static CHOOSE_ALLOCATOR_MODE: extern "C" fn(i32, *const *const std::ffi::c_char) = {
    extern "C" fn choose(argc: i32, argv: *const *const std::ffi::c_char) {
        let args = (1..argc.max(0) as usize).filter_map(|i| {
            // SAFETY: glibc passes the process's argv: `argc` valid C strings.
            let arg = unsafe { *argv.add(i) };
            (!arg.is_null()).then(|| unsafe { std::ffi::CStr::from_ptr(arg) }.to_bytes())
        });
        if !tmux_ide::alloc::reads_whole_log(args) {
            tmux_ide::alloc::lean();
        }
    }
    choose
};

fn main() -> ExitCode {
    tmux_ide::cli::main()
}
