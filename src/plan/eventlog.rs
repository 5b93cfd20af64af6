//! Reading `.tasks/events.jsonl` robustly, for the store and every report: a torn last
//! line (a crash mid-append) is dropped silently, any other line that does not parse is
//! reported, never hidden.
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

/// Logs smaller than this are parsed on one thread.
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// Parses the event log text. Blank lines are skipped. The last line, when it does not
/// end in a newline and does not parse, is a torn append and is dropped without a report;
/// every other unparsable line comes back as a [`CorruptLine`]. A large log is cut at
/// line boundaries and its parts parsed on as many threads as there are cores.
pub fn parse_event_log(text: &str) -> (Vec<Event>, Vec<CorruptLine>) {
    let torn_tail_possible = !text.is_empty() && !text.ends_with('\n');
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if threads == 1 || text.len() < PARALLEL_MIN_BYTES {
        return parse_lines(text, 0, torn_tail_possible);
    }
    let chunks = split_at_lines(text, threads);
    let parts: Vec<(Vec<Event>, Vec<CorruptLine>)> = std::thread::scope(|scope| {
        let mut first_line = 0;
        let handles: Vec<_> = chunks
            .iter()
            .enumerate()
            .map(|(i, chunk)| {
                let from = first_line;
                first_line += chunk.bytes().filter(|&b| b == b'\n').count();
                let last = i + 1 == chunks.len();
                scope.spawn(move || parse_lines(chunk, from, last && torn_tail_possible))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    });
    let mut events = Vec::with_capacity(parts.iter().map(|p| p.0.len()).sum());
    let mut corrupt = Vec::new();
    for (e, c) in parts {
        events.extend(e);
        corrupt.extend(c);
    }
    (events, corrupt)
}

/// `text` cut into about `n` parts, each ending just after a newline (the last may not).
fn split_at_lines(text: &str, n: usize) -> Vec<&str> {
    let mut parts = Vec::with_capacity(n);
    let mut rest = text;
    let size = text.len() / n + 1;
    while rest.len() > size {
        let cut = rest.as_bytes()[size..].iter().position(|&b| b == b'\n');
        let Some(at) = cut.map(|i| size + i + 1) else { break };
        let (head, tail) = rest.split_at(at);
        parts.push(head);
        rest = tail;
    }
    if !rest.is_empty() {
        parts.push(rest);
    }
    parts
}

/// Parses whole lines; `first_line` is the 0-based number of the first line of `text`.
fn parse_lines(
    text: &str,
    first_line: usize,
    torn_tail_possible: bool,
) -> (Vec<Event>, Vec<CorruptLine>) {
    let mut events = Vec::with_capacity(text.len() / 100);
    let mut corrupt = Vec::new();
    let mut lines = text.split('\n').enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Event>(line) {
            Ok(event) => events.push(event),
            Err(_) if torn_tail_possible && lines.peek().is_none() => {}
            Err(err) => {
                corrupt.push(CorruptLine { line: first_line + i + 1, error: err.to_string() });
            }
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

/// Reads the event log at `path` one line at a time, handing each event to `f` in order,
/// in memory bounded by the longest line: the same events and corrupt lines as
/// [`read_event_log`] (a torn last line dropped silently), for views that keep only a
/// summary of the log. A missing file is an empty log.
pub fn fold_event_log(path: &Path, mut f: impl FnMut(Event)) -> Result<Vec<CorruptLine>> {
    use std::io::BufRead;
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(Error::io(path, err)),
    };
    let mut reader = std::io::BufReader::with_capacity(64 * 1024, file);
    let mut corrupt = Vec::new();
    let mut buf = Vec::new();
    let mut number = 0;
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        number += 1;
        let complete = buf.ends_with(b"\n");
        let line = std::str::from_utf8(&buf).map_err(|e| {
            Error::io(path, std::io::Error::new(std::io::ErrorKind::InvalidData, e))
        })?;
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Event>(line) {
            Ok(event) => f(event),
            Err(_) if !complete => {}
            Err(err) => corrupt.push(CorruptLine { line: number, error: err.to_string() }),
        }
    }
    Ok(corrupt)
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

    /// The streaming reader sees what the whole-file reader sees.
    fn folded(text: &str) -> (Vec<Event>, Vec<CorruptLine>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        std::fs::write(&path, text).unwrap();
        let mut events = Vec::new();
        let corrupt = fold_event_log(&path, |e| events.push(e)).unwrap();
        (events, corrupt)
    }

    #[test]
    fn folding_the_log_reads_the_same_events_and_corrupt_lines() {
        for text in [
            format!("{GOOD}\n{GOOD2}\n"),
            format!("{GOOD}\n{GOOD2}\n{{\"ts\":\"2026-01"),
            format!("{GOOD}\nnot json\n{GOOD2}\n"),
            format!("{GOOD}\n{{\"broken\"\n"),
            format!("{GOOD}\n{GOOD2}"),
            format!("{GOOD}\r\n\n{GOOD2}\r\n"),
            String::new(),
        ] {
            assert_eq!(folded(&text), parse_event_log(&text), "{text:?}");
        }
        let missing = tempfile::tempdir().unwrap().path().join("none.jsonl");
        assert!(fold_event_log(&missing, |_| {}).unwrap().is_empty());
    }

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
    fn a_large_log_parsed_in_parts_reads_every_line_in_order_with_its_number() {
        let base = crate::report::fixture::events();
        let mut text = String::new();
        let mut expected = Vec::new();
        for round in 0.. {
            if text.len() >= 3 * PARALLEL_MIN_BYTES {
                break;
            }
            for e in &base {
                text.push_str(&serde_json::to_string(e).unwrap());
                text.push('\n');
                expected.push(e.clone());
            }
            text.push_str(if round % 3 == 0 { "not json\n" } else { "\n" });
        }
        text.push_str(r#"{"ts":"2026-01-01T10:00:00Z","type":"x","n":1.5,"o":{"a":[1]}}"#);
        text.push('\n');
        expected.push(serde_json::from_str(text.lines().last().unwrap()).unwrap());
        text.push_str("{\"ts\":\"20");
        let (events, corrupt) = parse_event_log(&text);
        assert_eq!(events, expected);
        let numbers: Vec<usize> = corrupt.iter().map(|c| c.line).collect();
        let want: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| *l == "not json")
            .map(|(i, _)| i + 1)
            .collect();
        assert!(!want.is_empty());
        assert_eq!(numbers, want);
        assert_eq!(split_at_lines(&text, 2).concat(), text);
    }

    #[test]
    fn lines_the_event_type_rejects_are_corrupt() {
        for bad in [
            r#"{"type":"x"}"#,
            r#"{"ts":"2026-01-01T10:00:00Z"}"#,
            r#"{"ts":"yesterday","type":"x"}"#,
            r#"{"ts":"2026-01-01T10:00:00Z","type":"x","task":7}"#,
            r#"["ts"]"#,
        ] {
            assert!(serde_json::from_str::<Event>(bad).is_err(), "{bad}");
            let (events, corrupt) = parse_event_log(&format!("{bad}\n"));
            assert!(events.is_empty() && corrupt.len() == 1, "{bad}");
        }
    }

    #[test]
    fn a_missing_log_reads_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let (events, corrupt) = read_event_log(&dir.path().join("events.jsonl")).unwrap();
        assert!(events.is_empty() && corrupt.is_empty());
    }
}
