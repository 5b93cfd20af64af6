//! `tmux-ide task`: create, inspect, update, claim, finish and cancel tasks.
use std::process::ExitCode;

use super::Ctx;
use crate::plan::TaskStatus;
use crate::plan::rules::PlanError;
use crate::{Error, Result};

mod cancel;
mod claim;
mod create;
mod diff;
mod done;
pub(crate) mod list;
mod show;
mod update;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create a task (gets the next id: 001, 002, …).
    Create(create::Args),
    /// List tasks; blocked tasks say what they wait for.
    List(list::Args),
    /// Show one task in full.
    Show(show::Args),
    /// Change a task's title, description, priority, specialty, milestone, goal,
    /// dependencies, fulfilled assertions or status.
    Update(update::Args),
    /// Take a todo task for a pane: in_progress, assigned, started now.
    Claim(claim::Args),
    /// Mark a task done with its proof; the summary goes into the knowledge library.
    Done(done::Args),
    /// Cancel a todo or in-progress task.
    Cancel(cancel::Args),
    /// Print the change a done task merged into the mission branch (isolation).
    Diff(diff::Args),
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Create(args) => create::run(ctx, args),
        Command::List(args) => list::run(ctx, args),
        Command::Show(args) => show::run(ctx, args),
        Command::Update(args) => update::run(ctx, args),
        Command::Claim(args) => claim::run(ctx, args),
        Command::Done(args) => done::run(ctx, args),
        Command::Cancel(args) => cancel::run(ctx, args),
        Command::Diff(args) => diff::run(ctx, args),
    }
}

/// A refused task change in the words of `task create` / `task update`: dependency
/// problems name `--depends`, the flag the user typed them with.
pub(crate) fn plan_error(e: PlanError) -> Error {
    match &e {
        PlanError::UnknownDependency { id, known } => {
            e.reworded(format!("--depends: unknown task {id:?} (existing tasks: {known})"))
        }
        PlanError::SelfDependency { id } => e.reworded(format!(
            "--depends {id}: a task cannot depend on itself (give other task ids)"
        )),
        _ => e.into(),
    }
}

/// `--priority`: 1..=9, with the allowed range in the error.
pub(crate) fn parse_priority(s: &str) -> std::result::Result<u8, String> {
    match s.trim().parse::<u8>() {
        Ok(p) if (1..=9).contains(&p) => Ok(p),
        _ => Err(format!("priority {s:?} is out of range (allowed: 1..=9, 1 = highest)")),
    }
}

/// `--status`: a task status, with the allowed values in the error.
pub(crate) use list::status_text;

/// `--status`: a task status, with the allowed values in the error.
pub(crate) fn parse_status(s: &str) -> std::result::Result<TaskStatus, String> {
    s.parse()
}

/// A task as JSON, with `blocked_by` (its unfinished dependencies) added after the
/// model's fields.
#[derive(serde::Serialize)]
pub(crate) struct TaskJson<'a> {
    #[serde(flatten)]
    pub task: &'a crate::plan::Task,
    pub blocked_by: Vec<&'a str>,
}

impl<'a> TaskJson<'a> {
    pub fn new(index: &crate::plan::rules::TaskIndex<'a>, task: &'a crate::plan::Task) -> Self {
        TaskJson { task, blocked_by: index.blocked_by(task) }
    }
}
