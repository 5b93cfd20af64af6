//! The live view (`tmux-ide top`, `orch --watch`) in a real tmux pane on a private server:
//! it shows the plan, follows a change within a second, switches panels and quits.
use std::time::Duration;

use crate::common::{TestProject, TmuxServer, bin, wait_for};

/// A mission with an active M1 (001 ready, 002 waiting on it) and a locked M2.
fn planned() -> TestProject {
    let p = TestProject::new();
    p.ok(&["mission", "set", "Auth v2"]);
    p.ok(&["milestone", "create", "Foundation", "--sequence", "1"]);
    p.ok(&["milestone", "create", "Later", "--sequence", "2"]);
    p.ok(&["task", "create", "Schema", "--milestone", "M1", "--specialty", "backend"]);
    p.ok(&["task", "create", "JWT", "--milestone", "M1", "--depends", "1"]);
    p.ok(&["task", "create", "Sessions", "--milestone", "M2"]);
    p.ok(&["mission", "plan-complete", "--force"]);
    p
}

/// Starts `tmux-ide -C <project> ARGS` as the only pane of session `top`, 160×48.
fn start(tmux: &TmuxServer, p: &TestProject, args: &[&str]) {
    start_sized(tmux, p, ("160", "48"), args);
}

fn start_sized(tmux: &TmuxServer, p: &TestProject, (x, y): (&str, &str), args: &[&str]) {
    let bin = bin();
    let mut argv = vec!["new-session", "-d", "-x", x, "-y", y, "-s", "top"];
    argv.extend([bin.to_str().unwrap(), "-C", p.path().to_str().unwrap()]);
    argv.extend(args);
    tmux.tmux_ok(&argv);
}

fn screen_shows(tmux: &TmuxServer, text: &str) -> Option<()> {
    tmux.capture("top").contains(text).then_some(())
}

fn wait_until_gone(tmux: &TmuxServer) {
    wait_for("the view to exit and its pane to close", Duration::from_secs(5), || {
        (!tmux.tmux(&["has-session", "-t", "=top"]).status.success()).then_some(())
    });
}

#[test]
fn top_follows_task_changes_within_a_second() {
    let p = planned();
    let tmux = TmuxServer::new();
    start(&tmux, &p, &["top"]);
    wait_for("the ready queue to show 001", Duration::from_secs(10), || {
        screen_shows(&tmux, "001  P5  backend    Schema")
    });
    assert!(tmux.capture("top").contains("002  JWT  needs 001 (todo)"));

    p.ok(&["task", "create", "Fresh task", "--milestone", "M1"]);
    wait_for("the new task, within 1 s of its creation", Duration::from_secs(1), || {
        screen_shows(&tmux, "Fresh task")
    });

    p.ok(&["task", "done", "1", "--proof", "tests pass"]);
    wait_for("M1 at 1/3 tasks, within 1 s of task done", Duration::from_secs(1), || {
        screen_shows(&tmux, "1/3 tasks")
    });
    let screen = tmux.capture("top");
    assert!(screen.contains("002  P5"), "002 became ready:\n{screen}");
    assert!(screen.contains("task 001 done"), "the event stream shows it:\n{screen}");

    tmux.tmux_ok(&["send-keys", "-t", "top", "q"]);
    wait_until_gone(&tmux);
}

