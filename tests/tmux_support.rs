//! Helpers for the tmux tests: fixtures, launching detached at a fixed size, pane facts.
#![allow(dead_code, reason = "not every tmux test uses every helper")]
use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use crate::common::{TestProject, TmuxServer, success, wait_for};

pub const DEADLINE: Duration = Duration::from_secs(10);

pub fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/layouts").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A project whose ide.yml is `layout`.
pub fn project(layout: &str) -> TestProject {
    let p = TestProject::new();
    p.write("ide.yml", layout);
    p
}

/// The project's directory as tmux-ide records it (canonical).
pub fn root(p: &TestProject) -> String {
    p.path().canonicalize().unwrap().to_string_lossy().into_owned()
}

/// `tmux-ide ARGS` on the private server.
pub fn run(p: &TestProject, server: &TmuxServer, args: &[&str]) -> Output {
    server.on(p.cmd()).args(args).output().unwrap()
}

/// `tmux-ide ARGS` on the private server, asserting success; stdout.
pub fn ok(p: &TestProject, server: &TmuxServer, args: &[&str]) -> String {
    success(args, run(p, server, args))
}

/// The command a window of `session` was started with; panics listing the windows if
/// there is no window `name`.
pub fn window_command(server: &TmuxServer, session: &str, name: &str) -> String {
    let target = format!("={session}");
    let windows = server.tmux_ok(&[
        "list-windows",
        "-t",
        &target,
        "-F",
        "#{window_name}\t#{pane_start_command}",
    ]);
    windows
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}\t")).map(str::to_string))
        .unwrap_or_else(|| panic!("no window {name} in:\n{windows}"))
}

/// Launches detached at 200x50.
pub fn up(p: &TestProject, server: &TmuxServer) -> String {
    ok(p, server, &["up", "--detach", "--size", "200x50"])
}

#[derive(Debug, Clone)]
pub struct Pane {
    pub id: String,
    pub title: String,
    pub role: String,
    pub specialty: String,
    pub agent: String,
    pub command: String,
    pub width: u32,
    pub height: u32,
    pub left: u32,
    pub top: u32,
    pub active: bool,
}

/// The panes of the session's layout window, in tmux's order.
pub fn panes(server: &TmuxServer, session: &str) -> Vec<Pane> {
    let format = "#{pane_id}\t#{@ide_title}\t#{@ide_role}\t#{@ide_specialty}\t#{@ide_agent}\t#{pane_current_command}\t#{pane_width}\t#{pane_height}\t#{pane_left}\t#{pane_top}\t#{pane_active}";
    let target = format!("={session}:ide");
    server
        .tmux_ok(&["list-panes", "-t", &target, "-F", format])
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Pane {
                id: f[0].into(),
                title: f[1].into(),
                role: f[2].into(),
                specialty: f[3].into(),
                agent: f[4].into(),
                command: f[5].into(),
                width: f[6].parse().unwrap(),
                height: f[7].parse().unwrap(),
                left: f[8].parse().unwrap(),
                top: f[9].parse().unwrap(),
                active: f[10] == "1",
            }
        })
        .collect()
}

pub fn pane<'a>(panes: &'a [Pane], title: &str) -> &'a Pane {
    panes.iter().find(|p| p.title == title).unwrap_or_else(|| panic!("no pane {title}: {panes:#?}"))
}

/// Session names on the server (none when it is not running).
pub fn sessions(server: &TmuxServer) -> Vec<String> {
    let out = server.tmux(&["list-sessions", "-F", "#{session_name}"]);
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

/// Waits until the file exists and `check` accepts its content.
pub fn wait_for_file(p: &TestProject, rel: &str, check: impl Fn(&str) -> bool) -> String {
    let path = p.path().join(rel);
    wait_for(&format!("{rel} to be written"), DEADLINE, || {
        std::fs::read_to_string(&path).ok().filter(|t| check(t))
    })
}
