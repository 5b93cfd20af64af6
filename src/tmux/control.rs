//! tmux control mode (`tmux -C`), the pure part: one line of a control client's output
//! turned into a [`Notice`], `%begin`/`%end` blocks kept apart from notifications, and
//! `%output`'s octal escapes undone. Every byte is hostile: a pane's output reaches us only
//! escaped inside `%output`, and nothing inside a command's block is read as a notice.

/// What one line of a control client's output says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A pane wrote `bytes` bytes (after unescaping) to its terminal.
    Output { pane: String, bytes: usize },
    /// The panes or windows of the session changed: a pane or window came or went, a
    /// layout changed, the session was renamed or another one attached.
    Layout,
    /// A pane entered or left a mode (copy mode), or the active pane changed.
    PaneChanged { pane: Option<String> },
    /// The client is leaving (its session was destroyed, the server is exiting).
    Exit { reason: Option<String> },
    /// A line inside a command's `%begin`/`%end` block, or one this client ignores.
    Other,
}

/// Longest `%output` payload unescaped; a longer line's remainder is only counted.
const MAX_UNESCAPED: usize = 1 << 16;

/// Reads a control client's output one line at a time (without its `\n`). Keeps the
/// open `%begin` block: its lines are command output, never notifications, until the
/// `%end` or `%error` with the same time and command number.
#[derive(Debug, Default)]
pub struct Parser {
    block: Option<(String, String)>,
}

impl Parser {
    pub fn new() -> Parser {
        Parser::default()
    }

    /// Whether a command's output block is open.
    pub fn in_block(&self) -> bool {
        self.block.is_some()
    }

    /// The notice on one line.
    pub fn line(&mut self, line: &[u8]) -> Notice {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut words = line.split(|&b| b == b' ');
        let head = words.next().unwrap_or_default();
        if let Some((time, number)) = &self.block {
            if matches!(head, b"%end" | b"%error") {
                let same = words.next() == Some(time.as_bytes())
                    && words.next() == Some(number.as_bytes());
                if same {
                    self.block = None;
                }
            }
            return Notice::Other;
        }
        let word = |w: Option<&[u8]>| w.map(|w| String::from_utf8_lossy(w).into_owned());
        match head {
            b"%begin" => {
                if let (Some(time), Some(number)) = (word(words.next()), word(words.next())) {
                    self.block = Some((time, number));
                }
                Notice::Other
            }
            b"%output" => match pane_id(words.next()) {
                Some(pane) => {
                    let at = head.len() + 1 + pane.len() + 1;
                    let payload = line.get(at..).unwrap_or_default();
                    Notice::Output { pane, bytes: unescaped_len(payload) }
                }
                None => Notice::Other,
            },
            // `%extended-output %ID AGE ... : VALUE` (with `pause-after`).
            b"%extended-output" => match pane_id(words.next()) {
                Some(pane) => {
                    let value = line.windows(3).position(|w| w == b" : ").map(|i| &line[i + 3..]);
                    Notice::Output { pane, bytes: value.map_or(0, unescaped_len) }
                }
                None => Notice::Other,
            },
            b"%layout-change"
            | b"%window-add"
            | b"%window-close"
            | b"%unlinked-window-add"
            | b"%unlinked-window-close"
            | b"%window-renamed"
            | b"%session-changed"
            | b"%session-renamed"
            | b"%sessions-changed"
            | b"%session-window-changed" => Notice::Layout,
            b"%window-pane-changed" => {
                // `%window-pane-changed @WINDOW %PANE`
                let _window = words.next();
                Notice::PaneChanged { pane: pane_id(words.next()) }
            }
            b"%pane-mode-changed" => Notice::PaneChanged { pane: pane_id(words.next()) },
            b"%exit" => {
                let rest = line.get(b"%exit ".len()..).filter(|r| !r.is_empty());
                Notice::Exit { reason: rest.map(|r| clean(r, 200)) }
            }
            _ => Notice::Other,
        }
    }
}

/// A pane id `%N` (digits only), or none.
fn pane_id(word: Option<&[u8]>) -> Option<String> {
    let word = word?;
    is_pane_id(word).then(|| String::from_utf8_lossy(word).into_owned())
}

/// Whether `word` is a tmux pane id: `%` and one to ten digits.
pub fn is_pane_id(word: &[u8]) -> bool {
    word.strip_prefix(b"%").is_some_and(|digits| {
        !digits.is_empty() && digits.len() <= 10 && digits.iter().all(u8::is_ascii_digit)
    })
}

/// Printable ASCII of `bytes`, at most `max` of them; anything else becomes `?`.
fn clean(bytes: &[u8], max: usize) -> String {
    bytes
        .iter()
        .take(max)
        .map(|&b| if (0x20..0x7f).contains(&b) { b as char } else { '?' })
        .collect()
}

/// `%output`'s payload with its escapes undone: tmux writes bytes below 32 and `\` as
/// `\ooo` (three octal digits). A backslash not followed by three octal digits stays as
/// it is. At most [`MAX_UNESCAPED`] bytes come back.
pub fn unescape(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len().min(MAX_UNESCAPED));
    let mut i = 0;
    while i < payload.len() && out.len() < MAX_UNESCAPED {
        let (byte, step) = escaped_at(payload, i);
        out.push(byte);
        i += step;
    }
    out
}

/// How many bytes `payload` stands for once unescaped.
pub fn unescaped_len(payload: &[u8]) -> usize {
    let mut i = 0;
    let mut n = 0;
    while i < payload.len() {
        i += escaped_at(payload, i).1;
        n += 1;
    }
    n
}

/// The byte at `i` and how many payload bytes it took.
fn escaped_at(payload: &[u8], i: usize) -> (u8, usize) {
    let octal = |b: u8| (b'0'..=b'7').contains(&b);
    match payload.get(i..i + 4) {
        Some([b'\\', a, b, c]) if octal(*a) && octal(*b) && octal(*c) => {
            let value = u32::from(a - b'0') * 64 + u32::from(b - b'0') * 8 + u32::from(c - b'0');
            // `\777` is 511: not a byte tmux writes; keep the low byte as tmux would read it.
            ((value & 0xff) as u8, 4)
        }
        _ => (payload[i], 1),
    }
}

#[cfg(test)]
#[path = "control_tests.rs"]
mod tests;
