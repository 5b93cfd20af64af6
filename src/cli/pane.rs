//! Naming the pane a command runs for: agents pass `$TMUX_IDE_PANE` (a pane id such as
//! `%3`), while the store and the log speak of panes by their ide.yml title.
use super::Ctx;
use crate::tmux::Tmux;

/// The ide.yml title of `pane` when it is a pane id tmux knows; otherwise `pane` as given.
pub fn title_of(ctx: &Ctx, pane: &str) -> String {
    if !pane.starts_with('%') {
        return pane.to_string();
    }
    Tmux::new(ctx.tmux_socket.clone())
        .run(&["display-message", "-p", "-t", pane, "#{@ide_title}"])
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| pane.to_string())
}
