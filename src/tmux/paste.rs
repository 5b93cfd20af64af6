//! Delivering text to a pane safely: the text is first [`sanitize`]d (no control
//! character can reach the program), then goes through a uniquely named tmux buffer
//! (`load-buffer -` from stdin, then a bracketed `paste-buffer -p -d`), then Enter after
//! the pause the caller's agent profile asks for. Text is never typed through a shell.
use std::borrow::Cow;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::Tmux;
use crate::Result;

/// What a removed control character becomes. Visible rather than dropped, so a reader
/// (or the agent) sees that something was there, and `rm\0-rf` never silently joins
/// into `rm-rf`.
pub const REPLACEMENT: char = '\u{FFFD}';

/// `text` with every C0 control but tab and newline, DEL and every C1 control replaced
/// by [`REPLACEMENT`], and `\r\n` / lone `\r` turned into `\n`.
///
/// Why: a paste is bytes on the program's terminal. `ESC [ 2 0 1 ~` ends a bracketed
/// paste early, so what follows is typed as keys (Enter included); other escapes drive
/// the terminal, and C0 keys like ^C or ^D act on a cooked tty. A lone CR submits the
/// line in many REPLs, so it is a newline inside the paste instead.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    // `char::is_control` is exactly C0, DEL and C1 (Unicode category Cc).
    let unsafe_char = |c: char| c == '\r' || (c.is_control() && c != '\n' && c != '\t');
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push('\n');
            }
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push(REPLACEMENT),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

static SEQ: AtomicU32 = AtomicU32::new(0);

/// A buffer name no other paste (in this or another process) uses at the same time.
fn buffer_name() -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    format!("tmux-ide-{}-{seq}-{nanos}", std::process::id())
}

impl Tmux {
    /// Pastes [`sanitize`]d `text` into `pane_id` (one tmux process: load + bracketed
    /// paste, the buffer deleted after), then, after `enter`'s pause (the pane's agent
    /// profile knows how long its program needs), presses Enter; `None` sends no Enter.
    /// Every paste the product makes goes through here, so none can carry a control.
    pub fn paste_then_enter(
        &self,
        pane_id: &str,
        text: &str,
        enter: Option<Duration>,
    ) -> Result<()> {
        let text = sanitize(text);
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_bracketed_paste_end_marker_loses_its_escape() {
        let got = sanitize("x\u{1b}[201~\ntouch F\n");
        assert_eq!(got, "x\u{FFFD}[201~\ntouch F\n");
        assert_eq!(sanitize("\u{9b}201~ \u{9d}0;t\u{9c}"), "\u{FFFD}201~ \u{FFFD}0;t\u{FFFD}");
    }

    #[test]
    fn carriage_returns_become_newlines_and_tabs_stay() {
        assert_eq!(sanitize("a\r\nb\rc\r\r\nd\te"), "a\nb\nc\n\nd\te");
        assert_eq!(sanitize("\0\u{3}\u{4}\u{7f}"), "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}");
    }

    #[test]
    fn clean_text_is_borrowed_unchanged() {
        let text = "héllo `$(x)` ✳ \u{a0}\u{2028}\n\tdone";
        assert!(matches!(sanitize(text), Cow::Borrowed(t) if t == text));
    }

    proptest! {
        #[test]
        fn no_control_survives_and_everything_else_is_kept(text in any::<String>()) {
            let got = sanitize(&text);
            prop_assert!(!got.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
            let keep = |c: &char| !c.is_control() || *c == '\t';
            let want: String = text.chars().filter(keep).collect();
            let kept: String =
                got.chars().filter(|c| keep(c) && *c != REPLACEMENT).collect();
            let want_kept: String = want.chars().filter(|c| *c != REPLACEMENT).collect();
            prop_assert_eq!(kept, want_kept);
        }

        #[test]
        fn printable_text_passes_through(text in "[^\\p{Cc}]*") {
            prop_assert_eq!(sanitize(&text), text.as_str());
        }
    }
}
