//! `task done` applied by the running orchestrator for the command, many to one turn of
//! the store lock. With a hundred agents, each `task done` parsing and rewriting the
//! whole `tasks.json` itself kept the lock busy most of the time (a megabyte at 2,000
//! tasks, 26 times a second), and every dispatch and every report queued behind them.
//!
//! The command connects to `.tmux-ide/run/requests.sock` (bound while an orchestrator
//! runs), sends its request as one JSON line and waits for the one-line reply, which
//! comes once the change is committed (or refused, with the error the command itself
//! would have given). The orchestrator's log writer applies what is queued in one store
//! update, each request all or nothing on its own (see [`crate::plan::library::finish`]).
//! No socket, or nobody listening: the command changes the store itself, as before.
//! A connection lost before the reply: the command changes the store itself, unless the
//! orchestrator had already committed that very change (same finish time and proof),
//! and a task is finished only once, so whichever comes second is refused: never both.
//!
//! Never both also in time: the orchestrator applies a request only while it is younger
//! than [`MAX_AGE`] (checked under the store lock), and the command waits for its reply
//! longer than that ([`REPLY_DEADLINE`]) before it writes the store itself, so a request
//! left in a stopped orchestrator's queue can never land after the command's own write.
//!
//! A request is hostile input like any other: bounded in size and time, validated again
//! here (the command's own checks can be skipped by anyone who can reach the socket).
use std::io::{Read as _, Write as _};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::log_writer::LogQueue;
use super::served::Served;
use crate::error::Kind;
use crate::plan::library::{self, Library};
use crate::plan::store::Store;
use crate::plan::{Event, Task};
use crate::project::Project;
use crate::{Error, Result};

/// The largest request taken (`--proof` and `--summary` are single arguments, which
/// Linux bounds at 128 KiB each).
pub const MAX_REQUEST: usize = 1 << 20;
/// How long the orchestrator waits for a connected command to send its whole request.
const READ_TIMEOUT: Duration = Duration::from_secs(2);
/// The oldest request the orchestrator applies (from the time the command took).
pub const MAX_AGE: Duration = Duration::from_secs(60);
/// The largest `--proof` or `--summary` taken (what one argument can hold on Linux).
const MAX_FIELD: usize = 128 << 10;
/// Requests queued beyond this are dropped unanswered (their commands write the store).
pub(crate) const MAX_PENDING: usize = 1_000;
/// How often the accepting thread looks at its stop flag.
const STOP_POLL: Duration = Duration::from_millis(200);
/// How long a command waits to be connected before it writes the store itself.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a command waits for its reply, all told, before changing the store itself:
/// longer than [`MAX_AGE`], after which the orchestrator no longer applies it.
const REPLY_DEADLINE: Duration = Duration::from_secs(90);

/// `task done ID --proof P [--summary S]`, finished at `now`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoneRequest {
    pub id: String,
    pub proof: String,
    pub summary: Option<String>,
    pub now: Timestamp,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum Request {
    TaskDone(DoneRequest),
}

