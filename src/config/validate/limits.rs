//! The checks of ide.yml beyond its shape: numbers within the ranges the code can use
//! (a `stall_timeout` of 2^63 ms would wrap negative and stall every agent at once), no
//! NUL in any text (no command line or tmux option can carry one), pane text that fits the
//! tmux command carrying it, pane directories that exist, and problems that print on one
//! line whatever the user's keys contain.
use std::borrow::Cow;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Problem, push};
use crate::config::Config;

/// Allowed values of a bounded whole number, with the unit shown in the message.
pub struct Range {
    pub min: u64,
    pub max: u64,
    pub unit: &'static str,
}

/// One hour, in milliseconds.
const HOUR_MS: u64 = 3_600_000;

pub const POLL_INTERVAL: Range = Range { min: 1, max: HOUR_MS, unit: "milliseconds" };
pub const STALL_TIMEOUT: Range = Range { min: 1, max: 7 * 24 * HOUR_MS, unit: "milliseconds" };
pub const MAX_CONCURRENT_AGENTS: Range = Range { min: 1, max: 1000, unit: "agents" };
pub const MAX_RETRIES: Range = Range { min: 0, max: 100, unit: "retries" };
pub const RETRY_BACKOFF: Range = Range { min: 1, max: HOUR_MS, unit: "milliseconds" };
pub const TAIL_LINES: Range = Range { min: 1, max: 10_000, unit: "lines" };
pub const ENTER_DELAY: Range = Range { min: 0, max: 60_000, unit: "milliseconds" };
pub const RECEIPT_TIMEOUT: Range = Range { min: 0, max: 600_000, unit: "milliseconds" };

/// Bytes a pane's `command`, `dir` and `env` may take together: they reach tmux in one
/// command (the build keeps each tmux command line under 12 KiB, tmux refuses past 16),
/// beside the paths tmux-ide adds.
pub const PANE_TEXT_BYTES: usize = 8 * 1024;
/// Bytes a pane's `title`, `specialty` or `skill` may take (each is one tmux option).
pub const PANE_LABEL_BYTES: usize = 1024;

/// A pane whose text would not fit the tmux command that starts it or names it.
pub fn check_pane_text(pane: &Value, at: &str, problems: &mut Vec<Problem>) {
    let len = |v: &Value| match v {
        Value::String(s) => s.len(),
        other => other.to_string().len(),
    };
    let mut bytes = ["command", "dir"].iter().filter_map(|k| pane.get(*k)).map(len).sum::<usize>();
    if let Some(Value::Object(env)) = pane.get("env") {
        bytes += env.iter().map(|(k, v)| k.len() + 1 + len(v)).sum::<usize>();
    }
    if bytes > PANE_TEXT_BYTES {
        push(
            problems,
            at,
            format!(
                "command, dir and env take {bytes} bytes together (at most {PANE_TEXT_BYTES}: \
                 they reach tmux in one command line)"
            ),
        );
    }
    for key in ["title", "specialty", "skill"] {
        if let Some(Value::String(text)) = pane.get(key)
            && text.len() > PANE_LABEL_BYTES
        {
            let message = format!("is {} bytes long (at most {PANE_LABEL_BYTES})", text.len());
            push(problems, &super::join(at, key), message);
        }
    }
}

/// A number outside `range` (or not a whole number at all) as a problem at `path`.
pub fn check_range(value: &Value, range: &Range, path: &str, problems: &mut Vec<Problem>) {
    let allowed = format!("allowed: {}..={} {}", range.min, range.max, range.unit);
    // A YAML integer past u64 arrives as a float; it is out of range all the same.
    match value {
        Value::Number(n) if n.as_u64().is_some_and(|n| (range.min..=range.max).contains(&n)) => {}
        Value::Number(n) => push(problems, path, format!("{n} is out of range ({allowed})")),
        other => push(
            problems,
            path,
            format!("expected a whole number, found {} ({allowed})", super::kind(other)),
        ),
    }
}

/// Every key and string that holds a NUL character.
pub fn check_nul(value: &Value, path: &str, problems: &mut Vec<Problem>) {
    const WHY: &str = "contains a NUL character (no command or tmux option can take one)";
    match value {
        Value::String(s) if s.contains('\0') => push(problems, path, WHY),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_nul(item, &format!("{path}[{i}]"), problems);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let at = super::join(path, key);
                if key.contains('\0') {
                    push(problems, &at, WHY);
                } else {
                    check_nul(item, &at, problems);
                }
            }
        }
        _ => {}
    }
}

