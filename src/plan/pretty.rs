//! `tasks.json` as the store writes it: the very bytes `serde_json::to_writer_pretty` gives
//! for a [`Plan`], written about four times faster. The tasks (thousands of small objects)
//! are written by hand; everything else (a few milestones, assertions, events) goes
//! through serde, re-indented to its depth.
//!
//! The file is three pieces: the [`head`] (`version`, `seq`), the [`body`] (every field
//! from `mission` to `assertions`: the bulk) and the [`tail`] (`pending_events`). The
//! store compares the body before and after a change to tell whether the plan changed
//! ([`rewrite_body`]): exact, since two plans whose bodies are the same bytes read back
//! as the same plan.
//!
//! Every field is destructured by name, so a field added to [`Plan`] or [`Task`] does not
//! compile until it is written here; the tests compare the bytes with serde's for plans
//! with every field set.
use serde::Serialize;

use super::model::{Plan, Task};

/// `{`, then `version` and, unless it is 0, `seq`.
pub(crate) fn head(plan: &Plan, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\n  \"version\": ");
    number(out, u64::from(plan.version));
    if plan.seq != 0 {
        out.extend_from_slice(b",\n  \"seq\": ");
        number(out, plan.seq);
    }
}

/// The fields from `mission` to `assertions`, each after its comma.
/// Where its pieces end goes to `ends` (see [`rewrite_from`]).
pub(crate) fn body(
    plan: &Plan,
    out: &mut Vec<u8>,
    ends: &mut Vec<usize>,
) -> serde_json::Result<()> {
    let start = out.len();
    pieces(plan, &mut Append(out), ends)?;
    ends.iter_mut().for_each(|end| *end -= start);
    Ok(())
}

/// Turns `out`, holding the [`body`] of another plan, into the body of `plan`; whether
/// that changed it. The body is written a piece at a time (a task is a piece): pieces
/// equal to the bytes already there are only compared, and from the first that differs
/// on, `out` is cut there and written to. So a change costs no second buffer (fresh
/// memory the kernel zeroes first), and no change costs no writes.
/// Where its pieces end goes to `ends`.
pub(crate) fn rewrite_body(
    plan: &Plan,
    out: &mut Vec<u8>,
    ends: &mut Vec<usize>,
) -> serde_json::Result<bool> {
    let mut over = Over { out, at: 0, changed: false, piece: Vec::with_capacity(4096) };
    pieces(plan, &mut over, ends)?;
    if !over.changed && over.at != over.out.len() {
        over.out.truncate(over.at);
        over.changed = true;
    }
    Ok(over.changed)
}

/// Where the body's pieces go.
trait Pieces {
    /// Where the body written so far ends.
    fn end(&self) -> usize;
    fn piece(
        &mut self,
        write: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>,
    ) -> serde_json::Result<()>;
}

/// At the end of a buffer.
struct Append<'a>(&'a mut Vec<u8>);

impl Pieces for Append<'_> {
    fn end(&self) -> usize {
        self.0.len()
    }
    fn piece(
        &mut self,
        write: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>,
    ) -> serde_json::Result<()> {
        write(self.0)
    }
}

/// Over the bytes of an earlier body (see [`rewrite_body`]): `out[..at]` is the new body
/// so far; until `changed`, the rest is the old one's still to compare.
struct Over<'a> {
    out: &'a mut Vec<u8>,
    at: usize,
    changed: bool,
    /// The piece being compared.
    piece: Vec<u8>,
}

impl Pieces for Over<'_> {
    fn end(&self) -> usize {
        if self.changed { self.out.len() } else { self.at }
    }
    fn piece(
        &mut self,
        write: impl FnOnce(&mut Vec<u8>) -> serde_json::Result<()>,
    ) -> serde_json::Result<()> {
        if self.changed {
            return write(self.out);
        }
        self.piece.clear();
        write(&mut self.piece)?;
        let end = self.at + self.piece.len();
        if self.out.get(self.at..end) == Some(&self.piece[..]) {
            self.at = end;
        } else {
            self.out.truncate(self.at);
            self.out.extend_from_slice(&self.piece);
            self.changed = true;
        }
        Ok(())
    }
}

/// The body, in pieces: the fields before the tasks, each task, the rest; where each
/// ends goes to `ends` (see [`rewrite_from`]).
fn pieces(plan: &Plan, to: &mut impl Pieces, ends: &mut Vec<usize>) -> serde_json::Result<()> {
    ends.clear();
    ends.reserve(plan.tasks.len() + 2);
    to.piece(|out| before_tasks(plan, out))?;
    ends.push(to.end());
    for (i, t) in plan.tasks.iter().enumerate() {
        to.piece(|out| task_piece(out, i, t))?;
        ends.push(to.end());
    }
    to.piece(|out| after_tasks(plan, out))?;
    ends.push(to.end());
    Ok(())
}

