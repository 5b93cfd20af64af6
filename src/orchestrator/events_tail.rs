//! Follows `.tasks/events.jsonl` as it grows: reads only the complete lines appended since
//! the last call, so each tick costs what changed, not the whole history.
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

use crate::Result;
use crate::plan::Event;

#[derive(Debug)]
pub struct EventTail {
    path: PathBuf,
    offset: u64,
}

impl EventTail {
    pub fn new(path: PathBuf) -> Self {
        EventTail { path, offset: 0 }
    }

    /// Events appended since the last call. A line still being written (no newline yet)
    /// is left for the next call; a line that does not parse is skipped with a warning.
    pub fn read_new(&mut self) -> Result<Vec<Event>> {
        let mut file = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(crate::Error::io(&self.path, e)),
        };
        let len = file.metadata()?.len();
        if len < self.offset {
            // The log was replaced (e.g. a mission archived): start over.
            self.offset = 0;
        }
        file.seek(SeekFrom::Start(self.offset))?;
        let mut buf = Vec::new();
        file.read_to_end(&mut buf)?;
        let complete = buf.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        self.offset += complete as u64;
        let mut events = Vec::new();
        for line in buf[..complete].split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            match serde_json::from_slice(line) {
                Ok(event) => events.push(event),
                // A whole line that does not parse is reported, never silently dropped.
                #[allow(clippy::print_stderr, reason = "a warning with no writer at hand")]
                Err(e) => {
                    eprintln!("warning: {}: corrupt event skipped ({e})", self.path.display());
                }
            }
        }
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn only_complete_new_lines_are_returned() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        let mut tail = EventTail::new(path.clone());
        assert!(tail.read_new().unwrap().is_empty());
        let mut f = std::fs::File::create(&path).unwrap();
        writeln!(f, r#"{{"ts":"2026-01-01T00:00:00.000Z","type":"a"}}"#).unwrap();
        write!(f, r#"{{"ts":"2026-01-01T00:00:00.000Z","type":"b""#).unwrap();
        f.flush().unwrap();
        let got = tail.read_new().unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].kind.as_str(), "a");
        writeln!(f, "}}").unwrap();
        let got = tail.read_new().unwrap();
        assert_eq!(got.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["b"]);
        assert!(tail.read_new().unwrap().is_empty());
    }
}
