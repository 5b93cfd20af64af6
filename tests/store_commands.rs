//! Task, mission and validate commands beyond the seed walkthrough: bad input is refused
//! with exit 2 and nothing written, a corrupt store is never touched, hostile text runs
//! nothing, `task done` feeds the library, `validate run` records evidence.
use crate::common::TestProject;
use crate::store_seed::plan_auth_v2;

fn stderr_line(out: &std::process::Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(err.trim_end().lines().count(), 1, "expected one line:\n{err}");
    err
}

#[test]
fn bad_input_exits_2_with_one_line_naming_the_value_and_writes_nothing() {
    let p = TestProject::new();
    plan_auth_v2(&p);
    p.ok(&["task", "cancel", "006"]);
    let cases: &[(&[&str], &str)] = &[
        (&["task", "create", "x", "--bogus"], "--bogus"),
        (&["task", "show", "099"], "\"099\""),
        (&["task", "update", "099", "--priority", "2"], "\"099\""),
        (&["task", "claim", "099", "--pane", "Backend"], "\"099\""),
        (&["task", "done", "099", "--proof", "p"], "\"099\""),
        (&["task", "done", "006", "--proof", "p"], "006 is cancelled"),
        (&["task", "cancel", "099"], "\"099\""),
        (&["task", "create", "x", "--milestone", "M9"], "\"M9\""),
        (&["task", "create", "x", "--depends", "001,099"], "--depends: unknown task \"099\""),
        (&["task", "create", "x", "--fulfills", "VAL-NOPE-001"], "VAL-NOPE-001"),
        (&["task", "create", "x", "--priority", "0"], "\"0\""),
        (&["task", "create", "x", "--priority", "10"], "1..=9"),
        (&["task", "update", "001", "--status", "finished"], "\"finished\""),
        (&["task", "update", "001", "--depends", "003"], "dependency cycle 001 → 003 → 001"),
        (&["milestone", "create", "Again", "--sequence", "2"], "--sequence 2"),
        (&["milestone", "show", "M9"], "\"M9\""),
        (&["validate", "assert", "VAL-NOPE-001", "--status", "passing"], "VAL-NOPE-001"),
        (&["validate", "assert", "VAL-AUTH-001", "--status", "great"], "\"great\""),
        (&["validate", "report", "--milestone", "M9"], "\"M9\""),
        (&["validate", "run", "VAL-NOPE-001"], "VAL-NOPE-001"),
        (&["--json", "task", "list", "--status", "nope"], "\"nope\""),
    ];
    let tasks = p.read(".tasks/tasks.json");
    let events = p.read(".tasks/events.jsonl");
    for (args, named) in cases {
        let out = p.run(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let err = stderr_line(&out);
        assert!(err.contains(named), "{args:?}: {err} should name {named}");
        assert!(
            err.contains("allowed")
                || err.contains("existing")
                || err.contains("only")
                || err.contains("use ")
                || err.contains("must")
                || err.contains("unexpected argument")
                || err.contains("assertions in"),
            "{args:?}: {err} should say what is allowed"
        );
        assert_eq!(p.read(".tasks/tasks.json"), tasks, "{args:?} wrote tasks.json");
        assert_eq!(p.read(".tasks/events.jsonl"), events, "{args:?} wrote events");
    }
    let out = p.run(&["task", "update", "002", "--depends", "2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_line(&out).contains("--depends 002: a task cannot depend on itself"));
    assert_eq!(p.read(".tasks/tasks.json"), tasks, "a self-dependency wrote tasks.json");
}

#[test]
fn a_corrupt_tasks_json_fails_every_command_with_line_and_column_and_is_left_untouched() {
    let p = TestProject::new();
    plan_auth_v2(&p);
    let corrupt = "{\n  \"version\": 1,\n  \"tasks\": [,]\n}\n";
    p.write(".tasks/tasks.json", corrupt);
    let commands: &[&[&str]] = &[
        &["task", "list"],
        &["--json", "task", "list"],
        &["task", "show", "001"],
        &["task", "create", "x"],
        &["task", "update", "001", "--priority", "3"],
        &["task", "claim", "001", "--pane", "Backend"],
        &["task", "done", "001", "--proof", "p"],
        &["task", "cancel", "001"],
        &["mission", "set", "Other"],
        &["mission", "show"],
        &["mission", "status"],
        &["mission", "plan-complete"],
        &["milestone", "create", "M", "--sequence", "4"],
        &["milestone", "list"],
        &["milestone", "show", "M1"],
        &["goal", "list"],
        &["validate", "coverage"],
        &["validate", "assert", "VAL-AUTH-001", "--status", "passing"],
        &["validate", "report"],
        &["validate", "run"],
    ];
    for args in commands {
        let out = p.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(".tasks/tasks.json:3:13"), "{args:?}: {err}");
        assert_eq!(p.read(".tasks/tasks.json"), corrupt, "{args:?} touched the file");
    }
}

#[test]
fn hostile_titles_round_trip_exactly_and_run_nothing() {
    let p = TestProject::new();
    // Titles are one line (see the next test); descriptions, proofs and summaries may
    // span lines and keep their tabs.
    let hostile = "Fix \"quotes\" 'single' $(touch pwned1) `touch pwned2` ;touch pwned3 $HOME";
    let text = &format!("{hostile}\nsecond line\t$HOME");
    p.ok(&["milestone", "create", hostile, "--sequence", "1"]);
    p.ok(&["task", "create", hostile, "--milestone", "M1", "--goal", hostile, "-d", text]);
    let task: serde_json::Value =
        serde_json::from_str(&p.ok(&["--json", "task", "show", "1"])).unwrap();
    assert_eq!(task["title"], hostile);
    assert_eq!(task["description"], text.as_str());
    let goals: serde_json::Value =
        serde_json::from_str(&p.ok(&["--json", "goal", "list"])).unwrap();
    assert_eq!(goals[0]["title"], hostile);
    let list = p.ok(&["task", "list"]);
    assert_eq!(list.lines().count(), 2, "a title stays on its row:\n{list}");
    p.ok(&["task", "done", "001", "--proof", text, "--summary", text]);
    assert!(p.read(".tmux-ide/library/learnings.md").contains(text.as_str()));
    for f in ["pwned1", "pwned2", "pwned3"] {
        assert!(!p.path().join(f).exists(), "{f} was created");
    }
}

#[test]
fn a_title_with_a_line_break_or_control_character_exits_2_and_writes_nothing() {
    let p = TestProject::new();
    plan_auth_v2(&p);
    let forged = "Fix login\n## Task 999: forged";
    let cases: &[(&[&str], &str)] = &[
        (&["task", "create", forged], "title contains the control character U+000A"),
        (&["task", "create", "ok", "--goal", "a\tb"], "goal contains the control character U+0009"),
        (
            &["task", "update", "001", "--title", "a\rb"],
            "title contains the control character U+000D",
        ),
        (
            &["task", "update", "001", "--goal", forged],
            "goal contains the control character U+000A",
        ),
        (&["mission", "set", "a\u{1b}[31mred"], "title contains the control character U+001B"),
        (
            &["milestone", "create", forged, "--sequence", "9"],
            "title contains the control character U+000A",
        ),
    ];
    let tasks = p.read(".tasks/tasks.json");
    let events = p.read(".tasks/events.jsonl");
    for (args, named) in cases {
        let out = p.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr_line(&out);
        assert!(err.contains(named), "{args:?}: {err} should name {named}");
        assert!(err.contains("allowed: one line of printable text"), "{args:?}: {err}");
        assert_eq!(p.read(".tasks/tasks.json"), tasks, "{args:?} wrote tasks.json");
        assert_eq!(p.read(".tasks/events.jsonl"), events, "{args:?} wrote events");
    }
}

#[test]
fn plan_complete_and_milestone_refusals_name_the_command_or_flag_that_gets_past_them() {
    let p = TestProject::new();
    let fails = |args: &[&str], code: i32| {
        let out = p.run(args);
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let err = fails(&["mission", "plan-complete"], 1);
    assert!(err.contains("there is no mission yet (create it with `tmux-ide mission set"), "{err}");
    p.ok(&["mission", "set", "M"]);
    p.ok(&["milestone", "create", "One", "--sequence", "1"]);
    p.ok(&["milestone", "create", "Two", "--sequence", "2"]);
    p.ok(&["task", "create", "x", "--milestone", "M1"]);
    let err = fails(&["mission", "plan-complete"], 1);
    assert!(err.contains("error: cannot complete planning: milestone M2 has no task\n"), "{err}");
    assert!(err.contains("hint: run `tmux-ide validate coverage`, add tasks, or pass --force"));
    let err = fails(&["milestone", "create", "Zero", "--sequence", "0"], 2);
    assert!(err.contains("--sequence 0 is not allowed (sequences start at 1)"), "{err}");
    p.ok(&["mission", "plan-complete", "--force"]);
    let err = fails(&["mission", "plan-complete"], 1);
    assert!(err.contains("the mission is active, not planning (plan-complete applies"), "{err}");
}

#[test]
fn claim_then_done_records_times_and_appends_the_summary_to_the_library() {
    let p = TestProject::new();
    plan_auth_v2(&p);
    p.write(".tmux-ide/library/learnings.md", "# Learnings\n");
    p.ok(&["task", "update", "002", "--specialty", "research"]);
    // Claims need an active milestone: M1's tasks are the ones open after planning.
    p.ok(&["mission", "plan-complete"]);
    p.ok(&["task", "claim", "001", "--pane", "Backend"]);
    let t: serde_json::Value =
        serde_json::from_str(&p.ok(&["--json", "task", "show", "001"])).unwrap();
    assert_eq!(
        (t["status"].as_str(), t["assignee"].as_str()),
        (Some("in_progress"), Some("Backend"))
    );
    assert!(t["started"].is_string());
    p.ok(&["task", "done", "001", "--proof", "Tests pass", "--summary", "Used jose.\nbcrypt too."]);
    p.ok(&["task", "claim", "002", "--pane", "Researcher"]);
    p.ok(&["task", "done", "002", "--proof", "p", "--summary", "Coverage via llvm-cov."]);
    let today = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    assert_eq!(
        p.read(".tmux-ide/library/learnings.md"),
        format!(
            "# Learnings\n\n## Task 001 — Set up auth database schema ({today})\n\nUsed jose.\nbcrypt too.\n\n\
             ## Task 002 — Create JWT utility functions ({today})\n\nCoverage via llvm-cov.\n"
        )
    );
    assert_eq!(
        p.read(".tmux-ide/library/research-findings.md"),
        format!("## Task 002 — Create JWT utility functions ({today})\n\nCoverage via llvm-cov.\n")
    );
    let t: serde_json::Value =
        serde_json::from_str(&p.ok(&["--json", "task", "show", "001"])).unwrap();
    assert_eq!((t["status"].as_str(), t["proof"].as_str()), (Some("done"), Some("Tests pass")));
    assert!(t["finished"].is_string());
    let done: Vec<serde_json::Value> = p
        .read(".tasks/events.jsonl")
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["type"] == "task_done")
        .collect();
    assert_eq!(done[0]["task"], "001");
    assert_eq!(done[0]["pane"], "Backend");
    assert_eq!(done[0]["milestone"], "M1");
    let ts = done[0]["ts"].as_str().unwrap();
    assert!(ts.len() == 24 && ts.ends_with('Z') && ts.as_bytes()[19] == b'.', "{ts}");
}

#[test]
fn mission_set_twice_updates_the_title_and_keeps_the_plan() {
    let p = TestProject::new();
    plan_auth_v2(&p);
    p.ok(&["mission", "set", "Auth v3"]);
    let m: serde_json::Value = serde_json::from_str(&p.ok(&["--json", "mission", "show"])).unwrap();
    assert_eq!(m["title"], "Auth v3");
    assert_eq!(
        m["description"],
        "JWT login, token refresh, route protection, and full test coverage"
    );
    let status = p.ok(&["mission", "status"]);
    assert!(status.starts_with("Mission: Auth v3 [planning]\n"), "{status}");
    assert!(
        status.contains(
            "M2  Implementation       locked  ░░░░░░░░░░  0/4 tasks  0 passing, 0 failing, 4 pending"
        ),
        "{status}"
    );
}

#[test]
fn validate_run_records_exit_status_and_output_as_evidence() {
    let p = TestProject::new();
    p.write(
        ".tasks/validation-contract.md",
        "## Checks\n- **VAL-RUN-001**: the marker exists\n  verify: test -f marker.txt\n\
         - **VAL-RUN-002**: the build is green\n  verify: echo compiling; echo 'boom: it broke' >&2; exit 3\n\
         - **VAL-RUN-003**: a human looks at it\n",
    );
    p.write("marker.txt", "");
    p.ok(&["milestone", "create", "Only", "--sequence", "1"]);
    p.ok(&[
        "task",
        "create",
        "all",
        "--milestone",
        "M1",
        "--fulfills",
        "VAL-RUN-001,VAL-RUN-002,VAL-RUN-003",
    ]);
    let out = p.run(&["validate", "run", "--timeout", "60"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap(), @r"
    Validation Run
    ──────────────
    VAL-RUN-001 ✓ passing exit 0 — test -f marker.txt
    VAL-RUN-002 ✗ failing exit 3 — echo compiling; echo 'boom: it broke' >&2; exit 3
    Not run (no verify command): VAL-RUN-003
    Status: 1/2 passing, 1 failing
    ");
    let report = p.ok(&["validate", "report"]);
    assert!(report.contains("VAL-RUN-002 ✗ failing exit 3 — echo compiling;"), "{report}");
    assert!(report.contains("VAL-RUN-003 ○ pending a human looks at it"), "{report}");
    let plan: serde_json::Value = serde_json::from_str(&p.read(".tasks/tasks.json")).unwrap();
    let evidence = plan["assertions"]["VAL-RUN-002"]["evidence"].as_str().unwrap();
    assert!(evidence.ends_with("\ncompiling\nboom: it broke"), "{evidence}");
    assert_eq!(plan["assertions"]["VAL-RUN-002"]["reporter"], "validate run");
}