/// The body's first piece: the fields before the tasks, and the tasks array's `[`.
fn before_tasks(plan: &Plan, out: &mut Vec<u8>) -> serde_json::Result<()> {
    let Plan {
        version: _,
        seq: _,
        mission,
        milestones,
        goals,
        tasks,
        assertions: _,
        pending_events: _,
    } = plan;
    out.extend_from_slice(b",\n  \"mission\": ");
    nested(out, mission, 1)?;
    out.extend_from_slice(b",\n  \"milestones\": ");
    nested(out, milestones, 1)?;
    out.extend_from_slice(b",\n  \"goals\": ");
    nested(out, goals, 1)?;
    out.extend_from_slice(if tasks.is_empty() {
        b",\n  \"tasks\": []"
    } else {
        b",\n  \"tasks\": ["
    });
    Ok(())
}

/// The piece of the task at `index`: its separator, then the task.
fn task_piece(out: &mut Vec<u8>, index: usize, t: &Task) -> serde_json::Result<()> {
    out.extend_from_slice(if index == 0 { b"\n    " } else { b",\n    " });
    task(out, t)
}

/// The body's last piece: the tasks array's `]`, then the fields after the tasks.
fn after_tasks(plan: &Plan, out: &mut Vec<u8>) -> serde_json::Result<()> {
    if !plan.tasks.is_empty() {
        out.extend_from_slice(b"\n  ]");
    }
    out.extend_from_slice(b",\n  \"assertions\": ");
    nested(out, &plan.assertions, 1)
}

/// The body of `plan` (as [`body`]) written into `out` from `old`, the body of `before`
/// whose pieces end at `ends` (as [`body`] and [`rewrite_body`] record them): a task
/// equal to the one at the same place in `before` is copied from `old`, not written
/// again, so a change to a few tasks of thousands costs a copy. `ends` becomes those of
/// the new body. Whether the new body differs from `old`; `None` (nothing written) when
/// `ends` does not fit `old` and `before`.
pub(crate) fn rewrite_from(
    before: &Plan,
    old: &[u8],
    ends: &mut Vec<usize>,
    plan: &Plan,
    out: &mut Vec<u8>,
) -> serde_json::Result<Option<bool>> {
    let pieces = before.tasks.len() + 2;
    if ends.len() != pieces
        || ends.last() != Some(&old.len())
        || ends.windows(2).any(|w| w[0] > w[1])
    {
        return Ok(None);
    }
    let old_piece = |i: usize| -> &[u8] {
        let start = if i == 0 { 0 } else { ends[i - 1] };
        &old[start..ends[i]]
    };
    let mut new_ends = Vec::with_capacity(plan.tasks.len() + 2);
    out.clear();
    out.reserve(old.len() + old.len() / 8);
    before_tasks(plan, out)?;
    new_ends.push(out.len());
    for (i, t) in plan.tasks.iter().enumerate() {
        match before.tasks.get(i) {
            Some(was) if was == t => out.extend_from_slice(old_piece(i + 1)),
            _ => task_piece(out, i, t)?,
        }
        new_ends.push(out.len());
    }
    after_tasks(plan, out)?;
    new_ends.push(out.len());
    *ends = new_ends;
    Ok(Some(out[..] != *old))
}

/// `pending_events` unless there are none, and the closing `}` (no newline after it).
pub(crate) fn tail(plan: &Plan, out: &mut Vec<u8>) -> serde_json::Result<()> {
    if !plan.pending_events.is_empty() {
        out.extend_from_slice(b",\n  \"pending_events\": ");
        nested(out, &plan.pending_events, 1)?;
    }
    out.extend_from_slice(b"\n}");
    Ok(())
}

/// A task field's key, after the comma ending the field before: one copy of a constant.
macro_rules! key {
    ($name:literal) => {
        concat!(",\n      \"", $name, "\": ").as_bytes()
    };
}

/// One task, at the depth of an element of the tasks array.
fn task(out: &mut Vec<u8>, t: &Task) -> serde_json::Result<()> {
    let Task {
        id,
        title,
        description,
        milestone,
        specialty,
        priority,
        goal,
        depends,
        fulfills,
        assignee,
        status,
        proof,
        summary,
        remediation_for,
        created,
        started,
        finished,
        attempts,
        retry_after,
        blocked_reason,
        dispatched_to,
        git,
    } = t;
    out.extend_from_slice(b"{\n      \"id\": ");
    string(out, id)?;
    out.extend_from_slice(key!("title"));
    string(out, title)?;
    out.extend_from_slice(key!("description"));
    string(out, description)?;
    out.extend_from_slice(key!("milestone"));
    opt_string(out, milestone.as_deref())?;
    out.extend_from_slice(key!("specialty"));
    opt_string(out, specialty.as_deref())?;
    out.extend_from_slice(key!("priority"));
    number(out, u64::from(*priority));
    out.extend_from_slice(key!("goal"));
    opt_string(out, goal.as_deref())?;
    out.extend_from_slice(key!("depends"));
    strings(out, depends)?;
    out.extend_from_slice(key!("fulfills"));
    strings(out, fulfills)?;
    out.extend_from_slice(key!("assignee"));
    opt_string(out, assignee.as_deref())?;
    out.extend_from_slice(key!("status"));
    string(out, status.as_str())?;
    out.extend_from_slice(key!("proof"));
    opt_string(out, proof.as_deref())?;
    out.extend_from_slice(key!("summary"));
    opt_string(out, summary.as_deref())?;
    out.extend_from_slice(key!("remediation_for"));
    opt_string(out, remediation_for.as_deref())?;
    out.extend_from_slice(key!("created"));
    timestamp(out, created);
    out.extend_from_slice(key!("started"));
    opt_timestamp(out, started.as_ref());
    out.extend_from_slice(key!("finished"));
    opt_timestamp(out, finished.as_ref());
    if *attempts != 0 {
        out.extend_from_slice(key!("attempts"));
        number(out, u64::from(*attempts));
    }
    if let Some(at) = retry_after {
        out.extend_from_slice(key!("retry_after"));
        timestamp(out, at);
    }
    if let Some(reason) = blocked_reason {
        out.extend_from_slice(key!("blocked_reason"));
        string(out, reason)?;
    }
    if let Some(pane) = dispatched_to {
        out.extend_from_slice(key!("dispatched_to"));
        nested(out, pane, 3)?;
    }
    if let Some(git) = git {
        out.extend_from_slice(key!("git"));
        nested(out, git, 3)?;
    }
    out.extend_from_slice(b"\n    }");
    Ok(())
}

