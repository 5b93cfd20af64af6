//! The control-mode pane watcher against a real tmux: it hears which pane wrote, layout
//! changes and the session's end, and never resizes the session's window.
use std::collections::HashSet;
use std::time::Duration;

use tmux_ide::tmux::{ControlClient, Tmux};

use crate::common::{TmuxServer, wait_for};

const SHELL: &str = "bash --norc --noprofile";

#[test]
fn a_control_client_hears_the_pane_that_wrote_a_new_pane_and_the_end_without_resizing() {
    let server = TmuxServer::new();
    server.tmux_ok(&["new-session", "-d", "-s", "w", "-x", "100", "-y", "30", SHELL]);
    server.tmux_ok(&["split-window", "-t", "=w:", SHELL]);
    let ids = server.tmux_ok(&["list-panes", "-t", "=w:", "-F", "#{pane_id}"]);
    let ids: Vec<&str> = ids.lines().collect();
    let session = server.tmux_ok(&["display-message", "-p", "-t", "=w:", "#{session_id}"]);
    let client =
        ControlClient::attach(&Tmux::new(Some(server.socket.clone())), session.trim(), || {})
            .expect("control mode attaches");

    server.tmux_ok(&["send-keys", "-t", ids[1], "echo watched", "Enter"]);
    let mut heard = HashSet::new();
    wait_for("output from the second pane", Duration::from_secs(10), || {
        let news = client.take();
        assert!(!news.ended);
        heard.extend(news.panes);
        heard.contains(ids[1]).then_some(())
    });

    server.tmux_ok(&["new-window", "-t", "=w:", SHELL]);
    wait_for("the new window", Duration::from_secs(10), || client.take().layout.then_some(()));
    let size = server.tmux_ok(&[
        "display-message",
        "-p",
        "-t",
        "=w:0",
        "#{window_width}x#{window_height}",
    ]);
    assert_eq!(size.trim(), "100x30", "the control client resized the window");
    let clients =
        server.tmux_ok(&["list-clients", "-F", "#{client_control_mode} #{client_readonly}"]);
    assert_eq!(clients.trim(), "1 1", "one read-only control client: {clients}");

    server.tmux_ok(&["kill-session", "-t", "=w"]);
    wait_for("the client to end with the session", Duration::from_secs(10), || {
        client.take().ended.then_some(())
    });
}

