//! The orchestrator's side of notifications: it hands each batch of new events to
//! [`Notifier::observe`], which picks the chosen ones, remembers how far it looked, and
//! queues them to one delivery thread per target without ever waiting. A full queue drops
//! the notification and says so in the log (`notify_dropped`); a failed delivery is a
//! `notify_failed` event written by the delivery thread.
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::{Filter, Payload, Target, cursor, targets};
use crate::config::NotifyConfig;
use crate::plan::store::Store;
use crate::plan::{Event, EventKind};
use crate::project::Project;
use crate::tmux::Tmux;
use crate::{Error, Result};

/// Notifications waiting per target; beyond it new ones are dropped (and counted).
pub const QUEUE: usize = 64;

/// How long a stopping orchestrator lets queued notifications finish.
pub const DRAIN: Duration = Duration::from_secs(10);

/// A delivery thread and the sending end of its queue.
#[derive(Debug)]
struct Worker {
    label: String,
    tx: Option<SyncSender<Arc<Payload>>>,
    handle: Option<JoinHandle<()>>,
}

#[derive(Debug)]
pub struct Notifier {
    filter: Filter,
    workers: Vec<Worker>,
    store: Store,
    root: PathBuf,
    cursor_path: PathBuf,
    cursor: u64,
    project: String,
    session: String,
}

impl Notifier {
    /// Starts a delivery thread per target of `config` (none, and nothing to do, when it
    /// names no target). Event names nothing knows are bad input (exit 2).
    pub fn start(
        project: &Project,
        config: &NotifyConfig,
        tmux: &Tmux,
        session: &str,
    ) -> Result<Notifier> {
        if let Some(problem) = super::problems(config).into_iter().next() {
            return Err(Error::bad_input(format!("ide.yml: {problem}")));
        }
        let store = Store::new(project);
        let mut workers = Vec::new();
        for target in targets(config, &project.root, tmux, session) {
            workers.push(spawn_worker(target, config.clone(), store.clone())?);
        }
        Ok(Notifier {
            filter: Filter::new(config),
            workers,
            store,
            root: project.root.clone(),
            cursor_path: cursor::path(project),
            cursor: 0,
            project: project.root.display().to_string(),
            session: session.to_string(),
        })
    }

    /// The whole log as the orchestrator found it on starting: what was logged after the
    /// remembered position while no orchestrator ran is notified now.
    pub fn resume(&mut self, history: &[Event]) {
        if self.workers.is_empty() {
            return;
        }
        let (news, at) = cursor::resume(cursor::load(&self.cursor_path), history, &self.filter);
        self.send(&news, at, true);
    }

    /// Events appended since the last look.
    pub fn observe(&mut self, new: &[Event]) {
        if self.workers.is_empty() {
            return;
        }
        let (news, at) = cursor::advance(self.cursor, new, &self.filter);
        let save = !news.is_empty();
        self.send(&news, at, save);
    }

    fn send(&mut self, news: &[(String, &Event)], at: u64, save: bool) {
        self.cursor = at;
        // Remembered before anything is queued: at most once, even across a crash.
        if save && let Err(e) = cursor::save(&self.root, &self.cursor_path, at) {
            tracing::warn!(error = %e, "cannot remember the last notified event");
        }
        let mut dropped = vec![0usize; self.workers.len()];
        for (name, event) in news {
            let payload = Arc::new(Payload::new(name, event, &self.project, &self.session));
            for (worker, dropped) in self.workers.iter().zip(dropped.iter_mut()) {
                let Some(tx) = &worker.tx else { continue };
                if let Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) =
                    tx.try_send(Arc::clone(&payload))
                {
                    *dropped += 1;
                }
            }
        }
        let events: Vec<Event> = self
            .workers
            .iter()
            .zip(dropped)
            .filter(|(_, n)| *n > 0)
            .map(|(w, n)| {
                tracing::warn!(target = %w.label, dropped = n, "notification queue full");
                Event::new(Timestamp::now(), EventKind::NotifyDropped)
                    .with("target", w.label.as_str())
                    .with("dropped", n)
            })
            .collect();
        if !events.is_empty() {
            let _ = self.store.append_events(&events);
        }
    }

    /// On stopping: notifies `last` (the events since the last look), closes the queues
    /// and gives the threads [`DRAIN`] to deliver what is queued; any still busy then is
    /// left to end with the process.
    pub fn finish(&mut self, last: &[Event]) {
        self.observe(last);
        let deadline = Instant::now() + DRAIN;
        for w in &mut self.workers {
            w.tx = None;
        }
        while self.workers.iter().any(|w| w.handle.as_ref().is_some_and(|h| !h.is_finished())) {
            if Instant::now() >= deadline {
                tracing::warn!("notifications still being delivered at exit");
                return;
            }
            // Polling the threads' end against a deadline (std has no join with a timeout).
            std::thread::sleep(Duration::from_millis(20));
        }
        for w in &mut self.workers {
            if let Some(h) = w.handle.take() {
                let _ = h.join();
            }
        }
    }
}

