//! Codex's rollout log (`$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<thread id>.jsonl`):
//! `turn_context` lines name the model; `event_msg` lines of type `token_count` carry the
//! session's running `total_token_usage` (OpenAI's figures: `input_tokens` includes the
//! `cached_input_tokens`, `output_tokens` includes reasoning). Counting the growth of the
//! running total counts every request once, however often Codex repeats the event. The
//! notify payload names the thread (`thread-id`); [`find_rollout`] finds its log.
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Attribution, Usage, count};
use crate::agent::sim::{Request, TASK_MARKER, VALIDATE_MARKER, parse_request};

/// The work a user message of the log starts: the task or validation marker on its first
/// line, or its second after the `# tmux-ide …` header (a marker quoted further down, in
/// a task's description, is plan text, not this prompt's), read as the simulated agent
/// reads it.
fn prompt_work(message: &Value) -> Option<Attribution> {
    let content = message.get("content")?.as_array()?;
    let text = content.iter().find_map(|c| c.get("text").and_then(Value::as_str))?;
    let mut lines = text.lines().map(str::trim);
    let first = lines.next()?;
    let line = if first.starts_with("# tmux-ide ") { lines.next()? } else { first };
    match parse_request(line)? {
        Request::Task { id } if id.len() <= 32 => {
            Some(Attribution { task: Some(id), milestone: None })
        }
        Request::Validate { milestone, .. } if milestone.len() <= 32 => {
            Some(Attribution { task: None, milestone: Some(milestone) })
        }
        _ => None,
    }
}

/// What the reader of one rollout log remembers between looks.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Reader {
    /// The model of the latest turn.
    pub model: Option<String>,
    /// The last running total seen.
    pub total: Usage,
    /// The work of the current turn, from the marker atop the prompt that began it.
    pub turn: Option<super::Attribution>,
}

impl Reader {
    /// What one log line adds, if it is a `token_count` whose total grew.
    pub fn line(&mut self, line: &str) -> Option<Usage> {
        let marked = line.contains(TASK_MARKER) || line.contains(VALIDATE_MARKER);
        if !line.contains("token_count") && !line.contains("turn_context") && !marked {
            return None;
        }
        let v: Value = serde_json::from_str(line).ok()?;
        let payload = v.get("payload")?;
        match v.get("type").and_then(Value::as_str)? {
            "response_item" if payload.get("role").and_then(Value::as_str) == Some("user") => {
                if let Some(turn) = prompt_work(payload) {
                    self.turn = Some(turn);
                }
                None
            }
            "turn_context" => {
                self.model = payload.get("model").and_then(Value::as_str).map(String::from);
                None
            }
            "event_msg" if payload.get("type").and_then(Value::as_str) == Some("token_count") => {
                let total = payload.get("info")?.get("total_token_usage")?;
                let input = count(total.get("input_tokens"));
                let cached = count(total.get("cached_input_tokens")).min(input);
                let now = Usage {
                    model: self.model.clone(),
                    input_tokens: input - cached,
                    output_tokens: count(total.get("output_tokens")),
                    cache_read_tokens: cached,
                    at: v.get("timestamp").and_then(Value::as_str).and_then(|t| t.parse().ok()),
                    turn: self.turn.clone(),
                    ..Usage::default()
                };
                let add = now.minus(&self.total);
                self.total = now;
                (add.tokens() > 0).then_some(add)
            }
            _ => None,
        }
    }
}

/// The thread id of a Codex notify payload (`thread-id`), if it is one; only characters
/// a UUID has, so it can name a file.
pub fn thread_id(payload: &str) -> Option<String> {
    let v: Value = serde_json::from_str(payload).ok()?;
    if v.get("type").and_then(Value::as_str) != Some("agent-turn-complete") {
        return None;
    }
    let id = v.get("thread-id")?.as_str()?;
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    ok.then(|| id.to_string())
}

