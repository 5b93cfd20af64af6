//! `tmux-ide ls` and `tmux-ide status`: what is running, as text (the shared width-aware
//! table, which escapes every cell) or `--json`.
use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

use super::{LsArgs, StatusArgs, running_session, tmux_of};
use crate::cli::Ctx;
use crate::plan::model::{Plan, TaskStatus};
use crate::project::Project;
use crate::report::table::table;
use crate::report::text::one_line;
use crate::tmux::PaneInfo;
use crate::{Error, Result};

#[derive(Debug, Serialize)]
struct LsRow {
    name: String,
    project: String,
    panes: usize,
    attached: bool,
    orchestrator_pid: Option<u32>,
}

pub fn ls(ctx: &Ctx, _args: LsArgs) -> Result<ExitCode> {
    let rows: Vec<LsRow> = tmux_of(ctx)
        .sessions()?
        .into_iter()
        .map(|s| LsRow {
            orchestrator_pid: Project::at(&s.project).orchestrator_alive(),
            name: s.name,
            project: s.project,
            panes: s.panes,
            attached: s.attached,
        })
        .collect();
    if ctx.json {
        writeln!(ctx.out(), "{}", serde_json::to_string_pretty(&rows)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        writeln!(ctx.out(), "no tmux-ide sessions running")?;
        return Ok(ExitCode::SUCCESS);
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let orch = r.orchestrator_pid.map_or_else(|| "-".into(), |p| format!("pid {p}"));
            let attached = if r.attached { " (attached)" } else { "" };
            vec![r.name.clone(), r.panes.to_string(), orch, format!("{}{attached}", r.project)]
        })
        .collect();
    let headers = ["SESSION", "PANES", "ORCHESTRATOR", "PROJECT"];
    write!(ctx.out(), "{}", table(&headers, &cells, &[1]))?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Serialize)]
struct PaneStatus {
    #[serde(flatten)]
    pane: PaneInfo,
    task: Option<TaskRef>,
}

#[derive(Debug, Serialize)]
struct TaskRef {
    id: String,
    title: String,
}

#[derive(Debug, Serialize)]
struct StatusView {
    session: String,
    project: String,
    orchestrator_pid: Option<u32>,
    panes: Vec<PaneStatus>,
}

/// The store's plan, if there is one; an absent file means no tasks.
fn read_plan(project: &Project) -> Result<Option<Plan>> {
    let path = project.tasks_json();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| Error::corrupt(&path, e.line(), e.column(), e))
}

pub fn status(ctx: &Ctx, _args: StatusArgs) -> Result<ExitCode> {
    let project = ctx.project_dir()?;
    let session = running_session(ctx, &project)?;
    let panes = tmux_of(ctx).list_panes(&session)?;
    let plan = read_plan(&project)?;
    let task_of = |title: &str| {
        let plan = plan.as_ref()?;
        plan.tasks
            .iter()
            .find(|t| t.status == TaskStatus::InProgress && t.assignee.as_deref() == Some(title))
            .map(|t| TaskRef { id: t.id.clone(), title: t.title.clone() })
    };
    let view = StatusView {
        session,
        project: project.root.to_string_lossy().into_owned(),
        orchestrator_pid: project.orchestrator_alive(),
        panes: panes
            .into_iter()
            .map(|pane| PaneStatus { task: task_of(&pane.title), pane })
            .collect(),
    };
    if ctx.json {
        writeln!(ctx.out(), "{}", serde_json::to_string_pretty(&view)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let orch = view
        .orchestrator_pid
        .map(|p| format!("running (pid {p})"))
        .unwrap_or_else(|| "not running".into());
    writeln!(
        ctx.out(),
        "session {} ({}), orchestrator {orch}",
        one_line(&view.session),
        one_line(&view.project)
    )?;
    let dash = |s: Option<String>| s.unwrap_or_else(|| "-".into());
    let rows: Vec<Vec<String>> = view
        .panes
        .iter()
        .map(|p| {
            let i = &p.pane;
            let process = if i.dead { "(exited)".to_string() } else { i.current_command.clone() };
            vec![
                i.id.clone(),
                format!("{}:{}", i.window_index, i.window),
                i.title.clone(),
                dash(i.role.map(|r| r.to_string())),
                dash(i.specialty.clone()),
                dash(i.agent.map(|a| a.to_string())),
                process,
                dash(p.task.as_ref().map(|t| format!("{} {}", t.id, t.title))),
            ]
        })
        .collect();
    let headers = ["PANE", "WINDOW", "TITLE", "ROLE", "SPECIALTY", "AGENT", "PROCESS", "TASK"];
    write!(ctx.out(), "{}", table(&headers, &rows, &[]))?;
    Ok(ExitCode::SUCCESS)
}
