//! `tmux-ide logs`: print the orchestrator's log (`.tmux-ide/run/orchestrator.log` and
//! its rotated files, oldest first), filtered by level, optionally following it. Control
//! characters are escaped: the log quotes plan text, which may hold terminal escapes.
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use super::Ctx;
use crate::log::{KEEP, orchestrator_log, rotated};
use crate::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Keep printing lines as they are written (Ctrl-C ends).
    #[arg(short, long)]
    pub follow: bool,

    /// Print only the last N lines.
    #[arg(short = 'n', long = "lines", value_name = "N")]
    pub lines: Option<usize>,

    /// Print only lines of this level or more severe.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub level: Option<Level>,
}

/// Log levels, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Level {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl Level {
    fn of_word(word: &str) -> Option<Level> {
        <Level as clap::ValueEnum>::from_str(word, true).ok()
    }
}

/// Keeps the lines at `level` or more severe. A line with no level of its own (the rest
/// of a message that spans lines) goes with the line before it.
pub fn filter(lines: &[String], level: Option<Level>) -> Vec<String> {
    let Some(max) = level else { return lines.to_vec() };
    let mut keep = false;
    let mut out = Vec::new();
    for line in lines {
        if let Some(l) = line.split_whitespace().nth(1).and_then(Level::of_word) {
            keep = l <= max;
        }
        if keep {
            out.push(line.clone());
        }
    }
    out
}

/// `line` with every control character written as an escape (`\u{1b}`).
pub fn escape(line: &str) -> String {
    line.chars()
        .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
        .collect()
}

pub fn run(ctx: &Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.project()?;
    let path = orchestrator_log(&project);
    if !path.exists() && !args.follow {
        return Err(Error::failed(format!("no orchestrator log yet at {}", path.display()))
            .with_hint(
                "it is written once the orchestrator runs (`orchestrator: enabled: true`)",
            ));
    }
    let mut all = Vec::new();
    for n in (1..=KEEP).rev() {
        all.extend(lines_of(&std::fs::read(rotated(&path, n)).unwrap_or_default()));
    }
    // Following starts where this read ended, so a line written meanwhile is not lost.
    let identity = file_identity(&path);
    let current = std::fs::read(&path).unwrap_or_default();
    all.extend(lines_of(&current));
    let mut lines = filter(&all, args.level);
    if let Some(n) = args.lines {
        lines.drain(..lines.len().saturating_sub(n));
    }
    let mut out = std::io::stdout().lock();
    for line in &lines {
        writeln!(out, "{}", escape(line))?;
    }
    out.flush()?;
    if args.follow {
        follow(&path, (identity, current.len() as u64), args.level, &mut out)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn lines_of(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes).lines().map(str::to_string).collect()
}

/// Prints lines appended to `path` after `from` (the file's identity and the length
/// already printed) until Ctrl-C; a rotation (the file replaced or cut short) starts over
/// at the new file's beginning.
fn follow(
    path: &Path,
    from: (Option<(u64, u64)>, u64),
    level: Option<Level>,
    out: &mut impl Write,
) -> Result<()> {
    crate::signals::install();
    let (mut identity, mut offset) = from;
    let mut partial = String::new();
    let mut last_level_kept = true;
    while !crate::signals::stop_requested() {
        std::thread::sleep(Duration::from_millis(200));
        let now = file_identity(path);
        let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if now != identity || len < offset {
            (identity, offset) = (now, 0);
            partial.clear();
        }
        if len == offset {
            continue;
        }
        let mut bytes = Vec::new();
        if let Ok(mut f) = File::open(path) {
            f.seek(SeekFrom::Start(offset))?;
            f.read_to_end(&mut bytes)?;
        }
        offset += bytes.len() as u64;
        partial.push_str(&String::from_utf8_lossy(&bytes));
        while let Some(end) = partial.find('\n') {
            let line: String = partial.drain(..=end).collect();
            let line = line.trim_end_matches('\n').to_string();
            if let Some(l) = line.split_whitespace().nth(1).and_then(Level::of_word) {
                last_level_kept = level.is_none_or(|max| l <= max);
            }
            if last_level_kept {
                writeln!(out, "{}", escape(&line))?;
            }
        }
        out.flush()?;
    }
    Ok(())
}

/// The file's inode (device and number), to notice it was replaced by a rotation.
fn file_identity(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        std::fs::metadata(path).ok().and_then(|m| m.created().ok()).map(|t| {
            let d = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            (d.as_secs(), u64::from(d.subsec_nanos()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn a_level_keeps_that_level_and_more_severe_with_their_continuation_lines() {
        let log = lines(
            "t1  INFO a: started\nt2 ERROR a: failed\n  second line\nt3 DEBUG a: tick\nt4  WARN a: slow",
        );
        assert_eq!(
            filter(&log, Some(Level::Warn)),
            ["t2 ERROR a: failed", "  second line", "t4  WARN a: slow"]
        );
        assert_eq!(filter(&log, None).len(), 5);
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape("a\u{1b}[2Jb\tc"), "a\\u{1b}[2Jb\\tc");
        assert_eq!(escape("plain ✓"), "plain ✓");
    }
}
