//! The session's life in real tmux: `stop` leaves no process behind, `restart` leaves
//! exactly one orchestrator and dispatches nothing twice, panes get their own PATH and
//! this binary, `up` refuses a missing agent, and `logs` reads the orchestrator's log.
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

use crate::common::{TestProject, TmuxServer, bin, wait_for};

const DEADLINE: Duration = Duration::from_secs(15);

fn project(layout: &str) -> TestProject {
    let p = TestProject::new();
    p.write("ide.yml", layout);
    p
}

fn up(p: &TestProject, server: &TmuxServer) {
    server.on(p.cmd()).args(["up", "--detach", "--size", "160x40"]).assert().success();
}

fn events(p: &TestProject) -> Vec<Value> {
    let text = std::fs::read_to_string(p.path().join(".tasks/events.jsonl")).unwrap_or_default();
    text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

fn of_type<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == kind).collect()
}

/// Every process on the machine as (pid, parent pid, running): read here independently
/// of the code under test. A zombie has exited and does not count as running.
#[cfg(target_os = "linux")]
fn processes() -> Vec<(u32, u32, bool)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        let Some(close) = stat.rfind(')') else { continue };
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let ppid = fields[1].parse().unwrap_or(0);
        out.push((pid, ppid, fields[0] != "Z" && fields[0] != "X"));
    }
    out
}

#[cfg(target_os = "linux")]
fn with_descendants(roots: &[u32]) -> Vec<u32> {
    let table = processes();
    let mut found: Vec<u32> = roots.to_vec();
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        for &(pid, ppid, _) in &table {
            if ppid == parent && !found.contains(&pid) {
                found.push(pid);
            }
        }
        i += 1;
    }
    found
}

#[cfg(target_os = "linux")]
fn running(pid: u32) -> bool {
    processes().iter().any(|&(p, _, alive)| p == pid && alive)
}

#[cfg(target_os = "linux")]
#[test]
fn stop_leaves_no_process_of_the_session_behind_even_one_that_ignores_hangup() {
    let p = project(
        "name: stubborn\nrows:\n  - panes:\n      - {title: Deaf, command: \"trap '' HUP; sleep 1000 & sleep 1001\"}\n      - {title: Plain, command: cat}\n",
    );
    let server = TmuxServer::new();
    up(&p, &server);
    let roots: Vec<u32> = server
        .tmux_ok(&["list-panes", "-s", "-t", "=stubborn", "-F", "#{pane_pid}"])
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    // Both sleeps (one a grandchild of the pane) must exist before stop is tried.
    let pids = wait_for("the pane processes", DEADLINE, || {
        let all = with_descendants(&roots);
        let sleeps = all
            .iter()
            .filter(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/cmdline"))
                    .is_ok_and(|c| c.starts_with("sleep\x00100"))
            })
            .count();
        (sleeps == 2).then_some(all)
    });
    server.on(p.cmd()).arg("stop").assert().success();
    let left: Vec<u32> = pids.iter().copied().filter(|&pid| running(pid)).collect();
    assert!(left.is_empty(), "still running after stop: {left:?} (of {pids:?})");
}

#[test]
fn a_pane_whose_env_sets_path_sees_it_with_this_binary_in_front() {
    let p = project(
        "name: pathy\nrows:\n  - panes:\n      - title: Probe\n        env: {PATH: \"/some/dir:/usr/bin:/bin\"}\n        command: 'echo \"$PATH|$TMUX_IDE_BIN|$(command -v tmux-ide)\" > path.out; exec cat'\n",
    );
    let server = TmuxServer::new();
    up(&p, &server);
    let out = wait_for("path.out", DEADLINE, || {
        let text = std::fs::read_to_string(p.path().join("path.out")).ok()?;
        text.ends_with('\n').then_some(text)
    });
    let exe = std::fs::canonicalize(bin()).unwrap();
    let dir = exe.parent().unwrap().display().to_string();
    let fields: Vec<&str> = out.trim_end().split('|').collect();
    assert_eq!(fields[0], format!("{dir}:/some/dir:/usr/bin:/bin"), "{out}");
    assert_eq!(std::fs::canonicalize(fields[1]).unwrap(), exe, "{out}");
    assert_eq!(std::fs::canonicalize(fields[2]).unwrap(), exe, "{out}");
}

