//! A long-lived process's copy of the plan it last read or wrote (the orchestrator's:
//! its loop, its dispatches and its log writer share one), so a `tasks.json` already in
//! memory is not read and parsed again: at 2,000 tasks that is a megabyte, several
//! times a second with a hundred agents. A copy is used only while the file it came
//! from, still held open, is the one the path names, unchanged (as a read-ahead is, see
//! `ReadAhead::still_current`); a write by anyone else shows as another file.
//!
//! The plan is shared, not copied, with readers (a tick holds it while it decides); an
//! update gets a copy of its own and the version kept stays readable meanwhile, so a
//! tick that runs during another thread's update never parses the file again.
use std::fs::{File, Metadata};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use super::events::Event;
use super::model::Plan;

#[derive(Debug, Clone, Default)]
pub(super) struct PlanCache(Arc<Mutex<Option<Cached>>>);

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
/// the version kept (what the body was written from).
pub(super) struct Taken {
    pub file: File,
    pub meta: Metadata,
    pub plan: Plan,
    pub body: Option<Body>,
    pub before: Arc<Plan>,
}

impl PlanCache {
    /// The plan `path` holds (without its pending events), if it is the version kept.
    pub(super) fn get(&self, path: &Path) -> Option<Arc<Plan>> {
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let kept = kept.as_ref()?;
        current(path, &kept.file, &kept.meta).then(|| Arc::clone(&kept.plan))
    }

    /// A copy of the plan `path` holds, for an update, if it is the version kept: the
    /// version stays for readers (the update puts back the one it writes), and its body,
    /// if known, goes with the copy (see [`PlanCache::give_back`]).
    pub(super) fn take(&self, path: &Path) -> Option<Taken> {
        let mut guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let kept = guard.as_mut()?;
        if !current(path, &kept.file, &kept.meta) {
            *guard = None;
            return None;
        }
        let file = kept.file.try_clone().ok()?;
        let (meta, body) = (kept.meta.clone(), kept.body.take());
        let shared = Arc::clone(&kept.plan);
        let pending = kept.pending.clone();
        // The copy is made outside the lock: a reader need not wait for it.
        drop(guard);
        let mut plan = Plan::clone(&*shared);
        plan.pending_events = pending;
        Some(Taken { file, meta, plan, body, before: shared })
    }

    /// An update that changed nothing hands back the body it took, if the version it
    /// was taken with (`meta`) is still the one kept.
    pub(super) fn give_back(&self, meta: &Metadata, body: Body) {
        let mut guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(kept) = guard.as_mut()
            && kept.body.is_none()
            && same_version(&kept.meta, meta)
        {
            kept.body = Some(body);
        }
    }

    /// Keeps `plan` (and `body`, its body) as the content of `file` (opened before it
    /// was read or just after it was written, `meta` its metadata then). A version
    /// already replaced is kept too: [`PlanCache::get`] never returns it. Returns the plan
    /// as readers get it.
    pub(super) fn put(
        &self,
        file: &File,
        meta: Metadata,
        mut plan: Plan,
        body: Option<Body>,
    ) -> Arc<Plan> {
        let pending = std::mem::take(&mut plan.pending_events);
        let plan = Arc::new(plan);
        if let Ok(file) = file.try_clone() {
            let kept = Cached { file, meta, plan: Arc::clone(&plan), pending, body };
            // The version replaced is freed after the lock is let go.
            let old = self.0.lock().unwrap_or_else(PoisonError::into_inner).replace(kept);
            drop(old);
        }
        plan
    }
}

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
