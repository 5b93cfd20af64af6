//! `tmux-ide task diff`: the change a done task merged into the mission branch, as git
//! prints it (isolation records each task's merge).
use std::io::Write;
use std::process::ExitCode;

use crate::cli::Ctx;
use crate::plan::Store;
use crate::plan::rules::resolve_task;
use crate::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Task id (003, or just 3).
    pub id: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.project()?;
    let plan = Store::new(&project).load()?;
    let id = resolve_task(&plan, &args.id)?;
    let task = plan.task(&id).ok_or_else(|| Error::failed(format!("task {id} vanished")))?;
    let git = task.git.as_ref().ok_or_else(|| {
        Error::failed(format!("task {id} has no merged change ({})", task.status.as_str()))
            .with_hint("tasks get one when they are done with `orchestrator.isolation: worktree`")
    })?;
    let diff = crate::isolation::merge::task_diff(&project.root, git)?;
    if ctx.json {
        let json = serde_json::json!({ "task": id, "git": git, "diff": diff });
        writeln!(ctx.out(), "{}", serde_json::to_string_pretty(&json)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    // The diff is the agents' text: control characters escaped, line breaks kept.
    for line in crate::report::text::escape_lines(&diff) {
        writeln!(ctx.out(), "{line}")?;
    }
    Ok(ExitCode::SUCCESS)
}
