//! Reading an agent's screen: plain-substring patterns (no regexes) checked on the last
//! non-blank lines only, ranked rate-limited > waiting > busy > ready.
use std::fmt;

use serde::Serialize;

use super::profiles::Profile;

/// A screen pattern as written in a profile: a case-insensitive substring of one line;
/// a leading `^` anchors it to the line's start (after indentation), a trailing `$` to
/// its end (before trailing blanks). `^sim>$` is a line that is exactly `sim>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    written: String,
    needle: String,
    start: bool,
    end: bool,
}

impl Pattern {
    pub fn new(written: &str) -> Pattern {
        let start = written.starts_with('^');
        let rest = written.strip_prefix('^').unwrap_or(written);
        let end = rest.len() > 1 && rest.ends_with('$');
        let rest = if end { &rest[..rest.len() - 1] } else { rest };
        Pattern { written: written.to_string(), needle: rest.to_lowercase(), start, end }
    }

    /// Whether this pattern matches `line`.
    pub fn matches(&self, line: &str) -> bool {
        let line = line.to_lowercase();
        let line = if self.start { line.trim_start() } else { line.as_str() };
        let line = if self.end { line.trim_end() } else { line };
        match (self.start, self.end) {
            (true, true) => line == self.needle,
            (true, false) => line.starts_with(&self.needle),
            (false, true) => line.ends_with(&self.needle),
            (false, false) => line.contains(&self.needle),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.written
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written)
    }
}

/// What a screen shows, from the strongest sign down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScreenState {
    RateLimited,
    Waiting,
    Busy,
    Ready,
}

impl ScreenState {
    pub fn as_str(self) -> &'static str {
        match self {
            ScreenState::RateLimited => "rate_limited",
            ScreenState::Waiting => "waiting",
            ScreenState::Busy => "busy",
            ScreenState::Ready => "ready",
        }
    }
}

/// The last `n` non-blank lines of a screen, oldest first.
pub fn tail(screen: &str, n: usize) -> Vec<&str> {
    let mut lines: Vec<&str> =
        screen.lines().rev().filter(|l| !l.trim().is_empty()).take(n).collect();
    lines.reverse();
    lines
}

/// The first of `patterns` found on any of `lines`.
pub fn find<'p>(patterns: &'p [Pattern], lines: &[&str]) -> Option<&'p Pattern> {
    patterns.iter().find(|p| lines.iter().any(|l| p.matches(l)))
}

/// What `profile` reads on the last lines of `screen`, and the pattern that decided.
/// Busy outranks ready: Claude Code keeps its `❯` input line visible while it works.
pub fn read<'p>(profile: &'p Profile, screen: &str) -> Option<(ScreenState, &'p Pattern)> {
    let lines = tail(screen, profile.tail_lines);
    if profile.prompt_last {
        let last = lines.last().map(std::slice::from_ref).unwrap_or_default();
        if let Some(p) = find(&profile.ready, last) {
            return Some((ScreenState::Ready, p));
        }
    }
    let ready_on = if profile.prompt_last { &[] } else { &lines[..] };
    [
        (ScreenState::RateLimited, &profile.rate_limited, &lines[..]),
        (ScreenState::Waiting, &profile.waiting, &lines[..]),
        (ScreenState::Busy, &profile.busy, &lines[..]),
        (ScreenState::Ready, &profile.ready, ready_on),
    ]
    .into_iter()
    .find_map(|(state, patterns, on)| find(patterns, on).map(|p| (state, p)))
}

/// `screen` as far as progress goes: for a profile whose busy line only ticks (a timer, a
/// braille spinner), that line without its digits and spinner, so a screen where nothing
/// else moves reads as unchanged.
pub fn progress_view<'s>(profile: &Profile, screen: &'s str) -> std::borrow::Cow<'s, str> {
    if !profile.busy_timer {
        return std::borrow::Cow::Borrowed(screen);
    }
    let lines: Vec<String> = screen
        .lines()
        .map(|l| match profile.busy.iter().any(|p| p.matches(l)) {
            true => untimed(l),
            false => l.to_string(),
        })
        .collect();
    std::borrow::Cow::Owned(lines.join("\n"))
}

