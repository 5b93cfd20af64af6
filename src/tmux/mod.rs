//! The only code that runs tmux: the runner (argv, private socket, chains), building a
//! session from ide.yml, safe pasting through buffers (the one paste primitive, which
//! strips control characters), querying panes and sessions, finding the running session
//! and the pane a target names, and ending the processes a session's panes started.
//! Uses `config` (ide.yml's model) and nothing above it: no agent, report or CLI code.
mod build;
mod capture;
pub mod control;
mod control_client;
mod control_cmd;
mod layout;
mod message;
mod paste;
pub mod procs;
mod query;
mod runner;
mod spawn;
mod target;

use serde::Serialize;

pub use crate::config::cell_sizes;
pub use control_client::{Changes, ControlClient};
pub use control_cmd::ControlSlot;
pub use layout::{LAYOUT_WINDOW, LaunchSpec, Launched, launch};
pub use paste::{REPLACEMENT, sanitize};
pub use query::SessionInfo;
pub use runner::{Chain, Outcome, escape_arg, literal_format, not_running, tmux_missing};
pub use spawn::{pane_path, resolves_to};
pub use target::resolve_pane;

use crate::config::{Agent, Config, Role};
use crate::project::Project;

/// A tmux client for one server: the default one, or a private `tmux -L NAME` server.
/// With a control slot (the orchestrator's), reads go through the control client in it
/// while there is one.
#[derive(Debug, Clone)]
pub struct Tmux {
    socket: Option<String>,
    control: Option<ControlSlot>,
}

/// One pane of a tmux-ide session, as tmux reports it (the `@ide_*` pane options).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaneInfo {
    /// tmux's pane id, `%N`.
    pub id: String,
    /// The name of the window holding the pane (`ide` for a single-window layout).
    pub window: String,
    /// That window's index in the session.
    pub window_index: u32,
    pub title: String,
    pub role: Option<Role>,
    pub specialty: Option<String>,
    pub agent: Option<Agent>,
    /// The pane's foreground process (`pane_current_command`).
    pub current_command: String,
    pub pid: u32,
    /// The pane's program has exited; the pane stays (`remain-on-exit` on the layout window).
    pub dead: bool,
    pub width: u32,
    pub height: u32,
    pub left: u32,
    pub top: u32,
    /// The title the program set for itself (`pane_title`, e.g. `✳ Claude Code`).
    pub pane_title: String,
}

/// The tmux session name for a project: ide.yml's `name`, else the directory's name,
/// with `.`, `:` (tmux target separators) and `#` (format syntax) replaced by `_`.
pub fn session_name(project: &Project, config: &Config) -> String {
    let raw = match &config.name {
        Some(name) => name.clone(),
        None => project
            .root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "tmux-ide".into()),
    };
    let clean: String = raw
        .trim()
        .chars()
        .map(|c| if matches!(c, '.' | ':' | '#') || c.is_control() { '_' } else { c })
        .collect();
    if clean.is_empty() { "tmux-ide".into() } else { clean }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names_lose_dots_colons_and_hashes() {
        let config = Config { name: Some("web.app:dev#1".into()), ..Config::default() };
        assert_eq!(session_name(&Project::at("/x"), &config), "web_app_dev_1");
        assert_eq!(session_name(&Project::at("/src/my.proj"), &Config::default()), "my_proj");
    }
}
