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
//!
//! The writer also applies the `task done` requests commands hand to the orchestrator
//! (see [`super::requests`]): those queued meanwhile, with the observations, in one
//! update.
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use super::requests::Pending;
use crate::plan::Event;
use crate::plan::store::Store;
use crate::project::Project;

/// Events queued beyond this are dropped (said once in the log): the writer is stuck.
const MAX_QUEUED: usize = 100_000;

#[derive(Default)]
struct State {
    queue: Vec<Event>,
    /// Events whose senders wait until they are in the log: written only by the thread.
    waited: Vec<Event>,
    /// `task done` requests waiting for their commit and reply.
    requests: Vec<Pending>,
    /// How many waited-for events were queued, and how many of those are written.
    waited_in: u64,
    waited_out: u64,
    stop: bool,
    dropped: bool,
    /// No writer thread: [`LogQueue::push_and_wait`] writes itself.
    no_thread: bool,
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

    /// Queues a `task done` request: committed with the next batch, then answered.
    pub(crate) fn request(&self, pending: Pending) {
        let mut state = self.0.lock();
        if state.no_thread || state.requests.len() >= super::requests::MAX_PENDING {
            // Nobody would commit it soon: dropped, the connection closes and the command
            // writes the store itself.
            return;
        }
        state.requests.push(pending);
        self.0.changed.notify_all();
    }

    /// Queues `events` and returns once the writer has appended them (synced), or
    /// appends them here when there is no writer: for records that must be in the log
    /// before their sender goes on (a paste's `prompt_delivered`), written together with
    /// whatever else is queued instead of each taking the store lock on its own.
    pub(crate) fn push_and_wait(&self, events: Vec<Event>, store: &Store) -> crate::Result<()> {
        let mut state = self.0.lock();
        if state.no_thread || state.stop {
            drop(state);
            return store.append_events(&events);
        }
        state.waited_in += events.len() as u64;
        let ticket = state.waited_in;
        state.waited.extend(events);
        self.0.changed.notify_all();
        while state.waited_out < ticket {
            state = self.0.changed.wait(state).unwrap_or_else(PoisonError::into_inner);
        }
        Ok(())
    }
}

/// The writer thread and its queue.
#[derive(Debug)]
pub(crate) struct LogWriter {
    queue: LogQueue,
    /// Whose library a finished task's summary goes to.
    project: Project,
    handle: Option<JoinHandle<()>>,
}

impl LogWriter {
    pub(crate) fn start(store: Store, project: Project) -> LogWriter {
        let shared = Arc::new(Shared::default());
        let inner = Arc::clone(&shared);
        let owned = project.clone();
        let handle = std::thread::Builder::new()
            .name("log-writer".into())
            .spawn(move || write_loop(&inner, &store, &owned))
            .map_err(|e| tracing::error!(error = %e, "no log writer thread: writing inline"))
            .ok();
        shared.lock().no_thread = handle.is_none();
        LogWriter { queue: LogQueue(shared), project, handle }
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

    /// The `task done` requests still queued (not in a batch being written), for the
    /// caller's own write to commit (see [`super::requests::apply`]).
    pub(crate) fn take_requests(&self) -> Vec<Pending> {
        std::mem::take(&mut self.queue.0.lock().requests)
    }

    /// Writes what is queued, answers the requests, and ends the thread.
    pub(crate) fn finish(&mut self, store: &Store) {
        self.queue.0.lock().stop = true;
        self.queue.0.changed.notify_all();
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
        // Anything queued after the thread left (or with no thread at all).
        let (rest, requests) = {
            let mut state = self.queue.0.lock();
            (std::mem::take(&mut state.queue), std::mem::take(&mut state.requests))
        };
        write(store, &self.project, rest, requests);
    }
}

/// Appends `events`, or commits them with `requests`.
fn write(store: &Store, project: &Project, events: Vec<Event>, requests: Vec<Pending>) {
    if !requests.is_empty() {
        super::requests::commit(store, project, events, requests);
    } else if let Err(e) = store.append_events(&events) {
        tracing::error!(error = %e, events = events.len(), "could not log observations");
    }
}

fn write_loop(shared: &Shared, store: &Store, project: &Project) {
    loop {
        let (mut batch, observed, requests) = {
            let mut state = shared.lock();
            while state.queue.is_empty()
                && state.waited.is_empty()
                && state.requests.is_empty()
                && !state.stop
            {
                state = shared.changed.wait(state).unwrap_or_else(PoisonError::into_inner);
            }
            if state.queue.is_empty() && state.waited.is_empty() && state.requests.is_empty() {
                return;
            }
            let waited = std::mem::take(&mut state.waited);
            let requests = std::mem::take(&mut state.requests);
            (waited, std::mem::take(&mut state.queue), requests)
        };
        let promised = batch.len() as u64;
        batch.extend(observed);
        write(store, project, batch, requests);
        if promised > 0 {
            // Failed too: the sender is not held forever; the error is in the log.
            shared.lock().waited_out += promised;
            shared.changed.notify_all();
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

    /// A writer on the store of a fresh project (kept while the directory lives).
    fn started() -> (tempfile::TempDir, Store, LogWriter) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(&Project::at(dir.path()));
        std::fs::create_dir_all(dir.path().join(".tasks")).unwrap();
        let writer = LogWriter::start(store.clone(), Project::at(dir.path()));
        (dir, store, writer)
    }

    fn logged(store: &Store) -> Vec<u64> {
        let events = store.read_events().unwrap();
        events.iter().filter_map(|e| e.extra.get("n").and_then(|v| v.as_u64())).collect()
    }

    #[test]
    fn queued_events_are_written_in_order_and_finish_writes_the_rest() {
        let (_dir, store, mut writer) = started();
        let queue = writer.queue();
        for n in 0..50 {
            queue.push(vec![event(2 * n), event(2 * n + 1)]);
        }
        writer.finish(&store);
        assert_eq!(logged(&store), (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn a_waited_for_event_is_in_the_log_when_push_and_wait_returns() {
        let (_dir, store, mut writer) = started();
        let queue = writer.queue();
        let threads: Vec<_> = (0..8)
            .map(|n| {
                let (queue, store) = (queue.clone(), store.clone());
                std::thread::spawn(move || {
                    queue.push_and_wait(vec![event(n)], &store).unwrap();
                    assert!(logged(&store).contains(&n), "{n} not logged yet");
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        writer.finish(&store);
        // After the writer is gone, the sender writes itself.
        queue.push_and_wait(vec![event(8)], &store).unwrap();
        let mut all = logged(&store);
        all.sort_unstable();
        assert_eq!(all, (0..9).collect::<Vec<_>>());
    }

    #[test]
    fn take_queued_hands_back_only_what_no_write_has_taken() {
        let (_dir, store, mut writer) = started();
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
