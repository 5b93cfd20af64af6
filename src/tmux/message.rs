//! A short message on the status line of every client attached to one session
//! (`display-message -c CLIENT`), its text taken literally: `#` doubled so no format,
//! style or `#(command)` in it is expanded.
use super::{Tmux, escape_arg, literal_format};
use crate::Result;

impl Tmux {
    /// Shows `text` to each client attached to `session` (none attached: nothing to do).
    /// The caller passes one line without control characters.
    pub fn display_message(&self, session: &str, text: &str) -> Result<usize> {
        let target = format!("={session}");
        let clients = self.run(&["list-clients", "-t", &target, "-F", "#{client_name}"])?;
        // `--`: a text starting with `-` is not an option; a trailing `;` is not a separator.
        let text = escape_arg(&literal_format(text));
        let mut shown = 0;
        for client in clients.lines().filter(|c| !c.is_empty()) {
            self.run(&["display-message", "-c", client, "-t", &target, "-d", "8000", "--", &text])?;
            shown += 1;
        }
        Ok(shown)
    }
}
