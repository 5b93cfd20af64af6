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
    for page in ["tmux-ide-init.1", "tmux-ide-task.1", "tmux-ide-task-create.1", "tmux-ide-man.1"]
    {
        assert!(seen.contains(page), "{page} not reachable from tmux-ide.1: {seen:?}");
    }
    let written = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(written, seen.len(), "pages no other page names: {seen:?}");
    assert!(out.contains(&format!("Wrote {written} man pages")), "{out}");
    assert!(!seen.iter().any(|p| p.contains("-help")), "help is not a command: {seen:?}");
}
