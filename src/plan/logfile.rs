//! The writing side of `.tasks/events.jsonl`, used only under the store lock: opened
//! without following a symlink, its tail repaired (a complete last event without its
//! newline is kept and terminated; only a torn, unparsable tail is dropped, with a
//! warning), its last `seq` found by reading back from the end, whole lines appended.
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::events::Event;
use crate::{Error, Result};

/// How much is read at a time when looking back from the end of the log.
const CHUNK: u64 = 16 * 1024;

/// The highest event position: the largest integer a browser reads exactly from JSON,
/// and far from wrapping around.
pub(crate) const MAX_SEQ: u64 = (1 << 53) - 1;

/// Refuses a position read from `path` that leaves no room for the next ones.
pub(crate) fn check_seq(path: &Path, seq: u64) -> Result<()> {
    if seq < MAX_SEQ {
        return Ok(());
    }
    Err(Error::bad_input(format!(
        "{}: event seq {seq} is out of range (positions run from 1 to {MAX_SEQ})",
        path.display()
    )))
}

/// The event log, open for appending, with the store lock held by the caller.
pub(crate) struct LogFile {
    file: File,
    path: PathBuf,
    last_seq: u64,
}

impl LogFile {
    /// Opens (creating) the log at `path` inside the project at `root`, repairs its tail
    /// and reads the `seq` of its last event that has one (0 for none).
    pub fn open(root: &Path, path: &Path) -> Result<LogFile> {
        let mut file = crate::project::open_append(root, path)?;
        let last_seq = read_tail(&mut file, path).map_err(|e| Error::io(path, e))?;
        check_seq(path, last_seq)?;
        Ok(LogFile { file, path: path.to_path_buf(), last_seq })
    }

    /// The `seq` of the last event in the log.
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// Appends the events as whole lines in one write, synced.
    pub fn append(&mut self, events: &[Event]) -> Result<()> {
        if self.write(events)? {
            self.file.sync_data().map_err(|e| Error::io(&self.path, e))?;
        }
        Ok(())
    }

    /// Appends the events as whole lines in one write, not yet synced: the caller releases
    /// the store lock, then calls [`Unsynced::sync`] before it reports success (see
    /// `Store::append_events` for why that order keeps the store's guarantees).
    pub fn append_unsynced(mut self, events: &[Event]) -> Result<Unsynced> {
        let dirty = self.write(events)?;
        Ok(Unsynced { file: dirty.then_some(self.file), path: self.path })
    }

    /// One `write` of whole lines; whether there was anything to write.
    fn write(&mut self, events: &[Event]) -> Result<bool> {
        if events.is_empty() {
            return Ok(false);
        }
        let mut buf = Vec::new();
        for ev in events {
            serde_json::to_writer(&mut buf, ev)?;
            buf.push(b'\n');
        }
        self.file.write_all(&buf).map_err(|e| Error::io(&self.path, e))?;
        let highest = events.iter().filter_map(|e| e.seq).max().unwrap_or(0);
        self.last_seq = self.last_seq.max(highest);
        Ok(true)
    }
}

/// Lines appended to the log whose data is not yet known to be on disk.
#[derive(Debug)]
#[must_use = "the append is durable only once synced"]
pub(crate) struct Unsynced {
    file: Option<File>,
    path: PathBuf,
}

impl Unsynced {
    /// Waits until the appended lines are on disk (nothing to do when none were).
    pub fn sync(self) -> Result<()> {
        match &self.file {
            Some(file) => file.sync_data().map_err(|e| Error::io(&self.path, e)),
            None => Ok(()),
        }
    }
}

