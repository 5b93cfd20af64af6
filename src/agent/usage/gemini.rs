//! Gemini CLI's session file (`transcript_path` in its hook payloads;
//! `~/.gemini/tmp/<project hash>/chats/session-….json`): one JSON document, rewritten as
//! the conversation grows, whose `messages` of type `gemini` carry `model` and `tokens`
//! (`input` includes `cached`; `thoughts` are billed as output; `tool` is prompt for the
//! tool declarations). Read whole when it changed (bounded), each message counted once by id.
use std::collections::HashMap;

use serde_json::Value;

use super::{Usage, count};

/// What the reader of one session file remembers: the figures counted per message id.
#[derive(Debug, Default, Clone)]
pub struct Reader {
    seen: HashMap<String, Usage>,
}

impl Reader {
    /// What the session document adds since the last look, one record per message.
    /// A session written as JSON lines (one message per line) is read the same way.
    pub fn document(&mut self, text: &str) -> Vec<Usage> {
        let messages: Vec<Value> = match serde_json::from_str::<Value>(text) {
            Ok(doc) => doc.get("messages").and_then(Value::as_array).cloned().unwrap_or_default(),
            Err(_) => text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect(),
        };
        let mut out = Vec::new();
        for m in &messages {
            if m.get("type").and_then(Value::as_str) != Some("gemini") {
                continue;
            }
            let (Some(id), Some(tokens)) = (m.get("id").and_then(Value::as_str), m.get("tokens"))
            else {
                continue;
            };
            let input = count(tokens.get("input"));
            let cached = count(tokens.get("cached")).min(input);
            let usage = Usage {
                model: m.get("model").and_then(Value::as_str).map(String::from),
                input_tokens: input - cached + count(tokens.get("tool")),
                output_tokens: count(tokens.get("output")) + count(tokens.get("thoughts")),
                cache_read_tokens: cached,
                message: Some(id.to_string()),
                at: m.get("timestamp").and_then(Value::as_str).and_then(|t| t.parse().ok()),
                ..Usage::default()
            };
            let add = match self.seen.get(id) {
                Some(earlier) => usage.minus(earlier),
                None => usage.clone(),
            };
            self.seen.insert(id.to_string(), usage);
            if add.tokens() > 0 {
                out.push(add);
            }
        }
        out
    }

    /// Remembers a message counted before (restored from the event log on restart, or
    /// this reader's own record read back: a message seen already stays as it is).
    pub fn remember(&mut self, usage: &Usage) {
        if let Some(id) = &usage.message {
            self.seen.entry(id.clone()).or_insert_with(|| usage.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../../../tests/fixtures/usage/gemini-session.json");

    #[test]
    fn each_model_message_counts_once_even_when_the_file_is_read_again() {
        let mut r = Reader::default();
        let got = r.document(FIXTURE);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].model.as_deref(), Some("gemini-2.5-pro"));
        assert_eq!(
            (got[0].input_tokens, got[0].cache_read_tokens, got[0].output_tokens),
            (9391, 0, 120 + 341)
        );
        assert_eq!((got[1].input_tokens, got[1].cache_read_tokens), (9890 - 8192, 8192));
        assert!(r.document(FIXTURE).is_empty(), "read again, nothing new");
        let mut restored = Reader::default();
        for u in &got {
            restored.remember(u);
        }
        assert!(restored.document(FIXTURE).is_empty(), "restored from the log, nothing new");
        assert!(r.document("{ not json").is_empty());
        let lines: String = serde_json::from_str::<Value>(FIXTURE).unwrap()["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| format!("{m}\n"))
            .collect();
        assert_eq!(Reader::default().document(&lines), got, "the same session as JSON lines");
    }
}