fn spawn_worker(target: Target, config: NotifyConfig, store: Store) -> Result<Worker> {
    let (tx, rx) = mpsc::sync_channel::<Arc<Payload>>(QUEUE);
    let label = target.label();
    let name = label.clone();
    let handle = std::thread::Builder::new()
        .name("notify".into())
        .spawn(move || {
            for payload in rx {
                match target.deliver(&payload, &config) {
                    Ok(attempts) => tracing::info!(
                        target = %name, notify = %payload.name, seq = ?payload.seq, attempts,
                        "notified"
                    ),
                    Err(f) => {
                        tracing::warn!(target = %name, notify = %payload.name, error = %f.error, "notification failed");
                        let mut event = Event::new(Timestamp::now(), EventKind::NotifyFailed)
                            .with("target", name.as_str())
                            .with("notify", payload.name.as_str())
                            .with("attempts", f.attempts)
                            .with("error", f.error.as_str());
                        if let Some(seq) = payload.seq {
                            event = event.with("event_seq", seq);
                        }
                        let _ = store.append_events(&[event]);
                    }
                }
            }
        })
        .map_err(|e| Error::failed(format!("cannot start a notification thread: {e}")))?;
    Ok(Worker { label, tx: Some(tx), handle: Some(handle) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::EventKind;

    #[test]
    fn a_full_queue_drops_what_does_not_fit_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".tasks")).unwrap();
        let project = Project::at(dir.path());
        // Accepted by the kernel, never answered: the first delivery waits out its timeout.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let config = NotifyConfig {
            events: vec!["task_done".into()],
            webhooks: vec![format!("http://{}/", silent.local_addr().unwrap())],
            timeout: 60_000,
            retries: 0,
            ..NotifyConfig::default()
        };
        let tmux = Tmux::new(Some("tmux-ide-unused".into()));
        let mut notifier = Notifier::start(&project, &config, &tmux, "s").unwrap();
        notifier.resume(&[]);
        let at = Timestamp::UNIX_EPOCH;
        let extra = 10;
        let events: Vec<Event> = (1..=(QUEUE + extra) as u64)
            .map(|seq| Event { seq: Some(seq), ..Event::new(at, EventKind::TaskDone).task("1") })
            .collect();
        let started = Instant::now();
        notifier.observe(&events);
        assert!(started.elapsed() < Duration::from_secs(2), "observing never waits");
        let log = Store::new(&project).read_events().unwrap();
        let dropped: Vec<_> = log.iter().filter(|e| e.kind == EventKind::NotifyDropped).collect();
        assert_eq!(dropped.len(), 1, "{log:?}");
        // The thread may have taken the first one off the queue already.
        let n = dropped[0].extra["dropped"].as_u64().unwrap();
        assert!(n == extra as u64 || n == extra as u64 - 1, "{n}");
        let remembered = cursor::load(&cursor::path(&project));
        assert_eq!(remembered, Some((QUEUE + extra) as u64));
    }
}