/// Repairs the tail (see [`repair_tail`]) and finds the last `seq` (see [`find_last_seq`])
/// from one read of the last chunk when it holds the whole last line and a line with a
/// `seq`, as it does in a log this version writes; anything else takes the long way.
fn read_tail(file: &mut File, path: &Path) -> std::io::Result<u64> {
    use std::os::unix::fs::FileExt;
    let len = file.metadata()?.len();
    let start = len - CHUNK.min(len);
    // On the stack: a fresh allocation could be the first touch of a huge page of the
    // allocator's, which the kernel clears whole (2 MiB) for 16 KiB read once.
    let mut buf = [0u8; CHUNK as usize];
    let chunk = &mut buf[..(len - start) as usize];
    file.read_exact_at(chunk, start)?;
    let line_start = match chunk.iter().rposition(|&b| b == b'\n') {
        Some(i) => i + 1,
        None if start == 0 => 0,
        // The last line is longer than a chunk.
        None => {
            repair_tail(file, path)?;
            return find_last_seq(file);
        }
    };
    let tail = &chunk[line_start..];
    let mut kept_tail = None;
    if !tail.is_empty() {
        if serde_json::from_slice::<Event>(tail).is_ok() {
            // The file is in append mode: this lands at the end.
            file.write_all(b"\n")?;
            kept_tail = Some(tail);
        } else {
            file.set_len(start + line_start as u64)?;
            warn_dropped(path, tail);
        }
    }
    // Whole lines only: the chunk's first line may be cut by its start.
    let first_whole = match (start, chunk.iter().position(|&b| b == b'\n')) {
        (0, _) => 0,
        (_, Some(i)) => i + 1,
        (_, None) => line_start,
    };
    let whole = chunk.get(first_whole..line_start).unwrap_or_default();
    let found =
        kept_tail.and_then(seq_of).or_else(|| whole.rsplit(|&b| b == b'\n').find_map(seq_of));
    match found {
        Some(seq) => Ok(seq),
        None => find_last_seq(file),
    }
}

#[allow(
    clippy::print_stderr,
    reason = "the store has no writer; a repaired log is worth a warning"
)]
fn warn_dropped(path: &Path, tail: &[u8]) {
    if !tail.iter().all(u8::is_ascii_whitespace) {
        eprintln!(
            "warning: {}: dropped an incomplete last line ({} bytes) left by an interrupted write",
            path.display(),
            tail.len()
        );
    }
}

/// Where the last line starts: just after the last newline before `len` (0 if none).
fn last_line_start(file: &mut File, len: u64) -> std::io::Result<u64> {
    let mut end = len;
    while end > 0 {
        let n = CHUNK.min(end);
        let mut chunk = vec![0; n as usize];
        file.seek(SeekFrom::Start(end - n))?;
        file.read_exact(&mut chunk)?;
        if let Some(i) = chunk.iter().rposition(|&b| b == b'\n') {
            return Ok(end - n + i as u64 + 1);
        }
        end -= n;
    }
    Ok(0)
}

/// A last line without its newline is either a complete event (a writer that did not end
/// its line, or an editor that stripped it): kept, and its newline added; or what a writer
/// killed mid-append left: cut off, said on stderr.
fn repair_tail(file: &mut File, path: &Path) -> std::io::Result<()> {
    let len = file.metadata()?.len();
    let start = last_line_start(file, len)?;
    if start == len {
        return Ok(());
    }
    let mut tail = vec![0; (len - start) as usize];
    file.seek(SeekFrom::Start(start))?;
    file.read_exact(&mut tail)?;
    if serde_json::from_slice::<Event>(&tail).is_ok() {
        // The file is in append mode: this lands at the end.
        return file.write_all(b"\n");
    }
    file.set_len(start)?;
    warn_dropped(path, tail.as_slice());
    Ok(())
}

/// The `seq` of the last line that has one, reading back from the end a chunk at a time:
/// one small read when the log was written by this version, the whole file only once for
/// a log written before events had positions.
fn find_last_seq(file: &mut File) -> std::io::Result<u64> {
    let mut pos = file.metadata()?.len();
    // Bytes from `pos` on that are not yet looked at: a line cut by the chunk boundary.
    let mut pending: Vec<u8> = Vec::new();
    while pos > 0 {
        let n = CHUNK.min(pos);
        pos -= n;
        let mut chunk = vec![0; n as usize];
        file.seek(SeekFrom::Start(pos))?;
        file.read_exact(&mut chunk)?;
        chunk.extend_from_slice(&pending);
        // Whole lines: everything after the first newline, or all of it at the start.
        let whole_from = match (pos, chunk.iter().position(|&b| b == b'\n')) {
            (0, _) => 0,
            (_, Some(i)) => i + 1,
            (_, None) => {
                pending = chunk;
                continue;
            }
        };
        if let Some(seq) = chunk[whole_from..].rsplit(|&b| b == b'\n').find_map(seq_of) {
            return Ok(seq);
        }
        chunk.truncate(whole_from);
        pending = chunk;
    }
    Ok(0)
}

