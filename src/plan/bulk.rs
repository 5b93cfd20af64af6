//! Reading a big `tasks.json` for the read-only views (`orch`, `top`, `metrics`): the same
//! plan [`Store::load`](super::Store::load) gives, its tasks parsed on several threads.
//!
//! The tasks array is cut where a line break sits between two of its elements (`},` then
//! a newline, then `{`: a raw newline is never inside a JSON string), and each part is
//! parsed on its own thread; the thread before a cut parses up to it and checks that an
//! element really begins there, so a cut that fell inside an element is never trusted.
//! The rest of the file (everything but the tasks) is parsed as a plan with an empty
//! tasks array, so every rule of the model (unknown fields, duplicate keys) still holds.
//! Anything unexpected falls back to parsing the whole file as the store does, which
//! also gives a broken file its usual error.
use std::path::Path;

use super::model::{Plan, Task};
use crate::{Error, Result};

/// Files smaller than this are parsed on one thread.
const PARALLEL_MIN_BYTES: usize = 4 << 20;

/// How far past a planned cut a line break between two elements is looked for.
const CUT_SEARCH_BYTES: usize = 1 << 20;

/// The plan in `path` (without the store's pending events), like
/// [`Store::load`](super::Store::load): `Plan::default()` when the file does not exist,
/// an error naming line and column when it does not parse.
pub fn load_plan(path: &Path) -> Result<Plan> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Plan::default()),
        Err(e) => return Err(Error::io(path, e)),
    };
    let parts = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
    let fast = if parts > 1 && text.len() >= PARALLEL_MIN_BYTES {
        parse_parallel(&text, parts)
    } else {
        None
    };
    let mut plan = match fast {
        Some(plan) => plan,
        None => {
            let text = std::str::from_utf8(&text).map_err(|e| {
                Error::io(path, std::io::Error::new(std::io::ErrorKind::InvalidData, e))
            })?;
            super::store::parse_plan(path, text)?
        }
    };
    plan.pending_events = Vec::new();
    Ok(plan)
}

/// [`load_plan`] through a small buffer instead of the whole text at once: for a view that
/// keeps its memory small (`mission status`). A file that does not parse is read again
/// whole, for its usual error.
pub fn load_plan_streamed(path: &Path) -> Result<Plan> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Plan::default()),
        Err(e) => return Err(Error::io(path, e)),
    };
    match serde_json::from_reader::<_, Plan>(std::io::BufReader::with_capacity(1 << 16, file)) {
        Ok(mut plan) => {
            plan.pending_events = Vec::new();
            Ok(plan)
        }
        Err(_) => load_plan(path),
    }
}

/// The plan (as [`load_plan`]) and the whole event log with its corrupt lines (as
/// [`read_event_log`](super::eventlog::read_event_log)) of `project`. A small plan is read
/// beside the log; a big one first, on every core, so the log then reuses the memory its
/// text took instead of asking the system for fresh (zeroed) pages.
#[allow(clippy::type_complexity, reason = "the two reads' results, named at the call")]
pub fn load_plan_and_log(
    project: &crate::project::Project,
) -> Result<(Plan, Vec<super::Event>, Vec<super::eventlog::CorruptLine>)> {
    let (tasks, log) = (project.tasks_json(), project.events_jsonl());
    let big = std::fs::metadata(&tasks).is_ok_and(|m| m.len() >= PARALLEL_MIN_BYTES as u64);
    let (plan, log) = if big {
        let plan = load_plan(&tasks)?;
        (Ok(plan), super::eventlog::read_event_log(&log))
    } else {
        std::thread::scope(|scope| {
            let events = scope.spawn(|| super::eventlog::read_event_log(&log));
            let plan = load_plan(&tasks);
            (plan, events.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        })
    };
    let (plan, (events, corrupt)) = (plan?, log?);
    Ok((plan, events, corrupt))
}

/// The plan in `text` with its tasks parsed in `parts` pieces side by side; `None` when
/// the file is not laid out for it or does not parse (the caller then parses it whole).
fn parse_parallel(text: &[u8], parts: usize) -> Option<Plan> {
    let open = tasks_array(text)?;
    let first = skip_ws(text, open + 1);
    if text.get(first) == Some(&b']') {
        return None; // no tasks: nothing to share out
    }
    let cuts = cuts(text, first, parts);
    let pieces: Vec<Option<Piece>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..cuts.len())
            .map(|i| {
                let start = cuts[i];
                let stop = cuts.get(i + 1).copied();
                scope.spawn(move || parse_elements(text, start, stop, i == 0))
            })
            .collect();
        handles.into_iter().map(|h| h.join().ok().flatten()).collect()
    });
    let mut pieces = pieces.into_iter().collect::<Option<Vec<Piece>>>()?;
    let close = pieces.last()?.end;
    // The plan around the tasks: what precedes the array, `[]`, what follows it.
    let mut rest = Vec::with_capacity(open + 2 + text.len() - close - 1);
    rest.extend_from_slice(&text[..open]);
    rest.extend_from_slice(b"[]");
    rest.extend_from_slice(&text[close + 1..]);
    let mut plan: Plan = serde_json::from_slice(&rest).ok()?;
    if !plan.tasks.is_empty() {
        return None;
    }
    let total: usize = pieces.iter().map(|p| p.tasks.len()).sum();
    let mut tasks = std::mem::take(&mut pieces[0].tasks);
    tasks.reserve_exact(total - tasks.len());
    for p in &mut pieces[1..] {
        tasks.append(&mut p.tasks);
    }
    plan.tasks = tasks;
    Some(plan)
}

