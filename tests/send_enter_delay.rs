//! `tmux-ide send` and `POST /api/send` press Enter after the pause of the target pane's
//! agent profile (ide.yml `agents:`), not a fixed one.
use std::time::{Duration, Instant};

use crate::common::{TmuxServer, wait_for};
use crate::tmux_support::*;
use crate::web_support::Dashboard;

const SLOW: Duration = Duration::from_millis(1500);

const LAYOUT: &str = "name: delays\nrows:\n  - panes:\n      - {title: Slow, command: 'cat > slow.txt # slowbot'}\n      - {title: Quick, command: 'cat > quick.txt'}\nagents:\n  slowbot: {enter_delay: 1500}\n";

#[test]
fn enter_waits_for_the_pause_of_the_panes_own_profile() {
    let p = project(LAYOUT);
    let server = TmuxServer::new();
    up(&p, &server);
    let timed = |args: &[&str]| {
        let start = Instant::now();
        ok(&p, &server, args);
        start.elapsed()
    };
    let slow = timed(&["send", "Slow", "one"]);
    assert!(slow >= SLOW, "Enter after {slow:?}, the profile asks for {SLOW:?}");
    let quick = timed(&["send", "Quick", "two"]);
    assert!(quick < SLOW, "the shell profile's pause is short, took {quick:?}");
    wait_for_file(&p, "slow.txt", |t| t == "one\n");
    wait_for_file(&p, "quick.txt", |t| t == "two\n");

    let d = Dashboard::start(&p, &["--allow-writes", "--tmux-socket", &server.socket]);
    let token = p.read(".tmux-ide/run/dashboard.token").trim().to_string();
    let h = [("X-Tmux-Ide-Token", token.as_str())];
    let start = Instant::now();
    let r = d.request("POST", "/api/send", &h, r#"{"pane":"Slow","text":"three"}"#);
    let took = start.elapsed();
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(took >= SLOW, "Enter after {took:?}, the profile asks for {SLOW:?}");
    wait_for("the dashboard's paste", DEADLINE, || {
        (p.read("slow.txt") == "one\nthree\n").then_some(())
    });
}
