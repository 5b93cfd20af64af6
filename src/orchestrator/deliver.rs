//! Delivering texts to panes with receipts. Each pane's queue is pasted by its own thread
//! (a pause before Enter or a receipt wait on one pane never holds up another, nor the
//! tick); a prompt is then watched for evidence that it landed — a busy self-report, a
//! busy / waiting pattern on the last lines, or its task reported — within the profile's
//! bound. A paste preview gets exactly one more Enter. Nothing is ever pasted twice: a
//! prompt with no evidence is recorded `prompt_unconfirmed` and the lead is told.
//! Nothing is pasted once a stop was asked for, nor into a pane that is not in the
//! session the orchestrator observed (a restart reuses the session's name): what was
//! not pasted is sent by the next orchestrator's recovery.
//!
//! The screen is read again right before each paste, never trusting an older judgement:
//! text pasted into a question answers it (Aider took a prompt's first empty line as
//! *yes* and sent every other line to the model on its own). A prompt is pasted only at
//! the profile's ready prompt; otherwise it waits a little, then goes back to the queue
//! (`prompt_deferred`, recorded once). A nudge is never pasted into a question.
//! A profile may want a fresh context first: its clear command, then its ready screen
//! (see `fresh`).
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::log_writer::LogQueue;
use super::run::Runner;
use crate::agent::profiles::Profile;
use crate::agent::screen;
use crate::agent::state::{ReportedState, parse_state_event};
use crate::plan::store::Store;
use crate::plan::{Event, EventKind};
use crate::tmux::Tmux;
use gate::{Pasteable, record_deferral, record_withheld, wait_until_pasteable};

mod fresh;
mod gate;

/// What a queued text is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// A task prompt (`Some(task)`) or a validation prompt (`None`): watched for a receipt.
    Prompt { task: Option<String> },
    /// A notice to the lead (recorded as `lead_notified`).
    Notice(String),
    /// The one nudge to the pane of a stalled task (recorded as `stall_nudged`).
    Nudge { task: String },
}

/// A text waiting to be pasted into a pane.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub pane: String,
    pub title: String,
    pub text: String,
    pub purpose: Purpose,
    /// How many times the pane was not at its prompt when this was due.
    pub deferrals: u32,
}

/// A prompt that did not land within its bound.
#[derive(Debug, Clone)]
pub(crate) struct Unconfirmed {
    pub title: String,
    pub pane: String,
    pub task: Option<String>,
    pub waited: Duration,
}

/// What a delivery thread hands back: prompts that did not land, texts to try again.
#[derive(Default)]
pub(crate) struct Outcome {
    unconfirmed: Vec<Unconfirmed>,
    deferred: Vec<Delivery>,
}

/// A pane's delivery thread.
#[derive(Debug)]
pub(crate) struct Inflight {
    pane: String,
    handle: JoinHandle<Outcome>,
}

/// How often the screen and the log are looked at while waiting for a receipt.
pub(crate) const RECEIPT_POLL: Duration = Duration::from_millis(100);

impl Runner {
    /// Starts a delivery thread for each pane with queued texts (texts for one pane in
    /// order; a pane whose previous thread still runs keeps its texts queued), and
    /// collects what finished threads found unconfirmed.
    pub(crate) fn flush_deliveries(&mut self) -> crate::Result<Vec<Unconfirmed>> {
        let unconfirmed = self.reap(false);
        let pending = std::mem::take(&mut self.pending);
        let mut by_pane: Vec<(String, Vec<Delivery>)> = Vec::new();
        for d in pending {
            if self.inflight.iter().any(|i| i.pane == d.pane) {
                self.pending.push(d);
                continue;
            }
            match by_pane.iter_mut().find(|(p, _)| *p == d.pane) {
                Some((_, list)) => list.push(d),
                None => by_pane.push((d.pane.clone(), vec![d])),
            }
        }
        for (pane, list) in by_pane {
            let profile = self
                .profiles
                .get(&pane)
                .cloned()
                .unwrap_or_else(|| Profile::builtin(crate::config::Agent::Shell));
            let (tmux, store) = (self.tmux.clone(), self.store.clone());
            let receipts = self.log_writer.queue();
            let log = self.project.events_jsonl();
            let session = self.session_id.clone();
            let handle = std::thread::spawn(move || {
                let mut out = Outcome::default();
                let mut list = list.into_iter();
                while let Some(d) = list.next() {
                    if !may_deliver(&tmux, session.as_deref(), &d) {
                        continue;
                    }
                    match wait_until_pasteable(&tmux, &profile, &d) {
                        Pasteable::Yes => {
                            let sent = send(&tmux, &store, &receipts, &log, &profile, d);
                            out.unconfirmed.extend(sent);
                        }
                        Pasteable::Later(why) => {
                            // Later texts for this pane wait behind it, in order.
                            record_deferral(&store, &d, &why);
                            let mut d = d;
                            d.deferrals += 1;
                            out.deferred.push(d);
                            out.deferred.extend(list.by_ref());
                        }
                        Pasteable::Never(why) => record_withheld(&store, &d, &why),
                    }
                }
                out
            });
            self.inflight.push(Inflight { pane, handle });
        }
        Ok(unconfirmed)
    }

