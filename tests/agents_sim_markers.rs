//! The simulated agent acts only on the marker at the top of the prompt pasted into it:
//! marker lines quoted from plan text further down must not make it finish other tasks.
use std::time::Duration;

use crate::common::{TestProject, TmuxServer, bin, wait_for};

#[test]
fn marker_lines_inside_a_pasted_prompt_do_not_start_other_tasks() {
    let p = TestProject::new();
    for title in ["First", "Spoofed", "Last"] {
        p.ok(&["task", "create", title]);
    }
    let (tmux, _pane) = one_sim_pane(&p, "markers", "Worker", "teammate");
    // What a task description quoting other prompts looks like inside a real prompt.
    let first = "# tmux-ide task 001: First\nTMUX-IDE-TASK: 001\n\n## Task\n\n\
                 # tmux-ide task 002: Spoofed\nTMUX-IDE-TASK: 002\n\
                 TMUX-IDE-VALIDATE: M1 round=1 VAL-X-001\nTMUX-IDE-TASK: 002\n";
    tmux.on(p.cmd()).args(["send", "Worker", first]).assert().success();
    tmux.on(p.cmd())
        .args(["send", "Worker", "# tmux-ide task 003: Last\nTMUX-IDE-TASK: 003\n"])
        .assert()
        .success();
    // The sim works through its input in order: once 003 is done, any 002 would be too.
    wait_for("task 003 done", Duration::from_secs(20), || {
        (p.task_status("003") == "done").then_some(())
    });
    assert_eq!(p.task_status("001"), "done");
    assert_eq!(p.task_status("002"), "todo", "the sim acted on a marker inside the prompt");
}

#[test]
fn a_task_description_quoting_another_tasks_marker_does_not_finish_that_task() {
    let p = TestProject::new();
    let tmux = TmuxServer::new();
    let sim = format!("'{}' agent sim --work-ms 50", bin().display());
    p.write(
        "ide.yml",
        &format!(
            "name: quoted\nrows:\n  - panes:\n      - title: Worker\n        role: teammate\n        \
             agent: sim\n        command: {sim:?}\n\
             orchestrator:\n  enabled: true\n  poll_interval: 200\n"
        ),
    );
    p.ok(&["mission", "set", "Quoted"]);
    p.ok(&["milestone", "create", "Now", "--sequence", "1"]);
    // 002 sits in a milestone that stays locked: M1's work fulfils an assertion, and no
    // validator ever passes it (without one, M1 would be done with its tasks and 002
    // dispatched at once). So only a spoofed marker could start it.
    p.write(".tasks/validation-contract.md", "## Quoted\n- **VAL-Q-001**: the parser is fixed\n");
    p.ok(&["milestone", "create", "Never", "--sequence", "2"]);
    let description = "Fix the parser.\n# tmux-ide task 002: Locked\nTMUX-IDE-TASK: 002\n\
                       TMUX-IDE-TASK: 002";
    p.ok(&[
        "task",
        "create",
        "First",
        "--milestone",
        "M1",
        "--description",
        description,
        "--fulfills",
        "VAL-Q-001",
    ]);
    p.ok(&["task", "create", "Locked", "--milestone", "M2"]);
    p.ok(&["task", "create", "Next", "--milestone", "M1", "--depends", "001"]);
    p.ok(&["mission", "plan-complete"]);
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    // The sim reads its input in order: 001's prompt (with the quoted marker) comes
    // before 003's, so once 003 is done a spoofed 002 would be done too.
    wait_for("task 003 done", Duration::from_secs(40), || {
        (p.task_status("003") == "done").then_some(())
    });
    assert_eq!(p.task_status("001"), "done");
    assert_eq!(p.task_status("002"), "todo", "the sim acted on a marker quoted in 001's prompt");
}

#[test]
fn a_pasted_notice_shows_in_the_sim_without_the_paste_brackets() {
    let p = TestProject::new();
    let (tmux, pane) = one_sim_pane(&p, "notice", "Lead", "lead");
    let notice = "[tmux-ide] Mission \"X\" is complete.";
    tmux.on(p.cmd()).args(["send", "Lead", notice]).assert().success();
    let screen = wait_for("the notice on the screen", Duration::from_secs(10), || {
        let screen = tmux.capture(&pane);
        screen.contains("is complete.").then_some(screen)
    });
    assert!(screen.contains(&format!("sim> {notice}")), "{screen}");
    assert!(!screen.contains("^["), "the tty echoed the paste brackets:\n{screen}");
    assert!(!screen.contains("^@"), "{screen}");
}

/// A session of one simulated agent pane `title` with `role`, up and at its prompt.
fn one_sim_pane(p: &TestProject, name: &str, title: &str, role: &str) -> (TmuxServer, String) {
    let tmux = TmuxServer::new();
    let sim = format!("'{}' agent sim --work-ms 50", bin().display());
    p.write(
        "ide.yml",
        &format!(
            "name: {name}\nrows:\n  - panes:\n      - title: {title}\n        role: {role}\n        \
             agent: sim\n        command: {sim:?}\n"
        ),
    );
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    let pane = wait_for("the pane", Duration::from_secs(10), || tmux.pane_titled(title));
    wait_for("the sim's prompt", Duration::from_secs(10), || {
        tmux.capture(&pane).contains("sim> ").then_some(())
    });
    (tmux, pane)
}

#[test]
fn the_simulated_agent_runs_without_huge_pages_which_its_reports_inherit() {
    let p = TestProject::new();
    let (tmux, pane) = one_sim_pane(&p, "pages", "Worker", "teammate");
    let pid = tmux.tmux_ok(&["display-message", "-p", "-t", &pane, "#{pane_pid}"]);
    // The pane's shell may have exec'd the sim or started it as its child.
    let mut pids = vec![pid.trim().to_string()];
    let children = format!("/proc/{}/task/{}/children", pids[0], pids[0]);
    pids.extend(
        std::fs::read_to_string(children).unwrap_or_default().split_whitespace().map(String::from),
    );
    let sim = pids
        .iter()
        .find(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            String::from_utf8_lossy(&cmdline).contains("agent\0sim")
        })
        .expect("the sim's process");
    let status = std::fs::read_to_string(format!("/proc/{sim}/status")).unwrap();
    assert!(status.contains("THP_enabled:\t0"), "{status}");
}
