//! `tmux-ide agent idle|busy|waiting` (self-reports, called by agent hooks) and
//! `tmux-ide agent sim` (the built-in simulated agent).
use std::process::ExitCode;
use std::time::Duration;

use super::Ctx;
use crate::agent::notify::{Turn, codex_turn};
use crate::agent::sim::{self, FailRule, SimOptions};
use crate::agent::state::{ReportedState, state_event};
use crate::plan::store::Store;
use crate::project::Project;
use crate::tmux::Tmux;
use crate::{Error, Result};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Report that the agent in this pane is at its prompt, ready for work.
    Idle(ReportArgs),
    /// Report that the agent in this pane is working.
    Busy(ReportArgs),
    /// Report that the agent in this pane waits for the user (e.g. a permission prompt).
    Waiting(ReportArgs),
    /// Run the simulated agent in this pane (for demos and tests).
    Sim(SimArgs),
    /// Record where this pane's agent keeps its token usage, from the hook payload on
    /// standard input (Claude Code, Gemini CLI); the orchestrator reads it from there.
    Usage(super::agent_usage::UsageArgs),
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The pane reporting (`%3`); defaults to $TMUX_IDE_PANE, set in every tmux-ide pane.
    #[arg(long, env = "TMUX_IDE_PANE", value_name = "PANE_ID")]
    pub pane: Option<String>,
    /// What a hook passes along: Codex's notify appends a JSON payload, whose prompt
    /// marker names the pane the report is for (one without a marker is not recorded).
    #[arg(hide = true, trailing_var_arg = true, allow_hyphen_values = true)]
    pub payload: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct SimArgs {
    /// How long each task "takes", in milliseconds.
    #[arg(long, default_value_t = 1500, value_name = "MS", value_parser = work_ms_arg())]
    pub work_ms: u64,
    /// Fail assertion VAL-X in its first N validation rounds (N defaults to 1). Repeatable.
    #[arg(long = "fail", value_name = "VAL-X[:N]")]
    pub fail: Vec<FailRule>,
    /// The pane this agent runs in; defaults to $TMUX_IDE_PANE.
    #[arg(long, env = "TMUX_IDE_PANE", value_name = "PANE_ID")]
    pub pane: Option<String>,
    /// Write a Claude-format transcript, IN input and OUT output tokens per model
    /// response, and report it as Claude Code's hook does (for cost and budget demos).
    #[arg(long, value_name = "IN:OUT")]
    pub usage: Option<crate::agent::sim_usage::SimTokens>,
    /// Make a small real change per task in the working directory: a line naming the
    /// task appended to each `edit file <path>` of its description, else to
    /// `sim/<task>.txt`. A merge conflict handed back is resolved keeping both sides.
    #[arg(long)]
    pub edit: bool,
}

/// `--work-ms` of `agent sim` and `demo`: up to ten minutes a task, already more than any
/// demo or test wants; a larger number is a typo, not a plan.
pub(super) fn work_ms_arg() -> clap::builder::RangedU64ValueParser<u64> {
    clap::value_parser!(u64).range(0..=600_000)
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result<ExitCode> {
    let (args, state) = match cmd {
        Command::Sim(args) => return run_sim(ctx, args),
        Command::Usage(args) => return super::agent_usage::run(ctx, args),
        Command::Idle(args) => (args, ReportedState::Idle),
        Command::Busy(args) => (args, ReportedState::Busy),
        Command::Waiting(args) => (args, ReportedState::Waiting),
    };
    let pane = args.pane.filter(|p| p.starts_with('%')).ok_or_else(|| {
        Error::bad_input(
            "no pane to report for: give --pane %N or run inside a tmux-ide pane ($TMUX_IDE_PANE)",
        )
    })?;
    let project = ctx.project()?;
    let (pane, title) = match codex_turn(&args.payload) {
        Turn::NotCodex => {
            // The title makes the log readable; the id is what the orchestrator matches on.
            let title = super::pane::title_of(ctx, &pane);
            (pane, title)
        }
        turn => match codex_pane(ctx, &project, &turn) {
            Some(found) => found,
            None => {
                tracing::info!(?turn, env_pane = %pane, "codex notify for no known pane: ignored");
                return Ok(ExitCode::SUCCESS);
            }
        },
    };
    let report = state_event(jiff::Timestamp::now(), &pane, &title, state);
    let source = super::agent_usage::codex_source(&args.payload, &pane, &title);
    // The running orchestrator logs it with its own writes; without one, the store.
    if source.is_none() && crate::orchestrator::inbox::send(&project, &report) {
        return Ok(ExitCode::SUCCESS);
    }
    let mut events = vec![report];
    events.extend(source);
    Store::new(&project).append_events(&events)?;
    Ok(ExitCode::SUCCESS)
}

/// The pane (id, title) a Codex turn belongs to: the assignee of its task, or the pane
/// its milestone's validation round went to. `$TMUX_IDE_PANE` is no evidence here (it is
/// the daemon's), so a turn that names no task of this project's session is `None`.
fn codex_pane(ctx: &Ctx, project: &Project, turn: &Turn) -> Option<(String, String)> {
    let plan = Store::new(project).load().ok()?;
    let title = match turn {
        Turn::Task(id) => plan.task(id)?.assignee.clone()?,
        Turn::Validation(m) => plan.milestone(m)?.validation.as_ref()?.pane.clone()?,
        Turn::NotCodex | Turn::Unknown => return None,
    };
    let tmux = Tmux::new(ctx.tmux_socket.clone());
    let session = tmux.running_session(project).ok()?;
    let panes = tmux.list_panes(&session).ok()?;
    panes.into_iter().find(|p| p.title == title).map(|p| (p.id, p.title))
}

fn run_sim(ctx: &Ctx, args: SimArgs) -> Result<ExitCode> {
    let opts = SimOptions {
        project: ctx.project()?.root,
        pane: args.pane,
        work: Duration::from_millis(args.work_ms),
        fail: args.fail,
        exe: sim::current_exe()?,
        out: ctx.out.clone(),
        usage: args.usage,
        edit: args.edit,
    };
    sim::run(&opts)?;
    Ok(ExitCode::SUCCESS)
}
