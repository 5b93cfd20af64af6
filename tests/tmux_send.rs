//! `tmux-ide send`: text reaches a pane verbatim through a tmux buffer and runs nothing.
use crate::common::TmuxServer;
use crate::tmux_support::*;

const LAYOUT: &str = "name: sendtest\nrows:\n  - panes:\n      - {title: Sink, role: teammate, command: 'cat > received.txt'}\n      - {title: Other, role: lead, command: cat}\n";

#[test]
fn send_delivers_quotes_substitutions_backticks_semicolons_and_newlines_verbatim() {
    let p = project(LAYOUT);
    let server = TmuxServer::new();
    up(&p, &server);
    let text =
        "He said \"hi\" and 'bye'\n$(touch X) `touch Y`; touch Z;\n#{pane_id} \\n $HOME last;";
    ok(&p, &server, &["send", "Sink", text]);
    let want = format!("{text}\n");
    let got = wait_for_file(&p, "received.txt", |t| t.len() >= want.len());
    assert_eq!(got, want);
    for file in ["X", "Y", "Z"] {
        assert!(!p.path().join(file).exists(), "{file} was created");
    }
}

#[test]
fn send_reads_stdin_with_a_dash_and_no_enter_leaves_the_line_unsubmitted() {
    let p = project(LAYOUT);
    let server = TmuxServer::new();
    up(&p, &server);
    let out = server
        .on(p.cmd())
        .args(["send", "teammate", "-", "--no-enter"])
        .write_stdin("first line\nsecond `line`\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Only the first line is complete; the second waits for Enter.
    wait_for_file(&p, "received.txt", |t| t == "first line\n");
    let id = pane(&panes(&server, "sendtest"), "Sink").id.clone();
    ok(&p, &server, &["send", &id, ""]);
    wait_for_file(&p, "received.txt", |t| t == "first line\nsecond `line`\n");
}

#[test]
fn an_unknown_target_lists_the_panes() {
    let p = project(LAYOUT);
    let server = TmuxServer::new();
    up(&p, &server);
    let out = run(&p, &server, &["send", "Nobody", "hi"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("no pane `Nobody` in session sendtest"), "{err}");
    assert!(err.contains("Sink (teammate, %") && err.contains("Other (lead, %"), "{err}");
}

#[test]
fn send_to_a_session_that_is_not_running_says_how_to_start_it() {
    let p = project(LAYOUT);
    let server = TmuxServer::new();
    let out = run(&p, &server, &["send", "Sink", "hi"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("session sendtest is not running") && err.contains("start it with `tmux-ide`"),
        "{err}"
    );
}

#[test]
fn the_library_api_lists_pastes_into_and_captures_panes() {
    use tmux_ide::tmux::Tmux;
    let p = project(LAYOUT);
    let server = TmuxServer::new();
    up(&p, &server);
    let tmux = Tmux::new(Some(server.socket.clone()));
    assert!(tmux.has_session("sendtest").unwrap());
    assert!(!tmux.has_session("other").unwrap());
    let panes = tmux.list_panes("sendtest").unwrap();
    let titles: Vec<&str> = panes.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["Sink", "Other"]);
    let other = &panes[1];
    assert_eq!(other.role.map(|r| r.to_string()).as_deref(), Some("lead"));
    assert!(other.width > 0 && other.height > 0 && other.pid > 0 && !other.dead);
    tmux.paste_then_enter(
        &other.id,
        "ping `pong` $(x)",
        Some(std::time::Duration::from_millis(300)),
    )
    .unwrap();
    let screen = crate::common::wait_for("the echo in the pane", DEADLINE, || {
        let text = tmux.capture(&other.id, 5).unwrap();
        (text.matches("ping `pong` $(x)").count() == 2).then_some(text)
    });
    assert!(screen.lines().count() <= 5, "{screen}");
}
