//! Global command-line behaviour: help, version, usage errors.
use crate::common::TestProject;

#[test]
fn an_unknown_flag_exits_2_with_one_line() {
    let p = TestProject::new();
    let out = p.run(&["task", "list", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("--bogus"), "{err}");
}

#[test]
fn help_lists_the_command_groups() {
    let p = TestProject::new();
    let out = p.ok(&["--help"]);
    for group in ["mission", "milestone", "task", "validate", "orchestrator", "demo"] {
        assert!(out.contains(group), "missing {group} in help:\n{out}");
    }
}
