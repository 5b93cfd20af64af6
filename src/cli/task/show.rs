//! `tmux-ide task show`: one task in full.
use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;

use crate::cli::Ctx;
use crate::plan::Store;
use crate::plan::rules::resolve_task;
use crate::report::text::{escape_lines, one_line};
use crate::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Task id (003, or just 3).
    pub id: String,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let plan = Store::new(&ctx.project()?).load()?;
    let id = resolve_task(&plan, &args.id)?;
    let task = plan.task(&id).ok_or_else(|| Error::failed(format!("task {id} vanished")))?;
    if ctx.json {
        let index = crate::plan::rules::TaskIndex::new(&plan);
        writeln!(
            ctx.out(),
            "{}",
            serde_json::to_string_pretty(&super::TaskJson::new(&index, task))?
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    let opt = |o: Option<&str>| o.map_or_else(|| "-".to_string(), one_line);
    let milestone = task.milestone.as_deref().map(|m| match plan.milestone(m) {
        Some(ms) => format!("{m} — {}", one_line(&ms.title)),
        None => m.to_string(),
    });
    let goal = task.goal.as_deref().map(|g| match plan.goals.iter().find(|x| x.id == g) {
        Some(goal) => format!("{g} — {}", one_line(&goal.title)),
        None => g.to_string(),
    });
    let list = |v: &[String]| if v.is_empty() { "-".to_string() } else { one_line(&v.join(", ")) };
    let time = |t: Option<jiff::Timestamp>| t.map_or("-".into(), |t| format!("{t:.0}"));
    let _ = writeln!(out, "Task {} — {}", task.id, one_line(&task.title));
    let _ = writeln!(
        out,
        "Status:      {}",
        super::list::status_text(&crate::plan::rules::TaskIndex::new(&plan), task)
    );
    let _ = writeln!(out, "Milestone:   {}", opt(milestone.as_deref()));
    let _ = writeln!(out, "Priority:    {}", task.priority);
    let _ = writeln!(out, "Specialty:   {}", opt(task.specialty.as_deref()));
    let _ = writeln!(out, "Goal:        {}", opt(goal.as_deref()));
    let _ = writeln!(out, "Depends:     {}", list(&task.depends));
    let _ = writeln!(out, "Fulfills:    {}", list(&task.fulfills));
    let _ = writeln!(out, "Assignee:    {}", opt(task.assignee.as_deref()));
    if let Some(a) = &task.remediation_for {
        let _ = writeln!(out, "Remediates:  {}", one_line(a));
    }
    let _ = writeln!(out, "Created:     {}", time(Some(task.created)));
    let _ = writeln!(out, "Started:     {}", time(task.started));
    let _ = writeln!(out, "Finished:    {}", time(task.finished));
    if let Some(git) = &task.git {
        let _ = writeln!(
            out,
            "Merged:      {} ({})",
            &git.merge[..12.min(git.merge.len())],
            git.summary()
        );
        let _ = writeln!(out, "Diffstat:");
        for l in escape_lines(git.stat.trim_end()) {
            let _ = writeln!(out, "  {l}");
        }
    }
    for (label, text) in [
        ("Description", Some(task.description.as_str())),
        ("Proof", task.proof.as_deref()),
        ("Summary", task.summary.as_deref()),
    ] {
        if let Some(text) = text.filter(|t| !t.is_empty()) {
            let _ = writeln!(out, "{label}:");
            for l in escape_lines(text) {
                let _ = writeln!(out, "  {l}");
            }
        }
    }
    write!(ctx.out(), "{out}")?;
    Ok(ExitCode::SUCCESS)
}
