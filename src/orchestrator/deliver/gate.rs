//! The look at the screen right before a paste: whether a text may go into its pane
//! *now* (see the parent module), and the events that say why it did not.
use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::{Delivery, Purpose, RECEIPT_POLL};
use crate::agent::profiles::Profile;
use crate::agent::screen;
use crate::plan::store::Store;
use crate::plan::{Event, EventKind};
use crate::tmux::Tmux;

/// How long one attempt waits for the pane to be at its prompt before the text goes back
/// to the queue (the pane's thread holds nothing else up meanwhile).
const READY_WAIT: Duration = Duration::from_secs(2);

/// Whether a text may be pasted into its pane now.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Pasteable {
    Yes,
    /// Not now (the reason); try again on a later tick.
    Later(String),
    /// Not at all (the reason): a nudge into a question would answer it.
    Never(String),
}

/// Whether `purpose` may be pasted into a pane whose screen, read through `profile`, is
/// `screen`. A prompt waits while the screen shows anything but the ready prompt that the
/// profile knows — a question, work, a rate limit; a screen the profile knows nothing of
/// is pasted into, since only the agent's own idle report can have made it idle (a
/// program without a recognisable prompt, like `cat` reporting through hooks). A nudge
/// goes anywhere but into a question; notices go to the lead as before.
pub(crate) fn pasteable(profile: &Profile, purpose: &Purpose, screen: &str) -> Pasteable {
    let seen = screen::read(profile, screen);
    let question = profile.approval.and_then(|s| crate::agent::approval::request(s, screen));
    let shown = |what: &str| match seen {
        Some((state, p)) => format!("{what}: screen shows {} \"{p}\"", state.as_str()),
        None => format!("{what}: screen shows nothing the profile knows"),
    };
    match purpose {
        Purpose::Notice(_) => Pasteable::Yes,
        Purpose::Nudge { .. } => match (seen, question) {
            (_, Some(q)) => Pasteable::Never(format!("at a question about `{}`", q.command)),
            (Some((screen::ScreenState::Waiting, _)), _) => {
                Pasteable::Never(shown("at a question"))
            }
            _ => Pasteable::Yes,
        },
        Purpose::Prompt { .. } => match (seen, question) {
            (Some((screen::ScreenState::Ready, _)) | None, None) => Pasteable::Yes,
            _ => Pasteable::Later(shown("not at its prompt")),
        },
    }
}

/// Reads the pane until `d` may be pasted, for at most [`READY_WAIT`].
pub(super) fn wait_until_pasteable(tmux: &Tmux, profile: &Profile, d: &Delivery) -> Pasteable {
    let deadline = Instant::now() + READY_WAIT;
    let mut settle = Settle::new(profile.settle);
    loop {
        let screen = tmux.capture_visible(&d.pane).unwrap_or_default();
        let verdict = pasteable(profile, &d.purpose, &screen);
        let yes = verdict == Pasteable::Yes;
        if (yes && settle.feed(Some(screen), Instant::now())) || Instant::now() >= deadline {
            return verdict;
        }
        if !yes {
            settle.feed(None, Instant::now());
        }
        if matches!(verdict, Pasteable::Never(_)) {
            return verdict;
        }
        std::thread::sleep(RECEIPT_POLL);
    }
}

/// A screen that must stay as it is for a while (the profile's `settle`, or after a
/// clear) before a prompt follows: the screen last read, and since when it has been that.
pub(super) struct Settle {
    wanted: Duration,
    since: Option<(Instant, String)>,
}

impl Settle {
    pub(super) fn new(wanted: Duration) -> Settle {
        Settle { wanted, since: None }
    }

    /// Takes one read (`None`: not the screen waited for); whether it has now stayed
    /// unchanged for the wanted time (at once when that is zero).
    pub(super) fn feed(&mut self, screen: Option<String>, at: Instant) -> bool {
        match (screen, &self.since) {
            (None, _) => self.since = None,
            (Some(now), Some((_, last))) if *last == now => {}
            (Some(now), _) => self.since = Some((at, now)),
        }
        self.since.as_ref().is_some_and(|(since, _)| at.duration_since(*since) >= self.wanted)
    }

    /// Whether the last read was the screen waited for.
    pub(super) fn seen(&self) -> bool {
        self.since.is_some()
    }
}

