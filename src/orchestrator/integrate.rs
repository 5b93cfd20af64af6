//! Isolation in the run loop: before each decision, every done task whose work is not
//! yet on the mission branch is committed and merged (one at a time); a conflict gives
//! the task back to the same agent with a prompt naming the files. Before a dispatch or a
//! validation round the pane's worktree is brought to the mission branch's head (or the
//! lead hears why it cannot be); at completion the lead hears how to merge the result,
//! and with `pull_request` the branch is pushed and a pull request opened with `gh`.
use std::collections::HashSet;
use std::fmt::Write as _;
use std::sync::Arc;

use jiff::Timestamp;

use super::run::Runner;
use super::world::PaneView;
use crate::config::{Config, Isolation as Mode};
use crate::isolation::merge::{self, Merged};
use crate::isolation::{Isolation, Prepare};
use crate::plan::rules;
use crate::plan::{Event, EventKind, Plan, TaskStatus};
use crate::{Error, Result};

/// The marker line of a conflict prompt: `TMUX-IDE-MERGE: <task> <mission-branch>`.
pub use crate::agent::sim_edit::MERGE_MARKER;

/// Isolation as the run loop sees it.
#[derive(Debug, Default)]
pub(crate) struct IsoRuntime {
    pub enabled: bool,
    pub pull_request: bool,
    /// (pane, work) refusals the lead was already told about.
    refused: HashSet<(String, String)>,
    /// Tasks whose failed merge (not a conflict) was already recorded.
    failed: HashSet<String>,
}

impl IsoRuntime {
    pub fn for_config(config: &Config) -> IsoRuntime {
        IsoRuntime {
            enabled: config.orchestrator.isolation == Mode::Worktree,
            pull_request: config.orchestrator.pull_request,
            refused: HashSet::new(),
            failed: HashSet::new(),
        }
    }
}

/// Done tasks whose work is not merged yet, with the pane that did them (which has a
/// worktree), in id order: `(id, title, pane)`.
pub fn to_merge(plan: &Plan, iso: &Isolation) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = plan
        .tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Done && t.git.is_none())
        .filter_map(|t| {
            let pane = t.assignee.as_ref()?;
            iso.state
                .panes
                .contains_key(pane)
                .then(|| (t.id.clone(), t.title.clone(), pane.clone()))
        })
        .collect();
    out.sort();
    out
}

/// The prompt that hands a conflicting task back to its agent.
pub fn conflict_prompt(
    id: &str,
    title: &str,
    branch: &str,
    tree: &str,
    files: &[String],
) -> String {
    let title = crate::report::text::one_line(title);
    let mut out = String::new();
    let _ = writeln!(out, "# tmux-ide merge conflict in task {id}: {title}");
    let _ = writeln!(out, "{MERGE_MARKER} {id} {branch}");
    let _ = writeln!(
        out,
        "\nYour work on task {id} could not be merged into the mission branch {branch}: \
         other work merged meanwhile conflicts with it in:"
    );
    for f in files {
        let _ = writeln!(out, "- {}", crate::report::text::one_line(f));
    }
    let _ = writeln!(
        out,
        "\nIn your worktree ({tree}) run `git merge {branch}`, resolve the conflicts keeping \
         both sides' intent, commit, check the result, then report the task again:\n\
         tmux-ide task done {id} --proof \"<how you checked it>\" --summary \"<what you did>\""
    );
    out
}

impl Runner {
    /// The project's isolation, when it is on and a mission set it up.
    fn isolation(&self) -> Result<Option<Isolation>> {
        if !self.iso.enabled {
            return Ok(None);
        }
        Isolation::load(&self.project)
    }

    /// The plan with every done task's work merged (see the module doc): tasks reported
    /// done while merging are merged too before it is returned. A merge that fails for
    /// another reason than a conflict is logged and tried again next tick.
    pub(crate) fn load_integrated(&mut self) -> Result<Arc<Plan>> {
        let Some(iso) = self.isolation()? else { return self.store.load_shared() };
        for _ in 0..8 {
            let plan = self.store.load_shared()?;
            if to_merge(&plan, &iso).is_empty() {
                return Ok(plan);
            }
            if let Err(e) = self.integrate(&iso, &plan) {
                tracing::error!(error = %e, "integration failed");
                break;
            }
        }
        self.store.load_shared()
    }