    /// Collects finished delivery threads (all of them, waiting, with `wait`).
    /// Deferred texts go back to the front of the queue.
    pub(crate) fn reap(&mut self, wait: bool) -> Vec<Unconfirmed> {
        let mut out = Vec::new();
        let mut running = Vec::new();
        for i in std::mem::take(&mut self.inflight) {
            if wait || i.handle.is_finished() {
                let done = i.handle.join().unwrap_or_default();
                out.extend(done.unconfirmed);
                let later = std::mem::take(&mut self.pending);
                self.pending = done.deferred;
                self.pending.extend(later);
            } else {
                running.push(i);
            }
        }
        self.inflight = running;
        out
    }
}

/// Whether `d` may be pasted now: no stop asked for, and its pane is in `session`, the
/// session this orchestrator observed.
fn may_deliver(tmux: &Tmux, session: Option<&str>, d: &Delivery) -> bool {
    if crate::signals::stop_requested() {
        tracing::warn!(pane = %d.pane, title = %d.title, "stopping: not delivered");
        return false;
    }
    let now = tmux.run(&["display-message", "-p", "-t", &d.pane, "#{session_id}"]);
    let now = now.map(|s| s.trim().to_string()).ok();
    if session.is_none() || now.as_deref() != session {
        tracing::warn!(pane = %d.pane, title = %d.title, observed = ?session, now = ?now,
            "pane is not in the observed session: not delivered");
        return false;
    }
    true
}

/// Pastes one text, records it, and for a prompt waits for its receipt.
#[allow(
    clippy::print_stderr,
    reason = "a failed delivery is also shown on the orchestrator's stderr"
)]
fn send(
    tmux: &Tmux,
    store: &Store,
    receipts: &LogQueue,
    log: &Path,
    profile: &Profile,
    d: Delivery,
) -> Option<Unconfirmed> {
    // Before the log offset: what the clear makes the program report is no receipt.
    fresh::clear_if_wanted(tmux, store, profile, &d);
    let offset = std::fs::metadata(log).map(|m| m.len()).unwrap_or(0);
    let sent = tmux.paste_then_enter(&d.pane, &d.text, Some(profile.enter_delay));
    let ts = Timestamp::now();
    let (kind, task) = match &d.purpose {
        Purpose::Prompt { task } => (EventKind::PromptDelivered, task.clone()),
        Purpose::Notice(_) => (EventKind::LeadNotified, None),
        Purpose::Nudge { task } => (EventKind::StallNudged, Some(task.clone())),
    };
    let mut event = match &sent {
        Ok(()) => Event::new(ts, kind.clone()),
        Err(e) => {
            tracing::error!(pane = %d.pane, title = %d.title, error = %e, "delivery failed");
            eprintln!("orchestrator: could not deliver to {}: {e}", d.title);
            Event::new(ts, EventKind::DeliveryFailed).with("error", e.to_string())
        }
    };
    event = event.pane(&d.title).with("pane_id", d.pane.as_str());
    if let Purpose::Notice(text) = &d.purpose {
        event = event.with("text", text.as_str());
    }
    if let Some(t) = &task {
        event = event.task(t);
    }
    if sent.is_ok() {
        tracing::info!(pane = %d.pane, title = %d.title, kind = %kind, task = ?task, "delivered");
    }
    // In the log before the receipt watch begins (a restart reads it: never paste twice),
    // with whatever else the writer has queued rather than a turn of the lock of its own.
    if let Err(e) = receipts.push_and_wait(vec![event], store) {
        tracing::error!(pane = %d.pane, error = %e, "could not record the delivery");
    }
    let Purpose::Prompt { task } = d.purpose else { return None };
    sent.ok()?;
    let started = Instant::now();
    let found = wait_for_receipt(tmux, log, offset, profile, &d.pane, task.as_deref());
    let waited = started.elapsed();
    match &found {
        Receipt::Landed { evidence, .. } => {
            tracing::info!(pane = %d.pane, task = ?task, %evidence, ?waited, "prompt landed");
        }
        Receipt::Unconfirmed { second_enter } => {
            tracing::warn!(pane = %d.pane, task = ?task, second_enter, ?waited, "prompt unconfirmed");
        }
    }
    let mut event = match &found {
        Receipt::Landed { evidence, second_enter } => {
            Event::new(Timestamp::now(), EventKind::PromptLanded)
                .with("evidence", evidence.as_str())
                .with("second_enter", *second_enter)
        }
        Receipt::Unconfirmed { second_enter } => {
            Event::new(Timestamp::now(), EventKind::PromptUnconfirmed)
                .with("waited_ms", waited.as_millis() as u64)
                .with("second_enter", *second_enter)
        }
    };
    event = event.pane(&d.title).with("pane_id", d.pane.as_str());
    if let Some(t) = &task {
        event = event.task(t);
    }
    // A record for the reader, written off this thread: the paste itself was recorded
    // (`prompt_delivered`) before the wait, which is what keeps it from being sent twice.
    receipts.push(vec![event]);
    match found {
        Receipt::Landed { .. } => None,
        Receipt::Unconfirmed { .. } => {
            Some(Unconfirmed { title: d.title, pane: d.pane, task, waited })
        }
    }
}

