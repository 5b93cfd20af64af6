//! Checking ide.yml before it becomes a [`Config`](super::Config): every unknown key
//! (with its path and the nearest valid key) and every wrong type against the schema
//! here, then the rules in [`semantic`] and [`limits`], all at once.
use std::fmt;

use serde_json::Value;

use super::model::{Agent, Percent, Role};
use limits::Range;

pub(crate) mod limits;
mod notify;
mod research;
mod semantic;

/// One thing wrong with ide.yml: where (`rows[1].panes[0].titel`) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = limits::one_line(&self.message);
        if self.path.is_empty() {
            f.write_str(&message)
        } else {
            write!(f, "{}: {message}", limits::one_line(&self.path))
        }
    }
}

/// The expected shape of a YAML node.
enum Shape {
    Str,
    Bool,
    UInt,
    /// A whole number within a range.
    Range(&'static Range),
    /// A number ≥ 0, whole or not (money, hours, prices).
    Amount,
    Size,
    /// A string, number or boolean (env values).
    Scalar,
    Enum(&'static [&'static str]),
    List(&'static Shape),
    /// A mapping with these keys: (name, shape, required).
    Map(&'static [(&'static str, Shape, bool)]),
    /// A mapping from any name to values of one shape.
    Dict(&'static Shape),
}

const ROLES: &[&str] = &["lead", "teammate", "validator", "researcher", "shell"];
const AGENTS: &[&str] = &["claude", "codex", "aider", "gemini", "sim", "shell"];
const DISPATCH_MODES: &[&str] = &["missions", "tasks"];
const ISOLATIONS: &[&str] = &["none", "worktree"];
/// Values the reference knows that are not implemented here: refused by name, not as typos.
const NOT_YET: &[&str] = &["goals"];

const PANE: Shape = Shape::Map(&[
    ("title", Shape::Str, false),
    ("command", Shape::Str, false),
    ("dir", Shape::Str, false),
    ("size", Shape::Size, false),
    ("focus", Shape::Bool, false),
    ("env", Shape::Dict(&Shape::Scalar), false),
    ("role", Shape::Enum(ROLES), false),
    ("specialty", Shape::Str, false),
    ("skill", Shape::Str, false),
    ("agent", Shape::Enum(AGENTS), false),
    ("fresh_context", Shape::Bool, false),
]);
const HOOK_KINDS: &[&str] = &[
    "none",
    "claude_settings",
    "codex_notify",
    "aider_notifications",
    "gemini_settings",
    "self_report",
];
const PROFILE: Shape = Shape::Map(&[
    ("base", Shape::Enum(AGENTS), false),
    ("match", Shape::List(&Shape::Str), false),
    ("processes", Shape::List(&Shape::Str), false),
    ("titles", Shape::List(&Shape::Str), false),
    ("tail_lines", Shape::Range(&limits::TAIL_LINES), false),
    ("ready", Shape::List(&Shape::Str), false),
    ("busy", Shape::List(&Shape::Str), false),
    ("waiting", Shape::List(&Shape::Str), false),
    ("rate_limited", Shape::List(&Shape::Str), false),
    ("paste_marker", Shape::List(&Shape::Str), false),
    ("enter_delay", Shape::Range(&limits::ENTER_DELAY), false),
    ("second_enter", Shape::Bool, false),
    ("receipt_timeout", Shape::Range(&limits::RECEIPT_TIMEOUT), false),
    ("hooks", Shape::Enum(HOOK_KINDS), false),
    ("auto_approve", Shape::Bool, false),
    ("clear_command", Shape::Str, false),
    ("fresh_context", Shape::Bool, false),
    ("fresh_validation", Shape::Bool, false),
]);
const PRICE: Shape = Shape::Map(&[
    ("input", Shape::Amount, true),
    ("output", Shape::Amount, true),
    ("cache_write", Shape::Amount, false),
    ("cache_read", Shape::Amount, false),
]);
const BUDGET: Shape = Shape::Map(&[
    ("usd", Shape::Amount, false),
    ("tokens", Shape::UInt, false),
    ("hours", Shape::Amount, false),
    ("task", Shape::Map(&[("usd", Shape::Amount, false), ("tokens", Shape::UInt, false)]), false),
]);
const ROW: Shape = Shape::Map(&[("size", Shape::Size, false), ("panes", Shape::List(&PANE), true)]);
const WINDOW: Shape = Shape::Map(&[("name", Shape::Str, true), ("rows", Shape::List(&ROW), true)]);
const ROOT: Shape = Shape::Map(&[
    ("name", Shape::Str, false),
    ("before", Shape::Str, false),
    (
        "team",
        Shape::Map(&[
            ("name", Shape::Str, true),
            ("model", Shape::Str, false),
            ("permissions", Shape::List(&Shape::Str), false),
        ]),
        false,
    ),
    (
        "theme",
        Shape::Map(&[
            ("accent", Shape::Str, false),
            ("border", Shape::Str, false),
            ("bg", Shape::Str, false),
            ("fg", Shape::Str, false),
        ]),
        false,
    ),
    // One of the two is required: `semantic` says so (it knows which is there).
    ("rows", Shape::List(&ROW), false),
    ("windows", Shape::List(&WINDOW), false),
    (
        "orchestrator",
        Shape::Map(&[
            ("enabled", Shape::Bool, false),
            ("auto_dispatch", Shape::Bool, false),
            ("auto_approve", Shape::Bool, false),
            ("dispatch_mode", Shape::Enum(DISPATCH_MODES), false),
            ("poll_interval", Shape::Range(&limits::POLL_INTERVAL), false),
            ("stall_timeout", Shape::Range(&limits::STALL_TIMEOUT), false),
            ("master_pane", Shape::Str, false),
            ("max_concurrent_agents", Shape::Range(&limits::MAX_CONCURRENT_AGENTS), false),
            ("max_retries", Shape::Range(&limits::MAX_RETRIES), false),
            ("retry_backoff", Shape::Range(&limits::RETRY_BACKOFF), false),
            ("research", research::RESEARCH, false),
            ("budget", BUDGET, false),
            ("isolation", Shape::Enum(ISOLATIONS), false),
            ("pull_request", Shape::Bool, false),
        ]),
        false,
    ),
    ("agents", Shape::Dict(&PROFILE), false),
    (
        "dashboard",
        Shape::Map(&[("enabled", Shape::Bool, false), ("port", Shape::UInt, false)]),
        false,
    ),
    ("notify", notify::SHAPE, false),
    ("prices", Shape::Dict(&PRICE), false),
]);