    fn integrate(&mut self, iso: &Isolation, plan: &Plan) -> Result<()> {
        for (id, title, pane) in to_merge(plan, iso) {
            if let Err(e) = self.integrate_one(iso, plan, &id, &title, &pane) {
                tracing::error!(task = %id, error = %e, "merge failed");
                // Recorded once (and tried again each tick), not once per tick.
                if self.iso.failed.insert(id.clone()) {
                    let event = Event::new(Timestamp::now(), EventKind::MergeFailed)
                        .task(&id)
                        .pane(&pane)
                        .with("error", e.to_string());
                    self.store.append_events(&[event])?;
                }
                return Err(e);
            }
        }
        Ok(())
    }

    fn integrate_one(
        &mut self,
        iso: &Isolation,
        plan: &Plan,
        id: &str,
        title: &str,
        pane: &str,
    ) -> Result<()> {
        let tip = merge::commit_task(iso, pane, id, title)?;
        let started = Event::new(Timestamp::now(), EventKind::MergeStarted)
            .task(id)
            .pane(pane)
            .with("commit", tip.as_str())
            .with("branch", iso.state.branch.as_str());
        self.store.append_events(&[started])?;
        tracing::info!(task = id, pane, tip, "merging");
        match merge::merge_task(iso, id, title, &tip)? {
            Merged::Done(git) => {
                let now = Timestamp::now();
                self.store.update(|plan, events| {
                    Ok(rules::record_merge(plan, events, id, git, now).applied())
                })?;
            }
            Merged::Conflict(files) => {
                let now = Timestamp::now();
                let applied = self.store.update(|plan, events| {
                    Ok(rules::hand_back_conflict(plan, events, id, &files, now).applied())
                })?;
                let pane_id =
                    plan.task(id).and_then(|t| t.dispatched_to.as_ref()).map(|p| p.pane_id.clone());
                if let (true, Some(pane_id)) = (applied, pane_id) {
                    let tree = iso.worktree(pane).unwrap_or_default();
                    let text = conflict_prompt(
                        id,
                        title,
                        &iso.state.branch,
                        &tree.to_string_lossy(),
                        &files,
                    );
                    self.deliver(&pane_id, pane, text, Some(id), now)?;
                }
            }
        }
        Ok(())
    }

    /// Before `work` (a task id or `validate <milestone>`) goes to `pane`: its worktree at
    /// the mission branch's head. `None` when it holds other work (the lead is told once);
    /// else a note for the prompt saying where to work.
    pub(crate) fn prepare_worktree(
        &mut self,
        panes: &[PaneView],
        pane: &str,
        work: &str,
        now: Timestamp,
    ) -> Result<Option<String>> {
        let Some(mut iso) = self.isolation()? else { return Ok(Some(String::new())) };
        let Some(tree) = iso.worktree(pane) else { return Ok(Some(String::new())) };
        // A pane started before the worktrees existed works in the user's checkout.
        if let Some(cwd) = self.outside_worktree(panes, pane, &tree) {
            let text = format!(
                "Not sending {work} to pane \"{pane}\": it runs in {}, not in its worktree {}. \
`tmux-ide restart` starts it there.",
                cwd.display(),
                tree.display()
            );
            self.refuse(panes, pane, work, &tree, &text, now)?;
            return Ok(None);
        }
        match iso.prepare(pane, work)? {
            Prepare::Refuse { last } => {
                let whose = last.map(|l| format!(" (left by {l})")).unwrap_or_default();
                let text = format!(
                    "Not sending {work} to pane \"{pane}\": its worktree {} holds uncommitted \
or unmerged work{whose}. Commit or discard it there and it gets the next task.",
                    tree.display()
                );
                self.refuse(panes, pane, work, &tree, &text, now)?;
                Ok(None)
            }
            Prepare::Sync | Prepare::Keep => Ok(Some(format!(
                "\n## Where to work\n\nWork in your git worktree {} (branch {}), which holds the \
mission branch {}'s latest work. Leave your changes there: when you report the task done \
they are committed and merged into the mission branch.\n",
                iso.pane_dir(pane).unwrap_or(tree).display(),
                iso.state.panes.get(pane).map(|p| p.branch.as_str()).unwrap_or_default(),
                iso.state.branch
            ))),
        }
    }

