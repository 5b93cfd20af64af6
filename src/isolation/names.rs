//! Isolation's names and texts, as pure functions: the mission branch, each pane's branch
//! and worktree, a task's commit message, which panes get a worktree, and what to do with
//! a pane's worktree before it is sent work.
use crate::config::Role;

/// Where worktrees live, relative to the project directory.
pub const WORKTREES_DIR: &str = ".tmux-ide/worktrees";
/// The detached worktree merges are made in (never a pane's, never the user's).
pub const INTEGRATION_DIR: &str = ".tmux-ide/integration";
/// The trailer every task commit and task merge carries.
pub const TRAILER: &str = "Tmux-Ide-Task";

/// A title as a branch or directory name: lowercase ASCII letters and digits joined by `-`
/// (`fallback` when nothing is left).
pub fn slug(title: &str, fallback: &str) -> String {
    let mut out = String::new();
    for word in title.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
        if out.len() >= 48 {
            break;
        }
    }
    out.truncate(48);
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { fallback.to_string() } else { out }
}

/// `tmux-ide/<mission-slug>`.
pub fn mission_branch(mission_title: &str) -> String {
    format!("tmux-ide/{}", slug(mission_title, "mission"))
}

/// A pane's branch: `<mission-branch>--<pane-slug>`. (git cannot hold both
/// `tmux-ide/m` and `tmux-ide/m/pane`: one ref would have to be a file and a directory.)
pub fn pane_branch(mission_branch: &str, pane_title: &str) -> String {
    format!("{mission_branch}--{}", slug(pane_title, "pane"))
}

/// A pane's worktree, relative to the project directory.
pub fn worktree_rel(pane_title: &str) -> String {
    format!("{WORKTREES_DIR}/{}", slug(pane_title, "pane"))
}

/// Panes that do work get a worktree: teammates, researchers and the validator.
pub fn has_worktree(role: Role) -> bool {
    matches!(role, Role::Teammate | Role::Researcher | Role::Validator)
}

/// The commit that takes what the agent left uncommitted: `task 003: <title>` and the
/// trailer. The title is one line, without control characters.
pub fn commit_message(id: &str, title: &str) -> String {
    format!("task {id}: {}\n\n{TRAILER}: {id}\n", one_line(title))
}

/// The merge of a task into the mission branch.
pub fn merge_message(id: &str, title: &str) -> String {
    format!("Merge task {id}: {}\n\n{TRAILER}: {id}\n", one_line(title))
}

/// The `git log --grep` pattern that finds the merge of task `id` (a basic regex).
pub fn trailer_pattern(id: &str) -> String {
    let escaped: String = id
        .chars()
        .flat_map(|c| {
            let special = matches!(c, '.' | '[' | ']' | '*' | '^' | '$' | '\\');
            special.then_some('\\').into_iter().chain(std::iter::once(c))
        })
        .collect();
    format!("^{TRAILER}: {escaped}$")
}

fn one_line(text: &str) -> String {
    let line: String =
        text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(200).collect();
    line.trim().to_string()
}

/// What to do with a pane's worktree before sending it work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prepare {
    /// Move the pane's branch to the mission branch's head (the worktree is clean).
    Sync,
    /// Leave it: it holds this very task's unfinished work (the task is sent again).
    Keep,
    /// Send nothing: it holds work of another task (`last`), uncommitted or unmerged.
    Refuse { last: Option<String> },
}

/// The decision for a worktree with uncommitted changes (`dirty`) or commits the mission
/// branch lacks (`ahead`), last sent `last`, about to be sent `work`.
pub fn prepare(dirty: bool, ahead: bool, last: Option<&str>, work: &str) -> Prepare {
    if !dirty && !ahead {
        return Prepare::Sync;
    }
    if last == Some(work) {
        return Prepare::Keep;
    }
    Prepare::Refuse { last: last.map(str::to_string) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branches_and_worktrees_are_named_from_the_mission_and_the_pane() {
        let m = mission_branch("Auth v2: JWT & Refresh!");
        assert_eq!(m, "tmux-ide/auth-v2-jwt-refresh");
        assert_eq!(pane_branch(&m, "Backend Dev"), "tmux-ide/auth-v2-jwt-refresh--backend-dev");
        assert_eq!(worktree_rel("Backend Dev"), ".tmux-ide/worktrees/backend-dev");
        assert_eq!(mission_branch("!!!"), "tmux-ide/mission");
        assert_eq!(worktree_rel("../../etc"), ".tmux-ide/worktrees/etc");
        assert!(slug(&"x".repeat(300), "f").len() <= 48);
    }

    #[test]
    fn commit_messages_carry_the_title_on_one_line_and_the_trailer() {
        assert_eq!(
            commit_message("003", "Build login\nendpoint\x1b[2J"),
            "task 003: Build login endpoint [2J\n\nTmux-Ide-Task: 003\n"
        );
        assert!(merge_message("003", "X").ends_with("\n\nTmux-Ide-Task: 003\n"));
        assert_eq!(trailer_pattern("003"), "^Tmux-Ide-Task: 003$");
        assert_eq!(trailer_pattern("a.b"), "^Tmux-Ide-Task: a\\.b$");
    }

    #[test]
    fn workers_get_worktrees_and_the_lead_and_shells_do_not() {
        assert!(has_worktree(Role::Teammate) && has_worktree(Role::Validator));
        assert!(has_worktree(Role::Researcher));
        assert!(!has_worktree(Role::Lead) && !has_worktree(Role::Shell));
    }

    #[test]
    fn a_worktree_is_synced_when_clean_kept_for_its_own_task_and_refused_otherwise() {
        assert_eq!(prepare(false, false, Some("001"), "002"), Prepare::Sync);
        assert_eq!(prepare(true, false, Some("002"), "002"), Prepare::Keep);
        assert_eq!(prepare(false, true, Some("002"), "002"), Prepare::Keep);
        assert_eq!(
            prepare(true, false, Some("001"), "002"),
            Prepare::Refuse { last: Some("001".into()) }
        );
        assert_eq!(prepare(false, true, None, "002"), Prepare::Refuse { last: None });
    }
}
