//! Codex's `notify` runs in its shared daemon with the first pane's `$TMUX_IDE_PANE`:
//! the installed notify line, run as that daemon runs it, reports each turn for the pane
//! whose task prompt the turn worked on, and a turn with no prompt of ours (the title
//! request) is not recorded at all. Any other self-report names its pane by the
//! `$TMUX_IDE_TITLE` of the pane it runs in.
use std::path::Path;

use serde_json::{Value, json};

use crate::common::{TestProject, TmuxServer, bin, wait_for};

/// The argv of the `notify` line that `hooks install codex` wrote.
fn installed_notify(p: &TestProject) -> Vec<String> {
    let home = p.path().join("codex-home");
    std::fs::create_dir_all(&home).unwrap();
    let out = p.cmd().env("CODEX_HOME", &home).args(["hooks", "install", "codex"]).output();
    assert!(out.unwrap().status.success());
    let config = p.read("codex-home/config.toml");
    let line = config.lines().find_map(|l| l.strip_prefix("notify = ")).unwrap();
    // A TOML array of basic strings is JSON too.
    serde_json::from_str(line).unwrap()
}

/// Runs `notify` as Codex's daemon would: in the project, with `env_pane`'s environment,
/// the payload appended as the last argument.
fn notify(p: &TestProject, tmux: &TmuxServer, argv: &[String], env_pane: &str, payload: &Value) {
    let dir = bin().parent().unwrap().to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let out = p
        .command(&argv[0])
        .args(&argv[1..])
        .arg(payload.to_string())
        .current_dir(p.path())
        .env("PATH", path)
        .env("TMUX_IDE_PANE", env_pane)
        .env("TMUX_IDE_SOCKET", &tmux.socket)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn turn(messages: &[&str]) -> Value {
    json!({"type": "agent-turn-complete", "thread-id": "th", "turn-id": "1", "cwd": "/p",
        "client": "codex-tui", "input-messages": messages, "last-assistant-message": "ok"})
}

fn idle_reports(project: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(project.join(".tasks/events.jsonl")).unwrap_or_default();
    let events = text.lines().filter_map(|l| serde_json::from_str::<Value>(l).ok());
    events.filter(|e| e["type"] == "agent_state" && e["state"] == "idle").collect()
}

#[test]
fn codex_notify_reports_are_attributed_to_the_pane_of_the_prompts_task() {
    let p = TestProject::new();
    let tmux = TmuxServer::new();
    p.write(
        "ide.yml",
        "name: codexes\nrows:\n  - panes:\n      - {title: A, command: bash --norc --noprofile}\n      - {title: B, command: bash --norc --noprofile}\n",
    );
    p.ok(&["mission", "set", "Two", "--description", "two codex panes"]);
    p.ok(&["milestone", "create", "Work", "--sequence", "1"]);
    p.ok(&["task", "create", "First", "--milestone", "M1"]);
    p.ok(&["task", "create", "Second", "--milestone", "M1"]);
    p.ok(&["mission", "plan-complete"]);
    p.ok(&["task", "claim", "001", "--pane", "A"]);
    p.ok(&["task", "claim", "002", "--pane", "B"]);
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    let a = wait_for("pane A", std::time::Duration::from_secs(10), || tmux.pane_titled("A"));
    let b = tmux.pane_titled("B").unwrap();
    let argv = installed_notify(&p);

    // Both turns are notified from the daemon that pane A's Codex started.
    notify(&p, &tmux, &argv, &a, &turn(&["# tmux-ide task 002: Second\nTMUX-IDE-TASK: 002\n"]));
    notify(&p, &tmux, &argv, &a, &turn(&["# tmux-ide task 001: First\nTMUX-IDE-TASK: 001\n"]));
    // The title request: no prompt of ours in it, so nobody is reported idle.
    notify(&p, &tmux, &argv, &a, &turn(&["Generate a concise title for this conversation"]));

    let reports = idle_reports(p.path());
    let panes: Vec<(&str, &str)> = reports
        .iter()
        .map(|e| (e["pane_id"].as_str().unwrap(), e["pane"].as_str().unwrap()))
        .collect();
    assert_eq!(panes, [(b.as_str(), "B"), (a.as_str(), "A")], "{reports:#?}");
}

#[test]
fn a_codex_turn_for_an_unassigned_or_unknown_task_is_not_recorded() {
    let p = TestProject::new();
    p.write("ide.yml", "rows:\n  - panes:\n      - title: A\n");
    p.ok(&["mission", "set", "One", "--description", "one"]);
    p.ok(&["task", "create", "Nobody's"]);
    for payload in [
        turn(&["# tmux-ide task 001: x\nTMUX-IDE-TASK: 001\n"]),
        turn(&["# tmux-ide task 042: x\nTMUX-IDE-TASK: 042\n"]),
        json!({"type": "agent-turn-complete"}),
    ] {
        p.ok(&["agent", "idle", "--pane", "%9", &payload.to_string()]);
    }
    assert_eq!(idle_reports(p.path()), Vec::<Value>::new());
    // Not a Codex payload: the pane given is the one reporting, as before.
    p.ok(&["agent", "idle", "--pane", "%9"]);
    assert_eq!(idle_reports(p.path()).len(), 1);
}

#[test]
fn a_report_from_inside_its_pane_takes_the_title_from_the_environment_not_from_tmux() {
    let p = TestProject::new();
    p.ok(&["mission", "set", "Titles", "--description", "self-reports"]);
    // No tmux server on this socket: only the environment can name the pane.
    let report = |env_pane: &str| {
        let out = p
            .cmd()
            .args(["agent", "busy", "--pane", "%7"])
            .env("TMUX_IDE_PANE", env_pane)
            .env("TMUX_IDE_TITLE", "Worker 7")
            .env("TMUX_IDE_SOCKET", p.path().join("no-server"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    report("%7");
    // Another pane's environment says nothing about %7.
    report("%8");
    let text = p.read(".tasks/events.jsonl");
    let busy: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["type"] == "agent_state")
        .collect();
    assert_eq!(busy.len(), 2, "{text}");
    assert_eq!((&busy[0]["pane"], &busy[0]["pane_id"]), (&json!("Worker 7"), &json!("%7")));
    assert_eq!((&busy[1]["pane"], &busy[1]["pane_id"]), (&json!("%7"), &json!("%7")));
}

#[test]
fn with_an_orchestrator_running_a_report_does_not_wait_for_the_store_lock() {
    use crate::common::fake::{Team, Worker};

    let workers = [Worker { title: "W", agent: "claude", flags: "" }];
    let team = Team::start(&workers, &["Only task"], "", 300_000);
    let socket = team.project.path().join(".tmux-ide/run/reports.sock");
    team.wait("the orchestrator's report socket", 20, || socket.exists().then_some(()));
    let lock = std::fs::File::open(team.project.path().join(".tasks/.lock")).unwrap();
    lock.lock().unwrap();
    let mut report = team
        .project
        .std_cmd()
        .args(["agent", "waiting", "--pane", "%99"])
        .env("TMUX_IDE_PANE", "%99")
        .env("TMUX_IDE_TITLE", "Nobody")
        .spawn()
        .unwrap();
    // Blocked on the lock it would never end while the test holds it.
    let status = team.wait("the report to return", 20, || report.try_wait().unwrap());
    assert!(status.success());
    lock.unlock().unwrap();
    let logged = team.wait_event("agent_state", 20, |e| e["pane_id"] == "%99");
    assert_eq!((&logged["state"], &logged["pane"]), (&json!("waiting"), &json!("Nobody")));
    assert!(logged["seq"].as_u64().is_some(), "{logged}");
}