/// The reply: the finished task's id, or the error the command reports as its own.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum Reply {
    /// Committed; `warning` when its library entry could not be written.
    Done {
        id: String,
        warning: Option<String>,
    },
    Error {
        kind: ErrorKind,
        message: String,
        hint: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ErrorKind {
    BadInput,
    Failed,
    Internal,
}

/// What became of a request sent with [`submit`].
#[derive(Debug)]
pub enum Submitted {
    /// No orchestrator takes requests: the command applies its change itself.
    NoOrchestrator,
    /// The orchestrator answered: the finished task's id (and a warning when its
    /// library entry could not be written), or why it was refused.
    Replied(Result<(String, Option<String>)>),
    /// Sent, but no reply came: the change may or may not be committed.
    Lost,
}

/// Where the running orchestrator of `project` takes requests.
pub fn socket_path(project: &Project) -> PathBuf {
    project.run_dir().join("requests.sock")
}

/// Hands `request` to the running orchestrator and waits for its reply.
pub fn submit(project: &Project, request: &DoneRequest) -> Submitted {
    let path = socket_path(project);
    if crate::project::refuse_symlinks(&project.root, &path).is_err() {
        return Submitted::NoOrchestrator;
    }
    let Ok(mut line) = serde_json::to_vec(&Request::TaskDone(request.clone())) else {
        return Submitted::NoOrchestrator;
    };
    if line.len() >= MAX_REQUEST {
        return Submitted::NoOrchestrator;
    }
    line.push(b'\n');
    // Refused or missing: nobody listens (a stale socket of an orchestrator that died).
    // Not taken in time (a stopped orchestrator's full queue): nothing was sent either.
    let Ok(mut stream) = connect(&path, CONNECT_TIMEOUT) else {
        return Submitted::NoOrchestrator;
    };
    // One deadline for the whole exchange, the write included (an orchestrator stopped
    // with Ctrl-Z does not read).
    let deadline = std::time::Instant::now() + REPLY_DEADLINE;
    let left = || deadline.checked_duration_since(std::time::Instant::now());
    if stream.set_write_timeout(left()).is_err() || stream.write_all(&line).is_err() {
        return Submitted::Lost;
    }
    let Some(reply) = read_line(&stream, left, MAX_REQUEST) else { return Submitted::Lost };
    // Printed to the command's terminal: whoever holds the socket, no control sequence.
    let safe = |text: String| crate::report::text::one_line(&text);
    match serde_json::from_slice::<Reply>(&reply) {
        Ok(Reply::Done { id, warning }) => Submitted::Replied(Ok((safe(id), warning.map(safe)))),
        Ok(Reply::Error { kind, message, hint }) => {
            let (message, hint) = (safe(message), hint.map(safe));
            let error = match kind {
                ErrorKind::BadInput => Error::bad_input(message),
                ErrorKind::Failed => Error::failed(message),
                ErrorKind::Internal => Error::internal(message),
            };
            Submitted::Replied(Err(match hint {
                Some(hint) => error.with_hint(hint),
                None => error,
            }))
        }
        Err(_) => Submitted::Lost,
    }
}

/// A connection to `path`, given up after `timeout`.
fn connect(path: &std::path::Path, timeout: Duration) -> std::io::Result<UnixStream> {
    let socket = socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::STREAM, None)?;
    socket.connect_timeout(&socket2::SockAddr::unix(path)?, timeout)?;
    Ok(UnixStream::from(std::os::fd::OwnedFd::from(socket)))
}

/// A request taken off the socket, and the connection its reply goes to.
#[derive(Debug)]
pub(crate) struct Pending {
    request: DoneRequest,
    stream: UnixStream,
}

/// Binds the project's request socket and queues what arrives on `queue`; `None` when it
/// cannot bind (then commands write the store themselves).
pub(crate) fn start(project: &Project, queue: LogQueue) -> Option<Served> {
    Served::start(
        project,
        socket_path(project),
        "requests",
        "task done requests",
        |path: &std::path::Path| UnixListener::bind(path),
        move |listener, stop| serve(listener, stop, &queue),
    )
}

fn serve(listener: &UnixListener, stop: &AtomicBool, queue: &LogQueue) {
    if listener.set_nonblocking(true).is_err() {
        return;
    }
    loop {
        // After the stop, what already connected is taken, then it ends.
        let stopping = stop.load(Ordering::SeqCst);
        match listener.accept() {
            Ok((stream, _)) => {
                if let Some(pending) = take(stream) {
                    queue.request(pending);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if stopping {
                    return;
                }
                // Not a blocking accept: nothing could wake it once the socket's path is
                // gone (a project directory removed under a running orchestrator).
                wait_readable(listener, STOP_POLL);
            }
            // Passing trouble (a client gone before it was taken, out of descriptors):
            // commands meanwhile write the store themselves.
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::Interrupted | std::io::ErrorKind::ConnectionAborted
                ) || matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE)) =>
            {
                if stopping {
                    return;
                }
                std::thread::sleep(STOP_POLL);
            }
            Err(e) => {
                tracing::warn!(error = %e, "request socket failed; commands write the store");
                return;
            }
        }
    }
}

