//! What `up` refuses, `config validate` refuses first: exit 2, each problem on one line
//! naming the bad value and what is allowed. Numbers from files and flags are bounded.
use std::process::Output;

use crate::common::{TestProject, TmuxServer};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts exit 2 and that the first stderr line (the problem) holds every `want`.
fn refused(out: &Output, want: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let first = err.lines().next().unwrap_or_default();
    for w in want {
        assert!(first.contains(w), "{w:?} not in the first line of:\n{err}");
    }
}

#[test]
fn config_validate_refuses_what_up_refuses_one_line_per_problem() {
    let pane = "rows:\n  - panes:\n      - title: A\n";
    let long_command = format!("{pane}        command: echo {}\n", "x".repeat(9000));
    let cases: &[(&str, &[&str])] = &[
        (
            "rows:\n  - panes:\n      - title: A\n        dir: no-such-dir\n",
            &["rows[0].panes[0].dir", "no-such-dir is not a directory"],
        ),
        (
            "rows:\n  - panes:\n      - title: A\n        env: {X: \"a\\0b\"}\n",
            &["rows[0].panes[0].env.X", "NUL"],
        ),
        (
            "rows:\n  - panes:\n      - title: A\n        env: {\"X\\0\": b}\n",
            &["rows[0].panes[0].env.X\\u{0}", "NUL"],
        ),
        (
            "rows:\n  - panes:\n      - title: A\n        env: {\"A\\nB\": b}\n",
            &["env.A\\nB", "not a valid environment variable name"],
        ),
        (
            "rows:\n  - panes:\n      - title: A\n        command: \"echo \\0\"\n",
            &["rows[0].panes[0].command", "NUL"],
        ),
        (
            &long_command,
            &["rows[0].panes[0]: command, dir and env take 9005 bytes together (at most 8192"],
        ),
    ];
    let tmux = TmuxServer::new();
    for (yml, want) in cases {
        let p = TestProject::new();
        p.write("ide.yml", yml);
        let out = p.run(&["config", "validate"]);
        refused(&out, want);
        // Every line is a whole problem: none is split by the user's text.
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 2, "{yml}:\n{err}");
        assert!(err.lines().all(|l| l.contains("ide.yml")), "{err}");
        let up = tmux.on(p.cmd()).args(["up", "--detach"]).output().unwrap();
        refused(&up, want);
        assert_eq!(stderr(&up).trim_end().lines().count(), 1, "{}", stderr(&up));
    }
    let p = TestProject::new();
    p.write("ide.yml", pane);
    p.ok(&["config", "validate"]);
}

#[test]
fn an_ide_yml_that_is_not_utf8_is_bad_input() {
    let p = TestProject::new();
    std::fs::write(p.path().join("ide.yml"), b"rows:\n  - panes:\n      - title: \xff\xfe\n")
        .unwrap();
    let tmux = TmuxServer::new();
    for args in [&["config", "validate"][..], &["up", "--detach"][..]] {
        let out = tmux.on(p.cmd()).args(args).output().unwrap();
        refused(&out, &["ide.yml", "not UTF-8"]);
        assert_eq!(stderr(&out).trim_end().lines().count(), 1, "{}", stderr(&out));
    }
}

#[test]
fn numbers_in_ide_yml_are_bounded_and_name_the_allowed_range() {
    let cases: &[(&str, &[&str])] = &[
        (
            "orchestrator:\n  stall_timeout: 9223372036854775808\n",
            &["orchestrator.stall_timeout", "9223372036854775808", "1..=604800000"],
        ),
        (
            "orchestrator:\n  stall_timeout: 18446744073709551616\n",
            &["orchestrator.stall_timeout", "out of range", "1..=604800000"],
        ),
        ("orchestrator:\n  poll_interval: 0\n", &["orchestrator.poll_interval", "1..=3600000"]),
        (
            "orchestrator:\n  max_concurrent_agents: 4294967296\n",
            &["orchestrator.max_concurrent_agents", "4294967296", "1..=1000"],
        ),
        (
            "orchestrator:\n  max_concurrent_agents: 0\n",
            &["orchestrator.max_concurrent_agents", "1..=1000"],
        ),
        ("agents:\n  claude:\n    tail_lines: 0\n", &["agents.claude.tail_lines", "1..=10000"]),
        (
            "agents:\n  claude:\n    receipt_timeout: 18446744073709551615\n",
            &["agents.claude.receipt_timeout", "0..=600000"],
        ),
        (
            "agents:\n  claude:\n    enter_delay: 18446744073709551615\n",
            &["agents.claude.enter_delay", "0..=60000"],
        ),
    ];
    let tmux = TmuxServer::new();
    for (section, want) in cases {
        let p = TestProject::new();
        p.write("ide.yml", &format!("{section}rows:\n  - panes:\n      - title: A\n"));
        refused(&p.run(&["config", "validate"]), want);
        refused(&tmux.on(p.cmd()).args(["up", "--detach"]).output().unwrap(), want);
    }
}

#[test]
fn a_blank_proof_and_zero_agents_are_refused() {
    let p = TestProject::new();
    p.write("ide.yml", "rows:\n  - panes:\n      - title: A\n");
    p.ok(&["task", "create", "one"]);
    for proof in ["", "  \n "] {
        let out = p.run(&["task", "done", "001", "--proof", proof]);
        refused(&out, &["--proof must not be blank"]);
        assert_eq!(stderr(&out).trim_end().lines().count(), 1, "{}", stderr(&out));
    }
    assert!(p.ok(&["task", "show", "001"]).contains("todo"));
    for n in ["0", "1001", "18446744073709551616"] {
        let out = p.run(&["metrics", "--agents", n]);
        refused(&out, &[n, "1..=1000"]);
        assert_eq!(stderr(&out).trim_end().lines().count(), 1, "{}", stderr(&out));
    }
    p.ok(&["metrics", "--agents", "3"]);
}
