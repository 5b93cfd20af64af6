//! Token usage as each agent exposes it: Claude Code's and Codex's JSONL transcripts,
//! Gemini CLI's session file, Aider's `Tokens: … Cost: …` screen line. Each reader turns
//! what it finds into [`Usage`] records; the orchestrator attributes them to the task in
//! progress on the pane and logs them as `usage` events, which every cost view replays.
//! Nothing here guesses: a figure the agent does not give stays absent.
pub mod aider;
pub mod claude;
pub mod codex;
pub mod gemini;
pub mod tail;

use jiff::Timestamp;
use serde_json::Value;

use crate::plan::{Event, EventKind};

/// The tokens (and, when the agent says, the dollars) of one model response or one
/// reported message.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Usage {
    /// The model as the agent names it (`claude-sonnet-4-5-20250929`); `None`: not said.
    pub model: Option<String>,
    /// Input tokens billed at the full input price (not read from or written to a cache).
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    /// What the agent itself says the message cost (Aider); wins over the price table.
    pub cost_usd: Option<f64>,
    /// The agent's id for the message (`msg_…`), when it has one.
    pub message: Option<String>,
    /// When the agent recorded it, when it says.
    pub at: Option<Timestamp>,
    /// The work the agent's own log puts the record in (the marker of the prompt that
    /// began its turn), when it says: outranks attribution by time, which a turn's last
    /// response, logged after the pane's next task started, would get wrong.
    pub turn: Option<Attribution>,
}

impl Usage {
    pub fn tokens(&self) -> u64 {
        self.input_tokens
            .saturating_add(self.output_tokens)
            .saturating_add(self.cache_read_tokens)
            .saturating_add(self.cache_write_tokens)
    }

    /// `self - earlier`, field by field (never below zero): what a repeated, grown record
    /// of the same message adds.
    pub fn minus(&self, earlier: &Usage) -> Usage {
        Usage {
            input_tokens: self.input_tokens.saturating_sub(earlier.input_tokens),
            output_tokens: self.output_tokens.saturating_sub(earlier.output_tokens),
            cache_read_tokens: self.cache_read_tokens.saturating_sub(earlier.cache_read_tokens),
            cache_write_tokens: self.cache_write_tokens.saturating_sub(earlier.cache_write_tokens),
            cost_usd: match (self.cost_usd, earlier.cost_usd) {
                (Some(a), Some(b)) => Some((a - b).max(0.0)),
                (a, _) => a,
            },
            ..self.clone()
        }
    }
}

/// Where a usage record was attributed: the task in progress on the pane then, or the
/// validation round of a milestone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attribution {
    pub task: Option<String>,
    pub milestone: Option<String>,
}

/// Which agent's format a usage source is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// Claude Code's transcript (JSONL, one line per content block).
    Claude,
    /// Codex's rollout log (JSONL, `token_count` events with running totals).
    Codex,
    /// Gemini CLI's session file (one JSON document, rewritten as it grows).
    Gemini,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Claude => "claude",
            SourceKind::Codex => "codex",
            SourceKind::Gemini => "gemini",
        }
    }

    pub fn parse(name: &str) -> Option<SourceKind> {
        match name {
            "claude" => Some(SourceKind::Claude),
            "codex" => Some(SourceKind::Codex),
            "gemini" => Some(SourceKind::Gemini),
            _ => None,
        }
    }
}

/// Longest file path accepted from a hook payload.
pub const MAX_PATH: usize = 4096;

/// The `usage_source` event: pane `pane_id` (`%3`, titled `title`) keeps its usage in
/// `path`, in `kind`'s format. Written by `tmux-ide agent usage` from a hook's payload.
pub fn source_event(
    now: Timestamp,
    pane_id: &str,
    title: &str,
    kind: SourceKind,
    path: &str,
) -> Event {
    Event::new(now, EventKind::UsageSource)
        .pane(title)
        .with("pane_id", pane_id)
        .with("agent", kind.as_str())
        .with("path", path)
}

