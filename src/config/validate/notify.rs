//! The shape and rules of `notify:`: webhook URLs that are `http://` URLs, commands that
//! name a program, bounded timeouts, retries and target counts. Event names are checked
//! where the event types are known (`crate::notify::problems`), above this layer.
use serde_json::Value;

use super::limits::Range;
use super::{Problem, Shape, push};
use crate::config::HttpUrl;

pub const TIMEOUT: Range = Range { min: 100, max: 60_000, unit: "milliseconds" };
pub const RETRIES: Range = Range { min: 0, max: 5, unit: "retries" };
/// Most commands, or webhooks, one ide.yml may list (each gets a delivery thread).
pub const MAX_TARGETS: usize = 16;

pub const SHAPE: Shape = Shape::Map(&[
    ("events", Shape::List(&Shape::Str), false),
    ("commands", Shape::List(&Shape::List(&Shape::Str)), false),
    ("webhooks", Shape::List(&Shape::Str), false),
    ("desktop", Shape::Bool, false),
    ("tmux", Shape::Bool, false),
    ("timeout", Shape::Range(&TIMEOUT), false),
    ("retries", Shape::Range(&RETRIES), false),
]);

/// The rules beyond the shape (a wrong shape is already reported by the walk).
pub fn check(doc: &Value, problems: &mut Vec<Problem>) {
    let Some(notify) = doc.get("notify") else { return };
    for key in ["commands", "webhooks"] {
        if let Some(list) = notify.get(key).and_then(Value::as_array)
            && list.len() > MAX_TARGETS
        {
            let at = format!("notify.{key}");
            push(problems, &at, format!("lists {} (at most {MAX_TARGETS})", list.len()));
        }
    }
    let webhooks = notify.get("webhooks").and_then(Value::as_array);
    for (i, url) in webhooks.into_iter().flatten().enumerate() {
        if let Some(text) = url.as_str()
            && let Err(why) = HttpUrl::parse(text)
        {
            push(problems, &format!("notify.webhooks[{i}]"), format!("{text:?} {why}"));
        }
    }
    let commands = notify.get("commands").and_then(Value::as_array);
    for (i, argv) in commands.into_iter().flatten().enumerate() {
        let program = argv.as_array().and_then(|a| a.first()).and_then(Value::as_str);
        if program.is_some_and(|p| p.trim().is_empty()) {
            push(
                problems,
                &format!("notify.commands[{i}][0]"),
                "the program is empty (allowed: a program name or path, then its arguments)",
            );
        }
    }
}
