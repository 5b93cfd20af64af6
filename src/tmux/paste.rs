//! Delivering text to a pane safely: through a uniquely named tmux buffer
//! (`load-buffer -` from stdin, then a bracketed `paste-buffer -p -d`), then Enter after
//! a short pause. Text is never typed through a shell, so nothing in it can run.
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::Tmux;
use crate::Result;

/// Pause between the paste and Enter, so the program has taken the paste in
/// (Claude Code, watched in a real pane, needed ~300 ms).
pub const ENTER_DELAY: Duration = Duration::from_millis(300);

static SEQ: AtomicU32 = AtomicU32::new(0);

/// A buffer name no other paste (in this or another process) uses at the same time.
fn buffer_name() -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    format!("tmux-ide-{}-{seq}-{nanos}", std::process::id())
}

impl Tmux {
    /// Pastes `text` into `pane_id` (one tmux process: load + bracketed paste, the buffer
    /// deleted after), then, if `enter`, waits [`ENTER_DELAY`] and presses Enter.
    pub fn paste(&self, pane_id: &str, text: &str, enter: bool) -> Result<()> {
        self.paste_then_enter(pane_id, text, enter.then_some(ENTER_DELAY))
    }

    /// Like [`Tmux::paste`], with the pause before Enter chosen by the caller (an agent
    /// profile knows how long its program needs); `None` sends no Enter.
    pub fn paste_then_enter(
        &self,
        pane_id: &str,
        text: &str,
        enter: Option<Duration>,
    ) -> Result<()> {
        if !text.is_empty() {
            let name = buffer_name();
            let args = [
                "load-buffer",
                "-b",
                &name,
                "-",
                ";",
                "paste-buffer",
                "-p",
                "-d",
                "-b",
                &name,
                "-t",
                pane_id,
            ];
            if let Err(err) = self.run_with_input(&args, Some(text.as_bytes())) {
                let _ = self.try_run(&["delete-buffer", "-b", &name], None);
                return Err(err);
            }
        }
        if let Some(delay) = enter {
            if !text.is_empty() {
                std::thread::sleep(delay);
            }
            self.run(&["send-keys", "-t", pane_id, "Enter"])?;
        }
        Ok(())
    }
}
