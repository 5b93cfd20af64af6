//! Notifications when a person is needed: the events `notify:` in ide.yml chooses, sent
//! to commands (argument vectors, event JSON on stdin), `http://` webhooks (POST, bounded
//! retries), the desktop and the tmux session. The orchestrator hands each new event to a
//! [`Notifier`], whose delivery threads (one per target, each behind a bounded queue) do
//! the slow part, so no tick ever waits for a receiver. Failures become `notify_failed`
//! events; a remembered `seq` keeps every event notified at most once across restarts.
use std::collections::BTreeSet;

use crate::config::{Config, NotifyConfig, Problem, nearest};
use crate::plan::{Event, EventKind};
use crate::{Error, Result};

mod cursor;
mod http;
mod notifier;
mod payload;
mod target;

pub use notifier::Notifier;
pub use payload::{Payload, sanitize, summary};
pub use target::{Target, targets};

/// Names `notify.events` takes besides the event types: a `pane_state` event whose state
/// is `rate_limited` is notified as `rate_limited`.
pub const DERIVED: &[&str] = &["rate_limited"];

/// Event types that cannot be notified: a failing target would notify about itself.
const REFUSED: &[&str] = &["notify_failed", "notify_dropped"];

/// Every name `notify.events` accepts.
pub fn allowed_names() -> Vec<&'static str> {
    let kinds = EventKind::KNOWN.iter().map(EventKind::as_str);
    kinds.filter(|k| !REFUSED.contains(k)).chain(DERIVED.iter().copied()).collect()
}

/// The problems of `notify:` that need the event types (the rest is checked with ide.yml).
pub fn problems(config: &NotifyConfig) -> Vec<Problem> {
    let allowed = allowed_names();
    let mut problems = Vec::new();
    for (i, name) in config.events.iter().enumerate() {
        let path = format!("notify.events[{i}]");
        if REFUSED.contains(&name.as_str()) {
            let message = format!("`{name}` cannot be notified (a failing target would loop)");
            problems.push(Problem { path, message });
        } else if !allowed.contains(&name.as_str()) {
            let hint = nearest(name, allowed.iter().copied())
                .map(|n| format!("did you mean `{n}`? "))
                .unwrap_or_default();
            let message =
                format!("`{name}` is not an event type ({hint}allowed: {})", allowed.join(", "));
            problems.push(Problem { path, message });
        }
    }
    problems
}

/// [`problems`] as an error (exit 2) naming the first one, for commands that load ide.yml.
pub fn check(config: &Config) -> Result<()> {
    match problems(&config.notify).into_iter().next() {
        None => Ok(()),
        Some(problem) => Err(Error::bad_input(format!("ide.yml: {problem}"))),
    }
}

/// The chosen names, and which one an event is notified as (if any).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    names: BTreeSet<String>,
}

impl Filter {
    pub fn new(config: &NotifyConfig) -> Filter {
        Filter { names: config.events.iter().cloned().collect() }
    }

    /// The name `event` is notified as: its type when chosen, else a chosen derived name.
    pub fn name_of(&self, event: &Event) -> Option<String> {
        let kind = event.kind.as_str();
        if REFUSED.contains(&kind) {
            return None;
        }
        if self.names.contains(kind) {
            return Some(kind.to_string());
        }
        let derived = derived_name(event)?;
        self.names.contains(derived).then(|| derived.to_string())
    }
}

/// The derived name an event carries, if any.
fn derived_name(event: &Event) -> Option<&'static str> {
    let state = event.extra.get("state").and_then(|s| s.as_str());
    (event.kind == EventKind::PaneState && state == Some("rate_limited")).then_some("rate_limited")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    #[test]
    fn unknown_and_looping_names_are_refused_with_what_is_allowed() {
        let config = NotifyConfig {
            events: vec!["task_blockd".into(), "notify_failed".into(), "task_done".into()],
            ..NotifyConfig::default()
        };
        let got = problems(&config);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].path, "notify.events[0]");
        assert!(got[0].message.contains("did you mean `task_blocked`?"), "{}", got[0].message);
        assert!(got[0].message.contains("allowed: mission_set,"), "{}", got[0].message);
        assert!(got[0].message.contains("rate_limited"), "{}", got[0].message);
        assert!(got[1].message.contains("would loop"), "{}", got[1].message);
        assert!(problems(&NotifyConfig::default()).is_empty());
    }

    #[test]
    fn a_rate_limited_pane_state_is_notified_as_rate_limited() {
        let filter = Filter::new(&NotifyConfig::default());
        let at = Timestamp::UNIX_EPOCH;
        let limited = Event::new(at, EventKind::PaneState).with("state", "rate_limited");
        assert_eq!(filter.name_of(&limited).as_deref(), Some("rate_limited"));
        let busy = Event::new(at, EventKind::PaneState).with("state", "busy");
        assert_eq!(filter.name_of(&busy), None);
        let blocked = Event::new(at, EventKind::TaskBlocked);
        assert_eq!(filter.name_of(&blocked).as_deref(), Some("task_blocked"));
        assert_eq!(filter.name_of(&Event::new(at, EventKind::TaskDone)), None);
    }
}