/// Where a pane starts: `dir` relative to the project root, `~/…` under `$HOME`.
pub fn pane_dir(root: &Path, dir: Option<&str>) -> PathBuf {
    match dir {
        None => root.to_path_buf(),
        Some(d) => match d.strip_prefix("~/") {
            Some(rest) => {
                std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default().join(rest)
            }
            None => root.join(d),
        },
    }
}

/// Pane `dir`s that are not directories: `up` refuses them, so the check does too.
pub fn check_dirs(config: &Config, root: &Path) -> Vec<Problem> {
    let mut problems = Vec::new();
    for window in config.layout_windows() {
        for (r, row) in window.rows.iter().enumerate() {
            for (p, pane) in row.panes.iter().enumerate() {
                let Some(dir) = pane.dir.as_deref() else { continue };
                let path = pane_dir(root, Some(dir));
                if !path.is_dir() {
                    let at = format!("{}.dir", window.pane_path(r, p));
                    push(&mut problems, &at, format!("{} is not a directory", path.display()));
                }
            }
        }
    }
    problems
}

/// `text` with control characters escaped (`\n`, `\u{0}`), so a problem stays one line.
pub fn one_line(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let escape =
        |c: char| if c.is_control() { c.escape_default().collect() } else { c.to_string() };
    Cow::Owned(text.chars().map(escape).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_other_text_kept() {
        assert_eq!(one_line("A\nB\0C"), "A\\nB\\u{0}C");
        assert_eq!(one_line("naïve — ok"), "naïve — ok");
    }

    #[test]
    fn pane_text_is_bounded_by_what_one_tmux_command_carries() {
        let mut problems = Vec::new();
        let fits = serde_json::json!({"command": "x".repeat(8000), "env": {"A": 1}});
        check_pane_text(&fits, "rows[0].panes[0]", &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        let long = serde_json::json!({"command": "x".repeat(8000), "dir": "d".repeat(100),
            "env": {"K": "v".repeat(100)}, "title": "t".repeat(1025)});
        check_pane_text(&long, "rows[0].panes[1]", &mut problems);
        let got: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "rows[0].panes[1]: command, dir and env take 8202 bytes together (at most 8192: \
                 they reach tmux in one command line)",
                "rows[0].panes[1].title: is 1025 bytes long (at most 1024)",
            ]
        );
    }

    #[test]
    fn max_retries_may_be_zero_but_not_past_a_hundred() {
        let mut problems = Vec::new();
        check_range(&Value::from(0), &MAX_RETRIES, "ok", &mut problems);
        check_range(&Value::from(101), &MAX_RETRIES, "orchestrator.max_retries", &mut problems);
        check_range(&Value::from(0), &RETRY_BACKOFF, "orchestrator.retry_backoff", &mut problems);
        let got: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "orchestrator.max_retries: 101 is out of range (allowed: 0..=100 retries)",
                "orchestrator.retry_backoff: 0 is out of range (allowed: 1..=3600000 milliseconds)",
            ]
        );
    }

    #[test]
    fn numbers_outside_a_range_name_the_range() {
        let mut problems = Vec::new();
        let huge: Value = serde_json::from_str("18446744073709551615").unwrap();
        check_range(&huge, &STALL_TIMEOUT, "orchestrator.stall_timeout", &mut problems);
        check_range(&Value::from(0), &MAX_CONCURRENT_AGENTS, "m", &mut problems);
        check_range(&Value::from(-3), &ENTER_DELAY, "p", &mut problems);
        check_range(&Value::from(1.5), &TAIL_LINES, "t", &mut problems);
        check_range(&Value::from("x"), &TAIL_LINES, "t", &mut problems);
        check_range(&Value::from(1000), &MAX_CONCURRENT_AGENTS, "ok", &mut problems);
        let got: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "orchestrator.stall_timeout: 18446744073709551615 is out of range (allowed: \
                 1..=604800000 milliseconds)",
                "m: 0 is out of range (allowed: 1..=1000 agents)",
                "p: -3 is out of range (allowed: 0..=60000 milliseconds)",
                "t: 1.5 is out of range (allowed: 1..=10000 lines)",
                "t: expected a whole number, found a string (allowed: 1..=10000 lines)",
            ]
        );
    }
}
