//! Reading what was appended to an agent's JSONL log since the last look: from a
//! remembered offset, whole lines only (a half-written last line waits for the next
//! look), each bounded in length, never following a symlink and never blocking on
//! anything that is not a regular file. The path comes from a hook payload: untrusted.
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// A line longer than this is skipped, not parsed (no usage record is near that size).
pub const MAX_LINE: usize = 4 << 20;
/// At most this much is read per look; the rest waits for the next.
pub const MAX_READ: u64 = 16 << 20;
/// A whole-document source (Gemini's session file) larger than this is not read.
pub const MAX_DOCUMENT: u64 = 32 << 20;

/// Where a reader stands in a file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    /// Bytes consumed so far.
    pub offset: u64,
    /// Inside an over-long line: everything up to the next newline is skipped.
    pub skipping: bool,
}

/// The whole lines appended since `cursor`, and where the reader stands after them.
#[derive(Debug, Default)]
pub struct NewLines {
    pub lines: Vec<String>,
    pub cursor: Cursor,
    /// Lines skipped as too long or not UTF-8.
    pub skipped: usize,
    /// The file is shorter than the cursor: replaced or truncated; the reader moved to its end.
    pub shrunk: bool,
}

/// Opens `path` for reading without following a symlink at its last component and
/// without blocking (a FIFO would); only a regular file is accepted.
pub fn open_regular(path: &Path) -> std::io::Result<File> {
    if !path.is_absolute() || path.as_os_str().len() > super::MAX_PATH {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not an absolute path"));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file"));
    }
    Ok(file)
}

/// Reads the lines appended to `path` after `cursor`.
pub fn read_new(path: &Path, cursor: Cursor) -> std::io::Result<NewLines> {
    let mut file = open_regular(path)?;
    let len = file.metadata()?.len();
    if len < cursor.offset {
        let cursor = Cursor { offset: len, skipping: false };
        return Ok(NewLines { cursor, shrunk: true, ..NewLines::default() });
    }
    let want = (len - cursor.offset).min(MAX_READ);
    let mut buf = Vec::with_capacity(want as usize);
    file.seek(SeekFrom::Start(cursor.offset))?;
    file.take(want).read_to_end(&mut buf)?;
    Ok(split(&buf, cursor))
}

/// The whole lines of `buf` (read from `cursor.offset`), and the cursor after them.
pub fn split(buf: &[u8], cursor: Cursor) -> NewLines {
    let mut out = NewLines { cursor, ..NewLines::default() };
    let mut rest = buf;
    while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
        let line = &rest[..nl];
        if out.cursor.skipping {
            out.cursor.skipping = false;
        } else if line.len() > MAX_LINE {
            out.skipped += 1;
        } else {
            match std::str::from_utf8(line) {
                Ok(text) if !text.trim().is_empty() => out.lines.push(text.to_string()),
                Ok(_) => {}
                Err(_) => out.skipped += 1,
            }
        }
        out.cursor.offset += nl as u64 + 1;
        rest = &rest[nl + 1..];
    }
    // An unfinished line waits for its newline, unless it is already too long to parse.
    if rest.len() > MAX_LINE || (out.cursor.skipping && !rest.is_empty()) {
        if !out.cursor.skipping {
            out.skipped += 1;
        }
        out.cursor.offset += rest.len() as u64;
        out.cursor.skipping = true;
    }
    out
}

/// The whole of a document-style source (bounded), without following a symlink.
pub fn read_document(path: &Path) -> std::io::Result<String> {
    let file = open_regular(path)?;
    if file.metadata()?.len() > MAX_DOCUMENT {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "too large"));
    }
    let mut text = String::new();
    file.take(MAX_DOCUMENT).read_to_string(&mut text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn only_whole_lines_are_taken_and_the_rest_waits() {
        let got = split(b"{\"a\":1}\n{\"b\":2}\n{\"c\":", Cursor::default());
        assert_eq!(got.lines, ["{\"a\":1}", "{\"b\":2}"]);
        assert_eq!(got.cursor, Cursor { offset: 16, skipping: false });
        let next = split(b"{\"c\":3}\n", got.cursor);
        assert_eq!(next.lines, ["{\"c\":3}"]);
        assert_eq!(next.cursor.offset, 24);
    }

    #[test]
    fn an_over_long_line_is_skipped_even_across_reads() {
        let long = vec![b'x'; MAX_LINE + 10];
        let first = split(&long, Cursor::default());
        assert!(first.lines.is_empty() && first.cursor.skipping && first.skipped == 1);
        let second = split(b"xxxx\n{\"ok\":1}\n", first.cursor);
        assert_eq!(second.lines, ["{\"ok\":1}"]);
        assert!(!second.cursor.skipping);
        let mut whole = long.clone();
        whole.extend_from_slice(b"\n{}\n\xff\xfe\n");
        let at_once = split(&whole, Cursor::default());
        assert_eq!((at_once.lines.len(), at_once.skipped), (1, 2));
    }

    #[test]
    fn a_file_is_read_from_where_the_last_look_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(b"{\"n\":1}\n{\"n\":").unwrap();
        let one = read_new(&path, Cursor::default()).unwrap();
        assert_eq!(one.lines, ["{\"n\":1}"]);
        f.write_all(b"2}\n").unwrap();
        let two = read_new(&path, one.cursor).unwrap();
        assert_eq!(two.lines, ["{\"n\":2}"]);
        let shrunk = read_new(&path, Cursor { offset: 999, skipping: false }).unwrap();
        assert!(shrunk.shrunk && shrunk.cursor.offset == 16);
    }

    #[test]
    fn symlinks_fifos_directories_and_relative_paths_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.jsonl");
        std::fs::write(&real, "{}\n").unwrap();
        let link = dir.path().join("link.jsonl");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert!(read_new(&link, Cursor::default()).is_err());
        assert!(read_new(dir.path(), Cursor::default()).is_err());
        assert!(read_new(Path::new("real.jsonl"), Cursor::default()).is_err());
        let fifo = dir.path().join("fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        assert!(read_new(&fifo, Cursor::default()).is_err(), "a FIFO must not block or be read");
        assert!(read_document(&link).is_err());
    }
}