enum Receipt {
    Landed { evidence: String, second_enter: bool },
    Unconfirmed { second_enter: bool },
}

fn wait_for_receipt(
    tmux: &Tmux,
    log: &Path,
    offset: u64,
    profile: &Profile,
    pane: &str,
    task: Option<&str>,
) -> Receipt {
    let started = Instant::now();
    let deadline = started + profile.receipt_timeout;
    let mut second_enter = false;
    loop {
        let events = events_since(log, offset);
        let screen = tmux.capture_visible(pane).unwrap_or_default();
        if let Some(evidence) = evidence(profile, &screen, &events, pane, task) {
            return Receipt::Landed { evidence, second_enter };
        }
        // The program gets as long as the profile's pause to take the first Enter in,
        // so a preview still drawn from before it is not mistaken for a swallowed one.
        if profile.second_enter
            && !second_enter
            && started.elapsed() >= profile.enter_delay
            && screen::find(&profile.paste_marker, &screen::tail(&screen, profile.tail_lines))
                .is_some()
        {
            // The paste sits in a preview: exactly one more Enter submits it.
            second_enter = tmux.run(&["send-keys", "-t", pane, "Enter"]).is_ok();
        }
        if Instant::now() >= deadline {
            return Receipt::Unconfirmed { second_enter };
        }
        std::thread::sleep(RECEIPT_POLL);
    }
}

/// Evidence that a prompt landed in `pane`, from the log written since the paste and the
/// screen now: a busy / waiting self-report, the task reported done, or the profile's
/// busy / waiting pattern on the last lines.
pub(crate) fn evidence(
    profile: &Profile,
    screen_now: &str,
    events: &[Event],
    pane: &str,
    task: Option<&str>,
) -> Option<String> {
    for e in events {
        if let Some((p, state, _)) = parse_state_event(e)
            && p == pane
            && matches!(state, ReportedState::Busy | ReportedState::Waiting)
        {
            return Some(format!("self-report {}", state.as_str()));
        }
        if task.is_some() && e.task.as_deref() == task && e.kind == EventKind::TaskDone {
            return Some("task reported done".into());
        }
    }
    let tail = screen::tail(screen_now, profile.tail_lines);
    screen::find(&profile.busy, &tail)
        .or_else(|| screen::find(&profile.waiting, &tail))
        .map(|p| format!("screen shows \"{p}\""))
}

/// The events appended to `log` after byte `offset`.
fn events_since(log: &Path, offset: u64) -> Vec<Event> {
    let mut text = String::new();
    let read = std::fs::File::open(log).and_then(|mut f| {
        f.seek(SeekFrom::Start(offset))?;
        f.read_to_string(&mut text)
    });
    if read.is_err() {
        return Vec::new();
    }
    text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::state::state_event;
    use crate::config::Agent;

    #[test]
    fn a_busy_self_report_from_the_pane_is_evidence_and_one_from_another_pane_is_not() {
        let claude = Profile::builtin(Agent::Claude);
        let now = Timestamp::now();
        let other = [state_event(now, "%2", "B", ReportedState::Busy)];
        assert_eq!(evidence(&claude, "❯ ", &other, "%1", Some("001")), None);
        let mine = [state_event(now, "%1", "A", ReportedState::Busy)];
        assert_eq!(
            evidence(&claude, "❯ ", &mine, "%1", Some("001")).as_deref(),
            Some("self-report busy")
        );
    }

    #[test]
    fn the_busy_pattern_is_evidence_and_an_unchanged_prompt_is_not() {
        let claude = Profile::builtin(Agent::Claude);
        let busy = "✻ Working\n────\n❯ \n────\n esc to interrupt";
        assert!(evidence(&claude, busy, &[], "%1", None).is_some());
        assert_eq!(
            evidence(&claude, "────\n❯ hello\n────\n? for shortcuts", &[], "%1", None),
            None
        );
    }

    #[test]
    fn a_task_reported_done_is_evidence() {
        let sim = Profile::builtin(Agent::Sim);
        let done = [Event::new(Timestamp::now(), EventKind::TaskDone).task("003")];
        assert!(evidence(&sim, "sim> ", &done, "%1", Some("003")).is_some());
        assert!(evidence(&sim, "sim> ", &done, "%1", Some("004")).is_none());
    }
}
