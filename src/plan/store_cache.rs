//! A long-lived process's copy of the plan it last read or wrote (the orchestrator's:
//! its loop, its dispatches and its log writer share one), so a `tasks.json` already in
//! memory is not read and parsed again: at 2,000 tasks that is a megabyte, several
//! times a second with a hundred agents. A copy is used only while the file it came
//! from, still held open, is the one the path names, unchanged (as a read-ahead is, see
//! `ReadAhead::still_current`); a write by anyone else shows as another file.
//!
//! Readers share the plan kept (a tick holds it while it decides). An update (under the
//! store lock, so one at a time) takes it whole when no reader holds it, and readers
//! arriving meanwhile wait for the version it writes; when a reader does hold it, the
//! update gets a copy and the version kept stays readable. Copying thousands of tasks
//! for every write was a fifth of the orchestrator's time with a hundred agents.
use std::fs::{File, Metadata};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::events::Event;
use super::model::Plan;

/// How long a reader waits for an update holding the plan before it reads the file
/// itself (an update takes milliseconds; this only bounds one that hangs).
const LENT_WAIT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Default)]
pub(super) struct PlanCache(Arc<Shared>);

#[derive(Debug, Default)]
struct Shared {
    slot: Mutex<Slot>,
    returned: Condvar,
}

#[derive(Debug, Default)]
struct Slot {
    kept: Option<Cached>,
    /// The thread whose update has the plan (see [`Lease`]).
    lent: Option<std::thread::ThreadId>,
}

#[derive(Debug)]
struct Cached {
    file: File,
    meta: Metadata,
    /// As read from the file, without its pending events: what a reader is given.
    plan: Arc<Plan>,
    /// The file's pending events, for an update (it logs them).
    pending: Vec<Event>,
    /// Its body as the store writes it (see `pretty`) and where the body's pieces end,
    /// when known: what an update compares with and writes. Lent to one update at a time.
    body: Option<Body>,
}

/// A body and where its pieces end (see `pretty::rewrite_from`).
pub(super) type Body = (Vec<u8>, Vec<usize>);

/// What an update takes from the cache: the file the plan was read from (open), its
/// metadata then, a plan of its own (pending events included), its body if known, and
/// the version kept (what the body was written from) when the plan is a copy of it.
pub(super) struct Taken {
    pub file: File,
    pub meta: Metadata,
    pub plan: Plan,
    pub body: Option<Body>,
    pub before: Option<Arc<Plan>>,
    /// Held while the plan is taken whole: readers wait until it is dropped.
    pub lease: Option<Lease>,
}

/// The cache's plan is out with an update: readers wait for it to be put or given back,
/// or for the lease to be dropped (an update that failed: the next reader parses).
#[derive(Debug)]
pub(super) struct Lease(PlanCache);

impl Drop for Lease {
    fn drop(&mut self) {
        self.0.slot().lent = None;
        self.0.0.returned.notify_all();
    }
}

