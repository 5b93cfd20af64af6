//! The store: `.tasks/tasks.json` read without a lock (it is only ever replaced
//! atomically), changed under an exclusive lock on `.tasks/.lock`, and the append-only
//! event log `.tasks/events.jsonl` written under the same lock.
//!
//! A change and its events are one unit. Each event gets the next `seq` under the lock;
//! the new `tasks.json` carries the change's events (`pending_events`) and replacing it is
//! the commit point; the events are appended to the log just after. A writer killed in
//! between leaves events the log lacks, which the next lock holder appends (and readers
//! merge) by `seq`, so after a crash at any instant every change has its events once, and
//! no event describes a change that is not in `tasks.json`. Before the commit point any
//! failure changes nothing; after it, a failed append is only a warning.
//!
//! The lock is held as briefly as these rules allow: a plain append learns from the head of
//! `tasks.json` alone whether committed events are missing from the log (see
//! [`Store::append_events`]), and syncs its own lines after releasing the lock.
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::eventlog::CorruptLine;
use super::events::Event;
use super::logfile::{LogFile, MAX_SEQ, Unsynced, check_seq};
use super::model::Plan;
use super::pretty;
use super::store_cache::{PlanCache, Taken};
use crate::project::{self, Project};
use crate::{Error, Result};

/// Handle on a project's plan store. Cheap to create; holds no file open.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    dir: PathBuf,
    tasks: PathBuf,
    lock: PathBuf,
    /// `.tasks/.lock-gate`: see [`Store::lock`].
    gate: PathBuf,
    events: PathBuf,
    /// Goes ahead of writers that arrive after it (the orchestrator's handle).
    priority: bool,
    /// The plan last read or written through this handle or its clones, if kept.
    cache: Option<PlanCache>,
}

/// The store lock, and the gate while a priority writer holds it.
struct Held {
    _lock: File,
    _gate: Option<File>,
}

impl Store {
    pub fn new(project: &Project) -> Store {
        Store {
            root: project.root.clone(),
            dir: project.tasks_dir(),
            tasks: project.tasks_json(),
            lock: project.lock_file(),
            gate: project.tasks_dir().join(".lock-gate"),
            events: project.events_jsonl(),
            priority: false,
            cache: None,
        }
    }

    /// This store, keeping the plan it last read or wrote in memory (shared with its
    /// clones), so an unchanged `tasks.json` is not parsed again: for the orchestrator,
    /// which reads and writes the plan many times a second (see [`PlanCache`]).
    pub fn with_cache(mut self) -> Store {
        self.cache = Some(PlanCache::default());
        self
    }

    /// This store, its writes going ahead of writers that arrive while one waits (see
    /// [`Store::lock`]): for the orchestrator, whose one write a tick (its dispatches)
    /// otherwise queued behind a hundred agents' `task done`.
    pub fn with_priority(mut self) -> Store {
        self.priority = true;
        self
    }

    /// Path of `tasks.json`.
    pub fn path(&self) -> &Path {
        &self.tasks
    }

    /// The current plan; `Plan::default()` when `tasks.json` does not exist yet. A file that
    /// does not parse is an error naming its path, line and column.
    pub fn load(&self) -> Result<Plan> {
        if self.cache.is_some() {
            return self.load_shared().map(|plan| Plan::clone(&plan));
        }
        let (mut plan, _) = self.read_plan()?;
        // Log bookkeeping, not part of the plan: read through [`Store::read_events`].
        plan.pending_events = Vec::new();
        Ok(plan)
    }

    /// [`Store::load`], shared: with a cache, the version kept rather than a copy of it
    /// (a tick reads the plan, it does not change it).
    pub fn load_shared(&self) -> Result<Arc<Plan>> {
        let Some(cache) = &self.cache else { return self.load().map(Arc::new) };
        if let Some(plan) = cache.get(&self.tasks) {
            return Ok(plan);
        }
        // Read and kept (its body is written by the first update that takes it).
        let Some(read) = self.open_plan()? else { return Ok(Arc::new(Plan::default())) };
        Ok(cache.put(&self.tasks, &read.file, read.meta, read.plan, None).0)
    }

