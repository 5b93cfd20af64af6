//! `tmux-ide orch`: the orchestrator's live state — alive (pid, uptime, last tick),
//! agents, the ready queue, blocked tasks and the last events.
use std::process::ExitCode;

use super::Ctx;
use super::metrics::{Loaded, load, print};
use crate::Result;
use crate::report::orch::{orch, render_orch};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Keep watching: the live terminal view (same as `tmux-ide top`).
    #[arg(long)]
    pub watch: bool,
}

/// `tmux-ide top` takes no options of its own: it always watches.
#[derive(Debug, clap::Args)]
pub struct TopArgs {}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    if args.watch {
        return top(ctx, TopArgs {});
    }
    let Loaded { project, plan, events } = load(ctx)?;
    let input = crate::tui::source::orch_input(&project);
    let now = ctx.now;
    let tmux = crate::tmux::Tmux::new(ctx.tmux_socket.clone());
    let roster = crate::tui::source::live_roster(&project, &tmux, events);
    let r = orch(plan, events, &roster, &input, now);
    let with = super::cost::WithCost::new(&project, events, &r);
    print(ctx, &with, || with.text(render_orch(&r, now)))
}

/// `tmux-ide top` and `orch --watch`: the live terminal view, until `q`.
pub fn top(ctx: &Ctx, _args: TopArgs) -> Result<ExitCode> {
    let project = ctx.project()?;
    // The view watches `.tasks/`; a view must not create what it watches.
    if !project.tasks_dir().is_dir() {
        return Err(crate::Error::failed("no plan here yet (no .tasks/ directory)").with_hint(
            "start one with `tmux-ide mission set \"Title\"` or `tmux-ide init --template missions`",
        ));
    }
    crate::tui::run(&project, &crate::tmux::Tmux::new(ctx.tmux_socket.clone()))?;
    Ok(ExitCode::SUCCESS)
}