/// A list of strings inside a task.
fn strings(out: &mut Vec<u8>, items: &[String]) -> serde_json::Result<()> {
    if items.is_empty() {
        out.extend_from_slice(b"[]");
        return Ok(());
    }
    out.push(b'[');
    for (i, s) in items.iter().enumerate() {
        out.extend_from_slice(if i == 0 { b"\n        " } else { b",\n        " });
        string(out, s)?;
    }
    out.extend_from_slice(b"\n      ]");
    Ok(())
}

fn opt_string(out: &mut Vec<u8>, s: Option<&str>) -> serde_json::Result<()> {
    match s {
        Some(s) => string(out, s),
        None => {
            out.extend_from_slice(b"null");
            Ok(())
        }
    }
}

/// A JSON string: copied as it is when nothing in it needs escaping, else through serde.
fn string(out: &mut Vec<u8>, s: &str) -> serde_json::Result<()> {
    if s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        return serde_json::to_writer(&mut *out, s);
    }
    out.reserve(s.len() + 2);
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
    Ok(())
}

/// A timestamp as serde writes it, quoted: jiff's `Display` (`2026-11-28T18:37:00.123Z`,
/// the fraction only as long as it needs to be; nothing to escape). Written by hand for
/// the years 1970 to 9999, every time the store writes (thousands of tasks hold
/// several); jiff's own printer for any other.
fn timestamp(out: &mut Vec<u8>, at: &jiff::Timestamp) {
    use std::io::Write as _;
    // 10000-01-01T00:00:00Z: past it jiff writes a six-digit signed year.
    const LAST: i64 = 253_402_300_800;
    let (secs, nanos) = (at.as_second(), at.subsec_nanosecond());
    if !(0..LAST).contains(&secs) || nanos < 0 {
        // Writing to a `Vec` cannot fail.
        let _ = write!(out, "\"{at}\"");
        return;
    }
    let (days, day_secs) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days);
    let mut text = *b"\"0000-00-00T00:00:00";
    let mut put = |at: usize, width: usize, mut n: i64| {
        for i in (at..at + width).rev() {
            text[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(1, 4, y);
    put(6, 2, m);
    put(9, 2, d);
    put(12, 2, day_secs / 3600);
    put(15, 2, day_secs / 60 % 60);
    put(18, 2, day_secs % 60);
    out.extend_from_slice(&text);
    if nanos > 0 {
        let mut fraction = *b".000000000";
        let mut n = nanos;
        for i in (1..10).rev() {
            fraction[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        let digits = 10 - fraction.iter().rev().take_while(|&&b| b == b'0').count();
        out.extend_from_slice(&fraction[..digits]);
    }
    out.extend_from_slice(b"Z\"");
}

/// The proleptic Gregorian date `days` after 1970-01-01, for `days >= 0` (Howard
/// Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn opt_timestamp(out: &mut Vec<u8>, at: Option<&jiff::Timestamp>) {
    match at {
        Some(at) => timestamp(out, at),
        None => out.extend_from_slice(b"null"),
    }
}

/// An unsigned integer in decimal, as serde writes it.
fn number(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// `value` pretty-printed by serde at `depth` (the nesting level of the key it is the
/// value of, plus one): serde's own output with every line after the first indented by
/// two spaces a level. A pretty-printed value's line breaks are all its own (a newline in
/// a string is written `\n`), so nothing inside a string moves.
fn nested<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
    depth: usize,
) -> serde_json::Result<()> {
    let text = serde_json::to_vec_pretty(value)?;
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
            for _ in 0..depth {
                out.extend_from_slice(b"  ");
            }
        }
        out.extend_from_slice(line);
    }
    Ok(())
}

#[cfg(test)]
#[path = "pretty_tests.rs"]
mod tests;
