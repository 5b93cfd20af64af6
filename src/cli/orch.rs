//! `tmux-ide orch`: the orchestrator's live state — alive (pid, uptime, last tick),
//! agents, the ready queue, blocked tasks and the last events.
use std::process::ExitCode;

use jiff::Timestamp;

use super::Ctx;
use super::metrics::{Loaded, load, print};
use crate::Result;
use crate::report::orch::{OrchInput, orch, parse_pid_file, render_orch};

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Ctx, _args: Args) -> Result<ExitCode> {
    let Loaded { project, plan, events } = load(ctx)?;
    let pid = project.orchestrator_alive();
    let started = pid
        .and_then(|_| std::fs::read_to_string(project.orchestrator_pid()).ok())
        .and_then(|text| parse_pid_file(&text))
        .map(|(_, started)| started);
    let input = OrchInput { pid, started, last_tick: None };
    let now = Timestamp::now();
    let r = orch(&plan, &events, &[], &input, now);
    print(ctx, &r, || render_orch(&r, now))
}

/// `tmux-ide top`: the live view (being built).
pub fn top(_ctx: &Ctx, _args: Args) -> Result<ExitCode> {
    super::not_yet("top")
}
