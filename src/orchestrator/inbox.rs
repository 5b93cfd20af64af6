//! Agents' self-reports handed to the running orchestrator instead of each taking the
//! store lock: `tmux-ide agent idle|busy|waiting` sends its one `agent_state` event as a
//! datagram to `.tmux-ide/run/reports.sock`, which the orchestrator binds while it runs,
//! and returns; the orchestrator appends what arrives with its other observations (one
//! turn of the lock for many reports, see `log_writer`). With a hundred agents reporting
//! three times a task, those reports were most of the lock's traffic, and every dispatch
//! queued behind them. No orchestrator (no socket, or a stale one), a full queue or a
//! path too long for a socket: the report goes to the store as before.
//!
//! The loop also hears of each report at once, in memory (see [`Heard`]): an idle
//! report is what lets a pane with a fresh busy report take its next task, and waiting
//! for the log to have it added a store turn and a file watch to every dispatch.
//!
//! A datagram is hostile input like any other: only a well-formed `agent_state` event of
//! bounded size, a `%N` pane id and a known state is taken, its time clamped to now.
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::Duration;

use jiff::Timestamp;

use super::log_writer::LogQueue;
use super::served::Served;
use crate::agent::state::parse_state_event;
use crate::plan::{Event, EventKind};
use crate::project::Project;

/// The largest report taken (a state event is ~200 bytes).
const MAX_REPORT: usize = 4096;

/// How often the receiving thread looks at its stop flag.
const STOP_POLL: Duration = Duration::from_millis(200);

/// Where the running orchestrator of `project` takes reports.
pub fn socket_path(project: &Project) -> PathBuf {
    project.run_dir().join("reports.sock")
}

/// Sends a self-report to the running orchestrator; false when there is none to take it
/// (then the caller writes it to the store itself). Never blocks.
pub fn send(project: &Project, event: &Event) -> bool {
    let path = socket_path(project);
    if crate::project::refuse_symlinks(&project.root, &path).is_err() {
        return false;
    }
    let Ok(bytes) = serde_json::to_vec(event) else { return false };
    if bytes.len() > MAX_REPORT {
        return false;
    }
    let Ok(socket) = UnixDatagram::unbound() else { return false };
    if socket.set_nonblocking(true).is_err() {
        return false;
    }
    matches!(socket.send_to(&bytes, &path), Ok(n) if n == bytes.len())
}

/// Reports taken since the loop last looked, and how to wake it. The loop takes them
/// into its judgement of the panes only (what it reads from the log later is the same
/// report again, which changes nothing there); everything else that follows the log
/// hears of them from the log.
#[derive(Debug, Clone)]
pub(crate) struct Heard {
    reports: Arc<Mutex<Vec<Event>>>,
    wake: mpsc::Sender<()>,
}

impl Heard {
    pub(crate) fn new(wake: mpsc::Sender<()>) -> Heard {
        Heard { reports: Arc::default(), wake }
    }

