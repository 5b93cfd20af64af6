//! `tmux-ide task list`: one line per task; blocked tasks say by what.
use std::fmt::Write as _;
use std::process::ExitCode;

use crate::cli::Ctx;
use crate::plan::rules::{TaskIndex, resolve_milestone};
use crate::plan::{Store, Task, TaskStatus};
use crate::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only tasks with this status (todo, in_progress, done, cancelled) or `blocked`.
    #[arg(long, value_parser = parse_filter)]
    pub status: Option<StatusFilter>,
    /// Only tasks of this milestone.
    #[arg(long, short)]
    pub milestone: Option<String>,
    /// Only tasks of this specialty.
    #[arg(long, short)]
    pub specialty: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StatusFilter {
    Is(TaskStatus),
    Blocked,
}

fn parse_filter(s: &str) -> std::result::Result<StatusFilter, String> {
    if s == "blocked" {
        return Ok(StatusFilter::Blocked);
    }
    s.parse().map(StatusFilter::Is).map_err(|_: String| {
        format!("unknown status {s:?} (allowed: todo, in_progress, done, cancelled, blocked)")
    })
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let plan = Store::new(&ctx.project()?).load()?;
    let milestone = args.milestone.as_deref().map(|m| resolve_milestone(&plan, m)).transpose()?;
    let index = TaskIndex::new(&plan);
    let tasks: Vec<&Task> = plan
        .tasks
        .iter()
        .filter(|t| milestone.is_none() || t.milestone == milestone)
        .filter(|t| args.specialty.is_none() || t.specialty == args.specialty)
        .filter(|t| match args.status {
            None => true,
            Some(StatusFilter::Is(s)) => t.status == s,
            Some(StatusFilter::Blocked) => {
                t.status == TaskStatus::Blocked
                    || (t.status == TaskStatus::Todo && !index.blocked_by(t).is_empty())
            }
        })
        .collect();
    let mut out = String::new();
    if ctx.json {
        let rows: Vec<super::TaskJson> =
            tasks.iter().map(|t| super::TaskJson::new(&index, t)).collect();
        out = serde_json::to_string_pretty(&rows)?;
        out.push('\n');
    } else if tasks.is_empty() {
        out.push_str("No tasks.\n");
    } else {
        render(&index, &tasks, &mut out).map_err(|e| Error::failed(e.to_string()))?;
    }
    use std::io::Write as _;
    ctx.out().write_all(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The status column: `todo`, `done`, …; a todo task waiting on others reads
/// `blocked by 001, 002`, one given up on `blocked: <why>`.
pub fn status_text(index: &TaskIndex, task: &Task) -> String {
    let blocked = index.blocked_by(task);
    match (task.status, task.blocked_reason.as_deref()) {
        (TaskStatus::Todo, _) if !blocked.is_empty() => {
            format!("blocked by {}", blocked.join(", "))
        }
        (TaskStatus::Blocked, Some(why)) => format!("blocked: {why}"),
        (status, _) => status.as_str().to_string(),
    }
}

fn render(index: &TaskIndex, tasks: &[&Task], out: &mut String) -> std::fmt::Result {
    let rows: Vec<[String; 7]> = tasks
        .iter()
        .map(|t| {
            [
                t.id.clone(),
                status_text(index, t),
                t.priority.to_string(),
                t.milestone.clone().unwrap_or_else(|| "-".into()),
                t.specialty.clone().unwrap_or_else(|| "-".into()),
                t.assignee.clone().unwrap_or_else(|| "-".into()),
                t.title.clone(),
            ]
        })
        .collect();
    let header = ["ID", "STATUS", "PRI", "MILESTONE", "SPECIALTY", "ASSIGNEE", "TITLE"];
    let rows: Vec<Vec<String>> = rows.into_iter().map(Vec::from).collect();
    out.write_str(&crate::report::table::table(&header, &rows, &[]))
}
