//! Reading many panes' screens in one tmux process: the captures chained, each preceded
//! by a marker line no screen can forge (a fresh random token per call), so the output
//! splits back into one screen per pane. A tick's cost in processes stays one however
//! many panes changed.
use std::collections::HashMap;
use std::io::Read;

use super::Tmux;
use super::runner::Chain;
use crate::Result;

/// Panes per tmux invocation: keeps the command well under tmux's message size limit.
const PER_CALL: usize = 40;

impl Tmux {
    /// The visible screen of each pane in `ids` (as [`Tmux::capture_visible`] reads it).
    /// A pane that could not be read (gone meanwhile) is missing from the map.
    pub fn capture_visible_many(&self, ids: &[&str]) -> HashMap<String, String> {
        let mut out = HashMap::with_capacity(ids.len());
        for group in ids.chunks(PER_CALL) {
            match self.capture_group(group) {
                Ok(screens) if screens.len() == group.len() => {
                    out.extend(group.iter().map(|id| id.to_string()).zip(screens));
                }
                // A pane went away mid-chain (tmux stops there): one at a time.
                _ => {
                    for id in group {
                        if let Ok(screen) = self.capture_visible(id) {
                            out.insert(id.to_string(), screen);
                        }
                    }
                }
            }
        }
        out
    }

    fn capture_group(&self, ids: &[&str]) -> Result<Vec<String>> {
        let marker = format!("tmux-ide-capture-{}", token());
        let mut chain = Chain::new();
        for id in ids {
            chain.cmd(["display-message", "-p", marker.as_str()]);
            chain.cmd(["capture-pane", "-p", "-J", "-t", id]);
        }
        let text = self.run(&chain.args())?;
        Ok(split_marked(&text, &marker))
    }
}

/// The parts of `text` after each line that is exactly `marker`, trailing blank lines and
/// spaces dropped (as a single capture is).
pub(crate) fn split_marked(text: &str, marker: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for line in text.split_inclusive('\n') {
        if line.strip_suffix('\n').unwrap_or(line) == marker {
            parts.extend(current.take());
            current = Some(String::new());
        } else if let Some(c) = current.as_mut() {
            c.push_str(line);
        }
    }
    parts.extend(current);
    parts.into_iter().map(|p| p.trim_end_matches(['\n', ' ']).to_string()).collect()
}

/// 128 random bits in hex, from the kernel; the time and pid when that cannot be read.
pub(super) fn token() -> String {
    let mut bytes = [0u8; 16];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if read.is_err() {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        let seed = now.map_or(0, |d| d.as_nanos()) ^ u128::from(std::process::id());
        bytes = seed.to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_output_splits_into_one_screen_per_pane() {
        let text = "M\nsim> \n\n\nM\nM\n● working\nM line\nM\n";
        assert_eq!(split_marked(text, "M"), ["sim>", "", "● working\nM line", ""]);
    }

    #[test]
    fn text_before_the_first_marker_is_not_a_screen() {
        assert_eq!(split_marked("junk\nM\na\n", "M"), ["a"]);
        assert!(split_marked("", "M").is_empty());
    }

    #[test]
    fn tokens_differ() {
        assert_ne!(token(), token());
        assert_eq!(token().len(), 32);
    }
}
