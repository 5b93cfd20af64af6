//! `tmux-ide dashboard`: serve the live mission dashboard on 127.0.0.1 (see `web/`).
use std::process::ExitCode;

use super::Ctx;
use crate::Result;
use crate::web::{Options, run as serve};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port on 127.0.0.1; 0 picks a free one (the URL is printed either way).
    #[arg(long, default_value_t = DEFAULT_PORT, value_name = "N")]
    pub port: u16,
    /// Open the page in a browser once the server listens.
    #[arg(long)]
    pub open: bool,
    /// Accept writes (create task, report assertion, send to pane) from clients that
    /// present the token written to .tmux-ide/run/dashboard.token.
    #[arg(long)]
    pub allow_writes: bool,
}

/// The port when none is given (also ide.yml's `dashboard.port` default).
pub const DEFAULT_PORT: u16 = crate::config::DEFAULT_DASHBOARD_PORT;

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.project()?;
    serve(Options {
        project,
        port: args.port,
        allow_writes: args.allow_writes,
        open: args.open,
        tmux_socket: ctx.tmux_socket.clone(),
        out: ctx.out.clone(),
    })?;
    Ok(ExitCode::SUCCESS)
}
