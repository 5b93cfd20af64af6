//! `tmux-ide task update`.
use std::io::Write;
use std::process::ExitCode;

use jiff::Timestamp;

use crate::cli::Ctx;
use crate::contract::Contract;
use crate::plan::rules::{TaskChanges, update_task};
use crate::plan::{Store, TaskStatus};
use crate::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Task id.
    pub id: String,
    #[arg(long)]
    pub title: Option<String>,
    #[arg(long, short)]
    pub description: Option<String>,
    /// 1 (highest) ..= 9 (lowest).
    #[arg(long, short, value_parser = super::parse_priority)]
    pub priority: Option<u8>,
    /// New specialty ("" clears it).
    #[arg(long, short)]
    pub specialty: Option<String>,
    /// Move to another milestone.
    #[arg(long, short)]
    pub milestone: Option<String>,
    /// Goal title (reused or created).
    #[arg(long, short)]
    pub goal: Option<String>,
    /// Replace the dependencies ("" clears them).
    #[arg(long)]
    pub depends: Option<String>,
    /// Replace the fulfilled assertions ("" clears them).
    #[arg(long)]
    pub fulfills: Option<String>,
    /// todo, in_progress, done or cancelled.
    #[arg(long, value_parser = super::parse_status)]
    pub status: Option<TaskStatus>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.project()?;
    let contract = if args.fulfills.is_some() { Contract::load(&project)?.ids() } else { vec![] };
    let changes = TaskChanges {
        title: args.title,
        description: args.description,
        priority: args.priority,
        specialty: args.specialty,
        milestone: args.milestone,
        goal: args.goal,
        depends: args.depends.map(|d| vec![d]),
        fulfills: args.fulfills.map(|f| vec![f]),
        status: args.status,
    };
    let now = Timestamp::now();
    let (id, changed) = Store::new(&project).update(|plan, events| {
        let id = crate::plan::rules::resolve_task(plan, &args.id)?;
        let changed =
            update_task(plan, events, &id, changes, &contract, now).map_err(super::plan_error)?;
        Ok((id, changed))
    })?;
    if changed.is_empty() {
        return Err(Error::bad_input(format!(
            "nothing to change on task {id} (give at least one of --title, --description, \
             --priority, --specialty, --milestone, --goal, --depends, --fulfills, --status \
             with a new value)"
        )));
    }
    writeln!(ctx.out(), "Updated task {id}: {}", changed.join(", "))?;
    Ok(ExitCode::SUCCESS)
}
