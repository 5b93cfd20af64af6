//! A done task's work into the mission branch: what the agent left uncommitted is
//! committed in its worktree (`task 003: <title>`, trailer `Tmux-Ide-Task: 003`), then
//! merged (`--no-ff`, one merge per task) in the detached integration worktree under a
//! lock, one at a time. Only a clean merge moves the mission branch, by `update-ref`
//! from the head it was made on: a crash mid-merge leaves the branch where it was and
//! the merge is made again; a conflict is aborted and reported with its files.
use std::path::Path;

use super::Isolation;
use super::names::{self, INTEGRATION_DIR};
use crate::git::Git;
use crate::plan::TaskGit;
use crate::{Error, Result};

/// Test hook: when set, a merge writes the task id to this file after it is made and
/// before the mission branch moves, then waits there while the file exists, so a test can
/// kill the orchestrator at exactly that point.
pub const PAUSE_ENV: &str = "TMUX_IDE_TEST_MERGE_PAUSE";

/// How a task's merge ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merged {
    /// The mission branch holds the task's merge (made now, or before a crash).
    Done(TaskGit),
    /// The merge conflicts in these files; the mission branch did not move.
    Conflict(Vec<String>),
}

/// The task's tip: what its agent left committed (a commit made now if uncommitted work
/// remains, or an empty one when the task changed nothing, so every task has a merge).
pub fn commit_task(iso: &Isolation, pane: &str, id: &str, title: &str) -> Result<String> {
    let tree = iso.worktree(pane).ok_or_else(|| {
        Error::internal(format!("pane {pane} has no worktree to take task {id} from"))
    })?;
    let git = Git::new(&tree);
    let head = iso.head()?;
    git.run(&["add", "-A"])?;
    let staged = !git.check(&["diff", "--cached", "--quiet"])?;
    let ahead = !git.run(&["rev-list", "-n1", &format!("{head}..HEAD")])?.trim().is_empty();
    let message = names::commit_message(id, title);
    if staged {
        git.run_committing(&["commit", "-q", "--no-verify", "-m", &message])?;
    } else if !ahead {
        git.run_committing(&["commit", "-q", "--no-verify", "--allow-empty", "-m", &message])?;
    }
    git.resolve("HEAD")?.ok_or_else(|| Error::internal(format!("no HEAD in {}", tree.display())))
}

/// The merge of task `id` already on the mission branch (made before a crash), if any.
pub fn already_merged(iso: &Isolation, id: &str) -> Result<Option<String>> {
    let pattern = names::trailer_pattern(id);
    let out = iso.git().run(&[
        "log",
        "-n1",
        "--first-parent",
        "--merges",
        "--format=%H",
        &format!("--grep={pattern}"),
        &format!("{}..refs/heads/{}", iso.state.base, iso.state.branch),
    ])?;
    Ok(Some(out.trim().to_string()).filter(|s| !s.is_empty()))
}

/// Merges `tip` (task `id`'s work) into the mission branch, holding the merge lock.
pub fn merge_task(iso: &Isolation, id: &str, title: &str, tip: &str) -> Result<Merged> {
    let lock_path = iso.root.join(".tmux-ide/merge.lock");
    let lock = crate::project::open_lock_file(&iso.root, &lock_path)?;
    lock.lock().map_err(|e| Error::io(&lock_path, e))?;
    if let Some(merge) = already_merged(iso, id)? {
        return Ok(Merged::Done(record(iso, &merge)?));
    }
    let head = iso.head()?;
    let work = integration_tree(iso, &head)?;
    let message = names::merge_message(id, title);
    let out = work.output(&identity_then(
        &work,
        &["merge", "-q", "--no-ff", "--no-verify", "--no-edit", "-m", &message, tip],
    )?)?;
    if !out.status.success() {
        let files = work.run(&["diff", "--name-only", "--diff-filter=U"])?;
        let files: Vec<String> = files.lines().map(str::to_string).collect();
        let _ = work.run(&["merge", "--abort"]);
        if files.is_empty() {
            return Err(work.failure(&["merge", "--no-ff", tip], &out));
        }
        return Ok(Merged::Conflict(files));
    }
    let merge = work.resolve("HEAD")?.ok_or_else(|| Error::internal("merge made no commit"))?;
    pause_for_tests(id);
    let branch_ref = format!("refs/heads/{}", iso.state.branch);
    let reason = format!("tmux-ide: merge task {id}");
    iso.git().run(&["update-ref", "-m", &reason, &branch_ref, &merge, &head])?;
    Ok(Merged::Done(record(iso, &merge)?))
}

