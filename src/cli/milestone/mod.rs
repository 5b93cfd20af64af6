//! `tmux-ide milestone`: create, list and show milestones.
use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;

use jiff::Timestamp;

use super::Ctx;
use crate::contract::Contract;
use crate::plan::rules::{PlanError, create_milestone, milestone_assertions, resolve_milestone};
use crate::plan::{Plan, Store, TaskStatus};
use crate::report::table::rows_only;
use crate::report::text::{multi_line, one_line};
use crate::{Error, Result};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create milestone M<sequence> (locked until `mission plan-complete`).
    Create(CreateArgs),
    /// List milestones in sequence order.
    List,
    /// Show a milestone: its tasks and the assertions checked there.
    Show(ShowArgs),
}

/// The highest sequence: ids (`M<sequence>`) stay within the plan's id range.
const MAX_SEQUENCE: u32 = crate::plan::model::MAX_ID as u32;

fn parse_sequence(s: &str) -> std::result::Result<u32, String> {
    match s.parse::<u32>() {
        Ok(0) => Err("--sequence 0 is not allowed (sequences start at 1)".into()),
        Ok(n) if n <= MAX_SEQUENCE => Ok(n),
        _ => Err(format!("not a sequence (allowed: 1..={MAX_SEQUENCE})")),
    }
}

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// The milestone's title.
    pub title: String,
    /// Position in the mission (1, 2, …); the id is M<sequence>.
    #[arg(long, value_parser = parse_sequence)]
    pub sequence: u32,
    #[arg(long, short)]
    pub description: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Milestone id (M1, M2, …).
    pub id: String,
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Create(args) => create(ctx, args),
        Command::List => list(ctx),
        Command::Show(args) => show(ctx, args),
    }
}

fn create(ctx: &Ctx, args: CreateArgs) -> Result<ExitCode> {
    let now = Timestamp::now();
    let id = Store::new(&ctx.project()?).update(|plan, events| {
        create_milestone(plan, events, &args.title, args.sequence, args.description.as_deref(), now)
            .map_err(sequence_error)
    })?;
    writeln!(ctx.out(), "Created milestone {id}")?;
    Ok(ExitCode::SUCCESS)
}

/// Sequence problems in the words of `milestone create`, naming `--sequence`.
fn sequence_error(e: PlanError) -> Error {
    match &e {
        PlanError::SequenceZero => e.reworded("--sequence 0 is not allowed (sequences start at 1)"),
        PlanError::SequenceTaken { sequence, by, title, used } => e.reworded(format!(
            "--sequence {sequence} is already used by {by} {title:?} (use a sequence other than \
             {used})"
        )),
        _ => e.into(),
    }
}

/// (done, total) tasks of a milestone, cancelled tasks not counted.
fn progress(plan: &Plan, id: &str) -> (usize, usize) {
    let tasks = plan
        .tasks
        .iter()
        .filter(|t| t.milestone.as_deref() == Some(id) && t.status != TaskStatus::Cancelled);
    let total = tasks.clone().count();
    (tasks.filter(|t| t.status == TaskStatus::Done).count(), total)
}

fn milestone_json(plan: &Plan, id: &str) -> Result<serde_json::Value> {
    let m = plan.milestone(id).ok_or_else(|| Error::failed(format!("milestone {id} vanished")))?;
    let mut value = serde_json::to_value(m)?;
    let (done, total) = progress(plan, id);
    if let Some(obj) = value.as_object_mut() {
        obj.insert("tasks_done".into(), done.into());
        obj.insert("tasks_total".into(), total.into());
    }
    Ok(value)
}

fn list(ctx: &Ctx) -> Result<ExitCode> {
    let plan = Store::new(&ctx.project()?).load()?;
    if ctx.json {
        let rows = plan.milestones.iter().map(|m| milestone_json(&plan, &m.id));
        let rows: Vec<serde_json::Value> = rows.collect::<Result<_>>()?;
        writeln!(ctx.out(), "{}", serde_json::to_string_pretty(&rows)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if plan.milestones.is_empty() {
        writeln!(ctx.out(), "No milestones.")?;
    }
    let rows: Vec<Vec<String>> = plan
        .milestones
        .iter()
        .map(|m| {
            let (done, total) = progress(&plan, &m.id);
            let tasks = format!("{done}/{total} tasks");
            vec![m.id.clone(), m.status.as_str().into(), tasks, m.title.clone()]
        })
        .collect();
    write!(ctx.out(), "{}", rows_only(&rows, &[]))?;
    Ok(ExitCode::SUCCESS)
}

fn show(ctx: &Ctx, args: ShowArgs) -> Result<ExitCode> {
    let project = ctx.project()?;
    let plan = Store::new(&project).load()?;
    let id = resolve_milestone(&plan, &args.id)?;
    let contract = Contract::load(&project)?;
    let all = contract.ids();
    let assertions: Vec<&str> = milestone_assertions(&plan, &id, &all);
    if ctx.json {
        let mut value = milestone_json(&plan, &id)?;
        if let Some(obj) = value.as_object_mut() {
            obj.insert("assertions".into(), assertions.into());
        }
        writeln!(ctx.out(), "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let m = plan.milestone(&id).ok_or_else(|| Error::failed(format!("milestone {id} vanished")))?;
    let (done, total) = progress(&plan, &id);
    let mut out = String::new();
    let _ = writeln!(out, "Milestone {} — {}", m.id, one_line(&m.title));
    let _ = writeln!(out, "Status: {}", m.status.as_str());
    if !m.description.is_empty() {
        let _ = writeln!(out, "Description: {}", multi_line(&m.description));
    }
    let _ = writeln!(out, "Tasks: {done}/{total} done");
    let index = crate::plan::rules::TaskIndex::new(&plan);
    for t in plan.tasks.iter().filter(|t| t.milestone.as_deref() == Some(&id)) {
        let status = crate::cli::task::status_text(&index, t);
        let _ = writeln!(out, "  {}  {:<12}  {}", t.id, status, one_line(&t.title));
    }
    let _ = writeln!(out, "Assertions checked here: {}", assertions.len());
    for a in assertions {
        let _ = writeln!(out, "  {a}  {}", plan.assertion_status(a).as_str());
    }
    write!(ctx.out(), "{out}")?;
    Ok(ExitCode::SUCCESS)
}
