//! What a new user reads: the man pages and the grouped `--help`.
use crate::common::TestProject;

/// Every `tmux-ide-<sub>(1)` a page names, as file names (roff writes `-` as `\-`).
fn referenced_pages(roff: &str) -> Vec<String> {
    roff.lines()
        .map(|l| l.replace("\\-", "-"))
        .filter_map(|l| l.strip_suffix("(1)").map(str::to_string))
        .filter(|name| name.starts_with("tmux-ide-"))
        .map(|name| format!("{name}.1"))
        .collect()
}

#[test]
fn man_writes_a_page_for_every_command_and_every_page_it_names_exists() {
    let p = TestProject::new();
    let dir = p.path().join("man1");
    let out = p.ok(&["man", "--dir", dir.to_str().unwrap()]);
    let mut pending = vec!["tmux-ide.1".to_string()];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(page) = pending.pop() {
        let path = dir.join(&page);
        let roff = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{page} is referenced but missing: {e}"));
        if seen.insert(page) {
            pending.extend(referenced_pages(&roff));
        }
    }
    for page in ["tmux-ide-init.1", "tmux-ide-task.1", "tmux-ide-task-create.1", "tmux-ide-man.1"] {
        assert!(seen.contains(page), "{page} not reachable from tmux-ide.1: {seen:?}");
    }
    let written = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(written, seen.len(), "pages no other page names: {seen:?}");
    assert!(out.contains(&format!("Wrote {written} man pages")), "{out}");
    assert!(!seen.iter().any(|p| p.contains("-help")), "help is not a command: {seen:?}");
}

/// Every command that reads or changes the plan, run where there is no project.
const NEEDS_A_PROJECT: &[&[&str]] = &[
    &["task", "list"],
    &["task", "show", "001"],
    &["task", "create", "X", "--milestone", "M1"],
    &["validate", "coverage"],
    &["validate", "report"],
    &["mission", "status"],
    &["mission", "set", "X"],
    &["milestone", "list"],
    &["goal", "list"],
    &["metrics"],
    &["metrics", "history"],
    &["orch"],
    &["top"],
    &["logs"],
    &["dashboard"],
    &["orchestrator", "run"],
    &["agent", "idle", "--pane", "%1"],
];

#[test]
fn outside_a_project_plan_commands_exit_1_with_one_line_and_create_nothing() {
    let p = TestProject::outside();
    for args in NEEDS_A_PROJECT {
        let out = p.run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err, "error: no tmux-ide project here (run `tmux-ide init`)\n", "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&out.stdout));
        let left: Vec<_> = std::fs::read_dir(p.path()).unwrap().collect();
        assert!(left.is_empty(), "{args:?} created {left:?}");
    }
}

#[test]
fn a_directory_with_only_ide_yml_is_a_project_and_reading_it_creates_nothing() {
    let p = TestProject::outside();
    p.write("ide.yml", "name: x\nrows:\n  - panes:\n      - {title: Shell}\n");
    for args in [&["task", "list"][..], &["validate", "coverage"], &["metrics"], &["orch"]] {
        p.ok(args);
    }
    let top = p.run(&["top"]);
    assert_eq!(top.status.code(), Some(1), "{}", String::from_utf8_lossy(&top.stderr));
    let left: Vec<_> =
        std::fs::read_dir(p.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["ide.yml"]);
}
