//! What `agent sim --edit` changes, and how the simulated agent settles a merge conflict
//! it is handed back: a small real change per task (a line naming the task appended to
//! each `edit file <path>` of the task's description, else to `sim/<task>.txt`), and
//! `git merge <mission-branch>` in its worktree with every conflict resolved by keeping
//! both sides (ours, then theirs), so demos and tests exercise isolation end to end.
use std::path::{Component, Path, PathBuf};

use crate::git::Git;
use crate::plan::Store;
use crate::project::Project;
use crate::{Error, Result};

/// The marker line of a conflict prompt (see the orchestrator's `conflict_prompt`).
pub const MERGE_MARKER: &str = "TMUX-IDE-MERGE:";

/// `TMUX-IDE-MERGE: <task> <branch>` → (task, branch).
pub fn parse_merge(line: &str) -> Option<(String, String)> {
    let rest = line.trim().strip_prefix(MERGE_MARKER)?;
    let mut words = rest.split_whitespace();
    let (id, branch) = (words.next()?, words.next()?);
    // Never an option to git.
    (words.next().is_none() && !branch.starts_with('-'))
        .then(|| (id.to_string(), branch.to_string()))
}

/// The files a description asks to edit (`edit file <path>` anywhere on a line): only
/// relative paths that stay inside the worktree (no `..`, no absolute path).
pub fn files_to_edit(description: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for line in description.lines() {
        let Some(i) = line.find("edit file ") else { continue };
        let Some(word) = line[i + "edit file ".len()..].split_whitespace().next() else {
            continue;
        };
        let path = PathBuf::from(word.trim_end_matches(['.', ',', ';']));
        let inside = path.components().all(|c| matches!(c, Component::Normal(_)));
        if inside && path.components().next().is_some() && !out.contains(&path) {
            out.push(path);
        }
    }
    out
}

/// Text with git's conflict blocks resolved by keeping both sides: ours, then theirs
/// (a diff3 base section is dropped). Text without conflicts comes back unchanged.
pub fn keep_both(text: &str) -> String {
    enum Part {
        Outside,
        Ours,
        Base,
        Theirs,
    }
    let mut part = Part::Outside;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let marker = |m: &str| line.starts_with(m);
        match part {
            Part::Outside if marker("<<<<<<< ") || line.trim_end() == "<<<<<<<" => {
                part = Part::Ours;
            }
            Part::Ours if marker("||||||| ") || line.trim_end() == "|||||||" => part = Part::Base,
            Part::Ours | Part::Base if line.trim_end() == "=======" => part = Part::Theirs,
            Part::Theirs if marker(">>>>>>> ") || line.trim_end() == ">>>>>>>" => {
                part = Part::Outside;
            }
            Part::Base => {}
            _ => out.push_str(line),
        }
    }
    out
}

/// `--edit`: appends `task <id>: <title>` to the task's files in `dir` (the worktree).
pub fn edit_for_task(project: &Path, dir: &Path, id: &str) -> Result<Vec<PathBuf>> {
    let plan = Store::new(&Project::at(project)).load()?;
    let task = plan.task(id).ok_or_else(|| Error::failed(format!("no task {id}")))?;
    let mut files = files_to_edit(&task.description);
    if files.is_empty() {
        files.push(PathBuf::from(format!("sim/{id}.txt")));
    }
    let title: String = task.title.chars().filter(|c| !c.is_control()).collect();
    for rel in &files {
        let path = dir.join(rel);
        crate::project::create_dir_safe(dir, path.parent().unwrap_or(dir))?;
        let mut file = crate::project::open_append(dir, &path)?;
        std::io::Write::write_all(&mut file, format!("task {id}: {title}\n").as_bytes())
            .map_err(|e| Error::io(&path, e))?;
    }
    Ok(files)
}

/// A conflict handed back: merges `branch` into the worktree at `dir`, resolves every
/// conflicted file by keeping both sides, and commits the merge. Returns the files it
/// resolved.
pub fn merge_keeping_both(dir: &Path, branch: &str) -> Result<Vec<String>> {
    let git = Git::new(dir);
    let mut args = git.identity_args()?;
    args.extend(["merge", "--no-edit", "-q", branch].map(String::from));
    let out = git.output(&args)?;
    if out.status.success() {
        return Ok(Vec::new());
    }
    let files: Vec<String> =
        git.run(&["diff", "--name-only", "--diff-filter=U"])?.lines().map(String::from).collect();
    if files.is_empty() {
        return Err(git.failure(&args, &out));
    }
    for f in &files {
        let path = dir.join(f);
        let text = fs_err::read_to_string(&path)?;
        crate::project::write_file(dir, &path, keep_both(&text).as_bytes())?;
        git.run(&["add", "--", f])?;
    }
    git.run_committing(&["commit", "-q", "--no-edit", "--no-verify"])?;
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_keep_ours_then_theirs_and_drop_the_base() {
        let text = "a\n<<<<<<< HEAD\nours\n||||||| base\nold\n=======\ntheirs\n>>>>>>> b\nz\n";
        assert_eq!(keep_both(text), "a\nours\ntheirs\nz\n");
        assert_eq!(keep_both("plain\n"), "plain\n");
    }

    #[test]
    fn edit_lines_name_relative_files_inside_the_worktree_only() {
        let d = "First edit file shared.txt.\nedit file ../etc/passwd\nedit file /abs\n\
                 then edit file src/a.rs, and edit file shared.txt";
        assert_eq!(files_to_edit(d), [PathBuf::from("shared.txt"), PathBuf::from("src/a.rs")]);
    }

    #[test]
    fn the_merge_marker_names_a_task_and_a_branch() {
        assert_eq!(
            parse_merge("TMUX-IDE-MERGE: 003 tmux-ide/m"),
            Some(("003".into(), "tmux-ide/m".into()))
        );
        assert_eq!(parse_merge("TMUX-IDE-MERGE: 003"), None);
        assert_eq!(parse_merge("TMUX-IDE-MERGE: 003 --upload-pack=x"), None);
        let prompt =
            crate::orchestrator::integrate::conflict_prompt("003", "T", "tmux-ide/m", "/w", &[]);
        let second = prompt.lines().nth(1).unwrap();
        assert_eq!(parse_merge(second), Some(("003".into(), "tmux-ide/m".into())));
    }
}
