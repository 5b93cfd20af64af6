//! What a notification carries: the event JSON (for commands and webhooks) wrapped with
//! the project, the session and a one-line summary; and that summary made safe for a
//! terminal or a desktop (no control characters, bounded length).
use serde_json::{Value, json};

use crate::plan::Event;

/// Longest summary, in characters (desktop pop-ups and the tmux status line are short).
pub const MAX_SUMMARY: usize = 200;

/// Largest JSON document sent; beyond it the event's type-specific fields are left out.
pub const MAX_JSON: usize = 64 * 1024;

/// One notification, built once and shared by every target.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    /// The name it is notified as (`task_blocked`, `rate_limited`).
    pub name: String,
    /// The event's position in the log.
    pub seq: Option<u64>,
    /// One sanitised line saying what happened.
    pub text: String,
    /// `{"notify", "text", "project", "session", "event"}` as bytes.
    pub json: Vec<u8>,
}

impl Payload {
    pub fn new(name: &str, event: &Event, project: &str, session: &str) -> Payload {
        let text = summary(name, event);
        let mut doc = json!({
            "notify": name,
            "text": text,
            "project": project,
            "session": session,
            "event": event,
        });
        let mut bytes = serde_json::to_vec(&doc).unwrap_or_default();
        if bytes.len() > MAX_JSON {
            let mut slim = event.clone();
            slim.extra.clear();
            doc["event"] = serde_json::to_value(&slim).unwrap_or(Value::Null);
            doc["truncated"] = Value::Bool(true);
            bytes = serde_json::to_vec(&doc).unwrap_or_default();
        }
        Payload { name: name.to_string(), seq: event.seq, text, json: bytes }
    }
}

/// What happened, in one sanitised line: `Task 003 blocked: its agent exited (Worker)`.
pub fn summary(name: &str, event: &Event) -> String {
    let field = |key: &str| event.extra.get(key).and_then(Value::as_str).unwrap_or("");
    let task = event.task.as_deref().unwrap_or("?");
    let pane = event.pane.as_deref().unwrap_or("?");
    let text = match name {
        "mission_complete" => "Mission complete".to_string(),
        "task_blocked" => format!("Task {task} blocked in pane {pane}: {}", field("reason")),
        "approval_needed" => {
            format!("Pane {pane} asks to run `{}`: {}", field("command"), field("question"))
        }
        "prompt_unconfirmed" => match &event.task {
            Some(t) => format!("The prompt for task {t} did not land in pane {pane}"),
            None => format!("A prompt did not land in pane {pane}"),
        },
        "stall_detected" => format!("Task {task} stalled in pane {pane}"),
        "rate_limited" => format!("Pane {pane} is rate limited"),
        other => {
            let mut text = other.replace('_', " ");
            if let Some(t) = &event.task {
                text.push_str(&format!(" (task {t})"));
            }
            if let Some(p) = &event.pane {
                text.push_str(&format!(" (pane {p})"));
            }
            if let Some(title) = event.extra.get("title").and_then(Value::as_str) {
                text.push_str(&format!(": {title}"));
            }
            text
        }
    };
    sanitize(&text, MAX_SUMMARY)
}

/// `text` on one line without control characters (C0, DEL, C1, and the bidirectional
/// overrides that reorder what a terminal shows), runs of spaces collapsed, at most `max`
/// characters (an ellipsis marks a cut).
pub fn sanitize(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut space = false;
    for c in text.chars() {
        let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        let c = if c.is_control() || c.is_whitespace() || bidi { ' ' } else { c };
        if c == ' ' {
            if space || out.is_empty() {
                continue;
            }
            space = true;
        } else {
            space = false;
        }
        if count == max {
            out.truncate(out.trim_end().len());
            out.push('…');
            return out;
        }
        out.push(c);
        count += 1;
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::EventKind;
    use jiff::Timestamp;

    #[test]
    fn control_sequences_are_removed_and_the_text_is_bounded() {
        assert_eq!(sanitize("a\x1b]0;evil\x07b\r\nc\u{9b}2J\u{202E}d", 100), "a ]0;evil b c 2J d");
        assert_eq!(sanitize("  many    spaces  ", 100), "many spaces");
        let long = "x".repeat(500);
        let cut = sanitize(&long, 10);
        assert_eq!(cut.chars().count(), 11);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn the_payload_wraps_the_event_and_its_summary() {
        let event = Event::new(Timestamp::UNIX_EPOCH, EventKind::TaskBlocked)
            .task("003")
            .pane("Worker\x1b[2J")
            .with("reason", "agent exited");
        let p = Payload::new("task_blocked", &event, "/p", "s");
        assert_eq!(p.text, "Task 003 blocked in pane Worker [2J: agent exited");
        let doc: Value = serde_json::from_slice(&p.json).unwrap();
        assert_eq!(doc["notify"], "task_blocked");
        assert_eq!(doc["event"]["type"], "task_blocked");
        assert_eq!(doc["event"]["reason"], "agent exited");
        assert_eq!(doc["project"], "/p");
    }

    #[test]
    fn an_oversized_event_is_sent_without_its_extra_fields() {
        let event = Event::new(Timestamp::UNIX_EPOCH, EventKind::TaskDone)
            .task("1")
            .with("summary", "y".repeat(MAX_JSON));
        let p = Payload::new("task_done", &event, "/p", "s");
        assert!(p.json.len() < MAX_JSON);
        let doc: Value = serde_json::from_slice(&p.json).unwrap();
        assert_eq!(doc["truncated"], true);
        assert_eq!(doc["event"]["task"], "1");
    }
}