    /// The pane's working directory (tmux's `pane_current_path`) when it is not inside
    /// `tree`; `None` when it is, or when tmux cannot say.
    fn outside_worktree(
        &self,
        panes: &[PaneView],
        pane: &str,
        tree: &std::path::Path,
    ) -> Option<std::path::PathBuf> {
        let id = &panes.iter().find(|p| p.title == pane)?.id;
        let cwd =
            self.tmux.run(&["display-message", "-p", "-t", id, "#{pane_current_path}"]).ok()?;
        let cwd = std::path::PathBuf::from(cwd.trim_end_matches('\n'));
        let tree = tree.canonicalize().unwrap_or_else(|_| tree.to_path_buf());
        (!cwd.as_os_str().is_empty() && !cwd.starts_with(&tree)).then_some(cwd)
    }

    /// Records that `work` was not sent to `pane` and tells the lead why, once.
    fn refuse(
        &mut self,
        panes: &[PaneView],
        pane: &str,
        work: &str,
        tree: &std::path::Path,
        text: &str,
        now: Timestamp,
    ) -> Result<()> {
        if !self.iso.refused.insert((pane.to_string(), work.to_string())) {
            return Ok(());
        }
        let event = Event::new(now, EventKind::WorktreeRefused)
            .pane(pane)
            .with("work", work)
            .with("worktree", tree.to_string_lossy().as_ref())
            .with("reason", text);
        self.store.append_events(&[event])?;
        self.notify_lead(panes, text)
    }

    /// The mission completed: the lead hears where the result is and how to merge it;
    /// with `pull_request` and `gh` on PATH the branch is pushed and a pull request opened.
    pub(crate) fn mission_branch_ready(
        &mut self,
        panes: &[PaneView],
        now: Timestamp,
    ) -> Result<()> {
        let Some(iso) = self.isolation()? else { return Ok(()) };
        let git = iso.git();
        let range = format!("{}..{}", iso.state.base, iso.head()?);
        let merges = git.run(&["rev-list", "--count", "--merges", "--first-parent", &range])?;
        let merges: u64 = merges.trim().parse().unwrap_or(0);
        let mut event = Event::new(now, EventKind::MissionBranchReady)
            .with("branch", iso.state.branch.as_str())
            .with("merges", merges);
        let mut text = format!("Mission complete: {merges} task merges. {}", iso.how_to_merge());
        if self.iso.pull_request {
            match self.open_pull_request(&iso) {
                Ok(url) => {
                    let _ = write!(text, " Pull request: {url}");
                    event = event.with("pull_request", url);
                }
                Err(e) => {
                    let _ = write!(text, " (no pull request: {e})");
                    event = event.with("pull_request_error", e.to_string());
                }
            }
        }
        self.store.append_events(&[event])?;
        self.notify_lead(panes, &text)
    }

    /// `git push -u origin <branch>`, then `gh pr create`; the pull request's address.
    fn open_pull_request(&self, iso: &Isolation) -> Result<String> {
        let gh = which::which("gh").map_err(|_| Error::failed("gh is not on PATH"))?;
        let branch = iso.state.branch.as_str();
        iso.git().run(&["push", "-q", "-u", "origin", branch])?;
        let plan = self.store.load()?;
        let title = plan.mission.as_ref().map(|m| m.title.clone()).unwrap_or_default();
        let body = format!(
            "The work of the tmux-ide mission \"{}\": one merge per task.",
            crate::report::text::one_line(&title)
        );
        let mut gh_cmd = std::process::Command::new(gh);
        gh_cmd.current_dir(&iso.root).args(["pr", "create", "--head", branch, "--title", &title]);
        gh_cmd.args(["--body", &body]);
        if let Some(base) = &iso.state.base_branch {
            gh_cmd.args(["--base", base]);
        }
        let out = gh_cmd.output().map_err(|e| Error::failed(format!("cannot run gh: {e}")))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            return Err(Error::failed(format!(
                "gh pr create failed: {}",
                crate::report::text::one_line(err.lines().next().unwrap_or(""))
            )));
        }
        let url = String::from_utf8_lossy(&out.stdout);
        Ok(crate::report::text::one_line(url.lines().last().unwrap_or("").trim()))
    }
}

#[cfg(test)]
#[path = "integrate_tests.rs"]
mod tests;
