//! Setting isolation up and taking it down: the mission branch and the panes' worktrees
//! (at `plan-complete`, or `up` of an active mission), the session's pane directories,
//! and removing the worktrees when the mission is archived.
use std::collections::BTreeMap;
use std::path::Path;

use jiff::Timestamp;

use super::names::{self, has_worktree};
use super::{Isolation, PaneTree, State, state_path};
use crate::config::{Config, Isolation as Mode};
use crate::git::Git;
use crate::plan::{Event, EventKind, MissionStatus, Store};
use crate::project::Project;
use crate::{Error, Result};

/// Makes (or completes) the isolation of the project's mission: the mission branch from
/// HEAD, a worktree per agent pane, `.tmux-ide/` excluded from git's view. Idempotent.
pub fn start(project: &Project, config: &Config, mission_title: &str) -> Result<Isolation> {
    let git = Git::new(&project.root);
    if !Git::is_repository(&project.root) {
        return Err(Error::failed(format!(
            "orchestrator.isolation is worktree but {} is not in a git repository",
            project.root.display()
        ))
        .with_hint("run `git init` and commit, or set `isolation: none` in ide.yml"));
    }
    exclude_ours(&git)?;
    let mut iso = match Isolation::load(project)? {
        Some(iso) => iso,
        None => {
            let base = git.resolve("HEAD")?.ok_or_else(|| {
                Error::failed("isolation needs a commit to start from: the repository has none")
                    .with_hint("commit something first, or set `isolation: none` in ide.yml")
            })?;
            let branch = names::mission_branch(mission_title);
            let created = match git.resolve(&format!("refs/heads/{branch}"))? {
                Some(_) => false,
                None => {
                    git.run(&["branch", &branch, &base])?;
                    true
                }
            };
            let base_branch = git
                .run(&["symbolic-ref", "-q", "--short", "HEAD"])
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
            let prefix = git.run(&["rev-parse", "--show-prefix"])?.trim().to_string();
            let state = State { branch, base_branch, base, prefix, panes: BTreeMap::new() };
            let iso = Isolation { root: project.root.clone(), state };
            iso.save()?;
            if created {
                let event = Event::new(Timestamp::now(), EventKind::MissionBranchCreated)
                    .with("branch", iso.state.branch.as_str())
                    .with("base", iso.state.base.as_str());
                Store::new(project).append_events(&[event])?;
            }
            iso
        }
    };
    let head = iso.head()?;
    let panes: Vec<String> =
        config.panes().filter(|p| has_worktree(p.role)).map(|p| p.title.clone()).collect();
    for title in panes {
        if iso.state.panes.contains_key(&title) && iso.worktree(&title).is_some_and(|w| w.is_dir())
        {
            continue;
        }
        let rel = names::worktree_rel(&title);
        let branch = names::pane_branch(&iso.state.branch, &title);
        let path = project.root.join(&rel);
        crate::project::create_dir_safe(&project.root, path.parent().unwrap_or(&project.root))?;
        let _ = git.run(&["worktree", "prune"]);
        git.run(&["worktree", "add", "-q", "-B", &branch, &path.to_string_lossy(), &head])?;
        iso.state.panes.insert(title, PaneTree { worktree: rel, branch, last: None });
        iso.save()?;
    }
    Ok(iso)
}

/// `.tmux-ide/` in the repository's `info/exclude` (never the user's `.gitignore`), so
/// the worktrees and tmux-ide's run files are no untracked noise in `git status`.
fn exclude_ours(git: &Git) -> Result<()> {
    let rel = git.run(&["rev-parse", "--git-path", "info/exclude"])?;
    let path = git.dir().join(rel.trim());
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    if text.lines().any(|l| l.trim() == ".tmux-ide/") {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        fs_err::create_dir_all(dir)?;
    }
    let mut text = text;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("# tmux-ide: agent worktrees and run files\n.tmux-ide/\n");
    fs_err::write(&path, text)?;
    Ok(())
}

/// The config the session is built from: with isolation and an active mission, each
/// agent pane starts in its worktree (set up now if it is not yet).
pub fn session_config(project: &Project, mut config: Config) -> Result<Config> {
    if config.orchestrator.isolation != Mode::Worktree {
        return Ok(config);
    }
    let plan = Store::new(project).load()?;
    let Some(mission) = plan.mission.filter(|m| m.status == MissionStatus::Active) else {
        return Ok(config);
    };
    let iso = start(project, &config, &mission.title)?;
    for pane in config.panes_mut() {
        if let Some(dir) = iso.pane_dir(&pane.title) {
            let dir = match pane.dir.as_deref() {
                Some(d) if !d.starts_with('/') && !d.starts_with("~/") => dir.join(d),
                _ => dir,
            };
            pane.dir = Some(dir.to_string_lossy().into_owned());
        }
    }
    Ok(config)
}

/// Removes the worktrees (and the integration worktree) of the project's isolation;
/// refuses, removing nothing, while one holds uncommitted work. The branches stay.
/// Returns the worktrees removed.
pub fn remove_worktrees(project: &Project) -> Result<Vec<String>> {
    let Some(iso) = Isolation::load(project)? else { return Ok(Vec::new()) };
    check_clean(&iso)?;
    let git = iso.git();
    let mut removed = Vec::new();
    for tree in iso.state.panes.values() {
        if remove_tree(&git, &project.root.join(&tree.worktree))? {
            removed.push(tree.worktree.clone());
        }
    }
    remove_tree(&git, &project.root.join(names::INTEGRATION_DIR))?;
    let _ = git.run(&["worktree", "prune"]);
    let path = state_path(project);
    if path.exists() {
        fs_err::remove_file(path)?;
    }
    Ok(removed)
}

/// Fails naming the first pane whose worktree holds uncommitted work.
pub fn check_clean(iso: &Isolation) -> Result<()> {
    for (pane, tree) in &iso.state.panes {
        let path = iso.root.join(&tree.worktree);
        if path.is_dir() && Git::new(&path).is_dirty()? {
            return Err(Error::failed(format!(
                "the worktree of pane {pane} ({}) holds uncommitted work; not archiving",
                tree.worktree
            ))
            .with_hint("commit or discard it there, then archive again"));
        }
    }
    Ok(())
}

fn remove_tree(git: &Git, path: &Path) -> Result<bool> {
    if !path.is_dir() {
        return Ok(false);
    }
    git.run(&["worktree", "remove", "--force", &path.to_string_lossy()])?;
    Ok(true)
}