/// `line` without numbers, the `h` / `m` / `s` right after them, braille spinner frames,
/// and with its blanks collapsed: `⠙ Thinking... (esc to cancel, 11m 14s)` and
/// `⠋ Thinking... (esc to cancel, 3s)` read the same.
fn untimed(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut after_number = false;
    for c in line.chars() {
        if c.is_ascii_digit() || (after_number && matches!(c, 'h' | 'm' | 's')) {
            after_number = true;
        } else if !('\u{2800}'..='\u{28FF}').contains(&c) {
            after_number = false;
            out.push(c);
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Agent;

    const CLAUDE_IDLE: &str = "● Done.\n\n────────────\n❯ \n────────────\n  ? for shortcuts\n";
    const CLAUDE_BUSY: &str =
        "✻ Working… (3s)\n────────────\n❯ \n────────────\n  esc to interrupt\n\n\n";

    #[test]
    fn anchors_bind_a_pattern_to_the_start_or_end_of_a_line() {
        assert!(Pattern::new("^sim>$").matches("sim> "));
        assert!(!Pattern::new("^sim>$").matches("sim> hello"));
        assert!(Pattern::new("^>").matches("  > "));
        assert!(!Pattern::new("^>").matches("a > b"));
        assert!(Pattern::new("ESC to interrupt").matches("  esc to interrupt)"));
        assert!(Pattern::new("$").matches("costs $"), "a lone $ is a plain character");
    }

    #[test]
    fn claude_is_ready_at_its_prompt_and_busy_while_the_prompt_line_stays() {
        let claude = Profile::builtin(Agent::Claude);
        assert_eq!(read(&claude, CLAUDE_IDLE).map(|r| r.0), Some(ScreenState::Ready));
        let (state, why) = read(&claude, CLAUDE_BUSY).unwrap();
        assert_eq!((state, why.as_str()), (ScreenState::Busy, "esc to interrupt"));
    }

    #[test]
    fn aider_back_at_its_prompt_is_ready_with_the_answered_question_above() {
        // A real pane 48 columns wide, after the output question was answered.
        let aider = Profile::builtin(Agent::Aider);
        let answered = "Add command output to the chat? (Y)es/(N)o/(D)on't ask again [\nYes]: y\n\
                        Added 2 lines of output to the chat.\n\n>\n";
        assert_eq!(read(&aider, answered).map(|r| r.0), Some(ScreenState::Ready));
        let asking = "Add command output to the chat? (Y)es/(N)o/(D)on't ask again [\nYes]:\n";
        assert_eq!(read(&aider, asking).map(|r| r.0), Some(ScreenState::Waiting));
        // Working with NO_COLOR (no spinner): the submitted prompt's lines, an empty one
        // among them, are not its prompt.
        let working = "> TMUX-IDE-TASK: 901\n>\n> Report it with exactly this command:\n>\n> tmux-ide task done 901\n";
        assert_eq!(read(&aider, working), None);
        // Other programs keep their prompt line below a question or a busy line.
        let claude = Profile::builtin(Agent::Claude);
        assert_eq!(read(&claude, CLAUDE_BUSY).map(|r| r.0), Some(ScreenState::Busy));
    }

    #[test]
    fn a_permission_prompt_and_a_rate_limit_outrank_busy_and_ready() {
        let claude = Profile::builtin(Agent::Claude);
        let asking = "Bash(rm -rf build)\n Do you want to proceed?\n ❯ 1. Yes\n   2. No\n";
        assert_eq!(read(&claude, asking).map(|r| r.0), Some(ScreenState::Waiting));
        let limited = "Claude usage limit reached. Resets at 5pm\n❯ \n? for shortcuts";
        assert_eq!(read(&claude, limited).map(|r| r.0), Some(ScreenState::RateLimited));
    }

    #[test]
    fn a_ticking_busy_line_is_no_progress_for_gemini_but_new_output_is() {
        let gemini = Profile::builtin(Agent::Gemini);
        let at = |t: &str, out: &str| {
            format!("{out}\n ⠙ Thinking... (esc to cancel, {t})\n────\n >   Type your message")
        };
        let view = |s: &str| progress_view(&gemini, s).into_owned();
        assert_eq!(view(&at("3s", "x")), view(&at("11m 14s", "x")));
        assert_ne!(view(&at("3s", "x")), view(&at("3s", "y: 42 tests")));
        let claude = Profile::builtin(Agent::Claude);
        let busy = "✻ Working… (3s · esc to interrupt)";
        assert_eq!(progress_view(&claude, busy), busy, "others unchanged");
    }

    #[test]
    fn only_the_last_lines_count() {
        let claude = Profile::builtin(Agent::Claude);
        let old = format!("rate limit hit yesterday\n{}{CLAUDE_IDLE}", "output\n".repeat(20));
        assert_eq!(read(&claude, &old).map(|r| r.0), Some(ScreenState::Ready));
        let sim = Profile::builtin(Agent::Sim);
        assert_eq!(
            read(&sim, "● working on 1\n✓ done\nsim> ").map(|r| r.0),
            Some(ScreenState::Ready)
        );
        assert_eq!(read(&sim, "sim> \n● working on 1").map(|r| r.0), Some(ScreenState::Busy));
        assert_eq!(read(&sim, "hello"), None);
    }
}
