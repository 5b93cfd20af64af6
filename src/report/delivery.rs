//! Delivery receipts from the event log: for each prompt sent to a pane, whether it
//! landed (and the evidence), is still awaited, or went unconfirmed.
use jiff::Timestamp;
use serde::Serialize;

use crate::plan::{Event, EventKind};

/// The receipt state of the last prompt sent to one pane.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeliveryRow {
    pub pane: String,
    /// The task, or `None` for a validation prompt.
    pub task: Option<String>,
    /// `landed`, `unconfirmed` or `awaiting`.
    pub status: &'static str,
    /// The evidence of a landed prompt; how long was waited for an unconfirmed one.
    pub detail: String,
    pub at: Timestamp,
}

/// The latest prompt per pane, in the order panes were first sent one.
pub fn deliveries(events: &[Event]) -> Vec<DeliveryRow> {
    let mut rows: Vec<DeliveryRow> = Vec::new();
    for e in events {
        let Some(pane) = e.pane.clone() else { continue };
        let row = |status, detail: String| DeliveryRow {
            pane: pane.clone(),
            task: e.task.clone(),
            status,
            detail,
            at: e.ts,
        };
        let extra = |k: &str| e.extra.get(k).map(|v| v.to_string().trim_matches('"').to_string());
        let new = match &e.kind {
            EventKind::PromptDelivered => row("awaiting", String::new()),
            EventKind::PromptLanded => row("landed", extra("evidence").unwrap_or_default()),
            EventKind::PromptUnconfirmed => row(
                "unconfirmed",
                format!("no sign after {} ms", extra("waited_ms").unwrap_or_default()),
            ),
            _ => continue,
        };
        match rows.iter_mut().find(|r| r.pane == new.pane) {
            Some(r) => *r = new,
            None => rows.push(new),
        }
    }
    rows
}

/// Only the prompts that did not land: what `orch` and the lead should hear about.
pub fn unconfirmed(events: &[Event]) -> Vec<DeliveryRow> {
    deliveries(events).into_iter().filter(|r| r.status == "unconfirmed").collect()
}

/// One line per row: `Backend  task 003  unconfirmed  no sign after 5000 ms`.
pub fn render(rows: &[DeliveryRow]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let what =
                r.task.as_deref().map(|t| format!("task {t}")).unwrap_or("validation".into());
            vec![format!("  {}", r.pane), what, r.status.to_string(), r.detail.clone()]
        })
        .collect();
    super::table::rows_only(&rows, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: &str, pane: &str, task: &str) -> Event {
        Event::new(Timestamp::UNIX_EPOCH, kind).pane(pane).task(task)
    }

    #[test]
    fn the_latest_receipt_of_each_pane_is_shown_and_unconfirmed_ones_are_picked_out() {
        let events = [
            ev("prompt_delivered", "A", "001"),
            ev("prompt_landed", "A", "001").with("evidence", "self-report busy"),
            ev("prompt_delivered", "B", "002"),
            ev("prompt_unconfirmed", "B", "002").with("waited_ms", 5000),
            ev("prompt_delivered", "C", "003"),
        ];
        let rows = deliveries(&events);
        let status: Vec<_> = rows.iter().map(|r| (r.pane.as_str(), r.status)).collect();
        assert_eq!(status, [("A", "landed"), ("B", "unconfirmed"), ("C", "awaiting")]);
        assert_eq!(rows[0].detail, "self-report busy");
        assert_eq!(unconfirmed(&events).len(), 1);
        assert!(render(&rows).contains("no sign after 5000 ms"));
    }
}
