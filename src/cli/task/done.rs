//! `tmux-ide task done`: finish a task and add its summary to the knowledge library.
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use jiff::Timestamp;

use crate::cli::Ctx;
use crate::plan::rules::finish_task;
use crate::plan::{Store, Task};
use crate::project::Project;
use crate::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Task id.
    pub id: String,
    /// What was done and how to verify it (given to the validator).
    #[arg(long)]
    pub proof: String,
    /// What later agents should know; appended to .tmux-ide/library/learnings.md.
    #[arg(long)]
    pub summary: Option<String>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    // Checked here, not by clap: clap's message would quote the blank text, newlines and
    // all, over several lines.
    if args.proof.trim().is_empty() {
        return Err(Error::bad_input(
            "--proof must not be blank (say what was done and how to verify it)",
        ));
    }
    let project = ctx.project()?;
    let now = Timestamp::now();
    // The library is appended under the store lock, so entries keep the order of the
    // `task_done` events; an append failure leaves the task unchanged.
    let task = Store::new(&project).update(|plan, events| {
        let task = finish_task(plan, events, &args.id, &args.proof, args.summary.as_deref(), now)?;
        append_learnings(&project, &task, now)?;
        Ok(task)
    })?;
    writeln!(ctx.out(), "Task {} done", task.id)?;
    Ok(ExitCode::SUCCESS)
}

/// `## Task 003 — Title (YYYY-MM-DD)`, a blank line and the summary, appended to
/// learnings.md (and research-findings.md for research tasks).
fn append_learnings(project: &Project, task: &Task, now: Timestamp) -> Result<()> {
    let Some(summary) = task.summary.as_deref().filter(|s| !s.trim().is_empty()) else {
        return Ok(());
    };
    let date = now.to_zoned_datetime(jiff::tz::TimeZone::system()).date();
    let entry =
        format!("## Task {} — {} ({date})\n\n{}\n", task.id, task.title, summary.trim_end());
    let library = project.library_dir();
    append_entry(&library.join("learnings.md"), &entry)?;
    if task.specialty.as_deref() == Some("research") {
        append_entry(&library.join("research-findings.md"), &entry)?;
    }
    Ok(())
}

/// Appends `entry` as its own block: separated from earlier text by one blank line.
fn append_entry(path: &Path, entry: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs_err::create_dir_all(dir)?;
    }
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::io(path, e)),
    };
    let sep = if existing.is_empty() || existing.ends_with("\n\n") {
        ""
    } else if existing.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    file.write_all(format!("{sep}{entry}").as_bytes()).map_err(|e| Error::io(path, e))?;
    Ok(())
}