#[test]
fn orch_watch_switches_and_zooms_panels_escape_unzooms_then_quits() {
    let p = planned();
    let tmux = TmuxServer::new();
    start(&tmux, &p, &["orch", "--watch"]);
    wait_for("the grid of four panels", Duration::from_secs(10), || {
        let s = tmux.capture("top");
        (s.contains("┌ Mission") && s.contains("┌ Events")).then_some(())
    });
    tmux.tmux_ok(&["send-keys", "-t", "top", "3", "Enter"]);
    wait_for("the queue panel zoomed alone", Duration::from_secs(5), || {
        let s = tmux.capture("top");
        (s.contains("┌ Queue") && !s.contains("┌ Mission")).then_some(())
    });
    tmux.tmux_ok(&["send-keys", "-t", "top", "Tab"]);
    // Tab moves the zoom to the next panel: Events alone. The grid also shows Events, so
    // the other panels' absence is what tells a kept zoom from a dropped one.
    wait_for("Tab to move the zoom to the events panel", Duration::from_secs(5), || {
        let s = tmux.capture("top");
        (s.contains("┌ Events") && !s.contains("┌ Queue") && !s.contains("┌ Mission")).then_some(())
    });
    tmux.tmux_ok(&["send-keys", "-t", "top", "z"]);
    wait_for("z to go back to the grid", Duration::from_secs(5), || {
        let s = tmux.capture("top");
        (s.contains("┌ Events") && s.contains("┌ Mission")).then_some(())
    });
    tmux.tmux_ok(&["send-keys", "-t", "top", "Enter"]);
    wait_for("Enter to zoom the events panel again", Duration::from_secs(5), || {
        let s = tmux.capture("top");
        (s.contains("┌ Events") && !s.contains("┌ Mission")).then_some(())
    });
    // Esc steps back out of the zoom; only from the grid does it quit.
    tmux.tmux_ok(&["send-keys", "-t", "top", "Escape"]);
    wait_for("Esc to go back to the grid", Duration::from_secs(5), || {
        let s = tmux.capture("top");
        (s.contains("┌ Events") && s.contains("┌ Mission")).then_some(())
    });
    tmux.tmux_ok(&["send-keys", "-t", "top", "Escape"]);
    wait_until_gone(&tmux);
}

#[test]
fn top_at_80x24_shows_every_panel_and_what_each_agent_works_on() {
    let p = planned();
    p.write(
        "ide.yml",
        "name: small\nrows:\n  - panes:\n      - title: Backend\n        role: teammate\n        \
         specialty: backend\n      - title: Validator\n        role: validator\n",
    );
    p.ok(&["task", "claim", "1", "--pane", "Backend"]);
    let tmux = TmuxServer::new();
    start_sized(&tmux, &p, ("80", "24"), &["top"]);
    let screen = wait_for("the agents panel with the task title", Duration::from_secs(10), || {
        let s = tmux.capture("top");
        s.lines().any(|l| l.starts_with("Backend") && l.contains("001 Schema")).then_some(s)
    });
    for panel in ["Mission", "Agents", "Queue", "Events"] {
        assert!(screen.contains(&format!(" {panel} ─")), "no {panel} panel:\n{screen}");
    }
    assert!(screen.contains("002  JWT  needs 001 (in_progress)"), "{screen}");
    tmux.tmux_ok(&["send-keys", "-t", "top", "q"]);
    wait_until_gone(&tmux);
}

#[test]
fn top_previews_the_selected_agents_pane() {
    let p = planned();
    p.write(
        "ide.yml",
        "name: preview\nrows:\n  - panes:\n      - title: Backend\n        role: teammate\n        \
         command: echo preview-marker-42; exec bash --norc --noprofile\n      - title: Frontend\n        \
         role: teammate\n        command: echo other-marker-7; exec bash --norc --noprofile\n\
         orchestrator:\n  enabled: false\n",
    );
    let tmux = TmuxServer::new();
    tmux.on(p.cmd()).args(["up", "--detach"]).assert().success();
    start_sized(&tmux, &p, ("80", "24"), &["--tmux-socket", &tmux.socket, "top"]);
    wait_for("the view", Duration::from_secs(10), || screen_shows(&tmux, " Agents ─"));
    tmux.tmux_ok(&["send-keys", "-t", "top", "2"]);
    wait_for("the first agent's pane previewed", Duration::from_secs(5), || {
        screen_shows(&tmux, "preview-marker-42")
    });
    tmux.tmux_ok(&["send-keys", "-t", "top", "Down"]);
    wait_for("Down to preview the next agent", Duration::from_secs(5), || {
        let s = tmux.capture("top");
        (s.contains("other-marker-7") && !s.contains("preview-marker-42")).then_some(())
    });
    tmux.tmux_ok(&["send-keys", "-t", "top", "q"]);
    wait_until_gone(&tmux);
}