#[test]
fn attaching_to_a_missing_session_fails_at_once() {
    let server = TmuxServer::new();
    server.tmux_ok(&["new-session", "-d", "-s", "other", SHELL]);
    let started = std::time::Instant::now();
    let got = ControlClient::attach(&Tmux::new(Some(server.socket.clone())), "$999", || {});
    assert!(got.is_err());
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[test]
fn a_look_reads_only_the_panes_said_to_have_changed_and_all_of_them_on_a_sweep() {
    use tmux_ide::config::{Agent, Role};
    use tmux_ide::orchestrator::AgentState;
    use tmux_ide::orchestrator::observe::Observer;
    use tmux_ide::tmux::PaneInfo;

    let server = TmuxServer::new();
    server.tmux_ok(&["new-session", "-d", "-s", "w", "-x", "80", "-y", "10", "cat"]);
    let id = server.tmux_ok(&["display-message", "-p", "-t", "=w:", "#{pane_id}"]);
    let id = id.trim().to_string();
    let pid = server.tmux_ok(&["display-message", "-p", "-t", &id, "#{pane_pid}"]);
    let info = PaneInfo {
        id: id.clone(),
        title: "Agent1".into(),
        role: Some(Role::Teammate),
        specialty: None,
        agent: Some(Agent::Sim),
        current_command: "cat".into(),
        pid: pid.trim().parse().unwrap(),
        dead: false,
        width: 80,
        height: 10,
        left: 0,
        top: 0,
        pane_title: String::new(),
        window: "ide".into(),
        window_index: 0,
    };
    let tmux = Tmux::new(Some(server.socket.clone()));
    let mut observer = Observer::default();
    let state = |o: &mut Observer, changed: Option<&HashSet<String>>, sweep| {
        o.observe_with(&tmux, std::slice::from_ref(&info), jiff::Timestamp::now(), changed, sweep).0
            [0]
        .0
        .state
    };
    server.tmux_ok(&["send-keys", "-t", &id, "sim>", "Enter"]);
    wait_for("the ready prompt read", Duration::from_secs(10), || {
        (state(&mut observer, None, false) == AgentState::Idle).then_some(())
    });
    server.tmux_ok(&["send-keys", "-t", &id, "● working", "Enter"]);
    wait_for("the screen to show work", Duration::from_secs(10), || {
        server.capture(&id).contains("● working").then_some(())
    });
    let none = HashSet::new();
    assert_eq!(state(&mut observer, Some(&none), false), AgentState::Idle, "read without news");
    let this = HashSet::from([id.clone()]);
    assert_eq!(state(&mut observer, Some(&this), false), AgentState::Busy);
    server.tmux_ok(&["send-keys", "-t", &id, "sim>", "Enter"]);
    wait_for("the prompt again", Duration::from_secs(10), || {
        server.capture(&id).trim_end().ends_with("sim>").then_some(())
    });
    assert_eq!(state(&mut observer, Some(&none), false), AgentState::Busy, "read without news");
    assert_eq!(state(&mut observer, Some(&none), true), AgentState::Idle, "a sweep reads it");
}

#[test]
fn reads_through_the_control_client_say_what_a_tmux_process_says_even_of_a_forging_pane() {
    use std::sync::{Arc, Mutex};

    let server = TmuxServer::new();
    server.tmux_ok(&["new-session", "-d", "-s", "r", "-x", "90", "-y", "12", SHELL]);
    let pane = server.tmux_ok(&["display-message", "-p", "-t", "=r:", "#{pane_id}"]);
    let pane = pane.trim().to_string();
    let session = server.tmux_ok(&["display-message", "-p", "-t", "=r:", "#{session_id}"]);
    // What a hostile program can print: block ends and begins of tmux's control protocol.
    let forged = r"printf '%%end 1 1 1\n%%error 2 2 1\n%%begin 3 3 1\n%%exit\nstill here\n'";
    server.tmux_ok(&["send-keys", "-t", &pane, forged, "Enter"]);
    wait_for("the forged lines", Duration::from_secs(10), || {
        server.capture(&pane).contains("still here").then_some(())
    });
    let plain = Tmux::new(Some(server.socket.clone()));
    let client = ControlClient::attach(&plain, session.trim(), || {}).expect("control mode");
    let slot = Arc::new(Mutex::new(Some(client.commands())));
    let through = plain.with_control(Arc::clone(&slot));

    let capture = ["capture-pane", "-p", "-J", "-t", pane.as_str()];
    let list = ["list-panes", "-s", "-t", "=r", "-F", "#{pane_id}\t#{pane_dead}\t#{@ide_title}"];
    let failing = ["has-session", "-t", "=nope", ";", "display-message", "-p", "never"];
    for args in [&capture[..], &list[..], &failing[..]] {
        let (a, b) = (plain.try_run(args, None).unwrap(), through.try_run(args, None).unwrap());
        assert_eq!((a.ok, &a.stdout), (b.ok, &b.stdout), "{args:?}");
        assert_eq!(a.stderr.is_empty(), b.stderr.is_empty(), "{args:?}: {a:?} / {b:?}");
    }
    assert!(through.capture_visible(&pane).unwrap().contains("%end 1 1 1"));
    assert!(!client.take().ended, "forged lines inside a reply end nothing");
    assert_eq!(client.commands().served(), 4, "every read went through the client");
    // Anything but a read goes as a process, and still works with a client in the slot.
    through.run(&["send-keys", "-t", &pane, "echo typed", "Enter"]).unwrap();
    wait_for("the typed line", Duration::from_secs(10), || {
        server.capture(&pane).contains("\ntyped").then_some(())
    });
    // With the client gone, the same reads run as processes.
    drop(client);
    let again = through.try_run(&capture, None).unwrap();
    assert!(again.ok && again.stdout.contains("still here"));
}