fn identity_then(git: &Git, args: &[&str]) -> Result<Vec<String>> {
    let mut all = git.identity_args()?;
    all.extend(args.iter().map(|a| a.to_string()));
    Ok(all)
}

/// The integration worktree, detached and clean at `head` (whatever a crash left there).
fn integration_tree(iso: &Isolation, head: &str) -> Result<Git> {
    let path = iso.root.join(INTEGRATION_DIR);
    if !path.join(".git").exists() {
        let git = iso.git();
        let _ = git.run(&["worktree", "prune"]);
        if path.exists() {
            fs_err::remove_dir_all(&path)?;
        }
        git.run(&["worktree", "add", "-q", "--detach", &path.to_string_lossy(), head])?;
        return Ok(Git::new(path));
    }
    let work = Git::new(path);
    let _ = work.output(&["merge", "--abort"]);
    work.run(&["reset", "-q", "--hard"])?;
    work.run(&["clean", "-q", "-fdx"])?;
    work.run(&["checkout", "-q", "--detach", "-f", head])?;
    Ok(work)
}

/// The task's record from its merge commit: its commits, the diffstat against the first
/// parent (the mission branch before it).
fn record(iso: &Isolation, merge: &str) -> Result<TaskGit> {
    let git = iso.git();
    let base = format!("{merge}^1");
    let base = git.resolve(&base)?.ok_or_else(|| Error::internal("a merge without parents"))?;
    let range = format!("{base}..{merge}^2");
    let commits: Vec<String> = git
        .run(&["rev-list", "--reverse", "--no-merges", &range])?
        .lines()
        .map(str::to_string)
        .collect();
    let short = git.run(&["diff", "--shortstat", &base, merge])?;
    let (files_changed, insertions, deletions) = parse_shortstat(&short);
    let stat = git.run(&["diff", "--stat=100", &base, merge])?;
    Ok(TaskGit {
        commits,
        merge: merge.to_string(),
        base,
        files_changed,
        insertions,
        deletions,
        stat,
    })
}

/// `3 files changed, 12 insertions(+), 4 deletions(-)` → (3, 12, 4).
pub fn parse_shortstat(text: &str) -> (u32, u32, u32) {
    let mut out = (0, 0, 0);
    for part in text.trim().split(',') {
        let mut words = part.split_whitespace();
        let n = words.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        match words.next() {
            Some(w) if w.starts_with("file") => out.0 = n,
            Some(w) if w.starts_with("insertion") => out.1 = n,
            Some(w) if w.starts_with("deletion") => out.2 = n,
            _ => {}
        }
    }
    out
}

/// The task's diff, as `git diff` prints it (from its record).
pub fn task_diff(root: &Path, git: &TaskGit) -> Result<String> {
    Git::new(root).run(&["diff", "--no-color", &git.base, &git.merge])
}

fn pause_for_tests(id: &str) {
    let Some(marker) = std::env::var_os(PAUSE_ENV) else { return };
    let marker = std::path::PathBuf::from(marker);
    if std::fs::write(&marker, id).is_err() {
        return;
    }
    while marker.exists() {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortstat_lines_are_read_in_any_combination() {
        assert_eq!(
            parse_shortstat(" 3 files changed, 12 insertions(+), 4 deletions(-)\n"),
            (3, 12, 4)
        );
        assert_eq!(parse_shortstat(" 1 file changed, 1 insertion(+)\n"), (1, 1, 0));
        assert_eq!(parse_shortstat(" 2 files changed, 5 deletions(-)"), (2, 0, 5));
        assert_eq!(parse_shortstat(""), (0, 0, 0));
    }
}
