//! Isolation against real git in a temp repository (no tmux): setup leaves the user's
//! tree alone, worktrees are synced or refused, merges are one per task, idempotent, and
//! a conflict leaves the mission branch where it was.
use std::path::Path;

use super::merge::{Merged, commit_task, merge_task};
use super::*;
use crate::config::Config;

fn repo() -> (tempfile::TempDir, Project) {
    let dir = tempfile::tempdir().unwrap();
    let git = Git::new(dir.path());
    git.run(&["init", "-q", "-b", "main"]).unwrap();
    std::fs::write(dir.path().join("shared.txt"), "base\n").unwrap();
    git.run(&["add", "-A"]).unwrap();
    git.run_committing(&["commit", "-q", "-m", "base"]).unwrap();
    std::fs::write(dir.path().join("mine.txt"), "the user's untracked file\n").unwrap();
    std::fs::create_dir(dir.path().join(".tasks")).unwrap();
    std::fs::write(dir.path().join(".tasks/events.jsonl"), "").unwrap();
    let project = Project::at(dir.path());
    (dir, project)
}

fn config() -> Config {
    let yml = "rows:\n  - panes:\n      - title: Lead\n        role: lead\n      - title: Back End\n        role: teammate\n      - title: Front\n        role: teammate\n";
    Config::parse(yml).unwrap()
}

fn append(dir: &Path, file: &str, line: &str) {
    let path = dir.join(file);
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    text.push_str(line);
    std::fs::write(path, text).unwrap();
}

#[test]
fn setup_makes_the_branch_and_worktrees_and_leaves_the_users_tree_alone() {
    let (_dir, project) = repo();
    let git = Git::new(&project.root);
    let status = git.run(&["status", "--porcelain"]).unwrap();
    let iso = setup::start(&project, &config(), "Auth v2").unwrap();
    assert_eq!(iso.state.branch, "tmux-ide/auth-v2");
    assert_eq!(iso.state.base_branch.as_deref(), Some("main"));
    let panes: Vec<&String> = iso.state.panes.keys().collect();
    assert_eq!(panes, ["Back End", "Front"]);
    assert!(project.root.join(".tmux-ide/worktrees/back-end/shared.txt").is_file());
    assert_eq!(git.run(&["status", "--porcelain"]).unwrap(), status, "no untracked noise");
    assert_eq!(git.run(&["symbolic-ref", "--short", "HEAD"]).unwrap().trim(), "main");
    // Again: nothing new, the same state.
    assert_eq!(setup::start(&project, &config(), "Auth v2").unwrap().state, iso.state);
}

#[test]
fn tasks_merge_once_each_and_a_conflict_leaves_the_branch_where_it_was() {
    let (_dir, project) = repo();
    let mut iso = setup::start(&project, &config(), "M").unwrap();
    let (back, front) = (iso.worktree("Back End").unwrap(), iso.worktree("Front").unwrap());
    assert_eq!(iso.prepare("Back End", "001").unwrap(), Prepare::Sync);
    assert_eq!(iso.prepare("Front", "002").unwrap(), Prepare::Sync);
    append(&back, "shared.txt", "one\n");
    append(&front, "shared.txt", "two\n");

    let tip = commit_task(&iso, "Back End", "001", "First").unwrap();
    let Merged::Done(first) = merge_task(&iso, "001", "First", &tip).unwrap() else { panic!() };
    assert_eq!(first.commits, std::slice::from_ref(&tip));
    assert_eq!((first.files_changed, first.insertions, first.deletions), (1, 1, 0));
    assert_eq!(iso.head().unwrap(), first.merge);
    // Merging the same task again finds its merge: no second one.
    let Merged::Done(again) = merge_task(&iso, "001", "First", &tip).unwrap() else { panic!() };
    assert_eq!(again.merge, first.merge);

    let tip2 = commit_task(&iso, "Front", "002", "Second").unwrap();
    let conflict = merge_task(&iso, "002", "Second", &tip2).unwrap();
    assert_eq!(conflict, Merged::Conflict(vec!["shared.txt".into()]));
    assert_eq!(iso.head().unwrap(), first.merge, "the branch did not move");
    let work = Git::new(project.root.join(names::INTEGRATION_DIR));
    assert_eq!(work.run(&["status", "--porcelain"]).unwrap(), "");

    // A worktree with another task's work is refused; its own task keeps it.
    append(&back, "draft.txt", "unsaved\n");
    assert_eq!(
        iso.prepare("Back End", "003").unwrap(),
        Prepare::Refuse { last: Some("001".into()) }
    );
    assert_eq!(iso.prepare("Front", "002").unwrap(), Prepare::Keep);
    assert!(setup::remove_worktrees(&project).is_err(), "uncommitted work is never removed");
    std::fs::remove_file(back.join("draft.txt")).unwrap();
    assert_eq!(iso.prepare("Back End", "003").unwrap(), Prepare::Sync);
    assert_eq!(std::fs::read_to_string(back.join("shared.txt")).unwrap(), "base\none\n");
}
