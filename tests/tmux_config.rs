//! `tmux-ide config validate` against the layout fixtures: valid ones pass, each invalid
//! one fails with exit 2 naming the path of every problem.
use std::path::PathBuf;

use crate::common::TestProject;

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/layouts").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs `config validate` on a fixture: (exit code, stderr).
fn validate(name: &str) -> (Option<i32>, String) {
    let p = TestProject::new();
    p.write("ide.yml", &fixture(name));
    let out = p.run(&["config", "validate"]);
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn every_valid_fixture_passes() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/layouts/valid");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = format!("valid/{}", entry.unwrap().file_name().to_string_lossy());
        let (code, err) = validate(&name);
        assert_eq!(code, Some(0), "{name}: {err}");
    }
}

#[test]
fn each_invalid_fixture_exits_2_naming_the_path() {
    let cases = [
        ("unknown-key.yml", "rows[0].panes[1].titel: unknown key (did you mean `title`?)"),
        ("unknown-top-key.yml", "nmae: unknown key (did you mean `name`?)"),
        ("rows-over-100.yml", "rows: row sizes add up to 110% (at most 100%)"),
        ("no-room-for-unsized.yml", "rows[0].panes: pane sizes add up to 100%, leaving no room"),
        ("size-not-percent.yml", "rows[0].size: size \"70px\" is not a percentage"),
        ("duplicate-title.yml", "rows[0].panes[1].title: title `Agent` is already used"),
        ("two-focus.yml", "rows[0].panes[1].focus: only one pane may have focus"),
        ("master-pane-unknown.yml", "orchestrator.master_pane: no pane is titled `Leed`"),
        ("bad-role.yml", "rows[0].panes[0].role: role `boss` is not one of lead, teammate"),
        (
            "windows-and-rows.yml",
            "windows: ide.yml has both `rows:` and `windows:`; use one: `rows:` for a single \
             window, or `windows:`",
        ),
        (
            "window-name-taken.yml",
            "windows[1].name: window name `agents` is already used by windows[0]",
        ),
        (
            "window-helper-name.yml",
            "windows[0].name: `orchestrator` is the name of a helper window",
        ),
        ("window-missing-name.yml", "windows[0]: missing required key `name`"),
        (
            "title-across-windows.yml",
            "windows[1].rows[0].panes[1].title: title `Lead` is already used by \
             windows[0].rows[0].panes[0]",
        ),
        (
            "window-too-many-panes.yml",
            "windows[1].rows: row 0: 19 panes do not fit 200 columns (pane 11 would get 9; a pane \
             needs at least 10 columns and a separator); spread the panes over more windows",
        ),
    ];
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/layouts/invalid");
    let on_disk = std::fs::read_dir(dir).unwrap().count();
    assert_eq!(on_disk, cases.len() + 1, "every invalid fixture has a case (+ many-problems)");
    for (name, want) in cases {
        let (code, err) = validate(&format!("invalid/{name}"));
        assert_eq!(code, Some(2), "{name}: {err}");
        assert!(err.contains(want), "{name}: want {want:?} in:\n{err}");
    }
}

#[test]
fn validate_lists_every_problem_not_just_the_first() {
    let (code, err) = validate("invalid/many-problems.yml");
    assert_eq!(code, Some(2), "{err}");
    for want in [
        "rows[0].panes[0].colour: unknown key",
        "rows[1].panes[0].role: role `validater` is not one of",
        "(did you mean `validator`?)",
        "orchestrator.poll_interval: expected a whole number",
        "rows: row sizes add up to 110%",
        "rows[1].panes[0].title: title `A` is already used by rows[0].panes[0]",
        "rows[1].panes[0].focus: only one pane may have focus",
        "6 problem(s)",
    ] {
        assert!(err.contains(want), "want {want:?} in:\n{err}");
    }
}

#[test]
fn a_yaml_syntax_error_names_the_line() {
    let p = TestProject::new();
    p.write("ide.yml", "rows:\n  - panes: [\n");
    let out = p.run(&["config", "validate"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("line "), "{err}");
}

#[test]
fn a_missing_ide_yml_says_how_to_create_one() {
    let p = TestProject::new();
    let out = p.run(&["config", "validate"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("no ide.yml") && err.contains("tmux-ide init"), "{err}");
}

#[test]
fn other_commands_refuse_a_bad_ide_yml_with_exit_2() {
    let p = TestProject::new();
    p.write("ide.yml", &fixture("invalid/many-problems.yml"));
    let out = p.run(&["up", "--detach", "--tmux-socket", "tmux-ide-test-never-started"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("5 more problem(s)"), "{err}");
}
