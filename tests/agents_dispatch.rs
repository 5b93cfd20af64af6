//! Dispatch into scripted fakes of the real agent CLIs (tests/fixtures/agents): each
//! profile's prompt lands exactly once, with a receipt; a paste preview gets exactly one
//! more Enter; state follows the hooks and the screen (permission prompt, rate limit).
use std::time::Duration;

use crate::common::fake::{Team, Worker};
use crate::common::wait_for;

#[test]
fn a_prompt_lands_exactly_once_in_each_profiles_agent() {
    let workers = [
        Worker { title: "Claude", agent: "claude", flags: "--style claude" },
        Worker { title: "Codex", agent: "codex", flags: "--style codex" },
        Worker { title: "Aider", agent: "aider", flags: "--style aider" },
        Worker { title: "Gemini", agent: "gemini", flags: "--style gemini" },
    ];
    let ids = ["001", "002", "003", "004"];
    let team = Team::start(&workers, &["Task A", "Task B", "Task C", "Task D"], "", 300_000);
    team.wait_all_done(&ids, 40);
    let mut panes = Vec::new();
    for id in ids {
        // Receipts are logged by the orchestrator's writer, possibly after the task's end.
        team.wait_event("prompt_landed", 10, |e| e["task"] == id);
        assert_eq!(team.count("task_dispatched", id), 1, "task {id}");
        assert_eq!(team.count("prompt_delivered", id), 1, "task {id}");
        assert_eq!(team.count("prompt_landed", id), 1, "task {id}: {:#?}", team.events());
        let landed = team.of_type("prompt_landed").into_iter().find(|e| e["task"] == id).unwrap();
        assert_eq!(landed["second_enter"], false);
        panes.push(landed["pane"].as_str().unwrap().to_string());
    }
    panes.sort();
    assert_eq!(panes, ["Aider", "Claude", "Codex", "Gemini"], "one task per agent");
    assert!(team.of_type("prompt_unconfirmed").is_empty());
}

#[test]
fn a_paste_preview_gets_exactly_one_more_enter() {
    let agents = "agents:\n  previewer:\n    base: claude\n    match: ['--preview']\n    second_enter: true\n";
    let workers = [Worker { title: "Preview", agent: "claude", flags: "--preview" }];
    let team = Team::start(&workers, &["Task A"], agents, 300_000);
    team.wait_all_done(&["001"], 20);
    let landed = team.wait_event("prompt_landed", 5, |e| e["task"] == "001");
    assert_eq!(landed["second_enter"], true, "{landed}");
    assert_eq!(team.count("prompt_delivered", "001"), 1);
    assert_eq!(team.count("task_dispatched", "001"), 1);
}

#[test]
fn state_follows_the_permission_prompt_and_the_rate_limit_message() {
    let workers = [
        // Rate-limited until the test says so, not for a time a loaded machine may overrun.
        Worker { title: "Limited", agent: "claude", flags: "--rate-limit-until limit-over" },
        Worker { title: "Asker", agent: "claude", flags: "--permission" },
    ];
    let team = Team::start(&workers, &["Task A", "Task B"], "", 300_000);
    // Its first judgement may come before the fake has drawn its screen (`unknown`, which
    // gets no work either); what matters is that the rate limit is seen.
    let limited = team
        .wait_event("pane_state", 15, |e| e["pane"] == "Limited" && e["state"] == "rate_limited");
    assert!(limited["signal"].as_str().is_some_and(|s| !s.is_empty()), "{limited}");
    // The rate-limited pane gets nothing: both tasks are not handed out at once.
    let first = team.wait_event("task_dispatched", 15, |_| true);
    assert_eq!(first["pane"], "Asker");
    let waiting =
        team.wait_event("pane_state", 15, |e| e["pane"] == "Asker" && e["state"] == "waiting");
    let signal = waiting["signal"].as_str().unwrap();
    assert!(
        signal.contains("self-report") || signal.contains("Do you want to proceed?"),
        "{waiting}"
    );
    assert!(team.of_type("task_dispatched").iter().all(|e| e["pane"] != "Limited"));
    team.project.write("limit-over", "");
    // Once the message is gone, the formerly rate-limited pane takes the other task
    // while the asker still waits for its permission.
    let second = team.wait_event("task_dispatched", 20, |e| e["pane"] == "Limited");
    assert_eq!(second["task"], "002");
    let asker = team.pane("Asker");
    team.tmux.tmux_ok(&["send-keys", "-t", &asker, "1"]);
    team.wait_all_done(&["001", "002"], 30);
    let states: Vec<String> = team
        .of_type("pane_state")
        .iter()
        .filter(|e| e["pane"] == "Limited")
        .map(|e| e["state"].as_str().unwrap().to_string())
        .collect();
    // The first judgement may be `unknown` (the screen not drawn yet); the rate limit
    // must be seen, and idle after it.
    let limited_at = states.iter().position(|s| s == "rate_limited");
    let idle_after = limited_at.and_then(|i| states[i..].iter().position(|s| s == "idle"));
    assert!(idle_after.is_some(), "{states:?}");
    wait_for("detect to run", Duration::from_secs(5), || {
        let out = team.tmux.on(team.project.cmd()).args(["detect", "Asker"]).output().ok()?;
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        (out.status.success() && text.contains("claude")).then_some(text)
    });
}
