//! Claude Code's transcript (`transcript_path` in every hook payload): JSONL, one line per
//! content block of an assistant message, each repeating the message's `usage` (input,
//! output, cache-creation and cache-read tokens) and `model`. A message is counted once
//! by its id (`message.id`, else `requestId`); a later line of it with larger figures adds
//! only the difference, so the last line of a message is what counts in the end.
//! `<synthetic>` messages (Claude Code's own API-error placeholders) cost nothing.
use std::collections::VecDeque;

use serde_json::Value;

use super::{Usage, count};

/// Message ids remembered per transcript: lines of one message are adjacent or nearly.
const RECENT: usize = 256;

/// The usage one transcript line carries, if it is an assistant message with usage.
pub fn parse_line(line: &str) -> Option<Usage> {
    // Most lines (prompts, tool results with whole files) carry no usage: not parsed.
    if !line.contains("\"usage\"") {
        return None;
    }
    let v: Value = serde_json::from_str(line).ok()?;
    if v.get("type").and_then(Value::as_str) != Some("assistant") {
        return None;
    }
    let message = v.get("message")?;
    let usage = message.get("usage")?.as_object()?;
    let model = message.get("model").and_then(Value::as_str);
    if model == Some("<synthetic>") {
        return None;
    }
    let id = message.get("id").and_then(Value::as_str).or_else(|| v.get("requestId")?.as_str());
    Some(Usage {
        model: model.map(String::from),
        input_tokens: count(usage.get("input_tokens")),
        output_tokens: count(usage.get("output_tokens")),
        cache_read_tokens: count(usage.get("cache_read_input_tokens")),
        cache_write_tokens: count(usage.get("cache_creation_input_tokens")),
        cost_usd: None,
        message: id.map(String::from),
        at: v.get("timestamp").and_then(Value::as_str).and_then(|t| t.parse().ok()),
        turn: None,
    })
}

/// Counts each message of a transcript once across incremental reads.
#[derive(Debug, Default, Clone)]
pub struct Dedupe {
    recent: VecDeque<Usage>,
}

impl Dedupe {
    /// What a parsed line adds: all of it for a new message, the growth for a repeat
    /// (nothing when the figures are the same); `None` when it adds nothing.
    pub fn take(&mut self, usage: Usage) -> Option<Usage> {
        let Some(id) = usage.message.clone() else {
            return (usage.tokens() > 0).then_some(usage);
        };
        let add = match self.recent.iter_mut().find(|u| u.message.as_deref() == Some(&id)) {
            Some(seen) => {
                let grown = usage.minus(seen);
                *seen = max_of(seen, &usage);
                grown
            }
            None => {
                if self.recent.len() == RECENT {
                    self.recent.pop_front();
                }
                self.recent.push_back(usage.clone());
                usage
            }
        };
        (add.tokens() > 0).then_some(add)
    }

    /// Remembers a message counted before (restored from the event log on restart).
    pub fn remember(&mut self, usage: Usage) {
        let _ = self.take(usage);
    }
}

fn max_of(a: &Usage, b: &Usage) -> Usage {
    Usage {
        input_tokens: a.input_tokens.max(b.input_tokens),
        output_tokens: a.output_tokens.max(b.output_tokens),
        cache_read_tokens: a.cache_read_tokens.max(b.cache_read_tokens),
        cache_write_tokens: a.cache_write_tokens.max(b.cache_write_tokens),
        ..b.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../../../tests/fixtures/usage/claude-transcript.jsonl");

    fn counted(text: &str) -> Vec<Usage> {
        let mut d = Dedupe::default();
        text.lines().filter_map(parse_line).filter_map(|u| d.take(u)).collect()
    }

    #[test]
    fn each_assistant_message_of_a_real_shaped_transcript_counts_once() {
        let got = counted(FIXTURE);
        let ids: Vec<_> = got.iter().map(|u| u.message.clone().unwrap()).collect();
        assert_eq!(ids, ["msg_01A", "msg_01B", "msg_01C"]);
        let first = &got[0];
        assert_eq!(first.model.as_deref(), Some("claude-sonnet-4-5-20250929"));
        assert_eq!(
            (
                first.input_tokens,
                first.output_tokens,
                first.cache_write_tokens,
                first.cache_read_tokens
            ),
            (3, 187, 4211, 12044)
        );
        assert_eq!(first.at.unwrap().to_string(), "2026-11-28T10:00:03.512Z");
        let total: u64 = got.iter().map(Usage::tokens).sum();
        assert_eq!(total, 3 + 187 + 4211 + 12044 + (5 + 96 + 310 + 16255) + (1 + 42 + 16565));
    }

    #[test]
    fn a_later_line_with_larger_figures_adds_only_the_difference() {
        let line = |out: u64| {
            format!(
                r#"{{"type":"assistant","message":{{"id":"msg_9","model":"claude-opus-4-5","role":"assistant","usage":{{"input_tokens":10,"output_tokens":{out}}}}}}}"#
            )
        };
        let text = [line(5), line(5), line(40)].join("\n");
        let got = counted(&text);
        assert_eq!(got.iter().map(|u| u.output_tokens).collect::<Vec<_>>(), [5, 35]);
        assert_eq!(got[1].input_tokens, 0);
    }

    #[test]
    fn synthetic_user_and_malformed_lines_count_nothing() {
        for line in [
            r#"{"type":"assistant","message":{"id":"m","model":"<synthetic>","usage":{"input_tokens":0,"output_tokens":0}}}"#,
            r#"{"type":"user","message":{"role":"user","content":"hi"}}"#,
            r#"{"type":"assistant","message":{"id":"m","model":"x"}}"#,
            "not json",
            r#"{"type":"assistant","message":{"usage":{"input_tokens":-4,"output_tokens":"7"}}}"#,
        ] {
            assert!(parse_line(line).and_then(|u| Dedupe::default().take(u)).is_none(), "{line}");
        }
    }
}