    /// The plan with its pending events, and the text it was read from.
    fn read_plan(&self) -> Result<(Plan, Vec<u8>)> {
        Ok(self.open_plan()?.map_or_else(Default::default, |read| (read.plan, read.text)))
    }

    /// `tasks.json` open, its metadata as it was read, the plan with its pending events,
    /// and the text it was read from; `None` when there is no such file.
    fn open_plan(&self) -> Result<Option<Opened>> {
        let io = |e| Error::io(&self.tasks, e);
        let mut file = match File::open(&self.tasks) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(e)),
        };
        let meta = file.metadata().map_err(io)?;
        let text = read_text(&mut file).map_err(io)?;
        let plan = parse_text(&self.tasks, &text)?;
        Ok(Some(Opened { file, meta, plan, text }))
    }

    /// `tasks.json` as it is now, open, with only its head read.
    fn committed(&self) -> Committed {
        let Ok(file) = File::open(&self.tasks) else { return Committed::default() };
        let mut head = Vec::with_capacity(HEAD as usize);
        let mut file = Some(file);
        if let Some(f) = &mut file
            && f.take(HEAD).read_to_end(&mut head).is_err()
        {
            file = None;
        }
        Committed { file, head }
    }

    /// Read-modify-write under the lock. `f` changes the plan and pushes the events that
    /// describe the change; when it returns `Err` nothing is written. The plan is written
    /// (atomically) only when it changed, the events only when there are some. While `f`
    /// runs, `plan.seq` is the log's position before the change.
    pub fn update<T>(&self, f: impl FnOnce(&mut Plan, &mut Vec<Event>) -> Result<T>) -> Result<T> {
        let early = self.read_early();
        let done = {
            let _lock = self.lock()?;
            self.update_locked(f, early)?
        };
        done.finish()
    }

    /// What an update reads before the lock: nothing with a cache, whose plan it takes
    /// under the lock (a plan read now would often be stale by then: the orchestrator's
    /// own threads are its writers, and a copy they race to read is read twice).
    fn read_early(&self) -> Option<ReadAhead> {
        if self.cache.is_some() { None } else { self.read_ahead() }
    }

    /// `tasks.json` read and parsed before the lock is taken, and the plan's body written
    /// (see [`pretty`]), with the file kept open: a write that waits for the lock need not
    /// spend its turn reading (half of a `task done` on 1,000 tasks). Used only if, under
    /// the lock, the path still names that very file, unchanged (see
    /// [`ReadAhead::still_current`]).
    fn read_ahead(&self) -> Option<ReadAhead> {
        let Opened { file, meta, plan, text } = self.open_plan().ok()??;
        // Its body too (see `update_locked`), in the text's memory.
        let (body, ends) = body_of(&plan, text).ok()?;
        Some(ReadAhead { file, meta, plan, body, ends, before: None, lease: None })
    }

    /// [`Store::update`], then `after` with its value while the lock is still held: for
    /// writes beside the store that must follow the commit, in commit order (the library).
    /// The change is committed by then, so a failure of `after` is a warning, not an error.
    #[allow(
        clippy::print_stderr,
        reason = "the store has no writer; the change is saved, the failure is a warning"
    )]
    pub fn update_then<T>(
        &self,
        f: impl FnOnce(&mut Plan, &mut Vec<Event>) -> Result<T>,
        after: impl FnOnce(&T) -> Result<()>,
    ) -> Result<T> {
        let early = self.read_early();
        let done = {
            let _lock = self.lock()?;
            let done = self.update_locked(f, early)?;
            if let Err(e) = after(&done.value) {
                eprintln!("warning: {e} (the change itself is saved)");
            }
            done
        };
        done.finish()
    }

    #[allow(
        clippy::print_stderr,
        reason = "the store has no writer; a saved change whose log append failed is a warning"
    )]
    fn update_locked<T>(
        &self,
        f: impl FnOnce(&mut Plan, &mut Vec<Event>) -> Result<T>,
        early: Option<ReadAhead>,
    ) -> Result<Updated<T>> {
        project::refuse_symlinks(&self.root, &self.tasks)?;
        let mut log = LogFile::open(&self.root, &self.events)?;
        // The orchestrator's: the plan it keeps, with its body if it has it.
        let early = early.or_else(|| {
            let Taken { file, meta, plan, body, before, lease } =
                self.cache.as_ref()?.take(&self.tasks)?;
            let (body, ends) = match body {
                Some(lent) => lent,
                None => body_of(&plan, Vec::new()).ok()?,
            };
            Some(ReadAhead { file, meta, plan, body, ends, before, lease })
        });
        // The plan's bulk as the file holds it, before `f`, then rewritten to what it is
        // after: what tells a change (cheaper than a copy of the plan to compare with), and
        // the bytes then written. In the text's memory, which has room for a longer plan:
        // fresh memory is zeroed by the kernel first. Written before the lock with a plan
        // read ahead (it holds neither `seq` nor the pending events, changed below).
        // Dropped when this returns: after the version written is kept, or at an error.
        let mut _lease = None;
        let (mut plan, mut body, mut ends, before, read_from) = match early {
            Some(early) if early.still_current(&self.tasks) => {
                let ReadAhead { file, meta, plan, body, ends, before, lease } = early;
                _lease = lease;
                (plan, body, ends, before, Some((file, meta)))
            }
            _ => match self.open_plan()? {
                Some(Opened { file, meta, plan, text }) => {
                    let (body, ends) = body_of(&plan, text)?;
                    (plan, body, ends, None, Some((file, meta)))
                }
                None => (Plan::default(), Vec::new(), Vec::new(), None, None),
            },
        };
        check_seq(&self.tasks, plan.seq)?;
        let read_seq = plan.seq;
        let earlier = std::mem::take(&mut plan.pending_events);
        flush(&mut log, &earlier)?;
        // Never behind the plan, so positions keep rising even if the log was truncated.
        plan.seq = log.last_seq().max(plan.seq);
        let (version, seq) = (plan.version, plan.seq);
        let mut events = Vec::new();
        let value = f(&mut plan, &mut events)?;
        number(&mut events, seq);
        // Exact: bodies are the same bytes only for equal fields (see `pretty`), and
        // `pending_events` was empty before.
        let changed = rewrite(before.as_deref(), &plan, &mut body, &mut ends)?
            || (plan.version, plan.seq) != (version, seq)
            || !plan.pending_events.is_empty();
        if !changed {
            // Events alone, like a plain append: synced after the lock (see `append_events`).
            let unsynced = Some(log.append_unsynced(&events)?);
            let spent = match (&self.cache, read_from) {
                (Some(cache), Some((file, meta))) if _lease.is_some() => {
                    // As read (its pending events are in the log now).
                    plan.seq = read_seq;
                    cache.give_back(&file, meta, Some(plan), (body, ends));
                    Spent::Nothing
                }
                (Some(cache), Some((file, meta))) => {
                    cache.give_back(&file, meta, None, (body, ends));
                    Spent::Plan(plan)
                }
                _ => Spent::Written(plan, body, ends),
            };
            return Ok(Updated { value, spent, unsynced });
        }
        plan.seq = events.last().and_then(|e| e.seq).unwrap_or(seq);
        plan.pending_events = events;
        self.write_plan(&plan, &body)?;
        // Committed: the next lock holder appends what this append does not. Synced before
        // the lock is released, unlike a plain append: the next commit replaces this
        // tasks.json, and with it the only other copy of these events, and no later writer
        // knows to sync them first.
        if let Err(e) = log.append(&plan.pending_events) {
            eprintln!(
                "warning: {e} (the change is saved; its events are logged by the next command)"
            );
        }
        Ok(Updated { value, spent: self.keep(plan, body, ends), unsynced: None })
    }

    /// The version just written goes to the cache, if there is one, while the lock is
    /// held: put after it, a version the next writer replaced could be put over that
    /// writer's, and every reader would then parse the file again.
    fn keep(&self, plan: Plan, body: Vec<u8>, ends: Vec<usize>) -> Spent {
        let Some(cache) = &self.cache else { return Spent::Written(plan, body, ends) };
        // Opened under the lock: this version (no other writer can have replaced it).
        let opened = File::open(&self.tasks).and_then(|file| Ok((file.metadata()?, file)));
        let Ok((meta, file)) = opened else { return Spent::Written(plan, body, ends) };
        Spent::Replaced(cache.put(&self.tasks, &file, meta, plan, Some((body, ends))).1)
    }

    /// Appends events to the log, under the store lock, after any committed events the
    /// log lacks; returns once they are on disk.
    ///
    /// Fast path: `tasks.json` starts with its `seq` (the log position once its change is
    /// logged; its pending events are numbered up to it). When the log already reaches it,
    /// nothing is pending, and the rest of the file (megabytes at 10,000 tasks) is not
    /// read. A head not exactly as the store writes it, or a log behind it (a writer killed
    /// between commit and append, a removed log), takes the full read and flush.
    ///
    /// The sync of the appended lines waits until the lock is released. Why that keeps
    /// every guarantee above:
    /// - Order and numbering are fixed by the `write` under the lock: the next holder reads
    ///   the lines (and their last `seq`) from the file whether or not they reached the disk.
    /// - A process killed at any instant loses nothing the kernel accepted: the page cache
    ///   outlives it. Only losing power (or the OS) can undo unsynced lines, and then only
    ///   those of commands that had not yet returned, since each syncs before it returns,
    ///   and a sync by any later writer flushes the whole file, these lines included.
    ///   What does change: the unsynced end of the log can hold the lines of several such
    ///   commands rather than one, so where a file system writes pages back out of order,
    ///   a power cut could damage a line before the last (then read as a corrupt line)
    ///   rather than only tear the last one.
    /// - These events are in the log alone, never in `tasks.json`, so no commit depends on
    ///   them being on disk. Committed events found missing and flushed here are another
    ///   matter: the next commit replaces the `tasks.json` holding them, so they are synced
    ///   before the lock is released, as every append by `update` is.
    pub fn append_events(&self, events: &[Event]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let unsynced = {
            let _lock = self.lock()?;
            let mut log = LogFile::open(&self.root, &self.events)?;
            let committed = self.committed();
            let plan_seq = match committed.seq() {
                Some(seq) if seq <= log.last_seq() => seq,
                _ => {
                    let (earlier, plan_seq) = committed.pending();
                    check_seq(&self.tasks, plan_seq)?;
                    flush(&mut log, &earlier)?;
                    plan_seq
                }
            };
            check_seq(&self.tasks, plan_seq)?;
            let mut events = events.to_vec();
            number(&mut events, log.last_seq().max(plan_seq));
            log.append_unsynced(&events)?
        };
        unsynced.sync()
    }

    /// Every event in the log, oldest first. A torn last line (a writer killed mid-append)
    /// is ignored; any other line that does not parse is an error naming its line.
    pub fn read_events(&self) -> Result<Vec<Event>> {
        let (events, corrupt) = self.read_log()?;
        match corrupt.first() {
            Some(bad) => Err(Error::failed(format!(
                "{}:{}: corrupt event ({})",
                self.events.display(),
                bad.line,
                bad.error
            ))),
            None => Ok(events),
        }
    }

    /// Every event, with the lines that do not parse, without taking the lock: the log
    /// plus the committed events in `tasks.json` it does not have yet.
    pub fn read_log(&self) -> Result<(Vec<Event>, Vec<CorruptLine>)> {
        // Opened before the log is read: events a writer commits meanwhile are then in one
        // or the other. Its pending events are read only when the log stops short of its
        // `seq`, and then from this same version of the file.
        let committed = self.committed();
        let (mut events, corrupt) = super::eventlog::read_event_log(&self.events)?;
        let last = events.iter().filter_map(|e| e.seq).max().unwrap_or(0);
        if committed.seq().is_none_or(|seq| seq > last) {
            let (pending, _) = committed.pending();
            events.extend(pending.into_iter().filter(|e| e.seq.is_some_and(|s| s > last)));
        }
        Ok((events, corrupt))
    }

    /// Takes the exclusive store lock (blocking); released when the guard drops.
    ///
    /// Every writer first passes a gate: a plain one takes it shared and lets go at once, a
    /// priority one holds it exclusively until its write is done. A plain writer arriving
    /// while a priority one waits or writes stops at the gate, so the priority writer
    /// waits only for those already queued at the lock (the kernel wakes lock waiters in
    /// no order, so without the gate it could lose to every newcomer). The gate is only
    /// about order: the store lock alone guards the files, and a writer killed anywhere
    /// releases both.
    fn lock(&self) -> Result<Held> {
        let gate = project::open_lock_file(&self.root, &self.gate)?;
        let gate = if self.priority {
            gate.lock().map_err(|e| Error::io(&self.gate, e))?;
            Some(gate)
        } else {
            gate.lock_shared().map_err(|e| Error::io(&self.gate, e))?;
            // Passed: let go before waiting at the lock (closing the file releases it).
            drop(gate);
            None
        };
        let file = project::open_lock_file(&self.root, &self.lock)?;
        file.lock().map_err(|e| Error::io(&self.lock, e))?;
        Ok(Held { _lock: file, _gate: gate })
    }

    /// Unique temp file in `.tasks/`, fsync, rename over `tasks.json`, fsync the directory.
    /// `body` is the plan's [`pretty::body`], already written.
    fn write_plan(&self, plan: &Plan, body: &[u8]) -> Result<()> {
        self.remove_stale_temp_files();
        // Like any file the user creates (0666 less the umask), not tempfile's 0600.
        let mode = std::fs::metadata(&self.tasks)
            .map(|m| m.permissions())
            .unwrap_or_else(|_| std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let tmp = tempfile::Builder::new()
            .prefix(".tasks.json.")
            .suffix(".tmp")
            .permissions(mode)
            .tempfile_in(&self.dir)
            .map_err(|e| Error::io(&self.dir, e))?;
        // The bytes `serde_json::to_writer_pretty` gives, and a newline.
        let (mut head, mut tail) = (Vec::with_capacity(64), Vec::new());
        pretty::head(plan, &mut head);
        pretty::tail(plan, &mut tail)?;
        tail.push(b'\n');
        let mut out = tmp.as_file();
        out.write_all(&head)
            .and_then(|()| out.write_all(body))
            .and_then(|()| out.write_all(&tail))
            .map_err(|e| Error::io(tmp.path(), e))?;
        tmp.as_file().sync_all().map_err(|e| Error::io(tmp.path(), e))?;
        tmp.persist(&self.tasks).map_err(|e| Error::io(&self.tasks, e.error))?;
        File::open(&self.dir).and_then(|d| d.sync_all()).map_err(|e| Error::io(&self.dir, e))?;
        Ok(())
    }

    /// Temp files only exist while a writer holds the lock; any found by the lock holder
    /// were left by a writer that was killed, and are removed (best effort).
    fn remove_stale_temp_files(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(".tasks.json.") && name.ends_with(".tmp") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// What an update under the lock leaves for after it.
struct Updated<T> {
    value: T,
    /// Freed after the lock is released (at 10,000 tasks, freeing a plan is a
    /// millisecond no other writer needs to wait for).
    spent: Spent,
    /// Events appended without a change to the plan, to be synced.
    unsynced: Option<Unsynced>,
}

/// What an update leaves to free.
#[allow(dead_code, reason = "held only to be dropped")]
enum Spent {
    /// The plan, its body and where the body's pieces end.
    Written(Plan, Vec<u8>, Vec<usize>),
    /// The plan (its body went back to the cache).
    Plan(Plan),
    /// The version the cache kept before.
    Replaced(super::store_cache::Replaced),
    /// Nothing (the cache kept all).
    Nothing,
}

impl<T> Updated<T> {
    /// The rest of the update, once the lock is released.
    fn finish(self) -> Result<T> {
        drop(self.spent);
        if let Some(unsynced) = self.unsynced {
            unsynced.sync()?;
        }
        Ok(self.value)
    }
}

/// How much of `tasks.json` is read for its `seq`: `{"version": 1, "seq": <16 digits>,`
/// with the store's indentation fits with room to spare.
const HEAD: u64 = 64;

/// One version of `tasks.json` (it is only ever replaced, never changed in place), open,
/// with its first [`HEAD`] bytes read; no file when there is none or it cannot be read.
#[derive(Debug, Default)]
struct Committed {
    file: Option<File>,
    head: Vec<u8>,
}

impl Committed {
    /// The `seq` at the head of the file when it starts exactly as the store writes it:
    /// `{`, then `"version"` and `"seq"` on lines of their own indented by two spaces, in
    /// that order, then the next key. `None` for anything else (a hand-edited file, a plan
    /// at position 0, which writes no `seq`): the caller then reads the whole file.
    fn seq(&self) -> Option<u64> {
        self.file.as_ref()?;
        let rest = self.head.strip_prefix(b"{\n  \"version\": ")?;
        let (version, rest) = json_u64(rest)?;
        if version != u64::from(super::model::SCHEMA_VERSION) {
            return None;
        }
        let (seq, rest) = json_u64(rest.strip_prefix(b",\n  \"seq\": ")?)?;
        rest.starts_with(b",\n  \"").then_some(seq)
    }

    /// Its committed events and its `seq`, from the whole file; none when it does not
    /// parse.
    fn pending(self) -> (Vec<Event>, u64) {
        #[derive(serde::Deserialize)]
        struct Pending {
            #[serde(default)]
            seq: u64,
            #[serde(default)]
            pending_events: Vec<Event>,
        }
        let Some(mut file) = self.file else { return (Vec::new(), 0) };
        let mut text = self.head;
        if file.read_to_end(&mut text).is_err() {
            return (Vec::new(), 0);
        }
        serde_json::from_slice::<Pending>(&text)
            .map_or_else(|_| (Vec::new(), 0), |p| (p.pending_events, p.seq))
    }
}

/// A JSON number as serde writes a `u64` (digits, no leading zero) at the start of `text`,
/// and what follows it; `None` for anything else or past [`MAX_SEQ`]'s 16 digits.
fn json_u64(text: &[u8]) -> Option<(u64, &[u8])> {
    let n = text.iter().take_while(|b| b.is_ascii_digit()).count();
    if n == 0 || n > 16 || (n > 1 && text[0] == b'0') {
        return None;
    }
    let value = std::str::from_utf8(&text[..n]).ok()?.parse().ok()?;
    Some((value, &text[n..]))
}

/// `tasks.json` as read: the file, still open, its metadata then, the plan and its text.
struct Opened {
    file: File,
    meta: std::fs::Metadata,
    plan: Plan,
    text: Vec<u8>,
}

/// A plan read before the lock, the file it was read from, still open, and the plan's
/// [`pretty::body`].
struct ReadAhead {
    file: File,
    meta: std::fs::Metadata,
    plan: Plan,
    body: Vec<u8>,
    /// Where the body's pieces end (see [`pretty::rewrite_from`]).
    ends: Vec<usize>,
    /// The plan the body was written from, when it is kept apart from `plan` (the
    /// cache's): tasks still equal to its own are copied from the body, not written.
    before: Option<Arc<Plan>>,
    /// Held while `plan` is the cache's own (see [`PlanCache::take`]).
    lease: Option<super::store_cache::Lease>,
}

impl ReadAhead {
    /// Whether `path` still names the file read, as it was. Every write replaces
    /// `tasks.json` by a rename, so a change shows as another inode; while the read file
    /// is held open its inode cannot be reused for a new one. Size and modification time
    /// also catch an edit made in place (by hand).
    fn still_current(&self, path: &Path) -> bool {
        super::store_cache::current(path, &self.file, &self.meta)
    }
}

/// Appends the committed events the log does not have yet (those beyond its last `seq`;
/// an out-of-range position is not one this store gave, and is left out).
fn flush(log: &mut LogFile, committed: &[Event]) -> Result<()> {
    let last = log.last_seq();
    let missing: Vec<Event> = committed
        .iter()
        .filter(|e| e.seq.is_some_and(|s| s > last && s < MAX_SEQ))
        .cloned()
        .collect();
    log.append(&missing)
}

/// Gives the events the log positions after `last`.
fn number(events: &mut [Event], last: u64) {
    for (e, seq) in events.iter_mut().zip(last + 1..) {
        e.seq = Some(seq);
    }
}

/// The plan's [`pretty::body`] and where its pieces end, written over `buf` (the text it
/// was read from, whose memory has room for it: fresh memory is zeroed by the kernel).
fn body_of(plan: &Plan, mut buf: Vec<u8>) -> serde_json::Result<(Vec<u8>, Vec<usize>)> {
    buf.clear();
    let mut ends = Vec::new();
    pretty::body(plan, &mut buf, &mut ends)?;
    Ok((buf, ends))
}

/// Turns `body`, the body of `before` (or, without it, of the plan before the change),
/// into the body of `plan`; whether that changed it (see [`pretty::rewrite_body`]).
fn rewrite(
    before: Option<&Plan>,
    plan: &Plan,
    body: &mut Vec<u8>,
    ends: &mut Vec<usize>,
) -> Result<bool> {
    if let Some(before) = before {
        let mut new = Vec::new();
        if let Some(changed) = pretty::rewrite_from(before, body, ends, plan, &mut new)? {
            *body = new;
            return Ok(changed);
        }
    }
    Ok(pretty::rewrite_body(plan, body, ends)?)
}

/// The whole of `file`, in a buffer with room to spare: the store writes the plan's body
/// over it, and a body that outgrew it would be copied whole into fresh memory.
fn read_text(file: &mut File) -> std::io::Result<Vec<u8>> {
    let len = file.metadata()?.len() as usize;
    let mut text = Vec::with_capacity(len + len / 16 + (64 << 10));
    file.read_to_end(&mut text)?;
    Ok(text)
}

/// [`parse_plan`] on bytes read from `path`: text that is not UTF-8 is an error, as
/// reading it into a `String` made it. On one thread: parsing the tasks in parts on two
/// threads (as the views do) or into a list sized for them was measured slower for a
/// write, on a machine whose other core is busy.
fn parse_text(path: &Path, text: &[u8]) -> Result<Plan> {
    let text = std::str::from_utf8(text)
        .map_err(|e| Error::io(path, std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
    parse_plan(path, text)
}

/// Parses `tasks.json`, reporting the path, line and column of a syntax or shape error.
pub fn parse_plan(path: &Path, text: &str) -> Result<Plan> {
    // A task takes some 500 bytes as the store writes it: room for a few more than that.
    super::sized::with_room(text.len() / 400, || serde_json::from_str(text))
        .map_err(|e| Error::corrupt(path, e.line(), e.column(), e).with_hint(RECOVER_HINT))
}

const RECOVER_HINT: &str = "tasks.json was left untouched; fix it by hand or restore it from git \
     (`git checkout .tasks/tasks.json`), then run `tmux-ide doctor`";

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "store_change_tests.rs"]
mod change_tests;
