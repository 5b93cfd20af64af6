//! The whole lifecycle in real tmux (private server) with simulated agents: dispatch,
//! validation, remediation, gating, completion — and a crash of the orchestrator mid-way.
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::common::{TestProject, TmuxServer, bin, wait_for};

fn events(p: &TestProject, dir: &str) -> Vec<Value> {
    let text =
        std::fs::read_to_string(p.path().join(dir).join(".tasks/events.jsonl")).unwrap_or_default();
    text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

fn tasks(p: &TestProject, dir: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(p.path().join(dir).join(".tasks/tasks.json")).unwrap();
    let plan: Value = serde_json::from_str(&text).unwrap();
    plan["tasks"].as_array().unwrap().clone()
}

fn demo(p: &TestProject, tmux: &TmuxServer, work_ms: &str) -> Child {
    let mut cmd = p.command(bin());
    cmd.args(["--tmux-socket", &tmux.socket, "demo", "--keep", "--timeout", "120"])
        .args(["--work-ms", work_ms, "--dir"])
        .arg(p.path().join("demo"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.spawn().unwrap()
}

fn of_type<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == kind).collect()
}

/// Every task was dispatched exactly once, never to Lead/Shell/Validator, to its specialty.
fn assert_dispatch_rules(events: &[Value], tasks: &[Value]) {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for e in of_type(events, "task_dispatched") {
        let task = e["task"].as_str().unwrap();
        *count.entry(task).or_default() += 1;
        let pane = e["pane"].as_str().unwrap();
        assert!(!["Lead", "Shell", "Validator"].contains(&pane), "task {task} sent to {pane}");
        let t = tasks.iter().find(|t| t["id"] == task).unwrap();
        match t["specialty"].as_str() {
            Some("backend") => assert_eq!(pane, "Backend", "task {task}"),
            Some("frontend") => assert_eq!(pane, "Frontend", "task {task}"),
            _ => {}
        }
    }
    for t in tasks {
        let id = t["id"].as_str().unwrap();
        assert_eq!(count.get(id), Some(&1), "task {id} dispatched {:?} times", count.get(id));
    }
}

#[test]
fn the_demo_mission_runs_to_completion_with_one_remediation() {
    let p = TestProject::new();
    let tmux = TmuxServer::new();
    let out = demo(&p, &tmux, "150").wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "demo failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let events = events(&p, "demo");
    let tasks = tasks(&p, "demo");

    let remediations: Vec<&Value> =
        tasks.iter().filter(|t| !t["remediation_for"].is_null()).collect();
    assert_eq!(remediations.len(), 1, "{remediations:?}");
    let r = remediations[0];
    assert_eq!(r["remediation_for"], "VAL-AUTH-003");
    let title = r["title"].as_str().unwrap();
    assert!(title.starts_with("Fix POST /api/auth/refresh returns a new access token"), "{title}");
    assert!(title.ends_with(" (remediation for VAL-AUTH-003)"), "{title}");
    assert_eq!(r["priority"], 1);
    assert_eq!(r["milestone"], "M2");
    assert_eq!(r["specialty"], "backend");

    let done: Vec<&str> = of_type(&events, "milestone_done")
        .iter()
        .map(|e| e["milestone"].as_str().unwrap())
        .collect();
    assert_eq!(done, ["M1", "M2", "M3"]);
    let validated: Vec<&str> = of_type(&events, "validation_dispatched")
        .iter()
        .map(|e| e["milestone"].as_str().unwrap())
        .collect();
    assert_eq!(validated, ["M2", "M2", "M3"], "M2 twice (one failing round), M3 once");
    assert!(of_type(&events, "validation_dispatched").iter().all(|e| e["pane"] == "Validator"));
    let reports = of_type(&events, "assertion_reported");
    assert!(
        reports.iter().all(|e| e["pane"] == "Validator"),
        "reported by pane title: {reports:?}"
    );

    let position = |pred: &dyn Fn(&Value) -> bool| events.iter().position(pred).unwrap();
    let m1_done = position(&|e| e["type"] == "milestone_done" && e["milestone"] == "M1");
    let m2_first = position(&|e| {
        e["type"] == "task_dispatched"
            && tasks.iter().any(|t| t["id"] == e["task"] && t["milestone"] == "M2")
    });
    assert!(m1_done < m2_first, "an M2 task was dispatched before M1 was done");

    assert_dispatch_rules(&events, &tasks);
    assert!(tasks.iter().all(|t| t["status"] == "done"));
    assert_eq!(of_type(&events, "mission_complete").len(), 1);

    let learnings = p.read("demo/.tmux-ide/library/learnings.md");
    for t in &tasks {
        let heading = format!("## Task {} — ", t["id"].as_str().unwrap());
        assert_eq!(
            learnings.matches(&heading).count(),
            1,
            "{heading} in learnings.md:\n{learnings}"
        );
    }

    let lead = wait_for("the completion message in the lead pane", Duration::from_secs(10), || {
        let lead = tmux.pane_titled("Lead")?;
        let screen = tmux.capture(&lead);
        screen.contains("complete").then_some(screen)
    });
    assert!(lead.contains("Auth v2"), "{lead}");
}

#[test]
fn a_killed_orchestrator_resumes_without_dispatching_twice() {
    let p = TestProject::new();
    let tmux = TmuxServer::new();
    let mut demo = demo(&p, &tmux, "400");
    let root = p.path().join("demo");
    wait_for("three dispatches", Duration::from_secs(60), || {
        (of_type(&events(&p, "demo"), "task_dispatched").len() >= 3).then_some(())
    });
    let pid = std::fs::read_to_string(root.join(".tmux-ide/run/orchestrator.pid")).unwrap();
    let pid = pid.split_whitespace().next().unwrap().to_string();
    assert!(Command::new("kill").args(["-KILL", &pid]).status().unwrap().success());
    wait_for("the orchestrator lock to be free", Duration::from_secs(10), || {
        let f = std::fs::File::open(root.join(".tmux-ide/run/orchestrator.lock")).ok()?;
        f.try_lock().ok()
    });

    let mut again = p.command(bin());
    let mut again = again
        .arg("-C")
        .arg(&root)
        .args(["--tmux-socket", &tmux.socket, "orchestrator", "run", "--exit-when-complete"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = wait_for("the demo to finish", Duration::from_secs(120), || demo.try_wait().unwrap());
    let status =
        wait_for("the orchestrator to exit", Duration::from_secs(30), || again.try_wait().unwrap());
    assert!(out.success(), "demo did not complete");
    assert!(status.success());
    let events = events(&p, "demo");
    assert_dispatch_rules(&events, &tasks(&p, "demo"));
    assert_eq!(of_type(&events, "orchestrator_started").len(), 2);
    assert_eq!(of_type(&events, "mission_complete").len(), 1);
}

#[test]
fn a_hostile_task_title_reaches_the_pane_verbatim_and_runs_nothing() {
    let p = TestProject::new();
    let tmux = TmuxServer::new();
    p.write(
        "ide.yml",
        "name: hostile\nrows:\n  - panes:\n      - title: Worker\n        role: teammate\n        \
         agent: sim\n        command: cat > received.txt\n\
         orchestrator:\n  enabled: true\n  poll_interval: 200\n",
    );
    // Titles are one line; the description carries the line break.
    let title = "Say \"hi\" & 'bye'; $(touch pwned1) `touch pwned2` | tee pwned3";
    let description = "`touch pwned4` $(touch pwned5)\nsecond line";
    p.ok(&["mission", "set", "Hostile"]);
    p.ok(&["milestone", "create", "Only", "--sequence", "1"]);
    p.ok(&["task", "create", title, "--milestone", "M1", "-d", description]);
    p.ok(&["mission", "plan-complete"]);
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    let pane = wait_for("the Worker pane", Duration::from_secs(10), || tmux.pane_titled("Worker"));
    // `cat` cannot report for itself; say it is idle as an agent hook would.
    tmux.on(p.cmd()).args(["agent", "idle", "--pane", &pane]).assert().success();
    let received = wait_for("the prompt in the pane", Duration::from_secs(15), || {
        let text = std::fs::read_to_string(p.path().join("received.txt")).ok()?;
        text.contains("second line").then_some(text)
    });
    assert!(received.contains(title), "the title arrived changed:\n{received}");
    assert!(received.contains("`touch pwned4` $(touch pwned5)"), "{received}");
    assert!(received.lines().nth(1) == Some("TMUX-IDE-TASK: 001"), "{received}");
    for file in ["pwned1", "pwned2", "pwned3", "pwned4", "pwned5"] {
        assert!(!p.path().join(file).exists(), "{file} was created: the title ran");
    }
}

#[test]
fn sigterm_stops_the_orchestrator_cleanly_and_a_second_one_is_refused() {
    let p = TestProject::new();
    let tmux = TmuxServer::new();
    p.write("ide.yml", "rows:\n  - panes:\n      - title: Worker\n        command: cat\n");
    p.ok(&["mission", "set", "Quiet"]);
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    let mut cmd = p.std_cmd();
    let mut orch = cmd
        .args(["--tmux-socket", &tmux.socket, "orchestrator", "run"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("orchestrator_started", Duration::from_secs(10), || {
        (!of_type(&events(&p, "."), "orchestrator_started").is_empty()).then_some(())
    });
    let second = tmux.on(p.cmd()).args(["orchestrator", "run"]).output().unwrap();
    assert_eq!(second.status.code(), Some(1));
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("already running") && err.contains(&orch.id().to_string()), "{err}");

    let pid = orch.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status =
        wait_for("the orchestrator to exit", Duration::from_secs(5), || orch.try_wait().unwrap());
    assert!(status.success(), "{status}");
    let stopped = of_type(&events(&p, "."), "orchestrator_stopped").len();
    assert_eq!(stopped, 1);
    let lock = std::fs::File::open(p.path().join(".tmux-ide/run/orchestrator.lock")).unwrap();
    assert!(lock.try_lock().is_ok(), "the lock is released");
}

#[test]
fn the_demo_without_tmux_says_how_to_install_it_and_makes_nothing() {
    let p = TestProject::new();
    let dir = p.path().join("demo");
    let empty = p.path().join("empty-path");
    std::fs::create_dir(&empty).unwrap();
    let out = p.cmd().env("PATH", &empty).arg("demo").arg("--dir").arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tmux is not installed") && err.contains("apt-get install tmux"), "{err}");
    assert!(!dir.exists(), "the demo made its project before finding tmux missing");
}

#[test]
fn ctrl_c_ends_the_demo_and_stops_its_session() {
    let p = TestProject::new();
    let tmux = TmuxServer::new();
    let mut cmd = p.command(bin());
    let mut demo = cmd
        .args(["--tmux-socket", &tmux.socket, "demo", "--work-ms", "400", "--dir"])
        .arg(p.path().join("demo"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("a first dispatch", Duration::from_secs(30), || {
        (!of_type(&events(&p, "demo"), "task_dispatched").is_empty()).then_some(())
    });
    let pid = demo.id().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let status = wait_for("the demo to exit", Duration::from_secs(20), || demo.try_wait().unwrap());
    assert_eq!(status.code(), Some(130));
    wait_for("the session to be gone", Duration::from_secs(10), || {
        (!tmux.tmux(&["has-session"]).status.success()).then_some(())
    });
}
