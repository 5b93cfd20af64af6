//! Small things a first hour runs into: `detect` on panes with tmux's default title and
//! `doctor` on a layout whose agent program is missing.
use crate::common::{TestProject, TmuxServer};
use crate::tmux_support::*;

#[test]
fn detect_does_not_print_the_host_name_as_a_pane_title() {
    let p = project(
        "name: hosttitle\nrows:\n  - panes:\n      - {title: A, command: cat}\n      - {title: B, command: cat}\n",
    );
    let server = TmuxServer::new();
    up(&p, &server);
    let host = server.tmux_ok(&["display-message", "-p", "-t", "hosttitle", "#{pane_title}"]);
    let hosts = server.tmux_ok(&["display-message", "-p", "-t", "hosttitle", "#{host}"]);
    assert_eq!(host.trim(), hosts.trim(), "the pane keeps tmux's default title");
    let out = ok(&p, &server, &["detect"]);
    assert!(!out.contains("pane title:"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&p, &server, &["--json", "detect"])).unwrap();
    assert_eq!(json["panes"][0]["pane_title"], "", "{json}");
}

#[test]
fn doctor_names_a_missing_program_once_for_all_the_panes_that_run_it() {
    let p = TestProject::new();
    let missing = "tmux-ide-no-such-agent";
    let panes: String = ["Lead", "Frontend", "Backend"]
        .iter()
        .map(|t| format!("      - {{title: {t}, command: {missing}}}\n"))
        .collect();
    p.write("ide.yml", &format!("name: doc\nrows:\n  - panes:\n{panes}"));
    let out = p.run(&["doctor"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let fails: Vec<&str> = text.lines().filter(|l| l.contains(missing)).collect();
    assert_eq!(
        fails,
        [
            format!("fail  panes Lead, Frontend, Backend: `{missing}` is not on PATH").as_str(),
            format!("      fix: install `{missing}` or change these panes' `command` in ide.yml")
                .as_str(),
        ],
        "{text}"
    );
}
