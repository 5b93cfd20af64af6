//! Approval questions in the fakes of the real CLIs (tests/fixtures/agents): Aider asks
//! before every command it runs, so the orchestrator answers yes to a pane's own report
//! and to nothing else; a prompt is never pasted while a question is on screen; a
//! Gemini Enter taken as a newline gets exactly one more.
use crate::common::fake::{Team, Worker};

/// The questions answered for `task`, once both of Aider's were (the second comes after
/// the report went through).
fn both_granted(team: &Team, task: &str) -> Vec<String> {
    team.wait(&format!("both questions of task {task} answered"), 20, || {
        let got = granted(team, task);
        (got.len() >= 2).then_some(got)
    })
}

fn granted(team: &Team, task: &str) -> Vec<String> {
    team.of_type("approval_granted")
        .iter()
        .filter(|e| e["task"] == task)
        .map(|e| e["question"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn aider_asking_to_run_its_report_is_answered_and_finishes_unattended() {
    let workers = [Worker { title: "Aider", agent: "aider", flags: "--style aider --ask" }];
    let team = Team::start(&workers, &["Task A", "Task B"], "", 300_000);
    team.wait_all_done(&["001", "002"], 40);
    // The first task's output question must be answered for the second task to land;
    // the second's comes once the mission is complete and the loop no longer looks.
    let first = both_granted(&team, "001");
    assert_eq!(first, ["Run shell command?", "Add command output to the chat?"]);
    assert_eq!(granted(&team, "002")[0], "Run shell command?");
    for task in ["001", "002"] {
        assert_eq!(team.count("prompt_delivered", task), 1);
    }
    let granted = team.of_type("approval_granted");
    assert!(granted.iter().all(|e| e["keys"] == "y Enter" && e["pane"] == "Aider"), "{granted:?}");
    assert!(team.of_type("approval_needed").is_empty());
    let screen = team.tmux.capture(&team.pane("Aider"));
    assert!(!screen.contains("PASTED INTO A QUESTION"), "{screen}");
}

#[test]
fn a_command_of_the_models_own_is_left_to_a_person_and_the_lead_hears_of_it() {
    let workers = [Worker {
        title: "Aider",
        agent: "aider",
        flags: "--style aider --ask --first-command \"touch pwned; tmux-ide task done 001\"",
    }];
    let team = Team::start(&workers, &["Task A"], "", 300_000);
    let needed = team.wait_event("approval_needed", 30, |e| e["pane"] == "Aider");
    assert_eq!(needed["command"], "touch pwned; tmux-ide task done 001");
    let told = team.wait_event("lead_notified", 10, |e| {
        e["text"].as_str().is_some_and(|t| t.contains("touch pwned") && t.contains("\"Aider\""))
    });
    assert!(told["text"].as_str().unwrap().contains("Run shell command?"), "{told}");
    assert!(!team.project.path().join("pwned").exists());
    assert_eq!(team.task("001")["status"], "in_progress");
    // A person says no; the report that follows is the pane's own and is answered.
    let pane = team.pane("Aider");
    team.tmux.tmux_ok(&["send-keys", "-t", &pane, "n", "Enter"]);
    team.wait_all_done(&["001"], 30);
    assert!(!team.project.path().join("pwned").exists());
    assert_eq!(team.of_type("approval_needed").len(), 1, "reported once");
    assert_eq!(both_granted(&team, "001").len(), 2);
}

#[test]
fn a_prompt_waits_while_the_agent_shows_a_question() {
    // Reports idle at every question, as `--notifications-command` does, so the pane is
    // judged idle and the next task is dispatched while `Add command output` is shown.
    let agents = "agents:\n  nagger:\n    base: aider\n    match: ['--notify-idle']\n    hooks: self_report\n    auto_approve: false\n";
    let workers =
        [Worker { title: "Aider", agent: "aider", flags: "--style aider --ask --notify-idle" }];
    let team = Team::start(&workers, &["Task A", "Task B"], agents, 300_000);
    let pane = team.pane("Aider");
    let answer = |keys: &[&str]| {
        let mut args = vec!["send-keys", "-t", pane.as_str()];
        args.extend(keys);
        team.tmux.tmux_ok(&args);
    };
    let at = |question: &str| {
        team.wait(&format!("the question {question:?}"), 30, || {
            let screen = team.tmux.capture(&pane);
            let last = screen.lines().rev().find(|l| !l.trim().is_empty())?.to_string();
            last.starts_with(question).then_some(())
        });
    };
    at("Run shell command?");
    answer(&["y", "Enter"]);
    at("Add command output");
    team.wait_all_done(&["001"], 20);
    let deferred = team.wait_event("prompt_deferred", 20, |e| e["task"] == "002");
    assert!(deferred["why"].as_str().unwrap().contains("not at its prompt"), "{deferred}");
    assert_eq!(team.count("prompt_delivered", "002"), 0);
    answer(&["Enter"]);
    team.wait_event("prompt_delivered", 20, |e| e["task"] == "002");
    at("Run shell command?");
    answer(&["y", "Enter"]);
    at("Add command output");
    answer(&["Enter"]);
    team.wait_all_done(&["002"], 20);
    let screen = team.tmux.capture(&pane);
    assert!(!screen.contains("PASTED INTO A QUESTION"), "{screen}");
    assert_eq!(team.count("prompt_delivered", "002"), 1);
    assert_eq!(team.count("prompt_deferred", "002"), 1, "recorded once");
    assert!(team.of_type("approval_granted").is_empty(), "auto_approve: false");
}

#[test]
fn geminis_enter_taken_as_a_newline_gets_exactly_one_more() {
    let workers =
        [Worker { title: "Gemini", agent: "gemini", flags: "--style gemini --newline-enter" }];
    let team = Team::start(&workers, &["Task A"], "", 300_000);
    team.wait_all_done(&["001"], 20);
    let landed = team.wait_event("prompt_landed", 5, |e| e["task"] == "001");
    assert_eq!(landed["second_enter"], true, "{landed}");
    assert_eq!(team.count("prompt_delivered", "001"), 1);
}

#[test]
fn codex_claude_and_gemini_dialogs_about_a_report_are_answered_with_each_ones_keys() {
    let workers = [
        Worker { title: "Codex", agent: "codex", flags: "--style codex --ask" },
        Worker { title: "Claude", agent: "claude", flags: "--style claude --ask" },
        Worker { title: "Gemini", agent: "gemini", flags: "--style gemini --ask" },
    ];
    let team = Team::start(&workers, &["Task A", "Task B", "Task C"], "", 300_000);
    team.wait_all_done(&["001", "002", "003"], 40);
    let mut keys: Vec<(String, String)> = team
        .of_type("approval_granted")
        .iter()
        .map(|e| (e["pane"].as_str().unwrap().into(), e["keys"].as_str().unwrap().into()))
        .collect();
    keys.sort();
    let want = [("Claude", "Enter"), ("Codex", "y"), ("Gemini", "Enter")];
    let want: Vec<(String, String)> =
        want.iter().map(|(p, k)| (p.to_string(), k.to_string())).collect();
    assert_eq!(keys, want, "{:#?}", team.events());
    assert!(team.of_type("approval_needed").is_empty());
}

#[test]
fn aider_silent_for_seconds_after_taking_a_prompt_gets_it_once() {
    // Real Aider shows nothing for ~11 s while it loads litellm on its first request;
    // a 5 s receipt wait returned the task it was working on and pasted it again.
    let workers =
        [Worker { title: "Aider", agent: "aider", flags: "--style aider --ask --silent-ms 7000" }];
    let team = Team::start(&workers, &["Task A"], "", 300_000);
    team.wait_all_done(&["001"], 40);
    assert_eq!(team.count("prompt_delivered", "001"), 1);
    assert!(
        team.of_type("prompt_unconfirmed").is_empty(),
        "{:?}",
        team.of_type("prompt_unconfirmed")
    );
    assert!(team.of_type("task_returned").is_empty());
}

#[test]
fn aider_with_no_spinner_is_never_taken_for_idle_while_it_works() {
    // Real Aider with NO_COLOR: while it waits for the model the submitted prompt's `> …`
    // lines stay last and nothing says it works; only an empty `>` is its prompt.
    let workers = [Worker {
        title: "Aider",
        agent: "aider",
        flags: "--style aider --ask --no-spinner --work-ms 1500",
    }];
    let team = Team::start(&workers, &["Task A", "Task B"], "", 300_000);
    team.wait_all_done(&["001", "002"], 40);
    for task in ["001", "002"] {
        assert_eq!(team.count("prompt_delivered", task), 1, "task {task}");
    }
    // Between its first prompt and that task's report the pane is never judged idle.
    let events = team.events();
    let at = |kind: &str| events.iter().position(|e| e["type"] == kind && e["task"] == "001");
    let (from, to) = (at("prompt_delivered").unwrap(), at("task_done").unwrap());
    let idle = events[from..to].iter().find(|e| e["type"] == "pane_state" && e["state"] == "idle");
    assert!(idle.is_none(), "{idle:?}");
    let screen = team.tmux.capture(&team.pane("Aider"));
    assert!(!screen.contains("PASTED INTO A QUESTION"), "{screen}");
}