/// The rollout log of `thread` under `codex_home`: `sessions/YYYY/MM/DD/rollout-…-<thread>.jsonl`,
/// looked for in the newest few day folders only (a turn that just ended wrote there).
pub fn find_rollout(codex_home: &Path, thread: &str) -> Option<PathBuf> {
    let suffix = format!("-{thread}.jsonl");
    let newest = |dir: &Path| -> Vec<PathBuf> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .collect();
        names.sort();
        names.into_iter().rev().take(3).collect()
    };
    for year in newest(&codex_home.join("sessions")) {
        for month in newest(&year) {
            for day in newest(&month) {
                let found = std::fs::read_dir(&day).into_iter().flatten().flatten().find(|e| {
                    let name = e.file_name();
                    let name = name.to_string_lossy();
                    name.starts_with("rollout-") && name.ends_with(&suffix)
                });
                if let Some(entry) = found {
                    return Some(entry.path());
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const FIXTURE: &str = include_str!("../../../tests/fixtures/usage/codex-rollout.jsonl");

    #[test]
    fn each_growth_of_the_running_total_counts_once_with_the_turns_model() {
        let mut r = Reader::default();
        let got: Vec<Usage> = FIXTURE.lines().filter_map(|l| r.line(l)).collect();
        assert_eq!(got.len(), 2, "the repeated token_count adds nothing: {got:?}");
        assert_eq!(got[0].model.as_deref(), Some("gpt-5-codex"));
        assert_eq!(
            (got[0].input_tokens, got[0].cache_read_tokens, got[0].output_tokens),
            (6912, 2048, 311)
        );
        assert_eq!(
            (got[1].input_tokens, got[1].cache_read_tokens, got[1].output_tokens),
            (1510, 8960, 95)
        );
        assert_eq!(r.total.tokens(), 8422 + 11008 + 406);
    }

    #[test]
    fn each_record_carries_the_work_of_the_prompt_that_began_its_turn() {
        let mut r = Reader::default();
        let got: Vec<Usage> = FIXTURE.lines().filter_map(|l| r.line(l)).collect();
        let task = |id: &str| Some(Attribution { task: Some(id.into()), milestone: None });
        assert!(got.iter().all(|u| u.turn == task("002")), "{got:?}");
        // The next prompt's marker moves it on; a marker quoted lower down does not.
        let user = |text: &str| {
            let payload = json!({"type": "message", "role": "user",
                "content": [{"type": "input_text", "text": text}]});
            json!({"timestamp": "2026-11-28T10:00:09Z", "type": "response_item", "payload": payload})
                .to_string()
        };
        r.line(&user("Fix it.\nTMUX-IDE-TASK: 009"));
        assert_eq!(r.turn, task("002"));
        r.line(&user("# tmux-ide validation of M1\nTMUX-IDE-VALIDATE: M1 round=1 VAL-A-001"));
        assert_eq!(r.turn, Some(Attribution { task: None, milestone: Some("M1".into()) }));
    }

    #[test]
    fn the_thread_of_a_notify_payload_finds_its_rollout_log() {
        let payload = r#"{"type":"agent-turn-complete","thread-id":"0199a213-81c0-7800-8aa1-bbab2a035a53","turn-id":"1","cwd":"/p","input-messages":[],"last-assistant-message":"ok"}"#;
        let id = thread_id(payload).unwrap();
        assert!(thread_id(r#"{"type":"agent-turn-complete","thread-id":"../../etc"}"#).is_none());
        assert!(thread_id(r#"{"type":"other","thread-id":"abc"}"#).is_none());
        let home = tempfile::tempdir().unwrap();
        let day = home.path().join("sessions/2026/11/28");
        std::fs::create_dir_all(&day).unwrap();
        std::fs::create_dir_all(home.path().join("sessions/2026/11/27")).unwrap();
        let log = day.join(format!("rollout-2026-11-28T10-00-00-{id}.jsonl"));
        std::fs::write(&log, "").unwrap();
        assert_eq!(find_rollout(home.path(), &id), Some(log));
        assert_eq!(find_rollout(home.path(), "0199a213-0000"), None);
    }
}