/// Every problem in the parsed YAML document: structural ones first, then semantic ones.
pub fn check(doc: &Value) -> Vec<Problem> {
    let mut problems = Vec::new();
    walk(doc, &ROOT, "", &mut problems);
    limits::check_nul(doc, "", &mut problems);
    semantic::check(doc, &mut problems);
    notify::check(doc, &mut problems);
    // The schema's lists and the enums must not drift apart.
    debug_assert_eq!(ROLES.len(), Role::ALL.len());
    debug_assert_eq!(AGENTS.len(), Agent::ALL.len());
    problems
}

/// The valid key nearest to `typo`, if any is close enough to be a likely typo.
pub fn nearest<'a>(typo: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(typo, c), c))
        .filter(|(score, _)| *score >= 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

fn push(problems: &mut Vec<Problem>, path: &str, message: impl Into<String>) {
    problems.push(Problem { path: path.to_string(), message: message.into() });
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// A value as an error message shows it: a number as written, else its kind.
fn shown_value(value: &Value) -> String {
    match value {
        Value::Number(n) => n.to_string(),
        other => kind(other).to_string(),
    }
}

fn walk(value: &Value, shape: &Shape, path: &str, problems: &mut Vec<Problem>) {
    let shown = if path.is_empty() { "ide.yml" } else { path };
    match shape {
        Shape::Str if !value.is_string() => {
            push(problems, path, format!("expected a string, found {}", kind(value)));
        }
        Shape::Bool if !value.is_boolean() => {
            push(problems, path, format!("expected true or false, found {}", kind(value)));
        }
        Shape::UInt if !value.is_u64() => {
            push(problems, path, format!("expected a whole number ≥ 0, found {}", kind(value)));
        }
        Shape::Range(range) => limits::check_range(value, range, path, problems),
        Shape::Amount if !value.as_f64().is_some_and(|n| n.is_finite() && n >= 0.0) => {
            push(problems, path, format!("expected a number ≥ 0, found {}", shown_value(value)));
        }
        Shape::Size => {
            let text = match value {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            };
            if text.as_deref().and_then(Percent::parse).is_none() {
                let found = text.map(|t| format!("{t:?}")).unwrap_or_else(|| kind(value).into());
                push(
                    problems,
                    path,
                    format!("size {found} is not a percentage 1–100 like \"70%\""),
                );
            }
        }
        Shape::Scalar if !(value.is_string() || value.is_number() || value.is_boolean()) => {
            push(problems, path, format!("expected a string or number, found {}", kind(value)));
        }
        Shape::Enum(allowed) => match value.as_str() {
            Some(s) if allowed.contains(&s) => {}
            Some(s) if NOT_YET.contains(&s) => {
                let field = path.rsplit('.').next().unwrap_or(path);
                let allowed = allowed.join(", ");
                push(
                    problems,
                    path,
                    format!("{field} {s} is not implemented yet (allowed: {allowed})"),
                );
            }
            Some(s) => {
                let hint = nearest(s, allowed.iter().copied())
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                let field = path.rsplit('.').next().unwrap_or(path);
                push(
                    problems,
                    path,
                    format!("{field} `{s}` is not one of {}{hint}", allowed.join(", ")),
                );
            }
            None => push(problems, path, format!("expected one of {}", allowed.join(", "))),
        },
        Shape::List(inner) => match value.as_array() {
            Some(items) if items.is_empty() => {
                push(problems, path, "must list at least one entry");
            }
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, inner, &format!("{path}[{i}]"), problems);
                }
            }
            None => push(problems, path, format!("expected a list, found {}", kind(value))),
        },
        Shape::Dict(inner) => match value.as_object() {
            Some(map) => {
                for (key, item) in map {
                    walk(item, inner, &join(path, key), problems);
                }
            }
            None => push(problems, path, format!("expected a mapping, found {}", kind(value))),
        },
        Shape::Map(fields) => {
            let Some(map) = value.as_object() else {
                push(problems, path, format!("{shown} should be a mapping, found {}", kind(value)));
                return;
            };
            for (key, item) in map {
                match fields.iter().find(|(name, _, _)| name == key) {
                    Some((_, inner, _)) => walk(item, inner, &join(path, key), problems),
                    None => {
                        let valid = fields.iter().map(|(name, _, _)| *name);
                        let hint = match nearest(key, valid.clone()) {
                            Some(n) => format!("did you mean `{n}`?"),
                            None => format!("valid keys: {}", valid.collect::<Vec<_>>().join(", ")),
                        };
                        push(problems, &join(path, key), format!("unknown key ({hint})"));
                    }
                }
            }
            for (name, _, required) in *fields {
                if *required && !map.contains_key(*name) {
                    push(problems, path, format!("missing required key `{name}`"));
                }
            }
        }
        _ => {}
    }
}
