//! `tmux-ide mission plan`: send the lead pane the planning prompt now (the orchestrator
//! sends it once by itself while the mission is planning and has no milestones), or print
//! it with `--print`. Sending records `planning_dispatched`, so the orchestrator does not
//! send it again for this mission.
use std::io::Write;
use std::process::ExitCode;

use super::require;
use crate::cli::Ctx;
use crate::cli::session::{running_session, tmux_of};
use crate::config::{Config, Role};
use crate::orchestrator::decide::planning::mission_key;
use crate::orchestrator::planning::{planning_text, specialties};
use crate::plan::{Event, EventKind, MissionStatus, Store};
use crate::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Print the planning prompt instead of sending it (no session needed).
    #[arg(long)]
    pub print: bool,
}

pub fn plan(ctx: &Ctx, args: PlanArgs) -> Result<ExitCode> {
    let project = ctx.project()?;
    let store = Store::new(&project);
    let plan = store.load()?;
    let mission = require(plan.mission.as_ref())?;
    if mission.status != MissionStatus::Planning {
        return Err(Error::failed(format!(
            "the mission is {}, not planning (the planning prompt is for a mission in planning)",
            mission.status.as_str()
        )));
    }
    let config = Config::load(&project)?;
    let text = planning_text(&project, &plan, &specialties(&config))?;
    if args.print {
        write!(ctx.out(), "{text}")?;
        return Ok(ExitCode::SUCCESS);
    }
    let session = running_session(ctx, &project)?;
    let tmux = tmux_of(ctx);
    let panes = tmux.list_panes(&session)?;
    let master = config.orchestrator.master_pane.as_deref();
    let lead = master
        .and_then(|m| panes.iter().find(|p| p.title == m))
        .or_else(|| panes.iter().find(|p| p.role == Some(Role::Lead)))
        .ok_or_else(|| {
            Error::failed(format!("session {session} has no lead pane to plan"))
                .with_hint("give a pane `role: lead` (or set orchestrator.master_pane) in ide.yml")
        })?;
    let delay = crate::agent::profiles::enter_delay(Some(&config), lead.agent, &lead.title);
    tmux.paste_then_enter(&lead.id, &text, Some(delay))?;
    let key = mission_key(&plan).unwrap_or_default();
    store.append_events(&[Event::new(ctx.now, EventKind::PlanningDispatched)
        .pane(&lead.title)
        .with("pane_id", lead.id.as_str())
        .with("mission", key)
        .with("on_demand", true)])?;
    writeln!(ctx.out(), "Planning prompt sent to {} ({})", lead.title, lead.id)?;
    Ok(ExitCode::SUCCESS)
}
