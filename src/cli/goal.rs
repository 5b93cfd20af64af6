//! `tmux-ide goal`: goals (created by `task create --goal`).
use std::io::Write;
use std::process::ExitCode;

use super::Ctx;
use crate::Result;
use crate::plan::{Store, TaskStatus};
use crate::report::table::rows_only;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List goals with their tasks' progress.
    List,
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result<ExitCode> {
    let Command::List = cmd;
    let plan = Store::new(&ctx.project()?).load()?;
    let rows: Vec<(String, String, Vec<String>, usize)> = plan
        .goals
        .iter()
        .map(|g| {
            let tasks: Vec<_> = plan
                .tasks
                .iter()
                .filter(|t| t.goal.as_deref() == Some(&g.id) && t.status != TaskStatus::Cancelled)
                .collect();
            let done = tasks.iter().filter(|t| t.status == TaskStatus::Done).count();
            (g.id.clone(), g.title.clone(), tasks.iter().map(|t| t.id.clone()).collect(), done)
        })
        .collect();
    if ctx.json {
        let json: Vec<serde_json::Value> = rows
            .iter()
            .map(|(id, title, tasks, done)| {
                serde_json::json!({"id": id, "title": title, "tasks": tasks, "tasks_done": done})
            })
            .collect();
        writeln!(ctx.out(), "{}", serde_json::to_string_pretty(&json)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        writeln!(ctx.out(), "No goals.")?;
    }
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|(id, title, tasks, done)| {
            vec![id.clone(), format!("{done}/{} tasks", tasks.len()), title.clone()]
        })
        .collect();
    write!(ctx.out(), "{}", rows_only(&rows, &[]))?;
    Ok(ExitCode::SUCCESS)
}
