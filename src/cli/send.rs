//! `tmux-ide send`: send text to a pane through a tmux buffer (never typed by a shell),
//! with the control characters taken out (`tmux::sanitize`) and Enter after the pause
//! the pane's agent profile asks for.
use std::ffi::OsString;
use std::io::Read;
use std::process::ExitCode;

use super::Ctx;
use super::session::{running_session, tmux_of};
use crate::agent::profiles;
use crate::config::Config;
use crate::tmux::resolve_pane;
use crate::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pane: its title, its role (when one pane has it) or its tmux id (`%N`).
    pub target: String,
    /// The text to send; `-` reads it from stdin (one trailing newline dropped).
    pub text: OsString,
    /// Paste the text without pressing Enter.
    #[arg(long)]
    pub no_enter: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.project_dir()?;
    let session = running_session(ctx, &project)?;
    let tmux = tmux_of(ctx);
    let panes = tmux.list_panes(&session)?;
    let pane = resolve_pane(&panes, &args.target, &session)?;
    let text = if args.text == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Error::failed(format!("reading stdin: {e}")))?;
        let text = lossy(bytes);
        let trimmed = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t));
        trimmed.map(str::to_string).unwrap_or(text)
    } else {
        lossy(args.text.into_encoded_bytes())
    };
    let enter = (!args.no_enter).then(|| {
        let config = Config::load(&project).ok();
        profiles::enter_delay(config.as_ref(), pane.agent, &pane.title)
    });
    tmux.paste_then_enter(&pane.id, &text, enter)?;
    Ok(ExitCode::SUCCESS)
}

/// Bytes that are not UTF-8 (a binary file on stdin, a Latin-1 argument) become U+FFFD
/// rather than refusing the whole text: what is readable still arrives.
fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