/// Waits until `listener` has a connection to accept, at most `timeout`.
fn wait_readable(listener: &UnixListener, timeout: Duration) {
    use std::os::fd::AsRawFd;
    let mut fd = libc::pollfd { fd: listener.as_raw_fd(), events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd, alive for the call; the descriptor is the listener's own.
    let _ = unsafe { libc::poll(&mut fd, 1, timeout.as_millis() as libc::c_int) };
}

/// Reads one request from `stream`; a bad one is answered (or dropped) here.
fn take(stream: UnixStream) -> Option<Pending> {
    stream.set_nonblocking(false).ok()?;
    // All told, not per read: a client trickling a byte at a time holds up no one long.
    let deadline = std::time::Instant::now() + READ_TIMEOUT;
    let left = || deadline.checked_duration_since(std::time::Instant::now());
    let line = read_line(&stream, left, MAX_REQUEST + 1)?;
    match parse(&line, Timestamp::now()) {
        Ok(request) => Some(Pending { request, stream }),
        Err(e) => {
            answer(stream, Err(&e));
            None
        }
    }
}

/// One line from `stream` (its newline included, or what came before the end), at most
/// `max` bytes, each read given the time `left` says remains; `None` when the time runs
/// out or nothing came.
fn read_line(
    mut stream: &UnixStream,
    left: impl Fn() -> Option<Duration>,
    max: usize,
) -> Option<Vec<u8>> {
    let mut line = Vec::new();
    let mut chunk = [0u8; 16 << 10];
    loop {
        let wait = left().filter(|d| !d.is_zero())?;
        stream.set_read_timeout(Some(wait)).ok()?;
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return (!line.is_empty()).then_some(line);
        }
        line.extend_from_slice(&chunk[..n]);
        if line.contains(&b'\n') || line.len() >= max {
            return Some(line);
        }
    }
}

/// The request in `line` if it is one to apply, its time within [`MAX_AGE`] before
/// `now`, no later.
pub(crate) fn parse(line: &[u8], now: Timestamp) -> Result<DoneRequest> {
    let refuse = |why: &str| Err(Error::bad_input(format!("request refused: {why}")));
    if line.len() > MAX_REQUEST || !line.ends_with(b"\n") {
        return refuse("not one line of at most 1 MiB");
    }
    let Ok(Request::TaskDone(mut request)) = serde_json::from_slice(line) else {
        return refuse("not a task done request");
    };
    if request.id.is_empty() || request.id.len() > 64 || request.id.chars().any(char::is_control) {
        return refuse("the task id is not 1 to 64 printable characters");
    }
    if request.proof.trim().is_empty() {
        return Err(Error::bad_input(
            "--proof must not be blank (say what was done and how to verify it)",
        ));
    }
    let fields = std::iter::once(&request.proof).chain(request.summary.as_ref());
    if fields.clone().any(|f| f.len() > MAX_FIELD || f.contains('\0')) {
        return refuse("--proof or --summary over 128 KiB or holding a NUL");
    }
    if too_old(request.now, now) {
        return refuse("sent more than a minute ago");
    }
    request.now = request.now.min(now);
    Ok(request)
}

/// Whether a request taken at `sent` is past [`MAX_AGE`] at `now`.
fn too_old(sent: Timestamp, now: Timestamp) -> bool {
    now.duration_since(sent) > jiff::SignedDuration::try_from(MAX_AGE).unwrap_or_default()
}

