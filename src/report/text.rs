//! Small text helpers for one-line renderings: first line, shortening at a word.

/// The first non-empty line of `s`, trimmed.
pub fn first_line(s: &str) -> &str {
    s.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("")
}

/// `s` cut to at most `max` characters at a word boundary, with `…` when cut.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max.saturating_sub(1)).collect();
    let at_word = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", at_word.trim_end_matches([' ', ',', '.', ';', ':']))
}

/// Control characters (newlines, tabs, escapes) shown as `\n`, `\t`, `\u{1b}` so a
/// table row stays one line and a title cannot drive the terminal.
pub fn one_line(s: &str) -> String {
    s.chars()
        .flat_map(|c| if c.is_control() { c.escape_default().collect() } else { vec![c] })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortening_cuts_at_a_word() {
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("Refresh endpoint exists but does not rotate", 20), "Refresh endpoint…");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(one_line("a\nb\t\u{1b}[31m"), "a\\nb\\t\\u{1b}[31m");
    }
}
