//! The report commands on a hand-written project: `metrics`, `metrics agents`,
//! `metrics history` and `orch`, as text and `--json`, over a log with a corrupt line and
//! a torn tail.
use crate::common::TestProject;

const TASKS_JSON: &str = r#"{
  "version": 1,
  "mission": {"title": "Auth v2", "description": "", "status": "active",
              "created": "2026-03-02T09:00:00Z", "activated": "2026-03-02T10:00:00Z"},
  "milestones": [{"id": "M1", "title": "Foundation", "sequence": 1, "status": "active",
                  "created": "2026-03-02T09:00:00Z"}],
  "tasks": [
    {"id": "001", "title": "Schema", "milestone": "M1", "priority": 1, "status": "done",
     "assignee": "Backend", "created": "2026-03-02T09:00:00Z",
     "started": "2026-03-02T10:00:00Z", "finished": "2026-03-02T10:20:00Z"},
    {"id": "002", "title": "JWT", "milestone": "M1", "priority": 2, "status": "todo",
     "created": "2026-03-02T09:00:00Z"}
  ]
}"#;

const EVENTS: &str = concat!(
    r#"{"ts":"2026-03-02T10:00:00.000Z","type":"task_dispatched","task":"001","pane":"Backend","pane_id":"%1"}"#,
    "\n",
    "this line is corrupt\n",
    r#"{"ts":"2026-03-02T10:20:00.000Z","type":"task_done","task":"001","pane":"Backend"}"#,
    "\n",
    r#"{"ts":"2026-03-02T10:2"#,
);

fn project() -> TestProject {
    let p = TestProject::new();
    p.write(".tasks/tasks.json", TASKS_JSON);
    p.write(".tasks/events.jsonl", EVENTS);
    p
}

#[test]
fn metrics_json_has_the_documented_fields_and_warns_about_the_corrupt_line() {
    let p = project();
    let out = p.run(&["metrics", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tasks"]["done"], 1);
    assert_eq!(v["durations"]["avg_secs"], 1200);
    assert_eq!(v["started"], "2026-03-02T10:00:00Z");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("events.jsonl:2: corrupt event"), "{err}");
    assert_eq!(err.lines().count(), 1, "the torn last line is not reported: {err}");
}

#[test]
fn every_report_command_prints_text_and_json() {
    let p = project();
    for args in [&["metrics"][..], &["metrics", "agents"], &["metrics", "history"], &["orch"]] {
        let text = p.ok(args);
        assert!(!text.is_empty(), "{args:?}");
        let json = p.ok(&[args, &["--json"]].concat());
        serde_json::from_str::<serde_json::Value>(&json)
            .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    }
    assert!(p.ok(&["metrics", "agents"]).contains("Backend"));
    assert!(p.ok(&["orch"]).contains("Orchestrator  not running"));
}

#[test]
fn a_project_without_a_plan_reports_an_empty_mission() {
    let p = TestProject::new();
    assert!(p.ok(&["metrics"]).contains("(no mission)"));
}

const IDE_YML: &str = "name: reports-test
rows:
  - panes:
      - title: Backend
        command: claude
        specialty: api
      - title: Validator
        command: claude
        role: validator
";

#[test]
fn metrics_agents_shows_the_roster_of_ide_yml_without_a_running_session() {
    let p = project();
    p.write("ide.yml", IDE_YML);
    let tmux = crate::common::TmuxServer::new();
    let out = tmux.on(p.cmd()).args(["--json", "metrics", "agents"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let agents = v["agents"].as_array().unwrap();
    let panes: Vec<&str> = agents.iter().map(|a| a["pane"].as_str().unwrap()).collect();
    assert_eq!(panes, ["Backend", "Validator"]);
    assert_eq!(agents[0]["specialty"], "api");
    assert_eq!(agents[0]["role"], "teammate");
    assert_eq!(agents[1]["role"], "validator");
    assert!(tmux.on(p.cmd()).args(["metrics", "agents"]).output().unwrap().status.success());
}

#[test]
fn metrics_agents_takes_the_live_state_from_the_running_session() {
    let p = project();
    // Backend's agent exits at once; the log still says it finished 001 and is idle.
    p.write(
        "ide.yml",
        "name: reports-live\nrows:\n  - panes:\n      - {title: Backend, command: 'true', agent: sim, specialty: api}\n      - {title: Shell, command: cat}\n",
    );
    let tmux = crate::common::TmuxServer::new();
    let up = tmux.on(p.cmd()).args(["up", "--detach"]).output().unwrap();
    assert!(up.status.success(), "{}", String::from_utf8_lossy(&up.stderr));
    let backend = crate::common::wait_for(
        "Backend to be shown exited",
        std::time::Duration::from_secs(10),
        || {
            let out = tmux.on(p.cmd()).args(["--json", "metrics", "agents"]).output().unwrap();
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
            let b = v["agents"].as_array()?.iter().find(|a| a["pane"] == "Backend")?.clone();
            (b["state"] == "exited").then_some(b)
        },
    );
    assert_eq!(backend["specialty"], "api");
    assert_eq!(backend["tasks_done"], 1);
}
