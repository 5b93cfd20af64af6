//! Serving the dashboard's connections ourselves instead of `axum::serve`, which sets no
//! header timeout and waits for every connection on shutdown: a handful of clients that
//! open a connection and never finish a request (slowloris) could hold it forever, and
//! one of them kept SIGTERM from ending the process.
//!
//! Here: a client has [`HEADER_TIMEOUT`] to send a request head, and a kept-alive
//! connection that sends no new request is closed after the same time (hyper's timer
//! runs whenever it waits for a head). Connections are capped (see [`connection_limit`]);
//! at the cap, the oldest connection that has not yet sent a complete request makes room,
//! so a real request always gets in. On shutdown, connections get [`SHUTDOWN_GRACE`] to
//! finish and are then dropped.
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper::service::Service;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinSet;

/// Time to send a request head, and the longest a kept-alive connection may sit idle.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);

/// Most connections served at once, whatever the file-descriptor limit allows.
pub const MAX_CONNECTIONS: usize = 256;

/// How long open connections may take to finish once shutdown starts; then they are
/// dropped, so SIGTERM ends the process within about this time.
pub const SHUTDOWN_GRACE: Duration = Duration::from_millis(800);

/// The connection cap: [`MAX_CONNECTIONS`], or half the process's file-descriptor limit
/// when that is lower, so connections never starve the store, the watcher or tmux of fds.
pub fn connection_limit() -> usize {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes into the struct we own.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0;
    let half = if ok { usize::try_from(lim.rlim_cur / 2).unwrap_or(usize::MAX) } else { 512 };
    half.clamp(8, MAX_CONNECTIONS)
}

/// One open connection: whether it has sent a complete request head yet, and how to
/// close it to make room.
struct Entry {
    id: u64,
    served: Arc<AtomicBool>,
    evict: Option<oneshot::Sender<()>>,
}

/// The open connections, oldest first.
#[derive(Default)]
struct Open {
    next_id: u64,
    entries: Vec<Entry>,
}

impl Open {
    /// Makes room for one more under `limit`: closes the oldest connection that has not
    /// sent a request head yet. `false` when every connection is a real one (keep the
    /// new one out).
    fn make_room(&mut self, limit: usize) -> bool {
        if self.entries.len() < limit {
            return true;
        }
        let Some(at) = self.entries.iter().position(|e| !e.served.load(Ordering::Relaxed)) else {
            return false;
        };
        let mut gone = self.entries.remove(at);
        if let Some(evict) = gone.evict.take() {
            let _ = evict.send(());
        }
        true
    }

    fn add(&mut self) -> (u64, Arc<AtomicBool>, oneshot::Receiver<()>) {
        let (tx, rx) = oneshot::channel();
        let served = Arc::new(AtomicBool::new(false));
        self.next_id += 1;
        self.entries.push(Entry { id: self.next_id, served: served.clone(), evict: Some(tx) });
        (self.next_id, served, rx)
    }

    fn remove(&mut self, id: u64) {
        self.entries.retain(|e| e.id != id);
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then for at most
/// [`SHUTDOWN_GRACE`] more.
pub async fn serve(listener: TcpListener, router: Router, shutdown: impl Future<Output = ()>) {
    let limit = connection_limit();
    let open = Arc::new(Mutex::new(Open::default()));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        while tasks.try_join_next().is_some() {}
        let Ok((tcp, _)) = accepted else {
            // Out of file descriptors or a connection reset before accept: try again
            // shortly rather than spinning.
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let (id, served, evicted) = {
            let mut open = open.lock().unwrap_or_else(|e| e.into_inner());
            if !open.make_room(limit) {
                continue;
            }
            open.add()
        };
        let (router, stop, open) = (router.clone(), stop_rx.clone(), open.clone());
        tasks.spawn(async move {
            connection(tcp, router, served, evicted, stop).await;
            open.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let drain = async { while tasks.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, drain).await;
    tasks.abort_all();
}

/// One HTTP/1.1 connection, until it closes, is evicted, or shutdown asks it to finish.
async fn connection(
    tcp: TcpStream,
    router: Router,
    served: Arc<AtomicBool>,
    mut evicted: oneshot::Receiver<()>,
    mut stop: watch::Receiver<bool>,
) {
    let inner = TowerToHyperService::new(router);
    let service = hyper::service::service_fn(move |req| {
        served.store(true, Ordering::Relaxed);
        inner.call(req)
    });
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT);
    let conn = builder.serve_connection(TokioIo::new(tcp), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = &mut evicted => return,
        _ = stop.wait_for(|s| *s) => {}
    }
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_the_cap_the_oldest_connection_without_a_request_makes_room() {
        let mut open = Open::default();
        let (_, first_served, _first) = open.add();
        let (_, _, mut second) = open.add();
        let (_, _, mut third) = open.add();
        first_served.store(true, Ordering::Relaxed);
        assert!(open.make_room(4), "under the cap nothing is closed");
        assert!(second.try_recv().is_err() && third.try_recv().is_err());
        assert!(open.make_room(3));
        assert!(second.try_recv().is_ok(), "the oldest half-open one goes");
        assert!(third.try_recv().is_err());
        assert_eq!(open.entries.len(), 2);
        open.entries[1].served.store(true, Ordering::Relaxed);
        assert!(!open.make_room(2), "real clients are never closed to make room");
    }

    #[test]
    fn the_cap_follows_the_file_descriptor_limit() {
        let limit = connection_limit();
        assert!((8..=MAX_CONNECTIONS).contains(&limit), "{limit}");
    }
}
