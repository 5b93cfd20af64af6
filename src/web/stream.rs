//! Live updates. One watcher on `.tasks/` is shared by every client: on each change a hub
//! thread reads the new lines of the event log (broadcast to clients, serialised once)
//! and recomputes the page's snapshot (a watch channel holds the latest). `/api/stream`
//! is server-sent events whose ids are event-log line numbers, so a client that
//! reconnects with `Last-Event-ID` (or `?since=N`) gets exactly the events it missed.
use std::collections::VecDeque;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use notify::{EventKind, RecursiveMode, Watcher};
use serde::Deserialize;
use tokio::sync::{broadcast, watch};

use super::api::{ApiError, blocking};
use super::server::App;
use super::views::{self, Inputs, read_log_from};
use crate::project::Project;
use crate::{Error, Result};

/// A new event-log line, serialised once for every client.
#[derive(Debug)]
pub struct Frame {
    pub id: usize,
    pub json: String,
}

/// The shared source of live updates.
#[derive(Debug)]
pub struct Hub {
    pub events: broadcast::Sender<Arc<Frame>>,
    pub snapshot: watch::Receiver<Arc<str>>,
}

/// Time allowed for the rest of a store write (plan, then log) to land before reading.
const SETTLE: Duration = Duration::from_millis(8);

/// The page's snapshot as JSON; `{"error": …}` when the store cannot be read.
pub fn snapshot_json(project: &Project) -> String {
    let now = jiff::Timestamp::now();
    let json = Inputs::load(project)
        .and_then(|i| serde_json::to_string(&views::snapshot(&i, now)).map_err(Error::from));
    json.unwrap_or_else(|e| serde_json::json!({ "error": e.message }).to_string())
}

/// Does this change concern what the dashboard shows? (Not the lock, not temp files.)
fn relevant(event: &notify::Event) -> bool {
    if matches!(event.kind, EventKind::Access(_) | EventKind::Other) {
        return false;
    }
    event.paths.iter().any(|p| {
        let name = p.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
        matches!(name.as_ref(), "tasks.json" | "events.jsonl" | "validation-contract.md" | ".tasks")
    })
}

impl Hub {
    /// Starts the watcher and the hub thread. The project root is watched too, so a
    /// `.tasks/` created later is picked up.
    pub fn start(project: &Project) -> Result<Hub> {
        let log = project.events_jsonl();
        let (_, mut offset, mut lines) = read_log_from(&log, 0, 0)?;
        let (snap_tx, snap_rx) = watch::channel::<Arc<str>>(snapshot_json(project).into());
        let (events, _) = broadcast::channel(1024);
        let (wake_tx, wake_rx) = mpsc::channel::<()>();
        let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            if res.map(|e| relevant(&e)).unwrap_or(true) {
                let _ = wake_tx.send(());
            }
        })
        .map_err(|e| Error::failed(format!("cannot watch {}: {e}", project.root.display())))?;
        watch_dir(&mut watcher, &project.root)?;
        let tasks_dir = project.tasks_dir();
        let mut watching_tasks = watch_dir(&mut watcher, &tasks_dir).is_ok();
        let project = project.clone();
        let tx = events.clone();
        std::thread::Builder::new()
            .name("dashboard-hub".into())
            .spawn(move || {
                while wake_rx.recv().is_ok() {
                    std::thread::sleep(SETTLE);
                    while wake_rx.try_recv().is_ok() {}
                    if !watching_tasks {
                        watching_tasks = watch_dir(&mut watcher, &tasks_dir).is_ok();
                    }
                    if let Ok((new, o, n)) = read_log_from(&log, offset, lines) {
                        (offset, lines) = (o, n);
                        for e in new {
                            let json = serde_json::to_string(&e).unwrap_or_default();
                            let _ = tx.send(Arc::new(Frame { id: e.id, json }));
                        }
                    }
                    let snap = snapshot_json(&project);
                    snap_tx.send_if_modified(|cur| {
                        let changed = **cur != *snap;
                        if changed {
                            *cur = snap.into();
                        }
                        changed
                    });
                }
            })
            .map_err(|e| Error::failed(format!("cannot start the dashboard hub: {e}")))?;
        Ok(Hub { events, snapshot: snap_rx })
    }
}