#[test]
fn up_refuses_a_pane_whose_program_is_missing_and_force_builds_it() {
    let p = project(
        "name: missing\nrows:\n  - panes:\n      - {title: Shell, command: cat}\n      - {title: Backend, command: no-such-agent-xyz --go}\n",
    );
    let server = TmuxServer::new();
    let out = server.on(p.cmd()).args(["up", "--detach"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: pane Backend: `no-such-agent-xyz` is not on PATH"), "{err}");
    assert!(err.contains("hint: install `no-such-agent-xyz`") && err.contains("--force"), "{err}");
    assert!(!server.tmux(&["has-session", "-t", "=missing"]).status.success());
    server.on(p.cmd()).args(["up", "--detach", "--force"]).assert().success();
    assert!(server.tmux(&["has-session", "-t", "=missing"]).status.success());
}

#[test]
fn logs_prints_the_orchestrator_log_filters_by_level_and_escapes_control_characters() {
    let p = project(
        "name: logged\nrows:\n  - panes:\n      - {title: Worker, command: cat}\norchestrator:\n  enabled: true\n  poll_interval: 200\n",
    );
    p.ok(&["mission", "set", "Logged"]);
    let server = TmuxServer::new();
    up(&p, &server);
    let text = wait_for("the orchestrator's start in the log", DEADLINE, || {
        let out = server.on(p.cmd()).arg("logs").output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        text.contains("serving session").then_some(text)
    });
    assert!(text.contains(" INFO ") && text.contains("orchestrator started"), "{text}");
    p.write(
        ".tmux-ide/run/orchestrator.log",
        &format!("{text}2026-01-01T00:00:00Z ERROR x: title \u{1b}[2J here\n"),
    );
    let errors = p.ok(&["logs", "--level", "error"]);
    assert_eq!(errors, "2026-01-01T00:00:00Z ERROR x: title \\u{1b}[2J here\n");
    assert_eq!(p.ok(&["logs", "-n", "1"]), errors);
    let bad = p.run(&["logs", "--level", "loud"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn logs_follow_prints_lines_as_they_are_written() {
    let p = project("rows:\n  - panes:\n      - {title: A}\n");
    p.write(".tmux-ide/run/orchestrator.log", "t0  INFO x: before\n");
    let mut cmd = p.std_cmd();
    let mut child = cmd.args(["logs", "-f"]).stdout(Stdio::piped()).spawn().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let next = || rx.recv_timeout(DEADLINE).expect("a line from logs -f");
    assert_eq!(next(), "t0  INFO x: before");
    let mut log = std::fs::OpenOptions::new()
        .append(true)
        .open(p.path().join(".tmux-ide/run/orchestrator.log"))
        .unwrap();
    std::io::Write::write_all(&mut log, b"t1  WARN x: after\n").unwrap();
    assert_eq!(next(), "t1  WARN x: after");
    // SAFETY: our own child, by its pid; SIGINT is how a user ends `-f`.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let status = wait_for("logs -f to end", DEADLINE, || child.try_wait().unwrap());
    assert!(status.success(), "{status}");
}

/// A mission long enough to be running during ten restarts: sims that take a while.
fn mission_with_sims() -> TestProject {
    let sim = format!("'{}' agent sim --work-ms 400", bin().display());
    let mut layout = String::from("name: restarts\nrows:\n  - panes:\n");
    for title in ["W1", "W2", "W3"] {
        layout.push_str(&format!(
            "      - title: {title}\n        role: teammate\n        agent: sim\n        command: {sim:?}\n"
        ));
    }
    layout.push_str("orchestrator:\n  enabled: true\n  poll_interval: 200\n");
    let p = project(&layout);
    p.ok(&["mission", "set", "Restarts"]);
    p.ok(&["milestone", "create", "Only", "--sequence", "1"]);
    for n in 0..30 {
        p.ok(&["task", "create", &format!("Task {n}"), "--milestone", "M1"]);
    }
    p.ok(&["mission", "plan-complete"]);
    p
}

#[test]
fn ten_restarts_during_a_mission_leave_one_orchestrator_each_and_dispatch_nothing_twice() {
    let p = mission_with_sims();
    let server = TmuxServer::new();
    up(&p, &server);
    let lock = p.path().join(".tmux-ide/run/orchestrator.lock");
    // The panes of each generation of the session, in the order the orchestrators started.
    let mut generations: Vec<HashSet<String>> = Vec::new();
    for round in 0..=10 {
        if round > 0 {
            server.on(p.cmd()).args(["restart", "--detach", "--size", "160x40"]).assert().success();
        }
        let panes = server.tmux_ok(&["list-panes", "-s", "-t", "=restarts", "-F", "#{pane_id}"]);
        generations.push(panes.lines().map(str::to_string).collect());
        // This round's orchestrator runs in the window, holds the lock, and is the only one.
        let window_pid = server.tmux_ok(&[
            "display-message",
            "-p",
            "-t",
            "=restarts:orchestrator",
            "#{pane_pid}",
        ]);
        let window_pid = window_pid.trim().to_string();
        let events = wait_for("this round's orchestrator to take the lock", DEADLINE, || {
            let pid =
                std::fs::read_to_string(p.path().join(".tmux-ide/run/orchestrator.pid")).ok()?;
            let held = std::fs::File::open(&lock).ok()?.try_lock().is_err();
            let events = events(&p);
            let started = of_type(&events, "orchestrator_started").len();
            let mine = pid.split_whitespace().next() == Some(window_pid.as_str());
            (held && mine && started == round + 1).then_some(events)
        });
        assert_eq!(of_type(&events, "orchestrator_stopped").len(), round, "round {round}");
        // Let the mission move on before the next restart (tasks stranded by a restart
        // may leave nothing to dispatch: then the round just ends).
        let dispatched = of_type(&events, "task_dispatched").len();
        let deadline = std::time::Instant::now() + Duration::from_secs(3);
        while of_type(&self::events(&p), "task_dispatched").len() == dispatched
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let events = events(&p);
    // A restart gives every pane a new agent, so work in progress there is handed back
    // (`task_returned`, reason pane_restarted) and out again; never twice without that.
    let mut seen = HashSet::new();
    let mut out = HashSet::new();
    let mut delivered = HashSet::new();
    let mut generation = 0;
    for e in &events {
        let task = e["task"].to_string();
        match e["type"].as_str() {
            Some("task_dispatched") => {
                assert!(out.insert(task.clone()), "dispatched twice without a return: {e}");
                seen.insert(task.clone());
                delivered.remove(&task);
            }
            Some("task_returned") => {
                assert_eq!(e["reason"], "pane_restarted", "{e}");
                assert!(out.remove(&task), "returned but not out: {e}");
            }
            Some("orchestrator_started") => generation += 1,
            Some("prompt_delivered") => {
                assert!(delivered.insert(task), "delivered twice: {e}");
                let pane = e["pane_id"].as_str().unwrap();
                assert!(
                    generations[generation - 1].contains(pane),
                    "orchestrator {generation} delivered into {pane}, not its session: {e}"
                );
            }
            _ => {}
        }
    }
    assert!(!seen.is_empty(), "the mission never ran");
}

#[cfg(target_os = "linux")]
#[test]
fn doctor_checks_that_tmux_ide_in_each_running_pane_is_this_binary() {
    let p = project(
        "name: reach\nrows:\n  - panes:\n      - {title: Good, command: cat}\n      - {title: Lost, command: 'PATH=/usr/bin:/bin exec cat'}\n",
    );
    let server = TmuxServer::new();
    up(&p, &server);
    let text = wait_for("both panes running cat", DEADLINE, || {
        let out = server.on(p.cmd()).arg("doctor").output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        text.contains("pane(s) Lost is not").then_some(text)
    });
    assert!(text.contains("warn  tmux-ide in panes: `tmux-ide` in pane(s) Lost is not "), "{text}");
    assert!(text.contains("fix: `tmux-ide restart`"), "{text}");
    server.tmux_ok(&["kill-pane", "-t", &server.pane_titled("Lost").unwrap()]);
    let out = server.on(p.cmd()).arg("doctor").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("ok    tmux-ide in panes: `tmux-ide` in the panes is "), "{text}");
}
