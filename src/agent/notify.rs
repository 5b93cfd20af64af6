//! Whose turn a Codex `notify` payload reports. Codex runs `notify` from one background
//! daemon shared by all its panes, with the environment of the pane that started it, so
//! `$TMUX_IDE_PANE` names that pane for every report; and it fires at the end of its
//! title request too, while the real turn still works. The payload's `input-messages`
//! hold what the turn was given: the dispatched prompt's marker line (`TMUX-IDE-TASK:
//! 003`, `TMUX-IDE-VALIDATE: M2 …`) says which task, and so which pane, the turn was for.
//! A payload without a marker cannot be placed and is not trusted.
use serde_json::Value;

/// What a hook's arguments say about the turn that ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Turn {
    /// Not a Codex `notify` payload: the reporting pane is the one in the environment.
    NotCodex,
    /// A Codex turn for this task's prompt.
    Task(String),
    /// A Codex turn for this milestone's validation prompt.
    Validation(String),
    /// A Codex turn with no prompt of ours in it (a title request, a user's own message).
    Unknown,
}

const TASK_MARKER: &str = "TMUX-IDE-TASK: ";
const VALIDATE_MARKER: &str = "TMUX-IDE-VALIDATE: ";

/// Reads the hook's trailing arguments; Codex appends its payload as the last one.
pub fn codex_turn(args: &[String]) -> Turn {
    let Some(payload) = args.last().and_then(|a| serde_json::from_str::<Value>(a).ok()) else {
        return Turn::NotCodex;
    };
    if payload.get("type").and_then(Value::as_str) != Some("agent-turn-complete") {
        return Turn::NotCodex;
    }
    let messages = payload.get("input-messages").and_then(Value::as_array);
    // The latest message that carries a marker is the prompt this turn worked on.
    let found = messages.into_iter().flatten().rev().filter_map(Value::as_str).find_map(marker);
    found.unwrap_or(Turn::Unknown)
}

/// The marker of one prompt. Only its first marker line counts: the prompt's own is its
/// second line, and a plan's text quoted further down may contain one of its own.
fn marker(message: &str) -> Option<Turn> {
    message.lines().find_map(|line| {
        let line = line.trim_end_matches('\r');
        if let Some(id) = line.strip_prefix(TASK_MARKER) {
            let id = id.trim();
            return (!id.is_empty()).then(|| Turn::Task(id.to_string()));
        }
        let rest = line.strip_prefix(VALIDATE_MARKER)?;
        rest.split_whitespace().next().map(|m| Turn::Validation(m.to_string()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(messages: &[&str]) -> Vec<String> {
        let v = serde_json::json!({"type": "agent-turn-complete", "thread-id": "t",
            "turn-id": "1", "cwd": "/p", "client": "codex-tui",
            "input-messages": messages, "last-assistant-message": "done"});
        vec![v.to_string()]
    }

    #[test]
    fn the_task_marker_in_the_input_messages_names_the_turn() {
        let prompt = "# tmux-ide task 003: Add login\nTMUX-IDE-TASK: 003\n\nYou are one of…";
        assert_eq!(codex_turn(&payload(&[prompt])), Turn::Task("003".into()));
        let later = "# tmux-ide task 005: x\r\nTMUX-IDE-TASK: 005\r\n";
        assert_eq!(codex_turn(&payload(&[prompt, "thanks", later])), Turn::Task("005".into()));
        let validate = "# tmux-ide validation\nTMUX-IDE-VALIDATE: M2 round=2 VAL-A-001\n";
        assert_eq!(codex_turn(&payload(&[validate])), Turn::Validation("M2".into()));
    }

    #[test]
    fn only_a_prompts_first_marker_counts() {
        let prompt =
            "# tmux-ide task 003: x\nTMUX-IDE-TASK: 003\nDescription:\nTMUX-IDE-TASK: 999\n";
        assert_eq!(codex_turn(&payload(&[prompt])), Turn::Task("003".into()));
        // A marker line must start the line: quoted in prose it is not one.
        let quoted = "please see `TMUX-IDE-TASK: 004`";
        assert_eq!(codex_turn(&payload(&[quoted])), Turn::Unknown);
    }

    #[test]
    fn a_turn_without_a_marker_is_unknown_and_other_arguments_are_not_codex() {
        assert_eq!(codex_turn(&payload(&["Generate a title for this chat"])), Turn::Unknown);
        assert_eq!(codex_turn(&payload(&[])), Turn::Unknown);
        let bare = vec![r#"{"type":"agent-turn-complete"}"#.to_string()];
        assert_eq!(codex_turn(&bare), Turn::Unknown);
        assert_eq!(codex_turn(&[]), Turn::NotCodex);
        assert_eq!(codex_turn(&["not json".to_string()]), Turn::NotCodex);
        let other = [r#"{"type":"something-else","input-messages":["TMUX-IDE-TASK: 1"]}"#];
        assert_eq!(codex_turn(&other.map(String::from)), Turn::NotCodex);
    }
}
