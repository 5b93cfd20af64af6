//! `tmux-ide detect [PANE]`: what each pane of the session is judged to be — its agent
//! profile, foreground process, title and state — and which signal decided; with a pane,
//! also the screen lines the patterns were checked on. Then the last prompt receipts.
use std::io::Write;
use std::process::ExitCode;

use jiff::Timestamp;
use serde::Serialize;

use super::Ctx;
use crate::agent::screen;
use crate::config::Config;
use crate::orchestrator::observe::{Observer, state_name};
use crate::report::delivery::{self, DeliveryRow};
use crate::report::text::one_line;
use crate::tmux::Tmux;
use crate::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this pane: its title or tmux id (`%3`).
    pub pane: Option<String>,
}

#[derive(Debug, Serialize)]
struct Detected {
    id: String,
    title: String,
    profile: String,
    process: String,
    /// Whether the foreground process is one the profile knows.
    process_matches: bool,
    pane_title: String,
    state: &'static str,
    why: String,
    /// The lines the screen patterns were checked on.
    checked: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Output {
    panes: Vec<Detected>,
    deliveries: Vec<DeliveryRow>,
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.project_dir()?;
    let config = Config::load(&project)?;
    let tmux = Tmux::new(ctx.tmux_socket.clone());
    let session = crate::tmux::session_name(&project, &config);
    if !tmux.has_session(&session)? {
        return Err(Error::failed(format!("no tmux-ide session `{session}` is running"))
            .with_hint("start it with `tmux-ide up`"));
    }
    let mut panes = tmux.list_panes(&session)?;
    if let Some(want) = &args.pane {
        panes.retain(|p| &p.id == want || &p.title == want);
        if panes.is_empty() {
            return Err(Error::bad_input(format!("no pane `{want}` in session `{session}`")));
        }
    }
    let events = crate::plan::store::Store::new(&project).read_events().unwrap_or_default();
    let mut observer = Observer::for_config(&config);
    observer.absorb(&events);
    // One look: the screen counts as changed just now, so only hooks that report busy as
    // well as idle outrank it (the orchestrator, which keeps looking, knows more).
    let (views, _) = observer.observe(&tmux, &panes, Timestamp::now());
    let mut out = Output { panes: Vec::new(), deliveries: delivery::deliveries(&events) };
    for (info, (_, judgement)) in panes.iter().zip(views) {
        let profile = observer.profile(info);
        let checked = if args.pane.is_some() {
            let screen = tmux.capture_visible(&info.id).unwrap_or_default();
            screen::tail(&screen, profile.tail_lines).into_iter().map(str::to_string).collect()
        } else {
            Vec::new()
        };
        out.panes.push(Detected {
            id: info.id.clone(),
            title: info.title.clone(),
            profile: profile.name.clone(),
            process: info.current_command.clone(),
            process_matches: profile.has_process(&info.current_command),
            pane_title: info.pane_title.clone(),
            state: state_name(judgement.state),
            why: judgement.signal.to_string(),
            checked,
        });
    }
    if ctx.json {
        let text = serde_json::to_string_pretty(&out)
            .map_err(|e| Error::failed(format!("cannot render JSON: {e}")))?;
        writeln!(ctx.out(), "{text}")?;
        return Ok(ExitCode::SUCCESS);
    }
    for d in &out.panes {
        let process =
            if d.process_matches { d.process.clone() } else { format!("{} (?)", d.process) };
        writeln!(
            ctx.out(),
            "{:<5} {:<12} {:<8} {:<13} {:<10} — {}",
            d.id,
            one_line(&d.title),
            d.profile,
            one_line(&process),
            d.state,
            one_line(&d.why)
        )?;
        if !d.pane_title.is_empty() && d.pane_title != d.title {
            writeln!(ctx.out(), "      pane title: {}", one_line(&d.pane_title))?;
        }
        for line in &d.checked {
            writeln!(ctx.out(), "      │ {}", one_line(line))?;
        }
    }
    if !out.deliveries.is_empty() {
        writeln!(ctx.out(), "\nLast prompt per pane:")?;
        write!(ctx.out(), "{}", delivery::render(&out.deliveries))?;
    }
    Ok(ExitCode::SUCCESS)
}
