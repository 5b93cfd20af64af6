//! `tmux-ide mission`: set, show, overview and activate the mission.
use std::io::Write;
use std::process::ExitCode;

use jiff::Timestamp;

mod budget;
mod plan;

use super::Ctx;

mod isolation;
use crate::contract::Contract;
use crate::plan::rules::{PlanError, plan_complete, set_mission};
use crate::plan::{EventKind, Mission, Store};
use crate::report::text::{multi_line, one_line};
use crate::{Error, Result};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create the mission (in planning), or change its title and description.
    Set(SetArgs),
    /// Show the mission.
    Show,
    /// Mission overview: milestones with progress, tasks, assertions, validation round,
    /// and what the orchestrator is doing now.
    Status,
    /// Close the mission into history (`metrics history`) so a new one can start.
    Archive(ArchiveArgs),
    /// Show the mission's spending against its budget, or set new limits (dispatch
    /// resumes when the new budget is not exhausted).
    Budget(budget::BudgetArgs),
    /// Leave planning: mission active, first milestone active, the rest locked. Refuses
    /// while an assertion is uncovered or a milestone has no task, unless --force.
    PlanComplete(PlanCompleteArgs),
    /// Send the lead pane the planning prompt: the mission, architecture.md, the contract,
    /// the skills and the planning steps (`--print` shows it instead).
    Plan(plan::PlanArgs),
}

#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// The mission's title.
    pub title: String,
    /// What the mission delivers, in scope and out of scope.
    #[arg(long, short)]
    pub description: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ArchiveArgs {
    /// Archive even though the mission is not complete.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, clap::Args)]
pub struct PlanCompleteArgs {
    /// Activate even with uncovered assertions or empty milestones.
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Set(args) => set(ctx, args),
        Command::Show => show(ctx),
        Command::Status => super::metrics::mission_status(ctx),
        Command::Archive(args) => archive(ctx, args),
        Command::PlanComplete(args) => complete(ctx, args),
        Command::Plan(args) => plan::plan(ctx, args),
        Command::Budget(args) => budget::run(ctx, args),
    }
}

fn set(ctx: &Ctx, args: SetArgs) -> Result<ExitCode> {
    let now = Timestamp::now();
    let status = Store::new(&ctx.project()?).update(|plan, events| {
        set_mission(plan, events, &args.title, args.description.as_deref(), now)?;
        Ok(plan.mission.as_ref().map(|m| m.status.as_str()).unwrap_or("planning"))
    })?;
    writeln!(ctx.out(), "Mission \"{}\" ({status})", args.title)?;
    Ok(ExitCode::SUCCESS)
}

/// The mission, or the error that says how to create one.
pub(crate) fn require(mission: Option<&Mission>) -> Result<&Mission> {
    mission.ok_or_else(|| {
        Error::failed("there is no mission yet (create one with `tmux-ide mission set \"Title\"`)")
    })
}

fn show(ctx: &Ctx) -> Result<ExitCode> {
    let plan = Store::new(&ctx.project()?).load()?;
    let mission = require(plan.mission.as_ref())?;
    if ctx.json {
        writeln!(ctx.out(), "{}", serde_json::to_string_pretty(mission)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(ctx.out(), "Mission: {}", one_line(&mission.title))?;
    writeln!(ctx.out(), "Status: {}", mission.status.as_str())?;
    if !mission.description.is_empty() {
        writeln!(ctx.out(), "Description: {}", multi_line(&mission.description))?;
    }
    isolation::show(ctx, mission)?;
    Ok(ExitCode::SUCCESS)
}

fn complete(ctx: &Ctx, args: PlanCompleteArgs) -> Result<ExitCode> {
    let project = ctx.project()?;
    let contract = Contract::load(&project)?.ids();
    let now = Timestamp::now();
    // Isolation first, on a trial run of the rule: a running orchestrator dispatches the
    // moment the mission is active, and must find the worktrees already there.
    let mut trial = Store::new(&project).load()?;
    plan_complete(&mut trial, &mut Vec::new(), &contract, args.force, now)
        .map_err(plan_complete_error)?;
    let title = trial.mission.map(|m| m.title).unwrap_or_default();
    let isolated = isolation::set_up(&project, &title)?;
    let active = Store::new(&project).update(|plan, events| {
        plan_complete(plan, events, &contract, args.force, now).map_err(plan_complete_error)
    })?;
    writeln!(ctx.out(), "Mission active; milestone {active} active, the others locked")?;
    if let Some(iso) = isolated {
        isolation::tell(ctx, &project, &iso)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Why planning cannot be completed, in the words of `mission plan-complete`: each says
/// which command or flag gets past it.
fn plan_complete_error(e: PlanError) -> Error {
    match &e {
        PlanError::NoMission => {
            e.reworded("there is no mission yet (create it with `tmux-ide mission set \"Title\"`)")
        }
        PlanError::NotPlanning { status } => e.reworded(format!(
            "the mission is {}, not planning (plan-complete applies only in planning)",
            status.as_str()
        )),
        PlanError::PlanNotReady { .. } => {
            Error::from(e).with_hint("run `tmux-ide validate coverage`, add tasks, or pass --force")
        }
        _ => e.into(),
    }
}

/// Writes the mission into `.tasks/history/` and starts an empty plan, both under the
/// store lock so no change slips in between. The event log is kept whole.
fn archive(ctx: &Ctx, args: ArchiveArgs) -> Result<ExitCode> {
    use crate::plan::eventlog;
    use crate::report::archive;
    let project = ctx.project()?;
    let now = Timestamp::now();
    // Before anything is archived: worktrees holding uncommitted work refuse it.
    isolation::check_removable(&project)?;
    let path = Store::new(&project).update(|plan, events| {
        archive::check_archivable(plan, args.force)?;
        let (log, _) = eventlog::read_event_log(&project.events_jsonl())?;
        let record = archive::archive(plan, &log, now)
            .ok_or_else(|| Error::bad_input("there is no mission to archive"))?;
        let history = super::metrics::history_dir(&project);
        crate::project::create_dir_safe(&project.root, &history)?;
        let path = archive::write_archive(&history, &record)?;
        let title = plan.mission.as_ref().map(|m| m.title.clone()).unwrap_or_default();
        *plan = crate::plan::Plan::default();
        events.push(
            crate::plan::Event::new(now, EventKind::MissionArchived)
                .with("title", title)
                .with("archive", path.display().to_string()),
        );
        Ok(path)
    })?;
    writeln!(ctx.out(), "Archived to {}", path.display())?;
    isolation::archived(ctx, &project)?;
    Ok(ExitCode::SUCCESS)
}
