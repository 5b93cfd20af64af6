//! Isolation (`orchestrator.isolation: worktree`): a mission branch `tmux-ide/<slug>`
//! made from the user's HEAD, a git worktree per agent pane under `.tmux-ide/worktrees/`
//! on its own branch, a commit per task and its merge into the mission branch, one at a
//! time. The user's own branch and working tree are never touched: branches are made
//! with `git branch` / `git worktree add`, merges happen in a detached integration
//! worktree, and the mission branch only moves by `git update-ref` from its old value.
//!
//! The names and decisions are pure (`names`); this module and `setup` / `merge` are the
//! git I/O at the edges. What isolation set up lives in `.tmux-ide/isolation.json`.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::git::Git;
use crate::project::Project;
use crate::{Error, Result};

pub mod merge;
pub mod names;
pub mod setup;

pub use names::Prepare;

/// One pane's worktree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaneTree {
    /// Relative to the project directory.
    pub worktree: String,
    pub branch: String,
    /// The task (or `validate <milestone>`) last sent to the pane.
    #[serde(default)]
    pub last: Option<String>,
}

/// What isolation set up for the current mission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// The mission branch (`tmux-ide/<slug>`).
    pub branch: String,
    /// The user's branch when the mission branch was made (`None`: a detached HEAD).
    pub base_branch: Option<String>,
    /// The commit the mission branch was made from.
    pub base: String,
    /// The project directory's path inside the repository (`""` at its top, else `a/b/`).
    #[serde(default)]
    pub prefix: String,
    /// Worktrees by pane title.
    pub panes: BTreeMap<String, PaneTree>,
}

/// The isolation of a project's mission: its state and the repository.
#[derive(Debug, Clone)]
pub struct Isolation {
    pub root: PathBuf,
    pub state: State,
}

/// `.tmux-ide/isolation.json`.
pub fn state_path(project: &Project) -> PathBuf {
    project.root.join(".tmux-ide/isolation.json")
}

impl Isolation {
    /// The project's isolation state, if a mission set one up.
    pub fn load(project: &Project) -> Result<Option<Isolation>> {
        let path = state_path(project);
        crate::project::refuse_symlinks(&project.root, &path)?;
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(path, e)),
        };
        let state: State = serde_json::from_str(&text)
            .map_err(|e| Error::failed(format!("{}: {e}", path.display())))?;
        Ok(Some(Isolation { root: project.root.clone(), state }))
    }

    pub fn save(&self) -> Result<()> {
        let path = state_path(&Project::at(&self.root));
        let mut text = serde_json::to_string_pretty(&self.state)?;
        text.push('\n');
        crate::project::write_file(&self.root, &path, text.as_bytes())
    }

    /// git at the project directory (the user's work tree: read only, never checked out).
    pub fn git(&self) -> Git {
        Git::new(&self.root)
    }

    /// The mission branch's head.
    pub fn head(&self) -> Result<String> {
        self.git().resolve(&format!("refs/heads/{}", self.state.branch))?.ok_or_else(|| {
            Error::failed(format!("the mission branch {} is gone", self.state.branch))
                .with_hint("`tmux-ide mission archive` ends the mission; `up` makes a new one")
        })
    }

    /// The pane's worktree (absolute), if it has one.
    pub fn worktree(&self, pane: &str) -> Option<PathBuf> {
        self.state.panes.get(pane).map(|p| self.root.join(&p.worktree))
    }

    /// Where the pane works: its worktree, at the project's place in the repository.
    pub fn pane_dir(&self, pane: &str) -> Option<PathBuf> {
        self.worktree(pane).map(|w| w.join(&self.state.prefix))
    }

    /// Brings the pane's worktree to the mission branch's head before it is sent `work`
    /// (a task id, or `validate <milestone>`), unless it holds other work. Records `work`
    /// as the pane's last. A pane without a worktree is `Keep`.
    pub fn prepare(&mut self, pane: &str, work: &str) -> Result<Prepare> {
        let Some(tree) = self.worktree(pane) else { return Ok(Prepare::Keep) };
        let head = self.head()?;
        let git = Git::new(&tree);
        let dirty = git.is_dirty()?;
        let ahead = !git.run(&["rev-list", "-n1", &format!("{head}..HEAD")])?.trim().is_empty();
        let last = self.state.panes.get(pane).and_then(|p| p.last.clone());
        let decision = names::prepare(dirty, ahead, last.as_deref(), work);
        if decision == Prepare::Sync {
            git.run(&["reset", "-q", "--hard", &head])?;
        }
        if !matches!(decision, Prepare::Refuse { .. })
            && let Some(p) = self.state.panes.get_mut(pane)
            && p.last.as_deref() != Some(work)
        {
            p.last = Some(work.to_string());
            self.save()?;
        }
        Ok(decision)
    }

    /// How to merge the result into the user's branch, for the lead and `mission show`.
    pub fn how_to_merge(&self) -> String {
        let into = self.state.base_branch.as_deref().unwrap_or("your branch");
        format!(
            "The mission's work is on branch {b}. To take it: git checkout {into} && git merge {b}",
            b = self.state.branch
        )
    }
}

/// Whether `path` lies in a worktree of `root`'s isolation (`root/.tmux-ide/worktrees/x/…`).
pub fn in_worktree(root: &Path, path: &Path) -> bool {
    path.strip_prefix(root.join(names::WORKTREES_DIR)).is_ok_and(|r| r.components().count() > 0)
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
