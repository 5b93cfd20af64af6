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

/// The whole history of a pane, joined lines.
fn history(tmux: &TmuxServer, target: &str) -> String {
    tmux.tmux_ok(&["capture-pane", "-p", "-J", "-S", "-2000", "-t", target])
}

#[test]
fn demo_attach_on_a_private_socket_goes_on_telling_after_the_user_detaches() {
    let p = TestProject::new();
    // The user's terminal is a pane of one server; the demo runs on another, private one.
    let (terminal, private) = (TmuxServer::new(), TmuxServer::new());
    let dir = p.path().join("demo");
    let script = format!(
        "'{}' --tmux-socket {} demo --attach --work-ms 300 --timeout 120 --dir '{}'; \
         echo DEMO-EXIT=$?; sleep 600",
        bin().display(),
        private.socket,
        dir.display()
    );
    let size = ["-x", "120", "-y", "40"];
    terminal.tmux_ok(
        &[&["new-session", "-d"][..], &size, &["-s", "user", "sh", "-c", &script]].concat(),
    );
    let session =
        wait_for("the user's terminal attached to the demo", Duration::from_secs(30), || {
            // The orchestrator's control-mode client is not the user's terminal.
            let format = "#{client_control_mode} #{session_name}";
            let out = private.tmux(&["list-clients", "-F", format]);
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            let name = text.lines().find_map(|l| l.strip_prefix("0 demo-"));
            name.map(|n| format!("demo-{n}"))
        });
    private.tmux_ok(&["detach-client", "-s", &session]);
    let screen =
        wait_for("the demo to finish in the user's terminal", Duration::from_secs(120), || {
            let h = history(&terminal, "user");
            h.contains("DEMO-EXIT=").then_some(h)
        });
    assert!(screen.contains("DEMO-EXIT=0"), "{screen}");
    for line in ["Validator: VAL-AUTH-003 failing → remediation 009 for Backend", "M3 done"] {
        assert!(screen.contains(line), "{line:?} not told after detaching:\n{screen}");
    }
    assert!(screen.contains("What to try next:"), "{screen}");
}

#[test]
fn demo_attach_inside_tmux_switches_the_client_and_brings_it_back_at_the_end() {
    let p = TestProject::new();
    let tmux = TmuxServer::new();
    let dir = p.path().join("demo");
    // The demo waits for a line so that the user's client is attached before it starts.
    let script = format!(
        "read go; '{}' --tmux-socket {} demo --attach --work-ms 200 --timeout 120 --dir '{}'; \
         echo DEMO-EXIT=$?; sleep 600",
        bin().display(),
        tmux.socket,
        dir.display()
    );
    let size = ["-x", "120", "-y", "40"];
    tmux.tmux_ok(
        &[&["new-session", "-d"][..], &size, &["-s", "user", "sh", "-c", &script]].concat(),
    );
    // A real client (with a terminal) on `user`: a tmux client running in another session.
    let client = format!("env -u TMUX tmux -L {} attach -t =user", tmux.socket);
    tmux.tmux_ok(
        &[&["new-session", "-d"][..], &size, &["-s", "terminal", "sh", "-c", &client]].concat(),
    );
    let clients = || {
        let out = tmux.tmux(&["list-clients", "-F", "#{client_session}"]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    wait_for("the user's client on `user`", Duration::from_secs(10), || {
        (clients() == "user").then_some(())
    });
    tmux.tmux_ok(&["send-keys", "-t", "=user:", "Enter"]);
    wait_for("the client switched to the demo", Duration::from_secs(30), || {
        clients().starts_with("demo-").then_some(())
    });
    let screen = wait_for("the demo to finish", Duration::from_secs(120), || {
        let h = history(&tmux, "=user:");
        h.contains("DEMO-EXIT=").then_some(h)
    });
    assert!(screen.contains("DEMO-EXIT=0"), "{screen}");
    assert!(screen.contains("M3 done"), "{screen}");
    // The demo's session is gone and the client is back where it was, still in tmux.
    assert_eq!(clients(), "user", "{screen}");
}