/// Commits `requests` (each on its own, all in one update) with the observations
/// `observed` ahead of them, then answers each. When the update fails as a whole (then
/// nothing is committed), the events are appended alone and the requests are left
/// unanswered: their commands write the store themselves and report what they meet.
pub(crate) fn commit(
    store: &Store,
    project: &Project,
    observed: Vec<Event>,
    requests: Vec<Pending>,
) {
    let backup = observed.clone();
    let mut observed = Some(observed);
    let mut warnings = Vec::new();
    let outcome = store.update_then(
        |plan, events| {
            events.extend(observed.take().unwrap_or_default());
            Ok(apply(project, plan, events, &requests))
        },
        |results| {
            warnings = write_libraries(results, &requests);
            Ok(())
        },
    );
    match outcome {
        Ok(results) => answer_all(results, requests, warnings),
        Err(e) => {
            tracing::error!(error = %e, requests = requests.len(), "could not apply task done requests; their commands write the store");
            drop(requests);
            if let Err(e) = store.append_events(&backup) {
                tracing::error!(error = %e, events = backup.len(), "could not log observations");
            }
        }
    }
}

/// What one request came to: the task finished and its library entry, or why not.
pub(crate) type Applied = Result<(Task, Library)>;

/// Applies `requests` to `plan`, each on its own (inside a store update, whose events
/// take theirs): the first step of a commit, which [`write_libraries`] (after the
/// commit, under the lock) and [`answer_all`] (after the lock) complete. Dispatches
/// commit the requests queued when they write (see `dispatch_batch`), so a round's
/// reports and its dispatches share one write of `tasks.json`.
pub(crate) fn apply(
    project: &Project,
    plan: &mut crate::plan::Plan,
    events: &mut Vec<Event>,
    requests: &[Pending],
) -> Vec<Applied> {
    // Under the lock: a request older than this is one its command may have given up on
    // and written itself (see the module's docs).
    let now = Timestamp::now();
    requests
        .iter()
        .map(|p| {
            let r = &p.request;
            if too_old(r.now, now) {
                return Err(Error::failed(format!(
                    "task {}: the request waited over a minute; run `tmux-ide task done` again",
                    r.id
                )));
            }
            library::finish(project, plan, events, &r.id, &r.proof, r.summary.as_deref(), r.now)
        })
        .collect()
}

/// Writes the library entries of the requests applied, each on its own (one that cannot
/// be written does not stop the others); the warnings their replies carry.
pub(crate) fn write_libraries(results: &[Applied], requests: &[Pending]) -> Vec<Option<String>> {
    results
        .iter()
        .zip(requests)
        .map(|(result, pending)| {
            let (task, library) = result.as_ref().ok()?;
            let e = library.append(task, pending.request.now).err()?;
            tracing::warn!(task = %task.id, error = %e, "library entry not written");
            Some(format!("{e} (the change itself is saved)"))
        })
        .collect()
}

/// Answers each request with what it came to.
pub(crate) fn answer_all(
    results: Vec<Applied>,
    requests: Vec<Pending>,
    warnings: Vec<Option<String>>,
) {
    let warnings = warnings.into_iter().chain(std::iter::repeat(None));
    for ((result, pending), warning) in results.into_iter().zip(requests).zip(warnings) {
        match result {
            Ok((task, _)) => answer(pending.stream, Ok((&task.id, warning))),
            Err(e) => answer(pending.stream, Err(&e)),
        }
    }
}

fn answer(mut stream: UnixStream, result: std::result::Result<(&str, Option<String>), &Error>) {
    let reply = match result {
        Ok((id, warning)) => Reply::Done { id: id.to_string(), warning },
        Err(e) => Reply::Error {
            kind: match e.kind {
                Kind::BadInput => ErrorKind::BadInput,
                Kind::Internal => ErrorKind::Internal,
                Kind::Failed | Kind::BrokenPipe => ErrorKind::Failed,
            },
            message: e.message.clone(),
            hint: e.hint.clone(),
        },
    };
    let Ok(mut line) = serde_json::to_vec(&reply) else { return };
    line.push(b'\n');
    // A command that went away meanwhile learns nothing; the change stands.
    let _ = stream.set_write_timeout(Some(READ_TIMEOUT));
    let _ = stream.write_all(&line);
}

#[cfg(test)]
#[path = "requests_tests.rs"]
mod tests;
