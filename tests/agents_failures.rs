//! When real agents misbehave (scripted fakes, tests/fixtures/agents): a swallowed paste
//! is reported to the lead and not pasted again at once (its task waits out a backoff
//! before a retry); an agent that exits mid-task gets its
//! task returned to `todo` and another pane takes it; a stalled task gets one nudge.

use crate::common::fake::{Team, Worker};

#[test]
fn a_swallowed_paste_is_reported_not_repeated() {
    // A long backoff: the retry the unconfirmed prompt earns stays in the future here.
    let agents = "  retry_backoff: 600000\nagents:\n  claude:\n    receipt_timeout: 800\n";
    let workers = [Worker { title: "Swallower", agent: "claude", flags: "--swallow" }];
    let team = Team::start(&workers, &["Task A"], agents, 300_000);
    let unconfirmed = team.wait_event("prompt_unconfirmed", 15, |e| e["task"] == "001");
    assert_eq!(unconfirmed["pane"], "Swallower");
    let notice = team.wait_event("lead_notified", 10, |e| {
        e["text"].as_str().is_some_and(|t| t.contains("did not visibly land"))
    });
    assert!(notice["text"].as_str().unwrap().contains("task 001"), "{notice}");
    assert!(notice["text"].as_str().unwrap().contains("retried after a pause"), "{notice}");
    let returned = team.wait_event("task_returned", 10, |e| e["task"] == "001");
    assert_eq!(returned["reason"], "prompt_not_landed");
    // Make the orchestrator look at the pane again — busy, then idle at its prompt while
    // the task waits out its backoff — and wait until it has judged both (its `pane_state`
    // events): still exactly one paste.
    let pane = team.tmux.pane_titled("Swallower").unwrap();
    for state in ["busy", "idle"] {
        let seen = team.of_type("pane_state").len();
        team.tmux.on(team.project.cmd()).args(["agent", state, "--pane", &pane]).assert().success();
        team.wait(&format!("the orchestrator to judge Swallower {state}"), 10, || {
            team.of_type("pane_state")
                .into_iter()
                .skip(seen)
                .find(|e| e["pane"] == "Swallower" && e["state"] == state)
        });
    }
    assert_eq!(team.count("prompt_delivered", "001"), 1);
    assert_eq!(team.count("task_dispatched", "001"), 1);
    assert_eq!(team.count("prompt_landed", "001"), 0);
    // A failed attempt: back in the queue, not before its backoff is over.
    let task = team.task("001");
    assert_eq!((&task["status"], &task["attempts"]), (&"todo".into(), &1.into()), "{task}");
    let out = team.tmux.on(team.project.cmd()).arg("detect").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("unconfirmed"), "{text}");
    // On the test's own server: `orch` looks at the session's panes for their live state.
    let orch = |args: &[&str]| {
        let out = team.tmux.on(team.project.cmd()).args(args).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let text = orch(&["orch"]);
    assert!(text.contains("Unconfirmed prompts") && text.contains("task 001"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&orch(&["--json", "orch"])).unwrap();
    assert_eq!(json["unconfirmed"][0]["task"], "001", "{json}");
}

#[test]
fn an_exited_agents_task_goes_back_to_todo_and_another_pane_takes_it() {
    // Steady starts only once `steady-go` exists, so the task cannot go to it first
    // however the two panes' start-up races.
    let workers = [
        Worker { title: "Crasher", agent: "claude", flags: "--exit-mid-task --work-ms 300" },
        Worker { title: "Steady", agent: "codex", flags: "--style codex --wait-for steady-go" },
    ];
    let team = Team::start(&workers, &["Task A"], "", 300_000);
    let first = team.wait_event("task_dispatched", 15, |_| true);
    assert_eq!(first["pane"], "Crasher");
    team.project.write("steady-go", "");
    let returned = team.wait_event("task_returned", 15, |e| e["task"] == "001");
    assert_eq!(returned["pane"], "Crasher");
    assert_eq!(returned["reason"], "agent_exited");
    team.wait_event("lead_notified", 10, |e| {
        e["text"].as_str().is_some_and(|t| t.contains("exited while working on task 001"))
    });
    team.wait_all_done(&["001"], 20);
    let dispatched: Vec<_> =
        team.of_type("task_dispatched").iter().map(|e| e["pane"].clone()).collect();
    assert_eq!(dispatched, ["Crasher", "Steady"]);
    assert_eq!(team.of_type("agent_exited").len(), 1);
}

#[test]
fn a_stalled_task_gets_one_nudge_and_the_lead_hears_once() {
    let workers = [Worker { title: "Sleepy", agent: "claude", flags: "--hang --work-ms 100" }];
    let team = Team::start(&workers, &["Task A"], "", 1500);
    let nudge = team.wait_event("stall_nudged", 20, |e| e["task"] == "001");
    assert_eq!(nudge["pane"], "Sleepy");
    team.wait_all_done(&["001"], 20);
    assert_eq!(team.of_type("stall_detected").len(), 1);
    assert_eq!(team.count("stall_nudged", "001"), 1);
    assert_eq!(team.count("prompt_delivered", "001"), 1);
    let notices = team.of_type("lead_notified");
    assert_eq!(
        notices.iter().filter(|e| e["text"].as_str().unwrap().contains("stalled")).count(),
        1
    );
}

#[test]
fn a_gemini_whose_busy_timer_alone_moves_is_seen_stalled() {
    // Gemini CLI retrying a plain 429 shows only `⠙ Thinking... (esc to cancel, 11m 14s)`.
    let flags = "--style gemini --hang --tick --work-ms 100";
    let workers = [Worker { title: "Retrying", agent: "gemini", flags }];
    let team = Team::start(&workers, &["Task A"], "", 1500);
    let stalled = team.wait_event("stall_detected", 20, |e| e["task"] == "001");
    assert_eq!(stalled["pane"], "Retrying");
    // The timer really moved meanwhile: the screen is not what it was.
    let pane = team.pane("Retrying");
    let before = team.tmux.capture(&pane);
    team.wait("the timer to move", 5, || (team.tmux.capture(&pane) != before).then_some(()));
    // The nudge (pasted into the working pane, not a question) ends the fake's hang.
    team.wait_event("stall_nudged", 20, |e| e["task"] == "001");
    team.wait_all_done(&["001"], 20);
}
