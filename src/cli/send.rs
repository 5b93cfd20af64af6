//! `tmux-ide send`: send text to a pane through a tmux buffer (never typed by a shell).
use std::io::Read;
use std::process::ExitCode;

use super::Ctx;
use super::session::{running_session, tmux_of};
use crate::tmux::PaneInfo;
use crate::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pane: its title, its role (when one pane has it) or its tmux id (`%N`).
    pub target: String,
    /// The text to send; `-` reads it from stdin (one trailing newline dropped).
    pub text: String,
    /// Paste the text without pressing Enter.
    #[arg(long)]
    pub no_enter: bool,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.project()?;
    let session = running_session(ctx, &project)?;
    let tmux = tmux_of(ctx);
    let panes = tmux.list_panes(&session)?;
    let pane = resolve(&panes, &args.target, &session)?;
    let text = if args.text == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Error::failed(format!("reading stdin: {e}")))?;
        let trimmed = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t));
        trimmed.map(str::to_string).unwrap_or(text)
    } else {
        args.text
    };
    tmux.paste(&pane.id, &text, !args.no_enter)?;
    Ok(ExitCode::SUCCESS)
}

/// The pane a target names: `%id`, exact title, title ignoring case, then a role held
/// by exactly one pane. Unknown targets list the panes.
pub fn resolve<'a>(panes: &'a [PaneInfo], target: &str, session: &str) -> Result<&'a PaneInfo> {
    let listing = || {
        let list: Vec<String> = panes
            .iter()
            .map(|p| {
                let role = p.role.map(|r| r.to_string()).unwrap_or_else(|| "-".into());
                format!("{} ({role}, {})", p.title, p.id)
            })
            .collect();
        format!("panes: {}", list.join(", "))
    };
    let by = |f: &dyn Fn(&PaneInfo) -> bool| panes.iter().filter(|p| f(p)).collect::<Vec<_>>();
    for found in [
        by(&|p| p.id == target),
        by(&|p| p.title == target),
        by(&|p| p.title.eq_ignore_ascii_case(target)),
    ] {
        if let [one] = found.as_slice() {
            return Ok(one);
        }
    }
    let with_role = by(&|p| p.role.is_some_and(|r| r.as_str() == target));
    match with_role.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::bad_input(format!("no pane `{target}` in session {session}"))
            .with_hint(listing())),
        many => {
            let titles: Vec<&str> = many.iter().map(|p| p.title.as_str()).collect();
            Err(Error::bad_input(format!(
                "role `{target}` matches {} panes ({}); name one by title",
                many.len(),
                titles.join(", ")
            ))
            .with_hint(listing()))
        }
    }
}
