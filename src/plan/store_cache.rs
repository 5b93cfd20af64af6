//! A long-lived process's copy of the plan it last read or wrote (the orchestrator's:
//! its loop, its dispatches and its log writer share one), so a `tasks.json` already in
//! memory is not read and parsed again: at 2,000 tasks that is a megabyte, several
//! times a second with a hundred agents. A copy is used only while the file it came
//! from, still held open, is the one the path names, unchanged (as a read-ahead is, see
//! `ReadAhead::still_current`); a write by anyone else shows as another file.
use std::fs::{File, Metadata};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use super::model::Plan;

#[derive(Debug, Clone, Default)]
pub(super) struct PlanCache(Arc<Mutex<Option<Cached>>>);

#[derive(Debug)]
struct Cached {
    file: File,
    meta: Metadata,
    /// As read from the file: its pending events included.
    plan: Plan,
    /// Its body as the store writes it (see `pretty`), when known: what an update
    /// compares with and writes.
    body: Option<Vec<u8>>,
}

impl PlanCache {
    /// A copy of the plan `path` holds, if it is the version kept.
    pub(super) fn get(&self, path: &Path) -> Option<Plan> {
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let kept = kept.as_ref()?;
        current(path, &kept.file, &kept.meta).then(|| kept.plan.clone())
    }

    /// Like [`PlanCache::get`], without a copy: the plan leaves the cache, for an update,
    /// which puts back the version it writes; an update that writes nothing leaves the
    /// cache empty (the next read parses the file).
    /// The file it was read from (open) and its metadata then come with it, and its body
    /// if known.
    pub(super) fn take(&self, path: &Path) -> Option<(File, Metadata, Plan, Option<Vec<u8>>)> {
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let current = kept.as_ref().is_some_and(|k| current(path, &k.file, &k.meta));
        let kept = kept.take()?;
        current.then_some((kept.file, kept.meta, kept.plan, kept.body))
    }

    /// Keeps `plan` (and `body`, its body) as the content of `file` (opened before it was read or just after it
    /// was written, `meta` its metadata then). A version already replaced is kept too:
    /// [`PlanCache::get`] never returns it.
    pub(super) fn put(&self, file: &File, meta: Metadata, plan: Plan, body: Option<Vec<u8>>) {
        let Ok(file) = file.try_clone() else { return };
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(Cached { file, meta, plan, body });
    }
}

/// Whether `path` still names `file`, as it was when `meta` was taken. Every write
/// replaces `tasks.json` by a rename, so a change shows as another inode; while `file` is
/// held open its inode cannot be reused for a new one. Size and times also catch an edit
/// made in place (by hand).
pub(super) fn current(path: &Path, file: &File, meta: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    let (Ok(now), Ok(held)) = (std::fs::metadata(path), file.metadata()) else {
        return false;
    };
    let same = |a: &Metadata, b: &Metadata| {
        (a.dev(), a.ino(), a.len(), a.mtime(), a.mtime_nsec(), a.ctime(), a.ctime_nsec())
            == (b.dev(), b.ino(), b.len(), b.mtime(), b.mtime_nsec(), b.ctime(), b.ctime_nsec())
    };
    same(&now, &held) && same(&held, meta)
}