impl PlanCache {
    fn slot(&self) -> MutexGuard<'_, Slot> {
        self.0.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The plan `path` holds (without its pending events), if it is the version kept,
    /// after any update that has it.
    pub(super) fn get(&self, path: &Path) -> Option<Arc<Plan>> {
        let deadline = Instant::now() + LENT_WAIT;
        let mut slot = self.slot();
        while let Some(holder) = slot.lent {
            if holder == std::thread::current().id() {
                return None; // its own update reads: it must not wait for itself
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            slot =
                self.0.returned.wait_timeout(slot, left).unwrap_or_else(PoisonError::into_inner).0;
        }
        let kept = slot.kept.as_ref()?;
        current(path, &kept.file, &kept.meta).then(|| Arc::clone(&kept.plan))
    }

    /// The plan `path` holds, for an update, if it is the version kept (see the module's
    /// docs): whole when no reader holds it, else a copy. Its body, if known, goes with
    /// it (see [`PlanCache::give_back`]).
    pub(super) fn take(&self, path: &Path) -> Option<Taken> {
        let mut slot = self.slot();
        let kept = slot.kept.as_mut()?;
        if !current(path, &kept.file, &kept.meta) {
            slot.kept = None;
            return None;
        }
        // Readers clone it only under this mutex: a count of one stays one.
        if Arc::strong_count(&kept.plan) == 1 {
            let Cached { file, meta, plan, pending, body } = slot.kept.take()?;
            slot.lent = Some(std::thread::current().id());
            drop(slot);
            let lease = Lease(self.clone());
            let mut plan = Arc::try_unwrap(plan).unwrap_or_else(|shared| Plan::clone(&shared));
            plan.pending_events = pending;
            return Some(Taken { file, meta, plan, body, before: None, lease: Some(lease) });
        }
        let file = kept.file.try_clone().ok()?;
        let (meta, body) = (kept.meta.clone(), kept.body.take());
        let shared = Arc::clone(&kept.plan);
        let pending = kept.pending.clone();
        // The copy is made outside the lock: a reader need not wait for it.
        drop(slot);
        let mut plan = Plan::clone(&shared);
        plan.pending_events = pending;
        Some(Taken { file, meta, plan, body, before: Some(shared), lease: None })
    }

    /// An update that changed nothing hands back what it took: the plan, if it took it
    /// whole (`plan`, as read from `file`), else the body, if the version it was taken
    /// with (`meta`) is still the one kept.
    pub(super) fn give_back(&self, file: &File, meta: Metadata, plan: Option<Plan>, body: Body) {
        match plan {
            Some(plan) => drop(self.put_file(file, meta, plan, Some(body))),
            None => {
                let mut slot = self.slot();
                if let Some(kept) = slot.kept.as_mut()
                    && kept.body.is_none()
                    && same_version(&kept.meta, &meta)
                {
                    kept.body = Some(body);
                }
            }
        }
    }

    /// Keeps `plan` (and `body`, its body) as the content of `file` (opened before it
    /// was read or just after it was written, `meta` its metadata then), if `path` still
    /// names that version: a reader that parsed a version meanwhile replaced must not
    /// put it over the newer one an update kept. Returns the plan as readers get it, and
    /// the version it replaced, to be freed when convenient (an update holds the store
    /// lock when it puts, see `Store::update`).
    pub(super) fn put(
        &self,
        path: &Path,
        file: &File,
        meta: Metadata,
        plan: Plan,
        body: Option<Body>,
    ) -> (Arc<Plan>, Replaced) {
        if !current(path, file, &meta) {
            let mut plan = plan;
            plan.pending_events = Vec::new();
            return (Arc::new(plan), Replaced(None));
        }
        self.put_file(file, meta, plan, body)
    }

    fn put_file(
        &self,
        file: &File,
        meta: Metadata,
        mut plan: Plan,
        body: Option<Body>,
    ) -> (Arc<Plan>, Replaced) {
        let pending = std::mem::take(&mut plan.pending_events);
        let plan = Arc::new(plan);
        let Ok(file) = file.try_clone() else { return (plan, Replaced(None)) };
        let kept = Cached { file, meta, plan: Arc::clone(&plan), pending, body };
        let old = self.slot().kept.replace(kept);
        (plan, Replaced(old))
    }
}

/// A version the cache no longer keeps: freed where it is dropped.
#[derive(Debug)]
pub(super) struct Replaced(#[allow(dead_code, reason = "held only to be dropped")] Option<Cached>);

/// Whether `path` still names `file`, as it was when `meta` was taken. Every write
/// replaces `tasks.json` by a rename, so a change shows as another inode; while `file` is
/// held open its inode cannot be reused for a new one. Size and times also catch an edit
/// made in place (by hand).
pub(super) fn current(path: &Path, file: &File, meta: &Metadata) -> bool {
    let (Ok(now), Ok(held)) = (std::fs::metadata(path), file.metadata()) else {
        return false;
    };
    same_version(&now, &held) && same_version(&held, meta)
}

/// The same file, unchanged: device, inode, size and times.
fn same_version(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino(), a.len(), a.mtime(), a.mtime_nsec(), a.ctime(), a.ctime_nsec())
        == (b.dev(), b.ino(), b.len(), b.mtime(), b.mtime_nsec(), b.ctime(), b.ctime_nsec())
}