/// `prompt_deferred` the first time a prompt finds its pane away from its prompt.
pub(super) fn record_deferral(store: &Store, d: &Delivery, why: &str) {
    tracing::info!(pane = %d.pane, title = %d.title, why, "not at its prompt: delivery deferred");
    let Purpose::Prompt { task } = &d.purpose else { return };
    if d.deferrals > 0 {
        return;
    }
    let mut event = Event::new(Timestamp::now(), EventKind::PromptDeferred)
        .pane(&d.title)
        .with("pane_id", d.pane.as_str())
        .with("why", why);
    if let Some(t) = task {
        event = event.task(t);
    }
    let _ = store.append_events(&[event]);
}

/// `nudge_withheld`: the stalled pane is at a question, which the nudge would answer.
pub(super) fn record_withheld(store: &Store, d: &Delivery, why: &str) {
    tracing::warn!(pane = %d.pane, title = %d.title, why, "nudge withheld");
    let mut event = Event::new(Timestamp::now(), EventKind::NudgeWithheld)
        .pane(&d.title)
        .with("pane_id", d.pane.as_str())
        .with("why", why);
    if let Purpose::Nudge { task } = &d.purpose {
        event = event.task(task);
    }
    let _ = store.append_events(&[event]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Agent;

    #[test]
    fn the_prompt_waits_until_the_cleared_screen_has_stayed_the_same_a_while() {
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let mut settle = Settle::new(Duration::from_millis(500));
        assert!(!settle.feed(Some("ready".into()), at(0)));
        assert!(!settle.feed(Some("ready".into()), at(300)));
        // Redrawn again: the wait starts over.
        assert!(!settle.feed(Some("ready, redrawn".into()), at(400)));
        assert!(!settle.feed(Some("ready, redrawn".into()), at(800)));
        assert!(settle.feed(Some("ready, redrawn".into()), at(900)));
        assert!(!settle.feed(None, at(1000)), "not ready any more");
        assert!(!settle.seen());
    }

    #[test]
    fn with_no_settle_time_a_ready_screen_is_taken_at_once() {
        let mut settle = Settle::new(Duration::ZERO);
        assert!(settle.feed(Some("sim>".into()), Instant::now()));
    }

    #[test]
    fn a_prompt_is_pasted_only_at_the_ready_prompt() {
        let prompt = Purpose::Prompt { task: Some("002".into()) };
        let aider = Profile::builtin(Agent::Aider);
        assert_eq!(pasteable(&aider, &prompt, "────\n> "), Pasteable::Yes);
        let asking = "Running tmux-ide task done 001\nAdd command output to the chat? (Y)es/(N)o/(D)on't ask again [Yes]:";
        assert!(matches!(pasteable(&aider, &prompt, asking), Pasteable::Later(_)));
        let busy = "> Do task 001\n ░█        Waiting for gpt-4o";
        assert!(matches!(pasteable(&aider, &prompt, busy), Pasteable::Later(_)));
        // Unrecognised: only a self-report can have judged it idle, and it is believed.
        assert_eq!(pasteable(&aider, &prompt, "hello"), Pasteable::Yes);
        let codex = Profile::builtin(Agent::Codex);
        let question = "  Would you like to run the following command?\n  $ make\n› 1. Yes, proceed (y)\n  Press enter to confirm or esc to cancel";
        assert!(matches!(pasteable(&codex, &prompt, question), Pasteable::Later(_)));
        // A shell pane has no prompt to recognise: pasted as before.
        assert_eq!(pasteable(&Profile::builtin(Agent::Shell), &prompt, ""), Pasteable::Yes);
    }

    #[test]
    fn a_nudge_is_never_pasted_into_a_question_but_may_go_to_a_busy_pane() {
        let nudge = Purpose::Nudge { task: "001".into() };
        let claude = Profile::builtin(Agent::Claude);
        let asking = " Bash(make test)\n Do you want to proceed?\n ❯ 1. Yes\n   2. No";
        assert!(matches!(pasteable(&claude, &nudge, asking), Pasteable::Never(_)));
        let busy = "✻ Working…\n────\n❯ \n────\n  esc to interrupt";
        assert_eq!(pasteable(&claude, &nudge, busy), Pasteable::Yes);
        let aider = Profile::builtin(Agent::Aider);
        let output = "Add command output to the chat? (Y)es/(N)o/(D)on't ask again [Yes]:";
        assert!(matches!(pasteable(&aider, &nudge, output), Pasteable::Never(_)));
    }
}