/// The tasks of one part and where parsing stopped: at the next part's first element,
/// or (the last part) at the `]` closing the array.
struct Piece {
    tasks: Vec<Task>,
    end: usize,
}

/// Parses the elements from `start` (the first byte of an element) on: up to `stop`,
/// which must be exactly where an element begins, or without one to the closing `]`.
/// The first part makes room for every task, so the others are appended without a copy.
fn parse_elements(text: &[u8], start: usize, stop: Option<usize>, first: bool) -> Option<Piece> {
    let mut tasks = Vec::new();
    let mut at = start;
    loop {
        let mut stream = serde_json::Deserializer::from_slice(&text[at..]).into_iter::<Task>();
        let task = stream.next()?.ok()?;
        let element_end = at + stream.byte_offset();
        if tasks.is_empty() {
            // Sized from the first element, generously: untouched capacity costs nothing.
            let bytes = if first { text.len() } else { stop.unwrap_or(text.len()) } - start;
            tasks.reserve(bytes / (element_end - start).max(1) * 5 / 4 + 16);
        }
        tasks.push(task);
        let after = skip_ws(text, element_end);
        match text.get(after) {
            Some(b',') => at = skip_ws(text, after + 1),
            Some(b']') if stop.is_none() => return Some(Piece { tasks, end: after }),
            _ => return None,
        }
        match stop {
            Some(stop) if at == stop => return Some(Piece { tasks, end: at }),
            Some(stop) if at > stop => return None,
            _ => {}
        }
    }
}

/// Where each part begins: `first`, then about every `len / parts` bytes the first
/// element that follows a line break. Fewer parts when no such place is found.
fn cuts(text: &[u8], first: usize, parts: usize) -> Vec<usize> {
    let mut cuts = vec![first];
    let size = (text.len() - first) / parts;
    for i in 1..parts {
        let from = first + i * size;
        if from <= *cuts.last().unwrap_or(&first) {
            continue;
        }
        if let Some(cut) = element_after_newline(text, from)
            && cut > *cuts.last().unwrap_or(&first)
        {
            cuts.push(cut);
        }
    }
    cuts
}

/// The first `{` at or after `from` (within [`CUT_SEARCH_BYTES`]) that follows a comma, a
/// newline and nothing else but whitespace.
fn element_after_newline(text: &[u8], from: usize) -> Option<usize> {
    let end = text.len().min(from + CUT_SEARCH_BYTES);
    let mut i = from;
    while i < end {
        let nl = i + text[i..end].iter().position(|&b| b == b'\n')?;
        let before = text[..nl].iter().rposition(|b| !is_ws(*b));
        let after = skip_ws(text, nl);
        if before.is_some_and(|b| text[b] == b',') && text.get(after) == Some(&b'{') {
            return Some(after);
        }
        i = nl + 1;
    }
    None
}

/// Where the value of the top-level `"tasks"` key begins, when it is an array. Scans
/// from the start, tracking strings and nesting, only until that key is found.
fn tasks_array(text: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = skip_ws(text, 0);
    if text.get(i) != Some(&b'{') {
        return None;
    }
    while i < text.len() {
        match text[i] {
            b'"' => {
                let end = string_end(text, i)?;
                if depth == 1 {
                    let colon = skip_ws(text, end + 1);
                    if text.get(colon) == Some(&b':') && &text[i..=end] == b"\"tasks\"" {
                        let value = skip_ws(text, colon + 1);
                        return (text.get(value) == Some(&b'[')).then_some(value);
                    }
                }
                i = end + 1;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.checked_sub(1)?,
            _ => {}
        }
        i += 1;
    }
    None
}

/// The index of the quote closing the string that opens at `start`.
fn string_end(text: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < text.len() {
        match text[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

fn skip_ws(text: &[u8], mut i: usize) -> usize {
    while text.get(i).is_some_and(|b| is_ws(*b)) {
        i += 1;
    }
    i
}

#[cfg(test)]
#[path = "bulk_tests.rs"]
mod tests;
