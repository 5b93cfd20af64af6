//! Reading `.tasks/events.jsonl` robustly: a torn last line (a crash mid-append) is
//! dropped silently, any other line that does not parse is reported, never hidden.
use std::path::Path;

use serde::Serialize;

use crate::plan::Event;
use crate::{Error, Result};

/// A line of the event log that is not a valid event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorruptLine {
    /// 1-based line number in the file.
    pub line: usize,
    pub error: String,
}

/// Parses the event log text. Blank lines are skipped. The last line, when it does not
/// end in a newline and does not parse, is a torn append and is dropped without a report;
/// every other unparsable line comes back as a [`CorruptLine`].
pub fn parse_event_log(text: &str) -> (Vec<Event>, Vec<CorruptLine>) {
    let mut events = Vec::with_capacity(text.len() / 120);
    let mut corrupt = Vec::new();
    let torn_tail_possible = !text.is_empty() && !text.ends_with('\n');
    let mut lines = text.split('\n').enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Event>(line) {
            Ok(event) => events.push(event),
            Err(_) if torn_tail_possible && lines.peek().is_none() => {}
            Err(err) => corrupt.push(CorruptLine { line: i + 1, error: err.to_string() }),
        }
    }
    (events, corrupt)
}

/// Reads and parses the event log at `path`; a missing file is an empty log.
pub fn read_event_log(path: &Path) -> Result<(Vec<Event>, Vec<CorruptLine>)> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(parse_event_log(&text)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok((Vec::new(), Vec::new())),
        Err(err) => Err(Error::io(path, err)),
    }
}

/// One warning line per corrupt line, for stderr: `events.jsonl:12: corrupt event (...)`.
pub fn describe_corrupt(path: &Path, corrupt: &[CorruptLine]) -> Vec<String> {
    corrupt
        .iter()
        .map(|c| format!("{}:{}: corrupt event skipped ({})", path.display(), c.line, c.error))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"ts":"2026-01-01T10:00:00.000Z","type":"mission_set"}"#;
    const GOOD2: &str =
        r#"{"ts":"2026-01-01T10:00:01.000Z","type":"task_done","task":"001","pane":"Backend"}"#;

    #[test]
    fn a_clean_log_parses_every_line() {
        let (events, corrupt) = parse_event_log(&format!("{GOOD}\n{GOOD2}\n"));
        assert_eq!(events.len(), 2);
        assert_eq!(events[1].task.as_deref(), Some("001"));
        assert!(corrupt.is_empty());
    }

    #[test]
    fn a_torn_last_line_is_dropped_silently() {
        let (events, corrupt) = parse_event_log(&format!("{GOOD}\n{GOOD2}\n{{\"ts\":\"2026-01"));
        assert_eq!(events.len(), 2);
        assert!(corrupt.is_empty());
    }

    #[test]
    fn a_corrupt_line_in_the_middle_is_reported_with_its_line_number() {
        let (events, corrupt) = parse_event_log(&format!("{GOOD}\nnot json\n{GOOD2}\n"));
        assert_eq!(events.len(), 2);
        assert_eq!(corrupt.len(), 1);
        assert_eq!(corrupt[0].line, 2);
    }

    #[test]
    fn a_corrupt_last_line_that_ends_in_a_newline_is_reported() {
        let (events, corrupt) = parse_event_log(&format!("{GOOD}\n{{\"broken\"\n"));
        assert_eq!(events.len(), 1);
        assert_eq!(corrupt.len(), 1);
        assert_eq!(corrupt[0].line, 2);
    }

    #[test]
    fn a_complete_last_line_without_a_newline_is_kept() {
        let (events, corrupt) = parse_event_log(&format!("{GOOD}\n{GOOD2}"));
        assert_eq!(events.len(), 2);
        assert!(corrupt.is_empty());
    }

    #[test]
    fn blank_lines_and_crlf_endings_are_tolerated() {
        let (events, corrupt) = parse_event_log(&format!("{GOOD}\r\n\n{GOOD2}\r\n"));
        assert_eq!(events.len(), 2);
        assert!(corrupt.is_empty());
    }

    #[test]
    fn a_missing_log_reads_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let (events, corrupt) = read_event_log(&dir.path().join("events.jsonl")).unwrap();
        assert!(events.is_empty() && corrupt.is_empty());
    }
}