/// The `seq` of one log line, without reading the rest of the event.
fn seq_of(line: &[u8]) -> Option<u64> {
    #[derive(serde::Deserialize)]
    struct Seq {
        seq: Option<u64>,
    }
    serde_json::from_slice::<Seq>(line).ok()?.seq
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_with(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    const A: &str = r#"{"ts":"2026-01-01T10:00:00.000Z","type":"a","seq":7}"#;
    const B: &str = r#"{"ts":"2026-01-01T10:00:01.000Z","type":"b","seq":8}"#;

    #[test]
    fn a_complete_last_event_without_a_newline_is_kept_and_terminated() {
        let (d, path) = log_with(&format!("{A}\n{B}"));
        let log = LogFile::open(d.path(), &path).unwrap();
        assert_eq!(log.last_seq(), 8);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("{A}\n{B}\n"));
    }

    #[test]
    fn a_torn_tail_is_cut_and_the_last_whole_event_gives_the_seq() {
        let (d, path) = log_with(&format!("{A}\n{B}\n{{\"ts\":\"2026-01-01T1"));
        let log = LogFile::open(d.path(), &path).unwrap();
        assert_eq!(log.last_seq(), 8);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("{A}\n{B}\n"));
    }

    #[test]
    fn the_last_seq_is_found_behind_lines_without_one_across_chunks() {
        let old = r#"{"ts":"2026-01-01T10:00:00.000Z","type":"old","text":"xxxxxxxxxxxxxxxx"}"#;
        let mut text = format!("{A}\n");
        while text.len() < 3 * CHUNK as usize {
            text.push_str(old);
            text.push('\n');
        }
        let (d, path) = log_with(&text);
        assert_eq!(LogFile::open(d.path(), &path).unwrap().last_seq(), 7);
        let (d, path) = log_with(&text[A.len() + 1..]);
        assert_eq!(LogFile::open(d.path(), &path).unwrap().last_seq(), 0);
    }

    #[test]
    fn a_last_line_longer_than_a_chunk_is_kept_or_cut_like_any_other() {
        let long = format!(
            r#"{{"ts":"2026-01-01T10:00:02.000Z","type":"c","seq":9,"text":"{}"}}"#,
            "y".repeat(2 * CHUNK as usize)
        );
        let (d, path) = log_with(&format!("{A}\n{long}"));
        assert_eq!(LogFile::open(d.path(), &path).unwrap().last_seq(), 9);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("{A}\n{long}\n"));
        let torn = &long[..long.len() - 2];
        let (d, path) = log_with(&format!("{A}\n{B}\n{torn}"));
        assert_eq!(LogFile::open(d.path(), &path).unwrap().last_seq(), 8);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("{A}\n{B}\n"));
    }

    #[test]
    fn a_kept_last_line_without_a_seq_leaves_the_seq_to_the_lines_before() {
        let old = r#"{"ts":"2026-01-01T10:00:00.000Z","type":"old"}"#;
        let (d, path) = log_with(&format!("{A}\n{B}\n{old}"));
        assert_eq!(LogFile::open(d.path(), &path).unwrap().last_seq(), 8);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), format!("{A}\n{B}\n{old}\n"));
        // A torn tail cut at the chunk's start: the seq is looked for further back.
        let mut text = format!("{A}\n");
        while text.len() < CHUNK as usize + 10 {
            text.push_str(old);
            text.push('\n');
        }
        let (d, path) = log_with(&format!("{text}{{\"ts\":"));
        assert_eq!(LogFile::open(d.path(), &path).unwrap().last_seq(), 7);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }

    #[test]
    fn an_unsynced_append_is_in_the_file_at_once_and_synced_after() {
        let (d, path) = log_with(&format!("{A}\n"));
        let log = LogFile::open(d.path(), &path).unwrap();
        let mut e = Event::new(jiff::Timestamp::UNIX_EPOCH, "x");
        e.seq = Some(8);
        let unsynced = log.append_unsynced(&[e]).unwrap();
        // What the next lock holder reads, before this writer has synced.
        assert_eq!(LogFile::open(d.path(), &path).unwrap().last_seq(), 8);
        unsynced.sync().unwrap();
        let nothing = LogFile::open(d.path(), &path).unwrap().append_unsynced(&[]).unwrap();
        assert!(nothing.file.is_none());
        nothing.sync().unwrap();
    }

    #[test]
    fn appending_advances_the_last_seq() {
        let (d, path) = log_with("");
        let mut log = LogFile::open(d.path(), &path).unwrap();
        let mut e = Event::new(jiff::Timestamp::UNIX_EPOCH, "x");
        e.seq = Some(3);
        log.append(&[e]).unwrap();
        assert_eq!(log.last_seq(), 3);
        assert_eq!(LogFile::open(d.path(), &path).unwrap().last_seq(), 3);
    }
}
