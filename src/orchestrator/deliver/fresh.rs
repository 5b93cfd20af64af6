//! A fresh context before a prompt: a long-lived agent session drags every earlier task
//! into the next one, so a profile with `fresh_context` gets its own clear command
//! (`/clear`, Codex's `/new`) typed before each task prompt, and a validator before each
//! validation prompt unless its profile opts out (`fresh_validation: false`). The command
//! goes through the one paste primitive; the prompt follows once the program has redrawn
//! its ready screen, or its bound ran out (the prompt's receipt still tells whether it
//! landed). Recorded as `context_cleared`.
use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::gate::Settle;
use super::{Delivery, Purpose, RECEIPT_POLL};
use crate::agent::profiles::Profile;
use crate::agent::screen::{self, ScreenState};
use crate::plan::store::Store;
use crate::plan::{Event, EventKind};
use crate::tmux::Tmux;

/// The clear command to type before `purpose`, if it is to start in a fresh context.
pub(crate) fn clear_command<'p>(profile: &'p Profile, purpose: &Purpose) -> Option<&'p str> {
    let wanted = match purpose {
        Purpose::Prompt { task: Some(_) } => profile.fresh_context,
        Purpose::Prompt { task: None } => profile.fresh_validation,
        Purpose::Notice(_) | Purpose::Nudge { .. } => false,
    };
    profile.clear_command.as_deref().filter(|_| wanted)
}

/// Whether the program is back at its ready prompt after a clear: the screen was redrawn
/// (it changed since `before`) and its last lines show the ready pattern, not work.
pub(crate) fn cleared(profile: &Profile, before: &str, now: &str) -> bool {
    now != before
        && matches!(screen::read(profile, now), Some((ScreenState::Ready, _)))
        && !now.trim_end().ends_with(profile.clear_command.as_deref().unwrap_or("\0"))
}

/// Types the clear command into `d`'s pane when its profile wants a fresh context, then
/// waits (at most the profile's receipt bound) for the ready screen.
pub(super) fn clear_if_wanted(tmux: &Tmux, store: &Store, profile: &Profile, d: &Delivery) {
    let Some(command) = clear_command(profile, &d.purpose) else { return };
    let before = tmux.capture_visible(&d.pane).unwrap_or_default();
    let started = Instant::now();
    if let Err(e) = tmux.paste_then_enter(&d.pane, command, Some(profile.enter_delay)) {
        tracing::warn!(pane = %d.pane, error = %e, "clear command not sent");
        return;
    }
    let ready = wait_cleared(tmux, profile, &d.pane, &before, profile.receipt_timeout);
    let waited = started.elapsed();
    tracing::info!(pane = %d.pane, command, ready, ?waited, "context cleared");
    let mut event = Event::new(Timestamp::now(), EventKind::ContextCleared)
        .pane(&d.title)
        .with("pane_id", d.pane.as_str())
        .with("command", command)
        .with("ready", ready)
        .with("waited_ms", waited.as_millis() as u64);
    if let Purpose::Prompt { task: Some(t) } = &d.purpose {
        event = event.task(t);
    }
    let _ = store.append_events(&[event]);
}

/// How long the cleared ready screen must stay as it is before the prompt follows: Gemini
/// CLI drew its ready prompt mid-redraw after `/clear` and lost a validation prompt pasted
/// 300 ms later (seen once the orchestrator's reads went through the control client and
/// came that much sooner).
const SETTLE: Duration = Duration::from_millis(500);

fn wait_cleared(tmux: &Tmux, profile: &Profile, pane: &str, before: &str, bound: Duration) -> bool {
    let deadline = Instant::now() + bound;
    let mut settle = Settle::new(SETTLE);
    loop {
        let now = tmux.capture_visible(pane).unwrap_or_default();
        let cleared = cleared(profile, before, &now);
        if settle.feed(cleared.then_some(now), Instant::now()) {
            return true;
        }
        if Instant::now() >= deadline {
            return settle.seen();
        }
        std::thread::sleep(RECEIPT_POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Agent;

    #[test]
    fn only_profiles_that_ask_for_it_clear_before_a_task_and_validators_clear_by_default() {
        let task = Purpose::Prompt { task: Some("001".into()) };
        let validation = Purpose::Prompt { task: None };
        let mut claude = Profile::builtin(Agent::Claude);
        assert_eq!(clear_command(&claude, &task), None, "off unless ide.yml says so");
        assert_eq!(clear_command(&claude, &validation), Some("/clear"));
        claude.fresh_context = true;
        assert_eq!(clear_command(&claude, &task), Some("/clear"));
        let nudge = Purpose::Nudge { task: "001".into() };
        assert_eq!(clear_command(&claude, &nudge), None, "a nudge continues the task");
        assert_eq!(clear_command(&claude, &Purpose::Notice("x".into())), None);
        claude.fresh_validation = false;
        assert_eq!(clear_command(&claude, &validation), None);
        let mut codex = Profile::builtin(Agent::Codex);
        codex.fresh_context = true;
        assert_eq!(clear_command(&codex, &task), Some("/new"));
        let mut shell = Profile::builtin(Agent::Shell);
        shell.fresh_context = true;
        assert_eq!(clear_command(&shell, &task), None, "nothing to clear with");
        assert_eq!(clear_command(&shell, &validation), None);
    }

    #[test]
    fn the_clear_is_done_when_the_redrawn_screen_is_at_the_ready_prompt() {
        let sim = Profile::builtin(Agent::Sim);
        let before = "✓ task 001 done\nsim>";
        assert!(!cleared(&sim, before, before), "not redrawn yet");
        assert!(!cleared(&sim, before, "✓ task 001 done\nsim> /clear"), "still typed in");
        assert!(cleared(&sim, before, "sim> /clear\ncontext cleared\nsim>"));
        let claude = Profile::builtin(Agent::Claude);
        let working = "✻ Clearing…\n────\n❯ \n────\n esc to interrupt";
        assert!(!cleared(&claude, "old\n❯ ", working));
        assert!(cleared(&claude, "old\n❯ ", "────\n❯ \n────\n ? for shortcuts"));
    }
}
