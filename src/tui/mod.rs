//! `tmux-ide top` / `orch --watch`: the live terminal view. It redraws when anything under
//! `.tasks/` changes (a file watcher, no polling) and once a second so relative times
//! move; keys switch panels and quit. The terminal is restored on exit and on panic.
mod agents;
pub mod app;
pub mod layout;
pub mod source;
pub mod view;

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use notify::{EventKind, RecursiveMode, Watcher};
use ratatui::crossterm::event::{self as term_event, Event as TermEvent, KeyEvent};

use self::app::{App, Outcome};
use crate::project::Project;
use crate::tmux::Tmux;
use crate::{Error, Result};

/// Relative times are redrawn this often when nothing changes.
const CLOCK: Duration = Duration::from_secs(1);
/// A change is read once the store has been quiet this long (one `task done` writes
/// `tasks.json` and appends to the log: several file events) ...
const SETTLE: Duration = Duration::from_millis(40);
/// ... or at the latest this long after the first file event.
const SETTLE_MAX: Duration = Duration::from_millis(250);

enum Msg {
    Changed,
    Key(KeyEvent),
    Resize,
}

/// Restores the terminal when dropped, whatever way `run` leaves.
struct Terminal(ratatui::DefaultTerminal);

impl Drop for Terminal {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// Runs the live view of `project` until the user quits.
pub fn run(project: &Project, tmux: &Tmux) -> Result<()> {
    let (tx, rx) = mpsc::channel();
    let _watcher = watch(project, tx.clone())?;
    let mut app = App::default();
    app.update(source::load(project, tmux, Timestamp::now()));
    // Installs a panic hook that restores the terminal before the panic is reported.
    let mut term = Terminal(ratatui::try_init().map_err(|e| {
        Error::failed(format!("cannot start the terminal view: {e}")).with_hint(
            "`top` needs a terminal; for a one-off report use `tmux-ide orch` (or --json)",
        )
    })?);
    std::thread::spawn(move || read_terminal(&tx));
    let mut changed_since: Option<Instant> = None;
    loop {
        if changed_since.is_none() {
            // Read at every redraw, file change or not: a pane's screen moves on its own.
            let agent = app.snapshot.as_ref().and_then(|s| app.selected_agent(s));
            let agent = agent.map(str::to_string);
            app.preview = agent.and_then(|pane| source::preview(project, tmux, &pane));
            term.0
                .draw(|frame| view::draw(frame, &app, Timestamp::now()))
                .map_err(|e| Error::failed(format!("cannot draw: {e}")))?;
        }
        let wait = if changed_since.is_some() { SETTLE } else { CLOCK };
        match next(&rx, wait) {
            Some(Msg::Changed) => {
                let first = *changed_since.get_or_insert_with(Instant::now);
                if first.elapsed() < SETTLE_MAX {
                    continue;
                }
            }
            Some(Msg::Key(key)) => {
                if app.on_key(key) == Outcome::Quit {
                    return Ok(());
                }
                if changed_since.is_some() {
                    continue;
                }
            }
            Some(Msg::Resize) | None => {}
        }
        if changed_since.take().is_some() {
            app.update(source::load(project, tmux, Timestamp::now()));
        }
    }
}

/// The next message, or `None` after `wait` (or when every sender is gone).
fn next(rx: &Receiver<Msg>, wait: Duration) -> Option<Msg> {
    match rx.recv_timeout(wait) {
        Ok(msg) => Some(msg),
        Err(RecvTimeoutError::Timeout) => None,
        Err(RecvTimeoutError::Disconnected) => {
            std::thread::sleep(wait);
            None
        }
    }
}

/// Watches `.tasks/` (the directory: the store replaces `tasks.json` by renaming).
fn watch(project: &Project, tx: Sender<Msg>) -> Result<notify::RecommendedWatcher> {
    let dir = project.tasks_dir();
    fs_err::create_dir_all(&dir)?;
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(ev) = res
            && matches!(ev.kind, EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_))
            && ev.paths.iter().any(|p| !p.ends_with(".lock"))
        {
            let _ = tx.send(Msg::Changed);
        }
    })
    .map_err(|e| Error::failed(format!("cannot watch {}: {e}", dir.display())))?;
    watcher
        .watch(&dir, RecursiveMode::NonRecursive)
        .map_err(|e| Error::failed(format!("cannot watch {}: {e}", dir.display())))?;
    Ok(watcher)
}

/// Forwards keys and resizes; blocks in the terminal read, so it costs nothing while idle.
fn read_terminal(tx: &Sender<Msg>) {
    loop {
        let msg = match term_event::read() {
            Ok(TermEvent::Key(key)) => Msg::Key(key),
            Ok(TermEvent::Resize(..)) => Msg::Resize,
            Ok(_) => continue,
            Err(_) => return,
        };
        if tx.send(msg).is_err() {
            return;
        }
    }
}
