//! How failures reach the user: a closed stdout ends a command quietly, a tmux that does
//! not read its input is an error with its cause (not a silent death by SIGPIPE), an
//! orchestrator that fails says why it stopped, and usage errors name what is missing.
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

use crate::common::{Reaped, TestProject, TmuxServer, bin};
use crate::tmux_support::*;

/// Runs `tmux-ide -C <project> ARGS` with stdout a pipe whose reader is already gone,
/// as in `tmux-ide task list | head -0`.
fn run_into_closed_pipe(p: &TestProject, args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut cmd = p.std_cmd();
    cmd.args(args).stdout(Stdio::from(writer)).stderr(Stdio::piped());
    cmd.output().unwrap()
}

#[test]
fn a_closed_stdout_ends_a_command_quietly_with_exit_0() {
    let p = TestProject::new();
    p.ok(&["mission", "set", "Pipes"]);
    p.ok(&["milestone", "create", "Only", "--sequence", "1"]);
    p.ok(&["task", "create", "First", "--milestone", "M1"]);
    // Past the 64 KiB the reports stream through before their first write: 600 tasks.
    let mut plan: Value = serde_json::from_str(&p.read(".tasks/tasks.json")).unwrap();
    let first = plan["tasks"][0].clone();
    for n in 2..=600 {
        let mut t = first.clone();
        t["id"] = format!("{n:03}").into();
        plan["tasks"].as_array_mut().unwrap().push(t);
    }
    let text = serde_json::to_string_pretty(&plan).unwrap();
    std::fs::write(p.path().join(".tasks/tasks.json"), text).unwrap();
    let streamed: [&[&str]; 2] = [&["--json", "orch"], &["--json", "metrics"]];
    for args in [&["task", "list"][..], &["--json", "task", "list"], &["completions", "bash"]]
        .into_iter()
        .chain(streamed)
    {
        let out = run_into_closed_pipe(&p, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", out.status);
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}

/// A directory with a `tmux` that fails `load-buffer` without reading its input and
/// hands every other command to the real tmux.
fn tmux_refusing_input() -> tempfile::TempDir {
    let real = which::which("tmux").expect("tmux is installed");
    let dir = tempfile::Builder::new().prefix("tmux-ide-fake-tmux-").tempdir().unwrap();
    let script = dir.path().join("tmux");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ncase \" $* \" in\n  *' load-buffer '*) echo 'fake tmux: refusing input' >&2; exit 1 ;;\nesac\nexec '{}' \"$@\"\n",
            real.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

fn path_with(dir: &std::path::Path) -> std::ffi::OsString {
    let mut paths = vec![dir.to_path_buf()];
    paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(paths).unwrap()
}

#[test]
fn a_tmux_that_does_not_read_its_input_is_an_error_naming_the_cause() {
    let p = project(
        "name: pipetest\nrows:\n  - panes:\n      - {title: Worker, role: teammate, command: cat}\n",
    );
    let server = TmuxServer::new();
    up(&p, &server);
    let fake = tmux_refusing_input();
    // More than a pipe holds, so the write cannot finish before tmux exits.
    let text = "x".repeat(300 * 1024);
    let out = server
        .on(p.cmd())
        .env("PATH", path_with(fake.path()))
        .args(["send", "Worker", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}: {stderr}", out.status);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines[0].starts_with("error: tmux -L ")
            && lines[0].ends_with(" load-buffer did not read its input: Broken pipe (os error 32)"),
        "{stderr}"
    );
    assert!(
        lines[1].starts_with("Caused by: tmux -L ")
            && lines[1].ends_with(": fake tmux: refusing input"),
        "{stderr}"
    );
    assert_eq!(lines.len(), 2, "{stderr}");
}

#[test]
fn an_orchestrator_that_fails_records_why_it_stopped() {
    let p = project("name: broken\nrows:\n  - panes:\n      - {title: Worker, command: cat}\n");
    p.write(".tasks/tasks.json", "{ not json");
    let out = p.run(&["orchestrator", "run", "--exit-when-complete"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.lines().any(|l| l.starts_with("error: ") && l.contains("tasks.json:1:")),
        "{stderr}"
    );
    let events: Vec<Value> =
        p.read(".tasks/events.jsonl").lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let last = events.last().expect("events were written");
    assert_eq!(last["type"], "orchestrator_stopped", "{events:?}");
    let reason = last["reason"].as_str().unwrap();
    assert!(reason.starts_with("error: ") && reason.contains("tasks.json:1:"), "{reason}");
}

#[test]
fn a_missing_argument_is_named_on_the_one_error_line() {
    let p = TestProject::new();
    let out = p.run(&["task", "done", "001"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: the following required arguments were not provided: --proof <PROOF>\n"
    );
}

#[test]
fn an_orchestrator_whose_paste_tmux_does_not_read_records_the_failure_and_keeps_running() {
    let p = TestProject::new();
    let sim = format!("'{}' agent sim --work-ms 100", bin().display());
    p.write(
        "ide.yml",
        &format!(
            "name: pipeorch\nrows:\n  - panes:\n      - title: Worker\n        role: teammate\n        \
             agent: sim\n        command: {sim:?}\norchestrator:\n  poll_interval: 200\n"
        ),
    );
    p.ok(&["mission", "set", "Pipes"]);
    p.ok(&["milestone", "create", "Only", "--sequence", "1"]);
    // A prompt larger than a pipe holds, so the paste's write cannot finish early.
    let description = "d".repeat(100 * 1024);
    p.ok(&["task", "create", "Big", "--milestone", "M1", "--description", &description]);
    p.ok(&["mission", "plan-complete"]);
    let server = TmuxServer::new();
    up(&p, &server);
    let fake = tmux_refusing_input();
    let mut cmd = p.std_cmd();
    cmd.args(["--tmux-socket", &server.socket, "orchestrator", "run"]);
    cmd.env("PATH", path_with(fake.path())).stdout(Stdio::null()).stderr(Stdio::null());
    let mut orchestrator = Reaped(cmd.spawn().unwrap());
    let orchestrator = &mut orchestrator.0;
    let events = || -> Vec<Value> {
        p.read(".tasks/events.jsonl").lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    };
    let failed = crate::common::wait_for("delivery_failed", Duration::from_secs(20), || {
        events().into_iter().find(|e| e["type"] == "delivery_failed")
    });
    let error = failed["error"].as_str().unwrap();
    assert!(error.ends_with("load-buffer did not read its input: Broken pipe (os error 32)"));
    assert!(orchestrator.try_wait().unwrap().is_none(), "the orchestrator died");
    // SAFETY: signals the child this test started, by its pid.
    unsafe { libc::kill(orchestrator.id() as i32, libc::SIGTERM) };
    let status = orchestrator.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let last = events().pop().unwrap();
    assert_eq!(
        (&last["type"], &last["reason"]),
        (&"orchestrator_stopped".into(), &"signal".into())
    );
}
