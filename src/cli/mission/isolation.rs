//! What `mission` says and does about isolation: the branch and worktrees made at
//! `plan-complete`, how to merge the result (`mission show`), and the worktrees removed
//! by `mission archive` (refused while one holds uncommitted work).
use std::io::Write;

use crate::cli::Ctx;
use crate::config::{Config, Isolation as Mode};
use crate::isolation::{Isolation, setup};
use crate::plan::{Mission, MissionStatus};
use crate::project::Project;
use crate::{Error, Result};

/// At `plan-complete`, before the mission is active: with `isolation: worktree`, the
/// mission branch and worktrees.
pub fn set_up(project: &Project, mission_title: &str) -> Result<Option<Isolation>> {
    if !project.ide_yml().is_file() {
        return Ok(None); // a plan without a session layout: nothing to isolate
    }
    let config = Config::load(project)?;
    if config.orchestrator.isolation != Mode::Worktree {
        return Ok(None);
    }
    let iso = setup::start(project, &config, mission_title).map_err(|e| {
        let hint = e.hint.clone().unwrap_or_else(|| "or set `isolation: none` in ide.yml".into());
        Error::failed(format!("isolation: {}; the mission stays in planning", e.message))
            .with_hint(hint)
    })?;
    Ok(Some(iso))
}

/// What `plan-complete` set up, and whether the session must be restarted to use it.
pub fn tell(ctx: &Ctx, project: &Project, iso: &Isolation) -> Result<()> {
    let from = match &iso.state.base_branch {
        Some(b) => b.clone(),
        None => iso.state.base.chars().take(12).collect(),
    };
    writeln!(
        ctx.out(),
        "Mission branch {} from {from}; {} worktrees under .tmux-ide/worktrees/",
        iso.state.branch,
        iso.state.panes.len()
    )?;
    if crate::cli::session::running_session(ctx, project).is_ok() {
        writeln!(
            ctx.out(),
            "The session's agent panes started before the worktrees existed: \
`tmux-ide restart` starts them in their worktrees"
        )?;
    }
    Ok(())
}

/// `mission show`: the mission branch, and once complete, how to merge it.
pub fn show(ctx: &Ctx, mission: &Mission) -> Result<()> {
    let Some(iso) = Isolation::load(&ctx.project()?)? else { return Ok(()) };
    writeln!(ctx.out(), "Branch: {}", iso.state.branch)?;
    if mission.status == MissionStatus::Complete {
        writeln!(ctx.out(), "{}", iso.how_to_merge())?;
    }
    Ok(())
}

/// Refuses the archive while a worktree holds uncommitted work (even with `--force`).
pub fn check_removable(project: &Project) -> Result<()> {
    match Isolation::load(project)? {
        Some(iso) => setup::check_clean(&iso),
        None => Ok(()),
    }
}

/// After the archive: the worktrees are removed (the branches stay).
pub fn archived(ctx: &Ctx, project: &Project) -> Result<()> {
    let Some(iso) = Isolation::load(project)? else { return Ok(()) };
    let removed = setup::remove_worktrees(project)?;
    writeln!(
        ctx.out(),
        "Removed {} worktrees; the mission branch {} stays",
        removed.len(),
        iso.state.branch
    )?;
    Ok(())
}
