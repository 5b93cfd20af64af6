//! The pure parts of isolation in the run loop: which tasks wait for a merge, and the
//! conflict prompt's shape.
use std::collections::BTreeMap;

use jiff::Timestamp;

use super::*;
use crate::isolation::{PaneTree, State};
use crate::plan::{Task, TaskGit};

fn iso() -> Isolation {
    let tree = PaneTree {
        worktree: ".tmux-ide/worktrees/backend".into(),
        branch: "tmux-ide/m--backend".into(),
        last: None,
    };
    Isolation {
        root: "/p".into(),
        state: State {
            branch: "tmux-ide/m".into(),
            base_branch: Some("main".into()),
            base: "0".repeat(40),
            prefix: String::new(),
            panes: BTreeMap::from([("Backend".to_string(), tree)]),
        },
    }
}

fn task(id: &str, status: TaskStatus, assignee: &str) -> Task {
    let mut t = Task::new(id, format!("Task {id}"), Timestamp::UNIX_EPOCH);
    t.status = status;
    t.assignee = Some(assignee.into());
    t
}

#[test]
fn only_done_unmerged_tasks_of_panes_with_worktrees_wait_for_a_merge() {
    let mut merged = task("004", TaskStatus::Done, "Backend");
    merged.git = Some(TaskGit {
        commits: vec![],
        merge: "m".into(),
        base: "b".into(),
        files_changed: 0,
        insertions: 0,
        deletions: 0,
        stat: String::new(),
    });
    let plan = Plan {
        tasks: vec![
            task("003", TaskStatus::Done, "Backend"),
            task("001", TaskStatus::Done, "Backend"),
            task("002", TaskStatus::InProgress, "Backend"),
            task("005", TaskStatus::Done, "Lead"),
            merged,
        ],
        ..Plan::default()
    };
    let ids: Vec<String> = to_merge(&plan, &iso()).into_iter().map(|(id, _, _)| id).collect();
    assert_eq!(ids, ["001", "003"]);
}

#[test]
fn the_conflict_prompt_carries_its_marker_on_line_two_and_names_the_files() {
    let files = vec!["shared.txt".to_string(), "src/a\x1b[2J.rs".to_string()];
    let text = conflict_prompt("003", "Login\nnow", "tmux-ide/m", "/p/wt", &files);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "# tmux-ide merge conflict in task 003: Login\\nnow");
    assert_eq!(lines[1], "TMUX-IDE-MERGE: 003 tmux-ide/m");
    assert!(text.contains("- shared.txt\n"), "{text}");
    assert!(!text.contains('\x1b'), "{text}");
    assert!(text.contains("git merge tmux-ide/m"), "{text}");
    assert!(text.contains("tmux-ide task done 003"), "{text}");
}
