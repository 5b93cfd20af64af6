//! Naming the pane a command runs for: agents pass `$TMUX_IDE_PANE` (a pane id such as
//! `%3`), while the store and the log speak of panes by their ide.yml title.
use super::Ctx;
use crate::tmux::Tmux;

/// The ide.yml title of `pane` when it is a pane id tmux knows; otherwise `pane` as given.
/// A command run inside that very pane has it in `$TMUX_IDE_TITLE` (set by `up`), and asks
/// tmux only when it runs elsewhere.
pub fn title_of(ctx: &Ctx, pane: &str) -> String {
    if !pane.starts_with('%') {
        return pane.to_string();
    }
    if let Some(title) = own_title(pane) {
        return title;
    }
    Tmux::new(ctx.tmux_socket.clone())
        .run(&["display-message", "-p", "-t", pane, "#{@ide_title}"])
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| pane.to_string())
}

/// `$TMUX_IDE_TITLE` when `$TMUX_IDE_PANE` is `pane`: the pane this process runs in.
fn own_title(pane: &str) -> Option<String> {
    let here = std::env::var("TMUX_IDE_PANE").ok()?;
    let title = std::env::var("TMUX_IDE_TITLE").ok()?;
    (here == pane && !title.trim().is_empty()).then(|| title.trim().to_string())
}
