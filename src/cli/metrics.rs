//! `tmux-ide metrics [agents|history]`: task counts, rates, durations and estimates; per
//! agent utilisation; the mission timeline and earlier missions. Also the loading shared
//! by the read-only report commands (`orch`, and `mission status|archive`, which
//! `cli/mission.rs` calls from here).
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;

use super::Ctx;
use crate::Result;
use crate::config::Config;
use crate::plan::eventlog;
use crate::plan::{Event, Plan};
use crate::project::Project;
use crate::report::agents::PaneInfo;
use crate::report::working::working_agents;
use crate::report::{agents, archive, history, metrics, overview};
use crate::tmux::Tmux;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub view: Option<View>,

    /// Agents the ETA assumes work in parallel (default: the panes that have taken
    /// tasks, at least 1).
    #[arg(long, value_name = "N", value_parser = parse_agents)]
    pub agents: Option<usize>,
}

/// `--agents`: no ETA exists for zero agents, and no team is bigger than [`MAX_AGENTS`].
fn parse_agents(s: &str) -> std::result::Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_AGENTS).contains(&n) => Ok(n),
        _ => Err(format!("{s:?} is not a number of agents (allowed: 1..={MAX_AGENTS})")),
    }
}

const MAX_AGENTS: usize = 1000;

#[derive(Debug, clap::Subcommand)]
pub enum View {
    /// Per agent: tasks done, busy time, utilisation, current task, idle time, stalls.
    Agents,
    /// The mission's timeline and the project's earlier (archived) missions.
    History,
    /// Tokens and dollars per task, agent or milestone (from the agents' usage), and
    /// the budget's state.
    Cost(super::cost::CostArgs),
}

/// The plan and the event log of a project, read without taking the store lock (the
/// store replaces `tasks.json` atomically, so a reader always sees a whole file).
///
/// Both are leaked on purpose: a report command prints and exits, and freeing a
/// 100,000-event log one allocation at a time would cost it several milliseconds.
pub(crate) struct Loaded {
    pub project: Project,
    pub plan: &'static Plan,
    pub events: &'static [Event],
}

/// Where `mission archive` writes and `metrics history` reads.
pub(crate) fn history_dir(project: &Project) -> PathBuf {
    project.tasks_dir().join("history")
}

/// Loads the plan and the event log; corrupt log lines are reported on stderr (a torn
/// last line from a crash mid-append is dropped silently).
pub(crate) fn load(ctx: &Ctx) -> Result<Loaded> {
    let project = ctx.project()?;
    let path = project.events_jsonl();
    let (plan, events, corrupt) = crate::plan::bulk::load_plan_and_log(&project)?;
    for line in eventlog::describe_corrupt(&path, &corrupt) {
        let _ = writeln!(std::io::stderr(), "warning: {line}");
    }
    Ok(Loaded { project, plan: Box::leak(Box::new(plan)), events: events.leak() })
}

/// Prints `data` as pretty JSON or `text`.
pub(crate) fn print<T: Serialize>(
    ctx: &Ctx,
    data: &T,
    text: impl FnOnce() -> String,
) -> Result<ExitCode> {
    if ctx.json {
        // Streamed: `orch --json` over 100,000 tasks is 33 MB of text.
        let mut out = std::io::BufWriter::with_capacity(1 << 16, ctx.out());
        // Back to the io error it wraps, so a closed stdout stays a quiet broken pipe.
        serde_json::to_writer_pretty(&mut out, data).map_err(std::io::Error::from)?;
        writeln!(out)?;
        out.flush()?;
    } else {
        write!(ctx.out(), "{}", text())?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let loaded = load(ctx)?;
    if let Some(View::Cost(cost_args)) = args.view {
        return super::cost::run(ctx, &loaded, cost_args);
    }
    let Loaded { project, plan, events } = loaded;
    let now = ctx.now;
    match args.view {
        None => {
            let n = args.agents.unwrap_or_else(|| working_agents(plan, events, now));
            let m = metrics::metrics(plan, events, n, now);
            let with = super::cost::WithCost::new(&project, events, &m);
            print(ctx, &with, || with.text(metrics::render_metrics(&m, now)))
        }
        Some(View::Agents) => {
            let roster = roster(ctx, &project, events);
            let r = agents::agents(plan, events, &roster, now);
            print(ctx, &r, || agents::render_agents(&r, now))
        }
        Some(View::History) => {
            let (earlier, warnings) = archive::read_history(&history_dir(&project))?;
            for w in warnings {
                let _ = writeln!(std::io::stderr(), "warning: {w}");
            }
            let h = history::history(plan, events, earlier);
            print(ctx, &h, || history::render_history(&h, now))
        }
        Some(View::Cost(_)) => Ok(ExitCode::SUCCESS), // answered above, from the same load
    }
}

/// The panes of ide.yml (when there is one) with, while the session runs, the state tmux
/// shows (judged as the orchestrator judges it). Best effort: without ide.yml, tmux or a
/// running session, the event log alone speaks.
fn roster(ctx: &Ctx, project: &Project, events: &[Event]) -> Vec<PaneInfo> {
    if !project.ide_yml().exists() {
        return Vec::new();
    }
    let config = match Config::load(project) {
        Ok(config) => config,
        Err(err) => {
            let _ = writeln!(
                std::io::stderr(),
                "warning: {err}; agents shown without roles and specialties"
            );
            return Vec::new();
        }
    };
    let mut roster = agents::roster(&config);
    let tmux = Tmux::new(ctx.tmux_socket.clone());
    crate::tui::source::add_live_states(&mut roster, project, &config, &tmux, events);
    roster
}

/// `tmux-ide mission status` (called by `cli/mission.rs`). The overview needs only the
/// orchestrator's latest event from the log, so the log is streamed, not held: memory
/// stays flat however long the log grows; the plan is parsed through a small buffer. One
/// thread: a second one's heap would be pages of its own.
pub fn mission_status(ctx: &Ctx) -> Result<ExitCode> {
    let project = ctx.project()?;
    let path = project.events_jsonl();
    let plan = crate::plan::bulk::load_plan_streamed(&project.tasks_json())?;
    let mut last = None;
    let mut cost = crate::report::cost::CostTotals::default();
    let prices = super::cost::prices(&project);
    let corrupt = eventlog::fold_event_log(&path, |e| {
        cost.add(&e, &prices);
        if crate::report::orch::ORCHESTRATOR_EVENTS.contains(&e.kind) {
            last = Some(e);
        }
    })?;
    for line in eventlog::describe_corrupt(&path, &corrupt) {
        let _ = writeln!(std::io::stderr(), "warning: {line}");
    }
    let events: Vec<Event> = last.into_iter().collect();
    let o = overview::overview(&plan, &events, project.orchestrator_alive().is_some());
    let now = ctx.now;
    let with = super::cost::WithCost::from_totals(cost, &o);
    print(ctx, &with, || with.text(overview::render_overview(&o, now)))
}
