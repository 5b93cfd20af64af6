//! Observations appended to the log off the tick: `pane_state` events and prompt
//! receipts wait for the store lock in a thread of their own, so a tick whose only write
//! is what it saw never stalls behind the agents' reports (which hold that lock
//! hundreds of times a second with a hundred agents). Events are written in the order
//! they were queued; a write that changes the plan first takes what is still queued into
//! its own update ([`LogWriter::take_queued`]), without waiting for a batch already on
//! its way: that one may land just after the change. Both kinds are records for people
//! (views, notices) that no decision reads back, so a dispatch never waits for two turns
//! of the lock. What the writer cannot write is logged and dropped: the next look sees
//! it again.
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use crate::plan::Event;
use crate::plan::store::Store;

/// Events queued beyond this are dropped (said once in the log): the writer is stuck.
const MAX_QUEUED: usize = 100_000;

#[derive(Default)]
struct State {
    queue: Vec<Event>,
    stop: bool,
    dropped: bool,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Queues events for the log; clones share the one writer thread.
#[derive(Clone)]
pub(crate) struct LogQueue(Arc<Shared>);

impl std::fmt::Debug for LogQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LogQueue")
    }
}

impl LogQueue {
    /// Queues `events` to be appended after everything queued before them.
    pub(crate) fn push(&self, events: Vec<Event>) {
        if events.is_empty() {
            return;
        }
        let mut state = self.0.lock();
        if state.queue.len() + events.len() > MAX_QUEUED {
            if !std::mem::replace(&mut state.dropped, true) {
                tracing::error!(
                    queued = state.queue.len(),
                    "log writer stuck: observations dropped"
                );
            }
            return;
        }
        state.queue.extend(events);
        self.0.changed.notify_all();
    }
}

/// The writer thread and its queue.
#[derive(Debug)]
pub(crate) struct LogWriter {
    queue: LogQueue,
    handle: Option<JoinHandle<()>>,
}

impl LogWriter {
    pub(crate) fn start(store: Store) -> LogWriter {
        let shared = Arc::new(Shared::default());
        let inner = Arc::clone(&shared);
        let handle = std::thread::Builder::new()
            .name("log-writer".into())
            .spawn(move || write_loop(&inner, &store))
            .map_err(|e| tracing::error!(error = %e, "no log writer thread: writing inline"))
            .ok();
        LogWriter { queue: LogQueue(shared), handle }
    }

    /// A handle for other threads (delivery receipts).
    pub(crate) fn queue(&self) -> LogQueue {
        self.queue.clone()
    }

    /// What is still queued (not a batch being written), for the caller's own write to
    /// carry ahead of its events. Without a thread (it could not start), that is
    /// everything.
    pub(crate) fn take_queued(&self) -> Vec<Event> {
        std::mem::take(&mut self.queue.0.lock().queue)
    }

    /// Writes what is queued and ends the thread.
    pub(crate) fn finish(&mut self, store: &Store) {
        self.queue.0.lock().stop = true;
        self.queue.0.changed.notify_all();
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
        // Anything queued after the thread left (or with no thread at all).
        let rest = std::mem::take(&mut self.queue.0.lock().queue);
        if let Err(e) = store.append_events(&rest) {
            tracing::error!(error = %e, events = rest.len(), "could not log observations");
        }
    }
}

fn write_loop(shared: &Shared, store: &Store) {
    loop {
        let batch = {
            let mut state = shared.lock();
            while state.queue.is_empty() && !state.stop {
                state = shared.changed.wait(state).unwrap_or_else(PoisonError::into_inner);
            }
            if state.queue.is_empty() {
                return;
            }
            std::mem::take(&mut state.queue)
        };
        if let Err(e) = store.append_events(&batch) {
            tracing::error!(error = %e, events = batch.len(), "could not log observations");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::EventKind;
    use crate::project::Project;

    fn event(n: u64) -> Event {
        Event::new(jiff::Timestamp::from_second(n as i64).unwrap(), EventKind::PaneState)
            .with("n", n)
    }

    fn logged(store: &Store) -> Vec<u64> {
        let events = store.read_events().unwrap();
        events.iter().filter_map(|e| e.extra.get("n").and_then(|v| v.as_u64())).collect()
    }

    #[test]
    fn queued_events_are_written_in_order_and_finish_writes_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(&Project::at(dir.path()));
        std::fs::create_dir_all(dir.path().join(".tasks")).unwrap();
        let mut writer = LogWriter::start(store.clone());
        let queue = writer.queue();
        for n in 0..50 {
            queue.push(vec![event(2 * n), event(2 * n + 1)]);
        }
        writer.finish(&store);
        assert_eq!(logged(&store), (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn take_queued_hands_back_only_what_no_write_has_taken() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(&Project::at(dir.path()));
        std::fs::create_dir_all(dir.path().join(".tasks")).unwrap();
        let mut writer = LogWriter::start(store.clone());
        let queue = writer.queue();
        queue.push((0..20).map(event).collect());
        let mut got = writer.take_queued();
        // What the caller takes it writes itself; together nothing is lost or doubled.
        store.append_events(&std::mem::take(&mut got)).unwrap();
        queue.push(vec![event(20)]);
        writer.finish(&store);
        let mut all = logged(&store);
        all.sort_unstable();
        assert_eq!(all, (0..21).collect::<Vec<_>>());
    }
}
