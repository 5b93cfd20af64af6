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
use crate::orchestrator::observe::Observer;
use crate::report::delivery::{self, DeliveryRow};
use crate::report::table::rows_only;
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
    /// The pane's window: its name, and `index:name` in the text view.
    window: String,
    #[serde(skip)]
    window_index: u32,
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

/// The title a program set on its pane, or "" for tmux's default, the host name: that
/// says nothing about the pane, and printed under every pane it reads as noise.
fn set_title<'t>(pane_title: &'t str, hosts: &[String]) -> &'t str {
    if hosts.iter().any(|h| !h.is_empty() && h == pane_title) { "" } else { pane_title }
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
    let hosts = tmux
        .run(&["display-message", "-p", "-t", &session, "#{host}\t#{host_short}"])
        .map(|h| h.trim().split('\t').map(str::to_string).collect::<Vec<_>>())
        .unwrap_or_default();
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
            window: info.window.clone(),
            window_index: info.window_index,
            title: info.title.clone(),
            profile: profile.name.clone(),
            process: info.current_command.clone(),
            process_matches: profile.has_process(&info.current_command),
            pane_title: set_title(&info.pane_title, &hosts).to_string(),
            state: judgement.state.as_str(),
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
    let rows: Vec<Vec<String>> = out
        .panes
        .iter()
        .map(|d| {
            let process =
                if d.process_matches { d.process.clone() } else { format!("{} (?)", d.process) };
            let why = format!("— {}", d.why);
            let window = format!("{}:{}", d.window_index, d.window);
            let (id, title) = (d.id.clone(), d.title.clone());
            vec![id, window, title, d.profile.clone(), process, d.state.into(), why]
        })
        .collect();
    // One aligned row per pane, each followed by that pane's detail lines.
    for (d, row) in out.panes.iter().zip(rows_only(&rows, &[]).lines()) {
        writeln!(ctx.out(), "{row}")?;
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

#[cfg(test)]
mod tests {
    use super::set_title;

    #[test]
    fn the_host_name_is_no_pane_title_and_anything_else_is() {
        let hosts = ["build-01.example".to_string(), "build-01".to_string()];
        assert_eq!(set_title("build-01.example", &hosts), "");
        assert_eq!(set_title("build-01", &hosts), "");
        assert_eq!(set_title("✳ Claude Code", &hosts), "✳ Claude Code");
        assert_eq!(set_title("", &[String::new()]), "");
    }
}
