//! The run loop's pane watcher: a tmux control-mode client on the served session, started
//! once the session is pinned, whose news (which panes wrote output) [`super::watch`]
//! turns into the panes a tick reads. When attaching fails or the client ends, the loop
//! reads every pane on every tick, as it did before, and the log says so once. While a
//! client is attached, the orchestrator's reads of tmux go through it ([`Watching::slot`]).
use std::collections::HashSet;
use std::sync::mpsc;

use crate::tmux::{ControlClient, ControlSlot, Tmux};

/// Control clients one orchestrator attaches at most before it gives up on them.
const MAX_ATTACHES: u32 = 5;

/// How the loop learns which panes changed: tmux control mode while it works, else it
/// reads every pane on every tick (the fallback, said once in the log).
#[derive(Debug, Default)]
pub(crate) struct Watching {
    client: Option<ControlClient>,
    /// Attaching failed, or the client ended [`MAX_ATTACHES`] times: polling from then on.
    failed: bool,
    /// Clients attached so far (one ends when somebody detaches every client).
    attaches: u32,
    /// Pokes the loop (the store watcher's channel).
    wake: Option<mpsc::Sender<()>>,
    next_sweep: Option<std::time::Instant>,
    /// Output bytes tmux pushed, for the log.
    output_bytes: u64,
    /// The client was let go while a pane is dead (see [`Watching::news`]).
    suspended: bool,
    /// Holds the attached client's command side, for the orchestrator's `Tmux`.
    slot: ControlSlot,
}

impl Watching {
    /// Where the control client pokes the loop.
    pub(crate) fn set_wake(&mut self, wake: mpsc::Sender<()>) {
        self.wake = Some(wake);
    }

    /// Ends the control client; the output bytes it pushed in all.
    pub(crate) fn stop(&mut self) -> u64 {
        self.set_client(None);
        self.output_bytes
    }

    /// Where a `Tmux` finds the attached client to send its reads through.
    pub(crate) fn slot(&self) -> ControlSlot {
        std::sync::Arc::clone(&self.slot)
    }

    /// The one way `client` changes, so the slot always holds the attached client's side.
    fn set_client(&mut self, client: Option<ControlClient>) -> Option<ControlClient> {
        *self.slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
            client.as_ref().map(ControlClient::commands);
        std::mem::replace(&mut self.client, client)
    }

    /// Attaches a control client to the session `id` unless one is attached or attaching
    /// gave up; says in the log which way panes are watched.
    pub(crate) fn attach(&mut self, tmux: &Tmux, id: &str) {
        let w = self;
        if w.client.is_some() || w.failed {
            return;
        }
        let Some(wake) = w.wake.clone() else { return };
        match ControlClient::attach(tmux, id, move || {
            let _ = wake.send(());
        }) {
            Ok(client) => {
                tracing::info!(session = id, "watching panes through tmux control mode");
                w.set_client(Some(client));
                w.attaches += 1;
                // Whatever happened while nobody watched: read every pane now.
                w.next_sweep = None;
            }
            Err(e) => {
                tracing::warn!(error = %e, "tmux control mode unavailable; reading every pane on every tick");
                w.failed = true;
            }
        }
    }

    /// Which panes wrote output since the last tick (`None`: not known, read them all)
    /// and whether a full sweep is due. Attaches the control client once the session is
    /// pinned (again after one ended); when that fails, falls back to reading every pane.
    ///
    /// While a pane is dead no client is attached: tmux 3.3a was seen to lose the
    /// bracketed-paste mode of a pane respawned while a control client was attached (the
    /// new program turns it on, tmux pastes unframed all the same, and the prompt is lost),
    /// and a dead pane is what comes before a respawn. The loop then reads every pane
    /// until none is dead, and attaches again.
    pub(crate) fn news(
        &mut self,
        tmux: &Tmux,
        session_id: Option<&str>,
        any_dead: bool,
    ) -> (Option<HashSet<String>>, bool) {
        if any_dead {
            if self.set_client(None).is_some() {
                tracing::debug!("a pane is dead: control client let go until none is");
                self.suspended = true;
            }
            return (None, false);
        }
        if let Some(id) = session_id {
            let resuming = self.suspended && self.client.is_none();
            self.attach(tmux, id);
            if resuming && self.client.is_some() {
                // Not an ended client: it does not count towards MAX_ATTACHES.
                self.attaches -= 1;
                self.suspended = false;
            }
        }
        let w = self;
        let Some(client) = &w.client else { return (None, false) };
        let news = client.take();
        w.output_bytes += news.output_bytes;
        if news.ended {
            w.set_client(None);
            w.failed = w.attaches >= MAX_ATTACHES;
            if w.failed {
                tracing::warn!("tmux control client ended; reading every pane on every tick");
            } else {
                tracing::info!("tmux control client ended; attaching another on the next tick");
            }
            return (None, false);
        }
        let now = std::time::Instant::now();
        let sweep = w.next_sweep.is_none_or(|at| now >= at);
        if sweep {
            w.next_sweep = Some(now + super::watch::SWEEP);
        }
        (Some(news.panes), sweep)
    }
}
