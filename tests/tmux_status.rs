//! `ls`, `status` and `doctor` against running sessions, and the tmux-missing error.
use std::time::Duration;

use crate::common::{TmuxServer, wait_for};
use crate::tmux_support::*;

const TASKS: &str = r#"{
  "version": 1,
  "tasks": [
    {"id": "001", "title": "Build the login form", "priority": 1, "assignee": "Frontend",
     "status": "in_progress", "created": "2026-01-01T00:00:00Z"},
    {"id": "002", "title": "Old work", "priority": 2, "assignee": "Backend",
     "status": "done", "created": "2026-01-01T00:00:00Z"}
  ]
}"#;

#[test]
fn ls_lists_tmux_ide_sessions_with_project_panes_and_orchestrator() {
    let p = project(&fixture("valid/missions.yml"));
    let server = TmuxServer::new();
    assert!(ok(&p, &server, &["ls"]).contains("no tmux-ide sessions running"));
    up(&p, &server);
    server.tmux_ok(&["new-session", "-d", "-s", "not-ours", "cat"]);
    let text = ok(&p, &server, &["ls"]);
    assert!(text.contains("missions") && text.contains(&root(&p)), "{text}");
    assert!(!text.contains("not-ours"), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&p, &server, &["ls", "--json"])).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1, "{json}");
    assert_eq!(json[0]["name"], "missions");
    assert_eq!(json[0]["panes"], 6);
    assert_eq!(json[0]["project"], root(&p));
    // orchestrator.enabled: the session's orchestrator window runs it and `ls` sees it.
    let json: serde_json::Value =
        wait_for("the orchestrator in ls", Duration::from_secs(10), || {
            let json: serde_json::Value =
                serde_json::from_str(&ok(&p, &server, &["ls", "--json"])).ok()?;
            json[0]["orchestrator_pid"].is_u64().then_some(json)
        });
    let pid = std::fs::read_to_string(p.path().join(".tmux-ide/run/orchestrator.pid")).unwrap();
    assert_eq!(json[0]["orchestrator_pid"].to_string(), pid.split_whitespace().next().unwrap());
}

#[test]
fn status_shows_each_pane_with_its_role_agent_process_and_assigned_task() {
    let p = project(&fixture("valid/missions.yml"));
    p.write(".tasks/tasks.json", TASKS);
    let server = TmuxServer::new();
    up(&p, &server);
    let json: serde_json::Value =
        serde_json::from_str(&ok(&p, &server, &["status", "--json"])).unwrap();
    let panes = json["panes"].as_array().unwrap();
    assert_eq!(panes.len(), 6);
    let by = |t: &str| panes.iter().find(|p| p["title"] == t).unwrap().clone();
    assert_eq!(by("Frontend")["role"], "teammate");
    assert_eq!(by("Frontend")["specialty"], "frontend");
    assert_eq!(by("Frontend")["agent"], "claude");
    assert_eq!(by("Frontend")["task"]["id"], "001");
    assert_eq!(by("Backend")["task"], serde_json::Value::Null, "done tasks are not assigned");
    assert!(by("Lead")["id"].as_str().unwrap().starts_with('%'));
    let text = ok(&p, &server, &["status"]);
    assert!(text.contains("001 Build the login form"), "{text}");
    assert!(text.contains("Researcher") && text.contains("research"), "{text}");
}

#[test]
fn status_without_a_session_says_which_and_how_to_start_it() {
    let p = project(&fixture("valid/missions.yml"));
    let server = TmuxServer::new();
    let out = run(&p, &server, &["status"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("session missions is not running") && err.contains("tmux-ide"), "{err}");
}

#[test]
fn doctor_reports_each_check_and_fails_on_a_missing_pane_command() {
    let p = project(
        "name: doc\nrows:\n  - panes:\n      - {title: A, command: cat}\n      - {title: B, command: no-such-program-xyz --flag}\n",
    );
    let server = TmuxServer::new();
    let out = run(&p, &server, &["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("ok    tmux: tmux "), "{text}");
    assert!(text.contains("ok    ide.yml: valid (2 panes in 1 rows)"), "{text}");
    assert!(text.contains("ok    pane A: `cat` found"), "{text}");
    assert!(text.contains("fail  pane B: `no-such-program-xyz` is not on PATH"), "{text}");
    assert!(text.contains("warn  session: doc is not running"), "{text}");
    assert!(text.contains("fix: "), "{text}");
    let out = run(&p, &server, &["doctor", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["ok"], false);
    assert!(
        json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "pane B" && c["status"] == "fail")
    );
}

#[test]
fn doctor_passes_on_a_healthy_running_project() {
    let p = project("name: fine\nrows:\n  - panes:\n      - {title: A, command: cat}\n");
    p.write(".tasks/tasks.json", TASKS);
    let server = TmuxServer::new();
    up(&p, &server);
    let text = ok(&p, &server, &["doctor"]);
    assert!(text.contains("ok    session: fine is running"), "{text}");
    assert!(text.contains("ok    .tasks: tasks.json readable (2 tasks)"), "{text}");
}

#[test]
fn a_missing_tmux_is_one_line_saying_how_to_install_it() {
    let p = project("rows:\n  - panes:\n      - {title: A}\n");
    let server = TmuxServer::new();
    let out =
        server.on(p.cmd()).args(["up", "--detach"]).env("PATH", "/nonexistent").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("error: tmux is not installed"), "{err}");
    assert!(err.contains("apt-get install tmux") && err.contains("brew install tmux"), "{err}");
}

#[test]
fn a_pane_whose_program_exits_stays_in_the_layout_marked_dead() {
    let p = project(
        "name: dead\nrows:\n  - panes:\n      - {title: Gone, command: 'true'}\n      - {title: Alive, command: cat}\n",
    );
    let server = TmuxServer::new();
    up(&p, &server);
    let json = crate::common::wait_for("Gone to be dead", DEADLINE, || {
        let json: serde_json::Value =
            serde_json::from_str(&ok(&p, &server, &["status", "--json"])).unwrap();
        (json["panes"][0]["dead"] == true).then_some(json)
    });
    assert_eq!(json["panes"][0]["title"], "Gone");
    assert_eq!(json["panes"][1]["dead"], false);
    assert!(ok(&p, &server, &["status"]).contains("(exited)"));
}
