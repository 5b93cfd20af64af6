//! `tmux-ide demo` as a new user meets it in real tmux (private server): the story of the
//! mission one line per event, what to try next, and no temp project left behind.
use std::time::Duration;

use crate::common::{TestProject, TmuxServer, bin, wait_for};

#[test]
fn the_demo_narrates_into_a_pipe_and_removes_its_temp_project() {
    let p = TestProject::new();
    let tmux = TmuxServer::new();
    let mut cmd = p.command(bin());
    cmd.args(["--tmux-socket", &tmux.socket, "demo", "--timeout", "120", "--work-ms", "100"]);
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "demo failed:\n{stdout}\n{stderr}");

    let story = [
        "Backend took 001 Set up auth database schema",
        "Backend finished 001 Set up auth database schema",
        "M1 done",
        "Backend took 003 Build login endpoint",
        "Validator: VAL-AUTH-003 failing → remediation 009 for Backend",
        "M2 done",
        "M3 done",
        "mission complete",
        "Mission complete.",
        "What to try next:",
    ];
    let mut rest = &stdout[..];
    for line in story {
        let at = rest.find(&format!("{line}\n")).unwrap_or_else(|| {
            panic!("{line:?} missing or out of order in:\n{stdout}");
        });
        rest = &rest[at + line.len()..];
    }
    assert!(stdout.contains("tmux-ide demo --keep"), "{stdout}");
    // A pipe gets no live redraw: no cursor movement, no progress bars.
    assert!(!stdout.contains('\x1b') && !stdout.contains('░'), "{stdout}");

    let dir = stderr
        .lines()
        .find_map(|l| l.strip_prefix("demo project: "))
        .unwrap_or_else(|| panic!("no project path in:\n{stderr}"));
    assert!(!std::path::Path::new(dir).exists(), "{dir} was left behind");
    // Its session went with it.
    wait_for("the demo session to end", Duration::from_secs(10), || {
        let ls = tmux.tmux(&["list-sessions", "-F", "#{session_name}"]);
        (!String::from_utf8_lossy(&ls.stdout).contains("demo-")).then_some(())
    });
}