    /// The reports heard since the last call.
    pub(crate) fn take(&self) -> Vec<Event> {
        std::mem::take(&mut *self.reports.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn tell(&self, event: Event) {
        let mut reports = self.reports.lock().unwrap_or_else(PoisonError::into_inner);
        // Bounded: a loop that stopped looking loses what it did not take (the log still
        // has every report).
        if reports.len() >= 10_000 {
            reports.clear();
        }
        reports.push(event);
        drop(reports);
        let _ = self.wake.send(());
    }
}

/// Binds the project's report socket and starts taking reports into `queue` (and telling
/// `heard`); `None` when it cannot bind (then reports go to the store).
pub(crate) fn start(project: &Project, queue: LogQueue, heard: Option<Heard>) -> Option<Served> {
    let bind = |path: &Path| {
        let socket = UnixDatagram::bind(path)?;
        socket.set_read_timeout(Some(STOP_POLL))?;
        Ok(socket)
    };
    Served::start(
        project,
        socket_path(project),
        "report-inbox",
        "self-reports",
        bind,
        move |socket, stop| receive(socket, stop, &queue, heard.as_ref()),
    )
}

fn receive(socket: &UnixDatagram, stop: &AtomicBool, queue: &LogQueue, heard: Option<&Heard>) {
    let mut buf = vec![0u8; MAX_REPORT + 1];
    loop {
        // After the stop, what is still queued on the socket is taken, then it ends.
        let stopping = stop.load(Ordering::Relaxed);
        if stopping {
            let _ = socket.set_nonblocking(true);
        }
        match socket.recv(&mut buf) {
            Ok(n) => {
                if let Some(event) = accept(&buf[..n], Timestamp::now()) {
                    if let Some(heard) = heard {
                        heard.tell(event.clone());
                    }
                    queue.push(vec![event]);
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                if stopping {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "report socket failed; reports go to the store");
                return;
            }
        }
    }
}

/// The report in `bytes` if it is one to log: an `agent_state` self-report of a `%N`
/// pane, nothing else in it, its time no later than `now`.
pub(crate) fn accept(bytes: &[u8], now: Timestamp) -> Option<Event> {
    if bytes.len() > MAX_REPORT {
        return None;
    }
    let mut event: Event = serde_json::from_slice(bytes).ok()?;
    if event.kind != EventKind::AgentState || event.seq.is_some() {
        return None;
    }
    let (pane, _, _) = parse_state_event(&event)?;
    if !crate::tmux::control::is_pane_id(pane.as_bytes())
        || event.task.is_some()
        || event.milestone.is_some()
    {
        return None;
    }
    let known = ["pane_id", "state", "source"];
    if event.extra.keys().any(|k| !known.contains(&k.as_str())) {
        return None;
    }
    if event.pane.as_ref().is_some_and(|t| t.chars().any(char::is_control) || t.len() > 200) {
        return None;
    }
    event.ts = event.ts.min(now);
    Some(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::state::{ReportedState, state_event};

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap()
    }

    #[test]
    fn a_state_report_is_taken_and_its_time_kept_unless_it_is_ahead() {
        let report = state_event(at(100), "%3", "Worker 3", ReportedState::Busy);
        let bytes = serde_json::to_vec(&report).unwrap();
        assert_eq!(accept(&bytes, at(200)).unwrap(), report);
        assert_eq!(accept(&bytes, at(50)).unwrap().ts, at(50));
    }

    #[test]
    fn anything_but_a_plain_state_report_is_refused() {
        let ok = state_event(at(1), "%3", "W", ReportedState::Idle);
        let refuse =
            |e: Event| assert!(accept(&serde_json::to_vec(&e).unwrap(), at(9)).is_none(), "{e:?}");
        refuse(Event::new(at(1), EventKind::TaskDone).task("001"));
        refuse(ok.clone().task("001"));
        refuse(ok.clone().with("verdict", "pass"));
        refuse(state_event(at(1), "3", "W", ReportedState::Idle));
        refuse(state_event(at(1), "%3;", "W", ReportedState::Idle));
        refuse(state_event(at(1), "%3", "W\u{1b}[2J", ReportedState::Idle));
        refuse(ok.clone().with("state", "asleep"));
        let mut numbered = ok.clone();
        numbered.seq = Some(7);
        refuse(numbered);
        assert!(accept(b"{not json", at(9)).is_none());
        assert!(accept(&vec![b' '; MAX_REPORT + 1], at(9)).is_none());
    }

    #[test]
    fn a_sent_report_arrives_and_none_is_sent_without_a_socket() {
        let dir = tempfile::tempdir().unwrap();
        let project = Project::at(dir.path());
        let report = state_event(at(1), "%1", "A", ReportedState::Busy);
        assert!(!send(&project, &report), "nobody listens");
        let store = crate::plan::store::Store::new(&project);
        std::fs::create_dir_all(project.tasks_dir()).unwrap();
        let mut writer = super::super::log_writer::LogWriter::start(store.clone(), project.clone());
        let (wake, woken) = mpsc::channel();
        let heard = Heard::new(wake);
        let mut inbox = start(&project, writer.queue(), Some(heard.clone())).unwrap();
        assert!(send(&project, &report));
        // The loop hears of it at once, whenever the log gets it.
        woken.recv_timeout(Duration::from_secs(10)).expect("the loop was not woken");
        assert_eq!(heard.take(), std::slice::from_ref(&report));
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while store.read_events().unwrap().is_empty() {
            assert!(std::time::Instant::now() < deadline, "the report never reached the log");
            std::thread::yield_now();
        }
        inbox.stop();
        assert!(!send(&project, &report), "stopped: the store takes it");
        writer.finish(&store);
        let logged = store.read_events().unwrap();
        assert_eq!(logged.len(), 1);
        assert_eq!(
            parse_state_event(&logged[0]).map(|(p, s, _)| (p, s)),
            Some(("%1", ReportedState::Busy))
        );
    }
}