fn watch_dir(w: &mut impl Watcher, dir: &Path) -> Result<()> {
    w.watch(dir, RecursiveMode::NonRecursive)
        .map_err(|e| Error::failed(format!("cannot watch {}: {e}", dir.display())))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamQuery {
    /// Resume after this event id (same as the `Last-Event-ID` header, which wins).
    since: Option<usize>,
}

/// Where a client resumes: `Last-Event-ID`, else `?since=`; `None` = only new events.
fn resume_point(
    headers: &HeaderMap,
    q: &StreamQuery,
) -> std::result::Result<Option<usize>, ApiError> {
    match headers.get("last-event-id") {
        Some(v) => {
            v.to_str().ok().and_then(|s| s.trim().parse().ok()).map(Some).ok_or_else(|| {
                ApiError::bad_request("Last-Event-ID must be an event id (a number)")
            })
        }
        None => Ok(q.since),
    }
}

/// `GET /api/stream`: `snapshot` messages (the whole page's data, on connect and on
/// every change) and `event` messages (one per event-log line, `id:` = line number).
pub async fn stream(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    query: std::result::Result<Query<StreamQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Query(q) = match query {
        Ok(q) => q,
        Err(e) => return ApiError::bad_request(e.body_text()).into_response(),
    };
    let resume = match resume_point(&headers, &q) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let events = app.hub.events.subscribe();
    let backlog = match resume {
        Some(since) => {
            let log: PathBuf = app.project.events_jsonl();
            match blocking(move || read_log_from(&log, 0, 0)).await {
                Ok((all, _, _)) => all
                    .into_iter()
                    .filter(|e| e.id > since)
                    .map(|e| {
                        let json = serde_json::to_string(&e).unwrap_or_default();
                        Arc::new(Frame { id: e.id, json })
                    })
                    .collect(),
                Err(e) => return e.into_response(),
            }
        }
        None => VecDeque::new(),
    };
    let last = backlog.back().map(|f: &Arc<Frame>| f.id).or(resume).unwrap_or(0);
    let state = Client {
        first: true,
        backlog,
        last,
        events,
        snapshot: app.hub.snapshot.clone(),
        shutdown: app.shutdown.clone(),
    };
    Sse::new(client_stream(state))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

struct Client {
    first: bool,
    backlog: VecDeque<Arc<Frame>>,
    /// The id of the last event sent; broadcast events up to it are skipped.
    last: usize,
    events: broadcast::Receiver<Arc<Frame>>,
    snapshot: watch::Receiver<Arc<str>>,
    shutdown: watch::Receiver<bool>,
}

fn event_message(f: &Frame) -> SseEvent {
    SseEvent::default().event("event").id(f.id.to_string()).data(&f.json)
}

fn client_stream(state: Client) -> impl Stream<Item = std::result::Result<SseEvent, Infallible>> {
    futures_util::stream::unfold(state, |mut c| async move {
        if c.first {
            c.first = false;
            let snap = c.snapshot.borrow_and_update().clone();
            let msg = SseEvent::default().event("snapshot").retry(Duration::from_secs(1));
            return Some((Ok(msg.data(&*snap)), c));
        }
        if let Some(f) = c.backlog.pop_front() {
            c.last = f.id;
            return Some((Ok(event_message(&f)), c));
        }
        loop {
            tokio::select! {
                biased;
                _ = c.shutdown.changed() => return None,
                r = c.events.recv() => match r {
                    Ok(f) if f.id > c.last => {
                        c.last = f.id;
                        return Some((Ok(event_message(&f)), c));
                    }
                    Ok(_) => continue,
                    // Too slow to keep up, or the hub is gone: end the stream; the
                    // browser reconnects with Last-Event-ID and misses nothing.
                    Err(_) => return None,
                },
                r = c.snapshot.changed() => {
                    if r.is_err() {
                        return None;
                    }
                    let snap = c.snapshot.borrow_and_update().clone();
                    return Some((Ok(SseEvent::default().event("snapshot").data(&*snap)), c));
                }
            }
        }
    })
}
