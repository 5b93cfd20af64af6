//! `tmux-ide agent idle|busy|waiting` (self-reports, called by agent hooks) and
//! `tmux-ide agent sim` (the built-in simulated agent).
use std::process::ExitCode;
use std::time::Duration;

use super::Ctx;
use crate::agent::sim::{self, FailRule, SimOptions};
use crate::agent::state::{ReportedState, state_event};
use crate::plan::store::Store;
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
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The pane reporting (`%3`); defaults to $TMUX_IDE_PANE, set in every tmux-ide pane.
    #[arg(long, env = "TMUX_IDE_PANE", value_name = "PANE_ID")]
    pub pane: Option<String>,
    /// What a hook passes along (Codex's notify appends a JSON payload); ignored.
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
}

/// `--work-ms` of `agent sim` and `demo`: up to ten minutes a task, already more than any
/// demo or test wants; a larger number is a typo, not a plan.
pub(super) fn work_ms_arg() -> clap::builder::RangedU64ValueParser<u64> {
    clap::value_parser!(u64).range(0..=600_000)
}

pub fn run(ctx: &Ctx, cmd: Command) -> Result<ExitCode> {
    let (args, state) = match cmd {
        Command::Sim(args) => return run_sim(ctx, args),
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
    // The title makes the log readable; the id is what the orchestrator matches on.
    let title = super::pane::title_of(ctx, &pane);
    let event = state_event(jiff::Timestamp::now(), &pane, &title, state);
    Store::new(&project).append_events(&[event])?;
    Ok(ExitCode::SUCCESS)
}

fn run_sim(ctx: &Ctx, args: SimArgs) -> Result<ExitCode> {
    let opts = SimOptions {
        project: ctx.project()?.root,
        pane: args.pane,
        work: Duration::from_millis(args.work_ms),
        fail: args.fail,
        exe: sim::current_exe()?,
        out: ctx.out.clone(),
    };
    sim::run(&opts)?;
    Ok(ExitCode::SUCCESS)
}