/// Reads a `usage_source` event back: (pane id, kind, path).
pub fn parse_source_event(event: &Event) -> Option<(&str, SourceKind, &str)> {
    if event.kind != EventKind::UsageSource {
        return None;
    }
    let pane = event.extra.get("pane_id")?.as_str()?;
    let kind = SourceKind::parse(event.extra.get("agent")?.as_str()?)?;
    let path = event.extra.get("path")?.as_str()?;
    Some((pane, kind, path))
}

/// The `usage` event of one record on pane `title`, attributed as `to`. `cursor` is
/// where its reader stands in its source after it (restored on restart).
pub fn usage_event(
    now: Timestamp,
    title: &str,
    agent: &str,
    usage: &Usage,
    to: &Attribution,
) -> Event {
    let mut event = Event::new(now, EventKind::Usage).pane(title).with("agent", agent);
    event.task.clone_from(&to.task);
    event.milestone.clone_from(&to.milestone);
    if let Some(model) = &usage.model {
        event = event.with("model", model.as_str());
    }
    event = event
        .with("input_tokens", usage.input_tokens)
        .with("output_tokens", usage.output_tokens)
        .with("cache_read_tokens", usage.cache_read_tokens)
        .with("cache_write_tokens", usage.cache_write_tokens);
    if let Some(cost) = usage.cost_usd.filter(|c| c.is_finite() && *c >= 0.0) {
        event = event.with("cost_usd", cost);
    }
    if let Some(id) = &usage.message {
        event = event.with("message", id.as_str());
    }
    if let Some(at) = usage.at {
        event = event.with("at", at.to_string());
    }
    event
}

/// Reads a `usage` event back into the record it logged.
pub fn parse_usage_event(event: &Event) -> Option<Usage> {
    if event.kind != EventKind::Usage {
        return None;
    }
    let n = |key: &str| event.extra.get(key).and_then(Value::as_u64).unwrap_or(0);
    Some(Usage {
        model: event.extra.get("model").and_then(Value::as_str).map(String::from),
        input_tokens: n("input_tokens"),
        output_tokens: n("output_tokens"),
        cache_read_tokens: n("cache_read_tokens"),
        cache_write_tokens: n("cache_write_tokens"),
        cost_usd: event.extra.get("cost_usd").and_then(Value::as_f64),
        message: event.extra.get("message").and_then(Value::as_str).map(String::from),
        at: event.extra.get("at").and_then(Value::as_str).and_then(|t| t.parse().ok()),
        turn: None,
    })
}

/// A non-negative whole number from JSON, or 0 (usage fields an agent leaves out).
pub(crate) fn count(v: Option<&Value>) -> u64 {
    v.and_then(Value::as_u64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_usage_event_reads_back_as_the_record_it_logged() {
        let u = Usage {
            model: Some("claude-sonnet-4-5".into()),
            input_tokens: 12,
            output_tokens: 340,
            cache_read_tokens: 5000,
            cache_write_tokens: 800,
            cost_usd: None,
            message: Some("msg_1".into()),
            at: Some("2026-11-28T10:00:00Z".parse().unwrap()),
            turn: None,
        };
        let to = Attribution { task: Some("003".into()), milestone: Some("M1".into()) };
        let e = usage_event(Timestamp::UNIX_EPOCH, "Worker 1", "claude", &u, &to);
        assert_eq!(e.task.as_deref(), Some("003"));
        assert_eq!(e.pane.as_deref(), Some("Worker 1"));
        let line = serde_json::to_string(&e).unwrap();
        let back: Event = serde_json::from_str(&line).unwrap();
        assert_eq!(parse_usage_event(&back), Some(u));
    }

    #[test]
    fn a_grown_repeat_adds_only_its_difference() {
        let a = Usage { output_tokens: 10, input_tokens: 3, ..Usage::default() };
        let b = Usage { output_tokens: 25, input_tokens: 3, ..Usage::default() };
        assert_eq!(b.minus(&a).tokens(), 15);
        assert_eq!(a.minus(&b).tokens(), 0);
    }
}
