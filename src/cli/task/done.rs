//! `tmux-ide task done`: finish a task and add its summary to the knowledge library.
//! While an orchestrator runs, it applies the change for the command (batched with other
//! agents', see `orchestrator::requests`); otherwise the command writes the store itself.
use std::io::Write as _;
use std::process::ExitCode;

use jiff::Timestamp;

use crate::cli::Ctx;
use crate::orchestrator::requests::{self, DoneRequest, Submitted};
use crate::plan::library;
use crate::plan::rules::resolve_task;
use crate::plan::{EventKind, Store};
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
    let request = DoneRequest {
        id: args.id,
        proof: args.proof,
        summary: args.summary,
        now: Timestamp::now(),
    };
    let id = match requests::submit(&project, &request) {
        Submitted::Replied(result) => {
            let (id, warning) = result?;
            if let Some(warning) = warning {
                let _ = writeln!(std::io::stderr(), "warning: {warning}");
            }
            id
        }
        Submitted::NoOrchestrator => finish(&project, &request, false)?,
        Submitted::Lost => finish(&project, &request, true)?,
    };
    writeln!(ctx.out(), "Task {id} done")?;
    Ok(ExitCode::SUCCESS)
}

/// The change made here; `maybe_applied` when the orchestrator took the request and may
/// have committed it before the connection was lost: then finding this very change
/// committed (its `task_done` event, of that task at that instant) is success, not a
/// second finish, whatever became of the task since (a merge conflict reopens it).
fn finish(project: &Project, request: &DoneRequest, maybe_applied: bool) -> Result<String> {
    let DoneRequest { id, proof, summary, now } = request;
    let store = Store::new(project);
    // The library files are opened before the commit (a symlink refuses the whole command)
    // and written after it, still under the store lock, so entries keep the order of the
    // `task_done` events and a failing command leaves both the task and the library alone.
    let (task, library) = store.update_then(
        |plan, events| {
            // Under the lock: the log holds every committed change by now (or the plan's
            // pending events do, which `read_log` adds).
            if maybe_applied
                && let Ok(known) = resolve_task(plan, id)
                && let Some(task) = plan.task(&known)
                && store.read_log()?.0.iter().any(|e| {
                    e.kind == EventKind::TaskDone
                        && e.task.as_deref() == Some(known.as_str())
                        && to_millis(e.ts) == to_millis(*now)
                })
            {
                return Ok((task.clone(), library::Library::default()));
            }
            library::finish(project, plan, events, id, proof, summary.as_deref(), *now)
        },
        |(task, library)| library.append(task, *now),
    )?;
    drop(library);
    Ok(task.id)
}

/// `ts` as the log keeps it: rounded to milliseconds.
fn to_millis(ts: Timestamp) -> Timestamp {
    ts.round(jiff::Unit::Millisecond).unwrap_or(ts)
}
