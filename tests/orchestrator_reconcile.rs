//! Nothing stranded: work whose pane is closed goes back to `todo` and another pane does
//! it; a mission whose tmux server died resumes on `tmux-ide up` with every task done
//! once (a headless orchestrator says its session is gone and how to resume); a task whose agent exits on every prompt is retried `max_retries` times, then
//! `blocked` with why, and `task update --status todo` releases it; so is one whose
//! prompt never lands.
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::fake::{Team, Worker};
use crate::common::{Reaped, TestProject, TmuxServer, bin, wait_for};

#[test]
fn a_working_agents_pane_killed_sends_its_task_back_within_two_seconds_and_the_mission_completes() {
    // Doomed works silently until nudged, so the task is in progress when its pane goes;
    // Steady starts only once `steady-go` exists, so the task cannot go to it first.
    let workers = [
        Worker { title: "Doomed", agent: "claude", flags: "--hang --work-ms 100" },
        Worker { title: "Steady", agent: "codex", flags: "--style codex --wait-for steady-go" },
    ];
    // The default poll interval: the pane probe between ticks, not a fast poll, notices.
    let team = Team::start_polling(&workers, &["Task A"], "", 300_000, 5_000);
    let first = team.wait_event("task_dispatched", 15, |e| e["task"] == "001");
    assert_eq!(first["pane"], "Doomed");
    team.wait_event("prompt_delivered", 15, |e| e["task"] == "001");
    let doomed = team.pane("Doomed");
    team.tmux.tmux_ok(&["kill-pane", "-t", &doomed]);
    let killed = Instant::now();
    let returned = team.wait_event("task_returned", 5, |e| e["task"] == "001");
    let took = killed.elapsed();
    assert!(took <= Duration::from_secs(2), "returned after {took:?}");
    assert_eq!((&returned["pane"], &returned["reason"]), (&"Doomed".into(), &"pane_gone".into()));
    team.wait_event("lead_notified", 10, |e| {
        e["text"].as_str().is_some_and(|t| t.contains("went back to todo: pane \"Doomed\" is gone"))
    });
    team.project.write("steady-go", "");
    team.wait("the mission to complete", 30, || {
        (team.project.ok(&["--json", "mission", "status"]).contains("\"complete\"")).then_some(())
    });
    let dispatched: Vec<_> =
        team.of_type("task_dispatched").iter().map(|e| e["pane"].clone()).collect();
    assert_eq!(dispatched, ["Doomed", "Steady"]);
    assert_eq!(team.count("task_done", "001"), 1);
    // The pane is gone, not its agent exited: no attempt counted, no retry scheduled.
    assert_eq!(team.of_type("task_retry_scheduled").len(), 0);
}

#[test]
fn the_tmux_server_killed_mid_mission_resumes_on_up_and_every_task_is_done_once() {
    let workers = [Worker { title: "Worker", agent: "claude", flags: "--work-ms 1500" }];
    let team = Team::start(&workers, &["Task A", "Task B", "Task C"], "", 300_000);
    team.wait_event("task_done", 20, |e| e["task"] == "001");
    team.wait_event("prompt_delivered", 15, |e| e["task"] == "002");
    assert_eq!(team.task("002")["status"], "in_progress");
    team.tmux.tmux_ok(&["kill-server"]);
    // The orchestrator ran in the session and goes with it; wait until its lock is free.
    team.wait("the orchestrator to stop", 15, || {
        (!team.of_type("orchestrator_stopped").is_empty()).then_some(())
    });
    team.wait("the orchestrator lock to be released", 15, || {
        let orch = team.project.ok(&["orch"]);
        orch.contains("Orchestrator  not running").then_some(())
    });
    assert_eq!(team.task("002")["status"], "in_progress", "nothing ran in between");
    team.tmux.on(team.project.cmd()).args(["up", "--detach"]).assert().success();
    team.wait_all_done(&["001", "002", "003"], 40);
    let returned = team.wait_event("task_returned", 1, |e| e["task"] == "002");
    assert_eq!(returned["reason"], "pane_restarted");
    // A task is done in tasks.json a moment before its event is appended to the log (both
    // under the store lock): counted once the mission's completion, written after, is in.
    team.wait("the mission to complete", 20, || {
        (team.project.ok(&["--json", "mission", "status"]).contains("\"complete\"")).then_some(())
    });
    for id in ["001", "002", "003"] {
        assert_eq!(team.count("task_done", id), 1, "task {id}");
    }
}

#[test]
fn an_agent_that_exits_on_every_prompt_leaves_its_task_blocked_after_max_retries() {
    let flags = "--exit-mid-task --work-ms 100";
    let workers = [
        Worker { title: "Crash1", agent: "claude", flags },
        Worker { title: "Crash2", agent: "claude", flags },
        Worker { title: "Crash3", agent: "claude", flags },
        Worker { title: "Crash4", agent: "claude", flags },
    ];
    let extra = "  max_retries: 2\n  retry_backoff: 100\n";
    let team = Team::start(&workers, &["Task A"], extra, 300_000);
    let blocked = team.wait_event("task_blocked", 30, |e| e["task"] == "001");
    assert_eq!(blocked["attempts"], 3);
    let task = team.task("001");
    assert_eq!(task["status"], "blocked");
    assert!(task["blocked_reason"].as_str().unwrap().contains("exited"), "{task}");
    assert_eq!(team.count("task_dispatched", "001"), 3, "the first try and two retries");
    assert_eq!(team.count("task_retry_scheduled", "001"), 2);
    team.wait_event("lead_notified", 10, |e| {
        e["text"].as_str().is_some_and(|t| t.contains("Task 001 \"Task A\" is blocked"))
    });
    let orch = team.project.ok(&["orch"]);
    assert!(orch.contains("gave up: the agent in pane"), "{orch}");
    let list = team.project.ok(&["task", "list", "--status", "blocked"]);
    assert!(list.contains("001") && list.contains("blocked: "), "{list}");
    // A fourth pane was free all along: a blocked task is never handed out again.
    assert_eq!(team.count("task_dispatched", "001"), 3);
    team.project.ok(&["task", "update", "001", "--status", "todo"]);
    let task = team.task("001");
    assert_eq!((&task["status"], task.get("attempts")), (&"todo".into(), None), "{task}");
}

