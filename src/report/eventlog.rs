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
        match serde_json::from_str::<FastEvent>(line) {
            Ok(FastEvent(event)) => events.push(event),
            Err(_) if torn_tail_possible && lines.peek().is_none() => {}
            Err(err) => corrupt.push(CorruptLine { line: i + 1, error: err.to_string() }),
        }
    }
    (events, corrupt)
}

/// An [`Event`] read field by field: the same result as its derived `Deserialize`, about
/// twice as fast, because `#[serde(flatten)]` buffers every line before reading it.
struct FastEvent(Event);

impl<'de> serde::Deserialize<'de> for FastEvent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_map(FastEventVisitor)
    }
}

struct FastEventVisitor;

impl<'de> serde::de::Visitor<'de> for FastEventVisitor {
    type Value = FastEvent;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an event object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<FastEvent, A::Error> {
        use serde::de::Error as _;
        let (mut ts, mut kind) = (None, None);
        let mut event = Event::new(jiff::Timestamp::UNIX_EPOCH, "");
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "ts" => {
                    let text = map.next_value::<std::borrow::Cow<'de, str>>()?;
                    ts = Some(text.parse::<jiff::Timestamp>().map_err(A::Error::custom)?);
                }
                "type" => kind = Some(map.next_value::<String>()?),
                "task" => event.task = map.next_value()?,
                "milestone" => event.milestone = map.next_value()?,
                "assertion" => event.assertion = map.next_value()?,
                "pane" => event.pane = map.next_value()?,
                _ => {
                    let value = map.next_value::<serde_json::Value>()?;
                    event.extra.insert(key.into_owned(), value);
                }
            }
        }
        event.ts = ts.ok_or_else(|| A::Error::missing_field("ts"))?;
        event.kind = kind.ok_or_else(|| A::Error::missing_field("type"))?;
        Ok(FastEvent(event))
    }
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
    fn the_fast_reader_reads_exactly_what_the_event_type_reads() {
        let mut text = String::new();
        for e in crate::report::fixture::events() {
            text.push_str(&serde_json::to_string(&e).unwrap());
            text.push('\n');
        }
        text.push_str(
            r#"{"ts":"2026-01-01T10:00:00Z","type":"x","pane":null,"n":1.5,"o":{"a":[1]}}"#,
        );
        text.push('\n');
        let (events, corrupt) = parse_event_log(&text);
        let derived: Vec<Event> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(events, derived);
        assert!(corrupt.is_empty());
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
