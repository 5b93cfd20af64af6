//! Small text helpers for one-line renderings: first line, shortening at a word, and the
//! one escaping function every command uses before plan or agent text reaches a terminal.
use unicode_width::UnicodeWidthStr;

/// The first non-empty line of `s`, trimmed.
pub fn first_line(s: &str) -> &str {
    s.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("")
}

/// `s` cut to at most `max` terminal columns at a word boundary, with `…` when cut.
pub fn shorten(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let cut = truncate(s, max);
    let cut = cut.trim_end_matches('…');
    let at_word = match cut.rfind(' ') {
        Some(i) if width(&cut[..i]) > max / 2 => &cut[..i],
        _ => cut,
    };
    format!("{}…", at_word.trim_end_matches([' ', ',', '.', ';', ':']))
}

/// Control characters (newlines, tabs, ESC, BEL, C1) shown as `\n`, `\t`, `\u{1b}`, and
/// bidi controls as `<U+202E>`, so a table row stays one line and text from a plan or a
/// pane can neither drive the terminal (OSC 52 writes the clipboard) nor reorder what
/// the reader sees. Idempotent: its output contains nothing it would escape.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    out
}

/// Multi-line text (descriptions, proofs) with each line escaped as by [`one_line`]; the
/// line breaks themselves are kept.
pub fn escape_lines(s: &str) -> Vec<String> {
    s.lines().map(one_line).collect()
}

/// Multi-line text escaped as by [`one_line`] except that its line breaks are kept.
pub fn multi_line(s: &str) -> String {
    escape_lines(s).join("\n")
}

fn push_escaped(out: &mut String, c: char) {
    if c.is_control() {
        out.extend(c.escape_default());
    } else if is_bidi_control(c) {
        out.push_str(&format!("<U+{:04X}>", c as u32));
    } else {
        out.push(c);
    }
}

/// Embeddings, overrides, isolates and marks: invisible, and able to reverse the text
/// around them (the "Trojan Source" trick).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Columns `s` takes in a terminal (CJK and most emoji take two).
pub fn width(s: &str) -> usize {
    s.width()
}

/// `s` cut to at most `max` terminal columns, with `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    if max > 0 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortening_cuts_at_a_word() {
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("Refresh endpoint exists but does not rotate", 20), "Refresh endpoint…");
        assert_eq!(shorten("トークンが更新されない", 9), "トークン…");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(one_line("a\nb\t\u{1b}[31m"), "a\\nb\\t\\u{1b}[31m");
        assert_eq!(one_line("\u{1b}]52;c;aGk=\u{7}"), "\\u{1b}]52;c;aGk=\\u{7}");
        assert_eq!(one_line("x\u{9b}2Jy"), "x\\u{9b}2Jy");
    }

    #[test]
    fn bidi_controls_are_shown_by_code_point() {
        assert_eq!(one_line("abc\u{202E}fed\u{2066}\u{200F}"), "abc<U+202E>fed<U+2066><U+200F>");
    }

    #[test]
    fn escaping_is_idempotent() {
        let once = one_line("t\u{1b}]0;x\u{7}\u{202E}\n");
        assert_eq!(one_line(&once), once);
    }

    #[test]
    fn multi_line_text_keeps_its_lines_and_escapes_each() {
        assert_eq!(escape_lines("a\u{1b}[2J\nb\u{7}"), ["a\\u{1b}[2J", "b\\u{7}"]);
    }

    #[test]
    fn wide_characters_count_two_columns_and_truncate_by_width() {
        assert_eq!(width("認証"), 4);
        assert_eq!(width("ab🚀"), 4);
        assert_eq!(truncate("認証サービス", 7), "認証サ…");
        assert_eq!(truncate("short", 9), "short");
    }
}