#[test]
fn a_prompt_that_never_lands_blocks_its_task_when_no_retries_are_allowed() {
    let workers = [Worker { title: "Swallower", agent: "claude", flags: "--swallow" }];
    let extra = "  max_retries: 0\nagents:\n  claude:\n    receipt_timeout: 800\n";
    let team = Team::start(&workers, &["Task A"], extra, 300_000);
    let blocked = team.wait_event("task_blocked", 20, |e| e["task"] == "001");
    let why = blocked["reason"].as_str().unwrap();
    assert!(why.contains("the prompt did not land in pane \"Swallower\""), "{why}");
    assert_eq!(team.task("001")["status"], "blocked");
    assert_eq!(team.count("prompt_delivered", "001"), 1);
}

/// `tmux-ide orchestrator run ARGS` in the foreground, as a headless deployment runs it.
fn headless(p: &TestProject, tmux: &TmuxServer, args: &[&str]) -> Reaped {
    let mut cmd = p.std_cmd();
    cmd.args(["--tmux-socket", &tmux.socket, "orchestrator", "run"]);
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::piped());
    Reaped(cmd.spawn().unwrap())
}

fn events(p: &TestProject) -> Vec<Value> {
    p.read(".tasks/events.jsonl").lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

fn first<'e>(events: &'e [Value], kind: &str, task: Option<&str>) -> Option<&'e Value> {
    events.iter().find(|e| e["type"] == kind && task.is_none_or(|t| e["task"] == t))
}

#[test]
fn a_headless_orchestrator_whose_session_dies_says_so_and_a_new_one_resumes_after_up() {
    let p = TestProject::new();
    let sim = format!("'{}' agent sim --work-ms 1500", bin().display());
    p.write(
        "ide.yml",
        &format!(
            "name: lost\nrows:\n  - panes:\n      - title: Lead\n        role: lead\n        command: cat\n      \
             - title: Worker\n        role: teammate\n        agent: sim\n        command: {sim:?}\n\
             orchestrator:\n  poll_interval: 200\n"
        ),
    );
    p.ok(&["mission", "set", "Lost"]);
    p.ok(&["milestone", "create", "Only", "--sequence", "1"]);
    p.ok(&["task", "create", "Only task", "--milestone", "M1"]);
    p.ok(&["mission", "plan-complete"]);
    let tmux = TmuxServer::new();
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    let mut orch = headless(&p, &tmux, &[]);
    wait_for("the prompt to be delivered", Duration::from_secs(20), || {
        first(&events(&p), "prompt_delivered", Some("001")).map(|_| ())
    });
    tmux.tmux_ok(&["kill-server"]);
    let status = wait_for("the orchestrator to stop", Duration::from_secs(15), || {
        orch.0.try_wait().unwrap()
    });
    assert!(status.success(), "{status:?}");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut orch.0.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("tmux session lost is gone; the mission is still active"), "{stderr}");
    assert!(stderr.contains("Run `tmux-ide up`"), "{stderr}");
    let log = events(&p);
    let lost = first(&log, "session_lost", None).expect("session_lost recorded");
    assert_eq!((&lost["session"], &lost["mission_active"]), (&"lost".into(), &true.into()));
    let stopped = first(&log, "orchestrator_stopped", None).unwrap();
    assert_eq!(stopped["reason"], "session ended");
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    let mut again = headless(&p, &tmux, &["--exit-when-complete"]);
    let status = wait_for("the mission to complete", Duration::from_secs(30), || {
        again.0.try_wait().unwrap()
    });
    assert!(status.success(), "{status:?}");
    let log = events(&p);
    let returned = first(&log, "task_returned", Some("001")).unwrap();
    assert_eq!(returned["reason"], "pane_restarted");
    assert_eq!(log.iter().filter(|e| e["type"] == "task_done").count(), 1);
}

#[test]
fn an_agent_that_exits_again_after_its_pane_was_respawned_is_noticed_again() {
    let workers =
        [Worker { title: "Crasher", agent: "claude", flags: "--exit-mid-task --work-ms 100" }];
    let extra = "  max_retries: 3\n  retry_backoff: 100\n";
    let team = Team::start(&workers, &["Task A"], extra, 300_000);
    team.wait_event("task_retry_scheduled", 20, |e| e["task"] == "001" && e["attempt"] == 1);
    // The same pane, a new agent process: it takes the task and exits on it too.
    team.tmux.tmux_ok(&["respawn-pane", "-k", "-t", &team.pane("Crasher")]);
    team.wait_event("task_retry_scheduled", 20, |e| e["task"] == "001" && e["attempt"] == 2);
    let log = || {
        let events = team.events().iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n");
        format!("{events}\nscreen:\n{}", team.tmux.capture(&team.pane("Crasher")))
    };
    assert_eq!(team.count("task_dispatched", "001"), 2, "{}", log());
    assert_eq!(team.of_type("agent_exited").len(), 2, "{}", log());
}
